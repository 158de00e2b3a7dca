"""Multi-year trends: declared against effective shares per buyer and for the whole scope, their
year-over-year changes with intervals, the official national series as a reference, the series break
and the 2026 obligation, and the verdict changes year over year.

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
- :func:`trend_figure` and :func:`buyers_trend_figure` — matplotlib Figures with the 30 % target, the
  official OECP series (``data/reference/official_shares.csv``) and the milestones
  (``data/reference/milestones.csv``: 2024 series break, 22 August 2026 obligation).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .config import REFERENCE_DIR
from .dataset import Dataset
from .params import Params

FIGURES_ENV = "SCA_FIGURES_DIR"  # set by helpers.run for a report folder
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
    """Plain-language summary of :func:`verdict_changes` over buyers (the whole scope is not
    counted): how many buyers were newly flagged and cleared, how many of those moves are clear
    (the change interval excludes 0), and which buyers were flagged for social washing in
    ``last_year`` and the year before."""
    b = changes[changes["buyer_siret"].ne(ALL)]
    certainty = b["certainty"] if "certainty" in b.columns else pd.Series("", index=b.index)

    def count(kind: str) -> str:
        rows = b["change"].eq(kind)
        n, clear = int(rows.sum()), int((rows & certainty.eq(CLEAR)).sum())
        word = "buyer" if n == 1 else "buyers"
        return f"{n} {word}" + (f" ({clear} clear, {n - clear} within noise or not comparable)"
                                if n and "certainty" in b.columns else "")

    still = b[b["verdict_to"].eq(SOCIAL_WASHING) & b["change"].eq("unchanged")
              & b["year_to"].eq(last_year)]
    head = f"Newly flagged over the period: {count('newly_flagged')}; cleared: {count('cleared')}. "
    if len(still):
        names = "; ".join(still["buyer_name"].fillna(still["buyer_siret"]))
        return head + f"Flagged for social washing in {last_year} and already the year before: {names}."
    return head + f"No buyer was flagged both in {last_year} and the year before."


def scope_changes_table(tidy: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Whole-scope year-over-year changes as a display table indexed by "year_from → year_to": the
    declared and effective change in points with its 95 % Newcombe interval as text, and whether
    each is clear."""
    ch = year_changes(tidy[tidy["buyer_siret"].eq(ALL)], alpha)

    def text(side: str) -> list[str]:
        return [f"{100 * d:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]" if np.isfinite(d) else "—"
                for d, lo, hi in zip(ch[f"{side}_change"], ch[f"{side}_change_ci_low"],
                                     ch[f"{side}_change_ci_high"])]

    return pd.DataFrame({
        "years": [f"{a} → {b}" for a, b in zip(ch["year_from"], ch["year_to"])],
        "declared change (points)": text("declared"),
        "declared clear": ch["declared_change_clear"].map({True: CLEAR, False: WITHIN_NOISE}),
        "effective change (points)": text("effective"),
        "effective clear": ch["effective_change_clear"].map({True: CLEAR, False: WITHIN_NOISE}),
    }).set_index("years")


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
    ax.set_ylabel("Share (declared: of assessable; effective: of covered contracts, %)")
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
    fig.supylabel("Share (declared: of assessable; effective: of covered, %)")
    fig.tight_layout()
    return fig


__all__ = [
    "ALL", "CHANGES", "TIDY_COLUMNS", "buyers_trend_figure", "certainty_summary", "change_summary",
    "load_milestones", "load_official_shares", "newcombe_difference", "period_years", "report_dir",
    "scope_changes_table", "snapshots_from_dataset", "snapshots_from_reports", "tidy_table",
    "transition_driver", "trend_figure", "verdict_changes", "write_tables", "year_changes",
]
