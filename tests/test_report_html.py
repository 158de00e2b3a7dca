"""The yearly report pages as a reader sees them: French by default, English with ``language: en``.

Two runs of ``python -m helpers run`` on the demo data (module-scoped fixtures, subprocesses as a
user runs them): the default one (French) and one with a YAML file ``language: en`` that also lowers
the statistical-secrecy threshold (``min_cell_size: 5`` with ``allow_small_cells: true``), so that
every English page must carry the warning. The HTML of the four pages is then read as text:

- no developer text (parameters cells, ``python -m helpers``, references to files outside the
  repository) and no raw status or verdict code outside the glossary at the end of each page;
- numbers in the language's format (``48,9 %`` with a no-break space and a decimal comma in
  French, ``48.9%`` in English), the same numbers in both runs;
- on the declared-versus-delivered page, the reason sentence of every buyer's verdict.

Plus fast checks of the texts table and of :func:`helpers.report.render_html` on a hand-made
notebook (no kernel).
"""

from __future__ import annotations

import csv
import html as html_lib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import fmt, labels, texts, verdict_text
from helpers.config import PROJECT_ROOT
from helpers.report import render_html

PAGES = ["01_data_quality", "02_declared_share", "03_insertion_outcomes", "04_social_washing"]
NBSP, NNBSP = "\u00a0", "\u202f"
CODES = [*labels.STATUS_CODES, *labels.VERDICT_CODES]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-m", "helpers", "run", *args], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def fr_run(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("html-fr") / "out"
    proc = run_cli("--year", "2024", "--data-dir", "data/demo", "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / "2024"


@pytest.fixture(scope="module")
def en_run(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Path:
    base = tmp_path_factory.mktemp("html-en")
    params = base / "params.yml"
    params.write_text("language: en\nmin_cell_size: 5\nallow_small_cells: true\n", encoding="utf-8")
    proc = run_cli("--params", str(params), "--year", "2024", "--data-dir", "data/demo",
                   "--out", str(base / "out"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return base / "out" / "2024"


def page_text(raw: str) -> str:
    """The words of an HTML page: no style, script nor embedded image; tags as spaces; entities
    decoded; runs of ordinary white space as one space (no-break spaces are kept)."""
    raw = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", raw)
    raw = re.sub(r"<(style|script)\b.*?</\1>", " ", raw, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", raw))
    return re.sub(r"[ \t\r\n]+", " ", text)


def split_glossary(raw: str, lang: str) -> tuple[str, str]:
    """(page before the glossary, glossary) as text; the glossary is the last section."""
    heading = f'<h2 id="{"Glossaire" if lang == "fr" else "Glossary"}"'
    assert raw.count(heading) == 1, "one glossary per page"
    before, after = raw.split(heading)
    return page_text(before), page_text(after)


def read(folder: Path, page: str) -> str:
    return (folder / f"{page}.html").read_text(encoding="utf-8")


def squash(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text)


# --------------------------------------------------------------------------------------------------
# fast checks (no run)
# --------------------------------------------------------------------------------------------------

def test_texts_have_the_same_paragraphs_and_fields_in_both_languages():
    assert set(texts.TEXTS["fr"]) == set(texts.TEXTS["en"])
    for key, fr in texts.TEXTS["fr"].items():
        assert texts.fields(fr) == texts.fields(texts.TEXTS["en"][key]), key


def test_texts_hold_no_code_name_nor_developer_text():
    every_code = {c for t in labels.TABLES.values() for c in t["fr"] if "_" in c} | set(CODES)
    for lang in ("fr", "en"):
        for key, text in texts.TEXTS[lang].items():
            for bad in ("DESIGN", "../shared", "python -m helpers", "parameters", "`"):
                assert bad not in text, (lang, key, bad)
            words = set(re.findall(r"[A-Za-z_]+", re.sub(r"\{\w+\}", "", text)))
            assert not words & every_code, (lang, key, words & every_code)


def test_text_fills_its_fields_and_names_what_is_missing():
    assert texts.text("03.missions_ended", "fr", n="1 538") == \
        "Parcours terminés dans l'année : **1 538**."
    with pytest.raises(KeyError, match="needs n"):
        texts.text("03.missions_ended", "fr")
    with pytest.raises(KeyError, match="no fr text"):
        texts.text("99.nothing", "fr")


def test_render_html_drops_the_parameters_and_hidden_cells(tmp_path: Path):
    nb = nbformat.v4.new_notebook()
    note = nbformat.v4.new_markdown_cell("Developer note: see the parameters below.")
    note.metadata["tags"] = ["hide-in-report"]
    params = nbformat.v4.new_code_cell('language = "fr"')
    params.metadata["tags"] = ["parameters"]
    params.outputs = [nbformat.v4.new_output("stream", text="secret-param-output\n")]
    injected = nbformat.v4.new_code_cell('language = "en"')
    injected.metadata["tags"] = ["injected-parameters"]
    shown = nbformat.v4.new_code_cell("nb.say('x')")
    shown.outputs = [nbformat.v4.new_output("display_data",
                                            data={"text/markdown": "# Page title\n\nVisible."})]
    nb.cells = [note, params, injected, shown]
    page = render_html_text(nb, tmp_path)
    assert "Visible." in page and "Developer note" not in page
    assert "secret-param-output" not in page and 'language = "' not in page
    assert '<html lang="en">' in page  # the injected value wins over the notebook's default
    assert "<title>Page title</title>" in page


def render_html_text(nb: nbformat.NotebookNode, folder: Path) -> str:
    path = folder / "page.ipynb"
    nbformat.write(nb, str(path))
    return render_html(path, folder / "page.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# the two runs
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_french_page_has_no_developer_text_nor_raw_code(fr_run: Path, page: str):
    raw = read(fr_run, page)
    assert '<html lang="fr">' in raw
    for bad in ("DESIGN", "../shared", "python -m helpers", "parameters", "Traceback",
                "year: int = 2024"):
        assert bad not in raw, bad
    body, glossary = split_glossary(raw, "fr")
    for code in CODES:
        assert not re.search(rf"\b{code}\b", body), code
        assert code in glossary, code  # the glossary names every code once, beside its label
    assert labels.label("social_washing", "fr") in glossary
    assert "n/a" not in body and "suppressed" not in body
    # no warning about a lowered secrecy threshold: the default is 11
    assert "seuil de secret statistique abaissé" not in body


@pytest.mark.parametrize("page", PAGES)
def test_english_page_has_no_raw_code_and_warns_about_small_cells(en_run: Path, page: str):
    raw = read(en_run, page)
    assert '<html lang="en">' in raw
    for bad in ("DESIGN", "../shared", "python -m helpers", "parameters", "Traceback"):
        assert bad not in raw, bad
    body, _ = split_glossary(raw, "en")
    for code in CODES:
        if "_" in code or code.isupper():
            assert not re.search(rf"\b{code}\b", body), code
    assert "from 5 people, below the usual threshold of 11" in body
    assert "Objectif" not in body and "marchés" not in body  # no French left


def test_french_number_formats(fr_run: Path):
    pages = {p: page_text(read(fr_run, p)) for p in PAGES}
    # thousands with a narrow no-break space: 4 448 contract rows read, 1 993 clause rows
    assert f"4{NNBSP}448" in pages["01_data_quality"]
    for p in PAGES[1:]:  # a share: decimal comma, no-break space before %
        assert re.search(rf"\d,\d{NBSP}%", pages[p]), p
        assert not re.search(r"\d\.\d ?%", pages[p]), p
    assert re.search(rf"\d{NNBSP}\d{{3}}{NBSP}€{NBSP}HT", pages["03_insertion_outcomes"])
    assert re.search(r"\b\d\d/\d\d/2024\b", pages["04_social_washing"])  # dates of notification
    assert "31/12/2024" in pages["02_declared_share"]  # the cut-off date
    assert "p < 0,0001" in pages["04_social_washing"] or "p = 0," in pages["04_social_washing"]


def test_the_same_numbers_in_both_languages(fr_run: Path, en_run: Path):
    ind = json.loads((fr_run / "indicators.json").read_text(encoding="utf-8"))
    ind_en = json.loads((en_run / "indicators.json").read_text(encoding="utf-8"))
    assert ind["declared"]["share"] == ind_en["declared"]["share"]
    for page, values in {
        "02_declared_share": [ind["declared"]["share"], ind["declared"]["share_by_amount"]],
        "04_social_washing": [ind["declared"]["covered_share"], ind["effective"]["share"]],
    }.items():
        fr_text, en_text = page_text(read(fr_run, page)), page_text(read(en_run, page))
        for v in values:
            assert fmt.share(v, "fr") in fr_text, (page, v)
            assert fmt.share(v, "en") in en_text, (page, v)
    # the whole scope's assessable contracts, e.g. "485 marchés évaluables" / "485 assessable"
    n = ind["assessable_contracts"]
    assert f"{fmt.number(n, 'fr')} marchés évaluables" in page_text(read(fr_run, "02_declared_share"))
    assert f"{fmt.number(n, 'en')} assessable contracts" in page_text(read(en_run,
                                                                          "02_declared_share"))


def _buyers(folder: Path) -> list[dict[str, str]]:
    with (folder / "buyers.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_buyer_has_its_verdict_and_reason(fr_run: Path, en_run: Path, lang: str):
    from helpers.cache import load_dataset
    from helpers.indicators import compute_results
    from helpers.params import make_params

    folder = fr_run if lang == "fr" else en_run
    text = squash(page_text(read(folder, "04_social_washing")))
    params = make_params({"year": 2024, "data_dir": "data/demo", "language": lang})
    detail = compute_results(load_dataset(params.data_dir), params).tables["buyers_detail"]
    detail = detail.set_index("buyer_siret")
    buyers = _buyers(folder)
    assert len(buyers) == len(detail) == 9
    for b in buyers:
        row = detail.loc[b["buyer_siret"]]
        assert row["verdict"] == b["verdict"]
        sentence = verdict_text.verdict_sentence(row, lang, 0.30, min_contracts=5)
        assert squash(sentence) in text, (b["buyer_siret"], sentence)
        assert f"{labels.label(b['verdict'], lang)}." in text
    # the washer's reason says how sure: significant gap, q-value in the language's format
    washer = squash(verdict_text.certainty(detail.loc["20009902600011"], lang))
    assert washer and washer in text


def test_flagged_contracts_have_french_headers_and_labels(fr_run: Path):
    text = page_text(read(fr_run, "04_social_washing"))
    body = text.split("Les marchés derrière les signalements")[1]
    for code in ("uid", "notification_date", "amount", "status", "considerations"):
        assert labels.label(code, "fr") in body, code
    assert labels.label("SHORTFALL", "fr") in body
    assert "20009902600011W2024-" in body  # the washer's contracts are listed
