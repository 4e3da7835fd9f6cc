"""Notebook 06's measurements on text: the share of a sample's words that are real, what all units of a model
track together (lstm_lab.text), and the text explorer's gate strips."""

import types

import numpy as np
import pytest

from lstm_lab import text


def test_words_are_runs_of_letters_lower_cased():
    assert text.words("I'll go o'er, 3 TIMES!\nROMEO:") == ["i'll", "go", "o'er", "times", "romeo"]
    assert text.words("3 ... ?") == []


def test_real_word_share_counts_the_words_of_the_training_text():
    train, _ = text.split()
    assert text.real_word_share(train[:2000]) == 1.0  # every word of the training text is in it
    assert text.real_word_share("xqzvw qqqjz") == 0.0
    assert text.real_word_share("the xqzvw") == 0.5
    assert np.isnan(text.real_word_share("!? ,"))  # no words: no share


class _Planted:
    """A stand-in for a CharLM whose cell state is written by hand: unit 0 is the feature plus noise and unit 1
    minus the same noise, so neither alone tracks the feature, and their sum does exactly."""

    def __init__(self, feature, noise_seed):
        self.vocab, self.feature, self.noise_seed = text.vocab(), feature, noise_seed

    def forward(self, ids):
        s = self.vocab.decode(ids[:, 0])
        f = text.features(s)[self.feature]
        noise = np.random.default_rng(self.noise_seed).normal(0.0, 1.0, len(s))
        c = np.stack([f + noise, -noise, np.random.default_rng(99).normal(size=len(s))], axis=1)[:, None, :]
        return None, types.SimpleNamespace(c=c, h=np.tanh(c))


def test_spread_over_units_reads_a_feature_that_no_single_unit_tracks():
    _, val = text.split()
    fit, test = val[:3000], val[3000:6000]
    lm = _Planted("just after a newline", noise_seed=1)
    best_alone = {name: abs(r) for name, _, r in text.readable_units(lm, fit)}
    together = text.spread_over_units(lm, fit, test, ridge=1e-3)
    assert best_alone["just after a newline"] < 0.6
    assert together["just after a newline"] > 0.99  # the sum of units 0 and 1 is the feature itself
    assert set(together) <= set(text.features(fit))  # one r per feature that varies


def test_spread_over_units_is_scored_on_text_it_was_not_fitted_on():
    _, val = text.split()
    fit, test = val[:3000], val[3000:6000]

    class Fitted(_Planted):
        # on the fitting text unit 0 is the feature; on any other text it is noise
        def forward(self, ids):
            s = self.vocab.decode(ids[:, 0])
            f = text.features(s)[self.feature] if s == fit else np.random.default_rng(5).normal(size=len(s))
            return None, types.SimpleNamespace(c=f[:, None, None] * np.ones((1, 1, 2)), h=None)

    together = text.spread_over_units(Fitted("just after a newline", 0), fit, test)
    assert abs(together["just after a newline"]) < 0.2


def test_text_explorer_draws_each_gate_in_a_strip_of_its_own():
    pytest.importorskip("ipywidgets")
    from lstm_lab.explorers import TextExplorer

    e = TextExplorer()
    axes = {key: e.lines[key].axes for key in ("tanh_c", "h", "f", "i", "o")}
    assert axes["tanh_c"] is axes["h"]
    assert len({id(axes[k]) for k in ("tanh_c", "f", "i", "o")}) == 4  # the three gates no longer overlap
    for key, name in (("f", "forget"), ("i", "input"), ("o", "output")):
        assert name in axes[key].get_ylabel()
        np.testing.assert_array_equal(e.lines[key].get_ydata(), e.data[key])
    e.update(f_offset=6.0)
    np.testing.assert_array_equal(e.lines["f"].get_ydata(), e.data["f"])
    assert np.median(e.data["f"]) > 0.9
