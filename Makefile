# One place for the course's commands. Everything runs inside the project's virtual environment,
# which the first command creates and fills: a standard-library venv, uv installed into it with
# the venv's own pip, then uv installs the course (`uv pip install -e .[test]`; pip took 40-60 s
# for the same install from cold, uv about 10 s). Only Python >= 3.10 and make are needed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8888
# uv trusts the system's certificate store, as pip, git and curl do here (a proxy's or a
# university's own certificate authority is then accepted).
export UV_SYSTEM_CERTS ?= 1
# Installs write every module's bytecode (.pyc) once. Without it, where PYTHONDONTWRITEBYTECODE
# is set (CI here) or the writer lacks permission (the grading kernel's throw-away uid), every
# Python process compiles numpy, IPython, ipykernel... from source again: about 1.5 s of CPU per
# grading kernel on this machine.
export UV_COMPILE_BYTECODE ?= 1

.PHONY: setup test lint clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(BIN)/python -m pip install --quiet uv
	$(UV) pip install --quiet --python $(BIN)/python -e '.[test]'
	@$(BIN)/python -m compileall -q helpers tools
	@touch $(STAMP)
	@echo "Environment ready in $(VENV)"

lint: $(STAMP)
	$(BIN)/ruff check helpers tests lectures solutions benchmarks tools book deploy

# Each area keeps its own targets in mk/<area>.mk: lab, test tiers, nbgrader workflow, grading,
# browser, bench. `make test` (mk/test.mk) is the fast tier; `make test-all` runs every tier.
-include mk/*.mk

clean-venv:
	rm -rf $(VENV)
