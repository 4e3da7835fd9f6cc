"""Shared test machinery: an independent reference LSTM, the loss, gradient checks, and mutants.

The reference is written straight from the seed's equations with separate gate matrices and the
textbook sigmoid 1/(1+e^{-a}); it is deliberately not lstm_core's code.  It takes additive
perturbations on h_t and C_t, so differentiating the loss by them gives the TOTAL gradients
dL/dh_t and dL/dC_t through every path.
"""

import contextlib
import shutil

import numpy as np
import pytest

import lstm_core


def make_case(T=4, B=2, D=3, H=5, seed=0, forget_bias=1.0):
    rng = np.random.default_rng(seed)
    p = lstm_core.LSTMParams.init(D, H, seed=seed, forget_bias=forget_bias)
    return {
        "p": p,
        "xs": rng.normal(size=(T, B, D)),
        "h0": rng.normal(size=(B, H)) * 0.5,
        "c0": rng.normal(size=(B, H)) * 0.5,
        "dh": rng.normal(size=(T, B, H)),
        "dc_last": rng.normal(size=(B, H)),
    }


def ref_sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def reference_lstm(xs, W, b, h0, c0, pert_h=None, pert_c=None):
    """The seed's equations, step by step. Returns hs, cs of shape (T, B, H)."""
    T, B, _ = xs.shape
    H = h0.shape[1]
    W_f, W_i, W_c, W_o = (W[k * H : (k + 1) * H] for k in range(4))
    b_f, b_i, b_c, b_o = (b[k * H : (k + 1) * H] for k in range(4))
    h, C = h0, c0
    hs, cs = [], []
    for t in range(T):
        hx = np.concatenate([h, xs[t]], axis=1)
        f = ref_sigmoid(hx @ W_f.T + b_f)
        i = ref_sigmoid(hx @ W_i.T + b_i)
        C_tilde = np.tanh(hx @ W_c.T + b_c)
        C = f * C + i * C_tilde + (0 if pert_c is None else pert_c[t])
        o = ref_sigmoid(hx @ W_o.T + b_o)
        h = o * np.tanh(C) + (0 if pert_h is None else pert_h[t])
        hs.append(h)
        cs.append(C)
    return np.array(hs), np.array(cs)


def reference_rnn(xs, W, b, h0, pert_h=None):
    h, hs = h0, []
    for t in range(xs.shape[0]):
        h = np.tanh(np.concatenate([h, xs[t]], axis=1) @ W.T + b) + (0 if pert_h is None else pert_h[t])
        hs.append(h)
    return np.array(hs)


def loss(hs, cs, dh, dc_last):
    """L = sum_t <dh_t, h_t> + <dc_last, C_{T-1}>: its gradients are exactly dh and dc_last."""
    return float(np.sum(dh * hs) + (0.0 if dc_last is None else np.sum(dc_last * cs[-1])))


def norm_rel(a, n):
    """Relative error of a whole array: ||a - n|| / (||a|| + ||n||)."""
    return lstm_core.rel_error(a, n, scale="norm")


def scaled_err(a, b):
    """max |a - b| relative to the scale of b (1e-12 means: equal to rounding)."""
    return lstm_core.rel_error(a, b, scale="max")


def fd_rel(case, eps=1e-6):
    """norm_rel less what central differences cannot resolve: a metric for gradients that may be tiny.

    A central difference of step ``eps`` carries a rounding error of about eps_machine |L| / eps per entry;
    a gradient cut to 1e-8 by saturated gates is below it. Differences within 10x that bound count as none.
    """
    L = loss(*reference_lstm(case["xs"], case["p"].W, case["p"].b, case["h0"], case["c0"]), case["dh"], case["dc_last"])
    noise = 10 * np.finfo(np.float64).eps * max(1.0, abs(L)) / eps

    def metric(a, n):
        a, n = np.asarray(a, float), np.asarray(n, float)
        den = np.linalg.norm(a) + np.linalg.norm(n)
        excess = max(0.0, np.linalg.norm(a - n) - noise * np.sqrt(a.size))
        return 0.0 if den == 0 else float(excess / den)

    return metric


def lstm_sequence_errors(mod, case, squash="tanh", metric=None):
    """Relative errors of ``mod``'s lstm_forward/lstm_backward against the reference and finite differences.

    ``metric``: norm_rel (per whole array, the default) or lstm_core.rel_error (largest elementwise, CS231n).
    """
    metric = metric or norm_rel
    p, xs, h0, c0, dh, dcl = (case[k] for k in ("p", "xs", "h0", "c0", "dh", "dc_last"))
    run = mod.lstm_forward(xs, p, h0, c0, squash=squash)
    g = mod.lstm_backward(dh, run, dc_last=dcl)
    errs = {}
    if squash == "tanh":
        hs, cs = reference_lstm(xs, p.W, p.b, h0, c0)
        errs["h"], errs["c"] = norm_rel(run.h, hs), norm_rel(run.c, cs)

    def L():
        r = mod.lstm_forward(xs, p, h0, c0, squash=squash)
        return loss(r.h, r.c, dh, dcl)

    for name, arr, got in (("W", p.W, g.W), ("b", p.b, g.b), ("x", xs, g.x), ("h0", h0, g.h0), ("c0", c0, g.c0)):
        errs["d" + name] = metric(got, lstm_core.numerical_gradient(L, arr))
    return errs


def lstm_step_errors(mod, case, metric=None):
    """Relative errors of ``mod``'s lstm_step/lstm_step_backward (dx, dh_prev, dc_prev, dW, db); metric as above."""
    metric = metric or norm_rel
    p, x, h, c = case["p"], case["xs"][0], case["h0"], case["c0"]
    dh, dc = case["dh"][0], case["dc_last"]
    h1, c1, cache = mod.lstm_step(x, h, c, p)
    hs, cs = reference_lstm(x[None], p.W, p.b, h, c)
    errs = {"h": norm_rel(h1, hs[0]), "c": norm_rel(c1, cs[0])}
    got = dict(zip(("dx", "dh_prev", "dc_prev", "dW", "db"), mod.lstm_step_backward(dh, dc, cache), strict=True))

    def L():
        h2, c2, _ = mod.lstm_step(x, h, c, p)
        return float(np.sum(dh * h2) + np.sum(dc * c2))

    for name, arr in (("dx", x), ("dh_prev", h), ("dc_prev", c), ("dW", p.W), ("db", p.b)):
        errs[name] = metric(got[name], lstm_core.numerical_gradient(L, arr))
    return errs


def total_gradients(case):
    """dL/dh_t and dL/dC_t through all paths, by finite differences on the reference's perturbations."""
    p, xs, h0, c0, dh, dcl = (case[k] for k in ("p", "xs", "h0", "c0", "dh", "dc_last"))
    ph, pc = np.zeros_like(dh), np.zeros_like(dh)

    def L():
        return loss(*reference_lstm(xs, p.W, p.b, h0, c0, ph, pc), dh, dcl)

    return lstm_core.numerical_gradient(L, ph), lstm_core.numerical_gradient(L, pc)


# how the browser tests start Debian's headless Chromium (as root, on a machine with no network)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@contextlib.contextmanager
def chromium(*flags):
    """Debian's headless Chromium, launched by playwright with CHROMIUM_FLAGS and ``flags``; the test skips, saying
    why, when Chromium or playwright is missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=[*CHROMIUM_FLAGS, *flags])
        yield browser
        browser.close()


def solved(name):
    """Assignment ``name``'s student version with the source's model answers written in (without the solution
    markers), as a student would hand it in."""
    import re

    import nbformat

    from homework import notebooks

    source = nbformat.read(notebooks.assignments()[name], as_version=4)
    answers = {notebooks.nbg(c)["grade_id"]: c.source for c in source.cells if notebooks.nbg(c).get("solution")}
    nb = notebooks.student_version(source)
    for cell in nb.cells:
        gid = notebooks.nbg(cell).get("grade_id")
        if gid in answers:
            cell.source = re.sub(r"[ \t]*### (BEGIN|END) SOLUTION\n?", "", answers[gid])
    return nb


def lite_inputs_missing(reason):
    """The lite tests cannot run (``reason``): they fail where CI requires them (LSTM_LAB_REQUIRE_LITE=1), and
    skip, saying why, elsewhere."""
    import os

    if os.environ.get("LSTM_LAB_REQUIRE_LITE"):
        pytest.fail(reason)
    pytest.skip(reason)
