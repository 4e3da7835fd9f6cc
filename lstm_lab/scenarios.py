"""The experiments the course's explorers and notebooks run, as plain functions (numpy only).

Each takes the settings a slider would set and returns the arrays a figure shows, so notebooks,
explorers and tests all compute the same numbers from the same place.
"""

import functools
import json
import pathlib

import numpy as np

from lstm_core import LSTMParams, RNNParams, lstm_backward, lstm_forward, rnn_backward, rnn_forward, tasks
from lstm_core._validate import check_choice
from lstm_core.models import SequenceModel
from lstm_core.train import evaluate, train

PATTERNS = ("pulse", "step", "noise", "two pulses")


def input_pattern(name, T, *, seed=0):
    """An input sequence xs of shape (T, 1, 1): "pulse" (x=1 at t=5), "step" (x=1 from t=5 on),
    "noise" (seeded Gaussian, std 0.5), "two pulses" (x=1 at t=5 and x=-1 at t=T/2)."""
    check_choice("pattern", name, PATTERNS)
    x = np.zeros(T)
    if name == "pulse":
        x[5] = 1.0
    elif name == "step":
        x[5:] = 1.0
    elif name == "noise":
        x = np.random.default_rng(seed).normal(0.0, 0.5, T)
    else:
        x[5], x[T // 2] = 1.0, -1.0
    return x.reshape(T, 1, 1)


def memory_length(norms):
    """Steps back from the last step until a gradient norm first falls below 1/e of its value there.

    ``norms[t]`` for t = 0..T-1, the loss sitting at t = T-1. Interpolated in log space between steps;
    ``inf`` when it never falls that far within the sequence.
    """
    g = np.asarray(norms, dtype=np.float64)[::-1]  # k = 0 is the last step
    if g[0] <= 0 or not np.isfinite(g[0]):
        return float("nan")
    target = np.log(g[0]) - 1.0
    with np.errstate(divide="ignore"):
        lg = np.log(g)
    below = np.nonzero(lg < target)[0]
    if below.size == 0:
        return float("inf")
    k = below[0]
    if not np.isfinite(lg[k]):
        return float(k)
    return float(k - 1 + (lg[k - 1] - target) / (lg[k - 1] - lg[k]))


def predicted_memory_length(f):
    """-1/ln f: the steps after which f^k falls to 1/e, for a forget gate held at f."""
    f = float(f)
    if f <= 0:
        return 0.0
    return float("inf") if f >= 1 else -1.0 / np.log(f)


def rnn_memory(w_scale, T, *, H=32, seed=0, input_std=0.1):
    """A vanilla RNN whose recurrent matrix is w_scale times a random orthogonal matrix, run on small
    seeded noise, with a loss on the last hidden state only.

    Returns a dict: t (T,), h_norm (T,) = ||dL/dh_t||, predicted (T,) = w_scale^(T-1-t) (the linear
    prediction, which ignores tanh's slope), per_step (the measured geometric-mean factor per step).
    """
    rng = np.random.default_rng(seed)
    p = RNNParams.init(1, H, seed=seed)
    q, _ = np.linalg.qr(rng.normal(size=(H, H)))
    p.W[:, :H] = w_scale * q  # every singular value equals w_scale
    p.b[:] = 0.0
    xs = rng.normal(0.0, input_std, size=(T, 1, 1))
    run = rnn_forward(xs, p)
    dh = np.zeros((T, 1, H))
    dh[-1] = rng.normal(size=(1, H)) / np.sqrt(H)
    g = rnn_backward(dh, run)
    norms = g.h_norm / g.h_norm[-1]
    k = np.arange(T)[::-1]
    with np.errstate(divide="ignore"):
        per_step = float(np.exp(np.log(norms[0]) / (T - 1))) if T > 1 and norms[0] > 0 else float("nan")
    return {"t": np.arange(T), "h_norm": norms, "predicted": float(w_scale) ** k, "per_step": per_step, "run": run}


def hand_wired_cell(b_f, b_i, b_c, b_o, pattern="pulse", T=60):
    """One LSTM unit (H = D = 1) wired by hand so each gate's job is visible:

        f_t = sigma(b_f)               forget gate: constant, set by its bias
        i_t = sigma(6 x_t + b_i)        input gate: opens when an input arrives
        C~_t = tanh(2 x_t + b_c)        candidate: the input, squashed
        o_t = sigma(b_o)               output gate: constant, set by its bias

    Returns (params, xs, run).
    """
    p = LSTMParams(np.zeros((4, 2)), np.array([b_f, b_i, b_c, b_o], dtype=np.float64))
    p.W_i[0, 1] = 6.0  # column 0 acts on h_{t-1}, column 1 on x_t
    p.W_c[0, 1] = 2.0
    xs = input_pattern(pattern, T)
    return p, xs, lstm_forward(xs, p)


def _highway_params(H, seed):
    p = LSTMParams.init(1, H, seed=seed)
    p.W *= 0.5
    p.W_f[:] = 0.0  # f_t = sigma(b_f), the same at every step: the prediction -1/ln f is then exact
    return p


def _highway_inputs(T, H, seed):
    rng = np.random.default_rng(seed)
    xs = rng.normal(0.0, 1.0, size=(T, 1, 1))
    dh = np.zeros((T, 1, H))
    dh[-1] = rng.normal(size=(1, H))
    dh[-1] /= np.linalg.norm(dh[-1])
    return xs, dh


@functools.lru_cache(maxsize=8)
def _highway_rnn_norms(T, H, seed):
    xs, dh = _highway_inputs(T, H, seed)
    norms = rnn_backward(dh, rnn_forward(xs, RNNParams.init(1, H, seed=seed))).h_norm
    norms.flags.writeable = False  # shared between calls
    return norms


def gradient_highway(b_f, T=200, *, H=8, seed=0):
    """An LSTM with a constant forget gate f = sigma(b_f) beside a vanilla RNN, on the same seeded input,
    with a loss on the last step only.

    The loss's gradient on h_{T-1} is a unit vector. Returns a dict of (T,) arrays: lstm_c_norm =
    ||dL/dC_t||, lstm_h_norm = ||dL/dh_t||, rnn_h_norm = the RNN's ||dL/dh_t||; and f, the measured and
    predicted memory lengths of the cell path, the RNN's measured memory length, and c_last_max =
    max |C_{T-1}| (a large cell saturates tanh, and little gradient enters it at all).
    """
    xs, dh = _highway_inputs(T, H, seed)
    p = _highway_params(H, seed)
    p.b_f = b_f
    run = lstm_forward(xs, p)
    g = lstm_backward(dh, run)
    rnn_norm = _highway_rnn_norms(T, H, seed)  # the RNN does not depend on b_f: computed once
    f = float(run.f.mean())
    return {
        "t": np.arange(T),
        "lstm_c_norm": g.c_norm,
        "lstm_h_norm": g.h_norm,
        "rnn_h_norm": rnn_norm,
        "f": f,
        "predicted": predicted_memory_length(f),
        "measured": memory_length(g.c_norm),
        "rnn_measured": memory_length(rnn_norm),
        "c_last_max": float(np.abs(run.c[-1]).max()),
    }


def squash_setup(w_scale=1.0, b_f=3.0, T=200, *, H=8, seed=0):
    """The LSTM and the input of squash_comparison: seeded weights, the recurrent ones scaled by w_scale, the
    forget bias at b_f (its weights W_f are NOT zero, so f_t moves around sigma(b_f)), and x_t = 1 for T steps.
    Returns (params, xs)."""
    p = LSTMParams.init(1, H, seed=seed)
    p.W[:, :H] *= w_scale
    p.b_f = b_f
    return p, np.ones((T, 1, 1))


def squash_comparison(squash, w_scale=1.0, T=200, *, H=8, seed=0, b_f=3.0):
    """An LSTM driven by a constant input, its candidate and output squashed by tanh or ReLU (squash_setup).

    Returns a dict of (T,) arrays: c_max = max |C_t|, h_max = max |h_t|, c_norm = ||dL/dC_t||
    (loss on the last step), and overflow_step, the first step with a non-finite value (or None).
    """
    check_choice("squash", squash, ("tanh", "relu"))
    p, xs = squash_setup(w_scale, b_f, T, H=H, seed=seed)
    with np.errstate(over="ignore", invalid="ignore"):
        run = lstm_forward(xs, p, squash=squash)
        c_max = np.abs(run.c).max(axis=(1, 2))
        h_max = np.abs(run.h).max(axis=(1, 2))
        bad = ~(np.isfinite(run.c).all(axis=(1, 2)) & np.isfinite(run.h).all(axis=(1, 2)))
        overflow = int(np.argmax(bad)) if bad.any() else None
        dh = np.zeros((T, 1, H))
        dh[-1] = 1.0 / np.sqrt(H)
        if overflow is None:
            c_norm = lstm_backward(dh, run).c_norm
        else:
            c_norm = np.full(T, np.inf)
    return {"t": np.arange(T), "c_max": c_max, "h_max": h_max, "c_norm": c_norm, "overflow_step": overflow}


DATA = pathlib.Path(__file__).resolve().parent / "data"


def delay_sweep_results():
    """The precomputed sweep of notebook 05 (scripts/delay_sweep.py): settings, delays, and per model and delay
    the test accuracy of each seed."""
    return json.loads((DATA / "delay_sweep.json").read_text())


# settings shared by notebook 05, its test and scripts/delay_sweep.py: the same budget for every model.
# Batches of 64: with 32, the LSTM (b_f = 3) at delay 50 stalled near 0.75 on one seed in six, and
# which seed it was changed with floating-point rounding; with 64 it passed on eight seeds of eight.
# Training stops only when a held-out batch of validation_sequences confirms the target: stopped on the
# training batches alone, one seed in eight ended just after an update that set it back (test 0.92).
DELAY_SETTINGS = {
    "hidden_size": 32,
    "batch_size": 64,
    "lr": 0.003,
    "steps": 600,
    "target_accuracy": 0.99,
    "test_sequences": 1000,
    "validation_sequences": 256,
}


def delayed_recall_experiment(kind, delay, *, forget_bias=3.0, seed=0, progress=False, **overrides):
    """Train a SequenceModel ("lstm" or "rnn") on tasks.delayed_recall at ``delay`` with DELAY_SETTINGS,
    then test it on fresh sequences. Returns (model, history, test_accuracy)."""
    s = {**DELAY_SETTINGS, **overrides}
    model = SequenceModel(kind, 6, s["hidden_size"], 4, seed=seed, forget_bias=forget_bias)
    hist = train(
        model,
        functools.partial(tasks.delayed_recall, delay=delay),
        steps=s["steps"],
        batch_size=s["batch_size"],
        lr=s["lr"],
        target_accuracy=s["target_accuracy"],
        validation=tasks.delayed_recall(s["validation_sequences"], delay, seed=20_000 + seed),
        seed=seed,
        progress=progress,
    )
    _, acc = evaluate(model, tasks.delayed_recall(s["test_sequences"], delay, seed=10_000 + seed))
    return model, hist, acc
