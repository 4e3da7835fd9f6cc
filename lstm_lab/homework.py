"""Checks for the homework: test cases, reference answers from lstm_core, and feedback that names the mistake.

In a student's notebook, ``self_check(question, fn)`` runs visible cases (a public seed) and either
prints what passed or raises AssertionError saying exactly what is wrong. The grader (homework/) draws the
hidden cases from a seed it chooses at grading time, collects the student function's outputs on them
(``cases``, ``answer``) and calls ``judge`` in its own process, so the score never depends on anything the
student's kernel prints or claims; how it does so (its channels and file format) is the grader's business.

How to add a question: one ``Question`` (lstm_lab.checking's record, the same as the notebooks' exercises) in
``QUESTION_SPECS`` below: its cases, the reference answer, how to call the student's function, the fingerprints
of the mistakes it knows, and the course functions that would answer it, which the grader reports when an
answer calls them; then a test cell in the assignment's source
calling ``self_check``/``hidden_check`` with its name. tests/test_homework.py grades every source.
"""

import numpy as np

import lstm_core.lstm as _lstm
from lstm_core import LSTMParams, lstm_backward, lstm_forward, lstm_step, lstm_step_backward, sigmoid
from lstm_core.charlm import one_hot, softmax
from lstm_core.losses import softmax_cross_entropy

from . import bugs
from .checking import Case, Question, retold, verdict

PUBLIC_SEED = 2026
# the checks' own reference (reference, judge, fingerprints) computes every answer: the grader watches it too
_CHECKS_OWN = ("lstm_lab.homework.reference", "lstm_lab.homework.judge", "lstm_lab.homework._fingerprints")


# --- assignments 1-4: an LSTM step, its backward pass, a gradient check, BPTT, memory length --------------
def _lstm_cases(seed):
    """The inputs: a few shapes (B = 1, D != H, D == H) drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    out = []
    for B, D, H in [(1, 3, 2), (4, 5, 3), (2, 3, 3)]:
        p = LSTMParams.init(D, H, seed=int(rng.integers(1 << 30)))
        p.W *= 1.5
        case = {"W": p.W, "b": p.b, "x": rng.normal(size=(B, D)), "h_prev": rng.normal(size=(B, H)) * 0.5}
        case.update(c_prev=rng.normal(size=(B, H)), dh=rng.normal(size=(B, H)), dc=rng.normal(size=(B, H)))
        case.update(xs=rng.normal(size=(6, B, D)), dhs=rng.normal(size=(6, B, H)), b_f=float(rng.uniform(-2, 6)))
        case["z"] = rng.normal(size=(D, H))
        out.append(Case(case, f"B = {B}, D = {D}, H = {H}", {"B": B, "D": D, "H": H}))
    return out


def _said(cases, about):
    """The same cases, each said as ``about(case)``: for a question that reads only some of their arguments."""
    return lambda seed: [Case(case.args, about(case), case.sizes) for case in cases(seed)]


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


def _forward_fingerprints(case):
    out = [(bugs.STEP_BUGS["no output tanh"][2], _forward_ref(case, bugs.step_bug("no output tanh")))]
    H = case["b"].shape[0] // 4
    torch_order = np.concatenate([np.arange(H, 2 * H), np.arange(H), np.arange(2 * H, 4 * H)])
    swapped = dict(case, W=case["W"][torch_order], b=case["b"][torch_order])
    out.append(
        (
            "the gates come out in the wrong order: W's row blocks are f, i, c, o (PyTorch uses i, f, g, o)",
            _forward_ref(swapped),
        )
    )
    if case["x"].shape[1] == H:
        xh = dict(case, W=np.concatenate([case["W"][:, H:], case["W"][:, :H]], axis=1))
        out.append(
            ("W acts on [h_{t-1}, x_t], with h first; you seem to have stacked [x_t, h_{t-1}]", _forward_ref(xh))
        )
    return out


def _backward_fingerprints(case):
    names = (
        "sigmoid for its derivative",
        "dc_prev not passed back",
        "dh_prev not passed back",
        "cell gradient misses the h path",
        "cell gradient misses the next-cell path",
    )
    return [(bugs.STEP_BUGS[name][2], _backward_ref(case, bugs.step_bug(name))) for name in names]


def _memory_fingerprints(case):
    f = sigmoid(case["b_f"])
    return [
        (
            "that is 1/(1 - f), the approximation for f near 1; the memory length is -1/ln f",
            {"length": np.array(1 / (1 - f))},
        ),
        ("use f = sigma(b_f), not the bias b_f itself", {"length": np.array(-1 / np.log(abs(case["b_f"]) + 1e-300))}),
    ]


def _run_forward(fn, case, forward=None):
    h, c, _ = fn(case["x"].copy(), case["h_prev"].copy(), case["c_prev"].copy(), case["W"].copy(), case["b"].copy())
    return {"h": h, "c": c}


def _run_backward(fn, case, forward=None):
    _, _, cache = (forward or lstm_step_compat)(case["x"], case["h_prev"], case["c_prev"], case["W"], case["b"])
    names = ("dx", "dh_prev", "dc_prev", "dW", "db")
    return dict(zip(names, fn(case["dh"].copy(), case["dc"].copy(), cache), strict=True))


def _run_gradcheck(fn, case, forward=None):
    out = {}
    for name, (f, _) in GRADCHECK_FUNCTIONS.items():
        x = case["z"].copy()
        out[name] = fn(lambda x=x, f=f: f(x), x)
        if not np.array_equal(x, case["z"]):
            out[name] = np.full_like(x, np.nan)  # it must put every entry back
    return out


def _run_bptt(fn, case, forward=None):
    dW, db, c_norm = fn(case["xs"].copy(), case["W"].copy(), case["b"].copy(), case["dhs"].copy())
    return {"dW": dW, "db": db, "c_norm": c_norm}


# --- assignment 5: a character-level language model ------------------------------------------------------
def _lm_case(rng, T, B, V, H):
    p = LSTMParams.init(V, H, seed=int(rng.integers(1 << 30)))
    p.W *= 1.5
    return {
        "W": p.W,
        "b": p.b,
        "W_y": rng.normal(0, 1.0, (V, H)),
        "b_y": rng.normal(0, 0.5, V),
        "x_ids": rng.integers(0, V, (T, B)).astype(np.intp),  # ids as numpy's index type (int32 in the browser)
        "y_ids": rng.integers(0, V, (T, B)).astype(np.intp),
        "h0": rng.normal(0, 0.5, (B, H)),
        "c0": rng.normal(0, 0.5, (B, H)),
    }


def _tbptt_cases(seed):
    rng = np.random.default_rng(seed)
    return [
        Case(_lm_case(rng, T, B, V, H), f"T, B, V, H = {T}, {B}, {V}, {H}", {"T": T, "B": B, "V": V, "H": H})
        for T, B, V, H in [(3, 1, 4, 2), (5, 2, 6, 3), (4, 3, 5, 4)]
    ]


def _tbptt_ref(case, *, x_ids=None, y_ids=None, zero_state=False):
    """The chunk's loss, gradients with the start state held fixed, and the state after it (lstm_core)."""
    x_ids = case["x_ids"] if x_ids is None else x_ids
    y_ids = case["y_ids"] if y_ids is None else y_ids
    V = case["W_y"].shape[0]
    h0, c0 = (np.zeros_like(case["h0"]), np.zeros_like(case["c0"])) if zero_state else (case["h0"], case["c0"])
    run = lstm_forward(one_hot(x_ids, V), LSTMParams(case["W"], case["b"]), h0, c0)
    logits = run.h @ case["W_y"].T + case["b_y"]
    loss, dlogits, _ = softmax_cross_entropy(logits, y_ids, np.ones(y_ids.shape))
    g = lstm_backward(dlogits @ case["W_y"], run)
    return {
        "loss": np.array(loss),
        "dW": g.W,
        "db": g.b,
        "dW_y": np.einsum("tbk,tbh->kh", dlogits, run.h),
        "db_y": dlogits.sum(axis=(0, 1)),
        "h_last": run.h[-1],
        "c_last": run.c[-1],
    }


def _tbptt_fingerprints(case):
    want = _tbptt_ref(case)
    n = case["x_ids"].size
    summed = {k: want[k] * n for k in ("loss", "dW", "db", "dW_y", "db_y")}
    start = {"h_last": case["h0"], "c_last": case["c0"]}
    return [
        (
            "the chunk starts from zeros here: it must start from (h0, c0), the state the previous chunk ended in",
            _tbptt_ref(case, zero_state=True),
        ),
        ("the loss is the mean over the chunk's T * B predictions, not their sum: divide by T * B", summed),
        ("return the state after the chunk's last step (h_last, c_last), for the next chunk to start from", start),
        (
            "the targets are y_ids (the next characters): predicting x_ids, the inputs themselves, is the wrong task",
            _tbptt_ref(case, y_ids=case["x_ids"]),
        ),
    ]


def _run_tbptt(fn, case, forward=None):
    args = [case[k].copy() for k in ("W", "b", "W_y", "b_y", "x_ids", "y_ids", "h0", "c0")]
    loss, grads, h_last, c_last = fn(*args)
    if not isinstance(grads, dict) or not {"W", "b", "W_y", "b_y"} <= set(grads):
        raise ValueError('grads must be a dict with the keys "W", "b", "W_y" and "b_y"')
    names = {"W": "dW", "b": "db", "W_y": "dW_y", "b_y": "db_y"}
    return {"loss": np.array(loss), **{names[k]: grads[k] for k in names}, "h_last": h_last, "c_last": c_last}


def _stream_cases(seed):
    rng = np.random.default_rng(seed)
    out = []
    for N, V, H, seq_len in [(23, 4, 3, 5), (40, 6, 4, 8), (31, 5, 2, 7)]:
        case = _lm_case(rng, 1, 1, V, H)
        case.update(ids=rng.integers(0, V, N).astype(np.intp), seq_len=seq_len)
        out.append(Case(case, f"{N} characters in chunks of {seq_len}", {"V": V, "H": H}))
    return out


def _stream_loss(case, *, carry=True, weighted=True):
    ids, seq_len, V, H = case["ids"], case["seq_len"], case["W_y"].shape[0], case["W"].shape[0] // 4
    p = LSTMParams(case["W"], case["b"])
    h, c = np.zeros((1, H)), np.zeros((1, H))
    losses, sizes = [], []
    for t0 in range(0, len(ids) - 1, seq_len):
        t1 = min(t0 + seq_len, len(ids) - 1)
        run = lstm_forward(one_hot(ids[t0:t1, None], V), p, h, c)
        logits = run.h @ case["W_y"].T + case["b_y"]
        losses.append(softmax_cross_entropy(logits, ids[t0 + 1 : t1 + 1, None], np.ones((t1 - t0, 1)))[0])
        sizes.append(t1 - t0)
        if carry:
            h, c = run.h[-1], run.c[-1]
    return float(np.average(losses, weights=sizes if weighted else None))


def _stream_ref(case):
    """One forward pass over the whole sequence: what a correctly carried state must give."""
    ids, V = case["ids"], case["W_y"].shape[0]
    run = lstm_forward(one_hot(ids[:-1, None], V), LSTMParams(case["W"], case["b"]))
    logits = run.h @ case["W_y"].T + case["b_y"]
    return {"loss": np.array(softmax_cross_entropy(logits, ids[1:, None], np.ones((len(ids) - 1, 1)))[0])}


def _stream_fingerprints(case):
    return [
        (
            "the state is reset at every chunk: carry (h, c) from the end of each chunk to the start of the next",
            {"loss": np.array(_stream_loss(case, carry=False))},
        ),
        (
            "weight each chunk's mean loss by its number of predictions: the last chunk is shorter",
            {"loss": np.array(_stream_loss(case, weighted=False))},
        ),
    ]


def _run_stream(fn, case, forward=None):
    args = [case[k].copy() for k in ("W", "b", "W_y", "b_y", "ids")]
    return {"loss": np.array(fn(*args, case["seq_len"]))}


SAMPLE_DRAWS = 1000  # how many times the distribution checks run the student's sampler


def _sample_cases(seed):
    """Three checks: the distribution at temperatures 0.5 and 1 (many draws of the character after a one-character
    prime: cheap enough that a plain sampler answers in seconds), then near 0 (the argmax, 12 characters after a
    4-character prime). The near-0 case's model is redrawn until its greedy text changes from step to step (so
    that a sampler which does not feed its choice back cannot pass it by luck) and its best choice is clear at
    every step."""
    rng = np.random.default_rng(seed)
    out = []
    for kind, temperature, n, draws, primed in (
        ("sharp", 0.5, 1, SAMPLE_DRAWS, 1),
        ("own", 1.0, 1, SAMPLE_DRAWS, 1),
        ("greedy", 1e-3, 12, 3, 4),
    ):
        while True:
            case = _lm_case(rng, 1, 1, 5, 3)
            case.update(prime_ids=rng.integers(0, 5, primed).astype(np.intp), temperature=temperature, n=n, kind=kind)
            if kind != "greedy" or (len(set(_greedy(case))) >= 3 and _greedy_margin(case) > 0.05):
                break
        case["seeds"] = rng.integers(0, 1 << 30, draws)
        out.append(Case(case, f"{draws} calls at temperature {temperature}", {"V": 5, "H": 3}))
    return out


def _next_logits(case, ids):
    """The logits for the character after ``ids``, read from a zero state (lstm_core's readable forward)."""
    V = case["W_y"].shape[0]
    run = lstm_forward(one_hot(np.asarray(ids)[:, None], V), LSTMParams(case["W"], case["b"]))
    return run.h[-1, 0] @ case["W_y"].T + case["b_y"]


def _greedy(case):
    ids = list(case["prime_ids"])
    for _ in range(case["n"]):
        ids.append(int(np.argmax(_next_logits(case, ids))))
    return np.array(ids[len(case["prime_ids"]) :])


def _greedy_margin(case):
    """The smallest gap between the best and the second-best logit along the greedy text: with a gap of 0.05,
    a temperature of 1e-3 gives the runner-up a probability below e^-50, so the argmax is certain."""
    ids, gaps = list(case["prime_ids"]), []
    for _ in range(case["n"]):
        z = np.sort(_next_logits(case, ids))
        gaps.append(z[-1] - z[-2])
        ids.append(int(np.argmax(_next_logits(case, ids))))
    return min(gaps)


def _judge_sample(case, got):
    ids = np.asarray(got.get("ids"), dtype=float)
    want_shape = (len(case["seeds"]), case["n"])
    if ids.shape != want_shape or not np.isfinite(ids).all() or (ids != np.round(ids)).any():
        return (
            False,
            f"sample: expected {case['n']} integer ids per call (shape {want_shape} over the calls), got {ids.shape}",
        )
    V = case["W_y"].shape[0]
    if ids.min() < 0 or ids.max() >= V:
        return False, f"sample: the ids must lie between 0 and V - 1 = {V - 1}"
    if case["kind"] == "greedy":
        greedy = _greedy(case)
        if (ids == greedy).all():
            return True, "sample: near temperature 0 it picks the most likely character every time"
        if (ids == ids[:, :1]).all() and not (greedy == greedy[0]).all():
            return False, "sample: the same character every step: feed each chosen character back as the next input"
        return False, "sample: near temperature 0 every choice must be the most likely character (the argmax)"
    logits = _next_logits(case, case["prime_ids"])
    freq = np.bincount(ids[:, 0].astype(int), minlength=V) / len(ids)
    probs = softmax(logits, case["temperature"])
    slack = 4 * np.sqrt(probs * (1 - probs) / len(ids)) + 0.01
    if (np.abs(freq - probs) <= slack).all():
        return (
            True,
            f"sample: at temperature {case['temperature']} its choices follow softmax(y / T) ({len(ids)} draws)",
        )
    for message, wrong in (
        (
            "divide the logits by the temperature; multiplying sharpens where it should flatten",
            softmax(logits * case["temperature"]),
        ),
        ("that is softmax(y), the temperature has no effect: draw from softmax(y / T)", softmax(logits)),
    ):
        if (np.abs(freq - wrong) <= 4 * np.sqrt(wrong * (1 - wrong) / len(ids)) + 0.01).all():
            return False, f"sample: {message}"
    worst = int(np.argmax(np.abs(freq - probs)))
    return False, (
        f"sample: at temperature {case['temperature']} the choices do not follow softmax(y / T): character {worst} "
        f"came {freq[worst]:.3f} of the time, its probability is {probs[worst]:.3f}"
    )


def _run_sample(fn, case, forward=None):
    weights = [case[k] for k in ("W", "b", "W_y", "b_y")]
    rows = []
    for s in case["seeds"]:
        ids = fn(
            *(w.copy() for w in weights),
            case["prime_ids"].copy(),
            case["n"],
            case["temperature"],
            np.random.default_rng(int(s)),
        )
        rows.append(np.asarray(ids, dtype=float).ravel())
    try:
        return {"ids": np.array(rows)}
    except ValueError:  # rows of different lengths
        return {"ids": np.array(np.nan)}


_LM_ANSWERS = (
    "lstm_core.charlm.sample",
    "lstm_core.charlm.evaluate_text",
    "lstm_core.charlm.evaluate_with_resets",
    "lstm_core.charlm.softmax",
    "lstm_core.losses.softmax_cross_entropy",
)

QUESTION_SPECS = {
    "forward": Question(
        _lstm_cases,
        _forward_ref,
        _run_forward,
        _forward_fingerprints,
        (
            "lstm_core.lstm.lstm_step",
            "lstm_core.lstm.lstm_forward",
            "lstm_core.fast.lstm_forward",
            "lstm_lab.homework.lstm_step_compat",
        ),
        cases_text="B = 1, D != H, D == H",
    ),
    "backward": Question(
        _lstm_cases,
        _backward_ref,
        _run_backward,
        _backward_fingerprints,
        ("lstm_core.lstm.lstm_step_backward", "lstm_core.lstm.lstm_backward", "lstm_core.fast.lstm_backward"),
        cases_text="B = 1, D != H, D == H",
    ),
    "gradcheck": Question(
        _said(_lstm_cases, lambda case: f"x of shape {case['z'].shape}"),
        lambda case: {name: grad(case["z"]) for name, (_, grad) in GRADCHECK_FUNCTIONS.items()},
        _run_gradcheck,
        reference_calls=("lstm_core.gradcheck.numerical_gradient",),
        cases_text="three functions on three shapes",
    ),
    "bptt": Question(
        _lstm_cases,
        _bptt_ref,
        _run_bptt,
        lambda case: [
            (
                "dW matches a loop that never carries dh_prev and dc_prev back to the previous step: add them to the next (earlier) step's dh and dc",
                _bptt_ref(case, carry=False),
            )
        ],
        ("lstm_core.lstm.lstm_backward", "lstm_core.fast.lstm_backward"),  # its steps are allowed
        cases_text="B = 1, D != H, D == H",
    ),
    "memory": Question(
        _said(_lstm_cases, lambda case: f"b_f = {case['b_f']:.2f}"),
        lambda case: {"length": np.array(-1.0 / np.log(sigmoid(case["b_f"])))},
        lambda fn, case, forward=None: {"length": np.array(fn(case["b_f"]))},
        _memory_fingerprints,
        cases_text="three forget biases",
    ),
    "tbptt": Question(
        _tbptt_cases,
        _tbptt_ref,
        _run_tbptt,
        _tbptt_fingerprints,
        _LM_ANSWERS,
        cases_text="T, B, V, H = (3, 1, 4, 2), (5, 2, 6, 3), (4, 3, 5, 4), from a carried state",
    ),
    "stream": Question(
        _stream_cases,
        _stream_ref,
        _run_stream,
        _stream_fingerprints,
        _LM_ANSWERS,
        cases_text="texts of 23, 40 and 31 characters in chunks of 5, 8 and 7",
    ),
    "sample": Question(
        _sample_cases,
        None,
        _run_sample,
        reference_calls=_LM_ANSWERS,
        judge=_judge_sample,
        cases_text=f"{SAMPLE_DRAWS} draws at temperatures 0.5 and 1, and near temperature 0",
    ),
}
QUESTIONS = tuple(QUESTION_SPECS)
# The course's functions that compute each question's answer. The grader (homework/hw.py) reports an answer
# that calls one of them, or a copy of one, while its hidden cases run.
REFERENCE_CALLS = {q: (*spec.reference_calls, *_CHECKS_OWN) for q, spec in QUESTION_SPECS.items()}


def _spec(question):
    if question not in QUESTION_SPECS:
        raise ValueError(f"question: expected one of {QUESTIONS}, got {question!r}")
    return QUESTION_SPECS[question]


def cases(question, seed):
    """The inputs for ``question``, drawn from ``seed``."""
    return _spec(question).cases(seed)


def reference(question, case):
    """What the student's function must return for this case, computed by lstm_core."""
    return _spec(question).reference(case)


def _fingerprints(question, case):
    """(message, outputs a buggy answer gives) for the mistakes we can recognise."""
    return list(_spec(question).mistaken_answers(case))


def judge(question, case, got):
    """(ok, message) for one case: ``got`` is a dict of the student's outputs (arrays). The verdict is the
    checking core's (lstm_lab.checking.verdict, as for the notebooks' exercises): a known mistake is named by its
    fingerprint; any other wrong output with where it differs."""
    spec = _spec(question)
    if spec.judge is not None:
        return spec.judge(case, got)
    want = spec.right_answer(case)
    problem = verdict(spec, case, got, want)
    if problem:
        return False, f"{question}: {problem}"
    return True, f"{question}: all of {', '.join(want)} match the reference"


# --- running a student's function --------------------------------------------------------------------
def run(question, fn, case, forward=None):
    """The student's outputs for one case, as a dict of arrays."""
    return _spec(question).answer(fn, case, forward)


def lstm_step_compat(x, h_prev, c_prev, W, b):
    """lstm_core's step with the homework's signature (W, b instead of LSTMParams)."""
    return lstm_step(x, h_prev, c_prev, LSTMParams(W, b))


def answer(question, fn, case, k=0, forward=None):
    """The student's outputs for case ``k``; a crash raises AssertionError naming the case (feedback too)."""
    try:
        return run(question, fn, case, forward)
    except NotImplementedError:
        raise AssertionError(f"{question}: not implemented yet") from None
    except Exception as err:
        shape = ", ".join(f"{name} {np.shape(v)}" for name, v in case.items() if name in ("x", "W", "x_ids", "ids"))
        raise AssertionError(
            f"{question}: case {k + 1} ({shape}) raised {type(err).__name__}: {retold(err, case.sizes)}"
        ) from None


def _check(question, fn, seed, forward=None):
    """Run ``fn`` on the cases from ``seed`` and judge each here, stopping at the first wrong answer."""
    messages = []
    all_cases = cases(question, seed)
    for k, case in enumerate(all_cases):
        ok, msg = judge(question, case, answer(question, fn, case, k, forward))
        if not ok:
            raise AssertionError(f"{msg} (case {k + 1} of {len(all_cases)}: {case.about})")
        messages.append(msg)
    return messages


def self_check(question, fn, forward=None):
    """Visible check for students: prints what passed, or raises AssertionError naming the mistake."""
    msgs = _check(question, fn, PUBLIC_SEED, forward)
    print(f"✔ {msgs[-1]} on {len(msgs)} cases ({_spec(question).cases_text})")


def hidden_check(question, fn, seed, forward=None):
    """A hidden test as nbgrader runs it: cases from ``seed`` (the source's, kept from students), judged here.

    python -m homework grade does not run this line: it reads the question and the function's name from it and
    runs the cases itself, from a seed it draws then, in its guard (homework/kernel_guard.py)."""
    _check(question, fn, seed, forward)
