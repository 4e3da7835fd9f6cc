"""lstm_core against torch.nn.LSTM / torch.nn.RNN / torch.nn.LSTMCell on the same numbers, float64.

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


@pytest.mark.parametrize("shape", [(1, 1, 1, 8), (30, 3, 4, 6)], ids=str)
def test_rnn_matches_torch(shape, impl):
    T, B, D, H = shape
    rng = np.random.default_rng(0)
    p = lstm_core.RNNParams.init(D, H, seed=1)
    xs, h0, dh = rng.normal(size=(T, B, D)), rng.normal(size=(B, H)), rng.normal(size=(T, B, H))
    run = impl.rnn_forward(xs, p, h0)
    g = impl.rnn_backward(dh, run)
    m = torch.nn.RNN(D, H).double()
    m.load_state_dict(lstm_core.rnn_params_to_torch(p))
    x, h0t = t64(xs).requires_grad_(), t64(h0[None]).requires_grad_()
    out, _ = m(x, h0t)
    torch.sum(t64(dh) * out).backward()
    gp = lstm_core.rnn_params_from_torch(
        {"weight_ih_l0": m.weight_ih_l0.grad, "weight_hh_l0": m.weight_hh_l0.grad, "bias_ih_l0": m.bias_ih_l0.grad}
    )
    for a, b in ((run.h, out.detach().numpy()), (g.W, gp.W), (g.b, gp.b), (g.x, x.grad.numpy()), (g.h0, h0t.grad[0])):
        assert scaled_err(a, np.asarray(b)) <= 1e-12


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
