"""A cgroup of its own for each sandbox, where the system offers one: a bound on all of its memory and tasks.

The address-space limit counts what a process maps; a cgroup's memory limit counts everything the sandbox
makes the machine hold: mapped memory, files in its tmpfs folders, shared memory, pipes and sockets, and the
kernel's own records of its files (a million empty files cost a gigabyte), and when it is exceeded the
sandbox's kernel, not the grader, is stopped. The grader creates the cgroup below the one it runs in:

- cgroup v2: when its own cgroup delegates the ``memory`` and ``pids`` controllers (``cgroup.subtree_control``);
- cgroup v1: when the ``memory`` and ``pids`` hierarchies are mounted and writable (as root, usually).

Elsewhere ``create`` returns None and the per-process limits, the tmpfs sizes and the file count the grader
watches are what hold (docs/teaching.md says which).
"""

import os
import secrets


def _mounts():
    """{controller or "unified": mount point} of the cgroup file systems this process sees."""
    out = {}
    try:
        with open("/proc/self/mountinfo") as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, kind = left.split(), right.split()
        if len(fields) < 5 or len(kind) < 3 or fields[3] != "/":
            continue  # a mount of part of a hierarchy: its paths would not match /proc/self/cgroup's
        if kind[0] == "cgroup2":
            out.setdefault("unified", fields[4])
        elif kind[0] == "cgroup":
            for option in kind[2].split(","):
                out.setdefault(option, fields[4])
    return out


def _own_paths():
    """{controller or "unified": this process's cgroup path} from /proc/self/cgroup."""
    out = {}
    with open("/proc/self/cgroup") as f:
        for line in f.read().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else ["unified"]:
                out[name] = path
    return out


def _write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


class Cgroup:
    """One sandbox's cgroup: ``add(pid)`` before the sandbox runs anything, ``oom_kills()``, ``remove()``."""

    def __init__(self, dirs, version):
        self.dirs, self.version = dirs, version

    @classmethod
    def create(cls, memory, tasks):
        """A new cgroup with ``memory`` bytes and ``tasks`` processes and threads, or None where there is none."""
        try:
            mounts, own = _mounts(), _own_paths()
        except (OSError, ValueError):
            return None
        name = f"lstm-lab-{secrets.token_hex(6)}"
        for make in (cls._v2, cls._v1):
            try:
                group = make(mounts, own, name, memory, tasks)
            except OSError:
                group = None
            if group is not None:
                return group
        return None

    @classmethod
    def _v2(cls, mounts, own, name, memory, tasks):
        if "unified" not in mounts or "unified" not in own:
            return None
        parent = mounts["unified"] + own["unified"].rstrip("/")
        with open(f"{parent}/cgroup.subtree_control") as f:
            if not {"memory", "pids"} <= set(f.read().split()):
                return None
        group = cls([f"{parent}/{name}"], 2)
        os.mkdir(group.dirs[0])
        try:
            _write(f"{group.dirs[0]}/memory.max", memory)
            if os.path.exists(f"{group.dirs[0]}/memory.swap.max"):
                _write(f"{group.dirs[0]}/memory.swap.max", 0)
            _write(f"{group.dirs[0]}/pids.max", tasks)
        except OSError:
            group.remove()
            raise
        return group

    @classmethod
    def _v1(cls, mounts, own, name, memory, tasks):
        if not {"memory", "pids"} <= set(mounts) or not {"memory", "pids"} <= set(own):
            return None
        group = cls([mounts[c] + own[c].rstrip("/") + "/" + name for c in ("memory", "pids")], 1)
        try:
            for d in group.dirs:
                os.mkdir(d)
            _write(f"{group.dirs[0]}/memory.limit_in_bytes", memory)
            if os.path.exists(f"{group.dirs[0]}/memory.memsw.limit_in_bytes"):
                _write(f"{group.dirs[0]}/memory.memsw.limit_in_bytes", memory)  # no swap either
            _write(f"{group.dirs[1]}/pids.max", tasks)
        except OSError:
            group.remove()
            raise
        return group

    def add(self, pid):
        for d in self.dirs:
            _write(f"{d}/cgroup.procs", pid)

    def oom_kills(self):
        """How many times the memory limit stopped a process of the sandbox."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            with open(f"{self.dirs[0]}/{name}") as f:
                for line in f.read().splitlines():
                    if line.startswith("oom_kill "):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    def remove(self):
        """Remove the cgroup (once its processes are gone; a few tries while the kernel reaps them)."""
        import time

        for d in self.dirs:
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)

    @classmethod
    def offered(cls):
        """ "cgroup v1" or "cgroup v2" where the grader could make one here (nothing is created), else None."""
        try:
            mounts, own = _mounts(), _own_paths()
        except (OSError, ValueError):
            return None
        if "unified" in mounts and "unified" in own:
            parent = mounts["unified"] + own["unified"].rstrip("/")
            try:
                with open(f"{parent}/cgroup.subtree_control") as f:
                    if {"memory", "pids"} <= set(f.read().split()) and os.access(parent, os.W_OK):
                        return "cgroup v2"
            except OSError:
                pass
        if {"memory", "pids"} <= set(mounts) and {"memory", "pids"} <= set(own):
            if all(os.access(mounts[c] + own[c].rstrip("/") or "/", os.W_OK) for c in ("memory", "pids")):
                return "cgroup v1"
        return None
