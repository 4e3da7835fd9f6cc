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
    """One panel per model: ||dL/dC_t|| relative to the last step, the total (every path) against the cell path
    alone and notebook 03's constant gate. ``flows``: {panel title: scenarios.cell_gradient_paths(...)}."""
    parts = [
        ("total", r"total $\|\partial L/\partial C_t\|$ (every path)", BLUE, "-"),
        ("cell_path", r"along the cell alone ($\times f_t$ per step)", VERMILLION, "--"),
        ("constant_gate", r"along the cell, $f_t$ held at $\sigma(b_f)$", GREEN, ":"),
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


# --- notebook 07: the input gate on delayed recall
def input_gate_on_recall(units, i_flag, i_other, memory, *, chance=0.25):
    """Left: for each unit that carries the memory, its mean input gate i_t on the flagged step (t = 0) and on
    the distractor steps, sorted by the difference. Right: how well those units' C_t, each alone, name the
    flagged symbol at each step, one line per run. ``units`` (n,) unit numbers; ``i_flag``, ``i_other`` (n,);
    ``memory``: {label: accuracies at t = 0, 1, ..., T-2 (the flagged step, then the distractors)}."""
    units, i_flag, i_other = np.asarray(units), np.asarray(i_flag), np.asarray(i_other)
    last = len(next(iter(memory.values()))) - 1  # the last distractor step, T - 2
    order = np.argsort(i_flag - i_other)
    with rc_context(RC):
        fig = _fig(11, 4.6)
        ax_gate, ax_mem = fig.subplots(1, 2, width_ratios=(1, 1.25))
        x = np.arange(len(units))
        for k, j in enumerate(order):
            color, ls = (PURPLE, "-") if i_flag[j] > i_other[j] else (ORANGE, "--")
            ax_gate.plot([k, k], [i_other[j], i_flag[j]], color=color, ls=ls, lw=2.2)
        ax_gate.plot(x, i_flag[order], "o", color=BLACK, ms=7, label="on the flagged step ($t = 0$)")
        ax_gate.plot(
            x, i_other[order], "s", mfc="white", mec=BLACK, ms=7, mew=1.5, label=f"on distractors ($t = 1..{last}$)"
        )
        ax_gate.plot([], [], color=PURPLE, ls="-", lw=2.2, label="wider on the flagged step")
        ax_gate.plot([], [], color=ORANGE, ls="--", lw=2.2, label="less wide on the flagged step")
        ax_gate.set_xticks(x, [str(u) for u in units[order]])
        ax_gate.set(xlabel="unit $j$ (the units that carry the memory)", ylabel="mean input gate $i_t$")
        ax_gate.set_title("when does each unit's input gate open wider?")
        ax_gate.grid(alpha=0.3, axis="y")
        fig.legend(*ax_gate.get_legend_handles_labels(), loc="outside lower left", ncols=2, fontsize=9)
        for (label, acc), (color, ls), mk in zip(memory.items(), STYLES, "osD^v", strict=False):
            acc = np.asarray(acc)
            ax_mem.plot(np.arange(len(acc)), acc, color=color, ls=ls, marker=mk, ms=4, lw=2, label=label)
        ax_mem.axhline(chance, color="0.5", ls=":", lw=1, label=f"chance ({chance:g})")
        ax_mem.set(
            xlabel="step $t$ (0: the flagged symbol)",
            ylabel="one unit's $C_t$ alone names the symbol\n(accuracy, mean over these units)",
            ylim=(0, 1.04),
            xlim=(-0.5, last + 0.5),
        )
        ax_mem.set_xticks(np.arange(0, last + 1, 4))
        ax_mem.set_title("how well these units hold the symbol")
        ax_mem.grid(alpha=0.3)
        ax_mem.legend(loc="lower right", fontsize=9)
    return Snapshot(fig)
