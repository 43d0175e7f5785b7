# HELP Field: `make run` serves the app on http://127.0.0.1:5000, `make test` lints and runs the whole suite.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip lists every local index folder it skips; those lines are noise, errors still show.
QUIET_PIP := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
VENV := .venv
PYTHON ?= python3
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-fast lint bench system-deps worker clean

$(VENV)/.runtime: requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt $(QUIET_PIP)
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt $(QUIET_PIP)
	touch $@

## run: set up, migrate, seed the demo data and serve (SQLite in instance/; jobs inline unless REDIS_URL is set)
run: $(VENV)/.runtime
	APP_ENV=$${APP_ENV:-development} $(FLASK) db upgrade
	APP_ENV=$${APP_ENV:-development} $(FLASK) seed-demo
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "REDIS_URL is set: starting an rq worker alongside the web server"; \
	  APP_ENV=$${APP_ENV:-development} $(VENV)/bin/python -m workers & \
	fi; \
	echo "HELP Field on http://$(HOST):$(PORT)  (API docs: http://$(HOST):$(PORT)/api/v1/docs)"; \
	APP_ENV=$${APP_ENV:-development} exec $(FLASK) run --host $(HOST) --port $(PORT)

## worker: an rq worker for push alerts (needs REDIS_URL)
worker: $(VENV)/.runtime
	$(VENV)/bin/python -m workers

## system-deps: Redis, PostgreSQL and Chromium for the tests (installed with apt-get where missing)
system-deps:
	bash scripts/system-deps.sh

## node_modules: axe-core and Lighthouse for the browser tests, eslint (installed when missing or older than the lock)
node_modules: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## test: set up (system-deps brings Node.js for lint-js), lint, then run the whole suite on SQLite and PostgreSQL, with real Redis and Chromium
test: $(VENV)/.dev system-deps node_modules lint
	$(VENV)/bin/pytest

## test-fast: SQLite only, no browser, no lint (for quick local loops)
test-fast: $(VENV)/.dev
	$(VENV)/bin/pytest --db sqlite -m "not e2e and not slow"

## lint: ruff (E, F, W, I, B, UP, SIM) on the Python code, mypy on app/ and workers/ (mypy.ini), and lint-js
lint: $(VENV)/.dev lint-js
	$(VENV)/bin/ruff check app workers tests testkit bench scripts deploy
	$(VENV)/bin/mypy app workers

## lint-js: eslint on the phone app (app/static/pwa) and its unit tests, then the unit tests (node --test)
.PHONY: lint-js
lint-js: node_modules
	npx --no -- eslint app/static/pwa tests/js
	node --test --test-reporter=spec tests/js/

bench: $(VENV)/.dev system-deps
	bash bench/run_all.sh

clean:
	rm -rf $(VENV) instance test-artifacts
