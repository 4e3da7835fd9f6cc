"""Precompute notebook 03's experiment on a large forget bias: the LSTM of notebook 05 trained on delayed recall
at delay 50 (scenarios.DELAY_SETTINGS) with its forget gates starting at b_f = 3, 6 and 10, over five seeds.
Writes lstm_lab/data/large_forget_bias.json; tests/test_large_forget_bias.py re-runs one entry and fails when the
file no longer matches the code.

    python scripts/large_forget_bias.py        # 15 training runs: about a minute on a quiet machine
"""

import argparse
import json
import pathlib
import time

from lstm_lab.scenarios import DELAY_SETTINGS, forget_bias_run

OUT = pathlib.Path(__file__).resolve().parents[1] / "lstm_lab" / "data" / "large_forget_bias.json"
DELAY, FORGET_BIASES, SEEDS = 50, [3.0, 6.0, 10.0], [0, 1, 2, 3, 4]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    t0 = time.time()
    results = {}
    for fb in FORGET_BIASES:
        results[f"{fb:g}"] = []
        for seed in SEEDS:
            results[f"{fb:g}"].append(forget_bias_run(fb, seed, delay=DELAY))
            r = results[f"{fb:g}"][-1]
            print(f"b_f = {fb:g}, seed {seed}: {r}  ({time.time() - t0:.0f} s)", flush=True)
    data = {"settings": DELAY_SETTINGS, "delay": DELAY, "seeds": SEEDS, "results": results}
    pathlib.Path(args.out).write_text(json.dumps(data, indent=1) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
