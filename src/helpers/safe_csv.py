"""Formula neutralisation of the text cells the tool writes to CSV or XLSX files.

A spreadsheet opening a CSV file treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula
(tab and carriage return are read the same way after trimming), so a buyer name, a file name or a raw
value copied from the input data such as ``=HYPERLINK("http://…")`` or ``=cmd|' /C calc'!A0`` would
run when an evaluator opens ``buyers.csv`` (OWASP, "CSV Injection"). Every text cell (and column label)
that starts with one of :data:`TRIGGERS` gets a leading apostrophe, which spreadsheets show as text and
do not display.

Rules
-----
* only text (``str``) cells change; numbers, booleans, dates and missing values are untouched, so a
  negative number stays a number;
* a text cell that is a plain number written as text (``"-5"``, ``"+3.5"``, ``"-1,5"``, ``"1e-3"``) is
  left as it is: a spreadsheet reads it as that number, not as a formula;
* the frame given is not modified: :func:`neutralise_frame` returns a copy when something changed.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""
PREFIX = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text starting with one of :data:`TRIGGERS`
    and is not a plain number; anything else unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return PREFIX + value
    return value


def _needs(values: pd.Series) -> bool:
    text = values[values.map(lambda v: isinstance(v, str))]
    return bool(len(text)) and bool(text.str.startswith(TRIGGERS).any())


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell and column label neutralised (:func:`neutralise`): object,
    string and categorical columns are checked, numeric, boolean and date columns are left alone.
    Returns ``df`` itself when nothing needs a change, else a copy."""
    out = df
    columns = [neutralise(c) for c in df.columns]
    if columns != list(df.columns):
        out = out.copy()
        out.columns = pd.Index(columns, name=df.columns.name)
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = col.cat.categories
            if _needs(pd.Series(cats, dtype=object)):
                if out is df:
                    out = df.copy()
                out.isetitem(i, col.cat.rename_categories([neutralise(c) for c in cats]))
        elif col.dtype == object or isinstance(col.dtype, pd.StringDtype):
            if _needs(col.astype(object)):
                if out is df:
                    out = df.copy()
                out.isetitem(i, col.map(neutralise, na_action="ignore").astype(col.dtype))
    return out


__all__ = ["PREFIX", "TRIGGERS", "neutralise", "neutralise_frame"]
