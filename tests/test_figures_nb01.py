"""The figures notebooks 01 and 00 draw with lstm_lab.figures: they draw, say what they should, and nothing in them
falls outside the picture."""

import io

import numpy as np
import pytest

PIL = pytest.importorskip("PIL.Image")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from lstm_lab import figures  # noqa: E402


def _texts_inside(fig):
    """Every text of the figure, after it is drawn, with whether its box lies inside the figure."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    box = fig.bbox
    out = []
    for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent")):
        if not t.get_text() or not t.get_visible():
            continue
        e = t.get_window_extent(renderer)
        out.append(
            (t.get_text(), e.x0 >= box.x0 - 1 and e.y0 >= box.y0 - 1 and e.x1 <= box.x1 + 1 and e.y1 <= box.y1 + 1)
        )
    return out


@pytest.mark.parametrize("steps", [3, 4, 5])
def test_the_unrolled_rnn_draws_every_step_and_the_gradients_factor(steps):
    snap = figures.unrolled_rnn(steps)
    img = np.asarray(PIL.open(io.BytesIO(snap.to_png())).convert("L"), dtype=float)
    assert img.shape[0] > 300 and img.shape[1] > 600 and img.std() > 10
    drawn = _texts_inside(snap.fig)
    clipped = [t for t, inside in drawn if not inside]
    assert not clipped, f"texts outside the figure: {clipped}"
    texts = [t for t, _ in drawn]
    for k in range(steps):  # every step's input, state and gradient, in the course's symbols
        assert f"$x_{k}$" in texts and f"$h_{k}$" in texts and rf"$\partial L/\partial h_{k}$" in texts
    # the per-step factor on every step the gradient crosses back, h_{T-1} -> ... -> h_0
    factors = [t for t in texts if t.startswith(r"$\mathrm{diag}(1 - h_")]
    assert sorted(factors) == [rf"$\mathrm{{diag}}(1 - h_{k}^2)$" for k in range(1, steps)]
    assert texts.count(r"$\times\, W_h^\top$") == steps - 1
    # the gradient's path: dashed, in a second colour; the forward path solid
    patches = snap.fig.axes[0].patches
    styles = {(p.get_linestyle(), p.get_edgecolor()[:3]) for p in patches if type(p).__name__ == "FancyArrowPatch"}
    assert len({ls for ls, _ in styles}) == 2 and len({c for _, c in styles}) == 2


def test_the_clipping_check_sees_a_text_outside_the_figure():
    snap = figures.unrolled_rnn(4)
    snap.fig.axes[0].text(snap.fig.axes[0].get_xlim()[1] - 0.1, 2.0, "a label running off the right edge")
    assert ("a label running off the right edge", False) in _texts_inside(snap.fig)


@pytest.mark.parametrize("bad", [2, 6, 4.0, "4", True, None])
def test_the_unrolled_rnn_names_a_bad_number_of_steps(bad):
    with pytest.raises(ValueError, match="steps: expected an integer from 3 to 5"):
        figures.unrolled_rnn(bad)
