"""Entries -> the site's overview pages: tags, code, timeline and home, as Markdown strings.

Every listing links papers with a relative `.md` link (`../papers/<key>.md`) so MkDocs validates it,
and every piece of entry text goes through `papershelf.site.markdown`. Listings are paginated
(`per_page` lines a page) so no page grows with the library: page 1 of a listing is `<base>.md`,
page k is `<base>/page-k.md` (URLs `<base>/` and `<base>/page-k/`). Listing pages are kept out of
Material's search index (`search: exclude: true`): they only repeat titles the paper pages hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from papershelf.dates import MONTH_NAMES
from papershelf.model import BibEntry, LinkKind
from papershelf.site.markdown import escape_text, html_text, markdown_link, url_host
from papershelf.site.paper_page import (
    display_authors,
    display_date,
    display_title,
    dump_yaml,
    tag_label,
)
from papershelf.site.urls import (
    CODE_INDEX,
    HOME_PAGE,
    TAGS_INDEX,
    TIMELINE_BASE,
    TIMELINE_INDEX,
    code_host_base,
    listing_page_path,
    paper_page_path,
    relative_link,
    tag_listing_base,
    tag_page_path,
    tag_slug,
    timeline_year_base,
)


@dataclass(frozen=True, slots=True)
class SitePage:
    """One generated overview page."""

    path: str
    """Docs-relative path, e.g. `tags/diffusion.md` or `tags/diffusion/page-2.md`."""
    content: str
    """The Markdown text, front matter included."""
    title: str
    """Plain-text title for a navigation entry, e.g. `Diffusion`."""


_TAGS_SHOWN = 3
_HOST_ICONS = {
    "github.com": "github",
    "gitlab.com": "gitlab",
    "huggingface.co": "huggingface",
    "codeberg.org": "codeberg",
    "bitbucket.org": "bitbucket",
}
"""Code host -> the icon class of its badge (`papershelf-icon-<name>` in papershelf.css); any
other host gets the generic `code` icon."""
_HOST_NAMES = {
    "github.com": "GitHub",
    "gitlab.com": "GitLab",
    "bitbucket.org": "Bitbucket",
    "codeberg.org": "Codeberg",
    "huggingface.co": "Hugging Face",
    "sourceforge.net": "SourceForge",
    "gitee.com": "Gitee",
}


def newest_first(entries: Iterable[BibEntry]) -> list[BibEntry]:
    """Return entries newest first, then by title (case-insensitive), then key; undated last."""
    return sorted(
        entries,
        key=lambda entry: (
            entry.date is None,
            -(entry.date.toordinal() if entry.date else 0),
            display_title(entry).casefold(),
            entry.key,
        ),
    )


def _front_matter(title: str, *, searchable: bool) -> str:
    """Return front matter with an HTML-safe title (Material prints `title` unescaped)."""
    data: dict[str, Any] = {"title": html_text(title)}
    if not searchable:
        data["search"] = {"exclude": True}
    return f"---\n{dump_yaml(data)}---\n\n"


_AUTHORS_SHOWN = 3


def short_authors(entry: BibEntry) -> str:
    """Return the first authors, `et al.` past three; else `N authors` or the organisation.

    Returns:
        e.g. `Zesen Cheng, Hang Zhang, Kehan Li et al.`, `4 authors` or `OCC`.
    """
    names = entry.authors
    if names:
        shown = ", ".join(names[:_AUTHORS_SHOWN])
        return shown + " et al." if len(names) > _AUTHORS_SHOWN else shown
    return display_authors(entry) or entry.organization or ""


def _count(kind: str, number: int, noun: str, when: str) -> str:
    """Return one count of a listing item: its icon (CSS), the number, the noun for readers.

    The noun is visually hidden: a screen reader says `64 upvotes`, the eye sees the icon and 64.
    """
    nouns = noun if number == 1 else noun + "s"
    title = f"{number} {nouns}{when}"
    return (
        f'<span class="papershelf-count papershelf-{kind}" title="{title}">{_compact(number)}'
        f'<span class="papershelf-sr"> {nouns}</span></span>'
    )


def _compact(number: int) -> str:
    """Return a count as people read it at a glance: `980`, `1.2k`, `12k`."""
    if number < 1000:
        return str(number)
    if number < 10_000:
        return f"{number / 1000:.1f}k".replace(".0k", "k")
    return f"{number // 1000}k"


def _code_badge(entry: BibEntry, url: str, label: str | None) -> str | None:
    """Return the code badge of a listing item: host icon, host name (or `label`), stars."""
    host = url_host(url)
    name = _host_name(url)
    icon = _HOST_ICONS.get(host, "code")
    text = escape_text(label or name)
    # The stars are those of the repository HF names, which is the first code link.
    first = entry.links_of(LinkKind.CODE)[:1] == (url,)
    if entry.github_stars is not None and first and host == "github.com":
        text += " " + _count("stars", entry.github_stars, "star", "")
    attributes = f".papershelf-code .papershelf-icon-{icon}"
    return markdown_link(text, url, attributes=attributes, label_is_markdown=True)


def _entry_item(
    entry: BibEntry,
    from_path: str,
    tag_labels: Mapping[str, str],
    *,
    code_url: str | None = None,
    code_label: str | None = None,
) -> str:
    """Return one listing item: the linked title; authors and date; code, counts and tags.

    Args:
        entry: The paper.
        from_path: The listing page's docs path, for relative links.
        tag_labels: Display labels of tag ids.
        code_url: The code link to show; default: the entry's first.
        code_label: The badge's text instead of the host's name, e.g. `org/repo`.
    """
    target = relative_link(from_path, paper_page_path(entry.key))
    lines = [f"- [{escape_text(display_title(entry))}]({target})"]
    byline = [part for part in (short_authors(entry), display_date(entry)) if part]
    if byline:
        text = " · ".join(escape_text(part) for part in byline)
        lines.append(f'  <span class="papershelf-byline">{text}</span>')
    facts: list[str] = []
    url = code_url or next(iter(entry.links_of(LinkKind.CODE)), None)
    badge = _code_badge(entry, url, code_label) if url else None
    if badge:
        facts.append(badge)
    when = f" (as of {entry.counts_date.isoformat()})" if entry.counts_date else ""
    if entry.upvotes is not None:
        facts.append(_count("upvotes", entry.upvotes, "upvote", when))
    if entry.comments is not None:
        facts.append(_count("comments", entry.comments, "comment", when))
    tags = list(dict.fromkeys(entry.tags))
    for tag in tags[:_TAGS_SHOWN]:
        link = relative_link(from_path, tag_page_path(tag))
        facts.append(f"[{escape_text(tag_label(tag, tag_labels))}]({link}){{ .papershelf-chip }}")
    if len(tags) > _TAGS_SHOWN:
        facts.append(f'<span class="papershelf-more">+{len(tags) - _TAGS_SHOWN}</span>')
    if facts:
        lines.append(f'  <span class="papershelf-facts">{" ".join(facts)}</span>')
    return "\n".join(lines)


def _listing(items: Sequence[str]) -> str:
    """Return listing items as one list in papershelf's listing block (styled by its CSS)."""
    return '<div class="papershelf-listing" markdown>\n\n' + "\n".join(items) + "\n\n</div>\n"


@dataclass(frozen=True, slots=True)
class _Item:
    """One listing line to be, with the heading of the group it belongs to (if any)."""

    entry: BibEntry
    group: str | None = None
    url: str | None = None
    """The code link a line of the code listing shows."""


def _paginate(
    base: str,
    title: str,
    intro: Callable[[str], str],
    items: Sequence[_Item],
    per_page: int,
    line: Callable[[_Item, str], str],
) -> list[SitePage]:
    """Return the pages of one listing, `per_page` items each, with prev/next links.

    Args:
        base: Path without `.md`, e.g. `tags/diffusion`.
        title: Plain-text title of every page of the listing.
        intro: Markdown paragraph(s) under the heading, given the page's path (for links).
        items: The lines in order; a change of `group` starts a `##` heading.
        per_page: Items a page.
        line: Renders one item for a page path.
    """
    chunks = [items[start : start + per_page] for start in range(0, len(items), per_page)] or [[]]
    pages: list[SitePage] = []
    total = len(chunks)
    for number, chunk in enumerate(chunks, start=1):
        path = listing_page_path(base, number)
        heading = title if number == 1 else f"{title} (page {number} of {total})"
        body = [
            _front_matter(heading, searchable=False),
            f"# {escape_text(heading)}\n",
            intro(path),
        ]
        group: str | None = None
        lines: list[str] = []
        for item in chunk:
            if item.group is not None and item.group != group:
                if lines:
                    body.append(_listing(lines))
                    lines = []
                body.append(f"## {escape_text(item.group)}\n")
                group = item.group
            lines.append(line(item, path))
        if lines:
            body.append(_listing(lines))
        if total > 1:
            body.append(_pager(base, number, total, path))
        pages.append(SitePage(path, "\n".join(body), heading))
    return pages


def _pager(base: str, number: int, total: int, path: str) -> str:
    """Return the `← Newer · Page 2 of 3 · Older →` line."""
    parts: list[str] = []
    if number > 1:
        parts.append(f"[← Newer]({relative_link(path, listing_page_path(base, number - 1))})")
    parts.append(f"Page {number} of {total}")
    if number < total:
        parts.append(f"[Older →]({relative_link(path, listing_page_path(base, number + 1))})")
    return " · ".join(parts) + "\n"


# --- tags ---------------------------------------------------------------------------------------


def tag_groups(
    entries: Sequence[BibEntry], tag_labels: Mapping[str, str]
) -> dict[str, tuple[str, list[BibEntry]]]:
    """Return slug -> (label, entries carrying a tag with that slug), first label seen wins."""
    groups: dict[str, tuple[str, list[BibEntry]]] = {}
    for entry in entries:
        for slug in dict.fromkeys(tag_slug(tag) for tag in entry.tags):
            if slug not in groups:
                tag = next(tag for tag in entry.tags if tag_slug(tag) == slug)
                groups[slug] = (tag_label(tag, tag_labels), [])
            groups[slug][1].append(entry)
    return groups


def _tag_pages(
    entries: Sequence[BibEntry], tag_labels: Mapping[str, str], per_page: int
) -> list[SitePage]:
    """Return `tags/index.md` and every tag's (paginated) listing."""
    groups = tag_groups(entries, tag_labels)
    ordered = sorted(groups.items(), key=lambda item: (item[1][0].casefold(), item[0]))
    index_lines = [
        f"- [{escape_text(label)}]({relative_link(TAGS_INDEX, tag_page_path(slug))})"
        f" ({len(tagged)})"
        for slug, (label, tagged) in ordered
    ]
    index = SitePage(
        TAGS_INDEX,
        _front_matter("Tags", searchable=True)
        + "# Tags\n\n"
        + (f"{len(ordered)} tags.\n\n" if ordered else "No paper has a tag yet.\n\n")
        + "\n".join(index_lines)
        + "\n",
        "Tags",
    )
    pages = [index]
    for slug, (label, tagged) in ordered:
        count = len(tagged)

        def intro(path: str, count: int = count, label: str = label) -> str:
            noun = "paper" if count == 1 else "papers"
            return (
                f"{count} {noun} tagged {escape_text(label)}, newest first. "
                f"[All tags]({relative_link(path, TAGS_INDEX)})\n"
            )

        pages.extend(
            _paginate(
                tag_listing_base(slug),
                label,
                intro,
                [_Item(entry) for entry in newest_first(tagged)],
                per_page,
                lambda item, path: _entry_item(item.entry, path, tag_labels),
            )
        )
    return pages


# --- code ---------------------------------------------------------------------------------------


def _host_name(url: str) -> str:
    """Return the display name of a code host, e.g. `GitHub`, else the host itself."""
    host = url_host(url)
    return _HOST_NAMES.get(host, host or "Other")


def _code_label(url: str) -> str:
    """Return a short label for a code link: the path (`org/repo`) or the host."""
    rest = url.split("://", 1)[-1]
    path = rest.split("/", 1)[1] if "/" in rest else ""
    return path.strip("/") or url_host(url)


def _code_pages(
    entries: Sequence[BibEntry], tag_labels: Mapping[str, str], per_page: int
) -> list[SitePage]:
    """Return `code/index.md`: papers with code grouped by host (per-host pages when long)."""
    by_host: dict[str, list[tuple[BibEntry, str]]] = {}
    for entry in newest_first(entries):
        for url in dict.fromkeys(entry.links_of(LinkKind.CODE)):
            by_host.setdefault(_host_name(url), []).append((entry, url))
    hosts = sorted(by_host, key=lambda name: (-len(by_host[name]), name.casefold()))
    with_code = len({entry.key for pairs in by_host.values() for entry, _ in pairs})

    def code_line(entry: BibEntry, url: str, path: str) -> str:
        return _entry_item(entry, path, tag_labels, code_url=url, code_label=_code_label(url))

    intro = (
        f"{with_code} papers with code, grouped by host, newest first.\n"
        if with_code
        else "No paper has a code link yet.\n"
    )
    total = sum(len(pairs) for pairs in by_host.values())
    if total <= per_page:
        body = [_front_matter("Code", searchable=False), "# Code\n", intro]
        for host in hosts:
            body.append(f"## {escape_text(host)}\n")
            body.append(
                _listing([code_line(entry, url, CODE_INDEX) for entry, url in by_host[host]])
            )
        return [SitePage(CODE_INDEX, "\n".join(body), "Code")]
    index_lines = []
    for host in hosts:
        first_page = listing_page_path(code_host_base(host), 1)
        index_lines.append(
            f"- [{escape_text(host)}]({relative_link(CODE_INDEX, first_page)})"
            f" ({len(by_host[host])})"
        )
    pages = [
        SitePage(
            CODE_INDEX,
            _front_matter("Code", searchable=False)
            + "# Code\n\n"
            + intro
            + "\n\n".join(index_lines)
            + "\n",
            "Code",
        )
    ]
    for host in hosts:

        def host_intro(path: str, host: str = host) -> str:
            return (
                f"Papers with code on {escape_text(host)}, newest first. "
                f"[All hosts]({relative_link(path, CODE_INDEX)})\n"
            )

        pages.extend(
            _paginate(
                code_host_base(host),
                f"Code on {host}",
                host_intro,
                [_Item(entry, url=url) for entry, url in by_host[host]],
                per_page,
                lambda item, path: code_line(item.entry, item.url or "", path),
            )
        )
    return pages


# --- timeline -----------------------------------------------------------------------------------


def _month_group(entry: BibEntry) -> str:
    """Return the timeline heading of an entry: `March 2025`, `2025 (month unknown)`, `Undated`."""
    if entry.year is None:
        return "Undated"
    if entry.month is None:
        return f"{entry.year} (month unknown)"
    return f"{MONTH_NAMES[entry.month - 1]} {entry.year}"


def _timeline_order(entries: Iterable[BibEntry]) -> list[BibEntry]:
    """Return entries newest month first; year-only entries after their year's months."""
    return sorted(
        newest_first(entries),
        key=lambda entry: (
            entry.year is None,
            -(entry.year or 0),
            entry.month is None,
            -(entry.month or 0),
        ),
    )


def _timeline_pages(
    entries: Sequence[BibEntry], tag_labels: Mapping[str, str], per_page: int
) -> list[SitePage]:
    """Return the timeline: one page by month when short, else a page (listing) per year."""
    ordered = _timeline_order(entries)

    def line(item: _Item, path: str) -> str:
        return _entry_item(item.entry, path, tag_labels)

    if len(ordered) <= per_page:
        pages = _paginate(
            TIMELINE_BASE,
            "Timeline",
            lambda path: f"{len(ordered)} papers by month, newest first.\n",
            [_Item(entry, _month_group(entry)) for entry in ordered],
            per_page,
            line,
        )
        return pages
    by_year: dict[int | None, list[BibEntry]] = {}
    for entry in ordered:
        by_year.setdefault(entry.year or None, []).append(entry)
    index_lines = []
    for year, dated in by_year.items():
        label = str(year) if year else "Undated"
        months = dict.fromkeys(_month_group(entry) for entry in dated)
        first_page = listing_page_path(timeline_year_base(year), 1)
        index_lines.append(
            f"- [{escape_text(label)}]({relative_link(TIMELINE_INDEX, first_page)})"
            f" ({len(dated)}): " + escape_text(", ".join(months))
        )
    pages = [
        SitePage(
            TIMELINE_INDEX,
            _front_matter("Timeline", searchable=False)
            + "# Timeline\n\n"
            + f"{len(ordered)} papers by year, newest first.\n\n"
            + "\n".join(index_lines)
            + "\n",
            "Timeline",
        )
    ]
    for year, dated in by_year.items():
        label = str(year) if year else "Undated"
        count = len(dated)

        def year_intro(path: str, count: int = count) -> str:
            return (
                f"{count} papers by month, newest first. "
                f"[All years]({relative_link(path, TIMELINE_INDEX)})\n"
            )

        pages.extend(
            _paginate(
                timeline_year_base(year),
                label,
                year_intro,
                [_Item(entry, _month_group(entry)) for entry in dated],
                per_page,
                line,
            )
        )
    return pages


# --- home ---------------------------------------------------------------------------------------


def _home_page(entries: Sequence[BibEntry], tag_labels: Mapping[str, str], latest: int) -> SitePage:
    """Return `index.md`: counts, links to the overviews, the latest digest, the month's best.

    The latest digest is the newest day on which counts were read (`countsdate`, the day of a
    Hugging Face digest), its papers most upvoted first; the month's best are the most upvoted
    papers of the digests of that day's month. A library without counts gets the newest papers.
    Every list holds at most `latest` papers.
    """
    tags = {tag_slug(tag) for entry in entries for tag in entry.tags}
    with_code = sum(1 for entry in entries if entry.links_of(LinkKind.CODE))
    noun = "paper" if len(entries) == 1 else "papers"
    body = [
        _front_matter("Papers", searchable=True),
        "# Papers\n",
        f"{len(entries)} {noun} · {len(tags)} tags · {with_code} with code. "
        f"Browse [by tag]({relative_link(HOME_PAGE, TAGS_INDEX)}), "
        f"[by date]({relative_link(HOME_PAGE, TIMELINE_INDEX)}), "
        f"[with code]({relative_link(HOME_PAGE, CODE_INDEX)}).\n",
    ]

    def items(chosen: Sequence[BibEntry]) -> str:
        return _listing([_entry_item(entry, HOME_PAGE, tag_labels) for entry in chosen])

    counted = [entry for entry in entries if entry.counts_date is not None]
    if latest == 0:
        return SitePage(HOME_PAGE, "\n".join(body), "Papers")
    if not counted:
        newest = newest_first(entries)[:latest]
        body.append("## Latest\n")
        body.append(items(newest) if newest else "No papers yet.\n")
        return SitePage(HOME_PAGE, "\n".join(body), "Papers")
    day = max(entry.counts_date for entry in counted if entry.counts_date is not None)
    digest = _most_upvoted(entry for entry in counted if entry.counts_date == day)
    shown = digest[:latest]
    body.append(f"## Latest digest: {day.isoformat()}\n")
    papers = f"{len(digest)} {'paper' if len(digest) == 1 else 'papers'}"
    if len(shown) < len(digest):
        body.append(f"The {len(shown)} most upvoted of its {papers}.\n")
    else:
        body.append(f"Its {papers}, most upvoted first.\n")
    if shown:
        body.append(items(shown))
    month = [
        entry
        for entry in counted
        if entry.counts_date is not None
        and (entry.counts_date.year, entry.counts_date.month) == (day.year, day.month)
        and entry.upvotes is not None
    ]
    best = _most_upvoted(month)[:latest]
    if best:
        body.append(f"## Most upvoted in {MONTH_NAMES[day.month - 1]} {day.year}\n")
        body.append(items(best))
    return SitePage(HOME_PAGE, "\n".join(body), "Papers")


def _most_upvoted(entries: Iterable[BibEntry]) -> list[BibEntry]:
    """Return entries most upvoted first (unknown counts last), then newest first."""
    ordered = newest_first(entries)
    return sorted(ordered, key=lambda entry: -1 if entry.upvotes is None else -entry.upvotes)


def render_site_pages(
    entries: Sequence[BibEntry],
    *,
    tag_labels: Mapping[str, str],
    per_page: int = 50,
    latest: int = 20,
    home: bool = True,
) -> list[SitePage]:
    """Return the overview pages of the site for a library.

    Args:
        entries: The library's entries (any order).
        tag_labels: Display labels of tag ids, e.g. `{"video-generation": "Video generation"}`.
        per_page: Lines a listing page holds before it continues on `.../page-2.md`.
        latest: Papers the home page lists.
        home: Whether to produce `index.md` (False when the user wrote their own).

    Returns:
        `tags/index.md`, the tag listings, `code/index.md` (+ per-host listings when long),
        `timeline/index.md` (+ per-year listings when long) and, with `home`, `index.md`.
    """
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, not {per_page}")
    pages = [
        *_tag_pages(entries, tag_labels, per_page),
        *_code_pages(entries, tag_labels, per_page),
        *_timeline_pages(entries, tag_labels, per_page),
    ]
    if home:
        pages.append(_home_page(entries, tag_labels, latest))
    return pages
