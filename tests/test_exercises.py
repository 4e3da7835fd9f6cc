"""The notebooks' coding exercises: every planted mistake gets its own message, a blank does not stop the
notebook, and the model solution shown under each exercise passes its check."""

import contextlib
import io
import json
import pathlib
import re

import pytest

from lstm_lab.exercises import EXERCISES, check

ROOT = pathlib.Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MISTAKES = [(name, k) for name, ex in EXERCISES.items() for k in range(len(ex.mistakes))]


def run_check(name, fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ok = check(name, fn)
    return ok, out.getvalue()


@pytest.mark.parametrize("name", EXERCISES)
def test_the_reference_passes_and_a_blank_is_not_yet_written(name):
    ok, text = run_check(name, EXERCISES[name].reference)
    assert ok and text.startswith("✔"), text

    def blank(*args, **kwargs):
        raise NotImplementedError

    ok, text = run_check(name, blank)
    assert not ok and "not yet written" in text, text

    def crashes(*args, **kwargs):
        raise KeyError("oops")

    ok, text = run_check(name, crashes)
    assert not ok and "raised KeyError" in text, text


@pytest.mark.parametrize("name,k", MISTAKES, ids=[f"{n}-{k}" for n, k in MISTAKES])
def test_each_known_mistake_is_named(name, k):
    mistake = EXERCISES[name].mistakes[k]
    ok, text = run_check(name, mistake.answer)
    assert not ok and mistake.message in text, text


def exercise_cells(nb):
    """(exercise name, the function's name, the code of the model solution) for each check in a notebook."""
    cells = nb["cells"]
    out = []
    for k, cell in enumerate(cells):
        src = "".join(cell["source"])
        m = re.search(r'check\("([^"]+)", (\w+)\)', src) if cell["cell_type"] == "code" else None
        if not m:
            continue
        solution = None
        for later in cells[k + 1 :]:
            text = "".join(later["source"])
            if later["cell_type"] == "markdown" and "<details>" in text and "```python" in text:
                solution = re.search(r"```python\n(.*?)```", text, re.S).group(1)
                break
        out.append((m.group(1), m.group(2), solution))
    return out


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_every_notebook_has_an_exercise_whose_model_solution_passes(path):
    nb = json.loads(path.read_text())
    found = exercise_cells(nb)
    assert found, f"{path.name} has no coding exercise (a cell calling check(...))"
    for name, fn_name, solution in found:
        assert name in EXERCISES, name
        assert solution, f"{path.name}: the exercise {name!r} has no model solution in a <details> block after it"
        scope = {}
        exec(compile("import numpy as np\nimport lstm_core\n" + solution, f"<{path.stem} solution>", "exec"), scope)
        ok, text = run_check(name, scope[fn_name])
        assert ok, f"{path.name}: the model solution of {name!r} fails its check: {text}"


def test_every_exercise_is_used_by_a_notebook():
    used = {name for p in COURSE for name, _, _ in exercise_cells(json.loads(p.read_text()))}
    assert used == set(EXERCISES), set(EXERCISES) ^ used


def test_the_teachers_guide_lists_every_exercise():
    guide = (ROOT / "docs" / "teaching.md").read_text()
    for name in EXERCISES:
        assert f"`{name}`" in guide, name
