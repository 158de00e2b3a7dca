"""Shares, intervals, paired gap, McNemar, significance, q-values and verdicts (docs/design.md §3),
checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from statsmodels.stats.contingency_tables import mcnemar

from helpers.indicators import (
    below_target_p,
    bh_q_values,
    mcnemar_exact_p,
    paired_gap_interval,
    share_table,
    verdict,
    wilson_interval,
)
from helpers.params import make_params

Z = 1.959963984540054  # standard normal 97.5 % quantile


def test_wilson_interval_3_of_10_against_closed_formula():
    # p = 0.3, n = 10, z² = 3.841459; denominator 1 + z²/n = 1.3841459
    # centre = (0.3 + z²/20) / 1.3841459 = 0.4920729 / 1.3841459 = 0.3555066
    # half   = z · √(0.3·0.7/10 + z²/400) / 1.3841459 = 1.959964 · √0.0306036 / 1.3841459 = 0.2477153
    # -> [0.1077913, 0.6032219]
    low, high = wilson_interval(3, 10)
    centre = (0.3 + Z**2 / 20) / (1 + Z**2 / 10)
    half = Z * math.sqrt(0.021 + Z**2 / 400) / (1 + Z**2 / 10)
    assert low[0] == pytest.approx(centre - half, abs=1e-9)
    assert high[0] == pytest.approx(centre + half, abs=1e-9)
    assert (low[0], high[0]) == pytest.approx((0.1077913, 0.6032219), abs=1e-6)


def test_wilson_interval_vectorised_and_empty():
    low, high = wilson_interval([0, 3, 0], [10, 10, 0])
    # 0/10: low = 0, high = (z²/20 + z·√(z²/400)) / (1 + z²/10) = 2·0.1920729 / 1.3841459 = 0.2775328
    assert low[0] == 0.0 and high[0] == pytest.approx(0.2775328, abs=1e-6)
    assert low[1] == pytest.approx(0.1077913, abs=1e-6)
    assert math.isnan(low[2]) and math.isnan(high[2])


def test_mcnemar_exact_on_a_hand_table():
    # discordant pairs b = 1, c = 6: p = 2 · P(X ≤ 1), X ~ Bin(7, ½) = 2 · (1 + 7) / 128 = 0.125
    assert mcnemar_exact_p(1, 6)[0] == pytest.approx(0.125)
    # b = 0, c = 5: 2 · (1/32) = 0.0625; b = c = 0: 1
    assert mcnemar_exact_p([0, 0], [5, 0]).tolist() == pytest.approx([0.0625, 1.0])


def test_mcnemar_vectorised_equals_statsmodels():
    rng = np.random.default_rng(7)
    tables = rng.integers(0, 25, size=(60, 4))
    ours = mcnemar_exact_p(tables[:, 1], tables[:, 2])
    theirs = [mcnemar([[a, b], [c, d]], exact=True).pvalue for a, b, c, d in tables]
    assert ours == pytest.approx(np.asarray(theirs), rel=1e-12, abs=1e-15)


def test_significance_p_equals_scipy_binomtest():
    # k = 0 of 10 at target 0.3: 0.7^10 = 0.0282475 < 0.05;
    # k = 1: 0.7^10 + 10 · 0.3 · 0.7^9 = 0.0282475 + 0.1210608 = 0.1493083
    p = below_target_p([0, 1], [10, 10], 0.3)
    assert p.tolist() == pytest.approx([0.0282475249, 0.1493083459])
    for k, n in [(0, 10), (1, 10), (7, 40), (30, 100)]:
        assert below_target_p(k, n, 0.3)[0] == pytest.approx(
            binomtest(k, n, 0.3, alternative="less").pvalue, rel=1e-12)
    assert math.isnan(below_target_p(0, 0, 0.3)[0])


def test_paired_gap_newcombe_on_a_hand_table():
    # a = 5 (declared & effective), b = 4 (declared only), c = 1 (effective only), d = 10; n = 20
    # p1 = 9/20 = 0.45, p2 = 6/20 = 0.30, Δ = 0.15
    # Wilson 9/20 = [0.2581979, 0.6579147]; 6/20 = [0.1454772, 0.5189728]
    # ad − bc = 50 − 4 = 46 > n/2 = 10 -> C = 36; margins 9·11·6·14 = 8316; φ = 36/√8316 = 0.3947710
    # δ = √(0.1918021² − 2φ·0.1918021·0.2189728 + 0.2189728²) = 0.2271053 -> lower = −0.0771053
    # ε = √(0.2079147² − 2φ·0.2079147·0.1545228 + 0.1545228²) = 0.2043031 -> upper = 0.3543031
    diff, low, high = paired_gap_interval(5, 4, 1, 10)
    assert diff[0] == pytest.approx(0.15)
    assert low[0] == pytest.approx(-0.0771053, abs=1e-6)
    assert high[0] == pytest.approx(0.3543031, abs=1e-6)


def test_paired_gap_with_no_correlation_term_and_empty():
    # a = 0, b = 3, c = 0, d = 7 (n = 10): margin a+c = 0 -> φ = 0
    # p1 = 0.3 (Wilson [0.1077913, 0.6032219]), p2 = 0 (Wilson [0, 0.2775328])
    # lower = 0.3 − √(0.1922087² + 0.2775328²) = 0.3 − √(0.0369442 + 0.0770245) = 0.3 − 0.3375924
    #       = −0.0375924
    # upper = 0.3 + √(0.3032219² + 0²) = 0.6032219
    diff, low, high = paired_gap_interval([0, 0], [3, 0], [0, 0], [7, 0])
    assert diff[0] == pytest.approx(0.3)
    assert low[0] == pytest.approx(-0.0375924, abs=1e-6)
    assert high[0] == pytest.approx(0.6032219, abs=1e-6)
    assert math.isnan(diff[1]) and math.isnan(low[1]) and math.isnan(high[1])


@pytest.mark.parametrize("n_a, n_c, declared, effective, significant, expected", [
    (4, 4, 1.0, 1.0, False, "insufficient_data"),   # |A| = 4 < min_contracts 5
    (10, 4, 0.5, 0.0, True, "not_measured"),        # |A| = 10 but |C| = 4 < 5
    (5, 5, 0.0, 0.4, False, "compliant"),           # |C| = 5 is enough; 0.4 ≥ 0.3
    (10, 10, 0.3, 0.3, False, "compliant"),         # 3/10 exactly at the target meets it
    (10, 10, 0.3, 0.2, True, "social_washing"),     # effective 0.2 < 0.3 ≤ declared, significant
    (10, 10, 0.3, 0.2, False, "possible_social_washing"),  # same, not significant
    (10, 10, 0.2, 0.1, True, "below_target"),       # both below
    (10, 10, 0.1, 0.29, False, "below_target"),
])
def test_verdict_rules(n_a, n_c, declared, effective, significant, expected):
    assert verdict(n_a, n_c, declared, effective, significant, 0.30, 5)[0] == expected


def test_verdict_exact_share_three_tenths():
    # the share computed as 3 / 10 must compare ≥ the target 0.30
    assert verdict(10, 10, 3 / 10, 3 / 10, False, 0.30, 5)[0] == "compliant"


@pytest.mark.parametrize("n", [7, 9, 12, 14, 18, 20])
def test_wilson_bounds_are_exact_at_zero_and_n(n):
    # statsmodels' closed form gives e.g. 2.8e-17 instead of 0 for some n: the bounds must be exact
    low0, _ = wilson_interval(0, n)
    _, high_n = wilson_interval(n, n)
    assert low0[0] == 0.0 and high_n[0] == 1.0


def test_bh_q_values_on_three_p_values():
    # p = (0.3827828, 0.16807, 0.000797923), m = 3, ranks 3, 2, 1:
    #   raw p·m/rank = 0.3827828, 0.252105, 0.00239377; cumulative minimum from the largest rank
    #   -> q = 0.3827828, 0.252105, 0.00239377. The fourth value is outside the family -> NaN.
    q = bh_q_values([0.3827828, 0.16807, 0.7**20, 0.01], [True, True, True, False])
    assert q[:3].tolist() == pytest.approx([0.3827828, 0.252105, 0.7**20 * 3], abs=1e-7)
    assert math.isnan(q[3])


def _frame(buyer: str, declared: list[bool], effective: list[bool], amounts: list[float],
           assessable: list[bool] | None = None, covered: list[bool] | None = None,
           status: list[str] | None = None) -> pd.DataFrame:
    n = len(declared)
    assessable = assessable if assessable else [True] * n
    covered = covered if covered else [True] * n
    return pd.DataFrame({
        "buyer_siret": buyer, "declared": declared, "effective": effective, "amount": amounts,
        "assessable": assessable,
        "in_covered_set": [a and c for a, c in zip(assessable, covered)],
        "status": status if status else ["VERIFIED" if e else "NOT_DECLARED" for e in effective]})


def test_share_table_per_buyer_by_hand():
    # Buyer A: 10 assessable and covered, 6 declared, 2 effective (both declared), 1 NOT_DUE row
    #   ignored; one of the 4 declared-not-effective contracts is UNVERIFIABLE.
    #   declared 6/10 = 0.6, effective 2/10 = 0.2; upper bound (2 + 1)/10 = 0.3; gap 40 points;
    #   b = 4 (declared only), c = 0 -> McNemar 2 · 0.5^4 = 0.125; unsubstantiated b/(a+b) = 4/6;
    #   binomial p: P(X ≤ 2), X ~ Bin(10, 0.3) = 0.0282475 + 0.1210608 + 0.2334744 = 0.3827828
    #   amounts: all 100 except the two effective ones 400 each -> total 8·100 + 2·400 = 1600;
    #   declared amount 4·100 + 2·400 = 1200 -> 0.75; effective 800 / 1600 = 0.5
    # Buyer B: 5 assessable, 0 declared, 0 effective; binomial p 0.7^5 = 0.16807.
    # Buyer C: 20 assessable, 0 effective; binomial p 0.7^20 = 0.000797923.
    # q-values over A, B, C (test_bh_q_values_on_three_p_values): 0.3827828, 0.252105, 0.00239377
    #   -> A: declared 0.6 ≥ 0.3, q ≥ 0.05 -> possible_social_washing; B: below_target, not
    #   significant; C: below_target, significant.
    # Buyer E: 10 assessable, only 4 covered -> not_measured; declared over A still given (3/10).
    status_a = ["VERIFIED", "VERIFIED", "NO_EVIDENCE", "NO_EVIDENCE", "SHORTFALL", "UNVERIFIABLE",
                "NOT_DECLARED", "NOT_DECLARED", "NOT_DECLARED", "NOT_DECLARED", "NOT_DUE"]
    a = _frame("A", [True] * 6 + [False] * 4 + [True], [True, True] + [False] * 9,
               [400.0, 400.0] + [100.0] * 9, [True] * 10 + [False], status=status_a)
    b_ = _frame("B", [False] * 5, [False] * 5, [50.0] * 5)
    c = _frame("C", [False] * 20, [False] * 20, [np.nan] * 20)
    e = _frame("E", [True] * 3 + [False] * 7, [False] * 10, [10.0] * 10,
               covered=[True] * 4 + [False] * 6)
    t = share_table(pd.concat([a, b_, c, e]), make_params({}), by="buyer_siret",
                    groups=["A", "B", "C", "D", "E"])
    ra, rb, rc, rd, re = (t.loc[k] for k in "ABCDE")
    assert (ra["assessable_contracts"], ra["covered_contracts"]) == (10, 10)
    assert (ra["declared_n"], ra["effective_n"]) == (6, 2)
    assert ra["declared_share"] == pytest.approx(0.6) and ra["effective_share"] == pytest.approx(0.2)
    assert ra["declared_covered_share"] == pytest.approx(0.6)
    assert ra["effective_upper_share"] == pytest.approx(0.3)
    assert ra["unsubstantiated_share"] == pytest.approx(4 / 6)
    assert ra["gap_points"] == pytest.approx(40.0)
    assert (ra["declared_not_effective"], ra["effective_not_declared"]) == (4, 0)
    assert ra["mcnemar_p"] == pytest.approx(0.125)
    assert ra["binomial_p"] == pytest.approx(0.3827828, abs=1e-7)
    assert ra["q_value"] == pytest.approx(0.3827828, abs=1e-7)
    assert ra["declared_share_by_amount"] == pytest.approx(0.75)
    assert ra["effective_share_by_amount"] == pytest.approx(0.5)
    assert ra["declared_covered_share_by_amount"] == pytest.approx(0.75)   # all of A is covered
    assert bool(ra["declared_meets_target"])
    assert ra["verdict"] == "possible_social_washing" and not ra["significant"]
    assert rb["verdict"] == "below_target" and rb["mcnemar_p"] == 1.0 and not rb["significant"]
    assert rb["q_value"] == pytest.approx(0.252105, abs=1e-6)
    assert rc["binomial_p"] == pytest.approx(0.7**20) and rc["significant"]
    assert rc["q_value"] == pytest.approx(3 * 0.7**20)
    assert math.isnan(rc["declared_share_by_amount"])          # no known amount
    # D was listed but has no contract: zeros, insufficient_data, null shares, p and q
    assert rd["assessable_contracts"] == 0 and rd["verdict"] == "insufficient_data"
    assert not rd["significant"] and math.isnan(rd["declared_share"])
    assert math.isnan(rd["binomial_p"]) and math.isnan(rd["q_value"])
    assert pd.isna(rd["declared_meets_target"])
    # E: not judged on delivery; declared 3/10 over A meets the target on paper
    assert (re["assessable_contracts"], re["covered_contracts"]) == (10, 4)
    assert re["verdict"] == "not_measured" and not re["significant"]
    assert re["declared_share"] == pytest.approx(0.3) and bool(re["declared_meets_target"])
    assert math.isnan(re["binomial_p"]) and math.isnan(re["q_value"])


def test_share_table_whole_scope_equals_pooled_counts():
    a = _frame("A", [True, True, False], [True, False, False], [1.0, 1.0, 1.0])
    b_ = _frame("B", [False, False], [True, False], [1.0, 1.0])
    whole = share_table(pd.concat([a, b_]), make_params({})).iloc[0]
    # pooled: 5 assessable, declared 2, effective 2, b = 1 (A's 2nd), c = 1 (B's 1st)
    assert (whole["assessable_contracts"], whole["declared_n"], whole["effective_n"]) == (5, 2, 2)
    assert (whole["declared_not_effective"], whole["effective_not_declared"]) == (1, 1)
    assert whole["gap_points"] == pytest.approx(0.0)
    assert "q_value" not in whole.index                     # q-values are for buyers only


def test_share_table_whole_scope_significance_on_binomial_p():
    # 6 covered contracts, 1 effective, 4 declared: declared 4/6 ≥ 0.3, effective 1/6 < 0.3;
    # binomial p = P(X ≤ 1), X ~ Bin(6, 0.3) = 0.7^6 + 6·0.3·0.7^5 = 0.117649 + 0.302526 = 0.420175
    # ≥ 0.05 -> possible_social_washing, not significant (a point estimate is not an accusation)
    f = _frame("A", [True] * 4 + [False] * 2, [True] + [False] * 5, [1.0] * 6)
    row = share_table(f, make_params({})).iloc[0]
    assert row["binomial_p"] == pytest.approx(0.420175, abs=1e-6)
    assert row["verdict"] == "possible_social_washing" and not row["significant"]


def test_share_table_empty_input():
    empty = _frame("A", [], [], [])
    row = share_table(empty, make_params({})).iloc[0]
    assert row["assessable_contracts"] == 0 and row["verdict"] == "insufficient_data"
    assert not row["significant"] and math.isnan(row["effective_share"])
    assert math.isnan(row["gap_points"]) and math.isnan(row["mcnemar_p"])
    assert math.isnan(row["binomial_p"]) and math.isnan(row["unsubstantiated_share"])


def test_not_judged_gets_no_p_value_and_is_never_significant():
    # 4 contracts, none effective: with target 0.9, P = 0.1^4 = 0.0001 < 0.05, but |A| = 4 < 5
    # -> insufficient_data: p null, significant False
    f = _frame("A", [False] * 4, [False] * 4, [1.0] * 4)
    row = share_table(f, make_params({"target": 0.9})).iloc[0]
    assert math.isnan(row["binomial_p"])
    assert row["verdict"] == "insufficient_data" and not row["significant"]


def test_share_table_grouped_equals_one_buyer_at_a_time():
    # 3 000 buyers in one groupby must give, for each buyer, what the buyer alone gives (all but the
    # q-value, which depends on the family)
    rng = np.random.default_rng(11)
    n = 30_000
    frame = pd.DataFrame({
        "buyer_siret": rng.integers(0, 3000, n).astype(str),
        "declared": rng.random(n) < 0.4, "effective": rng.random(n) < 0.3,
        "amount": rng.lognormal(11, 1, n), "assessable": rng.random(n) < 0.95})
    frame["in_covered_set"] = frame["assessable"] & (rng.random(n) < 0.9)
    frame["status"] = np.where(frame["effective"], "VERIFIED", "NOT_DECLARED")
    params = make_params({})
    grouped = share_table(frame, params, by="buyer_siret")
    assert len(grouped) == frame["buyer_siret"].nunique()
    for buyer in rng.choice(grouped.index.to_numpy(), 15, replace=False):
        alone = share_table(frame[frame["buyer_siret"] == buyer], params).iloc[0]
        got = grouped.loc[buyer]
        for col in ("assessable_contracts", "covered_contracts", "declared_n", "effective_n",
                    "declared_share", "effective_ci_low", "gap_points", "gap_ci_high", "mcnemar_p",
                    "binomial_p", "declared_share_by_amount", "unsubstantiated_share"):
            want = alone[col]
            if isinstance(want, float) and math.isnan(want):
                assert math.isnan(got[col]), (buyer, col)
            else:
                assert got[col] == (pytest.approx(want) if isinstance(want, float) else want), \
                    (buyer, col)
