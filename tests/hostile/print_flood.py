# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Print without end: one 100 MiB line, then lines forever, on the notebook's streams and on the kernel
process's own stdout and stderr."""

import os

os.write(1, b"flood " * 100000)
print("y" * (100 << 20))
while True:
    print("x" * 10000)
    os.write(2, b"z" * 10000)
