"""Figures (helpers.figures): deterministic files, labelled axes, bounded per-buyer charts."""

from __future__ import annotations

import ast
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers import config, figures


@pytest.fixture(autouse=True)
def _figdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(config.FIGURES_ENV, str(tmp_path / "figs"))
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
    assert texts == ["40.0%", "suppressed"]  # first key on top, drawn first
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



# ---------------------------------------------------------------------------------------------------
# helpers for the tests below
# ---------------------------------------------------------------------------------------------------

def every_figure(buyers: pd.DataFrame) -> list[plt.Figure]:
    """One figure of each function, drawn from ``buyers`` (buyers.csv columns) where it takes buyers."""
    b = buyers.assign(declared_share_by_amount=0.4, effective_share_by_amount=0.1)
    cov = buyers.assign(contracts=buyers["assessable_contracts"], with_clause=buyers["declared_n"],
                        with_participations=buyers["effective_n"])
    official = pd.DataFrame({"year": [2021, 2022, 2023], "share": [0.132, 0.223, 0.187]})
    name = str(buyers["buyer_name"].iloc[0])
    return [
        figures.plot_shares_by_buyer(b, 0.3),
        figures.plot_shares_by_buyer(b, 0.3, effective=False),
        figures.plot_shares_by_buyer(b, 0.3, max_buyers=2),
        figures.plot_share_by_amount(b, 0.3),
        figures.plot_coverage(cov),
        figures.plot_by_consideration({"clause_sociale": 4, name: 2}, 10),
        figures.plot_official_context(official, 2024, 0.35),
        figures.plot_funnel({"declared": 10, name: 6, "delivered": 3}),
        figures.plot_status_counts({"VERIFIED": 3, name: 2}),
        figures.plot_verdict_counts(["compliant", name]),
        figures.plot_shares({name: 0.4, "RQTH": None}, title=name, xlabel="Share (%)", ylabel="G"),
        figures.plot_hours_by_contract(pd.Series([100.0, 50.0, 10.0])),
        figures.plot_bars({name: 1.0}, title=name, xlabel="x (h)", ylabel="y"),
    ]


def texts_of(fig: plt.Figure) -> list:
    """Every text artist of ``fig`` that shows something."""
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def marks(ax: plt.Axes) -> list[tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]]:
    """Per errorbar series of ``ax``: x and y of the marks and (low, high) x of each bar."""
    out = []
    for cont in ax.containers:
        data_line, _caps, bars = cont.lines
        extents = [(min(s[0][0], s[1][0]), max(s[0][0], s[1][0])) if len(s) else (np.nan, np.nan)
                   for s in bars[0].get_segments()]
        out.append((np.asarray(data_line.get_xdata(), float), np.asarray(data_line.get_ydata(), float),
                    extents))
    return out


def boundary_buyers() -> pd.DataFrame:
    # buyer A: 0 of 7 declared and effective; buyer B: 7 of 7 declared and effective
    return pd.DataFrame({"buyer_siret": ["21000000000001", "21000000000002"],
                         "buyer_name": ["Zero", "Full"], "assessable_contracts": [7, 7],
                         "declared_n": [0, 7], "effective_n": [0, 7]})


# Wilson bounds at the boundaries, by hand: z = 1.959964, z² = 3.841459, n = 7, z²/n = 0.548780.
# k = 0: centre = (z²/2n)/(1 + z²/n) = 0.274390/1.548780 = 0.177165 = half-width, so [0, 0.354331];
# k = 7: by symmetry [1 − 0.354331, 1] = [0.645669, 1].
WILSON_0_OF_7_HIGH = 0.354331


# ---------------------------------------------------------------------------------------------------
# seaborn theme, applied inside the figure functions only
# ---------------------------------------------------------------------------------------------------

def test_the_module_imports_no_seaborn_nor_statistics_library_at_top_level() -> None:
    # a notebook kernel imports this module; seaborn, SciPy and statsmodels come with the first
    # figure drawn (tests/test_notebook_session.py checks a kernel end to end)
    tree = ast.parse(Path(figures.__file__).read_text(encoding="utf-8"))
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            top.add(node.module.split(".")[0])
    assert "matplotlib" in top  # the check sees the imports
    assert not top & {"seaborn", "scipy", "statsmodels", "pandera"}


def test_figures_carry_the_seaborn_whitegrid_theme() -> None:
    import seaborn as sns

    fig = figures.plot_bars({"a": 1.0}, title="t", xlabel="x", ylabel="y")
    ax = fig.axes[0]
    style = sns.axes_style("whitegrid")
    # whitegrid: white background, spines in light grey (".8" = 0.8 grey), vertical grid lines on
    assert ax.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert ax.spines["left"].get_edgecolor()[:3] == pytest.approx((0.8, 0.8, 0.8))
    assert style["axes.edgecolor"] == ".8"
    assert any(line.get_visible() for line in ax.get_xgridlines())
    # notebook context: tick labels 11 pt, axis labels 12 pt; our font everywhere
    assert ax.xaxis.label.get_size() == 12
    assert ax.get_yticklabels()[0].get_size() == 11
    assert ax.get_yticklabels()[0].get_fontname() == "DejaVu Sans"
    # the declared colour is the first colour of seaborn's "deep" palette
    assert figures.DECLARED_COLOR.lower() == sns.color_palette("deep").as_hex()[0].lower()


def test_the_theme_does_not_leak_into_other_figures() -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    figures.plot_shares_by_buyer(buyers_frame(3), 0.3)
    assert dict(matplotlib.rcParams) == before


# ---------------------------------------------------------------------------------------------------
# error bars: one Wilson implementation, lengths clipped at 0
# ---------------------------------------------------------------------------------------------------

def test_interval_errors_are_clipped_at_zero_and_keep_nan() -> None:
    # share 0 with a low bound of 2.8e-17 (rounding): length 0, not −2.8e-17; share 1 with a high
    # bound of 1 − 1e-16: length 0; a missing share draws nothing (NaN)
    err = figures.interval_errors([0.0, 1.0, np.nan, 0.3], [2.8e-17, 0.645669, np.nan, 0.1],
                                  [0.354331, 1 - 1e-16, np.nan, 0.6])
    assert err.shape == (2, 4)
    assert err[0, 0] == 0.0 and err[1, 0] == pytest.approx(0.354331)
    assert err[0, 1] == pytest.approx(0.354331) and err[1, 1] == 0.0
    assert np.isnan(err[:, 2]).all()
    assert err[:, 3] == pytest.approx([0.2, 0.3])  # 0.3 − 0.1 and 0.6 − 0.3
    assert (err[:, [0, 1, 3]] >= 0).all()


@pytest.mark.parametrize("with_table_bounds", [False, True])
def test_boundary_buyers_draw_without_negative_error_bars(with_table_bounds: bool) -> None:
    b = boundary_buyers()
    if with_table_bounds:
        # bounds as a Wilson computation can return them: 2.8e-17 instead of 0, 1 − 1e-16 instead of 1
        for side in ("declared", "effective"):
            b[f"{side}_ci_low"] = [2.8e-17, 0.645669]
            b[f"{side}_ci_high"] = [WILSON_0_OF_7_HIGH, 1 - 1e-16]
    fig = figures.plot_shares_by_buyer(b, 0.3)
    figures.png_bytes(fig)  # drawing raised "'xerr' must not contain negative values" before
    ax = fig.axes[0]
    for cont in ax.containers:
        assert all(np.all(np.asarray(seg)[:, 0] >= -1e-12) for seg in
                   cont.lines[2][0].get_segments())
    for x, _y, extents in marks(ax):
        # row 0 is "Full" (7 of 7) — ties broken by SIRET, B after A? both 7 contracts: A first
        by_share = dict(zip(x.round(6), extents))
        lo0, hi0 = by_share[0.0]
        lo1, hi1 = by_share[1.0]
        assert lo0 == pytest.approx(0.0, abs=1e-12) and hi0 == pytest.approx(WILSON_0_OF_7_HIGH, abs=1e-6)
        assert lo1 == pytest.approx(1 - WILSON_0_OF_7_HIGH, abs=1e-6) and hi1 == pytest.approx(1.0)


def test_intervals_come_from_the_table_or_from_the_shared_wilson_function() -> None:
    # buyers_detail carries the indicators' intervals: they are drawn as they are (not recomputed)
    b = buyers_frame(2).assign(declared_ci_low=[0.10, 0.20], declared_ci_high=[0.50, 0.60])
    fig = figures.plot_shares_by_buyer(b, 0.30, effective=False)
    # largest on top (row 0): buyer 1 (11 contracts), then buyer 0 (10)
    (x, y, extents), = marks(fig.axes[0])
    assert list(y) == [0.0, 1.0]
    assert extents == [(0.20, 0.60), (0.10, 0.50)]
    # without the columns, the Wilson interval of 3/10 is recomputed:
    # z = 1.959964: centre (0.3 + z²/20)/(1 + z²/10) = 0.49208/1.384146 = 0.35551;
    # half-width z·sqrt(0.021 + z²/400)/1.384146 = 1.959964·0.174940/1.384146 = 0.24772
    fig = figures.plot_shares_by_buyer(buyers_frame(1), 0.30, effective=False)
    (x, _y, [(lo, hi)]), = marks(fig.axes[0])
    assert x[0] == pytest.approx(0.3)
    assert lo == pytest.approx(0.10779, abs=1e-4) and hi == pytest.approx(0.60323, abs=1e-4)
    assert not hasattr(figures, "_wilson")  # one Wilson implementation: the indicators'


def test_effective_share_is_over_the_covered_contracts_and_may_be_missing() -> None:
    # buyer 1: 10 assessable, 5 covered, 2 effective → effective share 2/5 = 0.4 (not 2/10);
    # buyer 2: nothing covered → no effective share (not measured), no mark, no error
    b = pd.DataFrame({"buyer_siret": ["21000000000001", "21000000000002"],
                      "buyer_name": ["Covered", "Uncovered"], "assessable_contracts": [10, 8],
                      "covered_contracts": [5, 0], "declared_n": [4, 4], "effective_n": [2, 0]})
    fig = figures.plot_shares_by_buyer(b, 0.3)
    figures.png_bytes(fig)
    (dx, _, _), (ex, _, _) = marks(fig.axes[0])
    assert dx == pytest.approx([0.4, 0.5])  # declared over assessable: 4/10, 4/8
    assert ex[0] == pytest.approx(0.4) and np.isnan(ex[1])


# ---------------------------------------------------------------------------------------------------
# names are plain text, wrapped, never cut
# ---------------------------------------------------------------------------------------------------

ODD_NAME = "Commune $x_^{$ de Saint-Rémy $x$ _^{ lès Chevreuse"


def test_mathtext_would_fail_on_the_odd_name() -> None:
    # the case is real: matplotlib's default text parses "$x_^{$" as mathtext and fails to draw
    fig, ax = plt.subplots()
    ax.set_title(ODD_NAME)
    with pytest.raises(ValueError):
        figures.png_bytes(fig)


LONG_NAME = "Plateforme régionale des achats de l'État en Île-de-France (PRAE)"


@pytest.fixture(scope="module")
def drawn() -> list[plt.Figure]:
    """Every figure function on buyers named ODD_NAME and LONG_NAME, each drawn once to PNG (no
    mathtext error: before, the odd name failed to draw)."""
    b = buyers_frame(3)
    b.loc[0, "buyer_name"] = ODD_NAME
    b.loc[1, "buyer_name"] = LONG_NAME
    figs = every_figure(b)
    for fig in figs:
        figures.png_bytes(fig)
    return figs


def test_names_with_dollars_and_carets_are_drawn_as_plain_text(drawn: list[plt.Figure]) -> None:
    for fig in drawn:
        texts = texts_of(fig)
        assert texts and all(not t.get_parse_math() and not t.get_usetex() for t in texts)
    # the name is shown with its dollars, whole
    labels = [" ".join(t.get_text().split()) for t in drawn[0].axes[0].get_yticklabels()]
    assert f"{ODD_NAME} (21000000000000)" in labels
    assert ODD_NAME in [" ".join(t.get_text().split()) for t in drawn[-1].axes[0].get_yticklabels()]


def test_long_names_are_wrapped_not_cut() -> None:
    b = buyers_frame(12)
    b.loc[0, "buyer_name"] = LONG_NAME
    fig = figures.plot_shares_by_buyer(b, 0.3)
    label = next(t.get_text() for t in fig.axes[0].get_yticklabels() if "Plateforme" in t.get_text())
    # every word is there, in order, on lines of at most LABEL_WIDTH characters
    assert label.split() == (LONG_NAME + " (21000000000000)").split()
    assert "…" not in label and "\n" in label
    assert all(len(line) <= figures.LABEL_WIDTH for line in label.splitlines())
    # a word longer than a line keeps its own line, whole
    assert figures.wrap("a" * 50 + " b", 10) == "a" * 50 + "\nb"


def test_one_buyer_marks_sit_on_its_row() -> None:
    b = boundary_buyers().head(1).assign(declared_n=3, effective_n=1)
    fig = figures.plot_shares_by_buyer(b, 0.3)
    ax = fig.axes[0]
    # one row, from y = −0.5 to 0.5 (inverted: first row on top); the two marks 0.34 apart around 0
    assert ax.get_ylim() == (0.5, -0.5)
    (_, dy, _), (_, ey, _) = marks(ax)
    assert dy == pytest.approx([-0.17]) and ey == pytest.approx([0.17])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Zero (21000000000001)"]


def test_height_follows_rows_and_lines() -> None:
    one = figures.plot_shares_by_buyer(buyers_frame(1), 0.3).get_size_inches()
    b = buyers_frame(12).assign(buyer_name=LONG_NAME)
    twelve = figures.plot_shares_by_buyer(b, 0.3).get_size_inches()
    # 12 rows of 3-line labels: at least 12 × (0.2 in × 3 lines + 0.1) = 8.4 in of rows
    assert twelve[1] - one[1] >= 12 * 0.7 - one[1]
    assert twelve[1] >= 8.4 and one[1] <= 3.5


def test_every_text_is_readable_at_the_saved_size(drawn: list[plt.Figure]) -> None:
    for fig in drawn:
        assert fig.get_size_inches()[0] <= figures.WIDTH
        small = [(t.get_text(), t.get_size()) for t in texts_of(fig) if t.get_size() < figures.MIN_FONT_PT]
        assert small == []


# ---------------------------------------------------------------------------------------------------
# texts and numbers of another language
# ---------------------------------------------------------------------------------------------------

def french_percent(value: float, digits: int = 0) -> str:
    return f"{value * 100:.{digits}f}".replace(".", ",") + "\u202f%"


def all_texts(fig: plt.Figure, draw: bool = False) -> str:
    """The texts of ``fig``; drawn first when ``draw`` (tick labels are formatted at drawing)."""
    if draw:
        fig.canvas.draw()
    return "\n".join(t.get_text() for t in texts_of(fig))


def test_every_text_can_be_passed_in_another_language() -> None:
    b = buyers_frame(4).assign(declared_share_by_amount=0.4, effective_share_by_amount=0.1)
    fr = dict(title="Titre FR", xlabel="Axe X FR", ylabel="Axe Y FR")
    text = all_texts(figures.plot_shares_by_buyer(
        b, 0.3, max_buyers=2, **fr, title_largest="{title} : {shown} plus gros sur {total}",
        declared_label="Déclaré", effective_label="Réalisé", target_label="Objectif {target}",
        dist_title="Répartition des {total} acheteurs", dist_ylabel="Nombre d'acheteurs",
        percent=french_percent), draw=True)
    for expected in ("Titre FR : 2 plus gros sur 4", "Axe X FR", "Axe Y FR", "Déclaré", "Réalisé",
                     "Objectif 30\u202f%", "Répartition des 4 acheteurs", "Nombre d'acheteurs",
                     "20\u202f%"):
        assert expected in text, expected
    assert not any(w in text for w in ("Declared", "Effective", "Target", "Distribution", "largest"))
    text = all_texts(figures.plot_funnel({"declared": 10, "followed": 6}, **fr,
                                         names={"declared": "déclarés", "followed": "suivis"},
                                         value_label="{n} ({share} des déclarés)",
                                         percent=french_percent))
    assert "6 (60\u202f% des déclarés)" in text and "suivis" in text and "followed" not in text
    text = all_texts(figures.plot_status_counts({"NOT_COVERED": 2}, **fr,
                                                names={"NOT_COVERED": "Non couvert"}))
    assert "Non couvert" in text and "NOT_COVERED" not in text and "Titre FR" in text
    text = all_texts(figures.plot_shares({"Femmes": None}, **fr, suppressed="masqué"))
    assert "masqué" in text and "suppressed" not in text
    for fig in (figures.plot_share_by_amount(b, 0.3, **fr, declared_label="Déclaré"),
                figures.plot_coverage(b.assign(contracts=3, with_clause=2, with_participations=1),
                                      **fr, series_labels=("Notifiés", "Avec clause", "Avec heures")),
                figures.plot_by_consideration({"clause_sociale": 1}, 2, **fr),
                figures.plot_official_context(pd.DataFrame({"year": [2023], "share": [0.2]}), 2024,
                                              0.3, **fr, target_label="Objectif {target}"),
                figures.plot_verdict_counts({"compliant": 1}, **fr),
                figures.plot_bars({"a": 1.0}, **fr)):
        text = all_texts(fig)
        assert all(v in text for v in fr.values()), text
    text = all_texts(figures.plot_hours_by_contract(
        pd.Series([3.0, 1.0]), title="Concentration FR", bars_title="{shown} sur {total}",
        xlabel="Rang", ylabel="Heures", lorenz_title="Courbe de Lorenz FR",
        lorenz_xlabel="Part des marchés", lorenz_ylabel="Part des heures",
        lorenz_label="Lorenz", equal_label="Égalité", number=lambda v: f"{v:.0f} h"), draw=True)
    for expected in ("Concentration FR", "2 sur 2", "Courbe de Lorenz FR", "Égalité", "3 h"):
        assert expected in text, expected
    text = all_texts(figures.plot_shares_by_buyer(b.iloc[:0], 0.3, empty="Aucun acheteur."))
    assert "Aucun acheteur." in text


# ---------------------------------------------------------------------------------------------------
# statuses and verdicts
# ---------------------------------------------------------------------------------------------------

def test_ordered_puts_unknown_values_last() -> None:
    assert figures.ordered(["b", "zz", "a", "c", "a"], ("a", "b", "c")) == ["a", "b", "c", "zz"]
    assert figures.verdict_color("mystery") == figures.UNKNOWN_COLOR
    assert figures.status_color("NOT_COVERED") == figures.STATUS_COLORS["NOT_COVERED"]


def bar_colours(ax: plt.Axes) -> list[str]:
    from matplotlib.colors import to_hex

    return [to_hex(p.get_facecolor()) for c in ax.containers for p in c]


def test_status_counts_cover_not_covered_and_unknown_statuses() -> None:
    fig = figures.plot_status_counts({"VERIFIED": 3, "NOT_COVERED": 4, "NEW_STATUS": 2})
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # the rules' order (not due, not covered, then declared, then not declared), the unknown last
    assert labels == ["NOT_DUE", "NOT_COVERED", "VERIFIED", "SHORTFALL", "NO_EVIDENCE",
                      "UNVERIFIABLE", "UNDECLARED_DELIVERY", "NOT_DECLARED", "NEW_STATUS"]
    assert [p.get_width() for c in ax.containers for p in c] == [0, 4, 3, 0, 0, 0, 0, 0, 2]
    assert bar_colours(ax)[1] == figures.STATUS_COLORS["NOT_COVERED"].lower()
    assert bar_colours(ax)[-1] == figures.UNKNOWN_COLOR.lower()


def test_verdict_counts_order_colours_and_unknown_verdicts() -> None:
    verdicts = pd.Series(["compliant", "not_measured", "possible_social_washing", "compliant",
                          "insufficient_data", "social_washing", "below_target", "mystery", None])
    fig = figures.plot_verdict_counts(verdicts, names={"compliant": "Conforme"})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "social_washing", "possible_social_washing", "below_target", "Conforme", "not_measured",
        "insufficient_data", "mystery"]
    # two compliant buyers, one of every other verdict; the missing verdict is not counted
    assert [p.get_width() for c in ax.containers for p in c] == [1, 1, 1, 2, 1, 1, 1]
    assert bar_colours(ax) == [figures.VERDICT_COLORS[v].lower() for v in figures.VERDICT_ORDER] + [
        figures.UNKNOWN_COLOR.lower()]
    # a mapping of counts works too, and no buyer at all gives a message
    fig = figures.plot_verdict_counts({"not_measured": 3, "compliant": 0})
    assert [p.get_width() for c in fig.axes[0].containers for p in c] == [3]
    assert "No buyer" in figures.plot_verdict_counts([]).axes[0].texts[0].get_text()


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
    # 2 labels x 3 series = 6 bars, drawn series by series
    widths = [p.get_width() for c in ax.containers for p in c]
    assert widths == [9, 4, 5, 2, 3, 1]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "Contracts notified", "With a clauses row", "With participation rows"]
