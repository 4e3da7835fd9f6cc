"""The classic bugs of from-scratch LSTMs, as one-line changes to lstm_core's own step functions.

The test suite plants each one and checks that the tests fail; the homework checks run them to
recognise a student's mistake by its fingerprint and say what it is.
"""

import importlib.util
import inspect
import sys

import lstm_core.lstm as _lstm

# name: (line in lstm_core/lstm.py, the buggy line, feedback for a student whose answer matches it)
STEP_BUGS = {
    "no output tanh": (
        "    h_t = o_t * tanh_c  #",
        "    h_t = o_t * c_t  #",
        "h differs from the reference but C matches: is h = o * tanh(C)? (the output needs its tanh)",
    ),
    "sigmoid for its derivative": (
        "    da_f = df_t * dsigmoid_from_output(f_t)",
        "    da_f = df_t * f_t",
        "dW differs in the forget-gate rows: the sigmoid's derivative is s * (1 - s), not s",
    ),
    "dc_prev not passed back": (
        "    dc_prev = dc_t * f_t  #",
        "    dc_prev = 0 * dc_t  #",
        "dc_prev is zero: the cell gradient must flow back to C_{t-1}, multiplied by f_t",
    ),
    "dh_prev not passed back": (
        "    dh_prev, dx = dhx[:, :H], dhx[:, H:]",
        "    dh_prev, dx = 0 * dhx[:, :H], dhx[:, H:]",
        "dh_prev is zero: h_{t-1} feeds every gate through W, so it gets gradient W_h^T da",
    ),
    "cell gradient misses the h path": (
        "    dc_t = dc + dh * o_t * dtanh(tanh_c)",
        "    dc_t = dc + 0 * dh",
        "dc_prev differs from the reference: did the cell gradient get the part that flows through h "
        "(dh * o * (1 - tanh(C)^2))?",
    ),
    "cell gradient misses the next-cell path": (
        "    dc_t = dc + dh * o_t * dtanh(tanh_c)",
        "    dc_t = dh * o_t * dtanh(tanh_c)",
        "dc_prev differs from the reference: did you add the dc arriving from the next step?",
    ),
}


def load_mutant(module, old, new):
    """A copy of ``module`` with the source text ``old`` (which must occur exactly once) replaced by ``new``."""
    src = inspect.getsource(module)
    n = src.count(old)
    if n != 1:
        raise ValueError(f"old: the mutation target {old!r} occurs {n} times in {module.__name__}, expected once")
    name = f"{module.__name__}_mutant"
    mod = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    mod.__package__ = module.__package__
    sys.modules[name] = mod  # dataclasses look the module up while a class is built
    try:
        exec(compile(src.replace(old, new), f"<mutant of {module.__name__}>", "exec"), mod.__dict__)
    finally:
        del sys.modules[name]
    return mod


def step_bug(name):
    """lstm_core.lstm with the bug ``name`` (a key of STEP_BUGS) planted."""
    old, new, _ = STEP_BUGS[name]
    return load_mutant(_lstm, old, new)
