"""Pre-registered hypotheses H1-H4 (issue 5; registry in ``docs/hypotheses.md``), all with statsmodels.

Two layers, so each can be tested on its own:

* **analysis tables** — built from the canonical :class:`~helpers.dataset.Dataset` (DESIGN §2-§3):
  :func:`h1_table` (one row per clause contract), :func:`h2_table` (one row per ended mission),
  :func:`h3_table` (one row per person-mission with hours), :func:`h4_table` (one row per clause
  contract with planned hours and an amount);
* **fitters** — :func:`fit_h1` … :func:`fit_h4` take such a table and return a
  :class:`HypothesisResult` (effect on the log scale with its 95 % interval, p-value, n, clusters,
  plain-language conclusion).

Models (the choices are argued in ``docs/hypotheses.md``):

H1  logit P(reached) ~ sector (services = reference; a supplies dummy keeps supplies in) + log amount
    + duration + buyer fixed effects; cluster-robust covariance by buyer with the CR1 small-sample
    correction and Student-t inference on G − 1 degrees of freedom (G = buyers) when G ≥ 30, else
    the model-based covariance of the fixed-effects model (both kept). Buyers whose outcome does
    not vary carry no within-buyer information under fixed effects and are dropped (counted).
H2  logit P(emploi_durable | ended mission) ~ via insertion structure + sex + age band + diploma;
    cluster-robust by contract (CR1, t on G − 1 df).
H3  binomial GLM (logit link) of "female" on sector over person-mission rows weighted by hours:
    each sector's fitted share is its women's share of insertion hours; two-way cluster-robust by
    contract and person (CR1, t inference) — a person's sex is shared by all their missions.
H4  Gamma GLM with log link of planned hours on sector with offset log(amount / 1 000): exp(the
    sector coefficient) is the sector's mean of planned hours per 1 000 € over contracts (the Gamma
    score equation with a log link and a categorical regressor solves to that mean); robust (HC1)
    covariance; "differ between sectors" is the joint Wald test of both sector coefficients. (A
    Poisson quasi-likelihood weights contracts by amount and was over-sized, ≈ 8 % at 5 %, in the
    simulation with heavy-tailed amounts; the Gamma fit kept ≈ 6 %.)

``python -m helpers simulate`` (:mod:`helpers.simulate`) checks the intervals' coverage.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from matplotlib.figure import Figure

from .dataset import Dataset
from .params import Params

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

    def __post_init__(self) -> None:
        self.ratio = math.exp(self.estimate)
        self.ratio_ci95 = (math.exp(self.ci95[0]), math.exp(self.ci95[1]))

    def covers(self, value: float) -> bool:
        """True when ``value`` lies in the 95 % interval (both ends included)."""
        return self.ci95[0] <= value <= self.ci95[1]

    def to_dict(self, digits: int = ROUND) -> dict[str, Any]:
        """JSON-ready, deterministic: floats rounded (p-values to 4 significant digits)."""
        return _round_tree(asdict(self), digits)


def _sig(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}") if np.isfinite(x) else x


def _round_tree(v: Any, digits: int) -> Any:
    if isinstance(v, float):
        return round(v, digits)
    if isinstance(v, (np.floating,)):
        return round(float(v), digits)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (list, tuple)):
        return [_round_tree(x, digits) for x in v]
    if isinstance(v, dict):  # p-values keep 4 significant digits, not 4 decimals
        return {k: (_sig(float(x)) if k.startswith("p_") and isinstance(x, (float, np.floating))
                    else _round_tree(x, digits)) for k, x in v.items()}
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

def fit_h1(table: pd.DataFrame, alpha: float = 0.05, buyer_effects: str = "fixed",
           min_clusters: int = MIN_CLUSTERS) -> HypothesisResult:
    """H1 on a contract table with columns buyer_siret, sector, reached (0/1), amount (> 0),
    duration_months. ``buyer_effects``: "fixed" (default, matches buyer-level intercepts) or "none".

    Covariance (pre-registered rule, docs/hypotheses.md): cluster-robust by buyer (CR1, t on G − 1
    df) when there are at least ``min_clusters`` buyers; with fewer, the cluster-robust variance is
    itself too noisy (its coverage was 0.895 for a nominal 0.95 over 200 simulated demo datasets
    with 6 buyers, ``python -m helpers simulate``; the model-based one 0.945), so the interval is the model-based one of the buyer
    fixed-effects logit, whose buyer intercepts absorb the between-buyer dependence. Both intervals
    are always kept in ``extra`` (``cluster_robust``, ``model_based``)."""
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
    d["reached"] = d["reached"].astype(float)
    d["log_amount"] = np.log(d["amount"])
    rhs = "C(sector, Treatment('services')) + log_amount + duration_months"
    if buyer_effects == "fixed":
        rhs += " + C(buyer_siret)"
    model = smf.glm(f"reached ~ {rhs}", data=d, family=sm.families.Binomial())
    name = "C(sector, Treatment('services'))[T.works]"
    n_clusters = int(d["buyer_siret"].nunique())
    clustered = _cluster_fit(model, d["buyer_siret"])
    est, c_lo, c_hi, c_p = _coef(clustered, name)
    _, m_lo, m_hi, m_p = _coef(model.fit(), name)
    use_cluster = n_clusters >= min_clusters or buyer_effects == "none"
    lo, hi, p = (c_lo, c_hi, c_p) if use_cluster else (m_lo, m_hi, m_p)
    covariance = ("cluster-robust SE by buyer (CR1), t with G-1 df" if use_cluster else
                  f"model-based SE ({n_clusters} buyers < {min_clusters}: cluster-robust SE "
                  "unreliable, kept as sensitivity)")
    return HypothesisResult(
        id="H1", question=QUESTIONS["H1"], effect=EFFECTS["H1"],
        model=("logit (binomial GLM) reached ~ sector + log amount + duration"
               + (" + buyer fixed effects" if buyer_effects == "fixed" else "") + "; " + covariance),
        estimate=est, ci95=(lo, hi), p_value=p, n=int(clustered.nobs), n_clusters=n_clusters,
        conclusion=_conclusion("H1", est, lo, hi, p, alpha),
        extra={"rows_dropped_missing": int(n_missing),
               "buyers_dropped_no_variation": len(dropped_buyers),
               "covariance": "cluster_robust" if use_cluster else "model_based",
               "cluster_robust": {"ci95": [c_lo, c_hi], "p_value": c_p},
               "model_based": {"ci95": [m_lo, m_hi], "p_value": m_p},
               "n_by_sector": {k: int(v) for k, v in d["sector"].value_counts().sort_index().items()},
               "reached_share_by_sector": {k: float(v) for k, v in
                                           d.groupby("sector")["reached"].mean().sort_index().items()}},
    )


def fit_h2(table: pd.DataFrame, alpha: float = 0.05) -> HypothesisResult:
    """H2 on an ended-mission table with columns uid, durable (0/1), via_structure (0/1), sex,
    age_band, diploma_level."""
    _require(table, ["uid", "durable", "via_structure", "sex", "age_band", "diploma_level"], "H2")
    d = table.dropna(subset=["durable", "via_structure", "sex", "age_band", "diploma_level"]).copy()
    n_missing = len(table) - len(d)
    if d["via_structure"].nunique() < 2:
        raise HypothesisDataError("H2: needs ended missions both through a structure and direct hires")
    d["durable"] = d["durable"].astype(float)
    d["via_structure"] = d["via_structure"].astype(float)
    rhs = ["via_structure"]
    # a control with a single level cannot enter the model (it would be collinear with the intercept)
    for col, ref in (("sex", "M"), ("age_band", "26-49"), ("diploma_level", "bac")):
        levels = d[col].unique()
        if len(levels) > 1:
            ref_used = ref if ref in levels else sorted(levels)[0]
            rhs.append(f"C({col}, Treatment('{ref_used}'))")
    model = smf.glm("durable ~ " + " + ".join(rhs), data=d, family=sm.families.Binomial())
    res = _cluster_fit(model, d["uid"])
    est, lo, hi, p = _coef(res, "via_structure")
    return HypothesisResult(
        id="H2", question=QUESTIONS["H2"], effect=EFFECTS["H2"],
        model="logit (binomial GLM) durable ~ via structure + sex + age band + diploma; "
              "cluster-robust SE by contract (CR1), t with G-1 df",
        estimate=est, ci95=(lo, hi), p_value=p, n=int(res.nobs),
        n_clusters=int(d["uid"].nunique()), conclusion=_conclusion("H2", est, lo, hi, p, alpha),
        extra={"rows_dropped_missing": int(n_missing),
               "durable_share_by_group": {
                   ("insertion_structure" if k == 1 else "direct_hire"): float(v)
                   for k, v in d.groupby("via_structure")["durable"].mean().sort_index().items()}},
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
    """H4 on a clause-contract table with columns sector, planned_hours (> 0), amount (> 0).

    The reported p-value is the joint Wald test that works and supplies both have the services
    rate (when supplies is present; else the works coefficient's own test)."""
    _require(table, ["sector", "planned_hours", "amount"], "H4")
    d = table.dropna(subset=["sector", "planned_hours", "amount"]).copy()
    d = d[(d["planned_hours"] > 0) & (d["amount"] > 0)]
    n_missing = len(table) - len(d)
    _require_levels(d["sector"], ("services", "works"), "H4", "clause contract with planned hours")
    d["log_kEUR"] = np.log(d["amount"] / 1000.0)
    model = smf.glm("planned_hours ~ C(sector, Treatment('services'))", data=d,
                    family=sm.families.Gamma(sm.families.links.Log()), offset=d["log_kEUR"])
    res = model.fit(cov_type="HC1")
    est, lo, hi, p_works = _coef(res, "C(sector, Treatment('services'))[T.works]")
    sector_terms = [n for n in res.params.index if n.startswith("C(sector")]
    if len(sector_terms) > 1:
        r = np.zeros((len(sector_terms), len(res.params)))
        for i, nme in enumerate(sector_terms):
            r[i, list(res.params.index).index(nme)] = 1.0
        wald = res.wald_test(r, scalar=True)
        p_joint = float(wald.pvalue)
    else:
        p_joint = p_works
    rates = (d["planned_hours"] / (d["amount"] / 1000.0)).groupby(d["sector"]).mean().sort_index()
    extra: dict[str, Any] = {"rows_dropped_missing_or_zero": int(n_missing),
                             "p_works_vs_services": p_works,
                             "mean_hours_per_kEUR_by_sector": {k: float(v) for k, v in rates.items()}}
    sup = "C(sector, Treatment('services'))[T.supplies]"
    if sup in res.params.index:
        s_est, s_lo, s_hi, s_p = _coef(res, sup)
        extra["supplies_vs_services"] = {"estimate": s_est, "ci95": [s_lo, s_hi], "p_value": s_p}
    return HypothesisResult(
        id="H4", question=QUESTIONS["H4"], effect=EFFECTS["H4"],
        model="Gamma GLM, log link, planned hours ~ sector, offset log(amount/1000); "
              "robust (HC1) SE; p = joint Wald test of the sector terms",
        estimate=est, ci95=(lo, hi), p_value=p_joint, n=int(res.nobs), n_clusters=None,
        conclusion=_conclusion("H4", est, lo, hi, p_joint, alpha), extra=extra,
    )


FITTERS = {"H1": fit_h1, "H2": fit_h2, "H3": fit_h3, "H4": fit_h4}


# --------------------------------------------------------------------------------------------------
# analysis tables (from the canonical Dataset)
# --------------------------------------------------------------------------------------------------

def cpv_sector(cpv: pd.Series) -> pd.Series:
    """Sector of each contract (DESIGN §1: works = CPV division 45; supplies = 03-44 and 48; services
    = the rest) from :func:`helpers.reference.contract_category`; an unknown CPV gives NA (left out
    of the models)."""
    from .reference import contract_category

    cat = contract_category(cpv)
    return cat.where(cat.ne("unknown"), pd.NA)


def pooled_years(dataset: Dataset, params: Params, years: list[int] | None = None) -> list[int]:
    """The notification years the hypotheses pool (:func:`helpers.trends.period_years`): ``years``
    when given (each ≤ ``params.year``), else every year in the data up to ``params.year``."""
    from .trends import period_years

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
    (DESIGN §3, the hours part of VERIFIED; a verified reserved contract does not count as reached).

    ``status`` is :func:`helpers.indicators.status.contract_status` of the selected contracts (columns
    uid, buyer_siret, sector, amount, duration_months, clause, planned_hours, months_elapsed,
    expected_hours, realized_hours)."""
    from .indicators.status import RATIO_TOLERANCE

    d = status[status["clause"].astype(bool) & (status["planned_hours"] > 0)
               & (status["months_elapsed"] >= 1.0)].copy()
    threshold = min_delivery_ratio * d["expected_hours"]
    meets = d["realized_hours"] >= threshold - RATIO_TOLERANCE * np.maximum(threshold, 1.0)
    d["reached"] = ((d["realized_hours"] > 0) & meets).astype(int)
    return d[["uid", "buyer_siret", "sector", "amount", "duration_months", "planned_hours",
              "realized_hours", "expected_hours", "reached"]].sort_values("uid").reset_index(drop=True)


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
    ``autre`` modality is left out); ``durable`` = exit to emploi_durable. Rows without sex are left
    out by the fitter."""
    p = participations[participations["uid"].isin(contracts["uid"])]
    keep = (p["exit_outcome"] != "en_cours") & p["modality"].isin(
        ("embauche_directe", *STRUCTURE_MODALITIES))
    if as_of is not None:
        keep &= ~(p["end_date"] > as_of)
    p = p[keep]
    out = pd.DataFrame({
        "uid": p["uid"],
        "durable": (p["exit_outcome"] == "emploi_durable").astype(int),
        "via_structure": p["modality"].isin(STRUCTURE_MODALITIES).astype(int),
        "sex": p["sex"],
        "age_band": age_band(p["start_date"], p["birth_year"]),
        "diploma_level": p["diploma_level"],
    })
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
    """Selected contracts with a clauses row, planned_hours > 0 and amount > 0 (PLANNED hours)."""
    d = contracts[["uid", "buyer_siret", "sector", "amount"]].merge(
        clauses[["uid", "planned_hours"]], on="uid", how="inner", validate="1:1")
    d = d[(d["planned_hours"] > 0) & (d["amount"] > 0) & d["sector"].notna()]
    return d.sort_values("uid").reset_index(drop=True)


def build_tables(dataset: Dataset, params: Params, years: list[int] | None = None) -> dict[str, pd.DataFrame]:
    """The four analysis tables for ``dataset`` under ``params``: contracts of
    :func:`select_contracts`, their status at ``params.as_of_date`` (H1), missions ended and hours
    started by then (H2, H3), planned hours (H4)."""
    from .indicators.status import contract_status

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


def run_hypotheses(tables: dict[str, pd.DataFrame], which: str | list[str] = "all",
                   alpha: float = 0.05) -> dict[str, HypothesisResult]:
    """Fit the hypotheses named in ``which`` ("all", "H2" or a list) on their tables."""
    ids = list(HYPOTHESES) if which == "all" else ([which] if isinstance(which, str) else list(which))
    unknown = [h for h in ids if h not in HYPOTHESES]
    if unknown:
        raise ValueError(f"unknown hypothesis {', '.join(unknown)}; choose among all, "
                         + ", ".join(HYPOTHESES))
    return {h: FITTERS[h](tables[h], alpha=alpha) for h in ids}


def describe(result: HypothesisResult) -> str:
    """Markdown summary of one result: effect with its 95 % interval, p-value, n, clusters, the
    descriptive shares or rates behind it, and the plain-language conclusion."""
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
    if "covariance" in result.extra:
        other = "model_based" if result.extra["covariance"] == "cluster_robust" else "cluster_robust"
        olo, ohi = result.extra[other]["ci95"]
        lines.append(f"- Sensitivity ({other.replace('_', '-')} covariance of the same model): "
                     f"95 % CI {olo:.3f} to {ohi:.3f}, p = {_sig(result.extra[other]['p_value'], 3)}")
    lines += ["", result.conclusion]
    return "\n".join(lines)


def results_frame(results: dict[str, HypothesisResult]) -> pd.DataFrame:
    """A display table: one row per hypothesis, rounded."""
    rows = [{"hypothesis": r.id, "effect": LABELS[r.id], "estimate": round(r.estimate, 3),
             "ci95_low": round(r.ci95[0], 3), "ci95_high": round(r.ci95[1], 3),
             "ratio": round(r.ratio, 3), "p_value": _sig(r.p_value, 3), "n": r.n,
             "clusters": r.n_clusters} for r in results.values()]
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
    from .trends import report_dir as _report_dir

    return _report_dir()


def write_json(results: dict[str, HypothesisResult], path: str | Path, params: Params | None = None,
               years: list[int] | None = None) -> Path:
    """Write ``hypotheses.json`` (sorted keys, 2-space indent, trailing newline)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(to_json(results, params, years), indent=2, sort_keys=True,
                            ensure_ascii=False) + "\n", encoding="utf-8")
    return p


def forest_plot(results: dict[str, HypothesisResult],
                planted: dict[str, float] | None = None) -> Figure:
    """Forest plot of the effects (log scale estimates and 95 % intervals), 0 = no effect; planted
    values (demo data) drawn as open diamonds when given."""
    import matplotlib.pyplot as plt

    ids = sorted(results, reverse=True)
    fig, ax = plt.subplots(figsize=(9.0, 0.8 * len(ids) + 1.6))
    labelled = False
    for y, h in enumerate(ids):
        r = results[h]
        ax.plot([r.ci95[0], r.ci95[1]], [y, y], color="tab:blue", lw=2)
        ax.plot(r.estimate, y, "o", color="tab:blue")
        if planted and h in planted:
            ax.plot(planted[h], y, "D", mfc="none", mec="tab:red", ms=8,
                    label=None if labelled else "planted value")
            labelled = True
    ax.axvline(0, color="grey", ls="--", lw=1)
    ax.set_yticks(range(len(ids)), [f"{h}: {LABELS[h]}" for h in ids], fontsize=9)
    ax.set_xlabel("effect (log odds ratio / log ratio) with 95 % interval")
    ax.set_title("Pre-registered hypotheses")
    if labelled:
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
