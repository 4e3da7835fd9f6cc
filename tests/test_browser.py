"""The course as learners get it: every notebook run in JupyterLab in a real (headless) Chromium.

For every notebook: open it, Run All Cells, wait for the kernel to be idle, fail on any error output.
For every explorer: move each slider with the keyboard and by typing into its readout; check that the
figure repainted and that the text readout is exactly what the same explorer computes in Python for
the values the sliders show; time key press -> repainted image and print the median per explorer.
Screenshots before and after a slider move are saved in the test's temporary folder.

Skips, with the reason, when Chromium or the playwright package is missing (.ci/run installs both).
"""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

import pytest
from helpers import chromium

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if CHROMIUM is None:  # skipped before JupyterLab starts
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

NOTEBOOKS = sorted(n for n in os.listdir(os.path.join(ROOT, "notebooks")) if n.endswith(".ipynb"))


def _live_explorer(name):
    """The explorer a notebook shows live: the first lstm_lab.explorers.EXPLORERS class a code cell creates."""
    from lstm_lab.explorers import EXPLORERS

    nb = json.loads(open(os.path.join(ROOT, "notebooks", name)).read())  # noqa: SIM115
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    found = [(code.find(f"{cls.__name__}("), cls.__name__) for cls in EXPLORERS if f"{cls.__name__}(" in code]
    return min(found)[1] if found else None


EXPLORER_OF = {name: _live_explorer(name) for name in NOTEBOOKS}
LATENCIES = {}
MIN_PRESSES = 9  # timed key presses per explorer, at least
TEXT_LATENCIES = {}  # controls that change only the readout: key press to new text, ms
_PROBES = {}  # one Python-side explorer per class, to compute the readout the page should show


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab of our own: loopback only, no token, throw-away root, HOME and settings."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    shutil.copytree(os.path.join(ROOT, "notebooks"), root)  # a copy: JupyterLab autosaves
    settings = base / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = dict(os.environ)
    env.update(
        HOME=str(base / "home"),
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(base / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        IPYTHONDIR=str(base / "ipython"),
        MPLCONFIGDIR=str(base / "mpl"),
    )
    env.pop("MPLBACKEND", None)
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--allow-root",  # CI and these machines run as root
    ]
    log = open(base / "jupyterlab.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=1)
            break
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: see {base / 'jupyterlab.log'}") from None
            time.sleep(0.5)
    else:
        proc.terminate()
        raise RuntimeError("JupyterLab did not start within 60 s")
    yield {"url": url, "shots": base / "screenshots"}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(end_of_run_report):
    end_of_run_report(latency_report)
    with chromium() as b:
        yield b


def latency_report():
    """Lines for the end of the test run (the end_of_run_report fixture prints them): median key press -> repaint."""
    lines = ["key press -> repainted figure in Chromium, per explorer (goal: median <= 100 ms, p90 <= 150 ms):"]
    for name, ms in LATENCIES.items():
        p90 = statistics.quantiles(ms, n=10, method="inclusive")[-1] if len(ms) > 1 else ms[0]
        lines.append(
            f"  {name:26} median {statistics.median(ms):6.1f} ms   p90 {p90:6.1f} ms   (n = {len(ms)}, max {max(ms):.1f} ms)"
        )
    for name, ms in TEXT_LATENCIES.items():
        lines.append(
            f"  {name:26} (controls that change only the readout) median {statistics.median(ms):6.1f} ms (n = {len(ms)})"
        )
    return lines if LATENCIES else []


def wait_idle(page, timeout=180):
    """Until the status bar reads Idle and no cell shows [*] (checked twice, a moment apart)."""
    deadline = time.time() + timeout
    calm = 0
    while time.time() < deadline:
        status = page.inner_text("#jp-main-statusbar")
        busy = page.locator(".jp-InputArea-prompt", has_text="[*]").count()
        calm = calm + 1 if ("Idle" in status and busy == 0) else 0
        if calm >= 3:
            return
        time.sleep(0.5)
    raise AssertionError(
        f"the kernel did not become idle within {timeout} s: {page.inner_text('#jp-main-statusbar')!r}"
    )


def run_all(page):
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def errors_on(page):
    return page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()


def open_notebook(browser, lab, name):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(f"{lab['url']}/lab/tree/{name}?reset")
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    wait_idle(page)
    return context, page


# the page records when a key goes down and when the explorer's image next finishes loading
# (and, for a control that changes only the text, when the readout next changes)
PROBE = """
() => {
  const img = document.querySelector('.widget-image');
  const box = img.closest('.widget-vbox');
  window.__t = {down: null, painted: null, n: 0, texts: 0, text_at: null};
  document.addEventListener('keydown', () => {
    window.__t.down = performance.now(); window.__t.painted = null; window.__t.text_at = null;
  }, true);
  img.addEventListener('load', () => { window.__t.painted = performance.now(); window.__t.n += 1; });
  new MutationObserver(() => { window.__t.texts += 1; if (window.__t.text_at === null) { window.__t.text_at = performance.now(); } })
    .observe(box.querySelector('.widget-html-content'), {childList: true, subtree: true, characterData: true});
}
"""


def counts(page):
    """(images loaded, readout changes) so far, as the probe counted them."""
    return tuple(page.evaluate("[window.__t.n, window.__t.texts]"))


def slider_states(page, box):
    """{description: (handle locator, readout locator)} for each slider in the explorer's box."""
    out = {}
    for s in box.locator(".widget-slider").all():
        label = s.locator(".widget-label").inner_text().strip()
        out[label] = (s.locator(".noUi-handle").first, s.locator(".widget-readout").first)
    return out


def probe_of(cls_name):
    """The Python-side explorer of this class (one per class): its controls, and the readout it computes."""
    import lstm_lab.explorers as ex

    if cls_name not in _PROBES:
        _PROBES[cls_name] = getattr(ex, cls_name)()
    return _PROBES[cls_name]


def expected_readout(cls_name, box):
    """The readout the same explorer computes in Python for the values the page's controls show."""
    probe = probe_of(cls_name)
    values = {}
    for name, control in probe.controls.items():
        if hasattr(control, "min"):
            values[name] = type(control.value)(read_number(slider_of(box, control.description)[1]))
        elif "ToggleButtons" in type(control).__name__:
            values[name] = box.locator(".widget-toggle-buttons button.mod-active").first.inner_text().strip()
        else:
            values[name] = box.locator(".widget-dropdown select").first.input_value()
    return probe.update(**values).readout_text


def read_number(readout):
    return float(readout.inner_text().strip().replace("\u2212", "-"))  # ipywidgets shows a Unicode minus


def slider_of(box, description):
    s = box.locator(".widget-slider", has=box.page.locator(".widget-label", has_text=description)).first
    return s.locator(".noUi-handle").first, s.locator(".widget-readout").first


def readout_text(box):
    return box.locator(".widget-html-content pre").inner_text().strip()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(name, lab, browser):
    context, page = open_notebook(browser, lab, name)
    try:
        run_all(page)
        time.sleep(1.0)
        wait_idle(page)
        errs = errors_on(page)
        assert not errs, f"{name}: error output: {errs[:2]}"
        lab["shots"].mkdir(exist_ok=True)
        page.screenshot(path=str(lab["shots"] / f"{name[:-6]}_ran.png"), full_page=False)
        cls_name = EXPLORER_OF.get(name)
        if cls_name:
            check_explorer(page, name, cls_name, lab["shots"])
    finally:
        context.close()


def check_explorer(page, name, cls_name, shots):
    box = page.locator(".widget-vbox", has=page.locator(".widget-image")).first
    box.scroll_into_view_if_needed()
    img = box.locator(".widget-image")
    page.screenshot(path=str(shots / f"{name[:-6]}_explorer_before.png"))
    page.evaluate(PROBE)
    times = LATENCIES.setdefault(cls_name, [])
    probe = probe_of(cls_name)
    text_only = {probe.controls[name].description for name in probe.text_only_controls}
    sliders = slider_states(page, box)
    # right, left, ..., right on each slider (it ends one step up), enough times for MIN_PRESSES timed presses
    # per explorer: with one slider, three presses made a median too noisy to read
    pairs = max(1, -(-(MIN_PRESSES - len(sliders)) // (2 * len(sliders))))
    for label, (handle, readout) in sliders.items():
        for key in ("ArrowRight", "ArrowLeft") * pairs + ("ArrowRight",):
            before_src, before_text, before_readout = img.get_attribute("src"), readout.inner_text(), readout_text(box)
            n0, m0 = counts(page)
            handle.focus()
            page.keyboard.press(key)
            if label in text_only:  # the figure stays; the readout (here, a new sample) must change
                page.wait_for_function(f"window.__t.texts > {m0}", timeout=15_000)
                assert readout_text(box) != before_readout, f"{cls_name}: {label} moved, the readout did not change"
                TEXT_LATENCIES.setdefault(cls_name, []).append(page.evaluate("window.__t.text_at - window.__t.down"))
            else:
                page.wait_for_function(f"window.__t.n > {n0} && window.__t.painted !== null", timeout=15_000)
                times.append(page.evaluate("window.__t.painted - window.__t.down"))
                assert img.get_attribute("src") != before_src, (
                    f"{cls_name}: {label} moved but the figure did not repaint"
                )
            assert readout.inner_text() != before_text, f"{cls_name}: {label} did not move on {key}"
            wait_for_readout(box, cls_name)
    # typing into each slider's readout: its minimum, or its maximum if it is at the minimum already
    for control in probe.controls.values():
        if not hasattr(control, "min"):
            continue
        _, readout = slider_of(box, control.description)
        target = control.max if read_number(readout) == control.min else control.min
        n0, m0 = counts(page)
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(str(target))
        page.keyboard.press("Enter")
        if control.description in text_only:
            page.wait_for_function(f"window.__t.texts > {m0}", timeout=15_000)
        else:
            page.wait_for_function(f"window.__t.n > {n0}", timeout=15_000)
        assert read_number(readout) == pytest.approx(target), (
            f"{cls_name}: typed {target}, readout shows {readout.inner_text()}"
        )
        wait_for_readout(box, cls_name)
    page.screenshot(path=str(shots / f"{name[:-6]}_explorer_after.png"))


def wait_for_readout(box, cls_name, timeout=10):
    """The readout must settle on exactly what Python computes for the values on the page."""
    deadline = time.time() + timeout
    while True:
        want, got = expected_readout(cls_name, box), readout_text(box)
        if want == got:
            return
        if time.time() > deadline:
            raise AssertionError(f"{cls_name}: readout {got!r} but the math gives {want!r}")
        time.sleep(0.2)
