"""Contract files of every supported format -> the canonical ``contracts`` table (docs/design.md §2.3).

Three encodings of the DECP are read (see the format modules):

- ``decp_json``    DECP JSON 2022 (``.json``, ``.json.gz``), streamed with ijson  -> :mod:`.decp_json`
- ``decp_tabular`` decp.info consolidated file (CSV or Parquet)                  -> :mod:`.decp_tabular`
- ``decp_flat``    Ministry flat CSV ("DECP augmentées", ``;``, Python lists)     -> :mod:`.decp_flat`

Every format module turns its file into the same *raw* frame (one row per contract record, values
still as written, see :data:`RAW_COLUMNS`) and hands it to :func:`normalise_contracts`, which applies
the checks common to all formats, vectorised, and lists every problem:

- ``buyer_siret`` must be 14 digits; ``contract_id`` must be present;
- ``notification_date`` must be a real calendar date between 1990-01-01 and 2099-12-31 (anything else
  is "impossible"); a ``publication_date`` that is given must be a real date too; a publication
  earlier than the notification is only a warning;
- ``amount`` must be present, a number, > 0 and ≤ :data:`MAX_PLAUSIBLE_AMOUNT` (1e10 €: larger
  values such as the 1e17 of the decp-processing fixtures are placeholders, not amounts); the check
  applies to the initial amount and to the amount after modifications;
- ``cpv``: the check digit (``-7``) is removed; what is left must be 8 digits; a missing CPV is a
  warning (the contract category is then "unknown", see :mod:`helpers.reference`);
- ``duration_months``: a non-numeric value ("NC") becomes missing with a warning; negative is a problem;
- ``social_considerations``: a record without the field is a problem (docs/design.md §2.3: the
  declared side is never guessed); every value must be one of :data:`helpers.schemas.SOCIAL_CONSIDERATIONS`;
- ``holders``: titulaire identifiers of type SIRET that are not 14 digits are dropped with a warning.

A file in which *no* record gives the social-considerations field (field or column absent, or
present but empty everywhere, as in older extracts) is refused as a whole with an
:class:`InputError` naming ``considerationsSociales`` (docs/design.md §2.3).

``on_invalid="strict"`` raises one :class:`InputError` listing every problem (file, rows, column);
``"quarantine"`` sets the bad records aside in the *rejected* table (``file, row, column, reason``;
one line per problem) and keeps the others. File-level problems (unreadable, truncated, empty, wrong
shape, field missing from the whole file) raise in both modes: partial files are never analysed.

Row numbers: for CSV, the spreadsheet row (header = 1, first data row = 2); for JSON and Parquet,
the 0-based record index in the file (JSON: in the ``marche`` list).

:func:`read_contracts` reads several files and keeps **one row per uid** (uid = buyer SIRET +
contract id): the row with the latest ``publication_date`` wins; ties go to the later file (files are
taken in sorted path order) and, within a file, to the later record. ``publication_date`` is the
latest publication of the record *including its modifications* (the decp.info convention: the
publication date of the current data), so a republished, modified contract supersedes the original.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow
import pyarrow.compute as pc

from .. import schemas
from ..errors import InputError, OnInvalid, Problem
from .contract_checks import (  # noqa: F401  re-exported: the public names of the contract readers
    CONSIDERATIONS_FIELD,
    MAX_PLAUSIBLE_AMOUNT,
    RAW_COLUMNS,
    READER_VERSION,
    REJECTED_COLUMNS,
    TABLE,
    ContractChecker,
    _head_bytes,
    _shared_str_col,
    _str_col,
    empty_rejected,
    gc_paused,
    latest_per_group,
    normalise_contracts,
)
from .contract_csv import missing_columns_problem, read_csv_text  # noqa: F401  re-exported
from .validation import schema

# ---------------------------------------------------------------------------------------------
# Dispatch


def detect_format(path: str | Path) -> str:
    """Which contract format a file holds: ``decp_json``, ``decp_tabular`` or ``decp_flat``.

    By extension first (``.json``/``.json.gz`` -> JSON, ``.parquet``/``.pq`` -> tabular), then by
    content: Parquet magic ``PAR1``, a text starting with ``{`` or ``[`` (JSON), or a CSV header —
    ``acheteur.id`` / ``titulaire_id_1`` mean the Ministry flat CSV, ``acheteur_id`` /
    ``titulaire_id`` / ``donneesActuelles`` the decp.info tabular file. Raises :class:`InputError`
    when the format cannot be recognised.
    """
    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise InputError([Problem(path.name, None, "contract file not found")])
    if path.stat().st_size == 0:
        raise InputError([Problem(path.name, None, "the file is empty")])
    if name.endswith((".json", ".json.gz")):
        return "decp_json"
    if name.endswith((".parquet", ".pq")):
        return "decp_tabular"
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        return "decp_tabular"
    head = _head_bytes(path)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        return "decp_json"
    header = text.split("\n", 1)[0]
    fields = {f.strip().strip('"') for f in header.replace(",", ";").replace("\t", ";").split(";")}
    if {"acheteur.id", "titulaire_id_1"} & fields:
        return "decp_flat"
    if {"acheteur_id", "titulaire_id", "donneesActuelles"} & fields:
        return "decp_tabular"
    raise InputError([Problem(path.name, None,
                              "unrecognised contract file: expected DECP JSON (.json, .json.gz), "
                              "a decp.info tabular file (CSV/Parquet with 'acheteur_id') or the "
                              "Ministry flat CSV (with 'acheteur.id')")])


def read_contracts_file(path: str | Path, *, on_invalid: OnInvalid = "strict",
                        quality: dict[str, Any] | None = None
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one contract file of any supported format (see :func:`detect_format`).

    Returns ``(valid rows before de-duplication, rejected rows)``; see the module docstring."""
    fmt = detect_format(path)
    if fmt == "decp_json":
        from .decp_json import read_contracts_file as reader
    elif fmt == "decp_tabular":
        from .decp_tabular import read_contracts_file as reader
    else:
        from .decp_flat import read_contracts_file as reader
    return reader(path, on_invalid=on_invalid, quality=quality)


def deduplicate(contracts: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """One row per uid (docs/design.md §2.3): the latest ``publication_date`` wins (missing dates lose); ties
    go to the later row of the input (the later file, then the later record). Returns the rows sorted
    by uid and the number of rows dropped.

    Vectorised on integer keys: the uids are ranked once (codes in sorted-uid order),
    :func:`latest_per_group` picks each uid's winner, and a single ``take`` builds the result — no
    sort of the whole frame on text columns.
    """
    n = len(contracts)
    if n == 0:
        return contracts.reset_index(drop=True), 0
    # dense rank of each uid = its code among the sorted distinct uids (Arrow sorts text 3x faster
    # than pandas.factorize(sort=True))
    uid = pyarrow.array(contracts["uid"].to_numpy(dtype=object), type=pyarrow.string())
    codes = pc.rank(uid, sort_keys="ascending", tiebreaker="dense").to_numpy() - 1
    # in uid order: the codes are the uids' ranks
    winners = latest_per_group(codes, contracts["publication_date"].to_numpy())
    kept = contracts.take(winners)
    kept.index = pd.RangeIndex(len(kept))  # not reset_index(): it would copy every column again
    return kept, n - len(kept)


def differing_records(rows: pd.DataFrame) -> tuple[int, dict[str, Any] | None]:
    """How many uids have several records that differ in content (``subject``, ``amount`` or
    ``holders``), and one example. Real DECP files publish several lots under one (buyer, id), each
    with its own subject, amount and holders: the one-row-per-uid rule keeps only the latest
    publication, and this count says how often that rule chose between different contracts rather
    than between copies of one. Only the rows of repeated uids are examined."""
    if len(rows) < 2:
        return 0, None
    repeated = rows["uid"].duplicated(keep=False).to_numpy(bool)
    if not repeated.any():
        return 0, None
    sub = rows.loc[repeated, ["uid", "subject", "amount", "holders"]]
    content = pd.Series([(s if isinstance(s, str) else "",
                          None if a != a else round(float(a), 2),  # NaN != NaN
                          tuple(sorted(h)) if isinstance(h, list) else ())
                         for s, a, h in zip(sub["subject"], sub["amount"], sub["holders"])],
                        index=sub.index)
    distinct = content.groupby(sub["uid"].to_numpy(), sort=True).nunique()
    differing = distinct[distinct > 1]
    if differing.empty:
        return 0, None
    uid = str(differing.index[0])
    records = sub.loc[sub["uid"].eq(uid)]
    example = {
        "uid": uid, "records": int(len(records)),
        "subjects": sorted({s for s in records["subject"] if isinstance(s, str)})[:3],
        "amounts": sorted({float(a) for a in records["amount"] if a == a})[:3],
    }
    return int(len(differing)), example


def check_uid_order(uid: pd.Series) -> None:
    """Check that ``uid`` is strictly increasing, hence unique: the property of
    :data:`helpers.pandera_schemas.UNIQUE_UID_SCHEMA` that :func:`deduplicate` adds to rows already checked
    by :data:`helpers.pandera_schemas.CONTRACT_ROWS_SCHEMA`. The rows being sorted by uid, one comparison of
    neighbours proves it (0.03 s at 500 000 rows; pandera's hash-based check took 0.3 s). Raises
    :class:`pandera.errors.SchemaError` naming the first offending uids (a bug, not bad input)."""
    values = uid.to_numpy(dtype=object)
    if len(values) < 2:
        return
    increasing = values[1:] > values[:-1]
    if not increasing.all():
        from pandera.errors import SchemaError

        bad = values[1:][~increasing]
        raise SchemaError(schema("UNIQUE_UID_SCHEMA"), uid,
                          f"uid not unique or not sorted after de-duplication: "
                          f"{', '.join(map(repr, bad[:5]))}")


def read_contracts(paths: Sequence[str | Path] | str | Path, *, on_invalid: OnInvalid = "strict",
                   quality: dict[str, Any] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read every contract file and return ``(contracts, rejected)``.

    Files are read in sorted path order; in strict mode the problems of *all* files are gathered
    before one :class:`InputError` is raised. The result has one row per uid (:func:`deduplicate`),
    is sorted by uid and satisfies :data:`helpers.pandera_schemas.CONTRACTS_SCHEMA` (validated in two parts,
    see the comment in the code).
    ``quality["contracts_rows_read"]`` and ``quality["duplicates_dropped"]`` are incremented.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = sorted((Path(p) for p in paths), key=str)
    valids: list[pd.DataFrame] = []
    rejecteds: list[pd.DataFrame] = []
    problems: list[Problem] = []
    for path in files:
        try:
            valid, rejected = read_contracts_file(path, on_invalid=on_invalid, quality=quality)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        valids.append(valid)
        rejecteds.append(rejected)
    if problems:
        raise InputError(problems)
    allrows = (pd.concat(valids, ignore_index=True) if valids else schemas.empty_contracts())
    allrows = allrows.astype({"notification_date": "datetime64[ns]",
                              "publication_date": "datetime64[ns]",
                              "amount": "float64", "duration_months": "float64"})
    # Validated before de-duplication, which only selects rows: in file order the values are read
    # in the order they were created, several times faster at 500 000 rows than once shuffled into
    # uid order; uniqueness, the one property de-duplication adds, is checked after it.
    # inplace: the schemas coerce nothing, so pandera's defensive copy of the table is not needed
    allrows = schema("CONTRACT_ROWS_SCHEMA").validate(allrows, inplace=True)
    n_differing, example = differing_records(allrows)
    contracts, dropped = deduplicate(allrows)
    check_uid_order(contracts["uid"])
    if quality is not None:
        quality["contracts_rows_read"] = quality.get("contracts_rows_read", 0) + len(allrows)
        quality["duplicates_dropped"] = quality.get("duplicates_dropped", 0) + dropped
        quality["uids_with_differing_records"] = (quality.get("uids_with_differing_records", 0)
                                                  + n_differing)
        if example is not None:
            quality["differing_records_example"] = example
            quality.setdefault("warnings", []).append({
                "table": "contracts", "file": None, "column": "id", "rows": [],
                "message": (f"{n_differing} contracts (buyer + id) are published several times "
                            "with a different subject, amount or holders (often several lots "
                            "under one id): one record per contract is kept, the latest "
                            f"publication; e.g. {example['uid']} ({example['records']} records)")})
    rejected = (pd.concat(rejecteds, ignore_index=True) if rejecteds else empty_rejected())
    return contracts, rejected
