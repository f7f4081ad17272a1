# Every target creates the virtualenv itself (all extras) when it is missing or pyproject.toml changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-all lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/advisor

# Tests run in parallel, one embedded server per worker (at most 4: each is a PostgreSQL).
XDIST := -n auto --maxprocesses 4

# The quick suite: every feature, sampled matrices (about 3 minutes on 2 cores).
test: $(STAMP)
	$(BIN)/python -m pytest -q $(XDIST) -m "not slow"

# Everything, the full snippet matrices and benchmark-sized tests included.
test-all: $(STAMP)
	$(BIN)/python -m pytest -q $(XDIST)

lint: $(STAMP)
	$(BIN)/ruff check advisor tests scripts
	$(BIN)/ruff format --check advisor tests scripts
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python scripts/benchcheck.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
