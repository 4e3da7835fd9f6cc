# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Get around the grader's watch in the kernel: remove the trace function, set a profile function, use ctypes
and /proc/self/mem (the usual tools for editing the interpreter from inside), start a thread the watch does
not follow, then write made-up records into every pipe the kernel holds (one of them is the grader's report
channel): framed like the guard's, and plain text."""

import _thread
import os
import struct
import sys

for what, act in [
    ("settrace", lambda: sys.settrace(None)),
    ("setprofile", lambda: sys.setprofile(print)),
    ("mem", lambda: open("/proc/self/mem", "rb")),
    ("raw thread", lambda: _thread.start_new_thread(print, ())),
]:
    try:
        act()
        LOOT.append(f"{what}: done")
    except Exception as e:
        LOOT.append(f"{what}: {type(e).__name__}")
import ctypes  # noqa: E402

ctypes.string_at(id(LOOT), 16)
body = b'done 1 {"question": "forward", "seed": 0, "error": null}\n'
forged = struct.pack(">IQ", 8 + 32 + len(body), 1) + b"\0" * 32 + body
for fd in map(int, os.listdir("/proc/self/fd")):
    try:
        if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
            os.write(fd, forged + b"cell 2 0000000000000000\nready 0\n")
            LOOT.append(f"wrote to fd {fd}")
    except OSError:
        pass
