"""lstm_core against torch.nn.LSTM on the CPU: forward and forward+backward, float32 and float64.

Prints a table of medians of interleaved runs (lstm_core, torch, lstm_core, torch, ...) and the
ratio lstm_core / torch (below 1 means lstm_core is faster).  Run:  python benchmarks/bench_lstm.py
"lstm_core" is the fast path (lstm_core.fast, what training uses); the "readable" column times the
readable lstm_core.lstm_forward/lstm_backward that the notebooks call, in a worker of its own.
Needs torch (pip install torch==2.13.0); speed is reported here, never asserted in tests.

Each library runs in its own worker process (the numpy one never imports torch), and each turn
starts after a pause and one untimed call. In one process, timed back to back, the two disturb
each other: the idle worker threads of one (OpenBLAS after numpy's matmuls, OpenMP after torch's)
keep spinning on the cores while the other runs, and they share one heap. Measured on a 2-core VM
at (32,16,128,100) fwd+bwd, that made torch look up to 2x slower than it runs on its own.
``--same-process`` times them that old way, to see the difference.

``--floor`` adds a third worker that runs only the matrix products of lstm_forward and lstm_backward,
with the same shapes and in the same order, and nothing else: a numpy LSTM that calls BLAS once per step
cannot be faster than that. Beside torch's time it shows how much of a gap numpy could ever close.

``--baseline DIR`` adds a worker that times the lstm_core in DIR, an older version of this repository checked out
there (``git worktree add DIR <commit>``), with its own lstm_forward/lstm_backward: the same machine and the same
torch for the code then and the code now, so that a ratio measured on another CPU can be compared on this one.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

import lstm_core

SIZES = [(1, 1, 8, 50), (1, 4, 32, 200), (32, 16, 128, 100), (64, 64, 256, 200)]  # (B, D, H, T)


def machine():
    """One line naming this machine's CPU, its widest SIMD and numpy: ratios against torch depend on them."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            name = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as has
    except ImportError:
        has = {}
    simd = "AVX-512" if has.get("AVX512F") else "AVX2, no AVX-512" if has.get("AVX2") else "SIMD unknown"
    return f"machine: {name} ({platform.machine()}, {simd}), {os.cpu_count()} cores; numpy {np.__version__}"


def _revision(folder):
    """ " (commit abc1234)" for a git checkout, else ""."""
    try:
        rev = subprocess.run(["git", "-C", folder, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    except OSError:
        return ""
    return f" (commit {rev.stdout.strip()})" if rev.returncode == 0 else ""


def make_case(B, D, H, T, dtype):
    """The same parameters and data in every process."""
    rng = np.random.default_rng(0)
    p = lstm_core.LSTMParams.init(D, H, seed=0, dtype=dtype)
    return p, rng.normal(size=(T, B, D)).astype(dtype), rng.normal(size=(T, B, H)).astype(dtype)


def numpy_runner(xs, dh, p, backward, module):
    def run():
        r = module.lstm_forward(xs, p)
        if backward:
            module.lstm_backward(dh, r)

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


def floor_runner(B, D, H, T, dtype, backward):
    """The matmuls of lstm_forward (and lstm_backward) alone: per step [W, b] z_t and W_h^T da_t, and per
    chunk of steps the dW and dx products, with lstm_core's shapes, layout and chunk size."""
    rng = np.random.default_rng(0)
    K, n = H + D + 1, lstm_core.fast._steps_per_chunk(T, B)

    def arr(*shape):
        return rng.normal(size=shape).astype(dtype)

    Wb, Wh_T, Wx, z, da = arr(4 * H, K), arr(H, 4 * H), arr(4 * H, D), arr(T + 1, K, B), arr(n, 4 * H, B)
    gates, dh_next, cols, z_cols = (
        np.empty((T, 4 * H, B), dtype),
        np.empty((H, B), dtype),
        arr(4 * H * n * B),
        arr(K * n * B),
    )
    dWb, dx = np.empty((4 * H, K), dtype), np.empty((T, B, D), dtype)

    def run():
        for t in range(T):
            np.matmul(Wb, z[t], out=gates[t])
        if backward:
            for t0 in range(0, T, n):
                k = min(n, T - t0)
                for j in range(k):
                    np.matmul(Wh_T, da[j], out=dh_next)
                a, zc = cols[: 4 * H * k * B].reshape(4 * H, -1), z_cols[: K * k * B].reshape(K, -1)
                np.matmul(a, zc.T, out=dWb)
                np.matmul(a.T, Wx, out=dx[t0 : t0 + k].reshape(k * B, D))

    return run


def make_runner(lib, B, D, H, T, dtype, backward):
    if lib == "floor":
        return floor_runner(B, D, H, T, np.dtype(dtype), backward)
    p, xs, dh = make_case(B, D, H, T, np.dtype(dtype))
    if lib in ("fast", "readable"):
        return numpy_runner(xs, dh, p, backward, lstm_core.fast if lib == "fast" else lstm_core.lstm)
    if lib == "baseline":  # the older lstm_core this worker imported (Worker puts its folder first on the path)
        return numpy_runner(xs, dh, p, backward, lstm_core)
    import torch

    return torch_runner(torch, xs, dh, p, backward)


def timed(run, loops):
    """One untimed call (wakes this library's threads), then seconds per call over ``loops`` calls."""
    run()
    t0 = time.perf_counter()
    for _ in range(loops):
        run()
    return (time.perf_counter() - t0) / loops


def loops_for(run, min_time=0.02):
    """Warm up, and pick a loop count that lasts about min_time."""
    run()
    t0 = time.perf_counter()
    run()
    return max(1, int(min_time / max(time.perf_counter() - t0, 1e-7)))


def worker(lib, make=None):
    """Serve requests on stdin, one JSON line each: {"case": [...]} sets up a runner, {"time": n} times it."""
    run, make = None, make or make_runner
    for line in sys.stdin:
        req = json.loads(line)
        if "case" in req:
            run = make(lib, *req["case"])
            out = {"loops": loops_for(run)}
        elif "info" in req:
            import torch

            out = {"info": f"torch {torch.__version__} ({torch.get_num_threads()} threads)"}
        elif "where" in req:
            out = {"where": os.path.dirname(os.path.dirname(os.path.abspath(lstm_core.__file__)))}
        else:
            out = {"seconds": timed(run, req["time"])}
        print(json.dumps(out), flush=True)


class Worker:
    """A benchmark worker process for one library: ``script --worker lib`` (this file, or another benchmark's).

    ``first_on_path``: a folder whose lstm_core the worker imports instead of this repository's."""

    def __init__(self, lib, script=__file__, first_on_path=None):
        env = None
        if first_on_path is not None:
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join(filter(None, [first_on_path, os.environ.get("PYTHONPATH")])),
            }
        self.proc = subprocess.Popen(
            [sys.executable, script, "--worker", lib], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def ask(self, **req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("a benchmark worker died; run it alone to see its error")
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def interleaved_medians(workers, case, repeats, settle=0.2):
    """Median seconds per call in each worker, alternating between them so machine noise hits both.

    Each turn first waits ``settle`` seconds, so the other library's idle threads have stopped spinning.
    """
    loops = [w.ask(case=case)["loops"] for w in workers]
    samples = [[] for _ in workers]
    for _ in range(repeats):
        for k, w in enumerate(workers):
            time.sleep(settle)
            samples[k].append(w.ask(time=loops[k])["seconds"])
    return [float(np.median(s)) for s in samples]


def same_process_medians(case, repeats):
    """The old way: both libraries in this process, timed back to back with no pause."""
    runners = [make_runner("fast", *case), make_runner("torch", *case)]
    loops = [loops_for(run) for run in runners]
    samples = [[] for _ in runners]
    for _ in range(repeats):
        for k, run in enumerate(runners):
            t0 = time.perf_counter()
            for _ in range(loops[k]):
                run()
            samples[k].append((time.perf_counter() - t0) / loops[k])
    return [float(np.median(s)) for s in samples]


def fmt(seconds):
    return f"{seconds * 1e3:9.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} us"


def _arguments():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=15, help="interleaved rounds per cell (default 15)")
    ap.add_argument("--quick", action="store_true", help="the two smallest sizes, 5 rounds (a smoke run)")
    ap.add_argument("--size", action="append", help="only this size, as B,D,H,T (repeatable)")
    ap.add_argument("--same-process", action="store_true", help="time both in this process, back to back (biased)")
    ap.add_argument("--floor", action="store_true", help="also time lstm_core's matmuls alone (a lower bound)")
    ap.add_argument("--no-readable", action="store_true", help="skip the readable path's column (it is slow)")
    ap.add_argument("--baseline", metavar="DIR", help="also time the lstm_core of an older checkout in DIR")
    ap.add_argument("--worker", choices=["fast", "readable", "torch", "floor", "baseline"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if (args.floor or args.baseline) and args.same_process:
        ap.error("--floor, --baseline: time each library in its own process, so not with --same-process")
    if args.baseline and not os.path.isfile(os.path.join(args.baseline, "lstm_core", "__init__.py")):
        ap.error(f"--baseline: expected a checkout of this repository, with lstm_core/, got {args.baseline!r}")
    return args


def _header(args, workers, baseline, readable, repeats):
    """Print the machine, the libraries and the table's heading; returns the extra columns: (heading, ratio)."""
    if args.same_process:
        import torch

        info = f"torch {torch.__version__} ({torch.get_num_threads()} threads); SAME PROCESS, no pause"
    else:
        info = workers[1].ask(info=1)["info"] + "; each library in its own process"
    print(machine())
    print(f"{info}; medians of {repeats} interleaved rounds")
    # the extra workers' columns, in the order of the workers after fast and torch: (heading, its ratio's)
    columns = [("matmuls alone", "floor")] * bool(args.floor)
    if baseline:
        where = baseline.ask(where=1)["where"]
        if os.path.realpath(where) != os.path.realpath(args.baseline):
            raise RuntimeError(f"--baseline: the worker imported lstm_core from {where}, not {args.baseline}")
        print(f"baseline: the lstm_core of {os.path.abspath(args.baseline)}{_revision(args.baseline)}")
        columns.append(("baseline", "ratio"))
    columns += [("readable", "ratio")] * readable
    print()
    extra = "".join(f" {head:>13} | {ratio:5} |" for head, ratio in columns)
    print(f"| {'B,D,H,T':>14} | dtype   | pass    | {'lstm_core':>12} | {'torch':>12} | ratio |{extra}")
    print(f"|{'-' * 16}|---------|---------|{'-' * 14}|{'-' * 14}|-------|" + "---------------|-------|" * len(columns))
    return columns


def _row(args, workers, case, repeats):
    """One row of the table: lstm_core against torch (and the extra columns) on ``case``."""
    if args.same_process:
        ours, theirs, more = *same_process_medians(case, repeats), []
    else:
        ours, theirs, *more = interleaved_medians(workers, case, repeats)
    B, D, H, T, dtype, backward = case
    name, shape = "fwd+bwd" if backward else "fwd", f"{B},{D},{H},{T}"
    row = f"| {shape:>14} | {dtype} | {name:7} | {fmt(ours):>12} | {fmt(theirs):>12} | {ours / theirs:5.2f} |"
    return row + "".join(f" {fmt(t):>13} | {t / theirs:5.2f} |" for t in more)


def main():
    args = _arguments()
    if args.worker:
        return worker(args.worker)
    sizes = SIZES[:2] if args.quick else SIZES
    if args.size:
        sizes = [tuple(int(v) for v in s.split(",")) for s in args.size]
    repeats = 5 if args.quick else args.repeats
    readable = not (args.same_process or args.no_readable)
    baseline = Worker("baseline", first_on_path=os.path.abspath(args.baseline)) if args.baseline else None
    workers = (
        []
        if args.same_process
        else [Worker("fast"), Worker("torch")]
        + ([Worker("floor")] if args.floor else [])
        + ([baseline] if baseline else [])
        + ([Worker("readable")] if readable else [])
    )
    try:
        _header(args, workers, baseline, readable, repeats)
        for B, D, H, T in sizes:
            for dtype in ("float64", "float32"):
                for backward in (False, True):
                    print(_row(args, workers, [B, D, H, T, dtype, backward], repeats))
    finally:
        for w in workers:
            w.close()


if __name__ == "__main__":
    main()
