"""The GRU (gated recurrent unit), in PyTorch's formulation and layout: a readable step and a sequence loop.

Conventions as for the LSTM: sequences are time-major, ``xs`` of shape (T, B, D); states are (B, H).
Unlike lstm_core's LSTM, the GRU keeps PyTorch's two matrices, because the reset gate acts on the
recurrent term alone: W_x (3H, D) acts on x_t, W_h (3H, H) on h_{t-1}, with biases b_x and b_h (3H,),
row blocks in PyTorch's order r, z, n (torch.nn.GRU's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0).

    r_t = sigma(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)         reset gate
    z_t = sigma(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)         update gate
    n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))  candidate state
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                      hidden state

How this differs from the GRU of Cho et al. 2014 ("Learning Phrase Representations using RNN
Encoder-Decoder for Statistical Machine Translation", section 2.3), which writes, without biases,
    r = sigma(W_r x + U_r h_{t-1}),  z = sigma(W_z x + U_z h_{t-1}),
    h~_t = tanh(W x + U (r * h_{t-1})),  h_t = z * h_{t-1} + (1 - z) * h~_t
  * the reset gate: the paper applies r to h_{t-1} BEFORE the matrix, W_hn (r_t * h_{t-1}); PyTorch (and
    cuDNN, and Keras with reset_after=True) applies it AFTER, r_t * (W_hn h_{t-1} + b_hn), so the bias b_hn
    is reset too, and W_h h_{t-1} for all three gates is one matmul. The two are different functions:
    parameters trained in one form do not give the same outputs in the other.
  * the update gate: the roles are the SAME as the paper's. z_t multiplies the old state h_{t-1} and
    1 - z_t the candidate, so z_t near 1 keeps the memory. (Chung et al. 2014 and some tutorials write
    h_t = (1 - z_t) h_{t-1} + z_t n_t: the same model with z_t relabelled 1 - z_t, which since
    1 - sigma(a) = sigma(-a) means negating W_iz, W_hz, b_iz and b_hz.)
  * the biases: the paper writes none; PyTorch has two per gate. b_ir + b_hr and b_iz + b_hz act only
    through their sums, but b_in and b_hn cannot be summed (r_t multiplies b_hn only), so both are kept.

``gru_step``/``gru_step_backward`` are the equations as written, one line each; ``gru_forward``/``gru_backward``
loop over them. Every array a
GRURun holds is read-only, so writing into run.h (etc.) raises instead of corrupting a later gru_backward.
``gru_params_from_torch``/``gru_params_to_torch`` (in torch_convert.py) convert torch.nn.GRU state dicts.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._validate import as_array, param_dtype, read_only
from ._validate_seq import check_sequence, check_step, check_upstream
from .activations import dsigmoid_from_output, dtanh_from_output, sigmoid
from .params import CellParams, block

GRU_GATES = ("r", "z", "n")  # PyTorch's block order: reset gate, update gate, candidate
_FIELDS = ("W_x", "W_h", "b_x", "b_h")


def _check_arrays(arrays, names):
    """The four arrays (W_x, W_h, b_x, b_h) as contiguous arrays of one float dtype, or a ValueError.

    ``names``: what to call each array in a message (the field names, or a torch state dict's keys).
    """
    nx, nh, nbx, nbh = names
    dtype = param_dtype(as_array(nx, arrays[0], None))
    W_x, W_h, b_x, b_h = (as_array(n, a, dtype) for n, a in zip(names, arrays, strict=True))
    if W_h.ndim != 2 or W_h.shape[1] == 0 or W_h.shape[0] != 3 * W_h.shape[1]:
        raise ValueError(f"{nh}: expected shape (3H, H) for the GRU, with H >= 1, got {W_h.shape}")
    H = W_h.shape[1]
    if W_x.ndim != 2 or W_x.shape[0] != 3 * H or W_x.shape[1] == 0:
        raise ValueError(
            f"{nx}: expected shape (3H, D) = ({3 * H}, D) with D >= 1 (H = {H} from {nh} of shape {W_h.shape}), "
            f"got {W_x.shape}"
        )
    for name, b in ((nbx, b_x), (nbh, b_h)):
        if b.shape != (3 * H,):
            raise ValueError(
                f"{name}: expected shape (3H,) = ({3 * H},) (H = {H} from {nh} of shape {W_h.shape}), got {b.shape}"
            )
    return tuple(np.ascontiguousarray(a) for a in (W_x, W_h, b_x, b_h))


class GRUParams(CellParams):
    """GRU parameters in PyTorch's layout: ``W_x`` (3H, D), ``W_h`` (3H, H), ``b_x`` (3H,), ``b_h`` (3H,).

    Row blocks r, z, n. ``W_ir, W_iz, W_in`` (H, D), ``W_hr, W_hz, W_hn`` (H, H) and ``b_ir, b_iz, b_in``,
    ``b_hr, b_hz, b_hn`` (H,) are views: writing ``p.b_hz[:] = 1.0`` or ``p.b_hz = 1.0`` changes ``p.b_h``.
    ``arrays()`` is the dict of the four trainable arrays by name (the live arrays, for in-place updates).
    """

    FIELDS = _FIELDS
    W_ir, W_iz, W_in = (block("W_x", k, f"W_i{g}") for k, g in enumerate(GRU_GATES))
    W_hr, W_hz, W_hn = (block("W_h", k, f"W_h{g}") for k, g in enumerate(GRU_GATES))
    b_ir, b_iz, b_in = (block("b_x", k, f"b_i{g}") for k, g in enumerate(GRU_GATES))
    b_hr, b_hz, b_hn = (block("b_h", k, f"b_h{g}") for k, g in enumerate(GRU_GATES))

    def __init__(self, W_x, W_h, b_x, b_h):
        self.W_x, self.W_h, self.b_x, self.b_h = _check_arrays((W_x, W_h, b_x, b_h), _FIELDS)

    @classmethod
    def _shapes(cls, D, H):
        return ((3 * H, D), (3 * H, H), (3 * H,), (3 * H,))  # W_x, W_h, b_x, b_h, drawn in that order

    @property
    def hidden_size(self):
        return self.W_h.shape[1]

    @property
    def input_size(self):
        return self.W_x.shape[1]


class _StepCache(NamedTuple):
    """What _step_backward needs from one step: its inputs, gates and (unchanging) parameters."""

    x: np.ndarray  # (B, D) x_t
    h_prev: np.ndarray  # (B, H) h_{t-1}
    r: np.ndarray  # (B, H) reset gate r_t
    z: np.ndarray  # (B, H) update gate z_t
    n: np.ndarray  # (B, H) candidate n_t
    hn: np.ndarray  # (B, H) W_hn h_{t-1} + b_hn, the term the reset gate scales
    params: GRUParams


def gru_step(x, h_prev, p, *, check=True):
    """One GRU step.

    Inputs:
        x: (B, D) input x_t
        h_prev: (B, H) hidden state h_{t-1}
        p: GRUParams, W_x (3H, D), W_h (3H, H), b_x (3H,), b_h (3H,)
        check: validate the arguments first (gru_forward checks a whole sequence once, then passes False)
    Returns:
        h: (B, H) hidden state h_t
        cache: what gru_step_backward needs (its own copies: later changes to x, h_prev or p cannot reach it)
    """
    if check:
        x, h_prev = check_step(x, p, GRUParams, h_prev=h_prev)
        x, h_prev, p = x.copy(), h_prev.copy(), p.frozen()
    r_t = sigmoid(x @ p.W_ir.T + p.b_ir + h_prev @ p.W_hr.T + p.b_hr)  # reset gate: how much of the old state to use
    z_t = sigmoid(x @ p.W_iz.T + p.b_iz + h_prev @ p.W_hz.T + p.b_hz)  # update gate: how much of the old state to keep
    hn_t = h_prev @ p.W_hn.T + p.b_hn  # the candidate's recurrent term, bias included
    n_t = np.tanh(x @ p.W_in.T + p.b_in + r_t * hn_t)  # candidate state: the reset gate scales hn_t after the matmul
    h_t = (1 - z_t) * n_t + z_t * h_prev  # hidden state: z_t of the old state, 1 - z_t of the candidate
    return h_t, _StepCache(x, h_prev, r_t, z_t, n_t, hn_t, p)


def gru_step_backward(dh, cache, *, check=True):
    """Backward pass of one GRU step.

    Inputs:
        dh: (B, H) dL/dh_t, everything that reaches h_t from outside the step
            (the loss at step t plus the next step's dh_prev)
        cache: from gru_step
        check: validate dh first (gru_backward checks the whole sequence's dh once, then passes False)
    Returns:
        dx: (B, D) dL/dx_t
        dh_prev: (B, H) dL/dh_{t-1}
        grads: dict named like GRUParams.arrays(): W_x (3H, D), W_h (3H, H), b_x (3H,), b_h (3H,)
    """
    if not isinstance(cache, _StepCache):
        raise ValueError(f"cache: expected the cache returned by gru_step, got {type(cache).__name__}")
    if check:
        dh = check_upstream("dh", dh, cache.n.shape, ("B", "H"), cache.n.dtype)
    x, h_prev, r_t, z_t, n_t, hn_t, p = cache
    # backprop through the hidden state h_t = (1 - z_t) * n_t + z_t * h_{t-1}
    dn_t = dh * (1 - z_t)
    dz_t = dh * (h_prev - n_t)
    # backprop through the candidate n_t = tanh(W_in x_t + b_in + r_t * hn_t)
    da_n = dn_t * dtanh_from_output(n_t)
    dr_t = da_n * hn_t
    dhn_t = da_n * r_t  # what reaches hn_t = W_hn h_{t-1} + b_hn, scaled by the reset gate
    # backprop through the gates' sigmoids to their pre-activations
    da_r = dr_t * dsigmoid_from_output(r_t)
    da_z = dz_t * dsigmoid_from_output(z_t)
    # backprop through the affine maps: the input side sees da_n, the recurrent side r_t * da_n
    da_x = np.concatenate([da_r, da_z, da_n], axis=1)  # (B, 3H): dL/d(W_x x_t + b_x), blocks r, z, n
    da_h = np.concatenate([da_r, da_z, dhn_t], axis=1)  # (B, 3H): dL/d(W_h h_{t-1} + b_h), blocks r, z, n
    grads = {"W_x": da_x.T @ x, "W_h": da_h.T @ h_prev, "b_x": da_x.sum(axis=0), "b_h": da_h.sum(axis=0)}
    dx = da_x @ p.W_x
    dh_prev = dh * z_t + da_h @ p.W_h  # h_{t-1} reaches h_t directly (times z_t) and through all three gates
    return dx, dh_prev, grads


@dataclass(frozen=True)
class GRUOutputs:
    """What a GRU forward pass shows; the (T, B, H) arrays are indexed by step t = 0..T-1.

    Every array is read-only (gru_backward reads them): copy one to change it.
    """

    h: np.ndarray  # (T, B, H) hidden states h_t
    r: np.ndarray  # (T, B, H) reset gate r_t
    z: np.ndarray  # (T, B, H) update gate z_t
    n: np.ndarray  # (T, B, H) candidate n_t
    hn: np.ndarray  # (T, B, H) W_hn h_{t-1} + b_hn, the recurrent term the reset gate scales
    xs: np.ndarray  # (T, B, D) a copy of the inputs
    h0: np.ndarray  # (B, H) a copy of the initial state
    params: GRUParams  # a copy, so later changes to the caller's parameters cannot corrupt backward


@dataclass(frozen=True)
class GRURun(GRUOutputs):
    """Everything gru_forward computed (the fields of GRUOutputs), for gru_backward and for looking inside."""


@dataclass
class GRUGrads:
    """Gradients of the loss, the parameters' named like GRUParams' fields. ``h_norm[t]``: norm of the TOTAL dL/dh_t."""

    W_x: np.ndarray  # (3H, D)
    W_h: np.ndarray  # (3H, H)
    b_x: np.ndarray  # (3H,)
    b_h: np.ndarray  # (3H,)
    x: np.ndarray  # (T, B, D)
    h0: np.ndarray  # (B, H)
    h_norm: np.ndarray  # (T,) over the batch: the loss at t plus every path from later steps

    def arrays(self):
        """{"W_x": ..., "W_h": ..., "b_x": ..., "b_h": ...}: the parameters' gradients, keyed like GRUParams.arrays()."""
        return {name: getattr(self, name) for name in _FIELDS}


def gru_forward(xs, p, h0=None):
    """Run the GRU over a sequence: gru_step at t = 0, 1, ..., T-1.

    Inputs:
        xs: (T, B, D) inputs x_0..x_{T-1}, time-major
        p: GRUParams, W_x (3H, D), W_h (3H, H), b_x (3H,), b_h (3H,)
        h0: (B, H) initial state h_{-1}, zeros when None
    Returns:
        GRURun with h, r, z, n, hn of shape (T, B, H) (read-only), and copies of xs, h0 and p
    """
    xs, h0 = check_sequence(xs, p, GRUParams, h0=h0)
    xs, h0, p = read_only(xs.copy()), read_only(h0.copy()), p.frozen()  # the run's own, read-only copies
    T, B, _ = xs.shape
    h, r, z, n, hn = (np.empty((T, B, p.hidden_size), p.dtype) for _ in range(5))
    h_prev = h0
    for t in range(T):
        h[t], c = gru_step(xs[t], h_prev, p, check=False)
        r[t], z[t], n[t], hn[t] = c.r, c.z, c.n, c.hn
        h_prev = h[t]
    h, r, z, n, hn = (read_only(a) for a in (h, r, z, n, hn))
    return GRURun(h=h, r=r, z=z, n=n, hn=hn, xs=xs, h0=h0, params=p)


def gru_backward(dh, run):
    """Backpropagation through time: gru_step_backward at t = T-1, ..., 1, 0.

    Inputs:
        dh: (T, B, H) dL/dh_t that the loss applies directly at each step (zeros where it looks away)
        run: GRURun from gru_forward
    Returns:
        GRUGrads: W_x (3H, D), W_h (3H, H), b_x (3H,), b_h (3H,), x (T, B, D), h0 (B, H),
        and h_norm (T,), the norms over the batch of the total gradients dL/dh_t
    """
    if not isinstance(run, GRURun):
        raise ValueError(f"run: expected the GRURun returned by gru_forward, got {type(run).__name__}")
    T, B, H = run.h.shape
    dt = run.h.dtype
    dh = check_upstream("dh", dh, (T, B, H), ("T", "B", "H"), dt)
    grads = {name: np.zeros_like(a) for name, a in run.params.arrays().items()}
    dx = np.empty(run.xs.shape, dt)
    h_norm = np.empty(T, dt)
    dh_next = np.zeros((B, H), dt)  # dL/dh_t arriving from step t+1 (none after the last step)
    for t in range(T - 1, -1, -1):
        h_prev = run.h0 if t == 0 else run.h[t - 1]
        cache = _StepCache(run.xs[t], h_prev, run.r[t], run.z[t], run.n[t], run.hn[t], run.params)
        dh_t = dh[t] + dh_next  # total dL/dh_t: the loss at t + the path from h_{t+1}
        h_norm[t] = np.sqrt(np.vdot(dh_t, dh_t))
        dx[t], dh_next, g = gru_step_backward(dh_t, cache, check=False)
        for name in grads:
            grads[name] += g[name]  # the parameters are shared by every step
    return GRUGrads(**grads, x=dx, h0=dh_next, h_norm=h_norm)
