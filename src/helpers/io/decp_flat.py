"""Ministry flat CSV ("DECP augmentées valides, format 2022") -> canonical contracts (docs/design.md §2.3).

The export of data.economie.gouv.fr: ``;``-separated, UTF-8 with a BOM, one row per contract, list
fields written as Python list literals (``['Clause sociale']``, parsed with :func:`ast.literal_eval`,
which evaluates literals only, never code), and two placeholders read as missing: ``CDL`` (champ de
donnée lacunaire / not applicable) and ``MQ`` (manquant).

Columns used: ``acheteur.id``, ``id``, ``dateNotification``, ``datePublicationDonnees``,
``montant``, ``codeCPV``, ``procedure``, ``dureeMois``, ``objet``, ``considerationsSociales``,
``titulaire_id_1..3`` with ``titulaire_typeIdentifiant_1..3`` (only type SIRET are holders), and the
modification columns ``montantModification``, ``dureeMoisModification``,
``idTitulaireModification``/``typeIdentifiantTitulaireModification`` and
``datePublicationDonneesModificationModification``, which, when given, update the amount, the
duration, the holders and the publication date as in the JSON reader.

A row whose number of fields differs from the header's (column-shifted) is reported as a problem
naming the row (see :func:`helpers.io.contract_csv.read_csv_text`), never read with shifted values.
In the real sample ``decp_augmente_valides_2022_test.csv``, spreadsheet row 6 only *looks* shifted
to a quote-unaware splitter (its quoted ``objet`` holds ``D&#8217;INFRASTRUCTURES``, whose ``;``
gives 56 fields); read with CSV quoting its fields are in place. Its dirty row is row 9, where the
publisher's ``INX`` prefix leaked into ``codeCPV`` (``INX 67151000-0``): reported as a bad CPV.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import OnInvalid
from .contract_checks import CONSIDERATIONS_FIELD, TEXT, normalise_contracts
from .contract_csv import missing_columns_problem, read_csv_text

FORMAT = "decp_flat"
PLACEHOLDERS = ("CDL", "MQ")
HOLDER_SLOTS = (1, 2, 3)
REQUIRED = {
    "acheteur.id": "buyer SIRET", "id": "contract id", "dateNotification": "notification date",
    "montant": "amount", CONSIDERATIONS_FIELD: "social considerations",
}
COLUMNS = [
    *REQUIRED, "datePublicationDonnees", "codeCPV", "procedure", "dureeMois", "objet", "acheteur.nom",
    *(f"titulaire_id_{i}" for i in HOLDER_SLOTS),
    *(f"titulaire_typeIdentifiant_{i}" for i in HOLDER_SLOTS),
    "montantModification", "dureeMoisModification", "idTitulaireModification",
    "typeIdentifiantTitulaireModification", "datePublicationDonneesModificationModification",
]
SOURCE_COLUMNS = {
    "buyer_siret": "acheteur.id", "contract_id": "id", "notification_date": "dateNotification",
    "publication_date": "datePublicationDonnees",
    "modification_publication_date": "datePublicationDonneesModificationModification",
    "amount": "montant", "initial_amount": "montant", "cpv": "codeCPV", "procedure": "procedure",
    "duration_months": "dureeMois", "social_considerations": CONSIDERATIONS_FIELD,
    "holders": "titulaire_id_1", "subject": "objet",
}


def parse_list_literal(text: Any) -> list[str] | None:
    """``"['Clause sociale', 'Critère social']"`` -> the list; plain text -> its comma-separated
    values; missing -> None. A value that looks like a list but is not a valid literal is returned
    as a one-element list holding the raw text, so the caller reports it as an unknown value."""
    if text is None or text is pd.NA:
        return None
    text = str(text).strip()
    if not text:
        return None
    if text.startswith(("[", "(")):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return [text]
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return [v.strip() for v in value]
        return [text]
    return [v.strip() for v in text.split(",") if v.strip()]


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df else pd.Series(pd.NA, index=df.index, dtype=object)


def _holders(df: pd.DataFrame) -> pd.Series:
    """SIRET holders of each row: ``titulaire_id_n`` whose type is SIRET (or not given); replaced by
    ``idTitulaireModification`` when a modification names a SIRET titulaire."""
    parts = []
    for i in HOLDER_SLOTS:
        ident = _column(df, f"titulaire_id_{i}")
        kind = _column(df, f"titulaire_typeIdentifiant_{i}").astype(TEXT).str.upper()
        parts.append(ident.where(kind.isna() | (kind == "SIRET")))
    slots = pd.concat(parts, axis=1)
    holders = slots.apply(lambda r: [v for v in r if isinstance(v, str)], axis=1,
                          result_type="reduce") if len(df) else pd.Series([], dtype=object)
    mod_id = _column(df, "idTitulaireModification")
    mod_kind = _column(df, "typeIdentifiantTitulaireModification").astype(TEXT).str.upper()
    mod_siret = mod_id.where(mod_id.notna() & (mod_kind.isna() | (mod_kind == "SIRET")))
    return holders.where(mod_siret.isna(), mod_siret.map(lambda v: [v]))


def read_contracts_file(path: str | Path, *, on_invalid: OnInvalid = "strict",
                        quality: dict[str, Any] | None = None
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one Ministry flat CSV. Returns ``(valid rows, rejected rows)``; rows are spreadsheet row
    numbers (header = 1). A file without the ``considerationsSociales`` column (or another required
    column) is refused with an :class:`InputError` naming it."""
    path = Path(path)
    df, header, shifted = read_csv_text(path, COLUMNS, PLACEHOLDERS)
    error = missing_columns_problem(path, header, REQUIRED)
    if error is not None:
        raise error
    literals = df[CONSIDERATIONS_FIELD]
    parsed = {v: parse_list_literal(v) for v in literals.dropna().unique()}
    mod_amount = _column(df, "montantModification")
    mod_duration = _column(df, "dureeMoisModification")
    raw = pd.DataFrame({
        "row": df["row"],
        "buyer_siret": df["acheteur.id"],
        "contract_id": df["id"],
        "notification_date": df["dateNotification"],
        "publication_date": _column(df, "datePublicationDonnees"),
        "modification_publication_date": _column(df,
                                                 "datePublicationDonneesModificationModification"),
        "amount": mod_amount.where(mod_amount.notna(), df["montant"]),
        "initial_amount": df["montant"],
        "cpv": _column(df, "codeCPV"),
        "procedure": _column(df, "procedure"),
        "duration_months": mod_duration.where(mod_duration.notna(), _column(df, "dureeMois")),
        "social_considerations": literals.map(lambda v: None if pd.isna(v) else list(parsed[v])),
        "holders": _holders(df),
        "subject": _column(df, "objet"),
        "buyer_name": _column(df, "acheteur.nom"),
    })
    return normalise_contracts(raw, file=path.name, fmt=FORMAT, source_columns=SOURCE_COLUMNS,
                               on_invalid=on_invalid, quality=quality, extra_rejected=shifted,
                               has_considerations_field=bool(literals.notna().any()))
