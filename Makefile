# One place for the project's tooling. Every target sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev demo test test-slow lint format typecheck docs bench fuzz oracle clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

dev: $(STAMP)  ## create the virtual environment with the package and its dev tools

demo: $(STAMP)  ## the main job on the bundled example (exit 1 = the incident is found)
	$(BIN)/efs-doctor scan examples/seed-incident

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest -n auto

lint: $(STAMP)  ## formatting, lint and strict typing
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks scripts
	$(BIN)/ruff check --fix src tests benchmarks scripts

docs: $(STAMP)  ## regenerate docs/rules from the rule docstrings
	$(BIN)/python scripts/gen_rule_docs.py

oracle:  ## install the test-only IAM oracle (@cloud-copilot/iam-simulate) from the lockfile
	npm ci --prefix tests/differential --no-audit --no-fund

test-slow: $(STAMP)  ## the long tests (full wrong-type mutation product, large inputs)
	$(BIN)/python -m pytest -n auto -m slow

fuzz: $(STAMP)  ## a long fuzzing campaign (MINUTES per target, 5 by default)
	$(BIN)/python scripts/fuzz.py --minutes $${MINUTES:-5} --jobs 2

bench: $(STAMP)  ## the scan benchmark table (ARGS="--large --install-checkov", see benchmarks/README.md)
	$(BIN)/python -m benchmarks $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
