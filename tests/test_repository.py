"""Repository hygiene: ruff clean (code and notebooks), notebooks committed without outputs, and the house's
architecture: lstm_core (the maths) imports numpy and the standard library only, the course (lstm_lab) builds on it."""

import ast
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORE = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "lstm_core").rglob("*.py"))
COURSE_CODE = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "lstm_lab").rglob("*.py"))


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
    for path in sorted([*ROOT.glob("notebooks/**/*.ipynb"), *ROOT.glob("homework/source/**/*.ipynb")]):
        nb = json.loads(path.read_text())
        for k, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, f"{path.name} cell {k}"


def imports(path):
    """(top-level module, the import node, whether it sits inside a function) for every absolute import."""
    tree = ast.parse((ROOT / path).read_text())
    functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and getattr(node, "level", 0) == 0:
            for mod in [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]:
                yield mod.split(".")[0], any(node in ast.walk(f) for f in functions)


@pytest.mark.parametrize("name", CORE)
def test_lstm_core_imports_numpy_and_the_standard_library_only(name):
    for top, lazy in imports(name):
        if top == "torch":  # the PyTorch bridge, only inside the functions that convert
            assert lazy, f"{name} imports torch at module load"
            continue
        assert top == "numpy" or top in sys.stdlib_module_names, f"{name} imports {top}: lstm_core is numpy only"


COURSE_NEEDS = {"lstm_core", "lstm_lab", "numpy", "matplotlib", "ipywidgets", "IPython", "PIL", "threadpoolctl"}


@pytest.mark.parametrize("name", COURSE_CODE)
def test_the_course_code_builds_on_lstm_core_and_nothing_else_of_ours(name):
    for top, _ in imports(name):
        assert top in COURSE_NEEDS or top in sys.stdlib_module_names, f"{name} imports {top}"


def test_importing_lstm_core_loads_neither_torch_nor_plotting_nor_the_course():
    mods = "('torch', 'matplotlib', 'ipywidgets', 'lstm_lab', 'PIL')"
    code = f"import sys, lstm_core; print(sorted(m for m in {mods} if m in sys.modules))"
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
            assert ".snapshot(" in code
