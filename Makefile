# Two entry points (see README): `make run` builds the bundled report; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: setup run serve test mutate lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/chipkg build
	$(BIN)/chipkg query sources-by-publisher-kind

serve: setup
	$(BIN)/chipkg serve

# two processes (pytest-xdist), whole test files to each so a file's shared fixtures are built
# once; TEST_JOBS=0 runs the suite in this one process (docs/testing.md)
TEST_JOBS ?= 2
test: setup
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile

# Mutation testing of the core modules, one at a time (docs/testing.md): `make mutate` for all,
# `make mutate MODULE=store` for one, MUTATE_JOBS=2 for two workers when the machine is free.
MODULE ?=
MUTATE_JOBS ?= 1
mutate: setup
	$(BIN)/python tools/mutate.py --jobs $(MUTATE_JOBS) $(MODULE)

lint: setup
	$(BIN)/ruff check src tests

clean:
	rm -rf $(VENV) graph/build .pytest_cache .mutate
