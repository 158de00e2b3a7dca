"""Every word of the research reports (trends across years, pre-registered hypotheses), in French
(default) and English.

A Markdown cell of a notebook cannot depend on the run's ``language`` parameter, so the prose of
these two reports lives here, one table per language (:data:`TEXTS`), and is displayed by
:func:`say`. Texts may hold ``{fields}`` filled in by the caller with numbers already formatted for
the language (:mod:`helpers.fmt`).

Besides the prose:

- :data:`TERMS` — the words shown for the codes of the research tables (kinds of verdict change,
  certainty of a change, hypothesis outcome, sectors and groups); :func:`term` looks a code up there,
  then among the statuses and verdicts of :mod:`helpers.labels`;
- :data:`GLOSSARY` — the research terms explained at the end of each report (:func:`glossary_frame`);
- :func:`figure_texts` — the keyword arguments (titles, axis labels, legend entries, number format)
  of the figures of these reports in one language.

French wording avoids code names and anglicisms: a verdict change reads "dans le bruit", not
"within noise".

The words themselves live in :mod:`helpers.words`, one module per language
(:mod:`helpers.words.research_fr`, :mod:`helpers.words.research_en`); this module pairs them into
the tables below, each ``{"fr": {...}, "en": {...}}``, and holds the functions that read them.
Callers use this module only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from . import fmt
from . import labels as _labels
from .words import research_en as _en
from .words import research_fr as _fr

TEXTS: dict[str, dict[str, str]] = {"fr": _fr.TEXTS, "en": _en.TEXTS}

#: Words shown for the codes of the research tables.
TERMS: dict[str, dict[str, str]] = {"fr": _fr.TERMS, "en": _en.TERMS}

#: Research terms explained at the end of the reports: (term, explanation).
GLOSSARY: dict[str, dict[str, tuple[str, str]]] = {"fr": _fr.GLOSSARY, "en": _en.GLOSSARY}

#: Glossary entries of each report.
TRENDS_GLOSSARY = ("declared_share", "effective_share", "interval", "newcombe", "clear", "noise",
                   "not_comparable", "series_break")
HYPOTHESES_GLOSSARY = ("interval", "odds_ratio", "p_value", "power", "prereg")

#: Texts of the figures of the research reports, by figure.
FIGURE_TEXTS: dict[str, dict[str, dict[str, str]]] = {"fr": _fr.FIGURE_TEXTS, "en": _en.FIGURE_TEXTS}


def text(key: str, lang: str = "fr", **fields: Any) -> str:
    """The text ``key`` in ``lang`` with its ``{fields}`` filled in; ``KeyError`` naming a missing
    key."""
    table = TEXTS[fmt.check_lang(lang)]
    if key not in table:
        raise KeyError(f"no {lang} research text {key!r}: "
                       "add it to helpers/words/research_fr.py and research_en.py")
    body = table[key].format(**fields) if fields else table[key]
    return french_spaces(body) if lang == "fr" else body


def french_spaces(body: str) -> str:
    """French typography: a no-break space before ``%``, ``:``, ``?`` and ``!`` and a narrow one
    before ``;``, so that a sign never starts a line (``30 %``, ``Objectif : …``)."""
    for sign, space in (("%", fmt.NBSP), (":", fmt.NBSP), ("?", fmt.NBSP), ("!", fmt.NBSP),
                        (";", fmt.NNBSP)):
        body = body.replace(f" {sign}", f"{space}{sign}")
    return body


def say(key: str, lang: str = "fr", **fields: Any) -> None:
    """Display :func:`text` as Markdown in the notebook (printed outside IPython)."""
    body = text(key, lang, **fields)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        print(body)
        return
    if get_ipython() is None:
        print(body)
        return
    display(Markdown(body))


def show_md(body: str) -> None:
    """Display a Markdown text built elsewhere (a sentence with computed numbers)."""
    from IPython.display import Markdown, display

    display(Markdown(body))


def term(code: str, lang: str = "fr") -> str:
    """The word shown for ``code``: :data:`TERMS`, then the statuses and verdicts of
    :mod:`helpers.labels`; an unknown code is returned as written (never an error in a report)."""
    table = TERMS[fmt.check_lang(lang)]
    if code in table:
        return table[code]
    try:
        return _labels.label(str(code), lang)
    except KeyError:
        return str(code)


def percent_formatter(lang: str = "fr"):  # noqa: ANN201 - a figures.Percent callable
    """A ``percent(value, digits)`` callable for the figures, in ``lang``'s number format."""
    return functools.partial(_percent, lang=fmt.check_lang(lang))


def _percent(value: float, digits: int = 0, *, lang: str = "fr") -> str:
    return fmt.share(value, lang, digits)


def figure_texts(figure: str, lang: str = "fr") -> dict[str, Any]:
    """Keyword arguments of a research figure (``"trend"``, ``"buyers"``, ``"changes"``,
    ``"forest"``) in ``lang``: its texts and, for share axes, the ``percent`` formatter."""
    out: dict[str, Any] = dict(FIGURE_TEXTS[fmt.check_lang(lang)][figure])
    if figure in ("trend", "buyers"):
        out["percent"] = percent_formatter(lang)
        out["date_text"] = functools.partial(fmt.date, lang=lang)
    if figure == "changes":
        out["number"] = functools.partial(_points_number, lang=lang)
    if figure == "forest":
        out["number"] = functools.partial(_points_number, lang=lang, digits=1)
    return out


def _points_number(value: float, *, lang: str = "fr", digits: int = 0) -> str:
    """A tick value in ``lang``'s format with a true minus sign (U+2212): ``-1.5`` → ``−1,5``."""
    return fmt.number(value, lang, digits).replace("-", "\u2212")


def glossary_frame(lang: str = "fr", entries: Iterable[str] = TRENDS_GLOSSARY,
                   verdicts: Iterable[str] = (), params: Mapping[str, Any] | None = None
                   ) -> pd.DataFrame:
    """The glossary of a research report: the research ``entries`` of :data:`GLOSSARY`, then the
    ``verdicts`` (labels and rules of :func:`helpers.labels.glossary`), columns "Terme"/"Term" and
    "Définition"/"Definition", indexed from 1."""
    head = ("Terme", "Définition") if lang == "fr" else ("Term", "Definition")
    rows = [GLOSSARY[fmt.check_lang(lang)][e] for e in entries]
    codes = list(verdicts)
    if codes:
        rows += [(g["label"], g["rule"]) for g in _labels.glossary(lang, codes, params)]
    out = pd.DataFrame(rows, columns=list(head))
    out.index = range(1, len(out) + 1)
    return out


def glossary_markdown(lang: str = "fr", entries: Iterable[str] = TRENDS_GLOSSARY,
                      verdicts: Iterable[str] = (), params: Mapping[str, Any] | None = None) -> str:
    """:func:`glossary_frame` as a Markdown list (``- **Terme** : définition``), easier to read than
    a table of long texts."""
    frame = glossary_frame(lang, entries, verdicts, params)
    colon = f"{fmt.NBSP}:" if lang == "fr" else ":"
    body = "\n".join(f"- **{t}**{colon} {d}" for t, d in frame.itertuples(index=False))
    return french_spaces(body) if lang == "fr" else body


__all__ = ["FIGURE_TEXTS", "GLOSSARY", "HYPOTHESES_GLOSSARY", "TERMS", "TEXTS", "TRENDS_GLOSSARY",
           "figure_texts", "french_spaces", "glossary_frame", "glossary_markdown", "percent_formatter",
           "say", "show_md", "term", "text"]
