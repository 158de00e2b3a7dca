"""HTML of the reports: executed notebooks rendered without code, and the index pages (DESIGN §4).

Evaluators read the HTML, not the code: :func:`render_html` uses nbconvert's ``HTMLExporter`` with
``exclude_input=True`` (and no prompts), so only prose, tables and figures remain. Figures are embedded
in the HTML as PNG, so each page stands alone. Index pages are plain static HTML with relative links.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
.muted { color: #666; font-size: .9rem; }
"""


def render_html(notebook: str | Path, html_path: str | Path) -> Path:
    """Render an executed notebook to a standalone HTML page without code cells or prompts."""
    import nbformat  # imported here: the index pages are written without them (1.5 s of imports)
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    out = Path(html_path)
    out.write_text(body, encoding="utf-8")
    return out


def cell_source(cell: Mapping[str, Any]) -> str:
    """A notebook cell's source as one string (the JSON may hold a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_title(notebook: str | Path) -> str:
    """The first Markdown heading of a notebook (its file stem when there is none)."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for line in cell_source(cell).splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return Path(notebook).stem


@dataclass(frozen=True)
class Link:
    """One entry of an index page: a relative ``href``, its text and an optional note."""

    href: str
    text: str
    note: str = ""


def _page(title: str, sections: Sequence[tuple[str, str]]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for heading, body in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(body)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _links(links: Sequence[Link]) -> str:
    if not links:
        return '<p class="muted">None.</p>'
    items = []
    for ln in links:
        note = f' <span class="muted">— {html.escape(ln.note)}</span>' if ln.note else ""
        items.append(f'<li><a href="{html.escape(ln.href)}">{html.escape(ln.text)}</a>{note}</li>')
    return "<ul>\n" + "\n".join(items) + "\n</ul>"


def _fmt_share(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, (int, float)) else "n/a"


def year_summary(indicators: dict) -> str:
    """A small HTML table of the headline numbers of ``indicators.json`` (DESIGN §4 keys)."""
    declared = indicators.get("declared", {}) or {}
    effective = indicators.get("effective", {}) or {}
    gap = indicators.get("gap", {}) or {}
    verdict = str(indicators.get("verdict", "n/a"))
    rows = [
        ("Verdict (whole scope)",
         f'<span class="verdict-{html.escape(verdict)}">{html.escape(verdict)}</span>'
         + (" (significant)" if indicators.get("significant") else "")),
        ("Assessable contracts", html.escape(str(indicators.get("assessable_contracts", "n/a")))),
        ("Declared share", _fmt_share(declared.get("share"))),
        ("Effective share", _fmt_share(effective.get("share"))),
        ("Gap (points)", html.escape(
            f"{gap['points']:.1f}" if isinstance(gap.get("points"), (int, float)) else "n/a")),
    ]
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def write_year_index(year_dir: str | Path, year: int, notebooks: Sequence[Path]) -> Path:
    """Write ``<year_dir>/index.html``: headline numbers, the notebooks' HTML, the data files and the
    figures of the year (relative links only, sorted, so the page is reproducible)."""
    d = Path(year_dir)
    indicators: dict = {}
    if (d / "indicators.json").is_file():
        indicators = json.loads((d / "indicators.json").read_text(encoding="utf-8"))
    reports = [Link(f"{nb.stem}.html", notebook_title(nb), f"notebook: {nb.name}")
               for nb in sorted(notebooks)]
    data = [Link(name, name) for name in ("indicators.json", "buyers.csv", "contracts.csv")
            if (d / name).is_file()]
    rejected_dir = d / "rejected"
    if rejected_dir.is_dir():
        data += [Link(f"rejected/{p.name}", f"rejected/{p.name}", "rows set aside (quarantine)")
                 for p in sorted(rejected_dir.glob("*.csv"))]
    figures = [Link(f"figures/{p.name}", p.stem) for p in sorted((d / "figures").glob("*.png"))]
    sections = [
        ("Summary", year_summary(indicators) if indicators else '<p class="muted">No indicators.</p>'),
        ("Reports", _links(reports)),
        ("Data", _links(data)),
        ("Figures", _links(figures)),
    ]
    out = d / "index.html"
    out.write_text(_page(f"Social Clause Audit — {year}", sections), encoding="utf-8")
    return out


def write_root_index(out_dir: str | Path) -> Path:
    """Write ``<out_dir>/index.html`` linking every year folder (``<out>/<YYYY>/index.html``) and the
    ``trends`` and ``hypotheses`` folders when present."""
    root = Path(out_dir)
    years = sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()
                   and (p / "index.html").is_file())
    year_links = []
    for p in years:
        note = ""
        ind = p / "indicators.json"
        if ind.is_file():
            v = json.loads(ind.read_text(encoding="utf-8"))
            note = f"verdict: {v.get('verdict', 'n/a')}"
        year_links.append(Link(f"{p.name}/index.html", p.name, note))
    research = [Link(f"{name}/index.html", name.capitalize())
                for name in ("trends", "hypotheses") if (root / name / "index.html").is_file()]
    sections = [("Years", _links(year_links)), ("Research notebooks", _links(research))]
    out = root / "index.html"
    out.write_text(_page("Social Clause Audit — reports", sections), encoding="utf-8")
    return out


def write_folder_index(folder: str | Path, title: str, notebooks: Sequence[Path]) -> Path:
    """Write ``<folder>/index.html`` linking the HTML of ``notebooks``, the data files (CSV, JSON)
    they wrote into the folder, and the figures."""
    d = Path(folder)
    reports = [Link(f"{nb.stem}.html", notebook_title(nb), f"notebook: {nb.name}")
               for nb in sorted(notebooks)]
    data = [Link(p.name, p.name) for p in sorted([*d.glob("*.csv"), *d.glob("*.json")])]
    figures = [Link(f"figures/{p.name}", p.stem) for p in sorted((d / "figures").glob("*.png"))]
    out = d / "index.html"
    out.write_text(_page(title, [("Reports", _links(reports)), ("Data", _links(data)),
                                 ("Figures", _links(figures))]), encoding="utf-8")
    return out
