"""Benchmark (helpers.bench_data: generator fidelity and buyer sizes; helpers.bench: the measuring
wrapper, the summary, the report outputs) and a ~20 000-contract smoke of the whole command
(marked ``slow``: it runs in ``make test``, not in ``make test-fast``; about 40 s on the 2-core
machine)."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

from helpers import bench, bench_data, config


def test_generated_json_follows_the_official_schema(real_dir: Path, tmp_path: Path) -> None:
    counts = bench_data.write_year(2000, tmp_path / "y")
    # 2000 / 10 = 200 buyers, each with at least one contract; 2000 / 100 = 20 structures; a record
    # per contract plus the republished ones (2 % drawn: well inside 20..80 for 2000 contracts).
    assert counts["buyers"] == counts["buyers_with_contracts"] == 200 and counts["suppliers"] == 20
    assert counts["contracts_per_buyer"]["mean"] == 10.0  # 2000 / 200
    assert 2000 + 20 <= counts["json_records"] <= 2000 + 80
    schema = json.loads((real_dir / "decp-official-schema-139bercy" / "schema_decp_v2.0.3.json")
                        .read_text(encoding="utf-8"))
    doc = json.loads((tmp_path / "y" / "data" / "contracts" / "decp-2024.json").read_text("utf-8"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(doc))
    assert errors == [], [e.message for e in errors[:5]]
    records = doc["marches"]["marche"]
    assert len(records) == counts["json_records"]
    assert any("modifications" in r for r in records)  # 5 % modified


def test_json_and_parquet_encode_the_same_contracts(tmp_path: Path) -> None:
    pytest.importorskip("helpers.io.decp_tabular", reason="tabular reader (helper A1) not landed")
    from helpers.io.contracts import read_contracts

    bench_data.write_year(3000, tmp_path / "y")
    from_json, rej_j = read_contracts([tmp_path / "y" / "data" / "contracts" / "decp-2024.json"])
    from_pq, rej_p = read_contracts([tmp_path / "y" / "decp-tabular-2024.parquet"])
    assert len(rej_j) == 0 and len(rej_p) == 0
    assert len(from_json) == len(from_pq) == 3000  # republished duplicates and old versions dropped
    cols = ["uid", "buyer_siret", "notification_date", "amount", "cpv", "duration_months",
            "social_considerations", "holders"]
    a = from_json[cols].sort_values("uid").reset_index(drop=True)
    b = from_pq[cols].sort_values("uid").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    # The synthetic truth: amounts after modification, considerations as drawn.
    y = bench_data.synthesize(3000)
    truth = y.contracts.set_index("uid").loc[a["uid"]]
    np.testing.assert_allclose(a["amount"].to_numpy(), truth["amount"].to_numpy())
    assert a["social_considerations"].tolist() == truth["social_considerations"].tolist()


def test_number_of_buyers() -> None:
    # n / 10 rounded, at least 5, at most n (each buyer has a contract)
    assert bench_data.n_buyers_for(500_000) == 50_000
    assert bench_data.n_buyers_for(100_000) == 10_000
    assert bench_data.n_buyers_for(2_004) == 200   # 200.4 -> 200
    assert bench_data.n_buyers_for(2_006) == 201   # 200.6 -> 201
    assert bench_data.n_buyers_for(20) == 5        # 2 -> the floor of 5
    assert bench_data.n_buyers_for(3) == 3         # 5 buyers for 3 contracts: capped at 3


def test_buyer_sizes_one_each_then_skewed() -> None:
    rng = np.random.default_rng(7)
    sizes = bench_data.buyer_sizes(rng, 500_000, 50_000)
    assert sizes.sum() == 500_000 and sizes.min() >= 1 and sizes.size == 50_000
    # sigma = 0: equal weights, so the 450 000 extra contracts fall evenly: a buyer's extra count is
    # Binomial(450 000, 1/50 000) ~ Poisson(9); P(Poisson(9) >= 31) < 1e-8, so over 50 000 buyers
    # none reaches 1 + 31 = 32, whereas the log-normal weights below give hundreds.
    flat = bench_data.buyer_sizes(np.random.default_rng(7), 500_000, 50_000, sigma=0.0)
    assert flat.max() < 32 and flat.sum() == 500_000
    # Log-normal(0, 1.6) weights: the median weight is exp(-1.6^2/2) = 0.28 of the mean, so the median
    # buyer gets about 1 + 9 * 0.28 = 3.5 contracts; the largest of 50 000 weights (4.1 sigmas above
    # the median) is about exp(1.6 * 4.1) / exp(1.28) = 200 times the mean: about 1 800 contracts.
    assert 2 <= np.median(sizes) <= 5
    assert sizes.max() >= 1_000
    # At most n buyers; equal numbers give one contract each.
    assert bench_data.buyer_sizes(rng, 4, 4).tolist() == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="n_buyers=5, n=4"):
        bench_data.buyer_sizes(rng, 4, 5)


def test_every_buyer_of_the_year_has_contracts() -> None:
    y = bench_data.synthesize(5_000)
    per_buyer = y.contracts["buyer_siret"].value_counts()
    # 5000 / 10 = 500 buyers, all in buyers.csv and all with at least one contract
    assert len(y.buyers) == 500 and set(per_buyer.index) == set(y.buyers["siret"])
    assert per_buyer.sum() == 5_000 and per_buyer.min() >= 1


def test_report_outputs_counts_buyers_rows(tmp_path: Path) -> None:
    year = tmp_path / "2024"
    (year / "figures").mkdir(parents=True)
    (year / "buyers.csv").write_text("buyer_siret,x\n1,a\n2,b\n3,c\n", encoding="utf-8")  # 24 bytes
    (year / "figures" / "f.png").write_bytes(b"\0" * 2**20)                                # 1 MiB
    r = bench.report_outputs(year)
    # 3 data rows under the header; 2 files; (24 + 1 048 576) / 2^20 = 1.0000229 -> 1.0 MB
    assert r["buyers_csv_rows"] == 3 and r["files"] == 2 and r["mb"] == 1.0
    assert r["largest_mb"] == {"figures/f.png": 1.0, "buyers.csv": 0.0}
    assert bench.report_outputs(tmp_path / "missing") == {"files": 0, "mb": 0.0,
                                                          "buyers_csv_rows": None, "largest_mb": {}}


def test_measure_reports_the_child_peak_memory_not_the_parent() -> None:
    # The child allocates and touches 300 MiB; python itself adds ~10-20 MB.
    code = "b = bytearray(300 * 2**20); print('{\"s\": 0.5, \"rows\": 1}')"
    m = bench.measure([sys.executable, "-c", code])
    assert 300 <= m["rss_mb"] < 400
    assert m["result"] == {"s": 0.5, "rows": 1}
    small = bench.measure([sys.executable, "-c", "print(1)"])  # fresh wrapper: no carry-over
    assert small["rss_mb"] < 100
    with pytest.raises(bench.StepFailed, match="exited with 3"):
        bench.measure([sys.executable, "-c", "import sys; sys.exit(3)"])


def test_summary_growth_and_targets() -> None:
    small = {"naive_json_s": 6.0, "ingest_json_s": 2.0, "ingest_parquet_s": 0.5, "indicators_s": 1.0,
             "run_cold_s": 20.0, "run_warm_s": 4.0, "ingest_json_rss_mb": 300.0,
             "process_cpu_s": {"ingest_json": 4.0, "run_cold": 40.0}}
    big = {"naive_json_s": 30.0, "ingest_json_s": 10.0, "ingest_parquet_s": 2.0, "indicators_s": 7.0,
           "run_cold_s": 100.0, "run_warm_s": 30.0, "ingest_json_rss_mb": 900.0,
           "process_cpu_s": {"ingest_json": 14.0, "run_cold": 150.0}}
    s = bench.summarize({100_000: small, 500_000: big})
    g = s["growth_ratio"]
    assert g["ingest_json_s"] == 5.0 and g["indicators_s"] == 7.0 and g["contracts"] == 5.0  # 10/2, 7/1
    assert g["load_cold_s"] is None  # not measured
    assert s["growth_ratio_cpu"] == {"ingest_json": 3.5, "run_cold": 3.75}  # 14/4, 150/40
    t = s["targets"]
    assert t["at_contracts"] == 500_000
    assert t["json_ingest_not_slower_than_naive"]["met"] is True     # 10 <= 30
    assert t["json_ingest_peak_rss_le_1gb"]["met"] is True           # 900 <= 1024
    assert t["parquet_ingest_le_3s"]["met"] is True                  # 2 <= 3
    assert t["indicators_le_5s"]["met"] is False                     # 7 > 5
    assert t["run_cold_le_120s"]["met"] is True                      # 100 <= 120
    assert t["run_warm_le_quarter_of_cold"] == {"value": 0.3, "limit": 0.25, "met": False}  # 30/100
    assert t["growth_le_6x"]["value"] == 7.5 and t["growth_le_6x"]["met"] is False  # run_warm 30/4


@pytest.mark.slow
def test_bench_smoke_20000(tmp_path: Path) -> None:
    """The whole command at 20 000 contracts; the run steps execute the first year notebook only
    (all four would take about a minute by themselves)."""
    first = sorted(config.NOTEBOOKS_DIR.glob("[0-9]*.ipynb"))
    if not first:
        pytest.skip("no notebook in notebooks/ yet (helper D)")
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    shutil.copy(first[0], nbdir / first[0].name)
    out = tmp_path / "results.json"
    rc = bench.main(["--contracts", "20000", "--workdir", str(tmp_path / "work"), "--out", str(out),
                     "--notebooks", str(nbdir)])
    assert rc == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    r = doc["results"]["20000"]
    assert "errors" not in r, r.get("errors")
    assert "skipped" not in r, r.get("skipped")  # every module has landed: nothing may be skipped
    for key in ("naive_json_s", "naive_json_rss_mb", "ingest_json_s", "ingest_json_rss_mb",
                "ingest_parquet_s", "indicators_s", "figures_s", "seaborn_import_s", "run_cold_s",
                "run_warm_s"):
        assert isinstance(r[key], float) and r[key] > 0, key
    # Every reader saw the same 20 000 contracts (naive: one row per JSON record, duplicates too).
    assert r["rows"]["naive_json"] == r["generated"]["json_records"]
    assert r["rows"]["ingest_json"] == r["rows"]["ingest_parquet"] == r["rows"]["load_cold"] == 20000
    assert r["load_warm_s"] < r["load_cold_s"]
    assert (tmp_path / "work" / "20000" / "reports" / "2024" / "indicators.json").is_file()
    assert doc["machine"]["cpu_count"] >= 1 and doc["targets"]["at_contracts"] == 20000


def test_repeated_steps_keep_the_fastest_and_the_largest_peak(tmp_path: Path, monkeypatch) -> None:
    # scripted measurements: the reading step takes 3.0, 2.5, 2.8 s with peaks 900, 950, 920 MB
    times = iter([3.0, 2.5, 2.8, 1.0, 1.2, 1.1])
    peaks = iter([900.0, 950.0, 920.0, 500.0, 500.0, 500.0])
    cache_seen: list[bool] = []

    def fake_measure(cmd, env=None, timeout=3600.0):
        if env and "SCA_CACHE_DIR" in env:  # load_cold: the cache must be empty before each run
            cache = Path(env["SCA_CACHE_DIR"])
            cache_seen.append(cache.exists())
            cache.mkdir(parents=True, exist_ok=True)
        return {"wall_s": 9.0, "cpu_s": 9.0, "rss_mb": next(peaks),
                "result": {"s": next(times), "rows": 1}}

    monkeypatch.setattr(bench, "measure", fake_measure)
    r = bench.bench_size(200, tmp_path, steps=["ingest_parquet", "load_cold"], repeat=3,
                         log=io.StringIO())
    assert r["ingest_parquet_s"] == 2.5 and r["ingest_parquet_rss_mb"] == 950.0
    assert r["samples_s"]["ingest_parquet"] == [3.0, 2.5, 2.8]
    assert r["load_cold_s"] == 1.0 and r["samples_s"]["load_cold"] == [1.0, 1.2, 1.1]
    assert cache_seen == [False, False, False]  # emptied before each cold load


def test_figures_step_times_seaborn_and_the_drawing(tmp_path: Path) -> None:
    """The ``figures`` step on a small year: it reports the drawing time, what ``import seaborn``
    adds, and draws one bar per buyer of the year (the figures that grow with the buyers)."""
    r = bench.bench_size(300, tmp_path, steps=["figures"], log=io.StringIO())
    assert "errors" not in r, r.get("errors")
    assert r["figures_s"] > 0 and r["seaborn_import_s"] > 0
    # buyers_detail holds one row per buyer with a contract in scope (default scope: above the EU
    # thresholds), so at least one and at most the buyers with a contract notified in the year,
    # counted here from the raw tables
    from helpers.loader import load_data_dir

    contracts = load_data_dir(tmp_path / "300" / "data").contracts
    in_year = contracts.loc[pd.to_datetime(contracts["notification_date"]).dt.year == 2024]
    assert 0 < r["rows"]["figures"] <= in_year["buyer_siret"].nunique()
