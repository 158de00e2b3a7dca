"""A run never deletes what it did not write (helpers.report_safety: markers, checks, staging clean-up) and
its worker processes end with it (helpers.workers).

Every refused case asserts the exit code (2), the message, and that the data directory and any
unrelated file are byte-identical afterwards (hash of the whole tree, before and after). The refusals
happen before any work: no notebook is needed, nothing is loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from helpers import config, report, report_safety, run

UNRELATED = b"my notes: not a report\n"


def tree(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file and link under ``folder`` (and the folders, so an added
    or removed empty folder shows too)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel] = "dir"
    return out


def data_dir(path: Path) -> Path:
    """A small data directory (the refusals come before reading it)."""
    (path / "contracts").mkdir(parents=True)
    (path / "contracts" / "decp.json").write_text('{"marches": []}\n', encoding="utf-8")
    (path / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n", encoding="utf-8")
    return path


def main(*args: str | Path) -> int:
    return run.main_run([str(a) for a in args])


# --------------------------------------------------------------------------------------------------
# the output folder and the data directory
# --------------------------------------------------------------------------------------------------

def test_out_containing_the_data_directory_is_refused(tmp_path: Path, capsys) -> None:
    # the reported case: --data-dir data/raw/2024 --out data/raw would have replaced
    # data/raw/2024 (the data) by the report of 2024
    raw = tmp_path / "data" / "raw"
    data = data_dir(raw / "2024")
    (raw / "README.md").write_bytes(UNRELATED)
    before = tree(tmp_path)
    assert main("--year", "2024", "--data-dir", data, "--out", raw) == 2
    err = capsys.readouterr().err
    assert f"the output folder {raw} contains the data directory {data}" in err
    assert tree(tmp_path) == before


@pytest.mark.parametrize("where", ["equal", "inside"])
def test_out_equal_to_or_inside_the_data_directory_is_refused(tmp_path: Path, capsys,
                                                              where: str) -> None:
    data = data_dir(tmp_path / "data")
    out = data if where == "equal" else data / "reports"
    before = tree(tmp_path)
    assert main("--year", "2024", "--data-dir", data, "--out", out) == 2
    assert f"the output folder {out} is inside the data directory {data}" in \
        capsys.readouterr().err
    assert tree(tmp_path) == before


def test_the_reported_case_through_the_command_line(tmp_path: Path) -> None:
    # python -m helpers run --data-dir <raw>/2024 --out <raw>: exit 2 (it was 0, data deleted)
    raw = tmp_path / "raw"
    data = data_dir(raw / "2024")
    before = tree(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "helpers", "run", "--data-dir", str(data),
                           "--out", str(raw)], cwd=config.PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT / "src")})
    assert proc.returncode == 2, proc.stderr
    assert "contains the data directory" in proc.stderr and "Traceback" not in proc.stderr
    assert tree(tmp_path) == before


# --------------------------------------------------------------------------------------------------
# what is at the target
# --------------------------------------------------------------------------------------------------

def test_year_folder_not_written_by_the_tool_is_kept(tmp_path: Path, capsys) -> None:
    data = data_dir(tmp_path / "data")
    out = tmp_path / "out"
    (out / "2024").mkdir(parents=True)
    (out / "2024" / "thesis.docx").write_bytes(UNRELATED)
    before = tree(tmp_path)
    assert main("--year", "2024", "--data-dir", data, "--out", out) == 2
    err = capsys.readouterr().err
    assert f"{out / '2024'} exists and was not written by this tool (no {report_safety.MARKER} file)" in err
    assert "Traceback" not in err
    assert tree(tmp_path) == before


def test_marked_year_folder_holding_a_file_the_tool_did_not_write_is_kept(tmp_path: Path,
                                                                          capsys) -> None:
    data = data_dir(tmp_path / "data")
    year = tmp_path / "out" / "2024"
    year.mkdir(parents=True)
    (year / "indicators.json").write_text("{}\n")
    report_safety.write_marker(year, "year", files=["indicators.json"])
    (year / "my-comments.txt").write_bytes(UNRELATED)  # added by the user after the run
    before = tree(tmp_path)
    assert main("--year", "2024", "--data-dir", data, "--out", year.parent) == 2
    assert "holds files this tool did not write (my-comments.txt)" in capsys.readouterr().err
    assert tree(tmp_path) == before


@pytest.mark.parametrize("kind", ["file", "symlink", "fake marker", "staging marker"])
def test_other_things_at_the_target_are_refused(tmp_path: Path, capsys, kind: str) -> None:
    data = data_dir(tmp_path / "data")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "2024"
    if kind == "file":
        target.write_bytes(UNRELATED)
        message = "exists and is not a report folder"
    elif kind == "symlink":  # a link to the data: replacing it must not reach the data
        target.symlink_to(data, target_is_directory=True)
        message = "is a symbolic link"
    elif kind == "fake marker":  # a file of that name that is not the tool's JSON
        target.mkdir()
        (target / report_safety.MARKER).write_bytes(UNRELATED)
        message = "was not written by this tool"
    else:  # a staging folder is never a report to replace
        target.mkdir()
        report_safety.write_marker(target, "staging", pid=1, host="x", created=0)
        message = "was not written by this tool"
    before = tree(tmp_path)
    assert main("--year", "2024", "--data-dir", data, "--out", out) == 2
    assert message in capsys.readouterr().err
    assert tree(tmp_path) == before


def test_index_pages_of_the_tool_are_recognised(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    report.write_root_index(tmp_path)
    assert report_safety.is_tool_index(page)
    # the root page of the versions before the marker comment
    page.write_text('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
                    "<title>Social Clause Audit — reports</title>\n<style>\nbody {}\n</style>",
                    encoding="utf-8")
    assert report_safety.is_tool_index(page)
    page.write_text("<!DOCTYPE html>\n<html><title>Social Clause Audit — reports</title>",
                    encoding="utf-8")
    assert not report_safety.is_tool_index(page)
    with pytest.raises(report_safety.UnsafeOutput, match="was not written by this tool"):
        report.write_root_index(tmp_path)


def test_index_page_not_written_by_the_tool_is_kept(tmp_path: Path, capsys) -> None:
    data = data_dir(tmp_path / "data")
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_bytes(b"<html>my own site</html>\n")
    before = tree(tmp_path)
    assert main("--year", "2024", "--data-dir", data, "--out", out) == 2
    assert f"{out / 'index.html'} exists and was not written by this tool" in \
        capsys.readouterr().err
    assert tree(tmp_path) == before  # and no 2024 folder was made


def test_run_all_checks_every_target_before_building_any_year(tmp_path: Path, capsys) -> None:
    data = data_dir(tmp_path / "data")
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    (nbs / "05_trends.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, '
                                         '"nbformat_minor": 5}')
    out = tmp_path / "out"
    (out / "trends").mkdir(parents=True)
    (out / "trends" / "data.csv").write_bytes(UNRELATED)
    before = tree(tmp_path)
    rc = run.main_run_all(["--years", "2023", "2024", "--data-dir", str(data), "--out", str(out),
                           "--notebooks", str(nbs)])
    assert rc == 2
    assert f"{out / 'trends'} exists and was not written by this tool" in capsys.readouterr().err
    assert tree(tmp_path) == before  # no 2023 folder built first


def test_swap_refuses_an_unmarked_target_even_when_called_directly(tmp_path: Path) -> None:
    final = tmp_path / "2024"
    final.mkdir()
    (final / "keep.txt").write_bytes(UNRELATED)
    staging = report_safety.staging_folder(tmp_path, "2024")
    before = tree(final)
    with pytest.raises(report_safety.UnsafeOutput, match="was not written by this tool"):
        report_safety.swap_in(staging, final)
    assert tree(final) == before


def test_default_output_folder_is_per_data_set(tmp_path: Path) -> None:
    assert run.default_out("data/demo") == config.REPORTS_DIR / "demo"
    assert run.default_out(tmp_path / "my-metropole") == config.REPORTS_DIR / "my-metropole"


# --------------------------------------------------------------------------------------------------
# leftovers of killed runs
# --------------------------------------------------------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_only_stale_marked_staging_folders_are_removed(tmp_path: Path) -> None:
    import socket

    host = socket.gethostname()
    out = tmp_path / "out"
    out.mkdir()
    dead = out / ".2024.staging-dead"
    dead.mkdir()
    (dead / "half.csv").write_text("a\n")
    report_safety.write_marker(dead, "staging", pid=_dead_pid(), host=host, created=time.time())
    old = out / ".2023.old-1-abc"
    old.mkdir()
    report_safety.write_marker(old, "old", pid=_dead_pid(), host=host, created=time.time())
    live = out / ".2024.staging-live"  # a run still going (the test runner's parent)
    live.mkdir()
    report_safety.write_marker(live, "staging", pid=os.getppid(), host=host, created=time.time())
    aged = out / ".2022.staging-other-host"  # another machine: judged by age (2 days)
    aged.mkdir()
    report_safety.write_marker(aged, "staging", pid=123, host="elsewhere", created=time.time() - 2 * 86400)
    recent = out / ".2021.staging-other-host"
    recent.mkdir()
    report_safety.write_marker(recent, "staging", pid=123, host="elsewhere", created=time.time())
    unmarked = out / ".2024.staging-mine"  # same name pattern, the user's: never touched
    unmarked.mkdir()
    (unmarked / "notes.txt").write_bytes(UNRELATED)
    keep_before = {p.name: tree(p) for p in (live, recent, unmarked)}
    removed = report_safety.remove_stale(out)
    assert sorted(p.name for p in removed) == [".2022.staging-other-host", ".2023.old-1-abc",
                                               ".2024.staging-dead"]
    assert sorted(p.name for p in out.iterdir()) == [".2021.staging-other-host",
                                                     ".2024.staging-live", ".2024.staging-mine"]
    assert {p.name: tree(p) for p in (live, recent, unmarked)} == keep_before


def test_staging_and_reports_carry_the_marker(tmp_path: Path) -> None:
    staging = report_safety.staging_folder(tmp_path / "out", "2024")
    marker = json.loads((staging / report_safety.MARKER).read_text())
    assert marker["tool"] == report_safety.TOOL and marker["kind"] == "staging"
    assert marker["pid"] == os.getpid() and marker["target"] == "2024"
    (staging / "figures").mkdir()
    (staging / "figures" / "a.png").write_bytes(b"png")
    report_safety.swap_in(staging, tmp_path / "out" / "2024")
    final = report_safety.read_marker(tmp_path / "out" / "2024")
    assert final["kind"] == "year" and final["files"] == ["figures/a.png"]
    assert "pid" not in final  # a finished report's marker is the same on every run


# --------------------------------------------------------------------------------------------------
# the workers end with the run
# --------------------------------------------------------------------------------------------------

WORKER_SCRIPT = textwrap.dedent("""
    import os, sys, time
    from helpers import execute

    def work(_):
        time.sleep(60)

    def pids(_):
        return os.getpid(), os.getppid()

    if __name__ == "__main__":
        pool = execute.start_workers(1, workers=1)
        print(*pool.submit(pids, 0).result(), flush=True)  # the worker and its parent
        pool.submit(work, 0)  # a long notebook, still running when the run is killed
        time.sleep(0.5)
        os.kill(os.getpid(), 9)
""")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie nobody reaps is gone too
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_workers_end_when_the_run_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "killed_run.py"
    script.write_text(WORKER_SCRIPT)
    env = {**os.environ, "PYTHONPATH": f"{config.PROJECT_ROOT / 'src'}{os.pathsep}{tmp_path}"}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    worker, server = map(int, proc.stdout.split()[:2])  # the server: the fork server, where used
    deadline = time.monotonic() + 10
    while not (_gone(worker) and _gone(server)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(worker), f"worker {worker} outlived the killed run"
    assert _gone(server), f"the workers' parent {server} outlived the killed run"
