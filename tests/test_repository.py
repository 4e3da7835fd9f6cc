"""Repository hygiene: ruff clean (code and notebooks), notebooks committed without outputs, math imports numpy only."""

import ast
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
MATH = sorted(p.name for p in (ROOT / "lstm_core").glob("*.py"))  # everything outside explorers/
PLOTTING = {"matplotlib", "ipywidgets", "IPython", "PIL", "ipympl"}


def ruff():
    exe = shutil.which("ruff", path=str(pathlib.Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.skip("ruff is not installed (pip install -r requirements-test.txt)")
    return exe


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff_is_clean(args):
    r = subprocess.run([ruff(), *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_notebooks_are_committed_without_outputs():
    for path in sorted(ROOT.glob("notebooks/**/*.ipynb")):
        nb = json.loads(path.read_text())
        for k, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, f"{path.name} cell {k}"


@pytest.mark.parametrize("name", MATH)
def test_math_modules_never_import_plotting_and_torch_only_lazily(name):
    tree = ast.parse((ROOT / "lstm_core" / name).read_text())
    functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and getattr(node, "level", 0) == 0:
            for mod in [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]:
                top = mod.split(".")[0]
                assert top not in PLOTTING, f"{name} imports {mod}: the math must not depend on plotting"
                if top == "torch":  # only lazily, inside a function
                    assert any(node in ast.walk(f) for f in functions), f"{name} imports torch at module load"


def test_importing_lstm_core_loads_neither_torch_nor_plotting():
    code = "import sys, lstm_core; print(sorted(m for m in ('torch', 'matplotlib', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


COURSE = sorted(ROOT.glob("notebooks/0*.ipynb"))


def test_the_first_notebooks_exist():
    names = [p.stem for p in COURSE]
    for stem in ["00_start_here", "01_why_rnns_forget", "02_lstm_cell_gate_by_gate"]:
        assert stem in names
    assert "03_cell_state_gradient_highway" in names and "04_why_tanh_not_relu" in names


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_notebook_structure(path):
    nb = json.loads(path.read_text())
    md = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    text = "\n".join(md)
    assert md[0].startswith("# ") and ("By the end of this notebook" in md[0] or "In this notebook" in md[0])
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and "Explorer(" in src and "snapshot" not in src:
            assert "nbval-ignore-output" in cell["metadata"].get("tags", []), f"widget cell not tagged: {src[:60]}"
    if path.stem != "00_start_here":
        assert "Key takeaways" in text and "<details>" in text and "Predict" in text
        assert any("assert " in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        if "Explorer(" in code:  # every live explorer also has a static snapshot for readers without a kernel
            assert "snapshot()" in code
