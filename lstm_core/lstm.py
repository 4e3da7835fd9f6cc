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

import functools
import time
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
#  * one matmul per step: z_t = [h_{t-1}, x_t, 1] times [W_h; W_x; b]^T gives every gate's
#    pre-activation, bias included; after the loop dW and db are one matmul and dx another;
#  * internally the gate blocks are reordered to o, f, i, c: the three sigmoid gates are one slab
#    (o, f, i), and so are the three blocks that dC_t multiplies in backward (f, i, c);
#  * one transcendental call squashes all four gates: the rows of W are pre-scaled so that either
#    sigma(a) = (1 + tanh(a/2)) / 2 or sigma(a) = 1 / (1 + e^{-a}), tanh(a) = 2 sigma(2a) - 1 applies,
#    whichever numpy computes faster on this CPU (_tanh_is_fast);
#  * backward starts da from each gate's local derivative, a cache-sized chunk of steps at a time, so the
#    loop only multiplies by the gradient arriving at h_t and C_t; buffers are written with out=;
#  * everything a forward run keeps comes out of one allocation (_one_block).
# ---------------------------------------------------------------------------------------------

_FAST = np.array([3, 0, 1, 2])  # internal block order o, f, i, c  (indices into f, i, c, o)


def _rows(H):
    """Row indices of W that put its blocks in the internal order o, f, i, c."""
    return (_FAST[:, None] * H + np.arange(H)[None, :]).ravel()


@functools.cache
def _tanh_is_fast(dtype):
    """True when numpy's tanh is clearly faster than exp + add + reciprocal for ``dtype`` on this CPU.

    Both routes give the same numbers to rounding; numpy vectorises tanh on some CPUs and not others.
    """
    a = np.linspace(-3.0, 3.0, 1 << 14, dtype=dtype)
    out = np.empty_like(a)

    def via_tanh():
        np.tanh(a, out=out)

    def via_exp():
        _sigmoid_of_negated(np.negative(a, out=out))

    def best_time(fn):
        best = np.inf
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(4):
                fn()
            best = min(best, time.perf_counter() - t0)
        return best

    return best_time(via_tanh) < 0.7 * best_time(via_exp)


def _sigmoid_of_negated(g):
    """In place: g <- 1 / (1 + e^{g}), which is sigma(a) for g = -a. exp may overflow to inf: that gives 0."""
    np.exp(g, out=g)
    g += 1.0
    np.reciprocal(g, out=g)


def _squash_gates(g, H, squash, use_tanh):
    """In place, on pre-scaled pre-activations g (B, 4H) in the order o, f, i, c: sigma for o, f, i; tanh/ReLU for c."""
    sig, cand = g[:, : 3 * H], g[:, 3 * H :]
    both = g if squash == "tanh" else sig  # a ReLU candidate is done last, on its own
    if use_tanh:  # rows scaled by 1/2 (sigmoid gates) and 1 (candidate)
        np.tanh(both, out=both)
        sig *= 0.5
        sig += 0.5  # sigma(a) = (1 + tanh(a/2)) / 2
    else:  # rows scaled by -1 (sigmoid gates) and -2 (candidate)
        _sigmoid_of_negated(both)
        if squash == "tanh":
            cand *= 2.0
            cand -= 1.0  # tanh(a) = 2 sigma(2a) - 1
    if squash == "relu":  # candidate rows scaled by 1
        np.maximum(cand, 0.0, out=cand)


def _squash_cell(c, out, squash, use_tanh):
    """out <- tanh(c) (or ReLU(c))."""
    if squash == "relu":
        np.maximum(c, 0.0, out=out)
    elif use_tanh:
        np.tanh(c, out=out)
    else:
        np.multiply(c, -2.0, out=out)
        _sigmoid_of_negated(out)
        out *= 2.0
        out -= 1.0  # tanh(c) = 2 sigma(2c) - 1


def _one_block(dtype, *shapes):
    """Empty arrays of these shapes, carved out of one allocation.

    numpy takes large arrays from the C allocator, which returns a freed block to the OS when the
    free memory at the top of its heap is more than twice its largest recent block. Freed as five
    arrays, a forward pass's memory crossed that line, and every call page-faulted all of it back
    (about a third of lstm_forward's time at (32,16,128,100)); freed as one block, it is reused.
    """
    sizes = [int(np.prod(s)) for s in shapes]
    mem = np.empty(sum(sizes), dtype)
    ends = np.cumsum(sizes)
    return [mem[e - n : e].reshape(s) for s, n, e in zip(shapes, sizes, ends, strict=True)]


@dataclass
class LSTMRun:
    """Everything an LSTM forward pass computed. All (T, B, H) arrays are indexed by step t = 0..T-1.

    h, c, the gates, tanh_c and z share one block of memory: to keep only h and free the rest, copy it.
    """

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
    gates: np.ndarray  # (T, B, 4H) activations in the internal order o, f, i, c (f..o are views of it)
    z: np.ndarray  # (T, B, H+D+1) the rows [h_{t-1}, x_t, 1] that step t multiplied by W and b


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
    H, dt = p.hidden_size, p.dtype
    use_tanh = _tanh_is_fast(dt)
    rows = _rows(H)
    scale = np.full(4 * H, 0.5 if use_tanh else -1.0, dt)  # see _squash_gates
    scale[3 * H :] = 1.0 if use_tanh or squash == "relu" else -2.0
    Wb = np.empty((H + D + 1, 4 * H), dt)  # [W_h; W_x; b]^T, rows scaled, blocks o, f, i, c
    Wb[: H + D] = (p.W[rows] * scale[:, None]).T
    Wb[H + D] = p.b[rows] * scale
    z, gates, hs, cs, tcs = _one_block(dt, (T, B, H + D + 1), (T, B, 4 * H), (T, B, H), (T, B, H), (T, B, H))
    # z_t = [h_{t-1}, x_t, 1]; gates: o, f, i, C~; then h_t, C_t, tanh(C_t)
    z[0, :, :H] = h0
    z[:, :, H : H + D] = xs
    z[:, :, H + D] = 1.0
    tmp = np.empty((B, H), dt)
    c_prev = c0
    with np.errstate(over="ignore"):  # e^{large} = inf is the intended limit: sigma -> 0, tanh -> -1
        for t in range(T):
            g = np.matmul(z[t], Wb, out=gates[t])  # every gate's pre-activation, one matmul
            _squash_gates(g, H, squash, use_tanh)
            o, f, i, c_tilde = g[:, :H], g[:, H : 2 * H], g[:, 2 * H : 3 * H], g[:, 3 * H :]
            c = np.multiply(f, c_prev, out=cs[t])
            c += np.multiply(i, c_tilde, out=tmp)  # C_t = f_t C_{t-1} + i_t C~_t
            _squash_cell(c, tcs[t], squash, use_tanh)
            h = np.multiply(o, tcs[t], out=hs[t])  # h_t = o_t tanh(C_t)
            if t + 1 < T:
                z[t + 1, :, :H] = h
            c_prev = c
    return LSTMRun(
        h=hs,
        c=cs,
        f=gates[..., H : 2 * H],
        i=gates[..., 2 * H : 3 * H],
        c_tilde=gates[..., 3 * H :],
        o=gates[..., :H],
        tanh_c=tcs,
        xs=xs,
        h0=h0,
        c0=c0,
        params=p.copy(),
        squash=squash,
        gates=gates,
        z=z,
    )


def _local_derivatives(run, t0, t1, da, o_dtc):
    """For steps t0..t1-1: da <- each gate's local derivative, o_dtc <- o_t tanh'(C_t).

    da (t1-t0, B, 4H), blocks o, f, i, c: what dL/dh_t (o block) or dL/dC_t (f, i, c blocks) is
    multiplied by to give dL/d(pre-activation). o_dtc: what dL/dh_t is multiplied by to reach C_t.
    """
    H = run.h.shape[2]
    dphi = SQUASH[run.squash][1]  # tanh' (or ReLU') written from the function's output
    g = run.gates[t0:t1]  # activations o, f, i, C~
    sig = np.subtract(1.0, g[..., : 3 * H], out=da[..., : 3 * H])
    sig *= g[..., : 3 * H]  # sigma' = s (1 - s) for o, f, i
    da[..., :H] *= run.tanh_c[t0:t1]  # dh_t -> do_t -> da_o: tanh(C_t) sigma'
    c_prev = run.c[t0 - 1 : t1 - 1] if t0 > 0 else np.concatenate([run.c0[None], run.c[: t1 - 1]])
    da[..., H : 2 * H] *= c_prev  # dC_t -> df_t -> da_f: C_{t-1} sigma'
    da[..., 2 * H : 3 * H] *= g[..., 3 * H :]  # dC_t -> di_t -> da_i: C~_t sigma'
    k = dphi(g[..., 3 * H :], out=da[..., 3 * H :])
    k *= g[..., 2 * H : 3 * H]  # dC_t -> dC~_t -> da_c: i_t tanh'
    k = dphi(run.tanh_c[t0:t1], out=o_dtc)
    k *= g[..., :H]  # dh_t -> dC_t: o_t tanh'(C_t)


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
    # da starts as each gate's local derivative (_local_derivatives); the loop then multiplies the
    # o block by dL/dh_t and the f, i, c blocks by dL/dC_t. Both are done a chunk of steps at a time,
    # small enough to stay in the CPU's cache between the two (one pass over memory instead of ten).
    chunk = max(1, (512 << 10) // (12 * B * H * np.dtype(dt).itemsize))
    da = np.empty((T, B, 4 * H), dt)
    da_blocks = da.reshape(T, B, 4, H)  # a view: da_blocks[t, :, k] is block k (o, f, i, c) of step t
    o_dtc = np.empty((min(chunk, T), B, H), dt)  # o_t tanh'(C_t) for the steps of one chunk
    rows = _rows(H)
    Wh = np.ascontiguousarray(run.params.W[rows, :H])  # (4H, H), blocks o, f, i, c
    dh_t, dc_t, dh_next = np.empty((B, H), dt), np.empty((B, H), dt), np.zeros((B, H), dt)
    h_sq, c_sq = np.empty(T, dt), np.empty(T, dt)
    for t0 in range((T - 1) // chunk * chunk, -1, -chunk):
        t1 = min(t0 + chunk, T)
        _local_derivatives(run, t0, t1, da[t0:t1], o_dtc[: t1 - t0])
        for t in range(t1 - 1, t0 - 1, -1):
            np.add(dh[t], dh_next, out=dh_t)  # total dL/dh_t: the loss at t + the path from h_{t+1}
            np.multiply(dh_t, o_dtc[t - t0], out=dc_t)
            dc_t += dc_next  # total dL/dC_t: the path through h_t + the path from C_{t+1}
            da_blocks[t, :, 0] *= dh_t  # backprop into the output gate
            da_blocks[t, :, 1:] *= dc_t[:, None, :]  # ... and into the forget gate, input gate and candidate
            np.multiply(dc_t, run.f[t], out=dc_next)  # dC_{t-1}: the highway, a multiplication by f_t
            np.matmul(da[t], Wh, out=dh_next)  # dh_{t-1} = W_h^T da_t
            h_sq[t], c_sq[t] = np.vdot(dh_t, dh_t), np.vdot(dc_t, dc_t)
    # the affine map z_t [W_h; W_x; b]^T for all steps at once: one matmul gives dW and db
    da2 = da.reshape(T * B, 4 * H)
    dWb = da2.T @ run.z.reshape(T * B, -1)  # (4H, H+D+1), blocks o, f, i, c
    dW = np.empty_like(run.params.W)
    dW[rows] = dWb[:, :-1]  # back to the order f, i, c, o
    db = np.empty_like(run.params.b)
    db[rows] = dWb[:, -1]
    dx = (da2 @ np.ascontiguousarray(run.params.W[rows, H:])).reshape(T, B, -1)
    return LSTMGrads(W=dW, b=db, x=dx, h0=dh_next, c0=dc_next, h_norm=np.sqrt(h_sq), c_norm=np.sqrt(c_sq))
