"""Build the course website (Jupyter Book 1) from the committed notebooks, offline.

    python book/build_book.py [--assets build/book-assets/node_modules] [--out build/book]

Steps:
1. Stage the sources into ``build/book-src/`` (a folder of copies, so Sphinx sees only what the
   site shows, never the jupytext ``.py`` twins, ``solutions/`` or anything else in the clone):
   ``book/`` (configuration, table of contents, landing page), ``lectures/*.ipynb`` with their
   committed outputs and widget state (a note added under the title), the problem sets from
   ``exercises/`` (the student release, never ``solutions/``) with a read-only note,
   ``docs/notation.md`` and ``docs/instructor-guide.md``.
2. Copy the pinned browser assets that ``make book`` installed with npm (MathJax 3, RequireJS, the
   Jupyter widgets HTML manager) into ``_vendor/``, served as static files, so that the pages load
   nothing from a CDN. Not ``_static/``: Jupyter Book adds every script found there to every page.
3. Run ``jupyter-book build`` (notebooks are not executed). The site is ``<out>/_build/html``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
DEFAULT_ASSETS = ROOT / "build" / "book-assets" / "node_modules"
DEFAULT_SRC = ROOT / "build" / "book-src"
DEFAULT_OUT = ROOT / "build" / "book"

# Files of book/ that are Sphinx sources (the rest of book/ is tooling).
BOOK_SOURCES = ["_config.yml", "_toc.yml", "intro.md", "problem-sets.md", "_ext/course_site.py"]
# Files of book/ served as static files next to the npm assets.
BOOK_STATIC = ["widgets-offline-config.js"]
DOCS_PAGES = {"notation.md": ROOT / "docs" / "notation.md",
              "instructor-guide.md": ROOT / "docs" / "instructor-guide.md",
              "deploy.md": ROOT / "docs" / "deploy.md"}

# What the site serves from _vendor/ (paths inside node_modules -> inside _vendor/).
VENDORED = {
    "mathjax/es5": "mathjax",
    "requirejs/require.js": "requirejs/require.js",
    "@jupyter-widgets/html-manager/dist": "html-manager",
}
VENDORED_SKIP = ("*.map", "embed.js", "embed.js.LICENSE.txt", "libembed-amd.js")

# Text that only an instructor's copy of a problem set contains (nbgrader's markers).
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "BEGIN SOLUTION")

LECTURE_BANNER = (
    "```{{note}}\n"
    "This page shows the lecture with the outputs it was committed with; its widgets show the\n"
    "state they were saved in and do not respond here. To run it and move the sliders, open\n"
    "`lectures/{name}.ipynb` in JupyterLab (`make lab`). The notation is on the\n"
    "[notation page](../notation.md).\n"
    "```"
)
READ_ONLY_BANNER = (
    "```{{note}}\n"
    "This is a read-only view of the problem set, without solutions. To solve it, open\n"
    "`exercises/{ps}/{ps}.ipynb` in JupyterLab (`make lab`), fill in every `YOUR ANSWER HERE` and\n"
    "`raise NotImplementedError()`, and press **Validate**. The notation is on the\n"
    "[notation page](../notation.md).\n"
    "```"
)


class BookError(RuntimeError):
    """Something the build needs is missing or wrong; the message says what to do."""


def problem_set_notebooks(root: Path = ROOT) -> list[Path]:
    """The student release of every problem set: ``exercises/<ps>/<ps>.ipynb``, sorted."""
    return sorted(p for p in (root / "exercises").glob("*/*.ipynb")
                  if p.stem == p.parent.name)


def lecture_notebooks(root: Path = ROOT) -> list[Path]:
    """The lectures as committed (with outputs): ``lectures/*.ipynb``, sorted."""
    return sorted((root / "lectures").glob("*.ipynb"))


def check_no_solutions(notebook: dict, name: str) -> None:
    """Raise BookError if a problem-set notebook contains solution or hidden-test markers."""
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for marker in SOLUTION_MARKERS:
            if marker in source:
                raise BookError(f"{name} contains {marker!r}: the site shows only the student "
                                "release (exercises/), never solutions")


def link_docs_pages(notebook: dict) -> dict:
    """Point a notebook's links to ``docs/<page>.md`` (written relative to the repository:
    ``../docs/`` from a lecture, ``../../docs/`` from a problem set) at the site's copy of that
    page, which sits one level above the lectures and problem sets."""
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        linked = source
        for name in DOCS_PAGES:
            for prefix in ("../../docs/", "../docs/"):
                linked = linked.replace(f"]({prefix}{name}", f"](../{name}")
        if linked != source:
            cell["source"] = linked
    return notebook


def read_only_problem_set(path: Path) -> dict:
    """The problem set as a page: outputs cleared, a read-only banner after its title cell."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    check_no_solutions(notebook, str(path.relative_to(path.parents[2])))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    banner = {"cell_type": "markdown", "id": "site-banner", "metadata": {},
              "source": READ_ONLY_BANNER.format(ps=path.stem)}
    notebook["cells"].insert(1, banner)
    return link_docs_pages(notebook)


def lecture_page(path: Path) -> dict:
    """The lecture as a page: as committed (outputs, widget state), a note after its title."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    banner = {"cell_type": "markdown", "id": "site-banner", "metadata": {},
              "source": LECTURE_BANNER.format(name=path.stem)}
    notebook["cells"].insert(1, banner)
    return link_docs_pages(notebook)


def copy_vendored_assets(node_modules: Path, vendor: Path) -> None:
    """Copy the npm-installed browser assets into ``vendor`` (served as static files)."""
    for inside, target in VENDORED.items():
        source = node_modules / inside
        if not source.exists():
            raise BookError(f"{source} is missing: run `make book`, which installs the site's "
                            "browser assets with npm (versions pinned in book/package-lock.json)")
        destination = vendor / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns(*VENDORED_SKIP))
        else:
            shutil.copy2(source, destination)


def stage_sources(src: Path, node_modules: Path, root: Path = ROOT) -> list[Path]:
    """Fill ``src`` (emptied first) with everything the site is built from; return the pages."""
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    for name in BOOK_SOURCES:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / "book" / name, src / name)
    pages = [src / "intro.md", src / "problem-sets.md"]
    for name, path in DOCS_PAGES.items():
        shutil.copy2(path, src / name)
        pages.append(src / name)
    for folder, notebooks, page in (("lectures", lecture_notebooks(root), lecture_page),
                                    ("problem-sets", problem_set_notebooks(root),
                                     read_only_problem_set)):
        (src / folder).mkdir()
        for path in notebooks:
            target = src / folder / path.name
            target.write_text(json.dumps(page(path), indent=1, ensure_ascii=False),
                              encoding="utf-8")
            pages.append(target)
    copy_vendored_assets(node_modules, src / "_vendor")
    for name in BOOK_STATIC:
        shutil.copy2(root / "book" / name, src / "_vendor" / name)
    return pages


def build_site(src: Path, out: Path, log: Path | None = None, timeout: float | None = None) -> Path:
    """Run ``jupyter-book build`` on the staged sources; return the folder of the HTML site.

    With ``log``, the build's output goes to that file (and its end into the error on failure).
    """
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    if not jupyter_book.exists():
        raise BookError(f"{jupyter_book} is missing: run `make book`, which installs the "
                        "project's optional `book` extra (Jupyter Book 1)")
    html = out / "_build" / "html"
    if html.exists():
        shutil.rmtree(html)  # no page of an earlier build survives under a removed source
    # -W with --keep-going: every warning (a broken reference, an unknown output) is reported,
    # then the build fails; -n: nitpicky, references to missing targets are warnings too.
    command = [str(jupyter_book), "build", str(src), "--path-output", str(out),
               "--builder", "html", "-W", "-n", "--keep-going"]
    if log is None:
        result = subprocess.run(command, cwd=src.parent, timeout=timeout)
        tail = "see above"
    else:
        with open(log, "w", encoding="utf-8") as stream:
            result = subprocess.run(command, cwd=src.parent, stdout=stream,
                                    stderr=subprocess.STDOUT, timeout=timeout)
        tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-40:])
    if result.returncode != 0:
        raise BookError(f"jupyter-book build failed (exit {result.returncode}): {tail}")
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=Path, default=DEFAULT_ASSETS,
                        help="node_modules folder with the pinned browser assets")
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="staging folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="build output folder")
    args = parser.parse_args(argv)
    try:
        pages = stage_sources(args.src.resolve(), args.assets.resolve())
        print(f"staged {len(pages)} pages into {args.src}")
        html = build_site(args.src.resolve(), args.out.resolve())
    except BookError as exc:
        print(f"make book: {exc}", file=sys.stderr)
        return 1
    print(f"site: {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
