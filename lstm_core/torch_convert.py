"""Conversion to and from ``torch.nn.LSTM`` / ``torch.nn.GRU`` / ``torch.nn.RNN`` state dicts (single layer,
unidirectional).

PyTorch keeps two matrices and two biases, and orders the LSTM's gate blocks i, f, g, o:
    weight_ih_l0 (4H, D), weight_hh_l0 (4H, H), bias_ih_l0 (4H,), bias_hh_l0 (4H,)
lstm_core keeps one W (4H, H+D) on [h_{t-1}, x_t] and one b, blocks f, i, c, o. Hence
    W = [weight_hh | weight_ih] with blocks reordered, and b = bias_ih + bias_hh.
torch is imported only when a ``*_to_torch`` function is called, never when lstm_core loads.
"""

import numpy as np

from ._validate import param_dtype
from .gru import GRUParams, _check_arrays
from .params import LSTMParams, RNNParams

# our block k comes from torch's block TORCH_BLOCK[k]: f <- 1, i <- 0, c <- 2 (torch's g), o <- 3
TORCH_BLOCK = np.array([1, 0, 2, 3])
_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def _numpy(value):
    """A numpy copy of a tensor or array (a copy, so parameters never share memory with a torch module)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.array(value, copy=True)


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


# torch.nn.GRU(D, H) keeps the same four arrays as GRUParams, in the same block order r, z, n:
#     weight_ih_l0 = W_x (3H, D), weight_hh_l0 = W_h (3H, H), bias_ih_l0 = b_x (3H,), bias_hh_l0 = b_h (3H,)
_GRU_KEYS = {"weight_ih_l0": "W_x", "weight_hh_l0": "W_h", "bias_ih_l0": "b_x", "bias_hh_l0": "b_h"}


def gru_params_from_torch(state_dict):
    """GRUParams from a single-layer, unidirectional ``torch.nn.GRU(D, H)`` state dict (tensors or numpy arrays).

    The four keys weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0; a ``bias=False`` module, with
    neither bias key, gives zero biases. The arrays are copied.
    """
    keys = list(_GRU_KEYS)
    extra = sorted(str(k) for k in state_dict if k not in _GRU_KEYS)
    if extra:
        raise ValueError(
            f"state_dict: only a single-layer, unidirectional torch.nn.GRU is supported (keys {keys}), "
            f"got extra keys {extra}"
        )
    have_bias = [k for k in ("bias_ih_l0", "bias_hh_l0") if k in state_dict]
    missing = [k for k in keys if k not in state_dict and (have_bias or k.startswith("weight"))]
    if missing:
        raise ValueError(f"state_dict: missing {missing}; expected keys {keys} (or only the weights, for bias=False)")
    arrays = [_numpy(state_dict[k]) for k in keys[:2]]
    if have_bias:
        arrays += [_numpy(state_dict[k]) for k in keys[2:]]
    else:
        arrays += [np.zeros(arrays[1].shape[:1], param_dtype(arrays[0])) for _ in range(2)]  # two arrays, not one
    return GRUParams(*_check_arrays(arrays, keys))


def gru_params_to_torch(p):
    """A state dict for ``torch.nn.GRU(p.input_size, p.hidden_size)`` (copies of p's arrays, as torch tensors)."""
    import torch

    if not isinstance(p, GRUParams):
        raise ValueError(f"p: expected GRUParams, got {type(p).__name__}")
    return {key: torch.from_numpy(getattr(p, name).copy()) for key, name in _GRU_KEYS.items()}
