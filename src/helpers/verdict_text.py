"""The verdict of a buyer (or of the whole scope) explained in plain words, in French or English.

:func:`verdict_sentence` turns one row of ``buyers.csv`` (a dict or a pandas Series) into the reason
for its verdict, written for an elected official:

- judged on delivery (``compliant``, ``social_washing``, ``possible_social_washing``,
  ``below_target``): the declared and the delivered shares over the contracts followed by the
  facilitator (the covered set), by number and, when given, by amount, and the target — e.g.
  "Déclaré : 41,9 % des 120 marchés suivis par le facilitateur ; réalisé : 33,5 % ; objectif 30 %
  atteint." For the two washing verdicts, the share of declared contracts without verified delivery.
  Then how sure it is, whenever the delivered share is below the target: "Écart significatif" when
  ``significant`` is true, "À confirmer" otherwise, with the q-value (Benjamini–Hochberg, buyers) or,
  for the whole scope which has none, the binomial p-value;
- an extra sentence when a share by number and the same share by amount fall on different sides of
  the target (e.g. delivered 33,5 % of contracts but 23 % of the amount);
- ``not_measured``: why nothing is concluded about delivery (no contract, or too few, followed by
  the facilitator), then the declared share over the assessable contracts and whether it reaches
  the target on paper;
- ``insufficient_data``: too few assessable contracts.

Input columns (``buyers.csv``): ``assessable_contracts``, ``covered_contracts``, ``declared_share``,
``declared_meets_target``, ``declared_covered_share``, ``effective_share``,
``unsubstantiated_share``, ``binomial_p``, ``q_value``, ``verdict``, ``significant``. Optional
amounts: ``effective_share_by_amount`` (over the covered set); ``declared_share_by_amount`` (over
the assessable set: it is used for a buyer judged on delivery only when its assessable and covered
sets are the same size, i.e. identical); ``declared_covered_share_by_amount`` (over the covered
set). A missing value shows as "—" and a missing amount share is simply not mentioned. A table
without the ``covered_contracts`` column (no facilitator coverage tracked) is read as if every
assessable contract were covered: the shares over the assessable set are used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import fmt, labels

JUDGED: tuple[str, ...] = ("compliant", "social_washing", "possible_social_washing", "below_target")


def _get(row: Any, key: str) -> Any:
    """``row[key]``, or None when the key is absent or the value missing (NaN, NA, empty)."""
    try:
        value = row[key]
    except (KeyError, IndexError):
        return None
    return None if fmt.is_missing(value) else value


def _has(row: Any, key: str) -> bool:
    """Whether ``row`` (a Mapping or a pandas Series) has the column ``key``, even empty."""
    return key in (row if isinstance(row, Mapping) else row.index)


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "vrai")
    return bool(value)


def _count(n: int, lang: str, one: dict[str, str], many: dict[str, str]) -> str:
    return (one if n == 1 else many)[lang].format(n=fmt.number(n, lang))


def _by_amount(value: Any, lang: str) -> str:
    if value is None:
        return ""
    return f" ({fmt.share(value, lang)} {'en montant' if lang == 'fr' else 'by amount'})"


def certainty(row: Any, lang: str = "fr") -> str:
    """How sure the shortfall below the target is, in one sentence (empty when the delivered share
    is not compared with the target: verdicts ``insufficient_data``, ``not_measured``,
    ``compliant``). Uses ``q_value``, or ``binomial_p`` when there is no q-value (whole scope)."""
    fmt.check_lang(lang)
    if _get(row, "verdict") not in ("social_washing", "possible_social_washing", "below_target"):
        return ""
    q, name = _get(row, "q_value"), "q"
    if q is None:
        q, name = _get(row, "binomial_p"), "p"
    number = f" ({fmt.pvalue(q, lang, name)})" if q is not None else ""
    if _flag(_get(row, "significant")):
        return ("Écart significatif : la part réalisée est sous l'objectif avec une forte "
                f"certitude{number}." if lang == "fr" else
                f"Significant gap: the delivered share is below the target with high "
                f"confidence{number}.")
    return (f"À confirmer : l'écart avec l'objectif peut relever du hasard{number}."
            if lang == "fr" else
            f"To be confirmed: the gap from the target may be due to chance{number}.")


def _disagreement(what: str, by_number: Any, by_amount: Any, target: float, lang: str) -> str:
    """A sentence when ``by_number`` and ``by_amount`` are on different sides of ``target``."""
    if by_number is None or by_amount is None:
        return ""
    met_n, met_a = float(by_number) >= target, float(by_amount) >= target
    if met_n == met_a:
        return ""
    n, a = fmt.share(by_number, lang), fmt.share(by_amount, lang)
    if lang == "fr":
        part = "la part déclarée" if what == "declared" else "la part réalisée"
        if met_n:
            return (f"Pour {part}, l'objectif est atteint en nombre de marchés ({n}) "
                    f"mais pas en montant ({a}).")
        return (f"Pour {part}, l'objectif n'est pas atteint en nombre de marchés ({n}) "
                f"mais il l'est en montant ({a}).")
    part = "the declared share" if what == "declared" else "the delivered share"
    if met_n:
        return f"For {part}, the target is met by number of contracts ({n}) but not by amount ({a})."
    return f"For {part}, the target is not met by number of contracts ({n}) but is by amount ({a})."


def _judged(row: Any, lang: str, target: float) -> str:
    verdict = _get(row, "verdict")
    tracked = _has(row, "covered_contracts")
    if tracked:
        n_c = int(_get(row, "covered_contracts") or 0)
        decl = _get(row, "declared_covered_share")
    else:  # a table without coverage columns: every assessable contract was judged
        n_c = int(_get(row, "assessable_contracts") or 0)
        decl = _get(row, "declared_share")
    eff = _get(row, "effective_share")
    decl_amt = _get(row, "declared_covered_share_by_amount")
    if decl_amt is None and _get(row, "assessable_contracts") == _get(row, "covered_contracts"):
        decl_amt = _get(row, "declared_share_by_amount")  # A = C: the same contracts
    eff_amt = _get(row, "effective_share_by_amount")
    t = fmt.target(target, lang)
    unsub = _get(row, "unsubstantiated_share")
    if lang == "fr":
        followed = (_count(n_c, lang, {"fr": "du seul marché suivi par le facilitateur"},
                           {"fr": "des {n} marchés suivis par le facilitateur"}) if tracked else
                    _count(n_c, lang, {"fr": "du seul marché évaluable"},
                           {"fr": "des {n} marchés évaluables"}))
        end = {"compliant": "atteint.", "below_target": "non atteint."}.get(verdict)
        if end is None:
            end = "atteint sur le papier seulement" + (
                f" : {fmt.share(unsub, lang)} des marchés déclarés sont sans réalisation vérifiée."
                if unsub is not None else ".")
        main = (f"Déclaré : {fmt.share(decl, lang)} {followed}{_by_amount(decl_amt, lang)} ; "
                f"réalisé : {fmt.share(eff, lang)}{_by_amount(eff_amt, lang)} ; objectif {t} {end}")
    else:
        followed = (_count(n_c, lang, {"en": "of the only contract followed by the facilitator"},
                           {"en": "of the {n} contracts followed by the facilitator"}) if tracked
                    else _count(n_c, lang, {"en": "of the only assessable contract"},
                                {"en": "of the {n} assessable contracts"}))
        end = {"compliant": "target met.", "below_target": "target not met."}.get(verdict)
        if end is None:
            end = "target met on paper only" + (
                f": {fmt.share(unsub, lang)} of declared contracts have no verified delivery."
                if unsub is not None else ".")
        main = (f"Declared: {fmt.share(decl, lang)} {followed}{_by_amount(decl_amt, lang)}; "
                f"delivered: {fmt.share(eff, lang)}{_by_amount(eff_amt, lang)}; {t} {end}")
    extra = [certainty(row, lang), _disagreement("effective", eff, eff_amt, target, lang),
             _disagreement("declared", decl, decl_amt, target, lang)]
    return " ".join([main, *(e for e in extra if e)])


def _not_measured(row: Any, lang: str, target: float, min_contracts: int) -> str:
    n_a = int(_get(row, "assessable_contracts") or 0)
    n_c = int(_get(row, "covered_contracts") or 0)
    decl, decl_amt = _get(row, "declared_share"), _get(row, "declared_share_by_amount")
    meets = _flag(_get(row, "declared_meets_target"))
    if meets is None and decl is not None:
        meets = float(decl) >= target
    t, m = fmt.target(target, lang), fmt.number(min_contracts, lang)
    if lang == "fr":
        if n_c == 0:
            why = ("Aucun de ces marchés n'est suivi par le facilitateur des clauses sociales : "
                   "rien n'est conclu sur ce qui a été réalisé.")
        else:
            suivis = _count(n_c, lang, {"fr": "un seul marché suivi"},
                            {"fr": "seulement {n} marchés suivis"})
            why = (f"Avec {suivis} par le facilitateur des clauses sociales (il en faut au moins "
                   f"{m}), rien n'est conclu sur ce qui a été réalisé.")
        evaluables = _count(n_a, lang, {"fr": "du seul marché évaluable"},
                            {"fr": "des {n} marchés évaluables"})
        verb = "déclarent" if n_a != 1 else "déclare"
        reach = "ce qui atteint" if meets else "ce qui n'atteint pas"
        paper = (f"Sur le papier, {fmt.share(decl, lang)} {evaluables} {verb} une considération "
                 f"sociale{_by_amount(decl_amt, lang)}, {reach} l'objectif de {t}.")
    else:
        if n_c == 0:
            why = ("None of these contracts is followed by the social clause facilitator: nothing "
                   "is concluded about what was delivered.")
        else:
            followed = _count(n_c, lang, {"en": "only one contract"},
                              {"en": "only {n} contracts"})
            why = (f"With {followed} followed by the social clause facilitator (at least {m} "
                   f"needed), nothing is concluded about what was delivered.")
        assessable = _count(n_a, lang, {"en": "of the only assessable contract"},
                            {"en": "of the {n} assessable contracts"})
        reach = "which meets" if meets else "which does not meet"
        paper = (f"On paper, {fmt.share(decl, lang)} {assessable} declare a social "
                 f"consideration{_by_amount(decl_amt, lang)}, {reach} the {t} target.")
    extra = _disagreement("declared", decl, decl_amt, target, lang)
    return " ".join(s for s in (why, paper, extra) if s)


def _insufficient(row: Any, lang: str, min_contracts: int) -> str:
    n_a = int(_get(row, "assessable_contracts") or 0)
    m = fmt.number(min_contracts, lang)
    if lang == "fr":
        if n_a == 0:
            return "Aucun marché évaluable : aucune conclusion n'est tirée."
        count = _count(n_a, lang, {"fr": "un seul marché évaluable"},
                       {"fr": "seulement {n} marchés évaluables"})
        return f"Avec {count} (il en faut au moins {m}), aucune conclusion n'est tirée."
    if n_a == 0:
        return "No assessable contract: no conclusion is drawn."
    count = _count(n_a, lang, {"en": "only one assessable contract"},
                   {"en": "only {n} assessable contracts"})
    return f"With {count} (at least {m} needed), no conclusion is drawn."


def verdict_sentence(row: Any, lang: str = "fr", target: float = 0.30, *,
                     min_contracts: int = 5) -> str:
    """The reason for ``row``'s verdict in plain words (see the module docstring), in ``lang``.

    ``row``: a ``buyers.csv`` row (dict or Series), or :func:`row_from_indicators` of a whole-scope
    ``indicators.json``. ``target`` and ``min_contracts``: the run's parameters.
    """
    fmt.check_lang(lang)
    verdict = _get(row, "verdict")
    if verdict == "insufficient_data":
        return _insufficient(row, lang, min_contracts)
    if verdict == "not_measured":
        return _not_measured(row, lang, target, min_contracts)
    if verdict in JUDGED:
        return _judged(row, lang, target)
    raise ValueError(f"verdict {verdict!r} is not one of {', '.join(labels.VERDICT_CODES)}")


def row_from_indicators(ind: Mapping[str, Any]) -> dict[str, Any]:
    """A ``buyers.csv``-like row from an ``indicators.json`` dict (whole scope, or a buyer's own
    indicators), so :func:`verdict_sentence` explains either. It has no q-value: the binomial
    p-value says how sure."""
    d, e = ind.get("declared") or {}, ind.get("effective") or {}
    u = ind.get("unsubstantiated") or {}
    return {
        "verdict": ind.get("verdict"),
        "significant": ind.get("significant"),
        "binomial_p": ind.get("binomial_p"),
        "q_value": None,
        "assessable_contracts": ind.get("assessable_contracts"),
        "covered_contracts": ind.get("covered_contracts"),
        "declared_n": d.get("n"),
        "declared_share": d.get("share"),
        "declared_share_by_amount": d.get("share_by_amount"),
        "declared_meets_target": d.get("meets_target"),
        "declared_covered_share": d.get("covered_share"),
        "declared_covered_share_by_amount": d.get("covered_share_by_amount"),
        "effective_n": e.get("n"),
        "effective_share": e.get("share"),
        "effective_share_by_amount": e.get("share_by_amount"),
        "unsubstantiated_share": u.get("share"),
        "gap_points": (ind.get("gap") or {}).get("points"),
        "mcnemar_p": (ind.get("gap") or {}).get("mcnemar_p"),
    }
