"""lstm_core against torch.nn.LSTM on the CPU: forward and forward+backward, float32 and float64.

Prints a table of medians of interleaved runs (lstm_core, torch, lstm_core, torch, ...) and the
ratio lstm_core / torch (below 1 means lstm_core is faster).  Run:  python benchmarks/bench_lstm.py
Needs torch (pip install torch==2.13.0); speed is reported here, never asserted in tests.
"""

import argparse
import os
import platform
import time

import numpy as np

import lstm_core

SIZES = [(1, 1, 8, 50), (1, 4, 32, 200), (32, 16, 128, 100), (64, 64, 256, 200)]  # (B, D, H, T)


def numpy_runner(xs, dh, p, backward):
    def run():
        r = lstm_core.lstm_forward(xs, p)
        if backward:
            lstm_core.lstm_backward(dh, r)

    return run


def torch_runner(torch, xs, dh, p, backward):
    m = torch.nn.LSTM(p.input_size, p.hidden_size).to(torch.float64 if p.dtype == np.float64 else torch.float32)
    m.load_state_dict({k: v.to(m.weight_ih_l0.dtype) for k, v in lstm_core.lstm_params_to_torch(p).items()})
    x = torch.from_numpy(xs).requires_grad_(backward)
    g = torch.from_numpy(dh)

    def run():
        if backward:
            out, _ = m(x)
            m.zero_grad(set_to_none=True)
            x.grad = None
            out.backward(g)
        else:
            with torch.no_grad():
                m(x)

    return run


def interleaved_medians(runners, repeats, min_time=0.02, settle=0.2):
    """Median seconds per call of each runner, alternating between them so machine noise hits both.

    Each turn first waits ``settle`` seconds and makes one untimed call. Right after one library
    ran, its idle worker threads keep spinning on the cores for a while (OpenBLAS after numpy's
    matmuls, OpenMP after torch's), and a call timed then measures that contention, not the
    library: on the 2-core VM, torch at (32,16,128,100) fwd+bwd looked up to 2x slower that way.
    """
    loops = []
    for run in runners:  # warm up, and pick a loop count that lasts about min_time
        run()
        t0 = time.perf_counter()
        run()
        loops.append(max(1, int(min_time / max(time.perf_counter() - t0, 1e-7))))
    samples = [[] for _ in runners]
    for _ in range(repeats):
        for k, run in enumerate(runners):
            time.sleep(settle)  # the other library's threads stop spinning
            run()  # untimed: wakes this library's threads
            t0 = time.perf_counter()
            for _ in range(loops[k]):
                run()
            samples[k].append((time.perf_counter() - t0) / loops[k])
    return [float(np.median(s)) for s in samples]


def fmt(seconds):
    return f"{seconds * 1e3:9.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} us"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=15, help="interleaved rounds per cell (default 15)")
    ap.add_argument("--quick", action="store_true", help="the two smallest sizes, 5 rounds (a smoke run)")
    ap.add_argument("--size", action="append", help="only this size, as B,D,H,T (repeatable)")
    args = ap.parse_args()
    import torch

    sizes = SIZES[:2] if args.quick else SIZES
    if args.size:
        sizes = [tuple(int(v) for v in s.split(",")) for s in args.size]
    repeats = 5 if args.quick else args.repeats
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; numpy {np.__version__}, ")
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads); medians of {repeats} interleaved rounds\n")
    print(f"| {'B,D,H,T':>14} | dtype   | pass    | {'lstm_core':>12} | {'torch':>12} | ratio |")
    print(f"|{'-' * 16}|---------|---------|{'-' * 14}|{'-' * 14}|-------|")
    rng = np.random.default_rng(0)
    for B, D, H, T in sizes:
        for dtype in (np.float64, np.float32):
            p = lstm_core.LSTMParams.init(D, H, seed=0, dtype=dtype)
            xs = rng.normal(size=(T, B, D)).astype(dtype)
            dh = rng.normal(size=(T, B, H)).astype(dtype)
            for backward in (False, True):
                ours, theirs = interleaved_medians(
                    [numpy_runner(xs, dh, p, backward), torch_runner(torch, xs, dh, p, backward)], repeats
                )
                name = "fwd+bwd" if backward else "fwd"
                shape = f"{B},{D},{H},{T}"
                print(
                    f"| {shape:>14} | {np.dtype(dtype).name} | {name:7} | {fmt(ours):>12} | {fmt(theirs):>12} | {ours / theirs:5.2f} |"
                )


if __name__ == "__main__":
    main()
