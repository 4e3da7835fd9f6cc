"""Build the course's site: a book (Sphinx + MyST-NB + sphinx-book-theme) with every notebook executed, its
explorers precomputed so their sliders move without a kernel, the homework (student versions), the teachers'
guide and the performance and testing notes. Fully offline: MathJax, fonts and scripts ship with the site.

    python scripts/build_site.py                  # executes the notebooks, writes site/ (open site/index.html)
    python scripts/build_site.py --out DIR
    python scripts/build_site.py --executed DIR   # notebooks already executed (the test suite passes nbval's)

Publish the output folder as a website. The pages link to Colab and Binder at the course's version tag.
"""

import argparse
import importlib.util
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import nbformat
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REPO = PROJECT["urls"]["Repository"]  # https://github.com/OWNER/NAME
TAG = f"v{PROJECT['version']}"
WIDGET = "application/vnd.jupyter.widget-view+json"
EXPLORER_TEXT = re.compile(r"^(\w+Explorer)\((\{.*\})\)$", re.S)
DOCS = ("teaching.md", "lstm_core.md", "performance.md", "testing.md")


def notebooks():
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def execute(path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3").execute(cwd=str(path.parent))
    return nb


def launch_links(stem):
    owner_repo = REPO.removeprefix("https://github.com/")
    colab = f"https://colab.research.google.com/github/{owner_repo}/blob/{TAG}/notebooks/{stem}.ipynb"
    binder = f"https://mybinder.org/v2/gh/{owner_repo}/{TAG}?urlpath=lab/tree/notebooks/{stem}.ipynb"
    return (
        f'<p class="launch-links">Run this notebook: <a href="{colab}">Open in Colab</a>'
        f'<a href="{binder}">Launch on Binder</a> (both at version {TAG}), or in JupyterLab on your machine '
        "(see the start page).</p>"
    )


def static_explorers(nb, stem, static_dir, cache):
    """Replace every live explorer's widget output with its precomputed frames (lstm_lab.explorers.static)."""
    import lstm_lab.explorers as ex
    from lstm_lab.explorers import static

    sizes = {}
    for k, cell in enumerate(nb.cells):
        for j, out in enumerate(cell.get("outputs", [])):
            data = out.get("data", {})
            m = EXPLORER_TEXT.match(data.get("text/plain", "")) if WIDGET in data else None
            if not m:
                continue
            cls, values = getattr(ex, m.group(1)), json.loads(m.group(2))
            start = {name: v for name, v in values.items() if v != cls.defaults[name]}
            key = (cls.__name__, json.dumps(start, sort_keys=True))
            if key not in cache:
                folder = f"explorers/{cls.__name__}-{len(cache)}"
                cache[key] = static.export(cls, static_dir / folder, f"_static/{folder}", **start)
            page, size = cache[key]
            sizes[f"{stem} cell {k}"] = size
            cell.outputs[j] = nbformat.v4.new_output("display_data", data={"text/html": page})
    return sizes


def prepare(nb, stem, static_dir, cache):
    """An executed notebook as a page: install cell hidden, launch links under the title, explorers static."""
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "colab-install" in tags:
            tags.append("remove-cell")  # the site needs no install
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and "\r" in out.get("text", ""):
                    # a progress bar: keep only its final state, as a terminal would show it
                    out["text"] = "\n".join(line.split("\r")[-1] for line in out["text"].split("\n"))
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(launch_links(stem)))
    return static_explorers(nb, stem, static_dir, cache)


def homework_pages(src):
    """The student versions of the assignments (no solutions, no hidden tests), as pages: made by the grader's
    own release command (``python -m homework release``, run from the repository's top folder)."""
    released = src / "released"
    subprocess.run(
        [sys.executable, "-m", "homework", "release", "--out", str(released)], cwd=ROOT, check=True, capture_output=True
    )
    names = []
    (src / "homework").mkdir()
    for path in sorted(released.glob("*/*.ipynb")):
        shutil.move(path, src / "homework" / path.name)
        names.append(f"homework/{path.stem}")
    shutil.rmtree(released)
    return names


def index_page(stems, homework):
    readme = (ROOT / "README.md").read_text()
    intro = readme.split("\n## ", 1)[0].split("\n", 1)[1]  # the README's opening, below its title
    intro = "\n".join(line for line in intro.splitlines() if "](https://" not in line)  # no badges from the web
    intro = re.sub(r"\]\((docs/[^)]+)\.md\)", r"](\1)", intro)
    intro = intro.replace("](docs/", "](")
    toc = "\n".join(stems)
    return f"""# LSTM Lab

{intro}

```{{toctree}}
:caption: The course
:maxdepth: 1

{toc}
```

```{{toctree}}
:caption: Homework
:maxdepth: 1

{chr(10).join(homework)}
```

```{{toctree}}
:caption: For teachers and developers
:maxdepth: 1

{chr(10).join(p.removesuffix(".md") for p in DOCS if (ROOT / "docs" / p).exists())}
```
"""


def build(out, executed=None, log=print):
    out = pathlib.Path(out)
    with tempfile.TemporaryDirectory(prefix="lstm-lab-site-") as tmp:
        src = pathlib.Path(tmp) / "src"
        shutil.copytree(ROOT / "book", src)
        shutil.copyfile(ROOT / "pyproject.toml", src / "pyproject.toml")
        static_dir = src / "_static"
        shutil.copyfile(ROOT / "lstm_lab" / "explorers" / "static_explorer.js", static_dir / "static_explorer.js")
        ship_mathjax(static_dir)
        for name in DOCS:
            if (ROOT / "docs" / name).exists():
                shutil.copyfile(ROOT / "docs" / name, src / name)
        for picture in (ROOT / "docs").glob("*.png"):
            shutil.copyfile(picture, src / picture.name)
        cache, sizes, stems = {}, {}, []
        for path in notebooks():
            nb = nbformat.read(pathlib.Path(executed) / path.name, as_version=4) if executed else execute(path)
            sizes.update(prepare(nb, path.stem, static_dir, cache))
            nbformat.write(nb, src / path.name)
            stems.append(path.stem)
            log(f"prepared {path.name}")
        homework = homework_pages(src)
        (src / "index.md").write_text(index_page(stems, homework))
        if out.exists():
            shutil.rmtree(out)
        r = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", str(src), str(out)],
            capture_output=True,
            text=True,
        )
        if r.returncode:
            raise SystemExit(f"sphinx-build failed:\n{r.stdout}\n{r.stderr}")
    (out / "explorer-sizes.json").write_text(json.dumps(sizes, indent=1))
    log(f"site: {out / 'index.html'}")
    return out


def ship_mathjax(static_dir):
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("build_site: django-static-mathjax is not installed (pip install -r requirements-test.txt)")
    js = pathlib.Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5" / "tex-svg.js"
    (static_dir / "mathjax").mkdir(exist_ok=True)
    shutil.copyfile(js, static_dir / "mathjax" / "tex-svg.js")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "site"))
    ap.add_argument("--executed", help="a folder of the notebooks already executed (they are not run again)")
    args = ap.parse_args(argv)
    build(args.out, args.executed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
