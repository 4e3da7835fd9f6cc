"""Show the line of lstm_core that computes an equation, so a notebook can put the two side by side.

    >>> from lstm_lab.source import equation_lines
    >>> print(equation_lines(lstm_core.lstm_step, ["f_t =", "c_t ="]))

The lines are read from the installed source, so what a learner sees is the code that runs.
"""

import inspect


def source_line(func, startswith):
    """The first line of ``func``'s source whose code starts with ``startswith`` (white space ignored)."""
    for line in inspect.getsource(func).splitlines():
        if line.strip().startswith(startswith):
            return line.strip()
    raise ValueError(f"startswith: no line of {func.__qualname__} starts with {startswith!r}")


def equation_lines(func, starts, equations=None):
    """Several such lines, one per row, each after its equation when ``equations`` is given."""
    rows = []
    for k, start in enumerate(starts):
        line = source_line(func, start)
        rows.append(f"{equations[k]:<34}  <->  {line}" if equations else line)
    return "\n".join(rows)
