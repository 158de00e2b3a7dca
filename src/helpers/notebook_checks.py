"""What the social-washing page shows about how robust its conclusions are: the sensitivity of the
delivered share and the verdicts to the delivery threshold (``min_delivery_ratio``), and what the
one-sided binomial test can establish with a given number of followed contracts (its exact power,
and the buyers too small for it to find anything).

Both are computed from what the report already holds: the contracts of ``contracts.csv``
re-classified under each threshold (:func:`helpers.indicators.sensitivity.from_contracts`), and the
binomial distribution (:mod:`helpers.indicators.power`). Texts and formats come from the page's
language (:mod:`helpers.notebook`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import fmt, labels, texts
from .notebook import _frame, _params, lang, number, percent, run_fields, say, word

#: The thresholds of the sweep, and the sizes and true shares of the power table.
RATIOS: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
POWER_SIZES: tuple[int, ...] = (10, 20, 50, 100)
POWER_SHARES: tuple[float, ...] = (0.10, 0.15, 0.20, 0.25)


def sensitivity_table(results: Any) -> pd.DataFrame:
    """The whole scope's delivered share, its upper bound and verdict at each threshold of
    :data:`RATIOS`, and how many buyers have another verdict than at the threshold in use; then a
    sentence naming the buyers whose verdict depends on the threshold."""
    from .indicators.sensitivity import ALL, changed_buyers, from_contracts, sweep

    params = _params()
    table = sweep(from_contracts(results.contracts), params, RATIOS)
    _PAGE_SWEEP["table"] = table
    base = table[table["min_delivery_ratio"].eq(params.min_delivery_ratio)]
    base = base.set_index("buyer_siret")["verdict"]
    rows = []
    for ratio, part in table.groupby("min_delivery_ratio", sort=True):
        scope = part[part["buyer_siret"].eq(ALL)].iloc[0]
        buyers = part[part["buyer_siret"].ne(ALL)].set_index("buyer_siret")["verdict"]
        moved = int((buyers != base.reindex(buyers.index)).sum()) if len(base) else 0
        rows.append({"h_ratio": fmt.target(ratio, lang()),
                     "h_scope_share": percent(scope["effective_share"]),
                     "h_scope_upper": percent(scope["upper_share"]),
                     "h_scope_verdict": word(scope["verdict"]),
                     "h_changed": number(moved)})
    changed = changed_buyers(table)
    names = table.drop_duplicates("buyer_siret").set_index("buyer_siret")["buyer_name"]
    moved_names = [str(names.get(s) or s) for s in changed.index if s != ALL]
    if moved_names:
        say("04.sensitivity_changed", names=", ".join(moved_names))
    else:
        say("04.sensitivity_stable")
    return _frame(rows, list(rows[0]) if rows else ["h_ratio"])


#: The sweep of the last :func:`sensitivity_table`, for :func:`sensitivity_figure`.
_PAGE_SWEEP: dict[str, pd.DataFrame] = {}


def sensitivity_figure(results: Any) -> None:
    """The sweep as a figure (:func:`helpers.indicators.sensitivity.sensitivity_figure`)."""
    from . import figures
    from .indicators.sensitivity import from_contracts, sensitivity_figure, sweep

    params = _params()
    table = _PAGE_SWEEP.get("table")
    if table is None:
        table = sweep(from_contracts(results.contracts), params, RATIOS)
    fig = sensitivity_figure(
        table, params.target, params.min_delivery_ratio, title=word("f_sens_title"),
        scope_title=word("f_sens_scope"), buyers_title=word("f_sens_buyers"),
        xlabel=word("f_sens_x"), share_label=word("f_sens_share"), count_label=word("f_sens_count"),
        effective_label=word("f_sens_effective"), upper_label=word("f_sens_upper"),
        target_label=word("f_sens_target"), current_label=word("f_sens_current"),
        names={v: labels.label(v, lang()) for v in labels.VERDICT_CODES}, percent=percent)
    figures.show(fig, "sensitivity_delivery_ratio")


def power_section(results: Any) -> pd.DataFrame:
    """The paragraph on what the test can establish, with one worked example from the table, the
    buyers too small for the test, and the exact power table (probability that the one-sided
    binomial test at ``alpha`` finds a shortfall below the target, by followed contracts and true
    delivered share)."""
    from .indicators.power import power_table, smallest_testable_n

    params = _params()
    table = power_table(POWER_SIZES, POWER_SHARES, params.target, params.alpha)
    example = table[(table["n"] == 20) & (table["true_share"].round(2) == 0.15)]
    sentence = ""
    if len(example):
        sentence = fmt_text("04.power_example", n=number(20), share=percent(0.15, 0),
                            power=percent(float(example["power"].iloc[0]), 0))
    say("04.power", example=sentence)
    min_n = smallest_testable_n(params.target, params.alpha)
    b = results.buyers
    judged = b[b["covered_contracts"].fillna(0) >= params.min_contracts]
    small = judged[judged["covered_contracts"] < min_n]
    if len(small):
        names = [str(n) if isinstance(n, str) else str(s)
                 for s, n in zip(small["buyer_siret"], small["buyer_name"])]
        say("04.too_small", min_n=number(min_n), names=", ".join(names))
    wide = table.pivot(index="n", columns="true_share", values="power")
    rows = [{"h_n": number(n), **{percent(share, 0): percent(wide.loc[n, share], 0)
                                   for share in wide.columns}} for n in wide.index]
    out = pd.DataFrame(rows).astype(object)
    out = out.rename(columns={"h_n": word("h_n")})
    out.columns.name = word("h_true_share")
    out.index = range(1, len(out) + 1)
    return out


def fmt_text(key: str, **values: Any) -> str:
    """A paragraph of :mod:`helpers.texts` as text (not displayed), in the page's language."""

    return texts.text(key, lang(), **{**run_fields(), **values})
