"""Render the whole course, executed, to static HTML: one page per notebook plus an index in course order.

    python scripts/build_site.py            # writes site/ (publish that folder as a website)
    python scripts/build_site.py --out DIR
    python scripts/build_site.py --executed DIR   # notebooks already executed (the test suite passes nbval's)

Live explorers need a kernel, so in the static pages each explorer's widget output is replaced by a
short note; the snapshot cell that follows every explorer carries its figure. Needs nbconvert and
nbclient (installed with JupyterLab), and django-static-mathjax, whose copy of MathJax 3 the site
carries in site/mathjax/ so the equations render without any network (nbconvert would load MathJax
from a CDN).
"""

import argparse
import html
import importlib.util
import json
import pathlib
import re
import shutil
import sys

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = pathlib.Path(__file__).resolve().parents[1]
WIDGET = "application/vnd.jupyter.widget-view+json"
NOTE = (
    "<p><em>Interactive explorer: run this notebook in JupyterLab to move its sliders. "
    "The static figure below shows it at a few settings.</em></p>"
)


# MathJax 3, shipped with the site: $...$ and $$...$$ as in the notebooks, SVG output (no font files)
MATHJAX = """<script>
window.MathJax = {tex: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
  processEscapes: true, tags: "none"}, svg: {fontCache: "global"}};
</script>
<script src="mathjax/tex-svg.js" defer></script>"""


def ship_mathjax(out_dir):
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("build_site: django-static-mathjax is not installed (pip install -r requirements-test.txt)")
    src = pathlib.Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5" / "tex-svg.js"
    (out_dir / "mathjax").mkdir(exist_ok=True)
    shutil.copyfile(src, out_dir / "mathjax" / "tex-svg.js")


def use_local_mathjax(body):
    """Swap nbconvert's CDN MathJax 2 loader and its configuration for the shipped MathJax 3."""
    start, end = body.index("<!-- Load mathjax -->"), body.index("<!-- End of mathjax configuration -->")
    return body[:start] + MATHJAX + body[end + len("<!-- End of mathjax configuration -->") :]


def render(path, out_dir, executed=None):
    if executed is None:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    else:
        nb = nbformat.read(executed / path.name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.get("outputs", []):
            if WIDGET in out.get("data", {}):
                out = nbformat.v4.new_output("display_data", data={"text/html": NOTE})
            elif out.get("output_type") == "stream" and "\r" in out.get("text", ""):
                # a progress bar: keep only its final state, as a terminal would show it
                out["text"] = "\n".join(line.split("\r")[-1] for line in out["text"].split("\n"))
            outputs.append(out)
        cell.outputs = outputs
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    body = re.sub(r'href="([0-9]{2}_[a-z_]+)\.ipynb"', r'href="\1.html"', body)  # links between notebooks
    body = use_local_mathjax(body)
    # nothing else from a CDN: require.js (for live widgets, replaced above) and mermaid (no diagrams here)
    body = re.sub(r'<script src="https://cdnjs[^"]*require[^"]*"></script>', "", body)
    body = re.sub(r'<script type="module">(?:(?!</script>).)*mermaid(?:(?!</script>).)*</script>', "", body, flags=re.S)
    body = body.replace("<title>Notebook</title>", f"<title>{html.escape(title_of(nb))} · LSTM Lab</title>", 1)
    target = out_dir / f"{path.stem}.html"
    target.write_text(body)
    return target, nb


def title_of(nb):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            first = cell.source.strip().splitlines()[0]
            return first.lstrip("# ").strip()
    return "untitled"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "site"))
    ap.add_argument("--executed", help="a folder of the notebooks already executed (they are not run again)")
    args = ap.parse_args(argv)
    executed = pathlib.Path(args.executed) if args.executed else None
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    ship_mathjax(out_dir)
    pages = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        target, nb = render(path, out_dir, executed)
        pages.append((target.name, title_of(nb)))
        print(f"rendered {path.name} -> {target}", flush=True)
    items = "\n".join(f'<li><a href="{html.escape(name)}">{html.escape(title)}</a></li>' for name, title in pages)
    (out_dir / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>LSTM Lab</title></head>"
        "<body style='font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.5'>"
        "<h1>LSTM Lab</h1><p>An interactive course on Long Short-Term Memory networks, rendered with its "
        "figures. To move the sliders, open the notebooks in JupyterLab (see the repository's README).</p>"
        f"<ol start='0'>\n{items}\n</ol></body></html>\n"
    )
    (out_dir / "pages.json").write_text(json.dumps(pages, indent=1))
    print(f"index: {out_dir / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
