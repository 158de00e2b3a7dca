"""Sensitivity sweep over min_delivery_ratio (helpers.indicators.sensitivity) with a hand-built
compute function whose results can be stated for every ratio."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers.indicators import sensitivity as sens
from helpers.params import Params

B1, B2 = "11111111111111", "02222222222222"
# ten covered contracts: delivery ratio realized/expected of each, and its buyer; one more
# UNVERIFIABLE contract (only a social criterion declared) belongs to B2 and counts in the upper bound
RATIOS = [0.55, 0.65, 0.75, 0.85, 0.95, 1.2, 1.5, 0.0, 0.0, 0.0]
BUYER = [B1, B1, B1, B1, B1, B2, B2, B2, B2, B2]


def stub_compute(params: Params) -> SimpleNamespace:
    """Effective = delivery ratio ≥ min_delivery_ratio; covered set = the 10 contracts + 1
    UNVERIFIABLE (11); verdict compliant when the effective share ≥ 0.30, else below_target."""
    r = params.min_delivery_ratio
    calls.append(r)
    eff = [x >= r for x in RATIOS]

    def verdict(share: float) -> str:
        return "compliant" if share >= params.target else "below_target"

    n = 11
    k = sum(eff)
    buyers = []
    for siret, size, extra in ((B1, 5, 0), (B2, 6, 1)):
        kb = sum(e for e, b in zip(eff, BUYER) if b == siret)
        buyers.append({"buyer_siret": siret, "buyer_name": f"Buyer {siret[:2]}",
                       "effective_share": kb / size, "upper_share": (kb + extra) / size,
                       "verdict": verdict(kb / size)})
    return SimpleNamespace(
        indicators={"verdict": verdict(k / n),
                    "effective": {"share": k / n, "upper_share": (k + 1) / n}},
        buyers=pd.DataFrame(buyers))


calls: list[float] = []


def test_sweep_gives_the_scope_and_buyer_rows_for_every_ratio() -> None:
    calls.clear()
    t = sens.sweep(stub_compute, Params(min_delivery_ratio=0.8))
    assert calls == [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]  # one call per ratio, in order
    assert list(t.columns) == sens.COLUMNS and len(t) == 6 * 3
    scope = t[t["buyer_siret"].eq("ALL")].set_index("min_delivery_ratio")
    # contracts with ratio >= r: 0.5 -> 7 (0.55 ... 1.5), 0.6 -> 6, 0.7 -> 5, 0.8 -> 4, 0.9 -> 3,
    # 1.0 -> 2 (1.2 and 1.5); share = k / 11, upper = (k + 1) / 11
    assert scope["effective_share"].tolist() == pytest.approx([7 / 11, 6 / 11, 5 / 11, 4 / 11,
                                                               3 / 11, 2 / 11])
    assert scope["upper_share"].tolist() == pytest.approx([8 / 11, 7 / 11, 6 / 11, 5 / 11,
                                                           4 / 11, 3 / 11])
    # 3/11 = 0.273 < 0.30 at 0.9: below target from 0.9 on
    assert scope["verdict"].tolist() == ["compliant"] * 4 + ["below_target"] * 2
    b1 = t[t["buyer_siret"].eq(B1)].set_index("min_delivery_ratio")
    # B1 holds ratios 0.55..0.95: at 0.5 5/5, 0.6 4/5, 0.7 3/5, 0.8 2/5, 0.9 1/5, 1.0 0/5
    assert b1["effective_share"].tolist() == pytest.approx([1.0, 0.8, 0.6, 0.4, 0.2, 0.0])
    assert b1["verdict"].tolist() == ["compliant"] * 4 + ["below_target"] * 2
    b2 = t[t["buyer_siret"].eq(B2)]
    # B2 holds 1.2 and 1.5 (effective at every ratio) out of 6: 2/6 = 0.333 -> compliant throughout
    assert b2["effective_share"].tolist() == pytest.approx([2 / 6] * 6)
    assert set(b2["verdict"]) == {"compliant"}
    assert sens.monotone_violations(t).empty


def test_verdict_table_and_changed_buyers() -> None:
    t = sens.sweep(stub_compute, Params(), ratios=(1.0, 0.5))
    wide = sens.verdict_table(t)
    assert list(wide.columns) == ["0.5", "1"]
    assert list(wide.index) == ["ALL", B2, B1]  # scope first, then SIRET order ("022..." < "111...")
    assert sens.changed_buyers(t).index.tolist() == ["ALL", B1]


def test_bad_ratio_refused_and_missing_upper_column_gives_nan() -> None:
    with pytest.raises(ValueError, match=r"\[1.5\]"):
        sens.sweep(stub_compute, Params(), ratios=(0.5, 1.5))

    def no_upper(params: Params) -> SimpleNamespace:
        res = stub_compute(params)
        res.buyers = res.buyers.drop(columns="upper_share")
        return res

    t = sens.sweep(no_upper, Params(), ratios=(0.8,))
    assert t.loc[t["buyer_siret"].ne("ALL"), "upper_share"].isna().all()


def test_monotone_violations_flags_a_rising_share() -> None:
    t = pd.DataFrame({"min_delivery_ratio": [0.5, 0.6], "buyer_siret": ["ALL", "ALL"],
                      "buyer_name": None, "effective_share": [0.3, 0.4], "upper_share": None,
                      "verdict": ["compliant", "compliant"]})
    assert sens.monotone_violations(t)["min_delivery_ratio"].tolist() == [0.6]


def test_sensitivity_figure_draws_both_panels() -> None:
    fig = sens.sensitivity_figure(sens.sweep(stub_compute, Params()), 0.30, 0.8)
    ax1, ax2 = fig.axes[:2]
    labels = ax1.get_legend_handles_labels()[1]
    assert "Effective share" in labels and "Target 30%" in labels
    # right panel: bars for (ratio, verdict) pairs present: compliant at 6 ratios for B2, B1
    # compliant at 4 and below_target at 2 -> counts 2,2,2,2,1,1 (compliant) and 1,1 (below)
    heights = sorted(round(p.get_height()) for p in ax2.patches if p.get_height() > 0)
    assert heights == [1, 1, 1, 1, 2, 2, 2, 2]
    plt.close(fig)


def test_from_contracts_reclassifies_a_report_like_a_full_recomputation():
    # One buyer, 6 clause contracts fully due (6 months, notified 2024-01-15), 1 000 h planned each,
    # realized 500, 650, 750, 850, 950, 1 000 h: delivered at ratio r when realized ≥ r × 1 000.
    # ratio 0.5 -> 6 effective (6/6 = 1.0); 0.7 -> 4 (0.667); 0.8 -> 3 (0.5); 1.0 -> 1 (0.167).
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "indicators"))
    import builders as b

    from helpers.indicators import compute_results
    from helpers.indicators.sensitivity import ALL, from_contracts, sweep

    hours = [500.0, 650.0, 750.0, 850.0, 950.0, 1000.0]
    ds = b.dataset([{"contract_id": f"c{i}", "social_considerations": ["Clause sociale"],
                     "duration_months": 6.0} for i in range(6)],
                   [{"contract_id": f"c{i}", "planned_hours": 1000.0} for i in range(6)],
                   [{"contract_id": f"c{i}", "hours": h, "beneficiary_id": f"p{i}",
                     "start_date": "2024-03-01", "end_date": "2024-03-31"}
                    for i, h in enumerate(hours)])
    params = b.params(year=2024)
    res = compute_results(ds, params)
    quick = sweep(from_contracts(res.contracts), params, ratios=(0.5, 0.7, 0.8, 1.0))
    scope = quick[quick["buyer_siret"].eq(ALL)].set_index("min_delivery_ratio")["effective_share"]
    assert scope.to_dict() == pytest.approx({0.5: 1.0, 0.7: 4 / 6, 0.8: 3 / 6, 1.0: 1 / 6})
    full = sweep(lambda p: compute_results(ds, p), params, ratios=(0.5, 0.7, 0.8, 1.0))
    for col in ("effective_share", "verdict"):
        assert quick[col].tolist() == (pytest.approx(full[col].tolist())
                                       if col == "effective_share" else full[col].tolist())
