"""http(s) links in free text, and what each points at (code, project page, Hugging Face)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from papershelf.model import Link, LinkKind

# `\S+` then trimming, rather than a URL grammar: linear time on any input, and the trimming rules
# below are where the judgement lies.
_URL = re.compile(r"https?://[^\s<>\"`]+", re.IGNORECASE)

# Letters of any script (internationalised names), digits, hyphens; at least two labels.
_HOST_LABEL = re.compile(r"[^\W_](?:[\w-]{0,62}[^\W_])?")

_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
"""Whitespace (any character `str.isspace` holds for) and control characters."""

# The usual `githubRepo` value, `https://github.com/owner/repo`: this match gives the answer of
# `http_link_kind` (a code link) twenty times faster than parsing the URL, once per paper.
_PLAIN_GITHUB_URL = re.compile(r"https://github\.com(?:/[\w.-]+)+/?", re.ASCII)

_TRAILING = ".,;:!?'\")]}"
_CLOSERS = {")": "(", "]": "[", "}": "{"}

_CODE_HOSTS = frozenset(
    {"github.com", "gitlab.com", "codeberg.org", "bitbucket.org", "gitee.com", "sr.ht"}
)
_PROJECT_HOST_SUFFIXES = (
    ".github.io",
    ".gitlab.io",
    ".codeberg.page",
    ".netlify.app",
    ".vercel.app",
    ".pages.dev",
)
_PROJECT_HOSTS = frozenset({"sites.google.com"})
_HF_HOSTS = frozenset({"huggingface.co", "hf.co"})
# First path segments of huggingface.co that are site sections, not an organisation's models.
_HF_SECTIONS = frozenset(
    {
        "api",
        "blog",
        "changelog",
        "chat",
        "collections",
        "docs",
        "join",
        "learn",
        "login",
        "models",
        "organizations",
        "papers",
        "posts",
        "pricing",
        "settings",
        "tasks",
    }
)


def _trim(url: str) -> str:
    """Return the URL without trailing punctuation that belongs to the sentence around it."""
    # Counted once and updated, so a URL followed by a million `)` is trimmed in linear time.
    balance = {closer: url.count(opener) - url.count(closer) for closer, opener in _CLOSERS.items()}
    end = len(url)
    while end and url[end - 1] in _TRAILING:
        last = url[end - 1]
        # Keep a closing bracket the URL itself opened, e.g. `.../wiki/Python_(language)`.
        if last in balance:
            if balance[last] >= 0:
                break
            balance[last] += 1
        end -= 1
    return url[:end]


def host_of(url: str) -> str | None:
    """Return the lower-case host of an acceptable http(s) URL (`is_http_url`), else None.

    Args:
        url: Any string, e.g. `https://GitHub.com/x/y` or `javascript:alert(1)`.

    Returns:
        The host without `www.`, e.g. `github.com`; None for anything `is_http_url` refuses.
    """
    if _NOT_IN_URL.search(url) is not None:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number below 65536
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    labels = host.removesuffix(".").split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return None
    return host.removeprefix("www.")


def is_http_url(url: str) -> bool:
    """Return whether a string is an acceptable http(s) URL: the one URL check of papershelf.

    Acceptable is absolute `http://` or `https://` with a host of at least two labels of letters,
    digits and hyphens (any script), an optional port, no user name (`user@host`), and no
    whitespace or control character anywhere. Links in digests and libraries, and every link
    target of a page (`safe_url`), are such URLs.

    Args:
        url: Any string, e.g. `https://github.com/a/b`, `javascript:alert(1)`, `//x.io/a`.
    """
    return host_of(url) is not None


def http_link_kind(url: str) -> LinkKind | None:
    """Return what a string points at if it is an http(s) URL (`is_http_url`), else None.

    Args:
        url: Any string, e.g. `https://github.com/a/b` or `javascript:alert(1)`.

    Returns:
        `classify_url(url)` for an http(s) URL, e.g. `LinkKind.CODE`; None for anything else.
    """
    if _PLAIN_GITHUB_URL.fullmatch(url):
        return LinkKind.CODE
    # One parse of the URL serves both questions.
    host = host_of(url)
    return None if host is None else _classify(url, host)


def classify_url(url: str) -> LinkKind:
    """Return what an http(s) URL points at.

    Args:
        url: An absolute http(s) URL, e.g. `https://huggingface.co/datasets/org/name`.

    Returns:
        `CODE` for a repository host (GitHub, GitLab, Codeberg, Bitbucket, Gitee, SourceHut),
        `HF_SPACE`, `HF_DATASET` or `HF_MODEL` for Hugging Face repositories, `PROJECT` for
        project-page hosts (`*.github.io`, `*.gitlab.io`, Google Sites, ...), else `OTHER`.

    Raises:
        ValueError: The string is not an http(s) URL; such strings are never links.
    """
    host = host_of(url)
    if host is None:
        raise ValueError(f"not an http(s) URL: {url[:80]!r}")
    return _classify(url, host)


def _classify(url: str, host: str) -> LinkKind:
    """Return what an http(s) URL with the given host (from `host_of`) points at."""
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    if host in _CODE_HOSTS or host.endswith(".sr.ht"):
        return LinkKind.CODE if segments else LinkKind.OTHER
    if host in _HF_HOSTS:
        return _classify_hugging_face(segments)
    if host in _PROJECT_HOSTS or host.endswith(_PROJECT_HOST_SUFFIXES):
        return LinkKind.PROJECT
    return LinkKind.OTHER


def hugging_face_section(url: str) -> str | None:
    """Return the site section a huggingface.co URL leads to, else None.

    Args:
        url: e.g. `https://huggingface.co/login?next=%2Fpapers` or `https://huggingface.co/`.

    Returns:
        The section, e.g. `login`, `papers`, or `""` for the home page; None for another host
        and for an organisation's or a person's page (`https://huggingface.co/occ-ai`).
    """
    if host_of(url) not in _HF_HOSTS:
        return None
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    if not segments:
        return ""
    return segments[0] if segments[0] in _HF_SECTIONS | {"spaces", "datasets"} else None


def _classify_hugging_face(segments: list[str]) -> LinkKind:
    """Return the kind of a huggingface.co path given as its segments."""
    if len(segments) >= 3 and segments[0] == "spaces":
        return LinkKind.HF_SPACE
    if len(segments) >= 3 and segments[0] == "datasets":
        return LinkKind.HF_DATASET
    if len(segments) >= 2 and segments[0] not in _HF_SECTIONS | {"spaces", "datasets"}:
        return LinkKind.HF_MODEL
    return LinkKind.OTHER


def find_links(text: str) -> tuple[Link, ...]:
    """Return the http(s) links in free text, classified, without duplicates, in order.

    Args:
        text: e.g. `Project Page: https://phantom-video.github.io/HuMo.`

    Returns:
        e.g. `(Link("https://phantom-video.github.io/HuMo", LinkKind.PROJECT),)`: sentence
        punctuation after a URL is dropped, a closing bracket the URL opened is kept.
    """
    if "://" not in text:  # in every URL; a substring test is much faster than the regex scan
        return ()
    seen: set[str] = set()
    links: list[Link] = []
    for match in _URL.finditer(text):
        url = _trim(match.group(0))
        if url in seen:
            continue
        kind = http_link_kind(url)
        if kind is None:
            continue
        seen.add(url)
        links.append(Link(url, kind))
    return tuple(links)


def merge_links(*groups: tuple[Link, ...]) -> tuple[Link, ...]:
    """Return the links of several groups in order, the first of equal URLs winning."""
    seen: set[str] = set()
    merged: list[Link] = []
    for group in groups:
        for link in group:
            if link.url not in seen:
                seen.add(link.url)
                merged.append(link)
    return tuple(merged)


# Characters that could end or confuse a Markdown link destination, an attr_list or an HTML
# attribute are percent-encoded; the URL keeps its meaning for every server that decodes paths.
_URL_ENCODE = str.maketrans({char: f"%{ord(char):02X}" for char in "()<>\"'`{}|\\^[]*"})


def safe_url(url: str) -> str | None:
    """Return an http(s) URL fit for a Markdown link target, or None when it is not one.

    Only what `is_http_url` accepts survives, after surrounding whitespace is stripped
    (`javascript:`, `data:`, relative and protocol-relative URLs are refused); characters that
    Markdown, attr_list or HTML could misread are percent-encoded.

    Args:
        url: e.g. `https://github.com/org/repo_(v2)`.

    Returns:
        e.g. `https://github.com/org/repo_%28v2%29`, or None for `javascript:alert(1)`.
    """
    candidate = url.strip()
    if not is_http_url(candidate):
        return None
    scheme, rest = candidate.split(":", 1)
    return scheme.lower() + ":" + rest.translate(_URL_ENCODE)
