"""Gradient clipping by global norm, and the SGD and Adam optimisers. Parameters and gradients are dicts
of arrays by name; ``step`` updates the parameter arrays in place."""

import numpy as np


def global_norm(grads):
    """sqrt of the sum of squares of every gradient array."""
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by the same factor so that their global norm is at most ``max_norm``.

    Returns (clipped grads, the global norm before clipping). ``max_norm=None`` clips nothing.
    """
    norm = global_norm(grads)
    if max_norm is None or norm <= max_norm or norm == 0:
        return grads, norm
    scale = max_norm / norm
    return {k: g * scale for k, g in grads.items()}, norm


class SGD:
    """theta <- theta - lr * v, with v <- momentum * v + grad (plain SGD when momentum = 0)."""

    def __init__(self, lr=0.1, momentum=0.0):
        if not lr > 0:
            raise ValueError(f"lr: expected a positive learning rate, got {lr!r}")
        self.lr, self.momentum, self.v = lr, momentum, {}

    def step(self, params, grads):
        for k, g in grads.items():
            v = self.v.get(k)
            v = g if v is None or self.momentum == 0 else self.momentum * v + g
            self.v[k] = v
            params[k] -= self.lr * v


class Adam:
    """Adam (Kingma & Ba): moving averages of the gradient and its square, bias-corrected.

    Each step works in place, in two scratch arrays per parameter kept from step to step, so a training loop
    allocates nothing here (the same numbers, to the bit, as the update written with new arrays)."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        if not lr > 0:
            raise ValueError(f"lr: expected a positive learning rate, got {lr!r}")
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.t, self._scratch = {}, {}, 0, {}

    def step(self, params, grads):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        for k, g in grads.items():
            if k not in self.m:
                self.m[k], self.v[k] = np.zeros_like(g), np.zeros_like(g)
                self._scratch[k] = (np.empty_like(g), np.empty_like(g))
            m, v, (a, u) = self.m[k], self.v[k], self._scratch[k]
            m *= b1
            m += np.multiply(g, 1 - b1, out=a)  # m <- beta1 m + (1 - beta1) g
            np.multiply(g, 1 - b2, out=a)
            a *= g
            v *= b2
            v += a  # v <- beta2 v + (1 - beta2) g^2
            np.divide(v, 1 - b2**self.t, out=a)  # v_hat
            np.sqrt(a, out=a)
            a += self.eps  # sqrt(v_hat) + eps
            np.divide(m, 1 - b1**self.t, out=u)  # m_hat
            u *= self.lr
            u /= a
            params[k] -= u  # theta <- theta - lr m_hat / (sqrt(v_hat) + eps)
