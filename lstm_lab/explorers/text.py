"""Explorer 5: inside a character model reading Shakespeare. Pick a passage, a unit and a position: see the
model's next-character guesses, the unit's cell state and gates over the passage, a sample at a temperature,
and what happens when one unit's forget gate is pushed open or shut."""

import functools

import numpy as np

from lstm_core import LSTMParams, lstm_forward
from lstm_core.charlm import CharLM, sample, softmax

from .. import text
from ._base import BLUE, GREEN, ORANGE, VERMILLION, Explorer, Line, Panel, VLine

PASSAGE_LENGTH = 200


@functools.cache
def passages():
    """Four passages of the validation text (which the models never trained on), each 200 characters."""
    _, val = text.split()
    starts = {"a speaker's turn": 1000, "a long speech": 20_000, "a quick exchange": 52_000, "verse": 88_000}
    out = {}
    for name, s in starts.items():
        s = val.index("\n\n", s) + 2  # start at the beginning of a speaker's turn
        out[name] = val[s : s + PASSAGE_LENGTH]
    return out


@functools.cache
def _model():
    return text.load_model("lstm")


def _changed(unit, f_offset):
    """The unit whose forget bias is changed, or 0 when nothing is (so that one cached run serves every unit)."""
    return (unit, f_offset) if f_offset else (0, 0.0)


def _run(passage, unit, f_offset):
    return _run_cached(passage, *_changed(unit, f_offset))


@functools.cache
def _run_cached(passage, unit, f_offset):
    """The LSTM reading the passage (the readable lstm_forward), with ``f_offset`` added to one unit's b_f."""
    lm = _model()
    cell = lm.model.cell
    p = LSTMParams(cell.W.copy(), cell.b.copy())
    p.b_f[unit] += f_offset
    xs = np.zeros((PASSAGE_LENGTH, 1, lm.vocab.size), p.dtype)
    xs[np.arange(PASSAGE_LENGTH), 0, lm.vocab.encode(passages()[passage])] = 1.0
    run = lstm_forward(xs, p)
    logits = run.h[:, 0] @ lm.model.W_y.T + lm.model.b_y
    return p, run, softmax(logits.astype(np.float64))


def _sample(passage, unit, f_offset, temperature):
    return _sample_cached(passage, *_changed(unit, f_offset), temperature)


@functools.cache
def _sample_cached(passage, unit, f_offset, temperature, n=60):
    """A continuation of the passage, sampled (seed 0) from the model with the same forget-gate change."""
    lm = _model()
    p, _, _ = _run(passage, unit, f_offset)
    changed = CharLM(lm.kind, lm.vocab, lm.hidden_size, dtype=lm.dtype)
    for name, arr in lm.params.items():
        changed.params[name][...] = arr
    changed.model.cell.b[...] = p.b
    return sample(changed, passages()[passage], n, temperature=temperature, seed=0)


class TextExplorer(Explorer):
    """Controls: a passage, a unit j, an offset added to unit j's forget-gate bias, a position in the passage,
    and a sampling temperature. Plots: unit j's tanh(C_t) (what the output gate multiplies; the readout and the
    coloured text give C_t itself) and h_t over the passage; below, each of its gates f_t, i_t, o_t in a strip of
    its own (drawn in one panel, three curves that jump at every character hide one another)."""

    defaults = {"passage": "a speaker's turn", "unit": 0, "f_offset": 0.0, "position": 120, "temperature": 1.0}
    grid = (4, 1)
    figsize = (9.0, 6.6)
    snapshot_settings = [{"f_offset": 0.0}, {"f_offset": -6.0}]
    text_only_controls = ("temperature",)  # the sample is in the readout

    @classmethod
    def static_grids(cls):
        """For the static site: the units notebook 06 finds readable, each with five forget-bias offsets; and
        the most readable one at every twentieth position (within the site's 2 MB budget per explorer)."""
        units = [unit for _, unit, _ in text.shipped_readable_units()]
        return [
            {"unit": sorted(set(units)), "f_offset": [-6.0, -3.0, 0.0, 3.0, 6.0]},
            {"unit": units[:1], "position": list(range(0, PASSAGE_LENGTH, 20))},
        ]

    def make_controls(self, w):
        style = {"description_width": "initial"}
        H = _model().hidden_size
        return {
            "passage": w.Dropdown(options=list(passages()), description="passage"),
            "unit": w.IntSlider(min=0, max=H - 1, step=1, description="unit j", style=style),
            "f_offset": w.FloatSlider(min=-6.0, max=6.0, step=0.5, description="b_f offset of unit j", style=style),
            "position": w.IntSlider(min=0, max=PASSAGE_LENGTH - 1, step=1, description="position t", style=style),
            "temperature": w.FloatSlider(min=0.1, max=2.0, step=0.1, description="temperature", style=style),
        }

    @classmethod
    def compute(cls, passage, unit, f_offset, position, temperature):
        _, run, probs = _run(passage, unit, f_offset)
        data = {k: np.asarray(getattr(run, k)[:, 0, unit], dtype=np.float64) for k in ("c", "h", "f", "i", "o")}
        data["tanh_c"] = np.tanh(data["c"])
        data.update(t=np.arange(PASSAGE_LENGTH), position=position, probs=probs[position])
        data["sample"] = _sample(passage, unit, f_offset, round(float(temperature), 6))
        return data

    @classmethod
    def panels(cls, values):
        xlim = (0, PASSAGE_LENGTH - 1)

        def pos():
            return VLine("position", "position $t$", "0.35", ":")

        def gate(key, label, color, style, xlabel=""):
            return Panel(
                ylabel=label,
                xlabel=xlabel,
                ylim=(-0.05, 1.05),
                xlim=xlim,
                lines=[Line(key, label, color, style, width=1.5, drawstyle="steps-mid"), pos()],
                legend="",
            )

        return [
            Panel(
                ylabel="unit $j$",
                xlabel="",
                ylim=(-1.05, 1.05),
                xlim=xlim,
                lines=[Line("tanh_c", r"$\tanh(C_t)$", VERMILLION, "-"), Line("h", "hidden $h_t$", BLUE, "--"), pos()],
                hlines=[(0.0, None)],
                legend="above",
            ),
            gate("f", "forget $f_t$", BLUE, "-"),
            gate("i", "input $i_t$", ORANGE, "-"),
            gate("o", "output $o_t$", GREEN, "-", xlabel="character position $t$ in the passage"),
        ]

    @classmethod
    def describe(cls, values):
        return f"unit {values['unit']}, $b_f$ offset {values['f_offset']:+g}"

    def readout(self, values, data):
        vocab = _model().vocab
        passage, t = passages()[values["passage"]], values["position"]
        top = np.argsort(data["probs"])[::-1][:5]
        guesses = ", ".join(f"{vocab.chars[k]!r} {data['probs'][k]:.2f}" for k in top)
        nxt = passage[t + 1] if t + 1 < len(passage) else None
        truth = f"; the text has {nxt!r} ({data['probs'][vocab.chars.index(nxt)]:.2f})" if nxt else ""
        return (
            f"after {passage[max(0, t - 24) : t + 1]!r} (position {t}), the model guesses: {guesses}{truth}\n"
            f"unit {values['unit']} at t = {t}: C_t = {data['c'][t]:+.3f}, h_t = {data['h'][t]:+.3f}, "
            f"f_t = {data['f'][t]:.3f}, i_t = {data['i'][t]:.3f}, o_t = {data['o'][t]:.3f}"
            f"  (b_f offset {values['f_offset']:+.1f}; over the passage C_t runs from {data['c'].min():+.2f} to"
            f" {data['c'].max():+.2f}, plotted as tanh(C_t))\n"
            f"sample at temperature {values['temperature']:.1f}: {data['sample']!r}"
        )

    def extra_html(self, values, data):
        label = f"C_t of unit {values['unit']}"
        return text.char_heatmap_html(passages()[values["passage"]], data["c"], label=label)
