"""Published results (docs/design.md §4): keys, tables, verdicts on a hand fixture, deterministic
files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "indicators"))
import builders as b  # noqa: E402

from helpers.indicators import BUYER_COLUMNS, STATUSES, TABLE_KEYS, compute_results, write_results  # noqa: E402
from helpers.indicators.results import round_float  # noqa: E402

CLAUSE = ["Clause sociale"]
TOP_KEYS = {"year", "parameters", "verdict", "significant", "declared", "effective",
            "assessable_contracts", "gap", "status_counts", "activity", "reserved", "ess",
            "data_quality", "suppressed"}
IN_2024 = {"start_date": "2024-03-01", "end_date": "2024-03-31"}


def _three_buyers():
    # scope "all", year 2024, every contract notified 2024-01-15 for 6 months (fully due)
    # Buyer A: 3 Clause sociale without hours (NO_EVIDENCE) + 2 undeclared, nothing delivered
    #   -> |A| = |C| = 5, declared 3/5 = 0.6, effective 0; binomial p P(X ≤ 0 | 5, 0.3) = 0.7^5
    #   = 0.16807
    # Buyer B: binomial p P(X ≤ 2 | 6, 0.3) = 0.7^6 + 6·0.3·0.7^5 + 15·0.09·0.7^4
    #   = 0.117649 + 0.302526 + 0.324135 = 0.74431
    # q-values over A and B (C is not judged): A rank 1 -> 0.16807·2/1 = 0.33614; B rank 2 ->
    #   0.74431 -> A: declared ≥ 0.3, q ≥ 0.05 -> possible_social_washing
    # Buyer B: 2 Clause sociale, 100 planned, 100 delivered (VERIFIED) + 4 NOT_DECLARED
    #   -> declared 2/6, effective 2/6 = 0.3333 ≥ 0.3 -> compliant
    # Buyer C: 1 NOT_DECLARED -> |A| 1 < 5 -> insufficient_data
    # Whole scope: |A| 12, declared 5, effective 2 -> 0.1667 < 0.3 ≤ 0.4167, not significant (below)
    #   -> possible_social_washing;
    #   b = 3 (A's clauses), c = 0 -> gap 3/12 = 25 points, McNemar 2 · 0.5³ = 0.25;
    #   significance P(X ≤ 2 | 12, 0.3) = 0.7^12 + 12·0.3·0.7^11 + 66·0.09·0.7^10
    #   = 0.0138413 + 0.0711838 + 0.1677903 = 0.2528153 -> not significant
    A, B, C = b.BUYER_A, b.BUYER_B, b.BUYER_C
    contracts = ([{"buyer_siret": A, "contract_id": f"a{i}", "social_considerations": CLAUSE,
                   "duration_months": 6.0} for i in range(3)]
                 + [{"buyer_siret": A, "contract_id": f"a{i}"} for i in range(3, 5)]
                 + [{"buyer_siret": B, "contract_id": f"b{i}", "social_considerations": CLAUSE,
                     "duration_months": 6.0} for i in range(2)]
                 + [{"buyer_siret": B, "contract_id": f"b{i}"} for i in range(2, 6)]
                 + [{"buyer_siret": C, "contract_id": "c0"}])
    clauses = [{"buyer_siret": B, "contract_id": f"b{i}", "planned_hours": 100.0} for i in range(2)]
    parts = [{"buyer_siret": B, "contract_id": f"b{i}", "hours": 100.0, "beneficiary_id": f"x{i}",
              **IN_2024} for i in range(2)]
    return b.dataset(contracts, clauses, parts,
                     buyer_rows=[(A, "Ville A", "collectivite"), (B, "Métropole B", "collectivite")])


def test_results_verdicts_by_hand():
    res = compute_results(_three_buyers(), b.params(year=2024))
    ind = res.indicators
    assert ind["verdict"] == "possible_social_washing" and ind["significant"] is False
    assert ind["binomial_p"] == pytest.approx(0.2528153, abs=1e-7)
    assert ind["assessable_contracts"] == 12 and ind["covered_contracts"] == 12
    assert (ind["declared"]["n"], ind["effective"]["n"]) == (5, 2)
    assert ind["declared"]["share"] == pytest.approx(5 / 12)
    assert ind["effective"]["share"] == pytest.approx(2 / 12)
    assert ind["gap"]["points"] == pytest.approx(25.0)
    assert ind["gap"]["mcnemar_p"] == pytest.approx(0.25)
    assert (ind["gap"]["declared_not_effective"], ind["gap"]["effective_not_declared"]) == (3, 0)
    assert ind["gap"]["ci95"][0] < 25.0 < ind["gap"]["ci95"][1]
    assert ind["status_counts"] == {"VERIFIED": 2, "NOT_DUE": 0, "NOT_COVERED": 0, "SHORTFALL": 0,
                                   "NO_EVIDENCE": 3, "UNVERIFIABLE": 0, "UNDECLARED_DELIVERY": 0,
                                   "NOT_DECLARED": 7}
    # unsubstantiated: b / (a + b) = 3 / 5 over the covered set
    assert ind["unsubstantiated"]["n"] == 3
    assert ind["unsubstantiated"]["share"] == pytest.approx(3 / 5)
    assert ind["declared"]["by_consideration"]["clause_sociale"]["n"] == 5

    buyers = res.buyers.set_index("buyer_siret")
    assert buyers.loc[b.BUYER_A, "verdict"] == "possible_social_washing"
    assert buyers.loc[b.BUYER_A, "binomial_p"] == pytest.approx(0.16807)
    assert buyers.loc[b.BUYER_A, "q_value"] == pytest.approx(0.33614)
    assert buyers.loc[b.BUYER_B, "q_value"] == pytest.approx(0.74431, abs=1e-5)
    assert pd.isna(buyers.loc[b.BUYER_C, "q_value"]) and pd.isna(buyers.loc[b.BUYER_C, "binomial_p"])
    assert buyers.loc[b.BUYER_A, "declared_share"] == pytest.approx(0.6)
    assert buyers.loc[b.BUYER_A, "gap_points"] == pytest.approx(60.0)
    assert not buyers.loc[b.BUYER_A, "significant"]
    assert buyers.loc[b.BUYER_B, "verdict"] == "compliant"
    assert buyers.loc[b.BUYER_B, "effective_share"] == pytest.approx(2 / 6)
    assert buyers.loc[b.BUYER_C, "verdict"] == "insufficient_data"
    assert buyers.loc[b.BUYER_A, "buyer_name"] == "Ville A"
    assert pd.isna(buyers.loc[b.BUYER_C, "buyer_name"])


def test_results_shape_and_keys():
    res = compute_results(_three_buyers(), b.params(year=2024))
    assert TOP_KEYS <= set(res.indicators)
    assert set(res.indicators["declared"]) >= {"n", "share", "ci95", "share_by_amount",
                                               "by_consideration"}
    assert set(res.indicators["effective"]) >= {"n", "share", "ci95", "share_by_amount"}
    assert set(res.indicators["gap"]) >= {"points", "ci95", "mcnemar_p", "declared_not_effective",
                                          "effective_not_declared"}
    assert set(res.indicators["status_counts"]) == set(STATUSES)
    assert {"hours", "beneficiaries", "etp"} <= set(res.indicators["activity"])
    assert res.indicators["parameters"]["as_of"] == "2024-12-31"
    assert list(res.buyers.columns) == BUYER_COLUMNS
    assert set(res.tables) == set(TABLE_KEYS)
    assert len(res.contracts) == 12 and res.contracts["uid"].is_unique
    personal = {"beneficiary_id", "sex", "birth_year", "diploma_level", "public_categories"}
    assert not personal & set(res.contracts.columns)
    status_by_buyer = res.tables["status_by_buyer"].set_index("buyer_siret")
    assert status_by_buyer.loc[b.BUYER_B, "VERIFIED"] == 2
    assert status_by_buyer.loc[b.BUYER_B, "total"] == 6
    json.dumps(res.indicators, allow_nan=False)     # JSON-serialisable, no NaN


def test_results_listed_buyer_without_contract_gets_a_row():
    res = compute_results(_three_buyers(), b.params(year=2024, buyers=[b.BUYER_B, "99999999999999"]))
    assert res.buyers["buyer_siret"].tolist() == [b.BUYER_B, "99999999999999"]
    row = res.buyers.set_index("buyer_siret").loc["99999999999999"]
    assert row["assessable_contracts"] == 0 and row["verdict"] == "insufficient_data"
    # whole scope = buyer B only: 6 contracts, effective 2/6 -> compliant
    assert res.indicators["verdict"] == "compliant"


def test_results_empty_dataset_gives_zeros_nulls_and_insufficient_data(tmp_path):
    res = compute_results(b.dataset(), b.params(year=2024))
    ind = res.indicators
    assert ind["verdict"] == "insufficient_data" and ind["significant"] is False
    assert ind["assessable_contracts"] == 0
    assert ind["declared"]["share"] is None and ind["declared"]["ci95"] is None
    assert ind["gap"]["points"] is None and ind["gap"]["mcnemar_p"] is None
    assert set(ind["status_counts"].values()) == {0}
    assert ind["activity"]["hours"] == 0.0
    assert res.buyers.empty and list(res.buyers.columns) == BUYER_COLUMNS
    assert res.contracts.empty
    paths = write_results(res, tmp_path)
    assert [p.name for p in paths] == ["indicators.json", "buyers.csv", "contracts.csv"]
    assert json.loads(paths[0].read_text(encoding="utf-8"))["verdict"] == "insufficient_data"


def test_results_scope_above_thresholds_counts_in_data_quality():
    # collectivite supplies 2024 threshold 221 000 €: 221 000 in, 220 000 out; 2023 contract out
    ds = b.dataset([{"amount": 221_000.0, "cpv": "30000000"},
                    {"amount": 220_000.0, "cpv": "30000000"},
                    {"amount": 900_000.0, "cpv": "30000000", "notification_date": "2023-03-01"}])
    res = compute_results(ds, b.params(year=2024, scope="above_eu_thresholds"))
    scope = res.indicators["data_quality"]["scope"]
    assert (scope["contracts_total"], scope["notified_in_year"], scope["below_eu_threshold"],
            scope["in_scope"]) == (3, 2, 1, 1)
    assert res.contracts["contract_id"].tolist() == ["c1"]


def test_round_float():
    # ≥ 1: 6 decimals; < 1: 6 significant digits
    assert round_float(12_345_678.123456789) == 12_345_678.123457
    assert round_float(0.000123456789) == 0.000123457
    assert round_float(0.3333333333) == 0.333333
    assert round_float(0.0) == 0.0


def test_write_results_is_deterministic_and_well_formed(tmp_path):
    res = compute_results(_three_buyers(), b.params(year=2024))
    first = write_results(res, tmp_path / "one")
    second = write_results(compute_results(_three_buyers(), b.params(year=2024)), tmp_path / "two")
    for p, q in zip(first, second):
        assert p.read_bytes() == q.read_bytes()
        assert b"\r" not in p.read_bytes()
    text = first[0].read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert "NaN" not in text
    assert data["declared"]["share"] == 0.416667               # 5/12 rounded to 6 significant
    buyers = first[1].read_text(encoding="utf-8").splitlines()
    assert buyers[0] == ",".join(BUYER_COLUMNS)
    # sorted by SIRET: C (110...), A (213...), B (243...)
    assert [line[:14] for line in buyers[1:]] == [b.BUYER_C, b.BUYER_A, b.BUYER_B]
    # C: 1 assessable and covered, nothing declared: declared 0 (does not meet the target), no
    # declared contract -> unsubstantiated share empty; gap 0; McNemar 1 (no discordant pair);
    # not judged (1 < 5) -> p and q empty
    assert buyers[1] == f"{b.BUYER_C},,1,1,0,0,False,0,0,0,,0,1,,,insufficient_data,False"
    # A: 5 assessable and covered, 3 declared (0.6, meets on paper), 0 effective, unsubstantiated
    # 3/3 = 1, gap 60 points, McNemar 2·0.5³ = 0.25, p 0.7^5 = 0.16807, q 0.33614
    assert buyers[2] == (f"{b.BUYER_A},Ville A,5,5,3,0.6,True,0.6,0,0,1,60,0.25,0.16807,0.33614,"
                         "possible_social_washing,False")
    contracts = pd.read_csv(first[2], dtype=str)
    assert contracts["notification_date"].iloc[0] == "2024-01-15"
    assert contracts["buyer_siret"].str.len().eq(14).all()


# Planted behaviours of the demo buyers (helpers.demo.BUYERS, documented in data/demo/README.md):
# honest buyers deliver what they declare, the clear washer declares clauses it does not deliver,
# the borderline one delivers a little under the target, "undeclared" delivers without declaring,
# "small" has too few contracts above the thresholds, the State platform declares and delivers
# little, "opendata" has DECP records only, "midyear" has facilitator data from 1 July 2024.
DEMO_VERDICTS_2024 = {"metropole": "compliant", "departement": "compliant",
                      "washer": "social_washing", "borderline": "possible_social_washing",
                      "undeclared": "compliant", "small": "insufficient_data",
                      "etat": "below_target", "opendata": "not_measured", "midyear": "compliant"}


@pytest.fixture(scope="module")
def demo_dataset(demo_dir):
    from helpers.loader import load_data_dir

    return load_data_dir(demo_dir)


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025])
def test_results_demo_buyers_get_their_planted_verdicts(demo_dataset, year):
    from helpers.demo import BUYERS

    res = compute_results(demo_dataset, b.params(year=year, scope="above_eu_thresholds"))
    got = res.buyers.set_index("buyer_siret")
    verdicts = {spec.key: got.loc[spec.siret, "verdict"] for spec in BUYERS}
    if year == 2024:
        assert verdicts == DEMO_VERDICTS_2024
    for key in ("metropole", "departement", "undeclared"):
        assert verdicts[key] == "compliant", (key, year)
    assert verdicts["washer"] == "social_washing" and verdicts["opendata"] == "not_measured"
    washer = next(spec.siret for spec in BUYERS if spec.key == "washer")
    assert got.loc[washer, "significant"]


def test_buyer_name_comes_from_the_contract_files_when_buyers_csv_does_not_give_it():
    # A is named in the buyers table ("Ville A") and, differently, in the contract files: the table
    # wins. B has no name in the table: the most frequent name of its contracts ("Métropole B", 2
    # against 1), so buyers.csv and contracts.csv both read "Métropole B".
    A, B = b.BUYER_A, b.BUYER_B
    rows = ([{"buyer_siret": A, "contract_id": "a1", "buyer_name": "Commune A (DECP)"}]
            + [{"buyer_siret": B, "contract_id": f"b{i}", "buyer_name": "Métropole B"}
               for i in range(2)]
            + [{"buyer_siret": B, "contract_id": "b9", "buyer_name": "Metropole B"}])
    ds = b.dataset(rows, buyer_rows=[(A, "Ville A", "collectivite"), (B, None, "collectivite")])
    res = compute_results(ds, b.params(year=2024))
    names = res.buyers.set_index("buyer_siret")["buyer_name"]
    assert (names[A], names[B]) == ("Ville A", "Métropole B")
    assert set(res.contracts.loc[res.contracts["buyer_siret"].eq(B), "buyer_name"]) == {"Métropole B"}
