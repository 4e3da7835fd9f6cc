"""The vanilla RNN, h_t = tanh(W [h_{t-1}, x_t] + b): the baseline whose memory fades.

Same conventions and API shape as the LSTM: xs (T, B, D), states (B, H), W (H, H+D) on [h_{t-1}, x_t].
``rnn_forward``/``rnn_backward`` loop over the step functions; ``lstm_core.fast`` has the fast versions.
"""

from dataclasses import dataclass

import numpy as np

from ._validate import read_only
from ._validate_seq import check_sequence, check_step, check_upstream
from .activations import dtanh_from_output
from .params import RNNParams


def rnn_step(x, h_prev, p, *, check=True):
    """One vanilla RNN step.

    Inputs:
        x: (B, D) input x_t
        h_prev: (B, H) hidden state h_{t-1}
        p: RNNParams, W (H, H+D), b (H,)
        check: validate the arguments first (rnn_forward checks a whole sequence once, then passes False)
    Returns:
        h: (B, H) hidden state h_t
        cache: what rnn_step_backward needs
    """
    if check:
        x, h_prev = check_step(x, p, RNNParams, h_prev=h_prev)
    hx = np.concatenate([h_prev, x], axis=1)  # [h_{t-1}, x_t]
    h_t = np.tanh(hx @ p.W.T + p.b)  # h_t = tanh(W [h_{t-1}, x_t] + b)
    W = p.W if not p.W.flags.writeable else p.W.copy()  # backward needs this step's W, whatever happens to p
    return h_t, (hx, h_t, W)


def rnn_step_backward(dh, cache, *, check=True):
    """Backward pass of one RNN step.

    Inputs:
        dh: (B, H) dL/dh_t from outside the step (loss at t plus the next step's dh_prev)
        cache: from rnn_step
        check: validate dh first (rnn_backward checks the whole sequence's dh once, then passes False)
    Returns:
        dx: (B, D), dh_prev: (B, H), dW: (H, H+D), db: (H,)
    """
    hx, h_t, W = cache
    H = h_t.shape[1]
    if check:
        dh = check_upstream("dh", dh, h_t.shape, ("B", "H"), h_t.dtype)
    da = dh * dtanh_from_output(h_t)  # backprop through tanh
    dW = da.T @ hx  # backprop through the affine map
    db = da.sum(axis=0)
    dhx = da @ W
    return dhx[:, H:], dhx[:, :H], dW, db


@dataclass(frozen=True)
class RNNOutputs:
    """What a vanilla RNN forward pass shows. Every array is read-only.

    h: (T, B, H) hidden states; xs (T, B, D) and h0 (B, H): copies of the inputs; params: a read-only copy.
    """

    h: np.ndarray
    xs: np.ndarray
    h0: np.ndarray
    params: RNNParams


@dataclass(frozen=True)
class RNNRun(RNNOutputs):
    """Everything rnn_forward computed (the fields of RNNOutputs), for rnn_backward."""

    _caches: tuple  # each step's cache from rnn_step, in order


@dataclass
class RNNGrads:
    """Gradients of the loss; ``h_norm[t]`` is the norm of the TOTAL dL/dh_t."""

    W: np.ndarray  # (H, H+D)
    b: np.ndarray  # (H,)
    x: np.ndarray  # (T, B, D)
    h0: np.ndarray  # (B, H)
    h_norm: np.ndarray  # (T,)


def rnn_forward(xs, p, h0=None):
    """Run the vanilla RNN over a sequence: rnn_step at t = 0, 1, ..., T-1.

    Inputs:
        xs: (T, B, D) inputs, time-major
        p: RNNParams, W (H, H+D), b (H,)
        h0: (B, H) initial state, zeros when None
    Returns:
        RNNRun with h of shape (T, B, H)
    """
    xs, h0 = check_sequence(xs, p, RNNParams, h0=h0)
    p = p.frozen()  # a read-only copy: changing the caller's parameters later cannot reach the run
    h_t, hs, caches = h0, [], []
    for t in range(xs.shape[0]):
        h_t, cache = rnn_step(xs[t], h_t, p, check=False)
        hs.append(h_t)
        caches.append(cache)
    h = read_only(np.stack(hs))
    return RNNRun(h=h, xs=read_only(xs.copy()), h0=read_only(h0.copy()), params=p, _caches=tuple(caches))


def rnn_backward(dh, run):
    """Backpropagation through time: rnn_step_backward at t = T-1, ..., 1, 0.

    Inputs:
        dh: (T, B, H) dL/dh_t that the loss applies directly at each step
        run: RNNRun from rnn_forward
    Returns:
        RNNGrads: W (H, H+D), b (H,), x (T, B, D), h0 (B, H), h_norm (T,) the norms of the total dL/dh_t
    """
    if not isinstance(run, RNNRun):
        raise ValueError(f"run: expected the RNNRun returned by rnn_forward, got {type(run).__name__}")
    T, B, H = run.h.shape
    dh = check_upstream("dh", dh, (T, B, H), ("T", "B", "H"), run.h.dtype)
    dW, db, dx = np.zeros_like(run.params.W), np.zeros_like(run.params.b), np.zeros_like(run.xs)
    h_norm = np.zeros(T, run.h.dtype)
    dh_next = np.zeros((B, H), run.h.dtype)  # dL/dh_t arriving from step t+1 (none after the last step)
    for t in reversed(range(T)):
        dh_t = dh[t] + dh_next  # total dL/dh_t: the loss at t + the path from h_{t+1}
        h_norm[t] = np.linalg.norm(dh_t)
        dx[t], dh_next, dW_t, db_t = rnn_step_backward(dh_t, run._caches[t], check=False)
        dW += dW_t  # the same W acts at every step: its gradient is the sum over steps
        db += db_t
    return RNNGrads(W=dW, b=db, x=dx, h0=dh_next, h_norm=h_norm)
