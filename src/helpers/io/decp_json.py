"""DECP JSON 2022 (``.json``, ``.json.gz``) -> canonical contracts, streamed (DESIGN §1-§2, issue 6).

Accepted roots: the official ``{"marches": {"marche": [...], "contrat-concession": [...]}}``
(concessions are ignored: they are not *marchés* and carry no social-consideration field), and the
variants some publishers emit, ``{"marches": [...]}`` and a bare list ``[...]``.

The file is streamed with ijson's C backend (yajl2_c): records are decoded one at a time and their
fields appended to per-column lists, so a 500 MB national file never exists as a list of dicts in
memory. Non-standard ``NaN`` tokens (as written by pandas, e.g. in the decp-processing fixtures)
are read as ``null``.

Field mapping (official schema v2.0.3): ``acheteur.id`` -> buyer_siret (a flat ``"acheteur.id"`` key
is accepted too), ``id`` -> contract_id, ``dateNotification``, ``datePublicationDonnees``,
``montant``, ``codeCPV``, ``procedure``, ``dureeMois``, ``objet``,
``considerationsSociales.considerationSociale`` (a list, or a single string), ``titulaires``
(``[{"titulaire": {"typeIdentifiant", "id"}}]``, the unwrapped ``[{"typeIdentifiant", "id"}]`` too;
only identifiers of type SIRET are holders; malformed entries are skipped).

Modifications (DESIGN §1): they are applied in order of ``dateNotificationModification``, then
``datePublicationDonneesModification``, then ``id``; for each of ``montant``, ``dureeMois`` and
``titulaires`` the latest modification that gives a value wins. The latest
``datePublicationDonneesModification`` becomes the record's publication date when it is later than
``datePublicationDonnees`` (see :mod:`.contracts`).
"""

from __future__ import annotations

import gzip
import io
import re
import sys
from pathlib import Path
from typing import IO, Any

import ijson
import pandas as pd

from ..errors import InputError, Problem
from .contracts import CONSIDERATIONS_FIELD, RAW_COLUMNS, ContractChecker, OnInvalid, gc_paused

FORMAT = "decp_json"
SOURCE_COLUMNS = {
    "buyer_siret": "acheteur.id", "contract_id": "id", "notification_date": "dateNotification",
    "publication_date": "datePublicationDonnees",
    "modification_publication_date": "modifications.datePublicationDonneesModification",
    "amount": "montant", "initial_amount": "montant", "cpv": "codeCPV", "procedure": "procedure",
    "duration_months": "dureeMois", "social_considerations": CONSIDERATIONS_FIELD,
    "holders": "titulaires", "subject": "objet",
}

_NAN_TOKEN = re.compile(rb"([:\[,]\s*)(?:NaN|-?Infinity)(?=\s*[,\]}])")


class _CleanStream(io.RawIOBase):
    """Byte stream handed to ijson: drops a leading UTF-8 BOM and turns the non-standard ``NaN`` /
    ``Infinity`` value tokens into ``null`` (yajl refuses them). Chunks are extended so that a
    token is never cut in two."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._first = True

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        if size == 0:  # ijson probes the stream type with read(0)
            return b""
        data = self._raw.read(size if size and size > 0 else -1)
        if self._first:
            self._first = False
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
        while data and data[-1:] in b"NaInfity-:,[ \t\r\n":  # possibly a cut token: read on
            more = self._raw.read(64)
            if not more:
                break
            data += more
        if b"NaN" in data or b"Infinity" in data:
            data = _NAN_TOKEN.sub(rb"\1null", data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _open(path: Path) -> IO[bytes]:
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    raw: IO[bytes] = gzip.open(path, "rb") if gz else open(path, "rb")  # noqa: SIM115
    return _CleanStream(raw)  # type: ignore[return-value]


def _file_problem(path: Path, message: str, column: str | None = None) -> InputError:
    return InputError([Problem(path.name, column, message)])


def _records_prefix(path: Path) -> str:
    """ijson prefix of the contract records: ``marches.marche.item``, ``marches.item`` or ``item``.

    Raises :class:`InputError` for an empty file, invalid JSON before the records, or a JSON
    document of another shape."""
    with _open(path) as stream:
        try:
            for prefix, event, _ in ijson.parse(stream):
                if prefix == "" and event == "start_array":
                    return "item"
                if prefix == "" and event in ("string", "number", "boolean", "null"):
                    break
                if prefix == "marches" and event == "start_map":
                    return "marches.marche.item"
                if prefix == "marches" and event == "start_array":
                    return "marches.item"
                if prefix == "marches" or (prefix == "" and event == "end_map"):
                    break
        except ijson.common.IncompleteJSONError as exc:
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else "no data"
            if "premature EOF" in msg or "no data" in msg or not msg:
                raise _file_problem(path, "the file is empty or truncated: not a DECP JSON "
                                          "document") from None
            raise _file_problem(path, f"invalid JSON ({msg})") from None
        except ijson.common.JSONError as exc:
            raise _file_problem(path, f"invalid JSON ({exc})") from None
    raise _file_problem(path, 'not a DECP JSON document: expected {"marches": {"marche": [...]}}, '
                              '{"marches": [...]} or a list of contracts', column="marches")


def _as_list(value: Any, key: str) -> list[Any]:
    """``{"key": [...]}`` or ``{"key": "x"}`` or ``[...]`` -> list; anything else -> []."""
    if isinstance(value, dict):
        value = value.get(key)
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    return []


def _considerations(record: dict[str, Any]) -> list[str] | None:
    """The record's ``considerationsSociales``: a list, or None when the field is absent/null."""
    value = record.get(CONSIDERATIONS_FIELD)
    if isinstance(value, dict):
        value = value.get("considerationSociale")
    if value is None:
        return None
    # the few distinct values are interned: a national file repeats them 500 000 times
    if isinstance(value, str):
        return [sys.intern(value.strip())]
    if isinstance(value, list):
        return [sys.intern(str(v).strip()) for v in value if v is not None]
    return [sys.intern(str(value).strip())]


def _siret_holders(titulaires: Any) -> list[str] | None:
    """Identifiers of type SIRET among ``titulaires`` (both the wrapped and the flat entry shapes;
    entries nested one list deeper, as in DECP 2019, are unwrapped). Returns None when the value
    holds no well-formed entry at all (e.g. ``[{"titulaire": "id"}]``)."""
    if not isinstance(titulaires, list):
        return None
    ids: list[str] = []
    wellformed = False
    stack = list(titulaires)
    while stack:
        entry = stack.pop(0)
        if isinstance(entry, list):
            stack[:0] = entry
            continue
        if isinstance(entry, dict) and isinstance(entry.get("titulaire"), dict):
            entry = entry["titulaire"]
        if not isinstance(entry, dict) or entry.get("id") in (None, ""):
            continue
        wellformed = True
        if str(entry.get("typeIdentifiant", "SIRET")).strip().upper() != "SIRET":
            continue
        ident = entry["id"]
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident).zfill(14)  # a SIRET written as a JSON number lost its zeros
        ids.append(str(ident).strip())
    return ids if wellformed else None


def _mod_key(mod: dict[str, Any], position: int) -> tuple[str, str, float, int]:
    ident = mod.get("id")
    try:
        ident_num = float(ident)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        ident_num = float("-inf")
    return (str(mod.get("dateNotificationModification") or ""),
            str(mod.get("datePublicationDonneesModification") or ""), ident_num, position)


def _apply_modifications(record: dict[str, Any]) -> tuple[Any, Any, list[str] | None, Any]:
    """(montant, dureeMois, holders, latest modification publication date) after modifications."""
    mods = []
    for i, entry in enumerate(record.get("modifications") or []):
        mod = entry.get("modification", entry) if isinstance(entry, dict) else None
        if isinstance(mod, dict):
            mods.append((_mod_key(mod, i), mod))
    amount = record.get("montant")
    duration = record.get("dureeMois")
    holders = _siret_holders(record.get("titulaires"))
    latest_pub = None
    for _, mod in sorted(mods, key=lambda t: t[0]):
        if mod.get("montant") is not None:
            amount = mod["montant"]
        if mod.get("dureeMois") is not None:
            duration = mod["dureeMois"]
        mod_holders = _siret_holders(mod.get("titulaires"))
        if mod_holders is not None:
            holders = mod_holders
        pub = mod.get("datePublicationDonneesModification")
        if pub and (latest_pub is None or str(pub) > str(latest_pub)):
            latest_pub = pub
    return amount, duration, holders, latest_pub


def _buyer(record: dict[str, Any]) -> Any:
    buyer = record.get("acheteur")
    value = buyer.get("id") if isinstance(buyer, dict) else record.get("acheteur.id")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value).zfill(14)  # a SIRET written as a JSON number lost its leading zeros
    return value


CHUNK_RECORDS = 50_000
"""Records decoded before a chunk is checked and its Python objects released (bounds memory)."""


def read_contracts_file(path: str | Path, *, on_invalid: OnInvalid = "strict",
                        quality: dict[str, Any] | None = None
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one DECP JSON file (streamed). Returns ``(valid rows, rejected rows)``.

    Record numbers in messages are 0-based positions in the record list. File-level problems
    (empty, truncated or invalid JSON, other shape, no record giving ``considerationsSociales``)
    raise :class:`InputError` whatever ``on_invalid`` is. Records are checked by chunks of
    :data:`CHUNK_RECORDS` as they are decoded."""
    path = Path(path)
    prefix = _records_prefix(path)
    checker = ContractChecker(file=path.name, fmt=FORMAT, source_columns=SOURCE_COLUMNS,
                              on_invalid=on_invalid, quality=quality)
    cols: dict[str, list[Any]] = {c: [] for c in RAW_COLUMNS}
    not_objects: list[int] = []
    has_field = False
    n = 0

    def flush() -> None:
        raw = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()})
        raw["row"] = raw["row"].astype("int64")
        extra = None
        if not_objects:
            extra = pd.DataFrame({"pos": -1, "row": not_objects, "column": "marche",
                                  "kind": "the record is not a JSON object", "value": None})
        checker.add(raw, extra)
        for values in cols.values():
            values.clear()
        not_objects.clear()

    # The cyclic garbage collector is paused while records are decoded: the reader creates no
    # cycles, and its full collections would otherwise re-scan every list already built (a cost
    # that grows with the square of the file size).
    with gc_paused(), _open(path) as stream:
        try:
            for n, record in enumerate(ijson.items(stream, prefix, use_float=True), start=1):
                idx = n - 1
                if not isinstance(record, dict):
                    not_objects.append(idx)
                    continue
                amount, duration, holders, mod_pub = _apply_modifications(record)
                considerations = _considerations(record)
                has_field = has_field or considerations is not None
                cols["row"].append(idx)
                cols["buyer_siret"].append(_buyer(record))
                cols["contract_id"].append(record.get("id"))
                cols["notification_date"].append(record.get("dateNotification"))
                cols["publication_date"].append(record.get("datePublicationDonnees"))
                cols["modification_publication_date"].append(mod_pub)
                cols["amount"].append(amount)
                cols["initial_amount"].append(record.get("montant"))
                cols["cpv"].append(record.get("codeCPV"))
                cols["procedure"].append(record.get("procedure"))
                cols["duration_months"].append(duration)
                cols["social_considerations"].append(considerations)
                cols["holders"].append(holders or [])
                cols["subject"].append(record.get("objet"))
                if len(cols["row"]) >= CHUNK_RECORDS:
                    flush()
        except ijson.common.JSONError as exc:
            msg = (str(exc).strip().splitlines() or ["premature end of data"])[0]
            raise _file_problem(path, f"invalid or truncated JSON after record {n - 1 if n else 0}"
                                      f" ({msg}): the file must be complete") from None
    if cols["row"] or not_objects:
        flush()
    return checker.finish(has_considerations_field=has_field or not checker.n_records)
