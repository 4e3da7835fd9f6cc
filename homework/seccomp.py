"""The system calls a grading kernel may not make, refused by the Linux kernel itself (a seccomp filter).

A grading kernel starts no process (fork, vfork, clone without CLONE_THREAD, execve: EPERM), so no helper
process, and no fresh interpreter without the guard, can compute anything for it; threads still start (clone
with CLONE_THREAD; clone3, whose flags a filter cannot read, answers ENOSYS and the C library falls back to
clone). It makes no memory that the address-space limit does not count and that outlives its descriptors'
limits: memfd_create, System V shared memory and message queues, io_uring and userfaultfd are refused too.
Any other architecture's system calls (x32, i386 on x86-64) are refused. ``install()`` applies the filter to
the calling thread and every thread and process it starts afterwards; it cannot be removed.
"""

import ctypes
import os
import platform
import struct

ALLOW, ERRNO = 0x7FFF0000, 0x00050000
EPERM, ENOSYS = 1, 38
CLONE_THREAD = 0x00010000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
LD_W_ABS, JEQ_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
ARCHES = {  # machine: (AUDIT_ARCH_*, {name: system call number}, the first number of a foreign ABI or None)
    "x86_64": (
        0xC000003E,
        dict(clone=56, clone3=435, fork=57, vfork=58, execve=59, execveat=322, memfd_create=319)
        | dict(shmget=29, msgget=68, io_uring_setup=425, userfaultfd=323),
        0x40000000,  # x32
    ),
    "aarch64": (
        0xC00000B7,
        dict(clone=220, clone3=435, execve=221, execveat=281, memfd_create=279)
        | dict(shmget=194, msgget=186, io_uring_setup=425, userfaultfd=282),
        None,
    ),
}
REFUSED = ("fork", "vfork", "execve", "execveat", "memfd_create", "shmget", "msgget", "io_uring_setup", "userfaultfd")


def supported():
    return platform.system() == "Linux" and platform.machine() in ARCHES


def _assemble(program):
    """Classic BPF from (opcode, k, label if true, label if false) and ("label", name) entries."""
    where, n = {}, 0
    for ins in program:
        if ins[0] == "label":
            where[ins[1]] = n
        else:
            n += 1
    out, n = [], 0
    for ins in program:
        if ins[0] == "label":
            continue
        code, k, jt, jf = (*ins, None, None)[:4]
        jump = [where[j] - n - 1 if j else 0 for j in (jt, jf)]
        out.append(struct.pack("HBBI", code, *jump, k))
        n += 1
    return b"".join(out)


def program(machine=None):
    """The filter for ``machine`` (this one by default), as bytes of struct sock_filter."""
    arch, nr, foreign = ARCHES[machine or platform.machine()]
    prog = [(LD_W_ABS, 4), (JEQ_K, arch, "native", "deny"), ("label", "native"), (LD_W_ABS, 0)]
    if foreign is not None:
        prog += [(JGE_K, foreign, "deny", "abi_ok"), ("label", "abi_ok")]
    prog += [(JEQ_K, nr["clone"], "clone", "not_clone"), ("label", "not_clone")]
    prog += [(JEQ_K, nr["clone3"], "enosys", "not_clone3"), ("label", "not_clone3")]
    for name in REFUSED:
        if name in nr:
            prog += [(JEQ_K, nr[name], "deny", f"not_{name}"), ("label", f"not_{name}")]
    prog += [(RET_K, ALLOW), ("label", "clone"), (LD_W_ABS, 16), (JSET_K, CLONE_THREAD, "allow", "deny")]
    prog += [("label", "allow"), (RET_K, ALLOW), ("label", "deny"), (RET_K, ERRNO | EPERM)]
    return _assemble(prog + [("label", "enosys"), (RET_K, ERRNO | ENOSYS)])


class _Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install():
    """Apply the filter (after no_new_privs, which it needs); raises OSError if the kernel refuses."""
    code = program()
    buf = ctypes.create_string_buffer(code, len(code))
    fprog = _Fprog(len(code) // 8, ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    for args in ((PR_SET_NO_NEW_PRIVS, 1, 0), (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog))):
        if libc.prctl(*args, 0, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"prctl({args[0]}): {os.strerror(err)}")
