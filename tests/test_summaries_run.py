"""The summaries step of ``python -m helpers run`` (helpers.summaries): one-page summaries (HTML, PDF)
for the whole scope and each summarised buyer, and each buyer's spreadsheet of declared contracts
that are not effective.

A small hand-built data directory: two buyers, contracts of 2023 and 2024, run for 2024 with
``scope: all`` and small cells allowed (so the few people's hours are published). Two runs of the
command through a subprocess (a cold run, then a warm rerun served by the results cache); the rules
about which buyers and which years are checked in process, without drawing any PDF.

The data, by hand (min_contracts 5, target 30 %, min_delivery_ratio 0.8):

Buyer A, "Ville de Testbourg" (21000000000017), followed by the facilitator (it has clause rows):
  2024: A24-1..A24-6 notified 2024-01-15 for 12 months;
    A24-1, A24-2 declare a social clause, planned 1000 h, realized 1000 h and 1200 h -> VERIFIED;
    A24-3 declares a clause, planned 1000 h, realized 10 h -> SHORTFALL (declared, not effective);
    A24-4 declares a clause, planned 1000 h, nobody -> NO_EVIDENCE (declared, not effective);
    A24-5, A24-6 declare nothing -> NOT_DECLARED.
    |A| = |C| = 6, effective 2/6 = 33.3 % >= 30 % -> compliant; hours 1000 + 1200 + 10 = 2 210 h.
  2023: A23-1..A23-5 notified 2023-03-01; A23-1 declares a clause, planned 500 h, realized 500 h in
    2023; hours of 2023 = 500 h.
Buyer B, "Syndicat des Essais" (25000000000021), no facilitator row, 2024 only:
  B24-1 declares a clause, B24-2 and B24-3 nothing; not followed by the facilitator -> NOT_COVERED;
  |A| = 3 < 5 -> insufficient_data; its declared, not effective contract: B24-1. No 2023 contract:
  its page shows "—" in last year's column.
"""

from __future__ import annotations

import csv
import html.parser
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers import labels, report_safety, summaries
from helpers.config import PROJECT_ROOT
from helpers.params import load_params

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "notebooks"))
from one_cell import one_cell_notebooks as _one_cell  # noqa: E402

A, B = "21000000000017", "25000000000021"
NAMES = {A: "Ville de Testbourg", B: "Syndicat des Essais"}
PARAMS_YAML = "scope: all\nmin_cell_size: 1\nallow_small_cells: true\n"
PARTICIPATION_HEADER = ("buyer_siret,contract_id,beneficiary_id,sex,birth_year,diploma_level,"
                        "public_categories,hours,start_date,end_date,modality,exit_outcome\n")
DASH = "—"


def _contract(buyer: str, cid: str, date: str, clause: bool) -> dict:
    return {"id": cid, "acheteur": {"id": buyer}, "nature": "Marché", "objet": f"Travaux {cid}",
            "codeCPV": "45233140-2", "procedure": "Procédure adaptée", "dureeMois": 12,
            "dateNotification": date, "datePublicationDonnees": date, "montant": 100000 + 1000 *
            int(cid[-1]),
            "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "11111111100011"}}],
            "considerationsSociales": {"considerationSociale":
                                       "Clause sociale" if clause else
                                       "Pas de considération sociale"},
            "modifications": []}


def build_data(folder: Path) -> Path:
    """The data directory of the module docstring."""
    (folder / "contracts").mkdir(parents=True)
    marches = [_contract(A, f"A24-{i}", "2024-01-15", i <= 4) for i in range(1, 7)]
    marches += [_contract(A, f"A23-{i}", "2023-03-01", i == 1) for i in range(1, 6)]
    marches += [_contract(B, f"B24-{i}", "2024-02-01", i == 1) for i in range(1, 4)]
    (folder / "contracts" / "decp.json").write_text(
        json.dumps({"marches": {"marche": marches}}, ensure_ascii=False), encoding="utf-8")
    (folder / "buyers.csv").write_text(
        "siret,name,buyer_type,facilitator_from\n"
        f"{A},{NAMES[A]},collectivite,\n{B},{NAMES[B]},collectivite,\n", encoding="utf-8")
    (folder / "clauses.csv").write_text(
        "buyer_siret,contract_id,planned_hours\n"
        + "".join(f"{A},A24-{i},1000\n" for i in range(1, 5)) + f"{A},A23-1,500\n",
        encoding="utf-8")
    people = [("A24-1", "P1", 1000, "2024-02-01", "2024-06-30"),
              ("A24-2", "P2", 1200, "2024-02-01", "2024-06-30"),
              ("A24-3", "P3", 10, "2024-02-01", "2024-06-30"),
              ("A23-1", "P4", 500, "2023-04-01", "2023-09-30")]
    (folder / "participations.csv").write_text(
        PARTICIPATION_HEADER + "".join(
            f"{A},{cid},{pid},F,1990,bac,DELD,{hours},{start},{end},embauche_directe,"
            "emploi_durable\n" for cid, pid, hours, start, end in people), encoding="utf-8")
    return folder


def one_cell_notebooks(folder: Path) -> Path:
    return _one_cell(folder, "01_year", "print('year', year)")


def normalise(text: str) -> str:
    """Text with every kind of space (no-break, narrow no-break, new line) as one plain space."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


class _Tables(html.parser.HTMLParser):
    """The cells of every row of every table of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(normalise("".join(self._cell)))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def key_figures(page: Path) -> dict[str, list[str]]:
    """The key-figures table of a summary page: label -> [this year, last year], and the header
    under the key ``""``."""
    parser = _Tables()
    parser.feed(page.read_text(encoding="utf-8"))
    header = labels.label("indicator", "fr")
    table = next(t for t in parser.tables if t and t[0][0] == header)
    return {"": table[0][1:], **{row[0]: row[1:] for row in table[1:]}}


def run_cli(*args: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg", "SCA_CACHE_DIR": str(cache_dir),
           "PYTHONPATH": str(PROJECT_ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "helpers", "run", *args], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != report_safety.MARKER and p.suffix in (".html", ".pdf", ".xlsx")
            and not p.name.startswith("01_")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("summaries")
    data = build_data(base / "data")
    (base / "params.yaml").write_text(PARAMS_YAML, encoding="utf-8")
    nbs = one_cell_notebooks(base / "nbs")
    out = base / "out"
    args = ("--year", "2024", "--data-dir", str(data), "--params", str(base / "params.yaml"),
            "--notebooks", str(nbs), "--out", str(out))
    first = run_cli(*args, cache_dir=base / "cache")
    cold = tree(out / "2024") if first.returncode == 0 else {}
    second = run_cli(*args, cache_dir=base / "cache")
    return {"data": data, "out": out, "year": out / "2024", "first": first, "second": second,
            "cold": cold}


# --------------------------------------------------------------------------------------------------
# through the command line
# --------------------------------------------------------------------------------------------------

def test_run_writes_the_summaries_and_lists_them_in_the_marker(runs: dict) -> None:
    assert runs["first"].returncode == 0, runs["first"].stderr[-3000:]
    assert "summaries written: whole scope and 2 buyer(s)" in runs["first"].stderr
    year = runs["year"]
    expected = ["summary.html", "summary.pdf"] + [f"buyers/{s}.{ext}" for s in (A, B)
                                                  for ext in ("html", "pdf", "xlsx")]
    for rel in expected:
        assert (year / rel).is_file(), rel
    listed = set(report_safety.read_marker(year)["files"])
    assert set(expected) <= listed  # the next run may replace them
    index = (year / "index.html").read_text(encoding="utf-8")
    for rel in expected:
        assert f'href="{rel}"' in index, rel
    assert NAMES[A] in index
    root = (runs["out"] / "index.html").read_text(encoding="utf-8")
    assert 'href="2024/summary.pdf"' in root and 'href="2024/summary.html"' in root


def test_buyer_pdf_is_one_page_with_name_verdict_and_hours(runs: dict) -> None:
    from pypdf import PdfReader

    assert runs["first"].returncode == 0, runs["first"].stderr[-3000:]
    buyers = {r["buyer_siret"]: r for r in read_csv(runs["year"] / "buyers.csv")}
    # by hand: A effective 2/6 = 33.3 % >= 30 % -> compliant; B |A| = 3 < 5 -> insufficient_data
    assert buyers[A]["verdict"] == "compliant" and buyers[B]["verdict"] == "insufficient_data"
    for siret, hours in ((A, "2 210 h"), (B, "0 h")):  # A: 1000 + 1200 + 10 h in 2024
        reader = PdfReader(runs["year"] / "buyers" / f"{siret}.pdf")
        assert len(reader.pages) == 1
        text = normalise(reader.pages[0].extract_text())
        assert NAMES[siret] in text and siret in text
        assert normalise(labels.label(buyers[siret]["verdict"], "fr", kind="verdict")) in text
        assert hours in text, text
    whole = PdfReader(runs["year"] / "summary.pdf")
    assert len(whole.pages) == 1
    assert normalise(labels.label("whole_scope", "fr")) in normalise(whole.pages[0].extract_text())


def test_last_year_column_dash_without_data_value_otherwise(runs: dict) -> None:
    assert runs["first"].returncode == 0, runs["first"].stderr[-3000:]
    hours = labels.label("hours", "fr")
    a = key_figures(runs["year"] / "buyers" / f"{A}.html")
    # A: 2 210 h this year; 2023 (A23-1, 500 h) recomputed with as_of 31/12/2023
    assert a[""] == ["2024", "2023"] and a[hours] == ["2 210 h", "500 h"]
    assert a[labels.label("assessable_contracts", "fr")] == ["6", "5"]
    # B holds no contract notified in 2023: every value of last year's column is "—"
    b = key_figures(runs["year"] / "buyers" / f"{B}.html")
    assert b.pop("") == ["2024", "2023"]
    assert b[hours][0] == "0 h" and {v[1] for v in b.values()} == {DASH}
    # whole scope: A's and B's 2024 contracts (6 + 3 assessable), A's 2023 contracts (5)
    whole = key_figures(runs["year"] / "summary.html")
    assert whole[labels.label("assessable_contracts", "fr")] == ["9", "5"]
    assert whole[hours] == ["2 210 h", "500 h"]


def test_spreadsheet_rows_are_the_buyers_declared_not_effective_contracts(runs: dict) -> None:
    from openpyxl import load_workbook

    assert runs["first"].returncode == 0, runs["first"].stderr[-3000:]
    contracts = read_csv(runs["year"] / "contracts.csv")
    for siret, by_hand in ((A, {"A24-3", "A24-4"}), (B, {"B24-1"})):
        wanted = {r["contract_id"] for r in contracts if r["buyer_siret"] == siret
                  and r["declared"] == "True" and r["effective"] == "False"}
        assert wanted == by_hand
        sheet = load_workbook(runs["year"] / "buyers" / f"{siret}.xlsx").worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        got = [dict(zip(header, r)) for r in rows[1:]]
        cid = labels.label("contract_id", "fr", kind="header")
        buyer = labels.label("buyer_siret", "fr", kind="header")
        assert sorted(r[cid] for r in got) == sorted(wanted)
        assert {r[buyer] for r in got} == {siret}


def test_warm_rerun_restores_the_summaries_from_the_cache(runs: dict) -> None:
    second = runs["second"]
    assert second.returncode == 0, second.stderr[-3000:]
    assert "reused from the cache" in second.stderr
    assert "summaries written" not in second.stderr  # copied, not drawn again
    assert runs["cold"] and tree(runs["year"]) == runs["cold"]


# --------------------------------------------------------------------------------------------------
# the rules, in process (no PDF drawn)
# --------------------------------------------------------------------------------------------------

def test_summarised_buyers_named_or_most_assessable_ties_by_siret() -> None:
    table = pd.DataFrame({"buyer_siret": ["30000000000003", "10000000000001", "20000000000002",
                                          "40000000000004"],
                          "assessable_contracts": [5, 9, 9, 1]})
    params = load_params(None, year=2024)
    # 9 (ties: 1... before 2...), then 5, then 1
    assert summaries.summarised_buyers(table, params, limit=3) == [
        "10000000000001", "20000000000002", "30000000000003"]
    named = load_params(None, year=2024, buyers=["40000000000004", "10000000000001",
                                                 "40000000000004"])
    assert summaries.summarised_buyers(table, named) == ["40000000000004", "10000000000001"]


def test_plan_pages_last_year_only_where_the_data_has_contracts(tmp_path: Path) -> None:
    from helpers.indicators import compute_results
    from helpers.loader import load_data_dir

    data = load_data_dir(build_data(tmp_path / "data"))
    for year, whole, by_buyer in ((2024, True, {A: True, B: False}),
                                  (2023, False, {A: False})):  # no contract of 2022 at all
        params = load_params(None, year=year, scope="all", min_cell_size=1,
                             allow_small_cells=True, data_dir=str(tmp_path / "data"))
        results = compute_results(data, params)
        pages = summaries.plan_pages(data, params, results)
        assert pages[0].stem == "summary" and (pages[0].last_year is not None) == whole
        got = {p.buyer_siret: p.last_year is not None for p in pages[1:]}
        assert got == by_buyer  # 2023: B holds no contract of 2023, so it is not in buyers.csv
        if year == 2024:
            a = pages[1]
            assert a.stem == f"buyers/{A}" and a.last_year["year"] == 2023
            assert a.last_year["parameters"]["as_of"] == "2023-12-31"
            assert a.this_year["activity"]["hours"] == 2210  # 1000 + 1200 + 10
            assert a.last_year["activity"]["hours"] == 500
            assert a.title == f"{NAMES[A]} — SIRET {A}"
            # the buyer's row of the whole run: verdict and q-value of the family of buyers
            assert a.buyer_row["verdict"] == "compliant" and "q_value" in a.buyer_row
            assert sorted(a.contracts["contract_id"]) == ["A24-3", "A24-4"]


def test_pages_and_spreadsheets_in_the_language_of_the_run(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from helpers.indicators import compute_results
    from helpers.loader import load_data_dir

    data = load_data_dir(build_data(tmp_path / "data"))
    params = load_params(None, year=2024, scope="all", language="en")
    pages = summaries.plan_pages(data, params, compute_results(data, params))
    assert [p.lang for p in pages] == ["en", "en", "en"]
    # B's workbook only (no PDF page drawn): headers in English
    book = tmp_path / "b.xlsx"
    from helpers.spreadsheet import write_spreadsheet

    write_spreadsheet(book, pages[2].contracts, pages[2].lang, buyer_siret=B,
                      params=pages[2].spreadsheet)
    header = next(load_workbook(book).worksheets[0].iter_rows(values_only=True))
    assert labels.label("contract_id", "en", kind="header") in header
    assert labels.label("contract_id", "en", kind="header") != labels.label(
        "contract_id", "fr", kind="header")
