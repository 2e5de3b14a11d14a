# Lectures: each lectures/NN_name.ipynb is paired with lectures/NN_name.py (jupytext py:percent;
# the pairing is declared in jupytext.toml). Guide: docs/instructor-guide.md, "Changing a lecture".
#   make notebooks          sync the pairs, execute the lectures in place, sync again
#   make notebooks LECTURES=lectures/03_xor_network.ipynb    one lecture
#   make lectures-sync      bring each pair up to date from its last-edited file (no execution);
#                           `make test` does this first, so a prose edit of a .py needs no command
#   make lectures-check     the pair and execution checks on the files as committed, without the
#                           sync (for CI: a commit must hold both files of a pair, in sync)
LECTURES     ?= lectures/*.ipynb
CELL_TIMEOUT ?= 600

# Everything a kernel or Jupyter could write goes to a throw-away folder; one BLAS thread keeps
# floating-point sums in the same order on every run and machine (and the run time sane under load).
define LECTURE_ENV
HOME="$$tmp" IPYTHONDIR="$$tmp/ipython" MPLCONFIGDIR="$$tmp/matplotlib" \
JUPYTER_CONFIG_DIR="$$tmp/jupyter-config" JUPYTER_DATA_DIR="$$tmp/jupyter-data" \
JUPYTER_RUNTIME_DIR="$$tmp/jupyter-runtime" PYDEVD_DISABLE_FILE_VALIDATION=1 \
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0 \
PATH="$(abspath $(BIN)):$$PATH"
endef

# jupytext --sync takes each pair's cells from the file edited last and keeps the outputs of the
# .ipynb for the code cells that did not change; markdown edits never need execution.
SYNC_LECTURES = $(LECTURE_ENV) $(BIN)/jupytext --sync --quiet lectures/*.py

.PHONY: notebooks lectures-sync lectures-check
lectures-sync: $(STAMP)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(SYNC_LECTURES)

notebooks: lectures-sync
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(LECTURE_ENV) $(BIN)/python -m tools.execute_lectures --timeout $(CELL_TIMEOUT) $(LECTURES) && \
	  $(SYNC_LECTURES)

lectures-check: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_lecture_pairs.py

# The fast tier runs the lectures under nbval as they are on disk: sync the pairs first.
test-fast: lectures-sync
