"""The site's URL scheme: where every generated page and download lives, relative to the docs
folder. One place, so the plugin, the CLI and the listings agree on every link."""

from __future__ import annotations

import hashlib
import re

from papershelf.site.markdown import slugify

_SAFE_SLUG_RE = re.compile(r"[A-Za-z0-9_-]+")


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
    return f"papers/{entry_slug(key)}.md"


def bib_download_path(key: str) -> str:
    """Return the docs-relative path of a paper's one-entry `.bib`, e.g. `bib/smith2020x.bib`."""
    return f"bib/{entry_slug(key)}.bib"


def tag_slug(tag: str) -> str:
    """Return the slug of a tag id or keyword, e.g. `cs-cl` for `cs.CL`; never empty."""
    slug = slugify(tag)
    if slug:
        return slug
    return "tag-" + hashlib.sha1(tag.encode("utf-8")).hexdigest()[:8]


def tag_page_path(tag: str) -> str:
    """Return the docs-relative path of a tag's (first) page, e.g. `tags/diffusion.md`."""
    return f"tags/{tag_slug(tag)}.md"
