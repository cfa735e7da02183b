"""Run a pure function over parts of a job on every core, results in order.

The stages of papershelf are pure functions of their inputs, so a large job (10,000 papers) can be
cut into parts and each part computed in a forked child process. A child inherits its part and
the function through `fork` (nothing is pickled on the way in) and sends back only the pickled
result. The calling process computes the first part itself while the children work.

A child that fails for any reason sends nothing; the parent then computes that part itself, so an
error surfaces as the very exception (and traceback) a serial run would raise. Where `fork` is
unsafe or unavailable (Windows, macOS's default, a process with threads such as `mkdocs serve`)
or the job is small, everything runs in the calling process.

Whether a job is worth splitting is decided here, for every stage at once: `MINIMUM_SIZES` names
each stage that fans out and the size from which it does (below it a fork costs more than the work
it takes off this process). `PAPERSHELF_JOBS` sets the number of processes (`1` runs serially); by
default it is the number of CPUs this process may use. Tests that want a small job split use
`thresholds(...)`, the one knob for the sizes.
"""

from __future__ import annotations

import contextlib
import enum
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar

from papershelf.errors import UsageError

__all__ = [
    "MINIMUM_SIZES",
    "Stage",
    "jobs",
    "map_parts",
    "shares",
    "split",
    "splits",
    "thresholds",
]

T = TypeVar("T")
R = TypeVar("R")

_JOBS_VARIABLE = "PAPERSHELF_JOBS"
_MAX_JOBS = 64
"""More processes than this would cost more in forks and memory than any machine gains."""


class Stage(enum.Enum):
    """A stage that runs on every core when its job is large enough."""

    TAGGING = "tagging"
    """Tagging papers (`tagging.taxonomy.tag_papers`); its size is the number of papers."""
    NEW_ENTRIES = "new-entries"
    """Writing new papers as BibTeX entries (`bib.merge`); its size is the number of entries."""
    LIBRARY_SLICES = "library-slices"
    """Parsing a whole library in slices (`bib.index`, `bib.read`); its size is in characters."""
    PAGES = "pages"
    """Rendering paper pages (`site.paper_page.render_pages`); its size is the number of pages."""


MINIMUM_SIZES: Mapping[Stage, int] = MappingProxyType(
    {
        Stage.TAGGING: 1_000,
        Stage.NEW_ENTRIES: 1_000,
        # About 1,700 papershelf entries.
        Stage.LIBRARY_SLICES: 4_000_000,
        Stage.PAGES: 500,
    }
)
"""The size from which each stage is split over the processes (measured on 2 cores, 2026-12)."""

_overrides: dict[Stage, int] = {}


@contextlib.contextmanager
def thresholds(sizes: Mapping[Stage, int]) -> Iterator[None]:
    """Split the given stages from other sizes while the `with` block runs, e.g. in a test.

    `with thresholds({Stage.PAGES: 2}):` renders two pages or more on every core, so a test can
    check that a small job split over the processes gives the serial result. The sizes apply to
    the whole process (and the children it forks) until the block ends; blocks may nest.
    """
    for stage, size in sizes.items():
        if not isinstance(stage, Stage) or isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"thresholds take Stage -> int, not {stage!r} -> {size!r}")
    saved = dict(_overrides)
    _overrides.update(sizes)
    try:
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)


def splits(stage: Stage, size: int) -> bool:
    """Return whether a job of `size` (papers, entries, characters) at `stage` is split."""
    return size >= _overrides.get(stage, MINIMUM_SIZES[stage])


def jobs() -> int:
    """Return how many processes a job may use: `PAPERSHELF_JOBS`, else the usable CPUs."""
    value = os.environ.get(_JOBS_VARIABLE, "").strip()
    if value:
        try:
            return min(_MAX_JOBS, max(1, int(value)))
        except ValueError:
            raise UsageError(
                f"{_JOBS_VARIABLE}={value!r} is not a number of processes; use e.g. 1 or 2"
            ) from None
    if hasattr(os, "sched_getaffinity"):
        return min(_MAX_JOBS, max(1, len(os.sched_getaffinity(0))))
    return min(_MAX_JOBS, max(1, os.cpu_count() or 1))


def split(items: Sequence[T], parts: int) -> list[Sequence[T]]:
    """Return `items` cut into at most `parts` contiguous slices of nearly equal length."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    slices: list[Sequence[T]] = []
    start = 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        slices.append(items[start:end])
        start = end
    return slices


def shares(items: Sequence[T], *, stage: Stage) -> list[Sequence[T]]:
    """Return `items` as one share per process (`jobs()`), or whole when `stage` does not split.

    Below the stage's size (`MINIMUM_SIZES`) a fork costs more than the work it would take off
    this process.
    """
    return split(items, jobs()) if splits(stage, len(items)) else [items]


def _can_fork() -> bool:
    # Forking a process that runs other threads can deadlock the child (a lock held by a thread
    # that does not exist in it); macOS frameworks are not fork-safe either.
    return (
        hasattr(os, "fork") and sys.platform.startswith("linux") and threading.active_count() == 1
    )


def map_parts(function: Callable[[T], R], parts: Sequence[T]) -> list[R]:
    """Return `[function(part) for part in parts]`, computing the parts on several cores.

    `function` must be pure: a part computed in a child and the same part computed here give the
    same result. Results travel back pickled, so they must be picklable.
    """
    if len(parts) < 2 or jobs() < 2 or not _can_fork():
        return [function(part) for part in parts]
    children = [_start(function, part) for part in parts[1:]]
    results: list[R] = []
    failed: BaseException | None = None
    try:
        results.append(function(parts[0]))
    except BaseException as error:  # re-raised once every child is collected
        failed = error
    for part, child in zip(parts[1:], children, strict=True):
        # Every child is collected, even after an error, so none is left behind as a zombie.
        # A part whose child could not start or did not finish is computed here.
        payload = _collect(*child) if child is not None else None
        if failed is not None:
            continue
        try:
            results.append(_loaded(payload) if payload is not None else function(part))
        except _Unreadable:
            results.append(function(part))
        except BaseException as error:
            failed = error
    if failed is not None:
        raise failed
    return results


class _Unreadable(Exception):
    """A child's result that does not unpickle here."""


def _loaded(payload: bytes) -> Any:
    try:
        return pickle.loads(payload)
    except Exception as error:
        # A result that pickles but does not unpickle is a bug of its class, not of the data:
        # the part is computed here instead.
        raise _Unreadable from error


def _start(function: Callable[[T], R], part: T) -> tuple[int, int] | None:
    """Fork a child computing `function(part)`; return its pid and the read end of its pipe.

    Returns None when the system cannot start another process.
    """
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # pragma: no cover - runs in the child, which coverage does not follow
        status = 1
        try:
            os.close(read_end)
            payload = pickle.dumps(function(part), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as stream:
                stream.write(payload)
            status = 0
        finally:
            # Never return into the caller's code, run its cleanup or flush its buffers twice.
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int) -> bytes | None:
    """Return a child's pickled result, or None when the child did not finish its part."""
    chunks: list[bytes] = []
    with os.fdopen(read_end, "rb") as stream:
        while chunk := stream.read(1 << 20):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    return b"".join(chunks)
