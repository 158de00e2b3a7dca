"""National-scale benchmark: ``python -m helpers bench --contracts N [N ...]``.

For each size N it generates a national-shaped year of synthetic data (:mod:`helpers.bench_data`:
N contracts from about N / 10 buyers of skewed sizes, the official DECP JSON, the decp.info tabular
Parquet and the facilitator tables; generation is not timed), then measures every step **in its own
process** and prints one JSON object per size.

Steps measured (wall seconds of the operation itself, timed inside the child after its imports;
peak resident memory of the child from ``getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper process)
--------------------------------------------------------------------------------------------------
``naive_json`` (``json.load`` + ``pandas.json_normalize`` of ``marches.marche``), ``ingest_json``
and ``ingest_parquet`` (``helpers.io.contracts.read_contracts``), ``load_cold`` / ``load_warm``
(``helpers.cache.load_dataset`` on the data folder, empty then warm cache), ``indicators``
(``helpers.indicators.compute_results`` on the loaded dataset, only the computation timed),
``figures`` (the per-buyer and count figures of the report pages drawn to PNG from those results,
only the drawing timed; ``seaborn_import_s`` is the time ``import seaborn`` adds to a process that
holds what a report kernel holds — the notebook API, pandas and matplotlib, not SciPy, which seaborn
imports: what a kernel that draws pays for seaborn),
``run_cold`` / ``run_warm`` (``python -m helpers run`` with an empty then a warm cache: whole
process wall time, per-buyer tables and figures of the notebooks included). A step whose module is
missing is reported as ``null`` with the reason under ``skipped``; a step that fails is reported
under ``errors``. The 1-minute load average of the machine before each step is recorded.

With ``--out`` the results of every size, the machine, the growth ratio (largest / smallest size)
and the targets (met or not, on the largest size) are written as one JSON file. The targets: JSON
ingest no slower than the naive path and under 1 GB peak, Parquet ingest ≤ 3 s, indicators ≤ 5 s,
cold run ≤ 120 s, warm rerun ≤ ¼ of the cold one, growth from the smallest to the largest size
≤ 6 ×. See ``bench/README.md`` for the measured figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from . import config
from .bench_data import DEFAULT_SEED, DEFAULT_YEAR, write_year

# Targets, checked on the largest size measured.
TARGETS = {
    "parquet_ingest_max_s": 3.0,
    "indicators_max_s": 5.0,
    "run_cold_max_s": 120.0,
    "json_ingest_max_rss_mb": 1024.0,
    "warm_over_cold_max": 0.25,
    "growth_max": 6.0,
}
TIME_KEYS = ("naive_json_s", "ingest_json_s", "ingest_parquet_s", "load_cold_s", "load_warm_s",
             "indicators_s", "figures_s", "seaborn_import_s", "run_cold_s", "run_warm_s")
REPEATED_STEPS = ("ingest_json", "ingest_parquet", "load_cold", "load_warm", "indicators", "figures")
"""Steps run ``--repeat`` times (best kept): the short reading and computing steps whose figures the
targets compare. The naive path (a reference, 30 s) and the runs (their own cache protocol) run once."""
GROWTH_TARGET_KEYS = ("ingest_json_s", "ingest_parquet_s", "load_cold_s", "indicators_s",
                      "run_cold_s", "run_warm_s")

# --------------------------------------------------------------------------------------------------
# measuring in child processes
# --------------------------------------------------------------------------------------------------

# Fresh wrapper: runs one command, then reports its wall time, the CPU time of its whole process tree
# and the peak RSS of the tree's largest process (getrusage(RUSAGE_CHILDREN) only covers children of
# this wrapper).
_WRAPPER = textwrap.dedent("""
    import json, resource, subprocess, sys, time
    cmd = json.loads(sys.argv[1])
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"rc": p.returncode, "wall_s": wall, "rss_mb": ru.ru_maxrss / 1024,
                      "cpu_s": ru.ru_utime + ru.ru_stime,
                      "stdout": p.stdout, "stderr": p.stderr[-4000:]}))
""")

_NAIVE = """
import json, sys, time
import pandas as pd
t0 = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as fh:
    doc = json.load(fh)
frame = pd.json_normalize(doc["marches"]["marche"])
print(json.dumps({"s": time.perf_counter() - t0, "rows": len(frame)}))
"""

_INGEST = """
import json, sys, time
import helpers.pandera_schemas  # the schemas' library, imported on first use: not reading work
from helpers.io.contracts import read_contracts
t0 = time.perf_counter()
contracts, rejected = read_contracts([sys.argv[1]])
print(json.dumps({"s": time.perf_counter() - t0, "rows": len(contracts)}))
"""

_LOAD = """
import json, sys, time
from helpers.cache import load_dataset
t0 = time.perf_counter()
ds = load_dataset(sys.argv[1])
print(json.dumps({"s": time.perf_counter() - t0, "rows": len(ds.contracts)}))
"""

_INDICATORS = """
import json, sys, time
# the statistics libraries the computation imports on first use (about 1.4 s here): not computing work
import scipy.stats, statsmodels.stats.multitest, statsmodels.stats.proportion
from helpers.cache import load_dataset
from helpers.indicators import compute_results
from helpers.params import make_params
ds = load_dataset(sys.argv[1])
params = make_params({"year": int(sys.argv[2]), "data_dir": sys.argv[1]})
t0 = time.perf_counter()
res = compute_results(ds, params)
print(json.dumps({"s": time.perf_counter() - t0, "rows": len(ds.contracts)}))
"""

_FIGURES = """
import json, sys, time
from helpers import figures, notebook  # what a report kernel holds: pandas, matplotlib, no SciPy
t0 = time.perf_counter()
import seaborn  # what seaborn adds to such a kernel (SciPy included: seaborn imports it)
seaborn_s = time.perf_counter() - t0
from helpers.cache import load_dataset
from helpers.indicators import compute_results
from helpers.params import make_params
ds = load_dataset(sys.argv[1])
params = make_params({"year": int(sys.argv[2]), "data_dir": sys.argv[1]})
res = compute_results(ds, params)
t1 = time.perf_counter()
buyers = res.tables["buyers_detail"]
drawn = [figures.plot_shares_by_buyer(buyers, params.target, effective=False),
         figures.plot_share_by_amount(buyers, params.target),
         figures.plot_status_counts(res.indicators.get("status_counts", {})),
         figures.plot_verdict_counts(buyers["verdict"])]
png = sum(len(figures.png_bytes(fig)) for fig in drawn)
print(json.dumps({"s": time.perf_counter() - t1, "seaborn_import_s": seaborn_s,
                  "rows": len(buyers), "png_kb": round(png / 1024)}))
"""


class StepFailed(RuntimeError):
    """A measured step exited non-zero or printed no result."""


def measure(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 3600.0
            ) -> dict[str, Any]:
    """Run ``cmd`` under a fresh wrapper process; return ``wall_s``, ``rss_mb`` and the JSON the
    command printed on its last stdout line (if any) under ``result``."""
    full_env = {**os.environ, **(env or {})}
    out = subprocess.run([sys.executable, "-c", _WRAPPER, json.dumps(cmd)], stdout=subprocess.PIPE,
                         text=True, env=full_env, timeout=timeout, check=True)
    info = json.loads(out.stdout)
    if info["rc"] != 0:
        raise StepFailed(f"{' '.join(cmd[:4])} ... exited with {info['rc']}: {info['stderr'].strip()}")
    lines = [ln for ln in info["stdout"].splitlines() if ln.strip()]
    result = None
    if lines:
        try:
            result = json.loads(lines[-1])
        except ValueError:
            result = None
    return {"wall_s": info["wall_s"], "rss_mb": info["rss_mb"], "cpu_s": info["cpu_s"],
            "result": result}


def _entries(cache_dir: Path) -> set[str]:
    """Names of the committed entries of a cache folder."""
    if not cache_dir.is_dir():
        return set()
    return {p.name for p in cache_dir.iterdir()
            if p.is_dir() and not p.name.startswith(".") and p.name not in ("fingerprints", "locks")}


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def bench_size(n: int, workdir: Path, *, year: int = DEFAULT_YEAR, seed: int = DEFAULT_SEED,
               steps: Sequence[str] | None = None, notebooks: Path | None = None,
               repeat: int = 1, log: Any = sys.stderr) -> dict[str, Any]:
    """Generate (or reuse) the year of ``n`` contracts under ``workdir/<n>/`` and measure each step.

    ``repeat``: the reading and indicator steps (:data:`REPEATED_STEPS`) run that many times, each in
    a fresh process, and the fastest is kept (``timeit``'s rule: on a shared machine the slower
    runs measure the neighbours); every sample is kept under ``samples_s``, and the memory figure
    is the largest peak of all of them.

    ``notebooks``: folder of the notebooks the ``run`` steps execute (default: the project's).
    """
    folder = workdir / str(n)
    print(f"[bench {n}] generating data in {folder}", file=log, flush=True)
    counts = write_year(n, folder, year=year, seed=seed)
    data = folder / "data"
    json_path = data / "contracts" / f"decp-{year}.json"
    parquet_path = folder / f"decp-tabular-{year}.parquet"
    py = sys.executable
    out: dict[str, Any] = {"contracts": n, "generated": counts}
    skipped: dict[str, str] = {}
    errors: dict[str, str] = {}
    wanted = set(steps) if steps else None

    def step(name: str, needs: Sequence[str], cmd: list[str], env: dict[str, str] | None = None,
             keys: tuple[str, ...] = (), inner: bool = True,
             reset: Callable[[], None] | None = None) -> None:
        asked = wanted is None or name in wanted or (name == "prewarm" and "run_warm" in wanted)
        if not asked:
            return
        missing = [m for m in needs if not _available(m)]
        if missing:
            skipped[name] = f"module {', '.join(missing)} not available"
            for k in keys:
                out[k] = None
            return
        print(f"[bench {n}] {name} ...", file=log, flush=True)
        if hasattr(os, "getloadavg"):  # other work on the machine inflates the figures: say so
            out.setdefault("load_avg_1min_before", {})[name] = round(os.getloadavg()[0], 2)
        samples = []
        try:
            for _ in range(repeat if name in REPEATED_STEPS else 1):
                if reset is not None:
                    reset()
                m = measure(cmd, env)
                samples.append((m["result"]["s"] if inner and m["result"] else m["wall_s"], m))
        except (StepFailed, subprocess.SubprocessError) as exc:
            errors[name] = str(exc)[-2000:]
            for k in keys:
                out[k] = None
            return
        seconds, m = min(samples, key=lambda sample: sample[0])
        out[keys[0]] = round(seconds, 3)
        if len(keys) > 1:
            out[keys[1]] = round(max(sample["rss_mb"] for _, sample in samples), 1)
        if len(samples) > 1:
            out.setdefault("samples_s", {})[name] = [round(s, 3) for s, _ in samples]
        out.setdefault("process_wall_s", {})[name] = round(m["wall_s"], 3)
        out.setdefault("process_cpu_s", {})[name] = round(m["cpu_s"], 3)
        if m["result"] and "rows" in m["result"]:
            out.setdefault("rows", {})[name] = m["result"]["rows"]
        if m["result"] and "seaborn_import_s" in m["result"]:
            out["seaborn_import_s"] = round(m["result"]["seaborn_import_s"], 3)
        print(f"[bench {n}] {name}: {seconds:.2f} s, peak {m['rss_mb']:.0f} MB", file=log, flush=True)

    cache_dir = folder / "cache"

    def empty_cache() -> None:
        if cache_dir.exists():
            shutil.rmtree(cache_dir)

    empty_cache()
    cache_env = {config.CACHE_DIR_ENV: str(cache_dir)}
    step("naive_json", [], [py, "-c", _NAIVE, str(json_path)],
         keys=("naive_json_s", "naive_json_rss_mb"))
    step("ingest_json", ["helpers.io.decp_json"], [py, "-c", _INGEST, str(json_path)],
         keys=("ingest_json_s", "ingest_json_rss_mb"))
    step("ingest_parquet", ["helpers.io.decp_tabular"], [py, "-c", _INGEST, str(parquet_path)],
         keys=("ingest_parquet_s", "ingest_parquet_rss_mb"))
    step("load_cold", ["helpers.loader"], [py, "-c", _LOAD, str(data)], cache_env,
         keys=("load_cold_s", "load_cold_rss_mb"), reset=empty_cache)
    step("load_warm", ["helpers.loader"], [py, "-c", _LOAD, str(data)], cache_env,
         keys=("load_warm_s", "load_warm_rss_mb"))
    step("indicators", ["helpers.loader", "helpers.indicators"],
         [py, "-c", _INDICATORS, str(data), str(year)], cache_env,
         keys=("indicators_s", "indicators_rss_mb"))
    step("figures", ["helpers.loader", "helpers.indicators", "seaborn"],
         [py, "-c", _FIGURES, str(data), str(year)], cache_env,
         keys=("figures_s", "figures_rss_mb"))
    run_cache = {config.CACHE_DIR_ENV: str(folder / "run-cache")}
    if (folder / "run-cache").exists():
        shutil.rmtree(folder / "run-cache")
    run_cmd = [py, "-m", "helpers", "run", "--year", str(year), "--data-dir", str(data),
               "--out", str(folder / "reports")]
    if notebooks is not None:
        run_cmd += ["--notebooks", str(notebooks)]
    step("run_cold", ["helpers.run", "helpers.loader", "helpers.indicators"], run_cmd, run_cache,
         keys=("run_cold_s", "run_cold_rss_mb"), inner=False)
    before_warm: set[str] = set()
    if wanted is None or "run_warm" in wanted:
        # Warm = the cache entry is valid when the run starts. The key covers the readers' source,
        # so an edit since the cold run (while developing) would make this run a cold one: load
        # once, untimed, so the timed run starts on a valid entry whatever happened in between.
        step("prewarm", ["helpers.run", "helpers.loader"], [py, "-c", _LOAD, str(data)], run_cache,
             keys=("prewarm_s",))
        out.pop("prewarm_s", None)
        before_warm = _entries(folder / "run-cache")
    step("run_warm", ["helpers.run", "helpers.loader", "helpers.indicators"], run_cmd, run_cache,
         keys=("run_warm_s", "run_warm_rss_mb"), inner=False)
    if out.get("run_warm_s") is not None and _entries(folder / "run-cache") != before_warm:
        out["run_warm_note"] = ("the cache key changed during the warm run (reader source edited "
                                "meanwhile): this warm figure includes a cold load")
    if (folder / "reports").is_dir():
        out["report"] = report_outputs(folder / "reports" / str(year))
    if skipped:
        out["skipped"] = skipped
    if errors:
        out["errors"] = errors
    return out


def report_outputs(year_dir: Path) -> dict[str, Any]:
    """What the run wrote for one year: file count, total MB, the rows of ``buyers.csv`` (one per
    buyer: the outputs that grow with the number of buyers) and the three largest files."""
    files = [p for p in year_dir.rglob("*") if p.is_file()] if year_dir.is_dir() else []
    sizes = sorted(((p.stat().st_size, p.relative_to(year_dir).as_posix()) for p in files),
                   reverse=True)
    buyers_csv = year_dir / "buyers.csv"
    rows = None
    if buyers_csv.is_file():
        with open(buyers_csv, "rb") as fh:
            rows = max(0, sum(1 for _ in fh) - 1)
    return {"files": len(files), "mb": round(sum(b for b, _ in sizes) / 2**20, 1),
            "buyers_csv_rows": rows,
            "largest_mb": {name: round(b / 2**20, 2) for b, name in sizes[:3]}}


# --------------------------------------------------------------------------------------------------
# summary
# --------------------------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """The machine the figures come from (no host name)."""
    cpu = platform.processor()
    with_model = Path("/proc/cpuinfo")
    if with_model.is_file():
        for line in with_model.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        mem = float("nan")
    import ijson

    return {"cpu_count": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "pandas": pd.__version__, "numpy": np.__version__, "pyarrow": pa.__version__,
            "ijson_backend": ijson.backend}


def _ratio(a: Any, b: Any) -> float | None:
    numbers = isinstance(a, (int, float)) and isinstance(b, (int, float))
    return round(a / b, 3) if numbers and b > 0 else None


def _target(value: Any, limit: float) -> dict[str, Any]:
    met = None if value is None else bool(value <= limit)
    return {"value": value, "limit": limit, "met": met}


def summarize(results: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Growth ratio (largest / smallest size) and the targets on the largest size.

    ``growth_ratio_cpu`` is the same ratio on the CPU seconds of each step's whole process (imports
    included): on a shared machine it is far less sensitive to other work than wall time."""
    sizes = sorted(results)
    big = results[sizes[-1]]
    growth: dict[str, Any] = {}
    if len(sizes) > 1:
        small = results[sizes[0]]
        growth = {k: _ratio(big.get(k), small.get(k)) for k in TIME_KEYS}
        growth["contracts"] = _ratio(sizes[-1], sizes[0])
        cpu_big, cpu_small = big.get("process_cpu_s", {}), small.get("process_cpu_s", {})
        growth_cpu = {k: _ratio(cpu_big.get(k), cpu_small.get(k)) for k in sorted(cpu_big)}
    targets = {
        "at_contracts": sizes[-1],
        "json_ingest_not_slower_than_naive": {
            "value": big.get("ingest_json_s"), "limit": big.get("naive_json_s"),
            "met": (None if big.get("ingest_json_s") is None or big.get("naive_json_s") is None
                    else bool(big["ingest_json_s"] <= big["naive_json_s"]))},
        "json_ingest_peak_rss_le_1gb": _target(big.get("ingest_json_rss_mb"),
                                               TARGETS["json_ingest_max_rss_mb"]),
        "parquet_ingest_le_3s": _target(big.get("ingest_parquet_s"), TARGETS["parquet_ingest_max_s"]),
        "indicators_le_5s": _target(big.get("indicators_s"), TARGETS["indicators_max_s"]),
        "run_cold_le_120s": _target(big.get("run_cold_s"), TARGETS["run_cold_max_s"]),
        "run_warm_le_quarter_of_cold": _target(_ratio(big.get("run_warm_s"), big.get("run_cold_s")),
                                               TARGETS["warm_over_cold_max"]),
    }
    if growth:
        worst = max((v for k, v in growth.items() if k in GROWTH_TARGET_KEYS and v is not None),
                    default=None)
        targets["growth_le_6x"] = {**_target(worst, TARGETS["growth_max"]),
                                   "keys": list(GROWTH_TARGET_KEYS),
                                   "note": f"largest ratio over the keys, sizes {sizes[0]} -> "
                                           f"{sizes[-1]}"}
    out: dict[str, Any] = {"growth_ratio": growth, "targets": targets}
    if len(sizes) > 1:
        out["growth_ratio_cpu"] = growth_cpu
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers bench --contracts N [N ...] [--out FILE] [--workdir DIR]``."""
    ap = argparse.ArgumentParser(prog="python -m helpers bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--contracts", type=int, nargs="+", required=True, metavar="N",
                    help="sizes to benchmark (contracts per generated year)")
    ap.add_argument("--out", help="write machine, results, growth ratio and targets to this JSON file")
    ap.add_argument("--workdir", help="where generated data, caches and reports go (kept); default: "
                                      "a temporary folder removed at the end")
    ap.add_argument("--year", type=int, default=DEFAULT_YEAR)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--steps", nargs="+", metavar="STEP",
                    help="measure only these steps (naive_json ingest_json ingest_parquet load_cold "
                         "load_warm indicators figures run_cold run_warm); default: all")
    ap.add_argument("--notebooks", type=Path,
                    help="folder of the notebooks the run steps execute (default: notebooks/; the "
                         "smoke test uses a subset to stay fast)")
    ap.add_argument("--repeat", type=int, default=1, metavar="K",
                    help="run each reading and indicator step K times, each in a fresh process, "
                         "and keep the fastest (all samples are reported); default 1")
    args = ap.parse_args(list(argv or []))
    if args.repeat < 1:
        ap.error("--repeat: must be at least 1")
    if any(n < 1 for n in args.contracts):
        ap.error("--contracts: sizes must be positive")
    tmp = None
    if args.workdir:
        workdir = config.resolve_path(args.workdir)
    else:
        tmp = tempfile.mkdtemp(prefix="sca-bench-")
        workdir = Path(tmp)
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Any]] = {}
    try:
        for n in sorted(set(args.contracts)):
            results[n] = bench_size(n, workdir, year=args.year, seed=args.seed, steps=args.steps,
                                    notebooks=args.notebooks, repeat=args.repeat)
            print(json.dumps(results[n], sort_keys=True), flush=True)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.out:
        doc = {"machine": machine_info(),
               "measured_on": dt.date.today().isoformat(),
               "results": {str(n): r for n, r in results.items()},
               **summarize(results)}
        out = config.resolve_path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"written {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
