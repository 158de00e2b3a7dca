"""What the notebooks call, so that their cells stay thin (DESIGN §4).

``params, data, res = setup(year=..., buyers=..., ...)`` turns the ``parameters`` cell into
:class:`~helpers.params.Params` (same checks as the command line), then returns a
:class:`DataSummary` of the dataset and the results. Inside ``python -m helpers run`` both come from
the session file named by ``$SCA_SESSION`` (JSON plus Parquet, never pickle: :mod:`helpers.session`;
the data was read and the results computed once, by the run itself, so the notebooks show exactly the
numbers of ``indicators.json``); opened interactively, the notebook loads the data directory and
computes them.

``data`` is a summary, not the canonical tables: what the notebooks show of the data is bounded
(row counts, the data-quality log, rejected rows counted per reason, coverage per buyer), so the session
a kernel reads stays a few MB at national scale instead of the 100+ MB of 500 000 contracts
(issue 6). For the full tables, call ``helpers.cache.load_dataset(params.data_dir)``.

The display helpers only format: rounded floats, bounded tables, no paths, no timestamps — the
committed notebooks' outputs are compared by nbval.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .dataset import Dataset
from .params import Params, make_params
from .session import (  # noqa: F401  (re-exported: the hand-off API the run and tests use)
    RUN_PID_ENV,
    SESSION_ENV,
    SessionAborted,
    SessionError,
    abort_session,
    encode,
    publish_session,
    wait_for_session,
    write_session,
)

MAX_ROWS = 20


@dataclass(frozen=True)
class DataSummary:
    """What the notebooks show of a :class:`~helpers.dataset.Dataset` (see the module docstring).

    rows      {table: rows after reading} for contracts (after de-duplication), clauses,
              participations, suppliers, buyers
    quality   the data-quality log (:func:`helpers.dataset.new_quality`)
    rejected  rows set aside in quarantine mode, counted: ``table, reason, rows``
    coverage  :func:`coverage_by_buyer` of the run's year and buyers
    """

    rows: dict[str, int]
    quality: dict[str, Any]
    rejected: pd.DataFrame
    coverage: pd.DataFrame


def summarize(dataset: Dataset, params: Params, results: Any) -> DataSummary:
    """The :class:`DataSummary` of ``dataset`` for the run of ``params`` and its ``results``."""
    rows = {name: len(getattr(dataset, name))
            for name in ("contracts", "clauses", "participations", "suppliers", "buyers")}
    return DataSummary(rows=rows, quality=dataset.quality, rejected=count_rejected(dataset),
                       coverage=coverage_by_buyer(dataset, results, params))


def session_bytes(payload: dict[str, Any]) -> bytes:
    """``payload`` (``parameters``, ``data``, ``results``) as the session bytes the kernels read
    (JSON plus Parquet, :mod:`helpers.session`; the run also keeps them in the results cache)."""
    return encode(payload)


def setup(**parameters: Any) -> tuple[Params, DataSummary, Any]:
    """Parameters → (params, data summary, results); see the module docstring.

    Also fixes the display options (rounded floats, bounded rows) and silences library warnings, so
    the outputs are the same on every execution.
    """
    params = make_params(parameters)
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_rows", MAX_ROWS + 10)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    warnings.filterwarnings("ignore")
    session = os.environ.get(SESSION_ENV)
    if session:
        stored = wait_for_session(Path(session), os.environ.get(RUN_PID_ENV))
        if stored.get("parameters") == dataclasses.asdict(params):
            return params, stored["data"], stored["results"]
    from .cache import load_dataset
    from .indicators import compute_results

    dataset = load_dataset(params.data_dir)
    results = compute_results(dataset, params)
    return params, summarize(dataset, params, results), results


def md(text: str) -> None:
    """Display Markdown (prose with computed numbers)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def pct(value: Any, digits: int = 1) -> str:
    """``0.342`` → ``"34.2 %"``; ``None``/NaN → ``"n/a"``."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    return f"{float(value) * 100:.{digits}f} %"


def num(value: Any, digits: int = 0) -> str:
    """A number with thin thousands separators (``435 643``); ``None``/NaN → ``"n/a"``."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    return f"{float(value):,.{digits}f}".replace(",", " ")


def ci(bounds: Any, digits: int = 1) -> str:
    """A 95 % interval ``[lo, hi]`` of shares as ``"[28.1 %, 40.3 %]"``."""
    if not bounds or any(b is None for b in bounds):
        return "n/a"
    lo, hi = bounds
    return f"[{pct(lo, digits)}, {pct(hi, digits)}]"


def table(df: pd.DataFrame, max_rows: int = MAX_ROWS, digits: int = 3) -> pd.DataFrame:
    """A bounded, rounded copy for display: at most ``max_rows`` rows, floats rounded, a fresh index.

    The full table stays in the CSV files of the report (issue 6: bounded reports).
    """
    out = df.head(max_rows).reset_index(drop=True).copy()
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(digits)
    out.index = range(1, len(out) + 1)
    return out


def mapping_table(values: Mapping[str, Any], key: str = "indicator", value: str = "value",
                  digits: int = 3) -> pd.DataFrame:
    """A two-column table from a flat mapping (nested values are shown as text)."""
    rows = [(k, round(v, digits) if isinstance(v, float) else v) for k, v in values.items()]
    return table(pd.DataFrame(rows, columns=[key, value]), max_rows=100)


# ---------------------------------------------------------------------------------------------------
# shaping results for display (no computation of indicators here: those come from helpers.indicators)
# ---------------------------------------------------------------------------------------------------

def _file_label(path: Any, data_dir: Path) -> str:
    """A file as shown in a report: relative to the data directory, never an absolute path."""
    p = Path(str(path))
    try:
        return p.resolve().relative_to(data_dir.resolve()).as_posix()
    except ValueError:
        return p.name


def files_read(data: DataSummary, params: Params) -> pd.DataFrame:
    """Every input file read (data-quality log ``files``): table, file, format, rows read."""
    files = pd.DataFrame(data.quality.get("files", []),
                         columns=["table", "file", "format", "rows_read"])
    if files.empty:
        return files
    files["file"] = files["file"].map(lambda f: _file_label(f, params.data_path))
    return table(files.sort_values(["table", "file"], kind="stable"), max_rows=100)


def quality_summary(data: DataSummary, results: Any) -> pd.DataFrame:
    """Headline data-quality counts: rows read, duplicates dropped, rows rejected per table,
    warnings, and the scope funnel of the run (``indicators.data_quality.scope``)."""
    q = results.indicators.get("data_quality", {})
    rows: list[tuple[str, Any]] = [
        ("contract rows read", q.get("contracts_rows_read", 0)),
        ("duplicate contract rows dropped (one row per uid)", q.get("duplicates_dropped", 0)),
        ("contracts after de-duplication", data.rows["contracts"]),
        ("clause rows", data.rows["clauses"]),
        ("participation rows", data.rows["participations"]),
        ("registry structures (suppliers)", data.rows["suppliers"]),
    ]
    rejected = {k: v for k, v in sorted((q.get("rejected") or {}).items()) if v}
    if not rejected:
        rows.append(("rows rejected (quarantine mode)", 0))
    for table_name, n in rejected.items():
        rows.append((f"{table_name} rows rejected (quarantine mode)", n))
    rows.append(("warnings (legal but suspicious values)", len(q.get("warnings", []))))
    for key, n in (q.get("scope") or {}).items():
        rows.append((f"scope: {key.replace('_', ' ')}", n))
    return table(pd.DataFrame(rows, columns=["item", "value"]), max_rows=100)


def quality_warnings(data: DataSummary, params: Params, max_rows: int = MAX_ROWS
                     ) -> pd.DataFrame:
    """Warnings of the data-quality log: table, file, column, number of rows, message (bounded)."""
    w = pd.DataFrame(data.quality.get("warnings", []),
                     columns=["table", "file", "column", "rows", "message"])
    if w.empty:
        return w
    w["file"] = w["file"].map(lambda f: _file_label(f, params.data_path))
    w["rows"] = w["rows"].map(lambda r: len(r) if isinstance(r, (list, tuple)) else r)
    return table(w.rename(columns={"rows": "n_rows"}), max_rows)


def rejected_summary(data: DataSummary, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Rows set aside in quarantine mode, counted per table and reason (bounded; the rows themselves
    are in ``rejected/<table>.csv``)."""
    return table(data.rejected, max_rows) if len(data.rejected) else data.rejected


def count_rejected(dataset: Dataset) -> pd.DataFrame:
    """``table, reason, rows``: the quarantined rows of ``dataset`` counted per table and reason,
    most frequent reason first within a table."""
    frames = [pd.DataFrame({"table": name, "reason": df["reason"].astype(str)})
              for name, df in sorted(dataset.rejected.items())
              if df is not None and not df.empty and "reason" in df.columns]
    if not frames:
        return pd.DataFrame(columns=["table", "reason", "rows"])
    return (pd.concat(frames).groupby(["table", "reason"]).size().rename("rows").reset_index()
            .sort_values(["table", "rows", "reason"], ascending=[True, False, True])
            .reset_index(drop=True))


def coverage_by_buyer(dataset: Dataset, results: Any, params: Params) -> pd.DataFrame:
    """Per buyer, contracts notified in ``year``, how many have a clauses row and how many have
    participation rows, how many are in the run's scope and how many of those are covered by the
    facilitator's data. Sorted by contracts, then SIRET."""
    c = dataset.contracts
    year_c = c.loc[c["notification_date"].dt.year.eq(params.year), ["uid", "buyer_siret"]]
    if params.buyers:
        year_c = year_c.loc[year_c["buyer_siret"].isin(params.buyers)]
    year_c = year_c.assign(with_clause=year_c["uid"].isin(set(dataset.clauses["uid"])),
                           with_participations=year_c["uid"].isin(
                               set(dataset.participations["uid"])))
    cov = year_c.groupby("buyer_siret").agg(contracts=("uid", "size"),
                                            with_clause=("with_clause", "sum"),
                                            with_participations=("with_participations", "sum"))
    in_scope = results.contracts.groupby("buyer_siret").size().rename("in_scope")
    c_all = results.contracts
    is_covered = (c_all["covered"].astype(bool) if "covered" in c_all.columns
                  else pd.Series(True, index=c_all.index))
    covered = c_all.loc[is_covered].groupby("buyer_siret").size().rename("in_scope_covered")
    cov = (cov.join(in_scope, how="left").join(covered, how="left")
           .fillna({"in_scope": 0, "in_scope_covered": 0}).astype(int).reset_index())
    names = results.buyers.set_index("buyer_siret")["buyer_name"]
    if not dataset.buyers.empty:
        names = dataset.buyers.drop_duplicates("siret").set_index("siret")["name"]
    cov.insert(1, "buyer_name", cov["buyer_siret"].map(names))
    return cov.sort_values(["contracts", "buyer_siret"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def value(results: Any, path: str, kind: str = "num", digits: int = 0) -> str:
    """An indicator by dotted path (``"activity.beneficiaries"``) formatted for prose: ``kind`` is
    ``num`` or ``pct``; a value suppressed for privacy reads "suppressed (< N people)"."""
    if path in results.indicators.get("suppressed", []):
        n = results.indicators.get("parameters", {}).get("min_cell_size", 11)
        return f"suppressed (< {n} people)"
    node: Any = results.indicators
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return pct(node, digits or 1) if kind == "pct" else num(node, digits)


def block_table(results: Any, section: str, keys: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """A two-column table of indicators ``section.<key>`` with a label and a format (``num``,
    ``num1`` = one decimal, ``pct``) each; suppressed values read "suppressed (< N people)"."""
    rows = []
    for key, (label, kind) in keys.items():
        digits = 1 if kind in ("num1", "pct") else (2 if kind == "num2" else 0)
        rows.append((label, value(results, f"{section}.{key}", "pct" if kind == "pct" else "num",
                                  digits)))
    return table(pd.DataFrame(rows, columns=["indicator", "value"]), max_rows=100)


def shares_table(frame: pd.DataFrame, results: Any, section: str, labels: Mapping[str, str]
                 ) -> pd.DataFrame:
    """Profile or exit table (``key``, ``n``, ``share``) with readable labels; suppressed cells read
    "suppressed (< N people)"."""
    n_min = results.indicators.get("parameters", {}).get("min_cell_size", 11)
    sup = set(results.indicators.get("suppressed", []))
    rows = []
    for _, r in frame.iterrows():  # one row per profile/exit key (a dozen at most)
        hidden = f"{section}.{r['key']}_share" in sup
        rows.append({
            "group": labels.get(r["key"], r["key"]),
            "people": f"suppressed (< {n_min} people)" if hidden or pd.isna(r["n"]) else num(r["n"]),
            "share": f"suppressed (< {n_min} people)" if hidden or pd.isna(r["share"])
            else pct(r["share"]),
        })
    return table(pd.DataFrame(rows), max_rows=100)


def funnel(results: Any) -> dict[str, int]:
    """Status funnel over the covered assessable contracts (docs/design.md §3 statuses):
    declared → followed (a clauses row with planned hours, some hours recorded, or a verified reserved
    holder: someone tracks the clause) → delivered (status ``VERIFIED``)."""
    c = results.contracts
    a = c.loc[c["assessable"].astype(bool) & c["covered"].astype(bool)
              & c["declared"].astype(bool)]
    followed = (a["planned_hours"].fillna(0) > 0) | (a["realized_hours"].fillna(0) > 0) \
        | a["reserved_verified"].astype(bool)
    return {"declared": int(len(a)), "followed": int(followed.sum()),
            "delivered": int(a["status"].eq("VERIFIED").sum())}


VERDICT_ORDER = {"social_washing": 0, "possible_social_washing": 1, "below_target": 2,
                 "compliant": 3, "not_measured": 4, "insufficient_data": 5}


def delivery_note(results: Any) -> None:
    """One sentence, shown when delivery could not be judged for the whole scope or for some buyers:
    why nothing is concluded about their delivery (no facilitator data, or too few covered
    contracts)."""
    ind = results.indicators
    minimum = ind.get("parameters", {}).get("min_contracts", 5)
    if not ind.get("coverage", {}).get("facilitator_data", True):
        md("**Nothing is concluded about delivery:** the data directory holds no facilitator data "
           "(no clauses or participations file), so only the declared side is reported and every "
           f"buyer with {minimum} assessable contracts or more is *not measured*.")
        return
    not_measured = int((results.buyers["verdict"] == "not_measured").sum())
    if not_measured:
        md(f"**{not_measured} buyer(s) not measured:** fewer than {minimum} of their assessable "
           "contracts are covered by the facilitator's data (no row for the buyer, or contracts "
           "notified before its `facilitator_from` date); their declared share is reported, nothing "
           "is concluded about their delivery.")


def verdict_table(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """``buyers.csv`` for display: flagged buyers first (social washing, possible social washing,
    below target, compliant, not measured, insufficient data), then by assessable contracts; shares
    in %, gap in points; bounded."""
    b = results.buyers.copy()
    b["_order"] = b["verdict"].map(VERDICT_ORDER).fillna(9)
    b = b.sort_values(["_order", "assessable_contracts", "buyer_siret"],
                      ascending=[True, False, True], kind="stable").drop(columns="_order")
    for col in ("declared_share", "declared_covered_share", "effective_share",
                "unsubstantiated_share"):
        b[col] = (b[col].astype(float) * 100).round(1)
    b = b.rename(columns={"declared_share": "declared_%", "declared_covered_share":
                          "declared_covered_%", "effective_share": "effective_%",
                          "unsubstantiated_share": "unsubstantiated_%"})
    b["gap_points"] = b["gap_points"].round(1)
    for col in ("mcnemar_p", "binomial_p", "q_value"):
        b[col] = b[col].map(lambda p: "" if pd.isna(p) else f"{p:.2g}")
    return table(b.drop(columns=["declared_meets_target"]), max_rows)


FLAG_COLUMNS = ["uid", "buyer_name", "notification_date", "amount", "considerations",
                "planned_hours", "expected_hours", "realized_hours", "status"]


def shown(df: pd.DataFrame, empty: str) -> pd.DataFrame | None:
    """``df`` for display, or the sentence ``empty`` (as Markdown) when it has no row."""
    if df.empty:
        md(empty)
        return None
    return df


def contracts_behind_flags(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame | None:
    """Display how many contracts are behind the social-washing flags and return the largest
    ``max_rows`` of them (see :func:`flagged_contracts`); a sentence when there is none."""
    rows, total = flagged_contracts(results, max_rows=max_rows)
    if total == 0:
        md("No contract is behind a social-washing flag (clear or possible) in this scope.")
        return None
    shown_n = f"the {len(rows)} largest are shown" if total > len(rows) else "all are shown"
    md(f"{total} declared but not effective contract(s) of flagged buyers; {shown_n}.")
    return rows


def flagged_contracts(results: Any,
                      verdicts: tuple[str, ...] = ("social_washing", "possible_social_washing"),
                      max_rows: int = MAX_ROWS) -> tuple[pd.DataFrame, int]:
    """The contracts behind the flags: covered assessable contracts of the buyers whose verdict is in
    ``verdicts``, declared but not effective (status SHORTFALL, NO_EVIDENCE or UNVERIFIABLE), largest
    amounts first. Returns the first ``max_rows`` and the total number (all are in contracts.csv)."""
    flagged = results.buyers.loc[results.buyers["verdict"].isin(verdicts), "buyer_siret"]
    c = results.contracts
    rows = c.loc[c["buyer_siret"].isin(set(flagged)) & c["assessable"].astype(bool)
                 & c["covered"].astype(bool)
                 & c["declared"].astype(bool) & ~c["effective"].astype(bool)]
    rows = rows.sort_values(["amount", "uid"], ascending=[False, True], kind="stable")
    shown = rows[FLAG_COLUMNS].copy()
    shown["notification_date"] = pd.to_datetime(shown["notification_date"]).dt.strftime("%Y-%m-%d")
    for col in ("amount", "planned_hours", "expected_hours", "realized_hours"):
        shown[col] = shown[col].astype(float).round(0).astype("Int64")
    return table(shown, max_rows), int(len(rows))


def official_shares() -> pd.DataFrame:
    """Official national shares of contracts with a social consideration (year, share, series, scope,
    source), from ``data/reference/official_shares.csv`` through :func:`helpers.trends.load_official_shares`."""
    from .trends import load_official_shares

    return load_official_shares()


def declared_by_buyer(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Per buyer: assessable contracts, declared count, declared share by number with its 95 % Wilson
    interval, and by amount (all in %), largest buyers first; bounded (full table in buyers.csv)."""
    d = results.tables["buyers_detail"]
    out = pd.DataFrame({
        "buyer_siret": d["buyer_siret"], "buyer_name": d["buyer_name"],
        "assessable": d["assessable_contracts"], "declared_n": d["declared_n"],
        "declared_%": (d["declared_share"] * 100).round(1),
        "ci95_low_%": (d["declared_ci_low"] * 100).round(1),
        "ci95_high_%": (d["declared_ci_high"] * 100).round(1),
        "declared_by_amount_%": (d["declared_share_by_amount"] * 100).round(1),
    })
    out = out.sort_values(["assessable", "buyer_siret"], ascending=[False, True], kind="stable")
    return table(out, max_rows)


PROFILE_LABELS: dict[str, str] = {
    "women": "Women", "under_26": "Under 26", "age_50_plus": "50 and over",
    "no_diploma": "No diploma (infra bac)", "public_deld": "Long-term unemployed (DELD)",
    "public_rsa": "RSA recipients", "public_rqth": "Disabled workers (RQTH)",
    "public_jeune_moins_26": "Young people (< 26, public category)",
    "public_senior_50": "Seniors (50+, public category)", "public_qpv": "Residents of QPV",
    "public_siae": "Employees of SIAE", "public_autre": "Other public",
}
EXIT_LABELS: dict[str, str] = {
    "emploi_durable": "Lasting job", "emploi_transition": "Transition job",
    "formation": "Qualifying training", "autre": "Other", "inconnu": "Unknown",
    "en_cours": "Still in progress", "sorties_dynamiques": "Sorties dynamiques (first three)",
}


def labelled_shares(frame: pd.DataFrame, labels: Mapping[str, str]) -> dict[str, float | None]:
    """``key``/``share`` table → {label: share or None (suppressed)} for :func:`figures.plot_shares`."""
    shares = frame["share"].astype(float)
    return {labels.get(k, k): (None if pd.isna(s) else float(s))
            for k, s in zip(frame["key"], shares)}


def activity_by_buyer(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Activity-year indicators per buyer, most hours first, rounded; people counts below the cell
    size read "suppressed (< N)"; bounded."""
    n_min = results.indicators.get("parameters", {}).get("min_cell_size", 11)
    a = results.tables["activity_by_buyer"].copy()
    names = results.buyers.set_index("buyer_siret")["buyer_name"]
    a.insert(1, "buyer_name", a["buyer_siret"].map(names))
    a = a.sort_values(["hours", "buyer_siret"], ascending=[False, True], kind="stable")
    for col in ("hours", "hours_clause_contracts", "expected_hours", "hours_per_beneficiary"):
        a[col] = a[col].round(0).astype("Int64")
    a["etp"] = a["etp"].round(1)
    a["achievement_ratio"] = a["achievement_ratio"].round(2)
    hidden = a["beneficiaries"].isna()
    a["beneficiaries"] = a["beneficiaries"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    a.loc[hidden, "beneficiaries"] = f"suppressed (< {n_min})"
    for col in ("hours", "hours_clause_contracts", "achievement_ratio", "etp",
                "hours_per_beneficiary"):   # a suppressed group's hours go with its people
        a[col] = a[col].astype(object).where(~hidden, f"suppressed (< {n_min})")
    return table(a, max_rows)
