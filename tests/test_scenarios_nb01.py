"""What notebook 01's clipping section reads from scenarios.rnn_memory: the weights' gradients of the page's RNN,
exploding above rho = 1, and what clipping by global norm does to them."""

import numpy as np
import pytest

import lstm_core
from lstm_core.optim import clip_by_global_norm, global_norm
from lstm_lab import scenarios as S


def test_rnn_memory_returns_the_gradients_of_its_own_loss():
    r = S.rnn_memory(0.9, 30)
    g = r["grads"]
    H = 32
    assert g.W.shape == (H, H + 1) and g.b.shape == (H,)
    # the same loss, backpropagated again: dL/dh_{T-1} is the only upstream gradient (rnn_memory's last row)
    dh = np.zeros((30, 1, H))
    rng = np.random.default_rng(0)
    rng.normal(size=(H, H))  # rnn_memory draws Q, then the inputs, then dL/dh_{T-1}
    rng.normal(0.0, 0.1, size=(30, 1, 1))
    dh[-1] = rng.normal(size=(1, H)) / np.sqrt(H)
    again = lstm_core.rnn_backward(dh, r["run"])
    np.testing.assert_array_equal(again.W, g.W)
    np.testing.assert_array_equal(again.b, g.b)


@pytest.mark.parametrize(("rho", "explodes"), [(0.5, False), (2.0, True)])
def test_clipping_caps_the_exploding_gradient_and_keeps_its_direction(rho, explodes):
    r = S.rnn_memory(rho, 100)
    grads = {"W": r["grads"].W, "b": r["grads"].b}
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert (norm > 1e7) == explodes and (norm < 1.0) == (not explodes)
    assert global_norm(clipped) == pytest.approx(min(norm, 1.0), rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(clipped[k], grads[k] * min(1.0, 1.0 / norm), rtol=1e-12, atol=0)
