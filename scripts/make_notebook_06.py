"""Write notebooks/06_text.ipynb from the cells below (run once, then edit the notebook or this file).

Kept so that the notebook's structure can be regenerated and reviewed as plain text; the notebook is the
source of truth once edited by hand.
"""

import json
import pathlib

import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]

CELLS = []


def md(text):
    CELLS.append(("markdown", text.strip("\n"), []))


def code(text, tags=()):
    CELLS.append(("code", text.strip("\n"), list(tags)))


md(r"""
# 06 · LSTMs on real text

*About 35 minutes.* Previous: [05 · Training an LSTM to remember](05_training_long_memory.ipynb) · Next: [07 · Common misunderstandings, tested](07_misunderstandings.ipynb)

Everything so far was synthetic: pulses, delayed symbols, brackets. This notebook trains on real text, the plays of Shakespeare, one character at a time, in numpy, on your machine, with nothing downloaded.

**By the end of this notebook you will be able to**
1. say what a character-level language model predicts, and what its loss in nats (or bits) per character means;
2. train an LSTM on Shakespeare and watch text appear;
3. compare an LSTM, a GRU and a vanilla RNN of the same size, and sample from them at different temperatures;
4. measure how much earlier text each model actually uses, by cutting its memory every $k$ characters;
5. look for units that track something readable in the text, and say honestly how clean they are;
6. write temperature sampling yourself.
""")

code(
    f"""
try:  # on Colab, or wherever the course is not installed yet: install it, at this notebook's version
    import lstm_core  # noqa: F401
except ImportError:
    %pip install -q "lstm-lab @ git+https://github.com/lstm-lab/lstm-lab@v{VERSION}"
""",
    ["colab-install"],
)

code(r"""
import math

import numpy as np
from IPython.display import HTML, display

import lstm_core
from lstm_core import charlm
from lstm_lab import figures, text
from lstm_lab.explorers.text import TextExplorer
from lstm_lab.source import equation_lines
""")

md(r"""
## 1. The data and the task

The text is *Tiny Shakespeare*: passages from Shakespeare's plays, each speech headed by the speaker's name in capitals. It is public domain; this extraction was put together by Andrej Karpathy for his char-rnn project, and the course ships it, compressed, inside `lstm_lab`. We split it by position: the first 90% of the characters for training, the last 10% for validation, text the models never train on.

The task: read the text one character at a time and, after each one, give a probability to every possible next character. The input $x_t$ is the character at step $t$ as a one-hot vector; the model's read-out $y_t = W_y h_t + b_y$ gives one score per character, and a softmax turns the scores into probabilities. The loss is the average of $-\ln p(\text{the character that really came next})$, in **nats per character**; divided by $\ln 2$ it is in **bits per character**.

> **Predict.** A model that knows nothing gives every character the same probability. What is its loss? And a model that knows only how often each letter occurs, but nothing about order?
""")

code(r"""
full = text.shakespeare()
train_text, val_text = text.split(full)
vocab = text.vocab()
train_ids, val_ids = vocab.encode(train_text), vocab.encode(val_text)
print(f"{len(full):,} characters: {len(train_text):,} for training, {len(val_text):,} for validation")
print(f"{vocab.size} different characters: {vocab.chars!r}")
print(full[:250])
""")

code(r"""
chance = math.log(vocab.size)  # every character equally likely: -ln(1/V)
freq = np.bincount(train_ids, minlength=vocab.size) / len(train_ids)
unigram = float(-np.mean(np.log(freq[val_ids])))  # letter frequencies from the training text, scored on validation
print(f"chance: ln {vocab.size} = {chance:.2f} nats = {chance / math.log(2):.2f} bits per character")
print(f"letter frequencies alone: {unigram:.2f} nats = {unigram / math.log(2):.2f} bits per character")
""")

md(r"""
Knowing only how often letters occur already takes the loss from 4.17 to 3.35 nats: spaces and e's are common, Z's and Q's are rare. Everything below that comes from *order*, from what the model remembers of the text so far.

## 2. Train an LSTM, live

The model is `lstm_core.charlm.CharLM`: the one-hot input, an LSTM (the same `SequenceModel` as notebook 05, run by the fast path `lstm_core.fast`), the read-out and the softmax. Training uses **truncated backpropagation through time** (TBPTT): the training text is cut into 32 parallel streams, each read in chunks of 64 characters. The state at the end of a chunk is where the next chunk starts, so the memory runs on across chunks; but the gradient stops at the chunk's border:

$$\text{chunk } n:\quad (h, C)_{\text{start}} = (h, C)_{\text{end of chunk } n-1}, \qquad \frac{\partial L_n}{\partial\, \theta} \ \text{computed with } (h, C)_{\text{start}} \text{ held fixed.}$$

So the model can *use* more than 64 characters of context, but it is only *trained* to look back at most 64 characters at a time. Gradients are clipped to a global norm of 5, and Adam does the update.

> **Predict.** After 100 training steps, what will a sample look like: random characters, words, or lines of dialogue? After 700?
""")

code(r"""
live = charlm.CharLM("lstm", vocab, 192, seed=0)
hist = charlm.train_charlm(
    live, train_ids, steps=700, lr=5e-3, sample_every=350, sample_prime="\n", sample_length=200
)
block = 256  # characters a block, each block read from a zero state
live_val = charlm.evaluate_with_resets(live, val_ids, block)
print(f"\nvalidation loss (blocks of {block}): {live_val:.2f} nats = {live_val / math.log(2):.2f} bits per character")
assert live_val <= 2.0 and live_val < chance / 2
""")

md(r"""
In under a minute of numpy the LSTM went from noise to something with the shape of a play: line breaks, speaker names in capitals followed by a colon, words of plausible length, many of them real. Its validation loss, printed above, is under half of chance. It is measured on blocks of 256 characters, each read from a zero state: carried through thousands of characters, the state of a model trained this briefly can drift, and by how much changes from one training run to the next (section 4 comes back to how much context the models use).

## 3. LSTM, GRU and vanilla RNN, trained longer

`scripts/train_charlm.py` trained three models on the same text with the same budget and seed, each with about the same number of parameters, and saved them (float32) inside `lstm_lab`: an LSTM, a **GRU** and a vanilla RNN.

The GRU (Cho et al., 2014) merges the forget and input gates into one *update gate* $z_t$ and keeps no separate cell state. `lstm_core.gru_step` follows PyTorch's formulation:

$$
\begin{aligned}
r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) && \text{reset gate}\\
z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) && \text{update gate}\\
n_t &= \tanh\big(W_{in} x_t + b_{in} + r_t * (W_{hn} h_{t-1} + b_{hn})\big) && \text{candidate}\\
h_t &= (1 - z_t) * n_t + z_t * h_{t-1} && \text{hidden state}
\end{aligned}
$$

One difference from the 2014 paper: there the reset gate multiplies $h_{t-1}$ *before* the matrix, $W_{hn}(r_t * h_{t-1})$; PyTorch (and cuDNN) apply it *after*, to $W_{hn} h_{t-1} + b_{hn}$, so the reset gate also scales that bias. The two are different functions of the same weights. Here are the lines:
""")

code(r"""
print(equation_lines(lstm_core.gru_step, ["r_t =", "z_t =", "hn_t =", "n_t =", "h_t ="]))
""")

code(r"""
models = {kind: text.load_model(kind) for kind in text.KINDS}
stored = text.results()["models"]
print(f"{'model':6} {'H':>4} {'parameters':>11} | validation loss")
for kind, lm in models.items():
    nats = charlm.evaluate(lm, val_ids)  # recomputed now, from the shipped weights
    assert abs(nats - stored[kind]["validation_nats"]) < 1e-6
    print(f"{kind:6} {lm.hidden_size:4d} {lm.n_parameters():11,} | {nats:.3f} nats = {nats / math.log(2):.3f} bits per character")
gap = {kind: stored["rnn"]["validation_nats"] - stored[kind]["validation_nats"] for kind in ("lstm", "gru")}
print(f"the RNN's loss minus the LSTM's: {gap['lstm']:.2f} nats, minus the GRU's: {gap['gru']:.2f}")
""")

md(r"""
At about the same number of parameters and the same budget, the gated models beat the vanilla RNN, by the margins printed above: real, but small on this task. The RNN has more units (it needs fewer weights per unit), and much of next-character prediction is local, which an RNN handles well.
""")

md(r"""
Samples at three temperatures. The model gives probabilities $p = \mathrm{softmax}(y_t)$; sampling at temperature $T$ draws from $\mathrm{softmax}(y_t / T)$ instead. Below 1 the distribution sharpens towards the most likely character; above 1 it flattens towards uniform.

> **Predict.** Which temperature will give the most repetitive text? Which the most misspelt?
""")

code(r"""
samples = []
for kind, lm in models.items():
    for T in (0.5, 1.0, 1.5):
        s = charlm.sample(lm, "ROMEO:\n", 300, temperature=T, seed=0)
        assert s == stored[kind]["samples"][str(T)]  # the same seed gives the same text as when it was trained
        samples.append(f"<td><pre style='white-space:pre-wrap;font-size:11px'>{s}</pre></td>")
head = "".join(f"<th>T = {T}</th>" for T in (0.5, 1.0, 1.5))
body = "".join(f"<tr><th>{kind}</th>{''.join(samples[3 * k : 3 * k + 3])}</tr>" for k, kind in enumerate(models))
display(HTML(f"<table><tr><th></th>{head}</tr>{body}</table>"))
""")

md(r"""
At 0.5 the models fall into the safest patterns (common words, repeated phrases); at 1.5 they invent words. At 1.0 you see the model's own probabilities, which is also what the validation loss measures.

## 4. How far back does memory help, on real text?

The syllabus says LSTMs learn dependencies "spanning hundreds of time steps". Measure it: evaluate each model with its state **reset to zero every $k$ characters**, so it can use at most the last $k$ characters. If the loss keeps falling as $k$ grows, the model is using that much context.

> **Predict.** At which $k$ will the vanilla RNN's curve flatten out? The LSTM's?
""")

code(r"""
curves = {kind: stored[kind]["context_nats"] for kind in models}
check = charlm.evaluate_with_resets(models["lstm"], val_ids, 16)  # one point recomputed from the shipped weights
assert abs(check - curves["lstm"]["16"]) < 1e-6
print(f"{'k':>5} " + " ".join(f"{kind:>7}" for kind in models))
for k in curves["lstm"]:
    print(f"{k:>5} " + " ".join(f"{curves[kind][k]:7.3f}" for kind in models))
figures.context_curves({kind.upper(): c for kind, c in curves.items()}, chance=chance, unigram=unigram)
""")

code(r"""
print("at k = 1 (from a zero state): " + ", ".join(f"{kind} {c['1']:.2f}" for kind, c in curves.items()))
print(f"letter frequencies alone: {unigram:.2f}")
for kind, c in curves.items():
    print(
        f"{kind}: from k = 1 to 64 the loss falls by {c['1'] - c['64']:.2f}; from 64 to 512 by {c['64'] - c['512']:.3f};"
        f" at k = 512 it is {c['512']:.3f}"
    )
assert all(c["64"] - c["512"] > 0 for c in curves.values())  # every model uses some context beyond 64
""")

md(r"""
Read the curves from left to right. At $k = 1$ each character is read from a fresh zero state, a state the models never met in training (there the state is always carried), so the LSTM does only a little better than letter frequencies alone, the GRU about as well, and the RNN much worse (the printout below). From there the loss falls steeply over the first few dozen characters: a word, and the words before it. Past 64 characters, the length of the training chunks, every model still gains a little (the printout above), the gated ones more than the RNN, and at $k = 512$ they end lowest. So on this text and at this size the models use tens of characters well and hundreds only a little: dependencies spanning hundreds of steps are there, and measurable, but they are a small part of what the models learned.

## 5. Cells that learn to read

Karpathy and colleagues found units in character-level LSTMs that track quotes, line length or brackets. Are there such units here? Rather than pick a pretty example, we search: run the LSTM over 5,000 characters of the validation text, and for each simple property of the text correlate it with every unit's cell state $C_t$.
""")

code(r"""
passage = val_text[:5000]
units = text.readable_units(models["lstm"], passage)  # (text.shipped_readable_units() is this, cached)
print(f"{'feature':26} {'unit':>5} {'correlation r':>14}")
for name, unit, r in units:
    verdict = "clean" if abs(r) >= 0.8 else "partial" if abs(r) >= 0.5 else "no clean unit"
    print(f"{name:26} {unit:5d} {r:14.2f}   {verdict}")
""")

md(r"""
Each line is the best unit for that feature and its correlation; "clean" means $|r| \ge 0.8$, "partial" $0.5 \le |r| < 0.8$. Some properties have a unit of their own; others are spread over many units, or over the gates rather than $C_t$. Here is the best unit for the first feature over a passage: each character's background shows that unit's $C_t$ (orange below zero, purple above; hover over a character to read its value, and the line under the passage lists the extremes).
""")

code(r"""
name, unit, r = units[0]
_, run = models["lstm"].forward(vocab.encode(passage[:600])[:, None])
display(HTML(text.char_heatmap_html(passage[:600], run.c[:, 0, unit], label=f"C_t of unit {unit} ({name}, r = {r:.2f})")))
""")

md(r"""
## 6. Explore

Pick a passage and a position: the readout shows the model's five most likely next characters after it, with their probabilities, and the character that really comes next. Choose a unit: its $C_t$, $h_t$ and gates are plotted over the passage, and its $C_t$ colours the text below. Two more sliders change the model:

- **temperature** draws a fresh sample (60 characters after the passage);
- **b_f offset of unit j** adds to that one unit's forget-gate bias. At $-6$ the unit forgets at every step; at $+6$ it hardly forgets at all.

> **Predict, then check.** The explorer opens on the unit at the top of the table in §5. What happens to its $C_t$ after the feature it tracks ends when you push its forget bias to +6, and when you pull it to −6? Does the sample change? Then try the unit that follows the position in the line.
""")

code(
    r"""
TextExplorer(unit=units[0][1])
""",
    ["nbval-ignore-output"],
)

code(r"""
TextExplorer.snapshot([{"unit": units[0][1], "f_offset": 0.0}, {"unit": units[0][1], "f_offset": 6.0}])
""")

md(r"""
## 7. Exercise: sampling with a temperature

Write `temperature_probs(logits, temperature)`: the probabilities to sample from at a temperature, $\mathrm{softmax}(\text{logits} / T)$, over the last axis. Subtract the largest logit before exponentiating so that large logits cannot overflow.
""")

code(r"""
from lstm_lab.exercises import check


def temperature_probs(logits, temperature):
    '''softmax(logits / temperature) over the last axis.'''
    # YOUR CODE HERE (three lines)
    raise NotImplementedError


check("temperature", temperature_probs)
""")

md(r"""
<details><summary>Model solution</summary>

```python
def temperature_probs(logits, temperature):
    z = logits / temperature
    z = z - np.max(z, axis=-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
```

Dividing the *probabilities* by the temperature, or multiplying the logits by it, are the two usual slips: the check names both. `lstm_core.charlm.softmax` is the course's version, and `charlm.sample` draws from it.
</details>
""")

md(r"""
## Key takeaways

- A character-level language model predicts the next character; its loss is in nats (or bits) per character. Chance over 65 characters is $\ln 65$; letter frequencies alone give 3.35 nats.
- Truncated BPTT carries the state across chunks but stops the gradient at their borders: the model can use more context than it is trained to look back over.
- A numpy LSTM learns the shape of a play in under a minute. Trained longer, the LSTM and the GRU beat a vanilla RNN of the same size, by a small margin on this task.
- Cutting the memory every $k$ characters measures how much context a model uses: on this text, most of the gain is within tens of characters, and a little beyond.
- Some units track something readable, and many do not: search, and report the correlation, before calling a unit interpretable.

## Check yourself

1. A model's loss is 1.5 nats per character. What is that in bits, and what probability does it give the right character, on a geometric average?
2. Why can an LSTM trained with chunks of 64 characters still use context longer than 64 characters at evaluation?
3. Sampling at temperature $T \to 0$: what text do you get?

<details><summary>Answers</summary>

1. $1.5 / \ln 2 \approx 2.16$ bits; $e^{-1.5} \approx 0.22$.
2. The state is carried across chunks in training too, so the model learns to use whatever its state holds; only the gradient is cut. Information older than 64 characters reaches the loss through the carried state, but the model is never trained to *store* something for that long on purpose.
3. The most likely character every time (greedy decoding): the same text for every seed, often a loop of common words.
</details>
""")


def main():
    cells = []
    for k, (kind, src, tags) in enumerate(CELLS):
        cell = {"cell_type": kind, "id": f"nb06-{k:02d}", "metadata": {"tags": tags} if tags else {}, "source": src}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cell["source"] = src.splitlines(keepends=True)
        cells.append(cell)
    template = json.loads((ROOT / "notebooks" / "05_training_long_memory.ipynb").read_text())
    nb = {"cells": cells, "metadata": template["metadata"], "nbformat": 4, "nbformat_minor": template["nbformat_minor"]}
    (ROOT / "notebooks" / "06_text.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
