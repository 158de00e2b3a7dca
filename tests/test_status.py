"""Contract status at the cut-off date (docs/design.md §3): one fixture per rule and boundary, values
by hand.

Unless said otherwise: year 2024, as_of 2024-12-31, min_delivery_ratio 0.8, contracts notified
2024-01-15. From 2024-01-15 to 2024-12-31 there are 351 days = 351 / 30.4375 = 11.53 months, so a
contract of 6 months is fully due (clamp(11.53 / 6, 0, 1) = 1) and expected = planned.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "indicators"))
import builders as b  # noqa: E402

from helpers.indicators import contract_status, due_fraction, realized_hours, scope_counts, select_scope  # noqa: E402
from helpers.indicators.status import annotate_contracts  # noqa: E402

CLAUSE = ["Clause sociale"]
CRITERION = ["Critère social"]
RESERVED = ["Marché réservé"]


def run(contract_rows, clause_rows=(), part_rows=(), supplier_rows=(), **params) -> pd.DataFrame:
    ds = b.dataset(list(contract_rows), list(clause_rows), list(part_rows), list(supplier_rows))
    return contract_status(ds.contracts, ds.clauses, ds.participations, ds.suppliers,
                           b.params(**params))


def one(contract: dict, planned: float | None = None, parts=(), suppliers=(), **params) -> pd.Series:
    clause_rows = [] if planned is None else [{"contract_id": "c1", "planned_hours": planned}]
    part_rows = [{"contract_id": "c1", **p} for p in parts]
    return run([contract], clause_rows, part_rows, suppliers, **params).iloc[0]


FULL = {"duration_months": 6.0, "social_considerations": CLAUSE}   # fully due at as_of
IN_2024 = {"start_date": "2024-03-01", "end_date": "2024-03-31"}  # a row entirely before as_of


# --- VERIFIED / SHORTFALL and the delivery-ratio boundary ----------------------------------------

def test_status_verified_when_delivery_exactly_at_ratio():
    # planned 1000, fully due -> expected 1000; realized 800 = 0.8 × 1000 -> VERIFIED (≥)
    row = one(FULL, 1000, [{"hours": 800.0, **IN_2024}])
    assert row["expected_hours"] == pytest.approx(1000.0)
    assert row["realized_hours"] == pytest.approx(800.0)
    assert row["status"] == "VERIFIED" and row["effective"] and row["assessable"]


def test_status_shortfall_just_below_ratio():
    # realized 799 < 0.8 × 1000 = 800 and > 0 -> SHORTFALL; delivery ratio 799 / 1000 = 0.799
    row = one(FULL, 1000, [{"hours": 799.0, **IN_2024}])
    assert row["status"] == "SHORTFALL" and not row["effective"]
    assert row["delivery_ratio"] == pytest.approx(0.799)


def test_status_verified_at_ratio_despite_binary_rounding():
    # ratio 0.7, planned 10: 0.7 × 10 is 7.000000000000001 in floating point; realized 7 is "exactly
    # at the ratio" and must be VERIFIED, not SHORTFALL
    row = one(FULL, 10, [{"hours": 7.0, **IN_2024}], min_delivery_ratio=0.7)
    assert row["status"] == "VERIFIED"


def test_status_expected_pro_rata_of_elapsed_duration():
    # notified 2024-01-01, 24 months, as_of 2024-12-31: 365 days = 365 / 30.4375 = 11.99179 months;
    # fraction 11.99179 / 24 = 0.4996578; expected = 1000 × 0.4996578 = 499.6578;
    # 0.8 × 499.6578 = 399.726: realized 400 -> VERIFIED, realized 399 -> SHORTFALL
    base = {"notification_date": "2024-01-01", "duration_months": 24.0,
            "social_considerations": CLAUSE}
    row = one(base, 1000, [{"hours": 400.0, **IN_2024}])
    assert row["months_elapsed"] == pytest.approx(365 / 30.4375)
    assert row["expected_hours"] == pytest.approx(499.6578, abs=1e-4)
    assert row["status"] == "VERIFIED"
    assert one(base, 1000, [{"hours": 399.0, **IN_2024}])["status"] == "SHORTFALL"


def test_status_missing_or_zero_duration_is_fully_due():
    # docs/assumptions.md A-DURATION: no duration -> all planned hours due once notified.
    # planned 1000, realized 700 < 800 -> SHORTFALL in both cases; expected = 1000
    for duration in (None, 0.0):
        row = one({"duration_months": duration, "social_considerations": CLAUSE}, 1000,
                  [{"hours": 700.0, **IN_2024}])
        assert row["expected_hours"] == pytest.approx(1000.0)
        assert row["status"] == "SHORTFALL"


def test_due_fraction_before_notification_is_zero():
    # as_of before notification: months < 0 -> clamp to 0, with or without a duration
    dates = pd.Series(pd.to_datetime(["2024-06-01", "2024-06-01"]))
    frac = due_fraction(dates, pd.Series([12.0, float("nan")]), pd.Timestamp("2024-05-01"))
    assert frac.tolist() == [0.0, 0.0]


# --- NOT_DUE and the one-month boundary ----------------------------------------------------------

def test_status_not_due_with_thirty_days_elapsed():
    # notified 2024-12-01, as_of 2024-12-31: 30 days = 30 / 30.4375 = 0.9856 month < 1 -> NOT_DUE
    row = one({"notification_date": "2024-12-01", "duration_months": 12.0,
               "social_considerations": CLAUSE}, 500)
    assert row["months_elapsed"] == pytest.approx(30 / 30.4375)
    assert row["status"] == "NOT_DUE" and not row["assessable"]


def test_status_due_when_one_month_elapsed():
    # one month = 30.4375 days, so the first due day is day 31: notified 2024-11-30 -> 31 days =
    # 1.0185 months ≥ 1 -> due; nothing delivered -> NO_EVIDENCE (assessable)
    row = one({"notification_date": "2024-11-30", "duration_months": 12.0,
               "social_considerations": CLAUSE}, 500)
    assert row["months_elapsed"] == pytest.approx(31 / 30.4375)
    assert row["status"] == "NO_EVIDENCE" and row["assessable"]


def test_status_exactly_one_month_boundary_with_as_of():
    # the same boundary moved by as_of: notified 2024-03-01, as_of 2024-03-31 (30 days) -> NOT_DUE;
    # as_of 2024-04-01 (31 days, ≥ 30.4375) -> due
    base = {"notification_date": "2024-03-01", "duration_months": 12.0,
            "social_considerations": CLAUSE}
    assert one(base, 500, as_of="2024-03-31")["status"] == "NOT_DUE"
    assert one(base, 500, as_of="2024-04-01")["status"] == "NO_EVIDENCE"


def test_status_not_due_comes_first_even_when_delivered():
    # notified 2024-12-15, 10 months, planned 1000: 16 days = 0.52567 month -> expected
    # 1000 × 0.52567 / 10 = 52.567; 0.8 × 52.567 = 42.05 ≤ realized 50 would be delivered, but rule 1
    # (less than one month elapsed) comes first: NOT_DUE, not assessable
    row = one({"notification_date": "2024-12-15", "duration_months": 10.0,
               "social_considerations": CLAUSE}, 1000,
              [{"hours": 50.0, "start_date": "2024-12-16", "end_date": "2024-12-20"}])
    assert row["expected_hours"] == pytest.approx(1000 * (16 / 30.4375) / 10)
    assert row["delivered"]
    assert row["status"] == "NOT_DUE" and not row["assessable"]


def test_status_not_due_applies_to_undeclared_contracts_too():
    # nothing declared, notified 2024-12-20 (11 days < 30.4375): NOT_DUE, not NOT_DECLARED
    row = one({"notification_date": "2024-12-20", "social_considerations": []})
    assert row["status"] == "NOT_DUE" and not row["assessable"]


def test_status_not_due_takes_precedence_over_shortfall():
    # same contract with realized 10 < 42.05: rule 2 (NOT_DUE) comes before SHORTFALL
    row = one({"notification_date": "2024-12-15", "duration_months": 10.0,
               "social_considerations": CLAUSE}, 1000,
              [{"hours": 10.0, "start_date": "2024-12-16", "end_date": "2024-12-20"}])
    assert row["status"] == "NOT_DUE"


# --- no clauses row, NO_EVIDENCE ----------------------------------------------------------------

def test_status_no_clauses_row_without_hours_is_no_evidence():
    # Clause sociale, no clauses row -> planned 0, expected 0; realized 0 -> NO_EVIDENCE
    row = one({"social_considerations": CLAUSE})
    assert row["planned_hours"] == 0 and row["expected_hours"] == 0
    assert row["status"] == "NO_EVIDENCE"


def test_status_no_clauses_row_with_hours_is_verified():
    # planned 0 -> expected 0; realized 35 > 0 and ≥ 0.8 × 0 -> VERIFIED; delivery ratio undefined
    row = one({"social_considerations": CLAUSE}, None, [{"hours": 35.0, **IN_2024}])
    assert row["status"] == "VERIFIED"
    assert pd.isna(row["delivery_ratio"])


# --- reserved contracts --------------------------------------------------------------------------

def test_status_reserved_holder_in_registry_with_eligible_kind_is_verified():
    row = one({"social_considerations": RESERVED, "holders": [b.HOLDER_EI]},
              suppliers=[(b.HOLDER_EI, "EI")])
    assert row["reserved_verified"] and row["status"] == "VERIFIED" and row["effective"]


def test_status_reserved_holder_absent_from_registry_is_no_evidence():
    row = one({"social_considerations": RESERVED, "holders": [b.HOLDER_OTHER]},
              suppliers=[(b.HOLDER_EI, "EI")])
    assert not row["reserved_verified"] and row["status"] == "NO_EVIDENCE"


def test_status_reserved_holder_of_kind_ess_is_not_eligible():
    # "ESS" counts for ESS spend only, it does not make a reserved contract real
    row = one({"social_considerations": RESERVED, "holders": [b.HOLDER_ESS]},
              suppliers=[(b.HOLDER_ESS, "ESS")])
    assert row["status"] == "NO_EVIDENCE"


def test_status_reserved_verified_with_one_eligible_holder_among_several():
    row = one({"social_considerations": RESERVED, "holders": [b.HOLDER_OTHER, b.HOLDER_EI]},
              suppliers=[(b.HOLDER_EI, "ESAT")])
    assert row["status"] == "VERIFIED"


# --- criterion only, undeclared ------------------------------------------------------------------

def test_status_criterion_only_is_unverifiable():
    # even with hours delivered: a criterion is an award criterion, not an execution obligation
    row = one({"social_considerations": CRITERION}, None, [{"hours": 100.0, **IN_2024}])
    assert row["status"] == "UNVERIFIABLE" and row["declared"] and not row["effective"]


def test_status_criterion_with_clause_follows_the_clause():
    row = one({"duration_months": 6.0, "social_considerations": CLAUSE + CRITERION}, 100,
              [{"hours": 100.0, **IN_2024}])
    assert row["status"] == "VERIFIED"


def test_status_undeclared_delivery():
    row = one({"social_considerations": []}, None, [{"hours": 12.0, **IN_2024}])
    assert row["status"] == "UNDECLARED_DELIVERY" and not row["declared"] and row["effective"]


def test_status_not_declared_including_explicit_none():
    rows = run([{"social_considerations": []},
                {"social_considerations": ["Pas de considération sociale"]}])
    assert rows["status"].tolist() == ["NOT_DECLARED", "NOT_DECLARED"]
    assert not rows["declared"].any()


# --- realized hours at as_of ---------------------------------------------------------------------

def test_status_hours_after_as_of_count_zero():
    # the only row starts 2025-01-05 > as_of 2024-12-31 -> realized 0 -> NO_EVIDENCE
    row = one(FULL, 100, [{"hours": 100.0, "start_date": "2025-01-05", "end_date": "2025-01-20"}])
    assert row["realized_hours"] == 0 and row["status"] == "NO_EVIDENCE"


def test_status_row_straddling_as_of_counts_pro_rata_of_days():
    # row 2024-12-22 .. 2025-01-10 = 10 + 10 = 20 days (both ends); up to as_of 2024-12-31: 22..31 =
    # 10 days -> 200 × 10 / 20 = 100 h; planned 100 fully due -> 100 ≥ 80 -> VERIFIED
    row = one(FULL, 100, [{"hours": 200.0, "start_date": "2024-12-22", "end_date": "2025-01-10"}])
    assert row["realized_hours"] == pytest.approx(100.0)
    assert row["status"] == "VERIFIED"


def test_status_row_straddling_as_of_shortfall():
    # same row, planned 200: 100 < 0.8 × 200 = 160 -> SHORTFALL (without pro rata it would be 200)
    row = one(FULL, 200, [{"hours": 200.0, "start_date": "2024-12-22", "end_date": "2025-01-10"}])
    assert row["status"] == "SHORTFALL"


def test_realized_row_without_end_date_counts_fully_and_rows_add_up():
    # uid1: ongoing row of 30 h started 2024-12-30 (counts fully) + 20 h in March = 50 h;
    # uid2: ongoing row starting 2025-01-02 -> 0
    parts = b.participations([
        {"contract_id": "c1", "hours": 30.0, "start_date": "2024-12-30", "end_date": None},
        {"contract_id": "c1", "hours": 20.0, **IN_2024},
        {"contract_id": "c2", "hours": 9.0, "start_date": "2025-01-02", "end_date": None},
    ])
    got = realized_hours(parts, pd.Timestamp("2024-12-31").date())
    assert got[b.BUYER_A + "c1"] == pytest.approx(50.0)
    assert got[b.BUYER_A + "c2"] == 0.0


def test_realized_row_ending_on_as_of_counts_fully():
    # row 2024-12-01 .. 2024-12-31, as_of 2024-12-31: both ends included -> 31/31 -> 62 h
    parts = b.participations([{"contract_id": "c1", "hours": 62.0, "start_date": "2024-12-01",
                               "end_date": "2024-12-31"}])
    assert realized_hours(parts, pd.Timestamp("2024-12-31").date()).iloc[0] == pytest.approx(62.0)


# --- empty input, scope --------------------------------------------------------------------------

def test_status_empty_tables_give_empty_result():
    out = run([])
    assert out.empty
    assert {"status", "effective", "assessable", "expected_hours", "realized_hours"} <= set(out)


def test_status_statuses_of_a_mixed_batch_are_independent_of_row_order():
    rows = [{"contract_id": "x1", "social_considerations": CRITERION},
            {"contract_id": "x2", "social_considerations": []},
            {"contract_id": "x3", **FULL}]
    parts = [{"contract_id": "x3", "hours": 90.0, **IN_2024}]
    fwd = run(rows, [{"contract_id": "x3", "planned_hours": 100.0}], parts)
    rev = run(rows[::-1], [{"contract_id": "x3", "planned_hours": 100.0}], parts)
    assert dict(zip(fwd["contract_id"], fwd["status"])) == dict(zip(rev["contract_id"],
                                                                    rev["status"]))
    assert dict(zip(fwd["contract_id"], fwd["status"])) == {
        "x1": "UNVERIFIABLE", "x2": "NOT_DECLARED", "x3": "VERIFIED"}


def test_scope_year_and_buyers_filters():
    b.require_reference()
    ds = b.dataset([{"notification_date": "2023-12-31"}, {"notification_date": "2024-01-01"},
                    {"buyer_siret": b.BUYER_B, "notification_date": "2024-06-01"}])
    ann = annotate_contracts(ds.contracts, ds.buyers)
    assert select_scope(ann, b.params(year=2024))["contract_id"].tolist() == ["c2", "c3"]
    only_a = b.params(year=2024, buyers=[b.BUYER_A])
    assert select_scope(ann, only_a)["contract_id"].tolist() == ["c2"]
    counts = scope_counts(ann, only_a)
    assert (counts["contracts_total"], counts["notified_in_year"],
            counts["notified_in_year_of_buyers"], counts["in_scope"]) == (3, 2, 1, 1)


# EU thresholds 2024-2025 (docs/design.md §3.1): supplies/services 143 000 (etat), 221 000
# (collectivite), 443 000 (entite_adjudicatrice); works 5 538 000 for all. CPV 30000000 = supplies,
# 45000000 = works.
@pytest.mark.parametrize("buyer_type, cpv, threshold", [
    ("etat", "30000000", 143_000.0),
    ("collectivite", "30000000", 221_000.0),
    ("entite_adjudicatrice", "30000000", 443_000.0),
    ("collectivite", "45000000", 5_538_000.0),
    ("etat", "72000000", 143_000.0),
])
def test_scope_threshold_boundary_per_buyer_type(buyer_type, cpv, threshold):
    b.require_reference()
    ds = b.dataset([{"amount": threshold, "cpv": cpv, "notification_date": "2024-05-02"},
                    {"amount": threshold - 0.01, "cpv": cpv, "notification_date": "2024-05-02"}],
                   buyer_rows=[(b.BUYER_A, "A", buyer_type)])
    ann = annotate_contracts(ds.contracts, ds.buyers)
    kept = select_scope(ann, b.params(year=2024, scope="above_eu_thresholds"))
    assert kept["contract_id"].tolist() == ["c1"]          # amount = threshold is in, a cent below out
    assert len(select_scope(ann, b.params(year=2024, scope="all"))) == 2


def test_scope_buyer_absent_from_buyers_table_is_collectivite():
    b.require_reference()
    # 150 000 € of supplies: above the etat threshold (143 000) but below the collectivite one
    # (221 000); the buyer is not in the buyers table -> collectivite -> out of scope
    ds = b.dataset([{"amount": 150_000.0, "cpv": "30000000"}])
    ann = annotate_contracts(ds.contracts, ds.buyers)
    assert ann["buyer_type"].tolist() == ["collectivite"]
    assert select_scope(ann, b.params(year=2024, scope="above_eu_thresholds")).empty


def test_status_with_a_non_unique_index():
    # a frame concatenated from two files may repeat index labels: statuses must not be mixed up
    ds = b.dataset([{"contract_id": "d1", **FULL}, {"contract_id": "d2", "social_considerations": []}],
                   [{"contract_id": "d1", "planned_hours": 100.0}],
                   [{"contract_id": "d1", "hours": 100.0, **IN_2024}])
    contracts = ds.contracts.set_axis([0, 0])
    out = contract_status(contracts, ds.clauses, ds.participations, ds.suppliers, b.params())
    assert out["status"].tolist() == ["VERIFIED", "NOT_DECLARED"]


def test_scope_unknown_cpv_is_compared_with_the_services_threshold():
    b.require_reference()
    # no CPV -> category "unknown", compared as supplies/services (collectivite 2024: 221 000 €):
    # 221 000 € in, 5 000 000 € in (a works contract would need 5 538 000 €), 220 999 € out
    ds = b.dataset([{"cpv": None, "amount": 221_000.0}, {"cpv": None, "amount": 5_000_000.0},
                    {"cpv": None, "amount": 220_999.0}])
    ann = annotate_contracts(ds.contracts, ds.buyers)
    params = b.params(year=2024, scope="above_eu_thresholds")
    assert select_scope(ann, params)["contract_id"].tolist() == ["c1", "c2"]
    counts = scope_counts(ann, params)
    assert (counts["in_scope_unknown_category"], counts["below_eu_threshold"]) == (2, 1)
