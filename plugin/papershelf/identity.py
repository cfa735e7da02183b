"""What makes two records the same paper: the arXiv-id grammar, the comparison form of a title,
and the arXiv ids a library entry names, which merging and rendering both use.

Two records are one paper when they name the same arXiv id, or when they have the same title in
comparison form and do not name different arXiv ids. Different arXiv ids are never one paper, and
a title that keeps no character in comparison form identifies nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "ENTRY_ID_FIELDS",
    "ArxivId",
    "arxiv_ids_in_text",
    "arxiv_key",
    "bare_doi",
    "find_arxiv_ids",
    "normalise_title",
    "parse_arxiv_id",
]

# ---------------------------------------------------------------------------------------------
# The arXiv-id grammar (https://info.arxiv.org/help/arxiv_identifier.html)

_ID = (
    r"(?:(?P<yymm>\d{4})\.(?P<number>\d{4,5})"
    r"|(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[a-z]{2})?/(?P<old>\d{7}))"
    r"(?:v(?P<version>[1-9]\d{0,5}))?(?!\w)"
)
"""An id and an optional version: `2410.17243v2`, `hep-th/9901001`, `math.GT/0309136v1`."""
_NAMED = (
    r"(?:(?<![\w.-])arxiv:[ \t]*"
    r"|(?<![\w.-])(?:https?://)?(?:(?:www|export)\.)?arxiv\.org/(?:abs|pdf|html)/"
    r"|(?<![\w.-])(?:https?://)?(?:www\.)?(?:huggingface|hf)\.co/papers/"
    r"|(?<![\w.])10\.48550/arxiv\.)"
)
"""What says that an id is an arXiv id: `arXiv:`, an abs/pdf/html or Hugging Face paper URL, or
the `10.48550/arXiv.` DOI (also inside `doi:` and `https://doi.org/`)."""
_ARXIV_IN_TEXT = re.compile(_NAMED + _ID + r"(?:\.pdf)?", re.IGNORECASE)
_ARXIV_WHOLE = re.compile(
    r"\s*(?:(?:doi:[ \t]*|https?://(?:dx\.)?doi\.org/)(?=10\.48550/))?"
    rf"{_NAMED}?{_ID}(?:\.pdf)?(?:[/?#]\S*)?\s*",
    re.IGNORECASE,
)
"""A text that is one arXiv id: bare or named, a URL with anything after the id, or the DOI."""
_BARE = re.compile(_ID, re.IGNORECASE)

_OLD_STYLE_MONTHS = ((1991, 8), (2007, 3))
"""arXiv opened in August 1991 (`hep-th/9108001`); new-style ids began on 1 April 2007."""


@dataclass(frozen=True, slots=True)
class ArxivId:
    """An arXiv identifier in arXiv's preferred form, and the version a text named."""

    id: str
    """Without version; old-style ids lower case and without subject class, as arXiv prefers
    them, e.g. `2410.17243`, `hep-th/9901001`, `math/0309136` for `math.GT/0309136`."""
    version: int | None = None
    """The version a text named, e.g. `2` for `2410.17243v2`; None for the paper itself."""

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def _arxiv_id(match: re.Match[str]) -> ArxivId | None:
    """Return the id a match of the grammar names, or None when no such id can exist."""
    version, yymm, number, archive, old = match.group("version", "yymm", "number", "archive", "old")
    if yymm is not None:
        value = int(yymm)
        if not 1 <= value % 100 <= 12:
            return None
        # Four-digit numbers from 0704 (April 2007) to 1412, five digits from 1501; arXiv reads
        # `07` to `99` as 2007 to 2099 and keeps `00` to `06` for 2100 to 2106.
        if len(number) == 4:
            if not 704 <= value <= 1412:
                return None
        elif 613 <= value <= 1500:
            return None
        identifier = f"{yymm}.{number}"
    else:
        year, month = int(old[:2]), int(old[2:4])
        year += 1900 if year >= 91 else 2000
        first, last = _OLD_STYLE_MONTHS
        if not (1 <= month <= 12 and first <= (year, month) <= last):
            return None
        # arXiv's preferred form drops the subject class: `math.GT/0309136` is `math/0309136`.
        identifier = f"{archive.lower()}/{old}"
    return ArxivId(identifier, int(version) if version else None)


def parse_arxiv_id(text: str) -> ArxivId | None:
    """Return the arXiv id a whole text names, or None when the text is anything else.

    Args:
        text: e.g. `2410.17243v2`, `arXiv:hep-th/9901001`, `https://arxiv.org/pdf/2410.17243.pdf`,
            `https://huggingface.co/papers/2410.17243`, `doi:10.48550/arXiv.2410.17243`.

    Returns:
        e.g. `ArxivId("2410.17243", 2)`; None for `2410.1724` (a number too short for its month),
        `1412.12345` (five digits before 2015), `hep-th/0801001` (old style after March 2007).
    """
    # Most texts are a bare id, which the id's own pattern matches in a third of the time.
    match = _BARE.fullmatch(text) or _ARXIV_WHOLE.fullmatch(text)
    return None if match is None else _arxiv_id(match)


def arxiv_ids_in_text(text: str) -> tuple[ArxivId, ...]:
    """Return the arXiv ids a free text names, in order, each once.

    Only ids that say what they are count (`arXiv:ID`, an arXiv or Hugging Face URL, the arXiv
    DOI): a bare `2410.17243` in prose may be any number.

    Args:
        text: e.g. `arXiv preprint arXiv:2410.17243` or `see https://arxiv.org/abs/2401.00001v2`.
    """
    if "papers/" not in text and "arxiv" not in text.lower():  # much faster than the scan
        return ()
    found: dict[str, ArxivId] = {}
    for match in _ARXIV_IN_TEXT.finditer(text):
        arxiv_id = _arxiv_id(match)
        if arxiv_id is not None:
            found.setdefault(arxiv_id.id, arxiv_id)
    return tuple(found.values())


def arxiv_key(arxiv_id: str) -> str:
    """Return the form in which a record's arXiv id is compared with others.

    Args:
        arxiv_id: e.g. `2410.17243v2` or `math.GT/0309136`.

    Returns:
        The id in arXiv's preferred form without version, e.g. `2410.17243`, `math/0309136`; a
        text the grammar does not read, case-folded.
    """
    digits = arxiv_id[:4] + arxiv_id[5:]
    if len(arxiv_id) in (9, 10) and arxiv_id[4] == "." and digits.isascii() and digits.isdigit():
        # What the readers give (`2410.17243`): the grammar would return it or refuse it, and a
        # refused text is compared as it is; either way the key is the text.
        return arxiv_id
    parsed = parse_arxiv_id(arxiv_id)
    return arxiv_id.strip().casefold() if parsed is None else parsed.id


# ---------------------------------------------------------------------------------------------
# The arXiv ids of a library entry

_ID_FIELDS = ("eprint", "arxiv", "arxivid")
"""Fields whose whole value may be a bare id: `eprint` when the entry's `eprinttype` (or
`archiveprefix`) is arXiv or absent; `arxiv` and `arxivid` (Mendeley) always."""
_TEXT_FIELDS = ("url", "doi", "howpublished", "journal", "journaltitle", "note")
"""Fields in which an id counts where it says what it is (`arXiv:ID`, a URL, the DOI)."""
ENTRY_ID_FIELDS = (*_ID_FIELDS, *_TEXT_FIELDS, "eprinttype", "archiveprefix")
"""Every field `find_arxiv_ids` reads."""


def find_arxiv_ids(fields: Mapping[str, str]) -> tuple[str, ...]:
    """Return the arXiv ids (arXiv's preferred form, no version) a library entry names.

    The one answer to "which paper is this entry": the merge matches papers by it and the pages
    show its first id.

    Args:
        fields: Lower-case field name -> value without delimiters, at least the
            `ENTRY_ID_FIELDS` the entry has, e.g. `{"doi": "10.48550/arXiv.2410.17243"}`.

    Returns:
        The ids in the order `eprint`, `arxiv`, `arxivid`, `url`, `doi`, `howpublished`,
        `journal`, `journaltitle`, `note`, each once, e.g. `("2410.17243",)`.
    """
    kind = (fields.get("eprinttype") or fields.get("archiveprefix") or "arxiv").strip().casefold()
    found: dict[str, None] = {}
    for name in (*_ID_FIELDS, *_TEXT_FIELDS):
        value = fields.get(name)
        if not value:
            continue
        bare = name in _ID_FIELDS and (name != "eprint" or kind == "arxiv")
        whole = parse_arxiv_id(value) if bare else None
        if whole is not None:
            found[whole.id] = None
        else:
            found.update((arxiv_id.id, None) for arxiv_id in arxiv_ids_in_text(value))
    return tuple(found)


# ---------------------------------------------------------------------------------------------
# Titles in comparison form

_ASCII_NOT_ALNUM = bytes(
    code if chr(code) in "0123456789abcdefghijklmnopqrstuvwxyz" else ord(" ") for code in range(256)
)
"""A bytes translation table: ASCII digits and small letters stay, every other byte is a space."""

_TEX_ACCENT = re.compile(r"\\[\"'`^~=.]|\\[uvHcrkdbt](?=\s*\{|\s+[A-Za-z])\s*")
"""An accent command (`\\'`, `\\"`, `\\c `, `\\v{`): accents are folded, so it is dropped."""
_TEX_WORD = re.compile(r"\\([A-Za-z]+)\s*")
_TEX_SYMBOL = re.compile(r"\\(.)", re.DOTALL)
_TEX_LETTERS = {
    "ss": "ss",
    "o": "\u00f8",
    "O": "\u00f8",
    "ae": "\u00e6",
    "AE": "\u00e6",
    "oe": "\u0153",
    "OE": "\u0153",
    "aa": "a",
    "AA": "a",
    "l": "\u0142",
    "L": "\u0142",
    "i": "i",
    "j": "j",
    "TeX": "tex",
    "LaTeX": "latex",
}
"""Control words that spell a letter (or a word), in comparison form."""
_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega"
).split()
_TEX_GREEK = {
    name: chr(0x3B1 + index + (index >= 17))  # U+03C2 is the final sigma
    for index, name in enumerate(_GREEK)
}
_TEX_GREEK.update(
    {"varepsilon": "\u03b5", "vartheta": "\u03b8", "varpi": "\u03c0", "varrho": "\u03c1"}
    | {"varsigma": "\u03c3", "varphi": "\u03c6", "digamma": "\u03dd"}
)
_TEX_GREEK.update({name.capitalize(): letter for name, letter in list(_TEX_GREEK.items())})
_TEX_GREEK.update({f"text{name}": letter for name, letter in list(_TEX_GREEK.items())})
_TEX_WORDS = {**_TEX_LETTERS, **_TEX_GREEK}
_FOLDED_SCRIPTS = (
    (0, 0x530),
    (0x1D00, 0x2000),
    (0x2C60, 0x2C80),
    (0xA640, 0xA6A0),
    (0xA720, 0xA800),
)
"""Code point ranges of Latin, Greek and Cyrillic, whose accents are folded (`é` is `e`, a Greek
tonos is dropped). The marks of other scripts make other letters (kana `が` is not `か`, a
Devanagari vowel sign is a letter of its word) and are kept."""


def _folds_accents(base: str) -> bool:
    code = ord(base)
    return any(start <= code < end for start, end in _FOLDED_SCRIPTS)


def _tex_word(match: re.Match[str]) -> str:
    return _TEX_WORDS.get(match[1], " ")


def _general_form(title: str) -> str:
    """Return `normalise_title` of any text; the ASCII fast path must agree with it."""
    # Composed first, so a TeX command never ends inside a decomposed letter (`\\A` + `◌̀`).
    text = unicodedata.normalize("NFC", title)
    if "\\" in text:
        text = _TEX_ACCENT.sub("", text)
        text = _TEX_WORD.sub(_tex_word, text)
        text = _TEX_SYMBOL.sub(r"\1", text)
    text = text.replace("{", "").replace("}", "")
    # Decomposed twice: case folding can undo a decomposition (`ǰ`).
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept: list[str] = []
    folds = True  # a mark before any letter belongs to none
    for char in decomposed:
        category = unicodedata.category(char)
        if category[0] == "M":
            if not (folds and unicodedata.combining(char)):
                kept.append(char)
        elif category != "Cf":  # zero-width spaces and joiners, soft hyphens: invisible
            letter = category[0] in "LN"
            # A mark after a separator belongs to no letter and goes with the separator.
            folds = not letter or _folds_accents(char)
            kept.append(char if letter else " ")
    words = unicodedata.normalize("NFKC", "".join(kept)).split()
    if words:
        return " ".join(words)
    # A title of symbols only (`!!!`, an emoji) is compared as written, so it still names itself.
    visible = "".join(c for c in title if c not in "{}" and unicodedata.category(c) != "Cf")
    return " ".join(unicodedata.normalize("NFKC", visible).split())


def normalise_title(title: str) -> str:
    """Return the comparison form of a title: every letter and digit of every script, folded.

    NFKC, case folding, TeX markup (`{\\'e}`, `\\ss`, `$\\beta$`) and the accents of Latin,
    Greek and Cyrillic letters are folded and punctuation and symbols removed, so
    `{LLaMA}: Open and Efficient` and `LLaMA - open and efficient` agree, while titles that
    differ in a letter of any script (Greek alpha and beta, a CJK character, a kana voicing mark)
    stay apart. A title of symbols only (`!!!`, an emoji) is compared as written.

    Returns:
        e.g. `llama open and efficient` or `café` -> `cafe`; empty only for a title of whitespace,
        which identifies nothing.
    """
    if title.isascii() and "\\" not in title:
        # The same result in a third of the time: translate and split run in C.
        lowered = title.replace("{", "").replace("}", "").lower().encode("ascii")
        fast = " ".join(lowered.translate(_ASCII_NOT_ALNUM).decode("ascii").split())
        if fast:
            return fast
    return _general_form(title)


_DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)", re.IGNORECASE)
"""A DOI, bare (`10.1016/j.x.2024.1`), as `doi:` or as a doi.org URL."""


def bare_doi(text: str) -> str | None:
    """Return the bare DOI a whole text names, e.g. `10.1016/j.jenvman.2024.122526` for
    `https://doi.org/10.1016/j.jenvman.2024.122526`; None when it names none."""
    match = _DOI.fullmatch(text.strip())
    return match[1] if match else None
