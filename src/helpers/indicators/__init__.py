"""Declared versus real: contract status, facilitator coverage, shares and tests, verdicts,
activity-year indicators, privacy, and the published results (docs/design.md §3-§4).

Public API::

    from helpers.indicators import compute_results, write_results, Results
    res = compute_results(dataset, params)
    write_results(res, folder)   # indicators.json, buyers.csv, contracts.csv

Building blocks (each tested on its own): :func:`contract_status`, :func:`select_scope`,
:func:`realized_hours`, :func:`due_fraction`, :func:`wilson_interval`, :func:`paired_gap_interval`,
:func:`mcnemar_exact_p`, :func:`below_target_p`, :func:`bh_q_values`, :func:`verdict`, :func:`share_table`,
:func:`activity_indicators`, :func:`gini`, :func:`apply_privacy`.
"""

from .activity import Activity, activity_indicators, gini
from .privacy import CellRule, apply_privacy, count_rule, share_rule, suppress_table
from .results import BUYER_COLUMNS, CONTRACT_COLUMNS, TABLE_KEYS, Results, compute_results, write_results
from .shares import (
                      NOT_JUDGED,
                      VERDICTS,
                      below_target_p,
                      bh_q_values,
                      mcnemar_exact_p,
                      paired_gap_interval,
                      share_table,
                      verdict,
                      wilson_interval,
)
from .status import (
                      EFFECTIVE_STATUSES,
                      STATUSES,
                      annotate_contracts,
                      contract_status,
                      covered_contracts,
                      due_fraction,
                      facilitator_coverage,
                      prorated_hours,
                      realized_hours,
                      scope_counts,
                      scope_masks,
                      select_scope,
)

__all__ = [
    "Activity", "BUYER_COLUMNS", "CONTRACT_COLUMNS", "CellRule", "EFFECTIVE_STATUSES", "NOT_JUDGED",
    "Results", "STATUSES", "TABLE_KEYS", "VERDICTS", "activity_indicators", "annotate_contracts",
    "apply_privacy", "below_target_p", "bh_q_values", "compute_results", "contract_status",
    "count_rule", "covered_contracts", "facilitator_coverage",
    "due_fraction", "gini", "mcnemar_exact_p", "paired_gap_interval", "prorated_hours",
    "realized_hours", "scope_counts", "scope_masks", "select_scope", "share_rule", "share_table",
    "suppress_table", "verdict", "wilson_interval", "write_results",
]
