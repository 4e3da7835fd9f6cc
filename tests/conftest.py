"""Fixtures shared by the test modules."""

import os
import pathlib
import subprocess
import sys

import nbformat
import pytest

import lstm_core

ROOT = pathlib.Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(params=[lstm_core, lstm_core.fast], ids=["readable", "fast"])
def impl(request):
    """The implementation (a module) whose lstm_forward/lstm_backward (and rnn_forward/rnn_backward) a test runs: the readable
    sequence functions the notebooks call, or lstm_core.fast, which training uses. Both must pass every check."""
    return request.param


class ExecutedNotebooks:
    """Every course notebook executed once per test run: from nbval's record of this session when it ran the
    notebook completely, otherwise executed here with nbclient (when a test file runs without the notebooks)."""

    def __init__(self, record, folder):
        self.record, self.folder, self._done = record, folder, {}

    def __getitem__(self, stem):
        if stem not in self._done:
            path = ROOT / "notebooks" / f"{stem}.ipynb"
            nb = nbformat.read(path, as_version=4)
            outputs = self.record.get(str(path), {})
            code = [k for k, c in enumerate(nb.cells) if c.cell_type == "code"]
            if all(outputs.get(k) is not None for k in code):
                for k in code:
                    nb.cells[k].outputs = [nbformat.from_dict(o) for o in outputs[k]]
                nb.metadata["executed_by"] = "nbval"
            else:
                from nbclient import NotebookClient

                NotebookClient(nb, timeout=300, kernel_name="python3").execute(cwd=str(path.parent))
                nb.metadata["executed_by"] = "nbclient"
            nbformat.write(nb, self.folder / path.name)
            self._done[stem] = nb
        return self._done[stem]

    def all(self):
        """The folder holding every executed notebook (and a link to the notebooks' data)."""
        for path in COURSE:
            self[path.stem]
        data = self.folder / "data"
        if not data.exists():
            data.symlink_to(ROOT / "notebooks" / "data")
        return self.folder


@pytest.fixture(scope="session")
def executed_notebooks(request, tmp_path_factory):
    root_conftest = request.config.pluginmanager.get_plugin(str(ROOT / "conftest.py"))
    key = getattr(root_conftest, "EXECUTED", None)
    record = request.config.stash.get(key, {}) if key is not None else {}
    return ExecutedNotebooks(record, tmp_path_factory.mktemp("executed"))


@pytest.fixture(scope="session")
def end_of_run_report(request):
    """``register(fn)``: ``fn()``'s lines are printed at the end of the test run (a measured table, never asserted).
    Each function is registered once, however many tests ask."""
    root_conftest = request.config.pluginmanager.get_plugin(str(ROOT / "conftest.py"))
    reports = request.config.stash.setdefault(root_conftest.REPORTS, [])

    def register(fn):
        if fn not in reports:
            reports.append(fn)

    return register


@pytest.fixture(scope="session")
def built_site(request, tmp_path_factory):
    """The course's site (scripts/build_site.py), built once per test run from the notebooks as nbval ran them, with
    the course in the browser (lite/) when its build has what it needs (`python scripts/build_lite.py fetch`).
    LSTM_LAB_SITE=DIR: a site built already (python scripts/build_site.py --out DIR)."""
    if os.environ.get("LSTM_LAB_SITE"):
        return pathlib.Path(os.environ["LSTM_LAB_SITE"])
    executed = request.getfixturevalue("executed_notebooks").all()  # the site does not run the notebooks again
    out = tmp_path_factory.mktemp("site")
    cmd = [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(out), "--executed", str(executed)]
    import build_lite  # scripts/ is on pytest's pythonpath (pyproject.toml)

    if build_lite.missing():  # never fetch from a test: build the book alone (tests/test_lite.py says why it skips)
        cmd.append("--no-lite")
    subprocess.run(cmd, check=True, timeout=1800)
    print(f"\nsite built in {out}")
    return out
