"""helpers.io.tables: canonical clauses, participations, suppliers and buyers from every variant.

Expected tables are written out by hand from the fixture files in tests/fixtures/tables/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from helpers import schemas as S
from helpers.dataset import new_quality
from helpers.errors import InputError
from helpers.io.identifiers import identifier_kind
from helpers.io.suppliers import read_suppliers
from helpers.io.tables import read_buyers, read_clauses, read_participations

FIX = Path(__file__).parent / "fixtures" / "tables"
T = pd.Timestamp


def expected_participations() -> pd.DataFrame:
    """The three people of the participations fixtures, typed by hand."""
    return pd.DataFrame({
        "buyer_siret": ["01234567890123", "01234567890123", "21000000000017"],
        "contract_id": ["MARCHÉ-01", "MARCHÉ-01", "C-2"],
        "uid": ["01234567890123MARCHÉ-01", "01234567890123MARCHÉ-01", "21000000000017C-2"],
        "beneficiary_id": ["P001", "P002", "P003"],
        "sex": ["F", "M", "F"],
        "birth_year": pd.array([1990, 2001, 1970], dtype="Int64"),
        "diploma_level": ["bac", "infra_bac", "superieur"],
        "public_categories": [["DELD", "RSA"], ["JEUNE_MOINS_26"], []],
        "hours": [120.5, 1234.5, 35.0],   # "120,5" and "1 234,5" in the French files
        "start_date": pd.to_datetime(["2024-01-08", "2024-01-01", "2024-06-01"]),
        "end_date": pd.to_datetime(["2024-03-29", "2024-12-31", None]),
        "modality": ["embauche_directe", "mise_a_disposition", "sous_traitance_siae"],
        "exit_outcome": ["emploi_durable", "en_cours", "en_cours"],
    })


def write_participations_xlsx(path: Path) -> None:
    """The same three rows as an evaluator's spreadsheet: numbers and dates as Excel cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(S.PARTICIPATION_COLUMNS[:2] + S.PARTICIPATION_COLUMNS[3:])
    ws.append(["01234567890123", "MARCHÉ-01", "P001", "F", 1990, "bac", "DELD;RSA", 120.5,
               dt.datetime(2024, 1, 8), dt.datetime(2024, 3, 29), "embauche_directe",
               "emploi_durable"])
    ws.append(["01234567890123", "MARCHÉ-01", "P002", "M", 2001, "infra_bac", "JEUNE_MOINS_26",
               1234.5, dt.datetime(2024, 1, 1), dt.datetime(2024, 12, 31), "mise_a_disposition",
               "en_cours"])
    ws.append(["21000000000017", "C-2", "P003", "F", 1970, "superieur", None, 35,
               dt.datetime(2024, 6, 1), None, "sous_traitance_siae", "en_cours"])
    wb.save(path)


@pytest.mark.parametrize("name", ["participations_utf8_comma.csv",
                                  "participations_bom_semicolon.csv",
                                  "participations_cp1252.csv",
                                  "xlsx"])
def test_participations_every_variant_reads_identically(name: str, tmp_path: Path) -> None:
    if name == "xlsx":
        path = tmp_path / "participations.xlsx"
        write_participations_xlsx(path)
    else:
        path = FIX / name
    quality = new_quality()
    valid, rejected = read_participations(path, quality=quality)
    pd.testing.assert_frame_equal(valid, expected_participations())
    assert rejected.empty
    # P001: 120.5 h over 8 Jan - 29 Mar = 24 + 29 + 29 = 82 days -> 10.3 h/week; P002: 1234.5 h
    # over 366 days -> 23.6 h/week; ages 34, 23, 54: nothing suspicious.
    assert quality["warnings"] == []
    assert quality["files"] == [{"table": "participations", "file": path.name,
                                 "format": "xlsx" if name == "xlsx" else "csv", "rows_read": 3}]


def test_clauses_cp1252_decimal_comma_equals_utf8() -> None:
    a, _ = read_clauses(FIX / "clauses_cp1252.csv")
    b, _ = read_clauses(FIX / "clauses_utf8.csv")
    pd.testing.assert_frame_equal(a, b)
    # "1 500,5" -> 1500.5; sorted by uid: "0123..." before "2100..."
    assert a.to_dict("list") == {
        "buyer_siret": ["01234567890123", "21000000000017"],
        "contract_id": ["MARCHÉ-01", "C-2"],
        "uid": ["01234567890123MARCHÉ-01", "21000000000017C-2"],
        "planned_hours": [1500.5, 0.0],
    }


def test_clauses_xlsx_keeps_leading_zero(tmp_path: Path) -> None:
    p = tmp_path / "clauses.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Buyer SIRET", "Contract ID", "Planned hours"])  # loose header matching
    wb.active.append(["00012345600018", "2024-001", 7000])
    wb.save(p)
    valid, _ = read_clauses(p)
    assert valid.to_dict("list") == {"buyer_siret": ["00012345600018"], "contract_id": ["2024-001"],
                                     "uid": ["000123456000182024-001"], "planned_hours": [7000.0]}


def test_buyers_cp1252_accents_loose_types_and_default() -> None:
    quality = new_quality()
    valid, _ = read_buyers(FIX / "buyers_cp1252.csv", quality=quality)
    # "Collectivité" -> collectivite, "État" -> etat, empty -> collectivite (default, warned)
    assert valid.to_dict("list") == {
        "siret": ["00012345600018", "01234567890123", "21000000000017"],
        "name": ["Syndicat des eaux", "Métropole de Lyon", "Ministère des Armées"],
        "buyer_type": ["collectivite", "collectivite", "etat"],
        "facilitator_from": [pd.NaT, pd.NaT, pd.NaT],   # optional column absent: covered always
    }
    (w,) = quality["warnings"]
    assert (w["file"], w["column"], w["rows"]) == ("buyers_cp1252.csv", "buyer_type", [4])


def test_buyers_without_type_column(tmp_path: Path) -> None:
    p = tmp_path / "buyers.csv"
    p.write_text("siret\n01234567890123\n", encoding="utf-8")
    quality = new_quality()
    valid, _ = read_buyers(p, quality=quality)
    assert valid["buyer_type"].tolist() == ["collectivite"]
    assert valid["name"].isna().all()
    assert "no buyer_type column" in quality["warnings"][0]["message"]


def test_suppliers_canonical_csv() -> None:
    valid, rejected = read_suppliers(FIX / "suppliers.csv")
    assert valid.to_dict("list") == {
        "siret": ["00123456789012", "44444444400044", "55555555500055"],
        "kind": ["ESAT", "EI", "ESS"],
        "name": ["Atelier protégé du Lac", "Entreprise d'insertion", "Coopérative"],
        "source": ["suppliers.csv"] * 3,
    }
    assert rejected.empty


def test_suppliers_same_siret_keeps_eligible_kind(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("siret;kind\n11111111100011;ess\n11111111100011;EA\n22222222200022;aci\n",
                 encoding="utf-8")
    quality = new_quality()
    valid, _ = read_suppliers(p, quality=quality)
    # EA (eligible) wins over ESS though listed second; kinds matched case-insensitively
    assert valid[["siret", "kind"]].values.tolist() == [["11111111100011", "EA"],
                                                        ["22222222200022", "ACI"]]
    assert quality["warnings"][0]["rows"] == [2]


@pytest.mark.real_data
def test_suppliers_lemarche_fixture(real_dir: Path) -> None:
    quality = new_quality()
    valid, _ = read_suppliers(real_dir / "siae-lemarche-fixtures" / "01_siaes.json",
                              quality=quality)
    # 3 853 entries, 3 841 distinct SIRETs (SOURCES.md; `jq -r '.[].fields.siret' | sort -u | wc -l`)
    assert quality["files"][0]["rows_read"] == 3853
    assert len(valid) == 3841
    # Kind counts keeping the first entry of each SIRET, computed with
    #   jq -r '.[] | [.fields.siret,.fields.kind] | @tsv' 01_siaes.json
    #     | awk -F'\t' '!seen[$1]++' | cut -f2 | sort | uniq -c
    # -> ACI 1813, AI 618, EA 3, EI 936, ETTI 299, GEIQ 172 (raw counts were ACI 1815, EI 944,
    # AI 620: the 12 repeated SIRETs each carry a second kind)
    assert valid["kind"].value_counts().to_dict() == {"ACI": 1813, "EI": 936, "AI": 618,
                                                      "ETTI": 299, "GEIQ": 172, "EA": 3}
    # by hand: pk 23 = (40765547100057, ETTI) and pk 3815 = (40765547100057, EI) -> ETTI, first
    row = valid.set_index("siret").loc["40765547100057"]
    assert row["kind"] == "ETTI"
    # pk 1 in the file: 80746931700018 EI "BALUCHON A TABLE CITOYENS"
    assert valid.set_index("siret").loc["80746931700018", "name"] == "BALUCHON A TABLE CITOYENS"
    # the fake contact fields are not read
    assert list(valid.columns) == S.SUPPLIER_COLUMNS
    assert not valid.astype(str).apply(lambda c: c.str.contains("@")).any().any()
    assert "12 rows repeat a SIRET" in quality["warnings"][0]["message"]


@pytest.mark.real_data
def test_suppliers_esat_list(real_dir: Path) -> None:
    quality = new_quality()
    path = real_dir / "esat-iae-reference-pilotage" / "seed_esat__liste_officielle.csv"
    valid, _ = read_suppliers(path, quality=quality)
    # Counted independently with the csv module:
    #   rows = list(csv.DictReader(open(path))); s = [r['ET-SIRET'] for r in rows]
    #   len(rows) = 1504; 14-digit: 1424 (as SOURCES.md); empty: 78; 13 digits: 2;
    #   distinct 14-digit SIRETs: 1396 (28 establishments share a SIRET with another one)
    assert quality["files"][0] == {"table": "suppliers", "file": path.name,
                                   "format": "finess_esat", "rows_read": 1504}
    assert "80 rows without a 14-digit ET-SIRET skipped (78 empty, 2 of another length)" in \
        quality["warnings"][0]["message"]
    assert "28 rows repeat a SIRET" in quality["warnings"][1]["message"]
    assert len(valid) == 1396
    assert set(valid["kind"]) == {"ESAT"}
    # first data row of the file: ET-SIRET 77554456201361, "ESAT ENVOL TRANSITION"
    assert valid.set_index("siret").loc["77554456201361", "name"] == "ESAT ENVOL TRANSITION"
    assert not valid.astype(str).apply(lambda c: c.str.contains("@")).any().any()


def test_suppliers_unrecognised_files(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("company,type\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="unrecognised supplier file"):
        read_suppliers(p)
    j = tmp_path / "s.json"
    j.write_text('[{"model": "auth.user", "fields": {"siret": "x"}}]', encoding="utf-8")
    with pytest.raises(InputError, match="unrecognised supplier JSON"):
        read_suppliers(j)
    # detected by content whatever the extension
    k = tmp_path / "siaes.csv"
    k.write_text('[{"model": "siaes.siae", "fields": {"siret": "12345678900012", "kind": "EI"}}]',
                 encoding="utf-8")
    assert read_suppliers(k)[0][["siret", "kind"]].values.tolist() == [["12345678900012", "EI"]]
    t = tmp_path / "t.json"
    t.write_text('[{"model": "siaes.siae", "fields": {"siret": "1234', encoding="utf-8")
    with pytest.raises(InputError, match="t.json: not valid JSON"):
        read_suppliers(t)


# ---- direct identifiers in participations (docs/design.md §2.9) ---------------------------------

@pytest.mark.parametrize("header,kind", [
    ("nom", "name"), ("Nom", "name"), ("NOM_FAMILLE", "name"), ("Prénom", "name"),
    ("first_name", "name"), ("firstName", "name"), ("lastName", "name"), ("Nom Prénom", "name"),
    ("nom_beneficiaire", "name"), ("full name", "name"),
    ("NIR", "NIR / social-security number"), ("n° sécurité sociale", "NIR / social-security number"),
    ("numero_secu", "NIR / social-security number"),
    ("e-mail", "e-mail"), ("Email", "e-mail"), ("courriel", "e-mail"), ("adresse mail", "e-mail"),
    ("téléphone", "phone"), ("tel", "phone"), ("Phone number", "phone"),
    ("Téléphone portable", "phone"),
    ("adresse", "address"), ("Address line 1", "address"),
    ("date_naissance", "exact birth date"), ("Date de naissance", "exact birth date"),
    ("birth_date", "exact birth date"), ("DateOfBirth", "exact birth date"),
    ("dob", "exact birth date"), ("DDN", "exact birth date"),
])
def test_identifier_headers_are_recognised(header: str, kind: str) -> None:
    assert identifier_kind(header) == kind


@pytest.mark.parametrize("header", [
    "beneficiary_id", "birth_year", "annee_naissance", "contract_id", "buyer_siret", "hours",
    "nombre_heures", "acheteur_nom", "nom_entreprise", "structure_name", "public_categories",
    "commentaire", "modality", "diploma_level", "telecom_lot", "hotel",
])
def test_ordinary_headers_are_not_identifiers(header: str) -> None:
    assert identifier_kind(header) is None


def test_participations_with_identifiers_refused_naming_every_column(tmp_path: Path) -> None:
    header = (FIX / "participations_utf8_comma.csv").read_text(encoding="utf-8").splitlines()
    extra = ["Nom", "Prénom", "NIR", "E-mail", "Téléphone", "Adresse", "date_naissance",
             "acheteur_nom"]
    lines = [header[0] + "," + ",".join(extra)] + [h + ",x,y,z,a,b,c,1990-01-01,Lyon"
                                                   for h in header[1:]]
    p = tmp_path / "participations.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for mode in ("strict", "quarantine"):  # refused even in quarantine mode
        with pytest.raises(InputError) as exc:
            read_participations(p, on_invalid=mode)
        problems = exc.value.problems
        # the 7 identifier columns, each named; "acheteur_nom" (an organisation) is not refused
        assert [pr.column for pr in problems] == extra[:7]
        assert all(pr.file == "participations.csv" for pr in problems)
        assert all("direct identifier" in pr.message for pr in problems)
    text = str(exc.value)
    assert "7 problems" in text and "column 'Prénom'" in text and "column 'date_naissance'" in text
