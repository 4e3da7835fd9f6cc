"""The course map, read from the notebooks themselves: each notebook's number, title and the time it states on its
first line ("*About N minutes.*"), so that notebook 00's map and total can never disagree with the pages.

    >>> from lstm_lab import course
    >>> print(course.course_map())
"""

import json
import pathlib
import re

STATED_TIME = re.compile(r"\*About (\d+) minutes?\.?\*")  # the form tests/learner_text.py checks
HEADING = re.compile(r"^#\s+(?:LSTM Lab\s*·\s*)?(\d\d)\s*·\s*(.+?)\s*$", re.M)


def notebook_folder(folder=None):
    """The folder holding the course's notebooks: ``folder`` if given, else the current folder when it holds them
    (a notebook runs in its own folder), else the repository's ``notebooks/`` next to this package. None when
    neither holds them (an installed package without the notebooks, as on Colab)."""
    if folder is not None:
        folder = pathlib.Path(folder)
        if not folder.is_dir():
            raise ValueError(f"folder: expected a folder holding the course's notebooks, got {str(folder)!r}")
        return folder
    for candidate in (pathlib.Path.cwd(), pathlib.Path(__file__).resolve().parents[1] / "notebooks"):
        if any(candidate.glob("[0-9][0-9]_*.ipynb")):
            return candidate
    return None


def _markdown(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def notebook_times(folder=None):
    """[(number, title, minutes)] for every notebook NN_*.ipynb of the folder, in order: the number and title from
    its heading ("# 01 · Why vanilla RNNs forget"), the minutes from the first "*About N minutes.*" of its markdown
    (None when it states none). An empty list when no folder holds the notebooks."""
    folder = notebook_folder(folder)
    if folder is None:
        return []
    out = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        cells = [
            _markdown(c) for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "markdown"
        ]
        text = "\n\n".join(cells)
        heading, time = HEADING.search(text), STATED_TIME.search(text)
        title = heading.group(2) if heading else path.stem[3:].replace("_", " ")
        out.append((path.stem[:2], title, int(time.group(1)) if time else None))
    return out


def course_map(folder=None):
    """The notebooks with their stated times and the total, as a text table."""
    rows = notebook_times(folder)
    if not rows:
        return (
            "The other notebooks are not next to this one (an installed package, as on Colab): each states its time "
            "on its first line."
        )
    width = max(len(f"{n} · {title}") for n, title, _ in rows)
    lines = [f"{'notebook':<{width}}   time"]
    for n, title, minutes in rows:
        lines.append(
            f"{f'{n} · {title}':<{width}}   " + (f"{minutes:3d} min" if minutes is not None else "  (none stated)")
        )
    total = sum(m for _, _, m in rows if m is not None)
    hours, minutes = divmod(total, 60)
    lines.append(f"{'the whole course':<{width}}   {total:3d} min  ({hours} h {minutes:02d} min)")
    return "\n".join(lines)
