"""The ``backprop-grader`` kernel (launch.py, kernel_main.py) and nbgrader's grading hooks."""
