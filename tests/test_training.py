"""Tasks, losses, the read-out layer, clipping, optimisers and the training loop."""

import functools
import io

import numpy as np
import pytest
from helpers import norm_rel

import lstm_core
from lstm_core import tasks
from lstm_core.losses import mean_squared_error, softmax_cross_entropy
from lstm_core.models import SequenceModel
from lstm_core.optim import SGD, Adam, clip_by_global_norm, global_norm
from lstm_core.train import TrainingDiverged, evaluate, train


def test_softmax_cross_entropy_gradient_and_value():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 4, 5))
    targets = rng.integers(0, 5, (3, 4))
    mask = (rng.random((3, 4)) < 0.6).astype(float)
    mask[0, 0] = 1
    loss, dlogits, acc = softmax_cross_entropy(logits, targets, mask)
    num = lstm_core.numerical_gradient(lambda: softmax_cross_entropy(logits, targets, mask)[0], logits)
    assert lstm_core.rel_error(dlogits, num) < 1e-7
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected = -(np.log(np.take_along_axis(p, targets[..., None], -1)[..., 0]) * mask).sum() / mask.sum()
    assert loss == pytest.approx(expected, rel=1e-12)
    assert acc == pytest.approx(((logits.argmax(-1) == targets) * mask).sum() / mask.sum())
    # huge logits: no overflow
    with np.errstate(over="raise", invalid="raise"):
        loss, _, _ = softmax_cross_entropy(logits * 1e4, targets, mask)
    assert np.isfinite(loss)


def test_mean_squared_error_gradient():
    rng = np.random.default_rng(1)
    pred, target = rng.normal(size=(4, 3, 2)), rng.normal(size=(4, 3, 2))
    mask = np.zeros((4, 3))
    mask[-1] = 1
    _, dpred = mean_squared_error(pred, target, mask)
    num = lstm_core.numerical_gradient(lambda: mean_squared_error(pred, target, mask)[0], pred)
    assert lstm_core.rel_error(dpred, num) < 1e-7


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_model_gradients_match_finite_differences(kind):
    batch = tasks.delayed_recall(3, 4, seed=0)
    m = SequenceModel(kind, 6, 5, 4, seed=0)

    def L():
        return softmax_cross_entropy(m.forward(batch.xs)[0], batch.targets, batch.mask)[0]

    y, run = m.forward(batch.xs)
    _, dy, _ = softmax_cross_entropy(y, batch.targets, batch.mask)
    grads, _ = m.backward(dy, run)
    for name, arr in m.params.items():
        assert norm_rel(grads[name], lstm_core.numerical_gradient(L, arr)) < 1e-7, name


def test_clipping_and_optimisers():
    g = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    clipped, norm = clip_by_global_norm(g, 1.0)
    assert norm == pytest.approx(5.0) and global_norm(clipped) == pytest.approx(1.0)
    assert clip_by_global_norm(g, None)[0] is g
    # both optimisers minimise a quadratic
    for opt in (SGD(lr=0.1), SGD(lr=0.05, momentum=0.9), Adam(lr=0.1)):
        p = {"x": np.array([3.0, -2.0])}
        for _ in range(300):
            opt.step(p, {"x": 2 * p["x"]})
        assert np.abs(p["x"]).max() < 1e-2, type(opt).__name__
    with pytest.raises(ValueError, match="lr"):
        Adam(lr=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_in_place_gives_the_textbook_update_to_the_bit(dtype):
    rng = np.random.default_rng(4)
    params = {"W": rng.normal(size=(6, 5)).astype(dtype), "b": rng.normal(size=3).astype(dtype)}
    want = {k: a.copy() for k, a in params.items()}
    m, v = {k: 0.0 for k in want}, {k: 0.0 for k in want}
    opt, lr, b1, b2, eps = Adam(lr=3e-3), 3e-3, 0.9, 0.999, 1e-8
    for t in range(1, 41):
        grads = {k: rng.normal(size=a.shape).astype(dtype) for k, a in want.items()}
        opt.step(params, grads)
        for k, g in grads.items():  # the update as the paper writes it, with new arrays
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            want[k] -= lr * (m[k] / (1 - b1**t)) / (np.sqrt(v[k] / (1 - b2**t)) + eps)
        for k in want:
            np.testing.assert_array_equal(params[k], want[k], err_msg=f"{k} at step {t}")
            assert params[k].dtype == dtype


def test_tasks_are_seeded_and_well_formed():
    a, b = tasks.delayed_recall(8, 10, seed=3), tasks.delayed_recall(8, 10, seed=3)
    np.testing.assert_array_equal(a.xs, b.xs)
    assert a.xs.shape == (12, 8, 6) and a.mask[:-1].sum() == 0 and a.mask[-1].all()
    np.testing.assert_array_equal(a.xs[:-1, :, :4].sum(-1), 1.0)  # one symbol per step
    np.testing.assert_array_equal(a.xs[0, :, :4].argmax(-1), a.targets[-1])  # the target is step 0's symbol
    add = tasks.adding_problem(5, 20, seed=0)
    np.testing.assert_array_equal(add.xs[:, :, 1].sum(0), 2.0)
    marked = (add.xs[:, :, 0] * add.xs[:, :, 1]).sum(0)
    np.testing.assert_allclose(add.targets[-1, :, 0], marked)
    br = tasks.brackets(4, 30, max_depth=3, seed=0)
    depth = np.cumsum(br.xs[:, :, 0] - br.xs[:, :, 1], axis=0)
    np.testing.assert_array_equal(depth, br.targets)
    assert br.targets.min() >= 0 and br.targets.max() <= 3
    with pytest.raises(ValueError, match="delay"):
        tasks.delayed_recall(4, -1)


def test_training_is_reproducible_reports_progress_and_stops_early():
    task = functools.partial(tasks.delayed_recall, delay=5)
    out = io.StringIO()
    runs = []
    for _ in range(2):
        m = SequenceModel("lstm", 6, 16, 4, seed=0, forget_bias=3.0)
        runs.append((m, train(m, task, steps=300, lr=0.01, target_accuracy=0.99, seed=0, stream=out)))
    (m1, h1), (m2, h2) = runs
    assert h1.loss == h2.loss and np.array_equal(m1.params["W"], m2.params["W"])
    assert "reached accuracy" in h1.stopped and h1.steps < 300
    assert evaluate(m1, tasks.delayed_recall(500, 5, seed=99))[1] > 0.95
    assert set(h1.grad_norm) == {"W", "b", "W_y", "b_y"} and len(h1.grad_norm["W"]) == h1.steps
    assert "\r[" in out.getvalue() and "acc" in out.getvalue()


def test_a_validation_batch_must_confirm_the_target_before_training_stops():
    task = functools.partial(tasks.delayed_recall, delay=5)
    held_out = tasks.delayed_recall(200, 5, seed=7)
    scrambled = tasks.delayed_recall(200, 5, seed=7)
    scrambled.targets[-1] = (scrambled.targets[-1] + 1) % 4  # every answer wrong: the target is never confirmed
    runs = {}
    for name, val in (("none", None), ("held out", held_out), ("scrambled", scrambled)):
        m = SequenceModel("lstm", 6, 16, 4, seed=0, forget_bias=3.0)
        runs[name] = train(m, task, steps=150, lr=0.01, target_accuracy=0.99, validation=val, seed=0, progress=False)
    assert "reached accuracy" in runs["none"].stopped and np.isnan(runs["none"].validation_accuracy)
    assert "validation" in runs["held out"].stopped and runs["held out"].validation_accuracy >= 0.99
    assert runs["held out"].steps >= runs["none"].steps
    assert runs["scrambled"].steps == 150 and runs["scrambled"].validation_accuracy < 0.1, runs["scrambled"].stopped
    m = SequenceModel("lstm", 6, 4, 4, seed=0)
    with pytest.raises(ValueError, match="validation: expected a classification Batch"):
        train(m, task, steps=5, validation=held_out, progress=False)  # no target_accuracy to confirm


def test_divergence_stops_with_a_clear_message():
    m = SequenceModel("rnn", 6, 8, 4, seed=0)
    m.params["W_y"][:] = np.nan  # as a diverged run would leave it
    with pytest.raises(TrainingDiverged, match="lower learning rate"):
        train(m, functools.partial(tasks.delayed_recall, delay=3), steps=5, progress=False)
    huge = SequenceModel("rnn", 6, 8, 4, seed=0)
    with pytest.raises(TrainingDiverged, match="training diverged at step"):  # an absurd step overflows at once
        train(
            huge,
            functools.partial(tasks.delayed_recall, delay=3),
            steps=5,
            optimizer="sgd",
            lr=1e308,
            clip=None,
            progress=False,
        )


def test_training_arguments_are_checked():
    m = SequenceModel("lstm", 6, 4, 4, seed=0)
    with pytest.raises(ValueError, match="optimizer"):
        train(m, functools.partial(tasks.delayed_recall, delay=3), steps=5, optimizer="rmsprop")
    with pytest.raises(ValueError, match="kind"):
        SequenceModel("gru2", 6, 4, 4)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_carried_state_continues_the_sequence(kind):
    # two halves run with the state carried across equal one run over the whole sequence
    xs = np.random.default_rng(0).normal(size=(10, 3, 6))
    m = SequenceModel(kind, 6, 5, 4, seed=1)
    whole, _ = m.forward(xs)
    first, run = m.forward(xs[:4])
    second, _ = m.forward(xs[4:], state=m.final_state(run))
    np.testing.assert_allclose(np.concatenate([first, second]), whole, rtol=1e-12, atol=1e-14)


def test_lstm_learns_delay_50_while_the_rnn_stays_near_chance():
    # notebook 05's experiment, same settings and seeds (scenarios.DELAY_SETTINGS)
    from lstm_lab.scenarios import delayed_recall_experiment

    _, hist, lstm_acc = delayed_recall_experiment("lstm", 50, forget_bias=3.0, seed=0)
    _, _, rnn_acc = delayed_recall_experiment("rnn", 50, seed=0)
    assert lstm_acc >= 0.95, (lstm_acc, hist.stopped)
    assert rnn_acc < 0.35, rnn_acc  # chance is 0.25


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_notebook_05s_setting_learns_delay_50_on_other_seeds_too(seed):
    # a setting that learns on seed 0 only by luck fails on a CPU that rounds differently (the comment above
    # scenarios.DELAY_SETTINGS has the measurements): it must learn on neighbouring seeds too
    from lstm_lab.scenarios import delayed_recall_experiment

    _, hist, acc = delayed_recall_experiment("lstm", 50, forget_bias=3.0, seed=seed)
    assert acc >= 0.95, (acc, hist.stopped)


class StepClock:
    """A clock that moves one second each time the task draws a batch (once a training step), and not otherwise."""

    def __init__(self, task):
        self.now, self.task = 0.0, task

    def perf_counter(self):
        return self.now

    def draw(self, *args, **kwargs):
        self.now += 1.0
        return self.task(*args, **kwargs)


def test_a_time_budget_stops_after_the_step_that_reaches_it(monkeypatch):
    import lstm_core.train

    task = functools.partial(tasks.delayed_recall, delay=5)
    clock = StepClock(task)
    monkeypatch.setattr(lstm_core.train, "time", clock)
    out = io.StringIO()
    m = SequenceModel("lstm", 6, 16, 4, seed=0)
    h = train(m, clock.draw, steps=50, lr=0.01, seed=0, stream=out, time_budget=2.5)
    assert h.steps == 3 and h.out_of_time and h.stopped == "stopped by the time budget (2.5 s) after step 3 of 50"
    assert "time budget" in out.getvalue().splitlines()[-1]
    monkeypatch.undo()
    plain = SequenceModel("lstm", 6, 16, 4, seed=0)
    h3 = train(plain, task, steps=3, lr=0.01, seed=0, progress=False)  # the same three steps, to the bit
    assert h.loss == h3.loss and all(np.array_equal(m.params[k], plain.params[k]) for k in m.params)


def test_a_time_budget_that_is_not_reached_changes_nothing(monkeypatch):
    import lstm_core.train

    task = functools.partial(tasks.delayed_recall, delay=5)
    runs = {}
    for budget in (None, 1e9, 7.0):  # 7 s on the step clock: it runs out during the last of 7 steps
        clock = StepClock(task)
        monkeypatch.setattr(lstm_core.train, "time", clock)
        m = SequenceModel("lstm", 6, 16, 4, seed=0)
        runs[budget] = m, train(m, clock.draw, steps=7, lr=0.01, seed=0, progress=False, time_budget=budget)
    (m0, h0), *others = runs.values()
    for m, h in others:
        assert not h.out_of_time and h.stopped == "ran all 7 steps" and h.loss == h0.loss
        assert all(np.array_equal(m.params[k], m0.params[k]) for k in m0.params)


@pytest.mark.parametrize("bad", [0, -1.0, "30", True, float("inf"), float("nan")])
def test_a_bad_time_budget_is_named(bad):
    m = SequenceModel("lstm", 6, 4, 4, seed=0)
    with pytest.raises(ValueError, match="time_budget: expected a positive number of seconds or None"):
        train(m, functools.partial(tasks.delayed_recall, delay=3), steps=5, progress=False, time_budget=bad)
