"""DECP JSON 2022 (``.json``, ``.json.gz``) -> canonical contracts, streamed (docs/design.md §2.3).

Accepted roots: the official ``{"marches": {"marche": [...], "contrat-concession": [...]}}``
(concessions are ignored: they are not *marchés* and carry no social-consideration field), and the
variants some publishers emit, ``{"marches": [...]}`` and a bare list ``[...]``.

The file is streamed with ijson's C backend (yajl2_c): records are decoded one at a time and their
fields appended to per-column lists, so a 500 MB national file never exists as a list of dicts in
memory. Non-standard ``NaN`` tokens (as written by pandas, e.g. in the decp-processing fixtures)
are read as ``null``.

Hostile input: the bytes are cleaned in time linear in the file size, whatever they hold (20 MB of
blanks inside a small ``.json.gz`` are read in well under a second), and a document nesting arrays
and objects more than :data:`helpers.config.MAX_JSON_DEPTH` levels deep is refused with an
:class:`InputError` naming the file and the limit before any record is built (see
:class:`_CleanStream`).

Field mapping (official schema v2.0.3): ``acheteur.id`` -> buyer_siret (a flat ``"acheteur.id"`` key
is accepted too), ``id`` -> contract_id, ``dateNotification``, ``datePublicationDonnees``,
``montant``, ``codeCPV``, ``procedure``, ``dureeMois``, ``objet``,
``considerationsSociales.considerationSociale`` (a list, or a single string), ``titulaires``
(``[{"titulaire": {"typeIdentifiant", "id"}}]``, the unwrapped ``[{"typeIdentifiant", "id"}]`` too;
only identifiers of type SIRET are holders; malformed entries are skipped).

Modifications (docs/design.md §2.3): they are applied in order of ``dateNotificationModification``, then
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
import numpy as np
import pandas as pd

from ..config import MAX_JSON_DEPTH
from ..errors import InputError, OnInvalid, Problem
from .contract_checks import CONSIDERATIONS_FIELD, RAW_COLUMNS, ContractChecker, gc_paused

FORMAT = "decp_json"
SOURCE_COLUMNS = {
    "buyer_siret": "acheteur.id", "contract_id": "id", "notification_date": "dateNotification",
    "publication_date": "datePublicationDonnees",
    "modification_publication_date": "modifications.datePublicationDonneesModification",
    "amount": "montant", "initial_amount": "montant", "cpv": "codeCPV", "procedure": "procedure",
    "duration_months": "dureeMois", "social_considerations": CONSIDERATIONS_FIELD,
    "holders": "titulaires", "subject": "objet",
}

_WS_RUN = 1024
"""Longest run of blanks around a ``NaN`` token that is still read as ``null``."""
_NAN_TOKEN = re.compile(rb"([:\[,][ \t\r\n]{0,%d})(NaN|-?Infinity)(?=[ \t\r\n]{0,%d}[,\]}])"
                        % (_WS_RUN, _WS_RUN))
_HOLD = _WS_RUN + 16
"""Bytes kept back at the end of each chunk: a token there may be cut, or its context unread."""
_READ_SIZE = 1 << 16
_ESCAPE = re.compile(rb"\\.", re.S)
_QUOTE = ord('"')
_NOT_SPECIAL = bytes(b for b in range(256) if b not in b'"[]{}')
_DEPTH_STEP = np.zeros(256, dtype=np.int32)
_DEPTH_STEP[list(b"[{")] = 1
_DEPTH_STEP[list(b"]}")] = -1


class _TooDeep(InputError):
    """The JSON document nests arrays and objects deeper than :data:`MAX_JSON_DEPTH`."""


class _CleanStream(io.RawIOBase):
    """Byte stream handed to ijson, in time linear in the size of the file whatever it holds:

    - drops a leading UTF-8 BOM;
    - turns the non-standard ``NaN`` / ``Infinity`` value tokens into ``null`` (yajl refuses them):
      a token is replaced when it follows ``:``, ``[`` or ``,`` and precedes ``,``, ``]`` or ``}``
      (up to :data:`_WS_RUN` blanks between). Each chunk is scanned with the last bytes already
      handed out as context and its last :data:`_HOLD` bytes are kept for the next chunk, so a
      token is never cut in two and no byte is scanned more than a few times;
    - measures the nesting depth of arrays and objects (strings removed with one regular
      expression, the brackets left counted with numpy) and raises :class:`InputError` naming the
      file as soon as it exceeds :data:`MAX_JSON_DEPTH`: a record is built whole by ijson, and
      thousands of nested levels would exhaust Python's recursion limit later.
    """

    def __init__(self, raw: IO[bytes], name: str = "", max_depth: int = MAX_JSON_DEPTH) -> None:
        self._raw = raw
        self._name = name
        self._max_depth = max_depth
        self._first = True
        self._done = False
        self._context = b""   # last bytes handed out (what precedes a token)
        self._pending = b""   # bytes read, not yet handed out
        self._out = b""
        self._pos = 0
        self._depth = 0
        self._in_string = False
        self._escaped = False  # the previous chunk ended on a backslash inside a string

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        if size == 0:  # ijson probes the stream type with read(0)
            return b""
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_READ_SIZE), b""))
        while self._pos >= len(self._out) and not self._done:
            self._fill()
        data = self._out[self._pos:self._pos + size]
        self._pos += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _fill(self) -> None:
        new = self._raw.read(_READ_SIZE)
        eof = not new
        if self._first:
            self._first = False
            while 0 < len(new) < 3:  # a short read must not hide the BOM
                more = self._raw.read(_READ_SIZE)
                if not more:
                    break
                new += more
            if new.startswith(b"\xef\xbb\xbf"):
                new = new[3:]
        buf = self._context + self._pending + new
        start = len(self._context)
        out, end = _replace_nan(buf, start, eof)
        self._pending = buf[end:]
        self._context = (self._context + out)[-_HOLD:] if len(out) < _HOLD else out[-_HOLD:]
        self._track_depth(out)
        self._out, self._pos = out, 0
        self._done = eof

    def _track_depth(self, data: bytes) -> None:
        """Update the nesting depth with ``data``, vectorised: escape pairs (``\\"``) removed,
        then a bracket counts when an even number of quotes precedes it (it is outside strings;
        a string may begin and end in different chunks)."""
        if self._escaped and data:
            data, self._escaped = data[1:], False
        if b"\\" in data:
            data = _ESCAPE.sub(b"", data)
            if data.endswith(b"\\"):  # an escape cut in two by the chunk boundary
                data, self._escaped = data[:-1], True
        codes = np.frombuffer(data.translate(None, _NOT_SPECIAL), dtype=np.uint8)
        if not len(codes):
            return
        quotes = np.cumsum(codes == _QUOTE, dtype=np.int32) + int(self._in_string)
        steps = _DEPTH_STEP[codes]
        steps[(quotes & 1) == 1] = 0
        depth = np.cumsum(steps, dtype=np.int64) + self._depth
        if int(depth.max()) > self._max_depth:
            raise _TooDeep([Problem(self._name, None,
                                    f"arrays and objects are nested more than {self._max_depth} "
                                    f"levels deep (the limit; a DECP record needs about 10): "
                                    f"not a DECP file, or a damaged one")])
        self._depth = int(depth[-1])
        self._in_string = bool(quotes[-1] & 1)


def _replace_nan(buf: bytes, start: int, eof: bool) -> tuple[bytes, int]:
    """The bytes of ``buf[start:cut]`` to hand out, ``NaN``/``Infinity`` tokens replaced by
    ``null``, and ``cut``. ``buf[:start]`` is context only (bytes handed out before, already
    replaced). ``cut`` is the end of ``buf`` at the end of the file, else just after the last
    ``,``, ``]`` or ``}`` (no token before it can still be waiting for its closing character) or,
    in a long run without them, :data:`_HOLD` bytes before the end (a token there would need more
    than :data:`_WS_RUN` blanks before its closing character)."""
    if eof:
        cut = len(buf)
    else:
        closer = max(buf.rfind(b",", start), buf.rfind(b"]", start), buf.rfind(b"}", start))
        cut = max(closer + 1, len(buf) - _HOLD, start)
    head = buf[:cut]
    if b"NaN" not in head and b"Infinity" not in head:
        return head[start:], cut
    replaced = _NAN_TOKEN.sub(rb"\1null", head)
    # the context was handed out already: it holds no token left to replace
    assert replaced[:start] == head[:start]
    return replaced[start:], cut


def _open(path: Path) -> IO[bytes]:
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    raw: IO[bytes] = gzip.open(path, "rb") if gz else open(path, "rb")  # noqa: SIM115
    return _CleanStream(raw, path.name)  # type: ignore[return-value]


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
                buyer = record.get("acheteur")
                cols["buyer_name"].append(buyer.get("nom") if isinstance(buyer, dict)
                                          else record.get("acheteur.nom"))
                if len(cols["row"]) >= CHUNK_RECORDS:
                    flush()
        except ijson.common.JSONError as exc:
            msg = (str(exc).strip().splitlines() or ["premature end of data"])[0]
            raise _file_problem(path, f"invalid or truncated JSON after record {n - 1 if n else 0}"
                                      f" ({msg}): the file must be complete") from None
    if cols["row"] or not_objects:
        flush()
    return checker.finish(has_considerations_field=has_field or not checker.n_records)
