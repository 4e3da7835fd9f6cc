"""Timing that holds on a shared machine: the minimum of repeated, interleaved timings.

On a machine that also runs other work (Binder, Colab, a busy laptop), a timing is the function's own time plus
whatever the machine did meanwhile. The extra time is never negative, so the fastest of several repeats is the
best estimate of the function's own time. Taking the repeats in turns (a, b, c, a, b, c, ...) rather than
one function at a time (a, a, a, b, b, b, ...) gives a slow spell of the machine to every candidate instead of
to whichever one was running: the comparison between them holds even when the machine's speed drifts.

    from lstm_lab.timing import min_time
    t = min_time({T: (lambda xs=xs: forward(xs)) for T, xs in inputs.items()}, repeats=5)   # {T: seconds}
"""

import gc
import time


def min_time(fns, repeats=5, *, number=1, warmup=1, clock=time.perf_counter):
    """Each function's fastest time in seconds, over ``repeats`` rounds that call every function in turn.

    Inputs:
        fns: a dict {name: function} or a list of functions; each is called with no arguments
        repeats: rounds; round r calls every function once, starting with the r-th (the order rotates, so
            no function always runs first or always after the same neighbour)
        number: calls per timing (for functions too quick for the clock); the time returned is per call
        warmup: untimed calls of each function first (the first call pays for allocations and caches)
        clock: the clock read before and after each timing (time.perf_counter)
    Returns:
        {name: seconds} for a dict, [seconds, ...] in the same order for a list. The garbage collector is
        paused during each timing, as in the standard library's timeit.
    """
    named = isinstance(fns, dict)
    items = list(fns.items()) if named else list(enumerate(fns)) if isinstance(fns, list | tuple) else None
    if not items:
        raise ValueError(f"fns: expected a non-empty dict or list of functions, got {fns!r}")
    for key, fn in items:
        if not callable(fn):
            raise TypeError(f"fns: expected functions, got {type(fn).__name__} for {key!r}")
    for arg, value, least in (("repeats", repeats, 1), ("number", number, 1), ("warmup", warmup, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"{arg}: expected an integer of at least {least}, got {value!r}")
    for _ in range(warmup):
        for _, fn in items:
            fn()
    best = [float("inf")] * len(items)
    n = len(items)
    for r in range(repeats):
        for k in range(n):
            j = (r + k) % n
            fn = items[j][1]
            gc_was_on = gc.isenabled()
            gc.disable()
            try:
                t0 = clock()
                for _ in range(number):
                    fn()
                seconds = (clock() - t0) / number
            finally:
                if gc_was_on:
                    gc.enable()
            best[j] = min(best[j], seconds)
    if named:
        return {key: best[j] for j, (key, _) in enumerate(items)}
    return best
