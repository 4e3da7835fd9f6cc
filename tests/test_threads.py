"""Importing lstm_lab limits numpy's BLAS to one thread (lstm_lab/threads.py says why); lstm_core alone leaves it;
the course works without threadpoolctl; and the limit changes no number."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("threadpoolctl")

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "LSTM_LAB_BLAS_THREADS")
BLAS = "[i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas']"


def run(code, **env):
    """Run ``code`` in a fresh interpreter with no thread variable set but those given; its last printed line."""
    clean = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_importing_lstm_lab_limits_blas_to_one_thread():
    before, after = eval(run(f"import numpy, threadpoolctl; b = {BLAS}; import lstm_lab; print((b, {BLAS}))"))
    assert after and set(after) == {1}, after
    if (os.cpu_count() or 1) > 1:  # numpy's default on this machine is more, so the 1 is lstm_lab's doing
        assert max(before) > 1, before


def test_the_limit_can_be_chosen_or_left_to_numpy():
    default = eval(run(f"import numpy, threadpoolctl; print({BLAS})"))
    assert eval(run(f"import lstm_lab, threadpoolctl; print({BLAS})", LSTM_LAB_BLAS_THREADS="none")) == default
    assert set(eval(run(f"import lstm_lab, threadpoolctl; print({BLAS})", LSTM_LAB_BLAS_THREADS="2"))) == {2}
    bad = subprocess.run([sys.executable, "-c", "import lstm_lab"], env={**os.environ, "LSTM_LAB_BLAS_THREADS": "one"})
    assert bad.returncode != 0
    with pytest.raises(ValueError, match="n: expected a positive integer or None, got 0"):
        from lstm_lab.threads import limit_blas_threads

        limit_blas_threads(0)


def test_lstm_core_alone_neither_imports_threadpoolctl_nor_limits_threads():
    code = f"import sys, lstm_core, threadpoolctl; print(({BLAS}, 'lstm_lab' in sys.modules))"
    default = eval(run(f"import numpy, threadpoolctl; print({BLAS})"))
    assert eval(run(code)) == (default, False)
    assert run("import sys, lstm_core; print('threadpoolctl' in sys.modules)") == "False"


def test_the_course_works_without_threadpoolctl():
    code = """
import sys
sys.modules["threadpoolctl"] = None  # as in a kernel without it (Pyodide): importing it raises ImportError
import lstm_lab
from lstm_lab import figures, scenarios, threads
from lstm_lab.timing import min_time
_, hist, acc = scenarios.delayed_recall_experiment("lstm", 5, seed=0, steps=20, progress=False)
assert hist.steps == 20 and 0 <= acc <= 1 and min_time([lambda: None], repeats=2)[0] >= 0
print((threads.BLAS_LIMIT, threads.blas_threads()))
"""
    assert eval(run(code)) == ("not limited (threadpoolctl is not installed)", {})


BITS = """
import hashlib, numpy as np, lstm_lab
from lstm_core import charlm
from lstm_lab import scenarios, text
lm = charlm.CharLM("lstm", text.vocab(), 192, seed=0)  # notebook 06's live model: products big enough to thread
hist = charlm.train_charlm(lm, text.vocab().encode(text.shakespeare()[:20000]), steps=1, lr=5e-3, progress=False)
model, h2, acc = scenarios.delayed_recall_experiment("lstm", 5, seed=0, steps=10, progress=False)
digest = hashlib.sha256()
for a in [*lm.params.values(), *model.params.values(), np.array(hist.loss + h2.loss + [acc])]:
    digest.update(np.ascontiguousarray(a).tobytes())
print(digest.hexdigest())
"""


def test_one_thread_and_numpys_default_give_the_same_bits():
    assert run(BITS) == run(BITS, LSTM_LAB_BLAS_THREADS="none")
