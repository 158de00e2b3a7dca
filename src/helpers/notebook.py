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
"""

from __future__ import annotations

import dataclasses
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import fmt, labels, texts, verdict_text
from .config import SMALL_CELL_FLOOR
from .dataset import Dataset
from .params import Params, make_params
from .session import (  # noqa: F401  (re-exported: the hand-off API the run and tests use)
    RUN_PID_ENV,
    SESSION_ENV,
    SessionAborted,
    SessionError,
    abort_session,
    encode,
    publish_session,
    wait_for_session,
    write_session,
)

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


def session_bytes(payload: dict[str, Any]) -> bytes:
    """``payload`` (``parameters``, ``data``, ``results``) as the session bytes the kernels read
    (JSON plus Parquet, :mod:`helpers.session`; the run also keeps them in the results cache)."""
    return encode(payload)


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
        stored = wait_for_session(Path(session), os.environ.get(RUN_PID_ENV))
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


def pct(value: Any, digits: int = 1) -> str:
    """``0.342`` → ``"34.2 %"``; ``None``/NaN → ``"n/a"``."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    return f"{float(value) * 100:.{digits}f} %"


def num(value: Any, digits: int = 0) -> str:
    """A number with thin thousands separators (``435 643``); ``None``/NaN → ``"n/a"``."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    return f"{float(value):,.{digits}f}".replace(",", " ")


def ci(bounds: Any, digits: int = 1) -> str:
    """A 95 % interval ``[lo, hi]`` of shares as ``"[28.1 %, 40.3 %]"``."""
    if not bounds or any(b is None for b in bounds):
        return "n/a"
    lo, hi = bounds
    return f"[{pct(lo, digits)}, {pct(hi, digits)}]"


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


def _suppressed(results: Any) -> str:
    n = results.indicators.get("parameters", {}).get("min_cell_size", _params().min_cell_size)
    return word("suppressed_n", n=fmt.number(n, lang()))


def _frame(rows: list[dict[str, Any]], columns: list[str], headers: Mapping[str, str] | None = None
           ) -> pd.DataFrame:
    """Rows (already formatted as text) under the page's column headers, numbered from 1."""
    out = pd.DataFrame(rows, columns=columns).astype(object)
    out.columns = [word((headers or {}).get(c, c)) for c in columns]
    out.index = range(1, len(out) + 1)
    return out


FORMATS = {
    "int": lambda v, lg: fmt.number(v, lg), "num1": lambda v, lg: fmt.number(v, lg, 1),
    "num2": lambda v, lg: fmt.number(v, lg, 2), "pct": lambda v, lg: fmt.share(v, lg),
    "money": lambda v, lg: fmt.money(v, lg), "hours": lambda v, lg: fmt.hours(v, lg),
}


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
# shaping results for display (no computation of indicators here: those come from helpers.indicators)
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


def _indicator(results: Any, path: str) -> Any:
    node: Any = results.indicators
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def value(results: Any, path: str, kind: str = "int") -> str:
    """An indicator by dotted path (``"activity.beneficiaries"``) formatted for the page: ``kind``
    is one of :data:`FORMATS`; a value suppressed for privacy reads "non publié (moins de N
    personnes)"."""
    if path in results.indicators.get("suppressed", []):
        return _suppressed(results)
    return FORMATS[kind](_indicator(results, path), lang())


def block_table(results: Any, section: str, keys: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """A two-column table (indicator, value) of the indicators ``section.<key>``, each with the code
    of its label (:mod:`helpers.labels`) and its format (:data:`FORMATS`)."""
    rows = [{"indicator": word(code), "value": value(results, f"{section}.{key}", kind)}
            for key, (code, kind) in keys.items()]
    return _frame(rows, ["indicator", "value"])


def shares_table(frame: pd.DataFrame, results: Any, section: str) -> pd.DataFrame:
    """Profile or exit table (``key``, ``n``, ``share``) with the groups' labels; suppressed cells
    read "non publié (moins de N personnes)"."""
    sup = set(results.indicators.get("suppressed", []))
    hidden_text = _suppressed(results)
    rows = []
    for _, r in frame.iterrows():  # one row per profile/exit key (a dozen at most)
        hidden = f"{section}.{r['key']}_share" in sup
        rows.append({
            "group": _group(r["key"]),
            "people": hidden_text if hidden or pd.isna(r["n"]) else number(r["n"]),
            "people_share": hidden_text if hidden or pd.isna(r["share"]) else percent(r["share"]),
        })
    return _frame(rows, ["group", "people", "people_share"])


def _group(key: str) -> str:
    code = "sorties_dynamiques_total" if key == "sorties_dynamiques" else key
    try:
        return word(code)
    except KeyError:
        return str(key)


def labelled_shares(frame: pd.DataFrame) -> dict[str, float | None]:
    """``key``/``share`` table → {label: share or None (suppressed)} for :func:`figures.plot_shares`."""
    shares = frame["share"].astype(float)
    return {_group(k): (None if pd.isna(s) else float(s)) for k, s in zip(frame["key"], shares)}


def shares_figure(frame: pd.DataFrame, which: str) -> None:
    """The profile (``which="profile"``) or exits (``"exits"``) shares as a figure."""
    from . import figures

    figures.show(figures.plot_shares(
        labelled_shares(frame), title=word(f"f_{which}_title"), xlabel=word(f"f_{which}_x"),
        ylabel=word("f_group" if which == "profile" else "f_exit"),
        suppressed=word("f_suppressed"), empty=word("f_empty"), percent=percent), which)


def hours_figure(results: Any) -> None:
    """The concentration of hours over contracts as a figure."""
    from . import figures

    figures.show(figures.plot_hours_by_contract(
        results.tables["hours_by_contract"].set_index("uid")["hours_in_year"],
        title=word("f_hours_title"), bars_title=word("f_hours_bars"), xlabel=word("f_hours_x"),
        ylabel=word("f_hours_y"), lorenz_title=word("f_lorenz"), lorenz_xlabel=word("f_lorenz_x"),
        lorenz_ylabel=word("f_lorenz_y"), lorenz_label=word("f_lorenz"),
        equal_label=word("f_equal"), empty=word("f_empty"), percent=percent,
        number=lambda v: number(v)), "hours_concentration")


def funnel(results: Any) -> dict[str, int]:
    """Status funnel over the covered assessable contracts (docs/design.md §3 statuses):
    declared → followed (a clauses row with planned hours, some hours recorded, or a verified reserved
    holder: someone tracks the clause) → delivered (status ``VERIFIED``)."""
    c = results.contracts
    a = c.loc[c["assessable"].astype(bool) & c["covered"].astype(bool)
              & c["declared"].astype(bool)]
    followed = (a["planned_hours"].fillna(0) > 0) | (a["realized_hours"].fillna(0) > 0) \
        | a["reserved_verified"].astype(bool)
    return {"declared": int(len(a)), "followed": int(followed.sum()),
            "delivered": int(a["status"].eq("VERIFIED").sum())}


def funnel_figure(results: Any) -> None:
    """:func:`funnel` as a figure, in the page's language."""
    from . import figures

    stages = funnel(results)
    figures.show(figures.plot_funnel(
        stages, title=word("f_funnel_title"), xlabel=word("n_contracts"), ylabel=word("f_funnel_y"),
        names={k: word(f"stage_{k}") for k in stages}, value_label=word("f_funnel_value"),
        percent=percent, number=lambda v: number(v)), "status_funnel")


def status_table(results: Any) -> pd.DataFrame:
    """Contracts in scope per status (labels, in the order of the rules)."""
    counts = results.indicators.get("status_counts", {})
    keys = [*labels.STATUS_CODES, *sorted(set(counts) - set(labels.STATUS_CODES))]
    rows = [{"status": word(k) if k in labels.STATUS_CODES else k,
             "n_contracts": number(counts.get(k, 0) or 0)} for k in keys]
    return _frame(rows, ["status", "n_contracts"])


def status_figure(results: Any) -> None:
    """Contracts in scope per status as a figure, in the page's language."""
    from . import figures

    figures.show(figures.plot_status_counts(
        results.indicators.get("status_counts", {}), title=word("f_status_title"),
        xlabel=word("f_status_x"), ylabel=word("f_status_y"),
        names={k: word(k) for k in labels.STATUS_CODES}, number=lambda v: number(v)),
        "status_counts")


VERDICT_ORDER = {"social_washing": 0, "possible_social_washing": 1, "below_target": 2,
                 "compliant": 3, "not_measured": 4, "insufficient_data": 5}


def delivery_note(results: Any) -> None:
    """One sentence, shown when delivery could not be judged for the whole scope or for some buyers:
    why nothing is concluded about their delivery (no facilitator data, or too few covered
    contracts)."""
    ind = results.indicators
    minimum = ind.get("parameters", {}).get("min_contracts", _params().min_contracts)
    m = fmt.number(minimum, lang())
    if not ind.get("coverage", {}).get("facilitator_data", True):
        say("04.no_facilitator", min_contracts=m)
        return
    not_measured = int((results.buyers["verdict"] == "not_measured").sum())
    if not_measured:
        say("04.one_not_measured" if not_measured == 1 else "04.some_not_measured",
            n=number(not_measured), min_contracts=m)


def _sorted_buyers(results: Any) -> pd.DataFrame:
    """``buyers_detail`` flagged buyers first, then by assessable contracts."""
    b = results.tables["buyers_detail"].copy()
    b["_order"] = b["verdict"].map(VERDICT_ORDER).fillna(9)
    return b.sort_values(["_order", "assessable_contracts", "buyer_siret"],
                         ascending=[True, False, True], kind="stable").drop(columns="_order")


def whole_scope_verdict(results: Any) -> None:
    """The verdict of the whole scope with its reason (:func:`helpers.verdict_text.verdict_sentence`)
    and the figures behind it (shares, gap, McNemar's test)."""
    ind, p, lg = results.indicators, _params(), lang()
    if ind.get("verdict"):
        sentence = verdict_text.verdict_sentence(verdict_text.row_from_indicators(ind), lg,
                                                 p.target, min_contracts=p.min_contracts)
        say("04.whole_verdict", verdict=word(ind["verdict"]), sentence=sentence)
    gap, dec, eff = ind.get("gap") or {}, ind.get("declared") or {}, ind.get("effective") or {}
    ci95 = gap.get("ci95") or [None, None]
    say("04.whole_details", covered=number(ind.get("covered_contracts")),
        assessable=number(ind.get("assessable_contracts")),
        declared=percent(dec.get("covered_share")), effective=percent(eff.get("share")),
        ci=fmt.ci_pair(eff.get("ci95"), lg), upper=percent(eff.get("upper_share")),
        unsub=_capital(percent((ind.get("unsubstantiated") or {}).get("share"))),
        gap=fmt.points(gap.get("points"), lg), gap_low=fmt.points(ci95[0], lg),
        gap_high=fmt.points(ci95[1], lg), mcnemar=fmt.pvalue(gap.get("mcnemar_p"), lg),
        dne=number(gap.get("declared_not_effective")),
        end=number(gap.get("effective_not_declared")))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def verdict_reasons(results: Any, max_rows: int = MAX_ROWS) -> None:
    """Each buyer's verdict with its reason and how sure, one line each (flagged buyers first;
    bounded, the rest in buyers.csv)."""
    p, lg = _params(), lang()
    b = _sorted_buyers(results)
    lines = []
    for _, r in b.head(max_rows).iterrows():
        sentence = verdict_text.verdict_sentence(r, lg, p.target, min_contracts=p.min_contracts)
        colon = "\u00a0:" if lg == "fr" else ":"
        lines.append(f"- **{_escape(r['buyer_name'])}** (SIRET {r['buyer_siret']}){colon} "
                     f"*{word(r['verdict'])}.* {sentence}")
    if lines:
        md("\n\n".join(lines))
    if len(b) > max_rows:
        say("04.more_buyers", n=number(len(b) - max_rows))


def _escape(text: Any) -> str:
    """A name from the data as plain Markdown text (its ``*``, ``_``, ``[`` … are not markup)."""
    return "".join("\\" + ch if ch in "\\`*_{}[]<>#|" else ch for ch in str(text))


def verdict_table(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """The buyers' figures for display: flagged buyers first, then by assessable contracts; shares
    in %, gap in points, q-value; bounded (complete table in buyers.csv)."""
    lg = lang()
    cols = ["buyer_name", "verdict", "assessable_contracts", "covered_contracts", "declared_share",
            "declared_covered_share", "effective_share", "unsubstantiated_share", "gap_points",
            "q_value"]
    rows = []
    for _, r in _sorted_buyers(results).head(max_rows).iterrows():
        rows.append({
            "buyer_name": r["buyer_name"], "verdict": word(r["verdict"]),
            "assessable_contracts": number(r["assessable_contracts"]),
            "covered_contracts": number(r["covered_contracts"]),
            **{c: percent(r[c]) for c in ("declared_share", "declared_covered_share",
                                          "effective_share", "unsubstantiated_share")},
            "gap_points": fmt.points(r["gap_points"], lg),
            "q_value": fmt.MISSING if fmt.is_missing(r["q_value"]) else
            fmt.pvalue(r["q_value"], lg, "q"),
        })
    return _frame(rows, cols)


def _covered_view(results: Any) -> pd.DataFrame:
    """``buyers_detail`` of the buyers with covered contracts, with the declared share over the
    covered set in the ``declared_*`` columns the per-buyer figures read (and the covered contracts
    as their size), so that declared and effective shares are over the same contracts."""
    d = results.tables["buyers_detail"]
    d = d.loc[d["covered_contracts"].fillna(0) > 0]
    return d.assign(assessable_contracts=d["covered_contracts"],
                    declared_n=d["declared_covered_n"],
                    declared_share=d["declared_covered_share"],
                    declared_ci_low=d["declared_covered_ci_low"],
                    declared_ci_high=d["declared_covered_ci_high"],
                    declared_share_by_amount=d["declared_covered_share_by_amount"])


def shares_by_buyer_figure(results: Any, effective: bool = True) -> None:
    """Declared share per buyer over the assessable contracts (``effective=False``, page 02) or
    declared and effective shares over the covered contracts (page 04), in the page's language."""
    from . import figures

    p = _params()
    frame = _covered_view(results) if effective else results.tables["buyers_detail"]
    figures.show(figures.plot_shares_by_buyer(
        frame, p.target, effective=effective, alpha=p.alpha,
        title=word("f_shares_title" if effective else "f_declared_title"),
        title_largest=word("f_largest"), xlabel=word("f_share_x"), ylabel=word("f_buyer"),
        declared_label=word("f_declared_ci"), effective_label=word("f_effective_ci"),
        target_label=word("f_target"), dist_title=word("f_dist_title"),
        dist_ylabel=word("f_dist_y"), empty=word("f_empty"), percent=percent),
        "declared_vs_effective_by_buyer" if effective else "declared_share_by_buyer")


def share_by_amount_figure(results: Any) -> None:
    """Declared and effective shares by amount per buyer, over the covered contracts."""
    from . import figures

    figures.show(figures.plot_share_by_amount(
        _covered_view(results), _params().target, title=word("f_amount_title"),
        title_largest=word("f_largest"), xlabel=word("f_amount_x"), ylabel=word("f_buyer"),
        declared_label=word("legend_declared"), effective_label=word("legend_effective"),
        target_label=word("f_target"), empty=word("f_empty"), percent=percent),
        "declared_vs_effective_by_amount")


FLAG_COLUMNS = ["uid", "buyer_name", "notification_date", "amount", "considerations",
                "planned_hours", "expected_hours", "realized_hours", "status"]


def contracts_behind_flags(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame | None:
    """Display how many contracts are behind the social-washing flags and return the largest
    ``max_rows`` of them (see :func:`flagged_contracts`) with the page's headers; a sentence when
    there is none."""
    rows, total = flagged_contracts(results, max_rows=max_rows)
    if total == 0:
        say("04.no_flags")
        return None
    if total > len(rows):
        say("04.flags_count_some", total=number(total), shown=number(len(rows)))
    else:
        say("04.flags_count_all", total=number(total))
    lg = lang()
    out = [{"uid": r["uid"], "buyer_name": r["buyer_name"],
            "notification_date": fmt.date(r["notification_date"], lg),
            "amount": number(r["amount"]),
            "considerations": labels.consideration_text(r["considerations"], lg),
            **{c: number(r[c]) for c in ("planned_hours", "expected_hours", "realized_hours")},
            "status": word(r["status"])} for _, r in rows.iterrows()]
    return _frame(out, FLAG_COLUMNS)


def flagged_contracts(results: Any,
                      verdicts: tuple[str, ...] = ("social_washing", "possible_social_washing"),
                      max_rows: int = MAX_ROWS) -> tuple[pd.DataFrame, int]:
    """The contracts behind the flags: covered assessable contracts of the buyers whose verdict is in
    ``verdicts``, declared but not effective (status SHORTFALL, NO_EVIDENCE or UNVERIFIABLE), largest
    amounts first. Returns the first ``max_rows`` and the total number (all are in contracts.csv)."""
    flagged = results.buyers.loc[results.buyers["verdict"].isin(verdicts), "buyer_siret"]
    c = results.contracts
    rows = c.loc[c["buyer_siret"].isin(set(flagged)) & c["assessable"].astype(bool)
                 & c["covered"].astype(bool)
                 & c["declared"].astype(bool) & ~c["effective"].astype(bool)]
    rows = rows.sort_values(["amount", "uid"], ascending=[False, True], kind="stable")
    shown_ = rows[FLAG_COLUMNS].copy()
    shown_["notification_date"] = pd.to_datetime(shown_["notification_date"]).dt.strftime("%Y-%m-%d")
    for col in ("amount", "planned_hours", "expected_hours", "realized_hours"):
        shown_[col] = shown_[col].astype(float).round(0).astype("Int64")
    return table(shown_, max_rows), int(len(rows))


def official_shares() -> pd.DataFrame:
    """Official national shares of contracts with a social consideration (year, share, series, scope,
    source), from ``data/reference/official_shares.csv`` through
    :func:`helpers.trends.load_official_shares`."""
    from .trends import load_official_shares

    return load_official_shares()


_AMOUNT = re.compile(r"(\d[\d\s]*)\s*EUR")


def official_table(official: pd.DataFrame) -> pd.DataFrame:
    """The official national shares (year, share, source, contracts counted) for the page; the
    threshold of the contracts counted in the page's money format."""
    lg = lang()
    rows = []
    for _, r in official.sort_values("year").iterrows():
        m = _AMOUNT.search(str(r["scope"]))
        counted = str(r["scope"])
        if m:
            amount = fmt.money(float(re.sub(r"\s", "", m.group(1))), lg)
            counted = (f"marchés d'au moins {amount}" if lg == "fr"
                       else f"contracts of at least {amount}")
        rows.append({"year": str(int(r["year"])), "share": percent(r["share"]),
                     "series": r["series"], "official_scope": counted})
    return _frame(rows, ["year", "share", "series", "official_scope"],
                  {"share": "people_share"})


def official_figure(official: pd.DataFrame, results: Any) -> None:
    """The official series with this scope's declared share, in the page's language."""
    from . import figures

    p = _params()
    figures.show(figures.plot_official_context(
        official, p.year, (results.indicators.get("declared") or {}).get("share"), target=p.target,
        title=word("f_official_title"), xlabel=word("f_official_x"), ylabel=word("f_official_y"),
        official_label=word("f_official_series"), scope_label=word("f_official_scope"),
        target_label=word("f_official_target"), break_label=word("f_official_break"),
        percent=percent), "official_context")


def whole_declared(results: Any) -> None:
    """The declared share over the assessable contracts, with its interval, by amount, and whether
    it meets the target on paper."""
    ind = results.indicators
    dec = ind.get("declared") or {}
    say("02.whole_scope_result", n=number(ind.get("assessable_contracts")),
        share=percent(dec.get("share")), ci=fmt.ci_pair(dec.get("ci95"), lang()),
        share_amount=percent(dec.get("share_by_amount")),
        reached=texts.text("02.reached" if dec.get("meets_target") else "02.not_reached", lang()))


def consideration_table(results: Any) -> pd.DataFrame:
    """Declared considerations: contracts declaring each, share of the assessable ones, how many
    are covered and verified, and the verified share among the covered."""
    from .figures import CONSIDERATION_LABELS

    t = results.tables["by_consideration"]
    rows = [{"consideration": labels.consideration_text(
        [CONSIDERATION_LABELS.get(r["consideration"], r["consideration"])], lang()),
        "n": number(r["n"]), "share": percent(r["share"]), "covered_n": number(r["covered_n"]),
        "effective_n": number(r["effective_n"]),
        "consideration_effective_share": percent(r["effective_share"])} for _, r in t.iterrows()]
    return _frame(rows, ["consideration", "n", "share", "covered_n", "effective_n",
                         "consideration_effective_share"])


def consideration_figure(results: Any) -> None:
    """Contracts declaring each consideration as a figure, in the page's language."""
    from . import figures

    names = {k: labels.consideration_text([v], lang())
             for k, v in figures.CONSIDERATION_LABELS.items()}
    figures.show(figures.plot_by_consideration(
        (results.indicators.get("declared") or {}).get("by_consideration") or {},
        results.indicators.get("assessable_contracts") or 0,
        title=word("f_consideration_title"), xlabel=word("f_consideration_x"),
        ylabel=word("f_consideration_y"), names=names, empty=word("f_empty"), percent=percent,
        number=lambda v: number(v)), "declared_by_consideration")


def declared_by_buyer(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Per buyer: assessable contracts, declared count, declared share by number with its 95 % Wilson
    interval, and by amount, largest buyers first; bounded (full table in buyers.csv)."""
    d = results.tables["buyers_detail"].sort_values(
        ["assessable_contracts", "buyer_siret"], ascending=[False, True], kind="stable")
    lg = lang()
    rows = [{"buyer_siret": r["buyer_siret"], "buyer_name": r["buyer_name"],
             "assessable_contracts": number(r["assessable_contracts"]),
             "declared_n": number(r["declared_n"]), "declared_share": percent(r["declared_share"]),
             "ci95": fmt.ci(r["declared_ci_low"], r["declared_ci_high"], lg),
             "declared_share_by_amount": percent(r["declared_share_by_amount"])}
            for _, r in d.head(max_rows).iterrows()]
    return _frame(rows, ["buyer_siret", "buyer_name", "assessable_contracts", "declared_n",
                         "declared_share", "ci95", "declared_share_by_amount"])


def activity_by_buyer(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Activity-year indicators per buyer, most hours first; people counts below the cell size (and
    the hours that go with them) read "non publié"; bounded."""
    a = results.tables["activity_by_buyer"].copy()
    names = results.buyers.set_index("buyer_siret")["buyer_name"]
    a.insert(1, "buyer_name", a["buyer_siret"].map(names))
    a = a.sort_values(["hours", "buyer_siret"], ascending=[False, True], kind="stable")
    hidden_text = _suppressed(results)
    kinds = {"hours": "int", "hours_clause_contracts": "int", "expected_hours": "int",
             "achievement_ratio": "pct", "etp": "num1", "beneficiaries": "int",
             "hours_per_beneficiary": "int"}
    rows = []
    for _, r in a.head(max_rows).iterrows():
        hidden = pd.isna(r["beneficiaries"])  # a suppressed group's hours go with its people
        row = {"buyer_name": r["buyer_name"]}
        for col, kind in kinds.items():
            row[col] = hidden_text if hidden and col != "expected_hours" else \
                FORMATS[kind](r[col], lang())
        rows.append(row)
    return _frame(rows, ["buyer_name", *kinds],
                  {"hours_clause_contracts": "act_hours_clause",
                   "expected_hours": "activity_expected_hours"})
