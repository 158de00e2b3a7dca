"""The session a run hands to its notebooks, as JSON plus Parquet: never pickle.

``python -m helpers run`` computes the results once and hands them to every notebook's kernel through
a file named by ``$SCA_SESSION``, written before the notebooks start (:func:`publish_session`,
:func:`read_session`); the same bytes are kept in the results cache (:mod:`helpers.results_cache`).
A pickle there would let whoever can write the cache folder run code in the next run's kernels; this
format holds only data, so a tampered file can at worst be refused (:class:`SessionError`), never
executed.

Format (:data:`FORMAT`)
-----------------------
A ZIP archive (stored, not compressed) holding ``session.json`` and one ``frames/<n>.parquet`` per
pandas object. ``session.json`` is ``{"format": 1, "value": <encoded value>}`` where a value is plain
JSON (``str``, ``int``, ``bool``, ``None``, finite ``float``, lists, dicts of ``str`` keys) or a
one-key tagged object:

* ``{"$df": n}`` / ``{"$series": n}`` — a DataFrame / Series, ``frames/<n>.parquet`` plus its
  description in ``"frames"`` (column labels, index, and the columns kept as JSON);
* ``{"$dataclass": name, "fields": {...}}`` — one of the classes of :data:`DATACLASSES` only
  (:class:`~helpers.indicators.results.Results`, :class:`~helpers.notebook.DataSummary`);
  ``{"$ns": {...}}`` — a ``types.SimpleNamespace``;
* ``{"$tuple": [...]}``, ``{"$set": [...]}``, ``{"$map": [[key, value], ...]}`` (a dict whose keys are
  not all strings, or start with ``$``), ``{"$float": "nan" | "inf" | "-inf"}``,
  ``{"$ts": iso}`` (``pandas.Timestamp``/``datetime``), ``{"$date": iso}``, ``{"$td": ns}``,
  ``{"$nat": null}``, ``{"$na": null}``, ``{"$path": str}``. NumPy scalars become Python numbers.

A DataFrame's columns go to Parquet through pyarrow with their dtypes (``float64`` with NaN,
``int64``, ``bool``, ``datetime64``, nullable ``Int64``/``boolean``/``string``, categories, object
columns of strings, lists in cells as Python lists again). Object columns Arrow cannot hold exactly
(mixed types, e.g. numbers and text) are written as JSON values in ``session.json`` instead, cell by
cell, and the kind of missing value of an object column (``None``, ``nan``, ``pd.NA``) is restored.
The index is a ``RangeIndex`` (start, stop, step) or stored as columns with its names. Anything else
(another class, a function) cannot be written: :func:`encode` raises ``TypeError``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
import os
import types
import zipfile
from pathlib import Path, PurePath
from typing import Any

FORMAT = 1
HEADER = "session.json"
"""Environment variable naming the session file of a run's kernels."""
"""Environment variable holding the run's process id (a kernel stops waiting when it is gone)."""
DATACLASSES: dict[str, tuple[str, str]] = {
    "Results": ("helpers.indicators.results", "Results"),
    "DataSummary": ("helpers.notebook", "DataSummary"),
}
"""The only classes a session may hold (name -> module, class), imported when read."""
_SAFE_OBJECT_KINDS = {"string", "empty", "boolean", "bytes"}
"""``pandas.api.types.infer_dtype`` kinds of object columns Arrow round-trips exactly."""


class SessionError(ValueError):
    """Bytes that are not a session of this format (damaged, altered, or of another program)."""


class _Writer:
    def __init__(self) -> None:
        self.frames: list[tuple[bytes, dict[str, Any]]] = []

    def value(self, obj: Any) -> Any:  # noqa: C901 - one branch per type, in one place
        import numpy as np
        import pandas as pd

        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return obj
        if isinstance(obj, float):
            if math.isfinite(obj):
                return obj
            return {"$float": "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")}
        if isinstance(obj, np.generic):
            if isinstance(obj, (np.datetime64, np.timedelta64)):
                return self.value(pd.Timestamp(obj) if isinstance(obj, np.datetime64)
                                  else pd.Timedelta(obj))
            return self.value(obj.item())
        if obj is pd.NaT:
            return {"$nat": None}
        if obj is pd.NA:
            return {"$na": None}
        if isinstance(obj, pd.DataFrame):
            return {"$df": self.frame(obj)}
        if isinstance(obj, pd.Series):
            return {"$series": self.frame(obj.to_frame(name=0), name=self.value(obj.name))}
        if isinstance(obj, (pd.Timestamp, dt.datetime)):
            return {"$ts": pd.Timestamp(obj).isoformat()}
        if isinstance(obj, dt.date):
            return {"$date": obj.isoformat()}
        if isinstance(obj, (pd.Timedelta, dt.timedelta)):
            return {"$td": int(pd.Timedelta(obj).value)}
        if isinstance(obj, PurePath):
            return {"$path": str(obj)}
        if isinstance(obj, tuple):
            return {"$tuple": [self.value(v) for v in obj]}
        if isinstance(obj, (set, frozenset)):
            return {"$set": [self.value(v) for v in sorted(obj, key=repr)]}
        if isinstance(obj, list):
            return [self.value(v) for v in obj]
        if isinstance(obj, np.ndarray):
            return [self.value(v) for v in obj.tolist()]
        if isinstance(obj, dict):
            if all(isinstance(k, str) and not k.startswith("$") for k in obj):
                return {k: self.value(v) for k, v in obj.items()}
            return {"$map": [[self.value(k), self.value(v)] for k, v in obj.items()]}
        if isinstance(obj, types.SimpleNamespace):
            return {"$ns": {k: self.value(v) for k, v in vars(obj).items()}}
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            cls = type(obj)
            for name, (module, qualname) in DATACLASSES.items():
                if cls.__module__ == module and cls.__qualname__ == qualname:
                    return {"$dataclass": name,
                            "fields": {f.name: self.value(getattr(obj, f.name))
                                       for f in dataclasses.fields(obj)}}
        raise TypeError(f"a session cannot hold a {type(obj).__module__}.{type(obj).__qualname__} "
                        f"({obj!r:.80})")

    def frame(self, df: Any, name: Any = None) -> int:
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        work = df.copy(deep=False)
        work.columns = [f"c{i}" for i in range(df.shape[1])]
        meta: dict[str, Any] = {"columns": [self.value(c) for c in df.columns],
                                "columns_name": self.value(df.columns.name), "rows": len(df),
                                "series_name": name, "json": {}, "null_kinds": {}, "lists": []}
        if isinstance(df.index, pd.RangeIndex):
            idx = df.index
            meta["index"] = {"range": [idx.start, idx.stop, idx.step], "name": self.value(idx.name)}
            work = work.reset_index(drop=True)
        else:
            names = [f"i{j}" for j in range(df.index.nlevels)]
            meta["index"] = {"levels": names, "names": [self.value(n) for n in df.index.names]}
            work.index = work.index.set_names(names)
            work = work.reset_index()
        for col in list(work.columns):
            s = work[col]
            if s.dtype != object:
                continue
            kind = pd.api.types.infer_dtype(s, skipna=True)
            if kind in _SAFE_OBJECT_KINDS:
                null = _null_kind(s)
                if null not in (None, "none"):
                    meta["null_kinds"][col] = null
            elif kind == "mixed" and s.map(lambda v: isinstance(v, list) or _is_null(v)).all() \
                    and _list_ok(s):
                meta["lists"].append(col)
            else:
                meta["json"][col] = [self.value(v) for v in s.tolist()]
                work = work.drop(columns=col)
        try:
            table = pa.Table.from_pandas(work, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise TypeError(f"a DataFrame of the session cannot be written: {exc}") from exc
        buf = io.BytesIO()
        pq.write_table(table, buf)
        self.frames.append((buf.getvalue(), meta))
        return len(self.frames) - 1


def _is_null(v: Any) -> bool:
    import pandas as pd

    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _list_ok(s: Any) -> bool:
    import pyarrow as pa

    try:
        pa.array(s.tolist(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return False
    return True


def _null_kind(values: Any) -> str | None:
    """How an object column marks missing values: "none", "nan", "na" or "nat" (None: no missing
    value; "none" as well when they are mixed)."""
    import pandas as pd

    missing = values[values.isna()]
    if missing.empty:
        return None
    kinds = {"none" if v is None else "na" if v is pd.NA else "nat" if v is pd.NaT else "nan"
             for v in missing.head(1000)}
    return kinds.pop() if len(kinds) == 1 else "none"


def encode(payload: Any) -> bytes:
    """``payload`` as session bytes (see the module docstring); ``TypeError`` for what the format
    cannot hold."""
    writer = _Writer()
    value = writer.value(payload)
    header = {"format": FORMAT, "value": value, "frames": [m for _, m in writer.frames]}
    text = json.dumps(header, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(HEADER, text.encode("utf-8"))
        for n, (data, _) in enumerate(writer.frames):
            zf.writestr(f"frames/{n}.parquet", data)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------------
# decoding
# --------------------------------------------------------------------------------------------------

def _open(data: bytes) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        header = json.loads(zf.read(HEADER).decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise SessionError(f"not a session file ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT \
            or not isinstance(header.get("frames"), list) or "value" not in header:
        raise SessionError("not a session file of this version")
    expected = {HEADER, *(f"frames/{n}.parquet" for n in range(len(header["frames"])))}
    if set(zf.namelist()) != expected:
        raise SessionError(f"unexpected members {sorted(set(zf.namelist()) ^ expected)}")
    return zf, header


def check(data: bytes) -> None:
    """Raise :class:`SessionError` unless ``data`` is a well-formed session: the archive, its JSON
    header and every Parquet frame's footer are read, not the frames' contents."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    zf, header = _open(data)
    for n in range(len(header["frames"])):
        try:
            pq.read_metadata(pa.BufferReader(zf.read(f"frames/{n}.parquet")))
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise SessionError(f"frame {n} is not readable Parquet ({exc})") from None


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, frames: list[Any]) -> None:
        self.zf, self.frames = zf, frames

    def value(self, obj: Any) -> Any:  # noqa: C901 - one branch per tag
        if obj is None or isinstance(obj, (bool, str, int, float)):
            return obj
        if isinstance(obj, list):
            return [self.value(v) for v in obj]
        if not isinstance(obj, dict):
            raise SessionError(f"unexpected JSON value {obj!r:.60}")
        tags = [k for k in obj if k.startswith("$")]
        if not tags:  # plain dicts never have a key starting with "$" (those are in "$map")
            return {k: self.value(v) for k, v in obj.items()}
        if len(tags) != 1 or len(obj) != (2 if tags[0] == "$dataclass" else 1):
            raise SessionError(f"malformed tagged value {sorted(obj)!r:.80}")
        import pandas as pd

        tag = tags[0]
        arg = obj[tag]
        if tag == "$df":
            return self.frame(arg)
        if tag == "$series":
            df = self.frame(arg)
            return df.iloc[:, 0].rename(self.value(self.frames[arg].get("series_name")))
        if tag == "$dataclass":
            if arg not in DATACLASSES or not isinstance(obj.get("fields"), dict):
                raise SessionError(f"a session cannot hold the class {arg!r}")
            import importlib

            module, qualname = DATACLASSES[arg]
            cls = getattr(importlib.import_module(module), qualname)
            fields = {f.name for f in dataclasses.fields(cls)}
            if set(obj["fields"]) - fields:
                raise SessionError(f"{arg}: unknown fields {sorted(set(obj['fields']) - fields)}")
            return cls(**{k: self.value(v) for k, v in obj["fields"].items()})
        if tag == "$ns":
            return types.SimpleNamespace(**{k: self.value(v) for k, v in arg.items()})
        if tag == "$tuple":
            return tuple(self.value(v) for v in arg)
        if tag == "$set":
            return {self.value(v) for v in arg}
        if tag == "$map":
            return {self.value(k): self.value(v) for k, v in arg}
        if tag == "$float":
            return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[arg]
        if tag == "$ts":
            return pd.Timestamp(arg)
        if tag == "$date":
            return dt.date.fromisoformat(arg)
        if tag == "$td":
            return pd.Timedelta(int(arg))
        if tag == "$nat":
            return pd.NaT
        if tag == "$na":
            return pd.NA
        if tag == "$path":
            return Path(arg)
        raise SessionError(f"unknown tag {tag!r}")

    def frame(self, n: Any) -> Any:
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not isinstance(n, int) or not 0 <= n < len(self.frames):
            raise SessionError(f"no frame {n!r}")
        meta = self.frames[n]
        table = pq.read_table(pa.BufferReader(self.zf.read(f"frames/{n}.parquet")))
        rows = int(meta["rows"])
        lists = [c for c in meta["lists"] if c in table.column_names]
        df = (table.drop_columns(lists) if lists else table).to_pandas()
        if table.num_columns and len(df) != rows:
            raise SessionError(f"frame {n}: {len(df)} rows, the header says {rows}")
        df.index = pd.RangeIndex(rows)
        for col in lists:
            df[col] = pd.Series(table.column(col).to_pylist(), index=df.index, dtype=object)
        for col, kind in meta["null_kinds"].items():
            fill = {"na": pd.NA, "nat": pd.NaT}.get(kind, np.nan)
            df[col] = df[col].astype(object).where(df[col].notna(), fill)
        for col, values in meta["json"].items():
            if len(values) != rows:
                raise SessionError(f"frame {n}: column {col} has {len(values)} values, not {rows}")
            df[col] = pd.Series([self.value(v) for v in values], index=df.index, dtype=object)
        index = meta["index"]
        positions = [f"c{i}" for i in range(len(meta["columns"]))]
        if "range" in index:
            out = df[positions] if positions else pd.DataFrame(index=df.index)
            start, stop, step = index["range"]
            out.index = pd.RangeIndex(start, stop, step, name=self.value(index["name"]))
        else:
            out = df.set_index(index["levels"])
            out.index = out.index.set_names([self.value(v) for v in index["names"]])
            out = out[positions]
        out.columns = pd.Index([self.value(c) for c in meta["columns"]],
                               name=self.value(meta["columns_name"]))
        return out


def decode(data: bytes) -> Any:
    """The payload of session bytes written by :func:`encode`; :class:`SessionError` when they are
    not a session (nothing in them is ever executed)."""
    import pyarrow as pa

    zf, header = _open(data)
    try:
        return _Reader(zf, header["frames"]).value(header["value"])
    except SessionError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, pa.ArrowException, OSError,
            zipfile.BadZipFile) as exc:
        raise SessionError(f"damaged session ({exc!r:.200})") from None


# --------------------------------------------------------------------------------------------------
# hand-off between the run and its kernels
# --------------------------------------------------------------------------------------------------

def publish_session(path: Path, data: bytes) -> None:
    """Write session bytes beside ``path`` and rename them into place, so a kernel never reads half
    a file."""
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    os.replace(part, path)


def read_session(path: Path) -> dict[str, Any]:
    """The session the run wrote to ``path`` (see :func:`publish_session`) before starting the
    notebooks. Raises :class:`SessionError` when the file is missing or is not a session."""
    if not path.is_file():
        raise SessionError(f"no session at {path}: the run writes it before it starts the notebooks")
    stored = decode(path.read_bytes())
    if not isinstance(stored, dict):
        raise SessionError(f"{path}: not a session")
    return stored


__all__ = ["DATACLASSES", "FORMAT", "SessionError", "check", "decode", "encode", "publish_session",
           "read_session"]
