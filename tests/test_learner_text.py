"""What a learner reads stays readable: short paragraphs, few numbers a sentence, no remarks about tests or
machines in the open text, and a stated time the time model of tests/learner_text.py supports."""

import json
import pathlib

import pytest
from learner_text import MAX_WORDS, check_cell, check_notebook, estimate_minutes, stated_minutes

ROOT = pathlib.Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_a_learner_can_follow_the_page(path):
    problems = check_notebook(json.loads(path.read_text()))
    assert not problems, f"{path.name}:\n" + "\n".join(map(str, problems))


def test_the_checker_catches_what_it_is_for():
    long = " ".join(["word"] * (MAX_WORDS + 1))
    kinds = [p.kind for p in check_cell(0, long)]
    assert kinds == ["long paragraph"]
    kinds = [p.kind for p in check_cell(0, "At $b_f = 3$ the gate is 0.95, the memory 20.6 steps and the total 1.4.")]
    assert kinds == ["numbers"]
    assert [p.kind for p in check_cell(0, "The cell asserts it on every machine we tried.")] == ["teacher talk"]
    folded = f"<details><summary>Answer</summary>\n\n{long} 1, 2, 3, 4 and 5.\n</details>"
    assert check_cell(0, folded) == []  # folded blocks, tables and display maths hold the details
    assert check_cell(0, "| 1 | 2 | 3 | 4 | 5 |\n|---|---|---|---|---|\n\n$$1 + 2 + 3 + 4$$") == []
    # the names of steps and the constants of a formula are not numbers a sentence states
    assert check_cell(0, "Back from $h_{t-1}$ to $C_{t-1}$ it is $1/(1-f)$ at $f = 0.9$, notebook 03 says.") == []


def test_the_time_model_counts_cells_explorers_and_exercises():
    def md(text):
        return {"cell_type": "markdown", "source": text}

    def code(text):
        return {"cell_type": "code", "source": text}

    nb = {"cells": [md("# T\n\n*About 15 minutes.*"), code("x = 1"), code("LSTMCellExplorer()"), md("## Exercise 1")]}
    assert stated_minutes(nb) == 15
    words = 3 + 2  # "T About minutes." (the 15 is a number, counted as a word) and "Exercise 1"
    assert estimate_minutes(nb) == pytest.approx(words / 130 + 1 + 1 + 3 + 5, abs=0.05)
