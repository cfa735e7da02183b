"""The built sites in headless Chromium: search (Pagefind, and Material's), tag pages, buttons,
copy, and hostile input."""

from __future__ import annotations

import functools
import gzip
import http.server
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import pytest
import yaml
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from conftest import DATA, require_tool
from papershelf import BibEntry, LinkKind, default_taxonomy, read_library
from papershelf.bib.fields import OWN_FIELDS
from papershelf.bib.publish import published_text
from papershelf.site.listings import short_authors
from papershelf.site.paper_page import display_authors, display_date, tag_label
from test_site_build import DEMO_CONFIG, demo_entries, material_search_config, mkdocs_build

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TRAP = """
window.__pwned = false;
window.alert = window.confirm = window.prompt = () => { window.__pwned = 'dialog'; };
"""
"""Runs before any page script: a payload that calls a dialog or sets the flag is caught."""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging every request to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        return


def serve(site_dir: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 in a thread; yield its base URL (ending in `/`)."""
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Return a headless Chromium, shared by the module."""
    require_tool("chromium", CHROMIUM)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the demo site once and serve it."""
    site_dir = tmp_path_factory.mktemp("browser-demo") / "site"
    result = mkdocs_build(DEMO_CONFIG, site_dir)
    assert result.returncode == 0, result.stderr
    yield from serve(site_dir)


@pytest.fixture(scope="module")
def material_demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the demo with `search: material` (Material's search plugin) and serve it."""
    root = tmp_path_factory.mktemp("browser-material")
    result = mkdocs_build(material_search_config(root), root / "site")
    assert result.returncode == 0, result.stderr
    yield from serve(root / "site")


HOSTILE_LIBRARIES = [
    path for path in (DATA / "hostile.bib", DATA / "hostile_site.bib") if path.is_file()
]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[BibEntry]]]:
    """Build a site from the hostile libraries; yield its URL and entries."""
    root = tmp_path_factory.mktemp("browser-hostile")
    (root / "docs").mkdir()
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    config.pop("nav")
    config["docs_dir"] = str(root / "docs")
    config["extra_css"] = []
    config["plugins"] = ["search", {"papershelf": {"bib": [str(p) for p in HOSTILE_LIBRARIES]}}]
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = mkdocs_build(config_file, root / "site")
    assert result.returncode == 0, result.stderr
    entries = [
        entry
        for path in HOSTILE_LIBRARIES
        for entry in read_library(path.read_text(encoding="utf-8"), source=path.name)
    ]
    for url in serve(root / "site"):
        yield url, entries


class Visit:
    """A browser page that records console errors, page errors and dialogs."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.context = browser.new_context(base_url=base_url)
        self.context.grant_permissions(
            ["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/")
        )
        self.context.add_init_script(TRAP)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.failed: list[str] = []
        """URLs the pages asked for that answered with an error status."""
        self.requested: list[str] = []
        """Every URL the pages asked for, in order."""
        self.page.on("request", lambda asked: self.requested.append(asked.url))
        self.page.on(
            "response", lambda got: self.failed.append(got.url) if got.status >= 400 else None
        )
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("dialog", self._dialog)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{self.page.url}: {message.text}")

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path: str) -> Page:
        """Open a site path and wait until it has loaded."""
        self.page.goto(path, wait_until="load")
        return self.page

    def assert_clean(self) -> None:
        """Fail when a visited page logged an error, opened a dialog or missed a resource."""
        assert (self.failed, self.errors, self.dialogs) == ([], [], [])

    def close(self) -> None:
        """Close the browser context."""
        self.context.close()


@pytest.fixture
def visit(browser: Browser, demo_url: str) -> Iterator[Visit]:
    """Return a fresh page on the demo site; fail on console errors at the end."""
    session = Visit(browser, demo_url)
    yield session
    session.close()


def entry_with(predicate: Callable[[BibEntry], bool]) -> BibEntry:
    """Return the first demo entry satisfying the predicate."""
    return next(entry for entry in demo_entries() if predicate(entry))


def unique_abstract_word() -> tuple[BibEntry, str]:
    """Return a demo entry and a word of its abstract that no other paper's text shares.

    Pagefind stems words (`experimentation` finds `experiments`), so the word's first six
    letters must stand in no other paper's title, abstract or authors.
    """

    def stems(entry: BibEntry) -> set[str]:
        text = " ".join((entry.title, entry.abstract, *entry.authors)).lower()
        return {word[:6] for word in re.findall(r"[a-z]{6,}", text)}

    counts: dict[str, int] = {}
    for entry in demo_entries():
        for stem in stems(entry):
            counts[stem] = counts.get(stem, 0) + 1
    candidates = [
        (entry, word)
        for entry in demo_entries()
        for word in re.findall(r"[A-Za-z]{7,}", entry.abstract)
        if counts[word[:6].lower()] == 1
    ]
    return max(candidates, key=lambda pair: len(pair[1]))


RESULT = "pagefind-modal li.papershelf-result"
"""A result of the Pagefind dialog once its data has loaded (placeholders have no such class)."""


def pagefind_search(page: Page, term: str) -> int:
    """Open the search dialog from the header, type `term`; return the number of results.

    Waits until the dialog's summary reports on this very term (`3 results for x`, `No results
    for x`), so the count is that of the finished search.
    """
    if not page.locator("pagefind-modal dialog[open]").count():
        page.locator(".md-header pagefind-modal-trigger button").click()
    field = page.locator("pagefind-modal pagefind-input input")
    field.fill("")
    field.press_sequentially(term)
    return settled_count(page, term)


def settled_count(page: Page, term: str) -> int:
    """Wait for the dialog's summary to report a finished search for `term`; return its count."""
    summary = page.locator("pagefind-modal pagefind-summary")
    pattern = re.compile(rf"^(No|\d+) results? for {re.escape(term)}$")
    page.wait_for_function(
        "([selector, source]) => new RegExp(source).test("
        "document.querySelector(selector)?.textContent.trim() ?? '')",
        arg=["pagefind-modal pagefind-summary", pattern.pattern],
    )
    count = re.match(r"\S+", summary.inner_text().strip())
    assert count is not None
    return 0 if count.group(0) == "No" else int(count.group(0))


def shown_results(page: Page, count: int) -> None:
    """Wait until the dialog has rendered `count` results (a few: each loads when in view)."""
    assert 0 < count <= 5
    page.wait_for_function(
        "([selector, count]) => document.querySelectorAll(selector).length === count",
        arg=[RESULT, count],
    )


def result_keys(page: Page) -> list[str]:
    """Return the citation keys of the paper results shown (rendered) in the dialog."""
    hrefs = page.locator(f"{RESULT} a.pf-result-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [m.group(1) for href in hrefs if (m := re.search(r"papers/([^/]+)/", href))]


def test_pagefind_finds_a_paper_by_a_word_of_its_abstract(visit: Visit) -> None:
    target, word = unique_abstract_word()
    page = visit.goto("tags/")
    shown_results(page, pagefind_search(page, word))
    # The one paper among the results (the guide's pages may use the word too).
    assert result_keys(page) == [target.key]
    result = page.locator(RESULT).filter(has=page.locator(f"a[href*='/papers/{target.key}/']"))
    shown = normalised(result.inner_text())
    # The result links the paper (relative to the site, from any page) and shows its facts.
    result.locator("a.pf-result-link").click()
    page.wait_for_url(re.compile(rf"/papers/{target.key}/$"))
    assert shown.startswith(normalised(target.title))
    assert display_date(target) in shown
    assert display_authors(target) in shown
    assert all(label in shown for label in tag_labels(target))
    # The excerpt around the match (Pagefind marks the matching word, maybe another form of it).
    assert word[:6].lower() in shown.lower()
    visit.assert_clean()


def tag_labels(entry: BibEntry) -> list[str]:
    """Return the labels of an entry's tags, as its page and its search result show them."""
    labels = {tag_id: tag.label for tag_id, tag in default_taxonomy().tags.items()}
    return [tag_label(tag, labels) for tag in entry.tags]


def test_one_pagefind_search_runs_at_a_time(visit: Visit) -> None:
    page = visit.goto("")
    # papershelf's script replaced the Component UI's search with its one-at-a-time queue
    # (a Pagefind that renamed the method would leave every search as Pagefind runs it).
    wrapped = page.evaluate(
        "() => { const i = window.PagefindComponents.getInstanceManager().getInstance();"
        " return Object.hasOwn(i, '__search__')"
        " && i.__search__ !== Object.getPrototypeOf(i).__search__; }"
    )
    assert wrapped is True
    # Typed quickly, the last query is the one shown.
    assert pagefind_search(page, "learning") > 0
    visit.assert_clean()


def test_pagefind_tag_filter_narrows_the_results(visit: Visit) -> None:
    entries = demo_entries()
    # A word in many abstracts, among papers of several tags.
    word = "model"
    having = [e for e in entries if re.search(rf"\b{word}", e.abstract, re.IGNORECASE)]
    tag = max(
        sorted({t for e in having for t in e.tags}), key=lambda t: sum(t in e.tags for e in having)
    )
    tagged = next(entry for entry in having if tag in entry.tags)
    label = tag_labels(tagged)[tagged.tags.index(tag)]
    page = visit.goto("")
    everything = pagefind_search(page, word)
    assert everything >= 5
    dropdown = page.locator('pagefind-filter-dropdown[filter="tag"]')
    dropdown.locator(".pf-dropdown-trigger").click()
    dropdown.locator(".pf-dropdown-option", has_text=label).first.click()
    dropdown.locator(".pf-dropdown-trigger").click()
    page.wait_for_function(
        "([selector, before]) => { const t = document.querySelector(selector).textContent;"
        " const n = parseInt(t, 10); return !Number.isNaN(n) && n < before; }",
        arg=["pagefind-modal pagefind-summary", everything],
    )
    narrowed = settled_count(page, word)
    assert 0 < narrowed < everything
    page.locator(RESULT).first.wait_for()
    keys = result_keys(page)
    assert keys
    by_key = {entry.key: entry for entry in entries}
    assert all(tag in by_key[key].tags for key in keys), keys
    visit.assert_clean()


@pytest.mark.parametrize(
    "term",
    [
        pytest.param("eprinttype", id="eprinttype"),
        pytest.param("howpublished", id="howpublished"),
        pytest.param("dateorigin", id="own-field"),
        pytest.param(None, id="citation-key"),
    ],
)
def test_pagefind_does_not_find_bibtex_only_text(visit: Visit, term: str | None) -> None:
    # Each term stands in paper pages' BibTeX blocks (the key in the cite block too) and nowhere
    # else on them; the guide may discuss fields, so results there are fine.
    term = term or demo_entries()[0].key
    assert any(term in entry.bibtex for entry in demo_entries())
    page = visit.goto("")
    count = pagefind_search(page, term)
    page.wait_for_timeout(300)
    assert count == page.locator("pagefind-modal pagefind-results li").count()
    hrefs = page.locator("pagefind-modal pagefind-results a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert [href for href in hrefs if "/papers/" in href] == []
    visit.assert_clean()


def test_pagefind_search_works_on_a_phone(browser: Browser, demo_url: str) -> None:
    target, word = unique_abstract_word()
    context = browser.new_context(
        base_url=demo_url, viewport={"width": 390, "height": 760}, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto("", wait_until="load")
        trigger = page.locator(".md-header pagefind-modal-trigger button")
        box = trigger.bounding_box()
        assert box is not None
        # A button in the header, on screen, about as wide as Material's own search icon.
        assert box["x"] + box["width"] <= 390
        assert box["width"] < 80
        trigger.tap()
        shown_results(page, pagefind_search(page, word))
        dialog = page.locator("pagefind-modal dialog[open]").bounding_box()
        assert dialog is not None
        assert (dialog["width"], dialog["height"]) == (390, 760)
        page.locator(f"{RESULT} a[href*='/papers/{target.key}/']").tap()
        page.wait_for_url(re.compile(rf"/papers/{target.key}/$"))
    finally:
        context.close()


def test_material_search_finds_a_paper_by_a_word_of_its_abstract(
    browser: Browser, material_demo_url: str
) -> None:
    target, word = unique_abstract_word()
    session = Visit(browser, material_demo_url)
    try:
        page = session.goto("")
        search = page.locator("input.md-search__input")
        search.click()
        search.press_sequentially(word)
        hit = page.locator(f".md-search-result__item a[href*='papers/{target.key}/']").first
        hit.wait_for(state="attached", timeout=15000)
        assert target.key in (hit.get_attribute("href") or "")
        assert page.locator("pagefind-modal-trigger").count() == 0
        session.assert_clean()
    finally:
        session.close()


def test_tag_page_lists_exactly_the_tagged_papers(visit: Visit) -> None:
    entries = demo_entries()
    by_tag: dict[str, set[str]] = {}
    for entry in entries:
        for tag in entry.tags:
            by_tag.setdefault(tag, set()).add(entry.key)
    # The largest tag that fits on one page (per_page = 50) exercises the listing best.
    tag = max((t for t, keys in by_tag.items() if len(keys) <= 50), key=lambda t: len(by_tag[t]))
    page = visit.goto(f"tags/{tag}/")
    hrefs = page.locator("article a[href*='papers/']").evaluate_all(
        "links => links.map(a => a.href)"
    )
    listed = {re.search(r"papers/([a-z0-9]+)/", href).group(1) for href in hrefs}
    assert listed == by_tag[tag]
    assert len(by_tag[tag]) >= 2
    visit.assert_clean()


def test_code_button_links_the_repository(visit: Visit) -> None:
    entry = entry_with(lambda e: any(link.kind is LinkKind.CODE for link in e.links))
    code = next(link.url for link in entry.links if link.kind is LinkKind.CODE)
    page = visit.goto(f"papers/{entry.key}/")
    button = page.locator("article a.md-button", has_text=re.compile("^Code")).first
    assert button.get_attribute("href") == code
    visit.assert_clean()


def test_copy_button_copies_the_bibtex_entry(visit: Visit) -> None:
    entry = demo_entries()[0]
    page = visit.goto(f"papers/{entry.key}/")
    block = page.locator(".papershelf-bibtex").first
    block.hover()
    # Material 9.8 names it md-code__button; earlier 9.x releases md-clipboard.
    block.locator("button[data-md-type='copy'], button.md-clipboard").first.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    # The entry as the library has it, less papershelf's own fields (the page shows those).
    assert copied.strip() == published_text(entry.bibtex, OWN_FIELDS).strip()
    assert "pubdate" in entry.bibtex
    assert "pubdate" not in copied
    visit.assert_clean()


def test_listing_pages_load_cleanly(visit: Visit) -> None:
    for path in ("", "tags/", "code/", "timeline/"):
        page = visit.goto(path)
        assert page.locator("article h1").count() >= 1, path
    visit.assert_clean()


# --- related papers and feeds ------------------------------------------------------------------

WORD = re.compile(r"[a-z]{4,}")


def content_words(page: Page) -> set[str]:
    """Return the words of four letters or more of a paper page's title and abstract."""
    title = page.locator("article h1").first.inner_text()
    abstract = page.locator("article .papershelf-abstract").first.inner_text()
    return set(WORD.findall(f"{title} {abstract}".lower())) - STOP_WORDS


STOP_WORDS = {"that", "this", "with", "from", "have", "their", "which", "these", "such", "also"}


def test_a_related_paper_link_leads_to_a_paper_sharing_words(visit: Visit, tmp_path: Path) -> None:
    entry = demo_entries()[0]
    page = visit.goto(f"papers/{entry.key}/")
    first_words = content_words(page)
    links = page.locator("article h2#related-papers + ul > li > a")
    assert 1 <= links.count() <= 5
    assert all(
        re.fullmatch(r"\.\./[a-z0-9]+/", href)
        for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    )
    title = links.first.inner_text()
    page.screenshot(path=str(tmp_path / "related-papers.png"), full_page=True)
    links.first.click()
    page.wait_for_load_state("load")
    match = re.search(r"/papers/([a-z0-9]+)/$", page.url)
    assert match is not None, page.url
    assert match.group(1) != entry.key
    assert normalised(page.locator("article h1").first.inner_text()).rstrip("¶").strip() == title
    assert first_words & content_words(page)
    assert (tmp_path / "related-papers.png").read_bytes().startswith(b"\x89PNG")
    visit.assert_clean()


def test_pages_link_the_feeds_and_the_feeds_parse(visit: Visit, demo_url: str) -> None:
    entry = next(e for e in demo_entries() if e.tags)
    tag = entry.tags[0]
    site_url = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))["site_url"]
    for path, expected in [
        ("", ["feed.xml"]),
        (f"papers/{entry.key}/", ["feed.xml"]),
        (f"tags/{tag}/", ["feed.xml", f"tags/{tag}/feed.xml"]),
    ]:
        page = visit.goto(path)
        links = page.locator("head link[rel~='alternate'][type='application/atom+xml']")
        # `href` as the browser resolves it against the page.
        hrefs = links.evaluate_all("links => links.map(link => link.href)")
        assert hrefs == [demo_url + feed for feed in expected], path
        for href, feed_path in zip(hrefs, expected, strict=True):
            answer = page.request.get(href)
            assert answer.ok, href
            feed = feedparser.parse(answer.body())
            assert not feed.bozo, (href, feed.get("bozo_exception"))
            assert feed.feed.id == site_url + feed_path
            assert feed.entries, href
            for item in feed.entries[:3]:
                # Each entry's link is a page of this site: served here under the same path.
                assert item.link.startswith(f"{site_url}papers/"), item.link
                local = demo_url + item.link.removeprefix(site_url)
                assert page.request.get(local).ok, local
    # `rel="alternate feed"`: Material's script, which downloads `sitemap.xml` beside every link
    # whose rel is just `alternate`, asked for no sitemap on any of the three pages.
    assert [url for url in visit.requested if url.endswith("sitemap.xml")] == []
    visit.assert_clean()


# --- hostile input -----------------------------------------------------------------------------


def normalised(text: str) -> str:
    """Return the text with runs of whitespace collapsed."""
    return " ".join(text.split())


def test_hostile_library_executes_nothing(
    browser: Browser, hostile_site: tuple[str, list[BibEntry]]
) -> None:
    url, entries = hostile_site
    assert HOSTILE_LIBRARIES, "no hostile library in tests/data"
    session = Visit(browser, url)
    try:
        paths = ["", "tags/", "code/", "timeline/"]
        paths += [f"papers/{entry.key}/" for entry in entries]
        paths += sorted({f"tags/{tag}/" for entry in entries for tag in entry.tags})
        for path in paths:
            page = session.goto(path)
            # Hover everything so onmouseover payloads would fire too.
            page.evaluate(
                "document.querySelectorAll('article *').forEach(e => "
                "e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))"
            )
            assert page.evaluate("window.__pwned") is False, path
        assert session.dialogs == []
        assert [error for error in session.errors if "pageerror" in error] == []
    finally:
        session.close()


def test_hostile_strings_show_as_text(
    browser: Browser, hostile_site: tuple[str, list[BibEntry]]
) -> None:
    url, entries = hostile_site
    session = Visit(browser, url)
    try:
        for entry in entries:
            page = session.goto(f"papers/{entry.key}/")
            heading = page.locator("article h1").first.inner_text()
            assert normalised(heading).rstrip("¶").strip() == normalised(entry.title), entry.key
            article = normalised(page.locator("article").first.inner_text())
            # The abstract's hostile markup is visible as characters, not interpreted.
            for fragment in re.findall(r"<[a-z]+[^>]*>", entry.abstract)[:5]:
                assert normalised(fragment) in article, (entry.key, fragment)
            for author in entry.authors:
                assert normalised(author) in article, (entry.key, author)
            for anchor in page.locator("a[href]").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            ):
                assert not anchor.lower().lstrip().startswith(("javascript:", "data:")), anchor
    finally:
        session.close()


def test_hostile_search_results_show_as_text(
    browser: Browser, hostile_site: tuple[str, list[BibEntry]]
) -> None:
    url, entries = hostile_site
    session = Visit(browser, url)
    try:
        page = session.goto("")
        assert pagefind_search(page, "onerror") >= 1
        page.locator(RESULT).first.wait_for()
        shown = normalised(page.locator("pagefind-modal pagefind-results").inner_text())
        hostile = next(entry for entry in entries if "onerror" in entry.title)
        # The markup in the title and the authors is shown as characters, never run.
        assert normalised(hostile.title) in shown
        assert "<img src=x onerror=alert(3)>" in shown
        assert page.locator("pagefind-modal pagefind-results img").count() == 0
        assert page.evaluate("window.__pwned") is False
        assert session.dialogs == []
    finally:
        session.close()


def test_the_trap_catches_a_payload(browser: Browser, tmp_path: Path) -> None:
    # Proves the hostile-site checks can fail: the same trap on a page that does execute input.
    (tmp_path / "index.html").write_text(
        '<html><body><img src="x" onerror="window.__pwned=\'img\'">'
        "<script>alert(1)</script></body></html>",
        encoding="utf-8",
    )
    for url in serve(tmp_path):
        session = Visit(browser, url)
        try:
            page = session.goto("")
            page.wait_for_function("window.__pwned !== false")
            assert page.evaluate("window.__pwned") in {"img", "dialog"}
        finally:
            session.close()


# --- listings, the phone layout, privacy (docs/guide/site.md) ----------------------------------

LABELS = {tag_id: tag.label for tag_id, tag in default_taxonomy().tags.items()}
PRIVATE_LIBRARY = DATA / "private_fields.bib"
PRIVATE_MARKERS = (b"PRIVATE", b"jabref-meta", b"/home/alice", b"prio1", b"rank5")
"""What the private fields of `private_fields.bib` hold; no built file may show any of it."""


def layout_shift(page: Page) -> float:
    """Return the page's cumulative layout shift so far (Chromium's `layout-shift` entries)."""
    return float(
        page.evaluate(
            """() => new Promise(resolve => {
                let total = 0;
                new PerformanceObserver(list => {
                    for (const entry of list.getEntries()) {
                        if (!entry.hadRecentInput) total += entry.value;
                    }
                }).observe({type: "layout-shift", buffered: true});
                setTimeout(() => resolve(total), 300);
            })"""
        )
    )


CONTRAST = """(element) => {
    const parse = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const channel = (c) => {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
        const [r, g, b, a = 1] = parse(getComputedStyle(node).backgroundColor);
        if (a > 0) layers.push([r, g, b, a]);
        if (a >= 1) break;
    }
    let background = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) {
        background = [r, g, b].map((c, i) => c * a + background[i] * (1 - a));
    }
    const [r, g, b, a = 1] = parse(getComputedStyle(element).color);
    const text = [r, g, b].map((c, i) => c * a + background[i] * (1 - a));
    const [light, dark] = [luminance(text), luminance(background)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
}"""
"""The WCAG contrast ratio of an element's text against the backgrounds behind it, blended."""


def test_listings_show_authors_and_code_badges(visit: Visit, tmp_path: Path) -> None:
    entries = {entry.key: entry for entry in demo_entries()}
    for path in ("", "code/", "tags/llm/", "timeline/"):
        page = visit.goto(path)
        items = page.locator(".papershelf-listing li")
        assert items.count() >= 3, path
        for index in range(items.count()):
            item = items.nth(index)
            href = item.locator("a").first.get_attribute("href") or ""
            entry = entries[re.search(r"papers/([a-z0-9]+)/", href).group(1)]
            byline = " · ".join(p for p in (short_authors(entry), display_date(entry)) if p)
            assert normalised(item.locator(".papershelf-byline").inner_text()) == byline
            codes = set(entry.links_of(LinkKind.CODE))
            badges = item.locator("a.papershelf-code")
            assert badges.count() == (1 if codes else 0), (path, entry.key)
            if codes:
                assert badges.get_attribute("href") in codes
                icon = badges.evaluate(
                    "a => getComputedStyle(a, '::before').webkitMaskImage"
                    " || getComputedStyle(a, '::before').maskImage"
                )
                assert icon.startswith('url("data:image/svg+xml'), icon
            labels = [tag_label(tag, LABELS) for tag in dict.fromkeys(entry.tags)][:3]
            assert item.locator("a.papershelf-chip").all_inner_texts() == labels
        for selector in (".papershelf-byline", "a.papershelf-chip", ".papershelf-count"):
            if page.locator(selector).count():
                ratio = page.locator(selector).first.evaluate(CONTRAST)
                assert ratio >= 4.5, (path, selector, ratio)
        assert layout_shift(page) < 0.1, path
        page.screenshot(path=tmp_path / f"listing-{path.strip('/') or 'home'}.png", full_page=True)
    visit.assert_clean()


def longest_bibtex_entry() -> BibEntry:
    """Return the demo entry whose BibTeX has the longest line (its abstract, as one line)."""
    return max(demo_entries(), key=lambda e: max(len(line) for line in e.bibtex.splitlines()))


def test_the_phone_layout_has_no_horizontal_scroll(
    browser: Browser, demo_url: str, tmp_path: Path
) -> None:
    context = browser.new_context(
        base_url=demo_url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    paper = longest_bibtex_entry()
    for name, path in (("home", ""), ("tag", "tags/llm/"), ("paper", f"papers/{paper.key}/")):
        page.goto(path, wait_until="load")
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=tmp_path / f"phone-{name}.png", full_page=True)
        assert width <= 390, (path, width)
        assert layout_shift(page) < 0.1, path
    # The BibTeX block wraps its long lines instead of scrolling sideways.
    code = page.locator(".papershelf-bibtex pre > code")
    assert code.evaluate("c => c.scrollWidth <= c.clientWidth")
    assert code.evaluate("c => getComputedStyle(c).whiteSpace") == "pre-wrap"
    context.close()


@pytest.fixture(scope="module")
def private_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Build a site (plugin, Pagefind) from a JabRef/Zotero library; yield its URL and folder."""
    root = tmp_path_factory.mktemp("browser-private")
    (root / "docs").mkdir()
    shutil.copy(PRIVATE_LIBRARY, root / "library.bib")
    config = {
        "site_name": "private",
        # With its feeds, which must leak no private field either.
        "site_url": "https://private.example.org/",
        "theme": {"name": "material", "font": False},
        "plugins": [{"papershelf": {"bib": ["library.bib"]}}],
    }
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = mkdocs_build(config_file, root / "site")
    assert result.returncode == 0, result.stderr
    for url in serve(root / "site"):
        yield url, root / "site"


def test_no_private_field_appears_anywhere_in_the_built_site(
    browser: Browser, private_site: tuple[str, Path], tmp_path: Path
) -> None:
    url, site_dir = private_site
    built = [path for path in site_dir.rglob("*") if path.is_file()]
    assert any(path.name == "papers.bib" for path in built)
    assert any(path.parent.name == "pagefind" for path in built)
    assert any(path.name == "feed.xml" for path in built)
    for path in built:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":  # Pagefind's index and fragments are gzipped
            data = gzip.decompress(data)
        for marker in PRIVATE_MARKERS:
            assert marker not in data, (path.relative_to(site_dir), marker)
    session = Visit(browser, url)
    entries = read_library(PRIVATE_LIBRARY.read_text(encoding="utf-8"), source="library.bib")
    for entry in entries:
        page = session.goto(f"papers/{entry.key}/")
        shown = page.content()
        assert "PRIVATE" not in shown, entry.key
        assert page.locator(".papershelf-bibtex").inner_text().startswith("@"), entry.key
        if entry.doi:
            doi = page.locator("article a", has_text=re.compile("^DOI$"))
            assert doi.get_attribute("href") == f"https://doi.org/{entry.doi}"
        page.screenshot(path=tmp_path / f"private-{entry.key}.png", full_page=True)
    page = session.goto("papers/vaswani2017attention/")
    venue = "Journal of Transformer Studies, vol. 30, no. 4, pp. 5998\u20136008, Curran Associates"
    assert page.get_by_text(venue).count() == 1
    session.assert_clean()
    session.close()
