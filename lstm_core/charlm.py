"""A character-level language model: read a text one character at a time and predict the next one.

    x_t = one_hot(char_t)                      the input: the character at step t (V entries, one of them 1)
    h_t = cell(x_t, state_{t-1})               an LSTM, a GRU or a vanilla RNN (SequenceModel)
    y_t = W_y h_t + b_y                        logits over the V characters
    p(char_{t+1} | chars up to t) = softmax(y_t)
    loss = mean over t of -ln p(the true next character)       in nats; / ln 2 for bits per character

Training uses truncated backpropagation through time (TBPTT): the text is cut into B parallel streams,
each read in consecutive chunks of T characters. The state at the end of a chunk is where the next chunk
starts (the memory is carried on), but the gradient stops at the chunk's border: each chunk's backward
pass starts from zero at its last step and is never sent into the previous chunk.
"""

import json
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ._validate import check_choice, check_time_budget
from .cells import CELLS
from .losses import softmax_cross_entropy
from .models import SequenceModel
from .optim import Adam, clip_by_global_norm
from .train import Progress, TrainingDiverged


class Vocab:
    """The characters a model knows, in a fixed order: ``encode`` text to ids, ``decode`` ids to text."""

    def __init__(self, chars):
        chars = "".join(chars)
        if not chars or len(set(chars)) != len(chars):
            raise ValueError(f"chars: expected distinct characters, got {len(chars)} with {len(set(chars))} distinct")
        self.chars = chars
        self._index = {c: k for k, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text):
        """Every character that occurs in ``text``, sorted."""
        return cls(sorted(set(text)))

    @property
    def size(self):
        return len(self.chars)

    def encode(self, text, *, what="text"):
        """Ids of the characters of ``text``, as numpy's index type ``np.intp`` (int64 on a 64-bit machine, int32 in
        the browser's 32-bit Python, where np.bincount and friends refuse int64); a ValueError names any unknown."""
        unknown = sorted(set(text) - set(self._index))
        if unknown:
            raise ValueError(
                f"{what}: {len(unknown)} character(s) the model never saw: {', '.join(repr(c) for c in unknown[:10])}"
                f"{' ...' if len(unknown) > 10 else ''} (its vocabulary has {self.size} characters)"
            )
        return np.fromiter((self._index[c] for c in text), dtype=np.intp, count=len(text))

    def decode(self, ids):
        return "".join(self.chars[int(k)] for k in np.ravel(ids))

    def __eq__(self, other):
        return isinstance(other, Vocab) and other.chars == self.chars

    def __repr__(self):
        return f"Vocab({self.size} characters)"


def one_hot(ids, size, dtype=np.float64):
    """ids (T, B) -> (T, B, size), a 1 at each id."""
    out = np.zeros((*ids.shape, size), dtype)
    np.put_along_axis(out, ids[..., None], 1.0, axis=-1)
    return out


class CharLM:
    """A character-level language model: ``kind`` one of lstm_core.CELLS ("lstm", "gru", ...) with ``hidden_size``
    units.

    ``model`` is the SequenceModel (input and output size = the vocabulary's); ``params`` its arrays.
    """

    def __init__(self, kind, vocab, hidden_size, *, seed=0, dtype=np.float32, forget_bias=1.0):
        check_choice("kind", kind, CELLS)
        if not isinstance(vocab, Vocab):
            raise ValueError(f"vocab: expected a Vocab, got {type(vocab).__name__}")
        self.kind, self.vocab, self.hidden_size = kind, vocab, int(hidden_size)
        V = vocab.size
        self.model = SequenceModel(kind, V, hidden_size, V, seed=seed, dtype=dtype, forget_bias=forget_bias)

    @property
    def params(self):
        return self.model.params

    @property
    def dtype(self):
        return self.model.W_y.dtype

    def n_parameters(self):
        return self.model.n_parameters()

    def forward(self, ids, state=None):
        """ids (T, B) -> logits (T, B, V) and the run (for backward, looking inside and final_state)."""
        return self.model.forward(one_hot(ids, self.vocab.size, self.dtype), state=state)

    def chunk_loss_and_grads(self, x_ids, y_ids, state=None):
        """One TBPTT chunk: mean loss (nats), gradients of every parameter, and the state to carry on.

        x_ids, y_ids: (T, B), y_ids[t] the character after x_ids[t]. The gradient stops at the chunk's start:
        whatever reaches the initial state is dropped, and the returned state is a copy, with no gradient.
        """
        logits, run = self.forward(x_ids, state)
        loss, dlogits, _ = softmax_cross_entropy(logits, y_ids, np.ones(y_ids.shape))
        if not np.isfinite(loss):  # no gradient to compute: say so before the backward pass meets the NaN
            raise TrainingDiverged(f"the loss is {loss}: the parameters or the state hold NaN or inf, or overflowed")
        grads, _ = self.model.backward(dlogits, run)
        return loss, grads, self.model.final_state(run)

    def next_char_probabilities(self, text, state=None):
        """After each character of ``text``: the probabilities of the next one, (len(text), V), and the state."""
        ids = self.vocab.encode(text, what="text")[:, None]
        logits, run = self.forward(ids, state)
        return softmax(logits[:, 0].astype(np.float64)), self.model.final_state(run)

    # -- saving and loading -------------------------------------------------------------------------------
    def save(self, path, **info):
        """The parameters (in the model's dtype), the vocabulary, the kind and any ``info`` (JSON), as .npz."""
        meta = {"kind": self.kind, "hidden_size": self.hidden_size, "vocab": self.vocab.chars, **info}
        np.savez(path, __meta__=np.array(json.dumps(meta)), **self.params)

    @classmethod
    def load(cls, path, vocab=None):
        """A CharLM from ``save``. ``vocab``: the vocabulary it must have (a mismatch is a clear error)."""
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["__meta__"]))
            arrays = {k: f[k] for k in f.files if k != "__meta__"}
        got = Vocab(meta["vocab"])
        if vocab is not None and got != vocab:
            missing = sorted(set(vocab.chars) - set(got.chars))
            raise ValueError(
                f"{path}: the checkpoint's vocabulary ({got.size} characters) is not the one given ({vocab.size})"
                + (f"; it lacks {missing[:10]}" if missing else "; the same characters in another order")
            )
        dtype = arrays["W_y"].dtype
        lm = cls(meta["kind"], got, meta["hidden_size"], dtype=dtype)
        for name, want in lm.params.items():
            if name not in arrays:
                raise ValueError(f"{path}: the checkpoint has no array {name!r} for a {meta['kind']} model")
            if arrays[name].shape != want.shape:
                raise ValueError(
                    f"{path}: {name} has shape {arrays[name].shape}, expected {want.shape} for a {meta['kind']} with "
                    f"hidden_size {meta['hidden_size']} and {got.size} characters"
                )
            want[...] = arrays[name]
        lm.info = {k: v for k, v in meta.items() if k not in ("kind", "hidden_size", "vocab")}
        return lm


def softmax(logits, temperature=1.0):
    """softmax(logits / temperature) over the last axis."""
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sample(lm, prime, n, *, temperature=1.0, seed=0):
    """``n`` characters generated after the priming text ``prime``, one at a time from the model's own
    probabilities softmax(y_t / temperature). Low temperatures sharpen the distribution (towards always
    the most likely character), high ones flatten it. The same seed gives the same text."""
    if not (isinstance(temperature, int | float) and temperature > 0 and math.isfinite(temperature)):
        raise ValueError(f"temperature: expected a positive number, got {temperature!r}")
    if not isinstance(prime, str) or not prime:
        raise ValueError(f"prime: expected a non-empty string to start from, got {prime!r}")
    rng = np.random.default_rng(seed)
    logits, run = lm.forward(lm.vocab.encode(prime, what="prime")[:, None])  # read the prime
    state, logits = lm.model.final_state(run), logits[-1, 0].astype(np.float64)  # y_t after its last character
    out = []
    for _ in range(n):
        k = int(rng.choice(lm.vocab.size, p=softmax(logits, temperature)))
        out.append(lm.vocab.chars[k])
        step_logits, state = lm.model.step(one_hot(np.array([k]), lm.vocab.size, lm.dtype), state)  # read it, predict
        logits = step_logits[0].astype(np.float64)
    return "".join(out)


# -- data: streams, chunks, evaluation ----------------------------------------------------------------------
def streams(ids, batch_size):
    """Cut ``ids`` into ``batch_size`` contiguous streams of equal length: (L, B), column b the b-th stream."""
    L = len(ids) // batch_size
    if L < 2:
        raise ValueError(f"ids: {len(ids)} characters cannot fill {batch_size} streams of at least 2 characters")
    return np.ascontiguousarray(np.asarray(ids[: L * batch_size]).reshape(batch_size, L).T)


def chunks(columns, seq_len):
    """Consecutive (x_ids, y_ids) chunks of ``seq_len`` steps from streams (L, B); y is x shifted by one."""
    for t0 in range(0, columns.shape[0] - 1, seq_len):
        t1 = min(t0 + seq_len, columns.shape[0] - 1)
        yield columns[t0:t1], columns[t0 + 1 : t1 + 1]


def evaluate_text(lm, ids, *, batch_size=32, seq_len=256):
    """Mean loss in nats per character over ``ids``, read as streams with the state carried throughout."""
    total, count, state = 0.0, 0, None
    for x, y in chunks(streams(ids, batch_size), seq_len):
        logits, run = lm.forward(x, state)
        state = lm.model.final_state(run)
        total += softmax_cross_entropy(logits, y, np.ones(y.shape))[0] * y.size
        count += y.size
    return total / count


def evaluate_with_resets(lm, ids, k):
    """Mean loss (nats per character) when the state is reset to zero every ``k`` characters: each block of
    k characters is read from a fresh state, so the model sees at most the last k characters (counting the
    current one). Comparing k = 1, 2, 4, ... shows how much context the model actually uses."""
    n = (len(ids) - 1) // k
    x = np.asarray(ids[: n * k]).reshape(n, k).T  # (k, n): column j is the block j
    y = np.asarray(ids[1 : n * k + 1]).reshape(n, k).T
    total = 0.0
    for j in range(0, n, 512):  # batches of blocks, to bound memory
        xj, yj = x[:, j : j + 512], y[:, j : j + 512]
        total += softmax_cross_entropy(lm.forward(xj)[0], yj, np.ones(yj.shape))[0] * yj.size
    return total / y.size


# -- training --------------------------------------------------------------------------------------------------
@dataclass
class TextHistory:
    """What happened while training a CharLM."""

    loss: list = field(default_factory=list)  # training loss of each chunk (nats per character)
    validation: list = field(default_factory=list)  # (step, validation loss in nats per character)
    samples: list = field(default_factory=list)  # (step, text)
    seconds: float = 0.0
    characters: int = 0
    stopped: str = ""  # why training ended
    out_of_time: bool = False  # stopped by the time budget before its last step


def _progress_text(step, steps, loss, chars, seconds, final=False):
    """What the progress bar says after the bar itself: loss, characters per second, time left (or taken)."""
    rate = chars / max(seconds, 1e-9)
    left = (steps - step) * seconds / max(step, 1)
    return f" loss {loss:.3f}  {rate / 1000:5.1f}k chars/s  {'done in' if final else 'left'} {seconds if final else left:4.0f} s"


def train_charlm(
    lm,
    train_ids,
    *,
    steps,
    batch_size=32,
    seq_len=64,
    lr=2e-3,
    clip=5.0,
    validation_ids=None,
    validate_every=None,
    sample_every=None,
    sample_prime="\n",
    sample_length=200,
    progress=True,
    stream=None,
    optimizer=None,
    lr_at=None,
    time_budget=None,
):
    """Train ``lm`` with TBPTT and Adam for ``steps`` chunks. Everything but the progress bar is a function of
    the inputs: no result depends on how fast the machine is, unless a ``time_budget`` is given.

    Inputs:
        train_ids: the training text as ids; it is read as ``batch_size`` streams, ``seq_len`` steps a chunk,
            and read again from the start when it ends (the state is reset then)
        lr, clip: Adam's learning rate; the largest global gradient norm
        validation_ids, validate_every: measure the validation loss (nats/char) every so many steps
        sample_every: print a sample of ``sample_length`` characters after ``sample_prime`` every so many steps
        optimizer: an Adam to continue with (its state carries on), or None for a new one
        lr_at: a schedule, step -> learning rate (None: ``lr`` throughout)
        time_budget: seconds of wall-clock time (None: no limit). Training stops after the step during which
            the budget ran out (validating then, if asked); ``history.out_of_time`` is then True and
            ``history.stopped`` says so. Each step is computed as without a budget (the same bits): only how
            many steps run depends on the machine
    Returns:
        TextHistory (and the optimizer in ``history.optimizer``)
    In the browser a long run can be replaced by the same run made on a desktop Python: see ``run_hook`` below.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps: expected a positive integer, got {steps!r}")
    check_time_budget(time_budget)
    settings = dict(steps=steps, batch_size=batch_size, seq_len=seq_len, lr=lr, clip=clip)
    settings.update(validation_ids=validation_ids, validate_every=validate_every, sample_every=sample_every)
    settings.update(sample_prime=sample_prime, sample_length=sample_length, optimizer=optimizer, lr_at=lr_at)
    settings.update(time_budget=time_budget)

    def run(**changes):  # the training itself: the loop below, with these settings (and any changed)
        return _train_charlm(lm, train_ids, progress=progress, stream=stream, **{**settings, **changes})

    out = (stream or sys.stdout) if progress else None
    return run() if run_hook is None else run_hook(lm, train_ids, settings, run, out)


# Where a run is made can change, what it computes cannot: lstm_lab.runtime sets this in the browser, where
# notebook 06's live run would take many minutes, to load the weights the same call reached on a desktop Python (after
# a few live steps), and when recording those runs. None (a desktop Python): every call trains here.
run_hook = (
    None  # (lm, train_ids, settings, run, out) -> TextHistory; run(**changes) trains; out: where to print, or None
)


def _train_charlm(
    lm,
    train_ids,
    *,
    steps,
    batch_size,
    seq_len,
    lr,
    clip,
    validation_ids,
    validate_every,
    sample_every,
    sample_prime,
    sample_length,
    progress,
    stream,
    optimizer,
    lr_at,
    time_budget,
):
    opt = optimizer or Adam(lr=lr)
    columns = streams(train_ids, batch_size)
    hist = TextHistory()
    bar = Progress(steps, progress, stream)
    out = stream or sys.stdout
    t0 = time.perf_counter()
    state, batches = None, chunks(columns, seq_len)
    hist.stopped = f"ran all {steps} steps"
    for step in range(1, steps + 1):
        try:
            x, y = next(batches)
        except StopIteration:  # an epoch is over: start again from the beginning, with a fresh state
            state, batches = None, chunks(columns, seq_len)
            x, y = next(batches)
        if lr_at is not None:
            opt.lr = lr_at(step)
        try:
            loss, grads, state = lm.chunk_loss_and_grads(x, y, state)
        except TrainingDiverged as e:
            bar.show(step, " diverged", final=True)
            raise TrainingDiverged(f"training diverged at step {step}: {e}; try a lower lr (lr={lr})") from None
        grads, _ = clip_by_global_norm(grads, clip)
        opt.step(lm.params, grads)
        hist.loss.append(loss)
        hist.characters += y.size
        bar.show(step, _progress_text(step, steps, loss, hist.characters, time.perf_counter() - t0))
        if time_budget is not None and step < steps and time.perf_counter() - t0 >= time_budget:
            hist.out_of_time = True
            hist.stopped = f"stopped by the time budget ({time_budget:g} s) after step {step} of {steps}"
        last = step == steps or hist.out_of_time
        if validation_ids is not None and validate_every and (step % validate_every == 0 or last):
            hist.validation.append((step, evaluate_text(lm, validation_ids)))
        if sample_every and step % sample_every == 0:
            text = sample(lm, sample_prime, sample_length, temperature=0.8, seed=step)
            hist.samples.append((step, text))
            if progress:
                out.write(f"\n--- after {step} steps ({hist.characters:,} characters) ---\n{sample_prime}{text}\n")
        if hist.out_of_time:
            break
    hist.seconds = time.perf_counter() - t0
    text = _progress_text(len(hist.loss), steps, hist.loss[-1], hist.characters, hist.seconds, final=True)
    bar.show(len(hist.loss), text, final=True)
    if hist.out_of_time and progress:
        out.write(f"({hist.stopped})\n")
    hist.optimizer = opt
    return hist
