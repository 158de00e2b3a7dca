"""Multi-year trends, the computation: declared against effective shares per buyer and for the
whole scope, their year-over-year changes with intervals, and the verdict changes year over year;
also the official national series and the dated milestones (2024 series break, 2026 obligation)
read as reference tables.

Input: one *snapshot* per year, ``{"year": int, "indicators": dict, "buyers": DataFrame}`` — the
``indicators.json`` content and the ``buyers.csv`` table of a yearly run — either recomputed
(:func:`snapshots_from_dataset`, through ``helpers.indicators.compute_results``) or read from a
reports folder (:func:`snapshots_from_reports`).

Denominators (docs/indicators.md): the declared share is taken over the assessable contracts A (it
needs no facilitator data), the effective share over the covered contracts C (``covered_contracts``;
tables of older runs without that column fall back to A).

Outputs:
- :func:`tidy_table` — one row per (year, buyer) plus one row per year for the whole scope
  (``buyer_siret = "ALL"``): shares with their 95 % Wilson intervals
  (:func:`helpers.indicators.shares.wilson_interval`), gap, verdict, significance;
- :func:`year_changes` — for each buyer (and the scope) and pair of consecutive available years, the
  change of the declared and of the effective share with its 95 % Newcombe interval for the
  difference of two independent proportions (method 10 of Newcombe, *Statistics in Medicine*
  17:873-890, 1998: the hybrid score interval built from the two Wilson intervals; statsmodels'
  ``confint_proportions_2indep(method="newcomb")``). The two years hold different contracts, hence
  independent samples. A change is *clear* when its interval excludes 0;
- :func:`verdict_changes` — one row per BUYER (the whole scope is not a buyer and is left out unless
  asked) and pair of consecutive available years: ``newly_flagged`` (now ``social_washing``, not
  before), ``cleared`` (was ``social_washing``, not any more), ``unchanged``, or ``changed``; a buyer
  absent from one year has the verdict ``absent`` there. Each change is labelled ``clear`` when the
  interval of the change of the share that moved the verdict excludes 0, ``within noise`` when it
  does not, and ``not comparable`` when the buyer was not judged on delivery in one of the two years
  (``insufficient_data``, ``not_measured``, absent, or a verdict name this module does not know);
  :func:`change_summary` and :func:`certainty_summary` count those changes;
- :func:`load_official_shares` (the official OECP series, ``data/reference/official_shares.csv``)
  and :func:`load_milestones` (``data/reference/milestones.csv``: 2024 series break, 22 August 2026
  obligation, with their position on a year axis).

The codes of this module (``ALL``, the verdict names, :data:`CHANGES`, the certainty words) are
defined here once; the page's display tables and sentences are in :mod:`helpers.trends_tables`,
the figures in :mod:`helpers.trends_figures`.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import FIGURES_ENV, REFERENCE_DIR
from .dataset import Dataset
from .params import Params

ALL = "ALL"
ALL_NAME = "Whole scope"
SOCIAL_WASHING = "social_washing"
POSSIBLE_SOCIAL_WASHING = "possible_social_washing"
COMPLIANT = "compliant"
BELOW_TARGET = "below_target"
#: Verdicts of a buyer judged on delivery (its effective share over the covered set is measured).
JUDGED: frozenset[str] = frozenset({COMPLIANT, SOCIAL_WASHING, POSSIBLE_SOCIAL_WASHING, BELOW_TARGET})
ABSENT = "absent"
CHANGES = ("newly_flagged", "cleared", "changed", "unchanged")
CLEAR, WITHIN_NOISE, NOT_COMPARABLE = "clear", "within noise", "not comparable"

TIDY_COLUMNS = [
    "year", "buyer_siret", "buyer_name", "assessable_contracts", "covered_contracts",
    "declared_n", "declared_share", "declared_ci_low", "declared_ci_high",
    "effective_n", "effective_share", "effective_ci_low", "effective_ci_high", "upper_share",
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
    """``trends.csv`` (the tidy table), ``verdict_changes.csv`` and ``year_changes.csv``
    (:func:`year_changes` of ``tidy``), floats rounded to 4 decimals."""
    folder.mkdir(parents=True, exist_ok=True)
    out = [folder / "trends.csv", folder / "verdict_changes.csv", folder / "year_changes.csv"]
    from .safe_csv import neutralise_frame  # buyer names starting like a formula get a "'"
    neutralise_frame(tidy.round(4)).to_csv(out[0], index=False)
    neutralise_frame(changes.round(4)).to_csv(out[1], index=False)
    neutralise_frame(year_changes(tidy).round(4)).to_csv(out[2], index=False)
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


def snapshots_from_reports(reports_dir: str | Path, years: Iterable[int] | None = None
                           ) -> list[dict[str, Any]]:
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

def _counts(frame: pd.DataFrame, col: str, fallback: str) -> pd.Series:
    """``frame[col]`` as floats, or ``frame[fallback]`` where the column is absent or empty (tables
    written before the covered set existed)."""
    if col in frame.columns:
        return frame[col].astype(float).fillna(frame[fallback].astype(float))
    return frame[fallback].astype(float)


def newcombe_difference(k1: object, n1: object, k0: object, n0: object,
                        alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference p1 − p0 of two independent proportions (k1/n1 − k0/n0) with Newcombe's hybrid
    score interval (method 10, 1998): with (l1, u1), (l0, u0) the Wilson intervals,
    lower = d − √((p1 − l1)² + (u0 − p0)²), upper = d + √((u1 − p1)² + (p0 − l0)²)
    (statsmodels ``confint_proportions_2indep(method="newcomb")``). NaN where n1 or n0 is 0 or
    missing. Returns (difference, lower, upper) as shares."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    k1_, n1_, k0_, n0_ = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (k1, n1, k0, n0))
    diff, lo, hi = (np.full(np.broadcast(k1_, n1_, k0_, n0_).shape, np.nan) for _ in range(3))
    ok = (n1_ > 0) & (n0_ > 0) & np.isfinite(k1_) & np.isfinite(k0_)
    if ok.any():
        k1b, n1b, k0b, n0b = np.broadcast_arrays(k1_, n1_, k0_, n0_)
        diff[ok] = k1b[ok] / n1b[ok] - k0b[ok] / n0b[ok]
        lo[ok], hi[ok] = confint_proportions_2indep(k1b[ok], n1b[ok], k0b[ok], n0b[ok],
                                                    method="newcomb", compare="diff", alpha=alpha)
    return diff, lo, hi


def _scope_row(year: int, ind: dict[str, Any]) -> dict[str, Any]:
    dec, eff = ind.get("declared") or {}, ind.get("effective") or {}
    dci = dec.get("ci95") or [np.nan, np.nan]
    eci = eff.get("ci95") or [np.nan, np.nan]
    gap = ind.get("gap") or {}
    assessable = ind.get("assessable_contracts")
    covered = ind.get("covered_contracts")
    return {
        "year": year, "buyer_siret": ALL, "buyer_name": ALL_NAME,
        "assessable_contracts": assessable,
        "covered_contracts": assessable if covered is None else covered,
        "declared_n": dec.get("n"), "declared_share": dec.get("share"),
        "declared_ci_low": dci[0], "declared_ci_high": dci[1],
        "effective_n": eff.get("n"), "effective_share": eff.get("share"),
        "effective_ci_low": eci[0], "effective_ci_high": eci[1],
        "upper_share": eff.get("upper_share"),
        "gap_points": gap.get("points"), "verdict": ind.get("verdict"),
        "significant": ind.get("significant"),
    }


def tidy_table(snapshots: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per (year, buyer) and one ``ALL`` row per year (see the module docstring), sorted by
    year then buyer (``ALL`` first). Buyer intervals are 95 % Wilson intervals of declared_n /
    assessable_contracts and effective_n / covered_contracts (assessable_contracts when the table has
    no covered_contracts); the whole-scope row takes the ``ci95`` of ``indicators.json``."""
    from .indicators.shares import wilson_interval

    frames = []
    for snap in snapshots:
        year = int(snap["year"])
        b = snap["buyers"].copy()
        need = ["buyer_siret", "assessable_contracts", "declared_n", "effective_n", "verdict"]
        missing = [c for c in need if c not in b.columns]
        if missing:
            raise ValueError(f"buyers table of {year} lacks column(s) {', '.join(missing)}")
        b["year"] = year
        b["covered_contracts"] = _counts(b, "covered_contracts", "assessable_contracts")
        for side, denom in (("declared", "assessable_contracts"), ("effective", "covered_contracts")):
            k = b[f"{side}_n"].astype(float)
            n = b[denom].astype(float)
            if f"{side}_share" not in b.columns:
                b[f"{side}_share"] = np.where(n > 0, k / n.where(n > 0), np.nan)
            b[f"{side}_ci_low"], b[f"{side}_ci_high"] = wilson_interval(k, n)
        if "buyer_name" not in b.columns:
            b["buyer_name"] = pd.NA
        for col in ("gap_points", "significant", "upper_share"):
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


def _consecutive_pairs(tidy: pd.DataFrame) -> list[tuple[int, int]]:
    years = sorted(int(y) for y in tidy["year"].unique())
    return list(itertools.pairwise(years))


def year_changes(tidy: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Change of the declared share (over A) and of the effective share (over C) of each buyer and
    of the whole scope between consecutive available years where it is present both years.

    Columns: year_from, year_to, buyer_siret, buyer_name, and for side in (declared, effective):
    ``{side}_from``, ``{side}_to``, ``{side}_change`` (share units: multiply by 100 for points),
    ``{side}_change_ci_low``, ``{side}_change_ci_high`` (Newcombe, :func:`newcombe_difference`) and
    ``{side}_change_clear`` (the interval excludes 0; False when it cannot be computed). Sorted by
    year_to, then the scope row, then buyer."""
    cols = ["year_from", "year_to", "buyer_siret", "buyer_name"]
    for side in ("declared", "effective"):
        cols += [f"{side}_from", f"{side}_to", f"{side}_change", f"{side}_change_ci_low",
                 f"{side}_change_ci_high", f"{side}_change_clear"]
    t = tidy.copy()
    if "covered_contracts" not in t.columns:
        t["covered_contracts"] = t["assessable_contracts"]
    t["covered_contracts"] = _counts(t, "covered_contracts", "assessable_contracts")
    parts = []
    for y0, y1 in _consecutive_pairs(t):
        a = t[t["year"].eq(y0)].set_index("buyer_siret")
        b = t[t["year"].eq(y1)].set_index("buyer_siret")
        both = a.index.intersection(b.index)
        if both.empty:
            continue
        a, b = a.loc[both], b.loc[both]
        part = pd.DataFrame({"year_from": y0, "year_to": y1, "buyer_siret": both,
                             "buyer_name": b["buyer_name"].fillna(a["buyer_name"]).to_numpy(object)})
        for side, denom in (("declared", "assessable_contracts"), ("effective", "covered_contracts")):
            k0, n0 = a[f"{side}_n"].astype(float), a[denom].astype(float)
            k1, n1 = b[f"{side}_n"].astype(float), b[denom].astype(float)
            d, lo, hi = newcombe_difference(k1.to_numpy(), n1.to_numpy(), k0.to_numpy(), n0.to_numpy(),
                                            alpha)
            part[f"{side}_from"] = np.where(n0 > 0, k0 / n0.where(n0 > 0), np.nan)
            part[f"{side}_to"] = np.where(n1 > 0, k1 / n1.where(n1 > 0), np.nan)
            part[f"{side}_change"], part[f"{side}_change_ci_low"] = d, lo
            part[f"{side}_change_ci_high"] = hi
            part[f"{side}_change_clear"] = (lo > 0) | (hi < 0)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out["_b"] = out["buyer_siret"].ne(ALL)
    out = out.sort_values(["year_to", "_b", "buyer_siret"], kind="stable").drop(columns="_b")
    return out[cols].reset_index(drop=True)


def _classify(before: pd.Series, after: pd.Series) -> np.ndarray:
    return np.select(
        [after.eq(SOCIAL_WASHING) & before.ne(SOCIAL_WASHING),
         before.eq(SOCIAL_WASHING) & after.ne(SOCIAL_WASHING),
         before.eq(after)],
        ["newly_flagged", "cleared", "unchanged"], default="changed").astype(object)


def transition_driver(before: str, after: str) -> str | None:
    """Which share moved a verdict from ``before`` to ``after`` (both judged on delivery):
    "effective" when one of them is ``compliant`` (the effective share crossed the target) or the
    pair is ``social_washing`` / ``possible_social_washing`` (only the significance of the effective
    share differs); "declared" between ``below_target`` and a washing verdict (the declared share
    crossed the target); None when the verdict did not change or either side is not judged on
    delivery (``insufficient_data``, ``not_measured``, ``absent``, or an unknown name)."""
    if before == after or before not in JUDGED or after not in JUDGED:
        return None
    if COMPLIANT in (before, after):
        return "effective"
    if {before, after} == {SOCIAL_WASHING, POSSIBLE_SOCIAL_WASHING}:
        return "effective"
    return "declared"


def verdict_changes(tidy: pd.DataFrame, include_scope: bool = False,
                    alpha: float = 0.05) -> pd.DataFrame:
    """Verdict of each buyer (and of the whole scope only when ``include_scope``) from one available
    year to the next: columns year_from, year_to, buyer_siret, buyer_name, verdict_from, verdict_to,
    change, driver, share_change, share_change_ci_low, share_change_ci_high, certainty (see the
    module docstring; ``driver`` = the share behind the change, :func:`transition_driver`, whose
    change and Newcombe interval follow; ``certainty`` is "clear", "within noise", "not comparable",
    or "" for an unchanged verdict). Any verdict name is accepted: one this module does not know is
    compared as a string and its transitions are "not comparable". Sorted by year_to, change, buyer."""
    cols = ["year_from", "year_to", "buyer_siret", "buyer_name", "verdict_from", "verdict_to", "change",
            "driver", "share_change", "share_change_ci_low", "share_change_ci_high", "certainty"]
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
            "verdict_from": both[y0].astype(str).to_numpy(), "verdict_to": both[y1].astype(str).to_numpy(),
            "change": _classify(both[y0].astype(str), both[y1].astype(str)),
        }))
    out = pd.concat(parts, ignore_index=True)
    moves = year_changes(t, alpha).set_index(["year_from", "year_to", "buyer_siret"])
    drivers, change, lo, hi, certainty = [], [], [], [], []
    for row in out.itertuples(index=False):
        drv = transition_driver(row.verdict_from, row.verdict_to)
        key = (row.year_from, row.year_to, row.buyer_siret)
        vals = (np.nan, np.nan, np.nan)
        if drv is not None and key in moves.index:
            m = moves.loc[key]
            vals = (m[f"{drv}_change"], m[f"{drv}_change_ci_low"], m[f"{drv}_change_ci_high"])
        drivers.append(drv)
        change.append(vals[0])
        lo.append(vals[1])
        hi.append(vals[2])
        if row.verdict_from == row.verdict_to:
            certainty.append("")
        elif drv is None or not np.isfinite(vals[1]):
            certainty.append(NOT_COMPARABLE)
        else:
            certainty.append(CLEAR if (vals[1] > 0 or vals[2] < 0) else WITHIN_NOISE)
    out["driver"] = pd.Series(drivers, dtype=object)
    out["share_change"], out["share_change_ci_low"], out["share_change_ci_high"] = change, lo, hi
    out["certainty"] = certainty
    order = {c: i for i, c in enumerate(CHANGES)}
    out["_c"] = out["change"].map(order)
    out = out.sort_values(["year_to", "_c", "buyer_siret"], kind="stable").drop(columns="_c")
    return out[cols].reset_index(drop=True)


def change_summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Counts of BUYERS per change and pair of years (rows year_to, columns :data:`CHANGES`); a
    whole-scope row of ``changes`` (``buyer_siret = "ALL"``) is not counted."""
    b = changes[changes["buyer_siret"].ne(ALL)] if "buyer_siret" in changes.columns else changes
    if b.empty:
        return pd.DataFrame(columns=list(CHANGES))
    return (pd.crosstab(b["year_to"], b["change"])
            .reindex(columns=list(CHANGES), fill_value=0))


def certainty_summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Counts of buyers whose verdict moved, by change and certainty (rows change, columns clear,
    within noise, not comparable), over every pair of years; the whole scope is not counted."""
    cols = [CLEAR, WITHIN_NOISE, NOT_COMPARABLE]
    b = changes[changes["buyer_siret"].ne(ALL) & changes["change"].ne("unchanged")]
    if b.empty:
        return pd.DataFrame(columns=cols)
    return (pd.crosstab(b["change"], b["certainty"])
            .reindex(index=[c for c in CHANGES if c in set(b["change"])], columns=cols, fill_value=0))


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


__all__ = [
    "ALL", "CHANGES", "TIDY_COLUMNS", "certainty_summary", "change_summary", "load_milestones",
    "load_official_shares", "newcombe_difference", "period_years", "report_dir",
    "snapshots_from_dataset", "snapshots_from_reports", "tidy_table", "transition_driver",
    "verdict_changes", "write_tables", "year_changes",
]
