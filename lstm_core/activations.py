"""The squashing functions of the course, and their derivatives written from their outputs.

The sigmoid is computed as written, sigma(a) = 1 / (1 + e^{-a}). For a very negative a (below about -709 in
float64), e^{-a} overflows to infinity and sigma(a) comes out as exactly 0, which is the right answer; numpy's
overflow warning for that case is silenced. a = +-1000 gives exactly 1 and 0, with no warning.
"""

import numpy as np


def sigmoid(a, out=None):
    """sigma(a) = 1 / (1 + e^{-a}), elementwise.

    With ``out`` (which may be ``a`` itself) the same operations run in place, with the same result to the bit.
    """
    with np.errstate(over="ignore"):  # e^{-a} = inf gives sigma(a) = 0 exactly
        if out is None:
            return 1.0 / (1.0 + np.exp(-a))
        np.negative(a, out=out)
        return sigmoid_from_exp_neg(np.exp(out, out=out))


def sigmoid_from_exp_neg(e):
    """The last steps of sigmoid, in place: e = e^{-a} becomes sigma(a) = 1 / (1 + e).

    For code that already has e^{-a} (the fast path negates the gates' weights instead of their inputs)."""
    e += 1.0
    return np.divide(1.0, e, out=e)  # the same bits as np.reciprocal, and faster


def tanh_from_sigmoid_of_double(s):
    """In place: s = sigma(2a) becomes tanh(a) = 2 sigma(2a) - 1 (the same function as np.tanh, to rounding).

    For the fast path, where one exp call then serves the gates and the candidate C~ together."""
    s *= 2.0
    s -= 1.0
    return s


def tanh_with_exp(a, out):
    """out <- tanh(a) = 2 sigma(2a) - 1, by way of e^{-2a} (the same function as np.tanh, to rounding).

    For the fast path, on CPUs where numpy's exp is much cheaper than its tanh (docs/performance.md). The caller
    silences the overflow warning for a < -354 or so, where e^{-2a} = inf gives tanh(a) = -1 exactly."""
    e = np.exp(np.multiply(a, -2.0, out=out), out=out)
    return tanh_from_sigmoid_of_double(sigmoid_from_exp_neg(e))


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
