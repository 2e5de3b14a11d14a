# Benchmarks (not tests): medians, BLAS pinned to one thread, ratios against baselines of the same run.
.PHONY: bench bench-tiny
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]' || echo "PyTorch not installable: its rows will say 'not installed'"
	$(BIN)/python -m benchmarks.run --size full

bench-tiny: $(STAMP)
	$(BIN)/python -m benchmarks.run --size tiny --out $(or $(OUT),/tmp/backprop-bench-tiny.json)
