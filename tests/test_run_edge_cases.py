"""``run`` and ``run-all`` never fail on valid input: a single buyer, open DECP data alone, a buyer
with 0 of 7 declared contracts, and random small data directories (a property test).

Every case runs the real command in a subprocess, as a user would, and checks the exit code and
that every report file was written. Each run costs seconds, so the cases are few and small.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.config import PROJECT_ROOT

BUYER = "21330063500017"
OTHER = "24330031600013"
PART_HEADER = ("buyer_siret,contract_id,beneficiary_id,sex,birth_year,diploma_level,"
               "public_categories,hours,start_date,end_date,modality,exit_outcome\n")
CLAUSE_HEADER = "buyer_siret,contract_id,planned_hours\n"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-m", "helpers", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=900)


def record(buyer: str, cid: str, notified: str, amount: float, considerations: list[str],
           holders: tuple[str, ...] = ("41234567800011",)) -> dict:
    return {"id": cid, "acheteur": {"id": buyer}, "nature": "Marché", "objet": f"Objet {cid}",
            "codeCPV": "90910000", "procedure": "Appel d'offres ouvert", "dureeMois": 12,
            "dateNotification": notified, "datePublicationDonnees": notified, "montant": amount,
            "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": h}} for h in holders],
            "considerationsSociales": {"considerationSociale": considerations}}


def write_dir(root: Path, records: list[dict], clauses: list[str] | None = None,
              parts: list[str] | None = None, buyers: str | None = None) -> Path:
    (root / "contracts").mkdir(parents=True)
    (root / "contracts" / "decp.json").write_text(
        json.dumps({"marches": {"marche": records}}, ensure_ascii=False), encoding="utf-8")
    if clauses is not None:
        (root / "clauses.csv").write_text(CLAUSE_HEADER + "".join(clauses), encoding="utf-8")
    if parts is not None:
        (root / "participations.csv").write_text(PART_HEADER + "".join(parts), encoding="utf-8")
    if buyers is not None:
        (root / "buyers.csv").write_text(buyers, encoding="utf-8")
    return root


def year_reports(out: Path, year: int) -> Path:
    found = [p.parent for p in out.rglob("indicators.json") if p.parent.name == str(year)]
    assert len(found) == 1, f"expected one {year} report under {out}, found {found}"
    return found[0]


def assert_report_written(out: Path, year: int) -> dict:
    folder = year_reports(out, year)
    for name in ("indicators.json", "buyers.csv", "contracts.csv", "index.html"):
        assert (folder / name).is_file(), name
    htmls = list(folder.glob("*.html"))
    assert len(htmls) >= 5   # the four notebooks and the index
    for html in htmls:
        assert "Traceback" not in html.read_text(encoding="utf-8"), html.name
    return json.loads((folder / "indicators.json").read_text(encoding="utf-8"))


def test_run_all_single_buyer_writes_every_report(tmp_path: Path) -> None:
    # one buyer, 8 contracts over 2023-2024, 4 declaring a clause, facilitator rows for two of them
    recs = [record(BUYER, f"C{y}-{i}", f"{y}-0{i + 2}-10", 300_000.0,
                   ["Clause sociale"] if i % 2 else ["Pas de considération sociale"])
            for y in (2023, 2024) for i in range(4)]
    clauses = [f"{BUYER},C2024-1,100\n", f"{BUYER},C2024-3,80\n"]
    parts = [f"{BUYER},C2024-1,P1,F,1990,bac,DELD,100,2024-04-01,2024-06-30,embauche_directe,"
             "emploi_durable\n"]
    data = write_dir(tmp_path / "data", recs, clauses, parts)
    out = tmp_path / "out"
    proc = cli("run-all", "--years", "2023", "2024", "--data-dir", str(data), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    for year in (2023, 2024):
        assert_report_written(out, year)
    assert (out / "index.html").is_file() or any(out.rglob("index.html"))


def test_run_all_contracts_only_directory(tmp_path: Path) -> None:
    # open DECP data alone: 6 contracts in 2024, 3 declared -> declared share reported, not_measured
    recs = [record(BUYER, f"C{i}", f"2024-0{i + 2}-10", 300_000.0,
                   ["Clause sociale"] if i < 3 else []) for i in range(6)]
    data = write_dir(tmp_path / "data", recs)
    out = tmp_path / "out"
    proc = cli("run-all", "--years", "2024", "--data-dir", str(data), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    ind = assert_report_written(out, 2024)
    assert ind["verdict"] == "not_measured" and ind["declared"]["n"] == 3
    html = (year_reports(out, 2024) / "04_social_washing.html").read_text(encoding="utf-8")
    assert "facilitateur" in html.lower()   # the sentence saying why nothing is concluded


def test_run_all_buyer_with_zero_of_seven_declared(tmp_path: Path) -> None:
    # 7 covered contracts, none declared, none delivered: Wilson bounds at 0 must not break a chart
    recs = [record(BUYER, f"C{i}", f"2024-0{i + 2}-10", 300_000.0, []) for i in range(7)]
    recs += [record(OTHER, f"D{i}", f"2024-0{i + 2}-12", 300_000.0, ["Clause sociale"])
             for i in range(7)]
    data = write_dir(tmp_path / "data", recs, clauses=[], parts=[],
                     buyers=f"siret,name,buyer_type,facilitator_from\n{BUYER},Ville A,collectivite,"
                            f"2020-01-01\n{OTHER},Ville B,collectivite,2020-01-01\n")
    out = tmp_path / "out"
    proc = cli("run-all", "--years", "2024", "--data-dir", str(data), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    ind = assert_report_written(out, 2024)
    # 14 covered contracts, 7 declared (B's), 0 effective: declared 0.5 >= 0.3, binomial p =
    # 0.7^14 = 0.00678 < 0.05 -> social_washing for the whole scope
    assert ind["covered_contracts"] == 14 and ind["effective"]["n"] == 0
    assert ind["verdict"] == "social_washing"


CONSIDERATIONS = st.sampled_from([[], ["Clause sociale"], ["Critère social"], ["Marché réservé"],
                                  ["Pas de considération sociale"],
                                  ["Clause sociale", "Critère social"]])


@st.composite
def data_dirs(draw):
    n_buyers = draw(st.integers(1, 3))
    buyers = [f"2133006350{i:03d}7" for i in range(n_buyers)]
    recs, clauses, parts = [], [], []
    for b_i, buyer in enumerate(buyers):
        for i in range(draw(st.integers(0, 9))):
            cid = f"K{b_i}-{i}"
            month = draw(st.integers(1, 12))
            recs.append(record(buyer, cid, f"2024-{month:02d}-{draw(st.integers(1, 28)):02d}",
                               draw(st.sampled_from([45_000.0, 250_000.0, 6_000_000.0])),
                               draw(CONSIDERATIONS)))
            if draw(st.booleans()):
                clauses.append(f"{buyer},{cid},{draw(st.integers(0, 500))}\n")
            for p in range(draw(st.integers(0, 2))):
                parts.append(f"{buyer},{cid},P{b_i}{i}{p},{draw(st.sampled_from('FM'))},1985,bac,"
                             f"RSA,{draw(st.integers(1, 300))},2024-{month:02d}-01,,"
                             "embauche_directe,en_cours\n")
    if not recs:
        recs.append(record(buyers[0], "K0", "2024-03-03", 250_000.0, []))
    with_facilitator = draw(st.booleans())
    return recs, (clauses if with_facilitator else None), (parts if with_facilitator else None)


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=data_dirs())
def test_property_run_writes_a_report_on_random_valid_data(tmp_path_factory, case) -> None:
    recs, clauses, parts = case
    base = tmp_path_factory.mktemp("prop")
    data = write_dir(base / "data", recs, clauses, parts)
    params = base / "params.yml"
    params.write_text("scope: all\n", encoding="utf-8")
    out = base / "out"
    proc = cli("run", "--year", "2024", "--data-dir", str(data), "--params", str(params),
               "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_report_written(out, 2024)
