"""Interactive explorers (ipywidgets) used by the lectures, one module per subject.

- ``descent``: gradient descent on f(x, y), its path on the contours, sliders (lecture 1)
- ``graph_stepper``: forward then backward pass through a small scalar graph, frame by frame
  (lectures 1-2)
- ``xor_network``: the 2-H-1 XOR network, its output table, decision boundary, weight sliders and
  a training replay (lecture 3)
- ``mnist``: a browser of misclassified digits and a viewer of first-layer weights (lecture 4)

Each explorer keeps its computation in a plain function that tests call without a browser, and a
small function that builds the ipywidgets user interface around it and returns a ``VBox``. The
widgets compute with ``helpers.layers``, take data from ``helpers.data`` and draw with
``helpers.plots``. Not star-exported by ``helpers``: notebooks do ``from helpers import widgets``
and call ``widgets.gd_explorer(...)``; every public name of the modules is available here.

Example::

    >>> from helpers import widgets
    >>> widgets.gradient_descent((1.0, 0.5), lr=0.05).converged
    True
"""

from . import descent, graph_stepper, mnist, xor_network
from .descent import *  # noqa: F403
from .graph_stepper import *  # noqa: F403
from .mnist import *  # noqa: F403
from .xor_network import *  # noqa: F403

__all__ = [*descent.__all__, *graph_stepper.__all__, *xor_network.__all__,
           *mnist.__all__]
