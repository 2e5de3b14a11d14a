# nbgrader instructor workflow (configuration: nbgrader_config.py; guide: docs/instructor-guide.md).
#   make release                 regenerate exercises/ from solutions/ with nbgrader (committed;
#                                deterministic; nothing else writes exercises/)
#   make validate                every solution notebook must pass all its tests
#   make publish                 copy the release to the exchange for students to fetch
#   make collect                 gather submissions from the exchange into submitted/
#   make import-submissions DIR=... PS=...   without an exchange: a folder of notebooks (one per
#                                student, e.g. an LMS download) into submitted/<student>/<ps>/
#   make autograde               grade everything in submitted/ (PS=ps1_chain_rule for one set)
#   make formgrader              grade derivation cells by hand in the browser (JupyterLab)
#   make feedback                feedback HTML (hidden tests removed) for everyone; returned via
#                                the exchange to those who submitted through it
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

.PHONY: release validate publish collect import-submissions autograde formgrader feedback grades

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

# Each problem set is tried even if an earlier one fails; the target fails at the end, naming them.
publish: $(STAMP)
	@mkdir -p "$${BACKPROP_EXCHANGE:-.exchange}"
	@failed=""; for ps in $(PS); do \
	  $(NBGRADER) release_assignment "$$ps" --force || failed="$$failed $$ps"; \
	done; if [ -n "$$failed" ]; then echo "== publish failed for:$$failed"; exit 1; fi

collect: $(STAMP)
	@failed=""; for ps in $(PS); do \
	  $(NBGRADER) collect "$$ps" --update || failed="$$failed $$ps"; \
	done; if [ -n "$$failed" ]; then echo "== collect failed for:$$failed"; exit 1; fi

# Without an exchange: make import-submissions DIR=downloads/ps1 PS=ps1_chain_rule
# [STUDENT_PATTERN='(?P<student>[^_]+)_'] [FORCE=1] (tools/import_submissions.py says how
# students are named).
import-submissions: $(STAMP)
	@test -n "$(DIR)" || { echo "usage: make import-submissions DIR=folder PS=problem_set"; exit 2; }
	@test "$(words $(PS))" = 1 || { echo "import-submissions: PS must name one problem set, got: $(PS)"; exit 2; }
	$(BIN)/python tools/import_submissions.py --course . --ps "$(PS)" "$(DIR)" \
	  $(if $(STUDENT_PATTERN),--student-pattern '$(STUDENT_PATTERN)') $(if $(FORCE),--force)

autograde: $(STAMP)
	@failed=""; for ps in $(PS); do \
	  if [ -d submitted ] && ls submitted/*/"$$ps" >/dev/null 2>&1; then \
	    $(NBGRADER) autograde "$$ps" || failed="$$failed $$ps"; \
	  else echo "== $$ps: no submissions in submitted/*/$$ps"; fi; \
	done; if [ -n "$$failed" ]; then echo "== autograde failed for:$$failed"; exit 1; fi

formgrader: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --port=$(PORT) \
	  --ServerApp.default_url=/formgrader

# Feedback HTML for every autograded submission (feedback/<student>/<ps>/); released through the
# exchange only for submissions that came through it (nbgrader needs their submission_secret.txt):
# the others are named, for the instructor to hand back (e.g. upload to the learning platform).
feedback: $(STAMP)
	@failed=""; for ps in $(PS); do \
	  if [ -d autograded ] && ls autograded/*/"$$ps" >/dev/null 2>&1; then \
	    $(NBGRADER) generate_feedback "$$ps" --force || failed="$$failed $$ps"; \
	    manual=""; exchange=""; for d in feedback/*/"$$ps"; do \
	      [ -d "$$d" ] || continue; s=$$(basename "$$(dirname "$$d")"); \
	      if [ -f "$$d/submission_secret.txt" ]; then exchange="$$exchange $$s"; \
	      else manual="$$manual,$$s"; fi; \
	    done; \
	    if [ -n "$$exchange" ]; then \
	      $(NBGRADER) release_feedback "$$ps" --CourseDirectory.student_id_exclude="$${manual#,}" \
	        || failed="$$failed $$ps"; fi; \
	    if [ -n "$$manual" ]; then \
	      echo "== $$ps: feedback of submissions that did not come through the exchange (hand it back yourself):"; \
	      for s in $$(echo "$${manual#,}" | tr , ' '); do echo "   feedback/$$s/$$ps/"; done; fi; \
	  else echo "== $$ps: nothing autograded yet"; fi; \
	done; if [ -n "$$failed" ]; then echo "== feedback failed for:$$failed"; exit 1; fi

grades: $(STAMP)
	$(NBGRADER) export --to "$(GRADES)"
	@echo "grades written to $(GRADES)"
