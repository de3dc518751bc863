# Learning OS — two commands: `make run` serves the app, `make test` runs the tests.
# Every target is idempotent: steps re-run only when their inputs change.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMPS := .stamps
STATIC := src/learningos/web/static
ASSET_INPUTS := $(shell find src/learningos/web/templates src/learningos/web/assets -type f 2>/dev/null) tailwind.config.js scripts/build-assets.mjs

BOOK ?= ../shared/eval/books/thinkstats2.pdf
QUESTIONS ?= benchmarks/questions/thinkstats2.jsonl

.PHONY: run test setup python assets lint bench bench-pg eval clean help

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: setup ## Set everything up and serve the app (embedded mode) on http://127.0.0.1:8000
	$(BIN)/learningos serve

test: setup ## Set everything up and run the whole test suite
	$(BIN)/pytest

setup: python assets

python: $(STAMPS)/python

$(STAMPS)/python: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	@test -x $(BIN)/python || { echo "==> Creating the virtual environment in $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> Installing Python packages (the first time takes a few minutes; one line per package)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -e '.[dev]' \
	  | sed -u -n 's/^Collecting \([^ ]*\).*/    \1/p'
	@mkdir -p $(STAMPS) && touch $@
	@echo "==> Python packages ready"

assets: $(STATIC)/dist/app.css

$(STAMPS)/npm: package.json package-lock.json
	@echo "==> Installing front-end build tools (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STATIC)/dist/app.css: $(STAMPS)/npm $(ASSET_INPUTS)
	@echo "==> Building CSS and JavaScript"
	npm run --silent build
	@touch $@

lint: python ## Lint (ruff), check formatting and type-check (mypy)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src

bench: setup ## Load benchmark in the embedded mode (see benchmarks/README.md)
	$(BIN)/python benchmarks/load.py --mode embedded

bench-pg: setup ## Load benchmark on PostgreSQL + Redis with 2 web processes
	$(BIN)/python benchmarks/load.py --mode postgres

eval: setup ## Ingestion and retrieval figures on the evaluation book (see benchmarks/README.md)
	$(BIN)/learningos eval ingest $(BOOK)
	$(BIN)/learningos eval retrieval $(BOOK) $(QUESTIONS)

clean: ## Remove the virtual environment, node modules and built assets (keeps ./data)
	rm -rf $(VENV) node_modules $(STAMPS) $(STATIC)/dist $(STATIC)/fonts
