"""The tests' own finite differences: an oracle independent of ``helpers.gradcheck``."""

import numpy as np


def numerical_grad(f, x, eps=1e-6):
    """Central differences of the scalar ``f()`` with respect to the array ``x`` (any shape,
    perturbed in place one entry at a time and restored); returns an array shaped like ``x``."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g
