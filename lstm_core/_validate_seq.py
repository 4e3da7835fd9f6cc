"""Checks of the arguments of every cell's step and sequence functions."""

import numpy as np

from ._validate import as_array, check_finite, check_shape


def check_params(p, cls):
    if not isinstance(p, cls):
        raise ValueError(f"p: expected {cls.__name__}, got {type(p).__name__}")
    p.check_finite()


def check_state(name, value, B, H, dtype):
    """A state (B, H): zeros when ``value`` is None."""
    if value is None:
        return np.zeros((B, H), dtype)
    arr = as_array(name, value, dtype)
    check_shape(name, arr, ("B", "H"), (B, H))
    check_finite(name, arr)
    return arr


def check_sequence(xs, p, cls, **states):
    """Check ``xs`` (T, B, D) against ``p`` and each state (B, H); returns xs and the states, in p's dtype."""
    check_params(p, cls)
    xs = as_array("xs", xs, p.dtype)
    check_shape("xs", xs, ("T", "B", "D"), (None, None, p.input_size))
    check_finite("xs", xs)
    B = xs.shape[1]
    return (xs, *(check_state(k, v, B, p.hidden_size, p.dtype) for k, v in states.items()))


def check_step(x, p, cls, **states):
    """Check one step's input ``x`` (B, D) and its states (B, H) against ``p``."""
    check_params(p, cls)
    x = as_array("x", x, p.dtype)
    check_shape("x", x, ("B", "D"), (None, p.input_size))
    check_finite("x", x)
    B = x.shape[0]
    for k, v in states.items():
        if v is None:
            raise ValueError(f"{k}: expected an array of shape (B, H) = ({B}, {p.hidden_size}), got None")
    return (x, *(check_state(k, v, B, p.hidden_size, p.dtype) for k, v in states.items()))


def check_upstream(name, value, shape, names, dtype):
    """A gradient arriving from the loss: right shape, finite; zeros when None."""
    if value is None:
        return np.zeros(shape, dtype)
    arr = as_array(name, value, dtype)
    check_shape(name, arr, names, shape)
    check_finite(name, arr)
    return arr
