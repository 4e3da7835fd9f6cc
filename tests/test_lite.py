"""The course in the browser (the site's lite/ folder: JupyterLite, its Python kernel Pyodide), in a real Chromium.

The built site is served on 127.0.0.1; every request for any other host is refused and counted, and one such
request fails the run. Every course notebook, and every assignment's student version completed with the model
answers (as a student would hand it in), runs top to bottom in the browser's kernel with no error output; one
slider of each explorer is moved with the keyboard and the time from key press to new image is measured. Each
page of the book links to its notebook in the lite app; every file the lite app ships is the one its lock or
lite/pins.toml names. At the end of the test run, the root conftest.py prints the timings (benchmarks: reported,
never asserted): page open, kernel start, imports, run-all per notebook, repaints, what a visit downloads.

Needs the lite build's inputs (`python scripts/build_lite.py fetch`, which .ci/run does); without them the site is
built without lite/ and these tests skip, unless LSTM_LAB_REQUIRE_LITE=1 (CI), where they fail.
"""

import functools
import hashlib
import http.server
import json
import os
import pathlib
import re
import statistics
import threading
import time
import urllib.parse

import build_lite
import build_site
import nbformat
import pytest
from helpers import chromium, lite_inputs_missing, solved

from homework import notebooks as HW
from lstm_lab.text import FIRST_PART

ROOT = pathlib.Path(__file__).resolve().parents[1]
COURSE = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

ASSIGNMENTS = list(HW.assignments())
TIMES = {}  # notebook or assignment -> {"page": s, "kernel": s, "imports": s, "run": s}
REPAINTS = {}  # explorer -> [ms, ...]
OUTSIDE = []  # every request for a host other than 127.0.0.1
INFO = {}
RUN_TIMEOUT = 2400  # seconds for one Run All: notebook 06 takes minutes in the browser, far more on a busy machine
# stderr lines that are no error: matplotlib builds its font list once per kernel (the browser's Python starts
# with an empty file system) and says so
BENIGN_STDERR = ("Matplotlib is building the font cache; this may take a moment.",)
SHOTS = ("02_lstm_cell_gate_by_gate", "06_text")  # screenshots kept for the record (printed at the end)


def cpu_seconds():
    """CPU time used so far by this process's descendants (playwright's driver and Chromium, with the processes they
    ended): on an idle machine the browser's work takes about this long; on a busy one the wall clock says little."""
    ticks = os.sysconf("SC_CLK_TCK")
    children, total = {}, 0.0
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append((int(stat.parent.name), fields))
    todo = [os.getpid()]
    while todo:
        for pid, fields in children.get(todo.pop(), []):
            total += sum(int(x) for x in fields[11:15]) / ticks  # utime, stime, cutime, cstime
            todo.append(pid)
    return total


def report():
    """Lines for the end of the test run (the end_of_run_report fixture prints them)."""
    if not TIMES:
        return []
    lines = [
        "",
        f"the course in the browser (JupyterLite, Pyodide {build_lite.PINS['pyodide']['version']}) in Chromium, served on 127.0.0.1"
        f" (load average {INFO.get('load', '?')}); seconds, measured, not asserted:",
        f"  {'notebook':34} {'page':>6} {'kernel':>7} {'imports':>8} {'run all':>8} {'browser CPU':>12}",
    ]
    for name, t in TIMES.items():
        lines.append(
            f"  {name:34} {t.get('page', 0):6.1f} {t.get('kernel', 0):7.1f} {t.get('imports', 0):8.1f} "
            f"{t.get('run', 0):8.1f} {t.get('cpu', 0):12.1f}"
        )
    for name, t in TIMES.items():
        if t.get("slow"):
            cells = ", ".join(f"cell {k} {sec:.0f} s" for sec, k in t["slow"])
            lines.append(f"  {name}: the slowest cells: {cells}")
    lines.append(
        "  (page: open to notebook shown; kernel: then to kernel idle; imports: Run All to the first two code cells"
        " done; browser CPU: CPU seconds Chromium spent on the whole test, about its wall time on an idle machine)"
    )
    for name, ms in ((n, ms) for n, ms in REPAINTS.items() if ms):
        p90 = statistics.quantiles(ms, n=10, method="inclusive")[-1] if len(ms) > 1 else ms[0]
        lines.append(
            f"  repaint {name:26} median {statistics.median(ms):6.1f} ms   p90 {p90:6.1f} ms   (n = {len(ms)})"
        )
    if "site_mb" in INFO:
        lines.append(f"  site: {INFO['site_mb']:.1f} MB, of which lite/ {INFO['lite_mb']:.1f} MB")
    if "visit_mb" in INFO:
        lines.append(f"  a first visit that runs notebook 00 downloads {INFO['visit_mb']:.1f} MB")
    lines.append(f"  requests for other hosts: {len(OUTSIDE)}")
    if "shots" in INFO:
        lines.append(f"  screenshots: {INFO['shots']}")
    return lines


# --- the site, served ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(built_site, end_of_run_report):
    end_of_run_report(report)
    if not (built_site / build_site.LITE_DIR / "index.html").exists():
        lite_inputs_missing("the site was built without lite/ (run `python scripts/build_lite.py fetch` first)")
    INFO["site_mb"] = build_lite.size_mb(built_site)
    INFO["lite_mb"] = build_lite.size_mb(built_site / build_site.LITE_DIR)
    INFO["load"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return built_site


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, with the types a browser insists on; counts the bytes it sends. For the tests only, the lite
    app's configuration also asks JupyterLab to expose itself as window.jupyterapp (as JupyterLab's own UI tests do),
    so that the test reads cells and outputs from the notebook's model, not from the page (JupyterLab attaches
    only the cells in view)."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".ipynb": "application/json",
        ".whl": "application/octet-stream",
    }
    sent = [0]

    def log_message(self, *args):
        pass

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path == f"/{build_site.LITE_DIR}/jupyter-lite.json":
            config = json.loads((pathlib.Path(self.directory) / build_site.LITE_DIR / "jupyter-lite.json").read_text())
            config["jupyter-config-data"]["exposeAppInBrowser"] = True
            body = json.dumps(config).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.sent[0] += len(body)
            return
        super().do_GET()

    def copyfile(self, source, outputfile):
        start = source.tell()
        super().copyfile(source, outputfile)
        self.sent[0] += source.tell() - start


@pytest.fixture(scope="module")
def server(site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    # a host resolver that knows no host but 127.0.0.1: a request the route below let through still goes nowhere
    with chromium("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1") as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lite-shots")
    INFO["shots"] = str(folder)
    return folder


def outside(url):
    """Whether ``url`` leaves the site: any host but 127.0.0.1 (data: and blob: URLs stay in the page)."""
    return not url.startswith(("data:", "blob:")) and urllib.parse.urlsplit(url).hostname != "127.0.0.1"


def new_context(browser):
    """A fresh browser profile (as a learner's first visit): requests for other hosts refused and counted."""
    INFO["cpu_at_start"] = cpu_seconds()
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)

    def count(url):  # each address once, whichever of the two below saw it first
        if url not in OUTSIDE:
            OUTSIDE.append(url)

    def route(r):
        if outside(r.request.url):
            count(r.request.url)
            r.abort()
        else:
            r.continue_()

    def seen(r):  # a request the route did not see (a worker's, say) is counted too
        if outside(r.url):
            count(r.url)

    context.route("**/*", route)
    context.on("request", seen)
    return context


# --- driving JupyterLab through its model ------------------------------------------------------------------------
STATE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.content.model || !w.sessionContext) { return null; }
  const cells = w.content.model.cells, counts = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    counts.push(c.type === 'code' ? c.executionCount : -1);
  }
  return {status: w.sessionContext.kernelDisplayStatus, counts: counts, path: w.context.path};
}"""

OUTPUTS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells, out = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    out.push(c.type === 'code' ? {source: c.sharedModel.getSource(), tags: c.getMetadata('tags') || [],
                                   outputs: c.outputs.toJSON()} : null);
  }
  return out;
}"""


def state(page):
    return page.evaluate(STATE)


def open_notebook(context, server, path):
    """Open ``path`` in the lite app; returns (page, seconds to the notebook shown, seconds more to the kernel idle)."""
    page = context.new_page()
    t0 = time.perf_counter()
    page.goto(f"{server}/{build_site.lite_link(path)}")
    page.wait_for_function(
        f"() => {{ const s = ({STATE})(); return s && s.path === {json.dumps(path)}; }}", timeout=120_000
    )
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    shown = time.perf_counter()
    page.wait_for_function(
        f"() => {{ const s = ({STATE})(); return s && s.status === 'idle'; }}", timeout=300_000, polling=250
    )
    return page, shown - t0, time.perf_counter() - shown


def run_all(page, timeout=RUN_TIMEOUT):
    """Run > Run All Cells, then wait until the kernel is idle and every code cell ran (or one failed).
    Returns (seconds, {code cell index: seconds after the start when it finished})."""
    codes = [k for k, n in enumerate(state(page)["counts"]) if n != -1]
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    t0 = time.perf_counter()
    done, idle = {}, 0
    page.wait_for_function(f"() => ({STATE})().counts.every(n => n !== null) === false", timeout=30_000)
    while time.perf_counter() - t0 < timeout:
        s = state(page)
        now = time.perf_counter() - t0
        for k in codes:
            if s["counts"][k] is not None and k not in done:
                done[k] = now
        idle = idle + 1 if s["status"] == "idle" else 0
        if idle >= 6 and (len(done) == len(codes) or problems(page)):
            return now, done
        time.sleep(0.25)
    finished = ", ".join(f"cell {k} at {t:.0f} s" for k, t in sorted(done.items()))
    raise AssertionError(
        f"Run All did not finish within {timeout} s: {len(done)} of {len(codes)} cells ran ({finished})"
    )


def problems(page):
    """Error outputs of the notebook (from its model): tracebacks, and stderr other than known harmless lines."""
    found = []
    for k, cell in enumerate(page.evaluate(OUTPUTS)):
        for out in (cell or {}).get("outputs", []):
            if out["output_type"] == "error":
                found.append(f"cell {k}: {out['ename']}: {out['evalue']}")
            elif out["output_type"] == "stream" and out["name"] == "stderr":
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                lines = [ln for ln in text.splitlines() if ln.strip() and ln.strip() not in BENIGN_STDERR]
                if lines:
                    found.append(f"cell {k}: stderr: {lines[0][:200]}")
    return found


def record(name, page_s, kernel_s, run_s, done, first_code):
    """The timings of one notebook: imports = its first two code cells (the install cell, which loads the
    course's packages, and the imports)."""
    second = sorted(done)[1] if len(done) > 1 else first_code
    cpu = cpu_seconds() - INFO.get("cpu_at_start", 0.0)
    TIMES[name] = {"page": page_s, "kernel": kernel_s, "imports": done.get(second, 0.0), "run": run_s, "cpu": cpu}
    ends = sorted(done.items(), key=lambda kv: kv[1])
    took = {k: t - (ends[j - 1][1] if j else 0.0) for j, (k, t) in enumerate(ends)}  # each code cell, in seconds
    TIMES[name]["slow"] = sorted(((t, k) for k, t in took.items() if t >= 0.2 * run_s and t >= 10), reverse=True)


# --- the tests -----------------------------------------------------------------------------------------------------
def test_every_book_page_opens_its_notebook_in_the_browser(site):
    for stem in COURSE:
        text = (site / f"{stem}.html").read_text()
        link = build_site.lite_link(f"notebooks/{stem}.ipynb")
        assert f'href="{link}">Run in your browser<' in text, stem
        assert (site / build_site.LITE_DIR / "files" / "notebooks" / f"{stem}.ipynb").exists(), stem
    for name in ASSIGNMENTS:
        text = (site / "homework" / f"{name}.html").read_text()
        assert f'href="{build_site.lite_link(f"homework/{name}.ipynb", depth=1)}">Run in your browser<' in text, name
        shipped = nbformat.read(site / build_site.LITE_DIR / "files" / "homework" / f"{name}.ipynb", as_version=4)
        released = HW.student_version(nbformat.read(HW.assignments()[name], as_version=4))
        assert [c.source for c in shipped.cells] == [c.source for c in released.cells], (
            f"{name}: not the student version"
        )
        assert "BEGIN SOLUTION" not in json.dumps(shipped.dict()) and "HIDDEN TESTS" not in json.dumps(shipped.dict())
    index = (site / "index.html").read_text()
    assert build_site.lite_link(f"notebooks/{COURSE[0]}.ipynb") in index and "Binder" in index and "Colab" in index


def test_the_lite_app_ships_only_checked_files(site):
    lite = site / build_site.LITE_DIR
    pyodide = lite / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    official = build_lite.official_lock()
    trimmed = build_lite.trimmed_lock(official)
    ours = {*build_lite.PINS["kernel"], *build_lite.KERNEL_WHEELS, build_site.PROJECT["name"]}
    assert set(lock["packages"]) == set(trimmed["packages"]) | ours, "the lock holds what the course loads, no more"
    assert len(lock["packages"]) < len(official["packages"]) / 5
    for name, entry in lock["packages"].items():
        data = (pyodide / entry["file_name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        if name in official["packages"]:
            assert entry == official["packages"][name], f"{name}: not the official lock's entry"
    files = {p.name for p in pyodide.iterdir()}
    assert files == {*build_lite.PINS["pyodide"]["core"], "pyodide-lock.json"} | {
        e["file_name"] for e in lock["packages"].values()
    }, "files in static/pyodide that the lock does not check"
    config = json.loads((lite / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"][build_lite.KERNEL_PLUGIN]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js" and kernel["disablePyPIFallback"] is True
    assert all(u.startswith("./") for u in kernel["pipliteUrls"])
    for page in [lite / "index.html", lite / "lab" / "index.html"]:
        assert not re.findall(r'(?:src|href)="(?:https?:)?//', page.read_text()), page


@pytest.mark.parametrize("stem", COURSE)
def test_notebook_runs_in_the_browser(stem, browser, server, shots):
    context = new_context(browser)
    try:
        page, page_s, kernel_s = open_notebook(context, server, f"notebooks/{stem}.ipynb")
        run_s, done = run_all(page)
        found = problems(page)
        cells = page.evaluate(OUTPUTS)
        codes = [k for k, c in enumerate(cells) if c]
        record(stem, page_s, kernel_s, run_s, done, codes[0])
        if stem in SHOTS:
            page.screenshot(path=str(shots / f"{stem}_ran.png"))
        assert not found, f"{stem}: error output in the browser: {found[:3]}"
        assert len(done) == len(codes), f"{stem}: {len(codes) - len(done)} code cells did not run"
        for k, cell in enumerate(cells):  # a long run (lstm_lab/runtime.py) loads its finished run, and says so
            if cell and "train_charlm(" in cell["source"]:
                said = "".join(o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream")
                assert "weights this same call reached on a desktop Python" in said, f"{stem}: cell {k} trained in full"
                if stem in SHOTS:
                    show_cell(page, k)
                    page.screenshot(path=str(shots / f"{stem}_cell{k}.png"))
        for k, cell in enumerate(cells):  # a shipped model's losses are rechecked on the first part only
            if cell and "text.RECHECKED" in cell["source"]:
                said = "".join(o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream")
                assert f"over {FIRST_PART:,} validation characters" in said, f"{stem}: cell {k} rechecked it all"
        for cell in cells:
            if cell and "colab-install" in cell["tags"]:
                assert cell["outputs"] == [], f"{stem}: the install cell did something in the browser"
        explorer = next(
            (k for k, c in enumerate(cells) if c and any(WIDGET in o.get("data", {}) for o in c["outputs"])), None
        )
        if explorer is not None:
            move_a_slider(page, stem, explorer, shots)
    finally:
        context.close()


WIDGET = "application/vnd.jupyter.widget-view+json"
PROBE = """(img) => {
  window.__t = {down: null, painted: null, n: 0};
  document.addEventListener('keydown', () => { window.__t.down = performance.now(); window.__t.painted = null; }, true);
  img.addEventListener('load', () => { window.__t.painted = performance.now(); window.__t.n += 1; });
}"""
PRESSES = 10  # timed key presses per explorer


def show_cell(page, index):
    page.evaluate(
        "(k) => { const nb = window.jupyterapp.shell.currentWidget.content; nb.activeCellIndex = k;"
        " nb.scrollToItem(k, 'start'); }",
        index,
    )
    page.wait_for_timeout(500)


def move_a_slider(page, stem, index, shots):
    """The explorer's first slider, right and left again with the keyboard: each key press must repaint the figure."""
    show_cell(page, index)
    box = page.locator(".jp-OutputArea .widget-vbox", has=page.locator(".widget-image")).first
    box.wait_for(timeout=60_000)
    box.scroll_into_view_if_needed()
    img = box.locator(".widget-image").first
    page.evaluate(PROBE, img.element_handle())
    handle = box.locator(".widget-slider .noUi-handle").first
    times = REPAINTS.setdefault(f"{stem[:2]} {explorer_name(page, index)}", [])
    for key in ("ArrowRight", "ArrowLeft") * (PRESSES // 2):
        before, n0 = img.get_attribute("src"), page.evaluate("window.__t.n")
        handle.focus()
        page.keyboard.press(key)
        page.wait_for_function(f"window.__t.n > {n0} && window.__t.painted !== null", timeout=30_000)
        times.append(page.evaluate("window.__t.painted - window.__t.down"))
        assert img.get_attribute("src") != before, f"{stem}: the slider moved, the figure did not repaint"
    if stem in SHOTS:
        page.screenshot(path=str(shots / f"{stem}_explorer.png"))


def explorer_name(page, index):
    source = page.evaluate(OUTPUTS)[index]["source"]
    m = re.search(r"(\w+Explorer)\(", source)
    return m.group(1) if m else "explorer"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_assignment_runs_in_the_browser_and_downloads_for_handing_in(name, browser, server):
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(f"{server}/{build_site.lite_link(f'homework/{name}.ipynb')}")
        page.wait_for_function(f"() => {{ const s = ({STATE})(); return s && s.status === 'idle'; }}", timeout=300_000)
        # the student's finished notebook, saved in the browser's storage as an upload would be, and opened
        mine = f"{name}_done.ipynb"
        page.evaluate(
            "([path, nb]) => window.jupyterapp.serviceManager.contents.save(path, {type: 'notebook', format: 'json', content: nb})",
            [mine, json.loads(nbformat.writes(solved(name)))],
        )
        page.close()
        page, page_s, kernel_s = open_notebook(context, server, mine)
        run_s, done = run_all(page)
        cells = page.evaluate(OUTPUTS)
        codes = [k for k, c in enumerate(cells) if c]
        record(f"homework/{name}", page_s, kernel_s, run_s, done, codes[0])
        found = problems(page)
        assert not found, f"{name}: error output in the browser: {found[:3]}"
        assert len(done) == len(codes), f"{name}: {len(codes) - len(done)} code cells did not run"
        # handing in (docs/teaching.md): save (Ctrl+S), then right-click the notebook in the file browser, Download:
        # the file that arrives is the notebook with its outputs
        page.keyboard.press("Control+s")
        page.wait_for_function(
            "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000, polling=250
        )
        page.locator(".jp-DirListing-item", has_text=mine).first.click(button="right")
        with page.expect_download(timeout=30_000) as download:
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Download$")).first.click()
        got = nbformat.reads(pathlib.Path(download.value.path()).read_text(), as_version=4)
        assert [c.source for c in got.cells] == [c.source for c in solved(name).cells]
        assert sum(len(c.get("outputs", [])) for c in got.cells if c.cell_type == "code") > 0, "no outputs saved"
    finally:
        context.close()


CHECKS = [
    # the browser's Python, and the index type that broke notebook 06 there (np.intp is 32-bit)
    "import sys\nimport numpy as np\nimport lstm_lab\nprint(sys.platform, np.dtype(np.intp), lstm_lab.runtime.IN_BROWSER)"
    "\nassert sys.platform == 'emscripten' and np.dtype(np.intp) == np.int32 and lstm_lab.runtime.IN_BROWSER",
    # lstm_lab may import threadpoolctl softly (to limit BLAS threads): in the browser it is absent, and that is fine
    "try:\n    import threadpoolctl  # noqa: F401\n    found = True\nexcept ImportError:\n    found = False\n"
    "print('threadpoolctl', found)\nassert not found",
    # nothing installs from the network: piplite refuses PyPI
    "import piplite.piplite as pl\nprint(pl._PIPLITE_DISABLE_PYPI)\nassert pl._PIPLITE_DISABLE_PYPI is True",
]


def test_the_browser_kernel_is_what_the_course_expects(browser, server):
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(f"{server}/{build_site.lite_link('notebooks/00_start_here.ipynb')}")
        page.wait_for_function(f"() => {{ const s = ({STATE})(); return s && s.status === 'idle'; }}", timeout=300_000)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CHECKS])
        nb.metadata.update(kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"})
        nb.metadata.update(language_info={"name": "python"})
        page.evaluate(
            "([path, nb]) => window.jupyterapp.serviceManager.contents.save(path, {type: 'notebook', format: 'json', content: nb})",
            ["checks.ipynb", json.loads(nbformat.writes(nb))],
        )
        page.close()
        page, _, _ = open_notebook(context, server, "checks.ipynb")
        run_all(page)
        assert not problems(page), problems(page)
        texts = ["".join(o.get("text", "")) for c in page.evaluate(OUTPUTS) for o in c["outputs"]]
        assert texts[0].startswith("emscripten int32 True") and texts[1].strip() == "threadpoolctl False", texts
    finally:
        context.close()


def test_a_first_visit_downloads_what_the_front_door_says(browser, server):
    """Bytes served for one fresh visit that opens notebook 00 and runs it: the number the first page and the README
    state (rounded to 5 MB)."""
    context = new_context(browser)
    try:
        _Handler.sent[0] = 0
        page, _, _ = open_notebook(context, server, "notebooks/00_start_here.ipynb")
        run_all(page)
        INFO["visit_mb"] = _Handler.sent[0] / 1e6
    finally:
        context.close()
    stated = build_site.LITE_DOWNLOAD_MB
    assert abs(INFO["visit_mb"] - stated) <= 5, f"a visit downloads {INFO['visit_mb']:.1f} MB, the site says {stated}"
    assert f"about {stated} MB" in (ROOT / "README.md").read_text(), "the README's download size"


def test_nothing_was_requested_from_another_host(site):
    assert TIMES, "no notebook ran in the browser"
    assert not OUTSIDE, f"{len(OUTSIDE)} requests for other hosts, e.g. {OUTSIDE[:5]}"
