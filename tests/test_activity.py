"""Activity-year indicators (docs/design.md §3.8) on small hand-made tables. ``min_cell_size=0``
where the raw values are checked (privacy is tested in test_privacy.py). Year 2024, as_of 2024-12-31."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "indicators"))
import builders as b  # noqa: E402

from helpers.indicators import activity_indicators, gini  # noqa: E402
from helpers.indicators.privacy import Partition  # noqa: E402
from helpers.params import Params  # noqa: E402

#: Raw values: no suppression (a size below 11 needs allow_small_cells when Params has it).
RAW = {"year": 2024, "min_cell_size": 0,
       **({"allow_small_cells": True}
          if "allow_small_cells" in {f.name for f in dataclasses.fields(Params)} else {})}


def test_activity_hours_pro_rata_of_days_across_year_boundaries():
    # A: 2023-12-22..2024-01-10 = 10 + 10 = 20 days, 200 h -> 10 days in 2024 -> 100 h
    # B: 2024-12-22, no end -> spread to as_of 2024-12-31, all in 2024 -> 50 h
    # C: 2023-12-22, no end -> 2023-12-22..2024-12-31 = 10 + 366 = 376 days, 376 h -> 366 h in 2024
    # D: 2025-01-02..2025-01-31 -> 0 h, not in the year
    # E: 2024-12-30..2025-01-02 = 4 days, 40 h -> 2 days in 2024 -> 20 h
    # total = 100 + 50 + 366 + 20 = 536 h; people in the year p1, p2, p3 (E is p1 again) -> 3
    # hours per person 536 / 3 = 178.6667; ETP 536 / 1607 = 0.3335408
    ds = b.dataset([{}], participation_rows=[
        {"contract_id": "c1", "beneficiary_id": "p1", "hours": 200.0, "start_date": "2023-12-22",
         "end_date": "2024-01-10"},
        {"contract_id": "c1", "beneficiary_id": "p2", "hours": 50.0, "start_date": "2024-12-22",
         "end_date": None},
        {"contract_id": "c1", "beneficiary_id": "p3", "hours": 376.0, "start_date": "2023-12-22",
         "end_date": None},
        {"contract_id": "c1", "beneficiary_id": "p4", "hours": 100.0, "start_date": "2025-01-02",
         "end_date": "2025-01-31"},
        {"contract_id": "c1", "beneficiary_id": "p1", "hours": 40.0, "start_date": "2024-12-30",
         "end_date": "2025-01-02"},
    ])
    act = activity_indicators(ds, b.params(**RAW)).values["activity"]
    assert act["hours"] == pytest.approx(536.0)
    assert act["beneficiaries"] == 3
    assert act["hours_per_beneficiary"] == pytest.approx(536 / 3)
    assert act["etp"] == pytest.approx(536 / 1607)


def test_activity_etp_convention_parameter():
    # 1 820 h convention: 1820 h -> 1 ETP
    ds = b.dataset([{}], participation_rows=[{"contract_id": "c1", "hours": 1820.0}])
    act = activity_indicators(ds, b.params(etp_hours=1820.0, **RAW)).values["activity"]
    assert act["etp"] == pytest.approx(1.0)


def _clause_dataset():
    # k1 works, notified 2023-07-01, 12 months, planned 1200, 120 000 €:
    #   due at 2023-12-31: 183 days = 6.012320 months -> 0.5010267; at 2024-12-31 -> 1
    #   -> due in 2024: 1 − 0.5010267 = 0.4989733 -> 598.768 h, 59 876.8 €
    # k2 services, notified 2024-03-01, no duration, planned 300, 30 000 € -> all due in 2024
    # k3 services, notified 2024-07-01, 24 months, planned 2400, 240 000 €:
    #   183 days = 6.012320 months / 24 = 0.2505133 -> 601.232 h, 60 123.2 €
    # expected 2024 = 598.768 + 300 + 601.232 = 1500 h; amount in 2024 = 150 000 €
    # planned hours of clause contracts notified in 2024 = 300 + 2400 = 2700
    # hours 2024: k1 600, k3 300, k4 (no clause, works) 100 -> 1000; on clause contracts 900
    contracts = [
        {"contract_id": "k1", "notification_date": "2023-07-01", "duration_months": 12.0,
         "amount": 120_000.0, "cpv": "45000000"},
        {"contract_id": "k2", "notification_date": "2024-03-01", "duration_months": None,
         "amount": 30_000.0, "cpv": "72000000"},
        {"contract_id": "k3", "notification_date": "2024-07-01", "duration_months": 24.0,
         "amount": 240_000.0, "cpv": "72000000"},
        {"contract_id": "k4", "notification_date": "2024-02-01", "cpv": "45000000"},
    ]
    clauses = [{"contract_id": "k1", "planned_hours": 1200.0},
               {"contract_id": "k2", "planned_hours": 300.0},
               {"contract_id": "k3", "planned_hours": 2400.0}]
    parts = [{"contract_id": "k1", "hours": 600.0, "beneficiary_id": "a"},
             {"contract_id": "k3", "hours": 300.0, "beneficiary_id": "b"},
             {"contract_id": "k4", "hours": 100.0, "beneficiary_id": "c"}]
    return b.dataset(contracts, clauses, parts)


def test_activity_planned_expected_achievement_and_hours_per_1000_eur():
    act = activity_indicators(_clause_dataset(), b.params(**RAW)).values["activity"]
    assert act["expected_hours"] == pytest.approx(1500.0)
    assert act["planned_hours"] == pytest.approx(2700.0)
    assert act["hours"] == pytest.approx(1000.0)
    assert act["hours_clause_contracts"] == pytest.approx(900.0)
    assert act["achievement_ratio"] == pytest.approx(900 / 1500)        # 0.6
    assert act["clause_contracts_amount_in_year"] == pytest.approx(150_000.0)
    assert act["hours_per_1000_eur"] == pytest.approx(900 / 150)        # 6 h per 1 000 €


def test_activity_concentration_top5_gini_works_share():
    # hours by contract: k1 600, k3 300, k4 100 (total 1000)
    # top-5 share: 3 contracts -> 1.0
    # Gini: sorted 100, 300, 600; Σ i·x = 100 + 600 + 1800 = 2500; 2·2500 / (3·1000) − 4/3 = 1/3
    # works: k1 + k4 = 700 -> 0.7
    conc = activity_indicators(_clause_dataset(), b.params(**RAW)).values["activity"][
        "concentration"]
    assert conc["contracts_with_hours"] == 3
    assert conc["top5_share"] == pytest.approx(1.0)
    assert conc["gini"] == pytest.approx(1 / 3)
    assert conc["works_share"] == pytest.approx(0.7)


def test_activity_top5_share_with_six_contracts():
    # 60, 50, 40, 30, 20, 10 -> top 5 = 200 of 210 = 0.952381
    rows = [{"contract_id": f"c{i}", "hours": h} for i, h in enumerate([60, 50, 40, 30, 20, 10], 1)]
    ds = b.dataset([{} for _ in range(6)], participation_rows=rows)
    conc = activity_indicators(ds, b.params(**RAW)).values["activity"]["concentration"]
    assert conc["top5_share"] == pytest.approx(200 / 210)


def test_gini_hand_examples():
    # equal values -> 0; [0, 0, 0, 10]: Σ i·x = 40, 2·40/(4·10) − 5/4 = 0.75;
    # [1, 2, 3]: Σ|xi − xj| over ordered pairs = 2·(1 + 2 + 1) = 8, 2·n²·mean = 2·9·2 = 36 -> 0.2222
    assert gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)
    assert gini([3, 1, 2]) == pytest.approx(8 / 36)
    assert gini([]) is None and gini([0, 0]) is None


def _people_dataset():
    # people in 2024 (year − birth year): p1 F 2000 (24, under 26) infra_bac {DELD, QPV};
    # p2 M 1974 (50, 50+) bac {RSA}; p3 F 1975 (49) inconnu, two rows {} and {RQTH};
    # p4 M birth unknown infra_bac {DELD}, row ends 2025 (in the year, not ended in it);
    # p5 ended 2023-12-31 -> not a 2024 person, not a 2024 exit
    parts = [
        {"beneficiary_id": "p1", "sex": "F", "birth_year": 2000, "diploma_level": "infra_bac",
         "public_categories": ["DELD", "QPV"], "end_date": "2024-05-31",
         "exit_outcome": "emploi_durable"},
        {"beneficiary_id": "p2", "sex": "M", "birth_year": 1974, "public_categories": ["RSA"],
         "end_date": "2024-11-30", "exit_outcome": "formation"},
        {"beneficiary_id": "p3", "sex": "F", "birth_year": 1975, "diploma_level": "inconnu",
         "end_date": "2024-06-30", "exit_outcome": "autre"},
        {"beneficiary_id": "p3", "sex": "F", "birth_year": 1975, "diploma_level": "inconnu",
         "public_categories": ["RQTH"], "start_date": "2024-07-01", "end_date": None,
         "exit_outcome": "en_cours"},
        {"beneficiary_id": "p4", "sex": "M", "birth_year": None, "diploma_level": "infra_bac",
         "public_categories": ["DELD"], "end_date": "2025-02-01", "exit_outcome": "en_cours"},
        {"beneficiary_id": "p5", "start_date": "2023-10-01", "end_date": "2023-12-31",
         "exit_outcome": "emploi_durable"},
    ]
    return b.dataset([{}], participation_rows=[{"contract_id": "c1", **p} for p in parts])


def test_activity_profile_shares():
    # 4 people: women 2/4; under 26 1/4; 50+ 1/4; no diploma (infra_bac) 2/4;
    # DELD 2/4, QPV 1/4, RSA 1/4, RQTH 1/4 (p3's second row), the others 0
    prof = activity_indicators(_people_dataset(), b.params(**RAW)).values["activity"]["profile"]
    expected = {"women": 2, "under_26": 1, "age_50_plus": 1, "no_diploma": 2, "public_deld": 2,
                "public_qpv": 1, "public_rsa": 1, "public_rqth": 1, "public_jeune_moins_26": 0,
                "public_senior_50": 0, "public_siae": 0, "public_autre": 0}
    for key, n in expected.items():
        assert prof[f"{key}_n"] == n, key
        assert prof[f"{key}_share"] == pytest.approx(n / 4), key


def test_activity_exit_shares_among_missions_ended_in_year():
    # missions ended in 2024: p1 (emploi_durable), p2 (formation), p3 first row (autre) -> 3
    # sorties dynamiques = durable + transition + formation = 2 -> 2/3
    ex = activity_indicators(_people_dataset(), b.params(**RAW)).values["activity"]["exits"]
    assert ex["missions_ended"] == 3
    assert ex["emploi_durable_n"] == 1 and ex["formation_n"] == 1 and ex["autre_n"] == 1
    assert ex["emploi_transition_n"] == 0 and ex["inconnu_n"] == 0 and ex["en_cours_n"] == 0
    assert ex["sorties_dynamiques_n"] == 2
    assert ex["sorties_dynamiques_share"] == pytest.approx(2 / 3)
    assert ex["autre_share"] == pytest.approx(1 / 3)


def test_activity_reserved_and_ess_spend():
    # 2024 contracts: r1 reserved, EI holder, 50 000 € -> verified; r2 reserved, ESS holder,
    # 20 000 € -> not verified; r3 ESS holder, 30 000 €; r4 other holder, 100 000 €;
    # r5 (2023, reserved, EI) is not a 2024 contract.
    # reserved: n 2, amount 70 000, verified 1 / 50 000, share 0.5
    # ESS spend: r1 + r2 + r3 = 100 000 of 200 000 -> 0.5; structures EI + ESS = 2;
    # insertion (eligible kinds): r1, 50 000 €, 1 structure
    ds = b.dataset([
        {"contract_id": "r1", "social_considerations": ["Marché réservé"], "amount": 50_000.0,
         "holders": [b.HOLDER_EI]},
        {"contract_id": "r2", "social_considerations": ["Marché réservé"], "amount": 20_000.0,
         "holders": [b.HOLDER_ESS]},
        {"contract_id": "r3", "amount": 30_000.0, "holders": [b.HOLDER_ESS]},
        {"contract_id": "r4", "amount": 100_000.0, "holders": [b.HOLDER_OTHER]},
        {"contract_id": "r5", "notification_date": "2023-05-01",
         "social_considerations": ["Marché réservé"], "holders": [b.HOLDER_EI]},
    ], supplier_rows=[(b.HOLDER_EI, "EI"), (b.HOLDER_ESS, "ESS")])
    vals = activity_indicators(ds, b.params(**RAW)).values
    assert vals["reserved"] == {"n": 2, "amount": 70_000.0, "verified_n": 1,
                                "verified_amount": 50_000.0, "verified_share": 0.5,
                                "unverified_n": 1}
    ess = vals["ess"]
    assert (ess["contracts_n"], ess["amount"], ess["share_of_amount"]) == (3, 100_000.0, 0.5)
    assert ess["structures"] == 2
    assert (ess["insertion_amount"], ess["insertion_structures"]) == (50_000.0, 1)
    assert (ess["year_contracts_n"], ess["year_contracts_amount"]) == (4, 200_000.0)


def test_activity_restricted_to_selected_buyers():
    # buyer B's 70 h and its contract are left out when only buyer A is selected
    ds = b.dataset([{}, {"buyer_siret": b.BUYER_B}], participation_rows=[
        {"contract_id": "c1", "hours": 30.0},
        {"contract_id": "c2", "buyer_siret": b.BUYER_B, "hours": 70.0, "beneficiary_id": "x"}])
    act = activity_indicators(ds, b.params(buyers=[b.BUYER_A], **RAW))
    assert act.values["activity"]["hours"] == pytest.approx(30.0)
    assert act.values["ess"]["year_contracts_n"] == 1
    both = activity_indicators(ds, b.params(**RAW))
    assert both.values["activity"]["hours"] == pytest.approx(100.0)
    assert both.by_buyer.loc[b.BUYER_B, "hours"] == pytest.approx(70.0)


def test_activity_empty_tables():
    act = activity_indicators(b.dataset(), b.params(year=2024)).values
    assert act["activity"]["hours"] == 0.0 and act["activity"]["beneficiaries"] == 0
    assert act["activity"]["achievement_ratio"] is None
    assert act["activity"]["concentration"]["gini"] is None
    assert act["reserved"]["n"] == 0 and act["ess"]["share_of_amount"] is None


def test_activity_partitions_and_people_rules():
    # the people of _people_dataset: 4 in 2024 (p1-p4), 3 missions ended (durable, formation, autre)
    act = activity_indicators(_people_dataset(), b.params(**RAW))
    parts: dict[str, Partition] = {p.name: p for p in act.partitions}
    # age: under 26 p1, 50+ p2, rest 4 − 1 − 1 = 2 (p3 aged 49, p4 unknown), never published
    age = parts["activity.profile.age"]
    assert age.total == "activity.beneficiaries"
    assert age.cells == ("activity.profile.under_26_n", "activity.profile.age_50_plus_n")
    assert (age.sizes, age.rest) == ((1, 1), 2)
    # women p1, p3 -> rest 2; no diploma p1, p4 -> rest 2; RQTH p3 -> rest 3
    assert (parts["activity.profile.sex"].sizes, parts["activity.profile.sex"].rest) == ((2,), 2)
    assert parts["activity.profile.diploma"].rest == 2
    assert parts["activity.profile.public_rqth"].rest == 3
    # exits: sd 2 (durable 1 + formation 1), autre 1, inconnu 0, en_cours 0 = 3 ended, no rest
    out = parts["activity.exits.outcomes"]
    assert out.total == "activity.exits.missions_ended"
    assert (out.sizes, out.rest) == ((2, 1, 0, 0), None)
    dyn = parts["activity.exits.dynamic"]
    assert dyn.total == "activity.exits.sorties_dynamiques_n"
    assert (dyn.sizes, dyn.rest) == ((1, 0, 1), None)
    # per buyer: one buyer with the 4 people, in the three sums (people, hours, clause hours)
    for column in ("beneficiaries", "hours", "hours_clause_contracts"):
        p = parts[f"tables.activity_by_buyer.{column}"]
        assert p.total == f"activity.{column}"
        assert p.cells == (f"tables.activity_by_buyer.{b.BUYER_A}.{column}",) and p.sizes == (4,)
    # the whole year's hours, ETP and the ratios revealing hours go with the people count
    people_rule = next(r for r in act.rules if r.paths[0] == "activity.beneficiaries")
    assert people_rule.counts == (4,)
    assert {"activity.hours", "activity.etp", "activity.hours_per_beneficiary",
            "activity.hours_clause_contracts", "activity.achievement_ratio",
            "activity.hours_per_1000_eur"} <= set(people_rule.paths)
    row_rule = next(r for r in act.rules
                    if r.paths[0] == f"tables.activity_by_buyer.{b.BUYER_A}.beneficiaries")
    assert {p.rsplit(".", 1)[1] for p in row_rule.paths} == {
        "beneficiaries", "hours", "hours_clause_contracts", "achievement_ratio", "etp",
        "hours_per_beneficiary"}
