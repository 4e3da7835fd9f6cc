"""Homework: student versions leak nothing; the grader gives full marks to the sources, zero to blank
versions, catches the classic bugs with feedback that names them, survives every kind of broken
submission, and cannot be talked into a score by the notebook."""

import copy
import json
import os
import pathlib
import re
import subprocess
import sys

import nbformat
import numpy as np
import pytest
from helpers import solved

from homework import hw

pytest.importorskip("nbclient")
ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = hw.assignments()
TIMEOUT = 120  # seconds per cell: a5's sampler, 2,000 draws under the guard's trace function, took 13 s on this
# 2-core machine, and more than 60 s while other work kept it busy


def source(name):
    return nbformat.read(SOURCES[name], as_version=4)


def with_answer(name, grade_id, code):
    """A fully answered student notebook of ``name`` with the cell ``grade_id`` replaced by ``code``."""
    nb = solved(name)
    for cell in nb.cells:
        if hw.nbg(cell).get("grade_id") == grade_id:
            cell.source = code
    return nb


def mutant_backward(bug):
    return f"""import lstm_lab.bugs as _bugs

_m = _bugs.step_bug({bug!r})


def lstm_step_backward(dh, dc, cache):
    return _m.lstm_step_backward(dh, dc, cache)"""


FORWARD_NO_TANH = """import lstm_core
import lstm_lab.bugs as _bugs

_m = _bugs.step_bug("no output tanh")


def lstm_step_forward(x, h_prev, c_prev, W, b):
    return _m.lstm_step(x, h_prev, c_prev, lstm_core.LSTMParams(W, b))"""

FORWARD_TORCH_ORDER = """def lstm_step_forward(x, h_prev, c_prev, W, b):
    H = h_prev.shape[1]
    perm = np.r_[H : 2 * H, 0:H, 2 * H : 4 * H]  # copied PyTorch's i, f, g, o order
    return hw.lstm_step_compat(x, h_prev, c_prev, W[perm], b[perm])"""

BPTT_NO_CARRY = """def lstm_bptt(xs, W, b, dhs):
    p = LSTMParams(W, b)
    h = np.zeros((xs.shape[1], p.hidden_size))
    c = np.zeros_like(h)
    dW, db, norms = 0, 0, []
    for t in range(xs.shape[0]):
        h, c, cache = lstm_step(xs[t], h, c, p)
        _, _, _, dW_t, db_t = lstm_step_backward(dhs[t], np.zeros_like(h), cache)  # nothing carried back
        dW, db = dW + dW_t, db + db_t
        norms.append(0.0)
    return dW, db, np.array(norms)"""

TAMPER = """import lstm_lab.homework as _H

_H.hidden_check = lambda *a, **k: None  # "my tests always pass"
_H.self_check = lambda *a, **k: print("Score: 100 / 100")
_H.judge = lambda *a, **k: (True, "perfect")


def memory_length(b_f):
    return 42.0"""


def write(folder, student, name, nb_or_text):
    path = folder / student / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nb_or_text if isinstance(nb_or_text, str) else nbformat.writes(nb_or_text))


# assignment 5's classic mistakes, each a one-line change to the model solution: (answer cell, old, new)
A5_MISTAKES = {
    "summed_loss": ("tbptt_answer", "    dlogits /= T * B\n", "    loss *= T * B\n"),
    "zero_start": (
        "tbptt_answer",
        "run = lstm_forward(xs, LSTMParams(W, b), h0, c0)",
        "run = lstm_forward(xs, LSTMParams(W, b))",
    ),
    "state_reset": (
        "stream_answer",
        "        loss, _, h, c = chunk_loss_and_grads(",
        "        loss, _, _, _ = chunk_loss_and_grads(",
    ),
    "times_temperature": (
        "sample_answer",
        "z = (h[0] @ W_y.T + b_y) / temperature",
        "z = (h[0] @ W_y.T + b_y) * temperature",
    ),
    "no_feedback": (
        "sample_answer",
        "        run = lstm_forward(one_hot(k), p, h, c)\n        h, c = run.h[-1], run.c[-1]\n    return",
        "    return",
    ),
}


def replaced(nb, gid, old, new):
    nb = copy.deepcopy(nb)
    for c in nb.cells:
        if hw.nbg(c).get("grade_id") == gid:
            assert c.source.count(old) == 1, (gid, old)
            c.source = c.source.replace(old, new)
    return nb


def reordered(nb):
    nb = copy.deepcopy(nb)
    idx = [k for k, c in enumerate(nb.cells) if hw.nbg(c).get("grade_id") in ("backward_answer", "gradcheck_answer")]
    nb.cells[idx[0]], nb.cells[idx[1]] = nb.cells[idx[1]], nb.cells[idx[0]]
    return nb


def deleted(nb, gid):
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if hw.nbg(c).get("grade_id") != gid]
    return nb


def edited_test(nb):
    nb = copy.deepcopy(nb)
    for c in nb.cells:
        if hw.nbg(c).get("grade_id") == "gradcheck":
            c.source = "print('all tests passed')"
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs = tmp_path_factory.mktemp("submissions")
    for name in SOURCES:
        write(subs, "instructor", name, source(name))
        write(subs, "blank", name, hw.student_version(source(name)))
    write(subs, "good", "a2_backward", solved("a2_backward"))
    write(subs, "no_tanh", "a1_forward", with_answer("a1_forward", "forward_answer", FORWARD_NO_TANH))
    write(subs, "torch_order", "a1_forward", with_answer("a1_forward", "forward_answer", FORWARD_TORCH_ORDER))
    for bug in (
        "sigmoid for its derivative",
        "dc_prev not passed back",
        "dh_prev not passed back",
        "cell gradient misses the h path",
    ):
        write(
            subs,
            "bug_" + re.sub(r"\W+", "_", bug),
            "a2_backward",
            with_answer("a2_backward", "backward_answer", mutant_backward(bug)),
        )
    write(subs, "no_carry", "a3_bptt", with_answer("a3_bptt", "bptt_answer", BPTT_NO_CARRY))
    a5 = solved("a5_language_model")
    for student, (cell, old, new) in A5_MISTAKES.items():
        write(subs, student, "a5_language_model", replaced(a5, cell, old, new))
    # broken submissions: each must cost only what it breaks
    ok = solved("a2_backward")
    write(
        subs,
        "syntax_error",
        "a2_backward",
        with_answer("a2_backward", "backward_answer", "def lstm_step_backward(dh, dc, cache)\n    return"),
    )
    write(subs, "exception", "a2_backward", with_answer("a2_backward", "backward_answer", "raise RuntimeError('oops')"))
    write(subs, "endless", "a2_backward", with_answer("a2_backward", "backward_answer", "while True:\n    pass"))
    write(subs, "kernel_dies", "a2_backward", with_answer("a2_backward", "backward_answer", "import os\nos._exit(1)"))
    write(subs, "deleted_test", "a2_backward", deleted(ok, "backward"))
    write(subs, "deleted_answer", "a2_backward", deleted(ok, "gradcheck_answer"))
    write(subs, "reordered", "a2_backward", reordered(ok))
    write(subs, "edited_test", "a2_backward", edited_test(ok))
    write(subs, "not_json", "a2_backward", "{this is not a notebook")
    write(subs, "tamper", "a4_concepts", with_answer("a4_concepts", "memory_answer", TAMPER))
    hw.grade(subs, subs / "grades.csv", subs / "grades.json", timeout=TIMEOUT, jobs=2)
    report = json.loads((subs / "grades.json").read_text())
    return {(e["student"], e["assignment"]): {q["question"]: q for q in e["questions"]} for e in report}


def test_student_versions_contain_no_solution_and_no_hidden_test():
    for name in SOURCES:
        src, rel = source(name), hw.student_version(source(name))
        released_text = "\n".join(c.source for c in rel.cells)
        assert "BEGIN SOLUTION" not in released_text and "HIDDEN TESTS" not in released_text
        for cell in src.cells:
            for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
                for line in block.splitlines():
                    if line.strip():
                        assert line.strip() not in released_text, f"{name}: solution line leaked: {line.strip()}"
            for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S):
                for line in block.splitlines():
                    if line.strip():
                        assert line.strip() not in released_text, f"{name}: hidden test leaked: {line.strip()}"
            if hw.nbg(cell).get("solution") and cell.cell_type == "markdown":
                assert cell.source not in released_text
        assert all(not c.get("outputs") for c in rel.cells if c.cell_type == "code")


def test_the_release_command_writes_every_assignment(tmp_path):
    hw.release(tmp_path)
    assert sorted(p.parent.name for p in tmp_path.glob("*/*.ipynb")) == sorted(SOURCES)


def test_sources_get_full_marks_and_blank_versions_zero(graded):
    for name in SOURCES:
        for q, r in graded["instructor", name].items():
            assert r["status"] in ("passed", "manual"), (name, q, r)
            if r["status"] == "passed":
                assert r["points"] == r["max"]
        assert sum(r["points"] for r in graded["blank", name].values()) == 0
        assert any("not implemented" in r["feedback"] for r in graded["blank", name].values())


@pytest.mark.parametrize(
    "student,assignment,question,words",
    [
        ("no_tanh", "a1_forward", "forward", "tanh"),
        ("torch_order", "a1_forward", "forward", "order"),
        ("bug_sigmoid_for_its_derivative", "a2_backward", "backward", "derivative"),
        ("bug_dc_prev_not_passed_back", "a2_backward", "backward", "dc_prev"),
        ("bug_dh_prev_not_passed_back", "a2_backward", "backward", "dh_prev"),
        ("bug_cell_gradient_misses_the_h_path", "a2_backward", "backward", "flows through h"),
        ("no_carry", "a3_bptt", "bptt", "carries"),
        ("summed_loss", "a5_language_model", "tbptt", "mean over the chunk"),
        ("zero_start", "a5_language_model", "tbptt", "starts from zeros"),
        ("state_reset", "a5_language_model", "stream", "reset at every chunk"),
        ("times_temperature", "a5_language_model", "sample", "divide the logits"),
        ("no_feedback", "a5_language_model", "sample", "feed each chosen character back"),
    ],
)
def test_classic_bugs_lose_points_with_feedback_that_names_them(graded, student, assignment, question, words):
    r = graded[student, assignment][question]
    assert r["points"] == 0 and words in r["feedback"], r
    if assignment == "a2_backward":
        assert graded[student, assignment]["gradcheck"]["points"] == 5  # the other question is untouched


@pytest.mark.parametrize(
    "student,lost,kept,words",
    [
        ("syntax_error", "backward", "gradcheck", "SyntaxError"),
        ("exception", "backward", "gradcheck", "oops"),
        ("endless", "backward", "gradcheck", f"longer than {TIMEOUT} s"),
        ("deleted_test", "backward", "gradcheck", "deleted"),
        ("deleted_answer", "gradcheck", "backward", "deleted"),
        ("reordered", "backward", None, "moved"),
        ("edited_test", "gradcheck", "backward", "edited"),
        ("kernel_dies", "backward", None, "kernel died"),
        ("not_json", "backward", None, "not a valid notebook"),
    ],
)
def test_broken_submissions_cost_only_what_they_break(graded, student, lost, kept, words):
    rows = graded[student, "a2_backward"]
    assert rows[lost]["points"] == 0 and words in rows[lost]["feedback"], rows[lost]
    if kept:
        assert rows[kept]["points"] == rows[kept]["max"], rows[kept]
    assert graded["good", "a2_backward"]["backward"]["points"] == 10  # and grading carried on


def test_the_notebook_cannot_set_its_own_score(graded):
    r = graded["tamper", "a4_concepts"]["memory"]
    assert r["points"] == 0, r


# --- the grader's parts, one by one (no kernel) ------------------------------------------------------------
def test_copied_cells_and_odd_metadata_never_stop_the_integrity_check():
    from homework import notebooks

    src = source("a2_backward")
    nb = solved("a2_backward")
    at = next(k for k, c in enumerate(nb.cells) if hw.nbg(c).get("grade_id") == "backward_answer")
    nb.cells.insert(at + 1, copy.deepcopy(nb.cells[at]))  # copied in JupyterLab: the metadata comes along
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": "a string"}))
    nb.cells.append(nbformat.v4.new_code_cell("y = 2", metadata={"nbgrader": {"grade_id": ["backward"]}}))
    nb.cells.append(nbformat.v4.new_code_cell("z = 3", metadata={"nbgrader": {"grade_id": {"a": 1}, "grade": 1}}))
    assert notebooks.integrity(src, nb) == {}
    kinds = [(s.kind, s.question) for s in notebooks.steps(src, nb)]
    assert kinds.count(("visible", "backward")) == 1 and kinds.count(("hidden", "backward")) == 1
    test = copy.deepcopy(next(c for c in nb.cells if hw.nbg(c).get("grade_id") == "gradcheck"))
    nb.cells.insert(1, test)  # a copy of a test cell above its answer: the first copy counts, and is out of place
    assert "moved" in notebooks.integrity(src, nb)["gradcheck"]


def test_a_submission_is_read_only_if_it_is_a_small_regular_file(tmp_path):
    from homework import notebooks

    good = nbformat.writes(solved("a1_forward"))
    (tmp_path / "good.ipynb").write_text(good)
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "good.ipynb")
    (tmp_path / "id_ed25519").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n")
    (tmp_path / "key.ipynb").symlink_to(tmp_path / "id_ed25519")  # as root, a followed link reads any file
    (tmp_path / "environ.ipynb").symlink_to("/proc/self/environ")
    os.mkfifo(tmp_path / "fifo.ipynb")
    (tmp_path / "folder.ipynb").mkdir()
    (tmp_path / "big.ipynb").write_bytes(b" " * (notebooks.MAX_BYTES + 1))
    many = json.loads(good)
    many["cells"] += [nbformat.v4.new_code_cell("", id=f"c{k}") for k in range(notebooks.MAX_CELLS)]
    (tmp_path / "many.ipynb").write_text(json.dumps(many))
    (tmp_path / "latin1.ipynb").write_bytes(good.replace("import", "\xe9import", 1).encode("latin-1", "replace"))
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert notebooks.read_submission("good.ipynb", fd).cells
        for name, words in [
            ("link.ipynb", "symbolic link"),
            ("key.ipynb", "symbolic link"),
            ("environ.ipynb", "symbolic link"),
            ("fifo.ipynb", "FIFO"),
            ("folder.ipynb", "a folder"),
            ("big.ipynb", "larger than 8 MiB"),
            ("many.ipynb", "at most 10000"),
            ("latin1.ipynb", "not a valid notebook"),
        ]:
            with pytest.raises(notebooks.Unreadable, match=words) as refused:
                notebooks.read_submission(name, fd)
            assert "PRIVATE KEY" not in str(refused.value) and "PATH=" not in str(refused.value)
    finally:
        os.close(fd)


def test_every_student_folder_is_a_task_and_none_is_followed(tmp_path):
    write(tmp_path, "ada", "a1_forward", solved("a1_forward"))
    (tmp_path / "ben").mkdir()  # nothing in it
    (tmp_path / "cy").symlink_to(tmp_path / "ada")
    (tmp_path / "dee.ipynb").write_text("{}")  # a notebook outside a student's folder
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        tasks = hw.discover(fd, SOURCES)
    finally:
        os.close(fd)
    why = {t.student: (t.assignment, t.problem or "") for t in tasks}
    assert why["ada"] == ("a1_forward", "")
    assert "no notebook of an assignment" in why["ben"][1] and "symbolic link" in why["cy"][1]
    assert "outside a student's folder" in why["dee.ipynb"][1]


def test_report_fields_are_safe_for_a_spreadsheet_a_terminal_and_any_encoding():
    from homework import export

    assert export.cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")' and export.cell("-1") == "'-1"
    assert export.cell("@SUM(A1)").startswith("'") and export.cell(3.5) == 3.5
    assert export.clean("a\nb\x1b[2J\u202e\ud800") == "a\\nb\\u001b[2J\\u202e\\ud800"
    assert export.folder_name(os.fsdecode(b"caf\xe9")) == "caf\\xe9"
    for text in ("a\nb\x1b[2J\u202e\ud800", os.fsdecode(b"caf\xe9"), "\x00\x7f\x85"):
        assert export.clean(text).isprintable() and export.clean(text).encode("utf-8")


def test_the_graders_peak_memory_is_its_own_not_that_of_the_process_that_started_it():
    # ru_maxrss survives fork and exec: a grader started from a large process (a test run) reported its memory
    held = np.ones(400 * 2**20 // 8)  # this process holds 400 MB more when it starts the grader's interpreter
    out = subprocess.run(
        [sys.executable, "-c", "from homework import hw; print(hw.peak_memory_mb())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert held.sum() > 0 and 0 < float(out.stdout) < 200, out.stdout
