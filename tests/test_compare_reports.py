"""tools/compare_reports.py: the check that a refactoring left the reports unchanged."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from helpers.config import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location("compare_reports",
                                               PROJECT_ROOT / "tools" / "compare_reports.py")
compare_reports = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare_reports)


def notebook(path: Path, source: str, text: str, count: int = 1) -> None:
    cell = {"cell_type": "code", "execution_count": count, "metadata": {}, "source": source,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}), encoding="utf-8")


def tree(root: Path, source: str = "nb.say('x')", text: str = "42\n", csv: str = "a\n1\n",
         count: int = 1) -> Path:
    (root / "2024").mkdir(parents=True)
    (root / "2024" / "buyers.csv").write_text(csv, encoding="utf-8")
    notebook(root / "2024" / "04.ipynb", source, text, count)
    return root


def test_identical_trees_and_renamed_calls_are_no_difference(tmp_path: Path) -> None:
    before = tree(tmp_path / "a")
    # the cell calls another module and ran with another execution count: same outputs
    after = tree(tmp_path / "b", source="nbv.say('x')", count=7)
    assert compare_reports.compare(before, after) == []
    assert compare_reports.main([str(before), str(after)]) == 0


def test_a_changed_output_a_changed_file_and_a_missing_file_are_each_reported(tmp_path: Path
                                                                           ) -> None:
    before = tree(tmp_path / "a")
    (before / "2024" / "summary.pdf").write_bytes(b"%PDF")
    after = tree(tmp_path / "b", text="43\n", csv="a\n2\n")
    assert compare_reports.compare(before, after) == [
        f"only in {before}: 2024/summary.pdf",
        "outputs differ: 2024/04.ipynb",      # common files in path order: "04" before "buyers"
        "content differs: 2024/buyers.csv",
    ]
    assert compare_reports.main([str(before), str(after)]) == 1


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert compare_reports.main([str(tmp_path)]) == 2
    assert compare_reports.main([str(tmp_path), str(tmp_path / "absent")]) == 2
