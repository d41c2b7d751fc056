# One-command set-up: every target that needs the environment builds it first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAMPLE := data/sample
# Browser tests drive Debian's chromium (never a downloaded browser build).
CHROMIUM := /usr/bin/chromium

.PHONY: install browser postgresql run test test-fast lint typecheck check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e ".[dev,app]"
	touch $(STAMP)

install: $(STAMP)

browser:
	@test -x $(CHROMIUM) || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The plan store's tests start a throwaway cluster of Debian's PostgreSQL server themselves
# (tests/conftest.py); only the package is installed here, no server is configured.
postgresql:
	@test -n "$(wildcard /usr/lib/postgresql/*/bin/initdb)" || \
		{ apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }

# The app serves HR data: by default only to this machine.  Serving it to a network is a
# deliberate choice, e.g. `make run ADDRESS=0.0.0.0` (then put it behind authentication).
ADDRESS ?= 127.0.0.1
PORT ?= 8501

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false --client.toolbarMode minimal \
		--server.address $(ADDRESS) --server.port $(PORT) --client.showErrorDetails none

test: $(STAMP) browser postgresql
	$(PY) -m pytest -n 2 --dist loadgroup -q

test-fast: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup -q -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks app.py app_pages
	$(VENV)/bin/ruff format --check src tests benchmarks app.py app_pages

typecheck: $(STAMP)
	$(VENV)/bin/mypy

check: lint typecheck test

# Every size, shape and peer plus the scaling series: hours on 2 cores, but cached in
# benchmarks/.cache, so a rerun measures only what changed.  A subset, e.g.:
#   make bench BENCH="--sizes S,M --shapes default --no-scaling"
BENCH ?=

bench: $(STAMP)
	$(PY) benchmarks/bench.py $(BENCH)

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
