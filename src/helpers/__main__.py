"""Command line: ``python -m helpers <command> ...``.

Commands (each implemented in its own module, imported lazily so that ``--help`` is instant):
  run                one year into <out>/<year>/ (default out: reports/<data set>/)  (helpers.run)
  run-all            every demo year + trends + hypotheses + reports/index.html (helpers.run)
  refresh-notebooks  re-execute the committed notebooks in place on the demo data (helpers.run)
  clean-reports      delete the reports the tool wrote under reports/ (helpers.report_safety)
  bench              national-scale benchmark           (helpers.bench)
  simulate           coverage simulation of the hypotheses' intervals (helpers.hypotheses)
  pseudonymise       keyed beneficiary_id + birth year for a facilitator's export (helpers.pseudonymise)
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "run": ("helpers.run", "main_run"),
    "run-all": ("helpers.run", "main_run_all"),
    "refresh-notebooks": ("helpers.run", "main_refresh_notebooks"),
    "clean-reports": ("helpers.report_safety", "main_clean"),
    "bench": ("helpers.bench", "main"),
    "simulate": ("helpers.simulate", "main"),
    "pseudonymise": ("helpers.pseudonymise", "main"),
}

NOTEBOOK_COMMANDS = ("run", "run-all", "refresh-notebooks")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd not in COMMANDS:
        print(f"unknown command {cmd!r}; choose one of: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    module, func = COMMANDS[cmd]
    if cmd in NOTEBOOK_COMMANDS and not {"-h", "--help"} & set(rest):
        # the notebook workers' fork server starts now and does its imports while this process
        # imports pandas and the helpers (helpers.workers; about 0.15 s off a warm run)
        from .workers import worker_context

        worker_context()
    return int(getattr(importlib.import_module(module), func)(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
