"""Page 03 (insertion outcomes) of the yearly report: the indicators of the activity year shown
in the page's language.

``block_table`` shows a group of indicators (hours, people, full-time equivalents, concentration,
reserved contracts, social and solidarity economy) with their labels and formats; ``shares_table``
and ``shares_figure`` the profile of the people and their exits; ``hours_figure`` how the hours are
spread over the contracts; ``activity_by_buyer`` the same indicators per buyer. Counts of people below
the run's ``min_cell_size`` (and the values that would reveal them) read "non publié (moins de N
personnes)" instead of a number.

Nothing is computed here: the indicators come from :mod:`helpers.indicators`; this module only
shapes them for the page, with the page's language and formats of :mod:`helpers.notebook`. It is
separate from that module so that each page's tables and figures sit in a module of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from . import fmt
from .notebook import MAX_ROWS, _frame, _params, lang, number, percent, word


def _suppressed(results: Any) -> str:
    n = results.indicators.get("parameters", {}).get("min_cell_size", _params().min_cell_size)
    return word("suppressed_n", n=fmt.number(n, lang()))



FORMATS = {
    "int": lambda v, lg: fmt.number(v, lg), "num1": lambda v, lg: fmt.number(v, lg, 1),
    "num2": lambda v, lg: fmt.number(v, lg, 2), "pct": lambda v, lg: fmt.share(v, lg),
    "money": lambda v, lg: fmt.money(v, lg), "hours": lambda v, lg: fmt.hours(v, lg),
}


def _indicator(results: Any, path: str) -> Any:
    node: Any = results.indicators
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def value(results: Any, path: str, kind: str = "int") -> str:
    """An indicator by dotted path (``"activity.beneficiaries"``) formatted for the page: ``kind``
    is one of :data:`FORMATS`; a value suppressed for privacy reads "non publié (moins de N
    personnes)"."""
    if path in results.indicators.get("suppressed", []):
        return _suppressed(results)
    return FORMATS[kind](_indicator(results, path), lang())


def block_table(results: Any, section: str, keys: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """A two-column table (indicator, value) of the indicators ``section.<key>``, each with the code
    of its label (:mod:`helpers.labels`) and its format (:data:`FORMATS`)."""
    rows = [{"indicator": word(code), "value": value(results, f"{section}.{key}", kind)}
            for key, (code, kind) in keys.items()]
    return _frame(rows, ["indicator", "value"])


def shares_table(frame: pd.DataFrame, results: Any, section: str) -> pd.DataFrame:
    """Profile or exit table (``key``, ``n``, ``share``) with the groups' labels; suppressed cells
    read "non publié (moins de N personnes)"."""
    sup = set(results.indicators.get("suppressed", []))
    hidden_text = _suppressed(results)
    rows = []
    for _, r in frame.iterrows():  # one row per profile/exit key (a dozen at most)
        hidden = f"{section}.{r['key']}_share" in sup
        rows.append({
            "group": _group(r["key"]),
            "people": hidden_text if hidden or pd.isna(r["n"]) else number(r["n"]),
            "people_share": hidden_text if hidden or pd.isna(r["share"]) else percent(r["share"]),
        })
    return _frame(rows, ["group", "people", "people_share"])


def _group(key: str) -> str:
    code = "sorties_dynamiques_total" if key == "sorties_dynamiques" else key
    try:
        return word(code)
    except KeyError:
        return str(key)


def labelled_shares(frame: pd.DataFrame) -> dict[str, float | None]:
    """``key``/``share`` table → {label: share or None (suppressed)} for :func:`figures.plot_shares`."""
    shares = frame["share"].astype(float)
    return {_group(k): (None if pd.isna(s) else float(s)) for k, s in zip(frame["key"], shares)}


def shares_figure(frame: pd.DataFrame, which: str) -> None:
    """The profile (``which="profile"``) or exits (``"exits"``) shares as a figure."""
    from . import figures

    figures.show(figures.plot_shares(
        labelled_shares(frame), title=word(f"f_{which}_title"), xlabel=word(f"f_{which}_x"),
        ylabel=word("f_group" if which == "profile" else "f_exit"),
        suppressed=word("f_suppressed"), empty=word("f_empty"), percent=percent), which)


def hours_figure(results: Any) -> None:
    """The concentration of hours over contracts as a figure."""
    from . import figures

    figures.show(figures.plot_hours_by_contract(
        results.tables["hours_by_contract"].set_index("uid")["hours_in_year"],
        title=word("f_hours_title"), bars_title=word("f_hours_bars"), xlabel=word("f_hours_x"),
        ylabel=word("f_hours_y"), lorenz_title=word("f_lorenz"), lorenz_xlabel=word("f_lorenz_x"),
        lorenz_ylabel=word("f_lorenz_y"), lorenz_label=word("f_lorenz"),
        equal_label=word("f_equal"), empty=word("f_empty"), percent=percent,
        number=lambda v: number(v)), "hours_concentration")


def activity_by_buyer(results: Any, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Activity-year indicators per buyer, most hours first; people counts below the cell size (and
    the hours that go with them) read "non publié"; bounded."""
    a = results.tables["activity_by_buyer"].copy()
    names = results.buyers.set_index("buyer_siret")["buyer_name"]
    a.insert(1, "buyer_name", a["buyer_siret"].map(names))
    a = a.sort_values(["hours", "buyer_siret"], ascending=[False, True], kind="stable")
    hidden_text = _suppressed(results)
    kinds = {"hours": "int", "hours_clause_contracts": "int", "expected_hours": "int",
             "achievement_ratio": "pct", "etp": "num1", "beneficiaries": "int",
             "hours_per_beneficiary": "int"}
    rows = []
    for _, r in a.head(max_rows).iterrows():
        hidden = pd.isna(r["beneficiaries"])  # a suppressed group's hours go with its people
        row = {"buyer_name": r["buyer_name"]}
        for col, kind in kinds.items():
            row[col] = hidden_text if hidden and col != "expected_hours" else \
                FORMATS[kind](r[col], lang())
        rows.append(row)
    return _frame(rows, ["buyer_name", *kinds],
                  {"hours_clause_contracts": "act_hours_clause",
                   "expected_hours": "activity_expected_hours"})
