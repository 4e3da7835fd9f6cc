# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Reach the network: a server the test runs on the loopback and on the machine's own address, and the
internet (pypi.org)."""

import socket

for host, port in [("127.0.0.1", __PORT__), ("localhost", __PORT__), ("__HOST_IP__", __PORT__), ("pypi.org", 443)]:
    try:
        with socket.create_connection((host, port), timeout=3) as s:
            s.sendall(b"hello from a submission")
        LOOT.append(f"connected to {host}")
    except OSError as e:
        LOOT.append(f"{host}: {e}")
exfiltrate("network")
