"""Explorers that move without a kernel: precomputed frames and a small script that swaps them.

For the static site, ``export(explorer_cls, folder)`` renders the explorer at every setting of its
``static_grids`` (each grid: a few controls and the values they take, the other controls at their defaults),
saves each picture as a small palette PNG and returns the HTML that shows them: the same controls, as range
sliders and menus, an image and the text readout. ``static_explorer.js`` (shipped in the site) swaps the picture
and the readout as the reader drags. Every frame is what the Python explorer shows at that setting: the
browser test compares them.

Where an explorer's grids differ (say b_f with the input pattern, then b_i alone), moving a control shows the
precomputed setting with the moved control's new value that differs least from the current one: the controls
outside its grid may return to their defaults; the page says so under the controls.
"""

import html
import io
import itertools
import json
import pathlib

import numpy as np

SCRIPT = pathlib.Path(__file__).resolve().parent / "static_explorer.js"


def grids(cls):
    """The explorer's static grids: its ``static_grids`` list, or what its ``static_grids()`` classmethod returns."""
    g = cls.static_grids
    return list(g() if callable(g) else g)


def frames(cls):
    """Every setting the static version shows: a list of full value dicts, defaults first, no repeats."""
    seen, out = set(), []
    for grid in [{}] + grids(cls):
        names = list(grid)
        for combo in itertools.product(*(grid[n] for n in names)):
            values = {**cls.defaults, **dict(zip(names, combo, strict=True))}
            key = frame_key(values)
            if key not in seen:
                seen.add(key)
                out.append(values)
    return out


def frame_key(values):
    return "|".join(f"{k}={_fmt(v)}" for k, v in sorted(values.items()))


def _fmt(v):
    return f"{v:g}" if isinstance(v, float) else str(v)


def _palette_png(rgba, colors=64):
    from PIL import Image

    img = Image.fromarray(np.ascontiguousarray(np.asarray(rgba)[..., :3]))
    bio = io.BytesIO()
    img.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(bio, format="PNG", optimize=True)
    return bio.getvalue()


def export(cls, folder, url_prefix, **start):
    """Render every frame of ``cls`` into ``folder`` (PNG files) and return (html, total bytes).

    ``url_prefix``: how the page refers to ``folder``; ``start``: the settings the page opens at (the notebook's).
    """
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    explorer = cls(**start)
    controls = {}
    for name, control in explorer.controls.items():
        values = sorted({v for grid in grids(cls) for v in grid.get(name, [])} | {cls.defaults[name]}, key=_order)
        if start.get(name) is not None and start[name] not in values:
            values = sorted([*values, start[name]], key=_order)
        if len(values) < 2:
            continue  # a control the static version does not move is not shown
        label = getattr(control, "description", name)
        kind = "option" if not hasattr(control, "min") else type(cls.defaults[name]).__name__  # int or float
        controls[name] = {
            "label": label,
            "values": [_fmt(v) for v in values],
            "options": kind == "option",
            "type": kind,
        }
    table, size = {}, 0
    settings = frames(cls)
    start_values = {**cls.defaults, **start}
    if frame_key(start_values) not in {frame_key(v) for v in settings}:
        settings.append(start_values)
    for k, values in enumerate(settings):
        explorer.update(**values)
        png = _palette_png(explorer.canvas.buffer_rgba())
        name = f"frame{k:03d}.png"
        (folder / name).write_bytes(png)
        size += len(png)
        table[frame_key(values)] = {
            "img": f"{url_prefix}/{name}",
            "readout": explorer.readout_text,
            "values": {k: _fmt(v) for k, v in values.items()},
        }
    spec = {
        "explorer": cls.__name__,
        "controls": controls,
        "start": {k: _fmt(v) for k, v in start_values.items()},
        "frames": table,
    }
    first = table[frame_key(start_values)]
    data = json.dumps(spec).replace("</", "<\\/")  # safe inside <script>: no "</" can end it early
    page = (
        f'<div class="static-explorer" data-explorer="{cls.__name__}">'
        f'<script type="application/json" class="static-explorer-spec">{data}</script>'
        '<div class="static-explorer-controls"></div>'
        f'<img class="static-explorer-image" alt="{html.escape(cls.__name__)} at its settings: the readout below gives '
        f'the numbers" src="{first["img"]}" style="max-width:100%">'
        f'<pre class="static-explorer-readout" aria-live="polite">{html.escape(first["readout"])}</pre>'
        '<p class="static-explorer-note" style="font-size:0.85em">Precomputed: this page has no Python behind it, '
        f"so the sliders step through {len(table)} settings computed in advance (moving a control of another "
        "group returns the rest to their defaults). Open the notebook in JupyterLab, Binder or Colab for every setting.</p>"
        "</div>"
    )
    return page, size


def _order(v):
    return (0, v, "") if isinstance(v, int | float) else (1, 0, str(v))
