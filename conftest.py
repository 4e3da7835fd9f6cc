"""Test session setup: Jupyter and matplotlib get their own throw-away settings folders.

The kernels nbval starts inherit these, so a developer's own Jupyter settings never leak into the
tests, and the tests never write into the developer's HOME.  MPLBACKEND is deliberately not set:
a kernel that inherits MPLBACKEND=Agg shows no inline figures.
"""

import os
import sys
import tempfile

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


def pytest_terminal_summary(terminalreporter):
    """Print the browser test's latency table (measured, never asserted) at the end of the run."""
    browser = sys.modules.get("test_browser")
    for line in browser.latency_report() if browser else []:
        terminalreporter.write_line(line)
