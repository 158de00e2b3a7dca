"""Parameters: names, types, YAML loading (docs/design.md §4.1)."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers.config import DEFAULT_PARAMS, MAX_PARAMS_BYTES
from helpers.params import MAX_YAML_DEPTH, PARAM_NAMES, ParameterError, Params, load_params, make_params


def test_names_are_exactly_the_design_names():
    assert PARAM_NAMES == ("year", "buyers", "data_dir", "scope", "target", "min_delivery_ratio",
                           "as_of", "min_contracts", "alpha", "etp_hours", "min_cell_size",
                           "allow_small_cells", "language")
    assert list(DEFAULT_PARAMS) == list(PARAM_NAMES)
    assert (Params().allow_small_cells, Params().language) == (False, "fr")


def test_defaults_follow_design_section_3():
    p = Params()
    assert (p.scope, p.target, p.min_delivery_ratio, p.min_contracts, p.alpha, p.etp_hours,
            p.min_cell_size) == ("above_eu_thresholds", 0.30, 0.8, 5, 0.05, 1607.0, 11)


def test_as_of_defaults_to_31_december_of_year():
    assert make_params({"year": 2023}).as_of_date == dt.date(2023, 12, 31)
    assert make_params({"year": 2023, "as_of": "2024-03-01"}).as_of_date == dt.date(2024, 3, 1)


def test_yaml_keeps_quoted_siret_leading_zero(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text('year: 2024\nbuyers: ["01234567800019"]\nas_of: 2024-06-30\n', encoding="utf-8")
    p = load_params(f)
    assert p.buyers == ["01234567800019"]
    assert p.as_of == "2024-06-30"  # YAML reads an unquoted date as a date: converted back to ISO


def test_yaml_unquoted_siret_is_refused_not_silently_truncated(tmp_path):
    f = tmp_path / "p.yml"
    # PyYAML reads an unquoted 0-prefixed run of digits 0-7 as an octal integer: the SIRET is lost.
    f.write_text("buyers: [01234567000012]\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="SIRET"):
        load_params(f)


def test_unknown_names_are_an_error_listing_all(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("year: 2024\nyaer: 2023\ntargett: 0.3\n", encoding="utf-8")
    with pytest.raises(ParameterError) as exc:
        load_params(f)
    assert "yaer" in str(exc.value) and "targett" in str(exc.value)


def test_every_bad_value_is_listed():
    with pytest.raises(ParameterError) as exc:
        make_params({"year": "2024", "scope": "some", "target": 1.5, "min_cell_size": -1})
    msg = str(exc.value)
    for name in ("year", "scope", "target", "min_cell_size"):
        assert f"{name}:" in msg


def test_overrides_win_over_file_and_none_is_ignored(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("year: 2022\ntarget: 0.25\n", encoding="utf-8")
    p = load_params(f, year=2024, target=None)
    assert (p.year, p.target) == (2024, 0.25)


# --------------------------------------------------------------------------------------------------
# hostile or careless parameters
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [1e-320, 0.5, 10_000.5, float("inf"), float("nan"), -1607])
def test_etp_hours_outside_1_to_10000_is_refused(value):
    with pytest.raises(ParameterError, match="etp_hours: expected the hours of one full-time "
                                             "equivalent, between 1 and 10000"):
        make_params({"etp_hours": value})


def test_etp_hours_bounds_are_accepted():
    assert make_params({"etp_hours": 1}).etp_hours == 1.0
    assert make_params({"etp_hours": 10_000}).etp_hours == 10_000.0


def test_etp_hours_tiny_from_yaml_is_refused(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("etp_hours: 1.0e-320\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="etp_hours"):
        load_params(f)


def test_min_cell_size_below_11_needs_allow_small_cells():
    with pytest.raises(ParameterError, match="min_cell_size: 5 is below 11.*allow_small_cells: "
                                             "true"):
        make_params({"min_cell_size": 5})
    with pytest.raises(ParameterError, match="min_cell_size: 10 is below 11"):
        make_params({"min_cell_size": 10, "allow_small_cells": False})
    p = make_params({"min_cell_size": 5, "allow_small_cells": True})
    assert (p.min_cell_size, p.allow_small_cells) == (5, True)
    assert make_params({"min_cell_size": 11}).min_cell_size == 11
    assert make_params({"min_cell_size": 50}).min_cell_size == 50


@pytest.mark.parametrize("value", ["true", "yes", 1, 0, None, [True]])
def test_allow_small_cells_must_be_a_real_boolean(value):
    with pytest.raises(ParameterError, match="allow_small_cells: expected true or false"):
        make_params({"allow_small_cells": value})


def test_language_is_fr_or_en():
    assert make_params({"language": "en"}).language == "en"
    for bad in ("EN", "de", "", None, 1):
        with pytest.raises(ParameterError, match="language: expected one of fr, en"):
            make_params({"language": bad})


def test_yaml_booleans_are_booleans(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text('allow_small_cells: true\nmin_cell_size: 3\nlanguage: en\n', encoding="utf-8")
    p = load_params(f)
    assert (p.allow_small_cells, p.min_cell_size, p.language) == (True, 3, "en")
    f.write_text('allow_small_cells: "true"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="expected true or false, got 'true'"):
        load_params(f)


def test_yaml_billion_laughs_is_refused_quickly(tmp_path):
    import time

    f = tmp_path / "p.yml"
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    f.write_text("\n".join(lines) + "\nbuyers: *a8\n", encoding="utf-8")  # 10^9 strings
    start = time.monotonic()
    with pytest.raises(ParameterError, match=r"p.yml: not valid YAML: aliases \(\*name\) are not "
                                             r"allowed(.|\n)*line 2"):
        load_params(f)
    assert time.monotonic() - start < 2


def test_yaml_nested_too_deep_is_refused(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("buyers: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=f"nested more than {MAX_YAML_DEPTH} levels deep"):
        load_params(f)


def test_yaml_larger_than_the_limit_is_refused_unread(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("# " + "x" * MAX_PARAMS_BYTES + "\nyear: 2024\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=f"more than the limit of {MAX_PARAMS_BYTES}"):
        load_params(f)


def test_params_file_missing_folder_fifo_or_not_utf8(tmp_path):
    import os

    with pytest.raises(ParameterError, match="nope.yml: parameters file not found"):
        load_params(tmp_path / "nope.yml")
    with pytest.raises(ParameterError, match="is a folder, not a YAML parameters file"):
        load_params(tmp_path)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.yml")
        with pytest.raises(ParameterError, match="pipe.yml: not a regular file"):
            load_params(tmp_path / "pipe.yml")
    latin = tmp_path / "latin.yml"
    latin.write_bytes("buyers: ['Montélimar']\n".encode("cp1252"))
    # by hand: "buyers: ['Mont" is 14 bytes, so the cp1252 é is byte 14
    with pytest.raises(ParameterError, match="latin.yml: not UTF-8 text \\(byte 14\\)"):
        load_params(latin)


def test_non_text_names_are_refused(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("1: 2\nyear: 2024\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="parameter names must be text, got 1"):
        load_params(f)
