"""Contract readers (docs/design.md §2.2-§2.3): every format on real public files and on small
hand-made files.

Expected values are read by hand from the files (the arithmetic is in the comments).
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import pandera_schemas as P
from helpers import schemas
from helpers.dataset import new_quality
from helpers.errors import InputError
from helpers.io import decp_json
from helpers.io.contracts import detect_format, read_contracts, read_contracts_file

FIXTURES = Path(__file__).parent / "fixtures" / "contracts"
NONE = schemas.NONE_DECLARED


def _by_id(df: pd.DataFrame) -> dict[str, pd.Series]:
    return {row.contract_id: row for row in df.itertuples(index=False)}  # type: ignore[misc]


# --------------------------------------------------------------------------- real files


@pytest.mark.real_data
def test_megalis_five_real_contracts_declare_nothing(real_dir: Path) -> None:
    path = real_dir / "decp-v2-megalis-bretagne" / "decp-59920013600241-2024-07-09-01.json"
    quality = new_quality()
    contracts, rejected = read_contracts([path], quality=quality)
    assert len(contracts) == 5 and rejected.empty
    assert set(contracts["buyer_siret"]) == {"59920013600241"}
    # every record: {"considerationSociale": ["Pas de considération sociale"]}
    assert all(c == [NONE] for c in contracts["social_considerations"])
    # 32122.0 + 146780.0 + 33136.63 + 19283.59 + 15800.0 = 247122.22
    assert contracts["amount"].sum() == pytest.approx(247122.22)
    assert set(contracts["notification_date"]) == {pd.Timestamp("2024-05-30")}
    assert contracts.loc[contracts["contract_id"] == "H9O2024T0000256", "cpv"].item() == "45111100"
    assert quality["files"] == [{"table": "contracts", "file": path.name, "format": "decp_json",
                                 "rows_read": 5}]
    assert quality["contracts_rows_read"] == 5 and quality["duplicates_dropped"] == 0


@pytest.mark.real_data
def test_decp_processing_2022_fixture(real_dir: Path) -> None:
    path = real_dir / "decp-processing-test-fixtures" / "decp_test_2022.json"
    # strict: the 1e17 placeholder amount of record #1 (2020F00075) is refused
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    (problem,) = exc.value.problems
    assert (problem.file, problem.column, problem.rows) == (path.name, "montant", (1,))
    assert "1e+17" in problem.message

    quality = new_quality()
    valid, rejected = read_contracts_file(path, on_invalid="quarantine", quality=quality)
    assert rejected[["row", "column"]].values.tolist() == [[1, "montant"]]
    assert quality["rejected"]["contracts"] == 1
    rows = _by_id(valid)
    assert set(rows) == {"2019K1209", "202207LOT03", "202401L04", "2022VI2022.242"}
    # the record with both social considerations; montant 44996.25 -> modification 1: 49599.25
    lot03 = rows["202207LOT03"]
    assert lot03.social_considerations == ["Critère social", "Clause sociale"]
    assert lot03.amount == 49599.25
    assert lot03.buyer_siret == "21500222100012" and lot03.cpv == "45223220"
    # 2019K1209: montant 1105000.0; modifications 1, 2, 7 carry no amount, modification 6 gives
    # 1214900.0 and dureeMois 49; the first titulaire has no "titulaire" wrapper but counts
    k1209 = rows["2019K1209"]
    assert k1209.amount == 1214900.0 and k1209.duration_months == 49
    assert k1209.holders == ["39210031900038", "39210873400063", "39830819700035"]
    assert k1209.publication_date == pd.Timestamp("2023-08-10")  # latest modification published
    # 202401L04: modification 1 (2025-04-08) sets 124557.46 and two new titulaires
    l04 = rows["202401L04"]
    assert l04.amount == 124557.46 and l04.holders == ["81223513300026", "98756638100011"]
    # 2022VI2022.242: dureeMois "NC" -> missing; the TVA titulaire is not a SIRET holder
    vi = rows["2022VI2022.242"]
    assert pd.isna(vi.duration_months) and vi.holders == ["12345678900023"]
    warned = {(w["column"], tuple(w["rows"])) for w in quality["warnings"]}
    assert ("dureeMois", (0,)) in warned
    assert ("datePublicationDonnees", (2,)) in warned  # published 2003-11-24, notified 2024-02-08


@pytest.mark.real_data
def test_official_example_with_modifications(real_dir: Path) -> None:
    path = (real_dir / "decp-official-schema-139bercy" / "exemples" / "json"
            / "marches_avec_modifications.json")
    quality = new_quality()
    valid, rejected = read_contracts_file(path, quality=quality)
    assert rejected.empty and list(valid["contract_id"]) == ["TEST2022", "TEST2022Bis"]
    # montant 575000, dureeMois 48 -> modification 1: montant 123457.87, dureeMois 12
    assert list(valid["amount"]) == [123457.87, 123457.87]
    assert list(valid["duration_months"]) == [12.0, 12.0]
    assert list(valid["cpv"]) == ["45000000", "45000000"]  # "45000000-7": check digit removed
    assert valid["social_considerations"].tolist() == [["Clause sociale", "Critère social"]] * 2
    # the modification's titulaire "868768687576575" has 15 digits: dropped, with a warning
    assert valid["holders"].tolist() == [[], []]
    assert any("868768687576575" in w["message"] for w in quality["warnings"])


@pytest.mark.real_data
def test_official_example_ignores_concessions(real_dir: Path) -> None:
    path = (real_dir / "decp-official-schema-139bercy" / "exemples" / "json"
            / "marches_concessions.json")
    valid, _ = read_contracts_file(path)
    assert list(valid["contract_id"]) == ["TEST2022", "TEST2022Bis"]  # 2 marchés, 2 concessions


@pytest.mark.real_data
def test_ministry_flat_csv(real_dir: Path) -> None:
    path = real_dir / "decp-processing-test-fixtures" / "decp_augmente_valides_2022_test.csv"
    assert detect_format(path) == "decp_flat"
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    (problem,) = exc.value.problems
    # spreadsheet row 9: codeCPV "INX 67151000-0" (the publisher prefix leaked into the CPV)
    assert (problem.rows, problem.column) == ((9,), "codeCPV")
    assert "INX 67151000-0" in problem.message

    valid, rejected = read_contracts_file(path, on_invalid="quarantine")
    assert len(valid) == 8 and rejected["row"].tolist() == [9]
    rows = _by_id(valid)
    clause = rows["24-1065297-2"]  # the "['Clause sociale']" row
    assert clause.social_considerations == ["Clause sociale"]
    assert clause.buyer_siret == "20003994900017" and clause.amount == 27364.0
    assert clause.holders == ["81918510900025"] and clause.cpv == "45210000"
    # row 6 holds a quoted "D&#8217;INFRASTRUCTURES" whose ';' splits it for a quote-unaware
    # reader (56 fields); read properly its fields stay in place
    quoted = rows["2024FCS05_1"]
    assert quoted.buyer_siret == "20005684400018" and quoted.amount == 380000.0
    assert quoted.subject.startswith("EXPLOITATION ET MAINTENANCE D&#8217;INFRASTRUCTURES")
    assert quoted.holders == []  # its only titulaire is a TVA number
    assert all(c == [NONE] for k, c in zip(valid["contract_id"], valid["social_considerations"])
               if k != "24-1065297-2")


# --------------------------------------------------------------------------- hand-made files


def test_official_shape_json_leading_zeros_and_modifications() -> None:
    quality = new_quality()
    valid, rejected = read_contracts_file(FIXTURES / "official_small.json", quality=quality)
    assert rejected.empty and len(valid) == 2  # the contrat-concession is ignored
    rows = _by_id(valid)
    first = rows["2024-001"]
    assert first.uid == "012345678000172024-001" and first.buyer_siret == "01234567800017"
    assert first.social_considerations == ["Clause sociale"]  # a single string, not a list
    assert first.holders == ["00987654300021"]  # the TVA titulaire is not a SIRET
    assert first.amount == 250000.5 and first.cpv == "90910000" and first.duration_months == 24
    second = rows["2024-002"]
    # modifications applied by date: id 1 (2024-06-01) montant 130000, dureeMois 15, titulaire
    # 22222222200022; then id 2 (2024-09-01) dureeMois 18 -> 130000 / 18 / [22222222200022]
    assert second.amount == 130000 and second.duration_months == 18
    assert second.holders == ["22222222200022"]
    assert second.publication_date == pd.Timestamp("2024-09-05")
    assert second.notification_date == pd.Timestamp("2024-01-10")
    assert quality["files"][0]["rows_read"] == 2


def test_json_gz_bare_list_and_marches_list(tmp_path: Path) -> None:
    gz = tmp_path / "official_small.json.gz"
    gz.write_bytes(gzip.compress((FIXTURES / "official_small.json").read_bytes()))
    plain, _ = read_contracts_file(FIXTURES / "official_small.json")
    zipped, _ = read_contracts_file(gz)
    pd.testing.assert_frame_equal(plain.drop(columns="source_file"),
                                  zipped.drop(columns="source_file"))
    bare, _ = read_contracts_file(FIXTURES / "bare_list.json")
    assert bare[["uid", "amount"]].values.tolist() == [["21750001600019L1", 45000.0]]
    assert bare["holders"].tolist() == [["33333333300033"]]  # unwrapped titulaire entry
    listed, _ = read_contracts_file(FIXTURES / "marches_list.json")
    assert listed["social_considerations"].tolist() == [["Critère social"]]
    assert listed["cpv"].tolist() == ["50000000"]


def test_json_with_bom_and_nan_tokens(tmp_path: Path) -> None:
    record = json.loads((FIXTURES / "bare_list.json").read_text(encoding="utf-8"))[0]
    text = json.dumps([record | {"origineUE": 0.0}], ensure_ascii=False)
    text = text.replace('"origineUE": 0.0', '"origineUE": NaN')
    path = tmp_path / "nan.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    valid, _ = read_contracts_file(path)
    assert valid["amount"].tolist() == [45000.0]


def test_json_streaming_builds_columns_not_records(tmp_path: Path, monkeypatch) -> None:
    """The reader must stream: it never calls json.load on the file."""
    import json as json_module

    def forbidden(*args, **kwargs):  # pragma: no cover - called only on regression
        raise AssertionError("json.load must not be used")

    monkeypatch.setattr(json_module, "load", forbidden)
    monkeypatch.setattr(json_module, "loads", forbidden)
    valid, _ = decp_json.read_contracts_file(FIXTURES / "official_small.json")
    assert len(valid) == 2


def test_flat_csv_column_shifted_row_reported() -> None:
    path = FIXTURES / "flat_shifted.csv"
    with pytest.raises(InputError) as exc:
        read_contracts_file(path)
    (problem,) = exc.value.problems
    # spreadsheet row 4 ("Entretien; nettoyage" unquoted): 15 fields for a 14-field header
    assert problem.rows == (4,) and "15 fields" in problem.message and "14" in problem.message
    valid, rejected = read_contracts_file(path, on_invalid="quarantine")
    assert rejected["row"].tolist() == [4]
    rows = _by_id(valid)
    assert sorted(rows) == ["F-1", "F-2"]
    assert rows["F-1"].buyer_siret == "01234567800017"
    assert rows["F-1"].holders == ["00987654300021"]
    assert rows["F-1"].social_considerations == ["Clause sociale", "Critère social"]
    assert rows["F-1"].cpv == "77310000"
    assert rows["F-2"].subject == "Entretien; nettoyage"  # quoted ';' is text
    assert rows["F-2"].holders == ["55555555500055", "66666666600066"]
    assert pd.isna(rows["F-2"].duration_months)  # "MQ" placeholder


# decp.info tabular: uid A1 = 2 titulaires x (initial + 1 modification); B2 = 1 row "Sans objet"
_TABULAR = [
    dict(id="A1", acheteur_id=5650171100115, titulaire_id=1234567800011,
         titulaire_typeIdentifiant="SIRET", montant=100000.0, dureeMois=12,
         dateNotification="2024-03-01", datePublicationDonnees="2024-03-10",
         modification_id=0, donneesActuelles=False),
    dict(id="A1", acheteur_id=5650171100115, titulaire_id=1234567800011,
         titulaire_typeIdentifiant="SIRET", montant=120000.0, dureeMois=14,
         dateNotification="2024-09-01", datePublicationDonnees="2024-09-10",
         modification_id=1, donneesActuelles=True),
    dict(id="A1", acheteur_id=5650171100115, titulaire_id=98765432100019,
         titulaire_typeIdentifiant="SIRET", montant=120000.0, dureeMois=14,
         dateNotification="2024-09-01", datePublicationDonnees="2024-09-10",
         modification_id=1, donneesActuelles=True),
    dict(id="B2", acheteur_id=21750001600019, titulaire_id=44444444400044,
         titulaire_typeIdentifiant="TVA", montant=50000.0, dureeMois=6,
         dateNotification="2024-05-01", datePublicationDonnees="2024-05-02",
         modification_id=0, donneesActuelles=True),
]


def _tabular_frame() -> pd.DataFrame:
    df = pd.DataFrame(_TABULAR)
    df["codeCPV"] = ["45000000", "45000000", "45000000", "79000000"]
    df["considerationsSociales"] = ["Clause sociale, Critère social"] * 3 + ["Sans objet"]
    df["objet"] = ["Travaux", "Travaux", "Travaux", "Services"]
    df["procedure"] = "Procédure adaptée"
    df["acheteur_nom"] = ["Commune de Lac", "Commune de Lac", "Commune de Lac", "Ville de Paris"]
    return df


def _check_tabular(valid: pd.DataFrame) -> None:
    assert list(valid["uid"]) == ["05650171100115A1", "21750001600019B2"]
    a1, b2 = valid.iloc[0], valid.iloc[1]
    # current rows of A1 = the two modification-1 rows: 120000 / 14 months, both titulaires
    assert a1["amount"] == 120000.0 and a1["duration_months"] == 14
    assert a1["holders"] == ["01234567800011", "98765432100019"]
    assert a1["social_considerations"] == ["Clause sociale", "Critère social"]
    assert a1["notification_date"] == pd.Timestamp("2024-03-01")  # earliest of the contract
    assert a1["publication_date"] == pd.Timestamp("2024-09-10")
    assert b2["social_considerations"] == [NONE]  # "Sans objet"
    assert b2["holders"] == []  # TVA titulaire
    assert (a1["buyer_name"], b2["buyer_name"]) == ("Commune de Lac", "Ville de Paris")


def test_tabular_parquet_with_integer_sirets(tmp_path: Path) -> None:
    path = tmp_path / "decp.parquet"
    pq.write_table(pa.Table.from_pandas(_tabular_frame(), preserve_index=False), path)
    assert pa.types.is_integer(pq.read_schema(path).field("acheteur_id").type)
    quality = new_quality()
    valid, rejected = read_contracts_file(path, quality=quality)
    assert rejected.empty
    _check_tabular(valid)
    assert quality["files"][0] == {"table": "contracts", "file": "decp.parquet",
                                   "format": "decp_tabular", "rows_read": 4}


@pytest.mark.parametrize("sep", [",", ";"])
def test_tabular_csv(tmp_path: Path, sep: str) -> None:
    df = _tabular_frame()
    for col in ("acheteur_id", "titulaire_id"):
        df[col] = df[col].astype(str).str.zfill(14)
    path = tmp_path / "decp.csv"
    df.to_csv(path, sep=sep, index=False)
    assert detect_format(path) == "decp_tabular"
    valid, _ = read_contracts_file(path)
    _check_tabular(valid)


def test_tabular_parquet_with_typed_dates(tmp_path: Path) -> None:
    df = _tabular_frame()
    df["dateNotification"] = pd.to_datetime(df["dateNotification"]).dt.date  # Parquet date32
    df["datePublicationDonnees"] = (pd.to_datetime(df["datePublicationDonnees"])
                                    .dt.tz_localize("Europe/Paris"))  # timestamp with a zone
    path = tmp_path / "typed.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)
    schema = pq.read_schema(path)
    assert pa.types.is_date32(schema.field("dateNotification").type)
    assert schema.field("datePublicationDonnees").type.tz == "Europe/Paris"
    valid, _ = read_contracts_file(path)
    _check_tabular(valid)  # same dates as written (no shift to UTC)


def test_tabular_without_donnees_actuelles_uses_last_modification(tmp_path: Path) -> None:
    df = _tabular_frame().drop(columns="donneesActuelles")
    path = tmp_path / "decp.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)
    valid, _ = read_contracts_file(path)
    _check_tabular(valid)


def test_tabular_fold_latest_current_row_wins_ties_to_the_later_row(tmp_path: Path) -> None:
    x, y = "11111111111111", "22222222222222"
    rows = [  # C1: three current rows; C2: two current rows without a date and a past row
        dict(id="C1", montant=10.0, datePublicationDonnees="2024-05-01", titulaire_id=x, cur=True),
        dict(id="C1", montant=20.0, datePublicationDonnees=None, titulaire_id=y, cur=True),
        dict(id="C1", montant=30.0, datePublicationDonnees="2024-05-01", titulaire_id=x, cur=True),
        dict(id="C2", montant=40.0, datePublicationDonnees=None, titulaire_id=y, cur=True),
        dict(id="C2", montant=50.0, datePublicationDonnees=None, titulaire_id=x, cur=True),
        dict(id="C2", montant=60.0, datePublicationDonnees="2025-01-01", titulaire_id=x, cur=False),
    ]
    df = pd.DataFrame(rows).rename(columns={"cur": "donneesActuelles"}).assign(
        acheteur_id="21750001600019", titulaire_typeIdentifiant="SIRET",
        dateNotification="2024-03-01", considerationsSociales="Sans objet", codeCPV="45000000")
    path = tmp_path / "fold.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)
    valid, _ = read_contracts_file(path)
    c1, c2 = valid.iloc[0], valid.iloc[1]
    # C1: rows 0 and 2 share the latest date (row 1 has none, it loses): the later row 2 wins
    assert c1["contract_id"] == "C1" and c1["amount"] == 30.0
    assert c1["holders"] == [x, y]  # first-seen order among current rows, x once
    # C2: the dated row 5 is not current; rows 3 and 4 both lack a date: the later row 4 wins
    assert c2["contract_id"] == "C2" and c2["amount"] == 50.0
    assert c2["holders"] == [y, x]
    assert pd.isna(c2["publication_date"])


def test_read_contracts_dedup_latest_publication_then_later_file(tmp_path: Path) -> None:
    base = json.loads((FIXTURES / "bare_list.json").read_text(encoding="utf-8"))[0]
    def write(name: str, pub: str, amount: float) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps([base | {"datePublicationDonnees": pub, "montant": amount}]),
                        encoding="utf-8")
        return path
    # a.json is published later than b.json: a wins although b comes later
    a = write("a.json", "2023-03-01", 100.0)
    b = write("b.json", "2023-02-02", 200.0)
    quality = new_quality()
    contracts, _ = read_contracts([b, a], quality=quality)
    assert contracts["amount"].tolist() == [100.0] and contracts["source_file"].item() == "a.json"
    assert quality["contracts_rows_read"] == 2 and quality["duplicates_dropped"] == 1
    # equal publication dates: the later file in sorted order (c.json) wins
    c = write("c.json", "2023-03-01", 300.0)
    contracts, _ = read_contracts([c, a], quality=quality)
    assert contracts["amount"].tolist() == [300.0]
    assert quality["contracts_rows_read"] == 4 and quality["duplicates_dropped"] == 2
    P.CONTRACTS_SCHEMA.validate(contracts)


def test_read_contracts_across_formats_keeps_leading_zeros(tmp_path: Path) -> None:
    for name in ("official_small.json", "flat_shifted.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    pq.write_table(pa.Table.from_pandas(_tabular_frame(), preserve_index=False),
                   tmp_path / "t.parquet")
    contracts, rejected = read_contracts(sorted(tmp_path.iterdir()), on_invalid="quarantine")
    assert rejected["row"].tolist() == [4]  # the shifted flat row
    sirets = set(contracts["buyer_siret"])
    assert {"01234567800017", "05650171100115"} <= sirets
    holders = {h for hs in contracts["holders"] for h in hs}
    assert {"00987654300021", "01234567800011"} <= holders
    assert contracts["uid"].is_unique and contracts["uid"].is_monotonic_increasing


def test_detect_format_by_content(tmp_path: Path) -> None:
    json_copy = tmp_path / "export"
    json_copy.write_bytes((FIXTURES / "bare_list.json").read_bytes())
    flat_copy = tmp_path / "flat.txt"
    flat_copy.write_bytes((FIXTURES / "flat_shifted.csv").read_bytes())
    parquet_copy = tmp_path / "data.bin"
    pq.write_table(pa.Table.from_pandas(_tabular_frame(), preserve_index=False), parquet_copy)
    assert detect_format(json_copy) == "decp_json"
    assert detect_format(flat_copy) == "decp_flat"
    assert detect_format(parquet_copy) == "decp_tabular"
    assert len(read_contracts_file(parquet_copy)[0]) == 2
