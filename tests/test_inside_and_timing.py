"""Notebook 08's experiments: timings that hold on a shared machine (interleaved minima of processor time), and
how much of a delayed-recall LSTM's answer one unit carries (lstm_lab.scenarios), with their figures."""

import io

import numpy as np
import pytest

import lstm_core
from lstm_core.models import SequenceModel
from lstm_lab import figures
from lstm_lab import scenarios as S
from lstm_lab.timing import clock_tick, min_time


class FakeClock:
    """A clock that advances only when a timed function says so (and by 1 on every reading, its tick)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 1.0
        return self.now


def test_min_time_repeats_a_call_shorter_than_the_clock_can_time():
    clock, count = FakeClock(), [0]

    def quick():
        count[0] += 1
        clock.now += 2

    best = min_time({"quick": quick}, repeats=3, number=None, clock=clock)
    assert count[0] > 3 * 5  # several calls a timing, not one
    assert best["quick"] == pytest.approx(2.0, abs=0.5)  # reported per call


def test_clock_tick():
    assert clock_tick(FakeClock()) == 1.0


def test_a_clock_that_stands_still_is_named_not_waited_for_forever():
    # the browser's Python (Pyodide): time.process_time() returns 0.0 at every call; notebook 08 hung there
    with pytest.raises(ValueError, match="expected a clock that advances.*stayed at 0.0"):
        clock_tick(lambda: 0.0)
    with pytest.raises(ValueError, match="expected a clock that advances"):
        min_time([lambda: None], repeats=1, number=None, clock=lambda: 0.0)


def test_the_default_clock_is_processor_time_but_wall_time_in_the_browser(monkeypatch):
    import importlib
    import sys
    import time

    from lstm_lab import timing

    assert timing.DEFAULT_CLOCK is time.process_time
    monkeypatch.setattr(sys, "platform", "emscripten")
    try:
        assert importlib.reload(timing).DEFAULT_CLOCK is time.perf_counter
    finally:
        monkeypatch.undo()
        importlib.reload(timing)
    assert timing.DEFAULT_CLOCK is time.process_time


def test_time_against_length_times_the_forward_pass_and_the_input_share():
    p = lstm_core.LSTMParams.init(3, 4, seed=0)
    t = S.time_against_length(p, [5, 10, 20], batch_size=2, repeats=1)
    assert list(t["T"]) == [5, 10, 20]
    for key in ("forward", "input_share", "per_step"):
        assert t[key].shape == (3,) and np.all(t[key] > 0)
    np.testing.assert_allclose(t["per_step"], t["forward"] / t["T"])


def test_auc_is_the_chance_a_positive_scores_above_a_negative():
    score = np.array([[0.1], [0.2], [0.8], [0.9]])
    assert S._auc(score, np.array([False, False, True, True]))[0] == 1.0
    assert S._auc(score, np.array([True, True, False, False]))[0] == 0.0
    assert S._auc(np.ones((4, 1)), np.array([True, False, True, False]))[0] == 0.5  # ties count a half
    assert S._auc(score, np.array([True, False, True, False]))[0] == 0.25  # 0.8 > 0.2 only, of four pairs


@pytest.fixture(scope="module")
def trained():
    model, _, acc = S.delayed_recall_experiment("lstm", 5, seed=0)
    return model, acc, S.single_unit_decoding(model, 5, seed=0, sequences=400)


def test_single_unit_decoding_reads_each_unit_alone(trained):
    model, _, d = trained
    H = model.cell.hidden_size
    assert d["accuracy"].shape == (H,) and d["auc"].shape == (4, H) and d["means"].shape == (4, H)
    assert np.all((d["auc"] >= 0.5) & (d["auc"] <= 1.0))
    assert d["best_unit"] == int(np.argmax(d["accuracy"])) and d["chance"] == 0.25
    # a unit's answer is the symbol whose mean is nearest its h_{T-1}: recompute it for the best unit
    j = d["best_unit"]
    guess = np.argmin(np.abs(d["h_last"][:, j, None] - d["means"][None, :, j]), axis=1)
    assert np.mean(guess == d["symbols"]) == d["accuracy"][j]


def test_single_unit_decoding_uses_the_experiments_test_sequences(trained):
    model, _, _ = trained
    d = S.single_unit_decoding(model, 5, seed=0, sequences=1000)  # delayed_recall_experiment's 1000 sequences
    _, acc = lstm_core.train.evaluate(model, lstm_core.tasks.delayed_recall(1000, 5, seed=10_000))
    assert d["readout_accuracy"] == pytest.approx(acc, abs=1e-12)


def test_single_unit_decoding_names_a_model_that_is_not_an_lstm():
    with pytest.raises(ValueError, match="LSTM"):
        S.single_unit_decoding(SequenceModel("gru", 6, 4, 4, seed=0), 5)


def _png(snapshot):
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(snapshot.to_png())).convert("L"), dtype=float)
    assert img.shape[0] > 200 and img.shape[1] > 300 and img.std() > 10
    return snapshot.fig


def test_the_figures_draw_with_labelled_axes(trained):
    pytest.importorskip("PIL")
    _, _, d = trained
    fig = _png(figures.unit_decoding(d))
    bars, strip = fig.axes[:2]
    assert "unit $j$" in bars.get_xlabel() and f"unit {d['best_unit']}" in strip.get_xlabel()
    assert len(bars.patches) == len(d["accuracy"]) + 1  # a bar a unit, and the best one again, hatched
    timing = {"T": np.array([50, 100]), "forward": np.array([0.01, 0.02]), "input_share": np.array([1e-3, 2e-3])}
    fig = _png(figures.time_against_length(timing))
    ax = fig.axes[0]
    assert "$T$" in ax.get_xlabel() and "processor time" in ax.get_ylabel()
    assert any("proportional to $T$ (0.20 ms a step)" in t.get_text() for t in ax.get_legend().get_texts())
