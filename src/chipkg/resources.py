"""Where the ontology, shapes and reference tables live.

In a source checkout (and an editable install) they are the repository's ``ontology/`` and
``shapes/`` folders; a wheel carries copies under ``chipkg/_data``. ``CHIPKG_HOME`` overrides both.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


@cache
def home() -> Path:
    env = os.environ.get("CHIPKG_HOME")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2]
    if (repo / "ontology" / "chipkg.ttl").exists():
        return repo
    return Path(__file__).resolve().parent / "_data"


def ontology_dir() -> Path:
    return home() / "ontology"


def shapes_dir() -> Path:
    return home() / "shapes"
