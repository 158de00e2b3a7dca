"""Write the four per-year notebooks (notebooks/01-04) from the cell sources below, unexecuted.

The notebooks are the product: thin cells calling ``helpers``. Their prose is in
``helpers.texts`` (French and English: a Markdown cell cannot follow the ``language`` parameter, so
each paragraph is a cell ``nb.say("<page>.<paragraph>")``); editing them here keeps the four
``parameters`` cells identical (names and defaults of docs/design.md). Every page calls
``helpers.notebook`` (``nb``: set-up, prose, glossary, page 01's tables) and imports, in the first cell
that needs it, the module of its own tables and figures: ``notebook_declared`` (``nbd``, page 02),
``notebook_outcomes`` (``nbo``, page 03), ``notebook_verdicts`` (``nbv``, page 04 and the per-buyer
figure of page 02) and ``notebook_checks`` (``nbc``, page 04's robustness sections). After running this
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
data_dir: str = "data/demo"  # data directory (docs/design.md §2.1 layout), from the project root
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
from helpers import notebook as nb

params, data, res = nb.setup(
    year=year, buyers=buyers, data_dir=data_dir, scope=scope, target=target,
    min_delivery_ratio=min_delivery_ratio, as_of=as_of, min_contracts=min_contracts, alpha=alpha,
    etp_hours=etp_hours, min_cell_size=min_cell_size, allow_small_cells=allow_small_cells,
    language=language,
)
nb.configure(params)
ind = res.indicators'''

# For whoever opens the .ipynb: removed from the HTML page (tag hide-in-report), like the
# parameters cell itself.
PARAMS_MD = """\
*Paramètres / Parameters.* La cellule suivante contient les paramètres de l'audit ; lors d'un
traitement complet ils sont remplacés par ceux du fichier de configuration et de la ligne de
commande. Ouvert à la main, le carnet s'exécute sur les données de démonstration. Le texte des
pages est dans `src/helpers/words/` (un fichier par langue, français et anglais ;
paramètre `language`).

The next cell holds the audit's parameters; a full run replaces them with those of the
configuration file and the command line. Opened by hand, the notebook runs on the demo data. The
pages' text is in `src/helpers/words/` (one file per language, French and English;
`language` parameter)."""


def md(text: str, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def code(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(text.strip("\n"))


def say(*keys: str) -> nbformat.NotebookNode:
    """A cell showing the paragraphs ``keys`` of helpers.texts in the run's language."""
    return code("\n".join(f'nb.say("{k}")' for k in keys))


def notebook(page: str, title: str, body: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """A page: a bilingual title for the .ipynb (the index reads it; hidden in the HTML), the
    parameters, the setup, the page's title and introduction in the run's language, ``body``, and
    the glossary."""
    nb = nbformat.v4.new_notebook()
    params = code(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [md(f"# {title}", ("hide-in-report",)), md(PARAMS_MD, ("hide-in-report",)), params,
                code(SETUP),
                code(f'nb.say("{page}.title")\nnb.say("{page}.intro")\nnb.small_cells_note()'),
                *body, code("nb.glossary()")]
    for i, cell in enumerate(nb.cells):  # stable ids: rebuilding gives the same files
        cell.id = f"cell-{i:02d}"
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


DATA_QUALITY = notebook("01", "Qualité des données (Data quality)", [
    say("01.files"),
    code("nb.files_read(data, params)"),
    say("01.dedup"),
    code("nb.quality_table(data, res)"),
    say("01.rejected"),
    code('nb.shown(nb.rejected_table(data), "01.no_rejected")'),
    say("01.warnings"),
    code('nb.shown(nb.quality_warnings(data, params), "01.no_warnings")'),
    say("01.coverage"),
    code("nb.coverage_table(data)"),
    code("nb.coverage_figure(data)"),
])

DECLARED_SHARE = notebook("02", "Part déclarée (Declared share)", [
    say("02.whole_scope"),
    code("from helpers import notebook_declared as nbd\n\nnbd.whole_declared(res)"),
    say("02.by_consideration"),
    code("nbd.consideration_table(res)"),
    code("nbd.consideration_figure(res)"),
    say("02.by_buyer"),
    code("nbd.declared_by_buyer(res)"),
    code("from helpers import notebook_verdicts as nbv\n\n"
         "nbv.shares_by_buyer_figure(res, effective=False)"),
    say("02.context"),
    code("official = nbd.official_shares()\nnbd.official_table(official)"),
    code("nbd.official_figure(official, res)"),
])

INSERTION = notebook("03", "Résultats de l'insertion (Insertion outcomes)", [
    say("03.hours"),
    code('''
from helpers import notebook_outcomes as nbo

nbo.block_table(res, "activity", {
    "hours": ("act_hours", "hours"),
    "hours_clause_contracts": ("act_hours_clause", "hours"),
    "planned_hours": ("act_planned", "hours"),
    "expected_hours": ("act_expected", "hours"),
    "achievement_ratio": ("act_ratio", "pct"),
    "beneficiaries": ("act_people", "int"),
    "hours_per_beneficiary": ("act_hours_per_person", "hours"),
    "etp": ("act_etp", "num1"),
    "hours_per_1000_eur": ("act_hours_per_1000", "num2"),
})'''),
    say("03.profile"),
    code('nbo.shares_table(res.tables["profile"], res, "activity.profile")'),
    code('nbo.shares_figure(res.tables["profile"], "profile")'),
    say("03.exits"),
    code('''
nb.say("03.missions_ended", n=nbo.value(res, "activity.exits.missions_ended"))
nbo.shares_table(res.tables["exits"], res, "activity.exits")'''),
    code('nbo.shares_figure(res.tables["exits"], "exits")'),
    say("03.concentration"),
    code('''
nbo.block_table(res, "activity.concentration", {
    "contracts_with_hours": ("conc_contracts", "int"),
    "top5_share": ("conc_top5", "pct"),
    "gini": ("conc_gini", "num2"),
    "works_share": ("conc_works", "pct"),
})'''),
    code("nbo.hours_figure(res)"),
    say("03.reserved"),
    code('''
nbo.block_table(res, "reserved", {
    "n": ("res_n", "int"),
    "amount": ("res_amount", "money"),
    "verified_n": ("res_verified", "int"),
    "verified_share": ("res_verified_share", "pct"),
    "unverified_n": ("res_unverified", "int"),
})'''),
    code('''
nbo.block_table(res, "ess", {
    "contracts_n": ("ess_n", "int"),
    "amount": ("ess_amt", "money"),
    "share_of_amount": ("ess_share", "pct"),
    "structures": ("ess_struct", "int"),
    "insertion_structures": ("ess_insertion", "int"),
})'''),
    say("03.by_buyer"),
    code("nbo.activity_by_buyer(res)"),
])

WASHING = notebook("04", "Déclaré et réalisé (Declared and delivered)", [
    say("04.whole_scope"),
    code("from helpers import notebook_verdicts as nbv\n\n"
         "nbv.delivery_note(res)\nnbv.whole_scope_verdict(res)"),
    say("04.status"),
    code("nbv.status_table(res)"),
    code("nbv.status_figure(res)"),
    say("04.funnel"),
    code("nbv.funnel_figure(res)"),
    say("04.by_buyer"),
    code("nbv.shares_by_buyer_figure(res)"),
    code("nbv.share_by_amount_figure(res)"),
    say("04.verdicts"),
    code("nbv.verdict_reasons(res)"),
    say("04.verdict_table"),
    code("nbv.verdict_table(res)"),
    say("04.flags"),
    code("nbv.contracts_behind_flags(res)"),
    say("04.sensitivity"),
    code("from helpers import notebook_checks as nbc\n\nnbc.sensitivity_table(res)"),
    code("nbc.sensitivity_figure(res)"),
    code("nbc.power_section(res)"),
    say("04.caveats"),
])

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
