"""figures.two_paths, the diagram of notebooks 03 and 05: it draws, with the course's symbols on it."""

import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from lstm_lab import figures

PIL = pytest.importorskip("PIL.Image")


def test_the_two_paths_diagram_draws(tmp_path):
    snap = figures.two_paths()
    png = snap.to_png()
    assert png[:4] == b"\x89PNG"
    img = np.asarray(PIL.open(io.BytesIO(png)).convert("L"), dtype=float)
    assert img.shape[0] > 300 and img.shape[1] > 600 and img.std() > 10
    texts = " ".join(t.get_text() for t in snap.fig.findobj(lambda a: hasattr(a, "get_text")))
    for symbol in (
        r"C_{t-1}",
        r"C_t",
        r"h_{t-1}",
        r"f_t",
        r"W_h^\top",
        r"\partial L/\partial a_t",
        "the cell path",
        "the gate path",
    ):
        assert symbol in texts, symbol


def test_nothing_in_the_diagram_is_clipped():
    snap = figures.two_paths()
    fig = snap.fig
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    W, H = fig.bbox.width, fig.bbox.height
    for t in fig.findobj(lambda a: hasattr(a, "get_window_extent") and hasattr(a, "get_text")):
        if not t.get_text() or not t.get_visible():
            continue
        box = t.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= W and box.y1 <= H, (t.get_text(), box)
