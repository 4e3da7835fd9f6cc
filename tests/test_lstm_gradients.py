"""Every LSTM gradient against finite differences (float64), on both paths (readable and fast), and the
sequence functions against a loop over the readable step functions."""

import numpy as np
import pytest
from helpers import fd_rel, lstm_sequence_errors, lstm_step_errors, make_case, total_gradients
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstm_core

SHAPES = [  # (T, B, D, H): T=1, B=1, D != H, D > H, a longer sequence
    (1, 1, 1, 1),
    (1, 2, 3, 4),
    (4, 1, 2, 3),
    (5, 3, 4, 2),
    (12, 2, 1, 3),
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}B{}D{}H{}".format(*s))
def test_sequence_gradients_match_finite_differences(shape, impl):
    T, B, D, H = shape
    # the strict CS231n measure: the largest elementwise relative error
    errs = lstm_sequence_errors(impl, make_case(T, B, D, H, seed=sum(shape)), metric=lstm_core.rel_error)
    assert errs["h"] < 1e-13 and errs["c"] < 1e-13, errs
    for name in ("dW", "db", "dx", "dh0", "dc0"):
        assert errs[name] < 1e-6, (name, errs)


def test_well_conditioned_case_reaches_1e_9_per_array(impl):
    # norm-wise per array; the elementwise maximum is set by the smallest entries of dW (about 1e-6)
    errs = lstm_sequence_errors(impl, make_case(3, 2, 3, 4, seed=7))
    assert max(v for k, v in errs.items() if k.startswith("d")) < 1e-9, errs


@pytest.mark.parametrize("shape", SHAPES[:4], ids=lambda s: "B{}D{}H{}".format(*s[1:]))
def test_step_gradients_match_finite_differences(shape):
    T, B, D, H = shape
    errs = lstm_step_errors(lstm_core.lstm, make_case(T, B, D, H, seed=3), metric=lstm_core.rel_error)
    assert errs["h"] < 1e-13 and errs["c"] < 1e-13, errs
    for name in ("dx", "dh_prev", "dc_prev", "dW", "db"):
        assert errs[name] < 1e-6, (name, errs)


def test_relu_variant_gradients_match_finite_differences(impl):
    # the "why tanh" explorer runs the cell with ReLU; its gradients are checked too (away from the kink)
    errs = lstm_sequence_errors(impl, make_case(4, 2, 3, 3, seed=11), squash="relu")
    assert max(errs.values()) < 1e-6, errs


def test_h_norm_and_c_norm_are_norms_of_the_total_gradients(impl):
    case = make_case(6, 2, 3, 4, seed=5)
    run = impl.lstm_forward(case["xs"], case["p"], case["h0"], case["c0"])
    g = impl.lstm_backward(case["dh"], run, dc_last=case["dc_last"])
    dLdh, dLdc = total_gradients(case)
    np.testing.assert_allclose(g.h_norm, np.linalg.norm(dLdh.reshape(6, -1), axis=1), rtol=1e-7)
    np.testing.assert_allclose(g.c_norm, np.linalg.norm(dLdc.reshape(6, -1), axis=1), rtol=1e-7)


def _run_steps(case, squash="tanh"):
    """The sequence computed with the readable step functions: forward then backward through time."""
    p, xs, h, c = case["p"], case["xs"], case["h0"], case["c0"]
    hs, cs, caches = [], [], []
    for t in range(xs.shape[0]):
        h, c, cache = lstm_core.lstm_step(xs[t], h, c, p, squash=squash)
        hs.append(h)
        cs.append(c)
        caches.append(cache)
    dh_next, dc_next = np.zeros_like(h), case["dc_last"]
    dW, db, dxs = 0, 0, []
    for t in reversed(range(xs.shape[0])):
        dx, dh_next, dc_next, dW_t, db_t = lstm_core.lstm_step_backward(case["dh"][t] + dh_next, dc_next, caches[t])
        dW, db = dW + dW_t, db + db_t
        dxs.insert(0, dx)
    return np.array(hs), np.array(cs), dW, db, np.array(dxs), dh_next, dc_next


@pytest.mark.parametrize("squash", ["tanh", "relu"])
def test_step_functions_and_sequence_functions_agree(squash, impl):
    case = make_case(20, 3, 4, 6, seed=2)
    run = impl.lstm_forward(case["xs"], case["p"], case["h0"], case["c0"], squash=squash)
    g = impl.lstm_backward(case["dh"], run, dc_last=case["dc_last"])
    hs, cs, dW, db, dx, dh0, dc0 = _run_steps(case, squash)
    for a, b in ((run.h, hs), (run.c, cs), (g.W, dW), (g.b, db), (g.x, dx), (g.h0, dh0), (g.c0, dc0)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def test_gate_activations_are_returned_in_the_seed_order(impl):
    case = make_case(3, 2, 2, 3, seed=4)
    p, xs = case["p"], case["xs"]
    run = impl.lstm_forward(xs, p)
    hx = np.concatenate([np.zeros((2, 3)), xs[0]], axis=1)
    for name, W, b, fn in (
        ("f", p.W_f, p.b_f, lstm_core.sigmoid),
        ("i", p.W_i, p.b_i, lstm_core.sigmoid),
        ("c_tilde", p.W_c, p.b_c, np.tanh),
        ("o", p.W_o, p.b_o, lstm_core.sigmoid),
    ):
        np.testing.assert_allclose(getattr(run, name)[0], fn(hx @ W.T + b), rtol=1e-14, err_msg=name)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # the impl is fixed per test, not per example
)
@given(
    T=st.integers(1, 5),
    B=st.integers(1, 3),
    D=st.integers(1, 4),
    H=st.integers(1, 4),
    seed=st.integers(0, 2**16),
    scale=st.sampled_from([0.1, 1.0, 3.0]),
)
def test_property_gradients_over_shapes_and_values(impl, T, B, D, H, seed, scale):
    case = make_case(T, B, D, H, seed=seed)
    case["p"].W *= scale
    case["xs"] *= scale
    p, xs, h0, c0, dh, dcl = (case[k] for k in ("p", "xs", "h0", "c0", "dh", "dc_last"))
    run = impl.lstm_forward(xs, p, h0, c0)
    g = impl.lstm_backward(dh, run, dc_last=dcl)
    steps = _run_steps(case)  # the readable step functions: every array to rounding, as in the test above
    names, arrays = ("h", "c", "dW", "db", "dx", "dh0", "dc0"), (run.h, run.c, g.W, g.b, g.x, g.h0, g.c0)
    for name, got, want in zip(names, arrays, steps, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13, err_msg=name)
    # finite differences, per array, norm-wise: saturated gates at scale 3 make single tiny entries
    # ill-conditioned, and can cut a whole gradient (dc0) below what a central difference resolves
    errs = lstm_sequence_errors(impl, case, metric=fd_rel(case))
    assert max(errs.values()) < 1e-6, errs


def test_gradients_returned_earlier_survive_later_backward_calls(impl):
    # nothing lstm_backward returns may share memory with its working buffers or with another call's results
    a, b = make_case(6, 3, 4, 5, seed=7), make_case(6, 3, 4, 5, seed=8)
    run = impl.lstm_forward(a["xs"], a["p"])
    g1 = impl.lstm_backward(a["dh"], run)
    kept = {k: np.copy(getattr(g1, k)) for k in ("W", "b", "x", "h0", "c0", "h_norm", "c_norm")}
    impl.lstm_backward(b["dh"], impl.lstm_forward(b["xs"], b["p"]))
    impl.lstm_backward(b["dh"], run)
    for k, v in kept.items():
        np.testing.assert_array_equal(getattr(g1, k), v, err_msg=k)
    np.testing.assert_array_equal(impl.lstm_backward(a["dh"], run).W, kept["W"])
