"""The pandera schemas of the canonical tables, fetched when a reader validates: pandera costs about
0.2 s of CPU and 100 MB to import, so a file refused before validation (a wrong header, a hostile
size) never pays for it, nor does a notebook kernel."""

from __future__ import annotations

from typing import Any


def schema(name: str) -> Any:
    """The schema ``name`` (``"CLAUSES_SCHEMA"`` ...) of :mod:`helpers.pandera_schemas`."""
    from .. import pandera_schemas

    return getattr(pandera_schemas, name)
