"""The grading sandbox as a jupyter_client kernel manager, for nbgrader's autograde (homework/nbgrader_config.py).

    c.ExecutePreprocessor.kernel_manager_class = SandboxKernelManager

Each kernel nbgrader starts gets the sandbox, the limits and the clean environment of ``python -m homework
grade``, but not its watch: nbgrader judges inside the kernel, by whether a test cell raises. jupyter_client
connects to the kernel's five sockets through links in a private folder of the grader's to the descriptors
homework/kernel.py opened before the kernel ran anything (``/proc/self/fd/N``): never through a path in the
kernel's own folder, which it could replace.
"""

import os
import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager

from homework.kernel import PORTS, Kernel


class SandboxKernelManager(AsyncKernelManager):
    box = None
    links = None

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        import asyncio

        box = Kernel(sandboxed=True, watch=False, secret=[os.getcwd()])
        await asyncio.get_running_loop().run_in_executor(None, box.start)
        box.shell.close()  # jupyter's own client connects next
        self.box, self.links = box, tempfile.mkdtemp(prefix="lstm-lab-sockets-")
        for k, port in enumerate(PORTS):
            os.symlink(f"/proc/{os.getpid()}/fd/{box.sockets[port]}", f"{self.links}/kernel-{k + 1}")
        self.transport, self.ip = "ipc", f"{self.links}/kernel"
        for k, port in enumerate(PORTS):
            setattr(self, f"{port}_port", k + 1)
        self.session.key = box.conn["key"].encode()
        self.provisioner.process = box.proc
        self.provisioner.pid = self.provisioner.pgid = box.proc.pid

    async def _async_interrupt_kernel(self):
        if self.box is not None:
            self.box.interrupt()  # SIGINT to the kernel itself: bwrap's own process would end the sandbox

    async def _async_kill_kernel(self, restart=False):
        self._end()

    async def _async_cleanup_resources(self, restart=False):
        self._end()
        await super()._async_cleanup_resources(restart=restart)

    def _end(self):
        if self.box is not None:
            self.box.close()
        if self.links:
            shutil.rmtree(self.links, ignore_errors=True)
            self.links = None

    interrupt_kernel = _async_interrupt_kernel  # the public names are bound to the base class's functions
    _kill_kernel = _async_kill_kernel
    cleanup_resources = _async_cleanup_resources
