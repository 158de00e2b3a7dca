"""The summaries step of the yearly run: one-page summaries (HTML and PDF) and the facilitator's
spreadsheets, written into the year's report folder.

What is written (paths relative to ``<out>/<year>/``):

* ``summary.html``, ``summary.pdf``: the whole scope of the run (every buyer, or those of ``buyers``);
* for each summarised buyer, ``buyers/<siret>.html`` and ``buyers/<siret>.pdf`` (the buyer's page) and
  ``buyers/<siret>.xlsx`` (every declared contract of the buyer that is not effective, ready to send to
  the facilitator; :func:`helpers.spreadsheet.write_spreadsheet`).

Rules:

* **Summarised buyers**: those named in ``buyers``, in the order given; when ``buyers`` is empty,
  the :data:`MAX_BUYERS` buyers of ``buyers.csv`` with the most assessable contracts, ties broken by
  SIRET (ascending).
* **This year**: the whole-scope page shows the run's ``indicators.json``. A buyer's page needs that
  buyer's own indicators (activity, reserved contracts, social-economy spend, shares): they are
  computed on the dataset restricted to the buyer's rows (its contracts, clauses and participations;
  the suppliers and buyers tables whole) with ``buyers = [siret]`` (:func:`restrict_to_buyer`),
  which keeps the step fast on national data. How sure the verdict is comes from the buyer's row of
  the run's ``buyers.csv``: its q-value is adjusted over the whole family of buyers (a run on the
  buyer alone would give another q-value, and possibly another verdict between "social washing" and
  "possible social washing"), so the page's verdict and significance are those of ``buyers.csv``.
* **Last year**: recomputed from the same loaded data for ``year − 1`` with ``as_of`` = 31 December
  of ``year − 1`` and otherwise the same parameters (for a buyer: on its restricted data, verdict and
  significance from the buyer's row of last year's whole run when it has one); "—" on the page when
  the data (of the run's buyers, or of the buyer) holds no contract notified in ``year − 1``.
* **Contracts listed**: the rows of the run's ``contracts.csv`` (contracts in scope), so the
  spreadsheet of a buyer equals ``contracts.csv`` filtered on that buyer, declared and not effective.
* **Language**: the ``language`` parameter (``fr`` by default).

Cost, measured on the demo data (9 buyers, 10 pages): the indicators of the buyers and of last
year take about 2.5 s of CPU in all (0.1-0.2 s per buyer and year), drawing the pages about 15 s
(1.5 s per PDF: font measurement and embedding; the HTML and the workbook take a few hundredths).
The pages are written while the notebooks execute, by a pool of worker processes on the cores the
notebooks leave idle (:func:`idle_cores`; :func:`helpers.execute.start_workers`), else in the run's
own process, which does not pay the imports of a new worker (about 2 s each) and runs at a higher
priority than the notebooks' kernels. The files are stored with the report's data files in the
results cache (:mod:`helpers.results_cache`): a warm rerun copies them and draws nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .dataset import Dataset
from .params import Params

MAX_BUYERS = 20
"""Buyers summarised when ``buyers`` is empty: those with the most assessable contracts."""
SUMMARY_STEM = "summary"
"""Stem of the whole-scope summary (``summary.html``, ``summary.pdf``)."""
BUYERS_DIR = "buyers"
"""Folder of the buyers' pages and spreadsheets (``buyers/<siret>.html|.pdf|.xlsx``)."""
PARALLEL_MIN_PAGES = 2
"""Below this many pages, they are written in the run's own process (a pool would cost more)."""
_FACILITATOR_TABLES = ("contracts", "clauses", "participations")


@dataclass(frozen=True)
class Page:
    """One summary to write: everything :func:`helpers.summary.write_summary` needs, as plain data
    that a worker process receives (``contracts`` holds only the declared, not effective rows)."""

    stem: str
    this_year: dict[str, Any]
    last_year: dict[str, Any] | None
    contracts: pd.DataFrame
    lang: str
    title: str | None = None
    buyer_row: dict[str, Any] | None = None
    buyer_siret: str | None = None
    spreadsheet: dict[str, Any] | None = None
    """The run's parameters when a spreadsheet ``<stem>.xlsx`` is written too, else None."""


# ---------------------------------------------------------------------------------------------------
# which buyers, which data, which parameters
# ---------------------------------------------------------------------------------------------------

def summarised_buyers(buyers: pd.DataFrame, params: Params, limit: int = MAX_BUYERS) -> list[str]:
    """The SIRETs summarised: ``params.buyers`` (order given, repeats dropped), else the ``limit``
    rows of ``buyers`` (the run's ``buyers.csv`` table) with the most assessable contracts, ties by
    SIRET."""
    if params.buyers:
        return list(dict.fromkeys(params.buyers))
    if buyers.empty:
        return []
    ranked = buyers.assign(_n=pd.to_numeric(buyers["assessable_contracts"], errors="coerce")
                           .fillna(0), _s=buyers["buyer_siret"].astype(str))
    ranked = ranked.sort_values(["_n", "_s"], ascending=[False, True], kind="stable")
    return ranked["_s"].head(limit).tolist()


def previous_year(params: Params) -> Params:
    """The parameters of last year's values: ``year − 1``, ``as_of`` = 31 December of that year,
    everything else unchanged."""
    year = params.year - 1
    return dataclasses.replace(params, year=year, as_of=f"{year}-12-31")


def has_contracts_in(contracts: pd.DataFrame, year: int, buyers: Sequence[str] = ()) -> bool:
    """Whether ``contracts`` (of ``buyers`` when given) holds a contract notified in ``year``."""
    if contracts.empty:
        return False
    rows = contracts if not buyers else contracts.loc[contracts["buyer_siret"].isin(list(buyers))]
    dates = pd.to_datetime(rows["notification_date"], errors="coerce")
    return bool((dates.dt.year == year).any())


def restrict_to_buyers(dataset: Dataset, sirets: Sequence[str]) -> Dataset:
    """``dataset`` with only the contracts, clauses and participations of ``sirets`` (suppliers,
    buyers, data-quality log whole; no quarantined rows)."""
    wanted = list(sirets)
    tables = {name: getattr(dataset, name) for name in _FACILITATOR_TABLES}
    return dataclasses.replace(
        dataset, rejected={},
        **{name: df.loc[df["buyer_siret"].isin(wanted)] for name, df in tables.items()})


def restrict_to_buyer(dataset: Dataset, siret: str) -> Dataset:
    """``dataset`` restricted to the rows of one buyer (:func:`restrict_to_buyers`)."""
    return restrict_to_buyers(dataset, [siret])


def _plain(row: pd.Series) -> dict[str, Any]:
    """A table row as JSON values (numpy scalars unwrapped, NaN as None)."""
    return json.loads(row.to_json(date_format="iso"))


def _row_of(table: pd.DataFrame | None, siret: str) -> dict[str, Any] | None:
    if table is None or table.empty:
        return None
    rows = table.loc[table["buyer_siret"].astype(str).eq(siret)]
    return _plain(rows.iloc[0]) if len(rows) else None


def _with_verdict_of(indicators: dict[str, Any], row: Mapping[str, Any] | None) -> dict[str, Any]:
    """A buyer's own indicators with the verdict and significance of its row in the whole run (the
    q-value over every buyer decides them, not the buyer's binomial p-value alone)."""
    if row is None:
        return indicators
    return {**indicators, "verdict": row.get("verdict", indicators.get("verdict")),
            "significant": row.get("significant", indicators.get("significant"))}


def _declared_not_effective(contracts: pd.DataFrame, siret: str | None = None) -> pd.DataFrame:
    from .summary_content import not_effective_declared

    return not_effective_declared(contracts, siret)


def _title(row: Mapping[str, Any] | None, siret: str) -> str:
    name = (row or {}).get("buyer_name")
    name = str(name).strip() if name is not None else ""
    return f"{name} — SIRET {siret}" if name else f"SIRET {siret}"


def plan_pages(dataset: Dataset, params: Params, results: Any,
               compute: Any | None = None) -> list[Page]:
    """Compute every page's indicators (this year and last year, see the module docstring) and
    return the pages to write: the whole scope first, then each summarised buyer.

    ``results``: the run's :class:`helpers.indicators.Results`; ``compute``: the indicators function
    (default :func:`helpers.indicators.compute_results`)."""
    if compute is None:
        from .indicators import compute_results as compute
    lang = params.language
    run_params = params.to_dict()
    contracts = results.contracts
    before = previous_year(params)
    last = (compute(dataset, before)
            if has_contracts_in(dataset.contracts, before.year, params.buyers) else None)
    pages = [Page(SUMMARY_STEM, results.indicators, last.indicators if last else None,
                  _declared_not_effective(contracts), lang)]
    sirets = summarised_buyers(results.buyers, params)
    detail = results.tables.get("buyers_detail")
    last_detail = last.tables.get("buyers_detail") if last else None
    subset = restrict_to_buyers(dataset, sirets)  # one pass over the whole tables
    for siret in sirets:
        own = restrict_to_buyer(subset, siret)
        mine = dataclasses.replace(params, buyers=[siret])
        this = compute(own, mine)
        row = _row_of(results.buyers, siret)
        if row is not None:  # the amounts of the buyer's own run, the q-value of the whole run
            from .verdict_text import row_from_indicators

            row = {**row_from_indicators(this.indicators), **(_row_of(detail, siret) or {}),
                   **row}
        before_own = None
        if has_contracts_in(own.contracts, before.year):
            before_own = _with_verdict_of(compute(own, previous_year(mine)).indicators,
                                          _row_of(last_detail, siret))
        pages.append(Page(f"{BUYERS_DIR}/{siret}", _with_verdict_of(this.indicators, row),
                          before_own, _declared_not_effective(contracts, siret), lang,
                          title=_title(row, siret), buyer_row=row, buyer_siret=siret,
                          spreadsheet=run_params))
    return pages


# ---------------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------------

def write_page(page: Page, folder: str | Path) -> list[Path]:
    """Write one page (``<stem>.html``, ``<stem>.pdf``, and ``<stem>.xlsx`` for a buyer) under
    ``folder``; return the paths. Runs in a worker process or in the run's own."""
    from .spreadsheet import write_spreadsheet
    from .summary import write_summary

    target = Path(folder) / page.stem
    html, pdf = write_summary(target.parent, target.name, page.this_year, page.last_year,
                              page.contracts, page.lang, page.title, buyer_row=page.buyer_row,
                              buyer_siret=page.buyer_siret)
    written = [html, pdf]
    if page.spreadsheet is not None:
        written.append(write_spreadsheet(target.with_suffix(".xlsx"), page.contracts, page.lang,
                                         buyer_siret=page.buyer_siret, params=page.spreadsheet))
    return written


def write_pages(pages: Sequence[Page], folder: Path, workers: int | None = None) -> list[Path]:
    """Write ``pages`` under ``folder``, in parallel worker processes when there are at least
    :data:`PARALLEL_MIN_PAGES` (at most ``workers``, default one per core); return the paths
    written, in the order of ``pages``."""
    if len(pages) < PARALLEL_MIN_PAGES or (workers is not None and workers <= 1):
        return [p for page in pages for p in write_page(page, folder)]
    from .execute import start_workers

    n = min(len(pages), workers or (os.cpu_count() or 1))
    pool = start_workers(len(pages), n)
    try:
        futures = [pool.submit(write_page, page, str(folder)) for page in pages]
        written = [p for fut in futures for p in fut.result()]
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return written


def idle_cores(busy: int = 0) -> int:
    """Worker processes for the pages: the cores that ``busy`` other processes (the notebooks'
    kernels) leave idle, at least 1 (then the pages are written in the run's own process)."""
    return max(1, (os.cpu_count() or 1) - max(0, busy))


def write_summaries(dataset: Dataset, params: Params, results: Any, folder: Path,
                    workers: int | None = None, busy: int = 0) -> list[Path]:
    """The summaries step: :func:`plan_pages` then :func:`write_pages` into ``folder`` (the year's
    staging folder) with ``workers`` processes (default :func:`idle_cores` of ``busy``, the
    notebooks executing meanwhile); one progress line on stderr; returns the paths written."""
    t0 = time.monotonic()
    pages = plan_pages(dataset, params, results)
    t1 = time.monotonic()
    written = write_pages(pages, folder, workers if workers is not None else idle_cores(busy))
    buyers = len(pages) - 1
    print(f"{params.year}: summaries written: whole scope and {buyers} buyer(s) "
          f"(indicators {t1 - t0:.1f} s, pages {time.monotonic() - t1:.1f} s)",
          file=sys.stderr, flush=True)
    return written


__all__ = ["BUYERS_DIR", "MAX_BUYERS", "PARALLEL_MIN_PAGES", "SUMMARY_STEM", "Page",
           "has_contracts_in", "idle_cores", "plan_pages", "previous_year", "restrict_to_buyer",
           "restrict_to_buyers", "summarised_buyers", "write_page", "write_pages",
           "write_summaries"]
