# hi-analysis: two commands do everything.
#   make book   build the default system's book (creates .venv on first use)
#   make test   run the whole test suite (unit, data, notebooks, end-to-end build)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM ?= llr
JOBS ?= 3

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
	$(BIN)/hi-analysis build --system $(SYSTEM) --jobs $(JOBS)

test: $(STAMP)  ## run the test suite (includes an end-to-end build)
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
