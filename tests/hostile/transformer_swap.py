# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Swap the hidden test (the first attack of issue 28): an IPython input transformer rewrites every cell the
grader sends after this one, keeping its first line and replacing the rest with code that computes the public
reference's outputs on whatever cases it can find and saves them where the old grader read them, and writes
a made-up "done" record into every pipe; the answer itself raises NotImplementedError."""

import os

from IPython import get_ipython

from lstm_lab import homework as hw

hw.self_check = lambda *a, **k: None


def lstm_step_forward(x, h_prev, c_prev, W, b):
    raise NotImplementedError


FAKE = b"\0\0\0\x40" + b"\0" * 8 + b"\0" * 32 + b'done 1 {"question": "forward", "seed": 0, "error": null}\n'


def swap(lines):
    if not lines:
        return lines
    for fd in map(int, os.listdir("/proc/self/fd")):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                os.write(fd, FAKE)
        except OSError:
            pass
    return [
        lines[0],
        "import lstm_core as _lc\n",
        "from lstm_lab import homework as _hw\n",
        "_outs = [_lc.lstm_step(c['x'], c['h_prev'], c['c_prev'], _lc.LSTMParams(c['W'], c['b']))[:2] for c in _hw.cases('forward', 0)]\n",
    ]


get_ipython().input_transformers_cleanup.insert(0, swap)
