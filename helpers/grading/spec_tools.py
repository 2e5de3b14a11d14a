"""Building blocks of check specs, made from a kit ``K``: gradient checks, parameter pickers and
the forward functions that several problem sets share (sigmoid, softmax, a total).

A *spec* is a dict ``{"make", "judge", "call", "label", "about", "pick"}``:

* ``make(R)`` draws the inputs of a check from a generator ``R`` (``R.uniform(lo, hi[, shape])``,
  ``R.normal(shape)``, ``R.integers(lo, hi)``) and returns them as a tuple ``args``;
* ``judge(args, answer)`` returns ``None`` when the student's ``answer`` is right, else a message;
* ``call`` says how the student's function is called (``"dg(t)"``), ``about`` what is compared;
* ``hidden_seed`` (optional, an int): the hidden test's point is drawn from this seed instead of a
  fresh one. For checks whose verdict is not a comparison with a reference value (training), so a
  fixed point reveals nothing, while a fresh one could make a regrade change a mark: a mistake
  that slows training fails on some seeds only.

The rules of a check module (``helpers/grading/ps*.py``, enforced by tests/test_grading.py) hold
here too: this module imports nothing, and every function it defines takes every name it uses
from its arguments or its closure (``K``), never from a global or builtin name, because the sealed
checker runs them after the student's code, which may have rebound any global name.
"""


def make_tools(K):
    """``{name: function}``: the shared building blocks, every one of them closed over ``K``.

    ``K`` has numpy ufuncs and C functions (``add``, ``exp``, ``log``, ``maximum``, ``array``,
    ``float64``, ...), the builtins the checks need (``list``, ``tuple``, ``dict``, ``range``,
    ``Exception``, ``float``, ``int``, ``str``) and the checker's helpers (``pick``, ``numgrad``,
    ``compare``, ...). Only ufuncs, C functions of numpy and ndarray methods implemented in C may
    be used here: numpy's Python-level functions look up patchable module globals.
    """
    add, exp, maximum, arr, f64, fl = K.add, K.exp, K.maximum, K.array, K.float64, K.float
    _list, _dict = K.list, K.dict

    def total(a):
        """The sum of every entry of ``a`` (any shape), as a float."""
        return fl(add.reduce(arr(a, dtype=f64).reshape(-1)))

    def sigmoid(z):
        return 1.0 / (1.0 + exp(-z))

    def softmax(z):
        """Row-wise softmax of ``z`` of shape ``(N, C)``."""
        e = exp(z - maximum.reduce(z, axis=1, keepdims=True))
        return e / add.reduce(e, axis=1, keepdims=True)

    def grad_spec(*, call, label, make, point, func, pick=None, diag=None, tol=1e-5, about="",
                  mistakes=None):
        """A gradient check: compares the answer (or its ``pick`` part) with
        ``numgrad(lambda v: func(args, v), point(args))``; ``diag(args)`` gives the diagnosis
        hints (``batch_size``, ``activation_grad``).

        ``mistakes(args)``, if given, lists the gradients that known mistakes produce at this
        point, as ``(kind, wrong gradient, advice)``: a failing answer that equals one of them
        gets its name and advice instead of the generic diagnosis (e.g. ``dW1`` computed without
        the activation derivative, which no elementwise comparison of ``dW1`` can recognise).
        The verdict is always the finite-difference comparison; a named mistake only changes
        the message of an answer that already failed.
        """
        def judge(args, answer):
            got = K.pick(answer, pick, call)
            ref = K.numgrad(lambda v: func(args, v), point(args))
            extra = diag(args) if diag is not None else {}
            verdict = K.compare(label, got, ref, tol=tol, **extra)
            if verdict is None or mistakes is None or K.is_message(got):
                return verdict
            return name_mistake(label, got, verdict, mistakes(args), tol)
        return {"make": make, "judge": judge, "call": call, "label": label, "about": about,
                "pick": pick}

    def name_mistake(label, got, verdict, candidates, tol=1e-6):
        """``verdict`` (a failure message for ``got``) with the mistake of the first candidate
        ``(kind, wrong gradient, advice)`` that ``got`` equals within ``tol``; ``verdict`` when
        none fits (e.g. a missing branch of a reused variable, a dropped activation
        derivative)."""
        try:
            for kind, wrong, advice in candidates:
                if K.compare(label, got, wrong, tol=tol) is None:
                    head = verdict.split("\nLikely mistake")[0].rstrip(".")
                    return K.join([f"{head}.", f"Likely mistake ({kind}): {advice}"])
        except K.Exception:  # noqa: BLE001 - a broken list of mistakes must not hide the failure
            pass
        return verdict

    def param(i, loss):
        """``(point, func)`` for the gradient of ``loss(*args)`` with respect to ``args[i]``."""
        def point(args):
            return args[i]

        def func(args, v):
            a = _list(args)
            a[i] = v
            return loss(*a)
        return point, func

    def dict_param(i, key, loss):
        """``(point, func)`` for the gradient of ``loss(*args)`` with respect to ``args[i][key]``
        (``args[i]`` is a dict of parameters)."""
        def point(args):
            return args[i][key]

        def func(args, v):
            a = _list(args)
            d = _dict(a[i])
            d[key] = v
            a[i] = d
            return loss(*a)
        return point, func

    def diverged(P):
        """True when a dict of parameter arrays holds a NaN or an infinity (training blew up)."""
        for v in P.values():
            if not K.logical_and.reduce(K.isfinite(v).reshape(-1)):
                return True
        return False

    return {"total": total, "sigmoid": sigmoid, "softmax": softmax, "grad_spec": grad_spec,
            "param": param, "dict_param": dict_param, "diverged": diverged,
            "name_mistake": name_mistake}
