"""Seeded coverage simulation of the hypotheses' 95 % intervals (``python -m helpers simulate``).

Three modes, all seeded and deterministic:

* ``scenarios`` (default) — misspecified data-generating processes (:data:`SCENARIOS`: the
  models' own assumptions; a works / structure effect that varies by buyer with sd 0.5; buyer-year
  shocks; unequal buyer sizes; people returning on several missions; buyers sizing their clauses at
  their own level with different sector mixes), each over ``draws`` replications, and the coverage
  of EVERY interval a result carries (:data:`INTERVALS`: the headline and each sensitivity). The
  table is kept in ``docs/simulation.md``. About 0.5 s a draw of the four fits.
* ``demo`` — the real thing: each draw regenerates a whole demo dataset with
  :func:`helpers.demo.write` and a different seed, loads it with :func:`helpers.loader.load_data_dir`,
  builds the analysis tables with :func:`helpers.hypotheses.build_tables` (contract status from
  :mod:`helpers.indicators`) and fits H1-H4. It checks the whole pipeline, at the demo's sample sizes
  (≈ 4 s a draw).
* ``light`` — a light-weight simulator draws the four analysis tables directly with the same
  mechanism (fast; useful to study the estimators alone).

Per hypothesis it reports how often the 95 % interval covers the planted value, how often the test
rejects at 5 % (power for H1-H3; size for H4, where nothing is planted) and the mean and standard
deviation of the estimates. For H1 it also reports the coverage of both the cluster-robust and the
model-based intervals of the fixed-effects model (``extra["cluster_robust"]``, ``extra["model_based"]``;
the primary one depends on the number of buyers, see :func:`helpers.hypotheses.fit_h1`).

Planted mechanism (``data/demo/README.md``, "Planted effects"; constants of :mod:`helpers.demo`):
  H1  P(on track) = expit(a_buyer + 1.0 × works), buyer intercepts métropole/honest ≈ +0.5,
      washer −2.0;
  H2  P(emploi_durable | ended) = expit(−0.8 + 0.7 × structure + sex, age band, diploma effects);
  H3  P(F | works) = 0.15, P(F | services) = 0.45, P(F | supplies) = 0.35, hours independent of sex;
  H4  planned hours per 1 000 € from one log-normal law in every sector (no effect).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from . import hypotheses as hyp

PLANTED: dict[str, float] = dict(hyp.DEMO_PLANTED)

H1_BUYER_INTERCEPTS: tuple[float, ...] = (0.5, 0.5, 0.5, -2.0, 0.0)
SECTOR_PROBS: tuple[float, float, float] = (0.45, 0.35, 0.20)  # services, works, supplies
H3_P_FEMALE: dict[str, float] = {"works": 0.15, "services": 0.45, "supplies": 0.35}


def _sectors(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(np.array(hyp.SECTORS), size=n, p=SECTOR_PROBS)


def draw_h1(rng: np.random.Generator, contracts_per_buyer: int = 40,
            intercepts: tuple[float, ...] = H1_BUYER_INTERCEPTS, log_or: float = 1.0) -> pd.DataFrame:
    """H1 table: buyer intercepts + ``log_or`` × works; amount and duration have no effect."""
    n = contracts_per_buyer * len(intercepts)
    buyer = np.repeat(np.arange(len(intercepts)), contracts_per_buyer)
    sector = _sectors(rng, n)
    eta = np.asarray(intercepts)[buyer] + log_or * (sector == "works")
    return pd.DataFrame({
        "buyer_siret": [f"{21000000000000 + b:014d}" for b in buyer],
        "sector": sector,
        "reached": rng.binomial(1, expit(eta)),
        "amount": np.exp(rng.normal(np.log(400_000), 1.0, n)),
        "duration_months": rng.integers(6, 49, n).astype(float),
    })


def draw_h2(rng: np.random.Generator, n_contracts: int = 150, missions_per_contract: int = 5,
            log_or: float = 0.7, b0: float = -0.8) -> pd.DataFrame:
    """H2 table: P(durable) = expit(b0 + log_or × structure + sex/age/diploma effects)."""
    n = n_contracts * missions_per_contract
    uid = np.repeat(np.arange(n_contracts), missions_per_contract)
    via = rng.binomial(1, 0.5, n)
    sex = rng.choice(np.array(["F", "M"]), n)
    band = rng.choice(np.array(["<26", "26-49", "50+"]), n, p=[0.3, 0.5, 0.2])
    dipl = rng.choice(np.array(["infra_bac", "bac", "superieur", "inconnu"]), n, p=[0.5, 0.3, 0.1, 0.1])
    eta = (b0 + log_or * via + 0.1 * (sex == "F") - 0.2 * (band == "<26") - 0.3 * (band == "50+")
           - 0.3 * (dipl == "infra_bac") + 0.3 * (dipl == "superieur"))
    return pd.DataFrame({"uid": [f"c{u:05d}" for u in uid], "durable": rng.binomial(1, expit(eta)),
                         "via_structure": via, "sex": sex, "age_band": band, "diploma_level": dipl})


def draw_h3(rng: np.random.Generator, n_contracts: int = 150, persons_per_contract: int = 8) -> pd.DataFrame:
    """H3 table: sex drawn with the sector's P(F); hours independent of sex."""
    sector_c = _sectors(rng, n_contracts)
    uid = np.repeat(np.arange(n_contracts), persons_per_contract)
    sector = sector_c[uid]
    p = pd.Series(sector).map(H3_P_FEMALE).to_numpy()
    return pd.DataFrame({"uid": [f"c{u:05d}" for u in uid], "sector": sector,
                         "female": rng.binomial(1, p), "hours": rng.gamma(2.0, 170.0, len(uid))})


def draw_h4(rng: np.random.Generator, n_contracts: int = 200) -> pd.DataFrame:
    """H4 table: the same hours-per-1000 € distribution in every sector."""
    amount = np.exp(rng.normal(np.log(400_000), 1.0, n_contracts))
    rate = np.exp(rng.normal(np.log(1.2), 0.5, n_contracts))
    return pd.DataFrame({"sector": _sectors(rng, n_contracts), "amount": amount,
                         "planned_hours": amount / 1000.0 * rate})


DRAWERS = {"H1": draw_h1, "H2": draw_h2, "H3": draw_h3, "H4": draw_h4}


def _light_draws(draws: int, seed: int) -> Iterator[dict[str, pd.DataFrame]]:
    rng = np.random.default_rng(seed)
    for _ in range(draws):
        yield {h: DRAWERS[h](rng) for h in hyp.HYPOTHESES}


def _demo_draws(draws: int, seed: int) -> Iterator[dict[str, pd.DataFrame]]:
    from . import demo
    from .loader import load_data_dir
    from .params import make_params

    for i in range(draws):
        with tempfile.TemporaryDirectory(prefix="sca-simulate-") as tmp:
            demo.write(Path(tmp), seed=seed + i)
            dataset = load_data_dir(tmp)
            params = make_params({"year": max(demo.YEARS), "data_dir": tmp})
            yield hyp.build_tables(dataset, params)


def demo_planted() -> dict[str, float]:
    """The planted values as the demo generator defines them."""
    from . import demo

    p = demo.H3_P_WOMAN
    return {"H1": float(demo.H1_WORKS_LOG_OR), "H2": float(demo.H2_VIA_STRUCTURE_LOG_OR),
            "H3": float(logit(p["works"]) - logit(p["services"])), "H4": 0.0}


def coverage(draws: int = 50, seed: int = 20240101, mode: str = "demo",
             progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Run ``draws`` replications (see the module docstring); failed fits are counted and skipped."""
    if mode not in ("demo", "light"):
        raise ValueError("mode must be 'demo' or 'light'")
    planted = demo_planted() if mode == "demo" else PLANTED
    source = _demo_draws(draws, seed) if mode == "demo" else _light_draws(draws, seed)
    est: dict[str, list[float]] = {h: [] for h in hyp.HYPOTHESES}
    covered = dict.fromkeys(hyp.HYPOTHESES, 0)
    rejected = dict.fromkeys(hyp.HYPOTHESES, 0)
    failed = dict.fromkeys(hyp.HYPOTHESES, 0)
    h1_covered = {"cluster_robust": 0, "model_based": 0}
    for i, tables in enumerate(source):
        for h in hyp.HYPOTHESES:
            try:
                r = hyp.FITTERS[h](tables[h])
            except (hyp.HypothesisDataError, np.linalg.LinAlgError, ValueError):
                failed[h] += 1
                continue
            est[h].append(r.estimate)
            covered[h] += r.covers(planted[h])
            rejected[h] += r.p_value < 0.05
            if h == "H1":
                for kind in h1_covered:
                    lo, hi = r.extra[kind]["ci95"]
                    h1_covered[kind] += lo <= planted[h] <= hi
        if progress:
            progress(i + 1)
    out: dict[str, Any] = {"mode": mode, "draws": draws, "seed": seed,
                           "planted": {k: round(v, 4) for k, v in planted.items()}, "hypotheses": {}}
    for h in hyp.HYPOTHESES:
        ok = len(est[h])
        out["hypotheses"][h] = {
            "fits": ok, "failed": failed[h],
            "coverage95": round(covered[h] / ok, 4) if ok else None,
            "rejection_rate_5pct": round(rejected[h] / ok, 4) if ok else None,
            "mean_estimate": round(float(np.mean(est[h])), 4) if ok else None,
            "sd_estimate": round(float(np.std(est[h], ddof=1)), 4) if ok > 1 else None,
        }
    ok1 = len(est["H1"])
    for kind, n in h1_covered.items():
        out["hypotheses"]["H1"][f"coverage95_{kind}"] = round(n / ok1, 4) if ok1 else None
    return out


# --------------------------------------------------------------------------------------------------
# misspecified scenarios
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """One data-generating process for the four analysis tables (6 buyers unless ``h1_sizes`` says
    otherwise). The planted values stay those of :data:`PLANTED` (for an effect that varies by
    buyer, its mean)."""

    name: str
    description: str
    h1_sizes: tuple[int, ...] = (40,) * 6
    h1_effect_sd: float = 0.0       # sd of the buyer's own works log OR around 1.0
    h1_buyer_year_sd: float = 0.0   # sd of a shock shared by a buyer's contracts of one year
    h2_effect_sd: float = 0.0       # sd of the buyer's own structure log OR around 0.7
    returners: float = 0.0          # share of people with several missions (H2, H3)
    h4_buyer_sd: float = 0.0        # sd of the buyer's log level of hours per 1 000 €
    h4_mix_varies: bool = False     # buyers differ in their sector mix (H4)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("baseline", "the models' own assumptions (6 buyers of 40 contracts)"),
    Scenario("effect_by_buyer", "works effect (H1) and structure effect (H2) vary by buyer, sd 0.5",
             h1_effect_sd=0.5, h2_effect_sd=0.5),
    Scenario("buyer_year_shocks", "H1: a shock N(0, 0.5²) shared by a buyer's contracts of one year "
             "(4 years)", h1_buyer_year_sd=0.5),
    Scenario("unequal_buyers", "H1: buyers of 10, 15, 25, 40, 60 and 90 contracts",
             h1_sizes=(10, 15, 25, 40, 60, 90)),
    Scenario("returners", "H2, H3: 10 % of people return on 3 missions (same outcome draw, same "
             "sex)", returners=0.10),
    Scenario("h4_buyer_sizing", "H4: each buyer sizes its clauses at its own level (log sd 0.5) "
             "and buyers differ in sector mix", h4_buyer_sd=0.5, h4_mix_varies=True),
)

N_BUYERS = 6
#: H1 buyer intercepts (6 buyers; the fourth behaves like the demo's washer).
S_H1_INTERCEPTS = np.array([0.5, 0.5, 0.3, -2.0, 0.0, 1.0])


def _siret(b: np.ndarray) -> list[str]:
    return [f"{21000000000000 + int(x):014d}" for x in b]


def scenario_h1(rng: np.random.Generator, sc: Scenario) -> pd.DataFrame:
    sizes = np.asarray(sc.h1_sizes)
    g = len(sizes)
    buyer = np.repeat(np.arange(g), sizes)
    n = len(buyer)
    intercepts = np.resize(S_H1_INTERCEPTS, g)
    effect = 1.0 + sc.h1_effect_sd * rng.standard_normal(g)
    year = rng.integers(0, 4, n)
    shock = sc.h1_buyer_year_sd * rng.standard_normal((g, 4))
    sector = _sectors(rng, n)
    eta = intercepts[buyer] + effect[buyer] * (sector == "works") + shock[buyer, year]
    return pd.DataFrame({"buyer_siret": _siret(buyer), "sector": sector,
                         "reached": rng.binomial(1, expit(eta)),
                         "amount": np.exp(rng.normal(np.log(400_000), 1.0, n)),
                         "duration_months": rng.integers(6, 49, n).astype(float),
                         "elapsed_fraction": rng.uniform(0.1, 1.0, n)})


def _persons(rng: np.random.Generator, n_rows: int, returners: float, missions: int = 3) -> np.ndarray:
    """Person id of each of ``n_rows`` missions such that a share ``returners`` of the people have
    ``missions`` missions each and the others one: P(1 − r) + P·r·m = n_rows."""
    if returners <= 0:
        return np.arange(n_rows)
    people = round(n_rows / (1 - returners + returners * missions))
    n_ret = round(returners * people)
    ids = np.concatenate([np.repeat(np.arange(n_ret), missions), np.arange(n_ret, people)])
    ids = np.resize(ids, n_rows) if len(ids) >= n_rows else np.concatenate(
        [ids, np.arange(people, people + n_rows - len(ids))])
    return rng.permutation(ids)


def scenario_h2(rng: np.random.Generator, sc: Scenario, n_contracts: int = 150,
                per_contract: int = 5) -> pd.DataFrame:
    n = n_contracts * per_contract
    contract = np.repeat(np.arange(n_contracts), per_contract)
    buyer_c = rng.integers(0, N_BUYERS, n_contracts)
    sector_c = _sectors(rng, n_contracts)
    buyer, sector = buyer_c[contract], sector_c[contract]
    person = _persons(rng, n, sc.returners)
    # a person's traits and outcome draw are shared by their missions: marginally every mission
    # keeps the planted model, missions of one person are (fully) dependent
    n_p = int(person.max()) + 1
    sex_p = rng.choice(np.array(["F", "M"]), n_p)
    band_p = rng.choice(np.array(["<26", "26-49", "50+"]), n_p, p=[0.3, 0.5, 0.2])
    dipl_p = rng.choice(np.array(["infra_bac", "bac", "superieur", "inconnu"]), n_p,
                        p=[0.5, 0.3, 0.1, 0.1])
    u_p = rng.uniform(size=n_p)
    via = rng.binomial(1, 0.5, n)
    effect = PLANTED["H2"] + sc.h2_effect_sd * rng.standard_normal(N_BUYERS)
    sex, band, dipl = sex_p[person], band_p[person], dipl_p[person]
    eta = (-0.8 + effect[buyer] * via + 0.1 * (sex == "F") - 0.2 * (band == "<26")
           - 0.3 * (band == "50+") - 0.3 * (dipl == "infra_bac") + 0.3 * (dipl == "superieur")
           + 0.2 * (buyer % 3) - 0.2 * (sector == "works"))
    durable = (u_p[person] < expit(eta)).astype(int)
    other = rng.choice(np.array(["emploi_transition", "formation", "autre", "inconnu"]), n,
                       p=[0.35, 0.15, 0.25, 0.25])
    return pd.DataFrame({"uid": [f"c{u:05d}" for u in contract], "durable": durable,
                         "via_structure": via, "sex": sex, "age_band": band, "diploma_level": dipl,
                         "exit_outcome": np.where(durable == 1, "emploi_durable", other),
                         "beneficiary_id": [f"P{p:05d}" for p in person],
                         "buyer_siret": _siret(buyer), "sector": sector})


def scenario_h3(rng: np.random.Generator, sc: Scenario, n_contracts: int = 150,
                per_contract: int = 8) -> pd.DataFrame:
    sector_c = _sectors(rng, n_contracts)
    uid = np.repeat(np.arange(n_contracts), per_contract)
    sector = sector_c[uid]
    p = pd.Series(sector).map(H3_P_FEMALE).to_numpy()
    t = pd.DataFrame({"uid": uid, "sector": sector, "female": rng.binomial(1, p),
                      "hours": rng.gamma(2.0, 170.0, len(uid)),
                      "beneficiary_id": np.arange(len(uid))})
    if sc.returners > 0:
        # returners: a share of the people work two more missions, on other contracts of the same
        # sector (their sex is theirs: the sector's share of women is unchanged)
        ret = t.sample(frac=sc.returners / (1 + 2 * sc.returners), random_state=rng)
        extra = []
        for _ in range(2):
            e = ret.copy()
            same = {s: np.flatnonzero(sector_c == s) for s in hyp.SECTORS}
            e["uid"] = [rng.choice(same[s]) for s in e["sector"]]
            e["hours"] = rng.gamma(2.0, 170.0, len(e))
            extra.append(e)
        t = pd.concat([t, *extra], ignore_index=True)
    t["uid"] = [f"c{u:05d}" for u in t["uid"]]
    t["beneficiary_id"] = [f"P{b:05d}" for b in t["beneficiary_id"]]
    return t


def scenario_h4(rng: np.random.Generator, sc: Scenario, n_contracts: int = 200) -> pd.DataFrame:
    buyer = rng.integers(0, N_BUYERS, n_contracts)
    if sc.h4_mix_varies:
        works_p = np.linspace(0.1, 0.6, N_BUYERS)[buyer]
        u = rng.uniform(size=n_contracts)
        sector = np.where(u < works_p, "works", np.where(u < works_p + 0.2, "supplies", "services"))
    else:
        sector = _sectors(rng, n_contracts)
    level = sc.h4_buyer_sd * rng.standard_normal(N_BUYERS)
    amount = np.exp(rng.normal(np.log(400_000), 1.0, n_contracts))
    rate = np.exp(rng.normal(np.log(1.2), 0.5, n_contracts) + level[buyer])
    return pd.DataFrame({"sector": sector, "amount": amount, "planned_hours": amount / 1000.0 * rate,
                         "buyer_siret": _siret(buyer)})


SCENARIO_DRAWERS = {"H1": scenario_h1, "H2": scenario_h2, "H3": scenario_h3, "H4": scenario_h4}

#: The intervals whose coverage is measured: (hypothesis, label, where to read it in a result).
INTERVALS: tuple[tuple[str, str, str | None], ...] = (
    ("H1", "headline (wider of model-based and CR1)", None),
    ("H1", "model-based", "model_based"),
    ("H1", "cluster-robust CR1 by buyer", "cluster_robust"),
    ("H2", "headline (wider of two-way CR1 and CR1 by buyer)", None),
    ("H2", "two-way CR1 (contract, person)", "two_way"),
    ("H2", "CR1 by buyer", "cluster_robust_buyer"),
    ("H2", "without inconnu exits", "without_unknown_exits"),
    ("H3", "headline (two-way CR1, contract and person)", None),
    ("H4", "headline (CR1 by buyer, joint F)", None),
    ("H4", "HC1 (contracts independent)", "contract_robust_hc1"),
)


def scenario_coverage(draws: int = 200, seed: int = 20261129,
                      scenarios: tuple[Scenario, ...] = SCENARIOS,
                      progress: Callable[[str, int], None] | None = None) -> pd.DataFrame:
    """Coverage of every interval of :data:`INTERVALS` in every scenario over ``draws`` seeded
    replications. One row per (scenario, hypothesis, interval): fits, failed, coverage (share of
    fits whose 95 % interval holds the planted value), rejection (share with p < 0.05 for the
    headline: power for H1-H3, size for H4), mean estimate."""
    rows = []
    index = {s.name: k for k, s in enumerate(SCENARIOS)}
    for k, sc in enumerate(scenarios):
        # the seed depends on the scenario, not on which others run with it: a scenario run alone
        # (--scenario NAME) reproduces its column of the full table
        rng = np.random.default_rng(seed + 1000 * index.get(sc.name, len(SCENARIOS) + k))
        hits: dict[tuple[str, str], list[bool]] = {(h, lab): [] for h, lab, _ in INTERVALS}
        rejected: dict[str, list[bool]] = {h: [] for h in hyp.HYPOTHESES}
        est: dict[str, list[float]] = {h: [] for h in hyp.HYPOTHESES}
        failed = dict.fromkeys(hyp.HYPOTHESES, 0)
        for i in range(draws):
            for h in hyp.HYPOTHESES:
                table = SCENARIO_DRAWERS[h](rng, sc)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        r = hyp.FITTERS[h](table)
                except (hyp.HypothesisDataError, np.linalg.LinAlgError, ValueError):
                    failed[h] += 1
                    continue
                truth = PLANTED[h]
                est[h].append(r.estimate)
                rejected[h].append(r.p_value < 0.05)
                for hh, lab, key in INTERVALS:
                    if hh != h:
                        continue
                    ci = r.ci95 if key is None else (r.extra.get(key) or {}).get("ci95")
                    if ci is not None:
                        hits[(h, lab)].append(bool(ci[0] <= truth <= ci[1]))
            if progress:
                progress(sc.name, i + 1)
        for h, lab, key in INTERVALS:
            got = hits[(h, lab)]
            rows.append({"scenario": sc.name, "hypothesis": h, "interval": lab, "fits": len(got),
                         "failed": failed[h],
                         "coverage": round(float(np.mean(got)), 3) if got else None,
                         "rejection": (round(float(np.mean(rejected[h])), 3)
                                       if key is None and rejected[h] else None),
                         "mean_estimate": (round(float(np.mean(est[h])), 3)
                                           if key is None and est[h] else None)})
    return pd.DataFrame(rows)


def markdown_table(table: pd.DataFrame) -> str:
    """The coverage table as Markdown: one row per (hypothesis, interval), one column per scenario."""
    wide = table.pivot_table(index=["hypothesis", "interval"], columns="scenario", values="coverage",
                             aggfunc="first", sort=False)
    names = [s.name for s in SCENARIOS if s.name in wide.columns]
    lines = ["| hypothesis | interval | " + " | ".join(names) + " |",
             "|---|---|" + "---|" * len(names)]
    for (h, lab), row in wide[names].iterrows():
        cells = [("–" if pd.isna(v) else f"{v:.3f}") for v in row]
        lines.append(f"| {h} | {lab} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers simulate [--mode scenarios|demo|light] [--draws N] [--seed S]
    [--scenario NAME ...] [--out FILE] [--markdown FILE]``: print (and write) the coverage. In
    ``scenarios`` mode (default) the output is the table of :func:`scenario_coverage` as JSON
    records; ``--markdown`` also writes it as a Markdown table. Progress goes to stderr."""
    ap = argparse.ArgumentParser(prog="python -m helpers simulate",
                                 description="Seeded coverage simulation of the hypotheses' 95 % "
                                             "intervals (see docs/simulation.md).")
    ap.add_argument("--mode", choices=("scenarios", "demo", "light"), default="scenarios",
                    help="scenarios: misspecified data-generating processes, every interval "
                         "(default); demo: regenerate the demo dataset per draw; light: draw the "
                         "analysis tables directly under the models' assumptions")
    ap.add_argument("--draws", type=int, default=None,
                    help="replications (default 200 in scenarios mode, 50 in demo mode, 500 in "
                         "light mode)")
    ap.add_argument("--seed", type=int, default=None,
                    help="first random seed (default 20261129 for scenarios, 20240101 otherwise)")
    ap.add_argument("--scenario", action="append", default=None,
                    choices=[sc.name for sc in SCENARIOS],
                    help="scenarios mode: run only this scenario (repeatable)")
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON to this file")
    ap.add_argument("--markdown", type=Path, default=None,
                    help="scenarios mode: also write the coverage table as Markdown to this file")
    args = ap.parse_args(argv)
    default_draws = {"scenarios": 200, "demo": 50, "light": 500}[args.mode]
    draws = args.draws if args.draws is not None else default_draws
    if draws < 2:
        print("--draws must be at least 2", file=sys.stderr)
        return 2

    if args.mode == "scenarios":
        chosen = tuple(sc for sc in SCENARIOS if not args.scenario or sc.name in args.scenario)

        def sc_progress(name: str, i: int) -> None:
            if i % 25 == 0 or i == draws:
                print(f"simulate: {name} {i}/{draws} draws", file=sys.stderr, flush=True)

        table = scenario_coverage(draws, 20261129 if args.seed is None else args.seed, chosen,
                                  sc_progress)
        result: Any = {"mode": "scenarios", "draws": draws,
                       "seed": 20261129 if args.seed is None else args.seed,
                       "planted": {k: round(v, 4) for k, v in PLANTED.items()},
                       "scenarios": {sc.name: sc.description for sc in chosen},
                       "coverage": json.loads(table.to_json(orient="records"))}
        if args.markdown:
            args.markdown.parent.mkdir(parents=True, exist_ok=True)
            args.markdown.write_text(markdown_table(table), encoding="utf-8")
    else:
        def progress(i: int) -> None:
            if i % 10 == 0 or i == draws:
                print(f"simulate: {i}/{draws} draws", file=sys.stderr, flush=True)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = coverage(draws, 20240101 if args.seed is None else args.seed, args.mode, progress)
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0
