"""Cache of the canonical tables as Parquet, keyed by the content of the input files.

``load_dataset(data_dir)`` is what every notebook and command calls instead of
:func:`helpers.loader.load_data_dir`: the first call reads the raw files and writes every canonical
table of the :class:`~helpers.dataset.Dataset` (and the quarantined rows) as Parquet plus the
data-quality log as JSON into ``<cache root>/<key>/``; later calls on unchanged inputs read them back
in well under a second per table.

Rules implemented
-----------------
* **Key** = BLAKE2b of, for every file under ``data_dir`` (recursively, sorted by relative POSIX
  path): its relative path, its size and its content (read in 1 MiB chunks, never whole), then
  :data:`READER_VERSION`, ``on_invalid``, the cache format and the source code of the reader
  modules (``helpers/loader.py``, ``helpers/io/*.py``, ``schemas.py``, ``dataset.py``, this file),
  so that editing a reader invalidates old entries even if nobody bumps :data:`READER_VERSION`.
  A stale entry (any input byte changed) therefore has another key and is never used.
* **Fingerprint shortcut**: hashing a 500 MB national file costs about a second, so the digest of a
  data directory is remembered with each file's (size, mtime_ns, ctime_ns). It is reused only when
  every one of them is unchanged *and* the files were last modified more than
  :data:`RACY_MARGIN_S` before the digest was taken (the "racy git" rule: a file written in the same
  clock tick as the hashing is always re-hashed).
* **Never trust a corrupt entry**: the manifest (written last) records the BLAKE2b checksum and size
  of every file of the entry; a load reads each file once into memory, checks its checksum, then
  parses it. A missing file, a truncated or altered Parquet file or bad JSON makes the entry corrupt:
  it is deleted and rebuilt from the inputs.
* **Atomic writes**: an entry is written in a temporary directory beside the final one and renamed
  into place in one ``rename``; a reader sees a complete entry or none. Concurrent builders of the
  same key serialise on a lock file (``fcntl.flock``, where available) so the work is done once; if
  two entries still race, the first rename wins and the other is discarded.
* **Data only, never pickle**: an entry holds Parquet and JSON, read with pyarrow (which refuses
  the pickle-based Python extension types since 14.0.1) and ``json``; a file an attacker rewrote can
  only be refused as corrupt (then rebuilt), never executed.
* **Exact round trip**: dtypes (``datetime64[ns]``, ``Int64``, ``float64``, object strings), the
  index, list columns (``social_considerations``, ``holders``, ``public_categories``: Python lists
  again, not NumPy arrays) and the kind of missing value of object columns (``None``, ``nan`` or
  ``pd.NA``) come back identical, so a warm run computes exactly what the cold run computed.

The cache root is ``helpers.config.INTERIM_DIR / "cache"``, overridden by the ``cache_dir`` argument
or the ``SCA_CACHE_DIR`` environment variable (tests, the benchmark's cold runs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import config
from .config import CACHE_DIR_ENV  # noqa: F401  (re-exported)
from .dataset import Dataset

try:  # POSIX only; elsewhere concurrent builders may both build (still safe: atomic rename).
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The readers' version (defined once in helpers.io.contracts): bump it there when the canonical
#: tables change in a way the source hash cannot see.
from .io.contracts import READER_VERSION, gc_paused  # noqa: E402  one version for all readers

#: Layout of an entry on disk (manifest keys, file names). Part of the key.
CACHE_FORMAT = 1
#: Files modified less than this before their digest was taken are re-hashed on every load.
RACY_MARGIN_S = 2.0
#: Leftover temporary/trash directories older than this are removed.
STALE_TMP_S = 3600.0

_CHUNK = 1 << 20
_MANIFEST = "manifest.json"
_QUALITY = "quality.json"
_HELPERS_DIR = Path(__file__).resolve().parent
_TABLES = tuple(f.name for f in dataclasses.fields(Dataset) if f.name not in ("quality", "rejected"))


class CorruptEntry(Exception):
    """A cache entry that cannot be trusted (missing file, checksum mismatch, unreadable content)."""


# --------------------------------------------------------------------------------------------------
# paths and keys
# --------------------------------------------------------------------------------------------------


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder: ``cache_dir``, else ``$SCA_CACHE_DIR``, else ``INTERIM_DIR/cache``."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(CACHE_DIR_ENV)
    return Path(env) if env else config.INTERIM_DIR / "cache"


def _blake() -> Any:
    return hashlib.blake2b(digest_size=20)


def _input_files(data_dir: Path, exclude: Path | None) -> list[tuple[str, Path, os.stat_result]]:
    """Every regular file under ``data_dir`` as (relative POSIX path, path, stat), sorted by path."""
    out: list[tuple[str, Path, os.stat_result]] = []
    seen: set[str] = set()  # folders already walked: a link loop (a -> .) is walked once
    for dirpath, dirnames, filenames in os.walk(data_dir, followlinks=True):
        here = Path(dirpath)
        seen.add(os.path.realpath(here))
        dirnames[:] = [d for d in dirnames if os.path.realpath(here / d) not in seen]
        if exclude is not None:
            dirnames[:] = [d for d in dirnames if (here / d).resolve() != exclude]
        for name in filenames:
            path = here / name
            try:
                st = path.stat()
            except OSError:  # a dangling symbolic link: the loader reports it
                continue
            if stat.S_ISREG(st.st_mode):  # never open a named pipe (it would wait forever)
                out.append((path.relative_to(data_dir).as_posix(), path, st))
    out.sort(key=lambda t: t[0])
    return out


def _hash_files(files: list[tuple[str, Path, os.stat_result]]) -> str:
    """BLAKE2b of every file's relative path, size and content, streamed in 1 MiB chunks."""
    h = _blake()
    buf = bytearray(_CHUNK)
    view = memoryview(buf)
    for rel, path, _st in files:
        rel_b = rel.encode("utf-8")
        h.update(len(rel_b).to_bytes(4, "little") + rel_b)
        size = 0
        fh = hashlib.blake2b(digest_size=20)
        with open(path, "rb") as f:
            while n := f.readinto(buf):
                fh.update(view[:n])
                size += n
        h.update(size.to_bytes(8, "little") + fh.digest())
    return h.hexdigest()


def _source_digest() -> str:
    """Digest of the reader modules' source: editing a reader invalidates every entry."""
    h = _blake()
    paths = [_HELPERS_DIR / n for n in ("loader.py", "schemas.py", "dataset.py", "cache.py")]
    paths += sorted((_HELPERS_DIR / "io").glob("*.py"))
    paths.append(config.REFERENCE_DIR / "mapping_fr.yml")  # the readers' default mapping
    for p in paths:
        h.update(p.name.encode() + b"\0")
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def _file_stats(files: list[tuple[str, Path, os.stat_result]]) -> list[list[Any]]:
    return [[rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns] for rel, _p, st in files]


def _write_json_atomic(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(obj, f)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _input_digest(data_dir: Path, root: Path) -> str:
    """Content digest of ``data_dir``, reusing the remembered one when the fingerprint allows."""
    exclude = root.resolve() if root.resolve().is_relative_to(data_dir) else None
    files = _input_files(data_dir, exclude)
    stats = _file_stats(files)
    fp_name = hashlib.blake2b(str(data_dir).encode(), digest_size=16).hexdigest() + ".json"
    fp_path = root / "fingerprints" / fp_name
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        fp = json.loads(fp_path.read_text(encoding="utf-8"))
        newest = max((s[2] for s in stats), default=0)
        margin = int(RACY_MARGIN_S * 1e9)
        if fp["files"] == stats and newest < int(fp["recorded_ns"]) - margin:
            return str(fp["digest"])
    recorded_ns = time.time_ns()
    digest = _hash_files(files)
    with contextlib.suppress(OSError):
        _write_json_atomic(fp_path, {"data_dir": str(data_dir), "files": stats, "digest": digest,
                                     "recorded_ns": recorded_ns})
    return digest


def cache_key(data_dir: str | os.PathLike[str], *, on_invalid: str = "strict",
              cache_dir: str | os.PathLike[str] | None = None) -> str:
    """The key of ``data_dir``'s entry: inputs' content + reader version + ``on_invalid`` + sources."""
    root = cache_root(cache_dir)
    data = config.resolve_path(data_dir).resolve()
    h = _blake()
    for part in (_input_digest(data, root), READER_VERSION, str(on_invalid), str(CACHE_FORMAT),
                 _source_digest()):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def entry_path(data_dir: str | os.PathLike[str], *, on_invalid: str = "strict",
               cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding (or that will hold) the cache entry of ``data_dir``."""
    return cache_root(cache_dir) / cache_key(data_dir, on_invalid=on_invalid, cache_dir=cache_dir)


# --------------------------------------------------------------------------------------------------
# writing an entry
# --------------------------------------------------------------------------------------------------


def _null_kind(values: pd.Series) -> str | None:
    """How an object column marks missing values: "none", "nan" or "na" (None when it has none)."""
    missing = values[values.isna()]
    if missing.empty:
        return None
    kinds = {"none" if v is None else "na" if v is pd.NA else "nan" for v in missing.head(1000)}
    return kinds.pop() if len(kinds) == 1 else "none"


def _to_jsonable(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"quality log value {obj!r} of type {type(obj).__name__} is not JSON-serialisable")


def _write_table(df: pd.DataFrame, path: Path) -> dict[str, Any]:
    table = pa.Table.from_pandas(df, preserve_index=None)
    pq.write_table(table, path)
    lists = [f.name for f in table.schema if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)]
    nulls = {}
    for col in df.columns:
        if df[col].dtype == object and col not in lists:
            kind = _null_kind(df[col])
            if kind not in (None, "none"):
                nulls[str(col)] = kind
    return {"list_columns": lists, "null_kinds": nulls, "rows": len(df)}


def _checksum(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"bytes": len(data), "blake2b": hashlib.blake2b(data, digest_size=20).hexdigest()}


def _write_entry(ds: Dataset, final: Path, meta: dict[str, Any]) -> bool:
    """Write ``ds`` into ``final`` atomically. False when another process committed it first."""
    root = final.parent
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{final.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        files: dict[str, Any] = {}
        tables: dict[str, Any] = {}
        for name in _TABLES:
            fname = f"{name}.parquet"
            tables[name] = {"file": fname, **_write_table(getattr(ds, name), tmp / fname)}
        rejected: dict[str, Any] = {}
        for name, df in sorted(ds.rejected.items()):
            fname = f"rejected-{len(rejected):02d}.parquet"
            rejected[name] = {"file": fname, **_write_table(df, tmp / fname)}
        (tmp / _QUALITY).write_text(json.dumps(ds.quality, default=_to_jsonable, ensure_ascii=False),
                                    encoding="utf-8")
        for p in sorted(tmp.iterdir()):
            files[p.name] = _checksum(p)
        manifest = {**meta, "cache_format": CACHE_FORMAT, "tables": tables, "rejected": rejected,
                    "files": files}
        (tmp / _MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        try:
            os.rename(tmp, final)
        except OSError:
            if final.is_dir():  # another process won the race: keep its entry
                return False
            raise
        return True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# reading an entry
# --------------------------------------------------------------------------------------------------


def _read_verified(entry: Path, name: str, files: dict[str, Any]) -> bytes:
    path = entry / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorruptEntry(f"{path}: cannot be read ({exc})") from exc
    want = files.get(name)
    if not want:
        raise CorruptEntry(f"{path}: not listed in the manifest")
    got = hashlib.blake2b(data, digest_size=20).hexdigest()
    if len(data) != want["bytes"] or got != want["blake2b"]:
        raise CorruptEntry(f"{path}: {len(data)} bytes, checksum {got[:12]}; the manifest says "
                           f"{want['bytes']} bytes, {want['blake2b'][:12]} (truncated or altered)")
    return data


def _read_table(entry: Path, spec: dict[str, Any], files: dict[str, Any]) -> pd.DataFrame:
    data = _read_verified(entry, spec["file"], files)
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise CorruptEntry(f"{entry / spec['file']}: unreadable Parquet ({exc})") from exc
    lists = list(spec["list_columns"])
    df = table.drop_columns(lists).to_pandas() if lists else table.to_pandas()
    if len(df) != spec["rows"]:
        raise CorruptEntry(f"{entry / spec['file']}: {len(df)} rows, the manifest says {spec['rows']}")
    if lists:
        with gc_paused():  # hundreds of thousands of lists, no cycle among them
            for col in lists:
                df[col] = pd.Series(table.column(col).to_pylist(), index=df.index, dtype=object)
        order = [f.name for f in table.schema if f.name in set(df.columns)]
        df = df[order]
    for col, kind in spec["null_kinds"].items():
        df[col] = df[col].where(df[col].notna(), pd.NA if kind == "na" else np.nan)
    return df


def _read_entry(entry: Path) -> Dataset:
    """Read and verify a complete entry; raise :class:`CorruptEntry` on anything amiss."""
    try:
        manifest = json.loads((entry / _MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
        tables, rejected_specs = manifest["tables"], manifest["rejected"]
        if manifest["cache_format"] != CACHE_FORMAT or set(tables) != set(_TABLES):
            raise CorruptEntry(f"{entry}: manifest of another cache format")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorruptEntry(f"{entry / _MANIFEST}: missing or unreadable ({exc})") from exc
    try:
        frames = {name: _read_table(entry, tables[name], files) for name in _TABLES}
        rejected = {name: _read_table(entry, spec, files) for name, spec in rejected_specs.items()}
        quality = json.loads(_read_verified(entry, _QUALITY, files).decode("utf-8"))
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptEntry(f"{entry}: inconsistent entry ({exc!r})") from exc
    return Dataset(**frames, quality=quality, rejected=rejected)


def discard_entry(entry: Path) -> None:
    """Remove an entry: rename it out of the way first so no reader sees it half-deleted."""
    trash = entry.parent / f".trash-{entry.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        os.rename(entry, trash)
    except OSError:
        return  # already gone (another process discarded it)
    shutil.rmtree(trash, ignore_errors=True)


def prune(root: Path, keep: str, is_stale: Callable[[dict[str, Any]], bool],
          skip: tuple[str, ...] = ()) -> None:
    """Delete the entries of ``root`` other than ``keep`` (and the names in ``skip``) whose manifest
    ``is_stale`` says are superseded, and the temporary or trash folders that crashed processes left
    more than :data:`STALE_TMP_S` ago. Shared by this cache and :mod:`helpers.results_cache`."""
    now = time.time()
    for p in root.iterdir():
        if not p.is_dir() or p.name == keep or p.name in skip:
            continue
        if p.name.startswith((".tmp-", ".trash-")):
            with contextlib.suppress(OSError):
                if now - p.stat().st_mtime > STALE_TMP_S:
                    shutil.rmtree(p, ignore_errors=True)
            continue
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            if is_stale(json.loads((p / _MANIFEST).read_text(encoding="utf-8"))):
                discard_entry(p)


@contextlib.contextmanager
def _build_lock(root: Path, key: str) -> Iterator[None]:
    """Exclusive lock per key, so concurrent notebooks build an entry once (POSIX flock)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    lock_dir = root / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{key}.lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------------


def _build(data_dir: Path, on_invalid: str) -> Dataset:
    """Read the raw inputs (no cache)."""
    from .loader import load_data_dir

    return load_data_dir(data_dir, on_invalid=on_invalid)


def read_or_discard(entry: Path, read: Callable[[Path], T], corrupt: type[Exception],
                    what: str) -> T | None:
    """``read(entry)``; None when the entry does not exist, or when reading raises ``corrupt``: the
    entry is then deleted (:func:`discard_entry`) with a warning naming ``what``, never trusted.
    Shared by the tables' cache and the results cache (:mod:`helpers.results_cache`)."""
    if not entry.is_dir():
        return None
    try:
        found = read(entry)
    except corrupt as exc:
        log.warning("%s discarded, it cannot be trusted: %s", what, exc)
        discard_entry(entry)
        return None
    log.info("%s: cache hit %s", what, entry)
    return found


def _try_read(entry: Path) -> Dataset | None:
    return read_or_discard(entry, _read_entry, CorruptEntry, "cached tables")


def load_dataset(data_dir: str | os.PathLike[str], *, on_invalid: str = "strict",
                 use_cache: bool = True, cache_dir: str | os.PathLike[str] | None = None,
                 key: str | None = None) -> Dataset:
    """Load the canonical tables of ``data_dir`` (docs/design.md §2.1 layout) through the cache.

    Same result as ``helpers.loader.load_data_dir(data_dir, on_invalid=on_invalid)``; invalid input
    raises the loader's :class:`~helpers.errors.InputError` and caches nothing. ``use_cache=False``
    reads the raw files and leaves the cache untouched. A relative ``data_dir`` is taken from the
    project root (:func:`helpers.config.resolve_path`). ``key``: the entry's :func:`cache_key`
    when the caller has just computed it for the same arguments (the run computes it first for the
    results cache), so that the data directory is hashed once.
    """
    data = config.resolve_path(data_dir).resolve()
    if not use_cache or not data.is_dir():
        return _build(data, on_invalid)  # the loader reports a missing folder in its own words
    root = cache_root(cache_dir)
    if key is None:
        key = cache_key(data, on_invalid=on_invalid, cache_dir=root)
    entry = root / key
    ds = _try_read(entry)
    if ds is not None:
        return ds
    with _build_lock(root, key):
        ds = _try_read(entry)  # built by another process while we waited
        if ds is not None:
            return ds
        log.info("cache miss: reading %s", data)
        ds = _build(data, on_invalid)
        meta = {"key": key, "data_dir": str(data), "on_invalid": on_invalid,
                "reader_version": READER_VERSION}
        try:
            committed = _write_entry(ds, entry, meta)
        except (OSError, pa.ArrowException, TypeError, ValueError) as exc:
            log.warning("tables of %s not cached (%s); they will be read again next time", data, exc)
            return ds
        if committed:
            with contextlib.suppress(OSError):
                prune(root, key, lambda m: m["data_dir"] == str(data)
                      and m["on_invalid"] == on_invalid, skip=("fingerprints", "locks", "results"))
    return ds


def clear_cache(cache_dir: str | os.PathLike[str] | None = None) -> None:
    """Delete every cache entry (the cache is always safe to delete)."""
    root = cache_root(cache_dir)
    if root.is_dir():
        shutil.rmtree(root)


__all__ = ["READER_VERSION", "CACHE_DIR_ENV", "CorruptEntry", "cache_root", "cache_key", "entry_path",
           "load_dataset", "clear_cache"]
