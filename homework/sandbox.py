"""The box a grading kernel runs in: bubblewrap (bwrap) on Linux, started by the teacher's own user or by root.

What the kernel sees (an allow-list: nothing else of the machine is there)
    /usr (and /bin, /lib, /lib64, /sbin as on the host), the base Python installation       read-only
    /opt/lstm-lab/env      the virtual environment that runs the grader (if it runs in one)  read-only
    /opt/lstm-lab/course   the course's packages lstm_core and lstm_lab                      read-only
    /opt/lstm-lab/grader   the guard: homework/{__init__,wire,seccomp,kernel_guard}.py, as data  read-only
    /etc/passwd and /etc/group with one user, /etc/ld.so.cache                                read-only
    its own /proc (a new PID namespace) and a minimal /dev (read-only, but for a small /dev/shm)
    /scratch (its HOME, cwd and TMPDIR) and /tmp: small tmpfs folders, the only places it can write
No host path appears in a command line inside it: bwrap reads its arguments from a pipe (``--args``), and
the guard its configuration (homework/wire.py). It does not see the homework sources, the submissions, the
grader, the grades or any home folder; it has no network (a namespace of its own with only a loopback), a
new IPC and UTS namespace, and a clean environment (ENV below). As root, bwrap starts the guard with
CAP_SETUID, CAP_SETGID and CAP_SETPCAP alone, and the guard drops to a uid and gid of the kernel's own (a
random one from SANDBOX_UIDS, which no account uses) and clears every capability before any other code
runs; as another user, the kernel runs as that user in a user namespace that cannot make further ones.

Limits: LIMITS (per process, set by the guard), the seccomp filter (no processes, homework/seccomp.py), a
cgroup of its own where the system offers one (homework/cgroups.py: all of its memory and tasks), the
tmpfs sizes and file counts below, and the grader's time limits (homework/kernel.py, homework/hw.py).
"""

import os
import pathlib
import secrets
import shutil
import subprocess
import sys

SCRATCH = "/scratch"
INSIDE = "/opt/lstm-lab"
ENV_INSIDE, COURSE_INSIDE, GRADER_INSIDE = f"{INSIDE}/env", f"{INSIDE}/course", f"{INSIDE}/grader"
GRADER_FILES = ("__init__.py", "wire.py", "seccomp.py", "kernel_guard.py")  # what the kernel needs of homework/
TMPFS = {  # folder: (bytes, files); the file counts are set as root (see Kernel.start), watched otherwise
    SCRATCH: (64 << 20, 10000),
    "/tmp": (16 << 20, 2000),
    "/dev/shm": (1 << 20, 64),
}
SANDBOX_UIDS = (0x70000000, 0x7FFF0000)  # as root: each kernel gets a uid of its own from this unused range
LIMITS = {
    "as": 1 << 30,  # address space per process: 1 GiB (a kernel with numpy and matplotlib peaks near 0.4 GiB)
    "nproc": 32,  # threads of the sandbox's user (the kernel itself has about 12; processes are refused)
    "nofile": 256,
    "fsize": 32 << 20,  # largest file it can write
    "cpu": 600,  # CPU seconds
    "core": 0,
    "msgqueue": 0,
}
CGROUP_MEMORY = 1280 << 20  # everything the sandbox makes the machine hold, where there is a cgroup
ENV = {  # the kernel's whole environment, with HOME, PATH and the like (Kernel.env)
    "LANG": "C.UTF-8",
    "PYTHONNOUSERSITE": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "MPLBACKEND": "Agg",  # grading kernels draw nothing on screen
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JUPYTER_PLATFORM_DIRS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "MALLOC_ARENA_MAX": "2",  # glibc reserves 64 MiB of address space per thread otherwise
}
NO_SANDBOX_WARNING = (
    "WARNING: grading WITHOUT a sandbox (--no-sandbox). Each submission's code runs as you, with your files, "
    "network and processes: it can read and change anything you can (the homework sources and hidden tests, "
    "the other submissions, this grader, your home folder), talk to the network, and kill or outlast the grader. "
    "Only a clean environment, the timeouts and the memory and file limits (where the system allows them) "
    "still apply; the process limit does not. Grade untrusted submissions on Linux with bubblewrap instead "
    "(apt-get install bubblewrap)."
)


class Unavailable(RuntimeError):
    """No sandbox on this machine (not Linux, no bwrap, or bwrap cannot make namespaces here)."""


def bwrap_path():
    if not sys.platform.startswith("linux"):
        return None
    return shutil.which("bwrap")


def _inside(path, folder):
    path, folder = str(path), str(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def layout(python=sys.executable):
    """(binds [(host folder, where inside)], the interpreter's path inside, PYTHONPATH inside) for ``python``.

    ``python`` must be this process's interpreter or one of its environment (the kernel imports what the
    grader imported)."""
    import lstm_core
    import lstm_lab

    binds = []
    for base in sorted({str(pathlib.Path(p).resolve()) for p in (sys.base_prefix, sys.base_exec_prefix)}):
        if not _inside(base, "/usr") and not any(_inside(base, b) for b, _ in binds):
            binds.append((base, base))  # the base installation: its own path (an environment's links point there)
    python_inside, path = str(python), []
    if sys.prefix != sys.base_prefix:
        binds.append((str(pathlib.Path(sys.prefix).resolve()), ENV_INSIDE))
        if _inside(os.path.abspath(python), sys.prefix):
            python_inside = ENV_INSIDE + os.path.abspath(python)[len(sys.prefix.rstrip("/")) :]
    for pkg in (lstm_core, lstm_lab):
        folder = pathlib.Path(pkg.__path__[0]).resolve()
        if not any(_inside(folder, host) for host, _ in binds):
            binds.append((str(folder), f"{COURSE_INSIDE}/{folder.name}"))
            path = [COURSE_INSIDE]
    return binds, python_inside, ":".join([*path, GRADER_INSIDE])


def refuse_if_exposed(binds, secret):
    for host, _ in binds:
        for s in secret:
            s = str(pathlib.Path(s).resolve())
            if _inside(s, host):
                raise Unavailable(
                    f"the sandbox would show {s} to submissions: it is inside {host}, which the kernel needs "
                    "(its Python environment or the course's packages); install the course in an environment "
                    "outside the homework and submission folders"
                )


class Args:
    """bwrap's arguments, built up with the descriptors they need (data for files, pipes): ``fds`` to pass."""

    def __init__(self):
        self.args, self.fds = [], []

    def add(self, *args):
        self.args += [str(a) for a in args]

    def data(self, text, path, perms="0444"):
        r, w = os.pipe()
        os.write(w, text if isinstance(text, bytes) else text.encode())
        os.close(w)
        self.fds.append(r)
        self.add("--perms", perms, "--ro-bind-data", r, path)

    def pipe(self):
        """An argument file for bwrap (``--args FD``): its fd, to be passed and closed after Popen."""
        r, w = os.pipe()
        data = b"".join(a.encode() + b"\0" for a in self.args)
        if len(data) > 60000:
            raise ValueError("bwrap's arguments do not fit a pipe")
        os.write(w, data)
        os.close(w)
        self.fds.append(r)
        return r

    def close(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []


def _system(args):
    args.add("--ro-bind", "/usr", "/usr")
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args.add("--symlink", os.readlink(top), top)
        elif os.path.isdir(top):
            args.add("--ro-bind", top, top)
    args.add("--proc", "/proc", "--dev", "/dev")
    for folder, (size, _) in TMPFS.items():
        args.add("--perms", "1777", "--size", size, "--tmpfs", folder)
    args.add("--perms", "1777", "--dir", f"{SCRATCH}/tmp")


def _parents(args, paths):
    """Every folder above ``paths`` made readable by all (bwrap would make them for its own user only)."""
    made = set()
    for path in paths:
        for parent in reversed(pathlib.PurePosixPath(path).parents):
            p = str(parent)
            if p not in ("/", "/tmp") and p not in made and not _inside(p, "/usr"):
                made.add(p)
                args.add("--perms", "0755", "--dir", p)


def _grader_files(args):
    here = pathlib.Path(__file__).resolve().parent
    args.add("--perms", "0755", "--dir", f"{GRADER_INSIDE}/homework")
    for name in GRADER_FILES:
        args.data((here / name).read_bytes(), f"{GRADER_INSIDE}/homework/{name}")


def bwrap_args(env, secret=(), uid=None, root=None, binds=None):
    """(Args up to the command, whether bwrap runs as root): the sandbox. ``uid``: as root, the kernel's.

    ``root`` and ``binds`` are found out unless given (tests give them)."""
    if bwrap_path() is None:
        raise Unavailable(
            "no sandbox: bubblewrap (bwrap) is not installed"
            if sys.platform.startswith("linux")
            else f"no sandbox on {sys.platform}: grading untrusted notebooks needs Linux with bubblewrap"
        )
    root = os.geteuid() == 0 if root is None else root
    binds = layout()[0] if binds is None else binds
    refuse_if_exposed(binds, [*secret, pathlib.Path.home()])
    args = Args()
    args.add("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try")
    if root:
        args.add("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP")  # for the guard
    else:
        args.add("--unshare-user", "--disable-userns")
    args.add("--die-with-parent", "--new-session", "--clearenv", "--hostname", "lstm-lab-grading")
    _system(args)
    _parents(args, [inside for _, inside in binds] + [f"{GRADER_INSIDE}/homework", "/etc/passwd"])
    if os.path.exists("/etc/ld.so.cache"):
        args.add("--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache")
    for host, inside in binds:
        args.add("--ro-bind", host, inside)
    _grader_files(args)
    uid = (uid or SANDBOX_UIDS[0]) if root else os.getuid()
    gid = uid if root else os.getgid()
    args.data(f"student:x:{uid}:{gid}:student:{SCRATCH}:/usr/sbin/nologin\n", "/etc/passwd")
    args.data(f"student:x:{gid}:\n", "/etc/group")
    # bwrap's own root and /dev are tmpfs, which an ordinary user's sandbox owns: read-only, so that the
    # tmpfs folders, with their sizes, are the only places it can write
    args.add("--remount-ro", "/dev", "--remount-ro", "/")
    for k, v in env.items():
        args.add("--setenv", k, v)
    args.add("--chdir", SCRATCH)
    return args, root


def new_uid():
    return secrets.randbelow(SANDBOX_UIDS[1] - SANDBOX_UIDS[0]) + SANDBOX_UIDS[0]


_probed = {}


def check(secret=()):
    """None if a sandboxed kernel can start here; raises Unavailable with the reason otherwise (checked once)."""
    from homework import seccomp

    key = tuple(secret)
    if key not in _probed:
        try:
            if not seccomp.supported():
                raise Unavailable("the sandbox's system-call filter is written for x86-64 and arm64 Linux only")
            _probed[key] = _probe(secret)
        except Unavailable as err:
            _probed[key] = err
    if _probed[key] is not None:
        raise _probed[key]


def _probe(secret):
    import json

    binds, python, pythonpath = layout()
    uid = new_uid()
    args, root = bwrap_args({"PATH": "/usr/bin:/bin", "PYTHONPATH": pythonpath}, secret=secret, uid=uid, binds=binds)
    config = {"uid": uid if root else None, "limits": LIMITS, "seccomp": True, "probe": True}
    r, w = os.pipe()
    os.write(w, json.dumps(config).encode())
    os.close(w)
    args.fds.append(r)
    cmd = [bwrap_path(), "--args", str(args.pipe()), "--", python, "-m", "homework.kernel_guard", "--guard-fd", str(r)]
    try:
        out = subprocess.run(
            cmd, pass_fds=args.fds, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        raise Unavailable("bubblewrap is installed but a sandboxed Python did not start within 60 s") from None
    finally:
        args.close()
    if out.returncode != 0 or not out.stdout.strip().isdigit() or int(out.stdout) == 0:
        raise Unavailable(
            f"bubblewrap is installed but could not start a sandboxed Python here: {(out.stderr or out.stdout).strip()[-500:]}"
        )


def describe(timeout, submission_timeout):
    """The limits a grading kernel gets here, as the lines ``python -m homework limits`` prints."""
    from homework import cgroups, channel, notebooks, wire, zmtp

    root = os.geteuid() == 0
    group = cgroups.Cgroup.offered() if root else None
    mib = 1 << 20
    lines = [
        f"sandbox: {bwrap_path() or 'no bubblewrap'}, run as {'root' if root else 'an ordinary user'}",
        f"per kernel: address space {LIMITS['as'] // mib} MiB a process; {LIMITS['nproc']} threads; no process "
        f"(fork and exec refused); {LIMITS['nofile']} open files; {LIMITS['fsize'] // mib} MiB a file; "
        f"{LIMITS['cpu']} CPU seconds",
        "folders: "
        + "; ".join(f"{d} {size // mib} MiB and {files} files" for d, (size, files) in TMPFS.items())
        + (" (file counts set by the grader)" if root else " (file count of /scratch watched by the grader)"),
        f"cgroup: {group}, {CGROUP_MEMORY // mib} MiB of memory in all, {LIMITS['nproc'] + 8} tasks"
        if group
        else "cgroup: none here (memory is limited a process at a time)",
        f"grader: notebooks of at most {notebooks.MAX_BYTES // mib} MiB and {notebooks.MAX_CELLS} cells; replies of at "
        f"most {zmtp.MAX_PARTS} parts and {zmtp.MAX_MESSAGE // mib} MiB, {zmtp.BUDGET // mib} MiB a connection; the "
        f"guard's records at most {wire.MAX_FRAME // mib} MiB each, {channel.BUDGET // mib} MiB a submission; "
        f"answers of at most {wire.MAX_ELEMENTS} numbers",
        f"time: {timeout} s a cell, {submission_timeout} s a submission",
    ]
    return lines
