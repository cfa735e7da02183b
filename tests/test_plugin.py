"""The MkDocs plugin through real MkDocs objects: config validation, files, nav, meta tags."""

from __future__ import annotations

import datetime as dt
import logging
import textwrap
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser
import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.structure.files import Files, InclusionLevel, get_files
from mkdocs.structure.nav import get_navigation

from conftest import DATA, SAMPLE_DIGEST
from papershelf import (
    BibEntry,
    FileKind,
    SiteOptions,
    Source,
    build_site,
    default_taxonomy,
    read_library,
)
from papershelf.site.meta import citation_meta_tags, insert_into_head
from papershelf.site.search import SCRIPT, SCRIPT_TEXT, STYLESHEET, STYLESHEET_TEXT
from papershelf.site.urls import SITE_STYLESHEET

LIBRARY = textwrap.dedent(
    """\
    @misc{cheng2024breaking,
      author       = {Zesen Cheng and Hang Zhang and Kehan Li},
      title        = {Breaking the Memory Barrier: Near Infinite Batch Size Scaling},
      year         = {2024},
      month        = oct,
      howpublished = {arXiv preprint arXiv:2410.17243},
      eprint       = {2410.17243},
      eprinttype   = {arxiv},
      url          = {https://arxiv.org/abs/2410.17243},
      abstract     = {Contrastive loss is a powerful approach; we tile the quokkaformer.},
      keywords     = {llm, contrastive-learning},
      code         = {https://github.com/DAMO-NLP-SG/Inf-CLIP},
      pubdate      = {2024-10-22},
      dateorigin   = {given}
    }

    @misc{offline2025optimization,
      title        = {Offline Optimization with Learned Priors},
      year         = {2025},
      month        = mar,
      abstract     = {Offline optimization has recently emerged as a zebrafish of methods.},
      organization = {OCC},
      keywords     = {llm}
    }
    """
)
KEYS = ("cheng2024breaking", "offline2025optimization")
SITE_URL = "https://shelf.example.org/reading/"
"""Where the small site says it is published: its feeds' ids and links start so."""


def write_site(root: Path, plugin_options: dict[str, Any], *, library: str = LIBRARY) -> Path:
    """Write a small site (mkdocs.yml, docs/about.md, lib.bib) and return its mkdocs.yml."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "about.md").write_text("# About\n\nA hand-written page.\n", encoding="utf-8")
    (root / "lib.bib").write_text(library, encoding="utf-8")
    options = {"bib": ["lib.bib"], **plugin_options}
    site = {
        "site_name": "test shelf",
        "site_url": SITE_URL,
        "theme": {"name": "material", "features": ["content.code.copy"]},
        "plugins": ["search", {"papershelf": options}],
        "markdown_extensions": ["pymdownx.superfences"],
    }
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(site), encoding="utf-8")
    return path


def load(config_file: Path, **overrides: Any) -> MkDocsConfig:
    """Return the validated config, as `mkdocs build` would see it, with on_config applied."""
    config = load_config(str(config_file), site_dir=str(config_file.parent / "site"), **overrides)
    config.plugins.on_startup(command="build", dirty=False)
    return config.plugins.on_config(config)


def collect_files(config: MkDocsConfig) -> Files:
    """Return the site's files after every plugin's on_files, as `mkdocs build` computes them."""
    config.plugins.on_pre_build(config=config)
    return config.plugins.on_files(get_files(config), config=config)


@pytest.fixture
def site(tmp_path: Path) -> Callable[..., Path]:
    """Return a factory writing a site into tmp_path."""

    def make(library: str = LIBRARY, **plugin_options: Any) -> Path:
        return write_site(tmp_path, plugin_options, library=library)

    return make


# --- option validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({"per_page": 0}, "option 'per_page': 0 is too small", id="per_page-zero"),
        pytest.param(
            {"per_page": "ten"}, "option 'per_page': expected a whole number", id="per_page-str"
        ),
        pytest.param(
            {"per_page": True}, "option 'per_page': expected a whole number", id="per_page-bool"
        ),
        pytest.param({"latest": -1}, "option 'latest': -1 is too small", id="latest-negative"),
        pytest.param(
            {"digest_date": "2025-02-30"},
            "option 'digest_date': '2025-02-30' is not a calendar date",
            id="digest_date-impossible",
        ),
        pytest.param(
            {"digest_date": "Oct 30"},
            "option 'digest_date': 'Oct 30' is not a date; write it as YYYY-MM-DD",
            id="digest_date-words",
        ),
        pytest.param(
            {"digests": ["nothing/*.txt"]},
            "option 'digests': 'nothing/*.txt' matches no file",
            id="digests-no-match",
        ),
        pytest.param({"digests": 3}, "option 'digests': expected a list", id="digests-not-list"),
        pytest.param(
            {"digest_format": "pdf"},
            "option 'digest_format': 'pdf' is not a digest format; use one of hf-text,",
            id="digest_format-unknown",
        ),
        pytest.param(
            {"bib": "lib.bib"}, "option 'bib': Expected a list of items", id="bib-not-list"
        ),
        pytest.param(
            {"tags_file": "missing.yaml"}, "option 'tags_file': The path", id="tags_file-missing"
        ),
        pytest.param(
            {"home": "yes"}, "option 'home': Expected type: <class 'bool'>", id="home-not-bool"
        ),
        pytest.param(
            {"search": "lunr"},
            "option 'search': Expected one of: ('pagefind', 'material') but received: 'lunr'",
            id="search-unknown",
        ),
        pytest.param(
            {"publish_exclude_fields": "file"},
            "option 'publish_exclude_fields': expected a list of BibTeX field names",
            id="publish_exclude_fields-not-list",
        ),
        pytest.param(
            {"publish_exclude_fields": ["file", "my field"]},
            "option 'publish_exclude_fields': 'my field' is not a BibTeX field name",
            id="publish_exclude_fields-bad-name",
        ),
    ],
)
def test_invalid_option_is_named(
    site: Callable[..., Path],
    caplog: pytest.LogCaptureFixture,
    options: dict[str, Any],
    expected: str,
) -> None:
    config_file = site(**options)
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        load_config(str(config_file))
    errors = "\n".join(record.getMessage() for record in caplog.records)
    assert f"Plugin 'papershelf' {expected}" in errors


def test_options_resolve_relative_to_mkdocs_yml(site: Callable[..., Path]) -> None:
    config_file = site(digest_date="2025-10-30", per_page=7)
    options = load(config_file).plugins["papershelf"].config
    assert options.bib == [str(config_file.parent / "lib.bib")]
    assert (options.digest_date, options.per_page, options.latest, options.home) == (
        "2025-10-30",
        7,
        20,
        True,
    )


def test_required_markdown_extensions_are_added(site: Callable[..., Path]) -> None:
    config = load(site())
    assert {"attr_list", "md_in_html"} <= set(config.markdown_extensions)


# --- generated files ---------------------------------------------------------------------------


def test_generated_files(site: Callable[..., Path]) -> None:
    files = collect_files(load(site()))
    for key in KEYS:
        page = files.get_file_from_path(f"papers/{key}.md")
        assert page is not None, key
        assert page.generated_by == "papershelf"
        assert page.inclusion is InclusionLevel.NOT_IN_NAV
        assert page.content_string.startswith("---\n"), key
    for overview in ("index.md", "tags/index.md", "code/index.md", "timeline/index.md"):
        generated = files.get_file_from_path(overview)
        assert generated is not None, overview
        assert generated.inclusion.is_in_nav(), overview
    first = files.get_file_from_path(f"papers/{KEYS[0]}.md")
    assert first is not None
    assert "Breaking the Memory Barrier" in first.content_string
    tag_page = files.get_file_from_path("tags/llm.md")
    assert tag_page is not None
    assert tag_page.inclusion is InclusionLevel.NOT_IN_NAV
    assert files.get_file_from_path("about.md") is not None


def test_the_plugin_publishes_what_build_site_generates(site: Callable[..., Path]) -> None:
    config_file = site(per_page=1)
    (config_file.parent / "docs" / "tags").mkdir()
    (config_file.parent / "docs" / "tags" / "llm.md").write_text("# LLMs, mine\n", encoding="utf-8")
    files = collect_files(load(config_file))
    published = {f.src_uri: f.content_string for f in files if f.generated_by == "papershelf"}
    # Besides build_site's files, the Pagefind search box's stylesheet and script.
    assert published.pop(STYLESHEET) == STYLESHEET_TEXT
    assert published.pop(SCRIPT) == SCRIPT_TEXT
    labels = {tag_id: tag.label for tag_id, tag in default_taxonomy().tags.items()}
    expected = build_site(
        read_library(LIBRARY, source="lib.bib"),
        tag_labels=labels,
        options=SiteOptions(per_page=1, site_url=SITE_URL, site_name="test shelf"),
        library_texts=[LIBRARY],
    )
    assert {file.path for file in expected if file.kind is FileKind.FEED} == {
        "feed.xml",
        "tags/llm/feed.xml",
        "tags/contrastive-learning/feed.xml",
    }
    assert list(published) == [file.path for file in expected if file.path != "tags/llm.md"]
    assert published == {f.path: f.content for f in expected if f.path != "tags/llm.md"}
    assert "tags/llm/page-2.md" in published


PRIVATE_LIBRARY = (DATA / "private_fields.bib").read_text(encoding="utf-8")


def test_the_plugin_adds_its_stylesheet_once(site: Callable[..., Path]) -> None:
    config = load(site())
    assert config.extra_css == [SITE_STYLESHEET]
    files = collect_files(config)
    stylesheet = files.get_file_from_path(SITE_STYLESHEET)
    assert stylesheet is not None
    assert ".papershelf-bibtex pre > code" in stylesheet.content_string
    assert "white-space: pre-wrap" in stylesheet.content_string


def test_private_fields_left_out_by_default(site: Callable[..., Path]) -> None:
    files = collect_files(load(site(library=PRIVATE_LIBRARY)))
    published = {f.src_uri: f.content_string for f in files if f.generated_by == "papershelf"}
    assert "bib/vaswani2017attention.bib" in published
    for path, text in published.items():
        assert "PRIVATE" not in text, path
        assert "jabref-meta" not in text, path
    # The public fields of the entry stay, in its download and its page's BibTeX block.
    assert (
        "journal        = {Journal of Transformer Studies}"
        in published["bib/vaswani2017attention.bib"]
    )
    assert (
        "journal        = &#123;Journal of Transformer Studies&#125;"
        in published["papers/vaswani2017attention.md"]
    )


def test_publish_exclude_fields_replaces_the_private_fields(site: Callable[..., Path]) -> None:
    config = load(site(library=PRIVATE_LIBRARY, publish_exclude_fields=["Journal", "owner"]))
    published = {
        f.src_uri: f.content_string for f in collect_files(config) if f.generated_by == "papershelf"
    }
    library = published["bib/papers.bib"]
    assert "Journal of Transformer Studies" not in library
    assert "PRIVATEOWNER" not in library
    # What the option no longer names is published, JabRef's metadata never is.
    assert "PRIVATEFILE1" in library
    assert "jabref-meta" not in library


def test_bib_downloads(site: Callable[..., Path]) -> None:
    files = collect_files(load(site()))
    whole = files.get_file_from_path("bib/papers.bib")
    assert whole is not None
    assert not whole.is_documentation_page()
    assert whole.content_string == LIBRARY
    entries = {entry.key: entry for entry in read_library(LIBRARY, source="lib.bib")}
    for key in KEYS:
        single = files.get_file_from_path(f"bib/{key}.bib")
        assert single is not None, key
        assert single.content_string.strip() == entries[key].bibtex.strip()
        assert single.content_string.startswith(f"@misc{{{key},")


def test_library_download_can_be_switched_off(site: Callable[..., Path]) -> None:
    files = collect_files(load(site(bib_download=False)))
    published = sorted(f.src_uri for f in files if f.src_uri.startswith("bib/"))
    # The one-entry files stay: each paper page links its own.
    assert published == [f"bib/{key}.bib" for key in KEYS]


def test_page_on_disk_wins(site: Callable[..., Path]) -> None:
    config_file = site()
    own = "# My own notes on Inf-CL\n\nHand-written.\n"
    (config_file.parent / "docs" / "papers").mkdir()
    (config_file.parent / "docs" / "papers" / f"{KEYS[0]}.md").write_text(own, encoding="utf-8")
    files = collect_files(load(config_file))
    page = files.get_file_from_path(f"papers/{KEYS[0]}.md")
    assert page is not None
    assert page.generated_by is None
    assert page.content_string == own
    assert page.inclusion is InclusionLevel.NOT_IN_NAV
    other = files.get_file_from_path(f"papers/{KEYS[1]}.md")
    assert other is not None
    assert other.generated_by == "papershelf"


def test_user_index_wins_over_home(site: Callable[..., Path]) -> None:
    config_file = site()
    (config_file.parent / "docs" / "index.md").write_text("# Welcome\n", encoding="utf-8")
    index = collect_files(load(config_file)).get_file_from_path("index.md")
    assert index is not None
    assert (index.generated_by, index.content_string) == (None, "# Welcome\n")


def test_home_option_off(site: Callable[..., Path]) -> None:
    files = collect_files(load(site(home=False)))
    assert files.get_file_from_path("index.md") is None
    assert files.get_file_from_path("tags/index.md") is not None


def test_paper_pages_stay_out_of_the_nav(site: Callable[..., Path]) -> None:
    config = load(site())
    files = collect_files(config)
    nav = get_navigation(files, config)
    in_nav = {page.file.src_uri for page in nav.pages}
    assert not {uri for uri in in_nav if uri.startswith(("papers/", "bib/"))}
    assert {"index.md", "about.md", "tags/index.md", "code/index.md", "timeline/index.md"} <= in_nav
    assert "tags/llm.md" not in in_nav


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        pytest.param(
            "@misc{cheng2024breaking,\n  title = {Again},\n  year = {2024}\n}\n",
            "two.bib:1: citation key 'cheng2024breaking' is already used at lib.bib:1",
            id="duplicate-key-across-files",
        ),
    ],
)
def test_library_problems_raise_plugin_error(
    site: Callable[..., Path], second: str, expected: str
) -> None:
    config_file = site()
    config_file.parent.joinpath("two.bib").write_text(second, encoding="utf-8")
    data = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    data["plugins"][1]["papershelf"]["bib"] = ["lib.bib", "two.bib"]
    config_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(PluginError, match="cannot read the library") as raised:
        collect_files(load(config_file))
    assert expected in str(raised.value)


def test_empty_library_list_names_the_option(site: Callable[..., Path]) -> None:
    with pytest.raises(PluginError, match="papershelf: option 'bib' is empty"):
        load(site(bib=[]))


def test_missing_library_names_the_option(site: Callable[..., Path]) -> None:
    config_file = site()
    config_file.parent.joinpath("lib.bib").unlink()
    with pytest.raises(PluginError) as raised:
        collect_files(load(config_file))
    assert "papershelf: option 'bib': lib.bib does not exist" in str(raised.value)


# --- the built pages ---------------------------------------------------------------------------


class MetaCollector(HTMLParser):
    """Collects `<meta name=... content=...>` pairs of `<head>`, decoded."""

    def __init__(self) -> None:
        super().__init__()
        self.in_head = False
        self.pairs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        elif tag == "meta" and self.in_head:
            values = dict(attrs)
            name = values.get("name") or ""
            if name.startswith("citation_"):
                self.pairs.append((name, values.get("content") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def head_meta(html_text: str) -> list[tuple[str, str]]:
    """Return the citation_* meta tags of the page's <head>, in order."""
    parser = MetaCollector()
    parser.feed(html_text)
    return parser.pairs


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the small site once (in-process, like `mkdocs build --strict`); return site_dir."""
    root = tmp_path_factory.mktemp("built")
    config = load(write_site(root, {}), strict=True)
    build(config)
    return root / "site"


def test_meta_tags_in_head(built_site: Path) -> None:
    page = (built_site / "papers" / KEYS[0] / "index.html").read_text(encoding="utf-8")
    assert head_meta(page) == [
        ("citation_title", "Breaking the Memory Barrier: Near Infinite Batch Size Scaling"),
        ("citation_author", "Zesen Cheng"),
        ("citation_author", "Hang Zhang"),
        ("citation_author", "Kehan Li"),
        ("citation_publication_date", "2024/10/22"),
        ("citation_date", "2024/10/22"),
        ("citation_arxiv_id", "2410.17243"),
        ("citation_pdf_url", "https://arxiv.org/pdf/2410.17243"),
        ("citation_public_url", "https://arxiv.org/abs/2410.17243"),
        ("citation_abstract", "Contrastive loss is a powerful approach; we tile the quokkaformer."),
        # Labels from the shipped taxonomy; an id it does not know stands for itself.
        ("citation_keywords", "Large language models; contrastive-learning"),
    ]


def test_meta_tags_only_on_paper_pages(built_site: Path) -> None:
    for page in ("index.html", "about/index.html", "tags/index.html"):
        assert head_meta((built_site / page).read_text(encoding="utf-8")) == [], page


class FeedLinkCollector(HTMLParser):
    """Collects the `href` of every Atom `<link rel="alternate feed">` of `<head>`."""

    def __init__(self) -> None:
        super().__init__()
        self.in_head = False
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif tag == "link" and self.in_head and values.get("type") == "application/atom+xml":
            # `feed` keeps Material from taking the link for a language version (site/feeds.py).
            assert values.get("rel") == "alternate feed"
            assert values.get("title")
            self.hrefs.append(values.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


@pytest.mark.parametrize(
    ("page", "feeds"),
    [
        pytest.param("index.html", ["feed.xml"], id="home"),
        pytest.param("about/index.html", ["feed.xml"], id="own-page"),
        pytest.param(f"papers/{KEYS[0]}/index.html", ["feed.xml"], id="paper-page"),
        pytest.param("tags/index.html", ["feed.xml"], id="tags-index"),
        pytest.param("tags/llm/index.html", ["feed.xml", "tags/llm/feed.xml"], id="tag-listing"),
        pytest.param("timeline/index.html", ["feed.xml"], id="timeline"),
    ],
)
def test_every_page_links_its_feeds_in_head(built_site: Path, page: str, feeds: list[str]) -> None:
    collector = FeedLinkCollector()
    collector.feed((built_site / page).read_text(encoding="utf-8"))
    page_url = SITE_URL + page.removesuffix("index.html")
    # Relative links, so the site works wherever it is served; each leads to its feed.
    assert [urljoin(page_url, href) for href in collector.hrefs] == [SITE_URL + f for f in feeds]
    for href, feed in zip(collector.hrefs, feeds, strict=True):
        assert "://" not in href
        parsed = feedparser.parse((built_site / feed).read_bytes())
        assert not parsed.bozo
        assert parsed.feed.id == SITE_URL + feed
        assert parsed.feed.title.startswith("test shelf: ")


def test_without_site_url_no_feed_is_written_and_a_warning_says_why(
    site: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    config_file = site()
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    del config["site_url"]
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        files = collect_files(load(config_file))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "papershelf: no Atom feeds were written: feed ids and links must be absolute URLs, and "
        "the site's URL is not known; set site_url in mkdocs.yml, or feeds: false"
    ]
    assert not [f for f in files if f.src_uri.endswith("feed.xml")]
    caplog.clear()
    config["plugins"][1]["papershelf"]["feeds"] = False
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        files = collect_files(load(config_file))
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert not [f for f in files if f.src_uri.endswith("feed.xml")]


def test_meta_tags_without_authors_or_arxiv(built_site: Path) -> None:
    page = (built_site / "papers" / KEYS[1] / "index.html").read_text(encoding="utf-8")
    names = [name for name, _ in head_meta(page)]
    assert names[0] == "citation_title"
    assert "citation_author" not in names
    assert "citation_pdf_url" not in names
    assert ("citation_publication_date", "2025/03") in head_meta(page)


def test_built_downloads(built_site: Path) -> None:
    assert (built_site / "bib" / "papers.bib").read_text(encoding="utf-8") == LIBRARY
    single = (built_site / "bib" / f"{KEYS[1]}.bib").read_text(encoding="utf-8")
    entry = next(e for e in read_library(LIBRARY, source="lib.bib") if e.key == KEYS[1])
    assert single.strip() == entry.bibtex.strip()
    assert "cheng2024breaking" not in single


# --- the meta tag builder ----------------------------------------------------------------------


def make_entry(**fields: Any) -> BibEntry:
    """Return a BibEntry with empty defaults and the given fields."""
    values: dict[str, Any] = {
        "key": "x2025y",
        "entry_type": "misc",
        "title": "T",
        "authors": (),
        "author_count": None,
        "organization": None,
        "date": None,
        "year": None,
        "month": None,
        "abstract": "",
        "tags": (),
        "arxiv_id": None,
        "url": None,
        "doi": None,
        "links": (),
        "upvotes": None,
        "comments": None,
        "counts_date": None,
        "bibtex": "@misc{x2025y,}",
        "source": Source("x.bib", 1),
    }
    values.update(fields)
    return BibEntry(**values)


HOSTILE = "\"><script>window.__pwned=1</script>&amp; 'quoted' <b>"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"title": HOSTILE, "authors": (HOSTILE,), "abstract": HOSTILE},
            [
                ("citation_title", HOSTILE),
                ("citation_author", HOSTILE),
                ("citation_abstract", HOSTILE),
            ],
            id="hostile-text-round-trips",
        ),
        pytest.param(
            {"date": dt.date(2025, 3, 6), "year": 2025, "month": 3, "day": 6},
            [
                ("citation_title", "T"),
                ("citation_publication_date", "2025/03/06"),
                ("citation_date", "2025/03/06"),
            ],
            id="full-date",
        ),
        pytest.param(
            {"date": dt.date(2025, 3, 1), "year": 2025, "month": 3},
            [
                ("citation_title", "T"),
                ("citation_publication_date", "2025/03"),
                ("citation_date", "2025/03"),
            ],
            id="month-without-day",
        ),
        pytest.param(
            {"year": 2023},
            [
                ("citation_title", "T"),
                ("citation_publication_date", "2023"),
                ("citation_date", "2023"),
            ],
            id="year-only",
        ),
        pytest.param(
            {"tags": ("llm", "video-generation"), "doi": "10.1/x"},
            [
                ("citation_title", "T"),
                ("citation_doi", "10.1/x"),
                ("citation_keywords", "Large models; video-generation"),
            ],
            id="labels-and-doi",
        ),
        pytest.param(
            {"url": "javascript:alert(1)"},
            [("citation_title", "T")],
            id="non-http-url-dropped",
        ),
    ],
)
def test_citation_meta_tags(fields: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    tags = citation_meta_tags(make_entry(**fields), tag_labels={"llm": "Large models"})
    assert "<script" not in tags
    assert head_meta(insert_into_head("<html><head></head><body></body></html>", tags)) == expected


def zotero_item_type(pairs: list[tuple[str, str]]) -> str:
    """Return the item type Zotero's Embedded Metadata translator gives a page with these tags.

    Its `init()` (zotero/translators, `Embedded Metadata.js`) walks the meta tags in order: a
    venue tag sets the type (the last one wins), `citation_title` guesses journalArticle unless
    a guess stands, `citation_isbn` guesses book; the type found wins over the guess.
    """
    found = guess = None
    types = {
        "citation_journal_title": "journalArticle",
        "citation_technical_report_institution": "report",
        "citation_conference_title": "conferencePaper",
        "citation_conference": "conferencePaper",
        "citation_book_title": "bookSection",
        "citation_dissertation_institution": "thesis",
    }
    for name, _ in pairs:
        if name in types:
            found = types[name]
        elif name in ("citation_title", "citation_series_title"):
            guess = guess or "journalArticle"
        elif name == "citation_isbn":
            guess = "book"
    return found or guess or "webpage"


VENUE_CASES = [
    pytest.param(
        {
            "entry_type": "article",
            "journal": "J. Mach. Learn. Res.",
            "volume": "25",
            "number": "3",
            "pages": "45\u201367",
            "publisher": "JMLR",
            "doi": "10.1/x",
        },
        [
            ("citation_journal_title", "J. Mach. Learn. Res."),
            ("citation_volume", "25"),
            ("citation_issue", "3"),
            ("citation_firstpage", "45"),
            ("citation_lastpage", "67"),
            ("citation_publisher", "JMLR"),
            ("citation_doi", "10.1/x"),
        ],
        "journalArticle",
        id="article",
    ),
    pytest.param(
        {"entry_type": "inproceedings", "booktitle": "Proc. ICML", "pages": "7"},
        [("citation_conference_title", "Proc. ICML"), ("citation_firstpage", "7")],
        "conferencePaper",
        id="inproceedings",
    ),
    pytest.param(
        {"entry_type": "incollection", "booktitle": "A Book", "publisher": "Springer"},
        [("citation_book_title", "A Book"), ("citation_publisher", "Springer")],
        "bookSection",
        id="incollection",
    ),
    pytest.param(
        {"entry_type": "phdthesis", "institution": "MIT"},
        [("citation_dissertation_institution", "MIT")],
        "thesis",
        id="phdthesis",
    ),
    pytest.param(
        {"entry_type": "techreport", "institution": "CMU", "number": "TR-9"},
        [
            ("citation_technical_report_institution", "CMU"),
            ("citation_technical_report_number", "TR-9"),
        ],
        "report",
        id="techreport-number-is-not-an-issue",
    ),
    pytest.param(
        {"entry_type": "book", "publisher": "Addison-Wesley", "isbn": "0-201-13447-0"},
        [("citation_publisher", "Addison-Wesley"), ("citation_isbn", "0-201-13447-0")],
        "book",
        id="book",
    ),
    pytest.param(
        {"entry_type": "misc", "journal": "Nature"},
        [("citation_journal_title", "Nature")],
        "journalArticle",
        id="misc-with-a-journal",
    ),
    pytest.param(
        {"entry_type": "misc", "arxiv_id": "2410.17243"},
        [
            ("citation_arxiv_id", "2410.17243"),
            ("citation_pdf_url", "https://arxiv.org/pdf/2410.17243"),
        ],
        "journalArticle",
        id="preprint-names-no-venue",
    ),
]


@pytest.mark.parametrize(("fields", "venue", "item_type"), VENUE_CASES)
def test_venue_tags_choose_the_zotero_item_type(
    fields: dict[str, Any], venue: list[tuple[str, str]], item_type: str
) -> None:
    tags = head_meta(
        insert_into_head("<html><head></head></html>", citation_meta_tags(make_entry(**fields)))
    )
    assert tags == [("citation_title", "T"), *venue]
    assert zotero_item_type(tags) == item_type


def test_foreign_entries_read_in_full() -> None:
    text = (DATA / "private_fields.bib").read_text(encoding="utf-8")
    types = {
        entry.key: zotero_item_type(head_meta(f"<head>{citation_meta_tags(entry)}</head>"))
        for entry in read_library(text, source="private_fields.bib")
    }
    assert types == {
        "vaswani2017attention": "journalArticle",
        "he2016deep": "conferencePaper",
        "doe2020thesis": "thesis",
        "knuth1984texbook": "book",
    }


def test_insert_into_head_uses_the_first_head_end() -> None:
    page = "<html><head><title>x</title></head><body><pre>&lt;/head&gt;</head></pre></body></html>"
    assert insert_into_head(page, "<meta>") == page.replace("</head>", "<meta></head>", 1)


# --- the digests option ------------------------------------------------------------------------


def test_digests_are_converted_before_the_build(site: Callable[..., Path]) -> None:
    config_file = site(digests=["digests/*.txt"], bib=["converted.bib"])
    root = config_file.parent
    (root / "digests").mkdir()
    (root / "digests" / "2025-10-30-hf-papers.txt").write_bytes(SAMPLE_DIGEST.read_bytes())
    # The pattern is checked when the config loads, so the digest must exist first.
    files = collect_files(load(config_file))
    library = (root / "converted.bib").read_text(encoding="utf-8")
    entries = read_library(library, source="converted.bib")
    assert len(entries) == 42
    for entry in entries:
        page = files.get_file_from_path(f"papers/{entry.key}.md")
        assert page is not None, entry.key
        assert page.generated_by == "papershelf"
    assert (root / "lib.bib").read_text(encoding="utf-8") == LIBRARY


def test_digest_problems_name_the_option(site: Callable[..., Path]) -> None:
    config_file = site(digests=["digests/*.txt"], bib=["converted.bib"])
    (config_file.parent / "digests").mkdir()
    (config_file.parent / "digests" / "notes.txt").write_text("", encoding="utf-8")
    with pytest.raises(PluginError) as raised:
        collect_files(load(config_file))
    assert "papershelf: option 'digests': cannot convert:" in str(raised.value)
    assert "notes.txt" in str(raised.value)
    assert not (config_file.parent / "converted.bib").exists()


# --- page paths and pages on disk --------------------------------------------------------------

ONE_ENTRY = "@misc{{{key},\n  title = {{Paper {key}}},\n  year = {{2025}},\n}}\n\n"


def test_a_key_longer_than_a_file_name_builds(tmp_path: Path) -> None:
    key = "k" * 300
    config = load(write_site(tmp_path, {}, library=ONE_ENTRY.format(key=key)), strict=True)
    build(config)
    (page,) = (tmp_path / "site" / "papers").iterdir()
    assert len(page.name) <= 109
    assert f"Paper {key}" in (page / "index.html").read_text(encoding="utf-8")


def test_keys_of_one_name_get_pages_of_their_own(site: Callable[..., Path]) -> None:
    keys = ("a/b", "a-b-3ec69c85")
    files = collect_files(load(site("".join(ONE_ENTRY.format(key=key) for key in keys))))
    pages = [f for f in files if f.src_uri.startswith("papers/")]
    downloads = [f for f in files if f.src_uri.startswith("bib/") and f.src_uri != "bib/papers.bib"]
    assert len(pages) == len(downloads) == 2
    for key in keys:
        assert sum(f"key: {key}\n" in page.content_string for page in pages) == 1
        assert sum(f"@misc{{{key}," in bib.content_string for bib in downloads) == 1


def test_keys_differing_only_in_case_raise_plugin_error(site: Callable[..., Path]) -> None:
    library = "".join(ONE_ENTRY.format(key=key) for key in ("Smith2020", "smith2020"))
    with pytest.raises(PluginError) as raised:
        collect_files(load(site(library)))
    # The library's check (papershelf.bib.check) refuses them before any page is planned.
    assert (
        "lib.bib:6: citation key 'smith2020' differs from 'Smith2020' (line 1) only in case"
    ) in str(raised.value)


def test_a_page_linking_outside_the_pages_folder_raises_plugin_error(
    site: Callable[..., Path],
) -> None:
    config_file = site()
    secret = config_file.parent / "secret.txt"
    secret.write_text("not a page\n", encoding="utf-8")
    (config_file.parent / "docs" / "papers").mkdir()
    (config_file.parent / "docs" / "papers" / f"{KEYS[0]}.md").symlink_to(secret)
    with pytest.raises(PluginError) as raised:
        collect_files(load(config_file))
    assert f"papers/{KEYS[0]}.md" in str(raised.value)
    assert "outside" in str(raised.value)


def test_text_outside_the_notes_of_a_page_on_disk_is_a_warning(
    site: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    config_file = site()
    files = collect_files(load(config_file))
    texts = [files.get_file_from_path(f"papers/{key}.md").content_string for key in KEYS]
    pages = config_file.parent / "docs" / "papers"
    pages.mkdir()
    edited = texts[0].replace("## BibTeX\n", "My own remark.\n\n## BibTeX\n")
    (pages / f"{KEYS[0]}.md").write_text(edited, encoding="utf-8")
    (pages / f"{KEYS[1]}.md").write_text(texts[1], encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        collect_files(load(config_file))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert f"papers/{KEYS[0]}.md" in warnings[0]
    assert "outside the notes markers" in warnings[0]


def test_a_digest_date_that_is_no_day_names_the_plugin_option(site: Callable[..., Path]) -> None:
    config_file = site(digests=["digests/*.json"], bib=["converted.bib"])
    (config_file.parent / "digests").mkdir()
    digest = config_file.parent / "digests" / "2025-02-30-papers.json"
    digest.write_text("[]", encoding="utf-8")
    with pytest.raises(PluginError) as raised:
        collect_files(load(config_file))
    assert str(raised.value).endswith(
        f"{digest}: '2025-02-30' in the file name is not a date; rename the file with the "
        "digest's real date, or set the plugin option digest_date (YYYY-MM-DD)"
    )
    assert not (config_file.parent / "converted.bib").exists()


def test_digests_into_a_linked_library_write_through_the_link(site: Callable[..., Path]) -> None:
    config_file = site(digests=["digests/*.txt"], bib=["linked.bib"])
    root = config_file.parent
    (root / "digests").mkdir()
    (root / "digests" / "2025-10-30-hf-papers.txt").write_bytes(SAMPLE_DIGEST.read_bytes())
    (root / "synced").mkdir()
    (root / "synced" / "library.bib").write_text("", encoding="utf-8")
    (root / "linked.bib").symlink_to(Path("synced") / "library.bib")
    files = collect_files(load(config_file))
    assert (root / "linked.bib").is_symlink()
    library = (root / "synced" / "library.bib").read_text(encoding="utf-8")
    entries = read_library(library, source="library.bib")
    assert len(entries) == 42
    assert files.get_file_from_path(f"papers/{entries[0].key}.md") is not None
    assert sorted(path.name for path in (root / "synced").iterdir()) == ["library.bib"]


# --- one check of a library, errors that name the plugin's options --------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            b"@misc{a,\n  title = {Caf\xe9}\n}\n",
            "lib.bib:2: not UTF-8 (byte 0xe9); save the library as UTF-8",
            id="latin-1",
        ),
        pytest.param(
            b"@misc{a,\n  title = {x}\n}\n\x00\x01",
            "lib.bib:4: file holds binary data (a NUL byte); give the library as UTF-8 text",
            id="nul",
        ),
        pytest.param(
            b"@misc{a,\n  title = {ok}\n  year = {2020}\n}\n",
            "lib.bib:2: field 'title' of 'a' runs on into `year = {2020}`: a comma is missing",
            id="missing-comma",
        ),
        pytest.param(
            b"@misc{a,\n  year = {0000}\n}\n",
            "lib.bib:1: field 'year' of 'a' is '0000', which is no year",
            id="year-0000",
        ),
    ],
)
def test_a_library_is_refused_as_convert_refuses_it(
    site: Callable[..., Path], data: bytes, message: str
) -> None:
    config_file = site()
    config_file.parent.joinpath("lib.bib").write_bytes(data)
    with pytest.raises(PluginError) as raised:
        collect_files(load(config_file))
    assert message in str(raised.value)
    assert "codec" not in str(raised.value)


def test_library_warnings_are_logged(
    site: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    library = "@misc{mine,\n  % checked by hand\n  title = {Mine},\n  upvotes = {many}\n}\n"
    with caplog.at_level(logging.WARNING):
        files = collect_files(load(site(library=library)))
    assert files.get_file_from_path("papers/mine.md") is not None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith(
        "papershelf: lib.bib:1: field 'upvotes' of 'mine' is 'many', not a whole number;"
    )
    assert warnings[1].startswith("papershelf: lib.bib:2: entry 'mine' has a `%` line inside it")


def test_digest_format_forces_the_format(site: Callable[..., Path]) -> None:
    # Detected, this digest is no known format; read as the text page, it has no papers.
    config_file = site(digests=["digests/*.txt"], bib=["converted.bib"], digest_format="hf-text")
    (config_file.parent / "digests").mkdir()
    (config_file.parent / "digests" / "notes.txt").write_text("Just notes.\n", encoding="utf-8")
    with pytest.raises(PluginError) as raised:
        collect_files(load(config_file))
    assert "notes.txt: no papers found; is this a Hugging Face papers page?" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        pytest.param(
            "papers.json",
            '[{"paper": {"id": "2510.00001", "title": "A Title"}}]',
            "digest date is unknown",
            id="hf-json-undated",
        ),
        pytest.param(
            "papers.txt",
            "A Title of a Paper\n\nAn abstract.\n\n  \u2022 3 authors\n\u00b7\nMar 6\n",
            "date 'Mar 6' has no year",
            id="hf-text-no-year",
        ),
    ],
)
def test_an_undated_digest_names_the_plugin_option(
    site: Callable[..., Path], name: str, text: str, problem: str
) -> None:
    config_file = site(digests=["digests/*"], bib=["converted.bib"])
    (config_file.parent / "digests").mkdir()
    (config_file.parent / "digests" / name).write_text(text, encoding="utf-8")
    with pytest.raises(PluginError) as raised:
        collect_files(load(config_file))
    message = str(raised.value)
    assert f"{problem}; set the plugin option digest_date (YYYY-MM-DD)" in message
    assert "--date" not in message
    assert not (config_file.parent / "converted.bib").exists()


def test_a_forced_format_of_another_digest_names_the_plugin_option(
    site: Callable[..., Path],
) -> None:
    config_file = site(digests=["digests/*.txt"], bib=["converted.bib"], digest_format="hf-json")
    (config_file.parent / "digests").mkdir()
    (config_file.parent / "digests" / "2025-10-30-hf.txt").write_bytes(SAMPLE_DIGEST.read_bytes())
    with pytest.raises(PluginError) as raised:
        collect_files(load(config_file))
    message = str(raised.value)
    assert "digest_format: hf-json does not recognise this text, which looks like hf-text" in (
        message
    )
    assert "remove the plugin option digest_format to read it as that" in message
    assert "--format" not in message
