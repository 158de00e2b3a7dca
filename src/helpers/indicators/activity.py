"""Activity-year indicators: what evaluators report for the calendar year ``year``,
over ALL contracts of the selected buyers (not only the scope of the declared-versus-real test).

Key names are documented in docs/indicators.md (codes SCA-ACT-*, SCA-RES-*, SCA-ESS-*). Values here
are raw; :func:`helpers.indicators.privacy.publish` applies the returned rules and partitions before
anything is published. The partitions (sets of published cells adding up to a published total) are:

- exits: sorties dynamiques, autre, inconnu, en cours (and missions without an outcome, if any) add
  up to the missions ended; emploi durable, emploi de transition, formation add up to the sorties
  dynamiques;
- profile: women and everyone else; under 26, 50 and over and everyone else (26-49 or unknown age);
  no diploma and everyone else; each public category and everyone else (a person may be in several
  categories, so the categories together are not a partition) — all add up to the beneficiaries;
- per buyer (table ``activity_by_buyer``): the buyers' beneficiaries add up to all beneficiaries
  (a person working for two buyers counts in both), their hours to the hours and their hours on
  clause contracts to the hours on clause contracts.

A group's hours, ETP, hours per person, hours on clause contracts and the ratios that reveal them
(achievement ratio, hours per 1 000 €) are governed by the group's people count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import schemas
from ..dataset import Dataset
from ..params import Params
from .privacy import CellRule, Partition, count_rule, partition, share_rule, table_partition, table_rules
from .status import (
    annotate_contracts,
    consideration_flags,
    due_fraction,
    holders_in_registry,
    participation_intervals,
    prorated_hours,
)

#: Profile keys (activity.profile.<key>_n / _share) and the public categories they cover.
PUBLIC_KEYS: dict[str, str] = {c: f"public_{c.lower()}" for c in schemas.PUBLIC_CATEGORIES}
PROFILE_KEYS: tuple[str, ...] = ("women", "under_26", "age_50_plus", "no_diploma",
                                 *PUBLIC_KEYS.values())
#: Exit keys (activity.exits.<key>_n / _share): each outcome, then the sorties dynamiques.
EXIT_KEYS: tuple[str, ...] = (*schemas.EXIT_OUTCOMES, "sorties_dynamiques")
#: Key prefix of the per-buyer table's cells (``tables.activity_by_buyer.<siret>.<column>``).
BY_BUYER_PREFIX = "tables.activity_by_buyer"
#: Columns of the per-buyer table governed by the buyer's people count (suppressed with it).
BY_BUYER_PEOPLE_COLUMNS: tuple[str, ...] = ("beneficiaries", "hours", "hours_clause_contracts",
                                            "achievement_ratio", "etp", "hours_per_beneficiary")
#: Keys of the whole year's values governed by the number of beneficiaries.
PEOPLE_LINKED: tuple[str, ...] = ("activity.hours_per_beneficiary", "activity.hours", "activity.etp",
                                  "activity.hours_clause_contracts", "activity.achievement_ratio",
                                  "activity.hours_per_1000_eur")


@dataclass
class Activity:
    """Raw activity-year values, the privacy rules to apply to them, and per-row tables."""

    values: dict[str, Any]           # {"activity": {...}, "reserved": {...}, "ess": {...}}
    rules: list[CellRule]            # people counts and shares to check (privacy)
    hours_by_contract: pd.DataFrame  # one row per contract with hours, expected or planned hours
    by_buyer: pd.DataFrame           # per buyer, raw (beneficiaries not yet suppressed)
    extra_quality: dict[str, int] = field(default_factory=dict)
    #: sums of published cells (secondary suppression); keys of ``values`` and of ``by_buyer`` cells
    partitions: list[Partition] = field(default_factory=list)


def gini(values: object) -> float | None:
    """Gini coefficient of non-negative values: Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean), computed as
    2 Σ i·x₍ᵢ₎ / (n Σ x) − (n + 1) / n over the values sorted ascending (i = 1..n).
    None when there is no value or their sum is 0."""
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    if n == 0 or x.sum() <= 0:
        return None
    i = np.arange(1, n + 1)
    return float(2.0 * np.sum(i * x) / (n * x.sum()) - (n + 1) / n)


def _ratio(num: float, den: float) -> float | None:
    return float(num / den) if den > 0 else None


def _share_block(counts: dict[str, int], denominator: int, prefix: str
                 ) -> tuple[dict[str, Any], list[CellRule]]:
    block: dict[str, Any] = {}
    rules: list[CellRule] = []
    for key, k in counts.items():
        block[f"{key}_n"] = int(k)
        block[f"{key}_share"] = _ratio(k, denominator)
        rules.append(share_rule(f"{prefix}.{key}_share", f"{prefix}.{key}_n", k, denominator))
    return block, rules


def activity_indicators(dataset: Dataset, params: Params,
                        contracts: pd.DataFrame | None = None) -> Activity:
    """Activity-year indicators for ``params.year`` over every contract of the selected buyers.

    ``contracts``: the dataset's contracts annotated by :func:`annotate_contracts` (recomputed when
    None). Windows: the year is [1 January, 31 December] (days, both ends included); a participation
    row straddling it counts pro rata of its days; a row without an end date is spread from its start
    to ``as_of`` (or over its start day if it starts after ``as_of``).
    """
    year = params.year
    y_start, y_end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    prev_end = pd.Timestamp(year - 1, 12, 31)
    if contracts is None:
        contracts = annotate_contracts(dataset.contracts, dataset.buyers)
    parts = dataset.participations.reset_index(drop=True)
    clauses = dataset.clauses
    if params.buyers:
        contracts = contracts.loc[contracts["buyer_siret"].isin(params.buyers)]
        parts = parts.loc[parts["buyer_siret"].isin(params.buyers)]
        clauses = clauses.loc[clauses["buyer_siret"].isin(params.buyers)]

    # --- hours in the year, per participation row -------------------------------------------------
    row_hours = prorated_hours(parts, y_start, y_end, ongoing_end=params.as_of_date)
    start, end = participation_intervals(parts, params.as_of_date)
    in_year = (start <= y_end) & (end >= y_start)
    hours = float(row_hours.sum())

    # --- clause contracts: planned, expected in the year, amount in the year --------------------
    cl = clauses.groupby("uid", as_index=False, sort=False).agg(
        planned_hours=("planned_hours", "sum"), buyer_siret=("buyer_siret", "first"))
    uid_index = pd.Index(contracts["uid"])
    if not uid_index.is_unique:
        raise ValueError("contracts: uid must be unique (one row per uid after de-duplication, "
                         "see helpers.schemas)")
    # hash look-up of each clause's contract (a positional take; -1 = no such contract -> NaN)
    looked = contracts[["notification_date", "duration_months", "amount", "category"]].reset_index(
        drop=True).reindex(uid_index.get_indexer(cl["uid"]))
    for col in looked.columns:
        cl[col] = looked[col].to_numpy()
    matched = cl["notification_date"].notna()
    year_frac = (due_fraction(cl["notification_date"], cl["duration_months"], y_end)
                 - due_fraction(cl["notification_date"], cl["duration_months"], prev_end))
    year_frac = year_frac.where(matched, 0.0)
    cl["expected_in_year"] = cl["planned_hours"] * year_frac
    cl["amount_in_year"] = cl["amount"] * year_frac
    expected = float(cl["expected_in_year"].sum())
    planned = float(cl.loc[cl["notification_date"].dt.year.eq(year), "planned_hours"].sum())
    on_clause = parts["uid"].isin(cl["uid"])
    hours_clause = float(row_hours[on_clause].sum())
    amount_in_year = float(cl["amount_in_year"].sum(skipna=True))

    # --- people ---------------------------------------------------------------------------------
    people_rows = parts.loc[in_year].sort_values("start_date", kind="stable")  # "last" = latest
    people = people_rows.groupby("beneficiary_id", sort=False).agg(
        sex=("sex", "last"), birth_year=("birth_year", "last"), diploma=("diploma_level", "last"))
    n_people = int(len(people))
    age = year - people["birth_year"].astype("Float64")
    cats = people_rows[["beneficiary_id", "public_categories"]].explode("public_categories")
    cats = cats.dropna().drop_duplicates()
    cat_counts = cats["public_categories"].value_counts()
    profile_counts = {
        "women": int(people["sex"].eq("F").sum()),
        "under_26": int((age < 26).fillna(False).sum()),
        "age_50_plus": int((age >= 50).fillna(False).sum()),
        "no_diploma": int(people["diploma"].eq("infra_bac").sum()),
        **{key: int(cat_counts.get(cat, 0)) for cat, key in PUBLIC_KEYS.items()},
    }
    profile, profile_rules = _share_block(profile_counts, n_people, "activity.profile")
    pre = "activity.profile"
    profile_parts = [
        partition(f"{pre}.sex", "activity.beneficiaries", n_people,
                  {f"{pre}.women_n": profile_counts["women"]}, covers_total=False),
        partition(f"{pre}.age", "activity.beneficiaries", n_people,
                  {f"{pre}.under_26_n": profile_counts["under_26"],
                   f"{pre}.age_50_plus_n": profile_counts["age_50_plus"]}, covers_total=False),
        partition(f"{pre}.diploma", "activity.beneficiaries", n_people,
                  {f"{pre}.no_diploma_n": profile_counts["no_diploma"]}, covers_total=False),
        *(partition(f"{pre}.{key}", "activity.beneficiaries", n_people,
                    {f"{pre}.{key}_n": profile_counts[key]}, covers_total=False)
          for key in PUBLIC_KEYS.values()),
    ]

    # --- exits among missions ended in the year ---------------------------------------------------
    ended = parts.loc[parts["end_date"].between(y_start, y_end)]
    n_ended = int(len(ended))
    outcome_counts = ended["exit_outcome"].value_counts()
    exit_counts = {k: int(outcome_counts.get(k, 0)) for k in schemas.EXIT_OUTCOMES}
    exit_counts["sorties_dynamiques"] = sum(exit_counts[k] for k in schemas.DYNAMIC_EXITS)
    exits, exit_rules = _share_block(exit_counts, n_ended, "activity.exits")
    exits["missions_ended"] = n_ended
    pre = "activity.exits"
    exit_parts = [
        partition(f"{pre}.outcomes", f"{pre}.missions_ended", n_ended,
                  {f"{pre}.{k}_n": exit_counts[k] for k in
                   ("sorties_dynamiques", *(o for o in schemas.EXIT_OUTCOMES
                                            if o not in schemas.DYNAMIC_EXITS))},
                  covers_total=True),
        partition(f"{pre}.dynamic", f"{pre}.sorties_dynamiques_n", exit_counts["sorties_dynamiques"],
                  {f"{pre}.{k}_n": exit_counts[k] for k in schemas.DYNAMIC_EXITS},
                  covers_total=True),
    ]

    # --- concentration over contracts with hours in the year ------------------------------------
    per_contract = pd.DataFrame({"uid": parts.loc[in_year, "uid"],
                                 "buyer_siret": parts.loc[in_year, "buyer_siret"],
                                 "hours_in_year": row_hours[in_year]}).groupby(
        "uid", sort=False).agg(buyer_siret=("buyer_siret", "first"),
                               hours_in_year=("hours_in_year", "sum"))
    per_contract = per_contract[per_contract["hours_in_year"] > 0]
    by_contract = per_contract["hours_in_year"]
    position = uid_index.get_indexer(by_contract.index)
    category = np.where(position >= 0, contracts["category"].to_numpy(object)[position], "unknown")
    works_hours = float(by_contract[category == "works"].sum())
    concentration = {
        "contracts_with_hours": int(len(by_contract)),
        "top5_share": _ratio(float(by_contract.nlargest(5).sum()), float(by_contract.sum())),
        "gini": gini(by_contract.to_numpy()),
        "works_share": _ratio(works_hours, float(by_contract.sum())),
    }

    activity = {
        "hours": hours,
        "hours_clause_contracts": hours_clause,
        "planned_hours": planned,
        "expected_hours": expected,
        "achievement_ratio": _ratio(hours_clause, expected),
        "beneficiaries": n_people,
        "hours_per_beneficiary": _ratio(hours, n_people),
        "etp": hours / params.etp_hours,
        "clause_contracts_amount_in_year": amount_in_year,
        "hours_per_1000_eur": _ratio(hours_clause, amount_in_year / 1000.0),
        "profile": profile,
        "exits": exits,
        "concentration": concentration,
    }
    rules = [count_rule("activity.beneficiaries", n_people, *PEOPLE_LINKED),
             count_rule("activity.exits.missions_ended", n_ended), *profile_rules, *exit_rules]

    # --- reserved contracts and ESS spend, contracts notified in the year -----------------------
    year_c = contracts.loc[contracts["notification_date"].dt.year.eq(year)]
    flags = consideration_flags(year_c["social_considerations"])
    eligible = holders_in_registry(year_c["holders"], dataset.suppliers, schemas.ELIGIBLE_KINDS)
    any_registry = holders_in_registry(year_c["holders"], dataset.suppliers)
    amount = year_c["amount"].astype(float)
    res_mask = flags["reserved"]
    verified = res_mask & eligible
    reserved = {
        "n": int(res_mask.sum()),
        "amount": float(amount[res_mask].sum()),
        "verified_n": int(verified.sum()),
        "verified_amount": float(amount[verified].sum()),
        "verified_share": _ratio(float(verified.sum()), float(res_mask.sum())),
        "unverified_n": int((res_mask & ~eligible).sum()),
    }
    holders = year_c["holders"].explode().dropna()
    registry = dataset.suppliers
    total_amount = float(amount.sum())
    ess = {
        "contracts_n": int(any_registry.sum()),
        "amount": float(amount[any_registry].sum()),
        "share_of_amount": _ratio(float(amount[any_registry].sum()), total_amount),
        "structures": int(holders[holders.isin(registry["siret"].unique())].nunique()),
        "insertion_contracts_n": int(eligible.sum()),
        "insertion_amount": float(amount[eligible].sum()),
        "insertion_structures": int(holders[holders.isin(
            registry.loc[registry["kind"].isin(schemas.ELIGIBLE_KINDS), "siret"].unique())].nunique()),
        "year_contracts_n": int(len(year_c)),
        "year_contracts_amount": total_amount,
    }

    # --- tables -----------------------------------------------------------------------------------
    planned_side = cl.set_index("uid")
    worked_side = per_contract.assign(category=category)
    uids = planned_side.index.union(worked_side.index)          # sorted: the table's order
    planned_side, worked_side = planned_side.reindex(uids), worked_side.reindex(uids)
    hbc = pd.DataFrame({
        "uid": uids.to_numpy(object),
        "buyer_siret": planned_side["buyer_siret"].fillna(worked_side["buyer_siret"]).to_numpy(),
        "category": planned_side["category"].fillna(worked_side["category"]).fillna(
            "unknown").to_numpy(),
        "planned_hours": planned_side["planned_hours"].fillna(0.0).to_numpy(float),
        "expected_in_year": planned_side["expected_in_year"].fillna(0.0).to_numpy(float),
        "hours_in_year": worked_side["hours_in_year"].fillna(0.0).to_numpy(float),
    })

    buyer_ids = sorted(set(contracts["buyer_siret"].unique()) | set(parts["buyer_siret"].unique())
                       | set(params.buyers))
    by_buyer = pd.DataFrame(index=pd.Index(buyer_ids, name="buyer_siret"))
    by_buyer["hours"] = row_hours.groupby(parts["buyer_siret"]).sum()
    by_buyer["hours_clause_contracts"] = row_hours[on_clause].groupby(
        parts.loc[on_clause, "buyer_siret"]).sum()
    by_buyer["expected_hours"] = cl.groupby("buyer_siret")["expected_in_year"].sum()
    by_buyer = by_buyer.fillna(0.0)
    by_buyer["achievement_ratio"] = (by_buyer["hours_clause_contracts"]
                                     / by_buyer["expected_hours"].where(by_buyer["expected_hours"] > 0))
    by_buyer["etp"] = by_buyer["hours"] / params.etp_hours
    by_buyer["beneficiaries"] = parts.loc[in_year].groupby("buyer_siret")["beneficiary_id"].nunique()
    by_buyer["beneficiaries"] = by_buyer["beneficiaries"].fillna(0).astype(float)
    by_buyer["hours_per_beneficiary"] = by_buyer["hours"] / by_buyer["beneficiaries"].where(
        by_buyer["beneficiaries"] > 0)

    rules += table_rules(by_buyer, "beneficiaries", BY_BUYER_PEOPLE_COLUMNS, BY_BUYER_PREFIX)
    buyer_parts = [table_partition(f"{BY_BUYER_PREFIX}.{column}", by_buyer, column, "beneficiaries",
                                   BY_BUYER_PREFIX, f"activity.{column}", n_people)
                   for column in ("beneficiaries", "hours", "hours_clause_contracts")]

    quality = {"clauses_without_contract": int((~matched).sum()),
               "participations_without_contract": int((uid_index.get_indexer(parts["uid"]) < 0).sum())}
    return Activity(values={"activity": activity, "reserved": reserved, "ess": ess}, rules=rules,
                    hours_by_contract=hbc, by_buyer=by_buyer, extra_quality=quality,
                    partitions=[*profile_parts, *exit_parts, *buyer_parts])
