"""Shared test fixtures.

Tests that read the real public files use ``real_dir``; it skips with a clear reason when
``../shared/data/real`` is absent (a user's fresh clone does not have it).
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from helpers.config import DEMO_DIR, PROJECT_ROOT, SHARED_REAL_DIR  # noqa: E402


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not SHARED_REAL_DIR.is_dir():
        pytest.skip(f"real public data not available: {SHARED_REAL_DIR} is absent "
                    "(it sits beside the repository only in the development workplace)")
    return SHARED_REAL_DIR


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    if not (DEMO_DIR / "contracts").is_dir():
        pytest.skip("data/demo has not been generated (run `make demo`)")
    return DEMO_DIR


@pytest.fixture(autouse=True)
def _agg_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    os.environ.setdefault("PYTHONHASHSEED", "0")


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory):
    """Every test (and every run it starts as a subprocess) caches tables and results in a temporary
    folder, never in the user's ``data/interim/cache``: a test must not be served results another
    run left there, nor leave its own behind."""
    saved = os.environ.get("SCA_CACHE_DIR")
    os.environ["SCA_CACHE_DIR"] = str(tmp_path_factory.mktemp("sca-cache"))
    yield
    if saved is None:
        os.environ.pop("SCA_CACHE_DIR", None)
    else:
        os.environ["SCA_CACHE_DIR"] = saved
