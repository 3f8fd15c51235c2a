# tweetflow: every entry point a user or CI needs. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
EXTRAS ?= dev
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell printf '%s' "$(EXTRAS)" | tr ',' '-')

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast bench-smoke lint format stack-up stack-down clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else "tweetflow needs Python 3.10 to 3.12 (PyFlink 2.2 has no wheels beyond 3.12): set PYTHON=python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[$(EXTRAS)]'
	@touch $@

install: $(STAMP) ## create .venv and install tweetflow with its dependencies

demo: install ## run the main job end to end on the local stack (Kafka, Elasticsearch, Flink)
	$(BIN)/tweetflow demo

test: install ## run the whole test suite; the tests start and stop the real services they need
	$(BIN)/pytest -m "not bench_smoke"

bench-smoke: install ## every benchmark's smoke run: each contender gives a figure (no timing asserted)
	$(BIN)/pytest -m bench_smoke

test-fast: install ## unit tests only: no JVM, seconds
	$(BIN)/pytest -m "not integration"

lint: install ## ruff lint and format check; the import contracts of .importlinter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: install ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

stack-up: install ## start the local Kafka and Elasticsearch
	$(BIN)/tweetflow stack up

stack-down: install ## stop them
	$(BIN)/tweetflow stack down

clean: ## remove the virtualenv (the verified download cache stays in ~/.cache/tweetflow)
	rm -rf $(VENV)
