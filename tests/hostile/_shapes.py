"""Submissions that are not an answer cell: what a student's folder holds, or what the notebook file is.

Each builder takes the submissions folder, the student's name and a ``Kit`` (how the test makes notebooks)
and makes that student's submission of assignment 1. ``HOSTILE`` earn nothing; ``HONEST`` are correct work
the grader must not misjudge (``expect``: their points).
"""

import json
import os
from typing import NamedTuple

import nbformat


class Kit(NamedTuple):
    solved: object  # () -> the solved assignment 1 (a notebook)
    blank: object  # () -> the released assignment 1
    source: object  # the source's path (with its solutions and hidden tests)
    other: object  # a folder of another student's (with their a1_forward.ipynb)


def _write(folder, student, nb):
    os.makedirs(os.path.join(folder, student), exist_ok=True)
    nbformat.write(nb, os.path.join(folder, student, "a1_forward.ipynb"))


def symlink_to_source(folder, student, kit):
    """The notebook is a link to the homework's source (solutions and hidden tests: 10/10 if followed)."""
    os.makedirs(os.path.join(folder, student))
    os.symlink(kit.source, os.path.join(folder, student, "a1_forward.ipynb"))


def symlink_folder(folder, student, kit):
    """The student's folder is a link to another student's."""
    os.symlink(kit.other, os.path.join(folder, student))


def fifo(folder, student, kit):
    """The notebook is a FIFO: a grader that opens it to read waits for a writer forever."""
    os.makedirs(os.path.join(folder, student))
    os.mkfifo(os.path.join(folder, student, "a1_forward.ipynb"))


def folder_named_like_the_notebook(folder, student, kit):
    os.makedirs(os.path.join(folder, student, "a1_forward.ipynb"))


def huge_notebook(folder, student, kit):
    """300,000 cells, 49 MB: the old grader spent 27 s and 0.95 GB on it before any kernel started."""
    nb = kit.blank()
    cell = nbformat.v4.new_code_cell("pass")
    data = json.loads(nbformat.writes(nb))
    data["cells"] += [dict(cell, id=f"c{k}") for k in range(300_000)]
    os.makedirs(os.path.join(folder, student))
    with open(os.path.join(folder, student, "a1_forward.ipynb"), "w") as f:
        json.dump(data, f)


def odd_metadata(folder, student, kit):
    """nbformat accepts any value in a cell's metadata: ``nbgrader`` a string, a grade id that is a list."""
    nb = kit.blank()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": "grade me"}))
    nb.cells.append(nbformat.v4.new_code_cell("y = 2", metadata={"nbgrader": {"grade_id": ["forward"], "grade": True}}))
    nb.cells.append(nbformat.v4.new_markdown_cell("z", metadata={"nbgrader": {"grade_id": {"a": 1}, "points": "ten"}}))
    _write(folder, student, nb)


def not_utf8_name(folder, student, kit):
    """A folder whose name is not UTF-8 (a Latin-1 é), holding a correct submission: it earns its points."""
    name = os.fsencode(student) + b"_caf\xe9"
    os.makedirs(os.path.join(os.fsencode(folder), name))
    nbformat.write(kit.solved(), os.fsdecode(os.path.join(os.fsencode(folder), name, b"a1_forward.ipynb")))


def copied_answer_cell(folder, student, kit):
    """An honest student copied the answer cell in JupyterLab (the copy keeps its nbgrader metadata) and
    worked on in the copy, leaving the first one as it was released."""
    nb, blank = kit.solved(), kit.blank()
    at = next(k for k, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "forward_answer")
    first = blank.cells[at]
    first.id = "copy-of-answer"
    nb.cells.insert(at, first)
    _write(folder, student, nb)


def long_notebook(folder, student, kit):
    """A correct answer followed by 3,000 cells of the student's own (the old grader counted compile records
    against a cap and called the channel tampered with)."""
    nb = kit.solved()
    nb.cells += [nbformat.v4.new_code_cell(f"n_{k} = {k}") for k in range(3000)]
    _write(folder, student, nb)


HOSTILE = {
    "h_symlink_to_source": symlink_to_source,
    "h_symlink_folder": symlink_folder,
    "h_fifo": fifo,
    "h_folder_named_like_the_notebook": folder_named_like_the_notebook,
    "h_huge_notebook": huge_notebook,
    "h_odd_metadata": odd_metadata,
}
HONEST = {"zz4_copied_answer_cell": copied_answer_cell, "zz5_long_notebook": long_notebook, "zz6": not_utf8_name}
EXPECT = {"zz4_copied_answer_cell": 10, "zz5_long_notebook": 10, "zz6_caf\\xe9": 10}
