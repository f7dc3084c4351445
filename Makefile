# Gendan — the two commands of the quick start are `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev sysdeps lint messages bench clean

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PY) not found)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

## run: set up, migrate the SQLite database under var/, load demo data when empty, serve on http://$(HOST):$(PORT)
run: setup
	GENDAN_HTTPS=0 $(BIN)/gendan migrate --no-input -v 0
	GENDAN_HTTPS=0 $(BIN)/gendan demo --if-empty
	GENDAN_HTTPS=0 $(BIN)/gendan serve --host $(HOST) --port $(PORT)

## sysdeps: Debian packages the browser tests and PDFs need (Chromium, a CJK font)
sysdeps:
	@sh scripts/sysdeps.sh

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m django makemigrations --check --dry-run --settings=gendan.settings_test -v 1

## test: set up, lint, and run the whole suite (PostgreSQL when GENDAN_TEST_DATABASE_URL is set)
test: setup-dev sysdeps lint
	$(BIN)/pytest -n 2 --dist loadfile

messages: setup-dev
	cd src/gendan && ../../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete -i "*/migrations/*" && ../../$(BIN)/django-admin compilemessages

bench: setup-dev
	$(BIN)/python bench/orders_api.py

clean:
	rm -rf $(VENV) var/test-*
