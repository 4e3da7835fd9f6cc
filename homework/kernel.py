"""One grading kernel: started in its sandbox (homework/sandbox.py), talked to, interrupted, ended.

The grader reaches the kernel only through descriptors it opened before any student code ran: the guard's
pipes (homework/channel.py), and the kernel's sockets, opened without following links (O_PATH |
O_NOFOLLOW, checked to be sockets) as soon as ipykernel made them and connected through /proc/self/fd,
never again by a path the kernel could replace. It reads only the shell channel, with every message
bounded (homework/zmtp.py); output streams are never read.

    kernel = Kernel(sandboxed=True); kernel.start()
    reply = kernel.run("1 + 1", timeout=10)      # the execute_reply's content
    kernel.close()
"""

import json
import os
import secrets
import select
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

from homework import cgroups, channel, sandbox, zmtp
from homework.sandbox import LIMITS, SCRATCH, TMPFS

PORTS = ("shell", "iopub", "stdin", "control", "hb")


class KernelDied(RuntimeError):
    """The kernel can no longer be used; the message says why, as far as the grader can tell."""


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


def _pipe_to(fd_list, data):
    r, w = os.pipe()
    os.write(w, data)
    os.close(w)
    fd_list.append(r)
    return r


class Kernel:
    """One grading kernel, sandboxed (bwrap) or not (``sandboxed=False``: only for trusted notebooks)."""

    def __init__(self, sandboxed=True, python=sys.executable, limits=None, env=None, watch=True, secret=()):
        self.sandboxed, self.python, self.watch, self.secret = sandboxed, python, watch, secret
        self.limits = dict(LIMITS if limits is None else limits)
        if not sandboxed:  # without a user of its own, RLIMIT_NPROC would count all of the teacher's processes
            self.limits.pop("nproc", None)
        self.extra_env = dict(env or {})
        self.proc = self.child = self.kernel_pid = self.records = self.shell = self.out = self.cgroup = None
        self.tmp = self.command_fd = self.scratch_fd = None
        self.files_set = False  # /scratch's file count set by its mount (as root), so not watched
        self.sockets, self.session, self.unreadable = {}, None, 0
        self.conn = dict(
            transport="ipc",
            ip=f"{SCRATCH}/kernel",
            **{f"{p}_port": k + 1 for k, p in enumerate(PORTS)},
            key=secrets.token_hex(32),
            signature_scheme="hmac-sha256",
            kernel_name="python3",
        )

    # --- start ---
    def env(self, scratch, pythonpath):
        env = dict(sandbox.ENV)
        env.update(
            HOME=scratch,
            TMPDIR=f"{scratch}/tmp",
            PATH=os.pathsep.join([os.path.dirname(self.python_inside), "/usr/bin", "/bin"]),
            PYTHONPATH=pythonpath,
            MPLCONFIGDIR=f"{scratch}/.config/matplotlib",
            IPYTHONDIR=f"{scratch}/.ipython",
            JUPYTER_CONFIG_DIR=f"{scratch}/.jupyter",
            JUPYTER_DATA_DIR=f"{scratch}/.local/share/jupyter",
            JUPYTER_RUNTIME_DIR=f"{scratch}/.local/share/jupyter/runtime",
        )
        env.update(self.extra_env)
        return env

    def _config(self, fds, uid):
        """The guard's configuration pipe (and the report and command pipes it names) for the kernel."""
        config = {"uid": uid, "limits": self.limits, "seccomp": sys.platform.startswith("linux"), "watch": self.watch}
        config["sandboxed"] = self.sandboxed  # its own PID namespace: thread ids tell how many threads started
        if self.watch:
            key = secrets.token_bytes(32)
            report_r, report_w = os.pipe()
            command_r, command_w = os.pipe()
            os.set_blocking(command_w, False)
            fds += [report_w, command_r]
            self.command_fd, self.records = command_w, channel.Records(report_r, key)
            config.update(key=key.hex(), report=report_w, command=command_r)
        return _pipe_to(fds, json.dumps(config).encode())

    def start(self, timeout=60):
        """Start the kernel and wait until it answers; raises KernelDied with its output if it does not."""
        until = time.monotonic() + timeout
        fds = []
        try:
            cmd, cwd, env = self._sandboxed_command(fds) if self.sandboxed else self._plain_command(fds)
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=fds,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )
        finally:
            for fd in fds:
                os.close(fd)
        self.out = _Head(self.proc.stdout)
        if self.sandboxed:
            self._enter_sandbox(until)
        else:
            self.child = self.kernel_pid = self.proc.pid
        self._open_sockets(until)
        self._connect(until)

    def _sandboxed_command(self, fds):
        binds, self.python_inside, pythonpath = sandbox.layout(self.python)
        uid = sandbox.new_uid()
        args, root = sandbox.bwrap_args(self.env(SCRATCH, pythonpath), secret=self.secret, uid=uid, binds=binds)
        fds += args.fds
        args.fds = []
        config = self._config(fds, uid if root else None)
        args.data(json.dumps(self.conn), f"{SCRATCH}/.kernel.json")
        self.info_fd, info_w = os.pipe()
        block_r, self.block_fd = os.pipe()
        fds += args.fds + [info_w, block_r]
        args.add("--info-fd", info_w, "--block-fd", block_r)
        fds.append(args.pipe())
        self.root = root
        if root:
            self.cgroup = cgroups.Cgroup.create(sandbox.CGROUP_MEMORY, self.limits.get("nproc", 32) + 8)
        guard = ["-m", "homework.kernel_guard", "--guard-fd", str(config), "-f", f"{SCRATCH}/.kernel.json"]
        return (
            [sandbox.bwrap_path(), "--args", str(fds[-1]), "--", self.python_inside, *guard],
            "/",
            {"PATH": "/usr/bin:/bin"},
        )

    def _plain_command(self, fds):
        import homework

        self.tmp = tempfile.mkdtemp(prefix="lstm-lab-kernel-")
        os.mkdir(os.path.join(self.tmp, "tmp"))
        self.python_inside, self.root = self.python, False
        self.conn["ip"] = os.path.join(self.tmp, "kernel")
        with open(os.path.join(self.tmp, ".kernel.json"), "w") as f:
            json.dump(self.conn, f)
        config = self._config(fds, None)
        pythonpath = os.path.dirname(os.path.dirname(os.path.abspath(homework.__file__)))
        cmd = [self.python, "-m", "homework.kernel_guard", "--guard-fd", str(config), "-f", f"{self.tmp}/.kernel.json"]
        return cmd, self.tmp, self.env(self.tmp, pythonpath)

    def _enter_sandbox(self, until):
        """The sandbox's process id; into its cgroup before it runs anything; then let it go on."""
        data = b""
        try:
            while b"}" not in data:
                left = until - time.monotonic()
                if left <= 0 or not select.select([self.info_fd], [], [], left)[0]:
                    break
                chunk = os.read(self.info_fd, 4096)
                if not chunk:
                    break
                data += chunk
            self.child = int(json.loads(data)["child-pid"])
            if self.cgroup is not None:
                self.cgroup.add(self.child)
            os.write(self.block_fd, b"go")
        except (ValueError, KeyError, OSError) as err:
            self.close()
            raise KernelDied(f"the sandbox did not start ({type(err).__name__}: {err}): {self.output()}") from None
        finally:
            os.close(self.info_fd)
            os.close(self.block_fd)

    def _scratch_dir(self):
        """An O_PATH descriptor of the kernel's scratch folder (a mount point the kernel cannot replace)."""
        if not self.sandboxed:
            return os.open(self.tmp, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW)
        return os.open(f"/proc/{self.child}/root{SCRATCH}", os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW)

    def _open_sockets(self, until):
        """Wait for ipykernel's five sockets and hold each by a descriptor, before any student code runs."""
        while True:
            if not self.alive():
                raise KernelDied(f"the kernel exited while starting: {self.output()}")
            try:
                if self.scratch_fd is None:
                    self.scratch_fd = self._scratch_dir()
                names = {p: f"kernel-{k + 1}" for k, p in enumerate(PORTS)}
                modes = {p: os.stat(n, dir_fd=self.scratch_fd, follow_symlinks=False).st_mode for p, n in names.items()}
                if all(stat.S_ISSOCK(m) for m in modes.values()):
                    break
            except OSError:
                pass
            if time.monotonic() > until:
                self.close()
                raise KernelDied(f"the kernel did not open its sockets in time: {self.output()}")
            time.sleep(0.05)
        for p, name in names.items():
            fd = os.open(name, os.O_PATH | os.O_NOFOLLOW, dir_fd=self.scratch_fd)
            self.sockets[p] = fd
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                self.close()
                raise KernelDied("the kernel's socket was replaced while it started")
        if self.root:
            self.files_set = self._limit_files()

    def _limit_files(self):
        """As root: the tmpfs folders' file counts (bwrap sets only their sizes), from outside, before any code.

        True if /scratch's count was set; otherwise the grader watches it between messages (_watch_limits)."""
        scratch_set = False
        for folder, (size, files) in TMPFS.items():
            options = f"remount,size={size},nr_inodes={files},nosuid,nodev,noexec"
            try:
                done = (
                    subprocess.run(
                        ["nsenter", f"--target={self.child}", "--mount", "mount", "-o", options, folder],
                        stdin=subprocess.DEVNULL,
                        capture_output=True,
                        timeout=20,
                        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                    ).returncode
                    == 0
                )
            except (OSError, subprocess.TimeoutExpired):
                done = False
            scratch_set = scratch_set or (folder == SCRATCH and done)
        return scratch_set

    def _find_kernel_pid(self):
        if self.kernel_pid is None and self.sandboxed and self.child:
            try:
                with open(f"/proc/{self.child}/task/{self.child}/children") as f:
                    kids = f.read().split()
                self.kernel_pid = int(kids[0]) if kids else None
            except (OSError, ValueError):
                pass
        return self.kernel_pid

    def _connect(self, until):
        from jupyter_client.session import Session

        self.session = Session(key=self.conn["key"].encode(), signature_scheme="hmac-sha256", username="grader")
        self.shell = zmtp.Shell(f"/proc/self/fd/{self.sockets['shell']}")
        try:
            self.shell.connect(until)
        except zmtp.Closed as err:
            self.close()
            raise KernelDied(f"the grader could not connect to the kernel ({err}): {self.output()}") from None
        while time.monotonic() < until:
            msg_id = self._send("kernel_info_request", {}, until)
            if self._reply(msg_id, min(until, time.monotonic() + 2)) is not None:
                self._find_kernel_pid()
                if self.records is None or self.records.wait(lambda: self.records.ready, until):
                    return
        self.close()
        raise KernelDied(f"the kernel did not answer within its start-up time: {self.output()}")

    def output(self):
        return (self.out.text() if self.out else "").strip()[-1500:] or "(no output)"

    # --- run ---
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _send(self, msg_type, content, until):
        msg = self.session.msg(msg_type, content)
        try:
            self.shell.send(self.session.serialize(msg), until)
        except (zmtp.Closed, TimeoutError) as err:
            raise KernelDied(self.why_dead(f"the kernel stopped taking requests ({err})")) from None
        return msg["header"]["msg_id"]

    def _reply(self, msg_id, until):
        """The content of the reply to ``msg_id``; None at ``until``; raises KernelDied with the reason."""
        while True:
            now = time.monotonic()
            if now >= until:
                return None
            try:
                parts = self.shell.recv(min(until, now + 0.25))
            except zmtp.TooLarge as err:
                raise KernelDied(f"the kernel sent the grader more than it accepts: {err}") from None
            except zmtp.Closed:
                raise KernelDied(self._closed_reason()) from None
            if parts is None:
                self._watch_limits()
                continue
            reply = self._message(parts)
            if reply is None:
                self.unreadable += 1
            elif reply.get("parent_header", {}).get("msg_id") == msg_id:
                content = reply.get("content")
                return content if isinstance(content, dict) else {"status": "error", "ename": "BadReply"}

    def _message(self, parts):
        try:
            _, parts = self.session.feed_identities(parts, copy=True)
            return self.session.deserialize(parts, content=True, copy=True)
        except Exception:  # not signed with the session's key, not JSON: not a reply at all
            return None

    def _watch_limits(self):
        """Between messages: the kernel is alive, and (without the root's mount options) its file count holds."""
        if not self.alive():
            raise KernelDied(self.why_dead("the kernel died"))
        if self.files_set or not self.sandboxed or self.scratch_fd is None:
            return
        try:
            st = os.fstatvfs(self.scratch_fd)
        except OSError:
            return
        files = TMPFS[SCRATCH][1]
        if st.f_files - st.f_ffree > files:
            self.close()
            raise KernelDied(f"the kernel was stopped: it made more than {files} files in its scratch folder")

    def _closed_reason(self):
        """Why the connection ended: the kernel died (its sandbox ends within a moment), or it closed it."""
        end = time.monotonic() + 2
        while self.alive() and time.monotonic() < end:
            time.sleep(0.05)
        if not self.alive():
            return self.why_dead("the kernel died")
        return "the kernel closed its connection to the grader"

    def why_dead(self, default):
        if self.cgroup is not None and self.cgroup.oom_kills():
            return f"the kernel was stopped: its sandbox used more than {sandbox.CGROUP_MEMORY >> 20} MiB of memory"
        return default

    def run(self, code, timeout, deadline=None, grace=5.0):
        """The execute_reply's content for ``code``; {"status": "timeout"} when interrupted after ``timeout`` s.

        Raises KernelDied (and closes the kernel) when the kernel dies, drops the connection, sends too much,
        does not stop when interrupted, or passes ``deadline`` (time.monotonic()), the submission's own limit.
        """
        end = time.monotonic() + timeout if deadline is None else min(time.monotonic() + timeout, deadline)
        self.unreadable = 0
        try:
            msg_id = self._send("execute_request", self._execute(code), end)
            reply = self._reply(msg_id, end)
            if reply is not None:
                return reply
            if deadline is not None and time.monotonic() >= deadline - 0.01:
                raise KernelDied("the submission ran longer than its time limit and was stopped")
            self.interrupt()
            reply = self._reply(msg_id, time.monotonic() + grace)
            if reply is None and self.unreadable:
                raise KernelDied(
                    f"the kernel answered with {self.unreadable} messages the grader could not read "
                    "(not signed with the connection's key, or not JSON)"
                )
            if reply is None:
                raise KernelDied(f"a cell ran longer than {timeout} s and did not stop when interrupted")
            return {"status": "timeout", "reply": reply}
        except KernelDied:
            self.close()
            raise

    @staticmethod
    def _execute(code):
        return dict(
            code=code, silent=False, store_history=False, user_expressions={}, allow_stdin=False, stop_on_error=False
        )

    def interrupt(self):
        pid = self._find_kernel_pid()
        if pid:
            try:
                os.kill(pid, signal.SIGINT)
            except OSError:
                pass

    # --- end ---
    def close(self):
        """Kill the kernel and everything it started (the whole sandbox); safe to call twice."""
        if self.shell is not None:
            self.shell.close()
        if self.proc is not None:
            self._kill()
        if self.records is not None:
            self.records.close()
        for fd in [*self.sockets.values(), self.scratch_fd, self.command_fd]:
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.sockets, self.scratch_fd, self.command_fd = {}, None, None
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        if self.tmp:
            import shutil

            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def _kill(self):
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

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
