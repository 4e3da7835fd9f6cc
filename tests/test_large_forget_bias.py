"""Notebook 03's large-forget-bias experiment: the stored runs (lstm_lab/data/large_forget_bias.json, written by
scripts/large_forget_bias.py) are what the current code computes, and the measurements of how much gradient
enters a full cell agree with lstm_backward."""

import numpy as np
import pytest

from lstm_lab import scenarios as S

RUNS = S.large_forget_bias_results()


def test_the_runs_were_made_with_the_current_settings():
    assert RUNS["settings"] == S.DELAY_SETTINGS
    assert set(RUNS["results"]) == {"3", "6", "10"}
    assert all(len(r) == len(RUNS["seeds"]) for r in RUNS["results"].values())


def test_one_run_reproduces():
    seed = RUNS["seeds"][1]
    stored = RUNS["results"]["10"][1]
    got = S.forget_bias_run(10.0, seed, delay=RUNS["delay"])
    assert (got["test_accuracy"], got["steps"]) == (stored["test_accuracy"], stored["steps"]), (
        f"b_f = 10, seed {seed}: the code gives {got}, the JSON {stored}: "
        "regenerate it with python scripts/large_forget_bias.py"
    )
    for key in ("b_f_mean", "f_mean", "c_max"):
        assert got[key] == pytest.approx(stored[key], rel=1e-9), key


@pytest.mark.parametrize("b_f", [0.0, 3.0, 8.0])
def test_the_entry_is_what_lstm_backward_gives_the_last_cell(b_f):
    entry = S.highway_cell_entry(b_f)
    assert entry["entry"] == pytest.approx(S.gradient_highway(b_f)["lstm_c_norm"][-1], rel=1e-12)
    assert 0 < entry["open_share"] <= 1


def test_the_highway_rnn_as_initialised_is_the_explorers_rnn():
    rnn = S.highway_rnn()
    np.testing.assert_array_equal(rnn["h_norm"], S.gradient_highway(3.0)["rnn_h_norm"])
    assert S.highway_rnn(rho=1.0)["rho"] == pytest.approx(1.0)
