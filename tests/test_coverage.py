"""Facilitator coverage and the symmetric delivery rule (docs/design.md §3), values by hand.

Unless said otherwise: year 2024, as_of 2024-12-31, min_delivery_ratio 0.8, contracts notified
2024-01-15 for 6 months, so fully due at as_of (351 days = 11.53 months ≥ 6) and expected = planned.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "indicators"))
import builders as b  # noqa: E402

from helpers.indicators import compute_results, contract_status, facilitator_coverage  # noqa: E402

CLAUSE = ["Clause sociale"]
RESERVED = ["Marché réservé"]
IN_2024 = {"start_date": "2024-03-01", "end_date": "2024-03-31"}
A, B_, C = b.BUYER_A, b.BUYER_B, b.BUYER_C


def statuses(ds, **params) -> pd.DataFrame:
    cov = facilitator_coverage(ds.buyers, ds.clauses, ds.participations,
                               ds.quality["facilitator_data"])
    return contract_status(ds.contracts, ds.clauses, ds.participations, ds.suppliers,
                           b.params(**params), cov).set_index("contract_id")


# --- coverage by buyer and date --------------------------------------------------------------------

def test_buyer_with_any_facilitator_row_is_covered_whatever_contract_or_year():
    # A has one participation row on a 2021 contract absent from the contracts: A is covered;
    # B has no row and no facilitator_from: B is not covered -> its contract is NOT_COVERED
    ds = b.dataset([{"buyer_siret": A, "contract_id": "a1"}, {"buyer_siret": B_, "contract_id": "b1"}],
                   participation_rows=[{"buyer_siret": A, "contract_id": "old2021",
                                        "start_date": "2021-03-01", "end_date": "2021-03-02"}],
                   buyer_rows=[(A, "A", "collectivite"), (B_, "B", "collectivite")],
                   covered_buyers=[])
    st = statuses(ds)
    assert st.loc["a1", "covered"] and st.loc["a1", "status"] == "NOT_DECLARED"
    assert not st.loc["b1", "covered"] and st.loc["b1", "status"] == "NOT_COVERED"
    assert st.loc["b1", "assessable"] and not st.loc["b1", "in_covered_set"]


def test_facilitator_from_covers_contracts_notified_on_or_after_the_date():
    # A's facilitator data is complete from 2024-07-01: a contract of 2024-06-30 is NOT_COVERED,
    # one of 2024-07-01 (the same day counts) is judged (a clause without hours -> NO_EVIDENCE)
    ds = b.dataset([{"contract_id": "before", "notification_date": "2024-06-30",
                     "social_considerations": CLAUSE},
                    {"contract_id": "from", "notification_date": "2024-07-01",
                     "social_considerations": CLAUSE}],
                   buyer_rows=[(A, "A", "collectivite", "2024-07-01")], covered_buyers=[])
    st = statuses(ds)
    assert st.loc["before", "status"] == "NOT_COVERED"
    assert st.loc["from", "status"] == "NO_EVIDENCE"


def test_facilitator_from_also_limits_a_buyer_that_has_rows():
    # rows make A covered, but facilitator_from 2024-05-01 still excludes a contract of 2024-01-15,
    # even though that contract has delivered hours: coverage never depends on the contract itself
    ds = b.dataset([{"contract_id": "c1", "social_considerations": CLAUSE}],
                   clause_rows=[{"contract_id": "c1", "planned_hours": 100.0}],
                   participation_rows=[{"contract_id": "c1", "hours": 100.0, **IN_2024}],
                   buyer_rows=[(A, "A", "collectivite", "2024-05-01")], covered_buyers=[])
    assert statuses(ds).loc["c1", "status"] == "NOT_COVERED"


def test_no_facilitator_files_means_nobody_is_covered_whatever_buyers_csv_says():
    ds = b.dataset([{"contract_id": "c1", "social_considerations": CLAUSE}],
                   buyer_rows=[(A, "A", "collectivite", "2020-01-01")], facilitator_data=False)
    cov = facilitator_coverage(ds.buyers, ds.clauses, ds.participations, False)
    assert cov.empty
    assert statuses(ds).loc["c1", "status"] == "NOT_COVERED"


def test_not_due_comes_before_not_covered():
    # notified 2024-12-20: 11 days < one month -> NOT_DUE even though the buyer is not covered
    ds = b.dataset([{"contract_id": "c1", "notification_date": "2024-12-20"}],
                   facilitator_data=False)
    assert statuses(ds).loc["c1", "status"] == "NOT_DUE"


# --- the same standard of proof for declared and undeclared contracts ------------------------------

@pytest.mark.parametrize("hours, declared_status, undeclared_status", [
    # planned 1000, fully due -> expected 1000; 0.8 × 1000 = 800
    (800.0, "VERIFIED", "UNDECLARED_DELIVERY"),   # 800 ≥ 800: delivered, declared or not
    (500.0, "SHORTFALL", "NOT_DECLARED"),         # 500 < 800: not delivered, declared or not
    (0.0, "NO_EVIDENCE", "NOT_DECLARED"),
])
def test_delivery_standard_is_symmetric(hours, declared_status, undeclared_status):
    parts = [{"contract_id": c, "hours": hours, **IN_2024} for c in ("dec", "und")] if hours else []
    ds = b.dataset([{"contract_id": "dec", "social_considerations": CLAUSE, "duration_months": 6.0},
                    {"contract_id": "und", "social_considerations": [], "duration_months": 6.0}],
                   [{"contract_id": "dec", "planned_hours": 1000.0},
                    {"contract_id": "und", "planned_hours": 1000.0}], parts)
    st = statuses(ds)
    assert st.loc["dec", "status"] == declared_status
    assert st.loc["und", "status"] == undeclared_status


def test_undeclared_without_clauses_row_any_hour_is_delivered():
    # no clauses row -> no expected hours to compare with: realized 1 h > 0 is delivered
    ds = b.dataset([{"contract_id": "c1"}], [], [{"contract_id": "c1", "hours": 1.0, **IN_2024}])
    assert statuses(ds).loc["c1", "status"] == "UNDECLARED_DELIVERY"


def test_several_clauses_rows_of_a_contract_are_summed():
    # 600 + 400 = 1000 planned -> 0.8 × 1000 = 800: 799 h is a SHORTFALL, 800 h is VERIFIED
    for hours, status in ((799.0, "SHORTFALL"), (800.0, "VERIFIED")):
        ds = b.dataset([{"contract_id": "c1", "social_considerations": CLAUSE,
                         "duration_months": 6.0}],
                       [{"contract_id": "c1", "planned_hours": 600.0},
                        {"contract_id": "c1", "planned_hours": 400.0}],
                       [{"contract_id": "c1", "hours": hours, **IN_2024}])
        st = statuses(ds)
        assert st.loc["c1", "planned_hours"] == 1000.0 and st.loc["c1", "status"] == status


def test_missing_duration_is_fully_due():
    # notified 2024-06-01 without duration, planned 1000 -> expected 1000 at as_of (not pro rata)
    ds = b.dataset([{"contract_id": "c1", "notification_date": "2024-06-01",
                     "duration_months": None, "social_considerations": CLAUSE}],
                   [{"contract_id": "c1", "planned_hours": 1000.0}])
    assert statuses(ds).loc["c1", "expected_hours"] == pytest.approx(1000.0)


# --- whole results ---------------------------------------------------------------------------------

def test_contracts_only_data_reports_the_declared_side_and_judges_nothing():
    # A: 6 contracts, 3 declaring a clause; no facilitator files at all.
    # |A| = 6, |C| = 0 -> not_measured; declared 3/6 = 0.5 meets the 30 % target on paper;
    # effective share, binomial p, unsubstantiated share: null (empty denominator)
    rows = ([{"contract_id": f"d{i}", "social_considerations": CLAUSE} for i in range(3)]
            + [{"contract_id": f"n{i}"} for i in range(3)])
    ds = b.dataset(rows, facilitator_data=False)
    res = compute_results(ds, b.params(year=2024))
    ind = res.indicators
    assert ind["verdict"] == "not_measured" and ind["significant"] is False
    assert (ind["assessable_contracts"], ind["covered_contracts"]) == (6, 0)
    assert ind["declared"]["share"] == pytest.approx(0.5) and ind["declared"]["meets_target"] is True
    assert ind["effective"]["share"] is None and ind["binomial_p"] is None
    assert ind["unsubstantiated"]["share"] is None and ind["gap"]["mcnemar_p"] is None
    assert ind["status_counts"]["NOT_COVERED"] == 6
    row = res.buyers.iloc[0]
    assert row["verdict"] == "not_measured" and not row["significant"]
    assert pd.isna(row["q_value"]) and pd.isna(row["binomial_p"])
    assert res.contracts["covered"].eq(False).all()


def test_reserved_contract_of_an_uncovered_buyer_is_still_verified_in_the_reserved_block():
    # a reserved contract whose holder is an EI: NOT_COVERED status, but the reserved-contract
    # indicators (which need no facilitator data) count it as verified
    ds = b.dataset([{"contract_id": "r1", "social_considerations": RESERVED,
                     "holders": [b.HOLDER_EI]}],
                   supplier_rows=[(b.HOLDER_EI, "EI")], facilitator_data=False)
    res = compute_results(ds, b.params(year=2024))
    assert res.contracts.loc[0, "status"] == "NOT_COVERED"
    assert res.contracts.loc[0, "reserved_verified"]
    assert res.indicators["reserved"]["n"] == 1 and res.indicators["reserved"]["verified_n"] == 1
