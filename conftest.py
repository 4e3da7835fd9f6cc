"""Test session setup: Jupyter and matplotlib get their own throw-away settings folders, and each notebook is
executed once (by nbval), its outputs recorded for the figure and site tests.

The kernels nbval starts inherit these, so a developer's own Jupyter settings never leak into the
tests, and the tests never write into the developer's HOME.  MPLBACKEND is deliberately not set:
a kernel that inherits MPLBACKEND=Agg shows no inline figures.
"""

import os
import sys
import tempfile

import pytest

_HOME = tempfile.mkdtemp(prefix="lstm-lab-test-home-")
for var, sub in (
    ("JUPYTER_CONFIG_DIR", "jupyter-config"),
    ("JUPYTER_DATA_DIR", "jupyter-data"),
    ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
    ("IPYTHONDIR", "ipython"),
    ("MPLCONFIGDIR", "matplotlib"),
):
    os.environ[var] = os.path.join(_HOME, sub)
    os.makedirs(os.environ[var], exist_ok=True)
os.environ.pop("MPLBACKEND", None)
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"

EXECUTED = pytest.StashKey[dict]()  # what nbval's runs output, read by tests/conftest.py's executed_notebooks


def pytest_terminal_summary(terminalreporter):
    """Print the browser tests' tables (measured, never asserted) at the end of the run: JupyterLab's explorer
    latencies (tests/test_browser.py) and the course in the browser (tests/test_lite.py)."""
    for module, report in (("test_browser", "latency_report"), ("test_lite", "report")):
        tests = sys.modules.get(module)
        for line in getattr(tests, report)() if tests else []:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(session, config, items):
    """nbval's notebook cells run first, so the tests that need executed notebooks reuse their outputs."""
    cells = [i for i in items if type(i).__name__ == "IPyNbCell"]
    items[:] = cells + [i for i in items if type(i).__name__ != "IPyNbCell"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Record what each notebook cell output under nbval: {notebook path: {cell index: outputs or None}}.

    None marks a cell that failed or was skipped; tests/conftest.py's ``executed_notebooks`` builds executed
    notebooks from complete records and runs a notebook itself only when nbval did not (a file run alone).
    """
    outcome = yield
    if type(item).__name__ != "IPyNbCell" or call.when != "call":
        return
    record = item.config.stash.setdefault(EXECUTED, {}).setdefault(str(item.fspath), {})
    index = next(k for k, c in enumerate(item.parent.nb.cells) if c is item.cell)
    passed = outcome.get_result().passed and item.test_outputs is not None
    record[index] = [dict(o) for o in item.test_outputs] if passed else None
