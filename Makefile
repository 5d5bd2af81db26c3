# Hackney Portal: `make run` starts everything with demo data; `make test` runs the whole suite.
# Needs only Python 3.11; embedded PostgreSQL, Redis (Valkey) and localstripe come from PyPI wheels.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed

.PHONY: help install run test test-fast test-unit test-quick assets-check lint format check e2e assets bench system-deps clean scale-test

help:
	@echo "make run     start the whole portal (web, Celery worker and beat, services) with demo data"
	@echo "make test    lint, migration check and the whole test suite"
	@echo "make test-fast  the unit tests: no database, services started once (seconds); test-unit is the same"
	@echo "make test-quick everything but the slow tests (no browser, worker, live server or extra processes)"
	@echo "make bench   run the benchmarks in bench/ and write docs/performance.md"
	@echo "make assets  rebuild GOV.UK Frontend and the brand layer into static/ (needs Node)"
	@echo "make assets-check  fail if static/ differs from a fresh build of frontend/ (run by make test)"

$(STAMP): requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip --default-pip >/dev/null
	$(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	# Compiled at install: with PYTHONDONTWRITEBYTECODE set (as in CI), every process would otherwise compile
	# every library it imports again, seconds per process start.
	$(VENV)/bin/uv pip sync -q --compile-bytecode --python $(PY) --require-hashes requirements.lock
	touch $@

install: $(STAMP)

# Browser tests drive Debian's Chromium, and the pooling tests Debian's PgBouncer; install them (as root) when
# missing.
SYSTEM_PACKAGES := chromium fonts-liberation pgbouncer
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/pgbouncer ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES)) \
	      || { echo "could not install $(SYSTEM_PACKAGES)"; exit 1; }; \
	  elif command -v sudo >/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	  else echo "Missing: apt-get install $(SYSTEM_PACKAGES) (browser and pooling tests need them)"; exit 1; fi; \
	fi

run: $(STAMP)
	$(PY) -m hackney_portal.devservices run

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r hackney_portal payments employment homelessness
	$(VENV)/bin/lint-imports
	$(VENV)/bin/hadolint Dockerfile
	$(VENV)/bin/kubernetes-validate --strict --quiet -k 1.31.0 deploy/kubernetes/*.yaml

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# makemigrations --check runs against real (embedded) PostgreSQL, like everything else.
test: $(STAMP) system-deps lint assets-check
	$(PY) -m hackney_portal.devservices exec -- bash -c '\
	  $(PY) manage.py makemigrations --check --dry-run && \
	  $(PY) -m pytest $(PYTEST_ARGS)'

# Everything not marked slow (tests/conftest.py marks browsers, real workers, live servers, fault injection and
# tests that start processes of their own), against one set of throwaway services started for the run.
test-quick: $(STAMP)
	$(PY) -m hackney_portal.devservices exec -- $(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

# The unit tests alone: not slow and no database (tests/conftest.py marks them `unit`): rules, money, dates,
# parsers, renderers. Redis is started for them (every test starts with its rate-limit keys cleared).
test-fast test-unit: $(STAMP)
	$(PY) -m hackney_portal.devservices exec -- $(PY) -m pytest -q -m unit $(PYTEST_ARGS)

e2e: $(STAMP) system-deps
	$(PY) -m hackney_portal.devservices exec -- $(PY) -m pytest tests/e2e $(PYTEST_ARGS)

# Two web hosts, two worker hosts and two beats with separate folders, one PostgreSQL, Redis and S3 server.
scale-test: $(STAMP) system-deps
	$(PY) -m hackney_portal.devservices exec -- $(PY) -m pytest -m scale tests/scale $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m hackney_portal.devservices exec -- $(PY) -m bench $(BENCH_ARGS)

NPM_CI := npm ci --no-audit --no-fund --omit-lockfile-registry-resolved
assets:
	cd frontend && $(NPM_CI) && npm run build

# static/ is committed so that running the portal needs no Node; this rebuilds it from frontend/ into a
# temporary folder and fails if the two differ (frontend/ changed without `make assets`, or a build that is
# not reproducible). Nothing is cached: npm ci fetches the locked packages each run.
assets-check:
	@command -v npm >/dev/null || { echo "assets-check needs Node and npm (apt-get install nodejs npm)"; exit 1; }
	cd frontend && $(NPM_CI) --loglevel=error
	@out=$$(mktemp -d) && trap 'rm -rf "$$out"' EXIT && (cd frontend && node build.mjs "$$out") && \
	  diff -r "$$out" static && echo "static/ matches a fresh build of frontend/" || \
	  { echo "static/ differs from a fresh build of frontend/: run make assets and commit static/"; exit 1; }

clean:
	rm -rf .data/test-* .data/staticfiles
