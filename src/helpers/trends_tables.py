"""Multi-year trends, the page's words: display tables and plain-language sentences of the trends
report, in French (default) or English (``lang``), with the numbers of :mod:`helpers.fmt` and
verdicts, kinds of change and certainty in words (:func:`helpers.texts_research.term`).

They format what :mod:`helpers.trends` computes (the tidy table of yearly snapshots, the
year-over-year changes with their Newcombe intervals, the verdict changes) and the reference tables
it reads: :func:`scope_table`, :func:`scope_changes_table`, :func:`verdict_matrix`,
:func:`change_counts_table`, :func:`certainty_table`, :func:`transitions_table`,
:func:`official_table`, :func:`milestones_table`, :func:`trend_sentence`, :func:`change_sentence`.
Kept apart from the computation so that the numbers can be read, tested and reused without the
report's wording, and the wording changed without touching the numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import fmt
from .texts_research import term, text
from .trends import (
    ABSENT,
    ALL,
    CLEAR,
    NOT_COMPARABLE,
    SOCIAL_WASHING,
    WITHIN_NOISE,
    certainty_summary,
    change_summary,
    year_changes,
)


def _term(code: Any, lang: str) -> str:

    return term(str(code), lang)


def scope_table(tidy: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """Whole-scope rows of ``tidy`` as a display table indexed by year, in ``lang``: assessable
    contracts, declared and delivered shares with their 95 % intervals (:mod:`helpers.fmt`), gap in
    points, verdict label."""
    rows = tidy[tidy["buyer_siret"].eq(ALL)]
    fr = lang == "fr"

    def share_text(kind: str) -> list[str]:
        return [f"{fmt.share(s, lang)} {fmt.ci(lo, hi, lang)}" for s, lo, hi in
                zip(rows[f"{kind}_share"], rows[f"{kind}_ci_low"], rows[f"{kind}_ci_high"])]

    heads = (("Année", "Marchés évaluables", "Part déclarée [intervalle à 95 %]",
              "Part réalisée [intervalle à 95 %]", "Écart (points)", "Conclusion") if fr else
             ("Year", "Assessable contracts", "Declared share [95% interval]",
              "Delivered share [95% interval]", "Gap (points)", "Conclusion"))
    return pd.DataFrame({
        heads[0]: rows["year"].astype(int).astype(str),
        heads[1]: [fmt.number(v, lang) for v in rows["assessable_contracts"]],
        heads[2]: share_text("declared"),
        heads[3]: share_text("effective"),
        heads[4]: [fmt.number(v, lang, 1) for v in rows["gap_points"].astype(float)],
        heads[5]: [_term(v, lang) for v in rows["verdict"]],
    }).set_index(heads[0])


def trend_sentence(tidy: pd.DataFrame, target: float, lang: str = "fr") -> str:
    """Plain-language first-to-last-year comparison of the whole scope's shares and gap."""

    rows = tidy[tidy["buyer_siret"].eq(ALL)]
    first, last = rows.iloc[0], rows.iloc[-1]
    return text("trend_sentence", lang, first=int(first["year"]), last=int(last["year"]),
                declared_first=fmt.share(first["declared_share"], lang),
                declared_last=fmt.share(last["declared_share"], lang),
                effective_first=fmt.share(first["effective_share"], lang),
                effective_last=fmt.share(last["effective_share"], lang),
                target=fmt.target(target, lang),
                gap_first=fmt.points(first["gap_points"], lang),
                gap_last=fmt.points(last["gap_points"], lang))


def verdict_matrix(tidy: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """One row per buyer (whole scope excluded), one column per year of ``tidy`` holding its verdict:
    codes (columns buyer_siret, buyer_name, then the years; NaN for a year the buyer is absent)
    when ``lang`` is None, else the verdict labels ("absent" in words for a missing year) with the
    buyer's name (or SIRET when it has none) as index. A buyer without a name is kept."""
    b = tidy[tidy["buyer_siret"].ne(ALL)]
    years = sorted(tidy["year"].unique())
    wide = (b.pivot_table(index="buyer_siret", columns="year", values="verdict", aggfunc="first")
            .reindex(columns=years))  # a year no buyer has stays a column
    names = (b.sort_values("year").dropna(subset=["buyer_name"])
             .drop_duplicates("buyer_siret", keep="last").set_index("buyer_siret")["buyer_name"])
    out = pd.DataFrame({"buyer_siret": wide.index.astype(str),
                        "buyer_name": wide.index.map(names).astype(object)})
    for y in years:
        out[str(y)] = wide[y].to_numpy(dtype=object)
    if lang is None:
        return out
    shown = pd.DataFrame({str(y): [_term(v, lang) if isinstance(v, str) else _term(ABSENT, lang)
                                   for v in out[str(y)]] for y in years})
    shown.index = pd.Index(out["buyer_name"].fillna(out["buyer_siret"]).tolist(),
                           name="Acheteur" if lang == "fr" else "Buyer")
    return shown


def change_sentence(changes: pd.DataFrame, last_year: int, lang: str = "fr") -> str:
    """Plain-language summary of :func:`verdict_changes` over buyers (the whole scope is not
    counted): how many buyers were newly flagged and cleared, how many of those moves are clear
    (the change interval excludes 0), and which buyers were flagged for social washing in
    ``last_year`` and the year before. Singular and plural are those of the count (0, 1, more)."""

    b = changes[changes["buyer_siret"].ne(ALL)]
    certainty = b["certainty"] if "certainty" in b.columns else pd.Series("", index=b.index)

    def phrase(kind: str) -> str:
        rows = b["change"].eq(kind)
        n, clear = int(rows.sum()), int((rows & certainty.eq(CLEAR)).sum())
        words = text(f"{kind}_{min(n, 2)}", lang, n=fmt.number(n, lang))
        if n and "certainty" in b.columns:
            words += text("of_which_clear", lang, clear=fmt.number(clear, lang), n=fmt.number(n, lang))
        return words

    head = text("change_sentence_counts", lang, flagged=phrase("newly_flagged"),
                cleared=phrase("cleared"))
    still = b[b["verdict_to"].eq(SOCIAL_WASHING) & b["change"].eq("unchanged")
              & b["year_to"].eq(last_year)]
    if len(still):
        sep = f"{fmt.NNBSP}; " if lang == "fr" else "; "
        names = sep.join(still["buyer_name"].fillna(still["buyer_siret"]))
        key = "change_sentence_still_1" if len(still) == 1 else "change_sentence_still"
        return head + " " + text(key, lang, year=last_year, names=names)
    return head + " " + text("change_sentence_none_still", lang, year=last_year)


def _points_interval(d: float, lo: float, hi: float, lang: str) -> str:
    """``+3,2 points [−1,0 ; +7,4]`` (fr) / ``+3.2 points [−1.0, +7.4]`` (en); ``—`` when missing."""
    if not (np.isfinite(d) and np.isfinite(lo) and np.isfinite(hi)):
        return fmt.MISSING

    def signed(v: float) -> str:
        v = 100 * v
        body = fmt.number(abs(v), lang, 1)
        return ("+" if v >= 0.05 else "−" if v <= -0.05 else "") + body

    sep = f"{fmt.NNBSP}; " if lang == "fr" else ", "
    return f"{signed(d)}{fmt.NBSP}points [{signed(lo)}{sep}{signed(hi)}]"


def scope_changes_table(tidy: pd.DataFrame, alpha: float = 0.05, lang: str = "fr") -> pd.DataFrame:
    """Whole-scope year-over-year changes as a display table indexed by the pair of years
    ("2023 → 2024"), in ``lang``: the declared and delivered change in points with its 95 %
    Newcombe interval, and whether each is a clear change or within noise."""
    ch = year_changes(tidy[tidy["buyer_siret"].eq(ALL)], alpha)
    fr = lang == "fr"
    heads = (("Années", "Variation de la part déclarée", "Part déclarée : certitude",
              "Variation de la part réalisée", "Part réalisée : certitude") if fr else
             ("Years", "Change of the declared share", "Declared share: certainty",
              "Change of the delivered share", "Delivered share: certainty"))

    def text(side: str) -> list[str]:
        return [_points_interval(d, lo, hi, lang) for d, lo, hi in
                zip(ch[f"{side}_change"], ch[f"{side}_change_ci_low"], ch[f"{side}_change_ci_high"])]

    def certainty(side: str) -> list[str]:
        return [_term(CLEAR if c else WITHIN_NOISE, lang) if np.isfinite(d) else
                _term(NOT_COMPARABLE, lang)
                for c, d in zip(ch[f"{side}_change_clear"], ch[f"{side}_change"].astype(float))]

    return pd.DataFrame({
        heads[0]: [f"{a} → {b}" for a, b in zip(ch["year_from"], ch["year_to"])],
        heads[1]: text("declared"), heads[2]: certainty("declared"),
        heads[3]: text("effective"), heads[4]: certainty("effective"),
    }).set_index(heads[0])


def transitions_table(changes: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The verdict changes of buyers (unchanged verdicts and the whole scope left out) as a display
    table in ``lang``: years, buyer, conclusion before and after, kind of change, the share that
    caused it with its change in points and 95 % interval, and the certainty in words."""
    fr = lang == "fr"
    heads = (("Années", "Acheteur", "Conclusion avant", "Conclusion après", "Changement",
              "Part en cause", "Variation [intervalle à 95 %]", "Certitude") if fr else
             ("Years", "Buyer", "Conclusion before", "Conclusion after", "Change",
              "Share behind it", "Change [95% interval]", "Certainty"))
    b = changes[changes["buyer_siret"].ne(ALL) & changes["change"].ne("unchanged")]
    out = pd.DataFrame({
        heads[0]: [f"{a} → {c}" for a, c in zip(b["year_from"], b["year_to"])],
        heads[1]: b["buyer_name"].fillna(b["buyer_siret"]).astype(str).tolist(),
        heads[2]: [_term(v, lang) for v in b["verdict_from"]],
        heads[3]: [_term(v, lang) for v in b["verdict_to"]],
        heads[4]: [_term(v, lang) for v in b["change"]],
        heads[5]: [_term(v, lang) if isinstance(v, str) else fmt.MISSING for v in b["driver"]],
        heads[6]: [_points_interval(float(d), float(lo), float(hi), lang) for d, lo, hi in
                   zip(b["share_change"], b["share_change_ci_low"], b["share_change_ci_high"])],
        heads[7]: [_term(v, lang) if v else fmt.MISSING for v in b["certainty"]],
    })
    out.index = range(1, len(out) + 1)
    return out


def change_counts_table(changes: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """:func:`change_summary` for display: rows the pairs of years ("2023 → 2024"), columns the kinds
    of change in words, values numbers of buyers."""
    counts = change_summary(changes)
    b = changes[changes["buyer_siret"].ne(ALL)]
    start = b.groupby("year_to")["year_from"].first() if len(b) else pd.Series(dtype=int)
    out = counts.copy()
    out.index = pd.Index([f"{start.get(y, '')} → {y}" for y in counts.index],
                         name="Années" if lang == "fr" else "Years")
    out.columns = [_term(c, lang) for c in counts.columns]
    return out


def certainty_table(changes: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """:func:`certainty_summary` for display: kinds of change (rows) by certainty (columns), in
    words."""
    counts = certainty_summary(changes)
    out = counts.copy()
    out.index = pd.Index([_term(c, lang) for c in counts.index],
                         name="Changement" if lang == "fr" else "Change")
    out.columns = [_term(c, lang) for c in counts.columns]
    return out


def official_table(official: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The official national series for display: year, share, series and scope, source."""
    fr = lang == "fr"
    heads = (("Année", "Part nationale", "Série", "Champ", "Source") if fr else
             ("Year", "National share", "Series", "Scope", "Source"))
    scope = official["scope"].astype(str)
    scope = scope.str.replace("contracts >= 90 000 EUR HT",
                              "marchés ≥ 90 000 € HT" if fr else "contracts ≥ €90,000 excl. VAT",
                              regex=False)
    out = pd.DataFrame({heads[0]: official["year"].astype(int).astype(str),
                        heads[1]: [fmt.share(v, lang) for v in official["share"]],
                        heads[2]: official["series"].astype(str).tolist(),
                        heads[3]: scope.tolist(),
                        heads[4]: official["source"].astype(str).tolist()})
    return out.set_index(heads[0])


MILESTONE_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {"series_break": ("Rupture de série", "La source nationale devient les données "
                            "essentielles de la commande publique (marchés dès 40 000 € HT) ; "
                            "avant, recensement des marchés d'au moins 90 000 € HT : les parts "
                            "d'avant et d'après ne se comparent pas."),
           "obligation": ("Loi Climat et Résilience, article 35", "Une condition d'exécution "
                          "sociale devient obligatoire dans les marchés au-dessus des seuils "
                          "européens.")},
    "en": {"series_break": ("Series break", "The national source becomes the open procurement "
                            "data (contracts from €40,000); before, census of contracts of at "
                            "least €90,000: shares before and after do not compare."),
           "obligation": ("Climate and Resilience Act, article 35", "A social execution "
                          "condition becomes mandatory in contracts above the EU thresholds.")},
}


def milestones_table(milestones: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The milestones for display: date, name and meaning in ``lang`` (the file's own words for a
    kind of milestone this module does not know)."""
    fr = lang == "fr"
    words = MILESTONE_TEXTS[fmt.check_lang(lang)]
    heads = ("Date", "Repère", "Signification") if fr else ("Date", "Milestone", "Meaning")
    out = pd.DataFrame({
        heads[0]: [fmt.date(d, lang) for d in milestones["date"]],
        heads[1]: [words.get(k, (lab, ""))[0] for k, lab in zip(milestones["kind"], milestones["label"])],
        heads[2]: [words.get(k, ("", desc))[1] for k, desc in
                   zip(milestones["kind"], milestones["description"])],
    })
    return out.set_index(heads[0])


__all__ = [
    "MILESTONE_TEXTS", "certainty_table", "change_counts_table", "change_sentence", "milestones_table",
    "official_table", "scope_changes_table", "scope_table", "transitions_table", "trend_sentence",
    "verdict_matrix",
]
