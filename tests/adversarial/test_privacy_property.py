"""Adversarial property test of the published aggregates: over random participations, a reader who
knows every published cell and every published total cannot recover a suppressed value.

The partitions are written here from the published keys (independently of the ones
``helpers.indicators.activity`` builds), and the attack is exact linear algebra: with the unknowns
(suppressed values and the parts never published, such as "people aged 26-49") as columns and one row
per sum, an unknown has a single value for all solutions exactly when its column is not in the span
of the other columns (rank drops by one without it). The code checks the same thing another way
(projection on the row space); here it is the rank test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import sys
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "indicators"))
import builders as b  # noqa: E402

from helpers import schemas  # noqa: E402
from helpers.indicators import compute_results  # noqa: E402
from helpers.params import Params  # noqa: E402

_SMALL = ({"allow_small_cells": True}
          if "allow_small_cells" in {f.name for f in dataclasses.fields(Params)} else {})
BUYERS = (b.BUYER_A, b.BUYER_B, b.BUYER_C)
Y0, Y1 = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
DAY0 = dt.date(2023, 9, 1)
PUBLIC = [f"public_{c.lower()}" for c in schemas.PUBLIC_CATEGORIES]
ROW_COLUMNS = ("beneficiaries", "hours", "hours_clause_contracts", "achievement_ratio", "etp",
               "hours_per_beneficiary")

_person = st.fixed_dictionaries({
    "sex": st.sampled_from(["F", "F", "M", None]),
    "birth_year": st.one_of(st.none(), st.integers(1960, 2004)),
    "diploma_level": st.sampled_from(schemas.DIPLOMA_LEVELS),
})
# skewed on purpose, so that some cells are small and their neighbours are not: a big buyer and two
# small ones, frequent lasting jobs and rare "en cours", most missions ending in 2024
_row = st.fixed_dictionaries({
    "person": st.integers(0, 99),
    "buyer": st.sampled_from([0, 0, 0, 0, 0, 1, 1, 2]),
    "public_categories": st.lists(st.sampled_from(schemas.PUBLIC_CATEGORIES), max_size=2,
                                  unique=True),
    "start": st.integers(100, 480),
    "length": st.one_of(st.none(), st.integers(0, 200), st.integers(0, 200)),
    "hours": st.floats(1, 300, allow_nan=False),
    "exit_outcome": st.sampled_from(["emploi_durable"] * 5 + ["emploi_transition"] * 2
                                    + ["formation"] * 2 + ["autre", "inconnu", "inconnu", "en_cours"]),
})


def _truth(rows: list[dict], people: list[dict]) -> dict[str, int]:
    """People counts of every cell and part, with plain Python (year 2024, as_of 31 Dec 2024)."""
    in_year: dict[int, set[str]] = {}
    buyers: dict[int, set[int]] = {i: set() for i in range(3)}
    ended: list[str] = []
    for r in rows:
        start = DAY0 + dt.timedelta(days=r["start"])
        end = None if r["length"] is None else start + dt.timedelta(days=r["length"])
        if start <= Y1 and (end if end is not None else max(start, Y1)) >= Y0:
            in_year.setdefault(r["person"], set()).update(r["public_categories"])
            buyers[r["buyer"]].add(r["person"])
        if end is not None and Y0 <= end <= Y1:
            ended.append(r["exit_outcome"])
    attrs = [people[p] for p in in_year]
    ages = [None if a["birth_year"] is None else 2024 - a["birth_year"] for a in attrs]
    t = {"beneficiaries": len(in_year), "missions_ended": len(ended),
         "women": sum(a["sex"] == "F" for a in attrs),
         "under_26": sum(x is not None and x < 26 for x in ages),
         "age_50_plus": sum(x is not None and x >= 50 for x in ages),
         "no_diploma": sum(a["diploma_level"] == "infra_bac" for a in attrs)}
    for cat, key in zip(schemas.PUBLIC_CATEGORIES, PUBLIC):
        t[key] = sum(cat in cats for cats in in_year.values())
    for outcome in schemas.EXIT_OUTCOMES:
        t[outcome] = ended.count(outcome)
    t["sorties_dynamiques"] = sum(ended.count(o) for o in schemas.DYNAMIC_EXITS)
    for i, siret in enumerate(BUYERS):
        t[f"row.{siret}"] = len(buyers[i])
    return t


def _sums() -> list[tuple[str, list[str], str | None]]:
    """Every published sum: (total key, cell keys, rest key or None), keys of :func:`_known`."""
    profile_rest = [("women", ["women"]), ("age", ["under_26", "age_50_plus"]),
                    ("diploma", ["no_diploma"]), *((k, [k]) for k in PUBLIC)]
    sums: list[tuple[str, list[str], str | None]] = [
        ("exits.missions_ended", [f"exits.{k}_n" for k in
                                  ("sorties_dynamiques", "autre", "inconnu", "en_cours")], None),
        ("exits.sorties_dynamiques_n", [f"exits.{k}_n" for k in schemas.DYNAMIC_EXITS], None),
        ("exits.missions_ended", [f"exits.{k}_n" for k in schemas.EXIT_OUTCOMES], None),
        *(("beneficiaries", [f"profile.{k}_n" for k in cells], f"rest.{name}")
          for name, cells in profile_rest),
    ]
    for total, column in (("beneficiaries", "beneficiaries"), ("hours", "hours"),
                          ("hours_clause_contracts", "hours_clause_contracts"), ("etp", "etp")):
        sums.append((total, [f"row.{s}.{column}" for s in BUYERS], None))
    return sums


def _known(res) -> dict[str, float | None]:
    """Every published value the sums use (None = not published)."""
    act = res.indicators["activity"]
    vals: dict[str, float | None] = {k: act[k] for k in
                                     ("beneficiaries", "hours", "hours_clause_contracts", "etp")}
    vals.update({f"exits.{k}": v for k, v in act["exits"].items()})
    vals.update({f"profile.{k}": v for k, v in act["profile"].items()})
    rows = res.tables["activity_by_buyer"].set_index("buyer_siret")
    for s in BUYERS:
        for c in ROW_COLUMNS:
            v = rows.loc[s, c]
            vals[f"row.{s}.{c}"] = None if v is None or (isinstance(v, float) and math.isnan(v)) \
                else float(v)
    return vals


def _size(key: str, t: dict[str, int]) -> int:
    """People in the part ``key`` (a cell or a total of a sum, or a rest)."""
    if key in ("hours", "hours_clause_contracts", "etp"):
        return t["beneficiaries"]
    if key.startswith("row."):
        return t[".".join(key.split(".")[:2])]
    if key.startswith("rest."):
        name = key[5:]
        cells = {"women": ["women"], "age": ["under_26", "age_50_plus"],
                 "diploma": ["no_diploma"]}.get(name, [name])
        return t["beneficiaries"] - sum(t[c] for c in cells)
    return t[key.split(".")[-1].removesuffix("_n")]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(_person, min_size=100, max_size=100), rows=st.lists(_row, max_size=150),
       m=st.sampled_from([3, 5, 8, 11]))
def test_no_suppressed_value_is_recoverable(people, rows, m):
    part_rows = [{
        "contract_id": f"c{r['buyer'] + 1}", "buyer_siret": BUYERS[r["buyer"]],
        "beneficiary_id": f"p{r['person']}", **people[r["person"]],
        "public_categories": r["public_categories"], "hours": r["hours"],
        "start_date": DAY0 + dt.timedelta(days=r["start"]),
        "end_date": None if r["length"] is None else DAY0 + dt.timedelta(days=r["start"] + r["length"]),
        "exit_outcome": r["exit_outcome"]} for r in rows]
    ds = b.dataset([{"buyer_siret": s} for s in BUYERS], participation_rows=part_rows)
    res = compute_results(ds, b.params(year=2024, min_cell_size=m, **(_SMALL if m < 11 else {})))
    t, vals = _truth(rows, people), _known(res)
    act = res.indicators["activity"]
    sums = _sums()

    # a group whose people are suppressed has its hours suppressed too
    if act["beneficiaries"] is None:
        assert all(act[k] is None for k in ("hours", "etp", "hours_per_beneficiary",
                                            "hours_clause_contracts", "achievement_ratio"))
    for s in BUYERS:
        published_people = vals[f"row.{s}.beneficiaries"]
        assert published_people is None or published_people == t[f"row.{s}"]
        if published_people is None:
            assert all(vals[f"row.{s}.{c}"] is None for c in ROW_COLUMNS), s

    # each sum alone: its unpublished parts are never a single one, nor a small group
    for total, cells, rest in sums:
        if vals[total] is None or _size(total, t) == 0:      # a sum of nobody says nothing
            continue
        hidden = [c for c in cells if vals[c] is None] + ([rest] if rest else [])
        sizes = [_size(h, t) for h in hidden]
        if any(vals[c] is None for c in cells) or (rest and sizes[-1] < m):
            assert len(hidden) >= 2, (total, hidden)
            assert sum(sizes) >= m, (total, hidden, sizes)

    # all sums together: no suppressed value (nor small rest) has a single solution
    unknown: list[str] = []
    for total, cells, rest in sums:
        for key in (total, *cells, *([rest] if rest else [])):
            if (key.startswith("rest.") or vals[key] is None) and key not in unknown:
                unknown.append(key)
    a = np.zeros((len(sums), len(unknown)))
    for r, (total, cells, rest) in enumerate(sums):
        for key, coef in ((total, 1.0), *((c, -1.0) for c in cells),
                          *(((rest, -1.0),) if rest else ())):
            if key in unknown:
                a[r, unknown.index(key)] += coef
    a[[i for i, (total, _, _) in enumerate(sums) if _size(total, t) == 0]] = 0.0
    full = np.linalg.matrix_rank(a) if unknown else 0
    for j, key in enumerate(unknown):
        if key.startswith("rest.") and (_size(key, t) >= m or t["beneficiaries"] == 0):
            continue
        without = np.linalg.matrix_rank(np.delete(a, j, axis=1)) if len(unknown) > 1 else 0
        assert full - without == 0, f"{key} is recoverable from the published sums"
