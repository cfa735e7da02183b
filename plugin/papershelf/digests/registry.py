"""The registry of digest readers: which reader a text is for, and what a reader must find.

A reader is four things (`DigestReader`): the format's name, a one-line description, a sniff
function that says how sure it is that a text is in its format, and a parse function. Detection,
the command line's `--format` choices and help, and the "not a digest" message all come from the
registry, so a new format is one module defining its reader plus one line registering it (see
`papershelf.digests` and `docs/architecture.md`).

Whatever reader parses a text, forced with `--format` or detected, what it returns must look like
papers: a reader pointed at a text of another format must not turn a row of dashes into an entry.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from papershelf.errors import DigestError, Problem, UsageError
from papershelf.model import Paper
from papershelf.naming import CLI_NAMES, OptionNames

GUIDE = "docs/guide/digests.md"
"""Where every format is described, named in messages."""

_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")
_LEADING = "\ufeff \t\r\n"


class Sniff(enum.IntEnum):
    """How sure a reader is that a text is in its format; the highest claim wins."""

    NO = 0
    """Not this format."""
    POSSIBLE = 1
    """Loose signals only; any reader with a stronger claim wins."""
    LIKELY = 2
    """Signals typical of the format, e.g. the `• 4 authors` footers of the HF page copy."""
    CERTAIN = 3
    """A marker only this format has, e.g. an XML root in arXiv's namespace."""


class Parser(Protocol):
    """A reader's parse function: the papers of a whole digest, or one `DigestError`."""

    def __call__(
        self,
        text: str,
        *,
        source: str,
        digest_date: dt.date | None,
        names: OptionNames = CLI_NAMES,
    ) -> list[Paper]: ...


@dataclass(frozen=True, slots=True)
class DigestReader:
    """One digest format papershelf reads."""

    name: str
    """The format's name on the command line, e.g. `hf-text`."""
    description: str
    """One line for help and messages, e.g. `the Hugging Face papers page copied as text`."""
    sniff: Callable[[str], Sniff]
    """How sure the reader is that a text is its format. It gets the text without a leading BOM
    or blank lines, and must take bounded time per character (digests reach 50 MB): look at the
    head, or use anchored, bounded patterns."""
    parse: Parser
    """`(text, *, source, digest_date, names) -> list[Paper]`, raising one `DigestError` with every
    problem of the file, each as `file:line: problem`; `names` spells the options its fixes name."""


class ReaderRegistry:
    """The readers in the order help and messages list them; names are unique."""

    def __init__(self, readers: Iterable[DigestReader]) -> None:
        self._readers: dict[str, DigestReader] = {}
        for reader in readers:
            if reader.name in self._readers:
                raise ValueError(f"two digest readers are named {reader.name!r}")
            self._readers[reader.name] = reader

    @property
    def names(self) -> tuple[str, ...]:
        """Return the format names in registration order, e.g. `("hf-text", ...)`."""
        return tuple(self._readers)

    @property
    def readers(self) -> tuple[DigestReader, ...]:
        """Return the readers in registration order."""
        return tuple(self._readers.values())

    def get(self, name: str) -> DigestReader:
        """Return the reader of a format name.

        Raises:
            UsageError: No reader has that name; the message lists the names.
        """
        reader = self._readers.get(name)
        if reader is None:
            raise UsageError(
                f"unknown digest format {name!r}; papershelf reads {', '.join(self.names)}"
            )
        return reader

    def listing(self, readers: Sequence[DigestReader] | None = None, *, indent: str = "  ") -> str:
        """Return one line per reader, `name  description`, names aligned."""
        chosen = self.readers if readers is None else tuple(readers)
        width = max(len(reader.name) for reader in chosen)
        return "\n".join(
            f"{indent}{reader.name.ljust(width)}  {reader.description}" for reader in chosen
        )

    def claims(self, text: str) -> list[tuple[Sniff, DigestReader]]:
        """Return what each reader says of a text, strongest claims first (ties: registry order)."""
        body = text.lstrip(_LEADING)
        said = [(reader.sniff(body), reader) for reader in self._readers.values()]
        ordered = sorted(range(len(said)), key=lambda index: (-said[index][0], index))
        return [said[index] for index in ordered if said[index][0] is not Sniff.NO]

    def detect(self, text: str, *, source: str, names: OptionNames = CLI_NAMES) -> DigestReader:
        """Return the reader of a digest from its content.

        Args:
            text: The whole digest.
            source: The digest's path as the user gave it, for the message.

        Raises:
            DigestError: The text is empty or binary, no reader claims it, or two readers claim it
                equally; the message lists the formats and, for a tie, how to choose one.
        """
        body = text.lstrip(_LEADING)
        if not body:
            raise DigestError(
                [Problem(source, None, "the digest is empty; paste a digest into it or delete it")]
            )
        claims = self.claims(body)
        if claims:
            strongest = claims[0][0]
            tied = [reader for claim, reader in claims if claim == strongest]
            if len(tied) == 1:
                return tied[0]
            message = (
                f"this digest could be in any of these formats; {names.choose_format} to choose one"
                f" (see {GUIDE}):\n{self.listing(tied)}"
            )
        elif "\x00" in body or len(_CONTROL.findall(body[:4096])) > 8:
            message = (
                "this looks like a binary file, not a text digest; papershelf reads these"
                f" formats:\n{self.listing()}"
            )
        else:
            message = (
                f"not a digest papershelf can read; it reads these formats (see {GUIDE}):\n"
                f"{self.listing()}"
            )
        raise DigestError([Problem(source, None, message)])

    def parse(
        self,
        text: str,
        *,
        source: str,
        digest_date: dt.date | None,
        fmt: str | None = None,
        names: OptionNames = CLI_NAMES,
    ) -> list[Paper]:
        """Return the papers of a digest, with the reader `fmt` names or the one detected.

        `names` spells the options a problem's fix names (the CLI's `--format` or the plugin's
        `digest_format`).

        Raises:
            DigestError: Every problem of the file; also when the reader found nothing that looks
                like a paper (no entry, or an entry whose title is no title: see `paper_shaped`),
                and when `fmt` names a reader that does not recognise a text another claims.
            UsageError: `fmt` names no reader.
        """
        if fmt is None:
            reader = self.detect(text, source=source, names=names)
        else:
            reader = self.get(fmt)
            self._refuse_another_format(text, reader, source, names)
        papers = reader.parse(text, source=source, digest_date=digest_date, names=names)
        problem = self._implausible(
            papers, reader, text, source, forced=fmt is not None, names=names
        )
        if problem is not None:
            raise DigestError([problem])
        return papers

    def _refuse_another_format(
        self, text: str, reader: DigestReader, source: str, names: OptionNames
    ) -> None:
        """Refuse to force a reader on a text it does not recognise and another one claims.

        `--format` chooses between readers that claim a text equally, or reads a text no reader
        recognises; forced on a text of another format, a reader makes entries of its headers.

        Raises:
            DigestError: The reader says `NO` and another claims the text at least `LIKELY`.
        """
        body = text.lstrip(_LEADING)
        if reader.sniff(body) is not Sniff.NO:
            return
        claims = [(claim, other) for claim, other in self.claims(body) if claim >= Sniff.LIKELY]
        if not claims:
            return
        other = claims[0][1]
        raise DigestError(
            [
                Problem(
                    source,
                    None,
                    f"{names.forced_format(reader.name)} does not recognise this text, which looks"
                    f" like {other.name} ({other.description}); {names.drop_format} to read it as"
                    " that",
                )
            ]
        )

    def _implausible(
        self,
        papers: Sequence[Paper],
        reader: DigestReader,
        text: str,
        source: str,
        *,
        forced: bool,
        names: OptionNames,
    ) -> Problem | None:
        """Return the problem of a result that holds no paper-shaped entry, else None."""
        junk = next((paper for paper in papers if not paper_shaped(paper)), None)
        if papers and junk is None:
            return None
        hint = self._hint(text, reader, source, names) if forced else ""
        if junk is None:
            return Problem(source, None, f"no papers found reading it as {reader.name}{hint}")
        title = " ".join(junk.title.split())
        shown = title if len(title) <= 40 else title[:37] + "..."
        return Problem(
            source,
            junk.source.line,
            f"reading as {reader.name} stopped at an entry titled {shown!r}, which is not a"
            f" paper's title{hint}",
        )

    def _hint(self, text: str, reader: DigestReader, source: str, names: OptionNames) -> str:
        """Return what to do instead of forcing `reader` on a text, for a message."""
        try:
            detected = self.detect(text, source=source, names=names)
        except DigestError:
            return f"; is this really {reader.description}?"
        if detected is reader:
            return ""
        return (
            f"; this looks like {detected.name} ({detected.description}):"
            f" {names.drop_format} to read it as that"
        )


MAX_TITLE_LENGTH = 600
"""A longer title is text of another format read as a title (arXiv's longest are about 300)."""


def paper_shaped(paper: Paper) -> bool:
    """Return whether a record looks like a paper.

    A paper has a title of at most `MAX_TITLE_LENGTH` characters with a letter or a digit (of
    any script) and without a rule such as `-----` (a word of four or more characters, none a
    letter or digit, which separates the sections of e-mails and text files); or no title at all
    but an arXiv id, as in a plain list of ids.
    """
    title = paper.title
    if not title:
        return paper.arxiv_id is not None
    return (
        len(title) <= MAX_TITLE_LENGTH
        and _ALNUM.search(title) is not None
        and _RULE.search(title) is None
    )


_ALNUM = re.compile(r"[^\W_]")
"""A letter or digit of any script: `\\w` is exactly those and `_`."""
_RULE = re.compile(r"(?<!\S)(?:[^\w\s]|_){4,}(?!\S)")
"""A word of four or more characters none of which is a letter or digit: `-----`, `%-%-`."""
