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

from .timing import min_time

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
    prediction, which ignores tanh's slope), per_step (the measured geometric-mean factor per step), run (the
    RNNRun) and grads (the RNNGrads: dL/dW and dL/db of this loss, for notebook 01's clipping).
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
    return {
        "t": np.arange(T),
        "h_norm": norms,
        "predicted": float(w_scale) ** k,
        "per_step": per_step,
        "run": run,
        "grads": g,
    }


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


def gradient_flow_at_init(b_f, T=200, *, H=8, seed=0, constant_gate=False):
    """gradient_highway's measurement (the same seeded input, the same unit-vector loss on h_{T-1}) on an LSTM
    whose gates are free: LSTMParams.init(1, H, forget_bias=b_f) as it comes, nothing zeroed or scaled, so
    W_f != 0 and f_t moves with x_t and h_{t-1}. ``constant_gate=True`` measures gradient_highway's
    constrained LSTM instead (W_f = 0, the other weights halved), through the same code.

    Returns cell_gradient_paths' dict ("total" = ||dL/dC_t||, "h_total" = ||dL/dh_t||, "cell_path",
    "constant_gate", "f") plus f_min and f_max (the range of f_t over the run), f_bias = sigma(b_f), measured
    (memory_length of the total) and predicted (-1/ln sigma(b_f)).
    """
    from lstm_core import sigmoid

    xs, dh = _highway_inputs(T, H, seed)
    if constant_gate:
        p = _highway_params(H, seed)
        p.b_f = b_f
    else:
        p = LSTMParams.init(1, H, seed=seed, forget_bias=b_f)
    d = cell_gradient_paths(p, xs, dh)
    f_bias = float(sigmoid(b_f))
    return {
        **d,
        "t": np.arange(T),
        "f_min": float(d["f"].min()),
        "f_max": float(d["f"].max()),
        "f_bias": f_bias,
        "measured": memory_length(d["total"]),
        "predicted": predicted_memory_length(f_bias),
    }


def squash_setup(w_scale=1.0, b_f=3.0, T=200, *, H=8, seed=0, inputs="constant", hold_forget=False):
    """The LSTM and the input of squash_comparison: seeded weights, the recurrent ones scaled by w_scale, the
    forget bias at b_f (its weights W_f are NOT zero, so f_t moves around sigma(b_f)), and x_t = 1 for T steps.

    ``inputs="noise"``: x_t drawn from N(0, 1) (seeded) instead of the constant 1. ``hold_forget=True``: W_f = 0,
    so that f_t = sigma(b_f) at every step. Returns (params, xs)."""
    check_choice("inputs", inputs, ("constant", "noise"))
    p = LSTMParams.init(1, H, seed=seed)
    p.W[:, :H] *= w_scale
    p.b_f = b_f
    if hold_forget:
        p.W_f[:] = 0.0
    if inputs == "noise":
        return p, np.random.default_rng(seed).normal(0.0, 1.0, size=(T, 1, 1))
    return p, np.ones((T, 1, 1))


def squash_comparison(squash, w_scale=1.0, T=200, *, H=8, seed=0, b_f=3.0, inputs="constant", hold_forget=False):
    """An LSTM driven by a constant input, its candidate and output squashed by tanh or ReLU (squash_setup).

    Returns a dict of (T,) arrays: c_max = max |C_t|, h_max = max |h_t|, c_norm = ||dL/dC_t||
    (loss on the last step); overflow_step, the first step with a non-finite value (or None); f_min and f_max,
    the smallest and largest forget gate f_t the run reached (over every step and unit); and bound, the tanh
    bound on |C_t| those gates prove, 1 / (1 - f_max) (inf when f_max rounds to 1). sigma(b_f) is not a bound
    here: with W_f != 0, f_t rises above it.
    """
    check_choice("squash", squash, ("tanh", "relu"))
    p, xs = squash_setup(w_scale, b_f, T, H=H, seed=seed, inputs=inputs, hold_forget=hold_forget)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
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
        f = run.f[np.isfinite(run.f)]
        f_min, f_max = (float(f.min()), float(f.max())) if f.size else (float("nan"), float("nan"))
        bound = float(1.0 / (1.0 - f_max)) if f_max < 1 else float("inf")
    return {
        "t": np.arange(T),
        "c_max": c_max,
        "h_max": h_max,
        "c_norm": c_norm,
        "overflow_step": overflow,
        "f_min": f_min,
        "f_max": f_max,
        "bound": bound,
    }


DATA = pathlib.Path(__file__).resolve().parent / "data"


def delay_sweep_results():
    """The precomputed sweep of notebook 05 (scripts/delay_sweep.py): settings, delays, and per model and delay
    the test accuracy of each seed."""
    return json.loads((DATA / "delay_sweep.json").read_text())


def sweep_reach(sweep, name, *, learned=0.95):
    """The longest delay up to which model ``name`` of the sweep learned every delay on every seed (test accuracy
    ``learned`` or more), and the lowest test accuracy over those delays and seeds. (0, nan) if it never did."""
    reach, reached = 0, []
    for d in sweep["delays"]:
        accs = [r["test_accuracy"] for r in sweep["results"][name][str(d)]]
        if min(accs) < learned:
            break
        reach, reached = d, reached + accs
    return reach, min(reached, default=float("nan"))


# settings shared by notebook 05, its test and scripts/delay_sweep.py: the same budget for every model. Batches
# of 64 and a learning rate of 0.002 are the settings under which every seed tried learned delay 50, also with its
# initial weights moved at the level of rounding (as another CPU would move them); training stops only once a
# held-out batch confirms the target. The measurements behind each choice are in the commit messages.
DELAY_SETTINGS = {
    "hidden_size": 32,
    "batch_size": 64,
    "lr": 0.002,
    "steps": 600,
    "target_accuracy": 0.99,
    "test_sequences": 1000,
    "validation_sequences": 256,
}


def delayed_recall_experiment(kind, delay, *, forget_bias=3.0, seed=0, progress=True, time_budget=None, **overrides):
    """Train a SequenceModel ("lstm" or "rnn") on tasks.delayed_recall at ``delay`` with DELAY_SETTINGS,
    then test it on fresh sequences. Returns (model, history, test_accuracy).

    A progress bar shows while it trains (``progress=False``: none): a notebook cell that trains shows it is
    working. ``time_budget`` (seconds, None: none) is passed on to train: training stops after the step during
    which it runs out (``history.out_of_time``). ``overrides`` replace entries of DELAY_SETTINGS."""
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
        time_budget=time_budget,
    )
    _, acc = evaluate(model, tasks.delayed_recall(s["test_sequences"], delay, seed=10_000 + seed))
    return model, hist, acc


# --- notebook 05: the gradient in a real LSTM (nothing held constant), and how much the output depends on each input
def loss_gradient_on_h(model, batch):
    """dL/dh_t (T, B, H) that a SequenceModel's softmax cross-entropy on ``batch`` applies to the hidden states
    directly: (softmax(y_t) - onehot(target_t)) W_y on the masked steps (the last one, for delayed recall).
    The forward pass is the cell's readable one (lstm_forward for the LSTM), y_t = W_y h_t + b_y."""
    from lstm_core.losses import softmax_cross_entropy

    y = model.readout(model.cell_type.forward(batch.xs, model.cell).h)
    _, dy, _ = softmax_cross_entropy(y, batch.targets, batch.mask)
    return dy @ model.W_y


def cell_gradient_paths(p, xs, dh):
    """How a loss's gradient reaches each cell state C_t of an LSTM whose gates are free (W_f != 0).

    ``p`` LSTMParams, ``xs`` (T, B, D), ``dh`` (T, B, H) the loss's own dL/dh_t. Computed with the readable
    lstm_forward/lstm_backward. Returns a dict of (T,) arrays, norms over the batch and the units:

    * "total": ||dL/dC_t||, every path (lstm_backward's c_norm). Going back one step,
      dL/dC_{t-1} = dL/dC_t * f_t  +  (dL/dh_{t-1}) * o_{t-1} * (1 - tanh^2 C_{t-1}), and dL/dh_{t-1} =
      W_h^T (the gradients of all four pre-activations at t): the gradient also leaves the cell into the gates
      and comes back.
    * "cell_path": the cell path alone: what enters the cell at each step from the loss (through h_s), carried
      back only by the line dc_prev = dc_t * f_t, with the gates f_t this run really had;
    * "constant_gate": the same, with every f_t replaced by sigma(b_f) (notebook 03's assumption);
    "f": the run's forget gates (T, B, H); and "h_total": ||dL/dh_t||, every path (lstm_backward's h_norm).
    """
    from lstm_core import sigmoid

    run = lstm_forward(xs, p)
    grads = lstm_backward(dh, run)
    total = grads.c_norm
    entry = dh * run.o * (1.0 - np.tanh(run.c) ** 2)  # the loss's gradient entering C_s through h_s
    f_const = sigmoid(np.asarray(p.b_f))
    T = xs.shape[0]
    cell_path, constant_gate = np.zeros(T), np.zeros(T)
    along, const = np.zeros_like(entry[0]), np.zeros_like(entry[0])
    for t in reversed(range(T)):
        along = entry[t] + (along * run.f[t + 1] if t + 1 < T else 0.0)
        const = entry[t] + const * f_const
        cell_path[t], constant_gate[t] = np.linalg.norm(along), np.linalg.norm(const)
    return {
        "total": total,
        "cell_path": cell_path,
        "constant_gate": constant_gate,
        "f": run.f,
        "h_total": grads.h_norm,  # ||dL/dh_t||, every path (lstm_backward's h_norm)
    }


def connectivity(model, xs):
    """How strongly the last step's output depends on each input: ||dy_{T-1}/dx_t||, the Frobenius norm of the
    Jacobian of the last logits (K) with respect to x_t (D), for every t and sequence: (T, B).

    ``model`` a SequenceModel of any kind in lstm_core.CELLS. One readable backward pass per output unit k, with
    dL/dh_{T-1} = W_y[k] and nothing elsewhere, gives row k of every Jacobian dy_{T-1}/dx_t; the squares
    of those rows add up to the squared Frobenius norm. (Distill's "Visualizing memorization in RNNs"
    calls this connectivity.)"""
    cell = model.cell_type
    run = cell.forward(xs, model.cell)
    T, B, _ = xs.shape
    squares = np.zeros((T, B))
    for w_k in model.W_y:
        dh = np.zeros((T, B, model.cell.hidden_size))
        dh[-1] = w_k
        squares += (cell.backward(dh, run).x ** 2).sum(axis=2)
    return np.sqrt(squares)


# --- notebook 03: a large forget bias on the delay task, and how much gradient enters a full cell
def forget_bias_run(forget_bias, seed, *, delay=50):
    """Notebook 05's LSTM trained on delayed recall at ``delay`` (delayed_recall_experiment, DELAY_SETTINGS)
    with its forget gates starting at b_f = ``forget_bias``. Returns a dict: steps (training steps to the target,
    or the whole budget), test_accuracy, seconds; and after training, on the test sequences: b_f_mean (the mean
    forget bias the model ended with), f_mean (the mean forget gate f_t) and c_max (the largest |C_t|)."""
    model, hist, acc = delayed_recall_experiment("lstm", delay, forget_bias=forget_bias, seed=seed)
    run = lstm_forward(tasks.delayed_recall(DELAY_SETTINGS["test_sequences"], delay, seed=10_000 + seed).xs, model.cell)
    return {
        "steps": hist.steps,
        "test_accuracy": acc,
        "seconds": round(hist.seconds, 2),
        "b_f_mean": float(model.cell.b_f.mean()),
        "f_mean": float(run.f.mean()),
        "c_max": float(np.abs(run.c).max()),
    }


def large_forget_bias_results():
    """The precomputed runs of notebook 03 (scripts/large_forget_bias.py): settings, delay, seeds, and per
    forget bias ("3", "6", "10") one forget_bias_run dict per seed."""
    return json.loads((DATA / "large_forget_bias.json").read_text())


def cell_entry(p, xs, dh):
    """How much of the loss's gradient on the last hidden state h_{T-1} enters the last cell state C_{T-1}.

    ``p`` LSTMParams, ``xs`` (T, B, D), ``dh`` (T, B, H) the loss's dL/dh_t (only the last step is used).
    dL/dC_{T-1} = dL/dh_{T-1} * o_{T-1} * (1 - tanh^2 C_{T-1}): a cell far from 0 flattens tanh and lets little
    through. Returns a dict: c_max = max |C_{T-1}|, entry = ||dL/dC_{T-1}||, and open_share = entry divided by
    what would enter with tanh unsaturated (C_{T-1} = 0): ||dL/dh_{T-1} * o_{T-1}||."""
    run = lstm_forward(xs, p)
    through_o = dh[-1] * run.o[-1]
    entry = through_o * (1.0 - np.tanh(run.c[-1]) ** 2)
    return {
        "c_max": float(np.abs(run.c[-1]).max()),
        "entry": float(np.linalg.norm(entry)),
        "open_share": float(np.linalg.norm(entry) / np.linalg.norm(through_o)),
    }


def highway_cell_entry(b_f, T=200, *, H=8, seed=0):
    """cell_entry for gradient_highway's LSTM (W_f = 0, the other weights halved, N(0, 1) input) at b_f."""
    xs, dh = _highway_inputs(T, H, seed)
    p = _highway_params(H, seed)
    p.b_f = b_f
    return cell_entry(p, xs, dh)


def highway_rnn(rho=None, T=200, *, H=8, seed=0):
    """gradient_highway's vanilla RNN (default init, the same input and loss), its recurrent matrix W_h rescaled
    to spectral radius ``rho`` (None: as initialised). Returns a dict: rho (the spectral radius used, the largest
    |eigenvalue| of W_h), h_norm (T,) = ||dL/dh_t||, measured (its memory length)."""
    xs, dh = _highway_inputs(T, H, seed)
    p = RNNParams.init(1, H, seed=seed)
    radius = float(np.abs(np.linalg.eigvals(p.W[:, :H])).max())
    if rho is not None:
        p.W[:, :H] *= rho / radius
        radius = float(np.abs(np.linalg.eigvals(p.W[:, :H])).max())
    norms = rnn_backward(dh, rnn_forward(xs, p)).h_norm
    return {"rho": radius, "h_norm": norms, "measured": memory_length(norms)}


# --- notebook 08: timings that hold on a shared machine, and what one unit of a trained LSTM knows
def time_against_length(params, lengths, *, batch_size=32, repeats=7, seed=0):
    """The fast path's LSTM forward pass (lstm_core.fast.lstm_forward) over sequences of each length T in
    ``lengths``, beside the part of its work that does not wait for the previous step: the input's share
    W_x x_t for all T steps in one matrix product. Timed by lstm_lab.timing.min_time (every length in turn, the
    shortest processor time of each).

    ``params`` LSTMParams (D inputs, H units). Returns a dict of (len(lengths),) arrays, in seconds of processor
    time: "T", "forward", "input_share", and "per_step" = forward / T."""
    from lstm_core import fast

    D, H = params.input_size, params.hidden_size
    W_x = np.ascontiguousarray(params.W[:, H:].T)  # (D, 4H): the input's share of W
    rng = np.random.default_rng(seed)
    fns = {}
    for T in lengths:
        xs = rng.normal(size=(T, batch_size, D))
        fns["forward", T] = functools.partial(fast.lstm_forward, xs, params)
        out = np.empty((T * batch_size, 4 * H))  # written in place, as the forward pass writes into its own memory
        fns["input_share", T] = functools.partial(np.matmul, xs.reshape(-1, D), W_x, out=out)
    best = min_time(fns, repeats, number=None)
    T = np.array(lengths)
    forward = np.array([best["forward", t] for t in lengths])
    share = np.array([best["input_share", t] for t in lengths])
    return {"T": T, "forward": forward, "input_share": share, "per_step": forward / T}


def _auc(score, positive):
    """The area under the ROC curve of ``score`` (n, H) for telling ``positive`` (n,) from the rest, per column:
    the chance that a positive example scores above a negative one (ties count a half)."""
    pos, neg = score[positive], score[~positive]
    above = (pos[:, None, :] > neg[None, :, :]).mean(axis=(0, 1))
    tied = (pos[:, None, :] == neg[None, :, :]).mean(axis=(0, 1))
    return above + 0.5 * tied


def single_unit_decoding(model, delay, *, sequences=1000, seed=0):
    """How much of a delayed-recall LSTM's answer one unit carries on its own, read at the last step.

    Each unit's h_{T-1} (the readable lstm_forward) on ``sequences`` fitting sequences gives one mean per
    symbol; on ``sequences`` test sequences (delayed_recall_experiment's, seed 10_000 + seed), a unit alone
    answers with the symbol whose mean is nearest its value. Returns a dict: accuracy (H,), each unit's
    accuracy alone; auc (n_symbols, H), how well each unit tells each symbol from the others (the larger of
    AUC and 1 - AUC: a unit may be low for its symbol); best_unit; means (n_symbols, H); readout_accuracy,
    the model's own answer from all H units; chance, 1 / n_symbols; h_last (sequences, H) and symbols
    (sequences,), the test sequences' h_{T-1} and the symbol each has to recall."""
    if model.kind != "lstm":
        raise ValueError(f"model: expected an LSTM SequenceModel, got kind {model.kind!r}")
    fit = tasks.delayed_recall(sequences, delay, seed=30_000 + seed)
    test = tasks.delayed_recall(sequences, delay, seed=10_000 + seed)
    h_fit = lstm_forward(fit.xs, model.cell).h[-1]  # (sequences, H)
    h_test = lstm_forward(test.xs, model.cell).h[-1]
    y_fit, y_test = fit.targets[-1], test.targets[-1]
    n_symbols = int(fit.n_classes)
    means = _symbol_means(h_fit, y_fit, n_symbols)  # (n_symbols, H)
    accuracy = nearest_mean_accuracy(h_fit, y_fit, h_test, y_test, n_symbols=n_symbols)  # each unit alone
    auc = np.stack([_auc(h_test, y_test == s) for s in range(n_symbols)])
    readout = model.readout(h_test).argmax(axis=1)
    return {
        "accuracy": accuracy,
        "auc": np.maximum(auc, 1.0 - auc),
        "best_unit": int(np.argmax(accuracy)),
        "means": means,
        "readout_accuracy": float((readout == y_test).mean()),
        "chance": 1.0 / n_symbols,
        "h_last": h_test,
        "symbols": y_test,
    }


# --- notebook 07: what the input gate does on delayed recall (a gate held on chosen steps; units that carry the memory)
def run_holding(model, xs, held, steps=()):
    """Run a trained LSTM ``model`` (a SequenceModel) over ``xs`` (T, B, D) one readable lstm_step at a time,
    with the parameters ``held`` (LSTMParams of the same shape, e.g. a copy with one gate held) at the steps
    listed in ``steps`` and the model's own ``model.cell`` at every other step; h and C start at zero.

    Returns (y, c): the last step's outputs y_{T-1} = W_y h_{T-1} + b_y, shape (B, K), and the cell states
    C_t of every step, shape (T, B, H)."""
    from lstm_core import lstm_step

    if getattr(model, "kind", None) != "lstm":
        raise ValueError(f"model: expected an LSTM SequenceModel, got {getattr(model, 'kind', type(model).__name__)!r}")
    if not isinstance(held, LSTMParams) or held.W.shape != model.cell.W.shape:
        got = held.W.shape if isinstance(held, LSTMParams) else type(held).__name__
        raise ValueError(f"held: expected LSTMParams with W of shape {model.cell.W.shape} (the model's), got {got}")
    xs = np.asarray(xs, dtype=np.float64)
    if xs.ndim != 3 or xs.shape[2] != model.cell.input_size:
        raise ValueError(f"xs: expected shape (T, B, D) with D = {model.cell.input_size}, got {xs.shape}")
    T, B, _ = xs.shape
    steps = {int(t) for t in steps}
    if any(not 0 <= t < T for t in steps):
        raise ValueError(f"steps: expected steps between 0 and T - 1 = {T - 1}, got {sorted(steps)}")
    H = model.cell.hidden_size
    h, c, cs = np.zeros((B, H)), np.zeros((B, H)), []
    for t in range(T):
        h, c, _ = lstm_step(xs[t], h, c, held if t in steps else model.cell)
        cs.append(c)
    return model.readout(h), np.stack(cs)


def _symbol_means(states, symbols, n_symbols):
    """The mean state (H,) of the sequences of each symbol: (n_symbols, H)."""
    return np.stack([states[symbols == s].mean(axis=0) for s in range(n_symbols)])


def nearest_mean_accuracy(fit, fit_symbols, test, test_symbols, *, per_unit=True, n_symbols=4):
    """How well states name a symbol: one mean state per symbol from the fitting sequences ``fit`` (B, H),
    then each test state (B', H) answers with the symbol whose mean is nearest.

    ``per_unit=True``: every unit alone (its own value against its four means): accuracies, shape (H,).
    ``per_unit=False``: all units together (the nearest mean point in H dimensions): one accuracy."""
    fit, test = np.asarray(fit, dtype=np.float64), np.asarray(test, dtype=np.float64)
    fit_symbols, test_symbols = np.asarray(fit_symbols), np.asarray(test_symbols)
    if fit.ndim != 2 or test.ndim != 2 or fit.shape[1] != test.shape[1]:
        raise ValueError(f"fit, test: expected (B, H) and (B', H) with the same H, got {fit.shape} and {test.shape}")
    if fit_symbols.shape != fit.shape[:1] or test_symbols.shape != test.shape[:1]:
        raise ValueError(
            f"fit_symbols, test_symbols: expected one symbol per sequence, shapes ({fit.shape[0]},) and "
            f"({test.shape[0]},), got {fit_symbols.shape} and {test_symbols.shape}"
        )
    missing = [s for s in range(n_symbols) if not np.any(fit_symbols == s)]
    if missing:
        raise ValueError(f"fit_symbols: every symbol needs fitting sequences; none for {missing}")
    gap = test[:, None, :] - _symbol_means(fit, fit_symbols, n_symbols)[None]  # (B', n_symbols, H)
    if per_unit:
        return (np.abs(gap).argmin(axis=1) == test_symbols[:, None]).mean(axis=0)
    return float((np.linalg.norm(gap, axis=2).argmin(axis=1) == test_symbols).mean())
