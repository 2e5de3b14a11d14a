# The course as a website (Jupyter Book 1; sources in book/, built by book/build_book.py).
#   make book        install what the site needs, then build it into build/book/_build/html
#                    (open build/book/_build/html/index.html; it needs no network to view)
#   make test-book   build, then check the site in headless Chromium (tests/test_book.py;
#                    screenshots in build/browser-screenshots/book/)
# What it installs: the optional `book` extra (Jupyter Book 1) into the project venv, and the
# site's browser assets (MathJax 3, RequireJS, the widgets HTML manager; exact versions in
# book/package-lock.json) with npm into build/book-assets/. Needs Node.js and npm.
BOOK_ASSETS := build/book-assets
BOOK_STAMP  := $(VENV)/.book-stamp
BOOK_NPM    := $(BOOK_ASSETS)/node_modules/.book-assets-stamp

.PHONY: book book-deps test-book

book: book-deps
	$(BIN)/python book/build_book.py --assets $(BOOK_ASSETS)/node_modules \
	  --src build/book-src --out build/book

book-deps: $(BOOK_STAMP) $(BOOK_NPM)

$(BOOK_STAMP): $(STAMP) pyproject.toml
	$(UV) pip install --quiet --python $(BIN)/python -e '.[book]'
	@touch $@

$(BOOK_NPM): book/package.json book/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "make book needs Node.js and npm to install the site's MathJax and widget assets."; \
	  echo "Install them with: apt-get install -y nodejs npm   (as root; Debian/Ubuntu)"; exit 1; }
	@mkdir -p $(BOOK_ASSETS)
	cp book/package.json book/package-lock.json $(BOOK_ASSETS)/
	cd $(BOOK_ASSETS) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# BOOK_SITE: the tests check the site just built instead of building their own copy.
test-book: book
	BOOK_SITE=build/book/_build/html $(BIN)/python -m pytest tests/test_book.py
