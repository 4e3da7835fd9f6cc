"""Each course notebook run top to bottom in a fresh kernel: its time with the machine idle and with one core kept
busy by another process, and its kernel's peak memory.

Goals (issue 27): each notebook under 60 s with one core busy and no thread settings, peak memory under 1.5 GB.

Each run is a process of its own that starts a fresh kernel with nbclient and executes every cell in order, as a
learner's "Run all" would, offline. The kernel inherits no thread variable (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS,
... are removed), so the course's own thread handling is what is measured (lstm_lab/threads.py: BLAS on one
thread). "One core busy" is a Python loop (`while True: pass`) pinned to the last core, as `taskset` would pin it,
for as long as the notebook runs; the notebook itself may use every core. `--no-limit` adds runs with
LSTM_LAB_BLAS_THREADS=none (numpy's default BLAS threads), for comparison. Peak memory is the kernel process's
peak resident set (VmHWM in /proc/<pid>/status), read after the last cell. The time is the cells' (the kernel's
start-up is not counted); "slowest cell" is the longest single cell, by its 0-based index.

Run:  python benchmarks/bench_notebooks.py [--busy] [--no-limit] [--save [FILE]] [notebooks...]
      (no notebooks: all of notebooks/0*.ipynb; --save writes benchmarks/results/bench_notebooks.txt)
"""

import argparse
import contextlib
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULT = ROOT / "benchmarks" / "results" / "bench_notebooks.txt"
THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "LSTM_LAB_BLAS_THREADS",
)
GOAL_SECONDS, GOAL_GB = 60, 1.5


@contextlib.contextmanager
def busy_core():
    """Another process spinning on the last core while the block runs (like `taskset -c N python -c ...`)."""
    spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        os.sched_setaffinity(spin.pid, {max(os.sched_getaffinity(0))})
        yield spin.pid
    finally:
        spin.kill()
        spin.wait()


def clean_environment(limit=True):
    """This process's environment without thread variables (and with the limit turned off if asked), with
    throw-away Jupyter and matplotlib settings folders, as the tests give their kernels."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES and k != "MPLBACKEND"}
    home = tempfile.mkdtemp(prefix="bench-notebooks-home-")
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        env[var] = os.path.join(home, var.lower())
        os.makedirs(env[var], exist_ok=True)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    if not limit:
        env["LSTM_LAB_BLAS_THREADS"] = "none"
    return env


def peak_rss_bytes(pid):
    """The process's peak resident set size (VmHWM), or None where /proc does not say."""
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def run_notebook(path, timeout):
    """Execute the notebook at ``path`` in a fresh kernel (in this process): a dict of what was measured."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": path.parent}})
    cells, error = [], None
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        t0 = time.perf_counter()
        try:
            for index, cell in enumerate(nb.cells):
                start = time.perf_counter()
                client.execute_cell(cell, index)
                cells.append(time.perf_counter() - start)
        except Exception as err:  # a failing cell or a timeout: report it, with the time so far
            error = f"cell {len(cells)}: {type(err).__name__}: {str(err).strip().splitlines()[-1][:120]}"
        seconds = time.perf_counter() - t0
        peak = peak_rss_bytes(pid)
    slowest = max(range(len(cells)), key=cells.__getitem__) if cells else None
    return {
        "seconds": seconds,
        "peak_bytes": peak,
        "slowest_cell": slowest,
        "slowest_seconds": cells[slowest] if cells else None,
        "error": error,
    }


def measure(path, *, busy, limit, timeout):
    """Run one notebook in a worker process of its own, with or without a busy core, with or without the limit."""
    cmd = [sys.executable, __file__, "--worker", str(path), "--timeout", str(timeout)]
    with busy_core() if busy else contextlib.nullcontext():
        out = subprocess.run(cmd, env=clean_environment(limit), capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        return {"seconds": None, "peak_bytes": None, "error": out.stderr.strip().splitlines()[-1][:160]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt_seconds(r):
    if r is None:
        return "-"
    if r["seconds"] is None:
        return "failed"
    if r.get("error") and "Timeout" in r["error"]:  # stopped by --timeout: it would have taken longer
        return f"> {r['seconds']:.0f} s"
    return f"{r['seconds']:.1f} s" + (" (failed)" if r.get("error") else "")


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", help="notebooks to run (default: notebooks/0*.ipynb)")
    ap.add_argument("--busy", action="store_true", help="also run each notebook with one core kept busy")
    ap.add_argument("--idle", action=argparse.BooleanOptionalAction, default=True, help="run with the machine idle")
    ap.add_argument("--no-limit", action="store_true", help="also run with numpy's default BLAS threads")
    ap.add_argument("--timeout", type=int, default=900, help="seconds a cell may take (default 900; '> N s' past it)")
    ap.add_argument(
        "--save", nargs="?", const=RESULT, type=pathlib.Path, help=f"also write the table to a file ({RESULT.name})"
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(run_notebook(pathlib.Path(args.worker).resolve(), args.timeout)))
        return
    paths = [pathlib.Path(p).resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("0*.ipynb"))
    conditions = [(name, busy, limit) for name, busy, limit in [
        ("idle", False, True), ("one core busy", True, True),
        ("idle, no limit", False, False), ("busy, no limit", True, False),
    ] if (args.idle or busy) and (args.busy or not busy) and (args.no_limit or limit)]  # fmt: skip
    if not conditions:
        ap.error("nothing to run: --no-idle needs --busy")
    head = [
        "# bench_notebooks.py: each notebook top to bottom in a fresh kernel, no thread variables set",
        f"# machine: {machine()}; Python {platform.python_version()}; load average at the start "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        f"# goals: under {GOAL_SECONDS} s with one core busy, peak memory under {GOAL_GB} GB; "
        "'no limit' = LSTM_LAB_BLAS_THREADS=none (numpy's default BLAS threads)",
    ]
    for line in head:
        print(line, flush=True)
    rows = []
    for path in paths:
        results = {}
        for name, busy, limit in conditions:  # the conditions of one notebook back to back
            results[name] = measure(path, busy=busy, limit=limit, timeout=args.timeout)
            peak = results[name].get("peak_bytes")
            memory = f", peak memory {peak / 1e9:.2f} GB" if peak else ""
            print(f"  {path.stem}, {name}: {fmt_seconds(results[name])}{memory}", file=sys.stderr, flush=True)
        rows.append((path.stem, results))
    table = table_lines(rows, [c[0] for c in conditions])
    tail = ["# load average at the end " + ", ".join(f"{x:.2f}" for x in os.getloadavg())]
    errors = [f"# {stem}, {c}: {r['error']}" for stem, res in rows for c, r in res.items() if r.get("error")]
    print("\n".join(table + tail + errors))
    if args.save:
        args.save.write_text("\n".join(head + table + tail + errors) + "\n")
        print(f"saved to {args.save}")


def table_lines(rows, conditions):
    """The table: a column per condition, the largest peak memory of any run, and the slowest cell of the run
    that the goal is about (one core busy, the course's own limit) or else of the first run."""
    which = "one core busy" if "one core busy" in conditions else conditions[0]
    cols = ["notebook", *conditions, "peak memory", f"slowest cell ({which})"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("-" * (len(c) + 2) for c in cols) + "|"]
    for stem, res in rows:
        peaks = [r["peak_bytes"] for r in res.values() if r.get("peak_bytes")]
        slow = res[which]
        cells = [
            stem,
            *(fmt_seconds(res[c]) for c in conditions),
            f"{max(peaks) / 1e9:.2f} GB" if peaks else "-",
            f"cell {slow['slowest_cell']}: {slow['slowest_seconds']:.1f} s" if slow.get("slowest_seconds") else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


if __name__ == "__main__":
    main()
