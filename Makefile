# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install browser lint typecheck bench conformance clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the app on the embedded database with the demo school (development mode).
run: $(STAMP)
	ENV=development $(BIN)/hocba serve

## Install everything the tests need (Python packages, Debian's Chromium for tests/browser),
## check style and types (ruff, mypy), then run the whole suite; any failure fails the recipe.
## The suite runs on TEST_WORKERS processes, each with its own database server, handed whole
## files (a file's tests share its fixtures) in collection order (the browser walks first).
TEST_WORKERS ?= 2
test: $(STAMP) browser lint typecheck
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

## Chromium and a Vietnamese font for the browser tests (apt-get, as root; never a download
## by Playwright). Without root it explains what to install and the browser tests are skipped.
browser:
	bash scripts/ensure_browser.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.embedded_mongo

## PyMongo's own unified CRUD and change-stream specification tests against the embedded server
## (the pinned PyMongo source distribution is downloaded with pip into .cache/; not part of test).
conformance: $(STAMP)
	$(BIN)/python -m conformance

clean:
	rm -rf $(VENV) .data test-artifacts .cache
