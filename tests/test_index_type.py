"""Ids, classes and counts are numpy's index type, np.intp, so the course runs where that type is 32-bit.

In the browser (JupyterLite's Pyodide is 32-bit WebAssembly) np.intp is int32, and numpy refuses to cast int64
to it where it casts 'safely': np.bincount(ids) on int64 ids raised TypeError in notebook 06 there. On a 64-bit
machine np.intp is int64 itself, so that mistake is invisible; these tests make it visible here:

- with np.intp standing for int32 (as in the browser), everything the course hands out as ids must come out
  int32: an id array written as int64, or drawn by rng.integers (always int64) and not cast, fails;
- everything that takes ids must give the same numbers for int32 ids as for int64 ones;
- no source file of lstm_core or lstm_lab spells int64 at all.
The browser test (tests/test_lite.py) then runs every notebook in the real 32-bit kernel.
"""

import ast
import pathlib

import numpy as np
import pytest

from lstm_core import charlm, tasks
from lstm_core.losses import softmax_cross_entropy
from lstm_lab import homework, text

ROOT = pathlib.Path(__file__).resolve().parents[1]
TASKS = {
    "delayed_recall": lambda: tasks.delayed_recall(4, 3, seed=0),
    "brackets": lambda: tasks.brackets(4, 12, seed=0),
    "segment_count": lambda: tasks.segment_count(4, 12, seed=0),
}


@pytest.fixture
def browser_intp(monkeypatch):
    """np.intp is int32 for the course's code during the test, as in the browser (numpy itself is unchanged)."""
    monkeypatch.setattr(np, "intp", np.int32)


def test_ids_come_out_as_the_index_type(browser_intp):
    vocab = text.vocab()
    assert vocab.encode("ROMEO:\n").dtype == np.int32
    for name, make in TASKS.items():
        assert make().targets.dtype == np.int32, name
    for question in ("tbptt", "stream", "sample"):
        for case in homework.cases(question, 0):
            for key in ("x_ids", "y_ids", "ids", "prime_ids"):
                if key in case:
                    assert case[key].dtype == np.int32, (question, key)


def test_ids_are_the_same_whatever_the_index_type(monkeypatch):
    native = {name: make().targets for name, make in TASKS.items()}
    native_ids = text.vocab().encode(text.shakespeare()[:500])
    monkeypatch.setattr(np, "intp", np.int32)
    for name, make in TASKS.items():
        np.testing.assert_array_equal(make().targets, native[name], err_msg=name)
    np.testing.assert_array_equal(text.vocab().encode(text.shakespeare()[:500]), native_ids)


def test_functions_that_take_ids_accept_32_bit_ids(monkeypatch):
    vocab = text.vocab()
    ids64 = vocab.encode(text.shakespeare()[:3000]).astype(np.int64)
    ids32 = ids64.astype(np.int32)
    lm = charlm.CharLM("lstm", vocab, 16, seed=0, dtype=np.float64)
    assert charlm.evaluate_text(lm, ids32, batch_size=4, seq_len=32) == charlm.evaluate_text(
        lm, ids64, batch_size=4, seq_len=32
    )
    assert charlm.evaluate_with_resets(lm, ids32, 8) == charlm.evaluate_with_resets(lm, ids64, 8)
    x32, y32 = next(charlm.chunks(charlm.streams(ids32, 4), 16))
    x64, y64 = next(charlm.chunks(charlm.streams(ids64, 4), 16))
    loss32, grads32, _ = lm.chunk_loss_and_grads(x32, y32)
    loss64, grads64, _ = lm.chunk_loss_and_grads(x64, y64)
    assert loss32 == loss64
    for name in grads64:
        np.testing.assert_array_equal(grads32[name], grads64[name], err_msg=name)
    logits = np.random.default_rng(0).normal(size=(5, 3, 7))
    targets = np.random.default_rng(1).integers(0, 7, (5, 3))
    a = softmax_cross_entropy(logits, targets.astype(np.int32), np.ones((5, 3)))
    b = softmax_cross_entropy(logits, targets, np.ones((5, 3)))
    assert a[0] == b[0] and np.array_equal(a[1], b[1])
    np.testing.assert_array_equal(charlm.one_hot(x32, vocab.size), charlm.one_hot(x64, vocab.size))
    native = charlm.sample(lm, "ROMEO", 20, seed=0)
    monkeypatch.setattr(np, "intp", np.int32)  # its prime's ids and each drawn id as int32, as in the browser
    assert charlm.sample(lm, "ROMEO", 20, seed=0) == native


def test_no_source_file_spells_int64():
    found = []
    for package in ("lstm_core", "lstm_lab"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Attribute) and node.attr == "int64") or (
                    isinstance(node, ast.Constant) and node.value in ("int64", "i8", "<i8")
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"int64 where np.intp belongs (the browser's index type is int32): {found}"
