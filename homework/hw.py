"""Homework without nbgrader: build student versions, and grade a folder of submissions.

    python homework/hw.py release [--out homework/release]
        student versions of homework/source/*/*.ipynb: solutions replaced by `raise NotImplementedError`
        (written answers by "YOUR ANSWER HERE"), hidden tests removed, outputs cleared.

    python homework/hw.py grade SUBMISSIONS [--csv grades.csv] [--json grades.json] [--timeout 60]
                                [--submission-timeout 300] [--no-sandbox]
        SUBMISSIONS/<student>/<assignment>.ipynb -> points per question per student, with feedback.

Each submission runs in its own fresh kernel in a sandbox (homework/sandbox.py: bubblewrap on Linux; no
sandbox, no grading, unless --no-sandbox), with limits on memory, processes, time per cell and time per
submission; a failure costs only the questions it affects, with the reason. Everything this process
judges with (lstm_lab.homework and lstm_core) is imported before any submission runs, and the course's
files are hashed before and checked after every submission: a change stops grading. Hidden tests are
injected into a copy at grading time with a seed chosen then, which the kernel learns only when the hidden
test starts; their outputs are judged here. Calls into the course's reference made while the hidden cases
run are reported per question (column "flags"). docs/teaching.md says what is guaranteed and what is not.
"""

import argparse
import copy
import csv
import hashlib
import importlib.util
import io
import json
import os
import pathlib
import re
import secrets
import site
import sys
import time
import zipfile

import nbformat
import numpy as np

import lstm_core
import lstm_lab
from lstm_lab import homework as H  # the judge: imported before any submission runs

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "source"
SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*\n?", re.S | re.M)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)
ANSWER_HERE = "YOUR ANSWER HERE"
SUBMISSION_TIMEOUT = 300  # seconds for a whole submission, on top of the per-cell timeout


def _load(name, path):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


sandbox = _load("lstm_lab_homework_sandbox", HERE / "sandbox.py")


def nbg(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


# --- release ---------------------------------------------------------------------------------------
def student_version(nb):
    """A copy of a source notebook with no solution and no hidden test in it."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        meta = nbg(cell)
        if meta.get("solution"):
            if cell.cell_type == "markdown":
                cell.source = ANSWER_HERE
            else:
                cell.source = SOLUTION.sub(lambda m: f"{m.group(1)}raise NotImplementedError\n", cell.source).rstrip(
                    "\n"
                )
        if meta.get("grade") and cell.cell_type == "code":
            cell.source = HIDDEN.sub("", cell.source).rstrip("\n")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def assignments():
    return {p.parent.name: p for p in sorted(SOURCE.glob("*/*.ipynb"))}


def release(out):
    out = pathlib.Path(out)
    for name, path in assignments().items():
        target = out / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        print(f"released {target}")


# --- grading ---------------------------------------------------------------------------------------
def questions(source_nb):
    """[(grade_id, points, kind)] in notebook order; kind 'auto' (a test cell) or 'manual' (a written answer)."""
    out = []
    for cell in source_nb.cells:
        m = nbg(cell)
        if m.get("grade"):
            out.append((m["grade_id"], float(m.get("points", 0)), "manual" if m.get("solution") else "auto"))
    return out


def integrity(source_nb, sub_nb):
    """{grade_id of a question: reason} for the questions whose cells were deleted, edited or moved.

    An edited or deleted test cell costs its own question (the grader runs the original anyway); a
    deleted or moved answer cell costs the question tested after it; an edited given cell costs every
    question after it, since later code may rely on it.
    """
    released = student_version(source_nb)
    cells = [
        (nbg(c).get("grade_id"), nbg(c), c.source, s.source)
        for c, s in zip(released.cells, source_nb.cells, strict=True)
    ]
    want = [gid for gid, *_ in cells if gid]
    by_id = {nbg(c).get("grade_id"): c for c in sub_nb.cells if nbg(c).get("grade_id")}
    order = [q for q, _, _ in questions(source_nb)]

    def question_at_or_after(gid):
        i = want.index(gid)
        return next((q for q in order if want.index(q) >= i), None)

    problems = {}
    for gid, meta, rel_src, src in cells:
        if not gid:
            continue
        is_test = meta.get("grade") and not meta.get("solution")
        cell = by_id.get(gid)
        if cell is None:
            q = gid if gid in order else question_at_or_after(gid)
            if q:
                problems.setdefault(q, f"the cell '{gid}' was deleted")
        elif is_test and cell.source.strip() not in (rel_src.strip(), src.strip()):
            problems.setdefault(gid, f"the test cell '{gid}' was edited")
        elif meta.get("locked") and not meta.get("grade") and cell.source.strip() != rel_src.strip():
            for q in order[order.index(question_at_or_after(gid)) :] if question_at_or_after(gid) else []:
                problems.setdefault(q, f"the given cell '{gid}' was edited")
    have = [nbg(c).get("grade_id") for c in sub_nb.cells if nbg(c).get("grade_id") in set(want)]
    kept = [g for g in want if g in have]
    for g, h in zip(kept, have, strict=True):
        if g != h:
            for moved in (g, h):
                q = moved if moved in order else question_at_or_after(moved)
                if q:
                    problems.setdefault(q, f"the cell '{moved}' was moved out of its place")
    return problems


def grading_copy(source_nb, sub_nb):
    """The student's notebook with every test cell replaced by the source's (hidden tests included)."""
    src_tests = {
        nbg(c)["grade_id"]: c.source for c in source_nb.cells if nbg(c).get("grade") and not nbg(c).get("solution")
    }
    nb = copy.deepcopy(sub_nb)
    for cell in nb.cells:
        gid = nbg(cell).get("grade_id")
        if gid in src_tests:
            cell.source = src_tests[gid]
        if cell.cell_type == "code":
            cell.outputs = []
    return nb


def split_hidden(source):
    """(the visible part of a test cell, its hidden tests without the markers)."""
    hidden = "".join(
        re.sub(r"^[ \t]*### (BEGIN|END) HIDDEN TESTS[ \t]*\n?", "", m.group(0), flags=re.M)
        for m in HIDDEN.finditer(source)
    )
    return HIDDEN.sub("", source), hidden


def _error(reply, k, timeout):
    if reply.get("status") == "timeout" or reply.get("ename") == "KeyboardInterrupt":
        return f"cell {k} ran longer than {timeout} s and was interrupted"
    if reply.get("status") == "error":
        return f"{str(reply.get('ename'))[:100]}: {str(reply.get('evalue'))[:1000]}"
    return None


def execute(nb, kernel, timeout, seed, deadline=None):
    """Run the cells one by one in ``kernel`` (a started sandbox.Kernel).

    Returns ({cell index: error text or None, (index, "files"): {question: saved bytes}}, a fatal reason or
    None, {test cell index: {"ran": the guard saw the hidden test run, "calls": reference calls meanwhile}}).
    A test cell runs as two requests, its visible part and then its hidden tests, so the window in which
    reference calls count holds the hidden cases only.
    """
    results, fatal, watch = {}, None, {}
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        is_test = nbg(cell).get("grade") and not nbg(cell).get("solution")
        parts = [(cell.source, None)]
        if is_test:
            visible, hidden = split_hidden(cell.source)
            parts = [(visible, None)] + ([(hidden, seed)] if hidden.strip() else [])
            kernel.clear_results()  # a test's evidence must come from running that test
        err = None
        for code, part_seed in parts:
            if not code.strip():
                continue
            n, marked = kernel.cell(code, part_seed)
            start = kernel.reports.sync()
            try:
                reply = kernel.run(marked, timeout, deadline)
            except sandbox.KernelDied as died:
                fatal = f"{died} (in cell {k})"
                break
            events = kernel.reports.since(start, kernel.reports.sync())
            if part_seed is not None:
                watch[k] = {"ran": kernel.ran(n, events), "calls": {v for kind, v in events if kind == "call"}}
            err = _error(reply, k, timeout)
            if err:
                break
        if fatal:
            break
        results[k] = err
        if is_test and k in watch:
            gid = nbg(cell).get("grade_id")
            results[(k, "files")] = {gid: kernel.read_result(f"{gid}.npz")}
    return results, fatal, watch


def root_cause(nb, results, k):
    """The first error in the cells since the previous test cell: usually why test cell k failed."""
    for j in range(k - 1, -1, -1):
        cell = nb.cells[j]
        if nbg(cell).get("grade") and not nbg(cell).get("solution"):
            break
    else:
        j = -1
    for i in range(j + 1, k):
        if results.get(i):
            return f"cell {i} failed with {results[i][:300]}"
    return ""


def load_saved(blob, limit=64 << 20):
    """The outputs in a saved .npz, after checking it cannot make this process allocate much or unpickle."""
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        infos = zf.infolist()
        if len(infos) > 1000 or sum(i.file_size for i in infos) > limit:
            raise ValueError("too large")
        for info in infos:
            with zf.open(info) as f:
                version = np.lib.format.read_magic(f)
                read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                shape, _, dtype = read(f)
                if dtype.hasobject or int(np.prod(shape, dtype=np.int64)) * dtype.itemsize > info.file_size:
                    raise ValueError("not a plain array")
    return H.load_outputs(io.BytesIO(blob))


def judge_saved(question, seed, blob):
    """The verdict of this process (not the student's kernel) on the outputs a hidden check saved."""
    try:
        outputs = load_saved(blob)
    except Exception as err:
        return False, f"{question}: the saved outputs could not be read ({type(err).__name__})"
    cases = H.cases(question, seed)
    if len(outputs) != len(cases):
        return False, f"{question}: only {len(outputs)} of {len(cases)} test cases produced an answer"
    for k, (case, got) in enumerate(zip(cases, outputs, strict=True)):
        try:
            ok, msg = H.judge(question, case, got)
        except Exception as err:  # outputs the judge cannot even compare
            ok, msg = False, f"{question}: the outputs could not be compared ({type(err).__name__})"
        if not ok:
            return False, f"{msg} (hidden case {k + 1})"
    return True, f"{question}: correct on {len(cases)} hidden cases"


# --- the course's files: hashed before grading, checked after every submission -------------------------
class CourseChanged(RuntimeError):
    """A course file changed while a submission ran: the sandbox failed, so no grade can be trusted."""


def course_files():
    """Every file the grader judges with or installs for the kernel: the packages, the grader, the sources."""
    roots = [pathlib.Path(p) for pkg in (lstm_core, lstm_lab) for p in pkg.__path__] + [SOURCE]
    files = {HERE / n for n in ("hw.py", "sandbox.py", "kernel_guard.py", "nbgrader_config.py")}
    for root in roots:
        files.update(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for d in {*site.getsitepackages(), site.getusersitepackages()}:
        for pattern in ("*lstm_lab*", "*lstm-lab*", "*lstm_lab*/*"):
            files.update(p for p in pathlib.Path(d).glob(pattern) if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files) if p.exists()}


def check_course(before, what):
    after = course_files()
    if after != before:
        changed = sorted({*before, *after} - {k for k in before if before.get(k) == after.get(k)})
        raise CourseChanged(
            f"course files changed while {what} ran: {', '.join(changed[:10])}. The sandbox did not hold; "
            "grading stopped and no grade from this run can be trusted."
        )


_frozen = False


def freeze_judge():
    """Build everything the judge uses once, now: the classic-bug mutants, from the source as it is now."""
    global _frozen
    if not _frozen:
        cached = {}
        original = H.bugs.step_bug

        def step_bug(name):
            if name not in cached:
                cached[name] = original(name)
            return cached[name]

        H.bugs.step_bug = step_bug
        for q in H.QUESTIONS:
            H._fingerprints(q, H.cases(q, 0)[0])
        _frozen = True


# --- grading a submission ------------------------------------------------------------------------------
def grade_submission(
    path,
    source_nb,
    timeout=60,
    seed=None,
    sandboxed=True,
    submission_timeout=SUBMISSION_TIMEOUT,
    limits=None,
    course=None,
    secret=(),
):
    """[{question, points, max, status, feedback, flags}] for one submitted notebook.

    Never raises for anything in the submission; raises CourseChanged if the course's files changed.
    """
    freeze_judge()
    course = course if course is not None else course_files()
    qs = questions(source_nb)
    rows = {
        q: {"question": q, "points": 0.0, "max": pts, "status": "", "feedback": "", "flags": []} for q, pts, _ in qs
    }
    kinds = {q: kind for q, _, kind in qs}
    try:
        sub = nbformat.read(path, as_version=4)
        nbformat.validate(sub)
    except Exception as err:
        for r in rows.values():
            r.update(
                status="error", feedback=f"the submission is not a valid notebook ({type(err).__name__}: {err})"[:300]
            )
        return list(rows.values())
    broken = integrity(source_nb, sub)
    seed = seed if seed is not None else secrets.randbelow(2**31)
    nb = grading_copy(source_nb, sub)
    kernel = sandbox.Kernel(sandboxed=sandboxed, limits=limits, secret=[SOURCE, HERE, *secret])
    results, fatal, watch, tampered = {}, None, {}, []
    try:
        kernel.start()
        deadline = time.monotonic() + submission_timeout if submission_timeout else None
        results, fatal, watch = execute(nb, kernel, timeout, seed, deadline)
    except sandbox.KernelDied as err:
        fatal = str(err)
    except Exception as err:  # the kernel did not even start
        fatal = f"the kernel failed: {type(err).__name__}: {err}"
    finally:
        if kernel.reports is not None:
            kernel.reports.sync()
            tampered = sorted({v for kind, v in kernel.reports.since(0) if kind == "tamper"})
            if kernel.reports.garbage:
                tampered.append("wrote into the grader's report channel")
        kernel.close()
    check_course(course, f"the submission {path}")
    cell_of = {nbg(c).get("grade_id"): k for k, c in enumerate(nb.cells) if nbg(c).get("grade_id")}
    for q, row in rows.items():
        k = cell_of.get(q)
        if kinds[q] == "auto":
            row["flags"] += [f"the kernel {t}" for t in tampered]
        if q in broken:
            row.update(status="integrity", feedback=broken[q])
        elif kinds[q] == "manual":
            row.update(status="manual", feedback="a written answer: your teacher reads and grades it")
        elif k is None or k not in results:
            row.update(status="error", feedback=fatal or f"the test cell '{q}' did not run")
        elif results[k] is not None:
            cause = root_cause(nb, results, k)
            row.update(
                status="failed", feedback=((cause + "; so the test failed: ") if cause else "") + results[k][:400]
            )
        elif k in watch and not watch[k]["ran"]:
            row.update(status="integrity", feedback=f"{q}: the hidden test did not run as the grader sent it")
        else:
            answering = set(H.REFERENCE_CALLS.get(q, H._CHECKS_OWN))  # the reference functions that answer q
            called = sorted(watch.get(k, {}).get("calls", set()) & answering)
            row["flags"] += [f"called the course's reference {name} while the hidden cases ran" for name in called]
            blob = results.get((k, "files"), {}).get(q)
            if blob is None:
                row.update(status="failed", feedback=f"{q}: the hidden test left no answers to check")
                continue
            ok, msg = judge_saved(q, seed, blob)
            row.update(points=row["max"] if ok else 0.0, status="passed" if ok else "failed", feedback=msg)
    return list(rows.values())


def grade(
    submissions,
    csv_path,
    json_path,
    timeout=60,
    sandboxed=True,
    submission_timeout=SUBMISSION_TIMEOUT,
    limits=None,
    quiet=False,
):
    """Grade SUBMISSIONS/<student>/<assignment>.ipynb; write the CSV and JSON; return the report.

    Raises sandbox.Unavailable when ``sandboxed`` and there is no sandbox here, CourseChanged when a course
    file changed during grading (then nothing is written).
    """
    submissions = pathlib.Path(submissions).resolve()
    outputs = [pathlib.Path(csv_path).resolve(), pathlib.Path(json_path).resolve()]
    secret = [submissions, *[p.parent for p in outputs]]
    if sandboxed:
        sandbox.check(secret=[SOURCE, HERE, submissions])
    elif os.name == "nt":
        raise sandbox.Unavailable(
            "on Windows the grader cannot run even without a sandbox (it talks to kernels over Unix sockets and "
            "pipes): run it in WSL (Windows Subsystem for Linux), where bubblewrap gives it its sandbox"
        )
    else:
        print(sandbox.NO_SANDBOX_WARNING, file=sys.stderr, flush=True)
    freeze_judge()
    course = course_files()  # before any submission runs
    known = assignments()
    sources = {name: nbformat.read(src, as_version=4) for name, src in known.items()}
    report = []
    for student_dir in sorted(p for p in submissions.iterdir() if p.is_dir()):
        for name in known:
            path = student_dir / f"{name}.ipynb"
            if not path.is_file():
                continue
            rows = grade_submission(
                path,
                sources[name],
                timeout=timeout,
                sandboxed=sandboxed,
                submission_timeout=submission_timeout,
                limits=limits,
                course=course,
                secret=secret,
            )
            report.append({"student": student_dir.name, "assignment": name, "sandboxed": sandboxed, "questions": rows})
            total = sum(r["points"] for r in rows)
            flagged = " (flagged)" if any(r["flags"] for r in rows) else ""
            if not quiet:
                print(
                    f"{student_dir.name:20} {name:14} {total:5.1f} / {sum(r['max'] for r in rows):.0f}{flagged}",
                    flush=True,
                )
    pathlib.Path(json_path).write_text(json.dumps(report, indent=1))
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "assignment", "question", "points", "max", "status", "feedback", "flags"])
        for entry in report:
            for r in entry["questions"]:
                w.writerow(
                    [
                        entry["student"],
                        entry["assignment"],
                        r["question"],
                        r["points"],
                        r["max"],
                        r["status"],
                        r["feedback"],
                        "; ".join(r["flags"]),
                    ]
                )
    return report


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
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
        "--no-sandbox",
        action="store_true",
        help="grade without a sandbox where there is none (macOS, Windows): only for submissions you trust",
    )
    args = ap.parse_args(argv)
    if args.cmd == "release":
        release(args.out)
        return 0
    if not pathlib.Path(args.submissions).is_dir():
        print(f"hw.py grade: {args.submissions} is not a folder of submissions", file=sys.stderr)
        return 2
    try:
        grade(
            args.submissions,
            args.csv,
            args.json,
            args.timeout,
            sandboxed=not args.no_sandbox,
            submission_timeout=args.submission_timeout,
        )
    except sandbox.Unavailable as err:
        if args.no_sandbox:
            print(f"hw.py grade: cannot grade: {err}.", file=sys.stderr)
            return 2
        print(
            f"hw.py grade: refusing to grade: {err}.\n"
            "Submissions are programs: without a sandbox they run with your rights (your files, your network, "
            "this grader). On Linux install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap); elsewhere, "
            "or to grade anyway, pass --no-sandbox (only for submissions you trust).",
            file=sys.stderr,
        )
        return 2
    except CourseChanged as err:
        print(f"hw.py grade: STOPPED: {err}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
