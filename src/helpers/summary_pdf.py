"""The PDF of the one-page summary: a measured flow layout on one A4 matplotlib figure.

The page is drawn with matplotlib's PDF backend (no browser, no TeX) with TrueType fonts embedded
(``pdf.fonttype`` 42) so its text can be searched and extracted. A cursor (:class:`_Page`) goes down
the sheet placing paragraphs, tables and the chart (:func:`helpers.summary_content.draw_chart`);
lines are broken greedily on ordinary spaces to the measured width of the text (:func:`wrap`,
:func:`text_width`), and a word longer than the line is broken between characters, so nothing is
ever cut off. The layout is measured before it is drawn: when the content would not fit, every font
is scaled down by steps of 5 % until it does (:func:`fitting_scale`), so the page count is always
one. The file is deterministic: no creation date, creator nor producer in its metadata
(:func:`render_pdf`).

The words on the page come from :func:`helpers.summary_content.summary_content`; the HTML twin of
the page, and the function writing both files, are in :mod:`helpers.summary`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402

from . import labels  # noqa: E402
from .summary_content import Figures, draw_chart  # noqa: E402

A4 = (8.27, 11.69)  # inches
MARGIN = 0.6
#: Colour of each verdict's label (the page never shows the verdict's code).
VERDICT_COLOR: dict[str, str] = {
    "compliant": "#1b5e20", "social_washing": "#b00020", "possible_social_washing": "#b34700",
    "below_target": "#8a5a00", "not_measured": "#555555", "insufficient_data": "#555555",
}

_T2P = TextToPath()


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in inches of ``text`` set in the default font at ``size`` points."""
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    width, _, _ = _T2P.get_text_width_height_descent(text, prop, ismath=False)
    return width / 72.0


def wrap(text: str, size: float, width_in: float, bold: bool = False) -> list[str]:
    """Greedy line breaking on ordinary spaces (never on no-break spaces) to ``width_in`` inches.
    A word longer than the line is broken between characters, so nothing is ever cut off."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, size, bold) <= width_in:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = word
            while text_width(current, size, bold) > width_in and len(current) > 1:
                cut = len(current) - 1
                while cut > 1 and text_width(current[:cut], size, bold) > width_in:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current)
    return lines


class _Page:
    """A cursor going down an A4 figure; ``draw=False`` only measures."""

    def __init__(self, fig: Figure | None, scale: float) -> None:
        self.fig, self.scale, self.y = fig, scale, MARGIN
        self.width = A4[0] - 2 * MARGIN

    def _put(self, x: float, y: float, text: str, size: float, ha: str = "left",
             **kw: Any) -> None:
        if self.fig is not None:  # placed by its baseline, so accented capitals do not shift it
            base = y + size * 0.95 / 72
            self.fig.text(x / A4[0], 1 - base / A4[1], text, fontsize=size, va="baseline", ha=ha,
                          **kw)

    def line_height(self, size: float) -> float:
        return size * 1.3 / 72

    def paragraph(self, text: str, size: float, *, bold: bool = False, color: str = "#222222",
                  x: float = 0.0, width: float | None = None, gap: float = 0.06) -> None:
        size *= self.scale
        for line in wrap(text, size, width if width is not None else self.width - x, bold):
            self._put(MARGIN + x, self.y, line, size, color=color,
                      fontweight="bold" if bold else "normal")
            self.y += self.line_height(size)
        self.y += gap * self.scale

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
              size: float, *, aligns: Sequence[str] | None = None) -> None:
        size *= self.scale
        aligns = aligns or ["left"] * len(widths)
        lh = self.line_height(size)
        for r, cells in enumerate([header, *rows]):
            bold = r == 0
            wrapped = [wrap(c, size, w - 0.08, bold) for c, w in zip(cells, widths)]
            n = max(len(w) for w in wrapped)
            if self.fig is not None and r > 0 and r % 2 == 0:
                self.fig.patches.append(Rectangle(
                    (MARGIN / A4[0], 1 - (self.y + n * lh + 0.01) / A4[1]),
                    sum(widths) / A4[0], (n * lh + 0.03) / A4[1], transform=self.fig.transFigure,
                    color="#f2f2f2", zorder=0))
            x = MARGIN
            for lines, w, align in zip(wrapped, widths, aligns):
                for i, line in enumerate(lines):
                    right = align == "right"
                    self._put(x + w - 0.08 if right else x, self.y + i * lh, line, size,
                              ha="right" if right else "left",
                              fontweight="bold" if bold else "normal")
                x += w
            self.y += n * lh + 0.03
            if r == 0 and self.fig is not None:
                self.fig.add_artist(Line2D(
                    [MARGIN / A4[0], (MARGIN + sum(widths)) / A4[0]],
                    [1 - (self.y - 0.01) / A4[1]] * 2, color="#888888", lw=0.6))
        self.y += 0.08 * self.scale

    def chart(self, content: Figures, height: float) -> None:
        h = height * self.scale
        if self.fig is not None:
            left = MARGIN + 1.6
            top, bottom = self.y + 0.3 * self.scale, self.y + h - 0.3 * self.scale
            ax = self.fig.add_axes([left / A4[0], 1 - bottom / A4[1],
                                    (self.width - 1.9) / A4[0], (bottom - top) / A4[1]])
            draw_chart(ax, content, self.scale)
        self.y += h + 0.05 * self.scale


def _layout(page: _Page, c: Figures) -> float:
    w = page.width
    page.paragraph(c.title, 17, bold=True, gap=0.06)
    page.paragraph(c.subtitle, 9.5, color="#555555", gap=0.14)
    page.paragraph(c.verdict, 13, bold=True, color=VERDICT_COLOR.get(c.verdict_code, "#222222"),
                   gap=0.03)
    page.paragraph(c.reason, 9.5, gap=0.14)
    page.paragraph(labels.label("key_figures", c.lang), 11, bold=True, gap=0.04)
    page.table([labels.label("indicator", c.lang), *c.years], c.key_rows,
               [w * 0.40, w * 0.30, w * 0.30], 8)
    if any(s[1] is not None for s in c.shares):
        page.chart(c, 0.8 + 0.32 * len(c.shares))
    page.paragraph(c.top_heading, 11, bold=True, gap=0.04)
    if c.top_rows:
        page.table(c.top_columns, c.top_rows, [w * 0.42, w * 0.22, w * 0.36], 8,
                   aligns=["left", "right", "left"])
        if c.top_more:
            page.paragraph(c.top_more, 8, color="#555555")
    else:
        page.paragraph(labels.label("no_top_contracts", c.lang), 8.5)
    page.paragraph(c.glossary_heading, 9.5, bold=True, gap=0.03)
    page.table(c.glossary_columns, [(g["label"], g["code"], g["rule"]) for g in c.glossary],
               [w * 0.27, w * 0.20, w * 0.53], 6.5)
    page.paragraph(c.footer, 6.5, color="#666666", gap=0)
    return page.y


def fitting_scale(content: Figures) -> float:
    """The largest font scale (1, 0.95, 0.90, ...) at which the page fits on one A4 sheet."""
    scale = 1.0
    while scale > 0.4:
        if _layout(_Page(None, scale), content) <= A4[1] - MARGIN:
            return scale
        scale = round(scale - 0.05, 2)
    return scale


def render_pdf(content: Figures, path: str | Path) -> Path:
    """Draw the page on one A4 figure and save it as PDF (TrueType fonts, no creation date)."""
    out = Path(path)
    with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans",
                                "axes.grid": False}):
        fig = Figure(figsize=A4)
        _layout(_Page(fig, fitting_scale(content)), content)
        fig.savefig(out, format="pdf", metadata={"CreationDate": None, "Creator": None,
                                                 "Producer": None})
    return out
