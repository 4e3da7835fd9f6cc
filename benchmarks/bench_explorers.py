"""How long an explorer takes from a slider change to a ready PNG: compute + draw (blit) + encode, at T = 200.

Prints a table of medians over repeated slider moves.  Run:  python benchmarks/bench_explorers.py
The browser adds its own widget round trip on top (see the browser test).
"""

import time

import numpy as np

from lstm_lab.explorers import EXPLORERS, GradientHighwayExplorer, LSTMCellExplorer, RNNMemoryExplorer, SquashExplorer
from lstm_lab.explorers._base import _set_data, encode_png

# the cell explorer shows 60 steps in the course; measured here at 200 as well
LSTMCellExplorer200 = type("LSTMCellExplorer", (LSTMCellExplorer,), {"T": 200})

MOVES = {  # the slider each benchmark moves back and forth, T = 200 wherever T is a setting
    RNNMemoryExplorer: ("rho", [0.8, 0.85, 0.9, 0.95, 1.0, 1.05], {"T": 200}),
    LSTMCellExplorer: ("b_f", [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0], {}),
    LSTMCellExplorer200: ("b_f", [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0], {}),
    GradientHighwayExplorer: ("b_f", [1.0, 1.5, 2.0, 2.5, 3.0, 3.5], {}),
    SquashExplorer: ("w_scale", [0.5, 0.6, 0.7, 0.8, 0.9, 1.0], {}),
}


def default_move(cls):
    """An explorer not listed above: its first slider, across six positions from its minimum."""
    e = cls()
    name, c = next((n, c) for n, c in e.controls.items() if hasattr(c, "min"))
    return name, [c.min + k * (c.max - c.min) / 5 for k in range(6)], {}


def main(rounds=8):
    moves = {cls: MOVES.get(cls) or default_move(cls) for cls in EXPLORERS}
    moves[LSTMCellExplorer200] = MOVES[LSTMCellExplorer200]
    print(f"| {'explorer':24} | {'T':>3} | compute | draw (blit) | PNG encode | update total |  PNG size |")
    print(f"|{'-' * 26}|-----|---------|-------------|------------|--------------|-----------|")
    for cls, (name, values, extra) in moves.items():  # noqa: B007
        e = cls(**extra)
        T = len(np.atleast_1d(e.data["t"]))
        comp, draw, enc, total = [], [], [], []
        for _ in range(rounds):
            for v in values:
                t0 = time.perf_counter()
                e.update(**{name: v})
                total.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                data = e.compute(**e.values)
                t1 = time.perf_counter()
                _set_data(e._artists, data)
                e.blit()  # the explorer's own blit: its moving lines, and whatever else it draws
                rgba = np.asarray(e.canvas.buffer_rgba())
                t2 = time.perf_counter()
                png = encode_png(rgba)
                t3 = time.perf_counter()
                comp.append(t1 - t0)
                draw.append(t2 - t1)
                enc.append(t3 - t2)

        def ms(xs):
            return f"{np.median(xs) * 1e3:6.1f} ms"

        print(
            f"| {cls.__name__:24} | {T:3d} | {ms(comp)} | {ms(draw):>11} | {ms(enc):>10} | {ms(total):>12} | {len(png) / 1024:6.1f} KB |"
        )


if __name__ == "__main__":
    main()
