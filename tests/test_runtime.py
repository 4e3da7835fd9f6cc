"""lstm_lab.runtime: in the browser a long character-model run trains a few steps live, then loads the weights the
same call reached on a desktop Python; those finished runs ship for every train_charlm call in the notebooks, and
with them the page's own asserts hold. The browser itself is simulated here by installing the browser's hook."""

import io
import json
import pathlib

import make_finished_runs
import nbformat
import numpy as np
import pytest

from lstm_core import charlm
from lstm_lab import runtime, text

ROOT = pathlib.Path(__file__).resolve().parents[1]
TEXT = "to be or not to be, that is the question: whether 'tis nobler in the mind to suffer\n" * 20


def small_run(seed=0, **changes):
    vocab = charlm.Vocab.from_text(TEXT)
    lm = charlm.CharLM("lstm", vocab, 8, seed=seed)
    settings = dict(steps=30, batch_size=4, seq_len=16, lr=1e-2, sample_every=15, sample_length=20, progress=True)
    return lm, vocab.encode(TEXT), {**settings, **changes}


@pytest.fixture
def hook(monkeypatch, tmp_path):
    """Installs a runtime hook for the test (as the browser or the recorder would), with its files in tmp_path."""

    def install(which):
        monkeypatch.setattr(charlm, "run_hook", which)

    monkeypatch.setattr(runtime, "RUNS", tmp_path)
    monkeypatch.setenv(runtime.RECORD, str(tmp_path))
    return install


def test_a_recorded_run_is_what_the_browser_loads_and_it_says_so(hook):
    hook(runtime._recording)
    lm, ids, s = small_run()
    recorded = charlm.train_charlm(lm, ids, **s, stream=io.StringIO())
    hook(runtime._in_browser)
    again, ids, s = small_run()
    out = io.StringIO()
    hist = charlm.train_charlm(again, ids.astype(np.int32), **s, stream=out)  # the browser's ids are int32
    for name in lm.params:
        np.testing.assert_array_equal(again.params[name], lm.params[name], err_msg=name)
    assert hist.loss == recorded.loss and hist.samples == recorded.samples
    said = out.getvalue()
    assert f"{runtime.LIVE_STEPS}/{runtime.LIVE_STEPS}" in said  # the live steps' progress bar
    assert "weights this same call reached on a desktop Python" in said
    assert said.count("--- after") == 2 and recorded.samples[-1][1] in said


def test_a_call_with_no_finished_run_trains_in_full_in_the_browser(hook):
    hook(None)
    lm, ids, s = small_run()
    plain = charlm.train_charlm(lm, ids, **{**s, "progress": False})
    hook(runtime._in_browser)
    other, ids, s = small_run()
    hist = charlm.train_charlm(other, ids, **{**s, "progress": False})
    assert hist.loss == plain.loss and len(hist.loss) == s["steps"]
    for name in lm.params:
        np.testing.assert_array_equal(other.params[name], lm.params[name], err_msg=name)


@pytest.mark.parametrize("change", [{"seed": 1}, {"lr": 2e-2}, {"steps": 31}, {"seq_len": 8}, {"ids": "shorter"}])
def test_any_change_to_the_call_is_another_run(change):
    lm, ids, s = small_run()
    key = runtime.fingerprint(lm, ids, s)
    lm2, ids2, s2 = small_run(
        seed=change.get("seed", 0), **{k: v for k, v in change.items() if k not in ("seed", "ids")}
    )
    if "ids" in change:
        ids2 = ids2[:-1]
    assert runtime.fingerprint(lm2, ids2, s2) != key
    assert runtime.fingerprint(lm, ids.astype(np.int32), s) == key  # the integer type of the ids does not matter
    assert runtime.fingerprint(lm, ids, {**s, "lr_at": lambda step: 1e-3}) is None  # a schedule: never shipped
    assert runtime.fingerprint(lm, ids, {**s, "time_budget": 60.0}) is None  # depends on the machine: never shipped


class _Reached(Exception):
    pass


def _calls_in(path):
    """Run a notebook's code cells here (the install cell skipped) until each train_charlm call; yield the call's
    fingerprint and model."""
    found = []

    def catch(lm, train_ids, settings, run, out):
        found.append((runtime.fingerprint(lm, train_ids, settings), lm, settings))
        raise _Reached

    namespace = {"display": lambda *a, **k: None}
    nb = nbformat.read(path, as_version=4)
    old = charlm.run_hook
    charlm.run_hook = catch
    try:
        for cell in nb.cells:
            if cell.cell_type != "code" or "colab-install" in cell.metadata.get("tags", []):
                continue
            if "train_charlm(" in cell.source:
                try:
                    exec(compile(cell.source, path.name, "exec"), namespace)
                except _Reached:
                    return found, namespace
            elif not found:
                exec(compile(cell.source, path.name, "exec"), namespace)
    finally:
        charlm.run_hook = old
    return found, namespace


def test_every_train_charlm_call_of_the_notebooks_ships_finished_and_keeps_its_page_true():
    notebooks = make_finished_runs.training_notebooks()
    assert notebooks, "no notebook trains a character model: then nothing needs to ship finished"
    shipped, needed = sorted(p.name for p in runtime.RUNS.glob("*.npz")), set()
    for path in notebooks:
        found, namespace = _calls_in(path)
        assert found, f"{path.name}: no train_charlm call reached"
        key, lm, settings = found[0]
        file = runtime.finished_run_path(key)
        needed.add(file.name)
        assert file.exists(), (
            f"{path.name}'s train_charlm call has no finished run (shipped: {shipped}): run "
            "`python scripts/make_finished_runs.py` and commit lstm_lab/data/finished_runs/"
        )
        hist = runtime.load_finished_run(lm, file, key)
        assert len(hist.loss) == settings["steps"]
        if path.name.startswith("06_"):  # the page's assert on its live model, with the shipped weights
            val_ids = namespace["val_ids"]
            live_val = charlm.evaluate_with_resets(lm, val_ids, 256)
            assert live_val <= 2.0 and live_val < namespace["chance"] / 2, live_val
    assert set(shipped) == needed, f"finished runs no notebook makes: {sorted(set(shipped) - needed)}"


def test_the_finished_runs_are_small_and_say_what_made_them():
    for f in runtime.RUNS.glob("*.npz"):
        assert f.stat().st_size < 2_000_000, f
        with np.load(f, allow_pickle=False) as z:
            meta = json.loads(str(z["__meta__"]))
        assert meta["fingerprint"].startswith(f.stem.removeprefix("charlm-")) and "numpy" in meta["made_with"]


def test_the_hook_is_only_set_in_the_browser_or_while_recording():
    assert runtime.IN_BROWSER is False and charlm.run_hook is None
    assert text.vocab().encode("a").dtype == np.intp


def test_the_browser_drops_matplotlibs_font_cache_notice_and_nothing_else(caplog):
    import logging

    log = logging.getLogger("lstm_lab.test_font_cache")  # a logger of its own: matplotlib's is left as it is
    log.addFilter(runtime.QuietFontCache())
    with caplog.at_level(logging.WARNING, logger=log.name):
        log.warning("Matplotlib is building the font cache; this may take a moment.")
        log.warning("findfont: Font family 'Nope' not found.")
    assert [r.getMessage() for r in caplog.records] == ["findfont: Font family 'Nope' not found."]
