"""The one check of a `.bib` text that every reader of a library applies, with one wording.

The merge (through `index_library`), `read_library` (the pages) and the MkDocs plugin all parse
a library with `parse_library`, so a library one of them accepts, every other accepts too, and a
problem reads the same wherever it is found. An *error* stops the run: papershelf would misread
the entry or cannot use it (no key, an undefined `@string`, a missing comma, a year or date that
is none, a `\\symbol` of no character). A *warning* is reported and the run goes on: a `%` line
inside an entry (a comment to biber and JabRef, where BibTeX stops reading the entry), or one of
papershelf's own fields that no other client reads, with a value papershelf then ignores.

`%` lines inside an entry are blanked out before bibtexparser sees the text (it would read the
comment as part of the next field's name), keeping every offset and line; the text as written
stays what the merge copies and the pages show.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
    String,
)

from papershelf.dates import MONTH_MACROS, MONTH_NAMES, calendar_date
from papershelf.errors import Problem

__all__ = [
    "CheckedEntry",
    "CommentBlock",
    "FieldComment",
    "FieldSpan",
    "Macro",
    "ParsedLibrary",
    "failed_block_problem",
    "field_comments",
    "field_date",
    "field_spans",
    "field_year",
    "iso_day",
    "mask_comments",
    "parse_library",
    "whole_number",
]

# Characters that cannot stand in a citation key (LaTeX `\cite`, BibTeX's own parser) or that
# would make the key unusable on a page.
_BAD_KEY_RE = re.compile(r"[\s,{}()\"#%\\~=']")
_WHOLE_NUMBER_FIELDS = ("upvotes", "numcomments", "githubstars", "authorcount")
_DATE_FIELDS = ("pubdate", "countsdate")
_DIGITS_RE = re.compile(r"[0-9]+")
_ISO_DATE_RE = re.compile(r"^\s*([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")
_SYMBOL_RE = re.compile(r"\\symbol\s*\{\s*([0-9]+)\s*\}")
# A BibTeX macro name: no whitespace and none of `"#%'(),={}`, not starting with a digit.
_MACRO_NAME_RE = re.compile(r"[^\s\"#%'(),={}0-9][^\s\"#%'(),={}]*")
_BRACE_RE = re.compile(r"(?<!\\)[{}]")


# ---------------------------------------------------------------------------------------------
# `%` lines inside entries

_OPENING = re.compile(r"@(\w*)[ \t]*(?=[{(])")
"""Where bibtexparser starts a block: `@`, a word, blanks, then `{` or `(`."""
_MARKS = {"{": re.compile(r'(?<!\\)[{}",=%]|@\w*[ \t]*(?=[{(])')}
_MARKS["("] = re.compile(r'(?<!\\)[{}",=%)]|@\w*[ \t]*(?=[{(])')
_PERCENT = re.compile("%")


@dataclass(frozen=True, slots=True)
class FieldComment:
    """A `%` comment inside an entry, outside every value: biber and JabRef skip it."""

    start: int
    """Offset of its `%` in the text, e.g. `24`."""
    end: int
    """Offset of the end of its line (the newline not included), e.g. `48`."""
    block: int
    """Offset of the `@` of its entry, e.g. `0`."""
    key: str
    """The citation key of its entry as written, e.g. `chen2025humo`."""
    before_field: int
    """The 0-based index of the field it stands before; the number of fields when it is last."""


def field_comments(text: str) -> list[FieldComment]:
    """Return the `%` comments inside the entries and `@string`s of a `.bib` text, in order.

    Blocks are found as bibtexparser finds them; only the blocks around an unescaped `%` are
    scanned, so a library without comments costs one regular-expression search.
    """
    # A literal pattern is searched for fast; one starting with a look-behind is tried at every
    # offset, a second per 10 MB.
    candidates = [
        match.start()
        for match in _PERCENT.finditer(text)
        if match.start() == 0 or text[match.start() - 1] != "\\"
    ]
    found = _scan_around(text, candidates, skip_values=True)
    return [event for event in found if isinstance(event, FieldComment)]


@dataclass(frozen=True, slots=True)
class FieldSpan:
    """Where one field of an entry stands in a `.bib` text, as bibtexparser splits the entry."""

    name: str
    """The field's name in lower case, e.g. `file`."""
    start: int
    """Offset just after the comma before the field (the key's comma for the first field)."""
    end: int
    """Offset just after the comma that ends the field, or after its value when it is last."""


@dataclass(frozen=True, slots=True)
class CommentBlock:
    """An `@comment` block of a `.bib` text, e.g. JabRef's `@Comment{jabref-meta: ...}`."""

    start: int
    """Offset of its `@`."""
    end: int
    """Offset just after its closing delimiter."""
    body: str
    """Its text inside the delimiters, e.g. `jabref-meta: databaseType:bibtex;`."""


_Event = FieldComment | FieldSpan | CommentBlock


def field_spans(text: str, around: Iterable[int]) -> list[FieldSpan | CommentBlock]:
    """Return the fields and `@comment` blocks of the blocks of `text` around some offsets.

    Only the blocks holding one of the offsets (as bibtexparser splits the text into blocks)
    are scanned, so a caller that searched the text for what it wants first (a field name
    followed by `=`) pays for those blocks alone.
    """
    found = _scan_around(text, sorted(around), skip_values=False)
    return [event for event in found if not isinstance(event, FieldComment)]


def _scan_around(text: str, candidates: Sequence[int], *, skip_values: bool) -> list[_Event]:
    """Return what the blocks holding the candidate offsets hold, each block scanned once.

    With `skip_values`, a candidate surely inside a braced value needs no scan.
    """
    if not candidates:
        return []
    # A block starting a line is a block start for bibtexparser whatever came before, so the
    # text between two such starts is scanned only when it holds a candidate.
    openings = [
        (match.start(), match.end())
        for match in _OPENING.finditer(text)
        if _at_line_start(text, match.start())
    ]
    starts = [start for start, _ in openings]
    events: list[_Event] = []
    scanned_to = 0
    for candidate in candidates:
        if candidate < scanned_to:
            continue
        index = bisect.bisect_right(starts, candidate)
        start = 0
        if index:
            start, delimiter = openings[index - 1]
            if skip_values and _inside_braces(text, start, delimiter, candidate):
                continue  # a `%` in a value, such as `%20` in a URL: no scan needed
        end = starts[index] if index < len(starts) else len(text)
        events.extend(_scan(text, max(start, scanned_to), end))
        scanned_to = end
    return events


def _inside_braces(text: str, start: int, delimiter: int, position: int) -> bool:
    """Return whether `position` is surely inside a braced value of the block at `start`.

    Counting braces is exact while no `"` intervenes (inside `"..."` bibtexparser counts none);
    then only a scan can tell, and False says so.
    """
    if text.find('"', start, position) != -1:
        return False
    opened = text.count("{", delimiter, position) - text.count("\\{", delimiter, position)
    closed = text.count("}", delimiter, position) - text.count("\\}", delimiter, position)
    return opened - closed > (1 if text[delimiter] == "{" else 0)


def mask_comments(text: str) -> str:
    """Return `text` with each `%` comment inside an entry blanked out: same length, same lines."""
    comments = field_comments(text)
    return _masked(text, comments) if comments else text


def _at_line_start(text: str, position: int) -> bool:
    """Return whether only whitespace stands between the line's start and `position`."""
    line_start = text.rfind("\n", 0, position) + 1
    return text[line_start:position].isspace() or line_start == position


def _scan(text: str, start: int, end: int) -> Iterator[_Event]:
    """Yield what the blocks starting in `text[start:end]` hold, read as bibtexparser does."""
    position = start
    while True:
        opening = _OPENING.search(text, position, end)
        if opening is None:
            return
        kind = opening.group(1).lower()
        if kind.startswith(("comment", "preamble")):
            position = _block_end(text, opening.end(), end)
            if kind.startswith("comment"):
                body = text[opening.end() + 1 : position - 1]
                yield CommentBlock(opening.start(), position, body)
        else:
            position = yield from _scan_block(text, opening.start(), opening.end(), end, kind)


def _block_end(text: str, delimiter: int, end: int) -> int:
    """Return the offset after the free-text block opened at `delimiter` (braces balanced)."""
    closing = "}" if text[delimiter] == "{" else ")"
    depth = 0
    for match in _MARKS[text[delimiter]].finditer(text, delimiter + 1, end):
        mark = match.group()
        if mark == "{":
            depth += 1
        elif mark == "}" and depth > 0:
            depth -= 1
        elif mark == closing and depth == 0:
            return match.end()
        elif mark[0] == "@" and _at_line_start(text, match.start()):
            return match.start()
    return end


def _scan_block(
    text: str, at: int, delimiter: int, end: int, kind: str
) -> Generator[_Event, None, int]:
    """Yield the comments and fields of one entry or `@string`; return where the scan goes on.

    It follows bibtexparser's splitter: braces nest, inside `"..."` only `"` counts (`{"}` is a
    quote character), a `,` at the top separates fields, and a line starting a block ends any.
    """
    closing = "}" if text[delimiter] == "{" else ")"
    marks = _MARKS[text[delimiter]]
    depth = 0
    quoted = False
    is_entry = not kind.startswith("string")
    in_key = is_entry
    key = ""
    field = 0
    assigned = False
    name = ""
    segment = name_start = delimiter + 1
    position = delimiter + 1
    while True:
        match = marks.search(text, position, end)
        if match is None:
            return end
        mark = match.group()
        position = match.end()
        if mark[0] == "@":
            if _at_line_start(text, match.start()):
                return match.start()  # bibtexparser gives up on this block here
        elif quoted:
            at_quote = match.start()
            if mark == '"' and text[at_quote - 1 : at_quote + 2] != '{"}':
                quoted = False
        elif mark == "{":
            depth += 1
        elif mark == "}" and depth > 0:
            depth -= 1
        elif depth > 0:
            continue
        elif mark == closing:
            if assigned and is_entry:
                value_end = match.start()
                while value_end > segment and text[value_end - 1].isspace():
                    value_end -= 1
                yield FieldSpan(name, segment, value_end)
            return position
        elif mark == '"':
            quoted = True
        elif mark == ",":
            if in_key:
                in_key = False
                key = text[delimiter + 1 : match.start()].strip()
            else:
                if assigned and is_entry:
                    yield FieldSpan(name, segment, position)
                field += 1
                assigned = False
            segment = name_start = position
        elif mark == "=":
            if not assigned:
                name = text[name_start : match.start()].strip().lower()
            assigned = True
        elif mark == "%" and not in_key:
            # Whatever the rest of the line holds (braces, quotes, commas) is part of the comment.
            position = name_start = _line_end(text, match.start(), end)
            yield FieldComment(match.start(), position, at, key, field + assigned)


def _line_end(text: str, start: int, end: int) -> int:
    """Return the offset of the first line break at or after `start`, at most `end`."""
    found = [text.find(breaker, start, end) for breaker in "\n\r"]
    return min((position for position in found if position != -1), default=end)


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True, slots=True)
class Macro:
    """An `@string` definition: its value and its source text (empty for built-in months)."""

    value: str
    """The TeX value, e.g. `Advances in Neural Information Processing Systems`."""
    raw: str
    """The definition as written, e.g. `@string{neurips = {Advances in ...}}`."""


_BUILT_IN_MACROS = {
    macro: Macro(name, raw="") for macro, name in zip(MONTH_MACROS, MONTH_NAMES, strict=True)
}
"""The macros every BibTeX style defines: `jan` (`January`) .. `dec`."""


@dataclass(frozen=True, slots=True)
class _Value:
    """A raw field value read as BibTeX reads it."""

    tex: str | None = None
    """The TeX value, `#` parts joined and macros expanded; None when it cannot be had."""
    missing: str | None = None
    """The first undefined macro it uses, e.g. `neurips`."""
    run_on: tuple[int, str] | None = None
    """Where the value should have ended and the text after it, when it does not end there."""
    macros: tuple[str, ...] = ()
    """The lower-case macro names it uses, in order."""


def _group_end(raw: str, start: int) -> int:
    """Return the offset after the group opened by the `{` or `"` at `start`, or -1 if open.

    Braces escaped with a backslash do not count, as in bibtexparser's splitter.
    """
    if raw[start] == "{":
        depth = 0
        for match in _BRACE_RE.finditer(raw, start):
            depth += 1 if match.group() == "{" else -1
            if depth == 0:
                return match.end()
        return -1
    # Inside quotes bibtexparser counts no brace; `{"}` is a quote character.
    position = start + 1
    while True:
        quote = raw.find('"', position)
        if quote == -1:
            return -1
        if raw[quote - 1] == "\\" or raw[quote - 1 : quote + 2] == '{"}':
            position = quote + 1
            continue
        return quote + 1


def _read_value(raw: str, macros: Mapping[str, Macro]) -> _Value:
    """Return a raw field value (bibtexparser's, stripped) read as `part # part # ...`."""
    if not raw:
        return _Value("")
    # The common case first: one braced group and nothing else.
    if raw.startswith("{") and raw.count("{") == 1 and raw.endswith("}") and raw.count("}") == 1:
        return _Value(raw[1:-1])
    pieces: list[str] = []
    names: list[str] = []
    position = 0
    length = len(raw)
    while True:
        if position < length and raw[position] in '{"':
            end = _group_end(raw, position)
            if end == -1:  # bibtexparser closes every group; this is only a safeguard
                return _Value(run_on=(position, raw[position:]))
            pieces.append(raw[position + 1 : end - 1])
        else:
            word = _MACRO_NAME_RE.match(raw, position) or _DIGITS_RE.match(raw, position)
            if word is None:
                return _Value(run_on=(position, raw[position:]))
            end = word.end()
            name = word.group()
            if name.isdigit():
                pieces.append(name)
            else:
                macro = macros.get(name.lower())
                if macro is None:
                    return _Value(missing=name)
                names.append(name.lower())
                pieces.append(macro.value)
        rest = raw[end:].lstrip()
        if not rest:
            return _Value("".join(pieces), macros=tuple(names))
        if rest[0] != "#":
            return _Value(run_on=(end, rest))
        position = length - len(rest[1:].lstrip())


# ---------------------------------------------------------------------------------------------
# Field values papershelf reads


def whole_number(tex: str) -> int | None:
    """Return the number a field of ours holds (`{64}`, ` 64 `), or None when it holds none."""
    plain = tex.replace("{", "").replace("}", "").strip()
    return int(plain) if plain.isascii() and plain.isdigit() else None


def iso_day(value: str) -> dt.date | None:
    """Return the day a `YYYY-MM-DD` field of ours names, or None when it names none."""
    try:
        return calendar_date(value.strip())
    except ValueError:
        return None


def field_year(tex: str) -> int | None:
    """Return the year a `year` value names: its first four-digit number, e.g. `2020` of `2020a`.

    Raises:
        ValueError: The value's first number is no year: `0000` or more than four digits.
    """
    found = _DIGITS_RE.search(tex.replace("{", "").replace("}", ""))
    if found is None or len(found.group()) < 4:
        return None  # `in press`, `85`: no year papershelf can date the entry by
    year = int(found.group())
    if len(found.group()) > 4 or year == 0:
        raise ValueError(found.group())
    return year


def field_date(tex: str) -> tuple[int, int | None, int | None] | None:
    """Return year, month and day of a biblatex `date` (`2019`, `2019-02`, `2019-02-05/...`).

    Returns None for a value that does not start with a year (`Spring 2019`).

    Raises:
        ValueError: The value starts with a year, month or day that does not exist.
    """
    match = _ISO_DATE_RE.match(tex)
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    # Raises for the year 0, a month 0 or 13, a 30 February.
    dt.date(year, 1 if month is None else month, 1 if day is None else day)
    return year, month, day


# ---------------------------------------------------------------------------------------------
# Entries


@dataclass(frozen=True, slots=True)
class CheckedEntry:
    """An entry that passed every check, with its fields read."""

    entry: Entry
    """bibtexparser's entry, read with its `%` comments blanked out."""
    raw: str
    """The entry's text as written, comments included, e.g. `@misc{a,\n  title = {x}\n}`."""
    key: str
    """The citation key, e.g. `cheng2024breaking`."""
    line: int
    """1-based line of its `@` in the file, e.g. `13`."""
    start: int
    """Offset of its `@` in the parsed text, e.g. `0`."""
    end: int
    """Offset just after its closing delimiter, e.g. `812`."""
    fields: dict[str, str]
    """Lower-case field name -> TeX value, `#` parts joined and macros expanded."""
    macros: tuple[str, ...]
    """The lower-case `@string` names its fields use, in order, e.g. `("neurips",)`."""


@dataclass(frozen=True, slots=True)
class ParsedLibrary:
    """A `.bib` text parsed and checked."""

    library: Library
    """bibtexparser's library of the text, `%` comments inside entries blanked out."""
    entries: tuple[CheckedEntry, ...]
    """Every entry without an error, in text order."""
    macros: Mapping[str, Macro]
    """The `@string`s by lower-case name, after the month macros."""
    errors: tuple[Problem, ...]
    """What stops a run, by line."""
    warnings: tuple[Problem, ...]
    """What is worth knowing but stops nothing, by line."""


def parse_library(text: str, *, source: str, first_line: int = 1) -> ParsedLibrary:
    """Return a `.bib` text parsed by bibtexparser and checked by every rule of this module.

    Args:
        text: The text, e.g. a whole file or a slice of it starting a line.
        source: The file's path as the user gave it, for messages, e.g. `bib/papers.bib`.
        first_line: The 1-based line of the file on which `text` starts.
    """
    comments = field_comments(text)
    masked = text if not comments else _masked(text, comments)
    library = parse_string(masked, parse_stack=[])
    lines = _block_lines(masked, library.blocks, first_line)
    errors = [
        failed_block_problem(source, block, lines, first_line) for block in library.failed_blocks
    ]
    warnings = _comment_warnings(text, comments, source, first_line)
    macros: dict[str, Macro] = dict(_BUILT_IN_MACROS)
    for string in library.strings:
        value = _read_value((string.value or "").strip(), macros)
        line = lines.get(id(string), (string.start_line or 0) + first_line)
        if value.run_on is not None:
            errors.append(_run_on_problem(source, line, f"@string '{string.key}'", value.run_on[1]))
        elif value.missing is not None:
            errors.append(
                Problem(
                    source,
                    line,
                    f"@string '{string.key}' uses the undefined @string '{value.missing}'; "
                    "define that one above it or put the value in braces",
                )
            )
        macros[string.key.lower()] = Macro(value.tex or "", raw=string.raw or "")
    entries: list[CheckedEntry] = []
    cursor = 0
    for block in library.blocks:
        if isinstance(block, ParsingFailedBlock):
            continue  # its text may reach into the next block's; it is an error anyway
        raw: str = block.raw or ""
        found = masked.find(raw, cursor)
        if found < 0:  # pragma: no cover - bibtexparser keeps raw text verbatim
            raise AssertionError("bibtexparser block text not found; please report")
        cursor = found + len(raw)
        if not isinstance(block, Entry):
            continue
        checker = _EntryCheck(block, source, lines[id(block)], macros)
        checked = checker.check(text[found:cursor] if comments else raw, found, cursor)
        errors.extend(checker.errors)
        warnings.extend(checker.warnings)
        if checked is not None and not checker.errors:
            entries.append(checked)
    errors.extend(_keys_differing_in_case(entries, source))
    errors.sort(key=_by_line)
    warnings.sort(key=_by_line)
    return ParsedLibrary(library, tuple(entries), macros, tuple(errors), tuple(warnings))


def _block_lines(text: str, blocks: Iterable[Block], first_line: int) -> dict[int, int]:
    """Return the line each block starts on, by `id` of the block, counted in `text` itself.

    bibtexparser's own `start_line` skips a newline right after a backslash (`{x\\` at a line's
    end), which would shift every later block's line. The text of a block that failed to parse
    may reach into the next block's, so the search for the next block starts where it started.
    """
    lines: dict[int, int] = {}
    cursor, line = 0, first_line
    for block in blocks:
        raw: str = block.raw or ""
        found = text.find(raw, cursor) if raw else -1
        if found < 0:
            continue
        lines[id(block)] = line + text.count("\n", cursor, found)
        if not isinstance(block, ParsingFailedBlock):
            line = lines[id(block)] + raw.count("\n")
            cursor = found + len(raw)
    return lines


def _keys_differing_in_case(entries: Iterable[CheckedEntry], source: str) -> list[Problem]:
    """Return a problem for each key that only the case of its letters tells from an earlier one.

    BibTeX and biber take such keys for one, and a case-blind file system (macOS, Windows) gives
    them one page. Keys written identically are bibtexparser's duplicate blocks already.
    """
    first: dict[str, CheckedEntry] = {}
    problems: list[Problem] = []
    for checked in entries:
        earlier = first.setdefault(checked.key.casefold(), checked)
        if earlier is not checked and earlier.key != checked.key:
            problems.append(
                Problem(
                    source,
                    checked.line,
                    f"citation key '{checked.key}' differs from '{earlier.key}' (line "
                    f"{earlier.line}) only in case; BibTeX takes the two for one key, and a "
                    "case-blind file system (macOS, Windows) gives them one page: rename one",
                )
            )
    return problems


def _by_line(problem: Problem) -> int:
    return problem.line or 0


def _masked(text: str, comments: Sequence[FieldComment]) -> str:
    pieces: list[str] = []
    cursor = 0
    for comment in comments:
        pieces.append(text[cursor : comment.start])
        pieces.append(" " * (comment.end - comment.start))
        cursor = comment.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _comment_warnings(
    text: str, comments: Iterable[FieldComment], source: str, first_line: int
) -> list[Problem]:
    """Return one warning per entry with `%` lines inside it, at the first such line."""
    warnings: list[Problem] = []
    seen: set[int] = set()
    line, counted = first_line, 0
    for comment in comments:
        if comment.block in seen:
            continue
        seen.add(comment.block)
        line += text.count("\n", counted, comment.start)
        counted = comment.start
        name = f"entry '{comment.key}'" if comment.key else "@string"
        warnings.append(
            Problem(
                source,
                line,
                f"{name} has a `%` line inside it: biber and JabRef read it as a comment, but "
                'BibTeX stops reading the entry there ("You\'re missing a field name") and '
                "loses the fields after it; move the comment above the entry",
            )
        )
    return warnings


def _run_on_problem(source: str, line: int, what: str, rest: str) -> Problem:
    shown = " ".join(rest.split())
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return Problem(
        source,
        line,
        f"{what} runs on into `{shown}`: a comma is missing after its value; end the value "
        "on this line with a comma",
    )


class _EntryCheck:
    """Checks one entry, collecting every problem instead of stopping at the first."""

    def __init__(self, entry: Entry, source: str, line: int, macros: Mapping[str, Macro]) -> None:
        self.entry = entry
        self.source = source
        self.line = line
        self.macros = macros
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, message: str, line: int | None = None) -> None:
        self.errors.append(Problem(self.source, line or self.line, message))

    def warn(self, message: str) -> None:
        self.warnings.append(Problem(self.source, self.line, message))

    def check(self, raw_entry: str, start: int, end: int) -> CheckedEntry | None:
        """Return the checked entry, or None when its key is unusable (recorded as an error)."""
        entry = self.entry
        key = entry.key.strip()
        if not key:
            self.error(
                f"@{entry.entry_type} entry has no citation key; give it one, e.g. "
                "`@article{smith2020title,` (JabRef: Library > Generate citation keys)"
            )
            return None
        if _BAD_KEY_RE.search(key):
            self.error(
                f"citation key '{key}' contains a space or one of , {{ }} ( ) \" # % \\ ~ = '; "
                "rename it with letters, digits and - _ : . only"
            )
            return None
        fields: dict[str, str] = {}
        used: list[str] = []
        for field in entry.fields:
            raw = field.value  # bibtexparser strips it
            if "\\symbol" in raw:
                self._symbols(f"field '{field.key}' of '{key}'", raw)
            # The common case first, in a tenth of the time: one braced group, nothing else.
            if raw[:1] == "{" and raw.count("{") == 1 and raw[-1:] == "}" and raw.count("}") == 1:
                fields[field.key.lower()] = raw[1:-1]
                continue
            value = _read_value(raw, self.macros)
            what = f"field '{field.key}' of '{key}'"
            if value.run_on is not None:
                offset, rest = value.run_on
                line = (field.start_line or 0) + self.line - (entry.start_line or 0)
                self.errors.append(
                    _run_on_problem(self.source, line + raw.count("\n", 0, offset), what, rest)
                )
                continue
            if value.missing is not None:
                self.error(
                    f"{what} uses the undefined @string '{value.missing}'; "
                    "define it with @string or put the value in braces"
                )
                continue
            used.extend(value.macros)
            fields[field.key.lower()] = value.tex or ""
        self._values(key, fields)
        return CheckedEntry(entry, raw_entry, key, self.line, start, end, fields, tuple(used))

    def _symbols(self, what: str, raw: str) -> None:
        for match in _SYMBOL_RE.finditer(raw):
            code = int(match.group(1))
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                self.error(
                    f"{what} has \\symbol{{{match.group(1)}}}, which is no character (Unicode "
                    "ends at 1114111 and 55296-57343 are surrogate halves); write the "
                    "character itself or delete the command"
                )
                return

    def _values(self, key: str, fields: Mapping[str, str]) -> None:
        """Record the problems of the values papershelf reads: years, dates, our own fields."""
        if "year" in fields:
            try:
                field_year(fields["year"])
            except ValueError:
                value = fields["year"].strip()
                self.error(
                    f"field 'year' of '{key}' is '{value}', which is no year (JabRef writes "
                    "0000 for an unknown one); write the year with four digits or delete the "
                    "field"
                )
        if "date" in fields:
            try:
                field_date(fields["date"])
            except ValueError:
                value = fields["date"].strip()
                self.error(
                    f"field 'date' of '{key}' is '{value}', which is no date; write a real day "
                    "as YYYY-MM-DD (or YYYY-MM, or YYYY) or delete the field"
                )
        for name in _WHOLE_NUMBER_FIELDS:
            if name in fields and whole_number(fields[name]) is None:
                self.warn(
                    f"field '{name}' of '{key}' is '{fields[name].strip()}', not a whole "
                    "number; papershelf ignores it: write a number or delete the field"
                )
        for name in _DATE_FIELDS:
            if name in fields and iso_day(fields[name]) is None:
                self.warn(
                    f"field '{name}' of '{key}' is '{fields[name].strip()}', not a date; "
                    "papershelf ignores it: write it as YYYY-MM-DD or delete the field"
                )


def failed_block_problem(
    source: str, block: ParsingFailedBlock, lines: Mapping[int, int], first_line: int
) -> Problem:
    """Return the problem, with its fix, that a block bibtexparser could not read stands for.

    `lines` maps blocks (by `id`) to their lines (`_block_lines`); a block not in it falls back on
    bibtexparser's count, shifted to `first_line`.
    """

    def line_of(block: Block) -> int | None:
        if id(block) in lines:
            return lines[id(block)]
        return None if block.start_line is None else block.start_line + first_line

    line = line_of(block)
    if isinstance(block, DuplicateBlockKeyBlock):
        previous = block.previous_block
        previous_line = line_of(previous)
        at = "" if previous_line is None else f" at line {previous_line}"
        if isinstance(previous, String):
            message = f"@string '{block.key}' is defined twice (first{at}); keep one"
        else:
            message = (
                f"citation key '{block.key}' is already used by the entry{at}; give one of the "
                "two entries another key (LaTeX can cite only one of them)"
            )
    elif isinstance(block, DuplicateFieldKeyBlock):
        entry = block.ignore_error_block
        key = entry.key if isinstance(entry, Entry) else "?"
        names = ", ".join(f"'{name}'" for name in sorted(block.duplicate_keys))
        message = f"entry '{key}' has the field {names} twice; keep one, then run again"
    else:
        reason = getattr(block.error, "abort_reason", None) or str(block.error or "unreadable")
        message = (
            f"this block is not valid BibTeX ({reason.strip()}); fix the entry starting here "
            "(unbalanced braces and a key with spaces or commas are the usual causes)"
        )
    return Problem(source, line, message)
