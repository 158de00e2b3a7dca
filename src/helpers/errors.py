"""Input errors that name the file, the rows and the column, and list every problem found."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

ON_INVALID = ("strict", "quarantine")
"""What the readers do with an invalid row: stop, listing every problem of every file (``strict``),
or set the row aside with its reason and go on (``quarantine``)."""
OnInvalid = Literal["strict", "quarantine"]

EXIT_INPUT_ERROR = 2


@dataclass(frozen=True)
class Problem:
    """One problem in one input file.

    ``rows`` are 1-based line numbers of the data rows as a user sees them in a spreadsheet
    (header = row 1, first data row = row 2) for CSV/XLSX, or record indexes (0-based, ``#i``)
    for JSON; empty when the problem concerns the whole file or a whole column.
    """

    file: str
    column: str | None
    message: str
    rows: tuple[int, ...] = ()

    def __str__(self) -> str:
        where = self.file
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" (+{len(self.rows) - 10} more)" if len(self.rows) > 10 else ""
            where += f", row{'s' if len(self.rows) > 1 else ''} {shown}{more}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


@dataclass
class InputError(Exception):
    """Raised when inputs are invalid. Carries every problem found, not only the first."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found in the input data:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])

    def __str__(self) -> str:  # dataclass would otherwise print the field list
        return self.render()


class ProblemCollector:
    """Accumulates problems while a reader checks a file, then raises them all at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, column: str | None, message: str, rows: Iterable[int] = ()) -> None:
        self.problems.append(Problem(str(file), column, message, tuple(int(r) for r in rows)))

    def extend(self, problems: Sequence[Problem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(list(self.problems))
