"""Fingerprints of the course's seeded runs under the BLAS limit lstm_lab sets: run it twice and compare.

    python scripts/thread_bits.py > one.txt; LSTM_LAB_BLAS_THREADS=none python scripts/thread_bits.py > default.txt
    diff one.txt default.txt     # only the first line (the threads) and the seconds may differ

The runs: notebook 05's three delay-50 runs, the two delay-5 entries tests/test_delay_sweep.py re-runs, 07's
delay-20 run and counter, 08's bracket counter, and 50 steps of 06's character model (H = 192) with its
validation loss. fp is a SHA-256 of the final parameters and the whole loss history. Arguments choose groups
(05, sweep, 06, 07, 08).
"""

import functools
import hashlib
import sys
import time

import numpy as np

from lstm_core import charlm, tasks
from lstm_core.models import SequenceModel
from lstm_core.train import train
from lstm_lab import scenarios, text
from lstm_lab.threads import blas_threads


def fp(params, losses):
    h = hashlib.sha256()
    for k in sorted(params):
        h.update(np.ascontiguousarray(params[k]).tobytes())
    h.update(np.asarray(losses, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


print("blas threads", list(blas_threads().values()), flush=True)
which = sys.argv[1:] or ["05", "sweep", "06", "07", "08"]
runs = {
    "05 lstm b_f=3 delay 50": (
        "05",
        lambda: scenarios.delayed_recall_experiment("lstm", 50, forget_bias=3.0, seed=0, progress=False),
    ),
    "05 lstm b_f=1 delay 50": (
        "05",
        lambda: scenarios.delayed_recall_experiment("lstm", 50, forget_bias=1.0, seed=0, progress=False),
    ),
    "05 rnn delay 50": ("05", lambda: scenarios.delayed_recall_experiment("rnn", 50, seed=0, progress=False)),
    "sweep lstm b_f=3 delay 5": (
        "sweep",
        lambda: scenarios.delayed_recall_experiment("lstm", 5, forget_bias=3.0, seed=0, progress=False),
    ),
    "sweep rnn delay 5": (
        "sweep",
        lambda: scenarios.delayed_recall_experiment("rnn", 5, forget_bias=1.0, seed=0, progress=False),
    ),
    "07 lstm delay 20": ("07", lambda: scenarios.delayed_recall_experiment("lstm", 20, seed=0, progress=False)),
}
for name, (grp, fn) in runs.items():
    if grp in which:
        t0 = time.perf_counter()
        m, h, acc = fn()
        print(
            f"{name:26} steps {h.steps:4d} acc {acc!r:8} loss[-1] {h.loss[-1]!r} fp {fp(m.params, h.loss)} ({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
if "07" in which:
    c = SequenceModel("lstm", 3, 8, 4, seed=0, forget_bias=1.0)
    h = train(
        c,
        functools.partial(tasks.segment_count, T=40),
        steps=500,
        lr=0.01,
        target_accuracy=0.995,
        seed=0,
        progress=False,
    )
    print(f"{'07 counter':26} steps {h.steps:4d} loss[-1] {h.loss[-1]!r} fp {fp(c.params, h.loss)}", flush=True)
if "08" in which:
    b = SequenceModel("lstm", 2, 8, 5, seed=0, forget_bias=3.0)
    h = train(
        b,
        functools.partial(tasks.brackets, T=60, max_depth=4),
        steps=600,
        lr=0.01,
        target_accuracy=0.99,
        seed=0,
        progress=False,
    )
    print(f"{'08 brackets':26} steps {h.steps:4d} loss[-1] {h.loss[-1]!r} fp {fp(b.params, h.loss)}", flush=True)
if "06" in which:
    full = text.shakespeare()
    tr, va = text.split(full)
    v = text.vocab()
    lm = charlm.CharLM("lstm", v, 192, seed=0)
    h = charlm.train_charlm(lm, v.encode(tr), steps=50, lr=5e-3, progress=False)
    val = charlm.evaluate_with_resets(lm, v.encode(va), 256)
    print(f"{'06 charlm H=192 50 steps':26} loss[-1] {h.loss[-1]!r} val {val!r} fp {fp(lm.params, h.loss)}", flush=True)
