"""Shares, intervals, paired gap, McNemar, significance and verdicts (DESIGN §3), checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from statsmodels.stats.contingency_tables import mcnemar

from helpers.indicators import (below_target_p, mcnemar_exact_p, paired_gap_interval, share_table,
                                verdict, wilson_interval)
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


@pytest.mark.parametrize("n, declared, effective, expected", [
    (4, 1.0, 1.0, "insufficient_data"),   # |A| = 4 < min_contracts 5
    (5, 0.0, 0.4, "compliant"),           # |A| = 5 is enough; 0.4 ≥ 0.3
    (10, 0.3, 0.3, "compliant"),          # 3/10 exactly at the target counts as meeting it
    (10, 0.3, 0.2, "social_washing"),     # effective 0.2 < 0.3 ≤ declared 0.3
    (10, 0.2, 0.1, "below_target"),       # both below
    (10, 0.1, 0.29, "below_target"),
])
def test_verdict_rules(n, declared, effective, expected):
    assert verdict(n, declared, effective, 0.30, 5)[0] == expected


def test_verdict_exact_share_three_tenths():
    # the share computed as 3 / 10 must compare ≥ the target 0.30
    assert verdict(10, 3 / 10, 3 / 10, 0.30, 5)[0] == "compliant"


def _frame(buyer: str, declared: list[bool], effective: list[bool], amounts: list[float],
           assessable: list[bool] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"buyer_siret": buyer, "declared": declared, "effective": effective,
                         "amount": amounts,
                         "assessable": assessable if assessable else [True] * len(declared)})


def test_share_table_per_buyer_by_hand():
    # Buyer A: 10 assessable, 6 declared, 2 effective (both declared), 1 NOT_DUE row ignored.
    #   declared 6/10 = 0.6, effective 2/10 = 0.2 -> social_washing; gap 40 points;
    #   b = 4 (declared only), c = 0 -> McNemar 2 · 0.5^4 = 0.125;
    #   significance: P(X ≤ 2), X ~ Bin(10, 0.3) = 0.0282475 + 0.1210608 + 0.2334744 = 0.3827828
    #   amounts: all 100 except the two effective ones 400 each -> total 8·100 + 2·400 = 1600;
    #   declared amount 4·100 + 2·400 = 1200 -> 0.75; effective 800 / 1600 = 0.5
    # Buyer B: 5 assessable, 0 declared, 0 effective: below_target; McNemar 1; significance
    #   0.7^5 = 0.16807 -> not significant.
    # Buyer C: 20 assessable, 0 effective -> 0.7^20 = 0.000798 < 0.05 -> significant.
    a = _frame("A", [True] * 6 + [False] * 4 + [True], [True, True] + [False] * 9,
               [400.0, 400.0] + [100.0] * 9, [True] * 10 + [False])
    b_ = _frame("B", [False] * 5, [False] * 5, [50.0] * 5)
    c = _frame("C", [False] * 20, [False] * 20, [np.nan] * 20)
    t = share_table(pd.concat([a, b_, c]), make_params({}), by="buyer_siret",
                    groups=["A", "B", "C", "D"])
    ra, rb, rc, rd = (t.loc[k] for k in "ABCD")
    assert (ra["assessable_contracts"], ra["declared_n"], ra["effective_n"]) == (10, 6, 2)
    assert ra["declared_share"] == pytest.approx(0.6) and ra["effective_share"] == pytest.approx(0.2)
    assert ra["gap_points"] == pytest.approx(40.0)
    assert (ra["declared_not_effective"], ra["effective_not_declared"]) == (4, 0)
    assert ra["mcnemar_p"] == pytest.approx(0.125)
    assert ra["significance_p"] == pytest.approx(0.3827828, abs=1e-7)
    assert ra["declared_share_by_amount"] == pytest.approx(0.75)
    assert ra["effective_share_by_amount"] == pytest.approx(0.5)
    assert ra["verdict"] == "social_washing" and not ra["significant"]
    assert rb["verdict"] == "below_target" and rb["mcnemar_p"] == 1.0 and not rb["significant"]
    assert rc["significance_p"] == pytest.approx(0.7**20) and rc["significant"]
    assert math.isnan(rc["declared_share_by_amount"])          # no known amount
    # D was listed but has no contract: zeros, insufficient_data, not significant
    assert rd["assessable_contracts"] == 0 and rd["verdict"] == "insufficient_data"
    assert not rd["significant"] and math.isnan(rd["declared_share"])


def test_share_table_whole_scope_equals_pooled_counts():
    a = _frame("A", [True, True, False], [True, False, False], [1.0, 1.0, 1.0])
    b_ = _frame("B", [False, False], [True, False], [1.0, 1.0])
    whole = share_table(pd.concat([a, b_]), make_params({})).iloc[0]
    # pooled: 5 assessable, declared 2, effective 2, b = 1 (A's 2nd), c = 1 (B's 1st)
    assert (whole["assessable_contracts"], whole["declared_n"], whole["effective_n"]) == (5, 2, 2)
    assert (whole["declared_not_effective"], whole["effective_not_declared"]) == (1, 1)
    assert whole["gap_points"] == pytest.approx(0.0)


def test_share_table_empty_input():
    empty = _frame("A", [], [], [])
    row = share_table(empty, make_params({})).iloc[0]
    assert row["assessable_contracts"] == 0 and row["verdict"] == "insufficient_data"
    assert not row["significant"] and math.isnan(row["effective_share"])
    assert math.isnan(row["gap_points"]) and math.isnan(row["mcnemar_p"])


def test_significant_is_false_when_insufficient_data():
    # 4 contracts, none effective: P = 0.7^4 = 0.2401 anyway; with target 0.9, 0.1^4 = 0.0001 < 0.05
    # but |A| = 4 < 5 -> not judged -> significant False
    f = _frame("A", [False] * 4, [False] * 4, [1.0] * 4)
    row = share_table(f, make_params({"target": 0.9})).iloc[0]
    assert row["significance_p"] == pytest.approx(1e-4)
    assert row["verdict"] == "insufficient_data" and not row["significant"]


def test_share_table_grouped_equals_one_buyer_at_a_time():
    # 3 000 buyers in one groupby must give, for each buyer, what the buyer alone gives
    rng = np.random.default_rng(11)
    n = 30_000
    frame = pd.DataFrame({
        "buyer_siret": rng.integers(0, 3000, n).astype(str),
        "declared": rng.random(n) < 0.4, "effective": rng.random(n) < 0.3,
        "amount": rng.lognormal(11, 1, n), "assessable": rng.random(n) < 0.95})
    params = make_params({})
    grouped = share_table(frame, params, by="buyer_siret")
    assert len(grouped) == frame["buyer_siret"].nunique()
    for buyer in rng.choice(grouped.index.to_numpy(), 15, replace=False):
        alone = share_table(frame[frame["buyer_siret"] == buyer], params).iloc[0]
        got = grouped.loc[buyer]
        for col in ("assessable_contracts", "declared_n", "effective_n", "declared_share",
                    "effective_ci_low", "gap_points", "gap_ci_high", "mcnemar_p", "significance_p",
                    "declared_share_by_amount", "verdict", "significant"):
            assert got[col] == (pytest.approx(alone[col]) if isinstance(alone[col], float)
                                else alone[col]), (buyer, col)
