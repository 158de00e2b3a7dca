"""Page 04 (declared and delivered) of the yearly report: whether what the buyers declare is
delivered, shown in the page's language.

It holds the statuses of the contracts (``status_table``, ``status_figure``, the funnel declared →
followed → delivered), the verdict of the whole scope and of each buyer with its reason
(``whole_scope_verdict``, ``verdict_reasons``, ``verdict_table``; flagged buyers first), the declared
and effective shares per buyer over the covered contracts (``shares_by_buyer_figure``, also drawn on
page 02 over the assessable contracts, and ``share_by_amount_figure``), and the contracts behind the
social-washing flags (``contracts_behind_flags``).

Nothing is computed here: statuses, shares, tests and verdicts come from :mod:`helpers.indicators`
and the verdicts' sentences from :mod:`helpers.verdict_text`; this module only shapes them for the
page, with the page's language and formats of :mod:`helpers.notebook`. The page's robustness
sections (sensitivity to the delivery threshold, power of the test) are in
:mod:`helpers.notebook_checks`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import fmt, labels, verdict_text
from .notebook import MAX_ROWS, _frame, _params, lang, md, number, percent, say, table, word


def funnel(results: Any) -> dict[str, int]:
    """Status funnel over the covered assessable contracts (docs/design.md §3.4 statuses):
    declared → followed (a clauses row with planned hours, some hours recorded, or a verified reserved
    holder: someone tracks the clause) → delivered (status ``VERIFIED``)."""
    c = results.contracts
    a = c.loc[c["assessable"].astype(bool) & c["covered"].astype(bool)
              & c["declared"].astype(bool)]
    followed = (a["planned_hours"].fillna(0) > 0) | (a["realized_hours"].fillna(0) > 0) \
        | a["reserved_verified"].astype(bool)
    return {"declared": int(len(a)), "followed": int(followed.sum()),
            "delivered": int(a["status"].eq("VERIFIED").sum())}


def funnel_figure(results: Any) -> None:
    """:func:`funnel` as a figure, in the page's language."""
    from . import figures

    stages = funnel(results)
    figures.show(figures.plot_funnel(
        stages, title=word("f_funnel_title"), xlabel=word("n_contracts"), ylabel=word("f_funnel_y"),
        names={k: word(f"stage_{k}") for k in stages}, value_label=word("f_funnel_value"),
        percent=percent, number=lambda v: number(v)), "status_funnel")


def status_table(results: Any) -> pd.DataFrame:
    """Contracts in scope per status (labels, in the order of the rules)."""
    counts = results.indicators.get("status_counts", {})
    keys = [*labels.STATUS_CODES, *sorted(set(counts) - set(labels.STATUS_CODES))]
    rows = [{"status": word(k) if k in labels.STATUS_CODES else k,
             "n_contracts": number(counts.get(k, 0) or 0)} for k in keys]
    return _frame(rows, ["status", "n_contracts"])


def status_figure(results: Any) -> None:
    """Contracts in scope per status as a figure, in the page's language."""
    from . import figures

    figures.show(figures.plot_status_counts(
        results.indicators.get("status_counts", {}), title=word("f_status_title"),
        xlabel=word("f_status_x"), ylabel=word("f_status_y"),
        names={k: word(k) for k in labels.STATUS_CODES}, number=lambda v: number(v)),
        "status_counts")


VERDICT_ORDER = {"social_washing": 0, "possible_social_washing": 1, "below_target": 2,
                 "compliant": 3, "not_measured": 4, "insufficient_data": 5}


def delivery_note(results: Any) -> None:
    """One sentence, shown when delivery could not be judged for the whole scope or for some buyers:
    why nothing is concluded about their delivery (no facilitator data, or too few covered
    contracts)."""
    ind = results.indicators
    minimum = ind.get("parameters", {}).get("min_contracts", _params().min_contracts)
    m = fmt.number(minimum, lang())
    if not ind.get("coverage", {}).get("facilitator_data", True):
        say("04.no_facilitator", min_contracts=m)
        return
    not_measured = int((results.buyers["verdict"] == "not_measured").sum())
    if not_measured:
        say("04.one_not_measured" if not_measured == 1 else "04.some_not_measured",
            n=number(not_measured), min_contracts=m)


def _sorted_buyers(results: Any) -> pd.DataFrame:
    """``buyers_detail`` flagged buyers first, then by assessable contracts."""
    b = results.tables["buyers_detail"].copy()
    b["_order"] = b["verdict"].map(VERDICT_ORDER).fillna(9)
    return b.sort_values(["_order", "assessable_contracts", "buyer_siret"],
                         ascending=[True, False, True], kind="stable").drop(columns="_order")


def whole_scope_verdict(results: Any) -> None:
    """The verdict of the whole scope with its reason (:func:`helpers.verdict_text.verdict_sentence`)
    and the figures behind it (shares, gap, McNemar's test)."""
    ind, p, lg = results.indicators, _params(), lang()
    if ind.get("verdict"):
        sentence = verdict_text.verdict_sentence(verdict_text.row_from_indicators(ind), lg,
                                                 p.target, min_contracts=p.min_contracts)
        say("04.whole_verdict", verdict=word(ind["verdict"]), sentence=sentence)
    gap, dec, eff = ind.get("gap") or {}, ind.get("declared") or {}, ind.get("effective") or {}
    ci95 = gap.get("ci95") or [None, None]
    say("04.whole_details", covered=number(ind.get("covered_contracts")),
        assessable=number(ind.get("assessable_contracts")),
        declared=percent(dec.get("covered_share")), effective=percent(eff.get("share")),
        ci=fmt.ci_pair(eff.get("ci95"), lg), upper=percent(eff.get("upper_share")),
        unsub=_capital(percent((ind.get("unsubstantiated") or {}).get("share"))),
        gap=fmt.points(gap.get("points"), lg), gap_low=fmt.points(ci95[0], lg),
        gap_high=fmt.points(ci95[1], lg), mcnemar=fmt.pvalue(gap.get("mcnemar_p"), lg),
        dne=number(gap.get("declared_not_effective")),
        end=number(gap.get("effective_not_declared")))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def verdict_reasons(results: Any, max_rows: int = MAX_ROWS) -> None:
    """Each buyer's verdict with its reason and how sure, one line each (flagged buyers first;
    bounded, the rest in buyers.csv)."""
    p, lg = _params(), lang()
    b = _sorted_buyers(results)
    lines = []
    for _, r in b.head(max_rows).iterrows():
        sentence = verdict_text.verdict_sentence(r, lg, p.target, min_contracts=p.min_contracts)
        colon = "\u00a0:" if lg == "fr" else ":"
        lines.append(f"- **{_escape(r['buyer_name'])}** (SIRET {r['buyer_siret']}){colon} "
                     f"*{word(r['verdict'])}.* {sentence}")
    if lines:
        md("\n\n".join(lines))
    if len(b) > max_rows:
        say("04.more_buyers", n=number(len(b) - max_rows))


def _escape(text: Any) -> str:
    """A name from the data as plain Markdown text (its ``*``, ``_``, ``[`` … are not markup)."""
    return "".join("\\" + ch if ch in "\\`*_{}[]<>#|" else ch for ch in str(text))


def verdict_table(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """The buyers' figures for display: flagged buyers first, then by assessable contracts; shares
    in %, gap in points, q-value; bounded (complete table in buyers.csv)."""
    lg = lang()
    cols = ["buyer_name", "verdict", "assessable_contracts", "covered_contracts", "declared_share",
            "declared_covered_share", "effective_share", "unsubstantiated_share", "gap_points",
            "q_value"]
    rows = []
    for _, r in _sorted_buyers(results).head(max_rows).iterrows():
        rows.append({
            "buyer_name": r["buyer_name"], "verdict": word(r["verdict"]),
            "assessable_contracts": number(r["assessable_contracts"]),
            "covered_contracts": number(r["covered_contracts"]),
            **{c: percent(r[c]) for c in ("declared_share", "declared_covered_share",
                                          "effective_share", "unsubstantiated_share")},
            "gap_points": fmt.points(r["gap_points"], lg),
            "q_value": fmt.MISSING if fmt.is_missing(r["q_value"]) else
            fmt.pvalue(r["q_value"], lg, "q"),
        })
    return _frame(rows, cols)


def _covered_view(results: Any) -> pd.DataFrame:
    """``buyers_detail`` of the buyers with covered contracts, with the declared share over the
    covered set in the ``declared_*`` columns the per-buyer figures read (and the covered contracts
    as their size), so that declared and effective shares are over the same contracts."""
    d = results.tables["buyers_detail"]
    d = d.loc[d["covered_contracts"].fillna(0) > 0]
    return d.assign(assessable_contracts=d["covered_contracts"],
                    declared_n=d["declared_covered_n"],
                    declared_share=d["declared_covered_share"],
                    declared_ci_low=d["declared_covered_ci_low"],
                    declared_ci_high=d["declared_covered_ci_high"],
                    declared_share_by_amount=d["declared_covered_share_by_amount"])


def shares_by_buyer_figure(results: Any, effective: bool = True) -> None:
    """Declared share per buyer over the assessable contracts (``effective=False``, page 02) or
    declared and effective shares over the covered contracts (page 04), in the page's language."""
    from . import figures

    p = _params()
    frame = _covered_view(results) if effective else results.tables["buyers_detail"]
    figures.show(figures.plot_shares_by_buyer(
        frame, p.target, effective=effective, alpha=p.alpha,
        title=word("f_shares_title" if effective else "f_declared_title"),
        title_largest=word("f_largest"), xlabel=word("f_share_x"), ylabel=word("f_buyer"),
        declared_label=word("f_declared_ci"), effective_label=word("f_effective_ci"),
        target_label=word("f_target"), dist_title=word("f_dist_title"),
        dist_ylabel=word("f_dist_y"), empty=word("f_empty"), percent=percent),
        "declared_vs_effective_by_buyer" if effective else "declared_share_by_buyer")


def share_by_amount_figure(results: Any) -> None:
    """Declared and effective shares by amount per buyer, over the covered contracts."""
    from . import figures

    figures.show(figures.plot_share_by_amount(
        _covered_view(results), _params().target, title=word("f_amount_title"),
        title_largest=word("f_largest"), xlabel=word("f_amount_x"), ylabel=word("f_buyer"),
        declared_label=word("legend_declared"), effective_label=word("legend_effective"),
        target_label=word("f_target"), empty=word("f_empty"), percent=percent),
        "declared_vs_effective_by_amount")


FLAG_COLUMNS = ["uid", "buyer_name", "notification_date", "amount", "considerations",
                "planned_hours", "expected_hours", "realized_hours", "status"]


def contracts_behind_flags(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame | None:
    """Display how many contracts are behind the social-washing flags and return the largest
    ``max_rows`` of them (see :func:`flagged_contracts`) with the page's headers; a sentence when
    there is none."""
    rows, total = flagged_contracts(results, max_rows=max_rows)
    if total == 0:
        say("04.no_flags")
        return None
    if total > len(rows):
        say("04.flags_count_some", total=number(total), shown=number(len(rows)))
    else:
        say("04.flags_count_all", total=number(total))
    lg = lang()
    out = [{"uid": r["uid"], "buyer_name": r["buyer_name"],
            "notification_date": fmt.date(r["notification_date"], lg),
            "amount": number(r["amount"]),
            "considerations": labels.consideration_text(r["considerations"], lg),
            **{c: number(r[c]) for c in ("planned_hours", "expected_hours", "realized_hours")},
            "status": word(r["status"])} for _, r in rows.iterrows()]
    return _frame(out, FLAG_COLUMNS)


def flagged_contracts(results: Any,
                      verdicts: tuple[str, ...] = ("social_washing", "possible_social_washing"),
                      max_rows: int = MAX_ROWS) -> tuple[pd.DataFrame, int]:
    """The contracts behind the flags: covered assessable contracts of the buyers whose verdict is in
    ``verdicts``, declared but not effective (status SHORTFALL, NO_EVIDENCE or UNVERIFIABLE), largest
    amounts first. Returns the first ``max_rows`` and the total number (all are in contracts.csv)."""
    flagged = results.buyers.loc[results.buyers["verdict"].isin(verdicts), "buyer_siret"]
    c = results.contracts
    rows = c.loc[c["buyer_siret"].isin(set(flagged)) & c["assessable"].astype(bool)
                 & c["covered"].astype(bool)
                 & c["declared"].astype(bool) & ~c["effective"].astype(bool)]
    rows = rows.sort_values(["amount", "uid"], ascending=[False, True], kind="stable")
    shown_ = rows[FLAG_COLUMNS].copy()
    shown_["notification_date"] = pd.to_datetime(shown_["notification_date"]).dt.strftime("%Y-%m-%d")
    for col in ("amount", "planned_hours", "expected_hours", "realized_hours"):
        shown_[col] = shown_[col].astype(float).round(0).astype("Int64")
    return table(shown_, max_rows), int(len(rows))
