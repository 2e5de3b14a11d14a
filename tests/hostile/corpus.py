"""A corpus of broken and hostile submissions, built by program from the real problem sets.

``build_corpus(problem_sets, course, repo)`` takes, for each problem set, its source notebook
(``solutions/<ps>/<nb>.ipynb``, with solutions) and its release (what students get) and returns
``Case`` objects: one correct submission per problem set and more than 30 bad ones, spread over
the problem sets. Each case knows the score every autograded test cell must get
(``expected[grade_id]``: a number, or None when only "at most the maximum, and a message when
below it" can be asserted) or that it must equal another case cell by cell (``twin``).

Nothing here is specific to one notebook: answer cells, test cells and the functions they define
are found from nbgrader metadata and the ``def`` lines of the answer cells, so the corpus follows
the problem sets as they change.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tests.nbgrader_utils import hidden_test_lines

SOLUTION_MARK = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$", re.M)


@dataclass
class Case:
    """One submission: ``student`` submits ``filename`` (raw bytes) for ``ps``."""

    name: str
    ps: str
    filename: str
    content: bytes
    expected: dict[str, float | None] = field(default_factory=dict)
    twin: str | None = None  # another case whose per-cell scores this one must equal
    at_most_twin: bool = False  # ... or must not exceed (tampering on top of wrong answers)
    note: str = ""
    reads_secrets: bool = False  # its outputs must not contain hidden-test source
    must_not_grade: bool = False  # the notebook cannot be graded (no points anywhere)
    writes_outside: list[str] = field(default_factory=list)  # files it tries to leave behind
    extra_files: dict[str, bytes] = field(default_factory=dict)  # handed in next to the notebook
    links: dict[str, str] = field(default_factory=dict)  # symbolic links handed in: path -> target
    report: dict = field(default_factory=dict)  # what the grading report must show (integrity.py)

    @property
    def student(self) -> str:
        return self.name


# ---- notebook structure ----------------------------------------------------------------------
def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell) -> bool:
    m = _meta(cell)
    return cell.cell_type == "code" and bool(m.get("solution")) and not m.get("grade")


def is_test(cell) -> bool:
    m = _meta(cell)
    return cell.cell_type == "code" and bool(m.get("grade")) and not m.get("solution")


def strip_solution_marks(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not SOLUTION_MARK.match(line))


class ProblemSet:
    """The parts of one problem set the corpus needs."""

    def __init__(self, ps: str, source: Path, release: Path):
        self.ps = ps
        self.filename = release.name
        self.source = nbformat.read(source, as_version=4)
        self.release = nbformat.read(release, as_version=4)
        answers = {_meta(c)["grade_id"]: c.source for c in self.source.cells if is_answer(c)}
        manual = {_meta(c)["grade_id"]: c.source for c in self.source.cells
                  if c.cell_type == "markdown" and _meta(c).get("solution")}
        self.correct = copy.deepcopy(self.release)
        for cell in self.correct.cells:
            gid = _meta(cell).get("grade_id")
            if gid in answers:
                cell.source = strip_solution_marks(answers[gid])
            elif gid in manual:
                cell.source = strip_solution_marks(manual[gid])
        # test cell -> the answer cell before it; answer cell -> functions it defines
        self.points: dict[str, float] = {}
        self.owner: dict[str, str | None] = {}
        self.functions: dict[str, list[str]] = {}
        current = None
        for cell in self.correct.cells:
            if is_answer(cell):
                current = _meta(cell)["grade_id"]
                self.functions[current] = re.findall(r"^def\s+(\w+)", cell.source, re.M)
            elif is_test(cell):
                gid = _meta(cell)["grade_id"]
                self.points[gid] = float(_meta(cell).get("points", 0))
                self.owner[gid] = current
        self.answer_ids = list(self.functions)
        self.hidden_lines = hidden_test_lines(self.source, min_length=16)

    # expectations
    def full(self) -> dict[str, float]:
        return dict(self.points)

    def zero(self) -> dict[str, float]:
        return {gid: 0.0 for gid in self.points}

    def losing(self, answers: set[str], rest: float | None | str = "full") -> dict:
        """Tests of ``answers`` score 0; the others full (or ``rest``)."""
        return {gid: 0.0 if self.owner[gid] in answers else
                (self.points[gid] if rest == "full" else rest) for gid in self.points}

    def first_with_function(self) -> str:
        for gid, names in self.functions.items():
            if names:
                return gid
        raise ValueError(f"{self.ps}: no answer cell defines a function")


def _cell(nb, gid):
    for cell in nb.cells:
        if _meta(cell).get("grade_id") == gid:
            return cell
    raise KeyError(gid)


def _code(source: str):
    return nbformat.v4.new_code_cell(source)


def _after_setup(nb) -> int:
    """Index just after the first code cell (the locked setup cell that installs the checker)."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            return i + 1
    return 0


def _dump(nb) -> bytes:
    return nbformat.writes(nb).encode()


def _wrap_all(nb, ps: ProblemSet, body: str) -> set[str]:
    """Rename each answer function f to _good_f and define f(*a, **k) = body(_good_f(...)).

    ``body`` is an expression in ``r`` (the correct result). Returns the answer cells changed.
    """
    changed = set()
    for gid, names in ps.functions.items():
        if not names:
            continue
        cell = _cell(nb, gid)
        src = cell.source
        for name in names:
            src = re.sub(rf"^def\s+{name}\b", f"def _good_{name}", src, flags=re.M)
        for name in names:
            src += (f"\n\n\ndef {name}(*args, **kwargs):\n"
                    f"    r = _good_{name}(*args, **kwargs)\n    return {body}\n")
        cell.source = src
        changed.add(gid)
    return changed


WRONG = """
def _wrong(r):
    if isinstance(r, (tuple, list)):
        return type(r)(_wrong(x) for x in r)
    if isinstance(r, dict):
        return {k: _wrong(x) for k, x in r.items()}
    return r * 2.0 + 1.0
"""

NANIFY = """
def _bad(r, value):
    if isinstance(r, (tuple, list)):
        return type(r)(_bad(x, value) for x in r)
    if isinstance(r, dict):
        return {k: _bad(x, value) for k, x in r.items()}
    return np.full(np.shape(r), value) if np.ndim(r) else value
"""


# ---- the corpus ------------------------------------------------------------------------------
def build_corpus(problem_sets: list[ProblemSet], course: Path, repo: Path) -> list[Case]:
    """Correct submissions and more than 30 bad ones (see the module docstring)."""
    case_tag = course.parent.name  # unique per run: files a submission tries to leave behind
    cases: list[Case] = []
    rotation = iter(range(10**6))

    def pick() -> ProblemSet:
        return problem_sets[next(rotation) % len(problem_sets)]

    def add(name, ps, nb_or_bytes, expected=None, **kw):
        content = nb_or_bytes if isinstance(nb_or_bytes, bytes) else _dump(nb_or_bytes)
        kw.setdefault("filename", ps.filename)
        cases.append(Case(name=f"{name}-{ps.ps.split('_')[0]}", ps=ps.ps, content=content,
                          expected=expected or {}, **kw))
        return cases[-1]

    for ps in problem_sets:
        add("correct", ps, ps.correct, ps.full(), note="the solutions")

    # -- broken -------------------------------------------------------------------------------
    ps = pick()
    add("untouched", ps, ps.release, ps.zero(), note="the release as it was handed out")

    ps = pick()
    nb = copy.deepcopy(ps.correct)
    for gid in ps.answer_ids:
        _cell(nb, gid).source = "raise ValueError('a bug before the definitions')\n" + \
            _cell(nb, gid).source
    add("raise-before", ps, nb, ps.zero())

    ps = pick()
    nb = copy.deepcopy(ps.correct)
    for gid in ps.answer_ids:
        _cell(nb, gid).source += "\nraise ValueError('a bug after the definitions')\n"
    add("raise-after", ps, nb, ps.full())

    ps = pick()
    nb = copy.deepcopy(ps.correct)
    nb.cells.insert(len(nb.cells), _code("while True:\n    pass\n"))
    nb.cells.insert(_after_setup(nb), _code("x = 0\nwhile True:\n    x += 1\n"))
    add("loop-top-level", ps, nb, ps.full(), note="two top-level infinite loops")

    # a loop / memory bomb inside a graded function costs that function's tests: the same marks
    # as leaving that answer unanswered (its twin)
    bomb = "hog = []\n    while True:\n        hog.append(bytearray(10**8))\n"
    for kind, body in [("loop", "while True:\n        pass\n"), ("membomb", bomb)]:
        ps = pick()
        gid = ps.first_with_function()
        nb = copy.deepcopy(ps.correct)
        name = ps.functions[gid][0]
        cell = _cell(nb, gid)
        cell.source = re.sub(rf"(^def\s+{name}\b[^\n]*\n)", rf"\1    {body}", cell.source,
                             count=1, flags=re.M)
        twin_nb = copy.deepcopy(ps.correct)
        _cell(twin_nb, gid).source = _cell(ps.release, gid).source
        twin = add(f"unanswered-for-{kind}", ps, twin_nb, ps.losing({gid}, None),
                   note="twin: one answer left as released")
        add(f"{kind}-in-function", ps, nb, twin=twin.name)

    ps = pick()
    nb = copy.deepcopy(ps.correct)
    nb.cells.insert(_after_setup(nb),
                    _code("hog = [bytearray(10**8) for _ in range(10**5)]  # 10 TB\n"))
    nb.cells.append(_code("hog = []\nwhile True:\n    hog.append(bytearray(10**8))\n"))
    add("membomb-top-level", ps, nb, ps.full())

    ps = pick()
    nb = copy.deepcopy(ps.correct)
    nb.cells.insert(_after_setup(nb), _code("print(('x' * 999 + '\\n') * 400_000)  # 400 MB\n"))
    nb.cells.append(_code("for i in range(200_000):\n    print(i, 'y' * 200)\n"))
    add("print-flood", ps, nb, ps.full(), note="400 MB in one print, 40 MB in many")

    for label, value in [("nan", "np.nan"), ("inf", "np.inf")]:
        ps = pick()
        nb = copy.deepcopy(ps.correct)
        changed = _wrap_all(nb, ps, f"_bad(r, {value})")
        nb.cells.insert(_after_setup(nb), _code(NANIFY))
        add(f"{label}-gradients", ps, nb, ps.losing(changed, None))

    for label, body in [
        ("wrong-shape", "np.asarray(r, dtype=float).reshape(-1, 1)[:, [0, 0]]"),
        ("wrong-dtype", "np.asarray(r).astype(str)"),
        ("none", "None"),
        ("scaled", "np.asarray(r, dtype=float) * 2.0 + 1.0"),
    ]:
        ps = pick()
        nb = copy.deepcopy(ps.correct)
        changed = _wrap_all(nb, ps, body)
        nb.cells.insert(_after_setup(nb), _code(NANIFY))
        add(label, ps, nb, ps.losing(changed, None))

    ps = pick()
    nb = copy.deepcopy(ps.correct)
    changed = _wrap_all(nb, ps, "np.asarray(r).tolist() if np.ndim(r) else r")
    add("lists", ps, nb, {gid: None for gid in ps.points},
        note="lists with the right numbers: whatever the checker's policy, a message if < max")

    ps = pick()
    gid = ps.answer_ids[0]
    nb = copy.deepcopy(ps.correct)
    nb.cells = [c for c in nb.cells if _meta(c).get("grade_id") != gid]
    twin_nb = copy.deepcopy(ps.correct)
    _cell(twin_nb, gid).source = _cell(ps.release, gid).source
    twin = add("unanswered-for-deleted", ps, twin_nb, ps.losing({gid}, None))
    add("deleted-answer-cell", ps, nb, twin=twin.name)

    ps = pick()
    nb = copy.deepcopy(ps.release)
    tests = [i for i, c in enumerate(nb.cells) if is_test(c)]
    for i in reversed(tests):
        dup = copy.deepcopy(nb.cells[i])
        dup.source = "pass"
        dup.pop("id", None)
        nb.cells.insert(i, dup)  # the copy comes first and keeps the grade id
        nb.cells.insert(i + 2, copy.deepcopy(dup))
    add("duplicate-grade-id", ps, nb, ps.zero(), note="each test cell copied (as `pass`) twice")

    ps = pick()
    nb = copy.deepcopy(ps.correct)
    tests = [i for i, c in enumerate(nb.cells) if is_test(c)]
    dup = copy.deepcopy(nb.cells[tests[0]])
    dup.pop("id", None)
    nb.cells.insert(tests[0] + 1, dup)
    add("accidental-copy", ps, nb, ps.full(), note="a test cell copied by mistake")

    ps = pick()
    nb = copy.deepcopy(ps.release)
    for cell in nb.cells:
        if is_test(cell):
            cell.source = "pass  # the visible test, edited away"
            cell.metadata["nbgrader"]["points"] = 100
    add("edited-visible-test", ps, nb, ps.zero())

    ps = pick()
    nb = copy.deepcopy(ps.release)
    for cell in nb.cells:
        if is_test(cell):
            cell.source = ("pass\n### BEGIN HIDDEN TESTS\npass\n### END HIDDEN TESTS\n")
            cell.metadata["nbgrader"].update(grade=False, locked=False, points=0)
    add("edited-hidden-test", ps, nb, ps.zero(), note="hidden part replaced, metadata unlocked")

    ps = pick()
    nb = copy.deepcopy(ps.correct)
    for cell in nb.cells:
        if is_test(cell):
            cell.metadata["nbgrader"]["points"] = 1000
    add("inflated-points", ps, nb, ps.full(), note="max points cannot be raised")

    ps = pick()
    nb = copy.deepcopy(ps.correct)
    for cell in nb.cells:
        if is_test(cell):
            cell.metadata["nbgrader"].update(solution=True, locked=False)
        elif is_answer(cell):
            cell.metadata["nbgrader"].update(grade=True, points=5)
    add("flipped-flags", ps, nb, ps.full(), note="grade/solution flags flipped on correct work")

    ps = pick()
    add("not-json", ps, b'{"cells": [ this is not a notebook', ps.zero(), must_not_grade=True)

    if len(problem_sets) > 1:
        ps, other = problem_sets[1], problem_sets[0]
    else:
        ps = other = problem_sets[0]
    add("other-ps-own-name", ps, other.correct, ps.zero(), filename=other.filename,
        must_not_grade=True, note=f"{other.ps} submitted as {ps.ps}")
    if other is not ps:
        add("other-ps-renamed", ps, other.correct, ps.zero(), note=f"{other.ps} renamed")

    # -- hostile: tampering on top of wrong answers (each function returns 2r+1) ---------------
    wrong: dict[str, tuple] = {}
    for p in problem_sets:
        nb = copy.deepcopy(p.correct)
        changed = _wrap_all(nb, p, "_wrong(r)")
        nb.cells.insert(_after_setup(nb), _code(WRONG))
        case = add("wrong-values", p, nb, p.losing(changed, None),
                   note="twin of the tamper cases: wrong answers, no tampering")
        wrong[p.ps] = (nb, case.name)
    tamper = {
        "patch-grading": "import helpers.grading as g\n"
                         "g.check = lambda *a, **k: None\n"
                         "for _n in list(vars(g)):\n"
                         "    if callable(getattr(g, _n)):\n"
                         "        setattr(g, _n, lambda *a, **k: None)\n",
        "patch-gradcheck": "import helpers.gradcheck as gc\n"
                           "gc.rel_error = lambda a, b, floor=1e-8: abs(a) * 0\n"
                           "gc.numerical_gradient = lambda f, x, eps=1e-6: 0 * x\n"
                           "gc.check_gradient = lambda *a, **k: type('R', (), "
                           "{'passed': True, 'message': ''})()\n",
        "patch-numpy": "import numpy\nnumpy.allclose = lambda *a, **k: True\n"
                       "numpy.isclose = lambda a, b, *x, **k: numpy.ones(numpy.shape(a), bool)\n"
                       "numpy.testing.assert_allclose = lambda *a, **k: None\n"
                       "numpy.max = lambda *a, **k: 0.0\nnumpy.abs = lambda x: x * 0\n",
        "patch-builtins": "import builtins\nbuiltins.abs = lambda x: 0\n"
                          "builtins.isinstance = lambda *a: True\nbuiltins.all = lambda x: True\n"
                          "builtins.AssertionError = Warning\n"
                          "__builtins__.__dict__['max'] = lambda *a, **k: 0\n",
        "rebind-names": "def check(*args, **kwargs):\n    return None\n"
                        "AssertionError = type('AssertionError', (Warning,), {})\n"
                        "abs = lambda x: 0\nlen = lambda x: 0\n",
        "custom-exc": "ip = get_ipython()\n"
                      "ip.set_custom_exc((BaseException,), lambda *a, **k: None)\n",
        "input-transformer": "get_ipython().input_transformers_post.append("
                             "lambda lines: ['pass\\n'])\n",
        "ast-transformer": "import ast\nclass Blank(ast.NodeTransformer):\n"
                           "    def visit_Module(self, node):\n"
                           "        return ast.Module(body=[], type_ignores=[])\n"
                           "get_ipython().ast_transformers.append(Blank())\n",
        "post-run-hook": "def _hide(result):\n"
                         "    result.error_in_exec = None\n"
                         "    from IPython.display import clear_output\n    clear_output()\n"
                         "get_ipython().events.register('post_run_cell', _hide)\n",
        "sys-modules": "import sys, types\nfake = types.ModuleType('helpers.grading')\n"
                       "fake.check = lambda *a, **k: None\nsys.modules['helpers.grading'] = fake\n",
        "ctypes": "import ctypes\n_x = ctypes.c_int(1)\n",
        "liar-array": "class Liar(np.ndarray):\n"
                      "    def __array_ufunc__(self, *a, **k):\n        return np.zeros(())\n"
                      "    def __array_function__(self, *a, **k):\n        return True\n"
                      "    def __eq__(self, o):\n        return True\n"
                      "    def __float__(self):\n        return 0.0\n"
                      "    def __abs__(self):\n        return 0.0\n",
    }
    for label, source in tamper.items():
        ps = pick()
        if label == "liar-array":  # on the first set, where only the tests call the answers
            ps = problem_sets[0]
            nb = copy.deepcopy(ps.correct)
            changed = _wrap_all(nb, ps, "_liar(r)")
            source += ("def _liar(r):\n    if isinstance(r, (tuple, list)):\n"
                       "        return type(r)(_liar(x) for x in r)\n"
                       "    return np.zeros(np.shape(r)).view(Liar)\n")
        else:
            nb = copy.deepcopy(wrong[ps.ps][0])
        nb.cells.insert(_after_setup(nb), _code(source))
        add(label, ps, nb, twin=wrong[ps.ps][1], at_most_twin=True,
            note="tampering on top of wrong answers")

    ps = pick()
    nb = copy.deepcopy(wrong[ps.ps][0])
    nb.cells.insert(0, _code("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                             "import math\nmath.isclose = lambda *a, **k: True\n"))
    add("before-setup-cell", ps, nb, twin=wrong[ps.ps][1], at_most_twin=True,
        note="tampering above the locked setup cell, on top of wrong answers")

    ps = pick()
    nb = copy.deepcopy(ps.correct)
    nb.cells.append(_code("import os\nos._exit(0)\n"))
    nb.cells.insert(_after_setup(nb) + 1, _code("import os\nos.kill(os.getpid(), 9)\n"))
    add("kill-kernel", ps, nb, ps.zero(),
        note="the kernel kills itself before the tests: every test cell says so")

    # -- hostile: the file system ----------------------------------------------------------------
    nbname = ps.filename
    secrets = [course / "gradebook.db", course / "solutions" / ps.ps / nbname,
               course / "autograded", course / "submitted", repo / "solutions" / ps.ps / nbname,
               repo / ".git" / "HEAD"]
    ps = pick()
    nb = copy.deepcopy(ps.release)
    paths = [str(p) for p in secrets] + [
        str(course / "autograded" / f"read-secrets-{ps.ps.split('_')[0]}" / ps.ps / ps.filename)]
    nb.cells.insert(_after_setup(nb), _code(
        f"import os\nfor p in {paths!r}:\n"
        "    try:\n"
        "        if os.path.isdir(p):\n"
        "            print(p, os.listdir(p))\n"
        "        else:\n"
        "            print(p, open(p, 'rb').read().decode(errors='replace'))\n"
        "    except OSError as e:\n"
        "        print('denied', p, type(e).__name__)\n"
        "import helpers, pathlib\n"
        "repo = pathlib.Path(helpers.__file__).parent.parent\n"
        "for p in (repo / 'solutions').rglob('*.ipynb'):\n"
        "    print(p.read_text())\n"
        "print(open(os.listdir('.')[0]).read() if os.listdir('.') else 'empty cwd')\n"))
    add("read-secrets", ps, nb, ps.zero(), reads_secrets=True)

    ps = pick()
    nb = copy.deepcopy(ps.release)
    victims = [course / "gradebook.db", course / "nbgrader_config.py",
               course / "solutions" / ps.ps / ps.filename, course / "submitted",
               course / "autograded", course / "exercises"]
    nb.cells.insert(_after_setup(nb), _code(
        f"import os, shutil\nfor p in {[str(v) for v in victims]!r}:\n"
        "    for attempt in (lambda: shutil.rmtree(p), lambda: os.remove(p),\n"
        "                    lambda: open(p, 'w').write('pwned'),\n"
        "                    lambda: os.rename(p, p + '.x')):\n"
        "        try:\n"
        "            attempt()\n"
        "            print('DAMAGED', p)\n"
        "        except OSError as e:\n"
        "            print('denied', p, type(e).__name__)\n"))
    outside = [f"{d}/backprop-hostile-{case_tag}" for d in ("/tmp", "/var/tmp", "/dev/shm")]
    nb.cells.insert(_after_setup(nb), _code(
        f"for p in {outside!r}:\n"
        "    try:\n"
        "        open(p, 'w').write('written by a submission')\n"
        "    except OSError as e:\n"
        "        print('denied', p, type(e).__name__)\n"))
    add("vandal-files", ps, nb, ps.zero(), writes_outside=outside)

    ps = pick()
    nb = copy.deepcopy(ps.release)
    nb.cells.insert(_after_setup(nb), _code(
        f"db = {str(course / 'gradebook.db')!r}\n"
        "try:\n"
        "    import sqlite3\n"
        "    con = sqlite3.connect(db)\n"
        "    con.execute('UPDATE grade SET auto_score = 100')\n"
        "    con.execute('DELETE FROM submitted_assignment')\n"
        "    con.commit()\n"
        "    print('DAMAGED gradebook')\n"
        "except Exception as e:\n"
        "    print('denied', type(e).__name__, e)\n"
        "try:\n"
        "    open(db, 'r+b').write(b'garbage' * 100)\n"
        "    print('DAMAGED gradebook file')\n"
        "except OSError as e:\n"
        "    print('denied', type(e).__name__)\n"))
    add("gradebook-write", ps, nb, ps.zero())

    # -- hostile: files handed in, results displayed before a failing check (integrity.py) -------
    from tests.hostile.integrity import integrity_cases

    cases += integrity_cases(problem_sets, {p: name for p, (_, name) in wrong.items()})
    return cases


def load_problem_sets(course: Path, names: list[str]) -> list[ProblemSet]:
    """ProblemSet objects from ``course/solutions`` and the release nbgrader generated."""
    out = []
    for ps in names:
        src = sorted((course / "solutions" / ps).glob("*.ipynb"))
        rel = sorted((course / "exercises" / ps).glob("*.ipynb"))
        if len(src) != 1 or len(rel) != 1:
            raise ValueError(f"{ps}: expected one notebook in solutions/ and exercises/, "
                             f"got {[p.name for p in src]} and {[p.name for p in rel]}")
        out.append(ProblemSet(ps, src[0], rel[0]))
    return out


def write_submissions(course: Path, cases: list[Case]) -> None:
    """Put each case where ``nbgrader collect`` would: submitted/<student>/<ps>/<file>."""
    for case in cases:
        folder = course / "submitted" / case.student / case.ps
        folder.mkdir(parents=True, exist_ok=True)
        (folder / case.filename).write_bytes(case.content)
        (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
        for rel, content in case.extra_files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(content)
        for rel, target in case.links.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).symlink_to(target)


def summary(cases: list[Case]) -> str:
    return json.dumps({c.name: c.ps for c in cases}, indent=1)


# ---- a generated class for the load test -----------------------------------------------------
def class_submissions(problem_sets: list[ProblemSet], n: int,
                      mistakes: dict[str, list[dict]] | None = None) -> list[Case]:
    """``n`` submissions over the problem sets: students ``s000``... each submit every set.

    Student ``j`` submits, for each problem set, the solutions (every 3rd), the release
    untouched (every 7th), or the solutions with one typical mistake from
    ``tests/mistakes/<ps>.py`` (``mistakes``: ``{ps: MISTAKES}``), cycling through them.
    """
    mistakes = mistakes or {}
    cases: list[Case] = []
    j = 0
    while len(cases) < n:
        for k, ps in enumerate(problem_sets):
            if len(cases) == n:
                break
            options = mistakes.get(ps.ps, [])
            if j % 3 == 0 or not options:
                nb, label = ps.correct, "correct"
            elif j % 7 == 1:
                nb, label = ps.release, "untouched"
            else:
                m = options[(j + k) % len(options)]
                nb = copy.deepcopy(ps.correct)
                _cell(nb, m["grade_id"]).source = m["source"]
                label = m["name"]
            cases.append(Case(name=f"s{j:03d}", ps=ps.ps, filename=ps.filename,
                              content=_dump(nb), note=label))
        j += 1
    return cases
