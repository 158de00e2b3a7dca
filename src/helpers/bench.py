"""National-scale benchmark (issue 6, item 4): ``python -m helpers bench --contracts N [N ...]``.

For each size N it generates a national-shaped year of synthetic data, then measures every step
**in its own process** and prints one JSON object per size.

Generated year (fixed seed per size; generation time is not measured)
--------------------------------------------------------------------
* about N contracts notified in ``--year`` from about N / 170 buyers (3 000 at 500 000), buyer sizes
  log-normal (a few very large buyers, many small ones); amounts log-normal from the 40 000 € DECP
  floor (median ≈ 120 000 €); ≈ 12 % ``Clause sociale``, 6 % ``Critère social``, 1.5 %
  ``Marché réservé`` (independent, so some contracts declare several); 5 % modified once; 2 %
  republished (a second, older record of the same uid); 1-3 holders.
* ``data/contracts/decp-<year>.json``: the official DECP 2022 JSON (``{"marches": {"marche": [...]}}``,
  every field the schema v2.0.3 requires, one record per line, no optional empty arrays), written in
  chunks from pre-formatted columns (no ``json.dumps`` per record).
* ``decp-tabular-<year>.parquet``: the same contracts in the decp.info tabular layout
  (``schema_base.json``: one row per holder and per version, ``donneesActuelles`` marks the current
  version, considerations joined with ", ", "Sans objet" when none).
* ``data/clauses.csv`` (95 % of clause contracts and 2.5 % of the others: ≈ 1.17 rows per declared
  clause, as in ``data/demo``), ``data/participations.csv`` (missions for 90 % of the contracts with a
  clauses row — all undeclared ones —, 1 + Poisson(2.2) missions per contract and 1.1 missions per
  person, as in the demo), ``data/suppliers.csv`` (N / 100 insertion and ESS structures),
  ``data/buyers.csv``. Declared shares are national, so the tables per contract are lighter than
  the demo's (a métropole-heavy set where 41 % of records declare a clause).

Steps measured (wall seconds of the operation itself, timed inside the child after its imports;
peak resident memory of the child from ``getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper process)
--------------------------------------------------------------------------------------------------
``naive_json`` (``json.load`` + ``pandas.json_normalize`` of ``marches.marche``), ``ingest_json``
and ``ingest_parquet`` (``helpers.io.contracts.read_contracts``), ``load_cold`` / ``load_warm``
(``helpers.cache.load_dataset`` on the data folder, empty then warm cache), ``indicators``
(``helpers.indicators.compute_results`` on the loaded dataset, only the computation timed),
``run_cold`` / ``run_warm`` (``python -m helpers run`` with an empty then a warm cache: whole
process wall time). A step whose module is missing is reported as ``null`` with the reason under
``skipped``; a step that fails is reported under ``errors``.

With ``--out`` the results of every size, the machine, the growth ratio (largest / smallest size)
and the targets of issue 6 (met or not) are written as one JSON file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import config

GENERATOR_VERSION = 4
CONTRACTS_PER_BUYER = 170
MIN_BUYERS = 5
DEFAULT_YEAR = 2024
DEFAULT_SEED = 20240601
# Shares of contracts (DESIGN §1: 18.7 % declared at least one consideration in 2023, clauses first).
P_CLAUSE, P_CRITERION, P_RESERVED = 0.12, 0.06, 0.015
P_MODIFIED, P_REPUBLISHED = 0.05, 0.02
# Per clause contract, the demo's ratios (data/demo: 1.17 clauses rows per declared clause, 95 % of
# them with missions, 3.2 missions per contract, 1.09 missions per person).
P_CLAUSE_ROW_DECLARED, P_CLAUSE_ROW_UNDECLARED = 0.95, 0.025
P_DELIVERED = 0.90
MISSIONS_PER_PERSON = 1.1
EXTRA_MISSIONS_MEAN = 2.2
COMPANIES_PER_CONTRACT = 1 / 3
STRUCTURES_PER_CONTRACT = 1 / 100
JSON_CHUNK = 20_000

# Issue 6 targets (checked on the largest size measured).
TARGETS = {
    "parquet_ingest_max_s": 3.0,
    "indicators_max_s": 5.0,
    "run_cold_max_s": 120.0,
    "json_ingest_max_rss_mb": 1024.0,
    "warm_over_cold_max": 0.25,
    "growth_max": 6.0,
}
TIME_KEYS = ("naive_json_s", "ingest_json_s", "ingest_parquet_s", "load_cold_s", "load_warm_s",
             "indicators_s", "run_cold_s", "run_warm_s")
REPEATED_STEPS = ("ingest_json", "ingest_parquet", "load_cold", "load_warm", "indicators")
"""Steps run ``--repeat`` times (best kept): the short reading and computing steps whose figures the
targets compare. The naive path (a reference, 30 s) and the runs (their own cache protocol) run once."""
GROWTH_TARGET_KEYS = ("ingest_json_s", "ingest_parquet_s", "load_cold_s", "indicators_s",
                      "run_cold_s", "run_warm_s")

CPV = [  # (code with check digit, weight, contract category: works / supplies / services)
    ("45000000-7", 6), ("45210000-2", 5), ("45233140-2", 4), ("45261000-4", 3), ("45310000-3", 4),
    ("45330000-9", 3), ("45400000-1", 4), ("45453000-7", 3), ("09310000-5", 1), ("30200000-1", 2),
    ("30192000-1", 2), ("33600000-6", 3), ("34100000-8", 2), ("15000000-8", 3), ("39000000-2", 2),
    ("50000000-5", 3), ("55520000-1", 3), ("60000000-8", 3), ("66000000-0", 1), ("71000000-8", 4),
    ("71300000-1", 2), ("72000000-5", 3), ("72200000-7", 2), ("77310000-6", 4), ("79000000-4", 3),
    ("79710000-4", 2), ("80000000-4", 2), ("85000000-9", 1), ("90910000-9", 4), ("90911200-8", 3),
]
OBJECTS = {
    "45": ["Travaux de voirie et réseaux divers",
           "Réhabilitation d'un groupe scolaire – lot gros œuvre",
           "Construction d'un gymnase – lot charpente", "Entretien des bâtiments communaux"],
    "other": ["Fourniture de denrées alimentaires pour la restauration collective",
              "Nettoyage des locaux administratifs", "Entretien des espaces verts",
              "Maintenance du parc informatique", "Prestations de transport scolaire",
              "Collecte et traitement des déchets", "Assistance à maîtrise d'ouvrage",
              "Fourniture de matériel de bureau"],
}
PROCEDURES = [("Procédure adaptée", 60), ("Appel d'offres ouvert", 25),
              ("Appel d'offres restreint", 3), ("Procédure avec négociation", 5),
              ("Marché passé sans publicité ni mise en concurrence préalable", 6),
              ("Dialogue compétitif", 1)]
DURATIONS = np.array([3, 6, 12, 12, 12, 24, 24, 36, 48])
BUYER_TYPES = [("collectivite", 85), ("etat", 8), ("entite_adjudicatrice", 7)]
STRUCTURE_KINDS = [("ACI", 25), ("EI", 14), ("AI", 9), ("ETTI", 5), ("EITI", 1), ("GEIQ", 3),
                   ("EA", 12), ("EATT", 1), ("ESAT", 15), ("ESS", 15)]
PUBLIC_SETS = ["DELD", "RSA", "RQTH", "JEUNE_MOINS_26", "SENIOR_50", "QPV", "SIAE", "AUTRE",
               "DELD;RSA", "JEUNE_MOINS_26;QPV", "RSA;QPV", "DELD;SENIOR_50", "RQTH;DELD"]
PUBLIC_WEIGHTS = [20, 15, 6, 14, 5, 6, 8, 3, 8, 6, 4, 3, 2]
DIPLOMAS = [("infra_bac", 55), ("bac", 25), ("superieur", 8), ("inconnu", 12)]
MODALITIES = [("embauche_directe", 45), ("mise_a_disposition", 30), ("sous_traitance_siae", 20),
              ("autre", 5)]
EXITS = [("emploi_durable", 25), ("emploi_transition", 22), ("formation", 12), ("autre", 18),
         ("inconnu", 23)]


def _pick(rng: np.random.Generator, table: Sequence[tuple[Any, float]], size: int) -> np.ndarray:
    """Draw ``size`` values of a (value, weight) table."""
    values = np.array([v for v, _ in table], dtype=object)
    w = np.array([w for _, w in table], dtype=float)
    return values[rng.choice(len(values), size=size, p=w / w.sum())]


def _sirets(rng: np.random.Generator, n: int, exclude: set[str] = frozenset()) -> np.ndarray:
    """``n`` distinct 14-digit SIRET strings (about 1 % with a leading zero)."""
    out: list[str] = []
    seen = set(exclude)
    while len(out) < n:
        raw = pd.Series(rng.integers(10**12, 10**14, size=2 * (n - len(out)) + 10)).astype(str)
        for s in raw.str.zfill(14).drop_duplicates():
            if s not in seen:
                seen.add(s)
                out.append(s)
                if len(out) == n:
                    break
    return np.array(out, dtype=object)


def _iso(days: np.ndarray) -> np.ndarray:
    """datetime64[D] -> 'YYYY-MM-DD' strings (object)."""
    return np.datetime_as_string(days, unit="D").astype(object)


# --------------------------------------------------------------------------------------------------
# synthetic year
# --------------------------------------------------------------------------------------------------


@dataclass
class SyntheticYear:
    """Column arrays of one generated year (one row per contract) and the other tables."""

    year: int
    contracts: pd.DataFrame     # one row per uid, current version, holders as lists
    modified: np.ndarray        # bool: has one modification
    initial_amount: np.ndarray
    initial_duration: np.ndarray
    mod_notification: np.ndarray  # datetime64[D]
    republished: np.ndarray     # indexes of contracts published twice (older duplicate record)
    clauses: pd.DataFrame
    participations: pd.DataFrame
    suppliers: pd.DataFrame
    buyers: pd.DataFrame


def synthesize(n: int, year: int = DEFAULT_YEAR, seed: int = DEFAULT_SEED) -> SyntheticYear:
    """Draw a national-shaped year of ``n`` contracts (vectorised; see the module docstring)."""
    rng = np.random.default_rng([seed, n])
    n_buyers = max(MIN_BUYERS, round(n / CONTRACTS_PER_BUYER))
    buyer_sirets = _sirets(rng, n_buyers)
    buyers = pd.DataFrame({"siret": buyer_sirets,
                           "name": [f"Acheteur national {i:05d}" for i in range(n_buyers)],
                           "buyer_type": _pick(rng, BUYER_TYPES, n_buyers)})
    weights = rng.lognormal(0.0, 1.3, n_buyers)
    buyer_idx = np.concatenate([np.arange(n_buyers)[: min(n, n_buyers)],
                                rng.choice(n_buyers, size=max(0, n - n_buyers),
                                           p=weights / weights.sum())])
    rng.shuffle(buyer_idx)

    n_structures = max(20, round(n * STRUCTURES_PER_CONTRACT))
    n_companies = max(100, round(n * COMPANIES_PER_CONTRACT))
    structures = _sirets(rng, n_structures, exclude=set(buyer_sirets))
    companies = _sirets(rng, n_companies, exclude=set(buyer_sirets) | set(structures))
    kinds = _pick(rng, STRUCTURE_KINDS, n_structures)
    suppliers = pd.DataFrame({"siret": structures, "kind": kinds,
                              "name": [f"Structure d'insertion {i:05d}" for i in range(n_structures)]})

    start = np.datetime64(f"{year}-01-01")
    days_in_year = int((np.datetime64(f"{year + 1}-01-01") - start).astype(int))
    notification = start + rng.integers(0, days_in_year, n).astype("timedelta64[D]")
    publication = notification + rng.integers(1, 60, n).astype("timedelta64[D]")
    amount = np.round(np.maximum(40_000.0, rng.lognormal(np.log(120_000), 1.1, n)), 2)
    cpv_w = np.array([w for _, w in CPV], dtype=float)
    cpv = np.array([c for c, _ in CPV], dtype=object)[rng.choice(len(CPV), n, p=cpv_w / cpv_w.sum())]
    duration = DURATIONS[rng.integers(0, len(DURATIONS), n)]
    clause = rng.random(n) < P_CLAUSE
    criterion = rng.random(n) < P_CRITERION
    reserved = rng.random(n) < P_RESERVED
    n_holders = rng.choice([1, 2, 3], size=n, p=[0.85, 0.10, 0.05])
    first = rng.integers(0, n_companies, n)  # three distinct companies per contract
    half = n_companies // 2
    holders_arr = companies[np.stack([first, (first + rng.integers(1, half, n)) % n_companies,
                                      (first + half + rng.integers(1, half, n)) % n_companies], axis=1)]
    from_registry = np.where(reserved, rng.random(n) < 0.8, rng.random(n) < 0.01)
    holders_arr[from_registry, 0] = structures[rng.integers(0, n_structures, int(from_registry.sum()))]
    holders = [list(row[:k]) for row, k in zip(holders_arr.tolist(), n_holders.tolist())]
    kinds_declared = ("Clause sociale", "Critère social", "Marché réservé")
    considerations = [[c for c, f in zip(kinds_declared, flags) if f]
                      or ["Pas de considération sociale"]
                      for flags in zip(clause.tolist(), criterion.tolist(), reserved.tolist())]
    works = pd.Series(cpv).str.startswith("45").to_numpy()
    objects = np.where(works, np.array(OBJECTS["45"], dtype=object)[rng.integers(0, 4, n)],
                       np.array(OBJECTS["other"], dtype=object)[rng.integers(0, 8, n)])
    contract_id = ("M" + pd.Series(np.arange(n)).astype(str).str.zfill(8)).to_numpy(object)
    buyer = buyer_sirets[buyer_idx]

    modified = rng.random(n) < P_MODIFIED
    initial_amount = amount.copy()
    initial_duration = duration.copy()
    amount = np.where(modified, np.round(amount * rng.uniform(1.0, 1.3, n), 2), amount)
    duration = np.where(modified, duration + 6, duration)
    mod_notification = notification + rng.integers(30, 200, n).astype("timedelta64[D]")
    republished = np.flatnonzero(rng.random(n) < P_REPUBLISHED)

    contracts = pd.DataFrame({
        "uid": buyer + contract_id, "buyer_siret": buyer, "contract_id": contract_id,
        "notification_date": notification, "publication_date": publication, "amount": amount,
        "cpv": cpv, "procedure": _pick(rng, PROCEDURES, n), "duration_months": duration,
        "social_considerations": considerations, "holders": holders, "subject": objects,
        "clause": clause, "criterion": criterion, "reserved": reserved,
    })

    # clauses: sizing of DESIGN §1 (amount × labour share × insertion rate / hourly cost)
    has_row = np.where(clause, rng.random(n) < P_CLAUSE_ROW_DECLARED,
                       rng.random(n) < P_CLAUSE_ROW_UNDECLARED)
    rows = np.flatnonzero(has_row)
    planned = np.round(amount[rows] * 0.35 * rng.uniform(0.05, 0.20, rows.size)
                       / rng.uniform(25, 30, rows.size))
    clauses = pd.DataFrame({"buyer_siret": buyer[rows], "contract_id": contract_id[rows],
                            "planned_hours": planned})

    # participations: missions of the contracts that deliver
    delivers = np.where(clause[rows], rng.random(rows.size) < P_DELIVERED, True)
    d_rows, d_planned = rows[delivers], planned[delivers]
    missions = 1 + rng.poisson(EXTRA_MISSIONS_MEAN, d_rows.size)
    c_of = np.repeat(np.arange(d_rows.size), missions)
    ratio = rng.uniform(0.4, 1.3, d_rows.size)
    hours = np.maximum(7.0, np.round(2 * (d_planned * ratio / missions)[c_of]) / 2)
    m = c_of.size
    notif = notification[d_rows][c_of]
    year_end = np.datetime64(f"{year}-12-31")
    room = np.maximum(1, (year_end - notif).astype(int))
    start_d = notif + (rng.random(m) * room).astype(int).astype("timedelta64[D]")
    length = np.maximum(14, np.ceil(hours / 30.0 * 7.0)).astype(int)
    end_d = start_d + length.astype("timedelta64[D]")
    ongoing = (end_d > year_end) & (rng.random(m) < 0.5)
    n_people = max(1, round(m / MISSIONS_PER_PERSON))
    person = np.concatenate([np.arange(n_people), rng.integers(0, n_people, m - n_people)])
    rng.shuffle(person)  # every person has at least one mission: m / n_people missions each
    sex = np.where(rng.random(n_people) < 0.38, "F", "M").astype(object)
    birth = rng.integers(year - 62, year - 17, n_people)
    diploma = _pick(rng, DIPLOMAS, n_people)
    w = np.array(PUBLIC_WEIGHTS, dtype=float)
    publics = np.array(PUBLIC_SETS, dtype=object)[rng.choice(len(PUBLIC_SETS), n_people, p=w / w.sum())]
    exits = np.where(ongoing, "en_cours", _pick(rng, EXITS, m)).astype(object)
    end_s = _iso(end_d)
    end_s[ongoing] = ""
    participations = pd.DataFrame({
        "buyer_siret": buyer[d_rows][c_of], "contract_id": contract_id[d_rows][c_of],
        "beneficiary_id": ("B" + pd.Series(person).astype(str).str.zfill(8)).to_numpy(object),
        "sex": sex[person], "birth_year": birth[person], "diploma_level": diploma[person],
        "public_categories": publics[person], "hours": hours, "start_date": _iso(start_d),
        "end_date": end_s, "modality": _pick(rng, MODALITIES, m), "exit_outcome": exits,
    })
    return SyntheticYear(year=year, contracts=contracts, modified=modified,
                         initial_amount=initial_amount, initial_duration=initial_duration,
                         mod_notification=mod_notification, republished=republished,
                         clauses=clauses, participations=participations, suppliers=suppliers,
                         buyers=buyers)


# --------------------------------------------------------------------------------------------------
# writers
# --------------------------------------------------------------------------------------------------


def _json_list(values: Sequence[str]) -> str:
    return "[" + ",".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def _titulaires(holders: list[str]) -> str:
    items = ('{"titulaire":{"typeIdentifiant":"SIRET","id":"' + h + '"}}' for h in holders)
    return "[" + ",".join(items) + "]"


def _money(values: np.ndarray) -> list[str]:
    return [repr(float(v)) for v in values.tolist()]


def write_decp_json(y: SyntheticYear, path: Path) -> int:
    """Write the official DECP JSON (one record per line, chunked). Returns the number of records."""
    c = y.contracts
    n = len(c)
    rng = np.random.default_rng([DEFAULT_SEED, n, 1])
    ids, buyers = c["contract_id"].tolist(), c["buyer_siret"].tolist()
    subjects = [json.dumps(s, ensure_ascii=False) for s in c["subject"].tolist()]
    cpv = c["cpv"].tolist()
    cpv = [v if i % 2 else v[:8] for i, v in enumerate(cpv)]  # half with the check digit, as published
    procedures = [json.dumps(p, ensure_ascii=False) for p in c["procedure"].tolist()]
    notif = _iso(c["notification_date"].to_numpy("datetime64[D]")).tolist()
    pub = _iso(c["publication_date"].to_numpy("datetime64[D]")).tolist()
    amounts_initial = _money(y.initial_amount)
    amounts = _money(c["amount"].to_numpy())
    durations_initial = [str(v) for v in y.initial_duration.tolist()]
    durations = [str(v) for v in c["duration_months"].tolist()]
    cons = {}
    considerations = []
    for lst in c["social_considerations"].tolist():
        key = tuple(lst)
        if key not in cons:
            cons[key] = '{"considerationSociale":' + _json_list(lst) + "}"
        considerations.append(cons[key])
    titulaires = [_titulaires(h) for h in c["holders"].tolist()]
    works = c["cpv"].str.startswith("45").to_numpy()
    ccag = np.where(works, "Travaux", "Fournitures courantes et services").tolist()
    offers = rng.integers(1, 12, n).tolist()
    dept = [f"{d:02d}" for d in rng.integers(1, 96, n).tolist()]
    mod_notif = _iso(y.mod_notification).tolist()
    mod_pub = _iso(y.mod_notification + np.timedelta64(5, "D")).tolist()
    modified = y.modified.tolist()

    def record(i: int, amount: str, duration: str, publication: str, with_mods: bool) -> str:
        mods = ""
        if with_mods and modified[i]:
            mods = (',"modifications":[{"modification":{"id":1,"dureeMois":' + durations[i]
                    + ',"montant":' + amounts[i] + ',"titulaires":' + titulaires[i]
                    + ',"dateNotificationModification":"' + mod_notif[i]
                    + '","datePublicationDonneesModification":"' + mod_pub[i] + '"}}]')
        return ('{"id":"' + ids[i] + '","acheteur":{"id":"' + buyers[i] + '"},"nature":"Marché",'
                '"objet":' + subjects[i] + ',"codeCPV":"' + cpv[i] + '",'
                '"techniques":{"technique":["Sans objet"]},'
                '"modalitesExecution":{"modaliteExecution":["Sans objet"]},'
                '"marcheInnovant":false,"ccag":"' + ccag[i] + '","offresRecues":' + str(offers[i])
                + ',"attributionAvance":false,"tauxAvance":0.0,'
                '"typeGroupementOperateurs":"Pas de groupement","sousTraitanceDeclaree":false,'
                '"procedure":' + procedures[i] + ',"lieuExecution":{"code":"' + dept[i]
                + '","typeCode":"Code département"},"dureeMois":' + duration
                + ',"dateNotification":"' + notif[i] + '","datePublicationDonnees":"' + publication
                + '","montant":' + amount + ',"typesPrix":{"typePrix":["Définitif révisable"]},'
                '"formePrix":"Forfaitaire","titulaires":' + titulaires[i]
                + ',"considerationsSociales":' + considerations[i]
                + ',"considerationsEnvironnementales":{"considerationEnvironnementale":'
                '["Pas de considération environnementale"]}' + mods + "}")

    path.parent.mkdir(parents=True, exist_ok=True)
    pub_days = c["publication_date"].to_numpy("datetime64[D]")[y.republished]
    notif_days = c["notification_date"].to_numpy("datetime64[D]")[y.republished]
    earlier = _iso(np.maximum(pub_days - np.timedelta64(10, "D"), notif_days)).tolist()
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write('{"marches":{"marche":[\n')
        first = True
        for lo in range(0, n, JSON_CHUNK):
            chunk = ",\n".join(record(i, amounts_initial[i], durations_initial[i], pub[i], True)
                               for i in range(lo, min(n, lo + JSON_CHUNK)))
            fh.write(chunk if first else ",\n" + chunk)
            first = False
        # republications: an older record of the same uid, with the amount first announced
        for lo in range(0, len(y.republished), JSON_CHUNK):
            part = y.republished[lo: lo + JSON_CHUNK].tolist()
            fh.write(",\n" + ",\n".join(record(i, amounts_initial[i], durations_initial[i],
                                               earlier[lo + k], False)
                                        for k, i in enumerate(part)))
        fh.write('\n],"contrat-concession":[]}}\n')
    return n + len(y.republished)


def write_tabular_parquet(y: SyntheticYear, path: Path) -> int:
    """Write the decp.info tabular layout (one row per holder and version). Returns the row count."""
    c = y.contracts
    cons = np.array([", ".join(v) if v != ["Pas de considération sociale"] else "Sans objet"
                     for v in c["social_considerations"].tolist()], dtype=object)
    base = pd.DataFrame({
        "uid": c["uid"], "id": c["contract_id"], "nature": "Marché", "acheteur_id": c["buyer_siret"],
        "objet": c["subject"], "montant": c["amount"], "codeCPV": c["cpv"].str[:8],
        "procedure": c["procedure"], "dureeMois": c["duration_months"].astype("int64"),
        "dateNotification": c["notification_date"].dt.date,
        "datePublicationDonnees": c["publication_date"].dt.date,
        "considerationsSociales": cons,
        "considerationsEnvironnementales": "Sans objet",
        "modification_id": np.where(y.modified, 1, 0), "donneesActuelles": True,
        "holders": c["holders"],
    })
    old = base.loc[y.modified].copy()
    old["montant"] = y.initial_amount[y.modified]
    old["dureeMois"] = y.initial_duration[y.modified]
    old["modification_id"] = 0
    old["donneesActuelles"] = False
    frame = pd.concat([base, old], ignore_index=True).explode("holders", ignore_index=True)
    frame = frame.rename(columns={"holders": "titulaire_id"})
    frame["titulaire_typeIdentifiant"] = "SIRET"
    frame["sourceDataset"] = "bench"
    schema = pa.schema([
        ("uid", pa.string()), ("id", pa.string()), ("nature", pa.string()),
        ("acheteur_id", pa.string()), ("objet", pa.string()), ("montant", pa.float64()),
        ("codeCPV", pa.string()), ("procedure", pa.string()), ("dureeMois", pa.int64()),
        ("dateNotification", pa.date32()), ("datePublicationDonnees", pa.date32()),
        ("considerationsSociales", pa.string()), ("considerationsEnvironnementales", pa.string()),
        ("modification_id", pa.int64()), ("donneesActuelles", pa.bool_()),
        ("titulaire_id", pa.string()), ("titulaire_typeIdentifiant", pa.string()),
        ("sourceDataset", pa.string()),
    ])
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return table.num_rows


def write_year(n: int, folder: Path, *, year: int = DEFAULT_YEAR, seed: int = DEFAULT_SEED
               ) -> dict[str, Any]:
    """Generate the year of ``n`` contracts into ``folder`` (``data/`` + the tabular Parquet), or
    reuse it when ``folder/generated.json`` says the same size, year, seed and generator made it."""
    spec = {"contracts": n, "year": year, "seed": seed, "generator_version": GENERATOR_VERSION}
    marker = folder / "generated.json"
    if marker.is_file():
        with_counts = json.loads(marker.read_text(encoding="utf-8"))
        if {k: with_counts.get(k) for k in spec} == spec:
            return with_counts
    if folder.exists():
        shutil.rmtree(folder)
    data = folder / "data"
    (data / "contracts").mkdir(parents=True)
    y = synthesize(n, year, seed)
    records = write_decp_json(y, data / "contracts" / f"decp-{year}.json")
    rows = write_tabular_parquet(y, folder / f"decp-tabular-{year}.parquet")
    y.clauses.to_csv(data / "clauses.csv", index=False, lineterminator="\n")
    y.participations.to_csv(data / "participations.csv", index=False, lineterminator="\n")
    y.suppliers.to_csv(data / "suppliers.csv", index=False, lineterminator="\n")
    y.buyers.to_csv(data / "buyers.csv", index=False, lineterminator="\n")
    counts = {**spec, "buyers": len(y.buyers), "json_records": records, "tabular_rows": rows,
              "clauses": len(y.clauses), "participations": len(y.participations),
              "suppliers": len(y.suppliers),
              "json_mb": round((data / "contracts" / f"decp-{year}.json").stat().st_size / 2**20, 1),
              "parquet_mb": round((folder / f"decp-tabular-{year}.parquet").stat().st_size / 2**20, 1)}
    marker.write_text(json.dumps(counts, indent=1), encoding="utf-8")
    return counts


# --------------------------------------------------------------------------------------------------
# measuring in child processes
# --------------------------------------------------------------------------------------------------

# Fresh wrapper: runs one command, then reports its wall time, the CPU time of its whole process tree
# and the peak RSS of the tree's largest process (getrusage(RUSAGE_CHILDREN) only covers children of
# this wrapper).
_WRAPPER = textwrap.dedent("""
    import json, resource, subprocess, sys, time
    cmd = json.loads(sys.argv[1])
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"rc": p.returncode, "wall_s": wall, "rss_mb": ru.ru_maxrss / 1024,
                      "cpu_s": ru.ru_utime + ru.ru_stime,
                      "stdout": p.stdout, "stderr": p.stderr[-4000:]}))
""")

_NAIVE = """
import json, sys, time
import pandas as pd
t0 = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as fh:
    doc = json.load(fh)
frame = pd.json_normalize(doc["marches"]["marche"])
print(json.dumps({"s": time.perf_counter() - t0, "rows": len(frame)}))
"""

_INGEST = """
import json, sys, time
import helpers.pandera_schemas  # the schemas' library, imported on first use: not reading work
from helpers.io.contracts import read_contracts
t0 = time.perf_counter()
contracts, rejected = read_contracts([sys.argv[1]])
print(json.dumps({"s": time.perf_counter() - t0, "rows": len(contracts)}))
"""

_LOAD = """
import json, sys, time
from helpers.cache import load_dataset
t0 = time.perf_counter()
ds = load_dataset(sys.argv[1])
print(json.dumps({"s": time.perf_counter() - t0, "rows": len(ds.contracts)}))
"""

_INDICATORS = """
import json, sys, time
from helpers.cache import load_dataset
from helpers.indicators import compute_results
from helpers.params import make_params
ds = load_dataset(sys.argv[1])
params = make_params({"year": int(sys.argv[2]), "data_dir": sys.argv[1]})
t0 = time.perf_counter()
res = compute_results(ds, params)
print(json.dumps({"s": time.perf_counter() - t0, "rows": len(ds.contracts)}))
"""


class StepFailed(RuntimeError):
    """A measured step exited non-zero or printed no result."""


def measure(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 3600.0
            ) -> dict[str, Any]:
    """Run ``cmd`` under a fresh wrapper process; return ``wall_s``, ``rss_mb`` and the JSON the
    command printed on its last stdout line (if any) under ``result``."""
    full_env = {**os.environ, **(env or {})}
    out = subprocess.run([sys.executable, "-c", _WRAPPER, json.dumps(cmd)], stdout=subprocess.PIPE,
                         text=True, env=full_env, timeout=timeout, check=True)
    info = json.loads(out.stdout)
    if info["rc"] != 0:
        raise StepFailed(f"{' '.join(cmd[:4])} ... exited with {info['rc']}: {info['stderr'].strip()}")
    lines = [ln for ln in info["stdout"].splitlines() if ln.strip()]
    result = None
    if lines:
        try:
            result = json.loads(lines[-1])
        except ValueError:
            result = None
    return {"wall_s": info["wall_s"], "rss_mb": info["rss_mb"], "cpu_s": info["cpu_s"],
            "result": result}


def _entries(cache_dir: Path) -> set[str]:
    """Names of the committed entries of a cache folder."""
    if not cache_dir.is_dir():
        return set()
    return {p.name for p in cache_dir.iterdir()
            if p.is_dir() and not p.name.startswith(".") and p.name not in ("fingerprints", "locks")}


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def bench_size(n: int, workdir: Path, *, year: int = DEFAULT_YEAR, seed: int = DEFAULT_SEED,
               steps: Sequence[str] | None = None, notebooks: Path | None = None,
               repeat: int = 1, log: Any = sys.stderr) -> dict[str, Any]:
    """Generate (or reuse) the year of ``n`` contracts under ``workdir/<n>/`` and measure each step.

    ``repeat``: the reading and indicator steps (:data:`REPEATED_STEPS`) run that many times, each in
    a fresh process, and the fastest is kept (``timeit``'s rule: on a shared machine the slower
    runs measure the neighbours); every sample is kept under ``samples_s``, and the memory figure
    is the largest peak of all of them.

    ``notebooks``: folder of the notebooks the ``run`` steps execute (default: the project's).
    """
    folder = workdir / str(n)
    print(f"[bench {n}] generating data in {folder}", file=log, flush=True)
    counts = write_year(n, folder, year=year, seed=seed)
    data = folder / "data"
    json_path = data / "contracts" / f"decp-{year}.json"
    parquet_path = folder / f"decp-tabular-{year}.parquet"
    py = sys.executable
    out: dict[str, Any] = {"contracts": n, "generated": counts}
    skipped: dict[str, str] = {}
    errors: dict[str, str] = {}
    wanted = set(steps) if steps else None

    def step(name: str, needs: Sequence[str], cmd: list[str], env: dict[str, str] | None = None,
             keys: tuple[str, ...] = (), inner: bool = True,
             reset: Callable[[], None] | None = None) -> None:
        asked = wanted is None or name in wanted or (name == "prewarm" and "run_warm" in wanted)
        if not asked:
            return
        missing = [m for m in needs if not _available(m)]
        if missing:
            skipped[name] = f"module {', '.join(missing)} not available"
            for k in keys:
                out[k] = None
            return
        print(f"[bench {n}] {name} ...", file=log, flush=True)
        if hasattr(os, "getloadavg"):  # other work on the machine inflates the figures: say so
            out.setdefault("load_avg_1min_before", {})[name] = round(os.getloadavg()[0], 2)
        samples = []
        try:
            for _ in range(repeat if name in REPEATED_STEPS else 1):
                if reset is not None:
                    reset()
                m = measure(cmd, env)
                samples.append((m["result"]["s"] if inner and m["result"] else m["wall_s"], m))
        except (StepFailed, subprocess.SubprocessError) as exc:
            errors[name] = str(exc)[-2000:]
            for k in keys:
                out[k] = None
            return
        seconds, m = min(samples, key=lambda sample: sample[0])
        out[keys[0]] = round(seconds, 3)
        if len(keys) > 1:
            out[keys[1]] = round(max(sample["rss_mb"] for _, sample in samples), 1)
        if len(samples) > 1:
            out.setdefault("samples_s", {})[name] = [round(s, 3) for s, _ in samples]
        out.setdefault("process_wall_s", {})[name] = round(m["wall_s"], 3)
        out.setdefault("process_cpu_s", {})[name] = round(m["cpu_s"], 3)
        if m["result"] and "rows" in m["result"]:
            out.setdefault("rows", {})[name] = m["result"]["rows"]
        print(f"[bench {n}] {name}: {seconds:.2f} s, peak {m['rss_mb']:.0f} MB", file=log, flush=True)

    cache_dir = folder / "cache"

    def empty_cache() -> None:
        if cache_dir.exists():
            shutil.rmtree(cache_dir)

    empty_cache()
    cache_env = {"SCA_CACHE_DIR": str(cache_dir)}
    step("naive_json", [], [py, "-c", _NAIVE, str(json_path)],
         keys=("naive_json_s", "naive_json_rss_mb"))
    step("ingest_json", ["helpers.io.decp_json"], [py, "-c", _INGEST, str(json_path)],
         keys=("ingest_json_s", "ingest_json_rss_mb"))
    step("ingest_parquet", ["helpers.io.decp_tabular"], [py, "-c", _INGEST, str(parquet_path)],
         keys=("ingest_parquet_s", "ingest_parquet_rss_mb"))
    step("load_cold", ["helpers.loader"], [py, "-c", _LOAD, str(data)], cache_env,
         keys=("load_cold_s", "load_cold_rss_mb"), reset=empty_cache)
    step("load_warm", ["helpers.loader"], [py, "-c", _LOAD, str(data)], cache_env,
         keys=("load_warm_s", "load_warm_rss_mb"))
    step("indicators", ["helpers.loader", "helpers.indicators"],
         [py, "-c", _INDICATORS, str(data), str(year)], cache_env,
         keys=("indicators_s", "indicators_rss_mb"))
    run_cache = {"SCA_CACHE_DIR": str(folder / "run-cache")}
    if (folder / "run-cache").exists():
        shutil.rmtree(folder / "run-cache")
    run_cmd = [py, "-m", "helpers", "run", "--year", str(year), "--data-dir", str(data),
               "--out", str(folder / "reports")]
    if notebooks is not None:
        run_cmd += ["--notebooks", str(notebooks)]
    step("run_cold", ["helpers.run", "helpers.loader", "helpers.indicators"], run_cmd, run_cache,
         keys=("run_cold_s", "run_cold_rss_mb"), inner=False)
    before_warm: set[str] = set()
    if wanted is None or "run_warm" in wanted:
        # Warm = the cache entry is valid when the run starts. The key covers the readers' source,
        # so an edit since the cold run (while developing) would make this run a cold one: load
        # once, untimed, so the timed run starts on a valid entry whatever happened in between.
        step("prewarm", ["helpers.run", "helpers.loader"], [py, "-c", _LOAD, str(data)], run_cache,
             keys=("prewarm_s",))
        out.pop("prewarm_s", None)
        before_warm = _entries(folder / "run-cache")
    step("run_warm", ["helpers.run", "helpers.loader", "helpers.indicators"], run_cmd, run_cache,
         keys=("run_warm_s", "run_warm_rss_mb"), inner=False)
    if out.get("run_warm_s") is not None and _entries(folder / "run-cache") != before_warm:
        out["run_warm_note"] = ("the cache key changed during the warm run (reader source edited "
                                "meanwhile): this warm figure includes a cold load")
    if skipped:
        out["skipped"] = skipped
    if errors:
        out["errors"] = errors
    return out


# --------------------------------------------------------------------------------------------------
# summary
# --------------------------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """The machine the figures come from (no host name)."""
    cpu = platform.processor()
    with_model = Path("/proc/cpuinfo")
    if with_model.is_file():
        for line in with_model.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        mem = float("nan")
    import ijson

    return {"cpu_count": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "pandas": pd.__version__, "numpy": np.__version__, "pyarrow": pa.__version__,
            "ijson_backend": ijson.backend}


def _ratio(a: Any, b: Any) -> float | None:
    numbers = isinstance(a, (int, float)) and isinstance(b, (int, float))
    return round(a / b, 3) if numbers and b > 0 else None


def _target(value: Any, limit: float) -> dict[str, Any]:
    met = None if value is None else bool(value <= limit)
    return {"value": value, "limit": limit, "met": met}


def summarize(results: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Growth ratio (largest / smallest size) and the issue 6 targets on the largest size.

    ``growth_ratio_cpu`` is the same ratio on the CPU seconds of each step's whole process (imports
    included): on a shared machine it is far less sensitive to other work than wall time."""
    sizes = sorted(results)
    big = results[sizes[-1]]
    growth: dict[str, Any] = {}
    if len(sizes) > 1:
        small = results[sizes[0]]
        growth = {k: _ratio(big.get(k), small.get(k)) for k in TIME_KEYS}
        growth["contracts"] = _ratio(sizes[-1], sizes[0])
        cpu_big, cpu_small = big.get("process_cpu_s", {}), small.get("process_cpu_s", {})
        growth_cpu = {k: _ratio(cpu_big.get(k), cpu_small.get(k)) for k in sorted(cpu_big)}
    targets = {
        "at_contracts": sizes[-1],
        "json_ingest_not_slower_than_naive": {
            "value": big.get("ingest_json_s"), "limit": big.get("naive_json_s"),
            "met": (None if big.get("ingest_json_s") is None or big.get("naive_json_s") is None
                    else bool(big["ingest_json_s"] <= big["naive_json_s"]))},
        "json_ingest_peak_rss_le_1gb": _target(big.get("ingest_json_rss_mb"),
                                               TARGETS["json_ingest_max_rss_mb"]),
        "parquet_ingest_le_3s": _target(big.get("ingest_parquet_s"), TARGETS["parquet_ingest_max_s"]),
        "indicators_le_5s": _target(big.get("indicators_s"), TARGETS["indicators_max_s"]),
        "run_cold_le_120s": _target(big.get("run_cold_s"), TARGETS["run_cold_max_s"]),
        "run_warm_le_quarter_of_cold": _target(_ratio(big.get("run_warm_s"), big.get("run_cold_s")),
                                               TARGETS["warm_over_cold_max"]),
    }
    if growth:
        worst = max((v for k, v in growth.items() if k in GROWTH_TARGET_KEYS and v is not None),
                    default=None)
        targets["growth_le_6x"] = {**_target(worst, TARGETS["growth_max"]),
                                   "keys": list(GROWTH_TARGET_KEYS),
                                   "note": f"largest ratio over the keys, sizes {sizes[0]} -> "
                                           f"{sizes[-1]}"}
    out: dict[str, Any] = {"growth_ratio": growth, "targets": targets}
    if len(sizes) > 1:
        out["growth_ratio_cpu"] = growth_cpu
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers bench --contracts N [N ...] [--out FILE] [--workdir DIR]``."""
    ap = argparse.ArgumentParser(prog="python -m helpers bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--contracts", type=int, nargs="+", required=True, metavar="N",
                    help="sizes to benchmark (contracts per generated year)")
    ap.add_argument("--out", help="write machine, results, growth ratio and targets to this JSON file")
    ap.add_argument("--workdir", help="where generated data, caches and reports go (kept); default: "
                                      "a temporary folder removed at the end")
    ap.add_argument("--year", type=int, default=DEFAULT_YEAR)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--steps", nargs="+", metavar="STEP",
                    help="measure only these steps (naive_json ingest_json ingest_parquet load_cold "
                         "load_warm indicators run_cold run_warm); default: all")
    ap.add_argument("--notebooks", type=Path,
                    help="folder of the notebooks the run steps execute (default: notebooks/; the "
                         "smoke test uses a subset to stay fast)")
    ap.add_argument("--repeat", type=int, default=1, metavar="K",
                    help="run each reading and indicator step K times, each in a fresh process, "
                         "and keep the fastest (all samples are reported); default 1")
    args = ap.parse_args(list(argv or []))
    if args.repeat < 1:
        ap.error("--repeat: must be at least 1")
    if any(n < 1 for n in args.contracts):
        ap.error("--contracts: sizes must be positive")
    tmp = None
    if args.workdir:
        workdir = config.resolve_path(args.workdir)
    else:
        tmp = tempfile.mkdtemp(prefix="sca-bench-")
        workdir = Path(tmp)
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Any]] = {}
    try:
        for n in sorted(set(args.contracts)):
            results[n] = bench_size(n, workdir, year=args.year, seed=args.seed, steps=args.steps,
                                    notebooks=args.notebooks, repeat=args.repeat)
            print(json.dumps(results[n], sort_keys=True), flush=True)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.out:
        doc = {"machine": machine_info(),
               "measured_on": dt.date.today().isoformat(),
               "results": {str(n): r for n, r in results.items()},
               **summarize(results)}
        out = config.resolve_path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"written {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
