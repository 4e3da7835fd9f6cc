"""The LSTM: a readable step (one line per equation) and a fast sequence version.

Conventions: sequences are time-major, ``xs`` of shape (T, B, D); states are (B, H).
W (4H, H+D) acts on [h_{t-1}, x_t] (h first); its row blocks are f, i, c (the candidate C~), o.

    f_t  = sigma(W_f [h_{t-1}, x_t] + b_f)        forget gate
    i_t  = sigma(W_i [h_{t-1}, x_t] + b_i)        input gate
    C~_t = tanh(W_c [h_{t-1}, x_t] + b_c)         candidate cell
    C_t  = f_t * C_{t-1} + i_t * C~_t             cell update
    o_t  = sigma(W_o [h_{t-1}, x_t] + b_o)        output gate
    h_t  = o_t * tanh(C_t)                        hidden state

``lstm_step``/``lstm_step_backward`` are the equations as written. ``lstm_forward``/``lstm_backward``
compute the same numbers for a whole sequence, faster (tests prove they agree).
"""

from dataclasses import dataclass

import numpy as np

from ._validate import check_choice
from ._validate_seq import check_sequence, check_step, check_upstream
from .activations import SQUASH, dsigmoid_from_output, sigmoid
from .params import LSTMParams


def lstm_step(x, h_prev, c_prev, p, *, squash="tanh"):
    """One LSTM step.

    Inputs:
        x: (B, D) input x_t
        h_prev: (B, H) hidden state h_{t-1}
        c_prev: (B, H) cell state C_{t-1}
        p: LSTMParams, W (4H, H+D), b (4H,)
        squash: "tanh" (the LSTM) or "relu" (to see why not) for C~_t and the output's tanh(C_t)
    Returns:
        h: (B, H) hidden state h_t
        c: (B, H) cell state C_t
        cache: what lstm_step_backward needs
    """
    x, h_prev, c_prev = check_step(x, p, LSTMParams, h_prev=h_prev, c_prev=c_prev)
    tanh, _ = SQUASH[check_choice("squash", squash, SQUASH)]  # np.tanh (ReLU only with squash="relu")
    hx = np.concatenate([h_prev, x], axis=1)  # [h_{t-1}, x_t], shape (B, H+D)
    f_t = sigmoid(hx @ p.W_f.T + p.b_f)  # forget gate: how much of C_{t-1} to keep
    i_t = sigmoid(hx @ p.W_i.T + p.b_i)  # input gate: how much of the candidate to write
    c_tilde = tanh(hx @ p.W_c.T + p.b_c)  # candidate cell C~_t
    c_t = f_t * c_prev + i_t * c_tilde  # cell update: the conveyor belt
    o_t = sigmoid(hx @ p.W_o.T + p.b_o)  # output gate: how much of the cell to show
    h_t = o_t * tanh(c_t)  # hidden state
    cache = (hx, c_prev, f_t, i_t, c_tilde, c_t, o_t, tanh(c_t), p.W.copy(), squash)
    return h_t, c_t, cache


def lstm_step_backward(dh, dc, cache):
    """Backward pass of one LSTM step.

    Inputs:
        dh: (B, H) dL/dh_t, everything that reaches h_t from outside the step
            (the loss at step t plus the next step's dh_prev)
        dc: (B, H) dL/dC_t from outside the step (the next step's dc_prev); the path
            through h_t = o_t * tanh(C_t) is added here, inside the step
        cache: from lstm_step
    Returns:
        dx: (B, D), dh_prev: (B, H), dc_prev: (B, H), dW: (4H, H+D), db: (4H,)
    """
    hx, c_prev, f_t, i_t, c_tilde, c_t, o_t, tanh_c, W, squash = cache
    _, dtanh = SQUASH[squash]  # tanh' written from tanh's output: 1 - y^2
    H = c_t.shape[1]
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


# ---------------------------------------------------------------------------------------------
# Sequences.  Same maths as the step functions above, arranged for speed:
#  * internally the gate blocks are reordered to f, i, o, c so the three sigmoid gates are one slab;
#  * sigma(a) = 1 / (1 + e^{-a}) and tanh(a) = 2 sigma(2a) - 1, so with the rows of W pre-scaled by
#    -1 (sigmoid gates) and -2 (candidate) one exp call squashes all four gates at once (numpy's exp
#    is vectorised; its float64 tanh is several times slower);
#  * the input projection W_x x_t + b is one matmul for all steps; dW and dx are one matmul each
#    after the loop; buffers are preallocated and written with out=.
# ---------------------------------------------------------------------------------------------

_FAST = np.array([0, 1, 3, 2])  # internal block order f, i, o, c  (indices into f, i, c, o)


def _sigmoid_of_negated(g):
    """In place: g <- 1 / (1 + e^{g}), which is sigma(a) for g = -a. exp may overflow to inf: that gives 0."""
    np.exp(g, out=g)
    g += 1.0
    np.reciprocal(g, out=g)


def _tanh_into(c, out):
    """out <- tanh(c) = 2 sigma(2c) - 1."""
    np.multiply(c, -2.0, out=out)
    _sigmoid_of_negated(out)
    out *= 2.0
    out -= 1.0


def _rows(order, H):
    """Row indices of W that put its blocks in ``order``."""
    return (order[:, None] * H + np.arange(H)[None, :]).ravel()


@dataclass
class LSTMRun:
    """Everything an LSTM forward pass computed. All (T, B, H) arrays are indexed by step t = 0..T-1."""

    h: np.ndarray  # hidden states h_t
    c: np.ndarray  # cell states C_t
    f: np.ndarray  # forget gate f_t
    i: np.ndarray  # input gate i_t
    c_tilde: np.ndarray  # candidate cell C~_t
    o: np.ndarray  # output gate o_t
    tanh_c: np.ndarray  # tanh(C_t) (or ReLU(C_t) with squash="relu")
    xs: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    params: LSTMParams  # a copy, so later changes to the caller's parameters cannot corrupt backward
    squash: str
    gates: np.ndarray  # (T, B, 4H) activations in the internal order f, i, o, c (f..o are views of it)


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


def lstm_forward(xs, p, h0=None, c0=None, *, squash="tanh"):
    """Run the LSTM over a sequence.

    Inputs:
        xs: (T, B, D) inputs x_0..x_{T-1}, time-major
        p: LSTMParams
        h0, c0: (B, H) initial states, zeros when None
        squash: "tanh" or "relu" (see lstm_step)
    Returns:
        LSTMRun with h, c, f, i, c_tilde, o of shape (T, B, H)
    """
    xs, h0, c0 = check_sequence(xs, p, LSTMParams, h0=h0, c0=c0)
    check_choice("squash", squash, SQUASH)
    T, B, D = xs.shape
    H = p.hidden_size
    rows = _rows(_FAST, H)
    scale = np.full(4 * H, -1.0, p.dtype)  # sigmoid rows: g = -a
    scale[3 * H :] = -2.0 if squash == "tanh" else 1.0  # candidate rows: g = -2a (tanh) or a (ReLU)
    Ws = p.W[rows] * scale[:, None]
    WhT = np.ascontiguousarray(Ws[:, :H].T)  # (H, 4H)
    WxT = np.ascontiguousarray(Ws[:, H:].T)  # (D, 4H)
    # input projection for every step at once; this buffer becomes the gate activations in place
    gates = (xs.reshape(T * B, D) @ WxT).reshape(T, B, 4 * H)
    gates += p.b[rows] * scale
    hs = np.empty((T, B, H), p.dtype)
    cs = np.empty((T, B, H), p.dtype)
    tcs = np.empty((T, B, H), p.dtype)
    tmp = np.empty((B, 4 * H), p.dtype)
    h, c = h0, c0
    with np.errstate(over="ignore"):  # e^{large} = inf is the intended limit: sigma -> 0, tanh -> -1
        for t in range(T):
            g = gates[t]
            np.matmul(h, WhT, out=tmp)
            g += tmp
            if squash == "tanh":
                _sigmoid_of_negated(g)  # all four gates in one exp
                ct = g[:, 3 * H :]
                ct *= 2.0
                ct -= 1.0  # tanh(a) = 2 sigma(2a) - 1
            else:
                _sigmoid_of_negated(g[:, : 3 * H])
                np.maximum(g[:, 3 * H :], 0.0, out=g[:, 3 * H :])
            f, i, o, ct = g[:, :H], g[:, H : 2 * H], g[:, 2 * H : 3 * H], g[:, 3 * H :]
            c_new = cs[t]
            np.multiply(f, c, out=c_new)
            np.multiply(i, ct, out=tmp[:, :H])
            c_new += tmp[:, :H]
            if squash == "tanh":
                _tanh_into(c_new, tcs[t])
            else:
                np.maximum(c_new, 0.0, out=tcs[t])
            np.multiply(o, tcs[t], out=hs[t])
            h, c = hs[t], c_new
    return LSTMRun(
        h=hs,
        c=cs,
        f=gates[..., :H],
        i=gates[..., H : 2 * H],
        c_tilde=gates[..., 3 * H :],
        o=gates[..., 2 * H : 3 * H],
        tanh_c=tcs,
        xs=xs,
        h0=h0,
        c0=c0,
        params=p.copy(),
        squash=squash,
        gates=gates,
    )


def lstm_backward(dh, run, dc_last=None):
    """Backpropagation through time for a whole sequence.

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
    dt = run.h.dtype
    dh = check_upstream("dh", dh, (T, B, H), ("T", "B", "H"), dt)
    dc_next = check_upstream("dc_last", dc_last, (B, H), ("B", "H"), dt).copy()
    dphi = SQUASH[run.squash][1]
    gates = run.gates  # internal order f, i, o, c
    rows = _rows(_FAST, H)
    W = run.params.W[rows]  # (4H, H+D) in internal order
    Wh = np.ascontiguousarray(W[:, :H])
    # the squashing functions' derivatives for every step at once (big vectorised ops, outside the loop)
    dsig = np.subtract(1.0, gates[..., : 3 * H])
    dsig *= gates[..., : 3 * H]  # sigma' = s (1 - s) for f, i, o
    dct = dphi(gates[..., 3 * H :])  # tanh'(C~ pre-activation), from C~_t
    o_dtc = dphi(run.tanh_c)
    o_dtc *= run.o  # dh_t -> dC_t factor: o_t * tanh'(C_t)
    da = np.empty((T, B, 4 * H), dt)  # dL/d(pre-activation) of every gate at every step
    dhs = np.empty((T, B, H), dt)  # total dL/dh_t
    dcs = np.empty((T, B, H), dt)  # total dL/dC_t
    tmp = np.empty((B, H), dt)
    dh_next = np.zeros((B, H), dt)
    for t in range(T - 1, -1, -1):
        g, a = gates[t], da[t]
        f, i, ct = g[:, :H], g[:, H : 2 * H], g[:, 3 * H :]
        c_prev = run.c[t - 1] if t > 0 else run.c0
        dh_t = np.add(dh[t], dh_next, out=dhs[t])  # loss at t + the path from h_{t+1}
        np.multiply(dh_t, run.tanh_c[t], out=a[:, 2 * H : 3 * H])  # do_t
        dc_t = np.multiply(dh_t, o_dtc[t], out=dcs[t])  # the two paths into C_t: through h_t ...
        dc_t += dc_next  # ... and from C_{t+1}
        np.multiply(dc_t, c_prev, out=a[:, :H])  # df_t
        np.multiply(dc_t, ct, out=a[:, H : 2 * H])  # di_t
        np.multiply(dc_t, i, out=a[:, 3 * H :])  # dC~_t
        np.multiply(dc_t, f, out=dc_next)  # dC_{t-1} = dC_t * f_t
        a[:, : 3 * H] *= dsig[t]
        a[:, 3 * H :] *= dct[t]
        np.matmul(a, Wh, out=tmp)
        dh_next, tmp = tmp, dh_next
    # the affine map W [h_{t-1}, x_t] + b, for all steps at once
    da2 = da.reshape(T * B, 4 * H)
    dW = np.empty_like(W)
    dW[:, :H] = da[0].T @ run.h0
    if T > 1:
        dW[:, :H] += da[1:].reshape(-1, 4 * H).T @ run.h[:-1].reshape(-1, H)
    dW[:, H:] = da2.T @ run.xs.reshape(T * B, -1)
    dW[rows] = dW.copy()  # back to the order f, i, c, o
    db = np.empty(4 * H, dt)
    db[rows] = da2.sum(axis=0)
    dx = (da2 @ np.ascontiguousarray(W[:, H:])).reshape(T, B, -1)
    return LSTMGrads(
        W=dW,
        b=db,
        x=dx,
        h0=dh_next,
        c0=dc_next,
        h_norm=np.sqrt(np.einsum("tbh,tbh->t", dhs, dhs)),
        c_norm=np.sqrt(np.einsum("tbh,tbh->t", dcs, dcs)),
    )
