"""Small-cell suppression (DESIGN §3 Privacy): boundaries by hand and a property-based test."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "indicators"))
import builders as b  # noqa: E402

from helpers import schemas  # noqa: E402
from helpers.indicators import (apply_privacy, compute_results, count_rule, share_rule,  # noqa: E402
                                suppress_table)
from helpers.indicators.activity import PROFILE_KEYS  # noqa: E402


def test_privacy_count_boundary_10_suppressed_11_published():
    values = {"a": {"people": 10, "per_person": 3.5}, "b": {"people": 11}}
    out, suppressed = apply_privacy(
        values, [count_rule("a.people", 10, "a.per_person"), count_rule("b.people", 11)], 11)
    assert out == {"a": {"people": None, "per_person": None}, "b": {"people": 11}}
    assert suppressed == ["a.people", "a.per_person"]
    assert values["a"]["people"] == 10          # the input is not modified


@pytest.mark.parametrize("num, den, published", [
    (11, 22, True),    # numerator 11, complement 11
    (11, 21, False),   # complement 21 − 11 = 10 < 11
    (10, 40, False),   # numerator 10 < 11
    (30, 41, True),    # complement 11
    (0, 50, False),    # a zero numerator is below the cell size too
])
def test_privacy_share_needs_numerator_and_complement(num, den, published):
    values = {"s": {"x_n": num, "x_share": num / den}}
    out, suppressed = apply_privacy(values, [share_rule("s.x_share", "s.x_n", num, den)], 11)
    assert (out["s"]["x_share"] is not None) == published
    assert (out["s"]["x_n"] is not None) == published
    assert suppressed == ([] if published else ["s.x_n", "s.x_share"])


def test_privacy_rule_on_unknown_key_is_an_error():
    with pytest.raises(KeyError, match="a.missing"):
        apply_privacy({"a": {}}, [count_rule("a.missing", 1)], 11)


def test_privacy_per_buyer_table():
    # buyer X 10 people -> suppressed with its hours per person; Y 11 -> kept
    t = pd.DataFrame({"beneficiaries": [10.0, 11.0], "hours_per_beneficiary": [5.0, 6.0],
                      "hours": [50.0, 66.0]}, index=pd.Index(["X", "Y"], name="buyer_siret"))
    out, keys = suppress_table(t, "beneficiaries", ["beneficiaries", "hours_per_beneficiary"], 11,
                               "tables.activity_by_buyer")
    assert np.isnan(out.loc["X", "beneficiaries"]) and np.isnan(out.loc["X", "hours_per_beneficiary"])
    assert out.loc["X", "hours"] == 50.0 and out.loc["Y", "beneficiaries"] == 11.0
    assert keys == ["tables.activity_by_buyer.X.beneficiaries",
                    "tables.activity_by_buyer.X.hours_per_beneficiary"]


def _people(n_women: int, n_men: int) -> list[dict]:
    return ([{"contract_id": "c1", "beneficiary_id": f"w{i}", "sex": "F"} for i in range(n_women)]
            + [{"contract_id": "c1", "beneficiary_id": f"m{i}", "sex": "M"} for i in range(n_men)])


def test_privacy_in_results_women_share_published_at_11_and_11():
    res = compute_results(b.dataset([{}], participation_rows=_people(11, 11)), b.params(year=2024))
    prof = res.indicators["activity"]["profile"]
    assert res.indicators["activity"]["beneficiaries"] == 22
    assert prof["women_n"] == 11 and prof["women_share"] == pytest.approx(0.5)
    assert "activity.profile.women_share" not in res.indicators["suppressed"]


def test_privacy_in_results_complement_below_size_is_suppressed():
    # 11 women, 10 men: complement 10 < 11 -> women share and count null, listed
    res = compute_results(b.dataset([{}], participation_rows=_people(11, 10)), b.params(year=2024))
    prof = res.indicators["activity"]["profile"]
    assert res.indicators["activity"]["beneficiaries"] == 21
    assert prof["women_share"] is None and prof["women_n"] is None
    assert {"activity.profile.women_share", "activity.profile.women_n"} <= set(
        res.indicators["suppressed"])


def test_privacy_in_results_ten_people_suppressed():
    # 10 people: the count, and the hours of this group of 10 (hours, ETP, hours per person, hours on
    # clause contracts and the ratios revealing them) are null; planned hours are not people's
    res = compute_results(b.dataset([{}], participation_rows=_people(5, 5)), b.params(year=2024))
    act = res.indicators["activity"]
    for key in ("beneficiaries", "hours_per_beneficiary", "hours", "etp", "hours_clause_contracts",
                "achievement_ratio", "hours_per_1000_eur"):
        assert act[key] is None, key
        assert f"activity.{key}" in res.indicators["suppressed"]
    assert act["expected_hours"] is not None
    by_buyer = res.tables["activity_by_buyer"].set_index("buyer_siret")
    assert np.isnan(by_buyer.loc[b.BUYER_A, "beneficiaries"])
    assert f"tables.activity_by_buyer.{b.BUYER_A}.beneficiaries" in res.indicators["suppressed"]
    assert res.tables["profile"]["share"].isna().all()


# --- property-based -------------------------------------------------------------------------------

_DAY0 = dt.date(2023, 6, 1)
_person = st.fixed_dictionaries({
    "sex": st.sampled_from(["F", "M", None]),
    "birth_year": st.one_of(st.none(), st.integers(1955, 2007)),
    "diploma_level": st.sampled_from(schemas.DIPLOMA_LEVELS),
})
_row = st.fixed_dictionaries({
    "person": st.integers(0, 45),
    "buyer": st.sampled_from([b.BUYER_A, b.BUYER_B]),
    "public_categories": st.lists(st.sampled_from(schemas.PUBLIC_CATEGORIES), max_size=3,
                                  unique=True),
    "start": st.integers(0, 900),
    "length": st.one_of(st.none(), st.integers(0, 400)),
    "hours": st.floats(0, 500, allow_nan=False),
    "exit_outcome": st.sampled_from(schemas.EXIT_OUTCOMES),
})


def _independent_counts(rows: list[dict], people: list[dict]) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of each published share, recomputed with plain Python."""
    y0, y1, as_of = dt.date(2024, 1, 1), dt.date(2024, 12, 31), dt.date(2024, 12, 31)
    in_year: dict[int, set[str]] = {}
    ended: list[str] = []
    for r in rows:
        start = _DAY0 + dt.timedelta(days=r["start"])
        end = None if r["length"] is None else start + dt.timedelta(days=r["length"])
        eff_end = end if end is not None else max(start, as_of)
        if start <= y1 and eff_end >= y0:
            in_year.setdefault(r["person"], set()).update(r["public_categories"])
        if end is not None and y0 <= end <= y1:
            ended.append(r["exit_outcome"])
    n = len(in_year)
    counts: dict[str, tuple[int, int]] = {}
    attrs = {p: people[p] for p in in_year}
    counts["women"] = (sum(a["sex"] == "F" for a in attrs.values()), n)
    counts["under_26"] = (sum(a["birth_year"] is not None and 2024 - a["birth_year"] < 26
                              for a in attrs.values()), n)
    counts["age_50_plus"] = (sum(a["birth_year"] is not None and 2024 - a["birth_year"] >= 50
                                 for a in attrs.values()), n)
    counts["no_diploma"] = (sum(a["diploma_level"] == "infra_bac" for a in attrs.values()), n)
    for cat in schemas.PUBLIC_CATEGORIES:
        counts[f"public_{cat.lower()}"] = (sum(cat in c for c in in_year.values()), n)
    for outcome in schemas.EXIT_OUTCOMES:
        counts[outcome] = (ended.count(outcome), len(ended))
    counts["sorties_dynamiques"] = (sum(ended.count(o) for o in schemas.DYNAMIC_EXITS), len(ended))
    counts["_people"] = (n, n)
    counts["_ended"] = (len(ended), len(ended))
    return counts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(_person, min_size=46, max_size=46), rows=st.lists(_row, max_size=80),
       min_cell_size=st.integers(1, 15))
def test_privacy_property_no_small_cell_is_published(people, rows, min_cell_size):
    part_rows = [{
        "contract_id": "c1" if r["buyer"] == b.BUYER_A else "c2", "buyer_siret": r["buyer"],
        "beneficiary_id": f"p{r['person']}", **people[r["person"]],
        "public_categories": r["public_categories"], "hours": r["hours"],
        "start_date": _DAY0 + dt.timedelta(days=r["start"]),
        "end_date": None if r["length"] is None else _DAY0 + dt.timedelta(days=r["start"] + r["length"]),
        "exit_outcome": r["exit_outcome"]} for r in rows]
    ds = b.dataset([{}, {"buyer_siret": b.BUYER_B}], participation_rows=part_rows)
    res = compute_results(ds, b.params(year=2024, min_cell_size=min_cell_size))
    ind, m = res.indicators, min_cell_size
    truth = _independent_counts(rows, people)
    act = ind["activity"]

    # a published count is right and reaches the size, or is an empty group (0)
    if act["beneficiaries"] is not None:
        assert act["beneficiaries"] == truth["_people"][0]
        assert truth["_people"][0] >= m or truth["_people"][0] == 0
    if act["exits"]["missions_ended"] is not None:
        assert act["exits"]["missions_ended"] == truth["_ended"][0]
        assert truth["_ended"][0] >= m or truth["_ended"][0] == 0
    blocks = [("profile", k) for k in PROFILE_KEYS] + [
        ("exits", k) for k in (*schemas.EXIT_OUTCOMES, "sorties_dynamiques")]
    for k, key in blocks:
        block = act[k]
        num, den = truth[key]
        if block[f"{key}_share"] is not None or block[f"{key}_n"] is not None:
            assert num >= m and den - num >= m, key
            assert block[f"{key}_n"] == num, key
            assert block[f"{key}_share"] == pytest.approx(num / den), key
        else:   # small (primary) or protecting another cell (secondary): listed either way
            assert {f"activity.{k}.{key}_n", f"activity.{k}.{key}_share"} <= set(ind["suppressed"])
    people_by_buyer = res.tables["activity_by_buyer"]["beneficiaries"].dropna()
    assert ((people_by_buyer >= m) | (people_by_buyer == 0)).all()
    for path in ind["suppressed"]:
        if path.startswith("tables."):
            continue
        node = ind
        for part in path.split("."):
            node = node[part]
        assert node is None, path
