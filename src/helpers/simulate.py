"""Seeded coverage simulation of the hypotheses' 95 % intervals (issue 5; ``python -m helpers simulate``).

A light-weight simulator draws the four analysis tables with the mechanism planted in the demo data
(``data/demo/README.md``, "Planted effects"), fits each with :mod:`helpers.hypotheses`, and counts
how often the 95 % interval covers the planted value (H1-H3) and how often H4 — no effect planted —
is rejected at 5 % (its size). Coverage near 0.95 and a size near 0.05 say the interval choices
(cluster-robust, small-sample corrections) are honest at the demo's sample sizes.

Mechanism (per draw, sizes like the demo's):
  H1  buyers with intercepts ``H1_BUYER_INTERCEPTS`` (métropole/honest ≈ +0.5, washer ≈ −2.0),
      clause contracts split works/services/supplies; P(reached) = expit(a_buyer + 1.0 × works).
  H2  ended missions in contracts; P(durable) = expit(−0.8 + 0.7 × structure + modest sex, age band
      and diploma effects).
  H3  person-missions: P(F | works) = 0.15, P(F | services) = 0.45, P(F | supplies) = 0.35; hours
      drawn independently of sex.
  H4  planned hours = amount / 1000 × the same log-normal rate in every sector (no effect).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from . import hypotheses as hyp

PLANTED: dict[str, float] = {
    "H1": 1.0,
    "H2": 0.7,
    "H3": float(logit(0.15) - logit(0.45)),
    "H4": 0.0,
}

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


def coverage(draws: int = 200, seed: int = 20240101) -> dict[str, Any]:
    """Run ``draws`` replications; per hypothesis: coverage of the planted value by the 95 %
    interval, share of rejections at 5 %, mean estimate, and failed fits (skipped)."""
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {"draws": draws, "seed": seed, "planted": {k: round(v, 4) for k, v in PLANTED.items()},
                           "hypotheses": {}}
    for h in hyp.HYPOTHESES:
        covered = rejected = failed = 0
        estimates: list[float] = []
        for _ in range(draws):
            table = DRAWERS[h](rng)
            try:
                r = hyp.FITTERS[h](table)
            except (hyp.HypothesisDataError, np.linalg.LinAlgError, ValueError):
                failed += 1
                continue
            covered += r.covers(PLANTED[h])
            rejected += r.p_value < 0.05
            estimates.append(r.estimate)
        ok = draws - failed
        out["hypotheses"][h] = {
            "fits": ok, "failed": failed,
            "coverage95": round(covered / ok, 4) if ok else None,
            "rejection_rate_5pct": round(rejected / ok, 4) if ok else None,
            "mean_estimate": round(float(np.mean(estimates)), 4) if ok else None,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers simulate [--draws N] [--seed S] [--out FILE]``: print (and write) JSON."""
    ap = argparse.ArgumentParser(prog="python -m helpers simulate", description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=200, help="replications per hypothesis (default 200)")
    ap.add_argument("--seed", type=int, default=20240101, help="random seed (default 20240101)")
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON to this file")
    args = ap.parse_args(argv)
    if args.draws < 1:
        print("--draws must be at least 1", file=sys.stderr)
        return 2
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = coverage(args.draws, args.seed)
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0
