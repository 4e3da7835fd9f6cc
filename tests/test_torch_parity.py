"""lstm_core against torch.nn.LSTM / GRU / RNN / LSTMCell on the same numbers, float64: every cell of
lstm_core.CELLS that names a torch twin, on both paths, and the LSTM in more detail.

Skipped, with the reason, when torch is not installed (.ci/run installs torch==2.13.0, CPU).
"""

import numpy as np
import pytest
from helpers import make_case, scaled_err

import lstm_core
from lstm_lab.bugs import load_mutant

torch = pytest.importorskip("torch", reason="torch is not installed: pip install torch==2.13.0 (CPU build)")

# the sequence tests run on both paths, readable and fast (the ``impl`` fixture, tests/conftest.py)


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def torch_lstm(case, convert):
    p, xs, h0, c0, dh, dcl = (case[k] for k in ("p", "xs", "h0", "c0", "dh", "dc_last"))
    m = torch.nn.LSTM(p.input_size, p.hidden_size).double()
    m.load_state_dict(convert.lstm_params_to_torch(p))
    x = t64(xs).requires_grad_()
    h0t, c0t = t64(h0[None]).requires_grad_(), t64(c0[None]).requires_grad_()
    out, (hn, cn) = m(x, (h0t, c0t))
    (torch.sum(t64(dh) * out) + torch.sum(t64(dcl) * cn[0])).backward()
    grads = convert.lstm_params_from_torch(
        {"weight_ih_l0": m.weight_ih_l0.grad, "weight_hh_l0": m.weight_hh_l0.grad, "bias_ih_l0": m.bias_ih_l0.grad}
    )
    return out.detach().numpy(), cn.detach().numpy()[0], grads, x.grad.numpy(), h0t.grad.numpy()[0], c0t.grad.numpy()[0]


def lstm_parity_errors(case, convert=lstm_core.torch_convert, impl=lstm_core.lstm):
    run = impl.lstm_forward(case["xs"], case["p"], case["h0"], case["c0"])
    g = impl.lstm_backward(case["dh"], run, dc_last=case["dc_last"])
    out, cn, gp, gx, gh0, gc0 = torch_lstm(case, convert)
    return {
        "h": scaled_err(run.h, out),
        "c_last": scaled_err(run.c[-1], cn),
        "dW": scaled_err(g.W, gp.W),
        "db": scaled_err(g.b, gp.b),
        "dx": scaled_err(g.x, gx),
        "dh0": scaled_err(g.h0, gh0),
        "dc0": scaled_err(g.c0, gc0),
    }


@pytest.mark.parametrize("shape", [(1, 1, 1, 8), (6, 3, 4, 5), (50, 2, 3, 16)], ids=str)
def test_lstm_matches_torch(shape, impl):
    errs = lstm_parity_errors(make_case(*shape, seed=9), impl=impl)
    assert max(errs.values()) <= 1e-12, errs


def test_every_step_and_total_gradient_norms_match_torch_lstmcell(impl):
    case = make_case(8, 2, 3, 4, seed=12)
    p = case["p"]
    run = impl.lstm_forward(case["xs"], p, case["h0"], case["c0"])
    g = impl.lstm_backward(case["dh"], run, dc_last=case["dc_last"])
    cell = torch.nn.LSTMCell(p.input_size, p.hidden_size).double()
    sd = lstm_core.lstm_params_to_torch(p)
    cell.load_state_dict({k[:-3]: v for k, v in sd.items()})
    h, c = t64(case["h0"]), t64(case["c0"])
    hs, cs = [], []
    for t in range(8):
        h, c = cell(t64(case["xs"][t]), (h, c))
        h.retain_grad()
        c.retain_grad()
        hs.append(h)
        cs.append(c)
    L = sum(torch.sum(t64(case["dh"][t]) * hs[t]) for t in range(8)) + torch.sum(t64(case["dc_last"]) * cs[-1])
    L.backward()
    assert scaled_err(run.c, np.array([c.detach().numpy() for c in cs])) <= 1e-12
    assert scaled_err(g.h_norm, np.array([h.grad.norm().item() for h in hs])) <= 1e-12
    assert scaled_err(g.c_norm, np.array([c.grad.norm().item() for c in cs])) <= 1e-12


TWINNED = [kind for kind, cell in lstm_core.CELLS.items() if cell.torch]  # the cells torch.nn also has


@pytest.mark.parametrize("fast", [False, True], ids=["readable", "fast"])
@pytest.mark.parametrize("shape", [(1, 1, 1, 8), (5, 2, 4, 4), (30, 3, 4, 6), (50, 2, 3, 16)], ids=str)
@pytest.mark.parametrize("kind", TWINNED)
def test_every_cell_with_a_torch_twin_matches_it(kind, shape, fast):
    """Registering a cell with ``torch=`` in lstm_core.CELLS puts it here: outputs, the final state, every
    parameter's gradient, dL/dx and the gradient of each initial state against torch.nn's module on the same
    float64 numbers (D = H as well as D != H)."""
    cell, (T, B, D, H) = lstm_core.CELLS[kind], shape
    forward, backward = (cell.fast_forward, cell.fast_backward) if fast else (cell.forward, cell.backward)
    if forward is None:
        pytest.skip(f"{kind} has no fast path")
    rng = np.random.default_rng(4)
    p = cell.params.init(D, H, seed=1)
    for a in p.arrays().values():
        a += rng.normal(0, 0.3, a.shape)  # biases away from their initial values too
    xs, dh = rng.normal(size=(T, B, D)), rng.normal(size=(T, B, H))
    state0 = [rng.normal(size=(B, H)) for _ in cell.state]
    run = forward(xs, p, *state0)
    g = backward(dh, run)
    m = getattr(torch.nn, cell.torch)(D, H).double()
    m.load_state_dict(cell.to_torch(p))
    x, s0 = t64(xs).requires_grad_(), [t64(s[None]).requires_grad_() for s in state0]
    out, final = m(x, tuple(s0) if len(s0) > 1 else s0[0])
    torch.sum(t64(dh) * out).backward()
    grads = {name: q.grad for name, q in m.named_parameters()}
    if "b" in cell.params.FIELDS:  # one bias b = bias_ih + bias_hh: its gradient is either one's, not their sum
        del grads["bias_hh_l0"]
    theirs = cell.from_torch(grads)
    assert scaled_err(run.h, out.detach().numpy()) <= 1e-12
    for ours, last in zip(cell.final_state(run), final if isinstance(final, tuple) else (final,), strict=True):
        assert scaled_err(ours, last.detach().numpy()[0]) <= 1e-12
    for name in cell.params.FIELDS:
        assert scaled_err(getattr(g, name), getattr(theirs, name)) <= 1e-12, name
    assert scaled_err(g.x, x.grad.numpy()) <= 1e-12
    for name, s in zip(cell.state, s0, strict=True):
        assert scaled_err(getattr(g, f"{name}0"), s.grad.numpy()[0]) <= 1e-12, f"d{name}0"


def test_round_trip_through_a_torch_state_dict():
    m = torch.nn.LSTM(3, 4).double()
    p = lstm_core.lstm_params_from_torch(m.state_dict())
    back = lstm_core.lstm_params_from_torch(lstm_core.lstm_params_to_torch(p))
    np.testing.assert_array_equal(back.W, p.W)
    np.testing.assert_array_equal(back.b, p.b)
    # torch's forget-gate rows are its second block: they must land in W_f
    np.testing.assert_array_equal(p.W_f[:, 4:], m.weight_ih_l0.detach().numpy()[4:8])


def test_float32_parameters_give_float32_results_close_to_torch_float32(impl):
    case = make_case(10, 2, 3, 8, seed=1)
    p32 = lstm_core.LSTMParams(case["p"].W.astype(np.float32), case["p"].b.astype(np.float32))
    run = impl.lstm_forward(case["xs"], p32)
    assert run.h.dtype == np.float32
    m = torch.nn.LSTM(3, 8).float()
    m.load_state_dict({k: v.float() for k, v in lstm_core.lstm_params_to_torch(p32).items()})
    out, _ = m(torch.tensor(case["xs"], dtype=torch.float32))
    assert scaled_err(run.h, out.detach().numpy()) < 1e-5


def test_wrong_gate_order_is_caught_by_parity():
    # the classic bug: copying weights in torch's i, f, g, o order into the f, i, c, o layout
    wrong = load_mutant(lstm_core.torch_convert, "TORCH_BLOCK = np.array([1, 0, 2, 3])", "TORCH_BLOCK = np.arange(4)")
    errs = lstm_parity_errors(make_case(6, 2, 3, 4, seed=2), convert=wrong)
    assert errs["h"] > 1e-3, errs
