"""Input checks shared by the LSTM and the RNN: clear errors instead of numpy crashes.

Every message says which argument is wrong, what was expected and what was given.
"""

import numpy as np

_FLOATS = (np.float32, np.float64)


def as_array(name, value, dtype):
    """``value`` as a numpy array of ``dtype``, or a ValueError naming ``name``."""
    try:
        arr = np.asarray(value)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"{name}: expected a numeric array, got {type(value).__name__} ({err})") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected a numeric array, got an array of dtype {arr.dtype}")
    return arr if dtype is None else arr.astype(dtype, copy=False)


def check_shape(name, arr, names, expected):
    """Check ``arr.shape`` against ``expected`` (a tuple; ``None`` means any size).

    ``names`` spells the dimensions, e.g. ``("T", "B", "D")``, for the message.
    """
    if arr.ndim == len(expected) and all(
        (arr.shape[axis] > 0) if size is None else (arr.shape[axis] == size) for axis, size in enumerate(expected)
    ):
        return  # the common case, without building the messages
    want = "(" + ", ".join(names) + ")"
    sizes = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
    if arr.ndim != len(expected):
        raise ValueError(
            f"{name}: expected a {len(expected)}-D array of shape {want} = {sizes}, "
            f"got a {arr.ndim}-D array of shape {arr.shape}"
        )
    for axis, (dim, size) in enumerate(zip(names, expected, strict=True)):
        if size is not None and arr.shape[axis] != size:
            raise ValueError(
                f"{name}: expected shape {want} = {sizes}, got {arr.shape} ({dim} is {arr.shape[axis]}, expected {size})"
            )
        if size is None and arr.shape[axis] == 0:
            raise ValueError(f"{name}: expected shape {want} with {dim} >= 1, got {arr.shape} ({dim} = 0)")


def check_finite(name, arr, *, is_parameter=False):
    """Raise a ValueError if ``arr`` holds NaN or inf, saying where and how many."""
    if arr.size == 0 or np.isfinite(arr.min()) and np.isfinite(arr.max()):  # NaN propagates to min and max
        return
    bad = ~np.isfinite(arr)
    first = tuple(int(k) for k in np.argwhere(bad)[0])
    kinds = []
    if np.isnan(arr).any():
        kinds.append(f"{int(np.isnan(arr).sum())} NaN")
    if np.isinf(arr).any():
        kinds.append(f"{int(np.isinf(arr).sum())} inf")
    msg = f"{name} contains {' and '.join(kinds)} (first at index {first})"
    if is_parameter:
        msg += "; the parameters have diverged: try a lower learning rate or clip the gradients"
    raise ValueError(msg)


def param_dtype(arr):
    """The floating dtype the parameters use (float32 or float64; anything else becomes float64)."""
    return arr.dtype if arr.dtype in _FLOATS else np.dtype(np.float64)


def check_init(input_size, hidden_size, dtype):
    """The arguments every ``Params.init`` takes: positive integer sizes and a float32/float64 dtype."""
    for name, v in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(v, int | np.integer) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name}: expected a positive integer, got {v!r}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype: expected np.float32 or np.float64, got {dtype!r}")


def read_only(arr):
    """A read-only view of ``arr``: what the sequence functions return, so that no write by a caller can
    reach a buffer a later computation reads (writing raises "assignment destination is read-only")."""
    view = arr.view()
    view.flags.writeable = False
    return view


def check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name}: expected one of {sorted(choices)}, got {value!r}")
    return value


def check_time_budget(time_budget):
    """A training loop's time budget: None (no limit) or a positive, finite number of seconds."""
    if time_budget is None:
        return
    number = isinstance(time_budget, int | float) and not isinstance(time_budget, bool)
    if not (number and 0 < time_budget < float("inf")):
        raise ValueError(f"time_budget: expected a positive number of seconds or None, got {time_budget!r}")
