"""Readers of the non-contract tables (docs/design.md §2.4-2.7): clauses, participations and buyers
(the suppliers registry, in its several formats, has its own module, :mod:`helpers.io.suppliers`).

Every reader has the signature ``read_x(path, *, on_invalid="strict", quality=None)`` and returns
``(valid, rejected)``:

- ``valid``: the canonical table of :mod:`helpers.schemas`, validated with its pandera schema;
- ``rejected``: one row per problem found on a data row, columns ``file, row, column, reason``
  (``row`` = spreadsheet row number, header = 1). The rejected rows' *values* are not copied: the
  participations file describes people, and rejected rows are written next to the report, so only
  their position and the reason leave the reader.

Rules (docs/design.md §2.2-2.9):

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

from pathlib import Path
from typing import Any

import pandas as pd

from .. import schemas as S
from ..errors import OnInvalid
from .mapping import Mapping
from .table_checks import (
    BUYER_OPTIONAL,
    BUYER_REQUIRED,
    CLAUSE_REQUIRED,
    HOURS_PER_DAY,
    MAX_WEEKLY_HOURS,
    PARTICIPATION_REQUIRED,
    PLAUSIBLE_AGE,
    _finish_frame,
    _start,
    _warn,
    identifier_problems,
)
from .tabular import parse_int
from .validation import schema

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
    return _finish_frame(chk, out, schema("CLAUSES_SCHEMA"), on_invalid, ["uid"])


# --------------------------------------------------------------------------------------------------
# participations
# --------------------------------------------------------------------------------------------------

def read_participations(path: str | Path, *, on_invalid: OnInvalid = "strict",
                        quality: dict[str, Any] | None = None, mapping: Mapping | None = None
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Participations (docs/design.md §2.5): one row per person per contract mission.

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
    return _finish_frame(chk, out, schema("PARTICIPATIONS_SCHEMA"), on_invalid,
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
    return _finish_frame(chk, out, schema("BUYERS_SCHEMA"), on_invalid, ["siret"])
