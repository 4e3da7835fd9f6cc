"""The notebooks' coding exercises: wrong answers, written as a learner would write them, get a verdict of
wrong and a message that names the mistake or shows where the answer differs; right answers written
differently from the reference pass; a blank does not stop the notebook; and the model solution shown under
each exercise passes its check.

Every exercise needs at least three planted wrong answers and one alternative right answer here
(``test_every_exercise_has_planted_wrong_answers_and_an_alternative_right_one``)."""

import contextlib
import copy
import io
import json
import math
import pathlib
import re

import numpy as np
import pytest

import lstm_core
from lstm_core import charlm
from lstm_lab import scenarios
from lstm_lab.exercises import EXERCISES, check

ROOT = pathlib.Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MISTAKES = [(name, k) for name, ex in EXERCISES.items() for k in range(len(ex.mistakes))]

WRONG = {name: [] for name in EXERCISES}  # name -> [(the learner's wrong function, a part of the message)]
RIGHT = {name: [] for name in EXERCISES}  # name -> [a right function written differently from the reference]


def wrong(name, says):
    def plant(fn):
        WRONG[name].append((fn, says))
        return fn

    return plant


def right(name):
    def plant(fn):
        RIGHT[name].append(fn)
        return fn

    return plant


def sig(z):
    return 1 / (1 + np.exp(-z))


# --- 00 sigmoid -----------------------------------------------------------------------------------------------
@wrong("sigmoid", "that is sigma(-a)")
def sigmoid_plus_sign(a):
    return 1 / (1 + np.exp(a))


@wrong("sigmoid", "that is sigma(-a)")
def sigmoid_as_ratio_of_the_wrong_exponentials(a):
    return np.exp(-a) / (1 + np.exp(-a))


@wrong("sigmoid", "the denominator is 1 + e^(-a), not 1 - e^(-a)")
def sigmoid_minus(a):
    return 1 / (1 - np.exp(-a))


@wrong("sigmoid", "that is tanh(a)")
def sigmoid_tanh(a):
    return np.tanh(a)


@wrong("sigmoid", "the 1 in 1 + e^(-a) is missing")
def sigmoid_without_the_one(a):
    return 1 / np.exp(-a)


@wrong("sigmoid", "use np.exp, np.log")
def sigmoid_with_math_exp(a):
    return 1 / (1 + math.exp(-a))


@wrong("sigmoid", "expected shape (3, 4) (the shape of a), got (12,)")
def sigmoid_flattened(a):
    return np.array([1 / (1 + np.exp(-v)) for v in np.ravel(a)])


@wrong("sigmoid", "changed its argument a")
def sigmoid_in_place(a):
    a *= -1
    np.exp(a, out=a)
    return 1 / (1 + a)


@wrong("sigmoid", "entry [0]: got 0.05, expected 0.04743; 4 of 5 entries differ")
def sigmoid_rounded(a):
    return np.round(1 / (1 + np.exp(-a)), 2)


@right("sigmoid")
def sigmoid_from_e_to_the_a(a):
    return np.exp(a) / (1 + np.exp(a))


@right("sigmoid")
def sigmoid_from_tanh(a):
    return 0.5 * (1 + np.tanh(a / 2))


# --- 01 per-step factor ---------------------------------------------------------------------------------------
@wrong("per-step factor", "that is the whole ratio")
def factor_without_root(norms):
    return norms[0] / norms[-1]


@wrong("per-step factor", "there are T - 1 steps")
def factor_over_T(norms):
    return (norms[0] / norms[-1]) ** (1 / len(norms))


@wrong("per-step factor", "upside down")
def factor_upside_down(norms):
    return (norms[-1] / norms[0]) ** (1 / (len(norms) - 1))


@wrong("per-step factor", "take the geometric mean")
def factor_arithmetic_mean(norms):
    ratios = [norms[t] / norms[t + 1] for t in range(len(norms) - 1)]
    return sum(ratios) / len(ratios)


@wrong("per-step factor", "(a difference of")
def factor_precedence(norms):
    return (norms[0] / norms[-1]) ** 1 / (len(norms) - 1)


@wrong("per-step factor", "expected one number, got an array of shape (T - 1,) = (59,)")
def factor_per_step_ratios(norms):
    return norms[:-1] / norms[1:]


@wrong("per-step factor", "got 0.7967, expected 0.7998")
def factor_over_T_minus_2(norms):
    return (norms[0] / norms[-1]) ** (1 / (len(norms) - 2))


@wrong("per-step factor", "got nan where a finite number belongs: nan (not a number) comes from 0 / 0")
def factor_from_differences(norms):
    return np.exp(np.mean(np.log(norms[:-1] - norms[1:])))


@right("per-step factor")
def factor_in_log_space(norms):
    return float(np.exp(np.log(norms[0] / norms[-1]) / (len(norms) - 1)))


@right("per-step factor")
def factor_from_the_step_ratios(norms):
    back = np.log(np.asarray(norms)[::-1])
    return np.exp(np.mean(np.diff(back)))


# --- 02 forget gate ---------------------------------------------------------------------------------------------
@wrong("forget gate", "you stacked [x_t, h_(t-1)]")
def gate_x_first(x, h_prev, W_f, b_f):
    return sig(np.concatenate([x, h_prev], axis=1) @ W_f.T + b_f)


@wrong("forget gate", "you stacked [x_t, h_(t-1)]")
def gate_split_weights_x_first(x, h_prev, W_f, b_f):
    D = x.shape[1]
    return sig(x @ W_f[:, :D].T + h_prev @ W_f[:, D:].T + b_f)


@wrong("forget gate", "not tanh")
def gate_tanh(x, h_prev, W_f, b_f):
    return np.tanh(np.concatenate([h_prev, x], axis=1) @ W_f.T + b_f)


@wrong("forget gate", "the bias is missing")
def gate_no_bias(x, h_prev, W_f, b_f):
    return sig(np.concatenate([h_prev, x], axis=1) @ W_f.T)


@wrong("forget gate", "the bias goes inside the sigmoid")
def gate_bias_outside(x, h_prev, W_f, b_f):
    return sig(np.concatenate([h_prev, x], axis=1) @ W_f.T) + b_f


@wrong("forget gate", "is sigma(-z) = 1 - f_t")
def gate_own_sigmoid_sign(x, h_prev, W_f, b_f):
    z = np.concatenate([h_prev, x], axis=1) @ W_f.T + b_f
    return 1 / (1 + np.exp(z))


@wrong("forget gate", "x_t's term is missing")
def gate_h_only(x, h_prev, W_f, b_f):
    H = h_prev.shape[1]
    return sig(h_prev @ W_f[:, :H].T + b_f)


@wrong(
    "forget gate", "the left's last is 5 (H + D) and the right's first is 3 (H). The arguments: x is (B, D) = (4, 2)"
)
def gate_no_transpose(x, h_prev, W_f, b_f):
    return sig(np.concatenate([h_prev, x], axis=1) @ W_f + b_f)


@wrong("forget gate", "along axis 1 they are 3 (H) and 2 (D)")
def gate_concatenate_on_the_batch_axis(x, h_prev, W_f, b_f):
    return sig(np.concatenate([h_prev, x]) @ W_f.T + b_f)


@wrong("forget gate", "arrays of shapes (H, B) = (3, 4) and (H,) = (3,) cannot be combined entry by entry")
def gate_column_vectors(x, h_prev, W_f, b_f):
    hx = np.concatenate([h_prev, x], axis=1)
    return sig(W_f @ hx.T + b_f)


@wrong("forget gate", "expected shape (B, H) = (4, 3), got (H, B) = (3, 4)")
def gate_transposed(x, h_prev, W_f, b_f):
    hx = np.concatenate([h_prev, x], axis=1)
    return sig(W_f @ hx.T + b_f[:, None])


@wrong("forget gate", "expected shape (B, H) = (4, 3), got (H,) = (3,)")
def gate_first_sequence_only(x, h_prev, W_f, b_f):
    return sig(W_f @ np.concatenate([h_prev[0], x[0]]) + b_f)


@right("forget gate")
def gate_split_weights(x, h_prev, W_f, b_f):
    H = h_prev.shape[1]
    return lstm_core.sigmoid(h_prev @ W_f[:, :H].T + x @ W_f[:, H:].T + b_f)


@right("forget gate")
def gate_columns_then_transpose(x, h_prev, W_f, b_f):
    hx = np.hstack([h_prev, x])
    return sig((W_f @ hx.T).T + b_f)


@right("forget gate")
def gate_einsum(x, h_prev, W_f, b_f):
    return sig(np.einsum("hk,bk->bh", W_f, np.concatenate([h_prev, x], axis=-1)) + b_f)


# --- 03 memory length -------------------------------------------------------------------------------------------
@wrong("memory length", "not a half")
def memory_half(norms):
    back = norms[::-1]
    below = np.flatnonzero(back < back[0] / 2)
    return int(below[0]) if below.size else len(norms)


@wrong("memory length", "count back from the last step")
def memory_from_the_start(norms):
    for t in range(len(norms)):
        if norms[t] < norms[-1] / np.e:
            return t
    return len(norms)


@wrong("memory length", "off by one")
def memory_counting_from_one(norms):
    back = norms[::-1]
    below = np.flatnonzero(back < back[0] / np.e)
    return int(below[0]) + 1 if below.size else len(norms)


@wrong("memory length", "not at the first")
def memory_first_step_reference(norms):
    below = np.flatnonzero(norms[::-1] < norms[0] / np.e)
    return int(below[0]) if below.size else len(norms)


@wrong("memory length", "not with 1/e itself")
def memory_absolute_threshold(norms):
    below = np.flatnonzero(norms[::-1] < 1 / np.e)
    return int(below[0]) if below.size else len(norms)


@wrong(
    "memory length", "never falls below 1/e of its last value: return len(norms) then (the memory outlasts it), not 0"
)
def memory_argmax_without_fallback(norms):
    back = norms[::-1]
    return int(np.argmax(back < back[0] / np.e))


@wrong("memory length", "raised IndexError: entry 0 of an empty array: a search that found nothing")
def memory_without_fallback(norms):
    back = norms[::-1]
    return int(np.flatnonzero(back < back[0] / np.e)[0])


@wrong("memory length", "memory_length returned None: does every path through it end with `return ...`?")
def memory_loop_without_fallback(norms):
    for k in range(len(norms)):
        if norms[len(norms) - 1 - k] < norms[-1] / np.e:
            return k


@wrong("memory length", "return len(norms) then (the memory outlasts it), not inf")
def memory_infinite_when_it_never_falls(norms):
    back = norms[::-1]
    below = np.flatnonzero(back < back[0] / np.e)
    return int(below[0]) if len(below) > 0 else float("inf")


@wrong("memory length", "that counts every step above the threshold")
def memory_counting_steps_above(norms):
    threshold = norms[-1] / np.e
    count = 0
    for value in norms[::-1]:
        if value >= threshold:
            count += 1
    return count


@wrong("memory length", "one past the last step above the threshold")
def memory_last_step_above(norms):
    back = norms[::-1]
    return int(np.flatnonzero(back >= back[0] / np.e).max()) + 1


@wrong("memory length", "got 9.655, expected 10")
def memory_interpolated(norms):
    return scenarios.memory_length(norms)


@right("memory length")
def memory_loop(norms):
    last = norms[-1]
    for k in range(len(norms)):
        if norms[-1 - k] < last / math.e:
            return k
    return len(norms)


@right("memory length")
def memory_next(norms):
    back = list(reversed(norms))
    return next((k for k, v in enumerate(back) if v < back[0] * np.exp(-1)), len(back))


@right("memory length")
def memory_in_log_space(norms):
    below = np.log(norms[::-1]) < np.log(norms[-1]) - 1
    return int(np.argmax(below)) if below.any() else len(norms)


# --- 04 cell bound ---------------------------------------------------------------------------------------------
@wrong("cell bound", "you used sigma(b_f)")
def bound_from_the_bias(f, b_f):
    return 1 / (1 - 1 / (1 + np.exp(-b_f)))


@wrong("cell bound", "the mean forget gate bounds nothing")
def bound_mean(f, b_f):
    return 1 / (1 - f.mean())


@wrong("cell bound", "that is the smallest f_t")
def bound_min(f, b_f):
    return 1 / (1 - f.min())


@wrong("cell bound", "1 / (1 - f), not 1 / f")
def bound_one_over_f(f, b_f):
    return 1 / f.max()


@wrong("cell bound", "expected one number, got an array of shape (B, H) = (1, 8)")
def bound_over_steps_only(f, b_f):
    return 1 / (1 - f.max(axis=0))


@wrong("cell bound", "the gates of the last step only")
def bound_last_step(f, b_f):
    return 1 / (1 - f[-1].max())


@wrong("cell bound", "use numpy's np.max, np.min, np.any or np.all")
def bound_python_max(f, b_f):
    return 1 / (1 - max(f))


@wrong("cell bound", "a memory length")
def bound_memory_length(f, b_f):
    return -1 / np.log(f.max())


@wrong("cell bound", "the proof's bound is the whole series")
def bound_finite_sum(f, b_f):
    return sum(f.max() ** k for k in range(f.shape[0]))


@wrong("cell bound", "(a difference of")
def bound_plus(f, b_f):
    return 1 / (1 + np.max(f))


@right("cell bound")
def bound_max_of_bounds(f, b_f):
    return np.max(1 / (1 - f))


@right("cell bound")
def bound_smallest_gap(f, b_f):
    return 1 / np.min(1 - f)


@right("cell bound")
def bound_keepdims(f, b_f):
    return 1 / (1 - f.max(keepdims=True))  # one number, in an array of shape (1, 1, 1)


@right("cell bound")
def bound_flat(f, b_f):
    return 1 / (1 - max(f.flat))


# --- 05 forget bias --------------------------------------------------------------------------------------------
@wrong("forget bias", "that adds value to the biases b_f already had")
def bias_add(p, value):
    p.b_f += value
    return p


@wrong("forget bias", "that adds value to the biases b_f already had")
def bias_add_in_place(p, value):
    p.b_f[:] += value
    return p


@wrong("forget bias", "p is unchanged (it returned another LSTMParams: a copy was edited")
def bias_on_a_deep_copy(p, value):
    p = copy.deepcopy(p)
    p.b_f = value
    return p


@wrong("forget bias", "p is unchanged (it returned another LSTMParams")
def bias_on_a_copy(p, value):
    q = p.copy()
    q.b_f[:] = value
    return q


@wrong("forget bias", "p.b = ... made p.b a new array")
def bias_rebinding_b(p, value):
    p.b = np.concatenate([np.full(p.hidden_size, value), p.b[p.hidden_size :]])
    return p


@wrong("forget bias", "p is unchanged: set_forget_bias must change p in place, e.g. p.b_f[:] = value")
def bias_rebinding_a_name(p, value):
    b_f = p.b_f
    b_f = np.full_like(b_f, value)  # noqa: F841 (the learner's slip: a new array under the old name)
    return p


@wrong("forget bias", "p.b differs in b_f: b[3] (b_f, unit 3): got ")
def bias_first_D_rows(p, value):
    p.b[: p.input_size] = value
    return p


@wrong("forget bias", "p.b differs in b_f: b[1] (b_f, unit 1): got ")
def bias_first_unit_only(p, value):
    p.b[0] = value
    return p


@wrong("forget bias", "that sets every gate's bias")
def bias_every_gate(p, value):
    p.b[:] = value
    return p


@wrong("forget bias", "those are the input gate's rows")
def bias_pytorch_order(p, value):
    H = p.hidden_size
    p.b[H : 2 * H] = value  # PyTorch's order is i, f, g, o
    return p


@wrong("forget bias", "that changes the weights W_f")
def bias_in_the_weights(p, value):
    p.W_f[:] = value
    return p


@wrong("forget bias", "p is right, but set_forget_bias returned None: end with `return p`")
def bias_without_return(p, value):
    p.b_f = value


@wrong("forget bias", "an array of shape (D,) = (3,) cannot be written into a place of shape (H,) = (4,)")
def bias_list_of_D(p, value):
    p.b_f = [value] * p.input_size
    return p


@right("forget bias")
def bias_by_slicing_b(p, value):
    p.b[: p.hidden_size] = value
    return p


@right("forget bias")
def bias_fill(p, value):
    p.b_f.fill(value)
    return p


@right("forget bias")
def bias_copyto(p, value):
    np.copyto(p.b_f, np.full(p.hidden_size, value))
    return p


# --- 06 temperature --------------------------------------------------------------------------------------------
def softmax_rows(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@wrong("temperature", "the temperature divides the logits, not the probabilities")
def temperature_on_probabilities(logits, temperature):
    return softmax_rows(logits) / temperature


@wrong("temperature", "multiplying sharpens")
def temperature_multiplied(logits, temperature):
    return softmax_rows(logits * temperature)


@wrong("temperature", "multiplying sharpens")
def temperature_power_the_wrong_way(logits, temperature):
    q = softmax_rows(logits) ** temperature
    return q / q.sum(axis=-1, keepdims=True)


@wrong("temperature", "normalise: the probabilities must sum to 1")
def temperature_unnormalised(logits, temperature):
    return np.exp(logits / temperature)


@wrong("temperature", "that ignores the temperature")
def temperature_ignored(logits, temperature):
    return softmax_rows(logits)


@wrong("temperature", "not by the sum of everything")
def temperature_sum_of_everything(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


@wrong("temperature", "e^(2000 / 1.5) overflows to inf")
def temperature_without_the_shift(logits, temperature):
    e = np.exp(logits / temperature)
    return e / e.sum(axis=-1, keepdims=True)


@wrong("temperature", "arrays of shapes (B, V) = (4, 10) and (B,) = (4,) cannot be combined entry by entry")
def temperature_without_keepdims(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


@wrong("temperature", "changed its argument logits")
def temperature_in_place(logits, temperature):
    logits /= temperature
    logits -= logits.max(axis=-1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


@wrong("temperature", "entry [0, 0]: got ")
def temperature_shift_by_column(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=-1, keepdims=True)


@right("temperature")
def temperature_as_a_power(logits, temperature):
    q = softmax_rows(logits) ** (1 / temperature)
    return q / q.sum(axis=-1, keepdims=True)


@right("temperature")
def temperature_shift_first(logits, temperature):
    z = (logits - np.max(logits, axis=-1, keepdims=True)) / temperature
    return np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)


@right("temperature")
def temperature_course_softmax(logits, temperature):
    return charlm.softmax(logits, temperature)


# --- 07 ablate gate -----------------------------------------------------------------------------------------------
@wrong("ablate gate", "not v itself")
def hold_bias_is_value(p, gate, value):
    getattr(p, "W_" + gate)[...] = 0.0
    setattr(p, "b_" + gate, value)
    return p


@wrong("ablate gate", "set W_gate to 0 as well")
def hold_weights_left_on(p, gate, value):
    setattr(p, "b_" + gate, np.log(value / (1 - value)))
    return p


@wrong("ablate gate", "set W_gate to 0 as well")
def hold_weights_zeroed_on_a_new_array(p, gate, value):
    W = getattr(p, "W_" + gate)
    W = np.zeros_like(W)  # noqa: F841 (the learner's slip: a new array under the old name)
    setattr(p, "b_" + gate, np.log(value / (1 - value)))
    return p


@wrong("ablate gate", "upside down")
def hold_flipped(p, gate, value):
    getattr(p, "W_" + gate)[...] = 0.0
    setattr(p, "b_" + gate, np.log((1 - value) / value))
    return p


@wrong("ablate gate", "you applied the sigmoid to v")
def hold_sigmoid_of_value(p, gate, value):
    getattr(p, "W_" + gate)[...] = 0.0
    setattr(p, "b_" + gate, lstm_core.sigmoid(value))
    return p


@wrong("ablate gate", "that holds the forget gate whatever `gate` says")
def hold_always_the_forget_gate(p, gate, value):
    p.W_f[...] = 0.0
    p.b_f = np.log(value / (1 - value))
    return p


@wrong("ablate gate", "PyTorch orders them i, f, g, o")
def hold_pytorch_order(p, gate, value):
    H, k = p.hidden_size, "ifgo".index(gate.replace("c", "g"))
    p.W[k * H : (k + 1) * H] = 0.0
    p.b[k * H : (k + 1) * H] = np.log(value / (1 - value))
    return p


@wrong("ablate gate", "that sets every gate's weights to 0")
def hold_all_weights_zero(p, gate, value):
    p.W[:] = 0.0
    setattr(p, "b_" + gate, np.log(value / (1 - value)))
    return p


@wrong("ablate gate", "p is unchanged (it returned another LSTMParams")
def hold_on_a_copy(p, gate, value):
    q = copy.deepcopy(p)
    getattr(q, "W_" + gate)[...] = 0.0
    setattr(q, "b_" + gate, np.log(value / (1 - value)))
    return q


@wrong("ablate gate", "math.exp, math.log, float() and int() take one number")
def hold_with_math_log(p, gate, value):
    getattr(p, "W_" + gate)[...] = 0.0
    setattr(p, "b_" + gate, math.log(value / (1 - value)))
    return p


@wrong("ablate gate", "p.b differs in b_f: b[0] (b_f, unit 0): got 0.04576, expected 2.197")
def hold_log_ratio_slip(p, gate, value):
    getattr(p, "W_" + gate)[...] = 0.0
    setattr(p, "b_" + gate, np.log(value) / np.log(1 - value))
    return p


@right("ablate gate")
def hold_by_setattr(p, gate, value):
    setattr(p, "W_" + gate, 0.0)
    setattr(p, "b_" + gate, -np.log(1 / value - 1))
    return p


@right("ablate gate")
def hold_by_block_index(p, gate, value):
    H, k = p.hidden_size, "fico".index(gate)
    p.W[k * H : (k + 1) * H, :] = 0
    p.b[k * H : (k + 1) * H] = np.log(value) - np.log(1 - value)
    return p


# --- 08 count parameters ----------------------------------------------------------------------------------------
@wrong("count parameters", "the biases are missing")
def count_without_biases(kind, D, H):
    return (4 if kind == "lstm" else 3) * H * (H + D)


@wrong("count parameters", "the GRU keeps two biases per gate")
def count_gru_one_bias(kind, D, H):
    blocks = 4 if kind == "lstm" else 3
    return blocks * H * (H + D) + blocks * H


@wrong("count parameters", "W has H + D columns, not D")
def count_inputs_only(kind, D, H):
    return 4 * H * D + 4 * H if kind == "lstm" else 3 * H * D + 6 * H


@wrong("count parameters", "D and H are swapped")
def count_swapped(kind, D, H):
    return 4 * D * (D + H) + 4 * D if kind == "lstm" else 3 * D * (D + H) + 6 * D


@wrong("count parameters", "every block has its own bias")
def count_one_bias_vector(kind, D, H):
    return 4 * H * (H + D) + H if kind == "lstm" else 3 * H * (H + D) + 2 * H


@wrong("count parameters", "a GRU has three blocks")
def count_gru_like_lstm(kind, D, H):
    return 4 * H * (H + D) + 4 * H if kind == "lstm" else 4 * H * (H + D) + 8 * H


@wrong("count parameters", "got 56,064, expected 74,240")
def count_case_sensitive(kind, D, H):
    if kind == "LSTM":
        return 4 * H * (H + D) + 4 * H
    return 3 * H * (H + D) + 6 * H


@wrong("count parameters", "n_parameters returned a str ('74,240'); expected one number")
def count_as_text(kind, D, H):
    return f"{4 * H * (H + D) + 4 * H:,}" if kind == "lstm" else f"{3 * H * (H + D) + 6 * H:,}"


@right("count parameters")
def count_bias_as_a_column(kind, D, H):
    return 4 * H * (H + D + 1) if kind == "lstm" else 3 * H * (H + D + 2)


@right("count parameters")
def count_from_the_course_arrays(kind, D, H):
    cls = lstm_core.LSTMParams if kind == "lstm" else lstm_core.GRUParams
    return sum(a.size for a in vars(cls.init(D, H, seed=0)).values())


# --- 09 attention weights ----------------------------------------------------------------------------------------
@wrong("attention weights", "e^1000 overflows to inf")
def attention_without_the_shift(scores):
    return np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)


@wrong("attention weights", "a softmax exponentiates before it normalises")
def attention_without_exp(scores):
    return scores / scores.sum(axis=-1, keepdims=True)


@wrong("attention weights", "normalise over the positions (the last axis)")
def attention_over_the_batch(scores):
    e = np.exp(scores - scores.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@wrong("attention weights", "not by the sum of everything")
def attention_sum_of_everything(scores):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum()


@wrong("attention weights", "subtract each row's own largest score")
def attention_global_max(scores):
    e = np.exp(scores - np.max(scores))
    return e / e.sum(axis=-1, keepdims=True)


@wrong("attention weights", "normalise: divide by the sum over the positions")
def attention_unnormalised(scores):
    return np.exp(scores - scores.max(axis=-1, keepdims=True))


@wrong("attention weights", "arrays of shapes (B, T) = (3, 7) and (B,) = (3,) cannot be combined")
def attention_without_keepdims(scores):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


@wrong("attention weights", "changed its argument scores")
def attention_in_place(scores):
    scores -= scores.max(axis=-1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=-1, keepdims=True)


@right("attention weights")
def attention_log_sum_exp(scores):
    m = scores.max(axis=-1, keepdims=True)
    return np.exp(scores - m - np.log(np.exp(scores - m).sum(axis=-1, keepdims=True)))


@right("attention weights")
def attention_course_softmax(scores):
    return charlm.softmax(scores)


# --- the tests ------------------------------------------------------------------------------------------------
PLANTED = [(name, fn, says) for name, answers in WRONG.items() for fn, says in answers]
ALTERNATIVES = [(name, fn) for name, answers in RIGHT.items() for fn in answers]


def run_check(name, fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), np.errstate(all="ignore"):
        ok = check(name, fn)
    return ok, out.getvalue()


def test_every_exercise_has_planted_wrong_answers_and_an_alternative_right_one():
    for name in EXERCISES:
        assert len(WRONG.get(name, [])) >= 3, f"{name}: plant at least three wrong answers in this file"
        assert len(RIGHT.get(name, [])) >= 1, f"{name}: add a right answer written differently from the reference"
    assert set(WRONG) == set(RIGHT) == set(EXERCISES)


@pytest.mark.parametrize("name,fn,says", PLANTED, ids=[f"{n}-{fn.__name__}" for n, fn, _ in PLANTED])
def test_a_planted_wrong_answer_is_wrong_and_says_why(name, fn, says):
    ok, text = run_check(name, fn)
    assert ok is False and text.startswith(f"✘ {name}: "), text
    assert says in text, text
    for got, expected in re.findall(r"got ([^ ;]+?), expected ([^ ;]+?)(?=[;\s)]|$)", text):
        assert got != expected, f"got and expected look the same: {text}"
    assert "broadcast" not in text and "gufunc" not in text, f"numpy's jargon, untranslated: {text}"


@pytest.mark.parametrize("name,fn", ALTERNATIVES, ids=[f"{n}-{fn.__name__}" for n, fn in ALTERNATIVES])
def test_a_right_answer_written_differently_passes(name, fn):
    ok, text = run_check(name, fn)
    assert ok is True and text.startswith(f"✔ {name}: right on all"), text


@pytest.mark.parametrize("name", EXERCISES)
def test_the_reference_passes_and_a_blank_is_not_yet_written(name):
    ok, text = run_check(name, EXERCISES[name].solution)
    assert ok and text.startswith("✔"), text

    def blank(*args, **kwargs):
        raise NotImplementedError

    ok, text = run_check(name, blank)
    assert not ok and "not yet written" in text, text

    def crashes(*args, **kwargs):
        raise KeyError("oops")

    ok, text = run_check(name, crashes)
    assert not ok and "raised KeyError" in text, text


@pytest.mark.parametrize("name,k", MISTAKES, ids=[f"{n}-{k}" for n, k in MISTAKES])
def test_each_known_mistake_is_named(name, k):
    mistake = EXERCISES[name].mistakes[k]
    ok, text = run_check(name, mistake.answer)
    assert not ok and mistake.message in text, text


def test_the_cases_leave_no_room_for_the_known_slips():
    """What the issue found: cases that started from b_f = 0, and curves that were all monotone and all fell."""
    for case in EXERCISES["forget bias"].cases():
        p, value = case.args["p"], case.args["value"]
        assert np.all(p.b_f != 0) and np.all(p.b_f != value) and np.all(p.b_f + value != value)
    assert any(case.args["p"].input_size != case.args["p"].hidden_size for case in EXERCISES["forget bias"].cases())
    curves = [case.args["norms"][::-1] for case in EXERCISES["memory length"].cases()]
    assert any(np.any(np.diff(back) > 0) and np.any(back < back[0] / np.e) for back in curves)  # dips, rises
    assert any(np.all(back >= back[0] / np.e) for back in curves)  # never falls
    assert all(abs(back[0] - 1) > 0.1 for back in curves[:4])  # a threshold of 1/e itself cannot pass
    shapes = {(c.sizes["D"] == c.sizes["H"]) for c in EXERCISES["forget gate"].cases()}
    assert shapes == {True, False}


def test_the_forget_gate_reference_is_lstm_steps_own_gate():
    """Notebook 02 says the check compares with lstm_step's gate: the reference's f_t is lstm_step's f_t."""
    for case in EXERCISES["forget gate"].cases():
        x, h_prev, W_f, b_f = (case.args[k] for k in ("x", "h_prev", "W_f", "b_f"))
        H, D = W_f.shape[0], x.shape[1]
        p = lstm_core.LSTMParams.init(D, H, seed=0)
        p.W_f, p.b_f = W_f, b_f
        _, _, cache = lstm_core.lstm_step(x, h_prev, np.zeros_like(h_prev), p)
        np.testing.assert_allclose(EXERCISES["forget gate"].solution(**case.args), cache[2], rtol=1e-14, atol=0)


def exercise_cells(nb):
    """(exercise name, the function's name, the code of the model solution) for each check in a notebook."""
    cells = nb["cells"]
    out = []
    for k, cell in enumerate(cells):
        src = "".join(cell["source"])
        m = re.search(r'check\("([^"]+)", (\w+)\)', src) if cell["cell_type"] == "code" else None
        if not m:
            continue
        solution = None
        for later in cells[k + 1 :]:
            text = "".join(later["source"])
            if later["cell_type"] == "markdown" and "<details>" in text and "```python" in text:
                solution = re.search(r"```python\n(.*?)```", text, re.S).group(1)
                break
        out.append((m.group(1), m.group(2), solution))
    return out


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_every_notebook_has_an_exercise_whose_model_solution_passes(path):
    nb = json.loads(path.read_text())
    found = exercise_cells(nb)
    assert found, f"{path.name} has no coding exercise (a cell calling check(...))"
    for name, fn_name, solution in found:
        assert name in EXERCISES, name
        assert solution, f"{path.name}: the exercise {name!r} has no model solution in a <details> block after it"
        scope = {}
        exec(compile("import numpy as np\nimport lstm_core\n" + solution, f"<{path.stem} solution>", "exec"), scope)
        ok, text = run_check(name, scope[fn_name])
        assert ok, f"{path.name}: the model solution of {name!r} fails its check: {text}"


def test_every_exercise_is_used_by_a_notebook():
    used = {name for p in COURSE for name, _, _ in exercise_cells(json.loads(p.read_text()))}
    assert used == set(EXERCISES), set(EXERCISES) ^ used


def test_the_teachers_guide_lists_every_exercise():
    guide = (ROOT / "docs" / "teaching.md").read_text()
    for name in EXERCISES:
        assert f"`{name}`" in guide, name


def test_the_exercises_and_the_homework_are_one_record_judged_by_one_verdict():
    from lstm_lab import checking, homework

    ex, q = EXERCISES["sigmoid"], homework.QUESTION_SPECS["memory"]
    assert type(ex) is type(q) is checking.Question
    case = q.cases(0)[0]
    assert case["b_f"] is case.args["b_f"] and case.about and set(case) == set(case.args)
    f = 1 / (1 + np.exp(-case["b_f"]))
    assert checking.verdict(q, case, {"length": np.array(-1 / np.log(f))}) is None
    assert "1/(1 - f)" in checking.verdict(q, case, {"length": np.array(1 / (1 - f))})
    assert "length differs from the reference" in checking.verdict(q, case, {"length": np.array(3.0)})
    assert "no value for length" in checking.verdict(q, case, {})
    one = ex.cases()[0]
    assert checking.verdict(ex, one, 1 / (1 + np.exp(-one["a"]))) is None
    assert "sigma(-a)" in checking.verdict(ex, one, 1 / (1 + np.exp(one["a"])))
    assert "expected shape (5,)" in checking.verdict(ex, one, np.zeros(4))
