"""Format detection and dispatch: every digest reaches its parser, anything else is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, SAMPLE_DIGEST
from papershelf import (
    DateOrigin,
    DigestError,
    DigestReader,
    Paper,
    Problem,
    UsageError,
    detect_format,
    parse_digest,
)
from papershelf.digests import READERS, ReaderRegistry, Sniff
from papershelf.model import Source
from papershelf.naming import CLI_NAMES, OptionNames

LISTING = "\n".join(
    f"  {reader.name.ljust(max(len(name) for name in READERS.names))}  {reader.description}"
    for reader in READERS.readers
)
UNREADABLE = (
    "not a digest papershelf can read; it reads these formats (see docs/guide/digests.md):\n"
    + LISTING
)
BINARY = "this looks like a binary file, not a text digest; papershelf reads these formats:\n"
BINARY += LISTING


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        pytest.param("hf-papers-page.txt", "hf-text", id="text"),
        pytest.param("hf-papers-page-markdown.md", "hf-markdown", id="markdown"),
        pytest.param("hf-daily-papers-2024-10.json", "hf-json", id="json-2024"),
        pytest.param("hf-daily-papers-2026.json", "hf-json", id="json-2026"),
    ],
)
def test_detect_samples(name: str, fmt: str) -> None:
    assert detect_format((DATA / name).read_text("utf-8"), source=name).name == fmt


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        pytest.param("\ufeff  \n[]", "hf-json", id="json-after-bom"),
        pytest.param('{"papers": []}', "hf-json", id="json-object"),
        pytest.param('[\n  {"paper": {"title": ', "hf-json", id="broken-json-still-json"),
        pytest.param("Title\r\n\r\nAbstract\r\n\u00b7\r\nMar 6\r\n", "hf-text", id="crlf"),
        pytest.param("Title\n\nAbstract\n\n  \u2022 1 authors\n", "hf-text", id="authors"),
        pytest.param("### [T](https://huggingface.co/papers/1)\n", "hf-markdown", id="md"),
        pytest.param("### [T](https://example.org/1)\n", "hf-markdown", id="md-other-link"),
        pytest.param(
            "[Re] Reproducing a Study\n\nAbstract\n\n  \u2022 2 authors\n\u00b7\nMar 6\n",
            "hf-text",
            id="text-title-in-brackets",
        ),
        pytest.param(
            "[101](https://huggingface.co/login)\n\n### [T](https://huggingface.co/papers/2)\n",
            "hf-markdown",
            id="md-starting-with-a-link",
        ),
    ],
)
def test_detect_format(text: str, fmt: str) -> None:
    assert detect_format(text, source="x").name == fmt


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "x: the digest is empty; paste a digest into it or delete it", id="empty"),
        pytest.param(
            " \n\t\r\n ",
            "x: the digest is empty; paste a digest into it or delete it",
            id="whitespace",
        ),
        pytest.param("Lorem ipsum dolor sit amet.\n\nMar 6\n", f"x: {UNREADABLE}", id="prose"),
        pytest.param("\u00b7\n\u00b7\n\u00b7\n", f"x: {UNREADABLE}", id="only-middle-dots"),
        pytest.param("[1, 2, 3]\n", f"x: {UNREADABLE}", id="json-but-no-items"),
        pytest.param(
            "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            f"x: {BINARY}",
            id="binary",
        ),
    ],
)
def test_detect_refuses(text: str, message: str) -> None:
    with pytest.raises(DigestError) as raised:
        detect_format(text, source="x")
    assert str(raised.value) == message


def test_the_not_a_digest_message_lists_every_format_and_recommends_no_format() -> None:
    with pytest.raises(DigestError) as raised:
        detect_format("Lorem ipsum dolor sit amet.\n", source="x")
    message = str(raised.value)
    assert "--format" not in message
    for reader in READERS.readers:
        assert f"  {reader.name} " in message
        assert message.count(reader.description) == 1


def test_parse_digest_detects_and_dispatches() -> None:
    text = SAMPLE_DIGEST.read_text("utf-8")
    papers = parse_digest(text, source="s.txt", digest_date=dt.date(2025, 10, 30))
    assert len(papers) == 42
    assert papers[0].date_origin is DateOrigin.YEAR_INFERRED
    json_papers = parse_digest(
        (DATA / "hf-daily-papers-2024-10.json").read_text("utf-8"),
        source="d.json",
        digest_date=None,
    )
    assert [paper.arxiv_id for paper in json_papers] == ["2410.17243", "2410.18533"]


def test_parse_digest_honours_an_explicit_format() -> None:
    text = (DATA / "hf-papers-page-markdown.md").read_text("utf-8")
    as_markdown = parse_digest(text, source="m.md", digest_date=None, fmt="hf-markdown")
    assert [paper.arxiv_id for paper in as_markdown] == ["2606.00683", "2502.20581"]
    with pytest.raises(DigestError, match=r"^m\.md: --format hf-json does not recognise this text"):
        parse_digest(text, source="m.md", digest_date=None, fmt="hf-json")
    # a text no reader recognises is read as forced, and must hold papers
    with pytest.raises(
        DigestError, match=r"^t\.txt:1: invalid JSON: Expecting value \(column 1\)$"
    ):
        parse_digest("Lorem ipsum", source="t.txt", digest_date=None, fmt="hf-json")


def test_an_unknown_format_name_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^unknown digest format 'hf-pdf'; papershelf reads hf-"):
        parse_digest("x", source="x", digest_date=None, fmt="hf-pdf")


def test_the_registry_names_are_the_cli_names() -> None:
    assert READERS.names == (
        "hf-text",
        "hf-markdown",
        "hf-export",
        "hf-json",
        "arxiv-email",
        "arxiv-rss",
        "arxiv-atom",
        "arxiv-api",
        "id-list",
    )
    assert all(READERS.get(name).name == name for name in READERS.names)


# --- the registry itself, with readers made for the test --------------------------------------


def _reader(name: str, claim: Sniff, titles: tuple[str, ...] = ("A Paper",)) -> DigestReader:
    def parse(
        text: str, *, source: str, digest_date: dt.date | None, names: OptionNames = CLI_NAMES
    ) -> list[Paper]:
        return [
            Paper(title, "", Source(source, line=line), dt.date(2025, 1, 1))
            for line, title in enumerate(titles, start=1)
        ]

    return DigestReader(name, f"the {name} format", lambda text: claim, parse)


def test_the_strongest_claim_wins_whatever_the_order() -> None:
    weak, strong = _reader("weak", Sniff.POSSIBLE), _reader("strong", Sniff.CERTAIN)
    for order in ([weak, strong], [strong, weak]):
        assert ReaderRegistry(order).detect("text", source="x").name == "strong"


def test_a_tie_lists_the_tied_formats_and_how_to_choose() -> None:
    registry = ReaderRegistry(
        [_reader("one", Sniff.LIKELY), _reader("two", Sniff.LIKELY), _reader("low", Sniff.POSSIBLE)]
    )
    with pytest.raises(DigestError) as raised:
        registry.detect("text", source="x")
    assert str(raised.value) == (
        "x: this digest could be in any of these formats; pass --format NAME to choose one"
        " (see docs/guide/digests.md):\n  one  the one format\n  two  the two format"
    )


def test_two_readers_of_one_name_are_refused() -> None:
    with pytest.raises(ValueError, match="two digest readers are named 'one'"):
        ReaderRegistry([_reader("one", Sniff.NO), _reader("one", Sniff.NO)])


@pytest.mark.parametrize(
    ("titles", "line", "shown"),
    [
        pytest.param(("A Paper", "-" * 30), 2, "-" * 30, id="row-of-dashes"),
        pytest.param(("----- Send any comments",), 1, "----- Send any comments", id="rule"),
        pytest.param(("%-%-%-%-",), 1, "%-%-%-%-", id="percent-rule"),
        pytest.param(("...",), 1, "...", id="punctuation"),
        pytest.param(("word " * 150,), 1, ("word " * 8)[:37] + "...", id="a-whole-file"),
    ],
)
def test_a_reader_that_returns_no_paper_shaped_entry_is_an_error(
    titles: tuple[str, ...], line: int, shown: str
) -> None:
    registry = ReaderRegistry([_reader("junk", Sniff.CERTAIN, titles)])
    with pytest.raises(DigestError) as raised:
        registry.parse("text", source="x", digest_date=None)
    assert str(raised.value) == (
        f"x:{line}: reading as junk stopped at an entry titled {shown!r}, which is not a"
        " paper's title"
    )


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("C++ -> Rust: A Study", id="symbols-in-words"),
        pytest.param("\u4e2d\u6587\u6807\u9898", id="cjk"),
        pytest.param("\u03b2-VAE", id="greek"),
        pytest.param("Why? ... Because!", id="short-punctuation"),
    ],
)
def test_real_titles_are_paper_shaped(title: str) -> None:
    registry = ReaderRegistry([_reader("fine", Sniff.CERTAIN, (title,))])
    assert [paper.title for paper in registry.parse("t", source="x", digest_date=None)] == [title]


def test_a_reader_is_not_forced_on_a_text_another_reader_claims() -> None:
    junk = _reader("junk", Sniff.NO, ("A Paper",))
    registry = ReaderRegistry([junk, _reader("real", Sniff.LIKELY)])
    with pytest.raises(DigestError) as raised:
        registry.parse("text", source="x", digest_date=None, fmt="junk")
    assert str(raised.value) == (
        "x: --format junk does not recognise this text, which looks like real (the real"
        " format); leave out --format to read it as that"
    )


@pytest.mark.parametrize(
    ("own", "other"),
    [
        pytest.param(Sniff.POSSIBLE, Sniff.CERTAIN, id="it-recognises-the-text-too"),
        pytest.param(Sniff.NO, Sniff.POSSIBLE, id="only-a-loose-claim-against-it"),
        pytest.param(Sniff.LIKELY, Sniff.LIKELY, id="choosing-between-a-tie"),
    ],
)
def test_a_reader_may_be_forced(own: Sniff, other: Sniff) -> None:
    registry = ReaderRegistry([_reader("mine", own), _reader("other", other)])
    assert registry.parse("t", source="x", digest_date=None, fmt="mine")[0].title == "A Paper"


def test_a_forced_reader_of_junk_hints_at_the_format_the_text_is_in() -> None:
    junk = _reader("junk", Sniff.POSSIBLE, ("=" * 20,))
    registry = ReaderRegistry([junk, _reader("real", Sniff.CERTAIN)])
    with pytest.raises(DigestError) as raised:
        registry.parse("text", source="x", digest_date=None, fmt="junk")
    assert str(raised.value).endswith(
        "; this looks like real (the real format): leave out --format to read it as that"
    )


def test_a_forced_reader_that_finds_nothing_is_an_error() -> None:
    empty = _reader("empty", Sniff.NO, ())
    registry = ReaderRegistry([empty])
    with pytest.raises(DigestError) as raised:
        registry.parse("text", source="x", digest_date=None, fmt="empty")
    assert str(raised.value) == (
        "x: no papers found reading it as empty; is this really the empty format?"
    )


def test_forcing_the_text_reader_on_an_arxiv_email_is_an_error() -> None:
    """Issue 10: this gave one entry titled with a row of dashes, and exit status 0."""
    text = (
        "-" * 78 + "\n" + "-" * 78 + "\nSend any comments regarding submissions directly to"
        " submitter.\n" + "-" * 78 + "\n\\\\\narXiv:2411.13560\nDate: Thu, 7 Nov 2024 02:49:53"
        " GMT   (31214kb,D)\n\nTitle: AMSnet-KG: A Netlist Dataset\nAuthors: Yichen Shi\n"
    )
    with pytest.raises(DigestError) as raised:
        parse_digest(text, source="e.txt", digest_date=dt.date(2024, 11, 21), fmt="hf-text")
    assert str(raised.value).startswith(
        "e.txt: --format hf-text does not recognise this text, which looks like arxiv-email"
    )
    # Without the e-mail reader to recognise it, the junk entry itself is refused.
    registry = ReaderRegistry([READERS.get("hf-text")])
    with pytest.raises(DigestError) as raised:
        registry.parse(text, source="e.txt", digest_date=dt.date(2024, 11, 21), fmt="hf-text")
    assert str(raised.value).startswith("e.txt:1: reading as hf-text stopped at an entry titled")


def _fixtures() -> list[str]:
    return sorted(
        path.name for path in DATA.iterdir() if path.is_file() and path.suffix not in (".bib",)
    )


@pytest.mark.parametrize("name", _fixtures())
def test_forcing_any_other_format_on_a_fixture_is_an_error(name: str) -> None:
    """Issue 11: forcing a wrong format is an error, never an entry made of another format."""
    text = (DATA / name).read_text("utf-8")
    detected = detect_format(text, source=name).name
    for fmt in READERS.names:
        if fmt == detected:
            continue
        with pytest.raises(DigestError) as raised:
            parse_digest(text, source=name, digest_date=dt.date(2025, 10, 30), fmt=fmt)
        assert all(problem.file == name for problem in raised.value.problems), fmt


_PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        "Title",
        "A long abstract sentence that goes on. " * 5,
        "  \u2022 3 authors",
        "  \u2022 OCC",
        "\u00b7",
        "Mar 6",
        "Feb 30",
        "Dec 22, 2024 2",
        "19",
        "-",
        "[-] 4",
        "### [T](https://huggingface.co/papers/2501.00001)",
        "[5](https://x.io)",
        "May 29[6](https://x.io#community)",
        "\\\\",
        "---",
        "retrieved: 2026-13-40",
        "https://github.com/a/b).",
        "javascript:alert(1)",
        '{"paper": {"title": 1}}',
        "[",
        "\x00",
        "\r",
        "\\\\",
        "arXiv:2411.13560",
        "arXiv:2413.00001",
        "Title: A Paper",
        "Authors: A (B), C and D",
        "\\\\ ( https://arxiv.org/abs/2411.13560 , 1kb)",
        "replaced with revised version",
        "received from  Wed 20 Nov 24 19:00:00 GMT  to  Thu 31 Nov 24",
        "<?xml version='1.0'?>",
        "<rss><channel><item><title>T</title><guid>oai:arXiv.org:2411.13560v1</guid></item>",
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2411.1',
        "</entry></feed>",
        '<!DOCTYPE r [<!ENTITY a "a">]>',
        "&a;",
        "hep-th/9711200v3",
        "https://huggingface.co/papers/2410.05434",
        "---\nurl: https://huggingface.co/papers\nexported: 2026-02-30\n---",
        "From: no-reply@arxiv.org\nSubject: x\nContent-Transfer-Encoding: base64\n\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=40),
    fmt=st.sampled_from(READERS.names),
    digest_date=st.sampled_from([None, dt.date(2025, 10, 30)]),
)
def test_any_text_gives_papers_or_a_digest_error(
    pieces: list[str], fmt: str, digest_date: dt.date | None
) -> None:
    text = "".join(pieces)
    papers: list[Paper] = []
    problems: tuple[Problem, ...] = ()
    try:
        papers = parse_digest(text, source="f.txt", digest_date=digest_date, fmt=fmt)
    except DigestError as error:
        problems = error.problems
    assert bool(papers) != bool(problems)
    assert all(problem.file == "f.txt" for problem in problems)
    for paper in papers:
        assert paper.title or paper.arxiv_id, "only a paper known by its id has no title"
        assert paper.title == " ".join(paper.title.split())
        assert not any(ord(char) < 32 for char in paper.title + paper.abstract)
