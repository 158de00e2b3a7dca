"""Cache of a year's results (helpers.results_cache, the warm rerun; docs/design.md §4.4).

Rules tested one at a time: the key changes with each of its five parts and with nothing else; an
entry gives back exactly the bytes stored; a damaged entry is discarded, never used; storing prunes the
stale entries of the same run only. The last tests run ``python -m helpers run`` (stubbed data and
results, one tiny notebook) to check that a rerun skips loading and computing, that ``--no-cache``
recomputes, and that a corrupt entry is recomputed.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers import cache, config, results_cache, run, session, yearly
from helpers.dataset import Dataset

PARAMS = {"year": 2024, "buyers": [], "data_dir": "d", "scope": "all", "target": 0.3}
SESSION = session.encode({"parameters": PARAMS, "results": {"answer": 42}})


@pytest.fixture()
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def make_outputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rejected").mkdir(exist_ok=True)
    files = {"indicators.json": b'{"verdict": "compliant"}\n',
             "contracts.csv": b"uid,status\n01234567890123A1,VERIFIED\n",
             "rejected/clauses.csv": b"file,row,reason\nclauses.csv,4,negative\n"}
    for rel, data in files.items():
        (folder / rel).write_bytes(data)
    return {rel: folder / rel for rel in files}


def store(key: str, outputs: dict[str, Path], parameters: dict = PARAMS,
          data_dir: str = "/data/a") -> bool:
    return results_cache.store(key, session=SESSION, warnings=["buyer X unknown"],
                               outputs=outputs, meta={"data_dir": data_dir,
                                                      "parameters": parameters,
                                                      "on_invalid": "strict"})


# --------------------------------------------------------------------------------------------------
# the key
# --------------------------------------------------------------------------------------------------

def test_key_changes_with_each_part_and_only_with_them(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    base = results_cache.results_key("datakey", PARAMS)
    assert results_cache.results_key("datakey", dict(PARAMS)) == base  # same inputs: same key
    # parameters given in another order are the same parameters
    assert results_cache.results_key("datakey", dict(reversed(list(PARAMS.items())))) == base
    changed = {
        "data": results_cache.results_key("datakey2", PARAMS),
        "parameter": results_cache.results_key("datakey", {**PARAMS, "target": 0.31}),
        "buyers": results_cache.results_key("datakey", {**PARAMS, "buyers": ["01234567890123"]}),
    }
    monkeypatch.setattr(results_cache, "code_digest", lambda: "edited code")
    changed["code"] = results_cache.results_key("datakey", PARAMS)
    monkeypatch.undo()
    ref = tmp_path / "reference"
    ref.mkdir()
    (ref / "thresholds.csv").write_text("year,threshold\n2024,143000\n", encoding="utf-8")
    monkeypatch.setattr(config, "REFERENCE_DIR", ref)
    with_ref = results_cache.results_key("datakey", PARAMS)
    (ref / "thresholds.csv").write_text("year,threshold\n2024,143001\n", encoding="utf-8")
    changed["reference"] = results_cache.results_key("datakey", PARAMS)
    assert changed["reference"] != with_ref
    monkeypatch.undo()
    monkeypatch.setattr(results_cache, "library_versions", lambda: {"pandas": "9.9"})
    changed["library"] = results_cache.results_key("datakey", PARAMS)
    assert len({base, *changed.values()}) == 1 + len(changed), changed


def test_code_digest_covers_every_helpers_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    pkg = tmp_path / "helpers"
    (pkg / "indicators").mkdir(parents=True)
    (pkg / "run.py").write_text("x = 1\n")
    (pkg / "indicators" / "shares.py").write_text("TOLERANCE = 1e-12\n")
    monkeypatch.setattr(results_cache, "_HELPERS_DIR", pkg)
    before = results_cache.code_digest()
    (pkg / "indicators" / "shares.py").write_text("TOLERANCE = 1e-9\n")  # a nested module edited
    assert results_cache.code_digest() != before


def test_data_key_part_follows_the_input_bytes(tmp_path: Path, root: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n", encoding="utf-8")
    def key_for(on_invalid: str) -> str:  # as the run computes it: the tables' key, then the results'
        return results_cache.results_key(cache.cache_key(data, on_invalid=on_invalid), PARAMS)

    first = key_for("strict")
    assert key_for("strict") == first
    assert key_for("quarantine") != first
    (data / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n\n", encoding="utf-8")
    assert key_for("strict") != first


# --------------------------------------------------------------------------------------------------
# entries
# --------------------------------------------------------------------------------------------------

def test_store_then_lookup_gives_back_the_same_bytes(tmp_path: Path, root: Path) -> None:
    outputs = make_outputs(tmp_path / "year")
    assert store("k1", outputs)
    found = results_cache.lookup("k1")
    assert found is not None
    assert found.session == SESSION
    assert found.warnings == ["buyer X unknown"]
    assert found.outputs == {rel: p.read_bytes() for rel, p in outputs.items()}
    restored = found.restore(tmp_path / "again")
    assert sorted(p.relative_to(tmp_path / "again").as_posix() for p in restored) == \
        ["contracts.csv", "indicators.json", "rejected/clauses.csv"]
    assert (tmp_path / "again" / "rejected" / "clauses.csv").read_bytes() == \
        outputs["rejected/clauses.csv"].read_bytes()
    assert results_cache.lookup("other-key") is None


@pytest.mark.parametrize("damage", ["flip_byte", "truncate", "delete_output", "extra_file",
                                    "bad_manifest", "other_key"])
def test_damaged_entry_is_discarded_never_used(tmp_path: Path, root: Path, damage: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    store("k1", make_outputs(tmp_path / "year"))
    entry = results_cache.results_root() / "k1"
    if damage == "flip_byte":  # same size, one byte altered
        p = entry / "outputs" / "contracts.csv"
        b = bytearray(p.read_bytes())
        b[5] ^= 0x01
        p.write_bytes(bytes(b))
    elif damage == "truncate":
        p = entry / results_cache.SESSION
        p.write_bytes(p.read_bytes()[:3])
    elif damage == "delete_output":
        (entry / "outputs" / "indicators.json").unlink()
    elif damage == "extra_file":  # a file nobody stored would be copied into the report
        (entry / "outputs" / "planted.csv").write_text("x\n")
    elif damage == "bad_manifest":
        (entry / "manifest.json").write_text("{not json")
    else:  # an entry renamed under another key must not answer for it
        (entry / "manifest.json").write_text(json.dumps(
            {**json.loads((entry / "manifest.json").read_text()), "key": "k0"}))
    assert results_cache.lookup("k1") is None
    assert not entry.exists()  # deleted, so the next run stores a sound one
    assert "cannot be trusted" in caplog.text


def test_storing_prunes_stale_entries_of_the_same_run_only(tmp_path: Path, root: Path) -> None:
    outputs = make_outputs(tmp_path / "year")
    store("old", outputs)
    store("other-params", outputs, parameters={**PARAMS, "year": 2023})
    store("other-data", outputs, data_dir="/data/b")
    store("new", outputs)  # same data directory, parameters and mode as "old": "old" is stale
    names = sorted(p.name for p in results_cache.results_root().iterdir())
    assert names == ["new", "other-data", "other-params"]


def test_store_failure_is_not_an_error(tmp_path: Path, root: Path,
                                       caplog: pytest.LogCaptureFixture) -> None:
    missing = {"contracts.csv": tmp_path / "never-written.csv"}
    assert not store("k1", missing)
    assert results_cache.lookup("k1") is None
    assert "not cached" in caplog.text


# --------------------------------------------------------------------------------------------------
# python -m helpers run
# --------------------------------------------------------------------------------------------------

NOTEBOOK_CELL = """year = 2024
buyers = []
data_dir = "data/demo"
scope = "above_eu_thresholds"
target = 0.30
min_delivery_ratio = 0.8
as_of = ""
min_contracts = 5
alpha = 0.05
etp_hours = 1607.0
min_cell_size = 11
allow_small_cells = False
language = "fr"
"""


@pytest.fixture()
def stubbed_run(tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    import nbformat

    data = tmp_path / "data"
    data.mkdir()
    (data / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n", encoding="utf-8")
    calls = {"load": 0, "compute": 0}

    def load(data_dir: object, on_invalid: str = "strict", use_cache: bool = True,
             **kw: object) -> Dataset:
        calls["load"] += 1
        return Dataset()

    def compute(ds: Dataset, params: object) -> SimpleNamespace:
        calls["compute"] += 1
        return SimpleNamespace(indicators={"answer": 41 + calls["compute"], "scope_contracts": 3},
                               contracts=pd.DataFrame(columns=["uid", "buyer_siret"]),
                               buyers=pd.DataFrame(columns=["buyer_siret", "buyer_name"]))

    def write(res: SimpleNamespace, folder: Path) -> list[Path]:
        path = folder / "indicators.json"
        path.write_text(json.dumps(res.indicators, sort_keys=True))
        return [path]

    monkeypatch.setattr(yearly.cache, "load_dataset", load)
    monkeypatch.setattr(yearly, "compute_results", compute)
    monkeypatch.setattr(yearly, "write_results", write)
    monkeypatch.setattr(yearly, "write_summaries", lambda *a, **k: [])  # stub results
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(NOTEBOOK_CELL)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        "from helpers import notebook\n"
        "p, d, res = notebook.setup(year=year, data_dir=data_dir)\n"
        "print('answer', res.indicators['answer'])")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    nbformat.write(nb, str(nbs / "01_answer.ipynb"))
    return {"calls": calls, "data": data, "nbs": nbs, "out": tmp_path / "out"}


def run_cli(s: dict, *extra: str) -> int:
    return run.main_run(["--year", "2024", "--data-dir", str(s["data"]), "--notebooks",
                         str(s["nbs"]), "--out", str(s["out"]), "--jobs", "1", *extra])


def answer(s: dict) -> str:
    return (s["out"] / "2024" / "indicators.json").read_text()


def test_rerun_reuses_results_and_no_cache_recomputes(stubbed_run: dict,
                                                      capsys: pytest.CaptureFixture) -> None:
    s = stubbed_run
    assert run_cli(s) == 0
    assert s["calls"] == {"load": 1, "compute": 1}
    assert answer(s) == '{"answer": 42, "scope_contracts": 3}'
    capsys.readouterr()
    assert run_cli(s) == 0  # warm: nothing loaded nor computed, the same files and session
    assert s["calls"] == {"load": 1, "compute": 1}
    assert answer(s) == '{"answer": 42, "scope_contracts": 3}'
    assert "reused from the cache" in capsys.readouterr().err
    html = (s["out"] / "2024" / "01_answer.html").read_text()
    assert "answer 42" in html  # the notebook read the cached session
    # --no-cache: loaded and computed again (the stub's answer moves to 43), and nothing stored
    assert run_cli(s, "--no-cache") == 0
    assert s["calls"] == {"load": 2, "compute": 2}
    assert answer(s) == '{"answer": 43, "scope_contracts": 3}'
    assert run_cli(s) == 0  # the entry of the first run still answers
    assert answer(s) == '{"answer": 42, "scope_contracts": 3}'
    assert s["calls"] == {"load": 2, "compute": 2}


def test_changed_input_or_corrupt_entry_recomputes(stubbed_run: dict) -> None:
    s = stubbed_run
    assert run_cli(s) == 0
    (s["data"] / "clauses.csv").write_text("buyer_siret,contract_id,planned_hours\n\n",
                                           encoding="utf-8")
    assert run_cli(s) == 0  # another input byte: another key
    assert s["calls"]["compute"] == 2
    assert answer(s) == '{"answer": 43, "scope_contracts": 3}'
    for entry in results_cache.results_root().iterdir():
        (entry / results_cache.SESSION).write_bytes(b"damaged")
    assert run_cli(s) == 0
    assert s["calls"]["compute"] == 3
    assert answer(s) == '{"answer": 44, "scope_contracts": 3}'


@pytest.mark.parametrize("how", ["rewritten_checksum", "injected_pickle_file"])
def test_tampered_session_is_never_executed(stubbed_run: dict, tmp_path: Path, how: str) -> None:
    """An attacker who can write the cache replaces the session by a pickle whose loading would
    create a file and rewrites the manifest's checksum to match (the entry verifies, but the session
    is not a session file), or drops a pickle file into the entry under the name older versions read
    (a file the manifest does not list): the entry is discarded and the run recomputes; nothing is
    executed."""
    import hashlib
    import os
    import pickle

    s = stubbed_run
    assert run_cli(s) == 0
    planted = tmp_path / "owned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {planted}",))

    evil = pickle.dumps(Payload())
    for entry in results_cache.results_root().iterdir():
        if how == "injected_pickle_file":
            (entry / "session.pkl").write_bytes(evil)
            continue
        (entry / results_cache.SESSION).write_bytes(evil)
        manifest = json.loads((entry / "manifest.json").read_text())
        manifest["files"][results_cache.SESSION] = {
            "bytes": len(evil), "blake2b": hashlib.blake2b(evil, digest_size=20).hexdigest()}
        (entry / "manifest.json").write_text(json.dumps(manifest))
    assert run_cli(s) == 0
    assert s["calls"]["compute"] == 2  # recomputed, not served from the tampered entry
    assert answer(s) == '{"answer": 43, "scope_contracts": 3}'
    assert not planted.exists()
    assert "answer 43" in (s["out"] / "2024" / "01_answer.html").read_text()


def test_lookup_refuses_a_session_that_verifies_but_is_not_a_session(tmp_path: Path,
                                                                      root: Path) -> None:
    import hashlib

    store("k1", make_outputs(tmp_path / "year"))
    entry = results_cache.results_root() / "k1"
    fake = b"PK\x03\x04 not really a zip"
    (entry / results_cache.SESSION).write_bytes(fake)
    manifest = json.loads((entry / "manifest.json").read_text())
    manifest["files"][results_cache.SESSION] = {
        "bytes": len(fake), "blake2b": hashlib.blake2b(fake, digest_size=20).hexdigest()}
    (entry / "manifest.json").write_text(json.dumps(manifest))
    assert results_cache.lookup("k1") is None
    assert not entry.exists()  # discarded
