"""The LSTM cell's diagram (lstm_lab.figures.cell_diagram) and the cell explorer's live copy of it.

The numbers the live diagram writes and the fills of its boxes must be what lstm_core computes at the chosen step,
worked out here independently, one lstm_step at a time; the drawing must fit its figure (nothing clipped); the
fast numbers (NumberPatch) must sit where a matplotlib Text with the same settings would.
"""

import io

import numpy as np
import pytest

import lstm_core
from lstm_lab import figures, scenarios

PIL = pytest.importorskip("PIL.Image")
pytest.importorskip("ipywidgets", reason="the explorers need ipywidgets (pip install -r requirements.txt)")

from lstm_lab.explorers import LSTMCellExplorer  # noqa: E402


def decoded(png):
    return np.asarray(PIL.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def by_steps(b_f, b_i, b_c, b_o, pattern, t):
    """Step t of the hand-wired cell, from lstm_core.lstm_step called t + 1 times (not lstm_forward)."""
    p, xs, _ = scenarios.hand_wired_cell(b_f, b_i, b_c, b_o, pattern)
    h, c = np.zeros((1, 1)), np.zeros((1, 1))
    for k in range(t + 1):
        h_prev, c_prev = h, c
        h, c, cache = lstm_core.lstm_step(xs[k], h, c, p)
    _, _, f, i, c_tilde, _, o, _, _, _ = cache  # the order lstm_forward unpacks
    values = {"f": f, "i": i, "c_tilde": c_tilde, "o": o, "c": c, "h": h, "h_prev": h_prev, "c_prev": c_prev}
    return {"x": float(xs[t, 0, 0]), **{k: float(np.asarray(v)[0, 0]) for k, v in values.items()}}


@pytest.mark.parametrize("values", [None, "step 5"], ids=["plain", "with values"])
def test_the_diagram_draws_and_nothing_is_clipped(values, tmp_path):
    if values:
        _, _, run = scenarios.hand_wired_cell(2.0, -3.0, 0.0, 1.0, "pulse")
        values = figures.cell_step_values(run, 5)
    snap = figures.cell_diagram(values) if values else figures.cell_diagram()  # callable without arguments
    png = snap.to_png()
    (tmp_path / "cell.png").write_bytes(png)
    img = decoded(png)
    assert img.shape[0] > 400 and img.shape[1] >= 900 and img.std() > 10
    fig = snap.fig
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        for artist in [*ax.texts, *ax.patches]:
            box = artist.get_window_extent(renderer)
            inside = box.x0 >= -1 and box.y0 >= -1 and box.x1 <= fig.bbox.x1 + 1 and box.y1 <= fig.bbox.y1 + 1
            assert inside, f"{artist} at {box} leaves the figure {fig.bbox}"


def test_every_symbol_of_the_course_is_on_the_diagram():
    fig = figures.cell_diagram().fig
    written = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    for symbol in (r"$x_t$", r"$h_{t-1}$", r"$C_{t-1}$", r"$f_t$", r"$i_t$", r"$\tilde{C}_t$", r"$o_t$", r"$C_t$"):
        assert symbol in written, symbol
    for symbol in (r"$h_t$", r"$\sigma$", r"$\tanh$", "tanh", r"$\odot$", "+"):
        assert symbol in written, symbol


@pytest.mark.parametrize(
    "setting",
    [
        {},
        {"t": 0},
        {"t": 59},
        {"b_f": 4.0, "pattern": "step", "t": 40},
        {"b_i": 6.0, "b_c": -2.5, "pattern": "two pulses", "t": 30},
        {"b_o": -6.0, "pattern": "noise", "t": 17},
    ],
    ids=repr,
)
def test_the_live_diagram_shows_what_lstm_core_computes_at_the_chosen_step(setting):
    e = LSTMCellExplorer()
    for name, value in setting.items():
        e.controls[name].value = value  # as a learner's controls would
    v = e.values
    want = by_steps(v["b_f"], v["b_i"], v["b_c"], v["b_o"], v["pattern"], v["t"])
    for key, value in want.items():
        shown = e.diagram.texts[key].get_text()
        assert shown == figures.cell_value_text(key, value), (key, shown, value)
        assert float(shown) == pytest.approx(value, abs=0.051 if abs(value) >= 10 else 5.1e-4)
        assert f"{value:+.3f}" in e.readout_text or f"{value:.3f}" in e.readout_text, key
    assert e.diagram.title.get_text() == str(v["t"])
    # each box is filled to its value: a gate's fraction of the box, the candidate's from the middle line
    for key in ("f", "i", "o"):
        rect = e.diagram.fills[key]
        assert rect.get_height() == pytest.approx(want[key] * rect.box[2])
    rect, (_, y0, side) = e.diagram.fills["c_tilde"], e.diagram.fills["c_tilde"].box
    assert rect.get_height() == pytest.approx(abs(want["c_tilde"]) * side / 2)
    assert (rect.get_y() < y0 + side / 2 - 1e-12) == (want["c_tilde"] < 0 and rect.get_height() > 0)
    # the dotted step marks sit at t on every panel
    assert all(m.get_xdata()[0] == v["t"] for m in e.step_marks)


def test_the_step_slider_repaints_the_diagram_only_where_it_changes():
    e = LSTMCellExplorer()
    before = decoded(e.image.value)
    e.controls["t"].value = 25
    after = decoded(e.image.value)
    changed = np.abs(after - before).sum(axis=2) > 0
    rows = np.flatnonzero(changed.any(axis=1))
    top = e.fig.subfigs[0].bbox.height  # the diagram's height in pixels
    assert changed[: int(top)].sum() > 200, "the diagram did not change"
    assert rows.size and changed[int(top) :].sum() < changed[: int(top)].sum()  # below: only the step marks moved
    assert "step t = 25 (the diagram)" in e.readout_text
    assert e.data["cell"]["t"] == 25


def test_the_diagram_keeps_its_shape_in_the_explorer():
    e = LSTMCellExplorer()
    ax = e.diagram.title.axes
    box = ax.get_window_extent()
    (x0, x1), (y0, y1) = figures.CELL_XLIM, figures.CELL_YLIM
    assert box.width / box.height == pytest.approx((x1 - x0) / (y1 - y0), rel=0.02)  # circles stay round
    assert box.width >= 0.95 * e.fig.bbox.width  # the figure's full width: as large as it can be


@pytest.mark.parametrize("ha", ["left", "center", "right"])
@pytest.mark.parametrize("va", ["top", "center", "bottom", "baseline"])
def test_a_number_patch_sits_where_a_text_would(ha, va):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, 1), ylim=(0, 1))
    number = figures.NumberPatch(ax, (0.5, 0.5), ha=ha, va=va, size=11)
    number.set_text("+0.918")
    text = ax.text(0.5, 0.5, "+0.918", ha=ha, va=va, fontsize=11, family="DejaVu Sans Mono", weight="bold")
    renderer = fig.canvas.get_renderer()
    a, b = number.get_window_extent(renderer), text.get_window_extent(renderer)
    # the patch's box is its ink; the Text's, its layout (ink plus the font's ascent and descent): compare centres
    # across and the ink's edges up and down within the Text's box
    assert (a.x0 + a.x1) / 2 == pytest.approx((b.x0 + b.x1) / 2, abs=2.5)
    assert b.y0 - 1 <= a.y0 and a.y1 <= b.y1 + 1
    assert number.get_text() == "+0.918"


def test_bad_steps_get_clear_errors():
    _, _, run = scenarios.hand_wired_cell(2.0, -3.0, 0.0, 1.0, "pulse")
    with pytest.raises(ValueError, match="t: expected a step from 0 to 59, got 60"):
        figures.cell_step_values(run, 60)
    with pytest.raises(ValueError, match="t:"):
        LSTMCellExplorer().update(t=60)
    with pytest.raises(ValueError, match="missing"):
        figures.CellDrawing({}, {}, None).show({"t": 0})


def test_the_diagram_outlines_the_two_places_that_squash_content():
    plain = decoded(figures.cell_diagram().to_png())
    marked = decoded(figures.cell_diagram(mark=("candidate", "output")).to_png())
    changed = np.abs(marked - plain).sum(axis=2) > 0
    assert changed.sum() > 300  # the outlines are drawn ...
    ax = figures.cell_diagram(mark=["output"]).fig.axes[0]
    x, y, w, h = figures.CELL_MARKS["output"]
    outline = ax.patches[-1]
    assert outline.get_linestyle() in ("--", "dashed") or outline.get_linestyle()[1]  # ... dashed, not by colour
    assert (outline.get_x(), outline.get_y()) == pytest.approx((x - w / 2, y - h / 2))
    with pytest.raises(ValueError, match="mark: expected a list of parts from"):
        figures.cell_diagram(mark=("forget",))
    with pytest.raises(ValueError, match="mark:"):
        figures.cell_diagram(mark="output")  # a string, not a list of parts
