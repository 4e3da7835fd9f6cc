# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Ignore the grader's interrupt (SIGINT) and loop forever."""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
