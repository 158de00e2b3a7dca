"""Executing notebooks: papermill in a pool of worker processes, one line of progress per notebook.

Each notebook runs in a worker process (:func:`execute_jobs`) started from the fork server of
:mod:`helpers.workers`, which imports this module, papermill, nbformat and nbconvert once
(:data:`helpers.workers.WORKER_PRELOAD`): this module therefore imports neither pandas nor the
caches, and a worker never loads the data. A worker executes the notebook with papermill (kernel
``python3``, parameters as a typed dict, working directory the project root), strips what changes from
one execution to the next (:func:`strip_volatile`) and renders the HTML without code
(:func:`helpers.report.render_html`). A kernel that cannot start is retried
(:data:`KERNEL_START_ATTEMPTS`); a cell that raises is a :class:`RunError` naming the notebook and the
cell. Workers end with the run (:func:`helpers.workers.init_worker`).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config
from .config import FIGURES_ENV, SESSION_ENV
from .workers import init_worker, worker_context

if TYPE_CHECKING:  # nbformat costs about 1 s to import: only the notebook workers need it
    import nbformat

KERNEL_NAME = "python3"
KERNEL_START_ATTEMPTS = 3
KERNEL_START_ERRORS = ("before replying to kernel_info", "Address already in use",
                       "Kernel didn't respond")
"""Texts of the errors raised when a kernel cannot start: a kernel that died while starting, and
the race in which two kernels started at once pick the same free port (``zmq.error.ZMQError``)."""


class RunError(RuntimeError):
    """A step of the run failed for a reason other than invalid input (e.g. a notebook raised)."""


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
instead of 7.4-7.7 s for the four notebooks)."""


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


__all__ = ["KERNEL_NAME", "KERNEL_START_ATTEMPTS", "Job", "RunError",
           "execute_job", "execute_jobs", "kernel_start_failed", "refresh_notebooks",
           "start_workers", "strip_volatile"]
