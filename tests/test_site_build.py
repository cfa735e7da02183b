"""The demo site (`mkdocs.yml` + `bib/papers.bib`) built by the real `mkdocs build --strict`."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT
from papershelf import BibEntry, read_library
from papershelf.site.urls import SITE_STYLESHEET, not_in_nav_patterns

DEMO_CONFIG = ROOT / "mkdocs.yml"
DEMO_LIBRARY = ROOT / "bib" / "papers.bib"
BIBTEX_ONLY = ("eprinttype", "howpublished", "@misc{")
"""Text that appears in an entry's BibTeX block and nowhere else on its page."""


def mkdocs_build(
    config_file: Path,
    site_dir: Path,
    *,
    env: dict[str, str] | None = None,
    engine: str = "mkdocs",
    python: str = sys.executable,
) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs build --strict` in a subprocess and return its result (output in stderr).

    `env` adds to (or overrides) the environment of the build; `engine` names the module run
    (`properdocs` for ProperDocs' `properdocs build`) and `python` the interpreter running it.
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    command = [python, "-m", engine, "build", "--strict", "-f", str(config_file)]
    return subprocess.run(
        [*command, "--site-dir", str(site_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def demo_entries() -> list[BibEntry]:
    """Return the entries of the demo library."""
    text = DEMO_LIBRARY.read_text(encoding="utf-8")
    return read_library(text, source="bib/papers.bib")


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the demo once (with its Pagefind search); return the site folder."""
    assert DEMO_LIBRARY.is_file(), "bib/papers.bib is missing: run `papershelf convert` first"
    site_dir = tmp_path_factory.mktemp("demo") / "site"
    result = mkdocs_build(DEMO_CONFIG, site_dir)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert warnings == []
    return site_dir


def material_search_config(folder: Path) -> Path:
    """Write the demo's mkdocs.yml with Material's search instead of Pagefind; return it."""
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    config["docs_dir"] = str(DEMO_CONFIG.parent / config.get("docs_dir", "docs"))
    options = {"bib": [str(DEMO_LIBRARY)], "search": "material"}
    config["plugins"] = ["search", {"papershelf": options}]
    config_file = folder / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return config_file


@pytest.fixture(scope="module")
def material_demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the demo with `search: material` and Material's `search` plugin; return the site."""
    root = tmp_path_factory.mktemp("demo-material")
    result = mkdocs_build(material_search_config(root), root / "site")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "WARNING" in line] == []
    return root / "site"


class TextOf(HTMLParser):
    """Collects the text inside the first element with a given tag (e.g. `h1`)."""

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag
        self.depth = 0
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == self.tag or self.depth:
            self.depth += 1
        if tag == "a" and ("class", "headerlink") in attrs:
            # The permalink anchor's `¶` is decoration, not the heading's text.
            self.depth += 1000

    def handle_endtag(self, tag: str) -> None:
        if self.depth >= 1000 and tag == "a":
            self.depth -= 1000
        if self.depth and not self.done:
            self.depth -= 1
            if self.depth == 0:
                self.done = True

    def handle_data(self, data: str) -> None:
        if 0 < self.depth < 1000 and not self.done:
            self.parts.append(data)


def text_of(html_text: str, tag: str) -> str:
    """Return the whitespace-normalised text of the first `tag` element of a page."""
    parser = TextOf(tag)
    parser.feed(html_text)
    return " ".join("".join(parser.parts).split())


def search_docs(site_dir: Path) -> list[dict[str, Any]]:
    """Return the documents of Material's search index."""
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs: list[dict[str, Any]] = index["docs"]
    return docs


def distinctive_word(text: str) -> str:
    """Return the longest purely alphabetic word of a text (a good search probe)."""
    words = re.findall(r"[A-Za-z]{5,}", text)
    return max(words, key=len)


def test_demo_has_papers() -> None:
    entries = demo_entries()
    assert len(entries) >= 30
    assert len({entry.key for entry in entries}) == len(entries)


def test_every_entry_has_a_page_and_a_download(demo_site: Path) -> None:
    for entry in demo_entries():
        page = (demo_site / "papers" / entry.key / "index.html").read_text(encoding="utf-8")
        assert text_of(page, "h1") == " ".join(entry.title.split()), entry.key
        download = (demo_site / "bib" / f"{entry.key}.bib").read_text(encoding="utf-8")
        assert download.strip() == entry.bibtex.strip(), entry.key
    library = (demo_site / "bib" / "papers.bib").read_text(encoding="utf-8")
    assert library == DEMO_LIBRARY.read_text(encoding="utf-8")


def test_listing_pages_exist(demo_site: Path) -> None:
    for page in ("index.html", "tags/index.html", "code/index.html", "timeline/index.html"):
        assert (demo_site / page).is_file(), page
    tags = {tag for entry in demo_entries() for tag in entry.tags}
    assert tags
    for tag in tags:
        assert (demo_site / "tags" / tag / "index.html").is_file(), tag


def test_demo_searches_with_pagefind(demo_site: Path) -> None:
    # What Pagefind finds is tested in a browser (test_browser.py); here, that it replaced
    # Material's search in the demo.
    assert (demo_site / "pagefind" / "pagefind-entry.json").is_file()
    assert not (demo_site / "search").exists()
    home = (demo_site / "index.html").read_text(encoding="utf-8")
    assert "<pagefind-modal-trigger" in home
    assert 'data-md-component="search"' not in home


def test_a_build_without_pagefind_says_how_to_install_it(tmp_path: Path) -> None:
    # Pagefind's launcher honours PAGEFIND_BINARY_PATH: pointing it at nothing is a missing binary.
    missing = {"PAGEFIND_BINARY_PATH": str(tmp_path / "no-pagefind")}
    result = mkdocs_build(DEMO_CONFIG, tmp_path / "site", env=missing)
    assert result.returncode != 0
    assert "papershelf: option 'search': pagefind: Pagefind's indexer is not installed" in (
        result.stderr
    )
    assert "install it with `pip install 'pagefind[bin]'`" in result.stderr
    assert not (tmp_path / "site").exists()


def test_search_index_has_abstracts_but_no_bibtex(material_demo_site: Path) -> None:
    docs = search_docs(material_demo_site)
    for entry in demo_entries():
        text = " ".join(
            doc["text"] for doc in docs if doc["location"].startswith(f"papers/{entry.key}/")
        )
        if entry.abstract:
            word = distinctive_word(entry.abstract)
            assert word in text, (entry.key, word)
        for bibtex_only in (*BIBTEX_ONLY, f"{{{entry.key},"):
            assert bibtex_only not in text, (entry.key, bibtex_only)
    # The guide may discuss BibTeX fields; the generated pages must not index them.
    generated = " ".join(doc["text"] for doc in docs if doc["location"].startswith("papers/"))
    assert "eprinttype" not in generated
    assert "howpublished" not in generated


def test_related_papers_are_on_the_page_but_not_in_the_search_index(
    material_demo_site: Path,
) -> None:
    docs = search_docs(material_demo_site)
    entry = demo_entries()[0]
    page = (material_demo_site / "papers" / entry.key / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="related-papers"') : page.index('id="bibtex"')]
    linked = re.findall(r'href="\.\./([a-z0-9]+)/"', section)
    assert 1 <= len(linked) <= 5
    assert entry.key not in linked
    titles = {e.key: e.title for e in demo_entries()}
    own = " ".join(
        doc["text"] for doc in docs if doc["location"].startswith(f"papers/{entry.key}/")
    )
    # A query finds a paper by its own words, not every page that lists it as related.
    papers = [doc for doc in docs if doc["location"].startswith("papers/")]
    assert [doc for doc in papers if doc["title"] == "Related papers"] == []
    assert titles[linked[0]] not in own


def test_paper_pages_are_not_in_the_nav(demo_site: Path) -> None:
    home = (demo_site / "index.html").read_text(encoding="utf-8")
    nav = home[home.index('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index('<div class="md-sidebar md-sidebar--secondary"')]
    links = re.findall(r'href="([^"]+)"', nav)
    assert "tags/" in links
    assert [link for link in links if "papers/" in link] == []


def test_material_tags_plugin_alongside(tmp_path: Path) -> None:
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    config["docs_dir"] = str(DEMO_CONFIG.parent / config.get("docs_dir", "docs"))
    config["plugins"] = [
        "search",
        "tags",
        {"papershelf": {"bib": [str(DEMO_LIBRARY)]}},
    ]
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = mkdocs_build(config_file, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "WARNING" in line] == []
    tagged = next(entry for entry in demo_entries() if entry.tags)
    page = (tmp_path / "site" / "papers" / tagged.key / "index.html").read_text(encoding="utf-8")
    assert 'class="md-tag' in page


# --- the same site without the plugin ----------------------------------------------------------

CITATION_META = re.compile(r'<meta name="citation_[a-z_]+" content="[^"]*">\n')
"""One Scholar meta tag as the plugin writes it into `<head>` (`content` is quote-escaped)."""
FEED_LINK = re.compile(
    r'<link rel="alternate feed" type="application/atom\+xml" title="[^"]*" href="[^"]*">\n'
)
"""One feed link as the plugin writes it into `<head>`."""


def plugin_free_project(root: Path) -> Path:
    """Write the demo's pages into `root/docs` with `papershelf site`; return its mkdocs.yml.

    The mkdocs.yml is the demo's without the papershelf plugin (with Material's search) and
    with the `not_in_nav` lines `papershelf site` prints.
    """
    shutil.copytree(ROOT / "docs", root / "docs")
    (root / "bib").mkdir()
    shutil.copy(DEMO_LIBRARY, root / "bib" / "papers.bib")
    # Run where the plugin runs (next to mkdocs.yml), so the pages name the library alike.
    demo = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    # The feeds need the site's URL, which mkdocs.yml gives the plugin.
    feed_options = ["--site-url", demo["site_url"], "--site-name", demo["site_name"]]
    result = subprocess.run(
        [
            *(sys.executable, "-m", "papershelf", "site"),
            *("--bib", "bib/papers.bib", "--out", "docs", *feed_options),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    config["plugins"] = [p for p in config["plugins"] if "papershelf" not in p]
    assert config["plugins"] == []
    config["plugins"] = ["search"]
    config["not_in_nav"] = "\n".join(not_in_nav_patterns())
    # What the plugin adds by itself, a site without it lists (docs/guide/site.md says so).
    config["extra_css"] = [SITE_STYLESHEET]
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return config_file


@pytest.fixture(scope="module")
def plugin_free_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write the demo's pages with `papershelf site`, build them without the plugin; return it."""
    root = tmp_path_factory.mktemp("plugin-free")
    config_file = plugin_free_project(root)
    built = mkdocs_build(config_file, root / "site")
    assert built.returncode == 0, built.stderr
    assert [line for line in built.stderr.splitlines() if "WARNING" in line] == []
    return root / "site"


def sitemap_urls(files: dict[str, bytes]) -> list[str]:
    """Return the `<url>` blocks of a built site's sitemap, sorted, each one compressed too."""
    text = files["sitemap.xml"].decode()
    assert gzip.decompress(files["sitemap.xml.gz"]).decode() == text
    return sorted(re.findall(r"<url>.*?</url>", text, flags=re.DOTALL))


def site_files(site_dir: Path) -> dict[str, bytes]:
    """Return every file of a built site by its path in the site."""
    return {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for path in sorted(site_dir.rglob("*"))
        if path.is_file()
    }


def test_the_site_without_the_plugin_has_the_plugins_pages(
    material_demo_site: Path, plugin_free_site: Path
) -> None:
    # Both with Material's search: Pagefind's search box is the plugin's (docs/guide/site.md
    # tells how to add it without the plugin).
    demo_site = material_demo_site
    with_plugin, without = site_files(demo_site), site_files(plugin_free_site)
    assert sorted(with_plugin) == sorted(without)
    paper_pages = {f"papers/{entry.key}/index.html" for entry in demo_entries()}
    html = [path for path in with_plugin if path.endswith(".html")]
    assert paper_pages < set(html)
    assert {"index.html", "tags/index.html", "code/index.html", "timeline/index.html"} < set(html)
    for path in html:
        plugin_page, free_page = with_plugin[path].decode(), without[path].decode()
        # The legitimate differences: only the plugin can write the Scholar meta tags and the
        # feed links into <head>; a page's Markdown has no way there.
        assert CITATION_META.search(free_page) is None, path
        assert FEED_LINK.search(free_page) is None, path
        assert bool(CITATION_META.search(plugin_page)) == (path in paper_pages), path
        # Every page links the site's feed; 404.html is a template, which no plugin event sees.
        assert bool(FEED_LINK.search(plugin_page)) == (path != "404.html"), path
        assert FEED_LINK.sub("", CITATION_META.sub("", plugin_page)) == free_page, path
    # MkDocs indexes pages in the order it finds them: generated ones last, files on disk sorted.
    assert sorted(search_docs(demo_site), key=json.dumps) == sorted(
        search_docs(plugin_free_site), key=json.dumps
    )
    # The sitemap lists pages in that order too.
    assert sitemap_urls(with_plugin) == sitemap_urls(without)
    ordered = {"search/search_index.json", "sitemap.xml", "sitemap.xml.gz"}
    others = [p for p in with_plugin if not p.endswith(".html") and p not in ordered]
    assert "bib/papers.bib" in others
    for path in others:
        assert with_plugin[path] == without[path], path
