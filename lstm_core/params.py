"""Parameters of the cells: the base every cell's parameters share, and the stacked layout of the LSTM and RNN.

Stacked layout (h first, as the course writes [h_{t-1}, x_t]):
    LSTM: W (4H, H+D), b (4H,), row blocks in the order f, i, c (the candidate C~), o.
    RNN:  W (H, H+D),  b (H,).
"""

import numpy as np

from ._validate import as_array, check_finite, check_init, param_dtype

LSTM_GATES = ("f", "i", "c", "o")  # the seed's order: forget, input, candidate cell, output


class CellParams:
    """What every cell's parameters share: named arrays (``FIELDS``, in the constructor's order) that training
    updates in place. Subclasses set FIELDS and the ``hidden_size``/``input_size`` properties."""

    FIELDS = ()
    init_options = ()  # keyword options of init beyond the sizes, seed and dtype (the LSTM's forget_bias)
    holdable = ()  # gates that can be held open (see FourGateParams.hold_open)

    @classmethod
    def init(cls, input_size, hidden_size, *, seed=None, dtype=np.float64, **options):
        """Every array drawn from Uniform(-1/sqrt(H), 1/sqrt(H)), in FIELDS order (their shapes: ``_shapes``).

        That is the distribution torch.nn.LSTM, GRU and RNN draw each of their weights and biases from
        (PyTorch's LSTM and RNN keep two bias vectors, b_ih and b_hh, each drawn so, and add them; this course's
        keep one, b). The same ``seed`` gives the same numbers on every run and platform (numpy's PCG64).
        ``options``: those a subclass names in ``init_options``.
        """
        check_init(input_size, hidden_size, dtype)
        rng = np.random.default_rng(seed)
        H, D = int(hidden_size), int(input_size)
        bound = 1.0 / np.sqrt(H)
        p = cls(*(rng.uniform(-bound, bound, size=shape).astype(dtype) for shape in cls._shapes(D, H)))
        p._init_extra(**options)
        return p

    @classmethod
    def _shapes(cls, D, H):
        """The shapes of the arrays init draws, in FIELDS order (each drawn in turn from one generator)."""
        raise NotImplementedError

    def _init_extra(self):
        """What init does after the draws, with the options a subclass names in ``init_options``."""

    def arrays(self):
        """{name: array} in FIELDS order: the live arrays (for in-place updates), named like the grads' fields."""
        return {name: getattr(self, name) for name in self.FIELDS}

    @property
    def dtype(self):
        return getattr(self, self.FIELDS[0]).dtype

    def copy(self):
        return type(self)(*(a.copy() for a in self.arrays().values()))

    def frozen(self):
        """A read-only copy: what a forward run keeps, so later changes to these parameters cannot reach it."""
        q = self.copy()
        for a in q.arrays().values():
            a.flags.writeable = False
        return q

    def check_finite(self):
        for name, a in self.arrays().items():
            check_finite(f"parameters {name}", a, is_parameter=True)

    def __repr__(self):
        return (
            f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size}, dtype={self.dtype})"
        )


def block(which, idx, name):
    """A property giving a view of row block ``idx`` (rows idx*H to (idx+1)*H) of the array ``which``;
    assigning to it writes into that array."""

    def get(self):
        H = self.hidden_size
        return getattr(self, which)[idx * H : (idx + 1) * H]

    def set(self, value):
        get(self)[...] = value

    return property(get, set, doc=f"{name}: view of rows {idx}H:{idx + 1}H of {which}")


class StackedParams(CellParams):
    """W acting on [h_{t-1}, x_t] and a bias b, with ``n_blocks`` row blocks of size H."""

    FIELDS = ("W", "b")
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
    def _shapes(cls, D, H):
        return ((cls.n_blocks * H, H + D), (cls.n_blocks * H,))

    @property
    def hidden_size(self):
        return self.b.shape[0] // self.n_blocks

    @property
    def input_size(self):
        return self.W.shape[1] - self.hidden_size


class FourGateParams(StackedParams):
    """W (4H, H+D) and b (4H,) in the row blocks f, i, c, o, and their views: the LSTM's layout, which the
    peephole LSTM extends. ``holdable``: the gates SequenceModel(frozen_open=...) can hold open."""

    n_blocks = 4
    init_options = ("forget_bias",)
    holdable = ("f", "i", "o")

    W_f, W_i, W_c, W_o = (block("W", k, f"W_{g}") for k, g in enumerate(LSTM_GATES))
    b_f, b_i, b_c, b_o = (block("b", k, f"b_{g}") for k, g in enumerate(LSTM_GATES))

    @classmethod
    def init(cls, input_size, hidden_size, *, seed=None, forget_bias=1.0, dtype=np.float64):
        """Seeded uniform init (see StackedParams.init), then every entry of the forget-gate bias b_f set to
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

    def hold_open(self, gate):
        """Hold ``gate`` ("f", "i" or "o") wide open, in place: its weights 0 and its bias 10, so the gate is
        sigma(10) = 1 - 5e-5 whatever it reads. Returns {field: rows} of the entries held (training zeroes
        their gradients)."""
        H, k = self.hidden_size, LSTM_GATES.index(gate)
        rows = slice(k * H, (k + 1) * H)
        self.W[rows], self.b[rows] = 0.0, 10.0
        return {"W": rows, "b": rows}


class LSTMParams(FourGateParams):
    """LSTM parameters. ``W`` (4H, H+D) acts on [h_{t-1}, x_t]; ``b`` (4H,).

    ``W_f, W_i, W_c, W_o`` and ``b_f, b_i, b_c, b_o`` are views into W and b:
    writing ``p.b_f[:] = 3.0`` or ``p.b_f = 3.0`` changes ``p.b``.
    """

    kind = "LSTM"


class RNNParams(StackedParams):
    """Vanilla RNN parameters: ``W`` (H, H+D) acts on [h_{t-1}, x_t]; ``b`` (H,)."""

    n_blocks = 1
    kind = "RNN"
