"""decp.info consolidated tabular DECP (CSV or Parquet) -> canonical contracts (docs/design.md §2.3).

Columns as in decp-processing's ``schema_base.json``: ``acheteur_id``, ``id``, ``titulaire_id``,
``titulaire_typeIdentifiant``, ``montant``, ``codeCPV``, ``procedure``, ``dureeMois``,
``dateNotification``, ``datePublicationDonnees``, ``considerationsSociales``, ``objet``,
``modification_id``, ``donneesActuelles``. The file has one row per titulaire and per modification;
this reader folds them back into one record per contract (buyer SIRET + ``id``):

- the *current* rows are those with ``donneesActuelles`` true; without that column, the rows of the
  highest ``modification_id``; without either, every row. A contract none of whose rows is marked
  current keeps all its rows (with a warning) rather than disappearing;
- ``holders`` = every ``titulaire_id`` of type SIRET among the current rows (first-seen order);
- the other fields come from the current row with the latest ``datePublicationDonnees`` (ties: the
  later row); ``notification_date`` is the earliest ``dateNotification`` among *all* the rows of the
  contract (a modification row may carry the modification's notification date);
- ``considerationsSociales`` holds the values joined with ``", "`` ("Clause sociale, Critère
  social"); ``"Sans objet"`` means none and becomes ``["Pas de considération sociale"]``, so that a
  contract read from the tabular file equals the same contract read from DECP JSON.

Parquet stores ``acheteur_id`` and ``titulaire_id`` as integers (schema type ``integer``), which
drops the leading zero of SIRETs such as ``05650171100115``: a *numeric* identifier shorter than 14
digits is zero-padded to 14 digits; identifiers stored as text are never padded (a short text SIRET
is reported). Parquet is read with pyarrow, only the columns above.

Row numbers in messages: the spreadsheet row (CSV, header = 1) or the 0-based row index (Parquet) of
the row the contract's fields were taken from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import InputError, OnInvalid, Problem
from ..schemas import NONE_DECLARED
from .contract_checks import (
    CONSIDERATIONS_FIELD,
    TABLE,
    _head_bytes,
    gc_paused,
    latest_per_group,
    lists_by_group,
    normalise_contracts,
    text,
    to_date,
)
from .contract_csv import missing_columns_problem, read_csv_text

FORMAT = "decp_tabular"
NONE_VALUE = "Sans objet"
REQUIRED = {
    "acheteur_id": "buyer SIRET", "id": "contract id", "dateNotification": "notification date",
    "montant": "amount", CONSIDERATIONS_FIELD: "social considerations",
}
COLUMNS = [
    *REQUIRED, "datePublicationDonnees", "codeCPV", "procedure", "dureeMois", "objet", "acheteur_nom",
    "titulaire_id", "titulaire_typeIdentifiant", "modification_id", "donneesActuelles",
]
SOURCE_COLUMNS = {
    "buyer_siret": "acheteur_id", "contract_id": "id", "notification_date": "dateNotification",
    "publication_date": "datePublicationDonnees",
    "modification_publication_date": "datePublicationDonnees", "amount": "montant",
    "initial_amount": "montant", "cpv": "codeCPV", "procedure": "procedure",
    "duration_months": "dureeMois", "social_considerations": CONSIDERATIONS_FIELD,
    "holders": "titulaire_id", "subject": "objet",
}
_IDENTIFIERS = ("acheteur_id", "titulaire_id", "id", "codeCPV")
_TRUE = {"true", "1", "oui", "vrai", "yes", "t"}


def _arrow_text_series(column: pa.ChunkedArray) -> pd.Series:
    """An Arrow string column as a pandas ``string[pyarrow]`` Series without a copy (going through
    ``to_pandas()`` would create a Python str per value, then convert them back to Arrow)."""
    return pd.Series(pd.arrays.ArrowStringArray(column))


def _arrow_column_as_text(column: pa.ChunkedArray, name: str) -> pd.Series:
    """One Parquet column for the checks: numeric identifiers as zero-padded text (see module
    docstring), dates as ``datetime64[ns]``, numbers and booleans with their own dtype, text as
    Arrow-backed strings, anything else as object values."""
    typ = column.type
    if name in _IDENTIFIERS and (pa.types.is_integer(typ) or pa.types.is_floating(typ)):
        if pa.types.is_floating(typ):
            column = pc.cast(column, pa.int64(), safe=True)
        digits = pc.cast(column, pa.string())
        # zero-padded in Arrow (pandas' str.zfill loops in Python on Arrow strings)
        return _arrow_text_series(pc.utf8_lpad(digits, width=14, padding="0")
                                  if name.endswith("_id") else digits)
    if pa.types.is_date(typ) or pa.types.is_timestamp(typ):
        if pa.types.is_timestamp(typ) and typ.tz is not None:
            column = pc.local_timestamp(column)  # the date as written, not shifted to UTC
        return pd.Series(pc.cast(column, pa.timestamp("ns")).to_pandas(), dtype="datetime64[ns]")
    if pa.types.is_integer(typ) or pa.types.is_floating(typ):
        return pd.Series(column.to_pandas(), dtype="float64")
    if pa.types.is_boolean(typ) and column.null_count == 0:
        return pd.Series(column.to_pandas(), dtype=bool)
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        # kept Arrow-backed: no Python string objects for 500 000 rows until the checks need them
        return _arrow_text_series(pc.cast(column, pa.string()))
    return pd.Series(column.to_pandas(), dtype=object)


def _read_parquet(path: Path) -> tuple[pd.DataFrame, list[str]]:
    try:
        pfile = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError([Problem(path.name, None, f"cannot read the file as Parquet ({exc})")]
                         ) from None
    header = list(pfile.schema_arrow.names)
    table = pfile.read(columns=[c for c in COLUMNS if c in header])
    df = pd.DataFrame({name: _arrow_column_as_text(table.column(name), name)
                       for name in table.column_names})
    df["row"] = np.arange(len(df), dtype="int64")
    return df, header


_HOLDER_COLUMNS = ("titulaire_id", "titulaire_typeIdentifiant", "modification_id",
                   "donneesActuelles")


def _holders(df: pd.DataFrame, cur: np.ndarray, keys: np.ndarray, chosen_keys: np.ndarray
             ) -> list[list[str]]:
    """For each contract of ``chosen_keys`` (in that order), the ``titulaire_id`` of type SIRET (or
    of unknown type) of its current rows ``cur``, first-seen order, each once."""
    if "titulaire_id" not in df:
        return [[] for _ in range(len(chosen_keys))]
    holder = text(df["titulaire_id"].take(cur)).reset_index(drop=True)
    if "titulaire_typeIdentifiant" in df:
        kind = text(df["titulaire_typeIdentifiant"].take(cur)).str.upper().reset_index(drop=True)
        siret_like = (kind.isna() | (kind == "SIRET")).to_numpy(dtype=bool)
    else:
        siret_like = np.ones(len(cur), dtype=bool)
    rows = pd.DataFrame({"key": keys[cur], "holder": holder})[
        holder.notna().to_numpy(dtype=bool) & siret_like].drop_duplicates(["key", "holder"])
    # group code of each holder row = position of its contract among the chosen ones
    codes = pd.Index(chosen_keys).get_indexer(rows["key"])
    return lists_by_group(codes, rows["holder"].to_numpy(object), len(chosen_keys))


def _considerations(text: Any) -> list[str] | None:
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return None
    values = [v.strip() for v in str(text).split(",") if v.strip()]
    if not values:
        return None
    return [NONE_DECLARED if v == NONE_VALUE else v for v in values]


def _considerations_column(values: pd.Series) -> pd.Series:
    """:func:`_considerations` of each value, parsed once per distinct text (a fresh list per
    row)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # Arrow text: no str per row
    parsed = [_considerations(v) for v in uniques] + [None]  # code -1 (missing) -> the last: None
    return pd.Series([None if parsed[c] is None else parsed[c][:] for c in codes.tolist()],
                     index=values.index, dtype=object)


def read_contracts_file(path: str | Path, *, on_invalid: OnInvalid = "strict",
                        quality: dict[str, Any] | None = None
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one decp.info tabular file (``.parquet``/``.pq`` or CSV). Returns
    ``(valid rows, rejected rows)``, one row per contract record (see the module docstring)."""
    with gc_paused():
        return _read_contracts_file(Path(path), on_invalid, quality)


def _read_contracts_file(path: Path, on_invalid: OnInvalid, quality: dict[str, Any] | None
                         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    if path.suffix.lower() in (".parquet", ".pq") or _head_bytes(path, 4) == b"PAR1":
        df, header = _read_parquet(path)
        shifted = None
    else:
        df, header, shifted = read_csv_text(path, COLUMNS)
    error = missing_columns_problem(path, header, REQUIRED)
    if error is not None:
        raise error
    n_rows = len(df) + (0 if shifted is None else len(shifted))
    buyer, cid = text(df["acheteur_id"]), text(df["id"])
    # one integer code per contract (buyer SIRET + id): integer group keys are fast
    key = pd.Series(pd.factorize(buyer.fillna("") + "\x1f" + cid.fillna(""))[0], index=df.index)

    if "donneesActuelles" in df:
        flags = df["donneesActuelles"]
        if pd.api.types.is_bool_dtype(flags):
            current = flags.astype(bool)
        else:
            current = text(flags).str.lower().isin(_TRUE).fillna(False).astype(bool)
    elif "modification_id" in df:
        mod = pd.to_numeric(df["modification_id"], errors="coerce").fillna(0)
        current = mod == mod.groupby(key).transform("max")
    else:
        current = pd.Series(True, index=df.index)
    orphan = ~current.groupby(key).transform("any").astype(bool)
    current = current | orphan

    notif, notif_bad = to_date(df["dateNotification"])
    first_notif = notif.groupby(key).transform("min")
    pub, _ = to_date(df["datePublicationDonnees"]) if "datePublicationDonnees" in df else (
        pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]"), None)

    # Row positions only, then one take of the columns still needed: no copy of the whole file.
    cur = np.flatnonzero(current.to_numpy())
    keys = key.to_numpy()
    winners = cur[np.sort(latest_per_group(keys[cur], pub.to_numpy()[cur]))]  # in row order
    fields = [c for c in df.columns if c not in _HOLDER_COLUMNS]
    chosen = df[fields].take(winners).assign(_first=first_notif.to_numpy()[winners],
                                             _bad=notif_bad.to_numpy()[winners])
    holders = _holders(df, cur, keys, keys[winners])

    # notification: the earliest valid date of the contract; an invalid text is kept to be reported
    if pd.api.types.is_datetime64_any_dtype(chosen["dateNotification"]):
        notif_text = chosen["_first"]  # Parquet dates: nothing to re-parse
    else:
        notif_text = chosen["_first"].dt.strftime("%Y-%m-%d").astype(object)
        notif_text = notif_text.where(chosen["_first"].notna() & ~chosen["_bad"],
                                      chosen["dateNotification"])
    raw = pd.DataFrame({
        "row": chosen["row"].astype("int64"),
        "buyer_siret": chosen["acheteur_id"],
        "contract_id": chosen["id"],
        "notification_date": notif_text,
        "publication_date": chosen.get("datePublicationDonnees", pd.NA),
        "modification_publication_date": pd.NA,
        "amount": chosen["montant"],
        "initial_amount": pd.NA,
        "cpv": chosen.get("codeCPV", pd.NA),
        "procedure": chosen.get("procedure", pd.NA),
        "duration_months": chosen.get("dureeMois", pd.NA),
        "social_considerations": _considerations_column(chosen[CONSIDERATIONS_FIELD]),
        "holders": pd.Series(holders, index=chosen.index, dtype=object),
        "subject": chosen.get("objet", pd.NA),
        "buyer_name": chosen.get("acheteur_nom", pd.NA),
    }, copy=False)
    raw.index = pd.RangeIndex(len(raw))  # not reset_index(), which copies every column
    if quality is not None and orphan.any():
        quality.setdefault("warnings", []).append({
            "table": TABLE, "file": path.name, "column": "donneesActuelles",
            "rows": [int(r) for r in df.loc[orphan, "row"]],
            "message": "no row of these contracts is marked current: all their rows were used"})
    has_field = bool(df[CONSIDERATIONS_FIELD].notna().any())
    return normalise_contracts(raw, file=path.name, fmt=FORMAT, source_columns=SOURCE_COLUMNS,
                               on_invalid=on_invalid, quality=quality, extra_rejected=shifted,
                               has_considerations_field=has_field, rows_read=n_rows)
