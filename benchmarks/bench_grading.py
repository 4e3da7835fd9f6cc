"""What the sandbox costs: the time to grade N submissions of assignment 2, with and without it.

    python benchmarks/bench_grading.py [--n 30] [--rounds 2] [--previous]

Each submission is the solved assignment 2 (its tests pass: every cell runs). Graded with
``homework/hw.py``'s grade(), sandboxed (bubblewrap) and with sandboxed=False (the same kernel, guard
and limits, only no bwrap), alternately, ``--rounds`` times; ``--previous`` adds the grader as it was
before the sandbox (git HEAD's homework/hw.py, nbclient, all of os.environ), for scale. Prints a table;
nothing is asserted (see tests/test_grading_sandbox.py for what is).
"""

import argparse
import importlib.util
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def solved(hw, name):
    import re

    src = nbformat.read(hw.assignments()[name], as_version=4)
    nb = hw.student_version(src)
    answers = {hw.nbg(c)["grade_id"]: c.source for c in src.cells if hw.nbg(c).get("solution")}
    for cell in nb.cells:
        gid = hw.nbg(cell).get("grade_id")
        if gid in answers:
            cell.source = re.sub(r"[ \t]*### (BEGIN|END) SOLUTION\n?", "", answers[gid])
    return nb


def folder(hw, n, base):
    subs = pathlib.Path(base) / "submissions"
    nb = solved(hw, "a2_backward")
    for k in range(n):
        path = subs / f"student{k:02d}" / "a2_backward.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    return subs


def timed(fn):
    t0 = time.perf_counter()
    report = fn()
    seconds = time.perf_counter() - t0
    points = [sum(q["points"] for q in e["questions"]) for e in report]
    assert all(p == 15 for p in points), points  # every submission graded in full
    return seconds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--previous", action="store_true", help="also time git HEAD's grader")
    args = ap.parse_args(argv)
    hw = load("hw", ROOT / "homework" / "hw.py")
    runs = {"sandbox (bubblewrap)": [], "no sandbox": []}
    previous = None
    if args.previous:
        text = subprocess.run(
            ["git", "show", "HEAD:homework/hw.py"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        path = pathlib.Path(tempfile.mkdtemp()) / "hw_previous.py"
        path.write_text(
            text.replace(
                "HERE = pathlib.Path(__file__).resolve().parent", f'HERE = pathlib.Path("{ROOT / "homework"}")'
            )
        )
        previous = load("hw_previous", path)
        runs["before the sandbox (git HEAD)"] = []
    with tempfile.TemporaryDirectory() as tmp:
        subs = folder(hw, args.n, tmp)
        out = pathlib.Path(tmp)
        for _ in range(args.rounds):
            runs["sandbox (bubblewrap)"].append(
                timed(lambda: hw.grade(subs, out / "a.csv", out / "a.json", timeout=60, quiet=True))
            )
            runs["no sandbox"].append(
                timed(lambda: hw.grade(subs, out / "b.csv", out / "b.json", timeout=60, sandboxed=False, quiet=True))
            )
            if previous is not None:
                runs["before the sandbox (git HEAD)"].append(
                    timed(lambda: previous.grade(subs, out / "c.csv", out / "c.json", timeout=60))
                )
    print(
        f"\n{args.n} submissions of a2_backward, {args.rounds} rounds, {sys.platform}, Python {sys.version.split()[0]}"
    )
    print(f"| {'grader':30} | total (median) | per submission |")
    print(f"|{'-' * 32}|----------------|----------------|")
    med = {name: statistics.median(t) for name, t in runs.items()}
    for name, m in med.items():
        print(f"| {name:30} | {m:12.1f} s | {m / args.n:12.2f} s |")
    overhead = (med["sandbox (bubblewrap)"] - med["no sandbox"]) / args.n
    print(f"\nthe sandbox's overhead: {overhead:+.2f} s per submission")


if __name__ == "__main__":
    main()
