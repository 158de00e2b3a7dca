"""End to end: ``python -m helpers run`` as a user runs it (subprocess), on the demo data and on a data
directory holding only the real Mégalis DECP file (docs/design.md §4.2-§4.3; open data alone is a
valid input, §2.1).

One full run per data directory (module-scoped fixtures) keeps the file under a few minutes on two
cores; the reruns that only need the data files (determinism, leading-zero SIRET) use a one-cell
notebook folder (``--notebooks``), since ``indicators.json``/``buyers.csv``/``contracts.csv`` are
written by the run itself, before and independently of the notebooks.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.config import PROJECT_ROOT

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "notebooks"))
from one_cell import one_cell_notebooks as _one_cell  # noqa: E402

pytestmark = pytest.mark.timeout(600) if hasattr(pytest.mark, "timeout") else []

INDICATOR_KEYS = {"year", "parameters", "verdict", "significant", "declared", "effective",
                  "assessable_contracts", "gap", "status_counts", "activity", "reserved", "ess",
                  "data_quality", "suppressed"}
BUYER_COLUMNS = ["buyer_siret", "buyer_name", "assessable_contracts", "covered_contracts",
                 "declared_n", "declared_share", "declared_meets_target", "declared_covered_share",
                 "effective_n", "effective_share", "unsubstantiated_share", "gap_points", "mcnemar_p",
                 "binomial_p", "q_value", "verdict", "significant"]
STATUSES = {"VERIFIED", "NOT_DUE", "NOT_COVERED", "SHORTFALL", "NO_EVIDENCE", "UNVERIFIABLE",
            "UNDECLARED_DELIVERY", "NOT_DECLARED"}
YEAR_NOTEBOOKS = ["01_data_quality", "02_declared_share", "03_insertion_outcomes",
                  "04_social_washing"]
MEGALIS = "decp-v2-megalis-bretagne/decp-59920013600241-2024-07-09-01.json"
def one_cell_notebooks(folder: Path) -> Path:
    """One notebook declaring every parameter and printing the buyers it was given."""
    return _one_cell(folder, "01_buyers", "print('buyers:', buyers)")


BASE64_PNG = re.compile(r'(data:image/png;base64,|"image/png": ")[A-Za-z0-9+/=\\n]+')
PARTICIPATION_HEADER = ("buyer_siret,contract_id,beneficiary_id,sex,birth_year,diploma_level,"
                        "public_categories,hours,start_date,end_date,modality,exit_outcome\n")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-m", "helpers", "run", *args], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------------------------------
# the demo data
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> dict:
    base = tmp_path_factory.mktemp("e2e")
    out = base / "out"
    raw_before = digest(demo_dir)
    proc = run_cli("--year", "2024", "--data-dir", "data/demo", "--out", str(out))
    return {"base": base, "out": out, "year": out / "2024", "proc": proc,
            "raw_before": raw_before, "raw_after": digest(demo_dir), "demo_dir": demo_dir}


def test_run_succeeds_and_writes_every_file(demo_run: dict) -> None:
    proc = demo_run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    year = demo_run["year"]
    for name in ("indicators.json", "buyers.csv", "contracts.csv", "index.html"):
        assert (year / name).is_file(), name
    for stem in YEAR_NOTEBOOKS:
        assert (year / f"{stem}.ipynb").is_file() and (year / f"{stem}.html").is_file()
    assert len(list((year / "figures").glob("*.png"))) >= 10
    # one-page summaries: the whole scope and every buyer of buyers.csv (fewer than 20), with each
    # buyer's spreadsheet of declared contracts not effective
    sirets = [b["buyer_siret"] for b in read_csv(year / "buyers.csv")]
    assert (year / "summary.html").is_file() and (year / "summary.pdf").is_file()
    assert sorted(p.name for p in (year / "buyers").iterdir()) == sorted(
        f"{s}.{ext}" for s in sirets for ext in ("html", "pdf", "xlsx"))
    assert (demo_run["out"] / "index.html").is_file()
    # nothing else left in the output folder (no staging or backup folder)
    assert sorted(p.name for p in demo_run["out"].iterdir()) == ["2024", "index.html"]


def test_indicators_buyers_contracts_shapes(demo_run: dict) -> None:
    year = demo_run["year"]
    ind = json.loads((year / "indicators.json").read_text(encoding="utf-8"))
    assert INDICATOR_KEYS <= set(ind)
    assert ind["year"] == 2024 and ind["parameters"]["year"] == 2024
    assert {"n", "share", "ci95", "share_by_amount", "by_consideration"} <= set(ind["declared"])
    assert {"n", "share", "ci95", "share_by_amount"} <= set(ind["effective"])
    assert {"points", "ci95", "mcnemar_p", "declared_not_effective",
            "effective_not_declared"} <= set(ind["gap"])
    assert set(ind["status_counts"]) == STATUSES
    assert {"hours", "beneficiaries", "etp"} <= set(ind["activity"])
    with (year / "buyers.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == BUYER_COLUMNS
    contracts = read_csv(year / "contracts.csv")
    assert contracts and {r["status"] for r in contracts} <= STATUSES
    # one row per contract in scope, and the status counts add up to them
    assert len({r["uid"] for r in contracts}) == len(contracts)
    assert sum(ind["status_counts"].values()) == len(contracts)


# data/demo/README.md, "Expected verdicts", scope above, 2024: (assessable, verdict) per buyer; the
# README's table is checked against the files by an independent re-implementation (tests/test_demo.py)
PLANTED_2024 = {
    "24339901100010": (158, "compliant"),          # honest métropole: effective 0.481
    "20009902600011": (56, "social_washing"),      # clear washer: declared 0.625, effective 0.054
    "22339903100010": (76, "compliant"),           # honest département: effective 0.368
    "21339904100010": (48, "compliant"),           # delivers without declaring: effective 0.438
    "07339905700014": (3, "insufficient_data"),    # too small: 3 < min_contracts 5
    "13009906200015": (66, "below_target"),        # État: declared 0.227, effective 0.091
    "25339907580008": (17, "not_measured"),        # DECP records only: nothing covered
    "21339908290007": (27, "possible_social_washing"),  # borderline: 0.481 / 0.259, q 0.96
    "20009909100007": (34, "compliant"),           # facilitator data from 1 July: 14 covered
}


def test_planted_verdicts_are_recovered(demo_run: dict) -> None:
    year = demo_run["year"]
    buyers = {b["buyer_siret"]: b for b in read_csv(year / "buyers.csv")}
    got = {s: (int(b["assessable_contracts"]), b["verdict"]) for s, b in buyers.items()}
    assert got == PLANTED_2024
    # the washer is flagged significantly (exact binomial p <= 2e-4 per the README)
    assert buyers["20009902600011"]["significant"] == "True"
    ind = json.loads((year / "indicators.json").read_text(encoding="utf-8"))
    # whole scope: 485 assessable, 9 NOT_DUE, 448 covered, declared 0.489 (over A), effective
    # 0.326 (over C) -> compliant
    assert ind["assessable_contracts"] == 485 and ind["status_counts"]["NOT_DUE"] == 9
    assert ind["covered_contracts"] == 448 and ind["verdict"] == "compliant"
    assert round(ind["declared"]["share"], 3) == 0.489 and round(ind["effective"]["share"], 3) == 0.326
    # the 04 notebook names the washer's contracts behind the flag
    html = (year / "04_social_washing.html").read_text(encoding="utf-8")
    assert "20009902600011" in html
    assert "Affichage social sans réalisation (écart significatif)" in html  # the French label


def test_html_has_no_code_and_index_links_everything(demo_run: dict) -> None:
    year = demo_run["year"]
    for stem in YEAR_NOTEBOOKS:
        html = (year / f"{stem}.html").read_text(encoding="utf-8")
        assert "nb.setup(" not in html and "figures.show(" not in html, stem
        assert "data:image/png;base64" in html  # figures embedded
        assert "Traceback" not in html
    index = (year / "index.html").read_text(encoding="utf-8")
    for target in [f"{s}.html" for s in YEAR_NOTEBOOKS] + ["indicators.json", "buyers.csv",
                                                           "contracts.csv", "summary.pdf"]:
        assert f'href="{target}"' in index


def test_raw_inputs_unchanged(demo_run: dict) -> None:
    assert demo_run["raw_after"] == demo_run["raw_before"]


def test_no_beneficiary_identifier_in_any_written_file(demo_run: dict) -> None:
    demo = demo_run["demo_dir"]
    files = sorted(demo.glob("participations.*"))
    assert files, "demo participations file missing"
    ids = {r["beneficiary_id"] for r in read_csv(files[0]) if r.get("beneficiary_id")}
    assert ids
    for path in demo_run["year"].rglob("*"):
        if path.is_file() and path.suffix in (".json", ".csv", ".html", ".ipynb", ".svg"):
            # embedded PNGs are base64: random letters that could spell an id by chance
            text = BASE64_PNG.sub("", path.read_text(encoding="utf-8"))
            leaked = [i for i in ids if i in text]
            assert not leaked, f"{path.name} contains beneficiary ids {leaked[:3]}"


def test_rerun_gives_byte_identical_data_files(demo_run: dict) -> None:
    nbs = one_cell_notebooks(demo_run["base"] / "nbs-rerun")
    # recomputed from the raw files (--no-cache): the computation itself is deterministic
    out2 = demo_run["base"] / "rerun"
    proc = run_cli("--year", "2024", "--data-dir", "data/demo", "--out", str(out2),
                   "--notebooks", str(nbs), "--no-cache")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "reused from the cache" not in proc.stderr and "data loaded" in proc.stderr
    # served by the results cache the first run filled: the same bytes, nothing loaded
    out3 = demo_run["base"] / "rerun-cached"
    proc = run_cli("--year", "2024", "--data-dir", "data/demo", "--out", str(out3),
                   "--notebooks", str(nbs))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "reused from the cache" in proc.stderr and "data loaded" not in proc.stderr
    for name in ("indicators.json", "buyers.csv", "contracts.csv"):
        first = (demo_run["year"] / name).read_bytes()
        assert (out2 / "2024" / name).read_bytes() == first, name
        assert (out3 / "2024" / name).read_bytes() == first, name


def test_failing_run_keeps_previous_report_byte_for_byte(demo_run: dict) -> None:
    before = digest(demo_run["out"])
    bad = demo_run["base"] / "bad-data"
    shutil.copytree(demo_run["demo_dir"], bad)
    part = sorted(bad.glob("participations.*"))[0]
    text = part.read_text(encoding="utf-8")
    header, first = text.splitlines()[:2]
    # a corrupt row: negative hours and an impossible date, appended to a valid file
    cols = header.split(",") if "," in header else header.split(";")
    sep = "," if "," in header else ";"
    values = first.split(sep)
    values[cols.index("hours")] = "-12"
    values[cols.index("start_date")] = "2024-02-31"
    part.write_text(text.rstrip("\n") + "\n" + sep.join(values) + "\n", encoding="utf-8")
    proc = run_cli("--year", "2024", "--data-dir", str(bad), "--out", str(demo_run["out"]))
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert part.name in proc.stderr and "hours" in proc.stderr
    assert digest(demo_run["out"]) == before


def test_quarantine_writes_rejected_rows(demo_run: dict) -> None:
    bad = demo_run["base"] / "bad-data-q"
    shutil.copytree(demo_run["demo_dir"], bad)
    part = sorted(bad.glob("participations.*"))[0]
    lines = part.read_text(encoding="utf-8").splitlines()
    sep = "," if "," in lines[0] else ";"
    cols = lines[0].split(sep)
    values = lines[1].split(sep)
    values[cols.index("hours")] = "-12"
    part.write_text("\n".join([*lines, sep.join(values)]) + "\n", encoding="utf-8")
    out = demo_run["base"] / "quarantine"
    nbs = one_cell_notebooks(demo_run["base"] / "nbs-q")
    proc = run_cli("--year", "2024", "--data-dir", str(bad), "--out", str(out),
                   "--on-invalid", "quarantine", "--notebooks", str(nbs))
    assert proc.returncode == 0, proc.stderr[-3000:]
    rejected = read_csv(out / "2024" / "rejected" / "participations.csv")
    assert len(rejected) == 1 and "hours" in json.dumps(rejected[0])
    assert "beneficiary_id" not in rejected[0]
    ind = json.loads((out / "2024" / "indicators.json").read_text(encoding="utf-8"))
    assert ind["data_quality"]["rejected"]["participations"] == 1


def test_leading_zero_siret_from_yaml_survives(demo_run: dict) -> None:
    buyers = read_csv(demo_run["year"] / "buyers.csv")
    zero = sorted(b["buyer_siret"] for b in buyers if b["buyer_siret"].startswith("0"))
    assert zero, "the demo data has a buyer whose SIRET starts with 0"
    siret = zero[0]
    yaml_file = demo_run["base"] / "zero.yaml"
    yaml_file.write_text(f'year: 2024\nbuyers: ["{siret}"]\n', encoding="utf-8")
    out = demo_run["base"] / "zero"
    nbs = one_cell_notebooks(demo_run["base"] / "nbs-zero")
    proc = run_cli("--params", str(yaml_file), "--data-dir", "data/demo", "--out", str(out),
                   "--notebooks", str(nbs))
    assert proc.returncode == 0, proc.stderr[-3000:]
    year = out / "2024"
    assert [b["buyer_siret"] for b in read_csv(year / "buyers.csv")] == [siret]
    ind = json.loads((year / "indicators.json").read_text(encoding="utf-8"))
    assert ind["parameters"]["buyers"] == [siret]
    executed = nbformat.read(str(year / "01_buyers.ipynb"), as_version=4)
    assert f"buyers: ['{siret}']" in executed.cells[-1].outputs[0]["text"]


def test_unknown_parameter_in_yaml_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    yaml_file = tmp_path / "params.yaml"
    yaml_file.write_text("year: 2024\nmin_cell: 5\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("--params", str(yaml_file), "--out", str(out))
    assert proc.returncode == 2
    assert "min_cell" in proc.stderr
    assert not out.exists()


# --------------------------------------------------------------------------------------------------
# a data directory holding only the real Mégalis DECP file (5 contracts, none declaring)
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def megalis_dir(tmp_path_factory: pytest.TempPathFactory, real_dir: Path) -> Path:
    data = tmp_path_factory.mktemp("megalis") / "data"
    (data / "contracts").mkdir(parents=True)
    shutil.copy(real_dir / MEGALIS, data / "contracts")
    # header-only facilitator files: "no clause, no hours", and no buyer covered
    (data / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n", encoding="utf-8")
    (data / "participations.csv").write_text(PARTICIPATION_HEADER, encoding="utf-8")
    return data


def test_real_megalis_file_alone_default_scope(megalis_dir: Path) -> None:
    """The user's command on real DECP only: every notebook runs although the scope is empty (the 5
    works contracts, 15 800 to 146 780 EUR HT, are all below the 5 538 000 EUR works threshold)."""
    out = megalis_dir.parent / "out"
    proc = run_cli("--year", "2024", "--data-dir", str(megalis_dir), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    year = out / "2024"
    ind = json.loads((year / "indicators.json").read_text(encoding="utf-8"))
    assert ind["scope_contracts"] == 0 and ind["assessable_contracts"] == 0
    assert ind["verdict"] == "insufficient_data"  # |A| = 0 < min_contracts 5
    for stem in YEAR_NOTEBOOKS:
        html = (year / f"{stem}.html").read_text(encoding="utf-8")
        assert "Traceback" not in html


def test_real_megalis_file_alone_scope_all(megalis_dir: Path, tmp_path: Path) -> None:
    yaml_file = tmp_path / "params.yaml"
    yaml_file.write_text("scope: all\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("--year", "2024", "--data-dir", str(megalis_dir), "--params", str(yaml_file),
                   "--out", str(out), "--notebooks", str(one_cell_notebooks(tmp_path / "nbs")))
    assert proc.returncode == 0, proc.stderr[-3000:]
    ind = json.loads((out / "2024" / "indicators.json").read_text(encoding="utf-8"))
    # the 5 real contracts, all notified 2024-05-30, none declaring a social consideration; the
    # facilitator files are header-only, so the buyer has no facilitator row: not covered
    assert ind["status_counts"]["NOT_COVERED"] == 5
    assert ind["declared"]["n"] == 0 and ind["effective"]["n"] == 0
    # |A| = 5 >= min_contracts 5 but |C| = 0 < 5 -> not_measured: nothing concluded on delivery
    assert ind["assessable_contracts"] == 5 and ind["covered_contracts"] == 0
    assert ind["verdict"] == "not_measured" and ind["binomial_p"] is None
    assert ind["activity"]["hours"] == 0
