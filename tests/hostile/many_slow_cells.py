# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Stay under the per-cell timeout in many extra cells, to hold the grader for as long as it lets any
submission run: each of 24 cells sleeps a little less than the timeout."""

import time

time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
### NEW CELL
time.sleep(__TIMEOUT__ - 1)
