# One place for the course's commands. Everything runs inside the project's virtual environment,
# which the first command creates and fills (`pip install -e .[test]`).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8888

.PHONY: setup lab test lint clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)
	@echo "Environment ready in $(VENV)"

lab: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --port=$(PORT) --notebook-dir=.

# The whole suite: pytest for helpers and the nbgrader workflow, the browser tests (skipped with a
# reason when Chromium is missing), and every lecture executed under nbval in strict mode.
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
test: $(STAMP)
	$(BIN)/python -m pytest tests lectures $(NBVAL)

lint: $(STAMP)
	$(BIN)/ruff check helpers tests lectures solutions benchmarks

# Each area keeps its own targets in mk/<area>.mk (nbgrader workflow, grading, browser, bench).
-include mk/*.mk

clean-venv:
	rm -rf $(VENV)
