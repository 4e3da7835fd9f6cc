"""Fixtures shared by the test modules."""

import pytest

import lstm_core.lstm


@pytest.fixture(params=["tanh route", "exp route"])
def squash_route(request, monkeypatch):
    """Run the test with each way lstm_forward can squash its gates (normally chosen by speed on this CPU).

    Both routes must give the same numbers, so every machine tests both, not only the one it would pick.
    """
    monkeypatch.setattr(lstm_core.lstm, "_tanh_is_fast", lambda dtype: request.param == "tanh route")
    return request.param
