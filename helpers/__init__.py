"""helpers: the small backprop package that every notebook of the course imports.

One module per idea (reference: docs/api.md). Imports go only downwards: ``gradcheck`` uses
nothing of ours; ``autograd``; ``layers``; ``network`` uses ``layers``; ``data`` uses ``layers``;
``plots`` uses ``autograd``; ``widgets`` may use all of these; ``grading`` uses ``gradcheck``.

- ``gradcheck``: finite differences, relative error, full/sparse/directional checks, diagnosis
- ``autograd``: the scalar ``Value`` engine and a tiny neuron/layer/MLP
- ``layers``: vectorised layers and losses with ``forward``/``backward``
- ``network``: a sequential network, SGD and a training loop with a progress bar
- ``data``: the XOR sets and MNIST (bundled real subset; full set downloaded and cached)
- ``plots``: loss curves, decision boundaries, digit grids, confusion matrices, graph drawings,
  contours of f(x, y) with descent paths
- ``widgets``: the lectures' ipywidgets explorers, a package with one module per subject
  (``descent``, ``graph_stepper``, ``xor_network``, ``mnist``)
- ``grading``: the checks that nbgrader test cells call

The public names of the first six are re-exported here (``plots`` on first use). ``widgets`` and
``grading`` are used as modules: ``from helpers import widgets``.

Example::

    >>> from helpers import Value
    >>> x = Value(3.0)
    >>> y = x * x + 2 * x
    >>> y.backward()
    >>> x.grad
    8.0
"""

from . import autograd, data, gradcheck, layers, network
from .autograd import *  # noqa: F403
from .data import *  # noqa: F403
from .gradcheck import *  # noqa: F403
from .layers import *  # noqa: F403
from .network import *  # noqa: F403

# The plotting functions are loaded on first use: importing matplotlib takes most of a second,
# and the autograder's kernels (which import ``helpers.grading``) never draw.
# tests/test_project.py checks that this list is ``helpers.plots.__all__``.
_PLOTS = ("plot_loss", "plot_decision_boundary", "plot_digits", "plot_confusion", "draw_graph",
          "plot_function_2d", "plot_gd_path", "plot_digit_probs", "weight_images",
          "plot_weight_images")

__all__ = [*autograd.__all__, *data.__all__, *gradcheck.__all__, *layers.__all__,
           *network.__all__, *_PLOTS]
__version__ = "0.1.0"


def __getattr__(name: str):
    """Import ``helpers.plots`` when one of its functions is first asked for."""
    if name in _PLOTS:
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
