"""Write the four per-year notebooks (notebooks/01-04) from the cell sources below, unexecuted.

The notebooks are the product: thin cells calling ``helpers`` and prose for evaluators. Editing them
here keeps the four ``parameters`` cells identical (docs/design.md §4 names and defaults). After running this
script, execute them on the demo data with ``make notebooks`` (``python -m helpers refresh-notebooks``)
so that the committed outputs are what nbval checks.

Usage: ``.venv/bin/python tools/build_notebooks.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

PARAMETERS = '''\
year: int = 2024  # year of notification audited
buyers: list[str] = []  # buyer SIRETs (14 digits, quoted); empty list means every buyer
data_dir: str = "data/demo"  # data directory (docs/design.md §2 layout), from the project root
scope: str = "above_eu_thresholds"  # above_eu_thresholds (amount at least the EU threshold) or all
target: float = 0.30  # PNAD target share of contracts with a social consideration
min_delivery_ratio: float = 0.8  # realized / expected hours needed for a clause to count as delivered
as_of: str = ""  # ISO cut-off date (YYYY-MM-DD); empty means 31 December of year
min_contracts: int = 5  # below this many assessable contracts the verdict is insufficient_data
alpha: float = 0.05  # level of the one-sided test that the effective share is below target
etp_hours: float = 1607.0  # hours in one full-time equivalent (ETP)
min_cell_size: int = 11  # counts of people below this are never published
allow_small_cells: bool = False  # must be True to publish with a min_cell_size below 11
language: str = "fr"  # language of the reports: "fr" (French) or "en" (English)
'''

SETUP = '''\
from helpers import figures, notebook as nb

params, data, res = nb.setup(
    year=year, buyers=buyers, data_dir=data_dir, scope=scope, target=target,
    min_delivery_ratio=min_delivery_ratio, as_of=as_of, min_contracts=min_contracts, alpha=alpha,
    etp_hours=etp_hours, min_cell_size=min_cell_size, allow_small_cells=allow_small_cells,
    language=language,
)
ind = res.indicators'''

PARAMS_MD = """\
The next cell holds the run's parameters. `python -m helpers run` replaces them with the values of
the YAML file and the command line; opened by hand, the notebook runs on the demo data."""


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def code(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(text.strip("\n"))


def notebook(title: str, intro: str, body: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = code(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [md(f"# {title}\n\n{intro.strip()}"), md(PARAMS_MD), params, code(SETUP), *body]
    for i, cell in enumerate(nb.cells):  # stable ids: rebuilding gives the same files
        cell.id = f"cell-{i:02d}"
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


DATA_QUALITY = notebook(
    "Data quality",
    """
What was read, what was de-duplicated or set aside, and how well the clause and participation files
cover the contracts. Read this first: every other result is only as good as the coverage shown here.
""",
    [
        md("""
## Files read

Every input file of the data directory, with its format and the number of rows (or JSON records)
read. Contract files can be DECP JSON (format 2022), the decp.info tabular file or the Ministry's flat
CSV; all are converted to the same canonical table.
"""),
        code("nb.files_read(data, params)"),
        md("""
## De-duplication and rejected rows

A contract is identified by its **uid** (buyer SIRET + DECP id). The same uid is often published
several times (republication, modifications): one row per uid is kept (the latest publication, with
amounts and durations updated by its modifications) and the others are counted as dropped.

The *scope* lines follow the contracts down to those audited: notified in the year, of the selected
buyers, and (by default) above the EU threshold for the buyer type and contract category.
"""),
        code("nb.quality_summary(data, res)"),
        md("""
In the default *strict* mode any invalid row stops the run with a message naming the file, the rows
and the column. With `--on-invalid quarantine`, invalid rows are set aside (below, counted by reason)
and written with their reasons to `rejected/<table>.csv` in the report folder; the results then
describe the remaining rows only.
"""),
        code('nb.shown(nb.rejected_summary(data), "No row was set aside.")'),
        md("""
## Warnings

Values that are legal but suspicious (for example very large amounts or unusually many hours for one
person) are kept and listed here, so that an evaluator can check them at the source.
"""),
        code('nb.shown(nb.quality_warnings(data, params), "No warning.")'),
        md("""
## Coverage per buyer

For each buyer, the contracts notified in the year, how many have a row in the clauses file (planned
insertion hours), how many have participation rows (hours actually worked), how many are in scope and
how many of those are **covered** by the facilitator's data. A buyer is covered when the facilitator's
files hold at least one row for it, or when `buyers.csv` gives the date from which its data is
complete; only covered contracts are judged on delivery. **Caveat:** within a covered buyer, a
contract without participation rows counts as *no hours delivered* — a facilitator that follows only
part of a buyer's contracts must say from when (`facilitator_from`) before any verdict is published.
"""),
        code("coverage = data.coverage\nnb.table(coverage)"),
        code('figures.show(figures.plot_coverage(coverage), "coverage_by_buyer")'),
    ],
)

DECLARED_SHARE = notebook(
    "Declared share of contracts with a social consideration",
    """
What buyers **declare** in DECP: the share of contracts notified in the year that carry at least one
social consideration (`Clause sociale`, `Critère social` or `Marché réservé`), against the 30 % target
of the PNAD 2022-2025. This is the number national statistics report. It is a declaration only: the
social-washing notebook checks it against what was delivered.
""",
    [
        md("""
## Whole scope

Shares are computed over the **assessable** contracts: those in scope except the ones notified less
than one month before the cut-off date. The declared share needs no facilitator data: it is
reported for every buyer, including those whose delivery cannot be judged. Intervals are 95 % Wilson intervals; the share by
amount weighs each contract by its amount (€ HT).
"""),
        code('''
dec = ind["declared"]
nb.md(
    f"**{ind['assessable_contracts']}** assessable contracts in {params.year}. "
    f"Declared share: **{nb.pct(dec['share'])}** (95 % CI {nb.ci(dec['ci95'])}); "
    f"by amount: **{nb.pct(dec['share_by_amount'])}**. Target: {nb.pct(params.target, 0)}, "
    f"{'reached' if dec['meets_target'] else 'not reached'} on paper."
)'''),
        md("""
## By type of consideration

A contract may declare several considerations, so the rows do not add up. `Critère social` (a social
award criterion) commits the holder to nothing measurable: it counts as declared but can never be
verified. `effective_share` is the share of the contracts declaring that consideration whose delivery
was verified.
"""),
        code('nb.table(res.tables["by_consideration"])'),
        code('''
figures.show(figures.plot_by_consideration(dec["by_consideration"], ind["assessable_contracts"]),
             "declared_by_consideration")'''),
        md("""
## By buyer

The largest buyers (by number of assessable contracts) are shown; the complete table is `buyers.csv`.
With few contracts, intervals are wide: a buyer below `min_contracts` assessable contracts gets no
verdict.
"""),
        code("nb.declared_by_buyer(res)"),
        code('''
figures.show(figures.plot_shares_by_buyer(res.tables["buyers_detail"], params.target,
                                          effective=False),
             "declared_share_by_buyer")'''),
        md("""
## National context

Official national shares of contracts with at least one social consideration. Until 2023 they come
from the OECP census (contracts ≥ 90 k€ HT); from 2024 the source is DECP (contracts ≥ 40 k€ HT) —
a **series break**: the two are not directly comparable, and neither is directly comparable with this
scope (by default, contracts above the EU thresholds, where clauses are more frequent).
"""),
        code('official = nb.official_shares()\nnb.table(official[["year", "share", "series", "scope"]])'),
        code('''
figures.show(figures.plot_official_context(official, params.year, dec["share"]),
             "official_context")'''),
    ],
)

INSERTION = notebook(
    "Insertion outcomes",
    """
What the clauses produced during the calendar year: hours worked by people far from employment, who
they were, what became of them, and the money spent with insertion and social-economy structures.
These activity-year indicators cover **all contracts of the selected buyers** active in the year, not
only those notified in it: this is what evaluators report each year.

**Privacy:** figures are aggregates. A count of people below `min_cell_size` is never published, and
a share only when both its numerator and its complement reach that size; such values read
"suppressed".
""",
    [
        md("""
## Hours, people, full-time equivalents

Hours worked in the year (participation rows straddling the year count pro rata of their days),
against the hours planned in the clauses of contracts notified in the year and the hours expected in
the year (planned hours pro rata of the elapsed duration). The achievement ratio compares hours on
clause contracts with the expected hours. ETP = hours / `etp_hours`.
"""),
        code('''
nb.block_table(res, "activity", {
    "hours": ("Insertion hours worked in the year (h)", "num"),
    "hours_clause_contracts": ("of which on contracts with a clause (h)", "num"),
    "planned_hours": ("Hours planned, contracts notified in the year (h)", "num"),
    "expected_hours": ("Hours expected in the year (h)", "num"),
    "achievement_ratio": ("Achievement ratio (worked / expected)", "num2"),
    "beneficiaries": ("Distinct beneficiaries", "num"),
    "hours_per_beneficiary": ("Hours per beneficiary (h)", "num"),
    "etp": ("Full-time equivalents (ETP)", "num1"),
    "hours_per_1000_eur": ("Hours per 1 000 € of clause contracts (h)", "num2"),
})'''),
        md("""
## Who was hired

Shares of the distinct beneficiaries of the year. Public categories come from the facilitator's
records (a person may belong to several).
"""),
        code('nb.shares_table(res.tables["profile"], res, "activity.profile", nb.PROFILE_LABELS)'),
        code('''
figures.show(figures.plot_shares(
    nb.labelled_shares(res.tables["profile"], nb.PROFILE_LABELS),
    title="Profile of the beneficiaries of the year", xlabel="Share of beneficiaries (%)",
    ylabel="Group"), "profile")'''),
        md("""
## What became of them

Exits among the missions that ended in the year, with the IAE definitions: *lasting job* (CDI, CDD
or interim of 6 months or more, business creation), *transition job* (shorter contracts, subsidised
contracts), *qualifying training*; together the *sorties dynamiques*. Unknown outcomes are shown, not
hidden: a high share of unknown exits weakens every other figure here.
"""),
        code('''
nb.md(f"Missions ended in the year: **{nb.value(res, 'activity.exits.missions_ended')}**.")
nb.shares_table(res.tables["exits"], res, "activity.exits", nb.EXIT_LABELS)'''),
        code('''
figures.show(figures.plot_shares(
    nb.labelled_shares(res.tables["exits"], nb.EXIT_LABELS),
    title="Exits of the missions ended in the year", xlabel="Share of missions ended (%)",
    ylabel="Exit"), "exits")'''),
        md("""
## Concentration

A few large contracts (often works, or one exceptional contract) can carry most of the hours; the
total then says little about the buyer's practice. The top-5 share and the Gini coefficient (0 = equal
hours on every contract, 1 = all hours on one) over the contracts with hours measure it.
"""),
        code('''
nb.block_table(res, "activity.concentration", {
    "contracts_with_hours": ("Contracts with insertion hours in the year", "num"),
    "top5_share": ("Share of hours on the 5 largest contracts", "pct"),
    "gini": ("Gini coefficient of hours over contracts", "num2"),
    "works_share": ("Share of hours on works contracts", "pct"),
})'''),
        code('''
figures.show(figures.plot_hours_by_contract(
    res.tables["hours_by_contract"].set_index("uid")["hours_in_year"]), "hours_concentration")'''),
        md("""
## Reserved contracts and spend with insertion / social-economy structures

A reserved contract (`Marché réservé`) is *verified* when at least one holder is in the registry of
insertion and disability structures (SIAE, GEIQ, EA, EATT, ESAT). Spend counts the contracts notified
in the year with at least one holder in the registry (framework agreements: the amount is a ceiling,
not money spent).
"""),
        code('''
nb.block_table(res, "reserved", {
    "n": ("Reserved contracts declared", "num"),
    "amount": ("Amount of reserved contracts (€ HT)", "num"),
    "verified_n": ("of which verified (eligible holder)", "num"),
    "verified_share": ("Verified share", "pct"),
    "unverified_n": ("Reserved but no eligible holder found", "num"),
})'''),
        code('''
nb.block_table(res, "ess", {
    "contracts_n": ("Contracts with a registry holder", "num"),
    "amount": ("Amount with registry holders (€ HT)", "num"),
    "share_of_amount": ("Share of the year's contract amounts", "pct"),
    "structures": ("Distinct structures holding contracts", "num"),
    "insertion_structures": ("of which insertion / disability structures", "num"),
})'''),
        md("""
## By buyer

Activity-year indicators per buyer, most hours first (the largest 20; people counts below the cell
size are suppressed).
"""),
        code("nb.activity_by_buyer(res)"),
    ],
)

WASHING = notebook(
    "Social washing: declared versus delivered",
    """
Is the 30 % met in reality, or only on paper? Delivery can only be judged where the facilitator's
data exists: a buyer is **covered** when the clauses or participations files hold a row for it (or
`buyers.csv` gives the date from which its facilitator data is complete), and a contract when its
buyer is covered and it was notified on or after that date. Each contract in scope gets a **status**
at the cut-off date, the first that matches: `NOT_DUE` (less than one month elapsed: left out),
`NOT_COVERED` (no facilitator data: counted in the declared share only), then for declared contracts
`VERIFIED` (a reserved contract held by an eligible structure, or a clause *delivered*: hours worked,
at least `min_delivery_ratio` of the hours expected so far when hours were planned), `SHORTFALL`
(some hours, too few), `NO_EVIDENCE` (a clause with no hours, or a reserved contract without an
eligible holder), `UNVERIFIABLE` (only a social criterion); for the others `UNDECLARED_DELIVERY`
(delivered by the same standard without a declaration) or `NOT_DECLARED`.

A contract is **effective** when `VERIFIED` or `UNDECLARED_DELIVERY`. Over the covered contracts, a
buyer whose declared share reaches the target while its effective share is significantly below it is
flagged **social_washing**; when the shortfall is not significant, **possible_social_washing**. With
too few covered contracts the buyer is **not_measured**: nothing is concluded about its delivery.
""",
    [
        md("""
## Whole scope

All shares below are over the **covered** contracts. The gap is the declared share minus the
effective share, in percentage points, with a 95 % interval for paired proportions; McNemar's exact
test asks whether declared-but-not-effective contracts outnumber effective-but-undeclared ones by
more than chance. The **unsubstantiated share** is the part of the declared contracts that are not
effective. *Significant* means the effective share is below the target by a one-sided exact
binomial test at level `alpha` (for buyers, after the Benjamini-Hochberg correction over the buyers
judged). The upper bound counts every `UNVERIFIABLE` criterion as kept.
"""),
        code('''
gap = ind["gap"]
nb.delivery_note(res)
nb.md(
    f"Verdict for the whole scope: **{ind['verdict']}**"
    f"{' (significant)' if ind['significant'] else ''}. "
    f"Declared {nb.pct(ind['declared']['covered_share'])}, "
    f"effective {nb.pct(ind['effective']['share'])} {nb.ci(ind['effective']['ci95'])} "
    f"(upper bound {nb.pct(ind['effective']['upper_share'])}) "
    f"over {ind['covered_contracts']} covered contracts "
    f"({ind['assessable_contracts']} assessable); unsubstantiated "
    f"{nb.pct(ind['unsubstantiated']['share'])} of the declared ones; gap "
    f"**{nb.num(gap['points'], 1)} points** (95 % CI {nb.num((gap['ci95'] or [None])[0], 1)} to "
    f"{nb.num((gap['ci95'] or [None, None])[1], 1)}), McNemar p = {nb.num(gap['mcnemar_p'], 4)}; "
    f"{gap['declared_not_effective']} contracts declared but not effective, "
    f"{gap['effective_not_declared']} effective but not declared."
)'''),
        md("""
## Status of the contracts in scope
"""),
        code('nb.mapping_table(ind["status_counts"], key="status", value="contracts")'),
        code('figures.show(figures.plot_status_counts(ind["status_counts"]), "status_counts")'),
        md("""
## From declaration to delivery

Among the covered assessable contracts that declare a social consideration: how many are **followed**
(planned hours in the clauses file, hours recorded, or a verified reserved holder: someone tracks
them) and how many are **delivered** (status `VERIFIED`). The drop between the bars is where
declarations lose their substance.
"""),
        code('stages = nb.funnel(res)\nfigures.show(figures.plot_funnel(stages), "status_funnel")'),
        md("""
## Declared against effective, by buyer

Dots are shares of assessable contracts with their 95 % Wilson intervals (the effective share over
the covered ones); the dashed line is the target. A buyer whose blue dot is right of the line and orange dot left of it declares enough but
delivers too little. Buyers with few contracts have wide intervals: read them with care.
"""),
        code('''
figures.show(figures.plot_shares_by_buyer(res.tables["buyers_detail"], params.target,
                                          alpha=params.alpha),
             "declared_vs_effective_by_buyer")'''),
        code('''
figures.show(figures.plot_share_by_amount(res.tables["buyers_detail"], params.target),
             "declared_vs_effective_by_amount")'''),
        md("""
## Verdicts

Flagged buyers first (`social_washing`, `possible_social_washing`, then `below_target`), then by
number of assessable contracts. Shares are in %, the gap in points; `q_value` is the
Benjamini-Hochberg adjusted p-value. `insufficient_data`: fewer than `min_contracts` assessable
contracts; `not_measured`: fewer than `min_contracts` covered ones. The complete table is
`buyers.csv`.
"""),
        code("nb.verdict_table(res)"),
        md("""
## The contracts behind the flags

The declared but not effective contracts of the buyers flagged for social washing (clear or
possible), largest amounts first. Hours are as of the cut-off date. The complete list, with every contract in scope and its
status, is `contracts.csv`.
"""),
        code('''
nb.contracts_behind_flags(res)'''),
        md("""
## Caveats

- Delivery is measured from the facilitator's participation records, only for covered buyers and
  dates: a covered buyer's facilitator is assumed to follow every one of its contracts from that date.
- Expected hours assume the clause is executed evenly over the contract's duration.
- A social criterion alone (`UNVERIFIABLE`) never counts as effective: nothing measurable is promised.
- Framework-agreement amounts are ceilings, which weighs the shares by amount.
- From 2024 declarations come from DECP (≥ 40 k€): a series break with earlier official figures.
"""),
    ],
)

NOTEBOOKS = {
    "01_data_quality.ipynb": DATA_QUALITY,
    "02_declared_share.ipynb": DECLARED_SHARE,
    "03_insertion_outcomes.ipynb": INSERTION,
    "04_social_washing.ipynb": WASHING,
}


def main(argv: list[str] | None = None) -> int:
    folder = ROOT / "notebooks"
    folder.mkdir(exist_ok=True)
    for name, nb in NOTEBOOKS.items():
        nbformat.validate(nb)
        nbformat.write(nb, str(folder / name))
        print(f"wrote notebooks/{name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
