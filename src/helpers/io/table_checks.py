"""The checks every non-contract table shares (:mod:`.tables`, :mod:`.suppliers`): the per-file check
session (:class:`_FileChecks`: columns matched, SIRETs, text, decimals, dates, codes, duplicates,
control characters, every problem collected before one error), the start of a reader (file read,
headers and codes mapped by :func:`helpers.io.mapping.map_frame`) and its end (strict or quarantine,
pandera validation). The rules are described in :mod:`.tables`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import schemas as S
from ..dataset import new_quality
from ..errors import ON_INVALID, InputError, Problem
from .identifiers import identifier_kind
from .mapping import Mapping, map_frame, missing_column_hint, unknown_item_errors, unknown_value_errors
from .tabular import (
    CONTROL_MESSAGE,
    ROW,
    as_mask,
    normalize_name,
    normalize_values,
    parse_date,
    parse_decimal,
    read_table_file,
    rows_where,
)

REJECTED_COLUMNS = ["file", "row", "column", "reason"]
MAX_WARNING_ROWS = 20

#: Dates outside this range are treated as typos (a mission in 1024 or 2204), not as data.
PLAUSIBLE_DATES = (pd.Timestamp("1990-01-01"), pd.Timestamp("2099-12-31"))  # as contracts
#: Age at mission start (start year − birth year) outside this range is a warning.
PLAUSIBLE_AGE = (16, 70)
#: Average weekly hours above this are legal to record but suspicious (French weekly maximum).
MAX_WEEKLY_HOURS = 48.0
HOURS_PER_DAY = 24.0

CLAUSE_REQUIRED = ["buyer_siret", "contract_id", "planned_hours"]
PARTICIPATION_REQUIRED = [c for c in S.PARTICIPATION_COLUMNS if c != "uid"]
BUYER_REQUIRED = ["siret"]
BUYER_OPTIONAL = ["name", "buyer_type", "facilitator_from"]
SUPPLIER_REQUIRED = ["siret", "kind"]
SUPPLIER_OPTIONAL = ["name"]


def _empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({"file": pd.Series(dtype=object), "row": pd.Series(dtype="int64"),
                         "column": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})


def _warn(quality: dict[str, Any], table: str, file: str, column: str | None,
          rows: Iterable[int], message: str) -> None:
    rows = sorted(int(r) for r in rows)
    quality["warnings"].append({"table": table, "file": file, "column": column,
                                "rows": rows[:MAX_WARNING_ROWS], "message": message})


# --------------------------------------------------------------------------------------------------
# Direct identifiers
# --------------------------------------------------------------------------------------------------

def identifier_problems(file: str, columns: Iterable[str]) -> list[Problem]:
    """One problem per column that looks like a direct identifier (docs/design.md §2.5)."""
    problems = []
    for col in columns:
        kind = identifier_kind(col)
        if kind:
            problems.append(Problem(
                file, col, f"looks like a direct identifier ({kind}); the participations file must "
                           "be pseudonymised: run python -m helpers pseudonymise, which keeps a "
                           "keyed beneficiary_id and the birth year only (see README)"))
    return problems


# --------------------------------------------------------------------------------------------------
# A check session over one file
# --------------------------------------------------------------------------------------------------

class _FileChecks:
    """Collects the problems of one file: file-level ones, row-level errors (with their masks, for
    quarantine) and warnings."""

    def __init__(self, table: str, file: str, df: pd.DataFrame, quality: dict[str, Any]) -> None:
        self.table, self.file, self.df, self.quality = table, file, df, quality
        self.file_problems: list[Problem] = []
        self.mapping: Mapping | None = None
        self.headers_in_file = [c for c in df.columns if c != ROW]  # before any mapping
        self.row_errors: list[tuple[str, pd.Series, str]] = []
        self.controls: dict[str, list[int]] = {}  # cells with a control character: column -> rows

    # ---- structure ------------------------------------------------------------------------------
    def match_columns(self, required: list[str], optional: Iterable[str] = ()) -> None:
        """Rename headers to canonical names (loose match); a missing required column is a file
        problem naming it, a canonical column given twice too."""
        wanted = {normalize_name(c): c for c in [*required, *optional]}
        renames: dict[str, str] = {}
        for col in self.df.columns:
            canon = wanted.get(normalize_name(col)) if col != ROW else None
            if canon is None:
                continue
            if canon in renames.values():
                others = [k for k, v in renames.items() if v == canon]
                self.file_problems.append(Problem(self.file, canon, f"given by several columns: "
                                                  f"{', '.join(repr(c) for c in [*others, col])}",
                                                  (1,)))
                continue
            renames[col] = canon
        self.df = self.df.rename(columns=renames)
        for col in required:
            if col not in self.df.columns:
                self.file_problems.append(Problem(
                    self.file, col, f"required column missing (the {self.table} file needs "
                                    f"{', '.join(required)}; found {', '.join(self._headers())})"
                                    + missing_column_hint(self.table, col, self._headers()),
                    (1,)))

    def _headers(self) -> list[str]:
        return [c for c in self.df.columns if c != ROW] or ["no column"]

    def has(self, col: str) -> bool:
        return col in self.df.columns

    # ---- recording ------------------------------------------------------------------------------
    def error(self, column: str, mask: pd.Series, message: str, *, quote: bool = True) -> None:
        """Row-level error on the rows selected by ``mask`` (quoting up to five values unless
        ``quote`` is false, e.g. for beneficiary ids)."""
        mask = as_mask(mask.reindex(self.df.index, fill_value=False))
        if mask.any():
            self.row_errors.append((column, mask, message if not quote else
                                    message + self._examples(column, mask)))

    def _examples(self, column: str, mask: pd.Series) -> str:
        if column not in self.df.columns or column == "beneficiary_id":
            return ""
        vals = self.df.loc[mask, column].dropna().astype(str).unique()[:5]
        return f" (e.g. {', '.join(repr(v) for v in vals)})" if len(vals) else ""

    def warn(self, column: str | None, mask: pd.Series, message: str) -> None:
        mask = as_mask(mask.reindex(self.df.index, fill_value=False))
        if mask.any():
            rows = rows_where(self.df, mask)
            _warn(self.quality, self.table, self.file, column, rows,
                  f"{len(rows)} row{'s' if len(rows) > 1 else ''}: {message}")

    def error_mask(self) -> pd.Series:
        mask = pd.Series(False, index=self.df.index)
        for _, m, _ in self.row_errors:
            mask |= m
        return mask

    # ---- typed columns --------------------------------------------------------------------------
    def siret(self, col: str) -> pd.Series:
        """SIRET text with inner spaces removed; errors for empty, wrong length or non-digits."""
        if not self.has(col):
            return pd.Series(pd.NA, index=self.df.index, dtype=object)
        text = self.df[col].astype("string").str.replace(r"\s+", "", regex=True)
        self.error(col, text.isna(), "SIRET missing")
        bad = text.notna() & ~text.str.fullmatch(r"\d{14}").fillna(False)
        short = bad & text.str.fullmatch(r"\d{13}").fillna(False)
        self.error(col, bad & ~short, "not a SIRET: must be exactly 14 digits, no letters")
        self.error(col, short, "not a SIRET: 13 digits (a spreadsheet may have dropped a leading "
                               "zero: format the column as text and re-export)")
        return text.astype(object).where(text.notna(), pd.NA)

    def text(self, col: str, *, required: bool) -> pd.Series:
        if not self.has(col):
            return pd.Series(pd.NA, index=self.df.index, dtype=object)
        values = self.df[col]
        if required:
            self.error(col, values.isna(), "value missing", quote=False)
        return values.astype(object)

    def decimal(self, col: str, *, required: bool) -> pd.Series:
        """A non-negative decimal (hours): French or English notation, see ``parse_decimal``."""
        if not self.has(col):
            return pd.Series(np.nan, index=self.df.index, dtype="float64")
        values, invalid = parse_decimal(self.df[col])
        self.error(col, invalid, "not a number (use 12,5 or 12.5)")
        if required:
            self.error(col, self.df[col].isna(), "value missing")
        self.error(col, values < 0, "negative value (must be ≥ 0)")
        return values

    def date(self, col: str, *, required: bool) -> pd.Series:
        if not self.has(col):
            return pd.Series(pd.NaT, index=self.df.index, dtype="datetime64[ns]")
        values, invalid = parse_date(self.df[col])
        self.error(col, invalid, "not a valid date (use 2024-03-01 or 01/03/2024; impossible "
                                 "dates such as 30 February are refused)")
        if required:
            self.error(col, self.df[col].isna(), "date missing")
        lo, hi = PLAUSIBLE_DATES
        out_of_range = values.notna() & ((values < lo) | (values > hi))
        self.error(col, out_of_range, f"impossible date: outside {lo.date()} .. {hi.date()}")
        return values.where(~out_of_range)

    def enum(self, col: str, allowed: tuple[str, ...], *, required: bool,
             default: str | None = None) -> pd.Series:
        """Enum values matched loosely to their canonical spelling. Empty -> ``default`` (with a
        warning) when given, else an error when ``required``."""
        if not self.has(col):
            return pd.Series(default if default else pd.NA, index=self.df.index, dtype=object)
        lookup = {normalize_name(a): a for a in allowed}
        raw = self.df[col]
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        mapped = normalize_values(pd.Series(uniques, dtype=object)).map(lookup).tolist() + [pd.NA]
        canon = pd.Series(np.array(mapped, dtype=object)[codes], index=raw.index, dtype=object)
        for mask, message in unknown_value_errors(col, raw, raw.notna() & canon.isna(), allowed,
                                                  self.mapping):
            self.error(col, mask, message, quote=False)
        if default is not None:
            self.warn(col, raw.isna(), f"empty {col}: '{default}' assumed")
            canon = canon.where(raw.notna(), default)
        elif required:
            self.error(col, raw.isna(), f"value missing (allowed: {', '.join(allowed)})")
        return canon.where(canon.notna(), pd.NA)

    def enum_list(self, col: str, allowed: tuple[str, ...]) -> pd.Series:
        """A ``;``- (or ``,``-) separated list of enum values -> list[str] in the canonical order of
        ``allowed``, without repeats; empty -> []. Parsed once per distinct cell text."""
        if not self.has(col):
            return pd.Series([[] for _ in range(len(self.df))], index=self.df.index, dtype=object)
        lookup = {normalize_name(a): a for a in allowed}
        order = {a: i for i, a in enumerate(allowed)}

        def one(text: object) -> tuple[list[str], bool]:
            if not isinstance(text, str):
                return [], False
            items = [normalize_name(t) for t in re.split(r"[;,]", text) if t.strip()]
            found = {lookup[t] for t in items if t in lookup}
            return sorted(found, key=order.__getitem__), len(found) < len({*items})

        codes, uniques = pd.factorize(self.df[col], use_na_sentinel=True)
        parsed = [one(u) for u in uniques] + [([], False)]  # last: missing cell (code -1)
        lists = pd.Series([list(parsed[c][0]) for c in codes], index=self.df.index, dtype=object)
        bad = pd.Series([parsed[c][1] for c in codes], index=self.df.index, dtype=bool)
        for mask, message in unknown_item_errors(col, self.df[col].where(bad), allowed,
                                                 self.mapping):
            self.error(col, mask, message, quote=False)
        return lists

    # ---- duplicates -----------------------------------------------------------------------------
    def drop_exact_duplicates(self) -> None:
        """Drop rows whose text is identical to an earlier row in every column (warning)."""
        cols = [c for c in self.df.columns if c != ROW]
        if not cols:
            return
        dup = self.df.duplicated(subset=cols, keep="first")
        if dup.any():
            self.warn(None, dup, "exact duplicate of an earlier row, dropped (kept the first)")
            self.df = self.df.loc[~dup]

    # ---- end --------------------------------------------------------------------------------------
    def finish(self, on_invalid: str) -> tuple[pd.Series, pd.DataFrame]:
        """Raise or quarantine. Returns (keep mask, rejected frame)."""
        for col, rows in self.controls.items():
            self.error(col, self.df[ROW].isin(rows), CONTROL_MESSAGE, quote=False)
        row_problems = [Problem(self.file, col, msg, tuple(rows_where(self.df, m)))
                        for col, m, msg in self.row_errors]
        if self.file_problems or (row_problems and on_invalid == "strict"):
            raise InputError([*self.file_problems, *row_problems])
        bad = self.error_mask()
        if not bad.any():
            return ~bad, _empty_rejected()
        records = []
        for col, m, msg in self.row_errors:
            reason = msg.split(" (e.g. ")[0]  # values are not copied out (privacy)
            records += [{"file": self.file, "row": r, "column": col, "reason": reason}
                        for r in rows_where(self.df, m)]
        rejected = (pd.DataFrame(records, columns=REJECTED_COLUMNS)
                    .sort_values(["row", "column", "reason"], kind="stable").reset_index(drop=True))
        rejected["row"] = rejected["row"].astype("int64")
        n = int(bad.sum())
        self.quality["rejected"][self.table] = self.quality["rejected"].get(self.table, 0) + n
        return ~bad, rejected


def _start(path: str | Path, table: str, on_invalid: str, quality: dict[str, Any] | None,
           mapping: Mapping | None = None) -> tuple[Path, dict[str, Any], _FileChecks]:
    if on_invalid not in ON_INVALID:
        raise ValueError(f"on_invalid must be one of {ON_INVALID}, not {on_invalid!r}")
    path = Path(path)
    quality = new_quality() if quality is None else quality
    info: dict[str, str] = {}
    controls: dict[str, list[int]] = {}
    raw = read_table_file(path, table=table, info=info, controls=controls)
    quality["files"].append({"table": table, "file": path.name, "format": info["format"],
                             "rows_read": int(len(raw))})
    if raw.empty:
        _warn(quality, table, path.name, None, [], f"the {table} file has a header but no data row")
    chk = _mapped_checks(table, path.name, raw, quality, mapping)
    chk.controls = controls  # keyed by the file's own headers, named as such in the messages
    return path, quality, chk


def _mapped_checks(table: str, file: str, raw: pd.DataFrame, quality: dict[str, Any],
                   mapping: Mapping | None) -> _FileChecks:
    """The check session of a raw table once the facilitator's headers and codes are mapped."""
    chk = _FileChecks(table, file, raw, quality)
    chk.df, problems = map_frame(raw, table, mapping, file)
    chk.file_problems += problems
    chk.mapping = mapping
    return chk


def _finish_frame(chk: _FileChecks, out: pd.DataFrame, schema: Any, on_invalid: str,
                  sort_by: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    keep, rejected = chk.finish(on_invalid)
    out = out.loc[keep].sort_values(sort_by, kind="stable").reset_index(drop=True)
    return schema.validate(out, inplace=True), rejected  # nothing coerced: no copy needed
