"""A recurrent cell (LSTM or vanilla RNN) with a linear read-out y_t = W_y h_t + b_y, for training."""

import numpy as np

from . import fast
from ._validate import check_choice
from .params import LSTM_GATES, LSTMParams, RNNParams

CELLS = {  # training runs the fast path (lstm_core.fast): the same numbers as the readable functions
    "lstm": (LSTMParams, fast.lstm_forward, fast.lstm_backward),
    "rnn": (RNNParams, fast.rnn_forward, fast.rnn_backward),
}


class SequenceModel:
    """``kind`` "lstm" or "rnn"; ``params`` is a dict of the arrays training updates in place:
    W, b (the cell's, see LSTMParams/RNNParams), W_y (K, H), b_y (K,).

    ``frozen_open``: LSTM gates ("f", "i", "o") held wide open (weights 0, bias +10, so the gate is
    1 - 5e-5) and never trained, to see what the gates contribute by learning together.
    """

    def __init__(
        self,
        kind,
        input_size,
        hidden_size,
        output_size,
        *,
        seed=None,
        forget_bias=1.0,
        dtype=np.float64,
        frozen_open=(),
    ):
        self.kind = check_choice("kind", kind, CELLS)
        for gate in frozen_open:
            check_choice("frozen_open", gate, ("f", "i", "o") if kind == "lstm" else ())
        cls, self._forward, self._backward = CELLS[kind]
        extra = {"forget_bias": forget_bias} if kind == "lstm" else {}
        self.cell = cls.init(input_size, hidden_size, seed=seed, dtype=dtype, **extra)
        rng = np.random.default_rng(None if seed is None else seed + 1)
        bound = 1.0 / np.sqrt(hidden_size)
        self.W_y = rng.uniform(-bound, bound, (output_size, hidden_size)).astype(dtype)
        self.b_y = np.zeros(output_size, dtype)
        self.params = {"W": self.cell.W, "b": self.cell.b, "W_y": self.W_y, "b_y": self.b_y}
        self.frozen_rows = np.zeros(self.cell.b.shape[0], bool)
        for gate in frozen_open:
            getattr(self.cell, "W_" + gate)[:] = 0.0
            getattr(self.cell, "b_" + gate)[:] = 10.0
            k = LSTM_GATES.index(gate)
            self.frozen_rows[k * hidden_size : (k + 1) * hidden_size] = True

    def forward(self, xs, h0=None):
        """Outputs y (T, B, K) and the run (for backward and for looking inside)."""
        run = self._forward(xs, self.cell, h0)
        return run.h @ self.W_y.T + self.b_y, run

    def backward(self, dy, run):
        """Gradients of every parameter, as a dict like ``params``, and the cell's gradient record."""
        dh = dy @ self.W_y
        g = self._backward(dh, run)
        g.W[self.frozen_rows] = 0.0  # frozen gates do not learn
        g.b[self.frozen_rows] = 0.0
        grads = {
            "W": g.W,
            "b": g.b,
            "W_y": np.einsum("tbk,tbh->kh", dy, run.h),
            "b_y": dy.sum(axis=(0, 1)),
        }
        return grads, g

    def n_parameters(self):
        return int(sum(p.size for p in self.params.values()))
