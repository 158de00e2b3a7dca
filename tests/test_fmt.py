"""Formatting of numbers, amounts, dates and p-values (helpers.fmt): literal expected strings.

French spaces: U+202F (narrow no-break) between thousands and before the interval's semicolon,
U+00A0 (no-break) before a unit. They are spelled out below so a test cannot pass by accident with
ordinary spaces.
"""

from __future__ import annotations

import datetime as dt
import locale

import numpy as np
import pandas as pd
import pytest

from helpers import fmt

NN = "\u202f"  # narrow no-break space
NB = "\u00a0"  # no-break space


def test_share_fr_en():
    assert fmt.share(0.489, "fr") == f"48,9{NB}%"
    assert fmt.share(0.489, "en") == "48.9%"
    assert fmt.share(0.3, "fr", digits=0) == f"30{NB}%"
    assert fmt.share(1.0, "fr") == f"100,0{NB}%"
    # 0.00051 = 0.051 % → one decimal: 0,1 %
    assert fmt.share(0.00051, "fr") == f"0,1{NB}%"


def test_number_money_hours():
    assert fmt.number(10868964) == f"10{NN}868{NN}964"
    assert fmt.number(10868964, "en") == "10,868,964"
    assert fmt.number(397.61, "fr", digits=1) == "397,6"
    assert fmt.number(999) == "999"
    assert fmt.money(10868964.3) == f"10{NN}868{NN}964{NB}€{NB}HT"
    assert fmt.money(10868964.3, "en") == f"€10,868,964{NB}excl.{NB}VAT"
    # 0.5 € rounds half-even to 0 €, 1.5 € to 2 €
    assert fmt.money(0.5) == f"0{NB}€{NB}HT"
    assert fmt.money(1.5) == f"2{NB}€{NB}HT"
    assert fmt.hours(446477) == f"446{NN}477{NB}h"
    assert fmt.hours(446477, "en") == f"446,477{NB}h"


def test_date():
    assert fmt.date("2024-12-31") == "31/12/2024"
    assert fmt.date("2024-12-31", "en") == "31 Dec 2024"
    assert fmt.date(dt.date(2024, 1, 5)) == "05/01/2024"
    assert fmt.date(pd.Timestamp("2024-03-01 10:00")) == "01/03/2024"
    assert fmt.date(dt.datetime(2024, 3, 1, 23, 59), "en") == "1 Mar 2024"


def test_pvalue_and_ci():
    assert fmt.pvalue(0.00001) == "p < 0,0001"
    assert fmt.pvalue(0.00001, "en") == "p < 0.0001"
    assert fmt.pvalue(0.0123) == "p = 0,012"
    assert fmt.pvalue(0.0001) == "p = 0,0001"  # at the floor: not "<"
    assert fmt.pvalue(0.5) == "p = 0,5"
    assert fmt.pvalue(1.0) == "p = 1"
    assert fmt.pvalue(0.04567, "en") == "p = 0.046"
    assert fmt.pvalue(0.003, name="q") == "q = 0,003"
    assert fmt.ci(0.412, 0.556) == f"[41,2{NB}%{NN}; 55,6{NB}%]"
    assert fmt.ci(0.412, 0.556, "en") == "[41.2%, 55.6%]"
    assert fmt.ci_pair([0.1, 0.2]) == f"[10,0{NB}%{NN}; 20,0{NB}%]"
    assert fmt.ci_pair(None) == "—"
    assert fmt.ci(0.1, None) == "—"


def test_target_and_points():
    assert fmt.target(0.3) == f"30{NB}%"
    assert fmt.target(0.275) == f"27,5{NB}%"
    assert fmt.target(0.3, "en") == "30%"
    assert fmt.points(12.1) == f"12,1{NB}points"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, ""])
def test_missing_is_dash(missing):
    for f in (fmt.share, fmt.number, fmt.money, fmt.hours, fmt.date, fmt.pvalue, fmt.target,
              fmt.points):
        assert f(missing) == "—"
        assert f(missing, "en") == "—"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="fr, en"):
        fmt.share(0.5, "de")


def test_machine_locale_has_no_effect():
    """Setting the process locale to C or en_US changes nothing: Babel's data are used."""
    before = fmt.money(1234567.0)
    old = locale.setlocale(locale.LC_ALL)
    try:
        for name in ("C", "en_US.UTF-8", "de_DE.UTF-8"):
            try:
                locale.setlocale(locale.LC_ALL, name)
            except locale.Error:
                continue
            assert fmt.money(1234567.0) == before == f"1{NN}234{NN}567{NB}€{NB}HT"
    finally:
        locale.setlocale(locale.LC_ALL, old)
