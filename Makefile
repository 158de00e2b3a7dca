# Social Clause Audit — `make help` lists the targets.
# The virtual environment is built from requirements.lock (exact pins) whenever it is missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
YEARS ?= 2022 2023 2024 2025
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help venv report test test-fast lint nbval notebooks demo bench simulate clean clean-reports

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3 (social-clause-audit)" >/dev/null
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv from the pinned lock file (done automatically by the other targets)

report: $(STAMP) ## Run every notebook on the demo data for each demo year into reports/demo/ (main command)
	$(PY) -m helpers run-all --years $(YEARS)

test: $(STAMP) ## Run the whole test suite: linter, unit tests, end-to-end run, nbval on the committed notebooks
	$(PY) -m ruff check src tests tools
	$(PY) -m pytest -n 2 --dist loadfile -p no:cacheprovider tests
	$(PY) -m pytest -p no:cacheprovider --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg

lint: $(STAMP) ## Run the linter (ruff, configured in pyproject.toml)
	$(PY) -m ruff check src tests tools

test-fast: $(STAMP) ## Unit tests only (no notebooks)
	$(PY) -m pytest -n 2 --dist loadfile -p no:cacheprovider tests -m "not slow"

nbval: $(STAMP) ## Validate the committed notebooks with nbval
	$(PY) -m pytest -p no:cacheprovider --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg

notebooks: $(STAMP) ## Rebuild notebooks 01-04 (tools/build_notebooks.py), re-execute all in place on the demo data (review the diff!)
	$(PY) tools/build_notebooks.py
	$(PY) -m helpers refresh-notebooks

demo: $(STAMP) ## Regenerate data/demo/ (fixed seed: byte-identical output)
	$(PY) -m helpers.demo

bench: $(STAMP) ## National-scale benchmark at 100k and 500k contracts -> bench/results.json (slow)
	$(PY) -m helpers bench --contracts 100000 500000 --repeat 3 --out bench/results.json

simulate: $(STAMP) ## Coverage simulation of the hypotheses' intervals over repeated draws (slow)
	$(PY) -m helpers simulate

clean-reports: ## Remove the reports the tool wrote (marked folders, its index pages); anything else is kept
	$(if $(wildcard $(PY)),$(PY),PYTHONPATH=src $(PYTHON)) -m helpers clean-reports reports

clean: clean-reports ## Remove the virtual environment and rebuilt data
	rm -rf $(VENV) data/interim/*.parquet data/interim/cache
