# The front door. `make run` builds the lake from a fresh clone; `make test` runs every test.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
PYTHON ?= python3

export DBT_PROFILES_DIR ?= $(CURDIR)/profiles
export LAKEHOUSE_LANDING_ROOT ?= $(CURDIR)/landing
export LAKEHOUSE_LAKE_ROOT ?= $(CURDIR)/lake
export LAKEHOUSE_DUCKDB_PATH ?= $(CURDIR)/lakehouse.duckdb

START ?= 2013-01-01
END ?= 2013-12-31

.PHONY: setup run land build report docs test lint bench clean

setup: $(VENV)/.installed  ## virtualenv with the locked dependencies and offline DuckDB extensions

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m lakehouse.duckdb_ext .duckdb/extensions
	touch $@

run: setup land build report docs  ## land the year, build every layer on DuckDB, report
	@echo
	@echo "Lake (Delta tables): $(LAKEHOUSE_LAKE_ROOT)"
	@echo "DuckDB catalog:      $(LAKEHOUSE_DUCKDB_PATH)"
	@echo "Docs (static site):  $(CURDIR)/target/static_index.html"

land: setup  ## write the client's deliveries for START..END into the landing zone
	$(PY) scripts/land.py --start $(START) --end $(END)

build: setup  ## dbt build on DuckDB (seeds, models, tests)
	$(DBT) build

report: setup  ## every Delta table read two ways, and the flight reconciliation
	$(PY) scripts/lake_report.py --json target/lake_report.json

docs: setup  ## dbt docs as one self-contained HTML file
	$(DBT) docs generate --static

lint: setup
	$(VENV)/bin/ruff check lakehouse scripts tests
	$(VENV)/bin/ruff format --check lakehouse scripts tests

test: setup lint  ## every test: lint, Python unit tests, the pipeline end to end
	$(PY) -m pytest -q

bench: setup  ## time the full build, a one-day incremental and a no-op build (benchmarks/results)
	$(PY) scripts/bench_core.py

clean:
	rm -rf target logs lake landing lakehouse.duckdb .duckdb
