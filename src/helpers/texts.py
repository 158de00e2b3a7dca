"""The prose of the yearly report pages (notebooks 01-04), in French (default) and English.

A page's paragraphs cannot be Markdown cells, since a Markdown cell cannot follow the ``language``
run parameter: each paragraph is a small code cell, ``nb.say("02.whole_scope")``, that displays the
text of :data:`TEXTS` in the run's language. A paragraph is therefore written in one place per
language, keyed ``"<page>.<paragraph>"`` (``01`` data quality, ``02`` declared share, ``03``
insertion outcomes, ``04`` declared versus delivered, ``all`` shared by every page).

Texts are Markdown. ``{target}``, ``{ratio}``, ``{min_contracts}``, ``{alpha}``, ``{etp_hours}``,
``{min_cell_size}``, ``{year}`` and ``{as_of}`` are filled with the run's values in the language's
number and date formats (:func:`helpers.notebook.say`); other ``{fields}`` are given by the caller.
A test checks that both languages have the same keys and the same fields.

Wording: plain French for an elected official, no code names (statuses and verdicts by their labels
of :mod:`helpers.labels`), no file other than those published with the report.

The paragraphs themselves live in :mod:`helpers.words`, one module per language
(:mod:`helpers.words.pages_fr`, :mod:`helpers.words.pages_en`); this module pairs them into
:data:`TEXTS` and holds the functions that read them. Callers use this module only.
"""

from __future__ import annotations

import string
from typing import Any

from . import fmt
from .words import pages_en as _en
from .words import pages_fr as _fr

TEXTS: dict[str, dict[str, str]] = {"fr": _fr.TEXTS, "en": _en.TEXTS}


def fields(text: str) -> set[str]:
    """The ``{fields}`` a text expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def text(key: str, lang: str = "fr", **values: Any) -> str:
    """The paragraph ``key`` in ``lang``, its ``{fields}`` filled from ``values`` (all must be
    given; extra values are ignored). An unknown key raises ``KeyError`` naming it."""
    table = TEXTS[fmt.check_lang(lang)]
    if key not in table:
        raise KeyError(f"no {lang} text {key!r}: add it to helpers/words/pages_fr.py and pages_en.py")
    raw = table[key]
    missing = fields(raw) - set(values)
    if missing:
        raise KeyError(f"text {key!r} needs {', '.join(sorted(missing))}")
    return raw.format(**{k: values[k] for k in fields(raw)})
