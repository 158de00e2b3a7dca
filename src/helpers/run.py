"""The yearly run (DESIGN §4): ``python -m helpers run | run-all | refresh-notebooks``.

``run`` for one year:
1. parameters from the YAML file (``--params``) then the command line (``--year``, ``--buyer``,
   ``--data-dir``); unknown names or bad values are an error (:mod:`helpers.params`);
2. every notebook's ``parameters`` cell is parsed (``ast``) and each run parameter must be declared
   there — papermill would only warn about an unknown name;
3. the data directory is loaded once (``helpers.cache.load_dataset``), results are computed
   (``helpers.indicators.compute_results``) and written (``indicators.json``, ``buyers.csv``,
   ``contracts.csv``); quarantined rows go to ``rejected/<table>.csv``. When the data, parameters,
   code and reference files are those of a previous run, all of this is copied from the results
   cache instead (``helpers.results_cache``; ``--no-cache`` turns both caches off);
4. the notebooks run with papermill (kernel ``python3``, parameters as a typed dict, cwd = project root)
   in parallel worker processes, one line of progress per notebook on stderr; each is rendered to HTML
   without code; figures go to ``figures/`` (``$SCA_FIGURES_DIR``); an ``index.html`` links it all;
5. everything is written into a staging folder beside ``<out>/<year>/`` and renamed into place only when
   every step succeeded: a failed run leaves the previous report untouched and no partial files.

The notebooks receive the results computed in step 3 and a bounded summary of the dataset
(:class:`helpers.notebook.DataSummary`) through a file named by ``$SCA_SESSION``, JSON plus Parquet
and never pickle (:mod:`helpers.session`, read by :func:`helpers.notebook.setup`), so the data is read
once, each kernel reads a few MB whatever the size of the data, and the notebooks show exactly the
numbers of ``indicators.json``. Steps 3 and 4
overlap: the notebooks are submitted before the data is loaded, so that their kernels start and import
the helpers on the core the single-threaded loading leaves idle, then wait for the session; if step 3
fails, the waiting kernels are told to stop (:func:`helpers.notebook.abort_session`). Notebook workers
come from a fork server that has imported papermill and nbconvert once (:mod:`helpers.workers`).

Exit codes: 0 success; 2 invalid input or parameters (message on stderr, nothing written); 1 a notebook
or another step failed (message on stderr, previous report kept).
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures as cf
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import config, results_cache
from .dataset import Dataset
from .errors import EXIT_INPUT_ERROR, InputError
from .params import PARAM_NAMES, ParameterError, Params, check_names, load_params
from .report import (UnsafeOutput, build_into, cell_source, check_output, remove_stale,
                     staging_folder, swap_in)
from .safe_csv import neutralise_frame
from .workers import init_worker, worker_context

if TYPE_CHECKING:  # nbformat costs about 1 s to import: only the notebook workers need it
    import nbformat

FIGURES_ENV = "SCA_FIGURES_DIR"
SESSION_ENV = "SCA_SESSION"
KERNEL_NAME = "python3"
ON_INVALID = ("strict", "quarantine")
# Research notebooks (helper E): run by run-all, once, into reports/<folder>/; not part of a year.
RESEARCH_NOTEBOOKS: dict[str, str] = {"05_trends.ipynb": "trends", "06_hypotheses.ipynb": "hypotheses"}
# Columns never written to rejected/<table>.csv: the report folder is publishable (DESIGN §3 privacy).
PRIVATE_COLUMNS = ("beneficiary_id",)
EXIT_FAILURE = 1
KERNEL_START_ATTEMPTS = 3
KERNEL_START_ERRORS = ("before replying to kernel_info", "Address already in use",
                       "Kernel didn't respond")
"""Texts of the errors raised when a kernel cannot start: a kernel that died while starting, and
the race in which two kernels started at once pick the same free port (``zmq.error.ZMQError``)."""


class RunError(RuntimeError):
    """A step of the run failed for a reason other than invalid input (e.g. a notebook raised)."""


# ---------------------------------------------------------------------------------------------------
# notebooks and their parameters cell
# ---------------------------------------------------------------------------------------------------

def read_notebook_json(path: Path) -> dict[str, Any]:
    """A notebook file as plain JSON (what the parameter checks need, without importing nbformat);
    :class:`ParameterError` when it is not a readable notebook."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ParameterError(f"{path.name}: cannot read the notebook ({exc})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ParameterError(f"{path.name}: not a Jupyter notebook (no list of cells)")
    return nb


def parameters_cell(nb: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """The single code cell tagged ``parameters``; :class:`ParameterError` if there are 0 or several."""
    cells = [c for c in nb["cells"]
             if c.get("cell_type") == "code"
             and "parameters" in (c.get("metadata") or {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{where}: expected exactly one code cell tagged 'parameters', "
                             f"found {len(cells)}")
    return cells[0]


def notebook_parameters(path: str | Path) -> dict[str, Any]:
    """Names and literal default values of a notebook's ``parameters`` cell, in order.

    Only assignments of literals (``name = <literal>``, optionally annotated) are allowed: anything
    else is a :class:`ParameterError` naming the notebook and the line.
    """
    p = Path(path)
    cell = parameters_cell(read_notebook_json(p), p.name)
    try:
        tree = ast.parse(cell_source(cell))
    except SyntaxError as exc:
        raise ParameterError(f"{p.name}: parameters cell is not valid Python: {exc}") from exc
    out: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.value is not None:
            name, value = node.target.id, node.value
        else:
            raise ParameterError(f"{p.name}: parameters cell line {node.lineno}: only "
                                 "`name = <literal>` assignments are allowed")
        try:
            out[name] = ast.literal_eval(value)
        except ValueError as exc:
            raise ParameterError(f"{p.name}: parameters cell line {node.lineno}: value of "
                                 f"{name!r} is not a literal") from exc
    return out


def year_notebooks(notebooks_dir: Path) -> list[Path]:
    """The per-year notebooks: every ``*.ipynb`` of the folder except the research ones, sorted."""
    return sorted(p for p in notebooks_dir.glob("*.ipynb") if p.name not in RESEARCH_NOTEBOOKS)


def check_notebook_parameters(notebooks: Sequence[Path], names: Sequence[str]) -> None:
    """Every name passed to the notebooks must be declared in each notebook's parameters cell.

    All problems across notebooks are collected before raising one :class:`ParameterError`.
    """
    problems: list[str] = []
    for nb in notebooks:
        try:
            check_names(list(names), set(notebook_parameters(nb)),
                        where=f"the parameters cell of {nb.name}")
        except ParameterError as exc:
            problems.append(str(exc))
    if problems:
        raise ParameterError("\n".join(problems))


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what changes from one execution to the next and says nothing about the results:
    papermill's timings and paths, execution timestamps. Outputs are kept."""
    nb.metadata.pop("papermill", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": KERNEL_NAME}
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return nb


# ---------------------------------------------------------------------------------------------------
# executing one notebook (runs in a worker process)
# ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """One notebook to execute: input, output, parameters (``None`` = the notebook's defaults), and
    the environment the kernel inherits (figures folder, session file)."""

    source: Path
    output: Path
    parameters: dict[str, Any] | None
    env: dict[str, str]
    html: Path | None = None


def execute_job(job: Job) -> str:
    """Execute ``job`` with papermill (see :func:`_execute`), with the worker's stderr — where the
    kernel process and papermill write their log chatter — captured, so that the run's own progress
    lines stay readable; a failure's message ends with the last lines of that log."""
    with tempfile.TemporaryFile(mode="w+b") as log:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(log.fileno(), 2)
        try:
            return _execute(job)
        except RunError as exc:
            os.dup2(saved, 2)
            log.seek(0)
            lines = [ln for ln in log.read().decode("utf-8", "replace").splitlines()
                     if ln.strip() and "without encryption" not in ln]
            tail = "\n    ".join(lines[-15:])
            raise RunError(f"{exc}\n  kernel log (last lines):\n    {tail}" if tail else str(exc)) \
                from None
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def kernel_start_failed(exc: BaseException) -> bool:
    """Whether ``exc`` says the kernel could not start (see :data:`KERNEL_START_ERRORS`)."""
    return any(text in str(exc) for text in KERNEL_START_ERRORS)


def _execute(job: Job) -> str:
    """Execute ``job`` with papermill, strip volatile metadata, render HTML when asked.

    Raises :class:`RunError` with the notebook name and the kernel's error when a cell fails.
    """
    import papermill as pm

    os.environ.update(job.env)
    tmp_out = job.output.with_name(f".{job.output.stem}.partial.ipynb")
    try:
        for attempt in range(KERNEL_START_ATTEMPTS):
            try:
                pm.execute_notebook(str(job.source), str(tmp_out), parameters=job.parameters,
                                    kernel_name=KERNEL_NAME, cwd=str(config.PROJECT_ROOT),
                                    progress_bar=False, log_output=False,
                                    request_save_on_cell_execute=False)
                break
            except pm.PapermillExecutionError:
                raise  # a cell failed: never retried
            except Exception as exc:
                # a kernel that could not start (seen on an overloaded machine, and as a port race
                # between kernels started in parallel) is retried
                if not kernel_start_failed(exc):
                    raise
                if attempt + 1 == KERNEL_START_ATTEMPTS:
                    raise RunError(f"notebook {job.source.name}: the kernel could not start: "
                                   f"{exc}") from None
    except pm.PapermillExecutionError as exc:
        tmp_out.unlink(missing_ok=True)
        raise RunError(f"notebook {job.source.name} failed in cell {exc.exec_count}: "
                       f"{exc.ename}: {exc.evalue}") from None
    except Exception:
        tmp_out.unlink(missing_ok=True)
        raise
    import nbformat

    nb = strip_volatile(nbformat.read(str(tmp_out), as_version=4))
    nbformat.write(nb, str(tmp_out))
    os.replace(tmp_out, job.output)
    if job.html is not None:
        from .report import render_html

        render_html(job.output, job.html)
    return job.source.name


KERNELS_PER_CORE = 2
"""Notebooks executed at once per core by default. A kernel spends part of its life waiting (process
start, messages to and from papermill, file writes), so one per core leaves a core idle for about a
third of a warm run; two per core keep both busy (measured at 500 000 contracts on 2 cores: 6.4-6.7 s
instead of 7.4-7.7 s for the four notebooks, issue 6)."""


def start_workers(n_jobs: int, workers: int | None = None) -> cf.ProcessPoolExecutor:
    """A pool for ``n_jobs`` notebooks: at most :data:`KERNELS_PER_CORE` workers per core (or
    ``workers``), started from the fork server at a lower priority (:mod:`helpers._low_priority`),
    each ending with this process (:func:`helpers.workers.init_worker`)."""
    n = max(1, min(n_jobs, workers or KERNELS_PER_CORE * (os.cpu_count() or 1)))
    return cf.ProcessPoolExecutor(max_workers=n, mp_context=worker_context(),
                                  initializer=init_worker, initargs=(os.getpid(),))


def execute_jobs(jobs: Sequence[Job], workers: int | None = None,
                 meanwhile: Callable[[], None] | None = None) -> None:
    """Run independent notebooks in parallel worker processes (:func:`start_workers`), printing one
    progress line per finished notebook on stderr. The first failure cancels the rest and is raised.
    ``meanwhile`` is called in this process once the notebooks are submitted (work they wait for or
    do not need, such as loading the data or writing the CSV files)."""
    if not jobs:
        if meanwhile is not None:
            meanwhile()
        return
    pool = start_workers(len(jobs), workers)
    start = time.monotonic()
    futures: dict[cf.Future[str], Job] = {}
    submit_error: list[BaseException] = []

    def submit() -> None:  # starting a worker waits for the fork server's imports: not in our way
        try:
            for job in jobs:
                futures[pool.submit(execute_job, job)] = job
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the caller's thread
            submit_error.append(exc)

    submitter = threading.Thread(target=submit, name="sca-submit", daemon=True)
    try:
        submitter.start()
        try:
            if meanwhile is not None:
                meanwhile()
        finally:
            submitter.join()
        if submit_error:
            raise submit_error[0]
        done = 0
        for fut in cf.as_completed(futures):
            name = fut.result()
            done += 1
            print(f"  [{done}/{len(jobs)}] {name} done ({time.monotonic() - start:.0f} s)",
                  file=sys.stderr, flush=True)
    except BaseException:
        # wait for the running notebooks to stop: none may still write into the folder the caller
        # is about to remove
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# ---------------------------------------------------------------------------------------------------
# data and results (delegated to the loader / cache and the indicators modules)
# ---------------------------------------------------------------------------------------------------

def load_dataset(data_dir: str | Path, on_invalid: str = "strict", use_cache: bool = True
                 ) -> Dataset:
    """Load a data directory (DESIGN §4 layout) through the Parquet cache of the canonical tables
    (``helpers.cache.load_dataset``, same result as ``helpers.loader.load_data_dir``; without it when
    ``use_cache`` is false). Raises :class:`InputError` on bad input."""
    from .cache import load_dataset as load

    return load(config.resolve_path(data_dir), on_invalid=on_invalid, use_cache=use_cache)


def load_reporting(data_dir: str | Path, on_invalid: str, use_cache: bool, label: str) -> Dataset:
    """:func:`load_dataset`, then one progress line on stderr: ``<label>: data loaded: N contracts
    (t s)``."""
    t0 = time.monotonic()
    data = load_dataset(data_dir, on_invalid=on_invalid, use_cache=use_cache)
    print(f"{label}: data loaded: {len(data.contracts)} contracts ({time.monotonic() - t0:.1f} s)",
          file=sys.stderr, flush=True)
    return data


def compute_results(dataset: Dataset, params: Params) -> Any:
    """DESIGN §3 results (``helpers.indicators.compute_results``)."""
    from .indicators import compute_results as compute

    return compute(dataset, params)


def write_results(results: Any, folder: Path) -> list[Path]:
    """``indicators.json``, ``buyers.csv``, ``contracts.csv`` (``helpers.indicators.write_results``);
    returns their paths."""
    from .indicators import write_results as write

    return list(write(results, folder))


def write_rejected(dataset: Dataset, folder: Path) -> list[Path]:
    """Quarantined rows (issue 7 item 2) to ``<folder>/rejected/<table>.csv`` with their reasons.

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


# ---------------------------------------------------------------------------------------------------
# one year
# ---------------------------------------------------------------------------------------------------

def run_year(params: Params, out: Path, *, on_invalid: str = "strict",
             notebooks: Sequence[Path] | None = None, workers: int | None = None,
             use_cache: bool = True, load: Callable[[], Dataset] | None = None) -> Path:
    """Build ``<out>/<year>/`` for ``params`` (steps 2-5 of the module docstring); return its path.

    Unless ``use_cache`` is false, the tables come from the Parquet cache (:mod:`helpers.cache`)
    and, when neither the data, the parameters, the code nor the reference files changed since a
    previous run, the session and the data files from the results cache
    (:mod:`helpers.results_cache`): only the notebooks are executed again. Otherwise the data is
    loaded by ``load`` when given (run-all shares one load between its years; it must load
    ``params.data_dir`` with ``on_invalid``), else from ``params.data_dir``.

    The notebooks are submitted first: their kernels start and import the helpers on the core the
    single-threaded loading and computing leave idle, then wait for the session
    (:func:`helpers.notebook.wait_for_session`).

    Raises :class:`ParameterError` / :class:`InputError` with nothing written (an output folder
    created for this run is removed again), and :class:`RunError` (or the underlying exception)
    when a later step fails — the previous report of the year is then left untouched.
    """
    nbs = list(notebooks) if notebooks is not None else year_notebooks(config.NOTEBOOKS_DIR)
    parameters = dataclasses.asdict(params)  # typed values as given ("" as_of = 31 December)
    check_notebook_parameters(nbs, list(parameters))
    final = out / str(params.year)
    check_output(out, [final.name], config.resolve_path(params.data_dir), index=False)
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
    from .notebook import RUN_PID_ENV, abort_session, publish_session, session_bytes, summarize

    figures = staging / "figures"
    figures.mkdir()
    env = {FIGURES_ENV: str(figures), SESSION_ENV: str(session), RUN_PID_ENV: str(os.getpid())}
    jobs = [Job(nb, staging / nb.name, parameters, env, staging / f"{nb.stem}.html") for nb in nbs]

    def prepare() -> None:
        cached = None
        try:
            key = results_key(params, parameters, on_invalid) if use_cache else None
            cached = results_cache.lookup(key) if key is not None else None
            if cached is not None:
                publish_session(session, cached.session)
                print(f"{params.year}: data and results unchanged since a previous run: reused "
                      "from the cache (--no-cache recomputes them)", file=sys.stderr, flush=True)
                for message in cached.warnings:
                    print(f"warning: {message}", file=sys.stderr, flush=True)
            else:
                data = load() if load is not None else load_reporting(
                    params.data_dir, on_invalid, use_cache, str(params.year))
                t0 = time.monotonic()
                results = compute_results(data, params)
                print(f"{params.year}: indicators computed ({time.monotonic() - t0:.1f} s)",
                      file=sys.stderr, flush=True)
                warnings = scope_warnings(data, params, results)
                for message in warnings:
                    print(f"warning: {message}", file=sys.stderr, flush=True)
                encoded = session_bytes({"parameters": parameters,
                                         "data": summarize(data, params, results),
                                         "results": results})
                publish_session(session, encoded)
        except BaseException as exc:
            abort_session(session, type(exc).__name__)
            raise
        # the notebooks are running: write the tables meanwhile
        if cached is not None:
            cached.restore(staging)
            return
        written = [*write_results(results, staging), *write_rejected(data, staging)]
        if key is not None:
            results_cache.store(key, session=encoded, warnings=warnings,
                                outputs={p.relative_to(staging).as_posix(): p for p in written},
                                meta={"data_dir": str(config.resolve_path(params.data_dir)),
                                      "parameters": parameters, "on_invalid": on_invalid})

    print(f"{params.year}: running {len(nbs)} notebook(s) into {staging.parent / str(params.year)}",
          file=sys.stderr, flush=True)
    execute_jobs(jobs, workers, meanwhile=prepare)
    from .report import write_year_index

    write_year_index(staging, params.year, [staging / nb.name for nb in nbs])


def results_key(params: Params, parameters: dict[str, Any], on_invalid: str) -> str | None:
    """Key of the run's results in :mod:`helpers.results_cache`; None when the data directory
    does not exist (the loader then reports it in its own words)."""
    data = config.resolve_path(params.data_dir)
    if not data.is_dir():
        return None
    return results_cache.key_for(data, on_invalid, parameters)


def scope_warnings(dataset: Dataset, params: Params, results: Any) -> list[str]:
    """Legal but suspicious run settings (issue 7 item 1): buyers of ``--buyer`` that hold no
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
    from .report import write_folder_index

    check_output(out, [folder for _, folder in items], config.resolve_path(params.data_dir),
                 index=False)
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


# ---------------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------------

def _common_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--data-dir", help="data directory laid out as DESIGN §4 (default: data/demo, "
                                       "or the YAML file's data_dir)")
    ap.add_argument("--params", type=Path, help="YAML file of parameters (DESIGN §4 names)")
    ap.add_argument("--out", type=Path, default=None,
                    help=f"output folder; the reports go to <out>/<year>/ (default: "
                         f"{config.REPORTS_DIR.name}/<name of the data directory>/)")
    ap.add_argument("--on-invalid", choices=ON_INVALID, default="strict",
                    help="strict (default): any invalid row stops the run; quarantine: set invalid "
                         "rows aside in <out>/<year>/rejected/ and continue")
    ap.add_argument("--notebooks", type=Path, default=None,
                    help="folder of the per-year notebooks (default: notebooks/)")
    ap.add_argument("--jobs", type=int, default=None,
                    help="notebooks executed in parallel (default: twice the number of cores)")
    ap.add_argument("--no-cache", dest="use_cache", action="store_false",
                    help="read the raw files and compute every result again, without reading or "
                         "writing the caches of data/interim/cache (default: use them)")


def _fail(exc: BaseException, code: int) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return code


def _notebooks_from(arg: Path | None) -> list[Path]:
    folder = config.resolve_path(arg) if arg else config.NOTEBOOKS_DIR
    nbs = year_notebooks(folder)
    if not nbs:
        raise ParameterError(f"no notebook found in {folder}")
    return nbs


def default_out(data_dir: str | Path) -> Path:
    """The default output folder of a data directory: ``reports/<name of the data directory>/``
    (``reports/demo/`` for the demo data), so that runs on one's own data never replace the demo's
    reports, nor those of another data set."""
    name = config.resolve_path(data_dir).resolve().name or "data"
    return config.REPORTS_DIR / name


def _output(arg: Path | None, data_dir: str) -> tuple[Path, list[Path]]:
    """The output folder of a run and the index pages to write after it: ``<out>/index.html``, and
    ``reports/index.html`` (the data sets) in the default layout."""
    if arg:
        out = config.resolve_path(arg)
        return out, [out]
    out = default_out(data_dir)
    return out, [out, config.REPORTS_DIR]


def check_run_output(out: Path, names: Sequence[str], data_dir: str, indexes: Sequence[Path]
                     ) -> None:
    """Before any work: the run may write ``<out>/<name>`` for each of ``names`` and the index pages
    of ``indexes`` (:func:`helpers.report.check_output`), else :class:`UnsafeOutput`."""
    check_output(out, names, config.resolve_path(data_dir), index=False)
    for folder in indexes:
        check_output(folder, [], None, index=True)


def _write_indexes(indexes: Sequence[Path]) -> Path:
    from .report import write_root_index

    return [write_root_index(folder) for folder in indexes][0]


def main_run(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers run --year 2024 [--buyer SIRET ...] [--data-dir DIR] [--params FILE]
    [--out DIR] [--on-invalid strict|quarantine]``."""
    ap = argparse.ArgumentParser(prog="python -m helpers run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--year", type=int, help="year of notification audited (default: the YAML "
                                             "file's year, else 2024)")
    ap.add_argument("--buyer", action="append", dest="buyers", metavar="SIRET",
                    help="buyer SIRET (repeat for several; default: all buyers)")
    _common_arguments(ap)
    args = ap.parse_args(list(argv or []))
    try:
        params = load_params(args.params, year=args.year, buyers=args.buyers,
                             data_dir=args.data_dir)
        out, indexes = _output(args.out, params.data_dir)
        check_run_output(out, [str(params.year)], params.data_dir, indexes)
        nbs = _notebooks_from(args.notebooks)
        run_year(params, out, on_invalid=args.on_invalid, notebooks=nbs, workers=args.jobs,
                 use_cache=args.use_cache)
        _write_indexes(indexes)
    except (InputError, ParameterError, UnsafeOutput) as exc:
        return _fail(exc, EXIT_INPUT_ERROR)
    except RunError as exc:
        return _fail(exc, EXIT_FAILURE)
    print(f"done: {out / str(params.year) / 'index.html'}", file=sys.stderr)
    return 0


def main_run_all(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers run-all --years 2022 2023 2024 2025``: every year, then the research
    notebooks (when present) and ``<out>/index.html``. The data is loaded at most once for all
    years, and not at all when every year's results are cached."""
    ap = argparse.ArgumentParser(prog="python -m helpers run-all")
    ap.add_argument("--years", type=int, nargs="+", required=True, help="years to run")
    _common_arguments(ap)
    args = ap.parse_args(list(argv or []))
    try:
        base = load_params(args.params, data_dir=args.data_dir)
        out, indexes = _output(args.out, base.data_dir)
        folder = config.resolve_path(args.notebooks) if args.notebooks else config.NOTEBOOKS_DIR
        research = [(folder / name, sub) for name, sub in RESEARCH_NOTEBOOKS.items()
                    if (folder / name).is_file()]
        check_run_output(out, [*map(str, args.years), *(sub for _, sub in research)],
                         base.data_dir, indexes)
        nbs = _notebooks_from(args.notebooks)
        loaded: list[Dataset] = []

        def load_once() -> Dataset:  # at most once for all years, and not at all when cached
            if not loaded:
                loaded.append(load_reporting(base.data_dir, args.on_invalid, args.use_cache,
                                             "all years"))
            return loaded[0]

        for year in args.years:
            params = load_params(args.params, year=year, data_dir=args.data_dir)
            run_year(params, out, on_invalid=args.on_invalid, notebooks=nbs, workers=args.jobs,
                     use_cache=args.use_cache, load=load_once)
        if research:
            run_research(research, out, base, args.years, args.jobs)
        index = _write_indexes(indexes)
    except (InputError, ParameterError, UnsafeOutput) as exc:
        return _fail(exc, EXIT_INPUT_ERROR)
    except RunError as exc:
        return _fail(exc, EXIT_FAILURE)
    print(f"done: {index}", file=sys.stderr)
    return 0


def refresh_notebooks(notebooks: Sequence[Path], workers: int | None = None) -> None:
    """Re-execute ``notebooks`` in place on their own default parameters (the demo data), with
    volatile metadata stripped, so the committed outputs are what nbval compares against."""
    with tempfile.TemporaryDirectory(prefix="sca-refresh-") as tmp:
        env = {FIGURES_ENV: str(Path(tmp) / "figures")}
        os.environ.pop(SESSION_ENV, None)
        jobs = [Job(nb, Path(tmp) / nb.name, None, env) for nb in notebooks]
        execute_jobs(jobs, workers)
        for job, nb in zip(jobs, notebooks):
            os.replace(job.output, nb)


def main_refresh_notebooks(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers refresh-notebooks [NOTEBOOK ...]``: re-execute notebooks/*.ipynb in place."""
    ap = argparse.ArgumentParser(prog="python -m helpers refresh-notebooks")
    ap.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args(list(argv or []))
    nbs = ([config.resolve_path(p) for p in args.notebooks] if args.notebooks
           else sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")))
    try:
        refresh_notebooks(nbs, args.jobs)
    except RunError as exc:
        return _fail(exc, EXIT_FAILURE)
    print(f"refreshed {len(nbs)} notebook(s)", file=sys.stderr)
    return 0


__all__ = [
    "PARAM_NAMES", "Job", "RunError", "build_into", "check_notebook_parameters", "execute_jobs",
    "load_dataset", "main_refresh_notebooks", "main_run", "main_run_all", "notebook_parameters",
    "refresh_notebooks", "run_research", "run_year", "strip_volatile", "swap_in", "write_rejected",
    "year_notebooks",
]
