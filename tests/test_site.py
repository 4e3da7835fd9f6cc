"""The static course: scripts/build_site.py renders every notebook, executed, to HTML with an index.

Checks each page has its figures, no error output, working links between notebooks, and that the
index lists every notebook in course order.
"""

import json
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
pytest.importorskip("nbconvert", reason="nbconvert is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory, executed_notebooks):
    out = tmp_path_factory.mktemp("site")
    executed = executed_notebooks.all()  # the notebooks as nbval ran them: the site does not run them again
    cmd = [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(out), "--executed", str(executed)]
    subprocess.run(cmd, check=True, timeout=900)
    print(f"\nstatic site built in {out}")
    return out


def test_index_lists_every_notebook_in_order(site):
    pages = json.loads((site / "pages.json").read_text())
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p[0] for p in pages] == [f"{n}.html" for n in notebooks]
    index = (site / "index.html").read_text()
    assert all(f'href="{name}"' in index for name, _ in pages)


@pytest.mark.parametrize("stem", sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
def test_page_has_figures_and_no_errors(site, stem):
    page = (site / f"{stem}.html").read_text()
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64', page)) >= 1, f"{stem} has no figure"
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page, f"{stem} shows an error output"
    assert "Traceback" not in page, f"{stem} shows a traceback"
    assert "cdnjs" not in page and 'src="mathjax/tex-svg.js"' in page, "MathJax must come with the site, not from a CDN"
    assert (site / "mathjax" / "tex-svg.js").stat().st_size > 1_000_000
    for target in re.findall(r'href="([0-9]{2}_[a-z_]+\.html)"', page):
        assert (site / target).exists(), f"{stem} links to a missing page {target}"
