"""The peephole LSTM (Gers and Schmidhuber, 2000): the gates also look at the cell state itself.

The LSTM of lstm.py, with one diagonal weight vector per gate that reads the cell: the forget and input gates
read C_{t-1}, the output gate reads the new C_t. ``w_cf, w_ci, w_co`` (H,) are those vectors (views into one
array ``w_peep`` (3H,), blocks f, i, o); ``*`` is the elementwise product (⊙ in the notebooks).

    f_t  = sigma(W_f [h_{t-1}, x_t] + w_cf * C_{t-1} + b_f)    forget gate, peeking at the old cell
    i_t  = sigma(W_i [h_{t-1}, x_t] + w_ci * C_{t-1} + b_i)    input gate, peeking at the old cell
    C~_t = tanh(W_c [h_{t-1}, x_t] + b_c)                      candidate cell
    C_t  = f_t * C_{t-1} + i_t * C~_t                          cell update
    o_t  = sigma(W_o [h_{t-1}, x_t] + w_co * C_t + b_o)        output gate, peeking at the new cell
    h_t  = o_t * tanh(C_t)                                     hidden state

With w_peep = 0 it is the LSTM, number for number (a test proves it). PyTorch has no peephole LSTM, so the
gradients are proven by finite differences alone. There is no fast path: training runs these functions.
"""

from dataclasses import dataclass

import numpy as np

from ._validate import as_array, read_only
from ._validate_seq import check_sequence, check_step, check_upstream
from .activations import dsigmoid_from_output, dtanh_from_output, sigmoid
from .lstm import LSTMGrads, LSTMStates
from .params import FourGateParams, block

PEEPHOLE_GATES = ("f", "i", "o")  # the blocks of w_peep


class PeepholeParams(FourGateParams):
    """Peephole LSTM parameters: the LSTM's ``W`` (4H, H+D) and ``b`` (4H,) (blocks f, i, c, o, with the same
    views W_f ... b_o) and the peephole weights ``w_peep`` (3H,), blocks f, i, o, seen as ``w_cf, w_ci, w_co``.
    ``init`` draws w_peep uniformly like every other weight, after W and b."""

    FIELDS = ("W", "b", "w_peep")
    kind = "peephole LSTM"
    w_cf, w_ci, w_co = (block("w_peep", k, f"w_c{g}") for k, g in enumerate(PEEPHOLE_GATES))

    def __init__(self, W, b, w_peep):
        super().__init__(W, b)
        w_peep = as_array("w_peep", w_peep, self.W.dtype)
        if w_peep.shape != (3 * self.hidden_size,):
            raise ValueError(
                f"w_peep: expected shape (3H,) = ({3 * self.hidden_size},) (H = {self.hidden_size} from b of shape "
                f"{self.b.shape}), got {w_peep.shape}"
            )
        self.w_peep = np.ascontiguousarray(w_peep)

    @classmethod
    def _shapes(cls, D, H):
        return (*super()._shapes(D, H), (3 * H,))

    def hold_open(self, gate):
        held, H, k = super().hold_open(gate), self.hidden_size, PEEPHOLE_GATES.index(gate)
        rows = slice(k * H, (k + 1) * H)
        self.w_peep[rows] = 0.0  # the gate must not read the cell either
        return {**held, "w_peep": rows}


def peephole_step(x, h_prev, c_prev, p, *, check=True):
    """One peephole LSTM step.

    Inputs:
        x: (B, D) input x_t
        h_prev: (B, H) hidden state h_{t-1}
        c_prev: (B, H) cell state C_{t-1}
        p: PeepholeParams, W (4H, H+D), b (4H,), w_peep (3H,)
        check: validate the arguments first (peephole_forward checks a whole sequence once, then passes False)
    Returns:
        h: (B, H) hidden state h_t
        c: (B, H) cell state C_t
        cache: what peephole_step_backward needs (its own copies of the inputs and parameters)
    """
    if check:
        x, h_prev, c_prev = check_step(x, p, PeepholeParams, h_prev=h_prev, c_prev=c_prev)
        p = p.frozen()
    hx = np.concatenate([h_prev, x], axis=1)  # [h_{t-1}, x_t], shape (B, H+D)
    f_t = sigmoid(hx @ p.W_f.T + p.w_cf * c_prev + p.b_f)  # forget gate, reading C_{t-1} too
    i_t = sigmoid(hx @ p.W_i.T + p.w_ci * c_prev + p.b_i)  # input gate, reading C_{t-1} too
    c_tilde = np.tanh(hx @ p.W_c.T + p.b_c)  # candidate cell C~_t
    c_t = f_t * c_prev + i_t * c_tilde  # cell update
    o_t = sigmoid(hx @ p.W_o.T + p.w_co * c_t + p.b_o)  # output gate, reading the new C_t
    tanh_c = np.tanh(c_t)
    h_t = o_t * tanh_c  # hidden state
    return h_t, c_t, (hx, c_prev.copy(), f_t, i_t, c_tilde, c_t, o_t, tanh_c, p)


def peephole_step_backward(dh, dc, cache, *, check=True):
    """Backward pass of one peephole LSTM step.

    Inputs:
        dh: (B, H) dL/dh_t from outside the step (the loss at t plus the next step's dh_prev)
        dc: (B, H) dL/dC_t from outside the step (the next step's dc_prev)
        cache: from peephole_step
        check: validate dh and dc first
    Returns:
        dx: (B, D), dh_prev: (B, H), dc_prev: (B, H), and the parameters' gradients as a dict named like
        PeepholeParams.arrays(): W (4H, H+D), b (4H,), w_peep (3H,)
    """
    hx, c_prev, f_t, i_t, c_tilde, c_t, o_t, tanh_c, p = cache
    H = c_t.shape[1]
    if check:
        dh = check_upstream("dh", dh, c_t.shape, ("B", "H"), c_t.dtype)
        dc = check_upstream("dc", dc, c_t.shape, ("B", "H"), c_t.dtype)
    # backprop through h_t = o_t * tanh(C_t), and through the output gate's peephole on C_t
    da_o = dh * tanh_c * dsigmoid_from_output(o_t)
    dc_t = dc + dh * o_t * dtanh_from_output(tanh_c) + da_o * p.w_co  # three ways into C_t
    # backprop through the cell update C_t = f_t * C_{t-1} + i_t * C~_t
    da_f = dc_t * c_prev * dsigmoid_from_output(f_t)
    da_i = dc_t * c_tilde * dsigmoid_from_output(i_t)
    da_c = dc_t * i_t * dtanh_from_output(c_tilde)
    dc_prev = dc_t * f_t + da_f * p.w_cf + da_i * p.w_ci  # the highway, plus the two peepholes on C_{t-1}
    # backprop through the affine map W [h_{t-1}, x_t] + b and the peephole products
    da = np.concatenate([da_f, da_i, da_c, da_o], axis=1)  # (B, 4H), blocks f, i, c, o
    grads = {
        "W": da.T @ hx,
        "b": da.sum(axis=0),
        "w_peep": np.concatenate([(da_f * c_prev).sum(0), (da_i * c_prev).sum(0), (da_o * c_t).sum(0)]),
    }
    dhx = da @ p.W
    return dhx[:, H:], dhx[:, :H], dc_prev, grads


@dataclass(frozen=True)
class PeepholeRun(LSTMStates):
    """Everything peephole_forward computed: the fields of LSTMStates (h, c, f, i, c_tilde, o: (T, B, H); copies of
    xs, h0, c0 and of the parameters, all read-only), and each step's cache."""

    _caches: tuple  # each step's cache from peephole_step, in order


@dataclass
class PeepholeGrads(LSTMGrads):
    """The LSTM's gradients (W, b, x, h0, c0, h_norm, c_norm) and the peephole weights' w_peep (3H,)."""

    w_peep: np.ndarray


def peephole_forward(xs, p, h0=None, c0=None):
    """Run the peephole LSTM over a sequence: peephole_step at t = 0, 1, ..., T-1.

    Inputs: xs (T, B, D); p PeepholeParams; h0, c0 (B, H), zeros when None.
    Returns: PeepholeRun with h, c, f, i, c_tilde, o of shape (T, B, H).
    """
    xs, h0, c0 = check_sequence(xs, p, PeepholeParams, h0=h0, c0=c0)
    p = p.frozen()  # a read-only copy: changing the caller's parameters later cannot reach the run
    h_t, c_t, h, caches = h0, c0, [], []
    for t in range(xs.shape[0]):
        h_t, c_t, cache = peephole_step(xs[t], h_t, c_t, p, check=False)
        h.append(h_t)
        caches.append(cache)
    _, _, f, i, c_tilde, c, o, _, _ = zip(*caches, strict=True)  # each cache field, step by step
    return PeepholeRun(
        *(read_only(np.stack(a)) for a in (h, c, f, i, c_tilde, o)),
        xs=read_only(xs.copy()),
        h0=read_only(h0.copy()),
        c0=read_only(c0.copy()),
        params=p,
        _caches=tuple(caches),
    )


def peephole_backward(dh, run, dc_last=None):
    """Backpropagation through time: peephole_step_backward at t = T-1, ..., 1, 0.

    Inputs: dh (T, B, H) dL/dh_t from the loss at each step; run from peephole_forward; dc_last (B, H) or None.
    Returns: PeepholeGrads: W, b, w_peep, x (T, B, D), h0, c0 (B, H), h_norm and c_norm (T,).
    """
    if not isinstance(run, PeepholeRun):
        raise ValueError(f"run: expected the PeepholeRun returned by peephole_forward, got {type(run).__name__}")
    T, B, H = run.h.shape
    dh = check_upstream("dh", dh, (T, B, H), ("T", "B", "H"), run.h.dtype)
    dc_next = check_upstream("dc_last", dc_last, (B, H), ("B", "H"), run.h.dtype)
    grads = {name: np.zeros_like(a) for name, a in run.params.arrays().items()}
    dx, h_norm, c_norm = np.zeros_like(run.xs), np.zeros(T, run.h.dtype), np.zeros(T, run.h.dtype)
    dh_next = np.zeros((B, H), run.h.dtype)
    for t in reversed(range(T)):
        dh_t = dh[t] + dh_next  # total dL/dh_t
        o_t, tanh_c = run._caches[t][6:8]  # o_t and tanh(C_t), as step t computed them
        da_o = dh_t * tanh_c * dsigmoid_from_output(o_t)
        dc_t = dc_next + dh_t * o_t * dtanh_from_output(tanh_c) + da_o * run.params.w_co  # total dL/dC_t
        h_norm[t], c_norm[t] = np.linalg.norm(dh_t), np.linalg.norm(dc_t)
        dx[t], dh_next, dc_next, g = peephole_step_backward(dh_t, dc_next, run._caches[t], check=False)
        for name in grads:
            grads[name] += g[name]  # the parameters are shared by every step
    return PeepholeGrads(**grads, x=dx, h0=dh_next, c0=dc_next, h_norm=h_norm, c_norm=c_norm)
