"""Fixtures shared by the test modules."""

import pytest

import lstm_core.lstm


@pytest.fixture(params=[("tanh", "tanh"), ("exp", "exp"), ("exp", "tanh")], ids=lambda r: f"sigma-{r[0]} tanh-{r[1]}")
def squash_route(request, monkeypatch):
    """Run the test with each way lstm_forward may compute sigma and tanh (normally chosen by speed on this CPU).

    Every route must give the same numbers, so every machine tests all three, not only the one it would pick.
    """
    monkeypatch.setattr(lstm_core.lstm, "_squash_routes", lambda dtype: request.param)
    return request.param
