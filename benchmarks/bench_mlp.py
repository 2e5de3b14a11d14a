"""One epoch of minibatch SGD on MNIST-shaped data: helpers against PyTorch, the GEMM limit and a
per-sample loop.

Network 784-128-64-10 with ReLU, softmax + cross-entropy, batch 128, float32, learning rate 0.01;
data: uniform random float32 ``X (N, 784)`` and labels ``y (N,)`` (the speed does not depend on the
pixel values). Every variant starts from the same initial weights. Variants:

* ``helpers``: ``helpers.train(net, ..., epochs=1, quiet=True)``, the code students call.
* ``torch``: the same network in PyTorch (``nn.Sequential``, ``CrossEntropyLoss``, ``optim.SGD``,
  a ``randperm`` shuffle and one gather per minibatch), ``torch.set_num_threads(1)``.
* ``GEMM limit``: only the eight matrix products of a training step (three forward, three for the
  weight gradients, two for the hidden-layer gradients; nothing needs ∂L/∂X of the data), on the
  batches of the data in order, into preallocated outputs. No shuffle, no bias, no activation,
  no update: a floor that no implementation of this network on this BLAS can beat.
* ``per-sample loop``: the classic textbook implementation (Nielsen, *Neural Networks and Deep
  Learning*, ``network.py``): column vectors, one sample at a time through ``backprop``, gradients
  summed over the minibatch, float64 (numpy's default); timed on a subset and scaled to N.

Rows follow ``benchmarks/run.py``: ``seconds`` (CPU seconds, see ``clock``) is the median over
repeats (taken round-robin, so a busy neighbour slows every variant alike) for one epoch of N
samples; the ``helpers`` rows carry
``ratio = baseline seconds / helpers seconds`` (how many times faster helpers is; for the GEMM
limit, the fraction of the floor reached). Targets: ≥ 1.3 against torch, ≥ 0.65 of the GEMM limit,
≥ 40 against the per-sample loop. BLAS should be pinned to one thread (``run.py`` does; running
this file directly does too).

    python -m benchmarks.bench_mlp [tiny|full]
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from helpers.layers import SoftmaxCrossEntropy
from helpers.network import mlp, train

SIZES = {
    # samples per epoch, samples for the per-sample loop, repeats; torch only at full size
    # (importing torch alone takes seconds)
    "tiny": {"n": 2_000, "n_loop": 200, "repeats": 3, "torch": False},
    "full": {"n": 60_000, "n_loop": 3_000, "repeats": 9, "torch": True},
}
LAYERS = [784, 128, 64, 10]
BATCH, LR, SEED = 128, 0.01, 0
# CPU time of this process: on a shared machine (2 cores, several busy neighbours) wall-clock
# times swing 2-3x with the load, CPU time much less; on an idle machine the two agree for this
# single-threaded work (BLAS pinned to one thread, torch.set_num_threads(1)). CPU time counts
# every thread of the process, so it cannot flatter a multi-threaded baseline.
clock = time.process_time


def make_data(n: int, seed: int = SEED):
    """MNIST-shaped random data: X (n, 784) float32 in [0, 1), y (n,) int64 in 0..9."""
    rng = np.random.default_rng(seed)
    return rng.random((n, LAYERS[0]), dtype=np.float32), rng.integers(0, LAYERS[-1], n)


def initial_weights():
    """[(W (D, M), b (M,)), ...] float32, the He-initialised weights every variant starts from."""
    net = mlp(LAYERS, rng=SEED)
    return [(layer.params["W"].copy(), layer.params["b"].copy()) for layer in net.layers[::2]]


# ----------------------------------------------------------------------------------------------
# the variants: each returns the seconds of one epoch over X, y; given a list ``trained``, the
# training variants append their final weights [(W (D, M), b (M,)), ...] to it (for the tests
# that check that every variant computes the same thing)
# ----------------------------------------------------------------------------------------------

def time_helpers(X, y, weights, trained=None, dtype=np.float32) -> float:
    """One epoch of ``helpers.train`` (the code path students use)."""
    net = mlp(LAYERS, rng=SEED, dtype=dtype)
    for layer, (W, b) in zip(net.layers[::2], weights):
        layer.params["W"][...] = W
        layer.params["b"][...] = b
    t0 = clock()
    train(net, SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=BATCH, lr=LR, seed=SEED,
          quiet=True)
    seconds = clock() - t0
    if trained is not None:
        trained.append([(layer.params["W"], layer.params["b"]) for layer in net.layers[::2]])
    return seconds


def time_gemm_limit(X, y, weights) -> float:
    """Only the matrix products of one epoch (see the module docstring)."""
    (W1, _), (W2, _), (W3, _) = weights
    B = BATCH
    h1, h2, out = (np.empty((B, W.shape[1]), np.float32) for W in (W1, W2, W3))
    d2, d1 = np.empty((B, W2.shape[1]), np.float32), np.empty((B, W1.shape[1]), np.float32)
    g1, g2, g3 = np.empty_like(W1), np.empty_like(W2), np.empty_like(W3)
    N = X.shape[0] - X.shape[0] % B  # whole batches only: the products need fixed shapes
    t0 = clock()
    for s in range(0, N, B):
        xb = X[s:s + B]
        np.matmul(xb, W1, out=h1)
        np.matmul(h1, W2, out=h2)
        np.matmul(h2, W3, out=out)
        np.matmul(h2.T, out, out=g3)
        np.matmul(out, W3.T, out=d2)
        np.matmul(h1.T, d2, out=g2)
        np.matmul(d2, W2.T, out=d1)
        np.matmul(xb.T, d1, out=g1)
    return (clock() - t0) * X.shape[0] / N


def time_per_sample(X, y, weights, trained=None) -> float:
    """Nielsen-style per-sample loop over X (float64 column vectors); seconds for len(X)."""
    Ws = [W.T.astype(np.float64) for W, _ in weights]  # Nielsen stores W as (out, in)
    bs = [b.astype(np.float64).reshape(-1, 1) for _, b in weights]
    rng = np.random.default_rng(SEED)
    order = rng.permutation(X.shape[0])
    t0 = clock()
    for s in range(0, len(order), BATCH):
        nabla_W = [np.zeros_like(W) for W in Ws]
        nabla_b = [np.zeros_like(b) for b in bs]
        batch = order[s:s + BATCH]
        for i in batch:
            x = X[i].astype(np.float64).reshape(-1, 1)
            target = np.zeros((LAYERS[-1], 1))
            target[y[i]] = 1.0
            # forward, keeping every activation
            activations, zs = [x], []
            for W, b in zip(Ws, bs):
                z = W @ activations[-1] + b
                zs.append(z)
                activations.append(np.maximum(z, 0) if len(zs) < len(Ws) else z)
            p = np.exp(zs[-1] - zs[-1].max())
            p /= p.sum()
            # backward, one layer at a time
            delta = p - target
            for layer in range(len(Ws) - 1, -1, -1):
                nabla_b[layer] += delta
                nabla_W[layer] += delta @ activations[layer].T
                if layer:
                    delta = (Ws[layer].T @ delta) * (zs[layer - 1] > 0)
        for W, b, nW, nb in zip(Ws, bs, nabla_W, nabla_b):
            W -= (LR / len(batch)) * nW
            b -= (LR / len(batch)) * nb
    seconds = clock() - t0
    if trained is not None:
        trained.append([(W.T, b.ravel()) for W, b in zip(Ws, bs)])
    return seconds


def make_torch_timer():
    """A timer for the same network in PyTorch, or None if torch is not installed."""
    try:
        import torch
    except ImportError:
        return None

    def time_torch(X, y, weights, trained=None) -> float:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            torch.manual_seed(SEED)
            layers = []
            for i, (W, b) in enumerate(weights):
                lin = torch.nn.Linear(*W.shape)
                with torch.no_grad():
                    lin.weight.copy_(torch.from_numpy(W.T))
                    lin.bias.copy_(torch.from_numpy(b))
                layers.append(lin)
                if i < len(weights) - 1:
                    layers.append(torch.nn.ReLU())
            net = torch.nn.Sequential(*layers)
            loss_fn = torch.nn.CrossEntropyLoss()
            opt = torch.optim.SGD(net.parameters(), lr=LR)
            Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
            t0 = clock()
            order = torch.randperm(Xt.shape[0])
            for s in range(0, Xt.shape[0], BATCH):
                idx = order[s:s + BATCH]
                xb, yb = Xt[idx], yt[idx]
                opt.zero_grad()
                loss = loss_fn(net(xb), yb)
                loss.backward()
                opt.step()
            seconds = clock() - t0
            if trained is not None:
                lins = [m for m in net if isinstance(m, torch.nn.Linear)]
                trained.append([(m.weight.detach().numpy().T, m.bias.detach().numpy())
                                for m in lins])
            return seconds
        finally:
            torch.set_num_threads(threads)

    return time_torch


# ----------------------------------------------------------------------------------------------

def measure(size: str = "tiny") -> dict[str, list[float] | None]:
    """Seconds per epoch of N samples, one entry per round, for each variant (torch: None if
    unavailable). Round r of every variant ran back to back, so ratios can be taken per round."""
    cfg = SIZES[size]
    X, y = make_data(cfg["n"])
    weights = initial_weights()
    timers = {"helpers": time_helpers, "GEMM limit": time_gemm_limit}
    torch_timer = make_torch_timer() if cfg["torch"] else None
    if torch_timer is not None:
        timers["torch"] = torch_timer
    times: dict[str, list[float]] = {name: [] for name in timers}
    times["per-sample loop"] = []
    n_loop = cfg["n_loop"]
    # Pin every thread pool now that torch (and its OpenMP runtime) is loaded: a pool loaded after
    # the pin that run.py set keeps its spare threads, and their spinning counts in this process's
    # CPU time (it doubled the helpers time when measured, 2026-12-01).
    with threadpool_limits(limits=1):
        if torch_timer is not None:
            torch_timer(X[:1024], y[:1024], weights)  # warm-up: first calls allocate and dispatch
        time_helpers(X[:1024], y[:1024], weights)
        for r in range(cfg["repeats"]):
            for name, timer in timers.items():  # round-robin: a busy neighbour hits all alike
                times[name].append(timer(X, y, weights))
            if r < 3:  # the slow loop: three rounds are enough for a 40x margin
                times["per-sample loop"].append(
                    time_per_sample(X[:n_loop], y[:n_loop], weights) * cfg["n"] / n_loop)
    return {**{"torch": None}, **times}


TARGETS = {"torch": 1.3, "GEMM limit": 0.65, "per-sample loop": 40.0}


def run(size: str = "tiny") -> list[dict]:
    """Rows for ``benchmarks/run.py`` (see the module docstring)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
    cfg = SIZES[size]
    times = measure(size)
    t = {name: None if ts is None else statistics.median(ts) for name, ts in times.items()}
    bench = f"mlp epoch ({cfg['n']:,} x 784-128-64-10, batch {BATCH}, float32)"
    rows = []
    for name, note in (
        ("torch", "PyTorch CPU, same network, 1 thread"),
        ("GEMM limit", "the matrix products alone"),
        ("per-sample loop", f"Nielsen style, float64; timed on {cfg['n_loop']:,} samples, scaled"),
    ):
        if t[name] is None:
            why = "not installed" if cfg["torch"] else "skipped at size tiny (import takes seconds)"
            rows.append({"benchmark": bench, "variant": name, "seconds": None, "baseline": None,
                         "ratio": None, "note": why})
        else:
            rows.append({"benchmark": bench, "variant": name, "seconds": t[name],
                         "baseline": None, "ratio": None, "note": note})
    for name, target in TARGETS.items():
        if t[name] is None:
            continue
        # median over rounds of baseline / helpers: each round's two runs were back to back
        ratio = statistics.median(b / h for b, h in zip(times[name], times["helpers"]))
        what = "fraction of the floor" if name == "GEMM limit" else "times faster"
        rows.append({"benchmark": bench, "variant": "helpers", "seconds": t["helpers"],
                     "baseline": name, "ratio": ratio,
                     "note": f"{what} (median of per-round ratios); target >= {target:g}"})
    return rows


if __name__ == "__main__":
    from threadpoolctl import threadpool_limits

    from benchmarks.run import table

    with threadpool_limits(limits=1):
        print(table(run(sys.argv[1] if len(sys.argv) > 1 else "full")))
