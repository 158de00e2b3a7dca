"""Figures (helpers.figures): deterministic files, labelled axes, bounded per-buyer charts."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers import figures


@pytest.fixture(autouse=True)
def _figdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(figures.FIGURES_ENV, str(tmp_path / "figs"))
    yield tmp_path / "figs"
    plt.close("all")


def buyers_frame(n: int) -> pd.DataFrame:
    # buyer i has 10 + i assessable contracts, declares 3 + i // 2 and makes i // 4 effective
    i = np.arange(n)
    return pd.DataFrame({
        "buyer_siret": [f"{21000000000000 + k:014d}" for k in i],
        "buyer_name": [f"Buyer {k}" for k in i],
        "assessable_contracts": 10 + i, "declared_n": 3 + i // 2, "effective_n": i // 4,
    })


def labelled(fig: plt.Figure) -> None:
    """Every visible axes has a title (or the figure a suptitle) and both axis labels."""
    for ax in fig.axes:
        if not ax.axison:
            continue
        assert ax.get_title() or (fig._suptitle is not None and fig._suptitle.get_text())
        assert ax.get_xlabel() and ax.get_ylabel()


def test_save_figure_is_deterministic_and_dateless(_figdir: Path) -> None:
    def draw() -> plt.Figure:
        fig, ax = plt.subplots()
        ax.plot([0, 1, 2], [2, 1, 3])
        ax.set_title("t")
        return fig

    first = figures.save_figure(draw(), "same")
    png1, svg1 = first["png"].read_bytes(), first["svg"].read_bytes()
    second = figures.save_figure(draw(), "same")
    assert second["png"].read_bytes() == png1
    assert second["svg"].read_bytes() == svg1
    assert first["png"].parent == _figdir
    assert b"<dc:date>" not in svg1 and b"Matplotlib v" not in png1


@pytest.mark.parametrize("name", ["Has Space", "../escape", "UPPER", ""])
def test_save_figure_refuses_unsafe_names(name: str) -> None:
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="slug"):
        figures.save_figure(fig, name)


def test_show_outside_ipython_saves_and_closes(_figdir: Path) -> None:
    fig, ax = plt.subplots()
    ax.bar(["a"], [1])
    figures.show(fig, "closed")
    assert (_figdir / "closed.png").is_file()
    assert plt.get_fignums() == []


def test_wilson_by_hand() -> None:
    # 3/10, z = 1.959964: centre (0.3 + z²/20)/(1 + z²/10) = 0.49208/1.384146 = 0.35551;
    # half-width z·sqrt(0.021 + z²/400)/1.384146 = 1.959964·0.174940/1.384146 = 0.24772
    lo, hi = figures._wilson(pd.Series([3, 0]), pd.Series([10, 0]))
    assert lo[0] == pytest.approx(0.10779, abs=1e-4)
    assert hi[0] == pytest.approx(0.60323, abs=1e-4)
    assert np.isnan(lo[1]) and np.isnan(hi[1])  # no contract: no interval


def test_shares_by_buyer_small_shows_every_buyer() -> None:
    b = buyers_frame(5)
    fig = figures.plot_shares_by_buyer(b, 0.30)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 5
    # the target line sits at x = 0.30
    assert any(list(line.get_xdata()) == [0.30, 0.30] for line in ax.get_lines())
    labelled(fig)


def test_shares_by_buyer_is_bounded_to_the_largest_30() -> None:
    b = buyers_frame(45)
    fig = figures.plot_shares_by_buyer(b, 0.30)
    assert len(fig.axes) == 2  # top 30 + distribution over all 45
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 30
    # largest are buyers 15..44 (assessable 25..54); buyer 14 (24 contracts) is left out
    assert any("Buyer 44" in s for s in labels) and not any("Buyer 14 " in s for s in labels)
    assert "45" in fig.axes[1].get_title()
    labelled(fig)


def test_empty_inputs_give_a_message_not_an_error() -> None:
    fig = figures.plot_shares_by_buyer(buyers_frame(0), 0.3)
    assert "No buyer" in fig.axes[0].texts[0].get_text()
    assert "No insertion hours" in figures.plot_hours_by_contract(pd.Series([], dtype=float)
                                                                  ).axes[0].texts[0].get_text()


def test_suppressed_shares_are_marked() -> None:
    fig = figures.plot_shares({"Women": 0.4, "RQTH": None}, title="Profile",
                              xlabel="Share (%)", ylabel="Group")
    texts = [t.get_text().strip() for t in fig.axes[0].texts]
    assert texts == ["suppressed", "40.0%"]  # bars drawn bottom-up: last key first
    labelled(fig)


def test_every_plot_is_titled_and_labelled() -> None:
    b = buyers_frame(6).assign(declared_share_by_amount=0.4, effective_share_by_amount=0.1)
    cov = pd.DataFrame({"buyer_siret": ["01234567890123"], "buyer_name": ["A"], "contracts": [4],
                        "with_clause": [2], "with_participations": [1]})
    official = pd.DataFrame({"year": [2019, 2021, 2022, 2023], "share": [0.125, 0.132, 0.223, 0.187]})
    figs = [
        figures.plot_share_by_amount(b, 0.3),
        figures.plot_by_consideration({"clause_sociale": {"n": 4}, "marche_reserve": 1}, 10),
        figures.plot_official_context(official, 2024, 0.35),
        figures.plot_funnel({"declared": 10, "followed": 6, "delivered": 3}),
        figures.plot_status_counts({"VERIFIED": 3, "NOT_DECLARED": 7}),
        figures.plot_coverage(cov),
        figures.plot_hours_by_contract(pd.Series([100.0, 50.0, 0.0, 10.0])),
        figures.plot_bars({"a": 1.0}, title="T", xlabel="x (h)", ylabel="y"),
    ]
    for fig in figs:
        labelled(fig)
    # funnel bars carry the count and the share of declared: 6/10 = 60 %
    assert "6 (60% of declared)" in [t.get_text().strip() for t in figs[3].axes[0].texts]


def _errorbar_x_extents(ax: plt.Axes) -> list[tuple[float, float]]:
    """(low, high) x of each horizontal error bar drawn on ``ax``, in drawing order."""
    out = []
    for coll in ax.collections:
        for seg in coll.get_segments():
            (x0, _), (x1, _) = seg
            out.append((round(min(x0, x1), 6), round(max(x0, x1), 6)))
    return out


def test_shares_by_buyer_draws_the_tables_intervals_when_given() -> None:
    # buyers_detail carries the indicators' intervals: they are drawn as they are (not recomputed)
    b = buyers_frame(2).assign(declared_ci_low=[0.10, 0.20], declared_ci_high=[0.50, 0.60])
    fig = figures.plot_shares_by_buyer(b, 0.30, effective=False)
    # drawn bottom-up, the largest buyer on top: buyer 0 (10 contracts) first, then buyer 1 (11)
    assert _errorbar_x_extents(fig.axes[0]) == [(0.10, 0.50), (0.20, 0.60)]
    # without the columns, the Wilson interval of 3/10 (test_wilson_by_hand) is recomputed
    fig = figures.plot_shares_by_buyer(buyers_frame(1), 0.30, effective=False)
    (lo, hi), = _errorbar_x_extents(fig.axes[0])
    assert lo == pytest.approx(0.10779, abs=1e-4) and hi == pytest.approx(0.60323, abs=1e-4)
    plt.close("all")


def test_grouped_bars_one_per_label_and_series_first_label_on_top() -> None:
    cov = pd.DataFrame({"buyer_siret": ["01234567890123", "21750001630066"],
                        "buyer_name": ["Small", "Large"], "contracts": [4, 9],
                        "with_clause": [2, 5], "with_participations": [1, 3]})
    fig = figures.plot_coverage(cov)
    ax = fig.axes[0]
    # largest buyer first, at the top: the y axis is inverted
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Large (21750001630066)",
                                                           "Small (01234567890123)"]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]
    # 2 labels x 3 series = 6 bars; within a label, bars side by side in series order
    widths = [p.get_width() for p in ax.patches]
    assert widths == [9, 4, 5, 2, 3, 1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Contracts notified", "With a clauses row", "With participation rows"]
