"""chipkg: a provenance-first knowledge graph of the semiconductor policy landscape."""

__version__ = "0.1.0"
