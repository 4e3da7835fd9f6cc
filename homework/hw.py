"""Homework without nbgrader: build student versions, and grade a folder of submissions.

    python -m homework release [--out homework/release]
        student versions of homework/source/*/*.ipynb: solutions replaced by `raise NotImplementedError`
        (written answers by "YOUR ANSWER HERE"), hidden tests removed, outputs cleared.

    python -m homework limits
        the limits a grading kernel gets on this machine (sandbox, cgroup, sizes, times).

    python -m homework grade SUBMISSIONS [--csv grades.csv] [--json grades.json] [--timeout 60]
                             [--submission-timeout 300] [--jobs N] [--no-sandbox]
        SUBMISSIONS/<student>/<assignment>.ipynb -> points per question per student, with feedback.

Each submission runs in its own fresh kernel in a sandbox (homework/sandbox.py: bubblewrap on Linux; no
sandbox, no grading, unless --no-sandbox), ``--jobs`` of them at once (default: the machine's cores), with
limits on memory, processes, files and time; whatever one submission does or is, it becomes that student's
rows, with the reason, and every student gets theirs. Hidden tests run in the kernel's guard
(homework/kernel_guard.py) with cases from a seed drawn then; their outputs come back on the guard's pipe
and are judged here; calls into the course's reference while they run are flagged. docs/teaching.md says
what is guaranteed and what is not.
"""

import argparse
import concurrent.futures
import os
import pathlib
import resource
import secrets
import stat
import sys
import threading
import time
from typing import NamedTuple

import nbformat

from homework import channel, export, judging, notebooks, sandbox, wire
from homework.judging import CourseChanged
from homework.kernel import Kernel, KernelDied
from homework.notebooks import assignments, nbg, release, student_version  # noqa: F401  (the public names)

HERE = pathlib.Path(__file__).resolve().parent
SUBMISSION_TIMEOUT = 300  # seconds for a whole submission, on top of the per-cell timeout


class Outcome(NamedTuple):
    errors: dict  # step index -> error text or None
    hidden: dict  # question -> what its hidden test left (see run_hidden)
    fatal: str | None
    flags: list  # about the whole kernel (the guard's tamper records, the report channel)


# --- running a submission ----------------------------------------------------------------------------------
def _error(reply, timeout):
    if reply.get("status") == "timeout" or reply.get("ename") == "KeyboardInterrupt":
        return f"ran longer than {timeout} s and was interrupted"
    if reply.get("status") == "error":
        return f"{str(reply.get('ename'))[:100]}: {str(reply.get('evalue'))[:1000]}"
    return None


def run_hidden(kernel, n, step, seed, timeout, deadline):
    """What hidden test ``n`` left: {"done": (meta, results) or None, "calls", "broken", "error"}."""
    test, records = step.hidden, kernel.records
    sent = channel.send_command(kernel.command_fd, n, test.question, test.answer, test.forward, seed)
    if not sent:
        return {"done": None, "calls": set(), "broken": "the kernel filled the grader's command channel", "error": None}
    reply = kernel.run(f"{wire.TRIGGER}()", timeout, deadline)
    records.wait(lambda: n in records.done or records.broken, min(deadline or 1e18, time.monotonic() + 2))
    with records.cond:
        calls, broken = records.calls.pop(n, set()), records.broken
    return {"done": records.take_done(n), "calls": calls, "broken": broken, "error": _error(reply, timeout)}


def execute(steps, kernel, timeout, seed, deadline=None):
    """Run ``steps`` (notebooks.steps) in ``kernel``; stops at the first fatal problem (KernelDied)."""
    errors, hidden, n = {}, {}, 0
    for i, step in enumerate(steps):
        if step.kind == "hidden" and errors.get(i - 1):
            continue  # its visible part failed: that is the question's verdict
        try:
            if step.kind == "hidden":
                n += 1
                hidden[step.question] = run_hidden(kernel, n, step, seed, timeout, deadline)
                errors[i] = None
            else:
                errors[i] = _error(kernel.run(step.code, timeout, deadline), timeout)
        except KernelDied as died:
            return Outcome(errors, hidden, f"{died} (in cell {step.cell})", [])
    return Outcome(errors, hidden, None, [])


def _kernel_flags(kernel):
    records = kernel.records
    if records is None:
        return []
    with records.cond:
        flags = [f"the kernel {what}" for what in dict.fromkeys(records.tampered)]
        if records.forged:
            flags.append("the kernel wrote into the grader's report channel")
        if records.broken:
            flags.append(records.broken)
    return flags


def run_submission(steps, timeout, seed, sandboxed, submission_timeout, limits, secret):
    """The Outcome of running ``steps`` (a submission's graded cells and hidden tests) in a fresh kernel."""
    kernel = Kernel(sandboxed=sandboxed, limits=limits, secret=[notebooks.SOURCE, HERE, *secret])
    deadline = time.monotonic() + submission_timeout if submission_timeout else None
    outcome = Outcome({}, {}, None, [])
    try:
        start = min(60, max(1, deadline - time.monotonic())) if deadline else 60
        kernel.start(timeout=start)
        outcome = execute(steps, kernel, timeout, seed, deadline)
    except KernelDied as err:
        outcome = Outcome({}, {}, str(err), [])
    except Exception as err:  # the kernel did not even start
        outcome = Outcome({}, {}, f"the kernel failed: {type(err).__name__}: {err}", [])
    finally:
        flags = _kernel_flags(kernel)
        kernel.close()
    return outcome._replace(flags=flags)


# --- verdicts --------------------------------------------------------------------------------------------------
def root_cause(steps, errors, k):
    """The first error in the cells since the previous test cell: usually why test step k failed."""
    start = max((i for i in range(k) if steps[i].kind != "code"), default=-1)
    for i in range(start + 1, k):
        if errors.get(i):
            return f"cell {steps[i].cell} failed with {errors[i][:300]}"
    return ""


def hidden_verdict(q, seed, left, timeout):
    """(points earned?, status, feedback, flags) from what hidden test ``q`` left."""
    done, calls = left["done"], left["calls"]
    flags = [
        f"called the course's reference {name} while the hidden cases ran"
        for name in sorted(calls & judging.answering(q))
    ]
    if left["broken"]:
        return False, "integrity", f"{q}: the hidden test's result cannot be trusted: {left['broken']}", flags
    if done is None:
        return False, "integrity", f"{q}: the hidden test did not run as the grader sent it", flags
    meta, results = done
    if meta.get("question") != q or meta.get("seed") != seed:
        return False, "integrity", f"{q}: the hidden test that ran was not the one the grader sent", flags
    if meta.get("error"):
        interrupted = (
            meta["error"].startswith("KeyboardInterrupt")
            or left["error"] == f"ran longer than {timeout} s and was interrupted"
        )
        text = f"ran longer than {timeout} s and was interrupted" if interrupted else meta["error"]
        return False, "failed", f"{q}: {text}" if not text.startswith(q) else text, flags
    ok, msg = judging.judge(q, seed, results)
    return ok, "passed" if ok else "failed", msg, flags


def verdicts(rows, kinds, steps, outcome, broken, seed, timeout):
    """Fill each question's row from the Outcome and the integrity problems found before running."""
    at = {s.question: i for i, s in enumerate(steps) if s.kind == "visible"}
    for q, row in rows.items():
        if kinds[q] == "auto":
            row["flags"] += outcome.flags
        k = at.get(q)
        if q in broken:
            row.update(status="integrity", feedback=broken[q])
        elif kinds[q] == "manual":
            row.update(status="manual", feedback="a written answer: your teacher reads and grades it")
        elif k is None or k not in outcome.errors:
            row.update(status="error", feedback=outcome.fatal or f"the test cell '{q}' did not run")
        elif outcome.errors[k] is not None:
            cause = root_cause(steps, outcome.errors, k)
            row.update(
                status="failed", feedback=(f"{cause}; so the test failed: " if cause else "") + outcome.errors[k][:400]
            )
        elif q not in outcome.hidden:
            row.update(status="error", feedback=outcome.fatal or f"the hidden test of '{q}' did not run")
        else:
            ok, status, feedback, flags = hidden_verdict(q, seed, outcome.hidden[q], timeout)
            row.update(points=row["max"] if ok else 0.0, status=status, feedback=feedback)
            row["flags"] += flags
    return list(rows.values())


def empty_rows(source_nb):
    qs = notebooks.questions(source_nb)
    rows = {
        q: {"question": q, "points": 0.0, "max": pts, "status": "", "feedback": "", "flags": []} for q, pts, _ in qs
    }
    return rows, {q: kind for q, _, kind in qs}


def error_rows(source_nb, reason):
    rows, _ = empty_rows(source_nb)
    for r in rows.values():
        r.update(status="error", feedback=reason[:400])
    return list(rows.values())


PARSING = threading.BoundedSemaphore(2)  # notebooks parsed at once: a parse of 8 MiB peaks near 50 MB


def prepare(name, dir_fd, source_nb):
    """(integrity problems, steps) of the notebook ``name`` in ``dir_fd``, which is then let go; raises
    notebooks.Unreadable. At most two at a time, whatever --jobs is, so that the grader's memory stays bounded."""
    with PARSING:
        sub = notebooks.read_submission(name, dir_fd)
        return notebooks.integrity(source_nb, sub), notebooks.steps(source_nb, sub)


def grade_notebook(
    prepared,
    source_nb,
    timeout=60,
    seed=None,
    sandboxed=True,
    submission_timeout=SUBMISSION_TIMEOUT,
    limits=None,
    course=None,
    secret=(),
):
    """[{question, points, max, status, feedback, flags}] for one submitted notebook, ``prepare``d.

    Never raises for anything in the submission; raises CourseChanged if the course's files changed."""
    judging.freeze()
    course = course if course is not None else judging.course_files()
    rows, kinds = empty_rows(source_nb)
    broken, steps = prepared
    seed = seed if seed is not None else secrets.randbelow(2**31)
    outcome = run_submission(steps, timeout, seed, sandboxed, submission_timeout, limits, secret)
    judging.check_course(course, "a submission")
    return verdicts(rows, kinds, steps, outcome, broken, seed, timeout)


# --- a class -----------------------------------------------------------------------------------------------
class Task(NamedTuple):
    student: str  # the folder's name as the file system has it
    assignment: str  # "" for a problem with the student's folder itself
    problem: str | None = None  # why there is nothing to grade


def discover(root_fd, known):
    """The tasks in a submissions folder: one per student and notebook, and one per student folder that cannot
    be graded (a link, a folder with no notebook of an assignment in it), none following a link."""
    tasks = []
    for name in sorted(os.listdir(root_fd)):
        if name.startswith("."):
            continue
        mode = os.stat(name, dir_fd=root_fd, follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):
            tasks.append(Task(name, "", "the student's folder is a symbolic link: the grader does not follow links"))
        elif not stat.S_ISDIR(mode):
            if name.endswith(".ipynb"):
                tasks.append(
                    Task(
                        name,
                        "",
                        "a notebook outside a student's folder: expected SUBMISSIONS/<student>/<assignment>.ipynb",
                    )
                )
        else:
            found = _notebooks_in(root_fd, name, known)
            tasks += [Task(name, a) for a in found] or [
                Task(
                    name,
                    "",
                    f"no notebook of an assignment here (expected one of {', '.join(f'{a}.ipynb' for a in known)})",
                )
            ]
    return tasks


def _notebooks_in(root_fd, name, known):
    try:
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=root_fd)
    except OSError:
        return list(known)  # each gets its row with the reason
    try:
        entries = set(os.listdir(fd))
    finally:
        os.close(fd)
    return [a for a in known if f"{a}.ipynb" in entries]


class Grader:
    """A class's grading: shared sources and settings, one task at a time per worker thread."""

    def __init__(self, root_fd, sources, settings, quiet):
        self.root_fd, self.sources, self.settings, self.quiet = root_fd, sources, settings, quiet
        self.lock, self.stop = threading.Lock(), threading.Event()

    def grade(self, task):
        if self.stop.is_set():
            return None
        entry = {
            "student": export.folder_name(task.student),
            "assignment": task.assignment,
            "sandboxed": self.settings["sandboxed"],
        }
        if task.problem:
            entry["questions"] = [
                {"question": "", "points": 0.0, "max": 0.0, "status": "error", "feedback": task.problem, "flags": []}
            ]
        else:
            try:
                entry["questions"] = self._grade_one(task)
            except CourseChanged:
                raise
            except Exception as err:  # a fault of the grader's own: this student's rows say so, the class goes on
                reason = f"the grader failed on this submission ({type(err).__name__}: {err}); please report it"
                entry["questions"] = error_rows(self.sources[task.assignment], reason)
        if not self.quiet:
            with self.lock:
                print(export.line(entry), flush=True)
        return entry

    def _grade_one(self, task):
        source = self.sources[task.assignment]
        try:
            fd = os.open(task.student, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=self.root_fd)
        except OSError as err:
            return error_rows(source, f"the student's folder could not be opened ({err.strerror})")
        try:
            prepared = prepare(f"{task.assignment}.ipynb", fd, source)
        except notebooks.Unreadable as err:
            return error_rows(source, str(err))
        finally:
            os.close(fd)
        return grade_notebook(prepared, source, **self.settings)


def default_jobs():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _preflight(sandboxed, secret):
    if sandboxed:
        sandbox.check(secret=secret)
    elif os.name == "nt":
        raise sandbox.Unavailable(
            "on Windows the grader cannot run even without a sandbox (it talks to kernels over Unix sockets and "
            "pipes): run it in WSL (Windows Subsystem for Linux), where bubblewrap gives it its sandbox"
        )
    else:
        print(sandbox.NO_SANDBOX_WARNING, file=sys.stderr, flush=True)


def grade(
    submissions,
    csv_path,
    json_path,
    timeout=60,
    sandboxed=True,
    submission_timeout=SUBMISSION_TIMEOUT,
    limits=None,
    quiet=False,
    jobs=None,
):
    """Grade SUBMISSIONS/<student>/<assignment>.ipynb, ``jobs`` at once; write the CSV and JSON; return the report.

    Raises sandbox.Unavailable when ``sandboxed`` and there is no sandbox here, CourseChanged when a course
    file changed during grading (then nothing is written)."""
    submissions = pathlib.Path(submissions).resolve()
    secret = [submissions, *[pathlib.Path(p).resolve().parent for p in (csv_path, json_path)]]
    _preflight(sandboxed, [notebooks.SOURCE, HERE, submissions])
    judging.freeze()
    known = assignments()
    sources = {name: nbformat.read(src, as_version=4) for name, src in known.items()}
    for src in sources.values():  # a hidden test the grader cannot run stops it now, not at the first student
        notebooks.steps(src, src)
    settings = dict(
        timeout=timeout, sandboxed=sandboxed, submission_timeout=submission_timeout, limits=limits, secret=secret
    )
    root_fd = os.open(submissions, os.O_RDONLY | os.O_DIRECTORY)
    try:
        settings["course"] = judging.course_files()  # before any submission runs
        grader = Grader(root_fd, sources, settings, quiet)
        report = _grade_all(grader, discover(root_fd, known), jobs or default_jobs())
    finally:
        os.close(root_fd)
    report = export.safe_report(report)
    export.write_json(report, json_path)
    export.write_csv(report, csv_path)
    return report


def _grade_all(grader, tasks, jobs):
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grading") as pool:
        futures = [pool.submit(grader.grade, t) for t in tasks]
        try:
            for f in concurrent.futures.as_completed(futures):
                f.result()
        except CourseChanged:
            grader.stop.set()
            for f in futures:
                f.cancel()
            raise
    return [f.result() for f in futures]


def peak_memory_mb():
    """This process's largest resident size so far, in MB (all its threads; not the kernels).

    On Linux it is VmHWM from /proc/self/status: getrusage's ru_maxrss keeps the high-water mark of the process
    that started this one (it survives fork and exec), so a grader started from a large process (a test run, a
    notebook) would report that process's memory as its own."""
    try:
        with open("/proc/self/status") as status:
            kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
        return int(kb) / 1024
    except (OSError, StopIteration):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return rss / 1024 if sys.platform.startswith("linux") else rss / (1 << 20)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m homework", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("limits", help="print the limits a grading kernel gets on this machine")
    r = sub.add_parser("release", help="build the student versions")
    r.add_argument("--out", default=str(HERE / "release"))
    g = sub.add_parser("grade", help="grade a folder of submissions")
    g.add_argument("submissions")
    g.add_argument("--csv", default="grades.csv")
    g.add_argument("--json", default="grades.json")
    g.add_argument("--timeout", type=int, default=60, help="seconds per cell (default 60)")
    g.add_argument(
        "--submission-timeout",
        type=int,
        default=SUBMISSION_TIMEOUT,
        help=f"seconds per submission, all cells together (default {SUBMISSION_TIMEOUT})",
    )
    g.add_argument(
        "--jobs",
        type=int,
        default=None,
        help=f"submissions graded at once, each in its own sandbox (default: the cores, {default_jobs()} here)",
    )
    g.add_argument(
        "--no-sandbox",
        action="store_true",
        help="grade without a sandbox where there is none (macOS, Windows): only for submissions you trust",
    )
    args = ap.parse_args(argv)
    if args.cmd == "release":
        release(args.out)
        return 0
    if args.cmd == "limits":
        print("\n".join(sandbox.describe(60, SUBMISSION_TIMEOUT)))
        return 0
    return _grade_command(args)


def _grade_command(args):
    if not pathlib.Path(args.submissions).is_dir():
        print(
            f"python -m homework grade: {export.clean(args.submissions)} is not a folder of submissions",
            file=sys.stderr,
        )
        return 2
    if args.jobs is not None and args.jobs < 1:
        print(f"python -m homework grade: --jobs must be at least 1, got {args.jobs}", file=sys.stderr)
        return 2
    start = time.monotonic()
    try:
        report = grade(
            args.submissions,
            args.csv,
            args.json,
            args.timeout,
            sandboxed=not args.no_sandbox,
            submission_timeout=args.submission_timeout,
            jobs=args.jobs,
        )
    except sandbox.Unavailable as err:
        if args.no_sandbox:
            print(f"python -m homework grade: cannot grade: {err}.", file=sys.stderr)
            return 2
        print(
            f"python -m homework grade: refusing to grade: {err}.\n"
            "Submissions are programs: without a sandbox they run with your rights (your files, your network, "
            "this grader). On Linux install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap); elsewhere, "
            "or to grade anyway, pass --no-sandbox (only for submissions you trust).",
            file=sys.stderr,
        )
        return 2
    except CourseChanged as err:
        print(f"python -m homework grade: STOPPED: {err}", file=sys.stderr)
        return 3
    jobs = args.jobs or default_jobs()
    print(
        f"graded {len(report)} submissions in {time.monotonic() - start:.1f} s with --jobs {jobs}; grader peak memory {peak_memory_mb():.0f} MB",
        flush=True,
    )
    return 0
