"""helpers: the small backprop package that every notebook of the course imports.

One module per idea (see docs/api.md): ``autograd`` (scalar engine), ``layers`` (vectorised layers
and losses), ``network`` (sequential net, SGD, training loop), ``gradcheck`` (finite differences and
diagnosis of mistakes), ``data`` (XOR, MNIST), ``plots``, ``widgets`` and ``grading``.
"""
