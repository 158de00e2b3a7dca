"""Pre-registered hypotheses H1-H4 (protocol in ``docs/preregistration.md``, results in
``docs/hypotheses.md``), all fitted with statsmodels.

Two layers, so each can be tested on its own:

* **analysis tables** — built from the canonical :class:`~helpers.dataset.Dataset`:
  :func:`h1_table` (one row per clause contract), :func:`h2_table` (one row per ended mission),
  :func:`h3_table` (one row per person-mission with hours), :func:`h4_table` (one row per clause
  contract with planned hours and an amount);
* **fitters** — :func:`fit_h1` … :func:`fit_h4` take such a table and return a
  :class:`HypothesisResult` (effect on the log scale with its 95 % interval, p-value, n, clusters,
  plain-language conclusion). :func:`run_hypotheses` never raises for the data: a hypothesis that
  the data cannot support (one buyer, no variation, too few rows, a failed fit) comes back
  ``estimable=False`` with its reason (:func:`estimability`, :func:`not_estimable`).

Models:

H1  logit P(reached) ~ sector (services = reference; supplies has its own dummy) + log amount +
    duration + elapsed fraction of the contract at ``as_of`` + buyer fixed effects. From 30 buyers
    on: statsmodels' ``ConditionalLogit`` with a cluster-robust sandwich by buyer (CR1, t on
    G − 1 df). With fewer buyers: the wider of the model-based and the CR1 intervals; the
    restricted wild cluster score bootstrap with Webb weights (Kline & Santos 2012; Webb 2023) is
    available as a sensitivity (``bootstrap=True``). Buyers whose outcome does not vary are dropped
    (counted).
H2  logit P(emploi_durable | ended mission) ~ via insertion structure + sex + age band + diploma +
    sector + buyer; the wider of the two-way cluster-robust interval by contract and person and
    the cluster-robust one by buyer (CR1, t inference); sensitivity without the ``inconnu`` exits.
H3  binomial GLM (logit link) of "female" on sector over person-mission rows weighted by hours:
    each sector's fitted share is its women's share of insertion hours; two-way cluster-robust by
    contract and person (CR1, t inference) — a person's sex is shared by all their missions.
H4  Gamma GLM with log link of planned hours on sector with offset log(amount / 1 000): exp(the
    sector coefficient) is the sector's mean of planned hours per 1 000 € over contracts;
    cluster-robust by buyer (CR1, t on G − 1 df); "differ between sectors" is the joint F test of
    both sector coefficients on (2, G − 1) df.

``python -m helpers simulate`` (:mod:`helpers.simulate`) checks the intervals' coverage, also under
misspecification (docs/simulation.md).

Display for the reports, in French (default) or English: :func:`result_sentence` (the result, or
"not estimable" with its reason (:func:`reason_text`), in one sentence), :func:`report_text`,
:func:`summary_table`, :func:`preregistration_status` (protocol unchanged, amended or not matching
its record), :func:`power_display` and :func:`power_example` (exact power of the below-target test,
:mod:`helpers.indicators.power`), and :func:`forest_plot` (themed, every text a keyword argument).
"""

from __future__ import annotations

import json
import math
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from matplotlib.figure import Figure

from . import figures, fmt
from .dataset import Dataset
from .figures import themed as _themed
from .indicators.power import power, power_table, smallest_testable_n
from .indicators.status import RATIO_TOLERANCE, contract_status
from .params import Params
from .reference import contract_category
from .texts_research import french_spaces
from .trends import period_years
from .trends import report_dir as _report_dir

HYPOTHESES: tuple[str, ...] = ("H1", "H2", "H3", "H4")

QUESTIONS: dict[str, str] = {
    "H1": "Do clause contracts in works reach their expected insertion hours more often than in services?",
    "H2": "Do people placed through an insertion structure exit to durable employment more often "
          "than direct hires?",
    "H3": "Is women's share of insertion hours lower in works than in services?",
    "H4": "Do planned insertion hours per 1 000 EUR differ between sectors?",
}

EFFECTS: dict[str, str] = {
    "H1": "log odds ratio of reaching expected hours, works vs services",
    "H2": "log odds ratio of exit to emploi_durable, insertion structure vs direct hire",
    "H3": "log odds ratio of an insertion hour being worked by a woman, works vs services",
    "H4": "log ratio of planned hours per 1 000 EUR, works vs services",
}

LABELS: dict[str, str] = {  # short labels for tables and the forest plot
    "H1": "reached hours, works vs services (log OR)",
    "H2": "durable exit, structure vs direct hire (log OR)",
    "H3": "women's hours, works vs services (log OR)",
    "H4": "hours per 1 000 EUR, works vs services (log ratio)",
}

STRUCTURE_MODALITIES = ("mise_a_disposition", "sous_traitance_siae")
SECTORS = ("services", "works", "supplies")

ROUND = 4  # decimals kept in hypotheses.json
#: H1: fewest buyers for which the cluster-robust interval is the primary one (see fit_h1).
MIN_CLUSTERS = 30

#: Effects planted in the demo data (data/demo/README.md, "Planted effects"; helpers.demo): H1 log OR
#: 1.0, H2 log OR 0.7, H3 logit(0.15) − logit(0.45), H4 none.
DEMO_PLANTED: dict[str, float] = {
    "H1": 1.0,
    "H2": 0.7,
    "H3": math.log(0.15 / 0.85) - math.log(0.45 / 0.55),
    "H4": 0.0,
}


class HypothesisDataError(ValueError):
    """An analysis table cannot support the model (empty, one sector only, ...)."""


# --------------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------------

@dataclass
class HypothesisResult:
    """One hypothesis' answer. ``estimate`` and ``ci95`` are on the log scale (log OR / log ratio)."""

    id: str
    question: str
    effect: str
    model: str
    estimate: float
    ci95: tuple[float, float]
    p_value: float
    n: int
    n_clusters: int | None
    conclusion: str
    ratio: float = field(init=False)          # exp(estimate): odds ratio or rate ratio
    ratio_ci95: tuple[float, float] = field(init=False)
    extra: dict[str, Any] = field(default_factory=dict)
    estimable: bool = True
    reason: str = ""                          # why not estimable (empty when estimable)

    def __post_init__(self) -> None:
        self.ratio = _exp(self.estimate)
        self.ratio_ci95 = (_exp(self.ci95[0]), _exp(self.ci95[1]))

    def covers(self, value: float) -> bool:
        """True when ``value`` lies in the 95 % interval (both ends included); False when not
        estimable."""
        return bool(self.estimable and self.ci95[0] <= value <= self.ci95[1])

    def to_dict(self, digits: int = ROUND) -> dict[str, Any]:
        """JSON-ready, deterministic: floats rounded (p-values to 4 significant digits), NaN and
        infinite bounds as null."""
        return _round_tree(asdict(self), digits)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def not_estimable(hid: str, reason: str, n: int = 0, n_clusters: int | None = None,
                  extra: dict[str, Any] | None = None) -> HypothesisResult:
    """The answer of a hypothesis that the data cannot support, with its reason (no estimate,
    interval or p-value: NaN, written as null)."""
    nan = float("nan")
    return HypothesisResult(
        id=hid, question=QUESTIONS[hid], effect=EFFECTS[hid], model="not fitted",
        estimate=nan, ci95=(nan, nan), p_value=nan, n=int(n), n_clusters=n_clusters,
        conclusion=f"Not estimable on these data: {reason}.", extra=dict(extra or {}),
        estimable=False, reason=reason)


def _sig(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}") if np.isfinite(x) else x


def _round_tree(v: Any, digits: int) -> Any:
    if isinstance(v, (float, np.floating)):
        return round(float(v), digits) if np.isfinite(v) else None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (list, tuple)):
        return [_round_tree(x, digits) for x in v]
    if isinstance(v, dict):  # p-values keep 4 significant digits, not 4 decimals
        return {k: (_sig(float(x)) if k.startswith("p_") and isinstance(x, (float, np.floating))
                    and np.isfinite(x) else _round_tree(x, digits)) for k, x in v.items()}
    return v


#: Plain-language conclusions: (significant in the hypothesised direction, significant the other way,
#: not significant). H4 is two-sided: its p-value is the joint test of the sector terms.
CONCLUSIONS: dict[str, tuple[str, str, str]] = {
    "H1": ("clause contracts in works reach their expected hours more often than in services",
           "clause contracts in works reach their expected hours LESS often than in services",
           "the data do not show a difference between works and services in reaching the expected "
           "hours"),
    "H2": ("people placed through an insertion structure exit to durable employment more often "
           "than direct hires",
           "people placed through an insertion structure exit to durable employment LESS often "
           "than direct hires",
           "the data do not show a difference in durable exits between insertion structures and "
           "direct hires"),
    "H3": ("women's share of insertion hours is lower in works than in services",
           "women's share of insertion hours is HIGHER in works than in services",
           "the data do not show a difference in women's share of insertion hours between works "
           "and services"),
    "H4": ("planned hours per 1 000 EUR differ between sectors",
           "planned hours per 1 000 EUR differ between sectors",
           "no detectable difference in planned hours per 1 000 EUR between sectors"),
}
#: Sign of the effect the hypothesis predicts (H4: none, two-sided).
EXPECTED_SIGN: dict[str, int] = {"H1": 1, "H2": 1, "H3": -1, "H4": 0}


def _conclusion(hid: str, est: float, lo: float, hi: float, p: float, alpha: float) -> str:
    """"Supported" / "Opposite of the hypothesis" / "Not supported" at ``alpha``, with the ratio."""
    supported, opposite, neither = CONCLUSIONS[hid]
    if p >= alpha:
        text = f"Not supported at {alpha:.0%}: {neither}"
    elif EXPECTED_SIGN[hid] == 0 or np.sign(est) == EXPECTED_SIGN[hid]:
        text = f"Supported at {alpha:.0%}: {supported}"
    else:
        text = f"Opposite of the hypothesis at {alpha:.0%}: {opposite}"
    what = "hours per 1 000 EUR ratio, works vs services" if hid == "H4" else "odds ratio"
    return (f"{text} ({what} {math.exp(est):.2f}, 95 % CI {math.exp(lo):.2f}-{math.exp(hi):.2f}, "
            f"p = {_sig(p, 3)}).")


def _coef(res: Any, name: str, alpha: float = 0.05) -> tuple[float, float, float, float]:
    ci = res.conf_int(alpha=alpha)
    return (float(res.params[name]), float(ci.loc[name, 0]), float(ci.loc[name, 1]),
            float(res.pvalues[name]))


def _cluster_fit(model: Any, groups: pd.Series) -> Any:
    """Fit with cluster-robust covariance: CR1 correction, t inference on G − 1 df."""
    codes = pd.factorize(groups, sort=True)[0]
    return model.fit(cov_type="cluster",
                     cov_kwds={"groups": codes, "use_correction": True, "df_correction": True},
                     use_t=True)


def _require(table: pd.DataFrame, columns: list[str], hid: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise HypothesisDataError(f"{hid}: analysis table lacks column(s) {', '.join(missing)}")


def _require_levels(values: pd.Series, needed: tuple[str, ...], hid: str, what: str) -> None:
    present = set(values.unique())
    lacking = [v for v in needed if v not in present]
    if lacking:
        raise HypothesisDataError(
            f"{hid}: no {what} row for level(s) {', '.join(lacking)} — the model cannot be fitted"
        )


# --------------------------------------------------------------------------------------------------
# fitters (on analysis tables)
# --------------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------------
# wild cluster bootstrap (restricted score bootstrap, Webb weights)
# --------------------------------------------------------------------------------------------------

#: Webb's six-point weights (Webb 2023, Canadian Journal of Economics 56:1-28): ±√½, ±1, ±√(3/2),
#: each with probability 1/6 (mean 0, variance 1); with few clusters they give far more distinct
#: bootstrap draws than Rademacher's ±1 (6^G instead of 2^G).
WEBB_WEIGHTS = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
BOOTSTRAP_DRAWS = 9999
BOOTSTRAP_SEED = 20261129
#: Enumerate every weight vector (6^G) instead of drawing when there are at most this many.
MAX_ENUMERATE = 6 ** 6


def webb_weights(n_clusters: int, draws: int = BOOTSTRAP_DRAWS, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """Bootstrap weight matrix (rows = draws, columns = clusters): all 6^G Webb vectors when
    6^G ≤ :data:`MAX_ENUMERATE` (the exact bootstrap distribution), else ``draws`` seeded draws."""
    if n_clusters < 1:
        raise ValueError("n_clusters must be at least 1")
    if 6 ** n_clusters <= MAX_ENUMERATE:
        idx = np.indices((6,) * n_clusters).reshape(n_clusters, -1).T
        return WEBB_WEIGHTS[idx]
    rng = np.random.default_rng(seed)
    return WEBB_WEIGHTS[rng.integers(0, 6, size=(draws, n_clusters))]


def wild_score_pvalue(cluster_scores: np.ndarray, weights: np.ndarray) -> float:
    """Two-sided p-value of the wild cluster score bootstrap (Kline & Santos 2012, *Journal of
    Econometrics* 171:1-14) from the clusters' sums c_g of the efficient score of the tested
    coefficient at the restricted estimate: T = Σ c_g / √(Σ c_g²); each draw w gives
    T* = Σ w_g c_g / √(Σ w_g² c_g²); p = share of draws with |T*| ≥ |T|. Example: two clusters with
    equal sums c: |T| = √2, reached only when w_1 = w_2 (Cauchy-Schwarz), i.e. 6 of the 36 Webb
    pairs: p = 1/6. 1 when every c_g is 0."""
    c = np.asarray(cluster_scores, dtype=float)
    denom = math.sqrt(float(np.sum(c ** 2)))
    if denom == 0.0:
        return 1.0
    t = abs(float(np.sum(c))) / denom
    num = np.abs(weights @ c)
    den = np.sqrt((weights ** 2) @ (c ** 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        t_star = np.where(den > 0, num / den, 0.0)
    return float(np.mean(t_star >= t * (1 - 1e-10)))


def _restricted_scores(y: np.ndarray, X: np.ndarray, j: int, beta0: float, codes: np.ndarray,
                       n_clusters: int) -> np.ndarray:
    """Cluster sums of the efficient score of coefficient ``j`` of a logit at the estimate
    restricted to β_j = ``beta0`` (the other coefficients refitted, ``beta0`` × x_j as offset):
    s̃_i = s_ij − H_jη H_ηη⁻¹ s_iη with s_i = x_i (y_i − μ_i) and H = X' diag(μ(1 − μ)) X."""
    import warnings

    others = [k for k in range(X.shape[1]) if k != j]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, X[:, others], family=sm.families.Binomial(), offset=beta0 * X[:, j]).fit()
    mu = np.clip(np.asarray(fit.fittedvalues), 1e-12, 1 - 1e-12)
    resid = y - mu
    w = mu * (1 - mu)
    h = X.T @ (X * w[:, None])
    a = h[j, others] @ np.linalg.pinv(h[np.ix_(others, others)])
    eff = X[:, j] * resid - (X[:, others] * resid[:, None]) @ a
    return np.bincount(codes, weights=eff, minlength=n_clusters)


def wild_cluster_interval(y: np.ndarray, X: np.ndarray, j: int, codes: np.ndarray, estimate: float,
                          se: float, alpha: float = 0.05,
                          weights: np.ndarray | None = None) -> tuple[float, float, float]:
    """Restricted wild cluster (score) bootstrap for coefficient ``j`` of a logit with design ``X``:
    the p-value of β_j = 0 and the 95 % interval found by test inversion (the β0 where the p-value
    crosses ``alpha``, by stepping out from the estimate in multiples of ``se`` and bisecting);
    an end stays infinite when no β0 within 64 standard errors is rejected — with two or three
    clusters the bootstrap cannot reject at 5 %, which is the honest answer. Returns
    (p_value, lower, upper)."""
    codes = np.asarray(codes)
    g = int(codes.max()) + 1
    wts = webb_weights(g) if weights is None else weights

    def pval(b0: float) -> float:
        return wild_score_pvalue(_restricted_scores(y, X, j, b0, codes, g), wts)

    step = se if np.isfinite(se) and se > 0 else 0.1
    ends = []
    for direction in (-1.0, 1.0):
        inside, outside = estimate, None
        for k in (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64):
            b = estimate + direction * k * step
            if pval(b) < alpha:
                outside = b
                break
            inside = b
        if outside is None:
            ends.append(direction * math.inf)
            continue
        while abs(outside - inside) > 1e-3 * step:
            mid = (inside + outside) / 2
            if pval(mid) < alpha:
                outside = mid
            else:
                inside = mid
        ends.append((inside + outside) / 2)
    return pval(0.0), ends[0], ends[1]


def _conditional_logit(d: pd.DataFrame, columns: list[str], name: str,
                       alpha: float = 0.05) -> tuple[float, float, float, float]:
    """Conditional (fixed-effects) logit by buyer with statsmodels' ``ConditionalLogit`` and a
    cluster-robust sandwich by buyer built from its per-buyer scores (statsmodels ignores
    ``cov_type`` for this model): V = G/(G − 1) · H⁻¹ (Σ_g s_g s_g') H⁻¹, t on G − 1 df.
    Returns (estimate, lower, upper, p)."""
    import warnings

    from scipy import stats
    from statsmodels.discrete.conditional_models import ConditionalLogit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ConditionalLogit(d["reached"].to_numpy(float), d[columns].to_numpy(float),
                                 groups=pd.factorize(d["buyer_siret"])[0])
        res = model.fit(disp=0)
    params = np.asarray(res.params)
    scores = np.array([model.score_grp(k, params) for k in range(model._n_groups)])
    hess = model.hessian(params)
    hinv = np.linalg.inv(-hess)
    g = scores.shape[0]
    cov = g / (g - 1) * hinv @ (scores.T @ scores) @ hinv
    j = columns.index(name)
    est, se = float(params[j]), math.sqrt(max(cov[j, j], 0.0))
    q = stats.t.ppf(1 - alpha / 2, g - 1)
    p = float(2 * stats.t.sf(abs(est / se), g - 1)) if se > 0 else float("nan")
    return est, est - q * se, est + q * se, p


#: Largest Σ over buyers of contracts × reached contracts for which ConditionalLogit's recursive
#: denominators stay affordable (its exact likelihood is computed in pure Python: about 7 s for
#: 10 buyers × 80 contracts, Σ ≈ 30 000), and largest buyer below Python's recursion limit; beyond,
#: the buyer-dummy logit (consistent when buyers have many contracts) is used.
CONDITIONAL_BUDGET = 100_000
CONDITIONAL_MAX_GROUP = 800


def fit_h1(table: pd.DataFrame, alpha: float = 0.05, buyer_effects: str = "fixed",
           min_clusters: int = MIN_CLUSTERS, bootstrap: bool = False) -> HypothesisResult:
    """H1 on a contract table with columns buyer_siret, sector, reached (0/1), amount (> 0),
    duration_months and, when present, elapsed_fraction (months elapsed / duration, in [0, 1]).
    ``buyer_effects``: "fixed" (default, buyer-level intercepts) or "none".

    Model: logit reached ~ sector + log amount + duration + elapsed fraction + buyer fixed effects.
    Headline interval (pre-registered rule, docs/preregistration.md):

    - at least ``min_clusters`` (30) buyers: statsmodels' ``ConditionalLogit`` (the buyer
      intercepts conditioned out) with a cluster-robust sandwich by buyer (CR1, t on G − 1 df);
      the buyer-dummy logit with CR1 when the buyers are too large for its exact recursion;
    - fewer buyers: the wider of the model-based interval (it ignores within-buyer dependence)
      and the CR1 cluster-robust one (itself estimated from G cluster sums, too narrow with few
      buyers), with the larger of the two p-values (coverage in docs/simulation.md). With
      ``bootstrap=True`` the restricted wild cluster score bootstrap by buyer with Webb weights
      (:func:`wild_cluster_interval`; all 6^G weight vectors up to 6 buyers) is added to
      ``extra["wild_bootstrap"]`` as a sensitivity: with a handful of buyers of very unequal
      sizes one buyer's score dominates and the bootstrap cannot reject far from the estimate
      (an infinite end), which is why it is not the headline.

    The model-based and cluster-robust intervals of the buyer-dummy logit are always kept in
    ``extra``. Buyers whose outcome does not vary carry no within-buyer information and are dropped
    (counted). Raises :class:`HypothesisDataError` when the model cannot be fitted (fewer than 2
    buyers with variation, a missing sector)."""
    _require(table, ["buyer_siret", "sector", "reached", "amount", "duration_months"], "H1")
    if buyer_effects not in ("fixed", "none"):
        raise ValueError("buyer_effects must be 'fixed' or 'none'")
    d = table.dropna(subset=["sector", "reached", "amount", "duration_months"]).copy()
    d = d[d["amount"] > 0]
    n_missing = len(table) - len(d)
    dropped_buyers: list[str] = []
    if buyer_effects == "fixed":
        varies = d.groupby("buyer_siret")["reached"].transform("nunique") > 1
        dropped_buyers = sorted(d.loc[~varies, "buyer_siret"].unique().tolist())
        d = d[varies]
    _require_levels(d["sector"], ("services", "works"), "H1", "assessable clause contract")
    n_clusters = int(d["buyer_siret"].nunique())
    if n_clusters < 2:
        raise HypothesisDataError(
            f"H1: {n_clusters} buyer(s) whose contracts vary in reaching their hours; the interval "
            "is clustered by buyer and needs at least 2")
    if d["reached"].nunique() < 2:
        raise HypothesisDataError("H1: the outcome 'reached' does not vary")
    d["reached"] = d["reached"].astype(float)
    d["log_amount"] = np.log(d["amount"])
    covariates = ["log_amount", "duration_months"]
    if "elapsed_fraction" in d.columns and d["elapsed_fraction"].notna().all() \
            and d["elapsed_fraction"].nunique() > 1:
        covariates.append("elapsed_fraction")
    rhs = "C(sector, Treatment('services')) + " + " + ".join(covariates)
    if buyer_effects == "fixed":
        rhs += " + C(buyer_siret)"
    model = smf.glm(f"reached ~ {rhs}", data=d, family=sm.families.Binomial())
    name = "C(sector, Treatment('services'))[T.works]"
    codes = pd.factorize(d["buyer_siret"], sort=True)[0]
    clustered = _cluster_fit(model, d["buyer_siret"])
    est, c_lo, c_hi, c_p = _coef(clustered, name)
    model_fit = model.fit()
    _, m_lo, m_hi, m_p = _coef(model_fit, name)
    extra: dict[str, Any] = {
        "rows_dropped_missing": int(n_missing),
        "buyers_dropped_no_variation": len(dropped_buyers),
        "covariates": covariates,
        "cluster_robust": {"ci95": [c_lo, c_hi], "p_value": c_p},
        "model_based": {"ci95": [m_lo, m_hi], "p_value": m_p},
        "n_by_sector": {k: int(v) for k, v in d["sector"].value_counts().sort_index().items()},
        "reached_share_by_sector": {k: float(v) for k, v in
                                    d.groupby("sector")["reached"].mean().sort_index().items()},
    }
    wider = (min(c_lo, m_lo), max(c_hi, m_hi), max(c_p, m_p))
    sizes = d.groupby("buyer_siret")["reached"].agg(["size", "sum"])
    conditional_ok = (int((sizes["size"] * sizes["sum"]).sum()) <= CONDITIONAL_BUDGET
                      and int(sizes["size"].max()) <= CONDITIONAL_MAX_GROUP)
    if buyer_effects == "none":
        lo, hi, p, kind = c_lo, c_hi, c_p, "cluster_robust"
        covariance = "cluster-robust SE by buyer (CR1), t with G-1 df"
    elif n_clusters >= min_clusters:
        kind, covariance = "cluster_robust", ("buyer-dummy logit, cluster-robust SE by buyer (CR1), "
                                              "t with G-1 df")
        lo, hi, p = c_lo, c_hi, c_p
        if conditional_ok:
            try:
                x_names = [name] + [n for n in model.exog_names
                                    if n.startswith("C(sector") and n != name] + covariates
                x = pd.DataFrame(model.exog, columns=model.exog_names, index=d.index)[x_names]
                x.columns = [f"x{i}" for i in range(len(x_names))]
                cd = pd.concat([d[["reached", "buyer_siret"]], x], axis=1)
                est, lo, hi, p = _conditional_logit(cd, list(x.columns), "x0", alpha)
                kind = "conditional_logit"
                covariance = ("conditional logit by buyer (statsmodels ConditionalLogit), "
                              "cluster-robust SE by buyer (CR1), t with G-1 df")
                extra["conditional_logit"] = {"estimate": est, "ci95": [lo, hi], "p_value": p}
            except (np.linalg.LinAlgError, RecursionError, OverflowError, ValueError) as exc:
                extra["conditional_logit_failed"] = f"{type(exc).__name__}: {exc}"
    else:
        kind, (lo, hi, p) = "wider_of_model_based_and_cluster_robust", wider
        covariance = (f"{n_clusters} buyers < {min_clusters}: wider of the model-based and "
                      "cluster-robust (CR1, t with G-1 df) intervals")
    if bootstrap and buyer_effects == "fixed" and n_clusters < min_clusters:
        try:
            se = float(clustered.bse[name])
            j = list(model.exog_names).index(name)
            b_p, b_lo, b_hi = wild_cluster_interval(np.asarray(model.endog, float),
                                                    np.asarray(model.exog, float), j, codes,
                                                    est, se, alpha)
            extra["wild_bootstrap"] = {
                "ci95": [b_lo, b_hi], "p_value": b_p, "weights": "webb",
                "draws": int(6 ** n_clusters if 6 ** n_clusters <= MAX_ENUMERATE else BOOTSTRAP_DRAWS)}
        except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            extra["wild_bootstrap_failed"] = f"{type(exc).__name__}: {exc}"
    extra["covariance"] = kind
    extra["wider_of_model_based_and_cluster_robust"] = {"ci95": [wider[0], wider[1]],
                                                        "p_value": wider[2]}
    return HypothesisResult(
        id="H1", question=QUESTIONS["H1"], effect=EFFECTS["H1"],
        model=("logit (binomial GLM) reached ~ sector + " + " + ".join(covariates)
               + (" + buyer fixed effects" if buyer_effects == "fixed" else "") + "; " + covariance),
        estimate=est, ci95=(lo, hi), p_value=p, n=int(clustered.nobs), n_clusters=n_clusters,
        conclusion=_conclusion("H1", est, lo, hi, p, alpha), extra=extra,
    )


def _h2_intervals(d: pd.DataFrame, two_way: bool, controls: list[str]) -> dict[str, Any]:
    """H2's estimate with its intervals: the contract (and person) clustered one and, with 2
    buyers or more, the one clustered by buyer; the headline is the wider of the two (each end the
    farther, p the larger): a structure effect that differs between buyers is dependence at the
    buyer level, which contract and person clusters do not see."""
    res, terms = _h2_fit(d, two_way, controls)
    est, lo, hi, p = _coef(res, "via_structure")
    out: dict[str, Any] = {"res": res, "terms": terms, "estimate": est,
                           "two_way": {"ci95": [lo, hi], "p_value": p}, "headline": (lo, hi, p)}
    if "buyer_siret" in d.columns and d["buyer_siret"].nunique() >= 2:
        model = smf.glm("durable ~ " + " + ".join(terms), data=d, family=sm.families.Binomial())
        _, b_lo, b_hi, b_p = _coef(_cluster_fit(model, d["buyer_siret"]), "via_structure")
        out["cluster_robust_buyer"] = {"ci95": [b_lo, b_hi], "p_value": b_p}
        out["headline"] = (min(lo, b_lo), max(hi, b_hi), max(p, b_p))
    return out


def _h2_fit(d: pd.DataFrame, two_way: bool, controls: list[str]) -> tuple[Any, list[str]]:
    """The H2 logit on ``d`` (durable ~ via_structure + controls), clustered by contract or by
    contract and person; controls with a single level are left out. Returns (results, terms)."""
    rhs = ["via_structure"]
    refs = {"sex": "M", "age_band": "26-49", "diploma_level": "bac", "sector": "services"}
    for col in controls:
        levels = d[col].unique()
        if len(levels) > 1:
            ref = refs.get(col)
            ref_used = ref if ref in levels else sorted(levels)[0]
            rhs.append(f"C({col}, Treatment('{ref_used}'))")
    model = smf.glm("durable ~ " + " + ".join(rhs), data=d, family=sm.families.Binomial())
    if two_way:
        groups = np.column_stack([pd.factorize(d["uid"], sort=True)[0],
                                  pd.factorize(d["beneficiary_id"], sort=True)[0]])
        res = model.fit(cov_type="cluster",
                        cov_kwds={"groups": groups, "use_correction": True, "df_correction": True},
                        use_t=True)
    else:
        res = _cluster_fit(model, d["uid"])
    return res, rhs


def fit_h2(table: pd.DataFrame, alpha: float = 0.05) -> HypothesisResult:
    """H2 on an ended-mission table with columns uid, durable (0/1), via_structure (0/1), sex,
    age_band, diploma_level and, when present, beneficiary_id, buyer_siret, sector, exit_outcome.

    Logit durable ~ via structure + sex + age band + diploma + sector + buyer terms (each control
    only when it has two levels or more; an unknown sector is its own level). Interval: the wider
    of the two-way cluster-robust one by contract and person when ``beneficiary_id`` is given (a
    person who returns on several missions shares their propensity; else by contract), CR1, t on
    min(G) − 1 df, and, with 2 buyers or more, the CR1 one by buyer (an effect that varies between
    buyers; t on G − 1 df); p is the larger of the two.
    Sensitivity in ``extra["without_unknown_exits"]``: the same model without the missions whose
    exit is ``inconnu`` (there they count as not durable)."""
    _require(table, ["uid", "durable", "via_structure", "sex", "age_band", "diploma_level"], "H2")
    d = table.dropna(subset=["durable", "via_structure", "sex", "age_band", "diploma_level"]).copy()
    n_missing = len(table) - len(d)
    if d["via_structure"].nunique() < 2:
        raise HypothesisDataError("H2: needs ended missions both through a structure and direct hires")
    if d["durable"].nunique() < 2:
        raise HypothesisDataError("H2: the outcome (exit to durable employment) does not vary")
    if d["uid"].nunique() < 2:
        raise HypothesisDataError("H2: the missions of a single contract cannot be clustered by contract")
    d["durable"] = d["durable"].astype(float)
    d["via_structure"] = d["via_structure"].astype(float)
    controls = ["sex", "age_band", "diploma_level"]
    if "sector" in d.columns:
        d["sector"] = d["sector"].astype(object).where(d["sector"].notna(), "unknown")
        controls.append("sector")
    if "buyer_siret" in d.columns and d["buyer_siret"].notna().all():
        d["buyer_siret"] = d["buyer_siret"].astype(str)
        controls.append("buyer_siret")
    two_way = "beneficiary_id" in d.columns and d["beneficiary_id"].notna().all()
    fit = _h2_intervals(d, two_way, controls)
    res, est = fit["res"], fit["estimate"]
    lo, hi, p = fit["headline"]
    extra: dict[str, Any] = {
        "rows_dropped_missing": int(n_missing),
        "terms": fit["terms"],
        "persons": int(d["beneficiary_id"].nunique()) if two_way else None,
        "buyers": int(d["buyer_siret"].nunique()) if "buyer_siret" in d.columns else None,
        "two_way": fit["two_way"],
        "durable_share_by_group": {
            ("insertion_structure" if k == 1 else "direct_hire"): float(v)
            for k, v in d.groupby("via_structure")["durable"].mean().sort_index().items()}}
    if "cluster_robust_buyer" in fit:
        extra["cluster_robust_buyer"] = fit["cluster_robust_buyer"]
    if "exit_outcome" in d.columns:
        known = d[d["exit_outcome"].ne("inconnu")]
        extra["unknown_exits"] = int(len(d) - len(known))
        if (len(known) < len(d) and known["via_structure"].nunique() == 2
                and known["durable"].nunique() == 2 and known["uid"].nunique() >= 2):
            try:
                f2 = _h2_intervals(known, two_way, controls)
                l2, h2, p2 = f2["headline"]
                extra["without_unknown_exits"] = {"estimate": f2["estimate"], "ci95": [l2, h2],
                                                  "p_value": p2, "n": int(f2["res"].nobs)}
            except (np.linalg.LinAlgError, ValueError) as exc:
                extra["without_unknown_exits"] = {"failed": f"{type(exc).__name__}: {exc}"}
    clustering = ("two-way cluster-robust SE by contract and person" if two_way
                  else "cluster-robust SE by contract") + " (CR1), t with G-1 df"
    if "cluster_robust_buyer" in fit:
        clustering = f"wider of the {clustering} and the cluster-robust SE by buyer (CR1)"
    return HypothesisResult(
        id="H2", question=QUESTIONS["H2"], effect=EFFECTS["H2"],
        model="logit (binomial GLM) durable ~ via structure + "
              + " + ".join({"buyer_siret": "buyer", "age_band": "age band",
                            "diploma_level": "diploma"}.get(c, c) for c in controls)
              + f"; {clustering}",
        estimate=est, ci95=(lo, hi), p_value=p, n=int(res.nobs),
        n_clusters=int(d["uid"].nunique()), conclusion=_conclusion("H2", est, lo, hi, p, alpha),
        extra=extra,
    )


def fit_h3(table: pd.DataFrame, alpha: float = 0.05) -> HypothesisResult:
    """H3 on a person-mission table with columns uid, sector, female (0/1), hours (> 0) and,
    optionally, beneficiary_id.

    Binomial GLM (logit) of "female" on sector over person-mission rows with the hours as variance
    weights: the score is Σ hours × (female − p) per sector, so each sector's fitted share is its
    women's share of insertion hours (the same estimating equations as a binomial GLM of
    (women's hours, men's hours) per contract). Hours are not counts: only the score and the
    sandwich are used. Covariance: cluster-robust by contract and, when ``beneficiary_id`` is given,
    two-way by contract and person (a person's sex is shared by all their missions, across
    contracts), CR1, t inference on min(G) − 1 df."""
    import warnings

    _require(table, ["uid", "sector", "female", "hours"], "H3")
    d = table.dropna(subset=["sector", "female", "hours"])
    d = d[d["hours"] > 0].copy()
    n_dropped = len(table) - len(d)
    _require_levels(d["sector"], ("services", "works"), "H3", "person-mission with hours")
    d["female"] = d["female"].astype(float)
    weights = d["hours"] / d["hours"].mean()  # the sandwich does not depend on the weights' scale
    model = smf.glm("female ~ C(sector, Treatment('services'))", data=d,
                    family=sm.families.Binomial(), var_weights=weights)
    two_way = "beneficiary_id" in d.columns and d["beneficiary_id"].notna().all()
    if two_way:
        groups = np.column_stack([pd.factorize(d["uid"], sort=True)[0],
                                  pd.factorize(d["beneficiary_id"], sort=True)[0]])
    else:
        groups = pd.factorize(d["uid"], sort=True)[0]
    with warnings.catch_warnings():
        # statsmodels warns that robust covariances are "not fully supported" with var_weights: the
        # cluster sandwich uses score_obs and the Hessian, which both carry the weights (tested
        # against the aggregated binomial fit in tests/test_hypotheses.py).
        warnings.filterwarnings("ignore", message="cov_type not fully supported")
        res = model.fit(cov_type="cluster",
                        cov_kwds={"groups": groups, "use_correction": True, "df_correction": True},
                        use_t=True)
    est, lo, hi, p = _coef(res, "C(sector, Treatment('services'))[T.works]")
    women = d["hours"].where(d["female"] == 1, 0.0).groupby(d["sector"]).sum()
    shares = (women / d.groupby("sector")["hours"].sum()).sort_index()
    return HypothesisResult(
        id="H3", question=QUESTIONS["H3"], effect=EFFECTS["H3"],
        model="binomial GLM (logit) female ~ sector on person-mission rows weighted by hours; "
              + ("two-way cluster-robust SE by contract and person" if two_way
                 else "cluster-robust SE by contract") + " (CR1), t with G-1 df",
        estimate=est, ci95=(lo, hi), p_value=p, n=int(len(d)),
        n_clusters=int(d["uid"].nunique()), conclusion=_conclusion("H3", est, lo, hi, p, alpha),
        extra={"rows_dropped_missing_or_zero_hours": int(n_dropped),
               "persons": int(d["beneficiary_id"].nunique()) if two_way else None,
               "hours": float(d["hours"].sum()),
               "women_hours_share_by_sector": {k: float(v) for k, v in shares.items()}},
    )


def fit_h4(table: pd.DataFrame, alpha: float = 0.05) -> HypothesisResult:
    """H4 on a clause-contract table with columns sector, planned_hours (> 0), amount (> 0) and,
    when present, buyer_siret.

    Gamma GLM, log link, offset log(amount / 1 000). Covariance cluster-robust by buyer (CR1, t on
    G − 1 df: a buyer sizes its clauses with one rule, so its contracts are not independent); the
    reported p-value is the joint test that works and supplies both have the services rate, as
    F = W / q on (q, G − 1) df with W the cluster-robust Wald statistic (the works coefficient's
    own t test when supplies is absent). Without ``buyer_siret`` (a table built by hand) the
    covariance is HC1 and the joint test a χ² Wald test. Raises :class:`HypothesisDataError` with
    a single buyer (nothing to cluster on)."""
    from scipy import stats

    _require(table, ["sector", "planned_hours", "amount"], "H4")
    d = table.dropna(subset=["sector", "planned_hours", "amount"]).copy()
    d = d[(d["planned_hours"] > 0) & (d["amount"] > 0)]
    n_missing = len(table) - len(d)
    _require_levels(d["sector"], ("services", "works"), "H4", "clause contract with planned hours")
    by_buyer = "buyer_siret" in d.columns and d["buyer_siret"].notna().all()
    n_clusters = int(d["buyer_siret"].nunique()) if by_buyer else None
    if by_buyer and n_clusters < 2:
        raise HypothesisDataError("H4: a single buyer — the interval is clustered by buyer and needs "
                                  "at least 2")
    d["log_kEUR"] = np.log(d["amount"] / 1000.0)
    model = smf.glm("planned_hours ~ C(sector, Treatment('services'))", data=d,
                    family=sm.families.Gamma(sm.families.links.Log()), offset=d["log_kEUR"])
    res = _cluster_fit(model, d["buyer_siret"]) if by_buyer else model.fit(cov_type="HC1")
    est, lo, hi, p_works = _coef(res, "C(sector, Treatment('services'))[T.works]")
    sector_terms = [n for n in res.params.index if n.startswith("C(sector")]
    if len(sector_terms) > 1:
        idx = [list(res.params.index).index(n) for n in sector_terms]
        b = np.asarray(res.params)[idx]
        v = np.asarray(res.cov_params())[np.ix_(idx, idx)]
        wald = float(b @ np.linalg.solve(v, b))
        q = len(idx)
        p_joint = (float(stats.f.sf(wald / q, q, n_clusters - 1)) if by_buyer
                   else float(stats.chi2.sf(wald, q)))
    else:
        p_joint = p_works
    rates = (d["planned_hours"] / (d["amount"] / 1000.0)).groupby(d["sector"]).mean().sort_index()
    extra: dict[str, Any] = {"rows_dropped_missing_or_zero": int(n_missing),
                             "p_works_vs_services": p_works,
                             "mean_hours_per_kEUR_by_sector": {k: float(v) for k, v in rates.items()}}
    if by_buyer:
        hc1 = model.fit(cov_type="HC1")
        _, h_lo, h_hi, h_p = _coef(hc1, "C(sector, Treatment('services'))[T.works]")
        extra["contract_robust_hc1"] = {"ci95": [h_lo, h_hi], "p_value": h_p}
    sup = "C(sector, Treatment('services'))[T.supplies]"
    if sup in res.params.index:
        s_est, s_lo, s_hi, s_p = _coef(res, sup)
        extra["supplies_vs_services"] = {"estimate": s_est, "ci95": [s_lo, s_hi], "p_value": s_p}
    covariance = ("cluster-robust SE by buyer (CR1), t with G-1 df; p = joint F test of the sector "
                  "terms on (q, G-1) df" if by_buyer else
                  "robust (HC1) SE; p = joint Wald test of the sector terms")
    return HypothesisResult(
        id="H4", question=QUESTIONS["H4"], effect=EFFECTS["H4"],
        model="Gamma GLM, log link, planned hours ~ sector, offset log(amount/1000); " + covariance,
        estimate=est, ci95=(lo, hi), p_value=p_joint, n=int(res.nobs), n_clusters=n_clusters,
        conclusion=_conclusion("H4", est, lo, hi, p_joint, alpha), extra=extra,
    )


FITTERS = {"H1": fit_h1, "H2": fit_h2, "H3": fit_h3, "H4": fit_h4}


# --------------------------------------------------------------------------------------------------
# analysis tables (from the canonical Dataset)
# --------------------------------------------------------------------------------------------------

def cpv_sector(cpv: pd.Series) -> pd.Series:
    """Sector of each contract (works = CPV division 45; supplies = 03-44 and 48; services
    = the rest) from :func:`helpers.reference.contract_category`; an unknown CPV gives NA (left out
    of the models)."""

    cat = contract_category(cpv)
    return cat.where(cat.ne("unknown"), pd.NA)


def pooled_years(dataset: Dataset, params: Params, years: list[int] | None = None) -> list[int]:
    """The notification years the hypotheses pool (:func:`helpers.trends.period_years`): ``years``
    when given (each ≤ ``params.year``), else every year in the data up to ``params.year``."""

    return period_years(dataset, params, years)


def select_contracts(dataset: Dataset, params: Params, years: list[int] | None = None) -> pd.DataFrame:
    """Contracts the hypotheses pool: notified in :func:`pooled_years` and, when ``params.buyers``
    is not empty, of those buyers. The EU-threshold ``scope`` is not applied: it defines the 30 %
    audit, not the research population (works contracts are almost all below the 5.4 M€ works
    threshold; docs/hypotheses.md). Adds ``sector`` (NA for an unknown CPV)."""
    c = dataset.contracts
    keep = c["notification_date"].dt.year.isin(pooled_years(dataset, params, years))
    if params.buyers:
        keep &= c["buyer_siret"].isin(params.buyers)
    out = c.loc[keep].copy()
    out["sector"] = cpv_sector(out["cpv"])
    return out


def h1_table(status: pd.DataFrame, min_delivery_ratio: float) -> pd.DataFrame:
    """One row per contract with ``Clause sociale`` declared, planned_hours > 0 and at least one
    month elapsed at ``as_of``; ``reached`` = realized > 0 and realized ≥ ratio × expected
    (the hours part of VERIFIED; a verified reserved contract does not count as reached);
    ``elapsed_fraction`` = months elapsed / duration, clipped to [0, 1] (1 without a duration).

    ``status`` is :func:`helpers.indicators.status.contract_status` of the selected contracts (columns
    uid, buyer_siret, sector, amount, duration_months, clause, planned_hours, months_elapsed,
    expected_hours, realized_hours)."""

    d = status[status["clause"].astype(bool) & (status["planned_hours"] > 0)
               & (status["months_elapsed"] >= 1.0)].copy()
    threshold = min_delivery_ratio * d["expected_hours"]
    meets = d["realized_hours"] >= threshold - RATIO_TOLERANCE * np.maximum(threshold, 1.0)
    d["reached"] = ((d["realized_hours"] > 0) & meets).astype(int)
    duration = d["duration_months"].astype(float)
    frac = d["months_elapsed"].astype(float) / duration.where(duration > 0)
    d["elapsed_fraction"] = frac.clip(0.0, 1.0).fillna(1.0)  # no duration: fully due
    return d[["uid", "buyer_siret", "sector", "amount", "duration_months", "elapsed_fraction",
              "planned_hours", "realized_hours", "expected_hours", "reached"]
             ].sort_values("uid").reset_index(drop=True)


def age_band(start_date: pd.Series, birth_year: pd.Series) -> pd.Series:
    """Age at mission start (year of start − birth year): <26, 26-49, 50+; unknown birth year →
    "inconnu"."""
    age = start_date.dt.year - birth_year.astype("Float64")
    band = pd.Series("inconnu", index=start_date.index, dtype="object")
    band[age < 26] = "<26"
    band[(age >= 26) & (age < 50)] = "26-49"
    band[age >= 50] = "50+"
    return band


def h2_table(participations: pd.DataFrame, contracts: pd.DataFrame,
             as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Ended missions of the selected contracts — exit_outcome ≠ en_cours and, when ``as_of`` is
    given, an end date on or before it — hired directly or through an insertion structure (the
    ``autre`` modality is left out); ``durable`` = exit to emploi_durable. Carries the person
    (``beneficiary_id``), the contract's buyer and sector (when ``contracts`` has them) and the
    exit itself (for the sensitivity without ``inconnu``). Rows without sex are left out by the
    fitter."""
    p = participations[participations["uid"].isin(contracts["uid"])]
    keep = (p["exit_outcome"] != "en_cours") & p["modality"].isin(
        ("embauche_directe", *STRUCTURE_MODALITIES))
    if as_of is not None and "end_date" in p.columns:
        keep &= ~(p["end_date"] > as_of)
    p = p[keep]
    out = pd.DataFrame({
        "uid": p["uid"],
        "durable": (p["exit_outcome"] == "emploi_durable").astype(int),
        "via_structure": p["modality"].isin(STRUCTURE_MODALITIES).astype(int),
        "sex": p["sex"],
        "age_band": age_band(p["start_date"], p["birth_year"]),
        "diploma_level": p["diploma_level"],
        "exit_outcome": p["exit_outcome"],
    })
    if "beneficiary_id" in p.columns:
        out["beneficiary_id"] = p["beneficiary_id"]
    for col in ("buyer_siret", "sector"):
        if col in contracts.columns:
            out[col] = out["uid"].map(contracts.drop_duplicates("uid").set_index("uid")[col])
    return out.sort_values(["uid"], kind="stable").reset_index(drop=True)


def h3_table(participations: pd.DataFrame, contracts: pd.DataFrame,
             as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Person-mission rows with hours > 0 and a known sex on the selected contracts with a known
    sector, started on or before ``as_of`` when given, with the contract's sector."""
    p = participations.merge(contracts[["uid", "sector"]], on="uid", how="inner")
    keep = (p["hours"] > 0) & p["sex"].notna() & p["sector"].notna()
    if as_of is not None:
        keep &= p["start_date"] <= as_of
    p = p[keep]
    out = pd.DataFrame({"uid": p["uid"], "beneficiary_id": p["beneficiary_id"], "sector": p["sector"],
                        "female": (p["sex"] == "F").astype(int), "hours": p["hours"]})
    return out.sort_values(["uid"], kind="stable").reset_index(drop=True)


def h4_table(contracts: pd.DataFrame, clauses: pd.DataFrame) -> pd.DataFrame:
    """Selected contracts with a clauses row, planned_hours > 0 and amount > 0 (PLANNED hours;
    several clauses rows of one contract are summed, as in the status rules)."""
    planned = clauses.groupby("uid", as_index=False, sort=False)["planned_hours"].sum()
    d = contracts[["uid", "buyer_siret", "sector", "amount"]].merge(
        planned, on="uid", how="inner", validate="1:1")
    d = d[(d["planned_hours"] > 0) & (d["amount"] > 0) & d["sector"].notna()]
    return d.sort_values("uid").reset_index(drop=True)


def build_tables(dataset: Dataset, params: Params, years: list[int] | None = None) -> dict[str, pd.DataFrame]:
    """The four analysis tables for ``dataset`` under ``params``: contracts of
    :func:`select_contracts`, their status at ``params.as_of_date`` (H1), missions ended and hours
    started by then (H2, H3), planned hours (H4)."""

    contracts = select_contracts(dataset, params, years)
    status = contract_status(contracts, dataset.clauses, dataset.participations, dataset.suppliers,
                             params)
    as_of = pd.Timestamp(params.as_of_date)
    return {
        "H1": h1_table(status, params.min_delivery_ratio),
        "H2": h2_table(dataset.participations, contracts, as_of),
        "H3": h3_table(dataset.participations, contracts, as_of),
        "H4": h4_table(contracts, dataset.clauses),
    }


#: Fewest rows an analysis table needs, and fewest rows in each compared group (services and works;
#: structure and direct hire), below which a hypothesis is reported as not estimable.
MIN_ROWS = 20
MIN_PER_GROUP = 5
#: The compared groups of each hypothesis: (column, levels).
GROUPS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "H1": ("sector", ("services", "works")), "H2": ("via_structure", (0, 1)),
    "H3": ("sector", ("services", "works")), "H4": ("sector", ("services", "works"))}
OUTCOMES: dict[str, str] = {"H1": "reached", "H2": "durable", "H3": "female"}


def estimability(hid: str, table: pd.DataFrame | None, min_rows: int = MIN_ROWS,
                 min_per_group: int = MIN_PER_GROUP) -> str | None:
    """Why hypothesis ``hid`` cannot be estimated on ``table`` (None when it can be tried): no
    table, fewer than ``min_rows`` rows, fewer than ``min_per_group`` rows in one of the compared
    groups, an outcome that does not vary, or fewer than 2 buyers for the hypotheses clustered by
    buyer (H1, H4)."""
    if table is None or len(table) == 0:
        return "no row in its analysis table"
    if len(table) < min_rows:
        return f"only {len(table)} rows in its analysis table (at least {min_rows} needed)"
    col, levels = GROUPS[hid]
    if col in table.columns:
        counts = table[col].value_counts()
        small = [f"{lv} ({int(counts.get(lv, 0))})" for lv in levels if counts.get(lv, 0) < min_per_group]
        if small:
            return (f"too few rows in the compared group(s) {', '.join(map(str, small))}; at least "
                    f"{min_per_group} each needed")
    out = OUTCOMES.get(hid)
    if out in table.columns and table[out].nunique() < 2:
        return f"the outcome '{out}' does not vary (all {table[out].iloc[0]})"
    if hid in ("H1", "H4") and "buyer_siret" in table.columns and table["buyer_siret"].nunique() < 2:
        return ("a single buyer: the interval is clustered by buyer, and one buyer's contracts "
                "cannot tell its own practice from a sector effect")
    return None


def run_hypotheses(tables: dict[str, pd.DataFrame], which: str | list[str] = "all",
                   alpha: float = 0.05, bootstrap: bool = False,
                   min_rows: int = MIN_ROWS) -> dict[str, HypothesisResult]:
    """Fit the hypotheses named in ``which`` ("all", "H2" or a list) on their tables. A hypothesis
    the data cannot support (:func:`estimability`, or a fit that fails: separation, a singular
    matrix, ...) is returned as :func:`not_estimable` with its reason; nothing is raised for the
    data. ``bootstrap`` adds H1's wild cluster bootstrap (a few seconds) to ``extra``."""
    import warnings

    from statsmodels.tools.sm_exceptions import PerfectSeparationError

    ids = list(HYPOTHESES) if which == "all" else ([which] if isinstance(which, str) else list(which))
    unknown = [h for h in ids if h not in HYPOTHESES]
    if unknown:
        raise ValueError(f"unknown hypothesis {', '.join(unknown)}; choose among all, "
                         + ", ".join(HYPOTHESES))
    out: dict[str, HypothesisResult] = {}
    for h in ids:
        table = tables.get(h)
        n = 0 if table is None else len(table)
        reason = estimability(h, table, min_rows)
        if reason is not None:
            out[h] = not_estimable(h, reason, n)
            continue
        kwargs: dict[str, Any] = {"alpha": alpha}
        if h == "H1":
            kwargs["bootstrap"] = bootstrap
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = FITTERS[h](table, **kwargs)
        except HypothesisDataError as exc:
            out[h] = not_estimable(h, str(exc).split(": ", 1)[-1], n)
            continue
        except (np.linalg.LinAlgError, PerfectSeparationError, ZeroDivisionError, ValueError,
                FloatingPointError) as exc:
            out[h] = not_estimable(h, f"the model could not be fitted ({type(exc).__name__}: {exc})", n)
            continue
        if not (np.isfinite(res.estimate) and np.isfinite(res.p_value)):
            out[h] = not_estimable(h, "the fit gave no finite estimate or p-value (separation?)", n)
            continue
        out[h] = res
    return out


# --------------------------------------------------------------------------------------------------
# pre-registration record
# --------------------------------------------------------------------------------------------------

PROTOCOL = "docs/preregistration.md"
PROTOCOL_RECORD = "docs/preregistration.json"
AMENDMENTS = "docs/preregistration_amendments.md"


def protocol_sha256(path: str | Path) -> str:
    """SHA-256 of the protocol text, read as UTF-8 with line ends normalised to LF (so a checkout
    that converts line ends gives the same hash)."""
    import hashlib

    text = Path(path).read_text(encoding="utf-8").replace("\r\n", "\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def preregistration_problems(root: str | Path) -> list[str]:
    """What is wrong with the pre-registration record under ``root`` (the project folder); empty
    when all is well. The record ``docs/preregistration.json`` holds ``registered`` (date),
    ``sha256_registered`` (the hash at registration), ``sha256`` (the current hash) and
    ``amendments`` (one {date, sha256, summary} per change, oldest first). Rules: the protocol's
    hash equals ``sha256``; when it differs from ``sha256_registered``, the last amendment records
    it; every amendment's date and hash appear in ``docs/preregistration_amendments.md``."""
    import datetime as dt

    root = Path(root)
    protocol, record_path, log_path = root / PROTOCOL, root / PROTOCOL_RECORD, root / AMENDMENTS
    missing = [str(p) for p in (protocol, record_path, log_path) if not p.is_file()]
    if missing:
        return [f"missing file(s): {', '.join(missing)}"]
    problems = []
    record = json.loads(record_path.read_text(encoding="utf-8"))
    log = log_path.read_text(encoding="utf-8")
    current = protocol_sha256(protocol)
    amendments = record.get("amendments") or []
    if current != record.get("sha256"):
        problems.append(
            f"{PROTOCOL} changed (SHA-256 {current}) but {PROTOCOL_RECORD} records "
            f"{record.get('sha256')}: date and explain the change in {AMENDMENTS} with the new "
            f"hash, then add it to 'amendments' and 'sha256' of {PROTOCOL_RECORD}")
    if current != record.get("sha256_registered") and (
            not amendments or amendments[-1].get("sha256") != current):
        problems.append(f"the protocol differs from its registered version but the last "
                        f"amendment of {PROTOCOL_RECORD} does not record its hash {current}")
    for a in amendments:
        try:
            dt.date.fromisoformat(str(a.get("date")))
        except ValueError:
            problems.append(f"amendment {a} has no ISO date")
        if not a.get("summary"):
            problems.append(f"amendment of {a.get('date')} has no summary")
        if str(a.get("sha256")) not in log or str(a.get("date")) not in log:
            problems.append(f"amendment of {a.get('date')} ({a.get('sha256')}) is not in {AMENDMENTS}")
    if record.get("registered") and record["registered"] not in protocol.read_text(encoding="utf-8"):
        problems.append(f"the registration date {record['registered']} is not stated in {PROTOCOL}")
    return problems


def describe(result: HypothesisResult) -> str:
    """Markdown summary of one result: effect with its 95 % interval, p-value, n, clusters, the
    descriptive shares or rates behind it, and the plain-language conclusion."""
    if not result.estimable:
        return "\n".join([f"**{result.id}.** {result.question}", "",
                          f"- Not estimable: {result.reason} (n = {result.n}).", "",
                          result.conclusion])
    lo, hi = result.ci95
    clusters = f", {result.n_clusters} clusters" if result.n_clusters else ""
    lines = [
        f"**{result.id}.** {result.question}",
        "",
        f"- Effect: {result.effect} = **{result.estimate:.3f}** (95 % CI {lo:.3f} to {hi:.3f}); "
        f"ratio {result.ratio:.2f} ({result.ratio_ci95[0]:.2f} to {result.ratio_ci95[1]:.2f})",
        f"- p-value {_sig(result.p_value, 3)}; n = {result.n}{clusters}",
        f"- Model: {result.model}",
    ]
    for key in ("reached_share_by_sector", "durable_share_by_group", "women_hours_share_by_sector"):
        if key in result.extra:
            shares = ", ".join(f"{k} {v:.1%}" for k, v in result.extra[key].items())
            lines.append(f"- Observed ({key.replace('_', ' ')}): {shares}")
    if "mean_hours_per_kEUR_by_sector" in result.extra:
        rates = ", ".join(f"{k} {v:.2f}" for k, v in result.extra["mean_hours_per_kEUR_by_sector"].items())
        lines.append(f"- Observed mean planned hours per 1 000 EUR: {rates}")
    for key, label in (("model_based", "model-based covariance of the same model"),
                       ("cluster_robust", "cluster-robust (CR1) covariance of the same model"),
                       ("wild_bootstrap", "restricted wild cluster bootstrap, Webb weights"),
                       ("contract_robust_hc1", "HC1 covariance, contracts independent"),
                       ("two_way", "two-way cluster-robust by contract and person"),
                       ("cluster_robust_buyer", "cluster-robust by buyer"),
                       ("without_unknown_exits", "without the exits recorded as inconnu")):
        sens = result.extra.get(key)
        if not isinstance(sens, dict) or "ci95" not in sens or key == result.extra.get("covariance"):
            continue
        slo, shi = sens["ci95"]
        est = f"estimate {sens['estimate']:.3f}, " if "estimate" in sens else ""
        lines.append(f"- Sensitivity ({label}): {est}95 % CI {slo:.3f} to {shi:.3f}, "
                     f"p = {_sig(sens['p_value'], 3)}")
    lines += ["", result.conclusion]
    return "\n".join(lines)


def results_frame(results: dict[str, HypothesisResult]) -> pd.DataFrame:
    """A display table: one row per hypothesis, rounded."""
    rows = [{"hypothesis": r.id, "effect": LABELS[r.id], "estimate": round(r.estimate, 3),
             "ci95_low": round(r.ci95[0], 3), "ci95_high": round(r.ci95[1], 3),
             "ratio": round(r.ratio, 3), "p_value": _sig(r.p_value, 3), "n": r.n,
             "clusters": r.n_clusters, "estimable": r.estimable, "reason": r.reason}
            for r in results.values()]
    out = pd.DataFrame(rows)
    out["clusters"] = out["clusters"].astype("Int64")
    return out


def to_json(results: dict[str, HypothesisResult], params: Params | None = None,
            years: list[int] | None = None) -> dict[str, Any]:
    """The content of ``hypotheses.json`` (deterministic, rounded)."""
    out: dict[str, Any] = {}
    if params is not None:
        out["parameters"] = {**params.to_dict(), "years": list(years or [])}
    out["hypotheses"] = {k: results[k].to_dict() for k in sorted(results)}
    return out


def report_dir() -> Path | None:
    """The report folder of a run, or None when the notebook is opened by hand
    (:func:`helpers.trends.report_dir`)."""

    return _report_dir()


def write_json(results: dict[str, HypothesisResult], path: str | Path, params: Params | None = None,
               years: list[int] | None = None) -> Path:
    """Write ``hypotheses.json`` (sorted keys, 2-space indent, trailing newline)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(to_json(results, params, years), indent=2, sort_keys=True,
                            ensure_ascii=False) + "\n", encoding="utf-8")
    return p


# --------------------------------------------------------------------------------------------------
# display in the reader's language (French by default in the reports)
# --------------------------------------------------------------------------------------------------

#: The questions and the short effect labels, in French.
QUESTIONS_FR: dict[str, str] = {
    "H1": "Les marchés de travaux atteignent-ils leurs heures d'insertion plus souvent que ceux de "
          "services ?",
    "H2": "Les personnes passées par une structure d'insertion accèdent-elles plus souvent à un "
          "emploi durable que les personnes embauchées directement ?",
    "H3": "La part des heures d'insertion faites par des femmes est-elle plus faible dans les "
          "travaux ?",
    "H4": "Le nombre d'heures d'insertion prévues pour 1 000 € diffère-t-il entre secteurs ?",
}
LABELS_FR: dict[str, str] = {
    "H1": "heures atteintes, travaux / services",
    "H2": "emploi durable, structure / embauche directe",
    "H3": "heures faites par des femmes, travaux / services",
    "H4": "heures prévues pour 1\u202f000\u00a0€, travaux / services",
}
LABELS_EN: dict[str, str] = {
    "H1": "reached hours, works / services",
    "H2": "durable job, structure / direct hire",
    "H3": "hours worked by women, works / services",
    "H4": "planned hours per €1,000, works / services",
}
#: The plain-language conclusions in French: (confirmed, opposite, not shown).
CONCLUSIONS_FR: dict[str, tuple[str, str, str]] = {
    "H1": ("les marchés de travaux atteignent leurs heures attendues plus souvent que ceux de "
           "services",
           "les marchés de travaux atteignent leurs heures attendues MOINS souvent que ceux de "
           "services",
           "les données ne montrent pas de différence entre travaux et services pour atteindre "
           "les heures attendues"),
    "H2": ("les personnes passées par une structure d'insertion accèdent plus souvent à un emploi "
           "durable",
           "les personnes passées par une structure d'insertion accèdent MOINS souvent à un "
           "emploi durable",
           "les données ne montrent pas de différence d'accès à l'emploi durable entre structure "
           "d'insertion et embauche directe"),
    "H3": ("la part des heures faites par des femmes est plus faible dans les travaux",
           "la part des heures faites par des femmes est PLUS ÉLEVÉE dans les travaux",
           "les données ne montrent pas de différence de part des heures faites par des femmes "
           "entre travaux et services"),
    "H4": ("le nombre d'heures prévues pour 1 000 € diffère entre secteurs",
           "le nombre d'heures prévues pour 1 000 € diffère entre secteurs",
           "aucune différence détectable du nombre d'heures prévues pour 1 000 € entre secteurs"),
}
#: What n counts, by hypothesis: (French singular/plural, English plural).
UNITS: dict[str, tuple[str, str, str]] = {
    "H1": ("marché", "marchés", "contracts"), "H2": ("parcours", "parcours", "pathways"),
    "H3": ("mission", "missions", "person-missions"), "H4": ("marché", "marchés", "contracts"),
}
_SECTOR_FR = {"services": "services", "works": "travaux", "supplies": "fournitures",
              "direct_hire": "embauche directe", "insertion_structure": "structure d'insertion"}


def question(hid: str, lang: str = "fr") -> str:
    """The question of hypothesis ``hid`` in ``lang`` (English: "€1,000" for "1 000 EUR")."""
    return QUESTIONS_FR[hid] if lang == "fr" else _en_money(QUESTIONS[hid])


def _en_money(text: str) -> str:
    return text.replace("1 000 EUR", "€1,000")


def labels(lang: str = "fr") -> dict[str, str]:
    """The short effect labels of the hypotheses in ``lang`` (vertical axis of :func:`forest_plot`,
    :func:`summary_table`), without the scale of the effect (the reports show ratios)."""
    return dict(LABELS_FR if lang == "fr" else LABELS_EN)


def outcome(result: HypothesisResult, alpha: float = 0.05) -> str:
    """``"supported"`` (significant at ``alpha`` in the hypothesised direction, or any direction for
    H4), ``"opposite"`` (significant the other way), ``"not_supported"`` or ``"not_estimable"`` —
    the same rule as the English conclusion."""
    if not result.estimable:
        return "not_estimable"
    if result.p_value >= alpha:
        return "not_supported"
    if EXPECTED_SIGN[result.id] == 0 or np.sign(result.estimate) == EXPECTED_SIGN[result.id]:
        return "supported"
    return "opposite"


_REASONS_FR: tuple[tuple[str, str], ...] = (
    (r"^no row in its analysis table$", "aucune donnée ne se prête à cette analyse"),
    (r"^only (\d+) rows in its analysis table \(at least (\d+) needed\)$",
     "seulement {0} observations, il en faut au moins {1}"),
    (r"^too few rows in the compared group\(s\) (.*); at least (\d+) each needed$",
     "trop peu d'observations dans le ou les groupes comparés ({0}) ; il en faut au moins {1} "
     "par groupe"),
    (r"^the outcome '(\w+)' does not vary.*$|^the outcome .* does not vary$",
     "le résultat étudié est le même pour toutes les observations : il n'y a rien à comparer"),
    (r"^a single buyer.*$|^\d+ buyer\(s\) whose contracts vary.*$",
     "un seul acheteur utilisable : on ne peut pas distinguer sa pratique propre d'un effet du "
     "secteur"),
    (r"^needs ended missions both through a structure and direct hires$",
     "il faut des parcours terminés à la fois par structure d'insertion et par embauche directe"),
    (r"^the missions of a single contract cannot be clustered by contract$",
     "tous les parcours relèvent d'un seul marché"),
    (r"^no .* row for level\(s\) (.*) — the model cannot be fitted$",
     "aucune observation pour : {0}"),
    (r"^the model could not be fitted.*$|^the fit gave no finite estimate.*$|"
     r"^analysis table lacks column.*$",
     "le modèle n'a pas pu être ajusté sur ces données (par exemple un groupe où le résultat "
     "est toujours le même)"),
)


def reason_text(reason: str, lang: str = "fr") -> str:
    """Why a hypothesis is not estimable, in ``lang``: the English reason as written for ``"en"``,
    its French wording for ``"fr"`` (group names such as ``works (3)`` translated); a reason this
    function does not know gets a general French sentence."""
    import re

    if lang != "fr":
        return reason
    for pattern, words in _REASONS_FR:
        m = re.match(pattern, reason)
        if m:
            groups = [g for g in m.groups() if g is not None]
            groups = [re.sub(r"\b(services|works|supplies)\b", lambda w: _SECTOR_FR[w.group(1)], g)
                      for g in groups]
            return words.format(*groups)
    return "les données ne permettent pas d'ajuster le modèle"


def _ratio_name(hid: str, lang: str) -> str:
    if lang == "fr":
        return "rapport des moyennes" if hid == "H4" else "rapport de cotes"
    return "ratio of means" if hid == "H4" else "odds ratio"


def result_sentence(result: HypothesisResult, alpha: float = 0.05, lang: str = "fr") -> str:
    """The result of one hypothesis in one sentence in ``lang``: the conclusion at ``alpha`` with
    the ratio, its 95 % interval, the p-value and the number of observations (buyers for H1 and
    H4); or "not estimable" with its reason."""

    unit_one, unit_many, unit_en = UNITS[result.id]
    n_text = fmt.number(result.n, lang)
    if not result.estimable:
        if lang == "fr":
            return (f"**Non estimable** : {reason_text(result.reason, lang)} "
                    f"({n_text} {unit_one if result.n <= 1 else unit_many} disponibles).")
        return f"**Not estimable**: {result.reason} ({n_text} {unit_en} available)."
    kind = outcome(result, alpha)
    lo, hi = result.ratio_ci95
    sep = f"{fmt.NNBSP}; " if lang == "fr" else ", "
    ratio = (f"{_ratio_name(result.id, lang)} {fmt.number(result.ratio, lang, 2)}, "
             f"{'intervalle à 95' + fmt.NBSP + '%' if lang == 'fr' else '95% interval'} "
             f"[{fmt.number(lo, lang, 2)}{sep}{fmt.number(hi, lang, 2)}], {fmt.pvalue(result.p_value, lang)}")
    buyers = ""
    if result.id in ("H1", "H4") and result.n_clusters:
        buyers = (f", {fmt.number(result.n_clusters, lang)} acheteurs" if lang == "fr" else
                  f", {fmt.number(result.n_clusters, lang)} buyers")
    if lang == "fr":
        head = {"supported": "Hypothèse confirmée", "opposite": "Effet contraire à l'hypothèse",
                "not_supported": "Hypothèse non confirmée"}[kind]
        words = CONCLUSIONS_FR[result.id][("supported", "opposite", "not_supported").index(kind)]
        return (f"**{head}** au seuil de {fmt.target(alpha, lang)} : {words} ({ratio} ; "
                f"{n_text} {unit_many}{buyers}).")
    head = {"supported": "Hypothesis supported", "opposite": "Effect opposite to the hypothesis",
            "not_supported": "Hypothesis not supported"}[kind]
    words = _en_money(CONCLUSIONS[result.id][("supported", "opposite", "not_supported").index(kind)])
    return (f"**{head}** at the {fmt.target(alpha, lang)} level: {words} "
            f"({ratio}; {n_text} {unit_en}{buyers}).")


def observed_sentence(result: HypothesisResult, lang: str = "fr") -> str | None:
    """The descriptive shares or rates behind a result ("Observé : services 51,7 %, travaux
    77,3 %"), or None when the result has none."""

    names = _SECTOR_FR if lang == "fr" else {k: k.replace("_", " ") for k in _SECTOR_FR}
    for key in ("reached_share_by_sector", "durable_share_by_group", "women_hours_share_by_sector"):
        if key in result.extra:
            items = ", ".join(f"{names.get(k, k)} {fmt.share(v, lang)}"
                              for k, v in result.extra[key].items())
            what = {"reached_share_by_sector": ("part des marchés qui atteignent leurs heures",
                                                "share of contracts reaching their hours"),
                    "durable_share_by_group": ("part des sorties vers un emploi durable",
                                               "share of exits to durable employment"),
                    "women_hours_share_by_sector": ("part des heures faites par des femmes",
                                                    "share of hours worked by women")}[key]
            return (f"Observé ({what[0]}) : {items}." if lang == "fr" else
                    f"Observed ({what[1]}): {items}.")
    if "mean_hours_per_kEUR_by_sector" in result.extra:
        items = ", ".join(f"{names.get(k, k)} {fmt.number(v, lang, 2)}"
                          for k, v in result.extra["mean_hours_per_kEUR_by_sector"].items())
        return (f"Observé (heures prévues pour 1 000 €, en moyenne) : {items}." if lang == "fr" else
                f"Observed (mean planned hours per €1,000): {items}.")
    return None


def report_text(result: HypothesisResult, alpha: float = 0.05, lang: str = "fr") -> str:
    """Markdown of one hypothesis for a report: :func:`result_sentence`, then
    :func:`observed_sentence` when there is one; in French with no-break spaces before ``:``,
    ``;`` and ``%`` (:func:`helpers.texts_research.french_spaces`)."""

    lines = [result_sentence(result, alpha, lang)]
    observed = observed_sentence(result, lang) if result.estimable else None
    if observed:
        lines += ["", observed]
    body = "\n".join(lines)
    return french_spaces(body) if lang == "fr" else body


def summary_table(results: dict[str, HypothesisResult], alpha: float = 0.05,
                  lang: str = "fr") -> pd.DataFrame:
    """One row per hypothesis for a report, in ``lang``: question, effect as a ratio with its 95 %
    interval, p-value, observations, outcome in words ("Non estimable" with the reason)."""

    fr = lang == "fr"
    heads = (("Hypothèse", "Effet mesuré", "Rapport [intervalle à 95 %]", "p", "Observations",
              "Conclusion") if fr else
             ("Hypothesis", "Effect measured", "Ratio [95% interval]", "p", "Observations",
              "Conclusion"))
    sep = f"{fmt.NNBSP}; " if fr else ", "
    words = {"fr": {"supported": "Hypothèse confirmée", "opposite": "Effet contraire",
                    "not_supported": "Non confirmée", "not_estimable": "Non estimable"},
             "en": {"supported": "Supported", "opposite": "Opposite effect",
                    "not_supported": "Not supported", "not_estimable": "Not estimable"}}[
        "fr" if fr else "en"]
    rows = []
    for r in results.values():
        kind = outcome(r, alpha)
        if r.estimable:
            ratio = (f"{fmt.number(r.ratio, lang, 2)} [{fmt.number(r.ratio_ci95[0], lang, 2)}{sep}"
                     f"{fmt.number(r.ratio_ci95[1], lang, 2)}]")
            conclusion = words[kind]
        else:
            ratio = fmt.MISSING
            conclusion = f"{words[kind]} : {reason_text(r.reason, lang)}" if fr else \
                f"{words[kind]}: {r.reason}"
        rows.append({heads[0]: r.id, heads[1]: labels(lang)[r.id], heads[2]: ratio,
                     heads[3]: fmt.pvalue(r.p_value, lang).replace("p = ", "").replace("p ", "")
                     if r.estimable else fmt.MISSING,
                     heads[4]: fmt.number(r.n, lang), heads[5]: conclusion})
    return pd.DataFrame(rows, columns=list(heads)).set_index(heads[0])


def preregistration_status(root: str | Path) -> dict[str, Any]:
    """Where the pre-registered protocol stands under ``root``: ``state`` is ``"unchanged"`` (its
    hash is the registered one and :func:`preregistration_problems` finds nothing), ``"amended"``
    (it changed, and every change is recorded) or ``"problem"``; with ``registered`` (date),
    ``amendments`` (count), ``last_amendment`` (date or None) and ``problems`` (list)."""
    root = Path(root)
    problems = preregistration_problems(root)
    record: dict[str, Any] = {}
    if (root / PROTOCOL_RECORD).is_file():
        record = json.loads((root / PROTOCOL_RECORD).read_text(encoding="utf-8"))
    amendments = record.get("amendments") or []
    if problems:
        state = "problem"
    elif (root / PROTOCOL).is_file() and protocol_sha256(root / PROTOCOL) == record.get("sha256_registered"):
        state = "unchanged"
    else:
        state = "amended"
    return {"state": state, "registered": record.get("registered"), "amendments": len(amendments),
            "last_amendment": amendments[-1].get("date") if amendments else None,
            "problems": problems}


def power_display(target: float = 0.30, alpha: float = 0.05, lang: str = "fr",
                  sizes: tuple[int, ...] = (10, 20, 50, 100),
                  shares: tuple[float, ...] = (0.10, 0.15, 0.20, 0.25)) -> pd.DataFrame:
    """The power table of the below-target test (:func:`helpers.indicators.power.power_table`) for a
    report: one row per number of followed contracts, one column per true delivered share, each
    cell the probability of finding the buyer below ``target`` at level ``alpha`` as a
    percentage."""

    t = power_table(sizes, shares, target, alpha).pivot(index="n", columns="true_share", values="power")
    fr = lang == "fr"
    out = t.apply(lambda col: [fmt.share(v, lang, 0) for v in col])
    out.columns = [(f"Part réelle {fmt.target(s, lang)}" if fr else f"True share {fmt.target(s, lang)}")
                   for s in t.columns]
    out.index = pd.Index([fmt.number(n, lang) for n in t.index],
                         name="Marchés suivis" if fr else "Followed contracts")
    return out


def power_example(n: int = 20, true_share: float = 0.15, target: float = 0.30,
                  alpha: float = 0.05, lang: str = "fr") -> dict[str, str]:
    """The numbers of the power paragraph: ``n``, ``share``, ``times`` (the power in tenths,
    rounded: "4 fois sur 10"), ``power`` (as a percentage), ``smallest`` (the fewest contracts at
    which the test can conclude at all), ``target`` and ``alpha`` — formatted for ``lang``."""

    pw = power(n, true_share, target, alpha)
    return {"n": fmt.number(n, lang), "share": fmt.target(true_share, lang),
            "times": fmt.number(round(pw * 10), lang), "power": fmt.share(pw, lang, 0),
            "smallest": fmt.number(smallest_testable_n(target, alpha), lang),
            "target": fmt.target(target, lang), "alpha": fmt.target(alpha, lang)}


@_themed
def forest_plot(results: dict[str, HypothesisResult],
                planted: dict[str, float] | None = None, *,
                title: str = "Pre-registered hypotheses: estimated effect and 95% interval",
                xlabel: str = "Effect (log of the ratio; 0 = no effect)",
                labels: dict[str, str] | None = None, not_estimable: str = "not estimable",
                planted_label: str = "Value planted in the demonstration data",
                estimate_label: str = "Estimated effect (95% interval)",
                label_format: str = "{id}: {label}",
                number: Any = None) -> Figure:
    """Forest plot of the effects (log scale estimates and 95 % intervals), 0 = no effect; planted
    values (demo data) drawn as open diamonds when given. ``labels`` names each hypothesis on the
    vertical axis (default :data:`LABELS`); every text is a keyword argument, and ``number``
    formats the ticks of the effect axis (default matplotlib's)."""
    import matplotlib.pyplot as plt


    names = labels or LABELS
    ids = sorted(results, reverse=True)
    fig, ax = plt.subplots(figsize=(figures.WIDTH, 0.9 * len(ids) + 2.2), layout="constrained")
    labelled = drawn = False
    for y, h in enumerate(ids):
        r = results[h]
        if not r.estimable:
            ax.text(0, y, not_estimable, ha="center", va="center", color="dimgrey")
            continue
        lo, hi = (max(r.ci95[0], r.estimate - 10), min(r.ci95[1], r.estimate + 10))
        err = figures.interval_errors([r.estimate], [lo], [hi])
        ax.errorbar([r.estimate], [y], xerr=err, fmt="o", color=figures.DECLARED_COLOR, lw=2,
                    capsize=4, label=None if drawn else estimate_label)
        drawn = True
        if planted and h in planted:
            ax.plot(planted[h], y, "D", mfc="none", mec=figures.TARGET_COLOR, ms=9, mew=1.5,
                    label=None if labelled else planted_label)
            labelled = True
    ax.axvline(0, color="grey", ls="--", lw=1)
    # textwrap breaks on ASCII spaces only: a no-break space ("1 000 €") stays unbroken
    ax.set_yticks(range(len(ids)), [textwrap.fill(label_format.format(id=h, label=names[h]), 30,
                                                  break_long_words=False) for h in ids])
    if number is not None:
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: number(v)))
    ax.set_ylim(-0.6, len(ids) - 0.4)
    ax.set_xlabel(xlabel)
    ax.set_title(figures.wrap(title, figures.TITLE_WIDTH))
    if drawn or labelled:
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig
