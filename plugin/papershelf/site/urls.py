"""The site's URL scheme: where every generated page and download lives, relative to the docs
folder, and how one links to another. One place, so the plugin, the CLI and the listings agree on
every link."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from papershelf.errors import LibraryError, Problem
from papershelf.model import BibEntry
from papershelf.site.markdown import slugify

_SAFE_SLUG_RE = re.compile(r"[A-Za-z0-9_-]+")
PAPERS_FOLDER = "papers"
"""The folder of the paper pages, relative to the docs folder."""
_UNSAFE_RUN_RE = re.compile(r"[^A-Za-z0-9_-]+")
_HASH_SUFFIX_RE = re.compile(r"-[0-9a-fA-F]{8}\Z")
"""The shape of the suffix `entry_slug` appends; a key that ends so is hashed as well."""
MAX_SLUG_CHARS = 100
"""The longest key kept as its own file name; longer ones are cut and hashed (109 characters at
most, far below the 255 bytes file systems allow, with room for `.md` and temporary names)."""


def entry_slug(key: str) -> str:
    """Return the file-name part for a citation key: the key itself when it is path-safe.

    Keys of at most 100 letters, digits, `-` and `_` (every key papershelf writes) stand as they
    are. Other keys (`DBLP:journals/corr/abs-2104-02057`, `smith_testing_????`, a key of 300
    characters) would cut the path or the URL or exceed a file name, so their unsafe runs become
    `-`, the result is cut to 100 characters, and `-` plus 8 hex digits of the key's SHA-1 keep
    distinct keys apart. A safe key that itself ends in `-` and 8 hex digits is hashed too, so no
    key can take the name another key was given: distinct keys get distinct names (barring a
    32-bit hash collision, which `check_page_paths` reports).

    Args:
        key: e.g. `cheng2024breaking` or `DBLP:journals/corr/abs-2104-02057`.

    Returns:
        e.g. `cheng2024breaking` or `DBLP-journals-corr-abs-2104-02057-88864b5a`.
    """
    if (
        len(key) <= MAX_SLUG_CHARS
        and _SAFE_SLUG_RE.fullmatch(key)
        and not _HASH_SUFFIX_RE.search(key)
    ):
        return key
    readable = _UNSAFE_RUN_RE.sub("-", key).strip("-")[:MAX_SLUG_CHARS].rstrip("-")
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}" if readable else f"entry-{digest}"


def check_page_paths(entries: Iterable[BibEntry]) -> None:
    """Raise `LibraryError` when two entries would get one page, naming both keys and lines.

    Names are compared without case: the file systems of macOS and Windows do not tell
    `Smith2020.md` from `smith2020.md`, and BibTeX too takes such keys for one.
    """
    first: dict[str, BibEntry] = {}
    problems: list[Problem] = []
    for entry in entries:
        folded = entry_slug(entry.key).lower()
        earlier = first.setdefault(folded, entry)
        if earlier is entry:
            continue
        if earlier.key.lower() == entry.key.lower():
            why = "macOS and Windows file systems do not tell upper from lower case, nor BibTeX"
        else:
            why = "their names collide"
        problems.append(
            Problem(
                entry.source.file,
                entry.source.line,
                f"citation key '{entry.key}' would share the page "
                f"{paper_page_path(earlier.key)} with '{earlier.key}' ({earlier.source}): {why}; "
                "rename one of them",
            )
        )
    if problems:
        raise LibraryError(problems)


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
SITE_STYLESHEET = "assets/papershelf/papershelf.css"
"""papershelf's stylesheet for its listings and paper pages (the package's
`site/assets/papershelf.css`); the plugin adds it to `extra_css`."""
SITE_RECORD = ".papershelf-site.json"
"""Where `papershelf site` notes what it wrote into a docs folder: every listing and download by
docs path, with the SHA-256 of its text. MkDocs leaves files starting with `.` out of the site."""

_LISTING_FOLDERS = ("tags", "code", "timeline")

# --- feeds --------------------------------------------------------------------------------------

FEED_NAME = "feed.xml"
SITE_FEED = FEED_NAME
"""The Atom feed of the newest papers, at the site's root."""
_LISTING_PAGE_RE = re.compile(r"(?P<base>tags/[^/]+)(?:/page-[0-9]+)?\.md")


def tag_feed_path(tag: str) -> str:
    """Return the docs-relative path of a tag's Atom feed, beside its listing: `tags/x/feed.xml`."""
    return f"{tag_listing_base(tag)}/{FEED_NAME}"


def listing_feed_path(page_path: str) -> str | None:
    """Return the feed beside the tag listing a page belongs to, or None for any other page.

    `tags/diffusion.md` and `tags/diffusion/page-2.md` -> `tags/diffusion/feed.xml`.
    """
    found = _LISTING_PAGE_RE.fullmatch(page_path)
    if found is None or page_path == TAGS_INDEX:
        return None
    return f"{found['base']}/{FEED_NAME}"


def page_url(path: str, *, directory_urls: bool = True) -> str:
    """Return the URL of a docs file relative to the site's root, as MkDocs gives it.

    `papers/x.md` -> `papers/x/` (`papers/x.html` without directory URLs), `index.md` -> ``,
    `tags/index.md` -> `tags/`; any other file keeps its path (`feed.xml`).
    """
    if not path.endswith(".md"):
        return path
    stem = path.removesuffix(".md")
    if not directory_urls:
        return f"{stem}.html"
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/"


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
