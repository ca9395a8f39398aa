# Everything runs in a virtual environment made here; only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean bench bench-quick screenshots docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/lrt --db lrt-demo.sqlite demo

test: $(STAMP)
	$(BIN)/python -m mypy  # the types first: [tool.mypy] in pyproject.toml
	$(BIN)/python -m pytest -n 2 --dist loadfile  # a file stays on one worker (its module stores)

# The portal's pages as docs/portal-*.png, taken by its browser test (needs /usr/bin/chromium
# and .cache/axe-core, as .ci/run installs them)
screenshots: $(STAMP)
	LRT_SCREENSHOTS=1 $(BIN)/python -m pytest tests/portal/test_browser.py -k sqlite -q

# the README's pictures of a DOCX and a PDF page (needs poppler-utils and LibreOffice)
docs: $(STAMP)
	$(BIN)/python docs/pages.py

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)  # the 100k-event store, fewer repetitions: minutes, not an hour
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) *.egg-info lrt-demo.sqlite*
