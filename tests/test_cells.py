"""lstm_core.CELLS, the cell registry: every registered cell is checked here by being registered.

* its readable backward against finite differences (float64), every parameter, the inputs and every initial state;
* its sequence function against a loop over its step function, and its step backward against the sequence's;
* its parameters: one base (CellParams), arrays() named like the gradients, copies and read-only copies;
* its runs read-only, and a later change to the parameters cannot reach a run;
* the peephole LSTM: with its peephole weights at zero it is the LSTM, bit for bit; the peepholes change the
  numbers otherwise; it learns the delay task through SequenceModel.
"""

import functools

import numpy as np
import pytest

import lstm_core
from lstm_core import CELLS, tasks
from lstm_core.models import SequenceModel
from lstm_core.params import CellParams
from lstm_core.train import train

KINDS = list(CELLS)
SHAPES = [(1, 1, 1, 1), (3, 2, 4, 3), (6, 1, 2, 5)]  # (T, B, D, H): T = B = 1, D > H, D < H


def case(kind, T, B, D, H, seed=0):
    cell = CELLS[kind]
    rng = np.random.default_rng(seed)
    p = cell.params.init(D, H, seed=seed)
    for a in p.arrays().values():
        a += rng.normal(0.0, 0.3, a.shape)  # away from the init's symmetries (the LSTM's constant b_f)
    xs, dh = rng.normal(size=(T, B, D)), rng.normal(size=(T, B, H))
    state = [rng.normal(size=(B, H)) for _ in cell.state]
    return cell, p, xs, state, dh


def loss(cell, p, xs, state, dh):
    return float(np.sum(dh * cell.forward(xs, p, *state).h))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}B{}D{}H{}".format(*s))
def test_every_gradient_matches_finite_differences(kind, shape):
    cell, p, xs, state, dh = case(kind, *shape, seed=sum(shape))
    g = cell.backward(dh, cell.forward(xs, p, *state))
    checked = {**cell.grad_arrays(g), "x": g.x}
    wrt = {**p.arrays(), "x": xs}
    for name, s in zip(cell.state, state, strict=True):
        checked[name + "0"], wrt[name + "0"] = getattr(g, name + "0"), s
    for name, a in wrt.items():
        num = lstm_core.numerical_gradient(functools.partial(loss, cell, p, xs, state, dh), a)
        assert lstm_core.rel_error(checked[name], num) < 1e-6, (kind, name)


@pytest.mark.parametrize("kind", KINDS)
def test_the_sequence_function_is_a_loop_over_the_step(kind):
    cell, p, xs, state, dh = case(kind, 5, 2, 3, 4, seed=1)
    run = cell.forward(xs, p, *state)
    now = list(state)
    for t in range(xs.shape[0]):
        *now, _ = cell.step(xs[t], *now, p)
        for name, s in zip(cell.state, now, strict=True):
            np.testing.assert_array_equal(getattr(run, name)[t], s, err_msg=f"{kind} {name} at t = {t}")
    assert not np.shares_memory(cell.final_state(run)[0], run.h)  # copies
    np.testing.assert_array_equal(cell.final_state(run)[0], run.h[-1])


@pytest.mark.parametrize("kind", KINDS)
def test_parameters_share_one_base_and_name_their_arrays_like_the_gradients(kind):
    cell, p, xs, state, dh = case(kind, 3, 2, 3, 4)
    assert isinstance(p, CellParams) and tuple(p.arrays()) == cell.params.FIELDS
    assert all(a is getattr(p, name) for name, a in p.arrays().items())  # live arrays, for in-place updates
    g = cell.backward(dh, cell.forward(xs, p, *state))
    for name, a in cell.grad_arrays(g).items():
        assert a.shape == p.arrays()[name].shape, name
    q, frozen = p.copy(), p.frozen()
    for name, a in p.arrays().items():
        assert q.arrays()[name] is not a and np.array_equal(q.arrays()[name], a)
        assert not frozen.arrays()[name].flags.writeable
    assert (p.input_size, p.hidden_size, p.dtype) == (3, 4, np.float64)
    assert cell.params.__name__ in repr(p)


@pytest.mark.parametrize("kind", KINDS)
def test_a_run_is_read_only_and_later_changes_to_the_parameters_cannot_reach_it(kind):
    cell, p, xs, state, dh = case(kind, 4, 2, 3, 4, seed=2)
    run = cell.forward(xs, p, *state)
    before = cell.backward(dh, run)
    for name in cell.state:
        with pytest.raises(ValueError):
            getattr(run, name)[0, 0, 0] = 1.0
    for a in p.arrays().values():
        a *= 2.0
    after = cell.backward(dh, run)
    for name, a in cell.grad_arrays(before).items():
        np.testing.assert_array_equal(cell.grad_arrays(after)[name], a, err_msg=name)


@pytest.mark.parametrize("kind", KINDS)
def test_a_model_of_every_kind_trains_reproducibly(kind):
    def run():
        m = SequenceModel(kind, 6, 8, 4, seed=0)
        h = train(m, functools.partial(tasks.delayed_recall, delay=3), steps=20, batch_size=8, progress=False)
        return m, h

    (m1, h1), (m2, _) = run(), run()
    assert np.mean(h1.loss[-5:]) < np.mean(h1.loss[:5])
    for name, a in m1.params.items():
        np.testing.assert_array_equal(m2.params[name], a, err_msg=name)


def test_the_registry_says_what_each_cell_is():
    for kind, cell in CELLS.items():
        assert cell.state[0] == "h" and set(cell.state) <= {"h", "c"}, kind
        assert (cell.fast_forward is None) == (cell.fast_backward is None), kind
        assert (cell.torch is None) == (cell.to_torch is None) == (cell.from_torch is None), kind
    assert CELLS["lstm"].state == ("h", "c") and CELLS["gru"].state == ("h",)
    with pytest.raises(ValueError, match="kind"):
        SequenceModel("lstm2", 2, 3, 4)


# --- the peephole LSTM (Gers and Schmidhuber, 2000), the cell added through the registry alone
def test_with_its_peepholes_at_zero_the_peephole_lstm_is_the_lstm_bit_for_bit():
    _, p, xs, (h0, c0), dh = case("peephole", 7, 3, 4, 5, seed=4)
    p.w_peep[:] = 0.0
    lstm_p = lstm_core.LSTMParams(p.W, p.b)
    a, b = lstm_core.peephole_forward(xs, p, h0, c0), lstm_core.lstm_forward(xs, lstm_p, h0, c0)
    for name in ("h", "c", "f", "i", "c_tilde", "o"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    ga, gb = lstm_core.peephole_backward(dh, a), lstm_core.lstm_backward(dh, b)
    for name in ("W", "b", "x", "h0", "c0", "h_norm", "c_norm"):
        np.testing.assert_allclose(getattr(ga, name), getattr(gb, name), rtol=1e-13, atol=1e-15, err_msg=name)


def test_the_peepholes_read_the_cell():
    _, p, xs, (h0, c0), _ = case("peephole", 4, 2, 3, 4, seed=5)
    run = lstm_core.peephole_forward(xs, p, h0, c0)
    hx = np.concatenate([h0, xs[0]], axis=1)
    f0 = lstm_core.sigmoid(hx @ p.W_f.T + p.w_cf * c0 + p.b_f)  # the forget gate sees C_{t-1}
    o0 = lstm_core.sigmoid(hx @ p.W_o.T + p.w_co * run.c[0] + p.b_o)  # the output gate sees the new C_t
    np.testing.assert_allclose(run.f[0], f0, rtol=1e-14)
    np.testing.assert_allclose(run.o[0], o0, rtol=1e-14)
    p.w_co[:] += 1.0
    assert not np.allclose(lstm_core.peephole_forward(xs, p, h0, c0).o[0], run.o[0])


def test_the_peephole_lstm_learns_the_delay_task_with_gates_held_or_free():
    m = SequenceModel("peephole", 6, 16, 4, seed=0, forget_bias=3.0)
    hist = train(m, functools.partial(tasks.delayed_recall, delay=5), steps=300, batch_size=32, lr=0.02, progress=False)
    assert np.mean(hist.accuracy[-10:]) > 0.9, hist.accuracy[-10:]
    held = SequenceModel("peephole", 6, 8, 4, seed=0, frozen_open=("f",))
    w_before = held.cell.w_cf.copy()
    train(held, functools.partial(tasks.delayed_recall, delay=3), steps=5, batch_size=8, progress=False)
    np.testing.assert_array_equal(held.cell.w_cf, w_before)  # a held gate's peephole is not trained either
    assert np.all(held.cell.b_f == 10.0) and np.all(held.cell.w_cf == 0.0)


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.zeros((8, 4)), np.zeros(8), np.zeros(5)), "w_peep: expected shape \\(3H,\\) = \\(6,\\)"),
        ((np.zeros((8, 4)), np.zeros(8), np.zeros((2, 3))), "w_peep"),
        ((np.zeros((8, 4)), np.zeros(6), np.zeros(6)), "b: expected"),
    ],
)
def test_bad_peephole_parameters_are_named(args, message):
    with pytest.raises(ValueError, match=message):
        lstm_core.PeepholeParams(*args)
