"""Parameters: names, types, YAML loading (DESIGN §4)."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers.params import PARAM_NAMES, ParameterError, Params, load_params, make_params


def test_names_are_exactly_the_design_names():
    assert set(PARAM_NAMES) == {"year", "buyers", "data_dir", "scope", "target", "min_delivery_ratio",
                                "as_of", "min_contracts", "alpha", "etp_hours", "min_cell_size"}


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
