"""The classic bugs of from-scratch LSTMs, as one-statement changes to lstm_core's own step functions.

The test suite plants each one and checks that the tests fail; the homework checks run them to
recognise a student's mistake by its fingerprint and say what it is.

A mutation names the statement it replaces by its code (``h_t = o_t * tanh_c``), compared as Python code
(``ast``): comments, spacing and line breaks do not matter, so rewording a comment in lstm.py cannot move a
planted bug. Rewriting the statement itself (another variable name, another formula) makes ``load_mutant``
raise, naming the statement it no longer finds, and the tests that plant it fail loudly.
"""

import ast
import functools
import importlib.util
import inspect
import sys
import textwrap

import lstm_core.lstm as _lstm

# name: (statement in lstm_core/lstm.py, the buggy statement, feedback for a student whose answer matches it)
STEP_BUGS = {
    "no output tanh": (
        "h_t = o_t * tanh_c",
        "h_t = o_t * c_t",
        "h differs from the reference but C matches: is h = o * tanh(C)? (the output needs its tanh)",
    ),
    "sigmoid for its derivative": (
        "da_f = df_t * dsigmoid_from_output(f_t)",
        "da_f = df_t * f_t",
        "dW differs in the forget-gate rows: the sigmoid's derivative is s * (1 - s), not s",
    ),
    "dc_prev not passed back": (
        "dc_prev = dc_t * f_t",
        "dc_prev = 0 * dc_t",
        "dc_prev is zero: the cell gradient must flow back to C_{t-1}, multiplied by f_t",
    ),
    "dh_prev not passed back": (
        "dh_prev, dx = dhx[:, :H], dhx[:, H:]",
        "dh_prev, dx = 0 * dhx[:, :H], dhx[:, H:]",
        "dh_prev is zero: h_{t-1} feeds every gate through W, so it gets gradient W_h^T da",
    ),
    "cell gradient misses the h path": (
        "dc_t = dc + dh * o_t * dtanh(tanh_c)",
        "dc_t = dc + 0 * dh",
        "dc_prev differs from the reference: did the cell gradient get the part that flows through h "
        "(dh * o * (1 - tanh(C)^2))?",
    ),
    "cell gradient misses the next-cell path": (
        "dc_t = dc + dh * o_t * dtanh(tanh_c)",
        "dc_t = dh * o_t * dtanh(tanh_c)",
        "dc_prev differs from the reference: did you add the dc arriving from the next step?",
    ),
}


def _one_statement(name, code):
    """``code`` parsed as exactly one statement, or a ValueError naming the argument."""
    try:
        body = ast.parse(textwrap.dedent(code)).body
    except SyntaxError as e:
        raise ValueError(f"{name}: expected one Python statement, got {code!r} ({e.msg})") from None
    if len(body) != 1:
        raise ValueError(f"{name}: expected one Python statement, got {len(body)} in {code!r}")
    return body[0]


def load_mutant(module, old, new):
    """A copy of ``module`` with the statement ``old`` (which must occur exactly once, compared as code: comments
    and spacing ignored) replaced by the statement ``new``."""
    want = ast.dump(_one_statement("old", old))
    replacement = _one_statement("new", new)
    tree = ast.parse(inspect.getsource(module))
    hits = [
        (body, k)
        for node in ast.walk(tree)
        for _, body in ast.iter_fields(node)
        if isinstance(body, list)
        for k, child in enumerate(body)
        if isinstance(child, ast.stmt) and ast.dump(child) == want
    ]
    if len(hits) != 1:
        raise ValueError(
            f"old: the mutation target {old!r} occurs {len(hits)} times in {module.__name__}, expected once"
        )
    body, k = hits[0]
    body[k] = ast.fix_missing_locations(ast.copy_location(replacement, body[k]))
    ast.fix_missing_locations(tree)
    name = f"{module.__name__}_mutant"
    mod = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    mod.__package__ = module.__package__
    sys.modules[name] = mod  # dataclasses look the module up while a class is built
    try:
        exec(compile(tree, f"<mutant of {module.__name__}>", "exec"), mod.__dict__)
    finally:
        del sys.modules[name]
    return mod


@functools.cache
def step_bug(name):
    """lstm_core.lstm with the bug ``name`` (a key of STEP_BUGS) planted; built once, from the source as it is
    then (the grader builds every one before any submission runs: homework/judging.py)."""
    old, new, _ = STEP_BUGS[name]
    return load_mutant(_lstm, old, new)
