"""Sphinx extension of the course website: keep every page free of assets it would fetch remotely.

Jupyter Book 1 always loads sphinx-thebe, which writes the URL of its JavaScript bundle on a CDN
into every page (``const THEBE_JS_URL = ...``), twice, so that the second copy raises a
SyntaxError in the browser. The course has no live-code button (``launch_buttons.thebe: false``),
so its scripts and style sheet are dropped from every page here.
"""

from __future__ import annotations

THEBE_MARKERS = ("THEBE_JS_URL", "sphinx-thebe")


def _is_thebe(asset) -> bool:
    filename = getattr(asset, "filename", None) or str(asset)
    body = (getattr(asset, "attributes", None) or {}).get("body", "")
    return any(marker in (filename or "") or marker in (body or "") for marker in THEBE_MARKERS)


def drop_thebe_assets(app, pagename, templatename, context, doctree):
    """Remove sphinx-thebe's scripts and style sheet from the page being written."""
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]


def setup(app):
    # after other handlers (default priority 500) have added their page-specific scripts
    app.connect("html-page-context", drop_thebe_assets, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
