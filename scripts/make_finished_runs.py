"""Record the character-model runs the browser loads instead of making them (lstm_lab/runtime.py says why).

    python scripts/make_finished_runs.py              # every notebook whose code calls train_charlm
    python scripts/make_finished_runs.py notebooks/06_text.ipynb

Runs each notebook top to bottom in a fresh kernel with LSTM_LAB_RECORD_RUNS set: every train_charlm call then
trains as usual and keeps its weights and history, named by a digest of the call's inputs (model, initial
weights, text, settings). The files replace lstm_lab/data/finished_runs/. Run it whenever such a call changes in
a notebook: tests/test_runtime.py fails until every call has its finished run. About a minute per notebook here.
"""

import argparse
import os
import pathlib
import shutil
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lstm_lab import runtime  # noqa: E402


def training_notebooks():
    return [
        p
        for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        if "train_charlm(" in "".join(c.source for c in nbformat.read(p, as_version=4).cells if c.cell_type == "code")
    ]


def record(paths, log=print):
    with tempfile.TemporaryDirectory(prefix="lstm-lab-runs-") as tmp:
        os.environ[runtime.RECORD] = tmp  # the kernels inherit it
        os.environ.setdefault("OMP_NUM_THREADS", "1")  # one BLAS thread: far faster on a shared machine
        try:
            for path in paths:
                log(f"running {path.name} ...")
                nb = nbformat.read(path, as_version=4)
                NotebookClient(nb, timeout=1800, kernel_name="python3").execute(cwd=str(path.parent))
        finally:
            del os.environ[runtime.RECORD]
        made = sorted(pathlib.Path(tmp).glob("*.npz"))
        if runtime.RUNS.exists():
            shutil.rmtree(runtime.RUNS)
        runtime.RUNS.mkdir(parents=True)
        for f in made:
            shutil.copyfile(f, runtime.RUNS / f.name)
            log(f"recorded {runtime.RUNS.relative_to(ROOT) / f.name} ({f.stat().st_size / 1e6:.1f} MB)")
    return made


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = ap.parse_args(argv)
    record([p.resolve() for p in args.notebooks] or training_notebooks())
    return 0


if __name__ == "__main__":
    sys.exit(main())
