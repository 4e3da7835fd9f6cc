"""Explorer 1: why a vanilla RNN forgets. With W_h = rho Q (Q orthogonal), zero bias and small inputs, the gradient
shrinks by about rho per step below 1, and grows far slower than rho above it."""

from .. import scenarios
from ._base import BLUE, ORANGE, Explorer, Line, Panel


class RNNMemoryExplorer(Explorer):
    """Sliders: rho, the scale of the recurrent matrix W_h (all its singular values), and the length T.
    Plot: ||dL/dh_t|| against t on a log axis, the loss sitting on the last step."""

    defaults = {"rho": 0.9, "T": 100}
    snapshot_settings = [{"rho": 0.8}, {"rho": 1.0}, {"rho": 1.5}]
    static_grids = [{"rho": [round(0.3 + 0.05 * k, 2) for k in range(35)], "T": [50, 100, 200]}]

    def make_controls(self, w):
        return {
            "rho": w.FloatSlider(
                min=0.3, max=2.0, step=0.05, description="ρ (scale of W_h)", style={"description_width": "initial"}
            ),
            "T": w.IntSlider(min=10, max=200, step=10, description="T (steps)", style={"description_width": "initial"}),
        }

    @classmethod
    def compute(cls, rho, T):
        return scenarios.rnn_memory(rho, T)

    @classmethod
    def panels(cls, values):
        return [
            Panel(
                ylabel=r"$\|\partial L / \partial h_t\|$ (1 at $t = T-1$)",
                yscale="log",
                ylim=(1e-16, 1e16),
                xlim=(0, 199),
                lines=[
                    Line("h_norm", r"measured $\|\partial L / \partial h_t\|$", BLUE, "-"),
                    Line("predicted", r"linear prediction $\rho^{\,T-1-t}$", ORANGE, "--"),
                ],
                hlines=[(1.0, None)],
                legend="lower left",
            )
        ]

    @classmethod
    def describe(cls, values):
        return f"ρ = {values['rho']:g}"

    def readout(self, values, data):
        rho, T, g0 = values["rho"], values["T"], data["h_norm"][0]
        regime = (
            "vanishing" if data["per_step"] < 0.99 else "exploding" if data["per_step"] > 1.01 else "roughly preserved"
        )
        return (
            f"ρ = {rho:.2f}, T = {T}: the gradient reaching h_0 is {g0:.3g} times the one at h_{T - 1} ({regime}).\n"
            f"Measured factor per step: {data['per_step']:.3f}   linear prediction ρ: {rho:.3f}\n"
            "(W_h = ρQ, zero bias, small inputs: below 1 the factor sits just under ρ, tanh's slope being just under 1;"
            " above 1 tanh saturates and its slope tames the growth.)"
        )
