"""Small-cell suppression and secondary suppression: boundaries and each partition by hand, and a
property-based test (the adversarial property test is tests/adversarial/test_privacy_property.py)."""

from __future__ import annotations

import dataclasses
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
from helpers.indicators import apply_privacy, compute_results, count_rule, share_rule, suppress_table  # noqa: E402
from helpers.indicators.activity import PROFILE_KEYS  # noqa: E402
from helpers.indicators.privacy import CellRule, Partition, determined, partition, suppressed_keys  # noqa: E402
from helpers.params import Params  # noqa: E402

#: A cell size below 11 needs ``allow_small_cells`` when Params has that switch.
_SMALL = ({"allow_small_cells": True}
          if "allow_small_cells" in {f.name for f in dataclasses.fields(Params)} else {})


def _params(**values):
    if values.get("min_cell_size", 11) < 11:
        values = {**_SMALL, **values}
    return b.params(**values)


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
    res = compute_results(ds, _params(year=2024, min_cell_size=min_cell_size))
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


# --- secondary suppression: the engine on hand-made partitions -----------------------------------

def _exit_rules(counts: dict[str, int]) -> tuple[list, list[Partition]]:
    """Rules and the two partitions of the exits, as activity.py builds them."""
    pre = "activity.exits"
    ended = sum(v for k, v in counts.items())
    sd = counts["emploi_durable"] + counts["emploi_transition"] + counts["formation"]
    allc = {**counts, "sorties_dynamiques": sd}
    rules = [count_rule(f"{pre}.missions_ended", ended),
             *(share_rule(f"{pre}.{k}_share", f"{pre}.{k}_n", v, ended) for k, v in allc.items())]
    parts = [partition("x.outcomes", f"{pre}.missions_ended", ended,
                       {f"{pre}.{k}_n": allc[k] for k in
                        ("sorties_dynamiques", "autre", "inconnu", "en_cours")}, covers_total=True),
             partition("x.dynamic", f"{pre}.sorties_dynamiques_n", sd,
                       {f"{pre}.{k}_n": allc[k] for k in
                        ("emploi_durable", "emploi_transition", "formation")}, covers_total=True)]
    return rules, parts


def _suppressed_cells(keys: list[str]) -> set[str]:
    return {k.split(".")[-1].removesuffix("_n") for k in keys if k.endswith("_n")}


def test_exits_single_small_outcome_gets_a_partner():
    # ended 120 = durable 40 + transition 20 + formation 15 (sd 75) + autre 12 + inconnu 30 + en_cours 3
    # primary: en_cours 3 < 11 (every other count and complement ≥ 11). Alone in its partition it is
    # 120 − 75 − 12 − 30 = 3; the smallest published cell of that partition, autre 12, is suppressed
    # too: 120 − 75 − 30 = 15 = autre + en_cours, two unknowns, 15 ≥ 11
    rules, parts = _exit_rules({"emploi_durable": 40, "emploi_transition": 20, "formation": 15,
                                "autre": 12, "inconnu": 30, "en_cours": 3})
    keys = suppressed_keys(rules, parts, 11)
    assert _suppressed_cells(keys) == {"en_cours", "autre"}
    assert "activity.exits.autre_share" in keys and "activity.exits.en_cours_share" in keys


def test_exits_two_small_outcomes_whose_sum_is_small_get_a_third():
    # ended 113: sd 75 (40 + 20 + 15), autre 5, inconnu 30, en_cours 3. Primary: autre 5, en_cours 3;
    # their sum 113 − 75 − 30 = 8 < 11 is a small group -> the next smallest, inconnu 30, joins:
    # 113 − 75 = 38 = autre + inconnu + en_cours
    rules, parts = _exit_rules({"emploi_durable": 40, "emploi_transition": 20, "formation": 15,
                                "autre": 5, "inconnu": 30, "en_cours": 3})
    assert _suppressed_cells(suppressed_keys(rules, parts, 11)) == {"autre", "en_cours", "inconnu"}


def test_exits_small_outcome_inside_the_sorties_dynamiques():
    # formation 4 < 11 in sd = durable 40 + transition 20 + formation 4 = 64 (published): it would be
    # 64 − 40 − 20; transition 20, the smallest published of that sum, is suppressed too (24 ≥ 11).
    # The other partition (64, autre 20, inconnu 30, en_cours 12; ended 126) is all published.
    rules, parts = _exit_rules({"emploi_durable": 40, "emploi_transition": 20, "formation": 4,
                                "autre": 20, "inconnu": 30, "en_cours": 12})
    assert _suppressed_cells(suppressed_keys(rules, parts, 11)) == {"formation", "emploi_transition"}


def test_exits_suppressed_subtotal_is_not_the_sum_of_its_published_parts():
    # ended 100: durable 50 + transition 30 + formation 12 = sd 92, autre 3, inconnu 3, en_cours 2.
    # Primary: autre, inconnu, en_cours (< 11) and sd (complement 100 − 92 = 8 < 11). With its three
    # parts published, sd = 50 + 30 + 12 = 92 and then autre + inconnu + en_cours = 8 would be out:
    # formation 12, the smallest part, is suppressed; sd − formation = 80 leaves both unknown.
    rules, parts = _exit_rules({"emploi_durable": 50, "emploi_transition": 30, "formation": 12,
                                "autre": 3, "inconnu": 3, "en_cours": 2})
    assert _suppressed_cells(suppressed_keys(rules, parts, 11)) == {
        "sorties_dynamiques", "autre", "inconnu", "en_cours", "formation"}


def test_exits_missing_outcome_is_a_never_published_rest():
    # 40 + 20 + 15 + 12 + 30 + 14 = 131 missions with an outcome, 2 more without one: ended 133.
    # Every outcome is published (≥ 11, complements ≥ 11) but 133 − 131 = 2 missions would be a group
    # of 2 recovered by difference: autre 12, the smallest of the partition, is suppressed (12 + 2 = 14)
    pre = "activity.exits"
    counts = {"emploi_durable": 40, "emploi_transition": 20, "formation": 15, "autre": 12,
              "inconnu": 30, "en_cours": 14}
    rules = [count_rule(f"{pre}.missions_ended", 133),
             *(share_rule(f"{pre}.{k}_share", f"{pre}.{k}_n", v, 133) for k, v in counts.items()),
             share_rule(f"{pre}.sorties_dynamiques_share", f"{pre}.sorties_dynamiques_n", 75, 133)]
    parts = [partition("x.outcomes", f"{pre}.missions_ended", 133,
                       {f"{pre}.sorties_dynamiques_n": 75, f"{pre}.autre_n": 12,
                        f"{pre}.inconnu_n": 30, f"{pre}.en_cours_n": 14}, covers_total=True)]
    assert parts[0].rest == 2
    assert _suppressed_cells(suppressed_keys(rules, parts, 11)) == {"autre"}


def test_age_groups_rest_of_26_to_49_is_protected():
    # 30 people: 15 under 26, 12 aged 50+, 3 aged 26-49 (never published). Both shares pass
    # (15 and 15; 12 and 18) but 30 − 15 − 12 = 3 people would be recovered: the smallest published
    # cell, 50+ (12), is suppressed; 30 − 15 = 15 = 12 + 3, two unknowns
    rules = [count_rule("p.n", 30), share_rule("p.u26_share", "p.u26_n", 15, 30),
             share_rule("p.o50_share", "p.o50_n", 12, 30)]
    parts = [partition("p.age", "p.n", 30, {"p.u26_n": 15, "p.o50_n": 12}, covers_total=False)]
    assert parts[0].rest == 3
    assert suppressed_keys(rules, parts, 11) == ["p.o50_n", "p.o50_share"]


def test_women_partition_is_the_complement_rule():
    # 11 women of 21: women + rest = 21, rest 10. The share rule already suppresses women (complement
    # 10); then women and rest are two unknowns adding up to 21 ≥ 11: nothing more
    rules = [count_rule("p.n", 21), share_rule("p.w_share", "p.w_n", 11, 21)]
    parts = [partition("p.sex", "p.n", 21, {"p.w_n": 11}, covers_total=False)]
    assert suppressed_keys(rules, parts, 11) == ["p.w_n", "p.w_share"]


def test_linear_check_across_partitions():
    # Three sums, T1 = x + y + w1, T2 = y + z + w2, T3 = x + z + w3 (totals and w published);
    # x = 5 and z = 8 are small. Per sum: x alone in T1 -> the smallest published of T1, y (20),
    # joins (x + y = 25); T2: y, z unknown (28); T3: x, z unknown (13 ≥ 11). Every sum has two unknowns
    # but together x + y, y + z, x + z are known: x = ((x+y) − (y+z) + (x+z)) / 2. The exact check
    # then suppresses w1 (30), the smallest published of the first sum holding x: then y − x and
    # z + x are known, and w1 = T1 − 2x − (y − x): a family in x, nothing single
    rules = [count_rule(k, v) for k, v in
             {"x": 5, "y": 20, "z": 8, "w1": 30, "w2": 40, "w3": 50,
              "T1": 55, "T2": 68, "T3": 63}.items()]
    parts = [Partition("P1", "T1", ("x", "y", "w1"), (5, 20, 30)),
             Partition("P2", "T2", ("y", "z", "w2"), (20, 8, 40)),
             Partition("P3", "T3", ("x", "z", "w3"), (5, 8, 50))]
    assert suppressed_keys(rules, parts, 11) == ["w1", "x", "y", "z"]


def test_determined_by_hand():
    # x + y = a and y = b: x = a − b, y = b both determined; x + y + z = c alone: none
    assert determined(np.array([[1.0, 1.0], [0.0, 1.0]])).tolist() == [True, True]
    assert determined(np.array([[1.0, 1.0, 1.0]])).tolist() == [False, False, False]
    # x + y = a, x − y = b -> both; a column of zeros (an unknown in no sum) is never determined
    assert determined(np.array([[1.0, 1.0, 0.0], [1.0, -1.0, 0.0]])).tolist() == [True, True, False]


def test_suppressed_total_needs_an_unpublished_part():
    # T = a + b where T is governed by another, small count (5 < 11) and is suppressed; with a 20 and
    # b 30 both published T = 20 + 30 would be read back: the smaller, a, is suppressed too
    rules = [CellRule(("T",), (5,)), count_rule("a", 20), count_rule("b", 30)]
    parts = [Partition("P", "T", ("a", "b"), (20, 30))]
    assert suppressed_keys(rules, parts, 11) == ["T", "a"]


def test_empty_group_is_published_and_nothing_else_changes():
    # nobody: 0 beneficiaries and 0 hours are published (an empty group says nothing about anyone),
    # a share 0/0 is not (numerator 0 < 11); a partition of nobody needs no protection
    rules = [count_rule("n", 0, "hours"), share_rule("w_share", "w_n", 0, 0)]
    parts = [partition("sex", "n", 0, {"w_n": 0}, covers_total=False)]
    out, keys = apply_privacy({"n": 0, "hours": 0.0, "w_n": 0, "w_share": None}, rules, 11, parts)
    assert out == {"n": 0, "hours": 0.0, "w_n": None, "w_share": None}
    assert keys == ["w_n", "w_share"]


def test_min_cell_size_below_11():
    # size 3, 7 people: 3 women published (3 and 4 ≥ 3); ages: under 26 2 (< 3, suppressed), 50+ 3
    # (3 and 4: published), rest 7 − 2 − 3 = 2; unpublished: under 26 and rest, 2 + 2 = 4 ≥ 3 -> done
    rules = [count_rule("n", 7), share_rule("w_share", "w_n", 3, 7),
             share_rule("u_share", "u_n", 2, 7), share_rule("o_share", "o_n", 3, 7)]
    parts = [partition("sex", "n", 7, {"w_n": 3}, covers_total=False),
             partition("age", "n", 7, {"u_n": 2, "o_n": 3}, covers_total=False)]
    assert suppressed_keys(rules, parts, 3) == ["u_n", "u_share"]
    # size 4: 50+ too (3 < 4) and women (3 < 4): the unpublished ages 2 + 3 + 2 = 7 ≥ 4
    assert suppressed_keys(rules, parts, 4) == ["o_n", "o_share", "u_n", "u_share", "w_n", "w_share"]
    # default size 11: the 7 people themselves too
    assert "n" in suppressed_keys(rules, parts, 11)


def test_min_cell_size_below_11_in_results():
    # 4 women and 4 men, size 4 (allowed with allow_small_cells when the parameter exists): the 8
    # people and the women (4 and 4) are published; at 11 neither is
    rows = _people(4, 4)
    res = compute_results(b.dataset([{}], participation_rows=rows), _params(year=2024, min_cell_size=4))
    act = res.indicators["activity"]
    assert act["beneficiaries"] == 8 and act["profile"]["women_n"] == 4
    assert act["hours"] == pytest.approx(800.0)
    res = compute_results(b.dataset([{}], participation_rows=rows), _params(year=2024))
    assert res.indicators["activity"]["beneficiaries"] is None


def test_suppress_table_with_total_adds_the_next_smallest_row():
    # X 10, Y 11, Z 40 people, 61 in all (published): X alone would be 61 − 11 − 40 = 10; Y (11), the
    # smallest shown, is suppressed too: 61 − 40 = 21 = X + Y. Hours follow the rows' people.
    t = pd.DataFrame({"beneficiaries": [10.0, 11.0, 40.0], "hours": [50.0, 66.0, 400.0]},
                     index=pd.Index(["X", "Y", "Z"], name="buyer_siret"))
    out, keys = suppress_table(t, "beneficiaries", ["beneficiaries", "hours"], 11, "t", total=61)
    assert out["beneficiaries"].isna().tolist() == [True, True, False]
    assert out["hours"].isna().tolist() == [True, True, False]
    assert keys == ["t.X.beneficiaries", "t.X.hours", "t.Y.beneficiaries", "t.Y.hours"]


# --- secondary suppression in compute_results ------------------------------------------------------

def test_results_per_buyer_rows_people_and_hours():
    # A 30 people, B 5, C 20, D none (contracts only); 100 h each (Feb 2024, all in the year).
    # B (5 < 11) is suppressed with its hours, ETP, hours per person, clause hours and ratio; alone it
    # would be 55 − 30 − 20 − 0 = 5 people and 5 500 − 3 000 − 2 000 = 500 h: C (20), the smallest
    # non-empty shown, joins (B + C = 25 people, 2 500 h). D's empty row (0 people, 0 h) stays.
    rows = ([{"contract_id": "c1", "buyer_siret": b.BUYER_A, "beneficiary_id": f"a{i}"}
             for i in range(30)]
            + [{"contract_id": "c2", "buyer_siret": b.BUYER_B, "beneficiary_id": f"b{i}"}
               for i in range(5)]
            + [{"contract_id": "c3", "buyer_siret": b.BUYER_C, "beneficiary_id": f"c{i}"}
               for i in range(20)])
    buyer_d = "21750001600019"
    ds = b.dataset([{}, {"buyer_siret": b.BUYER_B}, {"buyer_siret": b.BUYER_C},
                    {"buyer_siret": buyer_d}], participation_rows=rows)
    res = compute_results(ds, b.params(year=2024))
    act, sup = res.indicators["activity"], set(res.indicators["suppressed"])
    assert act["beneficiaries"] == 55 and act["hours"] == pytest.approx(5500.0)
    t = res.tables["activity_by_buyer"].set_index("buyer_siret")
    cols = ["beneficiaries", "hours", "hours_clause_contracts", "achievement_ratio", "etp",
            "hours_per_beneficiary"]
    for buyer in (b.BUYER_B, b.BUYER_C):
        assert t.loc[buyer, cols].isna().all(), buyer
        assert {f"tables.activity_by_buyer.{buyer}.{c}" for c in cols} <= sup
    assert t.loc[b.BUYER_A, "beneficiaries"] == 30 and t.loc[b.BUYER_A, "hours"] == pytest.approx(3000)
    assert t.loc[buyer_d, "beneficiaries"] == 0 and t.loc[buyer_d, "hours"] == 0
    assert not any(k.startswith(f"tables.activity_by_buyer.{buyer_d}") for k in sup)
    assert not any(k.startswith(f"tables.activity_by_buyer.{b.BUYER_A}") for k in sup)


def test_results_age_rest_protected():
    # 30 people in 2024: 15 born 2000 (24), 12 born 1970 (54), 3 born 1990 (34, never published).
    # 50+ (12) is suppressed so that 30 − 15 − 12 = 3 cannot be read (see the engine test above)
    rows = ([{"contract_id": "c1", "beneficiary_id": f"y{i}", "birth_year": 2000} for i in range(15)]
            + [{"contract_id": "c1", "beneficiary_id": f"o{i}", "birth_year": 1970} for i in range(12)]
            + [{"contract_id": "c1", "beneficiary_id": f"m{i}", "birth_year": 1990} for i in range(3)])
    res = compute_results(b.dataset([{}], participation_rows=rows), b.params(year=2024))
    prof = res.indicators["activity"]["profile"]
    assert prof["under_26_n"] == 15 and prof["age_50_plus_n"] is None
    assert {"activity.profile.age_50_plus_n", "activity.profile.age_50_plus_share"} <= set(
        res.indicators["suppressed"])


def test_results_exits_en_cours_not_recoverable():
    # 40 missions ended in 2024: emploi_durable 12, formation 12, inconnu 13, en_cours 3. Primary:
    # en_cours 3, transition 0, autre 0 (zero numerators); sd = 24 published, its parts durable 12,
    # formation 12 and transition 0 -> transition alone in sd would be 24 − 12 − 12 = 0: the smallest
    # non-empty part, durable 12, joins. Outcomes: 40 − 24 − 13 = 3 = autre + en_cours, and that sum
    # 3 < 11 is a small group: inconnu 13 joins (40 − 24 = 16)
    outcomes = ["emploi_durable"] * 12 + ["formation"] * 12 + ["inconnu"] * 13 + ["en_cours"] * 3
    rows = [{"contract_id": "c1", "beneficiary_id": f"p{i}", "exit_outcome": o}
            for i, o in enumerate(outcomes)]
    res = compute_results(b.dataset([{}], participation_rows=rows), b.params(year=2024))
    ex = res.indicators["activity"]["exits"]
    assert ex["missions_ended"] == 40 and ex["sorties_dynamiques_n"] == 24
    assert ex["formation_n"] == 12
    for k in ("emploi_durable", "emploi_transition", "autre", "inconnu", "en_cours"):
        assert ex[f"{k}_n"] is None and ex[f"{k}_share"] is None, k
