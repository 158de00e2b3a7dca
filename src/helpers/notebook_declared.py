"""Page 02 (declared share) of the yearly report: what the buyers declare in the open procurement
data, shown in the page's language.

It holds the declared share of the whole scope with its 95 % interval (``whole_declared``), the
declared social considerations (``consideration_table``, ``consideration_figure``), the declared
share per buyer (``declared_by_buyer``; its figure is
:func:`helpers.notebook_verdicts.shares_by_buyer_figure` with ``effective=False``), and the official
national shares that put the scope in context (``official_shares``, ``official_table``,
``official_figure``).

Nothing is computed here: the shares come from :mod:`helpers.indicators` and the official series from
:func:`helpers.trends.load_official_shares`; this module only shapes them for the page, with the
page's language and formats of :mod:`helpers.notebook`.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from . import fmt, labels, texts
from .notebook import MAX_ROWS, _frame, _params, lang, number, percent, say, word
from .trends import load_official_shares


def official_shares() -> pd.DataFrame:
    """Official national shares of contracts with a social consideration (year, share, series, scope,
    source), from ``data/reference/official_shares.csv`` through
    :func:`helpers.trends.load_official_shares`."""

    return load_official_shares()


_AMOUNT = re.compile(r"(\d[\d\s]*)\s*EUR")


def official_table(official: pd.DataFrame) -> pd.DataFrame:
    """The official national shares (year, share, source, contracts counted) for the page; the
    threshold of the contracts counted in the page's money format."""
    lg = lang()
    rows = []
    for _, r in official.sort_values("year").iterrows():
        m = _AMOUNT.search(str(r["scope"]))
        counted = str(r["scope"])
        if m:
            amount = fmt.money(float(re.sub(r"\s", "", m.group(1))), lg)
            counted = (f"marchés d'au moins {amount}" if lg == "fr"
                       else f"contracts of at least {amount}")
        rows.append({"year": str(int(r["year"])), "share": percent(r["share"]),
                     "series": r["series"], "official_scope": counted})
    return _frame(rows, ["year", "share", "series", "official_scope"],
                  {"share": "people_share"})


def official_figure(official: pd.DataFrame, results: Any) -> None:
    """The official series with this scope's declared share, in the page's language."""
    from . import figures

    p = _params()
    figures.show(figures.plot_official_context(
        official, p.year, (results.indicators.get("declared") or {}).get("share"), target=p.target,
        title=word("f_official_title"), xlabel=word("f_official_x"), ylabel=word("f_official_y"),
        official_label=word("f_official_series"), scope_label=word("f_official_scope"),
        target_label=word("f_official_target"), break_label=word("f_official_break"),
        percent=percent), "official_context")


def whole_declared(results: Any) -> None:
    """The declared share over the assessable contracts, with its interval, by amount, and whether
    it meets the target on paper."""
    ind = results.indicators
    dec = ind.get("declared") or {}
    say("02.whole_scope_result", n=number(ind.get("assessable_contracts")),
        share=percent(dec.get("share")), ci=fmt.ci_pair(dec.get("ci95"), lang()),
        share_amount=percent(dec.get("share_by_amount")),
        reached=texts.text("02.reached" if dec.get("meets_target") else "02.not_reached", lang()))


def consideration_table(results: Any) -> pd.DataFrame:
    """Declared considerations: contracts declaring each, share of the assessable ones, how many
    are covered and verified, and the verified share among the covered."""
    from .figures import CONSIDERATION_LABELS

    t = results.tables["by_consideration"]
    rows = [{"consideration": labels.consideration_text(
        [CONSIDERATION_LABELS.get(r["consideration"], r["consideration"])], lang()),
        "n": number(r["n"]), "share": percent(r["share"]), "covered_n": number(r["covered_n"]),
        "effective_n": number(r["effective_n"]),
        "consideration_effective_share": percent(r["effective_share"])} for _, r in t.iterrows()]
    return _frame(rows, ["consideration", "n", "share", "covered_n", "effective_n",
                         "consideration_effective_share"])


def consideration_figure(results: Any) -> None:
    """Contracts declaring each consideration as a figure, in the page's language."""
    from . import figures

    names = {k: labels.consideration_text([v], lang())
             for k, v in figures.CONSIDERATION_LABELS.items()}
    figures.show(figures.plot_by_consideration(
        (results.indicators.get("declared") or {}).get("by_consideration") or {},
        results.indicators.get("assessable_contracts") or 0,
        title=word("f_consideration_title"), xlabel=word("f_consideration_x"),
        ylabel=word("f_consideration_y"), names=names, empty=word("f_empty"), percent=percent,
        number=lambda v: number(v)), "declared_by_consideration")


def declared_by_buyer(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Per buyer: assessable contracts, declared count, declared share by number with its 95 % Wilson
    interval, and by amount, largest buyers first; bounded (full table in buyers.csv)."""
    d = results.tables["buyers_detail"].sort_values(
        ["assessable_contracts", "buyer_siret"], ascending=[False, True], kind="stable")
    lg = lang()
    rows = [{"buyer_siret": r["buyer_siret"], "buyer_name": r["buyer_name"],
             "assessable_contracts": number(r["assessable_contracts"]),
             "declared_n": number(r["declared_n"]), "declared_share": percent(r["declared_share"]),
             "ci95": fmt.ci(r["declared_ci_low"], r["declared_ci_high"], lg),
             "declared_share_by_amount": percent(r["declared_share_by_amount"])}
            for _, r in d.head(max_rows).iterrows()]
    return _frame(rows, ["buyer_siret", "buyer_name", "assessable_contracts", "declared_n",
                         "declared_share", "ci95", "declared_share_by_amount"])
