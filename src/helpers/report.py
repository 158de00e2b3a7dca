"""The pages of a report: HTML of the executed notebooks, and the index pages of the output folder.

Evaluators read the HTML, not the code: :func:`render_html` uses nbconvert's ``HTMLExporter`` with
``exclude_input=True`` (and no prompts), so only prose, tables and figures remain; cells tagged
:data:`HIDDEN_CELL_TAGS` are left out whole. Figures are embedded in the HTML as PNG, so each page
stands alone. Index pages are plain static HTML with relative links, in the report's language
(:mod:`helpers.labels`): a year's page (:func:`write_year_index`: headline numbers, the one-page
summaries, the notebooks, data files and figures), the root page (:func:`write_root_index`: the
years, data sets and research folders) and a research folder's page (:func:`write_folder_index`).

Which folders a run may replace, and which existing ``index.html`` it may overwrite, is decided by
:mod:`helpers.report_safety` (the marker file, the checks, the atomic swap): every index page
written here carries its mark, and the root page links only report folders holding its marker.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .report_safety import INDEX_MARK, check_index, is_tool_index, read_marker

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

    An existing ``index.html`` the tool did not write is left alone
    (:class:`helpers.report_safety.UnsafeOutput`)."""
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
