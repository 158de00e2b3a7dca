"""Bad contract files (docs/design.md §2.3, §2.9): every problem is listed with its file, rows and
column, in strict mode as one InputError, and in quarantine mode as rejected rows with their reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers.dataset import new_quality
from helpers.errors import InputError
from helpers.io.contracts import read_contracts, read_contracts_file

FIXTURES = Path(__file__).parent / "fixtures" / "contracts"


def _good(**changes: object) -> dict:
    record = {"id": "OK", "acheteur": {"id": "21750001600019"}, "objet": "x", "codeCPV": "30192000",
              "procedure": "Procédure adaptée", "dureeMois": 6, "dateNotification": "2023-02-01",
              "datePublicationDonnees": "2023-02-02", "montant": 45000,
              "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "33333333300033"}}],
              "considerationsSociales": {"considerationSociale": ["Clause sociale"]}}
    record.update(changes)
    return record


def _write_json(path: Path, records: list[dict]) -> Path:
    path.write_text(json.dumps({"marches": {"marche": records}}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def _problems(exc: pytest.ExceptionInfo[InputError]) -> set[tuple[str, str | None, tuple]]:
    return {(p.file, p.column, p.rows) for p in exc.value.problems}


# --------------------------------------------------------------------------- whole-file problems


def test_truncated_json(tmp_path: Path) -> None:
    text = (FIXTURES / "official_small.json").read_text(encoding="utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    for mode in ("strict", "quarantine"):  # a partial file is never analysed
        with pytest.raises(InputError) as exc:
            read_contracts_file(path, on_invalid=mode)
        (problem,) = exc.value.problems
        assert problem.file == "cut.json" and "truncated" in problem.message


@pytest.mark.parametrize("content", ['{"foo": [1, 2]}', '"marches"', '{"marches": 3}'])
def test_json_of_another_shape(tmp_path: Path, content: str) -> None:
    path = tmp_path / "other.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    (problem,) = exc.value.problems
    assert problem.file == "other.json" and problem.column == "marches"
    assert "not a DECP JSON document" in problem.message


def test_list_items_that_are_not_objects(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([_good(), 3, "x"]), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    assert _problems(exc) == {("mixed.json", "marche", (1, 2))}
    valid, rejected = read_contracts_file(path, on_invalid="quarantine", quality=new_quality())
    assert len(valid) == 1 and rejected["row"].tolist() == [1, 2]


@pytest.mark.parametrize("name", ["empty.json", "empty.csv", "empty.parquet"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    (problem,) = exc.value.problems
    assert problem.file == name and "empty" in problem.message


def test_json_without_considerations_field_is_refused(tmp_path: Path) -> None:
    records = [_good(id="A"), _good(id="B")]
    for r in records:
        del r["considerationsSociales"]
    path = _write_json(tmp_path / "old.json", records)
    for mode in ("strict", "quarantine"):
        with pytest.raises(InputError) as exc:
            read_contracts_file(path, on_invalid=mode)
        (problem,) = exc.value.problems
        assert problem.column == "considerationsSociales" and problem.file == "old.json"


@pytest.mark.real_data
def test_real_2019_files_without_considerations_are_refused(real_dir: Path) -> None:
    folder = real_dir / "decp-processing-test-fixtures"
    # 2019 JSON: no record has the field; 2019 flat CSV: the column exists but is empty everywhere
    for name in ("decp_test_2019.json", "decp_augmente_valides_2019_test.csv"):
        with pytest.raises(InputError) as exc:
            read_contracts_file(folder / name, on_invalid="quarantine")
        (problem,) = exc.value.problems
        assert (problem.file, problem.column) == (name, "considerationsSociales")


def test_csv_and_parquet_without_considerations_column_are_refused(tmp_path: Path) -> None:
    flat = tmp_path / "flat.csv"
    flat.write_text("acheteur.id;id;dateNotification;montant\n21750001600019;A;2024-01-01;5\n",
                    encoding="utf-8")
    table = pd.DataFrame({"acheteur_id": ["21750001600019"], "id": ["A"],
                          "dateNotification": ["2024-01-01"], "montant": [5.0]})
    tab_csv = tmp_path / "tab.csv"
    table.to_csv(tab_csv, index=False)
    tab_parquet = tmp_path / "tab.parquet"
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), tab_parquet)
    for path in (flat, tab_csv, tab_parquet):
        with pytest.raises(InputError) as exc:
            read_contracts_file(path)
        assert _problems(exc) == {(path.name, "considerationsSociales", ())}


def test_flat_csv_missing_required_columns_all_listed(tmp_path: Path) -> None:
    path = tmp_path / "flat.csv"
    path.write_text("acheteur.id;considerationsSociales\n21750001600019;['Clause sociale']\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    assert {p.column for p in exc.value.problems} == {"id", "dateNotification", "montant"}


# --------------------------------------------------------------------------- record problems

# One JSON file with one problem per record (record 0 is good):
_BAD_RECORDS = [
    _good(id="GOOD"),
    _good(id="SIRET13", acheteur={"id": "1234567890123"}),               # 1: 13 digits
    _good(id="SIRETABC", acheteur={"id": "2175000160001A"}),             # 2: a letter
    _good(id="FEB30", dateNotification="2024-02-30"),                    # 3: no such day
    _good(id="OLD", dateNotification="1899-01-01"),                      # 4: impossible year
    _good(id="TEXTDATE", dateNotification="bientôt"),                    # 5: not a date
    _good(id="ZERO", montant=0),                                         # 6: amount 0
    _good(id="NEG", montant=-5),                                         # 7: negative
    _good(id="HUGE", montant=1e17),                                      # 8: placeholder
    _good(id="ENUM", considerationsSociales={"considerationSociale": ["Clause socaile"]}),  # 9
    {k: v for k, v in _good(id="NOFIELD").items() if k != "considerationsSociales"},   # 10
    _good(id="NC", dureeMois="NC"),                                      # 11: warning only
]
# Problems of the same kind in the same column are grouped, naming every row and quoting the values
_EXPECTED = {
    ((1, 2), "acheteur.id"): ["not 14 digits", "'1234567890123'", "'2175000160001A'"],
    ((3, 5), "dateNotification"): ["not a valid calendar date", "'2024-02-30'", "'bientôt'"],
    ((4,), "dateNotification"): ["impossible", "'1899-01-01'"],
    ((6, 7), "montant"): ["not > 0", "'0'", "'-5'"],
    ((8,), "montant"): ["implausibly large", "'1e+17'"],
    ((9,), "considerationsSociales"): ["unknown social consideration", "'Clause socaile'"],
    ((10,), "considerationsSociales"): ["missing"],
}


def test_every_record_problem_is_listed(tmp_path: Path) -> None:
    path = _write_json(tmp_path / "bad.json", _BAD_RECORDS)
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    problems = exc.value.problems
    assert all(p.file == "bad.json" for p in problems)
    assert {(p.rows, p.column) for p in problems} == set(_EXPECTED)
    for problem in problems:
        for fragment in _EXPECTED[(problem.rows, problem.column)]:
            assert fragment in problem.message
    text = str(exc.value)
    assert "7 problems" in text and "bad.json, rows 1, 2, column 'acheteur.id'" in text


def test_quarantine_sets_bad_records_aside_with_reasons(tmp_path: Path) -> None:
    path = _write_json(tmp_path / "bad.json", _BAD_RECORDS)
    quality = new_quality()
    contracts, rejected = read_contracts([path], on_invalid="quarantine", quality=quality)
    assert list(rejected.columns) == ["file", "row", "column", "reason"]
    assert sorted(rejected["row"]) == list(range(1, 11))
    assert set(rejected["file"]) == {"bad.json"}
    assert "Clause socaile" in rejected.loc[rejected["row"] == 9, "reason"].item()
    assert sorted(contracts["contract_id"]) == ["GOOD", "NC"]  # record 11 is only warned about
    assert quality["rejected"]["contracts"] == 10
    assert quality["contracts_rows_read"] == 2
    nc = [w for w in quality["warnings"] if w["column"] == "dureeMois"]
    assert nc and nc[0]["rows"] == [11]


def test_several_files_problems_are_gathered(tmp_path: Path) -> None:
    a = _write_json(tmp_path / "a.json", [_good(id="A", montant=0)])
    b = _write_json(tmp_path / "b.json", [_good(id="B", acheteur={"id": "123"})])
    with pytest.raises(InputError) as exc:
        read_contracts([a, b])
    assert _problems(exc) == {("a.json", "montant", (0,)), ("b.json", "acheteur.id", (0,))}


def test_flat_csv_bad_values_name_spreadsheet_rows(tmp_path: Path) -> None:
    header = "acheteur.id;id;dateNotification;montant;codeCPV;considerationsSociales"
    lines = [header,
             "21750001600019;A;2024-01-01;1000,50;45000000-7;['Clause sociale']",    # row 2 ok
             "2175000160001;B;2024-01-01;1000;45000000;['Clause sociale']",          # row 3
             "21750001600019;C;31/02/2024;1000;45000000;['Clause sociale']",         # row 4
             "21750001600019;D;2024-01-01;-1;45000000;['Clause sociale']",           # row 5
             "21750001600019;E;2024-01-01;1000;45000000;MQ",                         # row 6
             "21750001600019;F;2024-01-01;1000;45000000;['Clause sociale'"]          # row 7
    path = tmp_path / "flat.csv"
    path.write_text("\n".join(lines) + "\n", encoding="cp1252")
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    assert {(p.rows, p.column) for p in exc.value.problems} == {
        ((3,), "acheteur.id"), ((4,), "dateNotification"), ((5,), "montant"),
        ((6,), "considerationsSociales"), ((7,), "considerationsSociales")}
    valid, rejected = read_contracts_file(path, on_invalid="quarantine")
    assert valid["contract_id"].tolist() == ["A"]
    assert valid["amount"].tolist() == [1000.5]  # decimal comma
    assert sorted(rejected["row"]) == [3, 4, 5, 6, 7]


def test_tabular_bad_values_name_rows(tmp_path: Path) -> None:
    table = pd.DataFrame({
        "acheteur_id": ["21750001600019", "21750001600019", "ABC"],
        "id": ["A", "B", "C"], "titulaire_id": ["33333333300033"] * 3,
        "dateNotification": ["2024-01-01", "2024-13-01", "2024-01-01"],
        "montant": ["1000", "1000", "1000"],
        "considerationsSociales": ["Clause sociale", "Sans objet", "Clause sociale, Bidule"],
    })
    path = tmp_path / "tab.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    assert {(p.rows, p.column) for p in exc.value.problems} == {
        ((3,), "dateNotification"), ((4,), "acheteur_id"), ((4,), "considerationsSociales")}


def test_tabular_quarantine_sets_aside_contracts_without_uid(tmp_path: Path) -> None:
    # rows (spreadsheet numbers): 2 = B of buyer 2175..., 3 = no buyer SIRET, 4 = A of buyer 2175...,
    # 5 = no contract id, 6 = A of buyer 0123... ; the two without a uid are set aside
    table = pd.DataFrame({
        "acheteur_id": ["21750001600019", None, "21750001600019", "21750001600019",
                        "01234567890123"],
        "id": ["B", "X", "A", None, "A"], "titulaire_id": ["33333333300033"] * 5,
        "dateNotification": ["2024-01-01"] * 5, "montant": ["1000"] * 5,
        "considerationsSociales": ["Sans objet"] * 5,
    })
    path = tmp_path / "tab.csv"
    table.to_csv(path, index=False)
    valid, rejected = read_contracts_file(path, on_invalid="quarantine")
    # the others, one row per contract, in the file's order
    assert valid["uid"].tolist() == ["21750001600019B", "21750001600019A", "01234567890123A"]
    assert sorted(rejected["row"].unique().tolist()) == [3, 5]
    assert set(rejected["column"]) == {"acheteur_id", "id"}


def test_tabular_file_with_a_header_only_gives_no_contract(tmp_path: Path) -> None:
    path = tmp_path / "tab.csv"
    path.write_text("acheteur_id,id,dateNotification,montant,considerationsSociales\n",
                    encoding="utf-8")
    valid, rejected = read_contracts_file(path)
    assert valid.empty and rejected.empty
    assert "uid" in valid.columns


def test_chunked_json_reports_the_same_rows(tmp_path: Path, monkeypatch) -> None:
    """Streaming checks records by chunks: row numbers and warnings must not depend on the chunk
    size (here 2 records per chunk, so the 12 records span 6 chunks)."""
    from helpers.io import decp_json

    path = _write_json(tmp_path / "bad.json", _BAD_RECORDS)
    monkeypatch.setattr(decp_json, "CHUNK_RECORDS", 2)
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    assert {(p.rows, p.column) for p in exc.value.problems} == set(_EXPECTED)
    quality = new_quality()
    valid, rejected = read_contracts_file(path, on_invalid="quarantine", quality=quality)
    assert sorted(valid["contract_id"]) == ["GOOD", "NC"]
    assert sorted(rejected["row"]) == list(range(1, 11))
    assert quality["files"][0]["rows_read"] == 12 and quality["rejected"]["contracts"] == 10
    assert [w["rows"] for w in quality["warnings"] if w["column"] == "dureeMois"] == [[11]]
    # one warning per (column, message), its rows gathered from every chunk
    monkeypatch.setattr(decp_json, "CHUNK_RECORDS", 1)
    nc = _write_json(tmp_path / "nc.json", [_good(id="A", dureeMois="NC"), _good(id="B"),
                                            _good(id="C", dureeMois="NC")])
    quality = new_quality()
    read_contracts_file(nc, quality=quality)
    assert [w["rows"] for w in quality["warnings"]] == [[0, 2]]
