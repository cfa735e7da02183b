"""Enrichment end to end against a real HTTP server answering like arXiv and Hugging Face."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT
from metadata_server import MetadataServer, Reply, atom, serve
from papershelf.cli import main
from papershelf.enrich import EnrichResult, Lookup, enrich_papers
from papershelf.enrich.cache import AnswerCache
from papershelf.enrich.http import Endpoint, Fetcher
from papershelf.enrich.sources import Sources
from papershelf.model import DateOrigin, Paper, Source

TODAY = dt.date(2026, 12, 2)
TITLE = "Incorporating Surrogate Gradient Norm to Improve Offline Optimization Techniques"
AUTHORS = ["Manh Cuong Dao", "Phi Le Nguyen", "Thao Nguyen Truong", "Trong Nghia Hoang"]


def arxiv_feed(*entries: tuple[str, str, list[str], str]) -> str:
    """Return an arXiv API answer (the 2026 layout) with entries (id, title, authors, date);
    an id without version (`2503.04242`) is version 1, else as given (`2510.22938v2`)."""
    body = "".join(
        f"""  <entry>
    <id>http://arxiv.org/abs/{versioned(arxiv_id)}</id>
    <title>{title}</title>
    <updated>{date}T17:59:49Z</updated>
    <link href="https://arxiv.org/abs/{versioned(arxiv_id)}" rel="alternate" type="text/html"/>
    <summary>An abstract.</summary>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <published>{date}T17:59:49Z</published>
    <arxiv:primary_category term="cs.LG"/>
{"".join(f"    <author><name>{name}</name></author>{chr(10)}" for name in authors)}  </entry>
"""
        for arxiv_id, title, authors, date in entries
    )
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" \
xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/x</id>
  <title>arXiv Query</title>
  <updated>2026-12-01T00:00:00Z</updated>
  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>
{body}</feed>
"""


def versioned(arxiv_id: str) -> str:
    """Return an id with its version: `2503.04242` -> `2503.04242v1`; `2510.22938v2` as given."""
    return arxiv_id if "v" in arxiv_id else f"{arxiv_id}v1"


def hf_search(*papers: tuple[str, str, list[str]], published: str = "2025-03-06") -> str:
    """Return a Hugging Face paper-search answer with papers (id, title, authors)."""
    return json.dumps(
        [
            {
                "paper": {
                    "id": arxiv_id,
                    "authors": [
                        {"_id": f"a{index}", "name": name, "hidden": False}
                        for index, name in enumerate(authors)
                    ],
                    "publishedAt": f"{published}T09:39:45.000Z",
                    "title": title,
                    "summary": "An abstract.",
                    "upvotes": 3,
                    "githubRepo": "https://github.com/cuong-dm/IGNITE",
                },
                "title": title,
                "publishedAt": "2025-03-07T01:00:00.000Z",
            }
            for arxiv_id, title, authors in papers
        ]
    )


def page_paper(title: str = TITLE, count: int = 4) -> Paper:
    """A paper as the HF page copy gives it: no names, no id."""
    return Paper(
        title=title,
        abstract="Offline optimization has recently emerged ...",
        source=Source("page.txt", line=13),
        date=dt.date(2025, 3, 6),
        date_origin=DateOrigin.YEAR_INFERRED,
        author_count=count,
    )


@pytest.fixture
def server() -> Iterator[MetadataServer]:
    yield from serve()


_FETCHERS: list[Fetcher] = []


@pytest.fixture(autouse=True)
def _close_fetchers() -> Iterator[None]:
    yield
    while _FETCHERS:
        _FETCHERS.pop().close()


def lookup_for(server: MetadataServer, cache: Path, *, offline: bool = False) -> Lookup:
    """A lookup asking the test's server, keeping answers in `cache`."""
    sources = Sources(
        arxiv=Endpoint("arxiv", server.url + "/api/query", 0.0),
        hf=Endpoint("hf", server.url + "/api", 0.0),
    )
    fetcher = None if offline else Fetcher(backoff=0.01, retries=1, timeout=2.0)
    if fetcher is not None:
        _FETCHERS.append(fetcher)
    return Lookup(AnswerCache(cache), fetcher, sources, TODAY)


def route_the_paper(server: MetadataServer) -> None:
    server.route(
        "/api/papers/search", {"q": TITLE}, Reply(hf_search(("2503.04242", TITLE, AUTHORS)))
    )
    server.route(
        "/api/query",
        {"id_list": "2503.04242", "max_results": "1"},
        atom(arxiv_feed(("2503.04242", TITLE, AUTHORS, "2025-03-06"))),
    )


def test_a_title_only_paper_gets_authors_id_and_code_and_says_from_where(
    server: MetadataServer, tmp_path: Path
) -> None:
    route_the_paper(server)
    result = enrich_papers([page_paper()], lookup_for(server, tmp_path))
    [paper] = result.papers
    assert paper.authors == tuple(AUTHORS)
    assert paper.arxiv_id == "2503.04242"
    assert paper.links_of(paper.links[0].kind) == ("https://github.com/cuong-dm/IGNITE",)
    assert paper.metadata_source == "arxiv 2026-12-02, hf 2026-12-02"
    assert (result.filled, result.unmatched, result.warnings) == (1, [], [])


def test_a_second_run_asks_nothing(server: MetadataServer, tmp_path: Path) -> None:
    route_the_paper(server)
    first = enrich_papers([page_paper()], lookup_for(server, tmp_path))
    asked = len(server.requests)
    # arXiv's title search (not routed: 404, arXiv knows no such title), HF's, arXiv's record.
    assert [
        query.get("search_query", query.get("q", "")) != "" for _, query in server.requests
    ] == [
        True,
        True,
        False,
    ]
    second = enrich_papers([page_paper()], lookup_for(server, tmp_path))
    assert len(server.requests) == asked
    assert second.papers == first.papers


def test_offline_uses_only_the_cache(server: MetadataServer, tmp_path: Path) -> None:
    result = enrich_papers([page_paper()], lookup_for(server, tmp_path, offline=True))
    assert server.requests == []
    assert result.papers == [page_paper()]
    assert [item.reason for item in result.unmatched] == ["offline and not in the cache"]


@pytest.mark.parametrize(
    ("hf_answer", "arxiv_title_answer", "reason"),
    [
        pytest.param(
            hf_search(("2503.11111", TITLE.replace("Improve", "Boost"), AUTHORS)),
            arxiv_feed(),
            "no hf record has this exact title",
            id="title-differs-by-one-word",
        ),
        pytest.param(
            "[]",
            arxiv_feed(("2503.22222", TITLE, AUTHORS[:3], "2025-03-06")),
            "the digest shows 4 authors, arxiv lists 3",
            id="same-title-other-author-count",
        ),
        pytest.param(
            hf_search(("2503.04242", TITLE, AUTHORS), ("2503.33333", TITLE, AUTHORS)),
            arxiv_feed(),
            "2 different records fit; none was taken",
            id="two-papers-of-one-title",
        ),
    ],
)
def test_decoys_are_never_taken(
    server: MetadataServer, tmp_path: Path, hf_answer: str, arxiv_title_answer: str, reason: str
) -> None:
    server.route("/api/papers/search", {"q": TITLE}, Reply(hf_answer))
    query = {"search_query": f'ti:"{TITLE}"', "max_results": "10"}
    server.route("/api/query", query, atom(arxiv_title_answer))
    result = enrich_papers([page_paper()], lookup_for(server, tmp_path))
    assert result.papers == [page_paper()]
    assert [item.reason for item in result.unmatched] == [reason]


def test_arxiv_must_agree_with_what_hf_found(server: MetadataServer, tmp_path: Path) -> None:
    server.route(
        "/api/papers/search", {"q": TITLE}, Reply(hf_search(("2503.04242", TITLE, AUTHORS)))
    )
    later = [*AUTHORS, *(f"Author {n}" for n in range(15))]
    server.route(
        "/api/query",
        {"id_list": "2503.04242", "max_results": "1"},
        atom(arxiv_feed(("2503.04242", TITLE, later, "2025-03-06"))),
    )
    result = enrich_papers([page_paper()], lookup_for(server, tmp_path))
    assert result.papers == [page_paper()]
    assert [item.reason for item in result.unmatched] == [
        "the digest shows 4 authors, arxiv lists 19"
    ]


@pytest.mark.parametrize(
    ("reply", "warning"),
    [
        pytest.param(Reply("busy", status=503), "hf: HTTP 503", id="source-down"),
        pytest.param(Reply("<html>oops</html>"), "hf: a garbled answer", id="garbled"),
        pytest.param(Reply(drop=True), "hf: RemoteProtocolError", id="dropped"),
    ],
)
def test_a_failing_source_is_a_warning_and_the_paper_stays(
    server: MetadataServer, tmp_path: Path, reply: Reply, warning: str
) -> None:
    server.route("/api/papers/search", {"q": TITLE}, reply)
    result: EnrichResult = enrich_papers([page_paper()], lookup_for(server, tmp_path))
    assert result.papers == [page_paper()]
    assert any(line.startswith(warning) for line in result.warnings), result.warnings
    assert not list(tmp_path.glob("hf/*")), "a failed answer is not kept"


def test_convert_fills_in_the_library_and_a_rerun_asks_nothing(
    server: MetadataServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    route_the_paper(server)
    monkeypatch.setenv("PAPERSHELF_HF_API", server.url + "/api")
    monkeypatch.setenv("PAPERSHELF_ARXIV_API", server.url + "/api/query")
    monkeypatch.delenv("PAPERSHELF_OFFLINE", raising=False)
    digest = ROOT / "bib" / "digests" / "2025-10-30-hf-papers.txt"
    text = digest.read_text("utf-8")
    one = tmp_path / "2025-10-30-one.txt"
    one.write_text(text[: text.index("Leaving Reality")], "utf-8")
    bib = tmp_path / "papers.bib"
    arguments = ["convert", str(one), "--bib", str(bib), "--no-pages"]
    assert main([*arguments, "--metadata-cache", str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert "1 paper filled in from arXiv / Hugging Face" in out
    library = bib.read_text("utf-8")
    assert "@misc{dao2025incorporating," in library
    assert (
        "author       = {Manh Cuong Dao and Phi Le Nguyen and Thao Nguyen Truong"
        " and Trong Nghia Hoang}" in library
    )
    assert "filledfrom   = {arxiv " in library
    assert "authorcount" not in library
    asked = len(server.requests)
    assert main([*arguments, "--metadata-cache", str(tmp_path / "m")]) == 0
    assert len(server.requests) == asked
    assert bib.read_text("utf-8") == library


def test_the_demo_is_complete_from_its_recorded_answers(tmp_path: Path) -> None:
    """bib/metadata holds the answers for the sample page: every paper is filled in.

    AQCat25: the page shows 3 authors, arXiv's answer for its id is version 2 with 19; the
    answer for 2510.22938v1 has the 3 that HF lists too, so the paper is filled from v1.
    """
    digest = ROOT / "bib" / "digests" / "2025-10-30-hf-papers.txt"
    cache = AnswerCache(ROOT / "bib" / "metadata")
    from papershelf.convert import read_papers
    from papershelf.enrich.sources import default_sources

    papers = read_papers([digest])
    lookup = Lookup(cache, None, default_sources({}), TODAY)
    result = enrich_papers(papers, lookup)
    assert (result.filled, result.unmatched, result.warnings) == (42, [], [])
    by_title = {paper.title[:7]: paper for paper in result.papers}
    aqcat = by_title["AQCat25"]
    assert aqcat.authors == ("Omar Allam", "Brook Wander", "Aayush R. Singh")
    assert (aqcat.arxiv_id, aqcat.arxiv_version) == ("2510.22938", 1)
    assert aqcat.metadata_source == "arxiv v1 2026-12-01"
    by_title = {paper.title: paper for paper in result.papers}
    # The page's title of a paper arXiv has since retitled: found on HF by the page's title.
    retitled = by_title[
        "Unveiling the Mechanisms of Explicit CoT Training: How Chain-of-Thought Enhances "
        "Reasoning Generalization"
    ]
    assert (retitled.arxiv_id, retitled.authors[0]) == ("2502.04667", "Xinhao Yao")
    assert all(paper.arxiv_id and paper.authors for paper in result.papers)


def test_enrich_fills_a_library_from_the_demo_cache_and_moves_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = ROOT / "bib" / "digests" / "2025-10-30-hf-papers.txt"
    bib = tmp_path / "papers.bib"
    assert main(["convert", str(digest), "--bib", str(bib), "--no-pages", "--no-lookup"]) == 0
    before = bib.read_text("utf-8")
    cache = str(ROOT / "bib" / "metadata")
    assert main(["enrich", "--bib", str(bib), "--metadata-cache", cache, "--offline"]) == 0
    out = capsys.readouterr().out
    assert "42 entries filled in" in out
    assert "not matched" not in out
    after = bib.read_text("utf-8")
    assert after.count("  author       = {") == 42
    assert after.count("filledfrom") == 42
    # Every line that was there stays, but for the stand-ins the authors replace.
    gone = set(before.splitlines()) - set(after.splitlines())
    stand_ins = ("  key ", "  authorcount ", "  dateorigin ")
    assert all(line.startswith(stand_ins) for line in gone), sorted(gone)[:5]
    assert main(["enrich", "--bib", str(bib), "--metadata-cache", cache, "--offline"]) == 0
    assert bib.read_text("utf-8") == after


AQCAT = "AQCat25: Unlocking spin-aware, high-fidelity machine learning potentials for catalysis"
AQCAT_WORDS = "AQCat25 Unlocking spin aware high fidelity machine learning potentials for catalysis"
AQCAT_V1 = ["Omar Allam", "Brook Wander", "Aayush R. Singh"]
AQCAT_V2 = [*AQCAT_V1[:2], *(f"Coauthor {n}" for n in range(16)), AQCAT_V1[2]]


def route_versions(server: MetadataServer, hf_authors: list[str], **answers: list[str]) -> None:
    """HF finds the paper by title with `hf_authors`; arXiv answers its id with the last of
    `answers` (version name -> authors, e.g. v1=[...], v2=[...]) and every earlier version in
    one request, as `id_list=ID` and `id_list=IDv1,IDv2,...` do."""
    server.route(
        "/api/papers/search",
        {"q": AQCAT},
        Reply(hf_search(("2510.22938", AQCAT, hf_authors), published="2025-10-26")),
    )
    *earlier, latest = answers
    entry = ("2510.22938" + latest, AQCAT, answers[latest], "2025-10-26")
    query = {"id_list": "2510.22938", "max_results": "1"}
    server.route("/api/query", query, atom(arxiv_feed(entry)))
    ids = ",".join("2510.22938" + version for version in earlier)
    query = {"id_list": ids, "max_results": str(len(earlier))}
    feed = arxiv_feed(
        *(("2510.22938" + name, AQCAT, answers[name], "2025-10-26") for name in earlier)
    )
    server.route("/api/query", query, atom(feed))


def aqcat_page_paper() -> Paper:
    """AQCat25 as the HF page copy gives it: 3 authors, dated Oct 26."""
    return dataclasses.replace(
        page_paper(AQCAT, 3), source=Source("page.txt", line=65), date=dt.date(2025, 10, 26)
    )


def test_an_earlier_version_that_agrees_with_everything_is_taken_and_named(
    server: MetadataServer, tmp_path: Path
) -> None:
    route_versions(server, AQCAT_V1, v1=AQCAT_V1, v2=AQCAT_V2)
    result = enrich_papers([aqcat_page_paper()], lookup_for(server, tmp_path))
    [paper] = result.papers
    assert paper.authors == tuple(AQCAT_V1)
    assert (paper.arxiv_id, paper.arxiv_version) == ("2510.22938", 1)
    assert paper.metadata_source == "arxiv v1 2026-12-02, hf 2026-12-02"
    assert (result.filled, result.unmatched) == (1, [])
    assert [query for _, query in server.requests] == [
        {"search_query": f'ti:"{AQCAT_WORDS}"', "max_results": "10"},
        {"q": AQCAT},
        {"id_list": "2510.22938", "max_results": "1"},
        {"id_list": "2510.22938v1", "max_results": "1"},
    ]
    again = enrich_papers([aqcat_page_paper()], lookup_for(server, tmp_path))
    assert len(server.requests) == 4, "the versions' answers are kept too"
    assert again.papers == result.papers


def test_every_earlier_version_is_asked_in_one_request_and_the_fitting_one_taken(
    server: MetadataServer, tmp_path: Path
) -> None:
    five = [*AQCAT_V1, "Rudi Plesch", "Tyler Sours"]
    route_versions(server, AQCAT_V1, v1=five, v2=AQCAT_V1, v3=AQCAT_V2)
    result = enrich_papers([aqcat_page_paper()], lookup_for(server, tmp_path))
    [paper] = result.papers
    assert (paper.authors, paper.arxiv_version) == (tuple(AQCAT_V1), 2)
    assert paper.metadata_source == "arxiv v2 2026-12-02, hf 2026-12-02"
    assert [query.get("id_list") for _, query in server.requests] == [
        None,
        None,
        "2510.22938",
        "2510.22938v1,2510.22938v2",
    ]


@pytest.mark.parametrize(
    ("hf_authors", "answers", "reason"),
    [
        pytest.param(
            AQCAT_V1,
            {"v1": [*AQCAT_V1, "Rudi Plesch"], "v2": AQCAT_V2},
            "the digest shows 3 authors, arxiv lists 19; no earlier version fits (v1)",
            id="v1-lists-another-count",
        ),
        pytest.param(
            ["Omar Allam", "Brook Wander", "Somebody Else"],
            {"v1": AQCAT_V1, "v2": AQCAT_V2},
            "the digest shows 3 authors, arxiv lists 19; no earlier version fits (v1)",
            id="v1-names-differ-from-hf",
        ),
        pytest.param(
            AQCAT_V1,
            {"v2": AQCAT_V2},
            "the digest shows 3 authors, arxiv lists 19; no earlier version fits (none answered)",
            id="arxiv-does-not-answer-for-v1",
        ),
    ],
)
def test_no_version_that_still_contradicts_is_taken(
    server: MetadataServer,
    tmp_path: Path,
    hf_authors: list[str],
    answers: dict[str, list[str]],
    reason: str,
) -> None:
    if "v1" not in answers:
        route_versions(server, hf_authors, v1=AQCAT_V1, **answers)
        server.route(
            "/api/query",
            {"id_list": "2510.22938v1", "max_results": "1"},
            atom(arxiv_feed()),
        )
    else:
        route_versions(server, hf_authors, **answers)
    result = enrich_papers([aqcat_page_paper()], lookup_for(server, tmp_path))
    assert result.papers == [aqcat_page_paper()]
    assert [item.reason for item in result.unmatched] == [reason]
    assert len(server.requests) == 4, "arXiv's and HF's title searches, the id, its v1"


def test_no_version_is_asked_for_when_the_latest_is_version_1(
    server: MetadataServer, tmp_path: Path
) -> None:
    paper = dataclasses.replace(aqcat_page_paper(), arxiv_id="2510.22938")
    route_versions(server, AQCAT_V1, v1=AQCAT_V1, v2=AQCAT_V2)
    server.route(
        "/api/query",
        {"id_list": "2510.22938", "max_results": "1"},
        atom(arxiv_feed(("2510.22938v1", AQCAT, AQCAT_V2, "2025-10-26"))),
    )
    result = enrich_papers([paper], lookup_for(server, tmp_path))
    assert result.papers == [paper]
    assert [item.reason for item in result.unmatched] == [
        "the digest shows 3 authors, arxiv lists 19"
    ]
    assert len(server.requests) == 1, "version 1 has no earlier version"


OTHER = "Leaving Reality to Imagination: Robust Classification via Generated Datasets"
DAY = dt.date(2025, 10, 30)
LISTING = {"date": "2025-10-30", "limit": "100"}


def read_on(day: dt.date, paper: Paper) -> Paper:
    """The paper as an HF page read on `day` gives it (the page is that day's listing)."""
    return dataclasses.replace(paper, counts_date=day)


def test_the_papers_of_one_page_are_found_in_the_day_s_listing_with_one_request(
    server: MetadataServer, tmp_path: Path
) -> None:
    listing = hf_search(
        ("2503.04242", TITLE, AUTHORS),
        ("2503.11111", TITLE.replace("Improve", "Boost"), AUTHORS),
        ("2302.02503", OTHER, ["Hritik Bansal", "Aditya Grover"]),
    )
    server.route("/api/daily_papers", LISTING, Reply(listing))
    feed = arxiv_feed(
        ("2503.04242", TITLE, AUTHORS, "2025-03-06"),
        ("2302.02503", OTHER, ["Hritik Bansal", "Aditya Grover"], "2025-03-06"),
    )
    query = {"id_list": "2503.04242,2302.02503", "max_results": "2"}
    server.route("/api/query", query, atom(feed))
    papers = [read_on(DAY, page_paper()), read_on(DAY, page_paper(OTHER, 2))]
    result = enrich_papers(papers, lookup_for(server, tmp_path))
    assert [paper.arxiv_id for paper in result.papers] == ["2503.04242", "2302.02503"]
    assert result.papers[1].authors == ("Hritik Bansal", "Aditya Grover")
    assert result.papers[0].metadata_source == "arxiv 2026-12-02, hf 2026-12-02"
    assert (result.filled, result.unmatched) == (2, [])
    assert server.requests == [("/api/daily_papers", LISTING), ("/api/query", query)]
    assert server.methods == ["GET", "POST"], "the ids go as a form: a long id_list is a 414"
    enrich_papers(papers, lookup_for(server, tmp_path))
    assert len(server.requests) == 2


def test_a_full_page_of_the_listing_asks_for_the_next_and_a_paper_not_listed_is_searched(
    server: MetadataServer, tmp_path: Path
) -> None:
    fillers = [(f"2510.{n:05d}", f"Filler paper {n}", ["A B"]) for n in range(100)]
    server.route("/api/daily_papers", LISTING, Reply(hf_search(*fillers)))
    second = {**LISTING, "p": "1"}
    server.route("/api/daily_papers", second, Reply(hf_search(("2503.04242", TITLE, AUTHORS))))
    server.route("/api/papers/search", {"q": OTHER}, Reply(hf_search()))
    result = enrich_papers(
        [read_on(DAY, page_paper()), read_on(DAY, page_paper(OTHER, 2))],
        lookup_for(server, tmp_path),
    )
    assert result.papers[0].authors == tuple(AUTHORS)
    assert result.papers[1] == read_on(DAY, page_paper(OTHER, 2))
    assert [query for path, query in server.requests if path != "/api/query"] == [
        LISTING,
        second,
        {"q": OTHER},
    ]


def test_ids_go_to_arxiv_a_thousand_a_request(server: MetadataServer, tmp_path: Path) -> None:
    ids = [f"2501.{n:05d}" for n in range(1001)]
    feed = arxiv_feed(*((arxiv_id, f"Paper {arxiv_id}", ["A B"], "2025-01-02") for arxiv_id in ids))
    server.route("/api/query", {"id_list": ",".join(ids[:1000]), "max_results": "1000"}, atom(feed))
    found = lookup_for(server, tmp_path).arxiv_ids(ids)
    assert [len(query["id_list"].split(",")) for _, query in server.requests] == [1000, 1]
    assert server.methods == ["POST", "POST"]
    assert sorted(found) == ids[:1000], "the last id is unknown: its request answered 404"
    assert lookup_for(server, tmp_path, offline=True).arxiv_ids(ids[:1000]).keys() == set(
        ids[:1000]
    )


def test_a_record_found_by_arxiv_s_title_search_falls_back_to_its_earlier_version(
    server: MetadataServer, tmp_path: Path
) -> None:
    server.route("/api/papers/search", {"q": AQCAT}, Reply(hf_search()))
    server.route(
        "/api/query",
        {"search_query": f'ti:"{AQCAT_WORDS}"', "max_results": "10"},
        atom(arxiv_feed(("2510.22938v2", AQCAT, AQCAT_V2, "2025-10-26"))),
    )
    server.route(
        "/api/query",
        {"id_list": "2510.22938v1", "max_results": "1"},
        atom(arxiv_feed(("2510.22938v1", AQCAT, AQCAT_V1, "2025-10-26"))),
    )
    result = enrich_papers([aqcat_page_paper()], lookup_for(server, tmp_path))
    [paper] = result.papers
    assert (paper.authors, paper.arxiv_version) == (tuple(AQCAT_V1), 1)
    assert paper.metadata_source == "arxiv v1 2026-12-02"
    # arXiv's title search (POST), HF's (GET, nothing), the earlier version (POST).
    assert server.methods == ["POST", "GET", "POST"]


def test_the_reason_reported_is_that_of_the_record_with_the_digest_s_title(
    server: MetadataServer, tmp_path: Path
) -> None:
    listing = hf_search(
        ("2503.11111", TITLE.replace("Improve", "Boost"), AUTHORS),
        ("2503.04242", TITLE, AUTHORS[:3]),
    )
    server.route("/api/daily_papers", LISTING, Reply(listing))
    server.route("/api/papers/search", {"q": TITLE}, Reply(hf_search()))
    result = enrich_papers([read_on(DAY, page_paper())], lookup_for(server, tmp_path))
    assert [item.reason for item in result.unmatched] == ["the digest shows 4 authors, hf lists 3"]


def test_titles_go_to_arxiv_forty_a_search_and_its_records_need_no_second_request(
    server: MetadataServer, tmp_path: Path
) -> None:
    two = [(TITLE, 4, AUTHORS), (OTHER, 2, ["Hritik Bansal", "Aditya Grover"])]
    query = {
        "search_query": f'ti:"{TITLE}" OR ti:"{OTHER.replace(":", "")}"',
        "max_results": "20",
    }
    feed = arxiv_feed(
        ("2503.04242", TITLE, AUTHORS, "2025-03-06"),
        ("2503.11111", TITLE + " Again", AUTHORS, "2025-03-06"),
        ("2302.02503", OTHER, two[1][2], "2025-03-06"),
    )
    server.route("/api/query", query, atom(feed))
    papers = [page_paper(title, count) for title, count, _ in two]
    result = enrich_papers(papers, lookup_for(server, tmp_path))
    assert [paper.arxiv_id for paper in result.papers] == ["2503.04242", "2302.02503"]
    assert [paper.authors for paper in result.papers] == [tuple(names) for *_, names in two]
    assert result.papers[0].metadata_source == "arxiv 2026-12-02"
    assert server.requests == [("/api/query", query)]
    assert server.methods == ["POST"]
    again = enrich_papers(papers, lookup_for(server, tmp_path))
    assert (len(server.requests), again.papers) == (1, result.papers)
