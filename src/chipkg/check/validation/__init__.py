"""SHACL validation, in steps: see chipkg.check.validate for the map of modules."""
