"""Trends: tidy table, verdict changes, reference series — on hand-made per-year results."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import trends, trends_figures, trends_tables

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
    got = {r.buyer_siret: (r.verdict_from, r.verdict_to, r.change, r.certainty)
           for r in changes.itertuples()}
    # A: effective 1/10 -> 4/10, change +0.3; Newcombe lower bound with the Wilson intervals
    # 4/10 (0.168180, 0.687324) and 1/10 (0.017875, 0.404150):
    # 0.3 − sqrt((0.4 − 0.168180)² + (0.404150 − 0.1)²) = 0.3 − sqrt(0.053740 + 0.092507) = −0.0824
    # -> the interval holds 0: "within noise"; B is the mirror image (−0.3); C was absent in 2023.
    assert got == {
        A: ("social_washing", "compliant", "cleared", "within noise"),
        B: ("compliant", "social_washing", "newly_flagged", "within noise"),
        C: ("absent", "insufficient_data", "changed", "not comparable"),
    }
    a = changes.set_index("buyer_siret").loc[A]
    assert a["driver"] == "effective" and a["share_change"] == pytest.approx(0.3)
    assert a["share_change_ci_low"] == pytest.approx(-0.0824, abs=1e-4)
    assert set(changes["year_from"]) == {2023} and set(changes["year_to"]) == {2024}
    # order: newly_flagged, cleared, changed, unchanged; the whole scope is not a buyer
    assert changes["change"].tolist() == ["newly_flagged", "cleared", "changed"]
    summary = trends.change_summary(changes)
    assert summary.loc[2024].tolist() == [1, 1, 1, 0]
    with_scope = trends.verdict_changes(trends.tidy_table(snapshots), include_scope=True)
    assert "ALL" in set(with_scope["buyer_siret"])
    # counted over buyers only, even when the scope row is in the table: 3 buyers, not 4
    assert trends.change_summary(with_scope).loc[2024].tolist() == [1, 1, 1, 0]
    cert = trends.certainty_summary(with_scope)
    assert cert.loc["cleared", "within noise"] == 1 and cert.loc["changed", "not comparable"] == 1


def test_newcombe_difference_reproduces_newcombes_worked_example() -> None:
    # Newcombe (1998, independent proportions), example: 56/70 − 48/80 = 0.8 − 0.6 = 0.2,
    # 95 % CI 0.0524 to 0.3339. From the Wilson intervals 56/70 (0.691834, 0.876953) and
    # 48/80 (0.490455, 0.700382): lower = 0.2 − sqrt(0.0116999 + 0.0100765) = 0.2 − 0.147569;
    # upper = 0.2 + sqrt(0.0059218 + 0.0120001) = 0.2 + 0.133873
    d, lo, hi = trends.newcombe_difference(56, 70, 48, 80)
    assert d[0] == pytest.approx(0.2)
    assert lo[0] == pytest.approx(0.0524, abs=5e-5) and hi[0] == pytest.approx(0.3339, abs=5e-5)
    assert lo[0] == pytest.approx(0.052431, abs=2e-6) and hi[0] == pytest.approx(0.333873, abs=2e-6)
    # the same from the project's one Wilson implementation
    from helpers.indicators.shares import wilson_interval

    (l1, l0), (u1, u0) = wilson_interval([56, 48], [70, 80])
    assert lo[0] == pytest.approx(0.2 - ((0.8 - l1) ** 2 + (u0 - 0.6) ** 2) ** 0.5, abs=1e-12)
    assert hi[0] == pytest.approx(0.2 + ((u1 - 0.8) ** 2 + (0.6 - l0) ** 2) ** 0.5, abs=1e-12)
    # an empty year gives NaN, vectorised
    d, lo, hi = trends.newcombe_difference([1, 1], [0, 10], [1, 1], [10, 10])
    assert pd.isna(d[0]) and pd.isna(lo[0]) and d[1] == 0.0


def test_year_changes_use_covered_denominator_and_label_clear_changes() -> None:
    def snap(year: int, eff: int, verdict: str) -> dict:
        # D: 30 assessable, 20 covered, 12 declared (over A: 0.4)
        return {"year": year, "indicators": _indicators(30, 12, eff, "below_target"),
                "buyers": pd.DataFrame([{"buyer_siret": A, "buyer_name": "D", "assessable_contracts": 30,
                                         "covered_contracts": 20, "declared_n": 12, "effective_n": eff,
                                         "verdict": verdict}])}

    tidy = trends.tidy_table([snap(2023, 0, "social_washing"), snap(2024, 15, "compliant")])
    d = tidy[tidy["buyer_siret"].eq(A)].set_index("year")
    assert d.loc[2024, "effective_share"] == pytest.approx(15 / 20)   # over C, not 15/30
    assert d.loc[2024, "declared_share"] == pytest.approx(12 / 30)    # over A
    ch = trends.year_changes(tidy).set_index("buyer_siret").loc[A]
    # effective 0/20 -> 15/20: Wilson 15/20 (0.531299, 0.888138), 0/20 (0, 0.161125):
    # lower = 0.75 − sqrt((0.75 − 0.531299)² + 0.161125²) = 0.75 − sqrt(0.047830 + 0.025961) = 0.4784
    assert ch["effective_change"] == pytest.approx(0.75)
    assert ch["effective_change_ci_low"] == pytest.approx(0.4784, abs=1e-4)
    assert bool(ch["effective_change_clear"]) is True
    assert ch["declared_change"] == 0.0 and bool(ch["declared_change_clear"]) is False
    v = trends.verdict_changes(tidy).set_index("buyer_siret").loc[A]
    assert (v["change"], v["driver"], v["certainty"]) == ("cleared", "effective", "clear")
    # the whole scope's row of year_changes uses the indicators' counts (no covered_contracts key: A)
    scope = trends.year_changes(tidy).set_index("buyer_siret").loc["ALL"]
    assert scope["effective_change"] == pytest.approx(15 / 30)
    table = trends_tables.scope_changes_table(tidy, lang="en")
    assert table.loc["2023 → 2024", "Change of the delivered share"].startswith("+50.0\u00a0points [")
    fr = trends_tables.scope_changes_table(tidy)  # French by default: decimal comma, words for certainty
    assert fr.loc["2023 → 2024", "Variation de la part réalisée"].startswith("+50,0\u00a0points [")
    assert fr.loc["2023 → 2024", "Part déclarée : certitude"] == "dans le bruit"


def test_transitions_between_new_and_unknown_verdicts_do_not_fail() -> None:
    assert trends.transition_driver("social_washing", "possible_social_washing") == "effective"
    assert trends.transition_driver("below_target", "possible_social_washing") == "declared"
    assert trends.transition_driver("not_measured", "compliant") is None
    assert trends.transition_driver("a_future_verdict", "compliant") is None
    tidy = pd.DataFrame({"year": [2023, 2024, 2023, 2024], "buyer_siret": [A, A, B, B],
                         "buyer_name": ["a", "a", "b", "b"], "assessable_contracts": [10] * 4,
                         "covered_contracts": [0, 10, 10, 10], "declared_n": [5] * 4,
                         "effective_n": [0, 1, 1, 1],
                         "verdict": ["not_measured", "possible_social_washing",
                                     "a_future_verdict", "a_future_verdict"]})
    v = trends.verdict_changes(tidy).set_index("buyer_siret")
    assert (v.loc[A, "change"], v.loc[A, "certainty"]) == ("changed", "not comparable")
    assert (v.loc[B, "change"], v.loc[B, "certainty"]) == ("unchanged", "")


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
    fig = trends_figures.trend_figure(tidy, 0.30, official=trends.load_official_shares(),
                                      milestones=trends.load_milestones())
    ax = fig.axes[0]
    labels = [h.get_label() for h in ax.get_legend_handles_labels()[0]]
    assert any("Official national share" in lab for lab in labels)
    assert any("2024-01-01" in lab for lab in labels) and any("2026-08-22" in lab for lab in labels)
    assert any("Target 30%" in lab for lab in labels)
    assert ax.get_xlim()[1] > 2026.1  # the obligation line is inside the axis
    plt.close(fig)
    fig = trends_figures.buyers_trend_figure(tidy, 0.30, milestones=trends.load_milestones())
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
    table = trends_tables.scope_table(_hand_tidy())
    assert list(table.index) == ["2023", "2024"]
    # 0.5 -> "50,0 %" (U+00A0 before %), interval [0.2, 0.8] -> "[20,0 % ; 80,0 %]" (U+202F before ;)
    assert table.loc["2023", "Part déclarée [intervalle à 95 %]"] == \
        "50,0\u00a0% [20,0\u00a0%\u202f; 80,0\u00a0%]"
    assert table.loc["2024", "Part réalisée [intervalle à 95 %]"] == \
        "35,0\u00a0% [15,0\u00a0%\u202f; 55,0\u00a0%]"
    assert table.loc["2024", "Écart (points)"] == "5,0"
    assert table.loc["2023", "Conclusion"] == "Affichage social sans réalisation (écart significatif)"
    en = trends_tables.scope_table(_hand_tidy(), "en")
    assert en.loc["2023", "Declared share [95% interval]"] == "50.0% [20.0%, 80.0%]"
    assert en.loc["2024", "Conclusion"] == "Target met"


def test_verdict_matrix_has_one_column_per_year_and_no_scope_row():
    m = trends_tables.verdict_matrix(_hand_tidy())
    assert list(m.columns) == ["buyer_siret", "buyer_name", "2023", "2024"]
    assert m.iloc[0].tolist() == ["01234567000012", "Régie", "social_washing", "compliant"]


def test_trend_sentence_compares_first_and_last_year():
    text = trends_tables.trend_sentence(_hand_tidy(), 0.30)
    assert "de 50,0\u00a0% à 40,0\u00a0%" in text and "de 10,0\u00a0% à 35,0\u00a0%" in text
    assert "(objectif\u00a0: 30\u00a0%)" in text  # French no-break space before ":"
    assert "40,0\u00a0points en 2023 et de 5,0\u00a0points en 2024" in text
    en = trends_tables.trend_sentence(_hand_tidy(), 0.30, "en")
    assert "from 50.0% to 40.0%" in en and "(target: 30%)" in en


def test_change_sentence_counts_and_names():
    changes = pd.DataFrame({
        "buyer_siret": ["A", "B", "C"], "buyer_name": ["Alpha", None, "Gamma"],
        "year_to": [2024, 2024, 2024],
        "verdict_to": ["social_washing", "social_washing", "compliant"],
        "change": ["unchanged", "newly_flagged", "cleared"],
    })
    # one newly flagged (B), one cleared (C), Alpha flagged in 2023 and 2024
    assert trends_tables.change_sentence(changes, 2024, "en") == (
        "Over the period, 1 buyer was newly flagged for social washing; 1 buyer was cleared. "
        "Alpha was already flagged for social washing the year before and still is in 2024.")
    changes["certainty"] = ["", "clear", "within noise"]
    changes.loc[3] = ["ALL", None, 2024, "compliant", "cleared", "clear"]  # the scope: not counted
    assert trends_tables.change_sentence(changes, 2024) == (
        "Sur la période, 1 acheteur a été nouvellement signalé pour affichage social sans "
        "réalisation (1 sur 1 avec un écart net)\u202f; 1 acheteur a vu son signalement levé (0 sur 1 "
        "avec un écart net). Alpha était déjà signalé pour affichage social sans réalisation "
        "l'année précédente et l'est encore en 2024.")
    # nobody moved, two buyers still flagged: "aucun", plural, French list separator
    still = pd.DataFrame({"buyer_siret": ["A", "B"], "buyer_name": ["Alpha", "Beta"],
                          "year_to": [2024, 2024], "verdict_to": ["social_washing"] * 2,
                          "change": ["unchanged"] * 2, "certainty": ["", ""]})
    assert trends_tables.change_sentence(still, 2024) == (
        "Sur la période, aucun acheteur n'a été nouvellement signalé pour affichage social sans "
        "réalisation\u202f; aucun acheteur n'a vu son signalement levé. Signalés pour affichage "
        "social sans réalisation en 2024 comme l'année précédente\u00a0: Alpha\u202f; Beta.")


# --------------------------------------------------------------------------------------------------
# display in the reader's language
# --------------------------------------------------------------------------------------------------

def _hand_changes() -> pd.DataFrame:
    # one buyer newly flagged 2023 -> 2024 through its delivered share (−15.2 points, interval
    # [−35.2, +5.6]: within noise), one unchanged, and the whole scope (never shown)
    return pd.DataFrame({
        "year_from": [2023, 2023, 2023], "year_to": [2024, 2024, 2024],
        "buyer_siret": [A, B, "ALL"], "buyer_name": ["Alpha", None, "Whole scope"],
        "verdict_from": ["possible_social_washing", "compliant", "compliant"],
        "verdict_to": ["social_washing", "compliant", "social_washing"],
        "change": ["newly_flagged", "unchanged", "newly_flagged"],
        "driver": ["effective", None, "effective"],
        "share_change": [-0.152, float("nan"), -0.1], "share_change_ci_low": [-0.352, float("nan"), -0.2],
        "share_change_ci_high": [0.056, float("nan"), -0.01],
        "certainty": ["within noise", "", "clear"],
    })


def test_transitions_table_shows_buyers_that_moved_in_words() -> None:
    t = trends_tables.transitions_table(_hand_changes())
    assert len(t) == 1  # B did not move, the whole scope is not a buyer
    row = t.iloc[0]
    assert row["Années"] == "2023 → 2024" and row["Acheteur"] == "Alpha"
    assert row["Conclusion avant"] == "Soupçon d'affichage social sans réalisation (écart à confirmer)"
    assert row["Changement"] == "Nouvellement signalé" and row["Part en cause"] == "part réalisée"
    # −0.152 -> "−15,2", −0.352 -> "−35,2", 0.056 -> "+5,6"; U+2212 minus, U+202F before ";"
    assert row["Variation [intervalle à 95 %]"] == "\u221215,2\u00a0points [\u221235,2\u202f; +5,6]"
    assert row["Certitude"] == "dans le bruit"
    en = trends_tables.transitions_table(_hand_changes(), "en").iloc[0]
    assert en["Change [95% interval]"] == "\u221215.2\u00a0points [\u221235.2, +5.6]"
    assert en["Certainty"] == "within noise"


def test_change_and_certainty_counts_in_words() -> None:
    counts = trends_tables.change_counts_table(_hand_changes())
    # buyers only: A newly flagged, B unchanged (the scope's newly_flagged is not counted)
    assert counts.loc["2023 → 2024"].tolist() == [1, 0, 0, 1]
    assert list(counts.columns) == ["Nouvellement signalé", "Signalement levé", "Autre changement",
                                    "Inchangé"]
    cert = trends_tables.certainty_table(_hand_changes())
    assert cert.loc["Nouvellement signalé"].tolist() == [0, 1, 0]
    assert list(cert.columns) == ["écart net", "dans le bruit", "non comparable"]


def test_verdict_matrix_in_words_marks_absent_years():
    tidy = _hand_tidy().iloc[[0, 1, 2]]  # the buyer is missing in 2024
    m = trends_tables.verdict_matrix(tidy, "fr")
    assert m.loc["Régie"].tolist() == ["Affichage social sans réalisation (écart significatif)",
                                       "Absent cette année-là"]
    assert m.index.name == "Acheteur"
    # a buyer without a name is kept (shown by its SIRET); no buyer at all gives an empty table
    nameless = _hand_tidy().assign(buyer_name=["Whole scope", "Whole scope", None, None])
    assert trends_tables.verdict_matrix(nameless, "fr").index.tolist() == ["01234567000012"]
    assert trends_tables.verdict_matrix(nameless)["buyer_siret"].tolist() == ["01234567000012"]
    assert trends_tables.verdict_matrix(_hand_tidy().iloc[[0, 1]], "fr").empty


def test_official_and_milestones_tables_in_french() -> None:
    off = trends_tables.official_table(trends.load_official_shares())
    assert off.loc["2019", "Part nationale"] == "12,5\u00a0%"
    assert off.loc["2019", "Champ"] == "marchés ≥ 90 000 € HT"
    assert trends_tables.official_table(trends.load_official_shares(), "en").loc["2019", "Scope"] == \
        "contracts ≥ €90,000 excl. VAT"
    ms = trends_tables.milestones_table(trends.load_milestones())
    assert ms.loc["01/01/2024", "Repère"] == "Rupture de série"
    assert ms.loc["22/08/2026", "Repère"] == "Loi Climat et Résilience, article 35"


def _texts(fig) -> list:
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_figures_take_french_texts_and_no_text_is_below_9_points(snapshots: list[dict]) -> None:
    from helpers import texts_research as tr

    tidy = trends.tidy_table(snapshots)
    fig = trends_figures.trend_figure(tidy, 0.30, official=trends.load_official_shares(),
                                      milestones=trends.load_milestones(), **tr.figure_texts("trend", "fr"))
    labels = fig.legends[0].get_texts()
    shown = [t.get_text() for t in labels]
    assert "Objectif 30\u00a0%" in shown
    assert "Rupture de série : nouvelle source nationale (01/01/2024)" in shown
    assert "Condition sociale obligatoire (22/08/2026)" in shown
    assert fig.axes[0].get_title().startswith("Part des marchés")
    assert all(t.get_fontsize() >= 9 for t in _texts(fig))
    plt.close(fig)
    fig = trends_figures.buyers_trend_figure(tidy, 0.30, milestones=trends.load_milestones(),
                                             **tr.figure_texts("buyers", "fr"))
    assert all(t.get_fontsize() >= 9 for t in _texts(fig))
    plt.close(fig)


def test_single_buyer_panel_title_does_not_overlap_the_axis_labels(snapshots: list[dict]) -> None:
    tidy = trends.tidy_table(snapshots)
    one = tidy[tidy["buyer_siret"].isin(["ALL", A])]
    fig = trends_figures.buyers_trend_figure(one, 0.30, milestones=trends.load_milestones())
    texts = _texts(fig)
    ax = [a for a in fig.axes if a.get_visible()][0]
    renderer = fig.canvas.get_renderer()
    boxes = {"suptitle": fig._suptitle.get_window_extent(renderer),
             "panel title": ax.title.get_window_extent(renderer),
             "y label": fig._supylabel.get_window_extent(renderer),
             "x label": ax.xaxis.label.get_window_extent(renderer),
             "legend": fig.legends[0].get_window_extent(renderer)}
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not boxes[a].overlaps(boxes[b]), f"{a} overlaps {b}"
    assert all(t.get_fontsize() >= 9 for t in texts)
    plt.close(fig)


def test_year_changes_figure_draws_each_pair_with_its_newcombe_interval(snapshots: list[dict]) -> None:
    tidy = trends.tidy_table(snapshots)
    fig = trends_figures.year_changes_figure(tidy)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2023 → 2024"]
    # whole scope declared 6/20 -> 9/23: 9/23 − 6/20 = 0.391304 − 0.3 = +9.1304 points
    declared = ax.containers[0]
    assert declared.lines[0].get_xdata()[0] == pytest.approx(9.1304, abs=1e-3)
    ch = trends.year_changes(tidy).set_index("buyer_siret").loc["ALL"]
    # the bar spans the Newcombe interval, in points
    seg = declared.lines[2][0].get_segments()[0]
    assert seg[0][0] == pytest.approx(100 * ch["declared_change_ci_low"])
    assert seg[1][0] == pytest.approx(100 * ch["declared_change_ci_high"])
    plt.close(fig)
