"""Any `.bib` file -> `BibEntry` views for rendering: ours, JabRef's, Zotero's, Better BibTeX's.

Reading is separate from the library writer (`bib/library.py`): it never changes the file, it
accepts foreign conventions (biblatex `date`, `eprint = {arXiv:...}`, `@string` macros, `#`
concatenation, `"..."` values, `Last, First` names) and it turns TeX into plain Unicode text.

TeX decoding has two paths. The fast path knows exactly the escapes papershelf's writer emits
(`\\%`, `\\&`, `\\#`, `\\_`, `\\$`, `\\{`, `\\}`, `\\textbackslash{}`, `\\textasciitilde{}`,
`\\textasciicircum{}` and a few text symbols) and drops protective braces; it handles every entry
papershelf writes. Any other backslash or a `$` (math) hands the whole value to pylatexenc, which
is about a thousand times slower but decodes foreign TeX (`{\\"u}`, `\\'e`, `$\\alpha$`,
`\\emph{x}`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache, partial
from typing import Protocol

from papershelf.bib.check import (
    CheckedEntry,
    Macro,
    field_date,
    field_year,
    iso_day,
    parse_library,
    whole_number,
)
from papershelf.bib.escape import exact_value
from papershelf.bib.fields import LINK_FIELDS
from papershelf.bib.index import library_slices
from papershelf.dates import MONTH_NAMES
from papershelf.errors import LibraryError, Problem
from papershelf.identity import bare_doi, find_arxiv_ids
from papershelf.links import classify_url, is_http_url
from papershelf.model import BibEntry, DateOrigin, Link, LinkKind, Source
from papershelf.parallel import map_parts

_DAY_RE = re.compile(r"^\s*(\d+)\s*$")


def read_library(text: str, *, source: str) -> list[BibEntry]:
    """Return the entries of a `.bib` file in file order; see `read_library_and_warnings`."""
    return read_library_and_warnings(text, source=source)[0]


def read_library_and_warnings(
    text: str, *, source: str
) -> tuple[list[BibEntry], tuple[Problem, ...]]:
    """Return the entries of a `.bib` file in file order, and the warnings about it.

    `@string` macros (and the month macros `jan`..`dec`) are expanded and `#` concatenations
    joined. The text is checked by `papershelf.bib.check.parse_library`, as the merge checks it:
    every error of the file is collected and raised at once (blocks that do not parse, entries
    without a usable key, duplicate keys, undefined macros, a missing comma, impossible years
    and dates); warnings (a `%` line inside an entry, a malformed papershelf field, which is then
    ignored) are returned. A large library without `@string`s is read in slices on every core,
    as `index_library` parses one; any doubt (a problem, a `@string`, a key in two slices) reads
    it in one piece.

    Args:
        text: The file's text.
        source: The file's path as the user gave it, for messages, e.g. `bib/papers.bib`.

    Returns:
        One `BibEntry` per entry, and the warnings in line order.

    Raises:
        LibraryError: With one `file:line: problem` per error found.
    """
    bounds = library_slices(text)
    if len(bounds) > 1:
        slices = map_parts(partial(_read_slice, text, source), bounds)
        joined = _joined(slices)
        if joined is not None:
            return joined
    # One piece; also the way to the exact problems when a slice had any.
    parsed = parse_library(text, source=source)
    if parsed.errors:
        raise LibraryError(parsed.errors)
    return _views(parsed.entries, parsed.macros, source), parsed.warnings


def read_libraries(texts: Mapping[str, str]) -> list[BibEntry]:
    """Return the entries of several `.bib` files as one library (`read_libraries_and_warnings`)."""
    return read_libraries_and_warnings(texts)[0]


def read_libraries_and_warnings(
    texts: Mapping[str, str],
) -> tuple[list[BibEntry], tuple[Problem, ...]]:
    """Return the entries of several `.bib` files as one library, in order, and the warnings.

    A citation key names a paper's page and download, so it may appear only once across the
    files; every file is read and every problem (of any file, and each key used again) is
    raised at once.

    Args:
        texts: Each file's text by its path as the user gave it, e.g. `{"bib/papers.bib": ...}`.

    Raises:
        LibraryError: With one `file:line: problem` per problem found.
    """
    entries: list[BibEntry] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    first_seen: dict[str, BibEntry] = {}
    for source, text in texts.items():
        try:
            found, found_warnings = read_library_and_warnings(text, source=source)
        except LibraryError as error:
            problems.extend(error.problems)
            continue
        warnings.extend(found_warnings)
        for entry in found:
            earlier = first_seen.get(entry.key)
            if earlier is not None:
                problems.append(
                    Problem(
                        entry.source.file,
                        entry.source.line,
                        f"citation key '{entry.key}' is already used at {earlier.source}; "
                        "rename one of them (keys must be unique across the libraries)",
                    )
                )
                continue
            first_seen[entry.key] = entry
            entries.append(entry)
    if problems:
        raise LibraryError(problems)
    return entries, tuple(warnings)


def _views(
    entries: Sequence[CheckedEntry], macros: Mapping[str, Macro], source: str
) -> list[BibEntry]:
    """Return the `BibEntry` of each checked entry."""
    return [_EntryReader(source, checked, macros).build() for checked in entries]


_Slice = tuple[list[BibEntry], tuple[Problem, ...]]


def _read_slice(text: str, source: str, bounds: tuple[int, int]) -> _Slice | None:
    """Return the entries of `text[start:end]` and its warnings, or None when it cannot stand alone.

    It cannot when it has an error (whose exact wording and order only the whole text gives)
    or an `@string`, which entries of other slices may use.
    """
    start, end = bounds
    parsed = parse_library(
        text[start:end], source=source, first_line=text.count("\n", 0, start) + 1
    )
    if parsed.errors or parsed.library.strings:
        return None
    return _views(parsed.entries, parsed.macros, source), parsed.warnings


def _joined(slices: Sequence[_Slice | None]) -> _Slice | None:
    """Return the entries and warnings of all slices, or None if one failed or keys repeat."""
    entries: list[BibEntry] = []
    warnings: list[Problem] = []
    keys: set[str] = set()
    for part in slices:
        if part is None:
            return None
        part_entries, part_warnings = part
        # Folded: keys differing in case only are an error, which the whole text words.
        part_keys = {entry.key.casefold() for entry in part_entries}
        if len(part_keys) != len(part_entries) or not keys.isdisjoint(part_keys):
            return None
        keys |= part_keys
        entries.extend(part_entries)
        warnings.extend(part_warnings)
    return entries, tuple(warnings)


class _EntryReader:
    """Builds the view of one checked entry."""

    def __init__(self, source: str, checked: CheckedEntry, macros: Mapping[str, Macro]) -> None:
        self.source = source
        self.checked = checked
        self.macros = macros

    def build(self) -> BibEntry:
        """Return the `BibEntry` for the entry's evaluated fields."""
        checked = self.checked
        entry, key, fields = checked.entry, checked.key, checked.fields
        # The exact text where the `ascii` profile transliterated (`exact_value`).
        authors = tuple(_display_name(name) for name in split_names(exact_value(fields, "author")))
        author_count = _number(fields, "authorcount")
        if author_count is None and authors:
            author_count = len(authors)
        year, month, day, date = _dates(fields)
        url = fields.get("url", "").strip()
        url_ok = is_http_url(url)
        arxiv_ids = find_arxiv_ids(fields)
        return BibEntry(
            key=key,
            entry_type=entry.entry_type.lower(),
            title=decode_tex(exact_value(fields, "title")),
            authors=authors,
            author_count=author_count,
            organization=decode_tex(exact_value(fields, "organization")) or None,
            date=date,
            year=year,
            month=month,
            abstract=decode_tex(exact_value(fields, "abstract"), paragraphs=True),
            tags=_split_keywords(fields.get("keywords", "")),
            arxiv_id=arxiv_ids[0] if arxiv_ids else None,
            url=url if url_ok else None,
            doi=_doi(fields.get("doi", "")),
            links=_links(fields, url if url_ok else ""),
            upvotes=_number(fields, "upvotes"),
            comments=_number(fields, "numcomments"),
            counts_date=_day(fields, "countsdate"),
            bibtex=self._bibtex(),
            source=Source(self.source, checked.line),
            day=day,
            github_stars=_number(fields, "githubstars"),
            date_origin=_date_origin(fields.get("dateorigin", "")),
            journal=_text(fields, "journal", "journaltitle"),
            booktitle=_text(fields, "booktitle"),
            volume=_text(fields, "volume"),
            number=_text(fields, "number", "issue"),
            pages=_pages(fields),
            publisher=_text(fields, "publisher"),
            institution=_text(fields, "school", "institution"),
            isbn=_text(fields, "isbn"),
            field_names=frozenset(fields),
        )

    def _bibtex(self) -> str:
        """Return the entry's text, after the `@string` definitions it needs to stand alone."""
        definitions: list[str] = []
        for name in dict.fromkeys(self.checked.macros):
            macro = self.macros.get(name)
            if macro is not None and macro.raw:
                definitions.append(macro.raw.strip())
        return "\n".join([*definitions, self.checked.raw.strip()])


def _text(fields: Mapping[str, str], *names: str) -> str | None:
    """Return the plain text of the first of the fields that has any, else None."""
    for name in names:
        text = decode_tex(fields.get(name, ""))
        if text:
            return text
    return None


_PAGE_RANGE_RE = re.compile(r"\s*(?:-+|\u2013|\u2014)\s*")


def _pages(fields: Mapping[str, str]) -> str | None:
    """Return `pages` as plain text, a range joined by an en dash (U+2013): `45--67`, `45-67`."""
    raw = fields.get("pages", "")
    # Decoded after the dashes are read: TeX would turn `--` into an en dash and `-` into a hyphen.
    parts = [decode_tex(part) for part in _PAGE_RANGE_RE.split(raw.strip())]
    text = "\u2013".join(part for part in parts if part)
    return text or None


def _number(fields: Mapping[str, str], name: str) -> int | None:
    """Return a whole-number field of ours; None when absent or malformed (the check warned)."""
    value = fields.get(name)
    return None if value is None else whole_number(value)


def _day(fields: Mapping[str, str], name: str) -> dt.date | None:
    """Return a `YYYY-MM-DD` field of ours; None when absent or malformed (the check warned)."""
    value = fields.get(name)
    return None if value is None else iso_day(value)


def _dates(fields: Mapping[str, str]) -> tuple[int | None, int | None, int | None, dt.date | None]:
    """Return year, month, day and the sort date from pubdate, date, year, month and day.

    The check has refused every year and date that is none, so none raises here.
    """
    pubdate = _day(fields, "pubdate")
    year = month = day = None
    if pubdate is not None:
        year, month, day = pubdate.year, pubdate.month, pubdate.day
        if fields.get("dateorigin", "").strip() == "arxiv-id":
            day = None  # the 1st stands in for the day an arXiv id does not give
    elif "date" in fields:
        # biblatex dates may be ranges (`2019/2020`) or partial (`2019-02`); the start counts.
        parts = field_date(fields["date"])
        if parts is not None:
            year, month, day = parts
    if "year" in fields:
        found = field_year(fields["year"])
        if found is not None and (pubdate is None or year is None):
            year = found
    if "month" in fields:
        parsed_month = _parse_month(decode_tex(fields["month"]))
        if parsed_month is not None and pubdate is None:
            month = parsed_month
    if "day" in fields and pubdate is None and month is not None:
        day_match = _DAY_RE.match(fields["day"])
        day = int(day_match.group(1)) if day_match else day
    if pubdate is not None:
        return year, month, day, pubdate
    if year is None:
        return None, month, None, None
    try:
        date = dt.date(year, month or 1, day or 1)
    except ValueError:
        day = None
        date = dt.date(year, month or 1, 1)
    return year, month, day, date


def _valid_month(text: str | None) -> int | None:
    """Return a month number 1..12 from digits, or None."""
    if text is None:
        return None
    number = int(text)
    return number if 1 <= number <= 12 else None


def _parse_month(text: str) -> int | None:
    """Return the month of `3`, `03`, `mar`, `March`, `Mar.` (any case), or None."""
    cleaned = text.strip().rstrip(".").lower()
    if cleaned.isdigit():
        return _valid_month(cleaned)
    if len(cleaned) >= 3:
        for number, name in enumerate(MONTH_NAMES, start=1):
            if name.lower().startswith(cleaned):
                return number
    return None


# --- TeX to text ------------------------------------------------------------------------------

_SYMBOLS = {
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textunderscore": "_",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "textquotedblleft": "\u201c",
    "textquotedblright": "\u201d",
    "textquoteleft": "\u2018",
    "textquoteright": "\u2019",
    "textquotesingle": "'",
    "textdollar": "$",
    "textpercent": "%",
    "textampersand": "&",
    "ldots": "\u2026",
    "dots": "\u2026",
    # The letters papershelf's writer (and most of the world's .bib files) spell as commands.
    "o": "\u00f8",
    "O": "\u00d8",
    "ss": "\u00df",
    "ae": "\u00e6",
    "AE": "\u00c6",
    "oe": "\u0153",
    "OE": "\u0152",
    "aa": "\u00e5",
    "AA": "\u00c5",
    "l": "\u0142",
    "L": "\u0141",
    "i": "\u0131",
    "j": "\u0237",
}
_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "r": "\u030a",
    "k": "\u0328",
    "d": "\u0323",
    "b": "\u0331",
}
# One alternative per form the fast path knows; anything else (a bare backslash, `$`) bails out.
# A control word eats the spaces after it, or an empty group (`\textbackslash{}input`).
_FAST_TOKEN_RE = re.compile(
    r"\\(?P<special>[%&#_${}])"
    r"|\\(?P<literal>[\^~])\{\}"
    r"|\\(?P<accent>[\"'`^~=.])\s*(?:\{(?P<braced>\\[ij]|[A-Za-z])\}|(?P<bare>\\[ij](?![A-Za-z])|[A-Za-z]))"
    r"|\\(?P<letter_accent>[uvHcrkdb])(?:\s*\{(?P<lbraced>\\[ij]|[A-Za-z])\}|\s+(?P<lbare>[A-Za-z]))"
    r"|\\symbol\{(?P<code>\d{1,6})\}"
    r"|\\(?P<word>[a-zA-Z]+)(?:\{\}|[ \t\r\n]*)"
    r"|\\|\$|[{}~]"
)
_WHITESPACE_RE = re.compile(r"\s+")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")


class _NeedsFullDecoder(Exception):
    """The value has TeX the fast path does not know."""


def _accented(accent: str, base: str) -> str:
    """Return `base` with a TeX accent as one composed character where Unicode has one."""
    letter = base[1] if base.startswith("\\") else base  # `\i`, `\j`: dotless, the accent dots it
    return unicodedata.normalize("NFC", letter + _ACCENTS[accent])


def _fast_token(match: re.Match[str]) -> str:
    """Return the text of one fast-path token, or raise when pylatexenc must decode the value."""
    groups = match.groupdict()
    if groups["special"] or groups["literal"]:
        return groups["special"] or groups["literal"]
    if groups["accent"]:
        return _accented(groups["accent"], groups["braced"] or groups["bare"])
    if groups["letter_accent"]:
        return _accented(groups["letter_accent"], groups["lbraced"] or groups["lbare"])
    if groups["code"]:
        code = int(groups["code"])
        if 32 <= code < 0x110000 and not _SURROGATES[0] <= code <= _SURROGATES[1]:
            return chr(code)
        raise _NeedsFullDecoder
    if groups["word"]:
        symbol = _SYMBOLS.get(groups["word"])
        if symbol is None:
            raise _NeedsFullDecoder
        return symbol
    token = match.group()
    if token in "{}":
        return ""
    if token == "~":
        return "\u00a0"
    raise _NeedsFullDecoder


class _TextDecoder(Protocol):
    """The part of pylatexenc's `LatexNodes2Text` used here (pylatexenc ships no type hints)."""

    def latex_to_text(self, latex: str) -> str:
        """Return the plain text of `latex`."""


_SURROGATES = (0xD800, 0xDFFF)
# pylatexenc logs a warning for each macro it cannot expand; a page is made all the same.
logging.getLogger("pylatexenc").addHandler(logging.NullHandler())


@lru_cache(maxsize=1)
def _full_decoder() -> _TextDecoder:
    """Return the pylatexenc decoder, built once and only when foreign TeX needs it."""
    latex2text = importlib.import_module("pylatexenc.latex2text")
    decoder: _TextDecoder = latex2text.LatexNodes2Text(math_mode="text")
    return decoder


# pylatexenc drops these or turns them into other glyphs; as plain characters they survive.
_PRE_DECODE = {
    name: _SYMBOLS[name]
    for name in (
        "textless",
        "textgreater",
        "textbar",
        "textasciicircum",
        "textquotesingle",
        "textbraceleft",
        "textbraceright",
    )
}
_PRE_DECODE_RE = re.compile(
    r"\\(" + "|".join(_PRE_DECODE) + r")(?![a-zA-Z])(?:\{\})?|\\symbol\{(\d{1,6})\}"
)


def _pre_decode(match: re.Match[str]) -> str:
    """Return the character of a command pylatexenc would lose."""
    if match.group(2):
        code = int(match.group(2))
        # No text holds a surrogate half: it cannot be written as UTF-8.
        valid = 32 <= code < 0x110000 and not _SURROGATES[0] <= code <= _SURROGATES[1]
        return chr(code) if valid else ""
    return _PRE_DECODE[match.group(1)]


# What is left of TeX that pylatexenc cannot decode: escaped characters stay, commands go.
_FALLBACK_RE = re.compile(r"\\([%&#_${}])|\\[A-Za-z]+\*?|\\.?|[{}$]")


def _without_markup(tex: str) -> str:
    """Return the text of TeX with every command, brace and `$` dropped."""
    return _FALLBACK_RE.sub(lambda match: match.group(1) or "", tex)


def _decode_one(tex: str) -> str:
    """Return the plain text of one TeX value with its whitespace as is."""
    if "\\" not in tex and "$" not in tex and "{" not in tex and "~" not in tex:
        return tex
    try:
        return _FAST_TOKEN_RE.sub(_fast_token, tex)
    except _NeedsFullDecoder:
        pass
    try:
        return str(_full_decoder().latex_to_text(_PRE_DECODE_RE.sub(_pre_decode, tex)))
    except Exception:
        # pylatexenc 2.11 raises IndexError or KeyError on a command without its arguments
        # (`\href{x}`, `\verb`, `\textcolor`): the page shows the text without its markup.
        return _without_markup(tex)


def decode_tex(tex: str, *, paragraphs: bool = False) -> str:
    """Return the plain Unicode text of a TeX field value, whitespace normalised.

    Args:
        tex: e.g. `{{LLaMA}}: 100\\% \\& M{\\"u}ller`.
        paragraphs: Keep blank-line paragraph breaks (for abstracts) instead of one line.

    Returns:
        e.g. `LLaMA: 100% & Müller`.
    """
    if paragraphs:
        parts = (decode_tex(part) for part in _PARAGRAPH_BREAK_RE.split(tex.strip()))
        return "\n\n".join(part for part in parts if part)
    text = _decode_one(tex).replace("\u00a0", " ")
    return _WHITESPACE_RE.sub(" ", text).strip()


# --- names, keywords, identifiers, links ------------------------------------------------------

_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)


def _top_level_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) spans of `text` that are outside braces."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char == "{":
            if depth == 0:
                spans.append((start, index))
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                start = index + 1
    if depth == 0:
        spans.append((start, len(text)))
    return spans


def _split_top_level(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Return `text` split at matches of `pattern` that lie outside braces."""
    if "{" not in text:
        return pattern.split(text)
    cuts: list[tuple[int, int]] = []
    for start, end in _top_level_spans(text):
        for match in pattern.finditer(text, start, end):
            cuts.append((match.start(), match.end()))
    parts: list[str] = []
    previous = 0
    for start, end in cuts:
        parts.append(text[previous:start])
        previous = end
    parts.append(text[previous:])
    return parts


def split_names(tex: str) -> list[str]:
    """Return the TeX names of an `author` value, split on top-level ` and `.

    Args:
        tex: e.g. `Touvron, Hugo and {{DeepSeek-AI}}`.

    Returns:
        e.g. `["Touvron, Hugo", "{{DeepSeek-AI}}"]`.
    """
    cleaned = tex.strip()
    if not cleaned:
        return []
    return [name.strip() for name in _split_top_level(cleaned, _AND_RE) if name.strip()]


_COMMA_RE = re.compile(r"\s*,\s*")


def _is_one_group(tex: str) -> bool:
    """Return whether `tex` is a single brace group, e.g. `{OpenAI Team}` (a corporate name)."""
    return tex.startswith("{") and _top_level_spans(tex) == [(0, 0), (len(tex), len(tex))]


def _display_name(tex: str) -> str:
    """Return a display name: `Last, First` flipped, `{Corporate Name}` kept whole."""
    if tex.lower() == "others":
        return "et al."
    if _is_one_group(tex):
        return decode_tex(tex)
    parts = _split_top_level(tex, _COMMA_RE)
    if len(parts) == 2:
        last, first = parts
        return decode_tex(f"{first} {last}")
    if len(parts) >= 3:
        last, junior, first = parts[0], parts[1], ", ".join(parts[2:])
        return decode_tex(f"{first} {last} {junior}")
    return decode_tex(tex)


_KEYWORD_SPLIT_RE = re.compile(r"[,;]")


def _split_keywords(tex: str) -> tuple[str, ...]:
    """Return keywords split on `,` or `;`, stripped, in order, without duplicates."""
    if not tex.strip():
        return ()
    words = (decode_tex(part) for part in _split_top_level(tex, _KEYWORD_SPLIT_RE))
    return tuple(dict.fromkeys(word for word in words if word))


def _date_origin(value: str) -> DateOrigin | None:
    """Return the `dateorigin` papershelf wrote, or None for a value it does not know."""
    try:
        return DateOrigin(value.strip())
    except ValueError:
        return None


def _doi(value: str) -> str | None:
    """Return a bare DOI (`10.x/y`) from a `doi` field, or None when it is not one."""
    return bare_doi(value)


_REPOSITORY_KINDS = frozenset(
    {LinkKind.CODE, LinkKind.HF_MODEL, LinkKind.HF_DATASET, LinkKind.HF_SPACE}
)


def _repository_kind(url: str) -> LinkKind | None:
    """Return the kind of a foreign entry's `url` when it is a repository, else None.

    A GitHub or Hugging Face `url` becomes a button of its kind; any other page (arXiv, a
    publisher, a project page) stays the entry's web page.
    """
    try:
        kind = classify_url(url)
    except ValueError:
        return None
    return kind if kind in _REPOSITORY_KINDS else None


def _links(fields: Mapping[str, str], url: str) -> tuple[Link, ...]:
    """Return the entry's http(s) links from our link fields and a classified `url`."""
    links: dict[str, Link] = {}
    for name, kind in LINK_FIELDS.items():
        for candidate in fields.get(name, "").split():
            if is_http_url(candidate) and candidate not in links:
                links[candidate] = Link(candidate, kind)
    if url and url not in links:
        url_kind = _repository_kind(url)
        if url_kind is not None:
            links[url] = Link(url, url_kind)
    return tuple(links.values())
