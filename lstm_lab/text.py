"""The course's text: Shakespeare, shipped compressed with the course (see lstm_lab/data/README.md), the
character models trained on it (scripts/train_charlm.py), and what notebook 06 looks for inside them."""

import functools
import gzip
import html
import json

import numpy as np

from lstm_core import CELLS
from lstm_core.charlm import CharLM, Vocab

from .runtime import IN_BROWSER
from .scenarios import DATA

TRAIN_FRACTION = 0.9  # the first 90% of the characters for training, the last 10% for validation


@functools.cache
def shakespeare():
    """The whole text: 1,115,394 characters from Shakespeare's plays (Karpathy's char-rnn extraction)."""
    return gzip.decompress((DATA / "tinyshakespeare.txt.gz").read_bytes()).decode("utf-8")


def split(text=None, fraction=TRAIN_FRACTION):
    """(training text, validation text), split by position: the first ``fraction`` of the characters, the rest."""
    text = shakespeare() if text is None else text
    cut = int(len(text) * fraction)
    return text[:cut], text[cut:]


@functools.cache
def vocab():
    """The 65 characters of the text, sorted: the vocabulary of every model here."""
    return Vocab.from_text(shakespeare())


def checkpoint_path(kind):
    return DATA / f"charlm_{kind}.npz"


KINDS = tuple(kind for kind in CELLS if checkpoint_path(kind).exists())  # the kinds with a shipped model


def load_model(kind):
    """The longer-trained model of this kind (one of KINDS: "lstm", "gru", "rnn"), as shipped with the course."""
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    return CharLM.load(checkpoint_path(kind), vocab=vocab())


def results():
    """What scripts/train_charlm.py measured for the shipped models (losses, samples, context curves)."""
    return json.loads((DATA / "charlm_results.json").read_text())


# Recomputing a shipped model's loss over the whole validation text takes seconds in a desktop Python and minutes
# in the browser, whose numpy has no optimised matrix product. There notebook 06 recomputes the losses over the
# validation text's first FIRST_PART characters instead, and compares them with the losses recorded for that part.
FIRST_PART = 8192
RECHECKED = FIRST_PART if IN_BROWSER else None  # how many validation characters notebook 06 recomputes (None: all)


def recorded_nats(kind, characters, k=None):
    """The loss (nats per character) recorded for the shipped model ``kind`` over the validation text's first
    ``characters`` characters: all of them or FIRST_PART; read as one text (``k`` None, ``charlm.evaluate_text``) or
    from a zero state every ``k`` characters (``charlm.evaluate_with_resets``)."""
    stored = results()
    model = stored["models"][kind]
    if characters == stored["split"]["validation_characters"]:
        return model["validation_nats"] if k is None else model["context_nats"][str(k)]
    if characters == FIRST_PART:
        part = model["first_part"]
        return part["validation_nats"] if k is None else part["context_nats"][str(k)]
    raise ValueError(f"characters: expected the whole validation text or its first {FIRST_PART:,}, got {characters:,}")


def words(text):
    """The words of ``text``: runs of letters (an apostrophe inside a word kept), lower-cased."""
    import re

    return [w.lower() for w in re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)*", text)]


@functools.cache
def known_words():
    """Every word of the training text (the first 90% of the characters), as a frozenset."""
    return frozenset(words(split()[0]))


def real_word_share(sample):
    """The fraction of the words of ``sample`` that occur in the training text (NaN for a sample without words)."""
    found = words(sample)
    if not found:
        return float("nan")
    known = known_words()
    return sum(w in known for w in found) / len(found)


# --- features of the text a unit might track ------------------------------------------------------------------
def features(text):
    """Simple properties of each character of ``text``, as float arrays of len(text):

    line position: characters since the last newline; in speaker name: inside a line that names a speaker
    (capitals up to a colon at the end, e.g. "ROMEO:"); after newline, after punctuation: the previous
    character is a newline, or one of .,;:!?; inside brackets: between "(" and ")"; inside a word: a letter
    or apostrophe follows a letter."""
    n = len(text)
    line_pos, speaker, after_nl, after_punct, brackets, in_word = (np.zeros(n) for _ in range(6))
    pos, depth = 0, 0
    lines = text.split("\n")
    starts = np.cumsum([0] + [len(s) + 1 for s in lines[:-1]])
    for s, line in zip(starts, lines, strict=True):
        stripped = line.strip()
        if stripped.endswith(":") and stripped[:-1].replace(" ", "").isalpha() and stripped[:-1].isupper():
            speaker[s : s + len(line)] = 1.0
    for k, ch in enumerate(text):
        line_pos[k] = pos
        pos = 0 if ch == "\n" else pos + 1
        if k:
            after_nl[k] = text[k - 1] == "\n"
            after_punct[k] = text[k - 1] in ".,;:!?"
            in_word[k] = text[k - 1].isalpha() and (ch.isalpha() or ch == "'")
        depth = depth + (ch == "(") - (ch == ")" and depth > 0)
        brackets[k] = depth > 0
    return {
        "position in the line": line_pos,
        "inside a speaker's name": speaker,
        "just after a newline": after_nl,
        "just after punctuation": after_punct,
        "inside brackets": brackets,
        "inside a word": in_word,
    }


def correlations(values, feats):
    """Pearson correlation of each unit's values (T, H) with each feature: {feature: (H,) array}; NaN where a
    unit or a feature does not vary."""
    v = values - values.mean(axis=0)
    vn = np.sqrt((v * v).sum(axis=0))
    out = {}
    for name, f in feats.items():
        f = f - f.mean()
        fn = np.sqrt(f @ f)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = (f @ v) / (fn * vn)
    return out


def readable_units(lm, text, *, what="c"):
    """For each feature of ``text``: the unit whose cell state (``what="c"``) or hidden state ("h") correlates
    best with it, as (feature, unit, r), strongest first; a feature that never changes in ``text`` is left out.
    The run is the model reading ``text`` from a zero state."""
    _, run = lm.forward(lm.vocab.encode(text)[:, None])
    values = np.asarray(getattr(run, what)[:, 0, :], dtype=np.float64)
    rows = []
    for name, r in correlations(values, features(text)).items():
        if np.isnan(r).all():  # the feature never changes in this text: nothing to correlate with
            continue
        j = int(np.nanargmax(np.abs(r)))
        rows.append((name, j, float(r[j])))
    return sorted(rows, key=lambda row: -abs(row[2]))


@functools.cache
def shipped_readable_units():
    """readable_units of the shipped LSTM on the first 5,000 characters of the validation text (notebook 06)."""
    return readable_units(load_model("lstm"), split()[1][:5000])


def spread_over_units(lm, fit_text, test_text, *, what="c", ridge=100.0):
    """How well all units together track each feature of the text, where one unit alone may not.

    A linear read-out of every unit's cell state (``what="c"``) or hidden state ("h"), each unit scaled to mean 0
    and standard deviation 1 on ``fit_text``, is fitted there to each feature by ridge regression (penalty
    ``ridge``), then scored on ``test_text``, which it never saw: {feature: correlation r of its prediction with
    the feature}. Both texts are read from a zero state. A feature that never changes in either text is left out.
    (readable_units picks its best unit on the text it reports, so it is the kinder measure of the two.)"""

    def states(s):
        _, run = lm.forward(lm.vocab.encode(s)[:, None])
        return np.asarray(getattr(run, what)[:, 0, :], dtype=np.float64)

    v_fit, v_test = states(fit_text), states(test_text)
    mean, std = v_fit.mean(axis=0), v_fit.std(axis=0) + 1e-12
    z_fit, z_test = (v_fit - mean) / std, (v_test - mean) / std
    gram = z_fit.T @ z_fit + ridge * np.eye(z_fit.shape[1])
    f_fit, f_test = features(fit_text), features(test_text)
    out = {}
    for name in f_fit:
        y = f_fit[name] - f_fit[name].mean()
        if not y.any() or f_test[name].std() == 0:
            continue
        w = np.linalg.solve(gram, z_fit.T @ y)
        out[name] = float(np.corrcoef(z_test @ w, f_test[name])[0, 1])
    return out


# --- characters coloured by a value ----------------------------------------------------------------------------
def _colour(value, vmax, cmap):
    r, g, b, _ = cmap(0.5 + 0.5 * float(np.clip(value / vmax, -1, 1)))
    return f"rgb({int(255 * r)},{int(255 * g)},{int(255 * b)})"


def char_heatmap_html(text, values, *, label="C_t", vmax=None, cmap_name="PuOr"):
    """The characters of ``text``, each on a background coloured by its value (a colour-blind-safe diverging
    map: orange below 0, purple above). Hovering shows the value; a text readout below lists the extremes,
    so nothing depends on colour alone."""
    from matplotlib import colormaps

    cmap = colormaps[cmap_name]
    values = np.asarray(values, dtype=np.float64)
    vmax = float(vmax or max(np.max(np.abs(values)), 1e-12))
    spans = []
    for k, (ch, v) in enumerate(zip(text, values, strict=True)):
        shown = "↵<br>" if ch == "\n" else html.escape(ch).replace(" ", "&nbsp;")
        spans.append(
            f'<span title="{k}: {html.escape(repr(ch))} {label} = {v:+.3f}" style="background:{_colour(v, vmax, cmap)}">'
            f"{shown}</span>"
        )
    top = np.argsort(values)[::-1][:3]
    low = np.argsort(values)[:3]

    def where(ks):
        return ", ".join(f"{text[k]!r} at {k} ({values[k]:+.2f})" for k in ks)

    legend = (
        f"<div style='font-size:12px;margin-top:4px'>{html.escape(label)}: orange = negative, white = 0, "
        f"purple = positive (±{vmax:.2f}); highest: {html.escape(where(top))}; lowest: {html.escape(where(low))}. "
        "Hover over a character for its value.</div>"
    )
    body = "".join(spans)
    return f"<div style='font-family:monospace;font-size:13px;line-height:1.6'>{body}</div>{legend}"
