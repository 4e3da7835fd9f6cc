"""The first code to run in a grading kernel, before ipykernel and before any student code.

    python -m homework.kernel_guard --guard-fd FD -f CONNECTION_FILE [ipykernel options]

Its configuration comes down the pipe FD (homework/wire.py), not from the environment or the command line, so
``/proc`` shows none of it. In order:

1. As root (the sandbox started it so), it drops to the kernel's own uid and gid, with no capability left.
2. Limits (``resource``): soft and hard lowered together, so nothing in the kernel can raise them again.
3. The seccomp filter (homework/seccomp.py): no process can be started, no untracked memory made.
4. The watch, when the grader asked for it (python -m homework grade does; nbgrader's kernels run without):
   - the **hidden tests run here, not through IPython**: the grader's cell is one call, ``TRIGGER()``, and the
     guard reads what to run (question, the names of the answer's functions, a seed drawn now) from the
     grader's command pipe, computes the cases, runs the student's function on them with the check
     functions it saved before any student code ran, and sends the outputs back in its ``done`` record. Input
     transformers, AST transformers, hooks and replaced builtins never see the seed or touch the test: if
     they keep the call from running, the grader gets no ``done`` record and gives ``integrity``;
   - **reference calls are reported while a hidden test runs**: a trace function (in the main thread during
     the test, in every other thread from its start) reports a call into any function with the same
     arguments, names and constants as one of the course's reference functions
     (lstm_lab.homework.REFERENCE_CALLS), and the reference functions themselves are wrapped, wherever the
     course's modules hold them, so that a call from any thread is reported however it was reached. Every
     thread takes up the trace function as it starts (``_thread.start_new_thread`` and threading's are the
     guard's); a thread that did not (one started through a fresh copy of ``_thread``) is noticed when a
     hidden test starts or ends, and so is one started during it (the sandbox's own PID namespace counts
     the ids handed out). Attempts to change the trace or profile function are refused;
   - ctypes, opening a process's memory and replacing a reference function's code are reported (``tamper``).
   Records are signed with the key from the config; code in the same process can still read that key (see
   docs/teaching.md, "What the grader cannot know").
5. Starts ipykernel.
"""

import json
import opcode
import os
import sys

from homework import seccomp, wire

_LIMITS = {"as": "RLIMIT_AS", "nproc": "RLIMIT_NPROC", "nofile": "RLIMIT_NOFILE", "fsize": "RLIMIT_FSIZE"}
_LIMITS.update(cpu="RLIMIT_CPU", core="RLIMIT_CORE", stack="RLIMIT_STACK", msgqueue="RLIMIT_MSGQUEUE")
RESUME = opcode.opmap.get("RESUME", -1)  # the instruction a frame starts at (3.11+; -1 before it)
PR_SET_DUMPABLE, PR_CAPBSET_DROP, CAPSET, CAP_VERSION_3 = 4, 24, {"x86_64": 126, "aarch64": 91}, 0x20080522


def read_config(fd, limit=64 << 10):
    """The grader's JSON, read from ``fd`` to its end and closed."""
    data = b""
    with os.fdopen(fd, "rb") as f:
        while chunk := f.read(limit + 1 - len(data)):
            data += chunk
            if len(data) > limit:
                raise ValueError("the guard's configuration is too long")
    return json.loads(data)


def set_limits(limits):
    """Each limit that the system has and lets us set (macOS, say, refuses some)."""
    import resource

    for name, value in limits.items():
        which = getattr(resource, _LIMITS[name], None)
        if which is None:
            continue
        _, hard = resource.getrlimit(which)
        value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def drop_privileges(uid):
    """From root in the sandbox to ``uid`` (as uid and gid): no groups, no capability in any set."""
    import ctypes
    import platform

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last = int(f.read())
    for cap in range(last + 1):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), f"could not drop capability {cap} from the bounding set")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # the effective and permitted capabilities go with uid 0
    header, data = (ctypes.c_uint32 * 2)(CAP_VERSION_3, 0), (ctypes.c_uint32 * 6)()
    if libc.syscall(CAPSET[platform.machine()], header, data) != 0:  # the inheritable set too
        raise OSError(ctypes.get_errno(), "capset")
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("the guard could not change its uid")
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # its /proc files its own again, as without the change of uid


def _reference_functions(homework):
    """{dotted name: function} of every reference function that answers a question, as imported now."""
    import importlib

    out = {}
    for names in homework.REFERENCE_CALLS.values():
        for dotted in names:
            module, _, attr = dotted.rpartition(".")
            out[dotted] = getattr(importlib.import_module(module), attr)
    return out


def code_key(code):
    """What a copy of a function shares with it, whatever compiled it: its arguments, local and global names,
    constants and inner functions (not the bytecode, which differs with where the source was compiled)."""
    consts = tuple(code_key(c) if isinstance(c, type(code)) else (type(c).__name__, repr(c)) for c in code.co_consts)
    flags = code.co_flags & 0x2AC  # varargs, varkeywords, generator, coroutine, async generator
    return (code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, flags) + (
        code.co_varnames,
        code.co_names,
        consts,
    )


class Watch:
    """The guard's side of the report and command pipes, its trace function, its threads and its audit hook."""

    def __init__(self, config):
        import threading

        from lstm_lab import homework

        self.key, self.sandboxed = bytes.fromhex(config["key"]), bool(config.get("sandboxed"))
        self.out, self.commands = _high_fd(config["report"]), _high_fd(config["command"])
        self.seq, self.lock, self.window, self.sent, self.tampered = 0, threading.Lock(), None, set(), set()
        self.cases, self.answer = homework.cases, homework.answer  # as they are before any student code
        self.originals = _reference_functions(homework)
        self.by_key = {code_key(f.__code__): name for name, f in self.originals.items()}
        self.protected = {id(f) for f in self.originals.values()}
        self.seen = {}  # id(code) -> (code, reference name or None); holding the code keeps its id unique
        self.write, self.read, self.getframe, self.settrace = os.write, os.read, sys._getframe, sys.settrace
        self.gettrace = sys.gettrace
        self.current_frames, self.get_ident = sys._current_frames, threading.get_ident
        self.threading, self.main, self.local = threading, threading.main_thread(), threading.local()
        self.raw_start = threading._start_new_thread
        self.bootstrap = threading.Thread._bootstrap_inner.__code__
        self.trace_fn = self.make_tracer()
        self.watched, self.started, self.pid_mark = {self.main.ident}, 0, 0

    # --- records ---
    def report(self, body):
        with self.lock:
            frame = wire.record(self.key, self.seq, body)
            self.seq += 1
            try:
                self.write(self.out, frame)
            except OSError:
                pass

    def tamper(self, what):
        if what not in self.tampered:
            self.tampered.add(what)
            self.report(f"tamper {what}".encode()[:200])

    def called(self, name):
        n = self.window
        if n is not None and name not in self.sent:
            self.sent.add(name)
            self.report(f"call {n} {name}".encode())

    # --- calls into the reference: the trace function, and the reference functions wrapped ---
    def make_tracer(self):
        """The trace function: a call event (the only kind it asks for) into a reference function, or a copy of
        one, while a hidden test runs is reported. A closure, since it runs at every call in the window."""
        seen, by_key, called, watch = self.seen, self.by_key, self.called, self

        def tracer(frame, event, arg):
            if watch.window is not None and event == "call":
                code = frame.f_code
                hit = seen.get(id(code))
                if hit is None:
                    hit = seen[id(code)] = (code, by_key.get(code_key(code)))
                if hit[1] is not None:
                    called(hit[1])

        return tracer

    def wrap_references(self):
        """Replace each reference function, wherever the course's modules hold it, by one that reports its calls
        from any thread (the trace function sees copies of it; this sees the function however it is reached)."""
        import functools

        def wrap(name, f):
            @functools.wraps(f)
            def wrapper(*args, **kwargs):
                self.called(name)
                return f(*args, **kwargs)

            return wrapper

        wrappers = {id(f): wrap(name, f) for name, f in self.originals.items()}
        for modname, mod in list(sys.modules.items()):
            if modname.split(".")[0] in ("lstm_core", "lstm_lab") and hasattr(mod, "__dict__"):
                for attr, value in list(vars(mod).items()):
                    if callable(value) and id(value) in wrappers:
                        setattr(mod, attr, wrappers[id(value)])
        self.protected |= {id(w) for w in wrappers.values()}

    # --- threads: each takes up the trace function as it starts; one that does not is noticed ---
    def take_up_watch(self):
        self.local.ours = True
        try:
            self.settrace(self.trace_fn)
        finally:
            self.local.ours = False
        self.watched.add(self.get_ident())
        if self.window is not None:
            self.started += 1

    def start_new_thread(self, function, args, kwargs=None):
        """``_thread.start_new_thread`` (and threading's) for the kernel: the new thread is watched from its start."""

        def run(*a, **k):
            self.take_up_watch()
            try:
                return function(*a, **k)
            finally:
                self.watched.discard(self.get_ident())

        return self.raw_start(run, args, kwargs or {})

    def unwatched_threads(self):
        return set(self.current_frames()) - self.watched

    def _last_pid(self):
        """The last process or thread id the sandbox's PID namespace handed out (each new thread takes one)."""
        try:
            with open("/proc/sys/kernel/ns_last_pid") as f:
                return int(f.read())
        except (OSError, ValueError):
            return 0

    # --- a hidden test ---
    def open_window(self, n):
        self.window, self.sent, self.started = n, set(), 0
        self.pid_mark = self._last_pid() if self.sandboxed else 0
        self.report(f"start {n}".encode())
        if self.unwatched_threads():
            self.tamper("had a thread the watch does not see while a hidden test ran")
        self.local.ours = True
        try:
            self.settrace(self.trace_fn)
        finally:
            self.local.ours = False

    def close_window(self, ok):
        """End the window. ``ok``: the test ran to its end, so its answers count: the watch must have held."""
        stopped = self.gettrace() is not self.trace_fn
        self.local.ours = True
        try:
            self.settrace(None)
        finally:
            self.local.ours = False
        if ok and stopped:  # Python unsets a trace function that raised (see on_trace)
            self.tamper("stopped the watch's trace function while a hidden test ran")
        if self.unwatched_threads() or (self.sandboxed and self._last_pid() - self.pid_mark > self.started):
            self.tamper("started a thread the watch does not see while a hidden test ran")
        self.window = None

    def run_hidden(self):
        """The grader's trigger: run the hidden test waiting in the command pipe in the caller's namespace."""
        if self.threading.current_thread() is not self.main:
            self.tamper("started a hidden test from another thread")
            raise RuntimeError("grading: the hidden test runs in the main thread only")
        cmd = self._command()
        ns = self.getframe(1).f_globals
        missing = [name for name in (cmd["answer"], cmd["forward"]) if name and name not in ns]
        if missing:
            self._done(cmd, error=f"NameError: name '{missing[0]}' is not defined")
            raise NameError(f"name '{missing[0]}' is not defined")
        fn, forward = ns[cmd["answer"]], ns[cmd["forward"]] if cmd["forward"] else None
        all_cases = self.cases(cmd["question"], cmd["seed"])
        self.open_window(cmd["n"])
        try:
            outs = [self.answer(cmd["question"], fn, case, k, forward) for k, case in enumerate(all_cases)]
            blob = wire.encode_results(outs)  # in the window: turning answers into numbers may run their code
        except BaseException as err:
            self.close_window(ok=False)
            self._done(cmd, error=f"{type(err).__name__}: {err}")
            raise
        self.close_window(ok=True)
        self._done(cmd, results=blob)

    def _read_exact(self, n, until):
        import select
        import time

        data = b""
        while len(data) < n and time.monotonic() < until:
            if select.select([self.commands], [], [], max(0.0, until - time.monotonic()))[0]:
                data += self.read(self.commands, n - len(data)) or b""
        return data

    def _command(self):
        """The hidden test the grader wrote into the command pipe just before its trigger; checked, not trusted."""
        import time

        until = time.monotonic() + 5
        head = self._read_exact(wire.LENGTH.size, until)
        if not head:
            raise RuntimeError("grading: no hidden test is waiting")
        (n,) = wire.LENGTH.unpack(head) if len(head) == wire.LENGTH.size else (-1,)
        body = self._read_exact(n, until) if 0 < n <= wire.MAX_COMMAND else b""
        try:
            cmd = json.loads(body)
        except ValueError:
            cmd = None
        types = {"n": int, "question": str, "answer": str, "forward": (str, type(None)), "seed": int}
        if (
            not isinstance(cmd, dict)
            or set(cmd) != set(types)
            or not all(isinstance(cmd[k], t) for k, t in types.items())
        ):
            self.tamper("wrote into the grader's command channel")
            raise RuntimeError("grading: the hidden test's command was not the grader's")
        return cmd

    def _done(self, cmd, results=b"", error=None):
        meta = {k: cmd[k] for k in ("n", "question", "seed")} | {"error": None if error is None else error[:1000]}
        self.report(b"done %d " % cmd["n"] + json.dumps(meta).encode() + b"\n" + results)

    # --- the audit hook ---
    def on_trace(self, args, event="sys.settrace"):
        if getattr(self.local, "ours", False):
            return
        frame = self.getframe(2)
        caller = frame.f_code
        if event == "sys.settrace" and caller is self.bootstrap and self.threading._trace_hook is self.trace_fn:
            return  # a thread started by threading sets the watch's trace function again: nothing changes
        if (
            event == "sys.settrace"
            and 0 <= frame.f_lasti < len(caller.co_code)
            and caller.co_code[frame.f_lasti] == RESUME
        ):
            return  # not a call: Python unsets a trace function that raised (an interrupt arrived in it)
        self.tamper("tried to change the trace or profile function")
        raise RuntimeError("grading: the kernel's trace and profile functions are fixed")

    def on_setattr(self, args):
        if id(args[0]) in self.protected and args[1] == "__code__":
            self.tamper("tried to replace the code of a reference function")
            raise RuntimeError("grading: the reference functions cannot be changed")

    def on_open(self, args):
        path = os.fsdecode(args[0]) if type(args[0]) is bytes else args[0]
        if type(path) is str and path[:6] == "/proc/" and path[-4:] == "/mem":
            self.tamper("opened a process's memory")
            raise PermissionError("grading: no access to process memory")

    def handlers(self):
        out = {
            "sys.settrace": self.on_trace,
            "sys.setprofile": lambda args: self.on_trace(args, "sys.setprofile"),
            "object.__setattr__": self.on_setattr,
            "open": self.on_open,
        }
        ctypes_used = lambda args: self.tamper("used ctypes")  # noqa: E731
        for name in ("dlopen", "dlsym", "dlsym/handle", "call_function", "cdata", "cdata/buffer", "PyObj_FromPtr"):
            out[f"ctypes.{name}"] = ctypes_used
        for name in ("addressof", "string_at", "wstring_at", "create_string_buffer", "create_unicode_buffer"):
            out[f"ctypes.{name}"] = ctypes_used
        return out

    def start(self):
        import builtins

        get = self.handlers().get

        def audit(event, args):
            handler = get(event)
            if handler is not None:
                handler(args)

        import _thread

        self.wrap_references()
        self.threading.settrace(self.trace_fn)  # threading's threads set it again as they start
        _thread.start_new_thread = _thread.start_new = self.threading._start_new_thread = self.start_new_thread
        sys.addaudithook(audit)
        builtins.__dict__[wire.TRIGGER] = self.run_hidden
        self.report(b"ready")


def _high_fd(fd):
    """``fd`` moved above the low numbers a notebook might close or reuse, and not inherited by programs."""
    import fcntl

    out = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)
    os.close(fd)
    return out


def main():
    if sys.argv[1:2] != ["--guard-fd"]:
        raise SystemExit("usage: python -m homework.kernel_guard --guard-fd FD -f CONNECTION_FILE")
    config = read_config(int(sys.argv[2]))
    del sys.argv[1:3]
    if config.get("uid") is not None:
        drop_privileges(config["uid"])
    set_limits(config.get("limits", {}))
    if config.get("seccomp"):
        seccomp.install()
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")  # if the machine runs out of memory, this kernel goes first
    except OSError:
        pass
    sys.modules["debugpy"] = None  # no debugger in a grading kernel (it would replace the trace function)
    if config.get("probe"):  # homework/sandbox.py's check: everything above held, and ipykernel is there
        import ipykernel  # noqa: F401

        print(os.getuid())
        return
    if config.get("watch"):
        Watch(config).start()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
