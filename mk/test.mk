# Tests in tiers (markers in pyproject.toml; unmarked tests are the fast tier):
#   make test              the fast tier, the README's command: lint, then helpers' unit and
#                          property tests, the static nbgrader checks, the problem sets' checks
#                          in-process and every lecture under nbval, on $(TEST_WORKERS) workers
#   make test-integration  nbgrader end to end, the hostile corpus, grading a class, servers
#   make test-browser      JupyterLab in headless Chromium (mk/browser.mk)
#   make test-load-ci      the load test at CI size ($(CI_LOAD_SUBMISSIONS) submissions: 2 workers
#                          must grade exactly as a serial run)
#   make test-all          every tier above, in that order (what CI runs), after checking that the
#                          committed lecture pairs are in sync and installing what the website
#                          tests need (make book-deps); goes on after a failing tier and fails at
#                          the end; lists each tier's 25 slowest tests
#   make test-load         the class-sized run, 200 submissions (mk/grading.mk)
# PYTEST_ARGS=... adds pytest options to every tier (e.g. PYTEST_ARGS=-x).
NBVAL               := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
FAST_TIER           := not integration and not browser and not load
TEST_WORKERS        ?= 2
CI_LOAD_SUBMISSIONS ?= 40
PYTEST              := $(BIN)/python -m pytest
PYTEST_ARGS         ?=
# xdist: --dist loadfile keeps each file (a notebook's cells, a module's fixtures) on one worker.
XDIST               := -n $(TEST_WORKERS) --dist loadfile

.PHONY: test test-fast test-integration test-load-ci test-all

test: lint test-fast

test-fast: $(STAMP)
	$(PYTEST) $(XDIST) -m "$(FAST_TIER)" $(PYTEST_ARGS) tests lectures $(NBVAL)

test-integration: $(STAMP)
	$(PYTEST) -m "integration and not load" $(PYTEST_ARGS) tests

test-load-ci: $(STAMP)
	BACKPROP_LOAD_TEST=1 BACKPROP_LOAD_SUBMISSIONS=$(CI_LOAD_SUBMISSIONS) \
	  $(PYTEST) -m load -s $(PYTEST_ARGS) tests

# One tier after another (-j1), each to its end (--keep-going), 25 slowest tests of each listed.
test-all: $(STAMP) book-deps
	$(MAKE) -j1 --keep-going PYTEST_ARGS="--durations=25 $(PYTEST_ARGS)" \
	  lint lectures-check test-fast test-integration test-browser test-load-ci
