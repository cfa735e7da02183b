"""Running a pure function over parts of a job in forked children."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from papershelf import UsageError
from papershelf.parallel import (
    MINIMUM_SIZES,
    Stage,
    jobs,
    map_parts,
    shares,
    split,
    splits,
    thresholds,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="parts run in forked children on Linux only"
)


@pytest.fixture(autouse=True)
def _no_threads() -> None:
    # A thread left running by another test would make every job run serially here.
    assert threading.active_count() == 1, f"threads left running: {threading.enumerate()}"


def pid_and_sum(part: list[int]) -> tuple[int, int]:
    return os.getpid(), sum(part)


def assert_no_child_left() -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@pytest.mark.parametrize(("count", "parts"), [(0, 2), (1, 2), (5, 2), (10, 3), (7, 7), (3, 8)])
def test_split_keeps_order_and_balances(count: int, parts: int) -> None:
    items = list(range(count))
    slices = split(items, parts)
    assert [item for piece in slices for item in piece] == items
    assert len(slices) == max(1, min(parts, count))
    sizes = [len(piece) for piece in slices]
    assert max(sizes) - min(sizes) <= 1


def test_parts_run_in_children_and_come_back_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "3")
    results = map_parts(pid_and_sum, [[1, 2], [3], [4, 5], [6]])
    assert [total for _, total in results] == [3, 3, 9, 6]
    pids = [pid for pid, _ in results]
    assert pids[0] == os.getpid()
    assert os.getpid() not in pids[1:]
    assert len(set(pids[1:])) == 3
    assert_no_child_left()


def test_one_job_runs_everything_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "1")
    results = map_parts(pid_and_sum, [[1], [2], [3]])
    assert results == [(os.getpid(), 1), (os.getpid(), 2), (os.getpid(), 3)]


def test_a_process_with_threads_does_not_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "2")
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        results = map_parts(pid_and_sum, [[1], [2]])
    finally:
        release.set()
        thread.join()
    assert [pid for pid, _ in results] == [os.getpid(), os.getpid()]


def test_an_error_in_a_child_is_raised_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "2")

    def strict(part: list[int]) -> int:
        if 13 in part:
            raise ValueError(f"item 13 is unlucky (in {part})")
        return sum(part)

    with pytest.raises(ValueError, match=r"item 13 is unlucky \(in \[12, 13\]\)"):
        map_parts(strict, [[1], [12, 13], [14]])
    assert_no_child_left()


def test_a_child_that_dies_is_replaced_by_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "2")
    parent = os.getpid()

    def fragile(part: list[int]) -> tuple[int, int]:
        if os.getpid() != parent:
            os._exit(3)
        return pid_and_sum(part)

    assert map_parts(fragile, [[1], [2, 3]]) == [(parent, 1), (parent, 5)]
    assert_no_child_left()


def test_jobs_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "4")
    assert jobs() == 4
    monkeypatch.setenv("PAPERSHELF_JOBS", "0")
    assert jobs() == 1
    monkeypatch.delenv("PAPERSHELF_JOBS")
    assert jobs() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("PAPERSHELF_JOBS", "many")
    with pytest.raises(UsageError, match="PAPERSHELF_JOBS='many' is not a number of processes"):
        jobs()


def test_an_error_in_the_parents_part_still_collects_every_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "2")
    parent = os.getpid()

    def fails_here(part: list[int]) -> int:
        if os.getpid() == parent and part == [1]:
            raise KeyError("the first part")
        return sum(part)

    with pytest.raises(KeyError, match="the first part"):
        map_parts(fails_here, [[1], [2], [3]])
    assert_no_child_left()


def refuse_to_load(value: int) -> Unloadable:
    raise RuntimeError(f"cannot load {value}")


class Unloadable:
    """A result that pickles in the child but does not unpickle in the parent."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return refuse_to_load, (self.value,)


def test_a_result_that_does_not_unpickle_is_computed_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "2")
    parent = os.getpid()
    seen: list[int] = []

    def unloadable_sum(part: list[int]) -> Unloadable:
        if os.getpid() == parent:
            seen.extend(part)
        return Unloadable(sum(part))

    results = map_parts(unloadable_sum, [[1, 2], [3, 4]])
    assert [result.value for result in results] == [3, 7]
    assert seen == [1, 2, 3, 4]  # the second part was computed again, here
    assert_no_child_left()


def test_a_refused_fork_leaves_that_part_to_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "3")
    real_fork = os.fork
    forks: list[int] = []

    def fork_once() -> int:
        forks.append(1)
        if len(forks) > 1:
            raise BlockingIOError("Resource temporarily unavailable")
        return real_fork()

    monkeypatch.setattr(os, "fork", fork_once)
    results = map_parts(pid_and_sum, [[1], [2], [3]])
    assert [total for _, total in results] == [1, 2, 3]
    assert [pid == os.getpid() for pid, _ in results] == [True, False, True]
    assert_no_child_left()


def test_jobs_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "100000")
    assert jobs() == 64


def test_shares_split_per_process_only_from_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "3")
    items = list(range(10))
    with thresholds({Stage.PAGES: 11}):
        assert shares(items, stage=Stage.PAGES) == [items]
    with thresholds({Stage.PAGES: 10}):
        assert shares(items, stage=Stage.PAGES) == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
        # Another stage keeps its own size.
        assert shares(items, stage=Stage.TAGGING) == [items]
        monkeypatch.setenv("PAPERSHELF_JOBS", "1")
        assert shares(items, stage=Stage.PAGES) == [items]


@pytest.mark.parametrize("stage", list(Stage), ids=lambda stage: stage.value)
def test_every_stage_has_a_size_and_splits_from_it(stage: Stage) -> None:
    size = MINIMUM_SIZES[stage]
    assert size > 1
    assert (splits(stage, size - 1), splits(stage, size)) == (False, True)


def fail_inside(stage: Stage) -> None:
    with thresholds({stage: 0}):
        assert splits(stage, 0)
        raise KeyError("inside")


def test_thresholds_nest_and_are_restored_after_an_error() -> None:
    with thresholds({Stage.PAGES: 2}):
        with thresholds({Stage.TAGGING: 3}):
            assert (splits(Stage.PAGES, 2), splits(Stage.TAGGING, 3)) == (True, True)
        assert (splits(Stage.PAGES, 2), splits(Stage.TAGGING, 3)) == (True, False)
        with pytest.raises(KeyError):
            fail_inside(Stage.NEW_ENTRIES)
        assert not splits(Stage.NEW_ENTRIES, 0)
    assert not splits(Stage.PAGES, 2)


@pytest.mark.parametrize(
    "sizes",
    [
        pytest.param({"pages": 2}, id="a-name-not-a-stage"),
        pytest.param({Stage.PAGES: "2"}, id="a-string-size"),
        pytest.param({Stage.PAGES: True}, id="a-bool-size"),
    ],
)
def test_thresholds_refuse_what_is_not_stage_to_size(sizes: dict[object, object]) -> None:
    with pytest.raises(TypeError, match="thresholds take Stage -> int"), thresholds(sizes):
        pass
    assert not splits(Stage.PAGES, 2)
