"""Fill in what a digest left out (authors, arXiv id, date, code links) from the sources.

Only absent fields are filled, only from a record nothing contradicts (`match.choose`), and every
filled paper says where its data came from (`Paper.metadata_source`, e.g. `arxiv 2026-12-01`).
A paper with a title only is first looked for in Hugging Face's listing of the day its digest was
read (the HF page is that listing), then in arXiv's title search (40 titles a request), then by
HF's title search (one request each, for what is left: papers arXiv retitled); once its arXiv id
is known, arXiv's record (batched, 1,000 ids a request) gives the authors, and must agree with
Hugging Face's where both answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from papershelf.enrich.lookup import Lookup
from papershelf.enrich.match import (
    Candidate,
    Verdict,
    choose,
    choose_version,
    contradiction,
    earlier_versions,
)
from papershelf.enrich.sources import ARXIV_TITLE_BATCH
from papershelf.links import merge_links
from papershelf.model import DateOrigin, Link, LinkKind, Paper

OFFLINE_MISS = "offline and not in the cache"
"""The reason of a paper that was not looked up because the run was offline."""

Progress = Callable[[Iterable[Paper], int, str], Iterable[Paper]]


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A paper left as it was, and why."""

    paper: Paper
    """The paper as the digest gave it."""
    reason: str
    """e.g. `the digest shows 3 authors, arxiv lists 19`."""


@dataclass(frozen=True, slots=True)
class EnrichResult:
    """The papers of a run after enrichment, and what happened to each looked-up paper."""

    papers: list[Paper]
    """Every paper, in the order given, filled where a source could say."""
    filled: int
    """How many papers gained data, e.g. `42`."""
    unmatched: list[Unmatched]
    """The papers a lookup did not fill, with the reason."""
    warnings: list[str]
    """Sources down, garbled answers; the papers concerned stay as they were."""


def needs_lookup(paper: Paper) -> bool:
    """Return whether a paper lacks what the sources can give: authors or an arXiv id."""
    return not paper.authors or not paper.arxiv_id


def enrich_papers(
    papers: Sequence[Paper], lookup: Lookup, *, progress: Progress | None = None
) -> EnrichResult:
    """Return the papers with absent metadata filled in from the sources, and a report."""
    wanted = [index for index, paper in enumerate(papers) if needs_lookup(paper)]
    found: dict[int, Candidate] = {}
    unmatched: dict[int, str] = {}
    contradicted: dict[int, tuple[Paper, Candidate]] = {}
    titles = _TitleSearches(papers, [index for index in wanted if not papers[index].arxiv_id])
    items: Iterable[Paper] = [papers[index] for index in wanted]
    if progress is not None:
        items = progress(items, len(wanted), "looking up")
    for index, paper in zip(wanted, items, strict=True):
        if paper.arxiv_id:
            continue
        verdict = titles.verdict(index, lookup)
        if verdict.candidate is not None:
            found[index] = verdict.candidate
        elif verdict.reason is not None:
            unmatched[index] = verdict.reason
        if verdict.earlier_of is not None:
            contradicted[index] = (paper, verdict.earlier_of)
    ids = {
        index: papers[index].arxiv_id or found[index].paper.arxiv_id
        for index in wanted
        if papers[index].arxiv_id or (index in found and found[index].paper.arxiv_id)
    }
    # A record arXiv's title search found is arXiv's record of that id already.
    from_arxiv = {index for index, candidate in found.items() if candidate.source == "arxiv"}
    records = lookup.arxiv_ids(
        [arxiv_id for index, arxiv_id in ids.items() if arxiv_id and index not in from_arxiv]
    )
    result = list(papers)
    taken: dict[int, list[Candidate]] = {}
    for index in wanted:
        paper = papers[index]
        by_title = found.get(index)
        arxiv_id = ids.get(index)
        record = records.get(arxiv_id) if arxiv_id else None
        if index in from_arxiv:
            record = by_title
        if record is not None and record is not by_title:
            # arXiv's record must fit the paper and what the title lookup found.
            known = paper if by_title is None else _with_identity(paper, by_title)
            reason = contradiction(known, record)
            if reason is not None:
                unmatched[index] = reason
                if earlier_versions(known, record):
                    contradicted[index] = (known, record)
                continue
        chosen = [c for c in dict.fromkeys((record, by_title)) if c is not None]
        if chosen:
            taken[index] = chosen
    for index, version in _earlier_versions_that_fit(contradicted, found, lookup, unmatched):
        hf = found.get(index)
        taken[index] = [version] if hf is None else [version, hf]
    filled = 0
    for index in wanted:
        if index not in taken:
            unmatched.setdefault(
                index, OFFLINE_MISS if lookup.fetcher is None else "no source knows it"
            )
            continue
        result[index] = fill_absent(papers[index], taken[index])
        unmatched.pop(index, None)
        filled += 1
    return EnrichResult(
        papers=result,
        filled=filled,
        unmatched=[Unmatched(papers[index], reason) for index, reason in sorted(unmatched.items())],
        warnings=list(lookup.warnings),
    )


def _earlier_versions_that_fit(
    contradicted: dict[int, tuple[Paper, Candidate]],
    found: dict[int, Candidate],
    lookup: Lookup,
    unmatched: dict[int, str],
) -> Iterator[tuple[int, Candidate]]:
    """Yield the earlier arXiv version each contradicted paper takes, asking for all at once.

    For a paper whose only contradiction with arXiv's latest version N is the author count,
    versions 1 to N - 1 are asked for (in the same batched requests as any id); the version
    `match.choose_version` finds agreeing with everything is taken, else the reason says why not.
    """
    asked = {
        index: [f"{record.paper.arxiv_id}v{n}" for n in earlier_versions(known, record)]
        for index, (known, record) in contradicted.items()
    }
    answers = lookup.arxiv_ids([name for names in asked.values() for name in names])
    for index, (known, record) in contradicted.items():
        versions = [answers[name] for name in asked[index] if name in answers]
        hf = found.get(index)
        hf_authors = hf.paper.authors if hf is not None and hf.source == "hf" else ()
        verdict = choose_version(known, record, versions, hf_authors=hf_authors)
        if verdict.candidate is None:
            unmatched[index] = verdict.reason or unmatched[index]
            continue
        yield index, verdict.candidate


class _TitleSearches:
    """The title lookups of the papers without an arXiv id, in their order, asked as late as the
    progress bar reaches them and as batched as the sources allow: a day's listing once for all
    its papers, arXiv's title search for the next 40 papers their listings do not place."""

    def __init__(self, papers: Sequence[Paper], pending: list[int]) -> None:
        self.papers = papers
        self.pending = pending
        self.position = {index: n for n, index in enumerate(pending)}
        self.listed: dict[int, Verdict | None] = {}
        self.on_arxiv: dict[str, list[Candidate]] = {}
        self.asked: set[int] = set()

    def verdict(self, index: int, lookup: Lookup) -> Verdict:
        """Return the record found for one paper by its title, or why none was."""
        listed = self._listing(index, lookup)
        if _unplaced(listed) and index not in self.asked:
            batch = []
            for later in self.pending[self.position[index] :]:
                if _unplaced(self._listing(later, lookup)):
                    batch.append(later)
                    if len(batch) == ARXIV_TITLE_BATCH:
                        break
            self.on_arxiv.update(lookup.arxiv_titles([self.papers[i].title for i in batch]))
            self.asked.update(batch)
        return _by_title(self.papers[index], lookup, self.on_arxiv, listed)

    def _listing(self, index: int, lookup: Lookup) -> Verdict | None:
        if index not in self.listed:
            self.listed[index] = _in_listing(self.papers[index], lookup)
        return self.listed[index]


def _unplaced(listed: Verdict | None) -> bool:
    """Return whether a paper's listing did not place it (or there was none)."""
    return listed is None or listed.candidate is None


def _in_listing(paper: Paper, lookup: Lookup) -> Verdict | None:
    """Return what HF's listing of the day the paper's digest was read says of it; None when
    there is no such day or its listing is unknown."""
    day = paper.counts_date
    listed = lookup.hf_day(day) if day is not None else None
    if listed is None:
        return None
    return choose(paper, listed) if listed else Verdict(None)


def _by_title(
    paper: Paper, lookup: Lookup, on_arxiv: dict[str, list[Candidate]], listed: Verdict | None
) -> Verdict:
    """Return the record found for a paper by its title: in HF's listing of the day its digest
    was read (`listed`: one request for a whole page of papers), else in arXiv's batched title
    search (`on_arxiv`: one request for 40 papers), else by HF's title search (one each)."""
    if listed is not None and listed.candidate is not None:
        return listed
    verdicts = [] if listed is None else [listed]
    answered = listed is not None
    searches: tuple[Callable[[], list[Candidate] | None], ...] = (
        lambda: on_arxiv.get(paper.title),
        lambda: lookup.hf_search(paper.title),
    )
    for search in searches:
        candidates = search()
        if candidates is None:
            continue
        answered = True
        if not candidates:
            continue
        verdict = choose(paper, candidates)
        if verdict.candidate is not None:
            return verdict
        verdicts.append(verdict)
    reasons = [verdict.reason for verdict in verdicts if verdict.reason]
    if not reasons and answered:
        reasons.append("no source knows it")
    earlier_of = next((v.earlier_of for v in verdicts if v.earlier_of is not None), None)
    return Verdict(None, "; ".join(dict.fromkeys(reasons)) or None, earlier_of)


def _with_identity(paper: Paper, candidate: Candidate) -> Paper:
    """Return the paper with the arXiv id and author count a trusted record gave it."""
    other = candidate.paper
    count = paper.author_count
    if count is None and not paper.authors and other.authors:
        count = len(other.authors)
    return dataclasses.replace(paper, arxiv_id=paper.arxiv_id or other.arxiv_id, author_count=count)


def fill_absent(paper: Paper, candidates: Sequence[Candidate]) -> Paper:
    """Return the paper with each absent field taken from the first candidate that has it.

    Args:
        paper: As the digest gave it.
        candidates: Records that fit it, most authoritative first (arXiv, then Hugging Face).
    """
    changes: dict[str, Any] = {}
    links: list[tuple[Link, ...]] = []
    sources: list[str] = []

    def credit(candidate: Candidate) -> None:
        tag = f"{candidate.label} {candidate.fetched.isoformat()}"
        if tag not in sources:
            sources.append(tag)

    def take(name: str, value: object, candidate: Candidate) -> None:
        if name not in changes and value:
            changes[name] = value
            credit(candidate)

    kinds_taken: set[LinkKind] = set()
    for candidate in candidates:
        other = candidate.paper
        if not paper.authors:
            take("authors", other.authors, candidate)
        if not paper.arxiv_id:
            take("arxiv_id", other.arxiv_id, candidate)
        if paper.arxiv_version is None and candidate.version is not None:
            # Filled from one version, the entry says which (`version = {1}`).
            take("arxiv_version", candidate.version, candidate)
        if not paper.abstract:
            take("abstract", other.abstract, candidate)
        if paper.date_origin is DateOrigin.DIGEST:
            take("date", candidate.first_version, candidate)
        if paper.github_stars is None:
            take("github_stars", other.github_stars, candidate)
        if not paper.keywords:
            take("keywords", other.keywords, candidate)
        for kind in (LinkKind.CODE, LinkKind.PROJECT):
            theirs = tuple(link for link in other.links if link.kind is kind)
            if theirs and kind not in kinds_taken and not paper.links_of(kind):
                kinds_taken.add(kind)
                links.append(theirs)
                credit(candidate)
    if not changes and not links:
        return paper
    if links:
        changes["links"] = merge_links(paper.links, *links)
    if "date" in changes:
        changes["date_origin"] = DateOrigin.SOURCE
    changes["metadata_source"] = ", ".join(sources)
    return dataclasses.replace(paper, **changes)
