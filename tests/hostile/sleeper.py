# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""A correct answer that leaves a thread sleeping forever and tries to leave a detached child process that
ignores SIGTERM, SIGINT and SIGHUP (refused: a grading kernel starts no process): it earns its points, and
nothing of it may outlive its grading."""

import subprocess
import threading
import time


def lstm_step_forward(x, h_prev, c_prev, W, b):
    H = h_prev.shape[1]
    hx = np.concatenate([h_prev, x], axis=1)
    a = hx @ W.T + b
    f = 0.5 * (1 + np.tanh(0.5 * a[:, :H]))
    i = 0.5 * (1 + np.tanh(0.5 * a[:, H : 2 * H]))
    g = np.tanh(a[:, 2 * H : 3 * H])
    o = 0.5 * (1 + np.tanh(0.5 * a[:, 3 * H :]))
    c = f * c_prev + i * g
    return o * np.tanh(c), c, None


threading.Thread(target=time.sleep, args=(10**9,), daemon=False).start()
try:
    subprocess.Popen(
        ["/bin/sh", "-c", "trap '' TERM INT HUP; sleep 600; : __MARKER__"],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
except OSError:
    pass
