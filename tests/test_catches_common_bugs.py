"""The bugs found in public from-scratch LSTMs, planted in a copy of lstm_core's own source: each must be caught.

Each mutant replaces one line of the real code with the buggy one; the same checks that pass on
lstm_core (test_lstm_gradients.py) must fail on the mutant. Both paths are mutated: the step bugs (in
lstm_core/lstm.py) reach the readable sequence functions, which loop over the steps, and the sequence bugs
are planted into the fast path (lstm_core/fast.py).
"""

import importlib

import pytest
from helpers import lstm_sequence_errors, lstm_step_errors, make_case

import lstm_core.fast as F
import lstm_core.lstm as L
import lstm_lab.bugs
from lstm_lab.bugs import load_mutant

# the step bugs live in lstm_lab.bugs (the homework checks use the same catalogue);
# (name, which check must fail)
STEP_BUGS = [
    ("no output tanh", "h"),
    ("sigmoid for its derivative", "dW"),
    ("dc_prev not passed back", "dc_prev"),
    ("dh_prev not passed back", "dh_prev"),
    ("cell gradient misses the h path", "dc_prev"),
    ("cell gradient misses the next-cell path", "dc_prev"),
]

FAST_BUGS = [
    (
        "output without tanh: h = o*c",
        "np.multiply(o, tcs[t], out=z[t + 1, :H])",
        "np.multiply(o, cs[t], out=z[t + 1, :H])",
        "h",
    ),
    (
        "sigmoid used in place of its derivative",
        "sig = np.subtract(1.0, g[:, : 3 * H], out=da[:, : 3 * H])",
        "sig = np.copyto(da[:, : 3 * H], 1.0) or da[:, : 3 * H]",
        "dW",
    ),
    ("dh_prev not carried back through time", "np.matmul(Wh_T, da_t, out=dh_next)", "dh_next[...] = 0", "dW"),
    ("dc_prev not carried back through time", "np.multiply(dc_t, f[t], out=dc_next)", "dc_next[...] = 0", "dW"),
    ("cell gradient not accumulated from the next cell", "dc_t += dc_next", "pass", "dW"),
    (
        "cell gradient not accumulated from the h path",
        "np.multiply(dh_t, o_dtc[t - t0], out=dc_t)",
        "dc_t[...] = 0",
        "dW",
    ),
]


# what the readable sequence functions get wrong when the step carries the bug (their own checks)
STEP_BUG_IN_SEQUENCE = {
    "no output tanh": "h",
    "sigmoid for its derivative": "dW",
    "dc_prev not passed back": "dW",
    "dh_prev not passed back": "dW",
    "cell gradient misses the h path": "dW",
    "cell gradient misses the next-cell path": "dW",
}


@pytest.mark.parametrize("module", [L, F], ids=["readable", "fast"])
def test_the_real_code_passes_the_checks_the_mutants_fail(module):
    case = make_case(5, 2, 3, 4, seed=1)
    assert max(lstm_step_errors(L, case).values()) < 1e-6
    assert max(lstm_sequence_errors(module, case).values()) < 1e-6


@pytest.mark.parametrize("name,check", STEP_BUGS, ids=[b[0] for b in STEP_BUGS])
def test_step_bug_is_caught(name, check):
    errs = lstm_step_errors(lstm_lab.bugs.step_bug(name), make_case(5, 2, 3, 4, seed=1))
    assert errs[check] > 1e-3, errs


@pytest.mark.parametrize("name", list(STEP_BUG_IN_SEQUENCE))
def test_step_bug_is_caught_in_the_readable_sequence_functions(name):
    errs = lstm_sequence_errors(lstm_lab.bugs.step_bug(name), make_case(5, 2, 3, 4, seed=1))
    assert errs[STEP_BUG_IN_SEQUENCE[name]] > 1e-3, errs


@pytest.mark.parametrize("name,old,new,check", FAST_BUGS, ids=[b[0] for b in FAST_BUGS])
def test_fast_path_bug_is_caught(name, old, new, check):
    errs = lstm_sequence_errors(load_mutant(F, old, new), make_case(5, 2, 3, 4, seed=1))
    assert errs[check] > 1e-3, errs


def test_mutants_do_not_leak_into_lstm_core():
    load_mutant(F, "dc_t += dc_next", "pass")
    lstm_lab.bugs.step_bug("no output tanh")
    for module in (L, F):
        assert max(lstm_sequence_errors(module, make_case(3, 1, 2, 2, seed=0)).values()) < 1e-6


@pytest.mark.parametrize(
    "line, found",
    [
        ("    h_t = o_t * tanh_c  # hidden state", True),
        ("    h_t = o_t*tanh_c   # the comment reworded, the spacing changed", True),
        ("    h_t = (o_t\n           * tanh_c)", True),
        ("    h_t = o_t * np.tanh(c_t)  # the statement itself rewritten", False),
    ],
)
def test_a_planted_bug_finds_its_statement_by_its_code_and_says_so_when_it_cannot(tmp_path, monkeypatch, line, found):
    name = f"cell_for_mutation_{abs(hash(line))}"
    (tmp_path / f"{name}.py").write_text(f"def step(o_t, tanh_c, c_t):\n{line}\n    return h_t\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(name)
    if found:
        assert load_mutant(module, "h_t = o_t * tanh_c", "h_t = o_t * c_t").step(2.0, 0.5, 3.0) == 6.0
    else:
        with pytest.raises(ValueError, match="occurs 0 times"):
            load_mutant(module, "h_t = o_t * tanh_c", "h_t = o_t * c_t")


def test_every_catalogued_bug_still_finds_its_statement_in_lstm_py():
    for name in lstm_lab.bugs.STEP_BUGS:
        assert lstm_lab.bugs.step_bug(name) is not None, name
    with pytest.raises(ValueError, match="old: expected one Python statement"):
        load_mutant(L, "h_t = o_t *", "h_t = 0")
