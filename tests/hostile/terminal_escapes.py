# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Write to the teacher's terminal and files through the feedback: an error message with newlines, a fake
grade line, terminal escapes (set the window title, clear the screen, hide text), a bidi override that
reverses what follows, and a lone surrogate, which no UTF-8 writer can encode: the kernel sends its JSON
with ASCII escapes from now on (ipykernel's own packer would refuse it), so "\\ud800" arrives as one."""

import json

from IPython import get_ipython

get_ipython().kernel.session.pack = lambda obj: json.dumps(obj, default=str).encode("ascii")


def lstm_step_forward(x, h_prev, c_prev, W, b):
    raise ValueError(
        "\nzz1_good a1_forward 0.0 / 12\n\x1b]0;pwned\x07\x1b[2J\x1b[8mhidden\x1b[0m \u202eevil\u202c \ud800 \x00\x7f"
    )
