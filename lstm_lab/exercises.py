"""The notebooks' coding exercises, and checks that name the mistake.

Each exercise is a short function the learner writes in a notebook. ``check(name, fn)`` runs it on a few
cases and prints either what passed or what is wrong: when the answer matches one of the exercise's known
mistakes, it says which ("the temperature divides the logits, not the probabilities"). A function that
still raises NotImplementedError (the blank as handed out) gets "not yet written", and the notebook runs on.

    def memory_length(norms):
        ...
    check("memory length", memory_length)

How to add an exercise: one ``Exercise`` in ``EXERCISES`` below: its cases, the reference answer, and each
known mistake as the wrong function it amounts to, with the message that names it. tests/test_exercises.py
plants every mistake and checks its message, and runs each notebook's model solution (the code block in
the <details> under the exercise) through its check.
"""

import math
from dataclasses import dataclass

import numpy as np

import lstm_core
from lstm_core import sigmoid


class NotWritten(Exception):
    """What a check reports for a function that still raises NotImplementedError."""


@dataclass(frozen=True)
class Mistake:
    message: str  # what the check says when the learner's answer matches this mistake
    answer: object  # a function with the exercise's signature: what the mistake computes


@dataclass(frozen=True)
class Exercise:
    signature: str  # how the notebook defines the learner's function
    cases: object  # () -> list of dicts of keyword arguments
    reference: object  # the right answer, a function with the learner's signature
    mistakes: tuple = ()
    rtol: float = 1e-6
    mutates: str = ""  # the argument the function must change in place (its value is then what is compared)


def _same(got, want, rtol):
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return False
    scale = float(np.max(np.abs(want[np.isfinite(want)]), initial=0))
    return bool(np.allclose(got, want, rtol=rtol, atol=rtol * max(1e-12, scale), equal_nan=True))


def _copy(case):
    return {k: (v.copy() if hasattr(v, "copy") else v) for k, v in case.items()}


def _call(ex, fn, case):
    """fn's answer on a copy of the case (what it returned, or the argument it was to change in place)."""
    args = _copy(case)
    try:
        out = fn(**args)
    except NotImplementedError:
        raise NotWritten from None
    return args[ex.mutates] if ex.mutates else out


def _answer_of(ex, fn, case):
    out = _call(ex, fn, case)
    if isinstance(out, lstm_core.LSTMParams):
        return np.concatenate([out.W.ravel(), out.b])
    return out


def check(name, fn):
    """Run the learner's ``fn`` for exercise ``name`` on its cases; print what passed or what is wrong.

    Returns True when every case is right. Never raises for a wrong or unfinished answer, so the notebook
    runs on; the message says what to fix.
    """
    if name not in EXERCISES:
        raise ValueError(f"name: expected one of {sorted(EXERCISES)}, got {name!r}")
    ex = EXERCISES[name]
    cases = ex.cases()
    for k, case in enumerate(cases):
        try:
            got = _answer_of(ex, fn, case)
        except NotWritten:
            print(f"… {name}: not yet written. Replace `raise NotImplementedError` with your code and run both cells.")
            return False
        except Exception as err:  # a crash is feedback too, with the case that caused it
            print(f"✘ {name}: case {k + 1} raised {type(err).__name__}: {err}")
            return False
        want = _answer_of(ex, ex.reference, case)
        if _same(got, want, ex.rtol):
            continue
        for mistake in ex.mistakes:
            if _same(got, _answer_of(ex, mistake.answer, case), ex.rtol):
                print(f"✘ {name}: {mistake.message} (case {k + 1} of {len(cases)})")
                return False
        shape = np.shape(got) if not isinstance(got, np.ndarray) else got.shape
        print(
            f"✘ {name}: case {k + 1} of {len(cases)} differs from the reference: got {_short(got)} "
            f"(shape {shape}), expected {_short(want)} (shape {np.shape(want)})"
        )
        return False
    print(f"✔ {name}: right on all {len(cases)} cases")
    return True


def _short(a):
    a = np.asarray(a)
    if a.dtype == object:
        return repr(a)[:60]
    return np.array2string(a.ravel()[:4], precision=4) + (" ..." if a.size > 4 else "")


def _rng(seed=0):
    return np.random.default_rng(seed)


# --- 00: the sigmoid ---------------------------------------------------------------------------------------
def _sigmoid_cases():
    return [{"a": np.array([-3.0, -0.5, 0.0, 0.5, 3.0])}, {"a": _rng(1).normal(0, 4, (3, 4))}, {"a": np.array(2.0)}]


# --- 01: the per-step factor of an RNN's gradient ---------------------------------------------------------
def _factor_cases():
    from . import scenarios

    out = [{"norms": scenarios.rnn_memory(rho, T)["h_norm"]} for rho, T in ((0.8, 60), (0.95, 100), (1.5, 40))]
    return out + [{"norms": np.exp(np.cumsum(_rng(2).normal(0.1, 0.3, 30)))[::-1]}]


def _factor(norms):
    return (norms[0] / norms[-1]) ** (1 / (len(norms) - 1))


# --- 02: the forget gate's line of the step --------------------------------------------------------------------
def _gate_cases():
    out = []
    for B, D, H in ((1, 3, 3), (4, 2, 2), (2, 5, 5)):  # D == H, so that stacking [x, h] would not fail on shapes
        rng = _rng(B + D)
        p = lstm_core.LSTMParams.init(D, H, seed=B)
        out.append({"x": rng.normal(size=(B, D)), "h_prev": rng.normal(size=(B, H)), "W_f": p.W_f, "b_f": p.b_f + 0.7})
    return out


def _forget_gate(x, h_prev, W_f, b_f):
    return sigmoid(np.concatenate([h_prev, x], axis=1) @ W_f.T + b_f)


# --- 03: memory length from a norm curve ------------------------------------------------------------------------
def _memory_cases():
    out = []
    for f, T in ((0.9, 60), (0.97, 200), (0.6, 30)):
        k = np.arange(T)[::-1]
        out.append({"norms": f**k * np.exp(_rng(T).normal(0, 0.01, T))})
    return out + [{"norms": np.exp(-np.arange(40)[::-1] / 7.5) + 1e-3 * np.sin(np.arange(40))}]


INV_E = math.exp(-1)


def _memory_length(norms, threshold=INV_E, reference=-1, from_end=True):
    g = np.asarray(norms, dtype=float)
    g = g[::-1] if from_end else g
    below = np.nonzero(g < threshold * (norms[reference]))[0]
    return int(below[0]) if below.size else len(norms)


# --- 04: the bound on |C_t| ----------------------------------------------------------------------------------
def _bound_cases():
    from . import scenarios

    out = []
    for b_f, w in ((3.0, 1.0), (6.0, 1.0), (1.0, 0.5)):
        p, xs = scenarios.squash_setup(w_scale=w, b_f=b_f, T=200)
        out.append({"f": lstm_core.lstm_forward(xs, p).f, "b_f": b_f})
    return out


# --- 05: the forget bias ----------------------------------------------------------------------------------------
def _bias_cases():
    return [
        {"p": lstm_core.LSTMParams.init(D, H, seed=D, forget_bias=0.0), "value": v}
        for D, H, v in ((3, 4, 3.0), (2, 2, 1.0))
    ]


def _set_forget_bias(p, value):
    p.b_f = value
    return p


def _set_rows(lo, hi):
    def wrong(p, value):
        H = p.hidden_size
        p.b[lo * H : hi * H] = value
        return p

    return wrong


def _set_forget_weights(p, value):
    p.W_f[...] = value
    return p


# --- 06: temperature ---------------------------------------------------------------------------------------
def _temperature_cases():
    rng = _rng(6)
    return [{"logits": rng.normal(0, 2, 65), "temperature": t} for t in (0.5, 1.0, 1.5)] + [
        {"logits": rng.normal(0, 3, (4, 10)), "temperature": 0.8}
    ]


def _softmax(z):
    z = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# --- 07: holding a gate fixed --------------------------------------------------------------------------------------
def _ablate_cases():
    per_unit = np.array([0.1, 0.5, 0.7, 0.95])  # one value per unit, as notebook 07 holds each gate at its average
    return [
        {"p": lstm_core.LSTMParams.init(3, 4, seed=7), "gate": g, "value": v}
        for g, v in (("i", 0.5), ("f", 0.9), ("o", 0.2), ("f", per_unit))
    ]


def _ablate(p, gate, value, *, zero_weights=True, logit=True, flipped=False):
    if zero_weights:
        getattr(p, f"W_{gate}")[...] = 0.0
    if logit:
        value = np.log((1 - value) / value) if flipped else np.log(value / (1 - value))
    setattr(p, f"b_{gate}", value)
    return p


# --- 08: counting parameters ---------------------------------------------------------------------------------
def _count_cases():
    return [{"kind": k, "D": D, "H": H} for k in ("lstm", "gru") for D, H in ((16, 128), (65, 256), (1, 1))]


def _count(kind, D, H, *, biases=True, gru_biases=2, h_columns=True):
    cols = D + (H if h_columns else 0)
    if kind == "lstm":
        return 4 * H * cols + (4 * H if biases else 0)
    return 3 * H * cols + (gru_biases * 3 * H if biases else 0)


# --- 09: attention weights ----------------------------------------------------------------------------------
def _attention_cases():
    rng = _rng(9)
    return [
        {"scores": rng.normal(0, 1, 12)},
        {"scores": rng.normal(0, 2, (3, 7))},
        {"scores": np.array([1000.0, 999.0, 0.0])},
    ]


def _naive_softmax(scores):
    return _quiet(lambda: np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True))


def _quiet(compute):
    """What a mistake computes, without numpy's warnings (the learner's own code shows them, if any)."""
    with np.errstate(all="ignore"):
        return compute()


EXERCISES = {
    "sigmoid": Exercise(
        "sigmoid(a)",
        _sigmoid_cases,
        lambda a: 1 / (1 + np.exp(-a)),
        (
            Mistake(
                "that is sigma(-a): the exponent is -a, sigma(a) = 1 / (1 + e^(-a))", lambda a: 1 / (1 + np.exp(a))
            ),
            Mistake("the denominator is 1 + e^(-a), not 1 - e^(-a)", lambda a: _quiet(lambda: 1 / (1 - np.exp(-a)))),
            Mistake("that is tanh(a), which runs from -1 to 1; the sigmoid runs from 0 to 1", lambda a: np.tanh(a)),
        ),
    ),
    "per-step factor": Exercise(
        "per_step_factor(norms)",
        _factor_cases,
        _factor,
        (
            Mistake(
                "that is the whole ratio over all T - 1 steps: take its (T-1)-th root for the factor per step",
                lambda norms: norms[0] / norms[-1],
            ),
            Mistake(
                "there are T - 1 steps between h_0 and h_(T-1), not T",
                lambda norms: (norms[0] / norms[-1]) ** (1 / len(norms)),
            ),
            Mistake(
                "upside down: divide the gradient at h_0 by the one at h_(T-1), where the loss sits",
                lambda norms: (norms[-1] / norms[0]) ** (1 / (len(norms) - 1)),
            ),
            Mistake(
                "the mean of the step-by-step ratios is not the factor whose product is the whole ratio: "
                "take the geometric mean",
                lambda norms: float(np.mean(norms[:-1] / norms[1:])),
            ),
        ),
    ),
    "forget gate": Exercise(
        "forget_gate(x, h_prev, W_f, b_f)",
        _gate_cases,
        _forget_gate,
        (
            Mistake(
                "W_f acts on [h_(t-1), x_t] with h first: you stacked [x_t, h_(t-1)]",
                lambda x, h_prev, W_f, b_f: sigmoid(np.concatenate([x, h_prev], axis=1) @ W_f.T + b_f),
            ),
            Mistake(
                "a gate is a fraction between 0 and 1: squash with the sigmoid, not tanh",
                lambda x, h_prev, W_f, b_f: np.tanh(np.concatenate([h_prev, x], axis=1) @ W_f.T + b_f),
            ),
            Mistake(
                "the bias is missing: f_t = sigma(W_f [h_(t-1), x_t] + b_f)",
                lambda x, h_prev, W_f, b_f: sigmoid(np.concatenate([h_prev, x], axis=1) @ W_f.T),
            ),
            Mistake(
                "the bias goes inside the sigmoid, with the weighted sum",
                lambda x, h_prev, W_f, b_f: sigmoid(np.concatenate([h_prev, x], axis=1) @ W_f.T) + b_f,
            ),
        ),
    ),
    "memory length": Exercise(
        "memory_length(norms)",
        _memory_cases,
        _memory_length,
        (
            Mistake(
                "the threshold is 1/e (about 0.368) of the last step's value, not a half",
                lambda norms: _memory_length(norms, threshold=0.5),
            ),
            Mistake(
                "count back from the last step, where the loss sits: norms[-1] is k = 0",
                lambda norms: _memory_length(norms, from_end=False),
            ),
            Mistake("off by one: the last step itself is k = 0", lambda norms: _memory_length(norms) + 1),
            Mistake("off by one: the last step itself is k = 0", lambda norms: _memory_length(norms) - 1),
            Mistake(
                "compare with the gradient at the last step (norms[-1]), not at the first",
                lambda norms: _memory_length(norms, reference=0),
            ),
        ),
        rtol=0,
    ),
    "cell bound": Exercise(
        "cell_bound(f, b_f)",
        _bound_cases,
        lambda f, b_f: 1 / (1 - np.max(f)),
        (
            Mistake(
                "you used sigma(b_f) where the largest f_t reached belongs: with W_f != 0 the gate moves, "
                "and the proof needs f_t <= f at every step",
                lambda f, b_f: 1 / (1 - float(sigmoid(b_f))),
            ),
            Mistake(
                "the mean forget gate bounds nothing: the proof needs the largest f_t reached",
                lambda f, b_f: 1 / (1 - np.mean(f)),
            ),
            Mistake("that is the smallest f_t; the bound needs the largest", lambda f, b_f: 1 / (1 - np.min(f))),
            Mistake("1 / (1 - f), not 1 / f", lambda f, b_f: 1 / np.max(f)),
        ),
    ),
    "forget bias": Exercise(
        "set_forget_bias(p, value)",
        _bias_cases,
        _set_forget_bias,
        (
            Mistake("that sets every gate's bias: only the forget gate's, p.b_f (rows 0 to H of b)", _set_rows(0, 4)),
            Mistake(
                "those are the input gate's rows: b's blocks are f, i, c, o, and b_f is the first", _set_rows(1, 2)
            ),
            Mistake(
                "those are the output gate's rows: b's blocks are f, i, c, o, and b_f is the first", _set_rows(3, 4)
            ),
            Mistake("that changes the weights W_f; the bias is p.b_f", _set_forget_weights),
        ),
        mutates="p",
    ),
    "temperature": Exercise(
        "temperature_probs(logits, temperature)",
        _temperature_cases,
        lambda logits, temperature: _softmax(logits / temperature),
        (
            Mistake(
                "the temperature divides the logits, not the probabilities",
                lambda logits, temperature: _softmax(logits) / temperature,
            ),
            Mistake(
                "divide the logits by the temperature; multiplying sharpens where it should flatten",
                lambda logits, temperature: _softmax(logits * temperature),
            ),
            Mistake(
                "normalise: the probabilities must sum to 1 (divide by their sum)",
                lambda logits, temperature: np.exp(logits / temperature),
            ),
            Mistake(
                "that ignores the temperature: softmax(logits / temperature)",
                lambda logits, temperature: _softmax(logits),
            ),
        ),
    ),
    "ablate gate": Exercise(
        "hold_gate(p, gate, value)",
        _ablate_cases,
        _ablate,
        (
            Mistake(
                "with its weights at 0 the gate is sigma(b), so b must be ln(v / (1 - v)), not v itself",
                lambda p, gate, value: _ablate(p, gate, value, logit=False),
            ),
            Mistake(
                "the weights still make the gate follow the input: set W_gate to 0 as well",
                lambda p, gate, value: _ablate(p, gate, value, zero_weights=False),
            ),
            Mistake(
                "upside down: ln((1 - v) / v) gives sigma(b) = 1 - v; the bias for sigma(b) = v is ln(v / (1 - v))",
                lambda p, gate, value: _ablate(p, gate, value, flipped=True),
            ),
        ),
        mutates="p",
    ),
    "count parameters": Exercise(
        "n_parameters(kind, D, H)",
        _count_cases,
        _count,
        (
            Mistake("the biases are missing", lambda kind, D, H: _count(kind, D, H, biases=False)),
            Mistake(
                "the GRU keeps two biases per gate, b_x and b_h (6H in all), because b_hn sits inside r_t * (...)",
                lambda kind, D, H: _count(kind, D, H, gru_biases=1),
            ),
            Mistake(
                "every gate also reads h_(t-1): W has H + D columns, not D",
                lambda kind, D, H: _count(kind, D, H, h_columns=False),
            ),
        ),
        rtol=0,
    ),
    "attention weights": Exercise(
        "attention_weights(scores)",
        _attention_cases,
        lambda scores: _softmax(scores),
        (
            Mistake(
                "subtract the largest score before exponentiating: e^1000 overflows to inf, and inf / inf is nan",
                _naive_softmax,
            ),
            Mistake(
                "a softmax exponentiates before it normalises: scores / sum(scores) is not it",
                lambda scores: scores / np.sum(scores, axis=-1, keepdims=True),
            ),
            Mistake(
                "normalise over the positions (the last axis), so that each row sums to 1",
                lambda scores: _softmax(scores.T).T if np.ndim(scores) == 2 else _softmax(scores),
            ),
        ),
    ),
}
