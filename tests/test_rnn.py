"""The vanilla RNN: gradients by finite differences, total-gradient norms, step against sequence."""

import numpy as np
import pytest
from helpers import loss, reference_rnn

import lstm_core


def rnn_case(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    p = lstm_core.RNNParams.init(D, H, seed=seed)
    return p, rng.normal(size=(T, B, D)), rng.normal(size=(B, H)) * 0.5, rng.normal(size=(T, B, H))


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (4, 2, 3, 5), (9, 1, 2, 3)], ids=str)
def test_rnn_gradients_match_finite_differences(shape):
    p, xs, h0, dh = rnn_case(*shape, seed=sum(shape))
    run = lstm_core.rnn_forward(xs, p, h0)
    np.testing.assert_allclose(run.h, reference_rnn(xs, p.W, p.b, h0), rtol=1e-13, atol=1e-15)
    g = lstm_core.rnn_backward(dh, run)

    def L():
        return float(np.sum(dh * lstm_core.rnn_forward(xs, p, h0).h))

    for name, arr, got in (("W", p.W, g.W), ("b", p.b, g.b), ("x", xs, g.x), ("h0", h0, g.h0)):
        assert lstm_core.rel_error(got, lstm_core.numerical_gradient(L, arr)) < 1e-6, name


def test_rnn_step_gradients_match_finite_differences():
    p, xs, h0, dh = rnn_case(1, 2, 3, 4, seed=1)
    x = xs[0]
    h, cache = lstm_core.rnn_step(x, h0, p)
    dx, dh_prev, dW, db = lstm_core.rnn_step_backward(dh[0], cache)

    def L():
        return float(np.sum(dh[0] * lstm_core.rnn_step(x, h0, p)[0]))

    for name, arr, got in (("x", x, dx), ("h_prev", h0, dh_prev), ("W", p.W, dW), ("b", p.b, db)):
        assert lstm_core.rel_error(got, lstm_core.numerical_gradient(L, arr)) < 1e-6, name


def test_rnn_h_norm_is_the_total_gradient_norm_and_steps_agree():
    p, xs, h0, dh = rnn_case(7, 2, 2, 3, seed=3)
    run = lstm_core.rnn_forward(xs, p, h0)
    g = lstm_core.rnn_backward(dh, run)
    pert = np.zeros_like(dh)
    total = lstm_core.numerical_gradient(lambda: loss(reference_rnn(xs, p.W, p.b, h0, pert), None, dh, None), pert)
    np.testing.assert_allclose(g.h_norm, np.linalg.norm(total.reshape(7, -1), axis=1), rtol=1e-7)
    # the readable step functions give the same numbers as the fast sequence functions
    h, caches = h0, []
    for t in range(7):
        h, cache = lstm_core.rnn_step(xs[t], h, p)
        caches.append(cache)
    np.testing.assert_allclose(h, run.h[-1], rtol=1e-13)
    dh_next, dW = np.zeros_like(h0), 0
    for t in reversed(range(7)):
        _, dh_next, dW_t, _ = lstm_core.rnn_step_backward(dh[t] + dh_next, caches[t])
        dW = dW + dW_t
    np.testing.assert_allclose(dW, g.W, rtol=1e-12)
    np.testing.assert_allclose(dh_next, g.h0, rtol=1e-12)
