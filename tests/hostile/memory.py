# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Allocate far more than the memory limit: 4 GiB as a numpy array, as a bytearray, and in a child process
(which cannot be started: a grading kernel starts no process)."""

import os

for what, alloc in [
    ("numpy 4 GiB", lambda: np.ones(1 << 29)),
    ("bytearray 4 GiB", lambda: bytearray(4 << 30)),
]:
    try:
        a = alloc()
        a[-1] = 1
        LOOT.append(f"allocated {what}")
        del a
    except MemoryError:
        LOOT.append(f"{what}: MemoryError")
try:
    pid = os.fork()
    if pid == 0:
        try:
            b = bytearray(4 << 30)
            os._exit(0)
        except MemoryError:
            os._exit(3)
    LOOT.append(f"child: exit {os.waitpid(pid, 0)[1] >> 8}")
except OSError as e:
    LOOT.append(f"child: {e.strerror}")
exfiltrate("memory")
