"""The whole course in the browser, nothing installed: a JupyterLite build (JupyterLab and a Pyodide Python kernel,
static files only) with every notebook, the explorers, the exercises and the student versions of the assignments.

    python scripts/build_lite.py fetch [--pyodide-packages DIR]   # once, with access to PyPI and npm
    python scripts/build_lite.py build --out DIR [--pyodide-packages DIR]   # offline; build_site.py calls this

``fetch`` gathers what the build needs into build/lite-cache/ (a folder of the checkout, never committed): the build's
Python packages (pip), Pyodide's core and its official lock (``npm pack``), the kernel's wheels and the widgets'
JavaScript (``pip download``), and Pyodide's package files, copied from DIR when it is given (a folder of files of
the official release, for example ../shared/pyodide/0.27.7) or else downloaded from Pyodide's official release.
``build`` needs no network: it checks every file before it goes into the site (the npm tarball against its pinned
integrity, each package file against the sha256 in Pyodide's official lock, each wheel against its pinned sha256),
writes a lock trimmed to what the course loads with the course's own wheel in it, and runs ``jupyter lite build``.
Every version and why it is pinned: lite/pins.toml. Publishing and what learners need: docs/teaching.md.
"""

import argparse
import base64
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile

import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PINS = tomllib.loads((ROOT / "lite" / "pins.toml").read_text())
CACHE = ROOT / "build" / "lite-cache"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
COURSE_PACKAGES = ("lstm_core", "lstm_lab")
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
EPOCH = (1980, 1, 1, 0, 0, 0)  # the course wheel's file times: the same sources give the same bytes


class LiteError(RuntimeError):
    """Something the build cannot do, with what to do about it."""


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def npm_integrity(path):
    return "sha512-" + base64.b64encode(hashlib.sha512(pathlib.Path(path).read_bytes()).digest()).decode()


# --- where each piece comes from ------------------------------------------------------------------------------
def npm_tarball(cache=CACHE):
    return cache / "npm" / f"pyodide-{PINS['pyodide']['version']}.tgz"


def official_lock(cache=CACHE):
    """Pyodide's official lock, read from the npm tarball (after checking the tarball's integrity)."""
    return json.loads(_core_files(cache)["pyodide-lock.json"])


def _core_files(cache=CACHE):
    """{name: bytes} of Pyodide's core and lock, from the npm tarball, which must match the pinned integrity."""
    tgz = npm_tarball(cache)
    if not tgz.exists():
        raise LiteError(f"{tgz} is missing: run `python scripts/build_lite.py fetch` (it needs npm)")
    got, want = npm_integrity(tgz), PINS["pyodide"]["npm_integrity"]
    if got != want:
        raise LiteError(f"{tgz}: npm integrity {got}, but lite/pins.toml pins {want}: not the official package")
    names = [*PINS["pyodide"]["core"], "pyodide-lock.json"]
    out = {}
    with tarfile.open(tgz) as tar:
        for name in names:
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise LiteError(f"{tgz} has no package/{name}")
            out[name] = member.read()
    info = json.loads(out["pyodide-lock.json"])["info"]
    if info["version"] != PINS["pyodide"]["version"]:
        raise LiteError(f"the npm tarball's lock is Pyodide {info['version']}, pinned {PINS['pyodide']['version']}")
    return out


def canonical(name):
    """A package's name as the lock's keys write it (PEP 503: lower case, runs of -_. as one -)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def trimmed_lock(lock, roots=None):
    """The official lock's entries for ``roots`` and everything they depend on (nothing else), and their files."""
    packages = lock["packages"]
    keep, todo = set(), list(roots or PINS["pyodide"]["packages"]["roots"])
    while todo:
        name = canonical(todo.pop())
        if name in keep:
            continue
        if name not in packages:
            raise LiteError(f"{name!r} is not in Pyodide {lock['info']['version']}'s lock")
        keep.add(name)
        todo.extend(packages[name]["depends"])
    return {"info": lock["info"], "packages": {name: packages[name] for name in sorted(keep)}}


def check_file(path, want, what):
    got = sha256(path)
    if got != want:
        raise LiteError(f"{path}: sha256 {got}, but {what} says {want}: refusing to put it into the site")


def package_files(lock, source):
    """{file name: path} of every package file the trimmed lock lists, each checked against the lock's sha256."""
    source = pathlib.Path(source)
    out = {}
    for name, entry in lock["packages"].items():
        path = source / entry["file_name"]
        if not path.exists():
            raise LiteError(
                f"{path} is missing ({name} {entry['version']}): give a folder of Pyodide "
                f"{lock['info']['version']}'s package files, or run `python scripts/build_lite.py fetch` with network"
            )
        check_file(path, entry["sha256"], f"Pyodide {lock['info']['version']}'s official lock")
        out[entry["file_name"]] = path
    return out


def pinned_wheels(section, cache=CACHE):
    """{distribution: path} of the pinned wheels of lite/pins.toml's ``section``, each checked against its sha256."""
    out = {}
    for dist, pin in PINS[section].items():
        path = cache / "wheels" / pin["file"]
        if not path.exists():
            raise LiteError(f"{path} is missing: run `python scripts/build_lite.py fetch` (it needs PyPI)")
        check_file(path, pin["sha256"], "lite/pins.toml")
        out[dist] = path
    return out


def missing_tools():
    """The build's Python packages (lite/pins.toml's [build]) that are not installed at their pinned versions."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name, pinned in PINS["build"].items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            out.append(f"{name}=={pinned}")
    return out


def missing(packages_dir=None, cache=CACHE):
    """What the offline build lacks (nothing: it can run); ``fetch`` gets it."""
    out = missing_tools()
    tgz = npm_tarball(cache)
    if not tgz.exists():
        return [*out, f"{tgz.name} (npm)"]
    source = pathlib.Path(packages_dir or cache / "pyodide-packages")
    lock = trimmed_lock(official_lock(cache))
    out += [e["file_name"] for e in lock["packages"].values() if not (source / e["file_name"]).exists()]
    for section in ("kernel", "labextensions"):
        out += [pin["file"] for pin in PINS[section].values() if not (cache / "wheels" / pin["file"]).exists()]
    return out


# --- fetch (network) --------------------------------------------------------------------------------------------
def fetch(packages_dir=None, cache=CACHE, log=print):
    """Everything the offline build needs, into ``cache``; see the module's docstring."""
    cache.mkdir(parents=True, exist_ok=True)
    tools = missing_tools()
    if tools:
        log(f"pip install {' '.join(tools)}")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *tools], check=True)

    tgz = npm_tarball(cache)
    if not tgz.exists() or npm_integrity(tgz) != PINS["pyodide"]["npm_integrity"]:
        tgz.parent.mkdir(parents=True, exist_ok=True)
        log(f"npm pack {PINS['pyodide']['npm']}")
        npm = shutil.which("npm")
        if npm is None:
            raise LiteError("npm is not installed (Debian: apt-get install npm; or Node.js from nodejs.org)")
        subprocess.run([npm, "pack", "-q", PINS["pyodide"]["npm"], "--pack-destination", str(tgz.parent)], check=True)
    lock = trimmed_lock(official_lock(cache))  # checks the tarball's integrity

    wheels = cache / "wheels"
    wanted = [
        f"{dist}=={pin['version']}"
        for section in ("kernel", "labextensions")
        for dist, pin in PINS[section].items()
        if not (wheels / pin["file"]).exists() or sha256(wheels / pin["file"]) != pin["sha256"]
    ]
    if wanted:
        log(f"pip download {' '.join(wanted)}")
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(wheels)]
        subprocess.run([*cmd, *wanted], check=True)
    pinned_wheels("kernel", cache), pinned_wheels("labextensions", cache)

    fetch_package_files(lock, cache / "pyodide-packages", packages_dir, log=log)
    return cache


def fetch_package_files(lock, target, packages_dir=None, url=None, log=print):
    """Each package file of ``lock`` into ``target``: copied from ``packages_dir``, or downloaded (``url``, by default
    Pyodide's release, lite/pins.toml); each checked against the lock's sha256 first, and refused if it differs."""
    target = pathlib.Path(target)
    target.mkdir(parents=True, exist_ok=True)
    url = url or PINS["pyodide"]["packages"]["url"]
    for entry in lock["packages"].values():
        dest = target / entry["file_name"]
        if dest.exists() and sha256(dest) == entry["sha256"]:
            continue
        part = dest.with_name(dest.name + ".part")
        try:
            if packages_dir:
                src = pathlib.Path(packages_dir) / entry["file_name"]
                if not src.exists():
                    raise LiteError(f"{src} is missing: {packages_dir} does not hold Pyodide's {entry['name']}")
                shutil.copyfile(src, part)
            else:
                log(f"download {url.format(file_name=entry['file_name'])}")
                with urllib.request.urlopen(url.format(file_name=entry["file_name"]), timeout=120) as r:
                    with open(part, "wb") as f:
                        shutil.copyfileobj(r, f)
            check_file(part, entry["sha256"], f"Pyodide {lock['info']['version']}'s official lock")
            part.replace(dest)
        finally:
            part.unlink(missing_ok=True)
    log(f"fetched: {len(lock['packages'])} Pyodide package files, checked against the official lock, in {target}")


# --- the course's own wheel ---------------------------------------------------------------------------------------
def course_wheel(out_dir):
    """lstm_lab-<version>-py3-none-any.whl of lstm_core and lstm_lab (with their data), byte-for-byte reproducible."""
    name, version = PROJECT["name"].replace("-", "_"), PROJECT["version"]
    dist_info = f"{name}-{version}.dist-info"
    files = {}
    for package in COURSE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
                files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    requires = "".join(f"Requires-Dist: {d}\n" for d in PROJECT.get("dependencies", []))
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {PROJECT['name']}\nVersion: {version}\nSummary: {PROJECT['description']}\n"
        f"Requires-Python: {PROJECT['requires-python']}\n{requires}"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: scripts/build_lite.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    files[f"{dist_info}/top_level.txt"] = "".join(f"{p}\n" for p in COURSE_PACKAGES).encode()
    record = []
    for arc, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arc},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = pathlib.Path(out_dir) / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in files.items():
            info = zipfile.ZipInfo(arc, EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return path


# the Python side of jupyterlite-pyodide-kernel, shipped in its labextension (static/pypi): name in the lock ->
# (imports, depends). Its worker installs them with piplite at every kernel start unless loadPyodide preloads them.
KERNEL_WHEELS = {
    "piplite": (["piplite"], ["micropip"]),
    "ipykernel": (["ipykernel"], ["comm"]),
    "pyodide-kernel": (["pyodide_kernel"], ["ipykernel", "comm", "ipython", "piplite", "micropip"]),
}
# what the kernel's worker loads at start (its own list, plus micropip and piplite), in one loadPyodide call
PRELOAD = ["micropip", "piplite", "ssl", "sqlite3", "ipykernel", "comm", "pyodide_kernel", "jedi", "ipython"]


# JupyterLab plugins the course switches off. The service worker lets the kernel see the file browser's files as a
# folder (/drive), but every import then asks it about that folder: about 10 s more at each kernel start, and
# slower imports. The course's notebooks read and write no files (the data ship in the course's wheel).
DISABLED = ["@jupyterlite/application-extension:service-worker-manager"]


# JupyterLab 4.4 (in jupyterlite-core 0.6.4) binds ArrowLeft and ArrowRight, in command mode, to moving between
# headings, for whatever has the focus in a notebook: a slider's handle too, so the explorers' sliders would not
# move with the keyboard. The same two shortcuts, but not while a slider or a text field has the focus.
_HEADINGS = ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus"
_NOT_IN_A_WIDGET = ":not(.noUi-handle):not([contenteditable]):not(input):not(textarea):not(select)"
SHORTCUTS = [
    {"command": command, "keys": [key], "selector": selector, **extra}
    for command, key in (
        ("notebook:move-cursor-heading-above-or-collapse", "ArrowLeft"),
        ("notebook:move-cursor-heading-below-or-expand", "ArrowRight"),
    )
    for selector, extra in ((_HEADINGS, {"disabled": True}), (_HEADINGS + _NOT_IN_A_WIDGET, {}))
]
OVERRIDES = {"@jupyterlab/shortcuts-extension:shortcuts": {"shortcuts": SHORTCUTS}}


def kernel_extension():
    return (
        pathlib.Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite" / "pyodide-kernel-extension"
    )


def kernel_extension_wheels():
    """{lock name: path} of the kernel's wheels in its labextension, each checked against the sha256 in its index."""
    pypi = kernel_extension() / "static" / "pypi"
    index = json.loads((pypi / "all.json").read_text())
    out = {}
    for name in KERNEL_WHEELS:
        releases = index[name]["releases"]
        (release,) = releases.values()
        (dist,) = release
        path = pypi / dist["filename"]
        check_file(path, dist["digests"]["sha256"], f"{pypi / 'all.json'}")
        out[name] = path
    return out


def _wheel_version(path):
    return path.name.split("-")[1]


def lock_entry(name, version, path, imports, depends):
    return {
        "name": name,
        "version": version,
        "file_name": path.name,
        "install_dir": "site",
        "sha256": sha256(path),
        "package_type": "package",
        "imports": list(imports),
        "depends": list(depends),
        "unvendored_tests": False,
        "shared_library": False,
    }


# --- build (offline) ----------------------------------------------------------------------------------------------
def lite_config():
    """jupyter-lite.json: the kernel uses the site's own Pyodide and never falls back to PyPI."""
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "LSTM Lab",
            "disabledExtensions": DISABLED,
            "litePluginSettings": {
                KERNEL_PLUGIN: {"disablePyPIFallback": True, "loadPyodideOptions": {"packages": PRELOAD}}
            },
        },
    }


def build(out, contents, packages_dir=None, cache=CACHE, log=print):
    """The lite app in ``out``, its files ``contents`` ({path in the app: local file}). Offline."""
    out = pathlib.Path(out)
    if missing_tools():
        raise LiteError(f"not installed: {' '.join(missing_tools())}: run `python scripts/build_lite.py fetch`")
    core = _core_files(cache)
    lock = trimmed_lock(json.loads(core["pyodide-lock.json"]))
    files = package_files(lock, packages_dir or cache / "pyodide-packages")
    kernel = pinned_wheels("kernel", cache)
    labext = pinned_wheels("labextensions", cache)
    with tempfile.TemporaryDirectory(prefix="lstm-lab-lite-") as tmp:
        lite_dir = pathlib.Path(tmp) / "lite"
        pyodide = lite_dir / "static" / "pyodide"  # jupyterlite-pyodide-kernel's well-known place
        pyodide.mkdir(parents=True)
        for name in PINS["pyodide"]["core"]:
            (pyodide / name).write_bytes(core[name])
        for file_name, path in files.items():
            shutil.copyfile(path, pyodide / file_name)
        for dist, path in kernel.items():
            pin = PINS["kernel"][dist]
            shutil.copyfile(path, pyodide / path.name)
            lock["packages"][dist] = lock_entry(dist, pin["version"], path, pin["imports"], pin["depends"])
        for name, path in kernel_extension_wheels().items():  # the kernel's own Python side, preloaded with Pyodide
            shutil.copyfile(path, pyodide / path.name)
            imports, depends = KERNEL_WHEELS[name]
            lock["packages"][name] = lock_entry(name, _wheel_version(path), path, imports, depends)
        wheel = course_wheel(pyodide)
        deps = ["numpy", "matplotlib", "ipywidgets"]
        lock["packages"][PROJECT["name"]] = lock_entry(
            PROJECT["name"], PROJECT["version"], wheel, COURSE_PACKAGES, deps
        )
        (pyodide / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
        (lite_dir / "jupyter-lite.json").write_text(json.dumps(lite_config(), indent=1))
        (lite_dir / "overrides.json").write_text(json.dumps(OVERRIDES, indent=1))
        content_root = pathlib.Path(tmp) / "contents"
        for rel, src in contents.items():
            dest = content_root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        kernel_ext = kernel_extension()
        config = {
            "LiteBuildConfig": {
                "apps": ["lab"],
                "no_sourcemaps": True,
                "no_unused_shared_packages": True,
                "ignore_sys_prefix": ["federated_extensions"],
                "federated_extensions": [str(kernel_ext), str(labext["jupyterlab_widgets"])],
                "contents": [str(content_root)],
                "output_dir": str(out),
                "cache_dir": str(pathlib.Path(tmp) / "cache"),
            }
        }
        (lite_dir / "jupyter_lite_config.json").write_text(json.dumps(config, indent=1))
        if out.exists():
            shutil.rmtree(out)
        env = {**os.environ, "JUPYTERLITE_NO_LIBARCHIVE": "1"}
        cmd = [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir)]
        r = subprocess.run(cmd, cwd=lite_dir, capture_output=True, text=True, env=env)
        if r.returncode:
            raise LiteError(f"jupyter lite build failed:\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
    log(f"lite: {out} ({size_mb(out):.1f} MB)")
    return out


def size_mb(folder):
    return sum(p.stat().st_size for p in pathlib.Path(folder).rglob("*") if p.is_file()) / 1e6


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fetch", help="gather what the build needs into build/lite-cache (network)")
    f.add_argument("--pyodide-packages", help="a folder of Pyodide's package files (else: the official release)")
    b = sub.add_parser("build", help="build the lite app alone (build_site.py builds it with the site)")
    b.add_argument("--out", required=True)
    b.add_argument("--pyodide-packages", help="a folder of Pyodide's package files (else: build/lite-cache)")
    args = ap.parse_args(argv)
    try:
        if args.command == "fetch":
            fetch(args.pyodide_packages)
        else:
            contents = {f"notebooks/{p.name}": p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
            build(args.out, contents, args.pyodide_packages)
    except LiteError as e:
        raise SystemExit(f"build_lite: {e}") from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
