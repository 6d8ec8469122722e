# Two commands matter: `make demo` and `make test`. Both create .venv when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock

.PHONY: demo test eval check lint typecheck bench bench-quick lock clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime only: the installed entry point must work without dev tools.
$(VENV)/.runtime: $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/pip install --quiet -c $(LOCK) -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $@

demo: $(VENV)/.runtime
	$(BIN)/monitor demo

test: $(VENV)/.dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	@test -x /usr/bin/chromium || test -n "$$MONITOR_CHROMIUM" || echo "note: no /usr/bin/chromium: the browser tests will be SKIPPED (apt-get install -y chromium)"
	$(BIN)/pytest -q
	$(BIN)/python -m bench --quick

# The labelled real articles live beside the repository (../shared/corpus), or one level further
# up from a git worktree; CORPUS=DIR points at another set with the same three files.
CORPUS ?= $(firstword $(wildcard ../shared/corpus/set1 ../../shared/corpus/set1))

eval: $(VENV)/.runtime
	@test -n "$(CORPUS)" || { echo "make eval: no ../shared/corpus/set1 here (set CORPUS=DIR)" >&2; exit 2; }
	$(BIN)/monitor eval --labels $(CORPUS)/articles.jsonl --claims $(CORPUS)/claims.json \
		--scoring $(CORPUS)/scoring.json --floors eval-floors.toml

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(VENV)/.dev
	$(BIN)/mypy

bench: $(VENV)/.dev
	$(BIN)/python -m bench

bench-quick: $(VENV)/.dev
	$(BIN)/python -m bench --quick

# Refresh the lock after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e ' > $(LOCK)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
