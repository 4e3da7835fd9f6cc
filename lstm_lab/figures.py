"""Static figures for the training and summary notebooks (matplotlib only). Each returns a Snapshot,
which shows itself as a PNG in Jupyter and in exported HTML."""

import functools

import numpy as np
from matplotlib import rc_context
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch, PathPatch, Rectangle
from matplotlib.textpath import TextPath
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


# --- The LSTM cell, drawn from its six equations (notebooks 02 and 09; the cell explorer draws it live) -----------
# The layout is the one learners know from Olah's "Understanding LSTM Networks" (2015): the cell state runs along
# the top, the hidden state along the bottom, the four layers in between. A box is a layer with its own weights and
# bias (σ or tanh); a circle acts elementwise and has no weights. The cell state's path is thick and solid, the
# hidden state's dashed, so the two read apart without colour.

CELL_XLIM, CELL_YLIM = (0.0, 10.0), (0.0, 4.3)  # the drawing's units: one unit is as long across as it is up
_Y_C, _Y_GATE, _Y_BUS, _Y_MIX = 3.45, 1.85, 0.95, 2.75  # heights: cell state, layers, [h_{t-1}, x_t], i_t ⊙ C~_t
_BOX, _R = 0.95, 0.2  # a layer's box (square), an elementwise operation's circle (radius)
_X_JOIN, _X_PLUS, _X_OUT = 1.5, 4.4, 7.9  # where x_t joins h_{t-1}; the +; the output branch
CELL_GATES = (  # data key, layer, what it decides, x of its box
    ("f", r"$\sigma$", "forget", 2.45),
    ("i", r"$\sigma$", "input", 3.75),
    ("c_tilde", r"$\tanh$", "candidate", 5.05),
    ("o", r"$\sigma$", "output", 6.55),
)
CELL_VALUES = ("x", "h_prev", "c_prev", "f", "i", "c_tilde", "o", "c", "h")  # what a live diagram shows
# one colour per quantity, the same in the diagram and in the cell explorer's panels (each also has its own style)
CELL_COLORS = {"x": BLACK, "f": BLUE, "i": ORANGE, "c_tilde": PURPLE, "o": GREEN, "c": VERMILLION, "h": SKY}


def cell_step_values(run, t, unit=0, batch=0):
    """What the diagram shows at step ``t`` of an LSTM run (lstm_core.lstm_forward's LSTMRun): one unit's gates,
    candidate and states, the input (its first feature) and the states the step started from (h0, c0 at t = 0)."""
    T = run.h.shape[0]
    if not (isinstance(t, int | np.integer) and 0 <= t < T):
        raise ValueError(f"t: expected a step from 0 to {T - 1}, got {t!r}")
    prev_h = run.h[t - 1] if t > 0 else run.h0
    prev_c = run.c[t - 1] if t > 0 else run.c0
    values = {k: float(getattr(run, k)[t, batch, unit]) for k in ("f", "i", "c_tilde", "o", "c", "h")}
    values.update(x=float(run.xs[t, batch, 0]), h_prev=float(prev_h[batch, unit]), c_prev=float(prev_c[batch, unit]))
    return {"t": int(t), **values}


def cell_value_text(key, v):
    """How the diagram writes a value: gates in (0, 1) with three decimals, signed values with their sign."""
    if key in ("f", "i", "o"):
        return f"{v:.3f}"
    return f"{v:+.3f}" if abs(v) < 10 else f"{v:+.1f}"


@functools.cache
def _glyph(ch, weight):
    """One character's outline in DejaVu Sans Mono, in ems, from its pen position (made once, then reused)."""
    return TextPath((0.0, 0.0), ch, size=1.0, prop=FontProperties(family="DejaVu Sans Mono", weight=weight))


@functools.cache
def _em_metrics(weight):
    """(advance, ascent, descent) in ems: every character of a monospace font advances the same."""
    advance = (_glyph("0" * 11, weight).get_extents().x1 - _glyph("0", weight).get_extents().x1) / 10
    lp = _glyph("lp", weight).get_extents()
    return advance, lp.y1, -lp.y0


class NumberPatch(PathPatch):
    """A short text (a number) drawn as its glyphs' outlines at a point of ``ax``: what the live diagram writes.

    Redrawing a matplotlib Text rasterises its glyphs anew each time (about 3 ms a number on a busy machine, ten
    numbers a repaint); filling the outlines, each character's made once, costs a tenth of that. Monospace digits
    keep the arithmetic simple: every character advances by the same width. ``set_text``/``get_text`` as a Text."""

    def __init__(self, ax, xy, *, ha="left", va="baseline", size=11.0, weight="bold", color=BLACK, **kwargs):
        from matplotlib.path import Path
        from matplotlib.transforms import ScaledTranslation

        self._ha, self._va, self._size, self._weight, self._text = ha, va, size, weight, ""
        self._place = ax.figure.dpi_scale_trans + ScaledTranslation(*xy, ax.transData)  # inches from xy
        super().__init__(Path(np.zeros((1, 2))), fc=color, ec="none", transform=self._place, **kwargs)
        ax.add_patch(self)

    def get_text(self):
        return self._text

    def set_text(self, text):
        from matplotlib.path import Path

        self._text = str(text)
        advance, ascent, descent = _em_metrics(self._weight)
        width = advance * len(self._text)
        dx = {"left": 0.0, "center": -width / 2, "right": -width}[self._ha]
        dy = {"baseline": 0.0, "top": -ascent, "bottom": descent, "center": (descent - ascent) / 2}[self._va]
        if not self._text:
            self.set_path(Path(np.zeros((1, 2))))
            return
        glyphs = [_glyph(ch, self._weight) for ch in self._text]
        # each glyph moved right by its place in the string, the whole moved to its anchor, in ems, then to inches
        shift = np.concatenate([np.full(len(g.vertices), k * advance) for k, g in enumerate(glyphs)])
        vertices = np.concatenate([g.vertices for g in glyphs]) + np.column_stack([shift + dx, np.full_like(shift, dy)])
        codes = np.concatenate([g.codes for g in glyphs])
        self.set_path(Path(vertices * (self._size / 72.0), codes))


class CellDrawing:
    """The artists of a drawn cell that show one step's values: a fill in each layer's box (a gate's value as
    the filled fraction of its box; the candidate's from the middle line, up when positive, down when negative)
    and the numbers. ``show(values)`` moves them; ``artists`` lists them in the order to draw (fills first)."""

    def __init__(self, fills, texts, title):
        self.fills, self.texts, self.title = fills, texts, title

    @property
    def artists(self):
        return [*self.fills.values(), *self.texts.values(), self.title]

    def show(self, values):
        missing = [k for k in ("t", *CELL_VALUES) if k not in values]
        if missing:
            raise ValueError(f"values: expected the keys {['t', *CELL_VALUES]}, missing {missing}")
        for key, rect in self.fills.items():
            v = float(values[key])
            x0, y0, side = rect.box  # the inside of the box
            if key == "c_tilde":  # in (-1, 1): from the middle line, half the box for |C~_t| = 1
                frac = float(np.clip(v, -1.0, 1.0))
                rect.set_bounds(x0, y0 + side / 2 + min(frac, 0.0) * side / 2, side, abs(frac) * side / 2)
            else:  # a gate in (0, 1): the filled fraction of the box
                rect.set_bounds(x0, y0, side, float(np.clip(v, 0.0, 1.0)) * side)
        for key, text in self.texts.items():
            text.set_text(cell_value_text(key, float(values[key])))
        self.title.set_text(str(int(values["t"])))


def _arrow(ax, pts, *, color=BLACK, lw=1.5, ls="-", head=True):
    """A polyline through ``pts`` (x, y), with a solid arrowhead at its end."""
    xs, ys = zip(*pts, strict=True)
    ax.plot(xs, ys, color=color, lw=lw, ls=ls, solid_capstyle="butt", zorder=2)
    if head:
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        d = np.hypot(x1 - x0, y1 - y0)
        start = (x1 - 0.02 * (x1 - x0) / d, y1 - 0.02 * (y1 - y0) / d)
        ax.add_patch(
            FancyArrowPatch(
                start, (x1, y1), arrowstyle="-|>", mutation_scale=13 + 2 * lw, color=color, lw=0.8, zorder=3
            )
        )


def _circle(xy, r):
    """An elementwise operation's circle."""
    return Circle(xy, r, fc="white", ec=BLACK, lw=1.3, zorder=4)


def _op(ax, x, y, symbol):
    ax.add_patch(_circle((x, y), _R))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=15, zorder=5)


def draw_cell(ax, *, live=False, animated=False):
    """Draw the LSTM cell on ``ax`` in the units CELL_XLIM x CELL_YLIM (the axes must keep that aspect).

    With ``live=True`` the layers' boxes and the ends of the paths get room for one step's values, and the
    artists that show them come back as a CellDrawing (``animated=True`` leaves them out of a plain draw, for
    an explorer that blits them); otherwise returns None."""
    ax.set_xlim(*CELL_XLIM)
    ax.set_ylim(*CELL_YLIM)
    ax.set_aspect("equal")
    ax.axis("off")
    half = _BOX / 2
    # the cell: a rounded frame, the step's inputs entering from the left and below, its outputs leaving right
    ax.add_patch(
        FancyBboxPatch(
            (0.95, 0.5), 8.1, 3.35, boxstyle="round,pad=0,rounding_size=0.25", fc="0.97", ec="0.55", lw=1.0, zorder=0
        )
    )
    # the cell state's path along the top: C_{t-1} -> ⊙ f_t -> + i_t ⊙ C~_t -> C_t
    cell = {"color": CELL_COLORS["c"], "lw": 3.2, "ls": "-"}
    hidden = {"color": CELL_COLORS["h"], "lw": 2.4, "ls": (0, (4, 2.5))}
    fx, ix, cx, ox = (g[3] for g in CELL_GATES)
    _arrow(ax, [(0.05, _Y_C), (fx - _R, _Y_C)], **cell)
    _arrow(ax, [(fx + _R, _Y_C), (_X_PLUS - _R, _Y_C)], **cell)
    _arrow(ax, [(_X_PLUS + _R, _Y_C), (9.95, _Y_C)], **cell)
    _op(ax, fx, _Y_C, r"$\odot$")
    _op(ax, _X_PLUS, _Y_C, "+")
    # the hidden state's path along the bottom: h_{t-1} joins x_t into [h_{t-1}, x_t], which feeds every layer
    _arrow(ax, [(0.05, _Y_BUS), (_X_JOIN - 0.07, _Y_BUS)], **hidden)
    _arrow(ax, [(_X_JOIN, 0.08), (_X_JOIN, _Y_BUS - 0.07)], lw=1.6)
    ax.plot([_X_JOIN], [_Y_BUS], "o", color=BLACK, ms=5, zorder=3)
    ax.plot([_X_JOIN, ox], [_Y_BUS, _Y_BUS], color=BLACK, lw=1.6, zorder=2)
    ax.text(3.1, _Y_BUS - 0.12, r"$[h_{t-1}, x_t]$", ha="center", va="top", fontsize=12)
    fills = {}
    for key, layer, role, x in CELL_GATES:
        _arrow(ax, [(x, _Y_BUS), (x, _Y_GATE - half)], lw=1.3)
        ax.add_patch(
            Rectangle(
                (x - half, _Y_GATE - half), _BOX, _BOX, fc="white" if live else to_rgba(CELL_COLORS[key], 0.3), zorder=3
            )
        )
        ax.patches[-1].set(ec=BLACK, lw=1.3)
        ax.text(x + 0.07, _Y_BUS + 0.16, role, ha="left", va="bottom", fontsize=9.5, color="0.25", style="italic")
        ax.text(x, _Y_GATE + (0.2 if live else 0.0), layer, ha="center", va="center", fontsize=14, zorder=5)
        if live:  # a see-through fill over the layer's name, its height the value
            pad = 0.05
            rect = Rectangle((x - half + pad, _Y_GATE - half + pad), _BOX - 2 * pad, 0.0, zorder=4.5, animated=animated)
            rect.set(fc=to_rgba(CELL_COLORS[key], 0.45), ec="none")
            rect.box = (x - half + pad, _Y_GATE - half + pad, _BOX - 2 * pad)
            fills[key] = ax.add_patch(rect)
        if live and key == "c_tilde":  # the middle line the candidate's fill starts from
            ax.plot([x - half, x + half], [_Y_GATE, _Y_GATE], color="0.4", lw=0.8, ls=":", zorder=3.2)
    # the gates' outputs: f_t to the ⊙ on the cell path; i_t and C~_t to their ⊙, whose product joins the +
    _arrow(ax, [(fx, _Y_GATE + half), (fx, _Y_C - _R)])
    _arrow(ax, [(ix, _Y_GATE + half), (ix, _Y_MIX), (_X_PLUS - _R, _Y_MIX)])
    _arrow(ax, [(cx, _Y_GATE + half), (cx, _Y_MIX), (_X_PLUS + _R, _Y_MIX)])
    _op(ax, _X_PLUS, _Y_MIX, r"$\odot$")
    _arrow(ax, [(_X_PLUS, _Y_MIX + _R), (_X_PLUS, _Y_C - _R)])
    ax.text(fx + 0.1, _Y_MIX - 0.05, r"$f_t$", ha="left", va="center", fontsize=13)
    ax.text(ix - 0.1, 2.5, r"$i_t$", ha="right", va="center", fontsize=13)
    ax.text(cx + 0.1, 2.5, r"$\tilde{C}_t$", ha="left", va="center", fontsize=13)
    # the output: h_t = o_t ⊙ tanh(C_t), leaving along the bottom
    _arrow(ax, [(_X_OUT, _Y_C), (_X_OUT, _Y_MIX + 0.24)], lw=1.5, color=CELL_COLORS["c"])
    ax.add_patch(Ellipse((_X_OUT, _Y_MIX), 0.82, 0.46, fc="white", ec=BLACK, lw=1.3, zorder=4))
    ax.text(_X_OUT, _Y_MIX, "tanh", ha="center", va="center", fontsize=11, zorder=5)
    _arrow(ax, [(_X_OUT, _Y_MIX - 0.23), (_X_OUT, _Y_GATE + _R)])
    _arrow(ax, [(ox + half, _Y_GATE), (_X_OUT - _R, _Y_GATE)])
    ax.text((ox + half + _X_OUT - _R) / 2, _Y_GATE + 0.08, r"$o_t$", ha="center", va="bottom", fontsize=13)
    _op(ax, _X_OUT, _Y_GATE, r"$\odot$")
    _arrow(ax, [(_X_OUT, _Y_GATE - _R), (_X_OUT, _Y_BUS), (9.95, _Y_BUS)], **hidden)
    # the names of what enters and leaves
    big = {"fontsize": 14}
    ax.text(0.05, _Y_C + 0.1, r"$C_{t-1}$", ha="left", va="bottom", **big)
    ax.text(9.95, _Y_C + 0.1, r"$C_t$", ha="right", va="bottom", **big)
    ax.text(0.05, _Y_BUS + 0.1, r"$h_{t-1}$", ha="left", va="bottom", **big)
    ax.text(9.95, _Y_BUS + 0.1, r"$h_t$", ha="right", va="bottom", **big)
    ax.text(_X_JOIN - 0.1, 0.12, r"$x_t$", ha="right", va="bottom", **big)
    if not live:
        return None
    # live: the numbers, each under its name or in its box (moved by CellDrawing.show)
    where = {
        **{key: (x, _Y_GATE - 0.22, "center", "center") for key, _, _, x in CELL_GATES},
        "c_prev": (0.05, _Y_C - 0.12, "left", "top"),
        "c": (9.95, _Y_C - 0.12, "right", "top"),
        "h_prev": (0.05, _Y_BUS - 0.12, "left", "top"),
        "h": (9.95, _Y_BUS - 0.12, "right", "top"),
        "x": (_X_JOIN + 0.1, 0.12, "left", "bottom"),
    }
    texts = {key: NumberPatch(ax, (x, y), ha=ha, va=va, zorder=5) for key, (x, y, ha, va) in where.items()}
    ax.text(5.0, 4.27, "the cell at step t = ", ha="right", va="top", fontsize=12)
    title = NumberPatch(ax, (5.0, 4.27), va="top", size=12.0, weight="normal")
    drawing = CellDrawing(fills, texts, title)
    for artist in drawing.artists:
        artist.set_animated(animated)
    return drawing


CELL_MARKS = {  # what cell_diagram(mark=...) can outline: (x, y) of the centre, width, height
    "candidate": (CELL_GATES[2][3], _Y_GATE, _BOX + 0.14, _BOX + 0.12),  # the tanh of the candidate C~_t
    "output": (_X_OUT, _Y_MIX, 1.0, 0.62),  # the tanh of C_t on the way to h_t
}


def cell_diagram(values=None, *, mark=()):
    """The LSTM cell drawn from its six equations, with a key to its symbols; with ``values`` (from
    ``cell_step_values``), one step's gates and states written on it and each layer's box filled to its value.
    ``mark``: parts to outline with a thick dashed line, from CELL_MARKS ("candidate", "output": the two
    places where the cell squashes content). Returns a Snapshot (a PNG in Jupyter)."""
    unknown = [m for m in mark if m not in CELL_MARKS] if not isinstance(mark, str) else [mark]
    if unknown:
        raise ValueError(f"mark: expected a list of parts from {sorted(CELL_MARKS)}, got {mark!r}")
    with rc_context(RC):
        fig = Figure(figsize=(9.0, 9.0 * 5.6 / 10.0), dpi=100)
        ax = fig.add_axes((0.0, 1.3 / 5.6, 1.0, 4.3 / 5.6))
        drawing = draw_cell(ax, live=values is not None)
        if drawing is not None:
            drawing.show(values)
        for name in mark:
            x, y, w, h = CELL_MARKS[name]
            outline = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.12")
            ax.add_patch(outline)
            outline.set(fc="none", ec=BLACK, lw=2.2, ls=(0, (3, 2)), zorder=6)
        key = fig.add_axes((0.0, 0.0, 1.0, 1.3 / 5.6))
        key.set_xlim(0.0, 10.0)
        key.set_ylim(0.0, 1.3)
        key.set_aspect("equal")
        key.axis("off")
        key.text(
            5.0,
            1.15,
            r"$C_t = f_t \odot C_{t-1} + i_t \odot \tilde{C}_t \qquad h_t = o_t \odot \tanh(C_t)$",
            ha="center",
            va="center",
            fontsize=14,
        )
        row = 0.45
        key.plot([0.1, 0.6], [row, row], color=CELL_COLORS["c"], lw=3.2)
        key.text(0.7, row, "cell state", va="center", fontsize=11)
        key.plot([1.75, 2.35], [row, row], color=CELL_COLORS["h"], lw=2.4, ls=(0, (4, 2.5)))
        key.text(2.45, row, "hidden state", va="center", fontsize=11)
        key.add_patch(Rectangle((3.75, row - 0.2), 0.4, 0.4, fc="0.9", ec=BLACK, lw=1.2))
        key.text(4.25, row, "a layer with its own\n" + r"weights $W$ and bias $b$", va="center", fontsize=10.5)
        key.add_patch(_circle((6.6, row), 0.17))
        key.text(6.6, row, r"$\odot$", ha="center", va="center", fontsize=12, zorder=5)
        key.text(6.85, row, "elementwise, no weights:\n" + r"$\odot$ multiplies, + adds", va="center", fontsize=10.5)
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
