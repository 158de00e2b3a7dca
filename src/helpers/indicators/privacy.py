"""Small-cell suppression of everything that counts people (DESIGN §3, Privacy).

Rule: a count of people below ``min_cell_size`` (default 11) is never published, and a share is
published only when its numerator and its complement (denominator − numerator) are both ≥ that size.
A suppressed value becomes ``None`` (``null`` in JSON, empty in CSV) and its key is listed.

Each suppression is a :class:`CellRule`: the dotted keys it governs (a share, its numerator count,
an average per person...) and the people counts that must all reach ``min_cell_size``. Keys are
suppressed together, so a small complement cannot be recovered by difference from a published
numerator and a published total.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CellRule:
    """Publish ``paths`` (dotted keys into the indicators dict) only if every value of ``counts`` is
    ≥ min_cell_size. For a people count n: ``counts=(n,)``; for a share k/n: ``counts=(k, n − k)``."""

    paths: tuple[str, ...]
    counts: tuple[int, ...]


def count_rule(path: str, n: int, *linked: str) -> CellRule:
    """Rule for a people count at ``path`` (and values derived from it, e.g. hours per person)."""
    return CellRule((path, *linked), (int(n),))


def share_rule(share_path: str, count_path: str, numerator: int, denominator: int) -> CellRule:
    """Rule for a share ``numerator / denominator`` of people and its numerator count."""
    return CellRule((share_path, count_path), (int(numerator), int(denominator) - int(numerator)))


def _set(tree: dict[str, Any], path: str, value: Any) -> None:
    node = tree
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[key]
    if keys[-1] not in node:
        raise KeyError(f"privacy rule names a key absent from the indicators: {path}")
    node[keys[-1]] = value


def apply_privacy(values: dict[str, Any], rules: Iterable[CellRule],
                  min_cell_size: int) -> tuple[dict[str, Any], list[str]]:
    """Copy of ``values`` with every key of a failing rule set to None, and the sorted list of the
    suppressed keys (DESIGN §3)."""
    out = copy.deepcopy(values)
    suppressed: set[str] = set()
    for rule in rules:
        if any(c < min_cell_size for c in rule.counts):
            for path in rule.paths:
                _set(out, path, None)
                suppressed.add(path)
    return out, sorted(suppressed)


def suppress_table(table: pd.DataFrame, count_column: str, governed: Sequence[str],
                   min_cell_size: int, prefix: str) -> tuple[pd.DataFrame, list[str]]:
    """Per-row suppression of a table of people counts (e.g. beneficiaries per buyer): where
    ``count_column`` < min_cell_size, the columns ``governed`` (including the count) become NaN.
    Returns the table and the suppressed keys as ``"{prefix}.{row index}.{column}"``."""
    out = table.copy()
    small = out[count_column].to_numpy(float) < min_cell_size
    keys = [f"{prefix}.{idx}.{col}" for idx in out.index[small] for col in governed]
    for col in governed:
        out[col] = out[col].astype(float).where(~small, np.nan)
    return out, sorted(keys)
