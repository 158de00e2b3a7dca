"""The command line of the yearly run: ``python -m helpers run | run-all | refresh-notebooks``.

``run`` for one year:
1. parameters from the YAML file (``--params``) then the command line (``--year``, ``--buyer``,
   ``--data-dir``); unknown names or bad values are an error (:mod:`helpers.params`);
2. the output folder, ``--out`` or by default ``reports/<name of the data directory>/``, is checked
   before any work: the run writes ``<out>/<year>/`` and replaces only a report folder the tool wrote
   (it holds the marker ``.social-clause-audit-report``), never an ``--out`` equal to, inside or
   containing the data directory, and overwrites only index pages it wrote (:mod:`helpers.report_safety`);
3. every notebook's ``parameters`` cell is parsed (``ast``) and each run parameter must be declared
   there — papermill would only warn about an unknown name (:mod:`helpers.notebook_params`);
4. the data directory is loaded once (``helpers.cache.load_dataset``), results are computed
   (``helpers.indicators.compute_results``) and written (``indicators.json``, ``buyers.csv``,
   ``contracts.csv``); quarantined rows go to ``rejected/<table>.csv``. When the data, parameters,
   code and reference files are those of a previous run, all of this is copied from the results
   cache instead (``helpers.results_cache``; ``--no-cache`` turns both caches off)
   (:mod:`helpers.yearly`);
5. the notebooks run with papermill (kernel ``python3``, parameters as a typed dict, cwd = project root)
   in parallel worker processes, one line of progress per notebook on stderr; each is rendered to HTML
   without code; figures go to ``figures/`` (``$SCA_FIGURES_DIR``); an ``index.html`` links it all
   (:mod:`helpers.execute`);
6. everything is written into a marked staging folder beside ``<out>/<year>/`` and renamed into place
   only when every step succeeded: a failed run leaves the previous report untouched and no partial
   files; the staging folders of killed runs are removed by the next run.

The notebooks receive the results computed in step 4 and a bounded summary of the dataset
(:class:`helpers.notebook.DataSummary`) through a file named by ``$SCA_SESSION``, JSON plus Parquet
and never pickle (:mod:`helpers.session`, read by :func:`helpers.notebook.setup`), so the data is read
once, each kernel reads a few MB whatever the size of the data, and the notebooks show exactly the
numbers of ``indicators.json``. The session is written before any notebook starts (a failure while
loading or computing stops the run with no kernel started); the data files and the one-page
summaries are written while the notebooks execute. Notebook workers come from a fork server that has
imported papermill and nbconvert once, and end with the run (:mod:`helpers.workers`).

Exit codes: 0 success; 2 invalid input, parameters or output folder (message on stderr, nothing
written); 1 a notebook or another step failed (message on stderr, previous report kept).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import config
from .dataset import Dataset
from .errors import EXIT_INPUT_ERROR, ON_INVALID, InputError
from .execute import RunError, refresh_notebooks
from .notebook_params import RESEARCH_NOTEBOOKS, year_notebooks
from .params import ParameterError, load_params
from .report_safety import UnsafeOutput, check_output
from .yearly import load_reporting, run_research, run_year

EXIT_FAILURE = 1


# ---------------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------------

def _common_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--data-dir", help="data directory laid out as docs/design.md §2.1 (default: data/demo, "
                                       "or the YAML file's data_dir)")
    ap.add_argument("--params", type=Path, help="YAML file of parameters (docs/design.md §4.1 names)")
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
    of ``indexes`` (:func:`helpers.report_safety.check_output`), else :class:`UnsafeOutput`."""
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


__all__ = ["EXIT_FAILURE", "check_run_output", "default_out", "main_refresh_notebooks",
           "main_run", "main_run_all"]
