"""The notebook workers' processes (issue 6), in a module that imports neither pandas nor the
helpers, so that ``python -m helpers run`` can start the fork server first thing: it then does its
imports (:data:`WORKER_PRELOAD`, about a second) while the run process does its own, instead of after
them, on the critical path of a warm run.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import Any

WORKER_PRELOAD = ("helpers._low_priority", "helpers.run", "helpers.report", "papermill", "nbformat",
                  "nbconvert")
"""Imported once by the fork server, so that each notebook worker starts with them loaded; the first
lowers the fork server's priority, which its workers and their kernels inherit."""


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
    and kernels' output is captured by :func:`helpers.run.execute_job` anyway."""
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
