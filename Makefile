# Everything runs in a virtual environment made here; only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean bench bench-quick

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
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)  # the 100k-event store, fewer repetitions: minutes, not an hour
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) *.egg-info lrt-demo.sqlite*
