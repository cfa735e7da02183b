# The two commands of the README. Both install what they need first, into the virtual environment
# .venv of this clone (made with `python3 -m venv .venv` when absent), never into the system's
# Python. `make test PYTHON=/path/to/python` installs into and runs that interpreter instead
# (`.ci/run` does so for Python 3.10 and 3.13, each in a virtual environment of its own).
VENV_PYTHON := .venv/bin/python
PYTHON ?= $(VENV_PYTHON)
export NO_MKDOCS_2_WARNING = 1

ENGINE_PYTHON ?= python3
ZENSICAL_VERSION := 0.0.73
MKDOCS2_VERSION := 2.0.dev6
ZENSICAL_STAMP := .venv-zensical/installed-$(ZENSICAL_VERSION)
MKDOCS2_STAMP := .venv-mkdocs2/installed-$(MKDOCS2_VERSION)
ENGINES := $(ZENSICAL_STAMP) $(MKDOCS2_STAMP)

# Make the virtual environment only when it is the interpreter in use.
ifeq ($(PYTHON),$(VENV_PYTHON))
ENVIRONMENT := $(VENV_PYTHON)
endif

.PHONY: demo test install install-test serve

## Build the demo site from the bundled sample digest into site/.
demo: install
	$(PYTHON) -m papershelf convert bib/digests/* --bib bib/papers.bib --no-pages --offline --metadata-cache bib/metadata
	$(PYTHON) -m mkdocs build --strict
	@echo "demo site built in site/; browse it with: make serve  (or mkdocs serve), then open http://127.0.0.1:8000"

## Run every test: unit, golden, property, LaTeX (bibtex, biber), JabRef, site build on every
## engine (MkDocs, ProperDocs, Zensical, MkDocs 2) and headless Chromium.
test: install-test
	$(PYTHON) -m pytest

install: $(ENVIRONMENT)
	$(PYTHON) -m pip install -q -e '.[site]'

install-test: $(ENVIRONMENT) $(ENGINES)
	bash scripts/install-system-deps.sh
	$(PYTHON) -m pip install -q -e '.[test]'

# The engines the tests build the demo with besides MkDocs 1.6 and ProperDocs (which is in the
# test extra; see docs/guide/engines.md), each in a virtual environment of its own in the clone,
# made once from ENGINE_PYTHON (3.11 or newer) whatever PYTHON is. Zensical 0.0.73: it needs
# Python 3.11, and 0.1.x needs zensical-ui, which our package index does not serve.
$(ZENSICAL_STAMP):
	$(ENGINE_PYTHON) -m venv .venv-zensical
	.venv-zensical/bin/python -m pip install -q 'zensical==$(ZENSICAL_VERSION)'
	touch $@

# MkDocs 2 installed over papershelf's site extra (and ProperDocs), as `pip install -U --pre
# mkdocs` would do it in a user's environment: the plugin refuses it, ProperDocs still builds.
$(MKDOCS2_STAMP): pyproject.toml
	$(ENGINE_PYTHON) -m venv .venv-mkdocs2
	.venv-mkdocs2/bin/python -m pip install -q -e '.[site]' 'properdocs>=1.6,<2'
	@echo "MkDocs $(MKDOCS2_VERSION) over MkDocs 1.6: pip reports the conflicts the tests are about"
	.venv-mkdocs2/bin/python -m pip install -q --pre 'mkdocs==$(MKDOCS2_VERSION)'
	touch $@

serve: demo
	$(PYTHON) -m mkdocs serve

$(VENV_PYTHON):
	python3 -m venv .venv
