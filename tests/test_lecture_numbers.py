"""Numbers stated are numbers printed: every number a lecture's text states is shown by its cells.

A lecture must state only what one of its cells shows. This test reads each committed lecture
(nbformat, no execution: nbval re-runs the lectures and compares their outputs) and takes from its
markdown cells the numbers that are claims:

* decimals, e.g. ``0.0855`` or ``-0.1274`` (also inside maths);
* percentages, e.g. ``94.5 %`` or a range ``97-98 %`` (each end);
* counts with a unit, e.g. ``4,000 images``, ``200 iterations``, ``128 units``.

Plain integers without a unit are not checked (they are mostly small constants of formulas), nor
numbers in inline code, in links, or right after a reference word ("section 2.1", "eq. 3.5",
"lecture 3", "version 1.2").

A claimed number is *shown* when a number in the text outputs of the lecture's code cells
(streams and ``text/plain``) rounds (or truncates) to it at the number of decimals the text
uses (a percentage may also be printed as a fraction), or when it is a literal of a code cell
(a value the lecture sets, such as a learning rate). Numbers that are definitions or facts
from outside the notebook go in ``tests/lecture_numbers_allowed.toml``, per lecture, each with
the reason; an entry whose number the lecture no longer states fails the test, so the list
cannot rot.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "lectures").glob("*.ipynb"))
ALLOWED_FILE = Path(__file__).with_name("lecture_numbers_allowed.toml")

UNITS = (r"images?|samples?|examples?|points?|epochs?|iterations?|steps?|units?|parameters?|"
         r"digits?|pixels?|weights?|neurons?|seconds?|minutes?|classes|rows?|columns?|nodes?|"
         r"cells?|minibatch(?:es)?|batches")
REFERENCE = re.compile(r"(?:section|sections|lecture|lectures|eq\.|eqs\.|equation|equations|"
                       r"slide|slides|figure|chapter|version|step|steps|ps|§)\s*$", re.IGNORECASE)
# a number is a decimal, a percentage (or a range of them), or a count followed by a unit
DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d+)(?![\d.]*\w)")
PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?:\s*[-–]\s*(\d+(?:\.\d+)?))?"
                     r"\s*(?:\\?%|per ?cent)")
COUNT = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)\s+(?:" + UNITS + r")\b")
# numbers in outputs: signs and exponents allowed, thousands separators allowed
OUTPUT_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+")


@dataclass(frozen=True)
class Claim:
    text: str        # as the lecture writes it, e.g. "0.0855", "94.5 %", "4,000 images"
    value: float     # the number
    decimals: int    # digits after the point in the text
    percent: bool


def _prose(markdown: str) -> str:
    """The markdown without inline code, link targets and HTML tags."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.DOTALL)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"<[^>]+>", " ", text)


def claims_in(markdown: str) -> list[Claim]:
    """The numbers a markdown text claims (see the module docstring)."""
    text, found = _prose(markdown), []

    def referenced(start: int) -> bool:
        return bool(REFERENCE.search(text[max(0, start - 20):start]))

    taken: list[tuple[int, int]] = []
    for m in PERCENT.finditer(text):
        if referenced(m.start()):
            continue
        taken.append(m.span())
        for g in (1, 2):
            if m.group(g):
                n = m.group(g)
                found.append(Claim(f"{n} %", float(n), len(n.partition(".")[2]), True))
    for m in COUNT.finditer(text):
        if referenced(m.start()) or any(a <= m.start() < b for a, b in taken):
            continue
        taken.append(m.span())
        n = m.group(1).replace(",", "")
        found.append(Claim(m.group(0), float(n), 0, False))
    for m in DECIMAL.finditer(text):
        if referenced(m.start()) or any(a <= m.start() < b for a, b in taken):
            continue
        n = m.group(1)
        found.append(Claim(n, float(n), len(n.partition(".")[2]), False))
    return found


def shown_numbers(nb) -> tuple[list[tuple[float, int]], set[str]]:
    """(every number in the code cells' text outputs with its count of decimals, the number
    literals of the code cells' sources)."""
    printed, literals = [], set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        literals |= {m.replace("_", "") for m in re.findall(r"(?<![\w.])\d[\d_]*(?:\.\d+)?",
                                                             cell.source)}
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else \
                out.get("data", {}).get("text/plain", "")
            for m in OUTPUT_NUMBER.findall(text):
                digits = m.replace(",", "")
                try:
                    value = float(digits)
                except ValueError:
                    continue
                mantissa = re.split(r"[eE]", digits)[0]
                printed.append((value, len(mantissa.partition(".")[2])))
    return printed, literals


def is_shown(claim: Claim, printed, literals) -> bool:
    plain = claim.text.split()[0].replace(",", "") if not claim.percent else \
        claim.text.split()[0]
    if plain in literals:
        return True
    scale = 10.0 ** claim.decimals
    for value, decimals in printed:
        candidates = [value, value * 100] if claim.percent else [value]
        for v in candidates:
            precise_enough = decimals >= claim.decimals or v != value
            if not precise_enough:
                continue
            target = round(claim.value * scale)
            # stated rounded (0.0855 for 0.085512) or truncated (0.00037018372... for ...2796)
            if target in (round(abs(v) * scale), math.floor(abs(v) * scale * (1 + 1e-12))):
                return True
    return False


def unshown(notebook: Path) -> list[str]:
    """The claims of a lecture's markdown that no cell shows, in order, without repeats."""
    nb = nbformat.read(notebook, as_version=4)
    printed, literals = shown_numbers(nb)
    missing: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for claim in claims_in(cell.source):
                if not is_shown(claim, printed, literals) and claim.text not in missing:
                    missing.append(claim.text)
    return missing


def allowed(notebook: Path) -> dict[str, str]:
    table = tomllib.loads(ALLOWED_FILE.read_text(encoding="utf-8"))
    return table.get(notebook.stem, {})


def stated(notebook: Path) -> set[str]:
    nb = nbformat.read(notebook, as_version=4)
    return {c.text for cell in nb.cells if cell.cell_type == "markdown"
            for c in claims_in(cell.source)}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_number_stated_is_printed(notebook: Path):
    missing = [n for n in unshown(notebook) if n not in allowed(notebook)]
    assert not missing, (
        f"{notebook.name} states {missing} but no code cell prints or sets them: print the "
        f"number in a cell, state what a cell prints, or (for a definition) add it with a "
        f"reason under [{notebook.stem}] in {ALLOWED_FILE.name}")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_allow_list_has_no_stale_entries(notebook: Path):
    entries = allowed(notebook)
    assert all(reason.strip() for reason in entries.values()), "every entry needs a reason"
    stale = sorted(set(entries) - stated(notebook))
    assert not stale, (f"{ALLOWED_FILE.name} allows {stale} for {notebook.stem}, which its text "
                       "no longer states: remove them")


def test_allow_list_names_only_lectures():
    table = tomllib.loads(ALLOWED_FILE.read_text(encoding="utf-8"))
    assert set(table) <= {p.stem for p in NOTEBOOKS}, set(table)


def test_the_claims_found():
    """What counts as a claim, and what does not."""
    text = ("The loss falls to 0.0855 (see section 2.1, eq. 3.5) and the net gets 97-98 % "
            "on 4,000 images after 20 epochs; `lr = 0.25` and [a link](x_1.5.md); "
            "$\\bar w = -0.1274$ in lecture 3, with 2 children.")
    assert [c.text for c in claims_in(text)] == ["97 %", "98 %", "4,000 images", "20 epochs",
                                                 "0.0855", "0.1274"]


def test_a_number_not_printed_is_reported(tmp_path):
    """The check can fail: a stated number that no output shows is reported; printed with more
    decimals, as a fraction for a percentage, or as a code literal, it is shown."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("We get 0.0855, 94.5 % accuracy, lr 0.026, and 0.5000."),
        nbformat.v4.new_code_cell("lr = 0.026\nprint(-0.085512, 0.945)"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                  text="-0.085512 0.945\n")]
    path = tmp_path / "99_example.ipynb"
    nbformat.write(nb, path)
    assert unshown(path) == ["0.5000"]
    nb.cells[1].outputs[0].text = "0.0856 0.5\n"
    nbformat.write(nb, path)
    assert unshown(path) == ["94.5 %", "0.0855", "0.5000"]
