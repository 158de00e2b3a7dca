"""Project paths and parameter defaults: the single place every module and notebook takes them from.

Paths are resolved from the project root (the folder holding ``pyproject.toml``), never from the
current working directory, so that notebooks run by Papermill from any folder find the same files.
"""

from __future__ import annotations

import os
from pathlib import Path

# Environment variables the project reads (all of them, here only).
PROJECT_ROOT_ENV = "SCA_PROJECT_ROOT"  # the project root, when the package runs outside a checkout
CACHE_DIR_ENV = "SCA_CACHE_DIR"        # the caches' folder (default data/interim/cache)
FIGURES_ENV = "SCA_FIGURES_DIR"        # where a notebook run saves its figures (set by the run)
SESSION_ENV = "SCA_SESSION"            # the session file a notebook kernel reads (set by the run)


def _find_root() -> Path:
    env = os.environ.get(PROJECT_ROOT_ENV)
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "src" / "helpers").is_dir():
            return parent
    # Installed outside a checkout: fall back to the working directory.
    return Path.cwd().resolve()


PROJECT_ROOT: Path = _find_root()
DATA_DIR: Path = PROJECT_ROOT / "data"
RAW_DIR: Path = DATA_DIR / "raw"            # immutable user inputs (git-ignored)
DEMO_DIR: Path = DATA_DIR / "demo"          # generated demo dataset (committed)
REFERENCE_DIR: Path = DATA_DIR / "reference"  # thresholds, targets, enums (committed, with sources)
INTERIM_DIR: Path = DATA_DIR / "interim"    # cache of canonical tables (rebuilt, git-ignored)
NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
REPORTS_DIR: Path = PROJECT_ROOT / "reports"
DOCS_DIR: Path = PROJECT_ROOT / "docs"
SHARED_REAL_DIR: Path = PROJECT_ROOT.parent / "shared" / "data" / "real"

# Parameter defaults (docs/design.md §3-4). Names are part of the public contract.
DEFAULT_PARAMS: dict[str, object] = {
    "year": 2024,
    "buyers": [],
    "data_dir": "data/demo",
    "scope": "above_eu_thresholds",
    "target": 0.30,
    "min_delivery_ratio": 0.8,
    "as_of": "",            # empty = 31 December of `year`
    "min_contracts": 5,
    "alpha": 0.05,
    "etp_hours": 1607.0,
    "min_cell_size": 11,
    "allow_small_cells": False,  # True: min_cell_size may be set below 11 (at your own risk)
    "language": "fr",       # "fr" or "en": language of the reports
}

# Limits on input files: beyond them a file is refused with a message naming the file and the limit
# (exit code 2), so that a damaged or hostile file cannot exhaust time or memory.
MAX_TABLE_COLUMNS = 1_000
"""Columns of a CSV header or an XLSX sheet (the widest real input, the Ministry flat CSV, has 56)."""
MAX_TABLE_CELLS = 20_000_000
"""Cells (rows x columns) of one CSV or XLSX table read whole (clauses, participations, ...)."""
MAX_XLSX_UNCOMPRESSED_BYTES = 1_000_000_000
"""Total uncompressed size of the parts of one XLSX workbook (a zip)."""
MAX_JSON_DEPTH = 64
"""Nesting depth of a JSON document (a DECP record needs about 10 levels)."""
MAX_PARAMS_BYTES = 1_000_000
"""Size of a YAML parameters file."""
SMALL_CELL_FLOOR = 11
"""``min_cell_size`` below this needs ``allow_small_cells: true`` (French statistical secrecy)."""
ETP_HOURS_RANGE = (1.0, 10_000.0)
"""Plausible hours in one full-time equivalent (the French legal year is 1 607 h)."""
LANGUAGES = ("fr", "en")

SCOPES = ("above_eu_thresholds", "all")


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """Resolve a user path: absolute paths are kept, relative ones are taken from the project root."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (PROJECT_ROOT / p)
