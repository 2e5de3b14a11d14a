"""Tests of helpers.grading: right answers pass, planted mistakes fail with words a student can act
on, and tampering from notebook code cannot turn a failing hidden check into a passing one.

Fast tests run the problem sets' cells in this process (a tiny autograder: exec each code cell,
a test cell fails if it raises). Tampering tests run real notebooks in a Jupyter kernel, because
the defences against changes to IPython only exist there.
"""
from __future__ import annotations

import ast
import dis
import os
import textwrap
import types

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import grading
from helpers.grading import check, registry, sealed, spec_tools
from tests.mistakes import load_all
from tools.problem_sets import problem_sets, solution_notebook

CATALOGUES = load_all()
PROBLEM_SETS = problem_sets()


# ---------------------------------------------------------------------------------------------
# a tiny in-process autograder
# ---------------------------------------------------------------------------------------------

def _load(ps):
    return nbformat.read(solution_notebook(ps), as_version=4)


def _skip_slow_cells(src: str) -> bool:
    return "# GRADING-SLOW" in src


def run_notebook(ps, replace=None, *, params_from=None):
    """Execute the code cells of a problem set here; return {test grade_id: None or message}.

    ``replace`` maps a grade_id to the source that replaces that cell.
    """
    nb = _load(ps)
    ns = {"__name__": "__main__"}
    results = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        src = (replace or {}).get(gid, cell.source)
        if meta.get("grade"):
            try:
                exec(compile(src, f"<{gid}>", "exec"), ns)
                results[gid] = None
            except Exception as e:  # noqa: BLE001 - any error fails the cell, as in nbgrader
                results[gid] = f"{type(e).__name__}: {e}"
        else:
            try:
                exec(compile(src, f"<{gid}>", "exec"), ns)
            except Exception:  # noqa: BLE001 - a broken answer cell fails only its tests
                if replace is None:
                    raise
    return results


@pytest.mark.parametrize("ps", PROBLEM_SETS)
def test_reference_solution_passes_every_test_cell(ps):
    results = run_notebook(ps)
    assert results, "no test cells found"
    failed = {k: v for k, v in results.items() if v is not None}
    assert not failed, failed


MISTAKE_CASES = [
    pytest.param(ps, m, id=f"{ps}-{m['name']}",
                 )
    for ps, ms in sorted(CATALOGUES.items()) for m in ms
]


@pytest.mark.parametrize("ps,mistake", MISTAKE_CASES)
def test_planted_mistake_fails_the_right_cells_with_actionable_words(ps, mistake):
    results = run_notebook(ps, {mistake["grade_id"]: mistake["source"]})
    failing = sorted(k for k, v in results.items() if v is not None)
    assert failing == sorted(mistake["expected_failing"]), {k: results[k] for k in failing}
    for word in mistake["feedback_keywords"]:
        assert any(word in results[gid] for gid in mistake["expected_failing"]), (
            word, {gid: results[gid] for gid in mistake["expected_failing"]})


def test_catalogue_format():
    for ps, ms in CATALOGUES.items():
        names = [m["name"] for m in ms]
        assert len(names) == len(set(names)), ps
        nb = _load(ps)
        ids = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in nb.cells}
        for m in ms:
            assert set(m) == {"name", "grade_id", "source", "expected_failing",
                              "feedback_keywords"}
            assert ids[m["grade_id"]]["solution"] and not ids[m["grade_id"]]["grade"]
            for gid in m["expected_failing"]:
                assert ids[gid]["grade"] and not ids[gid]["solution"], (ps, m["name"], gid)
            assert m["expected_failing"] and m["feedback_keywords"]


# ---------------------------------------------------------------------------------------------
# the checks themselves
# ---------------------------------------------------------------------------------------------

def dg(t):
    return 2 * t * np.tanh(t) + t ** 2 * (1 - np.tanh(t) ** 2) + 3 * t ** 2


def grad_f_z(z):
    z1, z2, z3 = z
    x1, x2 = z1 * z2 + z3, z1 - z3 ** 2
    J = np.array([[z2, z1, 1.0], [1.0, 0.0, -2 * z3]])
    return J.T @ np.array([2 * x1 * x2, x1 ** 2 + 1 - np.tanh(x2) ** 2])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 40))
def test_correct_gradients_pass_at_any_point(seed):
    check("ps1.dg", dg, seed=seed)
    check("ps1.grad_f_z", grad_f_z, seed=seed)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 40), factor=st.floats(-3, 3).filter(lambda c: abs(c - 1) > 1e-3))
def test_scaled_gradients_fail_at_any_point(seed, factor):
    with pytest.raises(AssertionError, match="∂f/∂z"):
        check("ps1.grad_f_z", lambda x: factor * grad_f_z(x), seed=seed)


@pytest.mark.parametrize("mistake,words", [
    (lambda x: -grad_f_z(x), ["sign", "3 of 3 entries"]),
    (lambda x: 2 * grad_f_z(x), ["twice"]),
    (lambda x: grad_f_z(x)[:2], ["shape (2,)", "shape (3,)"]),
    (lambda x: np.zeros(3), ["all zeros"]),
    (lambda x: grad_f_z(x) * np.array([1, 1, np.nan]), ["index [2]"]),
])
def test_messages_name_the_mistake(mistake, words):
    with pytest.raises(AssertionError) as info:
        check("ps1.grad_f_z", mistake)
    for w in words:
        assert w in str(info.value), str(info.value)


def _xor_params(value):
    return {"W1": np.full((2, 3), value), "b1": np.zeros(3), "W2": np.zeros((3, 1)),
            "b2": np.zeros(1)}


@pytest.mark.parametrize("seed", [0, 7, 12345])
def test_the_training_check_prints_its_seed_as_an_integer(seed):
    """Issue 11 point 6: ``seed = 2.06555e+09`` cannot be typed back into train_xor."""
    with pytest.raises(AssertionError) as info:
        check("ps3.xor_trained", lambda s: _xor_params(0.0), seed=seed)
    import re
    shown = re.findall(r"seed = ([^;)]+)", str(info.value))
    assert shown and all(v.isdigit() for v in shown), str(info.value)


def test_a_diverged_training_run_is_told_to_lower_the_learning_rate():
    with pytest.raises(AssertionError) as info:
        check("ps3.xor_trained", lambda s: _xor_params(np.nan))
    message = str(info.value)
    assert "diverged" in message and "lower the learning rate" in message, message
    assert "raise the learning rate" not in message and "larger" not in message, message
    # a run that did not diverge still gets the advice to train more
    with pytest.raises(AssertionError, match="raise the learning rate"):
        check("ps3.xor_trained", lambda s: _xor_params(0.0))


def test_a_share_of_entries_says_which_entries_it_is_of():
    """"wrong at 2 of 4 entries ... in 100% of entries" read as a contradiction: the share is of
    the entries that are not zero in both gradients, and the message says so."""
    g = grad_f_z(np.array([0.5, -1.0, 2.0]))
    ref = g * np.array([1.0, 0.0, 1.0])
    from helpers.gradcheck import diagnose
    message = diagnose(2 * ref, ref, name="∇f").message
    assert "100% of the non-zero entries" in message, message
    assert "% of entries" not in message, message


@pytest.mark.parametrize("answer", [
    "a string", object(), {"x": 1}, [1.0, "2"], np.array(["a", "b", "c", "d"]),
])
def test_odd_return_types_fail_with_a_message(answer):
    with pytest.raises(AssertionError, match="should be a number or a numpy array"):
        check("ps1.grad_f_z", lambda x: answer)


def test_array_subclass_is_refused_without_running_its_code():
    calls = []

    class Sneaky(np.ndarray):
        def __array_ufunc__(self, *a, **k):
            calls.append(1)
            return NotImplemented

    with pytest.raises(AssertionError, match="type Sneaky"):
        check("ps1.grad_f_z", lambda x: grad_f_z(x).view(Sneaky))
    assert calls == []


def test_inputs_mutated_by_the_student_do_not_change_the_reference():
    def mutating(x):
        g = grad_f_z(x)
        x[:] = 0.0
        return g
    check("ps1.grad_f_z", mutating)


def test_answers_from_helpers_machinery_are_refused():
    from helpers.gradcheck import numerical_gradient
    f_z = grading.forward("f_z")
    with pytest.raises(AssertionError, match="numerical_gradient"):
        check("ps1.grad_f_z", lambda x: numerical_gradient(f_z, x.copy()))


def test_forward_only_helpers_are_allowed_in_answers():
    from helpers.layers import sigmoid
    f = grading.forward("softplus_sq")

    def grad_wb(w, b, x, t):
        z = np.array(w * x + b)
        z_bar = (np.log(1 + np.exp(z)) - t) * sigmoid(z)   # softplus' = sigmoid, from helpers
        return float(z_bar * x), float(z_bar)
    check("ps1.dLdw", grad_wb)
    assert float(f(1.0, 0.0, 1.0, 0.5)) > 0


def test_every_spec_is_described_and_forward_functions_match_the_lectures():
    s = grading.specs()
    assert "ps1.grad_f_z" in s and all(isinstance(v, str) and v for v in s.values())
    assert float(grading.forward("f_xyz")(2.0, 3.0, 1.0)) == 7.0
    assert grading.forward("x_of_z")(np.array([1.0, 2.0, 3.0])).tolist() == [5.0, -8.0]
    assert float(grading.forward("g")(0.0)) == 0.0
    with pytest.raises(KeyError, match="unknown"):
        grading.describe("nope")


def test_hidden_channel_without_ask_fails():
    with pytest.raises(AssertionError, match="without a matching ask"):
        (lambda: 0).__defaults__ = ("backprop-grading:check", "ps1.dg", [12345], 1.0)
    with pytest.raises(AssertionError, match="unknown check"):
        (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.nope", [])


def test_a_seeded_point_cannot_answer_a_hidden_check():
    """The oracle attack: learn the reference at a seeded point from a visible failure, then
    answer a hidden check with a seeded request made on the hidden cell's own list."""
    with pytest.raises(AssertionError) as info:
        check("ps1.dg", lambda t: 0.0, seed=7)
    known = float(str(info.value).split("finite-difference value is ")[1].split(".\n")[0]
                  .rstrip("."))
    io = []
    (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.dg", io)

    def cheat(t):
        (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.dg", io, 7)
        return known
    answer = cheat(*io[1])
    with pytest.raises(AssertionError, match="fresh random point"):
        (lambda: 0).__defaults__ = ("backprop-grading:check", "ps1.dg", io, answer)
    # the same seeded answer is accepted by a visible (seeded) check: the oracle itself works
    io2 = []
    (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.dg", io2, 7)
    (lambda: 0).__defaults__ = ("backprop-grading:check-seeded", "ps1.dg", io2, known)


def _hidden_point(name):
    io = []
    (lambda: 0).__defaults__ = ("backprop-grading:ask", name, io)
    return io[1]


def test_hidden_points_are_fresh_except_where_a_spec_fixes_the_seed():
    """A gradient check's hidden point is new at every run; the training check's is fixed, so a
    mistake that only slows training (it fails on a few seeds in a hundred) gets the same mark
    at every regrade, and differs from the visible point."""
    assert _hidden_point("ps1.dg") != _hidden_point("ps1.dg")
    first = _hidden_point("ps3.xor_trained")
    assert first == _hidden_point("ps3.xor_trained")
    visible = []
    (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps3.xor_trained", visible, 0)
    assert first != visible[1]


def test_a_token_cannot_move_to_another_list():
    mine, hidden = [], []
    (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.dg", mine)
    (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.dg", hidden)
    hidden[:] = mine
    with pytest.raises(AssertionError, match="another list"):
        (lambda: 0).__defaults__ = ("backprop-grading:check", "ps1.dg", hidden, dg(*mine[1]))


def test_tokens_are_single_use():
    io = []
    (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.dg", io)
    answer = dg(*io[1])
    (lambda: 0).__defaults__ = ("backprop-grading:check", "ps1.dg", io, answer)
    with pytest.raises(AssertionError, match="without a matching ask"):
        (lambda: 0).__defaults__ = ("backprop-grading:check", "ps1.dg", io, answer)


def test_rebinding_module_names_in_this_process_changes_no_verdict(monkeypatch):
    """Name rebinding (the in-process part of the tampering tests).

    The names are patched only while the check runs (``monkeypatch.context``): the verdict is
    read afterwards, so neither pytest's own machinery (``re``, reporting) nor an xdist worker
    runs with ``len`` or ``range`` replaced.
    """
    import builtins

    import helpers.gradcheck
    raised = []
    with monkeypatch.context() as m:
        m.setattr(np, "allclose", lambda *a, **k: True)
        m.setattr(np, "abs", lambda x: 0 * x)
        m.setattr(np, "maximum", lambda a, b: a)
        m.setattr(np, "cos", lambda x: 0 * x)
        m.setattr(sealed, "MAGIC_CHECK", "nothing")
        m.setattr(sealed, "np", None)
        m.setattr(grading.api, "MAGIC_CHECK", "nothing")
        m.setattr(helpers.gradcheck, "numerical_gradient", lambda f, x, **k: 2 * x)
        m.setattr(helpers.gradcheck, "diagnose", lambda *a, **k: None)
        m.setattr(builtins, "abs", lambda x: 0)
        m.setattr(builtins, "range", lambda *a: [])
        m.setattr(builtins, "len", lambda x: 0)
        io = []
        (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.grad_f_z", io)
        try:
            (lambda: 0).__defaults__ = ("backprop-grading:check", "ps1.grad_f_z", io,
                                        2 * grad_f_z(io[1][0]))
        except AssertionError as exc:
            raised.append(exc)
    assert raised, "a wrong gradient passed while names were rebound"
    assert "∂f/∂z" in str(raised[0]), str(raised[0])


# ---------------------------------------------------------------------------------------------
# tampering in a real kernel
# ---------------------------------------------------------------------------------------------

WRONG_SOLUTION = "def dg(t):\n    return 2 * t\n"
# the "parent_header_in_solution" attack lives in the solution: it misroutes the error of the
# test cell that calls it (ipykernel publishes errors with the display hook's parent header)
WRONG_SOLUTION_MISROUTE = (
    "def dg(t):\n"
    "    get_ipython().displayhook.parent_header = {'msg_id': 'elsewhere'}\n"
    "    return 2 * t\n")
HIDDEN = textwrap.dedent('''
    _io = []
    (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.dg", _io)
    _answer = (dg)(*_io[1])
    (lambda: 0).__defaults__ = ("backprop-grading:check", "ps1.dg", _io, _answer, dg)
''')

TAMPERING = {
    "rebind_names": '''
        import builtins, numpy, helpers, helpers.grading, helpers.gradcheck, sys
        helpers.grading.check = lambda *a, **k: None
        helpers.grading.MAGIC_CHECK = helpers.grading.MAGIC_ASK = "x"
        numpy.allclose = lambda *a, **k: True
        numpy.abs = numpy.absolute = lambda x: 0 * x
        numpy.maximum = lambda a, b, *r, **k: a
        helpers.gradcheck.numerical_gradient = lambda f, x, **k: 2 * x
        helpers.gradcheck.diagnose = lambda *a, **k: None
        class AssertionError(Exception):
            pass
        builtins.AssertionError = AssertionError
        builtins.abs = lambda x: 0
        builtins.print = lambda *a, **k: None
        sys.modules["helpers.grading"] = type(sys)("fake")
        check = lambda *a, **k: None
    ''',
    "showtraceback": '''
        ip = get_ipython()
        ip.showtraceback = lambda *a, **k: None
        ip._showtraceback = lambda *a, **k: None
    ''',
    "showtraceback_class": '''
        type(get_ipython())._showtraceback = lambda *a, **k: None
        from IPython.core.interactiveshell import InteractiveShell
        InteractiveShell.showtraceback = lambda *a, **k: None
    ''',
    "custom_exc": '''
        get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)
    ''',
    "input_transformer": '''
        def _drop_tests(lines):
            return ["pass\\n"] if any("backprop-grading" in l for l in lines) else lines
        get_ipython().input_transformers_post.append(_drop_tests)
    ''',
    "ast_transformer": '''
        import ast
        class _Empty(ast.NodeTransformer):
            def visit_Module(self, node):
                src = ast.unparse(node)
                return ast.parse("pass") if "backprop-grading" in src else node
        get_ipython().ast_transformers.append(_Empty())
    ''',
    "remove_watchdog_then_transform": '''
        ip = get_ipython()
        ip.events.callbacks["post_run_cell"].clear()
        ip.input_transformers_post.append(
            lambda lines: ["pass\\n"] if any("backprop-grading" in l for l in lines) else lines)
    ''',
    "session_send": '''
        s = get_ipython().display_pub.session
        _orig = s.send
        def _send(stream, msg_or_type, *a, **k):
            if msg_or_type == "error":
                return None
            return _orig(stream, msg_or_type, *a, **k)
        s.send = _send
    ''',
    "kernel_do_execute": '''
        ip = get_ipython()
        def _evil():
            ip.events.callbacks["post_run_cell"].clear()
            _orig = ip.kernel.do_execute
            async def _skip(code, *a, **k):
                if "backprop-grading" in code:
                    code = "pass"
                return await _orig(code, *a, **k)
            ip.kernel.do_execute = _skip
        _evil()
    ''',
    "shell_handlers": '''
        k = get_ipython().kernel
        _orig = k.shell_handlers["execute_request"]
        async def _handler(stream, ident, parent):
            if "backprop-grading" in parent["content"]["code"]:
                parent["content"]["code"] = "pass"
            return await _orig(stream, ident, parent)
        def _evil():
            get_ipython().events.callbacks["post_run_cell"].clear()
            k.shell_handlers["execute_request"] = _handler
        _evil()
    ''',
    "parent_header_in_solution": '''
        pass
    ''',
    "stdout_swap": '''
        import sys
        class _Quiet:
            def write(self, s):
                return len(s)
            def flush(self):
                pass
        sys.stdout = sys.stderr = _Quiet()
    ''',
    "signal_frame": '''
        import signal
        def _grab(sig, frame):
            f = frame
            while f is not None:
                loc = f.f_locals
                if "spec" in loc and hasattr(loc["spec"], "keys"):
                    try:
                        loc["spec"]["judge"] = lambda args, answer: None
                    except TypeError:
                        pass
                f = f.f_back
        signal.signal(signal.SIGALRM, _grab)
        signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)
    ''',
    "traceback_frames": '''
        from helpers.grading import check
        _seen = set()
        def _poison(obj, depth=0):
            if depth > 4 or id(obj) in _seen or type(obj).__name__ != "function":
                return
            _seen.add(id(obj))
            for cell in obj.__closure__ or ():
                try:
                    v = cell.cell_contents
                except ValueError:
                    continue
                try:
                    if isinstance(v, (dict, type(type.__dict__))) and "ps1.dg" in v:
                        spec = dict(v["ps1.dg"])
                        spec["judge"] = lambda args, answer: None
                        cell.cell_contents = {"ps1.dg": spec}
                except Exception:
                    pass
                _poison(v, depth + 1)
        try:
            check("ps1.dg", lambda t: 0.0)
        except AssertionError as e:
            tb = e.__traceback__
            while tb is not None:
                for v in list(tb.tb_frame.f_locals.values()):
                    _poison(v)
                tb = tb.tb_next
    ''',
    "settrace": '''
        import sys
        def _tracer(frame, event, arg):
            return None
        sys.settrace(_tracer)
    ''',
    "gc_walk": '''
        import gc
        for o in gc.get_objects():
            pass
    ''',
}


def _kernel_env(tmp_path, grading_kernel=True):
    """Environment of a test kernel: temporary Jupyter folders; ``grading_kernel``: set
    ``BACKPROP_GRADING_KERNEL=1`` as tools/grader_kernel does (else a student's kernel)."""
    env = dict(os.environ)
    for k in ("HOME", "IPYTHONDIR", "MPLCONFIGDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
              "JUPYTER_RUNTIME_DIR"):
        env[k] = str(tmp_path / k.lower())
        os.makedirs(env[k], exist_ok=True)
    env.pop("BACKPROP_GRADING_KERNEL", None)
    if grading_kernel:
        env["BACKPROP_GRADING_KERNEL"] = "1"
    return env


def _run_in_kernel(cells, env, monkeypatch):
    """Execute code cells in a fresh python3 kernel with ``env``; return the executed notebook."""
    from nbclient import NotebookClient
    monkeypatch.delenv("BACKPROP_GRADING_KERNEL", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(src)) for src in cells]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return nb


def _errors(cell) -> list[str]:
    """The error outputs of a cell as plain text (traceback without terminal colours)."""
    import re
    return [re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(o.traceback)) for o in cell.outputs
            if o.output_type == "error"]


DEBUGGER_CELLS = [
    "import numpy as np\nimport helpers.grading\nfrom helpers.grading import check",
    # what pdb / %debug do: a trace function on the student's own code
    """
    import sys
    events = []
    def tracer(frame, event, arg):
        events.append(event)
        return tracer
    def dg(t):
        return 2 * t * np.tanh(t) + t ** 2 * (1 - np.tanh(t) ** 2) + 3 * t ** 2
    sys.settrace(tracer)
    dg(1.0)
    sys.settrace(None)
    assert "call" in events, events
    """,
    """
    profiled = []
    sys.setprofile(lambda frame, event, arg: profiled.append(event))
    dg(2.0)
    sys.setprofile(None)
    assert "call" in profiled, profiled
    """,
    "%prun -q -D /dev/null dg(3.0)",
    "import gc\nassert gc.get_objects()",
    'check("ps1.dg", dg)',  # and grading still works after a debugger ran
]


def test_a_debugger_works_in_a_students_kernel(tmp_path, monkeypatch):
    """Issue 11 point 6: a student's own kernel (and Validate) do not set
    BACKPROP_GRADING_KERNEL, so settrace (pdb, %debug), setprofile (%prun) and gc work after the
    problem set's first cell imported helpers.grading, and checks still run."""
    nb = _run_in_kernel(DEBUGGER_CELLS, _kernel_env(tmp_path, grading_kernel=False), monkeypatch)
    errors = {i: _errors(c) for i, c in enumerate(nb.cells) if _errors(c)}
    assert not errors, errors


def test_a_debugger_is_refused_in_the_grading_kernel(tmp_path, monkeypatch):
    nb = _run_in_kernel(DEBUGGER_CELLS, _kernel_env(tmp_path), monkeypatch)
    for i in (1, 2, 3, 4):  # settrace, pdb, %prun (setprofile), gc.get_objects
        assert any("disabled in the grading kernel" in e for e in _errors(nb.cells[i])), (
            i, nb.cells[i].outputs)


def test_a_failed_check_shows_the_student_the_message_not_the_machinery(tmp_path, monkeypatch):
    """The traceback of a failed visible check shows the student's line and the message; not the
    request channel (``(lambda: 0).__defaults__ = ...``) nor the hook's frame, whose arguments
    IPython cannot show (``***failed resolving arguments***``)."""
    nb = _run_in_kernel([
        "import numpy as np\nimport helpers.grading\nfrom helpers.grading import check",
        "def dg(t):\n    return 2 * t",
        'check("ps1.dg", dg)',
    ], _kernel_env(tmp_path, grading_kernel=False), monkeypatch)
    [text] = _errors(nb.cells[2])
    assert "g'(t) is wrong" in text and 'check("ps1.dg", dg)' in text, text
    for machinery in ("__defaults__", "failed resolving arguments", "hook_outer", "sealed.py"):
        assert machinery not in text, (machinery, text)


@pytest.mark.parametrize("attack", sorted(TAMPERING))
def test_tampering_cannot_make_a_wrong_hidden_check_pass(attack, tmp_path, monkeypatch):
    """In the grading kernel (BACKPROP_GRADING_KERNEL=1), where hidden tests run."""
    from nbclient import NotebookClient
    for k, v in _kernel_env(tmp_path).items():
        monkeypatch.setenv(k, v)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nimport helpers.grading"),
        nbformat.v4.new_code_cell(textwrap.dedent(TAMPERING[attack])),
        nbformat.v4.new_code_cell(WRONG_SOLUTION_MISROUTE if attack == "parent_header_in_solution"
                                  else WRONG_SOLUTION),
        nbformat.v4.new_code_cell(HIDDEN),
    ]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    outputs = nb.cells[3].outputs
    failed = [o for o in outputs if o.output_type == "error"
              or (o.output_type == "stream" and o.name == "stderr")]
    assert failed, f"{attack}: the hidden check of a wrong answer passed: {outputs}"


BENIGN = [
    "%%capture captured\nprint('hidden from the output')\nfrom IPython.display import display\n"
    "display('also captured')",
    "%matplotlib inline\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
    "ax.plot([1, 2, 3])\nplt.show()",
    "from tqdm.auto import tqdm\nfor _ in tqdm(range(3)):\n    pass",
    "%time sum(range(10))",
    "%timeit -n 1 -r 1 sum(range(10))",
    "import warnings\nwarnings.warn('a warning in a student cell')",
    "def dg(t):\n    return 2 * t * np.tanh(t) + t ** 2 * (1 - np.tanh(t) ** 2) + 3 * t ** 2\n",
    "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    import traceback\n"
    "    s = traceback.format_exc()",
]


def test_ordinary_notebook_code_is_not_refused_and_a_right_answer_passes(tmp_path, monkeypatch):
    """Control for the tampering tests: %%capture, plots, tqdm, magics do not trip the guard."""
    from nbclient import NotebookClient
    for k, v in _kernel_env(tmp_path).items():
        monkeypatch.setenv(k, v)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np\nimport helpers.grading")]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in BENIGN]
    nb.cells += [nbformat.v4.new_code_cell(HIDDEN), nbformat.v4.new_code_cell(
        'from helpers.grading import check\ncheck("ps1.dg", dg, seed=None)')]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    errors = [(i, o) for i, c in enumerate(nb.cells) for o in c.outputs
              if o.output_type == "error"]
    assert not errors, errors
    for cell in nb.cells[-2:]:
        assert not [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]


def _reference_checks():
    """(ps, name, call, namespace) for every visible check of every problem set."""
    import contextlib
    import io
    import re
    out = []
    for ps in PROBLEM_SETS:
        nb = _load(ps)
        ns = {"__name__": "__main__"}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if cell.metadata["nbgrader"]["grade"]:
                visible = cell.source.split("### BEGIN HIDDEN TESTS")[0] + "\n"
                out += [(ps, name, call, ns)
                        for name, call in re.findall(r'check\("([^"]+)", (.*?)\)\n', visible, re.S)]
            else:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(cell.source, "<cell>", "exec"), ns)
    return out


@pytest.fixture(scope="module")
def reference_checks():
    return _reference_checks()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 62))
def test_reference_solutions_pass_every_check_at_random_points(reference_checks, seed):
    """The hidden tests run at random points: a right answer must pass at any of them."""
    for _ps, name, call, ns in reference_checks:
        if name == "ps3.xor_trained" and seed % 5:
            continue  # training takes ~0.1 s; a fifth of the examples is enough
        check(name, eval(call, ns), seed=seed)


def test_a_failed_check_leaks_no_checker_frame():
    """A caught failure's traceback (or sys.last_traceback) must not lead into the checker's
    closure: the frame that raised holds only the exception."""
    private = {"state", "pending", "spec", "sealed_specs", "handle", "_impl", "real_hook",
               "data_store", "K"}
    with pytest.raises(AssertionError) as visible:
        check("ps1.dg", lambda t: 0.0)
    io = []
    (lambda: 0).__defaults__ = ("backprop-grading:ask", "ps1.dg", io)
    with pytest.raises(AssertionError) as hidden:
        (lambda: 0).__defaults__ = ("backprop-grading:check", "ps1.dg", io, 0.0)
    for error in (visible.value, hidden.value):  # the last one ends in the checker's frame
        tb = error.__traceback__
        seen = []
        while tb is not None:
            names = set(tb.tb_frame.f_locals)
            seen.append((tb.tb_frame.f_code.co_name, sorted(names)))
            assert not names & private, seen
            tb = tb.tb_next
    assert seen[-1] == ("hook_outer", ["exc"]), seen


def test_the_checker_is_installed_by_importing_helpers_grading_and_by_nothing_else():
    """``import helpers`` and its other modules install no hook; ``import helpers.grading`` (the
    problem sets' locked first cell) does, once."""
    import subprocess
    import sys
    code = textwrap.dedent('''
        def installed():
            box = []
            (lambda: 0).__defaults__ = ("backprop-grading:ping", box)
            return bool(box)
        import helpers, helpers.autograd, helpers.layers, helpers.network, helpers.gradcheck
        import helpers.data
        assert not installed(), "installed by an unrelated import"
        import helpers.grading
        assert installed() and helpers.grading.sealed.is_installed()
        assert helpers.grading.sealed.install() is False  # a second call changes nothing
        print("ok")
    ''')
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def _global_loads(code, path):
    """[(qualified name, sorted global names)] of ``code`` and each function nested in it."""
    out = []
    names = {i.argval for i in dis.get_instructions(code)
             if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    if names:
        out.append((path, sorted(names)))
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            out += _global_loads(const, f"{path}.{const.co_name}")
    return out


def test_sealed_code_looks_up_no_global_name_after_import():
    """Every function the checker runs after installation must take its names from the closure: a
    global or builtin name could have been rebound by then (``helpers.grading.sealed.np = ...``).
    ``install``'s own body runs once, before any student code, and may use globals."""
    install_only = {"take_snapshot", "Msg"}  # run once, inside install, before student code
    leaks = [(path, names) for const in sealed.install.__code__.co_consts
             if isinstance(const, types.CodeType)
             for path, names in _global_loads(const, f"install.{const.co_name}")
             if not install_only & set(path.split("."))]
    assert not leaks, leaks


def _check_module_rules(module) -> list[str]:
    """What a check module does wrong, by the rules the sealed checker needs of it (empty: none).

    1. It imports nothing and holds nothing but functions: its names are never looked up later.
    2. It has a ``build(K, T)`` returning ``(specs, forwards)`` (spec_tools: ``make_tools(K)``).
    3. No function in it, at any depth, loads a global or builtin name: everything comes from
       ``K`` or ``T`` (the checker runs these functions after the student's code).
    """
    problems = []
    tree = ast.parse(inspect_source(module))
    for node in tree.body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if not (docstring or future or isinstance(node, ast.FunctionDef)):
            problems.append(f"line {node.lineno}: a {type(node).__name__} at module level "
                            "(only a docstring and functions are allowed)")
    functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    entry = "make_tools" if module is spec_tools else "build"
    if entry not in functions:
        problems.append(f"no function {entry}()")
    for name in functions:
        for path, names in _global_loads(getattr(module, name).__code__, name):
            problems.append(f"{path} looks up the global name(s) {names}")
    return problems


def inspect_source(module) -> str:
    with open(module.__file__, encoding="utf-8") as fh:
        return fh.read()


@pytest.mark.parametrize("module", [spec_tools, *registry.check_modules()],
                         ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_check_modules_follow_the_sealed_checkers_rules(module):
    assert not _check_module_rules(module), _check_module_rules(module)


def test_the_check_module_rules_catch_a_global_lookup_an_import_and_module_state(tmp_path):
    """The rule test can fail: a module that breaks each rule once is caught three times."""
    bad = tmp_path / "ps9_bad.py"
    bad.write_text(textwrap.dedent('''
        """A check module that breaks the rules."""
        import numpy as np
        CACHE = {}


        def build(K, T):
            def judge(args, answer):
                return np.allclose(answer, 0)
            return {"ps9.x": {"judge": judge}}, {}
    '''))
    import importlib.util
    spec = importlib.util.spec_from_file_location("ps9_bad", bad)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    problems = _check_module_rules(module)
    assert any("Import" in p for p in problems), problems
    assert any("Assign" in p for p in problems), problems
    assert any("build.judge" in p and "np" in p for p in problems), problems


def test_every_check_module_is_registered_and_no_check_is_defined_twice():
    names = registry.check_module_names()
    # a check module is named after its problem set (a set that needs no new kind of check has none)
    assert names and set(names) <= set(PROBLEM_SETS), (names, PROBLEM_SETS)
    specs = grading.specs()
    for ps in names:
        prefix = ps.split("_")[0] + "."
        assert any(k.startswith(prefix) for k in specs), (ps, sorted(specs))
