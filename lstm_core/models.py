"""A recurrent cell (LSTM, GRU or vanilla RNN) with a linear read-out y_t = W_y h_t + b_y, for training."""

import numpy as np

from . import fast
from ._validate import check_choice, read_only
from .gru import GRUParams, gru_step
from .lstm import lstm_step
from .params import LSTM_GATES, LSTMParams, RNNParams
from .rnn import rnn_step

CELLS = {  # training runs the fast path (lstm_core.fast): the same numbers as the readable functions, to 1e-12
    "lstm": (LSTMParams, fast.lstm_forward, fast.lstm_backward),
    "gru": (GRUParams, fast.gru_forward, fast.gru_backward),
    "rnn": (RNNParams, fast.rnn_forward, fast.rnn_backward),
}


def _cell_arrays(cell):
    """The cell's arrays (parameters or their gradients) by name: W, b (LSTM, RNN) or W_x, W_h, b_x, b_h (GRU)."""
    return cell.arrays() if hasattr(cell, "arrays") else {"W": cell.W, "b": cell.b}


class SequenceModel:
    """``kind`` "lstm", "gru" or "rnn"; ``params`` is a dict of the arrays training updates in place:
    the cell's (W, b for the LSTM and the RNN; W_x, W_h, b_x, b_h for the GRU), W_y (K, H), b_y (K,).

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
        self.params = {**_cell_arrays(self.cell), "W_y": self.W_y, "b_y": self.b_y}
        self.frozen_rows = np.zeros(4 * hidden_size if kind == "lstm" else 0, bool)
        for gate in frozen_open:
            getattr(self.cell, "W_" + gate)[:] = 0.0
            getattr(self.cell, "b_" + gate)[:] = 10.0
            k = LSTM_GATES.index(gate)
            self.frozen_rows[k * hidden_size : (k + 1) * hidden_size] = True

    def forward(self, xs, h0=None, state=None):
        """Outputs y (T, B, K) and the run (for backward and for looking inside).

        ``state``: where the sequence starts, as ``final_state`` returns it (h0 alone may be given instead);
        zeros when None.
        """
        if state is not None:
            run = self._forward(xs, self.cell, *state)
        else:
            run = self._forward(xs, self.cell, h0)
        T, B, H = run.h.shape
        y = run.h.reshape(T * B, H) @ self.W_y.T  # every step in one matmul
        return (y + self.b_y).reshape(T, B, -1), run

    def final_state(self, run):
        """The state after a run's last step, as copies: (h_T-1, C_T-1) for the LSTM, (h_T-1,) otherwise.

        Feeding it to the next forward carries the memory on; no gradient flows back through it."""
        return (run.h[-1].copy(), run.c[-1].copy()) if self.kind == "lstm" else (run.h[-1].copy(),)

    def step(self, x, state=None):
        """One step of the cell's readable step function: outputs y (B, K) and the next state, for generating
        one token at a time (nothing is kept for backward). ``x`` (B, D); ``state`` as ``final_state`` gives it."""
        arrays = _cell_arrays(self.cell)
        cell = type(self.cell)(*(read_only(a) for a in arrays.values()))  # read-only views: no copy per step
        if state is None:
            zeros = np.zeros((x.shape[0], self.cell.hidden_size), self.W_y.dtype)
            state = (zeros, zeros) if self.kind == "lstm" else (zeros,)
        if self.kind == "lstm":
            h, c, _ = lstm_step(x, *state, cell, check=False)
            state = (h, c)
        else:
            h, _ = (gru_step if self.kind == "gru" else rnn_step)(x, state[0], cell, check=False)
            state = (h,)
        return h @ self.W_y.T + self.b_y, state

    def backward(self, dy, run):
        """Gradients of every parameter, as a dict like ``params``, and the cell's gradient record (whose x is
        None: the inputs are data, and nothing needs their gradient)."""
        T, B, K = dy.shape
        dh = (dy.reshape(T * B, K) @ self.W_y).reshape(T, B, -1)
        g = self._backward(dh, run, x_grad=False)
        cell = _cell_arrays(g)
        if self.frozen_rows.any():
            cell["W"][self.frozen_rows] = 0.0  # frozen gates do not learn
            cell["b"][self.frozen_rows] = 0.0
        grads = {
            **cell,
            "W_y": dy.reshape(-1, dy.shape[-1]).T @ run.h.reshape(-1, run.h.shape[-1]),  # sum over t, b (one matmul)
            "b_y": dy.sum(axis=(0, 1)),
        }
        return grads, g

    def n_parameters(self):
        return int(sum(p.size for p in self.params.values()))
