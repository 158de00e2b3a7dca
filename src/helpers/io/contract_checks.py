"""What every contract format shares: the raw frame, the checks common to all formats and the
canonical rows (``ContractChecker``, :func:`normalise_contracts`), CSV text reading, and small tools
the format readers use (``gc_paused``, ``latest_per_group``).

The format modules (:mod:`.decp_json`, :mod:`.decp_tabular`, :mod:`.decp_flat`) import this module;
:mod:`.contracts` dispatches a file to its format module, de-duplicates and validates. Nothing here
imports a format module, so the readers sit below the dispatcher with no import circle. The checks
themselves are described in :mod:`.contracts`.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import schemas
from ..errors import InputError, OnInvalid, Problem
from . import tabular

READER_VERSION = "1"
"""Bumped whenever a contract reader changes what it produces (used in cache keys)."""

TABLE = "contracts"
CONSIDERATIONS_FIELD = "considerationsSociales"
MAX_PLAUSIBLE_AMOUNT = 1e10
MIN_DATE = pd.Timestamp("1990-01-01")
MAX_DATE = pd.Timestamp("2099-12-31")
REJECTED_COLUMNS = ["file", "row", "column", "reason"]

RAW_COLUMNS = [
    "row",                      # row number used in messages (see module docstring)
    "buyer_siret", "contract_id",
    "notification_date", "publication_date", "modification_publication_date",
    "amount", "initial_amount",  # amount after modifications, and as first published
    "cpv", "procedure", "duration_months",
    "social_considerations",    # list of stripped str, or None when the record lacks the field
    "holders",                  # list of stripped str: titulaire ids of type SIRET (raw)
    "subject",
    "buyer_name",               # acheteur's name when the encoding gives it (decp.info acheteur_nom)
]
"""Columns of the raw frame a format module hands to :func:`normalise_contracts`."""

def empty_rejected() -> pd.DataFrame:
    """An empty rejected-rows table (``file, row, column, reason``)."""
    return pd.DataFrame({"file": pd.Series(dtype=object), "row": pd.Series(dtype="int64"),
                         "column": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})


# ---------------------------------------------------------------------------------------------
# Value parsing shared by the format modules

TEXT = "string[pyarrow]"
"""Text dtype of the checks: Arrow-backed, so missing-value tests and regexes are vectorised."""


def text(values: pd.Series) -> pd.Series:
    """Values as stripped Arrow-backed text, empty -> ``pd.NA`` (numbers are stringified)."""
    out = values.astype(TEXT).str.strip()
    return out.mask(out == "")


def to_number(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from JSON numbers or text (decimal commas accepted). Returns (floats, invalid mask)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64"), pd.Series(False, index=values.index)
    if not values.notna().any():  # a column the format does not have (tabular: initial amount)
        return (pd.Series(np.nan, index=values.index, dtype="float64"),
                pd.Series(False, index=values.index))
    obj = values.astype(object).where(values.notna(), None)
    is_text = obj.map(lambda v: isinstance(v, str))
    numeric = pd.to_numeric(obj.where(~is_text, None), errors="coerce").astype("float64")
    invalid = np.zeros(len(values), dtype=bool)
    if is_text.any():
        parsed, bad = tabular.parse_decimal(obj[is_text].astype("string").str.strip()
                                            .replace("", pd.NA))
        numeric[is_text] = parsed
        invalid[is_text.to_numpy(dtype=bool)] = bad.to_numpy(dtype=bool)
    return numeric, pd.Series(invalid, index=values.index)


def to_date(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates from ISO text (time and timezone suffixes ignored) or French ``dd/mm/yyyy``.
    Returns (datetime64[ns], invalid mask). Each distinct value is parsed once (dates repeat a lot
    in a national file), with a fast path for plain ISO dates; datetime values (Parquet) are kept."""
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        return dates.astype("datetime64[ns]"), pd.Series(False, index=values.index)
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    parsed, bad = _to_date_unique(pd.Series(uniques, dtype=object))
    spread = np.append(parsed.to_numpy(), np.datetime64("NaT", "ns"))[codes]
    invalid = np.append(bad.to_numpy(dtype=bool), False)[codes]
    return (pd.Series(spread, index=values.index, dtype="datetime64[ns]"),
            pd.Series(invalid, index=values.index))


def _to_date_unique(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    txt = values.astype("string").str.strip().replace("", pd.NA)
    fast = pd.to_datetime(txt.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    plain = txt.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False)
    result = fast.where(plain).astype("datetime64[ns]")
    rest = txt.notna() & ~(plain & fast.notna())
    invalid = np.zeros(len(values), dtype=bool)
    if rest.any():
        parsed, bad = tabular.parse_date(txt[rest])
        result[rest] = parsed
        invalid[rest.to_numpy(dtype=bool)] = bad.to_numpy(dtype=bool)
    invalid |= (plain & fast.isna()).to_numpy(dtype=bool)
    return result, pd.Series(invalid, index=values.index)


def lists_by_group(codes: np.ndarray, values: np.ndarray, n_groups: int) -> list[list[Any]]:
    """``values`` gathered into one list per group code ``0..n_groups-1`` (input order kept within
    a group, empty list for a group without values). Vectorised: one stable sort and one split,
    instead of a ``groupby().agg(list)`` that builds a Series per group."""
    codes = np.asarray(codes, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=n_groups)
    ends = np.cumsum(counts).tolist()
    flat = np.asarray(values, dtype=object)[order].tolist()
    # slices of one Python list: no NumPy array per group (500 000 groups: 0.1 s instead of 1 s)
    return [flat[start:end] for start, end in zip([0, *ends[:-1]], ends)]


def _mask(mask: pd.Series) -> pd.Series:
    """A boolean mask with missing values read as False."""
    return mask.astype("boolean").fillna(False).astype(bool)


def _shared_str_col(values: pd.Series) -> pd.Series:
    """:func:`_str_col` for a column with few distinct values (buyer SIRET, CPV, procedure): one
    ``str`` object per distinct value, shared by its rows. Built 2-5 times faster than one object
    per row, and later gathers and checks touch a few objects instead of 500 000."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.append(np.asarray(uniques, dtype=object), np.nan)  # code -1 (missing) -> NaN
    return pd.Series(table[codes], index=values.index, dtype=object)


def _str_col(values: pd.Series) -> pd.Series:
    """Object column of str with ``np.nan`` for missing (what the pandera ``str`` columns accept),
    in one conversion."""
    return pd.Series(values.to_numpy(dtype=object, na_value=np.nan), index=values.index,
                     dtype=object)


# ---------------------------------------------------------------------------------------------
# Problem bookkeeping


class _Issues:
    """Per-row problems (``pos``, ``row``, ``column``, ``kind``, ``value``) and warnings of one file.

    ``kind`` is the generic message ("buyer SIRET is not 14 digits"), ``value`` the offending value
    as written; a rejected line's ``reason`` is ``kind: 'value'``."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.rows: list[pd.DataFrame] = []
        self.warnings: list[dict[str, Any]] = []

    def add(self, raw: pd.DataFrame, mask: pd.Series, column: str, kind: str,
            values: pd.Series | None = None) -> None:
        mask = _mask(mask)
        if not mask.any():
            return
        part = pd.DataFrame({"pos": np.flatnonzero(mask.to_numpy()),
                             "row": raw.loc[mask, "row"].to_numpy(dtype="int64"),
                             "column": column, "kind": kind})
        part["value"] = (values[mask].astype(str).to_numpy() if values is not None else None)
        self.rows.append(part)

    def warn(self, raw: pd.DataFrame, mask: pd.Series, column: str, message: str) -> None:
        mask = _mask(mask)
        if mask.any():
            self.warnings.append({"table": TABLE, "file": self.file, "column": column,
                                  "rows": [int(r) for r in raw.loc[mask, "row"]],
                                  "message": message})

    def table(self) -> pd.DataFrame:
        if not self.rows:
            return pd.DataFrame({"pos": pd.Series(dtype="int64"), "row": pd.Series(dtype="int64"),
                                 "column": pd.Series(dtype=object),
                                 "kind": pd.Series(dtype=object), "value": pd.Series(dtype=object)})
        return pd.concat(self.rows, ignore_index=True)


def _reasons(found: pd.DataFrame) -> pd.Series:
    """``kind``, followed by ``: 'value'`` when there is a value."""
    value = found["value"]
    with_value = found["kind"] + ": " + value.map(repr)
    return with_value.where(value.notna(), found["kind"]).astype(object)


def _problems(file: str, found: pd.DataFrame) -> list[Problem]:
    """One :class:`Problem` per (column, kind), naming every row and quoting up to five of the
    offending values; ordered by first row."""
    out: list[tuple[int, str, Problem]] = []
    for (column, kind), grp in found.groupby(["column", "kind"], sort=False, dropna=False):
        rows = tuple(sorted(int(r) for r in grp["row"].unique()))
        col = None if pd.isna(column) or column == "" else str(column)
        values = grp["value"].dropna()
        message = str(kind) + (f" ({_quote(values)})" if len(values) else "")
        out.append((rows[0], col or "", Problem(file, col, message, rows)))
    out.sort(key=lambda t: (t[0], t[1]))
    return [p for *_, p in out]


def _quote(values: Iterable[object], limit: int = 5) -> str:
    vals = list(dict.fromkeys(str(v) for v in values))
    shown = ", ".join(repr(v) for v in vals[:limit])
    return shown + (f" (+{len(vals) - limit} more)" if len(vals) > limit else "")


# ---------------------------------------------------------------------------------------------
# The common checks


class ContractChecker:
    """Applies the common checks to raw frames (:data:`RAW_COLUMNS`), one chunk at a time, then
    assembles the result of the whole file.

    Format modules that stream (DECP JSON) hand over chunks of records, so that only one chunk of
    Python objects exists at a time; the others call :func:`normalise_contracts` once.
    ``source_columns`` maps canonical names to the names the user's file uses (for messages)."""

    def __init__(self, *, file: str, fmt: str, source_columns: dict[str, str],
                 on_invalid: OnInvalid = "strict", quality: dict[str, Any] | None = None) -> None:
        if on_invalid not in ("strict", "quarantine"):
            raise ValueError(f"on_invalid must be 'strict' or 'quarantine', not {on_invalid!r}")
        self.file, self.fmt, self.on_invalid, self.quality = file, fmt, on_invalid, quality
        self.col = {c: source_columns.get(c, c) for c in RAW_COLUMNS}
        self.valid: list[pd.DataFrame] = []
        self.found: list[pd.DataFrame] = []
        self.warnings: list[dict[str, Any]] = []
        self.n_records = 0

    def add(self, raw: pd.DataFrame, extra: pd.DataFrame | None = None) -> None:
        """Check one chunk. ``extra`` holds problems the format module found itself (``row,
        column, kind, value`` and ``pos``: the record position in ``raw``, or -1 for rows absent
        from ``raw``)."""
        if not raw.index.equals(pd.RangeIndex(len(raw))):
            raw = raw.reset_index(drop=True)  # a copy of every column: only when needed
        self.n_records += len(raw)
        issues = _Issues(self.file)
        # -- identifiers
        siret = text(raw["buyer_siret"])
        issues.add(raw, siret.isna(), self.col["buyer_siret"], "buyer SIRET is missing")
        bad = siret.notna() & ~siret.str.fullmatch(schemas.SIRET_REGEX).fillna(False)
        issues.add(raw, bad, self.col["buyer_siret"], "buyer SIRET is not 14 digits", siret)
        cid = text(raw["contract_id"])
        issues.add(raw, cid.isna(), self.col["contract_id"], "contract id is missing")
        ctrl = cid.str.contains(tabular.CONTROL_CHARS, regex=True).fillna(False)
        issues.add(raw, ctrl, self.col["contract_id"], "contract id holds a control character "
                   "(NUL or another invisible code)", cid)

        # -- dates
        notif, notif_bad = to_date(raw["notification_date"])
        issues.add(raw, raw["notification_date"].isna() & ~notif_bad, self.col["notification_date"],
                   "notification date is missing")
        issues.add(raw, notif_bad, self.col["notification_date"],
                   "notification date is not a valid calendar date", raw["notification_date"])
        out_of_range = notif.notna() & ((notif < MIN_DATE) | (notif > MAX_DATE))
        if out_of_range.any():
            issues.add(raw, out_of_range, self.col["notification_date"],
                       f"notification date is impossible (outside {MIN_DATE:%Y-%m-%d}.."
                       f"{MAX_DATE:%Y-%m-%d})", notif.dt.strftime("%Y-%m-%d"))
        pub, pub_bad = to_date(raw["publication_date"])
        issues.add(raw, pub_bad, self.col["publication_date"],
                   "publication date is not a valid calendar date", raw["publication_date"])
        mpub, mpub_bad = to_date(raw["modification_publication_date"])
        issues.add(raw, mpub_bad, self.col["modification_publication_date"],
                   "modification publication date is not a valid calendar date",
                   raw["modification_publication_date"])
        # the later of the two dates; fmax ignores a missing one (NaT), as max(skipna) did
        published = pd.Series(np.fmax(pub.to_numpy(), mpub.to_numpy()), index=raw.index)
        issues.warn(raw, pub.notna() & notif.notna() & (pub < notif), self.col["publication_date"],
                    "publication date earlier than the notification date (kept as written)")

        # -- amounts
        amount, amount_bad = to_number(raw["amount"])
        initial, initial_bad = to_number(raw["initial_amount"])
        issues.add(raw, raw["amount"].isna(), self.col["amount"], "amount is missing")
        # The initial amount is checked too, where it differs from the final one: a placeholder such
        # as 1e17 later "corrected" by a modification still marks an unreliable record.
        same = (initial == amount) | (initial.isna() & amount.isna())
        differs = raw["initial_amount"].notna() & ~same
        checked = ((amount, amount_bad, "amount", "amount"),
                   (initial.where(differs), initial_bad & differs, "initial_amount",
                    "initial amount"))
        for values, bad_mask, source, what in checked:
            shown = raw[source]
            issues.add(raw, bad_mask, self.col["amount"], f"{what} is not a number", shown)
            issues.add(raw, values <= 0, self.col["amount"], f"{what} is not > 0", shown)
            issues.add(raw, values > MAX_PLAUSIBLE_AMOUNT, self.col["amount"],
                       f"{what} is implausibly large (> {MAX_PLAUSIBLE_AMOUNT:.0e} €): "
                       "a placeholder, not an amount", shown)

        # -- CPV: 8 digits, the check digit ("-7") removed
        cpv_text = text(raw["cpv"])
        # = extract(r"^(\d{8})(?:-\d)?$"), in Arrow (pandas' extract would loop in Python)
        cpv = cpv_text.str.slice(0, 8).where(cpv_text.str.fullmatch(r"\d{8}(?:-\d)?"))
        issues.add(raw, cpv_text.notna() & cpv.isna(), self.col["cpv"],
                   "CPV code is not 8 digits (optionally followed by '-' and a check digit)",
                   cpv_text)
        issues.warn(raw, cpv_text.isna(), self.col["cpv"],
                    "CPV code missing: the contract category is 'unknown'")

        # -- duration
        duration, duration_bad = to_number(raw["duration_months"])
        issues.warn(raw, duration_bad, self.col["duration_months"],
                    "duration is not a number (e.g. 'NC'): read as missing")
        issues.add(raw, duration < 0, self.col["duration_months"], "duration is negative",
                   raw["duration_months"])

        # -- social considerations
        cons = raw["social_considerations"]
        missing = ~cons.map(type).eq(list)  # map(type): a C call per value, no Python lambda
        issues.add(raw, missing, self.col["social_considerations"],
                   "the social-considerations field is missing for this record")
        if missing.any():
            cons = cons.map(lambda v: v if type(v) is list else [])
        exploded = cons.explode()
        unknown = exploded[exploded.notna() & ~exploded.isin(schemas.SOCIAL_CONSIDERATIONS)]
        if len(unknown):
            listed = unknown.groupby(level=0).agg(lambda s: ", ".join(s)).reindex(raw.index)
            issues.add(raw, listed.notna(), self.col["social_considerations"],
                       "unknown social consideration value; expected among "
                       + _quote(schemas.SOCIAL_CONSIDERATIONS), listed)

        # -- holders: keep 14-digit SIRETs, warn about the others
        holders = raw["holders"]
        flat = holders.explode()
        is_siret = flat.astype(TEXT).str.fullmatch(schemas.SIRET_REGEX).fillna(False)
        bad_holder = flat.notna() & ~is_siret
        if bad_holder.any():
            bad_pos = np.unique(flat.index[bad_holder.to_numpy()])
            issues.warn(raw, pd.Series(raw.index.isin(bad_pos), index=raw.index),
                        self.col["holders"],
                        f"titulaire SIRET(s) not 14 digits ignored: {_quote(flat[bad_holder])}")
            good = flat[~bad_holder & flat.notna()]
            holders = pd.Series(lists_by_group(good.index.to_numpy(), good.to_numpy(object),
                                               len(raw)), index=raw.index, dtype=object)

        found = issues.table()
        if extra is not None and len(extra):
            found = pd.concat([extra[["pos", "row", "column", "kind", "value"]], found],
                              ignore_index=True)
        self.found.append(found)
        self.warnings.extend(issues.warnings)
        if self.on_invalid == "strict" and len(found):
            return  # the file will be refused: no need to build its rows
        keep = ~raw.index.isin(found["pos"].to_numpy())
        valid = pd.DataFrame({
            "uid": (siret + cid).astype(object),
            "buyer_siret": _shared_str_col(siret),
            "contract_id": cid.astype(object),
            "notification_date": notif,
            "publication_date": published,
            "amount": amount.astype("float64"),
            "cpv": _shared_str_col(cpv),
            "procedure": _shared_str_col(text(raw["procedure"])),
            "duration_months": duration.astype("float64"),
            # copies: a column of `raw` would keep the chunk's whole raw block alive (JSON: +200 MB)
            "social_considerations": cons.copy(),
            "holders": holders.copy(),
            "subject": _str_col(text(raw["subject"])),
            "buyer_name": _shared_str_col(text(raw["buyer_name"])),
            "source_file": self.file,
        }, copy=False)  # columns kept apart: stacking them into one block copies every pointer
        self.valid.append(valid if keep.all() else valid.loc[keep].reset_index(drop=True))

    def finish(self, *, has_considerations_field: bool = True, rows_read: int | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The file's ``(valid, rejected)``; raises :class:`InputError` when no record gives the
        social-considerations field, or (strict mode) when any record has a problem.
        ``rows_read`` is the number of rows of the file when it differs from the number of
        records (tabular: one row per titulaire and modification)."""
        file = self.file
        if not has_considerations_field and self.n_records:
            raise InputError([Problem(file, CONSIDERATIONS_FIELD,
                                      f"no record gives the social-considerations field "
                                      f"'{CONSIDERATIONS_FIELD}': the declared side is the point "
                                      f"of the audit and is never guessed; export the file with "
                                      f"this field (docs/design.md §2.3)")])
        found = (pd.concat(self.found, ignore_index=True) if self.found
                 else _Issues(file).table())
        found = found.sort_values(["row", "column", "kind"], kind="stable").reset_index(drop=True)
        rejected = pd.DataFrame({"file": file, "row": found["row"].astype("int64"),
                                 "column": found["column"], "reason": _reasons(found)},
                                columns=REJECTED_COLUMNS)
        quality = self.quality
        if quality is not None:
            quality.setdefault("files", []).append(
                {"table": TABLE, "file": file, "format": self.fmt,
                 "rows_read": int(self.n_records if rows_read is None else rows_read)})
            quality.setdefault("warnings", []).extend(_merge_warnings(self.warnings))
        if self.on_invalid == "strict" and len(rejected):
            raise InputError(_problems(file, found))
        valid = (pd.concat(self.valid, ignore_index=True) if self.valid
                 else schemas.empty_contracts())
        if quality is not None and self.on_invalid == "quarantine":
            rej = quality.setdefault("rejected", {})
            rej[TABLE] = rej.get(TABLE, 0) + int(found["row"].nunique())
        return valid, rejected


def _merge_warnings(warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One warning per (file, column, message), rows of every chunk together, first-seen order."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for w in warnings:
        key = (w["file"], w["column"], w["message"])
        if key in merged:
            merged[key]["rows"] = merged[key]["rows"] + w["rows"]
        else:
            merged[key] = dict(w)
    return list(merged.values())


def normalise_contracts(raw: pd.DataFrame, *, file: str, fmt: str, source_columns: dict[str, str],
                        on_invalid: OnInvalid = "strict", quality: dict[str, Any] | None = None,
                        extra_rejected: pd.DataFrame | None = None,
                        has_considerations_field: bool = True, rows_read: int | None = None,
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check a whole file's raw frame in one go (see :class:`ContractChecker`). Returns
    ``(valid, rejected)`` as described in the module docstring; ``valid`` keeps the file's record
    order and is not de-duplicated."""
    checker = ContractChecker(file=file, fmt=fmt, source_columns=source_columns,
                              on_invalid=on_invalid, quality=quality)
    checker.add(raw, extra_rejected)
    return checker.finish(has_considerations_field=has_considerations_field, rows_read=rows_read)


def _head_bytes(path: Path, n: int = 4096) -> bytes:
    with open(path, "rb") as fh:
        head = fh.read(n)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                return fh.read(n)
        except OSError:
            return b""
    return head


def latest_per_group(codes: np.ndarray, published: np.ndarray) -> np.ndarray:
    """Position of each group's row with the latest ``published`` date, in the order of the group
    codes: a missing date (NaT) loses against any date, ties go to the later position. One
    ``lexsort`` on integers (code, date, position); the last row of each code's run wins. Used by
    :func:`deduplicate` and by the tabular reader's fold."""
    codes = np.asarray(codes)
    if len(codes) == 0:
        return np.empty(0, dtype=np.intp)
    # NaT is the smallest int64: a missing publication date loses against any date
    dates = np.asarray(published, dtype="datetime64[ns]").view("int64")
    order = np.lexsort((np.arange(len(codes)), dates, codes))
    grouped = codes[order]
    return order[np.append(grouped[1:] != grouped[:-1], True)]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a block builds millions of small objects (one
    list of holders and one of considerations per contract, all at once): the collector would
    otherwise walk all of them again and again (10-15 % of reading a 500 000-contract Parquet file).
    Reference counting still frees everything as usual. Restored on exit, even on error.

    The streaming JSON reader pauses it around its decoding loop only, not around the assembly of
    its chunks: pausing it around the whole read pushed its peak memory from 942 MB to 1 048 MB at
    500 000 contracts, and was no faster. The cache uses it while rebuilding list columns."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
