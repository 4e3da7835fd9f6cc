"""The experiments behind the explorers: their numbers come from lstm_core and say what the lessons claim."""

import numpy as np
import pytest

import lstm_core
from lstm_lab import scenarios as S


def test_memory_length_of_an_exact_exponential_is_its_time_constant():
    k = np.arange(200)[::-1]
    for tau in (0.7, 3.0, 20.0, 55.5):
        assert S.memory_length(np.exp(-k / tau)) == pytest.approx(tau, rel=1e-12)
    assert S.memory_length(np.ones(50)) == float("inf")
    assert S.predicted_memory_length(np.exp(-1 / 20)) == pytest.approx(20.0)
    assert S.predicted_memory_length(1.0) == float("inf")


@pytest.mark.parametrize("rho", [0.5, 0.8, 0.95])
def test_rnn_gradient_decays_by_exactly_rho_per_step_when_contracting(rho):
    # small inputs keep tanh near its linear part, and W_h's singular values all equal rho
    r = S.rnn_memory(rho, 100)
    assert r["per_step"] == pytest.approx(rho, rel=0.01)


def test_rnn_gradient_grows_above_one_but_slower_than_rho():
    r = S.rnn_memory(2.0, 200)
    assert 1.05 < r["per_step"] < 1.5  # tanh's saturation tames the growth
    assert r["h_norm"][0] > 1e6


@pytest.mark.parametrize("b_f", [0.0, 1.0, 2.0, 3.0, 4.0])
def test_highway_memory_matches_minus_one_over_ln_f(b_f):
    d = S.gradient_highway(b_f)
    assert d["f"] == pytest.approx(float(lstm_core.sigmoid(b_f)), rel=1e-12)  # the forget gate is constant
    assert d["measured"] == pytest.approx(d["predicted"], rel=0.25)
    if b_f >= 2:  # a forget gate near 1 outlasts the RNN by far
        assert d["measured"] > 3 * d["rnn_measured"]


def test_highway_norms_are_lstm_backward_norms():
    d = S.gradient_highway(2.0, T=50)
    rng = np.random.default_rng(0)
    xs = rng.normal(0.0, 1.0, size=(50, 1, 1))
    dh = np.zeros((50, 1, 8))
    dh[-1] = rng.normal(size=(1, 8))
    dh[-1] /= np.linalg.norm(dh[-1])
    p = lstm_core.LSTMParams.init(1, 8, seed=0)
    p.W *= 0.5
    p.W_f[:] = 0.0
    p.b_f = 2.0
    g = lstm_core.lstm_backward(dh, lstm_core.lstm_forward(xs, p))
    np.testing.assert_allclose(d["lstm_c_norm"], g.c_norm, rtol=1e-13)


def test_relu_runs_away_where_tanh_stays_bounded():
    t, r = S.squash_comparison("tanh", 1.0), S.squash_comparison("relu", 1.0)
    f = float(lstm_core.sigmoid(3.0))
    assert t["c_max"].max() <= 1 / (1 - f)  # |C_t| <= max|C~| / (1 - f) with |C~| <= 1
    assert t["h_max"].max() < 1
    assert r["c_max"][-1] > 1e15 and r["c_norm"][0] > 1e15
    huge = S.squash_comparison("relu", 2.0, T=2000)
    assert huge["overflow_step"] is not None  # reported, never a crash


def test_hand_wired_cell_gates_do_their_jobs():
    p, xs, run = S.hand_wired_cell(b_f=2.0, b_i=-3.0, b_c=0.0, b_o=1.0, pattern="pulse")
    np.testing.assert_allclose(run.f, lstm_core.sigmoid(2.0))
    assert run.i[5, 0, 0] > 0.9 and run.i[4, 0, 0] < 0.1  # the input gate opens on the pulse only
    # after the pulse, the cell only decays by f each step: C_t = f^k C_5
    np.testing.assert_allclose(
        run.c[6:, 0, 0], run.c[5, 0, 0] * lstm_core.sigmoid(2.0) ** np.arange(1, 55) + 0, rtol=1e-2
    )


def test_patterns_and_bad_names():
    for name in S.PATTERNS:
        assert S.input_pattern(name, 30).shape == (30, 1, 1)
    with pytest.raises(ValueError, match="pattern"):
        S.input_pattern("sine", 30)


def test_the_delay_experiment_shows_its_progress_and_takes_a_time_budget(capsys):
    _, hist, _ = S.delayed_recall_experiment("lstm", 5, seed=0, time_budget=1e-9)  # runs out during step 1
    shown = capsys.readouterr().out
    assert hist.steps == 1 and hist.out_of_time and "\r[" in shown and "time budget" in shown
    S.delayed_recall_experiment("lstm", 5, seed=0, steps=2, progress=False)
    assert capsys.readouterr().out == ""
