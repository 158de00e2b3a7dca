"""Reading user tables (CSV, XLSX) as text, and parsing their values without losing a problem.

docs/design.md §2.2: every reader accepts CSV with ``,`` or ``;``, UTF-8 with or without BOM or cp1252,
decimal commas, and XLSX where marked. This module is the one place where those variants are handled, so that
all of them give the *same* table:

- every column is read as ``str`` (identifiers such as SIRET keep their leading zeros), surrounding
  whitespace is stripped and empty cells become ``pd.NA``;
- a ``_row`` column holds the row number as the user sees it in a spreadsheet (header = 1, first data
  row = 2), so every problem can name its rows;
- the ``parse_*`` helpers turn text into numbers or dates and *return* the invalid cells as a mask
  instead of raising, so that a reader can list every problem of a file at once.

File-level problems (missing, empty, unreadable or malformed file, duplicated header names) raise
:class:`helpers.errors.InputError` listing all of them for that file.

Limits (:mod:`helpers.config`), checked before a table is parsed so that a damaged or hostile file
cannot exhaust memory: at most :data:`~helpers.config.MAX_TABLE_COLUMNS` columns and
:data:`~helpers.config.MAX_TABLE_CELLS` cells (rows x columns) per table, and an XLSX workbook of at
most :data:`~helpers.config.MAX_XLSX_UNCOMPRESSED_BYTES` once unzipped. Control characters inside
a cell (NUL and the other codes below U+0020 except tab, CR and LF, and U+007F-U+009F) are kept
by the reader and reported with their rows and column (see :func:`read_table_file`): a NUL would
otherwise cut the value short.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import MAX_TABLE_CELLS, MAX_TABLE_COLUMNS, MAX_XLSX_UNCOMPRESSED_BYTES
from ..errors import InputError, Problem

ROW = "_row"
"""Name of the column holding the spreadsheet row number (header = 1, first data row = 2)."""

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
TABLE_SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES

_SEPARATORS = (";", ",", "\t")


def _file_error(path: Path, message: str, column: str | None = None,
                rows: Iterable[int] = ()) -> InputError:
    return InputError([Problem(path.name, column, message, tuple(rows))])


def decode_text(path: Path) -> tuple[str, str]:
    """Return ``(text, encoding)`` of a text file: UTF-8 (a BOM is removed), else cp1252.

    cp1252 (Windows "ANSI", what Excel writes on a French PC) is the fallback when the bytes are not
    valid UTF-8; the rare bytes cp1252 leaves undefined are an error naming the file.
    """
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise _file_error(path, f"cannot decode the file as UTF-8 nor as cp1252 (byte {exc.start}); "
                                "save it as UTF-8 CSV") from exc


def sniff_separator(text: str) -> str:
    """The field separator of a CSV text: the one among ``;``, ``,`` and tab that occurs most often
    in the header line outside quotes (ties go to ``;``, the French Excel default)."""
    header = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda s: counts[s])  # max keeps the first on ties: ';'
    return best if counts[best] > 0 else ","


CONTROL_CHARS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
"""Characters refused inside a cell: C0 controls except tab, LF and CR; DEL; C1 controls."""
_CONTROL = re.compile(CONTROL_CHARS)
_NUL_STANDIN = "\x01"
"""pandas' CSV parser cuts a value at a NUL: NULs are handed to it as this (also refused) code."""
CONTROL_MESSAGE = ("the cell holds a control character (NUL or another invisible code below "
                   "U+0020 other than tab and line breaks): its value may be cut short; "
                   "remove the character and export the file again")


def header_width(text: str, sep: str) -> int:
    """Number of fields of the first line of a CSV text (separators outside quotes + 1), counted
    without splitting the line."""
    end = text.find("\n")
    line = text if end < 0 else text[:end]
    return re.sub(r'"[^"]*"', "", line).count(sep) + 1


def check_csv_size(path: Path, text: str, sep: str, *, cells: bool = True) -> None:
    """Refuse a CSV text whose header has more than :data:`MAX_TABLE_COLUMNS` fields, or (when
    ``cells``) whose lines x header fields exceed :data:`MAX_TABLE_CELLS`, before it is parsed."""
    width = header_width(text, sep)
    if width > MAX_TABLE_COLUMNS:
        raise _file_error(path, f"the header row has {width} columns, more than the limit of "
                                f"{MAX_TABLE_COLUMNS}: check the separator '{sep}', or remove "
                                "the extra columns", rows=(1,))
    if cells:
        lines = text.count("\n") + 1
        if lines * width > MAX_TABLE_CELLS:
            raise _file_error(path, f"{lines} lines x {width} columns = {lines * width} cells, "
                                    f"more than the limit of {MAX_TABLE_CELLS}: split the file or "
                                    "keep only the columns this audit reads")


def _read_csv_cells(path: Path) -> tuple[list[str], pd.DataFrame, dict[str, str]]:
    text, encoding = decode_text(path)
    if not text.strip():
        raise _file_error(path, "the file is empty (no header row)")
    sep = sniff_separator(text)
    check_csv_size(path, text, sep)
    if "\x00" in text:
        text = text.replace("\x00", _NUL_STANDIN)
    try:
        cells = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str,
                            keep_default_na=False, na_filter=False, skip_blank_lines=False,
                            quotechar='"', engine="c")
    except pd.errors.ParserError:
        raise _ragged_rows_error(path, text, sep) from None
    except pd.errors.EmptyDataError:
        raise _file_error(path, "the file is empty (no header row)") from None
    header = [str(h) for h in cells.iloc[0].tolist()]
    body = cells.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    return header, body, {"format": "csv", "encoding": encoding, "separator": sep,
                          "controls": "yes" if _CONTROL.search(text) else "no"}


def _ragged_rows_error(path: Path, text: str, sep: str) -> InputError:
    """Every row with more fields than the header, listed at once (pandas stops at the first)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep, quotechar='"')
    width = None
    bad: list[int] = []
    for i, fields in enumerate(reader, start=1):
        if width is None:
            width = len(fields)
        elif len(fields) > width:
            bad.append(i)
    return _file_error(path, f"these rows have more fields than the header ({width}); "
                             f"check the separator '{sep}' and the quoting", rows=bad)


def _cell_text(value: object) -> str:
    """Text of one XLSX cell as a user would type it: integers without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, pd.Timestamp | np.datetime64):
        value = pd.Timestamp(value).to_pydatetime()
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


def _check_xlsx_zip(path: Path) -> None:
    """Refuse a workbook whose parts unzip to more than :data:`MAX_XLSX_UNCOMPRESSED_BYTES` (a
    small file can expand to gigabytes). A file that is not a zip is left to openpyxl's message."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise _file_error(path, f"the workbook unzips to {total} bytes, more than the limit of "
                                f"{MAX_XLSX_UNCOMPRESSED_BYTES}: save the table alone as CSV")


def _sheet_rows(path: Path, ws: Any) -> list[list[str]]:
    """The sheet's rows as text, read lazily and refused as soon as a non-empty cell lies beyond
    :data:`MAX_TABLE_COLUMNS` or the cells read exceed :data:`MAX_TABLE_CELLS`. The sheet's
    declared dimension is not trusted: one stray cell at XFD1048576 would make openpyxl pad every
    row to 16 384 cells and yield 1 048 576 rows."""
    from openpyxl.utils import get_column_letter

    ws.reset_dimensions()  # rows come as stored: no padding to the declared dimension
    rows: list[list[str]] = []
    blank: list[str] = []
    last = 0      # number of rows up to the last non-blank one
    width = 0
    seen = 0      # cells openpyxl produced, empty formatted ones included
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        seen += len(values)
        if seen > MAX_TABLE_CELLS:
            raise _file_error(path, f"the first sheet holds more than {MAX_TABLE_CELLS} cells "
                                    "(the limit; empty formatted cells count): delete the unused "
                                    "rows and columns, or save the table alone as CSV",
                              rows=(number,))
        end = len(values)
        while end and (values[end - 1] is None or values[end - 1] == ""):
            end -= 1
        cells = [_cell_text(v) for v in values[:end]] if end else blank
        if len(cells) > MAX_TABLE_COLUMNS:
            raise _file_error(path, f"cell {get_column_letter(len(cells))}{number} of the first "
                                    f"sheet lies beyond the limit of {MAX_TABLE_COLUMNS} columns: "
                                    "delete the stray cells (or copy the table to a new sheet)",
                              rows=(number,))
        rows.append(cells or blank)
        if cells:
            last = number
            width = max(width, len(cells))
            if last * width > MAX_TABLE_CELLS:
                raise _file_error(path, f"the first sheet spans at least {last} rows x {width} "
                                        f"columns, more than the limit of {MAX_TABLE_CELLS} cells: "
                                        "delete the stray cells or split the table",
                                  rows=(number,))
    return rows[:last]


def _read_xlsx_cells(path: Path) -> tuple[list[str], pd.DataFrame, dict[str, str]]:
    import openpyxl  # imported here: only XLSX readers pay for it

    _check_xlsx_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _file_error(path, f"cannot open the file as an XLSX workbook ({type(exc).__name__}: "
                                f"{exc})") from exc
    try:
        rows = _sheet_rows(path, wb.worksheets[0])
    finally:
        wb.close()
    if not rows or not any(c.strip() for c in rows[0]):
        raise _file_error(path, "the first sheet is empty or its first row (the header) is blank")
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    cells = pd.DataFrame(rows, dtype=object)
    header = cells.iloc[0].tolist()
    body = cells.iloc[1:].reset_index(drop=True)
    return header, body, {"format": "xlsx", "encoding": "", "separator": ""}


def read_table_file(path: str | Path, *, table: str, info: dict[str, str] | None = None,
                    controls: dict[str, list[int]] | None = None) -> pd.DataFrame:
    """Read one CSV or XLSX file as text, every column ``str`` (docs/design.md §2.2).

    ``table`` is the canonical table the file is read for (used in messages). When ``info`` is a
    dict, it receives ``format`` (csv/xlsx), ``encoding`` and ``separator``.

    Returns the data rows with the header names (stripped) as columns, cell text stripped, empty cells
    as ``pd.NA``, rows that are entirely empty dropped, and ``_row`` = spreadsheet row number
    (header = 1). Trailing columns with an empty header and no value are dropped.

    Cells holding a control character (see :data:`CONTROL_CHARS`) are checked before any stripping:
    when ``controls`` is a dict it receives ``{column: [rows]}`` for the caller to report (row
    errors, which quarantine can set aside); without it they raise :class:`InputError` naming file,
    rows and column. A header name holding one always raises.

    Raises :class:`InputError` when the file is missing, empty, undecodable, has rows with more fields
    than the header, has blank or duplicated header names (all listed), or exceeds the size limits
    of the module docstring.
    """
    path = Path(path)
    if not path.is_file():
        raise _file_error(path, f"{table} file not found: {path.name}")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        header, body, meta = _read_xlsx_cells(path)
    elif suffix in CSV_SUFFIXES:
        header, body, meta = _read_csv_cells(path)
    else:
        raise _file_error(path, f"unsupported {table} file type '{suffix}' "
                                f"(expected one of {', '.join(TABLE_SUFFIXES)})")
    may_hold_controls = meta.pop("controls", "yes") == "yes"
    if info is not None:
        info.update(meta)

    header = [unicodedata.normalize("NFC", str(h)) for h in header]
    bad_names = [i + 1 for i, h in enumerate(header) if _CONTROL.search(h)]
    if bad_names:
        raise _file_error(path, "header name(s) at position(s) "
                                f"{', '.join(map(str, bad_names))}: {CONTROL_MESSAGE}", rows=(1,))
    header = [h.strip() for h in header]
    found: dict[int, np.ndarray] = {}
    if may_hold_controls:
        for i in range(body.shape[1]):
            hits = body.iloc[:, i].astype("string").str.contains(CONTROL_CHARS, regex=True)
            hits = hits.fillna(False).to_numpy(dtype=bool)
            if hits.any():
                found[i] = np.flatnonzero(hits) + 2  # spreadsheet rows: header = 1
    body = body.apply(lambda s: s.astype("string").str.strip()) if len(body.columns) else body
    body = body.astype(object).where(body.notna() & (body != ""), pd.NA)  # missing -> pd.NA
    # Drop trailing unnamed columns that hold nothing (Excel often exports a few).
    keep = [i for i, h in enumerate(header) if h or body.iloc[:, i].notna().any()]
    problems: list[Problem] = []
    blank = [i + 1 for i in keep if not header[i]]
    if blank:
        problems.append(Problem(path.name, None,
                                f"header row has blank column name(s) at position(s) "
                                f"{', '.join(map(str, blank))} while those columns hold values",
                                (1,)))
    names = [header[i] for i in keep]
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        problems.append(Problem(path.name, ", ".join(dupes),
                                "column name(s) appear more than once in the header", (1,)))
    if found and controls is None:
        problems += [Problem(path.name, header[i] or f"column {i + 1}", CONTROL_MESSAGE,
                             tuple(int(r) for r in rows)) for i, rows in found.items()]
    elif found and controls is not None:
        for i, rows in found.items():
            controls.setdefault(header[i] or f"column {i + 1}", []).extend(int(r) for r in rows)
    if problems:
        raise InputError(problems)
    df = body.iloc[:, keep].copy()
    df.columns = names
    df[ROW] = np.arange(2, len(df) + 2, dtype="int64")
    nonempty = df.drop(columns=ROW).notna().any(axis=1)
    return df.loc[nonempty].reset_index(drop=True)


def normalize_name(name: str) -> str:
    """Header name normalised for matching: lowercase, accents stripped, every non-alphanumeric
    character removed ("Date de naissance" -> "datedenaissance", "E-mail" -> "email")."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", ascii_only.lower())


def normalize_values(series: pd.Series) -> pd.Series:
    """:func:`normalize_name` applied to a whole column, vectorised (NA stays NA)."""
    return (series.astype("string").str.normalize("NFKD")
            .str.encode("ascii", errors="ignore").str.decode("ascii")
            .str.lower().str.replace(r"[^a-z0-9]", "", regex=True))


_SPACES = r"[\s\u00a0\u202f']"


def by_unique(series: pd.Series, parse: Callable[[pd.Series], tuple[pd.Series, pd.Series]]
              ) -> tuple[pd.Series, pd.Series]:
    """Apply a ``(values, invalid)`` parser to the distinct values of ``series`` only and spread
    the result back (columns of dates, hours or categories repeat a few values many times)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values, invalid = parse(pd.Series(uniques, dtype=object))
    na = np.array([np.datetime64("NaT") if values.dtype.kind == "M" else np.nan],
                  dtype=values.dtype)
    spread = np.concatenate([values.to_numpy(), na])[codes]   # code -1 (missing) -> last = NA
    bad = np.concatenate([invalid.to_numpy(dtype=bool), [False]])[codes]
    return (pd.Series(spread, index=series.index, name=series.name),
            pd.Series(bad, index=series.index, name=series.name))


def parse_decimal(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse decimal numbers written the French or the English way.

    Accepted: ``12,5`` ``12.5`` ``1 234,5`` (space, no-break space or apostrophe as thousands
    separator) ``1.234,5`` ``1,234.5`` (when both marks appear, the last one is the decimal mark),
    ``-3``, ``1e3``, ``1.234.567`` (several dots and no comma: thousands). A single comma is always
    a decimal mark (``1,234`` = 1.234, the French reading), and so is a single dot (``2.717`` =
    2.717: write ``2 717`` or ``2717`` for thousands).

    Returns ``(values, invalid)``: floats (NaN where empty or invalid) and a boolean mask of the cells
    that hold text but are not a finite number.
    """
    return by_unique(series, _parse_decimal)


def _parse_decimal(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = series.astype("string").str.replace(_SPACES, "", regex=True)
    has_comma = text.str.contains(",", regex=False).fillna(False)
    has_dot = text.str.contains(".", regex=False).fillna(False)
    comma_last = (text.str.rfind(",") > text.str.rfind(".")).fillna(False)
    both = has_comma & has_dot
    cleaned = text.copy()
    # both marks: the last one is the decimal mark, the other one groups thousands
    cleaned = cleaned.mask(both & comma_last,
                           text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    cleaned = cleaned.mask(both & ~comma_last, text.str.replace(",", "", regex=False))
    cleaned = cleaned.mask(has_comma & ~has_dot, text.str.replace(",", ".", regex=False))
    # several dots and no comma: dots group thousands ("1.234.567"); a single dot stays decimal
    grouped = ~has_comma & text.str.fullmatch(r"[+-]?\d{1,3}(\.\d{3}){2,}").fillna(False)
    cleaned = cleaned.mask(grouped, text.str.replace(".", "", regex=False))
    # Only plain numbers: refuses "nan", "inf", "12h", "1.2.3" that to_numeric might accept or guess.
    plain = cleaned.str.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?").fillna(False)
    values = pd.to_numeric(cleaned.where(plain), errors="coerce").astype("float64")
    present = series.notna()
    invalid = present & ~(plain & np.isfinite(values.fillna(np.nan)))
    values = values.where(~invalid)
    return values.astype("float64"), invalid.astype(bool)


def parse_int(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse whole numbers (``1984``, ``1984.0`` and ``1 984`` accepted). Returns ``(Int64 values,
    invalid mask)``; a non-integral number is invalid."""
    values, invalid = parse_decimal(series)
    fractional = values.notna() & (values != np.floor(values.fillna(0)))
    invalid = invalid | fractional
    return values.where(~invalid).round().astype("Int64"), invalid


_ISO = r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
_DMY = r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[T ]+\d{1,2}[:h]\d{2}(?::\d{2})?)?$"
#: Excel serial day numbers: 10000 (1927-05-18) to 99999 (2173-10-14), a time fraction allowed.
#: Shorter numbers are not read as serials, so that a year such as 1985 is never taken for a date.
_SERIAL = r"^(\d{5})(?:[.,]\d+)?$"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0 once its 1900 leap-year bug is undone


def parse_date(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse calendar dates: ISO ``2024-03-01`` (a time of day and a timezone suffix, as in DECP's
    ``2024-03-01+01:00`` or an XLSX ``2024-03-01T08:00:00``, are ignored: the date as written is
    kept) and French ``01/03/2024``, ``01-03-2024``, ``01.03.2024`` (day first; a time of day
    after it, ``01/03/2024 08:30``, is ignored), and Excel serial day numbers of five digits
    (``45352`` = 2024-03-01, a fraction of a day ignored; what a spreadsheet exports when a date
    cell lost its date format). Dates typed as dates in an XLSX file arrive here as ISO text.

    Two-digit years and impossible dates (``2024-02-30``) are invalid. Returns
    ``(datetime64[ns] values, invalid mask)``.
    """
    return by_unique(series, _parse_date)


def _parse_date(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = series.astype("string")
    iso = text.str.extract(_ISO)[0]
    dmy = text.str.extract(_DMY)
    from_iso = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    dmy_text = dmy[2] + "-" + dmy[1].str.zfill(2) + "-" + dmy[0].str.zfill(2)
    from_dmy = pd.to_datetime(dmy_text, format="%Y-%m-%d", errors="coerce")
    serial = pd.to_numeric(text.str.extract(_SERIAL)[0], errors="coerce")
    from_serial = _EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    values = (from_iso.fillna(from_dmy).fillna(from_serial).astype("datetime64[ns]")
              .rename(series.name))
    invalid = series.notna() & values.isna()
    return values, invalid.astype(bool)


def as_mask(mask: pd.Series) -> pd.Series:
    """A boolean mask with missing values read as False."""
    return mask.astype("boolean").fillna(False).astype(bool)


def rows_where(df: pd.DataFrame, mask: pd.Series) -> list[int]:
    """Spreadsheet row numbers (``_row``) of the rows selected by ``mask``, sorted."""
    return sorted(int(r) for r in df.loc[as_mask(mask), ROW])
