"""arXiv's daily listing e-mails ("Submissions to: ..."), the body pasted or the whole `.eml`.

A listing e-mail holds one block per paper: new submissions, then cross-lists (`arXiv:ID
(*cross-listing*)`), then replacements (`replaced with revised version ...`), each block opened
by a `\\\\` line and closed by `\\\\ ( https://arxiv.org/abs/ID , 123kb)`:

    \\\\
    arXiv:2411.13566
    Date: Mon, 11 Nov 2024 10:35:41 GMT   (9474kb,D)

    Title: Integrated Water Resource Management in the Segura Hydrographic Basin:
      An Artificial Intelligence Approach
    Authors: Urtzi Otamendi, Mikel Maiza, Igor G. Olaizola
    Categories: cs.AI
    Comments: 15 pages, 14 figures, 8 tables
    Journal-ref: Journal of Environmental Management, Volume 370, 2024
    DOI: 10.1016/j.jenvman.2024.122526
    \\\\
      Managing resources effectively in uncertain demand, ...
    \\\\ ( https://arxiv.org/abs/2411.13566 ,  9474kb)

The announcement date is the end of the `received from ... to ...` window in the header. A whole
e-mail (headers, quoted-printable or base64 transfer encoding, a multipart message) is unwrapped
with the standard library's `email` package first.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from papershelf.dates import MONTHS
from papershelf.digests.arxiv_fields import (
    ArxivFacts,
    UndatedError,
    arxiv_paper,
    categories_of,
    doi_of,
    rfc_2822_date,
    split_authors,
)
from papershelf.digests.hf_text import clean_text
from papershelf.digests.registry import DigestReader, Sniff
from papershelf.errors import DigestError, Problem
from papershelf.identity import parse_arxiv_id
from papershelf.model import AnnounceType, Paper, Source
from papershelf.naming import CLI_NAMES, OptionNames

_OPEN = "\\\\"
"""The line that opens a block and ends its header: two backslashes."""
_ID_LINE = re.compile(
    r"(?:arXiv:|Paper(?P<paper_cross>[ \t]*\(\*cross-listing\*\))?:)[ \t]*(?P<id>\S+)"
    r"(?P<cross>[ \t]*\(\*cross-listing\*\))?[ \t]*"
)
_FIELD = re.compile(r"(?P<name>[A-Za-z][A-Za-z-]{0,30})(?P<revised>[ \t]*\([^()\n]{0,40}\))?:(.*)")
_REVISED_VERSION = re.compile(r"\(revised v(\d{1,6})\)")
_SIZE = re.compile(r"[ \t]*\(\d[^()\n]{0,40}\)[ \t]*$")
"""The size at the end of a date line: `   (31214kb,D)`."""
_REPLACED = "replaced with revised version"
_RECEIVED = re.compile(
    r"received from[ \t]+.{1,80}?[ \t]+to[ \t]+(?:[A-Za-z]{3}[ \t]+)?"
    r"(?P<day>\d{1,2})[ \t]+(?P<month>[A-Za-z]{3,9})[ \t]+(?P<year>\d{2,4})\b"
)
_RULE = re.compile(r"-{20,}|(?:%-){10,}|(?:%%--){5,}|(?:%%%---){4,}")
"""The rules between blocks and before the cross-lists, replacements and the end."""

# Sniffing: a `\\` line followed by an id line, in the first 256 KB (the first block follows the
# mail's header of a dozen lines).
_SNIFF_BLOCK = re.compile(
    r"^\\\\[ \t]*\r?\n(?:arXiv:|Paper(?:[ \t]*\(\*cross-listing\*\))?:)[ \t]{0,8}\S",
    re.MULTILINE,
)
_SNIFF_HEAD = 256 * 1024
_HEADER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,76}:")
_ENVELOPE_NAMES = frozenset(
    {"from", "to", "subject", "date", "received", "return-path", "message-id", "mime-version"}
    | {"content-type", "content-transfer-encoding", "delivered-to", "reply-to"}
)


@dataclass(frozen=True, slots=True)
class _Body:
    """The listing text of a digest, and how its lines map to the file's."""

    text: str
    offset: int | None
    """Lines before the body in the file (its headers); None when the body was decoded from
    quoted-printable or base64, whose lines are not the file's."""
    date: dt.date | None = None
    """The e-mail's `Date:` header, when there was one."""


@dataclass(slots=True)
class _Block:
    """One paper's block, being read."""

    line: int
    """1-based line of the block's id line in the body."""
    arxiv_id: str | None = None
    version: int | None = None
    cross: bool = False
    replaced: bool = False
    published: dt.date | None = None
    fields: dict[str, list[str]] = field(default_factory=dict)
    abstract: list[str] = field(default_factory=list)
    last_field: str | None = None
    closed: bool = False


class _EnvelopeProblem(ValueError):
    """The e-mail around the listing cannot be unwrapped."""


def parse_arxiv_email(
    text: str, *, source: str, digest_date: dt.date | None, names: OptionNames = CLI_NAMES
) -> list[Paper]:
    """Return the papers of an arXiv listing e-mail (its body, or the whole message).

    Args:
        text: The e-mail, e.g. `tests/data/arxiv-email-listing.txt`.
        source: The digest's path as the user gave it.
        digest_date: The digest's date; when None, the announcement date stands in (it is used
            only for a paper whose id gives no date).
        names: How the front end spells the options a problem's fix names (`--date` or the
            plugin's `digest_date`).

    Returns:
        The papers in listing order: new submissions, cross-lists, replacements.

    Raises:
        DigestError: Every problem of the file at once.
    """
    try:
        body = _body(text)
    except _EnvelopeProblem as error:
        raise DigestError([Problem(source, None, str(error))]) from None
    reader = _Reader(source, body, names)
    blocks, announced = reader.read()
    papers: list[Paper] = []
    date = digest_date or announced or body.date
    for index, block in enumerate(blocks):
        paper = reader.paper(block, index, announced, date)
        if paper is not None:
            papers.append(paper)
    if not blocks and not reader.problems:
        reader.problems.append(
            Problem(source, None, "no paper blocks (a '\\\\' line, then 'arXiv:ID') found")
        )
    if reader.problems:
        raise DigestError(reader.problems)
    return papers


# --- the envelope ----------------------------------------------------------------------------


def _looks_like_a_message(text: str) -> bool:
    """Return whether a text starts with e-mail headers (`From: ...`, `Subject: ...`)."""
    head = text[:4096]
    names = []
    for line in head.split("\n", 40)[:40]:
        if not line.strip():
            break
        match = _HEADER_NAME.match(line)
        if match is not None:
            names.append(match[0][:-1].casefold())
        elif not line[:1].isspace():
            return False
    return bool(names) and names[0] in _ENVELOPE_NAMES and len(set(names) & _ENVELOPE_NAMES) >= 2


@functools.lru_cache(maxsize=1)
def _body(text: str) -> _Body:
    """Return the listing text: the text itself, or the decoded text/plain body of an e-mail.

    Cached for the one text being read: the sniff and the parse both unwrap it.

    Raises:
        _EnvelopeProblem: The message has no text part, or one that cannot be decoded.
    """
    if not _looks_like_a_message(text):
        return _Body(clean_text(text), 0)
    # Imported on first use: `papershelf --help` lists the readers without loading `email`.
    import email
    import email.errors
    import email.message
    import email.policy

    message = email.message_from_string(text, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        raise _EnvelopeProblem(
            "this e-mail has no text/plain part; save the listing e-mail as plain text"
        )
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError) as error:
        raise _EnvelopeProblem(f"the e-mail's text cannot be decoded: {error}") from None
    if not isinstance(content, str):
        raise _EnvelopeProblem("the e-mail's text part holds binary data, not text")
    damaged_kinds = (
        email.errors.InvalidBase64CharactersDefect,
        email.errors.InvalidBase64PaddingDefect,
        email.errors.InvalidBase64LengthDefect,
    )
    damaged = [defect for defect in part.defects if isinstance(defect, damaged_kinds)]
    if damaged:
        raise _EnvelopeProblem(
            f"the e-mail's text is damaged ({type(damaged[0]).__name__}); save it again whole"
        )
    encoding = str(part.get("Content-Transfer-Encoding", "7bit")).strip().casefold()
    offset: int | None = None
    if part is message and encoding in ("7bit", "8bit", "binary"):
        head_end = text.find("\n\n")
        offset = text.count("\n", 0, head_end) + 2 if head_end != -1 else None
    return _Body(clean_text(content), offset, rfc_2822_date(message.get("Date")))


# --- the blocks ------------------------------------------------------------------------------


class _Reader:
    """Reads the blocks of a listing, collecting the problems on the way."""

    def __init__(self, source: str, body: _Body, names: OptionNames) -> None:
        self.source = source
        self.body = body
        self.names = names
        self.problems: list[Problem] = []

    def _line(self, line: int) -> int | None:
        return None if self.body.offset is None else line + self.body.offset

    def _problem(self, line: int, message: str) -> None:
        if self.body.offset is None:
            message += f" (line {line} of the decoded e-mail text)"
        self.problems.append(Problem(self.source, self._line(line), message))

    def read(self) -> tuple[list[_Block], dt.date | None]:
        """Return the blocks of the listing and its announcement date."""
        blocks: list[_Block] = []
        announced: dt.date | None = None
        block: _Block | None = None
        in_abstract = False
        for number, raw in enumerate(self.body.text.split("\n"), start=1):
            line = raw.rstrip()
            if block is None:
                if line == _OPEN:
                    block = _Block(number + 1)
                    blocks.append(block)
                    in_abstract = False
                elif announced is None and "received from" in line:
                    announced = self._received(line, number)
                continue
            if line.startswith(_OPEN + " ("):
                block.closed = True
                self._check_close(block, line, number)
                block = None
            elif line == _OPEN and not in_abstract:
                in_abstract = True
            elif in_abstract:
                if _RULE.fullmatch(line.strip()):
                    self._problem(block.line, "this block has no closing '\\\\ ( https://...' line")
                    block = None
                else:
                    block.abstract.append(line)
            else:
                self._header_line(block, line, number)
        if block is not None:
            self._problem(
                block.line,
                "the e-mail ends inside this block (no closing '\\\\ ( https://...' line);"
                " paste the whole e-mail",
            )
            blocks.remove(block)
        return blocks, announced

    def _received(self, line: str, number: int) -> dt.date | None:
        match = _RECEIVED.search(line)
        month = MONTHS.get(match["month"].casefold()) if match else None
        if match is None or month is None:
            return None
        year = int(match["year"])
        year += 2000 if year < 100 else 0
        try:
            return dt.date(year, month, int(match["day"]))
        except ValueError:
            self._problem(number, f"'{line.strip()[:80]}' ends on no calendar date")
            return None

    def _header_line(self, block: _Block, line: str, number: int) -> None:
        """Read one line of a block's header: the id, the date, a field or its continuation."""
        stripped = line.strip()
        if not stripped:
            return
        if block.arxiv_id is None and not block.fields:
            self._id_line(block, stripped, number)
            return
        if stripped.startswith(_REPLACED):
            block.replaced = True
            return
        if line[:1].isspace() and block.last_field is not None:
            block.fields[block.last_field].append(stripped)
            return
        match = _FIELD.fullmatch(stripped)
        if match is None:
            self._problem(number, f"'{stripped[:60]}' is not a 'Name: value' line of the block")
            return
        name = match["name"].casefold()
        if name == "date":
            revised = _REVISED_VERSION.search(match["revised"] or "")
            if revised is not None:
                block.version = int(revised[1])
            block.published = rfc_2822_date(_SIZE.sub("", match[3]))
            block.last_field = None
            return
        block.fields.setdefault(name, []).append(match[3].strip())
        block.last_field = name

    def _id_line(self, block: _Block, stripped: str, number: int) -> None:
        match = _ID_LINE.fullmatch(stripped)
        arxiv_id = parse_arxiv_id(match["id"]) if match else None
        if match is None or arxiv_id is None:
            self._problem(
                number, f"expected 'arXiv:ID' after the '\\\\' line, found '{stripped[:60]}'"
            )
            block.arxiv_id = ""
            return
        block.line = number
        block.arxiv_id = arxiv_id.id
        block.version = arxiv_id.version
        block.cross = bool(match["cross"] or match["paper_cross"])

    def _check_close(self, block: _Block, line: str, number: int) -> None:
        """Report a closing line naming another paper than the block's id line."""
        url = line[len(_OPEN) + 2 :].split(",", 1)[0].strip()
        named = parse_arxiv_id(url) if url else None
        if block.arxiv_id and named is not None and named.id != block.arxiv_id:
            self._problem(
                number, f"this block closes with {named.id} but opened with {block.arxiv_id}"
            )

    def paper(
        self, block: _Block, index: int, announced: dt.date | None, date: dt.date | None
    ) -> Paper | None:
        """Return the paper of a block, or None after recording its problem."""
        if not block.arxiv_id:
            return None
        title = " ".join(block.fields.get("title", []))
        if not title.strip():
            self._problem(block.line, f"the block of arXiv:{block.arxiv_id} has no 'Title:' line")
            return None
        if block.replaced:
            kind = AnnounceType.REPLACE_CROSS if block.cross else AnnounceType.REPLACE
        else:
            kind = AnnounceType.CROSS if block.cross else AnnounceType.NEW
        version = block.version
        if version is None and kind is AnnounceType.NEW:
            version = 1  # a new submission is the paper's first version
        facts = ArxivFacts(
            arxiv_id=block.arxiv_id,
            source=Source(self.source, line=self._line(block.line), item=index),
            title=title,
            abstract=" ".join(block.abstract),
            authors=split_authors(_joined(block.fields.get("authors", []))),
            version=version,
            categories=categories_of(_joined(block.fields.get("categories", [])).split()),
            comment=_joined(block.fields.get("comments", [])),
            journal_ref=_joined(block.fields.get("journal-ref", [])),
            doi=doi_of(_joined(block.fields.get("doi", [])).split(" ")[0]),
            # The Date line of a replacement is its new version's; the first version's is unknown.
            published=None if block.replaced else block.published,
            announced=announced,
            announce_type=kind,
        )
        try:
            return arxiv_paper(facts, date)
        except UndatedError:
            self._problem(
                block.line,
                f"arXiv:{block.arxiv_id} has no date; {self.names.undated_fix}",
            )
            return None


def _joined(lines: Sequence[str]) -> str:
    """Return a field's lines, wrapped at about 80 columns in the e-mail, as one line."""
    return " ".join(lines)


# --- detection -------------------------------------------------------------------------------


def sniff_arxiv_email(text: str) -> Sniff:
    """Return CERTAIN for a listing's blocks (`\\\\`, then `arXiv:ID`), also inside an e-mail."""
    if _SNIFF_BLOCK.search(text, 0, _SNIFF_HEAD):
        return Sniff.CERTAIN
    if not _looks_like_a_message(text):
        return Sniff.NO
    try:
        body = _body(text)
    except _EnvelopeProblem:
        return Sniff.NO
    return Sniff.CERTAIN if _SNIFF_BLOCK.search(body.text, 0, _SNIFF_HEAD) else Sniff.NO


READER = DigestReader(
    name="arxiv-email",
    description="an arXiv listing e-mail (Submissions to: ...), its text or the whole .eml",
    sniff=sniff_arxiv_email,
    parse=parse_arxiv_email,
)
