"""The notebooks' coding exercises, and checks that name the mistake or show where the answer differs.

Each exercise is a short function the learner writes in a notebook. ``check(name, fn)`` runs it on a few
cases and prints either what passed or what is wrong:

- when the answer matches one of the exercise's known mistakes, it names it ("the temperature divides the
  logits, not the probabilities");
- otherwise it says where the answer differs: which entries, by how much, or which shape it has against the
  one expected, in the course's symbols ("expected shape (B, H) = (4, 3), got (H, B) = (3, 4)");
- an exercise that must change its argument in place says so when the argument comes back unchanged (a copy
  was edited) or was replaced by a new array;
- a crash is reported with the case that caused it, numpy's shape errors retold with the arguments' shapes;
- a function that still raises NotImplementedError (the blank as handed out) gets "not yet written".

``check`` never raises for a wrong or unfinished answer, so the notebook runs on.

    def memory_length(norms):
        ...
    check("memory length", memory_length)

How to add an exercise: one ``exercise(...)`` (a ``checking.Question``) in its notebook's section below: its cases (chosen so that a wrong
answer cannot pass by accident: a non-zero starting bias, a curve that is not monotone, D != H), the reference
answer, and each known mistake as the wrong function it amounts to, with the message that names it. Then
give tests/test_exercises.py at least three wrong answers and one right answer written differently from the
reference, as a learner would write them (a test fails until you do).
"""

import math

import numpy as np

import lstm_core
from lstm_core import sigmoid

from .checking import Case, Mistake, NotWritten, Question, copy_args, explain_crash, params_differences, verdict


def exercise(signature, cases, solution, mistakes=(), **options):
    """One notebook exercise, as the checking core's record (lstm_lab.checking.Question): how the notebook defines
    the learner's function, its cases (a function returning a list of Case), the right answer written the
    learner's way, and the known mistakes as the wrong functions they amount to. ``options``: rtol, and for a
    function that must change an argument in place, ``mutates`` (its name) and ``in_place`` (how)."""
    return Question(cases=cases, solution=solution, mistakes=tuple(mistakes), signature=signature, **options)


EXERCISES = {}  # name (as check calls it) -> its checking.Question, one per notebook, filled in below


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
            problem = judge(ex, fn, case)
        except NotWritten:
            print(f"… {name}: not yet written. Replace `raise NotImplementedError` with your code and run both cells.")
            return False
        except Exception as err:  # an answer so odd that comparing it failed: still a verdict, not a crash
            problem = f"the check could not read what {ex.function} gave back ({type(err).__name__}: {err})"
        if problem:
            about = f": {case.about}" if case.about else ""
            print(f"✘ {name}: {problem} (case {k + 1} of {len(cases)}{about})")
            return False
    print(f"✔ {name}: right on all {len(cases)} cases")
    return True


def _rng(seed=0):
    return np.random.default_rng(seed)


def _quiet(compute):
    """What a mistake computes, without numpy's warnings (the learner's own code shows them, if any)."""
    with np.errstate(all="ignore"):
        return compute()


# --- 00: the sigmoid ---------------------------------------------------------------------------------------
def _sigmoid_cases():
    return [
        Case({"a": np.array([-3.0, -0.5, 0.0, 0.5, 3.0])}, "a vector of 5 numbers", shapes={"answer": "a"}),
        Case({"a": _rng(1).normal(0, 4, (3, 4))}, "a 2-D array, shape (3, 4)", shapes={"answer": "a"}),
        Case({"a": np.array(2.0)}, "a single number, a 0-d array", shapes={"answer": "a"}),
    ]


EXERCISES["sigmoid"] = exercise(
    "sigmoid(a)",
    _sigmoid_cases,
    lambda a: 1 / (1 + np.exp(-a)),
    (
        Mistake("that is sigma(-a): the exponent is -a, sigma(a) = 1 / (1 + e^(-a))", lambda a: 1 / (1 + np.exp(a))),
        Mistake("the denominator is 1 + e^(-a), not 1 - e^(-a)", lambda a: _quiet(lambda: 1 / (1 - np.exp(-a)))),
        Mistake("that is tanh(a), which runs from -1 to 1; the sigmoid runs from 0 to 1", lambda a: np.tanh(a)),
        Mistake("the 1 in 1 + e^(-a) is missing: 1 / e^(-a) is e^a, which is not between 0 and 1", lambda a: np.exp(a)),
    ),
)


# --- 01: the per-step factor of an RNN's gradient ---------------------------------------------------------
def _factor_cases():
    from . import scenarios

    curves = [
        (f"an RNN at rho = {rho}, T = {T}", scenarios.rnn_memory(rho, T)["h_norm"])
        for rho, T in ((0.8, 60), (0.95, 100))
    ]
    curves.append(("an RNN at rho = 1.5, T = 40: an exploding gradient", scenarios.rnn_memory(1.5, 40)["h_norm"]))
    curves.append(("a noisy curve, T = 30", np.exp(np.cumsum(_rng(2).normal(0.1, 0.3, 30)))[::-1]))
    return [
        Case({"norms": n}, about, {"T": len(n), "T - 1": len(n) - 1}, {"norms": "(T,)", "answer": "()"})
        for about, n in curves
    ]


def _factor(norms):
    return (norms[0] / norms[-1]) ** (1 / (len(norms) - 1))


EXERCISES["per-step factor"] = exercise(
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
)


# --- 02: the forget gate's line of the step --------------------------------------------------------------------
def _gate_cases():
    out = []
    for B, D, H, about in (
        (4, 2, 3, "B = 4, D = 2 inputs, H = 3 units"),
        (2, 3, 3, "D = H = 3, so that [x, h] and [h, x] have the same blocks' sizes"),
        (1, 4, 2, "a batch of one, B = 1, D = 4, H = 2"),
    ):
        rng = _rng(B + D)
        p = lstm_core.LSTMParams.init(D, H, seed=B)
        args = {"x": rng.normal(size=(B, D)), "h_prev": rng.normal(size=(B, H)), "W_f": p.W_f}
        args["b_f"] = rng.normal(0.5, 1.0, H)  # a different bias for every unit
        sizes = {"B": B, "D": D, "H": H, "H + D": H + D}
        shapes = {"x": "(B, D)", "h_prev": "(B, H)", "W_f": "(H, H + D)", "b_f": "(H,)", "answer": "(B, H)"}
        out.append(Case(args, about, sizes, shapes))
    return out


def _forget_gate(x, h_prev, W_f, b_f):
    return sigmoid(np.concatenate([h_prev, x], axis=1) @ W_f.T + b_f)


def _gate_parts(x, h_prev, W_f, b_f, *, h_part=True, x_part=True):
    """sigma of only some of the weighted sum's terms: W_f's h columns act on h_(t-1), its x columns on x_t."""
    H = h_prev.shape[1]
    z = b_f + (h_prev @ W_f[:, :H].T if h_part else 0) + (x @ W_f[:, H:].T if x_part else 0)
    return sigmoid(z)


EXERCISES["forget gate"] = exercise(
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
        Mistake(
            "the sign: 1 / (1 + e^(+z)) is sigma(-z) = 1 - f_t; sigma(z) = 1 / (1 + e^(-z))",
            lambda x, h_prev, W_f, b_f: 1 - _forget_gate(x, h_prev, W_f, b_f),
        ),
        Mistake(
            "x_t's term is missing: W_f acts on all of [h_(t-1), x_t], its last D columns on x_t",
            lambda x, h_prev, W_f, b_f: _gate_parts(x, h_prev, W_f, b_f, x_part=False),
        ),
        Mistake(
            "h_(t-1)'s term is missing: W_f acts on all of [h_(t-1), x_t], its first H columns on h_(t-1)",
            lambda x, h_prev, W_f, b_f: _gate_parts(x, h_prev, W_f, b_f, h_part=False),
        ),
    ),
)


# --- 03: memory length from a norm curve ------------------------------------------------------------------------
def _memory_cases():
    def case(back, about):  # back[k] is the norm k steps before the last step; the learner gets it in time order
        norms = np.asarray(back, dtype=float)[::-1].copy()
        return Case({"norms": norms}, about, {"T": len(norms)}, {"norms": "(T,)", "answer": "()"})

    k = np.arange(60)
    dip = np.exp(-k[:50] / 15.5) * np.where((k[:50] >= 4) & (k[:50] <= 6), 0.3, 1.0)  # below 1/e at k = 4..6 only
    return [
        case(2.5 * 0.9**k * np.exp(_rng(60).normal(0, 0.01, 60)), "f = 0.9, T = 60, ending at 2.5"),
        case(
            0.04 * 0.97 ** np.arange(200) * np.exp(_rng(200).normal(0, 0.01, 200)), "f = 0.97, T = 200, ending at 0.04"
        ),
        case(1.7 * dip, "a curve that dips below 1/e of its last value and rises again before it falls for good"),
        case(3.0 * (0.5 + 0.5 * np.exp(-k[:40] / 5)), "a curve that never falls below 1/e of its last value"),
        case(np.exp(-np.arange(40) / 7.5) + 1e-3 * np.sin(np.arange(40))[::-1], "a slightly wavy curve, T = 40"),
        case(0.6 * 1.05 ** k[:30], "a growing gradient: it never falls"),
    ]


INV_E = math.exp(-1)


def _memory_length(norms, threshold=INV_E, reference=-1, from_end=True, never=None, absolute=False):
    """The right answer, and (with other settings) the mistakes': the first k whose norm is below the level."""
    g = np.asarray(norms, dtype=float)
    g = g[::-1] if from_end else g
    below = np.flatnonzero(g < threshold * (1.0 if absolute else norms[reference]))
    return int(below[0]) if below.size else (len(norms) if never is None else never)


def _steps_above(norms):
    back = np.asarray(norms)[::-1]
    return int(np.sum(back >= back[0] * INV_E))


def _past_last_above(norms):
    back = np.asarray(norms)[::-1]
    return int(np.flatnonzero(back >= back[0] * INV_E)[-1] + 1)


_NEVER_FALLS = "this curve never falls below 1/e of its last value: return len(norms) then (the memory outlasts it)"
_DIPS = "this curve dips below 1/e and rises again: the memory length is the first k where it falls below"

EXERCISES["memory length"] = exercise(
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
        Mistake(f"{_NEVER_FALLS}, not 0", lambda norms: _memory_length(norms, never=0)),
        Mistake(f"{_NEVER_FALLS}, not -1", lambda norms: _memory_length(norms, never=-1)),
        Mistake(f"{_NEVER_FALLS}, not len(norms) - 1", lambda norms: _memory_length(norms, never=len(norms) - 1)),
        Mistake(
            f"{_NEVER_FALLS}, not inf: whole steps are enough", lambda norms: _memory_length(norms, never=math.inf)
        ),
        Mistake("off by one: the last step itself is k = 0", lambda norms: _memory_length(norms) + 1),
        Mistake("off by one: the last step itself is k = 0", lambda norms: _memory_length(norms) - 1),
        Mistake(
            "compare with the gradient at the last step (norms[-1]), not at the first",
            lambda norms: _memory_length(norms, reference=0),
        ),
        Mistake(
            "compare with norms[-1] / e, 1/e of the last step's value, not with 1/e itself",
            lambda norms: _memory_length(norms, absolute=True),
        ),
        Mistake(f"that counts every step above the threshold; {_DIPS}", _steps_above),
        Mistake(f"that is one past the last step above the threshold; {_DIPS}", _past_last_above),
    ),
    rtol=0,
)


# --- 04: the bound on |C_t| ----------------------------------------------------------------------------------
def _bound_cases():
    from . import scenarios

    out = []
    for b_f, w, inputs in ((3.0, 1.0, "constant"), (6.0, 1.0, "noise"), (1.0, 0.5, "noise")):
        p, xs = scenarios.squash_setup(w_scale=w, b_f=b_f, T=200, inputs=inputs)
        about = f"squash_setup at b_f = {b_f:g}, {inputs} input"
        out.append((lstm_core.lstm_forward(xs, p).f, b_f, about))
    p, _ = scenarios.squash_setup(b_f=2.0)
    f = lstm_core.lstm_forward(_rng(4).normal(size=(30, 4, 1)), p).f  # a batch: B = 4 sequences of noise
    out.append((f, 2.0, "squash_setup's LSTM at b_f = 2 on a batch of 4 noise sequences, T = 30"))
    return [
        Case({"f": f, "b_f": b_f}, about, dict(zip("TBH", f.shape, strict=True)), {"f": "(T, B, H)", "answer": "()"})
        for f, b_f, about in out
    ]


EXERCISES["cell bound"] = exercise(
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
        Mistake(
            "that uses the gates of the last step only: the proof needs f_t <= f_max at every step, "
            "so take the largest over all of f",
            lambda f, b_f: 1 / (1 - np.max(f[-1])),
        ),
        Mistake(
            "that is -1 / ln f_max, a memory length (notebook 03); the bound on |C_t| is 1 / (1 - f_max)",
            lambda f, b_f: -1 / np.log(np.max(f)),
        ),
        Mistake(
            "that is the sum 1 + f + ... + f^(T-1) over this run's T steps; the proof's bound is the whole "
            "series, 1 / (1 - f_max), which holds however long the run",
            lambda f, b_f: (1 - np.max(f) ** len(f)) / (1 - np.max(f)),
        ),
    ),
)


# --- 05: the forget bias ----------------------------------------------------------------------------------------
def _bias_cases():
    out = []
    for D, H, start, value, about in (
        (3, 4, None, 3.0, "D = 3, H = 4, b_f starting at random values"),
        (2, 2, 1.0, -1.5, "D = H = 2, b_f starting at 1"),
        (5, 3, None, 0.5, "D = 5, H = 3, b_f starting at random values"),
    ):
        p = lstm_core.LSTMParams.init(D, H, seed=D, forget_bias=start)
        out.append(Case({"p": p, "value": value}, about, {"D": D, "H": H}))
    return out


def _set_forget_bias(p, value):
    p.b_f = value
    return p


def _set_rows(lo, hi):
    def wrong(p, value):
        H = p.hidden_size
        p.b[lo * H : hi * H] = value
        return p

    return wrong


def _add_forget_bias(p, value):
    p.b_f += value
    return p


def _set_forget_weights(p, value):
    p.W_f[...] = value
    return p


EXERCISES["forget bias"] = exercise(
    "set_forget_bias(p, value)",
    _bias_cases,
    _set_forget_bias,
    (
        Mistake("that sets every gate's bias: only the forget gate's, p.b_f (rows 0 to H of b)", _set_rows(0, 4)),
        Mistake("those are the input gate's rows: b's blocks are f, i, c, o, and b_f is the first", _set_rows(1, 2)),
        Mistake("those are the output gate's rows: b's blocks are f, i, c, o, and b_f is the first", _set_rows(3, 4)),
        Mistake("that changes the weights W_f; the bias is p.b_f", _set_forget_weights),
        Mistake(
            "that adds value to the biases b_f already had: set them instead, p.b_f[:] = value (or p.b_f = value)",
            _add_forget_bias,
        ),
    ),
    mutates="p",
    in_place="p.b_f[:] = value (or p.b_f = value, which writes into p.b)",
)


# --- 06: temperature ---------------------------------------------------------------------------------------
def _temperature_cases():
    rng = _rng(6)
    vector = {"logits": "(V,)", "answer": "(V,)"}
    out = [
        Case({"logits": rng.normal(0, 2, 65), "temperature": t}, f"V = 65, T = {t}", {"V": 65}, vector)
        for t in (0.5, 1.0, 1.5)
    ]
    out.append(
        Case(
            {"logits": rng.normal(0, 3, (4, 10)), "temperature": 0.8},
            "a batch: B = 4 rows of V = 10 logits, T = 0.8",
            {"B": 4, "V": 10},
            {"logits": "(B, V)", "answer": "(B, V)"},
        )
    )
    big = np.array([2000.0, 1999.0, 1995.0, 0.0])
    out.append(Case({"logits": big, "temperature": 1.5}, "large logits, up to 2000, T = 1.5", {"V": 4}, vector))
    return out


_OWN_SUM = "normalise each row by its own sum (sum over the last axis, keepdims=True), not by the sum of everything"


def _over_everything(z, row):
    """exp(z), shifted by each row's largest (row) or the largest of all, divided by the sum of every entry."""
    e = _quiet(lambda: np.exp(z - (np.max(z, axis=-1, keepdims=True) if row else np.max(z))))
    return e / e.sum()


def _softmax(z):
    z = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


EXERCISES["temperature"] = exercise(
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
            lambda logits, temperature: _quiet(lambda: np.exp(logits / temperature)),
        ),
        Mistake(
            "that ignores the temperature: softmax(logits / temperature)",
            lambda logits, temperature: _softmax(logits),
        ),
        Mistake(
            "subtract the largest logit before exponentiating: e^(2000 / 1.5) overflows to inf, and inf / inf is nan",
            lambda logits, temperature: _quiet(lambda: _naive_softmax(logits / temperature)),
        ),
        *(
            Mistake(_OWN_SUM, lambda logits, temperature, row=row: _over_everything(logits / temperature, row))
            for row in (False, True)
        ),
    ),
)


# --- 07: holding a gate fixed --------------------------------------------------------------------------------------
def _ablate_cases():
    per_unit = np.array([0.1, 0.5, 0.7, 0.95])  # one value per unit, as notebook 07 holds each gate at its average
    return [
        Case({"p": lstm_core.LSTMParams.init(3, 4, seed=7), "gate": g, "value": v}, about, {"D": 3, "H": 4})
        for g, v, about in (
            ("f", 0.9, "the forget gate at 0.9"),
            ("i", 0.5, "the input gate at 0.5"),
            ("o", 0.2, "the output gate at 0.2"),
            ("f", per_unit, "the forget gate at one value per unit"),
        )
    ]


def _ablate(p, gate, value, *, zero_weights=True, logit=True, flipped=False):
    if zero_weights:
        getattr(p, f"W_{gate}")[...] = 0.0
    if logit:
        value = np.log((1 - value) / value) if flipped else np.log(value / (1 - value))
    setattr(p, f"b_{gate}", value)
    return p


def _ablate_block(order):
    """Hold the gate as if W's and b's blocks came in another order (PyTorch's is i, f, g, o)."""

    def wrong(p, gate, value):
        H, k = p.hidden_size, order.index(gate)
        p.W[k * H : (k + 1) * H] = 0.0
        p.b[k * H : (k + 1) * H] = np.log(value / (1 - value))
        return p

    return wrong


def _ablate_all_weights(p, gate, value):
    p.W[...] = 0.0
    setattr(p, f"b_{gate}", np.log(value / (1 - value)))
    return p


EXERCISES["ablate gate"] = exercise(
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
        Mistake(
            "sigma(b) = v needs b = ln(v / (1 - v)), the inverse of the sigmoid; you applied the sigmoid to v",
            lambda p, gate, value: _ablate(p, gate, sigmoid(value), logit=False),
        ),
        Mistake(
            "that holds the forget gate whatever `gate` says: reach the gate's own arrays by name, "
            'getattr(p, "W_" + gate) and "b_" + gate',
            lambda p, gate, value: _ablate(p, "f", value),
        ),
        Mistake(
            "those are another gate's rows: W's and b's blocks are f, i, c, o (PyTorch orders them i, f, g, o)",
            _ablate_block("ifco"),
        ),
        Mistake(
            "that sets every gate's weights to 0: only the held gate's, W_gate",
            _ablate_all_weights,
        ),
    ),
    mutates="p",
    in_place='getattr(p, "W_" + gate)[...] = 0.0 and setattr(p, "b_" + gate, ...), which write into p.W and p.b',
)


# --- 08: counting parameters ---------------------------------------------------------------------------------
def _count_cases():
    return [
        Case({"kind": k, "D": D, "H": H}, f"kind = {k!r}, D = {D}, H = {H}")
        for k in ("lstm", "gru")
        for D, H in ((16, 128), (65, 256), (1, 1), (3, 5))
    ]


def _count(kind, D, H, *, biases=True, gru_biases=2, h_columns=True, blocks=None, bias_blocks=True):
    k = blocks or (4 if kind == "lstm" else 3)
    cols = D + (H if h_columns else 0)
    per_bias = k * H if bias_blocks else H
    return k * H * cols + ((1 if kind == "lstm" else gru_biases) * per_bias if biases else 0)


EXERCISES["count parameters"] = exercise(
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
        Mistake(
            "D and H are swapped: D counts the inputs, H the units, and W is (4H, H + D) for the LSTM",
            lambda kind, D, H: _count(kind, H, D),
        ),
        Mistake(
            "every block has its own bias, one per unit: b is (4H,) for the LSTM, b_x and b_h (3H,) each for the GRU",
            lambda kind, D, H: _count(kind, D, H, bias_blocks=False),
        ),
        Mistake(
            "a GRU has three blocks (r, z and the candidate n), not four",
            lambda kind, D, H: _count(kind, D, H, blocks=4),
        ),
    ),
    rtol=0,
)


# --- 09: attention weights ----------------------------------------------------------------------------------
def _attention_cases():
    rng = _rng(9)
    vector, batch = {"scores": "(T,)", "answer": "(T,)"}, {"scores": "(B, T)", "answer": "(B, T)"}
    return [
        Case({"scores": rng.normal(0, 1, 12)}, "T = 12 positions", {"T": 12}, vector),
        Case({"scores": rng.normal(0, 2, (3, 7))}, "a batch: B = 3 rows of T = 7 positions", {"B": 3, "T": 7}, batch),
        Case({"scores": np.array([1000.0, 999.0, 0.0])}, "a large score, 1000", {"T": 3}, vector),
        Case(
            {"scores": np.array([[1000.0, 999.0, 0.0], [0.0, 1.0, 2.0]])},
            "two rows far apart: scores near 1000 and near 1",
            {"B": 2, "T": 3},
            batch,
        ),
    ]


def _naive_softmax(scores):
    return _quiet(lambda: np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True))


EXERCISES["attention weights"] = exercise(
    "attention_weights(scores)",
    _attention_cases,
    lambda scores: _softmax(scores),
    (
        Mistake(
            "subtract the largest score before exponentiating: e^1000 overflows to inf, and inf / inf is nan",
            _naive_softmax,
        ),
        Mistake(
            "normalise: divide by the sum over the positions, so that each row sums to 1",
            lambda scores: np.exp(scores - np.max(scores, axis=-1, keepdims=True)),
        ),
        Mistake(
            "a softmax exponentiates before it normalises: scores / sum(scores) is not it",
            lambda scores: scores / np.sum(scores, axis=-1, keepdims=True),
        ),
        Mistake(
            "normalise over the positions (the last axis), so that each row sums to 1",
            lambda scores: _softmax(scores.T).T if np.ndim(scores) == 2 else _softmax(scores),
        ),
        *(Mistake(_OWN_SUM, lambda scores, row=row: _over_everything(scores, row)) for row in (False, True)),
        Mistake(
            "subtract each row's own largest score (max over the last axis, keepdims=True): with the largest of "
            "the whole array, a row far below it becomes e^(-1000) = 0 everywhere, and 0 / 0 is nan",
            lambda scores: _quiet(lambda: _naive_softmax(scores - scores.max())),
        ),
    ),
)


# =================================================================================================================
# How an exercise's answer is judged in the notebook's kernel: a crash, an argument changed or replaced, and then
# the checking core's verdict (lstm_lab.checking, the same as the homework's).
# =================================================================================================================
def judge(ex, fn, case):
    """None when ``fn`` answers ``case`` right; otherwise what is wrong, in a sentence (without the case)."""
    args = copy_args(case.args)
    held = _arrays_of(args.get(ex.mutates))  # the arrays the argument to change has before the call
    try:
        out = fn(**args)
    except NotImplementedError:
        raise NotWritten from None
    except Exception as err:  # a crash is feedback too
        return explain_crash(err, ex.function, case)
    if ex.mutates:
        return _judge_in_place(ex, case, args, out, held)
    return verdict(ex, case, out) or changed_arguments(ex, case, args)


def _arrays_of(p):
    return {"W": p.W, "b": p.b} if isinstance(p, lstm_core.LSTMParams) else {}


def _judge_in_place(ex, case, args, out, held):
    name, who = ex.mutates, ex.function
    got, before = args[name], case.args[name]
    for key, array in held.items():
        if getattr(got, key) is not array:
            return (
                f"{name}.{key} = ... made {name}.{key} a new array: anything that holds {name}'s arrays (a model's "
                f"params, an optimiser) still sees the old one, unchanged. Write into the array {name} already has: "
                f"{ex.in_place}"
            )
    want = ex.right_answer(case)
    if params_differences(got, before, 0) is None and params_differences(want, before, 0) is not None:
        copy = isinstance(out, type(got)) and out is not got
        edited = " (it returned another LSTMParams: a copy was edited, and the one passed in was not)" if copy else ""
        return f"{name} is unchanged{edited}: {who} must change {name} in place, e.g. {ex.in_place}"
    problem = verdict(ex, case, got, want)
    if problem:
        return problem
    if out is not got:
        returned = "None" if out is None else "another object"
        return f"{name} is right, but {who} returned {returned}: end with `return {name}` ({name} itself)"
    return changed_arguments(ex, case, args)


def changed_arguments(ex, case, args):
    """A message when the function changed an argument it was to leave alone (the caller's array), or None."""
    for key, before in case.args.items():
        if key == ex.mutates or not isinstance(before, np.ndarray):
            continue
        after = np.asarray(args[key])
        if after.shape != before.shape or not np.array_equal(after, before, equal_nan=True):
            return (
                f"{ex.function} gives the right answer but changed its argument {key} (`{key} -= ...` or "
                f"`{key} /= ...` rewrites the caller's array): compute a new array instead, e.g. z = {key} - ..."
            )
    return None
