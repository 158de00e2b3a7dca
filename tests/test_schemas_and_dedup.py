"""The canonical-table checks (Arrow-backed) and the one-row-per-uid rule (docs/design.md §2.3), one
rule at a time on hand fixtures."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "indicators"))
import builders as b  # noqa: E402

from helpers import pandera_schemas as P
from helpers import schemas  # noqa: E402
from helpers.io import contracts  # noqa: E402
from helpers.io.contracts import deduplicate, gc_paused  # noqa: E402

A, B = b.BUYER_A, b.BUYER_B


def _contracts(rows):
    return b.contracts(rows)


# --- text columns -------------------------------------------------------------------------------

def test_valid_contracts_pass_and_every_text_rule_is_checked():
    good = _contracts([{"contract_id": "c1"}, {"contract_id": "c2", "cpv": None}])
    P.CONTRACTS_SCHEMA.validate(good)  # a missing CPV is allowed (nullable)
    cases = {
        "buyer_siret": "2133006350001",   # 13 digits
        "cpv": "4500000",                 # 7 digits
        "contract_id": "",                # empty
        "procedure": 12,                  # not a str
        "subject": b"bytes",              # bytes are not text
    }
    for column, bad in cases.items():
        frame = good.copy()
        frame[column] = frame[column].astype(object)
        frame.loc[1, column] = bad
        with pytest.raises(pandera.errors.SchemaError) as err:
            P.CONTRACTS_SCHEMA.validate(frame)
        assert column in str(err.value), column


def test_text_checks_accept_missing_values_only_where_nullable():
    frame = _contracts([{"contract_id": "c1"}])
    frame["procedure"] = pd.Series([np.nan], dtype=object)
    P.CONTRACTS_SCHEMA.validate(frame)  # procedure is nullable
    frame["buyer_siret"] = pd.Series([None], dtype=object)
    with pytest.raises(pandera.errors.SchemaError, match="buyer_siret"):
        P.CONTRACTS_SCHEMA.validate(frame)


def test_is_text_and_text_matches_by_value():
    values = pd.Series(["21330063500017", "2133006350001", None, 5, "x21330063500017"],
                       dtype=object)
    # one non-str value (5): the exact value-by-value path reports each value
    assert schemas.is_text(values).tolist() == [True, True, False, False, True]
    check = P.text_matches(schemas.SIRET_REGEX)
    # pandera leaves the missing value (row 2) out of the check: rows 0, 1, 3, 4 remain
    assert check(values).check_output.tolist() == [True, False, False, False]
    # all str: the Arrow path gives the same answers
    clean = values[[0, 1, 4]]
    assert schemas.is_text(clean).tolist() == [True, True, True]
    assert check(clean).check_output.tolist() == [True, False, False]


# --- list columns -------------------------------------------------------------------------------

def test_str_list_check_value_by_value():
    values = pd.Series([
        ["Clause sociale"],                          # ok
        [],                                          # ok: none given
        ["Clause sociale", "Critère social"],        # ok
        ("Clause sociale",),                         # a tuple, not a list
        ["Clause sociale", 3],                       # an element that is not a str
        ["Clause sociale", "Autre chose"],           # not an allowed value
        None,                                        # not a list
        [np.nan],                                    # NaN inside a list is not a str
    ], dtype=object)
    got = schemas._is_str_list(values, schemas.SOCIAL_CONSIDERATIONS).tolist()
    assert got == [True, True, True, False, False, False, False, False]
    # without allowed values, any str passes
    assert schemas._is_str_list(values).tolist() == [True, True, True, False, False, True, False,
                                                     False]


def test_str_list_and_text_checks_whole_column_answers():
    # every list valid: the whole-column answer (C type inference), no per-row work
    good = pd.Series([["Clause sociale"], [], ["Critère social", "Marché réservé"]], dtype=object)
    assert schemas._is_str_list(good, schemas.SOCIAL_CONSIDERATIONS).tolist() == [True] * 3
    # bytes are not text, though Arrow would convert them silently
    with_bytes = pd.Series([["Clause sociale"], [b"Clause sociale"]], dtype=object)
    assert schemas._is_str_list(with_bytes).tolist() == [True, False]
    assert schemas.is_text(pd.Series(["a", b"b", None], dtype=object)).tolist() == [True, False,
                                                                                    False]
    assert schemas.is_text(pd.Series(["a", None, np.nan], dtype=object)).tolist() == [True] * 3


# --- one row per uid ----------------------------------------------------------------------------

def test_dedup_latest_publication_wins_missing_loses_ties_go_to_the_later_row():
    rows = [
        # uid A+x: published 2024-03-01 (row 0) and 2024-05-01 (row 1) -> row 1 wins
        {"contract_id": "x", "publication_date": "2024-03-01", "amount": 1.0},
        {"contract_id": "x", "publication_date": "2024-05-01", "amount": 2.0},
        # uid A+y: a date (row 2) beats a missing date (row 3), whatever the order
        {"contract_id": "y", "publication_date": "2024-01-01", "amount": 3.0},
        {"contract_id": "y", "publication_date": None, "amount": 4.0},
        # uid A+z: same date twice -> the later row (5) wins
        {"contract_id": "z", "publication_date": "2024-02-02", "amount": 5.0},
        {"contract_id": "z", "publication_date": "2024-02-02", "amount": 6.0},
        # uid B+a: alone, no date -> kept
        {"buyer_siret": B, "contract_id": "a", "amount": 7.0},
    ]
    kept, dropped = deduplicate(_contracts(rows))
    assert dropped == 3  # 7 rows, 4 uids
    # sorted by uid: A (213...) before B (243...), then x < y < z
    assert kept["uid"].tolist() == [A + "x", A + "y", A + "z", B + "a"]
    assert kept["amount"].tolist() == [2.0, 3.0, 6.0, 7.0]
    assert kept.index.tolist() == [0, 1, 2, 3]


def test_dedup_of_nothing_and_of_unique_rows():
    kept, dropped = deduplicate(schemas.empty_contracts())
    assert (len(kept), dropped) == (0, 0)
    unique = _contracts([{"contract_id": "b"}, {"contract_id": "a"}])
    kept, dropped = deduplicate(unique)
    assert dropped == 0 and kept["contract_id"].tolist() == ["a", "b"]  # only re-ordered


def test_gc_paused_restores_the_collector_even_on_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_uid_order_check_after_deduplication():
    # sorted and unique: accepted (also the trivial 0- and 1-row cases)
    contracts.check_uid_order(pd.Series(["01234567890123A", "01234567890123B", "21330063500017A"]))
    contracts.check_uid_order(pd.Series([], dtype=object))
    contracts.check_uid_order(pd.Series(["x"]))
    # a repeated uid, and a uid out of order, are named
    with pytest.raises(pandera.errors.SchemaError, match="'01234567890123B'"):
        contracts.check_uid_order(pd.Series(["01234567890123A", "01234567890123B",
                                             "01234567890123B"]))
    with pytest.raises(pandera.errors.SchemaError, match="not unique or not sorted"):
        contracts.check_uid_order(pd.Series(["21330063500017A", "01234567890123A"]))


def test_missing_text_becomes_nan_in_one_conversion():
    def shown(values: pd.Series) -> list[object]:
        out = contracts._str_col(values)
        assert out.dtype == object
        return ["nan" if isinstance(v, float) and np.isnan(v) else v for v in out]

    assert shown(pd.Series(["a", None, "b"], dtype="string[pyarrow]")) == ["a", "nan", "b"]
    assert shown(pd.Series(["a", None, np.nan], dtype=object)) == ["a", "nan", "nan"]


def test_low_cardinality_text_shares_one_object_per_value():
    values = pd.Series(["45000000", None, "45000000", "79000000"], dtype="string[pyarrow]")
    out = contracts._shared_str_col(values)
    assert out.dtype == object
    assert out[0] == "45000000" and out[3] == "79000000" and np.isnan(out[1])
    assert out[0] is out[2]  # equal values: the same str object


def test_checked_rows_hold_no_view_of_the_raw_chunk():
    # A valid row's list columns must not be views of the raw frame's block: each streamed JSON chunk
    # would otherwise stay in memory until the end (+200 MB at 500 000 contracts).
    raw = pd.DataFrame({
        "row": [0, 1], "buyer_siret": ["21330063500017"] * 2, "contract_id": ["A", "B"],
        "notification_date": ["2024-01-15"] * 2, "publication_date": [None, None],
        "modification_publication_date": [None, None], "amount": [1000.0, 2000.0],
        "initial_amount": [None, None], "cpv": ["45000000-7", None], "procedure": [None, None],
        "duration_months": [12.0, None],
        "social_considerations": [["Clause sociale"], ["Pas de considération sociale"]],
        "holders": [["01234567890123"], []], "subject": ["Voirie", None], "buyer_name": [None, None],
    })
    valid, _ = contracts.normalise_contracts(raw, file="f.json", fmt="decp_json", source_columns={})
    for col in ("social_considerations", "holders"):
        assert valid[col].tolist() == raw[col].tolist()
        assert not np.shares_memory(valid[col].to_numpy(), raw[col].to_numpy()), col


def test_latest_per_group_by_hand():
    nat = np.datetime64("NaT", "ns")
    d1, d2 = np.datetime64("2024-01-01", "ns"), np.datetime64("2024-02-01", "ns")
    # group 1: positions 0 (d1), 2 (d2), 4 (d2) -> the later of the two d2 rows: 4
    # group 0: positions 1 (NaT), 3 (d1) -> the dated row: 3
    # group 2: position 5 (NaT) alone -> 5
    codes = np.array([1, 0, 1, 0, 1, 2])
    published = np.array([d1, nat, d2, d1, d2, nat])
    assert contracts.latest_per_group(codes, published).tolist() == [3, 4, 5]  # in code order
    assert contracts.latest_per_group(np.array([], dtype=int), np.array([], "datetime64[ns]")
                                      ).tolist() == []


def test_differing_records_counts_lots_published_under_one_uid():
    # uid U1: two records with different subjects (two lots) -> differs; U2: two identical copies
    # (a republication) -> does not differ; U3: once -> not examined. Count 1, example U1.
    from helpers.io.contracts import differing_records

    rows = pd.DataFrame({
        "uid": ["U1", "U1", "U2", "U2", "U3"],
        "subject": ["Lot 1 voirie", "Lot 2 espaces verts", "Nettoyage", "Nettoyage", "X"],
        "amount": [100_000.0, 250_000.0, 50_000.0, 50_000.0, 1.0],
        "holders": [["11111111111111"], ["22222222222222"], ["3"], ["3"], []],
    })
    n, example = differing_records(rows)
    assert n == 1
    assert example == {"uid": "U1", "records": 2,
                       "subjects": ["Lot 1 voirie", "Lot 2 espaces verts"],
                       "amounts": [100_000.0, 250_000.0]}
    assert differing_records(rows.iloc[2:]) == (0, None)
