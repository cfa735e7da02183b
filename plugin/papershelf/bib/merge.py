"""Paper records -> `@misc` entries, merged into an existing BibTeX library without losing a byte.

The existing text is located entry by entry (`papershelf.bib.index`); every entry a paper of this
run matches is parsed again by bibtexparser, and everything this run does not change is copied
from the original text byte for byte (its comments, `@string`s, `@preamble`s, JabRef
`@Comment{jabref-meta: ...}` blocks and the whitespace between them included). Changed entries are
re-written by bibtexparser's writer, new entries are appended in input order. The field table and
the policy per field are in `docs/architecture.md` ("The library format").
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat

from papershelf.bib.check import field_comments, iso_day
from papershelf.bib.escape import (
    EXACT_FIELDS,
    TexKind,
    ascii_tex,
    escape_name,
    escape_text,
    escape_title,
    exact_field,
    exact_value,
    unescape_text,
    verbatim_url,
)
from papershelf.bib.fields import LINK_FIELDS, OWN_FIELDS
from papershelf.bib.index import (
    INDEX_FIELDS,
    IndexedEntry,
    LibraryIndex,
    StaleIndexError,
    index_row,
    index_with_warnings,
    indexed_entry,
    inner_value,
    parse_entry,
)
from papershelf.bib.keys import STOPWORDS, make_key, transliterate
from papershelf.bib.tex import DEFAULT_PROFILE, TexProfile
from papershelf.dates import MONTH_MACROS, calendar_date
from papershelf.errors import Problem
from papershelf.identity import arxiv_key, find_arxiv_ids, normalise_title, parse_arxiv_id
from papershelf.model import DateOrigin, LinkKind, Paper, Source
from papershelf.parallel import Stage, map_parts, shares

__all__ = [
    "FIELD_ORDER",
    "MergeResult",
    "NotMerged",
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
    "eprintclass",
    "version",
    "options",
    "url",
    "doi",
    "note",
    "abstract",
    "organization",
    "keywords",
    "annote",
    *(exact_field(name) for name in EXACT_FIELDS),
    *OWN_FIELDS,
)
"""Every field papershelf writes, in the order it writes them."""

_TEX_KINDS: dict[str, TexKind] = {
    "author": "name",
    "key": "name",
    "title": "title",
    "howpublished": "text",
    "eprintclass": "text",
    "note": "text",
    "abstract": "text",
    "organization": "text",
    "keywords": "text",
    "annote": "text",
    "filledfrom": "text",
}
"""The TeX text fields papershelf writes (the others are verbatim or numbers), by kind; `key`
is a label BibTeX cuts like a name."""

_MACRO_FIELDS = frozenset({"month"})
_WORD_PUNCTUATION = ".,:;!?()[]{}\"'"
_FILLED_IF_ABSENT = (
    "author",
    "title",
    "url",
    "doi",
    "abstract",
    "organization",
)
_MISC_ONLY = frozenset({"howpublished", "organization"})
_HIDE_EPRINT = "eprint=false"
"""biblatex's entry option that keeps its styles from printing `eprint`: `howpublished` already
prints the arXiv id, which BibTeX's classic styles need, and biblatex would print it twice."""
_PRINTED_TEXT_FIELDS = ("howpublished", "note", "journal")
"""Text fields that BibTeX's and biblatex's styles print: an arXiv id in one is printed."""
ID_ONLY_NOTE = "Title not yet known: the digest named only the arXiv identifier"
"""The `note` of an entry made from an arXiv id alone, until a title arrives."""
_CORPORATE_WORDS = frozenset(
    {"team", "lab", "labs", "laboratory", "group", "inc", "corp", "corporation", "institute"}
    | {"university", "consortium", "project", "collaboration", "ai", "research"}
)
_ANNOTE_LINE = re.compile(r"Code: \S+")
_VALUE_COLUMN = len("howpublished") + len(" = ")


@dataclass(frozen=True, slots=True)
class NotMerged:
    """A paper kept apart from the entries of its title: merging would contradict them."""

    source: Source
    """Where the paper was read, e.g. `Source("daily.json", item=0)`."""
    keys: tuple[str, ...]
    """The entries of the same title it was not merged with, e.g. `("cheng2024x",)`."""
    reason: str
    """Why, e.g. `different arXiv ids (2410.17243, 2401.00001)`."""


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
    index: LibraryIndex
    """The index of `text`, equal to `index_library(text)`; keep it to skip that parse next time."""
    not_merged: tuple[NotMerged, ...] = ()
    """Papers added as new although an entry has their title, because the two would contradict."""
    warnings: tuple[Problem, ...] = ()
    """What the check of the existing text warned about (`papershelf.bib.check`), by line; none
    when a kept index spared the parse (the text was checked when it was written)."""


# ---------------------------------------------------------------------------------------------
# Paper -> fields


def _is_corporate(name: str) -> bool:
    words = name.split()
    if len(words) < 2 or "," in name or "and" in words:
        return True
    # Half the time of one regex search over the name, ASCII or not.
    return not _CORPORATE_WORDS.isdisjoint([word.strip(".,") for word in name.casefold().split()])


def _prints(tex: str, profile: TexProfile) -> bool:
    """Return whether a name or label shows a letter or digit in `profile`: in `ascii` a name
    of characters without a transliteration (unassigned ones) would be empty, which BibTeX
    reads as no name at all."""
    if profile == "ascii":
        return any(char.isascii() and char.isalnum() for char in ascii_tex(tex, "name")[0])
    return any(char.isalnum() for char in tex)


def _author_value(names: Sequence[str], profile: TexProfile) -> str:
    # A one-word or organisation name in braces stays one "last name" for BibTeX and Zotero.
    values: list[str] = []
    for name in names:
        tex = escape_name(name)
        if _prints(tex, profile):
            values.append(f"{{{tex}}}" if _is_corporate(name) else tex)
    return " and ".join(values)


def _links(paper: Paper) -> dict[LinkKind, list[str]]:
    """Return the paper's links by kind, each made verbatim-safe, in order, without repeats."""
    urls: dict[LinkKind, list[str]] = {}
    for link in paper.links:
        try:
            clean = verbatim_url(link.url)
        except ValueError:
            continue
        same_kind = urls.setdefault(link.kind, [])
        if clean not in same_kind:
            same_kind.append(clean)
    return urls


def _annote(code_urls: Iterable[str]) -> str:
    return "\n".join(f"Code: {escape_text(url)}" for url in code_urls)


def paper_to_fields(paper: Paper, tex: TexProfile = DEFAULT_PROFILE) -> dict[str, str]:
    """Return the fields of `paper`'s entry in `FIELD_ORDER`, as TeX values without delimiters.

    Values are ready to stand between `{` and `}`, except `month`, a macro written bare
    (`mar`). Fields without content are left out: no `author` without real names, no arXiv
    fields without an arXiv id. `tex` is the output profile (`papershelf.bib.tex`): in `ascii`
    every text field is ASCII, and a field of `EXACT_FIELDS` whose text was transliterated has
    its exact text in a companion (`utf8title`).
    """
    return _in_profile(_utf8_fields(paper, tex), tex)


def _in_profile(fields: dict[str, str], tex: TexProfile) -> dict[str, str]:
    """Return `utf8`-profile fields in profile `tex`, in `FIELD_ORDER`."""
    if tex == "utf8":
        return fields
    profiled: dict[str, str] = {}
    companions: dict[str, str] = {}
    for name, value in fields.items():
        kind = _TEX_KINDS.get(name)
        if kind is None:
            profiled[name] = value
            continue
        profiled[name], exact = ascii_tex(value, kind)
        if not exact and name in EXACT_FIELDS:
            companions[exact_field(name)] = value
    if not companions:
        return profiled
    profiled.update(companions)
    return {name: profiled[name] for name in FIELD_ORDER if name in profiled}


def _utf8_fields(paper: Paper, profile: TexProfile) -> dict[str, str]:
    """Return `paper_to_fields` in the `utf8` profile, with the names and label that show
    something in `profile`."""
    fields: dict[str, str] = {}
    author = _author_value(paper.authors, profile)
    if author:
        fields["author"] = author
    else:
        # BibTeX styles sort and label by `key` when there is no author: `Incorporating (2025)`
        # instead of the first letters of the citation key, and no "need author or key" warning.
        label_key = _label_key(paper, profile)
        if label_key:
            fields["key"] = label_key
    if paper.title:
        fields["title"] = escape_title(paper.title)
    fields["year"] = str(paper.date.year)
    fields["month"] = MONTH_MACROS[paper.date.month - 1]
    if paper.arxiv_id:
        arxiv_id = verbatim_url(paper.arxiv_id)
        fields["howpublished"] = escape_text(_howpublished(paper.arxiv_id, paper.primary_class))
        fields["eprint"] = arxiv_id
        fields["eprinttype"] = "arxiv"
        if paper.primary_class:
            fields["eprintclass"] = escape_text(paper.primary_class)
        if paper.arxiv_version is not None:
            fields["version"] = str(paper.arxiv_version)
        fields["options"] = _HIDE_EPRINT
        fields["url"] = f"https://arxiv.org/abs/{arxiv_id}"
    if paper.doi:
        with contextlib.suppress(ValueError):
            fields["doi"] = verbatim_url(paper.doi)
    if paper.journal_ref:
        fields["note"] = escape_text(f"Published in {paper.journal_ref}")
    elif not paper.title:
        fields["note"] = escape_text(ID_ONLY_NOTE)
    if paper.abstract.strip():
        fields["abstract"] = escape_text(paper.abstract)
    if paper.organization:
        fields["organization"] = escape_text(paper.organization)
    if paper.tags:
        fields["keywords"] = _keywords(paper.tags)
    links = _links(paper)
    code = links.get(LinkKind.CODE)
    if code:
        fields["annote"] = _annote(code)
    if paper.upvotes is not None:
        fields["upvotes"] = str(paper.upvotes)
    if paper.comments is not None:
        fields["numcomments"] = str(paper.comments)
    if paper.counts_date is not None and (paper.upvotes is not None or paper.comments is not None):
        fields["countsdate"] = paper.counts_date.isoformat()
    for name, kind in LINK_FIELDS.items():
        urls = links.get(kind)
        if urls:
            fields[name] = " ".join(urls)
    if paper.github_stars is not None:
        fields["githubstars"] = str(paper.github_stars)
    if not author and paper.author_count is not None:
        fields["authorcount"] = str(paper.author_count)
    fields["pubdate"] = paper.date.isoformat()
    fields["dateorigin"] = paper.date_origin.value
    if paper.metadata_source:
        fields["filledfrom"] = escape_text(paper.metadata_source)
    return fields


def _label_key(paper: Paper, profile: TexProfile) -> str:
    """Return the `key` BibTeX styles label an author-less entry by: `{HuMo}`, never `{The}`;
    `{arXiv:2410.17243}` for a paper known by its id alone (or whose words show nothing in
    `profile`)."""
    labels = [paper.organization or "", _first_title_word(paper.title)]
    if paper.arxiv_id:
        labels.append(f"arXiv:{paper.arxiv_id}")
    for label in labels:
        tex = escape_name(label)
        if label and _prints(tex, profile):
            return tex
    return ""


def _stand_in_keys(paper: Paper) -> tuple[str, ...]:
    """Return the `key` values papershelf writes for this paper while its authors are unknown,
    in either profile."""
    keys = [_label_key(paper, "utf8"), _label_key(paper, "ascii")]
    if paper.arxiv_id:
        keys.append(escape_name(f"arXiv:{paper.arxiv_id}"))
    return tuple(dict.fromkeys([*keys, *(ascii_tex(key, "name")[0] for key in keys)]))


def _howpublished(arxiv_id: str, primary_class: str | None) -> str:
    """Return the text classic styles print for a preprint: `arXiv preprint arXiv:ID [cs.CL]`."""
    text = f"arXiv preprint arXiv:{arxiv_id}"
    return f"{text} [{primary_class}]" if primary_class else text


def _keywords(tags: Sequence[str]) -> str:
    """Return the `keywords` value: each tag escaped, joined by `, `."""
    joined = ", ".join(tags)
    if "{" in joined or "}" in joined:
        return ", ".join(escape_text(tag) for tag in tags)
    # Without braces `escape_text` works character by character (`, ` is left as it is), so one
    # call over the joined tags gives what a call per tag gives, in a third of the time.
    return escape_text(joined)


def _first_title_word(title: str) -> str:
    """Return the title's first significant word without punctuation: `HuMo:` -> `HuMo`.

    Words such as `The` and `A` are skipped (`The Illusion of ...` gives `Illusion`), as for keys.
    """
    first = ""
    for word in title.split():
        stripped = word.strip(_WORD_PUNCTUATION)
        if stripped and transliterate(stripped) not in STOPWORDS:
            return stripped
        first = first or stripped
    return first


def _enclose(name: str, value: str) -> str:
    return value if name in _MACRO_FIELDS else f"{{{value}}}"


@functools.cache
def _format(value_column: int) -> BibtexFormat:
    bibtex_format = BibtexFormat()  # type: ignore[no-untyped-call]
    bibtex_format.indent = "  "
    bibtex_format.block_separator = "\n"
    bibtex_format.value_column = value_column
    return bibtex_format


def _write(
    entry: Entry,
    *,
    value_column: int | None = None,
    comments: Sequence[tuple[Field | None, str]] = (),
) -> str:
    """Return one entry as bibtexparser writes it, without the final newline.

    `=` is aligned at the longest field name, at least at `howpublished`'s. Each of `comments`
    (the field it stood before, None for the closing brace; its text from `%` on) is written on a
    line of its own before that field, or before the closing brace.
    """
    if value_column is None:
        longest = max((len(field.key) for field in entry.fields), default=0)
        value_column = max(_VALUE_COLUMN, longest + len(" = "))
    bibtex_format = _format(value_column)
    trailing: list[str] = []
    if comments:
        entry, trailing = _commented(entry, comments, bibtex_format.indent, value_column)
    text: str = write_string(Library([entry]), unparse_stack=[], bibtex_format=bibtex_format)
    text = text.rstrip("\n")
    if trailing:
        text = text[:-1] + "".join(f"{bibtex_format.indent}{line}\n" for line in trailing) + "}"
    return text


def _commented(
    entry: Entry, comments: Sequence[tuple[Field | None, str]], indent: str, value_column: int
) -> tuple[Entry, list[str]]:
    """Return a copy of `entry` whose field names carry the comment lines before them, and the
    comment lines that go before the closing brace (also those of fields no longer there).

    The writer pads a name to the value column by its length; a name carrying lines is padded
    here instead, and is then too long for the writer to pad again.
    """
    before: dict[int, list[str]] = {}
    for anchor, comment in comments:
        before.setdefault(id(anchor), []).append(comment)
    fields: list[Field] = []
    for field in entry.fields:
        lines = before.pop(id(field), None)
        if not lines:
            fields.append(field)
            continue
        padding = " " * max(0, value_column - len(field.key) - len(" = "))
        prefix = "".join(f"{line}\n{indent}" for line in lines)
        fields.append(Field(prefix + field.key + padding, field.value))
    trailing = [line for lines in before.values() for line in lines]
    return Entry(entry.entry_type, entry.key, fields), trailing


def _new_entry(key: str, fields: dict[str, str]) -> Entry:
    return Entry(
        "misc", key, [Field(name, _enclose(name, value)) for name, value in fields.items()]
    )


def _render_new(
    papers: Sequence[tuple[str, Paper, TexProfile]],
) -> list[tuple[str, IndexedEntry]]:
    """Return the text of each new entry and its index row (offsets relative to that text)."""
    rendered: list[tuple[str, IndexedEntry]] = []
    for key, paper, tex in papers:
        fields = paper_to_fields(paper, tex)
        # Every name papershelf writes fits the column `howpublished` sets.
        text = _write(_new_entry(key, fields), value_column=_VALUE_COLUMN)
        rendered.append((text, index_row(0, len(text), key, fields, arxiv_ids=_arxiv_ids(paper))))
    return rendered


def _arxiv_ids(paper: Paper) -> tuple[str, ...] | None:
    """Return what `find_arxiv_ids` finds in `paper_to_fields(paper)`, or None to let it look.

    Of the fields it reads, a new entry has only `eprint`, `url` and `howpublished`, and all
    three name `paper.arxiv_id`. For an id in arXiv's preferred form without version (what the
    digest readers give) the answer is that id, found with one match; the scan was four fifths
    of the cost of a new entry's index row.
    """
    if not paper.arxiv_id:
        return None if paper.doi or paper.journal_ref else ()
    if paper.doi or paper.journal_ref:
        return None  # `doi` and `note` may name other ids: let the scan look
    parsed = parse_arxiv_id(paper.arxiv_id)
    return (parsed.id,) if parsed is not None and str(parsed) == paper.arxiv_id else None


# ---------------------------------------------------------------------------------------------
# Merging


class _Record:
    """An entry of the library during one run: its fields by lower-case name."""

    __slots__ = ("comments", "entry", "fields", "touched")

    def __init__(
        self, entry: Entry, *, touched: bool = False, comments: Sequence[tuple[int, str]] = ()
    ) -> None:
        self.entry = entry
        self.fields: dict[str, Field] = {field.key.casefold(): field for field in entry.fields}
        self.touched = touched
        fields = entry.fields
        self.comments = [
            (fields[index] if index < len(fields) else None, text) for index, text in comments
        ]
        """The `%` lines of the entry as written: the field each stood before (None for the
        closing brace) and its text from `%` on."""

    def value(self, name: str) -> str | None:
        field = self.fields.get(name)
        return None if field is None else inner_value(field.value)

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

    def plain(self, names: Iterable[str] = INDEX_FIELDS) -> dict[str, str]:
        """Return the values (without delimiters) of the named fields the entry has."""
        fields = self.fields
        return {name: inner_value(fields[name].value) for name in names if name in fields}


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


def _fill_absent(record: _Record, ours: dict[str, str]) -> None:
    """Fill the fields of `_FILLED_IF_ABSENT` the entry lacks, each with its companion."""
    for name in _FILLED_IF_ABSENT:
        # `howpublished` and `organization` belong to @misc; on an @article biber would warn.
        if name in _MISC_ONLY and record.entry.entry_type.casefold() != "misc":
            continue
        if name in ours and not record.has(name):
            record.set(name, ours[name])
            if name not in EXACT_FIELDS:
                continue
            companion = exact_field(name)
            if companion in ours:
                record.set(companion, ours[companion])
            else:
                record.drop(companion)  # the exact text of a value no longer there


def _update(record: _Record, paper: Paper, ours: dict[str, str]) -> None:
    """Refresh the papershelf-owned fields of a known entry; a person's fields stay."""
    _fill_absent(record, ours)
    # A biblatex `date` already carries year and month; both would make biber warn.
    if not record.has("date"):
        for name in ("year", "month"):
            if not record.has(name):
                record.set(name, ours[name])
    if "eprint" in ours:
        _update_arxiv(record, paper, ours)
    _update_note(record, ours)
    if "keywords" in ours:
        _merge_keywords(record, ours["keywords"])
    for name in LINK_FIELDS:
        if name in ours:
            record.set(name, " ".join(_union(record.value(name), ours[name].split(" "), r"\s+")))
    code = record.value("code")
    annote = record.value("annote")
    if code and (annote is None or _annote_is_ours(annote)):
        record.set("annote", _annote(code.split()))
    # Counts read on an earlier day than the ones recorded would turn the clock back.
    counts_date = record.value("countsdate")
    if counts_date is not None and iso_day(counts_date) is None:
        counts_date = None  # no date (the check warned): as if the counts had none
    ours_date = ours.get("countsdate", "")
    if paper.counts_date is None or counts_date is None or counts_date <= ours_date:
        for name in ("upvotes", "numcomments", "countsdate"):
            if name in ours:
                record.set(name, ours[name])
    if "githubstars" in ours:
        record.set("githubstars", ours["githubstars"])
    _raise_version(record, ours)
    key = (record.value("key") or "").strip()
    if paper.arxiv_id and key == escape_name(f"arXiv:{paper.arxiv_id}") and "key" in ours:
        record.set("key", ours["key"])  # the id stood in for a title or organisation, now known
    if "key" in ours and not record.has("author") and not record.has("key"):
        record.set("key", ours["key"])
    if record.has("author"):
        record.drop("authorcount")
        # The label stood in for the authors; once they are known it would mislabel the entry.
        if record.value("key") in _stand_in_keys(paper):
            record.drop("key")
    elif "authorcount" in ours:
        record.set("authorcount", ours["authorcount"])
    _take_looked_up_date(record, ours)
    if "filledfrom" in ours and not record.has("filledfrom"):
        record.set("filledfrom", ours["filledfrom"])
    if not record.has("pubdate"):
        record.set("pubdate", ours["pubdate"])
        record.set("dateorigin", ours["dateorigin"])


def _fill(record: _Record, paper: Paper, ours: dict[str, str]) -> None:
    """Fill only the fields a known entry lacks from a looked-up paper; change nothing else."""
    _fill_absent(record, ours)
    if "eprint" in ours:
        _update_arxiv(record, paper, ours)
    for name in (*LINK_FIELDS, "githubstars"):
        if name in ours and not record.has(name):
            record.set(name, ours[name])
    if record.has("author"):
        record.drop("authorcount")
        if record.value("key") in _stand_in_keys(paper):
            record.drop("key")
    _take_looked_up_date(record, ours)
    if record.touched and "filledfrom" in ours and not record.has("filledfrom"):
        record.set("filledfrom", ours["filledfrom"])


def _take_looked_up_date(record: _Record, ours: dict[str, str]) -> None:
    """Replace a digest-day stand-in date by the first submission date a source gave.

    Only while the entry's date is still papershelf's stand-in: `dateorigin = {digest-date}` and
    `year`/`month` as papershelf wrote them from that `pubdate`.
    """
    if ours.get("dateorigin") != DateOrigin.SOURCE.value:
        return
    if record.value("dateorigin") != DateOrigin.DIGEST.value:
        return
    try:
        stand_in = calendar_date(record.value("pubdate") or "")
    except ValueError:
        return
    if record.value("year") != str(stand_in.year):
        return
    if record.value("month") not in (None, MONTH_MACROS[stand_in.month - 1]):
        return
    for name in ("year", "month", "pubdate", "dateorigin"):
        record.set(name, ours[name])


def _update_arxiv(record: _Record, paper: Paper, ours: dict[str, str]) -> None:
    """Fill in the arXiv fields so that every style prints the arXiv id once.

    Classic styles print it from `howpublished` only; biblatex prints `howpublished` and `eprint`,
    so an entry with both also gets `options = {eprint=false}`. An entry that already prints the
    id (in `howpublished`, `note` or `journal`, as Zotero's `note = {arXiv:ID [cs]}` does) gets no
    second mention, and one whose owner chose `eprint` alone gets no `howpublished`.
    """
    assert paper.arxiv_id is not None, "ours has arXiv fields only for a paper with an id"
    misc = record.entry.entry_type.casefold() == "misc"
    howpublished = (record.value("howpublished") or "").strip()
    earlier = (escape_text(_howpublished(paper.arxiv_id, None)), ours["howpublished"])
    if misc and howpublished in earlier and record.has("eprint"):
        # papershelf's own block, perhaps as an earlier version wrote it: bring it up to date.
        record.set("howpublished", ours["howpublished"])
        if not record.has("options"):
            record.set("options", ours["options"])
        _fill_eprint_class(record, ours)
        return
    printed = {name: record.value(name) or "" for name in _PRINTED_TEXT_FIELDS}
    if find_arxiv_ids(printed):
        return
    # `archiveprefix` is biber's alias of `eprinttype`: never write both.
    if any(record.has(name) for name in ("eprint", "eprinttype", "archiveprefix")):
        _fill_eprint_class(record, ours)
        return
    if misc and not record.has("howpublished"):
        record.set("howpublished", ours["howpublished"])
        if record.has("options"):
            return  # the owner's options stay as they are; howpublished alone prints the id
        record.set("options", ours["options"])
    record.set("eprint", ours["eprint"])
    record.set("eprinttype", ours["eprinttype"])
    _fill_eprint_class(record, ours)


def _fill_eprint_class(record: _Record, ours: dict[str, str]) -> None:
    """Fill in `eprintclass`, unless the entry has it or its alias `primaryclass`."""
    if "eprintclass" in ours and not any(
        record.has(name) for name in ("eprintclass", "primaryclass")
    ):
        record.set("eprintclass", ours["eprintclass"])


def _update_note(record: _Record, ours: dict[str, str]) -> None:
    """Fill in `note` (a journal reference); replace papershelf's "title not yet known" once a
    title is there, and never put it into an entry that has one."""
    placeholder = escape_text(ID_ONLY_NOTE)
    note = ours.get("note")
    if record.has("title") and note == placeholder:
        note = None
    if (record.value("note") or "").strip() == placeholder and record.has("title"):
        if note is None:
            record.drop("note")
        else:
            record.set("note", note)
    elif note is not None and not record.has("note"):
        record.set("note", note)


def _raise_version(record: _Record, ours: dict[str, str]) -> None:
    """Set `version` to ours when the entry has none or a lower number; a text stays."""
    if "version" not in ours:
        return
    current = (record.value("version") or "").strip()
    if not current or (current.isdigit() and int(current) < int(ours["version"])):
        record.set("version", ours["version"])


class _Slot:
    """An entry of the merged library: one of the text (parsed when a paper matches it) or new."""

    __slots__ = ("arxiv_ids", "indexed", "key", "paper", "record")

    def __init__(
        self,
        key: str,
        arxiv_ids: tuple[str, ...],
        *,
        indexed: IndexedEntry | None = None,
        paper: Paper | None = None,
    ) -> None:
        self.key = key
        self.arxiv_ids = arxiv_ids
        self.indexed = indexed
        """Where the entry lies in the existing text; None for a new entry."""
        self.paper = paper
        """The paper a new entry is rendered from."""
        self.record: _Record | None = None
        """The entry's fields, once a paper of this run matched it."""

    def ids(self) -> tuple[str, ...] | set[str]:
        return self.arxiv_ids if self.record is None else find_arxiv_ids(self.record.plain())


def merge_into_library(
    existing: str,
    papers: Sequence[Paper],
    *,
    source: str,
    index: LibraryIndex | None = None,
    fill_only: bool = False,
    tex: TexProfile = DEFAULT_PROFILE,
) -> MergeResult:
    """Merge `papers` into the library text `existing` and return the new text.

    Known papers (same arXiv id, else same normalised title and no different arXiv id) keep
    their key and every field a person added; papershelf's fields are refreshed per the policy
    of `docs/architecture.md`. A paper whose title an entry has, but which would contradict it,
    is added as new and listed in `MergeResult.not_merged`.
    New papers are appended in input order; a paper given twice yields one entry. Only the
    entries a paper matches are parsed again; new entries are rendered on every core.

    Args:
        existing: The current `.bib` text; empty for a new library.
        papers: Papers of this run.
        source: The library's path as the user gave it, for error messages.
        index: `existing`'s index when the caller kept it (`load_index`); made here when None.
        fill_only: Only fill fields an entry lacks and add no entry (`papershelf enrich` of a
            library that may be a person's or a foreign one): no counts, tags or dates of ours.
        tex: The output profile of the fields written (`papershelf.bib.tex`): `ascii` compiles
            with every TeX engine, `utf8` keeps every character as it is (for biber).

    Raises:
        LibraryError: `existing` has blocks bibtexparser cannot read or duplicate keys; every
            such block is listed with its 1-based line.
    """
    if index is not None:
        try:
            return _merge(existing, papers, index, fill_only, tex)
        except StaleIndexError:
            pass  # a kept index that does not fit its text after all: read the text afresh
    fresh, warnings = index_with_warnings(existing, source=source)
    return dataclasses.replace(_merge(existing, papers, fresh, fill_only, tex), warnings=warnings)


def _merge(
    existing: str, papers: Sequence[Paper], index: LibraryIndex, fill_only: bool, tex: TexProfile
) -> MergeResult:
    normalise = normalise_title
    known = [_Slot(row.key, row.arxiv_ids, indexed=row) for row in index.entries]
    taken = {row.key.casefold() for row in index.entries}
    by_id: dict[str, _Slot] = {}
    by_title: dict[str, list[_Slot]] = {}

    def remember(slot: _Slot, ids: Iterable[str], title: str) -> None:
        for arxiv_id in ids:
            by_id.setdefault(arxiv_id, slot)
        if title:
            slots = by_title.setdefault(title, [])
            if not any(other is slot for other in slots):
                slots.append(slot)

    for slot, row in zip(known, index.entries, strict=True):
        remember(slot, row.arxiv_ids, row.title)

    def record_of(slot: _Slot) -> _Record:
        if slot.record is None:
            if slot.indexed is not None:
                span = existing[slot.indexed.start : slot.indexed.end]
                comments = [
                    (comment.before_field, span[comment.start : comment.end])
                    for comment in field_comments(span)
                ]
                slot.record = _Record(parse_entry(existing, slot.indexed), comments=comments)
            else:
                assert slot.paper is not None, "a slot is either in the text or new"
                slot.record = _Record(
                    _new_entry(slot.key, paper_to_fields(slot.paper, tex)), touched=True
                )
        return slot.record

    added: dict[str, None] = {}
    updated: dict[str, None] = {}
    unchanged: dict[str, None] = {}
    not_merged: list[NotMerged] = []
    new: list[_Slot] = []
    suffixes: dict[str, int] = {}
    # A paper's title is compared as the library will hold it once written, read back the way
    # the index reads every entry's title: the same function of the same text on both sides.
    titles = [normalise(unescape_text(escape_title(paper.title))) for paper in papers]
    paper_ids = [arxiv_key(paper.arxiv_id) if paper.arxiv_id else None for paper in papers]
    ids_of_title: dict[str, set[str]] = {}
    for title, paper_id in zip(titles, paper_ids, strict=True):
        if paper_id is not None:
            ids_of_title.setdefault(title, set()).add(paper_id)
    for paper, title, paper_id in zip(papers, titles, paper_ids, strict=True):
        found = by_id.get(paper_id) if paper_id else None
        if found is None and title in by_title:
            candidates = by_title[title]
            rivals = ids_of_title.get(title, set()) - {paper_id}
            found, reason = _by_title(candidates, paper_id, rivals)
            if reason is not None:
                keys = tuple(slot.key for slot in candidates)
                not_merged.append(NotMerged(paper.source, keys, reason))
        if found is None and fill_only:
            continue
        if found is None:
            key = make_key(paper, taken, suffixes=suffixes)
            taken.add(key)
            ids = (paper_id,) if paper_id else ()
            slot = _Slot(key, ids, paper=paper)
            new.append(slot)
            remember(slot, ids, title)
            added[key] = None
            continue
        record = record_of(found)
        was_touched = record.touched
        record.touched = False
        if fill_only:
            _fill(record, paper, paper_to_fields(paper, tex))
        else:
            _update(record, paper, paper_to_fields(paper, tex))
        key = record.entry.key
        if record.touched and key not in added:
            updated[key] = None
        elif key not in added and key not in updated:
            unchanged[key] = None
        record.touched = record.touched or was_touched
        if record.touched:
            plain = record.plain()
            title = normalise(unescape_text(exact_value(plain, "title")))
            remember(found, find_arxiv_ids(plain), title)

    text, rows = _assemble(existing, known, new, tex)
    return MergeResult(
        text=text,
        added=tuple(added),
        updated=tuple(updated),
        unchanged=tuple(key for key in unchanged if key not in updated),
        index=LibraryIndex(tuple(rows)),
        not_merged=tuple(not_merged),
    )


def _by_title(
    candidates: Sequence[_Slot], paper_id: str | None, rivals: set[str]
) -> tuple[_Slot | None, str | None]:
    """Return the entry of a paper's title it is, or None and why it is none of them.

    A paper with an arXiv id is an entry of its title only when none of them names an id (none
    names its own, or `by_id` would have found it) and no other paper of the run with its title
    names another id (`rivals`): an entry without an id whose title two ids share could be
    either paper. A paper without an id is the first entry of its title without one, else the
    entries when they all share an id (one paper twice in a library). Different arXiv ids are
    never one paper.
    """
    named = [set(slot.ids()) for slot in candidates]
    theirs = ", ".join(sorted(set().union(*named) | rivals))
    if paper_id is not None:
        if theirs:
            return None, f"different arXiv ids ({paper_id}, {theirs})"
        return candidates[0], None
    for slot, ids in zip(candidates, named, strict=True):
        if not ids:
            return slot, None
    if set.intersection(*named):
        return candidates[0], None
    return None, f"those entries name different arXiv ids ({theirs})"


def _assemble(
    existing: str, known: Sequence[_Slot], new: Sequence[_Slot], tex: TexProfile
) -> tuple[str, list[IndexedEntry]]:
    """Return the merged text and its index; text no entry of this run changed is copied."""
    pieces: list[str] = []
    rows: list[IndexedEntry] = []
    length = 0

    def add(piece: str, row: IndexedEntry | None = None, *, at: int = 0) -> None:
        """Append a piece of text and, with `row`, the entry in it; `row` puts the piece at `at`."""
        nonlocal length
        if row is not None:
            rows.append(row.moved(length - at))
        pieces.append(piece)
        length += len(piece)

    cursor = 0
    for slot in known:
        assert slot.indexed is not None
        start, end = slot.indexed.start, slot.indexed.end
        if slot.record is not None and slot.record.touched:
            add(existing[cursor:start])
            written = _write(slot.record.entry, comments=slot.record.comments)
            add(written, indexed_entry(0, len(written), slot.key, slot.record.entry.fields))
        else:
            # The entry and the text before it, as they are; the row keeps its offset within.
            add(existing[cursor:end], slot.indexed, at=cursor)
        cursor = end
    add(existing[cursor:])
    if not new:
        return "".join(pieces), rows
    text = "".join(pieces)
    pieces, length = [], 0
    if not text.strip():
        text = ""
    elif not text.endswith("\n\n"):
        text += "\n" if text.endswith("\n") else "\n\n"
    add(text)
    for written, row in _rendered(new, tex):
        add(written, row)
        add("\n\n")
    pieces[-1] = "\n"
    return "".join(pieces), rows


def _rendered(new: Sequence[_Slot], tex: TexProfile) -> Iterator[tuple[str, IndexedEntry]]:
    """Yield the text and index row of each new entry, in order; most are rendered in parallel."""
    pending = [(slot.key, slot.paper, tex) for slot in new if slot.record is None and slot.paper]
    chunks = map_parts(_render_new, shares(pending, stage=Stage.NEW_ENTRIES))
    fresh = iter([item for chunk in chunks for item in chunk])
    for slot in new:
        if slot.record is None:
            yield next(fresh)
        else:
            written = _write(slot.record.entry)
            yield written, indexed_entry(0, len(written), slot.key, slot.record.entry.fields)
