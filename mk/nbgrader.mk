# nbgrader instructor workflow (configuration: nbgrader_config.py; guide: docs/instructor-guide.md).
#   make release                 regenerate exercises/ from solutions/ with nbgrader (committed;
#                                deterministic; nothing else writes exercises/)
#   make validate                every solution notebook must pass all its tests
#   make publish                 copy the release to the exchange for students to fetch
#   make collect                 gather submissions from the exchange into submitted/
#   make autograde               grade everything in submitted/ (PS=ps1_chain_rule for one set)
#   make formgrader              grade derivation cells by hand in the browser (JupyterLab)
#   make feedback                feedback HTML (hidden tests removed) returned via the exchange
#   make grades                  export every grade to $(GRADES)
# PS selects problem sets (default: every solutions/<ps>/ holding <ps>.ipynb, as tools/problem_sets.py).

# nbgrader runs `alembic` from PATH when it creates a gradebook: put the venv first.
NBGRADER      := PATH="$(abspath $(BIN)):$$PATH" $(BIN)/nbgrader
_ps_of        = $(notdir $(patsubst %/,%,$(dir $(1))))
PROBLEM_SETS  := $(sort $(foreach nb,$(wildcard solutions/*/*.ipynb),\
                   $(if $(filter $(call _ps_of,$(nb)).ipynb,$(notdir $(nb))),$(call _ps_of,$(nb)))))
PS            ?= $(PROBLEM_SETS)
GRADES        ?= grades.csv
VALIDATE_NBS  ?= $(foreach ps,$(PS),$(wildcard solutions/$(ps)/$(ps).ipynb))

.PHONY: release validate publish collect autograde formgrader feedback grades

# nbgrader's generate_assignment clears outputs itself (and the sources are committed cleared).
release: $(STAMP)
	@test -n "$(strip $(PS))" || { echo "no problem sets under solutions/"; exit 1; }
	@set -e; for ps in $(PS); do \
	  echo "== generate_assignment $$ps"; \
	  $(NBGRADER) generate_assignment "$$ps" --force --log-level=WARN; \
	done

# nbgrader's own `validate` command exits 0 even when validation fails: use the Validator API.
define VALIDATE_PY
import os, sys
from traitlets.config.loader import PyFileConfigLoader
from nbgrader.validator import Validator
config = PyFileConfigLoader("nbgrader_config.py", path=".").load_config()
bad = 0
for path in sys.argv[1:]:
    result = Validator(config=config).validate(os.path.abspath(path))
    if result:
        bad += 1
        print(f"FAILED  {path}")
        for kind, cells in result.items():
            for cell in cells:
                print(f"  [{kind}] " + cell.get("raw_error", cell.get("source", ""))[-1500:])
    else:
        print(f"passed  {path}")
sys.exit(1 if bad else 0)
endef
export VALIDATE_PY

validate: $(STAMP)
	@test -n "$(strip $(VALIDATE_NBS))" || { echo "no notebooks to validate"; exit 1; }
	$(BIN)/python -c "$$VALIDATE_PY" $(VALIDATE_NBS)

publish: $(STAMP)
	@mkdir -p "$${BACKPROP_EXCHANGE:-.exchange}"
	@set -e; for ps in $(PS); do $(NBGRADER) release_assignment "$$ps" --force; done

collect: $(STAMP)
	@set -e; for ps in $(PS); do $(NBGRADER) collect "$$ps" --update; done

autograde: $(STAMP)
	@set -e; for ps in $(PS); do \
	  if [ -d submitted ] && ls submitted/*/"$$ps" >/dev/null 2>&1; then \
	    $(NBGRADER) autograde "$$ps"; \
	  else echo "== $$ps: no submissions in submitted/*/$$ps"; fi; \
	done

formgrader: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --port=$(PORT) \
	  --ServerApp.default_url=/formgrader

feedback: $(STAMP)
	@set -e; for ps in $(PS); do \
	  if [ -d autograded ] && ls autograded/*/"$$ps" >/dev/null 2>&1; then \
	    $(NBGRADER) generate_feedback "$$ps" --force; \
	    $(NBGRADER) release_feedback "$$ps"; \
	  else echo "== $$ps: nothing autograded yet"; fi; \
	done

grades: $(STAMP)
	$(NBGRADER) export --to "$(GRADES)"
	@echo "grades written to $(GRADES)"
