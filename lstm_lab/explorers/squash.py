"""Explorer 4: tanh against ReLU for the candidate and the output. ReLU lets C_t and the gradients run away."""

from lstm_core import sigmoid

from .. import scenarios
from ._base import BLUE, ORANGE, VERMILLION, Explorer, Line, Panel


class SquashExplorer(Explorer):
    """Controls: tanh or ReLU for C~_t and the output; the scale of the recurrent weights; b_f.
    Left: max |C_t| and max |h_t| over time; right: ||dL/dC_t|| (loss on the last step), log axes.
    The readout gives the tanh bound 1/(1 - f_max) from the largest forget gate the run reached (W_f != 0)."""

    defaults = {"squash": "tanh", "w_scale": 1.0, "b_f": 3.0}
    grid = (1, 2)
    figsize = (10.0, 4.2)
    T = 200
    snapshot_settings = [{"squash": "tanh"}, {"squash": "relu"}]
    static_grids = [
        {"squash": ["tanh", "relu"], "w_scale": [round(0.1 * k, 1) for k in range(21)]},
        {"squash": ["tanh", "relu"], "b_f": [-2.0 + 0.5 * k for k in range(17)]},
    ]

    def make_controls(self, w):
        style = {"description_width": "initial"}
        return {
            "squash": w.ToggleButtons(options=["tanh", "relu"], description="squash C~_t and output"),
            "w_scale": w.FloatSlider(min=0.0, max=2.0, step=0.1, description="scale of W_h", style=style),
            "b_f": w.FloatSlider(min=-2.0, max=6.0, step=0.5, description="forget bias b_f", style=style),
        }

    @classmethod
    def compute(cls, squash, w_scale, b_f):
        return scenarios.squash_comparison(squash, w_scale, T=cls.T, b_f=b_f)

    @classmethod
    def panels(cls, values):
        xlim = (0, cls.T - 1)
        return [
            Panel(
                ylabel="largest $|C_t|$, $|h_t|$ over units",
                yscale="log",
                ylim=(1e-3, 1e40),
                xlim=xlim,
                lines=[Line("c_max", r"$\max_j |C_t|$", BLUE, "-"), Line("h_max", r"$\max_j |h_t|$", ORANGE, "--")],
                legend="upper left",
            ),
            Panel(
                ylabel=r"$\|\partial L / \partial C_t\|$",
                yscale="log",
                ylim=(1e-8, 1e40),
                xlim=xlim,
                lines=[Line("c_norm", r"$\|\partial L/\partial C_t\|$", VERMILLION, "-")],
                legend="upper left",
            ),
        ]

    @classmethod
    def describe(cls, values):
        return f"squash = {values['squash']}"

    def readout(self, values, data):
        T = self.T
        over = data["overflow_step"]
        tail = (
            f"overflowed to inf at step {over}"
            if over is not None
            else f"max |C_{T - 1}| = {data['c_max'][-1]:.3g} (largest over the run {data['c_max'].max():.3g})"
        )
        sigma_bf = float(sigmoid(values["b_f"]))
        if values["squash"] == "tanh":
            bound = (
                f"tanh bound on |C_t|: 1/(1-f_max) = {data['bound']:.3g}, with f_max = {data['f_max']:.4f} the largest "
                f"forget gate this run reached\n(σ(b_f) = {sigma_bf:.4f} would give {1 / (1 - sigma_bf):.3g}: not a bound "
                "here, since W_f ≠ 0 lets f_t rise above σ(b_f))"
            )
        else:
            bound = "no bound under ReLU: the candidate is not kept inside (-1, 1)"
        return (
            f"{values['squash']}: {tail};  max |h_{T - 1}| = {data['h_max'][-1]:.3g}\n"
            f"gradient reaching C_0: {data['c_norm'][0]:.3g}\n" + bound
        )
