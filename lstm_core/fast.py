"""The fast path: the LSTM, the GRU and the vanilla RNN over whole sequences, arranged for speed, for training and
benchmarks.

Same numbers as the readable ``lstm_core.lstm_forward``/``lstm_backward``, ``gru_forward``/``gru_backward`` and
``rnn_forward``/``rnn_backward``
(tests prove they agree to 1e-12 in float64, every output and every gradient), same arguments, and results
of the same shape; the runs are ``FastLSTMRun``/``FastGRURun``/``FastRNNRun``, whose public arrays are read-only.
The notebooks read the readable functions; ``train``/``SequenceModel`` and the benchmarks call these.
How this code was made fast, with the measurements behind each choice: docs/performance.md.

Layout inside: every per-step array is stored with the batch last, gates (4H, B) and states (H, B), so each
gate's block is contiguous; the gate blocks are in the order o, f, i, c (the three sigmoid gates together,
and the three blocks dL/dC_t multiplies together); each step is one matmul [W_h, W_x, b] z_t with
z_t = [h_{t-1}; x_t; 1]; backward runs a chunk of steps at a time. Every array a call makes, bar a few of (B, H), the
ones it returns included, comes from blocks of memory that a small pool hands out again only when nothing refers
to them.
"""

import itertools
import math
import sys
import threading
from dataclasses import dataclass

import numpy as np

from ._validate import check_choice, read_only
from ._validate_seq import check_sequence, check_upstream
from .activations import (
    SQUASH,
    dtanh_from_output,
    sigmoid,
    sigmoid_from_exp_neg,
    tanh_from_sigmoid_of_double,
    tanh_with_exp,
)
from .gru import GRUGrads, GRUOutputs, GRUParams
from .lstm import LSTMGrads, LSTMOutputs
from .params import LSTMParams, RNNParams
from .rnn import RNNGrads, RNNOutputs

_ORDER = np.array([3, 0, 1, 2])  # internal block order o, f, i, c (indices into f, i, c, o)


def _blocks(H):
    """(internal, parameter) row slices of each gate's block: the internal order o, f, i, c against W's f, i, c, o."""
    return [(slice(k * H, (k + 1) * H), slice(src * H, (src + 1) * H)) for k, src in enumerate(_ORDER)]


def _squash_cell(c, out, squash):
    """out <- tanh(c) (or ReLU(c)); tanh by way of one exp, which is faster than np.tanh here."""
    if squash == "relu":
        return np.maximum(c, 0.0, out=out)
    return tanh_with_exp(c, out)


_POOL = []  # the last few blocks _one_block made, most recently used last
_POOL_BLOCKS, _POOL_BYTES = 6, 128 * 2**20  # at most six blocks and 128 MiB; a larger block is never kept
_POOL_LOCK = threading.Lock()


def _pool_refs():
    """What sys.getrefcount reports for a pool entry that nothing else references (measured, not assumed)."""
    _POOL.append(np.empty(1))
    refs = sys.getrefcount(_POOL[-1])
    _POOL.clear()
    return refs


_FREE = _pool_refs()


def _one_block(dtype, *shapes):
    """Empty arrays of these shapes, carved out of one block of memory (docs/performance.md says why).

    The block is one of the pool's if one of the right size is referenced by nothing but the pool (no array of
    an earlier call still views it), else a new one. So nothing a caller still holds is ever written again."""
    dtype = np.dtype(dtype)
    sizes = [math.prod(s) for s in shapes]  # Python ints: no numpy call per shape (docs/performance.md)
    size = sum(sizes)
    with _POOL_LOCK:
        for k in range(len(_POOL)):
            if _POOL[k].dtype == dtype and _POOL[k].size == size and sys.getrefcount(_POOL[k]) == _FREE:
                mem = _POOL.pop(k)
                break
        else:
            mem = np.empty(size, dtype)
        if mem.nbytes <= _POOL_BYTES:
            _POOL.append(mem)
            while len(_POOL) > _POOL_BLOCKS or sum(m.nbytes for m in _POOL) > _POOL_BYTES:
                del _POOL[0]  # the least recently used
        ends = itertools.accumulate(sizes)
        return [mem[e - n : e].reshape(s) for s, n, e in zip(shapes, sizes, ends, strict=True)]


def _steps_per_chunk(T, B):
    """How many steps lstm_backward takes at a time: about 512 rows (steps x batch) for its dW and dx matmuls."""
    return max(1, min(T, 64, -(-512 // B)))


def _public(a):
    """An internal (T, H, B) array as the read-only (T, B, H) view a run shows."""
    return read_only(a.transpose(0, 2, 1))


def _checked(run, cls, kind, dh):
    """``run`` checked to be this module's ``cls`` (naming the readable backward for the readable run), and ``dh``
    checked against it. Returns T, B, H, the dtype and dh."""
    if not isinstance(run, cls):
        readable = cls.__name__.removeprefix("Fast")
        raise ValueError(
            f"run: expected the {cls.__name__} returned by lstm_core.fast.{kind}_forward, got {type(run).__name__}"
            + (f" (use lstm_core.{kind}_backward for it)" if type(run).__name__ == readable else "")
        )
    T, B, H = run.h.shape
    return T, B, H, run.h.dtype, check_upstream("dh", dh, (T, B, H), ("T", "B", "H"), run.h.dtype)


@dataclass(frozen=True)
class FastLSTMRun(LSTMOutputs):
    """What lstm_core.fast.lstm_forward computed: the fields of lstm_core.LSTMRun, each a read-only view, and the
    internal (batch-last) arrays backward reads."""

    _gates: np.ndarray  # (T, 4H, B) activations o_t, f_t, i_t, C~_t
    _z: np.ndarray  # (T + 1, H+D+1, B): z[t] = [h_{t-1}; x_t; 1]
    _c: np.ndarray  # (T + 1, H, B): _c[t] = C_{t-1}
    _tanh_c: np.ndarray  # (T, H, B) tanh(C_t)


def _signed_weights(Wb, W, b, squash):
    """Fill Wb (4H, H+D+1) with [W_h, W_x, b] in the internal block order, signed for one exp per step; returns
    how many of its rows the exp serves (3H, or 4H with tanh)."""
    H = W.shape[0] // 4
    D = W.shape[1] - H
    for new, old in _blocks(H):  # [W_h, W_x, b], blocks o, f, i, c
        Wb[new, : H + D], Wb[new, H + D] = W[old], b[old]
    # the rows of o, f, i negated, and with tanh those of C~ times -2 (exact in floating point): the matmul gives
    # -a for the gates and -2a for C~, so that one exp serves all four (sigma(a) = 1 / (1 + e^{-a}), as
    # activations.sigmoid computes it, and tanh(a) = 2 sigma(2a) - 1)
    Wb[: 3 * H] *= -1.0
    n_exp = 3 * H
    if squash == "tanh":
        Wb[3 * H :] *= -2.0
        n_exp = 4 * H
    return n_exp


def _lstm_steps(z, gates, cs, tcs, Wb, xs, h0, c0, n_exp, squash):
    """lstm_forward's recurrence, in the run's own arrays: z[t] = [h_{t-1}; x_t; 1], the gates, C and tanh(C)."""
    T, _, D = xs.shape
    H = h0.shape[1]
    z[0, :H] = h0.T
    z[:T, H : H + D] = xs.transpose(0, 2, 1)
    z[:T, H + D] = 1.0
    z[T, H:] = 0.0
    cs[0] = c0.T
    with np.errstate(over="ignore"):  # e^{-a} = inf gives sigma(a) = 0 exactly, as in activations.sigmoid
        for t in range(T):
            g = np.matmul(Wb, z[t], out=gates[t])  # -a for o, f, i; -2a for C~ (or its a, with ReLU)
            e = g[:n_exp]
            sigmoid_from_exp_neg(np.exp(e, out=e))  # o_t, f_t, i_t (and sigma(2a) for C~)
            o, f, i, c_tilde = g[:H], g[H : 2 * H], g[2 * H : 3 * H], g[3 * H :]
            if squash == "tanh":
                tanh_from_sigmoid_of_double(c_tilde)  # C~_t = 2 sigma(2a) - 1 = tanh(a)
            else:
                _squash_cell(c_tilde, c_tilde, squash)
            c = np.multiply(f, cs[t], out=cs[t + 1])
            c += np.multiply(i, c_tilde, out=tcs[t])  # C_t = f_t C_{t-1} + i_t C~_t (tcs[t] as scratch)
            _squash_cell(c, tcs[t], squash)
            np.multiply(o, tcs[t], out=z[t + 1, :H])  # h_t = o_t tanh(C_t), where step t+1 reads it


def lstm_forward(xs, p, h0=None, c0=None, *, squash="tanh"):
    """The LSTM over a sequence; the same inputs and numbers as lstm_core.lstm_forward. Returns FastLSTMRun."""
    xs, h0, c0 = check_sequence(xs, p, LSTMParams, h0=h0, c0=c0)
    check_choice("squash", squash, SQUASH)
    T, B, D = xs.shape
    H, dt = p.hidden_size, p.dtype
    # everything the run keeps, in one block: z; gates; C_{t-1} for t = 0..T; tanh(C_t); [W_h, W_x, b] in the
    # internal order; copies of W, b, h0 and c0; h_t as the run shows it, (T, B, H)
    z, gates, cs, tcs, Wb, W, b, h0_, c0_, hs = _one_block(
        dt,
        (T + 1, H + D + 1, B),
        (T, 4 * H, B),
        (T + 1, H, B),
        (T, H, B),
        (4 * H, H + D + 1),
        p.W.shape,
        p.b.shape,
        (B, H),
        (B, H),
        (T, B, H),
    )
    np.copyto(W, p.W), np.copyto(b, p.b), np.copyto(h0_, h0), np.copyto(c0_, c0)
    n_exp = _signed_weights(Wb, W, b, squash)
    _lstm_steps(z, gates, cs, tcs, Wb, xs, h0, c0, n_exp, squash)
    np.copyto(hs, z[1:, :H].transpose(0, 2, 1))  # contiguous, so the read-out is one matmul
    params = LSTMParams(read_only(W), read_only(b))
    return FastLSTMRun(
        h=read_only(hs),
        c=_public(cs[1:]),
        f=_public(gates[:, H : 2 * H]),
        i=_public(gates[:, 2 * H : 3 * H]),
        c_tilde=_public(gates[:, 3 * H :]),
        o=_public(gates[:, :H]),
        xs=_public(z[:T, H : H + D]),
        h0=read_only(h0_),
        c0=read_only(c0_),
        params=params,
        squash=squash,
        _gates=gates,
        _z=z,
        _c=cs,
        _tanh_c=tcs,
    )


def _local_derivatives(run, t0, t1, da, o_dtc):
    """For steps t0..t1-1: da <- each gate's local derivative, o_dtc <- o_t tanh'(C_t).

    da (t1-t0, 4H, B), blocks o, f, i, c: what dL/dh_t (o block) or dL/dC_t (f, i, c blocks) is multiplied
    by to give dL/d(pre-activation). o_dtc (t1-t0, H, B): what dL/dh_t is multiplied by to reach C_t.
    """
    H = o_dtc.shape[1]
    dphi = SQUASH[run.squash][1]  # tanh' (or ReLU') written from the function's output
    g = run._gates[t0:t1]  # activations o, f, i, C~
    tanh_c = run._tanh_c[t0:t1]
    c_prev = run._c[t0:t1]
    sig = np.subtract(1.0, g[:, : 3 * H], out=da[:, : 3 * H])
    sig *= g[:, : 3 * H]  # sigma' = s (1 - s) for o, f, i
    da[:, :H] *= tanh_c  # dh_t -> do_t -> da_o: tanh(C_t) sigma'
    da[:, H : 2 * H] *= c_prev  # dC_t -> df_t -> da_f: C_{t-1} sigma'
    da[:, 2 * H : 3 * H] *= g[:, 3 * H :]  # dC_t -> di_t -> da_i: C~_t sigma'
    k = dphi(g[:, 3 * H :], out=da[:, 3 * H :])
    k *= g[:, 2 * H : 3 * H]  # dC_t -> dC~_t -> da_c: i_t tanh'
    k = dphi(tanh_c, out=o_dtc)
    k *= g[:, :H]  # dh_t -> dC_t: o_t tanh'(C_t)


def lstm_backward(dh, run, dc_last=None, *, x_grad=True):
    """Backpropagation through time; the same inputs and numbers as lstm_core.lstm_backward. Returns LSTMGrads.

    ``x_grad=False`` skips dL/dx (its field is None): for training, where the inputs are data."""
    T, B, H, dt, dh = _checked(run, FastLSTMRun, "lstm", dh)
    D = run.xs.shape[2]
    dc_last = check_upstream("dc_last", dc_last, (B, H), ("B", "H"), dt)
    f = run._gates[:, H : 2 * H]
    # a chunk of steps at a time, from the last chunk back: the local derivatives, the loop over the chunk's
    # steps (which multiplies them by dL/dh_t and dL/dC_t), then the chunk's share of dW, db and dx
    n = _steps_per_chunk(T, B)
    # working arrays, one block: da, o_dtc; total dL/dh_t and dL/dC_t; da and z with the steps in the middle, for
    # the weight matmuls; a chunk's dW, the sum of them; dL/dh_{t-1} and dL/dC_{t-1} from step t; the squared
    # norms; W_h^T, W_x
    K = H + D + 1
    da, o_dtc, dh_tot, dc_tot, da_cols, z_cols, dWb_chunk, dWb, dh_next, dc_next, h_sq, c_sq, Wh_T, Wx = _one_block(
        dt, (n, 4 * H, B), (n, H, B), (n, H, B), (n, H, B), (4 * H * n * B,), (K * n * B,), (4 * H, K), (4 * H, K),
        (H, B), (H, B), (T,), (T,), (H, 4 * H), (4 * H, D),
    )  # fmt: skip
    W = run.params.W
    for new, old in _blocks(H):  # blocks o, f, i, c (contiguous: a strided view is slower in matmul)
        Wh_T[:, new], Wx[new] = W[old, :H].T, W[old, H:]
    # what it returns, one block
    dW, db, dx, dh0, dc0, h_norm, c_norm = _one_block(
        dt, run.params.W.shape, run.params.b.shape, (T, B, D), (B, H), (B, H), (T,), (T,)
    )
    dWb.fill(0.0)
    dh_next.fill(0.0)
    np.copyto(dc_next, dc_last.T)
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
            da_t[:H] *= dh_t  # into the output gate
            da_fic = da_t[H:].reshape(3, H, B)
            np.multiply(da_fic, dc_t, out=da_fic)  # into the forget gate, input gate and candidate
            np.multiply(dc_t, f[t], out=dc_next)  # dC_{t-1} = f_t dC_t
            np.matmul(Wh_T, da_t, out=dh_next)  # dh_{t-1} = W_h^T da_t
        np.einsum("thb,thb->t", dh_tot[:k], dh_tot[:k], out=h_sq[t0:t1])
        np.einsum("thb,thb->t", dc_tot[:k], dc_tot[:k], out=c_sq[t0:t1])
        a = da_cols[: 4 * H * k * B].reshape(4 * H, k, B)  # (4H, steps, B): runs of B copied whole
        np.copyto(a, da[:k].transpose(1, 0, 2))
        zc = z_cols[: K * k * B].reshape(K, k, B)
        np.copyto(zc, run._z[t0:t1].transpose(1, 0, 2))
        a, zc = a.reshape(4 * H, k * B), zc.reshape(K, k * B)
        dWb += np.matmul(a, zc.T, out=dWb_chunk)  # dW and db: sum over the chunk's steps and sequences
        if x_grad:
            np.matmul(a.T, Wx, out=dx[t0:t1].reshape(k * B, D))  # dx_t = W_x^T da_t
    for new, old in _blocks(H):  # back to the order f, i, c, o
        dW[old], db[old] = dWb[new, :-1], dWb[new, -1]
    np.copyto(dh0, dh_next.T), np.copyto(dc0, dc_next.T)
    np.sqrt(h_sq, out=h_norm), np.sqrt(c_sq, out=c_norm)
    return LSTMGrads(W=dW, b=db, x=dx if x_grad else None, h0=dh0, c0=dc0, h_norm=h_norm, c_norm=c_norm)


@dataclass(frozen=True)
class FastGRURun(GRUOutputs):
    """What lstm_core.fast.gru_forward computed: the fields of lstm_core.GRURun, each read-only, and the internal
    (batch-last) arrays backward reads."""

    _g: np.ndarray  # (T, 3H, B): r_t, z_t, W_hn h_{t-1} + b_hn
    _n: np.ndarray  # (T, H, B): n_t
    _zh: np.ndarray  # (T + 1, H + 1, B): [h_{t-1}; 1]


def gru_forward(xs, p, h0=None):
    """The GRU over a sequence; the same inputs and numbers as lstm_core.gru_forward. Returns FastGRURun.

    Inside, batch last as for the LSTM: g[t] (3H, B) holds r_t, z_t and W_hn h_{t-1} + b_hn, each block
    contiguous; each step is one matmul [W_h, b_h] [h_{t-1}; 1]; the input side W_x x_t + b_x is one matmul
    for all steps."""
    xs, h0 = check_sequence(xs, p, GRUParams, h0=h0)
    T, B, D = xs.shape
    H, dt = p.hidden_size, p.dtype
    # everything the run keeps, in one block: the input side; g; n; [h_{t-1}; 1]; [W_h, b_h]; h_t as the run shows
    # it, (T, B, H); copies of the inputs
    ax, g, n, zh, Wb, hs, xs_, h0_, *arrays = _one_block(
        dt, (T, 3 * H, B), (T, 3 * H, B), (T, H, B), (T + 1, H + 1, B), (3 * H, H + 1), (T, B, H), xs.shape, h0.shape,
        *(a.shape for a in p.arrays().values()),
    )  # fmt: skip
    for dst, src in zip((xs_, h0_, *arrays), (xs, h0, *p.arrays().values()), strict=True):
        np.copyto(dst, src)
    W_x, W_h, b_x, b_h = arrays
    Wb[:, :H], Wb[:, H] = W_h, b_h
    (a,) = _one_block(dt, (T * B, 3 * H))  # scratch, back to the pool when this returns
    np.matmul(xs_.reshape(T * B, D), W_x.T, out=a)
    a += b_x
    np.copyto(ax, a.reshape(T, B, 3 * H).transpose(0, 2, 1))  # W_x x_t + b_x for every step at once
    zh[0, :H], zh[:, H] = h0.T, 1.0
    for t in range(T):
        np.matmul(Wb, zh[t], out=g[t])  # W_h h_{t-1} + b_h, blocks r, z, n
        rz = g[t, : 2 * H]
        rz += ax[t, : 2 * H]
        sigmoid(rz, out=rz)  # r_t, z_t
        r_t, z_t, hn_t, h_prev = g[t, :H], g[t, H : 2 * H], g[t, 2 * H :], zh[t, :H]
        np.multiply(r_t, hn_t, out=n[t])
        n[t] += ax[t, 2 * H :]
        np.tanh(n[t], out=n[t])  # n_t = tanh(W_in x_t + b_in + r_t (W_hn h_{t-1} + b_hn))
        h_t = np.subtract(h_prev, n[t], out=zh[t + 1, :H])  # where step t+1 reads it
        h_t *= z_t
        h_t += n[t]  # h_t = (1 - z_t) n_t + z_t h_{t-1}, as n_t + z_t (h_{t-1} - n_t)
    np.copyto(hs, zh[1:, :H].transpose(0, 2, 1))  # contiguous, so the read-out is one matmul
    return FastGRURun(
        h=read_only(hs),
        r=_public(g[:, :H]),
        z=_public(g[:, H : 2 * H]),
        n=_public(n),
        hn=_public(g[:, 2 * H :]),
        xs=read_only(xs_),
        h0=read_only(h0_),
        params=GRUParams(*(read_only(a) for a in arrays)),
        _g=g,
        _n=n,
        _zh=zh,
    )


def _gru_local_derivatives(run, t0, t1, k):
    """For steps t0..t1-1: k <- what dL/dh_t is multiplied by on each path, blocks n, z, r (each (t1-t0, H, B)).

    n: to the candidate's pre-activation, (1 - z_t) tanh'; z: to the update gate's, (h_{t-1} - n_t) sigma'(z);
    r: from the candidate's to the reset gate's, (W_hn h_{t-1} + b_hn) sigma'(r)."""
    H = k.shape[1] // 3
    g, n, h_prev = run._g[t0:t1], run._n[t0:t1], run._zh[t0:t1, :H]
    r, z, hn = g[:, :H], g[:, H : 2 * H], g[:, 2 * H :]
    k_n, k_z, k_r = k[:, :H], k[:, H : 2 * H], k[:, 2 * H :]
    dtanh_from_output(n, out=k_n)
    np.subtract(1.0, z, out=k_r)  # (1 - z_t), kept here for a moment
    k_n *= k_r
    np.multiply(z, k_r, out=k_z)  # sigma'(z) = z (1 - z)
    np.subtract(h_prev, n, out=k_r)
    k_z *= k_r
    np.subtract(1.0, r, out=k_r)
    k_r *= r  # sigma'(r) = r (1 - r)
    k_r *= hn


def gru_backward(dh, run, *, x_grad=True):
    """Backpropagation through time; the same inputs and numbers as lstm_core.gru_backward. Returns GRUGrads.

    A chunk of steps at a time, from the last chunk back, as lstm_backward does: the local derivatives, the
    loop over the chunk's steps, then the chunk's share of dW_x, dW_h, the biases and dx. ``x_grad=False`` skips
    dL/dx (its field is None), as lstm_backward does."""
    T, B, H, dt, dh = _checked(run, FastGRURun, "gru", dh)
    D = run.xs.shape[2]
    r, z = run._g[:, :H], run._g[:, H : 2 * H]
    n = _steps_per_chunk(T, B)
    # working arrays, one block: local derivatives; da blocks r, z, n (the recurrent side: dL/d(W_h h + b_h));
    # da_n (the input side's n block); total dL/dh_t; the same with one row per sequence, for the weight matmuls;
    # each chunk's dW_h and dW_x; dL/dh_{t-1}; its direct part; the squared norms; W_h^T
    k, da, da_n, dh_tot, a_h, a_x, h_rows, dW_h_chunk, dW_x_chunk, dh_next, direct, h_sq, W_hT = _one_block(
        dt, (n, 3 * H, B), (n, 3 * H, B), (n, H, B), (n, H, B), (n, B, 3 * H), (n, B, 3 * H), (n, B, H), (3 * H, H),
        (3 * H, D), (H, B), (H, B), (T,), (H, 3 * H),
    )  # fmt: skip
    # what it returns, one block
    dW_x, dW_h, db_x, db_h, dx, dh0, h_norm = _one_block(
        dt, *(a.shape for a in run.params.arrays().values()), (T, B, D), (B, H), (T,)
    )
    for a in (dW_x, dW_h, db_x, db_h, dh_next):
        a.fill(0.0)
    np.copyto(W_hT, run.params.W_h.T)
    for t0 in range((T - 1) // n * n, -1, -n):
        t1 = min(t0 + n, T)
        m = t1 - t0
        _gru_local_derivatives(run, t0, t1, k[:m])
        np.copyto(dh_tot[:m], dh[t0:t1].transpose(0, 2, 1))  # the loss's share of dL/dh_t
        for t in range(t1 - 1, t0 - 1, -1):
            j = t - t0
            dh_t, k_t, da_t = dh_tot[j], k[j], da[j]
            dh_t += dh_next  # total dL/dh_t: the loss at t + the path from h_{t+1}
            np.multiply(dh_t, k_t[:H], out=da_n[j])  # into the candidate
            np.multiply(da_n[j], k_t[2 * H :], out=da_t[:H])  # into the reset gate
            np.multiply(dh_t, k_t[H : 2 * H], out=da_t[H : 2 * H])  # into the update gate
            np.multiply(da_n[j], r[t], out=da_t[2 * H :])  # into W_hn h_{t-1} + b_hn, through the reset gate
            np.matmul(W_hT, da_t, out=dh_next)
            np.multiply(dh_t, z[t], out=direct)
            dh_next += direct  # dh_{t-1}: through all three gates, and directly (times z_t)
        np.einsum("thb,thb->t", dh_tot[:m], dh_tot[:m], out=h_sq[t0:t1])
        rows = m * B
        np.copyto(a_h[:m], da[:m].transpose(0, 2, 1))
        np.copyto(a_x[:m, :, : 2 * H], a_h[:m, :, : 2 * H])
        np.copyto(a_x[:m, :, 2 * H :], da_n[:m].transpose(0, 2, 1))  # the input side sees da_n, not r_t da_n
        np.copyto(h_rows[:m], run._zh[t0:t1, :H].transpose(0, 2, 1))
        ah, ax = a_h[:m].reshape(rows, 3 * H), a_x[:m].reshape(rows, 3 * H)
        dW_h += np.matmul(ah.T, h_rows[:m].reshape(rows, H), out=dW_h_chunk)  # sums over the chunk's steps
        dW_x += np.matmul(ax.T, run.xs[t0:t1].reshape(rows, D), out=dW_x_chunk)
        col_sums = ah.sum(axis=0)
        db_h += col_sums
        db_x[: 2 * H] += col_sums[: 2 * H]  # the r and z blocks are the same on both sides
        db_x[2 * H :] += ax[:, 2 * H :].sum(axis=0)
        if x_grad:
            np.matmul(ax, run.params.W_x, out=dx[t0:t1].reshape(rows, D))  # dx_t = W_x^T da_x
    np.copyto(dh0, dh_next.T), np.sqrt(h_sq, out=h_norm)
    return GRUGrads(W_x=dW_x, W_h=dW_h, b_x=db_x, b_h=db_h, x=dx if x_grad else None, h0=dh0, h_norm=h_norm)


@dataclass(frozen=True)
class FastRNNRun(RNNOutputs):
    """What lstm_core.fast.rnn_forward computed: the fields of lstm_core.RNNRun, each read-only."""


def rnn_forward(xs, p, h0=None):
    """The vanilla RNN over a sequence; the same inputs and numbers as lstm_core.rnn_forward. Returns FastRNNRun."""
    xs, h0 = check_sequence(xs, p, RNNParams, h0=h0)
    T, B, D = xs.shape
    H = p.hidden_size
    # everything the run keeps, in one block: h_t; copies of the inputs and parameters; W_h^T, W_x^T
    hs, xs_, h0_, W, b, WhT, WxT = _one_block(
        p.dtype, (T, B, H), xs.shape, h0.shape, p.W.shape, p.b.shape, (H, H), (D, H)
    )
    for dst, src in ((xs_, xs), (h0_, h0), (W, p.W), (b, p.b), (WhT, p.W[:, :H].T), (WxT, p.W[:, H:].T)):
        np.copyto(dst, src)
    np.matmul(xs_.reshape(T * B, D), WxT, out=hs.reshape(T * B, H))
    hs += b  # the input projection W_x x_t + b for every step at once, then the recurrence in place
    (tmp,) = _one_block(p.dtype, (B, H))
    h = h0_
    for t in range(T):
        np.matmul(h, WhT, out=tmp)
        hs[t] += tmp
        h = np.tanh(hs[t], out=hs[t])  # h_t = tanh(W_h h_{t-1} + W_x x_t + b)
    return FastRNNRun(
        h=read_only(hs), xs=read_only(xs_), h0=read_only(h0_), params=RNNParams(read_only(W), read_only(b))
    )


def rnn_backward(dh, run, *, x_grad=True):
    """Backpropagation through time; the same inputs and numbers as lstm_core.rnn_backward. Returns RNNGrads.

    ``x_grad=False`` skips dL/dx (its field is None), as lstm_backward does."""
    T, B, H, dt, dh = _checked(run, FastRNNRun, "rnn", dh)
    W = run.params.W
    D = W.shape[1] - H
    # working arrays, one block: da_t; total dL/dh_t; [h_{t-1}, x_t] for every step; W_h, W_x
    da, dhs, hx, Wh, Wx = _one_block(dt, (T, B, H), (T, B, H), (T, B, H + D), (H, H), (H, D))
    np.copyto(Wh, W[:, :H]), np.copyto(Wx, W[:, H:])
    dW, db, dx, h_norm = _one_block(dt, W.shape, run.params.b.shape, (T, B, D), (T,))  # what it returns
    dh_next = np.zeros((B, H), dt)
    for t in range(T - 1, -1, -1):
        dh_t = np.add(dh[t], dh_next, out=dhs[t])  # total dL/dh_t: the loss at t + the path from h_{t+1}
        dtanh_from_output(run.h[t], out=da[t])
        da[t] *= dh_t  # through tanh
        dh_next = da[t] @ Wh  # dh_{t-1} = W_h^T da_t
    hx[0, :, :H] = run.h0
    hx[1:, :, :H] = run.h[:-1]
    hx[:, :, H:] = run.xs
    da2 = da.reshape(T * B, H)
    np.matmul(da2.T, hx.reshape(T * B, H + D), out=dW)
    np.sum(da2, axis=0, out=db)
    if x_grad:
        np.matmul(da2, Wx, out=dx.reshape(T * B, D))
    np.sqrt(np.einsum("tbh,tbh->t", dhs, dhs, out=h_norm), out=h_norm)
    return RNNGrads(W=dW, b=db, x=dx if x_grad else None, h0=dh_next, h_norm=h_norm)
