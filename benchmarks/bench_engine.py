"""Speed of the scalar autograd engine (helpers.autograd) against a closure-per-node baseline.

Throughput = graph nodes built and backpropagated per second during training (forward, zero the
parameter grads, backward, SGD step), on two workloads:

- ``xor 2-4-1``: a 2-4-1 tanh net on the 4 XOR points (many small graphs, ~110 nodes each);
- ``mlp 2-16-16-1``: a 2-16-16-1 tanh MLP, one graph over 100 points (~65,000 nodes; 20 points
  at size "tiny").

The baseline is a straightforward micrograd-style engine written here: each node keeps a closure
that adds into its inputs' grads, a set of parents, and a recursive topological sort. It has the
same operations as ours (``-`` included), so both build graphs of the same size and the throughput
ratio (``ratio`` = ours / baseline nodes per second) is also the speed-up. The network code is
shared, so only the engine differs. Python's cycle collector stays on, as in a notebook.
Times are CPU seconds of this process (``time.process_time``): on a shared machine wall-clock time
also counts the time other programs hold the CPU; the workload is single-threaded pure Python.
"""

from __future__ import annotations

import gc
import math
import statistics
import time

import numpy as np

from helpers.autograd import Value, topological_order


# -- the baseline: a closure per node ------------------------------------------------------------
class ClosureValue:
    """A micrograd-style scalar: every node stores a closure that knows its local derivative."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __sub__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data - other.data, (self, other), "-")

        def _backward():
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        out = ClosureValue(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = ClosureValue(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


def _closure_count(root) -> int:
    seen, stack = {root}, [root]
    while stack:
        for p in stack.pop()._prev:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return len(seen)


def _our_count(root) -> int:
    return len(topological_order(root))


# -- the workload: the same network code for both engines ----------------------------------------
def _make_net(engine, sizes, seed=0):
    rng = np.random.default_rng(seed)
    layers = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        layers.append([([engine(float(w)) for w in rng.uniform(-1, 1, nin)], engine(0.0))
                       for _ in range(nout)])
    return layers


def _forward(layers, x):
    for i, layer in enumerate(layers):
        out = []
        for w, b in layer:
            act = b
            for wi, xi in zip(w, x):
                act = act + wi * xi
            out.append(act.tanh() if i < len(layers) - 1 else act)
        x = out
    return x[0]


def _train(engine, layers, X, y, steps, lr=0.05):
    """`steps` of full-batch SGD on the squared error; returns the last loss node."""
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    for _ in range(steps):
        loss = engine(0.0)
        for xi, yi in zip(X, y):
            loss = loss + (_forward(layers, [engine(v) for v in xi]) - yi) ** 2
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
    return loss


def _measure(engine, count, sizes, X, y, steps, repeats):
    """(median seconds, nodes per run) for `steps` training steps."""
    times = []
    for _ in range(repeats):
        layers = _make_net(engine, sizes)
        gc.collect()
        start = time.process_time()
        loss = _train(engine, layers, X, y, steps)
        times.append(time.process_time() - start)
    return statistics.median(times), count(loss) * steps


def _workloads(size):
    xor_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    xor_y = [0.0, 1.0, 1.0, 0.0]
    rng = np.random.default_rng(0)
    n = 20 if size == "tiny" else 100
    X = rng.uniform(-1, 1, size=(n, 2)).tolist()
    y = [float(a * b > 0) for a, b in X]
    if size == "tiny":
        return [("xor 2-4-1", [2, 4, 1], xor_X, xor_y, 20, 1),
                (f"mlp 2-16-16-1 on {n}", [2, 16, 16, 1], X, y, 1, 1)]
    return [("xor 2-4-1", [2, 4, 1], xor_X, xor_y, 300, 5),
            (f"mlp 2-16-16-1 on {n}", [2, 16, 16, 1], X, y, 1, 5)]


def run(size: str = "full") -> list[dict]:
    """Rows for benchmarks/run.py: ours and the closure baseline on both workloads."""
    if size not in ("tiny", "full"):
        raise ValueError(f"size must be 'tiny' or 'full', but got {size!r}")
    rows = []
    for name, sizes, X, y, steps, repeats in _workloads(size):
        base_s, base_nodes = _measure(ClosureValue, _closure_count, sizes, X, y, steps, repeats)
        ours_s, ours_nodes = _measure(Value, _our_count, sizes, X, y, steps, repeats)
        assert base_nodes == ours_nodes, (base_nodes, ours_nodes)  # the same graphs
        base_rate, ours_rate = base_nodes / base_s, ours_nodes / ours_s
        base_variant = f"{name}: closure baseline"
        rows.append({"benchmark": "engine", "variant": base_variant, "seconds": base_s,
                     "baseline": None, "ratio": None,
                     "note": f"{base_rate / 1e6:.3f}M nodes/s ({base_nodes} nodes in {steps} "
                             "steps; CPU time)"})
        rows.append({"benchmark": "engine", "variant": f"{name}: helpers.autograd",
                     "seconds": ours_s, "baseline": base_variant, "ratio": ours_rate / base_rate,
                     "note": f"{ours_rate / 1e6:.3f}M nodes/s (target >= 1M); ratio = nodes/s "
                             "ours / baseline"})
    return rows


if __name__ == "__main__":
    import sys

    from benchmarks.run import table

    print(table(run(sys.argv[1] if len(sys.argv) > 1 else "full")))
