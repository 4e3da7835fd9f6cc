"""Notebook 07's input-gate experiment: scenarios.run_holding (a trained model with other parameters on chosen
steps), scenarios.nearest_mean_accuracy (how well states name a symbol) and figures.input_gate_on_recall."""

import copy
import io

import numpy as np
import pytest

import lstm_core
from lstm_core import tasks
from lstm_core.models import SequenceModel
from lstm_lab import figures
from lstm_lab import scenarios as S


def _hold(p, gate, value):
    getattr(p, "W_" + gate)[...] = 0.0
    setattr(p, "b_" + gate, np.log(value / (1 - value)))
    return p


@pytest.fixture(scope="module")
def model_and_batch():
    model = SequenceModel("lstm", 6, 5, 4, seed=3, forget_bias=3.0)
    return model, tasks.delayed_recall(40, 6, seed=2)


def test_run_holding_with_no_held_step_is_the_model(model_and_batch):
    model, batch = model_and_batch
    y, c = S.run_holding(model, batch.xs, copy.deepcopy(model.cell), steps=[])
    y_model, run = model.forward(batch.xs)
    assert np.allclose(y, y_model[-1], atol=1e-12) and np.allclose(c, run.c, atol=1e-12)
    assert c.shape == (batch.xs.shape[0], batch.xs.shape[1], 5)


def test_run_holding_on_every_step_is_the_held_model(model_and_batch):
    model, batch = model_and_batch
    held = _hold(copy.deepcopy(model.cell), "i", 0.3)
    y, c = S.run_holding(model, batch.xs, held, steps=range(batch.xs.shape[0]))
    m = copy.deepcopy(model)
    _hold(m.cell, "i", 0.3)
    y_held, run = m.forward(batch.xs)
    assert np.allclose(y, y_held[-1], atol=1e-12) and np.allclose(c, run.c, atol=1e-12)


def test_run_holding_uses_the_held_parameters_only_on_the_listed_steps(model_and_batch):
    model, batch = model_and_batch
    held = _hold(copy.deepcopy(model.cell), "i", 0.999)
    _, c = S.run_holding(model, batch.xs, held, steps=[2])
    run = lstm_core.lstm_forward(batch.xs, model.cell)
    assert np.allclose(c[:2], run.c[:2], atol=1e-12)  # before the held step: the trained cell
    assert not np.allclose(c[2], run.c[2])  # on it: the held gate writes more
    # after it, the trained parameters again: one step from the held C_2 and h_2 by hand
    h2 = lstm_core.lstm_forward(batch.xs[:3], model.cell).o[2] * np.tanh(c[2])
    _, c3, _ = lstm_core.lstm_step(batch.xs[3], h2, c[2], model.cell)
    assert np.allclose(c[3], c3, atol=1e-12)
    assert model.cell.W_i.any()  # the model's own parameters were not changed


def test_run_holding_names_bad_arguments(model_and_batch):
    model, batch = model_and_batch
    with pytest.raises(ValueError, match="held"):
        S.run_holding(model, batch.xs, lstm_core.LSTMParams.init(6, 3), steps=[0])
    with pytest.raises(ValueError, match="steps"):
        S.run_holding(model, batch.xs, model.cell, steps=[batch.xs.shape[0]])
    with pytest.raises(ValueError, match="xs"):
        S.run_holding(model, batch.xs[..., :3], model.cell)
    with pytest.raises(ValueError, match="model"):
        S.run_holding(SequenceModel("rnn", 6, 5, 4, seed=0), batch.xs, model.cell)


def test_nearest_mean_accuracy_on_planted_units():
    rng = np.random.default_rng(0)
    symbols = rng.integers(0, 4, 2000)
    fit, test = symbols[:1000], symbols[1000:]

    def states(s):
        exact = s.astype(float)  # unit 0 is the symbol itself
        noisy = s + rng.normal(0, 0.3, s.shape)  # unit 1: the symbol with noise
        blind = rng.normal(0, 1, s.shape)  # unit 2 knows nothing
        return np.stack([exact, noisy, blind], axis=1)

    acc = S.nearest_mean_accuracy(states(fit), fit, states(test), test)
    assert acc[0] == 1.0 and 0.8 < acc[1] < 1.0 and abs(acc[2] - 0.25) < 0.06
    together = S.nearest_mean_accuracy(states(fit), fit, states(test), test, per_unit=False)
    assert isinstance(together, float) and together > 0.9
    with pytest.raises(ValueError, match="fit_symbols"):
        S.nearest_mean_accuracy(states(fit)[fit < 3], fit[fit < 3], states(test), test)
    with pytest.raises(ValueError, match="fit, test"):
        S.nearest_mean_accuracy(states(fit), fit, states(test)[:, :2], test)


def test_the_input_gate_figure_draws():
    PIL = pytest.importorskip("PIL.Image")
    memory = {"trained": np.linspace(1, 0.9, 21), "held": np.linspace(1, 0.7, 21)}
    png = figures.input_gate_on_recall(
        np.array([3, 7, 9]), np.array([0.6, 0.4, 0.5]), np.array([0.5, 0.5, 0.45]), memory
    ).to_png()
    img = np.asarray(PIL.open(io.BytesIO(png)).convert("L"), dtype=float)
    assert img.shape[0] > 300 and img.shape[1] > 600 and img.std() > 10
