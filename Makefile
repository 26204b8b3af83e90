# The two commands of the README: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 4566
DATA   ?= ./.lakebox-data
PYTEST_ARGS ?=

.PHONY: serve test install install-test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check --upgrade pip
	$(PIP) install -q --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install -q --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

serve: install
	$(VENV)/bin/lakebox serve --host $(HOST) --port $(PORT) --data $(DATA)

test: install-test
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: install-test
	$(PIP) install -q --disable-pip-version-check -e '.[bench]'
	$(PY) bench/s3_bench.py

clean:
	rm -rf $(VENV) .pytest_cache
