"""One-page summary of a year's audit, for the whole scope or one buyer, as HTML and as PDF.

What the page holds, for a reader who presents it to elected officials:

1. the title (the buyer's name, wrapped over as many lines as needed, never cut) and the cut-off
   date;
2. the verdict in plain words and its reason in one sentence, with how sure it is
   (:func:`helpers.verdict_text.verdict_sentence`);
3. key figures, this year beside last year ("—" where the data has no such year): declared share over
   the assessable contracts and over the contracts followed by the facilitator, delivered share,
   share of declared contracts without verified delivery (each with its 95 % interval), insertion
   hours, full-time equivalents, people, exits to employment or training, reserved contracts, spend
   with insertion and social-economy structures. A value withheld for privacy (small counts) says so;
4. a small chart of the declared and delivered shares with their intervals and the target;
5. the ten largest declared contracts that are not effective (declared, status neither "verified"
   nor "delivered without being declared"), by amount, with their status in words;
6. a glossary of the verdict and statuses shown (label, code, rule).

Inputs are the shapes a run publishes: ``indicators.json`` dicts for this year and last year (the
buyer's own indicators for a buyer page), and rows of ``contracts.csv`` (uid, buyer_siret,
contract_id, amount, status, declared, effective, ...). For a buyer, the ``buyers.csv`` row may be
passed too: its Benjamini–Hochberg q-value then says how sure the verdict is.

The PDF is one A4 page drawn with matplotlib's PDF backend (no browser, no TeX) with TrueType fonts
embedded (``pdf.fonttype`` 42) so its text can be searched and extracted. The layout is measured before
it is drawn: when the content would not fit, every font is scaled down until it does, so the page
count is always one. Both files are deterministic (no creation date in the metadata).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402

from . import fmt, labels  # noqa: E402
from .verdict_text import row_from_indicators, verdict_sentence  # noqa: E402

#: Number of largest declared-but-not-effective contracts listed.
TOP_N = 10
#: Statuses that make a contract effective (something real was delivered).
EFFECTIVE_STATUSES: tuple[str, ...] = ("VERIFIED", "UNDECLARED_DELIVERY")
#: Columns a contracts table must have for the summary.
CONTRACT_COLUMNS: tuple[str, ...] = ("uid", "buyer_siret", "contract_id", "amount", "status",
                                     "declared", "effective")

A4 = (8.27, 11.69)  # inches
MARGIN = 0.6
DECLARED_COLOR = "#4C72B0"
EFFECTIVE_COLOR = "#DD8452"
TARGET_COLOR = "#C44E52"
#: Colour of each verdict's label (the page never shows the verdict's code).
VERDICT_COLOR: dict[str, str] = {
    "compliant": "#1b5e20", "social_washing": "#b00020", "possible_social_washing": "#b34700",
    "below_target": "#8a5a00", "not_measured": "#555555", "insufficient_data": "#555555",
}
_VERDICT_CLASS: dict[str, str] = {
    "compliant": "good", "social_washing": "bad", "possible_social_washing": "warn",
    "below_target": "warn", "not_measured": "neutral", "insufficient_data": "neutral",
}


# ---------------------------------------------------------------------------------------------------
# content: the same words for HTML and PDF
# ---------------------------------------------------------------------------------------------------

def _dig(ind: Mapping[str, Any] | None, path: str) -> Any:
    node: Any = ind
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return None if fmt.is_missing(node) else node


def _suppressed(ind: Mapping[str, Any] | None, path: str) -> bool:
    return bool(ind) and path in (ind.get("suppressed") or [])


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "vrai")
    return False if fmt.is_missing(value) else bool(value)


@dataclass(frozen=True)
class Figures:
    """Everything written on the page, already in words (no codes except in the glossary)."""

    title: str
    subtitle: str
    verdict: str
    verdict_code: str
    reason: str
    years: tuple[str, str]
    key_rows: list[tuple[str, str, str]]
    shares: list[tuple[str, Any, Any, Any, str]]   # label, share, ci low, ci high, colour
    target: float
    top_heading: str
    top_columns: tuple[str, str, str]
    top_rows: list[tuple[str, str, str]]
    top_more: str
    glossary_heading: str
    glossary_columns: tuple[str, str, str]
    glossary: list[dict[str, str]]
    footer: str
    lang: str


def _value(ind: Mapping[str, Any] | None, path: str, show: Callable[[Any], str],
           lang: str, ci_path: str | None = None) -> str:
    if ind is None:
        return fmt.MISSING
    if _suppressed(ind, path):
        return labels.label("suppressed", lang)
    value = _dig(ind, path)
    if value is None:
        return fmt.MISSING
    text = show(value)
    if ci_path:
        bounds = _dig(ind, ci_path)
        if bounds is not None and fmt.ci_pair(bounds, lang) != fmt.MISSING:
            text += " " + fmt.ci_pair(bounds, lang)
    return text


def _key_rows(this: Mapping[str, Any], last: Mapping[str, Any] | None, lang: str
              ) -> list[tuple[str, str, str]]:
    def share_of(path: str, ci_path: str | None = None):
        return lambda ind: _value(ind, path, lambda v: fmt.share(v, lang), lang, ci_path)

    def count(path: str):
        return lambda ind: _value(ind, path, lambda v: fmt.number(v, lang), lang)

    def exits(ind):
        text = _value(ind, "activity.exits.sorties_dynamiques_n", lambda v: fmt.number(v, lang),
                      lang)
        share = _dig(ind, "activity.exits.sorties_dynamiques_share")
        if share is not None and not _suppressed(ind, "activity.exits.sorties_dynamiques_share"):
            text += f" ({fmt.share(share, lang)} {labels.label('of_missions_ended', lang)})"
        return text

    def reserved(ind):
        text = _value(ind, "reserved.n", lambda v: fmt.number(v, lang), lang)
        verified = _dig(ind, "reserved.verified_n")
        if verified is not None and text != fmt.MISSING:
            word = "dont" if lang == "fr" else "of which"
            text += f" ({word} {fmt.number(verified, lang)} " + (
                "attribués à une structure reconnue)" if lang == "fr" else
                "held by a recognised structure)")
        return text

    def ess(ind):
        text = _value(ind, "ess.amount", lambda v: fmt.money(v, lang), lang)
        share = _dig(ind, "ess.share_of_amount")
        if share is not None and text != fmt.MISSING:
            text += f" ({fmt.share(share, lang)})"
        return text

    def verdict(ind):
        code = _dig(ind, "verdict")
        return labels.label(str(code), lang, kind="verdict") if code else fmt.MISSING

    rows: list[tuple[str, Callable[[Any], str]]] = [
        ("verdict_heading", verdict),
        ("assessable_contracts", count("assessable_contracts")),
        ("covered_contracts", count("covered_contracts")),
        ("declared_share", share_of("declared.share", "declared.ci95")),
        ("declared_covered_share", share_of("declared.covered_share")),
        ("effective_share", share_of("effective.share", "effective.ci95")),
        ("unsubstantiated_share", share_of("unsubstantiated.share", "unsubstantiated.ci95")),
        ("hours", lambda ind: _value(ind, "activity.hours", lambda v: fmt.hours(v, lang), lang)),
        ("etp", lambda ind: _value(ind, "activity.etp", lambda v: fmt.number(v, lang, 1), lang)),
        ("beneficiaries", count("activity.beneficiaries")),
        ("sorties_dynamiques", exits),
        ("reserved_n", reserved),
        ("reserved_amount",
         lambda ind: _value(ind, "reserved.amount", lambda v: fmt.money(v, lang), lang)),
        ("ess_amount", ess),
        ("ess_structures", count("ess.structures")),
    ]
    return [(labels.label(code, lang), show(this),
             show(last) if last is not None else fmt.MISSING) for code, show in rows]


def _frame(contracts: Any) -> pd.DataFrame:
    df = contracts if isinstance(contracts, pd.DataFrame) else pd.DataFrame(list(contracts or []))
    if df.empty and not len(df.columns):
        df = pd.DataFrame(columns=list(CONTRACT_COLUMNS))
    missing = [c for c in CONTRACT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError("the contracts table lacks the column(s) " + ", ".join(missing)
                         + ": pass the rows of the run's contracts.csv")
    return df


def not_effective_declared(contracts: Any, buyer_siret: str | None = None) -> pd.DataFrame:
    """Rows of the contracts table that are declared and not effective (of ``buyer_siret`` when
    given), largest amount first (missing amounts last, then by uid so the order is stable)."""
    df = _frame(contracts)
    mask = df["declared"].map(_as_bool) & ~df["effective"].map(_as_bool)
    if buyer_siret is not None:
        mask &= df["buyer_siret"].astype(str).eq(str(buyer_siret))
    out = df.loc[mask].copy()
    out["_amount"] = pd.to_numeric(out["amount"], errors="coerce")
    out = out.sort_values(["_amount", "uid"], ascending=[False, True], na_position="last",
                          kind="stable")
    return out.drop(columns="_amount").reset_index(drop=True)


def summary_content(this_year: Mapping[str, Any], last_year: Mapping[str, Any] | None,
                    contracts: Any, lang: str = "fr", title: str | None = None, *,
                    buyer_row: Mapping[str, Any] | None = None, buyer_siret: str | None = None,
                    top_n: int = TOP_N) -> Figures:
    """The words and numbers of the page (see the module docstring)."""
    fmt.check_lang(lang)
    params = this_year.get("parameters") or {}
    target = float(params.get("target") if params.get("target") is not None else 0.30)
    min_contracts = int(params.get("min_contracts") or 5)
    year = this_year.get("year")
    as_of = params.get("as_of") or (f"{year}-12-31" if year else None)
    row = dict(buyer_row) if buyer_row is not None else row_from_indicators(this_year)
    verdict_code = str(row.get("verdict") or this_year.get("verdict"))
    reason = verdict_sentence(row, lang, target, min_contracts=min_contracts)
    cell = params.get("min_cell_size")
    if cell is not None and int(cell) < 11:  # stated on every page (allowed by allow_small_cells)
        reason += (f" Attention : effectifs publiés à partir de {fmt.number(cell, lang)} personnes, "
                   "sous le seuil habituel de 11 ; ne pas diffuser sans cette mention."
                   if lang == "fr" else
                   f" Warning: counts of people published from {fmt.number(cell, lang)} people, "
                   "below the usual threshold of 11; do not circulate without this warning.")
    last_year_label = str(last_year.get("year")) if last_year and last_year.get("year") else (
        str(int(year) - 1) if year else labels.label("last_year", lang))

    judged = verdict_code not in ("insufficient_data", "not_measured")
    shares = [(labels.label("legend_declared", lang) + (" *" if judged else ""),
               _dig(this_year, "declared.covered_share" if judged else "declared.share"),
               *((None, None) if judged else (_dig(this_year, "declared.ci95") or (None, None))),
               DECLARED_COLOR)]
    if judged:
        low, high = _dig(this_year, "effective.ci95") or (None, None)
        shares.append((labels.label("legend_effective", lang) + " *",
                       _dig(this_year, "effective.share"), low, high, EFFECTIVE_COLOR))

    top = not_effective_declared(contracts, buyer_siret)
    id_col = "contract_id" if buyer_siret is not None else "uid"
    top_rows = [(str(r[id_col]), fmt.number(r["amount"], lang),
                 labels.label(str(r["status"]), lang, kind="status"))
                for _, r in top.head(top_n).iterrows()]
    more = len(top) - len(top_rows)
    more_text = (("… et {n} autres marchés déclarés sans réalisation vérifiée." if lang == "fr"
                  else "… and {n} more declared contracts without verified delivery.")
                 .format(n=fmt.number(more, lang)) if more > 0 else "")
    statuses = [s for s in labels.STATUS_CODES if s in set(top.head(top_n)["status"].astype(str))]
    verdicts = [verdict_code]
    last_verdict = _dig(last_year, "verdict")
    if last_verdict and last_verdict != verdict_code:  # shown in the key figures too
        verdicts.append(str(last_verdict))
    glossary = labels.glossary(lang, [*verdicts, *statuses], params)
    if judged:
        glossary.append({"label": "*", "code": "",
                         "rule": ("Parts calculées sur les marchés suivis par le facilitateur."
                                  if lang == "fr" else
                                  "Shares over the contracts followed by the facilitator.")})
    return Figures(
        title=title or labels.label("whole_scope", lang),
        subtitle=labels.label("summary_title", lang).format(year=year if year else "") + " — "
        + labels.label("as_of", lang).format(date=fmt.date(as_of, lang)),
        verdict=labels.label(verdict_code, lang, kind="verdict"),
        verdict_code=verdict_code,
        reason=reason,
        years=(str(year) if year else labels.label("this_year", lang), last_year_label),
        key_rows=_key_rows(this_year, last_year, lang),
        shares=shares,
        target=target,
        top_heading=labels.label("top_contracts", lang).format(n=fmt.number(top_n, lang)),
        top_columns=(labels.label("contract_id" if buyer_siret is not None else "uid", lang),
                     labels.label("amount", lang), labels.label("status", lang)),
        top_rows=top_rows,
        top_more=more_text,
        glossary_heading=labels.label("glossary", lang),
        glossary_columns=(labels.label("label", lang), labels.label("code", lang),
                          labels.label("rule", lang)),
        glossary=glossary,
        footer=labels.label("footer", lang),
        lang=lang,
    )


# ---------------------------------------------------------------------------------------------------
# chart
# ---------------------------------------------------------------------------------------------------

def _draw_chart(ax: Any, content: Figures, scale: float = 1.0) -> None:
    """Horizontal bars of the shares with their 95 % intervals and the target as a dashed line."""
    lang = content.lang
    names = [s[0] for s in content.shares][::-1]
    values = [float(s[1]) if s[1] is not None else 0.0 for s in content.shares][::-1]
    colours = [s[4] for s in content.shares][::-1]
    ax.barh(range(len(names)), values, color=colours, height=0.6)
    for i, (_, v, lo, hi, _c) in enumerate(content.shares[::-1]):
        if v is not None and lo is not None and hi is not None:
            ax.errorbar([float(v)], [i], xerr=[[float(v) - float(lo)], [float(hi) - float(v)]],
                        fmt="none", ecolor="#222222", capsize=3, lw=1)
        ax.text((float(v) if v is not None else 0) + 0.01, i + 0.32,
                fmt.share(v, lang), va="bottom", ha="left", fontsize=7.5 * scale)
    ax.axvline(content.target, color=TARGET_COLOR, ls="--", lw=1.2)
    ax.text(content.target, len(names) - 0.35,
            f" {labels.label('legend_target', lang)} {fmt.target(content.target, lang)}",
            color=TARGET_COLOR, fontsize=7.5 * scale, va="bottom", ha="left")
    ax.set_yticks(range(len(names)), names, fontsize=8 * scale)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(names) - 0.1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0],
                  [fmt.share(x, lang, 0) for x in (0, 0.25, 0.5, 0.75, 1.0)], fontsize=7 * scale)
    ax.set_title(labels.label("fig_shares", lang), fontsize=9 * scale, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


# ---------------------------------------------------------------------------------------------------
# PDF: a measured flow layout on one A4 figure
# ---------------------------------------------------------------------------------------------------

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
            _draw_chart(ax, content, self.scale)
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


# ---------------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------------

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
        _draw_chart(ax, content)
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
