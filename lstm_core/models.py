"""A recurrent cell (any kind in lstm_core.CELLS) with a linear read-out y_t = W_y h_t + b_y, for training."""

import numpy as np

from ._validate import check_choice, read_only
from .cells import CELLS


class SequenceModel:
    """``kind`` one of lstm_core.CELLS ("lstm", "gru", "rnn", "peephole"); ``params`` is a dict of the arrays
    training updates in place: the cell's (its params' ``arrays()``: W, b for the LSTM and the RNN; W_x, W_h, b_x,
    b_h for the GRU), W_y (K, H), b_y (K,). ``forget_bias``: for the cells whose init takes it (the LSTMs).

    ``frozen_open``: gates ("f", "i", "o", for the LSTMs) held wide open (weights 0, bias +10, so the gate is
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
        self.cell_type = CELLS[kind]
        params = self.cell_type.params
        for gate in frozen_open:
            check_choice("frozen_open", gate, params.holdable)
        options = {"forget_bias": forget_bias} if "forget_bias" in params.init_options else {}
        self.cell = params.init(input_size, hidden_size, seed=seed, dtype=dtype, **options)
        rng = np.random.default_rng(None if seed is None else seed + 1)
        bound = 1.0 / np.sqrt(hidden_size)
        self.W_y = rng.uniform(-bound, bound, (output_size, hidden_size)).astype(dtype)
        self.b_y = np.zeros(output_size, dtype)
        self.params = {**self.cell.arrays(), "W_y": self.W_y, "b_y": self.b_y}
        self.frozen = [self.cell.hold_open(gate) for gate in frozen_open]  # {field: rows} per held gate

    def forward(self, xs, h0=None, state=None):
        """Outputs y (T, B, K) and the run (for backward and for looking inside).

        ``state``: where the sequence starts, as ``final_state`` returns it (h0 alone may be given instead);
        zeros when None.
        """
        run = self.cell_type.train_forward(xs, self.cell, *(state if state is not None else (h0,)))
        return self.readout(run.h), run

    def final_state(self, run):
        """The state after a run's last step, as copies: (h_T-1, C_T-1) for the LSTM, (h_T-1,) otherwise.

        Feeding it to the next forward carries the memory on; no gradient flows back through it."""
        return self.cell_type.final_state(run)

    def step(self, x, state=None):
        """One step of the cell's readable step function: outputs y (B, K) and the next state, for generating
        one token at a time (nothing is kept for backward). ``x`` (B, D); ``state`` as ``final_state`` gives it."""
        cell = type(self.cell)(*(read_only(a) for a in self.cell.arrays().values()))  # read-only views, no copy
        if state is None:
            zeros = np.zeros((x.shape[0], self.cell.hidden_size), self.W_y.dtype)
            state = (zeros,) * len(self.cell_type.state)
        *state, _ = self.cell_type.step(x, *state, cell, check=False)
        return self.readout(state[0]), tuple(state)

    def readout(self, h):
        """y = W_y h + b_y for hidden states h of shape (..., H): every step in one matmul. Returns (..., K)."""
        H = h.shape[-1]
        return (h.reshape(-1, H) @ self.W_y.T + self.b_y).reshape(*h.shape[:-1], -1)

    def backward(self, dy, run):
        """Gradients of every parameter, as a dict like ``params``, and the cell's gradient record (whose x is
        None: the inputs are data, and nothing needs their gradient)."""
        T, B, K = dy.shape
        dh = (dy.reshape(T * B, K) @ self.W_y).reshape(T, B, -1)
        g = self.cell_type.train_backward(dh, run)
        cell = self.cell_type.grad_arrays(g)
        for held in self.frozen:
            for name, rows in held.items():
                cell[name][rows] = 0.0  # frozen gates do not learn
        grads = {
            **cell,
            "W_y": dy.reshape(-1, dy.shape[-1]).T @ run.h.reshape(-1, run.h.shape[-1]),  # sum over t, b (one matmul)
            "b_y": dy.sum(axis=(0, 1)),
        }
        return grads, g

    def n_parameters(self):
        return int(sum(p.size for p in self.params.values()))
