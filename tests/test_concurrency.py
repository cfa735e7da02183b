"""Runs at once and saves meanwhile: nobody's change to the library is lost.

Two `convert` runs into one library take turns through its lock; a program that does not take
the lock (JabRef, an editor) may save at any moment, and its save is merged, never overwritten.
"""

from __future__ import annotations

import fcntl
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import bibtexparser
import pytest

from conftest import ROOT
from papershelf import convert as convert_module
from papershelf import files
from papershelf.cli import main
from papershelf.convert import convert_digests
from test_convert import write_digest

PERSON = "@misc{{person{n},\n  title = {{Saved by a person {n}}},\n  year = {{2021}},\n}}\n"


def hand_library(count: int) -> str:
    """Return a library of `count` entries a person wrote, in JabRef's shape."""
    return "".join(
        f"@misc{{hand{n},\n  author = {{Writer, Ann{n}}},\n  title = {{A hand entry {n}}},\n"
        f"  year = {{2020}},\n}}\n\n"
        for n in range(count)
    )


def save_by_rename(bib: Path, entry: str) -> None:
    """Add an entry the way most editors save: a new file renamed over the old one."""
    while True:
        before = bib.read_bytes()
        temporary = bib.with_name(f".editor-{threading.get_ident()}.tmp")
        temporary.write_bytes(before + b"\n" + entry.encode("utf-8"))
        # A careful editor, like papershelf, replaces only the file it read.
        if bib.read_bytes() == before:
            os.replace(temporary, bib)
            return


def save_in_place(bib: Path, entry: str) -> None:
    """Add an entry the way some editors save: the file truncated and written again."""
    before = bib.read_bytes()
    with bib.open("wb") as stream:
        stream.write(before + b"\n" + entry.encode("utf-8"))


SAVES = [
    pytest.param(save_by_rename, id="rename"),
    pytest.param(save_in_place, id="in-place"),
]


def library_keys(bib: Path) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(bib.read_text(encoding="utf-8"))
    assert not library.failed_blocks
    return {entry.key: {f.key: str(f.value) for f in entry.fields} for entry in library.entries}


def arxiv_ids(bib: Path) -> set[str]:
    return {fields["eprint"] for fields in library_keys(bib).values() if "eprint" in fields}


@pytest.fixture
def saving_during_merge(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make the next merges save the library first, as a person would in the middle of a run."""
    real = convert_module.merge_into_library

    def arrange(save: Callable[[Path, str], None], bib: Path, times: int) -> None:
        calls = iter(range(times))

        def merge(*arguments: object, **options: object) -> object:
            number = next(calls, None)
            if number is not None:
                save(bib, PERSON.format(n=number))
            return real(*arguments, **options)  # type: ignore[arg-type]

        monkeypatch.setattr(convert_module, "merge_into_library", merge)

    return arrange


@pytest.mark.parametrize("save", SAVES)
def test_a_save_during_the_merge_is_merged_again(
    tmp_path: Path, save: Callable[[Path, str], None], saving_during_merge: Callable[..., None]
) -> None:
    bib = tmp_path / "papers.bib"
    bib.write_text(hand_library(3), encoding="utf-8")
    digest = write_digest(tmp_path / "2025-10-30.json", range(1, 6))
    saving_during_merge(save, bib, 1)
    notices: list[str] = []
    report = convert_digests([digest], bib, pages_dir=tmp_path / "pages", notice=notices.append)
    assert report.library_written
    keys = library_keys(bib)
    assert {"hand0", "hand1", "hand2", "person0"} <= set(keys)
    assert arxiv_ids(bib) == {f"2510.{n:05d}" for n in range(1, 6)}
    assert notices == [
        f"{bib}: changed on disk while papershelf worked on it (another program saved it); it was"
        " left as that program wrote it; reading it again and merging again"
    ]
    assert sorted(path.stem for path in (tmp_path / "pages").glob("*.md")) == sorted(keys)


def test_a_library_that_keeps_changing_stops_the_run_and_keeps_every_save(
    tmp_path: Path,
    saving_during_merge: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    bib = tmp_path / "papers.bib"
    bib.write_text(hand_library(2), encoding="utf-8")
    write_digest(tmp_path / "2025-10-30.json", range(1, 4))
    saving_during_merge(save_by_rename, bib, 100)
    assert main(["convert", "2025-10-30.json", "--bib", "papers.bib", "--no-pages"]) == 75
    error = capsys.readouterr().err
    assert error.count("papershelf: papers.bib: changed on disk while papershelf worked") == 3
    assert (
        "error: papers.bib or its pages changed on disk 4 times while papershelf merged into "
        "them: another program keeps saving them. Nothing of theirs was overwritten; run again "
        "when it is quiet\nnothing was written.\n"
    ) in error
    keys = set(library_keys(bib))
    assert keys == {"hand0", "hand1", "person0", "person1", "person2", "person3"}


@pytest.mark.skipif(getattr(files, "_EXCHANGE", True) is None, reason="renameat2 is Linux only")
@pytest.mark.parametrize("save", SAVES)
def test_a_save_at_the_very_moment_of_the_rename_is_put_back(
    tmp_path: Path, save: Callable[[Path, str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    bib = tmp_path / "papers.bib"
    bib.write_text(hand_library(2), encoding="utf-8")
    digest = write_digest(tmp_path / "2025-10-30.json", range(1, 4))
    real = files._exchange
    saved: list[bool] = []

    def exchange(first: Path, second: Path) -> bool:
        if not saved and second.name == "papers.bib":
            save(bib, PERSON.format(n=0))  # after the last check, before the exchange
            saved.append(True)
        return real(first, second)

    monkeypatch.setattr(files, "_exchange", exchange)
    convert_digests([digest], bib, pages_dir=None)
    assert saved == [True]
    assert {"hand0", "hand1", "person0"} <= set(library_keys(bib))
    assert arxiv_ids(bib) == {"2510.00001", "2510.00002", "2510.00003"}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["2025-10-30.json", "papers.bib"]


def papershelf(*arguments: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "papershelf", *arguments],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def test_a_second_run_waits_for_the_lock_and_gives_up_after_wait(tmp_path: Path) -> None:
    bib = tmp_path / "papers.bib"
    bib.write_text(hand_library(2), encoding="utf-8")
    write_digest(tmp_path / "2025-10-30.json", range(1, 4))
    lock = os.open(files.lock_path(bib), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        arguments = ("convert", "2025-10-30.json", "--bib", "papers.bib", "--no-pages")
        with papershelf(*arguments, "--wait", "0.5", cwd=tmp_path) as impatient:
            out, error = impatient.communicate(timeout=60)
        assert impatient.returncode == 75
        assert out == ""
        assert error == (
            "papershelf: waiting for another papershelf run to finish with papers.bib (up to "
            "0.5 s)\nerror: papers.bib: another papershelf run still holds its lock "
            "(.papers.bib.papershelf-lock) after 0.5 s; run again when it has finished, or wait "
            "longer with --wait SECONDS\nnothing was written.\n"
        )
        assert bib.read_text(encoding="utf-8") == hand_library(2)
        with papershelf(*arguments, "--wait", "60", cwd=tmp_path) as patient:
            assert patient.stderr is not None
            # Once it says it waits (a busy machine takes seconds to start it), let it go.
            waiting = patient.stderr.readline()
            assert patient.poll() is None  # still waiting
            files.lock_path(bib).unlink()
            os.close(lock)
            lock = -1
            out, error = patient.communicate(timeout=60)
        assert patient.returncode == 0, error
        assert waiting + error == (
            "papershelf: waiting for another papershelf run to finish with papers.bib (up to "
            "60 s)\n"
        )
        assert out.startswith("3 papers read: 3 added")
    finally:
        if lock != -1:
            os.close(lock)
    assert arxiv_ids(bib) == {"2510.00001", "2510.00002", "2510.00003"}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["2025-10-30.json", "papers.bib"]


@pytest.mark.slow
def test_two_runs_and_a_person_saving_meanwhile_lose_nothing(tmp_path: Path) -> None:
    """20 trials: two converts started together into a 2,000-entry library, each adding its own
    papers, and a person saving an entry at a random moment (by rename, or in place)."""
    rng = random.Random(20261202)
    library = hand_library(2000)
    first = write_digest(tmp_path / "2025-10-30-first.json", range(1, 21))
    second = write_digest(tmp_path / "2025-10-30-second.json", range(101, 121))
    expected_ids = {f"2510.{n:05d}" for n in (*range(1, 21), *range(101, 121))}
    raced = 0
    for trial in range(20):
        folder = tmp_path / f"trial{trial}"
        folder.mkdir()
        bib = folder / "papers.bib"
        bib.write_text(library, encoding="utf-8")
        save = save_by_rename if trial % 2 == 0 else save_in_place
        runs = [
            papershelf("convert", str(digest), "--bib", "papers.bib", "--no-pages", cwd=folder)
            for digest in (first, second)
        ]
        # The person saves while a run reads, merges or writes: once one holds the lock (a run
        # takes seconds to start on a busy machine), at a random moment of its work.
        lock = folder / ".papers.bib.papershelf-lock"
        deadline = time.monotonic() + 5
        while not lock.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.6))
        save(bib, PERSON.format(n=trial))
        for run in runs:
            out, error = run.communicate(timeout=120)
            assert run.returncode == 0, error
            assert "20 added" in out
            raced += "reading it again and merging again" in error
        keys = library_keys(bib)
        assert f"person{trial}" in keys, f"trial {trial}: the person's save was lost"
        assert sum(key.startswith("hand") for key in keys) == 2000
        assert arxiv_ids(bib) == expected_ids, f"trial {trial}: a run's papers were lost"
        assert sorted(path.name for path in folder.iterdir()) == ["papers.bib"]
    # The saves are timed to land while a run merges: without one that did, this proves little.
    print(f"{raced} of 20 trials saved while a run merged")
    assert raced >= 1


def test_enrich_merges_a_save_made_while_it_looked_papers_up(
    tmp_path: Path,
    saving_during_merge: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    digest = ROOT / "bib" / "digests" / "2025-10-30-hf-papers.txt"
    bib = tmp_path / "papers.bib"
    monkeypatch.chdir(tmp_path)
    assert main(["convert", str(digest), "--bib", "papers.bib", "--no-pages", "--no-lookup"]) == 0
    saving_during_merge(save_by_rename, bib, 1)
    cache = str(ROOT / "bib" / "metadata")
    assert main(["enrich", "--bib", "papers.bib", "--metadata-cache", cache, "--offline"]) == 0
    captured = capsys.readouterr()
    assert "42 entries filled in" in captured.out
    assert "papershelf: papers.bib: changed on disk while papershelf worked" in captured.err
    text = bib.read_text(encoding="utf-8")
    assert "person0" in library_keys(bib)
    assert text.count("filledfrom") == 42
