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

import re

import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

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


# --------------------------------------------------------------------------------------------------
# Checks. Text columns are ``object`` columns of ``str`` (missing = NaN/None). pandera's own ``str``
# dtype and ``str_matches`` checks test each value in Python (about 0.2 s per column and check at
# 500 000 rows, issue 6); these checks convert the column to Arrow once (C speed), which also proves
# that every value is a str, and run the regex in Arrow. A column holding a non-str value falls back
# to the exact value-by-value test, so pandera still reports which values fail.


def _arrow_text(values: pd.Series) -> pyarrow.Array | None:
    """``values`` as an Arrow string array (missing -> null); None when a value is not a str."""
    if values.dtype != object:
        return None
    obj = values.to_numpy(dtype=object)
    kinds = pd.Series(obj).map(type)
    if not kinds.isin([str, type(None), float]).all():
        return None  # float: NaN, checked by pyarrow below (another float is refused there)
    try:
        return pyarrow.array(obj, type=pyarrow.string(), from_pandas=True)
    except (pyarrow.ArrowTypeError, pyarrow.ArrowInvalid):
        return None


def _bools(result: pyarrow.Array, index: pd.Index) -> pd.Series:
    return pd.Series(pc.fill_null(result, False).to_numpy(zero_copy_only=False), index=index,
                     dtype=bool)


def is_text(values: pd.Series) -> pd.Series:
    """Whether each value is a ``str``."""
    if _arrow_text(values) is not None:
        return pd.Series(True, index=values.index)
    return values.map(lambda v: isinstance(v, str)).astype(bool)


def text_matches(regex: str) -> pa.Check:
    """Each value is a ``str`` matching ``regex`` (anchor it: ``^...$``; RE2 syntax in Arrow,
    :mod:`re` in the fallback — keep to the common subset, such as ``\\d`` and ``{n}``)."""
    compiled = re.compile(regex)

    def check(values: pd.Series) -> pd.Series:
        arr = _arrow_text(values)
        if arr is None:
            return values.map(lambda v: isinstance(v, str) and compiled.search(v) is not None
                              ).astype(bool)
        return _bools(pc.match_substring_regex(arr, regex), values.index)

    return pa.Check(check, element_wise=False, name="text_matches", error=f"text_matches({regex})")


def text_check() -> pa.Check:
    """Each value is a ``str`` (the check that replaces pandera's ``str`` dtype, see above)."""
    return pa.Check(is_text, element_wise=False, name="is_text", error="is_text")


def _is_str_list(values: pd.Series, allowed: tuple[str, ...] | None = None) -> pd.Series:
    """Whether each value is a ``list`` of ``str`` (among ``allowed`` when given). Vectorised: one
    ``explode`` and type look-ups, no Python loop over rows."""
    is_list = values.map(type).eq(list).to_numpy(dtype=bool)
    lists = values[is_list]
    flat = lists.explode()  # one row per element, indexed by the list's label
    empty = lists.index[lists.map(len).eq(0).to_numpy(dtype=bool)]
    flat = flat.drop(empty)  # explode gives an empty list one NaN row: not an element
    bad_element = ~flat.map(type).eq(str).to_numpy(dtype=bool)
    if allowed is not None:
        bad_element |= ~flat.isin(allowed).to_numpy(dtype=bool)
    ok = pd.Series(is_list, index=values.index)
    ok[flat.index[bad_element].unique()] = False
    return ok


_siret = pa.Column(object, text_matches(SIRET_REGEX), nullable=False)

CONTRACTS_SCHEMA = pa.DataFrameSchema(
    {
        "uid": pa.Column(object, text_check(), nullable=False, unique=True),
        "buyer_siret": _siret,
        "contract_id": pa.Column(object, text_matches(r"^.+$"), nullable=False),
        "notification_date": pa.Column("datetime64[ns]", nullable=False),
        "publication_date": pa.Column("datetime64[ns]", nullable=True),
        "amount": pa.Column(float, nullable=True),
        "cpv": pa.Column(object, text_matches(r"^\d{8}$"), nullable=True),
        "procedure": pa.Column(object, text_check(), nullable=True),
        "duration_months": pa.Column(float, pa.Check.ge(0), nullable=True),
        "social_considerations": pa.Column(
            object, pa.Check(lambda s: _is_str_list(s, SOCIAL_CONSIDERATIONS), element_wise=False)
        ),
        "holders": pa.Column(object, pa.Check(lambda s: _is_str_list(s), element_wise=False)),
        "subject": pa.Column(object, text_check(), nullable=True),
        "source_file": pa.Column(object, text_check(), nullable=False),
    },
    strict=True,
    ordered=False,
    name="contracts",
)

CONTRACT_ROWS_SCHEMA = CONTRACTS_SCHEMA.update_column("uid", unique=False)
""":data:`CONTRACTS_SCHEMA` without the uniqueness of ``uid``: contract rows before de-duplication.
``CONTRACT_ROWS_SCHEMA`` then :data:`UNIQUE_UID_SCHEMA` on the de-duplicated rows (a selection of
them) is the whole of :data:`CONTRACTS_SCHEMA`."""

UNIQUE_UID_SCHEMA = pa.DataFrameSchema({"uid": CONTRACTS_SCHEMA.columns["uid"]}, name="contracts")
"""The ``uid`` column of :data:`CONTRACTS_SCHEMA` (unique), the other columns left unchecked."""

CLAUSES_SCHEMA = pa.DataFrameSchema(
    {
        "buyer_siret": _siret,
        "contract_id": pa.Column(object, text_check(), nullable=False),
        "uid": pa.Column(object, text_check(), nullable=False, unique=True),
        "planned_hours": pa.Column(float, pa.Check.ge(0), nullable=False),
    },
    strict=True,
    name="clauses",
)

PARTICIPATIONS_SCHEMA = pa.DataFrameSchema(
    {
        "buyer_siret": _siret,
        "contract_id": pa.Column(object, text_check(), nullable=False),
        "uid": pa.Column(object, text_check(), nullable=False),
        "beneficiary_id": pa.Column(object, text_check(), nullable=False),
        "sex": pa.Column(object, pa.Check.isin(SEXES), nullable=True),
        "birth_year": pa.Column("Int64", pa.Check.in_range(1900, 2100), nullable=True),
        "diploma_level": pa.Column(object, pa.Check.isin(DIPLOMA_LEVELS), nullable=False),
        "public_categories": pa.Column(
            object, pa.Check(lambda s: _is_str_list(s, PUBLIC_CATEGORIES), element_wise=False)
        ),
        "hours": pa.Column(float, pa.Check.ge(0), nullable=False),
        "start_date": pa.Column("datetime64[ns]", nullable=False),
        "end_date": pa.Column("datetime64[ns]", nullable=True),
        "modality": pa.Column(object, pa.Check.isin(MODALITIES), nullable=False),
        "exit_outcome": pa.Column(object, pa.Check.isin(EXIT_OUTCOMES), nullable=False),
    },
    strict=True,
    name="participations",
)

SUPPLIERS_SCHEMA = pa.DataFrameSchema(
    {
        "siret": pa.Column(object, text_matches(SIRET_REGEX), nullable=False),
        "kind": pa.Column(object, pa.Check.isin(SUPPLIER_KINDS), nullable=False),
        "name": pa.Column(object, text_check(), nullable=True),
        "source": pa.Column(object, text_check(), nullable=False),
    },
    strict=True,
    name="suppliers",
)

BUYERS_SCHEMA = pa.DataFrameSchema(
    {
        "siret": pa.Column(object, text_matches(SIRET_REGEX), nullable=False, unique=True),
        "name": pa.Column(object, text_check(), nullable=True),
        "buyer_type": pa.Column(object, pa.Check.isin(BUYER_TYPES), nullable=False),
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
