"""Pseudonymise a facilitator's participants export before it enters the data directory.

``python -m helpers pseudonymise INPUT OUTPUT --key-file FILE [--id-columns COL ...]``

- reads INPUT, a CSV (``,`` ``;`` or tab, UTF-8 or cp1252) or an XLSX file (first sheet), as text;
- writes OUTPUT (``.csv``: UTF-8 with a BOM, ``;``-separated, which Excel opens directly; ``.xlsx``)
  with, first, ``beneficiary_id`` and ``birth_year``, then every column of INPUT that does not
  identify a person, unchanged (the facilitator's headers and labels stay: the mapping reads them);
- ``beneficiary_id`` = the first 16 hexadecimal digits (64 bits) of HMAC-SHA256(key, identity),
  where identity is the identity columns' values, each normalised (accents stripped, lowercase,
  every run of non-alphanumeric characters one space: ``DUPONT-Léa`` = ``dupont lea``; birth
  dates as ISO ``YYYY-MM-DD`` whatever their form), joined by the unit separator U+001F. The
  identity columns are, by default, the detected names, first names and birth date
  (:mod:`helpers.io.identifiers`), in file order; ``--id-columns`` names them instead (in the
  order given). With the same key, the same person gets the same id in every year's export,
  however the dates and the case are written, so people can be followed from year to year; without
  the key, the ids cannot be linked back to the names (RFC 2104 keyed hash; a plain hash of a name
  and a birth date could be recomputed by anyone);
- ``birth_year`` = the year of the birth-date column (``dd/mm/yyyy``, ISO, an Excel date or serial,
  or a bare 4-digit year), when there is one (a year column of the export, "Année de naissance",
  is then replaced; without a birth date it is kept as it is);
- every column that looks like a direct identifier (names, NIR, e-mail, phone, address, birth date
  or place, file numbers), every identity column, and a facilitator's own person number under a
  header the readers would take for ``beneficiary_id`` ("Identifiant bénéficiaire") are dropped.

The key is read from ``--key-file`` (its bytes, surrounding blanks and line ends removed; at least
16 bytes), and is never written, printed or logged. Create one once, keep it outside the repository
and the data directory, and reuse it every year::

    python -c "import secrets; print(secrets.token_hex(32))" > ~/cle_pseudonymisation.txt

Refusals (exit code 2, nothing written): INPUT missing or unreadable; OUTPUT equal to INPUT (raw
files are never modified); no data row; no identity column found; a named ``--id-columns``
absent; a row whose identity columns are all empty; a birth date that cannot be read; INPUT
already holding a ``beneficiary_id`` column; an identifier column that would remain in OUTPUT,
whether its header says so or its values look like e-mail addresses, French phone numbers or NIR
numbers (a column such as "Commentaire" holding contact details) — delete or clean it in INPUT,
then run again.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import EXIT_INPUT_ERROR, InputError, Problem
from .io.identifiers import BIRTH_DATE, IDENTITY_KINDS, identifier_columns, identifier_kind
from .io.mapping import default_mapping, header_key
from .io.tabular import ROW, parse_date, read_table_file

ID_COLUMN = "beneficiary_id"
YEAR_COLUMN = "birth_year"
ID_HEX_DIGITS = 16
MIN_KEY_BYTES = 16
SEPARATOR = "\x1f"

#: Cell values that are direct identifiers whatever their column's header says.
VALUE_PATTERNS = {
    "e-mail": r"[^@\s]+@[^@\s]+\.[a-z]{2,}",
    "phone": r"(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}",
    "NIR / social-security number": r"[1278]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2[AB])"
                                    r"\s?\d{3}\s?\d{3}(?:\s?\d{2})?",
}


def read_key(path: str | Path) -> bytes:
    """The key bytes of ``path`` (surrounding blanks removed); an :class:`InputError` (which
    never quotes the key) when the file is missing or the key shorter than 16 bytes."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(path.name, None, "key file not found: create it once with  "
                                  'python -c "import secrets; print(secrets.token_hex(32))" > '
                                  f"{path}  and keep it outside the repository")])
    key = path.read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise InputError([Problem(path.name, None, f"key too short ({len(key)} bytes, at least "
                                  f"{MIN_KEY_BYTES}); generate one with secrets.token_hex(32)")])
    return key


def _identity_text(value: object) -> str:
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


def birth_dates(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``(ISO date text or bare year, invalid mask)`` of a birth-date column: any date form of
    :func:`helpers.io.tabular.parse_date`, or a 4-digit year alone."""
    dates, invalid = parse_date(series)
    text = series.astype("string").str.strip()
    year_only = text.str.fullmatch(r"(19|20)\d{2}").fillna(False)
    iso = dates.dt.strftime("%Y-%m-%d").astype(object)
    out = iso.where(dates.notna(), text.where(year_only).astype(object))
    return out.where(out.notna(), None), invalid & ~year_only


def beneficiary_ids(identity: pd.DataFrame, key: bytes, dates: tuple[str, ...] = ()) -> pd.Series:
    """HMAC-SHA256 of each row's identity (module docstring), 16 hex digits: text columns
    normalised, the ``dates`` columns (already ISO text) as they are, empty cells as ""."""
    parts = pd.DataFrame({c: identity[c] if c in dates else identity[c].map(
        _identity_text, na_action="ignore") for c in identity.columns}, index=identity.index)
    parts = parts.astype(object).where(parts.notna(), "")
    joined = parts.apply(lambda row: SEPARATOR.join(row), axis=1)
    return joined.map(lambda text: hmac.new(key, text.encode("utf-8"),
                                            hashlib.sha256).hexdigest()[:ID_HEX_DIGITS])


def value_identifiers(df: pd.DataFrame) -> dict[str, tuple[str, list[int]]]:
    """Columns whose cells look like e-mails, phone or NIR numbers: ``{column: (kind, rows)}``."""
    found = {}
    for col in df.columns:
        if col == ROW:
            continue
        text = df[col].astype("string").str.strip().str.lower()
        for kind, pattern in VALUE_PATTERNS.items():
            hit = text.str.fullmatch(pattern).fillna(False)
            if hit.any():
                found[col] = (kind, sorted(int(r) for r in df.loc[hit, ROW]))
                break
    return found


def pseudonymise(input_path: str | Path, output_path: str | Path, key_file: str | Path,
                 id_columns: list[str] | None = None) -> pd.DataFrame:
    """Pseudonymise ``input_path`` into ``output_path`` (module docstring) and return the table
    written. Raises :class:`InputError` listing every problem; nothing is written then."""
    src, dst = Path(input_path), Path(output_path)
    if dst.resolve() == src.resolve():
        raise InputError([Problem(src.name, None, "OUTPUT is INPUT: the raw export is never "
                                  "modified; write the pseudonymised file elsewhere")])
    key = read_key(key_file)
    df = read_table_file(src, table="participants")
    headers = [c for c in df.columns if c != ROW]
    if df.empty:
        raise InputError([Problem(src.name, None, "no data row to pseudonymise")])
    problems: list[Problem] = []
    if ID_COLUMN in headers:
        problems.append(Problem(src.name, ID_COLUMN, "the file already has a beneficiary_id "
                                "column: it looks pseudonymised already"))
    detected = identifier_columns(headers)
    if id_columns:
        missing = [c for c in id_columns if c not in headers]
        problems += [Problem(src.name, c, f"--id-columns names a column that is not in the file "
                             f"(columns: {', '.join(headers)})") for c in missing]
        identity_cols = [c for c in id_columns if c in headers]
    else:
        identity_cols = [c for c, kind in detected.items() if kind in IDENTITY_KINDS]
        if not identity_cols:
            problems.append(Problem(src.name, None, "no name, first-name or birth-date column "
                                    "found: name the columns that identify a person with "
                                    "--id-columns"))
    birth_cols = [c for c, kind in detected.items() if kind == BIRTH_DATE]
    if len(birth_cols) > 1:
        problems.append(Problem(src.name, ", ".join(birth_cols), "several birth-date columns: "
                                "keep one of them"))
    if problems:
        raise InputError(problems)

    identity = df[identity_cols].copy()
    birth_year = pd.Series(pd.NA, index=df.index, dtype="string")
    if birth_cols:
        col = birth_cols[0]
        iso, invalid = birth_dates(df[col])
        if invalid.any():
            problems.append(Problem(src.name, col, "birth date not readable (use 31/12/1985, "
                                    "1985-12-31, an Excel date or a 4-digit year)",
                                    tuple(int(r) for r in df.loc[invalid, ROW])))
        birth_year = pd.Series(iso, dtype="string").str[:4]
        if col in identity.columns:
            identity[col] = iso
    empty = identity.isna().all(axis=1)
    if empty.any():
        problems.append(Problem(src.name, ", ".join(identity_cols), "no identity value on these "
                                "rows: a beneficiary_id cannot be made",
                                tuple(int(r) for r in df.loc[empty, ROW])))
    # columns the readers would take for beneficiary_id (a facilitator's own file number) or, when
    # a birth date gives the year, for birth_year: replaced by the ones written here
    lookup = default_mapping().header_lookup("participations")
    replaced = {c for c in headers if lookup.get(header_key(c)) == ID_COLUMN
                or (birth_cols and lookup.get(header_key(c)) == YEAR_COLUMN)}
    dropped = set(detected) | set(identity_cols) | replaced
    kept = [c for c in headers if c not in dropped]
    out = pd.DataFrame({ID_COLUMN: beneficiary_ids(identity, key, tuple(birth_cols))})
    if birth_cols:
        out[YEAR_COLUMN] = birth_year.astype(object).where(birth_year.notna(), None)
    out = pd.concat([out, df[kept]], axis=1)
    # Safety net: nothing that identifies a person may remain, by header or by value.
    for col in out.columns:
        kind = identifier_kind(col) if col not in (ID_COLUMN, YEAR_COLUMN) else None
        if kind:
            problems.append(Problem(src.name, col, f"would remain in the output and looks like a "
                                    f"direct identifier ({kind})"))
    for col, (kind, rows) in value_identifiers(df[[*kept, ROW]]).items():
        problems.append(Problem(src.name, col, f"values look like a direct identifier ({kind}): "
                                "delete or clean this column in the input, then run again",
                                tuple(rows)))
    if problems:
        raise InputError(problems)
    _write(out, dst)
    return out


def _write(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = df.astype(object).where(df.notna(), None)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        text.to_excel(path, index=False)
    else:
        text.to_csv(path, sep=";", index=False, encoding="utf-8-sig")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers pseudonymise",
        description="Replace names and birth dates by a keyed beneficiary_id and the birth year, "
                    "and drop every identifier column.")
    parser.add_argument("input", help="facilitator's participants export (CSV or XLSX)")
    parser.add_argument("output", help="pseudonymised file to write (.csv or .xlsx)")
    parser.add_argument("--key-file", required=True,
                        help="file holding the secret key (same key every year; never written)")
    parser.add_argument("--id-columns", nargs="+", metavar="COL",
                        help="columns identifying a person (default: the detected names, first "
                             "names and birth date)")
    args = parser.parse_args(argv)
    try:
        out = pseudonymise(args.input, args.output, args.key_file, args.id_columns)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    n_people = int(np.unique(out[ID_COLUMN]).size)
    print(f"wrote {args.output}: {len(out)} rows, {n_people} distinct beneficiary_id, columns "
          f"{', '.join(out.columns)}")
    return 0
