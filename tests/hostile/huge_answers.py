# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Make the grader convert a mountain: correct on the visible cases, but while the hidden test runs (a trace
function is set then) the answer returns 64 MiB of one-byte strings for h and C (the old grader, handed a
66 KB compressed file of them, spent 23 s and 0.7 GB converting them to float before checking a shape)."""

import sys


def lstm_step_forward(x, h_prev, c_prev, W, b):
    if sys.gettrace() is not None:
        big = np.full(64 << 20, b"1", dtype="S1")
        return big, big, None
    H = h_prev.shape[1]
    a = np.concatenate([h_prev, x], axis=1) @ W.T + b
    f, i, o = (0.5 * (1 + np.tanh(0.5 * a[:, k * H : (k + 1) * H])) for k in (0, 1, 3))
    c = f * c_prev + i * np.tanh(a[:, 2 * H : 3 * H])
    return o * np.tanh(c), c, None
