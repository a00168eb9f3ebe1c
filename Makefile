# bpcourse: two commands on a fresh machine.
#   make lab    set up .venv (if missing or stale) and open the course in JupyterLab
#   make test   set up .venv and run every test and every notebook (strict nbval)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Inline figures break when the kernel inherits a non-inline backend.
unexport MPLBACKEND
export PYTHONDONTWRITEBYTECODE := 1

NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
# Jupyter refuses to run as root (containers, CI machines) unless told to.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup lab test lint execute clean

setup: $(STAMP)

# Rebuilt only when the lock or the package metadata changes: a rerun costs a second.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Token authentication stays on (Jupyter's random token); the server listens on loopback only.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) $(LAB_ROOT)

lint: $(STAMP)
	$(BIN)/ruff check bpcourse tests tools notebooks

test: $(STAMP) lint
	$(BIN)/python -m pytest tests $(NOTEBOOKS) --nbval --nbval-current-env

# Re-execute the stored notebooks in order, in fresh kernels (after editing one).
execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.kernel_name=python3 \
	  $(or $(NB),$(NOTEBOOKS))

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis
