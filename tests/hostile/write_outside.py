# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Write outside the scratch folder: the teacher's real home (found with pwd, since only HOME is changed),
the home the grader runs with, another submission's folder, the grades' folder, the repository, a folder
of the test's, the machine's /tmp, and /, /root, /work."""

import os
import pwd

targets = [
    "__FAKE_HOME__",
    pwd.getpwuid(os.getuid()).pw_dir,
    "/root",
    "__OTHER_SUBMISSION__",
    "__GRADES__",
    "__REPO__",
    "__REPO__/lstm_lab",
    "__VICTIM__",
    "__HOST_TMP__",
    "/",
    "/work",
]
refused = 0
for t in targets:
    p = os.path.join(t, "hostile-__MARKER__.txt")
    try:
        with open(p, "w") as f:
            f.write("written by a submission")
        LOOT.append("wrote " + p)
    except OSError:
        refused += 1
LOOT.append(f"refused {refused} of {len(targets)}")
exfiltrate("write_outside")
