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
#  * inside, every per-step array is stored transposed, one row per unit and one column per sequence
#    of the batch: gates (4H, B), states (H, B). Each gate's block is then one contiguous piece of
#    memory, and numpy's elementwise loops run 3-4x faster on it than on a (B, H) column slice of
#    (B, 4H); the fields of LSTMRun are (T, B, H) views of these arrays;
#  * one matmul per step: [W_h, W_x, b] times z_t = [h_{t-1}; x_t; 1] gives every gate's
#    pre-activation, bias included; in backward, dW and db are one matmul and dx another, per chunk of steps;
#  * the gate blocks are reordered to o, f, i, c: the three sigmoid gates are one slab (o, f, i),
#    and so are the three blocks that dC_t multiplies in backward (f, i, c);
#  * one or two transcendental calls squash all four gates: the rows of W are pre-scaled so that
#    sigma(a) = (1 + tanh(a/2)) / 2 or sigma(a) = 1 / (1 + e^{-a}), and tanh(a) = np.tanh(a) or
#    tanh(a) = 2 sigma(2a) - 1 apply in place, whichever numpy computes faster on this CPU (_squash_routes);
#  * backward starts da from each gate's local derivative, a cache-sized chunk of steps at a time, so the
#    loop only multiplies by the gradient arriving at h_t and C_t; buffers are written with out=;
#  * everything a forward run keeps comes out of one allocation (_one_block).
# ---------------------------------------------------------------------------------------------

_FAST = np.array([3, 0, 1, 2])  # internal block order o, f, i, c  (indices into f, i, c, o)


def _rows(H):
    """Row indices of W that put its blocks in the internal order o, f, i, c."""
    return (_FAST[:, None] * H + np.arange(H)[None, :]).ravel()


@functools.cache
def _squash_routes(dtype):
    """How lstm_forward computes sigma and tanh for ``dtype`` on this CPU: ("tanh" or "exp", "tanh" or "exp").

    The first is the sigmoid's route, the second tanh's. numpy vectorises tanh on some CPUs and not
    others, so the two are timed once: sigma as (1 + tanh(a/2)) / 2 against 1 / (1 + e^{-a}), and tanh
    as np.tanh against 2 sigma(2a) - 1 (three more passes). Every route gives the same numbers to rounding.
    """
    a = np.linspace(-3.0, 3.0, 1 << 14, dtype=dtype)
    out = np.empty_like(a)

    def via_tanh():
        np.tanh(a, out=out)

    def via_exp():
        _sigmoid_of_negated(np.negative(a, out=out))

    best = {via_tanh: np.inf, via_exp: np.inf}
    for _ in range(15):  # the two take turns, so a busy spell on the machine slows both alike
        for fn in best:
            t0 = time.perf_counter()
            for _ in range(4):
                fn()
            best[fn] = min(best[fn], time.perf_counter() - t0)
    ratio = best[via_tanh] / best[via_exp]
    return ("tanh" if ratio < 0.7 else "exp"), ("tanh" if ratio < 1.3 else "exp")


def _sigmoid_of_negated(g):
    """In place: g <- 1 / (1 + e^{g}), which is sigma(a) for g = -a. exp may overflow to inf: that gives 0."""
    np.exp(g, out=g)
    g += 1.0
    np.reciprocal(g, out=g)


def _shared(squash, routes):
    """True when the candidate C~ is squashed in the same call as the sigmoid gates."""
    return squash == "tanh" and routes[0] == routes[1]


def _gate_scale(H, squash, routes, dtype):
    """What each row of W and b is multiplied by, so that _squash_gates can work in place (blocks o, f, i, c)."""
    scale = np.full(4 * H, 0.5 if routes[0] == "tanh" else -1.0, dtype)  # sigma(a) from tanh(a/2) or e^{-a}
    scale[3 * H :] = -2.0 if _shared(squash, routes) and routes[0] == "exp" else 1.0  # tanh(a) from e^{-2a}
    return scale


def _squash_gates(g, H, squash, routes):
    """In place, on pre-scaled pre-activations g (4H, B), blocks o, f, i, c: sigma for o, f, i; tanh/ReLU for c."""
    sig, cand = g[: 3 * H], g[3 * H :]
    shared = _shared(squash, routes)
    both = g if shared else sig
    if routes[0] == "tanh":  # rows scaled by 1/2 (sigmoid gates) and 1 (candidate)
        np.tanh(both, out=both)
        sig *= 0.5
        sig += 0.5  # sigma(a) = (1 + tanh(a/2)) / 2
    else:  # rows scaled by -1 (sigmoid gates) and -2 (candidate, when shared)
        _sigmoid_of_negated(both)
        if shared:
            cand *= 2.0
            cand -= 1.0  # tanh(a) = 2 sigma(2a) - 1
    if not shared:  # candidate rows scaled by 1
        _squash_cell(cand, cand, squash, routes)


def _squash_cell(c, out, squash, routes):
    """out <- tanh(c) (or ReLU(c))."""
    if squash == "relu":
        np.maximum(c, 0.0, out=out)
    elif routes[1] == "tanh":
        np.tanh(c, out=out)
    else:
        np.multiply(c, -2.0, out=out)
        _sigmoid_of_negated(out)
        out *= 2.0
        out -= 1.0  # tanh(c) = 2 sigma(2c) - 1


def _one_block(dtype, *shapes):
    """Empty arrays of these shapes, carved out of one allocation.

    numpy takes large arrays from the C allocator, which returns a freed block to the OS when the
    free memory at the top of its heap is more than twice its largest recent block. Freed as separate
    arrays, a forward pass's memory crossed that line, and every call page-faulted all of it back
    (about a third of lstm_forward's time at (32,16,128,100)); freed as one block, it is reused.
    """
    sizes = [int(np.prod(s)) for s in shapes]
    mem = np.empty(sum(sizes), dtype)
    ends = np.cumsum(sizes)
    return [mem[e - n : e].reshape(s) for s, n, e in zip(shapes, sizes, ends, strict=True)]


def _steps_per_chunk(T, B):
    """How many steps lstm_backward takes at a time: about 512 rows (steps x batch) for its dW and dx matmuls."""
    return max(1, min(T, 64, -(-512 // B)))


def _batch_last(a):
    """(..., B, H) -> (..., H, B): a new array, in the layout the sequence functions compute in, or back."""
    return np.array(np.swapaxes(a, -1, -2), order="C")


@dataclass
class LSTMRun:
    """Everything an LSTM forward pass computed. All (T, B, H) arrays are indexed by step t = 0..T-1.

    They are views of arrays that lstm_forward stores transposed, (T, H, B), and they share one block
    of memory: to keep only h and free the rest, copy it.
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
    gates: np.ndarray  # (T, 4H, B) activations, blocks in the internal order o, f, i, c (f..o are views of it)
    z: np.ndarray  # (T + 1, H+D+1, B): z[t] = [h_{t-1}; x_t; 1], the column step t multiplied by [W, b]


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
    routes = _squash_routes(dt)
    rows = _rows(H)
    scale = _gate_scale(H, squash, routes, dt)
    Wb = np.empty((4 * H, H + D + 1), dt)  # [W_h, W_x, b], rows scaled, blocks o, f, i, c
    Wb[:, : H + D] = p.W[rows] * scale[:, None]
    Wb[:, H + D] = p.b[rows] * scale
    z, gates, cs, tcs = _one_block(dt, (T + 1, H + D + 1, B), (T, 4 * H, B), (T, H, B), (T, H, B))
    # z_t = [h_{t-1}; x_t; 1] (z[T] holds only h_{T-1}); gates: o, f, i, C~; then C_t and tanh(C_t)
    z[0, :H] = h0.T
    z[:T, H : H + D] = xs.transpose(0, 2, 1)
    z[:T, H + D] = 1.0
    z[T, H:] = 0.0
    tmp = np.empty((H, B), dt)
    c_prev = _batch_last(c0)
    with np.errstate(over="ignore"):  # e^{large} = inf is the intended limit: sigma -> 0, tanh -> -1
        for t in range(T):
            g = np.matmul(Wb, z[t], out=gates[t])  # every gate's pre-activation, one matmul
            _squash_gates(g, H, squash, routes)
            o, f, i, c_tilde = g[:H], g[H : 2 * H], g[2 * H : 3 * H], g[3 * H :]
            c = np.multiply(f, c_prev, out=cs[t])
            c += np.multiply(i, c_tilde, out=tmp)  # C_t = f_t C_{t-1} + i_t C~_t
            _squash_cell(c, tcs[t], squash, routes)
            np.multiply(o, tcs[t], out=z[t + 1, :H])  # h_t = o_t tanh(C_t), written where step t+1 reads it
            c_prev = c
    seq = (0, 2, 1)  # (T, H, B) -> (T, B, H)
    return LSTMRun(
        h=z[1:, :H].transpose(seq),
        c=cs.transpose(seq),
        f=gates[:, H : 2 * H].transpose(seq),
        i=gates[:, 2 * H : 3 * H].transpose(seq),
        c_tilde=gates[:, 3 * H :].transpose(seq),
        o=gates[:, :H].transpose(seq),
        tanh_c=tcs.transpose(seq),
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

    da (t1-t0, 4H, B), blocks o, f, i, c: what dL/dh_t (o block) or dL/dC_t (f, i, c blocks) is
    multiplied by to give dL/d(pre-activation). o_dtc (t1-t0, H, B): what dL/dh_t is multiplied by
    to reach C_t. Everything here is in lstm_forward's transposed layout, (H, B) per step.
    """
    H = o_dtc.shape[1]
    dphi = SQUASH[run.squash][1]  # tanh' (or ReLU') written from the function's output
    g = run.gates[t0:t1]  # activations o, f, i, C~
    tanh_c = run.tanh_c[t0:t1].transpose(0, 2, 1)  # (n, H, B), contiguous per step
    c = run.c.transpose(0, 2, 1)
    c_prev = c[t0 - 1 : t1 - 1] if t0 > 0 else np.concatenate([_batch_last(run.c0)[None], c[: t1 - 1]])
    sig = np.subtract(1.0, g[:, : 3 * H], out=da[:, : 3 * H])
    sig *= g[:, : 3 * H]  # sigma' = s (1 - s) for o, f, i
    da[:, :H] *= tanh_c  # dh_t -> do_t -> da_o: tanh(C_t) sigma'
    da[:, H : 2 * H] *= c_prev  # dC_t -> df_t -> da_f: C_{t-1} sigma'
    da[:, 2 * H : 3 * H] *= g[:, 3 * H :]  # dC_t -> di_t -> da_i: C~_t sigma'
    k = dphi(g[:, 3 * H :], out=da[:, 3 * H :])
    k *= g[:, 2 * H : 3 * H]  # dC_t -> dC~_t -> da_c: i_t tanh'
    k = dphi(tanh_c, out=o_dtc)
    k *= g[:, :H]  # dh_t -> dC_t: o_t tanh'(C_t)


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
    D, dt = run.xs.shape[2], run.h.dtype
    dh = check_upstream("dh", dh, (T, B, H), ("T", "B", "H"), dt)
    dc_next = _batch_last(check_upstream("dc_last", dc_last, (B, H), ("B", "H"), dt))
    f = run.f.transpose(0, 2, 1)  # (T, H, B), like every per-step array in here
    # The steps are taken a chunk at a time, from the last chunk back. For each chunk: da starts as each
    # gate's local derivative (_local_derivatives); the loop multiplies its o block by dL/dh_t and its
    # f, i, c blocks by dL/dC_t; then two matmuls add the chunk's share to dW, db and dx. A chunk feeds
    # those matmuls about 512 rows, and every working buffer is chunk-sized and stays in the CPU's cache.
    n = _steps_per_chunk(T, B)
    da, o_dtc = np.empty((n, 4 * H, B), dt), np.empty((n, H, B), dt)
    dh_tot, dc_tot = np.empty((n, H, B), dt), np.empty((n, H, B), dt)  # total dL/dh_t and dL/dC_t of the chunk
    da_rows, z_rows = np.empty((n, B, 4 * H), dt), np.empty((n, B, H + D + 1), dt)  # one row per sequence
    rows = _rows(H)
    Wh_T = np.ascontiguousarray(run.params.W[rows, :H].T)  # (H, 4H), blocks o, f, i, c
    Wx = np.ascontiguousarray(run.params.W[rows, H:])  # (4H, D)
    dWb, dWb_chunk = np.zeros((4 * H, H + D + 1), dt), np.empty((4 * H, H + D + 1), dt)  # blocks o, f, i, c
    dx = np.empty((T, B, D), dt)
    dh_next = np.zeros((H, B), dt)
    h_sq, c_sq = np.empty(T, dt), np.empty(T, dt)
    for t0 in range((T - 1) // n * n, -1, -n):
        t1 = min(t0 + n, T)
        k = t1 - t0
        _local_derivatives(run, t0, t1, da[:k], o_dtc[:k])
        np.copyto(dh_tot[:k], dh[t0:t1].transpose(0, 2, 1))  # the loss's share of dL/dh_t
        for t in range(t1 - 1, t0 - 1, -1):
            da_t, dh_t, dc_t = da[t - t0], dh_tot[t - t0], dc_tot[t - t0]
            dh_t += dh_next  # total dL/dh_t: the loss at t + the path from h_{t+1}
            np.multiply(dh_t, o_dtc[t - t0], out=dc_t)
            dc_t += dc_next  # total dL/dC_t: the path through h_t + the path from C_{t+1}
            da_t[:H] *= dh_t  # backprop into the output gate
            da_t[H:].reshape(3, H, B)[...] *= dc_t  # ... and into the forget gate, input gate and candidate
            np.multiply(dc_t, f[t], out=dc_next)  # dC_{t-1}: the highway, a multiplication by f_t
            np.matmul(Wh_T, da_t, out=dh_next)  # dh_{t-1} = W_h^T da_t
        np.einsum("thb,thb->t", dh_tot[:k], dh_tot[:k], out=h_sq[t0:t1])
        np.einsum("thb,thb->t", dc_tot[:k], dc_tot[:k], out=c_sq[t0:t1])
        # backprop through the affine map [W, b] z_t of the chunk's steps: dW and db in one matmul, dx in another
        np.copyto(da_rows[:k], da[:k].transpose(0, 2, 1))  # each step's da, one row per sequence
        a = da_rows[:k].reshape(k * B, 4 * H)
        np.copyto(z_rows[:k], run.z[t0:t1].transpose(0, 2, 1))
        dWb += np.matmul(a.T, z_rows[:k].reshape(k * B, H + D + 1), out=dWb_chunk)
        np.matmul(a, Wx, out=dx[t0:t1].reshape(k * B, D))
    dW = np.empty_like(run.params.W)
    dW[rows] = dWb[:, :-1]  # back to the order f, i, c, o
    db = np.empty_like(run.params.b)
    db[rows] = dWb[:, -1]
    return LSTMGrads(
        W=dW, b=db, x=dx, h0=_batch_last(dh_next), c0=_batch_last(dc_next), h_norm=np.sqrt(h_sq), c_norm=np.sqrt(c_sq)
    )
