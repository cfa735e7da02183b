"""Where each entry of a `.bib` text lies and which paper it is: the merge's view of a library.

Merging a digest into a library needs, per entry, its span in the text (to copy it byte for byte
or rewrite it), its key (to keep new keys unique) and the paper it names (arXiv ids, normalised
title). `index_library` finds them with bibtexparser; on a large file it parses slices of the
text on every core. A `LibraryIndex` is a pure function of the text, so it can be kept and reused
while the text is unchanged: `dump_index` and `load_index` give it a JSON form bound to the
text's SHA-256, which `papershelf.convert` keeps in the user's cache folder.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import bibtexparser
from bibtexparser.entrypoint import parse_string
from bibtexparser.model import Entry, Field

from papershelf import __version__
from papershelf.bib.check import failed_block_problem, mask_comments, parse_library
from papershelf.bib.escape import exact_field, exact_value, unescape_text
from papershelf.errors import LibraryError, Problem
from papershelf.identity import ENTRY_ID_FIELDS, find_arxiv_ids, normalise_title
from papershelf.parallel import Stage, jobs, map_parts, splits

__all__ = [
    "INDEX_FIELDS",
    "IndexedEntry",
    "LibraryIndex",
    "StaleIndexError",
    "dump_index",
    "failed_block_problem",
    "index_library",
    "index_row",
    "index_with_warnings",
    "indexed_entry",
    "inner_value",
    "library_slices",
    "load_index",
    "parse_entry",
    "slice_bounds",
    "text_digest",
]

INDEX_FIELDS = (*ENTRY_ID_FIELDS, "title", exact_field("title"))
"""The fields that tell which paper an entry is: its arXiv ids (`find_arxiv_ids`) and its title
(with its exact text, when the `ascii` profile transliterated it)."""

# bibtexparser logs each unreadable block with 0-based line numbers; LibraryError reports them
# 1-based, so its records go to the application's handlers only, never to Python's last resort.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

_BLOCK_START = re.compile(r"\n(?=@[A-Za-z])")
_INDEX_FORMAT = 3
"""Bumped whenever the JSON form or the meaning of an index changes."""


@dataclass(frozen=True, slots=True)
class IndexedEntry:
    """One entry of a library text."""

    start: int
    """Offset of its `@` in the text, e.g. `0`."""
    end: int
    """Offset just after its closing delimiter, e.g. `812`."""
    key: str
    """Its citation key as written, e.g. `cheng2024breaking`."""
    arxiv_ids: tuple[str, ...]
    """The arXiv ids its fields name (`find_arxiv_ids`), sorted, e.g. `("2410.17243",)`."""
    title: str
    """Its title in comparison form (`normalise_title`), e.g. `breaking the memory barrier`."""

    def moved(self, offset: int) -> IndexedEntry:
        """Return the same entry `offset` characters further on in a text (itself for 0)."""
        if offset == 0:
            return self
        return IndexedEntry(
            self.start + offset, self.end + offset, self.key, self.arxiv_ids, self.title
        )

    def __reduce__(self) -> tuple[type[IndexedEntry], tuple[int, int, str, tuple[str, ...], str]]:
        # Rows travel between processes by the thousand; the generic form of a slotted class
        # pickles three times slower.
        return IndexedEntry, (self.start, self.end, self.key, self.arxiv_ids, self.title)


@dataclass(frozen=True, slots=True)
class LibraryIndex:
    """Every entry of a library text, in text order."""

    entries: tuple[IndexedEntry, ...]


def inner_value(raw: str) -> str:
    """Return a field value without its delimiters (`{x}` or `"x"`); macros stay as they are."""
    if len(raw) >= 2 and ((raw[0] == "{" and raw[-1] == "}") or (raw[0] == '"' and raw[-1] == '"')):
        return raw[1:-1]
    return raw


def indexed_entry(start: int, end: int, key: str, fields: Sequence[Field]) -> IndexedEntry:
    """Return the index row of an entry with these fields, lying at `start:end`.

    Of two fields whose names differ only in case (`Title`, `title`), the later one counts, as
    it does when the merge reads the entry.
    """
    plain: dict[str, str] = {}
    for field in fields:
        name = field.key.casefold()
        if name in INDEX_FIELDS:
            plain[name] = inner_value(field.value)
    return index_row(start, end, key, plain)


def index_row(
    start: int,
    end: int,
    key: str,
    plain: Mapping[str, str],
    *,
    arxiv_ids: tuple[str, ...] | None = None,
) -> IndexedEntry:
    """Return the index row of an entry from its field values without delimiters.

    Args:
        plain: Lower-case field name -> value without delimiters; at least the `INDEX_FIELDS`
            the entry has.
        arxiv_ids: What `find_arxiv_ids(plain)` gives, sorted, when the caller knows it already.
    """
    if arxiv_ids is None:
        arxiv_ids = tuple(sorted(find_arxiv_ids(plain)))
    return IndexedEntry(
        start=start,
        end=end,
        key=key,
        arxiv_ids=arxiv_ids,
        title=normalise_title(unescape_text(exact_value(plain, "title"))),
    )


class StaleIndexError(Exception):
    """A row of an index does not describe the text it is used with (a damaged kept index)."""


def parse_entry(text: str, row: IndexedEntry) -> Entry:
    """Return the entry a row of `text`'s index names, parsed by bibtexparser.

    Raises:
        StaleIndexError: The row's span is not exactly one entry with the row's key.
    """
    # `%` lines inside the entry are comments, not part of the next field's name.
    blocks = parse_string(mask_comments(text[row.start : row.end]), parse_stack=[]).blocks
    if len(blocks) != 1 or not isinstance(blocks[0], Entry) or blocks[0].key != row.key:
        raise StaleIndexError(f"the index does not locate the entry '{row.key}'")
    return blocks[0]


# ---------------------------------------------------------------------------------------------
# Building an index


@dataclass(frozen=True, slots=True)
class _Slice:
    """The index of one slice of a text, or None when the slice did not parse cleanly."""

    entries: tuple[IndexedEntry, ...] | None
    string_keys: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()


def index_library(text: str, *, source: str) -> LibraryIndex:
    """Return the index of a library text, parsing a large text in slices on every core.

    Raises:
        LibraryError: The text does not pass `papershelf.bib.check.parse_library`: blocks
            bibtexparser cannot read, duplicate keys, and every other error `read_library`
            reports, each with its 1-based line.
    """
    return index_with_warnings(text, source=source)[0]


def index_with_warnings(text: str, *, source: str) -> tuple[LibraryIndex, tuple[Problem, ...]]:
    """Return the index of a library text, as `index_library` does, and the warnings about it."""
    bounds = library_slices(text)
    if len(bounds) > 1:
        slices = map_parts(partial(_index_slice, text), bounds)
        joined = _joined(slices)
        if joined is not None:
            return LibraryIndex(joined[0]), joined[1]
    # One piece; also the way to the exact problems when a slice failed.
    entries, _, warnings = _index_text(text, 0, len(text), source=source)
    return LibraryIndex(entries), warnings


def library_slices(text: str) -> list[tuple[int, int]]:
    """Return the spans a library text is parsed in, one per process; none for a small text.

    Both ways of parsing a whole library use them: for its index and for its pages.
    """
    return slice_bounds(text, jobs()) if splits(Stage.LIBRARY_SLICES, len(text)) else []


def slice_bounds(text: str, parts: int) -> list[tuple[int, int]]:
    """Return about `parts` spans covering the text, each cut just before a line starting `@x`.

    A cut inside an entry (a value with a line starting with `@`) is harmless: that slice then
    fails to parse and the text is parsed in one piece.
    """
    cuts = [0]
    for part in range(1, parts):
        match = _BLOCK_START.search(text, len(text) * part // parts)
        if match is None:
            break
        if match.end() > cuts[-1]:
            cuts.append(match.end())
    cuts.append(len(text))
    return list(itertools.pairwise(cuts))


def _index_slice(text: str, bounds: tuple[int, int]) -> _Slice:
    start, end = bounds
    try:
        entries, strings, warnings = _index_text(text, start, end, source="")
    except LibraryError:
        return _Slice(None)
    return _Slice(entries, strings, warnings)


def _joined(
    slices: Sequence[_Slice],
) -> tuple[tuple[IndexedEntry, ...], tuple[Problem, ...]] | None:
    """Return the entries and warnings of all slices, or None if one failed or keys repeat."""
    entries: list[IndexedEntry] = []
    warnings: list[Problem] = []
    entry_keys: set[str] = set()
    string_keys: set[str] = set()
    for part in slices:
        if part.entries is None:
            return None
        # Folded: keys differing in case only are an error, which the whole text words.
        keys = {entry.key.casefold() for entry in part.entries}
        strings = set(part.string_keys)
        if keys & entry_keys or strings & string_keys:
            return None
        entry_keys |= keys
        string_keys |= strings
        entries.extend(part.entries)
        warnings.extend(part.warnings)
    return tuple(entries), tuple(warnings)


def _index_text(
    text: str, start: int, end: int, *, source: str
) -> tuple[tuple[IndexedEntry, ...], tuple[str, ...], tuple[Problem, ...]]:
    """Return the entries of `text[start:end]` (offsets into `text`), its `@string` keys and
    its warnings.

    Raises:
        LibraryError: The piece has errors.
    """
    first_line = text.count("\n", 0, start) + 1 if start else 1
    parsed = parse_library(text[start:end], source=source, first_line=first_line)
    if parsed.errors:
        raise LibraryError(parsed.errors)
    entries = tuple(
        indexed_entry(start + checked.start, start + checked.end, checked.key, checked.entry.fields)
        for checked in parsed.entries
    )
    return entries, tuple(string.key for string in parsed.library.strings), parsed.warnings


# ---------------------------------------------------------------------------------------------
# Keeping an index


def text_digest(text: str) -> str:
    """Return the SHA-256 of a text's UTF-8 bytes, in hex: what an index is bound to."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stamp() -> str:
    # An index is only as good as the parser and the rules that made it.
    parser = bibtexparser.__version__
    return f"papershelf {__version__}; bibtexparser {parser}; index {_INDEX_FORMAT}"


def dump_index(index: LibraryIndex, text: str) -> str:
    """Return the JSON form of `text`'s index, bound to the text by its SHA-256."""
    rows = [
        [entry.start, entry.end, entry.key, list(entry.arxiv_ids), entry.title]
        for entry in index.entries
    ]
    document = {"stamp": _stamp(), "sha256": text_digest(text), "length": len(text), "rows": rows}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def load_index(data: str, text: str) -> LibraryIndex | None:
    """Return the index kept in `data` if it was made from exactly `text`, else None.

    Anything unexpected (another version, another text, a damaged file) gives None: the caller
    then indexes the text afresh.
    """
    try:
        document = json.loads(data)
        if (
            not isinstance(document, dict)
            or document.get("stamp") != _stamp()
            or document.get("length") != len(text)
            or document.get("sha256") != text_digest(text)
        ):
            return None
        entries = tuple(_row(row, text) for row in document["rows"])
    except (ValueError, KeyError, TypeError):
        return None
    if any(left.end > right.start for left, right in itertools.pairwise(entries)):
        return None
    return LibraryIndex(entries)


def _row(row: object, text: str) -> IndexedEntry:
    if not isinstance(row, list) or len(row) != 5:
        raise ValueError("not an index row")
    start, end, key, ids, title = row
    valid = (
        isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end <= len(text)
        and text[start] == "@"
        and isinstance(key, str)
        and key in text[start:end]
        and isinstance(ids, list)
        and all(isinstance(item, str) for item in ids)
        and isinstance(title, str)
    )
    if not valid:
        raise ValueError("not an index row")
    return IndexedEntry(start, end, key, tuple(ids), title)
