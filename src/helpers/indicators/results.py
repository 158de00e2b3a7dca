"""Everything a run publishes (docs/design.md §4.3): ``indicators.json``, ``buyers.csv``,
``contracts.csv`` and extra tables for notebooks and figures.

``compute_results(dataset, params)`` is pure (no file access); ``write_results(res, folder)`` writes the
three files deterministically (sorted keys, fixed float rounding, LF, UTF-8).
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..params import Params
from .activity import BY_BUYER_PREFIX, EXIT_KEYS, PROFILE_KEYS, activity_indicators
from .privacy import publish
from .shares import VERDICTS, share_table
from .status import (
    STATUSES,
    annotate_contracts,
    buyer_names,
    contract_status,
    facilitator_coverage,
    scope_counts,
    scope_masks,
)

BUYER_COLUMNS: list[str] = [
    "buyer_siret", "buyer_name", "assessable_contracts", "covered_contracts", "declared_n",
    "declared_share", "declared_meets_target", "declared_covered_share", "effective_n",
    "effective_share", "unsubstantiated_share", "gap_points", "mcnemar_p", "binomial_p", "q_value",
    "verdict", "significant",
]
CONTRACT_COLUMNS: list[str] = [
    "uid", "buyer_siret", "buyer_name", "buyer_type", "contract_id", "notification_date", "amount",
    "cpv", "category", "considerations", "duration_months", "months_elapsed", "planned_hours",
    "expected_hours", "realized_hours", "delivery_ratio", "reserved_verified", "covered", "status",
    "declared", "effective", "assessable", "clause", "criterion", "reserved", "has_clause_row",
]
#: Keys of ``declared.by_consideration`` and the flag column each one reads.
CONSIDERATION_KEYS: dict[str, str] = {"clause_sociale": "clause", "critere_social": "criterion",
                                      "marche_reserve": "reserved"}
#: Documented keys of :attr:`Results.tables` (docs/indicators.md, "Tables").
TABLE_KEYS: tuple[str, ...] = (
    "buyers_detail", "status_by_buyer", "by_consideration", "scope_funnel", "profile", "exits",
    "hours_by_contract", "activity_by_buyer",
)


@dataclass
class Results:
    """What a run publishes. ``indicators`` is JSON-serialisable (None for null)."""

    indicators: dict[str, Any]
    buyers: pd.DataFrame
    contracts: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def _num(x: Any) -> Any:
    """Plain Python value for JSON: numpy scalars unwrapped, NaN/NA -> None."""
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if math.isnan(float(x)) else float(x)
    return x


def _ci(low: Any, high: Any) -> list[Any] | None:
    lo, hi = _num(low), _num(high)
    return None if lo is None or hi is None else [lo, hi]


def compute_results(dataset: Dataset, params: Params) -> Results:
    """Statuses, shares, verdicts and activity-year indicators of a run, privacy applied
    (docs/design.md §3-§4).

    Scope: :func:`helpers.indicators.status.select_scope`; facilitator coverage from
    :func:`helpers.indicators.status.facilitator_coverage`; statuses at ``params.as_of_date``; the
    declared share over the assessable set A (scope minus NOT_DUE), the effective share, gap and tests
    over the covered set C (A minus NOT_COVERED), for the whole scope and per buyer; the activity-year
    block over every contract of the selected buyers.
    """
    annotated = annotate_contracts(dataset.contracts, dataset.buyers)
    masks = scope_masks(annotated, params)
    scoped = annotated.loc[masks["in_scope"]]
    coverage = facilitator_coverage(dataset.buyers, dataset.clauses, dataset.participations,
                                    bool(dataset.quality.get("facilitator_data", True)))
    st = contract_status(scoped, dataset.clauses, dataset.participations, dataset.suppliers, params,
                         coverage)

    overall = share_table(st, params).iloc[0]
    buyer_ids = sorted(set(st["buyer_siret"].unique()) | set(params.buyers))
    per_buyer = share_table(st, params, by="buyer_siret", groups=buyer_ids)
    per_buyer.insert(0, "buyer_name",
                     buyer_names(per_buyer.index.to_series(), dataset.buyers,
                                 dataset.contracts).to_numpy(object))
    per_buyer = per_buyer.reset_index()
    buyers_out = per_buyer[BUYER_COLUMNS].copy()

    assessable = st.loc[st["assessable"]]
    n_a = len(assessable)
    covered = assessable["in_covered_set"]
    by_consideration: dict[str, Any] = {}
    for key, flag in CONSIDERATION_KEYS.items():
        mask = assessable[flag]
        k, k_c = int(mask.sum()), int((mask & covered).sum())
        eff = int((mask & covered & assessable["effective"]).sum())
        by_consideration[key] = {"n": k, "share": k / n_a if n_a else None, "covered_n": k_c,
                                 "effective_n": eff, "effective_share": eff / k_c if k_c else None}

    act = activity_indicators(dataset, params, annotated)
    # privacy: small cells, then secondary suppression over every sum of published cells
    published, act_tables, suppressed = publish(act.values, {BY_BUYER_PREFIX: act.by_buyer},
                                                act.rules, act.partitions, params.min_cell_size)
    act_by_buyer = act_tables[BY_BUYER_PREFIX]

    quality = copy.deepcopy(dataset.quality)
    quality["scope"] = {**scope_counts(annotated, params, masks), **act.extra_quality}

    status_counts = st["status"].value_counts()
    indicators: dict[str, Any] = {
        "year": params.year,
        "parameters": params.to_dict(),
        "verdict": str(overall["verdict"]),
        "significant": bool(overall["significant"]),
        "binomial_p": _num(overall["binomial_p"]),
        "scope_contracts": int(len(st)),
        "assessable_contracts": int(overall["assessable_contracts"]),
        "covered_contracts": int(overall["covered_contracts"]),
        "coverage": {
            "facilitator_data": bool(dataset.quality.get("facilitator_data", True)),
            "buyers_covered": int(len(coverage)),
            "buyers_covered_from_date": int(coverage.notna().sum()),
        },
        "declared": {
            "n": int(overall["declared_n"]),
            "share": _num(overall["declared_share"]),
            "ci95": _ci(overall["declared_ci_low"], overall["declared_ci_high"]),
            "share_by_amount": _num(overall["declared_share_by_amount"]),
            "meets_target": _num(overall["declared_meets_target"]),
            "covered_n": int(overall["declared_covered_n"]),
            "covered_share": _num(overall["declared_covered_share"]),
            "covered_share_by_amount": _num(overall["declared_covered_share_by_amount"]),
            "covered_ci95": _ci(overall["declared_covered_ci_low"],
                                overall["declared_covered_ci_high"]),
            "by_consideration": by_consideration,
        },
        "effective": {
            "n": int(overall["effective_n"]),
            "share": _num(overall["effective_share"]),
            "ci95": _ci(overall["effective_ci_low"], overall["effective_ci_high"]),
            "share_by_amount": _num(overall["effective_share_by_amount"]),
            "upper_share": _num(overall["effective_upper_share"]),
            "unverifiable_n": int(overall["unverifiable_n"]),
        },
        "unsubstantiated": {
            "n": int(overall["declared_not_effective"]),
            "share": _num(overall["unsubstantiated_share"]),
            "ci95": _ci(overall["unsubstantiated_ci_low"], overall["unsubstantiated_ci_high"]),
        },
        "gap": {
            "points": _num(overall["gap_points"]),
            "ci95": _ci(overall["gap_ci_low"], overall["gap_ci_high"]),
            "ci_method": "newcombe_paired_wilson",
            "mcnemar_p": _num(overall["mcnemar_p"]),
            "declared_not_effective": int(overall["declared_not_effective"]),
            "effective_not_declared": int(overall["effective_not_declared"]),
        },
        "status_counts": {s: int(status_counts.get(s, 0)) for s in STATUSES},
        "buyers": {"n": int(len(buyers_out)),
                   **{v: int(buyers_out["verdict"].eq(v).sum()) for v in VERDICTS},
                   "significant": int(buyers_out["significant"].sum())},
        **published,
        "data_quality": quality,
        "suppressed": suppressed,
    }

    contracts_out = st.copy()
    contracts_out["considerations"] = contracts_out["social_considerations"].str.join("; ")
    # uid = buyer SIRET (14 characters) + contract id: sorting by uid sorts by buyer, then contract
    contracts_out = contracts_out[CONTRACT_COLUMNS].sort_values("uid", kind="stable")
    contracts_out = contracts_out.reset_index(drop=True)

    status_by_buyer = (st.groupby(["buyer_siret", "status"]).size().unstack(fill_value=0)
                       .reindex(index=pd.Index(buyer_ids, name="buyer_siret"),
                                columns=list(STATUSES), fill_value=0).astype(int))
    status_by_buyer.columns.name = None
    status_by_buyer = status_by_buyer.reset_index()
    status_by_buyer["total"] = status_by_buyer[list(STATUSES)].sum(axis=1)

    funnel = quality["scope"]
    tables = {
        "buyers_detail": per_buyer,
        "status_by_buyer": status_by_buyer,
        "by_consideration": pd.DataFrame([{"consideration": k, **v}
                                          for k, v in by_consideration.items()]),
        "scope_funnel": pd.DataFrame({
            "step": ["contracts_total", "notified_in_year", "notified_in_year_of_buyers", "in_scope",
                     "assessable", "covered"],
            "contracts": [funnel["contracts_total"], funnel["notified_in_year"],
                          funnel["notified_in_year_of_buyers"], funnel["in_scope"], n_a,
                          int(covered.sum())]}),
        "profile": pd.DataFrame([{"key": k, "n": published["activity"]["profile"][f"{k}_n"],
                                  "share": published["activity"]["profile"][f"{k}_share"]}
                                 for k in PROFILE_KEYS]),
        "exits": pd.DataFrame([{"key": k, "n": published["activity"]["exits"][f"{k}_n"],
                                "share": published["activity"]["exits"][f"{k}_share"]}
                               for k in EXIT_KEYS]),
        "hours_by_contract": act.hours_by_contract,
        "activity_by_buyer": act_by_buyer.reset_index(),
    }
    return Results(indicators=_jsonable(indicators), buyers=buyers_out, contracts=contracts_out,
                   tables=tables)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return _num(value)


def round_float(x: float) -> float:
    """Deterministic rounding for published files: 6 decimals when |x| ≥ 1 (amounts keep their
    cents), 6 significant digits when |x| < 1 (p-values keep their magnitude)."""
    if x == 0 or not math.isfinite(x):
        return x
    if abs(x) >= 1:
        return round(x, 6)
    return float(f"{x:.6g}")


def _rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else round_float(value)
    return value


def _format_float(x: float) -> str:
    return format(round_float(float(x)), ".15g")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    from ..safe_csv import neutralise_frame  # text cells starting like a formula get a "'"
    neutralise_frame(frame).to_csv(path, index=False, float_format=_format_float,
                                   date_format="%Y-%m-%d", lineterminator="\n", encoding="utf-8")


def write_results(res: Results, folder: str | Path) -> list[Path]:
    """Write ``indicators.json`` (sorted keys, indent 2, floats rounded by :func:`round_float`,
    NaN -> null, UTF-8, LF), ``buyers.csv`` and ``contracts.csv`` (same rounding, ISO dates, empty for
    null) into ``folder`` (created if needed). Same results -> byte-identical files. Returns the paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "indicators.json", out / "buyers.csv", out / "contracts.csv"]
    text = json.dumps(_rounded(_jsonable(res.indicators)), sort_keys=True, indent=2,
                      ensure_ascii=False, allow_nan=False)
    paths[0].write_bytes((text + "\n").encode("utf-8"))
    _write_csv(res.buyers, paths[1])
    _write_csv(res.contracts, paths[2])
    return paths
