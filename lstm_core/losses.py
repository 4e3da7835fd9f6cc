"""Losses with their gradients. Each masks positions where the loss looks away (mask 0)."""

import numpy as np

from ._validate import as_array, check_shape


def _mask(mask, shape):
    mask = as_array("mask", mask, np.float64)
    check_shape("mask", mask, ("T", "B"), shape)
    n = mask.sum()
    if n <= 0:
        raise ValueError("mask: expected at least one position with mask 1, got none")
    return mask, n


def softmax_cross_entropy(logits, targets, mask):
    """Mean cross-entropy of softmax(logits) against integer targets, over the masked positions.

    Inputs:
        logits: (T, B, K) scores; targets: (T, B) integers in 0..K-1; mask: (T, B), 1 where measured
    Returns:
        loss (float), dlogits (T, B, K), accuracy (float, fraction of masked positions predicted right)
    """
    logits = np.asarray(logits)
    if logits.ndim != 3:
        raise ValueError(f"logits: expected shape (T, B, K), got {logits.shape}")
    T, B, K = logits.shape
    targets = np.asarray(targets)
    check_shape("targets", targets, ("T", "B"), (T, B))
    if targets.dtype.kind not in "iu" or targets.min() < 0 or targets.max() >= K:
        raise ValueError(
            f"targets: expected integers from 0 to {K - 1}, got {targets.dtype} in [{targets.min()}, {targets.max()}]"
        )
    mask, n = _mask(mask, (T, B))
    shift = logits - logits.max(axis=-1, keepdims=True)
    logp = shift - np.log(np.exp(shift).sum(axis=-1, keepdims=True))  # log softmax
    nll = -np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
    loss = float((nll * mask).sum() / n)
    dlogits = np.exp(logp)  # softmax
    np.put_along_axis(dlogits, targets[..., None], np.take_along_axis(dlogits, targets[..., None], -1) - 1.0, -1)
    dlogits *= (mask / n)[..., None]
    accuracy = float(((logits.argmax(axis=-1) == targets) * mask).sum() / n)
    return loss, dlogits.astype(logits.dtype, copy=False), accuracy


def mean_squared_error(pred, targets, mask):
    """Mean of (pred - target)^2 over the masked positions and the output units.

    Inputs: pred (T, B, K), targets (T, B, K), mask (T, B). Returns loss (float), dpred (T, B, K).
    """
    pred = np.asarray(pred)
    if pred.ndim != 3:
        raise ValueError(f"pred: expected shape (T, B, K), got {pred.shape}")
    targets = as_array("targets", targets, pred.dtype)
    check_shape("targets", targets, ("T", "B", "K"), pred.shape)
    mask, n = _mask(mask, pred.shape[:2])
    diff = (pred - targets) * mask[..., None]
    denom = n * pred.shape[2]
    return float((diff * diff).sum() / denom), 2.0 * diff / denom
