"""Interactive explorers: sliders and figures built on lstm_core's math (matplotlib + ipywidgets).

    RNNMemoryExplorer         why a vanilla RNN forgets (rho, T)
    LSTMCellExplorer          one cell gate by gate (b_f, b_i, b_c, b_o, input pattern)
    GradientHighwayExplorer   dL/dC_t through time, memory length against -1/ln f (b_f)
    SquashExplorer            tanh against ReLU (squash, recurrent scale, b_f)

Each has ``update(**values)``, a text readout (``readout_text``), and ``snapshot()`` for a static figure.
The math never imports this package.
"""

from ._base import Explorer, Snapshot
from .cell import LSTMCellExplorer
from .highway import GradientHighwayExplorer
from .rnn_memory import RNNMemoryExplorer
from .squash import SquashExplorer

__all__ = ["Explorer", "GradientHighwayExplorer", "LSTMCellExplorer", "RNNMemoryExplorer", "Snapshot", "SquashExplorer"]
