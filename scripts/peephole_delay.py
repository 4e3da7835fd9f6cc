"""The peephole LSTM beside the LSTM on notebook 05's delay task (delay 50, scenarios.DELAY_SETTINGS), a few seeds:
steps until the target accuracy, test accuracy, seconds. Prints a table; docs/lstm_core.md quotes it.

    python scripts/peephole_delay.py [--seeds 3] [--delay 50]
"""

import argparse
import time

from lstm_lab import scenarios


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--delay", type=int, default=50)
    args = ap.parse_args()
    print(f"delayed recall, delay {args.delay}, settings of notebook 05: {scenarios.DELAY_SETTINGS}")
    print(f"{'cell':10} {'seed':>4} {'steps':>6} {'stopped':28} {'test acc':>8} {'seconds':>8}")
    for kind in ("lstm", "peephole"):
        for seed in range(args.seeds):
            start = time.process_time()
            _, hist, acc = scenarios.delayed_recall_experiment(kind, args.delay, seed=seed, progress=False)
            seconds = time.process_time() - start
            print(f"{kind:10} {seed:>4} {hist.steps:>6} {hist.stopped[:28]:28} {acc:>8.3f} {seconds:>8.1f}")


if __name__ == "__main__":
    main()
