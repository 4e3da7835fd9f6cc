"""Build the course's site: a book (Sphinx + MyST-NB + sphinx-book-theme) with every notebook executed, its
explorers precomputed so their sliders move without a kernel, the homework (student versions), the teachers'
guide and the performance and testing notes, and in site/lite/ the whole course runnable in the browser
(JupyterLite: scripts/build_lite.py). Fully offline: MathJax, fonts, scripts and Python ship with the site.

    python scripts/build_site.py                  # executes the notebooks, writes site/ (open site/index.html)
    python scripts/build_site.py --out DIR
    python scripts/build_site.py --executed DIR   # notebooks already executed (the test suite passes nbval's)
    python scripts/build_site.py --pyodide-packages DIR   # Pyodide's package files from DIR (else downloaded)
    python scripts/build_site.py --no-lite        # the book alone, without site/lite/

Publish the output folder as a website (any static host). The pages link to the course in the browser
(site/lite/), and to Colab and Binder at the course's version tag. The first build with the lite app gathers
what it needs once (pip, npm, and Pyodide's release unless --pyodide-packages): see scripts/build_lite.py.
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

import build_lite  # a sibling: python puts a script's own folder on sys.path
import nbformat
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REPO = PROJECT["urls"]["Repository"]  # https://github.com/OWNER/NAME
TAG = f"v{PROJECT['version']}"
WIDGET = "application/vnd.jupyter.widget-view+json"
EXPLORER_TEXT = re.compile(r"^(\w+Explorer)\((\{.*\})\)$", re.S)
DOCS = ("teaching.md", "lstm_core.md", "performance.md", "testing.md")
LITE_DIR = "lite"  # the course in the browser, inside the site
LITE_APP = f"{LITE_DIR}/lab/index.html"  # JupyterLab of the lite app; ?path= opens a notebook
LITE_DOWNLOAD_MB = 47  # what a first visit that runs a notebook downloads (tests/test_lite.py measures it)


def notebooks():
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def execute(path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3").execute(cwd=str(path.parent))
    return nb


def lite_link(path, depth=0):
    """The lite app opening ``path`` (a notebook in it), from a page ``depth`` folders below the site's top."""
    return f"{'../' * depth}{LITE_APP}?path={path}"


def colab_and_binder(stem):
    """The notebook ``stem`` at the course's version on Colab and on Binder: (Colab's URL, Binder's URL)."""
    owner_repo = REPO.removeprefix("https://github.com/")
    return (
        f"https://colab.research.google.com/github/{owner_repo}/blob/{TAG}/notebooks/{stem}.ipynb",
        f"https://mybinder.org/v2/gh/{owner_repo}/{TAG}?urlpath=lab/tree/notebooks/{stem}.ipynb",
    )


def launch_links(stem, lite=True):
    colab, binder = colab_and_binder(stem)
    browser = f'<a href="{lite_link(f"notebooks/{stem}.ipynb")}">Run in your browser</a>' if lite else ""
    return (
        f'<p class="launch-links">Run this notebook: {browser}<a href="{colab}">Open in Colab</a>'
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


def prepare(nb, stem, static_dir, cache, lite=True):
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
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(launch_links(stem, lite)))
    return static_explorers(nb, stem, static_dir, cache)


def student_versions(folder):
    """The student versions of the assignments (no solutions, no hidden tests), made by the grader's own release
    command (``python -m homework release``, run from the repository's top folder): {name: notebook file}."""
    subprocess.run(
        [sys.executable, "-m", "homework", "release", "--out", str(folder)], cwd=ROOT, check=True, capture_output=True
    )
    return {path.stem: path for path in sorted(pathlib.Path(folder).glob("*/*.ipynb"))}


def homework_pages(src, students, lite=True):
    """The student versions as pages, each with a link that opens it in the browser."""
    (src / "homework").mkdir()
    for name, path in students.items():
        nb = nbformat.read(path, as_version=4)
        if lite:
            link = lite_link(f"homework/{name}.ipynb", depth=1)
            nb.cells.insert(
                1,
                nbformat.v4.new_markdown_cell(
                    f'<p class="launch-links">Work on this assignment: <a href="{link}">Run in your browser</a> '
                    "(download it from there when you hand it in), or in JupyterLab on your machine.</p>"
                ),
            )
        nbformat.write(nb, src / "homework" / f"{name}.ipynb")
    return [f"homework/{name}" for name in students]


def run_it(stems, lite):
    """The first page's ways to run the course: in the browser (when the site has it), Binder, Colab, a laptop."""
    first = stems[0]
    colab, binder = colab_and_binder(first)
    browser = (
        f'<strong><a href="{lite_link(f"notebooks/{first}.ipynb")}">Run in your browser</a></strong>, nothing '
        "installed: JupyterLab and "
        "Python run inside this site, offline once loaded. The first visit downloads about "
        f"{LITE_DOWNLOAD_MB} MB (the browser keeps it), the Python kernel takes about half a minute to start, and "
        "training runs several times slower than a Python installed on your machine; your changes stay in this "
        "browser until you download the notebook (right-click it in the file browser, Download). A current desktop "
        "browser; phones are not a target. "
        if lite
        else ""
    )
    return (
        f"## Run the course\n\n{browser}Or [on Binder]({binder}) (JupyterLab on a public service; it can take "
        f"minutes to start), [on Colab]({colab}) (a Google account), or on your machine: "
        "`pip install -r requirements.txt && jupyter lab` from the repository.\n"
    )


def index_page(stems, homework, lite=True):
    readme = (ROOT / "README.md").read_text()
    intro = readme.split("\n## ", 1)[0].split("\n", 1)[1]  # the README's opening, below its title
    intro = "\n".join(line for line in intro.splitlines() if "](https://" not in line)  # no badges from the web
    intro = re.sub(r"\]\((docs/[^)]+)\.md\)", r"](\1)", intro)
    intro = intro.replace("](docs/", "](")
    toc = "\n".join(stems)
    return f"""# LSTM Lab

{intro}

{run_it(stems, lite)}

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


def build(out, executed=None, log=print, lite=True, pyodide_packages=None):
    """The site in ``out``; with ``lite``, the course in the browser in ``out``/lite (scripts/build_lite.py)."""
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
            sizes.update(prepare(nb, path.stem, static_dir, cache, lite))
            nbformat.write(nb, src / path.name)
            stems.append(path.stem)
            log(f"prepared {path.name}")
        students = student_versions(pathlib.Path(tmp) / "students")
        homework = homework_pages(src, students, lite)
        (src / "index.md").write_text(index_page(stems, homework, lite))
        if out.exists():
            shutil.rmtree(out)
        r = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", str(src), str(out)],
            capture_output=True,
            text=True,
        )
        if r.returncode:
            raise SystemExit(f"sphinx-build failed:\n{r.stdout}\n{r.stderr}")
        if lite:
            contents = {f"notebooks/{p.name}": p for p in notebooks()}
            contents.update({f"homework/{name}.ipynb": p for name, p in students.items()})
            try:
                build_lite.fetch(pyodide_packages, log=log)  # only what is missing (nothing: no network)
                build_lite.build(out / LITE_DIR, contents, pyodide_packages, log=log)
            except build_lite.LiteError as e:
                raise SystemExit(f"build_site: the lite app: {e} (or build without it: --no-lite)") from None
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
    ap.add_argument("--pyodide-packages", help="a folder of Pyodide's package files (else: build/lite-cache, fetched)")
    ap.add_argument("--no-lite", action="store_true", help="the book alone: no site/lite/, no 'Run in your browser'")
    args = ap.parse_args(argv)
    build(args.out, args.executed, lite=not args.no_lite, pyodide_packages=args.pyodide_packages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
