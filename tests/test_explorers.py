"""Explorers without a browser: move a control, then check the figure's line data, the readout and the repaint.

Setting ``widget.value`` fires the observers as a slider would. The figure's data must equal what
lstm_core computes for those settings; extreme positions must give finite plots and no warnings.
"""

import io
import warnings

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the explorers need ipywidgets (pip install -r requirements.txt)")

import lstm_core  # noqa: E402
from lstm_lab import scenarios as S  # noqa: E402
from lstm_lab.explorers import (  # noqa: E402
    EXPLORERS,
    GradientHighwayExplorer,
    LSTMCellExplorer,
    RNNMemoryExplorer,
    SquashExplorer,
)

ALL = list(EXPLORERS)


def ydata(explorer, key):
    return np.asarray(explorer.lines[key].get_ydata(), dtype=float)


def test_cell_slider_moves_the_lines_to_what_lstm_core_computes():
    e = LSTMCellExplorer()
    png = e.image.value
    e.controls["b_f"].value = -4.0  # as a learner's slider would
    assert e.values["b_f"] == -4.0
    _, _, run = S.hand_wired_cell(-4.0, e.values["b_i"], e.values["b_c"], e.values["b_o"], e.values["pattern"])
    np.testing.assert_array_equal(ydata(e, "c"), run.c[:, 0, 0])
    np.testing.assert_array_equal(ydata(e, "f"), run.f[:, 0, 0])
    np.testing.assert_allclose(ydata(e, "f"), lstm_core.sigmoid(-4.0))
    assert bytes(e.image.value) != bytes(png) and bytes(e.image.value)[:4] == b"\x89PNG"  # repainted
    assert "f_t = σ(b_f) = 0.018" in e.readout_text
    assert "0.018" in e.readout_widget.value
    e.controls["pattern"].value = "step"
    np.testing.assert_array_equal(ydata(e, "x")[:5], 0.0)
    np.testing.assert_array_equal(ydata(e, "x")[5:], 1.0)


def test_cell_update_method_and_each_bias():
    e = LSTMCellExplorer()
    for name, gate in (("b_i", "i"), ("b_o", "o")):
        e.update(**{name: 5.0})
        assert ydata(e, gate).max() > 0.99
    e.update(b_c=-6.0, pattern="pulse")
    assert ydata(e, "c_tilde")[0] == pytest.approx(np.tanh(-6.0))


def test_rnn_explorer_shows_rho_per_step():
    e = RNNMemoryExplorer()
    e.controls["rho"].value = 0.5
    e.controls["T"].value = 40
    r = S.rnn_memory(0.5, 40)
    np.testing.assert_array_equal(ydata(e, "h_norm"), r["h_norm"])
    assert len(ydata(e, "h_norm")) == 40
    assert "vanishing" in e.readout_text and "0.500" in e.readout_text
    e.update(rho=1.8)
    assert "exploding" in e.readout_text


def test_highway_readout_compares_measured_and_predicted_memory():
    e = GradientHighwayExplorer()
    e.controls["b_f"].value = 2.0
    d = S.gradient_highway(2.0)
    np.testing.assert_array_equal(ydata(e, "lstm_c_norm"), d["lstm_c_norm"])
    np.testing.assert_array_equal(ydata(e, "rnn_h_norm"), d["rnn_h_norm"])
    assert f"measured {d['measured']:.1f} steps" in e.readout_text
    assert f"predicted -1/ln f = {d['predicted']:.1f} steps" in e.readout_text
    # the memory markers sit where the readout says
    assert e.lines["measured_t"].get_xdata()[0] == pytest.approx(199 - d["measured"])


def test_squash_switch_shows_relu_running_away():
    e = SquashExplorer()
    tanh_max = ydata(e, "c_max").max()
    e.controls["squash"].value = "relu"
    assert ydata(e, "c_max")[-1] > 1e6 * tanh_max
    assert "relu" in e.readout_text


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_extreme_positions_give_finite_plots_and_no_warnings(cls):
    e = cls()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, control in e.controls.items():
            ends = [control.min, control.max] if hasattr(control, "min") else list(control.options)
            for v in ends:
                e.update(**{name: v})
                for key, artist in e.lines.items():
                    y = np.asarray(artist.get_ydata(), dtype=float)
                    if key in ("c_max", "h_max", "c_norm"):  # ReLU may overflow: hidden, and the readout says so
                        y = y[~np.isnan(y)]
                    if not key.endswith("_t"):
                        assert np.isfinite(y).all(), (name, v, key)
                assert e.readout_text


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_bad_settings_get_clear_errors(cls):
    e = cls()
    with pytest.raises(ValueError, match="unknown setting"):
        e.update(nonsense=1)
    name, control = next(iter(e.controls.items()))
    bad = control.max + 100 if hasattr(control, "max") else "nope"
    with pytest.raises(ValueError, match=name):
        e.update(**{name: bad})
    with pytest.raises(ValueError, match="unknown setting"):
        cls(nonsense=1)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_figure_is_built_once_and_snapshot_renders(cls, tmp_path):
    e = cls()
    fig, axes = e.fig, list(e.fig.axes)
    lims = [ax.get_ylim() for ax in axes]
    name, control = next(iter(e.controls.items()))
    e.update(**{name: control.max if hasattr(control, "max") else control.options[-1]})
    assert e.fig is fig and list(e.fig.axes) == axes  # updated in place
    assert [ax.get_ylim() for ax in axes] == lims  # fixed axis limits
    snap = cls.snapshot()
    path = tmp_path / f"{cls.__name__}.png"
    snap.save(path)
    assert path.read_bytes().startswith(b"\x89PNG")
    assert snap._repr_png_().startswith(b"\x89PNG")


def test_text_explorer_shows_the_models_own_guesses_and_the_forget_offset_acts():
    from lstm_lab import text
    from lstm_lab.explorers import TextExplorer
    from lstm_lab.explorers.text import passages

    e = TextExplorer()
    passage, t = passages()[e.values["passage"]], e.values["position"]
    probs, _ = text.load_model("lstm").next_char_probabilities(passage)  # the fast path, from lstm_core.charlm
    np.testing.assert_allclose(e.data["probs"], probs[t], rtol=1e-4, atol=1e-6)
    top = text.vocab().chars[int(np.argmax(probs[t]))]
    assert f"guesses: {top!r} {probs[t].max():.2f}" in e.readout_text
    assert "<span title=" in e.readout_widget.value and "Hover over a character" in e.readout_widget.value
    before = ydata(e, "tanh_c").copy()
    e.update(f_offset=-6.0)
    assert np.abs(ydata(e, "tanh_c") - before).max() > 0.05  # unit 0 forgets at every step now
    assert "b_f offset -6.0" in e.readout_text
    e.update(temperature=0.1)
    cold = e.data["sample"]
    e.update(temperature=2.0)
    assert e.data["sample"] != cold and len(e.data["sample"]) == len(cold) == 60  # a fresh sample, same length


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_repaint_png_decodes_to_the_figure_pixels(cls):
    """The explorers' own PNG encoder: a standard decoder (PIL) reads back exactly the canvas's pixels."""
    from PIL import Image

    e = cls()
    rgba = np.asarray(e.canvas.buffer_rgba())
    png = bytes(e.image.value)
    img = Image.open(io.BytesIO(png))
    img.load()  # decodes, checking every chunk's CRC and the zlib stream
    assert (img.mode, img.size) == ("RGB", (rgba.shape[1], rgba.shape[0]))
    np.testing.assert_array_equal(np.asarray(img), rgba[..., :3])
