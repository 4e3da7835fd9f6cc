"""The squashing functions of the course, and their derivatives written from their outputs.

The sigmoid is written as sigma(a) = (1 + tanh(a/2)) / 2, the same function as 1 / (1 + e^{-a}),
but it never overflows: a = +-1000 gives exactly 1 and 0, with no numpy warning.
"""

import numpy as np


def sigmoid(a, out=None):
    """sigma(a) = 1 / (1 + e^{-a}), computed as (1 + tanh(a/2)) / 2 so it never overflows.

    With ``out`` (which may be ``a`` itself) the same operations run in place, with the same result to the bit.
    """
    if out is None:
        return 0.5 * (1.0 + np.tanh(0.5 * a))
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    return sigmoid_from_tanh_half(out)


def sigmoid_from_tanh_half(t):
    """The last step of sigmoid, in place: t = tanh(a/2) becomes sigma(a) = (1 + t) / 2.

    For code that already has tanh(a/2) (the fast path halves the gates' weights instead of their inputs)."""
    t += 1.0
    t *= 0.5
    return t


def relu(a):
    """max(0, a), the unbounded alternative the course compares tanh against."""
    return np.maximum(a, 0.0)


def dsigmoid_from_output(s):
    """sigma'(a) written with s = sigma(a): s (1 - s)."""
    return s * (1.0 - s)


def dtanh_from_output(y, out=None):
    """tanh'(a) written with y = tanh(a): 1 - y^2 (written into ``out`` when given, with no temporaries)."""
    if out is None:
        return 1.0 - y * y
    np.multiply(y, y, out=out)
    return np.subtract(1.0, out, out=out)


def drelu_from_output(y, out=None):
    """ReLU'(a) written with y = max(0, a): 1 where y > 0, else 0 (written into ``out`` when given)."""
    if out is None:
        return (y > 0).astype(y.dtype)
    return np.greater(y, 0.0, out=out)


# The cell's squashing function (candidate C~_t and output tanh(C_t)) may be swapped for ReLU,
# to show why the LSTM uses tanh.  Each entry: (function, derivative from the function's output).
SQUASH = {
    "tanh": (np.tanh, dtanh_from_output),
    "relu": (relu, drelu_from_output),
}
