# answer-coach: every target creates .venv on first use (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000
HOST   ?= 127.0.0.1
WEB_CONCURRENCY ?= 2
COACH_THREADS   ?= 4
GUNICORN_TIMEOUT ?= 300
VERSIONS ?=
MODELS   ?= local/rubric

.PHONY: install serve test eval calibrate bench lint fmt typecheck check clean

install: $(STAMP)

# Re-installs only when pyproject.toml changes: a no-op otherwise.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/gunicorn --preload --workers $(WEB_CONCURRENCY) --threads $(COACH_THREADS) \
	  --timeout $(GUNICORN_TIMEOUT) --bind $(HOST):$(PORT) --access-logfile - 'service.app:create_app()'

test: $(STAMP)
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/coach eval $(if $(VERSIONS),--versions $(VERSIONS)) --models $(MODELS)

# Refit local/rubric's score calibration on the dev fixtures (after changing the engine, lexicon or fixtures).
calibrate: $(STAMP)
	$(BIN)/python -m evals.calibrate

bench: $(STAMP)
	$(BIN)/python -m bench.run

lint: $(STAMP)
	$(BIN)/ruff check service evals tests bench
	$(BIN)/ruff format --check service evals tests bench

fmt: $(STAMP)
	$(BIN)/ruff format service evals tests bench
	$(BIN)/ruff check --fix service evals tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) .cache evals/reports .pytest_cache .mypy_cache .ruff_cache
