"""The readable and the fast path compute the same numbers; both are deterministic; neither can be corrupted
through what it returns.

* lstm_core.fast against the readable functions: every output and every gradient, norms included, to 1e-12
  relative (float64), on T = 1, B = 1, D != H, and T = 1,000.
* every cell of lstm_core.CELLS with a fast path against its readable functions, every array they show.
* Determinism: two fresh processes give the same bytes of h, c and every gradient (LSTM, GRU and RNN), both
  paths, both dtypes.
* Safe outputs: a write into any array a run or a backward returned is refused, or changes no later result.
* Reused memory: the fast path takes a block of memory again only when nothing the caller holds views it,
  and recycled memory gives the same bits as new memory.
"""

import dataclasses
import hashlib
import subprocess
import sys

import numpy as np
import pytest
from helpers import make_case
from helpers import scaled_err as scaled

import lstm_core
from lstm_core import fast

SHAPES = [(1, 1, 1, 1), (1, 3, 4, 2), (7, 1, 3, 5), (9, 4, 6, 3), (1000, 2, 3, 4)]  # (T, B, D, H)
RUN_FIELDS = ("h", "c", "f", "i", "c_tilde", "o")
GRAD_FIELDS = ("W", "b", "x", "h0", "c0", "h_norm", "c_norm")
FAST = sorted(kind for kind, cell in lstm_core.CELLS.items() if cell.fast_forward is not None)  # with a fast path


@pytest.mark.parametrize("squash", ["tanh", "relu"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}B{}D{}H{}".format(*s))
def test_fast_lstm_equals_the_readable_lstm(shape, squash):
    case = make_case(*shape, seed=sum(shape))
    p, xs, h0, c0, dh, dcl = (case[k] for k in ("p", "xs", "h0", "c0", "dh", "dc_last"))
    if squash == "relu":
        p.W *= 0.5  # keep a ReLU cell finite over 1,000 steps
    slow, quick = lstm_core.lstm_forward(xs, p, h0, c0, squash=squash), fast.lstm_forward(xs, p, h0, c0, squash=squash)
    for name in RUN_FIELDS:
        assert scaled(getattr(quick, name), getattr(slow, name)) <= 1e-12, name
    g_slow, g_fast = lstm_core.lstm_backward(dh, slow, dc_last=dcl), fast.lstm_backward(dh, quick, dc_last=dcl)
    for name in GRAD_FIELDS:
        assert scaled(getattr(g_fast, name), getattr(g_slow, name)) <= 1e-12, name


def public_arrays(record):
    """The arrays a run or a gradient record shows: its dataclass fields that are arrays, bar the private ones."""
    fields = (f.name for f in dataclasses.fields(record) if not f.name.startswith("_"))
    return {name: getattr(record, name) for name in fields if isinstance(getattr(record, name), np.ndarray)}


@pytest.mark.parametrize("kind", FAST)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}B{}D{}H{}".format(*s))
def test_every_fast_path_equals_the_readable_one(shape, kind):
    # every array the readable run and backward show, from the registry: a new cell's fast path is checked too
    T, B, D, H = shape
    cell = lstm_core.CELLS[kind]
    rng = np.random.default_rng(T + B + D + H)
    p = cell.params.init(D, H, seed=1)
    xs, dh = rng.normal(size=(T, B, D)), rng.normal(size=(T, B, H))
    state = [rng.normal(size=(B, H)) for _ in cell.state]
    slow, quick = cell.forward(xs, p, *state), cell.fast_forward(xs, p, *state)
    shown = public_arrays(slow)
    assert {"h", "xs", "h0"} <= set(shown)
    for name, a in shown.items():
        assert scaled(getattr(quick, name), a) <= 1e-12, name
    g_slow, g_fast = cell.backward(dh, slow), cell.fast_backward(dh, quick)
    grads = public_arrays(g_slow)
    assert set(p.FIELDS) | {"x", "h0", "h_norm"} <= set(grads)
    for name, a in grads.items():
        assert scaled(getattr(g_fast, name), a) <= 1e-12, name


@pytest.mark.parametrize("kind", FAST)
def test_fast_backward_without_the_input_gradient_gives_the_same_other_gradients(kind):
    forward, backward = lstm_core.CELLS[kind].fast_forward, lstm_core.CELLS[kind].fast_backward
    p = lstm_core.CELLS[kind].params.init(4, 5, seed=2)
    rng = np.random.default_rng(2)
    run = forward(rng.normal(size=(70, 3, 4)), p)
    dh = rng.normal(size=(70, 3, 5))
    full, lean = backward(dh, run), backward(dh, run, x_grad=False)
    assert lean.x is None and full.x.shape == (70, 3, 4)
    for name, a in vars(full).items():
        if name != "x":
            np.testing.assert_array_equal(getattr(lean, name), a, err_msg=name)


def test_each_backward_takes_only_its_own_run():
    case = make_case(3, 2, 2, 3)
    with pytest.raises(ValueError, match="use lstm_core.fast.lstm_backward|expected the LSTMRun"):
        lstm_core.lstm_backward(case["dh"], fast.lstm_forward(case["xs"], case["p"]))
    with pytest.raises(ValueError, match="use lstm_core.lstm_backward"):
        fast.lstm_backward(case["dh"], lstm_core.lstm_forward(case["xs"], case["p"]))
    q, xs, dh = lstm_core.GRUParams.init(2, 3, seed=0), case["xs"], case["dh"]
    with pytest.raises(ValueError, match="expected the GRURun"):
        lstm_core.gru_backward(dh, fast.gru_forward(xs, q))
    with pytest.raises(ValueError, match="use lstm_core.gru_backward"):
        fast.gru_backward(dh, lstm_core.gru_forward(xs, q))


# --- determinism -----------------------------------------------------------------------------------------
DIGEST = """
import hashlib, sys
import numpy as np
sys.path.insert(0, {tests!r})
from helpers import make_case
from helpers import scaled_err as scaled
import lstm_core
from lstm_core import fast

h = hashlib.sha256()
for dtype in (np.float64, np.float32):
    for path in (lstm_core, fast):
        case = make_case(40, 8, 16, 32, seed=3)
        p = lstm_core.LSTMParams(case["p"].W.astype(dtype), case["p"].b.astype(dtype))
        run = path.lstm_forward(case["xs"], p)
        g = path.lstm_backward(case["dh"], run, dc_last=case["dc_last"])
        q = lstm_core.RNNParams.init(16, 32, seed=4, dtype=dtype)
        r = path.rnn_forward(case["xs"], q)
        gr = path.rnn_backward(case["dh"], r)
        u = lstm_core.GRUParams.init(16, 32, seed=5, dtype=dtype)
        s = path.gru_forward(case["xs"], u)
        gs = path.gru_backward(case["dh"], s)
        for a in (run.h, run.c, g.W, g.b, g.x, g.h0, g.c0, g.h_norm, g.c_norm, r.h, gr.W, gr.b, gr.x, gr.h0, gr.h_norm,
                  s.h, s.r, s.z, s.n, gs.W_x, gs.W_h, gs.b_x, gs.b_h, gs.x, gs.h0, gs.h_norm):
            h.update(np.ascontiguousarray(a).tobytes())
print(h.hexdigest())
"""


def test_two_processes_give_the_same_bits():
    code = DIGEST.format(tests=str(__import__("pathlib").Path(__file__).parent))
    digests = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in "ab"
    ]
    assert digests[0] == digests[1] and len(digests[0].strip()) == 64, digests
    # and this process agrees with them (nothing depends on what ran before)
    here = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert here == digests[0]
    assert hashlib.sha256(b"").hexdigest() not in digests[0]


def test_no_timing_or_route_choice_is_left_in_the_code():
    import inspect

    for module in (lstm_core.lstm, lstm_core.fast, lstm_core.gru, lstm_core.rnn, lstm_core.activations):
        src = inspect.getsource(module)
        assert "perf_counter" not in src and "import time" not in src, module.__name__


# --- safe outputs ------------------------------------------------------------------------------------------
def _arrays(obj, names):
    return {n: getattr(obj, n) for n in names}


def test_writing_into_returned_arrays_cannot_change_a_later_result(impl):
    case = make_case(6, 3, 4, 5, seed=2)
    run = impl.lstm_forward(case["xs"], case["p"], case["h0"], case["c0"])
    want = impl.lstm_backward(case["dh"], run, dc_last=case["dc_last"])
    want = {k: np.copy(v) for k, v in _arrays(want, GRAD_FIELDS).items()}
    shown = {**_arrays(run, (*RUN_FIELDS, "xs", "h0", "c0")), "params.W": run.params.W, "params.b": run.params.b}
    shown.update({f"params.{g}": getattr(run.params, g) for g in ("W_f", "b_f", "W_o")})
    for name, arr in shown.items():
        with pytest.raises(ValueError, match="read-only"):
            arr *= 0.5  # what a learner might do to scale h for a plot
        with pytest.raises(ValueError, match="read-only"):
            arr[...] = 0.0
        assert np.isfinite(arr).all(), name
    g1 = impl.lstm_backward(case["dh"], run, dc_last=case["dc_last"])
    for arr in _arrays(g1, GRAD_FIELDS).values():  # gradients are the caller's own: writable, and shared with nothing
        arr *= 0.5
    # the caller's own inputs changed in place after the forward pass cannot reach the run either
    case["xs"][...] = 0.0
    case["h0"][...] = 0.0
    case["c0"][...] = 0.0
    case["p"].W[...] = 0.0
    g2 = impl.lstm_backward(case["dh"], run, dc_last=case["dc_last"])
    for k in GRAD_FIELDS:
        np.testing.assert_array_equal(getattr(g2, k), want[k], err_msg=k)
    with pytest.raises(AttributeError):
        run.h = np.zeros_like(run.h)  # runs are frozen
    assert not [f for f in vars(run) if f in ("gates", "z", "tanh_c")], "internal buffers must not be public fields"


def test_rnn_outputs_are_safe_too(impl):
    rng = np.random.default_rng(0)
    p = lstm_core.RNNParams.init(3, 4, seed=0)
    xs, dh = rng.normal(size=(5, 2, 3)), rng.normal(size=(5, 2, 4))
    run = impl.rnn_forward(xs, p)
    want = impl.rnn_backward(dh, run).W.copy()
    for arr in (run.h, run.xs, run.h0, run.params.W, run.params.b):
        with pytest.raises(ValueError, match="read-only"):
            arr *= 2.0
    xs[...] = 0.0
    np.testing.assert_array_equal(impl.rnn_backward(dh, run).W, want)


# --- memory the fast path reuses -------------------------------------------------------------------------


def _every_array(obj):
    """Every array a run or a gradient record holds, its parameters' included, by name."""
    found = {}
    for name, value in vars(obj).items():
        if isinstance(value, np.ndarray):
            found[name] = value
        elif hasattr(value, "W_h") or hasattr(value, "W"):  # the run's parameters
            found.update({f"params.{k}": a for k, a in vars(value).items() if isinstance(a, np.ndarray)})
    return found


@pytest.mark.parametrize("kind", FAST)
def test_fast_path_reuses_memory_only_when_nothing_holds_it(kind):
    forward, backward = lstm_core.CELLS[kind].fast_forward, lstm_core.CELLS[kind].fast_backward
    T, B, D, H = 70, 3, 4, 5  # 70 steps: backward runs in two chunks
    p = lstm_core.CELLS[kind].params.init(D, H, seed=3)
    rng = np.random.default_rng(3)
    (xs1, xs2), (dh1, dh2) = rng.normal(size=(2, T, B, D)), rng.normal(size=(2, T, B, H))
    run1 = forward(xs1, p)
    g1 = backward(dh1, run1)
    kept = {k: a.copy() for k, a in {**_every_array(run1), **_every_array(g1)}.items()}
    assert len(kept) >= 7
    for _ in range(3):  # calls of the same shapes whose results are dropped at once
        backward(dh2, forward(xs2, p))
    run2 = forward(xs2, p)
    g2 = backward(dh2, run2)
    for name, a in {**_every_array(run1), **_every_array(g1)}.items():  # what the caller holds is untouched
        np.testing.assert_array_equal(a, kept[name], err_msg=name)
    blocks = {id(run2.h.base), id(g2.x.base)}
    del run2, g2
    run3 = forward(xs1, p)
    g3 = backward(dh1, run3)
    assert {id(run3.h.base), id(g3.x.base)} == blocks  # the memory nothing held any more was taken again
    for name, a in {**_every_array(run3), **_every_array(g3)}.items():  # and gave the same bits as new memory
        np.testing.assert_array_equal(a, kept[name], err_msg=name)


def test_the_pool_keeps_a_bounded_amount_of_memory(monkeypatch):
    monkeypatch.setattr(fast, "_POOL_BYTES", 300_000)
    case = make_case(2_000, 3, 4, 5, seed=1)
    for T in (5, 50, 400, 2_000, 50):
        run = fast.lstm_forward(case["xs"][:T], case["p"])
        fast.lstm_backward(case["dh"][:T], run)
        held = [m.nbytes for m in fast._POOL]
        assert sum(held) <= 300_000 and len(held) <= fast._POOL_BLOCKS, held
    assert run.h.base.nbytes < 300_000 and any(m is run.h.base for m in fast._POOL)  # small blocks are still kept


def test_step_cache_keeps_its_own_copies():
    case = make_case(1, 2, 3, 4, seed=0)
    p, x, h, c = case["p"], case["xs"][0], case["h0"].copy(), case["c0"].copy()
    _, _, cache = lstm_core.lstm_step(x, h, c, p)
    want = lstm_core.lstm_step_backward(case["dh"][0], case["dc_last"], cache)
    c[...] = 0.0  # the caller reuses its state arrays
    p.W[...] = 0.0
    got = lstm_core.lstm_step_backward(case["dh"][0], case["dc_last"], cache)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)
