"""Canonical tables (DESIGN §2) and their pandera schemas.

Every reader returns one of these tables; every indicator consumes them. Identifiers (SIRET, CPV,
contract ids, department codes) are strings everywhere, so leading zeros survive.

Canonical columns
-----------------
contracts      one row per uid after de-duplication
    uid                    str   buyer_siret + contract_id (plain concatenation, as decp.info)
    buyer_siret            str   14 digits
    contract_id            str   the DECP ``id``
    notification_date      datetime64[ns]
    publication_date       datetime64[ns] (NaT allowed)  ``datePublicationDonnees``
    amount                 float  € HT, after modifications
    cpv                    str   8 digits, check digit removed ("45000000"), NA allowed
    procedure              str   NA allowed
    duration_months        float  NA allowed, after modifications
    social_considerations  list[str]  values among SOCIAL_CONSIDERATIONS ([] = none given)
    holders                list[str]  titulaire SIRETs (possibly empty)
    subject                str   ``objet`` (NA allowed)
    source_file            str   file name the row came from
clauses        buyer_siret, contract_id, uid, planned_hours (float ≥ 0)
participations buyer_siret, contract_id, uid, beneficiary_id, sex (F/M), birth_year (Int64),
               diploma_level, public_categories (list[str]), hours (float ≥ 0), start_date,
               end_date (NaT = ongoing), modality, exit_outcome
suppliers      siret, kind, name (NA allowed), source
buyers         siret, name, buyer_type
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

CLAUSE = "Clause sociale"
CRITERION = "Critère social"
RESERVED = "Marché réservé"
NONE_DECLARED = "Pas de considération sociale"
SOCIAL_CONSIDERATIONS = (CLAUSE, CRITERION, RESERVED, NONE_DECLARED)
DECLARING_CONSIDERATIONS = (CLAUSE, CRITERION, RESERVED)

SEXES = ("F", "M")
DIPLOMA_LEVELS = ("infra_bac", "bac", "superieur", "inconnu")
PUBLIC_CATEGORIES = ("DELD", "RSA", "RQTH", "JEUNE_MOINS_26", "SENIOR_50", "QPV", "SIAE", "AUTRE")
MODALITIES = ("embauche_directe", "mise_a_disposition", "sous_traitance_siae", "autre")
EXIT_OUTCOMES = ("emploi_durable", "emploi_transition", "formation", "autre", "inconnu", "en_cours")
DYNAMIC_EXITS = ("emploi_durable", "emploi_transition", "formation")
ELIGIBLE_KINDS = ("EI", "ACI", "AI", "ETTI", "EITI", "GEIQ", "EA", "EATT", "ESAT")
SUPPLIER_KINDS = (*ELIGIBLE_KINDS, "ESS")
BUYER_TYPES = ("etat", "collectivite", "entite_adjudicatrice")
DEFAULT_BUYER_TYPE = "collectivite"

SIRET_REGEX = r"^\d{14}$"

CONTRACT_COLUMNS = [
    "uid", "buyer_siret", "contract_id", "notification_date", "publication_date", "amount", "cpv",
    "procedure", "duration_months", "social_considerations", "holders", "subject", "source_file",
]
CLAUSE_COLUMNS = ["buyer_siret", "contract_id", "uid", "planned_hours"]
PARTICIPATION_COLUMNS = [
    "buyer_siret", "contract_id", "uid", "beneficiary_id", "sex", "birth_year", "diploma_level",
    "public_categories", "hours", "start_date", "end_date", "modality", "exit_outcome",
]
SUPPLIER_COLUMNS = ["siret", "kind", "name", "source"]
BUYER_COLUMNS = ["siret", "name", "buyer_type"]


def _is_str_list(values: pd.Series, allowed: tuple[str, ...] | None = None) -> pd.Series:
    def ok(v: object) -> bool:
        if not isinstance(v, list):
            return False
        if not all(isinstance(x, str) for x in v):
            return False
        return allowed is None or all(x in allowed for x in v)

    return values.map(ok).astype(bool)


_siret = pa.Column(str, pa.Check.str_matches(SIRET_REGEX), nullable=False)

CONTRACTS_SCHEMA = pa.DataFrameSchema(
    {
        "uid": pa.Column(str, nullable=False, unique=True),
        "buyer_siret": _siret,
        "contract_id": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
        "notification_date": pa.Column("datetime64[ns]", nullable=False),
        "publication_date": pa.Column("datetime64[ns]", nullable=True),
        "amount": pa.Column(float, nullable=True),
        "cpv": pa.Column(str, pa.Check.str_matches(r"^\d{8}$"), nullable=True),
        "procedure": pa.Column(str, nullable=True),
        "duration_months": pa.Column(float, pa.Check.ge(0), nullable=True),
        "social_considerations": pa.Column(
            object, pa.Check(lambda s: _is_str_list(s, SOCIAL_CONSIDERATIONS), element_wise=False)
        ),
        "holders": pa.Column(object, pa.Check(lambda s: _is_str_list(s), element_wise=False)),
        "subject": pa.Column(str, nullable=True),
        "source_file": pa.Column(str, nullable=False),
    },
    strict=True,
    ordered=False,
    name="contracts",
)

CLAUSES_SCHEMA = pa.DataFrameSchema(
    {
        "buyer_siret": _siret,
        "contract_id": pa.Column(str, nullable=False),
        "uid": pa.Column(str, nullable=False, unique=True),
        "planned_hours": pa.Column(float, pa.Check.ge(0), nullable=False),
    },
    strict=True,
    name="clauses",
)

PARTICIPATIONS_SCHEMA = pa.DataFrameSchema(
    {
        "buyer_siret": _siret,
        "contract_id": pa.Column(str, nullable=False),
        "uid": pa.Column(str, nullable=False),
        "beneficiary_id": pa.Column(str, nullable=False),
        "sex": pa.Column(str, pa.Check.isin(SEXES), nullable=True),
        "birth_year": pa.Column("Int64", pa.Check.in_range(1900, 2100), nullable=True),
        "diploma_level": pa.Column(str, pa.Check.isin(DIPLOMA_LEVELS), nullable=False),
        "public_categories": pa.Column(
            object, pa.Check(lambda s: _is_str_list(s, PUBLIC_CATEGORIES), element_wise=False)
        ),
        "hours": pa.Column(float, pa.Check.ge(0), nullable=False),
        "start_date": pa.Column("datetime64[ns]", nullable=False),
        "end_date": pa.Column("datetime64[ns]", nullable=True),
        "modality": pa.Column(str, pa.Check.isin(MODALITIES), nullable=False),
        "exit_outcome": pa.Column(str, pa.Check.isin(EXIT_OUTCOMES), nullable=False),
    },
    strict=True,
    name="participations",
)

SUPPLIERS_SCHEMA = pa.DataFrameSchema(
    {
        "siret": pa.Column(str, pa.Check.str_matches(SIRET_REGEX), nullable=False),
        "kind": pa.Column(str, pa.Check.isin(SUPPLIER_KINDS), nullable=False),
        "name": pa.Column(str, nullable=True),
        "source": pa.Column(str, nullable=False),
    },
    strict=True,
    name="suppliers",
)

BUYERS_SCHEMA = pa.DataFrameSchema(
    {
        "siret": pa.Column(str, pa.Check.str_matches(SIRET_REGEX), nullable=False, unique=True),
        "name": pa.Column(str, nullable=True),
        "buyer_type": pa.Column(str, pa.Check.isin(BUYER_TYPES), nullable=False),
    },
    strict=True,
    name="buyers",
)


def _empty(columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "object")) for c in columns})


def empty_contracts() -> pd.DataFrame:
    return _empty(CONTRACT_COLUMNS, {"notification_date": "datetime64[ns]",
                                     "publication_date": "datetime64[ns]",
                                     "amount": "float64", "duration_months": "float64"})


def empty_clauses() -> pd.DataFrame:
    return _empty(CLAUSE_COLUMNS, {"planned_hours": "float64"})


def empty_participations() -> pd.DataFrame:
    return _empty(PARTICIPATION_COLUMNS, {"birth_year": "Int64", "hours": "float64",
                                          "start_date": "datetime64[ns]",
                                          "end_date": "datetime64[ns]"})


def empty_suppliers() -> pd.DataFrame:
    return _empty(SUPPLIER_COLUMNS, {})


def empty_buyers() -> pd.DataFrame:
    return _empty(BUYER_COLUMNS, {})
