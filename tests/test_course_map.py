"""Notebook 00's course map reads each notebook's stated time from the notebook itself (lstm_lab.course), so the
map and its total cannot disagree with the pages; it agrees with the time tests/learner_text.py checks."""

import json
import pathlib

import pytest
from learner_text import stated_minutes

from lstm_lab import course

ROOT = pathlib.Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_the_map_lists_every_notebook_with_the_time_its_first_line_states():
    rows = course.notebook_times(ROOT / "notebooks")
    assert [n for n, _, _ in rows] == [p.stem[:2] for p in COURSE]
    for (_, title, minutes), path in zip(rows, COURSE, strict=True):
        nb = json.loads(path.read_text())
        assert minutes == stated_minutes(nb), path.name
        assert title and title in "".join(nb["cells"][0]["source"]), (path.name, title)
    text = course.course_map(ROOT / "notebooks")
    total = sum(m for _, _, m in rows)
    assert text.splitlines()[-1].split()[3] == str(total)
    assert f"({total // 60} h {total % 60:02d} min)" in text


def _notebook(path, heading, time_line):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": f"# {heading}\n\n{time_line}"}]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_a_notebook_without_a_stated_time_is_named_and_left_out_of_the_total(tmp_path):
    _notebook(tmp_path / "00_start.ipynb", "LSTM Lab · 00 · Start", "*About 12 minutes.*")
    _notebook(tmp_path / "01_next.ipynb", "01 · Next", "no time here")
    assert course.notebook_times(tmp_path) == [("00", "Start", 12), ("01", "Next", None)]
    text = course.course_map(tmp_path)
    assert "01 · Next" in text and "(none stated)" in text
    assert text.splitlines()[-1].split()[3] == "12"


def test_without_the_notebooks_the_map_says_where_the_times_are(tmp_path):
    assert course.notebook_times(tmp_path) == []
    assert "each states its time on its first line" in course.course_map(tmp_path)


def test_a_folder_that_does_not_exist_is_named():
    with pytest.raises(ValueError, match="folder: expected a folder holding the course's notebooks, got '/nowhere'"):
        course.notebook_times("/nowhere")
