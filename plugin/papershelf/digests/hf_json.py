"""The Hugging Face `daily_papers` JSON (2024 and 2026 shapes) -> `list[Paper]`.

Every field of an item is optional. A missing title is a problem; a missing abstract is an empty
string; a field of the wrong type is a problem naming the field. Structured links (`githubRepo`,
`projectPage`) that are not http(s) URLs are dropped: they are never links.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping

from papershelf.dates import DateProblem, date_from_iso
from papershelf.digests.hf_text import clean_text, normalise_space
from papershelf.digests.registry import DigestReader, Sniff
from papershelf.errors import DigestError, Problem
from papershelf.identity import parse_arxiv_id
from papershelf.links import find_links, http_link_kind, merge_links
from papershelf.model import DateOrigin, Link, LinkKind, Paper, Source
from papershelf.naming import CLI_NAMES, OptionNames

_WHITESPACE = re.compile(r"\s*")
_JSON_START = re.compile(r"\[\s*[{\]]|\{\s*[\"}]")
"""How a list of items or an object starts: `[{`, `[]`, `{"`, `{}` (whitespace allowed); a text
digest whose first title is `[Re] Reproducing ...` does not."""

# Timestamps repeat across the items of a digest (and between `paper` and the item itself).
_iso_date = functools.lru_cache(maxsize=1024)(date_from_iso)


class _ItemProblem(ValueError):
    """A field of one item is unusable; the message names the field and the fix."""


class _UndatedItem(_ItemProblem):
    """An item without any date while the digest date is unknown; reported once per file."""


def parse_hf_json(
    text: str, *, source: str, digest_date: dt.date | None, names: OptionNames = CLI_NAMES
) -> list[Paper]:
    """Return the papers of a `daily_papers` JSON answer (a list of items, or `{"papers": [...]}`).

    Args:
        text: The JSON text, e.g. `tests/data/hf-daily-papers-2024-10.json`.
        source: The digest's path as the user gave it.
        digest_date: The day the answer was fetched; the counts date, and the date of papers
            without `publishedAt`. When None, each item's `publishedAt` date is its counts date.
        names: How the front end spells the options a problem's fix names (`--date` or the
            plugin's `digest_date`).

    Returns:
        The papers in list order; `Source.item` is the 0-based index of the item.

    Raises:
        DigestError: Invalid JSON (with its line), or every problem of every item at once.
    """
    text = text.lstrip("\ufeff")
    items, listed = _items(text, source)
    failures: list[tuple[int, _ItemProblem]] = []
    papers: list[Paper] = []
    for index, data in enumerate(items):
        try:
            paper = _paper(data, index, source, digest_date, names)
        except _ItemProblem as error:
            failures.append((index, error))
            continue
        papers.append(paper)
    if failures or not items:
        raise DigestError(_problems(text, source, len(items), failures, listed=listed))
    return papers


def _problems(
    text: str,
    source: str,
    count: int,
    failures: list[tuple[int, _ItemProblem]],
    *,
    listed: bool,
) -> list[Problem]:
    """Return the problems of the failed items of a document of `count` items, with their lines.

    Args:
        listed: Whether the document is a top-level list, whose items' lines can be found.
    """
    # Finding the lines decodes the document a second time, item by item, which costs as much as
    # the first decoding: only a report needs them.
    lines = _item_lines(text, count) if listed and failures else [None] * count
    problems: list[Problem] = []
    undated: list[Problem] = []
    for index, error in failures:
        problem = Problem(source, lines[index], f"item {index}: {error}")
        (undated if isinstance(error, _UndatedItem) else problems).append(problem)
    if undated:
        first = undated[0]
        more = f" ({len(undated)} items in this file have no date)" if len(undated) > 1 else ""
        problems.append(Problem(source, first.line, first.message + more))
    if not count:
        problems.append(Problem(source, None, "the JSON list holds no papers"))
    return problems


def _items(text: str, source: str) -> tuple[list[object], bool]:
    """Return the items of the document and whether it is a top-level list, or raise DigestError."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DigestError(
            [Problem(source, error.lineno, f"invalid JSON: {error.msg} (column {error.colno})")]
        ) from None
    except RecursionError:
        raise DigestError(
            [Problem(source, None, "invalid JSON: nested too deeply to be a daily_papers answer")]
        ) from None
    except ValueError as error:
        # e.g. an integer of thousands of digits, which Python refuses to convert.
        raise DigestError([Problem(source, None, f"invalid JSON: {str(error)[:100]}")]) from None
    if isinstance(document, Mapping) and isinstance(document.get("papers"), list):
        return document["papers"], False
    if isinstance(document, list):
        return document, True
    raise DigestError(
        [
            Problem(
                source,
                None,
                'expected a JSON list of daily_papers items (or {"papers": [...]}), '
                f"got {_json_type(document)}",
            )
        ]
    )


def _item_lines(text: str, count: int) -> list[int | None]:
    """Return the 1-based line each item of a top-level JSON list starts on.

    A one-line document gives every item line 1, which locates nothing: None for each then.
    """
    if "\n" not in text.strip():
        return [None] * count
    decoder = json.JSONDecoder()
    position = _skip_space(text, text.index("[") + 1)
    line, counted = 1, 0
    lines: list[int | None] = []
    for _ in range(count):
        line += text.count("\n", counted, position)
        counted = position
        lines.append(line)
        _, end = decoder.raw_decode(text, position)
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
    return lines


def _skip_space(text: str, position: int) -> int:
    """Return the index of the first non-whitespace character at or after `position`."""
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position


def _json_type(value: object) -> str:
    """Return the JSON name of a decoded value's type with its article, e.g. `a number`."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, Mapping) else "null"


def _clean(text: str) -> str:
    """Return `normalise_space(clean_text(text))`, without copying text that is already so."""
    # Printable text holds no control character and no whitespace but the plain space, so only
    # doubled or surrounding spaces could change; nearly every field of a digest is like this.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return normalise_space(clean_text(text))


def _text(data: Mapping[str, object], key: str, label: str) -> str | None:
    """Return a string field with whitespace normalised, None when absent or null."""
    value = data.get(key)
    return None if value is None else _string(value, label)


def _string(value: object, label: str) -> str:
    """Return a string value (not null) with whitespace normalised."""
    if not isinstance(value, str):
        raise _ItemProblem(f"{label} is {_json_type(value)}, not a string; fix the JSON")
    return _clean(value)


def _count(data: Mapping[str, object], key: str, label: str) -> int | None:
    """Return a non-negative integer field, None when absent or null."""
    value = data.get(key)
    if value is None or (type(value) is int and value >= 0):  # bool is an int subclass
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _ItemProblem(f"{label} is {str(value)[:40]!r}, not a count; fix the JSON")
    return value


def _date(data: Mapping[str, object], key: str, label: str) -> dt.date | None:
    """Return the UTC date of an ISO timestamp field, None when absent or null."""
    value = _text(data, key, label)
    if value is None:
        return None
    try:
        return _iso_date(value)
    except DateProblem as error:
        raise _ItemProblem(f"{label}: {error}; fix the JSON") from None


def _mapping(value: object, label: str) -> Mapping[str, object]:
    """Return a JSON object field, an empty one when absent or null."""
    if type(value) is dict:  # what `json.loads` gives; the abstract check below is slower
        return value
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _ItemProblem(f"{label} is {_json_type(value)}, not an object; fix the JSON")
    return value


def _strings(value: object, label: str) -> tuple[str, ...]:
    """Return a list of strings (e.g. `ai_keywords`), normalised, empty ones dropped."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise _ItemProblem(f"{label} is not a list of strings; fix the JSON")
    cleaned = [_clean(entry) for entry in value]
    return tuple(entry for entry in cleaned if entry)


def _authors(value: object) -> tuple[str, ...]:
    """Return the `name` of each author object, in order."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _ItemProblem("paper.authors is not a list; fix the JSON")
    names: list[str] = []
    for position, author in enumerate(value):
        # The label is built only for an author that is not a JSON object.
        fields = author if type(author) is dict else _mapping(author, f"paper.authors[{position}]")
        name = _text(fields, "name", "author name")
        if name:
            names.append(name)
    return tuple(names)


def _organization(value: object) -> str | None:
    """Return the organisation's display name from an object (`fullname`, `name`) or a string."""
    if value is None:
        return None
    if isinstance(value, str):
        return _clean(value) or None
    organization = _mapping(value, "organization")
    return _text(organization, "fullname", "organization.fullname") or _text(
        organization, "name", "organization.name"
    )


def _structured_link(data: Mapping[str, object], key: str, default: LinkKind) -> tuple[Link, ...]:
    """Return the link of a URL field (`githubRepo`, `projectPage`) if it is http(s)."""
    value = data.get(key)
    if value is None:
        return ()
    url = _string(value, f"paper.{key}")  # the label is built only for a present field
    kind = http_link_kind(url) if url else None
    if kind is None:
        return ()
    if default is LinkKind.CODE or kind is LinkKind.OTHER:
        kind = default
    return (Link(url, kind),)


def _paper(
    data: object, index: int, source: str, digest_date: dt.date | None, names: OptionNames
) -> Paper:
    """Return the paper of the item at `index`, or raise _ItemProblem."""
    top = _mapping(data, "the item")
    paper = _mapping(top.get("paper"), "paper")
    title = _text(paper, "title", "paper.title") or _text(top, "title", "title")
    if not title:
        raise _ItemProblem("the paper has no title; add paper.title or remove the item")
    abstract = _text(paper, "summary", "paper.summary") or _text(top, "summary", "summary") or ""
    published = _date(paper, "publishedAt", "paper.publishedAt")
    listed = _date(top, "publishedAt", "publishedAt")
    if published is not None:
        date, origin = published, DateOrigin.GIVEN
    elif listed is not None:
        date, origin = listed, DateOrigin.GIVEN
    elif digest_date is not None:
        date, origin = digest_date, DateOrigin.DIGEST
    else:
        raise _UndatedItem(
            f"the paper has no publishedAt and the digest date is unknown; {names.undated_fix}"
        )
    identifier = _text(paper, "id", "paper.id")
    arxiv = parse_arxiv_id(identifier) if identifier else None
    links = merge_links(
        find_links(abstract),
        _structured_link(paper, "githubRepo", LinkKind.CODE),
        _structured_link(paper, "projectPage", LinkKind.PROJECT),
    )
    return Paper(
        title=title,
        abstract=abstract,
        source=Source(source, item=index),
        date=date,
        date_origin=origin,
        authors=_authors(paper.get("authors")),
        organization=_organization(top.get("organization", paper.get("organization"))),
        arxiv_id=arxiv.id if arxiv else None,
        upvotes=_count(paper, "upvotes", "paper.upvotes"),
        comments=_count(top, "numComments", "numComments"),
        counts_date=digest_date if digest_date is not None else listed,
        github_stars=_count(paper, "githubStars", "paper.githubStars"),
        links=links,
        keywords=_strings(paper.get("ai_keywords"), "paper.ai_keywords"),
    )


def sniff_hf_json(text: str) -> Sniff:
    """Return CERTAIN for text that starts as a JSON list of objects or a JSON object does."""
    return Sniff.CERTAIN if _JSON_START.match(text[:4096]) else Sniff.NO


READER = DigestReader(
    name="hf-json",
    description="the JSON of the Hugging Face daily_papers API (2024 and 2026 shapes)",
    sniff=sniff_hf_json,
    parse=parse_hf_json,
)
