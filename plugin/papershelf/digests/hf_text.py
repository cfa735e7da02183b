"""The Hugging Face papers page copied as text, and its Markdown capture -> `list[Paper]`.

Both formats are read in two steps. First each format turns its lines into a stream of units (a
paragraph of text, a title, an upvote count, a footer's authors, `·` and date lines); then one
assembler groups the units into papers. The page gives no explicit boundary between papers in the
text copy, so the assembler decides where a title starts: after a footer, after an upvote count,
or where a short line without a final full stop is followed by a long paragraph (the two papers of
the sample page that lack a footer).

Text is kept as given apart from whitespace: `\\&`, `<script>` or `\\input{...}` stay as written;
escaping them is the renderers' job. Control characters other than tab and newline are removed.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from papershelf.dates import (
    MONTHS,
    DateProblem,
    DateText,
    MissingYearError,
    date_from_iso,
    resolve_date,
    split_date_line,
)
from papershelf.digests.registry import DigestReader, Sniff
from papershelf.errors import DigestError, Problem
from papershelf.identity import parse_arxiv_id
from papershelf.links import find_links
from papershelf.model import DateOrigin, Paper, Source
from papershelf.naming import CLI_NAMES, OptionNames

HEADER_LINES = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "by ak and the research community",
        "daily",
        "weekly",
        "monthly",
        "trending papers",
    }
)
"""Page chrome before the first paper, lower-cased, e.g. `daily papers`."""

MAX_TITLE_LENGTH = 300
"""Longer paragraphs are never taken for a title (the longest arXiv titles are about 250)."""
MIN_ABSTRACT_LENGTH = 150
"""Shorter paragraphs are not taken for an abstract when deciding where a title starts."""
MAX_ORGANIZATION_LENGTH = 120
"""A longer line before `·` is abstract text, not an organisation name."""

# C0 and C1 controls other than tab, newline and the whitespace controls handled just below.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff]")
_SPACE_CONTROLS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
_ANY_CONTROL = re.compile("[\r\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_BULLET = "\u2022"
_DOT = "\u00b7"
_AUTHOR_COUNT = re.compile(r"(\d{1,9}) authors?", re.IGNORECASE)
_UPVOTES = re.compile(r"(?:\[-\][ \t]{0,8})?(\d{1,9}|-)|\[-\]")
_MD_HEADING = re.compile(r"#{3}[ \t]+(.*)")
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,300}\]\([^()\s]{0,2000}\)")
_MD_UPVOTES = re.compile(r"\[(\d{1,9}|-)\]\([^()\s]{0,2000}\)")
_MD_COUNT_LINK = re.compile(r"\[(\d{1,9})\]\([^()\s]{0,2000}\)$")

# What detection looks for. Each signature is anchored to a line start and bounded, so sniffing
# stays linear on 50 MB.
_SNIFF_MD_TITLE = re.compile(r"^###[ \t]{1,8}\[", re.MULTILINE)
_SNIFF_MD_PAPER_TITLE = re.compile(
    r"^###[ \t]{1,8}\[[^\n]{1,2000}\]\(https://huggingface\.co/papers/", re.MULTILINE
)
_SNIFF_TEXT_AUTHORS = re.compile(
    r"^[ \t]{0,8}\u2022[ \t]{0,8}\d{1,9} authors?[ \t]*$", re.MULTILINE
)
_SNIFF_TEXT_FOOTER = re.compile(
    r"^[ \t]{0,8}\u00b7[ \t]*\r?\n[ \t]{0,8}"
    rf"(?:{'|'.join(sorted(MONTHS, key=len, reverse=True))})[ \t]{{1,8}}\d{{1,2}}\b",
    re.MULTILINE | re.IGNORECASE,
)


def clean_text(text: str) -> str:
    """Return digest text with `\\n` line ends and no control characters but tab and newline.

    Line separators other than `\\n` (vertical tab, form feed, U+2028) become spaces, so line
    numbers agree with what an editor shows for the file.
    """
    # Each pass copies the text; on clean text (nearly all of it) one search is all that runs.
    if not _ANY_CONTROL.search(text):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _SPACE_CONTROLS.search(text):
        text = _SPACE_CONTROLS.sub(" ", text)
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text)
    return text


def normalise_space(text: str) -> str:
    """Return text with every run of whitespace made one space, stripped at both ends."""
    return " ".join(text.split())


class _Kind(enum.Enum):
    """What a unit of a page is."""

    TEXT = "text"
    TITLE = "title"
    COUNT = "count"
    AUTHORS = "authors"
    DOT = "dot"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class _Unit:
    """One meaningful piece of a page: a paragraph, a title, a count or a footer line."""

    kind: _Kind
    line: int
    """1-based line of the unit's first line, e.g. `13`."""
    text: str
    """The unit as written, lines joined by one space, e.g. `• 4 authors`."""
    blank_before: bool
    """Whether a blank line precedes it; a count right under a date is the comment count."""
    lines: int = 1
    """How many lines of the digest the unit spans, e.g. `2` for a wrapped title."""
    chrome: bool = False
    """Whether every line is page chrome such as `Daily Papers` (the text copy only)."""
    name: str = ""
    """An authors unit's organisation name, e.g. `OCC` from `• OCC`."""
    number: int | None = None
    """Upvotes of a count, authors of `• 4 authors`, comments of a date line `May 18 2`."""
    date: DateText | None = None
    """A date unit's date, e.g. `May 18`."""
    url: str | None = None
    """A Markdown title's link target, e.g. `https://huggingface.co/papers/2502.20581`."""


@dataclass(slots=True)
class _Draft:
    """A paper being assembled from units."""

    title: str
    line: int
    upvotes: int | None = None
    arxiv_id: str | None = None
    abstract: list[str] = field(default_factory=list)
    author_count: int | None = None
    organization: str | None = None
    date: DateText | None = None
    date_line: int | None = None
    comments: int | None = None
    footer: bool = False


# --- the copied text -------------------------------------------------------------------------


def parse_hf_text(
    text: str, *, source: str, digest_date: dt.date | None, names: OptionNames = CLI_NAMES
) -> list[Paper]:
    """Return the papers of a Hugging Face papers page copied from a browser as text.

    Args:
        text: The page text, e.g. the bundled `bib/digests/2025-10-30-hf-papers.txt`.
        source: The digest's path as the user gave it, for provenance and messages.
        digest_date: The page's date; the year of `Mar 6` and the date of undated papers.
        names: How the front end spells the options a problem's fix names (`--date` or the
            plugin's `digest_date`).

    Returns:
        The papers in page order, each with the line of its title.

    Raises:
        DigestError: Every problem of the file at once, e.g. an impossible date.
    """
    return _assemble(
        _text_units(clean_text(text)), source, digest_date, names, explicit_titles=False
    )


def _line_unit(stripped: str, number: int, blank_before: bool) -> _Unit:
    """Return the unit of a non-blank line of the text copy (a one-line paragraph for text)."""
    if stripped == _DOT:
        return _Unit(_Kind.DOT, number, stripped, blank_before)
    if stripped.startswith(_BULLET):
        name = stripped[1:].strip()
        count = _AUTHOR_COUNT.fullmatch(name)
        if count is not None:
            return _Unit(_Kind.AUTHORS, number, stripped, blank_before, number=int(count[1]))
        return _Unit(_Kind.AUTHORS, number, stripped, blank_before, name=name)
    date_line = split_date_line(stripped) if stripped[:1].isalpha() else None
    if date_line is not None:
        date, comments = date_line
        return _Unit(_Kind.DATE, number, stripped, blank_before, number=comments, date=date)
    upvotes = _UPVOTES.fullmatch(stripped)
    if upvotes is not None:
        value = int(upvotes[1]) if upvotes[1] and upvotes[1] != "-" else None
        return _Unit(_Kind.COUNT, number, stripped, blank_before, number=value)
    return _Unit(_Kind.TEXT, number, stripped, blank_before)


def _text_units(text: str) -> Iterator[_Unit]:
    """Yield the units of the text copy; consecutive text lines form one paragraph."""
    paragraph: list[_Unit] = []
    blank = False
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        footer = _inline_footer(stripped, number, blank) if _DOT in stripped else None
        unit = _line_unit(stripped, number, blank) if stripped and not footer else None
        if paragraph and (unit is None or unit.kind is not _Kind.TEXT):
            yield _paragraph(paragraph)
            paragraph = []
        if footer:
            yield from footer
        elif unit is None:
            blank = True
            continue
        elif unit.kind is _Kind.TEXT:
            paragraph.append(unit)
        else:
            yield unit
        blank = False
    if paragraph:
        yield _paragraph(paragraph)


def _inline_footer(stripped: str, number: int, blank_before: bool) -> list[_Unit] | None:
    """Return the units of a footer copied onto one line, `• 4 authors · Mar 6 2`, else None."""
    authors, dot, date = stripped.rpartition(_DOT)
    if not (dot and authors.strip() and date.strip()) or len(stripped) > MAX_ORGANIZATION_LENGTH:
        return None
    head = authors.strip()
    head = head if head.startswith(_BULLET) else _BULLET + " " + head
    units = [_line_unit(head, number, blank_before), _line_unit(date.strip(), number, False)]
    if units[0].kind is not _Kind.AUTHORS or units[1].kind is not _Kind.DATE:
        return None
    return [units[0], _Unit(_Kind.DOT, number, _DOT, False), units[1]]


def _paragraph(lines: Sequence[_Unit]) -> _Unit:
    """Return consecutive text lines as one paragraph unit starting at the first."""
    first = lines[0]
    text = " ".join(line.text for line in lines)
    chrome = all(len(line.text) < 60 and line.text.lower() in HEADER_LINES for line in lines)
    return _Unit(_Kind.TEXT, first.line, text, first.blank_before, lines=len(lines), chrome=chrome)


# --- the Markdown capture --------------------------------------------------------------------


def parse_hf_markdown(
    text: str, *, source: str, digest_date: dt.date | None, names: OptionNames = CLI_NAMES
) -> list[Paper]:
    """Return the papers of the papers page captured as Markdown (front matter, `### [Title](...)`).

    Only the capture's own syntax is undone: link wrappers, images, `\\\\` hard wraps at line
    ends and `\\ ` escapes. Upvotes, arXiv ids, organisations and comment counts come from it.

    Args:
        text: The capture, e.g. `tests/data/hf-papers-page-markdown.md`.
        source: The digest's path as the user gave it.
        digest_date: The page's date; when None, the front matter's `retrieved:` date stands in.
        names: How the front end spells the options a problem's fix names (`--date` or the
            plugin's `digest_date`).

    Returns:
        The papers in page order, each with the line of its `###` title.

    Raises:
        DigestError: Every problem of the file at once.
    """
    lines = clean_text(text).split("\n")
    body_start, retrieved = _front_matter(lines)
    if digest_date is None and retrieved is not None:
        digest_date = retrieved
    units = _markdown_units(lines, body_start)
    return _assemble(units, source, digest_date, names, explicit_titles=True)


def _front_matter(lines: Sequence[str]) -> tuple[int, dt.date | None]:
    """Return the index of the first line after the YAML front matter, and its `retrieved` date."""
    if not lines or lines[0].strip() != "---":
        return 0, None
    retrieved: dt.date | None = None
    for index in range(1, min(len(lines), 200)):
        line = lines[index]
        if line.strip() == "---":
            return index + 1, retrieved
        key, _, value = line.partition(":")
        if key.strip() == "retrieved":
            try:
                retrieved = date_from_iso(value.strip().strip("'\""))
            except DateProblem:
                retrieved = None
    return 0, None


def _unwrap_link(text: str) -> tuple[str, str | None]:
    """Return the text and URL of a Markdown link spanning the whole string, else `(text, None)`."""
    if not (text.startswith("[") and text.endswith(")")):
        return text, None
    middle = text.rfind("](")
    url = text[middle + 2 : -1]
    if middle < 1 or any(char in "()" or char.isspace() for char in url):
        return text, None
    return text[1:middle], url


def _markdown_text(block: Sequence[str]) -> str:
    """Return a Markdown block as one line: `\\\\` hard wraps and `\\ ` escapes made spaces."""
    joined = " ".join(line[:-2] if line.endswith("\\\\") else line for line in block)
    return joined.replace("\\ ", " ")


def _markdown_units(lines: Sequence[str], start: int) -> Iterator[_Unit]:
    """Yield the units of the Markdown capture; blank lines separate blocks."""
    block: list[str] = []
    first = start + 1
    blank = False
    for number in range(start + 1, len(lines) + 2):
        raw = lines[number - 1] if number <= len(lines) else ""
        if raw.strip():
            if not block:
                first = number
            block.append(raw.strip())
            continue
        if block:
            yield _markdown_unit(_markdown_text(block), first, len(block), blank)
            block = []
        blank = True


def _markdown_unit(text: str, line: int, count: int, blank_before: bool) -> _Unit:
    """Return the unit of one block of the Markdown capture."""
    heading = _MD_HEADING.fullmatch(text)
    if heading is not None:
        title, url = _unwrap_link(heading[1].strip())
        return _Unit(_Kind.TITLE, line, title, blank_before, url=url)
    if text == _DOT:
        return _Unit(_Kind.DOT, line, text, blank_before)
    upvotes = _MD_UPVOTES.fullmatch(text)
    if upvotes is not None:
        value = None if upvotes[1] == "-" else int(upvotes[1])
        return _Unit(_Kind.COUNT, line, text, blank_before, number=value)
    # Only short blocks can be dates; the bound keeps the search off long abstracts.
    if len(text) < 200:
        comments = _MD_COUNT_LINK.search(text)
        date_line = split_date_line(text[: comments.start()] if comments else text)
        if date_line is not None:
            number = int(comments[1]) if comments else date_line[1]
            return _Unit(_Kind.DATE, line, text, blank_before, number=number, date=date_line[0])
    inner, url = _unwrap_link(text)
    plain = normalise_space(_MD_IMAGE.sub(" ", inner))
    if plain.startswith("- ") or plain.startswith(_BULLET):
        authors = _AUTHOR_COUNT.search(plain[-30:])
        if authors is not None and plain.endswith(authors[0]):
            return _Unit(_Kind.AUTHORS, line, plain, blank_before, number=int(authors[1]))
    if url is not None and _MD_IMAGE.search(inner) and len(plain) <= MAX_ORGANIZATION_LENGTH:
        # An avatar followed by a name, linked to the organisation: `[![occ-ai](...)OCC](...)`.
        return _Unit(_Kind.AUTHORS, line, plain, blank_before, name=plain)
    return _Unit(_Kind.TEXT, line, inner, blank_before, lines=count, url=url)


# --- assembling units into papers ------------------------------------------------------------


def _title_like(unit: _Unit) -> bool:
    """Return whether a paragraph could be a title: short, one or two lines, no final stop."""
    text = unit.text
    return (
        unit.kind is _Kind.TEXT
        and unit.lines <= 2
        and len(text) <= MAX_TITLE_LENGTH
        and not text.endswith((".", ",", ";", ":"))
        and "://" not in text
    )


def _abstract_like(unit: _Unit | None, title: _Unit) -> bool:
    """Return whether a paragraph could be the abstract of the paragraph before it."""
    return (
        unit is not None
        and unit.kind is _Kind.TEXT
        and len(unit.text) >= MIN_ABSTRACT_LENGTH
        and len(unit.text) > 2 * len(title.text)
    )


def _skip_header(units: Sequence[_Unit], *, explicit_titles: bool) -> int:
    """Return the index of the first unit after the page chrome (menus, page date)."""
    index = 0
    while index < len(units):
        unit = units[index]
        if explicit_titles:
            chrome = unit.kind not in (_Kind.TITLE, _Kind.COUNT)
        else:
            chrome = unit.chrome or unit.kind in (_Kind.DATE, _Kind.DOT)
        if not chrome:
            break
        index += 1
    return index


def _assemble(
    units: Iterator[_Unit],
    source: str,
    digest_date: dt.date | None,
    names: OptionNames,
    *,
    explicit_titles: bool,
) -> list[Paper]:
    """Return the papers the units describe, or raise one DigestError with every problem."""
    assembler = _Assembler(source, explicit_titles=explicit_titles)
    assembler.feed(list(units))
    papers = _finish(assembler.drafts, source, digest_date, names, assembler.problems)
    problems = assembler.problems
    if not papers and not problems:
        problems.append(
            Problem(source, None, "no papers found; is this a Hugging Face papers page?")
        )
    if problems:
        raise DigestError(sorted(problems, key=lambda problem: problem.line or 0))
    return papers


class _Assembler:
    """Groups a page's units into paper drafts, collecting the problems on the way."""

    def __init__(self, source: str, *, explicit_titles: bool) -> None:
        self.source = source
        self.explicit_titles = explicit_titles
        """True for the Markdown capture, where only `###` lines start a paper."""
        self.drafts: list[_Draft] = []
        self.problems: list[Problem] = []
        self.current: _Draft | None = None
        self.count: _Unit | None = None
        """An upvote count waiting for the title it precedes."""

    def feed(self, units: Sequence[_Unit]) -> None:
        """Assemble every unit after the page chrome, then close the last paper."""
        for index in range(_skip_header(units, explicit_titles=self.explicit_titles), len(units)):
            unit = units[index]
            previous = units[index - 1] if index else None
            following = units[index + 1] if index + 1 < len(units) else None
            if unit.kind is _Kind.COUNT:
                self._count(unit, previous)
            elif unit.kind in (_Kind.TEXT, _Kind.TITLE):
                self._text(unit, following)
            else:
                self._footer(unit)
        self._close()
        if self.count is not None:
            self._problem(
                self.count.line,
                f"upvote count '{self.count.text}' is not followed by a paper title; delete it",
            )

    def _problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.source, line, message))

    def _count(self, unit: _Unit, previous: _Unit | None) -> None:
        """Record a number line: the comment count right under a date, else upvotes."""
        current = self.current
        if (
            current is not None
            and previous is not None
            and previous.kind is _Kind.DATE
            and previous.line == current.date_line
            and not unit.blank_before
            and current.comments is None
        ):
            current.comments = unit.number
        else:
            self.count = unit

    def _text(self, unit: _Unit, following: _Unit | None) -> None:
        """Record a paragraph: a new title, more abstract, or an organisation before `·`."""
        current = self.current
        if current is not None and self._is_organization(unit, following):
            current.organization = normalise_space(unit.text)
            current.footer = True
        elif self._starts_paper(unit, following):
            self._close()
            self.current = _Draft(
                title=unit.text,
                line=unit.line,
                upvotes=self.count.number if self.count is not None else None,
                arxiv_id=_arxiv_id(unit.url),
            )
            self.count = None
        elif current is not None:
            current.abstract.append(unit.text)
        else:
            self._problem(
                unit.line,
                f"text '{_excerpt(unit.text)}' stands before the first '### [Title](...)' "
                "line; delete it or add the title",
            )

    def _is_organization(self, unit: _Unit, following: _Unit | None) -> bool:
        """Return whether a paragraph is an organisation name: one short line just before `·`."""
        current = self.current
        return (
            unit.kind is _Kind.TEXT
            and current is not None
            and self.count is None
            and bool(current.abstract)
            and not current.footer
            and following is not None
            and following.kind is _Kind.DOT
            and unit.lines == 1
            and len(unit.text) <= MAX_ORGANIZATION_LENGTH
            and not unit.text.endswith((".", ",", ";", ":"))
            and "://" not in unit.text
        )

    def _starts_paper(self, unit: _Unit, following: _Unit | None) -> bool:
        """Return whether a paragraph is the title of a new paper."""
        if self.explicit_titles:
            return unit.kind is _Kind.TITLE
        current = self.current
        return (
            current is None
            or self.count is not None
            or current.footer
            or (_title_like(unit) and _abstract_like(following, unit))
        )

    def _footer(self, unit: _Unit) -> None:
        """Record a footer unit (authors, `·`, date) on the paper it closes."""
        current = self.current
        if current is None or self.count is not None:
            if unit.kind is not _Kind.DOT:
                self._problem(
                    unit.line,
                    f"footer line '{_excerpt(unit.text)}' has no paper title before it; "
                    "delete it or restore the title",
                )
            return
        current.footer = True
        if unit.kind is _Kind.AUTHORS:
            if current.author_count is not None or current.organization is not None:
                self._problem(
                    unit.line,
                    f"second authors line for the paper at line {current.line}; delete one",
                )
            elif unit.number is not None:
                current.author_count = unit.number
            elif unit.name:
                current.organization = normalise_space(unit.name)
        elif unit.kind is _Kind.DATE and unit.date is not None:
            if current.date is not None:
                self._problem(
                    unit.line,
                    f"second date '{unit.date.text}' for the paper at line {current.line}; "
                    "delete one",
                )
            else:
                current.date, current.date_line, current.comments = (
                    unit.date,
                    unit.line,
                    unit.number,
                )

    def _close(self) -> None:
        """Keep the current draft, or report it when it is a lone line."""
        draft, self.current = self.current, None
        if draft is None:
            return
        if draft.abstract or draft.footer:
            self.drafts.append(draft)
        elif self.drafts or draft.upvotes is not None or self.explicit_titles:
            self._problem(
                draft.line,
                f"'{_excerpt(draft.title)}' has neither an abstract nor a footer; "
                "delete the stray line or complete the paper",
            )
        # Otherwise it is page chrome before the first paper, e.g. a banner the copy picked up.


def _arxiv_id(url: str | None) -> str | None:
    """Return the arXiv id of a paper link (`huggingface.co/papers/ID`, `arxiv.org/abs/ID`)."""
    found = parse_arxiv_id(url) if url else None
    return found.id if found else None


def _excerpt(text: str, length: int = 60) -> str:
    """Return the start of a text for a message, marked when cut."""
    text = normalise_space(text)
    return text if len(text) <= length else text[: length - 3] + "..."


def _finish(
    drafts: Sequence[_Draft],
    source: str,
    digest_date: dt.date | None,
    names: OptionNames,
    problems: list[Problem],
) -> list[Paper]:
    """Return the papers of complete drafts; date problems are added to `problems`."""
    papers: list[Paper] = []
    missing_year: list[tuple[int, str]] = []
    undated: list[int] = []
    for draft in drafts:
        if draft.date is None:
            if digest_date is None:
                undated.append(draft.line)
                continue
            date, origin = digest_date, DateOrigin.DIGEST
        else:
            line = draft.date_line if draft.date_line is not None else draft.line
            try:
                date, origin = resolve_date(draft.date, digest_date)
            except MissingYearError as error:
                missing_year.append((line, f"{error}; {names.undated_fix}"))
                continue
            except DateProblem as error:
                problems.append(Problem(source, line, str(error)))
                continue
        abstract = normalise_space(" ".join(draft.abstract))
        papers.append(
            Paper(
                title=normalise_space(draft.title),
                abstract=abstract,
                source=Source(source, line=draft.line),
                date=date,
                date_origin=origin,
                author_count=draft.author_count,
                organization=draft.organization,
                arxiv_id=draft.arxiv_id,
                upvotes=draft.upvotes,
                comments=draft.comments,
                counts_date=digest_date,
                links=find_links(abstract),
            )
        )
    if missing_year:
        line, message = missing_year[0]
        if len(missing_year) > 1:
            message += f" ({len(missing_year)} dates in this file have no year)"
        problems.append(Problem(source, line, message))
    if undated:
        message = f"paper has no date and the digest date is unknown; {names.undated_fix}"
        if len(undated) > 1:
            message += f" ({len(undated)} papers in this file have no date)"
        problems.append(Problem(source, undated[0], message))
    return papers


# --- detection -------------------------------------------------------------------------------


_SNIFF_HEAD = 1024 * 1024
"""Sniffing reads the first MiB: the first paper's footer or heading is in its first KiB."""


def sniff_hf_text(text: str) -> Sniff:
    """Return LIKELY for a page with `• N authors` footers or a `·` line followed by a date."""
    head = text[:_SNIFF_HEAD]
    # Finding the character is a fast scan; the patterns try every line start.
    if _BULLET in head and _SNIFF_TEXT_AUTHORS.search(head):
        return Sniff.LIKELY
    if _DOT in head and _SNIFF_TEXT_FOOTER.search(head):
        return Sniff.LIKELY
    return Sniff.NO


def sniff_hf_markdown(text: str) -> Sniff:
    """Return CERTAIN for `### [Title](https://huggingface.co/papers/...)` headings, LIKELY for
    other `### [` headings."""
    head = text[:_SNIFF_HEAD]
    if "###" not in head:
        return Sniff.NO
    if _SNIFF_MD_PAPER_TITLE.search(head):
        return Sniff.CERTAIN
    return Sniff.LIKELY if _SNIFF_MD_TITLE.search(head) else Sniff.NO


TEXT_READER = DigestReader(
    name="hf-text",
    description="the Hugging Face papers page (daily, trending or search) copied as text",
    sniff=sniff_hf_text,
    parse=parse_hf_text,
)
MARKDOWN_READER = DigestReader(
    name="hf-markdown",
    description="the Hugging Face papers page captured as Markdown (### [Title](...) headings)",
    sniff=sniff_hf_markdown,
    parse=parse_hf_markdown,
)
