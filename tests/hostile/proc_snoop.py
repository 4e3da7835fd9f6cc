# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Learn about the host from /proc: every process's command line and environment (bubblewrap's own is
process 1), looking for host paths (the repository, the grader's environment, home folders, /tmp) and the
guard's variables."""

import glob

needles = ["__REPO__", "__VENV__", "__FAKE_HOME__", "/root", "/home/", "/tmp/", "LSTM_LAB_", "setpriv", "--ro-bind"]
looked = 0
for path in sorted(glob.glob("/proc/[0-9]*/cmdline") + glob.glob("/proc/[0-9]*/environ") + ["/proc/self/environ"]):
    try:
        data = open(path, "rb").read().decode("utf-8", "replace")
    except OSError:
        continue
    looked += 1
    LOOT.extend(f"{path}: {n}" for n in needles if n in data)
LOOT.insert(0, f"looked at {looked} files")
exfiltrate("proc_snoop")
