"""The file system edge: reading untrusted files safely and writing outputs atomically.

Reading: every file is checked to be a regular file (or, for digests, a pipe) and read up to a
limit, so a device (`/dev/zero`), a named pipe nobody writes to or a runaway file never hangs a
run or fills the memory. Text is decoded strictly; the BOM and the line ends of a file that
papershelf rewrites are remembered (`TextFile`), so that what no stage changed is written back
byte for byte.

Writing: each output goes to a temporary file beside its target (named `.papershelf-tmp-...`,
so that a later run can remove those a killed run left), created with the umask's permissions
(or the replaced file's), and is renamed over the target only after every output is on disk. A
target that was read first is checked at the rename to still hold what was read; on Linux the
rename is an atomic exchange, so even a save that lands at that very moment is noticed and put
back. A symbolic link is written through, to the file it points to.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import errno
import hashlib
import itertools
import os
import re
import secrets
import select
import socket
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from papershelf.errors import (
    BusyError,
    DigestError,
    InputError,
    OutputError,
    Problem,
    WriteError,
    WriteInterrupted,
)

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the unchanged-on-disk check still applies
    fcntl = None  # type: ignore[assignment]

MAX_DIGEST_BYTES = 256 * 1024 * 1024
"""A digest larger than this is refused before it is read (10,000 papers are about 20 MB)."""
MAX_LIBRARY_BYTES = 512 * 1024 * 1024
"""A library larger than this is refused (10,000 papers are about 20 MB, 100,000 about 200 MB)."""
MAX_PAGE_BYTES = 64 * 1024 * 1024
"""A page on disk larger than this is refused (a page is a few KB plus its notes)."""
PIPE_WAIT_SECONDS = 30.0
"""How long a digest given as a pipe may stay silent before the run gives up on it."""


# --- reading -----------------------------------------------------------------------------------


def read_digest(path: Path, *, name: str | None = None) -> str:
    """Return a digest's text, or raise `DigestError` when it is not a readable text file.

    A regular file or a pipe (`<(curl ...)`, `/dev/stdin` fed by a pipe) is read; a device, a
    folder or a socket is refused. UTF-8 is expected; UTF-16 and UTF-32 with a byte-order mark
    are read too (Windows' "Unicode" text files).
    """
    shown = name or str(path)
    try:
        data = read_limited(path, shown, limit=MAX_DIGEST_BYTES, what="digest", pipes=True)
    except FileNotFoundError as error:
        raise _problem(shown, None, f"cannot read the file: {error.strerror}") from error
    return decode_digest(data, name=shown)


def read_limited(
    path: Path,
    shown: str,
    *,
    limit: int,
    what: str,
    pipes: bool = False,
    error: type[InputError] = DigestError,
) -> bytes:
    """Return the bytes of a regular file (or, with `pipes`, a pipe) of at most `limit` bytes.

    Raises:
        FileNotFoundError: There is no such file (the caller decides what that means).
        InputError: Of type `error`, naming `shown`: the file is not a regular file, is too
            large, or cannot be read.
    """

    def refuse(message: str) -> InputError:
        return error([Problem(shown, None, message)])

    try:
        status = path.stat()
        kind = _file_kind(status.st_mode)
        if stat.S_ISREG(status.st_mode):
            with path.open("rb") as stream:
                # A file can grow after `stat`: read one byte past the limit to know.
                data = stream.read(limit + 1)
        elif stat.S_ISFIFO(status.st_mode) and pipes:
            data = _read_pipe(path, limit, refuse)
        elif stat.S_ISFIFO(status.st_mode):
            raise refuse(
                f"is a {kind}, not a file; the {what} is read and rewritten, so it must be a "
                "regular file"
            )
        else:
            raise refuse(f"is a {kind}, not a file; give a {what} file")
    except FileNotFoundError:
        raise
    except OSError as failure:
        raise refuse(f"cannot read the file: {failure.strerror or failure}") from failure
    if len(data) > limit:
        raise refuse(
            f"file is larger than {limit // (1024 * 1024)} MiB, the most papershelf reads "
            f"as a {what}; split it into smaller files"
        )
    return data


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISREG, "regular file"),
        (stat.S_ISDIR, "folder"),
        (stat.S_ISFIFO, "named pipe (FIFO)"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return kind
    return "special file"


def _read_pipe(path: Path, limit: int, refuse: Callable[[str], InputError]) -> bytes:
    """Return what a pipe delivers up to `limit` + 1 bytes, waiting a while for a first byte.

    Opening a named pipe blocks until someone opens it for writing, forever if nobody does; it
    is opened without blocking, and `poll` waits for the writer (it reports no hang-up before a
    writer came, so a writer that is slow to start is still read).
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(descriptor, select.POLLIN)
            if not poller.poll(int(PIPE_WAIT_SECONDS * 1000)):
                raise refuse(
                    f"is a named pipe and nothing arrived through it in {PIPE_WAIT_SECONDS:g} s; "
                    "start the program that writes into it, or give a file"
                )
        os.set_blocking(descriptor, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
"""Byte-order marks of the wide encodings; UTF-32's first (UTF-32 LE's begins as UTF-16 LE's)."""


def decode_digest(data: bytes, *, name: str, what: str = "digest") -> str:
    """Return the text of a file's bytes, line ends as `\\n`; binary data and bad text are refused.

    UTF-8 (with or without a BOM) is read; so are UTF-16 and UTF-32 that start with a byte-order
    mark. `what` names the kind of file in messages (`digest`, `library`, `page`).
    """
    return decode_text(data, name=name, what=what, wide=True).text


@dataclass(frozen=True, slots=True)
class TextFile:
    """A text file as read: its text with `\\n` line ends, and how to write it back alike."""

    text: str
    """The decoded text, without a BOM, every line end `\\n`, e.g. `@misc{a,\\n...`."""
    bom: bool = False
    """Whether the file started with a UTF-8 byte-order mark (Windows editors write one)."""
    original: str | None = None
    """The decoded text with its own line ends, when they are not all `\\n` (JabRef on Windows
    writes `\\r\\n`); None otherwise."""
    sha256: bytes = b""
    """The SHA-256 of the bytes read: what the file must still hold when it is replaced."""

    @property
    def newline(self) -> str:
        """Return the file's usual line end, which new lines take: `\\n`, `\\r\\n` or `\\r`."""
        if self.original is None:
            return "\n"
        crlf = self.original.count("\r\n")
        lone_cr = self.original.count("\r") - crlf
        lone_lf = self.original.count("\n") - crlf
        counts = {"\r\n": crlf, "\n": lone_lf, "\r": lone_cr}
        return max(counts, key=lambda ending: counts[ending])

    def written(self, text: str) -> str:
        """Return `text` (line ends `\\n`) as this file would hold it: its BOM and line ends.

        Lines the text shares with the file keep their own line end, so that what no stage
        changed stays byte for byte; other lines take the file's usual one.
        """
        if self.original is not None:
            text = _restore_line_ends(self.original, text, self.newline)
        return "\ufeff" + text if self.bom else text


def decode_text(data: bytes, *, name: str, what: str, wide: bool = False) -> TextFile:
    """Return a file's text and what is needed to write it back alike; see `decode_digest`.

    Raises:
        DigestError: Binary data, invalid UTF-8, or (without `wide`) UTF-16/UTF-32, with the
            line of the first bad byte.
    """
    digest = hashlib.sha256(data).digest()
    for mark, codec, label in _WIDE_BOMS:
        if data.startswith(mark):
            if not wide:
                raise _problem(
                    name,
                    None,
                    f"file is {label} text (it starts with a {label} byte-order "
                    f"mark); save the {what} as UTF-8",
                )
            return TextFile(
                _normalised(_decode_wide(data, codec, label, name, what)), sha256=digest
            )
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        if _looks_like_utf16(data):
            raise _problem(
                name,
                line,
                f"file looks like UTF-16 text without a byte-order mark; save the {what} as UTF-8",
            )
        kind = "a text or JSON digest" if what == "digest" else f"the {what} as UTF-8 text"
        raise _problem(name, line, f"file holds binary data (a NUL byte); give {kind}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _problem(
            name, line, f"not UTF-8 (byte 0x{data[error.start]:02x}); save the {what} as UTF-8"
        ) from error
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    # Without a carriage return both passes change nothing, yet the first scans a 20 MB digest
    # in 20 ms, a third of reading it; looking for the one character takes a tenth of that.
    if "\r" not in text:
        return TextFile(text, bom=bom, sha256=digest)
    return TextFile(_normalised(text), bom=bom, original=text, sha256=digest)


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _decode_wide(data: bytes, codec: str, label: str, name: str, what: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[: error.start].decode(codec, errors="replace").count("\n") + 1
        raise _problem(name, line, f"not valid {label} text; save the {what} as UTF-8") from error
    text = text.removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul != -1:
        line = text.count("\n", 0, nul) + 1
        raise _problem(name, line, f"file holds binary data (a NUL character); give a text {what}")
    return text


def _looks_like_utf16(data: bytes) -> bool:
    """Return whether the bytes read as ASCII text interleaved with NUL bytes (UTF-16)."""
    head = data[:200]
    if len(head) < 4:
        return False
    return any(zeros.count(0) == len(zeros) for zeros in (head[1::2], head[0::2]))


_LINE_END = re.compile(r"(\r\n|\r|\n)")


def _restore_line_ends(original: str, text: str, newline: str) -> str:
    """Return `text` with the line ends its lines had in `original`; new lines take `newline`.

    A file whose line ends are all alike needs only a replace. Otherwise the lines are aligned:
    the stages copy what they do not change in order, so lines that occur once in both texts
    are anchors, and between two anchors the lines are matched from either end.
    """
    crlf = original.count("\r\n")
    if crlf == original.count("\n") == original.count("\r"):
        return text.replace("\n", "\r\n")
    if crlf == 0 and "\n" not in original:
        return text.replace("\n", "\r")
    parts = _LINE_END.split(original)
    old_lines, old_ends = parts[0::2], [*parts[1::2], ""]
    new_lines = text.split("\n")
    ends = [newline] * (len(new_lines) - 1) + [""]

    def keep(old: int, new: int) -> None:
        if new < len(new_lines) - 1 and old_ends[old]:
            ends[new] = old_ends[old]

    seen_old: dict[str, int] = {}
    for number, line in enumerate(old_lines):
        seen_old[line] = -1 if line in seen_old else number
    seen_new: dict[str, int] = {}
    for number, line in enumerate(new_lines):
        seen_new[line] = -1 if line in seen_new else number
    anchors = [(-1, -1)]
    for line, new in sorted(
        ((line, number) for line, number in seen_new.items() if number >= 0),
        key=lambda pair: pair[1],
    ):
        old = seen_old.get(line, -1)
        if old > anchors[-1][0]:
            anchors.append((old, new))
    anchors.append((len(old_lines), len(new_lines)))
    for (old_start, new_start), (old_stop, new_stop) in itertools.pairwise(anchors):
        if old_start >= 0:
            keep(old_start, new_start)
        old, new = old_start + 1, new_start + 1
        while old < old_stop and new < new_stop and old_lines[old] == new_lines[new]:
            keep(old, new)
            old, new = old + 1, new + 1
        back_old, back_new = old_stop - 1, new_stop - 1
        while back_old >= old and back_new >= new and old_lines[back_old] == new_lines[back_new]:
            keep(back_old, back_new)
            back_old, back_new = back_old - 1, back_new - 1
    return "".join(line + end for line, end in zip(new_lines, ends, strict=True))


# --- writing -----------------------------------------------------------------------------------


class ChangedOnDisk(BusyError):
    """A file changed on disk after it was read, so it was not replaced; nothing was lost."""

    def __init__(self, path: Path, written: Sequence[Path] = ()) -> None:
        self.path = path
        super().__init__(
            f"{shown_path(path)}: changed on disk while papershelf worked on it (another program "
            "saved it); it was left as that program wrote it",
            written=[str(done) for done in written],
        )


TEMPORARY_PREFIX = ".papershelf-tmp-"
"""Every temporary file papershelf makes starts so: `.papershelf-tmp-<host>-<pid>-<random>`."""
_HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
_TEMPORARY = re.compile(re.escape(TEMPORARY_PREFIX) + r"([0-9a-f]{8})-([0-9]+)-[0-9a-f]{8}")
_OLD_TEMPORARY = re.compile(r"\..+\.(?:md|bib|json)\.[a-z0-9_]{8}\.tmp")
"""The temporary files of papershelf 0.1 (`tempfile.mkstemp`): `.<page>.md.<8 chars>.tmp`."""
FOREIGN_TEMPORARY_SECONDS = 24 * 60 * 60
"""A temporary file of another machine (a shared folder) is left alone for this long."""
OLD_TEMPORARY_SECONDS = 60 * 60
"""A temporary file of papershelf 0.1 (which names no process) is left alone for this long."""


def temporary_name(pid: int | None = None) -> str:
    """Return a fresh temporary file name that says which machine and process made it."""
    return f"{TEMPORARY_PREFIX}{_HOST}-{os.getpid() if pid is None else pid}-{secrets.token_hex(4)}"


def remove_stale_temporaries(folder: Path, *, now: float | None = None) -> list[Path]:
    """Delete the temporary files that killed runs left in `folder`; return their paths.

    A temporary file of this machine is stale once the process named in it is gone; one of
    another machine, or of papershelf 0.1, once it is old. Files of running processes, and
    every other file, are left alone; a file that cannot be deleted is skipped.
    """
    clock = time.time() if now is None else now
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not name.startswith("."):
            continue
        ours = _TEMPORARY.fullmatch(name)
        path = folder / name
        with contextlib.suppress(OSError):
            if ours is not None and ours[1] == _HOST:
                stale = not _process_alive(int(ours[2]))
            elif ours is not None or _OLD_TEMPORARY.fullmatch(name):
                limit = FOREIGN_TEMPORARY_SECONDS if ours else OLD_TEMPORARY_SECONDS
                stale = path.lstat().st_mtime < clock - limit
            else:
                continue
            if stale and stat.S_ISREG(path.lstat().st_mode):
                path.unlink()
                removed.append(path)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's process, or a number we cannot ask about: keep its file
    return True


def real_path(path: Path) -> Path:
    """Return the file `path` names, symbolic links followed: the file a write must replace."""
    return Path(os.path.realpath(path))


def shown_path(path: Path) -> str:
    """Return `path` as messages show it: relative to the working folder when inside it."""
    with contextlib.suppress(ValueError, OSError):
        relative = os.path.relpath(path)
        if not relative.startswith(".."):
            return relative
    return str(path)


def atomic_write(path: Path, text: str) -> bool:
    """Write text to path through a temporary file and a rename; return False when unchanged.

    A reader never sees a half-written file, and a crash leaves the old file intact.
    """
    return bool(atomic_write_all({path: text}, durable=True))


def atomic_write_all(
    files: Mapping[Path, str],
    *,
    expected: Mapping[Path, bytes | None] | None = None,
    durable: bool = False,
) -> list[Path]:
    """Write several files as `atomic_write` does; return the paths of those that changed.

    Every changed file is first written to a temporary file beside it. One `os.sync` then makes
    them all durable, instead of one `fsync` per file (10,000 new pages spent 5 s in them), and
    only then are they renamed into place, in the order given. An error before the renames (a
    full disk, a folder that cannot be made) removes the temporary files and leaves every file
    as it was; no temporary file is left behind in any case.

    Args:
        files: The text of each file, keyed by the file to replace (a symbolic link is written
            through to its target).
        expected: For the files read first, the SHA-256 of the bytes read, or None when there
            was no file: such a file is replaced (or created) only if it still holds that. A
            file missing here is replaced whatever it holds.
        durable: Flush each file on its own (`fsync`) instead of one `os.sync`: for one file.

    Raises:
        ChangedOnDisk: A file of `expected` holds something else now; it is left as it is.
            Files earlier in `files` may have been written.
        WriteError: A file could not be written; its message names the file and the files
            already replaced, if any.
    """
    checks = expected or {}
    # Without `os.sync` (Windows), each temporary file is flushed to disk on its own.
    one_sync = hasattr(os, "sync") and not durable
    staged: list[tuple[Path, Path, bytes]] = []
    try:
        for path, text in files.items():
            target = real_path(path)
            data = text.encode("utf-8")
            try:
                current = _current(target)
            except OSError as error:
                raise _write_error(path, error, []) from error
            if path in checks and _digest(current) != checks[path]:
                raise ChangedOnDisk(path)
            if current != data:
                staged.append((_stage(target, data, durable=not one_sync, shown=path), path, data))
        if staged and one_sync:
            os.sync()
    except BaseException:
        for temporary, _, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    written: list[Path] = []
    for done, (temporary, path, data) in enumerate(staged):
        try:
            if path in checks:
                _put(temporary, real_path(path), path, checks[path], data)
            else:
                os.replace(temporary, real_path(path))
        except BaseException as error:
            for left, _, _ in staged[done:]:
                left.unlink(missing_ok=True)
            if isinstance(error, ChangedOnDisk) and written:
                raise ChangedOnDisk(error.path, written) from None
            if isinstance(error, KeyboardInterrupt) and written:
                raise WriteInterrupted(written) from error
            if isinstance(error, OSError):
                raise _write_error(path, error, written) from error
            raise
        written.append(path)
    return written


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return b""


def _digest(data: bytes | None) -> bytes | None:
    return None if data is None else hashlib.sha256(data).digest()


def _stage(target: Path, data: bytes, *, durable: bool, shown: Path) -> Path:
    """Return a temporary file beside `target` holding `data`, with `target`'s permissions.

    A new file gets the permissions the umask allows (`0o666 & ~umask`), as any program's.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            existing: os.stat_result | None = target.stat()
        except FileNotFoundError:
            existing = None
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        while True:
            temporary = target.parent / temporary_name()
            try:
                descriptor = os.open(temporary, flags, 0o666)
                break
            except FileExistsError:
                continue
    except OSError as error:
        raise _write_error(shown, error, []) from error
    try:
        with open(descriptor, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
            if (existing.st_uid, existing.st_gid) != _owner(temporary):
                with contextlib.suppress(OSError, AttributeError):
                    os.chown(temporary, existing.st_uid, existing.st_gid)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _write_error(shown, error, []) from error
        raise
    return temporary


def _owner(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_uid, status.st_gid


def _write_error(path: Path, error: OSError, written: list[Path]) -> WriteError:
    """Return the error for a file that could not be written, naming it, never a temporary."""
    shown = shown_path(path)
    reason = error.strerror or str(error)
    where = ""
    # A temporary or lock file that could not be made does not exist: name the target only.
    culprit_name = Path(str(error.filename)).name if error.filename else ""
    if (
        culprit_name
        and not culprit_name.startswith(TEMPORARY_PREFIX)
        and not culprit_name.endswith(_LOCK_SUFFIX)
    ):
        culprit = shown_path(Path(str(error.filename)))
        if culprit != shown:
            where = f" ({culprit})"
    message = f"{shown}: cannot write it: {reason}{where}"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        folder = shown_path(real_path(path).parent)
        message += (
            f"; papershelf writes a new file in {folder} and renames it over the old one, so"
            " that folder must be writable"
        )
    return WriteError(message, written=[str(done) for done in written])


def _put(temporary: Path, target: Path, shown: Path, expected: bytes | None, data: bytes) -> None:
    """Rename `temporary` over `target`, if `target` still holds what `expected` says.

    Raises:
        ChangedOnDisk: `target` changed; it holds what the other program wrote.
    """
    if expected is None:
        # A file that did not exist is created only if it still does not: `link` never replaces.
        try:
            os.link(temporary, target)
        except FileExistsError:
            temporary.unlink(missing_ok=True)
            raise ChangedOnDisk(shown) from None
        except OSError:  # a file system without hard links
            if target.exists():
                temporary.unlink(missing_ok=True)
                raise ChangedOnDisk(shown) from None
            os.replace(temporary, target)
            return
        temporary.unlink(missing_ok=True)
        return
    if not _exchange(temporary, target):
        if _digest(_current(target)) != expected:
            temporary.unlink(missing_ok=True)
            raise ChangedOnDisk(shown)
        os.replace(temporary, target)
        return
    # `temporary` now names the file that was at `target` until this instant.
    if _digest(_current(temporary)) == expected:
        temporary.unlink()
        return
    # Another program saved between the check and the exchange: its file goes back.
    if not _exchange(temporary, target) or _current(temporary) != data:
        kept = target.with_name(f"{target.name}.saved-{secrets.token_hex(4)}")
        os.replace(temporary, kept)
        raise WriteError(
            f"{shown_path(shown)}: another program saved it twice while papershelf wrote it; "
            f"{shown_path(target)} holds the last save and {shown_path(kept)} the one before: "
            "compare them and keep what you need, then run papershelf again"
        )
    temporary.unlink()
    raise ChangedOnDisk(shown)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> Callable[..., int] | None:
    """Return Linux's `renameat2` from the C library, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes.append(ctypes.c_uint)
    function.restype = ctypes.c_int
    return function


_EXCHANGE = _renameat2()


def _exchange(first: Path, second: Path) -> bool:
    """Swap two files atomically; return False where the system or file system cannot.

    A check followed by a rename would replace a save landing between the two; an exchange
    keeps the file it displaces, so that papershelf can look at it and put it back.
    """
    if _EXCHANGE is None:
        return False
    if _EXCHANGE(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE):
        failure = ctypes.get_errno()
        if failure in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
            return False
        raise OSError(failure, os.strerror(failure), str(second))
    return True


# --- the lock ----------------------------------------------------------------------------------


_LOCK_SUFFIX = ".papershelf-lock"


def lock_path(path: Path) -> Path:
    """Return the lock file of a library: beside the file it names, `.<name>.papershelf-lock`."""
    target = real_path(path)
    return target.with_name(f".{target.name}{_LOCK_SUFFIX}")


@contextlib.contextmanager
def locked(
    path: Path,
    *,
    timeout: float,
    notice: Callable[[str], None] = lambda message: None,
    wait_option: str | None = None,
) -> Iterator[None]:
    """Hold the exclusive lock of the file `path` for the length of the block.

    Another papershelf run that holds it is waited for, with one `notice`, up to `timeout`
    seconds; `wait_option` names the setting of that time in the message (`--wait SECONDS`).
    The lock file is deleted on release; a run killed while holding it leaves it, and the
    kernel releases the lock, so the next run takes it at once.

    Raises:
        BusyError: The lock stayed taken for `timeout` seconds.
        WriteError: The lock file cannot be made (the folder is not writable).
    """
    if fcntl is None:
        yield
        return
    lock = lock_path(path)
    deadline = time.monotonic() + timeout
    waiting = False
    while True:
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as error:
            raise _write_error(path, error, []) from error
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            if time.monotonic() >= deadline:
                longer = f", or wait longer with {wait_option}" if wait_option else ""
                raise BusyError(
                    f"{shown_path(path)}: another papershelf run still holds its lock "
                    f"({shown_path(lock)}) after {timeout:g} s; run again when it has "
                    f"finished{longer}"
                ) from None
            if not waiting:
                notice(
                    f"waiting for another papershelf run to finish with {shown_path(path)} "
                    f"(up to {timeout:g} s)"
                )
                waiting = True
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
            continue
        except BaseException:
            os.close(descriptor)
            raise
        # The holder before us deletes the file as it lets go: a lock taken on a file that is
        # no longer at its path guards nothing, so take the one that is there now.
        try:
            same = os.fstat(descriptor).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(descriptor)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(descriptor)


# --- the cache folder ----------------------------------------------------------------------------


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
