"""helpers.io.tabular: every CSV/XLSX variant reads as the same text table; parsers list bad cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from helpers.errors import InputError
from helpers.io.tabular import (
    ROW,
    normalize_name,
    normalize_values,
    parse_date,
    parse_decimal,
    parse_int,
    read_table_file,
    rows_where,
    sniff_separator,
)

FIX = Path(__file__).parent / "fixtures" / "tables"


def test_bom_semicolon_and_cp1252_give_the_same_text() -> None:
    info_bom: dict[str, str] = {}
    info_ansi: dict[str, str] = {}
    bom = read_table_file(FIX / "participations_bom_semicolon.csv", table="participations",
                          info=info_bom)
    ansi = read_table_file(FIX / "participations_cp1252.csv", table="participations",
                           info=info_ansi)
    assert info_bom == {"format": "csv", "encoding": "utf-8", "separator": ";"}
    assert info_ansi == {"format": "csv", "encoding": "cp1252", "separator": ";"}
    pd.testing.assert_frame_equal(bom, ansi)
    # The BOM is not glued to the first header name.
    assert bom.columns[0] == "buyer_siret"
    # Accented contract id decoded from the single cp1252 byte 0xC9 (É).
    assert ansi["contract_id"].tolist() == ["MARCHÉ-01", "MARCHÉ-01", "C-2"]
    # Quoted "DELD;RSA" is one cell even with ';' as separator; empty cell -> NA.
    assert ansi.loc[0, "public_categories"] == "DELD;RSA"
    assert ansi.loc[2, "public_categories"] is pd.NA
    assert ansi.loc[2, "end_date"] is pd.NA
    # Leading zero of the SIRET kept, value as text; header = row 1 -> data rows 2, 3, 4.
    assert ansi["buyer_siret"].tolist()[0] == "01234567890123"
    assert ansi[ROW].tolist() == [2, 3, 4]


def test_every_column_is_text(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("siret,hours,flag\n00000000000001,  12  ,NA\n", encoding="utf-8")
    df = read_table_file(p, table="t")
    # "NA" is not turned into a missing value; spaces are stripped; no number conversion.
    assert df.loc[0, "siret"] == "00000000000001"
    assert df.loc[0, "hours"] == "12"
    assert df.loc[0, "flag"] == "NA"
    assert df.drop(columns=ROW).dtypes.tolist() == [object, object, object]


def test_row_numbers_count_blank_lines_as_a_spreadsheet_does(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    # line 1 header, 2 data, 3 blank, 4 data, 5 only separators (empty row), 6 data
    p.write_text("a;b\r\n1;x\r\n\r\n2;y\r\n;\r\n3;z\r\n", encoding="utf-8")
    df = read_table_file(p, table="t")
    assert df["a"].tolist() == ["1", "2", "3"]
    assert df[ROW].tolist() == [2, 4, 6]


def test_short_rows_are_padded_with_missing_values(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("a,b,c\n1\n2,3\n", encoding="utf-8")
    df = read_table_file(p, table="t")
    assert df["a"].tolist() == ["1", "2"]
    # every missing cell is pd.NA (not None, NaN or the text "nan")
    assert [v is pd.NA for v in df["b"]] == [True, False]
    assert all(v is pd.NA for v in df["c"])


def test_sniff_separator() -> None:
    assert sniff_separator("a;b;c\n1,5;2;3") == ";"
    assert sniff_separator("a,b,c\n1;2;3") == ","
    assert sniff_separator('"x;y",b,c\n') == ","   # separators inside quotes do not count
    assert sniff_separator("a\tb\n") == "\t"
    assert sniff_separator("single\n1\n") == ","


def test_xlsx_reads_like_the_csv(tmp_path: Path) -> None:
    p = tmp_path / "p.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["siret", "hours", "when", "note"])
    ws.append(["01234567890123", 12.5, dt.datetime(2024, 3, 1), "  é  "])
    ws.append([None, None, None, None])  # empty row 3, skipped but counted
    ws.append(["98765432109876", 35.0, "01/03/2024", None])
    ws.append([21000000000017, 7, dt.datetime(2024, 3, 1, 8, 30), "x"])
    wb.save(p)
    info: dict[str, str] = {}
    df = read_table_file(p, table="t", info=info)
    assert info["format"] == "xlsx"
    assert df["siret"].tolist() == ["01234567890123", "98765432109876", "21000000000017"]
    # 12.5 stays 12.5; the integral float 35.0 and int 7 are written as typed, without ".0"
    assert df["hours"].tolist() == ["12.5", "35", "7"]
    # a date cell at midnight -> ISO date; with a time -> ISO datetime (parse_date keeps the date)
    assert df["when"].tolist() == ["2024-03-01", "01/03/2024", "2024-03-01T08:30:00"]
    assert df["note"].tolist()[0] == "é" and df["note"].isna().tolist()[1]
    assert df[ROW].tolist() == [2, 4, 5]


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError) as exc:
        read_table_file(empty, table="clauses")
    assert exc.value.problems[0].file == "empty.csv"
    assert "empty" in exc.value.problems[0].message
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\xef\xbb\xbf\r\n  \r\n")
    with pytest.raises(InputError, match="blank.csv: the file is empty"):
        read_table_file(blank, table="clauses")
    header_only = tmp_path / "h.csv"
    header_only.write_text("a;b\n", encoding="utf-8")
    df = read_table_file(header_only, table="t")
    assert list(df.columns) == ["a", "b", ROW] and len(df) == 0


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="clauses file not found: nope.csv"):
        read_table_file(tmp_path / "nope.csv", table="clauses")
    odd = tmp_path / "x.ods"
    odd.write_bytes(b"PK")
    with pytest.raises(InputError, match="unsupported clauses file type '.ods'"):
        read_table_file(odd, table="clauses")
    bad_xlsx = tmp_path / "bad.xlsx"
    bad_xlsx.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="bad.xlsx: cannot open the file as an XLSX workbook"):
        read_table_file(bad_xlsx, table="clauses")


def test_rows_with_too_many_fields_are_all_listed(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    # header has 2 fields; lines 3 and 5 have 3 and 4 (pandas alone stops at the first)
    p.write_text("a,b\n1,2\n1,2,3\n4,5\n6,7,8,9\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table_file(p, table="t")
    (problem,) = exc.value.problems
    assert problem.file == "r.csv" and problem.rows == (3, 5)


def test_duplicated_and_blank_header_names(tmp_path: Path) -> None:
    p = tmp_path / "d.csv"
    p.write_text("a,b,a,,c,c\n1,2,3,4,5,6\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table_file(p, table="t")
    messages = [str(pr) for pr in exc.value.problems]
    assert len(messages) == 2
    assert "position(s) 4" in messages[0]
    assert exc.value.problems[1].column == "a, c"
    # trailing unnamed empty columns (Excel exports) are dropped silently
    q = tmp_path / "e.csv"
    q.write_text("a,b,,\n1,2,,\n", encoding="utf-8")
    assert list(read_table_file(q, table="t").columns) == ["a", "b", ROW]


def test_parse_decimal() -> None:
    s = pd.Series(["12,5", "12.5", "1 234,5", "1\u202f234,5", "1.234,5", "1,234.5", "-3", "1e3",
                   ".5", None, "nan", "inf", "12h", "1.2.3", "1,2,3", ""])
    values, invalid = parse_decimal(s)
    expected = [12.5, 12.5, 1234.5, 1234.5, 1234.5, 1234.5, -3.0, 1000.0, 0.5]
    assert values[:9].tolist() == expected
    assert values[9:].isna().all()
    # None is empty (not invalid); "" counts as text here (read_table_file turns it into NA first)
    assert invalid.tolist() == [False] * 10 + [True] * 6


def test_parse_int() -> None:
    values, invalid = parse_int(pd.Series(["1984", "1984.0", "1 984", "1984,5", "abc", None]))
    assert values.tolist()[:3] == [1984, 1984, 1984]
    assert values.dtype == "Int64"
    assert invalid.tolist() == [False, False, False, True, True, False]


def test_parse_date() -> None:
    s = pd.Series(["2024-03-01", "01/03/2024", "1-3-2024", "01.03.2024", "2024-03-01+01:00",
                   "2024-03-01T08:30:00", "2024-03-01 00:00:00", "2024-02-29", None,
                   "2023-02-29", "2024-02-30", "31/04/2024", "01/03/24", "yesterday", "2024/03/01"])
    values, invalid = parse_date(s)
    first = pd.Timestamp("2024-03-01")
    assert values[:7].tolist() == [first] * 7
    assert values[7] == pd.Timestamp("2024-02-29")  # 2024 is a leap year
    assert values.dtype == "datetime64[ns]"
    # 2023 is not a leap year; April has 30 days; 2-digit years and free text refused
    assert invalid.tolist() == [False] * 9 + [True] * 6


def test_normalize_names_and_rows_where() -> None:
    assert normalize_name(" Date de naissance ") == "datedenaissance"
    assert normalize_name("E-mail") == "email"
    assert normalize_name("Buyer SIRET") == "buyersiret"
    assert normalize_values(pd.Series(["Entité adjudicatrice", None])).tolist()[0] == \
        "entiteadjudicatrice"
    df = pd.DataFrame({"x": [1, 2, 3], ROW: [2, 5, 7]})
    assert rows_where(df, pd.Series([True, False, np.nan], dtype=object)) == [2]
