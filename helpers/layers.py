"""Vectorised layers and losses, each with a hand-written ``forward`` and ``backward``.

Conventions (the same in every class here, CS231n style):

* A batch is a matrix ``X`` of shape ``(N, D)``: one sample per row. A linear layer computes
  ``Z = X @ W + b`` with ``W`` of shape ``(D, M)`` and ``b`` of shape ``(M,)``.
* ``forward(X) -> Y`` remembers what ``backward`` needs (the "cache").
* ``backward(dY) -> dX`` takes ``dY`` = ∂L/∂Y (same shape as ``Y``) and returns ``dX`` = ∂L/∂X
  (same shape as ``X``). Gradients of parameters go into ``layer.grads`` under the same keys as
  ``layer.params`` (``{"W": ..., "b": ...}``); a second ``backward`` overwrites them (no adding).
* A layer keeps the dtype it was made with: float32 stays float32, float64 stays float64
  (use float64 for gradient checks). Floating-point input of another precision is converted.
* Losses are means over the batch: ``forward(pred, target) -> float`` and ``backward() -> dpred``.

Example::

    >>> import numpy as np
    >>> lin, act = Linear(3, 2, rng=0, dtype=np.float64), ReLU()
    >>> X = np.ones((4, 3))
    >>> H = act.forward(lin.forward(X))           # (4, 2)
    >>> dX = lin.backward(act.backward(np.ones_like(H)))
    >>> dX.shape, lin.grads["W"].shape
    ((4, 3), (3, 2))
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Linear",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "sigmoid",
    "softmax",
    "log_softmax",
    "one_hot",
    "SoftmaxCrossEntropy",
    "MSE",
    "BinaryCrossEntropy",
]


# ----------------------------------------------------------------------------------------------
# input checks shared by the classes below
# ----------------------------------------------------------------------------------------------

def _who(who) -> str:
    """Name of the caller for messages: a string, or ``(object, "method")`` formatted lazily
    (so that the fast path of every forward/backward builds no strings)."""
    return who if isinstance(who, str) else f"{who[0]!r}.{who[1]}"


def _as_float_array(x, who, name: str, dtype=None) -> np.ndarray:
    """``x`` as a floating-point array (of ``dtype`` if given); a clear error for anything else."""
    if type(x) is np.ndarray and x.dtype.kind == "f" and (dtype is None or x.dtype == dtype):
        return x  # the fast path taken in training
    x = np.asarray(x)
    if x.dtype.kind != "f":
        raise TypeError(
            f"{_who(who)} expected a floating-point {name}, got dtype {x.dtype}; "
            f"convert it first, e.g. {name}.astype(np.float32)"
        )
    if dtype is not None and x.dtype != dtype:
        x = x.astype(dtype)
    return x


def _check_shape(x: np.ndarray, expected: tuple, who, name: str) -> None:
    """Raise if ``x.shape`` differs from ``expected`` (``None`` entries match anything)."""
    shape = x.shape
    if len(shape) == len(expected):
        for e, n in zip(expected, shape):
            if e is not None and e != n:
                break
        else:
            return
    shown = "(" + ", ".join("N" if e is None else str(e) for e in expected)
    shown += ",)" if len(expected) == 1 else ")"
    hint = ""
    if x.ndim == len(expected) - 1 and len(expected) == 2:
        hint = f"; for a single sample use {name}[None, :] (or {name}.reshape(1, -1))"
    raise ValueError(f"{_who(who)} expected {name} of shape {shown}, got {shape}{hint}")


def _need_cache(cache, owner) -> None:
    """``owner`` is the layer (or its name) whose backward was called."""
    if cache is None:
        name = owner if isinstance(owner, str) else repr(owner)
        raise RuntimeError(f"{name}.backward called before forward: call forward first")


def _rng(rng) -> np.random.Generator:
    """``None`` -> seed 0 (reproducible), int -> that seed, Generator -> itself."""
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be None, an int seed or np.random.Generator, got {type(rng).__name__}"
    )


# ----------------------------------------------------------------------------------------------
# elementwise functions
# ----------------------------------------------------------------------------------------------

def sigmoid(z):
    """Logistic function σ(z) = 1 / (1 + exp(−z)), elementwise, without overflow.

    Args:
        z: array of any shape (or a float). Keeps its floating dtype.

    Returns:
        σ(z), same shape; σ'(z) = σ(z) (1 − σ(z)).

    Example:
        >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
        array([0. , 0.5, 1. ])
    """
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def softmax(z):
    """Row-wise softmax, stable for large logits: exp(z − max) / Σ exp(z − max).

    Args:
        z: logits of shape ``(N, C)`` (or ``(C,)``); the softmax is taken over the last axis.

    Returns:
        probabilities, same shape and dtype; every row sums to 1.

    Example:
        >>> softmax(np.array([[1000.0, 1000.0]]))
        array([[0.5, 0.5]])
    """
    z = _as_float_array(z, "softmax", "z")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def log_softmax(z):
    """Row-wise log of the softmax, stable: (z − max) − log Σ exp(z − max).

    Args:
        z: logits of shape ``(N, C)`` (or ``(C,)``), over the last axis.

    Returns:
        log-probabilities, same shape and dtype (all ≤ 0, finite even for logits of ±1000).

    Example:
        >>> log_softmax(np.array([0.0, 0.0]))
        array([-0.69314718, -0.69314718])
    """
    z = _as_float_array(z, "log_softmax", "z")
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def one_hot(y, num_classes: int = 10, dtype=np.float64):
    """Integer labels to one-hot rows.

    Args:
        y: integer labels of shape ``(N,)`` with values in ``0 .. num_classes-1``.
        num_classes: C, the number of classes.
        dtype: dtype of the result.

    Returns:
        array of shape ``(N, C)``: row n is all zeros except a 1 in column ``y[n]``.

    Example:
        >>> one_hot(np.array([0, 2]), 3)
        array([[1., 0., 0.],
               [0., 0., 1.]])
    """
    y = _check_labels(y, num_classes, "one_hot")
    out = np.zeros((y.shape[0], num_classes), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out


def _check_labels(y, num_classes: int, who: str, n: int | None = None) -> np.ndarray:
    """Integer labels ``(N,)`` in range, or a clear error."""
    if type(y) is not np.ndarray:
        y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"{who} expected integer class labels, got dtype {y.dtype}; use y.astype(int)"
        )
    if y.ndim != 1 or (n is not None and y.shape[0] != n):
        _check_shape(y, (n,), who, "y")
    # one reduction finds both kinds of bad label: seen as unsigned, negative labels are huge
    if y.size and np.maximum.reduce(y.view(f"u{y.itemsize}")) >= num_classes:
        bad = y[(y < 0) | (y >= num_classes)][0]
        raise ValueError(
            f"{who} expected labels in 0..{num_classes - 1} ({num_classes} classes), "
            f"got label {bad}"
        )
    return y


# ----------------------------------------------------------------------------------------------
# layers
# ----------------------------------------------------------------------------------------------

class Linear:
    """Fully connected layer ``Z = X @ W + b``.

    Args:
        in_features: D, the number of inputs per sample.
        out_features: M, the number of outputs per sample.
        rng: ``None`` (seed 0), an int seed or an ``np.random.Generator`` for the initial weights.
        dtype: ``np.float32`` (fast) or ``np.float64`` (gradient checks).
        init: ``"he"`` (normal, std √(2/D), for ReLU), ``"xavier"`` (normal, std √(2/(D+M)),
            for tanh/sigmoid), ``"zeros"``, or a float used as the std of a normal.

    Shapes:
        ``params["W"]`` (D, M), ``params["b"]`` (M,); ``forward``: X (N, D) -> Z (N, M);
        ``backward``: dZ (N, M) -> dX (N, D), and ``grads["W"] = X.T @ dZ`` (D, M),
        ``grads["b"] = dZ.sum(axis=0)`` (M,).

    Example:
        >>> lin = Linear(784, 128)
        >>> lin.forward(np.zeros((32, 784), np.float32)).shape
        (32, 128)
    """

    def __init__(self, in_features: int, out_features: int, rng=None, dtype=np.float32,
                 init="he"):
        for name, v in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"Linear expected a positive int {name}, got {v!r}")
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise TypeError(f"Linear expected a floating dtype, got {self.dtype}")
        D, M = int(in_features), int(out_features)
        if init == "he":
            std = np.sqrt(2.0 / D)
        elif init == "xavier":
            std = np.sqrt(2.0 / (D + M))
        elif init == "zeros":
            std = 0.0
        elif isinstance(init, (int, float)) and not isinstance(init, bool):
            std = float(init)
        else:
            raise ValueError(
                f"Linear init must be 'he', 'xavier', 'zeros' or a float, got {init!r}"
            )
        W = _rng(rng).standard_normal((D, M)) * std
        self.params = {"W": W.astype(self.dtype), "b": np.zeros(M, dtype=self.dtype)}
        self.grads = {"W": np.zeros((D, M), self.dtype), "b": np.zeros(M, self.dtype)}
        self.in_features, self.out_features = D, M
        self._X = None

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"

    def forward(self, X):
        """X (N, D) -> Z = X @ W + b (N, M); caches X for backward."""
        X = _as_float_array(X, (self, "forward"), "X", self.dtype)
        if X.ndim != 2 or X.shape[1] != self.in_features:
            _check_shape(X, (None, self.in_features), (self, "forward"), "X")
        self._X = X
        Z = X @ self.params["W"]
        Z += self.params["b"]
        return Z

    def backward(self, dZ, need_dX: bool = True):
        """dZ (N, M) -> dX = dZ @ W.T (N, D); stores grads["W"] (D, M) and grads["b"] (M,).

        ``need_dX=False`` skips the product for dX (returns ``None``): the first layer of a
        network does not need the gradient with respect to the data.
        """
        X = self._X
        _need_cache(X, self)
        dZ = _as_float_array(dZ, (self, "backward"), "dZ", self.dtype)
        if dZ.shape != (X.shape[0], self.out_features):
            _check_shape(dZ, (X.shape[0], self.out_features), (self, "backward"), "dZ")
        np.matmul(X.T, dZ, out=self.grads["W"])
        np.add.reduce(dZ, axis=0, out=self.grads["b"])  # the bias gradient: sum over the batch
        return dZ @ self.params["W"].T if need_dX else None


class _ParameterFree:
    """A layer or loss without parameters: ``params`` and ``grads`` are empty dicts (so that a
    network can walk every layer's parameters alike)."""

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}


class _Elementwise(_ParameterFree):
    """Shared plumbing of the parameter-free elementwise layers."""

    def __init__(self):
        super().__init__()
        self._Y = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def _check_dY(self, dY):
        who = (self, "backward")
        _need_cache(self._Y, self)
        dY = _as_float_array(dY, who, "dY", self._Y.dtype)
        if dY.shape != self._Y.shape:
            raise ValueError(
                f"{who} expected dY of shape {self._Y.shape} (the shape of the last forward "
                f"output), got {dY.shape}"
            )
        return dY

    def forward(self, X):
        """X -> f(X), same shape; caches the output (the derivative is computed from it)."""
        X = _as_float_array(X, (self, "forward"), "X")
        self._Y = self._function(X)
        return self._Y

    def backward(self, dY):
        """dY -> dY * f'(X), same shape, with f'(X) written in terms of the cached output."""
        return self._chain(self._check_dY(dY), self._Y)


class ReLU(_Elementwise):
    """Rectified linear unit ``Y = max(X, 0)``; ``dX = dY * (X > 0)``.

    Shapes: any; ``Y``, ``dX`` have the shape of ``X``. (At X = 0 the derivative is taken as 0.)

    Args:
        inplace: overwrite the forward input with ``Y`` and the backward input with ``dX``
            (saves memory traffic; ``Sequential`` built by ``mlp`` uses it, where those arrays
            are temporaries of the neighbouring layers). Default ``False``: inputs untouched.

    Example:
        >>> ReLU().forward(np.array([[-1.0, 2.0]]))
        array([[0., 2.]])
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def __repr__(self) -> str:
        return "ReLU(inplace=True)" if self.inplace else "ReLU()"

    def forward(self, X):
        """X -> max(X, 0), same shape; caches the output (its sign pattern is the mask)."""
        X = _as_float_array(X, (self, "forward"), "X")
        self._Y = np.maximum(X, 0, out=X if self.inplace else None)
        return self._Y

    def backward(self, dY):
        """dY -> dY * (Y > 0), same shape."""
        dY = self._check_dY(dY)
        # multiply by the mask where the unit was active; zero elsewhere
        return np.multiply(dY, self._Y > 0, out=dY if self.inplace else None)


class Sigmoid(_Elementwise):
    """Logistic layer ``Y = σ(X)`` (see :func:`sigmoid`); ``dX = dY * Y * (1 − Y)``.

    Shapes: any; ``Y``, ``dX`` have the shape of ``X``. Example:
    ``Sigmoid().forward(np.array([0.0]))`` is ``array([0.5])``.
    """

    _function = staticmethod(sigmoid)
    _chain = staticmethod(lambda dY, Y: dY * Y * (1 - Y))   # σ' = σ (1 − σ)


class Tanh(_Elementwise):
    """Hyperbolic tangent layer ``Y = tanh(X)``; ``dX = dY * (1 − Y²)``, any shape.

    Example:
        >>> Tanh().forward(np.array([0.0]))
        array([0.])
    """

    _function = staticmethod(np.tanh)
    _chain = staticmethod(lambda dY, Y: dY * (1 - Y * Y))   # tanh' = 1 − tanh²


# ----------------------------------------------------------------------------------------------
# losses (means over the batch)
# ----------------------------------------------------------------------------------------------

class SoftmaxCrossEntropy(_ParameterFree):
    """Softmax followed by cross-entropy, fused (stable, and the backward is one line).

    ``L = −(1/N) Σ_n Σ_c T[n, c] log softmax(Z)[n, c]``, and ∂L/∂Z = (softmax(Z) − T) / N.

    ``forward(logits, y) -> float``: logits ``(N, C)``; ``y`` either integer labels ``(N,)`` in
    ``0..C-1`` or target rows ``(N, C)`` (one-hot, or any probabilities summing to 1).
    ``backward() -> dlogits`` of shape ``(N, C)``. After ``forward``, ``self.probs`` holds
    softmax(logits) ``(N, C)``.

    Example:
        >>> loss = SoftmaxCrossEntropy()
        >>> round(loss.forward(np.zeros((2, 4)), np.array([0, 3])), 4)   # log 4
        1.3863
        >>> loss.backward()[0]
        array([-0.375,  0.125,  0.125,  0.125])
    """

    def __init__(self):
        super().__init__()
        self.probs = None
        self._y = None

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"

    def forward(self, logits, y) -> float:
        """Mean cross-entropy of softmax(logits) (N, C) against labels (N,) or targets (N, C)."""
        who = "SoftmaxCrossEntropy.forward"
        Z = _as_float_array(logits, who, "logits")
        if Z.ndim != 2:
            _check_shape(Z, (None, None), who, "logits")
        N, C = Z.shape
        if type(y) is not np.ndarray:
            y = np.asarray(y)
        if y.ndim == 2:
            T = _as_float_array(y.astype(Z.dtype) if y.dtype.kind in "biu" else y, who,
                                "y (one-hot targets)", Z.dtype)
            _check_shape(T, (N, C), who, "y")
            sums = T.sum(axis=1)
            if T.min(initial=0) < 0 or not np.allclose(sums, 1, atol=1e-3):
                n = int(np.argmax(np.abs(sums - 1)))
                raise ValueError(
                    f"{who} expected one-hot (or probability) target rows that sum to 1, "
                    f"row {n} sums to {sums[n]:.4g}"
                )
        else:
            T = _check_labels(y, C, who, N)
        # Work on the transpose (C, N): the reductions over the few classes then run along
        # long contiguous rows, which numpy does several times faster than along short rows.
        e = Z.T.copy()
        e -= np.maximum.reduce(e, axis=0)  # shift each sample's logits so that the max is 0
        if T.ndim == 1:
            picked = e[T, np.arange(N)]  # shifted logit of the right class, per sample
        else:
            picked = np.einsum("nc,cn->n", T, e)
        np.exp(e, out=e)
        s = np.add.reduce(e, axis=0)
        e /= s
        self.probs, self._y = e.T, T  # probs (N, C), a view of the (C, N) array
        # -log p[n, y_n] = log s_n - shifted[n, y_n]; mean over the batch
        return float((np.add.reduce(np.log(s)) - np.add.reduce(picked)) / N)

    def backward(self):
        """dlogits = (softmax(logits) − onehot(y)) / N, shape (N, C)."""
        _need_cache(self.probs, "SoftmaxCrossEntropy")
        N = self.probs.shape[0]
        if self._y.ndim == 2:
            return (self.probs - self._y) / N
        d = self.probs / N
        d[np.arange(N), self._y] -= 1 / N
        return d


def _pred_target(pred, target, who: str):
    """Float arrays of one shape; a target (N,) is accepted for a prediction (N, 1)."""
    p = _as_float_array(pred, who, "pred")
    t = np.asarray(target)
    if t.dtype == bool or np.issubdtype(t.dtype, np.integer):
        t = t.astype(p.dtype)
    t = _as_float_array(t, who, "target", p.dtype)
    if t.shape != p.shape:
        if p.ndim == 2 and p.shape[1] == 1 and t.shape == p.shape[:1]:
            t = t.reshape(p.shape)
        else:
            raise ValueError(f"{who} expected target of shape {p.shape} (like pred), got {t.shape}")
    return p, t


class MSE(_ParameterFree):
    """Mean squared error ``L = mean((pred − target)²)`` over all entries (× ½ if ``half``).

    ``forward(pred, target) -> float``: pred of any shape ``(N, ...)``; target the same shape
    (a target ``(N,)`` is accepted for pred ``(N, 1)``). ``backward() -> dpred`` =
    ``2 (pred − target) / pred.size`` (or ``(pred − target) / pred.size`` when ``half=True``,
    the ½-convention of the COMP 755 and TU Delft slides).

    Example:
        >>> mse = MSE()
        >>> mse.forward(np.array([[1.0], [3.0]]), np.array([0.0, 1.0]))
        2.5
        >>> mse.backward().ravel()
        array([1., 2.])
    """

    def __init__(self, half: bool = False):
        super().__init__()
        self.half = half
        self._diff = None

    def __repr__(self) -> str:
        return "MSE(half=True)" if self.half else "MSE()"

    def forward(self, pred, target) -> float:
        """Mean of the squared differences (× ½ if half)."""
        p, t = _pred_target(pred, target, "MSE.forward")
        self._diff = p - t
        scale = 0.5 if self.half else 1.0
        return float(scale * np.mean(self._diff * self._diff))

    def backward(self):
        """dpred = (2 or 1) · (pred − target) / pred.size, shape of pred."""
        _need_cache(self._diff, "MSE")
        scale = 1.0 if self.half else 2.0
        return self._diff * (scale / self._diff.size)


class BinaryCrossEntropy(_ParameterFree):
    """Binary cross-entropy ``L = −mean(t log p + (1 − t) log(1 − p))``.

    Args:
        from_logits: if True, ``forward`` takes logits z and uses p = σ(z) internally, computed
            stably as ``mean(softplus(z) − t z)``; ``backward`` then returns ∂L/∂z = (σ(z) − t)/N.
            If False (default), it takes probabilities p in [0, 1] (clipped to [ε, 1 − ε] so that
            saturated sigmoids give a finite loss) and returns ∂L/∂p = (p − t) / (p (1 − p)) / N.

    ``forward(p_or_logits, t) -> float``: shapes ``(N,)`` or ``(N, 1)``; ``t`` in [0, 1] (usually
    0/1 labels), same shape or ``(N,)``. ``backward()`` returns the shape of the prediction.

    Example:
        >>> bce = BinaryCrossEntropy(from_logits=True)
        >>> round(bce.forward(np.array([0.0, 0.0]), np.array([0, 1])), 4)   # log 2
        0.6931
        >>> bce.backward()
        array([ 0.25, -0.25])
    """

    def __init__(self, from_logits: bool = False):
        super().__init__()
        self.from_logits = from_logits
        self._cache = None

    def __repr__(self) -> str:
        return f"BinaryCrossEntropy(from_logits={self.from_logits})"

    def forward(self, p_or_logits, t) -> float:
        """Mean binary cross-entropy of probabilities (or logits) (N,)/(N, 1) against t."""
        who = "BinaryCrossEntropy.forward"
        x, t = _pred_target(p_or_logits, t, who)
        if x.ndim not in (1, 2) or (x.ndim == 2 and x.shape[1] != 1):
            raise ValueError(f"{who} expected predictions of shape (N,) or (N, 1), got {x.shape}")
        if t.size and (t.min() < 0 or t.max() > 1):
            raise ValueError(f"{who} expected targets t in [0, 1], got values in "
                             f"[{t.min():.4g}, {t.max():.4g}]")
        N = x.shape[0]
        if self.from_logits:
            # softplus(z) - t z, with softplus(z) = max(z, 0) + log1p(exp(-|z|))
            loss = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))) - t * x
            self._cache = (sigmoid(x), t, N)
        else:
            if x.size and (x.min() < 0 or x.max() > 1):
                raise ValueError(
                    f"{who} expected probabilities in [0, 1], got values in "
                    f"[{x.min():.4g}, {x.max():.4g}]; for raw scores use "
                    f"BinaryCrossEntropy(from_logits=True)"
                )
            eps = np.finfo(x.dtype).eps
            p = np.clip(x, eps, 1 - eps)
            loss = -(t * np.log(p) + (1 - t) * np.log1p(-p))
            self._cache = (p, t, N)
        return float(loss.sum() / N)

    def backward(self):
        """∂L/∂z = (σ(z) − t)/N (from_logits) or ∂L/∂p = (p − t)/(p(1 − p))/N; shape of input."""
        _need_cache(self._cache, "BinaryCrossEntropy")
        p, t, N = self._cache
        if self.from_logits:
            return (p - t) / N
        return (p - t) / (p * (1 - p)) / N
