"""The grader's ends of the guard's pipes (homework/wire.py): records read as they arrive, commands written.

The report pipe is read by a thread of its own, which holds no lock while it reads and keeps at most one
frame of bytes; what it parses it hands over under a condition variable, which every wait leaves at its own
deadline. A kernel that writes more than ``budget`` bytes into it, or bytes that are not the guard's frames,
gets the pipe closed (the guard's next write fails instead of blocking): its hidden tests after that point
cannot be trusted, and the grader says so.
"""

import json
import os
import select
import threading
import time

from homework import wire

BUDGET = 16 << 20  # bytes a kernel may write into the report pipe, all its records together


class Records:
    """What the guard reported, for one kernel."""

    def __init__(self, fd, key, budget=BUDGET):
        self.fd, self.key, self.budget = fd, key, budget
        os.set_blocking(fd, False)
        self.cond = threading.Condition()
        self.frames, self.seq, self.total = wire.Frames(), 0, 0
        self.ready = False
        self.calls, self.done, self.tampered = {}, {}, []
        self.forged = 0  # frames that were not the guard's (bad MAC): flagged, never used
        self.broken = None  # why the channel can no longer be trusted, or None
        self.closed = False
        self.thread = threading.Thread(target=self._loop, name="guard-records", daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.closed:
            try:
                if not select.select([self.fd], [], [], 0.2)[0]:
                    continue
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            except (OSError, ValueError):
                break
            if not data:
                break
            self.total += len(data)
            for payload in self.frames.feed(data):
                self._take(payload)
            error = self.frames.error or (self.total > self.budget and f"more than {self.budget >> 20} MiB")
            if error:
                self._break(f"the kernel flooded or garbled the grader's report channel ({error})")
                break
        self._close_fd()

    def _take(self, payload):
        try:
            seq, body = wire.open_record(self.key, payload)
        except wire.Garbage:
            with self.cond:
                self.forged += 1
            return
        if seq != self.seq:
            self._break("records of the guard went missing from the grader's report channel")
            return
        self.seq += 1
        try:
            self._parse(body)
        except (ValueError, UnicodeDecodeError):
            self._break("a record of the guard the grader cannot read")

    def _parse(self, body):
        kind, _, rest = body.partition(b" ")
        with self.cond:
            if kind == b"ready":
                self.ready = True
            elif kind == b"call":
                n, _, name = rest.partition(b" ")
                self.calls.setdefault(int(n), set()).add(name.decode("utf-8", "replace"))
            elif kind == b"tamper":
                self.tampered.append(rest.decode("utf-8", "replace"))
            elif kind == b"done":
                n, _, rest = rest.partition(b" ")
                meta, _, results = rest.partition(b"\n")
                self.done.setdefault(int(n), (json.loads(meta), results))
            self.cond.notify_all()

    def _break(self, why):
        with self.cond:
            if self.broken is None:
                self.broken = why
            self.cond.notify_all()

    def wait(self, test, until):
        """Wait until ``test()`` (called with the lock held) is true or ``until`` (time.monotonic()) passes."""
        with self.cond:
            while not test():
                left = until - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.5))
            return True

    def take_done(self, n):
        """(meta, results) of hidden test ``n`` (removed from memory), or None."""
        with self.cond:
            return self.done.pop(n, None)

    def _close_fd(self):
        with self.cond:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None

    def close(self):
        self.closed = True
        self.thread.join(timeout=5)
        if not self.thread.is_alive():
            self._close_fd()


def send_command(fd, n, question, answer, forward, seed):
    """Write hidden test ``n``'s command; False if the pipe is full (the kernel stuffed it)."""
    frame = wire.command(n, question, answer, forward, seed)
    try:
        return os.write(fd, frame) == len(frame)
    except (BlockingIOError, BrokenPipeError):
        return False
