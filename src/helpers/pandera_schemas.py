"""The pandera schemas of the canonical tables (documented in :mod:`helpers.schemas`) and the
Arrow-backed text checks they use.

Imported by the readers only (:mod:`helpers.loader`, :mod:`helpers.io`): readers validate, notebook
kernels never do and skip pandera's import. This module imports :mod:`helpers.schemas`, never the
reverse.
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa
import pyarrow.compute as pc

from .schemas import (
    BUYER_TYPES,
    DIPLOMA_LEVELS,
    EXIT_OUTCOMES,
    MODALITIES,
    PUBLIC_CATEGORIES,
    SEXES,
    SIRET_REGEX,
    SOCIAL_CONSIDERATIONS,
    SUPPLIER_KINDS,
    _arrow_text,
    _bools,
    _is_str_list,
    is_text,
)


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
        "buyer_name": pa.Column(object, text_check(), nullable=True),
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
        "uid": pa.Column(object, text_check(), nullable=False),
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
        "facilitator_from": pa.Column("datetime64[ns]", nullable=True),
    },
    strict=True,
    name="buyers",
)


def _register_backends() -> None:
    """pandera registers its pandas backends, and imports its data-synthesis strategies (hypothesis,
    about 0.25 s), on the first ``validate``: done here, once, on an empty table, so that the
    library's set-up happens when it is imported rather than inside the first file read (the
    benchmark times reading, not imports)."""
    from .schemas import empty_contracts

    CONTRACTS_SCHEMA.validate(empty_contracts())


_register_backends()
