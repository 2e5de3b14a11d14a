"""Drive JupyterLab the way a student does: open a notebook, restart and run all, read what shows.

Checks come in two kinds: what the page shows (widgets, error boxes, the kernel status bar) and what
JupyterLab saved to disk after the run (execution counts, error outputs, stderr), because the saved
notebook is the exact record of what ran.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]  # the repository
IDLE = re.compile(r"\|\s*Idle")
FORWARD = re.compile(r"next|step|▶|train|run|forward|play|go\b", re.IGNORECASE)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WARNING_LINE = re.compile(r"^.*\b\w*Warning\b:.*$", re.MULTILINE)

# In the page: the visible notebook and its cells.
_NB = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"

_JS_PROMPTS = f"""() => {{
  const nb = document.querySelector('{_NB}');
  if (!nb) return null;
  return [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
    .map(p => p.textContent.trim());
}}"""

# Run All is done: no cell queued or running ("[*]"), some cell has an execution count, the
# status bar reads Idle; true only when that held at the previous check too (polled every 500 ms).
_JS_RUN_ALL_DONE = f"""() => {{
  const nb = document.querySelector('{_NB}');
  const bar = document.querySelector('#jp-main-statusbar');
  const prompts = nb ? [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
    .map(p => p.textContent) : [];
  const done = prompts.length > 0 && !prompts.some(p => p.includes('*'))
    && prompts.some(p => /\\d/.test(p)) && /\\|\\s*Idle/.test(bar ? bar.innerText : '');
  const twice = done && window.__runAllDoneBefore === true;
  window.__runAllDoneBefore = done;
  return twice;
}}"""

# Every top-level widget view in the cells' output areas (not views nested in an Output widget).
_JS_WIDGETS = f"""() => {{
  const nb = document.querySelector('{_NB}');
  const cells = [...nb.querySelectorAll('.jp-Cell')];
  const found = [];
  cells.forEach((cell, index) => {{
    cell.querySelectorAll(
      ':scope .jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output'
    ).forEach(out => {{
      const text = out.textContent.trim();
      // a widget closed by the kernel (a finished tqdm bar with leave=False) leaves an empty,
      // hidden output behind
      const closed = out.classList.contains('lm-mod-hidden') && out.children.length === 0;
      const isWidget = out.classList.contains('jupyter-widgets')
        || out.querySelector(':scope > .jupyter-widgets') !== null
        || text === 'Loading widget...' || closed;
      if (!isWidget) return;
      const box = out.getBoundingClientRect();
      found.push({{
        cell: index,
        closed,
        width: box.width,
        height: box.height,
        loading: text === 'Loading widget...',
        error: /Error displaying widget/.test(text)
          || out.querySelector('.jupyter-widgets-error-widget') !== null,
        text: text.slice(0, 200),
      }});
    }});
  }});
  return found;
}}"""

# What may look wrong to a student: plots scaled far down (small text), outputs wider than the
# page (clipped, needs a horizontal scroll), widget labels or buttons cut off by their box.
_JS_LAYOUT = f"""() => {{
  const cells = [...document.querySelectorAll('{_NB} .jp-Cell')];
  const report = {{shrunk: [], overflowing: [], truncated: []}};
  cells.forEach((cell, index) => {{
    cell.querySelectorAll('.jp-OutputArea-output img').forEach(img => {{
      if (img.naturalWidth > 0 && img.clientWidth > 0
          && img.clientWidth < 0.7 * img.naturalWidth) {{
        report.shrunk.push({{cell: index, natural: img.naturalWidth, shown: img.clientWidth}});
      }}
    }});
    cell.querySelectorAll('.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output')
      .forEach(out => {{
        if (out.scrollWidth > out.clientWidth + 2) {{
          report.overflowing.push({{cell: index, width: out.scrollWidth, box: out.clientWidth,
                                   text: out.textContent.slice(0, 80)}});
        }}
      }});
    cell.querySelectorAll('.jp-OutputArea-output :is(.widget-label, .widget-readout,'
                          + ' button.jupyter-button)').forEach(el => {{
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {{
        report.truncated.push({{cell: index, text: el.textContent.trim().slice(0, 80),
                               needs: el.scrollWidth, has: el.clientWidth}});
      }}
    }});
  }});
  return report;
}}"""

# What a widget shows, without its own controls (a slider's readout changes by itself).
_JS_SNAPSHOT = """(el) => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('.widget-readout, .widget-slider, .jupyter-button, input, select,'
    + ' textarea, .widget-dropdown, .widget-toggle-buttons').forEach(n => n.remove());
  const hash = s => {
    let x = 7;
    for (let i = 0; i < s.length; i++) x = (x * 31 + s.charCodeAt(i)) | 0;
    return x;
  };
  const images = [...el.querySelectorAll('img')].map(i => hash(i.src));
  const errors = [...el.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(n => n.textContent.slice(0, 500));
  return {text: copy.textContent.replace(/\\s+/g, ' ').trim(), images, errors};
}"""


def venv_python() -> str:
    """The project's environment: .venv/bin/python if it exists, else the running interpreter."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@dataclass
class RunResult:
    """What a run left in the saved notebook."""

    notebook: nbformat.NotebookNode
    not_executed: list[int] = field(default_factory=list)  # code cells without an execution count
    errors: list[tuple[int, str]] = field(default_factory=list)  # (cell, "Ename: evalue")
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (cell, warning line)
    widget_outputs: list[int] = field(default_factory=list)  # cell of each widget-view output
    seconds: float = 0.0

    def first_error_cell(self) -> int | None:
        return self.errors[0][0] if self.errors else None


def analyse(nb: nbformat.NotebookNode) -> RunResult:
    """Read execution counts, errors, warnings and widget outputs from a saved notebook."""
    result = RunResult(notebook=nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.source.strip() and cell.execution_count is None:
            result.not_executed.append(i)
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                result.errors.append((i, f"{out.ename}: {out.evalue}"))
            elif out.output_type == "stream" and out.name == "stderr":
                result.warnings += [(i, m.strip()) for m in WARNING_LINE.findall(out.text)]
            elif WIDGET_MIME in out.get("data", {}):
                if out.data[WIDGET_MIME].get("model_id"):
                    result.widget_outputs.append(i)
    return result


class Lab:
    """One browser page on the test server, with a folder for its screenshots."""

    def __init__(self, page, server, shots: Path):
        self.page = page
        self.server = server
        self.shots = shots
        self.count = 0
        self.page_errors: list[str] = []
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    # ------------------------------------------------------------------ basics
    def screenshot(self, name: str, element=None) -> Path:
        """Save a numbered PNG of the page (or of `element`) in this test's folder."""
        self.count += 1
        path = self.shots / f"{self.count:02d}_{name}.png"
        (element or self.page).screenshot(path=str(path))
        return path

    def screenshot_notebook(self, name: str) -> list[Path]:
        """Screenshot the whole notebook, one viewport at a time from the top."""
        scroller = self.page.locator(
            ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer")
        height = scroller.evaluate("el => el.clientHeight")
        total = scroller.evaluate("""el => {  // the end of the last cell (not scroll-past-end)
          const cells = el.querySelectorAll('.jp-Cell');
          if (!cells.length) return el.scrollHeight;
          const last = cells[cells.length - 1].getBoundingClientRect();
          return last.bottom - el.getBoundingClientRect().top + el.scrollTop + 20;
        }""")
        paths, top, part = [], 0, 1
        while True:
            scroller.evaluate(f"el => {{ el.scrollTop = {top}; }}")
            self.next_paint()
            paths.append(self.screenshot(f"{name}_p{part:02d}"))
            if top + height >= total or part >= 40:
                break
            top += max(height - 60, 200)
            part += 1
        scroller.evaluate("el => { el.scrollTop = 0; }")
        return paths

    def next_paint(self) -> None:
        """Return once the browser has painted the page as it is now (two animation frames)."""
        self.page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def menu(self, top: str, item: str) -> None:
        """Click menu-bar entry `top`, then its item whose label starts with `item`."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
        self.page.locator(".lm-Menu-itemLabel",
                          has_text=re.compile("^" + re.escape(item))).first.click()

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait for the status bar to read "Python 3 (ipykernel) | Idle" (a kernel exists)."""
        self.page.locator("#jp-main-statusbar").get_by_text(IDLE).first.wait_for(
            timeout=timeout * 1000)

    def open_notebook(self, relpath: str, timeout: float = 90) -> None:
        """Open `relpath` (relative to the server root) in a fresh workspace; wait for a kernel."""
        self.page.goto(self.server.url(f"lab/tree/{relpath}", reset=""))
        self.page.locator(_NB).wait_for(timeout=timeout * 1000)
        self.wait_idle(timeout)

    # ------------------------------------------------------------------ running
    def prompts(self) -> list[str]:
        return self.page.evaluate(_JS_PROMPTS) or []

    def restart_and_run_all(self, timeout: float = 240) -> float:
        """Clear outputs, press "Restart the kernel and run all cells", wait until it is done.

        Done means: no cell is queued or running ("[*]"), some cell has a new execution count,
        and the kernel reads Idle, twice in a row half a second apart. Returns the seconds taken.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(
            f"() => [...document.querySelectorAll('{_NB} .jp-CodeCell .jp-InputArea-prompt')]"
            ".every(p => !/\\d/.test(p.textContent))", timeout=10_000)
        self.page.evaluate("() => { window.__runAllDoneBefore = false; }")
        start = time.monotonic()
        self.page.locator(
            '.jp-NotebookPanel:not(.lm-mod-hidden) [data-command="notebook:restart-run-all"]'
        ).first.click()
        self.page.locator(".jp-Dialog .jp-mod-accept").click()
        self.page.locator(".jp-Dialog").wait_for(state="detached")
        try:
            self.page.wait_for_function(_JS_RUN_ALL_DONE, polling=500, timeout=timeout * 1000)
        except PlaywrightTimeout:
            raise AssertionError(f"notebook still running after {timeout} s: prompts "
                                 f"{self.prompts()}") from None
        return time.monotonic() - start

    def save(self, relpath: str, timeout: float = 15) -> None:
        """Save with Ctrl+S; wait until the tab is no longer marked dirty and the file changed."""
        path = self.server.root / relpath
        before = path.stat().st_mtime_ns if path.exists() else None
        self.page.locator(_NB).click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("Control+s")
        self.page.wait_for_function(
            "() => !document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.jp-mod-dirty')",
            timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        while not path.exists() or path.stat().st_mtime_ns == before:
            if time.monotonic() > deadline:
                raise AssertionError(f"{relpath} was not written within {timeout} s of Ctrl+S")
            time.sleep(0.05)  # poll again: the server has not written the file yet

    def saved(self, relpath: str) -> nbformat.NotebookNode:
        return nbformat.read(self.server.root / relpath, as_version=4)

    def run_and_check(self, relpath: str, timeout: float = 240) -> RunResult:
        """Restart and run all, save, and return what the saved notebook records."""
        seconds = self.restart_and_run_all(timeout)
        self.save(relpath)
        result = analyse(self.saved(relpath))
        result.seconds = seconds
        return result

    def validate(self) -> str:
        """Press nbgrader's Validate button; return the text of the dialog it opens, closed."""
        self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar").get_by_text(
            "Validate", exact=True).click()
        dialog = self.page.locator(".jp-Dialog")
        dialog.locator(".jp-Dialog-body").wait_for(timeout=120_000)
        self.next_paint()
        self.screenshot("validate")
        text = dialog.inner_text()
        self.page.keyboard.press("Escape")
        dialog.wait_for(state="detached")
        return text

    # ------------------------------------------------------------------ cells and widgets
    def cell(self, index: int):
        return self.page.locator(f"{_NB} .jp-WindowedPanel-viewport > .jp-Cell").nth(index)

    def cell_error_text(self, index: int) -> str:
        """The text of error outputs shown under cell `index` ("" when none)."""
        loc = self.cell(index).locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        return "\n".join(loc.all_inner_texts())

    def widgets(self, timeout: float = 20) -> list[dict]:
        """Top-level widget views on the page, after waiting for "Loading widget..." to go:
        one dict per view with its cell, size, and flags `loading`, `error`, `closed`."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(f"() => !({_JS_WIDGETS})().some(w => w.loading)",
                                        timeout=timeout * 1000)
        except PlaywrightTimeout:
            pass  # reported by the caller: the views still loading have loading=True
        return self.page.evaluate(_JS_WIDGETS)

    def layout_report(self) -> dict:
        """Plots shown at < 70 % of their size, outputs wider than the page, widget labels and
        buttons too narrow for their text: ``{"shrunk": [...], "overflowing": [...],
        "truncated": [...]}``, each entry naming its cell."""
        return self.page.evaluate(_JS_LAYOUT)

    def set_cell_source(self, index: int, text: str) -> None:
        """Replace the text of cell `index` as a student pasting does: select all, insert."""
        editor = self.cell(index).locator(".jp-InputArea-editor .cm-content")
        editor.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(text)
        self.page.keyboard.press("Escape")

    def _wait_for_change(self, widget, before: dict, timeout: float) -> dict:
        """Poll the widget until it differs from `before`, holds still and the kernel is idle."""
        deadline, last, stable = time.monotonic() + timeout, before, 0
        while time.monotonic() < deadline and stable < 2:
            self.page.wait_for_timeout(400)  # poll again: compare with the last snapshot
            now = widget.evaluate(_JS_SNAPSHOT)
            status = self.page.locator("#jp-main-statusbar").inner_text()
            stable = stable + 1 if (now != before and now == last and IDLE.search(status)) else 0
            last = now
        return last

    @staticmethod
    def _forward_button(buttons):
        """The first button that moves things on ("Next ▶", "Step", "Train"...), else the first
        (a "◀ Back" or "Reset" button at the start would change nothing)."""
        labels = buttons.all_inner_texts()
        for i, text in enumerate(labels):
            if FORWARD.search(text):
                return buttons.nth(i)
        return buttons.first

    def operate_first_widget(self, timeout: float = 30, only: str | None = None) -> dict:
        """Move the notebook's first slider up three steps (down at the top end), or else press
        its first button, and wait for the widget's output to change. If moving the slider
        changes nothing and the same widget has a button (say "Train"), press that too.
        `only="button"` skips the sliders. Returns what was done and snapshots (text, image
        hashes, errors) before and after."""
        nb = self.page.locator(_NB)
        sliders = nb.locator(".jp-Cell-outputArea .widget-slider:not(.mod-disabled)")
        buttons = nb.locator(".jp-Cell-outputArea button.jupyter-button:not([disabled])")
        if sliders.count() and only != "button":
            control, kind = sliders.first, "slider"
        elif buttons.count():
            control, kind = self._forward_button(buttons), "button"
        else:
            return {"kind": None}
        widget = control.locator(
            "xpath=ancestor::div[contains(concat(' ', @class, ' '), ' jp-OutputArea-output ')][1]")
        widget.scroll_into_view_if_needed()
        before = widget.evaluate(_JS_SNAPSHOT)
        self.screenshot(f"{kind}_before", element=widget)
        readout_before = readout_after = None
        label = control.inner_text().split("\n")[0][:60]
        if kind == "slider":
            readout = control.locator(".widget-readout")
            readout_before = readout.inner_text() if readout.count() else None
            handle = control.locator(".noUi-handle").first
            handle.focus()
            for _ in range(3):
                handle.press("ArrowRight")
            readout_after = readout.inner_text() if readout.count() else None
            if readout_after == readout_before:  # at the top end already: go down instead
                for _ in range(6):
                    handle.press("ArrowLeft")
                readout_after = readout.inner_text() if readout.count() else None
        else:
            control.click()
        after = self._wait_for_change(widget, before, timeout)
        own_buttons = widget.locator("button.jupyter-button:not([disabled])")
        if after == before and kind == "slider" and own_buttons.count():
            button = self._forward_button(own_buttons)
            kind, label = "slider+button", f"{label} + {button.inner_text()[:40]}"
            button.click()
            after = self._wait_for_change(widget, before, timeout)
        self.screenshot(f"{kind}_after", element=widget)
        return {"kind": kind, "label": label, "before": before, "after": after,
                "readout_before": readout_before, "readout_after": readout_after}
