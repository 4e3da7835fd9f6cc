"""lstm_lab.timing.min_time: the candidates are timed in turns, and each one's fastest time is returned."""

import pytest

from lstm_lab.timing import min_time


class FakeMachine:
    """A clock that moves only when a candidate runs, by the durations scripted for it; a log of the calls."""

    def __init__(self, durations):
        self.now, self.log, self.left = 0.0, [], {k: list(v) for k, v in durations.items()}

    def clock(self):
        return self.now

    def fn(self, name):
        def run():
            self.log.append(name)
            self.now += self.left[name].pop(0)

        return run


def test_candidates_are_interleaved_with_a_rotating_order():
    m = FakeMachine({k: [1.0] * 5 for k in "abc"})
    min_time({k: m.fn(k) for k in "abc"}, repeats=4, warmup=1, clock=m.clock)
    warm, rounds = m.log[:3], [m.log[3 + 3 * r : 6 + 3 * r] for r in range(4)]
    assert warm == ["a", "b", "c"] and len(m.log) == 15
    assert rounds == [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "b", "c"]]  # every round has each once


def test_each_candidates_minimum_is_returned_per_call():
    durations = {"slow": [9, 7, 3, 8], "fast": [9, 2, 5, 1]}  # warm-up first: 9 and 9 are never timed
    m = FakeMachine(durations)
    got = min_time({k: m.fn(k) for k in durations}, repeats=3, clock=m.clock)
    assert got == {"slow": 3, "fast": 1}
    m = FakeMachine({"a": [4, 6, 1, 1]})  # number=2: a timing is two calls, the result per call
    assert min_time([m.fn("a")], repeats=2, number=2, warmup=0, clock=m.clock) == [1.0]
    m = FakeMachine({"a": [5], "b": [2]})  # a list gives a list, in its order
    assert min_time([m.fn("a"), m.fn("b")], repeats=1, warmup=0, clock=m.clock) == [5, 2]


def test_a_real_function_is_timed_by_the_real_clock():
    calls = []
    seconds = min_time([lambda: calls.append(1)], repeats=3)
    assert len(calls) == 4 and len(seconds) == 1 and 0 <= seconds[0] < 1


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"fns": {}}, "fns: expected a non-empty dict or list of functions"),
        ({"fns": [1.5]}, "fns: expected functions, got float for 0"),
        ({"fns": [print], "repeats": 0}, "repeats: expected an integer of at least 1, got 0"),
        ({"fns": [print], "number": 2.0}, "number: expected an integer of at least 1, got 2.0"),
        ({"fns": [print], "warmup": -1}, "warmup: expected an integer of at least 0, got -1"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        min_time(**kwargs)
