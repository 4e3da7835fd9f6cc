"""A grading kernel in a sandbox: bubblewrap (bwrap) on Linux, run by the teacher's own user or by root.

What the kernel sees (an allow-list: nothing else of the machine is there)
    /usr (and /bin, /lib, /lib64, /sbin as on the host)        read-only
    the Python installation and environment that runs the grader, the course's packages
    (lstm_core and lstm_lab, at their own paths), this folder's kernel_guard.py    read-only
    /etc/passwd and /etc/group with one user, /etc/ld.so.cache                      read-only
    its own /proc (a new PID namespace: only the kernel's processes) and a minimal /dev (read-only,
    but for a 1 MiB /dev/shm); the root folder bwrap makes is read-only too
    /scratch, an empty tmpfs of SCRATCH_BYTES: its HOME, cwd and TMPDIR; and /tmp, a tmpfs of TMP_BYTES:
    the only places it can write
It does not see the homework sources, the submissions, the grader's files or any home folder; it has no
network (a new network namespace holds only a loopback of its own), a new IPC and UTS namespace, no
capabilities, no_new_privs, and a clean environment (ENV below, nothing inherited). As root, bwrap keeps
CAP_SETUID/CAP_SETGID for setpriv alone, which drops to a uid and gid of the kernel's own (a random one
from SANDBOX_UIDS, which no account uses, so process limits count this kernel's processes and no one
else's) before Python starts; as another user, the kernel runs as that user in a new user namespace that
cannot make further ones (--disable-userns). Either way it is not root, so RLIMIT_NPROC holds it.

Limits (LIMITS, set by kernel_guard.py before Python imports anything else): address space, processes
and threads, open files, file size, CPU seconds; plus the caller's per-cell and per-submission
wall-clock limits (homework/hw.py). The grader talks to the kernel over ZeroMQ IPC sockets in /scratch,
reached from outside through /proc/PID/root; it reads only the shell channel (replies, never the
output streams), with messages capped at MAX_MESSAGE bytes, so a flood of output costs nothing outside.
When the kernel is closed, the sandbox's PID namespace ends and every process in it is killed.

    kernel = Kernel(sandboxed=True); kernel.start()
    reply = kernel.run("1 + 1", timeout=10)      # the execute_reply's content
    kernel.close()

``SandboxKernelManager`` is the same sandbox as a jupyter_client kernel manager, for nbgrader
(homework/nbgrader_config.py).
"""

import json
import os
import pathlib
import secrets
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
GUARD = HERE / "kernel_guard.py"
GUARD_INSIDE = "/opt/lstm-lab/kernel_guard.py"
SCRATCH = "/scratch"
SCRATCH_BYTES = 64 << 20
TMP_BYTES = 16 << 20  # /tmp, a tmpfs of its own (the Python environment may live below /tmp)
MAX_MESSAGE = 4 << 20  # bytes of one message from the kernel; a larger one drops the connection
SANDBOX_UIDS = (0x70000000, 0x7FFF0000)  # as root: each kernel gets a uid of its own from this unused range
LIMITS = {
    "as": 1 << 30,  # address space per process: 1 GiB (a kernel with numpy and matplotlib peaks near 0.4 GiB)
    "nproc": 32,  # processes and threads of the sandbox's user (the kernel itself has about 12)
    "nofile": 256,
    "fsize": 32 << 20,  # largest file it can write (the scratch tmpfs holds 64 MiB in all)
    "cpu": 600,  # CPU seconds per process
    "core": 0,
}
ENV = {  # the kernel's whole environment
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


class KernelDied(RuntimeError):
    pass


def _limits_spec(limits):
    return ",".join(f"{k}={v}" for k, v in limits.items())


def _mounts_for_python(python):
    """The folders a kernel started with ``python`` needs: its installation, environment and the course's packages."""
    import lstm_core
    import lstm_lab

    paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.add(str(pathlib.Path(python).resolve().parent.parent))
    for pkg in (lstm_core, lstm_lab):
        paths.update(str(pathlib.Path(p).resolve()) for p in pkg.__path__)
    paths = sorted(str(pathlib.Path(p).resolve()) for p in paths if p and os.path.isdir(p))
    keep = []
    for p in paths:  # /usr is bound anyway; a folder inside another is there already
        if p == "/" or p == "/usr" or p.startswith("/usr/"):
            continue
        if not any(p.startswith(k + "/") for k in keep):
            keep.append(p)
    return keep


def _refuse_if_exposed(paths, secret):
    for p in paths:
        for s in secret:
            s = str(pathlib.Path(s).resolve())
            if s == p or s.startswith(p + "/"):
                raise Unavailable(
                    f"the sandbox would show {s} to submissions: it is inside {p}, which the kernel needs "
                    "(its Python environment or the course's packages); install the course in an environment "
                    "outside the homework and submission folders"
                )


def bwrap_path():
    if not sys.platform.startswith("linux"):
        return None
    return shutil.which("bwrap")


def _data_fd(data):
    r, w = os.pipe()
    os.write(w, data if isinstance(data, bytes) else data.encode())
    os.close(w)
    return r


def _guard_module():
    import importlib.util

    name = "lstm_lab_homework_kernel_guard"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, GUARD)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules[name] = mod
    return sys.modules[name]


def bwrap_command(python, env, keep_fds=(), secret=(), uid=None, root=None, mounts=None):
    """(argv for Popen, fds it must inherit, whether bwrap runs as root): the sandbox, up to the command.

    ``uid``: as root, the uid and gid the command is to run as (see _inside_command). ``root`` and
    ``mounts`` (the folders to bind besides the system's) are found out unless given (tests give them)."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise Unavailable(
            "no sandbox: bubblewrap (bwrap) is not installed"
            if sys.platform.startswith("linux")
            else f"no sandbox on {sys.platform}: grading untrusted notebooks needs Linux with bubblewrap"
        )
    root = os.geteuid() == 0 if root is None else root
    cmd = [bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if root:
        cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]  # for setpriv only
    else:
        cmd += ["--unshare-user", "--disable-userns"]
    cmd += ["--die-with-parent", "--new-session", "--clearenv", "--hostname", "lstm-lab-grading"]
    cmd += ["--ro-bind", "/usr", "/usr"]
    system = ["/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
            system.append(top)
    cmd += ["--proc", "/proc", "--dev", "/dev"]
    cmd += ["--perms", "1777", "--size", str(SCRATCH_BYTES), "--tmpfs", SCRATCH]
    for sub in ("tmp", "results"):
        cmd += ["--perms", "1777", "--dir", f"{SCRATCH}/{sub}"]
    cmd += ["--perms", "1777", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]  # TMPDIR is /scratch/tmp
    mounts = _mounts_for_python(python) if mounts is None else mounts
    _refuse_if_exposed([*system, *mounts], [*secret, pathlib.Path.home()])
    made = set()
    for dest in [*mounts, GUARD_INSIDE, "/etc/passwd"]:
        for parent in reversed(pathlib.PurePosixPath(dest).parents):
            p = str(parent)
            if p not in ("/", "/tmp") and p not in made and not p.startswith("/usr"):
                made.add(p)
                cmd += ["--perms", "0755", "--dir", p]
    for m in mounts:
        cmd += ["--ro-bind", m, m]
    cmd += ["--ro-bind", str(GUARD), GUARD_INSIDE]
    uid = (uid or SANDBOX_UIDS[0]) if root else os.getuid()
    gid = uid if root else os.getgid()
    fds = list(keep_fds)
    for path, text in (
        ("/etc/passwd", f"student:x:{uid}:{gid}:student:{SCRATCH}:/usr/sbin/nologin\n"),
        ("/etc/group", f"student:x:{gid}:\n"),
    ):
        fds.append(_data_fd(text))
        cmd += ["--perms", "0444", "--ro-bind-data", str(fds[-1]), path]
    if os.path.exists("/etc/ld.so.cache"):
        cmd += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    cmd += ["--perms", "1777", "--size", str(1 << 20), "--tmpfs", "/dev/shm"]
    # bwrap's own root and /dev are tmpfs, and run by an ordinary user they belong to the kernel's user:
    # read-only, so that /scratch and /tmp, with their sizes, are the only places it can write
    cmd += ["--remount-ro", "/dev", "--remount-ro", "/"]
    for k, v in env.items():
        cmd += ["--setenv", k, v]
    cmd += ["--chdir", SCRATCH]
    return cmd, fds, root


def new_uid():
    return secrets.randbelow(SANDBOX_UIDS[1] - SANDBOX_UIDS[0]) + SANDBOX_UIDS[0]


def _inside_command(root, uid):
    if not root:
        return []
    setpriv = "/usr/bin/setpriv"
    return [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups"] + [
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]


_probed = {}


def check(python=sys.executable, secret=()):
    """None if a sandboxed kernel can run here; raises Unavailable with the reason otherwise (checked once)."""
    key = (python, tuple(secret))
    if key not in _probed:
        try:
            uid = new_uid()
            cmd, fds, root = bwrap_command(python, {"PATH": "/usr/bin:/bin"}, secret=secret, uid=uid)
            cmd += ["--", *_inside_command(root, uid), python, "-c", "import os, ipykernel; print(os.getuid())"]
            try:
                r = subprocess.run(
                    cmd,
                    pass_fds=fds,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=60,
                    env={"PATH": "/usr/bin:/bin"},
                )
            finally:
                for fd in fds:
                    os.close(fd)
            if r.returncode != 0 or not r.stdout.strip().isdigit() or int(r.stdout) == 0:
                raise Unavailable(
                    f"bubblewrap is installed but could not start a sandboxed Python here: {(r.stderr or r.stdout).strip()[-500:]}"
                )
            _probed[key] = None
        except Unavailable as err:
            _probed[key] = err
    if _probed[key] is not None:
        raise _probed[key]


class Reports:
    """What the kernel's guard wrote to the grader: parsed as it arrives, bounded, never written back."""

    MAX_EVENTS = 5000

    def __init__(self, fd):
        self.fd = fd
        os.set_blocking(fd, False)
        self.lock = threading.Lock()
        self.events = []  # (kind, value)
        self.garbage = False
        self.buf = b""
        self.closed = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _read(self):
        """Everything readable now; call with the lock held. False at end of file."""
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not data:
                return False
            self.buf += data
            *lines, self.buf = self.buf.split(b"\n")
            if len(self.buf) > 256:
                self.garbage, self.buf = True, b""
            for line in lines:
                kind, _, value = line.decode("utf-8", "replace").partition(" ")
                if kind not in ("ready", "cell", "call", "tamper") or len(line) > 256:
                    self.garbage = True
                elif len(self.events) < self.MAX_EVENTS:
                    self.events.append((kind, value))
                else:
                    self.garbage = True

    def _loop(self):
        while not self.closed:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
            except (OSError, ValueError):
                return
            if ready:
                with self.lock:
                    if self.closed or not self._read():
                        return

    def sync(self):
        """The number of events so far, counting everything written before this call."""
        with self.lock:
            if not self.closed:
                self._read()
            return len(self.events)

    def since(self, start, end=None):
        with self.lock:
            return list(self.events[start:end])

    def close(self):
        with self.lock:
            self.closed = True
        self.thread.join(timeout=2)
        try:
            os.close(self.fd)
        except OSError:
            pass


class _Head:
    """Keeps the first bytes of a stream (the kernel's own stdout and stderr) and throws the rest away."""

    def __init__(self, stream, keep=16384):
        self.stream, self.keep, self.data = stream, keep, b""
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        try:
            while chunk := self.stream.read1(65536):
                if len(self.data) < self.keep:
                    self.data += chunk[: self.keep - len(self.data)]
        except (OSError, ValueError):
            pass

    def text(self):
        return self.data.decode("utf-8", "replace")


def _context():
    import zmq

    ctx = zmq.Context()
    ctx.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
    ctx.setsockopt(zmq.LINGER, 0)
    return ctx


class Kernel:
    """One grading kernel, sandboxed (bwrap) or not; the grader reaches its files with ``host(path)``."""

    def __init__(self, sandboxed=True, python=sys.executable, limits=None, env=None, watch=True, secret=()):
        self.sandboxed, self.python, self.watch, self.secret = sandboxed, python, watch, secret
        self.limits = dict(LIMITS if limits is None else limits)
        if not sandboxed:  # without a user of its own, RLIMIT_NPROC would count all of the teacher's processes
            self.limits.pop("nproc", None)
        self.extra_env = dict(env or {})
        self.proc = self.child = self.kernel_pid = self.reports = self.kc = self.ctx = self.out = None
        self.tmp = None
        self.scratch_inside = SCRATCH

    # --- start ---
    def _env(self, scratch):
        env = dict(ENV)
        env.update(
            HOME=scratch,
            TMPDIR=f"{scratch}/tmp",
            PATH=os.pathsep.join([str(pathlib.Path(self.python).parent), "/usr/bin", "/bin"]),
            MPLCONFIGDIR=f"{scratch}/.config/matplotlib",
            IPYTHONDIR=f"{scratch}/.ipython",
            JUPYTER_CONFIG_DIR=f"{scratch}/.jupyter",
            JUPYTER_DATA_DIR=f"{scratch}/.local/share/jupyter",
            JUPYTER_RUNTIME_DIR=f"{scratch}/.local/share/jupyter/runtime",
            LSTM_LAB_LIMITS=_limits_spec(self.limits),
        )
        if self.watch:  # homework/hw.py judges the saved outputs; without it (nbgrader) the kernel judges
            env["LSTM_LAB_RESULTS"] = f"{scratch}/results"
        env.update(self.extra_env)
        return env

    def connection(self, ip):
        return dict(self.conn, ip=ip)

    def start(self, timeout=60):
        """Start the kernel and wait until it answers; raises KernelDied with its output if it does not."""
        self.conn = dict(
            transport="ipc",
            shell_port=1,
            iopub_port=2,
            stdin_port=3,
            control_port=4,
            hb_port=5,
            key=secrets.token_hex(32),
            signature_scheme="hmac-sha256",
            kernel_name="python3",
        )
        fds = []
        guard_r = None
        if self.watch:
            self.key, self.cells = secrets.token_bytes(32), 0
            guard_r, guard_w = os.pipe()
            os.set_inheritable(guard_w, True)
            key_r = _data_fd(self.key)
            fds += [guard_w, key_r]
            self.extra_env["LSTM_LAB_GUARD"] = f"{guard_w}:{key_r}"
        if self.sandboxed:
            scratch = SCRATCH
            env = self._env(scratch)
            conn_fd = _data_fd(json.dumps(self.connection(f"{scratch}/kernel")))
            info_r, info_w = os.pipe()
            self.uid = new_uid()
            cmd, data_fds, root = bwrap_command(self.python, env, keep_fds=[conn_fd], secret=self.secret, uid=self.uid)
            cmd[1:1] = ["--info-fd", str(info_w)]
            cmd += ["--perms", "0444", "--ro-bind-data", str(conn_fd), f"{scratch}/.kernel.json"]
            cmd += ["--", *_inside_command(root, self.uid), self.python, GUARD_INSIDE, "-f", f"{scratch}/.kernel.json"]
            fds += data_fds + [info_w]
            popen_env = {"PATH": "/usr/bin:/bin"}
            cwd = "/"
        else:
            self.tmp = tempfile.mkdtemp(prefix="lstm-lab-kernel-")
            scratch = self.tmp
            for sub in ("tmp", "results"):
                os.mkdir(os.path.join(scratch, sub))
            env = self._env(scratch)
            conn_path = os.path.join(scratch, ".kernel.json")
            with open(conn_path, "w") as f:
                json.dump(self.connection(f"{scratch}/kernel"), f)
            cmd = [self.python, str(GUARD), "-f", conn_path]
            popen_env, cwd, info_r = env, scratch, None
        self.scratch_inside = scratch
        try:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=fds,
                env=popen_env,
                cwd=cwd,
                start_new_session=True,
            )
        finally:
            for fd in fds:
                os.close(fd)
        self.out = _Head(self.proc.stdout)
        if guard_r is not None:
            self.reports = Reports(guard_r)
        if self.sandboxed:
            self.child = self._read_child(info_r, timeout)
            self.root = f"/proc/{self.child}/root"
        else:
            self.child, self.kernel_pid, self.root = self.proc.pid, self.proc.pid, ""
        self._connect(timeout)

    def _read_child(self, fd, timeout):
        data, end = b"", time.monotonic() + timeout
        try:
            while b"child-pid" not in data or b"}" not in data:
                left = end - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    break
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                data += chunk
        finally:
            os.close(fd)
        try:
            return int(json.loads(data)["child-pid"])
        except (ValueError, KeyError):
            self.close()
            raise KernelDied(f"the sandbox did not start: {self.output()}") from None

    def _find_kernel_pid(self):
        if self.kernel_pid is None and self.sandboxed:
            try:
                kids = pathlib.Path(f"/proc/{self.child}/task/{self.child}/children").read_text().split()
                self.kernel_pid = int(kids[0]) if kids else None
            except (OSError, ValueError):
                pass
        return self.kernel_pid

    def host(self, path):
        """The grader's path to ``path`` inside the kernel's scratch folder."""
        return self.root + path

    def _connect(self, timeout):
        from jupyter_client import BlockingKernelClient

        self.ctx = _context()
        self.kc = BlockingKernelClient(context=self.ctx)
        self.kc.load_connection_info(self.connection(self.host(f"{self.scratch_inside}/kernel")))
        self.kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        end = time.monotonic() + timeout
        msg_id, resend = None, 0.0
        while time.monotonic() < end:
            if not self.alive():
                raise KernelDied(f"the kernel exited while starting: {self.output()}")
            if msg_id is None or time.monotonic() > resend:
                msg_id, resend = self.kc.kernel_info(), time.monotonic() + 2
            reply = self._reply(msg_id, min(end, resend))
            if reply is not None:
                self._find_kernel_pid()
                return
        self.close()
        raise KernelDied(f"the kernel did not answer within {timeout} s: {self.output()}")

    def output(self):
        return (self.out.text() if self.out else "").strip()[-1500:] or "(no output)"

    # --- run ---
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _reply(self, msg_id, until):
        """The content of the reply to ``msg_id``, or None at ``until`` or when the kernel has died."""
        from queue import Empty

        while True:
            left = until - time.monotonic()
            if left <= 0:
                return None
            try:
                msg = self.kc.shell_channel.get_msg(timeout=min(left, 0.25))
            except Empty:
                if not self.alive():
                    return None
                continue
            except Exception:  # a message the session cannot read (bad signature, not JSON)
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg.get("content", {})

    def run(self, code, timeout, deadline=None, grace=5.0):
        """The execute_reply's content for ``code``; {"status": "timeout"} when interrupted after ``timeout`` s.

        Raises KernelDied when the kernel dies, does not stop when interrupted, or passes ``deadline``
        (time.monotonic()), the submission's own limit; the kernel is then closed.
        """
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
        end = time.monotonic() + timeout
        if deadline is not None:
            end = min(end, deadline)
        reply = self._reply(msg_id, end)
        if reply is not None:
            return reply
        if not self.alive():
            raise KernelDied("the kernel died")
        if deadline is not None and time.monotonic() >= deadline - 0.01:
            self.close()
            raise KernelDied("the submission ran longer than its time limit and was stopped")
        self.interrupt()
        reply = self._reply(msg_id, time.monotonic() + grace)
        if reply is None:
            self.close()
            raise KernelDied(f"a cell ran longer than {timeout} s and did not stop when interrupted")
        return {"status": "timeout", "reply": reply}

    def cell(self, code, seed=None):
        """(n, the code with the grader's marker line): ``seed`` marks a hidden test (see kernel_guard.py)."""
        self.cells += 1
        return self.cells, _guard_module().marker(self.key, self.cells, seed) + code

    def ran(self, n, events):
        """Whether the guard's record of the marked cell ``n`` is among ``events``."""
        return ("cell", f"{n} {_guard_module().mac(self.key, f'cell {n}', 16)}") in events

    def interrupt(self):
        pid = self._find_kernel_pid()
        if pid:
            try:
                os.kill(pid, signal.SIGINT)
            except OSError:
                pass

    # --- the kernel's files, read without following its links ---
    def _results_fd(self):
        top = os.open(self.host(self.scratch_inside), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            return os.open("results", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top)
        finally:
            os.close(top)

    def clear_results(self):
        try:
            d = self._results_fd()
        except OSError:
            return
        try:
            for name in os.listdir(d):
                if name.endswith(".npz"):
                    try:
                        os.unlink(name, dir_fd=d)
                    except OSError:
                        pass
        finally:
            os.close(d)

    def read_result(self, name, limit=16 << 20):
        """The bytes of results/<name> if it is a regular file of at most ``limit`` bytes, else None."""
        try:
            d = self._results_fd()
        except OSError:
            return None
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=d)
        except OSError:
            return None
        finally:
            os.close(d)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                return None
            chunks, size = [], 0
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    return None
            return b"".join(chunks)
        finally:
            os.close(fd)

    # --- end ---
    def close(self):
        """Kill the kernel and everything it started (the whole sandbox); safe to call twice."""
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:
                pass
            self.kc = None
        if self.ctx is not None:
            self.ctx.destroy(linger=0)
            self.ctx = None
        if self.proc is not None:
            if self.sandboxed and self.child:
                try:
                    os.kill(self.child, signal.SIGKILL)  # the PID namespace's init: every process in it dies with it
                except OSError:
                    pass
                try:
                    self.proc.wait(timeout=10)  # bwrap exits once its child, the last of them, is gone
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            if self.out is not None:
                self.out.thread.join(timeout=2)
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None
        if self.reports is not None:
            self.reports.close()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()


# --- nbgrader ------------------------------------------------------------------------------------------
try:
    from jupyter_client.manager import AsyncKernelManager as _AsyncKernelManager
except ImportError:  # pragma: no cover
    _AsyncKernelManager = object


class SandboxKernelManager(_AsyncKernelManager):
    """jupyter_client's kernel manager with every kernel in the sandbox above: for nbgrader's autograde.

        c.ExecutePreprocessor.kernel_manager_class = SandboxKernelManager   (homework/nbgrader_config.py)

    The kernel gets the limits, the clean environment and the private filesystem, but not the grader's
    watch: nbgrader judges inside the kernel, by whether a test cell raises.
    """

    box = None

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        import asyncio

        box = Kernel(sandboxed=True, watch=False, secret=[os.getcwd()])
        await asyncio.get_running_loop().run_in_executor(None, box.start)
        box.kc.stop_channels()  # jupyter's own client connects next
        box.ctx.destroy(linger=0)
        box.kc = box.ctx = None
        self.box = box
        info = box.connection(box.host(f"{SCRATCH}/kernel"))
        self.transport, self.ip = "ipc", info["ip"]
        for name in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
            setattr(self, name, info[name])
        self.session.key = info["key"].encode()
        self.provisioner.process = box.proc
        self.provisioner.pid = self.provisioner.pgid = box.proc.pid

    async def _async_interrupt_kernel(self):
        if self.box is not None:
            self.box.interrupt()  # SIGINT to the kernel itself: bwrap's own process would end the sandbox

    async def _async_kill_kernel(self, restart=False):
        if self.box is not None:
            self.box.close()

    async def _async_cleanup_resources(self, restart=False):
        if self.box is not None:
            self.box.close()
        await super()._async_cleanup_resources(restart=restart)

    interrupt_kernel = _async_interrupt_kernel  # the public names are bound to the base class's functions
    _kill_kernel = _async_kill_kernel
    cleanup_resources = _async_cleanup_resources
