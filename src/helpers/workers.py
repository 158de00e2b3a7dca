"""The notebook workers' processes, in a module that imports neither pandas nor the
helpers, so that ``python -m helpers run`` can start the fork server first thing: it then does its
imports (:data:`WORKER_PRELOAD`, about a second) while the run process does its own, instead of after
them, on the critical path of a warm run.

The workers end with the run (:func:`init_worker`): a run that is killed must not leave notebooks
executing and writing into its output folder. The fork server itself exits when the run's end closes
its pipe (standard ``multiprocessing`` behaviour); each worker asks the kernel for ``SIGTERM`` when
its parent (the fork server) ends (Linux ``prctl(PR_SET_PDEATHSIG)``), and a watchdog thread polls the
run's process id every :data:`WATCHDOG_S` seconds on every platform. The notebooks' kernels end with
their worker (ipykernel polls its parent process).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from typing import Any

WATCHDOG_S = 0.5
"""Seconds between two checks, in a worker, that the run process is still alive."""
PR_SET_PDEATHSIG = 1

WORKER_PRELOAD = ("helpers._low_priority", "helpers.execute", "helpers.report", "papermill",
                  "nbformat", "nbconvert")
"""Imported once by the fork server, so that each notebook worker starts with them loaded; the first
lowers the fork server's priority, which its workers and their kernels inherit. None of them imports
pandas or the caches: a worker only runs papermill."""


def worker_context() -> Any:
    """``forkserver`` with :data:`WORKER_PRELOAD` where the platform has it (Linux, macOS): the
    heavy imports (nbformat, nbconvert, papermill: about 2 s of CPU) happen once, not once per
    worker; elsewhere ``spawn``. Never plain ``fork``: the parent holds the dataset and Arrow
    threads."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(WORKER_PRELOAD))
        _start_fork_server()
        return ctx
    return multiprocessing.get_context("spawn")


def _start_fork_server() -> None:
    """Start the fork server (once per process) with its standard output and error on
    ``/dev/null``. It outlives the run by its own interpreter shutdown (about a second), and a caller
    that reads the run's output through a pipe (CI, the benchmark) would wait for it; the workers'
    and kernels' output is captured by :func:`helpers.execute.execute_job` anyway."""
    from multiprocessing import forkserver

    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        forkserver.ensure_running()  # only spawns the server: it does its imports on its own
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def _parent_death_signal(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent ends; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists, under another user
        return True
    return True


def _watch(run_pid: int, period: float) -> None:
    while _alive(run_pid):
        time.sleep(period)
    os._exit(1)  # the run is gone: nobody will read what this worker writes


def init_worker(run_pid: int, period: float = WATCHDOG_S) -> None:
    """Pool initializer: lower the priority where there is no fork server to have done it
    (:mod:`helpers._low_priority`), and end this worker when the run process ``run_pid`` ends (see
    the module docstring)."""
    import helpers._low_priority  # noqa: F401  (lowers the priority on first import only)

    if os.getppid() != run_pid:  # forked by the fork server: it ends with the run
        _parent_death_signal(signal.SIGTERM)
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there
        return
    threading.Thread(target=_watch, args=(run_pid, period), name="sca-watchdog",
                     daemon=True).start()
