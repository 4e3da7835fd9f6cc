"""Explorer 2: one LSTM cell, gate by gate, with a slider for each gate's bias."""

from lstm_core import sigmoid

from .. import scenarios
from ._base import BLACK, BLUE, PURPLE, VERMILLION, Explorer, Line, Panel, gate_panel


class LSTMCellExplorer(Explorer):
    """Sliders: the biases b_f, b_i, b_c, b_o of a hand-wired one-unit cell; a choice of input pattern.
    Plots over time: the input x_t; the gates f_t, i_t, o_t; the candidate C~_t, the cell C_t and h_t."""

    defaults = {"b_f": 2.0, "b_i": -3.0, "b_c": 0.0, "b_o": 1.0, "pattern": "pulse"}
    grid = (3, 1)
    figsize = (9.0, 7.0)
    T = 60
    snapshot_settings = [{"b_f": 4.0}, {"b_f": 1.0}, {"b_f": -4.0}]
    static_grids = [
        {"b_f": [-6.0 + 0.5 * k for k in range(25)], "pattern": list(scenarios.PATTERNS)},
        {"b_i": [-6.0 + 1.0 * k for k in range(13)]},
        {"b_o": [-6.0 + 1.0 * k for k in range(13)]},
    ]

    def make_controls(self, w):
        style = {"description_width": "initial"}
        sliders = {
            name: w.FloatSlider(min=-6.0, max=6.0, step=0.5, description=f"{name} ({label})", style=style)
            for name, label in (("b_f", "forget"), ("b_i", "input"), ("b_c", "candidate"), ("b_o", "output"))
        }
        sliders["pattern"] = w.Dropdown(options=list(scenarios.PATTERNS), description="input x_t")
        return sliders

    @classmethod
    def compute(cls, b_f, b_i, b_c, b_o, pattern):
        _, xs, run = scenarios.hand_wired_cell(b_f, b_i, b_c, b_o, pattern, T=cls.T)
        keys = {"x": xs, "f": run.f, "i": run.i, "o": run.o, "c_tilde": run.c_tilde, "c": run.c, "h": run.h}
        data = {k: v[:, 0, 0] for k, v in keys.items()}
        data["t"] = range(cls.T)
        return data

    @classmethod
    def panels(cls, values):
        xlim = (0, cls.T - 1)
        return [
            Panel(
                ylabel="input $x_t$",
                xlabel="",
                ylim=(-1.25, 1.25),
                xlim=xlim,
                lines=[Line("x", "input $x_t$", BLACK, "-", drawstyle="steps-mid")],
                legend=None,
            ),
            gate_panel(xlim),
            Panel(
                ylabel="value",
                ylim=(-2.5, 2.5),
                xlim=xlim,
                lines=[
                    Line("c_tilde", r"candidate $\tilde{C}_t$", PURPLE, ":", width=2.5),
                    Line("c", "cell $C_t$", VERMILLION, "-"),
                    Line("h", "hidden $h_t$", BLUE, "--"),
                ],
                hlines=[(0.0, None)],
                legend="upper right",
            ),
        ]

    @classmethod
    def describe(cls, values):
        return f"$b_f$ = {values['b_f']:g}  ($f_t$ = {float(sigmoid(values['b_f'])):.3f})"

    def readout(self, values, data):
        c, h = data["c"], data["h"]
        f = float(sigmoid(values["b_f"]))
        k = int(abs(data["x"]).argmax())
        later = min(k + 20, self.T - 1)
        return (
            f"f_t = σ(b_f) = {f:.3f} at every step;  o_t = σ(b_o) = {float(sigmoid(values['b_o'])):.3f}\n"
            f"at the first input (t = {k}): i_t = {data['i'][k]:.3f}, C~_t = {data['c_tilde'][k]:+.3f}, "
            f"C_t = {c[k]:+.3f}, h_t = {h[k]:+.3f}\n"
            f"20 steps later (t = {later}): C_t = {c[later]:+.3f}, h_t = {h[later]:+.3f};  "
            f"largest |C_t| = {abs(c).max():.3f}, largest |h_t| = {abs(h).max():.3f}"
        )
