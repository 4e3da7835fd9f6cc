"""The machinery every explorer shares: controls, a figure built once, fast repaints, a text readout.

Rendering path: a persistent matplotlib Agg figure. Axes, ticks, labels and legends are drawn once
into a cached background; an update only moves the data lines (``set_data``), restores the
background, draws those lines (blitting) and encodes the picture as a PNG into an ``ipywidgets.Image``.
That needs no ipympl or other front-end extension, so it works anywhere ipywidgets does. Where
ipywidgets is missing too, ``snapshot()`` still draws the lesson as a static figure.
"""

import html
import io
import json
import struct
import time
import zlib
from dataclasses import dataclass, field

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Okabe & Ito's colour-blind-safe palette; every line also has its own dash style and a legend label.
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, BLACK = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#000000",
)
RC = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9.5,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass
class Line:
    """A curve: ``key`` names the array in the explorer's data (x is ``data[x_key]``)."""

    key: str
    label: str
    color: str = BLUE
    style: str = "-"
    x_key: str = "t"
    width: float = 2.0
    drawstyle: str = "default"


@dataclass
class VLine:
    """A vertical marker at x = ``data[key]`` (hidden when that is not finite)."""

    key: str
    label: str
    color: str = BLACK
    style: str = ":"


@dataclass
class Panel:
    ylabel: str
    xlabel: str = "step $t$"
    title: str = ""
    yscale: str = "linear"
    ylim: tuple = (0.0, 1.0)
    xlim: tuple = (0, 200)
    lines: list = field(default_factory=list)
    hlines: list = field(default_factory=list)  # (y, label) reference lines, drawn once
    legend: str = "best"  # where the legend goes; "above" puts it in one row over the axes, covering nothing


def gate_panel(xlim, xlabel="", legend="center right"):
    """The panel of the three gates f_t, i_t, o_t (data keys "f", "i", "o"), in (0, 1), each in its own style."""
    return Panel(
        ylabel="gate value",
        xlabel=xlabel,
        ylim=(-0.05, 1.05),
        xlim=xlim,
        lines=[
            Line("f", "forget $f_t$", BLUE, "-"),
            Line("i", "input $i_t$", ORANGE, "--"),
            Line("o", "output $o_t$", GREEN, ":", width=2.5),
        ],
        legend=legend,
    )


def _draw_panels(fig, panels, grid, data=None, animated=True):
    """Build the axes and artists of ``panels`` on ``fig``; returns the artists keyed for updates."""
    rows, cols = grid
    artists = []
    for k, pan in enumerate(panels):
        ax = fig.add_subplot(rows, cols, k + 1)
        ax.set_yscale(pan.yscale)
        ax.set_xlim(*pan.xlim)
        ax.set_ylim(*pan.ylim)
        ax.set_xlabel(pan.xlabel)
        ax.set_ylabel(pan.ylabel)
        if pan.title:
            ax.set_title(pan.title)
        ax.grid(True, alpha=0.3, which="major")
        for y, label in pan.hlines:
            ax.axhline(y, color="0.45", lw=1.0, ls="-.", label=label)
        for spec in pan.lines:
            if isinstance(spec, VLine):
                a = ax.axvline(np.nan, color=spec.color, ls=spec.style, lw=1.6, label=spec.label, animated=animated)
            else:
                (a,) = ax.plot(
                    [],
                    [],
                    color=spec.color,
                    ls=spec.style,
                    lw=spec.width,
                    label=spec.label,
                    drawstyle=spec.drawstyle,
                    animated=animated,
                )
            artists.append((spec, a))
        if pan.legend == "above":
            ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=4, frameon=False, borderaxespad=0.2)
        elif pan.legend:
            ax.legend(loc=pan.legend, framealpha=0.9)
    if data is not None:
        _set_data(artists, data)
    return artists


def _set_data(artists, data):
    for spec, a in artists:
        if isinstance(spec, VLine):
            x = float(data[spec.key]) if data.get(spec.key) is not None else np.nan
            a.set_xdata([x, x] if np.isfinite(x) else [np.nan, np.nan])
        else:
            y = np.asarray(data[spec.key], dtype=np.float64)
            with np.errstate(invalid="ignore"):
                y = np.where(np.isfinite(y), y, np.nan)  # inf/NaN (a ReLU overflow) is not drawn
            a.set_data(np.asarray(data[spec.x_key]), y)


class Snapshot:
    """A static figure of an explorer at a few settings; shows itself as a PNG in Jupyter and in HTML."""

    def __init__(self, fig):
        self.fig = fig

    def _repr_png_(self):
        return self.to_png()

    def to_png(self, dpi=None):
        bio = io.BytesIO()
        FigureCanvasAgg(self.fig)
        self.fig.savefig(bio, format="png", dpi=dpi or self.fig.dpi)
        return bio.getvalue()

    def save(self, path, dpi=None):
        with open(path, "wb") as f:
            f.write(self.to_png(dpi))


class Explorer:
    """Base class. A subclass sets ``defaults`` and ``grid``, and defines ``make_controls(widgets)``,
    ``compute(**values)``, ``panels(values)``, ``readout(values, data)`` and ``snapshot_settings``.

    ``update(**values)`` sets controls and repaints (tests and notebooks call it; the sliders call it
    through ``.observe``). ``data`` holds the last computed arrays, ``readout_text`` the last readout,
    ``lines`` the figure's artists by data key, ``last_update_ms`` the time the last update took.
    """

    defaults: dict = {}
    grid = (1, 1)
    figsize = (9.0, 4.2)
    dpi = 80
    snapshot_settings: list = []
    static_grids: list = []  # for the static site (static.py): each {control: [values]}, the rest at their defaults
    text_only_controls: tuple = ()  # controls that change the readout but not the figure (a sample's temperature)

    def __init__(self, **values):
        import ipywidgets as widgets
        from matplotlib import rc_context

        unknown = set(values) - set(self.defaults)
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: unknown setting(s) {sorted(unknown)}; expected {sorted(self.defaults)}"
            )
        self.controls = self.make_controls(widgets)
        self._syncing = True
        for name, control in self.controls.items():
            control.value = self.defaults[name]
            control.observe(self._on_change, names="value")
        self._syncing = False
        with rc_context(RC):
            self.fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
            self.canvas = FigureCanvasAgg(self.fig)
            self._artists = self.draw_figure(self.fig)
            self.canvas.draw()  # everything but the animated lines: the cached background
            self.fig.set_layout_engine("none")  # freeze the layout so the background stays valid
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.lines = {spec.key: a for spec, a in self._artists}
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.readout_widget = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
                self.image,
                self.readout_widget,
            ]
        )
        self.update(**{**self.defaults, **values})

    # -- what subclasses provide ---------------------------------------------------------------
    def make_controls(self, widgets):
        raise NotImplementedError

    @classmethod
    def compute(cls, **values):
        raise NotImplementedError

    @classmethod
    def panels(cls, values):
        raise NotImplementedError

    def readout(self, values, data):
        raise NotImplementedError

    def draw_figure(self, fig):
        """Draw the figure once: the panels, and the lines that move (returned as the artists ``update`` sets).
        A subclass may draw more around them (the cell explorer adds its diagram of the cell)."""
        return _draw_panels(fig, self.panels(self.defaults), self.grid)

    def extra_html(self, values, data):
        """HTML shown under the readout (e.g. characters coloured by a value); none by default."""
        return ""

    # -- updating ---------------------------------------------------------------------------------
    def _on_change(self, change):
        if not self._syncing:
            self.update()

    def _check(self, name, value):
        control = self.controls[name]
        options = getattr(control, "options", None)
        if options is not None:
            labels = [o[1] if isinstance(o, tuple) else o for o in options]
            if value not in labels:
                raise ValueError(f"{name}: expected one of {labels}, got {value!r}")
        elif not (control.min <= value <= control.max):
            raise ValueError(f"{name}: expected a value from {control.min} to {control.max}, got {value!r}")

    def update(self, **values):
        """Set any controls given, recompute, repaint the figure and the readout."""
        t0 = time.perf_counter()
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(
                    f"{type(self).__name__}.update: unknown setting {name!r}; expected {sorted(self.controls)}"
                )
            self._check(name, value)
        self._syncing = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._syncing = False
        self.values = {name: c.value for name, c in self.controls.items()}
        self.data = self.compute(**self.values)
        _set_data(self._artists, self.data)
        self.image.value = self.render_png()
        self.readout_text = self.readout(self.values, self.data)
        self.readout_widget.value = (
            "<pre style='font-size:13px;line-height:1.35;margin:4px 0'>"
            + html.escape(self.readout_text)
            + "</pre>"
            + self.extra_html(self.values, self.data)
        )
        self.last_update_ms = (time.perf_counter() - t0) * 1e3
        return self

    def render_png(self):
        """Blit, then encode the picture as PNG."""
        self.blit()
        rgba = np.asarray(self.canvas.buffer_rgba())
        return encode_png(rgba)

    def blit(self):
        """Restore the cached background and draw only the moving lines (a subclass may draw more)."""
        self.canvas.restore_region(self._background)
        for _, artist in self._artists:
            artist.axes.draw_artist(artist)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The widget, and as text the explorer with its settings (the static site reads them to show its frames)."""
        data = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        data = dict(data[0] if isinstance(data, tuple) else data)
        data["text/plain"] = f"{type(self).__name__}({json.dumps(self.values)})"
        return data

    @classmethod
    def snapshot(cls, settings=None):
        """Small multiples: one column per setting (default ``snapshot_settings``), as a static figure."""
        from matplotlib import rc_context

        settings = settings or cls.snapshot_settings
        w, h = cls.figsize
        with rc_context(RC):
            fig = Figure(figsize=(w * 0.45 * len(settings), h * 0.9 + 0.4), dpi=90)
            subfigs = np.atleast_1d(fig.subfigures(1, len(settings), wspace=0.02))
            for sub, setting in zip(subfigs, settings, strict=True):
                values = {**cls.defaults, **setting}
                _draw_panels(sub, cls.panels(values), cls.grid, data=cls.compute(**values), animated=False)
                sub.suptitle(cls.describe(values), fontsize=11)
                for ax in sub.axes:
                    if ax.get_legend() is not None:
                        ax.get_legend().remove()
            # one legend for the whole figure, below the panels, so it covers no data
            handles = {}
            for ax in subfigs[0].axes:
                for hnd, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                    handles.setdefault(lab, hnd)
            fig.set_layout_engine("constrained")
            fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncols=min(len(handles), 5))
        return Snapshot(fig)

    @classmethod
    def describe(cls, values):
        return ", ".join(f"{k} = {v}" for k, v in values.items())


def encode_png(rgba):
    """PNG bytes of an (H, W, 4) uint8 image, re-sent on every repaint, so written for speed: 8-bit RGB, no
    per-row filter, zlib level 1 (why not PIL's encoder: docs/performance.md, "The explorers' repaint")."""
    rgb = np.asarray(rgba)[..., :3]
    height, width, _ = rgb.shape
    rows = np.zeros((height, 1 + 3 * width), np.uint8)  # each row: filter type 0 ("none"), then its pixels
    np.copyto(rows[:, 1:].reshape(height, width, 3), rgb)  # a view of rows (the last axis only splits): one copy

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, truecolour, deflate, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b"")
