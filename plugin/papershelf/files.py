"""The file system edge: reading untrusted digests safely and writing outputs atomically."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from papershelf.errors import DigestError, OutputError, Problem

MAX_DIGEST_BYTES = 256 * 1024 * 1024
"""A digest larger than this is refused before it is read (10,000 papers are about 20 MB)."""


def read_digest(path: Path, *, name: str | None = None) -> str:
    """Return a digest's text, or raise `DigestError` when it is not a readable UTF-8 text file."""
    shown = name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_DIGEST_BYTES:
            limit = MAX_DIGEST_BYTES // (1024 * 1024)
            raise _problem(
                shown, None, f"file is {size:,} bytes; digests are read up to {limit} MiB"
            )
        data = path.read_bytes()
    except OSError as error:
        raise _problem(shown, None, f"cannot read the file: {error.strerror}") from error
    return decode_digest(data, name=shown)


def decode_digest(data: bytes, *, name: str, keep_line_ends: bool = False) -> str:
    """Return the text of a file's bytes; binary data and invalid UTF-8 are refused with a line.

    Line ends become `\n` unless `keep_line_ends` (a page, whose notes are kept byte for byte).
    """
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        raise _problem(
            name, line, "file holds binary data (a NUL byte); give a text or JSON digest"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _problem(
            name, line, f"not UTF-8 (byte 0x{data[error.start]:02x}); save the digest as UTF-8"
        ) from error
    # Without a carriage return both passes change nothing, yet the first scans a 20 MB digest
    # in 20 ms, a third of reading it; looking for the one character takes a tenth of that.
    if "\r" in text and not keep_line_ends:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def atomic_write(path: Path, text: str) -> bool:
    """Write text to path through a temporary file and a rename; return False when unchanged.

    A reader never sees a half-written file, and a crash leaves the old file intact.
    """
    data = text.encode("utf-8")
    if _unchanged(path, data):
        return False
    temporary = _stage(path, data, durable=True)
    _rename(temporary, path)
    return True


def atomic_write_all(files: Mapping[Path, str]) -> list[Path]:
    """Write several files as `atomic_write` does; return the paths of those that changed.

    Every changed file is first written to a temporary file beside it. One `os.sync` then makes
    them all durable, instead of one `fsync` per file (10,000 new pages spent 5 s in them), and
    only then are they renamed into place. An error before the renames (a full disk, a folder
    that cannot be made) removes the temporary files and leaves every file as it was; no
    temporary file is left behind in any case.
    """
    # Without `os.sync` (Windows), each temporary file is flushed to disk on its own.
    one_sync = hasattr(os, "sync")
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            data = text.encode("utf-8")
            if not _unchanged(path, data):
                staged.append((_stage(path, data, durable=not one_sync), path))
        if staged and one_sync:
            os.sync()
    except BaseException:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    for done, (temporary, path) in enumerate(staged):
        try:
            os.replace(temporary, path)
        except BaseException:
            for left, _ in staged[done:]:
                Path(left).unlink(missing_ok=True)
            raise
    return [path for _, path in staged]


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def _stage(path: Path, data: bytes, *, durable: bool) -> str:
    """Return a temporary file beside `path` holding `data`, with `path`'s permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _rename(temporary: str, path: Path) -> None:
    try:
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def cache_dir() -> Path:
    """Return papershelf's cache folder: `PAPERSHELF_CACHE_DIR`, else the XDG cache folder."""
    chosen = os.environ.get("PAPERSHELF_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "papershelf"


def cache_file(folder: Path, library: Path) -> Path:
    """Return the file in `folder` that keeps the index of the library at `library`."""
    name = hashlib.sha256(str(library.resolve()).encode("utf-8")).hexdigest()[:24]
    return folder / f"index-{name}.json"


CACHE_DAYS = 90
"""A kept index that no run has written or used for this many days is deleted."""
_CACHE_NAME = re.compile(r"index-[0-9a-f]{24}\.json")


def prune_cache(folder: Path, *, now: float | None = None) -> list[Path]:
    """Delete the kept indexes in `folder` unused for `CACHE_DAYS` days; return their paths.

    Only files named as `cache_file` names them are touched; one that cannot be deleted is left.
    A deleted index costs the next run into its library one full parse, nothing else.
    """
    cutoff = (time.time() if now is None else now) - CACHE_DAYS * 24 * 60 * 60
    deleted: list[Path] = []
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            if not _CACHE_NAME.fullmatch(path.name):
                continue
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    deleted.append(path)
    return deleted


def inside(root: Path, relative: str) -> Path:
    """Return root/relative with every link resolved, refusing any path that would leave root.

    A link inside root that leads out of it (a page linked to `~/.ssh/config`) is refused as
    well: papershelf neither reads nor writes through it. A link to a file inside root is
    followed, so the file it names is the one read and written.

    Raises:
        OutputError: The path, or the file a link there names, lies outside root, e.g.
            `docs/papers/x.md: is a link to /etc/hosts, outside docs/papers; ...`.
    """
    path = root / relative
    target = path.resolve()
    if target.is_relative_to(root.resolve()):
        return target
    if path.is_symlink():
        message = (
            f"is a link to {target}, outside {root}; papershelf neither reads nor writes through "
            f"it: remove the link, or make it name a file inside {root}"
        )
    else:
        message = f"lies outside {root}; papershelf writes only inside it"
    problem = Problem(str(path), None, message)
    raise OutputError([problem])


def _problem(name: str, line: int | None, message: str) -> DigestError:
    return DigestError([Problem(name, line, message)])
