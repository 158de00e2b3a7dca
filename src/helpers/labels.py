"""Every word a reader of the reports sees, in French (default) and English.

The machine-readable files (``indicators.json``, the CSVs) keep stable English codes; reports show
these labels instead. One table per kind of code and per language:

- the contract statuses (``VERIFIED``, ``SHORTFALL``…) and the buyer verdicts (``compliant``,
  ``social_washing``…), each with its rule in one sentence for the glossary at the end of a page;
- the names of the indicators, the column headers of tables and spreadsheets, figure titles and the
  fixed texts of the one-page summary;
- the declared social considerations (the DECP's own French words, translated for English).

:func:`label` looks a code up in every table (codes are unique across tables); :func:`glossary`
builds the glossary table (label, code, rule). French wording avoids anglicisms and code names: a
verdict reads "Affichage social sans réalisation (écart significatif)", not "social washing".

Rules mention the run's parameters (target, delivery ratio, minimum number of contracts, alpha);
:func:`glossary` fills them in with French or English number formats (:mod:`helpers.fmt`).

The words themselves live in :mod:`helpers.words`, one module per language
(:mod:`helpers.words.labels_fr`, :mod:`helpers.words.labels_en`); this module pairs them into the
tables below, each ``{"fr": {code: words}, "en": {code: words}}``, and holds the functions that
read them. Callers use this module only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import fmt
from .words import labels_en as _en
from .words import labels_fr as _fr

#: Contract statuses, in the order of the rules.
STATUS_CODES: tuple[str, ...] = ("NOT_DUE", "NOT_COVERED", "VERIFIED", "SHORTFALL", "NO_EVIDENCE",
                                 "UNVERIFIABLE", "UNDECLARED_DELIVERY", "NOT_DECLARED")
#: Buyer verdicts, in the order of the rules.
VERDICT_CODES: tuple[str, ...] = ("insufficient_data", "not_measured", "compliant", "social_washing",
                                  "possible_social_washing", "below_target")

#: Contract statuses.
STATUS: dict[str, dict[str, str]] = {"fr": _fr.STATUS, "en": _en.STATUS}
#: The rule of each status, in one sentence (glossary).
STATUS_RULES: dict[str, dict[str, str]] = {"fr": _fr.STATUS_RULES, "en": _en.STATUS_RULES}
#: Buyer verdicts.
VERDICT: dict[str, dict[str, str]] = {"fr": _fr.VERDICT, "en": _en.VERDICT}
#: The rule of each verdict, in one sentence (glossary).
VERDICT_RULES: dict[str, dict[str, str]] = {"fr": _fr.VERDICT_RULES, "en": _en.VERDICT_RULES}
#: Names of the indicators.
INDICATOR: dict[str, dict[str, str]] = {"fr": _fr.INDICATOR, "en": _en.INDICATOR}
#: Column headers of tables and spreadsheets (the summary's, the yearly pages', the sensitivity and
#: power tables').
HEADER: dict[str, dict[str, str]] = {"fr": _fr.HEADER, "en": _en.HEADER}
#: Figure titles, axes and legends (the summary's, the yearly pages', the sensitivity figure's).
FIGURE: dict[str, dict[str, str]] = {"fr": _fr.FIGURE, "en": _en.FIGURE}
#: Fixed texts of the one-page summary; ``{…}`` fields are filled by the caller.
TEXT: dict[str, dict[str, str]] = {"fr": _fr.TEXT, "en": _en.TEXT}
#: The DECP's declared social considerations (French in the data), as shown to readers.
CONSIDERATION: dict[str, dict[str, str]] = {"fr": _fr.CONSIDERATION, "en": _en.CONSIDERATION}
#: Row labels of the pages' two-column tables, the data files and the groups of people and exits.
ROW: dict[str, dict[str, str]] = {"fr": _fr.ROW, "en": _en.ROW}
#: Words of the index pages (the reports' table of contents).
INDEX: dict[str, dict[str, str]] = {"fr": _fr.INDEX, "en": _en.INDEX}

#: Every table of labels by kind; codes are unique across kinds (a test checks it).
TABLES: dict[str, dict[str, dict[str, str]]] = {
    "status": STATUS, "verdict": VERDICT, "indicator": INDICATOR, "header": HEADER,
    "figure": FIGURE, "text": TEXT, "consideration": CONSIDERATION, "index": INDEX, "row": ROW,
}


def label(code: str, lang: str = "fr", kind: str | None = None) -> str:
    """The reader's label of ``code`` in ``lang`` (``kind`` restricts the search to one table).

    An unknown code raises ``KeyError`` naming it: a report never shows a code instead of words.
    """
    fmt.check_lang(lang)
    tables = [TABLES[kind]] if kind else list(TABLES.values())
    for table in tables:
        if code in table[lang]:
            return table[lang][code]
    raise KeyError(f"no {lang} label for {code!r}"
                   + (f" among the {kind} labels" if kind else "")
                   + ": add it to helpers/words/labels_fr.py and labels_en.py")


def consideration_text(value: Any, lang: str = "fr") -> str:
    """The declared considerations of a contract (``"Clause sociale; Marché réservé"`` or a list) in
    ``lang``, joined with ``"; "``; unknown values are kept as written."""
    if isinstance(value, str):
        items = [v.strip() for v in value.replace(",", ";").split(";")]
    elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = [str(v).strip() for v in list(value)]
    else:  # None, NaN: nothing declared
        return ""
    names = CONSIDERATION[fmt.check_lang(lang)]
    return "; ".join(names.get(v, v) for v in items if v)


def _rule_params(lang: str, target: float, min_delivery_ratio: float, min_contracts: int,
                 alpha: float) -> dict[str, str]:
    return {"target": fmt.target(target, lang), "ratio": fmt.target(min_delivery_ratio, lang),
            "min_contracts": fmt.number(min_contracts, lang),
            "alpha": fmt.target(alpha, lang)}


def rule(code: str, lang: str = "fr", *, target: float = 0.30, min_delivery_ratio: float = 0.8,
         min_contracts: int = 5, alpha: float = 0.05) -> str:
    """The rule of a status or verdict in one sentence, with the run's parameters filled in."""
    for table in (STATUS_RULES, VERDICT_RULES):
        if code in table[fmt.check_lang(lang)]:
            return table[lang][code].format(
                **_rule_params(lang, target, min_delivery_ratio, min_contracts, alpha))
    raise KeyError(f"no rule for {code!r}: only statuses and verdicts have one")


def glossary(lang: str = "fr", codes: Iterable[str] | None = None,
             params: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
    """Glossary rows ``{"label", "code", "rule"}`` for ``codes`` (default: every verdict, then every
    status), in ``lang``, with the rules' parameters taken from ``params`` (a run's parameters;
    defaults for those absent). Column titles: ``label("label"|"code"|"rule", lang)``."""
    p = dict(params or {})
    kwargs = {k: p[k] for k in ("target", "min_delivery_ratio", "min_contracts", "alpha")
              if p.get(k) is not None}
    wanted = list(codes) if codes is not None else [*VERDICT_CODES, *STATUS_CODES]
    return [{"label": label(c, lang), "code": c, "rule": rule(c, lang, **kwargs)} for c in wanted]
