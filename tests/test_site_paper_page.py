"""Paper pages: golden pages, escaping of hostile text, notes that survive regeneration."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html as html_module
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils import meta

from conftest import DATA, INTEROP
from papershelf import BibEntry, LibraryError, read_library
from papershelf.bib.fields import OWN_FIELDS
from papershelf.site.markdown import code_block
from papershelf.site.paper_page import (
    NOTES_END,
    NOTES_START,
    edited_outside_notes,
    extract_notes,
    render_pages,
    render_paper_page,
    venue_line,
)
from papershelf.site.urls import bib_download_path, entry_slug, paper_page_path

GOLDEN = Path(__file__).resolve().parent / "golden" / "pages"
UPDATE = os.environ.get("PAPERSHELF_UPDATE_GOLDEN") == "1"
EXTENSIONS = ["attr_list", "md_in_html", "pymdownx.superfences", "tables", "footnotes"]
TAG_LABELS = {"diffusion": "Diffusion", "video-generation": "Video generation"}

OURS = r"""@misc{cheng2024breaking,
  author        = {Zesen Cheng and Hang Zhang and J{\"o}rg M{\"u}ller},
  title         = {Breaking the Memory Barrier: Near Infinite Batch Size Scaling for
                   Contrastive Loss},
  year          = {2024},
  month         = oct,
  howpublished  = {arXiv preprint arXiv:2410.17243},
  eprint        = {2410.17243},
  eprinttype    = {arxiv},
  url           = {https://arxiv.org/abs/2410.17243},
  abstract      = {Contrastive loss is a powerful approach for representation learning,
                   where larger batch sizes enhance performance.\n\nWe propose Inf-CL,
                   reaching 100\% of the accuracy.},
  organization  = {{DAMO} Academy},
  keywords      = {diffusion, video-generation},
  upvotes       = {64},
  numcomments   = {3},
  countsdate    = {2025-10-30},
  code          = {https://github.com/DAMO-NLP-SG/Inf-CLIP},
  projectpage   = {https://inf-cl.github.io/},
  hfspace       = {https://huggingface.co/spaces/org/demo},
  githubstars   = {120},
  pubdate       = {2024-10-22},
  dateorigin    = {given},
}

@misc{offline2025optimization,
  title         = {Offline Optimization by Learning to Rank},
  year          = {2025},
  month         = mar,
  abstract      = {Offline optimization has recently emerged as an increasingly popular approach.},
  authorcount   = {4},
  pubdate       = {2025-03-06},
  dateorigin    = {year-inferred},
}
""".replace("\\n\\n", "\n\n")


def own_entries() -> list[BibEntry]:
    return read_library(OURS, source="bib/papers.bib")


def jabref_entry() -> BibEntry:
    path = INTEROP / "jabref_arxiv_entries.bib"
    return read_library(path.read_text(encoding="utf-8"), source=path.name)[2]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with PAPERSHELF_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        pytest.param("full.md", lambda: own_entries()[0], id="full"),
        pytest.param("author-count.md", lambda: own_entries()[1], id="author-count-no-links"),
        pytest.param("jabref.md", jabref_entry, id="foreign-jabref"),
    ],
)
def test_golden_page(name: str, entry) -> None:
    check_golden(name, render_paper_page(entry(), tag_labels=TAG_LABELS))


def test_full_page_content() -> None:
    page = render_paper_page(own_entries()[0], tag_labels=TAG_LABELS)
    data_start = page.index("---\n") + 4
    _, front = meta.get_data(page)
    assert front["title"] == (
        "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    )
    assert front["tags"] == ["diffusion", "video-generation"]
    assert front["upvotes"] == 64
    assert front["papershelf"]["authors"] == ["Zesen Cheng", "Hang Zhang", "Jörg Müller"]
    assert front["papershelf"]["pdf_url"] == "https://arxiv.org/pdf/2410.17243"
    assert front["papershelf"]["date"] == "2024-10-22"
    assert data_start == 4
    assert "2024-10-22 · Zesen Cheng, Hang Zhang, Jörg Müller · DAMO Academy" in page
    assert "▲ 64 upvotes · 3 comments · ★ 120 stars (as of 2025-10-30)" in page
    assert (
        "[Code (github.com)](https://github.com/DAMO-NLP-SG/Inf-CLIP)"
        "{ .md-button .papershelf-button .md-button--primary }"
    ) in page
    button = "{ .md-button .papershelf-button }"
    assert f"[Space](https://huggingface.co/spaces/org/demo){button}" in page
    assert f"[Hugging Face page](https://huggingface.co/papers/2410.17243){button}" in page
    assert (
        "[Diffusion](../tags/diffusion.md) · [Video generation](../tags/video-generation.md)"
        in page
    )
    assert "[Download .bib](../bib/cheng2024breaking.bib)" in page
    html = markdown.markdown(meta.get_data(page)[0], extensions=EXTENSIONS)
    assert '<code class="language-latex">\\cite&#123;cheng2024breaking&#125;</code>' in html
    # The BibTeX block is literal, out of both search indexes, and never highlighted (no spans).
    bibtex_block = (
        '<div class="papershelf-code papershelf-bibtex" data-search-exclude data-pagefind-ignore>'
        '<pre><code class="language-bibtex">@misc&#123;cheng2024breaking,\n'
    )
    assert bibtex_block in html
    # Pagefind indexes the abstract only; the rest of what it shows comes as metadata.
    indexed = re.findall(r"<div [^>]*data-pagefind-body[^>]*>(.*?)</div>", html, re.DOTALL)
    assert [re.sub(r"\s+", " ", text).strip() for text in indexed] == [
        "<p>Contrastive loss is a powerful approach for representation learning, where larger "
        "batch sizes enhance performance.</p> <p>We propose Inf-CL, reaching 100% of the "
        "accuracy.</p>"
    ]
    assert 'J&#123;\\"o&#125;rg M&#123;\\"u&#125;ller' in html
    assert (
        "<p>Contrastive loss is a powerful approach for representation learning, where larger"
    ) in html
    assert "<p>We propose Inf-CL, reaching 100% of the accuracy.</p>" in html


def test_author_count_page_has_no_link_buttons() -> None:
    page = render_paper_page(own_entries()[1])
    assert "2025-03-06 · 4 authors\n" in page
    assert "md-button" not in page
    assert "Tags:" not in page


# --- escaping -------------------------------------------------------------------------------------

HOSTILE = [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("<img src=x onerror=alert(1)>", id="img"),
    pytest.param("[click](javascript:alert(1))", id="js-link"),
    pytest.param("![x](http://evil/x.png)", id="image"),
    pytest.param("{{ config }}", id="jinja"),
    pytest.param("{% include 'x' %}", id="jinja-statement"),
    pytest.param("*emph*", id="emphasis"),
    pytest.param("<!-- -->", id="comment"),
    pytest.param("``` `code` ````", id="backticks"),
    pytest.param("| a | b |", id="table"),
    pytest.param("\\input{x}", id="tex"),
    pytest.param("</div><script>alert(1)</script>", id="close-div"),
    pytest.param("{: onclick=alert(1) }", id="attr-list"),
    pytest.param("[^1]: footnote", id="footnote"),
    pytest.param("\n---\ntitle: x\n---\n", id="front-matter"),
    pytest.param("\n...\n", id="yaml-end"),
]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "href":
                self.hrefs.append(value or "")
            if name.startswith("on") or name in {"src", "style"}:
                self.handlers.append(name)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_safe(page: str) -> _Collector:
    body, front = meta.get_data(page)
    assert set(front) >= {"title", "key", "papershelf"}
    html = markdown.markdown(body, extensions=EXTENSIONS)
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    collector = _Collector()
    collector.feed(html)
    assert collector.handlers == []
    assert not set(collector.tags) - {
        "h1",
        "h2",
        "p",
        "a",
        "div",
        "pre",
        "code",
        "span",
        "em",
    }
    for href in collector.hrefs:
        assert href.startswith(("https://", "http://", "../")), href
    return collector


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("field", ["title", "abstract", "authors", "organization", "tags"])
def test_hostile_text_is_shown_as_text(field: str, text: str) -> None:
    base = own_entries()[0]
    value: object = (text, "Ann Other") if field in {"authors", "tags"} else text
    entry = dataclasses.replace(base, **{field: value})
    page = render_paper_page(entry, tag_labels={})
    collector = assert_safe(page)
    shown = re.sub(r"\s+", " ", "".join(collector.text))
    assert re.sub(r"\s+", " ", text).strip() in shown
    _, front = meta.get_data(page)
    if field == "title":
        assert front["papershelf"]["title"] == text
        assert "<" not in front["title"]


class _PagefindFields(HTMLParser):
    """Collects the Pagefind metadata and filters of a rendered page: (kind, name, text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str, str]] = []
        self.current: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"data-pagefind-meta", "data-pagefind-filter"} and value:
                self.current = (name.removeprefix("data-pagefind-"), value)
                self.fields.append((*self.current, ""))

    def handle_endtag(self, tag: str) -> None:
        self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            kind, name, text = self.fields[-1]
            self.fields[-1] = (kind, name, text + data)


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize(
    ("field", "pagefind"),
    [
        pytest.param("title", ("meta", "title"), id="title"),
        pytest.param("organization", ("meta", "organization"), id="organization"),
        pytest.param("tags", ("filter", "tag"), id="tags"),
    ],
)
def test_hostile_text_reaches_pagefind_as_text(
    field: str, pagefind: tuple[str, str], text: str
) -> None:
    value: object = (text,) if field == "tags" else text
    entry = dataclasses.replace(own_entries()[0], **{field: value})
    page = render_paper_page(entry, tag_labels={})
    parser = _PagefindFields()
    parser.feed(markdown.markdown(meta.get_data(page)[0], extensions=EXTENSIONS))
    values = [found for kind, name, found in parser.fields if (kind, name) == pagefind]
    assert values == [re.sub(r"\s+", " ", text).strip()]


def test_hostile_library_pages_are_safe() -> None:
    entries = read_library((DATA / "hostile.bib").read_text(encoding="utf-8"), source="hostile.bib")
    for entry in entries:
        page = render_paper_page(entry)
        collector = assert_safe(page)
        shown = "".join(collector.text)
        assert entry.title in shown
    first = render_paper_page(entries[0])
    assert "javascript:alert(1)" in "".join(assert_safe(first).text)  # as text, not as a link
    assert 'href="javascript' not in markdown.markdown(
        meta.get_data(first)[0], extensions=EXTENSIONS
    )
    assert "data:text" not in first.split('<code class="language-bibtex">')[0]
    assert "[Project page](http://evil.example/%22onmouseover=alert%286%29)" in first


def test_bibtex_block_cannot_be_closed_by_the_entry() -> None:
    entries = read_library((DATA / "hostile.bib").read_text(encoding="utf-8"), source="hostile.bib")
    page = render_paper_page(entries[1])
    assert "&lt;/code&gt;&lt;/pre&gt;&lt;/div&gt;" in page or "&lt;/div&gt;" in page
    html = markdown.markdown(meta.get_data(page)[0], extensions=EXTENSIONS)
    collector = _Collector()
    collector.feed(html)
    assert collector.tags.count("pre") == 2  # the BibTeX block and the cite block
    assert "</div>\n<script>alert(7)</script>" in "".join(collector.text)


# --- paths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "path"),
    [
        pytest.param("cheng2024breaking", "papers/cheng2024breaking.md", id="ours"),
        pytest.param("Li2020", "papers/Li2020.md", id="jabref"),
        pytest.param("NIPS2009_0188e8b8", "papers/NIPS2009_0188e8b8.md", id="underscore"),
        pytest.param(
            "DBLP:journals/corr/abs-2104-02057",
            "papers/DBLP-journals-corr-abs-2104-02057-{hash}.md",
            id="dblp",
        ),
        pytest.param("smith_testing_????", "papers/smith_testing_-{hash}.md", id="question-marks"),
        pytest.param("..", "papers/entry-{hash}.md", id="dots-only"),
        pytest.param(
            "a-b-3ec69c85", "papers/a-b-3ec69c85-{hash}.md", id="looks-like-a-hashed-name"
        ),
        pytest.param("k" * 300, "papers/" + "k" * 100 + "-{hash}.md", id="too-long"),
        pytest.param("k" * 100, "papers/" + "k" * 100 + ".md", id="longest-kept"),
    ],
)
def test_paper_page_path(key: str, path: str) -> None:
    path = path.format(hash=hashlib.sha1(key.encode()).hexdigest()[:8])
    assert paper_page_path(key) == path
    assert bib_download_path(key) == path.replace("papers/", "bib/").replace(".md", ".bib")


def test_unsafe_keys_get_distinct_slugs() -> None:
    assert entry_slug("a:b") != entry_slug("a/b")


def test_a_safe_key_never_takes_the_name_of_a_hashed_one() -> None:
    # `a/b` becomes `a-b-3ec69c85`: a key spelled so must get another name.
    assert entry_slug("a/b") == "a-b-3ec69c85"
    assert entry_slug("a-b-3ec69c85") != entry_slug("a/b")


_KEY_TEXT = st.text(
    st.one_of(st.sampled_from("abAB019-_:/.? "), st.characters(blacklist_categories=("Cs",))),
    min_size=1,
    max_size=130,
)


@settings(max_examples=500, deadline=None)
@given(first=_KEY_TEXT, data=st.data())
def test_distinct_keys_get_distinct_bounded_names(first: str, data: st.DataObject) -> None:
    # The second key is random, or spelled like the name the first one gets.
    second = data.draw(
        st.one_of(_KEY_TEXT, st.just(entry_slug(first)), st.just(entry_slug(first).upper()))
    )
    for key in (first, second):
        slug = entry_slug(key)
        assert re.fullmatch(r"[A-Za-z0-9_-]+", slug)
        assert len(slug) <= 109
    # Distinct even on a file system that folds case, unless the keys differ only in case.
    if first.lower() != second.lower():
        assert entry_slug(first).lower() != entry_slug(second).lower()


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[a-z0-9]{1,100}", fullmatch=True))
def test_keys_papershelf_writes_keep_their_names(key: str) -> None:
    assert entry_slug(key) == key


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        pytest.param(
            "Smith2020",
            "bib/papers.bib:9: citation key 'Smith2020' would share the page "
            "papers/smith2020.md with 'smith2020' (bib/papers.bib:1)",
            id="case-only",
        ),
    ],
)
def test_keys_that_would_share_a_page_stop_the_run(second: str, expected: str) -> None:
    library = (
        "@misc{smith2020,\n  title = {One},\n  year = {2020},\n}\n\n"
        "% another\n\n\n"
        f"@misc{{{second},\n  title = {{Two}},\n  year = {{2020}},\n}}\n"
    )
    # Read apart: the library's check refuses the two keys in one file before any page is made.
    first, separator, rest = library.partition("% another")
    entries = read_library(first, source="bib/papers.bib") + read_library(
        "\n" * first.count("\n") + separator + rest, source="bib/papers.bib"
    )
    with pytest.raises(LibraryError) as raised:
        render_pages(entries, {}, tag_labels={})
    assert expected in str(raised.value)


# --- notes ----------------------------------------------------------------------------------------

NOTES = [
    pytest.param(
        "\nMy **notes** on Müller — 日本語 🚀  \n  indented   \n\n", id="unicode-trailing-spaces"
    ),
    pytest.param("\r\nWindows line\r\n", id="crlf"),
    pytest.param("", id="empty"),
    pytest.param(" inline ", id="inline"),
    pytest.param("\n```python\nprint('x')\n```\n<!-- a comment -->\n", id="code-and-comment"),
]


@pytest.mark.parametrize("notes", NOTES)
def test_notes_survive_regeneration_byte_for_byte(notes: str) -> None:
    entry = own_entries()[0]
    page = render_paper_page(entry, tag_labels=TAG_LABELS, notes=notes)
    path = paper_page_path(entry.key)
    changed = dataclasses.replace(entry, upvotes=99, counts_date=dt.date(2025, 11, 2))
    new = render_pages([changed], {path: page}, tag_labels=TAG_LABELS).pages[path]
    assert extract_notes(new) == notes
    assert "▲ 99 upvotes" in new
    assert new.endswith(f"{NOTES_START}{notes}{NOTES_END}\n")
    again = render_pages([changed], {path: new}, tag_labels=TAG_LABELS).pages[path]
    assert again == new


def test_new_page_has_an_empty_notes_section() -> None:
    entry = own_entries()[1]
    pages = render_pages([entry], {}, tag_labels={}).pages
    assert list(pages) == ["papers/offline2025optimization.md"]
    assert extract_notes(pages["papers/offline2025optimization.md"]) == "\n\n"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda page: page.replace(NOTES_END, ""), id="end-missing"),
        pytest.param(lambda page: page.replace(NOTES_START, ""), id="start-missing"),
        pytest.param(
            lambda page: page.replace(NOTES_START, "").replace(NOTES_END, NOTES_START), id="swapped"
        ),
        pytest.param(lambda page: page + NOTES_START + "\nmore\n", id="two-starts"),
        pytest.param(lambda page: "my own page, written by hand\n", id="no-markers"),
    ],
)
def test_damaged_markers_keep_the_whole_old_page(damage) -> None:
    entry = own_entries()[0]
    path = paper_page_path(entry.key)
    old = damage(render_paper_page(entry, notes="\nprecious 🚀 note  \n"))
    assert extract_notes(old) is None
    new = render_pages([entry], {path: old}, tag_labels={}).pages[path]
    notes = extract_notes(new)
    assert notes is not None
    retired = old.replace("<!-- papershelf:notes:", "<!-- papershelf:old-notes:")
    assert retired in notes
    assert "did not find intact notes markers" in notes
    # Stable from then on: the rescued text is ordinary notes, not rescued again.
    assert render_pages([entry], {path: new}, tag_labels={}).pages[path] == new


@pytest.mark.parametrize(
    ("page", "notes"),
    [
        pytest.param(f"a\n{NOTES_START}x y{NOTES_END}\nb", "x y", id="intact"),
        pytest.param(f"{NOTES_START}x{NOTES_END}", "x", id="whole-text"),
        pytest.param(f"a\r\n{NOTES_START}\r\nx\r\n{NOTES_END}\r\n", "\r\nx\r\n", id="crlf"),
        pytest.param(f"a\n{NOTES_END}\nx\n{NOTES_START}\nb", None, id="swapped"),
        pytest.param("no markers", None, id="none"),
        pytest.param(f"a {NOTES_START}x{NOTES_END}\n", None, id="start-inside-a-line"),
        pytest.param(f"{NOTES_START}x{NOTES_END} b\n", None, id="end-inside-a-line"),
        pytest.param(
            f"{NOTES_START}\nsee {NOTES_START} and {NOTES_END} here\n{NOTES_END}\n",
            f"\nsee {NOTES_START} and {NOTES_END} here\n",
            id="marker-text-inside-notes",
        ),
        pytest.param(f"{NOTES_START}\na{NOTES_END}\nb{NOTES_END}\n", None, id="two-ends"),
        pytest.param(f"x {NOTES_END}\n{NOTES_START}\na{NOTES_END}\n", "\na", id="end-before"),
    ],
)
def test_extract_notes(page: str, notes: str | None) -> None:
    assert extract_notes(page) == notes


def test_code_block_is_literal_under_preprocessors() -> None:
    # pymdownx.superfences finds fences even inside raw HTML; mkdocs-macros reads {{ }}.
    bibtex = (
        "@misc{x,\n  abstract = {One.\n\n  ```js\n  alert(1)\n  ```\n\n  ~~~\n"
        '  {{ config }} {% x %} --8<-- "/etc/passwd"}\n}'
    )
    block = code_block(bibtex, "bibtex", search=False)
    for mark in ("```", "~~~", "{{", "{%", "--8<"):
        assert mark not in block
    rendered = markdown.markdown(f"# T\n\n{block}\nafter\n", extensions=EXTENSIONS)
    code = rendered.split('<code class="language-bibtex">')[1].split("</code>")[0]
    assert "<span" not in code
    assert html_module.unescape(code) == bibtex


# --- marker text in entry values ------------------------------------------------------------------

MARKER_TEXTS = [
    pytest.param(f"Evil {NOTES_END} title", id="end-marker"),
    pytest.param(f"Evil {NOTES_START} title", id="start-marker"),
    pytest.param(f"{NOTES_END}", id="end-marker-alone"),
    pytest.param(f"a {NOTES_START}\n{NOTES_END} b", id="both-markers"),
    pytest.param("<!-- papershelf:notes:", id="marker-prefix"),
]


def regenerate(entry: BibEntry, old: str | None, **options) -> str:
    """Return the page of `entry` rendered over the current page text `old` (None: no page)."""
    path = paper_page_path(entry.key)
    existing = {} if old is None else {path: old}
    return render_pages([entry], existing, tag_labels={}, **options).pages[path]


@pytest.mark.parametrize("text", MARKER_TEXTS)
@pytest.mark.parametrize("field", ["title", "authors", "organization", "abstract", "tags"])
def test_marker_text_in_any_value_is_inert(field: str, text: str) -> None:
    base = own_entries()[0]
    value: object = (text, "Ann Other") if field in {"authors", "tags"} else text
    entry = dataclasses.replace(base, **{field: value})
    first = regenerate(entry, None)
    # papershelf's own two markers are the only ones in the page, and the notes are intact.
    assert first.count(NOTES_START) == 1
    assert first.count(NOTES_END) == 1
    assert extract_notes(first) == "\n\n"
    page = first
    for _ in range(4):
        page = regenerate(entry, page)
        assert page == first
    _, front = meta.get_data(first)
    if field == "title":
        assert front["papershelf"]["title"] == text
    if field == "authors":
        assert front["papershelf"]["authors"] == [text, "Ann Other"]
    if field == "organization":
        assert front["papershelf"]["organization"] == text


_FRAGMENTS = st.sampled_from(
    [
        NOTES_START,
        NOTES_END,
        "<!--",
        "-->",
        "papershelf:notes:",
        "---",
        "...",
        "\n",
        "\r\n",
        "\r",
        "\n---\n",
        ": ",
        "- ",
        "? ",
        "#",
        "'",
        '"',
        "{",
        "}",
        "[",
        "]",
        "&a",
        "*a",
        "!",
        "|",
        ">",
        "%",
        "@",
        "`",
        "\t",
        " ",
        "\x85",
        "\u2028",
        "\ufeff",
        "yes",
        "null",
        "~",
        "é",
        "日本",
    ]
)
_HOSTILE_TEXT = st.lists(
    st.one_of(_FRAGMENTS, st.text(st.characters(blacklist_categories=("Cs",)), max_size=4)),
    max_size=8,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    title=_HOSTILE_TEXT,
    authors=st.lists(_HOSTILE_TEXT, max_size=3),
    organization=st.one_of(st.none(), _HOSTILE_TEXT),
    abstract=_HOSTILE_TEXT,
    tags=st.lists(_HOSTILE_TEXT, max_size=3),
    doi=st.one_of(st.none(), _HOSTILE_TEXT),
    key=st.text(st.sampled_from("<!-->papershelf:notes:start-end.Ab0/"), min_size=1),
)
def test_regeneration_is_a_fixed_point_for_any_values(
    title: str,
    authors: list[str],
    organization: str | None,
    abstract: str,
    tags: list[str],
    doi: str | None,
    key: str,
) -> None:
    entry = dataclasses.replace(
        own_entries()[0],
        key=key,
        title=title,
        authors=tuple(authors),
        organization=organization,
        abstract=abstract,
        tags=tuple(tags),
        doi=doi,
    )
    first = regenerate(entry, None)
    assert extract_notes(first) == "\n\n"
    page = first
    for _ in range(3):
        page = regenerate(entry, page)
        assert page == first
    _, front = meta.get_data(first)
    assert front["key"] == key
    assert front["papershelf"]["title"] == (title or key)
    assert front["papershelf"].get("authors", []) == authors
    assert front["papershelf"].get("organization") == organization
    assert front["papershelf"].get("doi") == doi


def test_marker_text_inside_a_line_of_the_notes_is_just_notes() -> None:
    entry = own_entries()[0]
    notes = f"\nI wrote `{NOTES_END}` and `{NOTES_START}` in a sentence.\n"
    page = render_paper_page(entry, notes=notes)
    assert extract_notes(page) == notes
    assert regenerate(entry, page) == page


# --- text a person added outside the notes -------------------------------------------------------

OUTSIDE_EDITS = [
    pytest.param(
        lambda page: page.replace("## BibTeX\n", "My remark after the abstract.\n\n## BibTeX\n"),
        "My remark after the abstract.",
        id="after-the-abstract",
    ),
    pytest.param(
        lambda page: page + "\nA line after the end marker.\n",
        "A line after the end marker.",
        id="after-the-end-marker",
    ),
    pytest.param(
        lambda page: page.replace("render_macros: false\n", "render_macros: false\nhide: [toc]\n"),
        "hide: [toc]",
        id="in-the-front-matter",
    ),
    pytest.param(
        lambda page: page.replace("where larger batch sizes", "where LARGER batch sizes"),
        "where LARGER batch sizes",
        id="an-edited-abstract",
    ),
]


TODAY = dt.date(2026, 12, 2)


def refresh(entry: BibEntry, old: str) -> tuple[str, tuple[str, ...]]:
    """Return the page rendered over `old`, and its notices as `file:line: message` lines."""
    path = paper_page_path(entry.key)
    result = render_pages([entry], {path: old}, tag_labels={}, today=TODAY)
    return result.pages[path], tuple(str(notice) for notice in result.notices)


@pytest.mark.parametrize(("edit", "added"), OUTSIDE_EDITS)
def test_text_added_outside_the_notes_is_moved_into_them(edit, added: str) -> None:
    entry = own_entries()[0]
    edited = edit(render_paper_page(entry, notes="\nmine\n"))
    new, notices = refresh(entry, edited)
    notes = extract_notes(new)
    assert notes is not None
    assert notes.startswith("\nmine\n")
    assert "\n### Kept from outside the notes (2026-12-02)\n" in notes
    assert added in notes
    line = next(n for n, text in enumerate(edited.split("\n"), start=1) if added in text)
    assert notices == (
        f"papers/cheng2024breaking.md:{line}: text outside the notes markers was moved into the "
        "notes, under 'Kept from outside the notes (2026-12-02)': papershelf rewrites everything "
        "outside the markers",
    )
    # Idempotent from then on: the kept text is ordinary notes, and the page is papershelf's.
    assert refresh(entry, new) == (new, ())


def test_a_page_nobody_edited_keeps_nothing_when_the_entry_changes() -> None:
    entry = own_entries()[0]
    page = render_paper_page(entry, notes="\nmine\n")
    changed = dataclasses.replace(entry, upvotes=99, title="A new title", abstract="Other.")
    new, notices = refresh(changed, page)
    assert notices == ()
    assert new == render_paper_page(changed, notes="\nmine\n")


@pytest.mark.parametrize(
    "touch",
    [
        pytest.param(lambda page: page.replace("\n", "\r\n"), id="crlf-everywhere"),
        pytest.param(lambda page: page.replace("\n\n", "\n \n\n\n"), id="blank-lines"),
        pytest.param(lambda page: page.replace("## Abstract\n", "## Abstract  \n"), id="spaces"),
        pytest.param(lambda page: page.removesuffix("\n"), id="no-final-newline"),
    ],
)
def test_an_editor_touching_whitespace_has_not_edited_the_page(touch) -> None:
    entry = own_entries()[0]
    touched = touch(render_paper_page(entry, notes="\nmine\n"))
    new, notices = refresh(entry, touched)
    assert notices == ()
    assert extract_notes(new) == extract_notes(touched)


def test_a_page_without_checksum_keeps_only_what_papershelf_would_not_write() -> None:
    # Pages written before the checksum: no line is known to be papershelf's, so every line the
    # new page lacks is kept; an untouched one keeps nothing.
    entry = own_entries()[0]
    page = render_paper_page(entry, notes="\nmine\n")
    legacy = re.sub(r"  page_checksum: .*\n", "", page)
    assert refresh(entry, legacy) == (page, ())
    new, notices = refresh(entry, legacy.replace("## BibTeX\n", "Mine too.\n\n## BibTeX\n"))
    assert "\n\nMine too.\n" in (extract_notes(new) or "")
    assert len(notices) == 1


def test_a_page_with_damaged_markers_gets_a_notice() -> None:
    entry = own_entries()[0]
    page = render_paper_page(entry, notes="\nmine\n").replace(NOTES_END, "")
    _, notices = refresh(entry, page)
    assert notices == (
        "papers/cheng2024breaking.md: the notes markers are missing or damaged, so the whole "
        "previous page was kept in the notes; keep what you need between the markers and delete "
        "the rest",
    )


def test_kept_text_follows_the_line_ends_of_the_notes() -> None:
    entry = own_entries()[0]
    page = render_paper_page(entry, notes="\r\nmine\r\n")
    new, _ = refresh(entry, page + "added\r\nsecond\r\n")
    notes = extract_notes(new) or ""
    assert notes.startswith("\r\nmine\r\n\r\n### Kept from outside the notes (2026-12-02)\r\n")
    assert notes.endswith("\r\n\r\nadded\r\nsecond\r\n\r\n")
    assert "\r\n" not in notes.replace("\r\n", "")  # no lone line ends mixed in
    assert refresh(entry, new) == (new, ())


def test_marker_text_moved_in_from_outside_is_retired() -> None:
    entry = own_entries()[0]
    page = render_paper_page(entry).replace("## BibTeX\n", f"x {NOTES_END}\n\n## BibTeX\n")
    new, _ = refresh(entry, page)
    assert "x <!-- papershelf:old-notes:end -->" in (extract_notes(new) or "")
    assert refresh(entry, new) == (new, ())


@pytest.mark.parametrize(
    ("change", "edited"),
    [
        pytest.param(lambda page: page, False, id="untouched"),
        pytest.param(lambda page: page.replace("\n", "\r\n"), False, id="crlf"),
        pytest.param(lambda page: page.replace(NOTES_START, ""), True, id="markers-damaged"),
        pytest.param(lambda page: page + "more\n", True, id="text-after-the-notes"),
        pytest.param(lambda page: re.sub(r"  page_checksum: .*\n", "", page), False, id="legacy"),
        pytest.param(lambda page: "# My own page\n", False, id="written-by-hand"),
    ],
)
def test_edited_outside_notes(change, edited: bool) -> None:
    page = render_paper_page(own_entries()[0], notes="\nmine\n")
    assert edited_outside_notes(change(page)) is edited


# --- foreign entries in full, and what the BibTeX block leaves out ------------------------------

PRIVATE_LIBRARY = (DATA / "private_fields.bib").read_text(encoding="utf-8")


def private_entries() -> dict[str, BibEntry]:
    return {e.key: e for e in read_library(PRIVATE_LIBRARY, source="private_fields.bib")}


@pytest.mark.parametrize(
    ("key", "venue"),
    [
        pytest.param(
            "vaswani2017attention",
            "*Journal of Transformer Studies*, vol. 30, no. 4, pp. 5998\u20136008, "
            "Curran Associates",
            id="article",
        ),
        pytest.param(
            "he2016deep",
            "In *Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition*, "
            "pp. 770\u2013778, IEEE",
            id="inproceedings",
        ),
        pytest.param("doe2020thesis", "PhD thesis, Stanford University", id="phdthesis"),
        pytest.param("knuth1984texbook", "Addison-Wesley, ISBN 0-201-13447-0", id="book-with-isbn"),
    ],
)
def test_foreign_entry_pages_show_where_it_was_published(key: str, venue: str) -> None:
    entry = private_entries()[key]
    assert venue_line(entry) == venue
    page = render_paper_page(entry)
    assert f"\n{venue}\n" in page
    if entry.doi:
        assert f"[DOI](https://doi.org/{entry.doi}){{ .md-button .papershelf-button }}" in page


def test_venue_text_is_escaped() -> None:
    entry = dataclasses.replace(
        private_entries()["vaswani2017attention"], journal="<b>J</b> *x*", volume="[1](x)"
    )
    html = markdown.markdown(venue_line(entry), extensions=EXTENSIONS)
    assert "<b>" not in html
    assert "<a " not in html
    assert html.count("<em>") == 1  # papershelf's own, around the journal
    text = html_module.unescape(re.sub(r"<[^>]+>", "", html))
    assert text.startswith("<b>J</b> *x*, vol. [1](x), no. 4")


def test_bibtex_block_leaves_out_private_and_own_fields() -> None:
    for entry in [*private_entries().values(), *own_entries()]:
        page = render_paper_page(entry)
        block = html_module.unescape(page.split('class="language-bibtex">')[1].split("</code>")[0])
        assert "PRIVATE" not in block, entry.key
        names = {line.split("=")[0].strip().lower() for line in block.splitlines() if "=" in line}
        assert names.isdisjoint(OWN_FIELDS), entry.key
        assert "title" in names, entry.key
        # Told otherwise, the block shows the private fields, never papershelf's own.
        shown = render_paper_page(entry, exclude_fields=())
        assert ("PRIVATE" in shown) == (entry.key in private_entries()), entry.key
        assert "upvotes       = " not in html_module.unescape(shown)
