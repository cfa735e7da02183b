"""A `.bib` text as the site publishes it: without the fields it must not show.

The text stays as written except for what is cut: each left-out field together with the comma
that ends it (so the entry stays valid BibTeX for every reader), and, for the whole-library
download, JabRef's `@Comment{jabref-meta: ...}` blocks. Fields are found as bibtexparser splits an
entry (`papershelf.bib.check.field_spans`), and only in the entries where a quick search finds
one of the names followed by `=`, so a library with nothing to leave out costs one search.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection

from papershelf.bib.check import CommentBlock, field_spans

__all__ = ["published_text"]

_JABREF_META = "jabref-meta"
_JABREF_META_RE = re.compile(r"@comment[ \t]*[{(]\s*jabref-meta", re.IGNORECASE)


@functools.lru_cache(maxsize=16)
def _names_pattern(names: frozenset[str]) -> re.Pattern[str]:
    """Return the search for `name =` of any of the names where a field name can stand: after
    its line's indentation, the comma before it or the entry's opening.

    The character before the name opens the pattern, so the search skips ahead to those
    characters (about one offset in six) instead of trying every name at every offset.
    """
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"[\s,{{(](?:{alternatives})\s*=", re.IGNORECASE)


def published_text(
    text: str,
    exclude: Collection[str],
    *,
    jabref_meta: bool = False,
    present: Collection[str] | None = None,
) -> str:
    """Return a `.bib` text without the fields named in `exclude` (in any case).

    Args:
        text: A whole library, or one entry with the `@string` definitions it uses.
        exclude: Field names, e.g. `("file", "owner")`.
        jabref_meta: Leave out JabRef's `@Comment{jabref-meta: ...}` blocks too (the groups tree
            and the library's settings), with the line end after each.
        present: The lower-case names of every field the text's entries have, when the caller
            knows them (`BibEntry.field_names`): a text with none to leave out is returned at
            once, without a search.

    Returns:
        e.g. `@misc{k,\\n  title = {T},\\n}` for `@misc{k,\\n  title = {T},\\n  file = {a.pdf}\\n}`.
    """
    names = frozenset(name.lower() for name in exclude)
    if present is not None and not jabref_meta and names.isdisjoint(present):
        return text
    pattern = _names_pattern(names) if names else None
    # The match starts at the character before the name; a text never starts with a field.
    candidates = [match.start() + 1 for match in pattern.finditer(text)] if pattern else []
    if jabref_meta:
        candidates.extend(match.start() for match in _JABREF_META_RE.finditer(text))
    if not candidates:
        return text
    cuts: list[tuple[int, int]] = []
    for found in field_spans(text, candidates):
        if isinstance(found, CommentBlock):
            if jabref_meta and found.body.lstrip().lower().startswith(_JABREF_META):
                cuts.append((found.start, _after_line_end(text, found.end)))
        elif found.name in names:
            cuts.append((found.start, found.end))
    if not cuts:
        return text
    pieces: list[str] = []
    cursor = 0
    for start, end in sorted(cuts):
        pieces.append(text[cursor:start])
        cursor = max(cursor, end)
    pieces.append(text[cursor:])
    return "".join(pieces)


def _after_line_end(text: str, position: int) -> int:
    """Return the offset after the line end at `position` (`\\r\\n`, `\\n` or `\\r`), if one is."""
    if text.startswith("\r\n", position):
        return position + 2
    if text.startswith(("\n", "\r"), position):
        return position + 1
    return position
