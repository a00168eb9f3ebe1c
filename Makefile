# bpcourse: two commands on a fresh machine.
#   make lab    set up .venv (if missing or stale) and open the course in JupyterLab
#   make test   set up .venv and run every test and every notebook (strict nbval)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# What every target needs first; the editions tests set SETUP= to reuse an environment as it is.
SETUP ?= $(STAMP)
# Inline figures break when the kernel inherits a non-inline backend.
unexport MPLBACKEND
export PYTHONDONTWRITEBYTECODE := 1

NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
# Jupyter refuses to run as root (containers, CI machines) unless told to.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup lab test lint execute student slides html assignments editions determinism browser grading extended bench mutation clean
.PHONY: hub hub-test sizing

setup: $(STAMP)

# Rebuilt only when the lock or the package metadata changes: a rerun costs a second.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Token authentication stays on (Jupyter's random token); the server listens on loopback only.
lab: $(SETUP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) $(LAB_ROOT)

# The same three checks run by pre-commit (.pre-commit-config.yaml): lint, format, types.
lint: $(SETUP)
	$(BIN)/ruff check bpcourse tests tools docs notebooks
	$(BIN)/ruff format --check bpcourse tests tools docs
	$(BIN)/mypy

# Notebook kernels start with IPYTHONDIR=tests/ipython, whose startup file refuses network access.
# Two pytest-xdist workers (TEST_WORKERS=0: one process); --dist loadfile keeps each file on one
# worker, so a notebook's cells run in order in one kernel, as nbval needs.
TEST_WORKERS ?= 2
test: $(SETUP) lint
	IPYTHONDIR=$(CURDIR)/tests/ipython $(BIN)/python -m pytest tests $(NOTEBOOKS) \
	  --nbval --nbval-current-env --ignore=tests/extended -n $(TEST_WORKERS) --dist loadfile

# Re-execute the stored notebooks in order, in fresh kernels (after editing one).
execute: $(SETUP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.kernel_name=python3 \
	  $(or $(NB),$(NOTEBOOKS))
	$(BIN)/python tools/normalize_notebooks.py $(or $(NB),$(NOTEBOOKS))
	$(BIN)/python tools/nbgrader_metadata.py --write $(or $(NB),$(NOTEBOOKS))

# --- editions (all written under build/, never into notebooks/) -------------------------------
# OFFLINE=1 copies the JavaScript the pages need (reveal.js, require.js, jQuery, MathJax: pinned
# in tools/slides.py and tools/site.py) from npm next to them, for a lecture hall or a reader
# without internet; by default the pages load the same versions from CDNs.
student: $(SETUP)
	rm -rf build/student
	$(BIN)/python tools/editions.py student notebooks build/student

# One reveal.js deck per notebook, fitted to a 1280x720 projector (tools/slides.py).
slides: $(SETUP)
	rm -rf build/slides
	$(BIN)/python tools/slides.py notebooks build/slides $(if $(OFFLINE),--offline)

# The course website (Sphinx + myst-nb + sphinx-book-theme, sources in docs/): build/site.
html: $(SETUP)
	$(BIN)/python tools/site.py notebooks build/site $(if $(OFFLINE),--offline)

# nbgrader course directory, one assignment per notebook: build/nbgrader/source/NN_name/ (the
# notebook with its nbgrader metadata) -> build/nbgrader/release/NN_name/ (generate_assignment).
assignments: $(SETUP)
	rm -rf build/nbgrader
	$(BIN)/python tools/nbgrader_course.py build/nbgrader

# Longer checks, run by CI after make test (tests/extended):
#   editions     build each edition in a temporary copy and check what it produced
#   determinism  execute every notebook twice in fresh kernels; outputs (images too) must agree
#   grading      release every notebook with nbgrader, submit, autograde, export and give feedback
editions: $(SETUP)
	IPYTHONDIR=$(CURDIR)/tests/ipython $(BIN)/python -m pytest tests/extended/test_editions.py

determinism: $(SETUP)
	$(BIN)/python -m pytest tests/extended/test_determinism.py

extended: editions determinism browser grading hub-test

# --- a JupyterHub on this machine (DEMO ONLY: one shared password, no isolation between users) --
# tools/hub/jupyterhub_config.py; state (database, secret, users' homes) under build/hub;
# configurable-http-proxy from npm, installed under build/hub/proxy. Listens on 127.0.0.1 only.
HUB_PORT ?= 8000
CHP_VERSION := 5.3.0
HUB_PROXY := build/hub/proxy/node_modules/.bin/configurable-http-proxy

$(HUB_PROXY):
	npm install --silent --no-audit --no-fund --no-save --prefix build/hub/proxy \
	  configurable-http-proxy@$(CHP_VERSION)

hub: $(SETUP) $(HUB_PROXY)
	@echo "Hub on http://127.0.0.1:$(HUB_PORT)/ -- any username, DEMO password: $${BPCOURSE_HUB_PASSWORD:-bpcourse-demo}"
	cd build/hub && BPCOURSE_HUB_PORT=$(HUB_PORT) BPCOURSE_HUB_PROXY=$(CURDIR)/$(HUB_PROXY) \
	  $(abspath $(BIN))/jupyterhub -f $(CURDIR)/tools/hub/jupyterhub_config.py

# Three users log in, pull the student edition with an nbgitpuller link, run notebook 01.
hub-test: $(SETUP) $(HUB_PROXY)
	BPCOURSE_HUB_PROXY=$(CURDIR)/$(HUB_PROXY) IPYTHONDIR=$(CURDIR)/tests/ipython \
	  $(BIN)/python -m pytest tests/extended/test_hub.py

# Peak kernel memory and CPU time of every notebook, as a Markdown table (build/sizing.md).
sizing: $(SETUP)
	$(BIN)/python tools/measure_notebooks.py --output build/sizing.md $(NOTEBOOKS)

# nbgrader end to end: release, autograde unsolved / solution / one-wrong submissions, feedback.
grading: $(SETUP)
	IPYTHONDIR=$(CURDIR)/tests/ipython $(BIN)/python -m pytest tests/extended/test_grading.py

# Chromium (apt-get install -y chromium) visits every slide and every page of the site:
# tests/extended/test_browser.py. SCREENSHOTS=1 also refreshes docs/images/.
browser: $(SETUP)
	$(if $(SCREENSHOTS),BP_SCREENSHOTS=1) $(BIN)/python -m pytest tests/extended/test_browser.py

# Benchmarks (never part of make test): writes build/bench.md.
bench: $(SETUP)
	$(BIN)/python tools/bench.py $(BENCH_ARGS)

# Mutation testing of the derivative code (never part of make test; [tool.mutmut] in
# pyproject.toml, surviving and equivalent mutants in tests/MUTATION.md). Results are cached in
# mutants/: a rerun tests only the functions that changed. One module: MUTANTS='bpcourse.functional*'.
mutation: $(SETUP)
	$(BIN)/mutmut run $(MUTANTS)
	$(BIN)/mutmut export-cicd-stats >/dev/null
	$(BIN)/python -c "import json; s = json.load(open('mutants/mutmut-cicd-stats.json')); \
	  k = s['killed'] + s['timeout']; n = k + s['survived'] + s['no_tests'] + s['suspicious'] + s['segfault']; \
	  print(f'mutation score: {k} killed / {n} mutants = {100 * k / max(n, 1):.1f}% (survivors: .venv/bin/mutmut results)')"

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis
