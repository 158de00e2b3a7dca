"""Check that a change left the reports unchanged: compare two report trees file by file.

Usage (from the project root)::

    git worktree add /tmp/sca-before <commit before the change>
    (cd /tmp/sca-before && PYTHONPATH=src ../main/.venv/bin/python -m helpers run-all \\
        --years 2022 2023 2024 2025 --no-cache --out /tmp/reports-before)
    .venv/bin/python -m helpers run-all --years 2022 2023 2024 2025 --no-cache --out /tmp/reports-after
    .venv/bin/python tools/compare_reports.py /tmp/reports-before /tmp/reports-after

What it checks:

* the two trees hold the same files (relative paths);
* every file is byte-identical, except the executed notebooks (``*.ipynb``), whose cell *sources*
  may differ (a refactoring renames the functions a cell calls): for those, every output of every
  code cell (text, HTML, images, errors) must be identical, execution counts aside.

Exit code 0 when nothing differs, 1 otherwise (each difference on one line), 2 on bad arguments.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def files(root: Path) -> set[str]:
    """Relative paths of every file under ``root``."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def outputs(path: Path) -> list[str]:
    """Every output of every code cell of a notebook, as canonical JSON (execution counts and
    output metadata left out)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for o in cell.get("outputs", []):
            kept = {k: v for k, v in o.items() if k not in ("execution_count", "metadata")}
            out.append(json.dumps(kept, sort_keys=True))
    return out


def compare(before: Path, after: Path) -> list[str]:
    """The differences between two report trees, one sentence each (empty: identical)."""
    a, b = files(before), files(after)
    problems = [f"only in {before}: {name}" for name in sorted(a - b)]
    problems += [f"only in {after}: {name}" for name in sorted(b - a)]
    for name in sorted(a & b):
        x, y = before / name, after / name
        if x.read_bytes() == y.read_bytes():
            continue
        if name.endswith(".ipynb"):
            if outputs(x) != outputs(y):
                problems.append(f"outputs differ: {name}")
        else:
            problems.append(f"content differs: {name}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not all(Path(p).is_dir() for p in argv):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        print("error: give two report folders that exist", file=sys.stderr)
        return 2
    before, after = (Path(p) for p in argv)
    problems = compare(before, after)
    for line in problems:
        print(line)
    n = len(files(before))
    print(f"{n} files compared: " + ("no difference" if not problems else
                                     f"{len(problems)} difference(s)"), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
