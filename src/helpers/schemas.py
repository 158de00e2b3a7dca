"""Canonical tables: columns, codes and the fast column checks their pandera schemas use (the
schemas themselves, ``CONTRACTS_SCHEMA`` ..., are in :mod:`helpers.pandera_schemas`, imported only by
the readers: pandera costs about 0.2 s of CPU to import, and the notebook kernels, which import this
module for its constants, never validate a table).

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
    buyer_name             str   the buyer's name when the contract file gives it (decp.info
                                 ``acheteur_nom``; NA allowed)
    source_file            str   file name the row came from
clauses        buyer_siret, contract_id, uid, planned_hours (float ≥ 0)
participations buyer_siret, contract_id, uid, beneficiary_id, sex (F/M), birth_year (Int64),
               diploma_level, public_categories (list[str]), hours (float ≥ 0), start_date,
               end_date (NaT = ongoing), modality, exit_outcome
suppliers      siret, kind, name (NA allowed), source
buyers         siret, name, buyer_type, facilitator_from (datetime64[ns], NaT = facilitator data
               complete for every contract of the buyer)
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc
from pandas.api.types import infer_dtype

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
    "procedure", "duration_months", "social_considerations", "holders", "subject", "buyer_name",
    "source_file",
]
CLAUSE_COLUMNS = ["buyer_siret", "contract_id", "uid", "planned_hours"]
PARTICIPATION_COLUMNS = [
    "buyer_siret", "contract_id", "uid", "beneficiary_id", "sex", "birth_year", "diploma_level",
    "public_categories", "hours", "start_date", "end_date", "modality", "exit_outcome",
]
SUPPLIER_COLUMNS = ["siret", "kind", "name", "source"]
BUYER_COLUMNS = ["siret", "name", "buyer_type", "facilitator_from"]


# --------------------------------------------------------------------------------------------------
# Checks. Text columns are ``object`` columns of ``str`` (missing = NaN/None). pandera's own ``str``
# dtype and ``str_matches`` checks test each value in Python (about 0.2 s per column and check at
# 500 000 rows); these checks ask pandas' C type inference whether every present value is a
# ``str`` (a few ms per column), run regexes in Arrow, and fall back to the exact value-by-value test
# only when a column fails, so that pandera still reports which values fail.


def _all_text(values: pd.Series) -> bool:
    """Whether every non-missing value of ``values`` is a ``str`` (``bytes``, numbers, booleans and
    lists are not), by pandas' C type inference."""
    return values.dtype == object and infer_dtype(values, skipna=True) in ("string", "empty")


def _arrow_text(values: pd.Series) -> pyarrow.Array | None:
    """``values`` as an Arrow string array (missing -> null); None when a value is not a str."""
    if not _all_text(values):
        return None
    return pyarrow.array(values.to_numpy(dtype=object), type=pyarrow.string(), from_pandas=True)


def _bools(result: pyarrow.Array, index: pd.Index) -> pd.Series:
    return pd.Series(pc.fill_null(result, False).to_numpy(zero_copy_only=False), index=index,
                     dtype=bool)


def is_text(values: pd.Series) -> pd.Series:
    """Whether each value is a ``str``."""
    if _all_text(values):
        return pd.Series(True, index=values.index)
    return values.map(lambda v: isinstance(v, str)).astype(bool)


def _is_str_list(values: pd.Series, allowed: tuple[str, ...] | None = None) -> pd.Series:
    """Whether each value is a ``list`` of ``str`` (among ``allowed`` when given).

    Whole-column answers first, in C: the set of the values' types, then the lists chained into one
    flat list and the set of its elements' types (and values); only when some value fails are the
    lists exploded to find which rows hold it."""
    obj = values.to_numpy(dtype=object)
    if set(map(type, obj)) <= {list}:
        is_list = np.ones(len(obj), dtype=bool)
        lists = obj
    else:
        is_list = values.map(type).eq(list).to_numpy(dtype=bool)
        lists = obj[is_list]
    flat = list(itertools.chain.from_iterable(lists))
    elements_ok = set(map(type, flat)) <= {str} and (allowed is None or set(flat) <= set(allowed))
    ok = pd.Series(is_list, index=values.index)
    if elements_ok:
        return ok
    lists = values[is_list]
    exploded = lists.explode()  # one row per element, indexed by the list's label
    empty = lists.index[lists.map(len).eq(0).to_numpy(dtype=bool)]
    exploded = exploded.drop(empty)  # explode gives an empty list one NaN row: not an element
    bad_element = ~exploded.map(type).eq(str).to_numpy(dtype=bool)
    if allowed is not None:
        bad_element |= ~exploded.isin(allowed).to_numpy(dtype=bool)
    ok[exploded.index[bad_element].unique()] = False
    return ok


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
    return _empty(BUYER_COLUMNS, {"facilitator_from": "datetime64[ns]"})
