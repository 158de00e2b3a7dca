"""Small-cell suppression of everything that counts people, with secondary suppression.

Rule. Reports publish aggregates only, never rows about a person.

1. *Primary suppression.* A count of people below ``min_cell_size`` (default 11; a smaller size is a
   deliberate choice of the evaluator) is never published. A share of people k / n is published only
   when its numerator k and its complement n − k are both ≥ ``min_cell_size``; the share and its
   numerator are suppressed together. Hours, ETP and hours per beneficiary of a group whose people
   count is suppressed are suppressed with it (they are that group's hours, often one person's), and
   so are its hours on clause contracts and the ratios that give them back (achievement ratio, hours
   per 1 000 €).
   An *empty* group (0 people, so 0 hours) is not a small cell: saying that nobody is in it tells
   nothing about a person, and is published (a buyer without any beneficiary shows 0 and 0 h). A
   share with a zero numerator is still suppressed: "none of these 40 people is a woman" says
   something about each of the 40.
2. *Secondary suppression.* A *partition* is a set of cells that add up to a total (the six exit
   outcomes add up to the missions ended; the beneficiaries of each buyer add up to all beneficiaries;
   women plus "everyone else" add up to all beneficiaries). Some parts of a partition are never
   published at all (everyone who is not a woman; people aged 26 to 49): they are its *rest*. In a
   partition whose total is published, the unpublished parts (suppressed cells and the rest) are
   recoverable only through their sum, total − published cells. So, when an unpublished part is small
   (below the size) or suppressed, the unpublished parts must be at least two and add up to at least
   ``min_cell_size`` people; otherwise the smallest non-empty published cell is suppressed too (the
   first in order on ties), and again until this holds, or, when no cell is left, the total. When the
   total is suppressed, at least one cell must stay unpublished, or the total would be their sum. A
   partition of nobody (every part 0) needs nothing.
3. *Check across partitions.* Partitions share cells (the sorties dynamiques are a cell of the exits
   and the total of their three outcomes; a buyer's row is a cell of the beneficiaries, of the hours and
   of the hours on clause contracts). After step 2 the whole system of sums is solved exactly: a
   suppressed value, or a rest below the size, that is a linear combination of published values
   (a single solution of the sums) gets the smallest published cell of one of its partitions suppressed,
   and steps 2-3 start again. The result: no suppressed value equals an expression of published ones.

A suppressed value becomes ``None`` (``null`` in JSON, empty in CSV) and its key is listed
(``activity.exits.en_cours_n``; table cells as ``tables.activity_by_buyer.<row>.<column>``).

Limits. The check is on exact values: bounds (a suppressed cell lies between 0 and the unpublished
sum) remain, which is why the unpublished sum must itself reach the size. A person counted in two
cells of an overlapping breakdown (a person working for two buyers) counts twice in that sum.
Differencing two runs over overlapping scopes (one more buyer, a later ``as_of``) is outside what
one run can prevent: see the assumption A-DIFFERENCING in docs/assumptions.md.

Reference: Hundepool et al., *Statistical Disclosure Control* (Wiley, 2012), ch. 4 (threshold rule,
secondary suppression of tabular data).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CellRule:
    """Publish ``paths`` (dotted keys into the indicators dict, or ``prefix.row.column`` cells of a
    table) only if every value of ``counts`` is ≥ min_cell_size; the paths are suppressed together.
    For a people count n: ``counts=(n,)``; for a share k/n: ``counts=(k, n − k)``."""

    paths: tuple[str, ...]
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Partition:
    """Cells that add up to a total: ``total = Σ cells + rest``.

    ``total`` and ``cells`` are keys (a path of a :class:`CellRule`, or a value always published);
    ``sizes`` the number of people of each cell; ``rest`` the people of the part of the total that
    no published cell covers (never published; None when the cells cover the total). ``name`` names
    the partition (and its rest, ``<name>.rest``, in error messages and checks)."""

    name: str
    total: str
    cells: tuple[str, ...]
    sizes: tuple[int, ...]
    rest: int | None = None


def count_rule(path: str, n: int, *linked: str) -> CellRule:
    """Rule for a people count at ``path`` (and values derived from it, e.g. hours per person).
    An empty group (n = 0) is published: see the module's rule."""
    return CellRule((path, *linked), (int(n),) if int(n) != 0 else ())


def share_rule(share_path: str, count_path: str, numerator: int, denominator: int) -> CellRule:
    """Rule for a share ``numerator / denominator`` of people and its numerator count."""
    return CellRule((share_path, count_path), (int(numerator), int(denominator) - int(numerator)))


def partition(name: str, total: str, total_size: int, cells: Mapping[str, int], *,
              covers_total: bool) -> Partition:
    """Partition of ``total`` (``total_size`` people) into ``cells`` {key: people}.

    ``covers_total=False``: the cells are only some parts of the total (women among all people): the
    rest, total − Σ cells, is a part that is never published. ``covers_total=True``: the cells are
    meant to cover the total (the exit outcomes of the missions ended); a rest is kept only when it is
    positive (missions without an outcome), and cells that overlap (Σ cells > total, a person working
    for two buyers) give no rest."""
    sizes = tuple(int(v) for v in cells.values())
    rest = int(total_size) - sum(sizes)
    keep = (rest > 0) if covers_total else True
    return Partition(name, total, tuple(cells), sizes, max(rest, 0) if keep else None)


# --- the engine -----------------------------------------------------------------------------------

class _Groups:
    """Keys grouped by rule (a rule's keys are suppressed together); a key of a partition that no rule
    governs is a group of its own, published unless secondary suppression needs it."""

    def __init__(self, rules: Iterable[CellRule], partitions: Sequence[Partition]) -> None:
        self.of: dict[str, int] = {}
        self.paths: list[tuple[str, ...]] = []
        self.primary: list[bool] = []
        self._rules = list(rules)
        for rule in self._rules:
            gid = len(self.paths)
            self.paths.append(rule.paths)
            for path in rule.paths:
                self.of.setdefault(path, gid)
        for p in partitions:
            for key in (p.total, *p.cells):
                if key not in self.of:
                    self.of[key] = len(self.paths)
                    self.paths.append((key,))

    def primary_suppressed(self, min_cell_size: int) -> set[int]:
        out: set[int] = set()
        for gid, rule in enumerate(self._rules):      # rule i is group i
            if any(c < min_cell_size for c in rule.counts):
                out.add(gid)
                out.update(self.of[p] for p in rule.paths)   # a key shared by two rules
        return out


def _empty(p: Partition) -> bool:
    """A partition of nobody (every part 0, or no part at all): it says nothing about a person."""
    return sum(p.sizes) + (p.rest or 0) == 0


def _smallest(p: Partition, published: list[int]) -> int | None:
    """The published cell to suppress next: the smallest non-empty one (suppressing an empty cell
    adds nobody to the unpublished sum), first in order on ties; an empty one if all are."""
    if not published:
        return None
    return min(published, key=lambda i: (p.sizes[i] == 0, p.sizes[i], i))


def _partition_fix(p: Partition, groups: _Groups, sup: set[int], m: int) -> int | None:
    """Group to suppress so that partition ``p`` satisfies step 2 of the rule, or None if it does."""
    if _empty(p):
        return None
    hidden_cells = [i for i, key in enumerate(p.cells) if groups.of[key] in sup]
    published = [i for i, key in enumerate(p.cells) if groups.of[key] not in sup]
    smallest = _smallest(p, published)
    if groups.of[p.total] in sup:
        # total unknown: it must not be the sum of published cells
        if not hidden_cells and p.rest is None and smallest is not None:
            return groups.of[p.cells[smallest]]
        return None
    sizes = [p.sizes[i] for i in hidden_cells] + ([p.rest] if p.rest is not None else [])
    sensitive = bool(hidden_cells) or (p.rest is not None and p.rest < m)
    if not sensitive or (len(sizes) >= 2 and sum(sizes) >= m):
        return None
    return groups.of[p.cells[smallest]] if smallest is not None else groups.of[p.total]


def _unknowns(partitions: Sequence[Partition], groups: _Groups, sup: set[int], m: int
              ) -> tuple[list[str], np.ndarray, set[str]]:
    """Unknown keys (suppressed keys and rests), the sums as a matrix over them (one row per
    partition: total − Σ cells − rest = 0, published terms dropped), and the keys to protect."""
    keys: dict[str, int] = {}
    protect: set[str] = set()
    entries: list[tuple[int, str, float]] = []
    for r, p in enumerate(partitions):
        if _empty(p):
            continue
        terms = [(p.total, 1.0)] + [(c, -1.0) for c in p.cells]
        for key, coef in terms:
            if groups.of[key] in sup:
                entries.append((r, key, coef))
                protect.add(key)
        if p.rest is not None:
            rest_key = f"{p.name}.rest"
            entries.append((r, rest_key, -1.0))
            if p.rest < m:
                protect.add(rest_key)
    for _, key, _ in entries:
        keys.setdefault(key, len(keys))
    a = np.zeros((len(partitions), len(keys)))
    for r, key, coef in entries:
        a[r, keys[key]] += coef
    return list(keys), a, protect


def determined(a: np.ndarray) -> np.ndarray:
    """For the linear system a · x = b (b known), which unknowns x_j have one value for every
    solution: those whose unit vector lies in the row space of ``a`` (its squared projection on an
    orthonormal basis of the row space, from the SVD, is 1)."""
    if a.size == 0:
        return np.zeros(a.shape[1], dtype=bool)
    _, s, vt = np.linalg.svd(a, full_matrices=False)
    rank = int((s > 1e-9 * max(s.max(initial=0.0), 1.0)).sum())
    return (vt[:rank] ** 2).sum(axis=0) > 1.0 - 1e-9


def _linear_fix(partitions: Sequence[Partition], groups: _Groups, sup: set[int], m: int) -> int | None:
    keys, a, protect = _unknowns(partitions, groups, sup, m)
    fixed = determined(a)
    leaks = sorted(k for k, f in zip(keys, fixed) if f and k in protect)
    if not leaks:
        return None
    solved = {k for k, f in zip(keys, fixed) if f}
    for target in (leaks[0], *sorted(solved)):
        for p in partitions:
            members = (p.total, *p.cells, f"{p.name}.rest")
            if target not in members:
                continue
            published = [i for i, key in enumerate(p.cells) if groups.of[key] not in sup]
            if published:
                return groups.of[p.cells[_smallest(p, published)]]
            if groups.of[p.total] not in sup:
                return groups.of[p.total]
    raise RuntimeError(f"privacy: cannot protect {leaks[0]} (every value of its sums is suppressed)")


def suppressed_keys(rules: Iterable[CellRule], partitions: Sequence[Partition] = (),
                    min_cell_size: int = 11) -> list[str]:
    """Sorted keys to suppress: primary suppression of ``rules``, then secondary suppression over
    ``partitions`` until no suppressed value (or small rest) can be recovered from the published
    ones (steps 1-3 of the module's rule)."""
    groups = _Groups(rules, partitions)
    sup = groups.primary_suppressed(min_cell_size)
    while True:
        added = False
        for p in partitions:
            gid = _partition_fix(p, groups, sup, min_cell_size)
            if gid is not None:
                sup.add(gid)
                added = True
        if added:
            continue
        gid = _linear_fix(partitions, groups, sup, min_cell_size)
        if gid is None:
            break
        sup.add(gid)
    return sorted({path for gid in sup for path in groups.paths[gid]})


# --- applying it ----------------------------------------------------------------------------------

def _set(tree: dict[str, Any], path: str, value: Any) -> None:
    node = tree
    keys = path.split(".")
    for key in keys[:-1]:
        if not isinstance(node, dict) or key not in node:
            raise KeyError(f"privacy rule names a key absent from the indicators: {path}")
        node = node[key]
    if keys[-1] not in node:
        raise KeyError(f"privacy rule names a key absent from the indicators: {path}")
    node[keys[-1]] = value


def _blank_table(table: pd.DataFrame, prefix: str, keys: Iterable[str]) -> pd.DataFrame:
    out = table.copy()
    labels = {str(idx): idx for idx in out.index}
    cols = {str(c): c for c in out.columns}
    rows_of: dict[str, list[Any]] = {}  # one assignment per column: national tables blank 10^5 cells
    for key in keys:
        row, _, col = key[len(prefix) + 1:].rpartition(".")
        if row not in labels or col not in cols:
            raise KeyError(f"privacy rule names a cell absent from the table {prefix}: {key}")
        rows_of.setdefault(col, []).append(labels[row])
    for col, rows in rows_of.items():
        if out[cols[col]].dtype.kind in "iub":
            out[cols[col]] = out[cols[col]].astype(float)
        out.loc[rows, cols[col]] = np.nan
    return out


def publish(values: dict[str, Any], tables: Mapping[str, pd.DataFrame], rules: Iterable[CellRule],
            partitions: Sequence[Partition], min_cell_size: int
            ) -> tuple[dict[str, Any], dict[str, pd.DataFrame], list[str]]:
    """Apply the rule to ``values`` (nested dict) and ``tables`` ({key prefix: table}; the key
    ``"<prefix>.<row index>.<column>"`` names a cell). Returns copies with every suppressed value set to
    None (NaN in tables) and the sorted suppressed keys. The inputs are not modified."""
    keys = suppressed_keys(rules, partitions, min_cell_size)
    out = copy.deepcopy(values)
    by_table: dict[str, list[str]] = {prefix: [] for prefix in tables}
    for key in keys:
        prefix = next((p for p in tables if key.startswith(p + ".")), None)
        if prefix is None:
            _set(out, key, None)
        else:
            by_table[prefix].append(key)
    out_tables = {prefix: _blank_table(t, prefix, by_table[prefix]) for prefix, t in tables.items()}
    return out, out_tables, keys


def apply_privacy(values: dict[str, Any], rules: Iterable[CellRule], min_cell_size: int,
                  partitions: Sequence[Partition] = ()) -> tuple[dict[str, Any], list[str]]:
    """Copy of ``values`` with every suppressed key set to None, and the sorted list of the
    suppressed keys (primary suppression of ``rules``, secondary over ``partitions``)."""
    out, _, keys = publish(values, {}, rules, partitions, min_cell_size)
    return out, keys


def table_rules(table: pd.DataFrame, count_column: str, governed: Sequence[str], prefix: str
                ) -> list[CellRule]:
    """One rule per row of a table of people counts: the row's ``governed`` columns (its count first,
    then its hours, ETP, hours per person...) are published only if its ``count_column`` reaches the
    size (or is 0: an empty row)."""
    counts = table[count_column].to_numpy(float)
    return [count_rule(f"{prefix}.{idx}.{governed[0]}", int(n),
                       *(f"{prefix}.{idx}.{col}" for col in governed[1:]))
            for idx, n in zip(table.index, counts)]


def table_partition(name: str, table: pd.DataFrame, column: str, count_column: str, prefix: str,
                    total: str, total_size: int) -> Partition:
    """The rows of ``column`` as cells adding up to ``total`` (``total_size`` people); each row's size
    is its ``count_column``. Rows may overlap (a person in two rows): no rest then."""
    cells = {f"{prefix}.{idx}.{column}": int(n)
             for idx, n in zip(table.index, table[count_column].to_numpy(float))}
    return partition(name, total, total_size, cells, covers_total=True)


def suppress_table(table: pd.DataFrame, count_column: str, governed: Sequence[str],
                   min_cell_size: int, prefix: str, total: int | None = None
                   ) -> tuple[pd.DataFrame, list[str]]:
    """Suppression of a table of people counts (e.g. beneficiaries per buyer): where ``count_column``
    < min_cell_size, the columns ``governed`` (including the count) become NaN. With ``total`` (the
    published number of people of all rows), rows are suppressed as a partition of it (secondary
    suppression: never a single suppressed row, nor suppressed rows of fewer than min_cell_size
    people in all). Returns the table and the suppressed keys as ``"{prefix}.{row index}.{column}"``."""
    rules = table_rules(table, count_column, governed, prefix)
    parts: list[Partition] = []
    if total is not None:
        rules.append(CellRule((f"{prefix}.total",), (int(total),)))
        parts = [table_partition(prefix, table, count_column, count_column, prefix,
                                 f"{prefix}.total", total)]
    keys = suppressed_keys(rules, parts, min_cell_size)
    keys = [k for k in keys if k != f"{prefix}.total"]
    return _blank_table(table, prefix, keys), keys
