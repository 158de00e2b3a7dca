"""Cache of a year's computed results, so that a warm rerun only re-executes the notebooks.

``python -m helpers run`` computes, for one year, the session the notebooks read (parameters, data
summary, results), the data files of the report (``indicators.json``, ``buyers.csv``,
``contracts.csv``, ``rejected/*.csv``), its one-page summaries and spreadsheets (``summary.html``,
``summary.pdf``, ``buyers/<siret>.html|.pdf|.xlsx``, :mod:`helpers.summaries`: about 1.5 s of CPU per
PDF page) and the scope warnings. All of them are a function of four
things only, so the first run stores them in ``<cache root>/results/<key>/`` and a rerun with the
same four things copies them instead of loading the tables and computing the indicators again
(about 5 s of the 12 s of a warm run at 500 000 contracts).

Rules implemented
-----------------
* **Key** = BLAKE2b of

  1. the key of the data directory's table cache (:func:`helpers.cache.cache_key`: every input byte,
     the reader version, ``on_invalid``, the readers' source);
  2. every run parameter (``dataclasses.asdict(params)`` as sorted JSON: year, buyers, scope, ...);
  3. the source of **every** module of the ``helpers`` package (an edited indicator, summary or
     writer invalidates every entry; no version number to forget to bump);
  4. every file of ``data/reference`` (thresholds, labels, official statistics);
  5. the versions of Python and of the libraries that compute numbers (NumPy, pandas, SciPy,
     statsmodels, pyarrow, pandera) and :data:`RESULTS_FORMAT`.

  Nothing else enters the results: no clock (an empty ``as_of`` means 31 December of the year), no
  randomness, no environment variable. A change to any of the five gives another key, so a stale
  entry is never found.
* **Never trust a corrupt entry**: the manifest, written last, holds the size and BLAKE2b checksum
  of every file; a lookup reads each file once and checks it before anything is used. Any mismatch,
  a missing or extra file, an unreadable manifest, or a session that is not a well-formed session
  file (:func:`helpers.session.check`) discards the entry (with a warning on the log) and the run
  computes everything as on a first run.
* **Nothing in an entry is executed**: the session is JSON plus Parquet (:mod:`helpers.session`),
  never pickle, so a checksum an attacker rewrote can at worst give wrong numbers or an entry that
  is refused, not code run by the next run's kernels.
* **Atomic**: an entry is written in a temporary folder and renamed into place; a reader sees a
  complete entry or none. Storing is best effort: a full disk costs the next run's speed, not this
  run's report.
* **Bounded**: when an entry is stored, older entries for the same data directory, parameters and
  ``on_invalid`` (stale by construction) are deleted.
* ``--no-cache`` (``python -m helpers run``) neither reads nor writes this cache, nor the tables'.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import platform
import shutil
import uuid
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from . import cache, config
from . import session as session_io

log = logging.getLogger(__name__)

RESULTS_FORMAT = 2
"""Layout of an entry (file names, manifest keys, session format). Part of the key."""
SUBDIR = "results"
SESSION = "session.zip"
WARNINGS = "warnings.json"
OUTPUTS = "outputs"
MANIFEST = "manifest.json"
NUMERIC_LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "pyarrow", "pandera")
_HELPERS_DIR = Path(__file__).resolve().parent


@dataclasses.dataclass(frozen=True)
class CachedResults:
    """A verified entry: the session bytes (:mod:`helpers.session`), the scope warnings and the
    report's data files (path relative to the year folder -> bytes)."""

    session: bytes
    warnings: list[str]
    outputs: dict[str, bytes]

    def restore(self, folder: Path) -> list[Path]:
        """Write the data files into ``folder`` (the year's staging folder); return their paths."""
        written = []
        for rel, data in sorted(self.outputs.items()):
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
        return written


# --------------------------------------------------------------------------------------------------
# the key
# --------------------------------------------------------------------------------------------------


def _digest_files(paths: Sequence[Path], base: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    for p in sorted(paths, key=lambda q: q.relative_to(base).as_posix()):
        rel = p.relative_to(base).as_posix().encode("utf-8")
        data = p.read_bytes()
        h.update(len(rel).to_bytes(4, "little") + rel + len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def code_digest() -> str:
    """Digest of the source of every module of the ``helpers`` package."""
    return _digest_files([p for p in _HELPERS_DIR.rglob("*.py") if p.is_file()], _HELPERS_DIR)


def reference_digest(reference_dir: Path | None = None) -> str:
    """Digest of every file under ``data/reference`` (or ``reference_dir``)."""
    folder = reference_dir or config.REFERENCE_DIR
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return _digest_files(files, folder)


def library_versions() -> dict[str, str]:
    """Python's and the numeric libraries' versions (a new version may move a rounding)."""
    versions = {"python": platform.python_version()}
    for name in NUMERIC_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def parameters_text(parameters: dict[str, Any]) -> str:
    """The run parameters as canonical JSON (sorted keys): the form that enters the key."""
    return json.dumps(parameters, sort_keys=True, ensure_ascii=False, default=str)


def results_key(data_key: str, parameters: dict[str, Any]) -> str:
    """The key of the results of ``parameters`` on the data whose table-cache key is ``data_key``
    (see the module docstring for the five parts)."""
    h = hashlib.blake2b(digest_size=20)
    for part in (data_key, parameters_text(parameters), code_digest(), reference_digest(),
                 json.dumps(library_versions(), sort_keys=True), str(RESULTS_FORMAT)):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def results_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """``<cache root>/results`` (the cache root of :func:`helpers.cache.cache_root`)."""
    return cache.cache_root(cache_dir) / SUBDIR


# --------------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------------


class CorruptResults(Exception):
    """An entry that cannot be trusted."""


def _checksum(data: bytes) -> dict[str, Any]:
    return {"bytes": len(data), "blake2b": hashlib.blake2b(data, digest_size=20).hexdigest()}


def _read_entry(entry: Path) -> CachedResults:
    try:
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
        files: dict[str, Any] = manifest["files"]
        if manifest["results_format"] != RESULTS_FORMAT or manifest["key"] != entry.name:
            raise CorruptResults(f"{entry}: manifest of another format or key")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorruptResults(f"{entry / MANIFEST}: missing or unreadable ({exc})") from exc
    present = {p.relative_to(entry).as_posix() for p in entry.rglob("*") if p.is_file()}
    if present - {MANIFEST} != set(files):
        raise CorruptResults(f"{entry}: files {sorted(present - {MANIFEST})} differ from the "
                             f"manifest's {sorted(files)}")
    contents: dict[str, bytes] = {}
    for rel, want in files.items():
        try:
            data = (entry / rel).read_bytes()
        except OSError as exc:
            raise CorruptResults(f"{entry / rel}: cannot be read ({exc})") from exc
        if _checksum(data) != want:
            raise CorruptResults(f"{entry / rel}: truncated or altered (checksum mismatch)")
        contents[rel] = data
    try:
        warnings = json.loads(contents.pop(WARNINGS).decode("utf-8"))
        session_data = contents.pop(SESSION)
    except (KeyError, ValueError) as exc:
        raise CorruptResults(f"{entry}: incomplete entry ({exc!r})") from exc
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise CorruptResults(f"{entry / WARNINGS}: not a list of messages")
    try:
        session_io.check(session_data)
    except session_io.SessionError as exc:
        raise CorruptResults(f"{entry / SESSION}: {exc}") from exc
    prefix = OUTPUTS + "/"
    outputs = {rel[len(prefix):]: data for rel, data in contents.items() if rel.startswith(prefix)}
    return CachedResults(session=session_data, warnings=warnings, outputs=outputs)


def lookup(key: str, cache_dir: str | os.PathLike[str] | None = None) -> CachedResults | None:
    """The verified entry of ``key``, or None (absent, or corrupt: then deleted)."""
    return cache.read_or_discard(results_root(cache_dir) / key, _read_entry, CorruptResults,
                                 "cached results")


# --------------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------------


def store(key: str, *, session: bytes, warnings: Sequence[str], outputs: dict[str, Path],
          meta: dict[str, Any], cache_dir: str | os.PathLike[str] | None = None) -> bool:
    """Store an entry for ``key``: the ``session`` bytes, the scope ``warnings`` and the
    ``outputs`` (relative path in the year folder -> file written by the run). ``meta`` identifies
    the run (``data_dir``, ``parameters``, ``on_invalid``) for pruning. Returns whether the entry
    was committed; failures are logged, never raised (the report is already complete)."""
    root = results_root(cache_dir)
    final = root / key
    if final.is_dir():
        return False
    tmp = root / f".tmp-{key}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir(parents=True)
        files: dict[str, Any] = {}
        blobs = {SESSION: session,
                 WARNINGS: json.dumps(list(warnings), ensure_ascii=False).encode("utf-8")}
        for rel, path in outputs.items():
            blobs[f"{OUTPUTS}/{rel}"] = Path(path).read_bytes()
        for rel, data in blobs.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            files[rel] = _checksum(data)
        manifest = {**meta, "key": key, "results_format": RESULTS_FORMAT, "files": files,
                    "libraries": library_versions()}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str),
                                    encoding="utf-8")
        try:
            os.rename(tmp, final)
        except OSError:
            if final.is_dir():  # another run stored the same results first
                return False
            raise
    except OSError as exc:
        log.warning("results not cached (%s); the next run will compute them again", exc)
        return False
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    with contextlib.suppress(OSError):
        # the older entries of the same run (data directory, parameters, mode) are stale
        same = (meta.get("data_dir"), parameters_text(meta.get("parameters") or {}),
                meta.get("on_invalid"))
        cache.prune(root, key, lambda m: (m["data_dir"], parameters_text(m["parameters"]),
                                          m["on_invalid"]) == same)
    return True


__all__ = ["RESULTS_FORMAT", "CachedResults", "CorruptResults", "code_digest", "lookup",
           "reference_digest", "results_key", "results_root", "store"]
