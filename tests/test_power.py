"""Exact power of the below-target binomial test (helpers.indicators.power), against binomial sums
written out by hand."""

from __future__ import annotations

import math
import re

import pytest

from helpers.indicators import power as pw


def test_critical_count_n10_and_power_at_ten_percent() -> None:
    # P(Bin(10, 0.3) <= 0) = 0.7^10 = 0.0282475 < 0.05
    # P(Bin(10, 0.3) <= 1) = 0.7^10 + 10·0.3·0.7^9 = 0.0282475 + 0.1210608 = 0.1493083 >= 0.05
    assert 0.7 ** 10 == pytest.approx(0.0282475, abs=1e-7)
    assert pw.critical_count(10) == 0
    # power at p = 0.10: P(Bin(10, 0.1) <= 0) = 0.9^10 = 0.3486784
    assert pw.power(10, 0.10) == pytest.approx(0.9 ** 10, abs=1e-12)
    assert pw.power(10, 0.10) == pytest.approx(0.3486784, abs=1e-7)
    # at p = 0.20: 0.8^10 = 0.1073742
    assert pw.power(10, 0.20) == pytest.approx(0.1073742, abs=1e-7)


def test_critical_count_n20_and_power() -> None:
    # P(Bin(20, 0.3) <= k), terms C(20,k) 0.3^k 0.7^(20-k):
    #   k=0: 0.7^20 = 0.0007979;  k=1: 20·0.3·0.7^19 = 0.0068393;  k=2: 190·0.09·0.7^18 = 0.0278459
    #   cumulative: 0.0007979, 0.0076372, 0.0354831 (< 0.05); k=3 adds 1140·0.027·0.7^17 = 0.0716037
    #   -> 0.1070868 >= 0.05, so k_crit = 2
    assert pw.critical_count(20) == 2
    # power at 0.10: 0.9^20 + 20·0.1·0.9^19 + 190·0.01·0.9^18 = 0.1215767 + 0.2701703 + 0.2851798
    expected = 0.9 ** 20 + 20 * 0.1 * 0.9 ** 19 + 190 * 0.01 * 0.9 ** 18
    assert expected == pytest.approx(0.6769268, abs=1e-7)
    assert pw.power(20, 0.10) == pytest.approx(expected, abs=1e-12)


def test_too_small_sizes_cannot_reject() -> None:
    # 0.7^8 = 0.0576 >= 0.05: with 8 contracts not even 0 effective is significant
    assert 0.7 ** 8 == pytest.approx(0.057648, abs=1e-6)
    assert pw.critical_count(8) == -1
    assert pw.power(8, 0.0) == 0.0
    assert pw.min_detectable(8) is None
    assert "even 0 effective contracts out of 8" in pw.too_small(8)
    # 0.7^9 = 0.0404 < 0.05: 9 is the smallest testable size
    assert pw.smallest_testable_n() == 9 and pw.critical_count(9) == 0
    assert pw.critical_count(0) == -1


def test_too_small_by_power_at_half_the_target() -> None:
    # n = 10: power at 0.15 = 0.85^10 = 0.1968744 < 0.5 -> too small
    assert "power 20% < 50%" in pw.too_small(10)
    # n = 50, k_crit = 9 (P(Bin(50,0.3) <= 9) = 0.0402 < 0.05 <= P(<= 10) = 0.0789); the power at 0.15
    # is P(Bin(50, 0.15) <= 9), above one half (mean 7.5, sd 2.52)
    assert pw.critical_count(50) == 9
    assert pw.power(50, 0.15) > 0.5 and pw.too_small(50) is None


def test_min_detectable_solves_power_equation() -> None:
    # n = 10, k_crit = 0: power(p) = (1 − p)^10 = 0.8  ->  p = 1 − 0.8^(1/10) = 0.0220672
    assert pw.min_detectable(10) == pytest.approx(1 - 0.8 ** 0.1, abs=1e-8)
    # n = 100: at the returned share the power is 0.8 (root of the equation)
    p = pw.min_detectable(100)
    assert 0.0 < p < 0.30 and pw.power(100, p) == pytest.approx(0.8, abs=1e-6)


def test_power_table_layout_and_monotonicity() -> None:
    t = pw.power_table()
    assert len(t) == 16 and list(t.columns) == ["n", "k_crit", "true_share", "power"]
    wide = t.pivot(index="n", columns="true_share", values="power")
    assert wide.loc[10, 0.10] == pytest.approx(0.9 ** 10)
    # power grows with n and falls with the true share
    assert (wide.diff().iloc[1:] > 0).all().all()
    assert (wide.T.diff().iloc[1:] < 0).all().all()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="target"):
        pw.critical_count(10, target=1.0)
    with pytest.raises(ValueError, match="n must be"):
        pw.critical_count(-1)
    with pytest.raises(ValueError, match="true_share"):
        pw.power(10, 1.5)
    assert math.isclose(pw.power(100, 0.0), 1.0)


def test_power_table_in_docs_matches_the_code(project_root) -> None:
    # docs/indicators.md, "Power": every cell equals power_table() rounded to 3 decimals
    text = (project_root / "docs" / "indicators.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines()
            if re.match(r"^\| \d+ \(\d+\) \|", line)]
    table = pw.power_table().pivot(index="n", columns="true_share", values="power")
    assert len(rows) == 4
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        n, k = cells[0].split(" (")
        assert pw.critical_count(int(n)) == int(k.rstrip(")"))
        assert [float(c) for c in cells[1:]] == [round(v, 3) for v in table.loc[int(n)]]
