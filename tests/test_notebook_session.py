"""What the notebooks receive from the run: a bounded data summary, handed over through a
session file the kernels wait for. Hand-counted fixtures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "indicators"))
import builders as b  # noqa: E402

from helpers import notebook, session  # noqa: E402
from helpers.indicators import compute_results  # noqa: E402

A, B = b.BUYER_A, b.BUYER_B


def _dataset():
    # Buyer A: c1, c2, c3 notified 2024-01-15 (default), c4 notified 2023-06-01.
    #   clauses rows for c1 and c4; participation rows: two for c1, one for c2.
    # Buyer B: b1 notified 2024-01-15, nothing else.
    contracts = [{"contract_id": "c1"}, {"contract_id": "c2"}, {"contract_id": "c3"},
                 {"contract_id": "c4", "notification_date": "2023-06-01"},
                 {"buyer_siret": B, "contract_id": "b1"}]
    clauses = [{"contract_id": "c1", "planned_hours": 100.0},
               {"contract_id": "c4", "planned_hours": 50.0}]
    parts = [{"contract_id": "c1", "beneficiary_id": "p1"},
             {"contract_id": "c1", "beneficiary_id": "p2"},
             {"contract_id": "c2", "beneficiary_id": "p3"}]
    ds = b.dataset(contracts, clauses, parts,
                   buyer_rows=[(A, "Ville A", "collectivite"), (B, "Métropole B", "collectivite")])
    ds.rejected = {"contracts": pd.DataFrame({"row": [2, 3, 4], "reason": ["x", "y", "x"]}),
                   "clauses": pd.DataFrame({"row": [7], "reason": ["z"]}),
                   "suppliers": pd.DataFrame({"row": [], "reason": []})}
    return ds


def test_summary_counts_rows_and_rejected_reasons():
    ds = _dataset()
    params = b.params(year=2024)
    data = notebook.summarize(ds, params, compute_results(ds, params))
    # 5 contracts, 2 clause rows, 3 participation rows, no supplier, 2 buyers
    assert data.rows == {"contracts": 5, "clauses": 2, "participations": 3, "suppliers": 0,
                         "buyers": 2}
    # clauses: z once; contracts: x twice (first: most frequent), y once; empty suppliers left out
    assert data.rejected.to_dict("records") == [
        {"table": "clauses", "reason": "z", "rows": 1},
        {"table": "contracts", "reason": "x", "rows": 2},
        {"table": "contracts", "reason": "y", "rows": 1},
    ]
    assert data.quality is ds.quality
    summary = notebook.quality_summary(data, compute_results(ds, params)).set_index("item")
    assert summary.loc["contracts after de-duplication", "value"] == 5
    assert summary.loc["participation rows", "value"] == 3


def test_summary_coverage_of_the_year_by_hand():
    ds = _dataset()
    params = b.params(year=2024)
    data = notebook.summarize(ds, params, compute_results(ds, params))
    # 2024: A holds c1, c2, c3 (c4 is 2023): clause row for c1 only -> 1; participations for c1
    # and c2 -> 2; all three in scope "all". B: b1 only, no clause, no participation. The test
    # builder covers both buyers from 1900 (facilitator_from), so every contract in scope is covered.
    assert data.coverage.to_dict("records") == [
        {"buyer_siret": A, "buyer_name": "Ville A", "contracts": 3, "with_clause": 1,
         "with_participations": 2, "in_scope": 3, "in_scope_covered": 3},
        {"buyer_siret": B, "buyer_name": "Métropole B", "contracts": 1, "with_clause": 0,
         "with_participations": 0, "in_scope": 1, "in_scope_covered": 1},
    ]
    # restricted to buyer B, only B's row is left
    only_b = b.params(year=2024, buyers=[B])
    data_b = notebook.summarize(ds, only_b, compute_results(ds, only_b))
    assert data_b.coverage["buyer_siret"].tolist() == [B]


def test_summary_holds_no_per_contract_or_per_person_table():
    ds = _dataset()
    params = b.params(year=2024)
    data = notebook.summarize(ds, params, compute_results(ds, params))
    for table in ("contracts", "clauses", "participations"):
        assert not hasattr(data, table)
    # the coverage table has one row per buyer whatever the number of contracts
    assert len(data.coverage) == 2
    assert b"p1" not in session.encode(data)  # no beneficiary id reaches the kernels


def test_rejected_summary_empty_when_nothing_was_set_aside():
    ds = b.dataset([{"contract_id": "c1"}])
    params = b.params(year=2024)
    data = notebook.summarize(ds, params, compute_results(ds, params))
    assert data.rejected.empty
    assert list(notebook.rejected_summary(data).columns) == ["table", "reason", "rows"]


def test_read_session_reads_what_the_run_wrote(tmp_path):
    path = tmp_path / "session.zip"
    session.publish_session(path, session.encode({"parameters": {"year": 2024}}))
    assert session.read_session(path) == {"parameters": {"year": 2024}}
    assert not path.with_name("session.zip.part").exists()  # written aside, then renamed


def test_read_session_refuses_a_missing_file_and_a_file_that_is_not_a_session(tmp_path):
    with pytest.raises(session.SessionError, match="no session at .*never.zip"):
        session.read_session(tmp_path / "never.zip")
    not_a_dict = tmp_path / "list.zip"
    session.publish_session(not_a_dict, session.encode([1, 2]))
    with pytest.raises(session.SessionError, match="not a session"):
        session.read_session(not_a_dict)


HEAVY_MODULES = ("scipy.stats", "statsmodels", "seaborn", "pandera")


def test_a_kernel_reads_the_session_without_the_heavy_libraries(tmp_path):
    # Each of the four kernels of a run reads the session and imports the notebook helpers;
    # SciPy's statistics, statsmodels, seaborn and pandera would add about 1 s of CPU to each
    # (most of a warm rerun). They are imported where numbers are computed, not here.
    ds = _dataset()
    params = b.params(year=2024)
    results = compute_results(ds, params)
    path = tmp_path / "session.zip"
    session.publish_session(path, session.encode(
        {"parameters": {}, "data": notebook.summarize(ds, params, results), "results": results}))
    code = ("import sys\n"
            "from helpers import session\n"
            f"stored = session.read_session(__import__('pathlib').Path({str(path)!r}))\n"
            "from helpers import figures, notebook\n"
            "assert stored['results'].indicators['year'] == 2024\n"
            f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_session_round_trips_what_the_notebooks_read():
    # the run's payload, written and read back: every frame identical (dtypes, NaN, datetimes,
    # booleans, strings), the indicators and the quality log equal, the classes the same
    from pandas.testing import assert_frame_equal

    ds = _dataset()
    params = b.params(year=2024)
    results = compute_results(ds, params)
    data = notebook.summarize(ds, params, results)
    payload = {"parameters": {"year": 2024, "buyers": []}, "data": data, "results": results}
    back = session.decode(session.encode(payload))
    assert back["parameters"] == payload["parameters"]
    assert type(back["results"]) is type(results) and type(back["data"]) is type(data)
    assert back["results"].indicators == results.indicators
    assert back["data"].quality == data.quality and back["data"].rows == data.rows
    for name in ("buyers", "contracts"):
        assert_frame_equal(getattr(back["results"], name), getattr(results, name))
    assert back["results"].tables.keys() == results.tables.keys()
    for name, frame in results.tables.items():
        assert_frame_equal(back["results"].tables[name], frame)
    assert_frame_equal(back["data"].rejected, data.rejected)
    assert_frame_equal(back["data"].coverage, data.coverage)
