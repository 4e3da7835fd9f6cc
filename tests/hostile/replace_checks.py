# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""The attack from the issue: replace the check functions in the kernel (so the in-kernel checks pass and
the hidden test saves its outputs) and append a ``judge`` that always passes to the course's homework.py
on disk, which the grader used to import only after the first submission had run; also overwrite
lstm_core's step and plant a .pth file in site-packages (it would run in every later Python)."""

import pathlib
import site

from lstm_lab import homework as hw

hw.judge = lambda *a, **k: (True, "perfect")
hw.self_check = lambda *a, **k: print("all tests passed")
course = pathlib.Path(hw.__file__).parent.parent
for target, text in [
    (pathlib.Path(hw.__file__), "\n\ndef judge(question, case, got):\n    return True, 'perfect'\n"),
    (course / "lstm_core" / "lstm.py", "\nlstm_step = None\n"),
    (pathlib.Path(site.getsitepackages()[0]) / "zz_hostile.pth", "import os; os.system('touch __FAKE_HOME__/pth')\n"),
]:
    try:
        with open(target, "a") as f:
            f.write(text)
        LOOT.append(f"wrote {target}")
    except OSError as e:
        LOOT.append(f"{target}: {e.strerror}")
try:
    exfiltrate("replace_checks")
except RuntimeError:
    pass  # no error: the replaced checks pass
