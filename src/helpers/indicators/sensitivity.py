"""Sensitivity of the results to the delivery ratio ``min_delivery_ratio``.

A clause contract counts as delivered when its realized hours reach ``min_delivery_ratio`` × its
expected hours (docs/indicators.md). The ratio is a convention (0.8 by default), not a measured
quantity, so the report shows how the effective share and the verdicts move when it varies over
:data:`RATIOS` = 0.5, 0.6, 0.7, 0.8, 0.9, 1.0. A lower ratio can only turn SHORTFALL contracts into
VERIFIED ones, so the effective share can only fall as the ratio rises; the upper bound (which also
counts UNVERIFIABLE contracts as effective) moves with it.

:func:`sweep` takes any callable ``compute(params) -> results`` whose result has ``indicators`` (the
content of ``indicators.json``: ``effective.share``, ``effective.upper_share``, ``verdict``) and
``buyers`` (the ``buyers.csv`` table: ``buyer_siret``, ``verdict``, ``effective_share``), typically
``lambda p: helpers.indicators.compute_results(dataset, p)``, and returns a tidy table. A published
report can be swept without its raw data: :func:`from_contracts` re-classifies the contracts of
``contracts.csv`` (their measured hours and flags, :data:`helpers.indicators.status.CLASSIFY_COLUMNS`)
under each ratio and recomputes the shares and verdicts with the same share table. The figure is
drawn with seaborn by :func:`sensitivity_figure`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..params import Params

RATIOS: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
ALL = "ALL"
COLUMNS: list[str] = ["min_delivery_ratio", "buyer_siret", "buyer_name", "effective_share",
                      "upper_share", "verdict"]


def _float(x: Any) -> float:
    return float("nan") if x is None or x is pd.NA else float(x)


def sweep(compute: Callable[[Params], Any], params: Params,
          ratios: Sequence[float] = RATIOS) -> pd.DataFrame:
    """One row per ratio for the whole scope (``buyer_siret = "ALL"``) and one per ratio and buyer:
    min_delivery_ratio, buyer_siret, buyer_name, effective_share (over the covered set),
    upper_share (NaN for a buyer when the buyers table has no ``upper_share`` column), verdict.
    ``compute`` is called once per ratio with ``params`` where only ``min_delivery_ratio`` differs.
    Sorted by ratio, then the scope row, then buyer SIRET."""
    bad = [r for r in ratios if not 0.0 <= float(r) <= 1.0]
    if bad:
        raise ValueError(f"min_delivery_ratio values must lie in [0, 1] (got {bad})")
    rows: list[dict[str, Any]] = []
    for ratio in sorted({float(r) for r in ratios}):
        res = compute(dataclasses.replace(params, min_delivery_ratio=ratio))
        eff = res.indicators.get("effective") or {}
        rows.append({"min_delivery_ratio": ratio, "buyer_siret": ALL, "buyer_name": "Whole scope",
                     "effective_share": _float(eff.get("share")),
                     "upper_share": _float(eff.get("upper_share")),
                     "verdict": res.indicators.get("verdict")})
        b = res.buyers
        for rec in b.to_dict("records"):
            rows.append({"min_delivery_ratio": ratio, "buyer_siret": str(rec["buyer_siret"]),
                         "buyer_name": rec.get("buyer_name"),
                         "effective_share": _float(rec.get("effective_share")),
                         "upper_share": _float(rec.get("upper_share")),
                         "verdict": rec.get("verdict")})
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["_b"] = out["buyer_siret"].ne(ALL)
    out = out.sort_values(["min_delivery_ratio", "_b", "buyer_siret"], kind="stable").drop(columns="_b")
    return out.reset_index(drop=True)


def verdict_table(table: pd.DataFrame) -> pd.DataFrame:
    """The verdicts as a wide table: one row per buyer (the whole scope first), one column per ratio."""
    wide = table.pivot(index="buyer_siret", columns="min_delivery_ratio", values="verdict")
    order = [ALL, *sorted(s for s in wide.index if s != ALL)]
    wide = wide.reindex([s for s in order if s in wide.index])
    wide.columns = [f"{c:g}" for c in wide.columns]
    return wide


def changed_buyers(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`verdict_table` (buyers and scope) whose verdict is not the same at every
    ratio."""
    wide = verdict_table(table)
    return wide[wide.nunique(axis=1, dropna=False) > 1]


def sensitivity_figure(table: pd.DataFrame, target: float = 0.30, current: float | None = 0.8, *,
                       title: str = "Sensitivity of the effective share and verdicts to the "
                                    "delivery ratio",
                       scope_title: str = "Whole scope", buyers_title: str = "Buyers by verdict",
                       xlabel: str = "Delivery ratio required (realized / expected hours)",
                       share_label: str = "Share of covered contracts (%)",
                       count_label: str = "Number of buyers",
                       effective_label: str = "Effective share",
                       upper_label: str = "Upper bound (criteria counted as kept)",
                       target_label: str = "Target {target}", current_label: str = "Ratio in use",
                       names: Mapping[str, str] | None = None,
                       percent: Callable[[float, int], str] | None = None) -> Any:
    """Seaborn figure, two panels: (left) the whole scope's effective share and its upper bound
    against the ratio, with the target and the ratio in use marked; (right) the number of buyers
    with each verdict at each ratio. Every text is a keyword argument (English defaults), verdict
    codes are shown through ``names``, shares through ``percent``. Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from ..figures import VERDICT_COLORS, VERDICT_ORDER, WIDTH, ordered, percent_text, theme, wrap

    pct = percent or percent_text
    names = dict(names or {})
    with theme():
        scope = table[table["buyer_siret"].eq(ALL)]
        long = scope.melt(id_vars="min_delivery_ratio",
                          value_vars=["effective_share", "upper_share"],
                          var_name="measure", value_name="share").dropna(subset=["share"])
        long["measure"] = long["measure"].map({"effective_share": effective_label,
                                               "upper_share": upper_label})
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 7.0), layout="constrained")
        if not long.empty:
            sns.lineplot(data=long, x="min_delivery_ratio", y="share", hue="measure",
                         style="measure", markers=True, dashes=False, ax=ax1)
        ax1.axhline(target, color="#C44E52", ls="--", lw=1,
                    label=target_label.format(target=pct(target, 0)))
        if current is not None:
            ax1.axvline(current, color="grey", ls=":", lw=1, label=current_label)
        ax1.set_ylim(0, 1)
        ax1.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: pct(v, 0)))
        ax1.set_xlabel(wrap(xlabel, 40))
        ax1.set_ylabel(share_label)
        ax1.set_title(scope_title)
        handles, texts = ax1.get_legend_handles_labels()
        ax1.legend(handles, [wrap(t, 40) for t in texts], loc="upper center",
                   bbox_to_anchor=(0.5, -0.25), ncols=1, frameon=False)
        buyers = table[table["buyer_siret"].ne(ALL)]
        if not buyers.empty:
            counts = (buyers.groupby(["min_delivery_ratio", "verdict"]).size()
                      .unstack(fill_value=0))
            order = ordered(counts.columns, VERDICT_ORDER)
            x = np.arange(len(counts.index))
            bottom = np.zeros(len(x))
            for v in order:  # stacked: every buyer once per threshold
                ax2.bar(x, counts[v].to_numpy(float), bottom=bottom, width=0.7,
                        color=VERDICT_COLORS.get(v, "#BDBDBD"), label=wrap(names.get(v, v), 40))
                bottom += counts[v].to_numpy(float)
            ax2.set_xticks(x, [f"{r:g}" for r in counts.index])
            ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=1, frameon=False)
        ax2.set_xlabel(wrap(xlabel, 40))
        ax2.set_ylabel(count_label)
        ax2.set_title(buyers_title)
        ax2.yaxis.get_major_locator().set_params(integer=True)
        fig.suptitle(wrap(title, 80))
        for text in fig.findobj(match=lambda a: hasattr(a, "set_usetex")):
            text.set_usetex(False)
    return fig


def from_contracts(contracts: pd.DataFrame) -> Callable[[Params], Any]:
    """A ``compute`` for :func:`sweep` that re-classifies the contracts of a report (one row per
    contract in scope, with the columns of ``contracts.csv``) under ``params.min_delivery_ratio``
    (:func:`helpers.indicators.status.classify`) and recomputes the whole scope's and each buyer's
    shares and verdicts (:func:`helpers.indicators.shares.share_table`)."""
    from types import SimpleNamespace

    from .shares import share_table
    from .status import classify

    def compute(params: Params) -> Any:
        st = classify(contracts, params.min_delivery_ratio)
        whole = share_table(st, params).iloc[0]
        per = share_table(st, params, by="buyer_siret").reset_index()
        names = contracts.drop_duplicates("buyer_siret").set_index("buyer_siret")["buyer_name"]
        buyers = pd.DataFrame({"buyer_siret": per["buyer_siret"],
                               "buyer_name": per["buyer_siret"].map(names),
                               "effective_share": per["effective_share"],
                               "upper_share": per["effective_upper_share"],
                               "verdict": per["verdict"]})
        indicators = {"verdict": whole["verdict"],
                      "effective": {"share": whole["effective_share"],
                                    "upper_share": whole["effective_upper_share"]}}
        return SimpleNamespace(indicators=indicators, buyers=buyers)

    return compute


def monotone_violations(table: pd.DataFrame) -> pd.DataFrame:
    """Rows where an effective share RISES with the ratio (it cannot, by construction): a check for
    the report; empty when all is well."""
    t = table.sort_values(["buyer_siret", "min_delivery_ratio"])
    rise = t.groupby("buyer_siret")["effective_share"].diff() > 1e-12
    return t[rise.fillna(False) & np.isfinite(t["effective_share"])]


__all__ = ["ALL", "COLUMNS", "RATIOS", "changed_buyers", "from_contracts", "monotone_violations",
           "sensitivity_figure", "sweep", "verdict_table"]
