"""Make the README's picture, docs/explorer.png: the gradient-highway explorer of notebook 03 with its slider, as
the static site shows it, photographed in headless Chromium.

    python scripts/make_readme_picture.py      # needs Chromium (apt-get install chromium) and playwright

The page is the explorer's static export (lstm_lab.explorers.static) with the site's script, so the picture is
the project's own rendering, not a hand-made image.
"""

import pathlib
import shutil
import sys
import tempfile

from lstm_lab.explorers import GradientHighwayExplorer, static

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "explorer.png"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("make_readme_picture: Chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        html, _ = static.export(GradientHighwayExplorer, tmp / "frames", "frames", b_f=3.0)
        shutil.copyfile(static.SCRIPT, tmp / "static_explorer.js")
        (tmp / "page.html").write_text(
            "<!doctype html><meta charset='utf-8'><body style='font-family:sans-serif;margin:8px;width:760px'>"
            f"{html}<script src='static_explorer.js'></script></body>"
        )
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
            page = browser.new_page(viewport={"width": 780, "height": 600}, device_scale_factor=1)
            page.goto((tmp / "page.html").as_uri())
            page.wait_for_selector(".static-explorer-controls input")
            page.locator(".static-explorer-note").evaluate("n => n.remove()")
            page.locator(".static-explorer").screenshot(path=str(OUT))
            browser.close()
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
