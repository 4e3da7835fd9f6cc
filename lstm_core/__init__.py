"""lstm_core: the LSTM, GRU, vanilla RNN and peephole LSTM of the LSTM Lab course, in numpy, checked against PyTorch.

Conventions: sequences are time-major, ``xs`` of shape (T, B, D); states are (B, H).
One stacked weight matrix W acts on the concatenation [h_{t-1}, x_t] (h first); the LSTM's
row blocks are in the order f, i, c (the candidate C~), o.

    LSTMParams.init, lstm_step, lstm_step_backward, lstm_forward, lstm_backward
    GRUParams.init,  gru_step,  gru_step_backward,  gru_forward,  gru_backward
    RNNParams.init,  rnn_step,  rnn_step_backward,  rnn_forward,  rnn_backward
    PeepholeParams.init, peephole_step, peephole_step_backward, peephole_forward, peephole_backward
    CELLS                                              (the cell registry: each kind's params and functions)
    fast.lstm_forward, fast.lstm_backward, fast.gru_..., fast.rnn_...  (the fast path, for training)
    numerical_gradient, rel_error                      (gradient checks)
    lstm_params_from_torch, lstm_params_to_torch, ...  (PyTorch state dicts)
"""

from . import fast
from .activations import relu, sigmoid
from .cells import CELLS
from .gradcheck import numerical_gradient, rel_error
from .gru import GRUGrads, GRUParams, GRURun, gru_backward, gru_forward, gru_step, gru_step_backward
from .lstm import LSTMGrads, LSTMRun, lstm_backward, lstm_forward, lstm_step, lstm_step_backward
from .params import LSTMParams, RNNParams
from .peephole import (
    PeepholeGrads,
    PeepholeParams,
    PeepholeRun,
    peephole_backward,
    peephole_forward,
    peephole_step,
    peephole_step_backward,
)
from .rnn import RNNGrads, RNNRun, rnn_backward, rnn_forward, rnn_step, rnn_step_backward
from .torch_convert import (
    gru_params_from_torch,
    gru_params_to_torch,
    lstm_params_from_torch,
    lstm_params_to_torch,
    rnn_params_from_torch,
    rnn_params_to_torch,
)

__all__ = [
    "CELLS",
    "PeepholeGrads",
    "PeepholeParams",
    "PeepholeRun",
    "peephole_backward",
    "peephole_forward",
    "peephole_step",
    "peephole_step_backward",
    "GRUGrads",
    "GRUParams",
    "GRURun",
    "fast",
    "gru_backward",
    "gru_forward",
    "gru_params_from_torch",
    "gru_params_to_torch",
    "gru_step",
    "gru_step_backward",
    "LSTMGrads",
    "LSTMParams",
    "LSTMRun",
    "RNNGrads",
    "RNNParams",
    "RNNRun",
    "lstm_backward",
    "lstm_forward",
    "lstm_params_from_torch",
    "lstm_params_to_torch",
    "lstm_step",
    "lstm_step_backward",
    "numerical_gradient",
    "rel_error",
    "relu",
    "rnn_backward",
    "rnn_forward",
    "rnn_params_from_torch",
    "rnn_params_to_torch",
    "rnn_step",
    "rnn_step_backward",
    "sigmoid",
]
