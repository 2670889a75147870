# Two commands: `make run` serves the demo shop, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
DEV := STOREFRONT_ENV=development SHOP_NAME="Better Band"

.PHONY: run test bench install install-test chromium wrk clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python chromium
	$(BIN)/pip install --quiet -e ".[test]"
	npm ci --no-audit --no-fund --silent

# Debian's Chromium for the browser tests (Playwright never downloads a browser here), and
# openssl, which makes the mail tests' TLS certificate.
chromium:
	@{ command -v chromium && command -v openssl; } >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium openssl; }

# Debian's wrk drives the benchmark.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }

# Load benchmark against a bare-Flask ceiling; needs PostgreSQL and Redis on 127.0.0.1
# (BENCH_DATABASE_URL, CACHE_URL and RATELIMIT_STORAGE_URI point elsewhere). Writes
# bench/RESULTS.md. One group alone: make bench BENCH_ARGS="--only demo" (prints only).
BENCH_ARGS ?=
bench: install wrk
	$(BIN)/python -m bench.run $(BENCH_ARGS)

run: install
	$(DEV) $(BIN)/storefront db upgrade
	$(DEV) $(BIN)/storefront seed-demo
	$(DEV) $(BIN)/storefront run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) node_modules .pytest_cache tests/browser/screenshots
