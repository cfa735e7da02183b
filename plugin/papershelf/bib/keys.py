"""Citation keys in the Google Scholar style: `cheng2024breaking`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from papershelf.model import Paper

__all__ = ["STOPWORDS", "make_key", "transliterate"]

# Letters that NFKD does not decompose into an ASCII base letter.
_SPECIAL_LETTERS = {
    "ß": "ss",
    "ẞ": "ss",
    "æ": "ae",
    "Æ": "ae",
    "œ": "oe",
    "Œ": "oe",
    "ø": "o",
    "Ø": "o",
    "ł": "l",
    "Ł": "l",
    "đ": "d",
    "Đ": "d",
    "ð": "d",
    "Ð": "d",
    "þ": "th",
    "Þ": "th",
    "\u0131": "i",  # dotless i
}

# Words Google Scholar and Zotero skip when they pick the title word of a key.
STOPWORDS = frozenset(
    {"a", "an", "the", "and", "or", "but", "nor", "of", "on", "in", "into", "onto", "at", "by"}
    | {"for", "from", "to", "with", "without", "via", "as", "is", "are", "be", "do", "does"}
    | {"what", "how", "why", "when", "which", "who", "can", "towards", "toward", "over", "under"}
    | {"about", "than", "that", "this", "these", "those", "its", "their", "our", "your", "we"}
    | {"i", "you", "it", "not", "no", "yes"}
)

_NON_KEY = re.compile(r"[^a-z0-9]+")


def transliterate(text: str) -> str:
    """Return `text` lower-cased in ASCII `[a-z0-9]`: `Müller-Łukasz` -> `mullerlukasz`."""
    if text.isascii():
        return _NON_KEY.sub("", text.lower())
    spelled = "".join(_SPECIAL_LETTERS.get(char, char) for char in text)
    decomposed = unicodedata.normalize("NFKD", spelled)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NON_KEY.sub("", ascii_only.lower())


def _last_name(name: str) -> str:
    name = name.strip()
    if "," in name:
        return transliterate(name.split(",", 1)[0])
    parts = name.split()
    return transliterate(parts[-1]) if parts else ""


def _title_words(title: str, count: int = 2) -> list[str]:
    """Return the first `count` significant words of a title, transliterated."""
    words: list[str] = []
    for word in title.split():
        spelled = transliterate(word)
        if spelled and spelled not in STOPWORDS:
            words.append(spelled)
            if len(words) == count:
                break
    return words


def _suffix(number: int) -> str:
    """Return the bijective base-26 letters of `number` >= 1: 1 -> a, 26 -> z, 27 -> aa."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def make_key(
    paper: Paper, taken: Collection[str], *, suffixes: dict[str, int] | None = None
) -> str:
    """Return a new citation key for `paper` that is not in `taken`.

    The key is ASCII `[a-z0-9]`: the first author's last name, the year and the first
    significant title word (`cheng2024breaking`); without author names, the first significant
    title word, the year and the second (`offline2025optimization`); without either, the arXiv
    id (`arxiv241017243`). On collision `a`, `b`, ...,
    `z`, `aa`, `ab`, ... is appended, as JabRef and Better BibTeX do.

    Args:
        paper: The paper to name.
        taken: Keys already in use, lower-cased (BibTeX compares keys without regard to case).
        suffixes: Optional memo shared across calls: the next suffix number to try per base,
            so that naming n papers with one base costs O(n), not O(n^2).
    """
    year = str(paper.date.year)
    words = _title_words(paper.title)
    last = _last_name(paper.authors[0]) if paper.authors else ""
    if last:
        base = last + year + (words[0] if words else "")
    elif words:
        base = words[0] + year + (words[1] if len(words) > 1 else "")
    elif paper.arxiv_id:
        # Known by its id alone: a key that names the paper, and stays right once its title is in.
        base = "arxiv" + transliterate(paper.arxiv_id)
    else:
        base = "paper" + year
    if base not in taken:
        return base
    number = suffixes.get(base, 1) if suffixes is not None else 1
    while base + _suffix(number) in taken:
        number += 1
    if suffixes is not None:
        suffixes[base] = number + 1
    return base + _suffix(number)
