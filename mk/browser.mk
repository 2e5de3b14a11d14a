# The course in a real browser (tests/browser/): JupyterLab driven in headless Debian Chromium.
# `make test` runs these tests too, and skips them with a clear reason when Chromium is missing.
# Screenshots of every page visited: build/browser-screenshots/<test>/ (all: index.html there).
.PHONY: chromium test-browser

chromium:
	tools/install_chromium.sh

test-browser: $(STAMP)
	@test -x "$${CHROMIUM:-/usr/bin/chromium}" || echo "Chromium is missing: run 'make chromium' as root (apt-get install -y chromium); the browser tests will be skipped"
	$(BIN)/python -m pytest tests/browser -m browser
	@echo "Screenshots: build/browser-screenshots/index.html"
