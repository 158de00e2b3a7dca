"""Report folders that a run may replace, and the rule that keeps a run from deleting anything it did
not write.

The rule: a run never deletes or overwrites a file or folder it did not write. A run replaces
``<out>/<year>/`` (and ``trends/``, ``hypotheses/``) as a whole, so before any work it must be sure
each such folder is an old report of this tool and not the user's data. This module holds what
guarantees it; the pages themselves (notebook HTML, index pages) are written by
:mod:`helpers.report`.

The marker
----------
Every folder the tool creates in an output folder (year and research folders, and the staging
folders they are built in) holds a marker file, :data:`MARKER`, a small JSON object
``{"tool": "social-clause-audit", "kind": ..., "files": [...]}``:

* a folder is replaced only when it holds a valid marker of a report (``kind`` ``year`` or
  ``research``) and nothing but the files that marker lists (a file a user put there stops the run);
  a symbolic link, a file, or a folder without the marker at the target stops the run before any work
  (:func:`check_replaceable`, :class:`UnsafeOutput`, exit code 2);
* an output folder equal to, inside, or containing the data directory is refused
  (:func:`check_out_and_data`);
* the index pages (``<out>/index.html``) carry the comment :data:`INDEX_MARK` and an existing page is
  overwritten only when it carries it, or begins as the root pages of earlier versions did
  (:data:`LEGACY_INDEX`) (:func:`check_index`).

The swap
--------
A report is built in a marked staging folder beside its target (:func:`staging_folder`) and put in
place by renames on the same filesystem (:func:`swap_in`, :func:`build_into`): the previous report
is moved aside, and deleted only once the new one is in place (restored if the rename fails); a
build that fails or is interrupted leaves the previous report as it was. Staging folders, and
previous reports moved aside, are named ``.<name>.staging-*`` / ``.<name>.old-*`` and marked with
the process id and host that made them; a killed run leaves them behind and the next run deletes
those whose process is gone (same host) or that are older than :data:`STALE_S`
(:func:`remove_stale`); nothing unmarked is ever deleted. :func:`clean_reports` (the command
``python -m helpers clean-reports``, :func:`main_clean`) deletes only marked report folders that
hold nothing else, stale staging folders, the tool's index pages, and the data-set folders these
removals left empty.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

MARKER = ".social-clause-audit-report"
"""Name of the marker file of every folder the tool creates in an output folder."""
TOOL = "social-clause-audit"
MARKER_FORMAT = 1
REPORT_KINDS = ("year", "research")
"""Kinds of marked folders a run may replace (the others are staging and moved-aside folders)."""
INDEX_MARK = "<!-- social-clause-audit index: written by python -m helpers run; safe to replace -->"
"""Comment inside every index page the tool writes; an ``index.html`` without it is never replaced."""
LEGACY_INDEX = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
                '<title>Social Clause Audit — reports</title>\n<style>')
"""How the root index page of the versions before the marker comment began: such a page is the
tool's too (so a ``make report`` after an upgrade does not stop on its own old page)."""
STALE_S = 24 * 3600.0
"""A marked staging or moved-aside folder older than this is stale even when its process cannot be
checked (another host)."""


class UnsafeOutput(Exception):
    """The output folder holds something the tool did not write where the run would write: the run
    stops before any work (exit code 2)."""


def write_marker(folder: Path, kind: str, **extra: Any) -> Path:
    """Write :data:`MARKER` into ``folder``: ``{"tool", "format", "kind", **extra}`` as sorted JSON."""
    path = folder / MARKER
    body = {"tool": TOOL, "format": MARKER_FORMAT, "kind": kind, **extra}
    path.write_text(json.dumps(body, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    return path


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of ``folder`` when it holds a valid one (a regular file, JSON object of this tool),
    else None."""
    path = folder / MARKER
    try:
        if path.is_symlink() or not path.is_file():
            return None
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("tool") != TOOL or not isinstance(body.get("kind"), str):
        return None
    return body


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if (p.is_file() or p.is_symlink()) and p.name != MARKER)


def check_replaceable(final: Path) -> None:
    """Raise :class:`UnsafeOutput` unless ``final`` is absent or a report folder this tool wrote: a
    real folder (not a link) with a valid marker of a report, holding only the files it lists."""
    if not os.path.lexists(final):
        return
    fix = "move it away or choose another --out"
    if final.is_symlink():
        raise UnsafeOutput(f"{final} is a symbolic link: the run would replace it; {fix}")
    if not final.is_dir():
        raise UnsafeOutput(f"{final} exists and is not a report folder; {fix}")
    marker = read_marker(final)
    if marker is None or marker.get("kind") not in REPORT_KINDS:
        raise UnsafeOutput(f"{final} exists and was not written by this tool (no {MARKER} file): "
                           f"the run replaces that folder as a whole and would delete it; {fix}")
    listed = marker.get("files")
    if isinstance(listed, list):
        extra = sorted(set(_files(final)) - {str(f) for f in listed})
        if extra:
            shown = ", ".join(extra[:5]) + (f" (+{len(extra) - 5} more)" if len(extra) > 5 else "")
            raise UnsafeOutput(f"{final} holds files this tool did not write ({shown}): the run "
                               f"replaces that folder as a whole and would delete them; move them "
                               "away or choose another --out")


def is_tool_index(path: Path) -> bool:
    """Whether ``path`` is an index page this tool wrote (it holds :data:`INDEX_MARK`)."""
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return INDEX_MARK in head or head.startswith(LEGACY_INDEX)


def check_index(path: Path) -> None:
    """Raise :class:`UnsafeOutput` when ``path`` exists and is not an index page this tool wrote."""
    if os.path.lexists(path) and (path.is_symlink() or not path.is_file() or not is_tool_index(path)):
        raise UnsafeOutput(f"{path} exists and was not written by this tool: the run would overwrite "
                           "it; move it away or choose another --out")


def check_out_and_data(out: Path, data_dir: Path) -> None:
    """Raise :class:`UnsafeOutput` when the output folder ``out`` is the data directory, lies inside
    it, or contains it (reports are replaced as a whole: the data must never be among them)."""
    o, d = Path(out).resolve(), Path(data_dir).resolve()
    if o == d or o.is_relative_to(d):
        raise UnsafeOutput(f"the output folder {out} is inside the data directory {data_dir}: "
                           "choose an --out outside it (default: reports/<data set>)")
    if d.is_relative_to(o):
        raise UnsafeOutput(f"the output folder {out} contains the data directory {data_dir}: "
                           "choose an --out that does not hold the data (default: reports/<data set>)")


def check_output(out: Path, names: Sequence[str], data_dir: Path | None = None,
                 index: bool = True) -> None:
    """Every check of a run writing ``<out>/<name>`` for each of ``names`` (and ``<out>/index.html``
    when ``index``), before any work: :func:`check_out_and_data`, :func:`check_replaceable`,
    :func:`check_index`. ``out`` itself must be a folder when it exists."""
    if data_dir is not None:
        check_out_and_data(out, data_dir)
    if os.path.lexists(out) and not out.is_dir():
        raise UnsafeOutput(f"the output folder {out} exists and is not a folder; choose another --out")
    for name in names:
        check_replaceable(out / name)
    if index:
        check_index(out / "index.html")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def is_stale(marker: dict[str, Any], now: float | None = None) -> bool:
    """Whether a staging or moved-aside folder's marker names a run that is over: its process is gone
    (same host), or it is older than :data:`STALE_S`."""
    now = time.time() if now is None else now
    created = marker.get("created")
    if isinstance(created, (int, float)) and now - created > STALE_S:
        return True
    pid = marker.get("pid")
    if marker.get("host") == socket.gethostname() and isinstance(pid, int) and pid > 0:
        return pid != os.getpid() and not _alive(pid)
    return False


def remove_stale(out: Path) -> list[Path]:
    """Delete the staging and moved-aside folders of ``out`` that killed runs left behind: only real
    folders named ``.<name>.staging-*`` or ``.<name>.old-*`` holding a marker of that kind whose run
    is over (:func:`is_stale`). Returns what was deleted."""
    removed: list[Path] = []
    if not out.is_dir():
        return removed
    for p in sorted(out.iterdir()):
        kind = ("staging" if ".staging-" in p.name else "old" if ".old-" in p.name else None)
        if kind is None or not p.name.startswith(".") or p.is_symlink() or not p.is_dir():
            continue
        marker = read_marker(p)
        if marker is None or marker.get("kind") != kind or not is_stale(marker):
            continue
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


def _owner() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "created": time.time()}


def staging_folder(out: Path, name: str) -> Path:
    """A new, marked staging folder ``<out>/.<name>.staging-*`` (``out`` created when missing)."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.staging-", dir=out))
    staging.chmod(0o755)  # mkdtemp makes it private: a report is read by others (rwxr-xr-x)
    write_marker(staging, "staging", target=name, **_owner())
    return staging


def swap_in(staging: Path, final: Path, kind: str = "year") -> None:
    """Replace ``final`` by ``staging`` with renames on the same filesystem.

    ``final`` must be absent or a report this tool wrote (:func:`check_replaceable`, checked again
    here). The staging folder's marker becomes the report's (``kind``, and the list of its files); the
    previous report is moved aside (marked ``old``) and deleted only once the new one is in place, and
    restored if the rename fails."""
    check_replaceable(final)
    write_marker(staging, kind, files=_files(staging))
    old: Path | None = None
    previous = b""
    if final.exists():
        previous = (final / MARKER).read_bytes()
        old = final.with_name(f".{final.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        os.rename(final, old)
        with contextlib.suppress(OSError):
            write_marker(old, "old", target=final.name, **_owner())
    try:
        os.rename(staging, final)
    except BaseException:
        if old is not None:
            os.rename(old, final)
            (final / MARKER).write_bytes(previous)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_into(final: Path, build: Callable[[Path], None], kind: str = "year") -> None:
    """Call ``build(staging)`` and swap the staging folder in as ``final`` only if it returned;
    on any exception (or interrupt) the staging folder is removed and ``final`` is left as it was."""
    check_replaceable(final)
    staging = staging_folder(final.parent, final.name)
    try:
        build(staging)
        swap_in(staging, final, kind)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def clean_reports(root: Path) -> tuple[list[Path], list[str]]:
    """Delete what runs wrote under ``root`` (``reports/`` for ``make clean-reports``): the report
    folders holding the tool's marker and nothing else (:func:`check_replaceable`), the stale staging
    folders (:func:`remove_stale`), the index pages the tool wrote, then the data-set folders these
    removals left empty. Anything else stays. Returns (deleted paths, reasons for what was kept)."""
    deleted: list[Path] = []
    kept: list[str] = []
    if not root.is_dir():
        return deleted, kept
    folders = [root, *sorted(p for p in root.iterdir()
                             if p.is_dir() and not p.is_symlink() and read_marker(p) is None
                             and not p.name.startswith("."))]
    for folder in folders:
        before = len(deleted)
        deleted += remove_stale(folder)
        for p in sorted(folder.iterdir()):
            marker = read_marker(p) if p.is_dir() and not p.is_symlink() else None
            if marker is None or marker.get("kind") not in REPORT_KINDS:
                continue
            try:
                check_replaceable(p)
            except UnsafeOutput as exc:
                kept.append(str(exc))
                continue
            shutil.rmtree(p)
            deleted.append(p)
        index = folder / "index.html"
        if index.is_file() and not index.is_symlink() and is_tool_index(index):
            index.unlink()
            deleted.append(index)
        if folder != root and len(deleted) > before and not any(folder.iterdir()):
            folder.rmdir()
            deleted.append(folder)
    return deleted, kept


def main_clean(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers clean-reports [FOLDER]``: :func:`clean_reports` (default ``reports/``)."""
    import argparse
    import sys

    from .config import REPORTS_DIR, resolve_path

    ap = argparse.ArgumentParser(prog="python -m helpers clean-reports",
                                 description="Delete the reports the tool wrote (marked folders and "
                                             "index pages); anything else is kept.")
    ap.add_argument("folder", nargs="?", type=Path, default=None,
                    help=f"default: {REPORTS_DIR.name}/")
    args = ap.parse_args(list(argv or []))
    root = resolve_path(args.folder) if args.folder else REPORTS_DIR
    deleted, kept = clean_reports(root)
    for reason in kept:
        print(f"kept: {reason}", file=sys.stderr)
    print(f"removed {len(deleted)} report folder(s) and page(s) from {root}", file=sys.stderr)
    return 0
