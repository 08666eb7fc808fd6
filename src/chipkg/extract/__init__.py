"""Knowledge extraction: entities, amounts, dates and relations from passages."""
