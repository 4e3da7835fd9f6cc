"""Training loop: reproducible from a seed, with a text progress bar, a record of every step, early
stopping at a target accuracy, and no hidden divergence (NaN or inf stops training with a clear error)."""

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ._validate import check_time_budget
from .losses import mean_squared_error, softmax_cross_entropy
from .optim import SGD, Adam, clip_by_global_norm


class TrainingDiverged(ValueError):
    """The loss or a gradient became NaN or inf."""


@dataclass
class History:
    """What happened at every training step."""

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)  # NaN for a regression task
    grad_norm: dict = field(default_factory=dict)  # name -> list of ||dL/dparam|| before clipping
    global_norm: list = field(default_factory=list)  # before clipping
    seconds: float = 0.0
    stopped: str = ""  # why training ended
    validation_accuracy: float = float("nan")  # the last accuracy measured on the validation batch, if any
    out_of_time: bool = False  # stopped by the time budget before its last step

    @property
    def steps(self):
        return len(self.loss)


class Progress:
    """A one-line text progress bar, redrawn in place (\\r) at most ten times a second: the training loops' (train,
    charlm.train_charlm), each writing its own text after the bar."""

    def __init__(self, total, enabled, stream=None):
        self.total, self.enabled, self.stream = total, enabled, stream or sys.stdout
        self.last = 0.0

    def show(self, step, text, final=False):
        if not self.enabled or (not final and time.perf_counter() - self.last < 0.1):
            return
        self.last = time.perf_counter()
        filled = int(20 * step / self.total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (20 - filled)}] {step:>5}/{self.total} {text}")
        if final:
            self.stream.write("\n")
        self.stream.flush()


def evaluate(model, batch):
    """Loss and accuracy (NaN for regression) of ``model`` on one batch, without training."""
    y, _ = model.forward(batch.xs)
    if batch.n_classes:
        loss, _, acc = softmax_cross_entropy(y, batch.targets, batch.mask)
        return loss, acc
    loss, _ = mean_squared_error(y, batch.targets, batch.mask)
    return loss, float("nan")


def train(
    model,
    task,
    *,
    steps=500,
    batch_size=32,
    lr=1e-2,
    optimizer="adam",
    clip=1.0,
    target_accuracy=None,
    window=10,
    validation=None,
    seed=0,
    progress=True,
    stream=None,
    time_budget=None,
):
    """Train ``model`` (a SequenceModel) on batches from ``task(batch_size, seed=rng)``.

    Inputs:
        task: a function like tasks.delayed_recall with its other arguments bound (functools.partial)
        steps: the most optimisation steps; batch_size: sequences per step
        lr, optimizer ("adam" or "sgd"), clip: largest global gradient norm (None: no clipping)
        target_accuracy: stop once the mean accuracy of the last ``window`` batches reaches it
        validation: a held-out Batch (classification). When given, training stops only once the model,
            as it stands after the update, also reaches ``target_accuracy`` on it: an accuracy averaged over
            earlier batches and parameters can be met just as an update sets the model back
        seed: the batches are drawn from np.random.default_rng(seed), so a run is reproducible
        progress: print a text progress bar (to ``stream``, default stdout)
        time_budget: seconds of wall-clock time (None: no limit). Training stops after the step during which
            the budget ran out; ``history.out_of_time`` is then True and ``history.stopped`` says so. Each step
            is computed as without a budget (the same bits): only how many steps run depends on the machine
    Returns:
        History. Raises TrainingDiverged if the loss or a gradient stops being finite.
    """
    opt = _checked_optimizer(steps, validation, target_accuracy, time_budget, optimizer, lr)
    rng = np.random.default_rng(seed)
    hist = History(grad_norm={k: [] for k in model.params})
    bar = Progress(steps, progress, stream)
    t0 = time.perf_counter()
    hist.stopped = f"ran all {steps} steps"
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is caught in _step, with a clear message
        for step in range(1, steps + 1):
            try:
                loss, acc = _step(model, task(batch_size, seed=rng), opt, clip, hist)
            except TrainingDiverged as e:
                bar.show(step, "diverged", final=True)
                raise TrainingDiverged(
                    f"training diverged at step {step}: {e}. "
                    f"Try a lower learning rate (lr={lr}) or gradient clipping (clip={clip})."
                ) from None
            recent = float(np.mean(hist.accuracy[-window:]))
            bar.show(step, f"loss {loss:.4f}" + ("" if np.isnan(acc) else f"  acc {recent:.3f}"))
            if target_accuracy is not None and len(hist.accuracy) >= window and recent >= target_accuracy:
                if _target_confirmed(model, validation, target_accuracy, recent, step, hist):
                    break
            if time_budget is not None and step < steps and time.perf_counter() - t0 >= time_budget:
                hist.out_of_time = True
                hist.stopped = f"stopped by the time budget ({time_budget:g} s) after step {step} of {steps}"
                break
    hist.seconds = time.perf_counter() - t0
    last_acc = "" if np.isnan(hist.accuracy[-1]) else f"  acc {np.mean(hist.accuracy[-window:]):.3f}"
    bar.show(hist.steps, f"loss {hist.loss[-1]:.4f}{last_acc}  ({hist.stopped}, {hist.seconds:.1f} s)", final=True)
    return hist


def _checked_optimizer(steps, validation, target_accuracy, time_budget, optimizer, lr):
    """train's arguments checked (a ValueError names a bad one); returns the optimizer."""
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps: expected a positive integer, got {steps!r}")
    if validation is not None and (target_accuracy is None or not getattr(validation, "n_classes", 0)):
        raise ValueError(
            "validation: expected a classification Batch (from a task like tasks.delayed_recall) together with "
            f"target_accuracy, got {type(validation).__name__} with target_accuracy={target_accuracy!r}"
        )
    check_time_budget(time_budget)
    opt = {"adam": Adam, "sgd": SGD}.get(optimizer)
    if opt is None:
        raise ValueError(f"optimizer: expected 'adam' or 'sgd', got {optimizer!r}")
    return opt(lr=lr)


def _step(model, batch, opt, clip, hist):
    """One training step on ``batch``: forward, loss, backward, clipping, update, each recorded in ``hist``.
    Raises TrainingDiverged, saying what, when the loss, the gradient or the parameters stop being finite.
    Returns the loss and the accuracy (NaN for regression)."""
    y, run = model.forward(batch.xs)
    if batch.n_classes:
        loss, dy, acc = softmax_cross_entropy(y, batch.targets, batch.mask)
    else:
        (loss, dy), acc = mean_squared_error(y, batch.targets, batch.mask), float("nan")
    hist.loss.append(loss)
    hist.accuracy.append(acc)
    if not np.isfinite(loss):
        raise TrainingDiverged(f"the loss is {loss}")
    grads, _ = model.backward(dy, run)
    for k, g in grads.items():
        hist.grad_norm[k].append(float(np.linalg.norm(g)))
    grads, norm = clip_by_global_norm(grads, clip)
    hist.global_norm.append(norm)
    if not np.isfinite(norm):
        raise TrainingDiverged(f"the gradient norm is {norm}")
    opt.step(model.params, grads)
    bad = [k for k, v in model.params.items() if not np.isfinite(v).all()]
    if bad:
        raise TrainingDiverged(f"parameters {bad} contain NaN or inf after the update")
    return loss, acc


def _target_confirmed(model, validation, target_accuracy, recent, step, hist):
    """The training batches' recent accuracy has reached the target: True (and ``hist.stopped`` says why) when
    there is no validation batch, or when the model as it stands reaches the target on it too."""
    if validation is None:
        hist.stopped = f"reached accuracy {recent:.3f} >= {target_accuracy} at step {step}"
        return True
    hist.validation_accuracy = evaluate(model, validation)[1]
    if hist.validation_accuracy >= target_accuracy:
        hist.stopped = (
            f"reached accuracy {recent:.3f}, validation {hist.validation_accuracy:.3f}"
            f" >= {target_accuracy} at step {step}"
        )
        return True
    return False
