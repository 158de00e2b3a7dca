"""Figures of the reports: every plot the notebooks draw (style, saving and the shared tools are in
:mod:`helpers.figures_base`, whose public names are re-exported here, so ``figures.show``,
``figures.theme`` or ``figures.DECLARED_COLOR`` work as before). The rules every figure follows
are in that module's docstring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from .figures_base import (  # noqa: F401  (re-exported)
    CONSIDERATION_LABELS,
    DECLARED_COLOR,
    DPI,
    EFFECTIVE_COLOR,
    FIGSIZE,
    LABEL_WIDTH,
    MAX_BUYERS,
    MIN_FONT_PT,
    STATUS_COLORS,
    STATUS_ORDER,
    TARGET_COLOR,
    THEME,
    TITLE_WIDTH,
    UNKNOWN_COLOR,
    VERDICT_COLORS,
    VERDICT_ORDER,
    WIDTH,
    F,
    Number,
    Percent,
    _bottom_legend,
    _category_axis,
    _count_ticks,
    _empty_figure,
    _hbars,
    _percent_axis,
    _row_bands,
    _row_height,
    _share_interval,
    _share_table,
    _title,
    buyer_label,
    figures_dir,
    interval_errors,
    number_text,
    ordered,
    percent_text,
    plain_text,
    png_bytes,
    save_figure,
    show,
    status_color,
    theme,
    themed,
    top_buyers,
    verdict_color,
    wrap,
)


@themed
def plot_shares_by_buyer(
    buyers: pd.DataFrame, target: float, *, effective: bool = True,
    max_buyers: int = MAX_BUYERS, alpha: float = 0.05,
    title: str | None = None,
    title_largest: str = "{title} — {shown} largest of {total}",
    xlabel: str = "Share of contracts (%)", ylabel: str = "Buyer",
    declared_label: str = "Declared share (95 % Wilson interval)",
    effective_label: str = "Effective share (95 % Wilson interval)",
    target_label: str = "Target {target}",
    dist_title: str = "Distribution over all {total} buyers",
    dist_ylabel: str = "Number of buyers",
    empty: str = "No buyer has an assessable contract in scope.",
    percent: Percent = percent_text,
) -> Figure:
    """Declared (and, when ``effective``, effective) share per buyer with its 95 % Wilson interval,
    one row per buyer (largest on top), a vertical line at ``target``.

    ``buyers`` has the ``buyers.csv`` columns (``assessable_contracts``, ``declared_n``,
    ``effective_n``, optionally ``covered_contracts``, ``*_share``). The intervals are the table's
    ``declared_ci_low``/``declared_ci_high`` (and ``effective_*``) when it has them
    (``res.tables["buyers_detail"]``: computed by the indicators at the run's ``alpha``), else the
    Wilson interval of the counts at ``alpha``. Over ``max_buyers`` buyers, the chart shows the
    largest ones and a second panel under it the distribution of the shares over all buyers.

    Texts: ``title`` (default "Declared vs effective share, by buyer", or "Declared share, by buyer"
    without ``effective``); ``title_largest`` with ``{title}``, ``{shown}``, ``{total}``;
    ``target_label`` with ``{target}`` (formatted by ``percent``); ``dist_title`` with ``{total}``.
    """
    import seaborn as sns

    if title is None:
        title = "Declared vs effective share, by buyer" if effective else "Declared share, by buyer"
    data = buyers[buyers["assessable_contracts"] > 0]
    if data.empty:
        return _empty_figure(title, empty)
    shown = top_buyers(data, max_buyers)
    many = len(data) > max_buyers
    labels = buyer_label(shown).tolist()
    rows = _row_height(labels, 0.55 if effective else 0.4) * len(shown)
    if many:
        fig, (ax, ax2) = plt.subplots(2, 1, figsize=(WIDTH, rows + 6.0), layout="constrained",
                                      height_ratios=[rows, 2.8])
    else:
        fig, ax = plt.subplots(figsize=(WIDTH, rows + 2.2), layout="constrained")
    sides = [("declared", DECLARED_COLOR, declared_label)]
    if effective:
        sides.append(("effective", EFFECTIVE_COLOR, effective_label))
    y = np.arange(len(shown), dtype=float)
    for i, (side, colour, label) in enumerate(sides):
        share, lo, hi = _share_interval(shown, side, alpha)
        offset = (i - (len(sides) - 1) / 2) * 0.34  # two marks per row, 0.34 row apart
        ax.errorbar(share, y + offset, xerr=interval_errors(share, lo, hi), fmt="o", ms=7,
                    color=colour, ecolor=colour, elinewidth=2, capsize=4, label=label)
    target_text = target_label.format(target=percent(target, 0))
    ax.axvline(target, color=TARGET_COLOR, linestyle="--", label=target_text)
    _category_axis(ax, labels)
    _row_bands(ax, len(labels))
    ax.set_xlim(-0.02, 1.02)
    _percent_axis(ax, "x", percent)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title if not many else title_largest.format(
        title=title, shown=len(shown), total=len(data))))
    if many:
        parts = []
        for side, _colour, label in sides:
            parts.append(pd.DataFrame({"share": _share_table(data, side)[2], "side": label}))
        long = pd.concat(parts, ignore_index=True).dropna()
        sns.histplot(data=long, x="share", hue="side", bins=np.linspace(0, 1, 21), binrange=(0, 1),
                     multiple="dodge", shrink=0.9, palette={lab: c for _, c, lab in sides},
                     hue_order=[lab for *_, lab in sides], legend=False, ax=ax2)
        ax2.axvline(target, color=TARGET_COLOR, linestyle="--")
        ax2.set_xlim(-0.02, 1.02)
        _percent_axis(ax2, "x", percent)
        ax2.yaxis.set_major_locator(_count_ticks())
        ax2.set_xlabel(xlabel)
        ax2.set_ylabel(dist_ylabel)
        ax2.set_title(_title(dist_title.format(total=len(data))))
    _bottom_legend(fig, ax, last=[target_text])
    return fig


@themed
def plot_share_by_amount(
    buyers: pd.DataFrame, target: float, *, max_buyers: int = MAX_BUYERS,
    title: str = "Declared vs effective share by amount (€ HT), by buyer",
    title_largest: str = "{title} — {shown} largest of {total}",
    xlabel: str = "Share of the amount of assessable contracts (% of € HT)",
    ylabel: str = "Buyer",
    declared_label: str = "Declared", effective_label: str = "Effective",
    target_label: str = "Target {target}",
    empty: str = "No amount-weighted shares available.",
    percent: Percent = percent_text,
) -> Figure:
    """Declared and effective share *by amount* per buyer (columns ``declared_share_by_amount`` and
    ``effective_share_by_amount``), side by side, largest buyers on top, a line at ``target``."""
    import seaborn as sns

    names = {"declared_share_by_amount": (declared_label, DECLARED_COLOR),
             "effective_share_by_amount": (effective_label, EFFECTIVE_COLOR)}
    cols = [c for c in names if c in buyers.columns]
    data = buyers[buyers["assessable_contracts"] > 0]
    if not cols or data.empty:
        return _empty_figure(title, empty)
    shown = top_buyers(data, max_buyers)
    labels = buyer_label(shown).tolist()
    fig, ax = plt.subplots(figsize=(WIDTH, _row_height(labels, 0.2 * len(cols) + 0.15)
                                    * len(shown) + 2.2), layout="constrained")
    long = (shown.assign(label=labels).melt(id_vars="label", value_vars=cols, var_name="measure",
                                            value_name="share"))
    long["measure"] = long["measure"].map(lambda c: names[c][0])
    sns.barplot(data=long, y="label", x="share", hue="measure", order=labels,
                hue_order=[names[c][0] for c in cols], palette=dict(names[c] for c in cols),
                saturation=1.0, errorbar=None, orient="h", ax=ax)
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    _category_axis(ax, labels)
    ax.axvline(target, color=TARGET_COLOR, linestyle="--",
               label=target_label.format(target=percent(target, 0)))
    ax.set_xlim(0, 1)
    _percent_axis(ax, "x", percent)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title if len(data) <= max_buyers else title_largest.format(
        title=title, shown=len(shown), total=len(data))))
    _bottom_legend(fig, ax)
    return fig


@themed
def plot_by_consideration(
    counts: Mapping[str, int | Mapping[str, int]], assessable: int, *,
    title: str = "Social considerations declared in assessable contracts",
    xlabel: str = "Number of assessable contracts",
    ylabel: str = "Consideration declared",
    names: Mapping[str, str] = CONSIDERATION_LABELS,
    value_label: str = "{n} ({share})",
    empty: str = "No assessable contract in scope.",
    percent: Percent = percent_text, number: Number = number_text,
) -> Figure:
    """Number of assessable contracts declaring each social consideration (a contract may declare
    several), with its share of the assessable set after each bar (``value_label`` with ``{n}`` and
    ``{share}``). ``counts`` maps a key of ``indicators.declared.by_consideration`` to its count or
    to its block (``{"n": ...}``); ``names`` gives the label of each key."""
    if assessable <= 0:
        return _empty_figure(title, empty)
    keys = list(counts)
    values = [float(counts[k]["n"] if isinstance(counts[k], Mapping) else counts[k]) for k in keys]
    labels = [wrap(names.get(k, k)) for k in keys]
    fig, ax = plt.subplots(figsize=(WIDTH, _row_height(labels, 0.5) * len(keys) + 1.8),
                           layout="constrained")
    _hbars(ax, labels, values, [DECLARED_COLOR] * len(keys),
           [value_label.format(n=number(v), share=percent(v / assessable, 1)) for v in values])
    ax.set_xlim(0, max(1.0, max(values, default=0.0)) * 1.3)
    ax.xaxis.set_major_locator(_count_ticks())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title))
    return fig


@themed
def plot_official_context(
    official: pd.DataFrame, year: int, declared_share: float | None, *, target: float = 0.30,
    title: str = "Declared share against the official national series",
    xlabel: str = "Year of notification", ylabel: str = "Share of contracts (%)",
    official_label: str = "Official national share",
    scope_label: str = "This scope, declared ({year})",
    target_label: str = "PNAD target {target}",
    break_label: str = "Series break (DECP from 2024)",
    percent: Percent = percent_text,
) -> Figure:
    """Official national shares of contracts with a social consideration (columns ``year``,
    ``share``), with this scope's declared share for ``year`` and the ``target`` line.

    A dotted vertical line marks the 2024 series break (OECP ≥ 90 k€ before, DECP ≥ 40 k€ from 2024).
    """
    fig, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    o = official.sort_values("year")
    ax.plot(o["year"], o["share"], marker="o", color="grey", label=official_label)
    has_scope = declared_share is not None and not pd.isna(declared_share)
    if has_scope:
        ax.scatter([year], [declared_share], color=DECLARED_COLOR, s=90, zorder=3,
                   label=scope_label.format(year=year))
    ax.axhline(target, color=TARGET_COLOR, linestyle="--",
               label=target_label.format(target=percent(target, 0)))
    ax.axvline(2023.5, color="black", linestyle=":", label=break_label)
    tops = [0.5, float(o["share"].max()) + 0.1 if len(o) else 0.0, target + 0.1]
    if has_scope:
        tops.append(float(declared_share) + 0.1)
    ax.set_ylim(0, min(1.0, max(tops)))
    _percent_axis(ax, "y", percent)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title))
    ax.xaxis.set_major_locator(_count_ticks())
    _bottom_legend(fig, ax, ncols=2)
    return fig


# ---------------------------------------------------------------------------------------------------
# status and verdicts (notebook 04) and data quality (notebook 01)
# ---------------------------------------------------------------------------------------------------

@themed
def plot_funnel(
    stages: Mapping[str, int], *,
    title: str = "From declaration to delivery (assessable contracts)",
    xlabel: str = "Number of contracts", ylabel: str = "Stage",
    names: Mapping[str, str] | None = None,
    value_label: str = "{n} ({share} of declared)",
    percent: Percent = percent_text, number: Number = number_text,
) -> Figure:
    """Horizontal funnel: number of contracts at each stage (e.g. declared → followed → delivered),
    darkest for the first, each bar labelled with its count and its share of the first stage
    (``value_label`` with ``{n}`` and ``{share}``; the count alone when the first stage is 0).
    ``names`` gives the label of each stage key."""
    import seaborn as sns

    keys = list(stages)
    values = [float(stages[k]) for k in keys]
    labels = [wrap((names or {}).get(k, k)) for k in keys]
    top = values[0] if values and values[0] > 0 else 0.0
    texts = [value_label.format(n=number(v), share=percent(v / top, 0)) if top else number(v)
             for v in values]
    fig, ax = plt.subplots(figsize=(WIDTH, _row_height(labels, 0.6) * len(keys) + 1.8),
                           layout="constrained")
    # darkest first; the palette of one more colour than bars drops the lightest: no pale bar
    _hbars(ax, labels, values, sns.color_palette("Blues_r", len(keys) + 1).as_hex()[:len(keys)],
           texts)
    ax.set_xlim(0, max(1.0, max(values, default=0.0)) * 1.4)
    ax.xaxis.set_major_locator(_count_ticks())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title))
    return fig


@themed
def plot_status_counts(
    status_counts: Mapping[str, int], *,
    title: str = "Contracts in scope by status",
    xlabel: str = "Number of contracts in scope", ylabel: str = "Status at the cut-off date",
    names: Mapping[str, str] | None = None, number: Number = number_text,
) -> Figure:
    """Number of contracts in scope per status, in the order of the rules (:data:`STATUS_ORDER`,
    every known status shown, 0 included), then any other status found in ``status_counts``; each
    bar in its status colour. ``names`` gives the label of each status."""
    keys = ordered([*STATUS_ORDER, *status_counts], STATUS_ORDER)
    values = [float(status_counts.get(k, 0) or 0) for k in keys]
    labels = [wrap((names or {}).get(k, k)) for k in keys]
    fig, ax = plt.subplots(figsize=(WIDTH, _row_height(labels, 0.45) * len(keys) + 1.8),
                           layout="constrained")
    _hbars(ax, labels, values, [status_color(k) for k in keys], [number(v) for v in values])
    ax.set_xlim(0, max(1.0, max(values)) * 1.2)
    ax.xaxis.set_major_locator(_count_ticks())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title))
    return fig


@themed
def plot_verdict_counts(
    verdicts: Mapping[str, int] | pd.Series | Sequence[str], *,
    title: str = "Buyers by verdict",
    xlabel: str = "Number of buyers", ylabel: str = "Verdict",
    names: Mapping[str, str] | None = None,
    empty: str = "No buyer in scope.", number: Number = number_text,
) -> Figure:
    """Number of buyers per verdict, most serious first (:data:`VERDICT_ORDER`, then any other
    verdict alphabetically), each bar in its verdict colour. ``verdicts`` is either the verdict of
    each buyer (e.g. the ``verdict`` column of ``buyers.csv``) or a mapping verdict → count;
    ``names`` gives the label of each verdict. Verdicts no buyer has are left out."""
    if isinstance(verdicts, Mapping):
        counts = {str(k): float(v) for k, v in verdicts.items() if v}
    else:
        counts = {str(k): float(v) for k, v in
                  pd.Series(list(verdicts), dtype=object).dropna().value_counts().items()}
    if not counts:
        return _empty_figure(title, empty)
    keys = ordered(counts, VERDICT_ORDER)
    values = [counts[k] for k in keys]
    labels = [wrap((names or {}).get(k, k)) for k in keys]
    fig, ax = plt.subplots(figsize=(WIDTH, _row_height(labels, 0.5) * len(keys) + 1.8),
                           layout="constrained")
    _hbars(ax, labels, values, [verdict_color(k) for k in keys], [number(v) for v in values])
    ax.set_xlim(0, max(values) * 1.2)
    ax.xaxis.set_major_locator(_count_ticks())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title))
    return fig


@themed
def plot_coverage(
    coverage: pd.DataFrame, *, max_buyers: int = MAX_BUYERS,
    title: str = "Coverage of the contracts by clause and participation data",
    title_largest: str = "{title} — {shown} largest of {total} buyers",
    xlabel: str = "Number of contracts", ylabel: str = "Buyer",
    series_labels: Sequence[str] = ("Contracts notified", "With a clauses row",
                                    "With participation rows"),
    empty: str = "No contract notified in the year.",
) -> Figure:
    """Per buyer, contracts notified in the year, those with a clauses row and those with
    participation rows (columns ``buyer_siret``, ``buyer_name``, ``contracts``, ``with_clause``,
    ``with_participations``), side by side in that order. Largest buyers first, at most
    ``max_buyers``; ``title_largest`` (``{title}``, ``{shown}``, ``{total}``) says so."""
    import seaborn as sns

    if coverage.empty:
        return _empty_figure(title, empty)
    shown = coverage.sort_values(["contracts", "buyer_siret"], ascending=[False, True]).head(max_buyers)
    labels = buyer_label(shown).tolist()
    cols = ["contracts", "with_clause", "with_participations"]
    names = dict(zip(cols, series_labels))
    long = shown.assign(label=labels).melt(id_vars="label", value_vars=cols, var_name="measure",
                                           value_name="n")
    long["measure"] = long["measure"].map(names)
    fig, ax = plt.subplots(figsize=(WIDTH, _row_height(labels, 0.75) * len(shown) + 2.2),
                           layout="constrained")
    sns.barplot(data=long, y="label", x="n", hue="measure", order=labels,
                hue_order=list(series_labels), saturation=1.0, errorbar=None, orient="h", ax=ax)
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    _category_axis(ax, labels)
    ax.xaxis.set_major_locator(_count_ticks())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title if len(coverage) <= max_buyers else title_largest.format(
        title=title, shown=len(shown), total=len(coverage))))
    _bottom_legend(fig, ax)
    return fig


# ---------------------------------------------------------------------------------------------------
# insertion outcomes (notebook 03)
# ---------------------------------------------------------------------------------------------------

@themed
def plot_shares(
    shares: Mapping[str, float | None], *, title: str, xlabel: str, ylabel: str,
    suppressed: str = "suppressed", empty: str = "Nothing to show.",
    percent: Percent = percent_text,
) -> Figure:
    """Horizontal bars of shares (0-1), first key on top, the share printed after each bar. ``None``
    values (suppressed for privacy) are drawn as an empty bar with the grey word ``suppressed``."""
    items = list(shares.items())
    if not items:
        return _empty_figure(title, empty)
    labels = [wrap(k) for k, _ in items]
    values = [np.nan if v is None or pd.isna(v) else float(v) for _, v in items]
    fig, ax = plt.subplots(figsize=(WIDTH, _row_height(labels, 0.45) * len(items) + 1.8),
                           layout="constrained")
    _hbars(ax, labels, values, [EFFECTIVE_COLOR] * len(items),
           [suppressed if np.isnan(v) else percent(v, 1) for v in values],
           ["0.45" if np.isnan(v) else "0.15" for v in values])
    ax.set_xlim(0, 1.12)
    _percent_axis(ax, "x", percent, step=0.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title))
    return fig


@themed
def plot_hours_by_contract(
    hours: pd.Series, *, max_contracts: int = MAX_BUYERS,
    title: str = "Concentration of insertion hours over contracts",
    bars_title: str = "Top {shown} of {total} contracts",
    xlabel: str = "Contract rank by hours",
    ylabel: str = "Insertion hours in the year (h)",
    lorenz_title: str = "Lorenz curve",
    lorenz_xlabel: str = "Share of contracts (%, fewest hours first)",
    lorenz_ylabel: str = "Cumulative share of hours (%)",
    lorenz_label: str = "Lorenz curve", equal_label: str = "Equal hours",
    empty: str = "No insertion hours in the year.",
    percent: Percent = percent_text, number: Number = number_text,
) -> Figure:
    """Concentration of insertion hours: the contracts with the most hours in the year (bars) and the
    Lorenz curve of hours over all contracts with hours (second panel)."""
    h = hours[hours > 0].sort_values(ascending=False)
    if h.empty:
        return _empty_figure(title, empty)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 5.2), layout="constrained",
                                  width_ratios=[3, 2])
    top = h.head(max_contracts)
    ax.bar(np.arange(1, len(top) + 1), top.to_numpy(), color=EFFECTIVE_COLOR)
    ax.xaxis.set_major_locator(_count_ticks())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(bars_title.format(shown=len(top), total=len(h))))
    asc = np.sort(h.to_numpy())
    cum = np.concatenate([[0.0], np.cumsum(asc) / asc.sum()])
    x = np.linspace(0, 1, len(cum))
    ax2.plot(x, cum, color=EFFECTIVE_COLOR, label=lorenz_label)
    ax2.plot([0, 1], [0, 1], color="grey", linestyle=":", label=equal_label)
    _percent_axis(ax2, "x", percent, step=0.25)
    _percent_axis(ax2, "y", percent, step=0.25)
    ax2.set_xlabel(wrap(lorenz_xlabel, 30))
    ax2.set_ylabel(lorenz_ylabel)
    ax2.set_title(_title(lorenz_title))
    ax2.legend(loc="upper left")
    fig.suptitle(_title(title))
    return fig


@themed
def plot_bars(
    values: Mapping[str, float], *, title: str, xlabel: str, ylabel: str,
    fmt: str | Number = "{:,.0f}", empty: str = "Nothing to show.",
) -> Figure:
    """Plain horizontal bars of non-negative values, first key on top, with their value printed
    (``fmt``: a format string or a function of the value), e.g. hours by modality."""
    items = list(values.items())
    if not items:
        return _empty_figure(title, empty)
    show_value = fmt.format if isinstance(fmt, str) else fmt
    labels = [wrap(k) for k, _ in items]
    vals = [float(v) for _, v in items]
    fig, ax = plt.subplots(figsize=(WIDTH, _row_height(labels, 0.45) * len(items) + 1.8),
                           layout="constrained")
    _hbars(ax, labels, vals, [DECLARED_COLOR] * len(items), [show_value(v) for v in vals])
    ax.set_xlim(0, max(1.0, max(vals)) * 1.25)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_title(title))
    return fig
