"""What the teacher opens: the grades as CSV and JSON, and the lines printed while grading.

Every field is text a submission may have chosen (a folder's name, an exception's class and message), so each
is made safe once, here, before it reaches a file or a terminal:

- anything Python can hold is written: a lone surrogate becomes ``\\udXXX``, a folder name that is not UTF-8
  shows its bytes as ``\\xNN``;
- control characters, terminal escapes and the invisible characters that reorder text (bidi controls) are
  shown as escapes (``\\n``, ``\\x1b``, ``\\u202e``), never written raw;
- in the CSV, a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) gets a leading
  ``'``, so that a spreadsheet shows it as text instead of running it as a formula.
"""

import csv
import json
import os
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
COLUMNS = ["student", "assignment", "question", "points", "max", "status", "feedback", "flags"]


def clean(text):
    """``text`` with nothing a terminal, an editor or an encoder would act on."""
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates: \udXXX
    return _UNSAFE.sub(lambda m: _NAMED.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


def folder_name(name):
    """A folder's name as text, whatever bytes the file system holds (``\\xNN`` for those that are not UTF-8)."""
    return clean(os.fsencode(name).decode("utf-8", "backslashreplace"))


def cell(value):
    """One CSV cell: numbers as they are, text cleaned and never read as a formula."""
    if isinstance(value, int | float):
        return value
    text = clean(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def rows(report):
    for entry in report:
        for r in entry["questions"]:
            flags = "; ".join(r["flags"])
            yield [
                entry["student"],
                entry["assignment"],
                r["question"],
                r["points"],
                r["max"],
                r["status"],
                r["feedback"],
                flags,
            ]


def write_csv(report, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for row in rows(report):
            w.writerow([cell(v) for v in row])


def write_json(report, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)  # ASCII only: every other character as an escape


def safe_report(report):
    """The report with every text field cleaned (what both files hold)."""
    out = []
    for entry in report:
        qs = [{k: (clean(v) if isinstance(v, str) else v) for k, v in q.items()} for q in entry["questions"]]
        for q in qs:
            q["flags"] = [clean(f) for f in q["flags"]]
        out.append(
            {**entry, "student": clean(entry["student"]), "assignment": clean(entry["assignment"]), "questions": qs}
        )
    return out


def line(entry):
    """The line printed when a submission is graded."""
    total = sum(r["points"] for r in entry["questions"])
    most = sum(r["max"] for r in entry["questions"])
    flagged = " (flagged)" if any(r["flags"] for r in entry["questions"]) else ""
    odd = {r["status"] for r in entry["questions"]} & {"error", "integrity"}
    note = f" [{', '.join(sorted(odd))}]" if odd else ""
    return f"{clean(entry['student'])[:40]:20} {clean(entry['assignment']):14} {total:5.1f} / {most:.0f}{flagged}{note}"
