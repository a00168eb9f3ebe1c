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

.PHONY: setup lab test lint execute student slides html editions determinism extended bench mutation clean
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

lint: $(SETUP)
	$(BIN)/ruff check bpcourse tests tools notebooks

# Notebook kernels start with IPYTHONDIR=tests/ipython, whose startup file refuses network access.
test: $(SETUP) lint
	IPYTHONDIR=$(CURDIR)/tests/ipython $(BIN)/python -m pytest tests $(NOTEBOOKS) \
	  --nbval --nbval-current-env --ignore=tests/extended

# Re-execute the stored notebooks in order, in fresh kernels (after editing one).
execute: $(SETUP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.kernel_name=python3 \
	  $(or $(NB),$(NOTEBOOKS))
	$(BIN)/python tools/normalize_notebooks.py $(or $(NB),$(NOTEBOOKS))

# --- editions (all written under build/, never into notebooks/) -------------------------------
# OFFLINE=1 serves reveal.js, require.js, jQuery and MathJax from a local copy (npm), for a
# lecture hall or a reader without internet; by default the pages load them from CDNs.
VENDOR_PKGS := reveal.js@4.6.0 requirejs@2.3.8 jquery@3.7.1 mathjax@2.7.9
VENDOR_JS = vendor/node_modules
OFFLINE_URLS = --SlidesExporter.reveal_url_prefix=$(VENDOR_JS)/reveal.js \
  --SlidesExporter.require_js_url=$(VENDOR_JS)/requirejs/require.js \
  --SlidesExporter.jquery_url=$(VENDOR_JS)/jquery/dist/jquery.min.js \
  --SlidesExporter.mathjax_url='$(VENDOR_JS)/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe'
MATHJAX_LOCAL = $(VENDOR_JS)/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe

# $(call vendor,DIR): a local copy of the JavaScript the pages need, in DIR/vendor.
vendor = mkdir -p $(1)/vendor && npm install --silent --no-audit --no-fund --no-save \
  --prefix $(1)/vendor $(VENDOR_PKGS)

student: $(SETUP)
	rm -rf build/student
	$(BIN)/python tools/editions.py student notebooks build/student

slides: $(SETUP)
	rm -rf build/slides && mkdir -p build/slides
	$(if $(OFFLINE),$(call vendor,build/slides))
	$(BIN)/jupyter nbconvert --to slides --output-dir build/slides \
	  $(if $(OFFLINE),$(OFFLINE_URLS)) $(NOTEBOOKS)

html: $(SETUP)
	rm -rf build/site && mkdir -p build/site
	$(if $(OFFLINE),$(call vendor,build/site))
	$(BIN)/python tools/editions.py site notebooks build/site \
	  $(if $(OFFLINE),--mathjax-url '$(MATHJAX_LOCAL)')

# Longer checks, run by CI after make test (tests/extended):
#   editions     build each edition in a temporary copy and check what it produced
#   determinism  execute every notebook twice in fresh kernels; outputs (images too) must agree
editions: $(SETUP)
	IPYTHONDIR=$(CURDIR)/tests/ipython $(BIN)/python -m pytest tests/extended/test_editions.py

determinism: $(SETUP)
	$(BIN)/python -m pytest tests/extended/test_determinism.py

extended: editions determinism hub-test

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
