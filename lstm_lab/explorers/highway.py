"""Explorer 3: the gradient highway. dL/dC_t along the cell path decays like f^k, so memory ~ -1/ln f."""

from .. import scenarios
from ._base import BLUE, GREEN, ORANGE, VERMILLION, Explorer, Line, Panel, VLine


class GradientHighwayExplorer(Explorer):
    """Slider: the forget bias b_f (the forget gate is held at f = sigma(b_f)).
    Left: the LSTM's ||dL/dC_t|| and ||dL/dh_t||; right: a vanilla RNN's ||dL/dh_t||, same input, same loss."""

    defaults = {"b_f": 3.0}
    grid = (1, 2)
    figsize = (10.0, 4.2)
    T = 200
    snapshot_settings = [{"b_f": 0.0}, {"b_f": 3.0}, {"b_f": 6.0}]
    static_grids = [{"b_f": [-2.0 + 0.25 * k for k in range(41)]}]

    def make_controls(self, w):
        return {
            "b_f": w.FloatSlider(
                min=-2.0, max=8.0, step=0.25, description="forget bias b_f", style={"description_width": "initial"}
            )
        }

    @classmethod
    def compute(cls, b_f):
        d = scenarios.gradient_highway(b_f, T=cls.T)
        last = cls.T - 1
        d["measured_t"] = last - d["measured"]
        d["predicted_t"] = last - d["predicted"]
        d["rnn_measured_t"] = last - d["rnn_measured"]
        return d

    @classmethod
    def panels(cls, values):
        common = {"yscale": "log", "ylim": (1e-14, 3.0), "xlim": (0, cls.T - 1)}
        return [
            Panel(
                ylabel=r"gradient norm ($\|\partial L/\partial h_{T-1}\|$ = 1)",
                title="LSTM",
                lines=[
                    Line("lstm_c_norm", r"$\|\partial L/\partial C_t\|$", BLUE, "-"),
                    Line("lstm_h_norm", r"$\|\partial L/\partial h_t\|$", ORANGE, "--"),
                    VLine("measured_t", "memory: measured", BLUE, "-"),
                    VLine("predicted_t", r"memory: $-1/\ln f$", VERMILLION, ":"),
                ],
                legend="lower right",
                **common,
            ),
            Panel(
                ylabel="",
                title="vanilla RNN",
                lines=[
                    Line("rnn_h_norm", r"$\|\partial L/\partial h_t\|$", GREEN, "-."),
                    VLine("rnn_measured_t", "memory: measured", GREEN, "-"),
                ],
                legend="lower right",
                **common,
            ),
        ]

    @classmethod
    def describe(cls, values):
        return f"$b_f$ = {values['b_f']:g}"

    def readout(self, values, data):
        def steps(x):
            return "more than the whole sequence" if x == float("inf") else f"{x:.1f} steps"

        return (
            f"b_f = {values['b_f']:.2f}  ->  f = σ(b_f) = {data['f']:.4f}\n"
            f"LSTM memory (gradient on C_t falls to 1/e): measured {steps(data['measured'])}, "
            f"predicted -1/ln f = {steps(data['predicted'])}\n"
            f"vanilla RNN memory: measured {steps(data['rnn_measured'])}\n"
            f"||dL/dC_t||: {data['lstm_c_norm'][-1]:.3g} at the last step, {data['lstm_c_norm'][0]:.3g} at C_0;  "
            f"RNN ||dL/dh_0||: {data['rnn_h_norm'][0]:.3g}\n"
            f"largest |C_T-1| = {data['c_last_max']:.3g}"
            + ("  (tanh(C) saturates: little gradient enters the cell at all)" if data["c_last_max"] > 3 else "")
        )
