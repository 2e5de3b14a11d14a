"""helpers: the small backprop package that every notebook of the course imports.

One module per idea (see docs/api.md); their public names are re-exported here:

- ``gradcheck``: finite differences, relative error, full/sparse/directional checks, diagnosis
- ``autograd``: the scalar ``Value`` engine and a tiny neuron/layer/MLP
- ``layers``: vectorised layers and losses with ``forward``/``backward``
- ``network``: a sequential network, SGD and a training loop with a progress bar
- ``data``: the XOR sets and MNIST (bundled real subset; full set downloaded and cached)
- ``plots``: loss curves, decision boundaries, digit grids, confusion matrices, graph drawings

``widgets`` (ipywidgets explorers) and ``grading`` (the checks nbgrader test cells call) are used as
modules: ``from helpers import widgets``.

Example::

    >>> from helpers import Value
    >>> x = Value(3.0)
    >>> y = x * x + 2 * x
    >>> y.backward()
    >>> x.grad
    8.0
"""

from .autograd import *  # noqa: F403
from .data import *  # noqa: F403
from .gradcheck import *  # noqa: F403
from .layers import *  # noqa: F403
from .network import *  # noqa: F403
from .plots import *  # noqa: F403

__version__ = "0.1.0"
