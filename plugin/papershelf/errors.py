"""One root exception; subclasses carry structured fields and build the message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class PapershelfError(Exception):
    """Root of every error papershelf reports to a user."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located in a file."""

    file: str
    """The input's path as given, e.g. `bib/digests/2025-10-30.txt`."""
    line: int | None
    """1-based line, or None when the problem concerns the whole file."""
    message: str
    """What is wrong and the fix, e.g. `date 'Feb 30' is not a date; fix the digest`."""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class InputError(PapershelfError):
    """One or more problems in an input file (a digest, a taxonomy, a library)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class DigestError(InputError):
    """A digest could not be read; nothing was written."""


class LibraryError(InputError):
    """An existing `.bib` library could not be read fully; nothing was written."""


class OutputError(InputError):
    """A file papershelf would write cannot be used safely (a link leading out of its folder,
    two pages that are one file); nothing was written."""


class TaxonomyError(InputError):
    """A tag vocabulary (YAML) is malformed."""


class UsageError(PapershelfError):
    """The command line asks for something impossible, e.g. a missing `--date`."""


class PageError(InputError):
    """A page on disk could not be read, or could not be written safely; nothing was written."""


class WriteError(PapershelfError):
    """An output could not be written; `written` names the files replaced before the failure."""

    def __init__(self, message: str, *, written: Sequence[str] = ()) -> None:
        self.written = tuple(written)
        super().__init__(message)


class BusyError(PapershelfError):
    """Another run held the library's lock, or the library kept changing; `written` names the
    files replaced before the run stopped (usually none)."""

    def __init__(self, message: str, *, written: Sequence[str] = ()) -> None:
        self.written = tuple(written)
        super().__init__(message)


class WriteInterrupted(KeyboardInterrupt):
    """Ctrl-C arrived while files were renamed into place; `written` names those replaced."""

    def __init__(self, written: Sequence[object]) -> None:
        self.written = tuple(str(path) for path in written)
        super().__init__()


class ToolError(PapershelfError):
    """An external program papershelf runs (e.g. Pagefind's indexer) is missing or failed; the
    message names the fix."""


class EngineError(PapershelfError, ImportError):
    """The site engine importing the MkDocs plugin cannot run it (MkDocs 2); the message names
    what works instead. An `ImportError`, since it ends the plugin's import."""
