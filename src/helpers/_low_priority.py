"""Imported first by the notebook workers' fork server (:data:`helpers.run.WORKER_PRELOAD`): lowers
the priority of that process, hence of every worker and kernel forked from it, so that the run's own
process (loading the data, computing the indicators) keeps a full core while the kernels start."""

from __future__ import annotations

import os

NICENESS = 10

if hasattr(os, "nice"):
    os.nice(NICENESS)
