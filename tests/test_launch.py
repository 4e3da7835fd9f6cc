"""Launch paths: every notebook's first code cell installs the course on Colab (or wherever it is missing), from
the published repository at the notebook's own version tag, and does nothing where the course is installed."""

import json
import pathlib
import subprocess
import sys

import pytest
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REPO = PROJECT["urls"]["Repository"]
TAG = f"v{PROJECT['version']}"


def first_code_cell(path):
    nb = json.loads(path.read_text())
    return "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])


# runs the cell as IPython would, with a stand-in for IPython that records magics instead of running pip
RUN_CELL = """
import sys
from IPython.core.inputtransformer2 import TransformerManager
calls = []
class Shell:
    def run_line_magic(self, name, line):
        calls.append((name, line))
code = TransformerManager().transform_cell(sys.stdin.read())
exec(code, {"get_ipython": lambda: Shell()})
print(calls)
"""


def run_cell(source, hide_course=False):
    prelude = "import sys; sys.modules['lstm_core'] = None\n" if hide_course else ""  # None: import fails
    r = subprocess.run(
        [sys.executable, "-c", prelude + RUN_CELL], input=source, capture_output=True, text=True, check=True
    )
    return r.stdout.strip()


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_first_cell_installs_the_course_at_this_version(path):
    src = first_code_cell(path)
    assert src.startswith("try:") and "import lstm_core" in src, src
    assert f'%pip install -q "lstm-lab @ git+{REPO}@{TAG}"' in src, src


def test_the_install_cell_does_nothing_where_the_course_is_installed():
    src = first_code_cell(COURSE[0])
    assert run_cell(src) == "[]"


def test_the_install_cell_installs_where_the_course_is_missing():
    src = first_code_cell(COURSE[0])
    assert run_cell(src, hide_course=True) == repr([("pip", f'install -q "lstm-lab @ git+{REPO}@{TAG}"')])


def test_every_notebook_has_the_same_install_cell():
    assert len({first_code_cell(p) for p in COURSE}) == 1
