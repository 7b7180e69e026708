# The front door. `make run` builds the lake from a fresh clone; `make test` runs every test.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
PYTHON ?= python3

# STORAGE=azure: the landing zone and the lake in Azure containers (target duckdb_azure);
# credentials from the environment (LAKEHOUSE_AZURE_EMULATOR=1 for Azurite: see README).
STORAGE ?= local
ifeq ($(STORAGE),azure)
export LAKEHOUSE_TARGET := duckdb_azure
export LAKEHOUSE_LANDING_ROOT := $(or $(AZURE_LANDING_ROOT),az://landing)
export LAKEHOUSE_LAKE_ROOT := $(or $(AZURE_LAKE_ROOT),az://lake)
endif

export DBT_PROFILES_DIR ?= $(CURDIR)/profiles
export LAKEHOUSE_LANDING_ROOT ?= $(CURDIR)/landing
export LAKEHOUSE_LAKE_ROOT ?= $(CURDIR)/lake
export LAKEHOUSE_DUCKDB_PATH ?= $(CURDIR)/lakehouse.duckdb
export MLFLOW_TRACKING_URI ?= sqlite:///$(CURDIR)/mlflow.db

START ?= 2013-01-01
END ?= 2013-12-31

.PHONY: setup run land build build-prod train reproduce mlflow-ui report docs test lint bench bench-azure scale bench-scale \
	bench-incremental bench-full-run azurite-start azurite-stop clean history restore compact vacuum chromium docs-preview slim-ci model

setup: $(VENV)/.installed node_modules/.installed  ## venv, offline DuckDB extensions, Azurite (npm)

$(VENV)/.installed: requirements.lock pyproject.toml
	bash scripts/system_deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m lakehouse.duckdb_ext .duckdb/extensions
	touch $@

node_modules/.installed: package.json package-lock.json  ## Azurite, pinned by the lock file
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup land build report docs  ## land the year, build every layer on DuckDB (train + score included), report
	@echo
	@echo "Lake (Delta tables): $(LAKEHOUSE_LAKE_ROOT)"
	@echo "DuckDB catalog:      $(LAKEHOUSE_DUCKDB_PATH)"
	@echo "Docs (static site):  $(CURDIR)/target/static_index.html"
	@echo "MLflow store:        $(MLFLOW_TRACKING_URI)   (make mlflow-ui)"

land: setup  ## write the client's deliveries for START..END into the landing zone
	$(PY) scripts/land.py --start $(START) --end $(END)

build: setup  ## dbt build on DuckDB (seeds, models, unit tests, data tests)
	$(DBT) build

build-prod: setup  ## the scheduled production build: models and data tests; unit tests test code, so CI runs them
	$(DBT) build --exclude-resource-type unit_test

VARS ?= {}
train: setup  ## re-train: training set -> MLflow run -> champion alias -> scores (VARS='{train_end: 2013-08-31}')
	$(DBT) build -s ml_training_set+ --vars "$(VARS)"

reproduce: setup  ## re-train a recorded run from the Delta versions it logged: make reproduce RUN_ID=...
	$(PY) scripts/reproduce_run.py $(RUN_ID)

mlflow-ui: setup  ## the MLflow UI on http://127.0.0.1:5000
	$(VENV)/bin/mlflow ui --backend-store-uri "$(MLFLOW_TRACKING_URI)" --host 127.0.0.1 --port 5000

report: setup  ## every Delta table read two ways, and the flight reconciliation
	$(PY) scripts/lake_report.py --json target/lake_report.json

docs: setup  ## dbt docs as one self-contained HTML file
	$(DBT) docs generate --static

chromium:  ## Debian's chromium for the docs-site test and docs-preview (apt, as root), when missing
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

MODEL ?= fct_flights
docs-preview: docs chromium  ## screenshots of a model's docs page and lineage: make docs-preview MODEL=fct_flights
	$(PY) scripts/docs_preview.py $(MODEL)

# Slim CI: STATE is production's target folder (its manifest.json); production's lake and
# catalog are only read; the dev build gets its own lake and catalog under DEV.
STATE ?=
PROD_LAKE ?= $(LAKEHOUSE_LAKE_ROOT)
PROD_CATALOG ?= $(LAKEHOUSE_DUCKDB_PATH)
DEV ?= $(CURDIR)/dev
DBT_ARGS ?=
slim-ci: setup  ## build only what changed vs production: make slim-ci STATE=path/to/prod/target
	@test -n "$(STATE)" || { echo "usage: make slim-ci STATE=<production target folder> [PROD_LAKE=..] [PROD_CATALOG=..] [DBT_ARGS='--exclude tag:ml']"; exit 2; }
	$(PY) scripts/slim_ci.py --state "$(STATE)" --prod-lake "$(PROD_LAKE)" --prod-catalog "$(PROD_CATALOG)" --dev-root "$(DEV)" -- $(DBT_ARGS)

LAYER ?=
NAME ?=
model: setup  ## scaffold a model and its YAML stub: make model LAYER=silver NAME=silver_x FROM=bronze_x KEY=id
	$(PY) scripts/scaffold_model.py "$(LAYER)" "$(NAME)" $(if $(FROM),--from "$(FROM)") $(if $(KEY),--key "$(KEY)") $(if $(SQL),--sql "$(SQL)")

lint: setup  ## ruff, the portable-SQL check, the dbt conventions, sqlfluff (the pre-commit hooks)
	$(VENV)/bin/ruff check lakehouse scripts tests notebooks models
	$(VENV)/bin/ruff format --check lakehouse scripts tests notebooks models
	$(PY) scripts/check_sql.py
	$(PY) scripts/check_conventions.py
	$(PY) scripts/lint_sql.py

test: setup lint chromium  ## every test: lint, Python unit tests, the pipeline end to end, the docs site
	$(PY) -m pytest -q -n 2 --dist loadfile --durations=25

bench: setup  ## time the full build, a one-day incremental and a no-op build (benchmarks/results)
	$(PY) scripts/bench_core.py

YEARS ?= 1
SEED ?= 13
JOBS ?= 1
scale: setup  ## YEARS of generated deliveries (2013 shifted, resampled) into the landing zone: make scale YEARS=10
	$(PY) scripts/generate_scale.py --years $(YEARS) --seed $(SEED) --jobs $(JOBS) $(if $(SCALE_START),--start $(SCALE_START)) $(if $(SCALE_END),--end $(SCALE_END))

REPEATS ?= 3
bench-scale: setup  ## full/incremental/corrections builds + baselines at YEARS (benchmarks/results/scale_<N>y.*)
	$(PY) scripts/bench_scale.py --years $(YEARS) --seed $(SEED) --repeats $(REPEATS) $(BENCH_ARGS)

bench-incremental: setup  ## incremental builds again on a kept bench-scale lakehouse: make bench-incremental YEARS=30 WORKDIR=/tmp/b30/w BENCH_ARGS=--full-build
	$(PY) scripts/bench_incremental.py --years $(YEARS) --seed $(SEED) --workdir $(WORKDIR) $(BENCH_ARGS)

bench-full-run: setup  ## SQL models from an empty lake vs baseline (a), on a kept lakehouse: make bench-full-run YEARS=30 WORKDIR=/tmp/b30/w
	$(PY) scripts/bench_full_run.py --years $(YEARS) --workdir $(WORKDIR)

history: setup  ## a lake table's commits: make history TABLE=silver_flights
	$(PY) scripts/lake_admin.py history $(TABLE)

restore: setup  ## make an earlier version current: make restore TABLE=silver_flights VERSION=3
	$(PY) scripts/lake_admin.py restore $(TABLE) --version $(VERSION)

compact: setup  ## merge a table's small files: make compact TABLE=bronze_flights
	$(PY) scripts/lake_admin.py compact $(TABLE)

RETAIN_HOURS ?= 168
vacuum: setup  ## delete unreferenced files (dry run unless APPLY=1): make vacuum TABLE=bronze_flights
	$(PY) scripts/lake_admin.py vacuum $(TABLE) --retain-hours $(RETAIN_HOURS) $(if $(APPLY),--apply)

bench-azure: setup  ## the same build on the local folder and on Azurite (benchmarks/results/azure.*)
	$(PY) scripts/bench_azure.py $(BENCH_ARGS)

azurite-start: setup  ## Azurite on 127.0.0.1:10000 (data in a temp folder); prints the env to export
	$(PY) scripts/azurite.py start

azurite-stop:  ## stop the Azurite started by azurite-start (by its PID)
	$(PY) scripts/azurite.py stop

clean:
	rm -rf target logs lake landing lakehouse.duckdb .duckdb mlflow.db mlruns dev
