# Grading a whole class safely (tools/grade_class.py; threat model: docs/instructor-guide.md).
#   make grade-class [WORKERS=2] [PS="ps1_chain_rule ..."]
#                        autograde everything in submitted/ with WORKERS processes (a student is
#                        never graded by two at once); report in grading-report.json
#   make grading-report  the same report (and printed summary) for what `make autograde` graded
#   make test-hostile    the corpus of broken and hostile submissions (integration tier)
#   make test-load       200 generated submissions, 2 workers vs a serial run (CI runs it)
#   make bench-grading   seconds per submission and for a class (benchmarks/bench_grading.py)
WORKERS          ?= 2
LOAD_SUBMISSIONS ?= 200

.PHONY: grade-class grading-report test-hostile test-load bench-grading

grade-class: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python tools/grade_class.py --course . \
	  --workers $(WORKERS) --ps $(PS)

grading-report: $(STAMP)
	$(BIN)/python tools/grade_class.py --course . --report-only --ps $(PS)

test-hostile: $(STAMP)
	$(BIN)/python -m pytest tests/test_hostile_submissions.py

test-load: $(STAMP)
	BACKPROP_LOAD_TEST=1 BACKPROP_LOAD_SUBMISSIONS=$(LOAD_SUBMISSIONS) \
	  $(BIN)/python -m pytest tests/test_grade_class.py -s

bench-grading: $(STAMP)
	$(BIN)/python -c "import json; \
	  from benchmarks.bench_grading import run; print(json.dumps(run('full'), indent=1))"
