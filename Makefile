# The two commands of the README. Both install what they need first.
PYTHON ?= python3
export NO_MKDOCS_2_WARNING = 1

.PHONY: demo test install install-test serve

## Build the demo site from the bundled sample digest into site/.
demo: install
	$(PYTHON) -m papershelf convert bib/digests/* --bib bib/papers.bib --no-pages
	$(PYTHON) -m mkdocs build --strict
	@echo "demo site built in site/; browse it with: make serve  (or mkdocs serve), then open http://127.0.0.1:8000"

## Run every test: unit, golden, property, LaTeX (bibtex, biber), site build and headless Chromium.
test: install-test
	$(PYTHON) -m pytest

install:
	$(PYTHON) -m pip install -q -e '.[site]'

install-test:
	bash scripts/install-system-deps.sh
	$(PYTHON) -m pip install -q -e '.[test]'

serve: demo
	$(PYTHON) -m mkdocs serve
