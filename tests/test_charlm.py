"""The character-level language model: TBPTT gradients, the carried state, sampling, evaluation, checkpoints."""

import numpy as np
import pytest
from helpers import norm_rel

import lstm_core
from lstm_core import charlm
from lstm_core.charlm import CharLM, Vocab
from lstm_core.train import TrainingDiverged

TEXT = "the cat sat on the mat. the dog sat on the log.\n" * 4
VOCAB = Vocab.from_text(TEXT)
IDS = VOCAB.encode(TEXT)
KINDS = list(lstm_core.CELLS)


def small(kind, dtype=np.float64, seed=0):
    return CharLM(kind, VOCAB, 6, seed=seed, dtype=dtype)


def test_vocab_round_trip_and_clear_errors():
    assert VOCAB.decode(VOCAB.encode("the log")) == "the log"
    with pytest.raises(ValueError, match=r"prime: 2 character\(s\) the model never saw: 'Q', 'z'"):
        VOCAB.encode("Qat zoo", what="prime")
    with pytest.raises(ValueError, match="distinct"):
        Vocab("aab")


@pytest.mark.parametrize("kind", KINDS)
def test_chunk_gradients_are_the_gradients_with_the_carried_state_held_fixed(kind):
    lm = small(kind)
    cols = charlm.streams(IDS, 3)
    (x1, y1), (x2, y2) = list(charlm.chunks(cols, 5))[:2]
    _, _, state = lm.chunk_loss_and_grads(x1, y1)
    assert all(np.any(s != 0) for s in state)  # a real state is carried into the second chunk
    loss, grads, _ = lm.chunk_loss_and_grads(x2, y2, state)

    def chunk2_loss():  # the state held fixed: the gradient stops at the chunk's border
        return lm.chunk_loss_and_grads(x2, y2, state)[0]

    def chunk2_through_both():  # what full backpropagation through both chunks would differentiate
        s = lm.chunk_loss_and_grads(x1, y1)[2]
        return lm.chunk_loss_and_grads(x2, y2, s)[0]

    for name, arr in lm.params.items():
        tbptt = lstm_core.numerical_gradient(chunk2_loss, arr)
        # central differences carry a rounding floor of about 1e-16 * |L| / eps = 1e-9 per entry, which is 1e-7 of
        # the smallest gradient here (the peephole weights', norm 5e-3): hence 3e-7, not 1e-7
        assert norm_rel(grads[name], tbptt) < 3e-7, name
    full = lstm_core.numerical_gradient(chunk2_through_both, lm.params["W_y" if kind == "rnn" else "b_y"])
    assert full.shape  # computed; the recurrent weights show the difference:
    cell = "W" if kind != "gru" else "W_h"
    assert norm_rel(grads[cell], lstm_core.numerical_gradient(chunk2_through_both, lm.params[cell])) > 1e-4


@pytest.mark.parametrize("kind", KINDS)
def test_carried_state_reads_on_where_the_last_chunk_stopped(kind):
    lm = small(kind)
    cols = charlm.streams(IDS, 2)
    whole, _ = lm.forward(cols[:12])
    first, run = lm.forward(cols[:5])
    second, _ = lm.forward(cols[5:12], state=lm.model.final_state(run))
    np.testing.assert_allclose(np.concatenate([first, second]), whole, rtol=1e-12, atol=1e-14)
    # and the carried state is a copy: changing it changes nothing already computed
    state = lm.model.final_state(run)
    state[0][...] = 0.0
    np.testing.assert_array_equal(lm.model.final_state(run)[0], run.h[-1])


def test_streams_and_chunks_cover_the_text_in_order():
    cols = charlm.streams(np.arange(23), 4)
    assert cols.shape == (5, 4) and list(cols[:, 1]) == [5, 6, 7, 8, 9]
    pairs = list(charlm.chunks(cols, 2))
    assert [x.shape[0] for x, _ in pairs] == [2, 2]
    np.testing.assert_array_equal(np.concatenate([y for _, y in pairs]), cols[1:])
    with pytest.raises(ValueError, match="cannot fill"):
        charlm.streams(np.arange(3), 4)


@pytest.mark.parametrize("kind", KINDS)
def test_training_lowers_the_loss_and_is_reproducible(kind):
    runs = []
    for _ in range(2):
        lm = small(kind, dtype=np.float32)
        hist = charlm.train_charlm(lm, IDS, steps=150, batch_size=4, seq_len=8, lr=2e-2, progress=False)
        runs.append((hist.loss, lm.params["W_y"].copy()))
    assert np.mean(runs[0][0][-10:]) < np.mean(runs[0][0][:10]) - 0.5
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_progress_bar_shows_loss_rate_and_time_left():
    import io

    out = io.StringIO()
    charlm.train_charlm(small("lstm"), IDS, steps=3, batch_size=2, seq_len=4, stream=out, progress=True)
    text = out.getvalue()
    assert "loss" in text and "chars/s" in text and "done in" in text and "3/3" in text


def test_sampling_is_seeded_and_low_temperature_is_the_argmax():
    lm = small("lstm")
    a = charlm.sample(lm, "the ", 30, temperature=1.0, seed=3)
    assert a == charlm.sample(lm, "the ", 30, temperature=1.0, seed=3) and len(a) == 30
    assert set(a) <= set(VOCAB.chars)
    # temperature -> 0: always the most likely character (greedy decoding, computed here step by step)
    greedy, text = "", "the "
    for _ in range(15):
        probs, _ = lm.next_char_probabilities(text + greedy)
        greedy += VOCAB.chars[int(np.argmax(probs[-1]))]
    assert charlm.sample(lm, "the ", 15, temperature=1e-4, seed=0) == greedy


def test_sampling_at_temperature_1_follows_the_models_probabilities():
    lm = small("gru", seed=2)
    probs, _ = lm.next_char_probabilities("the c")
    p = probs[-1]
    n = 3000
    first = [charlm.sample(lm, "the c", 1, temperature=1.0, seed=s) for s in range(n)]
    freq = np.array([first.count(c) for c in VOCAB.chars]) / n
    assert np.max(np.abs(freq - p)) < 4 * np.sqrt(p.max() * (1 - p.max()) / n) + 1e-3
    # and temperature 2 flattens it: the most likely character is chosen less often
    hot = [charlm.sample(lm, "the c", 1, temperature=2.0, seed=s) for s in range(n)]
    top = VOCAB.chars[int(np.argmax(p))]
    assert hot.count(top) < first.count(top)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "1"])
def test_sampling_rejects_a_bad_temperature(bad):
    with pytest.raises(ValueError, match="temperature: expected a positive number"):
        charlm.sample(small("rnn"), "the", 5, temperature=bad)


def test_sampling_names_unknown_characters_in_the_prime():
    with pytest.raises(ValueError, match=r"prime: .*'X'"):
        charlm.sample(small("rnn"), "the X", 5)


def test_evaluate_carries_the_state_and_resets_cut_the_context():
    lm = small("lstm")
    charlm.train_charlm(lm, IDS, steps=80, batch_size=4, seq_len=8, lr=1e-2, progress=False)
    full = charlm.evaluate_text(lm, IDS, batch_size=2, seq_len=7)
    one = charlm.evaluate_with_resets(lm, IDS, 1)
    # k = 1: each character read from a zero state, by hand
    logits, _ = lm.forward(IDS[:-1][None, :])
    want = -np.mean(np.log(charlm.softmax(logits[0].astype(float))[np.arange(len(IDS) - 1), IDS[1:]]))
    assert one == pytest.approx(want, rel=1e-10)
    assert charlm.evaluate_with_resets(lm, IDS, 16) < one and full < one


def test_checkpoints_round_trip_and_mismatches_are_clear(tmp_path):
    lm = small("gru", dtype=np.float32)
    lm.save(tmp_path / "m.npz", validation_nats=1.23)
    back = CharLM.load(tmp_path / "m.npz", vocab=VOCAB)
    assert back.kind == "gru" and back.info["validation_nats"] == 1.23 and back.dtype == np.float32
    for k, v in lm.params.items():
        np.testing.assert_array_equal(back.params[k], v)
    with pytest.raises(ValueError, match="vocabulary"):
        CharLM.load(tmp_path / "m.npz", vocab=Vocab("abc"))
    arrays = dict(np.load(tmp_path / "m.npz"))
    arrays["W_h"] = arrays["W_h"][:, :3]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=r"W_h has shape \(18, 3\), expected \(18, 6\)"):
        CharLM.load(tmp_path / "bad.npz")


def test_the_shipped_models_load_and_their_losses_are_the_recorded_ones():
    from lstm_lab import text

    results = text.results()["models"]
    val = text.vocab().encode(text.split()[1][:20_000])
    for kind in text.KINDS:
        lm = text.load_model(kind)
        assert lm.dtype == np.float32 and lm.kind == kind
        assert abs(lm.info["validation_nats"] - results[kind]["validation_nats"]) < 1e-12
        assert charlm.evaluate_text(lm, val) < 2.5  # a trained model, far below chance (ln 65 = 4.17)
        assert text.checkpoint_path(kind).stat().st_size < 4_000_000


def test_the_first_parts_losses_that_the_browser_rechecks_are_the_shipped_models_own():
    from lstm_lab import text

    head = text.vocab().encode(text.split()[1])[: text.FIRST_PART]
    assert len(head) == text.FIRST_PART
    for kind in text.KINDS:
        lm = text.load_model(kind)
        assert abs(charlm.evaluate_text(lm, head) - text.recorded_nats(kind, len(head))) < 1e-9
        assert abs(charlm.evaluate_with_resets(lm, head, 16) - text.recorded_nats(kind, len(head), k=16)) < 1e-9
        assert text.recorded_nats(kind, len(head)) != text.recorded_nats(kind, len(text.split()[1]))
    whole = text.results()["models"]["lstm"]
    assert text.recorded_nats("lstm", len(text.split()[1]), k=16) == whole["context_nats"]["16"]
    assert text.RECHECKED is None  # a desktop Python recomputes the whole validation text
    with pytest.raises(ValueError, match=r"characters: expected the whole validation text or its first 8,192, got 100"):
        text.recorded_nats("lstm", 100)


def test_the_shipped_lstm_gives_torchs_next_character_probabilities():
    torch = pytest.importorskip("torch", reason="torch is not installed: pip install torch==2.13.0 (CPU build)")
    from lstm_lab import text

    lm = text.load_model("lstm")
    passage = text.split()[1][:300]
    probs, _ = lm.next_char_probabilities(passage)
    cell = torch.nn.LSTM(lm.vocab.size, lm.hidden_size)
    cell.load_state_dict(lstm_core.lstm_params_to_torch(lm.model.cell))
    readout = torch.nn.Linear(lm.hidden_size, lm.vocab.size)
    readout.load_state_dict({"weight": torch.from_numpy(lm.model.W_y), "bias": torch.from_numpy(lm.model.b_y)})
    ids = torch.from_numpy(lm.vocab.encode(passage))
    with torch.no_grad():
        h, _ = cell(torch.nn.functional.one_hot(ids, lm.vocab.size).float()[:, None, :])
        theirs = torch.softmax(readout(h[:, 0]).double(), dim=-1).numpy()
    np.testing.assert_allclose(probs, theirs, atol=2e-5, rtol=1e-3)
    assert np.abs(probs - theirs).max() < 2e-5


def test_a_time_budget_stops_after_the_step_that_reaches_it_and_validates_there(monkeypatch):
    import io
    import types

    clock = types.SimpleNamespace(now=0.0)
    clock.perf_counter = lambda: clock.now
    lm = small("lstm")
    step = lm.chunk_loss_and_grads

    def one_second_a_step(*args):
        clock.now += 1.0
        return step(*args)

    lm.chunk_loss_and_grads = one_second_a_step
    monkeypatch.setattr(charlm, "time", clock)
    out = io.StringIO()
    kw = dict(batch_size=2, seq_len=4, validation_ids=IDS, validate_every=10)
    hist = charlm.train_charlm(lm, IDS, steps=40, stream=out, time_budget=3.5, **kw)
    assert len(hist.loss) == 4 and hist.out_of_time and hist.validation[-1][0] == 4
    assert hist.stopped == "stopped by the time budget (3.5 s) after step 4 of 40" and hist.stopped in out.getvalue()
    monkeypatch.undo()
    plain = small("lstm")
    same = charlm.train_charlm(plain, IDS, steps=4, progress=False, **kw)  # the same four steps, to the bit
    assert same.loss == hist.loss and same.validation == hist.validation and not same.out_of_time
    assert all(np.array_equal(lm.params[k], plain.params[k]) for k in plain.params)
    untouched = small("lstm")
    h = charlm.train_charlm(untouched, IDS, steps=4, progress=False, time_budget=1e9, **kw)
    assert h.loss == same.loss and h.stopped == "ran all 4 steps" and not h.out_of_time
    with pytest.raises(ValueError, match="time_budget: expected a positive number of seconds or None, got -1"):
        charlm.train_charlm(small("lstm"), IDS, steps=4, time_budget=-1)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the NaN planted on purpose
def test_divergence_stops_training_with_the_training_loops_error():
    lm = small("lstm")
    lm.params["W_y"][0, 0] = np.inf
    with pytest.raises(TrainingDiverged, match="training diverged at step 1: the loss is nan.*lower lr"):
        charlm.train_charlm(lm, IDS, steps=3, batch_size=2, seq_len=8, progress=False)
