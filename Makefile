# Setu — the two commands: `make up` (install and start everything) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Targets that share nothing, made side by side (`+`: run as a recursive make even under -n),
# each one's output kept together. On a clean machine pip takes about 40 s and the system
# packages (apt-get, npm) about 35, and neither needs the other: `make test` and `make bench`
# install the packages while pip fills the virtualenv (and lint reads it).
AT_ONCE := $(MAKE) --no-print-directory --jobs=2 --output-sync=target

.DEFAULT_GOAL := help
.PHONY: help install system-packages up test lint format openapi migrate bench compose-smoke clean

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install Setu with its test tools

system-packages: ## Install the system packages the tests use (nginx, docker-compose, poppler...)
	@bash deploy/install-tools.sh

up: install ## Install, migrate and start the whole system on the embedded defaults
	@$(BIN)/setu up

test: ## Install and run every test
	@+$(AT_ONCE) lint system-packages
	$(BIN)/setu openapi --check
	$(BIN)/pytest

lint: install ## ruff, the import contracts (no service imports another) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

openapi: install ## Regenerate the committed OpenAPI document from the code
	$(BIN)/setu openapi

migrate: install ## Bring every database to the latest schema
	$(BIN)/setu migrate

bench: ## Run the benchmarks; writes bench/results/latest.json
	@+$(AT_ONCE) install system-packages
	$(BIN)/python -m bench

compose-smoke: ## Build images locally and drive docker-compose end to end (needs dockerd)
	bash deploy/compose-smoke.sh

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var
