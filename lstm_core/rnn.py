"""The vanilla RNN, h_t = tanh(W [h_{t-1}, x_t] + b): the baseline whose memory fades.

Same conventions and API shape as the LSTM: xs (T, B, D), states (B, H), W (H, H+D) on [h_{t-1}, x_t].
"""

from dataclasses import dataclass

import numpy as np

from ._validate_seq import check_sequence, check_step, check_upstream
from .activations import dtanh_from_output
from .params import RNNParams


def rnn_step(x, h_prev, p):
    """One vanilla RNN step.

    Inputs:
        x: (B, D) input x_t
        h_prev: (B, H) hidden state h_{t-1}
        p: RNNParams, W (H, H+D), b (H,)
    Returns:
        h: (B, H) hidden state h_t
        cache: what rnn_step_backward needs
    """
    x, h_prev = check_step(x, p, RNNParams, h_prev=h_prev)
    hx = np.concatenate([h_prev, x], axis=1)  # [h_{t-1}, x_t]
    h_t = np.tanh(hx @ p.W.T + p.b)  # h_t = tanh(W [h_{t-1}, x_t] + b)
    return h_t, (hx, h_t, p.W.copy())


def rnn_step_backward(dh, cache):
    """Backward pass of one RNN step.

    Inputs:
        dh: (B, H) dL/dh_t from outside the step (loss at t plus the next step's dh_prev)
        cache: from rnn_step
    Returns:
        dx: (B, D), dh_prev: (B, H), dW: (H, H+D), db: (H,)
    """
    hx, h_t, W = cache
    H = h_t.shape[1]
    dh = check_upstream("dh", dh, h_t.shape, ("B", "H"), h_t.dtype)
    da = dh * dtanh_from_output(h_t)  # backprop through tanh
    dW = da.T @ hx  # backprop through the affine map
    db = da.sum(axis=0)
    dhx = da @ W
    return dhx[:, H:], dhx[:, :H], dW, db


@dataclass
class RNNRun:
    """A vanilla RNN forward pass: ``h`` (T, B, H) hidden states."""

    h: np.ndarray
    xs: np.ndarray
    h0: np.ndarray
    params: RNNParams


@dataclass
class RNNGrads:
    """Gradients of the loss; ``h_norm[t]`` is the norm of the TOTAL dL/dh_t."""

    W: np.ndarray  # (H, H+D)
    b: np.ndarray  # (H,)
    x: np.ndarray  # (T, B, D)
    h0: np.ndarray  # (B, H)
    h_norm: np.ndarray  # (T,)


def rnn_forward(xs, p, h0=None):
    """Run the vanilla RNN over ``xs`` (T, B, D) from ``h0`` (B, H; zeros when None). Returns RNNRun."""
    xs, h0 = check_sequence(xs, p, RNNParams, h0=h0)
    T, B, D = xs.shape
    H = p.hidden_size
    WhT = np.ascontiguousarray(p.W[:, :H].T)
    hs = (xs.reshape(T * B, D) @ np.ascontiguousarray(p.W[:, H:].T)).reshape(T, B, H)
    hs += p.b  # the input projection for every step at once, then the recurrence in place
    tmp = np.empty((B, H), p.dtype)
    h = h0
    for t in range(T):
        np.matmul(h, WhT, out=tmp)
        hs[t] += tmp
        h = np.tanh(hs[t], out=hs[t])
    return RNNRun(h=hs, xs=xs, h0=h0, params=p.copy())


def rnn_backward(dh, run):
    """Backpropagation through time. ``dh`` (T, B, H): dL/dh_t applied directly by the loss. Returns RNNGrads."""
    if not isinstance(run, RNNRun):
        raise ValueError(f"run: expected the RNNRun returned by rnn_forward, got {type(run).__name__}")
    T, B, H = run.h.shape
    dt = run.h.dtype
    dh = check_upstream("dh", dh, (T, B, H), ("T", "B", "H"), dt)
    W = run.params.W
    Wh = np.ascontiguousarray(W[:, :H])
    da = np.empty((T, B, H), dt)
    dhs = np.empty((T, B, H), dt)
    dh_next = np.zeros((B, H), dt)
    for t in range(T - 1, -1, -1):
        dh_t = np.add(dh[t], dh_next, out=dhs[t])  # loss at t + the path from h_{t+1}
        dtanh_from_output(run.h[t], out=da[t])
        da[t] *= dh_t  # backprop through tanh
        dh_next = da[t] @ Wh
    hx = np.empty((T, B, W.shape[1]), dt)
    hx[0, :, :H] = run.h0
    hx[1:, :, :H] = run.h[:-1]
    hx[:, :, H:] = run.xs
    da2 = da.reshape(T * B, H)
    return RNNGrads(
        W=da2.T @ hx.reshape(T * B, -1),
        b=da2.sum(axis=0),
        x=(da2 @ np.ascontiguousarray(W[:, H:])).reshape(T, B, -1),
        h0=dh_next,
        h_norm=np.sqrt(np.einsum("tbh,tbh->t", dhs, dhs)),
    )
