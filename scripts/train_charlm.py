"""Train the character models that ship with the course: an LSTM, a GRU and a vanilla RNN on Shakespeare,
each with about the same number of parameters, from fixed seeds. Writes lstm_lab/data/charlm_{lstm,gru,rnn}.npz
(float32) and lstm_lab/data/charlm_results.json (validation losses, samples at three temperatures, the
context-length curves). Notebook 06 and its tests read them.

    python scripts/train_charlm.py            # all three: 19 minutes on a 2-core Intel Xeon VM (2026-12-02)
    python scripts/train_charlm.py --only lstm
    python scripts/train_charlm.py --first-part   # only the losses over text.FIRST_PART, from the shipped models

The shipped models' "seconds" (about an hour in all) are from an earlier, slower version of lstm_core.fast on
a busier machine. On 2026-12-02 one run of all three (commit bd10277; the training step has since become about
10% faster) took 19 min 19 s of wall-clock time on a 2-core Intel Xeon VM: LSTM 409 s, GRU 425 s, RNN 286 s of
training, the rest evaluation. Its validation losses, 1.5528, 1.5604 and 1.6006 nats, differ from the shipped
ones in the third decimal: another CPU (see below). Memory peaks at about 1.2 GB, in the context-length curve's
longest blocks.

Every number it records is a function of the code, the seeds and the CPU's rounding of matrix products, not of
the machine's speed (only the "seconds" fields are timings): on the same machine a second run gives the same
bits; on another CPU, models of the same kind whose numbers differ (training amplifies rounding).
"""

import argparse
import json
import math
import pathlib
import platform
import subprocess
import sys
import time

import numpy as np

from lstm_core import charlm
from lstm_lab import text

OUT = text.DATA
# hidden sizes chosen so that the three models have about the same number of parameters (about 350,000)
MODELS = {"lstm": 256, "gru": 300, "rnn": 512}
SETTINGS = {"batch_size": 32, "seq_len": 64, "lr": 3e-3, "lr_final": 3e-4, "clip": 5.0, "seed": 0}
STEPS = {"lstm": 8000, "gru": 8000, "rnn": 8000}
TEMPERATURES = (0.5, 1.0, 1.5)
PRIME = "ROMEO:\n"
CONTEXTS = tuple(2**k for k in range(10))  # reset the state every 1, 2, 4, ..., 512 characters


def schedule(steps, lr, lr_final):
    """Adam's learning rate: ``lr`` for the first half, then down geometrically to ``lr_final``."""

    def lr_at(step):
        frac = max(0.0, (step - steps / 2) / (steps / 2))
        return lr * (lr_final / lr) ** frac

    return lr_at


def train(kind, out=OUT, steps=None, log=print):
    vocab = text.vocab()
    train_text, val_text = text.split()
    ids, val_ids = vocab.encode(train_text), vocab.encode(val_text)
    lm = charlm.CharLM(kind, vocab, MODELS[kind], seed=SETTINGS["seed"], dtype=np.float32)
    s, steps = SETTINGS, steps or STEPS[kind]
    log(f"{kind}: H = {MODELS[kind]}, {lm.n_parameters():,} parameters, {steps} steps")
    t0 = time.perf_counter()
    hist = charlm.train_charlm(
        lm,
        ids,
        steps=steps,
        batch_size=s["batch_size"],
        seq_len=s["seq_len"],
        clip=s["clip"],
        lr=s["lr"],
        lr_at=schedule(steps, s["lr"], s["lr_final"]),
        validation_ids=val_ids,
        validate_every=1000,
    )
    seconds = time.perf_counter() - t0
    val = charlm.evaluate_text(lm, val_ids)
    samples = {str(T): charlm.sample(lm, PRIME, 300, temperature=T, seed=0) for T in TEMPERATURES}
    contexts = {str(k): charlm.evaluate_with_resets(lm, val_ids, k) for k in CONTEXTS}
    first = first_part(lm, val_ids)
    lm.save(out / f"charlm_{kind}.npz", validation_nats=val)
    log(f"{kind}: validation {val:.4f} nats/char ({val / math.log(2):.3f} bits) after {seconds:.0f} s")
    return {
        "kind": kind,
        "hidden_size": MODELS[kind],
        "parameters": lm.n_parameters(),
        "steps": steps,
        "characters_seen": hist.characters,
        "validation_nats": val,
        "validation_bits": val / math.log(2),
        "validation_curve": hist.validation,
        "train_loss_last_100": float(np.mean(hist.loss[-100:])),
        "samples": samples,
        "context_nats": contexts,
        "first_part": first,
        "seconds": seconds,
    }


def first_part(lm, val_ids):
    """The losses over the validation text's first text.FIRST_PART characters, which notebook 06 recomputes in the
    browser (where the whole text takes minutes): read as one text, and from a zero state every k characters."""
    head = val_ids[: text.FIRST_PART]
    contexts = {str(k): charlm.evaluate_with_resets(lm, head, k) for k in CONTEXTS}
    return {"characters": text.FIRST_PART, "validation_nats": charlm.evaluate_text(lm, head), "context_nats": contexts}


def record_first_part(path):
    """Add the first part's losses of the shipped models to the results at ``path``, without training."""
    results = json.loads(path.read_text())
    val_ids = text.vocab().encode(text.split()[1])
    for kind in results["models"]:
        results["models"][kind]["first_part"] = first_part(text.load_model(kind), val_ids)
    path.write_text(json.dumps(results, indent=1) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=list(MODELS), action="append", help="train only this kind (repeatable)")
    ap.add_argument("--out", default=str(OUT), help="where to write (default: lstm_lab/data, what ships)")
    ap.add_argument("--steps", type=int, help="fewer training steps, for a quick trial (what ships uses STEPS)")
    ap.add_argument("--first-part", action="store_true", help="no training: record the shipped models' first_part")
    args = ap.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "charlm_results.json"
    if args.first_part:
        record_first_part(path)
        return 0
    results = json.loads(path.read_text()) if path.exists() else {}
    for kind in args.only or list(MODELS):
        results.setdefault("models", {})[kind] = train(kind, out, args.steps)
        results.update(
            settings={**SETTINGS, "steps": STEPS, "hidden_sizes": MODELS, "prime": PRIME},
            split={"train_fraction": text.TRAIN_FRACTION, "validation_characters": len(text.split()[1])},
            machine=f"{platform.processor() or platform.machine()}, numpy {np.__version__}",
            commit=subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
            ).stdout.strip(),
        )
        path.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
