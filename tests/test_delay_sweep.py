"""The stored delay sweep (lstm_lab/data/delay_sweep.json, written by scripts/delay_sweep.py) is what the current
code computes: one cheap entry is re-run here, so a change to training cannot leave the JSON behind silently."""

import pytest

from lstm_lab.scenarios import DELAY_SETTINGS, delay_sweep_results, delayed_recall_experiment

SWEEP = delay_sweep_results()


def test_the_sweep_was_made_with_the_current_settings():
    assert SWEEP["settings"] == DELAY_SETTINGS
    assert set(SWEEP["results"]) == {"LSTM, b_f = 3", "LSTM, b_f = 1", "vanilla RNN"}
    for runs in SWEEP["results"].values():
        assert sorted(int(d) for d in runs) == SWEEP["delays"]
        assert all(len(r) == len(SWEEP["seeds"]) for r in runs.values())


@pytest.mark.parametrize(
    "name,kind,forget_bias,delay", [("LSTM, b_f = 3", "lstm", 3.0, 5), ("vanilla RNN", "rnn", 1.0, 5)]
)
def test_one_entry_of_the_sweep_reproduces(name, kind, forget_bias, delay):
    seed = SWEEP["seeds"][0]
    stored = SWEEP["results"][name][str(delay)][0]
    _, hist, acc = delayed_recall_experiment(kind, delay, forget_bias=forget_bias, seed=seed)
    assert (acc, hist.steps) == (stored["test_accuracy"], stored["steps"]), (
        f"{name} at delay {delay}, seed {seed}: the code gives accuracy {acc} after {hist.steps} steps, the JSON "
        f"{stored['test_accuracy']} after {stored['steps']}: regenerate it with python scripts/delay_sweep.py"
    )
