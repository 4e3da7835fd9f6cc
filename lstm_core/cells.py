"""CELLS, the one place that says what a cell is: for each kind, its parameters, functions and state.

A cell is a parameters class (a CellParams) and four readable functions with one shape of signature:

    step(x, *state, p, check=True)          -> (*state, cache)     x (B, D), each state (B, H)
    step_backward(dh, ..., cache)           -> gradients of one step
    forward(xs, p, *state0)                 -> run                 xs (T, B, D); run.h (T, B, H) and each state
    backward(dh, run)                       -> grads               dh (T, B, H); grads has the params' FIELDS

and, where one exists, a fast forward/backward (lstm_core.fast) with the same numbers, which training uses;
without one training runs the readable pair. ``state`` names the state a run carries from step to step:
("h", "c") for the LSTMs, ("h",) otherwise. ``torch``: the torch.nn module with the same numbers, or None, and
``to_torch``/``from_torch`` convert the params to and from its state dict (lstm_core.torch_convert).

How to add a cell: docs/lstm_core.md.
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import fast, gru, lstm, peephole, rnn, torch_convert
from .params import LSTMParams, RNNParams


@dataclass(frozen=True)
class Cell:
    """One kind of recurrent cell (see the module's docstring)."""

    params: type
    step: Callable
    step_backward: Callable
    forward: Callable
    backward: Callable
    state: tuple
    fast_forward: Callable | None = None
    fast_backward: Callable | None = None
    torch: str | None = None
    to_torch: Callable | None = None
    from_torch: Callable | None = None

    def train_forward(self, xs, p, *state):
        """The forward pass training uses: the fast one where the cell has one."""
        return (self.fast_forward or self.forward)(xs, p, *state)

    def train_backward(self, dh, run):
        """The backward pass training uses, without dL/dx (inputs are data): the fast one where there is one."""
        if self.fast_backward is not None:
            return self.fast_backward(dh, run, x_grad=False)
        return self.backward(dh, run)

    def grad_arrays(self, grads):
        """The parameters' gradients in ``grads`` as {name: array}, named and ordered like params.arrays()."""
        return {name: getattr(grads, name) for name in self.params.FIELDS}

    def final_state(self, run):
        """The state after a run's last step, as copies, in ``state`` order."""
        return tuple(getattr(run, name)[-1].copy() for name in self.state)


CELLS = {
    "lstm": Cell(
        LSTMParams,
        lstm.lstm_step,
        lstm.lstm_step_backward,
        lstm.lstm_forward,
        lstm.lstm_backward,
        ("h", "c"),
        fast.lstm_forward,
        fast.lstm_backward,
        torch="LSTM",
        to_torch=torch_convert.lstm_params_to_torch,
        from_torch=torch_convert.lstm_params_from_torch,
    ),
    "gru": Cell(
        gru.GRUParams,
        gru.gru_step,
        gru.gru_step_backward,
        gru.gru_forward,
        gru.gru_backward,
        ("h",),
        fast.gru_forward,
        fast.gru_backward,
        torch="GRU",
        to_torch=torch_convert.gru_params_to_torch,
        from_torch=torch_convert.gru_params_from_torch,
    ),
    "rnn": Cell(  # the vanilla RNN
        RNNParams,
        rnn.rnn_step,
        rnn.rnn_step_backward,
        rnn.rnn_forward,
        rnn.rnn_backward,
        ("h",),
        fast.rnn_forward,
        fast.rnn_backward,
        torch="RNN",
        to_torch=torch_convert.rnn_params_to_torch,
        from_torch=torch_convert.rnn_params_from_torch,
    ),
    "peephole": Cell(  # the peephole LSTM
        peephole.PeepholeParams,
        peephole.peephole_step,
        peephole.peephole_step_backward,
        peephole.peephole_forward,
        peephole.peephole_backward,
        ("h", "c"),
    ),
}
