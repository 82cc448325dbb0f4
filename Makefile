# Quick start: `make demo` runs the service with demo data; `make test` runs every check.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install lock demo test services browser benchmarks clean

# The environment is exactly the lock: made anew whenever the lock or pyproject.toml changes,
# every file checked against its hash, the project itself installed without resolving anything.
$(STAMP): requirements.lock pyproject.toml
	rm -rf $(VENV)
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Upgrades the lock on purpose: `make lock` adds what pyproject.toml asks for and keeps the
# other pins; `make lock UPGRADE=1` takes every package's newest release.
lock:
	bash scripts/lock

demo: $(STAMP)
	$(BIN)/servicepunt demo

services:
	@bash scripts/ensure-services

browser:
	@bash scripts/ensure-browser
	@bash scripts/ensure-compose

test: $(STAMP) services browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadfile

BENCHMARKS := afwegingskader capacity matcher simulations api load

benchmarks: $(STAMP) services
	for b in $(BENCHMARKS); do $(BIN)/python -m benchmarks.$$b || exit 1; done

clean:
	rm -rf $(VENV) .lock-tools .mypy_cache .pytest_cache .ruff_cache .hypothesis
