"""Numerical gradients by central differences, to check every analytic gradient in float64."""

import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """dF/dx by central differences, where F = f() returns a scalar and reads ``x`` in place.

    Inputs:
        f: callable with no arguments returning a float (it must use the array ``x``)
        x: float64 array; each entry is nudged by +-eps and restored
        eps: step size
    Returns:
        grad: array like x
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError(
            f"x: expected a float64 numpy array (gradient checks need float64), got {getattr(x, 'dtype', type(x).__name__)}"
        )
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        k = it.multi_index
        old = x[k]
        x[k] = old + eps
        f_plus = f()
        x[k] = old - eps
        f_minus = f()
        x[k] = old
        grad[k] = (f_plus - f_minus) / (2 * eps)
    return grad


def rel_error(x, y, *, scale="elementwise"):
    """How far apart two arrays are, relative to their size (0 when equal). The course's one such function.

    scale="elementwise": max_k |x_k - y_k| / max(1e-8, |x_k| + |y_k|), CS231n's; strict, also on tiny entries
    scale="max": max |x - y| / max |y|, relative to the reference y's largest entry (rounding gives ~1e-15)
    scale="norm": ||x - y|| / (||x|| + ||y||), one number for the whole array
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error: x and y must have the same shape, got {x.shape} and {y.shape}")
    if scale not in ("elementwise", "max", "norm"):
        raise ValueError(f"scale: expected 'elementwise', 'max' or 'norm', got {scale!r}")
    if x.size == 0:
        return 0.0
    if scale == "max":
        return float(np.max(np.abs(x - y)) / max(float(np.max(np.abs(y))), 1e-300))
    if scale == "norm":
        den = np.linalg.norm(x) + np.linalg.norm(y)
        return 0.0 if den == 0 else float(np.linalg.norm(x - y) / den)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))
