"""A sequential network, plain SGD and a minibatch training loop with a progress bar.

Example::

    >>> import numpy as np
    >>> from helpers.layers import SoftmaxCrossEntropy
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    >>> y = np.array([0, 1, 1, 0])
    >>> net = mlp([2, 8, 2], activation="tanh", rng=0)
    >>> hist = train(net, SoftmaxCrossEntropy(), X, y, epochs=500, lr=0.5, quiet=True)
    >>> net.predict(X)
    array([0, 1, 1, 0])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .layers import (
    MSE,
    BinaryCrossEntropy,
    Linear,
    ReLU,
    Sigmoid,
    SoftmaxCrossEntropy,
    Tanh,
    _rng,
)

__all__ = ["Sequential", "SGD", "History", "train", "train_epoch", "evaluate", "mlp"]


class Sequential:
    """Layers applied one after the other; backward runs them in reverse order.

    Args:
        *layers: objects with ``forward(X)``, ``backward(dY)``, ``params`` and ``grads``
            (e.g. ``Linear``, ``ReLU``, ``Tanh``, ``Sigmoid`` from ``helpers.layers``).

    Shapes: ``forward``: X (N, D) -> output (N, K) of the last layer; ``backward``: dY (N, K)
    -> dX (N, D), filling every layer's ``grads``.

    Example:
        >>> from helpers.layers import Linear, ReLU
        >>> net = Sequential(Linear(2, 3, rng=0), ReLU(), Linear(3, 1, rng=1))
        >>> net.forward(np.zeros((5, 2), np.float32)).shape
        (5, 1)
        >>> [name for name, p, g in net.parameters()]
        ['0.W', '0.b', '2.W', '2.b']
    """

    def __init__(self, *layers):
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not (hasattr(layer, "forward") and hasattr(layer, "backward")):
                raise TypeError(
                    f"Sequential expected layers with forward/backward, got {type(layer).__name__}"
                    f" at position {i}"
                )
        self.layers = list(layers)

    def __repr__(self) -> str:
        inner = ",\n".join(f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    @property
    def dtype(self):
        """The dtype of the first layer that has one (float32 for ``mlp`` by default)."""
        for layer in self.layers:
            if hasattr(layer, "dtype"):
                return layer.dtype
        return None

    def forward(self, X):
        """X (N, D) -> output of the last layer; every layer caches what its backward needs."""
        for layer in self.layers:
            X = layer.forward(X)
        return X

    __call__ = forward

    def backward(self, dY, need_dX: bool = True):
        """dY (N, K) = ∂L/∂output -> dX (N, D) = ∂L/∂X; fills every layer's ``grads``.

        With ``need_dX=False`` a first ``Linear`` layer skips the product for ∂L/∂X (the
        training loop uses this: nothing needs the gradient with respect to the data) and
        ``None`` is returned.
        """
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if i == 0 and not need_dX and isinstance(layer, Linear):
                return layer.backward(dY, need_dX=False)
            dY = layer.backward(dY)
        return dY

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """All parameters as ``(name, param, grad)`` with names like ``"0.W"`` (layer 0's W)."""
        return [(f"{i}.{key}", p, layer.grads[key])
                for i, layer in enumerate(self.layers)
                for key, p in getattr(layer, "params", {}).items()]

    def predict(self, X, threshold: float = 0.5):
        """Class labels (N,) int: argmax of the outputs, or ``output > threshold`` for 1 output.

        For a network whose single output is a logit (no final ``Sigmoid``), pass
        ``threshold=0.0``.
        """
        out = self.forward(X)
        if out.ndim == 1 or out.shape[1] == 1:
            return (out.reshape(-1) > threshold).astype(np.int64)
        return out.argmax(axis=1)


class SGD:
    """Plain stochastic gradient descent: ``param -= lr * grad`` for every parameter, in place.

    Args:
        lr: learning rate η > 0.

    Example:
        >>> from helpers.layers import Linear
        >>> net = Sequential(Linear(1, 1, init="zeros"))
        >>> net[0].grads["W"][:] = 2.0
        >>> SGD(0.1).step(net); net[0].params["W"]
        array([[-0.2]], dtype=float32)
    """

    def __init__(self, lr: float):
        if not np.isfinite(lr) or lr <= 0:
            raise ValueError(f"SGD expected a positive finite learning rate lr, got {lr!r}")
        self.lr = float(lr)

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr})"

    def step(self, net) -> None:
        """Update every ``(name, param, grad)`` of ``net.parameters()`` in place."""
        for _, p, g in net.parameters():
            p -= self.lr * g  # in place: the arrays the layers hold are updated


@dataclass
class History:
    """What ``train`` measured, one entry per epoch.

    Attributes:
        loss, accuracy: on the training data, averaged over the epoch's minibatches as they were
            trained (like Keras); ``accuracy`` is NaN for a loss where it has no meaning.
        val_loss, val_accuracy: on the validation data after each epoch (empty without it).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)


def _count_correct(loss, out, y) -> float:
    """Number of correct predictions in a batch, or NaN if the loss is not a classification."""
    if isinstance(loss, SoftmaxCrossEntropy):
        pred = out.argmax(axis=1)
        return float(np.count_nonzero(pred == (y if y.ndim == 1 else y.argmax(axis=1))))
    if isinstance(loss, (BinaryCrossEntropy, MSE)) and (out.ndim == 1 or out.shape[1] == 1):
        threshold = 0.0 if getattr(loss, "from_logits", False) else 0.5
        return float(np.count_nonzero((out.reshape(-1) > threshold) == (y.reshape(-1) > 0.5)))
    if isinstance(loss, MSE) and out.ndim == 2 and y.ndim == 2:
        return float(np.count_nonzero(out.argmax(axis=1) == y.argmax(axis=1)))
    return float("nan")


def _check_data(net, X, y, name: str):
    """Arrays in the network's dtype (converted once, not per batch) with matching lengths."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"train expected {name} of shape (N, D), got {X.shape}")
    if not np.issubdtype(X.dtype, np.floating):
        raise TypeError(f"train expected a floating-point {name}, got dtype {X.dtype}")
    dtype = net.dtype or X.dtype
    if X.dtype != dtype:
        X = X.astype(dtype)
    if y.shape[:1] != X.shape[:1]:
        raise ValueError(f"train expected {X.shape[0]} labels/targets for {X.shape[0]} samples "
                         f"in {name}, got y of shape {y.shape}")
    if np.issubdtype(y.dtype, np.floating) and y.dtype != dtype:
        y = y.astype(dtype)
    return X, y


def train_epoch(net, loss, X, y, *, batch_size: int, optimizer, rng) -> tuple[float, float]:
    """One epoch of minibatch SGD: the inner loop of ``train`` (and what the benchmark times).

    Shuffles with ``rng.permutation``, gathers each minibatch once into a reused buffer, then
    forward, loss, backward (without the useless ∂L/∂X of the first layer) and
    ``optimizer.step(net)``.

    Args:
        net: a ``Sequential``; loss: a loss object with forward(out, y) / backward().
        X: (N, D) in the network's dtype; y: labels (N,) or targets (N, K).
        batch_size: B (the last batch may be smaller); optimizer: e.g. ``SGD(0.1)``;
        rng: an ``np.random.Generator`` (the shuffle).

    Returns:
        (mean loss, accuracy) over the epoch's minibatches, weighted by batch size.

    Example:
        >>> from helpers.layers import SoftmaxCrossEntropy
        >>> X, y = np.random.default_rng(0).standard_normal((10, 2)), np.arange(10) % 2
        >>> loss, acc = train_epoch(mlp([2, 2], rng=0, dtype=np.float64), SoftmaxCrossEntropy(),
        ...                         X, y, batch_size=4, optimizer=SGD(0.1),
        ...                         rng=np.random.default_rng(0))
        >>> 0 <= acc <= 1
        True
    """
    N = X.shape[0]
    B = min(batch_size, N)
    order = rng.permutation(N)
    xbuf = np.empty((B,) + X.shape[1:], X.dtype)
    ybuf = np.empty((B,) + y.shape[1:], y.dtype)
    total_loss = total_correct = 0.0
    for start in range(0, N, B):
        idx = order[start:start + B]
        n = idx.shape[0]
        # mode="clip" skips numpy's bounds-checked (buffered) path; a permutation is in range
        xb = np.take(X, idx, axis=0, out=xbuf[:n], mode="clip")
        yb = np.take(y, idx, axis=0, out=ybuf[:n], mode="clip")
        out = net.forward(xb)
        total_loss += loss.forward(out, yb) * n
        total_correct += _count_correct(loss, out, yb)
        net.backward(loss.backward(), need_dX=False)
        optimizer.step(net)
    return total_loss / N, total_correct / N


def evaluate(net, loss, X, y) -> tuple[float, float]:
    """(loss, accuracy) of ``net`` on the whole of X (N, D), y, without training."""
    out = net.forward(X)
    return loss.forward(out, y), _count_correct(loss, out, y) / X.shape[0]


def train(net, loss, X, y, *, epochs: int, batch_size: int | None = None, lr: float,
          seed: int = 0, X_val=None, y_val=None, quiet: bool = False) -> History:
    """Train ``net`` with minibatch SGD and return the loss and accuracy curves.

    Args:
        net: a ``Sequential`` (e.g. from ``mlp``); loss: ``SoftmaxCrossEntropy()``, ``MSE()``
            or ``BinaryCrossEntropy()``.
        X: inputs (N, D) float (converted once to the network's dtype); y: int labels (N,) or
            targets (N, K) as the loss expects.
        epochs: passes over the data; batch_size: B, ``None`` for full-batch gradient descent.
        lr: learning rate; seed: seeds the shuffling (same seed and net -> same result).
        X_val, y_val: optional validation data, evaluated after every epoch.
        quiet: no progress bar (a ``tqdm.auto`` bar over epochs otherwise).

    Returns:
        ``History`` with lists ``loss``, ``accuracy`` (training, per epoch) and ``val_loss``,
        ``val_accuracy`` (per epoch, when validation data is given).

    Example:
        >>> from helpers.layers import SoftmaxCrossEntropy
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        >>> hist = train(mlp([2, 8, 2], activation="tanh"), SoftmaxCrossEntropy(), X,
        ...              np.array([0, 1, 1, 0]), epochs=300, lr=0.5, quiet=True)
        >>> hist.loss[-1] < hist.loss[0]
        True
    """
    if not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"train expected a non-negative int epochs, got {epochs!r}")
    X, y = _check_data(net, X, y, "X")
    if batch_size is None:
        batch_size = X.shape[0]
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"train expected a positive int batch_size (or None), got {batch_size!r}")
    if (X_val is None) != (y_val is None):
        raise ValueError("train expected both X_val and y_val, or neither")
    if X_val is not None:
        X_val, y_val = _check_data(net, X_val, y_val, "X_val")
    optimizer, rng, history = SGD(lr), _rng(seed), History()
    epochs_iter = range(epochs)
    bar = None
    if not quiet:
        from tqdm.auto import tqdm

        bar = epochs_iter = tqdm(epochs_iter, desc="training", unit="epoch")
    for _ in epochs_iter:
        epoch_loss, epoch_acc = train_epoch(net, loss, X, y, batch_size=batch_size,
                                            optimizer=optimizer, rng=rng)
        history.loss.append(epoch_loss)
        history.accuracy.append(epoch_acc)
        postfix = {"loss": f"{epoch_loss:.4f}", "acc": f"{epoch_acc:.3f}"}
        if X_val is not None:
            val_loss, val_acc = evaluate(net, loss, X_val, y_val)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_acc)
            postfix.update(val_loss=f"{val_loss:.4f}", val_acc=f"{val_acc:.3f}")
        if bar is not None:
            bar.set_postfix(postfix, refresh=False)
    return history


_ACTIVATIONS = {"relu": (lambda: ReLU(inplace=True), "he"),
                "tanh": (Tanh, "xavier"),
                "sigmoid": (Sigmoid, "xavier")}


def mlp(sizes: list[int], activation: str = "relu", rng=None, dtype=np.float32) -> Sequential:
    """A multilayer perceptron: Linear, activation, Linear, activation, ..., Linear (no final
    activation: the output is logits, for ``SoftmaxCrossEntropy`` or
    ``BinaryCrossEntropy(from_logits=True)``).

    Args:
        sizes: [D, H1, ..., K], the width of every layer, input first (at least two entries).
        activation: ``"relu"`` (He initialisation), ``"tanh"`` or ``"sigmoid"`` (Xavier).
        rng: ``None`` (seed 0), an int seed or a Generator: the initial weights.
        dtype: ``np.float32`` (default, fast) or ``np.float64`` (gradient checks).

    Example:
        >>> mlp([784, 128, 64, 10])
        Sequential(
          (0) Linear(784, 128),
          (1) ReLU(inplace=True),
          (2) Linear(128, 64),
          (3) ReLU(inplace=True),
          (4) Linear(64, 10)
        )
    """
    sizes = list(sizes)
    if len(sizes) < 2 or not all(isinstance(s, (int, np.integer)) and s > 0 for s in sizes):
        raise ValueError(f"mlp expected a list of at least two positive ints, got {sizes!r}")
    if activation not in _ACTIVATIONS:
        raise ValueError(f"mlp expected activation in {sorted(_ACTIVATIONS)}, got {activation!r}")
    make_act, init = _ACTIVATIONS[activation]
    gen = _rng(rng)
    layers = []
    for i, (d, m) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(d, m, rng=gen, dtype=dtype, init=init))
        if i < len(sizes) - 2:
            layers.append(make_act())
    return Sequential(*layers)
