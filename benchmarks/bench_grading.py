"""What grading a class costs: N submissions of assignment 2, sandboxed, with --jobs 1 and --jobs 2.

    python benchmarks/bench_grading.py [--sizes 30 200] [--jobs 1 2]

Each submission is assignment 2's source (every test passes, so every cell and both hidden tests run), graded
by the grader's command line as a teacher runs it (``python -m homework grade``, sandboxed: bubblewrap), which
prints its time and its own peak memory (the grader's process, all its threads; not the kernels, which live
in their sandboxes). Prints a table; nothing is asserted (tests/test_grading_sandbox.py asserts what holds).
"""

import argparse
import json
import os
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = ROOT / "homework" / "source" / "a2_backward" / "a2_backward.ipynb"


def grade(n, jobs, tmp):
    """(seconds, grader peak MB) for ``n`` submissions graded ``jobs`` at a time."""
    subs = pathlib.Path(tmp) / f"subs{n}"
    if not subs.exists():
        for k in range(n):
            (subs / f"student{k:03d}").mkdir(parents=True)
            shutil.copyfile(SOURCE, subs / f"student{k:03d}" / "a2_backward.ipynb")
    out = pathlib.Path(tmp) / f"g{n}_{jobs}"
    cmd = [sys.executable, "-m", "homework", "grade", str(subs), "--csv", f"{out}.csv", "--json", f"{out}.json"]
    run = subprocess.run([*cmd, "--jobs", str(jobs)], cwd=ROOT, capture_output=True, text=True, check=True)
    report = json.loads(pathlib.Path(f"{out}.json").read_text())
    points = [sum(q["points"] for q in e["questions"]) for e in report]
    assert points == [15.0] * n, points  # every submission graded in full
    summary = run.stdout.strip().splitlines()[-1]
    seconds, mb = re.search(r"in ([\d.]+) s .* peak memory (\d+) MB", summary).groups()
    return float(seconds), int(mb)


def machine():
    model = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({model}), load average {load}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[30, 200])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args(argv)
    print(f"assignment 2, sandboxed (bubblewrap); {machine()}; Python {sys.version.split()[0]}")
    limits = subprocess.run([sys.executable, "-m", "homework", "limits"], cwd=ROOT, capture_output=True, text=True)
    print(limits.stdout.rstrip())
    print("| submissions | --jobs | total | per submission | grader peak memory |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="lstm-lab-bench-grading-") as tmp:
        for n in args.sizes:
            for jobs in args.jobs:
                seconds, mb = grade(n, jobs, tmp)
                print(f"| {n} | {jobs} | {seconds:.1f} s | {seconds / n:.2f} s | {mb} MB |", flush=True)
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
