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
	@bash tools/ensure_java.sh
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check --upgrade pip
	$(PIP) install -q --disable-pip-version-check -e .
	touch $@

# The Athena client tests drive awswrangler and pyathena. Their metadata excludes versions this
# project pins although both run fine on them (awswrangler 3.17.1 asks for pyarrow<26, pyathena
# 4.2.1 for boto3/botocore>=1.43.31), so they are installed without their dependencies, each of
# which is pinned in the `test` extra or the main dependencies.
CLIENTS_NO_DEPS := awswrangler==3.17.1 pyathena==4.2.1

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml Makefile
	$(PIP) install -q --disable-pip-version-check -e '.[test]'
	$(PIP) install -q --disable-pip-version-check --no-deps $(CLIENTS_NO_DEPS)
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
	$(PY) bench/athena_bench.py

clean:
	rm -rf $(VENV) .pytest_cache
