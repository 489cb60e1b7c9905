# hi-analysis: two commands do everything.
#   make book   build the default system's book (creates .venv on first use)
#   make test   run the whole test suite (unit, data, notebooks, end-to-end build)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM ?= llr
JOBS ?=

# axe-core and puppeteer-core for the browser accessibility tests (Chromium: see .ci/run)
A11Y_TOOLS := tests/a11y/node_modules/.installed

.PHONY: book test lint bench clean help

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "hi-analysis needs Python 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

book: $(STAMP)  ## build the book for SYSTEM (default llr); prints the path of index.html last
	$(BIN)/hi-analysis build --system $(SYSTEM) $(if $(JOBS),--jobs $(JOBS)) --profile all

$(A11Y_TOOLS): tests/a11y/package.json tests/a11y/package-lock.json
	@command -v npm >/dev/null || { echo "make test needs Node.js and npm for the accessibility tests: apt-get install -y nodejs npm"; exit 1; }
	cd tests/a11y && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

test: $(STAMP) $(A11Y_TOOLS)  ## run the test suite (includes an end-to-end build and axe-core in Chromium)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: $(STAMP)  ## run the benchmarks recorded in docs/benchmarks.md
	$(BIN)/python benchmarks/bench_stats.py
	$(BIN)/python benchmarks/bench_build.py

clean:  ## remove generated outputs (keeps .venv)
	rm -rf _build
