"""The grader's verdict on a hidden test's outputs, computed in the grader's own process (lstm_lab.homework).

Everything the judge uses (the checks, lstm_core, the classic bugs' fingerprints) is imported and built
before any submission runs, and the course's files are hashed then and checked after every submission.
"""

import hashlib
import pathlib
import site
import threading

import lstm_core
import lstm_lab
from homework import wire
from lstm_lab import homework as checks  # the questions' cases, references and known mistakes

HERE = pathlib.Path(__file__).resolve().parent
_frozen = threading.Lock()
_done = []


def freeze():
    """Build everything the judge uses once, now: the classic-bug mutants, from the source as it is now."""
    with _frozen:
        if _done:
            return
        for q in checks.QUESTIONS:  # lstm_lab.bugs.step_bug keeps each mutant it builds
            checks._fingerprints(q, checks.cases(q, 0)[0])
        _done.append(True)


def answering(question):
    """The dotted names of the reference functions that answer ``question`` (their calls are flagged)."""
    return set(checks.REFERENCE_CALLS.get(question, checks._CHECKS_OWN))


def judge(question, seed, blob):
    """(ok, message): the grader's verdict on the outputs in ``blob`` (homework/wire.py's results format)."""
    try:
        outputs = wire.decode_results(blob)
    except wire.Garbage as err:
        return False, f"{question}: the hidden test's answers could not be read ({err})"
    cases = checks.cases(question, seed)
    if len(outputs) != len(cases):
        return False, f"{question}: the hidden test sent answers for {len(outputs)} cases; it has {len(cases)}"
    for k, (case, got) in enumerate(zip(cases, outputs, strict=True)):
        try:
            ok, msg = checks.judge(question, case, got)
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
    roots = [pathlib.Path(p) for pkg in (lstm_core, lstm_lab) for p in pkg.__path__] + [HERE]
    files = set()
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
