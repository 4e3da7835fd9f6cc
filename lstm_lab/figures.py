"""Static figures for the training and summary notebooks (matplotlib only). Each returns a Snapshot,
which shows itself as a PNG in Jupyter and in exported HTML."""

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import MaxNLocator

from .explorers._base import BLACK, BLUE, GREEN, ORANGE, PURPLE, RC, SKY, VERMILLION, Snapshot

STYLES = [(BLUE, "-"), (VERMILLION, "--"), (GREEN, "-."), (ORANGE, ":"), (PURPLE, "-"), (SKY, "--")]


def _fig(w, h):
    fig = Figure(figsize=(w, h), dpi=90, layout="constrained")
    return fig


def learning_curves(histories, window=10):
    """Loss and accuracy (moving average over ``window`` steps) against the step, one line per run."""
    with rc_context(RC):
        fig = _fig(10, 3.8)
        ax_loss, ax_acc = fig.subplots(1, 2)
        for (name, h), (color, ls) in zip(histories.items(), STYLES, strict=False):
            k = np.arange(1, h.steps + 1)
            ax_loss.plot(k, h.loss, color=color, ls=ls, lw=1.8, label=name)
            acc = np.convolve(h.accuracy, np.ones(window) / window, mode="valid")
            ax_acc.plot(k[window - 1 :], acc, color=color, ls=ls, lw=1.8, label=name)
        ax_loss.set(xlabel="training step", ylabel="cross-entropy loss", title="loss")
        ax_acc.set(
            xlabel="training step", ylabel=f"accuracy (mean of {window} batches)", title="accuracy", ylim=(0, 1.02)
        )
        ax_acc.axhline(0.25, color="0.5", ls=":", lw=1, label="chance (1/4)")
        for ax in (ax_loss, ax_acc):
            ax.grid(alpha=0.3)
        ax_acc.legend(loc="center right")
    return Snapshot(fig)


def delay_sweep(data):
    """Test accuracy against the delay for each model (mean over seeds, each seed as a dot)."""
    with rc_context(RC):
        fig = _fig(8, 4.2)
        ax = fig.subplots()
        delays = data["delays"]
        markers = "osD^v"
        for (name, res), (color, ls), mk in zip(data["results"].items(), STYLES, markers, strict=False):
            accs = np.array([[r["test_accuracy"] for r in res[str(d)]] for d in delays])
            ax.plot(delays, accs.mean(1), color=color, ls=ls, marker=mk, lw=2, label=name)
            for j in range(accs.shape[1]):
                ax.scatter(delays, accs[:, j], color=color, s=12, alpha=0.5)
        ax.axhline(data["chance"], color="0.5", ls=":", lw=1, label="chance")
        ax.set(xlabel="delay (steps between the symbol and the question)", ylabel="test accuracy", ylim=(0, 1.05))
        s = data["settings"]
        ax.set_title(f"delayed recall, {s['steps']} training steps at most, H = {s['hidden_size']}")
        ax.grid(alpha=0.3)
        ax.legend(loc="center")  # the middle is empty: the b_f = 3 line runs above it, the others along chance
    return Snapshot(fig)


def lines(series, *, xlabel="step $t$", ylabel="", title="", logy=False, hline=None, x=None, ylim=None, marks=None):
    """A generic line plot: ``series`` maps a label to a 1-D array; ``marks`` shades steps (e.g. delimiters)."""
    with rc_context(RC):
        fig = _fig(9, 3.6)
        ax = fig.subplots()
        if marks is not None:
            for t in np.flatnonzero(marks):
                ax.axvspan(t - 0.5, t + 0.5, color="0.85", lw=0)
        for (label, y), (color, ls) in zip(series.items(), STYLES, strict=False):
            xs = np.arange(len(y)) if x is None else x
            ax.plot(xs, y, color=color, ls=ls, lw=2, label=label, marker="o" if len(y) < 12 else None)
        if hline is not None:
            ax.axhline(hline[0], color="0.5", ls=":", lw=1, label=hline[1])
        if logy:
            ax.set_yscale("log")
        if ylim:
            ax.set_ylim(*ylim)
        ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
        ax.grid(alpha=0.3)
        ax.legend(loc="best")
    return Snapshot(fig)


def heatmap(values, *, xlabel="step $t$", ylabel="unit $j$", title="", cbar="", cmap="cividis"):
    """values (units, steps) as an image with a colour bar (cividis: readable with colour-blindness)."""
    with rc_context(RC):
        fig = _fig(9, 3.4)
        ax = fig.subplots()
        im = ax.imshow(values, aspect="auto", cmap=cmap, interpolation="nearest")
        fig.colorbar(im, ax=ax, label=cbar)
        ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(integer=True))  # rows and columns are steps and units: no 2.5
    return Snapshot(fig)


def context_curves(curves, *, chance=None, unigram=None):
    """Validation loss against the context a model may use (state reset every k characters), one line per model.

    ``curves``: {label: {k: loss in nats per character}}; ``chance`` (ln V) and ``unigram`` (letter frequencies
    alone) are drawn as reference lines."""
    with rc_context(RC):
        fig = _fig(8.5, 4.2)
        ax = fig.subplots()
        for (label, curve), (color, ls), mk in zip(curves.items(), STYLES, "osD^v", strict=False):
            ks = sorted(int(k) for k in curve)
            ax.plot(
                ks,
                [curve[str(k)] if str(k) in curve else curve[k] for k in ks],
                color=color,
                ls=ls,
                marker=mk,
                lw=2,
                label=label,
            )
        if unigram is not None:
            ax.axhline(unigram, color="0.45", ls="-.", lw=1, label="letter frequencies alone")
        if chance is not None:
            ax.axhline(chance, color="0.5", ls=":", lw=1, label="chance (uniform over the characters)")
        ax.set_xscale("log", base=2)
        ax.set(xlabel="context: the state is reset every $k$ characters", ylabel="validation loss (nats per character)")
        ax.set_title("how far back does memory help?")
        ax.grid(alpha=0.3, which="both")
        ax.legend(loc="upper right")
    return Snapshot(fig)


def cell_diagram():
    """One LSTM cell drawn from its equations: the cell path C_{t-1} -> C_t along the top, the gates below."""
    with rc_context(RC):
        fig = Figure(figsize=(10, 5.2), dpi=90)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 5.2)
        ax.axis("off")

        def box(x, y, text, color, w=1.1, h=0.6):
            ax.add_patch(
                FancyBboxPatch(
                    (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05", fc=color, ec=BLACK, lw=1.2, alpha=0.9
                )
            )
            ax.text(x, y, text, ha="center", va="center", fontsize=13)

        def op(x, y, text):
            ax.add_patch(
                FancyBboxPatch((x - 0.22, y - 0.22), 0.44, 0.44, boxstyle="circle,pad=0", fc="white", ec=BLACK, lw=1.2)
            )
            ax.text(x, y, text, ha="center", va="center", fontsize=14)

        def arrow(a, b, color=BLACK, lw=1.5, text=None, ls="-"):
            ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, color=color, lw=lw, ls=ls))
            if text:
                ax.text((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + 0.15, text, ha="center", fontsize=11)

        top, mid, low = 4.3, 2.6, 1.0
        # the cell path (conveyor belt)
        arrow((0.3, top), (2.78, top), BLUE, 3)
        ax.text(0.3, top + 0.25, r"$C_{t-1}$", fontsize=14)
        op(3.0, top, r"$\times$")
        arrow((3.22, top), (5.28, top), BLUE, 3)
        op(5.5, top, "+")
        arrow((5.72, top), (9.6, top), BLUE, 3)
        ax.text(9.2, top + 0.25, r"$C_t$", fontsize=14)
        ax.text(4.2, top + 0.35, "cell state: the conveyor belt", fontsize=11, color=BLUE, ha="center")
        # gates
        box(3.0, mid, r"$f_t = \sigma$", SKY)
        box(4.3, mid, r"$i_t = \sigma$", SKY)
        box(6.1, mid, r"$\tilde{C}_t = \tanh$", ORANGE, w=1.3)
        box(7.6, mid, r"$o_t = \sigma$", SKY)
        arrow((3.0, mid + 0.32), (3.0, top - 0.24), text=None)
        op(5.2, 3.45, r"$\times$")
        arrow((4.3, mid + 0.32), (5.03, 3.3))
        arrow((6.1, mid + 0.32), (5.37, 3.3))
        arrow((5.2, 3.67), (5.45, top - 0.24))
        # output
        box(8.6, 3.45, r"$\tanh$", ORANGE, w=0.8)
        arrow((8.6, top - 0.05), (8.6, 3.77))
        op(8.6, mid, r"$\times$")
        arrow((8.6, 3.13), (8.6, mid + 0.24))
        arrow((7.95, mid), (8.38, mid))
        arrow((8.82, mid), (9.6, mid), VERMILLION, 2.5)
        ax.text(9.25, mid + 0.2, r"$h_t$", fontsize=14, color=VERMILLION)
        # inputs
        ax.plot([1.3, 7.6], [low, low], color=BLACK, lw=1.5)
        for x in (3.0, 4.3, 6.1, 7.6):
            arrow((x, low), (x, mid - 0.32))
        arrow((0.3, low + 0.35), (1.3, low), VERMILLION, 2, ls="-")
        ax.text(0.2, low + 0.5, r"$h_{t-1}$", fontsize=14, color=VERMILLION)
        arrow((0.3, low - 0.6), (1.3, low))
        ax.text(0.2, low - 0.85, r"$x_t$", fontsize=14)
        ax.text(
            4.5, low - 0.45, r"every gate sees $[h_{t-1}, x_t]$ through its own $W$ and $b$", ha="center", fontsize=11
        )
        ax.text(
            5.0,
            0.05,
            r"$C_t = f_t * C_{t-1} + i_t * \tilde{C}_t \qquad h_t = o_t * \tanh(C_t)$",
            ha="center",
            fontsize=13,
        )
    return Snapshot(fig)


def gradient_paths(flows, *, title="", xlabel="step $t$ (0: the flagged symbol)"):
    """One panel per model: ||dL/dC_t|| relative to the last step, the total (both paths of two_paths) against
    the cell path alone (in two_paths' colour and style) and notebook 03's constant gate. ``flows``: {panel title: scenarios.cell_gradient_paths(...)}."""
    parts = [
        ("total", r"total $\|\partial L/\partial C_t\|$ (both paths)", BLACK, "-."),
        ("cell_path", r"the cell path alone ($\odot f_t$ at each step)", BLUE, "-"),
        ("constant_gate", r"the cell path, $f_t$ held at $\sigma(b_f)$", GREEN, ":"),
    ]
    with rc_context(RC):
        fig = _fig(10, 3.9)
        axes = fig.subplots(1, len(flows), sharey=True, squeeze=False)[0]
        for ax, (name, flow) in zip(axes, flows.items(), strict=True):
            for key, label, color, ls in parts:
                y = np.asarray(flow[key])
                ax.plot(np.arange(len(y)), y / y[-1], color=color, ls=ls, lw=2, label=label)
            ax.set_yscale("log")
            ax.set(xlabel=xlabel, title=name)
            ax.grid(alpha=0.3)
        axes[0].set_ylabel(r"$\|\partial L/\partial C_t\| \,/\, \|\partial L/\partial C_{T-1}\|$")
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3)
        if title:
            fig.suptitle(title)
    return Snapshot(fig)


# --- notebook 01: the vanilla RNN unrolled in time, and the gradient's path back from the loss


def unrolled_rnn(steps=4):
    """The vanilla RNN unrolled over ``steps`` steps (t = 0 .. T-1, T = ``steps``): x_t enters each step,
    h_t runs along to the next, the loss L reads the last h_{T-1}. Backwards, the gradient dL/dh_t runs from L
    to h_0 (dashed, in a second colour), multiplied at each step it crosses by W_h^T diag(1 - h_t^2)."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not 3 <= steps <= 5:
        raise ValueError(f"steps: expected an integer from 3 to 5 (the steps drawn), got {steps!r}")
    gap, w, hgt, y = 2.6, 1.1, 0.9, 2.0  # spacing of the steps, a step's box, the row of the states
    xs = [1.9 + gap * k for k in range(steps)]
    x_loss = xs[-1] + gap * 0.78
    width = max(x_loss + 0.9, 11.6)  # room for the legend's longest line
    with rc_context(RC):
        fig = Figure(figsize=(0.86 * width, 5.2), dpi=90)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, width)
        ax.set_ylim(-0.75, 5.45)
        ax.axis("off")

        def arrow(a, b, color=BLACK, ls="-", lw=1.6, rad=0.0):
            ax.add_patch(
                FancyArrowPatch(
                    a,
                    b,
                    arrowstyle="-|>",
                    mutation_scale=15,
                    color=color,
                    lw=lw,
                    ls=ls,
                    connectionstyle=f"arc3,rad={rad}",
                    shrinkA=0,
                    shrinkB=0,
                )
            )

        def label(x, y, text, color=BLACK, size=12, **kw):
            ax.text(x, y, text, ha=kw.pop("ha", "center"), va=kw.pop("va", "center"), fontsize=size, color=color, **kw)

        for k, x in enumerate(xs):
            ax.add_patch(
                FancyBboxPatch(
                    (x - w / 2, y - hgt / 2), w, hgt, boxstyle="round,pad=0.05", fc=SKY, ec=BLACK, lw=1.2, alpha=0.9
                )
            )
            label(x, y + 0.12, r"$\tanh$", size=13)
            label(x, y - 0.22, f"$t = {k}$", size=10)
            arrow((x, 0.55), (x, y - hgt / 2 - 0.05))  # x_t in
            label(x, 0.3, f"$x_{k}$", size=14)
        # h_t along: from the initial state through every step to the loss
        starts = [0.25] + [x + w / 2 + 0.05 for x in xs]
        ends = [x - w / 2 - 0.05 for x in xs] + [x_loss - 0.42]
        names = ["$h_{-1} = 0$"] + [f"$h_{k}$" for k in range(steps)]
        for k, (a, b, name) in enumerate(zip(starts, ends, names, strict=True)):
            arrow((a, y), (b, y), lw=2.0)
            label((a + b) / 2 + (0.12 if k == 0 else 0), y + 0.13, name, size=13, va="bottom")
        ax.add_patch(
            FancyBboxPatch((x_loss - 0.35, y - 0.35), 0.7, 0.7, boxstyle="round,pad=0.05", fc=ORANGE, ec=BLACK, lw=1.2)
        )
        label(x_loss, y, "$L$", size=15)
        label(x_loss, y - 0.62, "loss", size=10)
        # the gradient's path back: dL/dh_t under each state's arrow, a dashed arc over each step it crosses
        mids = [(a + b) / 2 for a, b in zip(starts, ends, strict=True)]
        for k in range(steps):
            label(mids[k + 1], y - 0.22, rf"$\partial L/\partial h_{k}$", VERMILLION, va="top")
        arrow((x_loss, y + 0.42), (mids[-1] + 0.05, y + 0.62), VERMILLION, "--", 2.0, rad=0.5)
        for k in range(steps - 1, 0, -1):
            arrow((mids[k + 1] - 0.05, y + 0.62), (mids[k] + 0.05, y + 0.62), VERMILLION, "--", 2.0, rad=0.55)
            label(xs[k], y + 1.82, r"$\times\, W_h^\top$", VERMILLION, va="bottom")
            label(xs[k], y + 1.42, rf"$\mathrm{{diag}}(1 - h_{k}^2)$", VERMILLION, va="bottom")
        label(
            (xs[0] + xs[-1]) / 2,
            -0.45,
            rf"from $h_{{{steps - 1}}}$ back to $h_0$ the gradient crosses $T - 1 = {steps - 1}$ steps: "
            rf"{steps - 1} such factors, one after another",
            VERMILLION,
            size=11.5,
        )
        # a legend in words and line styles, so nothing depends on colour
        ax.plot([0.3, 1.1], [5.05, 5.05], color=BLACK, lw=2.0)
        label(
            1.25,
            5.05,
            r"forward: each step mixes $h_{t-1}$ with $x_t$ (the same $W$, $b$ at every step)",
            ha="left",
            size=11.5,
        )
        ax.plot([0.3, 1.1], [4.55, 4.55], color=VERMILLION, lw=2.0, ls="--")
        label(
            1.25,
            4.55,
            r"backward: the gradient $\partial L/\partial h_t$, multiplied at each step it crosses",
            VERMILLION,
            ha="left",
            size=11.5,
        )
    return Snapshot(fig)


# --- notebooks 03 and 05: the two paths the gradient takes back from C_t
def two_paths():
    """The two ways the gradient goes back from C_t to C_{t-1}, drawn over one step of the forward pass (grey):
    along the cell (multiplied by f_t) and out through the gates' pre-activations a_t, W_h and h_{t-1}."""
    grey = "0.6"
    with rc_context(RC):
        fig = Figure(figsize=(10, 5.6), dpi=90)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 5.6)
        ax.axis("off")

        def node(x, y, text, w=0.9, h=0.55, fc="white", fontsize=14):
            ax.add_patch(
                FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05", fc=fc, ec=BLACK, lw=1.2)
            )
            ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)

        def op(x, y, text):
            ax.add_patch(
                FancyBboxPatch((x - 0.2, y - 0.2), 0.4, 0.4, boxstyle="circle,pad=0", fc="white", ec=grey, lw=1.2)
            )
            ax.text(x, y, text, ha="center", va="center", fontsize=13, color="0.35")

        def arrow(a, b, color=grey, lw=1.3, ls="-", rad=0.0, scale=13):
            ax.add_patch(
                FancyArrowPatch(
                    a,
                    b,
                    arrowstyle="-|>",
                    mutation_scale=scale,
                    color=color,
                    lw=lw,
                    ls=ls,
                    connectionstyle=f"arc3,rad={rad}",
                    shrinkA=0,
                    shrinkB=0,
                )
            )

        belt, low, L, R = 3.7, 1.75, 3.3, 8.6  # heights of the belt and of h_{t-1}; columns of C_{t-1} and C_t
        # the forward pass of step t, in grey
        node(L, belt, r"$C_{t-1}$")
        node(R, belt, r"$C_t$")
        arrow((L + 0.5, belt), (5.3, belt))
        op(5.5, belt, r"$\odot$")
        arrow((5.7, belt), (6.8, belt))
        op(7.0, belt, "+")
        arrow((7.2, belt), (R - 0.5, belt))
        node(L, low, r"$h_{t-1}$")
        arrow((L, belt - 0.3), (L, low + 0.3))
        ax.text(L + 0.12, 2.72, r"$h_{t-1} = o_{t-1} \odot \tanh(C_{t-1})$", va="center", fontsize=10.5, color="0.35")
        gx = 6.25  # the gates' box
        node(
            gx,
            low,
            "the gates at step $t$\n" + r"$f_t,\ i_t,\ \tilde{C}_t,\ o_t$",
            w=2.3,
            h=0.95,
            fc="#F2F2F2",
            fontsize=12,
        )
        arrow((L + 0.5, low + 0.12), (gx - 1.2, low + 0.12))
        ax.text((L + gx - 0.7) / 2, low + 0.3, r"$W_h$", ha="center", fontsize=11, color="0.35")
        arrow((gx, 0.35), (gx, low - 0.53))
        ax.text(gx + 0.15, 0.45, r"$x_t$", fontsize=12, color="0.35")
        arrow((5.5, low + 0.53), (5.5, belt - 0.2))
        ax.text(5.6, 3.1, r"$f_t$", fontsize=11, color="0.35")
        arrow((7.0, low + 0.53), (7.0, belt - 0.2))
        ax.text(7.1, 3.1, r"$i_t \odot \tilde{C}_t$", fontsize=11, color="0.35")
        # the gradient arriving at C_t from later steps and from h_t = o_t tanh(C_t)
        arrow((9.95, belt), (R + 0.5, belt), color=BLACK, lw=1.5, ls=":")
        ax.text(9.95, belt + 0.3, r"$\partial L/\partial C_t$", ha="right", fontsize=12)
        # the cell path
        arrow((R - 0.25, belt + 0.33), (L + 0.25, belt + 0.33), color=BLUE, lw=3.2, rad=0.28, scale=18)
        ax.text((L + R) / 2, 4.95, r"the cell path: $\odot\, f_t$", ha="center", fontsize=12.5, color=BLUE)
        # the gate path: out through the gates, W_h and h_{t-1}
        arrow((R - 0.2, belt - 0.32), (gx + 1.2, low + 0.5), color=VERMILLION, lw=3, ls="--", scale=18)
        ax.text(8.3, 2.45, "the gate path:\n" + r"$\partial L/\partial a_t$", fontsize=11.5, color=VERMILLION)
        arrow((gx - 1.2, low - 0.2), (L + 0.5, low - 0.2), color=VERMILLION, lw=3, ls="--", scale=18)
        ax.text(
            L + 0.6,
            low - 0.62,
            r"$\partial L/\partial h_{t-1} = W_h^\top\, \partial L/\partial a_t$",
            ha="center",
            fontsize=11.5,
            color=VERMILLION,
        )
        arrow((L - 0.4, low + 0.3), (L - 0.4, belt - 0.3), color=VERMILLION, lw=3, ls="--", scale=18)
        ax.text(
            L - 0.55,
            2.72,
            r"$\odot\, o_{t-1} \odot (1 - \tanh^2 C_{t-1})$",
            ha="right",
            va="center",
            fontsize=11,
            color=VERMILLION,
        )
        ax.text(L - 0.5, belt + 0.5, "the two add up:\n" + r"$\partial L/\partial C_{t-1}$", ha="right", fontsize=11)
        # a legend in words, so that no lesson depends on colour
        ax.plot([0.3, 0.9], [0.62, 0.62], color=BLUE, lw=3.2)
        ax.text(1.0, 0.62, "the cell path: no matrix, no tanh slope", va="center", fontsize=10.5)
        ax.plot([0.3, 0.9], [0.27, 0.27], color=VERMILLION, lw=3, ls="--")
        ax.text(1.0, 0.27, r"the gate path: out of the cell, back through $W_h$", va="center", fontsize=10.5)
        ax.plot([7.2, 7.8], [0.62, 0.62], color=grey, lw=1.3)
        ax.text(7.9, 0.62, "the forward pass", va="center", fontsize=10.5)
        fig.text(0.5, 0.975, r"Two paths back from $C_t$ to $C_{t-1}$", ha="center", va="top", fontsize=13)
    return Snapshot(fig)


# --- notebook 08: time against sequence length, and what one unit of a trained LSTM knows
def time_against_length(timing):
    """The fast forward pass's time against the sequence length T (the shortest of interleaved repeats), with a
    line through the origin, time proportional to T, fitted to it; and the input's share, all steps in one product.
    ``timing``: scenarios.time_against_length(...)."""
    T = np.asarray(timing["T"], dtype=np.float64)
    fwd, share = np.asarray(timing["forward"]) * 1e3, np.asarray(timing["input_share"]) * 1e3
    slope = float(T @ fwd / (T @ T))  # least squares through the origin: ms per step
    with rc_context(RC):
        fig = _fig(8.5, 4.0)
        ax = fig.subplots()
        grid = np.linspace(0, T.max(), 50)
        ax.plot(grid, slope * grid, color="0.45", ls=":", lw=1.5, label=f"proportional to $T$ ({slope:.2f} ms a step)")
        ax.plot(T, fwd, color=BLUE, ls="-", marker="o", lw=2, label="forward pass, step by step (lstm_core.fast)")
        ax.plot(T, share, color=VERMILLION, ls="--", marker="s", lw=2, label="input's share, all steps in one product")
        ax.set(xlabel="sequence length $T$ (steps)", ylabel="processor time (ms), shortest of repeats", xlim=(0, None))
        ax.set_ylim(bottom=0)
        ax.set_title("the recurrence runs step by step")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
    return Snapshot(fig)


def unit_decoding(decoding, names="ABCD"):
    """What each unit of a delayed-recall LSTM tells alone, at the last step: left, each unit's accuracy on its
    own beside chance and the model's answer from every unit; right, the best unit's h_{T-1} on each test
    sequence, one row per symbol to recall. ``decoding``: scenarios.single_unit_decoding(...)."""
    acc, best = np.asarray(decoding["accuracy"]), decoding["best_unit"]
    h, symbols = np.asarray(decoding["h_last"])[:, best], np.asarray(decoding["symbols"])
    with rc_context(RC):
        fig = _fig(10, 4.4)
        ax, ax2 = fig.subplots(1, 2, width_ratios=[1.5, 1])
        units = np.arange(len(acc))
        ax.bar(units, acc, color=SKY, edgecolor=BLACK, lw=0.5, label="one unit alone")
        ax.bar([best], [acc[best]], color=BLUE, edgecolor=BLACK, lw=0.5, hatch="//", label=f"the best: unit {best}")
        ax.axhline(decoding["readout_accuracy"], color=BLACK, ls="--", lw=1.2, label="all units (the trained read-out)")
        ax.axhline(decoding["chance"], color="0.2", ls=":", lw=1.8, label="chance", zorder=3)
        ax.set(xlabel="unit $j$", ylabel="test accuracy, reading $h_{T-1,j}$ alone", ylim=(0, 1.05))
        ax.set_xlim(-0.8, len(acc) - 0.2)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, frameon=False)
        ax.set_title("how well each unit answers on its own")
        jitter = np.random.default_rng(0).uniform(-0.25, 0.25, len(h))
        for s, ((color, _), marker) in enumerate(zip(STYLES, "osD^v", strict=False)):
            on = symbols == s
            ax2.scatter(h[on], s + jitter[on], s=8, color=color, marker=marker, alpha=0.6, lw=0)
        ax2.set_yticks(range(int(symbols.max()) + 1), [f"recall {names[s]}" for s in range(int(symbols.max()) + 1)])
        ax2.set(xlabel=f"$h_{{T-1}}$ of unit {best}, one dot per test sequence", ylim=(-0.6, symbols.max() + 0.6))
        ax2.set_title(f"unit {best} at the last step")
        ax2.xaxis.set_major_locator(MaxNLocator(5))
        ax2.grid(alpha=0.3, axis="x")
    return Snapshot(fig)
