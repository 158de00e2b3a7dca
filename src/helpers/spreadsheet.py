"""The list of declared contracts without verified delivery, as an Excel workbook for the facilitator.

One ``.xlsx`` per summarised buyer (or for the whole scope), made with openpyxl. Sheet 1 holds one row
per contract that is declared (a social consideration in the DECP) and not effective (status neither
"verified" nor "delivered without being declared"), largest amount first, with its status in words,
planned, expected and realized hours at the cut-off date, amount, declared considerations and
holders; sheet 2 explains each status in one sentence.

Cells are typed so that Excel shows what was meant:

- SIRETs, contract numbers and identifiers are text cells with the text format ``@`` (Excel would
  otherwise show a 14-digit SIRET as ``2.4E+13`` and drop leading zeros);
- a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  apostrophe, so a spreadsheet never runs a value from the data as a formula (CSV/formula injection,
  OWASP); numbers are left untouched;
- amounts and hours are numbers with the format ``#,##0`` / ``#,##0.0``: the file stores the
  format in Excel's neutral notation and a French Excel shows ``1 200 000`` and ``446 477,5`` (the
  separators come from the reader's Excel, as for every .xlsx); dates are real dates shown
  ``JJ/MM/AAAA`` (format ``dd/mm/yyyy``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import fmt, labels
from .summary_content import not_effective_declared

#: Columns of the list, in order: (contracts.csv column, kind). Kinds: text, int, hours, date, status,
#: considerations, holders. ``notification_date`` is written only when the table has it.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("uid", "text"), ("contract_id", "text"), ("buyer_siret", "text"),
    ("notification_date", "date"), ("amount", "money"), ("status", "status"),
    ("planned_hours", "hours"), ("expected_hours", "hours"), ("realized_hours", "hours"),
    ("considerations", "considerations"), ("holders", "holders"),
)
#: First characters that make a spreadsheet read a text cell as a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = {"text": 22, "date": 13, "money": 15, "status": 32, "hours": 14, "considerations": 30,
           "holders": 34}
_SHEET = {"fr": ("Marchés à vérifier", "Statuts"), "en": ("Contracts to check", "Statuses")}


def safe_text(value: Any) -> str:
    """``value`` as text, with a leading apostrophe when it starts like a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _holders(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return "; ".join(str(v) for v in list(value))
    return "" if fmt.is_missing(value) else str(value)


def _number(value: Any) -> float | None:
    if fmt.is_missing(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> dt.date | None:
    if fmt.is_missing(value):
        return None
    return pd.Timestamp(value).date()


def write_spreadsheet(path: str | Path, contracts: Any, lang: str = "fr", *,
                      buyer_siret: str | None = None,
                      params: Mapping[str, Any] | None = None) -> Path:
    """Write the workbook at ``path`` (folders created) and return it.

    ``contracts``: rows of ``contracts.csv`` (DataFrame or list of dicts); ``buyer_siret``: keep this
    buyer's contracts only; ``params``: the run's parameters (they fill in the statuses' rules).
    """
    fmt.check_lang(lang)
    rows = not_effective_declared(contracts, buyer_siret)
    columns = [(c, k) for c, k in COLUMNS if c in rows.columns or c != "notification_date"]
    wb = Workbook()
    ws = wb.active
    ws.title = _SHEET[lang][0]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2F2F2")
    for j, (col, kind) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=labels.label(col, lang, kind="header"))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = _WIDTHS.get(kind, 18)
    for i, (_, record) in enumerate(rows.iterrows(), start=2):
        for j, (col, kind) in enumerate(columns, start=1):
            raw = record.get(col)
            cell = ws.cell(row=i, column=j)
            if kind == "money":
                cell.value, cell.number_format = _number(raw), "#,##0"
            elif kind == "hours":
                cell.value, cell.number_format = _number(raw), "#,##0.0"
            elif kind == "date":
                cell.value, cell.number_format = _date(raw), "dd/mm/yyyy"
            else:
                if kind == "status":
                    text = labels.label(str(raw), lang, kind="status")
                elif kind == "considerations":
                    text = labels.consideration_text(raw, lang)
                elif kind == "holders":
                    text = _holders(raw)
                else:
                    text = "" if fmt.is_missing(raw) else str(raw)
                cell.number_format = "@"
                if text:
                    cell.value = safe_text(text)
                    cell.data_type = "s"  # never a formula nor a number, whatever the text
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"

    notes = wb.create_sheet(_SHEET[lang][1])
    head = [labels.label(k, lang, kind="header") for k in ("label", "code", "rule")]
    for j, h in enumerate(head, start=1):
        notes.cell(row=1, column=j, value=h).font = bold
    for i, g in enumerate(labels.glossary(lang, labels.STATUS_CODES, params), start=2):
        for j, key in enumerate(("label", "code", "rule"), start=1):
            notes.cell(row=i, column=j, value=safe_text(g[key])).data_type = "s"
    for letter, width in zip("ABC", (36, 22, 110)):
        notes.column_dimensions[letter].width = width

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    _fix_timestamps(out)
    return out


#: The date written into the workbook instead of "now", so that the same contracts give the same
#: bytes (openpyxl stamps the document properties and every zip entry with the current time).
FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def _fix_timestamps(path: Path) -> None:
    """Rewrite the ``.xlsx`` at ``path`` with fixed dates: the created/modified document properties
    and the zip entries' times. The content is otherwise unchanged."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    stamp = "2000-01-01T00:00:00Z"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)
