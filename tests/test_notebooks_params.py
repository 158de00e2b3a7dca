"""The committed notebooks: one `parameters` cell of commented literals with exactly the names and
defaults of docs/design.md §4.1, thin code cells, and deterministic outputs (what nbval compares)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from helpers import notebook_params
from helpers.config import DEFAULT_PARAMS, NOTEBOOKS_DIR
from helpers.params import PARAM_NAMES

YEAR_NOTEBOOKS = ["01_data_quality.ipynb", "02_declared_share.ipynb",
                  "03_insertion_outcomes.ipynb", "04_social_washing.ipynb"]


@pytest.fixture(params=YEAR_NOTEBOOKS)
def notebook(request: pytest.FixtureRequest) -> tuple[Path, nbformat.NotebookNode]:
    path = NOTEBOOKS_DIR / request.param
    assert path.is_file(), f"{path} is missing"
    return path, nbformat.read(str(path), as_version=4)


def test_exactly_one_parameters_cell_of_commented_literals(notebook) -> None:
    path, nb = notebook
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1 and cells[0].cell_type == "code"
    tree = ast.parse(cells[0].source)
    values = {}
    types = {}
    for node in tree.body:
        # typed literal: `name: type = <literal>`
        assert isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
        values[node.target.id] = ast.literal_eval(node.value)  # raises if not a literal
        types[node.target.id] = ast.unparse(node.annotation)
    assert types == {"year": "int", "buyers": "list[str]", "data_dir": "str", "scope": "str",
                     "target": "float", "min_delivery_ratio": "float", "as_of": "str",
                     "min_contracts": "int", "alpha": "float", "etp_hours": "float",
                     "min_cell_size": "int", "allow_small_cells": "bool", "language": "str"}
    assert list(values) == list(PARAM_NAMES)  # exactly the names of docs/design.md §4.1, in its order
    assert values == DEFAULT_PARAMS           # and its defaults (data_dir "data/demo")
    for line in cells[0].source.splitlines():
        assert "  # " in line, f"{path.name}: parameter line without a comment: {line!r}"
    assert notebook_params.notebook_parameters(path) == values  # the run reads the same


def test_cells_are_thin(notebook) -> None:
    """No logic in the notebooks: no function/class definitions, loops or imports beyond helpers."""
    path, nb = notebook
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While,
                                         ast.Lambda)), f"{path.name}: logic in a cell"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                assert getattr(node, "module", None) == "helpers", f"{path.name}: import"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


VOLATILE = re.compile(r"/work/|/tmp/|/home/|[A-Z]:\\\\|\d{4}-\d\d-\d\dT\d\d:\d\d|<Figure size|"
                      r"object at 0x|\d+(\.\d+)? ?s elapsed|%\|")


def test_committed_outputs_are_executed_and_stable(notebook) -> None:
    path, nb = notebook
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), \
        f"{path.name} is not executed: run `make notebooks`"
    assert "papermill" not in nb.metadata
    for c in code:
        for out in c.outputs:
            assert out.output_type != "error", f"{path.name}: an error is committed"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"{path.name}: stderr output {out.text[:200]!r}"
            text = str(out.get("text", "")) + "".join(
                str(v) for k, v in out.get("data", {}).items() if not k.startswith("image/"))
            assert not VOLATILE.search(text), f"{path.name}: volatile output {VOLATILE.search(text)}"
