"""Trends (issue 5): tidy table, verdict changes, reference series — on hand-made per-year results."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import trends

A, B, C = "11111111111111", "22222222222222", "03333333333333"


def _buyers(rows: list[tuple[str, str, int, int, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["buyer_siret", "buyer_name", "assessable_contracts",
                                       "declared_n", "effective_n", "verdict"])


def _indicators(n: int, dec: int, eff: int, verdict: str) -> dict:
    return {"assessable_contracts": n, "verdict": verdict, "significant": False,
            "declared": {"n": dec, "share": dec / n, "ci95": [dec / n - 0.1, dec / n + 0.1]},
            "effective": {"n": eff, "share": eff / n, "ci95": [eff / n - 0.1, eff / n + 0.1]},
            "gap": {"points": 100 * (dec - eff) / n}}


@pytest.fixture()
def snapshots() -> list[dict]:
    # 2023: A declares 4/10, delivers 1/10 -> social_washing; B 2/10 declared, 4/10 effective -> compliant
    # 2024: A 4/10 and 4/10 -> compliant (cleared); B 5/10 declared, 1/10 effective -> social_washing
    # (newly flagged); C appears with 3 contracts -> insufficient_data (absent -> changed)
    return [
        {"year": 2023, "indicators": _indicators(20, 6, 5, "below_target"),
         "buyers": _buyers([(A, "Ville A", 10, 4, 1, "social_washing"),
                            (B, "Ville B", 10, 2, 4, "compliant")])},
        {"year": 2024, "indicators": _indicators(23, 9, 6, "below_target"),
         "buyers": _buyers([(B, "Ville B", 10, 5, 1, "social_washing"),
                            (A, "Ville A", 10, 4, 4, "compliant"),
                            (C, "Ville C", 3, 0, 1, "insufficient_data")])},
    ]


def test_tidy_table_rows_shares_and_wilson_intervals(snapshots: list[dict]) -> None:
    tidy = trends.tidy_table(snapshots)
    # 2023: ALL + 2 buyers; 2024: ALL + 3 buyers
    assert len(tidy) == 7
    assert tidy["buyer_siret"].tolist() == ["ALL", A, B, "ALL", C, A, B]
    a23 = tidy[(tidy.year == 2023) & (tidy.buyer_siret == A)].iloc[0]
    assert a23["declared_share"] == pytest.approx(0.4)
    # Wilson 4/10, z = 1.959964: centre (0.4 + z²/20)/(1 + z²/10) = 0.592073/1.384146 = 0.427752,
    # half-width z·sqrt(0.024 + z²/400)/(1 + z²/10) = 1.959964·0.183313/1.384146 = 0.259572
    assert a23["declared_ci_low"] == pytest.approx(0.168180, abs=1e-5)
    assert a23["declared_ci_high"] == pytest.approx(0.687324, abs=1e-5)
    # effective 1/10: Wilson (0.017875, 0.404150)
    assert a23["effective_ci_low"] == pytest.approx(0.017875, abs=1e-5)
    assert a23["effective_ci_high"] == pytest.approx(0.404150, abs=1e-5)
    all24 = tidy[(tidy.year == 2024) & (tidy.buyer_siret == "ALL")].iloc[0]
    assert all24["declared_share"] == pytest.approx(9 / 23)
    # the whole-scope interval is taken from indicators.json (the fixture's share ± 0.1)
    assert all24["declared_ci_low"] == pytest.approx(9 / 23 - 0.1)
    assert all24["declared_ci_high"] == pytest.approx(9 / 23 + 0.1)
    assert all24["buyer_name"] == trends.ALL_NAME
    assert list(tidy.columns) == trends.TIDY_COLUMNS


def test_tidy_table_names_missing_column(snapshots: list[dict]) -> None:
    snapshots[0]["buyers"] = snapshots[0]["buyers"].drop(columns="effective_n")
    with pytest.raises(ValueError, match="2023.*effective_n"):
        trends.tidy_table(snapshots)


def test_verdict_changes_classifies_each_transition(snapshots: list[dict]) -> None:
    changes = trends.verdict_changes(trends.tidy_table(snapshots))
    got = {r.buyer_siret: (r.verdict_from, r.verdict_to, r.change) for r in changes.itertuples()}
    assert got == {
        A: ("social_washing", "compliant", "cleared"),
        B: ("compliant", "social_washing", "newly_flagged"),
        C: ("absent", "insufficient_data", "changed"),
        "ALL": ("below_target", "below_target", "unchanged"),
    }
    assert set(changes["year_from"]) == {2023} and set(changes["year_to"]) == {2024}
    # order: newly_flagged, cleared, changed, unchanged
    assert changes["change"].tolist() == ["newly_flagged", "cleared", "changed", "unchanged"]
    summary = trends.change_summary(changes)
    assert summary.loc[2024].tolist() == [1, 1, 1, 1]
    assert "ALL" not in set(trends.verdict_changes(trends.tidy_table(snapshots),
                                                   include_scope=False)["buyer_siret"])


def test_verdict_changes_skips_gaps_between_available_years(snapshots: list[dict]) -> None:
    # 2023 and 2025 only: the pair is (2023, 2025), consecutive among the AVAILABLE years
    snapshots[1]["year"] = 2025
    changes = trends.verdict_changes(trends.tidy_table(snapshots))
    assert set(zip(changes["year_from"], changes["year_to"])) == {(2023, 2025)}
    assert trends.verdict_changes(trends.tidy_table(snapshots[:1])).empty


def test_snapshots_from_reports_round_trip_keeps_siret_zeros(tmp_path, snapshots: list[dict]) -> None:
    for snap in snapshots:
        folder = tmp_path / str(snap["year"])
        folder.mkdir()
        (folder / "indicators.json").write_text(json.dumps(snap["indicators"]), encoding="utf-8")
        snap["buyers"].to_csv(folder / "buyers.csv", index=False)
    (tmp_path / "trends").mkdir()  # not a year: ignored
    read = trends.snapshots_from_reports(tmp_path)
    assert [s["year"] for s in read] == [2023, 2024]
    assert C in set(read[1]["buyers"]["buyer_siret"])  # "03333333333333", leading zero kept
    with pytest.raises(FileNotFoundError, match="2022"):
        trends.snapshots_from_reports(tmp_path, years=[2022])


def test_reference_series_and_milestones() -> None:
    official = trends.load_official_shares()
    assert official["year"].tolist() == [2019, 2021, 2022, 2023]
    assert official["share"].tolist() == [0.125, 0.132, 0.223, 0.187]
    assert official["source"].str.contains("OECP").all()
    ms = trends.load_milestones().set_index("kind")
    assert ms.loc["series_break", "x"] == pytest.approx(2023.5)  # 1 Jan 2024 = between 2023 and 2024
    # 22 August 2026 is day 234 of a 365-day year: 2025.5 + 233/365
    assert ms.loc["obligation", "x"] == pytest.approx(2025.5 + 233 / 365)
    assert ms["source"].str.len().gt(20).all()


def test_trend_figure_marks_target_official_series_and_milestones(snapshots: list[dict]) -> None:
    tidy = trends.tidy_table(snapshots)
    fig = trends.trend_figure(tidy, 0.30, official=trends.load_official_shares(),
                              milestones=trends.load_milestones())
    ax = fig.axes[0]
    labels = [h.get_label() for h in ax.get_legend_handles_labels()[0]]
    assert any("Official national share" in lab for lab in labels)
    assert any("2024-01-01" in lab for lab in labels) and any("2026-08-22" in lab for lab in labels)
    assert any("Target 30%" in lab for lab in labels)
    assert ax.get_xlim()[1] > 2026.1  # the obligation line is inside the axis
    plt.close(fig)
    fig = trends.buyers_trend_figure(tidy, 0.30, milestones=trends.load_milestones())
    assert sum(a.get_visible() for a in fig.axes) == 3
    plt.close(fig)


def test_demo_washer_is_flagged_every_year(demo_dir) -> None:
    # Integration with helpers.indicators on the demo data (data/demo/README.md: the washer declares
    # clauses on most contracts and delivers on few, every year).
    import warnings

    from helpers.loader import load_data_dir
    from helpers.params import make_params

    washer = "20009902600011"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = load_data_dir(demo_dir)
        params = make_params({"year": 2025, "data_dir": str(demo_dir)})
        tidy = trends.tidy_table(trends.snapshots_from_dataset(ds, params, [2024, 2025]))
    w = tidy[tidy["buyer_siret"].eq(washer)]
    assert w["verdict"].tolist() == ["social_washing", "social_washing"]
    assert (w["declared_share"] > w["effective_share"]).all()
    row = trends.verdict_changes(tidy).set_index("buyer_siret").loc[washer]
    assert (row["year_from"], row["year_to"], row["change"]) == (2024, 2025, "unchanged")


def _hand_tidy():
    # Two years of the whole scope plus one buyer, values chosen by hand.
    return pd.DataFrame({
        "year": [2023, 2024, 2023, 2024],
        "buyer_siret": ["ALL", "ALL", "01234567000012", "01234567000012"],
        "buyer_name": ["Whole scope", "Whole scope", "Régie", "Régie"],
        "assessable_contracts": [10, 20, 6, 8],
        "declared_share": [0.5, 0.4, 0.5, 0.25], "declared_ci_low": [0.2, 0.1, 0.1, 0.05],
        "declared_ci_high": [0.8, 0.6, 0.9, 0.6],
        "effective_share": [0.1, 0.35, 0.0, 0.5], "effective_ci_low": [0.0, 0.15, 0.0, 0.2],
        "effective_ci_high": [0.4, 0.55, 0.4, 0.8],
        "gap_points": [40.0, 5.0, 50.0, -25.0],
        "verdict": ["social_washing", "compliant", "social_washing", "compliant"],
    })


def test_scope_table_formats_whole_scope_rows_only():
    table = trends.scope_table(_hand_tidy())
    assert list(table.index) == [2023, 2024]
    # 0.5 -> "50.0 %", interval [0.2, 0.8] -> "[20.0 %, 80.0 %]"
    assert table.loc[2023, "declared"] == "50.0 % [20.0 %, 80.0 %]"
    assert table.loc[2024, "effective"] == "35.0 % [15.0 %, 55.0 %]"
    assert table.loc[2024, "gap (points)"] == 5.0


def test_verdict_matrix_has_one_column_per_year_and_no_scope_row():
    m = trends.verdict_matrix(_hand_tidy())
    assert list(m.columns) == ["buyer_siret", "buyer_name", "2023", "2024"]
    assert m.iloc[0].tolist() == ["01234567000012", "Régie", "social_washing", "compliant"]


def test_trend_sentence_compares_first_and_last_year():
    text = trends.trend_sentence(_hand_tidy(), 0.30)
    assert "from 50.0 % to 40.0 %" in text and "from 10.0 % to 35.0 %" in text
    assert "(target 30 %)" in text and "40.0 points in 2023 and 5.0 points in 2024" in text


def test_change_sentence_counts_and_names():
    changes = pd.DataFrame({
        "buyer_siret": ["A", "B", "C"], "buyer_name": ["Alpha", None, "Gamma"],
        "year_to": [2024, 2024, 2024],
        "verdict_to": ["social_washing", "social_washing", "compliant"],
        "change": ["unchanged", "newly_flagged", "cleared"],
    })
    # one newly flagged (B), one cleared (C), Alpha flagged in 2023 and 2024
    assert trends.change_sentence(changes, 2024) == (
        "Newly flagged over the period: 1; cleared: 1. "
        "Flagged for social washing in 2024 and already the year before: Alpha.")
