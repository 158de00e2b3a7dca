"""The words of the research reports: the same texts in both languages, no code in the French ones,
fields filled, French typography, terms and glossary."""

from __future__ import annotations

import re
import string

import pytest

from helpers import labels, trends
from helpers import texts_research as tr

#: Codes a reader must never see in a French text: verdicts, statuses, kinds of change, certainty
#: ("absent", a code too, is also the French word).
CODES = (*labels.VERDICT_CODES, *labels.STATUS_CODES, *trends.CHANGES, "within noise",
         "not comparable", "not_estimable", "not_supported", "insertion_structure", "direct_hire",
         "ALL")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _french_values() -> list[tuple[str, str]]:
    out = [(f"TEXTS[{k}]", v) for k, v in tr.TEXTS["fr"].items()]
    out += [(f"TERMS[{k}]", v) for k, v in tr.TERMS["fr"].items()]
    out += [(f"GLOSSARY[{k}]", " ".join(v)) for k, v in tr.GLOSSARY["fr"].items()]
    out += [(f"FIGURE_TEXTS[{f}][{k}]", v) for f, d in tr.FIGURE_TEXTS["fr"].items()
            for k, v in d.items()]
    return out


def test_french_and_english_have_the_same_keys_and_fields() -> None:
    assert tr.TEXTS["fr"].keys() == tr.TEXTS["en"].keys()
    assert tr.TERMS["fr"].keys() == tr.TERMS["en"].keys()
    assert tr.GLOSSARY["fr"].keys() == tr.GLOSSARY["en"].keys()
    assert tr.FIGURE_TEXTS["fr"].keys() == tr.FIGURE_TEXTS["en"].keys()
    for fig in tr.FIGURE_TEXTS["fr"]:
        assert tr.FIGURE_TEXTS["fr"][fig].keys() == tr.FIGURE_TEXTS["en"][fig].keys(), fig
    for key, fr in tr.TEXTS["fr"].items():
        assert _fields(fr) == _fields(tr.TEXTS["en"][key]), key


def test_no_french_text_shows_a_code() -> None:
    for where, raw in _french_values():
        value = re.sub(r"\{[^}]*\}", "", raw)  # the {fields} are filled in, never shown
        for code in CODES:
            assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", value), \
                f"{where} shows the code {code!r}: {value!r}"
        # nor code-like words: snake_case names or backquoted identifiers
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", value), f"{where}: {value!r}"
        assert "`" not in value, f"{where}: {value!r}"
        assert "DESIGN" not in value and "§" not in value, where


def test_text_fills_fields_and_applies_french_typography() -> None:
    # "{target}" filled; " :" and " %" become no-break spaces in French only
    fr = tr.text("buyers_intro", "fr", min_contracts=5)
    assert "moins de 5 marchés" not in fr and "en dessous de 5 marchés évaluables" in fr
    assert "douze\u00a0: ceux" in fr and " :" not in fr
    assert tr.french_spaces("30 % ; objectif : oui ?") == "30\u00a0%\u202f; objectif\u00a0: oui\u00a0?"
    en = tr.text("buyers_intro", "en", min_contracts=5)
    assert "twelve: those" in en
    with pytest.raises(KeyError, match="no_such_text"):
        tr.text("no_such_text")
    with pytest.raises(ValueError, match="language 'de'"):
        tr.text("trends_title", "de")


def test_say_prints_outside_a_notebook(capsys) -> None:
    tr.say("hyp_title", "en")
    assert capsys.readouterr().out == "# Research hypotheses registered in advance\n"


def test_term_looks_up_research_words_then_labels() -> None:
    assert tr.term("within noise") == "dans le bruit"
    assert tr.term("clear", "en") == "clear change"
    assert tr.term("social_washing") == "Affichage social sans réalisation (écart significatif)"
    assert tr.term("NO_EVIDENCE", "en") == "No evidence of delivery"
    assert tr.term("a_future_code") == "a_future_code"  # never an error in a report


def test_figure_texts_give_formatters_in_the_language() -> None:
    fr = tr.figure_texts("trend", "fr")
    assert fr["percent"](0.3, 0) == "30\u00a0%" and fr["date_text"]("2024-01-01") == "01/01/2024"
    assert tr.figure_texts("trend", "en")["percent"](0.3, 0) == "30%"
    # U+2212 minus and a decimal comma on the forest plot's axis
    assert tr.figure_texts("forest", "fr")["number"](-1.5) == "\u22121,5"
    assert tr.figure_texts("changes", "en")["number"](-6) == "\u22126"


def test_glossary_lists_research_terms_then_verdict_rules() -> None:
    frame = tr.glossary_frame("fr", ("clear",), verdicts=("insufficient_data",),
                              params={"min_contracts": 7})
    assert list(frame.columns) == ["Terme", "Définition"]
    assert frame.loc[1, "Terme"] == "Écart net"
    # the verdict's rule with the run's parameter filled in
    assert frame.loc[2].tolist() == ["Trop peu de marchés pour conclure",
                                     "Moins de 7 marchés évaluables : aucune conclusion."]
    md = tr.glossary_markdown("fr", ("noise",))
    assert md == ("- **Dans le bruit**\u00a0: Variation dont l'intervalle à 95\u00a0% contient "
                  "0\u00a0: le hasard suffit à l'expliquer.")
