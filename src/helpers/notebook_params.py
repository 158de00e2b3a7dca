"""The notebooks of a run and their ``parameters`` cell: which notebooks run for a year, what each
declares, and the check that every run parameter is declared by every notebook.

Papermill only warns about a parameter a notebook does not declare, and would silently run with the
notebook's own default; so every notebook's ``parameters`` cell (exactly one code cell tagged
``parameters``) is read as JSON and parsed with :mod:`ast` before anything runs: only literal
assignments (``name = <literal>``) are allowed, and a name the run passes but a notebook does not
declare is an error naming the notebook (:class:`~helpers.params.ParameterError`, exit code 2).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .params import ParameterError, check_names
from .report import cell_source

RESEARCH_NOTEBOOKS: dict[str, str] = {"05_trends.ipynb": "trends", "06_hypotheses.ipynb": "hypotheses"}
"""Research notebooks: run by ``run-all``, once, into ``<out>/<folder>/``; not part of a year."""


def read_notebook_json(path: Path) -> dict[str, Any]:
    """A notebook file as plain JSON (what the parameter checks need, without importing nbformat);
    :class:`ParameterError` when it is not a readable notebook."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ParameterError(f"{path.name}: cannot read the notebook ({exc})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ParameterError(f"{path.name}: not a Jupyter notebook (no list of cells)")
    return nb


def parameters_cell(nb: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """The single code cell tagged ``parameters``; :class:`ParameterError` if there are 0 or several."""
    cells = [c for c in nb["cells"]
             if c.get("cell_type") == "code"
             and "parameters" in (c.get("metadata") or {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{where}: expected exactly one code cell tagged 'parameters', "
                             f"found {len(cells)}")
    return cells[0]


def notebook_parameters(path: str | Path) -> dict[str, Any]:
    """Names and literal default values of a notebook's ``parameters`` cell, in order.

    Only assignments of literals (``name = <literal>``, optionally annotated) are allowed: anything
    else is a :class:`ParameterError` naming the notebook and the line.
    """
    p = Path(path)
    cell = parameters_cell(read_notebook_json(p), p.name)
    try:
        tree = ast.parse(cell_source(cell))
    except SyntaxError as exc:
        raise ParameterError(f"{p.name}: parameters cell is not valid Python: {exc}") from exc
    out: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.value is not None:
            name, value = node.target.id, node.value
        else:
            raise ParameterError(f"{p.name}: parameters cell line {node.lineno}: only "
                                 "`name = <literal>` assignments are allowed")
        try:
            out[name] = ast.literal_eval(value)
        except ValueError as exc:
            raise ParameterError(f"{p.name}: parameters cell line {node.lineno}: value of "
                                 f"{name!r} is not a literal") from exc
    return out


def year_notebooks(notebooks_dir: Path) -> list[Path]:
    """The per-year notebooks: every ``*.ipynb`` of the folder except the research ones, sorted."""
    return sorted(p for p in notebooks_dir.glob("*.ipynb") if p.name not in RESEARCH_NOTEBOOKS)


def check_notebook_parameters(notebooks: Sequence[Path], names: Sequence[str]) -> None:
    """Every name passed to the notebooks must be declared in each notebook's parameters cell.

    All problems across notebooks are collected before raising one :class:`ParameterError`.
    """
    problems: list[str] = []
    for nb in notebooks:
        try:
            check_names(list(names), set(notebook_parameters(nb)),
                        where=f"the parameters cell of {nb.name}")
        except ParameterError as exc:
            problems.append(str(exc))
    if problems:
        raise ParameterError("\n".join(problems))


__all__ = ["RESEARCH_NOTEBOOKS", "check_notebook_parameters", "notebook_parameters",
           "parameters_cell", "read_notebook_json", "year_notebooks"]
