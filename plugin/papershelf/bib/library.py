"""Paper records -> `@misc` entries, merged into an existing BibTeX library without losing a byte.

The existing text is split into blocks by bibtexparser; every block this run does not change is
copied from the original text byte for byte (its comments, `@string`s, `@preamble`s, JabRef
`@Comment{jabref-meta: ...}` blocks and the whitespace between them included). Changed entries are
re-written by bibtexparser's writer, new entries are appended in input order. The field table and
the policy per field are in `docs/architecture.md` ("The library format").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bibtexparser.entrypoint import parse_string, write_string
from bibtexparser.library import Library
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    ParsingFailedBlock,
)
from bibtexparser.writer import BibtexFormat

from papershelf.bib.escape import (
    escape_name,
    escape_text,
    escape_title,
    unescape_text,
    verbatim_url,
)
from papershelf.bib.keys import make_key
from papershelf.errors import LibraryError, Problem
from papershelf.merge import normalise_title
from papershelf.model import LinkKind, Paper

# bibtexparser logs each unreadable block with 0-based line numbers; LibraryError reports them
# 1-based, so its records go to the application's handlers only, never to Python's last resort.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

__all__ = [
    "FIELD_ORDER",
    "MergeResult",
    "find_arxiv_ids",
    "merge_into_library",
    "paper_to_fields",
]

FIELD_ORDER = (
    "author",
    "key",
    "title",
    "year",
    "month",
    "howpublished",
    "eprint",
    "eprinttype",
    "url",
    "abstract",
    "organization",
    "keywords",
    "annote",
    "upvotes",
    "numcomments",
    "countsdate",
    "code",
    "projectpage",
    "hfmodel",
    "hfdataset",
    "hfspace",
    "otherlinks",
    "githubstars",
    "authorcount",
    "pubdate",
    "dateorigin",
)
"""Every field papershelf writes, in the order it writes them."""

_MACRO_FIELDS = frozenset({"month"})
_WORD_PUNCTUATION = ".,:;!?()[]{}\"'"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_LINK_FIELDS = {
    "code": LinkKind.CODE,
    "projectpage": LinkKind.PROJECT,
    "hfmodel": LinkKind.HF_MODEL,
    "hfdataset": LinkKind.HF_DATASET,
    "hfspace": LinkKind.HF_SPACE,
    "otherlinks": LinkKind.OTHER,
}
_FILLED_IF_ABSENT = (
    "author",
    "title",
    "howpublished",
    "url",
    "abstract",
    "organization",
)
_MISC_ONLY = frozenset({"howpublished", "organization"})
_CORPORATE_WORDS = frozenset(
    {"team", "lab", "labs", "laboratory", "group", "inc", "corp", "corporation", "institute"}
    | {"university", "consortium", "project", "collaboration", "ai", "research"}
)
_ANNOTE_LINE = re.compile(r"Code: \S+")
_VALUE_COLUMN = len("howpublished") + len(" = ")


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The new library text and what changed in it."""

    text: str
    """The whole new `.bib`, e.g. `@misc{cheng2024breaking,\\n  author ...}\\n`."""
    added: tuple[str, ...]
    """Keys of the entries appended by this run, in input order, e.g. `("cheng2024breaking",)`."""
    updated: tuple[str, ...]
    """Keys of known entries whose papershelf-owned fields changed, e.g. `("smith2023scaling",)`."""
    unchanged: tuple[str, ...]
    """Keys of papers seen in this run that needed no change."""


# ---------------------------------------------------------------------------------------------
# Paper -> fields


def _is_corporate(name: str) -> bool:
    words = name.split()
    if len(words) < 2 or "," in name:
        return True
    return any(word.strip(".,").casefold() in _CORPORATE_WORDS for word in words) or any(
        word == "and" for word in words
    )


def _author_value(names: Sequence[str]) -> str:
    # A one-word or organisation name in braces stays one "last name" for BibTeX and Zotero.
    return " and ".join(
        f"{{{escape_name(name)}}}" if _is_corporate(name) else escape_name(name)
        for name in names
        if name.strip()
    )


def _links(paper: Paper, kind: LinkKind) -> list[str]:
    urls: list[str] = []
    for url in paper.links_of(kind):
        try:
            clean = verbatim_url(url)
        except ValueError:
            continue
        if clean not in urls:
            urls.append(clean)
    return urls


def _annote(code_urls: Iterable[str]) -> str:
    return "\n".join(f"Code: {escape_text(url)}" for url in code_urls)


def paper_to_fields(paper: Paper) -> dict[str, str]:
    """Return the fields of `paper`'s entry in `FIELD_ORDER`, as TeX values without delimiters.

    Values are ready to stand between `{` and `}`, except `month`, a macro written bare
    (`mar`). Fields without content are left out: no `author` without real names, no arXiv
    fields without an arXiv id.
    """
    fields: dict[str, str] = {}
    author = _author_value(paper.authors)
    if author:
        fields["author"] = author
    else:
        # BibTeX styles sort and label by `key` when there is no author: `Incorporating (2025)`
        # instead of the first letters of the citation key, and no "need author or key" warning.
        label_key = paper.organization or _first_title_word(paper.title)
        if label_key:
            fields["key"] = escape_text(label_key)
    fields["title"] = escape_title(paper.title)
    fields["year"] = str(paper.date.year)
    fields["month"] = _MONTHS[paper.date.month - 1]
    if paper.arxiv_id:
        arxiv_id = verbatim_url(paper.arxiv_id)
        fields["howpublished"] = escape_text(f"arXiv preprint arXiv:{paper.arxiv_id}")
        fields["eprint"] = arxiv_id
        fields["eprinttype"] = "arxiv"
        fields["url"] = f"https://arxiv.org/abs/{arxiv_id}"
    if paper.abstract.strip():
        fields["abstract"] = escape_text(paper.abstract)
    if paper.organization:
        fields["organization"] = escape_text(paper.organization)
    if paper.tags:
        fields["keywords"] = ", ".join(escape_text(tag) for tag in paper.tags)
    code = _links(paper, LinkKind.CODE)
    if code:
        fields["annote"] = _annote(code)
    if paper.upvotes is not None:
        fields["upvotes"] = str(paper.upvotes)
    if paper.comments is not None:
        fields["numcomments"] = str(paper.comments)
    if paper.counts_date is not None and (paper.upvotes is not None or paper.comments is not None):
        fields["countsdate"] = paper.counts_date.isoformat()
    for name, kind in _LINK_FIELDS.items():
        urls = _links(paper, kind)
        if urls:
            fields[name] = " ".join(urls)
    if paper.github_stars is not None:
        fields["githubstars"] = str(paper.github_stars)
    if not author and paper.author_count is not None:
        fields["authorcount"] = str(paper.author_count)
    fields["pubdate"] = paper.date.isoformat()
    fields["dateorigin"] = paper.date_origin.value
    return fields


def _first_title_word(title: str) -> str:
    """Return the title's first word without surrounding punctuation: `HuMo:` -> `HuMo`."""
    for word in title.split():
        stripped = word.strip(_WORD_PUNCTUATION)
        if stripped:
            return stripped
    return ""


def _enclose(name: str, value: str) -> str:
    return value if name in _MACRO_FIELDS else f"{{{value}}}"


def _write(entry: Entry) -> str:
    return _write_many([entry])


def _write_many(entries: Sequence[Entry]) -> str:
    """Return entries separated by a blank line; `=` aligned at the longest field name."""
    bibtex_format = BibtexFormat()  # type: ignore[no-untyped-call]
    bibtex_format.indent = "  "
    bibtex_format.block_separator = "\n"
    longest = max((len(field.key) for entry in entries for field in entry.fields), default=0)
    bibtex_format.value_column = max(_VALUE_COLUMN, longest + len(" = "))
    text: str = write_string(
        Library(list[Block](entries)), unparse_stack=[], bibtex_format=bibtex_format
    )
    return text


# ---------------------------------------------------------------------------------------------
# Recognising known papers

_ARXIV_ID = r"(\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7})(?:v\d+)?"
_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*|10\.48550/arxiv\.)" + _ARXIV_ID, re.IGNORECASE
)
_ARXIV_BARE = re.compile(r"^\s*(?:arxiv:)?" + _ARXIV_ID + r"\s*$", re.IGNORECASE)
_ID_FIELDS = ("url", "howpublished", "note", "doi", "journal", "arxiv", "arxivid", "eprint")
_INDEX_FIELDS = (*_ID_FIELDS, "eprinttype", "archiveprefix", "title")
"""The fields that tell which paper an entry is: its arXiv id and its title."""


def _inner(raw: str) -> str:
    """Return a field value without its delimiters (`{x}` or `"x"`); macros stay as they are."""
    if len(raw) >= 2 and ((raw[0] == "{" and raw[-1] == "}") or (raw[0] == '"' and raw[-1] == '"')):
        return raw[1:-1]
    return raw


def find_arxiv_ids(fields: dict[str, str]) -> set[str]:
    """Return the arXiv ids (without version) an entry names in its identifier fields.

    Args:
        fields: Field name (lower case) -> value without delimiters.
    """
    ids: set[str] = set()
    for name in _ID_FIELDS:
        value = fields.get(name)
        if not value:
            continue
        ids.update(match.group(1) for match in _ARXIV_IN_TEXT.finditer(value))
    eprint = fields.get("eprint")
    kind = (fields.get("eprinttype") or fields.get("archiveprefix") or "arxiv").strip().casefold()
    if eprint and kind == "arxiv":
        bare = _ARXIV_BARE.match(eprint)
        if bare:
            ids.add(bare.group(1))
    return ids


# ---------------------------------------------------------------------------------------------
# Merging


class _Record:
    """An entry of the library during one run: its fields by lower-case name."""

    __slots__ = ("entry", "fields", "touched")

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.fields: dict[str, Field] = {field.key.casefold(): field for field in entry.fields}
        self.touched = False

    def value(self, name: str) -> str | None:
        field = self.fields.get(name)
        return None if field is None else _inner(field.value)

    def has(self, name: str) -> bool:
        value = self.value(name)
        return value is not None and value.strip() != ""

    def set(self, name: str, value: str) -> None:
        raw = _enclose(name, value)
        field = self.fields.get(name)
        if field is None:
            field = Field(name, raw)
            self.entry.fields = [*self.entry.fields, field]
            self.fields[name] = field
            self.touched = True
        elif field.value != raw:
            field.value = raw
            self.touched = True

    def drop(self, name: str) -> None:
        field = self.fields.pop(name, None)
        if field is not None:
            self.entry.fields = [other for other in self.entry.fields if other is not field]
            self.touched = True

    def plain(self, names: Iterable[str] = _INDEX_FIELDS) -> dict[str, str]:
        """Return the values (without delimiters) of the named fields the entry has."""
        fields = self.fields
        return {name: _inner(fields[name].value) for name in names if name in fields}


def _union(existing: str | None, new: Iterable[str], separator: str) -> list[str]:
    items = [item for item in re.split(separator, existing or "") if item.strip()]
    items = [item.strip() for item in items]
    for item in new:
        if item not in items:
            items.append(item)
    return items


def _merge_keywords(record: _Record, ours: str) -> None:
    existing = record.value("keywords")
    if not existing or not existing.strip():
        record.set("keywords", ours)
        return
    present = {unescape_text(word.strip()).casefold() for word in re.split(r"[,;]", existing)}
    added = [word for word in ours.split(", ") if unescape_text(word).casefold() not in present]
    if added:
        record.set("keywords", existing.rstrip() + ", " + ", ".join(added))


def _annote_is_ours(value: str) -> bool:
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    return all(_ANNOTE_LINE.fullmatch(unescape_text(line)) for line in lines)


def _update(record: _Record, paper: Paper, ours: dict[str, str]) -> None:
    """Refresh the papershelf-owned fields of a known entry; a person's fields stay."""
    for name in _FILLED_IF_ABSENT:
        # `howpublished` and `organization` belong to @misc; on an @article biber would warn.
        if name in _MISC_ONLY and record.entry.entry_type.casefold() != "misc":
            continue
        if name in ours and not record.has(name):
            record.set(name, ours[name])
    # A biblatex `date` already carries year and month; both would make biber warn.
    if not record.has("date"):
        for name in ("year", "month"):
            if not record.has(name):
                record.set(name, ours[name])
    # `archiveprefix` is biber's alias of `eprinttype`: never write both.
    eprint_fields = ("eprint", "eprinttype", "archiveprefix")
    if "eprint" in ours and not any(record.has(name) for name in eprint_fields):
        record.set("eprint", ours["eprint"])
        record.set("eprinttype", ours["eprinttype"])
    if "keywords" in ours:
        _merge_keywords(record, ours["keywords"])
    for name in _LINK_FIELDS:
        if name in ours:
            record.set(name, " ".join(_union(record.value(name), ours[name].split(" "), r"\s+")))
    code = record.value("code")
    annote = record.value("annote")
    if code and (annote is None or _annote_is_ours(annote)):
        record.set("annote", _annote(code.split()))
    # Counts read on an earlier day than the ones recorded would turn the clock back.
    counts_date = record.value("countsdate")
    ours_date = ours.get("countsdate", "")
    if paper.counts_date is None or counts_date is None or counts_date <= ours_date:
        for name in ("upvotes", "numcomments", "countsdate"):
            if name in ours:
                record.set(name, ours[name])
    if "githubstars" in ours:
        record.set("githubstars", ours["githubstars"])
    if "key" in ours and not record.has("author") and not record.has("key"):
        record.set("key", ours["key"])
    if record.has("author"):
        record.drop("authorcount")
    elif "authorcount" in ours:
        record.set("authorcount", ours["authorcount"])
    if not record.has("pubdate"):
        record.set("pubdate", ours["pubdate"])
        record.set("dateorigin", ours["dateorigin"])


def _failed_block_problem(source: str, block: ParsingFailedBlock) -> Problem:
    line = None if block.start_line is None else block.start_line + 1
    if isinstance(block, DuplicateBlockKeyBlock):
        previous = block.previous_block.start_line
        first = "" if previous is None else f" (first at line {previous + 1})"
        message = f"duplicate key '{block.key}'{first}; rename or remove one of the two entries"
    elif isinstance(block, DuplicateFieldKeyBlock):
        entry = block.ignore_error_block
        key = entry.key if isinstance(entry, Entry) else "?"
        names = ", ".join(f"'{name}'" for name in sorted(block.duplicate_keys))
        message = f"entry '{key}' has the field {names} twice; keep one, then run again"
    else:
        head = (block.raw or "").strip().splitlines()[:1]
        shown = f" '{head[0][:60]}'" if head else ""
        reason = getattr(block.error, "abort_reason", None) or type(block.error).__name__
        message = (
            f"block{shown} cannot be read ({reason.strip().rstrip('.')}); "
            "check its braces, quotes and commas, then run again"
        )
    return Problem(source, line, message)


def _spans(text: str, blocks: Sequence[Block]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = 0
    for block in blocks:
        raw: str = getattr(block, "raw", None) or ""
        start = text.find(raw, cursor)
        if start < 0:  # pragma: no cover - bibtexparser keeps raw text verbatim
            raise AssertionError("bibtexparser block text not found; please report")
        spans.append((start, start + len(raw)))
        cursor = start + len(raw)
    return spans


def merge_into_library(existing: str, papers: Sequence[Paper], *, source: str) -> MergeResult:
    """Merge `papers` into the library text `existing` and return the new text.

    Known papers (same arXiv id, else same normalised title) keep their key and every field a
    person added; papershelf's fields are refreshed per the policy of `docs/architecture.md`.
    New papers are appended in input order; a paper given twice yields one entry.

    Args:
        existing: The current `.bib` text; empty for a new library.
        papers: Papers of this run.
        source: The library's path as the user gave it, for error messages.

    Raises:
        LibraryError: `existing` has blocks bibtexparser cannot read or duplicate keys; every
            such block is listed with its 1-based line.
    """
    library = parse_string(existing, parse_stack=[])
    if library.failed_blocks:
        raise LibraryError([_failed_block_problem(source, b) for b in library.failed_blocks])

    normalise = normalise_title
    records: list[_Record] = [_Record(entry) for entry in library.entries]
    taken = {record.entry.key.casefold() for record in records}
    by_id: dict[str, _Record] = {}
    by_title: dict[str, _Record] = {}

    def index(record: _Record) -> None:
        plain = record.plain()
        for arxiv_id in find_arxiv_ids(plain):
            by_id.setdefault(arxiv_id, record)
        title = normalise(unescape_text(plain.get("title", "")))
        if title:
            by_title.setdefault(title, record)

    for record in records:
        index(record)

    added: dict[str, None] = {}
    updated: dict[str, None] = {}
    unchanged: dict[str, None] = {}
    new_records: list[_Record] = []
    suffixes: dict[str, int] = {}
    for paper in papers:
        ours = paper_to_fields(paper)
        found = by_id.get(paper.arxiv_id) if paper.arxiv_id else None
        if found is None:
            candidate = by_title.get(normalise(paper.title))
            has_other_id = (
                candidate is not None
                and paper.arxiv_id is not None
                and bool(find_arxiv_ids(candidate.plain()))
            )
            found = None if has_other_id else candidate
        if found is None:
            key = make_key(paper, taken, suffixes=suffixes)
            taken.add(key)
            fields = [Field(name, _enclose(name, value)) for name, value in ours.items()]
            record = _Record(Entry("misc", key, fields))
            record.touched = True
            new_records.append(record)
            if paper.arxiv_id:
                by_id.setdefault(paper.arxiv_id, record)
            title = normalise(paper.title)
            if title:
                by_title.setdefault(title, record)
            added[key] = None
            continue
        was_touched = found.touched
        found.touched = False
        _update(found, paper, ours)
        key = found.entry.key
        if found.touched and key not in added:
            updated[key] = None
        elif key not in added and key not in updated:
            unchanged[key] = None
        found.touched = found.touched or was_touched
        if found.touched:
            index(found)

    pieces: list[str] = []
    cursor = 0
    touched = {id(record.entry) for record in records if record.touched}
    for block, (start, end) in zip(library.blocks, _spans(existing, library.blocks), strict=True):
        pieces.append(existing[cursor:start])
        if isinstance(block, Entry) and id(block) in touched:
            pieces.append(_write(block).rstrip("\n"))
        else:
            pieces.append(existing[start:end])
        cursor = end
    pieces.append(existing[cursor:])
    text = "".join(pieces)
    if new_records:
        if not text.strip():
            text = ""
        elif text.endswith("\n\n"):
            pass
        elif text.endswith("\n"):
            text += "\n"
        else:
            text += "\n\n"
        text += _write_many([record.entry for record in new_records])
    return MergeResult(
        text=text,
        added=tuple(added),
        updated=tuple(updated),
        unchanged=tuple(key for key in unchanged if key not in updated),
    )
