"""The command line and the file system, run as a person runs it: `papershelf` in its own process.

Links, line ends, permissions, pipes, devices, leftovers of killed runs, and the errors that must
say what happened (exit status, standard error).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest

from conftest import SAMPLE_DIGEST
from papershelf import files
from papershelf.cli import main
from test_convert import digest_item, write_digest

HAND_ENTRY = """% My own reading list, kept by hand.
@string{neurips = {Advances in Neural Information Processing Systems}}

@inproceedings{vaswani2017attention,
  author    = {Vaswani, Ashish and Shazeer, Noam},
  title     = {Attention Is All You Need},
  booktitle = neurips,
  year      = {2017},
}
"""


def papershelf(
    *arguments: str,
    cwd: Path,
    umask: int | None = None,
    timeout: float = 120,
    code: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `papershelf ARGUMENTS` (or, with `code`, that Python code first) in a new process."""
    command = [sys.executable, "-m", "papershelf", *arguments]
    if code is not None:
        command = [
            sys.executable,
            "-c",
            f"{code}\nimport sys\nfrom papershelf.cli import main\nsys.exit(main(sys.argv[1:]))",
            *arguments,
        ]
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        preexec_fn=None if umask is None else (lambda: os.umask(umask) and None),
    )


def keys_of(text: str) -> list[str]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    return [entry.key for entry in library.entries]


def listing(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a small JSON digest (three papers, full dates) and the sample."""
    (tmp_path / "digests").mkdir()
    write_digest(tmp_path / "digests" / "2025-10-30-three.json", range(1, 4))
    shutil.copy(SAMPLE_DIGEST, tmp_path / "digests" / SAMPLE_DIGEST.name)
    return tmp_path


THREE = "digests/2025-10-30-three.json"


# --- symbolic links -----------------------------------------------------------------------------


def test_a_symlinked_library_is_written_through_the_link(project: Path) -> None:
    (project / "Dropbox").mkdir()
    (project / "Dropbox" / "library.bib").write_text(HAND_ENTRY, encoding="utf-8")
    (project / "bib").mkdir()
    (project / "bib" / "papers.bib").symlink_to(Path("..") / "Dropbox" / "library.bib")
    done = papershelf("convert", THREE, "--bib", "bib/papers.bib", "--no-pages", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "bib/papers.bib written" in done.stdout
    assert (project / "bib" / "papers.bib").is_symlink()
    text = (project / "Dropbox" / "library.bib").read_text(encoding="utf-8")
    assert text.startswith(HAND_ENTRY)
    assert len(keys_of(text)) == 4
    # No temporary file and no lock file stays behind, in either folder.
    assert listing(project / "bib") == ["papers.bib"]
    assert listing(project / "Dropbox") == ["library.bib"]
    again = papershelf("convert", THREE, "--bib", "bib/papers.bib", "--no-pages", cwd=project)
    assert "bib/papers.bib unchanged" in again.stdout


def test_a_page_linked_inside_the_pages_folder_is_written_through(project: Path) -> None:
    assert papershelf("convert", THREE, "--bib", "papers.bib", cwd=project).returncode == 0
    pages = project / "docs" / "papers"
    page = next(pages.glob("*.md"))
    (pages / "kept").mkdir()
    page.rename(pages / "kept" / page.name)
    page.symlink_to(Path("kept") / page.name)
    write_digest(project / "digests" / "2025-10-31-three.json", range(1, 4), upvotes=77)
    done = papershelf(
        "convert", "digests/2025-10-31-three.json", "--bib", "papers.bib", cwd=project
    )
    assert done.returncode == 0, done.stderr
    assert page.is_symlink()
    assert "77 upvotes" in (pages / "kept" / page.name).read_text(encoding="utf-8")
    assert listing(pages / "kept") == [page.name]


def test_a_page_linked_outside_the_pages_folder_stops_the_run(project: Path) -> None:
    assert papershelf("convert", THREE, "--bib", "papers.bib", cwd=project).returncode == 0
    library = (project / "papers.bib").read_bytes()
    outside = project / "elsewhere.md"
    outside.write_text("somebody else's file\n", encoding="utf-8")
    page = next((project / "docs" / "papers").glob("*.md"))
    page.unlink()
    page.symlink_to(Path("..") / ".." / "elsewhere.md")
    write_digest(project / "digests" / "2025-10-31-three.json", range(1, 5), upvotes=77)
    done = papershelf(
        "convert", "digests/2025-10-31-three.json", "--bib", "papers.bib", cwd=project
    )
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"error: docs/papers/{page.name}: is a link to {outside}, outside docs/papers; "
    ), done.stderr
    assert done.stderr.endswith("nothing was written.\n")
    assert "Traceback" not in done.stderr
    assert outside.read_text(encoding="utf-8") == "somebody else's file\n"
    assert (project / "papers.bib").read_bytes() == library


# --- line ends and byte-order marks -------------------------------------------------------------


def test_a_crlf_library_with_a_bom_keeps_both(project: Path) -> None:
    original = ("\ufeff" + HAND_ENTRY.replace("\n", "\r\n")).encode("utf-8")
    (project / "papers.bib").write_bytes(original)
    done = papershelf("convert", THREE, "--bib", "papers.bib", "--no-pages", cwd=project)
    assert done.returncode == 0, done.stderr
    data = (project / "papers.bib").read_bytes()
    assert data.startswith(original)  # every untouched byte, the BOM and the CRs included
    assert data.count(b"\n") == data.count(b"\r\n") > original.count(b"\n")
    assert b"\r\r" not in data
    text = data.decode("utf-8-sig")
    assert len(keys_of(text)) == 4


def test_mixed_line_ends_stay_as_they_are_and_new_lines_take_the_usual_one(project: Path) -> None:
    lf_entry = "@misc{kept,\n  title = {Kept as it is},\n  year = {2020},\n}\n"
    known = json.loads((project / THREE).read_text(encoding="utf-8"))[0]["paper"]
    crlf_entry = (
        f"@misc{{known,\r\n  title = {{Known}},\r\n  eprint = {{{known['id']}}},\r\n"
        "  eprinttype = {arxiv},\r\n}\r\n"
    )
    original = f"{lf_entry}\r\n{crlf_entry}\r\n% the end, CRLF like most lines\r\n"
    (project / "papers.bib").write_bytes(original.encode("utf-8"))
    done = papershelf("convert", THREE, "--bib", "papers.bib", "--no-pages", cwd=project)
    assert done.returncode == 0, done.stderr
    text = (project / "papers.bib").read_bytes().decode("utf-8")
    assert "updated: known" in done.stdout
    assert text.startswith(lf_entry + "\r\n@misc{known,\r\n")
    assert "\r\n% the end, CRLF like most lines\r\n" in text
    rest = text.split("% the end, CRLF like most lines\r\n", 1)[1]
    assert rest.count("\n") == rest.count("\r\n") > 10  # new entries take CRLF


def test_a_page_with_windows_line_ends_and_a_bom_keeps_its_notes_and_bom(project: Path) -> None:
    assert papershelf("convert", THREE, "--bib", "papers.bib", cwd=project).returncode == 0
    page = next((project / "docs" / "papers").glob("*.md"))
    text = page.read_text(encoding="utf-8")
    text = text.replace(
        "<!-- papershelf:notes:start -->\n\n", "<!-- papershelf:notes:start -->\nMy note.\n\n"
    )
    page.write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
    write_digest(project / "digests" / "2025-10-31-three.json", range(1, 4), upvotes=77)
    done = papershelf(
        "convert", "digests/2025-10-31-three.json", "--bib", "papers.bib", cwd=project
    )
    assert done.returncode == 0, done.stderr
    data = page.read_bytes()
    assert b"77 upvotes" in data
    assert data.startswith(b"\xef\xbb\xbf---")
    assert b"<!-- papershelf:notes:start -->\r\nMy note.\r\n\r\n" in data


# --- errors that say what happened --------------------------------------------------------------


def test_a_closed_output_does_not_deny_the_written_library(project: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "papershelf", "convert", THREE, "--bib", "papers.bib"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as run:
        assert run.stdout is not None
        assert run.stderr is not None
        run.stdout.close()  # like `| head -1` that has read its line, before papershelf prints
        error = run.stderr.read()
        assert run.wait(timeout=120) == 0, error
    assert error == ""
    assert len(keys_of((project / "papers.bib").read_text(encoding="utf-8"))) == 3


def test_a_folder_that_cannot_be_written_is_named_not_a_temporary_file(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As root, permissions do not stop a write; the folder refuses every new file instead.
    (project / "bib").mkdir()
    (project / "bib" / "papers.bib").write_text(HAND_ENTRY, encoding="utf-8")
    real_open = os.open
    folder = str(project / "bib")

    def read_only_folder(path: str, flags: int, mode: int = 0o777, **kwargs: object) -> int:
        if flags & os.O_CREAT and os.path.dirname(os.path.abspath(path)) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.chdir(project)
    monkeypatch.setattr(os, "open", read_only_folder)
    assert main(["convert", THREE, "--bib", "bib/papers.bib", "--no-pages"]) == 1
    error = capsys.readouterr().err
    assert error == (
        "error: bib/papers.bib: cannot write it: Permission denied; papershelf writes a new file"
        " in bib and renames it over the old one, so that folder must be writable\n"
        "nothing was written.\n"
    )
    assert (project / "bib" / "papers.bib").read_text(encoding="utf-8") == HAND_ENTRY


def test_the_next_run_removes_the_temporary_files_of_killed_runs(project: Path) -> None:
    pages = project / "docs" / "papers"
    pages.mkdir(parents=True)
    # A run killed while writing: its process is gone, its temporary files are not.
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys\nfrom pathlib import Path\nfrom papershelf import files\n"
            "os.replace = lambda *a: os._exit(9)\n"
            "files.atomic_write_all({Path(p): 'half\\n' for p in sys.argv[1:]})",
            str(project / "papers.bib"),
            *(str(pages / f"page{n}.md") for n in range(3)),
        ],
        check=False,
    )
    assert killed.returncode == 9
    left = [path.name for path in (*project.iterdir(), *pages.iterdir())]
    assert len([name for name in left if name.startswith(files.TEMPORARY_PREFIX)]) == 4
    day = 24 * 60 * 60
    aged = {
        # papershelf 0.1 named its temporary files after the target, with no process
        ".old2024paper.md.k2j4_x9a.tmp": 2 * 60 * 60,
        ".fresh2024paper.md.a1b2c3d4.tmp": 60,
        # a run on another machine sharing the folder
        f"{files.TEMPORARY_PREFIX}0badc0de-4242-0123abcd": 2 * day,
        f"{files.TEMPORARY_PREFIX}0badc0de-4243-4567abcd": 60,
        # this test's own process is alive: its file is in use
        files.temporary_name(): 2 * day,
        # a file of the person's
        ".my-notes.md.bak.tmp": 2 * day,
    }
    for name, age in aged.items():
        (pages / name).write_text("x\n", encoding="utf-8")
        os.utime(pages / name, (os.path.getmtime(pages) - age,) * 2)
    done = papershelf("convert", THREE, "--bib", "papers.bib", cwd=project)
    assert done.returncode == 0, done.stderr
    assert listing(project) == ["digests", "docs", "papers.bib"]
    kept = {name for name in listing(pages) if name.startswith(".")}
    assert kept == {
        ".fresh2024paper.md.a1b2c3d4.tmp",
        f"{files.TEMPORARY_PREFIX}0badc0de-4243-4567abcd",
        next(name for name in aged if name.endswith(f"-{os.getpid()}-" + name[-8:])),
        ".my-notes.md.bak.tmp",
    }


@pytest.mark.parametrize(
    ("umask", "mode"),
    [pytest.param(0o022, 0o644, id="umask-022"), pytest.param(0o027, 0o640, id="umask-027")],
)
def test_new_files_take_the_umask_and_replaced_files_keep_their_mode(
    project: Path, umask: int, mode: int
) -> None:
    done = papershelf("convert", THREE, "--bib", "papers.bib", cwd=project, umask=umask)
    assert done.returncode == 0, done.stderr
    page = next((project / "docs" / "papers").glob("*.md"))
    assert stat.S_IMODE((project / "papers.bib").stat().st_mode) == mode
    assert stat.S_IMODE(page.stat().st_mode) == mode
    os.chmod(project / "papers.bib", 0o604)
    write_digest(project / "digests" / "2025-10-31-three.json", range(1, 5))
    again = papershelf(
        "convert", "digests/2025-10-31-three.json", "--bib", "papers.bib", cwd=project, umask=umask
    )
    assert "1 added" in again.stdout
    assert stat.S_IMODE((project / "papers.bib").stat().st_mode) == 0o604


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be"])
def test_a_wide_unicode_digest_with_a_bom_reads_as_its_utf8_twin(
    project: Path, encoding: str
) -> None:
    text = SAMPLE_DIGEST.read_text(encoding="utf-8")
    name = f"digests/{SAMPLE_DIGEST.stem}-wide.txt"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (project / name).write_bytes(data)
    wide = papershelf("convert", name, "--bib", "wide.bib", "--no-pages", cwd=project)
    assert wide.returncode == 0, wide.stderr
    narrow = papershelf(
        "convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "narrow.bib", "--no-pages", cwd=project
    )
    assert narrow.returncode == 0
    assert wide.stdout.startswith("42 papers read: 42 added")
    assert (project / "wide.bib").read_bytes() == (project / "narrow.bib").read_bytes()


def test_utf16_without_a_bom_is_named_as_such(project: Path) -> None:
    (project / "digests" / "2025-10-30-u16.txt").write_bytes("Title\nabc\n".encode("utf-16-le"))
    done = papershelf("convert", "digests/2025-10-30-u16.txt", "--bib", "p.bib", cwd=project)
    assert done.returncode == 1
    assert done.stderr == (
        "error: digests/2025-10-30-u16.txt:1: file looks like UTF-16 text without a byte-order "
        "mark; save the digest as UTF-8\nnothing was written.\n"
    )


def test_a_page_that_is_not_utf8_is_called_a_page(project: Path) -> None:
    assert papershelf("convert", THREE, "--bib", "papers.bib", cwd=project).returncode == 0
    page = next((project / "docs" / "papers").glob("*.md"))
    page.write_bytes(b"---\ntitle: x\n---\ncaf\xe9\n")
    done = papershelf("pages", "--bib", "papers.bib", cwd=project)
    assert done.returncode == 1
    assert done.stderr == (
        f"error: docs/papers/{page.name}:4: not UTF-8 (byte 0xe9); save the page as UTF-8\n"
        "nothing was written.\n"
    )


def test_a_file_name_date_that_is_no_day_is_an_error_unless_date_is_given(project: Path) -> None:
    name = "digests/2025-02-30-three.json"
    shutil.copy(project / THREE, project / name)
    done = papershelf("convert", name, "--bib", "p.bib", cwd=project)
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"error: {name}: '2025-02-30' in the file name is not a date; rename the file with the "
        "digest's real date, or pass --date YYYY-MM-DD\n"
    ), done.stderr
    assert not (project / "p.bib").exists()
    given = papershelf("convert", name, "--bib", "p.bib", "--date", "2025-03-01", cwd=project)
    assert given.returncode == 0, given.stderr


# --- what used to end in a traceback, or never end -----------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ["convert", "/dev/zero", "--bib", "p.bib"],
            "error: /dev/zero: is a character device, not a file; give a digest file\n",
            id="digest-dev-zero",
        ),
        pytest.param(
            ["convert", THREE, "--bib", "/dev/zero"],
            "error: /dev/zero: is a character device, not a file; give a library file\n",
            id="library-dev-zero",
        ),
        pytest.param(
            ["convert", THREE, "--bib", "fifo"],
            "error: fifo: is a named pipe (FIFO), not a file; the library is read and "
            "rewritten, so it must be a regular file\n",
            id="library-fifo",
        ),
        pytest.param(
            ["convert", THREE, "--bib", "digests"],
            "error: digests: is a folder, not a file; give a library file\n",
            id="library-folder",
        ),
    ],
)
def test_devices_pipes_and_folders_are_refused_at_once(
    project: Path, arguments: list[str], message: str
) -> None:
    os.mkfifo(project / "fifo")
    done = papershelf(*arguments, cwd=project, timeout=30)
    assert done.returncode == 1
    assert done.stderr == message + "nothing was written.\n"


def test_a_digest_through_a_pipe_is_read_and_a_silent_pipe_is_given_up(project: Path) -> None:
    fifo = project / "digests" / "2025-10-30-pipe.json"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"sleep 1; cat {project / THREE} > {fifo}"], cwd=project)
    done = papershelf("convert", str(fifo), "--bib", "p.bib", "--no-pages", cwd=project, timeout=60)
    writer.wait(timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("3 papers read: 3 added")
    silent = papershelf(
        "convert",
        str(fifo),
        "--bib",
        "q.bib",
        cwd=project,
        timeout=30,
        code="import papershelf.files\npapershelf.files.PIPE_WAIT_SECONDS = 0.5",
    )
    assert silent.returncode == 1
    assert silent.stderr == (
        f"error: {fifo}: is a named pipe and nothing arrived through it in 0.5 s; start the "
        "program that writes into it, or give a file\nnothing was written.\n"
    )


def test_a_library_over_the_limit_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    (project / "papers.bib").write_text(HAND_ENTRY, encoding="utf-8")
    monkeypatch.setattr("papershelf.convert.MAX_LIBRARY_BYTES", 100)
    assert main(["convert", THREE, "--bib", "papers.bib"]) == 1
    assert capsys.readouterr().err == (
        "error: papers.bib: file is larger than 0 MiB, the most papershelf reads as a library; "
        "split it into smaller files\nnothing was written.\n"
    )


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["write", "dry-run"])
def test_a_lone_surrogate_in_a_json_digest_is_a_digest_error(
    project: Path, dry_run: list[str]
) -> None:
    items = [digest_item(1), digest_item(2)]
    items[1]["paper"]["title"] = "Broken \ud800 title"  # type: ignore[index]
    name = "digests/2025-10-30-surrogate.json"
    (project / name).write_text(json.dumps(items), encoding="utf-8")
    done = papershelf("convert", name, "--bib", "p.bib", *dry_run, cwd=project)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"error: {name}:")
    assert lines[0].endswith(
        ": the title holds \\ud800, half of a UTF-16 surrogate pair, which is no character; fix "
        "or remove that escape in the digest"
    )
    assert lines[1:] == ["nothing was written."]
    assert not (project / "p.bib").exists()


def test_pages_from_two_paths_to_one_library_take_its_lock_once(project: Path) -> None:
    assert papershelf("convert", THREE, "--bib", "papers.bib", cwd=project).returncode == 0
    (project / "link.bib").symlink_to("papers.bib")
    done = papershelf(
        "pages", "--bib", "papers.bib", "--bib", "link.bib", "--wait", "1", cwd=project
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no wait for itself
    assert done.stdout.startswith("3 pages in docs/papers: ")


def test_site_keeps_a_pages_bom_and_refuses_a_page_linked_outside(project: Path) -> None:
    assert papershelf("convert", THREE, "--bib", "papers.bib", cwd=project).returncode == 0
    pages = sorted((project / "docs" / "papers").glob("*.md"))
    marked = b"\xef\xbb\xbf" + pages[0].read_bytes()
    pages[0].write_bytes(marked)
    done = papershelf("site", "--bib", "papers.bib", cwd=project)
    assert done.returncode == 0, done.stderr
    assert pages[0].read_bytes() == marked
    (project / "elsewhere.md").write_text("not a page\n", encoding="utf-8")
    pages[1].unlink()
    pages[1].symlink_to(Path("..") / ".." / "elsewhere.md")
    refused = papershelf("site", "--bib", "papers.bib", cwd=project)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        f"error: docs/papers/{pages[1].name}: is a link to {project / 'elsewhere.md'}, outside "
        "docs/papers; "
    ), refused.stderr
    assert (project / "elsewhere.md").read_text(encoding="utf-8") == "not a page\n"
