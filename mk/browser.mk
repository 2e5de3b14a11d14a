# The course in a real browser (tests/browser/, the `browser` tier): JupyterLab driven in headless
# Debian Chromium. `make test-all` (CI) runs it; without Chromium every browser test is skipped
# with a clear reason. Screenshots of every page visited: build/browser-screenshots/<test>/
# (all of them: index.html there).
.PHONY: chromium test-browser

chromium:
	tools/install_chromium.sh

test-browser: $(STAMP)
	@test -x "$${CHROMIUM:-/usr/bin/chromium}" || echo "Chromium is missing: run 'make chromium' as root (apt-get install -y chromium); the browser tests will be skipped"
	$(PYTEST) -m browser $(PYTEST_ARGS) tests/browser
	@echo "Screenshots: build/browser-screenshots/index.html"
