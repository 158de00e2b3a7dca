"""Cache of the canonical tables (helpers.cache, docs/design.md §4.4).

Most tests replace the raw-file loader by a tiny hand-written one (``fake_build``) that parses a
two-line CSV, so the expected tables are written out literally below and every cache behaviour
(hit, stale input, corrupt entry, reader version, concurrency) is checked without depending on the
real readers. The last test checks the round trip on the real loader and the demo data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import cache
from helpers.dataset import Dataset, new_quality
from helpers.errors import InputError, Problem

CSV = "buyer_siret;contract_id;amount;cons;holders;subject\n" \
      "01234567890123;A1;100000.5;Clause sociale|Critère social;11111111111111|22222222222222;Voirie\n" \
      "21750001630066;B2;50000;;;\n"


def fake_build(data_dir: Path, on_invalid: str) -> Dataset:
    """Stand-in for helpers.loader.load_data_dir: one contract per CSV line, fixed other tables."""
    raw = pd.read_csv(data_dir / "contracts" / "c.csv", sep=";", dtype=str, keep_default_na=False)
    contracts = pd.DataFrame({
        "uid": raw.buyer_siret + raw.contract_id,
        "buyer_siret": raw.buyer_siret,
        "contract_id": raw.contract_id,
        "notification_date": pd.to_datetime(["2024-03-01"] * len(raw)),
        "publication_date": pd.to_datetime(["2024-03-05"] + [None] * (len(raw) - 1)),
        "amount": raw.amount.astype(float),
        "cpv": ["45000000"] + [np.nan] * (len(raw) - 1),
        "procedure": [pd.NA] * len(raw),
        "duration_months": [12.0] + [np.nan] * (len(raw) - 1),
        "social_considerations": [v.split("|") if v else [] for v in raw.cons],
        "holders": [v.split("|") if v else [] for v in raw.holders],
        "subject": [v or None for v in raw.subject], "buyer_name": [None] * len(raw),
        "source_file": "c.csv",
    })
    participations = pd.DataFrame({
        "buyer_siret": ["01234567890123"] * 2, "contract_id": ["A1"] * 2,
        "uid": ["01234567890123A1"] * 2, "beneficiary_id": ["p1", "p2"], "sex": ["F", None],
        "birth_year": pd.array([1990, None], dtype="Int64"), "diploma_level": ["bac", "inconnu"],
        "public_categories": [["RSA", "QPV"], []], "hours": [120.0, 35.5],
        "start_date": pd.to_datetime(["2024-04-01", "2024-05-01"]),
        "end_date": pd.to_datetime(["2024-06-30", None]),
        "modality": ["embauche_directe"] * 2, "exit_outcome": ["emploi_durable", "en_cours"],
    })
    quality = new_quality()
    quality["files"] = [{"table": "contracts", "file": "contracts/c.csv", "format": "csv",
                         "rows_read": len(raw)}]
    quality["contracts_rows_read"] = np.int64(len(raw))  # numpy scalars must survive the JSON log
    rejected = {"clauses": pd.DataFrame({"_row": [3], "planned_hours": ["abc"],
                                         "reason": ["not a number"]})}
    if on_invalid == "strict":
        rejected = {}
    return Dataset(contracts=contracts, participations=participations, quality=quality,
                   rejected=rejected)


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    (d / "contracts").mkdir(parents=True)
    (d / "contracts" / "c.csv").write_text(CSV, encoding="utf-8")
    (d / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n", encoding="utf-8")
    return d


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Counts raw reads; the cache lives in tmp_path/cache (via the environment variable)."""
    made: list[str] = []

    def counting(data_dir: Path, on_invalid: str) -> Dataset:
        made.append(on_invalid)
        return fake_build(data_dir, on_invalid)

    monkeypatch.setattr(cache, "_build", counting)
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    return made


def assert_same(a: Dataset, b: Dataset) -> None:
    for name in ("contracts", "clauses", "participations", "suppliers", "buyers"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.quality == b.quality
    assert a.rejected.keys() == b.rejected.keys()
    for k in a.rejected:
        pd.testing.assert_frame_equal(a.rejected[k], b.rejected[k], check_exact=True)


def test_hit_returns_identical_frames_without_reading_inputs(data_dir: Path, calls: list[str]) -> None:
    cold = cache.load_dataset(data_dir)
    warm = cache.load_dataset(data_dir)
    assert calls == ["strict"]  # the second load never called the loader
    assert_same(cold, warm)
    assert_same(fake_build(data_dir, "strict"), warm)
    c = warm.contracts
    # Values written in CSV above, read back from Parquet.
    assert c.uid.tolist() == ["01234567890123A1", "21750001630066B2"]  # leading zero kept
    assert c.amount.tolist() == [100000.5, 50000.0]
    assert c.social_considerations.tolist() == [["Clause sociale", "Critère social"], []]
    assert all(type(v) is list for v in c.holders)  # Python lists again, not numpy arrays
    assert c.subject.iloc[1] is None and np.isnan(c.cpv.iloc[1]) and c.procedure.iloc[0] is pd.NA
    assert warm.participations.birth_year.dtype == "Int64"
    assert warm.participations.public_categories.tolist() == [["RSA", "QPV"], []]
    assert pd.isna(warm.participations.end_date.iloc[1])
    assert warm.quality["contracts_rows_read"] == 2


def test_changing_one_input_byte_invalidates(data_dir: Path, calls: list[str]) -> None:
    cache.load_dataset(data_dir)
    f = data_dir / "contracts" / "c.csv"
    f.write_bytes(f.read_bytes().replace(b"50000;", b"50001;"))  # same size, one byte differs
    ds = cache.load_dataset(data_dir)
    assert calls == ["strict", "strict"]
    assert ds.contracts.amount.tolist() == [100000.5, 50001.0]
    # An extra file in the data folder changes the key too (a new input file).
    (data_dir / "buyers.csv").write_text("siret,name,buyer_type\n", encoding="utf-8")
    cache.load_dataset(data_dir)
    assert len(calls) == 3


def test_fingerprint_skips_rehash_only_for_old_unchanged_files(
        data_dir: Path, calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[int] = []
    real = cache._hash_files
    monkeypatch.setattr(cache, "_hash_files", lambda files: hashed.append(len(files)) or real(files))
    old = time.time() - 3600
    for p in data_dir.rglob("*"):
        os.utime(p, (old, old))
    cache.load_dataset(data_dir)
    cache.load_dataset(data_dir)
    assert hashed == [2]  # 2 files hashed once; the second load trusted the fingerprint
    (data_dir / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n\n", encoding="utf-8")
    cache.load_dataset(data_dir)
    assert hashed == [2, 2] and len(calls) == 2
    # Just-written files are "racy": re-hashed on every load until RACY_MARGIN_S has passed.
    cache.load_dataset(data_dir)
    assert hashed == [2, 2, 2] and len(calls) == 2


def test_truncated_parquet_is_rebuilt_and_result_still_right(data_dir: Path, calls: list[str]) -> None:
    cold = cache.load_dataset(data_dir)
    entry = cache.entry_path(data_dir)
    target = entry / "contracts.parquet"
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    ds = cache.load_dataset(data_dir)
    assert calls == ["strict", "strict"]
    assert_same(cold, ds)
    cache.load_dataset(data_dir)  # the rebuilt entry is sound: a hit again
    assert calls == ["strict", "strict"]


@pytest.mark.parametrize("damage", ["flip_byte", "delete_table", "bad_quality_json", "bad_manifest"])
def test_corrupt_entry_is_never_trusted(data_dir: Path, calls: list[str], damage: str) -> None:
    cold = cache.load_dataset(data_dir)
    entry = cache.entry_path(data_dir)
    if damage == "flip_byte":  # same size, one byte altered in the middle of the data
        p = entry / "participations.parquet"
        b = bytearray(p.read_bytes())
        b[len(b) // 2] ^= 0xFF
        p.write_bytes(bytes(b))
    elif damage == "delete_table":
        (entry / "clauses.parquet").unlink()
    elif damage == "bad_quality_json":
        (entry / "quality.json").write_text('{"files": [', encoding="utf-8")
    else:
        (entry / "manifest.json").write_text("not json", encoding="utf-8")
    ds = cache.load_dataset(data_dir)
    assert calls == ["strict", "strict"]
    assert_same(cold, ds)


def test_reader_version_and_mode_are_part_of_the_key(
        data_dir: Path, calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    cache.load_dataset(data_dir)
    monkeypatch.setattr(cache, "READER_VERSION", cache.READER_VERSION + "-next")
    cache.load_dataset(data_dir)
    assert calls == ["strict", "strict"]
    q = cache.load_dataset(data_dir, on_invalid="quarantine")
    q2 = cache.load_dataset(data_dir, on_invalid="quarantine")
    assert calls == ["strict", "strict", "quarantine"]
    assert q2.rejected["clauses"].reason.tolist() == ["not a number"]
    assert_same(q, q2)


def test_use_cache_false_reads_raw_and_writes_nothing(data_dir: Path, calls: list[str],
                                                      tmp_path: Path) -> None:
    cache.load_dataset(data_dir, use_cache=False)
    cache.load_dataset(data_dir, use_cache=False)
    assert calls == ["strict", "strict"]
    assert not (tmp_path / "cache").exists()


def test_input_error_caches_nothing(data_dir: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def bad(data_dir: Path, on_invalid: str) -> Dataset:
        raise InputError([Problem("clauses.csv", "planned_hours", "not a number", (3,))])

    monkeypatch.setattr(cache, "_build", bad)
    with pytest.raises(InputError, match="clauses.csv, row 3, column 'planned_hours'"):
        cache.load_dataset(data_dir, cache_dir=tmp_path / "c")
    assert not any(p for p in (tmp_path / "c").glob("*") if p.name not in ("fingerprints", "locks"))


def test_new_entry_replaces_the_stale_one(data_dir: Path, calls: list[str], tmp_path: Path) -> None:
    cache.load_dataset(data_dir)
    first = cache.entry_path(data_dir)
    (data_dir / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n\n", encoding="utf-8")
    cache.load_dataset(data_dir)
    second = cache.entry_path(data_dir)
    assert first != second and second.is_dir() and not first.exists()


_WORKER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    import test_cache
    from helpers import cache

    def slow(data_dir, on_invalid):
        with open({log!r}, "a") as f:
            f.write("built\\n")
        time.sleep(1.0)
        return test_cache.fake_build(data_dir, on_invalid)

    cache._build = slow
    ds = cache.load_dataset({data!r}, cache_dir={root!r})
    print(json.dumps([ds.contracts.amount.tolist(), ds.participations.hours.tolist()]))
""")


def test_concurrent_processes_build_once_and_agree(data_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "builds.log"
    code = _WORKER.format(tests=str(Path(__file__).parent), log=str(log), data=str(data_dir),
                          root=str(tmp_path / "cache"))
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=60)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert json.loads(outs[0]) == json.loads(outs[1]) == [[100000.5, 50000.0], [120.0, 35.5]]
    assert log.read_text().count("built") == 1  # the second process waited and read the entry
    entries = [p for p in (tmp_path / "cache").iterdir() if p.name not in ("fingerprints", "locks")]
    assert len(entries) == 1  # one committed entry, no temporary folder left behind
    assert_same(cache._read_entry(entries[0]), fake_build(data_dir, "strict"))


_RACER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    import test_cache
    from pathlib import Path
    from helpers import cache
    ds = test_cache.fake_build(Path({data!r}), "strict")
    meta = {{"data_dir": "x", "on_invalid": "strict"}}
    won = sum(cache._write_entry(ds, Path({root!r}) / f"k{{i}}", meta) for i in range(15))
    print(won)
""")


def test_concurrent_writers_without_lock_never_leave_a_broken_entry(data_dir: Path,
                                                                      tmp_path: Path) -> None:
    root = tmp_path / "race"
    code = _RACER.format(tests=str(Path(__file__).parent), data=str(data_dir), root=str(root))
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    wins = [int(p.communicate(timeout=60)[0]) for p in procs]
    assert sum(wins) == 15  # each of the 15 entries committed by exactly one writer
    expected = fake_build(data_dir, "strict")
    for i in range(15):
        assert_same(cache._read_entry(root / f"k{i}"), expected)
    assert sorted(p.name for p in root.iterdir()) == sorted(f"k{i}" for i in range(15))  # no temp left


def test_round_trip_with_the_real_loader_on_the_demo(demo_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("helpers.loader", reason="helpers.loader (helper A2) not landed yet")
    from helpers.loader import load_data_dir

    cold = cache.load_dataset(demo_dir, cache_dir=tmp_path / "c")
    warm = cache.load_dataset(demo_dir, cache_dir=tmp_path / "c")
    assert_same(load_data_dir(demo_dir, on_invalid="strict"), warm)
    assert_same(cold, warm)


class _Payload:
    """A pickle whose loading would create a file."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (Path.touch, (self.target,))


def test_tampered_entry_never_executes_code(data_dir: Path, calls: list[str], tmp_path: Path
                                            ) -> None:
    # an attacker who can write the cache: a table replaced by a pickle with the manifest's
    # checksum rewritten to match, and a pickle file dropped beside the tables. No cache file is
    # ever unpickled: the table is unreadable Parquet, so the entry is rebuilt from the inputs.
    import hashlib
    import pickle

    cold = cache.load_dataset(data_dir)
    entry = cache.entry_path(data_dir)
    planted = tmp_path / "owned"
    evil = pickle.dumps(_Payload(planted))
    (entry / "contracts.parquet").write_bytes(evil)
    (entry / "contracts.pkl").write_bytes(evil)
    manifest = json.loads((entry / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["contracts.parquet"] = {
        "bytes": len(evil), "blake2b": hashlib.blake2b(evil, digest_size=20).hexdigest()}
    (entry / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    ds = cache.load_dataset(data_dir)
    assert calls == ["strict", "strict"]  # rebuilt from the raw files
    assert_same(cold, ds)
    assert not planted.exists()
