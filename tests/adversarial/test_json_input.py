"""DECP JSON reader against hostile input: long runs of blanks or letters are read in linear time,
deep nesting is refused with the file and the limit, and the NaN rewriting is exact whatever the
chunk boundaries."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from helpers.config import MAX_JSON_DEPTH
from helpers.errors import InputError
from helpers.io import decp_json

from .conftest import reader_code, run_reader

RECORD = {"id": "M1", "acheteur": {"id": "21350238800019"}, "dateNotification": "2024-03-01",
          "montant": 1000, "codeCPV": "45000000-7",
          "considerationsSociales": {"considerationSociale": ["Clause sociale"]},
          "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "12345678900011"}}]}
MB = 1024 * 1024


def _document(record_text: str, before: str = "") -> str:
    return '{"marches": {"marche":' + before + "[" + record_text + "]}}"


def test_20_mb_of_blanks_in_a_small_gz_is_read_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "blanks.json.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(_document(json.dumps(RECORD), before=" " * (20 * MB)))
    assert path.stat().st_size < 100_000  # a small file that expands to 20 MB
    out, m = run_reader(reader_code(
        f"from helpers.io.decp_json import read_contracts_file\n"
        f"    valid, rejected = read_contracts_file({str(path)!r})\n"
        f"    result = [len(valid), len(rejected), valid['contract_id'].tolist()]"))
    # blanks between tokens are legal JSON: the one record is read, nothing rejected
    assert out == {"ok": True, "result": [1, 0, ["M1"]]}
    assert m.seconds < 10, m.seconds       # was > 180 s
    assert m.peak_mb < 1000, m.peak_mb


def test_20_mb_of_letters_in_a_value_is_read_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "letters.json"
    path.write_text(_document(json.dumps({**RECORD, "objet": "a" * (20 * MB)})))
    out, m = run_reader(reader_code(
        f"from helpers.io.decp_json import read_contracts_file\n"
        f"    valid, rejected = read_contracts_file({str(path)!r})\n"
        f"    result = [len(valid), len(valid['subject'].iloc[0])]"))
    assert out == {"ok": True, "result": [1, 20 * MB]}  # the long value is kept whole
    assert m.seconds < 20, m.seconds        # 4 MB took 14 s before (quadratic: 20 MB, minutes)
    assert m.peak_mb < 1500, m.peak_mb


def test_letters_outside_strings_are_an_error_not_a_hang(tmp_path: Path) -> None:
    path = tmp_path / "junk.json"
    path.write_text('{"marches": {"marche": [' + "N" * (4 * MB) + "]}}")
    out, m = run_reader(reader_code(
        f"from helpers.io.decp_json import read_contracts_file\n"
        f"    result = read_contracts_file({str(path)!r})"))
    assert out["ok"] is False and out["problems"][0][0] == "junk.json"
    assert "invalid" in out["message"]
    assert m.seconds < 10, m.seconds


def test_nesting_20000_deep_is_refused_with_file_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(_document(json.dumps(RECORD) + ', {"id": ' + "[" * 20_000 + "]" * 20_000
                              + "}"))
    before = path.read_bytes()
    out, m = run_reader(reader_code(
        f"from helpers.io.decp_json import read_contracts_file\n"
        f"    result = read_contracts_file({str(path)!r})"))
    assert out["ok"] is False
    file, column, rows, message = out["problems"][0]
    assert file == "deep.json" and f"more than {MAX_JSON_DEPTH} levels" in message
    assert "RecursionError" not in out["message"]
    assert m.seconds < 10 and m.peak_mb < 1000
    assert path.read_bytes() == before


def test_depth_limit_is_exact_and_brackets_in_strings_do_not_count(tmp_path: Path) -> None:
    # root { marches { marche [ record { = 4 levels; a value nested n more levels deep -> 4 + n
    at_limit = {**RECORD, "extra": json.loads("[" * (MAX_JSON_DEPTH - 4) + "]" * (MAX_JSON_DEPTH - 4))}
    tricky = {**RECORD, "objet": '[[[[ {{{{ "quoted [" \\ ' * 50}  # 400 brackets in a string
    path = tmp_path / "ok.json"
    path.write_text(_document(json.dumps(at_limit) + "," + json.dumps(tricky)))
    valid, _ = decp_json.read_contracts_file(path)
    assert len(valid) == 2
    over = {**RECORD, "extra": json.loads("[" * (MAX_JSON_DEPTH - 3) + "]" * (MAX_JSON_DEPTH - 3))}
    path.write_text(_document(json.dumps(over)))
    with pytest.raises(InputError, match=f"ok.json: arrays and objects are nested more than "
                                         f"{MAX_JSON_DEPTH}"):
        decp_json.read_contracts_file(path)


@pytest.mark.parametrize("read_size", [1, 7, 1 << 16])
def test_nan_tokens_are_replaced_exactly_across_chunk_boundaries(monkeypatch: pytest.MonkeyPatch,
                                                                   read_size: int) -> None:
    monkeypatch.setattr(decp_json, "_READ_SIZE", read_size)
    text = ('\ufeff{"a": NaN, "b": [NaN,-Infinity , Infinity],\n "c": "x, NaN, y", "d":'
            + " " * 3000 + "NaN" + " " * 10 + "}")
    # by hand: the four value tokens become null; the NaN inside the string "x, NaN, y" is
    # followed by ',' and preceded by ', ' too, so the rule (a heuristic) rewrites it as well;
    # the BOM is dropped; the 3000 blanks before the last NaN exceed the 1024 allowed: kept.
    expected = ('{"a": null, "b": [null,null , null],\n "c": "x, null, y", "d":'
                + " " * 3000 + "NaN" + " " * 10 + "}")
    stream = decp_json._CleanStream(io.BytesIO(text.encode()), "t.json")
    got = b"".join(iter(lambda: stream.read(5), b""))
    assert got.decode() == expected


def test_contract_id_with_an_escaped_nul_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "nul.json"
    path.write_text(_document(json.dumps(RECORD) + "," + json.dumps({**RECORD, "id": "M\u00002"})))
    with pytest.raises(InputError, match=r"nul.json, row 1, column 'id': contract id holds a "
                                         r"control character"):
        decp_json.read_contracts_file(path)
    valid, rejected = decp_json.read_contracts_file(path, on_invalid="quarantine")
    assert valid["contract_id"].tolist() == ["M1"]           # record 0 kept
    assert rejected[["row", "column"]].values.tolist() == [[1, "id"]]
