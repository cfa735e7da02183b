"""A library as the site publishes it: private fields cut as bibtexparser splits the entries."""

from __future__ import annotations

import re

import bibtexparser
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import DATA, InteropLibrary, interop_id, interop_libraries
from papershelf.bib.fields import LINK_FIELDS, OWN_FIELDS, PRIVATE_FIELDS
from papershelf.bib.merge import FIELD_ORDER
from papershelf.bib.publish import published_text
from papershelf.bib.read import read_library
from test_bib_check import LIBRARIES

PRIVATE = frozenset(PRIVATE_FIELDS)


# bibtexparser reads a `%` line inside an entry as part of the next field's name (or as a field
# of its own, `% a = {b}`); papershelf, biber and BibTeX read it as a comment (docs/guide/
# bibtex.md), and so does the field cutter, which may take such a line with the field after it.
_COMMENT_LINES = re.compile(r"^(?:%[^\n]*\n\s*)+")


def fields_of(text: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Return each entry of a text as bibtexparser reads it: type, key, (name, raw value), with
    `%` lines read as comments: out of the names, and no field of their own."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    assert library.failed_blocks == []
    entries = []
    for entry in library.entries:
        fields = [(_COMMENT_LINES.sub("", field.key), field.value) for field in entry.fields]
        kept = [(name, value) for name, value in fields if not name.startswith("%")]
        entries.append((entry.entry_type, entry.key, kept))
    return entries


@pytest.mark.parametrize(
    ("text", "exclude", "expected"),
    [
        pytest.param(
            "@misc{k,\n  title = {T},\n  file = {a.pdf}\n}\n",
            ["file"],
            "@misc{k,\n  title = {T},\n}\n",
            id="last-field",
        ),
        pytest.param(
            "@misc{k,\n  file = {a.pdf},\n  title = {T}\n}\n",
            ["file"],
            "@misc{k,\n  title = {T}\n}\n",
            id="first-field",
        ),
        pytest.param("@misc{k, file = {a.pdf}}", ["file"], "@misc{k,}", id="only-field"),
        pytest.param(
            '@misc{k,\n  Owner = "me, {you}",\n  title = {T},\n}\n',
            ["owner"],
            "@misc{k,\n  title = {T},\n}\n",
            id="quoted-value-any-case",
        ),
        pytest.param(
            "@misc{k,\n  title = {T},\n  % added by me\n  owner = {me},\n  year = 2020\n}\n",
            ["owner"],
            "@misc{k,\n  title = {T},\n  year = 2020\n}\n",
            id="comment-before-goes-with-it",
        ),
        pytest.param(
            '@misc{k,\n  abstract = {file = {x}, owner = y},\n  note = "owner = z"\n}\n',
            ["file", "owner"],
            '@misc{k,\n  abstract = {file = {x}, owner = y},\n  note = "owner = z"\n}\n',
            id="names-inside-values-stay",
        ),
        pytest.param(
            "@misc(k,\n  file = {a},\n  profile = {b}\n)\n",
            ["file"],
            "@misc(k,\n  profile = {b}\n)\n",
            id="parentheses-and-a-longer-name",
        ),
        pytest.param(
            "@string{o = {me}}\n@misc{k,\n  owner = o # { too},\n  title = {T}\n}\n",
            ["owner"],
            "@string{o = {me}}\n@misc{k,\n  title = {T}\n}\n",
            id="concatenated-macro-value",
        ),
        pytest.param(
            "@misc{k, title = {T}}\n",
            [],
            "@misc{k, title = {T}}\n",
            id="nothing-to-leave-out",
        ),
    ],
)
def test_published_text(text: str, exclude: list[str], expected: str) -> None:
    assert published_text(text, exclude) == expected


def test_jabref_metadata_goes_other_comments_stay() -> None:
    text = (
        "@Comment{jabref-meta: databaseType:bibtex;}\n\n"
        "@misc{k, title = {T}}\n\n"
        "@comment{my own note}\n"
        "@Comment{jabref-meta: grouping:\n0 AllEntriesGroup:;\n1 StaticGroup:Secret\\;0\\;1;\n}\n"
    )
    assert published_text(text, [], jabref_meta=True) == (
        "\n@misc{k, title = {T}}\n\n@comment{my own note}\n"
    )
    assert published_text(text, []) == text


def test_the_fixture_library_keeps_every_public_field() -> None:
    text = (DATA / "private_fields.bib").read_text(encoding="utf-8")
    published = published_text(text, PRIVATE, jabref_meta=True)
    assert "PRIVATE" not in published
    assert "jabref-meta" not in published
    before, after = fields_of(text), fields_of(published)
    assert [(kind, key) for kind, key, _ in after] == [(kind, key) for kind, key, _ in before]
    for (_, key, fields), (_, _, kept) in zip(before, after, strict=True):
        public = [(name, value) for name, value in fields if name.lower() not in PRIVATE]
        assert kept == public, key
    # A field papershelf does not know to be private stays.
    assert "bdsk-note" in published


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(LIBRARIES, st.sets(st.sampled_from(["title", "year", "url", "note", "Title", "a"])))
@example('@misc{a,\n  url = {x},\n  title = "a { b", % c\n  year = 2020\n}\n', {"title"})
@example("@misc{a,\n  title = {},\n   = {},\n  % a comment\n  title = {},\n}\n", {"title"})
@example("@misc{a,\n  author = {},\n% a = {b},\n  note = {},\n}\n", {"note"})
def test_cutting_fields_leaves_what_bibtexparser_reads_less_those_fields(
    text: str, exclude: set[str]
) -> None:
    library = bibtexparser.parse_string(text, parse_stack=[])
    # Only what bibtexparser reads whole: the scanner follows its splitter there.
    if library.failed_blocks:
        return
    names = {name.lower() for name in exclude}
    published = published_text(text, exclude)
    expected = [
        (kind, key, [(name, value) for name, value in fields if name.lower() not in names])
        for kind, key, fields in fields_of(text)
    ]
    assert fields_of(published) == expected


def test_the_field_tables() -> None:
    # papershelf's own fields end the order it writes fields in; no private field is its own.
    assert FIELD_ORDER[-len(OWN_FIELDS) :] == OWN_FIELDS
    assert set(LINK_FIELDS) <= set(OWN_FIELDS)
    assert PRIVATE.isdisjoint(FIELD_ORDER)
    assert all(name == name.lower() for name in PRIVATE)


@pytest.mark.parametrize("library", interop_libraries(), ids=interop_id)
def test_no_interop_library_publishes_a_private_field(library: InteropLibrary) -> None:
    text = library.read_text()
    parsed = bibtexparser.parse_string(text, parse_stack=[])
    if parsed.failed_blocks:
        return  # what bibtexparser cannot read, papershelf refuses to publish anyway
    published = published_text(text, PRIVATE, jabref_meta=True)
    for _, key, fields in fields_of(published):
        assert PRIVATE.isdisjoint(name.lower() for name, _ in fields), key
    assert "jabref-meta" not in published.lower()
    before = {key: fields for _, key, fields in fields_of(text)}
    after = {key: fields for _, key, fields in fields_of(published)}
    assert list(after) == list(before)
    for key, fields in before.items():
        assert after[key] == [(n, v) for n, v in fields if n.lower() not in PRIVATE], key


def test_the_field_names_the_reader_found_spare_the_search_and_change_nothing() -> None:
    text = (DATA / "private_fields.bib").read_text(encoding="utf-8")
    for entry in read_library(text, source="private_fields.bib"):
        for exclude in (PRIVATE, frozenset({"isbn", "bdsk-note"}), frozenset({"nothing"})):
            assert published_text(entry.bibtex, exclude, present=entry.field_names) == (
                published_text(entry.bibtex, exclude)
            ), (entry.key, exclude)
    assert "bdsk-note" in read_library(text, source="x.bib")[2].field_names
