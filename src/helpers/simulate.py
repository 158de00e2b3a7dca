"""Seeded coverage simulation of the hypotheses' 95 % intervals (issue 5; ``python -m helpers simulate``).

Two modes, both seeded and deterministic:

* ``demo`` (default) — the real thing: each draw regenerates a whole demo dataset with
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


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers simulate [--mode demo|light] [--draws N] [--seed S] [--out FILE]``:
    print (and write) the coverage JSON. Progress goes to stderr."""
    ap = argparse.ArgumentParser(prog="python -m helpers simulate",
                                 description="Seeded coverage simulation of the hypotheses' 95 % "
                                             "intervals (see docs/hypotheses.md).")
    ap.add_argument("--mode", choices=("demo", "light"), default="demo",
                    help="demo: regenerate the demo dataset per draw (default); light: draw the "
                         "analysis tables directly")
    ap.add_argument("--draws", type=int, default=None,
                    help="replications (default 50 in demo mode, 500 in light mode)")
    ap.add_argument("--seed", type=int, default=20240101, help="first random seed (default 20240101)")
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON to this file")
    args = ap.parse_args(argv)
    draws = args.draws if args.draws is not None else (50 if args.mode == "demo" else 500)
    if draws < 2:
        print("--draws must be at least 2", file=sys.stderr)
        return 2

    def progress(i: int) -> None:
        if i % 10 == 0 or i == draws:
            print(f"simulate: {i}/{draws} draws", file=sys.stderr, flush=True)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = coverage(draws, args.seed, args.mode, progress)
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0
