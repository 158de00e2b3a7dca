"""Labels and glossary (helpers.labels): every code has words in both languages, no code leaks."""

from __future__ import annotations

import re
import string

import pytest

from helpers import labels
from helpers.indicators.status import STATUSES

NB = "\u00a0"
CODE_LIKE = re.compile(r"\b[A-Z]+_[A-Z_]+\b|\b[a-z]+_[a-z_]+\b")


def test_every_status_of_the_rules_has_a_label():
    # the seven statuses of the status module plus NOT_COVERED (facilitator coverage)
    assert set(STATUSES) | {"NOT_COVERED"} <= set(labels.STATUS_CODES)


@pytest.mark.parametrize("kind", sorted(labels.TABLES))
def test_both_languages_have_the_same_codes(kind):
    table = labels.TABLES[kind]
    assert set(table["fr"]) == set(table["en"]), kind
    assert all(v.strip() for lang in ("fr", "en") for v in table[lang].values())


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("kind", [*sorted(labels.TABLES), "status_rules", "verdict_rules"])
def test_both_languages_expect_the_same_fields(kind):
    # a translation that drops or renames a {field} would fail at format time, or silently lose a
    # number: every label and rule asks for the same fields in French and in English
    table = {"status_rules": labels.STATUS_RULES,
             "verdict_rules": labels.VERDICT_RULES}.get(kind) or labels.TABLES[kind]
    assert table["fr"].keys() == table["en"].keys(), kind
    for code, fr in table["fr"].items():
        assert _fields(fr) == _fields(table["en"][code]), (kind, code)


def test_fields_are_read_from_the_rules():
    # the check above is not vacuous: the social-washing rule reads "... atteint {target} ...
    # inférieure à {target} ... inférieur à {alpha}", so its fields are target and alpha
    assert _fields(labels.VERDICT_RULES["fr"]["social_washing"]) == {"target", "alpha"}
    assert _fields(labels.VERDICT_RULES["en"]["social_washing"]) == {"target", "alpha"}


def test_statuses_and_verdicts_have_labels_and_rules_in_both_languages():
    for code in (*labels.STATUS_CODES, *labels.VERDICT_CODES):
        for lang in ("fr", "en"):
            assert labels.label(code, lang)
            assert labels.rule(code, lang).endswith(".")
    assert len(labels.VERDICT_CODES) == 6 and len(labels.STATUS_CODES) == 8


def test_codes_are_unique_across_tables():
    seen: dict[str, str] = {}
    for kind, table in labels.TABLES.items():
        for code in table["fr"]:
            assert code not in seen, f"{code} in {kind} and {seen.get(code)}"
            seen[code] = kind


def test_french_labels_hold_no_raw_code():
    every_code = {c for t in labels.TABLES.values() for c in t["fr"] if "_" in c}
    texts = [v for t in labels.TABLES.values() for v in t["fr"].values()]
    texts += [labels.rule(c, "fr") for c in (*labels.STATUS_CODES, *labels.VERDICT_CODES)]
    for text in texts:
        assert not CODE_LIKE.search(text), text
        assert not any(code in text for code in every_code), text


def test_chosen_french_words():
    assert labels.label("social_washing") == "Affichage social sans réalisation (écart significatif)"
    assert labels.label("compliant", "en") == "Target met"
    assert labels.label("VERIFIED") == "Réalisation vérifiée"
    assert labels.label("uid", kind="header").startswith("Identifiant du marché")


def test_unknown_code_and_language():
    with pytest.raises(KeyError, match="'washing'"):
        labels.label("washing")
    with pytest.raises(KeyError, match="verdict"):
        labels.label("VERIFIED", kind="verdict")
    with pytest.raises(ValueError):
        labels.label("compliant", "de")


def test_rules_take_the_run_parameters():
    # target 0.25 → "25 %", ratio 0.7 → "70 %", min_contracts 10, alpha 0.01 → "1 %"
    assert labels.rule("SHORTFALL", "fr", min_delivery_ratio=0.7) == (
        "Clause sociale déclarée avec des heures réalisées, mais moins de "
        f"70{NB}% des heures attendues à la date d'arrêté.")
    assert labels.rule("insufficient_data", "en", min_contracts=10) == (
        "Fewer than 10 assessable contracts: no conclusion.")
    assert f"inférieur à 1{NB}%" in labels.rule("social_washing", "fr", alpha=0.01)
    rows = labels.glossary("fr", ["below_target"], {"target": 0.25, "alpha": None})
    assert rows == [{"label": "Objectif non atteint, même sur le papier", "code": "below_target",
                     "rule": f"Ni la part déclarée ni la part réalisée n'atteignent 25{NB}%."}]


def test_glossary_lists_verdicts_then_statuses():
    rows = labels.glossary("en")
    assert [r["code"] for r in rows] == [*labels.VERDICT_CODES, *labels.STATUS_CODES]


def test_considerations():
    assert labels.consideration_text("Clause sociale; Marché réservé", "en") == (
        "Social clause; Reserved contract")
    assert labels.consideration_text(["Critère social"], "fr") == "Critère social"
    assert labels.consideration_text(None) == ""
    assert labels.consideration_text("Autre chose", "en") == "Autre chose"
