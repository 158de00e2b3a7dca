"""Hypotheses H1-H4: analysis tables, statsmodels fits, JSON.

Fits are checked two ways: on tiny frames whose estimate has a closed form (computed by hand in the
comments), and on frames simulated HERE with a planted effect (the 95 % interval must cover it).
"""

from __future__ import annotations

import json
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from helpers import hypotheses as hyp


def logit(p: float) -> float:
    return math.log(p / (1 - p))


# --------------------------------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------------------------------

def test_cpv_sector_follows_design_divisions() -> None:
    cpv = pd.Series(["45200000", "03100000", "44100000", "48000000", "72000000", "02000000", None])
    assert hyp.cpv_sector(cpv).tolist() == ["works", "supplies", "supplies", "supplies", "services",
                                            "services", pd.NA]


def test_age_band_at_mission_start() -> None:
    start = pd.to_datetime(pd.Series(["2024-03-01", "2024-03-01", "2024-03-01", "2024-03-01"]))
    born = pd.Series([1999, 1998, 1975, None], dtype="Int64")
    # ages at the 2024 start: 25 -> <26, 26 -> 26-49, 49 -> 26-49; unknown birth year -> inconnu
    assert hyp.age_band(start, born).tolist() == ["<26", "26-49", "26-49", "inconnu"]
    assert hyp.age_band(start.iloc[:1], pd.Series([1974], dtype="Int64")).tolist() == ["50+"]


def test_h1_table_keeps_due_clause_contracts_and_applies_the_ratio() -> None:
    status = pd.DataFrame({
        "uid": ["u1", "u2", "u3", "u4", "u5"],
        "buyer_siret": ["1" * 14] * 5,
        "sector": ["works", "works", "services", "services", "works"],
        "amount": [1e5] * 5, "duration_months": [12.0] * 5,
        "clause": [True, True, True, False, True],
        "planned_hours": [100.0, 100.0, 0.0, 100.0, 100.0],
        "months_elapsed": [12.0, 12.0, 12.0, 12.0, 0.5],
        "expected_hours": [100.0, 100.0, 0.0, 100.0, 4.1],
        "realized_hours": [80.0, 79.0, 10.0, 100.0, 0.0],
    })
    t = hyp.h1_table(status, 0.8)
    # u3 has no planned hours, u4 no clause, u5 less than one month elapsed -> out
    assert t["uid"].tolist() == ["u1", "u2"]
    # 80 >= 0.8 × 100 -> reached; 79 < 80 -> not reached
    assert t["reached"].tolist() == [1, 0]


def _participations() -> pd.DataFrame:
    return pd.DataFrame({
        "uid": ["c1", "c1", "c2", "c2", "c3", "cX"],
        "beneficiary_id": ["P1", "P2", "P3", "P4", "P1", "P5"],
        "sex": ["F", "M", "F", None, "M", "F"],
        "birth_year": pd.Series([2000, 1980, 1970, 1990, 1990, 1990], dtype="Int64"),
        "diploma_level": ["bac"] * 6,
        "hours": [100.0, 0.0, 50.0, 20.0, 30.0, 10.0],
        "start_date": pd.to_datetime(["2024-01-01"] * 6),
        "modality": ["embauche_directe", "mise_a_disposition", "sous_traitance_siae", "autre",
                     "embauche_directe", "embauche_directe"],
        "exit_outcome": ["emploi_durable", "formation", "emploi_durable", "emploi_durable", "en_cours",
                         "emploi_durable"],
    })


def test_h2_and_h3_tables_select_rows_by_the_registry_rules() -> None:
    contracts = pd.DataFrame({"uid": ["c1", "c2", "c3"], "sector": ["works", "services", "works"]})
    h2 = hyp.h2_table(_participations(), contracts)
    # cX is not a selected contract; c2's "autre" modality and c3's en_cours mission are left out
    assert h2["durable"].tolist() == [1, 0, 1]
    assert h2["via_structure"].tolist() == [0, 1, 1]
    assert h2["age_band"].tolist() == ["<26", "26-49", "50+"]  # 24, 44, 54 at the 2024 start
    h3 = hyp.h3_table(_participations(), contracts)
    # hours > 0 and a known sex: c1/F 100 h, c2/F 50 h, c3/M 30 h
    assert list(zip(h3["uid"], h3["female"], h3["hours"])) == [("c1", 1, 100.0), ("c2", 1, 50.0),
                                                              ("c3", 0, 30.0)]
    assert h3["beneficiary_id"].tolist() == ["P1", "P3", "P1"]
    assert h3["sector"].tolist() == ["works", "services", "works"]


def test_h4_table_keeps_planned_hours_of_contracts_with_an_amount() -> None:
    contracts = pd.DataFrame({"uid": ["a", "b", "c"], "buyer_siret": ["1" * 14] * 3,
                              "sector": ["works", "services", "works"], "amount": [1e5, 0.0, 2e5]})
    clauses = pd.DataFrame({"uid": ["a", "b", "c"], "planned_hours": [100.0, 50.0, 0.0]})
    assert hyp.h4_table(contracts, clauses)["uid"].tolist() == ["a"]


# --------------------------------------------------------------------------------------------------
# fits with a closed form
# --------------------------------------------------------------------------------------------------

def test_h3_estimate_is_the_log_odds_ratio_of_hours_weighted_shares() -> None:
    t = pd.DataFrame({
        "uid": ["w1", "w1", "w2", "s1", "s1", "s2", "p1"],
        "sector": ["works", "works", "works", "services", "services", "services", "supplies"],
        "female": [1, 0, 0, 1, 0, 1, 1],
        "hours": [10.0, 30.0, 10.0, 20.0, 20.0, 10.0, 5.0],
    })
    r = hyp.fit_h3(t)
    # works: women 10 h of 50 -> 0.2; services: 30 h of 50 -> 0.6
    # log OR = logit(0.2) − logit(0.6) = ln(0.25) − ln(1.5) = ln(1/6) = −1.791759
    assert r.estimate == pytest.approx(math.log(1 / 6), abs=1e-6)
    assert r.extra["women_hours_share_by_sector"]["works"] == pytest.approx(0.2)
    assert r.n == 7 and r.n_clusters == 5


def test_h3_weighted_rows_equal_the_binomial_glm_on_contract_hours() -> None:
    # The person-row fit with hours as var_weights, clustered by contract, must equal (estimate and
    # cluster-robust SE) a binomial GLM of (women's hours, men's hours) per contract with one
    # cluster per row: the per-contract scores are the same sums. This checks that statsmodels'
    # sandwich handles var_weights (it warns that it might not).
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(3)
    n = 400
    uid = rng.integers(0, 80, n)
    sector = np.where(uid % 3 == 0, "works", np.where(uid % 3 == 1, "services", "supplies"))
    t = pd.DataFrame({"uid": uid, "sector": sector, "female": rng.binomial(1, 0.3, n),
                      "hours": rng.gamma(2.0, 100.0, n)})
    r = hyp.fit_h3(t)  # no beneficiary_id: clusters = contracts
    t["w"] = t["hours"] * t["female"]
    t["m"] = t["hours"] * (1 - t["female"])
    agg = t.groupby(["uid", "sector"], as_index=False)[["w", "m"]].sum()
    ref = smf.glm("w + m ~ C(sector, Treatment('services'))", data=agg,
                  family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": agg["uid"].to_numpy(), "df_correction": True},
        use_t=True)
    name = "C(sector, Treatment('services'))[T.works]"
    assert r.estimate == pytest.approx(ref.params[name], abs=1e-8)
    lo, hi = ref.conf_int().loc[name]
    # Same sandwich; only the CR1 factor G/(G−1)·(N−1)/(N−K) differs through N (400 person rows vs
    # 79 contract rows — one of the 80 uids is never drawn —, K = 3 parameters, same G = 79 and t
    # df), so the half-widths differ by sqrt((399/397) / (78/76)) = 0.98960.
    assert len(agg) == 79
    ratio = (r.ci95[1] - r.ci95[0]) / (hi - lo)
    assert ratio == pytest.approx(math.sqrt((399 / 397) / (78 / 76)), abs=1e-6)


def test_h4_estimate_is_the_log_ratio_of_mean_hours_per_keur() -> None:
    t = pd.DataFrame({
        "sector": ["services", "services", "works", "works", "supplies", "supplies"],
        "amount": [100_000.0, 200_000.0, 100_000.0, 50_000.0, 100_000.0, 200_000.0],
        "planned_hours": [100.0, 300.0, 300.0, 50.0, 125.0, 250.0],
    })
    r = hyp.fit_h4(t)
    # hours per k€: services 1.0 and 1.5 (mean 1.25); works 3.0 and 1.0 (mean 2.0)
    # log ratio = ln(2.0 / 1.25) = 0.470004
    assert r.estimate == pytest.approx(math.log(2.0 / 1.25), abs=1e-6)
    assert r.extra["mean_hours_per_kEUR_by_sector"] == pytest.approx(
        {"services": 1.25, "supplies": 1.25, "works": 2.0})
    assert r.ratio == pytest.approx(1.6, abs=1e-6)


def test_fit_refuses_a_table_without_works() -> None:
    t = pd.DataFrame({"uid": ["a", "b"], "sector": ["services", "services"], "female": [1, 0],
                      "hours": [1.0, 2.0]})
    with pytest.raises(hyp.HypothesisDataError, match="H3.*works"):
        hyp.fit_h3(t)
    with pytest.raises(hyp.HypothesisDataError, match="H1.*lacks column.*reached"):
        hyp.fit_h1(t)


# --------------------------------------------------------------------------------------------------
# fits on simulated frames with a planted effect
# --------------------------------------------------------------------------------------------------

SECT = np.array(["services", "works", "supplies"])


def test_h1_recovers_planted_log_odds_ratio_with_buyer_intercepts() -> None:
    rng = np.random.default_rng(11)
    intercepts = np.array([0.5, 0.5, 0.3, 0.0, -0.5, -2.0, 0.5, 0.2, -1.0, 0.8])
    b = np.repeat(np.arange(10), 80)
    sector = rng.choice(SECT, len(b), p=[0.45, 0.35, 0.2])
    reached = rng.binomial(1, expit(intercepts[b] + 1.0 * (sector == "works")))
    t = pd.DataFrame({"buyer_siret": [f"{i:014d}" for i in b], "sector": sector, "reached": reached,
                      "amount": np.exp(rng.normal(12, 1, len(b))),
                      "duration_months": rng.integers(6, 48, len(b)).astype(float)})
    # a buyer whose contracts never reach: no within-buyer information, dropped
    extra = pd.DataFrame({"buyer_siret": ["99999999999999"] * 4, "sector": ["works", "services"] * 2,
                          "reached": 0, "amount": 1e5, "duration_months": 12.0})
    r = hyp.fit_h1(pd.concat([t, extra], ignore_index=True))
    assert r.extra["buyers_dropped_no_variation"] == 1
    assert r.n == 800 and r.n_clusters == 10
    assert r.covers(1.0) and r.ci95[0] > 0
    assert r.p_value < 0.05
    # 10 buyers < MIN_CLUSTERS = 30: the headline is the wider of the model-based and the
    # cluster-robust intervals (each end the farther one), p the larger of the two
    assert r.extra["covariance"] == "wider_of_model_based_and_cluster_robust"
    mb, cr = r.extra["model_based"], r.extra["cluster_robust"]
    assert r.ci95[0] == pytest.approx(min(mb["ci95"][0], cr["ci95"][0]))
    assert r.ci95[1] == pytest.approx(max(mb["ci95"][1], cr["ci95"][1]))
    assert r.p_value == pytest.approx(max(mb["p_value"], cr["p_value"]))
    assert "elapsed_fraction" not in r.extra["covariates"]  # not in this table
    # from min_clusters buyers on: the conditional logit with a cluster-robust sandwich; its
    # estimate is close to the buyer-dummy logit's with 80 contracts per buyer
    # (5 buyers x 40 contracts here: the exact conditional likelihood is slow in pure Python)
    small = t[t["buyer_siret"].isin([f"{i:014d}" for i in range(5)])].groupby("buyer_siret").head(40)
    r5 = hyp.fit_h1(small, min_clusters=5)
    assert r5.extra["covariance"] == "conditional_logit"
    dummies = hyp.fit_h1(small, min_clusters=99)
    assert r5.estimate == pytest.approx(dummies.estimate, abs=0.1)
    assert r5.n_clusters == 5 and r5.ci95[0] < r5.estimate < r5.ci95[1]


def test_h2_recovers_planted_log_odds_ratio() -> None:
    rng = np.random.default_rng(12)
    n = 1200
    via = rng.binomial(1, 0.5, n)
    sex = rng.choice(["F", "M"], n)
    band = rng.choice(["<26", "26-49", "50+"], n)
    dipl = rng.choice(["infra_bac", "bac", "superieur", "inconnu"], n)
    eta = -0.8 + 0.7 * via + 0.2 * (sex == "F") - 0.3 * (band == "50+") - 0.3 * (dipl == "infra_bac")
    t = pd.DataFrame({"uid": [f"c{i // 6}" for i in range(n)], "durable": rng.binomial(1, expit(eta)),
                      "via_structure": via, "sex": sex, "age_band": band, "diploma_level": dipl})
    r = hyp.fit_h2(t)
    assert r.covers(0.7) and r.ci95[0] > 0
    assert r.n_clusters == 200


def test_h3_recovers_planted_log_odds_ratio() -> None:
    rng = np.random.default_rng(13)
    sector_c = rng.choice(SECT, 200, p=[0.45, 0.35, 0.2])
    uid = np.repeat(np.arange(200), 6)
    p = pd.Series(sector_c[uid]).map({"works": 0.15, "services": 0.45, "supplies": 0.35})
    t = pd.DataFrame({"uid": uid, "sector": sector_c[uid], "female": rng.binomial(1, p),
                      "hours": rng.gamma(2.0, 150.0, len(uid))})
    r = hyp.fit_h3(t)
    planted = logit(0.15) - logit(0.45)  # = −1.534
    assert planted == pytest.approx(-1.5339, abs=1e-4)
    assert r.covers(planted) and r.ci95[1] < 0


def test_h4_does_not_reject_when_no_effect_is_planted() -> None:
    rng = np.random.default_rng(14)
    n = 300
    amount = np.exp(rng.normal(12.5, 1.0, n))
    t = pd.DataFrame({"sector": rng.choice(SECT, n), "amount": amount,
                      "planned_hours": amount / 1000 * np.exp(rng.normal(0.2, 0.5, n))})
    r = hyp.fit_h4(t)
    assert r.p_value >= 0.05 and r.covers(0.0)
    assert "supplies_vs_services" in r.extra


# --------------------------------------------------------------------------------------------------
# outputs
# --------------------------------------------------------------------------------------------------

def _small_results() -> dict[str, hyp.HypothesisResult]:
    t = pd.DataFrame({
        "sector": ["services", "services", "works", "works", "supplies", "supplies"],
        "amount": [100_000.0, 200_000.0, 100_000.0, 50_000.0, 100_000.0, 200_000.0],
        "planned_hours": [100.0, 300.0, 300.0, 50.0, 125.0, 250.0],
    })
    return {"H4": hyp.fit_h4(t)}  # 6 rows: below run_hypotheses' minimum, fitted directly


def test_json_is_rounded_and_deterministic(tmp_path) -> None:
    res = _small_results()
    p1 = hyp.write_json(res, tmp_path / "a.json")
    p2 = hyp.write_json(_small_results(), tmp_path / "b.json")
    assert p1.read_bytes() == p2.read_bytes()
    h4 = json.loads(p1.read_text())["hypotheses"]["H4"]
    assert h4["estimate"] == round(math.log(1.6), 4) == 0.47
    assert set(h4) >= {"estimate", "ci95", "p_value", "n", "conclusion", "ratio", "ratio_ci95"}
    assert h4["conclusion"].startswith(("Supported", "Not supported"))
    # p-values, nested ones too, keep 4 significant digits instead of 4 decimals
    raw = res["H4"].extra["p_works_vs_services"]
    assert h4["extra"]["p_works_vs_services"] == float(f"{raw:.4g}")


def test_run_hypotheses_rejects_unknown_names_and_forest_plot_draws_each() -> None:
    with pytest.raises(ValueError, match="H9"):
        hyp.run_hypotheses({}, "H9")
    fig = hyp.forest_plot(_small_results(), planted={"H4": 0.0})
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 1 and labels[0].startswith("H4")
    plt.close(fig)


def test_tables_respect_the_cut_off_date() -> None:
    contracts = pd.DataFrame({"uid": ["c1", "c2", "c3"], "sector": ["works", "services", "works"]})
    p = _participations()
    p["end_date"] = pd.to_datetime(["2024-06-30", "2025-03-01", "2024-02-01", None, None, None])
    as_of = pd.Timestamp("2024-12-31")
    # c1's second mission ends after the cut-off: not yet an exit at as_of
    assert hyp.h2_table(p, contracts, as_of)["durable"].tolist() == [1, 1]
    p.loc[4, "start_date"] = pd.Timestamp("2025-01-02")  # c3's mission starts after the cut-off
    assert hyp.h3_table(p, contracts, as_of)["uid"].tolist() == ["c1", "c2"]


def test_pooled_years_default_and_refusal() -> None:
    from helpers.dataset import Dataset
    from helpers.params import make_params

    ds = Dataset()
    ds.contracts = pd.DataFrame({"notification_date": pd.to_datetime(
        ["2022-05-01", "2023-05-01", "2025-01-10"])})
    assert hyp.pooled_years(ds, make_params({"year": 2024})) == [2022, 2023]
    assert hyp.pooled_years(ds, make_params({"year": 2025}), [2025, 2023, 2023]) == [2023, 2025]
    with pytest.raises(ValueError, match=r"years \[2025\] are after year 2024"):
        hyp.pooled_years(ds, make_params({"year": 2024}), [2024, 2025])


def test_demo_planted_values_match_the_generator() -> None:
    from helpers import demo

    # H3: logit(0.15) − logit(0.45) = ln(0.15/0.85) − ln(0.45/0.55) = −1.734601 + 0.200671 = −1.533930
    assert hyp.DEMO_PLANTED["H3"] == pytest.approx(-1.533930, abs=1e-6)
    p = demo.H3_P_WOMAN
    assert hyp.DEMO_PLANTED == pytest.approx({
        "H1": demo.H1_WORKS_LOG_OR, "H2": demo.H2_VIA_STRUCTURE_LOG_OR,
        "H3": logit(p["works"]) - logit(p["services"]), "H4": 0.0})


def test_describe_reports_interval_p_n_and_conclusion() -> None:
    text = hyp.describe(_small_results()["H4"])
    # ln(1.6) = 0.470004 (see test_h4_estimate_is_the_log_ratio_of_mean_hours_per_keur)
    assert "**0.470**" in text and "n = 6" in text
    assert text.splitlines()[-1] == _small_results()["H4"].conclusion
    assert "services 1.25" in text and "works 2.00" in text


# --------------------------------------------------------------------------------------------------
# the demo data: planted effects recovered (data/demo/README.md, "Planted effects")
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_results(demo_dir) -> dict[str, hyp.HypothesisResult]:
    import warnings

    from helpers.loader import load_data_dir
    from helpers.params import make_params

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = load_data_dir(demo_dir)
        params = make_params({"year": 2025, "data_dir": str(demo_dir)})
        return hyp.run_hypotheses(hyp.build_tables(dataset, params))  # no bootstrap: fast


@pytest.mark.parametrize("hid", ["H1", "H2", "H3"])
def test_demo_planted_effect_is_covered_and_nonzero(demo_results, hid: str) -> None:
    r = demo_results[hid]
    planted = hyp.DEMO_PLANTED[hid]  # 1.0, 0.7, logit(0.15) − logit(0.45) = −1.534
    assert r.covers(planted), (hid, r.estimate, r.ci95)
    assert not r.covers(0.0) and r.p_value < 0.05


def test_demo_h4_is_not_rejected(demo_results) -> None:
    r = demo_results["H4"]
    assert r.p_value >= 0.05 and r.covers(0.0)


def test_conclusions_follow_significance_and_direction() -> None:
    # H3 predicts a negative effect: significant negative -> supported; significant positive ->
    # opposite; p >= alpha -> not supported.
    assert hyp._conclusion("H3", -1.5, -1.8, -1.2, 0.001, 0.05).startswith("Supported at 5%: women's")
    assert hyp._conclusion("H3", 0.5, 0.2, 0.8, 0.001, 0.05).startswith("Opposite of the hypothesis")
    assert hyp._conclusion("H1", 0.5, -0.1, 1.1, 0.2, 0.05).startswith("Not supported at 5%")
    # exp(0.5) = 1.65, exp(-0.1) = 0.90, exp(1.1) = 3.00
    assert "odds ratio 1.65, 95 % CI 0.90-3.00, p = 0.2" in hyp._conclusion("H1", 0.5, -0.1, 1.1, 0.2, 0.05)
    assert hyp._conclusion("H4", -0.2, -0.3, -0.1, 0.01, 0.05).startswith("Supported at 5%: planned")


def test_simulate_cli_light_mode_writes_coverage_json(tmp_path, capsys) -> None:
    from helpers import simulate

    out = tmp_path / "sim.json"
    assert simulate.main(["--mode", "light", "--draws", "3", "--seed", "7", "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert json.loads(out.read_text()) == printed
    assert printed["draws"] == 3 and printed["mode"] == "light"
    for h in hyp.HYPOTHESES:
        cov = printed["hypotheses"][h]["coverage95"]
        assert printed["hypotheses"][h]["fits"] == 3 and cov in (0.0, 0.3333, 0.6667, 1.0)
    assert simulate.main(["--mode", "light", "--draws", "1"]) == 2  # at least 2 draws


# --------------------------------------------------------------------------------------------------
# few clusters, not estimable, H2 sensitivity, H4 by buyer
# --------------------------------------------------------------------------------------------------

def test_webb_weights_enumerate_and_score_bootstrap_known_answers() -> None:
    w = hyp.webb_weights(2)
    # all 6² = 36 pairs; each column takes each of the 6 values 6 times: mean 0, variance
    # (2·0.5 + 2·1 + 2·1.5) / 6 = 1
    assert w.shape == (36, 2)
    assert w.mean(axis=0) == pytest.approx([0, 0], abs=1e-12)
    assert (w ** 2).mean(axis=0) == pytest.approx([1, 1])
    # equal cluster sums (c, c): |T| = 2c / sqrt(2c²) = √2, reached only when w1 = w2
    # (Cauchy-Schwarz), 6 pairs of 36 -> p = 1/6
    assert hyp.wild_score_pvalue(np.array([2.0, 2.0]), w) == pytest.approx(1 / 6)
    # one cluster carries the whole score: |T*| = |w1 c| / sqrt(w1² c²) = 1 = |T| always -> p = 1
    assert hyp.wild_score_pvalue(np.array([3.0, 0.0]), w) == 1.0
    # opposite sums: T = 0 -> p = 1; no score at all -> p = 1
    assert hyp.wild_score_pvalue(np.array([1.0, -1.0]), w) == 1.0
    assert hyp.wild_score_pvalue(np.zeros(2), w) == 1.0
    # beyond 6 clusters the weights are drawn (seeded): 9 999 draws
    assert hyp.webb_weights(7).shape == (hyp.BOOTSTRAP_DRAWS, 7)


def _h1_buyer(siret: str, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 60
    sector = np.array(["services", "works"] * (n // 2))
    return pd.DataFrame({"buyer_siret": siret, "sector": sector,
                         "reached": rng.binomial(1, expit(-0.2 + 1.0 * (sector == "works"))),
                         "amount": np.exp(rng.normal(12, 1, n)),
                         "duration_months": rng.integers(6, 48, n).astype(float)})


def test_wild_bootstrap_with_two_identical_buyers_cannot_reject() -> None:
    # Two buyers with the SAME contracts: by symmetry their efficient-score sums are equal at every
    # restricted value β0, so the bootstrap p-value is 1/6 (see above) everywhere: the interval is
    # the whole line. Two clusters cannot support a 5 % test, and the bootstrap says so.
    t = pd.concat([_h1_buyer("1" * 14), _h1_buyer("2" * 14)], ignore_index=True)
    r = hyp.fit_h1(t, bootstrap=True)
    wb = r.extra["wild_bootstrap"]
    assert wb["p_value"] == pytest.approx(1 / 6)
    assert wb["ci95"] == [-math.inf, math.inf] and wb["draws"] == 36
    assert r.n_clusters == 2


def test_single_buyer_and_thin_tables_are_not_estimable_without_exception(tmp_path) -> None:
    one = _h1_buyer("1" * 14)
    tiny = one.head(10)
    flat = one.assign(reached=0)
    res = hyp.run_hypotheses({"H1": one, "H2": pd.DataFrame(), "H3": tiny.assign(uid="u", female=1,
                                                                                hours=1.0),
                              "H4": one.assign(planned_hours=10.0)})
    assert [r.estimable for r in res.values()] == [False] * 4
    assert res["H1"].reason.startswith("a single buyer")
    assert res["H2"].reason == "no row in its analysis table"
    assert res["H3"].reason == "only 10 rows in its analysis table (at least 20 needed)"
    assert res["H4"].reason.startswith("a single buyer")
    assert "does not vary" in hyp.run_hypotheses({"H1": flat}, "H1")["H1"].reason
    # one compared group too small: 2 works rows among 22
    few = pd.concat([_h1_buyer("1" * 14).query("sector == 'services'").head(20),
                     _h1_buyer("1" * 14).query("sector == 'works'").head(2)])
    assert "works (2)" in hyp.estimability("H1", few)
    # the outputs take them: JSON null, "not estimable" in the text, table and plot
    h1 = res["H1"]
    assert not h1.covers(0.0) and h1.conclusion.startswith("Not estimable on these data: a single")
    data = json.loads(hyp.write_json(res, tmp_path / "h.json").read_text())
    assert data["hypotheses"]["H1"]["estimate"] is None and data["hypotheses"]["H1"]["estimable"] is False
    assert "Not estimable" in hyp.describe(h1)
    assert hyp.results_frame(res)["estimable"].tolist() == [False] * 4
    plt.close(hyp.forest_plot(res))


def test_h1_table_elapsed_fraction() -> None:
    status = pd.DataFrame({
        "uid": ["u1", "u2", "u3"], "buyer_siret": ["1" * 14] * 3, "sector": ["works"] * 3,
        "amount": [1e5] * 3, "duration_months": [24.0, 6.0, None], "clause": [True] * 3,
        "planned_hours": [100.0] * 3, "months_elapsed": [6.0, 12.0, 3.0],
        "expected_hours": [25.0, 100.0, 100.0], "realized_hours": [25.0, 100.0, 0.0]})
    # 6 / 24 = 0.25; 12 / 6 = 2 -> clipped to 1; no duration -> fully due, 1
    assert hyp.h1_table(status, 0.8)["elapsed_fraction"].tolist() == [0.25, 1.0, 1.0]


def test_h2_log_odds_ratio_by_hand_and_sensitivity_without_unknown_exits() -> None:
    # 40 missions, one person each, 2 per contract; controls constant (left out of the model):
    # structure: 12 durable / 8 not (2 of them "inconnu"); direct: 6 durable / 14 not (4 "inconnu")
    # log OR = ln((12/8) / (6/14)) = ln(3.5) = 1.252763
    # without "inconnu": structure 12/6, direct 6/10 -> ln((12/6)/(6/10)) = ln(10/3) = 1.203973
    via = [1] * 20 + [0] * 20
    durable = [1] * 12 + [0] * 8 + [1] * 6 + [0] * 14
    exits = (["emploi_durable"] * 12 + ["inconnu"] * 2 + ["autre"] * 6
             + ["emploi_durable"] * 6 + ["inconnu"] * 4 + ["formation"] * 10)
    t = pd.DataFrame({"uid": [f"c{i // 2}" for i in range(40)], "durable": durable,
                      "via_structure": via, "sex": "F", "age_band": "26-49", "diploma_level": "bac",
                      "exit_outcome": exits, "beneficiary_id": [f"P{i}" for i in range(40)]})
    r = hyp.fit_h2(t)
    assert r.estimate == pytest.approx(math.log(3.5), abs=1e-6)
    sens = r.extra["without_unknown_exits"]
    assert sens["estimate"] == pytest.approx(math.log(10 / 3), abs=1e-6) and sens["n"] == 34
    assert r.extra["unknown_exits"] == 6 and r.extra["persons"] == 40
    assert "two-way" in r.model


def test_h4_clusters_by_buyer_same_estimate() -> None:
    rng = np.random.default_rng(21)
    n = 120
    amount = np.exp(rng.normal(12.5, 1.0, n))
    t = pd.DataFrame({"sector": np.tile(["services", "works", "supplies"], n // 3), "amount": amount,
                      "planned_hours": amount / 1000 * np.exp(rng.normal(0.2, 0.5, n)),
                      "buyer_siret": np.repeat([f"{i:014d}" for i in range(8)], n // 8)})
    r = hyp.fit_h4(t)
    r0 = hyp.fit_h4(t.drop(columns="buyer_siret"))
    assert r.n_clusters == 8 and r0.n_clusters is None
    assert r.estimate == pytest.approx(r0.estimate)  # same point estimate, other covariance
    assert r.extra["contract_robust_hc1"]["ci95"] == pytest.approx(list(r0.ci95))
    assert "cluster-robust SE by buyer" in r.model
    with pytest.raises(hyp.HypothesisDataError, match="single buyer"):
        hyp.fit_h4(t.assign(buyer_siret="1" * 14))


def test_simulate_scenarios_smoke_and_returners(tmp_path, capsys) -> None:
    from helpers import simulate

    # 12 missions, 25 % returners on 3 missions: P·0.75 + P·0.25·3 = 12 -> P = 8 people,
    # 2 returners (6 missions) and 6 people with one mission each
    ids = simulate._persons(np.random.default_rng(0), 12, 0.25)
    counts = sorted(pd.Series(ids).value_counts().tolist())
    assert counts == [1] * 6 + [3, 3]
    md = tmp_path / "sim.md"
    assert simulate.main(["--draws", "2", "--scenario", "returners", "--markdown", str(md)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mode"] == "scenarios" and list(out["scenarios"]) == ["returners"]
    rows = out["coverage"]
    assert {(r["hypothesis"], r["interval"]) for r in rows} == {
        (h, lab) for h, lab, _ in simulate.INTERVALS}
    assert all(r["fits"] + r["failed"] == 2 for r in rows if r["hypothesis"] != "H2"
               or r["interval"].startswith("headline"))
    text = md.read_text()
    assert text.startswith("| hypothesis | interval | returners |") and text.count("\n") == 2 + 10


# --------------------------------------------------------------------------------------------------
# pre-registration record
# --------------------------------------------------------------------------------------------------

def test_preregistration_record_is_consistent(project_root) -> None:
    # docs/preregistration.md must hash to docs/preregistration.json's sha256; a change to the
    # protocol needs a dated entry in docs/preregistration_amendments.md with the new hash
    assert hyp.preregistration_problems(project_root) == []
    text = (project_root / "docs" / "preregistration.md").read_text(encoding="utf-8")
    assert "2026-11-29" in text
    # protocol only: no estimate of the demo results appears in it
    assert "0.917" not in text and "covered, ≠ 0" not in text


def test_preregistration_check_catches_an_unrecorded_change(tmp_path, project_root) -> None:
    import shutil

    (tmp_path / "docs").mkdir()
    for name in ("preregistration.md", "preregistration.json", "preregistration_amendments.md"):
        shutil.copy(project_root / "docs" / name, tmp_path / "docs" / name)
    protocol = tmp_path / "docs" / "preregistration.md"
    assert hyp.preregistration_problems(tmp_path) == []
    # CRLF line ends hash like LF ones
    protocol.write_bytes(protocol.read_bytes().replace(b"\n", b"\r\n"))
    assert hyp.preregistration_problems(tmp_path) == []
    # a one-word change without an amendment: refused
    text = protocol.read_text(encoding="utf-8")
    assert "fewer than 20 rows" in text
    protocol.write_text(text.replace("fewer than 20 rows", "fewer than 15 rows"), encoding="utf-8")
    problems = hyp.preregistration_problems(tmp_path)
    assert problems and "changed" in problems[0] and "preregistration_amendments.md" in problems[0]
    # recorded in the JSON only: still refused (the log lacks it)
    new = hyp.protocol_sha256(protocol)
    record_path = tmp_path / "docs" / "preregistration.json"
    record = json.loads(record_path.read_text())
    record["sha256"] = new
    record["amendments"].append({"date": "2026-12-01", "sha256": new, "summary": "test change"})
    record_path.write_text(json.dumps(record))
    assert any("is not in" in p for p in hyp.preregistration_problems(tmp_path))
    # dated and explained in the log with the new hash: accepted
    log = tmp_path / "docs" / "preregistration_amendments.md"
    log.write_text(log.read_text() + f"\n### 2026-12-01 — test change\n\nSHA-256 {new}.\n")
    assert hyp.preregistration_problems(tmp_path) == []


# --------------------------------------------------------------------------------------------------
# display in the reader's language
# --------------------------------------------------------------------------------------------------

def _result(hid: str, est: float, lo: float, hi: float, p: float, n: int = 100,
            clusters: int | None = 8) -> hyp.HypothesisResult:
    return hyp.HypothesisResult(id=hid, question=hyp.QUESTIONS[hid], effect=hyp.EFFECTS[hid],
                                model="m", estimate=est, ci95=(lo, hi), p_value=p, n=n,
                                n_clusters=clusters, conclusion="c")


def test_outcome_follows_the_sign_the_hypothesis_predicts() -> None:
    assert hyp.outcome(_result("H1", 1.0, 0.5, 1.5, 0.001)) == "supported"
    assert hyp.outcome(_result("H1", -1.0, -1.5, -0.5, 0.001)) == "opposite"
    assert hyp.outcome(_result("H3", -1.0, -1.5, -0.5, 0.001)) == "supported"  # H3 predicts < 0
    assert hyp.outcome(_result("H4", -0.3, -0.5, -0.1, 0.01)) == "supported"   # two-sided
    assert hyp.outcome(_result("H1", 1.0, -0.1, 2.1, 0.06)) == "not_supported"
    assert hyp.outcome(_result("H1", 1.0, -0.1, 2.1, 0.06), alpha=0.10) == "supported"
    assert hyp.outcome(hyp.not_estimable("H2", "no row in its analysis table")) == "not_estimable"


def test_result_sentence_in_french_and_english() -> None:
    # log OR ln 2 = 0.693147 -> odds ratio 2.00; interval exp(0.405465) = 1.50, exp(0.980829) = 2.67
    r = _result("H1", math.log(2), math.log(1.5), 0.980829, 0.00001, n=1234, clusters=8)
    fr = hyp.result_sentence(r)
    assert fr == ("**Hypothèse confirmée** au seuil de 5\u00a0% : les marchés de travaux atteignent "
                  "leurs heures attendues plus souvent que ceux de services (rapport de cotes 2,00, "
                  "intervalle à 95\u00a0% [1,50\u202f; 2,67], p < 0,0001 ; 1\u202f234 marchés, "
                  "8 acheteurs).")
    assert hyp.question("H4", "en") == "Do planned insertion hours per €1,000 differ between sectors?"
    en = hyp.result_sentence(r, lang="en")
    assert "odds ratio 2.00, 95% interval [1.50, 2.67], p < 0.0001; 1,234 contracts, 8 buyers" in en
    # H4 is a ratio of means; H2 counts pathways and no buyers
    assert "rapport des moyennes 1,00" in hyp.result_sentence(_result("H4", 0.0, -0.1, 0.1, 0.5))
    h2 = hyp.result_sentence(_result("H2", 0.7, 0.5, 0.9, 0.001, n=50, clusters=40))
    assert h2.endswith("(rapport de cotes 2,01, intervalle à 95\u00a0% [1,65\u202f; 2,46], "
                       "p = 0,001 ; 50 parcours).")  # exp(0.7) = 2.0138, exp(0.5) = 1.6487, exp(0.9) = 2.4596


def test_not_estimable_reasons_in_french() -> None:
    r = hyp.not_estimable("H3", "only 10 rows in its analysis table (at least 20 needed)", n=10)
    assert hyp.result_sentence(r) == ("**Non estimable** : seulement 10 observations, il en faut "
                                      "au moins 20 (10 missions disponibles).")
    assert hyp.reason_text("too few rows in the compared group(s) works (2); at least 5 each "
                           "needed") == ("trop peu d'observations dans le ou les groupes comparés "
                                         "(travaux (2)) ; il en faut au moins 5 par groupe")
    assert hyp.reason_text("a single buyer: the interval is clustered by buyer").startswith(
        "un seul acheteur utilisable")
    assert hyp.reason_text("the outcome 'reached' does not vary (all 0)").startswith(
        "le résultat étudié est le même")
    # an unknown reason: a general French sentence, never the English text
    assert hyp.reason_text("something new") == "les données ne permettent pas d'ajuster le modèle"
    assert hyp.reason_text("something new", "en") == "something new"
    # every reason run_hypotheses gives on bad tables has its own French wording
    one = _h1_buyer("1" * 14)
    res = hyp.run_hypotheses({"H1": one, "H2": pd.DataFrame(), "H3": one.head(10)}, ["H1", "H2", "H3"])
    for r in res.values():
        assert hyp.reason_text(r.reason) != "les données ne permettent pas d'ajuster le modèle", r.reason
    table = hyp.summary_table(res)
    assert table.loc["H2", "Conclusion"] == "Non estimable : aucune donnée ne se prête à cette analyse"
    assert table.loc["H2", "Rapport [intervalle à 95 %]"] == "—"


def test_summary_table_and_observed_shares_in_french() -> None:
    res = _small_results()
    t = hyp.summary_table(res)
    # ln 1.6 -> ratio 1.60 (see test_h4_estimate_is_the_log_ratio_of_mean_hours_per_keur)
    assert t.loc["H4", "Rapport [intervalle à 95 %]"].startswith("1,60 [")
    assert t.loc["H4", "Effet mesuré"] == "heures prévues pour 1\u202f000\u00a0€, travaux / services"
    assert t.loc["H4", "Observations"] == "6"
    text = hyp.report_text(res["H4"])
    assert "**Hypothèse" in text and " :" not in text and " ;" not in text  # French spaces
    # services: (100/100 + 300/200)/2 = 1.25, works: (300/100 + 50/50)/2 = 2.00 hours per 1 000 €
    assert "services 1,25" in text and "travaux 2,00" in text


def test_power_display_and_example_are_computed_exactly() -> None:
    t = hyp.power_display(0.30, 0.05)
    # n = 10: k_crit = 0 (0.7^10 = 0.028 < 0.05 ≤ P(≤1) = 0.149); power at 10 % = 0.9^10 = 0.349
    assert t.loc["10", "Part réelle 10\u00a0%"] == "35\u00a0%"
    # n = 20: P(Bin(20, .3) ≤ 2) = 0.0355 < 0.05 ≤ P(≤ 3) = 0.1071, so k_crit = 2; at 15 %:
    # 0.85^20 + 20·0.15·0.85^19 + 190·0.15²·0.85^18 = 0.038760 + 0.136798 + 0.229338 = 0.404896
    assert t.loc["20", "Part réelle 15\u00a0%"] == "40\u00a0%"
    assert t.index.name == "Marchés suivis" and len(t) == 4 and len(t.columns) == 4
    ex = hyp.power_example(20, 0.15, 0.30, 0.05)
    # 0.404896 -> 4 times in 10; the test can conclude from 9 contracts (0.7^9 = 0.040 < 0.05)
    assert ex == {"n": "20", "share": "15\u00a0%", "times": "4", "power": "40\u00a0%",
                  "smallest": "9", "target": "30\u00a0%", "alpha": "5\u00a0%"}


def _prereg(root, protocol: str, registered_hash: str, amendments: list, log: str = "") -> None:
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "preregistration.md").write_text(protocol, encoding="utf-8")
    current = hyp.protocol_sha256(root / "docs" / "preregistration.md")
    (root / "docs" / "preregistration.json").write_text(json.dumps({
        "registered": "2026-11-29", "sha256_registered": registered_hash, "sha256": current,
        "amendments": amendments}), encoding="utf-8")
    (root / "docs" / "preregistration_amendments.md").write_text(log, encoding="utf-8")


def test_preregistration_status_unchanged_amended_or_problem(tmp_path) -> None:
    import hashlib

    text = "Protocol registered 2026-11-29.\n"
    h0 = hashlib.sha256(text.encode()).hexdigest()
    _prereg(tmp_path, text, h0, [])
    st = hyp.preregistration_status(tmp_path)
    assert (st["state"], st["registered"], st["amendments"]) == ("unchanged", "2026-11-29", 0)
    # amended: the protocol changed and the change is recorded in the record and the log
    text2 = text + "H5 dropped.\n"
    h1 = hashlib.sha256(text2.encode()).hexdigest()
    _prereg(tmp_path, text2, h0, [{"date": "2026-12-01", "sha256": h1, "summary": "H5 dropped"}],
            log=f"2026-12-01 {h1} H5 dropped")
    st = hyp.preregistration_status(tmp_path)
    assert (st["state"], st["amendments"], st["last_amendment"]) == ("amended", 1, "2026-12-01")
    # problem: the protocol was edited after the record was written
    (tmp_path / "docs" / "preregistration.md").write_text(text2 + "edit\n", encoding="utf-8")
    st = hyp.preregistration_status(tmp_path)
    assert st["state"] == "problem" and st["problems"]


def test_forest_plot_takes_french_texts_and_keeps_no_break_spaces() -> None:
    from matplotlib.text import Text

    from helpers import texts_research as tr

    res = {**_small_results(), "H2": hyp.not_estimable("H2", "no row in its analysis table")}
    fig = hyp.forest_plot(res, planted={"H4": 0.0}, labels=hyp.labels("fr"),
                          **tr.figure_texts("forest", "fr"))
    fig.canvas.draw()
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == "H4 : heures prévues pour\n1\u202f000\u00a0€, travaux / services"
    assert ticks[1].startswith("H2 : emploi durable")
    assert "non estimable" in [t.get_text() for t in ax.texts]
    assert ax.get_xlabel() == "Effet (logarithme du rapport ; 0 = pas d'effet)"
    assert any("," in t.get_text() or t.get_text() == "0" for t in ax.get_xticklabels())
    shown = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert all(t.get_fontsize() >= 9 for t in shown)
    plt.close(fig)
