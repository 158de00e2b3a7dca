"""Real open DECP data alone (the e-marchespublics daily exports of July 2024): the declared side is
reported, nothing is concluded about delivery, and every notebook runs.

The declared counts are recomputed here by an independent plain loop over the JSON records (uid =
acheteur.id + id, the latest datePublicationDonnees wins, ties to the later record of the later file)
and compared with the run's. Skipped when the real files are absent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from helpers.config import PROJECT_ROOT

FOLDER = "decp-json-2024-emarchespublics"
DECLARING = {"Clause sociale", "Critère social", "Marché réservé"}


def _plain_latest_records(files: list[Path]) -> dict[str, dict]:
    latest: dict[str, tuple[str, dict]] = {}
    for path in sorted(files, key=str):
        data = json.loads(path.read_text(encoding="utf-8"))
        for rec in data["marches"]["marche"]:
            uid = rec["acheteur"]["id"] + rec["id"]
            published = rec.get("datePublicationDonnees") or ""
            if uid not in latest or published >= latest[uid][0]:
                latest[uid] = (published, rec)
    return {uid: rec for uid, (_, rec) in latest.items()}


def _expected_2024(files: list[Path]) -> tuple[int, int, Counter]:
    """(assessable contracts, declared among them, declared per buyer) for year 2024, scope all:
    notified in 2024 and at least one month (30.4375 days) before 2024-12-31."""
    as_of = dt.date(2024, 12, 31)
    assessable = declared = 0
    per_buyer: Counter = Counter()
    for rec in _plain_latest_records(files).values():
        notified = dt.date.fromisoformat(rec["dateNotification"][:10])
        if notified.year != 2024 or (as_of - notified).days / (365.25 / 12) < 1:
            continue
        assessable += 1
        values = set((rec.get("considerationsSociales") or {}).get("considerationSociale") or [])
        if values & DECLARING:
            declared += 1
            per_buyer[rec["acheteur"]["id"]] += 1
    return assessable, declared, per_buyer


@pytest.fixture(scope="module")
def open_data_run(tmp_path_factory: pytest.TempPathFactory, real_dir: Path) -> dict:
    source = sorted((real_dir / FOLDER).glob("*.json"))
    assert source, f"no JSON file in {real_dir / FOLDER}"
    base = tmp_path_factory.mktemp("opendata")
    data = base / "data"
    (data / "contracts").mkdir(parents=True)
    for f in source:
        shutil.copy(f, data / "contracts")
    params = base / "params.yml"
    params.write_text("scope: all\n", encoding="utf-8")
    out = base / "out"
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    proc = subprocess.run([sys.executable, "-m", "helpers", "run", "--year", "2024", "--data-dir",
                           str(data), "--params", str(params), "--out", str(out)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    return {"proc": proc, "out": out, "source": source}


def _year_folder(out: Path) -> Path:
    found = sorted(p.parent for p in out.rglob("indicators.json"))
    assert found, f"no indicators.json under {out}"
    return found[0]


def test_contracts_only_run_succeeds(open_data_run: dict) -> None:
    proc = open_data_run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    folder = _year_folder(open_data_run["out"])
    for html in folder.glob("*.html"):
        assert "Traceback" not in html.read_text(encoding="utf-8"), html.name


def test_declared_counts_equal_an_independent_loop(open_data_run: dict) -> None:
    assessable, declared, per_buyer = _expected_2024(open_data_run["source"])
    ind = json.loads((_year_folder(open_data_run["out"]) / "indicators.json")
                     .read_text(encoding="utf-8"))
    assert ind["assessable_contracts"] == assessable
    assert ind["declared"]["n"] == declared
    assert ind["covered_contracts"] == 0 and ind["coverage"]["facilitator_data"] is False
    import csv

    with (_year_folder(open_data_run["out"]) / "buyers.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = {r["buyer_siret"].lstrip("'"): int(r["declared_n"]) for r in rows if int(r["declared_n"])}
    assert got == dict(per_buyer)


def test_no_verdict_on_delivery_without_facilitator_data(open_data_run: dict) -> None:
    import csv

    folder = _year_folder(open_data_run["out"])
    ind = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    assert ind["verdict"] in ("not_measured", "insufficient_data")
    assert ind["binomial_p"] is None and ind["significant"] is False
    with (folder / "buyers.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    assert {r["verdict"] for r in rows} <= {"not_measured", "insufficient_data"}
    assert {r["significant"] for r in rows} == {"False"}
    assert all(r["q_value"] == "" and r["binomial_p"] == "" for r in rows)
