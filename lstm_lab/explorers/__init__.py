"""Interactive explorers: sliders and figures built on lstm_core's math (matplotlib + ipywidgets).

    RNNMemoryExplorer         why a vanilla RNN forgets (rho, T)
    LSTMCellExplorer          one cell gate by gate (b_f, b_i, b_c, b_o, input pattern), its diagram live at step t
    GradientHighwayExplorer   dL/dC_t through time, memory length against -1/ln f (b_f)
    SquashExplorer            tanh against ReLU (squash, recurrent scale, b_f)
    TextExplorer              a character model reading Shakespeare (passage, unit, its b_f, position, temperature)

Each has ``update(**values)``, a text readout (``readout_text``), and ``snapshot()`` for a static figure.
lstm_core never imports this package.

How to add an explorer: write a module here with a subclass of ``Explorer`` (see _base.py for what it
defines: ``defaults``, ``make_controls``, ``compute`` calling a function of ``lstm_lab.scenarios``, ``panels``,
``readout``, ``snapshot_settings``), and add the class to ``EXPLORERS`` below. The tests, the benchmark and the
browser test find it there (and the notebook that shows it live by its name in a code cell).
"""

from ._base import Explorer, Snapshot
from .cell import LSTMCellExplorer
from .highway import GradientHighwayExplorer
from .rnn_memory import RNNMemoryExplorer
from .squash import SquashExplorer
from .text import TextExplorer

EXPLORERS = (RNNMemoryExplorer, LSTMCellExplorer, GradientHighwayExplorer, SquashExplorer, TextExplorer)

__all__ = [
    "EXPLORERS",
    "Explorer",
    "GradientHighwayExplorer",
    "LSTMCellExplorer",
    "RNNMemoryExplorer",
    "Snapshot",
    "SquashExplorer",
    "TextExplorer",
]
