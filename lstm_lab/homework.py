"""Checks for the homework: test cases, reference answers from lstm_core, and feedback that names the mistake.

In a student's notebook, ``self_check(question, fn)`` runs visible cases (a public seed) and either
prints what passed or raises AssertionError saying exactly what is wrong. At grading time,
``hidden_check`` runs cases from a seed the grader chooses then (LSTM_LAB_GRADING_SEED) and saves the
student function's outputs (LSTM_LAB_RESULTS); the grader then calls ``judge`` in its own process, so
the score never depends on anything the student's kernel prints or claims.
"""

import os
import pathlib

import numpy as np

import lstm_core.lstm as _lstm
from lstm_core import LSTMParams, lstm_backward, lstm_forward, lstm_step, lstm_step_backward, rel_error, sigmoid

from . import bugs

QUESTIONS = ("forward", "backward", "gradcheck", "bptt", "memory")
# The course's functions that compute each question's answer. The grader (homework/hw.py) reports an answer
# that calls one of them, or a copy of one, while its hidden cases run. Every question also lists the
# checks' own reference (reference, judge): they compute every answer.
_CHECKS_OWN = ("lstm_lab.homework.reference", "lstm_lab.homework.judge", "lstm_lab.homework._fingerprints")
REFERENCE_CALLS = {
    "forward": (
        "lstm_core.lstm.lstm_step",
        "lstm_core.lstm.lstm_forward",
        "lstm_core.fast.lstm_forward",
        "lstm_lab.homework.lstm_step_compat",
        *_CHECKS_OWN,
    ),
    "backward": (
        "lstm_core.lstm.lstm_step_backward",
        "lstm_core.lstm.lstm_backward",
        "lstm_core.fast.lstm_backward",
        *_CHECKS_OWN,
    ),
    "gradcheck": ("lstm_core.gradcheck.numerical_gradient", *_CHECKS_OWN),
    "bptt": ("lstm_core.lstm.lstm_backward", "lstm_core.fast.lstm_backward", *_CHECKS_OWN),  # its steps are allowed
    "memory": _CHECKS_OWN,
}
PUBLIC_SEED = 2026
TOL = 1e-6


def cases(question, seed):
    """The inputs for ``question``: a few shapes (B = 1, D != H, D == H) drawn from ``seed``."""
    if question not in QUESTIONS:
        raise ValueError(f"question: expected one of {QUESTIONS}, got {question!r}")
    rng = np.random.default_rng(seed)
    out = []
    for B, D, H in [(1, 3, 2), (4, 5, 3), (2, 3, 3)]:
        p = LSTMParams.init(D, H, seed=int(rng.integers(1 << 30)))
        p.W *= 1.5
        case = {"W": p.W, "b": p.b, "x": rng.normal(size=(B, D)), "h_prev": rng.normal(size=(B, H)) * 0.5}
        case.update(c_prev=rng.normal(size=(B, H)), dh=rng.normal(size=(B, H)), dc=rng.normal(size=(B, H)))
        case.update(xs=rng.normal(size=(6, B, D)), dhs=rng.normal(size=(6, B, H)), b_f=float(rng.uniform(-2, 6)))
        case["z"] = rng.normal(size=(D, H))
        out.append(case)
    return out


# --- what each question's function is asked to return, computed by lstm_core ----------------------
def _forward_ref(c, mod=None):
    step = (mod or _lstm).lstm_step
    h, cc, _ = step(c["x"], c["h_prev"], c["c_prev"], LSTMParams(c["W"], c["b"]))
    return {"h": h, "c": cc}


def _backward_ref(c, mod=None):
    m = mod or _lstm
    _, _, cache = m.lstm_step(c["x"], c["h_prev"], c["c_prev"], LSTMParams(c["W"], c["b"]))
    return dict(
        zip(("dx", "dh_prev", "dc_prev", "dW", "db"), m.lstm_step_backward(c["dh"], c["dc"], cache), strict=True)
    )


def _bptt_ref(c, carry=True):
    p = LSTMParams(c["W"], c["b"])
    if carry:
        g = lstm_backward(c["dhs"], lstm_forward(c["xs"], p))
        return {"dW": g.W, "db": g.b, "c_norm": g.c_norm}
    # the classic bug: each step's gradient stays at its step (nothing carried back in time)
    h = np.zeros((c["xs"].shape[1], p.hidden_size))
    cc = np.zeros_like(h)
    dW, db = 0, 0
    for t in range(c["xs"].shape[0]):
        h, cc, cache = lstm_step(c["xs"][t], h, cc, p)
        _, _, _, dW_t, db_t = lstm_step_backward(c["dhs"][t], np.zeros_like(h), cache)
        dW, db = dW + dW_t, db + db_t
    return {"dW": dW, "db": db}


GRADCHECK_FUNCTIONS = {  # name: (f(x), its exact gradient)
    "sum of cubes": (lambda x: float(np.sum(x**3)), lambda x: 3 * x**2),
    "sum of sines": (lambda x: float(np.sum(np.sin(x))), np.cos),
    "log-sum-exp": (lambda x: float(np.log(np.exp(x).sum())), lambda x: np.exp(x) / np.exp(x).sum()),
}


def reference(question, case):
    if question == "forward":
        return _forward_ref(case)
    if question == "backward":
        return _backward_ref(case)
    if question == "bptt":
        return _bptt_ref(case)
    if question == "memory":
        return {"length": np.array(-1.0 / np.log(sigmoid(case["b_f"])))}
    return {name: grad(case["z"]) for name, (_, grad) in GRADCHECK_FUNCTIONS.items()}


# --- fingerprints of the classic mistakes ---------------------------------------------------------
def _fingerprints(question, case):
    """(message, outputs a buggy answer gives) for the mistakes we can recognise."""
    out = []
    if question == "forward":
        out.append((bugs.STEP_BUGS["no output tanh"][2], _forward_ref(case, bugs.step_bug("no output tanh"))))
        H = case["b"].shape[0] // 4
        torch_order = np.concatenate([np.arange(H, 2 * H), np.arange(H), np.arange(2 * H, 4 * H)])
        swapped = dict(case, W=case["W"][torch_order], b=case["b"][torch_order])
        out.append(
            (
                "the gates come out in the wrong order: W's row blocks are f, i, c, o (PyTorch uses i, f, g, o)",
                _forward_ref(swapped),
            )
        )
        D = case["x"].shape[1]
        if D == H:
            xh = dict(case, W=np.concatenate([case["W"][:, H:], case["W"][:, :H]], axis=1))
            out.append(
                ("W acts on [h_{t-1}, x_t], with h first; you seem to have stacked [x_t, h_{t-1}]", _forward_ref(xh))
            )
    elif question == "backward":
        for name in (
            "sigmoid for its derivative",
            "dc_prev not passed back",
            "dh_prev not passed back",
            "cell gradient misses the h path",
            "cell gradient misses the next-cell path",
        ):
            out.append((bugs.STEP_BUGS[name][2], _backward_ref(case, bugs.step_bug(name))))
    elif question == "bptt":
        out.append(
            (
                "dW matches a loop that never carries dh_prev and dc_prev back to the previous step: add them to the next (earlier) step's dh and dc",
                _bptt_ref(case, carry=False),
            )
        )
    elif question == "memory":
        f = sigmoid(case["b_f"])
        out.append(
            (
                "that is 1/(1 - f), the approximation for f near 1; the memory length is -1/ln f",
                {"length": np.array(1 / (1 - f))},
            )
        )
        out.append(
            (
                "use f = sigma(b_f), not the bias b_f itself",
                {"length": np.array(-1 / np.log(abs(case["b_f"]) + 1e-300))},
            )
        )
    return out


def judge(question, case, got):
    """(ok, message) for one case: ``got`` is a dict of the student's outputs (arrays)."""
    want = reference(question, case)
    for key, ref in want.items():
        if key not in got or got[key] is None:
            return False, f"{question}: no value for {key}"
        arr = np.asarray(got[key], dtype=float) if np.asarray(got[key]).dtype != object else None
        if arr is None or arr.shape != np.shape(ref):
            return False, f"{question}: {key} has shape {getattr(arr, 'shape', None)}, expected {np.shape(ref)}"
        if not np.isfinite(arr).all():
            return False, f"{question}: {key} contains NaN or inf"
    bad = [k for k, ref in want.items() if rel_error(got[k], ref, scale="max") > TOL]
    if not bad:
        return True, f"{question}: all of {', '.join(want)} match the reference"
    for message, buggy in _fingerprints(question, case):
        shared = [k for k in bad if k in buggy]
        if shared and all(rel_error(got[k], buggy[k], scale="max") < TOL for k in shared):
            return False, f"{question}: {message}"
    worst = max(bad, key=lambda k: rel_error(got[k], want[k], scale="max"))
    return (
        False,
        f"{question}: {', '.join(bad)} differ from the reference (largest relative error {rel_error(got[worst], want[worst], scale='max'):.2g} in {worst})",
    )


# --- running a student's function --------------------------------------------------------------------
def run(question, fn, case, forward=None):
    """The student's outputs for one case, as a dict of arrays."""
    if question == "forward":
        h, c, _ = fn(case["x"].copy(), case["h_prev"].copy(), case["c_prev"].copy(), case["W"].copy(), case["b"].copy())
        return {"h": h, "c": c}
    if question == "backward":
        _, _, cache = (forward or lstm_step_compat)(case["x"], case["h_prev"], case["c_prev"], case["W"], case["b"])
        return dict(
            zip(("dx", "dh_prev", "dc_prev", "dW", "db"), fn(case["dh"].copy(), case["dc"].copy(), cache), strict=True)
        )
    if question == "bptt":
        dW, db, c_norm = fn(case["xs"].copy(), case["W"].copy(), case["b"].copy(), case["dhs"].copy())
        return {"dW": dW, "db": db, "c_norm": c_norm}
    if question == "memory":
        return {"length": np.array(fn(case["b_f"]))}
    out = {}
    for name, (f, _) in GRADCHECK_FUNCTIONS.items():
        x = case["z"].copy()
        out[name] = fn(lambda x=x, f=f: f(x), x)
        if not np.array_equal(x, case["z"]):
            out[name] = np.full_like(x, np.nan)  # it must put every entry back
    return out


def lstm_step_compat(x, h_prev, c_prev, W, b):
    """lstm_core's step with the homework's signature (W, b instead of LSTMParams)."""
    return lstm_step(x, h_prev, c_prev, LSTMParams(W, b))


def _check(question, fn, seed, forward=None, save=None):
    """Run ``fn`` on the cases and judge them here; with ``save`` (a folder), only save the outputs there.

    Saved outputs are for homework/hw.py, which judges them in its own process; the kernel then runs no
    reference at all while the hidden cases run, so any call into it comes from the answer.
    """
    messages = []
    outputs = []
    all_cases = cases(question, seed)
    for k, case in enumerate(all_cases):
        try:
            got = run(question, fn, case, forward)
        except NotImplementedError:
            raise AssertionError(f"{question}: not implemented yet") from None
        except Exception as err:  # a crash is feedback too, with the case that caused it
            shape = f"x {case['x'].shape}, W {case['W'].shape}"
            raise AssertionError(f"{question}: case {k + 1} ({shape}) raised {type(err).__name__}: {err}") from None
        outputs.append(got)
        if save:
            continue
        ok, msg = judge(question, case, got)
        if not ok:
            raise AssertionError(f"{msg} (case {k + 1} of {len(all_cases)})")
        messages.append(msg)
    if save:
        _save(save, question, outputs)
    return messages


def _as_float(v):
    try:
        return np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        return np.array(np.nan)  # not numbers: judged as a wrong shape


def _save(folder, question, outputs):
    arrays = {f"{k}::{key}": _as_float(v) for k, out in enumerate(outputs) for key, v in out.items()}
    np.savez(pathlib.Path(folder) / f"{question}.npz", **arrays)


def load_outputs(path):
    """The outputs a hidden check saved: a list (one per case) of dicts."""
    data = np.load(path)
    out = {}
    for name in data.files:
        k, key = name.split("::", 1)
        out.setdefault(int(k), {})[key] = data[name]
    return [out[k] for k in sorted(out)]


def self_check(question, fn, forward=None):
    """Visible check for students: prints what passed, or raises AssertionError naming the mistake."""
    msgs = _check(question, fn, PUBLIC_SEED, forward)
    print(f"✔ {msgs[-1]} on {len(msgs)} cases (B = 1, D != H, D == H)")


def grading_seed(default):
    return int(os.environ.get("LSTM_LAB_GRADING_SEED", default))


def hidden_check(question, fn, seed, forward=None):
    """Grading-time check: cases from ``seed``; outputs saved to $LSTM_LAB_RESULTS for the grader."""
    _check(question, fn, seed, forward, save=os.environ.get("LSTM_LAB_RESULTS"))
