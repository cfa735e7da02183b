"""Rebuilds under `mkdocs serve --dirty`: each gives the site a full build gives (`rebuild`).

The builds run as `mkdocs serve` runs them (a fresh config each time, the plugin kept, `build`
with `dirty=True`); each rebuilt site is compared file by file with `mkdocs build` of the same
sources in a subprocess, and the outputs a rebuild must not write are checked to be untouched.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from papershelf.rebuild import Memo, OutputLedger, fingerprint, output_fingerprint, remove_outputs
from papershelf.site.paper_page import NOTES_END

SERVE_URL = "http://127.0.0.1:8000/"
KEYS = ("cheng2024breaking", "offline2025optimization", "zhang2025video")


def entry(
    key: str, title: str, keywords: str, year: int = 2025, abstract: str | None = None
) -> str:
    """Return one BibTeX entry of the test library (abstract: `An abstract about <title>.`)."""
    return textwrap.dedent(
        f"""\
        @misc{{{key},
          title        = {{{title}}},
          year         = {{{year}}},
          month        = mar,
          abstract     = {{{abstract or f"An abstract about {title.lower()}."}}},
          keywords     = {{{keywords}}}
        }}
        """
    )


LIBRARY = "\n".join(
    [
        entry(KEYS[0], "Breaking the Memory Barrier", "llm"),
        entry(KEYS[1], "Offline Optimization with Learned Priors", "llm"),
    ]
)
# It shares no word with the others, so none of them lists it among its related papers (a paper
# that did would show it, and its page would be written again).
NEW_ENTRY = entry(
    KEYS[2], "Video Diffusion at Scale", "llm, video-generation", abstract="Frames denoised."
)


class DirtyServe:
    """A site rebuilt as `mkdocs serve --dirty` rebuilds it, in this process."""

    def __init__(self, root: Path, *, search: str = "material") -> None:
        self.root = root
        (root / "docs" / "papers").mkdir(parents=True)
        (root / "docs" / "about.md").write_text("# About\n\nBy hand.\n", encoding="utf-8")
        (root / "lib.bib").write_text(LIBRARY, encoding="utf-8")
        self.write_config(search=search)
        self.site_dir = root / "site"
        config = self.load()
        config.plugins.on_startup(command="serve", dirty=True)
        self.plugins = config.plugins

    def write_config(self, *, search: str, site_name: str = "shelf") -> None:
        """Write mkdocs.yml; its site_url is the one `mkdocs serve` gives, so builds match."""
        site = {
            "site_name": site_name,
            "site_url": SERVE_URL,
            "theme": {"name": "material"},
            "nav": ["about.md", "tags/index.md"],
            "plugins": [{"papershelf": {"bib": ["lib.bib"], "search": search}}],
        }
        (self.root / "mkdocs.yml").write_text(yaml.safe_dump(site), encoding="utf-8")

    def load(self) -> Any:
        """Return a fresh config, as `mkdocs serve` loads one for every rebuild."""
        return load_config(str(self.root / "mkdocs.yml"), site_dir=str(self.site_dir))

    def rebuild(self) -> None:
        """Build the site as `mkdocs serve --dirty` does."""
        config = self.load()
        config.site_url = SERVE_URL
        build(config, serve_url=SERVE_URL, dirty=True)

    def full_build(self) -> Path:
        """Build the same sources with `mkdocs build` in a subprocess; return its site folder."""
        target = self.root / "full"
        command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", "mkdocs.yml", "-d", "full"]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        result = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode == 0, result.stderr
        return target

    def html(self, path: str) -> str:
        """Return a built page of the rebuilt site."""
        return (self.site_dir / path).read_text(encoding="utf-8")

    def page_on_disk(self, key: str) -> Path:
        """Write the generated page of `key` into docs/papers, as `papershelf pages` does."""
        page = self.root / "docs" / "papers" / f"{key}.md"
        generated = self.plugins["papershelf"].site
        files = generated._value[2]  # the last build's generated files
        text = next(file.content for file in files if file.path == f"papers/{key}.md")
        page.write_text(text, encoding="utf-8")
        return page

    def close(self) -> None:
        """End the session, as `mkdocs serve` does on Ctrl-C."""
        self.plugins.on_shutdown()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[DirtyServe]:
    """A served site after its first build."""
    session = DirtyServe(tmp_path)
    session.rebuild()
    yield session
    session.close()


def outputs(site_dir: Path) -> dict[str, bytes]:
    """Return every file of a built site by its relative path, but the compressed sitemap.

    `sitemap.xml.gz` carries the time it was compressed; `sitemap.xml` is compared instead.
    """
    return {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for path in sorted(site_dir.rglob("*"))
        if path.is_file() and path.name != "sitemap.xml.gz"
    }


def assert_same_as_full_build(serve: DirtyServe) -> None:
    """The rebuilt site holds exactly the files, and bytes, of a full build."""
    rebuilt = outputs(serve.site_dir)
    full = outputs(serve.full_build())
    assert sorted(rebuilt) == sorted(full)
    differing = [path for path in full if rebuilt[path] != full[path]]
    assert differing == []


def written_times(site_dir: Path) -> dict[str, int]:
    """Return the modification time of every HTML file of a built site."""
    return {
        path.relative_to(site_dir).as_posix(): path.stat().st_mtime_ns
        for path in site_dir.rglob("*.html")
    }


def test_a_note_edit_rebuilds_that_page_and_keeps_the_others(serve: DirtyServe) -> None:
    page = serve.page_on_disk(KEYS[0])
    serve.rebuild()
    before = written_times(serve.site_dir)
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(NOTES_END, f"A quokka note.\n{NOTES_END}"), encoding="utf-8")
    serve.rebuild()
    assert "A quokka note." in serve.html(f"papers/{KEYS[0]}/index.html")
    after = written_times(serve.site_dir)
    rewritten = sorted(path for path in after if after[path] != before.get(path))
    # The edited page and the theme's own templates (404 page), which MkDocs always writes.
    assert rewritten == ["404.html", f"papers/{KEYS[0]}/index.html"]
    assert_same_as_full_build(serve)


def test_a_new_entry_gets_its_page_and_the_listings_show_it(serve: DirtyServe) -> None:
    before = written_times(serve.site_dir)
    (serve.root / "lib.bib").write_text(LIBRARY + "\n" + NEW_ENTRY, encoding="utf-8")
    serve.rebuild()
    assert "Video Diffusion at Scale" in serve.html(f"papers/{KEYS[2]}/index.html")
    assert KEYS[2] in serve.html("tags/video-generation/index.html")
    after = written_times(serve.site_dir)
    kept = sorted(path for path in before if after.get(path) == before[path])
    # The other papers' pages do not change; the listings that show the new paper do.
    assert f"papers/{KEYS[0]}/index.html" in kept
    assert f"papers/{KEYS[1]}/index.html" in kept
    assert "tags/llm/index.html" not in kept
    assert_same_as_full_build(serve)


def test_a_new_entry_sharing_words_shows_among_the_related_papers(serve: DirtyServe) -> None:
    near = entry("wang2025memory", "Memory Barrier Breaking at Scale", "llm")
    (serve.root / "lib.bib").write_text(LIBRARY + "\n" + near, encoding="utf-8")
    serve.rebuild()
    related = serve.html(f"papers/{KEYS[0]}/index.html").split('id="related-papers"')[1]
    assert 'href="../wang2025memory/"' in related.split('id="bibtex"')[0]
    assert_same_as_full_build(serve)


def test_a_deleted_entry_loses_its_page_and_download(serve: DirtyServe) -> None:
    assert (serve.site_dir / "papers" / KEYS[1] / "index.html").is_file()
    (serve.root / "lib.bib").write_text(entry(KEYS[0], "Breaking", "llm"), encoding="utf-8")
    serve.rebuild()
    assert not (serve.site_dir / "papers" / KEYS[1] / "index.html").exists()
    assert not (serve.site_dir / "bib" / f"{KEYS[1]}.bib").exists()
    assert KEYS[1] not in serve.html("tags/llm/index.html")
    assert_same_as_full_build(serve)


def test_an_entry_edited_under_its_page_on_disk_refreshes_the_meta_tags(
    serve: DirtyServe,
) -> None:
    serve.page_on_disk(KEYS[0])
    serve.rebuild()
    edited = LIBRARY.replace(
        "month        = mar,", "month        = mar,\n  author = {Ada Quokka},", 1
    )
    (serve.root / "lib.bib").write_text(edited, encoding="utf-8")
    serve.rebuild()
    assert 'name="citation_author" content="Ada Quokka"' in serve.html(
        f"papers/{KEYS[0]}/index.html"
    )
    assert_same_as_full_build(serve)


def test_a_navigation_title_edit_rebuilds_every_page(serve: DirtyServe) -> None:
    (serve.root / "docs" / "about.md").write_text("# About the quokkas\n", encoding="utf-8")
    serve.rebuild()
    assert "About the quokkas" in serve.html(f"papers/{KEYS[1]}/index.html")
    assert_same_as_full_build(serve)


def test_a_configuration_edit_rebuilds_every_page(serve: DirtyServe) -> None:
    serve.write_config(search="material", site_name="Quokka shelf")
    serve.rebuild()
    assert "Quokka shelf" in serve.html(f"papers/{KEYS[1]}/index.html")
    assert_same_as_full_build(serve)


def test_a_page_deleted_from_disk_gives_way_to_the_generated_one(serve: DirtyServe) -> None:
    page = serve.page_on_disk(KEYS[0])
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(NOTES_END, f"Hand notes.\n{NOTES_END}"), encoding="utf-8")
    serve.rebuild()
    assert "Hand notes." in serve.html(f"papers/{KEYS[0]}/index.html")
    page.unlink()
    serve.rebuild()
    assert "Hand notes." not in serve.html(f"papers/{KEYS[0]}/index.html")
    assert_same_as_full_build(serve)


def test_after_a_failed_build_the_next_writes_everything(
    serve: DirtyServe, caplog: pytest.LogCaptureFixture
) -> None:
    (serve.root / "lib.bib").write_text("@misc{broken,\n  title = {Unclosed\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        serve.rebuild()
    assert "papershelf: cannot read the library" in caplog.text
    before = written_times(serve.site_dir)
    (serve.root / "lib.bib").write_text(LIBRARY, encoding="utf-8")
    serve.rebuild()
    after = written_times(serve.site_dir)
    assert all(after[path] != before[path] for path in before if path in after)
    assert_same_as_full_build(serve)


def test_pagefind_keeps_its_index_on_a_partial_rebuild_and_makes_it_again_on_a_full_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    session = DirtyServe(tmp_path, search="pagefind")
    try:
        session.rebuild()
        entry_file = session.site_dir / "pagefind" / "pagefind-entry.json"
        first = entry_file.read_bytes()
        page = session.page_on_disk(KEYS[0])
        with caplog.at_level(logging.INFO):
            page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            session.rebuild()
        assert entry_file.read_bytes() == first
        assert "Pagefind's index is the one of the last full build" in caplog.text
        # The same pages, each once: the index of a full build of the same sources.
        full = session.full_build() / "pagefind" / "pagefind-entry.json"
        assert _indexed_pages(entry_file) == _indexed_pages(full)
        session.write_config(search="pagefind", site_name="Quokka shelf")
        indexed_at = entry_file.stat().st_mtime_ns
        session.rebuild()
        assert entry_file.stat().st_mtime_ns != indexed_at
        assert "Quokka shelf" in session.html("index.html")
        assert _indexed_pages(entry_file) == _indexed_pages(full)
    finally:
        session.close()


def _indexed_pages(entry_file: Path) -> int:
    """Return the number of pages a Pagefind index names."""
    import json

    index = json.loads(entry_file.read_text(encoding="utf-8"))
    return sum(language["page_count"] for language in index["languages"].values())


# --- the ledger and the memo alone ----------------------------------------------------------


def test_the_ledger_keeps_only_outputs_whose_fingerprints_stay() -> None:
    ledger = OutputLedger()
    first = ledger.plan("site", {"a.html": "1", "b.html": "2"})
    assert first.full
    ledger.commit()
    second = ledger.plan("site", {"a.html": "1", "b.html": "3", "c.html": "4"})
    assert (second.full, second.kept, second.removed) == (
        False,
        frozenset({"a.html"}),
        ("b.html", "c.html"),
    )
    ledger.commit()
    gone = ledger.plan("site", {"a.html": "1"})
    assert gone.removed == ("b.html", "c.html")
    changed_site = ledger.plan("other site", {"a.html": "1"})
    assert changed_site.full
    assert changed_site.kept == frozenset()


def test_the_ledger_believes_no_build_that_failed() -> None:
    ledger = OutputLedger()
    ledger.plan("site", {"a.html": "1"})
    ledger.commit()
    ledger.plan("site", {"a.html": "2"})
    ledger.forget()
    assert ledger.plan("site", {"a.html": "1"}).full


def test_the_memo_computes_again_only_when_an_input_changes() -> None:
    memo: Memo[list[str]] = Memo()
    calls: list[str] = []

    def compute(value: str) -> list[str]:
        calls.append(value)
        return [value]

    assert memo.get(["a", "b"], lambda: compute("x")) == ["x"]
    assert memo.get(["a", "b"], lambda: compute("y")) == ["x"]
    assert memo.get(["ab"], lambda: compute("z")) == ["z"]
    assert calls == ["x", "z"]
    assert fingerprint(["a", "b"]) != fingerprint(["ab"])


def test_remove_outputs_stays_inside_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "papers").mkdir(parents=True)
    (site / "papers" / "a.html").write_text("a", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("keep", encoding="utf-8")
    assert remove_outputs(site, ["papers/a.html", "../secret.txt", "missing.html"]) == 1
    assert not (site / "papers" / "a.html").exists()
    assert outside.read_text(encoding="utf-8") == "keep"


def test_an_output_fingerprint_follows_its_source_file(tmp_path: Path) -> None:
    source = tmp_path / "about.md"
    source.write_text("# About\n", encoding="utf-8")
    first = output_fingerprint("about.md", (), source=str(source))
    os.utime(source, ns=(1, 1))
    touched = output_fingerprint("about.md", (), source=str(source))
    assert touched != first
    assert output_fingerprint("about.md", ("entry",), source=str(source)) != touched
    generated = output_fingerprint("about.md", (), content=b"# About\n")
    assert generated != output_fingerprint("about.md", (), content=b"# About us\n")
