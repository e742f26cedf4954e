# autotune — `make demo` and `make test` work on a fresh clone (they create .venv first).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed


.PHONY: system-deps screenshot
.PHONY: install demo test test-fast lint format clean fetch-models bench bench-fidelity bench-vs-hints bench-search bench-overhead bench-serving bench-int8 bench-dynamic

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,quantize]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install autotune with its dev tools

demo: $(STAMP)  ## build the embedded demo CNN and run a short search on it
	$(BIN)/autotune demo

system-deps:  ## PostgreSQL + Chromium for the tests (apt-get when root; else says what to install)
	bash .ci/system-deps

test: $(STAMP) system-deps  ## the whole suite, real OpenVINO runtime included (what CI runs)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)  ## skip the slow tests
	$(BIN)/python -m pytest -q -m 'not slow'

lint: $(STAMP)  ## ruff (lint + format) + mypy, as CI runs them
	$(BIN)/ruff check autotune tests benchmarks
	$(BIN)/ruff format --check autotune tests benchmarks
	$(BIN)/mypy

format: $(STAMP)  ## ruff format + the fixable lint rules
	$(BIN)/ruff format autotune tests benchmarks
	$(BIN)/ruff check --fix autotune tests benchmarks

fetch-models: $(STAMP)  ## real models from PyPI wheels (nudenet, rapidocr) → benchmarks/.cache/models
	$(BIN)/python benchmarks/fetch_models.py

bench-fidelity: fetch-models  ## harness vs benchmark_app, interleaved (≈ 3 min)
	$(BIN)/python benchmarks/fidelity.py

bench-vs-hints: fetch-models  ## tuned vs hints on 5 real models at 2 limits (≈ 10 min)
	$(BIN)/python benchmarks/vs_hints.py

bench-search: $(STAMP)  ## TPE vs random vs grid on a simulated 64-core CPU (≈ 30 s)
	$(BIN)/python benchmarks/search_efficiency.py

bench-overhead: $(STAMP)  ## share of a study's wall time outside measurement windows (≈ 1 min)
	$(BIN)/python benchmarks/overhead.py

bench-serving: fetch-models  ## sustainable rate under Poisson load vs closed-loop throughput (≈ 15 min)
	$(BIN)/python benchmarks/serving.py

bench-int8: fetch-models  ## --quantize on nudenet and PP-OCRv4 rec with real samples (≈ 6 min)
	$(BIN)/python benchmarks/int8.py

bench-dynamic: fetch-models  ## dynamic-width OCR on text lines at natural widths: policies, stated p90 vs benchmark_app (≈ 12 min)
	$(BIN)/python benchmarks/dynamic.py

bench: bench-search bench-overhead bench-fidelity bench-vs-hints bench-serving bench-int8 bench-dynamic  ## all seven, one after another

CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser || command -v google-chrome)

screenshot: $(STAMP) system-deps  ## PNG of the demo report for the README (runs `autotune demo` if needed)
	test -f studies/demo/report.html || $(BIN)/autotune demo
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --no-first-run --disable-sync \
		--disable-background-networking --disable-component-update --hide-scrollbars \
		--user-data-dir=$$(mktemp -d) --virtual-time-budget=20000 --window-size=1280,2200 \
		--screenshot=$(CURDIR)/docs/report.png file://$(CURDIR)/studies/demo/report.html
	@echo "wrote docs/report.png"

clean:
	rm -rf $(VENV) studies/*.db studies/demo .pytest_cache .mypy_cache .ruff_cache
