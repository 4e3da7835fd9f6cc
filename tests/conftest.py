"""Fixtures shared by the test modules."""

import pytest

import lstm_core


@pytest.fixture(params=[lstm_core, lstm_core.fast], ids=["readable", "fast"])
def path(request):
    """The module whose lstm_forward/lstm_backward (and rnn_forward/rnn_backward) a test runs: the readable
    sequence functions the notebooks call, or lstm_core.fast, which training uses. Both must pass every check."""
    return request.param
