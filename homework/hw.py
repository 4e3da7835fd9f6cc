"""Homework without nbgrader: build student versions, and grade a folder of submissions.

    python homework/hw.py release [--out homework/release]
        student versions of homework/source/*/*.ipynb: solutions replaced by `raise NotImplementedError`
        (written answers by "YOUR ANSWER HERE"), hidden tests removed, outputs cleared.

    python homework/hw.py grade SUBMISSIONS [--csv grades.csv] [--json grades.json] [--timeout 60]
        SUBMISSIONS/<student>/<assignment>.ipynb -> points per question per student, with feedback.

Guarantees (docs/teaching.md): each submission runs in its own fresh kernel in a throw-away folder,
with a per-cell timeout; any failure (invalid JSON, syntax error, exception, endless loop, dead
kernel, deleted, reordered or edited test cells) costs only the questions it affects, with the
reason, and grading carries on. Hidden tests are not in the student's notebook: they are injected
into a copy at grading time, with a test seed chosen then. Points come from this process, which
re-checks the student's saved outputs against lstm_core itself; nothing the notebook prints counts.
"""

import argparse
import copy
import csv
import json
import os
import pathlib
import re
import secrets
import sys
import tempfile

import nbformat

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "source"
SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*\n?", re.S | re.M)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)
ANSWER_HERE = "YOUR ANSWER HERE"


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


def execute(nb, workdir, env, timeout):
    """Run the cells one by one in a fresh kernel; {cell index: error text or None}, and a fatal reason."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        resources={"metadata": {"path": str(workdir)}},
    )
    results, fatal = {}, None
    try:
        with client.setup_kernel(env=env, cwd=str(workdir)):
            for k, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if nbg(cell).get("grade") and not nbg(cell).get("solution"):
                    for f in (workdir / "results").glob("*.npz"):
                        f.unlink()  # a test's evidence must come from running that test
                try:
                    client.execute_cell(cell, k)
                except CellTimeoutError:
                    results[k] = f"cell {k} ran longer than {timeout} s and was interrupted"
                    continue
                except DeadKernelError:
                    fatal = f"the kernel died while running cell {k}"
                    break
                errs = [o for o in cell.outputs if o.get("output_type") == "error"]
                timed_out = any(o.get("ename") == "KeyboardInterrupt" for o in errs)
                results[k] = (
                    f"cell {k} ran longer than {timeout} s and was interrupted"
                    if timed_out
                    else (f"{errs[0]['ename']}: {errs[0]['evalue']}" if errs else None)
                )
                if nbg(cell).get("grade") and not nbg(cell).get("solution"):
                    results[(k, "files")] = {f.stem: f.read_bytes() for f in (workdir / "results").glob("*.npz")}
    except DeadKernelError:
        fatal = fatal or "the kernel died"
    except Exception as err:  # the kernel did not even start, or died between cells
        fatal = fatal or f"the kernel failed: {type(err).__name__}: {err}"
    return results, fatal


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


def judge_saved(question, seed, blob, workdir):
    """The verdict of this process (not the student's kernel) on the outputs a hidden check saved."""
    from lstm_lab import homework as hw

    path = workdir / f"judge-{question}.npz"
    path.write_bytes(blob)
    try:
        outputs = hw.load_outputs(path)
    except Exception as err:
        return False, f"{question}: the saved outputs could not be read ({type(err).__name__})"
    cases = hw.cases(question, seed)
    if len(outputs) != len(cases):
        return False, f"{question}: only {len(outputs)} of {len(cases)} test cases produced an answer"
    for k, (case, got) in enumerate(zip(cases, outputs, strict=True)):
        ok, msg = hw.judge(question, case, got)
        if not ok:
            return False, f"{msg} (hidden case {k + 1})"
    return True, f"{question}: correct on {len(cases)} hidden cases"


def grade_submission(path, source_nb, timeout=60, seed=None):
    """[{question, points, max, status, feedback}] for one submitted notebook; never raises."""
    qs = questions(source_nb)
    rows = {q: {"question": q, "points": 0.0, "max": pts, "status": "", "feedback": ""} for q, pts, _ in qs}
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
    with tempfile.TemporaryDirectory(prefix="lstm-lab-grade-") as tmp:
        work = pathlib.Path(tmp)
        (work / "results").mkdir()
        env = {**os.environ, "LSTM_LAB_GRADING_SEED": str(seed), "LSTM_LAB_RESULTS": str(work / "results"), "HOME": tmp}
        env["MPLBACKEND"] = "Agg"  # grading needs no inline figures, and must not pop windows
        nb = grading_copy(source_nb, sub)
        results, fatal = execute(nb, work, env, timeout)
        cell_of = {nbg(c).get("grade_id"): k for k, c in enumerate(nb.cells) if nbg(c).get("grade_id")}
        imports_reference = any(
            re.search(r"\blstm_core\b", c.source) for c in sub.cells if nbg(c).get("solution") and c.cell_type == "code"
        )
        for q, row in rows.items():
            k = cell_of.get(q)
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
            else:
                blob = results.get((k, "files"), {}).get(q)
                if blob is None:
                    row.update(status="failed", feedback=f"{q}: the hidden test left no answers to check")
                    continue
                ok, msg = judge_saved(q, seed, blob, work)
                row.update(points=row["max"] if ok else 0.0, status="passed" if ok else "failed", feedback=msg)
                if ok and imports_reference:
                    row["feedback"] += (
                        " (note: an answer cell uses lstm_core; your teacher may check it is not the reference)"
                    )
    return list(rows.values())


def grade(submissions, csv_path, json_path, timeout=60):
    submissions = pathlib.Path(submissions)
    known = assignments()
    report = []
    for student_dir in sorted(p for p in submissions.iterdir() if p.is_dir()):
        for name, src in known.items():
            path = student_dir / f"{name}.ipynb"
            if not path.exists():
                continue
            rows = grade_submission(path, nbformat.read(src, as_version=4), timeout=timeout)
            report.append({"student": student_dir.name, "assignment": name, "questions": rows})
            total = sum(r["points"] for r in rows)
            print(f"{student_dir.name:20} {name:14} {total:5.1f} / {sum(r['max'] for r in rows):.0f}", flush=True)
    pathlib.Path(json_path).write_text(json.dumps(report, indent=1))
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "assignment", "question", "points", "max", "status", "feedback"])
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
    args = ap.parse_args(argv)
    if args.cmd == "release":
        release(args.out)
    else:
        grade(args.submissions, args.csv, args.json, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
