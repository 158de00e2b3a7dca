"""What every figure of the reports shares: style, saving, wrapping, colours and small drawing tools
(the plots themselves are in :mod:`helpers.figures`, which re-exports every public name here).

Rules every figure follows:

- **Style**: seaborn's "whitegrid" style, "notebook" context and "deep" palette, applied by
  :func:`theme` around each figure function (the :func:`themed` decorator) and nowhere else, so that
  importing this module changes no global setting and imports no seaborn: a notebook kernel that draws
  nothing does not pay for it. The font is DejaVu Sans (shipped with matplotlib), so that the files are
  the same on every machine.
- **Readable at the size it is shown**: figures are at most :data:`WIDTH` inches wide at :data:`DPI`
  dots per inch (the PNG embedded in a report is shown at its own size) and no text is smaller than
  :data:`MIN_FONT_PT` points. Names are wrapped on word boundaries (never cut) and the height of a
  per-buyer chart grows with its number of rows and of lines per row.
- **Names are plain text**: names come from the data, where ``$`` or ``_^{`` are ordinary characters;
  every text artist of a figure is drawn without mathtext and without LaTeX (:func:`plain_text`).
- **Intervals**: shares are drawn with their 95 % Wilson score interval (Wilson, *J. Am. Stat. Assoc.*
  1927; :func:`helpers.indicators.shares.wilson_interval`), from the table's ``*_ci_low``/``*_ci_high``
  columns when it has them. Error bar lengths are clipped at 0 (:func:`interval_errors`): a bound equal
  to the share up to rounding (0 of 7 or 7 of 7) must not make a negative length.
- **Words**: every title, axis label, legend entry and message is a keyword argument whose default is
  the English text, and numbers go through the ``percent``/``number`` formatters, so that a report can
  pass the texts and number formats of its language.
- **Bounded at national scale**: a per-buyer chart shows at most ``max_buyers`` (30) buyers — the
  largest by assessable contracts — and, when there are more, a second panel with the distribution
  over all buyers.
- **Deterministic files**: SVG with a fixed ``svg.hashsalt`` and no date, PNG without software/date
  metadata, so that two runs on the same inputs give the same bytes; figures go to
  :func:`figures_dir` — ``$SCA_FIGURES_DIR`` when set (``python -m helpers run`` points it at
  ``<out>/<year>/figures``), else a folder under the system temporary directory, so an interactive
  session never writes into the repository and notebook outputs never contain a path.

Statuses and verdicts are drawn in the orders :data:`STATUS_ORDER` and :data:`VERDICT_ORDER` with the
colours :data:`STATUS_COLORS` and :data:`VERDICT_COLORS`; a value outside them comes after the known
ones, in alphabetical order, in :data:`UNKNOWN_COLOR`.
"""

from __future__ import annotations

import base64
import functools
import io
import os
import re
import tempfile
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import matplotlib

matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator  # noqa: E402

from .config import FIGURES_ENV

# No seaborn, SciPy nor statsmodels at import: every notebook kernel imports this module, and the
# three cost about 1 s of CPU per kernel. seaborn is imported by :func:`theme` (when a figure is
# drawn), statsmodels by the Wilson interval when a table has no interval columns.

WIDTH = 10.0  # inches: 1000 px at DPI, shown at its own size in a report page
FIGSIZE: tuple[float, float] = (WIDTH, 5.0)
DPI = 100
MIN_FONT_PT = 9.0
MAX_BUYERS = 30
LABEL_WIDTH = 34  # characters per line of a wrapped name on an axis
TITLE_WIDTH = 80  # characters per line of a wrapped title
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

# seaborn theme of every figure, and our settings on top of it
THEME = {"context": "notebook", "style": "whitegrid", "palette": "deep"}
_RC: dict[str, Any] = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "text.usetex": False,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "figure.titlesize": 14,
    "figure.titleweight": "bold",
    "legend.frameon": False,
}
# read when a figure is written: fixed SVG ids, text as paths (no font needed to view it)
_SAVE_RC: dict[str, Any] = {"svg.hashsalt": "social-clause-audit", "svg.fonttype": "path",
                            "savefig.dpi": DPI}

# Colours (seaborn "deep"): declared (what buyers say) vs effective (what was delivered).
DECLARED_COLOR = "#4C72B0"
EFFECTIVE_COLOR = "#DD8452"
TARGET_COLOR = "#C44E52"
UNKNOWN_COLOR = "#BDBDBD"

# Statuses in the order of the rules that assign them; not assessable (grey), effective (green),
# declared but not delivered (orange/red), not verifiable (yellow), neither (dark grey).
STATUS_ORDER = ("NOT_DUE", "NOT_COVERED", "VERIFIED", "SHORTFALL", "NO_EVIDENCE", "UNVERIFIABLE",
                "UNDECLARED_DELIVERY", "NOT_DECLARED")
STATUS_COLORS = {
    "NOT_DUE": "#B0B0B0", "NOT_COVERED": "#B0B0B0",
    "VERIFIED": "#55A868", "UNDECLARED_DELIVERY": "#55A868",
    "SHORTFALL": "#DD8452", "NO_EVIDENCE": "#C44E52",
    "UNVERIFIABLE": "#CCB974", "NOT_DECLARED": "#8C8C8C",
}
# Verdicts, most serious first; the colours of the report pages' verdict classes.
VERDICT_ORDER = ("social_washing", "possible_social_washing", "below_target", "compliant",
                 "not_measured", "insufficient_data")
VERDICT_COLORS = {
    "social_washing": "#B00020", "possible_social_washing": "#E07B00",
    "below_target": "#8A5A00", "compliant": "#1B5E20",
    "not_measured": "#7F7F7F", "insufficient_data": "#A6A6A6",
}

CONSIDERATION_LABELS = {"clause_sociale": "Clause sociale", "critere_social": "Critère social",
                        "marche_reserve": "Marché réservé"}

F = TypeVar("F", bound=Callable[..., Figure])


# ---------------------------------------------------------------------------------------------------
# style, text, numbers
# ---------------------------------------------------------------------------------------------------

@contextmanager
def theme() -> Iterator[None]:
    """Apply the report theme (:data:`THEME` through seaborn, then our sizes and font) inside the
    ``with`` block only; rcParams are restored on exit. Figures drawn in the block keep it."""
    import seaborn as sns

    with (sns.axes_style(THEME["style"]), sns.plotting_context(THEME["context"]),
          sns.color_palette(THEME["palette"]), matplotlib.rc_context(_RC)):
        yield


def themed(func: F) -> F:
    """Decorator of a function returning a Figure: draw it under :func:`theme`, then make every
    text artist plain text (:func:`plain_text`)."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with theme():
            fig = func(*args, **kwargs)
            plain_text(fig)
        return fig

    return wrapper  # type: ignore[return-value]


def plain_text(fig: Figure) -> Figure:
    """Draw every text of ``fig`` as it is written: no mathtext (``$x$`` stays ``$x$``), no LaTeX.

    The ticks an axis has not created yet are created first (an axis creates them lazily, and a new
    tick would not inherit the setting)."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            axis.get_major_ticks()
            axis.get_minor_ticks()
    for text in fig.findobj(Text):
        text.set_usetex(False)
        text.set_parse_math(False)
    return fig


def wrap(text: object, width: int = LABEL_WIDTH) -> str:
    """``text`` on lines of at most ``width`` characters, broken between words only (a word longer
    than ``width`` keeps its own line): nothing is cut, nothing is hyphenated."""
    return textwrap.fill(" ".join(str(text).split()), width=width, break_long_words=False,
                         break_on_hyphens=False)


def percent_text(value: float, digits: int = 0) -> str:
    """English percent: ``0.3`` → ``"30%"``, ``0.4, 1`` → ``"40.0%"``."""
    return f"{float(value) * 100:.{digits}f}%"


def number_text(value: float) -> str:
    """English whole number with thousands separators: ``12345`` → ``"12,345"``."""
    return f"{float(value):,.0f}"


Percent = Callable[[float, int], str]
Number = Callable[[float], str]


def ordered(keys: Iterable[str], order: Sequence[str]) -> list[str]:
    """``keys`` in the order of ``order``, then the ones ``order`` does not know, alphabetically."""
    keys = list(dict.fromkeys(keys))
    known = [k for k in order if k in keys]
    return known + sorted(k for k in keys if k not in order)


def status_color(status: str) -> str:
    """Colour of a contract status (:data:`STATUS_COLORS`), :data:`UNKNOWN_COLOR` if unknown."""
    return STATUS_COLORS.get(status, UNKNOWN_COLOR)


def verdict_color(verdict: str) -> str:
    """Colour of a verdict (:data:`VERDICT_COLORS`), :data:`UNKNOWN_COLOR` if unknown."""
    return VERDICT_COLORS.get(verdict, UNKNOWN_COLOR)


# ---------------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------------

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
    with matplotlib.rc_context(_SAVE_RC):
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
    with matplotlib.rc_context(_SAVE_RC):
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight")
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------

def interval_errors(share: object, low: object, high: object) -> np.ndarray:
    """Error bar lengths ``[[share − low], [high − share]]`` for matplotlib's ``xerr``/``yerr``,
    each clipped at 0: a bound that equals the share up to rounding (Wilson's bound for 0 of 7 can
    come back as 2.8e-17 instead of 0) gives 0, not a negative length. NaN stays NaN (nothing drawn).
    """
    s = np.asarray(share, dtype=float)
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.vstack([np.clip(s - lo, 0.0, None), np.clip(hi - s, 0.0, None)])


def buyer_label(df: pd.DataFrame, width: int = LABEL_WIDTH) -> pd.Series:
    """``name (SIRET)`` when a name is known, else the SIRET, wrapped on lines of ``width``
    characters between words (:func:`wrap`): the whole name is kept."""
    siret = df["buyer_siret"].astype(str)
    if "buyer_name" in df.columns:
        names = df["buyer_name"].astype("string").fillna("").str.strip()
    else:
        names = pd.Series("", index=df.index, dtype="string")
    full = [f"{n} ({s})" if n else s for n, s in zip(names, siret)]
    return pd.Series([wrap(t, width) for t in full], index=df.index, dtype=object)


def top_buyers(buyers: pd.DataFrame, max_buyers: int = MAX_BUYERS) -> pd.DataFrame:
    """The ``max_buyers`` buyers with the most assessable contracts (ties broken by SIRET)."""
    ordered_ = buyers.sort_values(["assessable_contracts", "buyer_siret"], ascending=[False, True])
    return ordered_.head(max_buyers)


def _lines(labels: Sequence[str]) -> int:
    return max((str(s).count("\n") + 1 for s in labels), default=1)


def _row_height(labels: Sequence[str], minimum: float) -> float:
    """Inches per row: room for the tallest wrapped label (0.2 in per line at 11 pt) and at least
    ``minimum`` (the marks drawn in a row)."""
    return max(minimum, 0.2 * _lines(labels) + 0.1)


def _title(text: str) -> str:
    return wrap(text, TITLE_WIDTH)


def _empty_figure(title: str, message: str) -> Figure:
    fig, ax = plt.subplots(figsize=(WIDTH, 2.0), layout="constrained")
    ax.set_title(_title(title))
    ax.text(0.5, 0.5, wrap(message, TITLE_WIDTH), ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return fig


def _count_ticks() -> MaxNLocator:
    """Ticks of a count axis: whole numbers in steps of 1, 2, 5 or 10 times a power of ten."""
    return MaxNLocator(integer=True, steps=[1, 2, 5, 10])


def _percent_axis(ax: Any, axis: str, percent: Percent, step: float | None = 0.1) -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    if step is not None:
        target.set_major_locator(MultipleLocator(step))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: percent(v, 0)))


def _category_axis(ax: Any, labels: Sequence[str]) -> None:
    """Rows 0..n−1 labelled ``labels``, the first at the top, each row one unit high."""
    ax.set_yticks(np.arange(len(labels)), list(labels))
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.grid(False, axis="y")


def _row_bands(ax: Any, rows: int) -> None:
    """A light band behind every other row, so that a mark is read against its row's label."""
    for k in range(1, rows, 2):
        ax.axhspan(k - 0.5, k + 0.5, color="0.95", zorder=0, lw=0)


def _bottom_legend(fig: Figure, ax: Any, ncols: int | None = None, last: Sequence[str] = ()) -> None:
    """One legend for the figure, under the plots, built from ``ax``'s labelled artists (those
    labelled as in ``last`` at the end: reference lines after the data)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    pairs = sorted(zip(handles, labels), key=lambda hl: hl[1] in last)
    handles, labels = [h for h, _ in pairs], [lab for _, lab in pairs]
    if ncols is None:
        ncols = len(labels) if sum(len(s) for s in labels) <= 90 else min(2, len(labels))
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols)


def _hbars(ax: Any, labels: Sequence[str], values: Sequence[float], colors: Sequence[str],
           texts: Sequence[str], text_colors: Sequence[str] | None = None) -> None:
    """One horizontal bar per label (first on top) in its colour, ``texts`` printed after each bar."""
    import seaborn as sns

    labels = list(labels)
    frame = pd.DataFrame({"label": labels, "value": np.nan_to_num(np.asarray(values, float))})
    sns.barplot(data=frame, x="value", y="label", hue="label", order=labels, hue_order=labels,
                palette=dict(zip(labels, colors)), saturation=1.0, legend=False, errorbar=None,
                orient="h", ax=ax)
    _category_axis(ax, labels)
    text_colors = list(text_colors or ["0.15"] * len(labels))
    for i, (v, text, colour) in enumerate(zip(frame["value"], texts, text_colors)):
        ax.annotate(text, (v, i), xytext=(4, 0), textcoords="offset points", va="center",
                    ha="left", fontsize=11, color=colour)


def _share_table(frame: pd.DataFrame, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(count, denominator, share) of ``side`` (``declared``/``effective``) per row: the effective
    share is over the covered contracts when the table has ``covered_contracts``, else over the
    assessable ones; the table's ``<side>_share`` is used when present."""
    k = frame[f"{side}_n"].astype(float).to_numpy()
    den = "covered_contracts" if side == "effective" and "covered_contracts" in frame else \
        "assessable_contracts"
    n = frame[den].astype(float).to_numpy()
    if f"{side}_share" in frame:
        share = frame[f"{side}_share"].astype(float).to_numpy()
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(n > 0, k / np.where(n > 0, n, 1.0), np.nan)
    return k, n, share


def _share_interval(frame: pd.DataFrame, side: str, alpha: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(share, low, high): the table's ``<side>_ci_low``/``_ci_high`` when present, else the Wilson
    interval of count / denominator at level 1 − ``alpha``."""
    k, n, share = _share_table(frame, side)
    bounds = [f"{side}_ci_low", f"{side}_ci_high"]
    if set(bounds) <= set(frame.columns):
        lo, hi = (frame[b].astype(float).to_numpy() for b in bounds)
    else:
        from .indicators.shares import wilson_interval

        lo, hi = wilson_interval(k, n, alpha)
    return share, lo, hi


# ---------------------------------------------------------------------------------------------------
# per-buyer shares (notebooks 02 and 04)
# ---------------------------------------------------------------------------------------------------
