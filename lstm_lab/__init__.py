"""lstm_lab: the course's own code, built on lstm_core (which never imports it).

    explorers/    the interactive figures (matplotlib + ipywidgets), one module per explorer
    figures.py    static figures for the notebooks (learning curves, sweeps, heat-maps, the cell diagram)
    scenarios.py  the experiments the notebooks and explorers run, as plain numpy functions
    source.py     shows the line of lstm_core that computes an equation, beside it in a notebook
    exercises.py  the notebooks' coding exercises: check("name", fn) in a notebook
    homework.py   the homework's cases, reference answers and feedback that names the mistake
    checking.py   what both share: cases, known mistakes, where an answer differs, a crash retold
    bugs.py       the classic bugs of from-scratch LSTMs, planted into lstm_core's own source
    timing.py     timing that holds on a shared machine (the minimum of interleaved repeats)
    threads.py    numpy's BLAS on one thread, set on import (see its docstring for why)
    runtime.py    where the course runs (a desktop Python or the browser) and what that changes

How to add
    an explorer:  a module in explorers/ with a subclass of Explorer (see explorers/__init__.py)
    a homework question:  one entry in homework.QUESTIONS (see homework.py's docstring)
    a notebook exercise:  one exercise(...) in exercises.EXERCISES (see exercises.py's docstring)
"""

from . import runtime  # noqa: F401  (in the browser it sets lstm_core.charlm.run_hook: see runtime.py)
from . import threads as _threads

_threads.limit_blas_threads(_threads._limit_from_environment())
