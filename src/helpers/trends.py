"""Multi-year trends (issue 5): declared against effective shares per buyer and for the whole scope,
the official national series as a reference, the series break and the 2026 obligation, and the verdict
changes year over year.

Input: one *snapshot* per year, ``{"year": int, "indicators": dict, "buyers": DataFrame}`` — the
``indicators.json`` content and the ``buyers.csv`` table of DESIGN §4 — either recomputed
(:func:`snapshots_from_dataset`, through ``helpers.indicators.compute_results``) or read from a
reports folder (:func:`snapshots_from_reports`).

Outputs:
- :func:`tidy_table` — one row per (year, buyer) plus one row per year for the whole scope
  (``buyer_siret = "ALL"``): shares with their 95 % Wilson intervals, gap, verdict, significance;
- :func:`verdict_changes` — one row per buyer and pair of consecutive available years, with the
  change: ``newly_flagged`` (now ``social_washing``, not before), ``cleared`` (was ``social_washing``,
  not any more), ``unchanged``, or ``changed`` (another transition); a buyer absent from one year has
  the verdict ``absent`` there;
- :func:`trend_figure` and :func:`buyers_trend_figure` — matplotlib Figures with the 30 % target, the
  official OECP series (``data/reference/official_shares.csv``) and the milestones
  (``data/reference/milestones.csv``: 2024 series break, 22 August 2026 obligation).
"""

from __future__ import annotations

import dataclasses
import json
import os
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from statsmodels.stats.proportion import proportion_confint

from .config import REFERENCE_DIR
from .dataset import Dataset
from .params import Params

FIGURES_ENV = "SCA_FIGURES_DIR"  # set by helpers.run for a report folder
ALL = "ALL"
ALL_NAME = "Whole scope"
SOCIAL_WASHING = "social_washing"
ABSENT = "absent"
CHANGES = ("newly_flagged", "cleared", "changed", "unchanged")

TIDY_COLUMNS = [
    "year", "buyer_siret", "buyer_name", "assessable_contracts",
    "declared_n", "declared_share", "declared_ci_low", "declared_ci_high",
    "effective_n", "effective_share", "effective_ci_low", "effective_ci_high",
    "gap_points", "verdict", "significant",
]


# --------------------------------------------------------------------------------------------------
# period, snapshots, outputs
# --------------------------------------------------------------------------------------------------

def period_years(dataset: Dataset, params: Params, years: Iterable[int] | None = None) -> list[int]:
    """The notification years studied: ``years`` when given (each must be ≤ ``params.year``, whose
    31 December is the default ``as_of``), else every year present in the contracts up to
    ``params.year``. Sorted, without duplicates."""
    years = list(years or [])
    if years:
        late = sorted(y for y in years if y > params.year)
        if late:
            raise ValueError(f"years {late} are after year {params.year}: the cut-off date as_of "
                             f"({params.as_of_date.isoformat()}) would precede their contracts; "
                             "set year to the last year studied")
        return sorted(set(int(y) for y in years))
    present = dataset.contracts["notification_date"].dt.year.dropna().astype(int).unique()
    return sorted(int(y) for y in present if y <= params.year)


def report_dir() -> Path | None:
    """The report folder of a run (``python -m helpers run-all`` sets ``$SCA_FIGURES_DIR`` to
    ``<out>/<folder>/figures``: its parent), or None when the notebook is opened by hand."""
    env = os.environ.get(FIGURES_ENV)
    return Path(env).parent if env else None


def write_tables(tidy: pd.DataFrame, changes: pd.DataFrame, folder: Path) -> list[Path]:
    """``trends.csv`` (the tidy table, floats rounded to 4 decimals) and ``verdict_changes.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = [folder / "trends.csv", folder / "verdict_changes.csv"]
    from .safe_csv import neutralise_frame  # buyer names starting like a formula get a "'"
    neutralise_frame(tidy.round(4)).to_csv(out[0], index=False)
    neutralise_frame(changes).to_csv(out[1], index=False)
    return out


def snapshots_from_dataset(dataset: Dataset, params: Params, years: Iterable[int]) -> list[dict[str, Any]]:
    """Recompute each year with ``helpers.indicators.compute_results`` under ``params`` with ``year``
    replaced (an explicit ``as_of`` is kept for every year; empty means 31 December of each year)."""
    from .indicators import compute_results

    out = []
    for year in sorted(set(int(y) for y in years)):
        res = compute_results(dataset, dataclasses.replace(params, year=year))
        out.append({"year": year, "indicators": res.indicators, "buyers": res.buyers})
    return out


def snapshots_from_reports(reports_dir: str | Path, years: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Read ``<reports_dir>/<year>/indicators.json`` and ``buyers.csv`` for ``years`` (default: every
    folder named by a year that holds both files). A requested year without them is an error naming
    the missing file."""
    root = Path(reports_dir)
    if years is None:
        years = sorted(int(p.name) for p in root.iterdir()
                       if p.is_dir() and p.name.isdigit() and (p / "indicators.json").is_file()
                       and (p / "buyers.csv").is_file())
    out = []
    for year in sorted(set(int(y) for y in years)):
        ind, buy = root / str(year) / "indicators.json", root / str(year) / "buyers.csv"
        missing = [str(p) for p in (ind, buy) if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"year {year}: missing {', '.join(missing)} (run the year first)")
        indicators = json.loads(ind.read_text(encoding="utf-8"))
        buyers = pd.read_csv(buy, dtype={"buyer_siret": str, "buyer_name": str})
        out.append({"year": year, "indicators": indicators, "buyers": buyers})
    return out


# --------------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------------

def _wilson(k: pd.Series, n: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    k_, n_ = k.to_numpy(float), n.to_numpy(float)
    lo, hi = np.full(len(k_), np.nan), np.full(len(k_), np.nan)
    ok = n_ > 0
    if ok.any():
        lo[ok], hi[ok] = proportion_confint(k_[ok], n_[ok], alpha=0.05, method="wilson")
    return lo, hi


def _scope_row(year: int, ind: dict[str, Any]) -> dict[str, Any]:
    dec, eff = ind.get("declared", {}), ind.get("effective", {})
    dci = dec.get("ci95") or [np.nan, np.nan]
    eci = eff.get("ci95") or [np.nan, np.nan]
    gap = ind.get("gap", {})
    return {
        "year": year, "buyer_siret": ALL, "buyer_name": ALL_NAME,
        "assessable_contracts": ind.get("assessable_contracts"),
        "declared_n": dec.get("n"), "declared_share": dec.get("share"),
        "declared_ci_low": dci[0], "declared_ci_high": dci[1],
        "effective_n": eff.get("n"), "effective_share": eff.get("share"),
        "effective_ci_low": eci[0], "effective_ci_high": eci[1],
        "gap_points": gap.get("points"), "verdict": ind.get("verdict"),
        "significant": ind.get("significant"),
    }


def tidy_table(snapshots: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per (year, buyer) and one ``ALL`` row per year (see the module docstring), sorted by
    year then buyer (``ALL`` first). Buyer intervals are 95 % Wilson intervals of declared_n /
    assessable_contracts and effective_n / assessable_contracts (DESIGN §3); the whole-scope row takes
    the ``ci95`` of ``indicators.json``."""
    frames = []
    for snap in snapshots:
        year = int(snap["year"])
        b = snap["buyers"].copy()
        need = ["buyer_siret", "assessable_contracts", "declared_n", "effective_n", "verdict"]
        missing = [c for c in need if c not in b.columns]
        if missing:
            raise ValueError(f"buyers table of {year} lacks column(s) {', '.join(missing)}")
        b["year"] = year
        n = b["assessable_contracts"].astype(float)
        for side in ("declared", "effective"):
            k = b[f"{side}_n"].astype(float)
            if f"{side}_share" not in b.columns:
                b[f"{side}_share"] = np.where(n > 0, k / n.where(n > 0), np.nan)
            b[f"{side}_ci_low"], b[f"{side}_ci_high"] = _wilson(k, n)
        if "buyer_name" not in b.columns:
            b["buyer_name"] = pd.NA
        for col in ("gap_points", "significant"):
            if col not in b.columns:
                b[col] = pd.NA
        scope = pd.DataFrame([_scope_row(year, snap["indicators"])])
        frames += [scope.dropna(axis=1, how="all"), b[TIDY_COLUMNS].dropna(axis=1, how="all")]
    if not frames:
        return pd.DataFrame(columns=TIDY_COLUMNS)
    tidy = pd.concat([f for f in frames if not f.empty], ignore_index=True).reindex(columns=TIDY_COLUMNS)
    tidy["buyer_siret"] = tidy["buyer_siret"].astype(str)
    tidy["_all"] = tidy["buyer_siret"].ne(ALL)
    tidy = tidy.sort_values(["year", "_all", "buyer_siret"], kind="stable").drop(columns="_all")
    return tidy.reset_index(drop=True)


def _classify(before: pd.Series, after: pd.Series) -> np.ndarray:
    return np.select(
        [after.eq(SOCIAL_WASHING) & before.ne(SOCIAL_WASHING),
         before.eq(SOCIAL_WASHING) & after.ne(SOCIAL_WASHING),
         before.eq(after)],
        ["newly_flagged", "cleared", "unchanged"], default="changed").astype(object)


def verdict_changes(tidy: pd.DataFrame, include_scope: bool = True) -> pd.DataFrame:
    """Verdict of each buyer (and of the whole scope when ``include_scope``) from one available year
    to the next: columns year_from, year_to, buyer_siret, buyer_name, verdict_from, verdict_to,
    change (see the module docstring). Sorted by year_to, change, buyer."""
    cols = ["year_from", "year_to", "buyer_siret", "buyer_name", "verdict_from", "verdict_to", "change"]
    t = tidy if include_scope else tidy[tidy["buyer_siret"].ne(ALL)]
    years = sorted(t["year"].unique())
    if len(years) < 2:
        return pd.DataFrame(columns=cols)
    wide = t.pivot(index="buyer_siret", columns="year", values="verdict").reindex(columns=years)
    wide = wide.astype(object).where(wide.notna(), ABSENT)
    names = (t.sort_values("year").dropna(subset=["buyer_name"])
             .drop_duplicates("buyer_siret", keep="last").set_index("buyer_siret")["buyer_name"])
    parts = []
    for y0, y1 in zip(years[:-1], years[1:]):
        both = wide[[y0, y1]]
        both = both[~(both[y0].eq(ABSENT) & both[y1].eq(ABSENT))]
        parts.append(pd.DataFrame({
            "year_from": int(y0), "year_to": int(y1), "buyer_siret": both.index,
            "buyer_name": both.index.map(names).astype(object),
            "verdict_from": both[y0].to_numpy(), "verdict_to": both[y1].to_numpy(),
            "change": _classify(both[y0], both[y1]),
        }))
    out = pd.concat(parts, ignore_index=True)
    order = {c: i for i, c in enumerate(CHANGES)}
    out["_c"] = out["change"].map(order)
    out = out.sort_values(["year_to", "_c", "buyer_siret"], kind="stable").drop(columns="_c")
    return out[cols].reset_index(drop=True)


def change_summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Counts of each change per pair of years (rows year_to, columns :data:`CHANGES`)."""
    if changes.empty:
        return pd.DataFrame(columns=list(CHANGES))
    return (pd.crosstab(changes["year_to"], changes["change"])
            .reindex(columns=list(CHANGES), fill_value=0))


def scope_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """Whole-scope rows of ``tidy`` as a display table indexed by year: assessable contracts,
    declared and effective shares with their 95 % intervals as text, gap in points, verdict."""
    from .notebook import pct

    rows = tidy[tidy["buyer_siret"].eq(ALL)]

    def share_text(kind: str) -> list[str]:
        return [f"{pct(s)} [{pct(lo)}, {pct(hi)}]" for s, lo, hi in
                zip(rows[f"{kind}_share"], rows[f"{kind}_ci_low"], rows[f"{kind}_ci_high"])]

    return pd.DataFrame({
        "year": rows["year"],
        "assessable": rows["assessable_contracts"],
        "declared": share_text("declared"),
        "effective": share_text("effective"),
        "gap (points)": rows["gap_points"].astype(float).round(1),
        "verdict": rows["verdict"],
    }).set_index("year")


def trend_sentence(tidy: pd.DataFrame, target: float) -> str:
    """Plain-language first-to-last-year comparison of the whole scope's shares and gap."""
    from .notebook import pct

    rows = tidy[tidy["buyer_siret"].eq(ALL)]
    first, last = rows.iloc[0], rows.iloc[-1]
    return (
        f"From {first['year']} to {last['year']}, the declared share of the whole scope went from "
        f"{pct(first['declared_share'])} to {pct(last['declared_share'])} and the effective share "
        f"from {pct(first['effective_share'])} to {pct(last['effective_share'])} "
        f"(target {pct(target, 0)}). The gap between what is declared and what is delivered "
        f"was {first['gap_points']:.1f} points in {first['year']} and {last['gap_points']:.1f} points in "
        f"{last['year']}."
    )


def verdict_matrix(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per buyer (whole scope excluded), one column per year holding its verdict."""
    out = (tidy[tidy["buyer_siret"].ne(ALL)]
           .pivot_table(index=["buyer_siret", "buyer_name"], columns="year", values="verdict",
                        aggfunc="first")
           .reset_index())
    out.columns = [str(c) for c in out.columns]
    return out


def change_sentence(changes: pd.DataFrame, last_year: int) -> str:
    """Plain-language summary of :func:`verdict_changes`: how many buyers were newly flagged and
    cleared, and which were flagged for social washing in ``last_year`` and the year before."""
    flagged = changes[changes["change"].eq("newly_flagged")]
    cleared = changes[changes["change"].eq("cleared")]
    still = changes[changes["verdict_to"].eq("social_washing") & changes["change"].eq("unchanged")
                    & changes["year_to"].eq(last_year)]
    head = f"Newly flagged over the period: {len(flagged)}; cleared: {len(cleared)}. "
    if len(still):
        names = "; ".join(still["buyer_name"].fillna(still["buyer_siret"]))
        return head + f"Flagged for social washing in {last_year} and already the year before: {names}."
    return head + f"No buyer was flagged both in {last_year} and the year before."


# --------------------------------------------------------------------------------------------------
# reference series
# --------------------------------------------------------------------------------------------------

def load_official_shares(path: str | Path | None = None) -> pd.DataFrame:
    """The official national shares (year, share, series, scope, source), sorted by year."""
    p = Path(path) if path else REFERENCE_DIR / "official_shares.csv"
    df = pd.read_csv(p, dtype={"series": str, "scope": str, "source": str})
    bad = df.index[~df["share"].between(0, 1)].tolist()
    if bad:
        raise ValueError(f"{p}: column 'share' must be a fraction in [0, 1] (rows {[r + 2 for r in bad]})")
    return df.sort_values("year").reset_index(drop=True)


def load_milestones(path: str | Path | None = None) -> pd.DataFrame:
    """The dated milestones (date, kind, label, description, source) with ``x``, the date's position
    on a year axis whose ticks (year Y) are centred on the year: 1 January of Y sits at Y − 0.5
    (2024-01-01 → 2023.5, between 2023 and 2024), 2026-08-22 → 2025.5 + 233/365 ≈ 2026.14."""
    p = Path(path) if path else REFERENCE_DIR / "milestones.csv"
    df = pd.read_csv(p, dtype=str)
    dates = pd.to_datetime(df["date"], format="%Y-%m-%d")
    frac = (dates.dt.dayofyear - 1) / np.where(dates.dt.is_leap_year, 366, 365)
    df["x"] = dates.dt.year - 0.5 + frac
    df["date"] = dates.dt.date
    return df


# --------------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------------

def _mark_milestones(ax: Any, milestones: pd.DataFrame | None) -> None:
    if milestones is None:
        return
    styles = {"series_break": ("black", ":"), "obligation": ("tab:green", "-.")}
    for _, m in milestones.iterrows():
        color, ls = styles.get(m["kind"], ("grey", ":"))
        ax.axvline(m["x"], color=color, ls=ls, lw=1.2,
                   label=f"{m['label']} ({m['date'].isoformat()})")


def trend_figure(tidy: pd.DataFrame, target: float = 0.30, buyer: str = ALL,
                 official: pd.DataFrame | None = None, milestones: pd.DataFrame | None = None) -> Figure:
    """Declared and effective shares of one buyer (default the whole scope) by year with 95 %
    intervals, the target line, the official national series and the milestones."""
    import matplotlib.pyplot as plt

    d = tidy[tidy["buyer_siret"].eq(buyer)].sort_values("year")
    fig, ax = plt.subplots(figsize=(9.0, 5.0))
    for side, color, dx in (("declared", "#4C72B0", -0.06), ("effective", "#DD8452", 0.06)):
        s = d[f"{side}_share"].astype(float)
        err = np.clip(np.vstack([s - d[f"{side}_ci_low"].astype(float),
                                 d[f"{side}_ci_high"].astype(float) - s]), 0, None)
        ax.errorbar(d["year"] + dx, s, yerr=err, marker="o", capsize=3, color=color,
                    label=f"{side.capitalize()} share (95 % CI)")
    if official is not None and not official.empty:
        ax.plot(official["year"], official["share"], marker="s", ls="--", color="grey",
                label="Official national share (OECP, >= 90 kEUR)")
    ax.axhline(target, color="#C44E52", ls="--", label=f"Target {target:.0%}")
    _mark_milestones(ax, milestones)
    years = [*d["year"].tolist(), *([] if official is None else official["year"].tolist())]
    if milestones is not None and not milestones.empty:
        years += [float(milestones["x"].max()) + 0.5]
    if years:
        ax.set_xlim(min(years) - 0.6, max(years) + 0.6)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    name = d["buyer_name"].dropna().iloc[-1] if d["buyer_name"].notna().any() else buyer
    ax.set_title(f"Declared vs effective share of contracts with a social consideration: {name}")
    ax.set_xlabel("Year of notification")
    ax.set_ylabel("Share of assessable contracts (%)")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def buyers_trend_figure(tidy: pd.DataFrame, target: float = 0.30, max_buyers: int = 12,
                        milestones: pd.DataFrame | None = None) -> Figure:
    """Small multiples, one panel per buyer (the ``max_buyers`` with most assessable contracts over
    the years): declared and effective share by year with 95 % intervals and the target."""
    import matplotlib.pyplot as plt

    b = tidy[tidy["buyer_siret"].ne(ALL)]
    top = (b.groupby("buyer_siret")["assessable_contracts"].sum().sort_values(ascending=False, kind="stable")
           .head(max_buyers).index.sort_values())
    n = max(len(top), 1)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.0 * cols, 2.8 * rows), squeeze=False, sharey=True)
    years = sorted(b["year"].unique())
    for ax, siret in zip(axes.flat, top):
        d = b[b["buyer_siret"].eq(siret)].sort_values("year")
        for side, color, dx in (("declared", "#4C72B0", -0.06), ("effective", "#DD8452", 0.06)):
            s = d[f"{side}_share"].astype(float)
            err = np.clip(np.vstack([s - d[f"{side}_ci_low"].astype(float),
                                     d[f"{side}_ci_high"].astype(float) - s]), 0, None)
            ax.errorbar(d["year"] + dx, s, yerr=np.nan_to_num(err), marker="o", capsize=2,
                        color=color, label=side)
        ax.axhline(target, color="#C44E52", ls="--", lw=1)
        if milestones is not None:
            for _, m in milestones.iterrows():
                if years and years[0] - 0.5 <= m["x"] <= years[-1] + 0.5:
                    ax.axvline(m["x"], color="black", ls=":", lw=1)
        name = d["buyer_name"].dropna()
        ax.set_title(textwrap.fill(str(name.iloc[-1] if len(name) else siret), 42), fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_xticks(years)
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    for ax in list(axes.flat)[len(top):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Declared (blue) vs effective (orange) share by buyer, 95 % CI; dashed: target")
    fig.supxlabel("Year of notification")
    fig.supylabel("Share of assessable contracts (%)")
    fig.tight_layout()
    return fig


__all__ = [
    "ALL", "CHANGES", "TIDY_COLUMNS", "buyers_trend_figure", "change_summary", "load_milestones",
    "load_official_shares", "period_years", "report_dir", "snapshots_from_dataset",
    "snapshots_from_reports", "tidy_table", "trend_figure", "verdict_changes", "write_tables",
]
