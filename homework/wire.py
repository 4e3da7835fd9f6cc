"""What the grader and the guard in its kernel (kernel_guard.py) say to each other: one module, imported on both sides.

Three pipes, handed to the kernel when it starts (descriptors, never paths):

- **config**, grader -> guard, read once at start: JSON ``{"limits", "watch", "uid", "report", "command", "key"}``.
- **report**, guard -> grader: records, each one frame ``length (4 bytes) | seq (8) | mac (32) | body``. ``mac`` is
  an HMAC of ``seq | body`` under the key the grader sent in the config, ``seq`` counts from 0, so that a record
  written by anything but the guard, or one taken out of the pipe, shows. Bodies: ``ready``, ``start N``,
  ``call N NAME`` (a reference function called while hidden test N ran), ``tamper WHAT`` and
  ``done N JSON\\nRESULTS``.
- **command**, grader -> guard: one frame ``length | JSON`` per hidden test: ``{"n", "question", "answer",
  "forward", "seed"}``. The guard reads it when the grader's trigger (``TRIGGER()``) runs in the kernel.

RESULTS, the student's outputs on the hidden cases, are the grader's own file format: a JSON header
``[[case, name, shape], ...]`` and a newline, then the arrays' float64 bytes (little-endian) in that order. Nothing
in it is converted before its header has been checked against the limits below.
"""

import hashlib
import hmac
import json
import struct

import numpy as np

TRIGGER = "__lstm_lab_hidden_test__"  # the builtin the grader's one-line cell calls to run a hidden test
LENGTH = struct.Struct(">I")
SEQ = struct.Struct(">Q")
MAC_BYTES = 32
MAX_FRAME = 1 << 20  # bytes of one record (a hidden test's results included)
MAX_COMMAND = 4096
MAX_ARRAYS = 256  # arrays in one hidden test's results
MAX_HEADER = 64 << 10
MAX_ELEMENTS = 1 << 16  # numbers in one hidden test's results (512 KiB of float64)


class Garbage(ValueError):
    """Bytes in a channel that no honest guard or grader writes."""


def mac(key, seq, body):
    """The HMAC of one record: the only place the grader and the guard compute one."""
    return hmac.new(key, SEQ.pack(seq) + body, hashlib.sha256).digest()


def record(key, seq, body):
    """One record, framed, ready for the report pipe."""
    payload = SEQ.pack(seq) + mac(key, seq, body) + body
    return LENGTH.pack(len(payload)) + payload


class Frames:
    """Cuts a byte stream into frames, never holding more than one frame of at most ``limit`` bytes.

    ``error`` says why it stopped, at a frame over the limit: nothing after it can be cut into frames again."""

    def __init__(self, limit=MAX_FRAME):
        self.limit, self.buf, self.error = limit, bytearray(), None

    def feed(self, data):
        """The complete frames in ``data`` and what came before it, up to the first frame over the limit."""
        if self.error:
            return []
        self.buf += data
        out = []
        while len(self.buf) >= LENGTH.size:
            (n,) = LENGTH.unpack_from(self.buf)
            if n > self.limit:
                self.error, self.buf = f"a frame of {n} bytes (the limit is {self.limit})", bytearray()
                break
            if len(self.buf) < LENGTH.size + n:
                break
            out.append(bytes(self.buf[LENGTH.size : LENGTH.size + n]))
            del self.buf[: LENGTH.size + n]
        return out


def open_record(key, payload):
    """(seq, body) of a record whose MAC is right; raises Garbage otherwise."""
    if len(payload) < SEQ.size + MAC_BYTES:
        raise Garbage("a record too short to be one")
    (seq,) = SEQ.unpack_from(payload)
    tag, body = payload[SEQ.size : SEQ.size + MAC_BYTES], payload[SEQ.size + MAC_BYTES :]
    if not hmac.compare_digest(tag, mac(key, seq, body)):
        raise Garbage("a record the guard did not sign")
    return seq, body


def command(n, question, answer, forward, seed):
    body = json.dumps({"n": n, "question": question, "answer": answer, "forward": forward, "seed": seed}).encode()
    return LENGTH.pack(len(body)) + body


# --- a hidden test's results -------------------------------------------------------------------------------
def as_float(value):
    """``value`` as a float64 array, or NaN when it is not numbers or too large to send (judged a wrong shape)."""
    if isinstance(value, np.ndarray) and value.size > MAX_ELEMENTS:
        return np.array(np.nan)
    try:
        out = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return np.array(np.nan)
    return out if out.size <= MAX_ELEMENTS else np.array(np.nan)


def encode_results(outputs):
    """The bytes of ``outputs`` (one dict of arrays per case); raises ValueError when they exceed the limits."""
    arrays = [(k, str(name)[:64], as_float(v)) for k, out in enumerate(outputs) for name, v in out.items()]
    if len(arrays) > MAX_ARRAYS or sum(a.size for _, _, a in arrays) > MAX_ELEMENTS:
        raise ValueError(f"the answers hold more than {MAX_ELEMENTS} numbers in all")
    header = json.dumps([[k, name, list(a.shape)] for k, name, a in arrays]).encode()
    return header + b"\n" + b"".join(np.ascontiguousarray(a, dtype="<f8").tobytes() for _, _, a in arrays)


def _check_header(header):
    if not isinstance(header, list) or len(header) > MAX_ARRAYS:
        raise Garbage(f"the results' header is not a list of at most {MAX_ARRAYS} arrays")
    total = 0
    for entry in header:
        ok = isinstance(entry, list) and len(entry) == 3 and type(entry[0]) is int and 0 <= entry[0] < MAX_ARRAYS
        ok = ok and isinstance(entry[1], str) and len(entry[1]) <= 64 and isinstance(entry[2], list)
        shape = entry[2] if ok else []
        if not ok or len(shape) > 8 or not all(type(d) is int and 0 <= d <= MAX_ELEMENTS for d in shape):
            raise Garbage(f"the results' header has an entry that is not [case, name, shape]: {str(entry)[:80]}")
        total += int(np.prod(shape, dtype=np.int64)) if shape else 1
        if total > MAX_ELEMENTS:
            raise Garbage(f"the results hold more than {MAX_ELEMENTS} numbers")
    return total


def decode_results(blob):
    """The outputs in ``blob`` (a list, one dict of arrays per case), after checking their sizes and shapes."""
    head, sep, data = bytes(blob[: MAX_HEADER + 1]).partition(b"\n")
    if not sep:
        raise Garbage("the results have no header")
    data = bytes(blob[len(head) + 1 :])
    try:
        header = json.loads(head)
    except ValueError:
        raise Garbage("the results' header is not JSON") from None
    if _check_header(header) * 8 != len(data):
        raise Garbage("the results' size does not match their header")
    out, offset = {}, 0
    for k, name, shape in header:
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        out.setdefault(k, {})[name] = np.frombuffer(data, "<f8", count, offset).reshape(shape).copy()
        offset += 8 * count
    if sorted(out) != list(range(len(out))):
        raise Garbage("the results skip a case")
    return [out[k] for k in sorted(out)]
