# autotune — `make demo` and `make test` work on a fresh clone (they create .venv first).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install autotune with its dev tools

demo: $(STAMP)  ## build the embedded demo CNN and run a short search on it
	$(BIN)/autotune demo

test: $(STAMP)  ## the whole suite, real OpenVINO runtime included (what CI runs)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)  ## skip the slow tests
	$(BIN)/python -m pytest -q -m 'not slow'

lint: $(STAMP)  ## ruff + mypy, as CI runs them
	$(BIN)/ruff check autotune tests benchmarks
	$(BIN)/ruff format --check autotune
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format autotune
	$(BIN)/ruff check --fix autotune tests benchmarks

clean:
	rm -rf $(VENV) studies/*.db studies/demo .pytest_cache .mypy_cache .ruff_cache
