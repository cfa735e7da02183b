"""The file-system edge: safe digest reading and atomic writes."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from papershelf import DigestError, OutputError
from papershelf.errors import WriteError
from papershelf.files import (
    CACHE_DAYS,
    atomic_write,
    atomic_write_all,
    cache_dir,
    cache_file,
    decode_digest,
    decode_text,
    inside,
    prune_cache,
    read_digest,
    remove_stale_temporaries,
    temporary_name,
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"title\n\x00\x01\x02", "d.txt:2: file holds binary data", id="nul-byte"),
        pytest.param(
            b"ok\nok\n\xff\xfe broken", "d.txt:3: not UTF-8 (byte 0xff)", id="latin1-byte"
        ),
    ],
)
def test_binary_or_non_utf8_digests_are_refused_with_a_line(data: bytes, message: str) -> None:
    with pytest.raises(DigestError) as caught:
        decode_digest(data, name="d.txt")
    assert str(caught.value).startswith(message)


def test_bom_and_crlf_are_normalised() -> None:
    assert decode_digest("\ufeffa\r\nb\rc".encode(), name="d") == "a\nb\nc"


def test_missing_digest_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match=r"nope\.txt: cannot read the file"):
        read_digest(tmp_path / "nope.txt", name="nope.txt")


def test_atomic_write_reports_unchanged_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "papers.bib"
    assert atomic_write(target, "one\n") is True
    os.chmod(target, 0o640)
    assert atomic_write(target, "one\n") is False
    assert atomic_write(target, "two\n") is True
    assert target.read_text() == "two\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["papers.bib"]


def test_atomic_write_all_writes_the_changed_files_with_one_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    same, changed, new = tmp_path / "same.md", tmp_path / "changed.md", tmp_path / "n" / "new.md"
    same.write_text("same\n")
    changed.write_text("old\n")
    os.chmod(changed, 0o640)
    syncs: list[None] = []

    def no_fsync(descriptor: int) -> None:
        raise AssertionError("one os.sync, not an fsync per file")

    monkeypatch.setattr(os, "fsync", no_fsync)
    monkeypatch.setattr(os, "sync", lambda: syncs.append(None))
    files = {same: "same\n", changed: "new\n", new: "a page\n"}
    assert atomic_write_all(files) == [changed, new]
    assert len(syncs) == 1
    assert [path.read_text() for path in files] == ["same\n", "new\n", "a page\n"]
    assert changed.stat().st_mode & 0o777 == 0o640
    assert sorted(path.name for path in tmp_path.rglob("*")) == [
        "changed.md",
        "n",
        "new.md",
        "same.md",
    ]
    assert atomic_write_all(files) == []
    assert len(syncs) == 1  # nothing to write, nothing to flush


def test_atomic_write_all_changes_nothing_when_a_file_cannot_be_written(tmp_path: Path) -> None:
    first, blocked = tmp_path / "first.md", tmp_path / "blocker" / "page.md"
    first.write_text("old\n")
    (tmp_path / "blocker").write_text("a file where a folder should be\n")
    with pytest.raises(WriteError, match=r"blocker/page\.md: cannot write it: Not a directory"):
        atomic_write_all({first: "new\n", blocked: "text\n"})
    assert first.read_text() == "old\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["blocker", "first.md"]


@pytest.mark.parametrize("relative", ["../escape.md", "/etc/passwd", "a/../../b.md"])
def test_inside_refuses_paths_that_leave_the_folder(tmp_path: Path, relative: str) -> None:
    with pytest.raises(OutputError, match="lies outside"):
        inside(tmp_path, relative)


def test_inside_accepts_a_plain_key(tmp_path: Path) -> None:
    assert inside(tmp_path, "cheng2024breaking.md") == (tmp_path / "cheng2024breaking.md").resolve()


@pytest.mark.parametrize("dangling", [False, True])
def test_inside_refuses_a_link_that_leads_out_of_the_folder(tmp_path: Path, dangling: bool) -> None:
    folder, secret = tmp_path / "pages", tmp_path / "secret.txt"
    folder.mkdir()
    if not dangling:
        secret.write_text("private\n", encoding="utf-8")
    (folder / "x.md").symlink_to(secret)
    with pytest.raises(OutputError) as raised:
        inside(folder, "x.md")
    assert str(raised.value) == (
        f"{folder}/x.md: is a link to {secret}, outside {folder}; papershelf neither reads nor "
        f"writes through it: remove the link, or make it name a file inside {folder}"
    )


def test_inside_follows_a_link_that_stays_in_the_folder(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "y.md").write_text("page\n", encoding="utf-8")
    (tmp_path / "x.md").symlink_to(tmp_path / "real" / "y.md")
    assert inside(tmp_path, "x.md") == (tmp_path / "real" / "y.md").resolve()


def test_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERSHELF_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("PAPERSHELF_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "papershelf"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "papershelf"


def test_each_library_path_has_its_own_cache_file(tmp_path: Path) -> None:
    one = cache_file(tmp_path, tmp_path / "a" / "papers.bib")
    other = cache_file(tmp_path, tmp_path / "b" / "papers.bib")
    assert one.parent == other.parent == tmp_path
    assert one != other
    assert one == cache_file(tmp_path, tmp_path / "a" / ".." / "a" / "papers.bib")


def test_prune_cache_deletes_only_long_unused_indexes(tmp_path: Path) -> None:
    day = 24 * 60 * 60
    now = 2_000_000_000.0
    old = cache_file(tmp_path, tmp_path / "old.bib")
    recent = cache_file(tmp_path, tmp_path / "recent.bib")
    stranger = tmp_path / "index-notours.json"
    for path, age in ((old, CACHE_DAYS + 1), (recent, CACHE_DAYS - 1), (stranger, 1000)):
        path.write_text("{}", encoding="utf-8")
        os.utime(path, (now - age * day, now - age * day))
    assert prune_cache(tmp_path, now=now) == [old]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([recent.name, stranger.name])
    assert prune_cache(tmp_path / "missing", now=now) == []


@pytest.mark.parametrize(
    ("original", "changed", "written"),
    [
        pytest.param(b"a\nb\n", "a\nb\nc\n", b"a\nb\nc\n", id="lf"),
        pytest.param(b"a\r\nb\r\n", "a\nx\nb\nc\n", b"a\r\nx\r\nb\r\nc\r\n", id="crlf"),
        pytest.param(b"a\rb\r", "a\nb\nc\n", b"a\rb\rc\r", id="old-mac-cr"),
        pytest.param(
            b"lf\ncrlf\r\nlf2\ncrlf2\r\nend\r\n",
            "lf\ncrlf\nnew\nlf2\ncrlf2\nend\nmore\n",
            b"lf\ncrlf\r\nnew\r\nlf2\ncrlf2\r\nend\r\nmore\r\n",
            id="mixed-each-line-keeps-its-own",
        ),
        pytest.param(
            b"\xef\xbb\xbfa\r\nb\r\n", "a\nb\nc\n", b"\xef\xbb\xbfa\r\nb\r\nc\r\n", id="bom-kept"
        ),
        pytest.param(b"a\r\nb", "a\nb\nc", b"a\r\nb\r\nc", id="no-final-line-end"),
        pytest.param(
            b"}\n\n}\r\n\r\nx\n", "}\n\n}\n\nx\ny\n", b"}\n\n}\r\n\r\nx\ny\n", id="repeated-lines"
        ),
    ],
)
def test_a_rewritten_file_keeps_its_line_ends_and_bom(
    original: bytes, changed: str, written: bytes
) -> None:
    read = decode_text(original, name="f.bib", what="library")
    assert read.text == original.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    assert read.written(changed).encode("utf-8") == written


def test_mixed_line_ends_of_a_large_library_are_restored_quickly() -> None:
    # Every fourth entry was pasted with LF into a library JabRef writes with CRLF.
    entries = [
        f"@misc{{k{n},\n  title = {{T {n}}},\n  year = {{2020}},\n}}\n" for n in range(20_000)
    ]
    original = "\r\n".join(
        e if n % 4 == 0 else e.replace("\n", "\r\n") for n, e in enumerate(entries)
    )
    read = decode_text(original.encode("utf-8"), name="f.bib", what="library")
    changed = read.text.replace("{T 7}", "{T seven}") + "@misc{new,\n}\n"
    began = time.perf_counter()
    out = read.written(changed)
    assert time.perf_counter() - began < 2.0
    assert out == original.replace("{T 7}", "{T seven}") + "@misc{new,\r\n}\r\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            "\ufeffx".encode("utf-16"),
            "f.bib: file is UTF-16 text (it starts with a UTF-16 byte-order mark); save the "
            "library as UTF-8",
            id="utf16-library",
        ),
        pytest.param(
            b"a\nb\x00",
            "f.bib:2: file holds binary data (a NUL byte); give the library as UTF-8 text",
            id="nul",
        ),
        pytest.param(
            b"ok\n\xe9", "f.bib:2: not UTF-8 (byte 0xe9); save the library as UTF-8", id="latin1"
        ),
    ],
)
def test_a_library_that_is_no_utf8_text_is_named_so(data: bytes, message: str) -> None:
    with pytest.raises(DigestError) as caught:
        decode_text(data, name="f.bib", what="library")
    assert str(caught.value) == message


def test_a_wide_digest_with_a_nul_character_is_binary() -> None:
    with pytest.raises(DigestError, match=r"^d:2: file holds binary data \(a NUL character\)"):
        decode_digest("a\nb\x00".encode("utf-16"), name="d")


def test_stale_temporaries_of_this_machine_go_once_their_process_is_gone(tmp_path: Path) -> None:
    child = subprocess.Popen(["true"])
    child.wait()
    gone, alive = temporary_name(pid=child.pid), temporary_name()
    for name in (gone, alive, "papers.bib", ".papers.bib.papershelf-lock"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert remove_stale_temporaries(tmp_path) == [tmp_path / gone]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [alive, "papers.bib", ".papers.bib.papershelf-lock"]
    )
