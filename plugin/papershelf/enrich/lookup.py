"""Answers to metadata questions: from the cache, else (unless offline) from the sources.

Every new answer is kept in the cache with its date, so a second run sends no request. A source
that is down, or an answer that is garbled, is a warning: the question stays unanswered (None),
the papers it concerns stay as they were, and the next run asks again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from papershelf.enrich.cache import AnswerCache, CachedAnswer, cache_name
from papershelf.enrich.http import Answer, Endpoint, Fetcher, SourceDown
from papershelf.enrich.match import Candidate
from papershelf.enrich.sources import (
    ARXIV_BATCH,
    ARXIV_TITLE_BATCH,
    HF_DAY_PAGE,
    HF_DAY_PAGES,
    GarbledAnswer,
    Sources,
    arxiv_candidates,
    arxiv_id_request,
    arxiv_titles_request,
    cut_feed,
    hf_candidates,
    hf_day_request,
    hf_search_request,
    title_words,
)
from papershelf.identity import normalise_title, parse_arxiv_id


@dataclass
class Lookup:
    """Asks the sources for candidates, through the answer cache."""

    cache: AnswerCache
    """Where answers are kept, e.g. `~/.cache/papershelf/metadata`."""
    fetcher: Fetcher | None
    """The network; None means offline: only the cache answers."""
    sources: Sources
    """The endpoints."""
    today: dt.date
    """The date recorded with new answers."""
    refresh: bool = False
    """Ask the sources again even when the cache has an answer."""
    warnings: list[str] = field(default_factory=list)
    """What went wrong, one line each, e.g. `arxiv: HTTP 503 ...; 12 papers left as they were`."""
    _days: dict[dt.date, list[Candidate] | None] = field(default_factory=dict, repr=False)

    def hf_day(self, day: dt.date) -> list[Candidate] | None:
        """Return the papers of Hugging Face's listing of a day (`daily_papers?date=`); None when
        unknown. One request per hundred papers of the day, asked once a run."""
        if day not in self._days:
            listed: list[Candidate] | None = []
            for page in range(HF_DAY_PAGES):
                path, params = hf_day_request(day, page)
                name = cache_name("day", "&".join(f"{k}={v}" for k, v in params.items()))
                items = self._ask(self.sources.hf, name, path, params)
                if items is None:
                    listed = None
                    break
                listed = [*(listed or []), *items]
                if len(items) < HF_DAY_PAGE:
                    break
            self._days[day] = listed
        return self._days[day]

    def hf_search(self, title: str) -> list[Candidate] | None:
        """Return Hugging Face's records for a title search; None when unknown."""
        path, params = hf_search_request(title)
        return self._ask(self.sources.hf, cache_name("search", title), path, params)

    def arxiv_titles(self, titles: Sequence[str]) -> dict[str, list[Candidate]]:
        """Return arXiv's records with each of these titles (batched; missing when unknown).

        Up to `ARXIV_TITLE_BATCH` titles are one search (`ti:"..." OR ti:"..."`); each title's
        records (those with its normalised title: another record says nothing about it) are
        kept in the cache as an answer of their own, an empty one when arXiv has none, so a
        later run asks nothing about it.
        """
        found: dict[str, list[Candidate]] = {}
        wanted: list[str] = []
        for title in dict.fromkeys(titles):
            if not title_words(title):
                continue
            kept = None if self.refresh else self.cache.get("arxiv", cache_name("title", title))
            candidates = None if kept is None else self._read(self.sources.arxiv, kept)
            if candidates is None:
                wanted.append(title)
            else:
                found[title] = candidates
        if self.fetcher is None:
            return found
        batches = self._arxiv_batches(self.fetcher, wanted, ARXIV_TITLE_BATCH, arxiv_titles_request)
        for batch, answer, entries in batches:
            by_title: dict[str, list[Candidate]] = {}
            for candidate in entries:
                by_title.setdefault(candidate.title_key, []).append(candidate)
            mine = {title: by_title.get(normalise_title(title), []) for title in batch}
            keep: dict[str, CachedAnswer] = {}
            if answer.status == 404:
                for title in batch:
                    keep[cache_name("title", title)] = CachedAnswer(answer.url, self.today, 404, "")
            else:
                groups = {
                    title: [(c.paper.arxiv_id or "", c.paper.arxiv_version) for c in records]
                    for title, records in mine.items()
                }
                for title, text in cut_feed(answer.text, groups).items():
                    keep[cache_name("title", title)] = CachedAnswer(
                        answer.url, self.today, answer.status, text
                    )
            self.cache.put_many("arxiv", keep)
            found.update(mine)
        return found

    def arxiv_ids(self, ids: Sequence[str]) -> dict[str, Candidate]:
        """Return arXiv's records of the papers with these ids (batched; missing when unknown).

        An id without version asks for the paper (arXiv answers with its latest version); an id
        with one (`2510.22938v1`) asks for that version, and its candidate says so
        (`Candidate.version`). The result is keyed by the ids as given. Each record is kept in
        the cache as an Atom answer of its own, so a later run that needs one of them asks
        nothing.
        """
        found: dict[str, Candidate] = {}
        wanted: list[str] = []
        for asked in dict.fromkeys(ids):
            kept = None if self.refresh else self.cache.get("arxiv", cache_name("id", asked))
            if kept is None:
                wanted.append(asked)
                continue
            candidate = _record_of(_by_version(self._read(self.sources.arxiv, kept) or []), asked)
            if candidate is not None:
                found[asked] = candidate
        if self.fetcher is None or not wanted:
            return found
        batches = self._arxiv_batches(self.fetcher, wanted, ARXIV_BATCH, arxiv_id_request)
        for batch, answer, entries in batches:
            index = _by_version(entries)
            records = {asked: _record_of(index, asked) for asked in batch}
            groups = {
                asked: [(record.paper.arxiv_id or "", record.paper.arxiv_version)]
                for asked, record in records.items()
                if record is not None
            }
            feeds = cut_feed(answer.text, groups)
            self.cache.put_many(
                "arxiv",
                {
                    cache_name("id", asked): CachedAnswer(
                        answer.url, self.today, answer.status, text
                    )
                    for asked, text in feeds.items()
                },
            )
            found.update({asked: record for asked, record in records.items() if record})
        return found

    def _arxiv_batches(
        self,
        fetcher: Fetcher,
        wanted: list[str],
        size: int,
        request: Callable[[Sequence[str]], tuple[str, dict[str, str]]],
    ) -> Iterator[tuple[list[str], Answer, list[Candidate]]]:
        """Yield each batch of `size` of `wanted` with arXiv's answer and its entries (none for a
        404), sent as a POST form; a garbled answer is a warning, and a source down a warning
        that ends the batches (their papers stay as they were)."""
        for start in range(0, len(wanted), size):
            batch = wanted[start : start + size]
            path, params = request(batch)
            try:
                answer = fetcher.get(self.sources.arxiv, path, params, form=True)
                entries = (
                    []
                    if answer.status == 404
                    else arxiv_candidates(answer.text, url=answer.url, fetched=self.today)
                )
            except SourceDown as error:
                self.warnings.append(f"{error}; {len(wanted) - start} papers left as they were")
                return
            except GarbledAnswer as error:
                self.warnings.append(f"arxiv: a garbled answer: {error}")
                continue
            yield batch, answer, entries

    def _ask(
        self, endpoint: Endpoint, name: str, path: str, params: dict[str, str]
    ) -> list[Candidate] | None:
        kept = None if self.refresh else self.cache.get(endpoint.name, name)
        if kept is None:
            if self.fetcher is None:
                return None
            try:
                answer = self.fetcher.get(endpoint, path, params)
            except SourceDown as error:
                if str(error) not in self.warnings:
                    self.warnings.append(str(error))
                return None
            kept = CachedAnswer(answer.url, self.today, answer.status, answer.text)
            if self._read(endpoint, kept) is None:
                return None
            self.cache.put(endpoint.name, name, kept)
        return self._read(endpoint, kept)

    def _read(self, endpoint: Endpoint, kept: CachedAnswer) -> list[Candidate] | None:
        if kept.status == 404:
            return []
        try:
            if endpoint is self.sources.arxiv:
                return arxiv_candidates(kept.text, url=kept.url, fetched=kept.fetched)
            return hf_candidates(kept.text, url=kept.url, fetched=kept.fetched)
        except GarbledAnswer as error:
            self.warnings.append(f"{endpoint.name}: a garbled answer: {error}")
            return None


def _by_version(entries: Sequence[Candidate]) -> dict[tuple[str, int | None], Candidate]:
    """Return an answer's entries by (id, version) and, for the first of each id, (id, None)."""
    index: dict[tuple[str, int | None], Candidate] = {}
    for candidate in entries:
        arxiv_id = candidate.paper.arxiv_id or ""
        index.setdefault((arxiv_id, candidate.paper.arxiv_version), candidate)
        index.setdefault((arxiv_id, None), candidate)
    return index


def _record_of(index: dict[tuple[str, int | None], Candidate], asked: str) -> Candidate | None:
    """Return the entry of an answer (`_by_version`) that is the paper or version `asked` names."""
    wanted = parse_arxiv_id(asked)
    candidate = None if wanted is None else index.get((wanted.id, wanted.version))
    if candidate is None or wanted is None or wanted.version is None:
        return candidate
    return dataclasses.replace(candidate, version=wanted.version)
