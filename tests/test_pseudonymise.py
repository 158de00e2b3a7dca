"""``python -m helpers pseudonymise``: keyed ids, birth year, identifier columns dropped, refusals."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from helpers.__main__ import main as cli
from helpers.errors import EXIT_INPUT_ERROR, InputError
from helpers.io.tabular import read_table_file
from helpers.pseudonymise import pseudonymise

FIX = Path(__file__).parent / "fixtures" / "facilitator"
KEY = "0123456789abcdef0123456789abcdef"
OTHER_KEY = "fedcba9876543210fedcba9876543210"


def key_file(tmp_path: Path, key: str = KEY, name: str = "key.txt") -> Path:
    path = tmp_path / name
    path.write_text(key + "\n", encoding="ascii")
    return path


def csv(tmp_path: Path, text: str, name: str = "export.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(*args: object) -> int:
    return cli(["pseudonymise", *map(str, args)])


def expected_id(key: str, *parts: str) -> str:
    """The id by its definition: HMAC-SHA256(key, normalised parts joined by U+001F), 16 hex."""
    return hmac.new(key.encode(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()[:16]


def test_ids_by_definition_and_identifiers_dropped(tmp_path: Path) -> None:
    src = csv(tmp_path, "Nom;Prénom;Date de naissance;Téléphone;Sexe;Heures\n"
                        "DUPONT;Léa;12/03/1990;06 12 34 56 78;Femme;35\n"
                        "Martin;Karim;1970-07-01;;Homme;2 717\n", encoding="cp1252")
    out = pseudonymise(src, tmp_path / "out.csv", key_file(tmp_path))
    # names lowercased without accents, birth date as ISO, joined by U+001F
    assert out["beneficiary_id"].tolist() == [expected_id(KEY, "dupont", "lea", "1990-03-12"),
                                              expected_id(KEY, "martin", "karim", "1970-07-01")]
    assert out["birth_year"].tolist() == ["1990", "1970"]
    assert list(out.columns) == ["beneficiary_id", "birth_year", "Sexe", "Heures"]
    written = read_table_file(tmp_path / "out.csv", table="participations")
    assert list(written.columns) == ["beneficiary_id", "birth_year", "Sexe", "Heures", "_row"]
    assert written["Heures"].tolist() == ["35", "2 717"]   # other values unchanged


def test_same_key_same_ids_across_years_and_forms(tmp_path: Path) -> None:
    # 2024: an XLSX export with Excel dates; 2025: a CSV, other case, no accent, text dates
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["NOM", "PRENOM", "Né le", "Heures"])
    ws.append(["DUPONT", "Léa", pd.Timestamp("1990-03-12").to_pydatetime(), 35])
    ws.append(["N'Guyen", "Thi", 37225, 10])          # an Excel serial: 30 November 2001
    wb.save(tmp_path / "2024.xlsx")
    y2025 = csv(tmp_path, "nom;prénom;né le;Heures\n"
                          "dupont;Lea;12/03/1990;40\n"
                          "N GUYEN;THI;30/11/2001;12\n", name="2025.csv")
    key = key_file(tmp_path)
    a = pseudonymise(tmp_path / "2024.xlsx", tmp_path / "a.csv", key)
    b = pseudonymise(y2025, tmp_path / "b.csv", key)
    assert a["beneficiary_id"].tolist() == b["beneficiary_id"].tolist()
    assert a["beneficiary_id"].nunique() == 2
    assert a["birth_year"].tolist() == ["1990", "2001"]
    again = pseudonymise(tmp_path / "2024.xlsx", tmp_path / "c.csv", key)
    assert again["beneficiary_id"].tolist() == a["beneficiary_id"].tolist()
    other = pseudonymise(tmp_path / "2024.xlsx", tmp_path / "d.csv",
                         key_file(tmp_path, OTHER_KEY, "other.txt"))
    assert not set(other["beneficiary_id"]) & set(a["beneficiary_id"])


def test_key_never_written_nor_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = key_file(tmp_path)
    assert run(FIX / "participants.xlsx", tmp_path / "out.csv", "--key-file", key) == 0
    assert run(FIX / "participants.xlsx", tmp_path / "out.xlsx", "--key-file", key) == 0
    # an error path too: the key file is named, its content never shown
    assert run(FIX / "participants.xlsx", tmp_path / "x.csv", "--key-file", key,
               "--id-columns", "Absent") == EXIT_INPUT_ERROR
    printed = capsys.readouterr()
    for path in tmp_path.iterdir():
        if path != key:
            data = path.read_bytes()
            assert KEY.encode() not in data and KEY.encode("utf-16-le") not in data
    assert KEY not in printed.out and KEY not in printed.err
    assert "7 rows, 6 distinct beneficiary_id" in printed.out


def test_fixture_output_has_no_identifier_column(tmp_path: Path) -> None:
    out = pseudonymise(FIX / "participants.xlsx", tmp_path / "p.csv", key_file(tmp_path))
    for gone in ("Nom", "Prénom", "Date de naissance", "Téléphone", "Adresse e-mail"):
        assert gone not in out.columns
    # Léa Dupont (rows 2 and 3: "DUPONT Léa 1990-03-12" and "Dupont Lea 12/03/1990") is one id
    assert out["beneficiary_id"].iloc[0] == out["beneficiary_id"].iloc[1]
    assert out["birth_year"].tolist() == ["1990", "1990", "1970", "2001", "1985", "1992", "1965"]


def test_named_id_columns(tmp_path: Path) -> None:
    src = csv(tmp_path, "Code salarié;Année de naissance;Heures\nA12;1980;7\nB07;1991;8\n")
    out = pseudonymise(src, tmp_path / "o.csv", key_file(tmp_path), ["Code salarié"])
    assert out["beneficiary_id"].tolist() == [expected_id(KEY, "a12"), expected_id(KEY, "b07")]
    assert "Code salarié" not in out.columns
    # without a birth date, the export's own year column is kept (a year is not an identifier)
    assert list(out.columns) == ["beneficiary_id", "Année de naissance", "Heures"]


def test_columns_the_readers_would_take_for_id_or_year_are_replaced(tmp_path: Path) -> None:
    src = csv(tmp_path, "Identifiant bénéficiaire;Nom;Date de naissance;Année de naissance;Heures\n"
                        "ABC-00017;Dupont;12/03/1990;1990;7\n")
    out = pseudonymise(src, tmp_path / "o.csv", key_file(tmp_path))
    # the facilitator's own person number would link back to its files: dropped, not kept
    assert list(out.columns) == ["beneficiary_id", "birth_year", "Heures"]
    assert out["beneficiary_id"].tolist() == [expected_id(KEY, "dupont", "1990-03-12")]


@pytest.mark.parametrize("text,ids,column,message", [
    ("Nom;Prénom;Commentaire\nDupont;Léa;lea.d@example.org\nMartin;Karim;ok\n",
     None, "Commentaire", "values look like a direct identifier (e-mail)"),
    ("Nom;Prénom;Contact\nDupont;Léa;06 12 34 56 78\n", None, "Contact",
     "values look like a direct identifier (phone)"),
    ("Nom;Prénom;Numéro\nDupont;Léa;2 90 03 33 063 001 72\n", None, "Numéro",
     "(NIR / social-security number)"),
    ("Heures;Sexe\n7;F\n", None, None, "no name, first-name or birth-date column found"),
    ("Nom;Heures\nDupont;7\n", ["Matricule"], "Matricule", "not in the file"),
    ("beneficiary_id;Nom\nx;Dupont\n", None, "beneficiary_id", "pseudonymised already"),
    ("Nom;Date de naissance\nDupont;31/02/1990\n", None, "Date de naissance",
     "birth date not readable"),
    ("Nom;Prénom;Heures\nDupont;Léa;7\n;;8\n", None, "Nom, Prénom", "no identity value"),
])
def test_refusals_write_nothing(tmp_path: Path, text: str, ids: list[str] | None,
                                column: str | None, message: str) -> None:
    src = csv(tmp_path, text)
    dst = tmp_path / "out.csv"
    with pytest.raises(InputError) as exc:
        pseudonymise(src, dst, key_file(tmp_path), ids)
    assert (column, True) in [(p.column, message in p.message) for p in exc.value.problems]
    assert not dst.exists()


def test_value_check_is_on_whole_cells(tmp_path: Path) -> None:
    # a free-text sentence is not scanned word by word: only cells that are an e-mail, a phone
    # number or a NIR refuse the file (the header-based check covers the named columns)
    src = csv(tmp_path, "Nom;Commentaire\nDupont;rappeler lundi\n")
    out = pseudonymise(src, tmp_path / "o.csv", key_file(tmp_path))
    assert out["Commentaire"].tolist() == ["rappeler lundi"]


def test_key_and_path_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = csv(tmp_path, "Nom;Heures\nDupont;7\n")
    assert run(src, tmp_path / "o.csv", "--key-file", tmp_path / "absent.txt") == EXIT_INPUT_ERROR
    assert "key file not found" in capsys.readouterr().err
    short = key_file(tmp_path, "abc", "short.txt")
    assert run(src, tmp_path / "o.csv", "--key-file", short) == EXIT_INPUT_ERROR
    err = capsys.readouterr().err
    assert "key too short (3 bytes" in err and "abc" not in err.split("short.txt")[1]
    assert run(src, src, "--key-file", key_file(tmp_path)) == EXIT_INPUT_ERROR
    assert "never modified" in capsys.readouterr().err
    assert src.read_text(encoding="utf-8") == "Nom;Heures\nDupont;7\n"
    assert not (tmp_path / "o.csv").exists()
