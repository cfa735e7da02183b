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
from mkdocs.utils import meta

from conftest import DATA, INTEROP
from papershelf import BibEntry, read_library
from papershelf.site.markdown import code_block
from papershelf.site.paper_page import (
    NOTES_END,
    NOTES_START,
    extract_notes,
    render_pages,
    render_paper_page,
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
        "{ .md-button .md-button--primary }"
    ) in page
    assert "[Space](https://huggingface.co/spaces/org/demo){ .md-button }" in page
    assert "[Hugging Face page](https://huggingface.co/papers/2410.17243){ .md-button }" in page
    assert (
        "[Diffusion](../tags/diffusion.md) · [Video generation](../tags/video-generation.md)"
        in page
    )
    assert "[Download .bib](../bib/cheng2024breaking.bib)" in page
    html = markdown.markdown(meta.get_data(page)[0], extensions=EXTENSIONS)
    assert '<code class="language-latex">\\cite&#123;cheng2024breaking&#125;</code>' in html
    # The BibTeX block is literal, out of the search index, and never highlighted (no spans).
    bibtex_block = (
        '<div class="papershelf-code papershelf-bibtex" data-search-exclude>'
        '<pre><code class="language-bibtex">@misc&#123;cheng2024breaking,\n'
    )
    assert bibtex_block in html
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
    ],
)
def test_paper_page_path(key: str, path: str) -> None:
    path = path.format(hash=hashlib.sha1(key.encode()).hexdigest()[:8])
    assert paper_page_path(key) == path
    assert bib_download_path(key) == path.replace("papers/", "bib/").replace(".md", ".bib")


def test_unsafe_keys_get_distinct_slugs() -> None:
    assert entry_slug("a:b") != entry_slug("a/b")


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
    new = render_pages([changed], {path: page}, tag_labels=TAG_LABELS)[path]
    assert extract_notes(new) == notes
    assert "▲ 99 upvotes" in new
    assert new.endswith(f"{NOTES_START}{notes}{NOTES_END}\n")
    again = render_pages([changed], {path: new}, tag_labels=TAG_LABELS)[path]
    assert again == new


def test_new_page_has_an_empty_notes_section() -> None:
    entry = own_entries()[1]
    pages = render_pages([entry], {}, tag_labels={})
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
    new = render_pages([entry], {path: old}, tag_labels={})[path]
    notes = extract_notes(new)
    assert notes is not None
    retired = old.replace("<!-- papershelf:notes:", "<!-- papershelf:old-notes:")
    assert retired in notes
    assert "did not find intact notes markers" in notes
    # Stable from then on: the rescued text is ordinary notes, not rescued again.
    assert render_pages([entry], {path: new}, tag_labels={})[path] == new


def test_extract_notes() -> None:
    assert extract_notes(f"a{NOTES_START}x y{NOTES_END}b") == "x y"
    assert extract_notes(f"a{NOTES_END}x{NOTES_START}b") is None
    assert extract_notes("no markers") is None


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
