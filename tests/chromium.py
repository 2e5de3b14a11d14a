"""Debian's Chromium as every browser test launches it: where it is (``$CHROMIUM`` overrides
``/usr/bin/chromium``) and the headless flags it needs here (no sandbox as root, no GPU, and no
background traffic: tests never reach the internet)."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

