"""Timing that holds on a shared machine: the minimum of repeated, interleaved timings.

On a machine that also runs other work (Binder, Colab, a busy laptop), a timing is the function's own time plus
whatever the machine did meanwhile. The extra time is never negative, so the fastest of several repeats is the
best estimate of the function's own time. Taking the repeats in turns (a, b, c, a, b, c, ...) rather than
one function at a time (a, a, a, b, b, b, ...) gives a slow spell of the machine to every candidate instead of
to whichever one was running: the comparison between them holds even when the machine's speed drifts. The
default clock is the processor time of this program (time.process_time): it leaves out the time the program
waits while other programs use the processor, which wall-clock time counts. In the browser (Pyodide) there is
no processor time: time.process_time() stays at 0, so there the default clock is wall-clock time
(time.perf_counter), the only clock the browser's Python has.

    from lstm_lab.timing import min_time
    t = min_time({T: (lambda xs=xs: forward(xs)) for T, xs in inputs.items()}, repeats=5)   # {T: seconds}
"""

import gc
import math
import sys
import time

# the clock min_time reads by default: processor time, but wall-clock time in the browser, where processor time
# stands still (Pyodide's time.process_time() returns 0.0 at every call)
DEFAULT_CLOCK = time.perf_counter if sys.platform == "emscripten" else time.process_time
STILL = 1.0  # seconds of wall-clock time after which a clock that has not moved is said to stand still


def clock_tick(clock):
    """The step by which ``clock`` (a function returning seconds) advances: well under a microsecond for
    time.process_time on Linux and macOS, far coarser on some systems. Measured by watching it change; a
    ValueError when it does not change for a second of wall-clock time (a clock that stands still)."""
    start = time.perf_counter()

    def next_reading(t):
        while (u := clock()) == t:
            if time.perf_counter() - start > STILL:
                raise ValueError(f"clock: expected a clock that advances, but {clock!r} stayed at {t!r} for {STILL} s")
        return u

    t1 = next_reading(clock())
    t2 = next_reading(t1)
    return t2 - t1


def min_time(fns, repeats=5, *, number=1, warmup=1, clock=DEFAULT_CLOCK):
    """Each function's fastest time in seconds, over ``repeats`` rounds that call every function in turn.

    Inputs:
        fns: a dict {name: function} or a list of functions; each is called with no arguments
        repeats: rounds; round r calls every function once, starting with the r-th (the order rotates, so
            no function always runs first or always after the same neighbour)
        number: calls per timing (for functions too quick for the clock); the time returned is per call.
            None: as many as make each timing last at least 20 ticks of the clock (from one untimed call)
        warmup: untimed calls of each function first (the first call pays for allocations and caches)
        clock: the clock read before and after each timing (time.process_time; time.perf_counter for wall time;
            the default is DEFAULT_CLOCK: processor time, or wall-clock time in the browser)
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
    checks = [("repeats", repeats, 1), ("warmup", warmup, 0)] + ([("number", number, 1)] if number is not None else [])
    for arg, value, least in checks:
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"{arg}: expected an integer of at least {least}, got {value!r}")
    for _ in range(warmup):
        for _, fn in items:
            fn()
    numbers = [number] * len(items) if number is not None else _enough_calls(items, clock)
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
                for _ in range(numbers[j]):
                    fn()
                seconds = (clock() - t0) / numbers[j]
            finally:
                if gc_was_on:
                    gc.enable()
            best[j] = min(best[j], seconds)
    if named:
        return {key: best[j] for j, (key, _) in enumerate(items)}
    return best


def _enough_calls(items, clock):
    """For each function, the calls a timing needs to last at least 20 ticks of ``clock`` (one untimed call each)."""
    shortest = 20 * clock_tick(clock)
    out = []
    for _, fn in items:
        t0 = clock()
        fn()
        out.append(max(1, math.ceil(shortest / max(clock() - t0, 1e-9))))
    return out
