"""The course website (`make book`): its sources, and the built site in headless Chromium.

Fast tests (unmarked) check what the build stages: the lectures' notebooks only (never their
jupytext ``.py`` twins), the problem sets from ``exercises/`` only, and the guard that refuses a
notebook with solutions.

The integration tests build the site once per session (``book/build_book.py`` into a temporary
folder; ``BOOK_SITE=<folder of index.html>`` reuses a site already built, as ``make test-book``
does), serve it with ``http.server`` on 127.0.0.1 in a thread, and visit every page in Debian's
Chromium with every request outside 127.0.0.1 recorded and refused. They check that every page
loads, that nothing is fetched from elsewhere, that the maths is typeset (no raw TeX is left),
that every image loads, that the widgets show the state saved in the lectures, that no link inside
the site is broken, and that the problem-set pages show no solution. Screenshots of a few pages go
to ``build/browser-screenshots/book/``. They are skipped, with the reason, when Jupyter Book or the
site's npm assets are not installed (``make book`` installs both), or Chromium or Playwright is
missing (``make chromium``).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
import yaml

from book.build_book import (
    DEFAULT_ASSETS,
    VENDORED,
    BookError,
    build_site,
    check_no_solutions,
    lecture_notebooks,
    link_docs_pages,
    problem_set_notebooks,
    stage_sources,
)
from tests.chromium import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "build" / "browser-screenshots" / "book"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# Pages captured (file name -> screenshot), and whether the whole page or the first widget.
SCREENSHOT_PAGES = {
    "intro.html": "full",
    "notation.html": "full",
    "lectures/01_chain_rule.html": "widget",
    "lectures/03_xor_network.html": "widget",
    "problem-sets/ps1_chain_rule.html": "top",
}
PAGE_TIMEOUT_MS = 60_000


# ----------------------------------------------------------------------------- fast: staging

def _fake_node_modules(folder: Path) -> Path:
    """A node_modules folder with a placeholder for every vendored asset."""
    for inside in VENDORED:
        path = folder / inside
        if path.suffix == ".js":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("// placeholder\n")
        else:
            path.mkdir(parents=True, exist_ok=True)
            (path / "placeholder.js").write_text("// placeholder\n")
    return folder


def _fake_course(root: Path) -> Path:
    """A copy of the parts of the repository the site is built from, plus a lecture's .py twin."""
    shutil.copytree(ROOT / "book", root / "book")
    (root / "docs").mkdir()
    for name in ("notation.md", "instructor-guide.md"):
        shutil.copy2(ROOT / "docs" / name, root / "docs" / name)
    shutil.copytree(ROOT / "lectures", root / "lectures",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    first = lecture_notebooks(root)[0]
    first.with_suffix(".py").write_text("# %% [markdown]\n# a jupytext twin\n")
    shutil.copytree(ROOT / "exercises", root / "exercises")
    shutil.copytree(ROOT / "solutions", root / "solutions")
    return root


def test_staging_takes_lecture_notebooks_and_the_student_release_only(tmp_path):
    root = _fake_course(tmp_path / "course")
    src = tmp_path / "src"
    pages = stage_sources(src, _fake_node_modules(tmp_path / "node_modules"), root=root)

    staged = sorted(p.relative_to(src).as_posix() for p in src.rglob("*")
                    if p.is_file() and "_vendor" not in p.parts)
    assert not [p for p in staged if p.endswith(".py") and not p.startswith("_ext/")], staged
    lectures = sorted(p.name for p in (root / "lectures").glob("*.ipynb"))
    assert sorted(p.name for p in (src / "lectures").iterdir()) == lectures
    problem_sets = sorted(p.name for p in problem_set_notebooks(root))
    assert sorted(p.name for p in (src / "problem-sets").iterdir()) == problem_sets
    assert len(problem_sets) >= 4
    for page in pages:
        assert page.is_file(), page
    for notebook in (src / "problem-sets").glob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, notebook
        assert "read-only view" in text, notebook
    for inside, target in VENDORED.items():
        assert (src / "_vendor" / target).exists(), inside


def test_staging_keeps_the_lectures_committed_outputs(tmp_path):
    root = _fake_course(tmp_path / "course")
    src = tmp_path / "src"
    stage_sources(src, _fake_node_modules(tmp_path / "node_modules"), root=root)
    for lecture in lecture_notebooks(root):
        committed = json.loads(lecture.read_text(encoding="utf-8"))
        staged = json.loads((src / "lectures" / lecture.name).read_text(encoding="utf-8"))
        assert staged["metadata"] == committed["metadata"]  # the saved widget state included
        cells = [c for c in staged["cells"] if c["id"] != "site-banner"]
        assert [c for c in cells if c["cell_type"] == "code"] == \
            [c for c in committed["cells"] if c["cell_type"] == "code"]
        # the text is the committed text, links to docs/ pages pointing at the site's copies
        assert cells == link_docs_pages(committed)["cells"]
        assert "](../docs/" not in json.dumps(cells)
        assert "make lab" in "".join(staged["cells"][1]["source"])


def test_a_notebook_with_solutions_is_refused():
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        with pytest.raises(BookError, match="never solutions"):
            check_no_solutions(notebook, path.name)


def test_staging_says_what_to_run_when_the_npm_assets_are_missing(tmp_path):
    with pytest.raises(BookError, match="make book"):
        stage_sources(tmp_path / "src", tmp_path / "no-node-modules")


def test_citation_and_licence_files_agree_with_the_package():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):  # required by CFF 1.2.0
        assert citation[key], key
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib needs 3.11
    project = dict(re.findall(r'^(version|license) = "([^"]+)"', pyproject, re.MULTILINE))
    assert citation["version"] == project["version"]
    assert "MIT" in citation["license"]
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    content = (ROOT / "LICENSE-content.md").read_text(encoding="utf-8")
    for spdx in project["license"].split(" AND "):  # every licence the package declares
        name = {"MIT": "MIT", "CC-BY-SA-3.0": "CC BY-SA 3.0"}.get(spdx, spdx)
        assert name in content, spdx


# ----------------------------------------------------------------------------- the built site

@pytest.fixture(scope="session")
def book_site(tmp_path_factory) -> Path:
    """The built site: ``$BOOK_SITE`` if set, else built once for this session."""
    if os.environ.get("BOOK_SITE"):
        site = Path(os.environ["BOOK_SITE"]).resolve()
        if not (site / "intro.html").is_file():
            pytest.fail(f"BOOK_SITE={site} holds no built site (no intro.html): run `make book`")
        return site
    try:
        import jupyter_book  # noqa: F401
    except ImportError:
        pytest.skip("Jupyter Book is not installed in this environment: run `make book` "
                    "(it installs the optional `book` extra and the site's npm assets)")
    if not DEFAULT_ASSETS.is_dir():
        pytest.skip(f"the site's browser assets are not installed in {DEFAULT_ASSETS}: run "
                    "`make book` (npm install of the versions in book/package-lock.json)")
    base = tmp_path_factory.mktemp("book")
    stage_sources(base / "src", DEFAULT_ASSETS)
    return build_site(base / "src", base / "out", log=base / "build.log", timeout=900)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="session")
def site_url(book_site):
    """The site served by ``http.server`` on 127.0.0.1 (a free port) in a thread; stopped after."""
    handler = functools.partial(_QuietHandler, directory=str(book_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)
    assert not thread.is_alive(), "the site's HTTP server did not stop"


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Chromium not found at {CHROMIUM}: install it with `make chromium` "
                    "(apt-get install -y chromium, as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"Playwright is not importable ({exc}): `make setup` installs the test extra")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageReport:
    """What one page did and showed in the browser."""

    path: str
    status: int | None = None
    title: str = ""
    text: str = ""
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # requests refused: not to 127.0.0.1
    failed: list[str] = field(default_factory=list)  # local requests that failed or gave >= 400
    errors: list[str] = field(default_factory=list)  # uncaught JavaScript exceptions
    maths: dict = field(default_factory=dict)
    images: list[dict] = field(default_factory=list)
    widgets: dict = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)  # waits that timed out


def _site_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as paths relative to its root (not theme templates)."""
    skip = {"_static", "_sources", "_images"}
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not skip.intersection(p.relative_to(site).parts))


_JS_MATHS = """async () => {
  // MathJax 3 itself (not only a configuration object) has a version and a startup promise
  const loaded = Boolean(window.MathJax && window.MathJax.version && window.MathJax.startup);
  if (loaded) await window.MathJax.startup.promise;
  const skip = 'pre, code, script, style, textarea, mjx-container, .highlight';
  const tex = /\\\\[A-Za-z]+|\\$\\$|\\$[^$\\s]([^$]*[^$\\s])?\\$/;
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    if (tex.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 160));
  }
  const maths = [...document.querySelectorAll('.math')];
  return {
    mathjax_loaded: loaded,
    math_elements: maths.length,
    typeset: document.querySelectorAll('mjx-container').length,
    untypeset: maths.filter(m => !m.querySelector('mjx-container'))
      .map(m => m.textContent.trim().slice(0, 160)),
    raw_tex: raw,
  };
}"""

_JS_WIDGETS_RENDERED = f"""() => [...document.querySelectorAll('script[type="{WIDGET_VIEW}"]')]
  .every(s => s.parentElement.querySelector('.widget-subarea > *'))"""

_JS_WIDGETS = f"""() => {{
  const views = [...document.querySelectorAll('script[type="{WIDGET_VIEW}"]')];
  const rendered = views.map(s => {{
    const area = s.parentElement.querySelector('.widget-subarea');
    const box = area ? area.getBoundingClientRect() : null;
    return {{
      model_id: JSON.parse(s.textContent).model_id,
      rendered: Boolean(area && area.firstElementChild),
      width: box ? box.width : 0,
      height: box ? box.height : 0,
      error: Boolean(area && (area.querySelector('.jupyter-widgets-error-widget')
        || /Error displaying widget/.test(area.textContent))),
    }};
  }});
  const sliders = [...document.querySelectorAll('.widget-subarea .widget-slider')].map(s => ({{
    description: (s.querySelector('.widget-label') || {{textContent: ''}}).textContent.trim(),
    readout: (s.querySelector('.widget-readout') || {{textContent: ''}}).textContent.trim(),
  }}));
  const images = [...document.querySelectorAll('.widget-subarea img')]
    .filter(i => i.naturalWidth > 0).length;
  return {{views: rendered, sliders, images}};
}}"""

_JS_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach(i => { i.loading = 'eager'; });
  await Promise.all(images.map(i => i.complete ? null : new Promise(done => {
    i.addEventListener('load', done, {once: true});
    i.addEventListener('error', done, {once: true});
  })));
  return images.map(i => ({src: i.currentSrc.slice(0, 200), naturalWidth: i.naturalWidth,
                           complete: i.complete}));
}"""

_JS_LINKS = """() => ({
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  ids: [...document.querySelectorAll('[id], a[name]')].map(e => e.id || e.getAttribute('name')),
})"""


def _visit(context, base: str, path: str) -> PageReport:
    report = PageReport(path=path)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.on("request", lambda request: report.requests.append(request.url))
    page.on("requestfailed", lambda request: report.failed.append(
        f"{request.url}: {request.failure}") if request.url.startswith(base) else None)
    page.on("response", lambda response: report.failed.append(
        f"{response.url}: HTTP {response.status}") if response.status >= 400 else None)
    page.on("pageerror", lambda error: report.errors.append(str(error)))
    page.on("websocket", lambda socket: report.outside.append(socket.url))
    try:
        response = page.goto(base + path, wait_until="load")
        report.status = response.status if response else None
        report.maths = page.evaluate(_JS_MATHS)
        if page.query_selector(f'script[type="{WIDGET_VIEW}"]'):
            try:
                page.wait_for_function(_JS_WIDGETS_RENDERED, timeout=PAGE_TIMEOUT_MS)
            except Exception as exc:  # reported by the widget test, with what did render
                report.problems.append(f"widgets did not all render: {exc}")
            report.maths = page.evaluate(_JS_MATHS)  # widget labels are typeset after render
        report.widgets = page.evaluate(_JS_WIDGETS)
        report.images = page.evaluate(_JS_IMAGES)
        found = page.evaluate(_JS_LINKS)
        report.links, report.ids = found["links"], set(found["ids"])
        report.title = page.title()
        report.text = page.inner_text("body")
        if path in SCREENSHOT_PAGES:
            _screenshot(page, path, SCREENSHOT_PAGES[path])
    finally:
        page.close()
    return report


def _screenshot(page, path: str, kind: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / (path.replace("/", "__").removesuffix(".html") + ".png")
    if kind == "widget":
        widget = page.query_selector(".widget-subarea")
        if widget:
            widget.scroll_into_view_if_needed()
    page.screenshot(path=str(target), full_page=(kind == "full"))


@pytest.fixture(scope="session")
def site_visit(book_site, site_url, chromium) -> dict[str, PageReport]:
    """Every page of the site visited once; requests outside 127.0.0.1 are recorded and refused."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def only_this_machine(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_machine)
    reports = {}
    try:
        for path in _site_pages(book_site):
            if path == "index.html":
                continue  # a redirect to intro.html: test_the_root_opens_the_landing_page
            before = len(outside)
            reports[path] = _visit(context, site_url, path)
            reports[path].outside.extend(outside[before:])
    finally:
        context.close()
    return reports


@pytest.mark.integration
def test_every_page_loads(site_visit):
    assert len(site_visit) >= 12, sorted(site_visit)  # landing, notation, 4+4, guide, ...
    trouble = {path: {"status": r.status, "failed": r.failed, "errors": r.errors}
               for path, r in site_visit.items()
               if r.status != 200 or r.failed or r.errors or not r.title}
    assert not trouble


@pytest.mark.integration
def test_the_site_has_every_part_in_its_table_of_contents(site_visit):
    expected = {"intro.html", "notation.html", "instructor-guide.html", "problem-sets.html"}
    expected |= {f"lectures/{p.stem}.html" for p in lecture_notebooks()}
    expected |= {f"problem-sets/{p.stem}.html" for p in problem_set_notebooks()}
    assert expected <= set(site_visit)
    navigation = {urldefrag(link)[0].split("/", 3)[-1] for link in site_visit["intro.html"].links}
    assert expected - {"intro.html"} <= navigation


@pytest.mark.integration
def test_the_root_opens_the_landing_page(site_url, chromium):
    page = chromium.new_page()
    page.route("**/*", lambda route: route.continue_()
               if urlsplit(route.request.url).hostname == "127.0.0.1" else route.abort())
    try:
        page.goto(site_url, wait_until="load")
        page.wait_for_url("**/intro.html", timeout=PAGE_TIMEOUT_MS)
        assert "chain rule to MNIST" in page.title()
    finally:
        page.close()


@pytest.mark.integration
def test_no_request_leaves_127_0_0_1(site_visit):
    assert all(r.requests for r in site_visit.values())  # the recording works
    outside = {path: r.outside for path, r in site_visit.items() if r.outside}
    assert not outside
    elsewhere = {path: [u for u in r.requests if urlsplit(u).scheme in ("http", "https", "ws")
                        and urlsplit(u).hostname != "127.0.0.1"]
                 for path, r in site_visit.items()}
    assert not {p: u for p, u in elsewhere.items() if u}


@pytest.mark.integration
def test_maths_is_typeset_and_no_raw_tex_remains(site_visit):
    with_maths = ["intro.html", "notation.html"]
    with_maths += [f"lectures/{p.stem}.html" for p in lecture_notebooks()]
    for path in with_maths:
        maths = site_visit[path].maths
        assert maths["mathjax_loaded"], f"{path}: MathJax did not load"
        assert maths["typeset"] > 0 and maths["math_elements"] > 0, (path, maths)
    raw = {path: {"untypeset": r.maths.get("untypeset"), "raw_tex": r.maths.get("raw_tex")}
           for path, r in site_visit.items()
           if r.maths.get("untypeset") or r.maths.get("raw_tex")}
    assert not raw


@pytest.mark.integration
def test_every_image_loads(site_visit):
    lectures_images = sum(len(site_visit[f"lectures/{p.stem}.html"].images)
                          for p in lecture_notebooks())
    assert lectures_images > 0
    broken = {path: [i["src"] for i in r.images if not i["complete"] or i["naturalWidth"] == 0]
              for path, r in site_visit.items()}
    assert not {p: b for p, b in broken.items() if b}


def _saved_widgets(notebook_path: Path) -> tuple[Counter, int, list[str]]:
    """From a lecture's saved widget state: the sliders shown, as (description, readout) counts,
    the number of images in shown Output widgets, and the model ids of the shown views."""
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    state = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    views = [output["data"][WIDGET_VIEW]["model_id"]
             for cell in notebook["cells"] if cell["cell_type"] == "code"
             for output in cell.get("outputs", []) if WIDGET_VIEW in output.get("data", {})]
    shown, todo = set(), list(views)
    while todo:  # every model a shown view refers to, directly or through children and outputs
        model_id = todo.pop()
        if model_id in shown or model_id not in state:
            continue
        shown.add(model_id)
        text = json.dumps(state[model_id]["state"])
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", text)
        todo += re.findall(r'"model_id": "([0-9a-f]+)"', text)
    sliders: Counter = Counter()
    images = 0
    for model_id in shown:
        model = state[model_id]
        values = model["state"]
        if model["model_name"] in ("IntSliderModel", "FloatSliderModel",
                                   "FloatLogSliderModel") and values.get("readout", True):
            readout = format(values["value"], values.get("readout_format", "d"))
            sliders[(values.get("description", ""), readout)] += 1
        if model["model_name"] == "OutputModel":
            images += sum("image/png" in o.get("data", {}) for o in values.get("outputs", []))
    return sliders, images, views


@pytest.mark.integration
def test_widgets_show_their_saved_state(site_visit):
    pages_with_widgets = 0
    for lecture in lecture_notebooks():
        sliders, images, views = _saved_widgets(lecture)
        report = site_visit[f"lectures/{lecture.stem}.html"]
        if not views:
            continue
        pages_with_widgets += 1
        shown = report.widgets.get("views", [])
        assert [v["model_id"] for v in shown] == views, (lecture.name, report.problems)
        assert all(v["rendered"] and v["width"] > 0 and v["height"] > 0 and not v["error"]
                   for v in shown), (lecture.name, shown, report.problems)
        on_page = Counter((s["description"], s["readout"].replace("\u2212", "-"))
                          for s in report.widgets["sliders"])
        missing = sliders - on_page
        assert not missing, f"{lecture.name}: sliders not at their saved values: {missing}"
        assert report.widgets["images"] >= images, (lecture.name, report.widgets["images"])
    # the lectures are committed with widget state (metadata.widgets): at least one page shows it
    assert pages_with_widgets > 0


@pytest.mark.integration
def test_no_link_inside_the_site_is_broken(book_site, site_url, site_visit):
    broken = []
    for path, report in site_visit.items():
        for link in report.links:
            if not link.startswith(site_url):
                continue  # another site, or mailto:, javascript:
            target, fragment = urldefrag(link)
            relative = unquote(urlsplit(target).path).lstrip("/")
            if relative == "" or relative.endswith("/"):
                relative += "index.html"  # what http.server serves for a folder
            file = book_site / relative
            if not file.is_file():
                broken.append(f"{path} -> {link} (no such file)")
            elif fragment and relative in site_visit and fragment not in site_visit[relative].ids:
                broken.append(f"{path} -> {link} (no element with id {fragment!r})")
    assert not broken


def _solution_lines(notebook_path: Path) -> set[str]:
    """Lines of an instructor's notebook that only a solution holds (code and model answers)."""
    lines = set()
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "markdown" and meta.get("solution"):
            lines.update(line.strip() for line in source.splitlines())
            continue
        inside = False
        for line in source.splitlines():
            stripped = line.strip()
            if stripped.startswith(("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")):
                inside = True
            elif stripped.startswith(("### END SOLUTION", "### END HIDDEN TESTS")):
                inside = False
            elif inside and not stripped.startswith("#"):
                lines.add(stripped)
    return {line for line in lines if len(line) >= 25}


@pytest.mark.integration
def test_problem_set_pages_show_no_solution(site_visit):
    for notebook in problem_set_notebooks():
        report = site_visit[f"problem-sets/{notebook.stem}.html"]
        assert "read-only view" in report.text and "YOUR ANSWER HERE" in report.text, notebook
        solution = ROOT / "solutions" / notebook.parent.name / notebook.name
        if not solution.is_file():
            continue
        page_text = " ".join(report.text.split())
        # a hidden test may repeat a visible line: only what the release does not hold counts
        release = json.loads(notebook.read_text(encoding="utf-8"))
        release_text = " ".join("".join(c["source"]) for c in release["cells"]).split()
        release_text = " ".join(release_text)
        only_solution = [line for line in _solution_lines(solution)
                         if " ".join(line.split()) not in release_text]
        assert only_solution, f"{solution.name}: found no solution lines to look for"
        leaked = [line for line in only_solution if " ".join(line.split()) in page_text]
        assert not leaked, f"{notebook.name}: solution lines on the page: {leaked[:5]}"


@pytest.mark.integration
def test_screenshots_are_saved(site_visit):
    for path in SCREENSHOT_PAGES:
        target = SCREENSHOTS / (path.replace("/", "__").removesuffix(".html") + ".png")
        assert target.is_file() and target.stat().st_size > 0, target
