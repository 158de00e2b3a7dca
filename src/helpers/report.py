"""The report folders: HTML of the executed notebooks, the index pages, and the rules that keep a run
from deleting anything it did not write.

Evaluators read the HTML, not the code: :func:`render_html` uses nbconvert's ``HTMLExporter`` with
``exclude_input=True`` (and no prompts), so only prose, tables and figures remain. Figures are embedded
in the HTML as PNG, so each page stands alone. Index pages are plain static HTML with relative links.

Ownership of the output folder
------------------------------
A run replaces ``<out>/<year>/`` (and ``trends/``, ``hypotheses/``) as a whole, so it must be sure the
folder is an old report and not the user's data. Every folder the tool creates there (year and research
folders, and the staging folders they are built in) holds a marker file, :data:`MARKER`, a small JSON
object ``{"tool": "social-clause-audit", "kind": ..., "files": [...]}``:

* a folder is replaced only when it holds a valid marker of a report (``kind`` ``year`` or
  ``research``) and nothing but the files that marker lists (a file a user put there stops the run);
  a symbolic link, a file, or a folder without the marker at the target stops the run before any work
  (:func:`check_replaceable`, :class:`UnsafeOutput`, exit code 2);
* an output folder equal to, inside, or containing the data directory is refused
  (:func:`check_out_and_data`);
* the index pages (``<out>/index.html``) carry the comment :data:`INDEX_MARK` and an existing page is
  overwritten only when it carries it, or begins as the root pages of earlier versions did
  (:data:`LEGACY_INDEX`) (:func:`check_index`);
* staging folders, and previous reports moved aside during the swap, are named
  ``.<name>.staging-*`` / ``.<name>.old-*`` and marked with the process id and host that made them;
  a killed run leaves them behind and the next run deletes those whose process is gone (same host) or
  that are older than :data:`STALE_S` (:func:`remove_stale`); nothing unmarked is ever deleted.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
th { background: #f3f3f3; }
.verdict-social_washing { color: #b00020; font-weight: bold; }
.verdict-compliant { color: #1b5e20; font-weight: bold; }
.verdict-below_target { color: #8a5a00; font-weight: bold; }
.verdict-insufficient_data { color: #555; font-weight: bold; }
.verdict-possible_social_washing { color: #c2570c; font-weight: bold; }
.verdict-not_measured { color: #555; font-weight: bold; }
.muted { color: #666; font-size: .9rem; }
"""


#: Cells with one of these tags stay in the .ipynb but not in its HTML page: the parameters (as
#: written and as injected by papermill) and notes for whoever opens the notebook itself.
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters", "hide-in-report")


_TABLE_CSS = (".jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { text-align: left "
              "!important; vertical-align: top; } .jp-RenderedHTMLCommon td.num { text-align: "
              "right !important; white-space: nowrap; }")
_NUMBER_CELL = re.compile("<td>((?:[pq] (?:=|&lt;) )?\\[?[-−+€]?[0-9][0-9\u202f\u00a0 ,./:%€HTh;\\[\\]]*"
                          "(?:excl\\.\u00a0VAT|\u00a0points)?|—)</td>")


def render_html(notebook: str | Path, html_path: str | Path) -> Path:
    """Render an executed notebook to a standalone HTML page without code cells, prompts, nor the
    cells tagged :data:`HIDDEN_CELL_TAGS` (removed whole, outputs included)."""
    import nbformat  # imported here: the index pages are written without them (1.5 s of imports)
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:  # the page's title: its first heading shown in the run's language
        shown = [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        heading = next((t for t in shown if isinstance(t, str) and t.startswith("# ")), None)
        if heading:
            nb.metadata["title"] = heading[2:].splitlines()[0].strip()
            break
    language = "fr"  # the page's language: the last `language` of the parameters cells
    for cell in nb.cells:
        if {"parameters", "injected-parameters"} & set(cell.get("metadata", {}).get("tags", [])):
            found = re.findall(r"^language\s*(?::\s*str\s*)?=\s*['\"](\w+)['\"]",
                               cell_source(cell), flags=re.M)
            language = found[-1] if found else language
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True,
                            language_code=language if language in ("fr", "en") else "fr")
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_CELL_TAGS), enabled=True), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    # tables of words read from the left; cells holding only a number, share, amount or date
    # stay on the right, so that digits line up
    body = body.replace("</head>", f"<style>{_TABLE_CSS}</style></head>", 1)
    body = _NUMBER_CELL.sub(lambda m: f'<td class="num">{m.group(1)}</td>', body)
    out = Path(html_path)
    out.write_text(body, encoding="utf-8")
    return out


def cell_source(cell: Mapping[str, Any]) -> str:
    """A notebook cell's source as one string (the JSON may hold a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_title(notebook: str | Path, lang: str | None = None) -> str:
    """The first Markdown heading of a notebook (its file stem when there is none). A bilingual
    heading "Titre (Title)" gives the part of ``lang`` when it is given."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for line in cell_source(cell).splitlines():
            if line.startswith("#"):
                title = line.lstrip("#").strip()
                both = re.fullmatch(r"(.+?) \((.+)\)", title)
                if lang and both:
                    return both.group(1) if lang == "fr" else both.group(2)
                return title
    return Path(notebook).stem


def _lang(indicators: Mapping[str, Any] | None) -> str:
    """The language of a report (``parameters.language`` of its ``indicators.json``; French when
    absent)."""
    value = ((indicators or {}).get("parameters") or {}).get("language")
    return value if value in ("fr", "en") else "fr"


def _w(code: str, lang: str, **values: Any) -> str:
    from . import labels

    text = labels.label(code, lang, "index")
    return text.format(**values) if values else text


@dataclass(frozen=True)
class Link:
    """One entry of an index page: a relative ``href``, its text and an optional note."""

    href: str
    text: str
    note: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    """Further (href, text) links shown after the note, e.g. the PDF beside an HTML page."""


def _page(title: str, sections: Sequence[tuple[str, str]], lang: str = "fr") -> str:
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(lang)}"><head><meta charset="utf-8">',
        INDEX_MARK,
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for heading, body in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(body)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _links(links: Sequence[Link], lang: str = "fr") -> str:
    if not links:
        return f'<p class="muted">{html.escape(_w("i_none", lang))}</p>'
    items = []
    for ln in links:
        note = f' <span class="muted">— {html.escape(ln.note)}</span>' if ln.note else ""
        extra = "".join(f' · <a href="{html.escape(href)}">{html.escape(text)}</a>'
                        for href, text in ln.extra)
        items.append(f'<li><a href="{html.escape(ln.href)}">{html.escape(ln.text)}</a>{note}'
                     f'{extra}</li>')
    return "<ul>\n" + "\n".join(items) + "\n</ul>"


def year_summary(indicators: dict, lang: str | None = None) -> str:
    """A small HTML table of the headline numbers of ``indicators.json`` in the report's language:
    the verdict in words (and whether the gap is significant), the assessable and followed
    contracts, the declared and delivered shares and the gap."""
    from . import fmt, labels

    lg = lang or _lang(indicators)
    declared = indicators.get("declared", {}) or {}
    effective = indicators.get("effective", {}) or {}
    gap = indicators.get("gap", {}) or {}
    verdict = str(indicators.get("verdict", ""))
    try:
        verdict_text = labels.label(verdict, lg, "verdict")
    except KeyError:
        verdict_text = verdict or fmt.MISSING
    rows = [
        (_w("i_verdict_scope", lg),
         f'<span class="verdict-{html.escape(verdict)}">{html.escape(verdict_text)}</span>'
         + (f" ({html.escape(_w('i_significant', lg))})" if indicators.get("significant") else "")),
        (_w("i_assessable", lg), fmt.number(indicators.get("assessable_contracts"), lg)),
        (_w("i_covered", lg), fmt.number(indicators.get("covered_contracts"), lg)),
        (_w("i_declared", lg), fmt.share(declared.get("share"), lg)),
        (_w("i_effective", lg), fmt.share(effective.get("share"), lg)),
        (_w("i_gap", lg), fmt.points(gap.get("points"), lg)),
    ]
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{v if k == rows[0][0] else html.escape(v)}"
                   f"</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


SUMMARY_FILES = ("summary.html", "summary.pdf")
"""The whole-scope one-page summary of a year folder (:mod:`helpers.summaries`)."""
BUYER_PAGES = "buyers"
"""Folder of the buyers' summaries and spreadsheets in a year folder (``<siret>.html|.pdf|.xlsx``)."""


def _buyer_rows(year_dir: Path) -> dict[str, dict[str, str]]:
    """The rows of ``<year_dir>/buyers.csv`` by SIRET (empty when absent or unreadable)."""
    import csv

    try:
        with (year_dir / "buyers.csv").open(encoding="utf-8", newline="") as fh:
            return {r.get("buyer_siret", ""): r for r in csv.DictReader(fh)}
    except (OSError, ValueError, csv.Error):
        return {}


def _summary_extra(year_dir: Path, prefix: str = "", lang: str = "fr"
                   ) -> tuple[tuple[str, str], ...]:
    """Links to the whole-scope summary of a year folder, when it has one."""
    return tuple((f"{prefix}{name}",
                  _w("i_summary_file", lang, kind=name.rsplit('.', 1)[1].upper()))
                 for name in SUMMARY_FILES if (year_dir / name).is_file())


def summary_links(year_dir: str | Path, lang: str = "fr") -> list[Link]:
    """The one-page summaries of a year folder: the whole scope (HTML, PDF), then each buyer's page
    (HTML, PDF) and spreadsheet of declared contracts not effective (XLSX), by SIRET, named from
    ``buyers.csv``."""
    d = Path(year_dir)
    links = []
    if (d / SUMMARY_FILES[0]).is_file():
        links.append(Link(SUMMARY_FILES[0], _w("i_whole_scope", lang), _w("i_one_page", lang),
                          tuple((n, n.rsplit(".", 1)[1].upper()) for n in SUMMARY_FILES[1:]
                                if (d / n).is_file())))
    rows = _buyer_rows(d)
    folder = d / BUYER_PAGES
    for page in sorted(folder.glob("*.html")) if folder.is_dir() else []:
        siret = page.stem
        row = rows.get(siret, {})
        name = (row.get("buyer_name") or "").strip()
        verdict = row.get("verdict") or ""
        with contextlib.suppress(KeyError):
            from . import labels

            verdict = labels.label(verdict, lang, "verdict") if verdict else ""
        note = f"SIRET {siret}" + (f", {_w('i_verdict', lang, verdict=verdict)}" if verdict else "")
        extra = [(f"{BUYER_PAGES}/{siret}.pdf", "PDF")] if (folder / f"{siret}.pdf").is_file() \
            else []
        if (folder / f"{siret}.xlsx").is_file():
            extra.append((f"{BUYER_PAGES}/{siret}.xlsx", _w("i_contracts_check", lang)))
        links.append(Link(f"{BUYER_PAGES}/{page.name}", name or siret, note, tuple(extra)))
    return links


def write_year_index(year_dir: str | Path, year: int, notebooks: Sequence[Path]) -> Path:
    """Write ``<year_dir>/index.html``: headline numbers, the one-page summaries and spreadsheets,
    the notebooks' HTML, the data files and the figures of the year (relative links only, sorted, so
    the page is reproducible)."""
    d = Path(year_dir)
    indicators: dict = {}
    if (d / "indicators.json").is_file():
        indicators = json.loads((d / "indicators.json").read_text(encoding="utf-8"))
    lg = _lang(indicators)
    reports = [Link(f"{nb.stem}.html", notebook_title(nb, lg), _w("i_notebook", lg, name=nb.name))
               for nb in sorted(notebooks)]
    data = [Link(name, name) for name in ("indicators.json", "buyers.csv", "contracts.csv")
            if (d / name).is_file()]
    rejected_dir = d / "rejected"
    if rejected_dir.is_dir():
        data += [Link(f"rejected/{p.name}", f"rejected/{p.name}", _w("i_rows_aside", lg))
                 for p in sorted(rejected_dir.glob("*.csv"))]
    figures = [Link(f"figures/{p.name}", p.stem) for p in sorted((d / "figures").glob("*.png"))]
    none = f'<p class="muted">{html.escape(_w("i_no_indicators", lg))}</p>'
    sections = [
        (_w("i_summary", lg), year_summary(indicators, lg) if indicators else none),
        (_w("i_summaries", lg), _links(summary_links(d, lg), lg)),
        (_w("i_reports", lg), _links(reports, lg)),
        (_w("i_data", lg), _links(data, lg)),
        (_w("i_figures", lg), _links(figures, lg)),
    ]
    out = d / "index.html"
    out.write_text(_page(_w("i_title_year", lg, year=year), sections, lg), encoding="utf-8")
    return out


def report_folders(root: Path, kind: str) -> list[Path]:
    """The folders of ``root`` holding a valid marker of ``kind`` and an ``index.html``, sorted."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if not p.name.startswith(".") and p.is_dir() and not p.is_symlink()
                  and (p / "index.html").is_file() and (read_marker(p) or {}).get("kind") == kind)


def _year_links(root: Path, prefix: str = "", lang: str = "fr") -> list[Link]:
    from . import labels

    links = []
    for p in report_folders(root, "year"):
        if not p.name.isdigit():
            continue
        note = ""
        with contextlib.suppress(OSError, ValueError, KeyError):
            v = json.loads((p / "indicators.json").read_text(encoding="utf-8"))
            note = _w("i_verdict", lang, verdict=labels.label(str(v.get("verdict")), lang, "verdict"))
        links.append(Link(f"{prefix}{p.name}/index.html", p.name, note,
                          _summary_extra(p, f"{prefix}{p.name}/", lang)))
    return links


def _root_lang(root: Path) -> str:
    """The language of the newest report under ``root`` (French when there is none)."""
    found = sorted(root.glob("*/indicators.json")) + sorted(root.glob("*/*/indicators.json"))
    for path in reversed(found):
        with contextlib.suppress(OSError, ValueError):
            return _lang(json.loads(path.read_text(encoding="utf-8")))
    return "fr"


def write_root_index(out_dir: str | Path) -> Path:
    """Write ``<out_dir>/index.html`` linking the year folders (``<out>/<YYYY>/index.html``, with
    each year's whole-scope summary in HTML and PDF; the buyers' pages and spreadsheets are linked
    from the year's page), the ``trends`` and ``hypotheses`` folders, and the data sets
    (``<out>/<name>/``, the default layout ``reports/<data set>/<year>/``) with their years — only
    folders the tool wrote (marked).

    An existing ``index.html`` the tool did not write is left alone (:class:`UnsafeOutput`)."""
    root = Path(out_dir)
    out = root / "index.html"
    check_index(out)
    lg = _root_lang(root)
    research = [Link(f"{p.name}/index.html", p.name.capitalize())
                for p in report_folders(root, "research")]
    datasets = []
    for p in sorted(q for q in root.iterdir()
                    if q.is_dir() and not q.is_symlink() and not q.name.startswith(".")):
        years = _year_links(p, f"{p.name}/", lg)
        if years and not (read_marker(p) or {}).get("kind"):
            own = (p / "index.html").is_file() and is_tool_index(p / "index.html")
            label = ", ".join(y.text for y in years)
            summaries = tuple((href, f"{y.text} {text}") for y in years
                              for href, text in y.extra if href.endswith(".pdf"))
            datasets.append(Link(f"{p.name}/index.html" if own else years[-1].href, p.name,
                                 _w("i_years_list", lg, years=label), summaries))
    years = _year_links(root, "", lg)
    sections = [(title, _links(links, lg)) for title, links, main in
                ((_w("i_datasets", lg), datasets, False), (_w("i_years", lg), years, True),
                 (_w("i_research", lg), research, False))
                if links or (main and not datasets)]
    out.write_text(_page(_w("i_title_root", lg), sections, lg), encoding="utf-8")
    return out


def write_folder_index(folder: str | Path, title: str, notebooks: Sequence[Path]) -> Path:
    """Write ``<folder>/index.html`` linking the HTML of ``notebooks``, the data files (CSV, JSON)
    they wrote into the folder, and the figures."""
    d = Path(folder)
    lg = _root_lang(d.parent)
    reports = [Link(f"{nb.stem}.html", notebook_title(nb, lg), _w("i_notebook", lg, name=nb.name))
               for nb in sorted(notebooks)]
    data = [Link(p.name, p.name) for p in sorted([*d.glob("*.csv"), *d.glob("*.json")])]
    figures = [Link(f"figures/{p.name}", p.stem) for p in sorted((d / "figures").glob("*.png"))]
    out = d / "index.html"
    out.write_text(_page(title, [(_w("i_reports", lg), _links(reports, lg)),
                                 (_w("i_data", lg), _links(data, lg)),
                                 (_w("i_figures", lg), _links(figures, lg))], lg), encoding="utf-8")
    return out


# ---------------------------------------------------------------------------------------------------
# ownership of the output folder: markers, checks, staging and the swap
# ---------------------------------------------------------------------------------------------------

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
