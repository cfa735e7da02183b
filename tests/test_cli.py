"""The command line end to end: the sample digest, errors, idempotence, dry runs, pages."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
from pathlib import Path

import bibtexparser
import pytest

from conftest import DATA, SAMPLE_DIGEST
from papershelf import FileKind, SiteOptions, build_site, default_taxonomy, read_library
from papershelf.cli import PROGRESS_THRESHOLD, _progress_bar, main
from papershelf.digests import READERS
from papershelf.site.urls import tag_slug

HAND_ENTRY = """% My own reading list, kept by hand.
@string{neurips = {Advances in Neural Information Processing Systems}}

@inproceedings{vaswani2017attention,
  author    = {Vaswani, Ashish and Shazeer, Noam},
  title     = {Attention Is All You Need},
  booktitle = neurips,
  year      = {2017},
}
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the sample digest, as a user would have it."""
    (tmp_path / "digests").mkdir()
    shutil.copy(SAMPLE_DIGEST, tmp_path / "digests" / SAMPLE_DIGEST.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*argv: str) -> int:
    return main(list(argv))


def entries(bib: Path) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(bib.read_text(encoding="utf-8"))
    assert not library.failed_blocks
    return {entry.key: {f.key: str(f.value) for f in entry.fields} for entry in library.entries}


def test_convert_sample_writes_library_and_pages(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "papers.bib") == 0
    out = capsys.readouterr().out
    assert out.startswith("42 papers read: 42 added, 0 updated, 0 unchanged; papers.bib written")
    library = entries(workdir / "papers.bib")
    assert len(library) == 42
    pages = sorted(p.stem for p in (workdir / "docs" / "papers").glob("*.md"))
    assert pages == sorted(library)
    humo = next(fields for fields in library.values() if "HuMo" in fields["title"])
    assert humo["projectpage"] == "https://phantom-video.github.io/HuMo"
    assert (humo["year"], humo["month"], humo["pubdate"]) == ("2025", "sep", "2025-09-10")


def test_second_identical_run_changes_no_byte(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = f"digests/{SAMPLE_DIGEST.name}"
    assert run("convert", digest, "--bib", "papers.bib") == 0
    before = {p: p.read_bytes() for p in workdir.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert run("convert", digest, "--bib", "papers.bib") == 0
    assert "0 added, 0 updated, 42 unchanged; papers.bib unchanged" in capsys.readouterr().out
    after = {p: p.read_bytes() for p in workdir.rglob("*") if p.is_file()}
    assert after == before


def test_hand_entries_strings_and_comments_survive(workdir: Path) -> None:
    bib = workdir / "papers.bib"
    bib.write_text(HAND_ENTRY, encoding="utf-8")
    assert run("convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "papers.bib", "--no-pages") == 0
    text = bib.read_text(encoding="utf-8")
    assert text.startswith(HAND_ENTRY)
    assert len(entries(bib)) == 43


def test_dry_run_writes_nothing(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "papers.bib", "--dry-run") == 0
    assert "42 added" in capsys.readouterr().out
    assert not (workdir / "papers.bib").exists()
    assert not (workdir / "docs").exists()


def test_the_index_is_kept_in_the_cache_folder_unless_no_cache(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = workdir / "cache"
    monkeypatch.setenv("PAPERSHELF_CACHE_DIR", str(cache))
    digest = f"digests/{SAMPLE_DIGEST.name}"
    assert run("convert", digest, "--bib", "plain.bib", "--no-pages", "--no-cache") == 0
    assert not cache.exists()
    assert run("convert", digest, "--bib", "papers.bib", "--no-pages") == 0
    (kept,) = cache.iterdir()
    assert kept.name.startswith("index-")
    assert json.loads(kept.read_text(encoding="utf-8"))["length"] == len(
        (workdir / "papers.bib").read_text(encoding="utf-8")
    )
    # The cache changes nothing about the library itself.
    assert (workdir / "papers.bib").read_bytes() == (workdir / "plain.bib").read_bytes()


def test_missing_year_asks_for_date_and_writes_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    undated = workdir / "digests" / "today.txt"
    shutil.copy(SAMPLE_DIGEST, undated)
    assert run("convert", "digests/today.txt", "--bib", "papers.bib") == 1
    err = capsys.readouterr().err
    assert re.search(r"^error: digests/today\.txt:\d+: .*--date", err, re.MULTILINE)
    assert err.rstrip().endswith("nothing was written.")
    assert not (workdir / "papers.bib").exists()
    assert run("convert", "digests/today.txt", "--bib", "papers.bib", "--date", "2025-10-30") == 0
    assert len(entries(workdir / "papers.bib")) == 42


@pytest.mark.parametrize("date", ["20251030", "2025-W44-4", "2025-02-30", "30.10.2025"])
def test_date_must_be_yyyy_mm_dd(
    date: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        run("convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "papers.bib", "--date", date)
    assert raised.value.code == 2
    assert f"{date!r} is not a date; write it as YYYY-MM-DD" in capsys.readouterr().err
    assert not (workdir / "papers.bib").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00", r"bad\.txt:\d+: file holds binary data", id="binary"
        ),
        pytest.param(b"", r"bad\.txt: ", id="empty"),
        pytest.param(b'[{"paper": {"title": "x"', r"bad\.txt:1: invalid JSON", id="broken-json"),
    ],
)
def test_one_bad_digest_stops_the_run_before_any_write(
    workdir: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    bib = workdir / "papers.bib"
    bib.write_text(HAND_ENTRY, encoding="utf-8")
    (workdir / "digests" / "bad.txt").write_bytes(content)
    status = run(
        "convert", f"digests/{SAMPLE_DIGEST.name}", "digests/bad.txt", "--bib", "papers.bib"
    )
    assert status == 1
    assert re.search(rf"^error: digests/{expected}", capsys.readouterr().err, re.MULTILINE)
    assert bib.read_text(encoding="utf-8") == HAND_ENTRY
    assert not (workdir / "docs").exists()


def test_a_page_that_cannot_be_written_leaves_the_library_and_pages_alone(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = workdir / "papers.bib"
    bib.write_text(HAND_ENTRY, encoding="utf-8")
    (workdir / "pages").write_text("a file where the pages folder should be\n", encoding="utf-8")
    status = run(
        "convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "papers.bib", "--pages", "pages"
    )
    assert status == 1
    err = capsys.readouterr().err
    assert re.search(r"^error: pages: is a file, not a folder", err, re.MULTILINE), err
    assert err.endswith("nothing was written.\n")
    assert bib.read_text(encoding="utf-8") == HAND_ENTRY
    assert sorted(path.name for path in workdir.iterdir()) == ["digests", "pages", "papers.bib"]


def test_unreadable_library_names_the_line_and_is_left_alone(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = HAND_ENTRY + "\n@misc{broken,\n  title = {no closing brace\n"
    bib = workdir / "papers.bib"
    bib.write_text(broken, encoding="utf-8")
    assert run("convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "papers.bib") == 1
    assert re.search(r"^error: papers\.bib:1[0-9]: ", capsys.readouterr().err, re.MULTILINE)
    assert bib.read_text(encoding="utf-8") == broken


def test_text_and_json_digests_of_one_paper_give_one_entry(workdir: Path) -> None:
    items = json.loads((DATA / "hf-daily-papers-2024-10.json").read_text(encoding="utf-8"))
    twice = workdir / "digests" / "2024-10-25-daily.json"
    twice.write_text(json.dumps(items + items[:1]), encoding="utf-8")
    assert run("convert", str(twice), "--bib", "papers.bib", "--no-pages") == 0
    library = entries(workdir / "papers.bib")
    assert len(library) == len(items)
    assert {fields["eprint"] for fields in library.values()} == {i["paper"]["id"] for i in items}


def test_pages_keep_notes_written_by_hand(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "bib/papers.bib") == 0
    page = next((workdir / "docs" / "papers").glob("humo*.md"))
    start, end = "<!-- papershelf:notes:start -->", "<!-- papershelf:notes:end -->"
    notes = "\nRead on the train. **Key idea**: focus-by-predicting.  \n\u00e9t\u00e9 \u2713\n"
    text = page.read_text(encoding="utf-8")
    head, rest = text.split(start)
    page.write_text(head + start + notes + end + rest.split(end)[1], encoding="utf-8")
    capsys.readouterr()
    assert run("pages") == 0
    assert "42 pages in docs/papers: 0 written, 42 unchanged" in capsys.readouterr().out
    (workdir / "bib" / "papers.bib").write_text(
        (workdir / "bib" / "papers.bib").read_text(encoding="utf-8").replace("HuMo", "HuMo v2"),
        encoding="utf-8",
    )
    assert run("pages") == 0
    refreshed = page.read_text(encoding="utf-8")
    assert "HuMo v2" in refreshed
    assert start + notes + end in refreshed


def test_help_teaches_by_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run("convert", "--help")
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for phrase in ("--date", "--dry-run", "YYYY-MM-DD", "changes nothing", "--no-pages"):
        assert phrase in text


def test_help_lists_every_registered_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run("convert", "--help")
    text = " ".join(capsys.readouterr().out.split())
    for reader in READERS.readers:
        assert f"{reader.name} {reader.description}" in text


def test_format_choices_come_from_the_registry(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run("convert", "x.txt", "--format", "hf-pdf")
    assert exit_info.value.code == 2
    assert f"(choose from {', '.join(map(repr, READERS.names))})" in capsys.readouterr().err


def test_not_a_digest_lists_the_formats_under_one_error(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "notes.txt").write_text("Lorem ipsum dolor sit amet.\n", "utf-8")
    assert run("convert", "notes.txt", "--bib", "papers.bib") == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("error: notes.txt: not a digest papershelf can read;")
    assert lines[1:-1] == READERS.listing().splitlines()
    assert lines[-1] == "nothing was written."
    assert not (workdir / "papers.bib").exists()


MY_TAGS = """version: 1
tags:
  - id: human-video
    label: Human video
    aliases: [human-centric video]
"""


@pytest.mark.parametrize(
    ("extra", "has_shipped_tags"),
    [
        pytest.param([], True, id="extends"),
        pytest.param(["--replace-tags"], False, id="replaces"),
    ],
)
def test_user_vocabulary_extends_or_replaces_the_shipped_one(
    workdir: Path, extra: list[str], has_shipped_tags: bool
) -> None:
    (workdir / "my-tags.yaml").write_text(MY_TAGS, encoding="utf-8")
    digest = f"digests/{SAMPLE_DIGEST.name}"
    argv = ["convert", digest, "--bib", "papers.bib", "--no-pages", "--tags", "my-tags.yaml"]
    assert run(*argv, *extra) == 0
    library = entries(workdir / "papers.bib")
    humo = next(fields for fields in library.values() if "HuMo" in fields["title"])
    keywords = humo["keywords"].split(", ")
    assert "human-video" in keywords
    assert ("video-generation" in keywords) is has_shipped_tags
    tagged = [fields for fields in library.values() if "keywords" in fields]
    assert (len(tagged) == 42) is has_shipped_tags


def test_broken_vocabulary_is_reported_with_its_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "my-tags.yaml").write_text(MY_TAGS + "    parent: nowhere\n", encoding="utf-8")
    digest = f"digests/{SAMPLE_DIGEST.name}"
    assert run("convert", digest, "--bib", "papers.bib", "--tags", "my-tags.yaml") == 1
    assert re.search(r"^error: my-tags\.yaml:\d+: .*nowhere", capsys.readouterr().err, re.M)
    assert not (workdir / "papers.bib").exists()


def test_progress_bar_only_for_large_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    small = list(range(PROGRESS_THRESHOLD - 1))
    assert _progress_bar(small, len(small), "tagging") is small
    large = range(PROGRESS_THRESHOLD)
    wrapped = _progress_bar(large, len(large), "tagging")
    assert wrapped is not large
    assert list(wrapped) == list(large)
    # Not a terminal here: the bar stays silent rather than filling logs.
    assert capsys.readouterr().err == ""
    # No monitor thread left behind: it would keep the next stages off the other cores.
    assert threading.active_count() == 1


def test_a_bad_process_count_is_a_usage_error(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAPERSHELF_JOBS", "all")
    # Over 4 MB, the library is read in slices on every core: the process count is needed.
    bib = workdir / "papers.bib"
    bib.write_text("".join(f"@misc{{k{n}, note = {{{'x' * 500}}}}}\n" for n in range(9000)))
    assert run("convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "papers.bib") == 2
    err = capsys.readouterr().err
    assert "error: PAPERSHELF_JOBS='all' is not a number of processes; use e.g. 1 or 2" in err
    assert bib.read_text().count("@misc{") == 9000


# --- papershelf site ---------------------------------------------------------------------------


@pytest.fixture
def shelf(workdir: Path) -> Path:
    """The project folder with the sample's library, converted without pages."""
    digest = f"digests/{SAMPLE_DIGEST.name}"
    assert run("convert", digest, "--bib", "bib/papers.bib", "--no-pages") == 0
    return workdir


def docs_files(docs: Path) -> dict[str, bytes]:
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("flags", "published", "left_out"),
    [
        pytest.param((), (), ("PRIVATEFILE1", "PRIVATEOWNER", "jabref-meta"), id="default"),
        pytest.param(
            ("--publish-exclude-fields", "Owner, timestamp"),
            ("PRIVATEFILE1",),
            ("PRIVATEOWNER", "PRIVATESTAMP", "jabref-meta"),
            id="named-fields",
        ),
        pytest.param(
            ("--publish-exclude-fields", ""), ("PRIVATEFILE1", "PRIVATEOWNER"), (), id="none"
        ),
    ],
)
def test_site_leaves_out_private_fields(
    workdir: Path, flags: tuple[str, ...], published: tuple[str, ...], left_out: tuple[str, ...]
) -> None:
    shutil.copy(DATA / "private_fields.bib", workdir / "library.bib")
    assert run("site", "--bib", "library.bib", "--out", "docs", *flags) == 0
    written = b"".join(docs_files(workdir / "docs").values()).decode()
    for value in published:
        assert value in written, value
    for value in left_out:
        assert value not in written, value


def test_site_refuses_a_field_name_that_is_none(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        run("site", "--publish-exclude-fields", "file,my field")
    assert stop.value.code == 2
    assert "'my field' is not a BibTeX field name" in capsys.readouterr().err


def test_site_writes_every_file_build_site_generates(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    url, name = "https://shelf.example.org/reading/", "My shelf"
    assert run("site", "--site-url", url, "--site-name", name) == 0
    out = capsys.readouterr().out
    library = (shelf / "bib" / "papers.bib").read_text(encoding="utf-8")
    labels = {tag_id: tag.label for tag_id, tag in default_taxonomy().tags.items()}
    expected = build_site(
        read_library(library, source="bib/papers.bib"),
        tag_labels=labels,
        library_texts=[library],
        options=SiteOptions(site_url=url, site_name=name),
    )
    feeds = [file for file in expected if file.kind is FileKind.FEED]
    tags = {tag_slug(tag) for entry in read_library(library, source="x") for tag in entry.tags}
    # The site's feed and one per tag (every paper of the sample digest has a date).
    assert sorted(file.path for file in feeds) == sorted(
        ["feed.xml", *(f"tags/{slug}/feed.xml" for slug in tags)]
    )
    total = 128 + len(feeds)
    assert out.startswith(
        f"{total} files for docs (42 paper pages, 42 listing pages, 43 downloads, 1 stylesheet,"
        f" {len(feeds)} feeds): {total} written, 0 unchanged\n"
    )
    # The first run says how to keep the generated pages out of a plugin-free navigation.
    assert "    not_in_nav: |\n      /papers/\n      /tags/*\n      !/tags/index.md\n" in out
    written = docs_files(shelf / "docs")
    record = json.loads(written.pop(".papershelf-site.json"))
    assert written == {file.path: file.content.encode() for file in expected}
    assert f"<id>{url}feed.xml</id>" in written["feed.xml"].decode()
    assert set(record["files"]) == {f.path for f in expected if f.kind is not FileKind.PAPER_PAGE}
    capsys.readouterr()
    assert run("site", "--site-url", url, "--site-name", name) == 0
    assert f": 0 written, {total} unchanged\n" in capsys.readouterr().out
    again = docs_files(shelf / "docs")
    assert json.loads(again.pop(".papershelf-site.json")) == record
    assert again == written


def test_site_without_a_site_url_writes_no_feed_and_says_so(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("site") == 0
    captured = capsys.readouterr()
    assert "1 stylesheet, 0 feeds)" in captured.out
    # Said with the summary, once the run has done its work.
    assert captured.out.endswith(
        "\n  warning: no Atom feeds were written: feed ids and links must be absolute "
        "URLs, and the site's URL is not known; pass --site-url, or --no-feeds\n"
    )
    assert not list((shelf / "docs").rglob("feed.xml"))
    assert run("site", "--no-feeds") == 0
    assert "warning" not in capsys.readouterr().out


@pytest.mark.parametrize("url", ["example.org/shelf", "/shelf/", "ftp://example.org/"])
def test_site_refuses_a_site_url_that_is_not_absolute_http(
    shelf: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        run("site", "--site-url", url)
    assert stopped.value.code == 2
    assert f"{url!r} is not an absolute http(s) URL" in capsys.readouterr().err
    assert not (shelf / "docs").exists()


def test_site_keeps_notes_and_the_users_own_files(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = shelf / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# My reading list\n", encoding="utf-8")
    assert run("site") == 0
    assert "kept 1 file(s) papershelf did not write" in capsys.readouterr().out
    assert (docs / "index.md").read_text(encoding="utf-8") == "# My reading list\n"
    page = next((docs / "papers").glob("humo*.md"))
    start, end = "<!-- papershelf:notes:start -->", "<!-- papershelf:notes:end -->"
    head, rest = page.read_text(encoding="utf-8").split(start)
    page.write_text(head + start + "\nmine \u2713\n" + end + rest.split(end)[1], encoding="utf-8")
    # A listing papershelf wrote and a person then edited is theirs from now on.
    (docs / "tags" / "index.md").write_text("# Tags, curated\n", encoding="utf-8")
    bib = shelf / "bib" / "papers.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("HuMo", "HuMo v2"), encoding="utf-8")
    assert run("site") == 0
    out = capsys.readouterr().out
    assert "kept 2 file(s) papershelf did not write, or that were edited since" in out
    assert "(delete one to have it generated): tags/index.md, index.md\n" in out
    assert "not_in_nav" not in out
    text = page.read_text(encoding="utf-8")
    assert "HuMo v2" in text
    assert start + "\nmine \u2713\n" + end in text
    assert (docs / "tags" / "index.md").read_text(encoding="utf-8") == "# Tags, curated\n"
    # Deleted, it is generated again.
    (docs / "tags" / "index.md").unlink()
    assert run("site") == 0
    assert (docs / "tags" / "index.md").read_text(encoding="utf-8").startswith("---\ntitle: Tags")


def test_site_removes_only_its_own_unchanged_files_that_are_no_longer_generated(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = shelf / "docs"
    assert run("site", "--per-page", "2") == 0
    assert (docs / "tags" / "llm" / "page-2.md").exists()
    edited = docs / "tags" / "llm" / "page-3.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA note.\n", encoding="utf-8")
    capsys.readouterr()
    assert run("site", "--per-page", "50") == 0
    out = capsys.readouterr().out
    assert re.search(r"^  removed \d+ file\(s\) no longer generated: ", out, re.MULTILINE)
    assert not (docs / "tags" / "llm" / "page-2.md").exists()
    assert edited.read_text(encoding="utf-8").endswith("\nA note.\n")
    record = json.loads((docs / ".papershelf-site.json").read_text(encoding="utf-8"))
    assert "tags/llm/page-2.md" not in record["files"]
    assert "tags/llm/page-3.md" not in record["files"]


@pytest.mark.parametrize(
    ("options", "absent", "present"),
    [
        pytest.param(["--no-home"], "index.md", "tags/index.md", id="no-home"),
        pytest.param(
            ["--no-library-download"], "bib/papers.bib", "bib/humo2025humancentric.bib", id="no-lib"
        ),
        pytest.param(["--per-page", "2"], "tags/llm/page-99.md", "tags/llm/page-2.md", id="pages"),
    ],
)
def test_site_options(shelf: Path, options: list[str], absent: str, present: str) -> None:
    assert run("site", *options) == 0
    assert not (shelf / "docs" / absent).exists()
    assert (shelf / "docs" / present).is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--per-page", "0"], "0 is too small; use at least 1", id="per-page-zero"),
        pytest.param(["--latest", "many"], "'many' is not a whole number", id="latest-word"),
    ],
)
def test_site_option_values_are_checked(
    shelf: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        run("site", *argv)
    assert raised.value.code == 2
    assert message in capsys.readouterr().err
    assert not (shelf / "docs").exists()


def test_site_writes_nothing_when_one_file_cannot_be_written(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = shelf / "docs"
    docs.mkdir()
    (docs / "timeline").write_text("a file where a folder should be\n", encoding="utf-8")
    assert run("site") == 1
    err = capsys.readouterr().err
    assert re.search(r"^error: \S*/timeline/index\.md: Not a directory$", err, re.MULTILINE), err
    assert err.endswith("nothing was written.\n")
    assert sorted(p.name for p in docs.iterdir()) == ["timeline"]


def test_site_refuses_a_key_in_two_libraries(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = (shelf / "bib" / "papers.bib").read_text(encoding="utf-8")
    first = re.search(r"^@misc\{(\w+),", library, re.MULTILINE)
    assert first is not None
    (shelf / "mine.bib").write_text(f"@misc{{{first[1]},\n  title = {{Mine}}\n}}\n")
    assert run("site", "--bib", "bib/papers.bib", "--bib", "mine.bib") == 1
    err = capsys.readouterr().err
    assert f"error: mine.bib:1: citation key '{first[1]}' is already used at bib/papers.bib:" in err
    assert not (shelf / "docs").exists()


def test_site_moves_text_outside_the_notes_into_them_with_a_warning(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("site", "--no-feeds") == 0
    page = next((shelf / "docs" / "papers").glob("humo*.md"))
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("## BibTeX\n", "My own remark.\n\n## BibTeX\n"), encoding="utf-8")
    line = text[: text.index("## BibTeX\n")].count("\n") + 1
    capsys.readouterr()
    assert run("site", "--no-feeds") == 0
    out = capsys.readouterr().out
    assert f"  warning: docs/papers/{page.name}:{line}: text outside the notes markers" in out
    notes = page.read_text(encoding="utf-8").split("<!-- papershelf:notes:start -->")[1]
    assert "Kept from outside the notes" in notes
    assert "My own remark." in notes
    assert run("site", "--no-feeds") == 0
    assert "warning" not in capsys.readouterr().out


def test_site_neither_reads_nor_writes_a_page_linking_out_of_the_pages_folder(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = shelf / "secret.txt"
    secret.write_text("not a page\n", encoding="utf-8")
    pages = shelf / "docs" / "papers"
    pages.mkdir(parents=True)
    (pages / "humo2025humancentric.md").symlink_to(secret)
    assert run("site") == 1
    err = capsys.readouterr().err
    assert re.search(
        r"^error: docs/papers/humo2025humancentric\.md: is a link to .*secret\.txt, outside",
        err,
        re.MULTILINE,
    ), err
    assert err.endswith("nothing was written.\n")
    assert secret.read_text(encoding="utf-8") == "not a page\n"
    assert sorted(p.name for p in (shelf / "docs").rglob("*")) == [
        "humo2025humancentric.md",
        "papers",
    ]


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param("../outside.md", id="path-out-of-docs"),
        pytest.param("tags/linked.md", id="link-out-of-docs"),
    ],
)
def test_site_leaves_a_record_entry_outside_the_docs_folder_alone(
    shelf: Path, capsys: pytest.CaptureFixture[str], entry: str
) -> None:
    assert run("site") == 0
    docs = shelf / "docs"
    outside = shelf / "outside.md"
    outside.write_text("mine\n", encoding="utf-8")
    (docs / "tags" / "linked.md").symlink_to(outside)
    record_file = docs / ".papershelf-site.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    digest = hashlib.sha256(b"mine\n").hexdigest()
    record["files"][entry] = digest
    record_file.write_text(json.dumps(record), encoding="utf-8")
    capsys.readouterr()
    assert run("site") == 0
    assert "removed" not in capsys.readouterr().out
    assert outside.read_text(encoding="utf-8") == "mine\n"
    assert (docs / "tags" / "linked.md").is_symlink()


def test_site_without_a_library_says_how_to_make_one(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("site") == 1
    err = capsys.readouterr().err
    assert "error: bib/papers.bib: no such library; run `papershelf convert` first" in err
    assert not (workdir / "docs").exists()


# --- pages on disk: links, long keys, keys sharing a page, line ends, text outside the notes ------

TWO_ENTRIES = """@misc{one2025first,
  title = {First},
  year  = {2025},
}

@misc{two2025second,
  title = {Second},
  year  = {2025},
}
"""


def write_library(workdir: Path, text: str = TWO_ENTRIES) -> Path:
    bib = workdir / "bib" / "papers.bib"
    bib.parent.mkdir(exist_ok=True)
    bib.write_text(text, encoding="utf-8")
    return bib


def test_a_page_linking_outside_the_pages_folder_is_neither_read_nor_written(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_library(workdir)
    secret = workdir / "secret.txt"
    secret.write_text("not a page\n", encoding="utf-8")
    pages = workdir / "docs" / "papers"
    pages.mkdir(parents=True)
    (pages / "two2025second.md").symlink_to(secret)
    assert run("pages") == 1
    err = capsys.readouterr().err
    assert re.search(
        r"^error: docs/papers/two2025second\.md: .*link.*outside", err, re.MULTILINE
    ), err
    assert err.endswith("nothing was written.\n")
    assert secret.read_text(encoding="utf-8") == "not a page\n"
    assert sorted(path.name for path in pages.iterdir()) == ["two2025second.md"]


def test_a_key_longer_than_a_file_name_gets_a_bounded_page(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "k" * 300
    write_library(workdir, f"@misc{{{key},\n  title = {{Long}},\n  year = {{2025}},\n}}\n")
    assert run("pages") == 0
    (page,) = (workdir / "docs" / "papers").iterdir()
    assert len(page.name.encode()) <= 112
    assert f"key: {key}\n" in page.read_text(encoding="utf-8")
    assert run("pages") == 0
    assert "1 pages in docs/papers: 0 written, 1 unchanged" in capsys.readouterr().out


def test_keys_of_one_name_get_pages_of_their_own(workdir: Path) -> None:
    library = TWO_ENTRIES.replace("one2025first", "a/b").replace("two2025second", "a-b-3ec69c85")
    write_library(workdir, library)
    assert run("pages") == 0
    texts = [p.read_text(encoding="utf-8") for p in (workdir / "docs" / "papers").iterdir()]
    assert sorted(re.search(r"^key: (.*)$", t, re.MULTILINE)[1] for t in texts) == [
        "a-b-3ec69c85",
        "a/b",
    ]


@pytest.mark.parametrize("command", ["pages", "site", "convert"])
def test_keys_differing_only_in_case_stop_the_run(
    workdir: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    library = TWO_ENTRIES.replace("one2025first", "Smith2020").replace("two2025second", "smith2020")
    write_library(workdir, library)
    if command == "convert":
        arguments = ["convert", f"digests/{SAMPLE_DIGEST.name}", "--no-pages", "--no-lookup"]
        assert run(*arguments) == 1
    else:
        assert run(command) == 1
    err = capsys.readouterr().err
    # The library's check (papershelf.bib.check) refuses them, `convert --no-pages` included.
    assert (
        "error: bib/papers.bib:6: citation key 'smith2020' differs from 'Smith2020' (line 1) "
        "only in case"
    ) in err
    assert not (workdir / "docs").exists()


@pytest.mark.parametrize("command", ["pages", "convert"])
def test_windows_line_ends_in_notes_survive_byte_for_byte(workdir: Path, command: str) -> None:
    write_library(workdir)
    assert run("pages") == 0
    page = workdir / "docs" / "papers" / "one2025first.md"
    notes = "\r\nWritten on Windows.\r\nSecond line.\r\n"
    start, end = "<!-- papershelf:notes:start -->", "<!-- papershelf:notes:end -->"
    head, rest = page.read_bytes().split(start.encode())
    page.write_bytes(head + (start + notes + end).encode() + rest.split(end.encode())[1])
    if command == "pages":
        assert run("pages") == 0
    else:
        assert run("convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "bib/papers.bib") == 0
    assert (start + notes + end).encode() in page.read_bytes()


def test_text_outside_the_notes_is_kept_with_a_warning(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_library(workdir)
    assert run("pages") == 0
    page = workdir / "docs" / "papers" / "one2025first.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("## BibTeX\n", "My own remark.\n\n## BibTeX\n"), encoding="utf-8")
    line = text[: text.index("## BibTeX\n")].count("\n") + 1
    capsys.readouterr()
    assert run("pages") == 0
    out = capsys.readouterr().out
    assert f"warning: docs/papers/one2025first.md:{line}: text outside the notes markers" in out
    kept = page.read_text(encoding="utf-8")
    notes = kept.split("<!-- papershelf:notes:start -->")[1]
    assert "Kept from outside the notes" in notes
    assert "My own remark." in notes
    assert run("pages") == 0
    assert "2 pages in docs/papers: 0 written, 2 unchanged" in capsys.readouterr().out
    assert page.read_text(encoding="utf-8") == kept


def test_a_link_making_two_pages_one_file_stops_the_run(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_library(workdir)
    assert run("pages") == 0
    pages = workdir / "docs" / "papers"
    (pages / "two2025second.md").unlink()
    (pages / "two2025second.md").symlink_to("one2025first.md")
    before = (pages / "one2025first.md").read_bytes()
    assert run("pages") == 1
    err = capsys.readouterr().err
    assert (
        "error: docs/papers/two2025second.md: is the same file as docs/papers/one2025first.md"
        in err
    )
    assert (pages / "one2025first.md").read_bytes() == before


def test_a_link_to_a_page_inside_the_folder_is_written_through(workdir: Path) -> None:
    write_library(workdir)
    pages = workdir / "docs" / "papers"
    (pages / "kept").mkdir(parents=True)
    (pages / "one2025first.md").symlink_to("kept/first.md")  # not there yet
    assert run("pages") == 0
    assert (pages / "one2025first.md").is_symlink()
    assert "key: one2025first\n" in (pages / "kept" / "first.md").read_text(encoding="utf-8")


def test_marker_text_in_a_library_gives_pages_that_stay_the_same(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start, end = "<!-- papershelf:notes:start -->", "<!-- papershelf:notes:end -->"
    write_library(
        workdir,
        f"@misc{{x2025evil,\n  title = {{Evil {end} title}},\n  author = {{A {start} B}},\n"
        f"  organization = {{Org {end}}},\n  keywords = {{{start}}},\n  year = {{2025}},\n}}\n",
    )
    assert run("pages") == 0
    page = workdir / "docs" / "papers" / "x2025evil.md"
    first = page.read_bytes()
    for _ in range(3):
        capsys.readouterr()
        assert run("pages") == 0
        assert "1 pages in docs/papers: 0 written, 1 unchanged" in capsys.readouterr().out
    assert page.read_bytes() == first
    assert first.count(start.encode()) == first.count(end.encode()) == 1


CJK_DIGEST = """Daily Papers

\u5927\u578b\u8bed\u8a00\u6a21\u578b\u7684\u63a8\u7406

An abstract that is long enough to be taken for one, about reasoning in large language models,
written on one line in the copied page: it says what the paper does and how well it works.

  \u2022 2 authors
\u00b7
Mar 6

\u89c6\u9891\u751f\u6210\u7684\u6269\u6563\u6a21\u578b

Another abstract that is long enough to be taken for one, about diffusion models for video
generation, with its own words: it says what the paper does and how well it works in the end.

  \u2022 3 authors
\u00b7
Mar 7
"""


def test_a_digest_of_two_cjk_titles_gives_two_entries_once(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = workdir / "digests" / "2025-10-30-cjk.txt"
    digest.write_text(CJK_DIGEST.replace("\n\n  \u2022", "\n  \u2022"), encoding="utf-8")
    assert run("convert", str(digest), "--bib", "papers.bib", "--no-pages") == 0
    assert capsys.readouterr().out.startswith("2 papers read: 2 added")
    written = (workdir / "papers.bib").read_bytes()
    assert run("convert", str(digest), "--bib", "papers.bib", "--no-pages") == 0
    assert "0 added, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert (workdir / "papers.bib").read_bytes() == written


def test_a_paper_kept_apart_from_an_entry_of_its_title_is_reported(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = workdir / "papers.bib"
    bib.write_text(
        "@misc{cheng2024x,\n  title = {Breaking the Memory Barrier},\n"
        "  eprint = {2401.00001},\n  eprinttype = {arxiv},\n}\n",
        encoding="utf-8",
    )
    item = {"paper": {"id": "2410.17243", "title": "Breaking the memory barrier"}}
    digest = workdir / "digests" / "2025-10-30-daily.json"
    digest.write_text(json.dumps([item]), encoding="utf-8")
    assert run("convert", str(digest), "--bib", "papers.bib", "--no-pages") == 0
    out = capsys.readouterr().out
    assert out.startswith("1 papers read: 1 added, 0 updated, 0 unchanged")
    assert (
        f"  1 paper not merged with an entry of its title:\n"
        f"    {digest}:item 0 with cheng2024x: different arXiv ids (2410.17243, 2401.00001)\n"
    ) in out
    assert run("convert", str(digest), "--bib", "papers.bib", "--no-pages") == 0
    assert "not merged" not in capsys.readouterr().out


# One check of the library for `convert`, `pages` and the plugin (tests/test_plugin.py).
LIBRARY_ERRORS = [
    pytest.param("@misc{,\n  title = {x}\n}\n", "papers.bib:1: @misc entry has no", id="no-key"),
    pytest.param(
        "@misc{a,\n  booktitle = neurips\n}\n",
        "papers.bib:1: field 'booktitle' of 'a' uses the undefined @string 'neurips'",
        id="undefined-string",
    ),
    pytest.param(
        "@misc{a,\n  title = {ok}\n  year = {2020}\n}\n",
        "papers.bib:2: field 'title' of 'a' runs on into `year = {2020}`: a comma is missing",
        id="missing-comma",
    ),
    pytest.param(
        "@misc{a,\n  year = {0000}\n}\n",
        "papers.bib:1: field 'year' of 'a' is '0000', which is no year",
        id="year-0000",
    ),
    pytest.param(
        "@misc{Smith2020,\n  title = {x}\n}\n@misc{smith2020,\n  title = {y}\n}\n",
        "papers.bib:4: citation key 'smith2020' differs from 'Smith2020' (line 1) only in case",
        id="keys-differing-in-case",
    ),
    pytest.param(
        "@misc{a,\n  title = {\\symbol{55296}}\n}\n",
        "papers.bib:1: field 'title' of 'a' has \\symbol{55296}, which is no character",
        id="surrogate",
    ),
]


@pytest.mark.parametrize(("library", "message"), LIBRARY_ERRORS)
@pytest.mark.parametrize("command", ["convert", "pages"])
def test_convert_and_pages_refuse_a_library_alike(
    workdir: Path, capsys: pytest.CaptureFixture[str], library: str, message: str, command: str
) -> None:
    bib = workdir / "papers.bib"
    bib.write_text(library, encoding="utf-8")
    if command == "convert":
        status = run(
            "convert", f"digests/{SAMPLE_DIGEST.name}", "--bib", "papers.bib", "--no-pages"
        )
    else:
        status = run("pages", "--bib", "papers.bib", "--out", "pages")
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith(f"error: {message}"), err
    assert "Traceback" not in err
    assert bib.read_text(encoding="utf-8") == library
    assert sorted(path.name for path in workdir.iterdir()) == ["digests", "papers.bib"]


def test_warnings_are_printed_and_the_run_goes_on(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = "@misc{mine,\n  % checked by hand\n  title = {Mine},\n  upvotes = {many}\n}\n"
    bib = workdir / "papers.bib"
    bib.write_text(library, encoding="utf-8")
    warnings = [
        "  warning: papers.bib:1: field 'upvotes' of 'mine' is 'many', not a whole number;",
        "  warning: papers.bib:2: entry 'mine' has a `%` line inside it:",
    ]
    digest = f"digests/{SAMPLE_DIGEST.name}"
    assert run("convert", digest, "--bib", "papers.bib", "--no-lookup") == 0
    out = [line for line in capsys.readouterr().out.splitlines() if "warning:" in line]
    assert [line[: len(start)] for line, start in zip(out, warnings, strict=True)] == warnings
    assert bib.read_text(encoding="utf-8").startswith(library)
    assert run("pages", "--bib", "papers.bib", "--out", "pages") == 0
    out = [line for line in capsys.readouterr().out.splitlines() if "warning:" in line]
    assert [line[: len(start)] for line, start in zip(out, warnings, strict=True)] == warnings


@pytest.mark.parametrize(
    ("options", "title", "companion"),
    [
        pytest.param((), "{$\\beta$}-{VAE} {Zhong}{Wen}", "\u03b2-{VAE} \u4e2d\u6587", id="ascii"),
        pytest.param(("--tex", "utf8"), "\u03b2-{VAE} \u4e2d\u6587", None, id="utf8"),
    ],
)
def test_convert_writes_the_tex_profile_asked_for(
    workdir: Path, options: tuple[str, ...], title: str, companion: str | None
) -> None:
    digest = workdir / "ids.json"
    digest.write_text(
        json.dumps(
            [
                {
                    "title": "\u03b2-VAE \u4e2d\u6587",
                    "authors": ["Ann Lee"],
                    "publishedAt": "2025-01-06T00:00:00Z",
                }
            ]
        ),
        encoding="utf-8",
    )
    arguments = ("convert", "ids.json", "--bib", "papers.bib", "--no-pages", "--no-lookup")
    assert run(*arguments, *options) == 0
    (fields,) = entries(workdir / "papers.bib").values()
    assert fields["title"] == title
    assert fields.get("utf8title") == companion
