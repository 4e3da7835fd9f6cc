"""The notebooks the grader handles: the sources, the student versions, a submission read safely, what in it
was changed, and the steps a grading kernel runs.

A submission is read without following links (a link is refused, not followed), only if it is a regular file
of at most MAX_BYTES, and parsed only if it holds at most MAX_CELLS cells; nbformat accepts any value in a
cell's metadata, so nothing here assumes that ``metadata.nbgrader`` is a dict or that a grade id is a string.
"""

import ast
import copy
import errno
import json
import os
import pathlib
import re
import stat
from typing import NamedTuple

import nbformat

SOURCE = pathlib.Path(__file__).resolve().parent / "source"
SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*\n?", re.S | re.M)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)
ANSWER_HERE = "YOUR ANSWER HERE"
MAX_BYTES = 8 << 20  # a submission's notebook file
MAX_CELLS = 10000


def nbg(cell):
    """The cell's nbgrader metadata: a dict, whatever the notebook holds there."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    out = meta.get("nbgrader") if isinstance(meta, dict) else None
    return out if isinstance(out, dict) else {}


def grade_id(cell):
    gid = nbg(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def is_test(cell):
    return bool(nbg(cell).get("grade")) and not nbg(cell).get("solution")


# --- sources and student versions ----------------------------------------------------------------------
def assignments():
    return {p.parent.name: p for p in sorted(SOURCE.glob("*/*.ipynb"))}


def student_version(nb):
    """A copy of a source notebook with no solution and no hidden test in it."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        meta = nbg(cell)
        if meta.get("solution"):
            if cell.cell_type == "markdown":
                cell.source = ANSWER_HERE
            else:
                stub = SOLUTION.sub(lambda m: f"{m.group(1)}raise NotImplementedError\n", cell.source)
                cell.source = stub.rstrip("\n")
        if meta.get("grade") and cell.cell_type == "code":
            cell.source = HIDDEN.sub("", cell.source).rstrip("\n")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def release(out):
    out = pathlib.Path(out)
    for name, path in assignments().items():
        target = out / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        print(f"released {target}")


def questions(source_nb):
    """[(grade_id, points, kind)] in notebook order; kind 'auto' (a test cell) or 'manual' (a written answer)."""
    out = []
    for cell in source_nb.cells:
        m = nbg(cell)
        if m.get("grade"):
            out.append((m["grade_id"], float(m.get("points", 0)), "manual" if m.get("solution") else "auto"))
    return out


class HiddenTest(NamedTuple):
    question: str
    answer: str  # the name of the student's function
    forward: str | None  # the name of the function that makes the caches, where the question needs one


def split_hidden(source):
    """(the visible part of a test cell, its hidden tests without the markers)."""
    hidden = "".join(
        re.sub(r"^[ \t]*### (BEGIN|END) HIDDEN TESTS[ \t]*\n?", "", m.group(0), flags=re.M)
        for m in HIDDEN.finditer(source)
    )
    return HIDDEN.sub("", source), hidden


def hidden_test(source):
    """The hidden test of a source's test cell: ``hw.hidden_check("q", fn, seed=N[, forward=g])`` is all the
    grader runs of it (its cases come from a seed drawn at grading time); None for a cell with no hidden test."""
    _, hidden = split_hidden(source)
    if not hidden.strip():
        return None
    body = ast.parse(hidden).body
    call = body[0].value if len(body) == 1 and isinstance(body[0], ast.Expr) else None
    if not _is_hidden_check(call):
        raise ValueError(f"a hidden test the grader does not know how to run: {hidden.strip()[:200]!r}")
    forward = [k.value.id for k in call.keywords if k.arg == "forward"]
    return HiddenTest(call.args[0].value, call.args[1].id, forward[0] if forward else None)


def _is_hidden_check(call):
    if not isinstance(call, ast.Call) or getattr(call.func, "attr", getattr(call.func, "id", None)) != "hidden_check":
        return False
    kw = {k.arg: k.value for k in call.keywords}
    question, answer = (call.args + [None, None])[:2]
    return (
        len(call.args) == 2
        and isinstance(question, ast.Constant)
        and isinstance(question.value, str)
        and isinstance(answer, ast.Name)
        and set(kw) <= {"seed", "forward"}
        and isinstance(kw.get("forward", answer), ast.Name)
    )


# --- reading a submission ---------------------------------------------------------------------------------
class Unreadable(Exception):
    """A submission that cannot be graded: the message says why, for the student's row."""


KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket"}
KINDS.update({stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFLNK: "a symbolic link"})


def open_regular(name, dir_fd, limit):
    """The bytes of ``name`` in ``dir_fd``: a regular file, never through a link, at most ``limit`` bytes."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise Unreadable("the submission is a symbolic link: the grader does not follow links") from None
        raise Unreadable(f"the submission could not be opened ({err.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
            raise Unreadable(f"the submission is {kind}, not a notebook file")
        if st.st_size > limit:
            raise Unreadable(f"the notebook is larger than {limit >> 20} MiB ({st.st_size / (1 << 20):.1f} MiB)")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise Unreadable(f"the notebook is larger than {limit >> 20} MiB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def parse(data):
    """The notebook in ``data`` (nbformat 4, outputs dropped); raises Unreadable with the parser's reason."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise Unreadable(f"the submission is not a valid notebook ({type(err).__name__}: {err})"[:300]) from None
    cells = raw.get("cells") if isinstance(raw, dict) else None
    if isinstance(cells, list) and len(cells) > MAX_CELLS:
        raise Unreadable(f"the notebook has {len(cells)} cells; the grader takes at most {MAX_CELLS}")
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and isinstance(cell.get("outputs"), list):
            cell["outputs"] = []  # never run, never shown: not kept
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # nbformat raises many kinds
        raise Unreadable(f"the submission is not a valid notebook ({type(err).__name__}: {err})"[:300]) from None
    return nb


def read_submission(name, dir_fd):
    return parse(open_regular(name, dir_fd, MAX_BYTES))


# --- what was changed ----------------------------------------------------------------------------------------
def integrity(source_nb, sub_nb):
    """{grade_id of a question: reason} for the questions whose cells were deleted, edited or moved.

    A submission's cell counts by the first cell with its grade id (a cell copied in JupyterLab keeps its
    metadata: the copy is the student's own code). An edited or deleted test cell costs its own question;
    a deleted or moved answer cell costs the question tested after it; an edited given cell costs every
    question after it, since later code may rely on it.
    """
    released = student_version(source_nb)
    cells = [(grade_id(c), c, rel) for c, rel in zip(source_nb.cells, released.cells, strict=True)]
    want = [gid for gid, _, _ in cells if gid]
    order = [q for q, _, _ in questions(source_nb)]
    first, sequence = {}, []
    for cell in sub_nb.cells:
        gid = grade_id(cell)
        if gid in want and gid not in first:
            first[gid] = cell
            sequence.append(gid)

    def question_at_or_after(gid):
        i = want.index(gid)
        return next((q for q in order if want.index(q) >= i), None)

    problems = {}
    for gid, src, rel in cells:
        if gid:
            _changed(problems, gid, src, rel, first.get(gid), order, question_at_or_after)
    for g, h in zip([g for g in want if g in first], sequence, strict=True):
        if g != h:
            for moved in (g, h):
                q = moved if moved in order else question_at_or_after(moved)
                if q:
                    problems.setdefault(q, f"the cell '{moved}' was moved out of its place")
    return problems


def _changed(problems, gid, src, rel, cell, order, question_at_or_after):
    after = question_at_or_after(gid)
    if cell is None:
        q = gid if gid in order else after
        if q:
            problems.setdefault(q, f"the cell '{gid}' was deleted")
    elif cell.get("cell_type") != src.cell_type:  # as good as deleted: it costs what a deletion would
        q = gid if gid in order else after
        if q:
            problems.setdefault(q, f"the cell '{gid}' was changed into a {str(cell.get('cell_type'))[:20]} cell")
    elif is_test(src) and cell.source.strip() not in (rel.source.strip(), src.source.strip()):
        problems.setdefault(gid, f"the test cell '{gid}' was edited")
    elif nbg(src).get("locked") and not nbg(src).get("grade") and cell.source.strip() != rel.source.strip():
        for q in order[order.index(after) :] if after else []:
            problems.setdefault(q, f"the given cell '{gid}' was edited")


# --- what the kernel runs -------------------------------------------------------------------------------------
class Step(NamedTuple):
    cell: int  # the submission's cell index
    kind: str  # "code" (the student's cell), "visible" (a test cell's visible part) or "hidden"
    code: str  # for "hidden", the grader's trigger is sent instead
    question: str | None = None
    hidden: HiddenTest | None = None


def steps(source_nb, sub_nb):
    """The submission's code cells in order, each test cell (its first copy) replaced by the source's: its
    visible part, then its hidden test."""
    tests = {grade_id(c): c.source for c in source_nb.cells if is_test(c) and c.cell_type == "code"}
    out, seen = [], set()
    for k, cell in enumerate(sub_nb.cells):
        if cell.get("cell_type") != "code":
            continue
        gid = grade_id(cell)
        if gid in tests and gid not in seen:
            seen.add(gid)
            visible, _ = split_hidden(tests[gid])
            out.append(Step(k, "visible", visible, gid))
            test = hidden_test(tests[gid])
            if test is not None:
                out.append(Step(k, "hidden", "", gid, test))
        elif cell.source.strip():
            out.append(Step(k, "code", cell.source))
    return out
