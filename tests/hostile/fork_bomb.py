# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""A fork bomb, bounded at 5,000 processes so that a broken limit cannot take the machine down: every
child becomes a shell that sleeps two minutes (its command line carries the test's marker)."""

import os

n, err = 0, None
for _ in range(5000):
    try:
        pid = os.fork()
    except OSError as e:
        err = e.strerror
        break
    if pid == 0:
        try:
            os.execv("/bin/sh", ["sh", "-c", "sleep 120; : __MARKER__"])
        finally:
            os._exit(0)
    n += 1
LOOT.append(f"forked {n} processes, then: {err}")
exfiltrate("fork_bomb")
