"""Imported first by the notebook workers' fork server (:data:`helpers.workers.WORKER_PRELOAD`).

* Lowers the priority of that process, hence of every worker and kernel forked from it, so that the
  run's own process (loading the data, computing the indicators) keeps a full core while the kernels
  start.
* Keeps ``jsonschema`` from loading its optional IRI format checker (``rfc3987_syntax``, installed
  with ``jupyter-events``), which compiles a grammar on import: 0.8 s of the fork server's start-up,
  on the critical path of a warm run. Nothing in a worker checks that format: nbformat
  validates notebooks without a format checker, and jsonschema treats the checker as optional (the
  ``iri`` format is then simply not checked).
"""

from __future__ import annotations

import os
import sys

NICENESS = 10
SKIPPED_MODULES = ("rfc3987_syntax",)

if hasattr(os, "nice"):
    os.nice(NICENESS)
for _name in SKIPPED_MODULES:
    sys.modules.setdefault(_name, None)  # type: ignore[assignment]  # "import" now raises ImportError
