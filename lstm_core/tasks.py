"""Synthetic sequence tasks that need memory, generated from a seed. Time-major, like the rest of lstm_core.

Each returns a Batch: ``xs`` (T, B, D) inputs, ``targets`` (T, B) class indices (or (T, B, 1) values for
the adding problem), and ``mask`` (T, B), 1 where the loss looks and 0 where it looks away.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class Batch:
    xs: np.ndarray  # (T, B, D)
    targets: np.ndarray  # (T, B) classes as np.intp (numpy's index type), or (T, B, 1) float values
    mask: np.ndarray  # (T, B) float, 1 where the loss is measured
    n_classes: int = 0  # 0 for a regression task


def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _positive(name, value, minimum=1):
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")


def delayed_recall(batch_size, delay, *, n_symbols=4, seed=None):
    """Remember the flagged symbol across ``delay`` steps of other symbols, then recall it when asked.

    Every step but the last shows one of ``n_symbols`` symbols (one-hot). Step 0 also raises a
    "remember" flag; steps 1..delay show random symbols from the same alphabet (distractors); the last
    step (t = delay + 1) raises a "query" flag, and the target there is the symbol of step 0.
    D = n_symbols + 2 (symbols, remember flag, query flag), T = delay + 2; chance is 1 / n_symbols.
    """
    _positive("batch_size", batch_size)
    _positive("delay", delay, 0)
    _positive("n_symbols", n_symbols, 2)
    rng = _rng(seed)
    T, D = delay + 2, n_symbols + 2
    xs = np.zeros((T, batch_size, D))
    b = np.arange(batch_size)[None, :]
    symbols = rng.integers(0, n_symbols, (T - 1, batch_size))  # drawn as int64: the same on every machine
    symbols = symbols.astype(np.intp, copy=False)
    xs[np.arange(T - 1)[:, None], b, symbols] = 1.0  # one symbol per step
    xs[0, :, n_symbols] = 1.0  # "remember this one"
    xs[-1, :, n_symbols + 1] = 1.0  # "what was it?"
    targets = np.zeros((T, batch_size), dtype=np.intp)
    targets[-1] = symbols[0]
    mask = np.zeros((T, batch_size))
    mask[-1] = 1.0
    return Batch(xs, targets, mask, n_symbols)


def adding_problem(batch_size, T, *, seed=None):
    """The adding problem: x_t = (value in [0, 1), marker). Two steps are marked, one in each half;
    the target at the last step is the sum of the two marked values (regression, D = 2)."""
    _positive("batch_size", batch_size)
    _positive("T", T, 4)
    rng = _rng(seed)
    xs = np.zeros((T, batch_size, 2))
    xs[:, :, 0] = rng.uniform(0.0, 1.0, (T, batch_size))
    b = np.arange(batch_size)
    first = rng.integers(0, T // 2, batch_size)
    second = rng.integers(T // 2, T - 1, batch_size)
    xs[first, b, 1] = 1.0
    xs[second, b, 1] = 1.0
    targets = np.zeros((T, batch_size, 1))
    targets[-1, :, 0] = xs[first, b, 0] + xs[second, b, 0]
    mask = np.zeros((T, batch_size))
    mask[-1] = 1.0
    return Batch(xs, targets, mask, 0)


def brackets(batch_size, T, *, max_depth=4, seed=None):
    """A stream of '(' and ')' (one-hot, D = 2) that never closes below depth 0 nor opens above
    ``max_depth``; the target at every step is the current nesting depth (0..max_depth). A counter task:
    one cell that adds one on '(' and subtracts one on ')' solves it."""
    _positive("batch_size", batch_size)
    _positive("T", T)
    _positive("max_depth", max_depth)
    rng = _rng(seed)
    xs = np.zeros((T, batch_size, 2))
    targets = np.zeros((T, batch_size), dtype=np.intp)
    depth = np.zeros(batch_size, dtype=np.intp)
    for t in range(T):
        opening = rng.random(batch_size) < 0.5
        opening = np.where(depth == 0, True, np.where(depth == max_depth, False, opening))
        depth = depth + np.where(opening, 1, -1)
        xs[t, np.arange(batch_size), np.where(opening, 0, 1)] = 1.0
        targets[t] = depth
    return Batch(xs, targets, np.ones((T, batch_size)), max_depth + 1)


def segment_count(batch_size, T, *, max_count=3, p_delimiter=0.15, seed=None):
    """Count the 'a's since the last delimiter '|' (inputs one-hot: a, b, |; D = 3).

    The target at every step is min(count, max_count): a cell must add on 'a', ignore 'b', and reset to
    zero at '|' - that is, forget on purpose. Classes 0..max_count.
    """
    _positive("batch_size", batch_size)
    _positive("T", T)
    _positive("max_count", max_count)
    rng = _rng(seed)
    kind = np.where(rng.random((T, batch_size)) < p_delimiter, 2, rng.integers(0, 2, (T, batch_size))).astype(
        np.intp, copy=False
    )
    xs = np.zeros((T, batch_size, 3))
    xs[np.arange(T)[:, None], np.arange(batch_size)[None, :], kind] = 1.0
    targets = np.zeros((T, batch_size), dtype=np.intp)
    count = np.zeros(batch_size, dtype=np.intp)
    for t in range(T):
        count = np.where(kind[t] == 2, 0, count + (kind[t] == 0))
        targets[t] = np.minimum(count, max_count)
    return Batch(xs, targets, np.ones((T, batch_size)), max_count + 1)
