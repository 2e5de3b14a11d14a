"""Building blocks of check specs, made from a kit ``K``: gradient checks, parameter pickers and
the forward functions that several problem sets share (sigmoid, softmax, a total).

A *spec* is a dict ``{"make", "judge", "call", "label", "about", "pick"}``:

* ``make(R)`` draws the inputs of a check from a generator ``R`` (``R.uniform(lo, hi[, shape])``,
  ``R.normal(shape)``, ``R.integers(lo, hi)``) and returns them as a tuple ``args``;
* ``judge(args, answer)`` returns ``None`` when the student's ``answer`` is right, else a message;
* ``call`` says how the student's function is called (``"dg(t)"``), ``about`` what is compared.

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

    def name_known_mistake(label, got, message, wrong_answers, tol):
        """``message`` with its diagnosis replaced by the first of ``wrong_answers`` (a list of
        ``(wrong value, kind, advice)``: what a known mistake returns at this point) that ``got``
        equals; ``message`` unchanged when none does."""
        for wrong, kind, advice in wrong_answers:
            if K.compare(label, got, wrong, tol=tol) is None:
                head = message.split("\nLikely mistake")[0]
                return K.join([head, f"Likely mistake ({kind}): {advice}"])
        return message

    def grad_spec(*, call, label, make, point, func, pick=None, diag=None, known=None, tol=1e-5,
                  about=""):
        """A gradient check: compares the answer (or its ``pick`` part) with
        ``numgrad(lambda v: func(args, v), point(args))``; ``diag(args)`` gives the diagnosis
        hints (``batch_size``, ``activation_grad``); ``known(args)`` lists the known mistakes of
        this check, ``[(what the mistake returns at args, kind, advice), ...]``, named when the
        answer equals one of them (e.g. a missing branch of a reused variable)."""
        def judge(args, answer):
            got = K.pick(answer, pick, call)
            ref = K.numgrad(lambda v: func(args, v), point(args))
            extra = diag(args) if diag is not None else {}
            message = K.compare(label, got, ref, tol=tol, **extra)
            if message is None or known is None or K.is_message(got):
                return message
            return name_known_mistake(label, got, message, known(args), tol)
        return {"make": make, "judge": judge, "call": call, "label": label, "about": about,
                "pick": pick}

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
            "name_known_mistake": name_known_mistake}
