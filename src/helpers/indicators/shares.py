"""Shares over the assessable set, intervals, paired gap, McNemar, verdict (DESIGN §3).

Every function takes arrays (one value per buyer, or a single value for the whole scope) and is
vectorised with numpy / scipy / statsmodels, so 3 000 buyers cost one call each, not 3 000.

Methods
-------
- Wilson 95 % interval of a share: ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.
- Paired gap declared − effective: Newcombe's square-and-add (hybrid score) interval for paired
  proportions (method 10 of Newcombe, *Statistics in Medicine* 17:2635-2650, 1998), built from the two
  Wilson intervals and the (continuity-corrected) phi correlation of the paired 2 × 2 table.
- McNemar exact p-value: two-sided binomial test on the discordant pairs,
  min(1, 2 · Binom(min(b, c); b + c, ½)), the formula of
  ``statsmodels.stats.contingency_tables.mcnemar(exact=True)`` (equivalence is tested).
- ``significant``: one-sided exact binomial test that the effective share is below ``target``,
  p = Binom(k; n, target), the p-value of ``scipy.stats.binomtest(k, n, target, alternative="less")``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..params import Params

# SciPy's and statsmodels' statistics are imported by the functions that use them: unpickling the
# results in a notebook kernel imports this package, and scipy.stats alone costs about 0.6 s of CPU
# per kernel (issue 6: the warm rerun is the notebooks' start-up).

INSUFFICIENT_DATA = "insufficient_data"
COMPLIANT = "compliant"
SOCIAL_WASHING = "social_washing"
BELOW_TARGET = "below_target"
VERDICTS: tuple[str, ...] = (INSUFFICIENT_DATA, COMPLIANT, SOCIAL_WASHING, BELOW_TARGET)

#: Absolute tolerance of the ``share ≥ target`` comparisons (3/10 against 0.30 is not a rounding case
#: in IEEE arithmetic, but a target given as 0.3 and a share of 0.30000000000000004 must compare equal).
SHARE_TOLERANCE = 1e-12


def _arr(x: object) -> np.ndarray:
    return np.atleast_1d(np.asarray(x, dtype=float))


def wilson_interval(count: object, nobs: object, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of count / nobs (statsmodels), NaN where nobs = 0."""
    k, n = _arr(count), _arr(nobs)
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    ok = n > 0
    if ok.any():
        from statsmodels.stats.proportion import proportion_confint

        lo, hi = proportion_confint(k[ok], n[ok], alpha=alpha, method="wilson")
        low[ok], high[ok] = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
    return low, high


def paired_gap_interval(a: object, b: object, c: object, d: object,
                        alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference p1 − p2 of paired proportions and its Newcombe (1998, method 10) interval.

    Paired table over the assessable contracts: ``a`` declared & effective, ``b`` declared & not
    effective, ``c`` effective & not declared, ``d`` neither; p1 = (a+b)/n (declared share),
    p2 = (a+c)/n (effective share), difference = (b − c)/n. With (l1, u1), (l2, u2) the Wilson
    intervals of p1 and p2 and φ = C / √((a+b)(c+d)(a+c)(b+d)) (0 when a margin is 0), where
    C = ad − bc − n/2 if ad − bc > n/2, 0 if 0 ≤ ad − bc ≤ n/2, ad − bc if negative (Newcombe's
    continuity-corrected φ, as in Altman et al., *Statistics with confidence*, 2000, p. 52, and
    Fagerland, Lydersen & Laake, *Statistical analysis of contingency tables*, 2017, ch. 8):
    lower = Δ − √((p1−l1)² − 2φ(p1−l1)(u2−p2) + (u2−p2)²),
    upper = Δ + √((u1−p1)² − 2φ(u1−p1)(p2−l2) + (p2−l2)²), clipped to [−1, 1]. NaN where n = 0.
    Returns (difference, lower, upper) as shares (multiply by 100 for percentage points).
    """
    a, b, c, d = _arr(a), _arr(b), _arr(c), _arr(d)
    n = a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.where(n > 0, (a + b) / n, np.nan)
        p2 = np.where(n > 0, (a + c) / n, np.nan)
        l1, u1 = wilson_interval(a + b, n, alpha)
        l2, u2 = wilson_interval(a + c, n, alpha)
        margins = (a + b) * (c + d) * (a + c) * (b + d)
        cross = a * d - b * c
        corrected = np.where(cross > n / 2, cross - n / 2, np.where(cross >= 0, 0.0, cross))
        phi = np.where(margins > 0, corrected / np.sqrt(margins), 0.0)
        diff = p1 - p2
        delta = np.sqrt(np.maximum((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0))
        eps = np.sqrt(np.maximum((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2, 0))
    return diff, np.clip(diff - delta, -1.0, 1.0), np.clip(diff + eps, -1.0, 1.0)


def mcnemar_exact_p(b: object, c: object) -> np.ndarray:
    """McNemar's exact two-sided p-value from the discordant counts: min(1, 2·Binom(min(b,c); b+c, ½)).
    Equals ``statsmodels...mcnemar([[a, b], [c, d]], exact=True).pvalue``; 1 when b + c = 0."""
    b, c = _arr(b), _arr(c)
    from scipy import stats

    return np.minimum(1.0, 2.0 * stats.binom.cdf(np.minimum(b, c), b + c, 0.5))


def below_target_p(effective_n: object, n: object, target: float) -> np.ndarray:
    """One-sided exact binomial p-value that the effective share is below ``target``:
    P(X ≤ k), X ~ Binom(n, target) (= ``scipy.stats.binomtest(k, n, target, "less").pvalue``).
    NaN where n = 0."""
    k, n = _arr(effective_n), _arr(n)
    from scipy import stats

    return np.where(n > 0, stats.binom.cdf(k, n, target), np.nan)


def verdict(n: object, declared_share: object, effective_share: object, target: float,
            min_contracts: int) -> np.ndarray:
    """Verdict of DESIGN §3, first rule that matches: ``insufficient_data`` if n < min_contracts;
    ``compliant`` if effective share ≥ target; ``social_washing`` if declared share ≥ target;
    ``below_target`` otherwise. Vectorised: returns an array of strings."""
    n = _arr(n)
    dec, eff = _arr(declared_share), _arr(effective_share)
    return np.select(
        [n < min_contracts, eff >= target - SHARE_TOLERANCE, dec >= target - SHARE_TOLERANCE],
        [INSUFFICIENT_DATA, COMPLIANT, SOCIAL_WASHING], default=BELOW_TARGET).astype(object)


def share_table(statuses: pd.DataFrame, params: Params, by: str | None = None,
                groups: pd.Index | list[str] | None = None) -> pd.DataFrame:
    """All share statistics over the assessable set, per group ``by`` (e.g. ``buyer_siret``) or for
    the whole frame (one row, index 0) when ``by`` is None (DESIGN §3). ``groups`` lists the groups to
    report (in that order), including those with no assessable contract (all counts 0).

    ``statuses`` holds one row per contract with boolean ``assessable``, ``declared``, ``effective``
    and float ``amount``. Columns returned: assessable_contracts, declared_n, effective_n,
    declared_share, effective_share and their Wilson ``*_ci_low``/``*_ci_high``,
    declared_share_by_amount, effective_share_by_amount (amounts of the assessable contracts with a
    known amount; NaN when their total is 0), both_n (a), declared_not_effective (b),
    effective_not_declared (c), neither_n (d), gap_points = 100·(declared − effective share),
    gap_ci_low/gap_ci_high (Newcombe, points), mcnemar_p, significance_p (one-sided binomial),
    verdict, significant (significance_p < alpha, False for ``insufficient_data``).
    """
    frame = statuses.loc[statuses["assessable"].astype(bool)]
    dec = frame["declared"].astype(bool)
    eff = frame["effective"].astype(bool)
    amount = frame["amount"].astype(float)
    parts = pd.DataFrame({
        "assessable_contracts": 1,
        "declared_n": dec.astype(int),
        "effective_n": eff.astype(int),
        "both_n": (dec & eff).astype(int),
        "declared_not_effective": (dec & ~eff).astype(int),
        "effective_not_declared": (~dec & eff).astype(int),
        "neither_n": (~dec & ~eff).astype(int),
        "amount_known": amount.fillna(0.0),
        "declared_amount": amount.where(dec, 0.0).fillna(0.0),
        "effective_amount": amount.where(eff, 0.0).fillna(0.0),
    }, index=frame.index)
    if by is None:
        sums = parts.sum().to_frame().T
    else:
        sums = parts.groupby(frame[by], sort=True).sum()
        if groups is not None:
            sums = sums.reindex(pd.Index(groups, name=by), fill_value=0)
    counts = [c for c in parts.columns if not c.endswith("amount") and c != "amount_known"]
    sums[counts] = sums[counts].astype(int)

    n = sums["assessable_contracts"].to_numpy(float)
    out = sums[counts].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for side in ("declared", "effective"):
            k = sums[f"{side}_n"].to_numpy(float)
            out[f"{side}_share"] = np.where(n > 0, k / n, np.nan)
            lo, hi = wilson_interval(k, n)
            out[f"{side}_ci_low"], out[f"{side}_ci_high"] = lo, hi
            total = sums["amount_known"].to_numpy(float)
            out[f"{side}_share_by_amount"] = np.where(
                total > 0, sums[f"{side}_amount"].to_numpy(float) / total, np.nan)
    diff, lo, hi = paired_gap_interval(sums["both_n"], sums["declared_not_effective"],
                                       sums["effective_not_declared"], sums["neither_n"])
    out["gap_points"], out["gap_ci_low"], out["gap_ci_high"] = 100 * diff, 100 * lo, 100 * hi
    out["mcnemar_p"] = np.where(n > 0, mcnemar_exact_p(sums["declared_not_effective"],
                                                       sums["effective_not_declared"]), np.nan)
    out["significance_p"] = below_target_p(sums["effective_n"], n, params.target)
    out["verdict"] = verdict(n, out["declared_share"], out["effective_share"], params.target,
                             params.min_contracts)
    out["significant"] = (out["verdict"].ne(INSUFFICIENT_DATA)
                          & (out["significance_p"] < params.alpha)).astype(bool)
    return out
