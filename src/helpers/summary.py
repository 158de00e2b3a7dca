"""One-page summary of a year's audit, for the whole scope or one buyer, written as HTML and as PDF
(:func:`write_summary`).

The words and numbers of the page, and its chart, are assembled once
(:func:`helpers.summary_content.summary_content`, :func:`helpers.summary_content.draw_chart`) and
rendered twice: here as a standalone HTML page (:func:`render_html`, the chart embedded as SVG),
and as one A4 PDF page (:func:`helpers.summary_pdf.render_pdf`: TrueType fonts, so its text can be
searched and extracted; every font scaled down until the content fits, so the page count is always
one). Both files are deterministic (no creation date in the metadata, a fixed SVG hash salt).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.figure import Figure  # noqa: E402

from . import labels  # noqa: E402
from .summary_content import TOP_N, Figures, draw_chart, summary_content  # noqa: E402
from .summary_pdf import render_pdf  # noqa: E402

_VERDICT_CLASS: dict[str, str] = {
    "compliant": "good", "social_washing": "bad", "possible_social_washing": "warn",
    "below_target": "warn", "not_measured": "neutral", "insufficient_data": "neutral",
}

_CSS = """
body { font-family: "DejaVu Sans", system-ui, sans-serif; max-width: 52rem; margin: 1.5rem auto;
       padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; overflow-wrap: anywhere; }
.sub { color: #555; margin: 0 0 1rem; }
.verdict { font-size: 1.25rem; font-weight: bold; margin: .6rem 0 .2rem; }
.good { color: #1b5e20; } .bad { color: #b00020; } .warn { color: #8a5a00; }
.neutral { color: #555; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; }
td.num, th.num { text-align: right; white-space: nowrap; }
.muted { color: #666; font-size: .85rem; }
.glossary { font-size: .8rem; }
img.chart { width: 100%; max-width: 44rem; }
"""


def _chart_svg(content: Figures) -> str:
    with matplotlib.rc_context({"svg.hashsalt": "summary", "svg.fonttype": "none",
                                "font.family": "DejaVu Sans", "axes.grid": False}):
        fig = Figure(figsize=(6.5, 0.6 + 0.45 * len(content.shares)))
        ax = fig.add_axes([0.27, 0.28, 0.68, 0.55])
        draw_chart(ax, content)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], num_cols: Sequence[int] = (),
           cls: str = "") -> str:
    e = html.escape
    head = "".join(f'<th class="num">{e(h)}</th>' if i in num_cols else f"<th>{e(h)}</th>"
                   for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{e(c)}</td>' if i in num_cols else f"<td>{e(c)}</td>"
                         for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f'<table{f" class={cls!r}" if cls else ""}><tr>{head}</tr>{body}</table>'


def render_html(content: Figures, path: str | Path) -> Path:
    """The same page as standalone HTML (the chart embedded as SVG)."""
    e = html.escape
    c = content
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{c.lang}"><head><meta charset="utf-8">',
        f"<title>{e(c.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(c.title)}</h1>",
        f'<p class="sub">{e(c.subtitle)}</p>',
        f'<p class="verdict {_VERDICT_CLASS.get(c.verdict_code, "neutral")}">{e(c.verdict)}</p>',
        f"<p>{e(c.reason)}</p>",
        f"<h2>{e(labels.label('key_figures', c.lang))}</h2>",
        _table([labels.label("indicator", c.lang), *c.years], c.key_rows),
    ]
    if any(s[1] is not None for s in c.shares):
        parts.append(f'<p><img class="chart" alt="{e(labels.label("fig_shares", c.lang))}" '
                     f'src="data:image/svg+xml;base64,{_chart_svg(c)}"></p>')
    parts.append(f"<h2>{e(c.top_heading)}</h2>")
    if c.top_rows:
        parts.append(_table(c.top_columns, c.top_rows, num_cols=(1,)))
        if c.top_more:
            parts.append(f'<p class="muted">{e(c.top_more)}</p>')
    else:
        parts.append(f"<p>{e(labels.label('no_top_contracts', c.lang))}</p>")
    parts += [
        f'<section class="glossary"><h2>{e(c.glossary_heading)}</h2>',
        _table(c.glossary_columns, [(g["label"], g["code"], g["rule"]) for g in c.glossary],
               cls="glossary"),
        "</section>",
        f'<p class="muted">{e(c.footer)}</p>',
        "</body></html>",
    ]
    out = Path(path)
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return out


def write_summary(folder: str | Path, stem: str, this_year: Mapping[str, Any],
                  last_year: Mapping[str, Any] | None, contracts: Any, lang: str = "fr",
                  title: str | None = None, *, buyer_row: Mapping[str, Any] | None = None,
                  buyer_siret: str | None = None, top_n: int = TOP_N) -> tuple[Path, Path]:
    """Write ``<folder>/<stem>.html`` and ``<folder>/<stem>.pdf``; return their paths.

    ``this_year``/``last_year``: ``indicators.json`` dicts (``last_year`` None when the data has no
    such year); ``contracts``: rows of ``contracts.csv`` (DataFrame or list of dicts); ``title``: the
    buyer's name (None: the whole scope); ``buyer_row``: the buyer's ``buyers.csv`` row (gives the
    q-value); ``buyer_siret``: keep only this buyer's contracts and list them by contract number.
    """
    content = summary_content(this_year, last_year, contracts, lang, title, buyer_row=buyer_row,
                              buyer_siret=buyer_siret, top_n=top_n)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    return render_html(content, out / f"{stem}.html"), render_pdf(content, out / f"{stem}.pdf")
