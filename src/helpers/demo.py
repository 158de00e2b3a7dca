"""Generate the demo dataset ``data/demo/`` (docs/design.md §6).

``python -m helpers.demo [--out DIR]`` writes, in the data-directory layout of docs/design.md §2.1:

- ``contracts/decp-YYYY.json`` (2022-2025): DECP JSON 2022 in the official format
  (``{"marches": {"marche": [...]}}``, schema ``schema_decp_v2.0.3.json``), one record per line;
  each file holds the contracts notified in YYYY plus the republications of contracts notified in
  YYYY-1 (same uid, later ``datePublicationDonnees``, some with a ``modifications`` entry raising
  ``montant``), so that de-duplication across files is exercised;
- ``clauses.csv``, ``participations.csv``, ``suppliers.csv``, ``buyers.csv`` (columns of
  docs/design.md §2.4-2.7).

Everything is drawn from ``numpy.random.Generator`` streams spawned from one fixed seed (one stream
per step), written sorted, with no timestamp and no absolute path: a rerun gives byte-identical
files. ``data/demo/README.md`` is written
by hand and documents the planted behaviours, the expected verdicts and the planted effects; it is not
touched by this module.

Planted laws (documented with their numbers in ``data/demo/README.md``):

- contract types per buyer and year are allocated with exact counts (largest remainder), so the
  declared shares are fixed by design; only the delivery of clause contracts is random;
- H1: every contract with a ``clauses.csv`` row (planned hours > 0) is on track with probability
  ``expit(a_buyer + 1.0 * works)``; on-track contracts deliver ``planned × U(1.0, 1.4)`` hours, the
  others ``planned × U(0.2, 0.7)`` (the washer: half of them deliver nothing); hours are spread
  uniformly over ``[notification, notification + duration]`` in parallel "lanes" of consecutive
  missions, so realized/expected ≈ the factor at any cut-off date (contracts notified in December,
  the planted ``NOT_DUE`` ones, start work on 2 January);
- H2: each ended mission exits to ``emploi_durable`` with probability
  ``expit(-0.8 + 0.7 * via_structure + b_sex + b_age_band + b_diploma)``;
- H3: a mission's holder is a woman with probability 0.15 (works), 0.45 (services), 0.35 (supplies);
  mission hours do not depend on sex;
- H4: planned hours per 1 000 € follow one log-normal law (mean 1.2) whatever the sector.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from helpers.config import DEMO_DIR, resolve_path
from helpers.schemas import CLAUSE, CRITERION, NONE_DECLARED, RESERVED

SEED = 33  # chosen by a documented scan, see data/demo/README.md "Seed"
YEARS: tuple[int, ...] = (2022, 2023, 2024, 2025)
EXTRACTION_DATE = pd.Timestamp("2025-12-31")  # last day of data: later work is not yet reported
DAYS_PER_MONTH = 365.25 / 12                   # docs/design.md §3 (months = days / (365.25 / 12))
MIN_AMOUNT = 40_000.0                          # DECP publication floor (docs/design.md §2.3)

# EU thresholds in force at notification (docs/design.md §3.1), € HT: (2022-23, 2024-25).
THRESHOLDS: dict[tuple[str, str], tuple[float, float]] = {
    ("etat", "supplies_services"): (140_000.0, 143_000.0),
    ("collectivite", "supplies_services"): (215_000.0, 221_000.0),
    ("entite_adjudicatrice", "supplies_services"): (431_000.0, 443_000.0),
    ("etat", "works"): (5_382_000.0, 5_538_000.0),
    ("collectivite", "works"): (5_382_000.0, 5_538_000.0),
    ("entite_adjudicatrice", "works"): (5_382_000.0, 5_538_000.0),
}

# ---- planted effects -------------------------------------------------------
H1_WORKS_LOG_OR = 1.0
# Delivery factors straddle the default 0.8 ratio closely enough for a min_delivery_ratio sweep to
# move contracts: on-track contracts deliver from 0.85 × expected, behind ones up to 0.78 ×.
H1_ON_TRACK_FACTOR = (0.85, 1.4)
H1_BEHIND_FACTOR = (0.3, 0.78)
H2_B0 = -0.8
H2_VIA_STRUCTURE_LOG_OR = 0.7
H2_SEX = {"M": 0.0, "F": -0.2}
H2_AGE_BAND = {"<26": 0.0, "26-49": 0.3, "50+": -0.4}
H2_DIPLOMA = {"infra_bac": 0.0, "bac": 0.3, "superieur": 0.6, "inconnu": -0.2}
H2_NOT_DURABLE = {"emploi_transition": 0.35, "formation": 0.15, "autre": 0.25, "inconnu": 0.25}
H3_P_WOMAN = {"works": 0.15, "services": 0.45, "supplies": 0.35}
H4_INTENSITY_MEAN = 1.2     # planned hours per 1 000 € HT, same law in every sector
H4_INTENSITY_SIGMA = 0.5    # log-normal sigma; mu = ln(mean) - sigma² / 2

# ---- other distributions ---------------------------------------------------------------------
MODALITY_P = {"embauche_directe": 0.42, "mise_a_disposition": 0.33,
              "sous_traitance_siae": 0.20, "autre": 0.05}
DIPLOMA_P = {"infra_bac": 0.62, "bac": 0.20, "superieur": 0.08, "inconnu": 0.10}
AGE_BAND_P = {(18, 25): 0.28, (26, 49): 0.55, (50, 64): 0.17}
PUBLIC_P = {"DELD": 0.45, "RSA": 0.30, "RQTH": 0.08, "QPV": 0.30}
RETURNER_SHARE = 0.10       # missions taken by someone who already had one (same buyer and sector)
WEEKLY_HOURS = (15.0, 30.0)  # hours a week of one insertion post ("lane")
MISSION_HOURS = 850.0       # typical hours of one mission; its length is hours / lane rate × U(0.6, 1.4)
MISSION_DAYS = (30, 540)    # ... clipped to 1-18 months
OPEN_MISSION_START = pd.Timestamp("2025-04-01")  # a mission open at the extraction date starts
# on or after this day (longer ones are split there into two missions): an open row counts fully
# at any cut-off (docs/design.md §3), so it must not hold hours of earlier years.

# Amount log-normal (median €, sigma) by category; truncated to the scope drawn (docs/design.md §2.3 floor).
AMOUNT_LAW = {"works": (600_000.0, 1.2), "services": (180_000.0, 1.1),
              "supplies": (150_000.0, 1.0), "reserved": (110_000.0, 0.8)}
DURATION_LAW = {"works": (10.0, 0.5, 3, 36), "services": (24.0, 0.45, 6, 48),
                "supplies": (18.0, 0.5, 3, 48)}

# Contract types: declaration (DECP considerations) x what happens.
PLANNED_TYPES = ("CLAUSE", "CLAUSE_CRIT", "UNDECLARED", "NOT_DUE")  # have a clauses.csv row
CONSIDERATIONS = {
    "CLAUSE": [CLAUSE], "CLAUSE_CRIT": [CLAUSE, CRITERION], "CLAUSE_NOPLAN": [CLAUSE],
    "NOT_DUE": [CLAUSE], "CRITERION": [CRITERION], "RESERVED_OK": [RESERVED],
    "RESERVED_BAD": [RESERVED], "NONE": [NONE_DECLARED], "UNDECLARED": [NONE_DECLARED],
}
# Category mix given type group and scope: (works, services, supplies).
CATEGORY_P = {
    ("planned", "above"): (0.10, 0.78, 0.12), ("planned", "below"): (0.55, 0.35, 0.10),
    ("other", "above"): (0.05, 0.55, 0.40), ("other", "below"): (0.35, 0.40, 0.25),
    ("reserved", "free"): (0.0, 0.85, 0.15),
}
CATEGORIES = ("works", "services", "supplies")

CPV_TABLE: dict[str, list[tuple[str, str]]] = {
    "works": [("45233140", "Travaux de voirie"), ("45210000", "Construction d'un équipement public"),
              ("45453000", "Réhabilitation de bâtiments"), ("45232410", "Travaux d'assainissement"),
              ("45112700", "Aménagement paysager"), ("45261000", "Travaux de couverture")],
    "services": [("90910000", "Nettoyage de locaux"), ("77310000", "Entretien des espaces verts"),
                 ("55520000", "Restauration collective"), ("90511000", "Collecte des déchets"),
                 ("72000000", "Prestations informatiques"), ("79710000", "Gardiennage"),
                 ("60130000", "Transport adapté"), ("50700000", "Maintenance des installations"),
                 ("79530000", "Traduction"), ("71000000", "Maîtrise d'œuvre")],
    "supplies": [("15800000", "Fourniture de denrées alimentaires"),
                 ("30190000", "Fournitures de bureau"), ("39130000", "Mobilier de bureau"),
                 ("18100000", "Vêtements de travail"), ("34144900", "Véhicules électriques"),
                 ("48000000", "Progiciels"), ("09134100", "Carburant gazole"),
                 ("03221000", "Légumes frais")],
}
CPV_RESERVED = {"services": [("90910000", "Nettoyage de locaux"),
                             ("77310000", "Entretien des espaces verts"),
                             ("90511000", "Collecte et tri des déchets"),
                             ("55520000", "Restauration collective")],
                "supplies": [("18100000", "Vêtements de travail"),
                             ("30190000", "Conditionnement et fournitures de bureau")]}

SUPPLIER_KIND_COUNTS = {"EI": 40, "ACI": 45, "AI": 20, "ETTI": 20, "EITI": 8, "GEIQ": 12,
                        "EA": 25, "EATT": 5, "ESAT": 25, "ESS": 25}
ELIGIBLE = ("EI", "ACI", "AI", "ETTI", "EITI", "GEIQ", "EA", "EATT", "ESAT")
N_COMPANIES = 900
ESS_MAX_AMOUNT = 800_000.0  # non-reserved contracts held by a registry structure stay below this


@dataclass(frozen=True)
class BuyerSpec:
    """Planted behaviour of one demo buyer (counts are per year, 2022..2025)."""

    key: str
    siret: str
    name: str
    buyer_type: str
    dept: str
    a_h1: float                      # H1 buyer intercept (log odds of being on track, services)
    n_above: tuple[int, ...]         # contracts drawn above the EU threshold
    n_below: tuple[int, ...]         # contracts drawn between 40 000 € and the threshold
    above_mix: dict[str, float]      # type shares above the threshold (exact counts)
    below_mix: dict[str, float]
    reserved: tuple[int, ...]        # reserved contracts (amount free: above or below)
    reserved_ok: float               # share of reserved contracts held by an eligible structure
    not_due: int                     # clause contracts notified 8-28 December (NOT_DUE at 31/12)
    size: float                      # multiplier of the amount medians
    ess_held: float                  # share of other contracts held by a registry structure
    nothing_share: float = 0.0       # among behind clause contracts: share delivering no hour
    planned_below_categories: tuple[float, float, float] | None = None  # overrides CATEGORY_P


BUYERS: tuple[BuyerSpec, ...] = (
    BuyerSpec("metropole", "24339901100010", "Métropole de Garonne (démo)", "collectivite", "33",
              0.5, (125, 135, 145, 155), (260, 280, 300, 310),
              {"CLAUSE": 0.45, "CLAUSE_CRIT": 0.08, "CRITERION": 0.03, "NONE": 0.36,
               "UNDECLARED": 0.08},
              {"CLAUSE": 0.50, "CLAUSE_CRIT": 0.05, "CRITERION": 0.02, "NONE": 0.39,
               "UNDECLARED": 0.04},
              (32, 41, 51, 60), 0.9, 3, 2.5, 0.08,
              planned_below_categories=(0.75, 0.20, 0.05)),
    BuyerSpec("washer", "20009902600011", "Communauté d'agglomération des Coteaux (démo)",
              "collectivite", "47", -2.0, (50, 52, 55, 58), (60, 60, 65, 65),
              {"CLAUSE": 0.45, "CLAUSE_CRIT": 0.05, "CLAUSE_NOPLAN": 0.06, "CRITERION": 0.06,
               "NONE": 0.38},
              {"CLAUSE": 0.40, "CRITERION": 0.05, "NONE": 0.55},
              (2, 2, 3, 3), 0.0, 2, 1.0, 0.02, nothing_share=0.5),
    BuyerSpec("departement", "22339903100010", "Département de l'Estuaire (démo)", "collectivite",
              "17", 0.5, (70, 72, 75, 78), (80, 85, 90, 90),
              {"CLAUSE": 0.52, "CLAUSE_CRIT": 0.06, "CRITERION": 0.03, "NONE": 0.33,
               "UNDECLARED": 0.06},
              {"CLAUSE": 0.45, "CRITERION": 0.03, "NONE": 0.49, "UNDECLARED": 0.03},
              (8, 9, 10, 11), 0.85, 2, 1.2, 0.05),
    BuyerSpec("undeclared", "21339904100010", "Ville de Port-Sainte-Claire (démo)", "collectivite",
              "33", 1.0, (44, 46, 48, 50), (40, 40, 45, 45),
              {"CLAUSE": 0.08, "CRITERION": 0.04, "NONE": 0.36, "UNDECLARED": 0.52},
              {"CLAUSE": 0.05, "NONE": 0.55, "UNDECLARED": 0.40},
              (1, 1, 1, 1), 1.0, 0, 0.8, 0.03),
    BuyerSpec("small", "07339905700014", "Régie des eaux du Lac Vert (démo)",
              "entite_adjudicatrice", "40", 1.5, (3, 3, 3, 3), (4, 5, 5, 6),
              {"CLAUSE": 1 / 3, "NONE": 2 / 3}, {"CLAUSE": 0.4, "NONE": 0.6},
              (0, 0, 0, 0), 1.0, 0, 1.0, 0.0),
    BuyerSpec("etat", "13009906200015", "Plateforme régionale des achats de l'État – Garonne (démo)",
              "etat", "33", -0.5, (60, 62, 64, 66), (40, 40, 40, 40),
              {"CLAUSE": 0.13, "CLAUSE_CRIT": 0.02, "CRITERION": 0.05, "NONE": 0.78,
               "UNDECLARED": 0.02},
              {"CLAUSE": 0.10, "CRITERION": 0.05, "NONE": 0.85},
              (1, 1, 2, 2), 1.0, 1, 1.0, 0.02),
    # DECP records only: no clauses or participations row, no facilitator_from -> not covered
    BuyerSpec("opendata", "25339907580008", "Syndicat mixte des transports du Val d'Ombre (démo)",
              "collectivite", "24", 0.0, (14, 15, 16, 17), (10, 10, 12, 12),
              {"CLAUSE_NOPLAN": 0.40, "CRITERION": 0.05, "NONE": 0.55},
              {"CLAUSE_NOPLAN": 0.30, "NONE": 0.70},
              (1, 1, 1, 1), 1.0, 0, 0.8, 0.02),
    # declares clauses above the target but delivers a share just under it: not significant
    BuyerSpec("borderline", "21339908290007", "Ville de Saint-Aubin-des-Landes (démo)",
              "collectivite", "40", -0.6, (22, 24, 26, 28), (20, 20, 22, 22),
              {"CLAUSE": 0.45, "NONE": 0.50, "UNDECLARED": 0.05},
              {"CLAUSE": 0.30, "NONE": 0.70},
              (0, 0, 1, 1), 1.0, 0, 0.9, 0.02),
    # an honest buyer whose facilitator data is complete only from FACILITATOR_FROM
    BuyerSpec("midyear", "20009909100007", "Communauté de communes du Haut-Val (démo)",
              "collectivite", "47", 1.5, (30, 32, 34, 36), (24, 26, 28, 30),
              {"CLAUSE": 0.50, "CRITERION": 0.04, "NONE": 0.40, "UNDECLARED": 0.06},
              {"CLAUSE": 0.40, "NONE": 0.60},
              (2, 2, 2, 2), 1.0, 1, 1.0, 0.03),
)

#: The "midyear" buyer's facilitator data starts here (buyers.csv ``facilitator_from``): its
#: clauses and participation rows of contracts notified earlier are not in the demo files.
FACILITATOR_FROM = {"midyear": "2024-07-01"}

# The IT contract of the seed figures: planned 7 000 h, delivered 35 000 h (docs/design.md §1.4).
IT_CONTRACT = {"buyer": "metropole", "year": 2022, "contract_id": "M2022-IT01",
               "date": "2022-01-17", "duration": 36, "amount": 5_840_000.0,
               "planned": 7000.0, "delivered": 35000.0}


# ---------------------------------------------------------------------------------------------
def luhn_digit(payload: str) -> str:
    """Check digit making ``payload + digit`` pass the Luhn test (SIREN/SIRET key)."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _sirets(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    """``n`` distinct fictional Luhn-valid SIRETs (SIREN key + SIRET key), not in ``taken``."""
    out: list[str] = []
    seen = set(taken)
    while len(out) < n:
        digits = rng.integers(0, 10, size=(n, 12))
        for row in digits:
            siren8 = "".join(map(str, row[:8]))
            siren = siren8 + luhn_digit(siren8)
            nic4 = "".join(map(str, row[8:12]))
            s = siren + nic4 + luhn_digit(siren + nic4)
            if s not in seen:
                seen.add(s)
                out.append(s)
            if len(out) == n:
                break
    return out


def _allocate(n: int, mix: dict[str, float], rng: np.random.Generator) -> np.ndarray:
    """``n`` type labels with exact counts (largest remainder of ``n × share``), shuffled."""
    if n == 0:
        return np.array([], dtype=object)
    names = list(mix)
    raw = np.array([mix[k] for k in names]) * n
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    labels = np.repeat(np.array(names, dtype=object), counts)
    return rng.permutation(labels)


def _trunc_lognormal(rng: np.random.Generator, median: np.ndarray, sigma: np.ndarray,
                     low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Log-normal(median, sigma) draws truncated to [low, high] (inverse-CDF sampling)."""
    mu = np.log(median)
    a = stats.norm.cdf((np.log(low) - mu) / sigma)
    b = stats.norm.cdf((np.log(high) - mu) / sigma)
    u = a + (b - a) * rng.random(len(median))
    u = np.clip(u, 1e-12, 1 - 1e-12)
    return np.exp(mu + sigma * stats.norm.ppf(u))


def threshold(buyer_type: str, category: str, notified: pd.Series) -> np.ndarray:
    """EU threshold in force at notification (docs/design.md §3.1): works = CPV 45, else supplies/services."""
    fam = "works" if category == "works" else "supplies_services"
    old, new = THRESHOLDS[(buyer_type, fam)]
    return np.where(notified.dt.year >= 2024, new, old)


def _category_of_types(types: np.ndarray, scope: str, rng: np.random.Generator,
                       spec: BuyerSpec) -> np.ndarray:
    group = np.where(np.isin(types, PLANNED_TYPES), "planned",
                     np.where(np.char.startswith(types.astype(str), "RESERVED"), "reserved",
                              "other"))
    cats = np.empty(len(types), dtype=object)
    for g in ("planned", "other", "reserved"):
        mask = group == g
        if not mask.any():
            continue
        key = (g, "free" if g == "reserved" else scope)
        probs = CATEGORY_P[key]
        if key == ("planned", "below") and spec.planned_below_categories is not None:
            probs = spec.planned_below_categories
        cats[mask] = rng.choice(CATEGORIES, size=mask.sum(), p=probs)
    return cats


def _dates(rng: np.random.Generator, year: int, n: int, december: bool) -> np.ndarray:
    if december:
        days = rng.integers(0, 21, size=n)  # 8..28 December
        return (pd.Timestamp(f"{year}-12-08") + pd.to_timedelta(days, "D")).to_numpy()
    start, end = pd.Timestamp(f"{year}-01-03"), pd.Timestamp(f"{year}-11-28")
    days = rng.integers(0, (end - start).days + 1, size=n)
    return (start + pd.to_timedelta(days, "D")).to_numpy()


# ---------------------------------------------------------------------------------------------
def build_suppliers(rng: np.random.Generator, taken: set[str]) -> pd.DataFrame:
    """Registry of fictional insertion/disability structures (eligible kinds) and ESS structures."""
    kinds = np.repeat(list(SUPPLIER_KIND_COUNTS), list(SUPPLIER_KIND_COUNTS.values()))
    sirets = _sirets(rng, len(kinds), taken)
    label = {"EI": "Entreprise d'insertion", "ACI": "Chantier d'insertion",
             "AI": "Association intermédiaire", "ETTI": "Intérim d'insertion",
             "EITI": "Travailleurs indépendants", "GEIQ": "GEIQ", "EA": "Entreprise adaptée",
             "EATT": "EA de travail temporaire", "ESAT": "ESAT", "ESS": "Coopérative"}
    places = ["Garonne", "Coteaux", "Estuaire", "Lac Vert", "Port-Sainte-Claire", "Landes",
              "Bastide", "Chartrons", "Médoc", "Entre-deux-Mers"]
    words = ["Les Jardins", "L'Atelier", "Le Relais", "Solidarité", "Tremplin", "Avenir",
             "Le Pont", "Horizons", "La Ressourcerie", "Cap Emploi"]
    w = rng.integers(0, len(words), len(kinds))
    p = rng.integers(0, len(places), len(kinds))
    names = [f"{label[k]} {words[i]} {places[j]} {n + 1} (démo)"
             for n, (k, i, j) in enumerate(zip(kinds, w, p))]
    df = pd.DataFrame({"siret": sirets, "kind": kinds, "name": names})
    return df.sort_values("siret", kind="stable").reset_index(drop=True)


def build_contracts(rng: np.random.Generator, suppliers: pd.DataFrame,
                    companies: np.ndarray) -> pd.DataFrame:
    """One row per contract (uid), with its planted type, category, amount, dates, holders."""
    blocks = []
    for spec in BUYERS:
        for yi, year in enumerate(YEARS):
            parts = [
                (_allocate(spec.n_above[yi], spec.above_mix, rng), "above", False),
                (_allocate(spec.n_below[yi], spec.below_mix, rng), "below", False),
                (_allocate(spec.reserved[yi], {"RESERVED_OK": spec.reserved_ok,
                                               "RESERVED_BAD": 1 - spec.reserved_ok}, rng),
                 "free", False),
                (np.array(["NOT_DUE"] * spec.not_due, dtype=object), "above", True),
            ]
            for types, scope, december in parts:
                if len(types) == 0:
                    continue
                cats = _category_of_types(types, scope, rng, spec)
                blocks.append(pd.DataFrame({
                    "buyer": spec.key, "buyer_siret": spec.siret, "buyer_type": spec.buyer_type,
                    "year": year, "ctype": types, "scope": scope, "category": cats,
                    "notification_date": _dates(rng, year, len(types), december),
                }))
    df = pd.concat(blocks, ignore_index=True)
    n = len(df)
    spec_by = {s.key: s for s in BUYERS}

    # CPV and subject
    cpv = np.empty(n, dtype=object)
    objet = np.empty(n, dtype=object)
    reserved = df["ctype"].str.startswith("RESERVED").to_numpy()
    for cat in CATEGORIES:
        for res, table in ((False, CPV_TABLE), (True, CPV_RESERVED)):
            mask = (df["category"].to_numpy() == cat) & (reserved == res)
            if not mask.any():
                continue
            opts = table[cat]
            idx = rng.integers(0, len(opts), mask.sum())
            cpv[mask] = [opts[i][0] for i in idx]
            objet[mask] = [opts[i][1] for i in idx]
    df["cpv"] = cpv
    lot = rng.integers(1, 9, n)
    df["objet"] = [f"{o} - lot {k}" for o, k in zip(objet, lot)]

    # Amount: log-normal by category (reserved: own law), truncated to the scope drawn.
    law_key = np.where(reserved, "reserved", df["category"].to_numpy())
    size = df["buyer"].map(lambda b: spec_by[b].size).to_numpy()
    median = np.array([AMOUNT_LAW[k][0] for k in law_key]) * np.where(reserved, 1.0, size)
    sigma = np.array([AMOUNT_LAW[k][1] for k in law_key])
    thr = np.zeros(n)
    for (btype, cat), idx in df.groupby(["buyer_type", "category"]).groups.items():
        thr[df.index.get_indexer(idx)] = threshold(btype, cat, df.loc[idx, "notification_date"])
    low = np.where(df["scope"] == "above", 1.06 * thr, MIN_AMOUNT)
    high = np.where(df["scope"] == "above", 30 * thr,
                    np.where(df["scope"] == "below", 0.94 * thr, 3_000_000.0))
    amount = _trunc_lognormal(rng, median, sigma, low, high)
    near = (amount > 0.94 * thr) & (amount < 1.06 * thr)        # keep clear of the boundary
    amount = np.where(near, np.where(amount < thr, 0.9 * thr, 1.1 * thr), amount)
    df["amount"] = np.round(amount, 2)
    df["eu_threshold"] = thr

    # Duration (months, integer)
    dur = np.zeros(n)
    for cat, (med, sig, lo, hi) in DURATION_LAW.items():
        mask = df["category"].to_numpy() == cat
        dur[mask] = np.clip(np.round(med * np.exp(sig * rng.standard_normal(mask.sum()))), lo, hi)
    df["duration_months"] = dur.astype(int)
    df["publication_date"] = df["notification_date"] + pd.to_timedelta(
        rng.integers(5, 46, n), "D")

    # Holders
    eligible = suppliers.loc[suppliers["kind"].isin(ELIGIBLE), "siret"].to_numpy()
    ess = suppliers.loc[suppliers["kind"] == "ESS", "siret"].to_numpy()
    registry = suppliers["siret"].to_numpy()
    ess_share = df["buyer"].map(lambda b: spec_by[b].ess_held).to_numpy()
    u = rng.random(n)
    source = np.where(df["ctype"] == "RESERVED_OK", "eligible",
                      np.where(df["ctype"] == "RESERVED_BAD",
                               np.where(u < 0.5, "ess", "company"),
                               np.where((u < ess_share) & (df["amount"] <= ESS_MAX_AMOUNT),
                                        "registry", "company")))
    pools = {"eligible": eligible, "ess": ess, "registry": registry, "company": companies}
    first = np.empty(n, dtype=object)
    second = np.empty(n, dtype=object)
    two = rng.random(n) < np.where(np.isin(source, ["eligible", "registry"]), 0.35,
                                   np.where(df["category"] == "works", 0.15, 0.08))
    for name, pool in pools.items():
        mask = source == name
        first[mask] = pool[rng.integers(0, len(pool), mask.sum())]
        second[mask] = pool[rng.integers(0, len(pool), mask.sum())]
    two &= first != second
    df["holders"] = [[a, b] if t else [a] for a, b, t in zip(first, second, two)]

    # Contract ids: <letter><year>-<number>, numbered by notification date within buyer-year.
    df = df.sort_values(["buyer_siret", "notification_date", "ctype", "amount"],
                        kind="stable").reset_index(drop=True)
    prefix = df["buyer"].map({"metropole": "M", "washer": "W", "departement": "D",
                              "undeclared": "U", "small": "S", "etat": "E", "opendata": "O",
                              "borderline": "B", "midyear": "H"})
    num = df.groupby(["buyer", "year"]).cumcount() + 1
    df["contract_id"] = prefix + df["year"].astype(str) + "-" + num.map("{:04d}".format)
    df["considerations"] = df["ctype"].map(CONSIDERATIONS)
    df["a_h1"] = df["buyer"].map(lambda b: spec_by[b].a_h1)
    df["nothing_share"] = df["buyer"].map(lambda b: spec_by[b].nothing_share)
    df["special"] = ""
    return _add_it_contract(df, companies, rng)


def _add_it_contract(df: pd.DataFrame, companies: np.ndarray,
                     rng: np.random.Generator) -> pd.DataFrame:
    spec = next(s for s in BUYERS if s.key == IT_CONTRACT["buyer"])
    notified = pd.Timestamp(IT_CONTRACT["date"])
    row = {"buyer": spec.key, "buyer_siret": spec.siret, "buyer_type": spec.buyer_type,
           "year": IT_CONTRACT["year"], "ctype": "CLAUSE", "scope": "above",
           "category": "services", "notification_date": notified,
           "cpv": "72000000", "objet": "Tierce maintenance applicative et infogérance",
           "amount": IT_CONTRACT["amount"],
           "eu_threshold": THRESHOLDS[(spec.buyer_type, "supplies_services")][0],
           "duration_months": IT_CONTRACT["duration"],
           "publication_date": notified + pd.Timedelta(days=21),
           "holders": [str(companies[rng.integers(0, len(companies))])],
           "contract_id": IT_CONTRACT["contract_id"], "considerations": [CLAUSE],
           "a_h1": spec.a_h1, "nothing_share": 0.0, "special": "it_contract"}
    out = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    return out.sort_values(["buyer_siret", "contract_id"], kind="stable").reset_index(drop=True)


def plant_delivery(rng: np.random.Generator, contracts: pd.DataFrame) -> pd.DataFrame:
    """Planned hours (H4 law) and delivery factor (H1 law) of the contracts with a clause row."""
    c = contracts
    n = len(c)
    planned_mask = c["ctype"].isin(PLANNED_TYPES).to_numpy()
    mu = np.log(H4_INTENSITY_MEAN) - H4_INTENSITY_SIGMA ** 2 / 2
    intensity = np.exp(mu + H4_INTENSITY_SIGMA * rng.standard_normal(n))
    planned = np.where(planned_mask, np.maximum(1.0, np.round(c["amount"] / 1000 * intensity)), 0)
    works = (c["category"] == "works").to_numpy().astype(float)
    p_on = expit(c["a_h1"].to_numpy() + H1_WORKS_LOG_OR * works)
    on_track = rng.random(n) < p_on
    f_on = rng.uniform(*H1_ON_TRACK_FACTOR, n)
    f_behind = rng.uniform(*H1_BEHIND_FACTOR, n)
    nothing = rng.random(n) < c["nothing_share"].to_numpy()
    factor = np.where(on_track, f_on, np.where(nothing, 0.0, f_behind))
    it = (c["special"] == "it_contract").to_numpy()
    planned = np.where(it, IT_CONTRACT["planned"], planned)
    on_track = np.where(it, True, on_track)
    factor = np.where(it, IT_CONTRACT["delivered"] / IT_CONTRACT["planned"], factor)
    c = c.copy()
    c["planned_hours"] = planned
    c["on_track"] = np.where(planned_mask, on_track, False)
    c["delivery_factor"] = np.where(planned_mask, factor, 0.0)
    return c


def build_participations(rng: np.random.Generator, contracts: pd.DataFrame) -> pd.DataFrame:
    """Missions tiling each clause contract's duration in parallel lanes (uniform delivery)."""
    c = contracts[(contracts["planned_hours"] > 0) & (contracts["delivery_factor"] > 0)]
    total = (c["planned_hours"] * c["delivery_factor"]).to_numpy()
    # Work starts at notification, except for contracts notified in December: on 2 January
    # (so that they are NOT_DUE, not VERIFIED, at 31 December: docs/design.md §3 checks VERIFIED first).
    notified = c["notification_date"]
    first_day = notified.where(notified.dt.month < 12,
                               pd.to_datetime((notified.dt.year + 1).astype(str) + "-01-02"))
    delay = (first_day - notified).dt.days.to_numpy()
    window = np.round(c["duration_months"].to_numpy() * DAYS_PER_MONTH).astype(int) - delay
    weekly = rng.uniform(*WEEKLY_HOURS, len(c))
    lanes = np.maximum(1, np.round(total / (weekly * window / 7))).astype(int)
    rate = total / (lanes * window)                        # hours per day and lane
    lane_contract = np.repeat(np.arange(len(c)), lanes)
    max_missions = int(np.ceil(window.max() / MISSION_DAYS[0])) + 1
    typical = MISSION_HOURS / rate[lane_contract][:, None]
    lengths = np.clip(np.round(typical * rng.uniform(0.6, 1.4, (len(lane_contract), max_missions))),
                      *MISSION_DAYS).astype(int)
    ends = np.cumsum(lengths, axis=1)
    starts = ends - lengths
    w = window[lane_contract][:, None]
    keep = starts < w
    ends = np.minimum(ends, w)
    li, mi = np.nonzero(keep)
    ci = lane_contract[li]
    off_start = starts[li, mi]
    off_end = ends[li, mi]                                 # exclusive
    first = pd.to_datetime(first_day.to_numpy()[ci])
    start = first + pd.to_timedelta(off_start, "D")
    end = first + pd.to_timedelta(off_end - 1, "D")
    p = pd.DataFrame({
        "buyer": c["buyer"].to_numpy()[ci], "buyer_siret": c["buyer_siret"].to_numpy()[ci],
        "contract_id": c["contract_id"].to_numpy()[ci], "category": c["category"].to_numpy()[ci],
        "start_date": start, "end_date": end, "rate": rate[ci],
    })
    split = (p["start_date"] < OPEN_MISSION_START) & (p["end_date"] > EXTRACTION_DATE)
    tail = p[split].assign(start_date=OPEN_MISSION_START)
    p.loc[split, "end_date"] = OPEN_MISSION_START - pd.Timedelta(days=1)
    p = pd.concat([p, tail]).sort_values(["buyer_siret", "contract_id", "start_date"],
                                         kind="stable").reset_index(drop=True)
    p["hours"] = p["rate"] * ((p["end_date"] - p["start_date"]).dt.days + 1)
    p = p.drop(columns="rate")
    p = p[p["start_date"] <= EXTRACTION_DATE].copy()
    ongoing = p["end_date"] > EXTRACTION_DATE
    worked = (EXTRACTION_DATE - p["start_date"]).dt.days + 1
    p.loc[ongoing, "hours"] = p.loc[ongoing, "hours"] / (
        (p.loc[ongoing, "end_date"] - p.loc[ongoing, "start_date"]).dt.days + 1) * worked[ongoing]
    p.loc[ongoing, "end_date"] = pd.NaT
    p["hours"] = p["hours"].round(1)
    p = p[p["hours"] > 0].sort_values(["buyer_siret", "contract_id", "start_date"],
                                       kind="stable").reset_index(drop=True)
    return _people(rng, p)


def _people(rng: np.random.Generator, p: pd.DataFrame) -> pd.DataFrame:
    """Who holds each mission (H3 sex law, returners) and how it ends (H2 law)."""
    n = len(p)
    p_f = p["category"].map(H3_P_WOMAN).to_numpy()
    p["sex"] = np.where(rng.random(n) < p_f, "F", "M")
    bands = list(AGE_BAND_P)
    band = rng.choice(len(bands), size=n, p=list(AGE_BAND_P.values()))
    lo = np.array([b[0] for b in bands])[band]
    hi = np.array([b[1] for b in bands])[band]
    age = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(int)
    p["birth_year"] = p["start_date"].dt.year.to_numpy() - age
    p["diploma_level"] = rng.choice(list(DIPLOMA_P), size=n, p=list(DIPLOMA_P.values()))
    p["person"] = np.arange(n)

    # Returners: a share of missions go to someone whose earlier mission (same buyer and sector)
    # ended at least two weeks before; they keep that person's identity and profile.
    returner = rng.random(n) < RETURNER_SHARE
    donor_u = rng.random(n)
    for _, g in p.groupby(["buyer", "category"], sort=True):
        pos = g.index.to_numpy()
        donors = pos[~returner[pos] & g["end_date"].notna().to_numpy()]
        order = np.argsort(p.loc[donors, "end_date"].to_numpy(), kind="stable")
        donors = donors[order]
        donor_end = p.loc[donors, "end_date"].to_numpy()
        rec = pos[returner[pos]]
        limit = (p.loc[rec, "start_date"] - pd.Timedelta(days=14)).to_numpy()
        count = np.searchsorted(donor_end, limit, side="right")
        ok = count > 0
        pick = donors[np.floor(donor_u[rec[ok]] * count[ok]).astype(int)]
        for col in ("sex", "birth_year", "diploma_level", "person"):
            p.loc[rec[ok], col] = p.loc[pick, col].to_numpy()

    p["modality"] = rng.choice(list(MODALITY_P), size=n, p=list(MODALITY_P.values()))
    age_now = p["start_date"].dt.year - p["birth_year"]
    age_band = np.where(age_now < 26, "<26", np.where(age_now < 50, "26-49", "50+"))
    via = p["modality"].isin(["mise_a_disposition", "sous_traitance_siae"]).to_numpy()

    cats = {"DELD": rng.random(n) < PUBLIC_P["DELD"], "RSA": rng.random(n) < PUBLIC_P["RSA"],
            "RQTH": rng.random(n) < PUBLIC_P["RQTH"],
            "JEUNE_MOINS_26": (age_now < 26).to_numpy(),
            "SENIOR_50": (age_now >= 50).to_numpy(), "QPV": rng.random(n) < PUBLIC_P["QPV"],
            "SIAE": rng.random(n) < np.where(via, 0.5, 0.05)}
    cats["AUTRE"] = ~np.logical_or.reduce(list(cats.values()))
    joined = pd.Series([""] * n, index=p.index)
    for name, flag in cats.items():
        joined = joined + np.where(flag, name + ";", "")
    p["public_categories"] = joined.str.rstrip(";")

    lin = (H2_B0 + H2_VIA_STRUCTURE_LOG_OR * via + p["sex"].map(H2_SEX).to_numpy()
           + pd.Series(age_band).map(H2_AGE_BAND).to_numpy()
           + p["diploma_level"].map(H2_DIPLOMA).to_numpy())
    durable = rng.random(n) < expit(lin)
    other = rng.choice(list(H2_NOT_DURABLE), size=n, p=list(H2_NOT_DURABLE.values()))
    p["exit_outcome"] = np.where(p["end_date"].isna(), "en_cours",
                                 np.where(durable, "emploi_durable", other))

    # Pseudonymous ids: numbered in order of first appearance.
    first_seen = p.drop_duplicates("person")["person"].to_numpy()
    mapping = pd.Series([f"P{i + 1:06d}" for i in range(len(first_seen))], index=first_seen)
    p["beneficiary_id"] = p["person"].map(mapping)
    return p


# ---------------------------------------------------------------------------------------------
def _env_considerations(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(np.array(["Pas de considération environnementale",
                                "Clause environnementale", "Critère environnemental"]),
                      size=n, p=[0.6, 0.3, 0.1])


def _records(rng: np.random.Generator, c: pd.DataFrame) -> list[dict]:
    """DECP 2022 records (schema v2.0.3: every required field, no extra field)."""
    n = len(c)
    framework = rng.random(n) < 0.35
    avance = rng.random(n) < 0.3
    offers = np.where(c["ctype"].str.startswith("RESERVED"), rng.integers(1, 4, n),
                      rng.integers(1, 9, n))
    env = _env_considerations(rng, n)
    revisable = rng.random(n) < 0.5
    ccag = np.select(
        [c["category"] == "works", c["cpv"].str[:2].isin(["72", "48"]),
         c["cpv"].str[:2] == "71", c["cpv"] == "79530000"],
        ["Travaux", "Techniques de l'information et de la communication", "Maitrise d'œuvre",
         "Prestations intellectuelles"], "Fournitures courantes et services")
    procedure = np.where(c["amount"] >= c["eu_threshold"],
                         np.where(rng.random(n) < 0.85, "Appel d'offres ouvert",
                                  "Procédure avec négociation"), "Procédure adaptée")
    subcontract = rng.random(n) < 0.1
    out = []
    for i, r in enumerate(c.itertuples(index=False)):
        rec = {
            "id": r.contract_id,
            "acheteur": {"id": r.buyer_siret},
            "nature": "Marché",
            "objet": r.objet,
            "codeCPV": r.cpv,
            "techniques": {"technique": ["Accord-cadre" if framework[i] else "Sans objet"]},
            "modalitesExecution": {"modaliteExecution": [
                "Bons de commande" if framework[i] else "Sans objet"]},
            "marcheInnovant": False,
            "ccag": str(ccag[i]),
            "offresRecues": int(offers[i]),
            "attributionAvance": bool(avance[i]),
            "tauxAvance": 0.05 if avance[i] else 0.0,
            "typeGroupementOperateurs": "Conjoint" if len(r.holders) > 1 else "Pas de groupement",
            "sousTraitanceDeclaree": bool(subcontract[i]),
            "procedure": str(procedure[i]),
            "lieuExecution": {"code": _dept(r.buyer), "typeCode": "Code département"},
            "dureeMois": int(r.duration_months),
            "dateNotification": r.notification_date.strftime("%Y-%m-%d"),
            "datePublicationDonnees": r.publication_date.strftime("%Y-%m-%d"),
            "montant": float(r.amount),
            "typesPrix": {"typePrix": ["Définitif révisable" if revisable[i]
                                       else "Définitif ferme"]},
            "formePrix": "Unitaire" if framework[i] else (
                "Forfaitaire" if r.category == "works" else "Mixte"),
            "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": h}}
                           for h in r.holders],
            "considerationsSociales": {"considerationSociale": list(r.considerations)},
            "considerationsEnvironnementales": {"considerationEnvironnementale": [str(env[i])]},
        }
        out.append(rec)
    return out


def _dept(buyer: str) -> str:
    return next(s.dept for s in BUYERS if s.key == buyer)


REPUBLISHED_PLAIN = 5      # same record published again, later datePublicationDonnees
REPUBLISHED_MODIFIED = 3   # republished with a modification raising montant (+10 % to +25 %)


def _republications(rng: np.random.Generator, c: pd.DataFrame,
                    records: list[dict]) -> tuple[list[tuple[int, dict]], pd.DataFrame]:
    """Pick contracts to republish; return (year of the file, record) and updated amounts.

    Republished copies go to the file of the following year (2025 contracts: same file). The
    modified ones are all above the threshold, so their scope does not change.
    """
    eligible = np.flatnonzero((c["scope"] == "above").to_numpy()
                              & (c["special"] == "").to_numpy()
                              & (c["notification_date"].dt.month <= 11).to_numpy())
    pick = rng.choice(eligible, size=REPUBLISHED_PLAIN + REPUBLISHED_MODIFIED, replace=False)
    pick = np.sort(pick)
    modified = set(rng.choice(pick, size=REPUBLISHED_MODIFIED, replace=False).tolist())
    out = []
    c = c.copy()
    c["republished"] = ""
    for i in pick:
        rec = json.loads(json.dumps(records[i]))
        notified = c.at[i, "notification_date"]
        later = c.at[i, "publication_date"] + pd.Timedelta(days=int(rng.integers(60, 200)))
        rec["datePublicationDonnees"] = later.strftime("%Y-%m-%d")
        if i in modified:
            new_amount = round(float(c.at[i, "amount"]) * float(rng.uniform(1.10, 1.25)), 2)
            mod_notified = later - pd.Timedelta(days=int(rng.integers(3, 20)))
            rec["modifications"] = [{"modification": {
                "id": 1, "montant": new_amount,
                "dateNotificationModification": mod_notified.strftime("%Y-%m-%d"),
                "datePublicationDonneesModification": later.strftime("%Y-%m-%d")}}]
            c.at[i, "amount"] = new_amount
            c.at[i, "republished"] = "modified"
        else:
            c.at[i, "republished"] = "plain"
        out.append((min(int(notified.year) + 1, YEARS[-1]), rec))
    return out, c


def _write_json(path: Path, records: list[dict]) -> None:
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
    path.write_text('{"marches":{"marche":[\n' + ",\n".join(lines) + "\n]}}\n", encoding="utf-8")


def _write_csv(path: Path, df: pd.DataFrame) -> None:
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def generate(seed: int = SEED) -> dict[str, Any]:
    """Draw the whole demo dataset in memory.

    Returns the tables written to disk (``buyers``, ``suppliers``, ``clauses``,
    ``participations``) plus ``contracts`` (one row per uid, with the planted columns ``ctype``,
    ``category``, ``scope``, ``on_track``, ``delivery_factor``, amounts after modifications) and
    ``records`` / ``republished`` (DECP dicts) for the writer.
    """
    # One independent stream per step, so that changing one step leaves the others' draws alone.
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    buyer_sirets = {s.siret for s in BUYERS}
    suppliers = build_suppliers(rngs[0], buyer_sirets)
    companies = np.array(_sirets(rngs[0], N_COMPANIES, buyer_sirets | set(suppliers["siret"])))
    contracts = build_contracts(rngs[1], suppliers, companies)
    contracts = plant_delivery(rngs[2], contracts)
    participations = build_participations(rngs[3], contracts)
    records = _records(rngs[4], contracts)
    republished, contracts = _republications(rngs[5], contracts, records)
    buyers = pd.DataFrame({"siret": [s.siret for s in BUYERS], "name": [s.name for s in BUYERS],
                           "buyer_type": [s.buyer_type for s in BUYERS],
                           "facilitator_from": [FACILITATOR_FROM.get(s.key, "") for s in BUYERS]})
    followed = np.ones(len(contracts), dtype=bool)
    for key, since in FACILITATOR_FROM.items():
        followed &= ~((contracts["buyer"] == key)
                      & (contracts["notification_date"] < pd.Timestamp(since))).to_numpy()
    clauses = contracts.loc[(contracts["planned_hours"] > 0).to_numpy() & followed,
                            ["buyer_siret", "contract_id", "planned_hours"]].copy()
    clauses["planned_hours"] = clauses["planned_hours"].astype(int)
    unfollowed = set(contracts.loc[~followed, "buyer_siret"] + contracts.loc[~followed,
                                                                             "contract_id"])
    participations = participations[~(participations["buyer_siret"]
                                       + participations["contract_id"]).isin(unfollowed)]
    participations = participations.reset_index(drop=True)
    return {"buyers": buyers, "suppliers": suppliers, "contracts": contracts,
            "clauses": clauses, "participations": participations, "records": records,
            "republished": republished}


PARTICIPATION_OUT = ["buyer_siret", "contract_id", "beneficiary_id", "sex", "birth_year",
                     "diploma_level", "public_categories", "hours", "start_date", "end_date",
                     "modality", "exit_outcome"]


def write(out: Path, seed: int = SEED) -> list[Path]:
    """Generate and write the demo dataset into ``out``; return the files written (sorted)."""
    data = generate(seed)
    out.mkdir(parents=True, exist_ok=True)
    cdir = out / "contracts"
    cdir.mkdir(exist_ok=True)
    for old in cdir.glob("decp-*.json"):
        old.unlink()
    written: list[Path] = []
    c = data["contracts"]
    for year in YEARS:
        idx = np.flatnonzero((c["year"] == year).to_numpy())
        recs = [data["records"][i] for i in idx] + [r for y, r in data["republished"] if y == year]
        path = cdir / f"decp-{year}.json"
        _write_json(path, recs)
        written.append(path)
    p = data["participations"].copy()
    p["start_date"] = p["start_date"].dt.strftime("%Y-%m-%d")
    p["end_date"] = p["end_date"].dt.strftime("%Y-%m-%d").fillna("")
    p["hours"] = p["hours"].map("{:.1f}".format)
    tables = {"buyers.csv": data["buyers"], "suppliers.csv": data["suppliers"],
              "clauses.csv": data["clauses"].sort_values(["buyer_siret", "contract_id"]),
              "participations.csv": p[PARTICIPATION_OUT]}
    for name, df in tables.items():
        _write_csv(out / name, df)
        written.append(out / name)
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(DEMO_DIR),
                        help="output folder (default: data/demo under the project root)")
    args = parser.parse_args(argv)
    out = resolve_path(args.out)
    files = write(out)
    for f in files:
        print(f"wrote {f.relative_to(out)} ({f.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
