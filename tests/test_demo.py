"""Tests of the demo dataset generator (helpers.demo) and of the committed ``data/demo/``.

The verdict check below is a deliberately small, independent re-implementation of the rules of
docs/design.md §3 with pandas and scipy (it does NOT use the project's indicator code): it
recomputes, from the committed files, each buyer's assessable and covered contracts, declared and
effective shares and verdict (with its own Benjamini-Hochberg step), and compares them with the
table documented in ``data/demo/README.md``.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import demo
from helpers.config import DEMO_DIR

LEADING_ZERO_BUYER = "07339905700014"
YEARS = (2022, 2023, 2024, 2025)
DTYPES = {"buyer_siret": str, "contract_id": str, "siret": str, "beneficiary_id": str}


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "README.md"}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    out = tmp_path_factory.mktemp("demo")
    t0 = time.perf_counter()
    demo.write(out)
    return out, time.perf_counter() - t0


# ---- independent reading of the demo files ---------------------------------------------------
def _contracts(root: Path) -> tuple[pd.DataFrame, int]:
    """One row per uid: latest datePublicationDonnees wins, montant updated by modifications."""
    rows = []
    for f in sorted((root / "contracts").glob("*.json")):
        for m in json.loads(f.read_text(encoding="utf-8"))["marches"]["marche"]:
            amount = m["montant"]
            for mod in m.get("modifications", []):
                amount = mod["modification"].get("montant", amount)
            rows.append({"buyer_siret": m["acheteur"]["id"], "contract_id": m["id"],
                         "notified": m["dateNotification"], "published": m["datePublicationDonnees"],
                         "amount": amount, "cpv": m["codeCPV"][:8], "duration": m["dureeMois"],
                         "cons": m["considerationsSociales"]["considerationSociale"],
                         "holders": [t["titulaire"]["id"] for t in m["titulaires"]]})
    raw = pd.DataFrame(rows)
    c = (raw.sort_values("published", kind="stable")
         .drop_duplicates(["buyer_siret", "contract_id"], keep="last").reset_index(drop=True))
    c["notified"] = pd.to_datetime(c["notified"])
    return c, len(raw) - len(c)


@pytest.fixture(scope="module")
def tables(demo_dir: Path) -> dict[str, pd.DataFrame]:
    return load_tables(demo_dir)


def load_tables(demo_dir: Path) -> dict[str, pd.DataFrame]:
    """Read the demo files with plain pandas (SIRETs and ids as strings) and classify contracts."""
    c, dropped = _contracts(demo_dir)
    buyers = pd.read_csv(demo_dir / "buyers.csv", dtype=DTYPES)
    clauses = pd.read_csv(demo_dir / "clauses.csv", dtype=DTYPES)
    parts = pd.read_csv(demo_dir / "participations.csv", dtype=DTYPES,
                        parse_dates=["start_date", "end_date"], keep_default_na=False,
                        na_values={"end_date": [""]})
    suppliers = pd.read_csv(demo_dir / "suppliers.csv", dtype=DTYPES)
    c = c.merge(buyers.rename(columns={"siret": "buyer_siret"}), on="buyer_siret", how="left")
    planned = clauses.groupby(["buyer_siret", "contract_id"], as_index=False)["planned_hours"].sum()
    c = c.merge(planned, on=["buyer_siret", "contract_id"], how="left")
    c["has_clause_row"] = c["planned_hours"].notna()
    c["planned_hours"] = c["planned_hours"].fillna(0.0)
    division = c["cpv"].str[:2].astype(int)
    c["category"] = np.where(division == 45, "works",
                             np.where((division <= 44) | (division == 48), "supplies", "services"))
    # EU thresholds of docs/design.md §3.1: (2022-23, 2024-25)
    ss = {"etat": (140_000, 143_000), "collectivite": (215_000, 221_000),
          "entite_adjudicatrice": (431_000, 443_000)}
    period = (c["notified"].dt.year >= 2024).astype(int)
    c["threshold"] = [(5_382_000, 5_538_000)[k] if cat == "works" else ss[bt][k]
                      for k, cat, bt in zip(period, c["category"], c["buyer_type"])]
    return {"contracts": c, "dropped": pd.DataFrame({"n": [dropped]}), "buyers": buyers,
            "clauses": clauses, "participations": parts, "suppliers": suppliers}


def _statuses(t: dict[str, pd.DataFrame], year: int, scope: str) -> pd.DataFrame:
    """Statuses of the contracts notified in ``year`` at as_of = 31 December."""
    as_of = pd.Timestamp(f"{year}-12-31")
    c = t["contracts"]
    x = c[c["notified"].dt.year == year].copy()
    if scope == "above":
        x = x[x["amount"] >= x["threshold"]]
    p = t["participations"]
    p = p[p["start_date"] <= as_of]
    whole = p["end_date"].isna() | (p["end_date"] <= as_of)
    share = np.where(whole, 1.0, ((as_of - p["start_date"]).dt.days + 1)
                     / ((p["end_date"] - p["start_date"]).dt.days + 1))
    realized = (p["hours"] * share).groupby([p["buyer_siret"], p["contract_id"]]).sum()
    x = x.join(realized.rename("realized"), on=["buyer_siret", "contract_id"])
    x["realized"] = x["realized"].fillna(0.0)
    months = (as_of - x["notified"]).dt.days / (365.25 / 12)
    expected = x["planned_hours"] * np.clip(months / x["duration"], 0, 1)
    # coverage: a facilitator row for the buyer, or a facilitator_from date; then by date
    with_rows = set(t["clauses"]["buyer_siret"]) | set(t["participations"]["buyer_siret"])
    since = pd.to_datetime(x["facilitator_from"])
    covered = (x["buyer_siret"].isin(with_rows) | since.notna()) & (since.isna()
                                                                    | (x["notified"] >= since))
    clause = x["cons"].map(lambda v: "Clause sociale" in v)
    crit = x["cons"].map(lambda v: "Critère social" in v)
    res = x["cons"].map(lambda v: "Marché réservé" in v)
    eligible = set(t["suppliers"].loc[t["suppliers"]["kind"] != "ESS", "siret"])
    verified_res = res & x["holders"].map(lambda h: any(s in eligible for s in h))
    r = x["realized"]
    delivered = (r > 0) & (~x["has_clause_row"] | (r >= 0.8 * expected))
    declared = clause | crit | res
    x["status"] = np.select(
        [months < 1, ~covered, declared & (verified_res | (clause & delivered)),
         declared & clause & (r > 0), declared & (clause | res), declared, delivered],
        ["NOT_DUE", "NOT_COVERED", "VERIFIED", "SHORTFALL", "NO_EVIDENCE", "UNVERIFIABLE",
         "UNDECLARED_DELIVERY"], "NOT_DECLARED")
    x["declared"] = declared
    x["effective"] = x["status"].isin(["VERIFIED", "UNDECLARED_DELIVERY"])
    return x


def _bh(p: dict) -> dict:
    """Benjamini-Hochberg by hand: q_(i) = min over j ≥ i of p_(j) · m / j."""
    keys = sorted(p, key=p.get)
    m, q, running = len(keys), {}, 1.0
    for rank in range(m, 0, -1):
        k = keys[rank - 1]
        running = min(running, p[k] * m / rank)
        q[k] = running
    return q


def _verdict_rows(t: dict[str, pd.DataFrame]) -> dict[tuple[str, str, int], tuple]:
    from scipy.stats import binom

    out = {}
    for year in YEARS:
        for scope in ("above", "all"):
            x = _statuses(t, year, scope)
            groups = [*x.groupby("buyer_siret"), ("ALL", x)]
            stats, pvals = {}, {}
            for key, g in groups:
                a = g[g["status"] != "NOT_DUE"]
                cov = a[a["status"] != "NOT_COVERED"]
                n, n_c = len(a), len(cov)
                d = a["declared"].mean() if n else float("nan")
                d_c = cov["declared"].mean() if n_c else float("nan")
                e = cov["effective"].mean() if n_c else float("nan")
                stats[key] = (n, n_c, int((g["status"] == "NOT_DUE").sum()), d, d_c, e)
                if n >= 5 and n_c >= 5:
                    pvals[key] = binom.cdf(int(cov["effective"].sum()), n_c, 0.30)
            q = _bh({k: v for k, v in pvals.items() if k != "ALL"})
            for key, (n, n_c, not_due, d, d_c, e) in stats.items():
                sig = (pvals.get("ALL", 1.0) if key == "ALL" else q.get(key, 1.0)) < 0.05
                verdict = ("insufficient_data" if n < 5 else "not_measured" if n_c < 5
                           else "compliant" if e >= 0.30
                           else ("social_washing" if sig else "possible_social_washing")
                           if d_c >= 0.30 else "below_target")
                out[(scope, key, year)] = (n, n_c, not_due, round(d, 3),
                                           None if n_c == 0 else round(e, 3), verdict)
    return out


def _readme_table() -> dict[tuple[str, str, int], tuple]:
    text = (DEMO_DIR / "README.md").read_text(encoding="utf-8")
    rows = {}
    pat = re.compile(r"^\| (above|all) \| (\d{14}|ALL) \| [^|]+ \| (\d{4}) \| (\d+) \| (\d+) \| "
                     r"(\d+) \| ([\d.]+) \| ([\d.]+|—) \| (\w+) \|$")
    for line in text.splitlines():
        m = pat.match(line)
        if m:
            rows[(m[1], m[2], int(m[3]))] = (int(m[4]), int(m[5]), int(m[6]), float(m[7]),
                                             None if m[8] == "—" else float(m[8]), m[9])
    return rows


# ---- tests -----------------------------------------------------------------------------------
def test_rerun_is_byte_identical_and_fast(regenerated: tuple[Path, float], demo_dir: Path) -> None:
    out, seconds = regenerated
    assert _hashes(out) == _hashes(demo_dir)
    assert len(_hashes(out)) == 8  # 4 DECP files + buyers, suppliers, clauses, participations
    assert seconds < 20


def test_demo_json_validates_against_official_schema(real_dir: Path, demo_dir: Path) -> None:
    import jsonschema

    schema = json.loads((real_dir / "decp-official-schema-139bercy" / "schema_decp_v2.0.3.json")
                        .read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    for f in sorted((demo_dir / "contracts").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        errors = list(validator.iter_errors(doc))
        assert errors == [], f"{f.name}: {errors[0].message if errors else ''}"
        assert len(doc["marches"]["marche"]) > 100


def test_total_size_under_10_mb(demo_dir: Path) -> None:
    total = sum(p.stat().st_size for p in demo_dir.rglob("*") if p.is_file())
    assert total < 10 * 1024 * 1024


def test_leading_zero_siret_survives_everywhere(demo_dir: Path) -> None:
    # Raw text check: the SIRET is written with its leading zero in every file.
    for name in ("buyers.csv", "clauses.csv", "participations.csv"):
        text = (demo_dir / name).read_text(encoding="utf-8")
        assert f"\n{LEADING_ZERO_BUYER}," in text, name
    for f in sorted((demo_dir / "contracts").glob("*.json")):
        ids = {m["acheteur"]["id"] for m in json.loads(f.read_text("utf-8"))["marches"]["marche"]}
        assert LEADING_ZERO_BUYER in ids, f.name  # a JSON string, 14 characters
    buyers = pd.read_csv(demo_dir / "buyers.csv", dtype=DTYPES)
    assert buyers.set_index("siret").loc[LEADING_ZERO_BUYER, "buyer_type"] == "entite_adjudicatrice"
    assert (buyers["siret"].str.len() == 14).all()


def test_luhn_digit_by_hand() -> None:
    # payload "7299": from the right 9*2=18->9, 9, 2*2=4, 7 -> 29; (10 - 9) % 10 = 1
    assert demo.luhn_digit("7299") == "1"
    # payload "0": 0*2 = 0 -> total 0 -> check digit 0
    assert demo.luhn_digit("0") == "0"


def test_sirets_are_fourteen_digit_luhn_strings(tables: dict[str, pd.DataFrame]) -> None:
    sirets = set(tables["buyers"]["siret"]) | set(tables["suppliers"]["siret"])
    sirets |= {h for hs in tables["contracts"]["holders"] for h in hs}
    for s in sirets:
        assert re.fullmatch(r"\d{14}", s), s
        assert demo.luhn_digit(s[:-1]) == s[-1], s
    assert any(s.startswith("0") for s in tables["suppliers"]["siret"])


def test_republications_are_planted(demo_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    rows = []
    for f in sorted((demo_dir / "contracts").glob("*.json")):
        for m in json.loads(f.read_text("utf-8"))["marches"]["marche"]:
            rows.append((m["acheteur"]["id"] + m["id"], m["datePublicationDonnees"],
                         m["montant"], m.get("modifications")))
    df = pd.DataFrame(rows, columns=["uid", "pub", "montant", "mods"])
    dup = df[df["uid"].duplicated(keep=False)].sort_values(["uid", "pub"])
    assert dup["uid"].nunique() == demo.REPUBLISHED_PLAIN + demo.REPUBLISHED_MODIFIED == 8
    assert int(tables["dropped"]["n"].iloc[0]) == 8
    for _, g in dup.groupby("uid"):
        first, last = g.iloc[0], g.iloc[-1]
        assert last["pub"] > first["pub"]
    modified = dup[dup["mods"].notna()]
    assert len(modified) == 3
    for _, m in modified.iterrows():
        assert m["mods"][0]["modification"]["montant"] > m["montant"]


def test_verdicts_match_readme_table(tables: dict[str, pd.DataFrame]) -> None:
    computed = _verdict_rows(tables)
    documented = _readme_table()
    assert len(documented) == len(computed) == 2 * 4 * 10  # 2 scopes x 4 years x (9 buyers + ALL)
    assert documented == computed


def test_planted_verdicts_with_margins(tables: dict[str, pd.DataFrame]) -> None:
    rows = _verdict_rows(tables)
    sirets = {b.key: b.siret for b in demo.BUYERS}
    # 2024 shows every verdict, each where it was planted
    planted_2024 = {"metropole": "compliant", "departement": "compliant", "undeclared": "compliant",
                    "washer": "social_washing", "borderline": "possible_social_washing",
                    "etat": "below_target", "small": "insufficient_data",
                    "opendata": "not_measured", "midyear": "compliant"}
    assert {k: rows[("above", s, 2024)][5] for k, s in sirets.items()} == planted_2024
    for year in YEARS:
        for key in ("metropole", "departement", "undeclared"):
            n, n_c, _, d, e, v = rows[("above", sirets[key], year)]
            assert v == "compliant" and e >= 0.35 and n >= 40, (key, year)
        n, n_c, _, d, e, v = rows[("above", sirets["washer"], year)]
        assert v == "social_washing" and d >= 0.5 and e <= 0.15 and n >= 40
        n, n_c, _, d, e, v = rows[("above", sirets["etat"], year)]
        assert v == "below_target" and d <= 0.25 and e <= 0.15
        assert rows[("above", sirets["small"], year)][0] < 5
        assert rows[("above", sirets["undeclared"], year)][3] < 0.20  # declares little
        assert rows[("above", sirets["metropole"], year)][0] >= 120
        n, n_c, _, d, e, v = rows[("above", sirets["opendata"], year)]
        assert n >= 5 and n_c == 0 and v == "not_measured" and d >= 0.30   # meets 30 % on paper
        # the mid-year buyer: not covered before its facilitator_from date (1 July 2024)
        n, n_c, _, d, e, v = rows[("above", sirets["midyear"], year)]
        assert (n_c == 0) if year < 2024 else (0 < n_c < n if year == 2024 else n_c == n)


def test_every_status_is_planted_each_year(tables: dict[str, pd.DataFrame]) -> None:
    for year in YEARS:
        x = _statuses(tables, year, "above")
        assert set(x["status"]) == {"VERIFIED", "NOT_DUE", "NOT_COVERED", "SHORTFALL",
                                    "NO_EVIDENCE", "UNVERIFIABLE", "UNDECLARED_DELIVERY",
                                    "NOT_DECLARED"}
        res = x[x["cons"].map(lambda v: "Marché réservé" in v)]
        assert (res["status"] == "VERIFIED").any() and (res["status"] == "NO_EVIDENCE").any()
        not_due = x[x["status"] == "NOT_DUE"]
        assert (not_due["notified"].dt.month == 12).all()
    c = tables["contracts"]
    below = c[c["amount"] < c["threshold"]]
    assert len(below) > 1000 and c["amount"].min() >= 40_000


def test_participation_rows_straddle_years_and_exits_cover_every_kind(
        tables: dict[str, pd.DataFrame]) -> None:
    p = tables["participations"]
    for year in (2022, 2023, 2024):
        end = pd.Timestamp(f"{year}-12-31")
        straddle = (p["start_date"] <= end) & (p["end_date"].isna() | (p["end_date"] > end))
        assert straddle.sum() > 50, year
    ongoing = p[p["end_date"].isna()]
    assert len(ongoing) > 100
    assert (ongoing["exit_outcome"] == "en_cours").all()
    assert (ongoing["start_date"] >= demo.OPEN_MISSION_START).all()
    ended = p[p["end_date"].notna()]
    assert (ended["exit_outcome"] != "en_cours").all()
    kinds = {"emploi_durable", "emploi_transition", "formation", "autre", "inconnu"}
    for year in YEARS:
        assert set(ended.loc[ended["end_date"].dt.year == year, "exit_outcome"]) == kinds, year
    assert (p["beneficiary_id"].str.fullmatch(r"P\d{6}")).all()
    assert p["beneficiary_id"].nunique() < len(p)  # some people have several missions


def test_metropole_is_in_the_order_of_the_seed_figures(tables: dict[str, pd.DataFrame]) -> None:
    m = "24339901100010"
    p = tables["participations"]
    p = p[p["buyer_siret"] == m]
    a, b = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31")
    end = p["end_date"].fillna(pd.Timestamp("2025-12-31"))
    live = (p["start_date"] <= b) & (end >= a)
    overlap = ((end.clip(upper=b) - p["start_date"].clip(lower=a)).dt.days + 1) / (
        (end - p["start_date"]).dt.days + 1)
    hours = (p["hours"] * overlap)[live].sum()
    people = p.loc[live, "beneficiary_id"].nunique()
    assert 380_000 <= hours <= 500_000 and 1_100 <= people <= 1_600
    c = tables["contracts"]
    c = c[c["buyer_siret"] == m]
    reserved = c[c["cons"].map(lambda v: "Marché réservé" in v)]
    assert reserved.groupby(reserved["notified"].dt.year).size().tolist() == [32, 41, 51, 60]
    it = c[c["contract_id"] == demo.IT_CONTRACT["contract_id"]].iloc[0]
    assert it["planned_hours"] == 7000
    delivered = tables["participations"].query("contract_id == 'M2022-IT01'")["hours"].sum()
    assert delivered == pytest.approx(35_000, abs=5)  # rounding of each row to 0.1 h


def test_planted_effects_show_in_raw_proportions(tables: dict[str, pd.DataFrame]) -> None:
    """Coarse, model-free checks (the hypotheses notebook estimates them properly)."""
    c = tables["contracts"]
    p = tables["participations"].merge(c[["buyer_siret", "contract_id", "category"]],
                                       on=["buyer_siret", "contract_id"])
    women = p.groupby("category")["sex"].apply(lambda s: (s == "F").mean())
    # H3 planted 0.15 / 0.45 / 0.35 (binomial SE at n ≈ 1 700-3 600 rows: ≤ 0.012, supplies 0.03)
    assert women["works"] == pytest.approx(0.15, abs=0.03)
    assert women["services"] == pytest.approx(0.45, abs=0.04)
    assert women["supplies"] == pytest.approx(0.35, abs=0.08)
    # H4: same intensity law in every sector (mean 1.2 h per 1 000 €)
    k = c[c["planned_hours"] > 0]
    intensity = (k["planned_hours"] / (k["amount"] / 1000)).groupby(k["category"]).mean()
    assert intensity.between(1.05, 1.35).all()
    # H2: durable exits more frequent through a structure than by direct hire
    e = p[p["exit_outcome"] != "en_cours"]
    durable = (e["exit_outcome"] == "emploi_durable").groupby(e["modality"]).mean()
    assert durable["mise_a_disposition"] > durable["embauche_directe"] + 0.08
    assert durable["sous_traitance_siae"] > durable["embauche_directe"] + 0.08
