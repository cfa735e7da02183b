# The two commands of the README. Both install what they need first, into the virtual environment
# .venv of this clone (made with `python3 -m venv .venv` when absent), never into the system's
# Python. `make test PYTHON=/path/to/python` installs into and runs that interpreter instead
# (`.ci/run` does so for Python 3.10 and 3.13, each in a virtual environment of its own).
VENV_PYTHON := .venv/bin/python
PYTHON ?= $(VENV_PYTHON)
export NO_MKDOCS_2_WARNING = 1

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

## Run every test: unit, golden, property, LaTeX (bibtex, biber), JabRef, site build and headless Chromium.
test: install-test
	$(PYTHON) -m pytest

install: $(ENVIRONMENT)
	$(PYTHON) -m pip install -q -e '.[site]'

install-test: $(ENVIRONMENT)
	bash scripts/install-system-deps.sh
	$(PYTHON) -m pip install -q -e '.[test]'

serve: demo
	$(PYTHON) -m mkdocs serve

$(VENV_PYTHON):
	python3 -m venv .venv
