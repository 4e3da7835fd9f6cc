# ruff: noqa: F821  (LOOT, np and exfiltrate come from _common.py; __NAMES__ are filled in by the test)
"""Take over the hidden test with hooks instead of a transformer: replace the builtin the grader's hidden-test
cell calls, the shell's run_cell, and add a pre_run_cell hook and an AST transformer, each of which tries to
make the cell "pass" with the reference's outputs on the public cases; the answer raises NotImplementedError."""

import ast
import builtins

from IPython import get_ipython

from lstm_lab import homework as hw

hw.self_check = lambda *a, **k: None


def lstm_step_forward(x, h_prev, c_prev, W, b):
    raise NotImplementedError


def fake_hidden_test(*args, **kwargs):
    LOOT.append("my hidden test ran")


for name in [n for n in vars(builtins) if n.startswith("__lstm_lab")]:
    setattr(builtins, name, fake_hidden_test)


class Empty(ast.NodeTransformer):
    def visit_Module(self, node):
        if "lstm_lab" in ast.dump(node):
            node.body = []
        return node


shell = get_ipython()
shell.ast_transformers.append(Empty())
shell.events.register("pre_run_cell", lambda *a: LOOT.append("pre_run_cell"))
