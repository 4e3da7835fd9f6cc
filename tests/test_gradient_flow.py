"""Notebook 05's measurements of a real LSTM's gradient: the paths of dL/dC_t, and the connectivity
||dy_{T-1}/dx_t||, checked against what they claim to be."""

import numpy as np
import pytest

import lstm_core
from lstm_core import tasks
from lstm_core.models import SequenceModel
from lstm_lab import scenarios as S


def small_case(kind="lstm", seed=0):
    model = SequenceModel(kind, 6, 5, 4, seed=seed, forget_bias=2.0)
    return model, tasks.delayed_recall(3, 6, seed=seed)


def test_the_total_cell_gradient_is_lstm_backwards_and_the_paths_agree_at_the_last_step():
    model, b = small_case()
    g = S.cell_gradient_paths(model.cell, b.xs, S.loss_gradient_on_h(model, b))
    run = lstm_core.lstm_forward(b.xs, model.cell)
    np.testing.assert_allclose(g["total"], lstm_core.lstm_backward(S.loss_gradient_on_h(model, b), run).c_norm)
    assert g["total"][-1] == pytest.approx(g["cell_path"][-1]) == pytest.approx(g["constant_gate"][-1])
    assert not np.allclose(g["total"], g["cell_path"])  # W != 0: the h path adds to the cell path


def test_without_the_h_path_the_total_is_the_cell_path_and_with_w_f_zero_the_constant_gate():
    model, b = small_case()
    H = model.cell.hidden_size
    model.cell.W[:, :H] = 0.0  # h_{t-1} feeds no gate: the gradient can only travel along C
    g = S.cell_gradient_paths(model.cell, b.xs, S.loss_gradient_on_h(model, b))
    np.testing.assert_allclose(g["total"], g["cell_path"], rtol=1e-12)
    model.cell.W_f[:] = 0.0  # and f_t = sigma(b_f) at every step
    g = S.cell_gradient_paths(model.cell, b.xs, S.loss_gradient_on_h(model, b))
    np.testing.assert_allclose(g["cell_path"], g["constant_gate"], rtol=1e-12)


@pytest.mark.parametrize("kind", list(lstm_core.CELLS))
def test_connectivity_is_the_frobenius_norm_of_the_finite_difference_jacobian(kind):
    model, b = small_case(kind, seed=1)
    conn = S.connectivity(model, b.xs)
    T, B, D = b.xs.shape
    eps = 1e-6
    for t in (0, T // 2, T - 1):
        jac = np.zeros((B, model.W_y.shape[0], D))
        for d in range(D):
            xp, xm = b.xs.copy(), b.xs.copy()
            xp[t, :, d] += eps
            xm[t, :, d] -= eps
            jac[:, :, d] = (model.forward(xp)[0][-1] - model.forward(xm)[0][-1]) / (2 * eps)
        np.testing.assert_allclose(conn[t], np.linalg.norm(jac, axis=(1, 2)), rtol=1e-6)
