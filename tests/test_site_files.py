"""`build_site`: every file of the site, in one list, for the plugin and for `papershelf site`."""

from __future__ import annotations

import re

import pytest

from conftest import DATA
from papershelf import (
    BibEntry,
    FileKind,
    GeneratedFile,
    LibraryError,
    SiteOptions,
    build_site,
    read_library,
)
from papershelf.site.listings import render_site_pages
from papershelf.site.paper_page import NOTES_END, NOTES_START, render_paper_page
from papershelf.site.urls import (
    LIBRARY_DOWNLOAD,
    OVERVIEW_PAGES,
    not_in_nav_patterns,
    relative_link,
)

LIBRARY = """@misc{cheng2024breaking,
  author   = {Zesen Cheng and Hang Zhang},
  title    = {Breaking the Memory Barrier},
  year     = {2024},
  month    = oct,
  keywords = {llm, contrastive-learning},
  code     = {https://github.com/DAMO-NLP-SG/Inf-CLIP},
  pubdate  = {2024-10-22}
}

@misc{offline2025optimization,
  title    = {Offline Optimization with Learned Priors},
  year     = {2025},
  keywords = {llm}
}
"""
OTHER = "@misc{third2023paper,\n  title = {A Third Paper},\n  year = {2023}\n}"
LABELS = {"llm": "Large language models"}


def entries(text: str = LIBRARY) -> list[BibEntry]:
    return read_library(text, source="lib.bib")


def by_path(files: list[GeneratedFile]) -> dict[str, GeneratedFile]:
    found = {file.path: file for file in files}
    assert len(found) == len(files), "two files share a path"
    return found


def test_every_page_listing_and_download_once_in_order() -> None:
    library = entries()
    files = build_site(library, tag_labels=LABELS, library_texts=[LIBRARY])
    found = by_path(files)
    kinds = [file.kind for file in files]
    # Paper pages, then listings, then downloads: the order MkDocs indexes them in.
    assert kinds == sorted(kinds, key=list(FileKind).index)
    assert [f.path for f in files if f.kind is FileKind.PAPER_PAGE] == [
        "papers/cheng2024breaking.md",
        "papers/offline2025optimization.md",
    ]
    assert [f.path for f in files if f.kind is FileKind.DOWNLOAD] == [
        "bib/cheng2024breaking.bib",
        "bib/offline2025optimization.bib",
        LIBRARY_DOWNLOAD,
    ]
    listings = render_site_pages(library, tag_labels=LABELS)
    assert [(f.path, f.content, f.title) for f in files if f.kind is FileKind.LISTING] == [
        (page.path, page.content, page.title) for page in listings
    ]
    page = found["papers/cheng2024breaking.md"]
    assert page.content == render_paper_page(library[0], tag_labels=LABELS)
    assert page.title == "Breaking the Memory Barrier"
    assert found["bib/offline2025optimization.bib"].content == library[1].bibtex + "\n"
    assert found[LIBRARY_DOWNLOAD].content == LIBRARY


def test_only_the_overviews_may_be_in_the_navigation() -> None:
    files = build_site(entries(), tag_labels=LABELS, library_texts=[LIBRARY])
    assert {file.path for file in files if file.in_nav} == set(OVERVIEW_PAGES)
    assert {"tags/llm.md", "papers/cheng2024breaking.md"} <= {f.path for f in files}


def test_the_not_in_nav_patterns_keep_out_exactly_what_the_plugin_keeps_out() -> None:
    pathspec = pytest.importorskip("pathspec")
    spec = pathspec.GitIgnoreSpec.from_lines(not_in_nav_patterns())
    # Long listings continue on `page-2`, and a long timeline has a page per year.
    many = entries(
        "".join(
            f"@misc{{k{n}, title = {{T {n}}}, year = {{{2020 + n % 3}}}, keywords = {{llm}}}}\n"
            for n in range(5)
        )
        + LIBRARY
    )
    files = build_site(many, tag_labels=LABELS, options=SiteOptions(per_page=2))
    pages = [file for file in files if file.kind in (FileKind.PAPER_PAGE, FileKind.LISTING)]
    assert {"tags/llm/page-2.md", "timeline/2021.md", "code/index.md"} <= {p.path for p in pages}
    for file in pages:
        assert spec.match_file(file.path) is not file.in_nav, file.path


@pytest.mark.parametrize(
    ("texts", "options", "expected"),
    [
        pytest.param([LIBRARY], SiteOptions(), LIBRARY, id="one-library-byte-for-byte"),
        pytest.param(
            [LIBRARY, OTHER], SiteOptions(), LIBRARY + "\n" + OTHER + "\n", id="two-joined"
        ),
        pytest.param([LIBRARY], SiteOptions(library_download=False), None, id="switched-off"),
        pytest.param([], SiteOptions(), None, id="no-library-text"),
    ],
)
def test_the_whole_library_download(
    texts: list[str], options: SiteOptions, expected: str | None
) -> None:
    library = [entry for text in texts for entry in entries(text)] or entries()
    found = by_path(build_site(library, tag_labels={}, options=options, library_texts=texts))
    whole = found.get(LIBRARY_DOWNLOAD)
    assert (whole.content if whole else None) == expected
    # Every paper page links its one-entry file, so those are always there.
    assert {f"bib/{entry.key}.bib" for entry in library} <= set(found)


PRIVATE_LIBRARY = (DATA / "private_fields.bib").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("exclude", "private_shown"),
    [
        pytest.param(None, False, id="default-private-fields"),
        pytest.param(frozenset({"owner", "timestamp"}), True, id="only-these"),
    ],
)
def test_no_generated_file_shows_a_private_field(
    exclude: frozenset[str] | None, private_shown: bool
) -> None:
    library = read_library(PRIVATE_LIBRARY, source="private_fields.bib")
    options = SiteOptions(publish_exclude_fields=exclude)
    files = build_site(library, tag_labels={}, options=options, library_texts=[PRIVATE_LIBRARY])
    kinds = {file.kind for file in files}
    assert {FileKind.PAPER_PAGE, FileKind.LISTING, FileKind.DOWNLOAD, FileKind.ASSET} == kinds
    for file in files:
        assert "PRIVATEOWNER" not in file.content, file.path
        assert "PRIVATESTAMP" not in file.content, file.path
        assert "jabref-meta" not in file.content, file.path
    whole = by_path(files)[LIBRARY_DOWNLOAD].content
    assert ("PRIVATEFILE1" in whole) is private_shown
    # What is left still reads as the same entries, public fields and all.
    kept = read_library(whole, source="papers.bib")
    assert [entry.key for entry in kept] == [entry.key for entry in library]
    assert [entry.journal for entry in kept] == [entry.journal for entry in library]
    single = by_path(files)["bib/vaswani2017attention.bib"].content
    assert ("PRIVATEFILE1" in single) is private_shown
    assert "Journal of Transformer Studies" in single


def test_skipped_paths_are_not_generated() -> None:
    skip = {"papers/cheng2024breaking.md", "index.md", "tags/llm.md", "bib/papers.bib"}
    found = by_path(build_site(entries(), tag_labels=LABELS, library_texts=[LIBRARY], skip=skip))
    assert not skip & set(found)
    assert {"papers/offline2025optimization.md", "tags/index.md", "bib/cheng2024breaking.bib"} <= (
        set(found)
    )


def test_paper_pages_keep_the_notes_of_the_current_pages() -> None:
    library = entries()
    path = "papers/offline2025optimization.md"
    current = render_paper_page(library[1], notes="\nmy own words \u2713\n")
    found = by_path(build_site(library, tag_labels=LABELS, notes_from={path: current}))
    assert f"{NOTES_START}\nmy own words \u2713\n{NOTES_END}" in found[path].content
    assert found["papers/cheng2024breaking.md"].content == render_paper_page(
        library[0], tag_labels=LABELS
    )


def test_text_outside_the_notes_moves_into_them_with_a_notice_on_the_page() -> None:
    library = entries()
    path = "papers/offline2025optimization.md"
    current = render_paper_page(library[1], tag_labels=LABELS).replace(
        "## BibTeX\n", "My own remark.\n\n## BibTeX\n"
    )
    line = current[: current.index("My own remark.")].count("\n") + 1
    found = by_path(build_site(library, tag_labels=LABELS, notes_from={path: current}))
    notes = found[path].content.split(NOTES_START)[1]
    assert "Kept from outside the notes" in notes
    assert "My own remark." in notes
    (notice,) = found[path].notices
    assert (notice.file, notice.line) == (path, line)
    assert "text outside the notes markers was moved into the notes" in notice.message
    assert all(not file.notices for file in found.values() if file.path != path)


@pytest.mark.parametrize(
    "skip",
    [
        pytest.param(frozenset(), id="both-generated"),
        pytest.param(frozenset({"papers/Smith2020.md"}), id="one-on-disk"),
    ],
)
def test_keys_that_would_share_a_page_stop_the_build(skip: frozenset[str]) -> None:
    # Read apart: the library's check refuses the two keys in one file before any site is built.
    library = entries("@misc{Smith2020, title = {A}}\n") + entries(
        "\n\n@misc{smith2020, title = {B}}\n"
    )
    with pytest.raises(LibraryError) as raised:
        build_site(library, tag_labels={}, skip=skip)
    assert str(raised.value).startswith(
        "lib.bib:3: citation key 'smith2020' would share the page papers/Smith2020.md with "
        "'Smith2020' (lib.bib:1)"
    )


def test_options_shape_the_listings() -> None:
    many = entries(
        "".join(f"@misc{{k{n}, title = {{T {n}}}, keywords = {{llm}}}}\n" for n in range(5))
    )
    found = by_path(
        build_site(many, tag_labels={}, options=SiteOptions(per_page=2, latest=1, home=True))
    )
    assert {"tags/llm.md", "tags/llm/page-2.md", "tags/llm/page-3.md"} <= set(found)
    assert len(re.findall(r"^- \[", found["index.md"].content, re.MULTILINE)) == 1
    assert "index.md" not in by_path(
        build_site(many, tag_labels={}, options=SiteOptions(home=False))
    )


@pytest.mark.parametrize(
    ("source", "target", "link"),
    [
        pytest.param("index.md", "tags/index.md", "tags/index.md", id="down"),
        pytest.param("tags/x.md", "papers/k.md", "../papers/k.md", id="across"),
        pytest.param("tags/x/page-2.md", "tags/x.md", "../x.md", id="up-from-a-later-page"),
        pytest.param("tags/index.md", "tags/x.md", "x.md", id="beside"),
    ],
)
def test_relative_links(source: str, target: str, link: str) -> None:
    assert relative_link(source, target) == link
