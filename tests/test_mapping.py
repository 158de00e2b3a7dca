"""Reading a facilitator's export as it comes: header and value mapping, date and number forms,
identifier headers, and the whole path (export -> pseudonymise -> data directory -> results)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.__main__ import main as cli
from helpers.errors import InputError
from helpers.indicators.results import compute_results
from helpers.io import mapping as M
from helpers.io.identifiers import identifier_kind
from helpers.io.tables import read_clauses, read_participations
from helpers.io.tabular import parse_date, parse_decimal, read_table_file
from helpers.loader import load_data_dir
from helpers.params import make_params

FIX = Path(__file__).parent / "fixtures" / "facilitator"
BUYER = "24330031600011"


def recode(values: list[str], column: str, mapping: M.Mapping | None = None) -> list[object]:
    out = M.recode(pd.Series(values, dtype=object), column, mapping or M.default_mapping())
    return out.tolist()


# ---- default value mapping, one rule at a time -----------------------------------------------------

@pytest.mark.parametrize("column,label,code", [
    ("sex", "Homme", "M"), ("sex", "Femme", "F"), ("sex", "H", "M"), ("sex", "F", "F"),
    ("sex", "  FEMME ", "F"), ("sex", "homme", "M"),
    ("diploma_level", "Infra 3", "infra_bac"), ("diploma_level", "Sans diplôme", "infra_bac"),
    ("diploma_level", "SANS DIPLOME", "infra_bac"),
    ("diploma_level", "Niveau 3 (CAP, BEP)", "infra_bac"), ("diploma_level", "CAP", "infra_bac"),
    ("diploma_level", "Niveau 4 (Bac)", "bac"), ("diploma_level", "Bac", "bac"),
    ("diploma_level", "Niveau 5 et plus", "superieur"), ("diploma_level", "Niveau 6", "superieur"),
    ("diploma_level", "Niveau 7", "superieur"), ("diploma_level", "Niveau III", "superieur"),
    ("diploma_level", "Non renseigné", "inconnu"),
    ("public_categories", "DELD", "DELD"), ("public_categories", "DE longue durée", "DELD"),
    ("public_categories", "BRSA", "RSA"), ("public_categories", "RSA", "RSA"),
    ("public_categories", "TH", "RQTH"), ("public_categories", "BOETH", "RQTH"),
    ("public_categories", "RQTH", "RQTH"),
    ("public_categories", "Jeune de moins de 26 ans", "JEUNE_MOINS_26"),
    ("public_categories", "Senior 50 ans et plus", "SENIOR_50"),
    ("public_categories", "QPV", "QPV"), ("public_categories", "Salarié SIAE", "SIAE"),
    ("public_categories", "Autre", "AUTRE"),
    ("modality", "Embauche directe", "embauche_directe"),
    ("modality", "Mise à disposition", "mise_a_disposition"),
    ("modality", "Sous-traitance SIAE", "sous_traitance_siae"),
    ("modality", "Co-traitance SIAE", "sous_traitance_siae"), ("modality", "Autre", "autre"),
    ("exit_outcome", "CDI", "emploi_durable"), ("exit_outcome", "CDD ≥ 6 mois", "emploi_durable"),
    ("exit_outcome", "cdd >= 6 MOIS", "emploi_durable"),
    ("exit_outcome", "Intérim ≥ 6 mois", "emploi_durable"),
    ("exit_outcome", "Création d'entreprise", "emploi_durable"),
    ("exit_outcome", "Création d’entreprise", "emploi_durable"),   # typographic apostrophe
    ("exit_outcome", "CDD < 6 mois", "emploi_transition"),
    ("exit_outcome", "Intérim < 6 mois", "emploi_transition"),
    ("exit_outcome", "Contrat aidé", "emploi_transition"),
    ("exit_outcome", "Formation qualifiante", "formation"),
    ("exit_outcome", "Entrée en SIAE", "formation"),
    ("exit_outcome", "Sans solution", "autre"), ("exit_outcome", "Non connue", "inconnu"),
    ("exit_outcome", "En cours", "en_cours"),
    ("kind", "Entreprise d'insertion", "EI"), ("kind", "Atelier chantier d'insertion", "ACI"),
    ("buyer_type", "Métropole", "collectivite"), ("buyer_type", "État", "etat"),
])
def test_default_value_mapping(column: str, label: str, code: str) -> None:
    assert recode([label], column) == [code]


def test_values_differing_only_by_a_sign_stay_apart() -> None:
    # loose matching that dropped "<" and "≥" would merge a lasting job with a transition job
    assert recode(["CDD ≥ 6 mois", "CDD < 6 mois", "Intérim < 6 mois"], "exit_outcome") == \
        ["emploi_durable", "emploi_transition", "emploi_transition"]
    assert M.value_key("CDD ≥ 6 mois") != M.value_key("CDD < 6 mois")


def test_unknown_and_missing_values_are_kept_as_they_are() -> None:
    assert recode(["Licorne", None, "Femme"], "sex") == ["Licorne", pd.NA, "F"]


@pytest.mark.parametrize("cell,expected", [
    ("BRSA, TH", "RSA;RQTH"), ("BRSA/TH", "RSA;RQTH"), ("BRSA; TH", "RSA;RQTH"),
    ("DE longue durée / Senior 50 ans et plus", "DELD;SENIOR_50"),
    ("TH/BOETH", "RQTH"),                 # a label holding a separator is tried whole first
    ("BRSA, BRSA", "RSA"),                # repeats collapse
    ("BRSA; Licorne", "RSA;Licorne"),     # unknown items kept for the reader to report
    ("DELD;RSA", "DELD;RSA"),
])
def test_list_items_are_mapped_one_by_one(cell: str, expected: str) -> None:
    assert recode([cell], "public_categories") == [expected]


# ---- headers ---------------------------------------------------------------------------------------

def test_headers_renamed_ignoring_case_accents_blanks() -> None:
    df = pd.DataFrame({" siret ACHETEUR": ["1"], "N° MARCHE": ["2"], "heures prevues": ["3"],
                       "Intitulé": ["x"], "_row": [2]})
    out, problems = M.map_frame(df, "clauses", None, "ops.csv")
    assert list(out.columns) == ["buyer_siret", "contract_id", "planned_hours", "Intitulé", "_row"]
    assert problems == []
    assert list(df.columns)[0] == " siret ACHETEUR"  # the input frame is not modified


def test_two_columns_for_one_canonical_column_is_a_file_problem() -> None:
    df = pd.DataFrame({"Heures": ["1"], "Heures réalisées": ["2"], "_row": [2]})
    out, problems = M.map_frame(df, "participations", None, "p.csv")
    assert [(p.column, p.rows) for p in problems] == [("hours", (1,))]
    assert "'Heures', 'Heures réalisées'" in problems[0].message
    assert "hours" not in out.columns


def test_missing_column_hint_names_a_header_of_the_file(tmp_path: Path) -> None:
    p = tmp_path / "clauses.csv"
    p.write_text("SIRET acheteur;N° marché;Volume contractuel\n"
                 "24330031600011;M1;10\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_clauses(p)
    [problem] = exc.value.problems
    assert problem.column == "planned_hours" and "required column missing" in problem.message
    assert 'columns: {clauses: {planned_hours: ["Volume contractuel"]}}' in problem.message


# ---- mapping files: shape, merge, errors -----------------------------------------------------------

def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_local_mapping_adds_and_takes_labels_from_the_default(tmp_path: Path) -> None:
    write(tmp_path / "mapping.yml", """
files: {clauses: ops.csv}
columns:
  clauses: {planned_hours: ["Volume contractuel"]}
values:
  exit_outcome: {inconnu: ["Sans solution"]}      # the default says autre: the local file wins
  sex: {F: ["Féminin.", Fem]}
""")
    m = M.load_mapping(tmp_path)
    assert m.files["clauses"] == "ops.csv"
    assert m.header_lookup("clauses")[M.header_key("Volume contractuel")] == "planned_hours"
    assert m.header_lookup("clauses")[M.header_key("Heures prévues")] == "planned_hours"  # kept
    assert recode(["Sans solution", "CDI"], "exit_outcome", m) == ["inconnu", "emploi_durable"]
    assert "Sans solution" not in m.values["exit_outcome"]["autre"]
    assert recode(["FEMININ.", "fem", "Femme"], "sex", m) == ["F", "F", "F"]


@pytest.mark.parametrize("text,where,message", [
    ("colonnes: {}\n", "colonnes", "unknown section"),
    ("columns: {contrats: {}}\n", "columns.contrats", "unknown table"),
    ("columns: {clauses: {hours: [Heures]}}\n", "columns.clauses.hours", "unknown column"),
    ("values: {sex: {X: [Autre]}}\n", "values.sex.X", "unknown code"),
    ("values: {hours: {}}\n", "values.hours", "no codes to map"),
    ("values: {exit_outcome: {inconnu: [No]}}\n", "values.exit_outcome.inconnu",
     "put the label in quotes"),
    ("values: {sex: {F: [Fem], M: [FEM]}}\n", "values.sex", "given to both F and M"),
    ("values: {public_categories: {DELD: [rsa]}}\n", "values.public_categories",
     "given to both RSA and DELD"),
    ("columns: {clauses: {planned_hours: [Contract ID]}}\n", "columns.clauses",
     "given to both contract_id and planned_hours"),
    ("files: {clauses: ../../etc/passwd}\n", "files.clauses", "without '..'"),
])
def test_mapping_file_problems_name_file_and_key(tmp_path: Path, text: str, where: str,
                                                 message: str) -> None:
    with pytest.raises(InputError) as exc:
        M.read_mapping_file(write(tmp_path / "mapping.yml", text))
    assert [(p.file, p.column) for p in exc.value.problems] == [("mapping.yml", where)]
    assert message in exc.value.problems[0].message


def test_mapping_file_yaml_is_safe_and_bounded(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not valid YAML"):
        M.read_mapping_file(write(tmp_path / "a.yml", "values: {sex: [\n"))
    with pytest.raises(InputError, match="given twice"):   # not silently the last one
        M.read_mapping_file(write(tmp_path / "d.yml", "values:\n  sex: {F: [a]}\n  sex: {M: [b]}\n"))
    with pytest.raises(InputError, match="not valid YAML"):   # no Python objects (safe loader)
        M.read_mapping_file(write(tmp_path / "b.yml", "files: !!python/object/apply:os.getcwd []\n"))
    big = tmp_path / "c.yml"
    big.write_bytes(b"# " + b"x" * M.MAX_MAPPING_BYTES)
    with pytest.raises(InputError, match="too large"):
        M.read_mapping_file(big)


def test_the_default_mapping_is_valid_and_has_no_identifier_headers() -> None:
    m = M.read_mapping_file(Path(M.config.REFERENCE_DIR) / "mapping_fr.yml")
    assert set(m.columns) == set(M.TABLES) and set(m.values) == set(M.VALUE_COLUMNS)
    for headers in m.columns["participations"].values():
        assert [h for h in headers if identifier_kind(h)] == []


# ---- unknown values: once per value, with its count and the line that maps it ----------------------

def participations_csv(path: Path, sexes: list[str], publics: list[str]) -> Path:
    rows = ["SIRET acheteur;N° marché;beneficiary_id;Sexe;birth_year;Niveau;Public;Heures;"
            "Date de début;Date de fin;Modalité;Sortie"]
    for i, (sex, pub) in enumerate(zip(sexes, publics)):
        rows.append(f"{BUYER};M1;B{i};{sex};1990;Bac;{pub};10;01/03/2024;31/03/2024;"
                    "Embauche directe;CDI")
    return write(path, "\n".join(rows) + "\n")


def test_unknown_value_reported_once_with_count_and_mapping_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    # rows 2..6: "Fém." three times (rows 2, 4, 6), "Masc." once (row 3), "Femme" once (row 5)
    p = participations_csv(data / "participations.csv", ["Fém.", "Masc.", "Fém.", "Femme", "Fém."],
                           ["BRSA", "BRSA, Licorne", "Licorne", "TH", "QPV"])
    with pytest.raises(InputError) as exc:
        read_participations(p)
    problems = exc.value.problems
    # one problem per distinct unknown value, the most frequent first
    assert [(pr.column, pr.rows) for pr in problems] == [
        ("sex", (2, 4, 6)), ("sex", (3,)), ("public_categories", (3, 4))]
    assert "(e.g. 'Fém.', 3 rows" in problems[0].message
    assert 'values: {sex: {F: ["Fém."]}}' in problems[0].message
    assert 'values: {sex: {M: ["Masc."]}}' in problems[1].message
    assert "unknown value in the list" in problems[2].message and "'Licorne', 2 rows" in \
        problems[2].message
    # the lines given, merged into one mapping.yml (with a code for Licorne), make the file readable
    entries = [yaml.safe_load(re.search(r"values: \{.*?\}\}", pr.message).group(0))["values"]
               for pr in problems[:2]]
    assert entries == [{"sex": {"F": ["Fém."]}}, {"sex": {"M": ["Masc."]}}]
    write(data / "mapping.yml", 'values:\n  sex: {F: ["Fém."], M: ["Masc."]}\n'
          "  public_categories: {AUTRE: [Licorne]}\n")
    m = M.load_mapping(data)
    valid, _ = read_participations(p, mapping=m)
    assert valid.sort_values("beneficiary_id")["sex"].tolist() == ["F", "M", "F", "F", "F"]
    assert valid.sort_values("beneficiary_id")["public_categories"].tolist() == \
        [["RSA"], ["RSA", "AUTRE"], ["AUTRE"], ["RQTH"], ["QPV"]]


@pytest.mark.parametrize("column,value,code", [
    ("sex", "Féminine", "F"), ("sex", "Fém.", "F"), ("sex", "Masc.", "M"),  # abbreviation
    ("exit_outcome", "CDD de 6 mois et +", "emploi_durable"),   # the closest known label
    ("exit_outcome", "Retraite", "autre"),                       # like none: the catch-all code
    ("public_categories", "Licorne", "AUTRE"), ("diploma_level", "Zzz", "inconnu"),
    ("modality", "Licorne", "autre"), ("kind", "SCOP", "ESS"),
])
def test_suggested_code(column: str, value: str, code: str) -> None:
    assert M.suggest_code(value, column) == code


def test_missing_id_or_year_points_to_the_pseudonymise_command(tmp_path: Path) -> None:
    p = write(tmp_path / "participations.csv", "SIRET acheteur;N° marché;Sexe\n1;M1;F\n")
    with pytest.raises(InputError) as exc:
        read_participations(p)
    messages = {pr.column: pr.message for pr in exc.value.problems}
    assert "python -m helpers pseudonymise makes beneficiary_id" in messages["beneficiary_id"]
    assert "python -m helpers pseudonymise makes beneficiary_id" in messages["birth_year"]


def test_unknown_values_in_quarantine_do_not_copy_the_value(tmp_path: Path) -> None:
    p = participations_csv(tmp_path / "participations.csv", ["Fém.", "Femme"], ["QPV", "QPV"])
    valid, rejected = read_participations(p, on_invalid="quarantine")
    assert len(valid) == 1
    assert rejected["reason"].tolist() == ["unknown value (allowed: F, M)"]


# ---- dates and numbers -----------------------------------------------------------------------------

@pytest.mark.parametrize("text,iso", [
    ("01/03/2024", "2024-03-01"), ("1/3/2024", "2024-03-01"), ("01.03.2024", "2024-03-01"),
    ("01/03/2024 08:30", "2024-03-01"), ("2024-03-01", "2024-03-01"),
    ("2024-03-01T08:00:00", "2024-03-01"),
    # Excel serial: day 0 = 1899-12-30; 2024-01-01 is day 45292 (= 124 years of days from
    # 1900-01-01 (day 2) ...): 45292 + 31 (January) + 29 (February 2024) = 45352 -> 1 March
    ("45352", "2024-03-01"), ("45352.75", "2024-03-01"), ("45352,5", "2024-03-01"),
    # 2001-01-01 = day 36892; + 304 (Jan..Oct 2001) + 29 = 37225 -> 30 November 2001
    ("37225", "2001-11-30"),
    ("2024", None), ("29/02/2023", None), ("1234", None),    # a year is never a serial
])
def test_date_forms(text: str, iso: str | None) -> None:
    values, invalid = parse_date(pd.Series([text], dtype=object))
    if iso is None:
        assert bool(invalid.iloc[0]) and pd.isna(values.iloc[0])
    else:
        assert not invalid.iloc[0] and values.iloc[0] == pd.Timestamp(iso)


def test_excel_date_cells_arrive_as_iso_text(tmp_path: Path) -> None:
    df = read_table_file(FIX / "participants.xlsx", table="participations")
    # row 2: an Excel date cell; row 3: a date typed as text; row 5: a serial number cell
    assert df["Date de naissance"].tolist()[:4] == ["1990-03-12", "12/03/1990", "1970-07-01",
                                                     "37225"]
    assert df["Date de début"].iloc[0] == "2024-01-08"


@pytest.mark.parametrize("text,value", [
    ("2 717", 2717.0), ("2\u00a0717", 2717.0), ("2\u202f717", 2717.0), ("1 200,5", 1200.5),
    ("1.234.567", 1234567.0), ("1.234,5", 1234.5), ("12,5", 12.5), ("2.717", 2.717),
    ("1 234 567,25", 1234567.25),
])
def test_number_forms(text: str, value: float) -> None:
    values, invalid = parse_decimal(pd.Series([text], dtype=object))
    assert not invalid.iloc[0] and values.iloc[0] == pytest.approx(value)


def test_bad_numbers_stay_invalid() -> None:
    _, invalid = parse_decimal(pd.Series(["1.23.4", "12h", "1.2345.678"], dtype=object))
    assert invalid.tolist() == [True, True, True]


# ---- identifier headers ----------------------------------------------------------------------------

@pytest.mark.parametrize("header,kind", [
    ("date_naiss", "exact birth date"), ("naissance", "exact birth date"),
    ("né le", "exact birth date"), ("Née le", "exact birth date"), ("DDN", "exact birth date"),
    ("INSEE", "NIR / social-security number"), ("num_ss", "NIR / social-security number"),
    ("nir", "NIR / social-security number"), ("N° sécu", "NIR / social-security number"),
    ("patronyme", "name"), ("nom_salarie_chantier", "name"), ("nom", "name"), ("Prénom", "name"),
    ("PRENOM", "name"), ("Last name", "name"), ("first_name", "name"), ("Nom de naissance", "name"),
    ("rue", "address"), ("code_postal", "address"), ("Code postal", "address"),
    ("adresse", "address"), ("Street", "address"), ("mail", "e-mail"), ("E-mail", "e-mail"),
    ("tel", "phone"), ("Tél. portable", "phone"), ("lieu de naissance", "place of birth"),
    ("matricule", "personal file number"), ("N° France Travail", "personal file number"),
])
def test_identifier_headers(header: str, kind: str) -> None:
    assert identifier_kind(header) == kind


@pytest.mark.parametrize("header", [
    "birth_year", "beneficiary_id", "BirthYear", "annee_naissance", "Année de naissance",
    "year of birth", "nomenclature", "Dénomination", "renommée", "prenominal", "Nom de la structure",
    "acheteur_nom", "nom_entreprise", "Nom du lot", "telecom_lot", "hotel", "Heures réalisées",
    "Numéro de marché", "Commentaire", "Modalité", "Public", "Statut", "Sexe", "Ruelle",
])
def test_not_identifier_headers(header: str) -> None:
    assert identifier_kind(header) is None


# ---- the whole path: export -> pseudonymise -> data directory -> canonical tables, results ---------

CONTRACTS = {"marches": {"marche": [
    {"id": "2024-TRX-001", "acheteur": {"id": BUYER}, "nature": "Marché",
     "objet": "Réhabilitation de l'école", "codeCPV": "45454000-4",
     "procedure": "Appel d'offres ouvert", "dureeMois": 12, "dateNotification": "2024-01-05",
     "datePublicationDonnees": "2024-01-10", "montant": 900000,
     "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "98765432100018"}}],
     "considerationsSociales": {"considerationSociale": "Clause sociale"}, "modifications": []},
    {"id": "2024-SRV-014", "acheteur": {"id": BUYER}, "nature": "Marché",
     "objet": "Nettoyage", "codeCPV": "90910000-9", "procedure": "Procédure adaptée",
     "dureeMois": 12, "dateNotification": "2024-03-15", "datePublicationDonnees": "2024-03-20",
     "montant": 150000,
     "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "12345678900012"}}],
     "considerationsSociales": {"considerationSociale": "Clause sociale"}, "modifications": []},
]}}


def data_dir(root: Path) -> Path:
    (root / "contracts").mkdir(parents=True)
    (root / "contracts" / "decp.json").write_text(json.dumps(CONTRACTS), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "cle.txt"
    path.write_text("0123456789abcdef0123456789abcdef\n", encoding="ascii")
    return path


@pytest.fixture(scope="module")
def canonical(tmp_path_factory: pytest.TempPathFactory):
    root = data_dir(tmp_path_factory.mktemp("canonical"))
    for name in ("clauses", "participations", "suppliers", "buyers"):
        shutil.copy(FIX / "expected" / f"{name}.csv", root / f"{name}.csv")
    return load_data_dir(root)


def same_tables(got, want) -> None:
    pd.testing.assert_frame_equal(got.clauses, want.clauses)
    pd.testing.assert_frame_equal(got.buyers, want.buyers)
    pd.testing.assert_frame_equal(got.suppliers.drop(columns="source"),
                                  want.suppliers.drop(columns="source"))
    keys = ["uid", "start_date"]
    g = got.participations.sort_values(keys).reset_index(drop=True)
    w = want.participations.sort_values(keys).reset_index(drop=True)
    # the keyed ids stand one to one for the hand-written labels P1..P6
    pairs = set(zip(g["beneficiary_id"], w["beneficiary_id"]))
    assert len(pairs) == g["beneficiary_id"].nunique() == w["beneficiary_id"].nunique() == 6
    pd.testing.assert_frame_equal(g.drop(columns="beneficiary_id"),
                                  w.drop(columns="beneficiary_id"))


def check_results(dataset) -> None:
    res = compute_results(dataset, make_params({"year": 2024, "scope": "all",
                                                "min_cell_size": 1, "allow_small_cells": True}))
    act = res.indicators["activity"]
    # every mission lies inside 2024, so all its hours count:
    # 120.5 + 35 + 1234.5 + 280 + 70 + 140 + 210 = 2090 h, by 6 people (Léa Dupont twice)
    assert act["hours"] == pytest.approx(2090.0)
    assert act["beneficiaries"] == 6
    # both contracts carry a clause and were notified in 2024: planned 2 717 + 1 200,5 = 3917.5 h,
    # and every hour above is on a clause contract
    assert act["planned_hours"] == pytest.approx(3917.5)
    assert act["hours_clause_contracts"] == pytest.approx(2090.0)
    # works contract 2024-TRX-001 (CPV 45): 120.5 + 1234.5 + 280 + 210 = 1845 h of 2090
    assert act["concentration"]["works_share"] == pytest.approx(1845 / 2090)
    p = dataset.participations
    # women (Léa Dupont twice, Thi N'Guyen, Sophie Bernard): 120.5 + 35 + 280 + 140 = 575.5 h
    assert p.loc[p["sex"] == "F", "hours"].sum() == pytest.approx(575.5)
    # RQTH (TH, BOETH, RQTH): Léa Dupont's two rows and Paul Leroy = 3 rows
    assert int(p["public_categories"].map(lambda c: "RQTH" in c).sum()) == 3


def test_committed_fixture_is_what_its_script_builds(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_fixture", FIX / "build_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    for name in ("participants.xlsx", "Export_operations_2024.csv", "structures.csv",
                 "acheteurs.csv"):
        pd.testing.assert_frame_equal(read_table_file(tmp_path / name, table="t"),
                                      read_table_file(FIX / name, table="t"))


def test_canonical_reference_results(canonical) -> None:
    check_results(canonical)


def test_export_read_with_the_default_mapping_alone(tmp_path: Path, key_file: Path,
                                                     canonical, capsys) -> None:
    root = data_dir(tmp_path / "data")
    assert cli(["pseudonymise", str(FIX / "participants.xlsx"),
                str(root / "participations.csv"), "--key-file", str(key_file)]) == 0
    shutil.copy(FIX / "Export_operations_2024.csv", root / "clauses.csv")
    shutil.copy(FIX / "structures.csv", root / "suppliers.csv")
    shutil.copy(FIX / "acheteurs.csv", root / "buyers.csv")
    ds = load_data_dir(root)
    same_tables(ds, canonical)
    check_results(ds)
    assert key_file.read_text().strip() not in capsys.readouterr().out


def test_export_read_with_a_mapping_file_for_renamed_headers(tmp_path: Path, key_file: Path,
                                                             canonical) -> None:
    root = data_dir(tmp_path / "data")
    pseudo = tmp_path / "pseudo.csv"
    assert cli(["pseudonymise", str(FIX / "participants.xlsx"), str(pseudo),
                "--key-file", str(key_file)]) == 0
    # the facilitator's software of another métropole: other headers, one other label
    text = pseudo.read_text(encoding="utf-8-sig")
    head, body = text.split("\n", 1)
    head = (head.replace("Heures réalisées", "H. effectives").replace("Sexe", "Genre du salarié")
            .replace("Situation à la sortie", "Devenir"))
    body = body.replace("Sans solution", "Sans suite")
    (root / "participants_2024.csv").write_text(head + "\n" + body, encoding="utf-8")
    ops = (FIX / "Export_operations_2024.csv").read_bytes().decode("cp1252")
    ops = ops.replace("Heures prévues", "Volume contractuel (h)")
    (root / "Export_operations_2024.csv").write_bytes(ops.encode("cp1252"))
    shutil.copy(FIX / "structures.csv", root / "structures.csv")
    shutil.copy(FIX / "acheteurs.csv", root / "acheteurs.csv")
    (root / "mapping.yml").write_text("""\
files:
  clauses: Export_operations_2024.csv
  participations: participants_2024.csv
  suppliers: structures.csv
  buyers: acheteurs.csv
columns:
  clauses: {planned_hours: ["Volume contractuel (h)"]}
  participations: {hours: ["H. effectives"], sex: ["Genre du salarié"], exit_outcome: ["Devenir"]}
values:
  exit_outcome: {autre: ["Sans suite"]}
""", encoding="utf-8")
    ds = load_data_dir(root)
    same_tables(ds, canonical)
    check_results(ds)


def test_missing_or_broken_mapping_is_reported_with_the_other_problems(tmp_path: Path) -> None:
    root = data_dir(tmp_path / "data")
    write(root / "mapping.yml", "files: {clauses: operations.csv}\nvalues: {sex: {X: [a]}}\n")
    with pytest.raises(InputError) as exc:
        load_data_dir(root)
    assert ("mapping.yml", "values.sex.X") in [(p.file, p.column) for p in exc.value.problems]
    write(root / "mapping.yml", "files: {clauses: operations.csv}\n")
    with pytest.raises(InputError, match="clauses file not found: operations.csv"):
        load_data_dir(root)


def test_default_mapping_keeps_a_canonical_file_unchanged(canonical) -> None:
    # the canonical demo-shaped files go through the same pre-step: codes map to themselves
    p = canonical.participations
    assert set(p["sex"]) == {"F", "M"}
    assert np.isin(p["exit_outcome"], ["emploi_durable", "inconnu", "formation", "en_cours",
                                       "emploi_transition", "autre"]).all()
