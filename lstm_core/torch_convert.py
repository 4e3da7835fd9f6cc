"""Conversion to and from ``torch.nn.LSTM`` / ``torch.nn.RNN`` state dicts (single layer, unidirectional).

PyTorch keeps two matrices and two biases, and orders the LSTM's gate blocks i, f, g, o:
    weight_ih_l0 (4H, D), weight_hh_l0 (4H, H), bias_ih_l0 (4H,), bias_hh_l0 (4H,)
lstm_core keeps one W (4H, H+D) on [h_{t-1}, x_t] and one b, blocks f, i, c, o. Hence
    W = [weight_hh | weight_ih] with blocks reordered, and b = bias_ih + bias_hh.
torch is imported only inside ``to_torch_*``, never when lstm_core loads.
"""

import numpy as np

from .params import LSTMParams, RNNParams

# our block k comes from torch's block TORCH_BLOCK[k]: f <- 1, i <- 0, c <- 2 (torch's g), o <- 3
TORCH_BLOCK = np.array([1, 0, 2, 3])
_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def _numpy(value):
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _read(state_dict):
    extra = sorted(k for k in state_dict if k not in _KEYS)
    if extra:
        raise ValueError(
            f"state_dict: only a single-layer, unidirectional module is supported (keys {list(_KEYS)}), got extra keys {extra}"
        )
    missing = [k for k in ("weight_ih_l0", "weight_hh_l0") if k not in state_dict]
    if missing:
        raise ValueError(f"state_dict: missing {missing}; expected keys {list(_KEYS)}")
    w_ih, w_hh = _numpy(state_dict["weight_ih_l0"]), _numpy(state_dict["weight_hh_l0"])
    b = np.zeros(w_ih.shape[0], w_ih.dtype)
    for k in ("bias_ih_l0", "bias_hh_l0"):
        if k in state_dict:
            b = b + _numpy(state_dict[k])
    return w_ih, w_hh, b


def _reorder(a, H):
    """Swap torch's i, f, g, o blocks to f, i, c, o (the same swap works both ways)."""
    return np.concatenate([a[k * H : (k + 1) * H] for k in TORCH_BLOCK], axis=0)


def lstm_params_from_torch(state_dict):
    """LSTMParams from a ``torch.nn.LSTM(D, H)`` state dict (tensors or numpy arrays)."""
    w_ih, w_hh, b = _read(state_dict)
    H = w_hh.shape[1]
    return LSTMParams(_reorder(np.concatenate([w_hh, w_ih], axis=1), H), _reorder(b, H))


def lstm_params_to_torch(p):
    """A state dict for ``torch.nn.LSTM(p.input_size, p.hidden_size)``; bias_hh_l0 is zero."""
    import torch

    H = p.hidden_size
    W, b = _reorder(p.W, H), _reorder(p.b, H)
    arrays = (W[:, H:], W[:, :H], b, np.zeros_like(b))
    return {k: torch.from_numpy(np.ascontiguousarray(a)) for k, a in zip(_KEYS, arrays, strict=True)}


def rnn_params_from_torch(state_dict):
    """RNNParams from a ``torch.nn.RNN(D, H)`` (tanh) state dict."""
    w_ih, w_hh, b = _read(state_dict)
    return RNNParams(np.concatenate([w_hh, w_ih], axis=1), b)


def rnn_params_to_torch(p):
    """A state dict for ``torch.nn.RNN(p.input_size, p.hidden_size)``; bias_hh_l0 is zero."""
    import torch

    H = p.hidden_size
    arrays = (p.W[:, H:], p.W[:, :H], p.b, np.zeros_like(p.b))
    return {k: torch.from_numpy(np.ascontiguousarray(a)) for k, a in zip(_KEYS, arrays, strict=True)}
