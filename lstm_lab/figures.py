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
