"""Interactive explorers (ipywidgets) used by the lectures.

Each explorer keeps its computation in a plain function that tests call without a browser, and a
small function that builds the ipywidgets user interface around it and returns a ``VBox``.
Not star-exported: notebooks do ``from helpers import widgets``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

__all__: list[str] = []

# --- calculus widgets (lectures 1-2) ---
# --- end calculus widgets ---

# --- network widgets (lectures 3-4) ---
# --- end network widgets ---
