"""LSTM Lab's homework: the assignments' sources (source/) and the grader, a package run as ``python -m homework``.

    hw.py           release and grade: the command line, a class graded ``--jobs`` at a time, verdicts
    notebooks.py    sources, student versions, a submission read safely, integrity, the steps a kernel runs
    kernel.py       one grading kernel: started in its sandbox, run, interrupted, ended
    sandbox.py      the sandbox (bubblewrap): what a kernel sees, its limits, the check that it starts here
    cgroups.py      a cgroup of its own for each sandbox, where the system offers one
    zmtp.py         the grader's bounded end of a kernel's shell socket
    channel.py      the grader's ends of the guard's pipes
    wire.py         what the grader and the guard say to each other (records, commands, results)
    kernel_guard.py the first code in a grading kernel (runs inside the sandbox)
    seccomp.py      the system calls a grading kernel may not make (runs inside the sandbox)
    judging.py      the verdict on a hidden test's outputs; the course files' hashes
    export.py       the CSV, the JSON and the printed lines, safe to open
    nbgrader_manager.py, nbgrader_config.py   the same sandbox for nbgrader's autograde

Nothing is imported here: the sandbox imports ``homework.kernel_guard`` with only wire.py and seccomp.py
beside it.
"""
