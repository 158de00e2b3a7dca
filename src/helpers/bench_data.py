"""Synthetic national year for the benchmark (``helpers.bench``): data drawn, then written in the
formats the project reads.

Shape of the year (fixed seed per size, vectorised with NumPy)
---------------------------------------------------------------
* **Buyers**: about N / 10 buyers for N contracts (50 000 at 500 000). Real DECP years have a few
  contracts per buyer: the e-marchespublics extract the tests read (four daily exports, July 2024)
  holds 526 distinct contracts from 103 buyers, 5.1 per buyer, median 2, 47 buyers with a single
  contract and the largest with 51; a whole year gives each buyer more contracts, hence 10. Sizes are
  skewed: every buyer has one contract, the others are shared in proportion to log-normal weights
  (σ = 1.6), which gives at 500 000 a median of 3 contracts, about a quarter of the buyers with a
  single contract, the largest 1 % holding about a quarter of the contracts and the largest buyer
  about 3 000. Costs that grow with the number of buyers (per-buyer tables, tests over buyers,
  ``buyers.csv``) are therefore measured at national scale.
* **Contracts**: notified in the year, amounts log-normal from the 40 000 € DECP floor (median
  ≈ 120 000 €); ≈ 12 % ``Clause sociale``, 6 % ``Critère social``, 1.5 % ``Marché réservé``
  (independent, so some contracts declare several: 18.7 % of contracts declared at least one social
  consideration nationally in 2023); 5 % modified once; 2 % republished (a second, older record of the
  same uid); 1-3 holders (1 % insertion structures, 80 % for reserved contracts).
* **Facilitator tables**, with the demo's ratios per clause contract: ``clauses.csv`` (95 % of clause
  contracts and 2.5 % of the others: ≈ 1.17 rows per declared clause), ``participations.csv``
  (missions for 90 % of the contracts with a clauses row — all undeclared ones —, 1 + Poisson(2.2)
  missions per contract, 1.1 missions per person), ``suppliers.csv`` (N / 100 insertion and ESS
  structures), ``buyers.csv`` (every buyer). Planned hours follow the usual sizing: amount × labour
  share (35 %) × insertion rate (5-20 %) / hourly cost (25-30 €).

Files (:func:`write_year`)
--------------------------
* ``data/contracts/decp-<year>.json``: the official DECP 2022 JSON (``{"marches": {"marche": [...]}}``,
  every field the schema v2.0.3 requires, one record per line, no optional empty arrays), written in
  chunks from pre-formatted columns (no ``json.dumps`` per record): :func:`write_decp_json`.
* ``decp-tabular-<year>.parquet``: the same contracts in the decp.info tabular layout
  (``schema_base.json``: one row per holder and per version, ``donneesActuelles`` marks the current
  version, considerations joined with ", ", "Sans objet" when none): :func:`write_tabular_parquet`.
* ``data/clauses.csv``, ``data/participations.csv``, ``data/suppliers.csv``, ``data/buyers.csv``.
* ``generated.json``: size, year, seed, generator version and the counts; a folder whose marker
  matches is reused as it is.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

GENERATOR_VERSION = 5
CONTRACTS_PER_BUYER = 10
BUYER_SIZE_SIGMA = 1.6
"""σ of the log-normal weights that share the contracts among buyers (see the module docstring)."""
MIN_BUYERS = 5
DEFAULT_YEAR = 2024
DEFAULT_SEED = 20240601
# Shares of contracts (national 2023: 18.7 % declared at least one social consideration, clauses first).
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


def n_buyers_for(n: int) -> int:
    """Number of buyers of a year of ``n`` contracts: ``n / CONTRACTS_PER_BUYER`` rounded, at least
    :data:`MIN_BUYERS`, at most ``n`` (every buyer has a contract)."""
    return min(n, max(MIN_BUYERS, round(n / CONTRACTS_PER_BUYER)))


def buyer_sizes(rng: np.random.Generator, n: int, n_buyers: int,
                sigma: float = BUYER_SIZE_SIGMA) -> np.ndarray:
    """Contracts per buyer, summing to ``n``: one each, the other ``n - n_buyers`` shared
    multinomially in proportion to log-normal(0, ``sigma``) weights (a few large buyers, many small
    ones)."""
    if not 1 <= n_buyers <= n:
        raise ValueError(f"buyer_sizes: need 1 <= n_buyers <= n, got n_buyers={n_buyers}, n={n}")
    weights = rng.lognormal(0.0, sigma, n_buyers)
    return 1 + rng.multinomial(n - n_buyers, weights / weights.sum())


def synthesize(n: int, year: int = DEFAULT_YEAR, seed: int = DEFAULT_SEED) -> SyntheticYear:
    """Draw a national-shaped year of ``n`` contracts (vectorised; see the module docstring)."""
    rng = np.random.default_rng([seed, n])
    n_buyers = n_buyers_for(n)
    buyer_sirets = _sirets(rng, n_buyers)
    buyers = pd.DataFrame({"siret": buyer_sirets,
                           "name": [f"Acheteur national {i:06d}" for i in range(n_buyers)],
                           "buyer_type": _pick(rng, BUYER_TYPES, n_buyers)})
    buyer_idx = rng.permutation(np.repeat(np.arange(n_buyers), buyer_sizes(rng, n, n_buyers)))

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

    # clauses: the usual sizing (amount × labour share × insertion rate / hourly cost)
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
    sizes = y.contracts["buyer_siret"].value_counts().to_numpy()
    counts = {**spec, "buyers": len(y.buyers), "buyers_with_contracts": int(sizes.size),
              "contracts_per_buyer": {
                  "mean": round(n / sizes.size, 2), "median": float(np.median(sizes)),
                  "largest": int(sizes.max()), "single_contract_buyers": int((sizes == 1).sum()),
                  "largest_1pct_share": round(float(np.sort(sizes)[::-1][: max(1, sizes.size // 100)]
                                                    .sum()) / n, 3)},
              "json_records": records, "tabular_rows": rows,
              "clauses": len(y.clauses), "participations": len(y.participations),
              "suppliers": len(y.suppliers),
              "json_mb": round((data / "contracts" / f"decp-{year}.json").stat().st_size / 2**20, 1),
              "parquet_mb": round((folder / f"decp-tabular-{year}.parquet").stat().st_size / 2**20, 1)}
    marker.write_text(json.dumps(counts, indent=1), encoding="utf-8")
    return counts

