"""Where the course runs, and what that changes: a desktop Python, or a browser (the course's JupyterLite site).

In the browser Python is CPython compiled to 32-bit WebAssembly (Pyodide), with one thread and a numpy without an
optimised BLAS: the same code teaches the same lessons there, several times slower (docs/teaching.md has the
measurements). Every notebook runs there unchanged but for one run too long for a page: notebook 06's live
character model (many minutes in a browser). For such a run ``lstm_core.charlm.train_charlm``
trains ``LIVE_STEPS`` steps live in the browser, then loads the weights the very same call (same model, seed,
text and settings) reached on a desktop Python, shipped in ``data/finished_runs/``, and says so in one sentence.
``python scripts/make_finished_runs.py`` makes those files by running the notebooks that train. And the browser's
kernel starts with an empty file system, so matplotlib builds its font list at every start and says so on stderr,
which looks like an error to a learner: that one message is dropped there.
"""

import hashlib
import json
import logging
import os
import pathlib
import platform
import sys
import time

import numpy as np

from lstm_core import charlm

IN_BROWSER = sys.platform == "emscripten"  # Pyodide, in JupyterLite
LIVE_STEPS = 10  # in the browser, the live steps of a run that ships finished (about a second each there)
RUNS = pathlib.Path(__file__).resolve().parent / "data" / "finished_runs"
RECORD = "LSTM_LAB_RECORD_RUNS"  # a folder: scripts/make_finished_runs.py sets it to record every run made
_SETTINGS = ("steps", "batch_size", "seq_len", "lr", "clip", "validate_every", "sample_every", "sample_prime")


def _ids_digest(ids):
    """The same for the same ids whatever their integer type (np.intp: int32 in the browser, int64 on a desktop):
    hashed as little-endian unsigned 32-bit numbers, which every id of a vocabulary is."""
    if ids is None:
        return None
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= 2**32):
        raise ValueError(f"train_ids: expected ids of a vocabulary (0 <= id < 2**32), got {ids.min()}..{ids.max()}")
    return hashlib.sha256(ids.astype("<u4").tobytes()).hexdigest()


def fingerprint(lm, train_ids, settings):
    """A digest of everything a train_charlm call's result depends on: the model's kind, size, vocabulary and
    initial weights, the training (and validation) ids and the settings. None for a call that continues an
    optimizer, follows a schedule or has a time budget (its result depends on the machine): such a run is never
    shipped finished."""
    if any(settings.get(k) is not None for k in ("optimizer", "lr_at", "time_budget")):
        return None
    weights = {name: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest() for name, a in lm.params.items()}
    inputs = {
        "kind": lm.kind,
        "hidden_size": lm.hidden_size,
        "vocab": lm.vocab.chars,
        "dtype": str(lm.dtype),
        "weights": weights,
        "train_ids": _ids_digest(train_ids),
        "validation_ids": _ids_digest(settings.get("validation_ids")),
        "sample_length": settings["sample_length"] if settings.get("sample_every") else None,
        **{k: settings.get(k) for k in _SETTINGS},
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def finished_run_path(key, folder=None):
    return pathlib.Path(folder or RUNS) / f"charlm-{key[:16]}.npz"


def save_finished_run(path, key, lm, hist, settings, train_ids):
    """The trained weights and what the run printed and recorded, for the browser to load."""
    meta = {
        "fingerprint": key,
        "kind": lm.kind,
        "hidden_size": lm.hidden_size,
        "settings": {k: settings.get(k) for k in _SETTINGS},
        "loss": [float(x) for x in hist.loss],
        "validation": [[int(s), float(v)] for s, v in hist.validation],
        "samples": [[int(s), _characters_at(train_ids, settings, s), t] for s, t in hist.samples],
        "characters": int(hist.characters),
        "seconds": float(hist.seconds),
        "made_with": f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}",
    }
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, __meta__=np.array(json.dumps(meta)), **lm.params)


def load_finished_run(lm, path, key):
    """Set ``lm``'s weights to the finished run's and return its TextHistory (with ``optimizer`` None)."""
    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(str(f["__meta__"]))
        if meta["fingerprint"] != key:
            raise ValueError(f"{path}: made for another call (fingerprint {meta['fingerprint'][:16]})")
        for name, a in lm.params.items():
            a[...] = f[name]
    hist = charlm.TextHistory(
        loss=meta["loss"],
        validation=[tuple(v) for v in meta["validation"]],
        samples=[(s, t) for s, _, t in meta["samples"]],
        seconds=meta["seconds"],
        characters=meta["characters"],
        stopped=f"ran all {meta['settings']['steps']} steps (on a desktop Python)",
    )
    hist.optimizer = None
    hist.meta = meta
    return hist


def _characters_at(train_ids, settings, step):
    """The characters train_charlm has read after ``step`` chunks (chunks at an epoch's end are shorter)."""
    columns = charlm.streams(train_ids, settings["batch_size"])
    sizes = [y.size for _, y in charlm.chunks(columns, settings["seq_len"])]
    full, rest = divmod(step, len(sizes))
    return full * sum(sizes) + sum(sizes[:rest])


def _in_browser(lm, train_ids, settings, run, out):
    """train_charlm in the browser: a run that ships finished trains LIVE_STEPS live, then loads the rest."""
    key = fingerprint(lm, train_ids, settings)
    path = finished_run_path(key) if key else None
    if path is None or not path.exists():
        return run()  # nothing shipped for this call: every step runs here
    live = min(LIVE_STEPS, settings["steps"])
    t0 = time.perf_counter()
    run(steps=live, sample_every=None, validate_every=None)
    minutes = (time.perf_counter() - t0) / live * settings["steps"] / 60
    hist = load_finished_run(lm, path, key)
    if out is not None:
        out.write(
            f"In the browser all {settings['steps']} steps would take about {minutes:.0f} minutes, so after these {live} "
            f"the model now holds the weights this same call reached on a desktop Python (shipped with the course), "
            f"and the samples below are that run's.\n"
        )
        for step, chars, text in hist.meta["samples"]:
            out.write(f"\n--- after {step} steps ({chars:,} characters) ---\n{settings['sample_prime']}{text}\n")
        out.flush()
    return hist


def _recording(lm, train_ids, settings, run, out):
    """train_charlm while scripts/make_finished_runs.py runs the notebooks: train here, keep the finished run."""
    key = fingerprint(lm, train_ids, settings)  # of the initial weights: computed before training
    hist = run()
    if key:
        save_finished_run(finished_run_path(key, os.environ[RECORD]), key, lm, hist, settings, train_ids)
    return hist


class QuietFontCache(logging.Filter):
    """Drops matplotlib's "building the font cache" notice (and nothing else it logs)."""

    def filter(self, record):
        return "building the font cache" not in record.getMessage()


if os.environ.get(RECORD):
    charlm.run_hook = _recording
elif IN_BROWSER:
    charlm.run_hook = _in_browser
    logging.getLogger("matplotlib.font_manager").addFilter(QuietFontCache())
