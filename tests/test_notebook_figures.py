"""Execute every notebook and save each figure it shows as a PNG under the test's temporary folder.

Inline figures (the static snapshots) and the explorers' live images (from the stored widget state)
are both saved, checked to decode and not to be blank, and the folder is printed so a person can look.
"""

import base64
import io
import pathlib

import numpy as np
import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
PIL = pytest.importorskip("PIL.Image")

ROOT = pathlib.Path(__file__).resolve().parents[1]
COURSE = sorted(ROOT.glob("notebooks/0*.ipynb"))


def widget_pngs(nb):
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for model in state.values():
        if model.get("model_name") == "ImageModel":
            for buf in model.get("buffers", []):
                yield base64.b64decode(buf["data"])


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
def test_every_figure_renders(path, figure_dir):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True)
    client.execute(cwd=str(path.parent))
    n = 0
    for k, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"cell {k}: {out.get('ename')}: {out.get('evalue')}"
            assert out.get("name") != "stderr", f"cell {k} wrote to stderr: {out.get('text')}"
            if "image/png" in out.get("data", {}):
                n += 1
                check_png(base64.b64decode(out["data"]["image/png"]), figure_dir / f"{path.stem}_cell{k:02d}.png")
    for j, data in enumerate(widget_pngs(nb)):
        n += 1
        check_png(data, figure_dir / f"{path.stem}_explorer{j}.png")
    assert n >= 1, f"{path.name} shows no figure"
