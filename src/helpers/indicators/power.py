"""Exact power of the below-target test, and when a buyer is too small for it to find anything.

The verdicts use a one-sided exact binomial test of "the effective share is below ``target``"
(docs/indicators.md): with k effective contracts out of n, p = P(Bin(n, target) ≤ k). At level
``alpha`` the test rejects exactly when k ≤ k_crit, where

    k_crit = the largest k with P(Bin(n, target) ≤ k) < alpha   (−1 when even k = 0 is not enough).

If the buyer's contracts are effective independently with a true share p_true, the number effective
is X ~ Bin(n, p_true) and the power of the test is

    power(n, p_true) = P(X ≤ k_crit) = Σ_{k=0..k_crit} C(n, k) p_true^k (1 − p_true)^(n − k).

Everything here is computed exactly with ``scipy.stats.binom`` (no simulation). Example: n = 10,
target 0.30: P(Bin(10, 0.3) ≤ 0) = 0.7^10 = 0.0282 < 0.05 and P(≤ 1) = 0.149 ≥ 0.05, so k_crit = 0,
and the power at a true share of 0.10 is 0.9^10 = 0.349: a buyer of 10 contracts that delivers on
one contract in ten is found significantly below a 30 % target only one time in three.

The smallest n at which the test can reject at all (k_crit ≥ 0) solves (1 − target)^n < alpha:
0.7^8 = 0.058 and 0.7^9 = 0.040, so with the defaults a buyer needs at least 9 covered contracts;
with fewer, even zero effective contracts would not be significant.

Public functions: :func:`critical_count`, :func:`power`, :func:`power_table`, :func:`min_detectable`,
:func:`too_small`.
"""

from __future__ import annotations

import math

import pandas as pd

#: Sample sizes and true effective shares of the published power table (docs/indicators.md, "Power").
TABLE_SIZES: tuple[int, ...] = (10, 20, 50, 100)
TABLE_SHARES: tuple[float, ...] = (0.10, 0.15, 0.20, 0.25)


def _check(n: int, target: float, alpha: float) -> None:
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative whole number of contracts (got {n!r})")
    if not 0.0 < target < 1.0:
        raise ValueError(f"target must be strictly between 0 and 1 (got {target!r})")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1 (got {alpha!r})")


def critical_count(n: int, target: float = 0.30, alpha: float = 0.05) -> int:
    """k_crit: the largest k with P(Bin(n, target) ≤ k) < alpha, or −1 when no k qualifies (the test
    cannot reject whatever the data, e.g. n ≤ 8 with target 0.30 and alpha 0.05)."""
    from scipy import stats

    _check(n, target, alpha)
    n = int(n)
    if n == 0:
        return -1
    cdf = stats.binom.cdf(range(n + 1), n, target)
    below = [k for k in range(n + 1) if cdf[k] < alpha]
    return max(below) if below else -1


def power(n: int, true_share: float, target: float = 0.30, alpha: float = 0.05) -> float:
    """P(the test rejects) = P(Bin(n, true_share) ≤ k_crit); 0 when k_crit = −1."""
    from scipy import stats

    if not 0.0 <= true_share <= 1.0:
        raise ValueError(f"true_share must lie in [0, 1] (got {true_share!r})")
    k = critical_count(n, target, alpha)
    return 0.0 if k < 0 else float(stats.binom.cdf(k, int(n), true_share))


def power_table(sizes: tuple[int, ...] = TABLE_SIZES, shares: tuple[float, ...] = TABLE_SHARES,
                target: float = 0.30, alpha: float = 0.05) -> pd.DataFrame:
    """Long table, one row per (n, true_share): n, k_crit, true_share, power. Pivot with
    ``.pivot(index="n", columns="true_share", values="power")`` for display."""
    rows = [{"n": int(n), "k_crit": critical_count(n, target, alpha), "true_share": float(p),
             "power": power(n, p, target, alpha)} for n in sizes for p in shares]
    return pd.DataFrame(rows, columns=["n", "k_crit", "true_share", "power"])


def min_detectable(n: int, target: float = 0.30, alpha: float = 0.05,
                   power_wanted: float = 0.8) -> float | None:
    """The largest true effective share at which the test still has ``power_wanted`` (default 0.8)
    with n contracts: the root p* of P(Bin(n, p*) ≤ k_crit) = power_wanted (the power decreases
    as the true share grows). A buyer whose true share lies between p* and ``target`` is below the
    target but will usually not be found so. None when k_crit = −1 (the test cannot reject)."""
    from scipy import optimize

    if not 0.0 < power_wanted < 1.0:
        raise ValueError(f"power_wanted must be strictly between 0 and 1 (got {power_wanted!r})")
    k = critical_count(n, target, alpha)
    if k < 0:
        return None
    # power(0) = 1 > power_wanted and power(target) ≤ alpha < power_wanted for any useful request;
    # if power_wanted ≤ power(target) the whole interval qualifies
    if power(n, target, target, alpha) >= power_wanted:
        return float(target)
    return float(optimize.brentq(lambda p: power(n, p, target, alpha) - power_wanted, 0.0, target,
                                 xtol=1e-10))


def too_small(n: int, target: float = 0.30, alpha: float = 0.05,
              min_power: float = 0.5) -> str | None:
    """Why a buyer with n contracts (judged on delivery: n = |C|) is too small for the below-target
    test to find anything, or None when it is not:

    - "even 0 effective contracts out of n would not be significant" when k_crit = −1;
    - "power below 50 % even at a true effective share of half the target" when
      power(n, target / 2) < ``min_power``.
    """
    k = critical_count(n, target, alpha)
    if k < 0:
        return (f"even 0 effective contracts out of {int(n)} would not be significant at "
                f"{alpha:g} (P = (1 − {target:g})^{int(n)} = {(1 - target) ** int(n):.3f})")
    pw = power(n, target / 2, target, alpha)
    if pw < min_power:
        return (f"power {pw:.0%} < {min_power:.0%} at a true effective share of half the target "
                f"({target / 2:.0%}) with {int(n)} contracts")
    return None


def smallest_testable_n(target: float = 0.30, alpha: float = 0.05) -> int:
    """The smallest n at which the test can reject at all: the least n with (1 − target)^n < alpha
    (9 for the defaults: 0.7^9 = 0.040)."""
    _check(1, target, alpha)
    n = math.ceil(math.log(alpha) / math.log(1.0 - target))
    while (1.0 - target) ** n >= alpha:  # equality at an exact integer: strictly below is needed
        n += 1
    return int(n)


__all__ = ["TABLE_SHARES", "TABLE_SIZES", "critical_count", "min_detectable", "power", "power_table",
           "smallest_testable_n", "too_small"]
