"""How the in-browser course is built (scripts/build_lite.py), without a browser: where each file comes from, that
every one is checked before it goes into the site, that the lock keeps only what the course loads, that the course's
own wheel is reproducible, and that the build runs with no network at all. tests/test_lite.py runs the result.

Needs build/lite-cache (`python scripts/build_lite.py fetch`): skips without it, unless LSTM_LAB_REQUIRE_LITE=1.
"""

import functools
import hashlib
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import sys
import threading
import zipfile

import build_lite
import pytest
from helpers import lite_inputs_missing

ROOT = pathlib.Path(__file__).resolve().parents[1]

# the folder of package files CI builds from (.ci/run's LSTM_LAB_PYODIDE_PACKAGES, by default ../shared/pyodide/VERSION)
VERSION = build_lite.PINS["pyodide"]["version"]
SHARED = pathlib.Path(os.environ.get("LSTM_LAB_PYODIDE_PACKAGES", ROOT.parent / "shared" / "pyodide" / VERSION))


@pytest.fixture(scope="module")
def lock():
    missing = build_lite.missing()
    if missing:
        lite_inputs_missing(
            f"the lite build's inputs are missing ({missing[:3]}): run `python scripts/build_lite.py fetch`"
        )
    return build_lite.trimmed_lock(build_lite.official_lock())


def test_the_lock_keeps_what_the_course_loads_and_nothing_else(lock):
    official = build_lite.official_lock()
    kept = lock["packages"]
    assert {"numpy", "matplotlib", "ipython", "micropip", "ssl", "sqlite3", "jedi"} <= set(kept)
    for name, entry in kept.items():
        assert entry == official["packages"][name]  # the official entries, unchanged
        for dep in entry["depends"]:
            assert build_lite.canonical(dep) in kept, f"{name} needs {dep}"
    assert "scipy" not in kept and "threadpoolctl" not in kept and len(kept) == 30
    if SHARED.exists():  # the folder CI builds from holds exactly these files
        shipped = {p.name for p in SHARED.iterdir() if p.suffix in (".whl", ".zip")}
        assert shipped == {e["file_name"] for e in kept.values()}


def test_a_file_that_differs_from_the_official_lock_is_refused(lock, tmp_path):
    source = build_lite.CACHE / "pyodide-packages"
    folder = tmp_path / "packages"
    shutil.copytree(source, folder)
    assert build_lite.package_files(lock, folder)  # the real files pass
    victim = folder / lock["packages"]["numpy"]["file_name"]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 1  # one bit
    victim.write_bytes(bytes(data))
    with pytest.raises(build_lite.LiteError, match="sha256"):
        build_lite.package_files(lock, folder)
    with pytest.raises(build_lite.LiteError, match="sha256"):
        build_lite.fetch_package_files(lock, tmp_path / "copied", folder, log=lambda *a: None)
    assert not (tmp_path / "copied" / victim.name).exists()  # nothing unchecked is left behind


def test_with_no_folder_the_files_are_downloaded_and_checked(lock, tmp_path):
    """The download path, against a server on 127.0.0.1 standing in for Pyodide's release (one file tampered)."""
    release = tmp_path / "release"
    shutil.copytree(build_lite.CACHE / "pyodide-packages", release)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(release))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{{file_name}}"
    try:
        build_lite.fetch_package_files(lock, tmp_path / "got", url=url, log=lambda *a: None)
        for entry in lock["packages"].values():
            got = (tmp_path / "got" / entry["file_name"]).read_bytes()
            assert hashlib.sha256(got).hexdigest() == entry["sha256"]
        tampered = release / lock["packages"]["pillow"]["file_name"]
        tampered.write_bytes(tampered.read_bytes() + b"\0")
        with pytest.raises(build_lite.LiteError, match="sha256"):
            build_lite.fetch_package_files(lock, tmp_path / "again", url=url, log=lambda *a: None)
    finally:
        httpd.shutdown()
    assert build_lite.PINS["pyodide"]["packages"]["url"].startswith("https://cdn.jsdelivr.net/pyodide/v0.27.7/full/")


def test_the_npm_tarball_and_the_wheels_must_match_their_pins(lock, tmp_path):
    cache = tmp_path / "cache"
    (cache / "npm").mkdir(parents=True)
    tgz = build_lite.npm_tarball()
    bad = bytearray(tgz.read_bytes())
    bad[-10] ^= 1
    (cache / "npm" / tgz.name).write_bytes(bytes(bad))
    with pytest.raises(build_lite.LiteError, match="integrity"):
        build_lite.official_lock(cache)
    (cache / "wheels").mkdir()
    for section in ("kernel", "labextensions"):
        for pin in build_lite.PINS[section].values():
            (cache / "wheels" / pin["file"]).write_bytes(b"not the wheel")
    with pytest.raises(build_lite.LiteError, match="sha256"):
        build_lite.pinned_wheels("kernel", cache)


def test_the_course_wheel_is_reproducible_and_complete(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    wa, wb = build_lite.course_wheel(a), build_lite.course_wheel(b)
    assert wa.read_bytes() == wb.read_bytes()
    names = zipfile.ZipFile(wa).namelist()
    for must in ("lstm_core/charlm.py", "lstm_lab/runtime.py", "lstm_lab/data/tinyshakespeare.txt.gz"):
        assert must in names, must
    assert any(n.startswith("lstm_lab/data/finished_runs/") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    record = zipfile.ZipFile(wa).read(next(n for n in names if n.endswith("RECORD"))).decode()
    assert len(record.strip().splitlines()) == len(names)


def test_every_pin_is_in_lite_pins_toml_with_its_reason():
    text = (ROOT / "lite" / "pins.toml").read_text()
    pins = build_lite.PINS
    assert pins["pyodide"]["version"] == "0.27.7" and pins["pyodide"]["npm"] == "pyodide@0.27.7"
    for section in ("build", "labextensions", "kernel"):
        assert f"[{section}]\n#" in text, f"[{section}] says why"
    for section in ("kernel", "labextensions"):
        for dist, pin in pins[section].items():
            assert pin["file"].split("-")[1] == pin["version"], dist
    assert "PyPI" in text and "pyemscripten" in text  # what changes when numpy and matplotlib publish wheels there


@pytest.mark.skipif(shutil.which("unshare") is None, reason="unshare (util-linux) is not installed")
def test_the_build_runs_with_no_network(lock, tmp_path):
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode:
        pytest.skip("this machine does not allow a network namespace (unshare -n)")
    notebook = ROOT / "notebooks" / "00_start_here.ipynb"
    code = (
        "import pathlib, sys; sys.path.insert(0, 'scripts'); import build_lite; "
        f"build_lite.build({str(tmp_path / 'lite')!r}, {{'notebooks/x.ipynb': pathlib.Path({str(notebook)!r})}})"
    )
    r = subprocess.run(["unshare", "-n", sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    config = json.loads((tmp_path / "lite" / "jupyter-lite.json").read_text())["jupyter-config-data"]
    assert config["litePluginSettings"][build_lite.KERNEL_PLUGIN]["pyodideUrl"] == "./static/pyodide/pyodide.js"
    assert (tmp_path / "lite" / "files" / "notebooks" / "x.ipynb").exists()
