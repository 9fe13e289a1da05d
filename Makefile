# `make run`: set up and serve the whole product on its embedded defaults.
# `make test`: set up and run the test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test setup setup-dev translations translations-update worker lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(MAKE) --no-print-directory translations

setup-dev: $(BIN)/python tests/web/node_modules/.package-lock.json
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(MAKE) --no-print-directory translations

# axe-core for the accessibility browser tests (tests/web/package-lock.json), installed into
# tests/web/node_modules only: a test tool, never served. Without npm the tests skip (outside CI).
tests/web/node_modules/.package-lock.json: tests/web/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/web --silent --no-audit --no-fund; \
	else echo "npm is missing: the accessibility tests will skip (apt-get install npm)"; fi

# Compile the catalogs (app/translations/*/LC_MESSAGES/messages.po) into the .mo files
# Flask-Babel reads; .mo files are build outputs (git-ignored). Fails on a broken catalog.
translations:
	$(BIN)/pybabel -q compile -d app/translations

# Re-extract the source strings (see babel.cfg) into messages.pot and merge them into every
# catalog; then translate the new or fuzzy entries in app/translations/ru/LC_MESSAGES/messages.po.
translations-update: $(BIN)/python
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k plural_forms:1,2 --add-comments=TRANSLATORS: \
		--add-location=file --sort-by-file --project=Bank --copyright-holder=Bank \
		-o app/translations/messages.pot .
	$(BIN)/pybabel -q update -i app/translations/messages.pot -d app/translations
	$(MAKE) --no-print-directory translations

run: setup
	$(BIN)/flask migrate
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

worker: setup
	$(BIN)/celery -A wsgi:celery worker --loglevel=INFO

test: setup-dev
	bash .ci/pytest $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .

bench: setup-dev
	$(BIN)/python bench/api_throughput.py
