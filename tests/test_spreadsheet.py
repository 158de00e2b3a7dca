"""Workbook for the facilitator (helpers.spreadsheet): rows, text cells, formula neutralisation."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_summary import BUYER, CONTRACTS, OTHER

from helpers.spreadsheet import safe_text, write_spreadsheet

SIRET0 = "07339905700014"  # a SIRET with a leading zero


def _row(cid, amount, status, declared, effective, **kw):
    base = {"uid": SIRET0 + cid, "buyer_siret": SIRET0, "contract_id": cid, "amount": amount,
            "status": status, "declared": declared, "effective": effective, "covered": True,
            "planned_hours": 1000.0, "expected_hours": 750.5, "realized_hours": 10.25,
            "considerations": "Clause sociale", "holders": "44306184100047",
            "notification_date": "2024-03-15"}
    base.update(kw)
    return base


def test_rows_are_the_declared_not_effective_contracts_by_hand(tmp_path):
    path = write_spreadsheet(tmp_path / "x" / "buyer.xlsx", pd.DataFrame(CONTRACTS),
                             buyer_siret=BUYER)
    ws = load_workbook(path)["Marchés à vérifier"]
    header = [c.value for c in ws[1]]
    assert header == ["Identifiant du marché (SIRET acheteur + n°)", "N° du marché",
                      "SIRET de l'acheteur", "Montant (€ HT)", "Statut", "Heures prévues",
                      "Heures attendues à la date d'arrêté", "Heures réalisées à la date d'arrêté",
                      "Considérations sociales déclarées", "Titulaires (SIRET)"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    # by hand: BUYER's 13 declared-and-not-effective contracts (k = 1..13), amounts 100 000 × k
    # largest first, the one without amount last; the VERIFIED (20), NOT_DECLARED (21),
    # UNDECLARED_DELIVERY (22) and OTHER's contract (30) are left out
    assert [r[1] for r in rows] == [f"M2024-{k:03d}" for k in range(12, 0, -1)] + ["M2024-013"]
    assert rows[0] == [f"{BUYER}M2024-012", "M2024-012", BUYER, 1_200_000, "Aucune preuve de "
                       "réalisation", 1000, 800, 0, "Clause sociale", "44306184100047"]
    assert rows[1][4] == "Réalisation insuffisante" and rows[1][7] == 200
    assert rows[-1][3] is None and rows[-1][4] == "Invérifiable (critère social seul)"
    assert OTHER not in {r[2] for r in rows}
    assert "Statuts" in load_workbook(path).sheetnames


def test_text_cells_numbers_dates_and_formula_neutralisation(tmp_path):
    contracts = [
        _row("=1+1", 50_000.0, "NO_EVIDENCE", True, False,
             holders=["-2+3", "@SUM(A1)", "\tx", "12345678901234"],
             considerations="Clause sociale; Marché réservé"),
        _row("0042", 60_000.0, "SHORTFALL", "True", "False", holders="+33 1 23"),
        _row("0043", 70_000.0, "VERIFIED", True, True),          # effective: left out
        _row("0044", 80_000.0, "NOT_DECLARED", False, False),    # not declared: left out
    ]
    path = write_spreadsheet(tmp_path / "b.xlsx", contracts, "en")
    ws = load_workbook(path)["Contracts to check"]
    assert ws.max_row == 3  # header + the two rows kept by hand
    header = [c.value for c in ws[1]]
    assert header[3] == "Notification date"
    first = {h: c for h, c in zip(header, ws[2])}  # 60 000 € first (largest)
    second = {h: c for h, c in zip(header, ws[3])}
    assert first["Contract no."].value == "0042"  # leading zeros kept: a text cell
    assert first["Contract no."].data_type == "s" and first["Contract no."].number_format == "@"
    assert first["Buyer SIRET"].value == SIRET0 and first["Buyer SIRET"].data_type == "s"
    assert first["Holders (SIRET)"].value == "'+33 1 23"
    assert first["Status"].value == "Delivery short of plan"
    assert second["Contract no."].value == "'=1+1"
    assert second["Contract identifier (buyer SIRET + no.)"].value == SIRET0 + "=1+1"
    assert second["Holders (SIRET)"].value == "'-2+3; @SUM(A1); \tx; 12345678901234"
    assert second["Declared social considerations"].value == "Social clause; Reserved contract"
    # numbers untouched, with a thousands format; dates are dates
    assert first["Amount (€ excl. VAT)"].value == 60_000
    assert first["Amount (€ excl. VAT)"].number_format == "#,##0"
    assert first["Hours due at the cut-off date"].value == 750.5
    assert first["Hours due at the cut-off date"].number_format == "#,##0.0"
    assert first["Notification date"].value == dt.datetime(2024, 3, 15)
    assert first["Notification date"].number_format == "dd/mm/yyyy"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("text,expected", [
    ("=A1", "'=A1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("a=1", "a=1"), ("Ville d'Exemple", "Ville d'Exemple")])
def test_safe_text(text, expected):
    assert safe_text(text) == expected


def test_no_row_gives_a_header_only_sheet(tmp_path):
    path = write_spreadsheet(tmp_path / "e.xlsx", [_row("1", 1.0, "VERIFIED", True, True)])
    ws = load_workbook(path).worksheets[0]
    assert ws.max_row == 1 and ws["A1"].value.startswith("Identifiant")


def test_the_same_rows_give_the_same_bytes(tmp_path):
    # openpyxl stamps "now" into the document properties and the zip entries: both are fixed, so a
    # rerun on the same contracts gives a byte-identical workbook (checked a second apart)
    import hashlib
    import time

    import pandas as pd

    from helpers.spreadsheet import write_spreadsheet

    rows = pd.DataFrame([{"uid": "21330063500017C1", "buyer_siret": "21330063500017",
                          "contract_id": "C1", "amount": 1000.0, "status": "SHORTFALL",
                          "declared": True, "effective": False, "covered": True,
                          "assessable": True, "planned_hours": 10.0, "expected_hours": 10.0,
                          "realized_hours": 5.0, "considerations": "Clause sociale",
                          "notification_date": "2024-02-01", "buyer_name": "X"}])
    first = write_spreadsheet(tmp_path / "a.xlsx", rows)
    time.sleep(1.1)
    second = write_spreadsheet(tmp_path / "b.xlsx", rows)
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
