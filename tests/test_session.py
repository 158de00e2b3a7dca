"""The session format (helpers.session): JSON plus Parquet, exact round trips of the values the
notebooks read, and refusal (never execution) of anything else."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
import pickle
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from helpers import session
from helpers.indicators.results import Results


def cell_types(df: pd.DataFrame) -> dict[str, list[str]]:
    return {str(c): [type(v).__name__ for v in df[c].tolist()] for c in df.columns}


def roundtrip(value):
    return session.decode(session.encode(value))


def test_frames_keep_dtypes_missing_values_and_cell_types() -> None:
    df = pd.DataFrame({
        "text": ["a", None, "=c"],                      # object strings, None missing
        "text_nan": ["x", np.nan, "y"],                 # object strings, NaN missing
        "text_na": pd.Series(["x", pd.NA, "y"], dtype=object),
        "share": [0.25, np.nan, -0.0],                  # float64 with NaN
        "flag": [True, False, True],                    # bool
        "flag_obj": pd.Series([True, None, False], dtype=object),
        "date": pd.to_datetime(["2024-01-15", None, "2024-03-01"]),
        "lists": [["clause", "reserved"], [], None],    # lists in cells
        "mixed": [1, "suppressed (< 11)", 2.5],         # numbers and text in one column
        "count": pd.array([1, None, 3], dtype="Int64"),
        "kind": pd.Categorical(["a", "b", "a"]),
        "n": [1, 2, 3],
    })
    back = roundtrip(df)
    assert_frame_equal(back, df)
    assert cell_types(back) == cell_types(df)
    assert back["lists"].tolist() == [["clause", "reserved"], [], None]  # lists, not arrays
    assert back["mixed"].tolist() == [1, "suppressed (< 11)", 2.5]


def test_indexes_column_labels_and_series() -> None:
    by_buyer = pd.DataFrame({"n": [3, 1]}, index=pd.Index(["A", "B"], name="buyer_siret"))
    assert_frame_equal(roundtrip(by_buyer), by_buyer)
    multi = pd.DataFrame({"x": [1.5, 2.5]},
                         index=pd.MultiIndex.from_tuples([("A", 2023), ("A", 2024)],
                                                         names=["buyer", "year"]))
    assert_frame_equal(roundtrip(multi), multi)
    labels = pd.DataFrame([[1, 2]], columns=pd.Index([0, "VERIFIED"], name="status"))
    back = roundtrip(labels)
    assert list(back.columns) == [0, "VERIFIED"] and back.columns.name == "status"
    shifted = pd.DataFrame({"v": ["a", "b"]}, index=pd.RangeIndex(10, 14, 2))
    assert_frame_equal(roundtrip(shifted), shifted)
    empty = pd.DataFrame(columns=["table", "reason", "rows"])
    assert_frame_equal(roundtrip(empty), empty)
    series = pd.Series([1.5, np.nan], name="hours")
    assert_series_equal(roundtrip(series), series)


def test_plain_values_and_tags() -> None:
    value = {"year": 2024, "share": math.nan, "ci95": [0.1, math.inf], "pair": (1, "a"),
             1: "int key", "$dollar": "escaped", "when": pd.Timestamp("2024-12-31"),
             "day": dt.date(2024, 12, 31), "np": np.int64(7), "npf": np.float64(0.5),
             "missing": None, "na": pd.NA, "nat": pd.NaT, "path": Path("data/demo"),
             "ns": SimpleNamespace(indicators={"answer": 42})}
    back = roundtrip(value)
    assert math.isnan(back.pop("share"))
    value.pop("share")
    assert back["ci95"] == [0.1, math.inf] and back["pair"] == (1, "a")
    assert type(back["np"]) is int and back["np"] == 7
    assert back["na"] is pd.NA and back["nat"] is pd.NaT
    assert back == {**value, "np": 7, "npf": 0.5}


def test_results_dataclass_round_trips() -> None:
    res = Results(indicators={"verdict": "compliant", "gap": {"points": None}},
                  buyers=pd.DataFrame({"buyer_siret": ["01234567890123"], "verdict": ["x"]}),
                  contracts=pd.DataFrame({"uid": ["u1"], "amount": [1.0]}),
                  tables={"profile": pd.DataFrame({"key": ["women"], "share": [np.nan]})})
    back = roundtrip({"results": res})["results"]
    assert isinstance(back, Results) and back.indicators == res.indicators
    assert_frame_equal(back.tables["profile"], res.tables["profile"])


def test_other_objects_cannot_be_written() -> None:
    @dataclasses.dataclass
    class Other:
        x: int = 1

    for bad in (Other(), object(), len):
        with pytest.raises(TypeError, match="a session cannot hold"):
            session.encode({"x": bad})


class Payload:
    def __reduce__(self):
        return (print, ("executed",))


@pytest.mark.parametrize("data", [
    pickle.dumps(Payload()),                         # a pickle: refused, never loaded
    b"",
    b"PK\x03\x04garbage",
])
def test_bytes_that_are_not_a_session_are_refused(data: bytes, capsys) -> None:
    with pytest.raises(session.SessionError):
        session.check(data)
    with pytest.raises(session.SessionError):
        session.decode(data)
    assert "executed" not in capsys.readouterr().out


def _rezip(data: bytes, edit) -> bytes:
    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            members[name] = zf.read(name)
    edit(members)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    return buf.getvalue()


def test_altered_archives_are_refused() -> None:
    good = session.encode({"frame": pd.DataFrame({"a": [1, 2]})})
    session.check(good)

    def unknown_class(m):
        header = json.loads(m["session.json"])
        header["value"] = {"$dataclass": "Popen", "fields": {"args": ["touch", "/tmp/x"]}}
        m["session.json"] = json.dumps(header).encode()

    def extra_member(m):
        m["session.pkl"] = pickle.dumps(Payload())

    def broken_frame(m):
        m["frames/0.parquet"] = b"not parquet"

    def wrong_rows(m):
        header = json.loads(m["session.json"])
        header["frames"][0]["rows"] = 5
        m["session.json"] = json.dumps(header).encode()

    with pytest.raises(session.SessionError, match="cannot hold the class 'Popen'"):
        session.decode(_rezip(good, unknown_class))
    with pytest.raises(session.SessionError, match="unexpected members"):
        session.check(_rezip(good, extra_member))
    with pytest.raises(session.SessionError, match="not readable Parquet"):
        session.check(_rezip(good, broken_frame))
    with pytest.raises(session.SessionError, match="2 rows, the header says 5"):
        session.decode(_rezip(good, wrong_rows))


def test_dicts_whose_keys_look_like_tags_round_trip() -> None:
    value = {"fields": {"$df": 0}, "$dataclass": "Results", "$$": 1}
    assert roundtrip(value) == value
    assert roundtrip({"fields": 1}) == {"fields": 1}
