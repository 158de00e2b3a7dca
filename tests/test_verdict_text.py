"""Verdict sentences (helpers.verdict_text): the exact words for each verdict, written by hand.

Shares are given as the run would publish them; the formatting rules are those of helpers.fmt
(U+00A0 before %, U+202F between thousands). ``S`` below turns "%" into "\u00a0%" so the expected
sentences stay readable.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.verdict_text import certainty, row_from_indicators, verdict_sentence

NB = "\u00a0"


def S(text: str) -> str:  # noqa: N802 - a short name keeps the expected sentences readable
    return text.replace(" %", f"{NB}%")


def judged(**over):
    # A buyer judged on delivery: 130 assessable, 120 covered (followed by the facilitator);
    # over C, 50 declared of 120 = 41.67 % and 40 effective = 33.33 %.
    row = {"buyer_siret": "21330063500017", "buyer_name": "Ville d'Exemple",
           "assessable_contracts": 130, "covered_contracts": 120, "declared_n": 55,
           "declared_share": 55 / 130, "declared_meets_target": True,
           "declared_covered_share": 50 / 120, "effective_n": 40, "effective_share": 40 / 120,
           "unsubstantiated_share": 20 / 50, "gap_points": 8.333, "mcnemar_p": 0.02,
           "binomial_p": 0.8, "q_value": 0.9, "verdict": "compliant", "significant": False}
    row.update(over)
    return row


def test_compliant_by_number_only():
    # 50/120 = 41,7 % ; 40/120 = 33,3 % ≥ 30 % → compliant, nothing about certainty
    assert verdict_sentence(judged(), "fr") == S(
        "Déclaré : 41,7 % des 120 marchés suivis par le facilitateur ; réalisé : 33,3 % ; "
        "objectif 30 % atteint.")
    assert verdict_sentence(judged(), "en") == (
        "Declared: 41.7% of the 120 contracts followed by the facilitator; delivered: 33.3%; "
        "30% target met.")


def test_compliant_by_count_but_not_by_amount():
    # effective 33,5 % of contracts but 23 % of the amount: the extra sentence says so.
    # declared_share_by_amount is over A (130) ≠ C (120): it is not mixed into the C sentence.
    row = judged(effective_share=0.335, effective_share_by_amount=0.23,
                 declared_covered_share=0.419, declared_share_by_amount=0.6)
    assert verdict_sentence(row, "fr") == S(
        "Déclaré : 41,9 % des 120 marchés suivis par le facilitateur ; "
        "réalisé : 33,5 % (23,0 % en montant) ; objectif 30 % atteint. "
        "Pour la part réalisée, l'objectif est atteint en nombre de marchés (33,5 %) "
        "mais pas en montant (23,0 %).")
    assert verdict_sentence(row, "en").endswith(
        "For the delivered share, the target is met by number of contracts (33.5%) "
        "but not by amount (23.0%).")


def test_social_washing_significant_with_amounts_over_c():
    # A = C = 40: the declared share by amount is over the same contracts and is shown.
    # declared 20/40 = 50 %, effective 4/40 = 10 %, unsubstantiated 16/20 = 80 %, q = 0.0004
    row = judged(assessable_contracts=40, covered_contracts=40, declared_covered_share=0.5,
                 declared_share_by_amount=0.62, effective_share=0.1,
                 effective_share_by_amount=0.08, unsubstantiated_share=0.8, q_value=0.0004,
                 binomial_p=0.0001, verdict="social_washing", significant=True)
    assert verdict_sentence(row, "fr") == S(
        "Déclaré : 50,0 % des 40 marchés suivis par le facilitateur (62,0 % en montant) ; "
        "réalisé : 10,0 % (8,0 % en montant) ; objectif 30 % atteint sur le papier seulement : "
        "80,0 % des marchés déclarés sont sans réalisation vérifiée. Écart significatif : la part "
        "réalisée est sous l'objectif avec une forte certitude (q = 0,0004).")
    assert verdict_sentence(row, "en") == (
        "Declared: 50.0% of the 40 contracts followed by the facilitator (62.0% by amount); "
        "delivered: 10.0% (8.0% by amount); 30% target met on paper only: 80.0% of declared "
        "contracts have no verified delivery. Significant gap: the delivered share is below the "
        "target with high confidence (q = 0.0004).")


def test_possible_social_washing_is_to_be_confirmed():
    # declared 4/10 = 40 %, effective 2/10 = 20 % < 30 %, q = 0.2637 → not significant
    row = judged(assessable_contracts=10, covered_contracts=10, declared_covered_share=0.4,
                 effective_share=0.2, unsubstantiated_share=0.5, q_value=0.2637,
                 verdict="possible_social_washing", significant=False)
    assert verdict_sentence(row, "fr") == S(
        "Déclaré : 40,0 % des 10 marchés suivis par le facilitateur ; réalisé : 20,0 % ; "
        "objectif 30 % atteint sur le papier seulement : 50,0 % des marchés déclarés sont sans "
        "réalisation vérifiée. À confirmer : l'écart avec l'objectif peut relever du hasard "
        "(q = 0,26).")


def test_below_target_and_declared_disagreement():
    # declared 20 % of contracts but 35 % of the amount (over C = A): target met by amount only
    row = judged(assessable_contracts=50, covered_contracts=50, declared_covered_share=0.2,
                 declared_covered_share_by_amount=0.35, effective_share=0.1, q_value=0.02,
                 verdict="below_target", significant=True)
    assert verdict_sentence(row, "fr") == S(
        "Déclaré : 20,0 % des 50 marchés suivis par le facilitateur (35,0 % en montant) ; "
        "réalisé : 10,0 % ; objectif 30 % non atteint. Écart significatif : la part réalisée est "
        "sous l'objectif avec une forte certitude (q = 0,02). Pour la part déclarée, l'objectif "
        "n'est pas atteint en nombre de marchés (20,0 %) mais il l'est en montant (35,0 %).")


def test_not_measured_without_any_facilitator_data():
    # 12 assessable, none covered; declared 5/12 = 41,7 % ≥ 30 % on paper
    row = judged(assessable_contracts=12, covered_contracts=0, declared_share=5 / 12,
                 declared_meets_target=True, declared_covered_share=None, effective_share=None,
                 q_value=None, binomial_p=None, verdict="not_measured", significant=False)
    assert verdict_sentence(row, "fr") == S(
        "Aucun de ces marchés n'est suivi par le facilitateur des clauses sociales : rien n'est "
        "conclu sur ce qui a été réalisé. Sur le papier, 41,7 % des 12 marchés évaluables "
        "déclarent une considération sociale, ce qui atteint l'objectif de 30 %.")
    assert certainty(row, "fr") == ""


def test_not_measured_with_too_few_covered_contracts_below_target_on_paper():
    # 3 covered < 5; declared 2/20 = 10 % < 30 % (by amount 12,5 %)
    row = judged(assessable_contracts=20, covered_contracts=3, declared_share=0.1,
                 declared_share_by_amount=0.125, declared_meets_target=False,
                 verdict="not_measured", q_value=float("nan"), binomial_p=float("nan"))
    assert verdict_sentence(row, "en") == (
        "With only 3 contracts followed by the social clause facilitator (at least 5 needed), "
        "nothing is concluded about what was delivered. On paper, 10.0% of the 20 assessable "
        "contracts declare a social consideration (12.5% by amount), which does not meet the "
        "30% target.")


def test_insufficient_data():
    assert verdict_sentence(judged(assessable_contracts=3, verdict="insufficient_data"), "fr") == (
        "Avec seulement 3 marchés évaluables (il en faut au moins 5), aucune conclusion n'est "
        "tirée.")
    assert verdict_sentence(judged(assessable_contracts=0, verdict="insufficient_data"),
                            "en", min_contracts=10) == (
        "No assessable contract: no conclusion is drawn.")
    assert verdict_sentence(judged(assessable_contracts=1, verdict="insufficient_data"),
                            "en", min_contracts=10) == (
        "With only one assessable contract (at least 10 needed), no conclusion is drawn.")


def test_series_row_from_csv_and_other_target():
    # a row read back from buyers.csv: strings for booleans, NaN for empty; target 0.40:
    # effective 33,3 % < 40 % → below target; significant "False" → to be confirmed, q 0.31
    row = pd.Series(judged(verdict="below_target", significant="False", q_value=0.31,
                           declared_covered_share=0.35, effective_share_by_amount=math.nan))
    assert verdict_sentence(row, "fr", target=0.40) == S(
        "Déclaré : 35,0 % des 120 marchés suivis par le facilitateur ; réalisé : 33,3 % ; "
        "objectif 40 % non atteint. À confirmer : l'écart avec l'objectif peut relever du "
        "hasard (q = 0,31).")


def test_whole_scope_uses_the_binomial_p():
    ind = {"verdict": "social_washing", "significant": True, "binomial_p": 0.00001,
           "assessable_contracts": 200, "covered_contracts": 150,
           "declared": {"n": 90, "share": 0.45, "share_by_amount": 0.5, "covered_n": 66,
                        "covered_share": 0.44, "meets_target": True},
           "effective": {"n": 30, "share": 0.2, "share_by_amount": 0.18},
           "unsubstantiated": {"n": 40, "share": 40 / 66}}
    assert certainty(row_from_indicators(ind), "fr") == (
        "Écart significatif : la part réalisée est sous l'objectif avec une forte certitude "
        "(p < 0,0001).")
    # 40/66 = 60,6 %; declared by amount is over A (200 ≠ 150) so it is left out
    assert verdict_sentence(row_from_indicators(ind), "fr").startswith(S(
        "Déclaré : 44,0 % des 150 marchés suivis par le facilitateur ; réalisé : 20,0 % "
        "(18,0 % en montant) ; objectif 30 % atteint sur le papier seulement : 60,6 % des "))


def test_unknown_verdict_is_refused():
    with pytest.raises(ValueError, match="'washing'"):
        verdict_sentence(judged(verdict="washing"))


def test_table_without_coverage_columns_uses_the_assessable_set():
    # no covered_contracts / declared_covered_share: 65 assessable, declared 14/65 = 21,5 %,
    # effective 7/65 = 10,8 %
    row = {"assessable_contracts": 65, "declared_share": 14 / 65, "effective_share": 7 / 65,
           "verdict": "below_target", "significant": True, "q_value": 0.039}
    assert verdict_sentence(pd.Series(row), "fr") == S(
        "Déclaré : 21,5 % des 65 marchés évaluables ; réalisé : 10,8 % ; "
        "objectif 30 % non atteint. Écart significatif : la part réalisée est sous l'objectif "
        "avec une forte certitude (q = 0,039).")
