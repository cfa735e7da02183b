"""The index of a library text: where each entry lies and which paper it is, and keeping it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import InteropLibrary, interop_id, interop_libraries
from papershelf import LibraryError, read_library
from papershelf.bib import index as index_module
from papershelf.bib.check import parse_library
from papershelf.bib.index import (
    LibraryIndex,
    dump_index,
    index_library,
    load_index,
)
from papershelf.parallel import Stage, thresholds

Reader = Callable[..., object]

LIBRARY = """% My reading list
@string{neurips = {Advances in Neural Information Processing Systems}}

@inproceedings{vaswani2017attention,
  author    = {Vaswani, Ashish},
  title     = {Attention Is {All} You Need},
  booktitle = neurips,
  year      = {2017},
}

@misc{chen2025humo,
  title        = {{HuMo}: Human-Centric Video Generation},
  howpublished = {arXiv preprint arXiv:2509.08519},
  eprint       = {2509.08519},
  eprinttype   = {arxiv},
}

@article{Old, title = "Quoted Title", url = {https://arxiv.org/abs/hep-th/9901001v2}}
@Comment{jabref-meta: databaseType:bibtex;}
"""


def parse_whole(text: str) -> list[tuple[str, str]]:
    """bibtexparser's own view: the raw text and key of every entry."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    return [(entry.raw or "", entry.key) for entry in library.entries]


def readable(libraries: list[InteropLibrary]) -> list[InteropLibrary]:
    """The libraries papershelf reads (the check refuses e.g. an entry without a key), and a
    broken corpus, to fail."""
    return [
        library
        for library in libraries
        if library.problem is not None
        or not parse_library(library.read_text(), source=library.path.name).errors
    ]


@pytest.fixture
def sliced(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Index and read every text in slices, on three processes, however small it is."""
    monkeypatch.setenv("PAPERSHELF_JOBS", "3")
    with thresholds({Stage.LIBRARY_SLICES: 0}):
        yield


# Both ways of parsing a whole library cut a large one into slices: for its index, for its pages.
READERS = [
    pytest.param(index_library, id="index_library"),
    pytest.param(read_library, id="read_library"),
]


def serial_index(text: str, monkeypatch: pytest.MonkeyPatch) -> LibraryIndex:
    with monkeypatch.context() as patch:
        patch.setenv("PAPERSHELF_JOBS", "1")
        return index_library(text, source="x.bib")


def test_rows_locate_entries_and_name_their_papers() -> None:
    index = index_library(LIBRARY, source="papers.bib")
    assert [(LIBRARY[row.start : row.end], row.key) for row in index.entries] == parse_whole(
        LIBRARY
    )
    vaswani, humo, old = index.entries
    assert (vaswani.arxiv_ids, vaswani.title) == ((), "attention is all you need")
    assert (humo.arxiv_ids, humo.title) == (("2509.08519",), "humo human centric video generation")
    assert (old.arxiv_ids, old.title) == (("hep-th/9901001",), "quoted title")


@pytest.mark.parametrize("library", readable(interop_libraries()), ids=interop_id)
def test_rows_match_bibtexparser_on_real_libraries(library: InteropLibrary) -> None:
    text = library.read_text()
    index = index_library(text, source=library.path.name)
    assert [(text[row.start : row.end], row.key) for row in index.entries] == parse_whole(text)


@pytest.mark.usefixtures("sliced")
@pytest.mark.parametrize(
    "library",
    [*readable(interop_libraries()), None],
    ids=lambda library: "hand" if library is None else interop_id(library),
)
def test_slices_give_the_index_of_the_whole(
    library: InteropLibrary | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = LIBRARY if library is None else library.read_text()
    assert index_library(text, source="x.bib") == serial_index(text, monkeypatch)


@pytest.mark.usefixtures("sliced")
def test_a_cut_inside_an_entry_reports_what_one_piece_reports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The middle of the text is inside `note`, whose second line starts like an entry; the cut
    # lands there, and bibtexparser refuses such a value in one piece too.
    note = "a" * 600 + "\n@misc{fake, title = {not an entry}}\n" + "b" * 300
    text = f"@misc{{real, title = {{Real}}, note = {{{note}}}}}\n\n@misc{{next, title = {{N}}}}\n"
    cuts = index_module.slice_bounds(text, 2)
    assert text[cuts[1][0] :].startswith("@misc{fake")
    with pytest.raises(LibraryError) as sliced_error:
        index_library(text, source="x.bib")
    with pytest.raises(LibraryError) as whole_error:
        serial_index(text, monkeypatch)
    assert sliced_error.value.problems == whole_error.value.problems
    assert str(sliced_error.value).startswith("x.bib:1: this block is not valid BibTeX")


@pytest.mark.usefixtures("sliced")
@pytest.mark.parametrize("reader", READERS)
def test_a_key_repeated_across_slices_is_reported_like_in_one_piece(reader: Reader) -> None:
    text = "".join(f"@misc{{k{n}, title = {{T{n}}}}}\n\n" for n in range(30)) + (
        "@misc{k3, title = {Again}}\n"
    )
    with pytest.raises(LibraryError) as error:
        reader(text, source="papers.bib")
    assert str(error.value) == (
        "papers.bib:61: citation key 'k3' is already used by the entry at line 7; give one of"
        " the two entries another key (LaTeX can cite only one of them)"
    )


BLOCKS = st.one_of(
    st.builds(
        "@misc{{{}, title = {{{}}}, note = {{{}}}}}\n".format,
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        st.text(alphabet="ab {}@\\%\n", max_size=30),
        st.text(alphabet="x@\n{}misc", max_size=40),
    ),
    # Fields that reading expands or checks: macros, a concatenation, counts, dates, names.
    st.builds(
        "@misc{{{}, {} = {}}}\n".format,
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        st.sampled_from(["note", "month", "upvotes", "pubdate", "author"]),
        st.sampled_from(["{x}", "{12}", "jan", "s", "{2025-02-30}", "s # {y}", "{A and B}"]),
    ),
    st.sampled_from(
        [
            "% a comment line\n",
            "@string{s = {x}}\n",
            "@string{jan = {Janvier}}\n",
            "@comment{jabref-meta: x;}\n",
            "@preamble{ {\\relax} }\n",
            "\n",
            "@misc{broken, title = {open\n",
        ]
    ),
)


@pytest.mark.parametrize("reader", READERS)
@settings(max_examples=150, deadline=None)
@given(st.lists(BLOCKS, max_size=12), st.integers(min_value=2, max_value=4))
def test_slices_agree_with_one_piece_on_any_text(
    reader: Reader, blocks: list[str], parts: int
) -> None:
    text = "".join(blocks)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERSHELF_JOBS", "1")
        try:
            expected: object = reader(text, source="x.bib")
        except LibraryError as error:
            expected = str(error)
        patch.setenv("PAPERSHELF_JOBS", str(parts))
        with thresholds({Stage.LIBRARY_SLICES: 0}):
            try:
                found: object = reader(text, source="x.bib")
            except LibraryError as error:
                found = str(error)
    assert found == expected


def test_kept_index_is_used_only_for_its_own_text() -> None:
    index = index_library(LIBRARY, source="papers.bib")
    kept = dump_index(index, LIBRARY)
    assert load_index(kept, LIBRARY) == index
    assert load_index(kept, LIBRARY + "\n") is None
    assert load_index(kept, LIBRARY.replace("Attention", "Intention")) is None


def damaged(kept: str, change: str) -> str:
    document = json.loads(kept)
    if change == "stamp":
        document["stamp"] = "papershelf 0.0.1; bibtexparser 2.0.0; index 0"
    elif change == "start":
        document["rows"][0][0] += 1
    elif change == "overlap":
        document["rows"][1][0] = document["rows"][0][0]
    elif change == "key":
        document["rows"][0][2] = "somebody-else"
    elif change == "ids":
        document["rows"][0][3] = "2509.08519"
    elif change == "rows":
        document["rows"] = {"0": []}
    return json.dumps(document)


@pytest.mark.parametrize("change", ["stamp", "start", "overlap", "key", "ids", "rows"])
def test_damaged_or_foreign_index_is_ignored(change: str) -> None:
    kept = dump_index(index_library(LIBRARY, source="papers.bib"), LIBRARY)
    assert load_index(damaged(kept, change), LIBRARY) is None


@pytest.mark.parametrize("data", ["", "not json", "[]", '{"rows": 3}', "\x00\x01"])
def test_garbage_is_no_index(data: str) -> None:
    assert load_index(data, LIBRARY) is None
