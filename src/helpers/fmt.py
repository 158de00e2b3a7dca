"""Numbers, amounts, hours, dates, p-values and intervals as a reader of the reports sees them.

Every value is formatted with Babel's copy of the Unicode CLDR data, never with the machine's locale
(``locale.setlocale`` is never called), so a report built on any computer holds the same characters.
Two languages are supported: ``"fr"`` (the default) and ``"en"``.

Spaces, as CLDR gives them for French (and kept everywhere, so strings compare equal):

- thousands separator: U+202F NARROW NO-BREAK SPACE (``10 868 964``);
- before a unit (``%``, ``€ HT``, ``h``) and inside ``€ HT``: U+00A0 NO-BREAK SPACE, so a value and
  its unit never fall on two lines (``48,9 %``, ``10 868 964 € HT``, ``446 477 h``);
- in an interval, U+202F before the semicolon (French typography) and an ordinary space after it:
  ``[41,2 % ; 55,6 %]``.

English uses CLDR's ``en`` symbols (``48.9%``, ``10,868,964``) with the same U+00A0 before ``h`` and
before ``excl. VAT``.

A missing value (``None``, NaN, ``pandas.NA``) is shown as an em dash ``—`` by every function.

Rounding is Babel's (decimal half-even on the float's exact value): 0.4885 is stored as 0.48849999…
and shows as ``48,8 %``. Amounts are shown in whole euros excluding VAT, one unit for every amount
(never thousands or millions of euros), because an amount is compared with the ones beside it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from babel import dates as _dates
from babel import numbers as _numbers

#: Languages the reports are written in; the first is the default.
LANGUAGES: tuple[str, ...] = ("fr", "en")
#: What every function returns for a missing value.
MISSING = "—"
#: Thousands separator of French numbers (CLDR ``fr``).
NNBSP = "\u202f"
#: Space between a value and its unit.
NBSP = "\u00a0"
#: Below this, a p-value is written ``p < 0,0001``.
P_FLOOR = 0.0001

_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
_MONEY_SUFFIX = {"fr": f"{NBSP}€{NBSP}HT", "en": f"{NBSP}excl.{NBSP}VAT"}


def check_lang(lang: str) -> str:
    """``lang`` if it is a supported language, else a ``ValueError`` naming the choices."""
    if lang not in _LOCALES:
        raise ValueError(f"language {lang!r} is not supported: use one of {', '.join(LANGUAGES)}")
    return lang


def is_missing(value: Any) -> bool:
    """True for ``None``, NaN, ``pandas.NA``/``NaT`` and empty strings."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _locale(lang: str) -> str:
    return _LOCALES[check_lang(lang)]


def _decimal_pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def number(value: Any, lang: str = "fr", digits: int = 0) -> str:
    """A number with ``digits`` decimals and the language's separators.

    ``number(10868964)`` → ``"10 868 964"`` (fr, U+202F) / ``"10,868,964"`` (en);
    ``number(397.6, digits=1)`` → ``"397,6"`` (fr).
    """
    if is_missing(value):
        return MISSING
    return _numbers.format_decimal(float(value), format=_decimal_pattern(digits),
                                   locale=_locale(lang))


def share(value: Any, lang: str = "fr", digits: int = 1) -> str:
    """A share in [0, 1] as a percentage with ``digits`` decimals: ``0.489`` → ``"48,9 %"`` (fr,
    U+00A0 before %) / ``"48.9%"`` (en)."""
    if is_missing(value):
        return MISSING
    loc = _numbers.Locale.parse(_locale(lang))
    # the language's own percent pattern ("#,##0 %" in fr, "#,##0%" in en) with the decimals asked
    pattern = loc.percent_formats[None].pattern.replace("#,##0", _decimal_pattern(digits), 1)
    return _numbers.format_percent(float(value), format=pattern, locale=loc)


def target(value: Any, lang: str = "fr") -> str:
    """A target share without useless decimals: ``0.3`` → ``"30 %"``, ``0.275`` → ``"27,5 %"``."""
    if is_missing(value):
        return MISSING
    v = float(value) * 100
    return share(value, lang, 0 if abs(v - round(v)) < 1e-9 else 1)


def points(value: Any, lang: str = "fr", digits: int = 1) -> str:
    """Percentage points: ``12.1`` → ``"12,1 points"`` (fr) / ``"12.1 points"`` (en)."""
    if is_missing(value):
        return MISSING
    return f"{number(value, lang, digits)}{NBSP}points"


def money(value: Any, lang: str = "fr") -> str:
    """An amount in whole euros excluding VAT: ``10868964.3`` → ``"10 868 964 € HT"`` (fr) /
    ``"€10,868,964 excl. VAT"`` (en)."""
    if is_missing(value):
        return MISSING
    if lang == "en":
        body = _numbers.format_currency(float(value), "EUR", format="¤#,##0", locale=_locale(lang),
                                        currency_digits=False)
        return body + _MONEY_SUFFIX["en"]
    return number(value, lang) + _MONEY_SUFFIX[check_lang(lang)]


def hours(value: Any, lang: str = "fr") -> str:
    """Whole hours: ``446477`` → ``"446 477 h"`` (fr) / ``"446,477 h"`` (en)."""
    if is_missing(value):
        return MISSING
    return f"{number(value, lang)}{NBSP}h"


def date(value: Any, lang: str = "fr") -> str:
    """A date: ``"2024-12-31"`` → ``"31/12/2024"`` (fr) / ``"31 Dec 2024"`` (en). Accepts ISO strings,
    ``datetime.date``/``datetime`` and pandas timestamps."""
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        d = dt.date.fromisoformat(value.strip()[:10])
    elif isinstance(value, dt.datetime):
        d = value.date()
    elif isinstance(value, dt.date):
        d = value
    else:  # pandas.Timestamp, numpy.datetime64
        import pandas as pd

        d = pd.Timestamp(value).date()
    pattern = "dd/MM/y" if check_lang(lang) == "fr" else "d MMM y"
    return _dates.format_date(d, pattern, locale=_locale(lang))


def pvalue(value: Any, lang: str = "fr", name: str = "p") -> str:
    """A p-value (or q-value, with ``name="q"``) with at most two significant digits: ``0.0123`` →
    ``"p = 0,012"``; below 0.0001 → ``"p < 0,0001"`` (fr; en uses a decimal point)."""
    if is_missing(value):
        return MISSING
    p = float(value)
    if p < P_FLOOR:
        return f"{name} < {_numbers.format_decimal(P_FLOOR, format='0.0###', locale=_locale(lang))}"
    return f"{name} = {_numbers.format_decimal(p, format='@#', locale=_locale(lang))}"


def ci(low: Any, high: Any, lang: str = "fr", digits: int = 1) -> str:
    """A 95 % interval of shares: ``(0.412, 0.556)`` → ``"[41,2 % ; 55,6 %]"`` (fr) /
    ``"[41.2%, 55.6%]"`` (en). ``—`` when either bound is missing."""
    if is_missing(low) or is_missing(high):
        return MISSING
    sep = f"{NNBSP}; " if check_lang(lang) == "fr" else ", "
    return f"[{share(low, lang, digits)}{sep}{share(high, lang, digits)}]"


def ci_pair(bounds: Any, lang: str = "fr", digits: int = 1) -> str:
    """:func:`ci` of a ``[low, high]`` list as stored in ``indicators.json`` (``None`` → ``—``)."""
    if not isinstance(bounds, (list, tuple)) or len(bounds) != 2:
        return MISSING
    return ci(bounds[0], bounds[1], lang, digits)
