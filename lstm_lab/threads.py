"""numpy's BLAS runs on one thread in the course: importing lstm_lab sets it (with threadpoolctl).

Why. A learner's machine is shared: Binder and Colab give a few cores that other users' work also runs on,
and a laptop is doing other things. numpy's OpenBLAS starts one thread per core and splits every matrix
product between them; when one core is busy elsewhere, each product waits for the thread on that core.
The course's matrices are small (H up to 256, batches of 32 to 64): on an idle machine a second thread
saves at most a fraction of the largest products' time, and on a busy one it costs a multiple of the cell's. On a 2-core machine with another process keeping one
core busy, notebook 06 took 396 s with numpy's default threads against 49 s with one thread (issue 27).
`benchmarks/bench_blas_threads.py` times the notebooks' heavy cells both ways, with and without a busy core;
docs/performance.md ("Threads on a shared machine") keeps its numbers and the choice they led to.

Where. Here, when lstm_lab is imported: every notebook imports it, and every heavy cell (training, the
evaluation of the character model, notebook 08's timings) then runs on one thread, with nothing for the
learner to set. lstm_core stays numpy and the standard library only; it never limits anything itself, so a
script that imports lstm_core alone runs with numpy's defaults (call ``limit_blas_threads()`` to change that).

Numbers. The limit changes no result: one thread and numpy's default give the same bits for the course's
seeded runs (tests/test_threads.py checks one; docs/performance.md lists the runs compared).

Settings. ``LSTM_LAB_BLAS_THREADS`` chooses another limit: a positive integer, or ``none`` to leave numpy's
default (benchmarks/bench_notebooks.py uses it to compare). threadpoolctl is imported softly: where it is
missing (the in-browser Pyodide kernel, which has no BLAS threads anyway), nothing is limited and
``BLAS_LIMIT`` says why.
"""

import os

import numpy as np  # noqa: F401  (threadpoolctl finds only the BLAS libraries already loaded: numpy's)

try:
    import threadpoolctl
except ImportError:  # the course still works; only the thread limit is missing
    threadpoolctl = None

ENV = "LSTM_LAB_BLAS_THREADS"

BLAS_LIMIT = None  # what the last limit_blas_threads() did: the limit set, or a sentence saying why none was


def _limit_from_environment():
    """The limit asked for by LSTM_LAB_BLAS_THREADS: 1 when unset, None for "none"."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return 1
    if value.lower() == "none":
        return None
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise ValueError(f"{ENV}: expected a positive integer or 'none', got {value!r}")


def limit_blas_threads(n=1):
    """Limit the BLAS libraries numpy has loaded to ``n`` threads (a positive integer; None: leave them).

    Returns ``BLAS_LIMIT``: ``n`` when the limit was set, else a sentence saying why it was not."""
    global BLAS_LIMIT
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"n: expected a positive integer or None, got {n!r}")
    if n is None:
        BLAS_LIMIT = f"not limited ({ENV}=none)"
    elif threadpoolctl is None:
        BLAS_LIMIT = "not limited (threadpoolctl is not installed)"
    else:
        threadpoolctl.threadpool_limits(limits=n, user_api="blas")
        BLAS_LIMIT = n
    return BLAS_LIMIT


def blas_threads():
    """The number of threads of each BLAS library numpy has loaded ({library: threads}); {} without
    threadpoolctl."""
    if threadpoolctl is None:
        return {}
    return {i["filepath"]: i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"}
