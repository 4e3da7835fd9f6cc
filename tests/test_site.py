"""The course's site (scripts/build_site.py: Sphinx + MyST-NB + sphinx-book-theme), checked in headless Chromium.

Built from the notebooks as nbval executed them in this test run (each notebook runs once). Every page: no
error output, every image loaded, every internal link resolving, math rendered by the shipped MathJax, nothing
fetched from the network. Every static explorer: each slider dragged with the mouse, and the picture and the
readout must change and equal what the Python explorer shows at that setting. Screenshots are saved in the
test's temporary folder (printed with -s).
"""

import io
import json
import pathlib
import re
import urllib.parse

import numpy as np
import pytest
from helpers import chromium

ROOT = pathlib.Path(__file__).resolve().parents[1]
pytest.importorskip("myst_nb", reason="MyST-NB is not installed (pip install -r requirements-test.txt)")
COURSE = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def site(built_site):
    return built_site  # tests/conftest.py builds it once for this file and tests/test_lite.py


def pages(site):
    """The book's pages (the lite app in lite/ has its own test: tests/test_lite.py)."""
    return sorted(
        p
        for p in site.rglob("*.html")
        if "_static" not in p.parts and p.parts[len(site.parts)] != "lite" and p.name not in ("genindex.html",)
    )


def test_every_notebook_homework_and_guide_is_a_page_in_course_order(site):
    for stem in COURSE:
        assert (site / f"{stem}.html").exists(), stem
    for name in ("teaching", "performance", "lstm_core"):
        assert (site / f"{name}.html").exists(), name
    assert len(list((site / "homework").glob("a*.html"))) >= 4
    index = (site / "index.html").read_text()
    positions = [index.find(f'href="{stem}.html"') for stem in COURSE]
    assert all(p > 0 for p in positions) and positions == sorted(positions), positions


def test_pages_have_no_errors_links_resolve_and_nothing_comes_from_the_network(site):
    problems = []
    for page in pages(site):
        text = page.read_text()
        if "Traceback" in text or 'class="output stderr"' in text:
            problems.append(f"{page.name}: error output")
        for m in re.finditer(r'<(?:script|img|link)[^>]+(?:src|href)="(https?:)?//', text):
            problems.append(f"{page.name}: loads {text[m.start() : m.start() + 120]!r} from the network")
        for href in re.findall(r'href="([^"#:]+\.html)(?:#[^"]*)?"', text):
            target = (page.parent / urllib.parse.unquote(href)).resolve()
            if not target.exists():
                problems.append(f"{page.name}: a link to {href} goes nowhere")
        for src in re.findall(r'<img[^>]+src="([^"]+)"', text):
            if not src.startswith("data:") and not (page.parent / urllib.parse.unquote(src)).exists():
                problems.append(f"{page.name}: a missing image {src}")
    assert not problems, "\n".join(problems[:30])


def test_every_notebook_page_shows_its_time_objectives_and_launch_links(site):
    for stem in COURSE:
        text = (site / f"{stem}.html").read_text()
        assert re.search(r"About \d+ minutes", text), stem
        assert "By the end of this notebook" in text or "In this notebook" in text, stem
        assert "colab.research.google.com/github/" in text and f"notebooks/{stem}.ipynb" in text, stem
        assert "%pip install" not in text, f"{stem}: the Colab install cell belongs in the notebook, not on the site"


def test_each_static_explorer_fits_its_budget(site):
    sizes = json.loads((site / "explorer-sizes.json").read_text())
    assert sizes, "no static explorer on the site"
    for where, size in sizes.items():
        assert size <= 2_000_000, f"{where}: {size:,} bytes of frames"


# --- in a real browser ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    with chromium("--allow-file-access-from-files") as b:
        yield b


def open_page(browser, path):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return context, page, requests


def test_every_page_renders_in_chromium(site, browser):
    problems = []
    for path in pages(site):
        context, page, requests = open_page(browser, path)
        try:
            if page.locator("span.math, div.math").count():
                page.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=20_000)
                if page.locator("mjx-merror").count():
                    problems.append(f"{path.name}: MathJax could not render {page.locator('mjx-merror').count()}")
            broken = page.evaluate(
                "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(-60))"
            )
            if broken:
                problems.append(f"{path.name}: images that did not load: {broken[:3]}")
            outside = [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]
            if outside:
                problems.append(f"{path.name}: requests to the network: {outside[:3]}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_search_finds_the_course(site, browser):
    context, page, _ = open_page(browser, site / "search.html")
    try:
        page.goto((site / "search.html").as_uri() + "?q=forget+gate")
        page.wait_for_selector("#search-results li", timeout=30_000)
        hits = page.locator("#search-results li a").all_inner_texts()
        assert any("gate" in h.lower() or "forget" in h.lower() or "·" in h for h in hits), hits
    finally:
        context.close()


def _python_frame(cls_name, values):
    """What the Python explorer shows at these settings: (readout, picture as an array)."""
    from PIL import Image

    import lstm_lab.explorers as ex

    e = getattr(ex, cls_name)()
    e.update(**values)
    return e.readout_text, np.asarray(Image.open(io.BytesIO(e.image.value)).convert("RGB"), dtype=float)


def _shown_values(spec, page_values):
    convert = {"option": str, "int": int, "float": float}
    return {name: convert[spec["controls"][name]["type"]](raw) for name, raw in page_values.items()}


def test_static_explorers_move_when_dragged_and_match_python(site, browser, tmp_path_factory):
    from PIL import Image

    shots = tmp_path_factory.mktemp("site-shots")
    print(f"\nstatic explorer screenshots in {shots}")
    checked = 0
    for stem in COURSE:
        path = site / f"{stem}.html"
        if "static-explorer" not in path.read_text():
            continue
        context, page, _ = open_page(browser, path)
        try:
            roots = page.locator(".static-explorer")
            for r in range(roots.count()):
                root = roots.nth(r)
                root.scroll_into_view_if_needed()
                spec = json.loads(root.locator(".static-explorer-spec").text_content())
                root.screenshot(path=str(shots / f"{stem}_{r}_before.png"))
                for s in range(root.locator("input[type=range]").count()):
                    slider = root.locator("input[type=range]").nth(s)
                    name = slider.get_attribute("data-control")
                    img, readout = root.locator(".static-explorer-image"), root.locator(".static-explorer-readout")
                    before = img.get_attribute("src"), readout.inner_text()
                    box = slider.bounding_box()
                    x0 = box["x"] + box["width"] * (
                        0.9 if int(slider.input_value()) < int(slider.get_attribute("max")) / 2 else 0.1
                    )
                    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                    page.mouse.down()
                    page.mouse.move(x0, box["y"] + box["height"] / 2, steps=8)
                    page.mouse.up()
                    after = img.get_attribute("src"), readout.inner_text()
                    assert after[0] != before[0] and after[1] != before[1], f"{stem}: {name} dragged, nothing changed"
                    values = page.evaluate(
                        "root => Object.fromEntries([...root.querySelectorAll('[data-control]')].map(e => "
                        "[e.dataset.control, e.tagName === 'SELECT' ? e.value : e.nextSibling.textContent]))",
                        root.element_handle(),
                    )
                    want_text, want_img = _python_frame(spec["explorer"], _shown_values(spec, values))
                    assert readout.inner_text().strip() == want_text.strip(), (stem, name, values)
                    frame = np.asarray(Image.open(site / urllib.parse.unquote(after[0])).convert("RGB"), dtype=float)
                    assert frame.shape == want_img.shape and np.abs(frame - want_img).mean() < 3.0, (stem, name)
                    checked += 1
                root.screenshot(path=str(shots / f"{stem}_{r}_after.png"))
        finally:
            context.close()
    assert checked >= 8, checked
