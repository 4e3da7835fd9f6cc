# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Delete or fill the results folder the hidden checks save into: remove it, rename it, put a link to a
folder of the test's (holding a forward.npz) in its place and inside it, a FIFO named like a result (a
grader that opens it blocks), twenty thousand files, and fill the scratch space to the last byte; a thread
keeps writing a forward.npz of its own."""

import os
import shutil
import threading
import time

R = os.environ.get("LSTM_LAB_RESULTS", "results")
for what, act in [
    ("rmtree", lambda: shutil.rmtree(R)),
    ("rename", lambda: os.rename(R, R + ".old")),
    ("symlink folder", lambda: os.symlink("__VICTIM__", R)),
    ("symlink file", lambda: os.symlink("__VICTIM__/forward.npz", os.path.join(R, "forward.npz"))),
    ("fifo", lambda: os.mkfifo(os.path.join(R, "gradcheck.npz"))),
]:
    try:
        act()
        LOOT.append(f"{what}: done")
    except OSError as e:
        LOOT.append(f"{what}: {e.strerror}")
for i in range(20000):
    try:
        open(os.path.join(R, f"junk{i}.npz"), "w").close()
    except OSError as e:
        LOOT.append(f"junk {i}: {e.strerror}")
        break
try:
    with open(os.path.join(os.environ.get("HOME", "."), "fill"), "wb") as f:
        while True:
            f.write(b"\0" * (1 << 20))
except OSError as e:
    LOOT.append(f"fill: {e.strerror}")


def keep_writing():
    while True:
        try:
            np.savez(os.path.join(R, "forward.npz"), **{"0::h": np.zeros((1, 2)), "0::c": np.zeros((1, 2))})
        except OSError:
            pass
        time.sleep(0.01)


threading.Thread(target=keep_writing, daemon=True).start()
exfiltrate("results_folder")
