"""Reference tables (``data/reference/``, each with a ``source`` column) and the EU-threshold rule.

docs/design.md §3.1: a contract is *above the EU threshold* when its amount is **greater than or equal
to** the threshold in force at its notification date for its buyer type and its category (Code de la
commande publique art. L2124-1: "égale ou supérieure"). Thresholds change every two years
(``eu_thresholds.csv``: 2020-2021, 2022-2023, 2024-2025, 2026-2027); a date outside the table is an
error, never a guess.

Categories (:func:`contract_category`), from the CPV division (first two digits): ``works`` = 45;
``supplies`` = 03-44 and 48; ``services`` = every other division; ``unknown`` = CPV missing or not
8 digits. An ``unknown`` contract is compared with the supplies/services threshold of its buyer
type (the lower one: a works contract without CPV may then be counted above the threshold, which
the data-quality warnings of the readers make visible).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd

from .config import REFERENCE_DIR
from .schemas import BUYER_TYPES, DEFAULT_BUYER_TYPE

CATEGORIES = ("works", "supplies", "services", "unknown")
THRESHOLD_CATEGORIES = ("works", "supplies", "services")
UNKNOWN_COMPARED_AS = "services"
"""The category whose threshold an ``unknown`` contract is compared with (supplies = services)."""


class ThresholdPeriodError(ValueError):
    """A notification date is outside every period of ``eu_thresholds.csv``."""


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


@lru_cache(maxsize=1)
def _thresholds() -> pd.DataFrame:
    df = _read("eu_thresholds.csv")
    df["valid_from"] = pd.to_datetime(df["valid_from"], format="%Y-%m-%d")
    df["valid_to"] = pd.to_datetime(df["valid_to"], format="%Y-%m-%d")
    df["threshold_eur"] = df["threshold_eur"].astype("float64")
    return df


def load_eu_thresholds() -> pd.DataFrame:
    """``eu_thresholds.csv``: valid_from, valid_to (datetime, both included), buyer_type, category,
    threshold_eur (float, € HT), source."""
    return _thresholds().copy()


@lru_cache(maxsize=1)
def _targets() -> pd.DataFrame:
    df = _read("targets.csv")
    df["value"] = df["value"].astype("float64")
    df["valid_from"] = pd.to_datetime(df["valid_from"], format="%Y-%m-%d")
    df["valid_to"] = pd.to_datetime(df["valid_to"], format="%Y-%m-%d")
    return df


def load_targets() -> pd.DataFrame:
    """``targets.csv``: target, value (share), valid_from, valid_to, measure, source."""
    return _targets().copy()


def load_enums() -> pd.DataFrame:
    """``enums.csv``: enum, value, description, source (the controlled vocabularies of the
    canonical tables; kept equal to :mod:`helpers.schemas` by the tests)."""
    return _read("enums.csv")


def target_for_year(year: int, target: str = "pnad_social_consideration_share") -> float | None:
    """The value of ``target`` in force during ``year`` (None when no period covers that year)."""
    df = _targets()
    rows = df[(df["target"] == target) & (df["valid_from"].dt.year <= year)
              & (df["valid_to"].dt.year >= year)]
    return float(rows["value"].iloc[0]) if len(rows) else None


def contract_category(cpv: pd.Series) -> pd.Series:
    """Contract category from the CPV code (see the module docstring). Vectorised; accepts codes
    with or without the check digit (``45000000-7``)."""
    text = cpv.astype("string").str.strip()
    digits = text.str.extract(r"^(\d{8})(?:-\d)?$")[0]
    division = pd.to_numeric(digits.str.slice(0, 2), errors="coerce").astype("float64")
    out = np.select([division.isna().to_numpy(), (division == 45).to_numpy(),
                     (division.between(3, 44) | (division == 48)).to_numpy()],
                    ["unknown", "works", "supplies"], default="services")
    return pd.Series(out, index=cpv.index, dtype=object, name="category")


def _check_buyer_types(buyer_type: pd.Series) -> pd.Series:
    bt = buyer_type.astype("string").fillna(DEFAULT_BUYER_TYPE)
    bad = sorted(set(bt[~bt.isin(BUYER_TYPES)]))
    if bad:
        raise ValueError(f"unknown buyer type(s) {bad}: expected one of {list(BUYER_TYPES)}")
    return bt.astype(object)


def _period_index(dates: pd.Series) -> np.ndarray:
    """Index of the threshold period of each date; raises when a date falls outside every period."""
    periods = _thresholds()[["valid_from", "valid_to"]].drop_duplicates().sort_values("valid_from")
    starts = periods["valid_from"].to_numpy()
    ends = periods["valid_to"].to_numpy()
    values = pd.to_datetime(dates).astype("datetime64[ns]").to_numpy()
    pos = np.searchsorted(starts, values, side="right") - 1
    inside = (pos >= 0) & ~np.isnat(values)
    inside[inside] = values[inside] <= ends[pos[inside]]
    if not inside.all():
        outside = pd.Series(values[~inside])
        shown = ", ".join(sorted({"missing" if pd.isna(d) else f"{d:%Y-%m-%d}"
                                  for d in outside})[:5])
        raise ThresholdPeriodError(
            f"{(~inside).sum()} notification date(s) outside the EU-threshold table "
            f"({pd.Timestamp(starts[0]):%Y-%m-%d} to {pd.Timestamp(ends.max()):%Y-%m-%d}): "
            f"{shown}. "
            "Add the thresholds of that period to data/reference/eu_thresholds.csv with their "
            "source.")
    return periods.index.to_numpy()[pos]


def eu_threshold_series(contracts: pd.DataFrame, buyer_type: pd.Series) -> pd.Series:
    """The EU threshold (€ HT) in force for each contract: at its ``notification_date``, for its
    buyer type (aligned with ``contracts``; missing = ``collectivite``, docs/design.md §2.7) and its CPV
    category. Vectorised (searchsorted on the periods, then a merge). Raises
    :class:`ThresholdPeriodError` for a date outside the table, ValueError for an unknown buyer
    type."""
    bt = _check_buyer_types(buyer_type.reindex(contracts.index))
    table = _thresholds()
    period_row = _period_index(contracts["notification_date"])
    category = contract_category(contracts["cpv"]).replace({"unknown": UNKNOWN_COMPARED_AS})
    keys = pd.DataFrame({"valid_from": table.loc[period_row, "valid_from"].to_numpy(),
                         "buyer_type": bt.to_numpy(), "category": category.to_numpy()})
    merged = keys.merge(table[["valid_from", "buyer_type", "category", "threshold_eur"]],
                        on=["valid_from", "buyer_type", "category"], how="left", validate="m:1")
    if merged["threshold_eur"].isna().any():
        raise ValueError("eu_thresholds.csv lacks a (period, buyer_type, category) combination")
    return pd.Series(merged["threshold_eur"].to_numpy(), index=contracts.index,
                     name="eu_threshold")


def above_eu_threshold(contracts: pd.DataFrame, buyer_type: pd.Series) -> pd.Series:
    """True where ``amount`` ≥ the EU threshold in force (equal counts as above, docs/design.md §3.1).
    A missing amount is not above. See :func:`eu_threshold_series` for the errors."""
    threshold = eu_threshold_series(contracts, buyer_type)
    above = (contracts["amount"] >= threshold).fillna(False).astype(bool)
    return above.rename("above_eu_threshold")


def eu_threshold(date: dt.date | str | pd.Timestamp, buyer_type: str, category: str) -> float:
    """The EU threshold (€ HT) in force on ``date`` for one buyer type and one category
    (``works``, ``supplies``, ``services`` or ``unknown``)."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}: expected one of {list(CATEGORIES)}")
    cpv = {"works": "45000000", "supplies": "30000000", "services": "79000000",
           "unknown": None}[category]
    one = pd.DataFrame({"notification_date": [pd.Timestamp(date)], "cpv": [cpv]})
    return float(eu_threshold_series(one, pd.Series([buyer_type])).iloc[0])
