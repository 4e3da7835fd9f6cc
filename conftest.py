"""Test session setup: Jupyter and matplotlib get their own throw-away settings folders, and each notebook is
executed once (by nbval), its outputs recorded for the figure and site tests.

The kernels nbval starts inherit these, so a developer's own Jupyter settings never leak into the
tests, and the tests never write into the developer's HOME.  MPLBACKEND is deliberately not set:
a kernel that inherits MPLBACKEND=Agg shows no inline figures.
"""

import os
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
REPORTS = pytest.StashKey[
    list
]()  # functions giving lines for the end of the run (tests/conftest.py's end_of_run_report)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the tables the tests measured (never asserted), registered with the end_of_run_report fixture."""
    for report in config.stash.get(REPORTS, []):
        for line in report():
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
