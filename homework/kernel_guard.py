"""The first code to run in a grading kernel, before ipykernel and before any student code.

    python kernel_guard.py -f CONNECTION_FILE [ipykernel options]

1. Limits (LSTM_LAB_LIMITS, "as=BYTES,nproc=N,..."): soft and hard lowered together, so nothing in the
   kernel can raise them again. No debugger (debugpy) is loaded.
2. The watch, when LSTM_LAB_GUARD="REPORT_FD:KEY_FD" (homework/hw.py grade sets it): a pipe the guard
   writes to and the grader reads, and a one-time pipe with a key shared by the two.
   - Every cell the grader sends starts with a marker line ``# lstm-lab-grading:N:SEED:MAC`` (N counts up,
     MAC is an HMAC of "N:SEED" under the key). When the kernel compiles a cell with a valid marker, an
     audit hook (which cannot be removed) writes ``cell N TAG`` (TAG: an HMAC the grader checks, so a
     record of a cell that never ran cannot be made up without the key). A marker with a SEED starts a
     hidden test: the seed goes into LSTM_LAB_GRADING_SEED (so the hidden cases cannot be known earlier)
     and a trace function watches every call until the next cell.
   - A call into one of the course's reference functions that answers a question (the names in
     lstm_lab.homework.REFERENCE_CALLS), or into a copy of one (the same arguments, names and constants,
     however it was loaded: a saved reference, importlib, a reloaded module, a pasted copy), writes
     ``call NAME``: the trace
     function sees calls in the main thread and in threads started with ``threading`` during a hidden
     test, and the module-level functions themselves are wrapped, which sees calls from any thread.
   - Attempts to replace the trace function are refused and reported (``tamper ...``), as are replacing
     a reference function's code, using ctypes and opening /proc/*/mem (ways around the watch).
   The grader, not the kernel, decides what a record means: it reads the pipe just before and just after
   each hidden test, so only calls made while the hidden cases ran count. Code in the same process can
   always get around such a watch (docs/teaching.md, "What the grader cannot know").
3. Starts ipykernel.
"""

import os
import sys

_LIMITS = {"as": "RLIMIT_AS", "nproc": "RLIMIT_NPROC", "nofile": "RLIMIT_NOFILE", "fsize": "RLIMIT_FSIZE"}
_LIMITS.update(cpu="RLIMIT_CPU", core="RLIMIT_CORE", stack="RLIMIT_STACK")
MARK = "# lstm-lab-grading:"


def set_limits(spec):
    """Each limit in ``spec`` that the system has and lets us set (macOS, say, refuses some)."""
    import resource

    for item in filter(None, spec.split(",")):
        name, value = item.split("=")
        which = getattr(resource, _LIMITS[name], None)
        if which is None:
            continue
        soft, hard = resource.getrlimit(which)
        value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def mac(key, text, n=32):
    import hashlib
    import hmac

    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:n]


def marker(key, n, seed=None):
    """The first line of the n-th cell the grader sends (``seed`` for a hidden test)."""
    seed = "-" if seed is None else str(seed)
    return f"{MARK}{n}:{seed}:{mac(key, f'{n}:{seed}')}\n"


def _key(code, codetype):
    """What a copy of a function shares with it, whatever compiled it: its arguments, local and global names,
    constants and inner functions (not the bytecode, which differs with where the source was compiled)."""
    consts = tuple(
        _key(c, codetype) if isinstance(c, codetype) else (type(c).__name__, repr(c)) for c in code.co_consts
    )
    flags = code.co_flags & 0x2AC  # varargs, varkeywords, generator, coroutine, async generator
    return (code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, flags) + (
        code.co_varnames,
        code.co_names,
        consts,
    )


def start_watch(report_fd, key_fd):
    import functools
    import hashlib
    import hmac
    import importlib
    import threading

    from lstm_lab import homework

    with os.fdopen(key_fd, "rb") as f:
        key = f.read()
    write, environ, compare = os.write, os.environ, hmac.compare_digest
    out = os.dup(report_fd) if report_fd < 100 else report_fd
    if out != report_fd:
        os.close(report_fd)
    os.set_inheritable(out, False)

    def sign(text, n=32):
        return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:n]

    def report(line):
        try:
            write(out, (line[:200] + "\n").encode())
        except OSError:
            pass

    originals = {}  # dotted name -> function object, as imported before any student code
    for names in homework.REFERENCE_CALLS.values():
        for dotted in names:
            mod, _, attr = dotted.rpartition(".")
            originals[dotted] = getattr(importlib.import_module(mod), attr)
    codetype = type(report.__code__)
    by_key = {_key(f.__code__, codetype): name for name, f in originals.items()}
    sent = set()  # names reported since the current cell started (one record per name and cell)

    def called(name):
        if name not in sent:
            sent.add(name)
            report(f"call {name}")

    def wrap(name, f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            called(name)
            return f(*args, **kwargs)

        return wrapper

    wrappers = {id(f): wrap(name, f) for name, f in originals.items()}
    for modname, mod in list(sys.modules.items()):
        if modname.split(".")[0] in ("lstm_core", "lstm_lab") and hasattr(mod, "__dict__"):
            for attr, value in list(vars(mod).items()):
                if callable(value) and id(value) in wrappers:
                    setattr(mod, attr, wrappers[id(value)])
    protected = {id(f) for f in originals.values()} | {id(w) for w in wrappers.values()}

    seen = {}  # id(code) -> (code, name or None); holding the code keeps its id from being reused

    def tracer(frame, event, arg):
        if event == "call":
            code = frame.f_code
            hit = seen.get(id(code))
            if hit is None:
                hit = seen[id(code)] = (code, by_key.get(_key(code, codetype)))
            if hit[1] is not None:
                called(hit[1])
        return None

    settrace, bootstrap, getframe = sys.settrace, threading.Thread._bootstrap_inner.__code__, sys._getframe
    state = {"ours": False, "cell": -1}
    tampered = set()

    def tamper(what):
        if what not in tampered:
            tampered.add(what)
            report(f"tamper {what}")

    def trace_all(fn):
        state["ours"] = True
        try:
            threading.settrace(fn)
            settrace(fn)
        finally:
            state["ours"] = False

    def on_compile(args):
        src = args[0]
        if isinstance(src, bytes):
            src = src[:200].decode("utf-8", "replace")
        if not isinstance(src, str) or not src.startswith(MARK):
            return
        try:
            n, seed, tag = src[len(MARK) :].split("\n", 1)[0].strip().split(":")
            n = int(n)
        except ValueError:
            return tamper("compiled a forged grading marker")
        if not compare(tag, sign(f"{n}:{seed}")):
            return tamper("compiled a forged grading marker")
        if n < state["cell"]:
            return  # an earlier cell's source compiled again (a traceback being shown): it changes nothing
        if n > state["cell"]:
            state["cell"] = n
            sent.clear()
        report(f"cell {n} {sign(f'cell {n}', 16)}")
        if seed != "-":  # a hidden test starts: its seed, and the trace function until the next cell
            environ["LSTM_LAB_GRADING_SEED"] = seed
            trace_all(tracer)
        else:
            environ.pop("LSTM_LAB_GRADING_SEED", None)
            trace_all(None)

    def on_trace(args, event="sys.settrace"):
        if state["ours"]:
            return
        if event == "sys.settrace" and getframe(2).f_code is bootstrap and threading._trace_hook is tracer:
            return  # a thread started during a hidden test takes up the watch
        tamper("tried to change the trace or profile function")
        raise RuntimeError("grading: the kernel's trace and profile functions are fixed")

    def on_setattr(args):
        if args[1] == "__code__" and id(args[0]) in protected:
            tamper("tried to replace the code of a reference function")
            raise RuntimeError("grading: the reference functions cannot be changed")

    def on_ctypes(args):
        tamper("used ctypes")

    def on_open(args):
        path = args[0]
        if type(path) is bytes:
            path = os.fsdecode(path)
        if type(path) is str and path[:6] == "/proc/" and path[-4:] == "/mem":
            tamper("opened a process's memory")
            raise PermissionError("grading: no access to process memory")

    handlers = {
        "compile": on_compile,
        "sys.settrace": on_trace,
        "sys.setprofile": lambda args: on_trace(args, "sys.setprofile"),
        "object.__setattr__": on_setattr,
        "open": on_open,
    }
    for name in ("dlopen", "dlsym", "dlsym/handle", "call_function", "cdata", "cdata/buffer", "PyObj_FromPtr"):
        handlers[f"ctypes.{name}"] = on_ctypes
    for name in ("addressof", "string_at", "wstring_at", "create_string_buffer", "create_unicode_buffer"):
        handlers[f"ctypes.{name}"] = on_ctypes
    get = handlers.get

    def audit(event, args):
        handler = get(event)
        if handler is not None:
            handler(args)

    sys.addaudithook(audit)
    report(f"ready {sign('ready', 16)}")


def main():
    if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]  # the guard's folder is not the student's
    set_limits(os.environ.pop("LSTM_LAB_LIMITS", ""))
    sys.modules["debugpy"] = None  # no debugger in a grading kernel (it would replace the trace function)
    fds = os.environ.pop("LSTM_LAB_GUARD", None)
    if fds:
        report_fd, key_fd = (int(x) for x in fds.split(":"))
        start_watch(report_fd, key_fd)
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
