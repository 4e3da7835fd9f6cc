"""The checking core: one record for a checked question, and one way to judge an answer, shared by the
notebooks' exercises (lstm_lab.exercises) and the homework questions (lstm_lab.homework).

- ``Question``: its cases, the right answer, the known mistakes with the messages that name them, the tolerance;
- ``Case`` (the arguments, what the case is, its sizes in the course's symbols) and ``Mistake`` (a known wrong
  answer and the message that names it);
- ``verdict(question, case, got)``: None when an answer is right; else the known mistake it matches, or where it
  differs from the right answer;
- ``differences(got, want, rtol)``: None when an answer matches, else where it differs (which entries, by how
  much; a shape in the course's symbols; nan or inf and where they come from); ``params_differences`` the same
  for LSTMParams, by gate and unit;
- ``explain_crash``: a crash retold, numpy's shape errors in the shapes of the case's arguments.

Where the answer is computed is the caller's business: an exercise runs the learner's function in the notebook's
own kernel; the homework's grader runs it in a sandbox and judges the outputs it sends back in its own process.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

import lstm_core
from lstm_core.params import LSTM_GATES


class NotWritten(Exception):
    """What a check reports for a function that still raises NotImplementedError."""


class Mistake(NamedTuple):
    message: str  # what the check says when the learner's answer matches this mistake
    answer: object  # what the mistake computes: a function with the learner's signature, or its answer on a case


@dataclass(frozen=True, eq=False)
class Case(Mapping):
    """One case of a question. It reads as its arguments: ``case["W"]`` is ``case.args["W"]``."""

    args: dict  # the keyword arguments the learner's function is called with (a fresh copy each time)
    about: str = ""  # what the case is, in a few words, said when it fails
    sizes: dict = field(default_factory=dict)  # the case's sizes in the course's symbols: {"B": 4, "H": 3, ...}
    shapes: dict = field(default_factory=dict)  # each array argument's shape, and the answer's, in those symbols

    def __getitem__(self, key):
        return self.args[key]

    def __iter__(self):
        return iter(self.args)

    def __len__(self):
        return len(self.args)


@dataclass(frozen=True)
class Question:
    """One checked question: a notebook's exercise or a homework question.

    The right answer is ``reference(case)``, or what ``solution`` (a function written the learner's way) answers.
    The known mistakes are a tuple of Mistake whose answers are functions written the learner's way, or a
    function ``case -> [Mistake(message, its answer on the case)]``. An answer is one value, the argument
    ``mutates`` changed in place, or a dict {output name: array} (``run`` says how to call the learner's function).
    """

    cases: object  # () -> list of Case (an exercise's, fixed); seed -> list of Case (a homework question's, drawn)
    reference: object = None  # case -> the right answer
    run: object = None  # (fn, case, forward) -> what fn answers; None: fn(**case.args) on copies of the arguments
    mistakes: object = ()  # the known mistakes (see above)
    reference_calls: tuple = ()  # dotted names of the course functions that answer it (the grader reports calls)
    judge: object = None  # (case, got) -> (ok, message), for a question without one right answer (a sampler)
    cases_text: str = ""  # what the cases cover, said when all pass
    solution: object = None  # the right answer as a function written the learner's way (instead of reference)
    signature: str = ""  # how the notebook defines the learner's function
    rtol: float = 1e-6
    mutates: str = ""  # the argument the function must change in place (its value is then the answer)
    in_place: str = ""  # how to change it in place, said when it comes back unchanged

    @property
    def function(self):
        return self.signature.split("(")[0] if self.signature else "your function"

    def answer(self, fn, case, forward=None):
        """What ``fn`` answers for ``case``: its outputs, or the argument it changed in place."""
        if self.run is not None:
            return self.run(fn, case, forward)
        args = copy_args(case.args)
        out = fn(**args)
        return args[self.mutates] if self.mutates else out

    def right_answer(self, case):
        if self.reference is not None:
            return self.reference(case)
        return self.answer(self.solution, case)

    def mistaken_answers(self, case):
        """(message, answer) of each known mistake on ``case``, in turn (one that cannot run on it is left out)."""
        if callable(self.mistakes):
            yield from self.mistakes(case)
            return
        for mistake in self.mistakes:
            try:
                with np.errstate(all="ignore"):
                    yield mistake.message, self.answer(mistake.answer, case)
            except Exception:  # a mistake that cannot even run on this case is not the learner's
                continue


def copy_args(args):
    return {k: (v.copy() if hasattr(v, "copy") else v) for k, v in args.items()}


def verdict(question, case, got, want=None):
    """None when ``got``, the learner's answer to ``case``, is right; otherwise what is wrong, in a sentence: the
    known mistake it matches, or where it differs from the right answer ``want`` (computed when not given)."""
    want = question.right_answer(case) if want is None else want
    problem = answer_differences(question, case, got, want)
    if problem is None:
        return None
    for message, theirs in question.mistaken_answers(case):
        if _matches(question, case, got, want, theirs):
            return message
    return problem


def answer_differences(question, case, got, want):
    """None when ``got`` matches ``want``; else where it differs (by output, by gate, or by entry)."""
    if isinstance(want, dict):
        return _outputs_differences(got, want, question.rtol)
    if question.mutates:
        name = question.mutates
        return params_differences(got, want, question.rtol, before=case.args[name], name=name)
    return differences(got, want, question.rtol, who=question.function, case=case)


def _outputs_differences(got, want, rtol):
    if not isinstance(got, dict):
        return f"expected the outputs {', '.join(want)}, got {_kind(got)}"
    missing = [key for key in want if got.get(key) is None]
    if missing:
        return f"no value for {missing[0]}"
    problems = {key: differences(got[key], ref, rtol, who=key) for key, ref in want.items()}
    bad = [key for key, problem in problems.items() if problem]
    if not bad:
        return None
    others = f" ({', '.join(bad[1:])} {'differs' if len(bad) == 2 else 'differ'} too)" if len(bad) > 1 else ""
    return f"{bad[0]} differs from the reference: {problems[bad[0]]}{others}"


def _matches(question, case, got, want, theirs):
    """Whether ``got`` is the mistake's answer ``theirs``: every output it gets wrong that the mistake gives is
    the mistake's (a mistake may give only the outputs it changes)."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or any(got.get(k) is None for k in want):
            return False
        bad = [k for k in want if differences(got[k], want[k], question.rtol) is not None]
        shared = [k for k in bad if k in theirs]
        return bool(shared) and all(differences(got[k], theirs[k], question.rtol) is None for k in shared)
    return answer_differences(question, case, got, theirs) is None


def differences(got, want, rtol, *, who="your function", case=None):
    """None when ``got`` matches ``want`` (to ``rtol``); otherwise where and how it differs, in a sentence."""
    if got is None:
        return f"{who} returned None: does every path through it end with `return ...`?"
    g = _numbers(got)
    w = np.asarray(want, dtype=np.float64)
    if g is None:
        return f"{who} returned {_kind(got)}; expected {_expected(w, case)}"
    if w.ndim == 0 and g.size == 1:  # one number, even inside an array of one entry
        g = g.reshape(())
    if g.shape != w.shape:
        return _shape_message(g.shape, w, case)
    bad = ~_close(g, w, rtol)
    if not bad.any():
        return None
    odd = bad & ~np.isfinite(g)
    if odd.any():
        return _non_finite_message(g, odd)
    return _entries_message(g, w, bad)


def _numbers(got):
    """``got`` as a float64 array, or None when it is not numbers (a string, an object, a ragged list)."""
    if isinstance(got, (str, bytes, dict)) or got is None:
        return None
    try:
        return np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _kind(got):
    text = repr(got)
    return f"a {type(got).__name__} ({text[:40]}{'...' if len(text) > 40 else ''})"


def _close(got, want, rtol):
    scale = float(np.max(np.abs(want[np.isfinite(want)]), initial=0))
    return np.isclose(got, want, rtol=rtol, atol=rtol * max(1e-12, scale), equal_nan=True)


def _expected(want, case):
    """How to say what the answer should be: one number, or an array of its shape in the course's symbols."""
    if want.ndim == 0:
        return "one number"
    return f"an array of shape {_answer_shape(want.shape, case)}"


def _answer_shape(shape, case):
    """The expected answer's shape, in the symbols the case gives it ("(B, H) = (4, 3)") when it has them."""
    spec = (case.shapes.get("answer") if case else None) or ""
    if case and spec in case.args:
        return f"{_named(shape, case.sizes)} (the shape of {spec})"
    if spec.startswith("(") and spec != "()":
        return f"{spec} = {_numbers_of(shape)}"
    return _named(shape, case.sizes if case else {})


def _shape_message(got_shape, want, case):
    sizes = case.sizes if case else {}
    if want.ndim == 0:
        return f"expected one number, got an array of shape {_named(got_shape, sizes)}"
    return f"expected shape {_answer_shape(want.shape, case)}, got {_named(got_shape, sizes)}"


def _numbers_of(shape):
    shape = tuple(int(n) for n in shape)
    return f"({', '.join(map(str, shape))}{',' if len(shape) == 1 else ''})"


def _named(shape, sizes):
    """A shape in the course's symbols where each size names one symbol: "(B, H) = (4, 3)"; else "(4, 3)"."""
    names = []
    for n in shape:
        match = [symbol for symbol, value in sizes.items() if value == n]
        if len(match) != 1:
            return _numbers_of(shape)
        names.append(match[0])
    if not names:
        return "()"
    return f"({', '.join(names)}{',' if len(names) == 1 else ''}) = {_numbers_of(shape)}"


def _entry(index):
    return "the answer" if not index else f"entry [{', '.join(str(int(i)) for i in index)}]"


def _pair(got, want):
    """got and expected as text with enough digits to tell them apart (4 significant, more if needed)."""
    for digits in range(4, 18):
        a, b = _num(got, digits), _num(want, digits)
        if a != b:
            return a, b
    return repr(float(got)), repr(float(want))


def _num(v, digits):
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    return f"{v:.{digits}g}"


def _entries_message(got, want, bad, label=_entry):
    """Which entries differ, by how much: the first one, how many, and the largest difference."""
    first = tuple(np.argwhere(bad)[0])
    a, b = _pair(got[first], want[first])
    if got.ndim == 0:
        return f"got {a}, expected {b} (a difference of {abs(float(got) - float(want)):.2g})"
    text = f"{label(first)}: got {a}, expected {b}"
    n_bad = int(bad.sum())
    if n_bad == 1:
        return f"{text}; every other entry of the {got.size} is right"
    diff = np.where(bad, np.abs(got - want), 0)
    worst = tuple(np.unravel_index(np.argmax(diff), diff.shape))
    return f"{text}; {n_bad} of {got.size} entries differ, the largest by {diff[worst]:.2g} (at {label(worst)})"


def _non_finite_message(got, odd):
    """Where the answer holds nan or inf instead of numbers, and where those usually come from."""
    nan = bool((np.isnan(got) & odd).any())
    kinds = " and ".join(k for k, present in (("nan", nan), ("inf", (np.isinf(got) & odd).any())) if present)
    if got.ndim == 0:
        text = f"got {kinds} where a finite number belongs"
    else:
        first = _entry(tuple(np.argwhere(odd)[0]))
        text = f"{int(odd.sum())} of {got.size} entries are {kinds} where finite numbers belong, the first at {first}"
    if nan:
        return f"{text}: nan (not a number) comes from 0 / 0, inf / inf, inf - inf or the log of a negative number"
    return f"{text}: inf comes from an overflow (e^x for x above 709) or a division by 0"


def params_differences(got, want, rtol, *, before=None, name="p"):
    """None when the LSTMParams ``got`` and ``want`` hold the same W and b; else where they differ, by gate."""
    if not isinstance(got, lstm_core.LSTMParams):
        return f"{name} is {_kind(got)}, not an LSTMParams"
    H = want.hidden_size
    for key in ("W", "b"):
        g, w = getattr(got, key), getattr(want, key)
        if g.shape != w.shape:
            return f"{name}.{key} has shape {g.shape}, expected {w.shape}"
        bad = ~_close(g.astype(np.float64), w.astype(np.float64), rtol)
        if not bad.any():
            continue
        blocks = sorted({int(i[0]) // H for i in np.argwhere(bad)})
        where = " and ".join(f"{key}_{LSTM_GATES[k]}" for k in blocks)
        if before is not None and np.array_equal(g, getattr(before, key)):
            return f"{name}.{key} is unchanged, and {where} should change"

        def label(index, key=key):
            gate, unit = LSTM_GATES[int(index[0]) // H], int(index[0]) % H
            at = f"{key}[{', '.join(str(int(i)) for i in index)}]"
            return f"{at} ({key}_{gate}, unit {unit})"

        return f"{name}.{key} differs in {where}: " + _entries_message(g, w, bad, label)
    return None


# --- a crash, retold ------------------------------------------------------------------------------------------
def explain_crash(err, function, case):
    """What the crash says, with numpy's shape errors retold in the shapes of the case's arguments."""
    plain, about_shapes = _plain_error(str(err), case.sizes)
    message = f"{function} raised {type(err).__name__}: {plain or err}"
    if about_shapes and case.shapes:
        message += f". The arguments: {_arguments(case)}"
    return message


_SHAPE = r"\(([\d,\s]*)\)"


def _shape_of(text):
    return tuple(int(n) for n in text.replace(" ", "").split(",") if n)


def _size(n, sizes):
    match = [symbol for symbol, value in sizes.items() if value == n]
    return f"{n} ({match[0]})" if len(match) == 1 else str(n)


def _broadcast(m, sizes):
    shapes = [_shape_of(s) for s in re.findall(_SHAPE, m.group(1))]
    a, b = shapes[0], shapes[1] if len(shapes) > 1 else ()
    clash = next(((x, y) for x, y in zip(a[::-1], b[::-1], strict=False) if x != y and 1 not in (x, y)), None)
    why = f", and {_size(clash[0], sizes)} does not fit {_size(clash[1], sizes)}" if clash else ""
    return (
        f"arrays of shapes {_named(a, sizes)} and {_named(b, sizes)} cannot be combined entry by entry: their "
        f"shapes are lined up from the right{why} (only equal sizes, or a size of 1, fit)"
    )


def _write_into(m, sizes):
    a, b = _shape_of(m.group(1)), _shape_of(m.group(2))
    return f"an array of shape {_named(a, sizes)} cannot be written into a place of shape {_named(b, sizes)}"


def _matmul(m, sizes):
    right, left = int(m.group(1)), int(m.group(2))
    return (
        f"a matrix product needs the left array's last size to equal the right array's first, and here the "
        f"left's last is {_size(left, sizes)} and the right's first is {_size(right, sizes)}"
    )


def _not_aligned(m, sizes):
    a, b = _shape_of(m.group(1)), _shape_of(m.group(2))
    return (
        f"a matrix product of shapes {_named(a, sizes)} and {_named(b, sizes)} needs the first's last size "
        "to equal the second's first"
    )


def _concatenate(m, sizes):
    axis, x, y = (int(g) for g in m.groups())
    return (
        f"np.concatenate joins arrays along one axis, and all their other sizes must match: along axis {axis} "
        f"they are {_size(x, sizes)} and {_size(y, sizes)}"
    )


# numpy's errors, each retold: (pattern, its retelling (match, sizes) -> text, whether it is about shapes)
_RETOLD = (
    (r"could not be broadcast together with shapes (.*?)(?:\s*with remapped|$)", _broadcast, True),
    (rf"could not broadcast input array from shape {_SHAPE} into shape {_SHAPE}", _write_into, True),
    (r"matmul.*\(size (\d+) is different from (\d+)\)", _matmul, True),
    (rf"shapes {_SHAPE} and {_SHAPE} not aligned", _not_aligned, True),
    (
        r"along dimension (\d+), the array at index \d+ has size (\d+) and the array at index \d+ has size (\d+)",
        _concatenate,
        True,
    ),
    (
        r"array at index \d+ has (\d+) dimension\(s\) and the array at index \d+ has (\d+) dimension",
        lambda m, sizes: f"np.concatenate got arrays with {m.group(1)} and {m.group(2)} axes: they need as many",
        True,
    ),
    (
        r"truth value of an array",
        lambda m, sizes: (
            "Python's `if`, `and`, `or`, max() or min() got a whole array where it needs one number or one "
            "True/False: use numpy's np.max, np.min, np.any or np.all, which work on whole arrays"
        ),
        False,
    ),
    (
        r"can be converted to Python scalars",
        lambda m, sizes: (
            "math.exp, math.log, float() and int() take one number, and got an array: use np.exp, np.log, ..., "
            "which work entry by entry on a whole array"
        ),
        False,
    ),
    (
        r"index (-?\d+) is out of bounds for axis \d+ with size 0",
        lambda m, sizes: (
            f"entry {m.group(1)} of an empty array: a search that found nothing (np.flatnonzero, np.nonzero, "
            "np.where) gives an empty array, and it has no entries to take"
        ),
        False,
    ),
    (
        r"iteration over a 0-d array",
        lambda m, sizes: "a loop over a single number (a 0-d array): numpy's functions work on it without a loop",
        False,
    ),
)


def retold(err, sizes=None):
    """The text of the exception ``err``, numpy's shape errors retold in plain words (sizes: {symbol: size})."""
    plain, _ = _plain_error(str(err), sizes or {})
    return plain or str(err)


def _plain_error(text, sizes):
    """(numpy's error in plain words, whether it is about shapes), or (None, False) for other errors."""
    for pattern, retell, about_shapes in _RETOLD:
        m = re.search(pattern, text, re.S)
        if m:
            return retell(m, sizes), about_shapes
    return None, False


def _arguments(case):
    """The case's arguments and the answer, each with its shape in the course's symbols."""
    parts = []
    for key, value in case.args.items():
        if isinstance(value, np.ndarray):
            spec = case.shapes.get(key)
            parts.append(f"{key} is {spec} = {_numbers_of(value.shape)}" if spec else f"{key} is {value.shape}")
    answer = case.shapes.get("answer")
    if answer == "()":
        parts.append("and the answer is one number")
    elif answer in case.args:
        parts.append(f"and the answer has the shape of {answer}")
    elif answer:
        want = tuple(case.sizes[s.strip()] for s in answer.strip("()").split(",") if s.strip())
        parts.append(f"and the answer is {answer} = {_numbers_of(want)}")
    return ", ".join(parts)
