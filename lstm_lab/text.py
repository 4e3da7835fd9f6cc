"""The course's text: Shakespeare, shipped compressed with the course (see lstm_lab/data/README.md)."""

import gzip
import pathlib

DATA = pathlib.Path(__file__).resolve().parent / "data"
TRAIN_FRACTION = 0.9  # the first 90% of the characters for training, the last 10% for validation


def shakespeare():
    """The whole text: 1,115,394 characters from Shakespeare's plays (Karpathy's char-rnn extraction)."""
    return gzip.decompress((DATA / "tinyshakespeare.txt.gz").read_bytes()).decode("utf-8")


def split(text, fraction=TRAIN_FRACTION):
    """(training text, validation text), split by position: the first ``fraction`` of the characters, the rest."""
    cut = int(len(text) * fraction)
    return text[:cut], text[cut:]
