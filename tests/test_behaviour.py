"""What users expect beyond the maths: dtypes, no overflow, clear errors, linear memory, reproducible init."""

import tracemalloc

import numpy as np
import pytest
from helpers import ref_sigmoid

import lstm_core
from lstm_core import LSTMParams, RNNParams, lstm_backward, lstm_forward, lstm_step

P = LSTMParams.init(3, 4, seed=0)
XS = np.random.default_rng(0).normal(size=(5, 2, 3))


def test_params_layout_and_views_write_through():
    p = LSTMParams.init(3, 4, seed=0, forget_bias=2.5)
    assert p.W.shape == (16, 7) and p.b.shape == (16,)
    assert (p.input_size, p.hidden_size) == (3, 4)
    np.testing.assert_array_equal(p.b_f, 2.5)
    p.b_o[:] = -1.0
    np.testing.assert_array_equal(p.b[12:], -1.0)
    p.b_i = 7.0
    np.testing.assert_array_equal(p.b[4:8], 7.0)
    p.W_c[0, 0] = 42.0
    assert p.W[8, 0] == 42.0
    assert np.shares_memory(p.W_o, p.W)
    assert RNNParams.init(3, 4, seed=0).W.shape == (4, 7)


def test_seeded_init_is_reproducible_and_pinned():
    a, b = LSTMParams.init(2, 3, seed=123), LSTMParams.init(2, 3, seed=123)
    np.testing.assert_array_equal(a.W, b.W)
    # numpy's PCG64 stream is the same on every platform: pin the first numbers
    np.testing.assert_allclose(a.W[0, :3], [0.21056179, -0.51520311, -0.32290061], atol=1e-8)
    assert not np.array_equal(a.W, LSTMParams.init(2, 3, seed=124).W)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_follows_the_parameters(dtype, impl):
    p = LSTMParams.init(3, 4, seed=0, dtype=dtype)
    run = impl.lstm_forward(XS, p)  # float64 input, cast to the parameters' dtype
    g = impl.lstm_backward(np.ones_like(run.h), run)
    for arr in (run.h, run.c, run.f, run.o, g.W, g.b, g.x, g.h0, g.c0):
        assert arr.dtype == dtype
    h, c, _ = lstm_step(XS[0], np.zeros((2, 4)), np.zeros((2, 4)), p)
    assert h.dtype == c.dtype == dtype
    assert impl.rnn_forward(XS, RNNParams.init(3, 4, seed=0, dtype=dtype)).h.dtype == dtype


@pytest.mark.parametrize("big", [1000.0, -1000.0])
def test_sigmoid_never_overflows(big, impl):
    p = LSTMParams.init(3, 4, seed=0)
    p.b[:] = big
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        run = impl.lstm_forward(XS * big, p)
        g = impl.lstm_backward(np.ones_like(run.h), run)
        s = lstm_core.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(s, [0.0, 0.5, 1.0])
    assert all(np.isfinite(a).all() for a in (run.h, run.c, g.W, g.x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_the_textbook_formula_to_the_bit(dtype):
    """lstm_core.sigmoid computes 1 / (1 + e^{-a}) as written, in place or not; the fast impl's tanh for C~,
    2 sigma(2a) - 1, and its tanh(C_t) by way of one exp, are np.tanh to rounding (a few units in the last place,
    absolute)."""
    from lstm_core.activations import sigmoid_from_exp_neg, tanh_from_sigmoid_of_double, tanh_with_exp

    a = np.random.default_rng(0).normal(0.0, 6.0, 10_000).astype(dtype)
    want = ref_sigmoid(a)
    np.testing.assert_array_equal(lstm_core.sigmoid(a), want)
    np.testing.assert_array_equal(lstm_core.sigmoid(a, out=np.empty_like(a)), want)
    np.testing.assert_array_equal(sigmoid_from_exp_neg(np.exp(-a)), want)
    inplace = a.copy()
    assert lstm_core.sigmoid(inplace, out=inplace) is inplace and np.array_equal(inplace, want)
    t = tanh_from_sigmoid_of_double(lstm_core.sigmoid(2 * a))
    assert np.max(np.abs(t - np.tanh(a))) <= 4 * np.finfo(dtype).eps
    # the fast impl's tanh(C_t), by way of e^{-2a}: np.tanh to rounding, and exactly -1, 0 and 1 at the ends
    ends = np.array([-1000.0, -400.0, 0.0, 400.0, 1000.0], dtype)
    with np.errstate(over="ignore"):
        t = tanh_with_exp(a, np.empty_like(a))
        assert np.array_equal(tanh_with_exp(ends, np.empty_like(ends)), np.array([-1, -1, 0, 1, 1], dtype))
    assert t.dtype == dtype and np.max(np.abs(t - np.tanh(a))) <= 4 * np.finfo(dtype).eps


def err(fn, *args, **kw):
    with pytest.raises(ValueError) as e:
        fn(*args, **kw)
    return str(e.value)


def test_wrong_rank_says_which_argument_and_expected_shape():
    msg = err(lstm_forward, XS[0], P)
    assert "xs" in msg and "(T, B, D)" in msg and "(2, 3)" in msg


def test_input_size_mismatch():
    msg = err(lstm_forward, np.zeros((5, 2, 4)), P)
    assert "xs" in msg and "D is 4, expected 3" in msg


@pytest.mark.parametrize("name", ["h0", "c0"])
def test_state_of_the_wrong_shape(name):
    msg = err(lstm_forward, XS, P, **{name: np.zeros((2, 5))})
    assert name in msg and "(B, H)" in msg and "(2, 4)" in msg and "(2, 5)" in msg


def test_empty_sequence():
    msg = err(lstm_forward, np.zeros((0, 2, 3)), P)
    assert "xs" in msg and "T = 0" in msg


def test_nan_in_inputs_names_the_argument_and_where():
    xs = XS.copy()
    xs[3, 1, 2] = np.nan
    msg = err(lstm_forward, xs, P)
    assert "xs" in msg and "NaN" in msg and "(3, 1, 2)" in msg


def test_inf_in_parameters_suggests_a_lower_learning_rate():
    p = P.copy()
    p.W[0, 0] = np.inf
    msg = err(lstm_forward, XS, p)
    assert "W" in msg and "inf" in msg and "learning rate" in msg


def test_bad_parameters_and_gradients():
    assert "b:" in err(LSTMParams, np.zeros((8, 5)), np.zeros(7))
    assert "W:" in err(LSTMParams, np.zeros((8, 5)), np.zeros(12))
    assert "W:" in err(LSTMParams, np.zeros((8, 2)), np.zeros(8))  # no room for D >= 1
    assert "p: expected LSTMParams, got RNNParams" in err(lstm_forward, XS, RNNParams.init(3, 4))
    assert "hidden_size" in err(LSTMParams.init, 3, 0)
    assert "numeric" in err(lstm_forward, [["a"]], P)
    run = lstm_forward(XS, P)
    assert "dh" in err(lstm_backward, np.zeros((5, 2, 3)), run)
    assert "dc_last" in err(lstm_backward, np.zeros((5, 2, 4)), run, dc_last=np.zeros(4))
    assert "squash" in err(lstm_forward, XS, P, squash="sigmoid")
    assert "h_prev" in err(lstm_step, XS[0], None, np.zeros((2, 4)), P)
    assert "x:" in err(lstm_step, XS[0, :, :2], np.zeros((2, 4)), np.zeros((2, 4)), P)


def test_changing_params_after_forward_does_not_corrupt_backward(impl):
    p = P.copy()
    run = impl.lstm_forward(XS, p)
    before = impl.lstm_backward(np.ones_like(run.h), run).W
    p.W[:] = 0
    np.testing.assert_array_equal(impl.lstm_backward(np.ones_like(run.h), run).W, before)


def peak_bytes(T, impl):
    xs = np.zeros((T, 1, 2))
    p = LSTMParams.init(2, 8, seed=0)
    tracemalloc.start()
    run = impl.lstm_forward(xs, p)
    impl.lstm_backward(np.ones_like(run.h), run)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_is_linear_in_sequence_length(impl):
    small, large = peak_bytes(1_000, impl), peak_bytes(10_000, impl)
    assert 8 < large / small < 12, (small, large)
    assert large < 10_000 * 1 * 8 * 8 * 40  # about 40 float64 (B, H) arrays per step at most
