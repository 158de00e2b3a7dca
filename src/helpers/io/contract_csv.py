"""CSV text of the two tabular contract encodings (the decp.info file and the Ministry's flat
CSV): read as text with the separator and encoding detected, rows with shifted values (a ``;`` or a
quote inside an unquoted field) named instead of read, and the missing required columns listed."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from . import tabular
from .contract_checks import CONSIDERATIONS_FIELD

# ---------------------------------------------------------------------------------------------
# CSV text shared by the tabular and flat formats


def read_csv_text(path: Path, columns: Sequence[str], placeholders: Sequence[str] = ()
                  ) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """Read a contract CSV as text: encoding (UTF-8 with or without BOM, cp1252) and separator
    (``;``, ``,``, tab) are sniffed with :mod:`helpers.io.tabular`; only ``columns`` that exist in
    the header are kept, every value is stripped text, empty cells and ``placeholders`` become
    ``pd.NA``, and ``row`` holds the spreadsheet row number (header = 1).

    Rows whose number of fields differs from the header's are *column-shifted* (an unquoted
    separator inside a value, or a lost field): their values cannot be trusted, so they are left out
    and returned as problems (``pos=-1, row, column=None, kind, value``) rather than silently read.
    So are rows with a control character in a cell (``column`` = the first such cell's column; see
    :data:`helpers.io.tabular.CONTROL_CHARS`). A header wider than
    :data:`helpers.config.MAX_TABLE_COLUMNS` is refused before any row is read.
    Returns ``(frame, header, shifted_rows)``. Raises :class:`InputError` for an empty file.
    """
    text, _encoding = tabular.decode_text(path)
    if not text.strip():
        raise InputError([Problem(path.name, None, "the file is empty (no header row)")])
    sep = tabular.sniff_separator(text)
    tabular.check_csv_size(path, text, sep, cells=False)  # only the wanted columns are kept
    controls = tabular._CONTROL.search(text) is not None
    reader = csv.reader(io.StringIO(text), delimiter=sep, quotechar='"')
    header = [h.strip() for h in next(reader)]
    width = len(header)
    wanted = [(c, header.index(c)) for c in columns if c in header]
    data: dict[str, list[str]] = {c: [] for c, _ in wanted}
    rows: list[int] = []
    shifted_rows: list[int] = []
    shifted_counts: list[str] = []
    shifted_kinds: list[str] = []
    shifted_columns: list[str | None] = []
    shifted_kind = (f"the number of fields differs from the header's {width} (column-shifted: an "
                    f"unquoted '{sep}' inside a value or a lost field); the row's values cannot "
                    "be trusted")
    for number, fields in enumerate(reader, start=2):
        if not fields or not any(f.strip() for f in fields):
            continue
        if len(fields) != width:
            shifted_rows.append(number)
            shifted_counts.append(f"{len(fields)} fields")
            shifted_kinds.append(shifted_kind)
            shifted_columns.append(None)
            continue
        if controls and tabular._CONTROL.search("".join(fields)):
            at = next(i for i, f in enumerate(fields) if tabular._CONTROL.search(f))
            shifted_rows.append(number)
            shifted_counts.append(None)  # type: ignore[arg-type]
            shifted_kinds.append(tabular.CONTROL_MESSAGE)
            shifted_columns.append(header[at])
            continue
        rows.append(number)
        for c, i in wanted:
            data[c].append(fields[i])
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()})
    frame = frame.apply(lambda s: s.str.strip()) if len(frame.columns) else frame
    frame = frame.where(~frame.isin(["", *placeholders]), pd.NA)
    frame["row"] = pd.Series(rows, dtype="int64")
    shifted = pd.DataFrame({"pos": pd.Series(-1, index=range(len(shifted_rows)), dtype="int64"),
                            "row": pd.Series(shifted_rows, dtype="int64"),
                            "column": pd.Series(shifted_columns, dtype=object),
                            "kind": pd.Series(shifted_kinds, dtype=object),
                            "value": pd.Series(shifted_counts, dtype=object)})
    return frame, header, shifted


def missing_columns_problem(path: Path, header: Sequence[str], required: dict[str, str],
                            ) -> InputError | None:
    """An :class:`InputError` naming every required column absent from ``header`` (the
    social-considerations column gets the docs/design.md §2.3 explanation); None when all are there."""
    problems = []
    for column, meaning in required.items():
        if column in header:
            continue
        if column == CONSIDERATIONS_FIELD:
            problems.append(Problem(path.name, column,
                                    f"the file has no social-considerations column '{column}': "
                                    "the declared side is the point of the audit and is never "
                                    "guessed; export the file with this column (docs/design.md §2.3)"))
        else:
            problems.append(Problem(path.name, column, f"required column '{column}' ({meaning}) "
                                                       "is missing from the header"))
    return InputError(problems) if problems else None
