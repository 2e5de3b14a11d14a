"""Interactive explorers (ipywidgets) used by the lectures.

Each explorer keeps its computation in a plain function that tests call without a browser, and a
small function that builds the ipywidgets user interface around it and returns a ``VBox``.
Not star-exported: notebooks do ``from helpers import widgets``.
"""

__all__: list[str] = []

# --- calculus widgets (lectures 1-2) ---
# --- end calculus widgets ---

# --- network widgets (lectures 3-4) ---
# --- end network widgets ---
