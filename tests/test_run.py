"""The run machinery (helpers.run): parameters cells, name checks, staging + swap, quarantine files,
and a full ``main_run`` on a tiny throwaway notebook with the data and indicator steps stubbed.

The real data/indicator path is covered end to end by tests/test_e2e.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest

from helpers import execute, notebook_params, report_safety, run, yearly
from helpers.dataset import Dataset
from helpers.errors import InputError, Problem
from helpers.params import PARAM_NAMES, ParameterError, make_params

PARAMS_CELL = """year = 2024  # int: year of notification
buyers = []  # list of SIRET strings
data_dir = "data/demo"  # str
scope = "above_eu_thresholds"  # str
target = 0.30  # float
min_delivery_ratio = 0.8  # float
as_of = ""  # ISO date string
min_contracts = 5  # int
alpha = 0.05  # float
etp_hours = 1607.0  # float
min_cell_size = 11  # int
allow_small_cells = False  # bool
language = "fr"  # str
"""

BODY = """from helpers import figures, notebook
import matplotlib.pyplot as plt
params, data, res = notebook.setup(year=year, buyers=buyers, data_dir=data_dir, scope=scope,
    target=target, min_delivery_ratio=min_delivery_ratio, as_of=as_of, min_contracts=min_contracts,
    alpha=alpha, etp_hours=etp_hours, min_cell_size=min_cell_size)
print("year", params.year, "answer", res.indicators["answer"], "buyers", params.buyers)
fig, ax = plt.subplots()
ax.plot([1, 2], [3, 4])
ax.set_title("tiny")
figures.show(fig, "tiny_plot")
"""


def make_notebook(path: Path, cells: list[tuple[str, str, list[str]]]) -> Path:
    nb = nbformat.v4.new_notebook()
    for kind, src, tags in cells:
        cell = (nbformat.v4.new_markdown_cell(src) if kind == "md"
                else nbformat.v4.new_code_cell(src))
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def tiny_notebook(folder: Path, extra: str = "", params_cell: str = PARAMS_CELL) -> Path:
    return make_notebook(folder / "01_tiny.ipynb", [
        ("md", "# Tiny report\nFor tests.", []),
        ("code", params_cell, ["parameters"]),
        ("code", BODY + extra, []),
    ])


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------------------------------
# parameters cells
# --------------------------------------------------------------------------------------------------

def test_notebook_parameters_reads_literal_assignments(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "a.ipynb", [
        ("code", 'year = 2023  # the year\nbuyers: list = ["01234567890123"]\nalpha = 0.1',
         ["parameters"]),
    ])
    # the SIRET keeps its leading zero because it is a string literal
    assert notebook_params.notebook_parameters(nb) == {"year": 2023, "buyers": ["01234567890123"],
                                           "alpha": 0.1}


@pytest.mark.parametrize("source, message", [
    ("year = 2000 + 24", "not a literal"),
    ("import os\nyear = 2024", "line 1"),
    ("a = b = 1", "line 1"),
])
def test_notebook_parameters_refuses_non_literals(tmp_path: Path, source: str, message: str) -> None:
    nb = make_notebook(tmp_path / "a.ipynb", [("code", source, ["parameters"])])
    with pytest.raises(ParameterError, match=message):
        notebook_params.notebook_parameters(nb)


@pytest.mark.parametrize("n_cells", [0, 2])
def test_exactly_one_parameters_cell(tmp_path: Path, n_cells: int) -> None:
    cells = [("code", "year = 2024", ["parameters"])] * n_cells + [("code", "x = 1", [])]
    nb = make_notebook(tmp_path / "a.ipynb", cells)
    with pytest.raises(ParameterError, match=f"exactly one .* found {n_cells}"):
        notebook_params.notebook_parameters(nb)


def test_unknown_name_for_a_notebook_is_reported_per_notebook(tmp_path: Path) -> None:
    good = tiny_notebook(tmp_path / "good")
    bad = make_notebook(tmp_path / "bad" / "02_bad.ipynb",
                        [("code", PARAMS_CELL.replace("alpha = 0.05  # float\n", ""),
                          ["parameters"])])
    notebook_params.check_notebook_parameters([good], PARAM_NAMES)  # all 11 declared: no error
    with pytest.raises(ParameterError, match=r"02_bad.ipynb.*: alpha"):
        notebook_params.check_notebook_parameters([good, bad], PARAM_NAMES)


def test_strip_volatile_removes_papermill_timings() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "input_path": "/x"}
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata["papermill"] = {"duration": 1.2}
    cell.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:01"}
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    out = execute.strip_volatile(nb)
    assert "papermill" not in out.metadata
    assert out.cells[0].metadata == {"tags": ["parameters"]}
    assert out.metadata["kernelspec"]["name"] == "python3"


# --------------------------------------------------------------------------------------------------
# staging and swap
# --------------------------------------------------------------------------------------------------

def test_failed_build_leaves_previous_report_intact(tmp_path: Path) -> None:
    final = tmp_path / "2024"
    final.mkdir()
    (final / "indicators.json").write_text('{"v": 1}')
    report_safety.write_marker(final, "year", files=["indicators.json"])  # a report the tool wrote
    before = tree_digest(tmp_path)

    def failing(staging: Path) -> None:
        (staging / "indicators.json").write_text('{"v": 2}')
        (staging / "half.csv").write_text("a\n")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        report_safety.build_into(final, failing)
    assert tree_digest(tmp_path) == before  # byte-identical, and no staging folder left over


def test_successful_build_replaces_previous_report(tmp_path: Path) -> None:
    final = tmp_path / "2024"
    final.mkdir()
    (final / "old.txt").write_text("old")
    report_safety.write_marker(final, "year", files=["old.txt"])
    report_safety.build_into(final, lambda staging: (staging / "new.txt").write_text("new"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024"]
    assert sorted(p.name for p in final.iterdir()) == [report_safety.MARKER, "new.txt"]
    # the new report's marker lists the files it holds
    assert report_safety.read_marker(final)["files"] == ["new.txt"]


def test_write_rejected_keeps_reasons_and_drops_person_ids(tmp_path: Path) -> None:
    ds = Dataset()
    ds.rejected = {
        "participations": pd.DataFrame({"file": ["/home/me/data/participations.csv"], "_row": [3],
                                        "beneficiary_id": ["B-007"], "hours": ["-5"],
                                        "reason": ["hours: negative"]}),
        "clauses": pd.DataFrame({"_row": [], "reason": []}),  # empty: no file
    }
    written = yearly.write_rejected(ds, tmp_path)
    assert [p.name for p in written] == ["participations.csv"]
    text = (tmp_path / "rejected" / "participations.csv").read_text()
    assert text == "file,_row,hours,reason\nparticipations.csv,3,-5,hours: negative\n"
    assert "B-007" not in text


# --------------------------------------------------------------------------------------------------
# main_run on a throwaway notebook (data and indicators stubbed; notebooks really executed)
# --------------------------------------------------------------------------------------------------

@pytest.fixture()
def stubbed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, int]:
    # the stub results are cached under the key of the real data/demo: in a cache of their own
    monkeypatch.setenv("SCA_CACHE_DIR", str(tmp_path / "stub-cache"))
    calls = {"load": 0}

    def load(data_dir: object, on_invalid: str = "strict", use_cache: bool = True,
             **kw: object) -> Dataset:
        calls["load"] += 1
        ds = Dataset()
        if on_invalid == "quarantine":
            ds.rejected = {"clauses": pd.DataFrame({"_row": [2], "reason": ["planned_hours: x"]})}
        return ds

    def write(res: SimpleNamespace, folder: Path) -> list[Path]:
        (folder / "indicators.json").write_text(json.dumps(res.indicators, sort_keys=True))
        return [folder / "indicators.json"]

    monkeypatch.setattr(yearly.cache, "load_dataset", load)
    monkeypatch.setattr(yearly, "compute_results", lambda ds, p: SimpleNamespace(indicators={
        "answer": 42, "year": p.year, "verdict": "compliant", "scope_contracts": 3},
        contracts=pd.DataFrame(columns=["uid", "buyer_siret"]),
        buyers=pd.DataFrame(columns=["buyer_siret", "buyer_name"])))
    monkeypatch.setattr(yearly, "write_results", write)
    monkeypatch.setattr(yearly, "write_summaries", lambda *a, **k: [])  # stub results
    return calls


def test_main_run_success_then_failure_keeps_previous(tmp_path: Path, stubbed: dict) -> None:
    nbs = tmp_path / "nbs"
    tiny_notebook(nbs)
    out = tmp_path / "out"
    yaml_file = tmp_path / "p.yaml"
    yaml_file.write_text('year: 2023\nbuyers: ["01234567890123"]\n')
    rc = run.main_run(["--params", str(yaml_file), "--notebooks", str(nbs), "--out", str(out),
                       "--on-invalid", "quarantine", "--jobs", "1"])
    assert rc == 0
    year = out / "2023"
    names = sorted(str(p.relative_to(year)) for p in year.rglob("*") if p.is_file())
    assert names == [report_safety.MARKER, "01_tiny.html", "01_tiny.ipynb", "figures/tiny_plot.png",
                     "figures/tiny_plot.svg", "index.html", "indicators.json",
                     "rejected/clauses.csv"]
    html = (year / "01_tiny.html").read_text()
    # executed with the YAML's typed values (leading zero kept) and the run's results
    assert "year 2023 answer 42 buyers [&#x27;01234567890123&#x27;]" in html or \
        "year 2023 answer 42 buyers ['01234567890123']" in html
    assert "plt.subplots" not in html and "notebook.setup" not in html  # no code in the HTML
    assert 'href="01_tiny.html"' in (year / "index.html").read_text()
    assert 'href="2023/index.html"' in (out / "index.html").read_text()
    executed = nbformat.read(str(year / "01_tiny.ipynb"), as_version=4)
    assert "papermill" not in executed.metadata
    before = tree_digest(out)

    # a notebook that raises: exit 1, previous report byte-identical, no partial files
    tiny_notebook(nbs, extra='raise ValueError("planted failure")\n')
    rc = run.main_run(["--year", "2023", "--notebooks", str(nbs), "--out", str(out), "--jobs", "1"])
    assert rc == 1
    assert tree_digest(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["2023", "index.html"]


def test_main_run_input_error_exits_2_and_writes_nothing(tmp_path: Path, stubbed: dict,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture) -> None:
    nbs = tmp_path / "nbs"
    tiny_notebook(nbs)

    def bad(data_dir: object, on_invalid: str = "strict", use_cache: bool = True,
            **kw: object) -> Dataset:
        raise InputError([Problem("participations.csv", "hours", "negative", (4, 9))])

    monkeypatch.setattr(yearly.cache, "load_dataset", bad)
    out = tmp_path / "out"
    rc = run.main_run(["--year", "2024", "--notebooks", str(nbs), "--out", str(out)])
    assert rc == 2
    assert "participations.csv, rows 4, 9, column 'hours': negative" in capsys.readouterr().err
    assert not out.exists()


def test_unknown_parameters_exit_2_before_loading(tmp_path: Path, stubbed: dict,
                                                 capsys: pytest.CaptureFixture) -> None:
    nbs = tmp_path / "nbs"
    tiny_notebook(nbs)
    out = tmp_path / "out"
    yaml_file = tmp_path / "p.yaml"
    yaml_file.write_text("year: 2024\nthreshold: 0.3\n")
    assert run.main_run(["--params", str(yaml_file), "--notebooks", str(nbs),
                         "--out", str(out)]) == 2
    assert "threshold" in capsys.readouterr().err
    # a notebook that does not declare `alpha`: refused before any data is read
    tiny_notebook(nbs, params_cell=PARAMS_CELL.replace("alpha = 0.05  # float\n", ""))
    assert run.main_run(["--year", "2024", "--notebooks", str(nbs), "--out", str(out)]) == 2
    assert "alpha" in capsys.readouterr().err
    assert stubbed["load"] == 0
    assert not out.exists()


def test_run_all_builds_years_research_and_root_index(tmp_path: Path, stubbed: dict) -> None:
    nbs = tmp_path / "nbs"
    tiny_notebook(nbs)
    # a research notebook declaring `years` and `year`: it gets the run's years and the last one
    make_notebook(nbs / "05_trends.ipynb", [
        ("md", "# Trends", []),
        ("code", 'year = 2020\nyears = []\ndata_dir = "data/demo"', ["parameters"]),
        ("code", "print('trend', year, years)", []),
    ])
    out = tmp_path / "out"
    rc = run.main_run_all(["--years", "2023", "2024", "--notebooks", str(nbs), "--out", str(out),
                           "--data-dir", "data/demo"])
    assert rc == 0
    assert stubbed["load"] == 1  # the data is loaded once for every year
    assert sorted(p.name for p in out.iterdir()) == ["2023", "2024", "index.html", "trends"]
    assert not (out / "2023" / "05_trends.ipynb").exists()  # research notebooks are not per year
    trend = (out / "trends" / "05_trends.html").read_text()
    assert "trend 2024 [2023, 2024]" in trend
    index = (out / "index.html").read_text()
    for href in ("2023/index.html", "2024/index.html", "trends/index.html"):
        assert f'href="{href}"' in index
    # the same run again: both years' results come from the results cache, nothing is loaded
    before = {y: (out / y / "indicators.json").read_bytes() for y in ("2023", "2024")}
    rc = run.main_run_all(["--years", "2023", "2024", "--notebooks", str(nbs), "--out", str(out),
                           "--data-dir", "data/demo"])
    assert rc == 0 and stubbed["load"] == 1
    assert {y: (out / y / "indicators.json").read_bytes() for y in before} == before


def test_refresh_notebooks_in_place_and_untouched_on_failure(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "n.ipynb", [
        ("code", "year = 2024", ["parameters"]), ("code", "print(year * 2)", [])])
    execute.refresh_notebooks([nb], workers=1)
    executed = nbformat.read(str(nb), as_version=4)
    assert executed.cells[1].outputs[0]["text"] == "4048\n"  # 2024 * 2
    assert "papermill" not in executed.metadata
    assert all("papermill" not in c.metadata and "execution" not in c.metadata
               for c in executed.cells)
    bad = make_notebook(tmp_path / "bad.ipynb", [("code", "1 / 0", [])])
    before = bad.read_bytes()
    with pytest.raises(execute.RunError, match="ZeroDivisionError"):
        execute.refresh_notebooks([bad], workers=1)
    assert bad.read_bytes() == before


def test_scope_warnings_name_unknown_buyers_and_empty_scope() -> None:
    ds = Dataset()
    ds.contracts = pd.DataFrame({"buyer_siret": ["01234567890123"]})
    params = make_params({"year": 2019, "buyers": ["01234567890123", "99999999999999"]})
    empty = SimpleNamespace(indicators={"scope_contracts": 0})
    warnings = yearly.scope_warnings(ds, params, empty)
    assert warnings[0] == "buyer(s) 99999999999999 hold no contract in data/demo"
    assert warnings[1].startswith("no contract in scope for 2019")
    assert yearly.scope_warnings(ds, make_params({}), SimpleNamespace(
        indicators={"scope_contracts": 4})) == []


@pytest.mark.parametrize("message", [
    "Kernel died before replying to kernel_info",
    "Address already in use (addr='tcp://127.0.0.1:50123')",  # zmq.error.ZMQError, port race
])
def test_kernel_that_cannot_start_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             message: str) -> None:
    import papermill as pm

    source = tiny_notebook(tmp_path / "nbs")
    calls = []

    def flaky(src: str, out: str, **kwargs: object) -> None:
        calls.append(src)
        if len(calls) == 1:
            raise RuntimeError(message)
        nbformat.write(nbformat.read(src, as_version=4), out)

    monkeypatch.setattr(pm, "execute_notebook", flaky)
    job = execute.Job(source, tmp_path / "out.ipynb", None, {})
    assert execute._execute(job) == source.name
    assert len(calls) == 2 and (tmp_path / "out.ipynb").is_file()


def test_kernel_start_gives_up_after_the_attempts_and_cell_errors_are_not_retried(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill as pm

    source = tiny_notebook(tmp_path / "nbs")
    calls = []

    def dead(src: str, out: str, **kwargs: object) -> None:
        calls.append(src)
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(pm, "execute_notebook", dead)
    with pytest.raises(execute.RunError, match="the kernel could not start"):
        execute._execute(execute.Job(source, tmp_path / "out.ipynb", None, {}))
    assert len(calls) == execute.KERNEL_START_ATTEMPTS

    calls.clear()

    def cell_error(src: str, out: str, **kwargs: object) -> None:
        calls.append(src)
        raise pm.PapermillExecutionError(3, 3, "x = 1", "ValueError", "boom", [])

    monkeypatch.setattr(pm, "execute_notebook", cell_error)
    with pytest.raises(execute.RunError, match="failed in cell 3: ValueError: boom"):
        execute._execute(execute.Job(source, tmp_path / "out.ipynb", None, {}))
    assert len(calls) == 1
    assert not (tmp_path / "out.ipynb").exists()


def test_default_output_is_per_data_set_with_an_index_of_data_sets(
        tmp_path: Path, stubbed: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import config

    reports = tmp_path / "reports"
    monkeypatch.setattr(config, "REPORTS_DIR", reports)
    nbs = tmp_path / "nbs"
    tiny_notebook(nbs)
    rc = run.main_run(["--year", "2023", "--notebooks", str(nbs), "--data-dir", "data/demo",
                       "--jobs", "1"])
    assert rc == 0
    # reports/<name of the data directory>/<year>/, an index per data set and one of data sets
    assert (reports / "demo" / "2023" / "01_tiny.html").is_file()
    assert 'href="2023/index.html"' in (reports / "demo" / "index.html").read_text()
    root = (reports / "index.html").read_text()
    # the index speaks the reports' language (French: no-break space before the colon)
    assert 'href="demo/index.html">demo</a>' in root and "années\u00a0: 2023" in root
    # make clean-reports: the tool's folders and pages go, a user's file and folder stay
    (reports / "notes.txt").write_text("mine")
    (reports / "demo" / "2022").mkdir()
    (reports / "demo" / "2022" / "draft.txt").write_text("mine")
    deleted, kept = report_safety.clean_reports(reports)
    assert sorted(p.relative_to(reports).as_posix() for p in deleted) == [
        "demo/2023", "demo/index.html", "index.html"]
    assert sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*")) == [
        "demo", "demo/2022", "demo/2022/draft.txt", "notes.txt"]
