"""Parameters of the LSTM and the vanilla RNN: one stacked weight matrix acting on [h_{t-1}, x_t].

Layout (h first, as the course writes [h_{t-1}, x_t]):
    LSTM: W (4H, H+D), b (4H,), row blocks in the order f, i, c (the candidate C~), o.
    RNN:  W (H, H+D),  b (H,).
"""

import numpy as np

from ._validate import as_array, check_finite, check_init, param_dtype

LSTM_GATES = ("f", "i", "c", "o")  # the seed's order: forget, input, candidate cell, output


class _StackedParams:
    """W acting on [h_{t-1}, x_t] and a bias b, with ``n_blocks`` row blocks of size H."""

    n_blocks = 1
    kind = "RNN"

    def __init__(self, W, b):
        dtype = param_dtype(as_array("W", W, None))
        W = as_array("W", W, dtype)
        b = as_array("b", b, dtype)
        k = self.n_blocks
        if b.ndim != 1 or b.shape[0] == 0 or b.shape[0] % k:
            raise ValueError(f"b: expected a 1-D array of shape ({k}H,) for the {self.kind}, got shape {b.shape}")
        H = b.shape[0] // k
        if W.ndim != 2 or W.shape[0] != k * H or W.shape[1] <= H:
            raise ValueError(
                f"W: expected shape ({k}H, H+D) = ({k * H}, {H}+D) with D >= 1 "
                f"(H = {H} from b of shape {b.shape}), got {W.shape}"
            )
        self.W = np.ascontiguousarray(W)
        self.b = np.ascontiguousarray(b)

    @classmethod
    def init(cls, input_size, hidden_size, *, seed=None, dtype=np.float64, **kwargs):
        """Every weight and bias drawn from Uniform(-1/sqrt(H), 1/sqrt(H)).

        That is the distribution torch.nn.LSTM and torch.nn.RNN draw each of their weights and biases from
        (PyTorch keeps two bias vectors, b_ih and b_hh, each drawn so, and adds them; this course keeps one, b).
        The same ``seed`` gives the same numbers on every run and platform (numpy's PCG64).
        """
        check_init(input_size, hidden_size, dtype)
        rng = np.random.default_rng(seed)
        k, H, D = cls.n_blocks, int(hidden_size), int(input_size)
        bound = 1.0 / np.sqrt(H)
        W = rng.uniform(-bound, bound, size=(k * H, H + D))
        b = rng.uniform(-bound, bound, size=(k * H,))
        p = cls(W.astype(dtype), b.astype(dtype))
        p._init_extra(**kwargs)
        return p

    def _init_extra(self):
        pass

    @property
    def hidden_size(self):
        return self.b.shape[0] // self.n_blocks

    @property
    def input_size(self):
        return self.W.shape[1] - self.hidden_size

    @property
    def dtype(self):
        return self.W.dtype

    def copy(self):
        return type(self)(self.W.copy(), self.b.copy())

    def frozen(self):
        """A read-only copy: what a forward run keeps, so later changes to these parameters cannot reach it."""
        q = self.copy()
        q.W.flags.writeable = q.b.flags.writeable = False
        return q

    def check_finite(self):
        check_finite("parameters W", self.W, is_parameter=True)
        check_finite("parameters b", self.b, is_parameter=True)

    def __repr__(self):
        return (
            f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size}, dtype={self.dtype})"
        )


def _block(which, idx):
    """A property giving a view of row block ``idx`` of W or b; assigning writes into W or b."""

    def get(self):
        H = self.hidden_size
        arr = getattr(self, which)
        return arr[idx * H : (idx + 1) * H]

    def set(self, value):
        get(self)[...] = value

    gate = LSTM_GATES[idx]
    return property(get, set, doc=f"{which}_{gate}: view of rows {idx}H:{idx + 1}H of {which}")


class LSTMParams(_StackedParams):
    """LSTM parameters. ``W`` (4H, H+D) acts on [h_{t-1}, x_t]; ``b`` (4H,).

    ``W_f, W_i, W_c, W_o`` and ``b_f, b_i, b_c, b_o`` are views into W and b:
    writing ``p.b_f[:] = 3.0`` or ``p.b_f = 3.0`` changes ``p.b``.
    """

    n_blocks = 4
    kind = "LSTM"

    W_f, W_i, W_c, W_o = (_block("W", k) for k in range(4))
    b_f, b_i, b_c, b_o = (_block("b", k) for k in range(4))

    @classmethod
    def init(cls, input_size, hidden_size, *, seed=None, forget_bias=1.0, dtype=np.float64):
        """Seeded uniform init (see _StackedParams.init), then every entry of the forget-gate bias b_f set to
        ``forget_bias`` (1.0 by default: sigma(1) = 0.73 keeps some memory early on); ``forget_bias=None`` keeps
        the uniform draw.

        Libraries differ here. PyTorch sets nothing: its forget bias is uniform like every other bias (the sum of
        b_ih and b_hh). Keras's LSTM, with its default unit_forget_bias=True, starts b_f at 1 and the other biases
        at 0. This init draws W and the other biases as PyTorch does and sets b_f as Keras does.
        """
        return super().init(input_size, hidden_size, seed=seed, dtype=dtype, forget_bias=forget_bias)

    def _init_extra(self, forget_bias=1.0):
        if forget_bias is not None:
            self.b_f = forget_bias


class RNNParams(_StackedParams):
    """Vanilla RNN parameters: ``W`` (H, H+D) acts on [h_{t-1}, x_t]; ``b`` (H,)."""

    n_blocks = 1
    kind = "RNN"
