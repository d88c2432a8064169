# Front Desk: `make run` opens the console, `make test` runs the whole suite, `make test-fast`
# the unit tests and the core scenarios in under a minute (tests/README.md).
# Both create .venv and install what they need the first time.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
WORKERS ?= auto
# test-fast: unit/ and one scenario file or folder per core flow; no property tests (`slow`), no
# real processes, no PostgreSQL runs. `make test` runs everything.
FAST ?= tests/unit tests/scenarios/visitors/test_visitor_commands.py \
	tests/scenarios/messages/test_messages.py tests/scenarios/home tests/scenarios/security

.PHONY: run test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(BIN)/frontdesk console

test: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "not process and not postgres and not slow" $(FAST)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check bot handlers storage
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache frontdesk-console.db*
