# The two commands of the README: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup setup-dev clean bench translations screenshots

$(BIN)/python:
	@$(PY) -m venv $(VENV) || { echo "Could not create a virtual environment: on Debian, run 'apt-get install python3-venv' first."; exit 1; }

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

## make run: set up, migrate, add demo data, and serve on $(HOST):$(PORT) (127.0.0.1:5000) with a worker
# Links in copies, receipts and e-mails point at the address served, unless PORTAL_BASE_URL says otherwise.
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@if [ -z "$$PORTAL_SMTP_URL" ]; then \
	  echo "Mail is not sent: each message is written to $${PORTAL_OUTBOX_DIR:-instance/outbox/} (read them at $$PORTAL_BASE_URL/admin/outbox as an administrator)."; \
	else echo "Mail goes out through $$PORTAL_SMTP_URL."; fi
	@$(FLASK) worker & WORKER=$$!; trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

## make test: set up and run the whole suite (SQLite + local, PostgreSQL + S3), one process per core
# (each starts its own PostgreSQL, SeaweedFS and SMTP servers on free ports)
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
test: setup-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

$(VENV)/.bench: requirements-bench.txt $(VENV)/.dev
	$(BIN)/pip install -q --no-deps -r requirements-bench.txt
	touch $@

## make bench: every benchmark; results go in docs/benchmarks.md
bench: $(VENV)/.bench
	$(BIN)/python -m bench.storage
	$(BIN)/python -m bench.downloads
	$(BIN)/python -m bench.tracing
	$(BIN)/python -m bench.watermark
	$(BIN)/python -m bench.attribution_eval
	$(BIN)/python -m bench.screening
	$(BIN)/python -m bench.ocr
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.servers

## make translations: extract the pages' strings, update the Spanish catalog, compile it
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel compile -d portal/translations

## make screenshots: run the browser journey and keep its pages in docs/screenshots/
screenshots: setup-dev
	PORTAL_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser -k "sqlite and (story or spanish or (walks and desktop))"

clean:
	rm -rf $(VENV) .pytest_cache
