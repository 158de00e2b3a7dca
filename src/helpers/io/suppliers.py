"""Readers of the supplier registry: the canonical ``suppliers.csv`` (``siret, kind, name``), the
le-marche SIAE directory (JSON) and the official ESAT list (CSV); one row per SIRET across files, an
eligible kind winning over ``ESS`` (:func:`dedupe_suppliers`). Shared checks: :mod:`.table_checks`.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ijson
import numpy as np
import pandas as pd

from .. import schemas as S
from ..dataset import new_quality
from ..errors import ON_INVALID, InputError, OnInvalid, Problem
from .mapping import Mapping
from .table_checks import (
    SUPPLIER_OPTIONAL,
    SUPPLIER_REQUIRED,
    _empty_rejected,
    _mapped_checks,
    _warn,
)
from .tabular import (
    CONTROL_MESSAGE,
    ROW,
    normalize_name,
    read_table_file,
)
from .validation import schema

# --------------------------------------------------------------------------------------------------
# suppliers
# --------------------------------------------------------------------------------------------------

#: Le-marche kinds that are variants of an audited kind (ACI "PHC" = ACI for marginalised people).
_LEMARCHE_ALIASES = {"ACIPHC": "ACI"}


def dedupe_suppliers(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """One row per SIRET: an eligible kind (docs/design.md §2.6) wins over ``ESS``, then the first row.
    Returns (deduplicated table sorted by siret, boolean mask of the input rows dropped)."""
    eligible_first = (~df["kind"].isin(S.ELIGIBLE_KINDS)).astype(int)
    order = pd.DataFrame({"e": eligible_first, "pos": np.arange(len(df))}, index=df.index)
    ranked = order.sort_values(["e", "pos"], kind="stable").index
    kept_idx = df.loc[ranked].drop_duplicates("siret", keep="first").index
    dropped = ~df.index.isin(kept_idx)
    out = df.loc[df.index.isin(kept_idx)].sort_values("siret", kind="stable").reset_index(drop=True)
    return out, pd.Series(dropped, index=df.index)


def _warn_multi_kind(quality: dict[str, Any], file: str, df: pd.DataFrame, rows: pd.Series,
                     dropped: pd.Series) -> None:
    if not dropped.any():
        return
    kinds = df.groupby("siret")["kind"].nunique()
    conflicting = int((kinds > 1).sum())
    detail = (f" ({conflicting} SIRETs carry different kinds: kept an eligible kind, then the "
              "first listed)" if conflicting else "")
    _warn(quality, "suppliers", file, "siret", rows[dropped],
          f"{int(dropped.sum())} rows repeat a SIRET already listed and were dropped{detail}")


def _read_lemarche(path: Path, quality: dict[str, Any]) -> pd.DataFrame:
    """The le-marche Django fixture: a JSON list of ``{"model": "siaes.siae", "pk", "fields"}``.
    Only ``fields.siret``, ``fields.kind`` and ``fields.name`` are taken (streamed with ijson): the
    contact fields of that fixture are fake and are never read into the table."""
    keep = {"item.fields.siret": "siret", "item.fields.kind": "kind", "item.fields.name": "name",
            "item.model": "model"}
    records: list[dict[str, Any]] = []
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            current: dict[str, Any] = {}
            for prefix, event, value in ijson.parse(fh):
                if prefix == "item" and event == "start_map":
                    current = {}
                elif prefix == "item" and event == "end_map":
                    records.append(current)
                elif prefix in keep and event in ("string", "null", "number"):
                    current[keep[prefix]] = value
    except ijson.JSONError as exc:
        raise InputError([Problem(path.name, None, f"not valid JSON ({exc})")]) from exc
    df = pd.DataFrame(records, columns=["model", "siret", "kind", "name"])
    if df.empty or not (df["model"] == "siaes.siae").all():
        raise InputError([Problem(path.name, None, "unrecognised supplier JSON: expected the "
                                  "le-marche fixture, a list of {\"model\": \"siaes.siae\", "
                                  "\"fields\": {\"siret\", \"kind\", ...}}")])
    quality["files"].append({"table": "suppliers", "file": path.name, "format": "lemarche_json",
                             "rows_read": int(len(df))})
    rows = pd.Series(np.arange(len(df)), index=df.index)  # JSON: 0-based record index
    siret = df["siret"].astype("string").str.replace(r"\s+", "", regex=True)
    kind = df["kind"].astype("string").str.upper().replace(_LEMARCHE_ALIASES)
    bad_siret = ~siret.str.fullmatch(r"\d{14}").fillna(False)
    bad_kind = ~kind.isin(S.SUPPLIER_KINDS).fillna(False)
    if bad_siret.any():
        _warn(quality, "suppliers", path.name, "siret", rows[bad_siret],
              f"{int(bad_siret.sum())} records without a 14-digit SIRET skipped")
    if (bad_kind & ~bad_siret).any():
        odd = sorted(kind[bad_kind & ~bad_siret].dropna().unique())
        _warn(quality, "suppliers", path.name, "kind", rows[bad_kind & ~bad_siret],
              f"{int((bad_kind & ~bad_siret).sum())} records of a kind this audit does not know "
              f"skipped ({', '.join(odd) or 'empty'})")
    ok = ~bad_siret & ~bad_kind
    out = pd.DataFrame({"siret": siret[ok].astype(object), "kind": kind[ok].astype(object),
                        "name": df.loc[ok, "name"].astype(object), "source": path.name})
    out["name"] = out["name"].where(out["name"].notna() & (out["name"] != ""), pd.NA)
    result, dropped = dedupe_suppliers(out)
    _warn_multi_kind(quality, path.name, out, rows[ok], dropped)
    return result


def _read_esat(path: Path, raw: pd.DataFrame, quality: dict[str, Any]) -> pd.DataFrame:
    """The FINESS ESAT list: column ``ET-SIRET`` (kind ESAT), name from ``ET-Raison sociale``.
    Rows without a 14-digit SIRET cannot be matched to a holder: counted and skipped (warning).
    Only SIRET and name are taken (the list's e-mail and phone columns are not read into the
    table)."""
    cols = {normalize_name(c): c for c in raw.columns}
    siret = raw[cols["etsiret"]].astype("string").str.replace(r"\s+", "", regex=True)
    name_col = cols.get("etraisonsociale")
    ok = siret.str.fullmatch(r"\d{14}").fillna(False)
    if (~ok).any():
        empty = int(siret.isna().sum())
        _warn(quality, "suppliers", path.name, "ET-SIRET", raw.loc[~ok, ROW],
              f"{int((~ok).sum())} rows without a 14-digit ET-SIRET skipped ({empty} empty, "
              f"{int((~ok).sum()) - empty} of another length)")
    out = pd.DataFrame({"siret": siret[ok].astype(object), "kind": "ESAT",
                        "name": raw.loc[ok, name_col] if name_col else pd.NA,
                        "source": path.name})
    result, dropped = dedupe_suppliers(out)
    _warn_multi_kind(quality, path.name, out, raw.loc[ok, ROW], dropped)
    return result


def _looks_like_json(path: Path) -> bool:
    """JSON by name (``.json``, ``.json.gz``) or by content (first non-blank byte ``[`` or ``{``)."""
    if path.name.lower().endswith((".json", ".json.gz")):
        if not path.is_file():
            raise InputError([Problem(path.name, None, f"suppliers file not found: {path.name}")])
        return True
    if not path.is_file() or path.suffix.lower() in (".xlsx", ".xlsm"):
        return False
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"[", b"{")


def read_suppliers(path: str | Path, *, on_invalid: OnInvalid = "strict",
                   quality: dict[str, Any] | None = None, mapping: Mapping | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suppliers registry (docs/design.md §2.6), the format detected from the content:

    - JSON (``.json``/``.json.gz``, or any file starting with ``[``): the le-marche SIAE fixture
      (SIRET + kind; fake contacts never read). Records without a 14-digit SIRET or of an
      unknown kind are skipped with a warning.
    - CSV/XLSX with an ``ET-SIRET`` column: the FINESS ESAT list (kind ESAT); rows without a
      14-digit SIRET are skipped with a warning.
    - CSV/XLSX with ``siret`` and ``kind`` (and optionally ``name``): the canonical table, checked
      strictly (SIRET, kind among EI, ACI, AI, ETTI, EITI, GEIQ, EA, EATT, ESAT, ESS).

    ``source`` is the file name. One row per SIRET (see :func:`dedupe_suppliers`; repeats are
    reported as a warning). Reference lists never reject rows; the canonical CSV may.
    """
    if on_invalid not in ON_INVALID:
        raise ValueError(f"on_invalid must be one of {ON_INVALID}, not {on_invalid!r}")
    path = Path(path)
    quality = new_quality() if quality is None else quality
    if _looks_like_json(path):
        return schema("SUPPLIERS_SCHEMA").validate(_read_lemarche(path, quality)), _empty_rejected()
    info: dict[str, str] = {}
    controls: dict[str, list[int]] = {}
    raw = read_table_file(path, table="suppliers", info=info, controls=controls)
    headers = {normalize_name(c) for c in raw.columns}
    if "etsiret" in headers:
        if controls:  # a reference list: no row is set aside, the file is refused
            raise InputError([Problem(path.name, col, CONTROL_MESSAGE, tuple(rows))
                              for col, rows in controls.items()])
        quality["files"].append({"table": "suppliers", "file": path.name, "format": "finess_esat",
                                 "rows_read": int(len(raw))})
        return schema("SUPPLIERS_SCHEMA").validate(_read_esat(path, raw, quality)), _empty_rejected()
    quality["files"].append({"table": "suppliers", "file": path.name, "format": info["format"],
                             "rows_read": int(len(raw))})
    chk = _mapped_checks("suppliers", path.name, raw, quality, mapping)
    chk.controls = controls
    chk.match_columns(SUPPLIER_REQUIRED, SUPPLIER_OPTIONAL)
    if chk.file_problems:
        chk.file_problems.append(Problem(path.name, None, "unrecognised supplier file: expected "
                                         "columns siret, kind[, name], or the FINESS ESAT list "
                                         "(ET-SIRET), or the le-marche JSON fixture"))
    chk.drop_exact_duplicates()
    siret = chk.siret("siret")
    kind = chk.enum("kind", S.SUPPLIER_KINDS, required=True)
    name_ = chk.text("name", required=False)
    out = pd.DataFrame({"siret": siret, "kind": kind, "name": name_, "source": path.name})
    keep, rejected = chk.finish(on_invalid)
    out, rows = out.loc[keep], chk.df.loc[keep, ROW]
    result, dropped = dedupe_suppliers(out)
    _warn_multi_kind(quality, path.name, out, rows, dropped)
    return schema("SUPPLIERS_SCHEMA").validate(result), rejected
