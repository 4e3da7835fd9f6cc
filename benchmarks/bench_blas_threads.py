"""The notebooks' heavy cells on one BLAS thread (the course's setting) and on numpy's default threads, with the
machine idle and with one core kept busy by another process: the measurement behind lstm_lab/threads.py.

Each cell's work runs in a fresh process of its own, with LSTM_LAB_BLAS_THREADS=1 or =none and no other thread
variable; "busy" is a Python loop pinned to the last core (bench_notebooks.busy_core). The work, cut to a size
that takes seconds:
    05  notebook 05's training: H = 32, batches of 64, delay 50, 100 steps
    07  notebook 07's: delay 20 (100 steps) and the counter (H = 8, 200 steps)
    06  notebook 06's live training: the character model with H = 192, 60 steps, then validation with resets
    08  notebook 08's timing cell: the fast forward pass at T = 25 to 800 (B = 32, H = 128), 4 calls each

Run:  python benchmarks/bench_blas_threads.py [--save] [cells...]
"""

import argparse
import functools
import json
import os
import pathlib
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_notebooks import THREAD_VARIABLES, busy_core, machine  # noqa: E402

RESULT = pathlib.Path(__file__).resolve().parent / "results" / "bench_blas_threads.txt"


def cell_05():
    from lstm_core import tasks
    from lstm_core.models import SequenceModel
    from lstm_core.train import train

    m = SequenceModel("lstm", 6, 32, 4, seed=0, forget_bias=3.0)
    task = functools.partial(tasks.delayed_recall, delay=50)
    train(m, task, steps=100, batch_size=64, lr=0.002, seed=0, progress=False)


def cell_07():
    from lstm_core import tasks
    from lstm_core.models import SequenceModel
    from lstm_core.train import train

    m = SequenceModel("lstm", 6, 32, 4, seed=0, forget_bias=3.0)
    task = functools.partial(tasks.delayed_recall, delay=20)
    train(m, task, steps=100, batch_size=64, lr=0.002, seed=0, progress=False)
    c = SequenceModel("lstm", 3, 8, 4, seed=0, forget_bias=1.0)
    train(c, functools.partial(tasks.segment_count, T=40), steps=200, lr=0.01, seed=0, progress=False)


def cell_06():
    from lstm_core import charlm
    from lstm_lab import text

    train_text, val_text = text.split(text.shakespeare())
    vocab = text.vocab()
    lm = charlm.CharLM("lstm", vocab, 192, seed=0)
    charlm.train_charlm(lm, vocab.encode(train_text), steps=60, lr=5e-3, progress=False)
    charlm.evaluate_with_resets(lm, vocab.encode(val_text)[:20000], 256)


def cell_08():
    import numpy as np

    import lstm_core

    p = lstm_core.LSTMParams.init(16, 128, seed=0)
    for T in [25, 50, 100, 200, 400, 800]:
        xs = np.random.default_rng(0).normal(size=(T, 32, 16))
        for _ in range(4):
            lstm_core.fast.lstm_forward(xs, p)


CELLS = {"05": cell_05, "07": cell_07, "06": cell_06, "08": cell_08}


def worker(name):
    import lstm_lab  # noqa: F401  (sets the limit, as in a notebook)
    from lstm_lab.threads import blas_threads

    t0 = time.perf_counter()
    CELLS[name]()
    print(json.dumps({"seconds": time.perf_counter() - t0, "threads": sorted(set(blas_threads().values()))}))


def measure(name, threads, busy):
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env["LSTM_LAB_BLAS_THREADS"] = threads
    with busy_core() if busy else open(os.devnull):
        out = subprocess.run([sys.executable, __file__, "--worker", name], env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cells", nargs="*", choices=[[], *CELLS], help="cells to run (default: all)")
    ap.add_argument("--save", action="store_true", help=f"also write the table to {RESULT.name}")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker)
    lines = [
        f"# bench_blas_threads.py; machine: {machine()}; load average at the start "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "| cell | idle, 1 thread | idle, default | one core busy, 1 thread | one core busy, default |",
        "|------|----------------|---------------|-------------------------|------------------------|",
    ]
    print("\n".join(lines), flush=True)
    for name in args.cells or CELLS:
        row = []
        for busy in (False, True):
            for threads in ("1", "none"):  # one thread and the default back to back, in the same conditions
                r = measure(name, threads, busy)
                row.append(f"{r['seconds']:.2f} s ({','.join(map(str, r['threads']))})")
        lines.append(f"| {name} | " + " | ".join(row) + " |")
        print(lines[-1], flush=True)
    lines.append("# (n): the BLAS threads the run had; load average at the end " + ", ".join(
        f"{x:.2f}" for x in os.getloadavg()))  # fmt: skip
    print(lines[-1])
    if args.save:
        RESULT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
