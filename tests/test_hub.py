"""The course on a JupyterHub (deploy/), end to end, as root on 127.0.0.1.

The module starts the hub exactly as docs/deploy.md does (`deploy/hub.py proxy`, `env`,
`exchange`, `course`, `start`), with real local accounts (unique names, homes in a temporary
folder), the dummy authenticator (test-only) and a service token for the REST API. Then:

* a whole round through HTTP only: the instructor releases from the formgrader's API; three
  students fetch from the Assignment List API, edit through the contents API (one correct, one
  with a typical mistake, one untouched), validate and submit; the instructor collects,
  autogrades, generates and releases feedback; the students fetch their feedback. The gradebook
  must hold full marks, the mistake's marks and zero; no student may read another's submission or
  home, nor any of the instructor's files (checked with `cat` under the student's uid);
* a bounded load check: 30 students fetch and submit at once (nbgrader's exchange run as each
  account, as the Assignment List server extension runs it, without 30 servers), every
  submission is collected; the time is printed;
* a student logs in through the hub's login page in headless Chromium and sees the problem set in
  the Assignment List.

Every account, process and folder made here is removed at the end, also when a test fails.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tests.chromium import CHROMIUM, CHROMIUM_FLAGS
from tests.hub_support import (
    COURSE_ID,
    REPO,
    VENV,
    Hub,
    Users,
    pids_of_uid,
    run,
    skip_reason,
)

sys.path.insert(0, str(REPO / "deploy"))
from hub_settings import Settings, secure_home, write_user_nbgrader_config  # noqa: E402

PS = "ps1_chain_rule"  # the round
LOAD_PS = "ps2_scalar_backprop"  # the load check
LOAD_STUDENTS = 30
MISTAKE = "wb_target_minus_prediction"  # from tests/mistakes/ps1_chain_rule.py
NOTEBOOK = f"{PS}/{PS}.ipynb"
SCREENSHOTS = REPO / "build" / "hub-screenshots"


@dataclass
class Course:
    hub: Hub
    users: Users
    base: Path
    instructor: str
    students: list[str]
    browser_student: str

    @property
    def course_dir(self) -> Path:
        return Path(pwd.getpwnam(self.instructor).pw_dir) / "backprop"

    def home(self, name: str) -> Path:
        return Path(pwd.getpwnam(name).pw_dir)

    def as_user(self, name: str, cmd: list, cwd: Path | None = None, **kw):
        """Run ``cmd`` under ``name``'s uid with the servers' environment (no root left)."""
        entry = pwd.getpwnam(name)
        env = {"HOME": entry.pw_dir, "USER": name, "LOGNAME": name, "LANG": "C.UTF-8",
               "PATH": f"{VENV}/bin:/usr/bin:/bin",
               "BACKPROP_EXCHANGE": self.hub.env["BACKPROP_EXCHANGE"]}
        return run(cmd, cwd=cwd or entry.pw_dir, env=env, user=entry.pw_uid,
                   group=entry.pw_gid, extra_groups=[], **kw)

    def release_by_command(self, ps: str) -> None:
        """`nbgrader release_assignment` as the instructor (when no server is wanted)."""
        if not (self.hub.exchange / COURSE_ID / "outbound" / ps).is_dir():
            self.as_user(self.instructor, [VENV / "bin" / "nbgrader", "release_assignment", ps,
                                           "--force"], cwd=self.course_dir)


@pytest.fixture(scope="module")
def course():
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    base = Path(tempfile.mkdtemp(prefix="backprop-hub-test-"))
    os.chmod(base, 0o755)  # the accounts reach their homes and the exchange through it
    users = Users(base)
    hub = None
    try:
        instructor = users.create("i")
        students = [users.create("s") for _ in range(3)]
        browser_student = users.create("b")
        hub = Hub(base, instructor, [*students, browser_student])
        start = time.monotonic()
        for step in ("proxy", "env", "exchange", "course"):  # = docs/deploy.md, one machine
            hub.command(step)
        print(f"\nhub set-up (proxy, environment, exchange, course): "
              f"{time.monotonic() - start:.1f} s")
        start = time.monotonic()
        hub.start()
        print(f"hub started in {time.monotonic() - start:.1f} s")
        yield Course(hub, users, base, instructor, students, browser_student)
    finally:
        uids = []
        for name in users.created:
            try:
                uids.append(pwd.getpwnam(name).pw_uid)
            except KeyError:
                pass
        if hub is not None:
            hub.stop()
        problems = users.remove_all()
        shutil.rmtree(base, ignore_errors=True)
        left = {uid: pids_of_uid(uid) for uid in uids if pids_of_uid(uid)}
        assert not problems and not left and not base.exists(), (problems, left)


# ---- notebooks ------------------------------------------------------------------------------
def answers(kind: str) -> dict[str, str]:
    """grade_id -> source of every answer cell (code and derivation), from the solutions; for
    the wrong student one code answer has a typical mistake."""
    from tests.mistakes import cell_source
    from tests.mistakes.ps1_chain_rule import MISTAKES

    nb = nbformat.read(REPO / "solutions" / PS / f"{PS}.ipynb", as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            out[meta["grade_id"]] = cell_source(PS, meta["grade_id"])
    if kind == "wrong":
        mistake = next(m for m in MISTAKES if m["name"] == MISTAKE)
        out[mistake["grade_id"]] = mistake["source"]
    return out


def points(*, failing: list[str] | None = None) -> tuple[float, float]:
    """(max autograded points, points of the test cells in ``failing``) of the problem set."""
    nb = nbformat.read(REPO / "solutions" / PS / f"{PS}.ipynb", as_version=4)
    total = lost = 0.0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            total += meta["points"]
            if meta["grade_id"] in (failing or []):
                lost += meta["points"]
    return total, lost


def fill(nb: dict, sources: dict[str, str]) -> int:
    """Put ``sources`` into the answer cells of a notebook (JSON as the contents API gives it)."""
    done = 0
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in sources:
            cell["source"] = sources[grade_id]
            done += 1
    return done


def ok(out: dict) -> dict:
    """An nbgrader API answer that must say success; otherwise show its error and log whole."""
    assert isinstance(out, dict) and out.get("success"), (
        "nbgrader said no:\n" + str(out.get("error", "")) + "\n--- log ---\n"
        + str(out.get("log", "")) + "\n--- value ---\n" + str(out.get("value", ""))[:3000]
        if isinstance(out, dict) else repr(out))
    return out


def assignment(listing: dict, status: str) -> dict:
    ok(listing)
    found = [a for a in listing["value"]
             if a["assignment_id"] == PS and a["status"] == status]
    assert found, f"no {PS} with status {status!r} in {json.dumps(listing)[:3000]}"
    return found[0]


# ---- the round ------------------------------------------------------------------------------
@pytest.mark.integration
@pytest.mark.timeout(900)  # the module's hub set-up (environment, course, start) counts here too
def test_a_whole_round_through_the_hub(course):
    hub, instructor = course.hub, course.instructor
    correct, wrong, untouched = course.students
    start = time.monotonic()
    hub.spawn([instructor, *course.students])
    print(f"4 servers up in {time.monotonic() - start:.1f} s")

    # The instructor releases from the formgrader.
    out = hub.server(instructor, "POST", f"formgrader/api/assignment/{PS}/release")
    ok(out)
    assert (hub.exchange / COURSE_ID / "outbound" / PS / f"{PS}.ipynb").is_file()

    # Students see it, fetch it, edit it through the contents API, validate, submit.
    action = {"course_id": COURSE_ID, "assignment_id": PS}
    for student in course.students:
        assignment(hub.server(student, "GET", "assignments", course_id=COURSE_ID), "released")
        assignment(hub.server(student, "POST", "assignments/fetch", action), "fetched")
    for student, kind in ((correct, "correct"), (wrong, "wrong")):
        model = hub.server(student, "GET", f"api/contents/{NOTEBOOK}", content="1")
        sources = answers(kind)
        assert sources, "the problem set has no answer cells"
        assert fill(model["content"], sources) == len(sources), "an answer cell is missing"
        hub.server(student, "PUT", f"api/contents/{NOTEBOOK}",
                   {"type": "notebook", "format": "json", "content": model["content"]})

    def validate(student):
        out = hub.server(student, "POST", "assignments/validate", {"path": NOTEBOOK})
        ok(out)
        value = out["value"]
        return json.loads(value) if isinstance(value, str) else value

    with ThreadPoolExecutor(3) as pool:
        verdicts = dict(zip(course.students, pool.map(validate, course.students)))
    assert not verdicts[correct].get("failed"), verdicts[correct]
    assert verdicts[wrong].get("failed"), "the wrong answer passed validation"
    assert verdicts[untouched].get("failed"), "the untouched release passed validation"

    for student in course.students:
        out = hub.server(student, "POST", "assignments/submit", action)
        ok(out)
        assignment(out, "submitted")

    # The instructor collects, autogrades, generates and releases feedback.
    out = hub.server(instructor, "POST", f"formgrader/api/assignment/{PS}/collect")
    ok(out)
    for student in course.students:
        out = hub.server(instructor, "POST", f"formgrader/api/submission/{PS}/{student}/autograde")
        ok(out)
    for step in ("generate_feedback", "release_feedback"):
        out = hub.server(instructor, "POST", f"formgrader/api/assignment/{PS}/{step}")
        ok(out)

    # The gradebook: full autograded marks, the mistake's, zero.
    total, lost = points(failing=["test-dLdw", "test-dLdb"])
    subs = {s["student"]: s for s in hub.server(instructor, "GET",
                                                 f"formgrader/api/submissions/{PS}")}
    scores = {name: (subs[name]["code_score"], subs[name]["max_code_score"])
              for name in course.students}
    print("autograded scores:", scores)
    assert scores[correct] == (total, total)
    assert scores[wrong] == (total - lost, total) and 0 < lost < total
    assert scores[untouched] == (0, total)

    # Students fetch their feedback; it shows their score.
    for student in course.students:
        listing = hub.server(student, "POST", "assignments/fetch_feedback", action)
        submission = assignment(listing, "submitted")["submissions"][-1]
        assert submission.get("has_local_feedback"), submission
        html = hub.server(student, "GET", f"api/contents/{submission['local_feedback_path']}"
                          f"/{PS}.html", content="1", format="text", type="file")["content"]
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
        shown = re.search(r"Score: ([\d.]+) / ", text)
        assert shown and float(shown.group(1)) == subs[student]["score"], \
            f"{student}'s feedback does not show the score {subs[student]['score']}"
    print(f"round (spawn, release ... fetch feedback): {time.monotonic() - start:.1f} s")

    check_isolation(course)


def check_isolation(course: Course) -> None:
    """No student reads another's submission, home or feedback, nor the instructor's files;
    each reads their own (so a failing `cat` means no permission, not a wrong path)."""
    users, exchange = course.users, course.hub.exchange / COURSE_ID
    submissions = {}
    for student in course.students:
        found = sorted((exchange / "inbound").glob(f"{student}+{PS}+*/{PS}.ipynb"))
        assert len(found) == 1, found
        submissions[student] = found[0]
    instructor_files = [course.course_dir / "gradebook.db",
                        course.course_dir / "solutions" / PS / f"{PS}.ipynb",
                        course.course_dir / "nbgrader_config.py",
                        course.home(course.instructor) / ".jupyter" / "nbgrader_config.py"]
    for path in instructor_files:
        assert users.can_read(course.instructor, path), path
    for student in course.students:
        assert users.can_read(student, submissions[student]), "own submission unreadable"
        own_work = course.home(student) / NOTEBOOK
        assert users.can_read(student, own_work)
        assert not users.can_list(student, exchange / "inbound")
        assert not users.can_list(student, exchange / "feedback")
        for other in course.students:
            if other != student:
                assert not users.can_read(student, submissions[other]), \
                    f"{student} can read {other}'s submission"
                assert not users.can_read(student, course.home(other) / NOTEBOOK), \
                    f"{student} can read {other}'s home"
        for path in instructor_files:
            assert not users.can_read(student, path), f"{student} can read {path}"


# ---- load -----------------------------------------------------------------------------------
# What the Assignment List's "Fetch" and "Submit" buttons run in a student's server
# (nbgrader/server_extensions/assignment_list/handlers.py), in one process per student.
FETCH_AND_SUBMIT = r"""
import os, sys
from jupyter_core.paths import jupyter_config_path
from nbgrader.apps import NbGrader
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeFactory

app = NbGrader()
app.config_file_paths.append([os.getcwd(), *jupyter_config_path()])
app.load_config_file()
config = app.config
config.CourseDirectory.assignment_id = sys.argv[1]
for step in ("FetchAssignment", "Submit"):
    action = getattr(ExchangeFactory(config=config), step)
    action(coursedir=CourseDirectory(config=config), authenticator=Authenticator(config=config),
           config=config).start()
print("fetched and submitted")
"""


@pytest.mark.load
@pytest.mark.timeout(1200)
def test_thirty_students_fetch_and_submit_at_once(course):
    """30 accounts fetch and submit at once; every submission is collected, none lost.

    Thirty user servers (~155 MB each, ~6 s of CPU to start) would measure the spawner on a
    2-core machine; the exchange is what 30 students share, so each runs the code the Assignment
    List runs in its server, under its own uid, all started together."""
    settings = Settings.from_env(course.hub.env)
    names = [course.users.create("l") for _ in range(LOAD_STUDENTS)]
    for name in names:  # what the hub does before a server starts
        secure_home(name)
        write_user_nbgrader_config(settings, name, python=str(VENV / "bin" / "python"))
    course.release_by_command(LOAD_PS)

    start = time.monotonic()
    procs = {}
    for name in names:
        entry = pwd.getpwnam(name)
        procs[name] = subprocess.Popen(
            [str(VENV / "bin" / "python"), "-c", FETCH_AND_SUBMIT, LOAD_PS],
            cwd=entry.pw_dir, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
            env={"HOME": entry.pw_dir, "USER": name, "LANG": "C.UTF-8",
                 "PATH": f"{VENV}/bin:/usr/bin:/bin", "OMP_NUM_THREADS": "1"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    failed = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0 or "fetched and submitted" not in out or "[ERROR]" in err:
            failed[name] = (proc.returncode, err[-1500:])
    seconds = time.monotonic() - start
    assert not failed, failed

    inbound = course.hub.exchange / COURSE_ID / "inbound"
    owners = sorted(p.name.split("+")[0] for p in inbound.iterdir()
                    if p.name.split("+")[1] == LOAD_PS)
    assert owners == sorted(names), "missing or duplicated submissions in the exchange"

    start_collect = time.monotonic()
    course.as_user(course.instructor, [VENV / "bin" / "nbgrader", "collect", LOAD_PS],
                   cwd=course.course_dir)
    collect_seconds = time.monotonic() - start_collect
    collected = sorted(name for name in names if (
        course.course_dir / "submitted" / name / LOAD_PS / f"{LOAD_PS}.ipynb").is_file())
    assert collected == sorted(names), f"not collected: {sorted(set(names) - set(collected))}"
    print(f"\nload: {LOAD_STUDENTS} students fetched and submitted {LOAD_PS} at once in "
          f"{seconds:.1f} s; the instructor collected all {len(collected)} in "
          f"{collect_seconds:.1f} s")


# ---- browser --------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.timeout(900)
def test_a_student_logs_in_and_sees_the_problem_set(course):
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (tools/install_chromium.sh installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"Playwright is not importable ({exc})")
    course.release_by_command(PS)
    student, hub = course.browser_student, course.hub
    shots = SCREENSHOTS / "student_login"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.set_default_timeout(60_000)
            page.goto(f"{hub.url}/hub/login")
            page.fill("input[name=username]", student)
            page.fill("input[name=password]", hub.password)
            page.screenshot(path=str(shots / "01_login.png"))
            page.locator("input[type=submit], button[type=submit]").first.click()
            page.wait_for_url(re.compile(rf"/user/{student}/lab"), timeout=180_000)
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Nbgrader$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Assignment List")).click()
            released = page.locator("#released_assignments_list")
            released.get_by_text(PS).first.wait_for(timeout=90_000)
            page.screenshot(path=str(shots / "02_assignment_list.png"))
            assert PS in released.inner_text()
        except Exception:
            page.screenshot(path=str(shots / "99_failure.png"))
            raise
        finally:
            browser.close()
