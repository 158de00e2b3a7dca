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
  (``data/reference/milestones.csv``: 2024 series break, 22 August 2026 obligation);
  :func:`year_changes_figure` — the year-over-year changes with their Newcombe intervals. Every
  figure is drawn under the report theme (``helpers.figures.themed``) with the figures' colours,
  no text below 9 points, and takes its titles, labels and number formats as keyword arguments
  (English by default; the reports pass ``helpers.texts_research.figure_texts``).

Display tables and sentences for the reports, in French (default) or English (``lang``), with
the numbers of :mod:`helpers.fmt` and verdicts, kinds of change and certainty in words
(:func:`helpers.texts_research.term`): :func:`scope_table`, :func:`scope_changes_table`,
:func:`verdict_matrix`, :func:`change_counts_table`, :func:`certainty_table`,
:func:`transitions_table`, :func:`official_table`, :func:`milestones_table`,
:func:`trend_sentence`, :func:`change_sentence`.
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
from matplotlib.figure import Figure

from . import figures, fmt
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


def _term(code: Any, lang: str) -> str:
    from .texts_research import term

    return term(str(code), lang)


def scope_table(tidy: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """Whole-scope rows of ``tidy`` as a display table indexed by year, in ``lang``: assessable
    contracts, declared and delivered shares with their 95 % intervals (:mod:`helpers.fmt`), gap in
    points, verdict label."""
    rows = tidy[tidy["buyer_siret"].eq(ALL)]
    fr = lang == "fr"

    def share_text(kind: str) -> list[str]:
        return [f"{fmt.share(s, lang)} {fmt.ci(lo, hi, lang)}" for s, lo, hi in
                zip(rows[f"{kind}_share"], rows[f"{kind}_ci_low"], rows[f"{kind}_ci_high"])]

    heads = (("Année", "Marchés évaluables", "Part déclarée [intervalle à 95 %]",
              "Part réalisée [intervalle à 95 %]", "Écart (points)", "Conclusion") if fr else
             ("Year", "Assessable contracts", "Declared share [95% interval]",
              "Delivered share [95% interval]", "Gap (points)", "Conclusion"))
    return pd.DataFrame({
        heads[0]: rows["year"].astype(int).astype(str),
        heads[1]: [fmt.number(v, lang) for v in rows["assessable_contracts"]],
        heads[2]: share_text("declared"),
        heads[3]: share_text("effective"),
        heads[4]: [fmt.number(v, lang, 1) for v in rows["gap_points"].astype(float)],
        heads[5]: [_term(v, lang) for v in rows["verdict"]],
    }).set_index(heads[0])


def trend_sentence(tidy: pd.DataFrame, target: float, lang: str = "fr") -> str:
    """Plain-language first-to-last-year comparison of the whole scope's shares and gap."""
    from .texts_research import text

    rows = tidy[tidy["buyer_siret"].eq(ALL)]
    first, last = rows.iloc[0], rows.iloc[-1]
    return text("trend_sentence", lang, first=int(first["year"]), last=int(last["year"]),
                declared_first=fmt.share(first["declared_share"], lang),
                declared_last=fmt.share(last["declared_share"], lang),
                effective_first=fmt.share(first["effective_share"], lang),
                effective_last=fmt.share(last["effective_share"], lang),
                target=fmt.target(target, lang),
                gap_first=fmt.points(first["gap_points"], lang),
                gap_last=fmt.points(last["gap_points"], lang))


def verdict_matrix(tidy: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """One row per buyer (whole scope excluded), one column per year of ``tidy`` holding its verdict:
    codes (columns buyer_siret, buyer_name, then the years; NaN for a year the buyer is absent)
    when ``lang`` is None, else the verdict labels ("absent" in words for a missing year) with the
    buyer's name (or SIRET when it has none) as index. A buyer without a name is kept."""
    b = tidy[tidy["buyer_siret"].ne(ALL)]
    years = sorted(tidy["year"].unique())
    wide = (b.pivot_table(index="buyer_siret", columns="year", values="verdict", aggfunc="first")
            .reindex(columns=years))  # a year no buyer has stays a column
    names = (b.sort_values("year").dropna(subset=["buyer_name"])
             .drop_duplicates("buyer_siret", keep="last").set_index("buyer_siret")["buyer_name"])
    out = pd.DataFrame({"buyer_siret": wide.index.astype(str),
                        "buyer_name": wide.index.map(names).astype(object)})
    for y in years:
        out[str(y)] = wide[y].to_numpy(dtype=object)
    if lang is None:
        return out
    shown = pd.DataFrame({str(y): [_term(v, lang) if isinstance(v, str) else _term(ABSENT, lang)
                                   for v in out[str(y)]] for y in years})
    shown.index = pd.Index(out["buyer_name"].fillna(out["buyer_siret"]).tolist(),
                           name="Acheteur" if lang == "fr" else "Buyer")
    return shown


def change_sentence(changes: pd.DataFrame, last_year: int, lang: str = "fr") -> str:
    """Plain-language summary of :func:`verdict_changes` over buyers (the whole scope is not
    counted): how many buyers were newly flagged and cleared, how many of those moves are clear
    (the change interval excludes 0), and which buyers were flagged for social washing in
    ``last_year`` and the year before. Singular and plural are those of the count (0, 1, more)."""
    from .texts_research import text

    b = changes[changes["buyer_siret"].ne(ALL)]
    certainty = b["certainty"] if "certainty" in b.columns else pd.Series("", index=b.index)

    def phrase(kind: str) -> str:
        rows = b["change"].eq(kind)
        n, clear = int(rows.sum()), int((rows & certainty.eq(CLEAR)).sum())
        words = text(f"{kind}_{min(n, 2)}", lang, n=fmt.number(n, lang))
        if n and "certainty" in b.columns:
            words += text("of_which_clear", lang, clear=fmt.number(clear, lang), n=fmt.number(n, lang))
        return words

    head = text("change_sentence_counts", lang, flagged=phrase("newly_flagged"),
                cleared=phrase("cleared"))
    still = b[b["verdict_to"].eq(SOCIAL_WASHING) & b["change"].eq("unchanged")
              & b["year_to"].eq(last_year)]
    if len(still):
        sep = f"{fmt.NNBSP}; " if lang == "fr" else "; "
        names = sep.join(still["buyer_name"].fillna(still["buyer_siret"]))
        key = "change_sentence_still_1" if len(still) == 1 else "change_sentence_still"
        return head + " " + text(key, lang, year=last_year, names=names)
    return head + " " + text("change_sentence_none_still", lang, year=last_year)


def _points_interval(d: float, lo: float, hi: float, lang: str) -> str:
    """``+3,2 points [−1,0 ; +7,4]`` (fr) / ``+3.2 points [−1.0, +7.4]`` (en); ``—`` when missing."""
    if not (np.isfinite(d) and np.isfinite(lo) and np.isfinite(hi)):
        return fmt.MISSING

    def signed(v: float) -> str:
        v = 100 * v
        body = fmt.number(abs(v), lang, 1)
        return ("+" if v >= 0.05 else "−" if v <= -0.05 else "") + body

    sep = f"{fmt.NNBSP}; " if lang == "fr" else ", "
    return f"{signed(d)}{fmt.NBSP}points [{signed(lo)}{sep}{signed(hi)}]"


def scope_changes_table(tidy: pd.DataFrame, alpha: float = 0.05, lang: str = "fr") -> pd.DataFrame:
    """Whole-scope year-over-year changes as a display table indexed by the pair of years
    ("2023 → 2024"), in ``lang``: the declared and delivered change in points with its 95 %
    Newcombe interval, and whether each is a clear change or within noise."""
    ch = year_changes(tidy[tidy["buyer_siret"].eq(ALL)], alpha)
    fr = lang == "fr"
    heads = (("Années", "Variation de la part déclarée", "Part déclarée : certitude",
              "Variation de la part réalisée", "Part réalisée : certitude") if fr else
             ("Years", "Change of the declared share", "Declared share: certainty",
              "Change of the delivered share", "Delivered share: certainty"))

    def text(side: str) -> list[str]:
        return [_points_interval(d, lo, hi, lang) for d, lo, hi in
                zip(ch[f"{side}_change"], ch[f"{side}_change_ci_low"], ch[f"{side}_change_ci_high"])]

    def certainty(side: str) -> list[str]:
        return [_term(CLEAR if c else WITHIN_NOISE, lang) if np.isfinite(d) else
                _term(NOT_COMPARABLE, lang)
                for c, d in zip(ch[f"{side}_change_clear"], ch[f"{side}_change"].astype(float))]

    return pd.DataFrame({
        heads[0]: [f"{a} → {b}" for a, b in zip(ch["year_from"], ch["year_to"])],
        heads[1]: text("declared"), heads[2]: certainty("declared"),
        heads[3]: text("effective"), heads[4]: certainty("effective"),
    }).set_index(heads[0])


def transitions_table(changes: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The verdict changes of buyers (unchanged verdicts and the whole scope left out) as a display
    table in ``lang``: years, buyer, conclusion before and after, kind of change, the share that
    caused it with its change in points and 95 % interval, and the certainty in words."""
    fr = lang == "fr"
    heads = (("Années", "Acheteur", "Conclusion avant", "Conclusion après", "Changement",
              "Part en cause", "Variation [intervalle à 95 %]", "Certitude") if fr else
             ("Years", "Buyer", "Conclusion before", "Conclusion after", "Change",
              "Share behind it", "Change [95% interval]", "Certainty"))
    b = changes[changes["buyer_siret"].ne(ALL) & changes["change"].ne("unchanged")]
    out = pd.DataFrame({
        heads[0]: [f"{a} → {c}" for a, c in zip(b["year_from"], b["year_to"])],
        heads[1]: b["buyer_name"].fillna(b["buyer_siret"]).astype(str).tolist(),
        heads[2]: [_term(v, lang) for v in b["verdict_from"]],
        heads[3]: [_term(v, lang) for v in b["verdict_to"]],
        heads[4]: [_term(v, lang) for v in b["change"]],
        heads[5]: [_term(v, lang) if isinstance(v, str) else fmt.MISSING for v in b["driver"]],
        heads[6]: [_points_interval(float(d), float(lo), float(hi), lang) for d, lo, hi in
                   zip(b["share_change"], b["share_change_ci_low"], b["share_change_ci_high"])],
        heads[7]: [_term(v, lang) if v else fmt.MISSING for v in b["certainty"]],
    })
    out.index = range(1, len(out) + 1)
    return out


def change_counts_table(changes: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """:func:`change_summary` for display: rows the pairs of years ("2023 → 2024"), columns the kinds
    of change in words, values numbers of buyers."""
    counts = change_summary(changes)
    b = changes[changes["buyer_siret"].ne(ALL)]
    start = b.groupby("year_to")["year_from"].first() if len(b) else pd.Series(dtype=int)
    out = counts.copy()
    out.index = pd.Index([f"{start.get(y, '')} → {y}" for y in counts.index],
                         name="Années" if lang == "fr" else "Years")
    out.columns = [_term(c, lang) for c in counts.columns]
    return out


def certainty_table(changes: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """:func:`certainty_summary` for display: kinds of change (rows) by certainty (columns), in
    words."""
    counts = certainty_summary(changes)
    out = counts.copy()
    out.index = pd.Index([_term(c, lang) for c in counts.index],
                         name="Changement" if lang == "fr" else "Change")
    out.columns = [_term(c, lang) for c in counts.columns]
    return out


def official_table(official: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The official national series for display: year, share, series and scope, source."""
    fr = lang == "fr"
    heads = (("Année", "Part nationale", "Série", "Champ", "Source") if fr else
             ("Year", "National share", "Series", "Scope", "Source"))
    scope = official["scope"].astype(str)
    scope = scope.str.replace("contracts >= 90 000 EUR HT",
                              "marchés ≥ 90 000 € HT" if fr else "contracts ≥ €90,000 excl. VAT",
                              regex=False)
    out = pd.DataFrame({heads[0]: official["year"].astype(int).astype(str),
                        heads[1]: [fmt.share(v, lang) for v in official["share"]],
                        heads[2]: official["series"].astype(str).tolist(),
                        heads[3]: scope.tolist(),
                        heads[4]: official["source"].astype(str).tolist()})
    return out.set_index(heads[0])


MILESTONE_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {"series_break": ("Rupture de série", "La source nationale devient les données "
                            "essentielles de la commande publique (marchés dès 40 000 € HT) ; "
                            "avant, recensement des marchés d'au moins 90 000 € HT : les parts "
                            "d'avant et d'après ne se comparent pas."),
           "obligation": ("Loi Climat et Résilience, article 35", "Une condition d'exécution "
                          "sociale devient obligatoire dans les marchés au-dessus des seuils "
                          "européens.")},
    "en": {"series_break": ("Series break", "The national source becomes the open procurement "
                            "data (contracts from €40,000); before, census of contracts of at "
                            "least €90,000: shares before and after do not compare."),
           "obligation": ("Climate and Resilience Act, article 35", "A social execution "
                          "condition becomes mandatory in contracts above the EU thresholds.")},
}


def milestones_table(milestones: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The milestones for display: date, name and meaning in ``lang`` (the file's own words for a
    kind of milestone this module does not know)."""
    fr = lang == "fr"
    words = MILESTONE_TEXTS[fmt.check_lang(lang)]
    heads = ("Date", "Repère", "Signification") if fr else ("Date", "Milestone", "Meaning")
    out = pd.DataFrame({
        heads[0]: [fmt.date(d, lang) for d in milestones["date"]],
        heads[1]: [words.get(k, (lab, ""))[0] for k, lab in zip(milestones["kind"], milestones["label"])],
        heads[2]: [words.get(k, ("", desc))[1] for k, desc in
                   zip(milestones["kind"], milestones["description"])],
    })
    return out.set_index(heads[0])


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


__all__ = [
    "ALL", "CHANGES", "TIDY_COLUMNS", "buyers_trend_figure", "certainty_summary", "certainty_table",
    "change_counts_table", "change_sentence", "change_summary", "milestones_table", "official_table",
    "scope_table", "transitions_table", "trend_sentence", "verdict_matrix", "year_changes_figure",
    "load_milestones", "load_official_shares", "newcombe_difference", "period_years", "report_dir",
    "scope_changes_table", "snapshots_from_dataset", "snapshots_from_reports", "tidy_table",
    "transition_driver", "trend_figure", "verdict_changes", "write_tables", "year_changes",
]
