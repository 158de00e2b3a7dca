"""Shares, intervals, tests and verdicts over the assessable and covered sets.

Every function takes arrays (one value per buyer, or a single value for the whole scope) and is
vectorised with numpy / scipy / statsmodels, so 3 000 buyers cost one call each, not 3 000.

Sets (docs/design.md §3): the assessable set A is the scope minus ``NOT_DUE`` contracts; the
covered set C is A minus ``NOT_COVERED`` contracts. The declared share is measured over A (it needs
no facilitator data); the effective share, its upper bound, the paired gap and the unsubstantiated
share over C, where delivery can be judged.

Methods
-------
- Wilson 95 % interval of a share: ``statsmodels.stats.proportion.proportion_confint(method="wilson")``,
  with the bounds set to exactly 0 when the count is 0 and exactly 1 when it equals the total (the
  closed form gives 2.8e-17 there, which broke error bars).
- Paired gap declared − effective over C: Newcombe's square-and-add (hybrid score) interval for
  paired proportions (method 10 of Newcombe, *Statistics in Medicine* 17:2635-2650, 1998), built from
  the two Wilson intervals and the (continuity-corrected) phi correlation of the paired 2 × 2 table.
- McNemar exact p-value: two-sided binomial test on the discordant pairs,
  min(1, 2 · Binom(min(b, c); b + c, ½)), the formula of
  ``statsmodels.stats.contingency_tables.mcnemar(exact=True)`` (equivalence is tested); 1 when there
  is no discordant pair.
- ``binomial_p``: one-sided exact binomial test that the effective share over C is below ``target``,
  p = Binom(k; |C|, target), the p-value of ``scipy.stats.binomtest(k, n, target, alternative="less")``.
- ``q_value``: Benjamini-Hochberg adjusted p-values (``statsmodels.stats.multitest.multipletests``,
  ``fdr_bh``) over the family of buyers judged on delivery (Benjamini & Hochberg, *JRSS B* 57:289-300,
  1995).

Verdict, the first rule that matches: ``insufficient_data`` if |A| < ``min_contracts``;
``not_measured`` if |C| < ``min_contracts``; ``compliant`` if the effective share ≥ ``target``;
``social_washing`` if the declared share over C ≥ ``target`` and the effective share is significantly
below it; ``possible_social_washing`` if the declared share over C ≥ ``target``; ``below_target``
otherwise. Significant means ``binomial_p < alpha`` for the whole scope and ``q_value < alpha`` for a
buyer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..params import Params

# SciPy's and statsmodels' statistics are imported by the functions that use them: the notebook
# kernels import this package, and scipy.stats alone costs about 0.6 s of CPU per kernel.

INSUFFICIENT_DATA = "insufficient_data"
NOT_MEASURED = "not_measured"
COMPLIANT = "compliant"
SOCIAL_WASHING = "social_washing"
POSSIBLE_SOCIAL_WASHING = "possible_social_washing"
BELOW_TARGET = "below_target"
#: The six verdicts, in the order of the rules.
VERDICTS: tuple[str, ...] = (INSUFFICIENT_DATA, NOT_MEASURED, COMPLIANT, SOCIAL_WASHING,
                             POSSIBLE_SOCIAL_WASHING, BELOW_TARGET)
#: Verdicts given without judging delivery: no p-value, no q-value, never significant.
NOT_JUDGED: tuple[str, ...] = (INSUFFICIENT_DATA, NOT_MEASURED)

#: Absolute tolerance of the ``share ≥ target`` comparisons (3/10 against 0.30 is not a rounding case
#: in IEEE arithmetic, but a target given as 0.3 and a share of 0.30000000000000004 must compare equal).
SHARE_TOLERANCE = 1e-12


def _arr(x: object) -> np.ndarray:
    return np.atleast_1d(np.asarray(x, dtype=float))


def wilson_interval(count: object, nobs: object, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of count / nobs (statsmodels), NaN where nobs = 0; the lower bound is
    exactly 0 when count = 0 and the upper bound exactly 1 when count = nobs."""
    k, n = _arr(count), _arr(nobs)
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    ok = n > 0
    if ok.any():
        from statsmodels.stats.proportion import proportion_confint

        lo, hi = proportion_confint(k[ok], n[ok], alpha=alpha, method="wilson")
        low[ok], high[ok] = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
        low[ok & (k <= 0)] = 0.0
        high[ok & (k >= n)] = 1.0
    return low, high


def paired_gap_interval(a: object, b: object, c: object, d: object,
                        alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference p1 − p2 of paired proportions and its Newcombe (1998, method 10) interval.

    Paired table over the covered contracts: ``a`` declared & effective, ``b`` declared & not
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


def bh_q_values(p_values: object, family: object) -> np.ndarray:
    """Benjamini-Hochberg q-values of ``p_values`` over the members of ``family`` (a boolean mask);
    NaN outside the family. ``statsmodels.stats.multitest.multipletests(method="fdr_bh")``."""
    p = _arr(p_values)
    member = np.atleast_1d(np.asarray(family, dtype=bool)) & ~np.isnan(p)
    q = np.full(p.shape, np.nan)
    if member.any():
        from statsmodels.stats.multitest import multipletests

        q[member] = multipletests(p[member], method="fdr_bh")[1]
    return q


def verdict(assessable: object, covered: object, declared_covered_share: object,
            effective_share: object, significant: object, target: float,
            min_contracts: int) -> np.ndarray:
    """The verdict, first rule that matches (module docstring): ``insufficient_data`` if |A| <
    ``min_contracts``; ``not_measured`` if |C| < ``min_contracts``; ``compliant`` if the effective
    share over C ≥ ``target``; ``social_washing`` if the declared share over C ≥ ``target`` and the
    shortfall is significant; ``possible_social_washing`` if the declared share over C ≥ ``target``;
    ``below_target`` otherwise. Vectorised: returns an array of strings."""
    n_a, n_c = _arr(assessable), _arr(covered)
    dec, eff = _arr(declared_covered_share), _arr(effective_share)
    sig = np.atleast_1d(np.asarray(significant, dtype=bool))
    meets_dec = dec >= target - SHARE_TOLERANCE
    return np.select(
        [n_a < min_contracts, n_c < min_contracts, eff >= target - SHARE_TOLERANCE,
         meets_dec & sig, meets_dec],
        [INSUFFICIENT_DATA, NOT_MEASURED, COMPLIANT, SOCIAL_WASHING, POSSIBLE_SOCIAL_WASHING],
        default=BELOW_TARGET).astype(object)


def _share(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, k / n, np.nan)


def share_table(statuses: pd.DataFrame, params: Params, by: str | None = None,
                groups: pd.Index | list[str] | None = None) -> pd.DataFrame:
    """Every share statistic, per group ``by`` (e.g. ``buyer_siret``) or for the whole frame (one
    row, index 0) when ``by`` is None. ``groups`` lists the groups to report (in that order),
    including those with no assessable contract (all counts 0, every share null).

    ``statuses`` holds one row per contract with boolean ``assessable``, ``in_covered_set``,
    ``declared``, ``effective``, ``status`` and float ``amount`` (:func:`contract_status`).

    Over A: ``assessable_contracts``, ``declared_n``, ``declared_share`` and its Wilson
    ``declared_ci_low``/``declared_ci_high``, ``declared_share_by_amount`` (amounts of the contracts
    with a known amount; NaN when their total is 0), ``declared_meets_target``.
    Over C: ``covered_contracts``, ``declared_covered_n``, ``declared_covered_share`` (and Wilson
    interval), ``effective_n``, ``effective_share`` (and Wilson interval),
    ``declared_covered_share_by_amount``, ``effective_share_by_amount``, ``unverifiable_n``,
    ``effective_upper_share`` (UNVERIFIABLE
    counted as effective), the paired table ``both_n`` (a), ``declared_not_effective`` (b),
    ``effective_not_declared`` (c), ``neither_n`` (d), ``gap_points`` = 100·(b − c)/|C| and its
    Newcombe interval ``gap_ci_low``/``gap_ci_high`` (points), ``mcnemar_p``,
    ``unsubstantiated_share`` = b / (a + b) and its Wilson interval, ``binomial_p``.
    Then ``q_value`` (Benjamini-Hochberg over the groups judged on delivery; only when ``by`` is
    given), ``verdict`` and ``significant``. Groups not judged on delivery (``insufficient_data``,
    ``not_measured``) get null ``binomial_p`` and ``q_value`` and ``significant`` False. Every
    share, interval and test over an empty denominator is null.
    """
    frame = statuses.loc[statuses["assessable"].astype(bool)]
    cov = frame["in_covered_set"].astype(bool)
    dec = frame["declared"].astype(bool)
    eff = frame["effective"].astype(bool) & cov
    dec_c = dec & cov
    unverifiable = frame["status"].eq("UNVERIFIABLE") & cov
    amount = frame["amount"].astype(float)
    parts = pd.DataFrame({
        "assessable_contracts": 1,
        "covered_contracts": cov.astype(int),
        "declared_n": dec.astype(int),
        "declared_covered_n": dec_c.astype(int),
        "effective_n": eff.astype(int),
        "unverifiable_n": unverifiable.astype(int),
        "both_n": (dec_c & eff).astype(int),
        "declared_not_effective": (dec_c & ~eff).astype(int),
        "effective_not_declared": (~dec & eff).astype(int),
        "neither_n": (cov & ~dec & ~eff).astype(int),
        "amount_known": amount.fillna(0.0),
        "amount_known_covered": amount.where(cov, 0.0).fillna(0.0),
        "declared_amount": amount.where(dec, 0.0).fillna(0.0),
        "declared_covered_amount": amount.where(dec_c, 0.0).fillna(0.0),
        "effective_amount": amount.where(eff, 0.0).fillna(0.0),
    }, index=frame.index)
    if by is None:
        sums = parts.sum().to_frame().T
    else:
        sums = parts.groupby(frame[by], sort=True).sum()
        if groups is not None:
            sums = sums.reindex(pd.Index(groups, name=by), fill_value=0)
    counts = [c for c in parts.columns if "amount" not in c]
    sums[counts] = sums[counts].astype(int)

    def col(name: str) -> np.ndarray:
        return sums[name].to_numpy(float)

    n_a, n_c = col("assessable_contracts"), col("covered_contracts")
    out = sums[counts].copy()
    for name, k, n in (("declared", col("declared_n"), n_a),
                       ("declared_covered", col("declared_covered_n"), n_c),
                       ("effective", col("effective_n"), n_c),
                       ("unsubstantiated", col("declared_not_effective"), col("declared_covered_n"))):
        out[f"{name}_share"] = _share(k, n)
        out[f"{name}_ci_low"], out[f"{name}_ci_high"] = wilson_interval(k, n)
    out["declared_meets_target"] = pd.array(
        np.where(np.isnan(out["declared_share"].to_numpy(float)), None,
                 out["declared_share"].to_numpy(float) >= params.target - SHARE_TOLERANCE),
        dtype="boolean")
    out["declared_share_by_amount"] = _share(col("declared_amount"), col("amount_known"))
    out["declared_covered_share_by_amount"] = _share(col("declared_covered_amount"),
                                                     col("amount_known_covered"))
    out["effective_share_by_amount"] = _share(col("effective_amount"), col("amount_known_covered"))
    out["effective_upper_share"] = _share(col("effective_n") + col("unverifiable_n"), n_c)
    diff, lo, hi = paired_gap_interval(sums["both_n"], sums["declared_not_effective"],
                                       sums["effective_not_declared"], sums["neither_n"])
    out["gap_points"], out["gap_ci_low"], out["gap_ci_high"] = 100 * diff, 100 * lo, 100 * hi
    out["mcnemar_p"] = np.where(n_c > 0, mcnemar_exact_p(sums["declared_not_effective"],
                                                         sums["effective_not_declared"]), np.nan)
    judged = (n_a >= params.min_contracts) & (n_c >= params.min_contracts)
    p = np.where(judged, below_target_p(sums["effective_n"], n_c, params.target), np.nan)
    out["binomial_p"] = p
    if by is None:
        test = p
    else:
        out["q_value"] = test = bh_q_values(p, judged)
    significant = judged & (np.nan_to_num(test, nan=1.0) < params.alpha)
    out["verdict"] = verdict(n_a, n_c, out["declared_covered_share"], out["effective_share"],
                             significant, params.target, params.min_contracts)
    out["significant"] = significant.astype(bool)
    return out
