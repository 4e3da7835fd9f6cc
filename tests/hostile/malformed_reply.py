# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Answer the grader with replies it cannot read: from now on every message the kernel sends is signed with
the wrong key. (The old grader waited, interrupted, waited again and reported "did not stop when
interrupted".)"""

from IPython import get_ipython

get_ipython().kernel.session.key = b"not the connection's key"
