"""The stored delay sweep (lstm_lab/data/delay_sweep.json, written by scripts/delay_sweep.py) is what the current
code computes: one cheap entry is re-run here, so a change to training cannot leave the JSON behind silently."""

import pytest

from lstm_lab.scenarios import DELAY_SETTINGS, delay_sweep_results, delayed_recall_experiment, sweep_reach

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


def test_sweep_reach_counts_only_delays_learned_without_a_gap():
    runs = {"5": [0.99, 1.0], "10": [0.97, 0.96], "20": [0.5, 0.99], "35": [1.0, 1.0]}
    sweep = {
        "delays": [5, 10, 20, 35],
        "results": {"m": {d: [{"test_accuracy": a} for a in accs] for d, accs in runs.items()}},
    }
    assert sweep_reach(sweep, "m") == (10, 0.96)  # 35 was learned too, but after the gap at 20
    assert sweep_reach(sweep, "m", learned=0.999)[0] == 0
