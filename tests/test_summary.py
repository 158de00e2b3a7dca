"""One-page summary (helpers.summary, helpers.summary_content, helpers.summary_pdf): content by
hand, one PDF page with extractable text, HTML without codes outside its glossary.

The fixtures are hand-built in the shape of indicators.json and contracts.csv; they are reused by
test_spreadsheet.py.
"""

from __future__ import annotations

import re

import pytest

from helpers import labels
from helpers.summary import render_html, write_summary
from helpers.summary_content import not_effective_declared, summary_content
from helpers.summary_pdf import wrap

NB, NN = "\u00a0", "\u202f"
BUYER = "20009902600011"
OTHER = "21339904100010"
NAME = "Communauté d'agglomération des Coteaux (démo)"

THIS_YEAR = {
    "year": 2024,
    "parameters": {"year": 2024, "target": 0.3, "min_contracts": 5, "alpha": 0.05,
                   "min_delivery_ratio": 0.8, "as_of": "2024-12-31", "buyers": [BUYER]},
    "verdict": "social_washing", "significant": True, "binomial_p": 1.2e-9,
    "assessable_contracts": 57, "covered_contracts": 50,
    "declared": {"n": 36, "share": 36 / 57, "ci95": [0.5020, 0.7446], "share_by_amount": 0.70,
                 "covered_n": 32, "covered_share": 0.64, "meets_target": True,
                 "by_consideration": {}},
    "effective": {"n": 2, "share": 0.04, "ci95": [0.0110, 0.1346], "share_by_amount": 0.03,
                  "upper_share": 0.08},
    "unsubstantiated": {"n": 30, "share": 30 / 32, "ci95": [0.7993, 0.9827]},
    "gap": {"points": 60.0, "ci95": [45.1, 71.0], "mcnemar_p": 1e-9,
            "declared_not_effective": 30, "effective_not_declared": 0},
    "status_counts": {"VERIFIED": 2, "SHORTFALL": 12, "NO_EVIDENCE": 18},
    "activity": {"hours": 446477.4, "beneficiaries": 1267, "etp": 277.83,
                 "exits": {"sorties_dynamiques_n": 310, "sorties_dynamiques_share": 0.62,
                           "missions_ended": 500}},
    "reserved": {"n": 12, "amount": 2_500_000.0, "verified_n": 9},
    "ess": {"amount": 17_400_000.0, "share_of_amount": 0.052, "structures": 100},
    "suppressed": [],
}
LAST_YEAR = {
    "year": 2023,
    "parameters": {"year": 2023, "target": 0.3},
    "verdict": "possible_social_washing", "significant": False, "binomial_p": 0.08,
    "assessable_contracts": 40, "covered_contracts": 40,
    "declared": {"n": 20, "share": 0.5, "ci95": [0.35, 0.65], "covered_share": 0.5},
    "effective": {"n": 9, "share": 0.225, "ci95": [0.12, 0.38]},
    "unsubstantiated": {"n": 11, "share": 0.55, "ci95": [0.34, 0.74]},
    "activity": {"hours": 398000.0, "beneficiaries": None, "etp": 247.67,
                 "exits": {"sorties_dynamiques_n": None, "sorties_dynamiques_share": None}},
    "reserved": {"n": 8, "amount": 1_200_000.0, "verified_n": 8},
    "ess": {"amount": 15_000_000.0, "share_of_amount": 0.048, "structures": 91},
    "suppressed": ["activity.beneficiaries", "activity.exits.sorties_dynamiques_n",
                   "activity.exits.sorties_dynamiques_share"],
}
BUYER_ROW = {"buyer_siret": BUYER, "buyer_name": NAME, "assessable_contracts": 57,
             "covered_contracts": 50, "declared_n": 36, "declared_share": 36 / 57,
             "declared_meets_target": True, "declared_covered_share": 0.64, "effective_n": 2,
             "effective_share": 0.04, "unsubstantiated_share": 30 / 32, "gap_points": 60.0,
             "mcnemar_p": 1e-9, "binomial_p": 1e-9, "q_value": 6e-9,
             "verdict": "social_washing", "significant": True}


def _contract(n, amount, status, declared, effective, buyer=BUYER, planned=0.0, expected=0.0,
              realized=0.0, considerations="Clause sociale", holders="44306184100047"):
    return {"uid": f"{buyer}M2024-{n:03d}", "buyer_siret": buyer, "contract_id": f"M2024-{n:03d}",
            "amount": amount, "status": status, "declared": declared, "effective": effective,
            "covered": True, "planned_hours": planned, "expected_hours": expected,
            "realized_hours": realized, "considerations": considerations, "holders": holders}


# 13 declared and not effective contracts of BUYER (amounts 100 000 × k for k = 1..12, and one
# without amount), plus decoys: effective or undeclared ones, and one of another buyer.
CONTRACTS = (
    [_contract(k, 100_000.0 * k, "SHORTFALL" if k % 2 else "NO_EVIDENCE", True, False,
               planned=1000.0, expected=800.0, realized=200.0 if k % 2 else 0.0)
     for k in range(1, 13)]
    + [_contract(13, None, "UNVERIFIABLE", True, False, considerations="Critère social")]
    + [_contract(20, 9_000_000.0, "VERIFIED", True, True, realized=5000.0),
       _contract(21, 8_000_000.0, "NOT_DECLARED", False, False, considerations=""),
       _contract(22, 7_000_000.0, "UNDECLARED_DELIVERY", False, True, realized=100.0),
       _contract(30, 50_000_000.0, "NO_EVIDENCE", True, False, buyer=OTHER)]
)


def test_top_contracts_by_hand():
    top = not_effective_declared(CONTRACTS, BUYER)
    # 13 declared and not effective for BUYER, largest first: 1 200 000, 1 100 000, ..., 100 000,
    # then the one without amount
    assert list(top["contract_id"]) == [f"M2024-{k:03d}" for k in range(12, 0, -1)] + ["M2024-013"]
    assert len(not_effective_declared(CONTRACTS)) == 14  # whole scope: OTHER's contract too


def test_content_of_a_buyer_page():
    c = summary_content(THIS_YEAR, LAST_YEAR, CONTRACTS, "fr", NAME, buyer_row=BUYER_ROW,
                        buyer_siret=BUYER)
    assert c.verdict == "Affichage social sans réalisation (écart significatif)"
    assert c.reason.endswith("(q < 0,0001).")  # q = 6e-9
    assert c.years == ("2024", "2023")
    rows = {r[0]: r[1:] for r in c.key_rows}
    assert c.key_rows[0] == ("Conclusion", c.verdict, "Soupçon d'affichage social sans "
                             "réalisation (écart à confirmer)")
    assert rows["Heures d'insertion réalisées dans l'année"] == (f"446{NN}477{NB}h",
                                                                 f"398{NN}000{NB}h")
    assert rows["Personnes en insertion"] == (f"1{NN}267", "non publié (petit effectif)")
    # declared 36/57 = 63,2 % with its interval [50,2 % ; 74,5 %]; last year 50,0 % [35 ; 65]
    assert rows["Part des marchés avec une considération sociale déclarée (tous les marchés "
                "évaluables)"] == (
        f"63,2{NB}% [50,2{NB}%{NN}; 74,5{NB}%]", f"50,0{NB}% [35,0{NB}%{NN}; 65,0{NB}%]")
    assert rows["Équivalents temps plein"] == ("277,8", "247,7")
    assert rows["Sorties vers l'emploi ou la formation"] == (
        f"310 (62,0{NB}% des parcours terminés)", "non publié (petit effectif)")
    assert rows["Marchés réservés"][0] == "12 (dont 9 attribués à une structure reconnue)"
    assert rows["Achats auprès de structures d'insertion et de l'économie sociale"][0] == (
        f"17{NN}400{NN}000{NB}€{NB}HT (5,2{NB}%)")
    assert rows["Marchés suivis par le facilitateur"] == ("50", "40")
    # ten rows: 1 200 000 € down to 300 000 €; three more are left out
    assert c.top_rows[0] == ("M2024-012", f"1{NN}200{NN}000", "Aucune preuve de réalisation")
    assert c.top_rows[-1] == ("M2024-003", f"300{NN}000", "Réalisation insuffisante")
    assert len(c.top_rows) == 10
    assert c.top_more == "… et 3 autres marchés déclarés sans réalisation vérifiée."
    assert [g["code"] for g in c.glossary] == ["social_washing", "possible_social_washing",
                                             "SHORTFALL", "NO_EVIDENCE", ""]


def test_no_last_year_gives_dashes_and_english():
    c = summary_content(THIS_YEAR, None, CONTRACTS, "en", NAME, buyer_siret=BUYER)
    assert all(r[2] == "—" for r in c.key_rows)
    assert c.years == ("2024", "2023")
    assert c.verdict == "Social washing (significant gap)"
    assert c.reason.endswith("(p < 0.0001).")  # no buyer row: the binomial p of the indicators


def test_wrap_never_cuts():
    long = "Établissement public " * 12 + "Supercalifragilisticexpialidocious" * 3
    lines = wrap(long, 17, 3.0, bold=True)
    assert "".join(lines).replace(" ", "") == long.replace(" ", "")
    assert len(lines) > 3


LONG_NAME = NAME + " — établissement public de coopération intercommunale des Coteaux" * 3


@pytest.fixture(scope="module")
def buyer_page(tmp_path_factory):
    """One buyer page written once (writing a PDF embeds its fonts: about 2 s)."""
    folder = tmp_path_factory.mktemp("summary")
    return write_summary(folder, "buyer", THIS_YEAR, LAST_YEAR, CONTRACTS, "fr", LONG_NAME,
                         buyer_row=BUYER_ROW, buyer_siret=BUYER)


def test_pdf_is_one_page_with_extractable_text(buyer_page):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(buyer_page[1]))
    assert len(reader.pages) == 1
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text().replace(NN, " ").replace(NB, " "))
    assert "Communauté d'agglomération des Coteaux (démo)" in text
    assert "Affichage social sans réalisation (écart significatif)" in text
    assert "446 477 h" in text
    assert "intercommunale des Coteaux" in text  # the end of the long name is there: not cut
    assert "M2024-012" in text and "M2024-002" not in text  # the 10 largest only


def test_html_shows_no_code_outside_its_glossary(buyer_page):
    page = buyer_page[0].read_text(encoding="utf-8")
    assert LONG_NAME.replace("'", "&#x27;") in page
    assert '<html lang="fr">' in page
    body, glossary = page.split('<section class="glossary">')
    codes = [*labels.STATUS_CODES, *labels.VERDICT_CODES]
    assert not [c for c in codes if c in body]
    assert "social_washing" in glossary and "SHORTFALL" in glossary
    assert f"446{NN}477{NB}h" in body


@pytest.mark.slow
def test_files_are_deterministic(buyer_page, tmp_path):
    again = write_summary(tmp_path, "buyer", THIS_YEAR, LAST_YEAR, CONTRACTS, "fr", LONG_NAME,
                          buyer_row=BUYER_ROW, buyer_siret=BUYER)
    assert again[0].read_bytes() == buyer_page[0].read_bytes()
    assert again[1].read_bytes() == buyer_page[1].read_bytes()


NOT_MEASURED = {**THIS_YEAR, "verdict": "not_measured", "significant": False, "binomial_p": None,
           "covered_contracts": 0,
           "declared": {**THIS_YEAR["declared"], "covered_n": None, "covered_share": None},
           "effective": {"n": None, "share": None, "ci95": None},
           "unsubstantiated": {"n": None, "share": None, "ci95": None}}


def test_whole_scope_not_measured_content():
    c = summary_content(NOT_MEASURED, None, CONTRACTS, "en")
    assert c.title == "All buyers studied" and c.verdict == "Delivery not measured"
    # whole scope: contracts listed by uid, the other buyer's 50 M€ contract first
    assert c.top_rows[0] == (f"{OTHER}M2024-030", "50,000,000", "No evidence of delivery")
    # not judged on delivery: one bar, the declared share over A (36/57 = 63.2 %) with its interval
    assert [(s[0], s[2], s[3]) for s in c.shares] == [("Declared", 0.5020, 0.7446)]


@pytest.mark.slow
def test_whole_scope_pdf_is_one_page(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    _, pdf_path = write_summary(tmp_path, "scope", NOT_MEASURED, None, CONTRACTS, "en")
    reader = pypdf.PdfReader(str(pdf_path))
    assert len(reader.pages) == 1
    assert "Delivery not measured" in reader.pages[0].extract_text()


def test_missing_contract_columns_are_named():
    with pytest.raises(ValueError, match="status, declared"):
        not_effective_declared([{"uid": "x", "buyer_siret": BUYER, "contract_id": "1",
                                 "amount": 1.0, "effective": False}])


def test_insufficient_data_without_contracts(tmp_path):
    ind = {"year": 2024, "parameters": {"target": 0.3, "min_contracts": 5},
           "verdict": "insufficient_data", "significant": False, "binomial_p": None,
           "assessable_contracts": 2, "covered_contracts": 2,
           "declared": {"n": 1, "share": 0.5, "ci95": [0.0945, 0.9055]}}
    c = summary_content(ind, None, [], "fr", "Petite commune")
    assert c.reason == ("Avec seulement 2 marchés évaluables (il en faut au moins 5), aucune "
                        "conclusion n'est tirée.")
    assert c.top_rows == [] and c.top_more == ""
    page = render_html(c, tmp_path / "p.html").read_text(encoding="utf-8")
    assert "Aucun marché déclaré sans réalisation vérifiée." in page
    assert "Trop peu de marchés pour conclure" in page


def test_lowered_small_cell_threshold_is_stated_on_the_page():
    # min_cell_size 5 (allowed by allow_small_cells): the page says it, in each language
    lowered = {**THIS_YEAR, "parameters": {**THIS_YEAR["parameters"], "min_cell_size": 5}}
    fr = summary_content(lowered, None, CONTRACTS, "fr", NAME, buyer_siret=BUYER)
    en = summary_content(lowered, None, CONTRACTS, "en", NAME, buyer_siret=BUYER)
    assert "effectifs publiés à partir de 5 personnes" in fr.reason
    assert "published from 5 people" in en.reason
    assert "seuil habituel" not in summary_content(THIS_YEAR, None, CONTRACTS, "fr", NAME,
                                                   buyer_siret=BUYER).reason
