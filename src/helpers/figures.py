"""Figures of the reports: one place for style, saving and every plot the notebooks draw.

Rules (DESIGN §4, issue 4 and issue 6 item 3):
- every figure has a title, labelled axes with units, a fixed size and dpi;
- files are deterministic: SVG with a fixed ``svg.hashsalt`` and no date, PNG without software/date
  metadata, so that two runs on the same inputs give the same bytes;
- figures go to :func:`figures_dir` — ``$SCA_FIGURES_DIR`` when set (``python -m helpers run`` points it
  at ``<out>/<year>/figures``), else a folder under the system temporary directory, so an interactive
  session never writes into the repository and notebook outputs never contain a path;
- bounded at national scale: a per-buyer chart shows at most ``max_buyers`` (30) buyers — the largest by
  assessable contracts — and, when there are more, a second panel with the distribution over all buyers.
"""

from __future__ import annotations

import base64
import io
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Neither SciPy nor statsmodels at import, and no seaborn at all: every notebook kernel imports this
# module, and the three cost about 1 s of CPU per kernel, most of a warm rerun's start-up (issue 6).
# The style is matplotlib's own copy of the seaborn theme; statsmodels is imported by the one
# fallback that needs it (:func:`_wilson`).
STYLE = ("seaborn-v0_8-whitegrid", "seaborn-v0_8-notebook", "seaborn-v0_8-deep")

FIGURES_ENV = "SCA_FIGURES_DIR"
FIGSIZE: tuple[float, float] = (9.0, 5.0)
DPI = 100
MAX_BUYERS = 30
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

# Colours: declared (what buyers say) vs effective (what was delivered).
DECLARED_COLOR = "#4C72B0"
EFFECTIVE_COLOR = "#DD8452"
TARGET_COLOR = "#C44E52"

STATUS_ORDER = ("VERIFIED", "NOT_DUE", "SHORTFALL", "NO_EVIDENCE", "UNVERIFIABLE",
                "UNDECLARED_DELIVERY", "NOT_DECLARED")


def apply_style() -> None:
    """Fixed style for every report figure (deterministic output): the seaborn "whitegrid" theme,
    "notebook" context and "deep" palette as matplotlib ships them (:data:`STYLE`), then our sizes."""
    plt.style.use(list(STYLE))
    plt.rcParams.update({
        "figure.figsize": FIGSIZE,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "svg.hashsalt": "social-clause-audit",
        "svg.fonttype": "path",
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
    })


apply_style()


def figures_dir() -> Path:
    """Folder the figures are written to: ``$SCA_FIGURES_DIR``, else ``<tmp>/sca-figures``."""
    env = os.environ.get(FIGURES_ENV)
    folder = Path(env) if env else Path(tempfile.gettempdir()) / "sca-figures"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_figure(fig: Figure, name: str) -> dict[str, Path]:
    """Write ``fig`` as ``<name>.png`` and ``<name>.svg`` into :func:`figures_dir`; return the paths.

    ``name`` is a lower-case slug (letters, digits, ``_``, ``-``) so that file names are portable.
    PNG carries no ``Software`` tag and SVG no ``Date``: the bytes depend only on the figure.
    """
    if not _NAME.match(name):
        raise ValueError(f"figure name {name!r} must be a lower-case slug (a-z, 0-9, '_', '-')")
    folder = figures_dir()
    paths = {"png": folder / f"{name}.png", "svg": folder / f"{name}.svg"}
    fig.savefig(paths["png"], format="png", dpi=DPI, metadata={"Software": None},
                bbox_inches="tight")
    fig.savefig(paths["svg"], format="svg", metadata={"Date": None, "Creator": None},
                bbox_inches="tight")
    return paths


def show(fig: Figure, name: str) -> None:
    """Save ``fig`` (see :func:`save_figure`), display it as a PNG in the notebook, and close it.

    Only the ``image/png`` bundle is published (no ``<Figure ...>`` text repr), so the notebook's text
    outputs stay stable for nbval; outside IPython the figure is only saved.
    """
    paths = save_figure(fig, name)
    plt.close(fig)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        return
    if get_ipython() is None:
        return
    data = base64.b64encode(paths["png"].read_bytes()).decode("ascii")
    display({"image/png": data}, raw=True)


def png_bytes(fig: Figure) -> bytes:
    """The PNG bytes :func:`save_figure` would write (used by tests)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight")
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------

def _wilson(k: pd.Series, n: pd.Series, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson interval bounds (DESIGN §3) for counts ``k`` out of ``n`` (NaN where n = 0)."""
    from statsmodels.stats.proportion import proportion_confint

    k = k.astype(float).to_numpy()
    n = n.astype(float).to_numpy()
    lo = np.full(len(n), np.nan)
    hi = np.full(len(n), np.nan)
    ok = n > 0
    if ok.any():
        lo[ok], hi[ok] = proportion_confint(k[ok], n[ok], alpha=alpha, method="wilson")
    return lo, hi


def buyer_label(df: pd.DataFrame) -> pd.Series:
    """``name (SIRET)`` when a name is known, else the SIRET."""
    siret = df["buyer_siret"].astype(str)
    if "buyer_name" not in df.columns:
        return siret
    full = df["buyer_name"].astype("string").fillna("")
    name = full.where(full.str.len() <= 32, full.str.slice(0, 31) + "…")
    return pd.Series(np.where(name.str.len() > 0, name + " (" + siret + ")", siret), index=df.index)


def top_buyers(buyers: pd.DataFrame, max_buyers: int = MAX_BUYERS) -> pd.DataFrame:
    """The ``max_buyers`` buyers with the most assessable contracts (ties broken by SIRET)."""
    ordered = buyers.sort_values(["assessable_contracts", "buyer_siret"], ascending=[False, True])
    return ordered.head(max_buyers)


def _grouped_barh(ax: plt.Axes, labels: Sequence[str], series: Mapping[str, Sequence[float]],
                  colors: Sequence[str] | None = None) -> None:
    """One horizontal bar per label and series, the series side by side within a label; the first
    label at the top, a legend entry per series."""
    y = np.arange(len(labels))
    height = 0.8 / max(1, len(series))
    cycle = colors or plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, values) in enumerate(series.items()):
        offset = (i - (len(series) - 1) / 2) * height
        ax.barh(y + offset, np.asarray(values, dtype=float), height=height, label=name,
                color=cycle[i % len(cycle)])
    ax.set_yticks(y, list(labels))
    ax.set_ylim(len(labels) - 0.5, -0.5)  # first label on top


def _empty_figure(title: str, message: str) -> Figure:
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return fig


def _percent_axis(ax: plt.Axes, axis: str = "x") -> None:
    from matplotlib.ticker import PercentFormatter

    fmt = PercentFormatter(xmax=1.0, decimals=0)
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


# ---------------------------------------------------------------------------------------------------
# per-buyer shares (notebooks 02 and 04)
# ---------------------------------------------------------------------------------------------------

def plot_shares_by_buyer(buyers: pd.DataFrame, target: float, *, effective: bool = True,
                         max_buyers: int = MAX_BUYERS, alpha: float = 0.05) -> Figure:
    """Declared (and, when ``effective``, effective) share per buyer with Wilson intervals.

    ``buyers`` has the ``buyers.csv`` columns of DESIGN §4 (``assessable_contracts``, ``declared_n``,
    ``effective_n``, ...). The intervals are the table's ``declared_ci_low``/``declared_ci_high``
    (and ``effective_*``) when it has them (``res.tables["buyers_detail"]``: computed by the
    indicators at the run's ``alpha``), else recomputed from the counts at ``alpha``. A vertical
    line marks ``target``.
    Over ``max_buyers`` buyers, the chart shows the largest ones and a second panel shows the
    distribution of the shares over all buyers.
    """
    title = "Declared vs effective share, by buyer" if effective else "Declared share, by buyer"
    data = buyers[buyers["assessable_contracts"] > 0]
    if data.empty:
        return _empty_figure(title, "No buyer has an assessable contract in scope.")
    shown = top_buyers(data, max_buyers).iloc[::-1]
    many = len(data) > max_buyers
    height = max(3.5, 0.4 * len(shown) + 2.0)
    if many:
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(FIGSIZE[0] + 5, height),
                                      gridspec_kw={"width_ratios": [3, 2]})
    else:
        fig, ax = plt.subplots(figsize=(FIGSIZE[0] + 2, height))
    y = np.arange(len(shown))
    labels = buyer_label(shown)
    series = [("declared", DECLARED_COLOR, "Declared")]
    if effective:
        series.append(("effective", EFFECTIVE_COLOR, "Effective"))
    step = 0.38 if effective else 0.0
    for i, (key, colour, label) in enumerate(series):
        k, n = shown[f"{key}_n"], shown["assessable_contracts"]
        share = (k.astype(float) / n.astype(float)).to_numpy()
        bounds = [f"{key}_ci_low", f"{key}_ci_high"]
        if set(bounds) <= set(shown.columns):
            lo, hi = (shown[b].astype(float).to_numpy() for b in bounds)
        else:
            lo, hi = _wilson(k, n, alpha)
        offset = (i - (len(series) - 1) / 2) * step
        ax.errorbar(share, y + offset, xerr=[share - lo, hi - share], fmt="o", color=colour,
                    ecolor=colour, capsize=3, label=f"{label} share (95 % Wilson interval)")
    ax.axvline(target, color=TARGET_COLOR, linestyle="--", label=f"Target {target:.0%}")
    ax.set_yticks(y, labels)
    ax.set_xlim(-0.02, 1.02)
    _percent_axis(ax, "x")
    ax.set_xlabel("Share of assessable contracts (%)")
    ax.set_ylabel("Buyer")
    ax.set_title(title if not many else f"{title} — {len(shown)} largest of {len(data)}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    if many:
        bins = np.linspace(0, 1, 21)
        ax2.hist(data["declared_n"] / data["assessable_contracts"], bins=bins, alpha=0.6,
                 color=DECLARED_COLOR, label="Declared")
        if effective:
            ax2.hist(data["effective_n"] / data["assessable_contracts"], bins=bins, alpha=0.6,
                     color=EFFECTIVE_COLOR, label="Effective")
        ax2.axvline(target, color=TARGET_COLOR, linestyle="--")
        _percent_axis(ax2, "x")
        ax2.set_xlabel("Share of assessable contracts (%)")
        ax2.set_ylabel("Number of buyers")
        ax2.set_title(f"Distribution over all {len(data)} buyers")
        ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_share_by_amount(buyers: pd.DataFrame, target: float, *, max_buyers: int = MAX_BUYERS) -> Figure:
    """Declared and effective share *by amount* per buyer (columns ``declared_share_by_amount`` and
    ``effective_share_by_amount``), largest buyers first, target line."""
    title = "Declared vs effective share by amount (€ HT), by buyer"
    cols = [c for c in ("declared_share_by_amount", "effective_share_by_amount") if c in buyers.columns]
    data = buyers[buyers["assessable_contracts"] > 0]
    if not cols or data.empty:
        return _empty_figure(title, "No amount-weighted shares available.")
    shown = top_buyers(data, max_buyers)
    names = {"declared_share_by_amount": ("Declared", DECLARED_COLOR),
             "effective_share_by_amount": ("Effective", EFFECTIVE_COLOR)}
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], max(3.0, 0.35 * len(shown) + 1.5)))
    _grouped_barh(ax, buyer_label(shown).tolist(),
                  {names[c][0]: shown[c].to_numpy() for c in cols}, [names[c][1] for c in cols])
    ax.axvline(target, color=TARGET_COLOR, linestyle="--", label=f"Target {target:.0%}")
    ax.set_xlim(0, 1)
    _percent_axis(ax, "x")
    ax.set_xlabel("Share of the amount of assessable contracts (% of € HT)")
    ax.set_ylabel("Buyer")
    suffix = f" — {len(shown)} largest of {len(data)}" if len(data) > max_buyers else ""
    ax.set_title(title + suffix)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


CONSIDERATION_LABELS = {"clause_sociale": "Clause sociale", "critere_social": "Critère social",
                        "marche_reserve": "Marché réservé"}


def plot_by_consideration(counts: Mapping[str, int | Mapping[str, int]], assessable: int) -> Figure:
    """Number of assessable contracts declaring each social consideration (a contract may declare
    several), with its share of the assessable set on each bar. ``counts`` maps a key of
    ``indicators.declared.by_consideration`` to its count or to its block (``{"n": ...}``)."""
    title = "Social considerations declared in assessable contracts"
    if assessable <= 0:
        return _empty_figure(title, "No assessable contract in scope.")
    flat = {CONSIDERATION_LABELS.get(k, k): (v["n"] if isinstance(v, Mapping) else v)
            for k, v in counts.items()}
    s = pd.Series(flat, dtype=float)
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.barh(s.index, s.to_numpy(), color=DECLARED_COLOR)
    for i, v in enumerate(s.to_numpy()):
        ax.text(v, i, f" {int(v)} ({v / assessable:.1%})", va="center", fontsize=9)
    ax.set_xlabel("Number of assessable contracts")
    ax.set_ylabel("Consideration declared")
    ax.set_title(title)
    ax.set_xlim(0, max(1.0, float(s.max()) * 1.3))
    fig.tight_layout()
    return fig


def plot_official_context(official: pd.DataFrame, year: int, declared_share: float | None) -> Figure:
    """Official national shares of contracts with a social consideration (columns ``year``, ``share``
    and optionally ``source``), with this scope's declared share for ``year`` and the 30 % target.

    A dotted vertical line marks the 2024 series break (OECP ≥ 90 k€ before, DECP ≥ 40 k€ from 2024).
    """
    fig, ax = plt.subplots(figsize=FIGSIZE)
    o = official.sort_values("year")
    ax.plot(o["year"], o["share"], marker="o", color="grey", label="Official national share")
    if declared_share is not None and not pd.isna(declared_share):
        ax.scatter([year], [declared_share], color=DECLARED_COLOR, s=80, zorder=3,
                   label=f"This scope, declared ({year})")
    ax.axhline(0.30, color=TARGET_COLOR, linestyle="--", label="PNAD target 30 %")
    ax.axvline(2023.5, color="black", linestyle=":", label="Series break (DECP from 2024)")
    tops = [0.5, float(o["share"].max()) + 0.1]
    if declared_share is not None and not pd.isna(declared_share):
        tops.append(float(declared_share) + 0.1)
    ax.set_ylim(0, min(1.0, max(tops)))
    _percent_axis(ax, "y")
    ax.set_xlabel("Year of notification")
    ax.set_ylabel("Share of contracts (%)")
    ax.set_title("Declared share against the official national series")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------------
# status (notebook 04) and data quality (notebook 01)
# ---------------------------------------------------------------------------------------------------

def plot_funnel(stages: Mapping[str, int]) -> Figure:
    """Horizontal funnel: number of contracts at each stage (e.g. declared → followed → delivered)."""
    title = "From declaration to delivery (assessable contracts)"
    s = pd.Series(dict(stages), dtype=float)
    fig, ax = plt.subplots(figsize=FIGSIZE)
    y = np.arange(len(s))[::-1]
    # shades of blue, darkest for the first stage (the inner 70 % of the colormap: no white bar)
    ax.barh(y, s.to_numpy(), color=plt.get_cmap("Blues_r")(np.linspace(0.0, 0.7, len(s))))
    top = float(s.iloc[0]) if len(s) and s.iloc[0] > 0 else 0.0
    for yi, (label, v) in zip(y, s.items()):
        pct = f" ({v / top:.0%} of declared)" if top else ""
        ax.text(v, yi, f" {int(v)}{pct}", va="center", fontsize=9)
    ax.set_yticks(y, list(s.index))
    ax.set_xlabel("Number of contracts")
    ax.set_ylabel("Stage")
    ax.set_xlim(0, max(1.0, float(s.max()) * 1.35))
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_status_counts(status_counts: Mapping[str, int]) -> Figure:
    """Number of contracts in scope per status (DESIGN §3), in the order of the rules."""
    counts = [int(status_counts.get(s, 0)) for s in STATUS_ORDER]
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.barh(list(STATUS_ORDER)[::-1], counts[::-1], color=DECLARED_COLOR)
    for i, v in enumerate(counts[::-1]):
        ax.text(v, i, f" {v}", va="center", fontsize=9)
    ax.set_xlabel("Number of contracts in scope")
    ax.set_ylabel("Status at the cut-off date")
    ax.set_xlim(0, max(1, max(counts)) * 1.2)
    ax.set_title("Contracts in scope by status")
    fig.tight_layout()
    return fig


def plot_coverage(coverage: pd.DataFrame, *, max_buyers: int = MAX_BUYERS) -> Figure:
    """Per buyer, contracts notified in the year, those with a clauses row and those with
    participation rows (columns ``buyer_siret``, ``buyer_name``, ``contracts``, ``with_clause``,
    ``with_participations``). Largest buyers first; the rest is summarised in the title."""
    title = "Coverage of the contracts by clause and participation data"
    if coverage.empty:
        return _empty_figure(title, "No contract notified in the year.")
    shown = coverage.sort_values(["contracts", "buyer_siret"], ascending=[False, True]).head(max_buyers)
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], max(3.0, 0.45 * len(shown) + 1.5)))
    _grouped_barh(ax, buyer_label(shown).tolist(), {
        "Contracts notified": shown["contracts"].to_numpy(),
        "With a clauses row": shown["with_clause"].to_numpy(),
        "With participation rows": shown["with_participations"].to_numpy()})
    ax.set_xlabel("Number of contracts")
    ax.set_ylabel("Buyer")
    suffix = f" — {len(shown)} largest of {len(coverage)} buyers" if len(coverage) > max_buyers else ""
    ax.set_title(title + suffix)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------------
# insertion outcomes (notebook 03)
# ---------------------------------------------------------------------------------------------------

def plot_shares(shares: Mapping[str, float | None], *, title: str, xlabel: str,
                ylabel: str) -> Figure:
    """Horizontal bars of shares (0-1). ``None`` values (suppressed for privacy, DESIGN §3) are drawn
    as an empty bar labelled "suppressed (< min cell size)"."""
    items = list(shares.items())
    if not items:
        return _empty_figure(title, "Nothing to show.")
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], max(3.0, 0.4 * len(items) + 1.5)))
    labels = [k for k, _ in items][::-1]
    values = [(np.nan if v is None else float(v)) for _, v in items][::-1]
    ax.barh(labels, np.nan_to_num(values, nan=0.0), color=EFFECTIVE_COLOR)
    for i, v in enumerate(values):
        ax.text(0 if np.isnan(v) else v, i, " suppressed" if np.isnan(v) else f" {v:.1%}",
                va="center", fontsize=9, color="grey" if np.isnan(v) else "black")
    ax.set_xlim(0, 1.1)
    _percent_axis(ax, "x")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_hours_by_contract(hours: pd.Series, *, max_contracts: int = MAX_BUYERS) -> Figure:
    """Concentration of insertion hours: the contracts with the most hours in the year (bars) and the
    Lorenz curve of hours over all contracts with hours (second panel)."""
    title = "Concentration of insertion hours over contracts"
    h = hours[hours > 0].sort_values(ascending=False)
    if h.empty:
        return _empty_figure(title, "No insertion hours in the year.")
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(FIGSIZE[0] + 3, FIGSIZE[1]),
                                  gridspec_kw={"width_ratios": [3, 2]})
    top = h.head(max_contracts)
    ax.bar(np.arange(1, len(top) + 1), top.to_numpy(), color=EFFECTIVE_COLOR)
    ax.set_xlabel("Contract rank by hours")
    ax.set_ylabel("Insertion hours in the year (h)")
    ax.set_title(f"Top {len(top)} of {len(h)} contracts")
    asc = np.sort(h.to_numpy())
    cum = np.concatenate([[0.0], np.cumsum(asc) / asc.sum()])
    x = np.linspace(0, 1, len(cum))
    ax2.plot(x, cum, color=EFFECTIVE_COLOR, label="Lorenz curve")
    ax2.plot([0, 1], [0, 1], color="grey", linestyle=":", label="Equal hours")
    _percent_axis(ax2, "x")
    _percent_axis(ax2, "y")
    ax2.set_xlabel("Share of contracts (% , fewest hours first)")
    ax2.set_ylabel("Cumulative share of hours (%)")
    ax2.set_title("Lorenz curve")
    ax2.legend(fontsize=8)
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig


def plot_bars(values: Mapping[str, float], *, title: str, xlabel: str, ylabel: str,
              fmt: str = "{:,.0f}") -> Figure:
    """Plain horizontal bars of non-negative values with their value printed (e.g. hours by modality)."""
    items: Sequence[tuple[str, float]] = list(values.items())
    if not items:
        return _empty_figure(title, "Nothing to show.")
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], max(3.0, 0.4 * len(items) + 1.5)))
    labels = [k for k, _ in items][::-1]
    vals = [float(v) for _, v in items][::-1]
    ax.barh(labels, vals, color=DECLARED_COLOR)
    for i, v in enumerate(vals):
        ax.text(v, i, " " + fmt.format(v), va="center", fontsize=9)
    ax.set_xlim(0, max(1.0, max(vals)) * 1.25)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig
