"""CSV and XLSX readers against hostile input: over-wide headers and sheets are refused before they
are parsed (bounded memory), and control characters inside a cell are an error naming file, row and
column (set aside in quarantine mode) instead of silently cutting the value short."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.config import MAX_TABLE_CELLS, MAX_TABLE_COLUMNS
from helpers.errors import InputError
from helpers.io import decp_flat, tables
from helpers.io.tabular import read_table_file

from .conftest import FIXTURES, digest, reader_code, run_reader

CLAUSES = "buyer_siret;contract_id;planned_hours\n"


def test_csv_header_of_30000_columns_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "clauses.csv"
    path.write_text(";".join(f"c{i}" for i in range(30_000)) + "\n"
                    + ";".join("1" for _ in range(30_000)) + "\n")
    out, m = run_reader(reader_code(
        f"from helpers.io.tables import read_clauses\n"
        f"    result = len(read_clauses({str(path)!r})[0])"))
    assert out["ok"] is False
    file, column, rows, message = out["problems"][0]
    assert (file, rows) == ("clauses.csv", [1])
    assert f"30000 columns, more than the limit of {MAX_TABLE_COLUMNS}" in message
    assert m.seconds < 10 and m.peak_mb < 500, (m.seconds, m.peak_mb)  # was 3 GB


def test_csv_header_of_a_million_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "participations.csv"
    path.write_text("x," * 1_000_000 + "x\n")
    with pytest.raises(InputError, match="participations.csv, row 1: the header row has 1000001 "
                                         "columns"):
        read_table_file(path, table="participations")


def test_table_over_the_cell_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    from helpers.io import tabular

    monkeypatch.setattr(tabular, "MAX_TABLE_CELLS", 20)
    path = tmp_path / "clauses.csv"
    # 8 lines (7 rows + the final newline's empty line... counted as 8) x 3 columns = 24 > 20
    path.write_text(CLAUSES + "".join(f"01234567890123;C{i};1\n" for i in range(6)))
    with pytest.raises(InputError, match="8 lines x 3 columns = 24 cells, more than the limit of "
                                         "20"):
        read_table_file(path, table="clauses")
    assert MAX_TABLE_CELLS >= 1_000_000  # the real limit leaves room for national tables


def test_contract_csv_header_too_wide_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "flat.csv"
    path.write_text("acheteur.id;" + ";".join(f"c{i}" for i in range(2000)) + "\n")
    with pytest.raises(InputError, match="flat.csv, row 1: the header row has 2001 columns"):
        decp_flat.read_contracts_file(path)


def test_xlsx_with_one_cell_at_xfd1048576_is_refused(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["buyer_siret", "contract_id", "planned_hours"])
    ws.append(["01234567890123", "C1", 10])
    ws["XFD1048576"] = "x"
    path = tmp_path / "clauses.xlsx"
    wb.save(path)
    assert path.stat().st_size < 50_000
    before = digest(tmp_path)
    out, m = run_reader(reader_code(
        f"from helpers.io.tables import read_clauses\n"
        f"    result = len(read_clauses({str(path)!r})[0])"), timeout=180)
    assert out["ok"] is False
    file, column, rows, message = out["problems"][0]
    assert (file, rows) == ("clauses.xlsx", [1048576])
    assert f"cell XFD1048576 of the first sheet lies beyond the limit of {MAX_TABLE_COLUMNS}" \
        in message
    assert m.seconds < 60 and m.peak_mb < 800, (m.seconds, m.peak_mb)  # exhausted memory before
    assert digest(tmp_path) == before


def test_xlsx_with_a_stray_cell_far_below_is_bounded(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from helpers.io import tabular

    monkeypatch.setattr(tabular, "MAX_TABLE_CELLS", 100)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["buyer_siret", "contract_id", "planned_hours"])
    ws["A60"] = "stray"  # 60 rows x 3 columns = 180 cells > 100
    path = tmp_path / "clauses.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="row 60: the first sheet spans at least 60 rows x 3 "
                                         "columns, more than the limit of 100 cells"):
        read_table_file(path, table="clauses")


def test_xlsx_still_reads_a_normal_sheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["buyer_siret", "contract_id", "planned_hours"])
    ws.append(["01234567890123", "C1", 10])
    ws.append([None, None, None])
    ws.append(["21000000000017", "C2", 2.5])
    path = tmp_path / "clauses.xlsx"
    wb.save(path)
    df = read_table_file(path, table="clauses")
    # the blank spreadsheet row 3 is dropped; rows keep their spreadsheet numbers 2 and 4
    assert df.to_dict("list") == {"buyer_siret": ["01234567890123", "21000000000017"],
                                  "contract_id": ["C1", "C2"], "planned_hours": ["10", "2.5"],
                                  "_row": [2, 4]}


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x7f"])
def test_control_character_in_a_cell_names_file_row_and_column(tmp_path: Path, char: str) -> None:
    path = tmp_path / "clauses.csv"
    path.write_text(CLAUSES + "01234567890123;C1;10\n" + f"01234567890123;C{char}2;5\n"
                    + "21000000000017;C3;7\n", encoding="utf-8")
    before = digest(tmp_path)
    with pytest.raises(InputError) as exc:
        tables.read_clauses(path)
    (problem,) = exc.value.problems
    assert (problem.file, problem.rows, problem.column) == ("clauses.csv", (3,), "contract_id")
    assert "control character" in problem.message
    # quarantine: row 3 is set aside, rows 2 and 4 are kept with their full values
    quality = {"warnings": [], "files": [], "rejected": {}}
    valid, rejected = tables.read_clauses(path, on_invalid="quarantine", quality=quality)
    assert sorted(valid["contract_id"]) == ["C1", "C3"]
    assert rejected[["file", "row", "column"]].values.tolist() == [["clauses.csv", 3,
                                                                    "contract_id"]]
    assert quality["rejected"]["clauses"] == 1
    assert digest(tmp_path) == before


def test_nul_is_not_silently_cut_in_the_last_column(tmp_path: Path) -> None:
    path = tmp_path / "participations.csv"
    text = (FIXTURES / "tables" / "participations_utf8_comma.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[2] = lines[2].replace("en_cours", "en_cours\x00garbage")  # spreadsheet row 3
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"participations.csv, row 3, column 'exit_outcome': the "
                                         r"cell holds a control character"):
        tables.read_participations(path)


def test_control_character_in_a_header_is_a_file_problem(tmp_path: Path) -> None:
    path = tmp_path / "clauses.csv"
    path.write_text("buyer_siret;contract\x00_id;planned_hours\n01234567890123;C1;1\n")
    with pytest.raises(InputError, match=r"clauses.csv, row 1: header name\(s\) at position\(s\) 2"):
        tables.read_clauses(path, on_invalid="quarantine")


def test_tab_and_quoted_line_break_stay_legal(tmp_path: Path) -> None:
    path = tmp_path / "buyers.csv"
    path.write_text('siret;name;buyer_type\n01234567890123;"Ville\r\nde\tX";etat\n')
    valid, rejected = tables.read_buyers(path)
    assert valid["name"].tolist() == ["Ville\r\nde\tX"] and rejected.empty


def test_contract_csv_row_with_nul_is_set_aside_in_quarantine(tmp_path: Path, real_dir: Path
                                                              ) -> None:
    source = real_dir / "decp-processing-test-fixtures" / "decp_augmente_valides_2022_test.csv"
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    fields = lines[1].split(";")  # spreadsheet row 2: plain fields, no quoted separator
    assert len(fields) == len(header)
    col = header.index("objet")
    fields[col] = fields[col][:5] + "\x00" + fields[col][5:]
    lines[1] = ";".join(fields)
    path = tmp_path / "flat.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        decp_flat.read_contracts_file(path)
    hits = [p for p in exc.value.problems if "control character" in p.message]
    assert [(p.file, p.rows, p.column) for p in hits] == [("flat.csv", (2,), "objet")]
    valid, rejected = decp_flat.read_contracts_file(path, on_invalid="quarantine")
    mine = rejected[rejected["reason"].str.contains("control character")]
    assert mine[["row", "column"]].values.tolist() == [[2, "objet"]]
    assert fields[header.index("id")] == "202404"
    assert "202404" not in set(valid["contract_id"])  # the row is not among the valid ones
