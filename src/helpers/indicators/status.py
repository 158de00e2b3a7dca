"""Contract status at the cut-off date: scope, facilitator coverage, realized and expected hours,
delivery and the status rules (docs/design.md §3, docs/indicators.md SCA-COV, SCA-STATUS).

Everything here is vectorised over contracts (merges, ``explode`` + ``groupby``, ``numpy.select``):
no Python loop runs per contract, so a national year (500 000 contracts) is handled in seconds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import schemas
from ..params import Params

NOT_DUE = "NOT_DUE"
NOT_COVERED = "NOT_COVERED"
VERIFIED = "VERIFIED"
SHORTFALL = "SHORTFALL"
NO_EVIDENCE = "NO_EVIDENCE"
UNVERIFIABLE = "UNVERIFIABLE"
UNDECLARED_DELIVERY = "UNDECLARED_DELIVERY"
NOT_DECLARED = "NOT_DECLARED"
#: The eight statuses, in the order of the rules (the first that matches is the contract's).
STATUSES: tuple[str, ...] = (NOT_DUE, NOT_COVERED, VERIFIED, SHORTFALL, NO_EVIDENCE, UNVERIFIABLE,
                             UNDECLARED_DELIVERY, NOT_DECLARED)
#: ``effective(c)``: the statuses where something real was delivered.
EFFECTIVE_STATUSES: tuple[str, ...] = (VERIFIED, UNDECLARED_DELIVERY)

#: Months = days / (365.25 / 12).
DAYS_PER_MONTH = 365.25 / 12
#: Relative tolerance of the ``realized ≥ ratio × expected`` comparison, so that a delivery exactly at
#: the ratio is not turned into a shortfall by binary rounding (0.7 × 10 = 7.000000000000001).
RATIO_TOLERANCE = 1e-9


def _ts(date: dt.date | pd.Timestamp | str) -> pd.Timestamp:
    return pd.Timestamp(date).normalize()


def contract_category(cpv: pd.Series) -> pd.Series:
    """CPV category ("works"/"supplies"/"services"/"unknown") from
    :func:`helpers.reference.contract_category`, computed once per distinct CPV code and mapped back
    (a national year has 500 000 contracts but a few thousand codes)."""
    from ..reference import contract_category as _category  # lazy: written by another module

    codes = pd.Series(cpv.dropna().unique(), dtype=object)
    mapping = pd.Series(_category(codes).to_numpy(object), index=codes.to_numpy(object))
    missing = _category(pd.Series([None], dtype=object)).iloc[0]
    return cpv.map(mapping).fillna(missing).astype(object)


def above_threshold(contracts: pd.DataFrame) -> pd.Series:
    """``amount`` ≥ the EU threshold in force (:func:`helpers.reference.eu_threshold_series`) for each
    annotated contract; the thresholds are looked up once per distinct (notification date, buyer
    type, CPV) and merged back. A missing amount is not above (as ``above_eu_threshold``)."""
    from ..reference import eu_threshold_series  # lazy: written by another module

    keys_cols = ["notification_date", "buyer_type", "cpv"]
    keys = contracts[keys_cols].drop_duplicates().reset_index(drop=True)
    keys["threshold"] = eu_threshold_series(keys, keys["buyer_type"]).to_numpy(float)
    thr = contracts[keys_cols].merge(keys, on=keys_cols, how="left", validate="m:1")["threshold"]
    return pd.Series((contracts["amount"].to_numpy(float) >= thr.to_numpy(float)),
                     index=contracts.index)


def buyer_types(buyer_siret: pd.Series, buyers: pd.DataFrame) -> pd.Series:
    """Buyer type of each SIRET from the buyers table; ``collectivite`` when the buyer is absent
    (docs/design.md §2.7, ``schemas.DEFAULT_BUYER_TYPE``)."""
    mapping = buyers.drop_duplicates("siret").set_index("siret")["buyer_type"]
    return buyer_siret.map(mapping).fillna(schemas.DEFAULT_BUYER_TYPE).astype(str)


def buyer_name_map(buyers: pd.DataFrame, contracts: pd.DataFrame | None = None) -> pd.Series:
    """Name of each buyer SIRET: the buyers table's ``name`` when it gives one, else the name the
    contract files give (decp.info ``acheteur_nom``; the most frequent one, ties to the first in
    alphabetical order)."""
    listed = buyers.drop_duplicates("siret").set_index("siret")["name"].dropna()
    if contracts is None or "buyer_name" not in contracts.columns:
        return listed
    named = contracts.loc[contracts["buyer_name"].notna(), ["buyer_siret", "buyer_name"]]
    if named.empty:
        return listed
    counts = named.value_counts().reset_index(name="n")
    counts = counts.sort_values(["buyer_siret", "n", "buyer_name"], ascending=[True, False, True],
                                kind="stable").drop_duplicates("buyer_siret")
    from_files = counts.set_index("buyer_siret")["buyer_name"]
    return pd.concat([listed, from_files[~from_files.index.isin(listed.index)]])


def buyer_names(buyer_siret: pd.Series, buyers: pd.DataFrame,
                contracts: pd.DataFrame | None = None) -> pd.Series:
    """Buyer name of each SIRET (:func:`buyer_name_map`; NA when unknown)."""
    return buyer_siret.map(buyer_name_map(buyers, contracts)).astype(object)


def facilitator_coverage(buyers: pd.DataFrame, clauses: pd.DataFrame,
                         participations: pd.DataFrame, facilitator_data: bool = True
                         ) -> pd.Series:
    """The buyers covered by the facilitator's data, and from which notification date.

    A buyer is covered when the clauses or participations table holds at least one row with its
    SIRET (whatever the contract or the year of that row), or when the buyers table gives it a
    ``facilitator_from`` date. Returns a Series indexed by the covered SIRETs whose value is that
    date (NaT = covered for every contract). Without facilitator files at all
    (``facilitator_data=False``) nobody is covered, whatever the buyers table says.
    """
    if not facilitator_data:
        return pd.Series([], index=pd.Index([], dtype=object, name="siret"),
                         dtype="datetime64[ns]")
    with_rows = set(clauses["buyer_siret"].dropna()) | set(participations["buyer_siret"].dropna())
    since = (buyers.drop_duplicates("siret").set_index("siret")["facilitator_from"]
             if "facilitator_from" in buyers.columns
             else pd.Series([], index=pd.Index([], dtype=object), dtype="datetime64[ns]"))
    since = since.astype("datetime64[ns]")
    covered = sorted(with_rows | set(since.index[since.notna()]))
    out = since.reindex(pd.Index(covered, dtype=object, name="siret"))
    return out.astype("datetime64[ns]")


def covered_contracts(buyer_siret: pd.Series, notification_date: pd.Series,
                      coverage: pd.Series) -> pd.Series:
    """``covered(c)``: the contract's buyer is covered (:func:`facilitator_coverage`) and the
    contract was notified on or after the buyer's ``facilitator_from`` date (any date when none).
    Coverage depends on the buyer and the date only, never on the contract's own evidence."""
    is_covered = buyer_siret.isin(coverage.index).to_numpy(bool)
    since = buyer_siret.map(coverage).astype("datetime64[ns]")
    on_or_after = (since.isna() | (notification_date.dt.normalize() >= since)).to_numpy(bool)
    return pd.Series(is_covered & on_or_after, index=buyer_siret.index)


def annotate_contracts(contracts: pd.DataFrame, buyers: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``contracts`` (index reset) with ``buyer_type``, ``buyer_name`` and ``category`` (CPV)
    added."""
    out = contracts.reset_index(drop=True)
    out["buyer_type"] = buyer_types(out["buyer_siret"], buyers)
    out["buyer_name"] = buyer_names(out["buyer_siret"], buyers, contracts)
    out["category"] = contract_category(out["cpv"])
    return out


def scope_masks(contracts: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Boolean masks of the scope rule (docs/design.md §3) for annotated contracts.

    Columns: ``in_year`` (notified in ``params.year``), ``of_buyers`` (buyer listed in ``params.buyers``,
    or every buyer when the list is empty), ``above_threshold`` (amount ≥ the EU threshold in force at
    notification for the buyer type and the CPV category, :func:`above_threshold`;
    all True when ``params.scope == "all"``; only evaluated for the year's contracts of the buyers)
    and ``in_scope`` (all three).
    """
    in_year = contracts["notification_date"].dt.year.eq(params.year).fillna(False).astype(bool)
    if params.buyers:
        of_buyers = contracts["buyer_siret"].isin(params.buyers)
    else:
        of_buyers = pd.Series(True, index=contracts.index)
    above = pd.Series(True, index=contracts.index)
    candidates = in_year.to_numpy(bool) & of_buyers.to_numpy(bool)
    if params.scope != "all" and candidates.any():
        # only the year's contracts: thresholds are dated, other years may fall outside the table
        above.loc[candidates] = above_threshold(contracts.loc[candidates]).to_numpy(bool)
    masks = pd.DataFrame({"in_year": in_year.to_numpy(bool), "of_buyers": of_buyers.to_numpy(bool),
                          "above_threshold": above.to_numpy(bool)}, index=contracts.index)
    masks["in_scope"] = masks["in_year"] & masks["of_buyers"] & masks["above_threshold"]
    return masks


def select_scope(contracts: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The contracts of a run (docs/design.md §3): notified in ``year``, of the listed buyers, and
    above the EU
    threshold unless ``scope == "all"``. ``contracts`` must be annotated (:func:`annotate_contracts`)."""
    return contracts.loc[scope_masks(contracts, params)["in_scope"]].copy()


def scope_counts(contracts: pd.DataFrame, params: Params,
                 masks: pd.DataFrame | None = None) -> dict[str, int]:
    """How many contracts each scope filter keeps, for ``data_quality["scope"]`` (``masks`` from
    :func:`scope_masks` when already computed)."""
    m = scope_masks(contracts, params) if masks is None else masks
    year_buyers = m["in_year"] & m["of_buyers"]
    return {
        "contracts_total": int(len(m)),
        "notified_in_year": int(m["in_year"].sum()),
        "notified_in_year_of_buyers": int(year_buyers.sum()),
        "below_eu_threshold": int((year_buyers & ~m["above_threshold"]).sum()),
        "in_scope": int(m["in_scope"].sum()),
        "in_scope_missing_amount": int((m["in_scope"] & contracts["amount"].isna()).sum()),
        "in_scope_missing_duration": int(
            (m["in_scope"] & ~(contracts["duration_months"] > 0)).sum()),
        "in_scope_unknown_category": int((m["in_scope"] & contracts["category"].eq("unknown")).sum()),
    }


def participation_intervals(participations: pd.DataFrame,
                            ongoing_end: pd.Timestamp | dt.date | None = None
                            ) -> tuple[pd.Series, pd.Series]:
    """(start, end) day of each participation row, both ends included (docs/design.md §3).

    A row without an end date ends at ``ongoing_end`` when given (its hours are spread from its start
    to that date, or over its start day if it starts later), otherwise it is a one-day interval at its
    start (it "counts fully" as soon as it has started). An end before the start is read as the start.
    """
    start = participations["start_date"].dt.normalize()
    end = participations["end_date"].dt.normalize()
    if ongoing_end is None:
        end = end.fillna(start)
    else:
        end = end.fillna(start.clip(lower=_ts(ongoing_end)))
    return start, end.where(end >= start, start)


def prorated_hours(participations: pd.DataFrame, window_start: pd.Timestamp | None,
                   window_end: pd.Timestamp, ongoing_end: pd.Timestamp | dt.date | None = None
                   ) -> pd.Series:
    """Hours of each participation row falling in the window [window_start, window_end] (days, both
    ends included), pro rata of the row's days (docs/design.md §3): hours × overlap days / row days.
    Rows are read by :func:`participation_intervals`; ``window_start=None`` means no lower bound.
    """
    if participations.empty:
        return pd.Series(np.zeros(0), index=participations.index, dtype=float)
    start, end = participation_intervals(participations, ongoing_end)
    days = (end - start).dt.days.to_numpy(float) + 1.0
    lo = start if window_start is None else start.clip(lower=_ts(window_start))
    hi = end.clip(upper=_ts(window_end))
    overlap = np.clip((hi - lo).dt.days.to_numpy(float) + 1.0, 0.0, None)
    hours = participations["hours"].to_numpy(float) * overlap / days
    return pd.Series(hours, index=participations.index)


def realized_hours(participations: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """``realized(c)``: participation hours worked up to ``as_of``, summed per uid (docs/design.md §3).

    A row straddling ``as_of`` counts pro rata of its days (both ends included); a row without an
    end date counts fully once started; a row starting after ``as_of`` counts 0.
    """
    row_hours = prorated_hours(participations, None, _ts(as_of))
    return row_hours.groupby(participations["uid"], sort=False).sum()


def months_between(start: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Months from each ``start`` to ``end``: whole days between the two dates / (365.25 / 12)."""
    return (_ts(end) - start.dt.normalize()).dt.days / DAYS_PER_MONTH


def due_fraction(notification_date: pd.Series, duration_months: pd.Series,
                 at: dt.date | pd.Timestamp) -> pd.Series:
    """Share of the planned hours due at date ``at``: clamp(months elapsed / duration_months, 0, 1).

    Missing or zero duration (docs/assumptions.md, A-DURATION): everything is due once the contract is
    notified (1 when months elapsed ≥ 0, else 0).
    """
    months = months_between(notification_date, _ts(at))
    duration = duration_months.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip(months.to_numpy(float) / duration.to_numpy(float), 0.0, 1.0)
    fully = (months.to_numpy(float) >= 0).astype(float)
    has_duration = (duration > 0).to_numpy(bool)
    return pd.Series(np.where(has_duration, frac, fully), index=notification_date.index)


def consideration_flags(considerations: pd.Series) -> pd.DataFrame:
    """Per contract: ``clause``, ``criterion``, ``reserved`` (each declared consideration) and
    ``declared`` (any of the three, docs/design.md §3 ``declared(c)``). Vectorised with ``explode``."""
    positions = pd.RangeIndex(len(considerations))
    exploded = pd.Series(considerations.to_numpy(), index=positions).explode()
    flags = pd.DataFrame({
        "clause": exploded.eq(schemas.CLAUSE),
        "criterion": exploded.eq(schemas.CRITERION),
        "reserved": exploded.eq(schemas.RESERVED),
    }).groupby(level=0).any().reindex(positions, fill_value=False)
    flags["declared"] = flags["clause"] | flags["criterion"] | flags["reserved"]
    flags.index = considerations.index
    return flags.astype(bool)


def holders_in_registry(holders: pd.Series, suppliers: pd.DataFrame,
                        kinds: tuple[str, ...] | None = None) -> pd.Series:
    """True for each contract with at least one holder SIRET in ``suppliers`` (restricted to
    ``kinds`` when given). Vectorised with ``explode`` + ``groupby``."""
    registry = suppliers if kinds is None else suppliers.loc[suppliers["kind"].isin(kinds)]
    positions = pd.RangeIndex(len(holders))
    exploded = pd.Series(holders.to_numpy(), index=positions).explode()
    hit = exploded.isin(registry["siret"].unique()).groupby(level=0).any()
    return pd.Series(hit.reindex(positions, fill_value=False).to_numpy(bool), index=holders.index)


def contract_status(contracts: pd.DataFrame, clauses: pd.DataFrame, participations: pd.DataFrame,
                    suppliers: pd.DataFrame, params: Params,
                    coverage: pd.Series | None = None) -> pd.DataFrame:
    """Status of each contract at ``params.as_of_date`` and the numbers behind it.

    ``coverage`` is :func:`facilitator_coverage` (None = every buyer covered for every contract, for
    callers that judge delivery on complete data). Returns ``contracts`` (same index) with added
    columns: ``clause``, ``criterion``, ``reserved``, ``declared``, ``reserved_verified``,
    ``covered``, ``has_clause_row``, ``months_elapsed``, ``planned_hours`` (several clauses rows of
    a contract summed; 0 without one), ``expected_hours``, ``realized_hours``, ``delivery_ratio``
    (realized / expected, NaN when expected is 0), ``delivered``, ``status``, ``effective``,
    ``assessable`` (status ≠ NOT_DUE) and ``in_covered_set`` (assessable and status ≠ NOT_COVERED).

    ``delivered(c)``: realized > 0 and, when the contract has a clauses row, realized ≥
    ``min_delivery_ratio`` × expected — the same standard of proof whether the contract was
    declared or not.

    Rules, the first that matches:

    1. NOT_DUE: less than one month from notification to ``as_of`` (declared or not);
    2. NOT_COVERED: the contract is not covered by the facilitator's data;
    3. declared (Clause sociale, Critère social or Marché réservé): VERIFIED if the reservation is
       verified (a holder in the registry with an eligible kind) or Clause sociale is declared and
       delivered; SHORTFALL if Clause sociale is declared and realized > 0; NO_EVIDENCE if Clause
       sociale is declared with realized = 0, or Marché réservé is declared and not verified;
       UNVERIFIABLE if only Critère social is declared;
    4. not declared: UNDECLARED_DELIVERY if delivered, else NOT_DECLARED.
    """
    as_of = _ts(params.as_of_date)
    out = contracts.copy()
    flags = consideration_flags(out["social_considerations"])
    for col in flags.columns:
        out[col] = flags[col].to_numpy(bool)
    out["reserved_verified"] = out["reserved"].to_numpy(bool) & holders_in_registry(
        out["holders"], suppliers, schemas.ELIGIBLE_KINDS).to_numpy(bool)
    if coverage is None:
        out["covered"] = True
    else:
        out["covered"] = covered_contracts(out["buyer_siret"], out["notification_date"],
                                           coverage).to_numpy(bool)

    planned = clauses.groupby("uid", sort=False)["planned_hours"].sum()
    out["has_clause_row"] = out["uid"].isin(planned.index).to_numpy(bool)
    out["planned_hours"] = out["uid"].map(planned).fillna(0.0).astype(float)
    out["months_elapsed"] = months_between(out["notification_date"], as_of).astype(float)
    out["expected_hours"] = out["planned_hours"].to_numpy(float) * due_fraction(
        out["notification_date"], out["duration_months"], as_of).to_numpy(float)
    realized = realized_hours(participations, params.as_of_date)
    out["realized_hours"] = out["uid"].map(realized).fillna(0.0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["delivery_ratio"] = np.where(out["expected_hours"] > 0,
                                         out["realized_hours"] / out["expected_hours"], np.nan)

    return classify(out, params.min_delivery_ratio)


#: The columns :func:`classify` reads (all in ``contracts.csv``, so a report can be re-classified
#: under another ratio without the raw data: the ``min_delivery_ratio`` sensitivity sweep).
CLASSIFY_COLUMNS: tuple[str, ...] = ("months_elapsed", "covered", "declared", "clause", "reserved",
                                     "reserved_verified", "has_clause_row", "expected_hours",
                                     "realized_hours")


def classify(frame: pd.DataFrame, min_delivery_ratio: float) -> pd.DataFrame:
    """``delivered``, ``status``, ``effective``, ``assessable`` and ``in_covered_set`` of each
    contract from its measured columns (:data:`CLASSIFY_COLUMNS`), by the rules of
    :func:`contract_status`; returns a copy of ``frame`` with those columns set."""
    out = frame.copy()
    expected = out["expected_hours"].astype(float)
    threshold = min_delivery_ratio * expected
    realized_h = out["realized_hours"].astype(float)
    meets = realized_h >= threshold - RATIO_TOLERANCE * np.maximum(threshold, 1.0)
    positive = realized_h > 0
    has_row = out["has_clause_row"].astype(bool)
    out["delivered"] = (positive & (~has_row | meets)).astype(bool)
    clause, declared = out["clause"].astype(bool), out["declared"].astype(bool)
    reserved, verified = out["reserved"].astype(bool), out["reserved_verified"].astype(bool)
    conditions = [
        out["months_elapsed"].astype(float) < 1.0,
        ~out["covered"].astype(bool),
        declared & (verified | (clause & out["delivered"])),
        declared & clause & positive,
        declared & ((clause & ~positive) | (reserved & ~verified)),
        declared,
        out["delivered"],
    ]
    choices = [NOT_DUE, NOT_COVERED, VERIFIED, SHORTFALL, NO_EVIDENCE, UNVERIFIABLE,
               UNDECLARED_DELIVERY]
    out["status"] = np.select(conditions, choices, default=NOT_DECLARED) if len(out) else pd.Series(
        [], dtype=object)
    out["status"] = out["status"].astype(object)
    out["effective"] = out["status"].isin(EFFECTIVE_STATUSES)
    out["assessable"] = out["status"].ne(NOT_DUE)
    out["in_covered_set"] = out["assessable"] & out["status"].ne(NOT_COVERED)
    return out
