"""Explorer 2: one LSTM cell, gate by gate, with a slider for each gate's bias and a diagram of the cell at one step."""

import numpy as np

from lstm_core import sigmoid

from .. import figures, scenarios
from ._base import BLACK, Explorer, Line, Panel, _draw_panels, gate_panel


class LSTMCellExplorer(Explorer):
    """Sliders: the biases b_f, b_i, b_c, b_o of a hand-wired one-unit cell; a choice of input pattern; the step t
    the diagram shows. On top, the cell's diagram at step t: each layer's box filled to its value, the gates, the
    candidate and the states written on it. Below, over time: the input x_t; the gates f_t, i_t, o_t; the
    candidate C~_t, the cell C_t and h_t, with a dotted line at step t. The readout gives every number."""

    defaults = {"b_f": 2.0, "b_i": -3.0, "b_c": 0.0, "b_o": 1.0, "pattern": "pulse", "t": 5}
    grid = (2, 1)
    T = 60
    figsize = (9.0, 4.0)  # the two panels (snapshot() shows them per setting); the live figure adds the diagram
    snapshot_settings = [{"b_f": 4.0}, {"b_f": 1.0}, {"b_f": -4.0}]
    # the site's frames (static.py), about 20 KB each with the diagram, within its 2 MB: b_f in the slider's own
    # steps for the pulse, in steps of 1 for the other inputs; the other biases in steps of 2; the step t through
    # the pulse and its decay
    static_grids = [
        {"b_f": [-6.0 + 0.5 * k for k in range(25)]},
        {"b_f": [-6.0 + 1.0 * k for k in range(13)], "pattern": ["step", "two pulses"]},
        {"pattern": ["noise"]},
        {"b_i": [-6.0 + 2.0 * k for k in range(7)]},
        {"b_o": [-6.0 + 2.0 * k for k in range(7)]},
        {"t": [*range(13), 15, 20, 25, 30, 40, 50, T - 1]},
    ]

    def __init__(self, **values):
        (x0, x1), (y0, y1) = figures.CELL_XLIM, figures.CELL_YLIM
        width, panels = type(self).figsize
        self.diagram_height = width * (y1 - y0) / (x1 - x0)  # the diagram's own aspect, at the figure's full width
        self.figsize = (width, self.diagram_height + panels)
        super().__init__(**values)

    def make_controls(self, w):
        style = {"description_width": "initial"}
        sliders = {
            name: w.FloatSlider(min=-6.0, max=6.0, step=0.5, description=f"{name} ({label})", style=style)
            for name, label in (("b_f", "forget"), ("b_i", "input"), ("b_c", "candidate"), ("b_o", "output"))
        }
        sliders["pattern"] = w.Dropdown(options=list(scenarios.PATTERNS), description="input x_t")
        sliders["t"] = w.IntSlider(min=0, max=self.T - 1, step=1, description="step t (diagram)", style=style)
        return sliders

    @classmethod
    def compute(cls, b_f, b_i, b_c, b_o, pattern, t):
        _, xs, run = scenarios.hand_wired_cell(b_f, b_i, b_c, b_o, pattern, T=cls.T)
        keys = {"x": xs, "f": run.f, "i": run.i, "o": run.o, "c_tilde": run.c_tilde, "c": run.c, "h": run.h}
        data = {k: v[:, 0, 0] for k, v in keys.items()}
        data["t"] = range(cls.T)
        data["cell"] = figures.cell_step_values(run, t)  # what the diagram shows: step t of the same run
        return data

    @classmethod
    def panels(cls, values):
        xlim = (0, cls.T - 1)
        color = figures.CELL_COLORS  # each quantity in the same colour in the diagram and in the panels
        return [
            gate_panel(xlim, legend="above"),  # legends above the panels: they cover no line
            Panel(
                ylabel="value",
                ylim=(-2.5, 2.5),
                xlim=xlim,
                lines=[
                    Line("x", "input $x_t$", color["x"], "-", width=1.2, drawstyle="steps-mid"),
                    Line("c_tilde", r"candidate $\tilde{C}_t$", color["c_tilde"], ":", width=2.5),
                    Line("c", "cell $C_t$", color["c"], "-", width=2.5),
                    Line("h", "hidden $h_t$", color["h"], "--", width=2.4),
                ],
                hlines=[(0.0, None)],
                legend="above",
            ),
        ]

    def draw_figure(self, fig):
        """The cell's diagram on top (drawn once; its fills and numbers move), the three panels below."""
        top, bottom = fig.subfigures(2, 1, height_ratios=[self.diagram_height, self.figsize[1] - self.diagram_height])
        self.diagram = figures.draw_cell(top.add_axes((0.0, 0.0, 1.0, 1.0)), live=True, animated=True)
        artists = _draw_panels(bottom, self.panels(self.defaults), self.grid)
        # the step the diagram shows, marked on every panel (dotted, black: no colour needed to find it)
        self.step_marks = [ax.axvline(np.nan, color=BLACK, ls=":", lw=1.4, animated=True) for ax in bottom.axes]
        return artists

    def blit(self):
        """The base class's blit, plus the diagram's fills and numbers and the step marks."""
        self.diagram.show(self.data["cell"])
        t = self.values["t"]
        for mark in self.step_marks:
            mark.set_xdata([t, t])
        self.canvas.restore_region(self._background)
        for artist in [*(a for _, a in self._artists), *self.step_marks, *self.diagram.artists]:
            artist.axes.draw_artist(artist)

    @classmethod
    def describe(cls, values):
        return f"$b_f$ = {values['b_f']:g}  ($f_t$ = {float(sigmoid(values['b_f'])):.3f})"

    def readout(self, values, data):
        c, h, v = data["c"], data["h"], data["cell"]
        inputs = np.flatnonzero(data["x"])
        k = int(inputs[0]) if inputs.size else 0  # the first step with an input
        later = min(k + 20, self.T - 1)
        return (
            f"step t = {v['t']} (the diagram): x_t = {v['x']:+.3f}, h_{{t-1}} = {v['h_prev']:+.3f}, "
            f"C_{{t-1}} = {v['c_prev']:+.3f}\n"
            f"  f_t = {v['f']:.3f}, i_t = {v['i']:.3f}, C~_t = {v['c_tilde']:+.3f}, o_t = {v['o']:.3f}\n"
            f"  C_t = f_t⊙C_{{t-1}} + i_t⊙C~_t = {v['f']:.3f}×({v['c_prev']:+.3f}) + {v['i']:.3f}×({v['c_tilde']:+.3f})"
            f" = {v['c']:+.3f}\n"
            f"  h_t = o_t⊙tanh(C_t) = {v['o']:.3f}×tanh({v['c']:+.3f}) = {v['h']:+.3f}\n"
            f"f_t = σ(b_f) = {float(sigmoid(values['b_f'])):.3f}, o_t = σ(b_o) = {float(sigmoid(values['b_o'])):.3f}"
            " at every step here\n"
            f"C_t at the first input (t = {k}) {c[k]:+.3f}, 20 steps later {c[later]:+.3f}; h_t then {h[later]:+.3f}\n"
            f"largest |C_t| = {abs(c).max():.3f}, largest |h_t| = {abs(h).max():.3f}"
        )
