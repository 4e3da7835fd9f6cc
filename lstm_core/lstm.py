"""The LSTM, as the course writes it: one line per equation, in the seed's symbols.

Conventions: sequences are time-major, ``xs`` of shape (T, B, D); states are (B, H).
W (4H, H+D) acts on [h_{t-1}, x_t] (h first); its row blocks are f, i, c (the candidate C~), o.

    f_t  = sigma(W_f [h_{t-1}, x_t] + b_f)        forget gate
    i_t  = sigma(W_i [h_{t-1}, x_t] + b_i)        input gate
    C~_t = tanh(W_c [h_{t-1}, x_t] + b_c)         candidate cell
    C_t  = f_t * C_{t-1} + i_t * C~_t             cell update
    o_t  = sigma(W_o [h_{t-1}, x_t] + b_o)        output gate
    h_t  = o_t * tanh(C_t)                        hidden state

``lstm_step``/``lstm_step_backward`` are one step; ``lstm_forward``/``lstm_backward`` loop over them for a
whole sequence. These are what the notebooks and explorers call. ``lstm_core.fast`` computes the same
numbers faster, for training and benchmarks; the tests prove the two agree to 1e-12.
lstm_lab.bugs plants the classic bugs by replacing a statement here, found by its code (comments do not count).
"""

from dataclasses import dataclass

import numpy as np

from ._validate import check_choice, read_only
from ._validate_seq import check_sequence, check_step, check_upstream
from .activations import SQUASH, dsigmoid_from_output, sigmoid
from .params import LSTMParams


def lstm_step(x, h_prev, c_prev, p, *, squash="tanh", check=True):
    """One LSTM step.

    Inputs:
        x: (B, D) input x_t
        h_prev: (B, H) hidden state h_{t-1}
        c_prev: (B, H) cell state C_{t-1}
        p: LSTMParams, W (4H, H+D), b (4H,)
        squash: "tanh" (the LSTM) or "relu" (to see why not) for C~_t and the output's tanh(C_t)
        check: validate the arguments first (lstm_forward checks a whole sequence once, then passes False)
    Returns:
        h: (B, H) hidden state h_t
        c: (B, H) cell state C_t
        cache: what lstm_step_backward needs
    """
    if check:
        x, h_prev, c_prev = check_step(x, p, LSTMParams, h_prev=h_prev, c_prev=c_prev)
    tanh, _ = SQUASH[check_choice("squash", squash, SQUASH)]  # np.tanh (ReLU only with squash="relu")
    hx = np.concatenate([h_prev, x], axis=1)  # [h_{t-1}, x_t], shape (B, H+D)
    f_t = sigmoid(hx @ p.W_f.T + p.b_f)  # forget gate: how much of C_{t-1} to keep
    i_t = sigmoid(hx @ p.W_i.T + p.b_i)  # input gate: how much of the candidate to write
    c_tilde = tanh(hx @ p.W_c.T + p.b_c)  # candidate cell C~_t
    c_t = f_t * c_prev + i_t * c_tilde  # cell update: the conveyor belt
    o_t = sigmoid(hx @ p.W_o.T + p.b_o)  # output gate: how much of the cell to show
    tanh_c = tanh(c_t)  # tanh(C_t), the cell squashed to (-1, 1) (ReLU(C_t) with squash="relu")
    h_t = o_t * tanh_c  # hidden state
    W = p.W if not p.W.flags.writeable else p.W.copy()  # backward needs this step's W, whatever happens to p
    cache = (hx, c_prev.copy(), f_t, i_t, c_tilde, c_t, o_t, tanh_c, W, squash)
    return h_t, c_t, cache


def lstm_step_backward(dh, dc, cache, *, check=True):
    """Backward pass of one LSTM step.

    Inputs:
        dh: (B, H) dL/dh_t, everything that reaches h_t from outside the step
            (the loss at step t plus the next step's dh_prev)
        dc: (B, H) dL/dC_t from outside the step (the next step's dc_prev); the path
            through h_t = o_t * tanh(C_t) is added here, inside the step
        cache: from lstm_step
        check: validate dh and dc first (lstm_backward checks the whole sequence's dh once, then passes False)
    Returns:
        dx: (B, D), dh_prev: (B, H), dc_prev: (B, H), dW: (4H, H+D), db: (4H,)
    """
    hx, c_prev, f_t, i_t, c_tilde, c_t, o_t, tanh_c, W, squash = cache
    _, dtanh = SQUASH[squash]  # tanh' written from tanh's output: 1 - y^2
    H = c_t.shape[1]
    if check:
        dh = check_upstream("dh", dh, c_t.shape, ("B", "H"), c_t.dtype)
        dc = check_upstream("dc", dc, c_t.shape, ("B", "H"), c_t.dtype)
    # backprop through the output h_t = o_t * tanh(C_t)
    do_t = dh * tanh_c
    dc_t = dc + dh * o_t * dtanh(tanh_c)  # the cell gradient arrives by two paths: C_{t+1} and h_t
    # backprop through the cell update C_t = f_t * C_{t-1} + i_t * C~_t
    df_t = dc_t * c_prev
    di_t = dc_t * c_tilde
    dc_tilde = dc_t * i_t
    dc_prev = dc_t * f_t  # the highway: only a multiplication by f_t
    # backprop through the squashing functions to the pre-activations
    da_f = df_t * dsigmoid_from_output(f_t)
    da_i = di_t * dsigmoid_from_output(i_t)
    da_c = dc_tilde * dtanh(c_tilde)
    da_o = do_t * dsigmoid_from_output(o_t)
    da = np.concatenate([da_f, da_i, da_c, da_o], axis=1)  # (B, 4H), blocks f, i, c, o
    # backprop through the affine map W [h_{t-1}, x_t] + b
    dW = da.T @ hx
    db = da.sum(axis=0)
    dhx = da @ W
    dh_prev, dx = dhx[:, :H], dhx[:, H:]
    return dx, dh_prev, dc_prev, dW, db


@dataclass(frozen=True)
class LSTMStates:
    """What a forward pass of an LSTM (or of a cell with the LSTM's gates) shows. Every array is read-only.

    h, c, f, i, c_tilde, o: (T, B, H), the hidden state h_t, cell state C_t, gates f_t, i_t, candidate C~_t
    and output gate o_t at each step t = 0..T-1; xs (T, B, D), h0 and c0 (B, H): copies of the inputs;
    params: a read-only copy of the parameters.
    """

    h: np.ndarray
    c: np.ndarray
    f: np.ndarray
    i: np.ndarray
    c_tilde: np.ndarray
    o: np.ndarray
    xs: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    params: LSTMParams


@dataclass(frozen=True)
class LSTMOutputs(LSTMStates):
    """What an LSTM forward pass shows: the fields of LSTMStates, and squash: "tanh" or "relu"."""

    squash: str


@dataclass(frozen=True)
class LSTMRun(LSTMOutputs):
    """Everything lstm_forward computed (the fields of LSTMOutputs), for lstm_backward and for looking inside."""

    _caches: tuple  # each step's cache from lstm_step, in order


@dataclass
class LSTMGrads:
    """Gradients of the loss. ``h_norm[t]``/``c_norm[t]``: norms of the TOTAL dL/dh_t and dL/dC_t."""

    W: np.ndarray  # (4H, H+D)
    b: np.ndarray  # (4H,)
    x: np.ndarray  # (T, B, D)
    h0: np.ndarray  # (B, H)
    c0: np.ndarray  # (B, H)
    h_norm: np.ndarray  # (T,)
    c_norm: np.ndarray  # (T,)


def _stacked(arrays):
    """T arrays of shape (B, H) -> one read-only array (T, B, H)."""
    return read_only(np.stack(arrays))


def lstm_forward(xs, p, h0=None, c0=None, *, squash="tanh"):
    """Run the LSTM over a sequence: lstm_step at t = 0, 1, ..., T-1.

    Inputs:
        xs: (T, B, D) inputs x_0..x_{T-1}, time-major
        p: LSTMParams, W (4H, H+D), b (4H,)
        h0, c0: (B, H) initial states, zeros when None
        squash: "tanh" or "relu" (see lstm_step)
    Returns:
        LSTMRun with h, c, f, i, c_tilde, o of shape (T, B, H)
    """
    xs, h0, c0 = check_sequence(xs, p, LSTMParams, h0=h0, c0=c0)
    check_choice("squash", squash, SQUASH)
    p = p.frozen()  # a read-only copy: changing the caller's parameters later cannot reach the run
    h_t, c_t, hs, caches = h0, c0, [], []
    for t in range(xs.shape[0]):
        h_t, c_t, cache = lstm_step(xs[t], h_t, c_t, p, squash=squash, check=False)
        hs.append(h_t)
        caches.append(cache)
    _, _, f, i, c_tilde, c, o, _, _, _ = zip(*caches, strict=True)  # each cache field, step by step
    return LSTMRun(
        h=_stacked(hs),
        c=_stacked(c),
        f=_stacked(f),
        i=_stacked(i),
        c_tilde=_stacked(c_tilde),
        o=_stacked(o),
        xs=read_only(xs.copy()),
        h0=read_only(h0.copy()),
        c0=read_only(c0.copy()),
        params=p,
        squash=squash,
        _caches=tuple(caches),
    )


def lstm_backward(dh, run, dc_last=None):
    """Backpropagation through time: lstm_step_backward at t = T-1, ..., 1, 0.

    Inputs:
        dh: (T, B, H) dL/dh_t that the loss applies directly at each step (zeros where it looks away)
        run: LSTMRun from lstm_forward
        dc_last: (B, H) dL/dC_{T-1} applied directly to the last cell state, or None
    Returns:
        LSTMGrads: W (4H, H+D), b (4H,), x (T, B, D), h0 (B, H), c0 (B, H),
        h_norm (T,) and c_norm (T,), the norms of the total gradients dL/dh_t and dL/dC_t
    """
    if not isinstance(run, LSTMRun):
        raise ValueError(f"run: expected the LSTMRun returned by lstm_forward, got {type(run).__name__}")
    T, B, H = run.h.shape
    dh = check_upstream("dh", dh, (T, B, H), ("T", "B", "H"), run.h.dtype)
    dc_next = check_upstream("dc_last", dc_last, (B, H), ("B", "H"), run.h.dtype)  # dL/dC_T-1 from outside
    dtanh = SQUASH[run.squash][1]
    dW, db = np.zeros_like(run.params.W), np.zeros_like(run.params.b)
    dx = np.zeros_like(run.xs)
    h_norm, c_norm = np.zeros(T, run.h.dtype), np.zeros(T, run.h.dtype)
    dh_next = np.zeros((B, H), run.h.dtype)  # dL/dh_t arriving from step t+1 (none after the last step)
    for t in reversed(range(T)):
        dh_t = dh[t] + dh_next  # total dL/dh_t: the loss at t + the path from h_{t+1}
        o_t, tanh_c = run._caches[t][6:8]  # o_t and tanh(C_t), as step t computed them
        dc_t = dc_next + dh_t * o_t * dtanh(tanh_c)  # total dL/dC_t: from C_{t+1} + through h_t (for its norm)
        h_norm[t], c_norm[t] = np.linalg.norm(dh_t), np.linalg.norm(dc_t)
        dx[t], dh_next, dc_next, dW_t, db_t = lstm_step_backward(dh_t, dc_next, run._caches[t], check=False)
        dW += dW_t  # the same W acts at every step: its gradient is the sum over steps
        db += db_t
    return LSTMGrads(W=dW, b=db, x=dx, h0=dh_next, c0=dc_next, h_norm=h_norm, c_norm=c_norm)
