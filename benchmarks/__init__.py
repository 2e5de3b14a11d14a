"""Performance measurements of the course (not tests). Run them with `make bench`."""
