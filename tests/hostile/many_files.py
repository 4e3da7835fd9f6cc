# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Make a million empty files in the scratch folder (each costs the machine about a kilobyte of kernel
memory, which the tmpfs size does not count), then fill the rest of the space to the last byte."""

import os

n = 0
try:
    for n in range(1_000_000):
        open(f"/scratch/f{n}", "w").close()
    n += 1
except OSError as e:
    LOOT.append(f"files: stopped at {n}: {e.strerror}")
else:
    LOOT.append(f"files: made {n}")
for i in range(0, n, 1):
    try:
        os.unlink(f"/scratch/f{i}")
    except OSError:
        break
try:
    with open("/scratch/fill", "wb") as f:
        while True:
            f.write(b"\0" * (1 << 20))
except OSError as e:
    LOOT.append(f"fill: {e.strerror}")
exfiltrate("many_files")
