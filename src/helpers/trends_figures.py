"""Multi-year trends, the figures: :func:`trend_figure` and :func:`buyers_trend_figure` — declared
and delivered shares by year with their 95 % Wilson intervals, the 30 % target, the official OECP
series and the milestones (2024 series break, 22 August 2026 obligation) of
:func:`helpers.trends.load_official_shares` and :func:`helpers.trends.load_milestones`;
:func:`year_changes_figure` — the year-over-year changes of :func:`helpers.trends.year_changes` with
their Newcombe intervals.

Every figure is drawn under the report theme (``helpers.figures.themed``) with the figures'
colours, no text below 9 points, and takes its titles, labels and number formats as keyword
arguments (English by default; the reports pass ``helpers.texts_research.figure_texts``). Kept
apart from the computation (:mod:`helpers.trends`) so that computing the trends needs no plotting.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import figures
from .trends import ALL, year_changes

MILESTONE_STYLES: dict[str, tuple[str, str]] = {"series_break": ("black", ":"),
                                               "obligation": ("#55A868", "-.")}


def _milestone_label(m: Any, series_break_label: str | None, obligation_label: str | None,
                     date_text: Any) -> str:
    date = date_text(m["date"]) if date_text is not None else m["date"].isoformat()
    given = {"series_break": series_break_label, "obligation": obligation_label}.get(m["kind"])
    return given.format(date=date) if given else f"{m['label']} ({date})"


def _mark_milestones(ax: Any, milestones: pd.DataFrame | None, series_break_label: str | None = None,
                     obligation_label: str | None = None, date_text: Any = None) -> None:
    if milestones is None:
        return
    for _, m in milestones.iterrows():
        color, ls = MILESTONE_STYLES.get(m["kind"], ("grey", ":"))
        ax.axvline(m["x"], color=color, ls=ls, lw=1.2,
                   label=_milestone_label(m, series_break_label, obligation_label, date_text))


def _share_bars(ax: Any, d: pd.DataFrame, side: str, color: str, dx: float, label: str,
                capsize: float = 3) -> None:
    s = d[f"{side}_share"].astype(float)
    err = np.nan_to_num(figures.interval_errors(s, d[f"{side}_ci_low"], d[f"{side}_ci_high"]))
    ax.errorbar(d["year"].astype(float) + dx, s, yerr=err, marker="o", capsize=capsize, color=color,
                label=label)


@figures.themed
def trend_figure(tidy: pd.DataFrame, target: float = 0.30, buyer: str = ALL,
                 official: pd.DataFrame | None = None, milestones: pd.DataFrame | None = None, *,
                 title: str = "Share of contracts with a social consideration: declared and delivered",
                 xlabel: str = "Year of notification", ylabel: str = "Share of contracts",
                 declared_label: str = "Declared share (95% interval)",
                 effective_label: str = "Delivered share (95% interval)",
                 official_label: str = "Official national share (declared, contracts ≥ €90,000)",
                 target_label: str = "Target {target}",
                 series_break_label: str | None = None, obligation_label: str | None = None,
                 percent: figures.Percent = figures.percent_text, date_text: Any = None) -> Figure:
    """Declared and delivered shares of one buyer (default the whole scope) by year with their 95 %
    intervals, the target line, the official national series and the milestones (their labels
    ``series_break_label`` / ``obligation_label`` take ``{date}``, formatted by ``date_text``; by
    default the file's label and the ISO date). The buyer's name is added to ``title`` for a single
    buyer. The legend sits under the axes, so it never hides a point."""
    import matplotlib.pyplot as plt

    d = tidy[tidy["buyer_siret"].eq(buyer)].sort_values("year")
    fig, ax = plt.subplots(figsize=(figures.WIDTH, 6.0), layout="constrained")
    _share_bars(ax, d, "declared", figures.DECLARED_COLOR, -0.06, declared_label)
    _share_bars(ax, d, "effective", figures.EFFECTIVE_COLOR, 0.06, effective_label)
    if official is not None and not official.empty:
        ax.plot(official["year"], official["share"], marker="s", ls="--", color="grey",
                label=official_label)
    ax.axhline(target, color=figures.TARGET_COLOR, ls="--",
               label=target_label.format(target=percent(target, 0)))
    _mark_milestones(ax, milestones, series_break_label, obligation_label, date_text)
    years = [*d["year"].tolist(), *([] if official is None else official["year"].tolist())]
    if milestones is not None and not milestones.empty:
        years += [float(milestones["x"].max()) + 0.5]
    if years:
        ax.set_xlim(min(years) - 0.6, max(years) + 0.6)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: percent(v, 0)))
    ax.xaxis.get_major_locator().set_params(integer=True)
    if buyer != ALL and d["buyer_name"].notna().any():
        title = f"{title} — {d['buyer_name'].dropna().iloc[-1]}"
    ax.set_title(figures.wrap(title, figures.TITLE_WIDTH))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


@figures.themed
def buyers_trend_figure(tidy: pd.DataFrame, target: float = 0.30, max_buyers: int = 12,
                        milestones: pd.DataFrame | None = None, *,
                        title: str = "Declared and delivered share, buyer by buyer",
                        xlabel: str = "Year of notification", ylabel: str = "Share of contracts",
                        declared_label: str = "Declared share", effective_label: str = "Delivered share",
                        target_label: str = "Target {target}",
                        series_break_label: str = "Series break (2024)",
                        percent: figures.Percent = figures.percent_text,
                        date_text: Any = None) -> Figure:
    """Small multiples, one panel per buyer (the ``max_buyers`` with most assessable contracts over
    the years): declared and delivered share by year with 95 % intervals and the target; a dotted
    line marks a series break inside the years shown. Titles are the wrapped buyer names; the
    figure title, the share label and one legend are outside the panels (constrained layout), the
    year label under each column's lowest panel, so a single panel's title runs into no label.
    ``date_text`` is accepted for
    symmetry with :func:`trend_figure` and not used."""
    import matplotlib.pyplot as plt

    b = tidy[tidy["buyer_siret"].ne(ALL)]
    top = (b.groupby("buyer_siret")["assessable_contracts"].sum().sort_values(ascending=False, kind="stable")
           .head(max_buyers).index.sort_values())
    n = max(len(top), 1)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    width = figures.WIDTH if cols > 1 else figures.WIDTH * 0.6
    fig, axes = plt.subplots(rows, cols, figsize=(width, 3.2 * rows + 1.6), squeeze=False,
                             sharey=True, layout="constrained")
    years = sorted(b["year"].unique())
    names_width = 28 if cols > 1 else 40
    for ax, siret in zip(axes.flat, top):
        d = b[b["buyer_siret"].eq(siret)].sort_values("year")
        _share_bars(ax, d, "declared", figures.DECLARED_COLOR, -0.06, declared_label, capsize=2)
        _share_bars(ax, d, "effective", figures.EFFECTIVE_COLOR, 0.06, effective_label, capsize=2)
        ax.axhline(target, color=figures.TARGET_COLOR, ls="--", lw=1,
                   label=target_label.format(target=percent(target, 0)))
        if milestones is not None:
            for _, m in milestones.iterrows():
                if m["kind"] == "series_break" and years and years[0] - 0.5 <= m["x"] <= years[-1] + 0.5:
                    ax.axvline(m["x"], color="black", ls=":", lw=1, label=series_break_label)
        name = d["buyer_name"].dropna()
        ax.set_title(figures.wrap(str(name.iloc[-1] if len(name) else siret), names_width),
                     fontsize=10, fontweight="normal")
        ax.set_ylim(0, 1)
        ax.set_xticks(years, [str(y) for y in years])
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: percent(v, 0)))
    for ax in list(axes.flat)[len(top):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    # the x label goes under each column's lowest panel, the legend under the figure: a figure
    # x label (supxlabel) and a bottom legend would be drawn on top of each other
    for c in range(cols):
        shown = [ax for ax in axes[:, c] if ax.get_visible()]
        if shown:
            shown[-1].set_xlabel(xlabel)
    fig.suptitle(figures.wrap(title, 60 if cols == 1 else figures.TITLE_WIDTH))
    fig.legend(handles, labels, loc="outside lower center", ncols=2 if cols == 1 else 4)
    fig.supylabel(ylabel, fontsize=11)
    return fig


@figures.themed
def year_changes_figure(tidy: pd.DataFrame, alpha: float = 0.05, buyer: str = ALL, *,
                        title: str = "Year-over-year change of the shares (all buyers)",
                        xlabel: str = "Change in percentage points (95% interval)",
                        declared_label: str = "Declared share", effective_label: str = "Delivered share",
                        zero_label: str = "No change", number: figures.Number = figures.number_text
                        ) -> Figure:
    """The year-over-year changes of :func:`year_changes` for one buyer (default the whole scope):
    one row per pair of consecutive years ("2023 → 2024"), the declared and the delivered change in
    percentage points with its 95 % Newcombe interval, and the zero line; a change whose interval
    does not cross the zero line is a clear change."""
    import matplotlib.pyplot as plt

    ch = year_changes(tidy[tidy["buyer_siret"].eq(buyer)], alpha)
    pairs = [f"{a} → {b}" for a, b in zip(ch["year_from"], ch["year_to"])]
    fig, ax = plt.subplots(figsize=(figures.WIDTH, 1.0 * max(len(pairs), 1) + 2.4), layout="constrained")
    pos = np.arange(len(pairs))[::-1].astype(float)
    for side, color, dy, label in (("declared", figures.DECLARED_COLOR, 0.12, declared_label),
                                   ("effective", figures.EFFECTIVE_COLOR, -0.12, effective_label)):
        d = 100 * ch[f"{side}_change"].astype(float)
        err = figures.interval_errors(d, 100 * ch[f"{side}_change_ci_low"].astype(float),
                                      100 * ch[f"{side}_change_ci_high"].astype(float))
        ax.errorbar(d, pos + dy, xerr=np.nan_to_num(err), fmt="o", capsize=3, color=color, label=label)
    ax.axvline(0, color="grey", ls="--", lw=1, label=zero_label)
    ax.set_yticks(pos, pairs)
    ax.set_ylim(-0.6, max(len(pairs), 1) - 0.4)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: number(v)))
    ax.set_xlabel(xlabel)
    ax.set_title(figures.wrap(title, figures.TITLE_WIDTH))
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3)
    return fig


__all__ = ["MILESTONE_STYLES", "buyers_trend_figure", "trend_figure", "year_changes_figure"]
