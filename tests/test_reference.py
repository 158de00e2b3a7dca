"""Reference tables and the EU-threshold rule (docs/design.md §3.1): values checked against the
published thresholds, at the boundary dates and amounts, for every buyer type."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import reference, schemas
from helpers.reference import (
    ThresholdPeriodError,
    above_eu_threshold,
    contract_category,
    eu_threshold,
    eu_threshold_series,
)

# Published thresholds (€ HT): supplies & services for etat / collectivite / entite_adjudicatrice,
# then works (all buyer types).
PUBLISHED = {
    "2021-12-31": (139_000, 214_000, 428_000, 5_350_000),
    "2022-01-01": (140_000, 215_000, 431_000, 5_382_000),
    "2023-12-31": (140_000, 215_000, 431_000, 5_382_000),
    "2024-01-01": (143_000, 221_000, 443_000, 5_538_000),
    "2025-12-31": (143_000, 221_000, 443_000, 5_538_000),
    "2026-01-01": (140_000, 216_000, 432_000, 5_404_000),
}
BUYERS = ("etat", "collectivite", "entite_adjudicatrice")


@pytest.mark.parametrize("date", sorted(PUBLISHED))
def test_thresholds_at_period_boundaries(date: str) -> None:
    *supplies_services, works = PUBLISHED[date]
    for buyer, expected in zip(BUYERS, supplies_services, strict=True):
        assert eu_threshold(date, buyer, "supplies") == expected
        assert eu_threshold(date, buyer, "services") == expected
        assert eu_threshold(date, buyer, "unknown") == expected  # compared as supplies/services
        assert eu_threshold(date, buyer, "works") == works


def test_amount_equal_is_above_one_cent_below_is_not() -> None:
    rows = []
    for date in ("2023-12-31", "2024-01-01"):
        *ss, works = PUBLISHED[date]
        for buyer, threshold in zip(BUYERS, ss, strict=True):
            rows += [(date, buyer, "79000000", threshold, True),
                     (date, buyer, "79000000", threshold - 0.01, False),
                     (date, buyer, "45000000", works, True),
                     (date, buyer, "45000000", works - 0.01, False)]
    frame = pd.DataFrame(rows, columns=["notification_date", "buyer_type", "cpv", "amount",
                                        "expected"])
    frame["notification_date"] = pd.to_datetime(frame["notification_date"])
    frame.index = range(100, 100 + len(frame))  # a non-default index stays aligned
    result = above_eu_threshold(frame, frame["buyer_type"])
    assert result.dtype == bool and list(result.index) == list(frame.index)
    assert result.tolist() == frame["expected"].tolist()


def test_the_same_amount_changes_side_across_the_new_year() -> None:
    # 220 000 € of services for a collectivité: below 221 000 in 2024, above 215 000 in 2023 and
    # above 216 000 in 2026
    frame = pd.DataFrame({"notification_date": pd.to_datetime(["2023-12-31", "2024-01-01",
                                                               "2026-01-01"]),
                          "cpv": ["79000000"] * 3, "amount": [220_000.0] * 3})
    assert above_eu_threshold(frame, pd.Series(["collectivite"] * 3)).tolist() == [True, False,
                                                                                    True]


def test_missing_buyer_type_defaults_to_collectivite_and_missing_amount_is_not_above() -> None:
    frame = pd.DataFrame({"notification_date": pd.to_datetime(["2024-06-01", "2024-06-01"]),
                          "cpv": ["30000000", None], "amount": [221_000.0, float("nan")]})
    assert eu_threshold_series(frame, pd.Series([None, None])).tolist() == [221_000.0, 221_000.0]
    assert above_eu_threshold(frame, pd.Series([None, "etat"])).tolist() == [True, False]


def test_date_outside_the_table_is_a_clear_error() -> None:
    frame = pd.DataFrame({"notification_date": pd.to_datetime(["2019-12-31", "2024-01-01",
                                                               "2028-01-01"]),
                          "cpv": ["79000000"] * 3, "amount": [1.0] * 3})
    with pytest.raises(ThresholdPeriodError) as exc:
        above_eu_threshold(frame, pd.Series(["etat"] * 3))
    message = str(exc.value)
    assert "2 notification date(s)" in message
    assert "2019-12-31" in message and "2028-01-01" in message and "eu_thresholds.csv" in message
    with pytest.raises(ThresholdPeriodError):
        eu_threshold("2019-12-31", "etat", "works")


def test_unknown_buyer_type_or_category_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown buyer type"):
        eu_threshold("2024-01-01", "commune", "works")
    with pytest.raises(ValueError, match="unknown category"):
        eu_threshold("2024-01-01", "etat", "travaux")


def test_contract_category_from_cpv_division() -> None:
    cpv = pd.Series(["45000000-7", "45233140", "03000000", "44999999", "48000000", "30192000",
                     "49000000", "50000000", "79000000", "02000000", "INX 67151000-0", "4500",
                     None], index=range(13, 0, -1))
    expected = ["works", "works", "supplies", "supplies", "supplies", "supplies", "services",
                "services", "services", "services", "unknown", "unknown", "unknown"]
    result = contract_category(cpv)
    assert result.tolist() == expected and list(result.index) == list(cpv.index)


def test_reference_tables_have_sources() -> None:
    thresholds = reference.load_eu_thresholds()
    targets = reference.load_targets()
    enums = reference.load_enums()
    for table in (thresholds, targets, enums):
        assert (table["source"].str.strip() != "").all()
    # 4 periods x 3 buyer types x 3 categories, no gap and no overlap between periods
    assert len(thresholds) == 36
    periods = thresholds[["valid_from", "valid_to"]].drop_duplicates().sort_values("valid_from")
    gaps = periods["valid_from"].iloc[1:].to_numpy() - periods["valid_to"].iloc[:-1].to_numpy()
    assert (gaps == pd.Timedelta(days=1)).all()
    assert reference.target_for_year(2022) == 0.30 and reference.target_for_year(2025) == 0.30
    assert reference.target_for_year(2026) is None


def test_enums_table_matches_the_schemas() -> None:
    enums = reference.load_enums()
    def values(name: str) -> list[str]:
        return enums.loc[enums["enum"] == name, "value"].tolist()
    assert values("social_consideration") == list(schemas.SOCIAL_CONSIDERATIONS)
    assert values("declaring_consideration") == list(schemas.DECLARING_CONSIDERATIONS)
    assert values("buyer_type") == list(schemas.BUYER_TYPES)
    assert values("supplier_kind") == list(schemas.SUPPLIER_KINDS)
    assert values("exit_outcome") == list(schemas.EXIT_OUTCOMES)
    assert values("diploma_level") == list(schemas.DIPLOMA_LEVELS)
    assert values("public_category") == list(schemas.PUBLIC_CATEGORIES)
    assert values("modality") == list(schemas.MODALITIES)
    assert values("sex") == list(schemas.SEXES)
    assert values("contract_category") == list(reference.CATEGORIES)
