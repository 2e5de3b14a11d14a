"""A scalar autograd engine: every number remembers how it was made, so ``backward()`` can apply the
chain rule for us.

The idea in three lines: an operation on :class:`Value` objects returns a new ``Value`` that keeps
its inputs (``parents``) and the *local* derivatives d(output)/d(parent), evaluated at the forward
values. ``backward()`` visits the nodes from the output back to the inputs (a reversed topological
order) and adds ``local derivative * grad of the output`` into each parent: the chain rule, with the
sum over paths done by ``+=``.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x          # y = x^2 + 3x
    >>> y.backward()
    >>> x.grad                     # dy/dx = 2x + 3
    7.0

Compared with micrograd, which this engine follows in spirit:

* the local derivatives are stored as numbers on the node (``node.local``) instead of in a closure,
  so nodes hold no reference cycles, are freed at once, and backward is one short loop; a node is
  one small object (``__slots__``), which keeps Python's cycle collector from dominating big graphs;
* the topological sort is iterative: graphs of a million nodes need no recursion;
* ``backward()`` propagates only the gradient of *this* call, then adds it to what was there, so
  gradients accumulate like PyTorch's (also for two losses sharing a graph); ``zero_grad()`` resets;
* ``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu`` and direct ``-`` and ``/`` are built in;
* ``sigmoid`` and ``tanh`` are finite and exact for any input (±1000 included, gradient 0 there);
  ``exp`` of more than about 709.78 does not fit in a float and raises ``OverflowError`` with a
  message, instead of a bare "math range error"; ``log`` of x <= 0 raises ``ValueError``.

A tiny :class:`Neuron` / :class:`Layer` / :class:`MLP` on top builds networks out of ``Value``\\ s.
This module imports nothing of ours.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["Value", "topological_order", "Neuron", "Layer", "MLP"]

_EXP_MAX = math.log(np.finfo(float).max)  # 709.78...: exp of anything larger overflows


def _as_float(data, what: str = "Value") -> float:
    """Turn a real number (int, float, numpy scalar or 0-d array) into a float, or explain."""
    if isinstance(data, Value):
        raise TypeError(f"{what} expects a plain number, but got a Value ({data!r}); "
                        "use the Value itself, or its .data")
    if isinstance(data, bool) or not isinstance(data, numbers.Real | np.ndarray):
        raise TypeError(f"{what} expects a real number (int or float), but got "
                        f"{type(data).__name__} {data!r}")
    if isinstance(data, np.ndarray):
        if data.ndim != 0 or not np.issubdtype(data.dtype, np.number) \
                or np.issubdtype(data.dtype, np.complexfloating):
            raise TypeError(f"{what} expects a single real number, but got an array of shape "
                            f"{data.shape} and dtype {data.dtype}")
    return float(data)


class Value:
    """A scalar in a computational graph: its value, its gradient, and how it was made.

    Args:
        data: a real number (int, float or numpy scalar); stored as a Python float.
        label: an optional name, shown by ``helpers.plots.draw_graph``.

    Attributes:
        data (float): the forward value.
        grad (float): dL/d(this node) after ``L.backward()``; 0.0 until then.
        op (str): the operation that made the node: ``""`` for a leaf, else ``"+"``, ``"-"``,
            ``"*"``, ``"/"``, ``"neg"``, ``"**2"`` (the exponent is part of the name), ``"exp"``,
            ``"log"``, ``"tanh"``, ``"sigmoid"`` or ``"relu"``.
        label (str): the name given to the node (``""`` if none).
        parents (tuple[Value, ...]): the inputs the node was made from (``()`` for a leaf).
        local (tuple[float, ...]): d(this)/d(parent) for each parent, at the forward values.

    Every operation has at most two inputs, so a node stores them in two slots, ``_a`` and ``_b``
    (``None`` when absent), next to the local derivatives ``_da`` = d(node)/d(a) and
    ``_db`` = d(node)/d(b). No closures, no tuples: one small object per node.

    Example:
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> c = (a * b).tanh()
        >>> c.backward()
        >>> round(a.grad, 7)    # (1 - tanh(ab)^2) * b
        -7.37e-05
    """

    __slots__ = ("data", "grad", "op", "label", "_a", "_da", "_b", "_db")

    def __init__(self, data, label: str = "", _a: Value | None = None, _da: float = 0.0,
                 _b: Value | None = None, _db: float = 0.0, _op: str = ""):
        if data.__class__ is not float:  # the fast path: every operation below makes floats
            data = _as_float(data)
        self.data = data
        self.grad = 0.0
        self.label = label
        self.op = _op
        self._a, self._da = _a, _da   # first input and d(self)/d(_a)
        self._b, self._db = _b, _db   # second input and d(self)/d(_b)

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs this node was made from: ``()``, ``(a,)`` or ``(a, b)``."""
        if self._a is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    @property
    def local(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each of ``parents``, evaluated at the forward values."""
        return (self._da, self._db)[:len(self.parents)]

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g}{op})"

    # -- arithmetic: Value(result, label, a, d result/da, b, d result/db, op) --------------------
    def __add__(self, other) -> Value:
        other = other if isinstance(other, Value) else _constant(other, "+")
        return Value(self.data + other.data, "", self, 1.0, other, 1.0, "+")

    def __sub__(self, other) -> Value:
        other = other if isinstance(other, Value) else _constant(other, "-")
        return Value(self.data - other.data, "", self, 1.0, other, -1.0, "-")

    def __mul__(self, other) -> Value:
        other = other if isinstance(other, Value) else _constant(other, "*")
        return Value(self.data * other.data, "", self, other.data, other, self.data, "*")

    def __truediv__(self, other) -> Value:
        other = other if isinstance(other, Value) else _constant(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by a Value equal to 0 ({other!r})")
        inv = 1.0 / other.data
        return Value(self.data * inv, "", self, inv, other, -self.data * inv * inv, "/")

    def __pow__(self, k) -> Value:
        if isinstance(k, Value) or isinstance(k, bool) or not isinstance(k, numbers.Real):
            raise TypeError(f"Value ** k needs a plain number k (int or float), but got "
                            f"{type(k).__name__} {k!r}; for a Value exponent k write "
                            "(k * x.log()).exp()")
        k = float(k)
        x = self.data
        if x < 0 and not k.is_integer():
            raise ValueError(f"Value ** {k:g}: a negative base ({x:g}) to a non-integer power "
                             "is not a real number")
        if x == 0 and k < 0:
            raise ZeroDivisionError(f"Value ** {k:g}: 0 to a negative power is undefined")
        if k == 0:
            local = 0.0
        elif x == 0 and k < 1:   # e.g. sqrt at 0: infinite slope, as in PyTorch
            local = math.inf
        else:
            local = k * x ** (k - 1)
        return Value(x ** k, "", self, local, None, 0.0, f"**{k:g}")

    def __neg__(self) -> Value:
        return Value(-self.data, "", self, -1.0, None, 0.0, "neg")

    def __radd__(self, other) -> Value:   # other + self, e.g. 1 + x or sum([...])
        return _constant(other, "+") + self

    def __rsub__(self, other) -> Value:   # other - self, e.g. 1 - x
        return _constant(other, "-") - self

    def __rmul__(self, other) -> Value:   # other * self, e.g. 2 * x
        return _constant(other, "*") * self

    def __rtruediv__(self, other) -> Value:  # other / self, e.g. 1 / x
        return _constant(other, "/") / self

    # -- elementary functions ----------------------------------------------------------------------
    def exp(self) -> Value:
        """e**x; raises ``OverflowError`` for x > 709.78 (the result would not fit in a float)."""
        x = self.data
        if x > _EXP_MAX:
            raise OverflowError(f"exp({x:g}) is larger than the largest float (about 1.8e308, "
                                f"reached at x = {_EXP_MAX:.2f}); use sigmoid/tanh, or subtract "
                                "the maximum first (log-sum-exp)")
        e = math.exp(x)
        return Value(e, "", self, e, None, 0.0, "exp")

    def log(self) -> Value:
        """Natural logarithm; raises ``ValueError`` for x <= 0."""
        x = self.data
        if not x > 0:
            raise ValueError(f"log needs a positive input, but got {x!r}")
        return Value(math.log(x), "", self, 1.0 / x, None, 0.0, "log")

    def tanh(self) -> Value:
        """tanh(x), finite for any x; d tanh = 1 - tanh^2 (exactly 0 for |x| > 19.1)."""
        t = math.tanh(self.data)
        return Value(t, "", self, 1.0 - t * t, None, 0.0, "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x), computed without overflow for any x; d sigmoid = s (1 - s)."""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value(s, "", self, s * (1.0 - s), None, 0.0, "sigmoid")

    def relu(self) -> Value:
        """max(0, x); the derivative at exactly 0 is taken as 0."""
        x = self.data
        return Value(x if x > 0 else 0.0, "", self, 1.0 if x > 0 else 0.0, None, 0.0, "relu")

    # -- the chain rule ----------------------------------------------------------------------------
    def backward(self) -> None:
        """Add dself/dnode to ``node.grad`` for every node of the graph below ``self``.

        Gradients accumulate (like PyTorch): call ``zero_grad()`` between steps. Only the gradient
        of this call is propagated, so calling backward on two outputs that share nodes adds up
        both gradients correctly.

        Example:
            >>> x = Value(3.0); y = x * x
            >>> y.backward(); y.backward()
            >>> x.grad        # 2 * (2x)
            12.0
        """
        order = topological_order(self)
        previous = [node.grad for node in order]
        if any(previous):                     # start from 0, add the old gradients back at the end
            for node in order:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):          # every node before its inputs
            a = node._a
            if a is not None:                 # chain rule: d/da += d(node)/da * d/d(node)
                a.grad += node._da * node.grad
                b = node._b
                if b is not None:
                    b.grad += node._db * node.grad
        if any(previous):
            for node, old in zip(order, previous):
                node.grad += old

    def zero_grad(self) -> None:
        """Set ``grad`` to 0.0 on this node and every node it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0


def _constant(x, op: str) -> Value:
    """Wrap a plain number that meets a Value in an operation (as a leaf), or explain."""
    try:
        return Value(x)
    except TypeError:
        raise TypeError(f"unsupported operand for {op} with a Value: {type(x).__name__} {x!r}; "
                        "expected a Value or a real number") from None


def topological_order(root: Value) -> list[Value]:
    """All nodes of the graph below ``root``, each after all of its parents (leaves first).

    Iterative depth-first search, so deep graphs (a chain of a million additions) need no
    recursion. Each node appears once, however many times it is used.

    Args:
        root: the output node.

    Returns:
        list[Value]: ``root`` is last.

    Example:
        >>> x = Value(1.0, label="x"); y = x * x; z = y + x
        >>> [n.op or n.label for n in topological_order(z)]
        ['x', '*', '+']
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order expects a Value, but got {type(root).__name__}")
    order: list[Value] = []
    seen = {root}
    stack = [root]
    while stack:
        node = stack[-1]
        a, b = node._a, node._b
        if a is not None and a not in seen:     # go deeper first: inputs come before the node
            seen.add(a)
            stack.append(a)
        elif b is not None and b not in seen:
            seen.add(b)
            stack.append(b)
        else:                                   # both inputs are already in `order`
            order.append(stack.pop())
    return order


# -- a tiny neural network library on top ---------------------------------------------------------
_NONLINEARITIES = ("tanh", "relu", "sigmoid", "linear")


class _Module:
    """What Neuron, Layer and MLP share: ``parameters()`` and ``zero_grad()``."""

    def parameters(self) -> list[Value]:
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0."""
        for p in self.parameters():
            p.grad = 0.0


def _rng(rng) -> np.random.Generator:
    if rng is None or isinstance(rng, numbers.Integral):
        return np.random.default_rng(0 if rng is None else int(rng))
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(f"rng must be None, an int seed or a np.random.Generator, but got "
                    f"{type(rng).__name__}")


class Neuron(_Module):
    """One neuron: ``act(sum_i w_i x_i + b)`` with weights drawn uniformly from [-1, 1].

    Args:
        nin: number of inputs.
        nonlin: ``"tanh"`` (default), ``"relu"``, ``"sigmoid"`` or ``"linear"``.
        rng: an int seed or an ``np.random.Generator`` (default: seed 0).

    Example:
        >>> n = Neuron(2, rng=0)
        >>> out = n([1.0, -2.0])      # a Value
        >>> len(n.parameters())
        3
    """

    def __init__(self, nin: int, nonlin: str = "tanh", rng=None):
        if isinstance(nin, bool) or not isinstance(nin, numbers.Integral) or nin < 1:
            raise ValueError(f"nin must be a positive int, but got {nin!r}")
        if nonlin not in _NONLINEARITIES:
            raise ValueError(f"nonlin must be one of {_NONLINEARITIES}, but got {nonlin!r}")
        rng = _rng(rng)
        self.w = [Value(float(w), label=f"w{i}") for i, w in enumerate(rng.uniform(-1, 1, nin))]
        self.b = Value(0.0, label="b")
        self.nonlin = nonlin

    def __call__(self, x: Sequence) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"this neuron expects {len(self.w)} inputs, but got {len(x)}")
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        if self.nonlin == "linear":
            return act
        return getattr(act, self.nonlin)()

    def parameters(self) -> list[Value]:
        """The weights, then the bias."""
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, {self.nonlin!r})"


class Layer(_Module):
    """``nout`` neurons that see the same inputs; returns a list of ``nout`` Values.

    Example:
        >>> layer = Layer(2, 3, rng=0)
        >>> outs = layer([1.0, 0.5])
        >>> len(outs), len(layer.parameters())
        (3, 9)
    """

    def __init__(self, nin: int, nout: int, nonlin: str = "tanh", rng=None):
        if isinstance(nout, bool) or not isinstance(nout, numbers.Integral) or nout < 1:
            raise ValueError(f"nout must be a positive int, but got {nout!r}")
        rng = _rng(rng)
        self.neurons = [Neuron(nin, nonlin, rng) for _ in range(nout)]

    def __call__(self, x: Sequence) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        n = self.neurons[0]
        return f"Layer({len(n.w)}, {len(self.neurons)}, {n.nonlin!r})"


class MLP(_Module):
    """A multi-layer perceptron: ``nonlin`` on the hidden layers, the last layer linear.

    Args:
        nin: number of inputs.
        nouts: sizes of the layers, e.g. ``[4, 1]`` for a 2-4-1 net when ``nin=2``.
        rng: an int seed or an ``np.random.Generator`` (default: seed 0).
        nonlin: activation of the hidden layers (``"tanh"`` by default).

    Calling the MLP on a list of ``nin`` numbers or Values returns a Value if the last layer has
    one neuron, else a list of Values.

    Example:
        >>> net = MLP(2, [4, 1], rng=0)
        >>> out = net([1.0, 0.0]); loss = (out - 1) ** 2
        >>> loss.backward()
        >>> len(net.parameters())     # (2*4 + 4) + (4*1 + 1)
        17
    """

    def __init__(self, nin: int, nouts: Iterable[int], rng=None, nonlin: str = "tanh"):
        nouts = list(nouts)
        if not nouts:
            raise ValueError("nouts must list at least one layer size, e.g. [4, 1]")
        rng = _rng(rng)
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin if i < len(nouts) - 1 else "linear",
                             rng) for i in range(len(nouts))]

    def __call__(self, x: Sequence) -> Value | list[Value]:
        x = [xi if isinstance(xi, Value) else Value(xi) for xi in x]  # one leaf per input
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP({', '.join(map(repr, self.layers))})"
