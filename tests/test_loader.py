"""helpers.loader.load_data_dir: the data directory layout (docs/design.md §2.1), all problems at
once, quarantine, cross-checks.

Most tests replace the contract reader (helper A1's ``helpers.io.contracts.read_contracts``) by a
tiny double reading ``buyer_siret,contract_id`` CSV files, so that they test the loader alone; one
test runs the real reader on a real DECP file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from helpers import pandera_schemas as P
from helpers import schemas as S
from helpers.errors import InputError, Problem
from helpers.io import contracts as contract_io
from helpers.loader import load_data_dir

FIX = Path(__file__).parent / "fixtures" / "tables"


def fake_read_contracts(paths: list[Path], *, on_invalid: str = "strict",
                        quality: dict[str, Any] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Test double: each file is a CSV ``buyer_siret,contract_id``; a file whose name starts with
    ``bad`` raises a problem naming its row 2."""
    frames, problems = [], []
    for p in paths:
        if p.name.startswith("bad"):
            problems.append(Problem(p.name, "amount", "amount must be > 0", (2,)))
            continue
        df = pd.read_csv(p, dtype=str)
        frames.append(df.assign(source_file=p.name))
        if quality is not None:
            quality["files"].append({"table": "contracts", "file": p.name, "format": "fake",
                                     "rows_read": len(df)})
    if problems:
        raise InputError(problems)
    df = pd.concat(frames, ignore_index=True)
    n = len(df)
    out = pd.DataFrame({
        "uid": df["buyer_siret"] + df["contract_id"], "buyer_siret": df["buyer_siret"],
        "contract_id": df["contract_id"],
        "notification_date": pd.to_datetime(["2024-03-01"] * n),
        "publication_date": pd.to_datetime(["2024-03-02"] * n),
        "amount": [300000.0] * n, "cpv": ["45000000"] * n, "procedure": ["Appel d'offres"] * n,
        "duration_months": [12.0] * n, "social_considerations": [["Clause sociale"]] * n,
        "holders": [["00123456789012"]] * n, "subject": ["Travaux"] * n, "buyer_name": [None] * n,
        "source_file": df["source_file"],
    })
    return out.sort_values("uid").reset_index(drop=True), contract_io.empty_rejected()


@pytest.fixture
def fake_contracts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contract_io, "read_contracts", fake_read_contracts)


def make_dir(root: Path, *, participations_xlsx: bool = False) -> Path:
    """A complete data directory.

    contracts: 01234567890123/MARCHÉ-01 (a.csv), 21000000000017/C-2 and 33333333300033/C-9 (b.csv).
    clauses and participations: the fixture files (uids 0123...MARCHÉ-01 and 2100...C-2).
    buyers.csv lists 0123... (collectivité), 2100... (État) and 00012345600018 (no contract);
    33333333300033 is missing from it.
    suppliers/: the canonical CSV (3 SIRETs), a 2-record le-marche JSON, a 2-row ESAT list.
    """
    (root / "contracts" / "2024").mkdir(parents=True)
    (root / "contracts" / "a.csv").write_text("buyer_siret,contract_id\n01234567890123,MARCHÉ-01\n",
                                              encoding="utf-8")
    (root / "contracts" / "2024" / "b.csv").write_text(
        "buyer_siret,contract_id\n21000000000017,C-2\n33333333300033,C-9\n", encoding="utf-8")
    (root / "contracts" / ".DS_Store").write_bytes(b"\x00")  # hidden: skipped
    (root / "clauses.csv").write_bytes((FIX / "clauses_cp1252.csv").read_bytes())
    if participations_xlsx:
        from test_table_readers import write_participations_xlsx
        write_participations_xlsx(root / "participations.xlsx")
    else:
        (root / "participations.csv").write_bytes(
            (FIX / "participations_bom_semicolon.csv").read_bytes())
    (root / "buyers.csv").write_bytes((FIX / "buyers_cp1252.csv").read_bytes())
    sup = root / "suppliers"
    sup.mkdir()
    (sup / "a_suppliers.csv").write_bytes((FIX / "suppliers.csv").read_bytes())
    (sup / "b_siaes.json").write_text(json.dumps([
        {"model": "siaes.siae", "pk": 1, "fields": {"siret": "44444444400044", "kind": "ACI",
                                                    "name": "X", "email": "a@b.fr"}},
        {"model": "siaes.siae", "pk": 2, "fields": {"siret": "66666666600066", "kind": "GEIQ",
                                                    "name": "Y", "phone": "0102030405"}},
    ]), encoding="utf-8")
    (sup / "c_esat.csv").write_text(
        "ET-N°FINESS,ET-Raison sociale,ET-SIRET,ET-Email\n1,ESAT Un,77777777700077,e@x.fr\n"
        "2,ESAT Deux,,f@x.fr\n", encoding="utf-8")
    return root


def test_complete_directory(tmp_path: Path, fake_contracts: None) -> None:
    ds = load_data_dir(make_dir(tmp_path / "data", participations_xlsx=True))
    assert ds.contracts["uid"].tolist() == ["01234567890123MARCHÉ-01", "21000000000017C-2",
                                            "33333333300033C-9"]
    assert ds.clauses["planned_hours"].tolist() == [1500.5, 0.0]
    assert ds.participations["beneficiary_id"].tolist() == ["P001", "P002", "P003"]
    assert ds.participations["hours"].sum() == 120.5 + 1234.5 + 35  # = 1390.0
    # suppliers merged from 3 files: 3 (CSV) + 2 (JSON) + 1 (ESAT with a SIRET) = 6 rows, minus
    # 44444444400044 listed twice (EI in the CSV, ACI in the JSON: the first file wins) = 5
    assert ds.suppliers[["siret", "kind", "source"]].values.tolist() == [
        ["00123456789012", "ESAT", "a_suppliers.csv"],
        ["44444444400044", "EI", "a_suppliers.csv"],
        ["55555555500055", "ESS", "a_suppliers.csv"],
        ["66666666600066", "GEIQ", "b_siaes.json"],
        ["77777777700077", "ESAT", "c_esat.csv"],
    ]
    # buyers: the 3 of buyers.csv + 33333333300033 (contract buyer absent) typed collectivite
    assert ds.buyers[["siret", "buyer_type"]].values.tolist() == [
        ["00012345600018", "collectivite"], ["01234567890123", "collectivite"],
        ["21000000000017", "etat"], ["33333333300033", "collectivite"]]
    assert pd.isna(ds.buyers.loc[3, "name"])
    messages = [w["message"] for w in ds.quality["warnings"]]
    assert any(m.startswith("1 buyers of contracts not listed in buyers.csv") for m in messages)
    assert any("SIRETs appear in several supplier files" in m for m in messages)
    assert ds.quality["rejected"] == {t: 0 for t in sorted(
        ["contracts", "clauses", "participations", "suppliers", "buyers"])}
    assert ds.rejected == {}
    files = [(f["table"], f["file"]) for f in ds.quality["files"]]
    # contracts/ read recursively in sorted relative-path order, the hidden file skipped
    assert files[:2] == [("contracts", "b.csv"), ("contracts", "a.csv")]  # "2024/b.csv" < "a.csv"
    assert ("participations", "participations.xlsx") in files
    for name, schema in (("contracts", P.CONTRACTS_SCHEMA), ("clauses", P.CLAUSES_SCHEMA),
                         ("participations", P.PARTICIPATIONS_SCHEMA),
                         ("suppliers", P.SUPPLIERS_SCHEMA), ("buyers", P.BUYERS_SCHEMA)):
        schema.validate(getattr(ds, name))


def test_unmatched_clauses_and_participations_are_warnings(tmp_path: Path,
                                                           fake_contracts: None) -> None:
    root = make_dir(tmp_path / "data")
    (root / "contracts" / "2024" / "b.csv").unlink()   # C-2 is no longer a known contract
    ds = load_data_dir(root)
    assert len(ds.clauses) == 2 and len(ds.participations) == 3   # kept, not errors
    by_table = {w["table"]: w["message"] for w in ds.quality["warnings"]
                if "match no contract" in w["message"]}
    # clauses: 1 row (C-2); participations: 1 row (P003 on C-2)
    assert by_table["clauses"].startswith("1 clauses rows (1 contracts) match no contract")
    assert by_table["participations"].startswith("1 participations rows (1 contracts)")
    assert "21000000000017C-2" in by_table["clauses"]


def test_missing_required_files_are_all_named(tmp_path: Path, fake_contracts: None) -> None:
    # no contract file, a clauses file without its participations file, and a bad buyers file:
    # the three problems are named together
    root = tmp_path / "data"
    (root / "contracts").mkdir(parents=True)
    (root / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n", encoding="utf-8")
    (root / "buyers.csv").write_text("siret\n0123\n", encoding="utf-8")  # also bad: listed too
    with pytest.raises(InputError) as exc:
        load_data_dir(root)
    got = [(p.file, p.column) for p in exc.value.problems]
    assert got == [("contracts/", None), ("participations.csv", None), ("buyers.csv", "siret")]
    assert "required folder missing or empty" in exc.value.problems[0].message
    assert "clauses given without participations" in exc.value.problems[1].message


def test_contracts_only_directory_is_valid(tmp_path: Path, fake_contracts: None) -> None:
    # open DECP data alone: no clauses, no participations -> loaded, facilitator_data False
    root = make_dir(tmp_path / "data")
    for name in ("clauses.csv", "participations.csv"):
        (root / name).unlink()
    ds = load_data_dir(root)
    assert ds.quality["facilitator_data"] is False
    assert len(ds.contracts) > 0 and ds.clauses.empty and ds.participations.empty


def test_missing_data_dir(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="data directory not found"):
        load_data_dir(tmp_path / "nowhere")


def test_problems_of_all_files_are_raised_together(tmp_path: Path, fake_contracts: None) -> None:
    root = make_dir(tmp_path / "data")
    (root / "contracts" / "bad.json").write_text("{}", encoding="utf-8")
    (root / "clauses.csv").write_text("buyer_siret;contract_id;planned_hours\n"
                                      "0123;C1;-5\n", encoding="utf-8")
    (root / "participations.csv").write_text("nom;prenom\nDupont;Jean\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_data_dir(root)
    got = sorted({(p.file, p.column) for p in exc.value.problems},
                 key=lambda x: (x[0], x[1] or ""))
    expected_participations = [("participations.csv", c) for c in
                               S.PARTICIPATION_COLUMNS if c != "uid"]
    assert got == sorted([("bad.json", "amount"), ("clauses.csv", "buyer_siret"),
                          ("clauses.csv", "planned_hours"), ("participations.csv", "nom"),
                          ("participations.csv", "prenom"), *expected_participations],
                         key=lambda x: (x[0], x[1] or ""))


def test_two_files_for_one_table(tmp_path: Path, fake_contracts: None) -> None:
    root = make_dir(tmp_path / "data")
    wb = openpyxl.Workbook()
    wb.active.append(["buyer_siret", "contract_id", "planned_hours"])
    wb.save(root / "clauses.xlsx")
    with pytest.raises(InputError, match="several clauses files: keep only one of them"):
        load_data_dir(root)


def test_quarantine_sets_bad_rows_aside(tmp_path: Path, fake_contracts: None) -> None:
    root = make_dir(tmp_path / "data")
    lines = (FIX / "participations_utf8_comma.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",M,", ",X,")           # row 3: unknown sex
    lines.append(lines[1].replace("P001", "P009").replace("120.5", "-1"))  # row 5: negative
    (root / "participations.csv").unlink()
    (root / "participations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_data_dir(root)   # strict is the default
    ds = load_data_dir(root, on_invalid="quarantine")
    assert ds.participations["beneficiary_id"].tolist() == ["P001", "P003"]
    rej = ds.rejected["participations"]
    assert rej[["file", "row", "column"]].values.tolist() == [
        ["participations.csv", 3, "sex"], ["participations.csv", 5, "hours"]]
    assert ds.quality["rejected"]["participations"] == 2
    assert ds.quality["rejected"]["clauses"] == 0
    assert set(ds.rejected) == {"participations"}


def test_raw_files_are_not_modified(tmp_path: Path, fake_contracts: None) -> None:
    root = make_dir(tmp_path / "data")

    def snapshot() -> dict[str, tuple[str, int]]:
        return {p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                                 p.stat().st_mtime_ns)
                for p in sorted(root.rglob("*")) if p.is_file()}

    before = snapshot()
    load_data_dir(root)
    load_data_dir(root, on_invalid="quarantine")
    assert snapshot() == before   # same files (none added), same bytes, same mtimes


@pytest.mark.real_data
def test_real_contract_reader_on_a_real_decp_file(tmp_path: Path, real_dir: Path) -> None:
    pytest.importorskip("helpers.io.decp_json")
    root = tmp_path / "data"
    (root / "contracts").mkdir(parents=True)
    src = real_dir / "decp-v2-megalis-bretagne" / "decp-59920013600241-2024-07-09-01.json"
    (root / "contracts" / src.name).write_bytes(src.read_bytes())
    (root / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n"
                                      "59920013600241,H9O2024T0000256,350\n", encoding="utf-8")
    (root / "participations.csv").write_text(
        "buyer_siret,contract_id,beneficiary_id,sex,birth_year,diploma_level,public_categories,"
        "hours,start_date,end_date,modality,exit_outcome\n"
        "59920013600241,H9O2024T0000256,X1,F,1999,bac,RSA,35,2024-06-03,2024-06-07,autre,"
        "en_cours\n", encoding="utf-8")
    ds = load_data_dir(root)
    # SOURCES.md: 5 real Megalis contracts of buyer 59920013600241, none declaring a consideration
    assert len(ds.contracts) == 5
    assert ds.buyers["siret"].tolist() == ["59920013600241"]
    assert ds.buyers["buyer_type"].tolist() == ["collectivite"]
    assert ds.buyers["name"].isna().all()
    assert not any("match no contract" in w["message"] for w in ds.quality["warnings"])
    assert any("buyers.csv is absent" in w["message"] for w in ds.quality["warnings"])
