"""The data directory against special files: only regular files are read (a named pipe would make
the run wait forever), dangling symbolic links are reported by name, hidden ones skipped; and the
whole chain through the command line (``python -m helpers run``) exits with code 2, a message naming
each file, no traceback, and the data directory left byte-identical."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.errors import InputError
from helpers.loader import load_data_dir

from .conftest import digest, run_cli, small_data_dir

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")


def test_small_directory_loads(tmp_path: Path) -> None:
    ds = load_data_dir(small_data_dir(tmp_path / "data"))
    # official_small.json holds 2 contracts; the fixtures 2 clauses rows and 3 participations
    assert (len(ds.contracts), len(ds.clauses), len(ds.participations)) == (2, 2, 3)


def test_fifo_and_dangling_links_are_reported_not_read(tmp_path: Path) -> None:
    data = small_data_dir(tmp_path / "data")
    os.mkfifo(data / "contracts" / "pipe.json")
    os.symlink("missing-target.json", data / "contracts" / "x.json")
    os.symlink("user@host.1234:1700000000", data / ".#clauses.csv")  # an editor's lock link
    before = digest(data)
    with pytest.raises(InputError) as exc:
        load_data_dir(data)
    found = {(p.file, p.message.split(":")[0]) for p in exc.value.problems}
    assert found == {("contracts/pipe.json", "not a regular file (a named pipe, socket or device)"),
                     ("contracts/x.json", "a symbolic link to a missing file")}
    assert digest(data) == before


def test_cli_with_fifo_dangling_link_and_link_loops_exits_2_without_hanging(tmp_path: Path) -> None:
    data = small_data_dir(tmp_path / "data")
    os.mkfifo(data / "clauses-pipe.csv")
    os.symlink("missing-target.json", data / "contracts" / "x.json")
    os.symlink("user@host.1234:1700000000", data / ".#clauses.csv")
    for name in ("loop-a", "loop-b"):  # followed blindly, two loops make 2^40 paths
        os.symlink(".", data / name)
    before = digest(data)
    m = run_cli(tmp_path, "--data-dir", str(data), "--out", str(tmp_path / "out"), timeout=120)
    assert m.returncode == 2, m.stderr
    assert "clauses-pipe.csv: not a regular file" in m.stderr
    assert "contracts/x.json: a symbolic link to a missing file" in m.stderr
    assert ".#clauses.csv" not in m.stderr and "Traceback" not in m.stderr
    assert m.seconds < 60 and m.peak_mb < 1500, (m.seconds, m.peak_mb)  # used to hang
    assert digest(data) == before
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # about 5 s idle (a kernel starts); each case is also tested in-process
def test_cli_lists_deep_json_and_nul_cell_together(tmp_path: Path) -> None:
    data = small_data_dir(tmp_path / "data")
    (data / "contracts" / "deep.json").write_text('{"marches": {"marche": [{"id": '
                                                  + "[" * 20_000 + "]" * 20_000 + "}]}}")
    lines = (data / "participations.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("P001", "P0\x0001")  # spreadsheet row 2
    (data / "participations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = digest(data)
    m = run_cli(tmp_path, "--data-dir", str(data), "--out", str(tmp_path / "out"), "--no-cache")
    assert m.returncode == 2, m.stderr
    assert "deep.json: arrays and objects are nested more than 64 levels deep" in m.stderr
    assert "participations.csv, row 2, column 'beneficiary_id': the cell holds a control " \
           "character" in m.stderr
    assert "Traceback" not in m.stderr and "RecursionError" not in m.stderr
    assert m.seconds < 60 and m.peak_mb < 1500, (m.seconds, m.peak_mb)
    assert digest(data) == before
