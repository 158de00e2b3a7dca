"""Formula neutralisation of the CSV files the tool writes (helpers.safe_csv), on hand-built frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import yearly
from helpers.dataset import Dataset
from helpers.indicators.results import Results, write_results
from helpers.safe_csv import neutralise, neutralise_frame


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("Ville de Rennes", "Ville de Rennes"),
    ("a=b", "a=b"),                       # only the first character matters
    ("-5", "-5"),                         # numbers written as text stay numbers
    ("+3.5", "+3.5"),
    ("-1,5", "-1,5"),
    ("-1e-3", "-1e-3"),
    ("", ""),
    (-5, -5),                             # numbers are never touched
    (-1.5, -1.5),
    (None, None),
])
def test_neutralise(value, expected) -> None:
    assert neutralise(value) == expected


def test_frame_text_cells_and_labels_only() -> None:
    df = pd.DataFrame({
        "buyer_name": ["=1+1", "Métropole", None, "@evil"],
        "amount": [-1200.5, 3.0, np.nan, -0.0],
        "n": [-1, 2, 3, 4],
        "flag": [True, False, True, False],
        "when": pd.to_datetime(["2024-01-01", None, "2024-02-01", "2024-03-01"]),
        "=label": ["-5", "-x", "ok", "+"],
    })
    df["kind"] = pd.Categorical(["=a", "b", "b", "=a"])
    df["code"] = pd.array(["+x", None, "y", "z"], dtype="string")
    before = df.copy()
    out = neutralise_frame(df)
    pd.testing.assert_frame_equal(df, before)  # the input is not modified
    assert list(out.columns) == ["buyer_name", "amount", "n", "flag", "when", "'=label", "kind",
                                 "code"]
    assert out["buyer_name"].tolist() == ["'=1+1", "Métropole", None, "'@evil"]
    assert out["'=label"].tolist() == ["-5", "'-x", "ok", "'+"]
    assert out["kind"].tolist() == ["'=a", "b", "b", "'=a"] and out["kind"].dtype == "category"
    assert out["code"].tolist() == ["'+x", pd.NA, "y", "z"] and out["code"].dtype == "string"
    for col in ("amount", "n", "flag", "when"):  # numbers, booleans and dates untouched
        pd.testing.assert_series_equal(out[col], df[col])
    clean = pd.DataFrame({"a": ["x", "y"], "b": [-1, 2]})
    assert neutralise_frame(clean) is clean  # nothing to change: no copy


def test_written_files_hold_the_apostrophe(tmp_path) -> None:
    res = Results(indicators={"year": 2024},
                  buyers=pd.DataFrame({"buyer_siret": ["01234567890123"],
                                       "buyer_name": ["=HYPERLINK(\"http://x\",\"Ville\")"],
                                       "gap_points": [-12.5]}),
                  contracts=pd.DataFrame({"uid": ["u1"], "amount": [-100.0],
                                          "considerations": ["+clause"]}))
    write_results(res, tmp_path)
    assert (tmp_path / "buyers.csv").read_text(encoding="utf-8") == (
        "buyer_siret,buyer_name,gap_points\n"
        "01234567890123,\"'=HYPERLINK(\"\"http://x\"\",\"\"Ville\"\")\",-12.5\n")
    assert (tmp_path / "contracts.csv").read_text(encoding="utf-8") == \
        "uid,amount,considerations\nu1,-100,'+clause\n"
    ds = Dataset()
    ds.rejected = {"clauses": pd.DataFrame({"file": ["c.csv"], "_row": [4],
                                            "planned_hours": ["=1+2"], "reason": ["-x: bad"]})}
    yearly.write_rejected(ds, tmp_path)
    assert (tmp_path / "rejected" / "clauses.csv").read_text(encoding="utf-8") == \
        "file,_row,planned_hours,reason\nc.csv,4,'=1+2,'-x: bad\n"
