"""The records that flow through every stage: `Paper` (what a digest says, from the readers to the
library), `BibEntry` (what a library entry says, from the `.bib` reader to the site) and
`GeneratedFile` (one file of the site, from `build_site` to the plugin or the docs folder), with
the `SiteOptions` that shape the site."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from papershelf.errors import Problem


class LinkKind(str, enum.Enum):
    """What a link points at; decides which button and which BibTeX field carry it."""

    CODE = "code"
    PROJECT = "project"
    HF_MODEL = "hf-model"
    HF_DATASET = "hf-dataset"
    HF_SPACE = "hf-space"
    OTHER = "other"


class DateOrigin(str, enum.Enum):
    """How a paper's date was obtained."""

    GIVEN = "given"
    """The digest gave the full date, e.g. `Feb 5, 2023`."""
    YEAR_INFERRED = "year-inferred"
    """The digest gave `Mar 6`; the year is the digest's year."""
    DIGEST = "digest-date"
    """The digest gave no date for the entry; the digest's own date stands in."""
    SOURCE = "looked-up"
    """The digest gave no date; a metadata source gave the first submission date."""
    ARXIV_ID = "arxiv-id"
    """The digest gave no publication date; the year and month of the first version come from the
    arXiv id (`2410.17243`: October 2024; `hep-th/9901001`: January 1999), the day is the 1st."""


class AnnounceType(str, enum.Enum):
    """How arXiv announced the version a digest lists (its listings' `announce_type`)."""

    NEW = "new"
    """A paper released for the first time."""
    CROSS = "cross"
    """A paper listed in a category that is not its primary one (a cross-list)."""
    REPLACE = "replace"
    """A new version of a paper released earlier."""
    REPLACE_CROSS = "replace-cross"
    """A new version of a paper cross-listed in the digest's category."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from, for error messages and provenance."""

    file: str
    """The digest's path as the user gave it, e.g. `bib/digests/2025-10-30-hf-papers.txt`."""
    line: int | None = None
    """1-based line of the entry's first line in a text digest, e.g. `13`."""
    item: int | None = None
    """0-based index of the item in a JSON digest, e.g. `4`."""

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        if self.item is not None:
            return f"{self.file}:item {self.item}"
        return self.file


@dataclass(frozen=True, slots=True)
class Link:
    """A classified http(s) link found in a digest."""

    url: str
    """An absolute http(s) URL without trailing punctuation, e.g. `https://github.com/a/b`."""
    kind: LinkKind
    """What it points at, e.g. `LinkKind.CODE`."""


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as a digest describes it: plain Unicode, whitespace normalised, unescaped.

    How two records of one paper combine is declared per field in
    `papershelf.combine.COMBINE_POLICY`; a new field needs its entry there.
    """

    title: str
    """e.g. `in2IN: Leveraging individual Information to Generate Human INteractions`; empty only
    for a paper a digest names by its arXiv id alone (a plain list of ids)."""
    abstract: str
    """The abstract as given, e.g. `Offline optimization has recently ...`; may be empty."""
    source: Source
    """Where the entry starts, e.g. `Source("bib/digests/2025-10-30-hf-papers.txt", line=13)`."""
    date: dt.date
    """Publication date on the digest, e.g. `2025-03-06`."""
    date_origin: DateOrigin = DateOrigin.GIVEN
    """Whether the year (or the whole date) was inferred from the digest date."""
    authors: tuple[str, ...] = ()
    """Author names in order, e.g. `("Zesen Cheng", "Hang Zhang")`; empty when none are given."""
    author_count: int | None = None
    """Number of authors when names are unknown, e.g. `4` from `4 authors`."""
    organization: str | None = None
    """Organisation named instead of authors, e.g. `OCC`."""
    arxiv_id: str | None = None
    """arXiv identifier without version in arXiv's preferred form (`identity.parse_arxiv_id`),
    e.g. `2410.17243` or `hep-th/9901001`."""
    upvotes: int | None = None
    """Hugging Face upvotes as of `counts_date`, e.g. `64`."""
    comments: int | None = None
    """Hugging Face comment count as of `counts_date`, e.g. `3`."""
    counts_date: dt.date | None = None
    """The day the counts were read (the digest date), e.g. `2025-10-30`."""
    github_stars: int | None = None
    """Stars of the code repository as reported by the digest, e.g. `120`."""
    links: tuple[Link, ...] = ()
    """Links from the abstract and from structured fields, in order of appearance, no duplicates."""
    keywords: tuple[str, ...] = ()
    """Keywords the digest supplies (HF `ai_keywords`), e.g. `("contrastive loss",)`."""
    metadata_source: str | None = None
    """Where looked-up fields came from and when, e.g. `arxiv 2026-12-01, hf 2026-12-01`."""
    arxiv_version: int | None = None
    """Version of the arXiv record the digest describes, e.g. `2` for `2410.17243v2`."""
    categories: tuple[str, ...] = ()
    """arXiv categories, the primary class first, e.g. `("cs.CL", "cs.AI")`."""
    arxiv_comment: str | None = None
    """The authors' comment on arXiv, e.g. `15 pages, 14 figures; accepted at ICLR 2025`."""
    journal_ref: str | None = None
    """Where the paper was published, as arXiv's journal reference gives it, e.g.
    `Journal of Environmental Management, Volume 370, 2024`."""
    doi: str | None = None
    """The DOI of the published version, e.g. `10.1016/j.jenvman.2024.122526`."""
    announced: dt.date | None = None
    """The day arXiv announced the version the digest lists, e.g. `2024-11-21`."""
    announce_type: AnnounceType | None = None
    """How arXiv announced it, e.g. `AnnounceType.REPLACE` for a new version."""
    tags: tuple[str, ...] = field(default=())
    """Tag ids from the taxonomy, sorted, e.g. `("diffusion", "video-generation")`."""

    @property
    def primary_class(self) -> str | None:
        """Return the primary arXiv category, e.g. `cs.CL`; None when no category is known."""
        return self.categories[0] if self.categories else None

    def links_of(self, kind: LinkKind) -> tuple[str, ...]:
        """Return the URLs of the links of one kind, in order."""
        return tuple(link.url for link in self.links if link.kind is kind)

    def tagged(self, tags: tuple[str, ...]) -> Paper:
        """Return the same paper with these tags: `dataclasses.replace(paper, tags=tags)`.

        A third faster, which counts when 10,000 papers are tagged: the other fields are passed
        by position, in the order the dataclass declares them, tags last.
        """
        return Paper(*(*_UNTAGGED(self), tags))


_UNTAGGED: Callable[[Paper], Any] = operator.attrgetter(
    *(name.name for name in dataclasses.fields(Paper) if name.name != "tags")
)
"""Every field of a `Paper` but its tags, in declaration order."""


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One entry of a `.bib` file as the pages show it. Text is plain Unicode, TeX decoded."""

    key: str
    """Citation key, e.g. `cheng2024breaking`."""
    entry_type: str
    """Lower-case entry type, e.g. `misc`, `article`."""
    title: str
    """e.g. `LLaMA: Open and Efficient Foundation Models`; empty when the entry has none."""
    authors: tuple[str, ...]
    """Display names, e.g. `("Hugo Touvron", "DeepSeek-AI")`; empty when the entry names none."""
    author_count: int | None
    """The `authorcount` field, else the number of names, else None, e.g. `4`."""
    organization: str | None
    """e.g. `OCC`."""
    date: dt.date | None
    """`pubdate`, else the biblatex `date`, else year/month/day (missing parts: the first); None
    without a year, e.g. `2025-03-06`."""
    year: int | None
    """e.g. `2025`."""
    month: int | None
    """1..12 from `month` (macro, number or name) or the date, e.g. `3`."""
    abstract: str
    """Plain text; paragraphs separated by a blank line; empty when there is none."""
    tags: tuple[str, ...]
    """Keywords split on `,` or `;`, stripped, order kept, de-duplicated, e.g. `("diffusion",)`."""
    arxiv_id: str | None
    """The first arXiv id the entry names (`identity.find_arxiv_ids`: `eprint`, `url`, the
    `10.48550/arXiv.` DOI, `arXiv:ID` in `howpublished`, ...), e.g. `2410.17243`."""
    url: str | None
    """The `url` field when it is an http(s) URL, e.g. `https://arxiv.org/abs/2410.17243`."""
    doi: str | None
    """e.g. `10.48550/arXiv.2302.13971`."""
    links: tuple[Link, ...]
    """Links from `code`, `projectpage`, `hfmodel`, `hfdataset`, `hfspace`, `otherlinks`, then a
    code-host or Hugging Face `url`; only http(s) URLs, no duplicates."""
    upvotes: int | None
    """Hugging Face upvotes as of `counts_date`, e.g. `64`."""
    comments: int | None
    """Hugging Face comment count as of `counts_date`, e.g. `3`."""
    counts_date: dt.date | None
    """The day the counts were read (`countsdate`), e.g. `2025-10-30`."""
    bibtex: str
    """The entry's text as it stands in the file, preceded by the `@string` definitions it uses."""
    source: Source
    """File and 1-based line of the entry's `@`, e.g. `bib/papers.bib:12`."""
    day: int | None = None
    """Day of the month when the library gives one (`pubdate`, biblatex `date`, `day`), e.g. `6`."""
    github_stars: int | None = None
    """`githubstars`, e.g. `120`."""
    date_origin: DateOrigin | None = None
    """How papershelf dated the paper (`dateorigin`), e.g. `DateOrigin.DIGEST`; None for entries
    papershelf did not date."""
    journal: str | None = None
    """`journal` (biblatex: `journaltitle`), e.g. `Journal of Machine Learning Research`."""
    booktitle: str | None = None
    """`booktitle`: the proceedings or book the entry is part of, e.g. `Proceedings of ICML`."""
    volume: str | None = None
    """e.g. `25`."""
    number: str | None = None
    """The issue (`number`, biblatex also `issue`), e.g. `3`."""
    pages: str | None = None
    """Plain text, a range joined by an en dash (U+2013), e.g. `45\u201367` from `45--67`."""
    publisher: str | None = None
    """e.g. `Springer`."""
    institution: str | None = None
    """The school of a thesis or the institution of a report (`school`, `institution`), e.g.
    `Stanford University`."""
    isbn: str | None = None
    """e.g. `978-3-16-148410-0`."""
    field_names: frozenset[str] = frozenset()
    """The names of the entry's fields in lower case, e.g. `frozenset({"title", "file"})`: what
    publishing needs to know to leave an entry whose fields it keeps untouched."""

    def links_of(self, kind: LinkKind) -> tuple[str, ...]:
        """Return the URLs of the links of one kind, in order."""
        return tuple(link.url for link in self.links if link.kind is kind)


class FileKind(enum.Enum):
    """What a generated file is, which decides how a writer treats a copy already on disk."""

    PAPER_PAGE = "paper page"
    """One paper's page, e.g. `papers/cheng2024breaking.md`; its notes section is the reader's."""
    LISTING = "listing"
    """The home page, a tag, code or timeline page, e.g. `tags/diffusion.md`."""
    DOWNLOAD = "download"
    """A `.bib` file, e.g. `bib/cheng2024breaking.bib` or the whole library `bib/papers.bib`."""
    ASSET = "asset"
    """A file the pages load, e.g. papershelf's stylesheet `assets/papershelf/papershelf.css`."""
    FEED = "feed"
    """An Atom feed, e.g. `feed.xml` (the newest papers) or `tags/diffusion/feed.xml`."""


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """One file of the site, as papershelf generates it."""

    path: str
    """Docs-relative path with `/`, e.g. `papers/cheng2024breaking.md` or `bib/papers.bib`."""
    content: str
    """The whole text: Markdown with front matter for pages, BibTeX for downloads."""
    kind: FileKind
    """Paper page, listing or download."""
    title: str
    """Plain-text title, e.g. `Breaking the Memory Barrier`, `Tags` or `papers.bib`."""
    in_nav: bool
    """Whether a navigation may list it: only the overviews (home, tags, code, timeline) may;
    paper pages never do (Material renders the whole navigation into every page)."""
    notices: tuple[Problem, ...] = ()
    """What papershelf did to keep a person's text in a paper page rewritten over a current one,
    e.g. `papers/x.md:40: text outside the notes markers was moved into the notes ...`."""


@dataclass(frozen=True, slots=True)
class SiteOptions:
    """How the site is shaped; the plugin's options and `papershelf site`'s flags."""

    per_page: int = 50
    """Papers per listing page before a listing continues on `page-2`, e.g. `50`."""
    latest: int = 20
    """Papers the home page lists, e.g. `20`."""
    home: bool = True
    """Whether to generate the home page (`index.md`)."""
    library_download: bool = True
    """Whether to publish the whole library as `bib/papers.bib`. The one-entry files
    `bib/<key>.bib` are published regardless: every paper page links its own."""
    publish_exclude_fields: frozenset[str] | None = None
    """BibTeX fields no page or download shows, in lower case, e.g. `frozenset({"file"})`;
    None: the private fields of reference managers (`bib.fields.PRIVATE_FIELDS`)."""
    feeds: bool = True
    """Whether to publish Atom feeds (`feed.xml`, `tags/<tag>/feed.xml`); they need `site_url`."""
    site_url: str | None = None
    """Where the site is published, e.g. `https://me.example.org/shelf/`: feed ids and links are
    absolute URLs. None: no feed is written (a relative link is no valid Atom id)."""
    site_name: str = "Papers"
    """The site's name, e.g. `My reading list`: feed titles and the feeds' author (its curator)."""
    directory_urls: bool = True
    """MkDocs' `use_directory_urls`: `papers/x/` (True) or `papers/x.html`, for feed links."""


TexProfile = Literal["ascii", "utf8"]
"""A TeX output profile (`papershelf.bib.tex`): `ascii` (every engine compiles it) or `utf8`."""
TEX_PROFILES: tuple[TexProfile, ...] = ("ascii", "utf8")
DEFAULT_TEX_PROFILE: TexProfile = "ascii"

LOCK_TIMEOUT_SECONDS = 120.0
"""How long a run waits for another papershelf run that holds a library's lock (`--wait`)."""
