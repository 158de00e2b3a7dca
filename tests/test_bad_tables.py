"""Bad inputs for the non-contract tables (docs/design.md §2.9).

Each case either fails with an InputError naming the file, the rows and the column and listing every
problem, or (legal but suspicious) is accepted and reported in ``quality["warnings"]``.
Row numbers are spreadsheet rows: header = 1, first data row = 2.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.dataset import new_quality
from helpers.errors import InputError
from helpers.io.suppliers import read_suppliers
from helpers.io.tables import read_buyers, read_clauses, read_participations

HEADER = ("buyer_siret;contract_id;beneficiary_id;sex;birth_year;diploma_level;public_categories;"
          "hours;start_date;end_date;modality;exit_outcome")
FIELDS = HEADER.split(";")
GOOD = {"buyer_siret": "01234567890123", "contract_id": "C1", "beneficiary_id": "B1", "sex": "F",
        "birth_year": "1990", "diploma_level": "bac", "public_categories": "DELD",
        "hours": "70", "start_date": "2024-03-04", "end_date": "2024-03-15",
        "modality": "embauche_directe", "exit_outcome": "emploi_durable"}


def participations(tmp_path: Path, *rows: dict[str, str], name: str = "participations.csv",
                   encoding: str = "utf-8") -> Path:
    """A ';' participations file: each row is GOOD with the given overrides (beneficiary B<i>)."""
    lines = [HEADER]
    for i, over in enumerate(rows, start=1):
        row = {**GOOD, "beneficiary_id": f"B{i}", **over}
        lines.append(";".join(f'"{row[f]}"' if ";" in row[f] else row[f] for f in FIELDS))
    p = tmp_path / name
    p.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return p


def problems_of(call, *args, **kwargs) -> list:
    with pytest.raises(InputError) as exc:
        call(*args, **kwargs)
    return exc.value.problems


def by_column(problems: list) -> dict[str, tuple[int, ...]]:
    return {p.column: p.rows for p in problems}


def test_good_rows_pass(tmp_path: Path) -> None:
    # 70 h over 4-15 March = 12 days -> 40.8 h/week, < 24 h/day: fine
    valid, rejected = read_participations(participations(tmp_path, {}))
    assert valid["hours"].tolist() == [70.0] and rejected.empty


def test_missing_required_columns_all_named(tmp_path: Path) -> None:
    p = tmp_path / "participations.csv"
    p.write_text("buyer_siret;contract_id;beneficiary_id;sex;hours;start_date;end_date;modality\n"
                 "01234567890123;C1;B1;F;7;2024-03-04;2024-03-04;autre\n", encoding="utf-8")
    problems = problems_of(read_participations, p)
    missing = [pr.column for pr in problems]
    assert missing == ["birth_year", "diploma_level", "public_categories", "exit_outcome"]
    assert all(pr.file == "participations.csv" and "required column missing" in pr.message
               and pr.rows == (1,) for pr in problems)
    c = tmp_path / "clauses.csv"
    c.write_text("buyer_siret,contract\n01234567890123,C1\n", encoding="utf-8")
    assert [pr.column for pr in problems_of(read_clauses, c)] == ["contract_id", "planned_hours"]
    # a missing column is a file-level problem: quarantine cannot set rows aside, it raises too
    assert problems_of(read_clauses, c, on_invalid="quarantine")


def test_unknown_enum_values(tmp_path: Path) -> None:
    p = participations(tmp_path, {"sex": "X"}, {}, {"modality": "cdi", "diploma_level": "licorne"},
                       {"public_categories": "DELD;FOO", "exit_outcome": "retraite"})
    problems = problems_of(read_participations, p)
    # rows: header 1, then rows 2..5; row 3 is good
    assert by_column(problems) == {"sex": (2,), "modality": (4,), "diploma_level": (4,),
                                   "public_categories": (5,), "exit_outcome": (5,)}
    text = "\n".join(map(str, problems))
    assert "participations.csv, row 2, column 'sex': unknown value (allowed: F, M) (e.g. 'X', 1 row" \
        in text
    assert "column 'public_categories': unknown value in the list" in text
    assert "(e.g. 'FOO', 1 row" in text  # the unknown item is quoted as written
    b = tmp_path / "buyers.csv"
    b.write_text("siret,buyer_type\n01234567890123,province\n", encoding="utf-8")
    assert by_column(problems_of(read_buyers, b)) == {"buyer_type": (2,)}
    s = tmp_path / "suppliers.csv"
    s.write_text("siret,kind\n01234567890123,SCOP\n", encoding="utf-8")
    assert by_column(problems_of(read_suppliers, s)) == {"kind": (2,)}


def test_negative_and_unparseable_hours(tmp_path: Path) -> None:
    p = participations(tmp_path, {"hours": "-7"}, {"hours": "12,5"}, {"hours": "douze"},
                       {"hours": ""})
    problems = problems_of(read_participations, p)
    assert [(pr.column, pr.rows) for pr in problems] == [("hours", (4,)), ("hours", (5,)),
                                                         ("hours", (2,))]
    assert ["not a number" in problems[0].message, "missing" in problems[1].message,
            "negative" in problems[2].message] == [True, True, True]
    c = tmp_path / "clauses.csv"
    c.write_text("buyer_siret;contract_id;planned_hours\n01234567890123;C1;-1\n", encoding="utf-8")
    assert by_column(problems_of(read_clauses, c)) == {"planned_hours": (2,)}


def test_end_before_start(tmp_path: Path) -> None:
    p = participations(tmp_path, {}, {"start_date": "2024-03-15", "end_date": "2024-03-14"},
                       {"start_date": "15/03/2024", "end_date": "15/03/2024", "hours": "7"})
    problems = problems_of(read_participations, p)
    # the same day (row 4) is a one-day mission, valid
    assert [(pr.column, pr.rows) for pr in problems] == [("end_date", (3,))]
    assert problems[0].message == "end_date before start_date (e.g. '2024-03-14')"


def test_more_hours_than_physically_possible(tmp_path: Path) -> None:
    # 24 h × days, both ends included: 4-5 March = 2 days -> at most 48 h
    p = participations(tmp_path,
                       {"start_date": "2024-03-04", "end_date": "2024-03-05", "hours": "48"},
                       {"start_date": "2024-03-04", "end_date": "2024-03-05", "hours": "48,5"},
                       {"start_date": "2024-03-04", "end_date": "2024-03-04", "hours": "25"},
                       {"start_date": "2024-03-04", "end_date": "", "hours": "5000"})
    problems = problems_of(read_participations, p)
    # row 2 (48 h in 2 days) is allowed; row 5 has no end date: no period to check against
    assert by_column(problems) == {"hours": (3, 4)}
    assert "24 h × days" in problems[0].message


def test_impossible_and_unparseable_dates(tmp_path: Path) -> None:
    p = participations(tmp_path, {"start_date": "2024-02-30"}, {"end_date": "31/04/2024"},
                       {"start_date": "1024-03-04"}, {"end_date": "2204-01-01"},
                       {"start_date": "demain"}, {"start_date": ""})
    problems = problems_of(read_participations, p)
    assert [(pr.column, pr.rows) for pr in problems] == [
        ("start_date", (2, 4, 6)),   # 30 Feb; year 1024 (out of datetime range); free text
        ("start_date", (7,)),        # missing
        ("end_date", (3,)),          # 31 April
        ("end_date", (5,)),          # 2204: parses, but outside 1990-01-01 .. 2099-12-31
    ]
    assert "impossible date" in problems[3].message


def test_siret_wrong_length_or_letters(tmp_path: Path) -> None:
    p = participations(tmp_path, {"buyer_siret": "1234567890123"},
                       {"buyer_siret": "0123456789012A"}, {"buyer_siret": "012345678901234"},
                       {"buyer_siret": "012 345 678 90123"}, {"buyer_siret": ""})
    problems = problems_of(read_participations, p)
    # row 5: spaces inside are removed -> 01234567890123, valid
    assert [(pr.column, pr.rows) for pr in problems] == [
        ("buyer_siret", (6,)), ("buyer_siret", (3, 4)), ("buyer_siret", (2,))]
    assert "missing" in problems[0].message
    assert "leading zero" in problems[2].message
    s = tmp_path / "suppliers.csv"
    s.write_text("siret,kind\nABC,EI\n01234567890123,EI\n", encoding="utf-8")
    assert by_column(problems_of(read_suppliers, s)) == {"siret": (2,)}


def test_every_problem_of_a_file_is_listed_at_once(tmp_path: Path) -> None:
    p = participations(tmp_path, {"sex": "X", "hours": "-1"}, {},
                       {"buyer_siret": "123", "end_date": "2024-01-01"})
    with pytest.raises(InputError) as exc:
        read_participations(p)
    text = str(exc.value)
    assert text.startswith("4 problems found in the input data:")
    for piece in ("participations.csv, row 2, column 'sex'",
                  "participations.csv, row 2, column 'hours'",
                  "participations.csv, row 4, column 'buyer_siret'",
                  "participations.csv, row 4, column 'end_date'"):
        assert piece in text


def test_duplicated_participation_rows_dropped_with_a_warning(tmp_path: Path) -> None:
    p = participations(tmp_path, {}, {}, {})
    # rows differ only by beneficiary B1/B2/B3 -> make rows 3 and 4 exact copies of row 2
    text = p.read_text(encoding="utf-8").replace(";B2;", ";B1;").replace(";B3;", ";B1;")
    p.write_text(text, encoding="utf-8")
    quality = new_quality()
    valid, _ = read_participations(p, quality=quality)
    assert len(valid) == 1 and valid["hours"].sum() == 70.0  # not 3 × 70
    (w,) = quality["warnings"]
    assert (w["column"], w["rows"]) == (None, [3, 4])
    assert w["message"].startswith("2 rows: exact duplicate")
    # same person twice with different hours is two missions, not a duplicate
    q = participations(tmp_path, {}, {"beneficiary_id": "B1", "hours": "35"}, name="p2.csv")
    assert len(read_participations(q)[0]) == 2


def test_clauses_several_rows_for_one_contract_are_kept_and_noted(tmp_path: Path) -> None:
    c = tmp_path / "clauses.csv"
    c.write_text("buyer_siret;contract_id;planned_hours\n01234567890123;C1;100\n"
                 "01234567890123;C1;100\n01234567890123;C1;250\n01234567890123;C2;5\n",
                 encoding="utf-8")
    quality = new_quality()
    valid, _ = read_clauses(c, quality=quality)
    # row 3 is an exact copy of row 2 (dropped, noted); rows 2 and 4 are two clauses of C1, kept
    # (the status rules sum them: 100 + 250 = 350 planned hours)
    assert valid.groupby("contract_id")["planned_hours"].sum().to_dict() == {"C1": 350.0, "C2": 5.0}
    assert any("several clauses rows" in w["message"] and w["rows"] == [2, 4]
               for w in quality["warnings"])
    b = tmp_path / "buyers.csv"
    b.write_text("siret;buyer_type\n01234567890123;etat\n01234567890123;collectivite\n",
                 encoding="utf-8")
    assert by_column(problems_of(read_buyers, b)) == {"siret": (2, 3)}


def test_suspicious_values_are_accepted_and_reported(tmp_path: Path) -> None:
    p = participations(
        tmp_path,
        # 60 h over Mon 4 - Fri 8 March = 5 days -> 60 / 5 × 7 = 84 h/week > 48 (but < 24 h/day)
        {"hours": "60", "start_date": "2024-03-04", "end_date": "2024-03-08"},
        # born 2010, start 2024 -> 14 < 16
        {"birth_year": "2010"},
        # born 1950, start 2024 -> 74 > 70
        {"birth_year": "1950"},
        # born 2008, start 2024 -> 16: the boundary is allowed; 70 h over 12 days = 40.8 h/week
        {"birth_year": "2008"},
    )
    quality = new_quality()
    valid, rejected = read_participations(p, quality=quality)
    assert len(valid) == 4 and rejected.empty
    warnings = {(w["column"], tuple(w["rows"])) for w in quality["warnings"]}
    assert warnings == {("hours", (2,)), ("birth_year", (3, 4))}


def test_impossible_birth_year_is_an_error(tmp_path: Path) -> None:
    p = participations(tmp_path, {"birth_year": "2030"}, {"birth_year": "1850"},
                       {"birth_year": "19 ans"}, {"birth_year": ""})
    problems = problems_of(read_participations, p)
    # born after the 2024 start; before 1900; not a year. Empty is allowed (unknown).
    assert [(pr.column, pr.rows) for pr in problems] == [("birth_year", (4,)),
                                                         ("birth_year", (2, 3))]


def test_cp1252_file_with_a_problem_names_the_row(tmp_path: Path) -> None:
    p = participations(tmp_path, {"contract_id": "MARCHÉ-ÉTÉ"}, {"contract_id": "ÉCOLE", "sex": "é"},
                       encoding="cp1252")
    problems = problems_of(read_participations, p)
    assert by_column(problems) == {"sex": (3,)}
    assert "'é'" in problems[0].message  # decoded as cp1252, not mojibake


def test_decimal_comma_everywhere(tmp_path: Path) -> None:
    p = participations(tmp_path, {"hours": "1 234,5", "end_date": "2024-12-31",
                                  "start_date": "01/03/2024"}, {"hours": "0,25"})
    valid, _ = read_participations(p)
    assert valid["hours"].tolist() == [1234.5, 0.25]
    assert valid["start_date"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-04")]


def test_empty_files(tmp_path: Path) -> None:
    for reader, name in ((read_participations, "participations.csv"),
                         (read_clauses, "clauses.csv"), (read_buyers, "buyers.csv"),
                         (read_suppliers, "suppliers.csv")):
        p = tmp_path / name
        p.write_bytes(b"")
        (problem,) = problems_of(reader, p)
        assert (problem.file, problem.message) == (name, "the file is empty (no header row)")
    # a header without rows is legal (nothing to report) but noted
    h = tmp_path / "participations_h.csv"
    h.write_text(HEADER + "\n", encoding="utf-8")
    quality = new_quality()
    valid, _ = read_participations(h, quality=quality)
    assert valid.empty and list(valid.columns) == ["buyer_siret", "contract_id", "uid",
                                                   "beneficiary_id", "sex", "birth_year",
                                                   "diploma_level", "public_categories", "hours",
                                                   "start_date", "end_date", "modality",
                                                   "exit_outcome"]
    assert "no data row" in quality["warnings"][0]["message"]


def test_quarantine_keeps_good_rows_and_returns_bad_ones_with_reasons(tmp_path: Path) -> None:
    p = participations(tmp_path, {}, {"hours": "-1", "sex": "X"}, {},
                       {"end_date": "2024-01-01"})
    quality = new_quality()
    valid, rejected = read_participations(p, on_invalid="quarantine", quality=quality)
    assert valid["beneficiary_id"].tolist() == ["B1", "B3"]   # rows 2 and 4 kept
    assert rejected[["file", "row", "column"]].values.tolist() == [
        ["participations.csv", 3, "hours"], ["participations.csv", 3, "sex"],
        ["participations.csv", 5, "end_date"]]
    assert rejected["reason"].tolist() == ["negative value (must be ≥ 0)",
                                           "unknown value (allowed: F, M)",
                                           "end_date before start_date"]
    assert quality["rejected"] == {"participations": 2}      # two rows, three reasons
    # no beneficiary id leaves the reader through the rejected table
    assert not rejected.astype(str).apply(lambda c: c.str.contains("B2")).any().any()
    c = tmp_path / "clauses.csv"
    c.write_text("buyer_siret;contract_id;planned_hours\n01234567890123;C1;x\n"
                 "01234567890123;C2;8\n", encoding="utf-8")
    valid, rejected = read_clauses(c, on_invalid="quarantine", quality=quality)
    assert valid["contract_id"].tolist() == ["C2"]
    assert rejected[["row", "column"]].values.tolist() == [[2, "planned_hours"]]
    assert quality["rejected"] == {"participations": 2, "clauses": 1}
