"""Save every figure the course shows as a PNG under the test's temporary folder, so a person can look at them.

The inline figures come from the notebooks as nbval executed them in this run (each notebook runs once;
see conftest.py); each explorer's live image is rendered here at its defaults. Every PNG must decode and
not be blank. Run with -s to print the folder.
"""

import base64
import io
import pathlib

import numpy as np
import pytest

PIL = pytest.importorskip("PIL.Image")
COURSE = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def check_png(data, path):
    path.write_bytes(data)
    img = np.asarray(PIL.open(io.BytesIO(data)).convert("L"), dtype=float)
    assert img.shape[0] > 200 and img.shape[1] > 300, (path, img.shape)
    assert img.std() > 10, f"{path} looks blank"


@pytest.fixture(scope="module")
def figure_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("figures")
    print(f"\nnotebook figures are saved in {d}")
    return d


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_every_figure_renders(path, figure_dir, executed_notebooks):
    nb = executed_notebooks[path.stem]
    n = 0
    for k, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"cell {k}: {out.get('ename')}: {out.get('evalue')}"
            assert out.get("name") != "stderr", f"cell {k} wrote to stderr: {out.get('text')}"
            if "image/png" in out.get("data", {}):
                n += 1
                check_png(base64.b64decode(out["data"]["image/png"]), figure_dir / f"{path.stem}_cell{k:02d}.png")
    assert n >= 1, f"{path.name} shows no figure"


def test_every_explorer_renders(figure_dir):
    import lstm_lab.explorers as ex

    for cls in ex.EXPLORERS:
        check_png(cls().image.value, figure_dir / f"explorer_{cls.__name__}.png")
