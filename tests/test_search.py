"""Pagefind search: the markup `add_search` puts into pages, the indexer's errors, the plugin's
`search` option through real MkDocs builds (the browser side is in `test_browser.py`)."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.exceptions import PluginError

from papershelf.errors import ToolError
from papershelf.site.search import (
    INSTALL_FIX,
    SCRIPT,
    SCRIPT_TEXT,
    SEARCH_BUTTON,
    STYLESHEET,
    STYLESHEET_TEXT,
    IndexReport,
    add_search,
    check_indexer,
    run_indexer,
)
from test_plugin import KEYS, load, write_site

MATERIAL_PAGE = (
    "<!doctype html><html><head><title>t</title></head><body>"
    '<header class="md-header md-header--shadow" data-md-component="header">'
    '<nav class="md-header__inner md-grid" aria-label="Header"><a class="md-logo"></a>'
    '<div class="md-header__source">repo</div></nav>'
    '<nav class="md-tabs">tabs</nav></header>'
    '<article class="md-content__inner md-typeset"><h1>T</h1><p>text</p></article>'
    "</body></html>"
)
"""The parts of a Material page that `add_search` edits, in Material's markup."""


def test_add_search_puts_the_button_in_materials_header() -> None:
    page = add_search(MATERIAL_PAGE, "../../", index_article=False)
    header = page[page.index("<header") : page.index("</header>")]
    # After the repository link, before the end of the header's own <nav> (not in the tabs).
    assert header.index('<div class="md-header__source">') < header.index(SEARCH_BUTTON)
    assert header.index(SEARCH_BUTTON) < header.index("</nav>") < header.index("md-tabs")
    assert page.count(SEARCH_BUTTON) == 1
    # The dialog closes the body; the stylesheets and the script sit in <head>.
    assert page.index("<pagefind-modal ") > page.index("</article>")
    assert page.index("</pagefind-modal>") < page.index("</body>")
    head = page[: page.index("</head>")]
    assert '<link rel="stylesheet" href="../../pagefind/pagefind-component-ui.css">' in head
    assert f'<link rel="stylesheet" href="../../{STYLESHEET}">' in head
    # Pagefind's script first: deferred scripts run in order, and ours wraps its components.
    ui = head.index('<script src="../../pagefind/pagefind-component-ui.js" defer></script>')
    assert head.index(f'<script src="../../{SCRIPT}" defer></script>') > ui


@pytest.mark.parametrize(
    ("page", "index_article", "marked"),
    [
        pytest.param(MATERIAL_PAGE, True, 1, id="own-page-indexed"),
        pytest.param(MATERIAL_PAGE, False, 0, id="listing-left-out"),
        pytest.param(
            MATERIAL_PAGE.replace("<p>text", "<div data-pagefind-body><p>text</div>"),
            True,
            1,
            id="paper-page-keeps-its-own-marks",
        ),
    ],
)
def test_add_search_marks_the_article_only_when_asked(
    page: str, index_article: bool, marked: int
) -> None:
    result = add_search(page, "./", index_article=index_article)
    assert len(marked_elements(result)) == marked
    article = re.search(r"<article[^>]*>", result)
    assert article is not None
    own_mark = "data-pagefind-body" in article.group(0)
    assert own_mark == (index_article and "data-pagefind-body" not in page)


def test_add_search_without_materials_header_puts_the_button_first() -> None:
    page = add_search("<html><head></head><body><p>x</p></body></html>", "./", index_article=False)
    assert page.index("<body>") + len("<body>") == page.index(SEARCH_BUTTON)
    assert "<pagefind-modal " in page


def test_the_dialog_filters_by_tag_year_and_code() -> None:
    page = add_search(MATERIAL_PAGE, "./", index_article=False)
    assert re.findall(r'<pagefind-filter-dropdown filter="(\w+)"', page) == ["tag", "year", "code"]
    # Results are bounded and show title, authors, date and tags from the page's metadata.
    assert re.search(r'<pagefind-results max-results="\d+"', page)
    for field in ("meta.title", "meta.authors", "meta.date", "meta.tags"):
        assert f"{{{{ {field} }}}}" in page, field


# --- the indexer --------------------------------------------------------------------------------


def fake_python(tmp_path: Path, script: str) -> str:
    """Return a stand-in interpreter: a shell script that plays `python -m pagefind ...`."""
    path = tmp_path / "python"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


NOT_INSTALLED = (
    "Pagefind's indexer is not installed",
    INSTALL_FIX,
    "search: material",
)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param(
            'echo "/usr/bin/python3: No module named pagefind" >&2; exit 1',
            (*NOT_INSTALLED, "No module named pagefind"),
            id="package-missing",
        ),
        pytest.param(
            'echo "Traceback (most recent call last):" >&2; '
            'echo "FileNotFoundError: Could not find pagefind binary" >&2; exit 1',
            (*NOT_INSTALLED, "Could not find pagefind binary"),
            id="binary-missing",
        ),
        pytest.param(
            'echo "Error: Pagefind was not able to build an index" >&2; exit 2',
            (
                "Pagefind's indexer failed",
                "exit status 2",
                "Error: Pagefind was not able to build an index",
                INSTALL_FIX,
            ),
            id="indexer-fails",
        ),
    ],
)
def test_indexer_failures_name_the_fix(
    tmp_path: Path, script: str, expected: tuple[str, ...]
) -> None:
    python = fake_python(tmp_path, script)
    for run in (lambda: run_indexer(tmp_path, python=python), lambda: check_indexer(python=python)):
        with pytest.raises(ToolError) as raised:
            run()
        for fragment in expected:
            assert fragment in str(raised.value)


def test_indexer_without_an_interpreter(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match=re.escape(INSTALL_FIX)):
        run_indexer(tmp_path, python=str(tmp_path / "no-python"))


def test_indexer_reports_the_pages_and_gets_the_site(tmp_path: Path) -> None:
    python = fake_python(tmp_path, 'echo "$@"; echo "  Indexed 3 pages"')
    report = run_indexer(tmp_path / "site", python=python)
    assert report == IndexReport(
        pages=3,
        output=f"-m pagefind --site {tmp_path / 'site'} --exclude-selectors .headerlink\n"
        "  Indexed 3 pages",
    )


def test_the_real_indexer_runs() -> None:
    assert re.fullmatch(r"pagefind \d+\.\d+\.\d+", check_indexer())


# --- the plugin ---------------------------------------------------------------------------------


def html_pages(site_dir: Path) -> dict[str, str]:
    """Return every HTML page of a built site by its path in the site."""
    return {
        path.relative_to(site_dir).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(site_dir.rglob("*.html"))
    }


def marked_elements(page: str) -> list[str]:
    """Return the start tags of a page's elements that Pagefind indexes (`data-pagefind-body`)."""
    return re.findall(r"<[a-z]+\b[^>]*\bdata-pagefind-body\b[^>]*>", page)


@pytest.fixture(scope="module")
def pagefind_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the small test site with the default `search: pagefind` and Material's `search`
    still listed under plugins; return its site folder."""
    root = tmp_path_factory.mktemp("pagefind")
    build(load(write_site(root, {}), strict=True))
    return root / "site"


def test_pagefind_replaces_materials_search(pagefind_site: Path) -> None:
    assert not (pagefind_site / "search" / "search_index.json").exists()
    assert (pagefind_site / "pagefind" / "pagefind-entry.json").is_file()
    assert (pagefind_site / STYLESHEET).read_text(encoding="utf-8") == STYLESHEET_TEXT
    assert (pagefind_site / SCRIPT).read_text(encoding="utf-8") == SCRIPT_TEXT
    pages = html_pages(pagefind_site)
    assert {"index.html", "about/index.html", f"papers/{KEYS[0]}/index.html"} < set(pages)
    for path, page in pages.items():
        if path == "404.html":
            continue
        assert 'data-md-component="search"' not in page, path
        assert page.count(SEARCH_BUTTON) == 1, path
        assert page.count("<pagefind-modal ") == 1, path
        # Every page finds Pagefind's UI script beside the index, wherever it lies.
        script = re.search(r'<script src="([^"]+pagefind-component-ui\.js)"', page)
        assert script is not None, path
        assert (pagefind_site / path).parent.joinpath(script.group(1)).resolve().is_file(), path


def test_pagefind_indexes_papers_abstracts_and_own_pages_not_listings(pagefind_site: Path) -> None:
    pages = html_pages(pagefind_site)
    paper = pages[f"papers/{KEYS[0]}/index.html"]
    # Only the abstract is indexed text; title, authors, date and tags come as metadata.
    bodies = re.findall(r"<div[^>]*data-pagefind-body[^>]*>(.*?)</div>", paper, re.DOTALL)
    assert len(bodies) == 1
    assert "quokkaformer" in bodies[0]
    assert len(marked_elements(paper)) == 1
    meta = dict(re.findall(r'<span data-pagefind-meta="(\w+)">([^<]*)</span>', paper))
    assert meta == {
        "title": "Breaking the Memory Barrier: Near Infinite Batch Size Scaling",
        "authors": "Zesen Cheng, Hang Zhang, Kehan Li",
        "date": "2024-10-22",
        "tags": "Large language models · contrastive-learning",
    }
    filters = re.findall(r'<span data-pagefind-filter="(\w+)">([^<]*)</span>', paper)
    assert filters == [
        ("tag", "Large language models"),
        ("tag", "contrastive-learning"),
        ("year", "2024"),
        ("code", "with code"),
    ]
    assert re.findall(r'<span data-pagefind-sort="(\w+)">([^<]*)</span>', paper) == [
        ("date", "2024-10-22")
    ]
    # The BibTeX block is outside every indexed element and marked ignored besides.
    assert re.search(r'class="papershelf-code papershelf-bibtex"[^>]*data-pagefind-ignore', paper)
    # A page of the site's own is searchable; the generated listings are not.
    assert re.search(r"<article [^>]*data-pagefind-body", pages["about/index.html"])
    for listing in ("index.html", "tags/index.html", "tags/llm/index.html", "timeline/index.html"):
        assert marked_elements(pages[listing]) == [], listing


def test_material_search_stays_as_it_was(tmp_path: Path) -> None:
    build(load(write_site(tmp_path, {"search": "material"}), strict=True))
    site_dir = tmp_path / "site"
    assert (site_dir / "search" / "search_index.json").is_file()
    assert not (site_dir / "pagefind").exists()
    assert not (site_dir / STYLESHEET).exists()
    assert not (site_dir / SCRIPT).exists()
    for path, page in html_pages(site_dir).items():
        assert "<pagefind-" not in page, path
        if path != "404.html":
            assert 'data-md-component="search"' in page, path


def test_a_missing_pagefind_stops_the_build_before_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pagefind's launcher honours PAGEFIND_BINARY_PATH; a path to nothing is a missing binary.
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-pagefind"))
    with pytest.raises(PluginError) as raised:
        load(write_site(tmp_path, {}))
    message = str(raised.value)
    assert message.startswith("papershelf: option 'search': pagefind: ")
    assert f"install it with `{INSTALL_FIX}`" in message


def test_a_failing_indexer_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "pagefind"
    binary.write_text(
        '#!/bin/sh\nif [ "$1" = --version ]; then echo "pagefind 1.5.2"; exit 0; fi\n'
        'echo "Error: the disk is full" >&2\nexit 3\n',
        encoding="utf-8",
    )
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    config = load(write_site(tmp_path, {}))
    with pytest.raises(PluginError) as raised:
        config.plugins.on_post_build(config=config)
    message = str(raised.value)
    assert "Pagefind's indexer failed" in message
    assert "Error: the disk is full" in message
    assert INSTALL_FIX in message
