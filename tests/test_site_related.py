"""Related papers: the nearest papers of a library by title and abstract (TF-IDF cosine)."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from conftest import ROOT, bib_entry
from papershelf import BibEntry, build_site, read_library
from papershelf.model import FileKind
from papershelf.site.paper_page import render_paper_page
from papershelf.site.related import SHARED_BY_AT_MOST, related_papers
from papershelf.site.urls import paper_page_path


def paper(key: str, title: str, abstract: str = "") -> BibEntry:
    """Return an entry with only what related papers read: key, title and abstract."""
    return bib_entry(key, title=title, abstract=abstract)


TWO_TOPICS = [
    paper("video1", "Video diffusion with temporal attention", "We denoise video frames."),
    paper("video2", "Temporal attention for long video generation", "Frames of video."),
    paper("video3", "Diffusion transformers for video", "A video diffusion model."),
    paper("prove1", "Theorem proving with language models", "Lean proofs by search."),
    paper("prove2", "Language models write Lean proofs", "Search over proof steps."),
    paper("alone", "Quokka census of Rottnest", "Marsupials counted by hand."),
]


def test_papers_are_near_the_papers_sharing_their_words() -> None:
    related = related_papers(TWO_TOPICS)
    # Nearest first; a paper never lists a paper of the other topic, which shares no word.
    assert related["video1"][:2] in (("video2", "video3"), ("video3", "video2"))
    assert set(related["video1"]) == {"video2", "video3"}
    assert set(related["video3"]) == {"video1", "video2"}
    assert related["prove1"] == ("prove2",)
    assert related["prove2"] == ("prove1",)


def test_a_paper_sharing_no_word_has_no_neighbour() -> None:
    related = related_papers(TWO_TOPICS)
    assert "alone" not in related
    assert all("alone" not in others for others in related.values())
    # Stop words alone are not shared words.
    assert related_papers([paper("a", "The of and"), paper("b", "and the of")]) == {}
    assert related_papers([paper("a", ""), paper("b", "")]) == {}
    assert related_papers([paper("a", "Only one paper")]) == {}


def test_equal_scores_are_ordered_by_key_whatever_the_input_order() -> None:
    twins = [paper(key, "Sparse mixture of experts routing") for key in ("d", "b", "e", "a", "c")]
    shuffled = [*twins, paper("z", "Sparse routing")]
    expected = related_papers(shuffled, count=3)
    assert expected["a"] == ("b", "c", "d")
    assert expected["e"] == ("a", "b", "c")
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert related_papers(shuffled, count=3) == expected


def test_count_bounds_the_neighbours() -> None:
    library = [paper(f"p{index}", "graph neural network") for index in range(9)]
    related = related_papers(library, count=2)
    assert {len(others) for others in related.values()} == {2}
    assert related_papers(library, count=0) == {}


def test_a_word_in_too_many_papers_does_not_count() -> None:
    library = [paper(f"p{index}", f"alpha word{index}") for index in range(4)]
    # "alpha" is in 4 papers: it counts only where 4 papers may share a word.
    assert related_papers(library, shared_by_at_most=3) == {}
    assert set(related_papers(library, shared_by_at_most=4)["p0"]) == {"p1", "p2", "p3"}
    assert SHARED_BY_AT_MOST >= 100  # the demo library and small ones keep every word


def random_library(size: int, seed: int) -> list[BibEntry]:
    """Return a library of papers drawing words from a small vocabulary (many ties, overlaps)."""
    chance = random.Random(seed)
    words = [f"w{index}" for index in range(60)]
    return [
        paper(
            f"k{chance.randrange(10**6):06d}{index}",
            " ".join(chance.choices(words, k=chance.randint(0, 4))),
            " ".join(chance.choices(words, k=chance.randint(0, 12))),
        )
        for index in range(size)
    ]


def brute_force(entries: list[BibEntry], count: int, shared_by_at_most: int) -> dict[str, tuple]:
    """Return the nearest papers by the whole dense cosine matrix, sorted in Python."""
    ordered = sorted(entries, key=lambda entry: entry.key)
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, max_df=shared_by_at_most)
    matrix = vectorizer.fit_transform(f"{e.title}\n{e.abstract}" for e in ordered).toarray()
    scores = np.round(matrix @ matrix.T, 9)
    expected: dict[str, tuple] = {}
    for row, entry in enumerate(ordered):
        others = sorted(
            (-scores[row, column], ordered[column].key)
            for column in range(len(ordered))
            if column != row and scores[row, column] > 0
        )
        if others:
            expected[entry.key] = tuple(key for _, key in others[:count])
    return expected


@pytest.mark.parametrize(
    ("size", "seed", "shared_by_at_most"),
    [
        pytest.param(40, 1, 200, id="small-every-word"),
        pytest.param(150, 2, 200, id="ties-and-overlaps"),
        pytest.param(150, 3, 30, id="common-words-left-out"),
    ],
)
@pytest.mark.parametrize("chunk_scores", [1, 500, 20_000_000], ids=["row", "chunks", "whole"])
def test_chunked_top_k_equals_the_whole_matrix_sorted(
    size: int, seed: int, shared_by_at_most: int, chunk_scores: int
) -> None:
    library = random_library(size, seed)
    got = related_papers(library, shared_by_at_most=shared_by_at_most, chunk_scores=chunk_scores)
    assert got == brute_force(library, 5, shared_by_at_most)
    assert len(got) > size // 2


# --- on the pages ------------------------------------------------------------------------------


def test_the_page_links_each_related_paper() -> None:
    hostile = paper("hostile", "<script>alert(1)</script> & [x](javascript:alert(2))")
    page = render_paper_page(TWO_TOPICS[0], related=[TWO_TOPICS[1], hostile])
    section = page.split("## Related papers { data-search-exclude }\n", 1)[1].split("## ")[0]
    lines = section.strip().splitlines()
    assert lines[0] == "- [Temporal attention for long video generation](../papers/video2.md)"
    assert lines[1].endswith("](../papers/hostile.md)")
    assert "<script>" not in lines[1]
    assert "](javascript:" not in lines[1]
    # Between the abstract and the BibTeX block, outside the notes.
    assert page.index("## Abstract") < page.index("## Related papers") < page.index("## BibTeX")
    assert "Related papers" not in render_paper_page(TWO_TOPICS[0])


def test_build_site_gives_every_page_its_neighbours_from_the_whole_library() -> None:
    skipped = paper_page_path("video2")
    files = build_site(TWO_TOPICS, tag_labels={}, skip={skipped})
    pages = {file.path: file.content for file in files if file.kind is FileKind.PAPER_PAGE}
    assert skipped not in pages
    related = related_papers(TWO_TOPICS)
    for entry in TWO_TOPICS:
        path = paper_page_path(entry.key)
        if path == skipped:
            continue
        linked = re.findall(r"^- \[[^\]]*\]\(\.\./papers/([a-z0-9]+)\.md\)", pages[path], re.M)
        # A skipped page (on disk) is still a neighbour: it is in the library.
        assert tuple(linked) == related.get(entry.key, ()), entry.key


def test_every_paper_of_the_demo_library_has_related_papers() -> None:
    text = (ROOT / "bib" / "papers.bib").read_text(encoding="utf-8")
    entries = read_library(text, source="bib/papers.bib")
    related = related_papers(entries)
    words = {
        e.key: set(re.findall(r"[a-z]{4,}", f"{e.title} {e.abstract}".lower())) for e in entries
    }
    assert set(related) == {entry.key for entry in entries}
    for key, others in related.items():
        assert 1 <= len(others) <= 5
        # The nearest shares a word of four letters or more with the paper.
        assert words[key] & words[others[0]], key
