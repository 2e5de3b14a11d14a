"""Import a folder of submissions (e.g. downloaded from a learning platform) into ``submitted/``.

Without an exchange, nbgrader expects each submission in
``submitted/<student>/<problem set>/<notebook>``. This puts them there, one problem set at a time:

* a **file** ``DIR/<name>.ipynb`` is the submission of the student ``<name>``;
* a **folder** ``DIR/<name>/`` is the submission of the student ``<name>``, with everything in it
  (one notebook, and whatever else was handed in: grading reports files the problem set does not
  ship, and never gives them to the grading kernel);
* ``--student-pattern REGEX`` takes the student id from a part of the name instead: the regular
  expression's group ``student`` (or its first group), matched at the start of the file or folder
  name. For names like ``smith_anna_41123_ps1.ipynb``:
  ``--student-pattern '(?P<student>[^_]+_[^_]+)_'`` gives ``smith_anna``.

The notebook is saved under the name of the problem set's notebook (``ps1_chain_rule.ipynb``),
whatever it was called, and ``timestamp.txt`` records when the file was last changed (UTC), the
time nbgrader uses for late penalties. A student id must be letters, digits, ``_``, ``-``, ``.``
or ``@`` (nbgrader uses it as a folder name); other names are refused, with the reason, and
nothing of that entry is imported. An existing submission is kept unless ``--force``.

Usage (or ``make import-submissions DIR=downloads/ps1 PS=ps1_chain_rule``)::

    python tools/import_submissions.py --course . --ps ps1_chain_rule downloads/ps1

Example (from Python)::

    imported, refused = import_submissions(Path("."), "ps1_chain_rule", Path("downloads/ps1"))
    imported  # -> {"alice": Path("submitted/alice/ps1_chain_rule"), ...}
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

STUDENT_ID = re.compile(r"^[A-Za-z0-9_@][A-Za-z0-9_.@\-]*$")
SKIPPED = {".ipynb_checkpoints", "__MACOSX", ".DS_Store", "Thumbs.db"}


def _release_notebook(course: Path, ps: str) -> str:
    """The name of the problem set's notebook (from the release, else the source)."""
    for folder in (course / "exercises" / ps, course / "release" / ps, course / "solutions" / ps,
                   course / "source" / ps):
        found = sorted(p.name for p in folder.glob("*.ipynb"))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValueError(f"{folder} holds {len(found)} notebooks ({', '.join(found)}); "
                             "import handles problem sets with one notebook")
    raise FileNotFoundError(f"no notebook of the problem set {ps!r} under {course}/exercises or "
                            f"{course}/solutions: is the name right?")


def student_of(name: str, pattern: re.Pattern | None) -> str | None:
    """The student id in a file or folder name (``None`` if the pattern does not match)."""
    stem = name[:-len(".ipynb")] if name.endswith(".ipynb") else name
    if pattern is None:
        return stem
    match = pattern.match(name)
    if not match:
        return None
    return match.groupdict().get("student") or (match.group(1) if match.groups() else None)


def _timestamp(path: Path) -> str:
    stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    return stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z")


def import_submissions(course: Path, ps: str, folder: Path, pattern: str | None = None,
                       force: bool = False) -> tuple[dict[str, Path], dict[str, str]]:
    """Copy the submissions in ``folder`` to ``course/submitted/<student>/<ps>/``.

    Returns ``(imported, refused)``: ``{student: destination}`` and ``{entry name: reason}``.
    """
    course, folder = Path(course).resolve(), Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    notebook = _release_notebook(course, ps)
    regex = re.compile(pattern) if pattern else None
    imported: dict[str, Path] = {}
    refused: dict[str, str] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name in SKIPPED or entry.name.startswith("."):
            continue
        if entry.is_symlink():
            refused[entry.name] = "a symbolic link: hand in the file itself"
            continue
        if entry.is_file() and entry.suffix != ".ipynb":
            refused[entry.name] = "not a notebook (.ipynb) nor a student's folder"
            continue
        student = student_of(entry.name, regex)
        if student is None:
            refused[entry.name] = f"the name does not match --student-pattern {pattern!r}"
            continue
        if not STUDENT_ID.match(student):
            refused[entry.name] = (f"the student id {student!r} is not letters, digits, "
                                   "'_', '-', '.' or '@'")
            continue
        if student in imported:
            refused[entry.name] = f"a second submission of {student!r} (the first is imported)"
            continue
        if entry.is_dir():
            notebooks = sorted(p for p in entry.rglob("*.ipynb")
                               if not SKIPPED.intersection(p.relative_to(entry).parts))
            if len(notebooks) != 1:
                refused[entry.name] = (f"a student's folder must hold one notebook, it holds "
                                       f"{len(notebooks)}")
                continue
            source_nb = notebooks[0]
        else:
            source_nb = entry
        dest = course / "submitted" / student / ps
        if dest.exists():
            if not force:
                refused[entry.name] = (f"{dest.relative_to(course)} exists already "
                                       "(--force replaces it)")
                continue
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        if entry.is_dir():
            for path in sorted(entry.rglob("*")):
                rel = path.relative_to(entry)
                if path == source_nb or SKIPPED.intersection(rel.parts) or path.is_dir():
                    continue
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest / rel, follow_symlinks=False)
        shutil.copy2(source_nb, dest / notebook)
        (dest / "timestamp.txt").write_text(_timestamp(source_nb))
        imported[student] = dest
    return imported, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the folder of downloaded submissions")
    parser.add_argument("--ps", required=True, help="the problem set, e.g. ps1_chain_rule")
    parser.add_argument("--course", type=Path, default=Path("."), help="course folder [.]")
    parser.add_argument("--student-pattern", help="regex whose group 'student' is the id")
    parser.add_argument("--force", action="store_true", help="replace existing submissions")
    args = parser.parse_args(argv)
    if not (args.course / "nbgrader_config.py").is_file():
        parser.error(f"no nbgrader_config.py in {args.course}: pass the course folder")
    try:
        imported, refused = import_submissions(args.course, args.ps, args.folder,
                                               args.student_pattern, args.force)
    except (FileNotFoundError, ValueError, re.error) as exc:
        print(f"import-submissions: {exc}", file=sys.stderr)
        return 2
    print(f"imported {len(imported)} submissions of {args.ps} into submitted/<student>/{args.ps}/"
          + (": " + ", ".join(imported) if imported else ""))
    for name, reason in refused.items():
        print(f"  not imported: {name}: {reason}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
