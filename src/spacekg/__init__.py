"""SpaceKG: the open knowledge graph of space diplomacy."""

__version__ = "0.1.0"
