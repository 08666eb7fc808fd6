"""The entity types of the reference table and the coarse categories relation rules use."""

from __future__ import annotations

ENTITY_TYPES = {
    # type -> coarse categories used by relation rules
    "Country": {"actor", "gov", "place", "country"},
    "Region": {"place", "region"},
    "SupranationalBody": {"actor", "gov", "org"},
    "GovernmentAgency": {"actor", "gov", "org"},
    "Company": {"actor", "company", "org"},
    "ResearchInstitution": {"actor", "research", "org"},
    "ThinkTank": {"actor", "thinktank", "org"},
    "Association": {"actor", "org", "association"},
    "Person": {"actor", "person"},
    "Law": {"policy", "law"},
    "FundingProgram": {"policy", "program"},
    "ExportControl": {"policy", "control"},
    "TradeInvestigation": {"policy", "investigation"},
    "Strategy": {"policy", "strategy"},
    "Fab": {"facility"},
    "PackagingFacility": {"facility"},
    "ResearchCenter": {"facility"},
    "PilotLine": {"facility"},
    "IndustrialCluster": {"facility"},
    "Technology": {"tech"},
    "Product": {"tech", "product"},
}
CATEGORIES = frozenset(c for cats in ENTITY_TYPES.values() for c in cats)
FACILITY_TYPES = frozenset(t for t, cats in ENTITY_TYPES.items() if "facility" in cats)
