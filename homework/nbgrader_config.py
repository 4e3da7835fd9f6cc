# nbgrader configuration for LSTM Lab's homework (https://nbgrader.readthedocs.io).
# Run nbgrader commands from this folder (named homework): the sources are in source/<assignment>/<assignment>.ipynb.
import os
import sys

c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "lstm-lab"
c.CourseDirectory.root = "."
c.ExecutePreprocessor.timeout = 120
c.ClearSolutions.code_stub = {"python": "raise NotImplementedError"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# nbgrader runs each student's notebook in a kernel with your rights. Here every kernel nbgrader starts
# (autograde, validate) runs in the grader's sandbox instead (homework/sandbox.py): bubblewrap, no network, no
# view of this folder, the gradebook, other submissions or your home, no process of its own, a clean
# environment, limits on memory, files and time. On a machine without bubblewrap the kernels do not start; to
# run nbgrader unsandboxed anyway (trusted notebooks only), set LSTM_LAB_NBGRADER_NO_SANDBOX=1.
if os.environ.get("LSTM_LAB_NBGRADER_NO_SANDBOX") != "1":
    # this file is read by nbgrader, not imported: the folder above it holds the homework package
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from homework.nbgrader_manager import SandboxKernelManager

    c.ExecutePreprocessor.kernel_manager_class = SandboxKernelManager
