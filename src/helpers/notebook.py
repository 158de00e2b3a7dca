"""What the notebooks call, so that their cells stay thin.

``params, data, res = setup(year=..., buyers=..., ...)`` turns the ``parameters`` cell into
:class:`~helpers.params.Params` (same checks as the command line), then returns a
:class:`DataSummary` of the dataset and the results. Inside ``python -m helpers run`` both come from
the session file named by ``$SCA_SESSION`` (JSON plus Parquet, never pickle: :mod:`helpers.session`;
the data was read and the results computed once, by the run itself, so the notebooks show exactly the
numbers of ``indicators.json``); opened interactively, the notebook loads the data directory and
computes them.

``data`` is a summary, not the canonical tables: what the notebooks show of the data is bounded
(row counts, the data-quality log, rejected rows counted per reason, coverage per buyer), so the session
a kernel reads stays a few MB at national scale instead of the 100+ MB of 500 000 contracts
For the full tables, call ``helpers.cache.load_dataset(params.data_dir)``.

The display helpers only format: bounded tables, no paths, no timestamps — the committed notebooks'
outputs are compared by nbval. The pages are written in the run's ``language`` (:func:`configure`,
called after :func:`setup`): their prose comes from :mod:`helpers.texts` (:func:`say`), every word of
a table or figure from :mod:`helpers.labels`, every number a reader sees through :mod:`helpers.fmt`
(``48,9 %``, ``10 868 964 € HT``, ``31/12/2024``), and each page ends with the glossary of the
statuses and verdicts (:func:`glossary`).

This module holds what every page uses (the set-up, the page's language and formats, ``say``, ``md``,
``shown``, ``glossary``) and the tables and figures of page 01 (data quality: files read, the quality
log, rejected rows, coverage). The other pages' tables and figures are in modules of their own, which
build on this one: :mod:`helpers.notebook_declared` (page 02, declared share),
:mod:`helpers.notebook_outcomes` (page 03, insertion outcomes), :mod:`helpers.notebook_verdicts` and
:mod:`helpers.notebook_checks` (page 04, declared and delivered; its robustness sections).
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import fmt, labels, texts
from .config import SESSION_ENV, SMALL_CELL_FLOOR
from .dataset import Dataset
from .params import Params, make_params
from .session import read_session

MAX_ROWS = 20


@dataclass(frozen=True)
class DataSummary:
    """What the notebooks show of a :class:`~helpers.dataset.Dataset` (see the module docstring).

    rows      {table: rows after reading} for contracts (after de-duplication), clauses,
              participations, suppliers, buyers
    quality   the data-quality log (:func:`helpers.dataset.new_quality`)
    rejected  rows set aside in quarantine mode, counted: ``table, reason, rows``
    coverage  :func:`coverage_by_buyer` of the run's year and buyers
    """

    rows: dict[str, int]
    quality: dict[str, Any]
    rejected: pd.DataFrame
    coverage: pd.DataFrame


def summarize(dataset: Dataset, params: Params, results: Any) -> DataSummary:
    """The :class:`DataSummary` of ``dataset`` for the run of ``params`` and its ``results``."""
    rows = {name: len(getattr(dataset, name))
            for name in ("contracts", "clauses", "participations", "suppliers", "buyers")}
    return DataSummary(rows=rows, quality=dataset.quality, rejected=count_rejected(dataset),
                       coverage=coverage_by_buyer(dataset, results, params))


def setup(**parameters: Any) -> tuple[Params, DataSummary, Any]:
    """Parameters → (params, data summary, results); see the module docstring.

    Also fixes the display options (rounded floats, bounded rows) and silences library warnings, so
    the outputs are the same on every execution.
    """
    params = make_params(parameters)
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_rows", MAX_ROWS + 10)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    warnings.filterwarnings("ignore")
    session = os.environ.get(SESSION_ENV)
    if session:
        stored = read_session(Path(session))
        if stored.get("parameters") == dataclasses.asdict(params):
            return params, stored["data"], stored["results"]
    from .cache import load_dataset
    from .indicators import compute_results

    dataset = load_dataset(params.data_dir)
    results = compute_results(dataset, params)
    return params, summarize(dataset, params, results), results


def md(text: str) -> None:
    """Display Markdown (prose with computed numbers)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def table(df: pd.DataFrame, max_rows: int = MAX_ROWS, digits: int = 3) -> pd.DataFrame:
    """A bounded, rounded copy for display: at most ``max_rows`` rows, floats rounded, a fresh index.

    The full table stays in the CSV files of the report (bounded reports).
    """
    out = df.head(max_rows).reset_index(drop=True).copy()
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(digits)
    out.index = range(1, len(out) + 1)
    return out


def mapping_table(values: Mapping[str, Any], key: str = "indicator", value: str = "value",
                  digits: int = 3) -> pd.DataFrame:
    """A two-column table from a flat mapping (nested values are shown as text)."""
    rows = [(k, round(v, digits) if isinstance(v, float) else v) for k, v in values.items()]
    return table(pd.DataFrame(rows, columns=[key, value]), max_rows=100)


# ---------------------------------------------------------------------------------------------------
# language of the page: prose, labels, number formats
# ---------------------------------------------------------------------------------------------------

_PAGE: dict[str, Any] = {"params": None}


def configure(params: Params) -> None:
    """Remember the run's parameters for the page's texts (language, target, thresholds): the
    display functions below write in ``params.language`` and fill the run's values in."""
    _PAGE["params"] = params
    pd.set_option("display.max_colwidth", None)  # labels and sentences are shown whole


def _params() -> Params:
    return _PAGE["params"] if _PAGE["params"] is not None else Params()


def lang() -> str:
    """The language of the page (``fr`` unless :func:`configure` was given another one)."""
    return _params().language


def word(code: str, **values: Any) -> str:
    """The label of ``code`` (:func:`helpers.labels.label`) in the page's language, its ``{fields}``
    filled from ``values``."""
    text = labels.label(code, lang())
    return text.format(**values) if values else text


def run_fields() -> dict[str, str]:
    """The run's values as the page's texts show them (:mod:`helpers.texts` fields)."""
    p, lg = _params(), lang()
    as_of = p.as_of or f"{p.year}-12-31"
    return {"target": fmt.target(p.target, lg), "ratio": fmt.target(p.min_delivery_ratio, lg),
            "min_contracts": fmt.number(p.min_contracts, lg), "alpha": fmt.target(p.alpha, lg),
            "etp_hours": fmt.number(p.etp_hours, lg), "min_cell_size": fmt.number(p.min_cell_size, lg),
            "year": str(p.year), "as_of": fmt.date(as_of, lg),
            "washing": labels.label("social_washing", lg),
            "possible": labels.label("possible_social_washing", lg),
            "not_measured": labels.label("not_measured", lg),
            "unverifiable": labels.label("UNVERIFIABLE", lg)}


def say(key: str, **values: Any) -> None:
    """Display the paragraph ``key`` of :data:`helpers.texts.TEXTS` in the page's language, with the
    run's values (:func:`run_fields`) and ``values`` filled in."""
    md(texts.text(key, lang(), **{**run_fields(), **values}))


def small_cells_note() -> None:
    """A warning near the top of every page when counts of people are published below the usual
    statistical-secrecy threshold (``min_cell_size`` under 11, allowed by ``allow_small_cells``)."""
    if _params().min_cell_size < SMALL_CELL_FLOOR:
        say("all.small_cells")


def percent(value: Any, digits: int = 1) -> str:
    """A share in the page's format (``48,9 %`` in French); the figures' ``percent`` formatter."""
    return fmt.share(value, lang(), digits)


def number(value: Any, digits: int = 0) -> str:
    """A number in the page's format (``10 868 964`` in French); the figures' ``number``
    formatter."""
    return fmt.number(value, lang(), digits)


def _frame(rows: list[dict[str, Any]], columns: list[str], headers: Mapping[str, str] | None = None
           ) -> pd.DataFrame:
    """Rows (already formatted as text) under the page's column headers, numbered from 1."""
    out = pd.DataFrame(rows, columns=columns).astype(object)
    out.columns = [word((headers or {}).get(c, c)) for c in columns]
    out.index = range(1, len(out) + 1)
    return out


def shown(df: pd.DataFrame | None, empty: str) -> pd.DataFrame | None:
    """``df`` for display, or the paragraph ``empty`` (a :mod:`helpers.texts` key) when it has no
    row."""
    if df is None or df.empty:
        say(empty)
        return None
    return df


def glossary(codes: Any = None) -> pd.DataFrame:
    """The glossary at the end of a page: its heading and a table (label, code, rule) of the
    verdicts and statuses (:func:`helpers.labels.glossary`) with the run's values in the rules."""
    say("all.glossary")
    rows = labels.glossary(lang(), codes, dataclasses.asdict(_params()))
    return _frame(rows, ["label", "code", "rule"])


# ---------------------------------------------------------------------------------------------------
# page 01, data quality: files read, the quality log, rejected rows, coverage per buyer (no computation
# of indicators here: those come from helpers.indicators)
# ---------------------------------------------------------------------------------------------------

def _file_label(path: Any, data_dir: Path) -> str:
    """A file as shown in a report: relative to the data directory, never an absolute path."""
    p = Path(str(path))
    try:
        return p.resolve().relative_to(data_dir.resolve()).as_posix()
    except ValueError:
        return p.name


def _table_name(name: Any) -> str:
    try:
        return word(f"tbl_{name}")
    except KeyError:
        return str(name)


def files_read(data: DataSummary, params: Params) -> pd.DataFrame:
    """Every input file read (data-quality log ``files``): table, file, format, rows read."""
    files = pd.DataFrame(data.quality.get("files", []),
                         columns=["table", "file", "format", "rows_read"])
    files["file"] = files["file"].map(lambda f: _file_label(f, params.data_path))
    files = files.sort_values(["table", "file"], kind="stable").head(100)
    rows = [{"table": _table_name(r.table), "file": r.file,
             "format": str(r.format).replace("_", " ").upper(), "rows_read": number(r.rows_read)}
            for r in files.itertuples()]
    return _frame(rows, ["table", "file", "format", "rows_read"])


def quality_summary(data: DataSummary, results: Any) -> pd.DataFrame:
    """Headline data-quality counts (``item``, ``value``; English item names, raw counts): rows read,
    duplicates dropped, rows rejected per table, warnings, and the scope funnel of the run
    (``indicators.data_quality.scope``). :func:`quality_table` shows it in the page's language."""
    rows = [(name, v) for _, name, v in _quality_rows(data, results)]
    return pd.DataFrame(rows, columns=["item", "value"], index=range(1, len(rows) + 1))


_QUALITY_EN = {"q_contract_rows": "contract rows read",
               "q_duplicates": "duplicate contract rows dropped (one row per uid)",
               "q_contracts": "contracts after de-duplication", "q_clauses": "clause rows",
               "q_participations": "participation rows",
               "q_suppliers": "registry structures (suppliers)",
               "q_rejected": "rows rejected (quarantine mode)",
               "q_warnings": "warnings (legal but suspicious values)"}


def _quality_rows(data: DataSummary, results: Any) -> list[tuple[str, str, Any]]:
    """(label code, English name, value) of :func:`quality_summary`."""
    q = results.indicators.get("data_quality", {})
    rows: list[tuple[str, str, Any]] = [
        (c, _QUALITY_EN[c], v) for c, v in (
            ("q_contract_rows", q.get("contracts_rows_read", 0)),
            ("q_duplicates", q.get("duplicates_dropped", 0)),
            ("q_contracts", data.rows["contracts"]), ("q_clauses", data.rows["clauses"]),
            ("q_participations", data.rows["participations"]),
            ("q_suppliers", data.rows["suppliers"]))]
    rejected = {k: v for k, v in sorted((q.get("rejected") or {}).items()) if v}
    if not rejected:
        rows.append(("q_rejected", _QUALITY_EN["q_rejected"], 0))
    for table_name, n in rejected.items():
        rows.append((f"q_rejected_in:{table_name}",
                     f"{table_name} rows rejected (quarantine mode)", n))
    rows.append(("q_warnings", _QUALITY_EN["q_warnings"], len(q.get("warnings", []))))
    for key, n in (q.get("scope") or {}).items():
        rows.append((f"scope_{key}", f"scope: {key.replace('_', ' ')}", n))
    return rows


def quality_table(data: DataSummary, results: Any) -> pd.DataFrame:
    """:func:`quality_summary` in the page's language and number format."""
    rows = []
    for code, english, value_ in _quality_rows(data, results):
        if code.startswith("q_rejected_in:"):
            name = word("q_rejected_in", table=_table_name(code.split(":", 1)[1]))
        else:
            try:
                name = word(code)
            except KeyError:  # a scope step without a label yet: its English name
                name = english
        rows.append({"item": name, "value": number(value_)})
    return _frame(rows, ["item", "value"])


def quality_warnings(data: DataSummary, params: Params, max_rows: int = MAX_ROWS
                     ) -> pd.DataFrame:
    """Warnings of the data-quality log: table, file, column, number of rows, message (bounded;
    the messages are those of the data checks)."""
    w = pd.DataFrame(data.quality.get("warnings", []),
                     columns=["table", "file", "column", "rows", "message"]).head(max_rows)
    rows = [{"table": _table_name(r["table"]),
             "file": "" if fmt.is_missing(r["file"]) else _file_label(r["file"], params.data_path),
             "column": "" if fmt.is_missing(r["column"]) else r["column"],
             "n_rows": number(len(r["rows"]) if isinstance(r["rows"], (list, tuple)) else r["rows"]),
             "message": r["message"]} for _, r in w.iterrows()]
    return _frame(rows, ["table", "file", "column", "n_rows", "message"])


def rejected_summary(data: DataSummary, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Rows set aside in quarantine mode, counted per table and reason (bounded; the rows themselves
    are in ``rejected/<table>.csv``)."""
    return table(data.rejected, max_rows) if len(data.rejected) else data.rejected


def rejected_table(data: DataSummary, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """:func:`rejected_summary` with the page's headers and numbers."""
    rows = [{"table": _table_name(r["table"]), "reason": r["reason"], "rows": number(r["rows"])}
            for _, r in data.rejected.head(max_rows).iterrows()]
    return _frame(rows, ["table", "reason", "rows"])


def count_rejected(dataset: Dataset) -> pd.DataFrame:
    """``table, reason, rows``: the quarantined rows of ``dataset`` counted per table and reason,
    most frequent reason first within a table."""
    frames = [pd.DataFrame({"table": name, "reason": df["reason"].astype(str)})
              for name, df in sorted(dataset.rejected.items())
              if df is not None and not df.empty and "reason" in df.columns]
    if not frames:
        return pd.DataFrame(columns=["table", "reason", "rows"])
    return (pd.concat(frames).groupby(["table", "reason"]).size().rename("rows").reset_index()
            .sort_values(["table", "rows", "reason"], ascending=[True, False, True])
            .reset_index(drop=True))


def coverage_by_buyer(dataset: Dataset, results: Any, params: Params) -> pd.DataFrame:
    """Per buyer, contracts notified in ``year``, how many have a clauses row and how many have
    participation rows, how many are in the run's scope and how many of those are covered by the
    facilitator's data. Sorted by contracts, then SIRET."""
    c = dataset.contracts
    year_c = c.loc[c["notification_date"].dt.year.eq(params.year), ["uid", "buyer_siret"]]
    if params.buyers:
        year_c = year_c.loc[year_c["buyer_siret"].isin(params.buyers)]
    year_c = year_c.assign(with_clause=year_c["uid"].isin(set(dataset.clauses["uid"])),
                           with_participations=year_c["uid"].isin(
                               set(dataset.participations["uid"])))
    cov = year_c.groupby("buyer_siret").agg(contracts=("uid", "size"),
                                            with_clause=("with_clause", "sum"),
                                            with_participations=("with_participations", "sum"))
    in_scope = results.contracts.groupby("buyer_siret").size().rename("in_scope")
    c_all = results.contracts
    is_covered = (c_all["covered"].astype(bool) if "covered" in c_all.columns
                  else pd.Series(True, index=c_all.index))
    covered = c_all.loc[is_covered].groupby("buyer_siret").size().rename("in_scope_covered")
    cov = (cov.join(in_scope, how="left").join(covered, how="left")
           .fillna({"in_scope": 0, "in_scope_covered": 0}).astype(int).reset_index())
    names = results.buyers.set_index("buyer_siret")["buyer_name"]
    if not dataset.buyers.empty:
        names = dataset.buyers.drop_duplicates("siret").set_index("siret")["name"]
    cov.insert(1, "buyer_name", cov["buyer_siret"].map(names))
    return cov.sort_values(["contracts", "buyer_siret"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def coverage_table(data: DataSummary, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """The coverage per buyer (:func:`coverage_by_buyer`) with the page's headers and numbers."""
    cols = ["buyer_siret", "buyer_name", "contracts", "with_clause", "with_participations",
            "in_scope", "in_scope_covered"]
    rows = [{c: (r[c] if c in ("buyer_siret", "buyer_name") else number(r[c])) for c in cols}
            for _, r in data.coverage.head(max_rows).iterrows()]
    return _frame(rows, cols)


def coverage_figure(data: DataSummary) -> None:
    """The coverage per buyer as a figure, in the page's language."""
    from . import figures

    figures.show(figures.plot_coverage(
        data.coverage, title=word("f_coverage_title"), title_largest=word("f_coverage_largest"),
        xlabel=word("n_contracts"), ylabel=word("f_buyer"),
        series_labels=tuple(word("f_coverage_series").split("|")), empty=word("f_empty")),
        "coverage_by_buyer")
