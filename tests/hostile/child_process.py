# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Compute the answer in a fresh Python process, where the guard does not live: ``python -c`` through
subprocess, os.fork, multiprocessing, os.posix_spawn and os.system are all tried; each answer falls back to
zeros, so a refused process is worth nothing."""

import json
import multiprocessing
import os
import subprocess
import sys

CHILD = """
import json, sys, numpy as np, lstm_core
x, h, c, W, b = (np.array(a) for a in json.loads(sys.stdin.read()))
out = lstm_core.lstm_step(x, h, c, lstm_core.LSTMParams(W, b))
print(json.dumps([out[0].tolist(), out[1].tolist()]))
"""

for what, act in [
    ("fork", os.fork),
    ("posix_spawn", lambda: os.posix_spawn("/bin/true", ["true"], {})),
    ("system", lambda: os.system("true")),
    ("multiprocessing", lambda: multiprocessing.Process(target=print).start()),
]:
    try:
        pid = act()
        if what == "fork" and pid == 0:
            os._exit(0)
        LOOT.append(f"{what}: started")
    except OSError as e:
        LOOT.append(f"{what}: {e.strerror}")


def lstm_step_forward(x, h_prev, c_prev, W, b):
    try:
        args = json.dumps([a.tolist() for a in (x, h_prev, c_prev, W, b)])
        out = subprocess.run([sys.executable, "-c", CHILD], input=args, capture_output=True, text=True, check=True)
        h, c = (np.array(a) for a in json.loads(out.stdout))
        return h, c, None
    except (OSError, subprocess.SubprocessError, ValueError):
        return np.zeros_like(h_prev), np.zeros_like(c_prev), None
