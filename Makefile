# Ustaz PD: `make run` (local demo, no servers needed) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_TEACHERS ?= 3000
DEMO_SEED ?= 1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export DJANGO_COLORS := nocolor

.PHONY: help setup run worker test lint e2e bench messages clean

help:
	@echo "make run    - install everything, seed a demo region, serve on 127.0.0.1:$(PORT)"
	@echo "make test   - run the whole test suite"
	@echo "make lint   - ruff, migrations check, deploy check"
	@echo "make bench  - benchmarks (PostgreSQL; BENCH_DATABASE_URL)"
	@echo "make messages - refresh and compile locale/kk and locale/ru"

# --- set-up --------------------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's chromium drives the browser tests (Playwright cannot download browsers here);
# GNU gettext lets the translation test re-extract messages.
/usr/bin/chromium:
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq chromium

/usr/bin/xgettext:
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq gettext

setup: $(VENV)/.installed node_modules/.installed

setup-test: setup /usr/bin/chromium /usr/bin/xgettext

# --- local run -----------------------------------------------------------------------
run: export DEBUG ?= 1
run: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
run: setup
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed_demo --teachers $(DEMO_TEACHERS) --seed $(DEMO_SEED) --if-empty
	@echo "Ustaz PD: http://127.0.0.1:$(PORT)/  (Ctrl+C stops the server and the worker)"
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A ustaz_pd worker --pool=solo --beat --schedule=var/celerybeat-schedule --loglevel=warning & \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# --- quality -------------------------------------------------------------------------
test: setup-test
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: export DEBUG ?= 0
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	SECRET_KEY='deploy-check-$(shell printf "%064d" 0 | tr 0 x)7Qp!vZ#r2L@9mK^sW&eB*dJ' \
	  ALLOWED_HOSTS=ustaz.example.kz DEBUG=0 $(BIN)/python manage.py check --deploy --fail-level WARNING

# WeasyPrint (the certificate benchmark's peer) needs Pango from Debian.
$(VENV)/.bench-installed: requirements-bench.txt requirements.txt | $(BIN)/python
	dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libpangoft2-1.0-0; }
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

bench: setup $(VENV)/.bench-installed
	$(BIN)/python -m tests.benchmarks

messages: setup /usr/bin/xgettext
	DEBUG=1 $(BIN)/python manage.py makemessages -l kk -l ru --no-location --no-obsolete \
	  --ignore='.venv/*' --ignore='node_modules/*' --ignore='var/*' --ignore='tests/*' \
	  --ignore='scripts/*' --ignore='staticfiles/*'
	DEBUG=1 $(BIN)/python manage.py compilemessages -l kk -l ru --ignore='.venv/*'

clean:
	rm -rf var staticfiles .pytest_cache
