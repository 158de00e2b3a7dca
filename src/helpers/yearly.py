"""The yearly run: one year's report folder, and the research notebooks' folders.

For one year (:func:`run_year`): the notebooks' parameters are checked (:mod:`helpers.notebook_params`),
the output folder is checked (:func:`helpers.report_safety.check_output`: only the tool's own marked folders
are replaced), then, in a staging folder beside ``<out>/<year>/`` (:func:`helpers.report_safety.build_into`):

1. the data directory is loaded once (:func:`helpers.cache.load_dataset`), the results are
   computed (:func:`helpers.indicators.compute_results`) and handed to the notebooks as a session
   file (JSON plus Parquet, :mod:`helpers.session`); when the data, parameters, code and reference
   files are those of a previous run, the session comes from the results cache
   (:mod:`helpers.results_cache`) instead. A failure here stops the run before any notebook starts;
2. the notebooks are executed by the worker pool (:func:`helpers.execute.execute_jobs`) and,
   meanwhile, the data files are written (``indicators.json``, ``buyers.csv``, ``contracts.csv``,
   quarantined rows in ``rejected/<table>.csv``; text cells neutralised against spreadsheet
   formulas, :mod:`helpers.safe_csv`), then the one-page summaries of the whole scope and of the
   summarised buyers and their spreadsheets (:mod:`helpers.summaries`: ``summary.html|.pdf``,
   ``buyers/<siret>.html|.pdf|.xlsx``, last year recomputed from the same loaded data), or all of
   them copied from the results cache;
3. the year's ``index.html`` is written and the staging folder swapped in: a failed run leaves the
   previous report untouched and no partial files.

:func:`run_research` runs the research notebooks (trends, hypotheses) the same way, each into
``<out>/<folder>/``.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import cache, config, results_cache
from .config import FIGURES_ENV, SESSION_ENV
from .dataset import Dataset
from .execute import Job, execute_jobs
from .notebook import summarize
from .notebook_params import check_notebook_parameters, notebook_parameters, year_notebooks
from .params import Params
from .report import write_folder_index, write_year_index
from .report_safety import build_into, check_output, remove_stale, staging_folder, swap_in
from .safe_csv import neutralise_frame
from .session import encode, publish_session
from .summaries import write_summaries

PRIVATE_COLUMNS = ("beneficiary_id",)
"""Columns never written to ``rejected/<table>.csv``: the report folder is meant to be shared."""


# ---------------------------------------------------------------------------------------------------
# data and results (delegated to the loader / cache and the indicators modules)
# ---------------------------------------------------------------------------------------------------

def load_reporting(data_dir: str | Path, on_invalid: str, use_cache: bool, label: str,
                   key: str | None = None) -> Dataset:
    """Load a data directory through the Parquet cache of the canonical tables
    (:func:`helpers.cache.load_dataset`; the raw files when ``use_cache`` is false; ``key``: the
    cache key when the caller has computed it), then one progress line on stderr:
    ``<label>: data loaded: N contracts (t s)``. Raises :class:`InputError` on bad input."""
    t0 = time.monotonic()
    data = cache.load_dataset(data_dir, on_invalid=on_invalid, use_cache=use_cache, key=key)
    print(f"{label}: data loaded: {len(data.contracts)} contracts ({time.monotonic() - t0:.1f} s)",
          file=sys.stderr, flush=True)
    return data


def compute_results(dataset: Dataset, params: Params) -> Any:
    """The results of docs/design.md §3 (``helpers.indicators.compute_results``)."""
    from .indicators import compute_results as compute

    return compute(dataset, params)


def write_results(results: Any, folder: Path) -> list[Path]:
    """``indicators.json``, ``buyers.csv``, ``contracts.csv`` (``helpers.indicators.write_results``);
    returns their paths."""
    from .indicators import write_results as write

    return list(write(results, folder))


def write_rejected(dataset: Dataset, folder: Path) -> list[Path]:
    """Quarantined rows to ``<folder>/rejected/<table>.csv`` with their reasons.

    Pseudonymous person identifiers (``beneficiary_id``) are left out and file paths are cut to the
    file name: the report folder is meant to be shared, and the file, row numbers and reasons are
    what the evaluator needs to fix the source file. Text cells that a spreadsheet would read as a
    formula get a leading apostrophe (:func:`helpers.safe_csv.neutralise_frame`).
    """
    written: list[Path] = []
    for table in sorted(dataset.rejected):
        df = dataset.rejected[table]
        if df is None or df.empty:
            continue
        out = folder / "rejected"
        out.mkdir(exist_ok=True)
        path = out / f"{table}.csv"
        df = df.drop(columns=[c for c in PRIVATE_COLUMNS if c in df.columns])
        if "file" in df.columns:  # a file name, never a path of the user's machine
            df = df.assign(file=df["file"].map(lambda f: Path(str(f)).name if pd.notna(f) else f))
        neutralise_frame(df).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    return written


def run_year(params: Params, out: Path, *, on_invalid: str = "strict",
             notebooks: Sequence[Path] | None = None, workers: int | None = None,
             use_cache: bool = True, load: Callable[[], Dataset] | None = None) -> Path:
    """Build ``<out>/<year>/`` for ``params`` (steps 1-3 of the module docstring); return its path.

    Unless ``use_cache`` is false, the tables come from the Parquet cache (:mod:`helpers.cache`)
    and, when neither the data, the parameters, the code nor the reference files changed since a
    previous run, the session and the data files from the results cache
    (:mod:`helpers.results_cache`): only the notebooks are executed again. Otherwise the data is
    loaded by ``load`` when given (run-all shares one load between its years; it must load
    ``params.data_dir`` with ``on_invalid``), else from ``params.data_dir``.

    The notebooks start once their session is written; the data files and the summaries are
    written while they execute.

    Raises :class:`ParameterError` / :class:`InputError` with nothing written (an output folder
    created for this run is removed again), and :class:`RunError` (or the underlying exception)
    when a later step fails — the previous report of the year is then left untouched.
    """
    nbs = list(notebooks) if notebooks is not None else year_notebooks(config.NOTEBOOKS_DIR)
    parameters = dataclasses.asdict(params)  # typed values as given ("" as_of = 31 December)
    check_notebook_parameters(nbs, list(parameters))
    final = out / str(params.year)
    check_output(out, [final.name], params.data_path, index=False)
    remove_stale(out)
    created = [d for d in (out, *out.parents) if not d.exists()]
    try:
        with tempfile.TemporaryDirectory(prefix="sca-session-") as tmp:
            session = Path(tmp) / "session.zip"
            build_into(final, lambda staging: _build_year(staging, params, parameters, nbs,
                                                          session, on_invalid, workers,
                                                          use_cache, load))
    except BaseException:
        for folder in created:  # innermost first; a folder holding anything is kept
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    return final


def _build_year(staging: Path, params: Params, parameters: dict[str, Any], nbs: Sequence[Path],
                session: Path, on_invalid: str, workers: int | None, use_cache: bool = True,
                load: Callable[[], Dataset] | None = None) -> None:
    """Steps 1-2 of the module docstring into ``staging``: the session first (from the results cache,
    or loaded and computed), then the notebooks, with the data files and summaries written while
    they execute."""
    data_key = (cache.cache_key(params.data_path, on_invalid=on_invalid)
                if use_cache and params.data_path.is_dir() else None)
    key = results_cache.results_key(data_key, parameters) if data_key is not None else None
    cached = results_cache.lookup(key) if key is not None else None
    if cached is not None:
        publish_session(session, cached.session)
        print(f"{params.year}: data and results unchanged since a previous run: reused from the "
              "cache (--no-cache recomputes them)", file=sys.stderr, flush=True)
        for message in cached.warnings:
            print(f"warning: {message}", file=sys.stderr, flush=True)
    else:
        data = load() if load is not None else load_reporting(
            params.data_path, on_invalid, use_cache, str(params.year), key=data_key)
        t0 = time.monotonic()
        results = compute_results(data, params)
        print(f"{params.year}: indicators computed ({time.monotonic() - t0:.1f} s)",
              file=sys.stderr, flush=True)
        warnings = scope_warnings(data, params, results)
        for message in warnings:
            print(f"warning: {message}", file=sys.stderr, flush=True)
        encoded = encode({"parameters": parameters, "data": summarize(data, params, results),
                          "results": results})
        publish_session(session, encoded)

    def write_files() -> None:  # while the notebooks execute: they need only the session
        if cached is not None:
            cached.restore(staging)
            return
        written = [*write_results(results, staging), *write_rejected(data, staging),
                   *write_summaries(data, params, results, staging, busy=len(nbs))]
        if key is not None:
            results_cache.store(key, session=encoded, warnings=warnings,
                                outputs={p.relative_to(staging).as_posix(): p for p in written},
                                meta={"data_dir": str(params.data_path),
                                      "parameters": parameters, "on_invalid": on_invalid})

    figures = staging / "figures"
    figures.mkdir()
    env = {FIGURES_ENV: str(figures), SESSION_ENV: str(session)}
    jobs = [Job(nb, staging / nb.name, parameters, env, staging / f"{nb.stem}.html") for nb in nbs]
    print(f"{params.year}: running {len(nbs)} notebook(s) into {staging.parent / str(params.year)}",
          file=sys.stderr, flush=True)
    execute_jobs(jobs, workers, meanwhile=write_files)
    write_year_index(staging, params.year, [staging / nb.name for nb in nbs])


def scope_warnings(dataset: Dataset, params: Params, results: Any) -> list[str]:
    """Legal but suspicious run settings: buyers of ``--buyer`` that hold no
    contract in the data, and a scope without any contract. The report is still written (every
    verdict is then ``insufficient_data``), so the evaluator sees the same facts in the data-quality
    notebook."""
    out = []
    known = set(dataset.contracts["buyer_siret"])
    unknown = [b for b in params.buyers if b not in known]
    if unknown:
        out.append(f"buyer(s) {', '.join(unknown)} hold no contract in {params.data_dir}")
    if int(results.indicators.get("scope_contracts", 1)) == 0:
        out.append(f"no contract in scope for {params.year} (scope {params.scope!r}"
                   + (f", buyers {', '.join(params.buyers)}" if params.buyers else "")
                   + "): every verdict is insufficient_data")
    return out


def run_research(items: Sequence[tuple[Path, str]], out: Path, params: Params,
                 years: Sequence[int], workers: int | None = None) -> list[Path]:
    """Run the research notebooks (trends, hypotheses) in parallel, each into ``<out>/<folder>/``
    with its HTML, figures and index. Each receives the run's parameters with ``year`` = the last of
    ``years`` and ``years``, only those its parameters cell declares (the others keep their
    defaults). Every folder is swapped in only when all notebooks succeeded."""
    check_output(out, [folder for _, folder in items], params.data_path, index=False)
    remove_stale(out)
    given = {**dataclasses.asdict(params), "year": max(years), "years": sorted(years)}
    plan = []
    for notebook, folder in items:
        declared = notebook_parameters(notebook)
        plan.append((notebook, folder, {k: v for k, v in given.items() if k in declared} or None))
    stagings: list[Path] = []
    try:
        jobs = []
        for notebook, folder, parameters in plan:
            staging = staging_folder(out, folder)
            stagings.append(staging)
            (staging / "figures").mkdir()
            jobs.append(Job(notebook, staging / notebook.name, parameters,
                            {FIGURES_ENV: str(staging / "figures")},
                            staging / f"{notebook.stem}.html"))
        print(f"research: running {', '.join(n.name for n, _, _ in plan)} into {out}",
              file=sys.stderr, flush=True)
        execute_jobs(jobs, workers)
        finals = []
        for (notebook, folder, _), staging in zip(plan, stagings):
            write_folder_index(staging, f"Social Clause Audit — {folder}", [staging / notebook.name])
            swap_in(staging, out / folder, "research")
            finals.append(out / folder)
        return finals
    finally:
        for staging in stagings:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


__all__ = ["PRIVATE_COLUMNS", "compute_results", "load_reporting",
           "run_research", "run_year", "scope_warnings", "write_rejected", "write_results"]
