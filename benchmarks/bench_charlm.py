"""Training throughput of the character-level language model: lstm_core against torch.nn.LSTM + torch.optim.Adam.

The model of notebook 06: one-hot characters (V = 65), an LSTM with H = 256, a linear read-out, softmax
cross-entropy; truncated BPTT over chunks of 64 characters with a batch of 32 streams, the state carried
across chunks, gradient clipping by global norm (5), Adam. One training step = forward, backward, clip,
update. Prints characters per second (the median over interleaved rounds), each library in its own
process, float32 and float64.  Run:  python benchmarks/bench_charlm.py   (needs torch==2.13.0)
"""

import argparse

import numpy as np
from bench_lstm import Worker, fmt, interleaved_medians, machine, worker

V, H, B, T = 65, 256, 32, 64


def data(seed=0):
    return np.random.default_rng(seed).integers(0, V, size=(T + 1, B))


def numpy_step(dtype):
    from lstm_core.charlm import CharLM, Vocab
    from lstm_core.optim import Adam, clip_by_global_norm

    vocab = Vocab([chr(32 + k) for k in range(V)])
    lm = CharLM("lstm", vocab, H, seed=0, dtype=dtype)
    opt, ids, carry = Adam(lr=2e-3), data(), {"state": None}

    def step():
        loss, grads, carry["state"] = lm.chunk_loss_and_grads(ids[:-1], ids[1:], carry["state"])
        grads, _ = clip_by_global_norm(grads, 5.0)
        opt.step(lm.params, grads)

    return step


def torch_step(dtype):
    import torch

    tdt = torch.float32 if dtype == np.float32 else torch.float64
    torch.manual_seed(0)
    lstm, out = torch.nn.LSTM(V, H).to(tdt), torch.nn.Linear(H, V).to(tdt)
    params = [*lstm.parameters(), *out.parameters()]
    opt = torch.optim.Adam(params, lr=2e-3)
    ids = torch.from_numpy(data())
    x = torch.nn.functional.one_hot(ids[:-1], V).to(tdt)
    carry = {"state": None}

    def step():
        h, state = lstm(x, carry["state"])
        carry["state"] = tuple(s.detach() for s in state)  # the state carries on, the gradient stops
        loss = torch.nn.functional.cross_entropy(out(h).reshape(-1, V), ids[1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()

    return step


def make(lib, dtype):
    dtype = np.dtype(dtype)
    return numpy_step(dtype) if lib == "numpy" else torch_step(dtype)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=9, help="interleaved rounds (default 9)")
    ap.add_argument("--worker", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, make)
    workers = [Worker("numpy", __file__), Worker("torch", __file__)]
    try:
        info = workers[1].ask(info=1)["info"]
        print(machine())
        print(f"{info}; each library in its own process; medians of {args.repeats} interleaved rounds")
        print(f"model: V = {V}, H = {H}, batch {B}, {T} steps a chunk, Adam, clipping at 5\n")
        print("| dtype   | lstm_core step | chars/s   | torch step | chars/s   | lstm_core / torch throughput |")
        print("|---------|----------------|-----------|------------|-----------|------------------------------|")
        for dtype in ("float32", "float64"):
            ours, theirs = interleaved_medians(workers, [dtype], args.repeats)
            n = B * T
            print(
                f"| {dtype} | {fmt(ours):>14} | {n / ours:9,.0f} | {fmt(theirs):>10} | {n / theirs:9,.0f} |"
                f" {theirs / ours:28.2f} |"
            )
    finally:
        for w in workers:
            w.close()


if __name__ == "__main__":
    main()
