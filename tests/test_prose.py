"""Every number in the course's prose is computed by the current code.

For each notebook, every number a markdown cell states (answers in <details> blocks included) must be printed,
at the precision the sentence uses, by one of the notebook's own code cells as nbval ran them in this test
run, or written in a cell that asserts it. The same holds for the homework sources' markdown (the model
answers included): each source notebook is executed here, and its numbers must come from its own cells. The few numbers that are definitions or settings rather than
results (a slider's step, a time estimate) are listed below, each with the reason; anything else that
drifts from what the code computes fails here.
"""

import pathlib
import re

import nbformat
import pytest
from prose_numbers import numbers, unsupported

ROOT = pathlib.Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
HOMEWORK = sorted((ROOT / "homework" / "source").glob("*/*.ipynb"))

# numbers in prose that are not results, by notebook: {written form: why it is not computed}
NOT_RESULTS = {
    "01": {"0.05": "the step of the explorer's ρ slider"},
    "03": {
        "0.25": "the step of the explorer's b_f slider",
        "1997": "a year: the first LSTM (Hochreiter and Schmidhuber)",
        "2000": "a year: the forget gate added (Gers, Schmidhuber and Cummins)",
    },
    "06": {
        "2014": "a year: the GRU (Cho et al.)",
        "5,000": "a setting: how much of the validation text the search for readable units reads",
    },
    "07": {
        "1997": "a year: the first LSTM (Hochreiter and Schmidhuber)",
        "2000": "a year: the forget gate added (Gers, Schmidhuber and Cummins)",
    },
    "09": {
        "1997": "a year: the first LSTM (Hochreiter and Schmidhuber)",
        "2000": "a year: the forget gate (Gers, Schmidhuber and Cummins) and peepholes (Gers and Schmidhuber)",
        "2002": "a year: peepholes for precise timing (Gers, Schraudolph and Schmidhuber)",
        "2014": "a year: the GRU (Cho et al.) and attention on arXiv (Bahdanau, Cho and Bengio)",
        "2015": "a year: attention published (Bahdanau, Cho and Bengio)",
        "2017": "a year: the Transformer (Vaswani et al.)",
    },
    # the homework sources' headings: a time estimate and points, set by the assignment
    "a1_forward": {"1.5": "a time estimate (hours)", "12": "points", "10": "points"},
    "a2_backward": {"1.5": "a time estimate (hours)", "15": "points", "10": "points"},
    "a3_bptt": {"1.5": "a time estimate (hours)", "16": "points", "10": "points"},
    "a4_concepts": {"1.5": "a time estimate (hours)", "15": "points", "10": "points"},
    "a5_language_model": {
        "22": "points",
        "15": "points",
        "64": "a setting: H = 64, chunks of 64 (and the training chunks' length quoted in the answer)",
        "32": "a setting: 32 streams, chunks of 32 characters",
        "200": "a setting: 200 chunks of training",
        "5,000": "a setting: the validation text's length",
        "512": "a setting: the largest k of the curves",
        "0.5": "a setting: a temperature the check uses",
    },
}


def printed_numbers(nb):
    """Every number the notebook's outputs show, and every number in a code cell that asserts."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "assert" in cell.source:
            out += numbers(cell.source)
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out += numbers(o.get("text", ""))
            for mime in ("text/plain", "text/html", "text/markdown"):
                out += numbers(o.get("data", {}).get(mime, ""))
    return out


def check_prose(nb, name, allowed):
    printed = printed_numbers(nb)
    problems = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for c in unsupported(cell.source, printed, allowed):
                problems.append(f"cell {k}: {c.text!r} in “…{c.context}…”")
    assert not problems, f"{name}: numbers in the prose that no cell prints or asserts:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_every_number_in_the_prose_is_computed(path, executed_notebooks):
    check_prose(executed_notebooks[path.stem], path.name, NOT_RESULTS.get(path.stem[:2], {}))


@pytest.mark.parametrize("path", HOMEWORK, ids=lambda p: p.stem)
def test_every_number_in_a_homework_source_is_computed(path, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False).execute(cwd=str(path.parent))
    check_prose(nb, path.name, NOT_RESULTS.get(path.stem, {}))


def test_the_checker_catches_a_stale_number():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("The LSTM fell to 46% at delay 75, and 0.954 is the answer."),
        nbformat.v4.new_code_cell("print(0.99)", outputs=[nbformat.v4.new_output("stream", text="0.99 0.9537\n")]),
    ]
    bad = [c.text for c in unsupported(nb.cells[0].source, printed_numbers(nb))]
    assert bad == ["46%", "75"], bad


# --- the README and docs/: their numbers come from the notebooks' outputs, the shipped data, or a benchmark run
DOCS = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]
# settings, versions and definitions the documents name (not results), with the reason
DOC_NOT_RESULTS = {
    "README.md": {
        "3.10": "the oldest Python the course supports (pyproject.toml)",
        "1e-12": "the parity tests' tolerance",
    },
    "docs/testing.md": {"32": "a word size: the browser's 32-bit WebAssembly", "64": "a word size: 64-bit machines"},
    "docs/lstm_core.md": {
        "32": "a word size: the browser's 32-bit WebAssembly",
        "64": "a word size: 64-bit machines",
        "2000": "a citation's year: Gers and Schmidhuber, 2000",
    },
}
HISTORY = "## The fast path"  # docs/performance.md: how the fast path was built, measured on earlier versions


def known_numbers(executed_notebooks):
    import json

    out = []
    for path in COURSE:
        out += printed_numbers(executed_notebooks[path.stem])
    for data in (ROOT / "lstm_lab" / "data").glob("*.json"):
        out += numbers(json.dumps(json.loads(data.read_text())))
    for result in (ROOT / "benchmarks" / "results").glob("*.txt"):
        out += numbers(result.read_text())
    return out


@pytest.mark.parametrize("name", DOCS)
def test_every_number_in_the_readme_and_docs_is_computed(name, executed_notebooks):
    text = (ROOT / name).read_text()
    if HISTORY in text:  # the history section's numbers are records of earlier versions, each with its commit
        head, rest = text.split(HISTORY, 1)
        text = head + ("\n## " + rest.split("\n## ", 1)[1] if "\n## " in rest else "")
    text = re.sub(r"\|\s*\d\d\s*\|", "| |", text)  # the course map's notebook numbers
    known = known_numbers(executed_notebooks)
    bad = [f"{c.text!r} in “…{c.context}…”" for c in unsupported(text, known, DOC_NOT_RESULTS.get(name, {}))]
    assert not bad, f"{name}: numbers that nothing computes:\n" + "\n".join(bad)
