"""What the one-page summary of a year's audit says and shows, for the whole scope or one buyer:
the words and numbers of the page (:class:`Figures`, :func:`summary_content`) and its chart
(:func:`draw_chart`), the same for its HTML and its PDF rendering.

What the page holds, for a reader who presents it to elected officials:

1. the title (the buyer's name, wrapped over as many lines as needed, never cut) and the cut-off
   date;
2. the verdict in plain words and its reason in one sentence, with how sure it is
   (:func:`helpers.verdict_text.verdict_sentence`);
3. key figures, this year beside last year ("—" where the data has no such year): declared share over
   the assessable contracts and over the contracts followed by the facilitator, delivered share,
   share of declared contracts without verified delivery (each with its 95 % interval), insertion
   hours, full-time equivalents, people, exits to employment or training, reserved contracts, spend
   with insertion and social-economy structures. A value withheld for privacy (small counts) says so;
4. a small chart of the declared and delivered shares with their intervals and the target;
5. the ten largest declared contracts that are not effective (declared, status neither "verified"
   nor "delivered without being declared"), by amount, with their status in words
   (:func:`not_effective_declared`, which also lists the contracts of the buyers' spreadsheets);
6. a glossary of the verdict and statuses shown (label, code, rule).

Inputs are the shapes a run publishes: ``indicators.json`` dicts for this year and last year (the
buyer's own indicators for a buyer page), and rows of ``contracts.csv`` (uid, buyer_siret,
contract_id, amount, status, declared, effective, ...). For a buyer, the ``buyers.csv`` row may be
passed too: its Benjamini–Hochberg q-value then says how sure the verdict is.

The page is written by :func:`helpers.summary.write_summary` (HTML there, PDF in
:mod:`helpers.summary_pdf`); this module only assembles the content, and :func:`draw_chart` draws
on axes it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import fmt, labels
from .verdict_text import row_from_indicators, verdict_sentence

#: Number of largest declared-but-not-effective contracts listed.
TOP_N = 10
#: Statuses that make a contract effective (something real was delivered).
EFFECTIVE_STATUSES: tuple[str, ...] = ("VERIFIED", "UNDECLARED_DELIVERY")
#: Columns a contracts table must have for the summary.
CONTRACT_COLUMNS: tuple[str, ...] = ("uid", "buyer_siret", "contract_id", "amount", "status",
                                     "declared", "effective")

DECLARED_COLOR = "#4C72B0"
EFFECTIVE_COLOR = "#DD8452"
TARGET_COLOR = "#C44E52"


# ---------------------------------------------------------------------------------------------------
# content: the same words for HTML and PDF
# ---------------------------------------------------------------------------------------------------

def _dig(ind: Mapping[str, Any] | None, path: str) -> Any:
    node: Any = ind
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return None if fmt.is_missing(node) else node


def _suppressed(ind: Mapping[str, Any] | None, path: str) -> bool:
    return bool(ind) and path in (ind.get("suppressed") or [])


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "vrai")
    return False if fmt.is_missing(value) else bool(value)


@dataclass(frozen=True)
class Figures:
    """Everything written on the page, already in words (no codes except in the glossary)."""

    title: str
    subtitle: str
    verdict: str
    verdict_code: str
    reason: str
    years: tuple[str, str]
    key_rows: list[tuple[str, str, str]]
    shares: list[tuple[str, Any, Any, Any, str]]   # label, share, ci low, ci high, colour
    target: float
    top_heading: str
    top_columns: tuple[str, str, str]
    top_rows: list[tuple[str, str, str]]
    top_more: str
    glossary_heading: str
    glossary_columns: tuple[str, str, str]
    glossary: list[dict[str, str]]
    footer: str
    lang: str


def _value(ind: Mapping[str, Any] | None, path: str, show: Callable[[Any], str],
           lang: str, ci_path: str | None = None) -> str:
    if ind is None:
        return fmt.MISSING
    if _suppressed(ind, path):
        return labels.label("suppressed", lang)
    value = _dig(ind, path)
    if value is None:
        return fmt.MISSING
    text = show(value)
    if ci_path:
        bounds = _dig(ind, ci_path)
        if bounds is not None and fmt.ci_pair(bounds, lang) != fmt.MISSING:
            text += " " + fmt.ci_pair(bounds, lang)
    return text


def _key_rows(this: Mapping[str, Any], last: Mapping[str, Any] | None, lang: str
              ) -> list[tuple[str, str, str]]:
    def share_of(path: str, ci_path: str | None = None):
        return lambda ind: _value(ind, path, lambda v: fmt.share(v, lang), lang, ci_path)

    def count(path: str):
        return lambda ind: _value(ind, path, lambda v: fmt.number(v, lang), lang)

    def exits(ind):
        text = _value(ind, "activity.exits.sorties_dynamiques_n", lambda v: fmt.number(v, lang),
                      lang)
        share = _dig(ind, "activity.exits.sorties_dynamiques_share")
        if share is not None and not _suppressed(ind, "activity.exits.sorties_dynamiques_share"):
            text += f" ({fmt.share(share, lang)} {labels.label('of_missions_ended', lang)})"
        return text

    def reserved(ind):
        text = _value(ind, "reserved.n", lambda v: fmt.number(v, lang), lang)
        verified = _dig(ind, "reserved.verified_n")
        if verified is not None and text != fmt.MISSING:
            word = "dont" if lang == "fr" else "of which"
            text += f" ({word} {fmt.number(verified, lang)} " + (
                "attribués à une structure reconnue)" if lang == "fr" else
                "held by a recognised structure)")
        return text

    def ess(ind):
        text = _value(ind, "ess.amount", lambda v: fmt.money(v, lang), lang)
        share = _dig(ind, "ess.share_of_amount")
        if share is not None and text != fmt.MISSING:
            text += f" ({fmt.share(share, lang)})"
        return text

    def verdict(ind):
        code = _dig(ind, "verdict")
        return labels.label(str(code), lang, kind="verdict") if code else fmt.MISSING

    rows: list[tuple[str, Callable[[Any], str]]] = [
        ("verdict_heading", verdict),
        ("assessable_contracts", count("assessable_contracts")),
        ("covered_contracts", count("covered_contracts")),
        ("declared_share", share_of("declared.share", "declared.ci95")),
        ("declared_covered_share", share_of("declared.covered_share")),
        ("effective_share", share_of("effective.share", "effective.ci95")),
        ("unsubstantiated_share", share_of("unsubstantiated.share", "unsubstantiated.ci95")),
        ("hours", lambda ind: _value(ind, "activity.hours", lambda v: fmt.hours(v, lang), lang)),
        ("etp", lambda ind: _value(ind, "activity.etp", lambda v: fmt.number(v, lang, 1), lang)),
        ("beneficiaries", count("activity.beneficiaries")),
        ("sorties_dynamiques", exits),
        ("reserved_n", reserved),
        ("reserved_amount",
         lambda ind: _value(ind, "reserved.amount", lambda v: fmt.money(v, lang), lang)),
        ("ess_amount", ess),
        ("ess_structures", count("ess.structures")),
    ]
    return [(labels.label(code, lang), show(this),
             show(last) if last is not None else fmt.MISSING) for code, show in rows]


def _frame(contracts: Any) -> pd.DataFrame:
    df = contracts if isinstance(contracts, pd.DataFrame) else pd.DataFrame(list(contracts or []))
    if df.empty and not len(df.columns):
        df = pd.DataFrame(columns=list(CONTRACT_COLUMNS))
    missing = [c for c in CONTRACT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError("the contracts table lacks the column(s) " + ", ".join(missing)
                         + ": pass the rows of the run's contracts.csv")
    return df


def not_effective_declared(contracts: Any, buyer_siret: str | None = None) -> pd.DataFrame:
    """Rows of the contracts table that are declared and not effective (of ``buyer_siret`` when
    given), largest amount first (missing amounts last, then by uid so the order is stable)."""
    df = _frame(contracts)
    mask = df["declared"].map(_as_bool) & ~df["effective"].map(_as_bool)
    if buyer_siret is not None:
        mask &= df["buyer_siret"].astype(str).eq(str(buyer_siret))
    out = df.loc[mask].copy()
    out["_amount"] = pd.to_numeric(out["amount"], errors="coerce")
    out = out.sort_values(["_amount", "uid"], ascending=[False, True], na_position="last",
                          kind="stable")
    return out.drop(columns="_amount").reset_index(drop=True)


def summary_content(this_year: Mapping[str, Any], last_year: Mapping[str, Any] | None,
                    contracts: Any, lang: str = "fr", title: str | None = None, *,
                    buyer_row: Mapping[str, Any] | None = None, buyer_siret: str | None = None,
                    top_n: int = TOP_N) -> Figures:
    """The words and numbers of the page (see the module docstring)."""
    fmt.check_lang(lang)
    params = this_year.get("parameters") or {}
    target = float(params.get("target") if params.get("target") is not None else 0.30)
    min_contracts = int(params.get("min_contracts") or 5)
    year = this_year.get("year")
    as_of = params.get("as_of") or (f"{year}-12-31" if year else None)
    row = dict(buyer_row) if buyer_row is not None else row_from_indicators(this_year)
    verdict_code = str(row.get("verdict") or this_year.get("verdict"))
    reason = verdict_sentence(row, lang, target, min_contracts=min_contracts)
    cell = params.get("min_cell_size")
    if cell is not None and int(cell) < 11:  # stated on every page (allowed by allow_small_cells)
        reason += (f" Attention : effectifs publiés à partir de {fmt.number(cell, lang)} personnes, "
                   "sous le seuil habituel de 11 ; ne pas diffuser sans cette mention."
                   if lang == "fr" else
                   f" Warning: counts of people published from {fmt.number(cell, lang)} people, "
                   "below the usual threshold of 11; do not circulate without this warning.")
    last_year_label = str(last_year.get("year")) if last_year and last_year.get("year") else (
        str(int(year) - 1) if year else labels.label("last_year", lang))

    judged = verdict_code not in ("insufficient_data", "not_measured")
    shares = [(labels.label("legend_declared", lang) + (" *" if judged else ""),
               _dig(this_year, "declared.covered_share" if judged else "declared.share"),
               *((None, None) if judged else (_dig(this_year, "declared.ci95") or (None, None))),
               DECLARED_COLOR)]
    if judged:
        low, high = _dig(this_year, "effective.ci95") or (None, None)
        shares.append((labels.label("legend_effective", lang) + " *",
                       _dig(this_year, "effective.share"), low, high, EFFECTIVE_COLOR))

    top = not_effective_declared(contracts, buyer_siret)
    id_col = "contract_id" if buyer_siret is not None else "uid"
    top_rows = [(str(r[id_col]), fmt.number(r["amount"], lang),
                 labels.label(str(r["status"]), lang, kind="status"))
                for _, r in top.head(top_n).iterrows()]
    more = len(top) - len(top_rows)
    more_text = (("… et {n} autres marchés déclarés sans réalisation vérifiée." if lang == "fr"
                  else "… and {n} more declared contracts without verified delivery.")
                 .format(n=fmt.number(more, lang)) if more > 0 else "")
    statuses = [s for s in labels.STATUS_CODES if s in set(top.head(top_n)["status"].astype(str))]
    verdicts = [verdict_code]
    last_verdict = _dig(last_year, "verdict")
    if last_verdict and last_verdict != verdict_code:  # shown in the key figures too
        verdicts.append(str(last_verdict))
    glossary = labels.glossary(lang, [*verdicts, *statuses], params)
    if judged:
        glossary.append({"label": "*", "code": "",
                         "rule": ("Parts calculées sur les marchés suivis par le facilitateur."
                                  if lang == "fr" else
                                  "Shares over the contracts followed by the facilitator.")})
    return Figures(
        title=title or labels.label("whole_scope", lang),
        subtitle=labels.label("summary_title", lang).format(year=year if year else "") + " — "
        + labels.label("as_of", lang).format(date=fmt.date(as_of, lang)),
        verdict=labels.label(verdict_code, lang, kind="verdict"),
        verdict_code=verdict_code,
        reason=reason,
        years=(str(year) if year else labels.label("this_year", lang), last_year_label),
        key_rows=_key_rows(this_year, last_year, lang),
        shares=shares,
        target=target,
        top_heading=labels.label("top_contracts", lang).format(n=fmt.number(top_n, lang)),
        top_columns=(labels.label("contract_id" if buyer_siret is not None else "uid", lang),
                     labels.label("amount", lang), labels.label("status", lang)),
        top_rows=top_rows,
        top_more=more_text,
        glossary_heading=labels.label("glossary", lang),
        glossary_columns=(labels.label("label", lang), labels.label("code", lang),
                          labels.label("rule", lang)),
        glossary=glossary,
        footer=labels.label("footer", lang),
        lang=lang,
    )


# ---------------------------------------------------------------------------------------------------
# chart
# ---------------------------------------------------------------------------------------------------

def draw_chart(ax: Any, content: Figures, scale: float = 1.0) -> None:
    """Horizontal bars of the shares with their 95 % intervals and the target as a dashed line."""
    lang = content.lang
    names = [s[0] for s in content.shares][::-1]
    values = [float(s[1]) if s[1] is not None else 0.0 for s in content.shares][::-1]
    colours = [s[4] for s in content.shares][::-1]
    ax.barh(range(len(names)), values, color=colours, height=0.6)
    for i, (_, v, lo, hi, _c) in enumerate(content.shares[::-1]):
        if v is not None and lo is not None and hi is not None:
            ax.errorbar([float(v)], [i], xerr=[[float(v) - float(lo)], [float(hi) - float(v)]],
                        fmt="none", ecolor="#222222", capsize=3, lw=1)
        ax.text((float(v) if v is not None else 0) + 0.01, i + 0.32,
                fmt.share(v, lang), va="bottom", ha="left", fontsize=7.5 * scale)
    ax.axvline(content.target, color=TARGET_COLOR, ls="--", lw=1.2)
    ax.text(content.target, len(names) - 0.35,
            f" {labels.label('legend_target', lang)} {fmt.target(content.target, lang)}",
            color=TARGET_COLOR, fontsize=7.5 * scale, va="bottom", ha="left")
    ax.set_yticks(range(len(names)), names, fontsize=8 * scale)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(names) - 0.1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0],
                  [fmt.share(x, lang, 0) for x in (0, 0.25, 0.5, 0.75, 1.0)], fontsize=7 * scale)
    ax.set_title(labels.label("fig_shares", lang), fontsize=9 * scale, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
