"""The site's URL scheme: where every generated page and download lives, relative to the docs
folder, and how one links to another. One place, so the plugin, the CLI and the listings agree on
every link."""

from __future__ import annotations

import hashlib
import re

from papershelf.site.markdown import slugify

_SAFE_SLUG_RE = re.compile(r"[A-Za-z0-9_-]+")
PAPERS_FOLDER = "papers"
"""The folder of the paper pages, relative to the docs folder."""


def entry_slug(key: str) -> str:
    """Return the file-name part for a citation key: the key itself when it is path-safe.

    Keys of letters, digits, `-` and `_` (every key papershelf writes) stand as they are. Other
    keys (`DBLP:journals/corr/abs-2104-02057`, `smith_testing_????`) would cut the path or the URL,
    so their unsafe runs become `-` and a short hash of the key keeps distinct keys apart.

    Args:
        key: e.g. `cheng2024breaking` or `DBLP:journals/corr/abs-2104-02057`.

    Returns:
        e.g. `cheng2024breaking` or `DBLP-journals-corr-abs-2104-02057-5d1f7c2a`.
    """
    if _SAFE_SLUG_RE.fullmatch(key):
        return key
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}" if readable else f"entry-{digest}"


def paper_page_path(key: str) -> str:
    """Return the docs-relative path of a paper's page, e.g. `papers/cheng2024breaking.md`.

    With `use_directory_urls` (the default) the URL is `papers/cheng2024breaking/`.
    """
    return f"{PAPERS_FOLDER}/{entry_slug(key)}.md"


def bib_download_path(key: str) -> str:
    """Return the docs-relative path of a paper's one-entry `.bib`, e.g. `bib/smith2020x.bib`."""
    return f"bib/{entry_slug(key)}.bib"


def tag_slug(tag: str) -> str:
    """Return the slug of a tag id or keyword, e.g. `cs-cl` for `cs.CL`; never empty."""
    slug = slugify(tag)
    if slug:
        return slug
    return "tag-" + hashlib.sha1(tag.encode("utf-8")).hexdigest()[:8]


# --- listings -----------------------------------------------------------------------------------

HOME_PAGE = "index.md"
"""The generated home page: counts, the latest papers, links to the overviews."""
TAGS_INDEX = "tags/index.md"
"""Every tag with its number of papers."""
CODE_INDEX = "code/index.md"
"""Papers with code, grouped by host."""
TIMELINE_INDEX = "timeline/index.md"
"""Papers by month (by year when the library is long)."""
OVERVIEW_PAGES = (HOME_PAGE, TAGS_INDEX, CODE_INDEX, TIMELINE_INDEX)
"""The generated pages a navigation may list; every other generated page stays out of it."""
LIBRARY_DOWNLOAD = "bib/papers.bib"
"""The whole library, for download."""
SITE_RECORD = ".papershelf-site.json"
"""Where `papershelf site` notes what it wrote into a docs folder: every listing and download by
docs path, with the SHA-256 of its text. MkDocs leaves files starting with `.` out of the site."""

_LISTING_FOLDERS = ("tags", "code", "timeline")


def listing_page_path(base: str, number: int) -> str:
    """Return the path of page `number` of the listing at `base` (`tags/x` -> `tags/x.md`).

    Page k > 1 is `tags/x/page-k.md`, so its URL is `tags/x/page-k/` under `tags/x/`.
    """
    return f"{base}.md" if number == 1 else f"{base}/page-{number}.md"


def tag_listing_base(tag: str) -> str:
    """Return the listing base of a tag, e.g. `tags/diffusion`."""
    return f"tags/{tag_slug(tag)}"


def tag_page_path(tag: str) -> str:
    """Return the docs-relative path of a tag's (first) page, e.g. `tags/diffusion.md`."""
    return listing_page_path(tag_listing_base(tag), 1)


def code_host_base(host: str) -> str:
    """Return the listing base of a code host's papers, e.g. `code/github` for `GitHub`."""
    return f"code/{slugify(host) or 'other'}"


TIMELINE_BASE = TIMELINE_INDEX.removesuffix(".md")
"""The listing base of a timeline short enough for one listing."""


def timeline_year_base(year: int | None) -> str:
    """Return the listing base of one year of a long timeline, e.g. `timeline/2025`."""
    return f"timeline/{year}" if year else "timeline/undated"


def relative_link(from_path: str, to_path: str) -> str:
    """Return the link from one docs file to another, e.g. `../papers/x.md`."""
    # Docs-relative paths never hold `..`, so the common prefix decides; posixpath.relpath would
    # ask the operating system for the working directory on every call.
    source = from_path.split("/")[:-1]
    target = to_path.split("/")
    common = 0
    while common < len(source) and common < len(target) - 1 and source[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(source) - common) + target[common:])


def not_in_nav_patterns() -> list[str]:
    """Return the `not_in_nav` lines (gitignore style) that keep generated pages out of the nav.

    A site built from pages on disk without the plugin puts these under `not_in_nav:` in
    `mkdocs.yml`: every paper page and every listing except the overviews then stays out of the
    navigation, as the plugin keeps them. A folder is matched by `/tags/*`, not `/tags/`, because
    a file inside an excluded folder cannot be brought back by a `!` line.
    """
    lines = [f"/{PAPERS_FOLDER}/"]
    for folder in _LISTING_FOLDERS:
        lines.append(f"/{folder}/*")
        lines.extend(f"!/{page}" for page in OVERVIEW_PAGES if page.startswith(f"{folder}/"))
    return lines
