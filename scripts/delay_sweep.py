"""Precompute notebook 05's delay sweep: accuracy on delayed recall against the delay, for a vanilla RNN
and for LSTMs with forget bias 1 and 3, over a few seeds. Writes lstm_lab/data/delay_sweep.json;
tests/test_delay_sweep.py re-runs one entry and fails when the file no longer matches the code.

    python scripts/delay_sweep.py            # about 7 minutes on 2 cores (an hour on a busy machine)
    python scripts/delay_sweep.py --quick    # two delays, one seed: a smoke run
"""

import argparse
import json
import pathlib
import time

from lstm_lab.scenarios import DELAY_SETTINGS, delayed_recall_experiment

OUT = pathlib.Path(__file__).resolve().parents[1] / "lstm_lab" / "data" / "delay_sweep.json"
MODELS = {"LSTM, b_f = 3": ("lstm", 3.0), "LSTM, b_f = 1": ("lstm", 1.0), "vanilla RNN": ("rnn", 1.0)}


def run(kind, forget_bias, delay, seed):
    _, hist, acc = delayed_recall_experiment(kind, delay, forget_bias=forget_bias, seed=seed, progress=False)
    return {"test_accuracy": acc, "steps": hist.steps, "seconds": round(hist.seconds, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    delays = [5, 50] if args.quick else [5, 10, 20, 35, 50, 75, 100, 150, 200]
    seeds = [0] if args.quick else [0, 1, 2]
    results = {name: {} for name in MODELS}
    t0 = time.time()
    for name, (kind, fb) in MODELS.items():
        for d in delays:
            results[name][str(d)] = [run(kind, fb, d, seed) for seed in seeds]
            accs = [r["test_accuracy"] for r in results[name][str(d)]]
            print(f"{name:14} delay {d:3d}: test accuracy {accs}  ({time.time() - t0:.0f} s)", flush=True)
    data = {"settings": DELAY_SETTINGS, "delays": delays, "seeds": seeds, "chance": 0.25, "results": results}
    pathlib.Path(args.out).write_text(json.dumps(data, indent=1) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
