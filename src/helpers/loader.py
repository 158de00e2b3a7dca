"""Load a data directory (docs/design.md §2.1 layout) into a :class:`~helpers.dataset.Dataset`.

Layout (file names matched case-insensitively)::

    <data_dir>/
      contracts/                  required: every file inside (sub-folders included, hidden files and
                                  Office lock files ``~$...`` skipped), any supported contract format
      clauses.csv | .xlsx         optional, together with participations (one file each): the
      participations.csv | .xlsx  facilitator's data; without both, only the declared side is
                                  reported (``quality["facilitator_data"]`` is False)
      suppliers.csv | .xlsx | .json   optional \\  all supplier files found are merged: the canonical
      suppliers/                      optional /  CSV, the le-marche JSON, the FINESS ESAT list
      buyers.csv | .xlsx          optional
      mapping.yml                 optional: the facilitator's headers and codes, and which file holds
                                  which table (``files:``), merged over the default French mapping
                                  (helpers.io.mapping)

Rules:

- Every file is read (read-only) even when an earlier one failed; the problems of *all* files,
  including the missing required ones, are raised together in one :class:`InputError`.
- ``on_invalid="quarantine"`` keeps the valid rows, puts the rejected ones (``file, row, column,
  reason``) in ``Dataset.rejected[table]`` and their count in ``quality["rejected"][table]`` (every
  table has a count, 0 when nothing was set aside). File-level problems still raise.
- Suppliers from several files: one row per SIRET, an eligible kind wins over ``ESS``, then the
  first file in the order above (root file, then the folder's files sorted by name).
- Cross-table checks (warnings, not errors, docs/design.md §2.9): clauses and
  participations rows whose uid matches no contract (the contract may be under the publication
  threshold or of another year); buyers of contracts absent from ``buyers.csv`` get
  ``buyer_type = collectivite`` (the default) and a note.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from . import schemas as S
from .config import resolve_path
from .dataset import Dataset, new_quality
from .errors import ON_INVALID, InputError, OnInvalid, Problem
from .io import contracts as contract_io
from .io import mapping as mapping_io
from .io.suppliers import dedupe_suppliers, read_suppliers
from .io.tables import read_buyers, read_clauses, read_participations
from .io.validation import schema

TABLES = ("contracts", "clauses", "participations", "suppliers", "buyers")
#: The facilitator's data: given together (both files) or not at all.
FACILITATOR_TABLES = ("clauses", "participations")
TABLE_SUFFIXES = (".csv", ".xlsx")
SUPPLIER_SUFFIXES = (".csv", ".xlsx", ".json", ".json.gz")
MAX_EXAMPLES = 5

Reader = Callable[..., tuple[pd.DataFrame, pd.DataFrame]]


def _visible(path: Path) -> bool:
    return not path.name.startswith((".", "~$"))


def _not_regular(root: Path) -> list[Problem]:
    """Visible entries of ``root`` (sub-folders included) that are neither folders nor regular
    files: a dangling symbolic link, a named pipe (reading it would wait forever), a socket or a
    device. Hidden entries (editor lock files such as ``.#clauses.csv``) are skipped."""
    problems = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if _visible(Path(d))]
        for name in filenames:  # a dangling link is listed here too
            path = Path(dirpath, name)
            if not _visible(path) or path.is_dir() or path.is_file():
                continue
            kind = ("a symbolic link to a missing file" if path.is_symlink() and not path.exists()
                    else "not a regular file (a named pipe, socket or device)")
            problems.append(Problem(path.relative_to(root).as_posix(), None,
                                    f"{kind}: remove it from the data directory"))
    return problems


def _entries(root: Path) -> dict[str, Path]:
    return {p.name.lower(): p for p in sorted(root.iterdir()) if _visible(p)}


def _table_files(entries: dict[str, Path], stem: str, suffixes: tuple[str, ...]) -> list[Path]:
    return [entries[stem + s] for s in suffixes if stem + s in entries and entries[stem + s].is_file()]


def _folder_files(folder: Path) -> list[Path]:
    """Every visible file under ``folder`` (recursively), sorted by relative path."""
    return sorted((p for p in folder.rglob("*") if p.is_file() and _visible(p)
                   and all(_visible(q) for q in p.relative_to(folder).parents if q.name)),
                  key=lambda p: p.relative_to(folder).as_posix())


def _warn(quality: dict[str, Any], table: str, file: str | None, column: str | None,
          message: str) -> None:
    quality["warnings"].append({"table": table, "file": file, "column": column, "rows": [],
                                "message": message})


def load_data_dir(data_dir: str | os.PathLike[str], *, on_invalid: OnInvalid = "strict"
                  ) -> Dataset:
    """Read every input table of ``data_dir`` (relative paths from the project root) and return
    the canonical :class:`Dataset` with its data-quality log. See the module docstring for the
    layout and the rules. Raises :class:`InputError` listing every problem of every file."""
    if on_invalid not in ON_INVALID:
        raise ValueError(f"on_invalid must be one of {ON_INVALID}, not {on_invalid!r}")
    root = resolve_path(data_dir)
    if not root.is_dir():
        raise InputError([Problem(str(data_dir), None, "data directory not found")])
    quality = new_quality()
    problems: list[Problem] = _not_regular(root)
    entries = _entries(root)
    tables: dict[str, pd.DataFrame] = {}
    rejected: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}

    try:  # the facilitator's headers and codes (default French mapping + <data_dir>/mapping.yml)
        mapping = mapping_io.load_mapping(root)
    except InputError as exc:
        problems.extend(exc.problems)
        mapping = mapping_io.default_mapping()

    def run(table: str, reader: Reader, arg: Any) -> pd.DataFrame | None:
        if table != "contracts":
            reader = partial(reader, mapping=mapping)
        try:
            valid, rej = reader(arg, on_invalid=on_invalid, quality=quality)
        except InputError as exc:
            problems.extend(exc.problems)
            return None
        if len(rej):
            rejected[table].append(rej)
        return valid

    # contracts/ (required)
    folder = entries.get("contracts")
    contract_files = _folder_files(folder) if folder is not None and folder.is_dir() else []
    if not contract_files:
        problems.append(Problem("contracts/", None, "required folder missing or empty: put the "
                                "contract files (DECP JSON, decp.info CSV/Parquet, Ministry CSV) "
                                f"in {root.name}/contracts/"))
    else:
        result = run("contracts", contract_io.read_contracts, contract_files)
        if result is not None:
            tables["contracts"] = result

    # clauses and participations (the facilitator's data: both or neither), buyers (optional);
    # mapping.yml may name the file of each table (files:)
    found_files = {}
    for t in ("clauses", "participations", "buyers"):
        named = mapping_io.table_file(mapping, root, t)
        found_files[t] = [named] if named else _table_files(entries, t, TABLE_SUFFIXES)
    facilitator = [t for t in FACILITATOR_TABLES if found_files[t]]
    if len(facilitator) == 1:
        present, absent = facilitator[0], next(t for t in FACILITATOR_TABLES if t not in facilitator)
        problems.append(Problem(f"{absent}.csv", None, f"{present} given without {absent}: the "
                                f"facilitator's data comes as both files ({absent}.csv or "
                                f"{absent}.xlsx in {root.name}/; a file with only the header row "
                                f"is fine when there is no {absent} row), or neither (then only "
                                "the declared side is reported)"))
    quality["facilitator_data"] = len(facilitator) == len(FACILITATOR_TABLES)
    for table, reader in (("clauses", read_clauses), ("participations", read_participations),
                          ("buyers", read_buyers)):
        found = found_files[table]
        if len(found) > 1:
            problems.append(Problem(", ".join(p.name for p in found), None,
                                    f"several {table} files: keep only one of them"))
        elif found:
            result = run(table, reader, found[0])
            if result is not None:
                tables[table] = result

    # suppliers (optional): root file(s) and/or suppliers/ folder, merged
    named = mapping_io.table_file(mapping, root, "suppliers")
    supplier_files = [named] if named else _table_files(entries, "suppliers", SUPPLIER_SUFFIXES)
    sfolder = entries.get("suppliers")
    if sfolder is not None and sfolder.is_dir():
        supplier_files += _folder_files(sfolder)
    supplier_parts = [r for r in (run("suppliers", read_suppliers, p) for p in supplier_files)
                      if r is not None]

    if problems:
        raise InputError(problems)

    contracts = tables.get("contracts", S.empty_contracts())
    suppliers = _merge_suppliers(supplier_parts, quality)
    buyers = _complete_buyers(tables.get("buyers"), contracts, quality)
    clauses = tables.get("clauses", S.empty_clauses())
    participations = tables.get("participations", S.empty_participations())
    known = set(contracts["uid"])
    for table, df in (("clauses", clauses), ("participations", participations)):
        _warn_unmatched(table, df, known, quality)

    for table in TABLES:
        quality["rejected"].setdefault(table, 0)
    quality["rejected"] = dict(sorted(quality["rejected"].items()))
    rejected_frames = {t: pd.concat(parts, ignore_index=True) for t, parts in rejected.items()
                       if parts}
    return Dataset(contracts=contracts, clauses=clauses, participations=participations,
                   suppliers=suppliers, buyers=buyers, quality=quality, rejected=rejected_frames)


def _merge_suppliers(parts: list[pd.DataFrame], quality: dict[str, Any]) -> pd.DataFrame:
    """One row per SIRET across all supplier files (see :func:`dedupe_suppliers`)."""
    if not parts:
        return S.empty_suppliers()
    allrows = pd.concat(parts, ignore_index=True)
    merged, dropped = dedupe_suppliers(allrows)
    if dropped.any():
        _warn(quality, "suppliers", None, "siret",
              f"{int(dropped.sum())} SIRETs appear in several supplier files: kept one row each "
              "(an eligible kind before ESS, then the first file)")
    return schema("SUPPLIERS_SCHEMA").validate(merged)


def _complete_buyers(buyers: pd.DataFrame | None, contracts: pd.DataFrame,
                     quality: dict[str, Any]) -> pd.DataFrame:
    """Add the buyers of contracts that ``buyers.csv`` does not list, typed ``collectivite``."""
    listed = S.empty_buyers() if buyers is None else buyers
    missing = sorted(set(contracts["buyer_siret"]) - set(listed["siret"]))
    if missing:
        where = "buyers.csv is absent" if buyers is None else "not listed in buyers.csv"
        _warn(quality, "buyers", None, "buyer_type",
              f"{len(missing)} buyers of contracts {where}: buyer_type "
              f"'{S.DEFAULT_BUYER_TYPE}' assumed (docs/design.md §2.7 default), which sets their EU "
              "thresholds")
        extra = pd.DataFrame({"siret": missing, "name": pd.Series([pd.NA] * len(missing),
                                                                    dtype=object),
                              "buyer_type": S.DEFAULT_BUYER_TYPE,
                              "facilitator_from": pd.Series([pd.NaT] * len(missing),
                                                            dtype="datetime64[ns]")})
        listed = pd.concat([listed, extra], ignore_index=True) if len(listed) else extra
    out = listed.sort_values("siret", kind="stable").reset_index(drop=True)
    return schema("BUYERS_SCHEMA").validate(out)


def _warn_unmatched(table: str, df: pd.DataFrame, known: set[str], quality: dict[str, Any]
                    ) -> None:
    unmatched = df.loc[~df["uid"].isin(known), "uid"]
    if unmatched.empty:
        return
    uids = sorted(unmatched.unique())
    shown = ", ".join(uids[:MAX_EXAMPLES]) + (" ..." if len(uids) > MAX_EXAMPLES else "")
    _warn(quality, table, None, "contract_id",
          f"{len(unmatched)} {table} rows ({len(uids)} contracts) match no contract of contracts/ "
          f"(under the publication threshold, another year, or a typo?): {shown}")
