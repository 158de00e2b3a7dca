"""Helpers of the adversarial tests: a small valid data directory, a digest of a directory that
also records links and special files, and a child-process runner that measures the child's wall
time and peak memory (so a blow-up is measured, and bounded by a timeout, outside the test
process)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.config import PROJECT_ROOT

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures" / "notebooks"))
from one_cell import one_cell_notebooks  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SRC = PROJECT_ROOT / "src"


def small_data_dir(root: Path) -> Path:
    """A valid data directory: one DECP JSON file, the clauses and participations fixtures."""
    (root / "contracts").mkdir(parents=True)
    shutil.copy(FIXTURES / "contracts" / "official_small.json", root / "contracts" / "c.json")
    shutil.copy(FIXTURES / "tables" / "clauses_utf8.csv", root / "clauses.csv")
    shutil.copy(FIXTURES / "tables" / "participations_utf8_comma.csv", root / "participations.csv")
    return root


def digest(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (links not followed): file content hash, link target, or the
    kind of a special file, with its permission bits."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted([*dirnames, *filenames]):
            path = Path(dirpath, name)
            st = path.lstat()
            rel = path.relative_to(folder).as_posix()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = "link -> " + os.readlink(path)
            elif stat.S_ISREG(st.st_mode):
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() + f" {st.st_mode:o}"
            else:
                out[rel] = f"mode {st.st_mode:o}"
    return out


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def run_measured(args: list[str], *, timeout: float, env: dict[str, str] | None = None,
                 cwd: Path = PROJECT_ROOT) -> Measured:
    """Run ``args``; return its exit code, output, wall time and peak resident memory (the
    child's own ``ru_maxrss``). Killed (and the test failed) after ``timeout`` seconds."""
    full_env = {**os.environ, "PYTHONPATH": str(SRC), "MPLBACKEND": "Agg", **(env or {})}
    out_path = Path(os.environ.get("TMPDIR", "/tmp"))
    with open(os.devnull, "rb") as stdin, \
            _temp(out_path) as (out_f, err_f):
        start = time.monotonic()
        proc = subprocess.Popen(args, stdin=stdin, stdout=out_f, stderr=err_f, env=full_env,
                                cwd=cwd, start_new_session=True)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                os.killpg(proc.pid, 9)
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                pytest.fail(f"{args[:4]} still running after {timeout} s")
            time.sleep(0.02)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out_f.seek(0)
        err_f.seek(0)
        return Measured(proc.returncode, out_f.read(), err_f.read(), seconds,
                        usage.ru_maxrss / 1024)


class _temp:
    def __init__(self, folder: Path) -> None:
        import tempfile

        self._files = [tempfile.TemporaryFile("w+", dir=folder) for _ in range(2)]

    def __enter__(self):  # noqa: ANN204
        return self._files

    def __exit__(self, *exc: object) -> None:
        for f in self._files:
            f.close()


def run_reader(code: str, *, timeout: float = 120) -> tuple[dict, Measured]:
    """Run Python ``code`` in a child; it must print one JSON object as its last line."""
    m = run_measured([sys.executable, "-c", code], timeout=timeout)
    assert m.returncode == 0, m.stderr[-3000:]
    return json.loads(m.stdout.strip().splitlines()[-1]), m


READER = """
import json, sys
from helpers.errors import InputError
try:
    {call}
    print(json.dumps({{"ok": True, "result": result}}))
except InputError as exc:
    print(json.dumps({{"ok": False, "message": str(exc),
                      "problems": [[p.file, p.column, list(p.rows), p.message]
                                   for p in exc.problems]}}))
"""


def reader_code(call: str) -> str:
    """Child code running ``call`` (which sets ``result``); InputError -> its problems."""
    return READER.format(call=call)


def run_cli(tmp_path: Path, *args: str, timeout: float = 120) -> Measured:
    """``python -m helpers run --year 2024 ...`` with a one-cell notebook and a private cache."""
    nbs = one_cell_notebooks(tmp_path / "nbs")
    return run_measured([sys.executable, "-m", "helpers", "run", "--year", "2024",
                         "--notebooks", str(nbs), "--jobs", "1", *args],
                        timeout=timeout, env={"SCA_CACHE_DIR": str(tmp_path / "cache")})
