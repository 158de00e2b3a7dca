"""Hostile parameters through the command line: exit code 2 and one clear line, before any data is
read or any notebook starts, in bounded time and memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import digest, run_cli, small_data_dir

LAUGHS = "\n".join(['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
                   + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
                   + ["buyers: *a8", ""])


@pytest.mark.parametrize(("content", "expected"), [
    (LAUGHS, "not valid YAML: aliases (*name) are not allowed in a parameters file"),
    ("year: 2024\netp_hours: 1.0e-320\n", "etp_hours: expected the hours of one full-time "
                                          "equivalent, between 1 and 10000"),
])  # the other parameter checks are tested in-process (tests/test_params.py)
def test_bad_parameters_file_exits_2(tmp_path: Path, content: str | bytes, expected: str) -> None:
    data = small_data_dir(tmp_path / "data")
    params = tmp_path / "p.yml"
    if isinstance(content, bytes):
        params.write_bytes(content)
    else:
        params.write_text(content, encoding="utf-8")
    before = digest(tmp_path / "data")
    m = run_cli(tmp_path, "--params", str(params), "--data-dir", str(data),
                "--out", str(tmp_path / "out"), timeout=60)
    assert m.returncode == 2, m.stderr
    assert expected in m.stderr and "Traceback" not in m.stderr
    assert m.seconds < 30 and m.peak_mb < 600, (m.seconds, m.peak_mb)  # the laughs reached 6 GB
    assert digest(tmp_path / "data") == before
    assert not (tmp_path / "out").exists()


def test_params_path_missing_or_a_folder_exits_2(tmp_path: Path) -> None:
    m = run_cli(tmp_path, "--params", str(tmp_path), "--out", str(tmp_path / "out"), timeout=60)
    assert m.returncode == 2 and "is a folder, not a YAML parameters file" in m.stderr
    assert "Traceback" not in m.stderr
