# Benchmarks (not tests): medians, BLAS pinned to one thread, ratios against baselines of the same run.
# `make bench` first installs the optional `bench` extra (PyTorch CPU) with uv. uv does not read
# pip's configuration: wheel folders pip would search (PIP_FIND_LINKS, e.g. a local CPU-only
# PyTorch) are passed on as --find-links.
FIND_LINKS ?= $(PIP_FIND_LINKS)

.PHONY: bench bench-tiny
bench: $(STAMP)
	$(UV) pip install --quiet --python $(BIN)/python $(foreach f,$(FIND_LINKS),--find-links $(f)) \
	  -e '.[bench]' || echo "PyTorch not installable: its rows will say 'not installed'"
	$(BIN)/python -m benchmarks.run --size full

bench-tiny: $(STAMP)
	$(BIN)/python -m benchmarks.run --size tiny --out $(or $(OUT),/tmp/backprop-bench-tiny.json)
