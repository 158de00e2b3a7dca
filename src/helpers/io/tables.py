"""Readers of the non-contract tables (DESIGN §2): clauses, participations, suppliers, buyers.

Every reader has the signature ``read_x(path, *, on_invalid="strict", quality=None)`` and returns
``(valid, rejected)``:

- ``valid``: the canonical table of :mod:`helpers.schemas`, validated with its pandera schema;
- ``rejected``: one row per problem found on a data row, columns ``file, row, column, reason``
  (``row`` = spreadsheet row number, header = 1). The rejected rows' *values* are not copied: the
  participations file describes people, and rejected rows are written next to the report
  (issue 7 item 2), so only their position and the reason leave the reader.

Rules (DESIGN §2, issue 7):

- Header names are matched loosely (case, accents and separators ignored: ``Buyer SIRET`` =
  ``buyer_siret``); unknown extra columns are ignored, except direct identifiers in participations.
- Before any check, a facilitator's own headers and codes ("N° marché", "Homme", "BRSA") are mapped
  onto the canonical ones by :func:`helpers.io.mapping.map_frame` (``mapping``: the default French
  mapping when not given). An unknown code is reported once per distinct value with the
  ``mapping.yml`` line that would map it.
- Every problem of a file is collected before anything is raised. ``on_invalid="strict"`` (default)
  raises one :class:`~helpers.errors.InputError` listing them all, each naming file, rows and column.
  ``on_invalid="quarantine"`` sets the offending rows aside in ``rejected``, counts them in
  ``quality["rejected"][table]`` and keeps the rest. File-level problems (file missing or empty,
  required column missing, direct identifiers) always raise: no row can be trusted then.
- Legal but suspicious values are kept and reported in ``quality["warnings"]`` as
  ``{"table", "file", "column", "rows", "message"}`` (``rows``: the first
  :data:`MAX_WARNING_ROWS`, the message gives the total).
- Exactly duplicated data rows (same text in every column) are dropped, keeping the first, and
  reported as a warning with their count: a facilitator export repeated twice would otherwise
  double hours and people.
- SIRETs: spaces inside are removed (``123 456 789 00012``); anything that is not then exactly
  14 digits is an error — never padded, since a guessed leading zero could match the wrong company.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

import ijson
import numpy as np
import pandas as pd

from .. import pandera_schemas as P
from .. import schemas as S
from ..dataset import new_quality
from ..errors import InputError, Problem
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
    parse_int,
    read_table_file,
    rows_where,
)

OnInvalid = Literal["strict", "quarantine"]
ON_INVALID = ("strict", "quarantine")
REJECTED_COLUMNS = ["file", "row", "column", "reason"]
MAX_WARNING_ROWS = 20

#: Dates outside this range are treated as typos (a mission in 1024 or 2204), not as data.
PLAUSIBLE_DATES = (pd.Timestamp("1990-01-01"), pd.Timestamp("2099-12-31"))  # as contracts
#: Age at mission start (start year − birth year) outside this range is a warning (issue 7).
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
# Direct identifiers (issue 7 item 4)
# --------------------------------------------------------------------------------------------------

def identifier_problems(file: str, columns: Iterable[str]) -> list[Problem]:
    """One problem per column that looks like a direct identifier (DESIGN §2, issue 7 item 4)."""
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


# --------------------------------------------------------------------------------------------------
# clauses
# --------------------------------------------------------------------------------------------------

def read_clauses(path: str | Path, *, on_invalid: OnInvalid = "strict",
                 quality: dict[str, Any] | None = None, mapping: Mapping | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clauses table: buyer_siret, contract_id, planned_hours (decimal ≥ 0).

    uid = buyer_siret + contract_id. Several rows for one uid (one per lot or per clause) are kept:
    the status rules sum their planned hours (noted in the warnings). Exact duplicate rows are
    dropped with a warning, as in every table.
    """
    path, quality, chk = _start(path, "clauses", on_invalid, quality, mapping)
    chk.match_columns(CLAUSE_REQUIRED)
    chk.drop_exact_duplicates()
    siret = chk.siret("buyer_siret")
    cid = chk.text("contract_id", required=True)
    hours = chk.decimal("planned_hours", required=True)
    uid = siret + cid
    if chk.has("buyer_siret") and chk.has("contract_id"):
        several = uid.notna() & uid.duplicated(keep=False)
        if several.any():
            chk.warn("contract_id", several,
                     f"{int(uid[several].nunique())} contracts have several clauses rows: their "
                     "planned hours are summed")
    out = pd.DataFrame({"buyer_siret": siret, "contract_id": cid, "uid": uid,
                        "planned_hours": hours.astype("float64")})
    return _finish_frame(chk, out, P.CLAUSES_SCHEMA, on_invalid, ["uid"])


# --------------------------------------------------------------------------------------------------
# participations
# --------------------------------------------------------------------------------------------------

def read_participations(path: str | Path, *, on_invalid: OnInvalid = "strict",
                        quality: dict[str, Any] | None = None, mapping: Mapping | None = None
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Participations (DESIGN §2): one row per person per contract mission.

    Refused outright (even in quarantine mode): columns that look like direct identifiers (all
    named, see :func:`identifier_kind`), missing required columns.
    Errors (row-level): SIRET, unknown enum values, negative or unparseable hours, missing or
    impossible dates, end before start, more hours than 24 h × days of the period (both ends
    included), a birth year before 1900 or after the start year.
    Accepted with a warning: > 48 h/week on average over the period, age at start (start year −
    birth year) below 16 or above 70, empty diploma_level / exit_outcome (read as ``inconnu``),
    exact duplicate rows (dropped). A row without end_date (ongoing) has no period to check hours
    against.
    """
    path, quality, chk = _start(path, "participations", on_invalid, quality, mapping)
    chk.file_problems += identifier_problems(chk.file, chk.headers_in_file)
    chk.match_columns(PARTICIPATION_REQUIRED)
    chk.drop_exact_duplicates()
    siret = chk.siret("buyer_siret")
    cid = chk.text("contract_id", required=True)
    ben = chk.text("beneficiary_id", required=True)
    sex = chk.enum("sex", S.SEXES, required=False)
    birth_year = pd.Series(pd.NA, index=chk.df.index, dtype="Int64")
    if chk.has("birth_year"):
        birth_year, invalid = parse_int(chk.df["birth_year"])
        chk.error("birth_year", invalid, "not a year (4 digits)")
    diploma = chk.enum("diploma_level", S.DIPLOMA_LEVELS, required=True, default="inconnu")
    publics = chk.enum_list("public_categories", S.PUBLIC_CATEGORIES)
    hours = chk.decimal("hours", required=True)
    start = chk.date("start_date", required=True)
    end = chk.date("end_date", required=False)
    modality = chk.enum("modality", S.MODALITIES, required=True)
    exit_outcome = chk.enum("exit_outcome", S.EXIT_OUTCOMES, required=True, default="inconnu")

    chk.error("end_date", end < start, "end_date before start_date")
    days = (end - start).dt.days + 1  # both ends included
    per_day = hours / days.where(days > 0)
    chk.error("hours", per_day > HOURS_PER_DAY,
              "more hours than one person can work in the period (24 h × days, both ends included)")
    start_year = start.dt.year.astype("Int64")
    by = birth_year.astype("float64")
    chk.error("birth_year", (by < 1900) | (by > start_year.astype("float64")),
              "impossible birth year (before 1900 or after the mission start)")
    ok = ~chk.error_mask()
    chk.warn("hours", ok & (per_day * 7 > MAX_WEEKLY_HOURS),
             f"more than {MAX_WEEKLY_HOURS:g} h per week on average over the mission period "
             "(legal to record, but check the hours)")
    age = start_year.astype("float64") - by
    lo, hi = PLAUSIBLE_AGE
    chk.warn("birth_year", ok & ((age < lo) | (age > hi)),
             f"age at mission start (start year − birth year) below {lo} or above {hi}")
    out = pd.DataFrame({
        "buyer_siret": siret, "contract_id": cid, "uid": siret + cid, "beneficiary_id": ben,
        "sex": sex, "birth_year": birth_year, "diploma_level": diploma,
        "public_categories": publics, "hours": hours.astype("float64"),
        "start_date": start.astype("datetime64[ns]"), "end_date": end.astype("datetime64[ns]"),
        "modality": modality, "exit_outcome": exit_outcome,
    })
    return _finish_frame(chk, out, P.PARTICIPATIONS_SCHEMA, on_invalid,
                         ["uid", "beneficiary_id", "start_date"])


# --------------------------------------------------------------------------------------------------
# buyers
# --------------------------------------------------------------------------------------------------

def read_buyers(path: str | Path, *, on_invalid: OnInvalid = "strict",
                quality: dict[str, Any] | None = None, mapping: Mapping | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Buyers: siret (required), name, buyer_type among etat, collectivite,
    entite_adjudicatrice (matched loosely: ``Entité adjudicatrice`` is accepted), facilitator_from
    (optional date: the notification date from which the buyer's facilitator data is complete; empty
    = complete for every contract). An empty or absent buyer_type is ``collectivite`` (the default,
    noted in the warnings); an unknown one is an error. One SIRET given twice with different values
    is an error."""
    path, quality, chk = _start(path, "buyers", on_invalid, quality, mapping)
    chk.match_columns(BUYER_REQUIRED, BUYER_OPTIONAL)
    chk.drop_exact_duplicates()
    siret = chk.siret("siret")
    name = chk.text("name", required=False)
    if not chk.has("buyer_type") and not chk.file_problems and len(chk.df):
        _warn(quality, "buyers", chk.file, "buyer_type", [],
              f"no buyer_type column: '{S.DEFAULT_BUYER_TYPE}' assumed for all {len(chk.df)} "
              "buyers")
    btype = chk.enum("buyer_type", S.BUYER_TYPES, required=True, default=S.DEFAULT_BUYER_TYPE)
    chk.error("siret", siret.notna() & siret.duplicated(keep=False),
              "the same buyer SIRET appears on several rows with different values")
    since = chk.date("facilitator_from", required=False)
    out = pd.DataFrame({"siret": siret, "name": name, "buyer_type": btype,
                        "facilitator_from": since})
    return _finish_frame(chk, out, P.BUYERS_SCHEMA, on_invalid, ["siret"])


# --------------------------------------------------------------------------------------------------
# suppliers
# --------------------------------------------------------------------------------------------------

#: Le-marche kinds that are variants of an audited kind (ACI "PHC" = ACI for marginalised people).
_LEMARCHE_ALIASES = {"ACIPHC": "ACI"}


def dedupe_suppliers(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """One row per SIRET: an eligible kind (DESIGN §1) wins over ``ESS``, then the first row.
    Returns (deduplicated table sorted by siret, boolean mask of the input rows dropped)."""
    eligible_first = (~df["kind"].isin(S.ELIGIBLE_KINDS)).astype(int)
    order = pd.DataFrame({"e": eligible_first, "pos": np.arange(len(df))}, index=df.index)
    ranked = order.sort_values(["e", "pos"], kind="stable").index
    kept_idx = df.loc[ranked].drop_duplicates("siret", keep="first").index
    dropped = ~df.index.isin(kept_idx)
    out = df.loc[df.index.isin(kept_idx)].sort_values("siret", kind="stable").reset_index(drop=True)
    return out, pd.Series(dropped, index=df.index)


def _warn_multi_kind(quality: dict[str, Any], file: str, df: pd.DataFrame, rows: pd.Series,
                     dropped: pd.Series) -> None:
    if not dropped.any():
        return
    kinds = df.groupby("siret")["kind"].nunique()
    conflicting = int((kinds > 1).sum())
    detail = (f" ({conflicting} SIRETs carry different kinds: kept an eligible kind, then the "
              "first listed)" if conflicting else "")
    _warn(quality, "suppliers", file, "siret", rows[dropped],
          f"{int(dropped.sum())} rows repeat a SIRET already listed and were dropped{detail}")


def _read_lemarche(path: Path, quality: dict[str, Any]) -> pd.DataFrame:
    """The le-marche Django fixture: a JSON list of ``{"model": "siaes.siae", "pk", "fields"}``.
    Only ``fields.siret``, ``fields.kind`` and ``fields.name`` are taken (streamed with ijson): the
    contact fields of that fixture are fake and are never read into the table."""
    keep = {"item.fields.siret": "siret", "item.fields.kind": "kind", "item.fields.name": "name",
            "item.model": "model"}
    records: list[dict[str, Any]] = []
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            current: dict[str, Any] = {}
            for prefix, event, value in ijson.parse(fh):
                if prefix == "item" and event == "start_map":
                    current = {}
                elif prefix == "item" and event == "end_map":
                    records.append(current)
                elif prefix in keep and event in ("string", "null", "number"):
                    current[keep[prefix]] = value
    except ijson.JSONError as exc:
        raise InputError([Problem(path.name, None, f"not valid JSON ({exc})")]) from exc
    df = pd.DataFrame(records, columns=["model", "siret", "kind", "name"])
    if df.empty or not (df["model"] == "siaes.siae").all():
        raise InputError([Problem(path.name, None, "unrecognised supplier JSON: expected the "
                                  "le-marche fixture, a list of {\"model\": \"siaes.siae\", "
                                  "\"fields\": {\"siret\", \"kind\", ...}}")])
    quality["files"].append({"table": "suppliers", "file": path.name, "format": "lemarche_json",
                             "rows_read": int(len(df))})
    rows = pd.Series(np.arange(len(df)), index=df.index)  # JSON: 0-based record index
    siret = df["siret"].astype("string").str.replace(r"\s+", "", regex=True)
    kind = df["kind"].astype("string").str.upper().replace(_LEMARCHE_ALIASES)
    bad_siret = ~siret.str.fullmatch(r"\d{14}").fillna(False)
    bad_kind = ~kind.isin(S.SUPPLIER_KINDS).fillna(False)
    if bad_siret.any():
        _warn(quality, "suppliers", path.name, "siret", rows[bad_siret],
              f"{int(bad_siret.sum())} records without a 14-digit SIRET skipped")
    if (bad_kind & ~bad_siret).any():
        odd = sorted(kind[bad_kind & ~bad_siret].dropna().unique())
        _warn(quality, "suppliers", path.name, "kind", rows[bad_kind & ~bad_siret],
              f"{int((bad_kind & ~bad_siret).sum())} records of a kind this audit does not know "
              f"skipped ({', '.join(odd) or 'empty'})")
    ok = ~bad_siret & ~bad_kind
    out = pd.DataFrame({"siret": siret[ok].astype(object), "kind": kind[ok].astype(object),
                        "name": df.loc[ok, "name"].astype(object), "source": path.name})
    out["name"] = out["name"].where(out["name"].notna() & (out["name"] != ""), pd.NA)
    result, dropped = dedupe_suppliers(out)
    _warn_multi_kind(quality, path.name, out, rows[ok], dropped)
    return result


def _read_esat(path: Path, raw: pd.DataFrame, quality: dict[str, Any]) -> pd.DataFrame:
    """The FINESS ESAT list: column ``ET-SIRET`` (kind ESAT), name from ``ET-Raison sociale``.
    Rows without a 14-digit SIRET cannot be matched to a holder: counted and skipped (warning).
    Only SIRET and name are taken (the list's e-mail and phone columns are not read into the
    table)."""
    cols = {normalize_name(c): c for c in raw.columns}
    siret = raw[cols["etsiret"]].astype("string").str.replace(r"\s+", "", regex=True)
    name_col = cols.get("etraisonsociale")
    ok = siret.str.fullmatch(r"\d{14}").fillna(False)
    if (~ok).any():
        empty = int(siret.isna().sum())
        _warn(quality, "suppliers", path.name, "ET-SIRET", raw.loc[~ok, ROW],
              f"{int((~ok).sum())} rows without a 14-digit ET-SIRET skipped ({empty} empty, "
              f"{int((~ok).sum()) - empty} of another length)")
    out = pd.DataFrame({"siret": siret[ok].astype(object), "kind": "ESAT",
                        "name": raw.loc[ok, name_col] if name_col else pd.NA,
                        "source": path.name})
    result, dropped = dedupe_suppliers(out)
    _warn_multi_kind(quality, path.name, out, raw.loc[ok, ROW], dropped)
    return result


def _looks_like_json(path: Path) -> bool:
    """JSON by name (``.json``, ``.json.gz``) or by content (first non-blank byte ``[`` or ``{``)."""
    if path.name.lower().endswith((".json", ".json.gz")):
        if not path.is_file():
            raise InputError([Problem(path.name, None, f"suppliers file not found: {path.name}")])
        return True
    if not path.is_file() or path.suffix.lower() in (".xlsx", ".xlsm"):
        return False
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"[", b"{")


def read_suppliers(path: str | Path, *, on_invalid: OnInvalid = "strict",
                   quality: dict[str, Any] | None = None, mapping: Mapping | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suppliers registry (DESIGN §2), the format detected from the content:

    - JSON (``.json``/``.json.gz``, or any file starting with ``[``): the le-marche SIAE fixture
      (SIRET + kind; fake contacts never read). Records without a 14-digit SIRET or of an
      unknown kind are skipped with a warning.
    - CSV/XLSX with an ``ET-SIRET`` column: the FINESS ESAT list (kind ESAT); rows without a
      14-digit SIRET are skipped with a warning.
    - CSV/XLSX with ``siret`` and ``kind`` (and optionally ``name``): the canonical table, checked
      strictly (SIRET, kind among EI, ACI, AI, ETTI, EITI, GEIQ, EA, EATT, ESAT, ESS).

    ``source`` is the file name. One row per SIRET (see :func:`dedupe_suppliers`; repeats are
    reported as a warning). Reference lists never reject rows; the canonical CSV may.
    """
    if on_invalid not in ON_INVALID:
        raise ValueError(f"on_invalid must be one of {ON_INVALID}, not {on_invalid!r}")
    path = Path(path)
    quality = new_quality() if quality is None else quality
    if _looks_like_json(path):
        return P.SUPPLIERS_SCHEMA.validate(_read_lemarche(path, quality)), _empty_rejected()
    info: dict[str, str] = {}
    controls: dict[str, list[int]] = {}
    raw = read_table_file(path, table="suppliers", info=info, controls=controls)
    headers = {normalize_name(c) for c in raw.columns}
    if "etsiret" in headers:
        if controls:  # a reference list: no row is set aside, the file is refused
            raise InputError([Problem(path.name, col, CONTROL_MESSAGE, tuple(rows))
                              for col, rows in controls.items()])
        quality["files"].append({"table": "suppliers", "file": path.name, "format": "finess_esat",
                                 "rows_read": int(len(raw))})
        return P.SUPPLIERS_SCHEMA.validate(_read_esat(path, raw, quality)), _empty_rejected()
    quality["files"].append({"table": "suppliers", "file": path.name, "format": info["format"],
                             "rows_read": int(len(raw))})
    chk = _mapped_checks("suppliers", path.name, raw, quality, mapping)
    chk.controls = controls
    chk.match_columns(SUPPLIER_REQUIRED, SUPPLIER_OPTIONAL)
    if chk.file_problems:
        chk.file_problems.append(Problem(path.name, None, "unrecognised supplier file: expected "
                                         "columns siret, kind[, name], or the FINESS ESAT list "
                                         "(ET-SIRET), or the le-marche JSON fixture"))
    chk.drop_exact_duplicates()
    siret = chk.siret("siret")
    kind = chk.enum("kind", S.SUPPLIER_KINDS, required=True)
    name_ = chk.text("name", required=False)
    out = pd.DataFrame({"siret": siret, "kind": kind, "name": name_, "source": path.name})
    keep, rejected = chk.finish(on_invalid)
    out, rows = out.loc[keep], chk.df.loc[keep, ROW]
    result, dropped = dedupe_suppliers(out)
    _warn_multi_kind(quality, path.name, out, rows, dropped)
    return P.SUPPLIERS_SCHEMA.validate(result), rejected
