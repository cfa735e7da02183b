"""What one site build keeps for the next in the same process: `mkdocs serve`'s rebuilds.

Two things make a rebuild of a 10,000-paper site take seconds instead of a full build's minutes:

- **`Memo`**: the generated files are a pure function of the library texts, the tag labels, the
  options and the docs files that win over generated ones. When none of those changed (a note
  edited in a paper page on disk, a hand-written page saved), the previous build's result is
  reused instead of parsing the library and rendering every page again.
- **`OutputLedger`**: under `mkdocs serve --dirty` MkDocs builds only the pages whose output it
  thinks stale (`File.is_modified`), but it counts every generated file as stale, and it cannot
  see what else goes into a page. The ledger records, per output of the built site (its
  site-relative path), a fingerprint of everything that goes into that output alone (the
  generated text, or the source file's identity, size and modification time; what the plugin
  adds, such as a paper page's entry), and one fingerprint of what goes into every page (the
  configuration, the navigation's titles and addresses, theme overrides). The next build's
  `RebuildPlan` keeps an output only when both fingerprints are those of the build that wrote
  it; every other output is deleted, so that MkDocs, finding no output, builds it again, and an
  output that no file produces any more (a removed entry's page) disappears.

The ledger only believes a build that finished: `commit` after a build, `forget` after an error
(the next build then rebuilds every output).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

__all__ = [
    "DIRTY_ADVICE_FROM",
    "Memo",
    "OutputLedger",
    "RebuildPlan",
    "fingerprint",
    "mapping_parts",
    "output_fingerprint",
    "remove_outputs",
    "site_fingerprint",
]

T = TypeVar("T")

DIRTY_ADVICE_FROM = 1_000
"""Papers from which `mkdocs serve` without `--dirty` advises it: a full build of 1,000 papers
takes about 10 s on two cores, of 10,000 about two minutes (`docs/benchmarks.md`)."""

_SEPARATOR = b"\x00\x1f"
"""Between the parts of a fingerprint, so that `("ab", "c")` and `("a", "bc")` differ."""


def fingerprint(parts: Iterable[str | bytes]) -> str:
    """Return the SHA-256 of the parts (each text as UTF-8), as hexadecimal digits."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        digest.update(_SEPARATOR)
    return digest.hexdigest()


def mapping_parts(mapping: Mapping[str, str]) -> Iterator[str]:
    """Yield each key and value of a mapping, in order, as fingerprint parts."""
    for key, value in mapping.items():
        yield key
        yield value


def site_fingerprint(
    *,
    config_file: str | None,
    options: str,
    tag_labels: Mapping[str, str],
    navigation: Iterable[str],
    theme_overrides: str | None,
) -> str:
    """Return the fingerprint of what goes into every page of the site.

    Args:
        config_file: `mkdocs.yml` (its text counts), or None.
        options: The plugin's options, as text.
        tag_labels: The tag labels the pages show.
        navigation: Each navigation item's kind, title and address, in order.
        theme_overrides: The theme's `custom_dir` (each file's name and time counts), or None.
    """
    return fingerprint(
        [
            config_file or "",
            _text_or_empty(config_file),
            options,
            *mapping_parts(tag_labels),
            *navigation,
            *_folder_times(theme_overrides),
        ]
    )


def output_fingerprint(
    src_uri: str, added: Sequence[str], *, content: bytes | None = None, source: str | None = None
) -> str:
    """Return the fingerprint of what goes into one output alone.

    Args:
        src_uri: The docs-relative path of the file, e.g. `papers/cheng2024breaking.md`.
        added: What the plugin adds to the output from elsewhere, e.g. the paper's entry.
        content: A generated file's content; or
        source: the file on disk, which counts by its path, size and modification time.
    """
    if content is not None:
        return fingerprint([src_uri, "generated", content, *added])
    try:
        stat = os.stat(source or "")
    except OSError:
        return fingerprint([src_uri, "missing"])
    return fingerprint([src_uri, source or "", str(stat.st_mtime_ns), str(stat.st_size), *added])


def _folder_times(folder: str | None) -> Iterator[str]:
    """Yield each file under a folder with its modification time, in a stable order."""
    if not folder or not os.path.isdir(folder):
        return
    for parent, _, names in sorted(os.walk(folder)):
        for name in sorted(names):
            path = os.path.join(parent, name)
            try:
                yield f"{path}:{os.stat(path).st_mtime_ns}"
            except OSError:
                yield f"{path}:missing"


def _text_or_empty(path: str | None) -> str:
    """Return a file's text, or an empty string when there is none to read."""
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


class Memo(Generic[T]):
    """The result of the last computation and the fingerprint of the inputs it was made from."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._value: T | None = None

    def get(self, inputs: Iterable[str | bytes], compute: Callable[[], T]) -> T:
        """Return the kept result when `inputs` are those of the last call, else `compute()`.

        `compute` must be a pure function of `inputs`; an exception it raises keeps nothing.
        """
        key = fingerprint(inputs)
        if self._key != key or self._value is None:
            self._key = None
            self._value = compute()
            self._key = key
        return self._value


@dataclass(frozen=True, slots=True)
class RebuildPlan:
    """Which outputs of the built site a dirty build may keep, and which it must delete."""

    kept: frozenset[str]
    """Site-relative outputs still valid, e.g. `papers/cheng2024breaking/index.html`."""
    removed: tuple[str, ...]
    """Outputs to delete before the build: stale ones and those no file produces any more."""
    full: bool
    """Nothing is kept: the first build, or what goes into every page changed."""


class OutputLedger:
    """The fingerprints of the outputs the last finished build wrote, and of the whole site."""

    def __init__(self) -> None:
        self._built: dict[str, str] | None = None
        self._site = ""
        self._pending: tuple[str, dict[str, str]] | None = None

    def plan(self, site: str, outputs: Mapping[str, str]) -> RebuildPlan:
        """Compare this build's fingerprints with the last finished build's.

        Args:
            site: The fingerprint of what goes into every page (`fingerprint(...)`).
            outputs: Each output this build produces (site-relative path) mapped to the
                fingerprint of what goes into it alone.
        """
        self._pending = (site, dict(outputs))
        built = self._built
        if built is None or site != self._site:
            previous = built or {}
            return RebuildPlan(
                kept=frozenset(), removed=tuple(sorted({*previous, *outputs})), full=True
            )
        kept = frozenset(path for path, value in outputs.items() if built.get(path) == value)
        removed = tuple(sorted(path for path in {*built, *outputs} if path not in kept))
        return RebuildPlan(kept=kept, removed=removed, full=False)

    def commit(self) -> None:
        """Believe the planned build: it finished, and wrote every output it did not keep."""
        if self._pending is not None:
            self._site, self._built = self._pending[0], self._pending[1]
            self._pending = None

    def forget(self) -> None:
        """Believe nothing: a build failed, so the next build writes every output again."""
        self._built = None
        self._site = ""
        self._pending = None


def remove_outputs(site_dir: Path, paths: Iterable[str]) -> int:
    """Delete these site-relative files of `site_dir` where they exist; return how many.

    A path that would lead out of `site_dir` (`..`, absolute) is left alone: the paths come from
    the build's own files, and nothing outside the built site is papershelf's to delete.
    """
    root = os.path.realpath(site_dir)
    removed = 0
    for path in paths:
        target = os.path.realpath(os.path.join(root, path))
        if os.path.commonpath([root, target]) != root or target == root:
            continue
        try:
            os.remove(target)
        except FileNotFoundError:
            continue
        except IsADirectoryError:
            continue
        removed += 1
    return removed
