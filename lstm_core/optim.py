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
    """Adam (Kingma & Ba): moving averages of the gradient and its square, bias-corrected."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        if not lr > 0:
            raise ValueError(f"lr: expected a positive learning rate, got {lr!r}")
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.t = {}, {}, 0

    def step(self, params, grads):
        self.t += 1
        for k, g in grads.items():
            m = self.m[k] = self.beta1 * self.m.get(k, 0.0) + (1 - self.beta1) * g
            v = self.v[k] = self.beta2 * self.v.get(k, 0.0) + (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1**self.t)
            v_hat = v / (1 - self.beta2**self.t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
