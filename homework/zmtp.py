"""The grader's end of a kernel's shell channel: ZMTP 3 (ZeroMQ's wire protocol) spoken over the Unix socket
directly, so that every byte a kernel sends is counted before it is kept.

A ZeroMQ socket would hold a whole multipart message in memory before handing it over, and a kernel may send
one of 512 parts of 4 MiB each (one buffer, referenced 512 times): here a message of more than ``max_parts``
parts or ``max_message`` bytes, or a connection that has sent more than ``budget`` bytes, ends the
connection (TooLarge), having held at most one message's worth. There is no reconnection: a connection the
kernel closes stays closed (Closed).
"""

import select
import socket
import struct
import time

MORE, LONG, COMMAND = 1, 2, 4
MAX_PARTS, MAX_MESSAGE, BUDGET = 16, 2 << 20, 64 << 20  # a message's parts and bytes; bytes a connection
GREETING = b"\xff" + b"\0" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\0") + b"\0" + b"\0" * 31


class Closed(ConnectionError):
    """The kernel ended the connection (or never made it)."""


class TooLarge(ConnectionError):
    """The kernel sent more than the grader accepts; the connection is closed."""


def _command(name, body=b""):
    data = bytes([len(name)]) + name + body
    return _frame(data, COMMAND)


def _frame(data, flags=0):
    if len(data) > 255:
        return bytes([flags | LONG]) + struct.pack(">Q", len(data)) + data
    return bytes([flags, len(data)]) + data


def _ready(socket_type):
    prop = b"Socket-Type"
    return _command(b"READY", bytes([len(prop)]) + prop + struct.pack(">I", len(socket_type)) + socket_type)


class Shell:
    """A DEALER connection to a kernel's ROUTER (its shell socket): ``send(parts)``, ``recv(until)``."""

    def __init__(self, path, max_parts=MAX_PARTS, max_message=MAX_MESSAGE, budget=BUDGET):
        self.path, self.max_parts, self.max_message, self.budget = path, max_parts, max_message, budget
        self.sock, self.buf, self.received, self.parts = None, bytearray(), 0, []

    def connect(self, until):
        """Connect and finish the handshake by ``until`` (time.monotonic()); raises Closed if it cannot."""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.settimeout(max(0.1, until - time.monotonic()))
            self.sock.connect(self.path)
            self.sock.setblocking(False)
            self._send_all(GREETING + _ready(b"DEALER"), until)
            self._fill(64, until)
            peer = self._take(64)
            if peer[:1] != b"\xff" or peer[9:10] != b"\x7f" or peer[10] < 3 or not peer[12:32].startswith(b"NULL"):
                raise Closed("the kernel's socket does not speak ZMTP 3 with the NULL mechanism")
            while True:  # its READY (and any other command) before the first message
                flags, data = self._next_frame(until)
                if flags & COMMAND and data[1:6] == b"READY":
                    return
        except (OSError, TimeoutError) as err:
            self.close()
            raise Closed(
                f"no connection to the kernel ({getattr(err, 'strerror', None) or err or 'no answer'})"
            ) from None

    def send(self, parts, until):
        out = b"".join(_frame(p, MORE if i < len(parts) - 1 else 0) for i, p in enumerate(parts))
        self._send_all(out, until)

    def recv(self, until):
        """The next message (a list of parts), or None at ``until``; raises Closed or TooLarge."""
        while True:
            try:
                flags, data = self._next_frame(until)
            except TimeoutError:
                return None
            if flags & COMMAND:
                self._on_command(data, until)
                continue
            self.parts.append(data)
            if len(self.parts) > self.max_parts or sum(map(len, self.parts)) > self.max_message:
                self.close()
                raise TooLarge(
                    f"a message of more than {self.max_parts} parts or {self.max_message >> 20} MiB from the kernel"
                )
            if not flags & MORE:
                message, self.parts = self.parts, []
                return message

    def _on_command(self, data, until):
        if data[1:5] == b"PING" and len(data) >= 7:
            self._send_all(_command(b"PONG", data[7:]), until)  # ZMTP 3.1 heartbeats, should a kernel ask

    def _next_frame(self, until):
        """(flags, body) of the next whole frame; nothing is consumed until all of it is here."""
        self._fill(2, until)
        long = self.buf[0] & LONG
        if long:
            self._fill(9, until)
        size = struct.unpack_from(">Q", self.buf, 1)[0] if long else self.buf[1]
        if size > self.max_message:
            self.close()
            raise TooLarge(f"a frame of {size} bytes from the kernel (at most {self.max_message} are accepted)")
        head = 9 if long else 2
        self._fill(head + size, until)
        frame = self._take(head + size)
        return frame[0], frame[head:]

    def _take(self, n):
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def _fill(self, n, until):
        """Read until the buffer holds ``n`` bytes; raises TimeoutError at ``until``, Closed, TooLarge."""
        while len(self.buf) < n:
            if self.sock is None:
                raise Closed("the connection is closed")
            left = until - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                raise TimeoutError
            try:
                chunk = self.sock.recv(min(1 << 20, max(n - len(self.buf), 65536)))
            except BlockingIOError:
                continue
            except OSError as err:
                self.close()
                raise Closed(err.strerror) from None
            if not chunk:
                self.close()
                raise Closed("the kernel closed the connection")
            self.received += len(chunk)
            if self.received > self.budget:
                self.close()
                raise TooLarge(f"more than {self.budget >> 20} MiB from the kernel on one connection")
            self.buf += chunk

    def _send_all(self, data, until):
        view = memoryview(data)
        while view:
            if self.sock is None:
                raise Closed("the connection is closed")
            left = until - time.monotonic()
            if left <= 0 or not select.select([], [self.sock], [], left)[1]:
                raise TimeoutError
            try:
                view = view[self.sock.send(view) :]
            except BlockingIOError:
                continue
            except OSError as err:
                self.close()
                raise Closed(err.strerror) from None

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
