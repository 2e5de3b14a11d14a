"""Course tools: building notebooks, grading a class, the sandboxed grading kernel."""
