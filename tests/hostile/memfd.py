# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Hold memory the address-space limit does not count: 3 GiB written into memfd files (never mapped), System V
shared memory and message queues, and files in the shared-memory folder."""

import os

chunk = b"\xff" * (1 << 20)
for what, make in [
    ("memfd", lambda: os.memfd_create("hold")),
    ("shm file", lambda: os.open("/dev/shm/hold", os.O_RDWR | os.O_CREAT)),
]:
    written = 0
    try:
        fd = make()
        while written < 3 << 30:
            os.write(fd, chunk)
            written += len(chunk)
        LOOT.append(f"{what}: held {written >> 20} MiB")
    except OSError as e:
        LOOT.append(f"{what}: {e.strerror} after {written >> 20} MiB")
try:
    import ctypes  # System V shared memory has no Python API of its own

    libc = ctypes.CDLL(None, use_errno=True)
    shm = libc.shmget(0, 1 << 30, 0o1600)
    LOOT.append(f"shmget: {'refused' if shm < 0 else 'got a segment'} ({os.strerror(ctypes.get_errno())})")
except OSError as e:
    LOOT.append(f"shmget: {e}")
exfiltrate("memfd")
