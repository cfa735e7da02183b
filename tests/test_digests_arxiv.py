"""arXiv's own formats: listing e-mails, RSS and Atom feeds, API answers, and hostile twins."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.policy
from email.message import EmailMessage

import pytest

from conftest import DATA
from papershelf.digests import parse_digest
from papershelf.digests.arxiv_api import parse_arxiv_api
from papershelf.digests.arxiv_email import parse_arxiv_email
from papershelf.digests.arxiv_feed import parse_arxiv_atom, parse_arxiv_rss
from papershelf.digests.arxiv_fields import split_authors
from papershelf.errors import DigestError
from papershelf.model import AnnounceType, DateOrigin, LinkKind, Paper, Source

EMAIL = (DATA / "arxiv-email-listing.txt").read_text("utf-8")
RSS = (DATA / "arxiv-rss-cs.xml").read_text("utf-8")
ATOM = (DATA / "arxiv-atom-cs.xml").read_text("utf-8")
API_2026 = (DATA / "arxiv-api-atom-2026.xml").read_text("utf-8")
API_CLASSIC = (DATA / "arxiv-api-atom-classic.xml").read_text("utf-8")
NOV21 = dt.date(2024, 11, 21)


def problems(parse: object, text: str) -> list[str]:
    with pytest.raises(DigestError) as raised:
        parse(text, source="d", digest_date=None)  # type: ignore[operator]
    return [str(problem) for problem in raised.value.problems]


def without_source(papers: list[Paper]) -> list[Paper]:
    return [dataclasses.replace(paper, source=Source("x")) for paper in papers]


# --- authors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        pytest.param("Alice Smith, Bob Jones", ("Alice Smith", "Bob Jones"), id="commas"),
        pytest.param("Grace Hopper and Alan Turing", ("Grace Hopper", "Alan Turing"), id="and"),
        pytest.param("A. One, B. Two, and C. Three", ("A. One", "B. Two", "C. Three"), id="oxford"),
        pytest.param(
            "Ann Lee (MIT), Bo Li (1 and 2) ((1) X, (2) Y)", ("Ann Lee", "Bo Li"), id="affiliations"
        ),
        pytest.param("Robert Smith, Jr. and Zoe Chen", ("Robert Smith Jr.", "Zoe Chen"), id="jr"),
        pytest.param(r"Jos\'e Garc\'ia, M\"uller", ("José García", "Müller"), id="tex-accents"),
        pytest.param("Ann Lee, et al.", ("Ann Lee",), id="et-al"),
        pytest.param("  Ann\n  Lee ;  Bo Li ", ("Ann Lee", "Bo Li"), id="wrapped-and-semicolon"),
        pytest.param("ATLAS Collaboration", ("ATLAS Collaboration",), id="collaboration"),
    ],
)
def test_author_lists_are_split_into_names(text: str, names: tuple[str, ...]) -> None:
    assert split_authors(text) == names


# --- listing e-mails -------------------------------------------------------------------------


def test_email_reads_new_cross_listed_and_replaced_papers() -> None:
    papers = parse_arxiv_email(EMAIL, source="e.txt", digest_date=None)
    assert [(paper.arxiv_id, paper.announce_type) for paper in papers] == [
        ("2411.13560", AnnounceType.NEW),
        ("2411.13566", AnnounceType.NEW),
        ("2411.13617", AnnounceType.NEW),
        ("2411.12001", AnnounceType.CROSS),
        ("1706.03762", AnnounceType.REPLACE),
        ("hep-th/9711200", AnnounceType.REPLACE_CROSS),
    ]
    assert all(paper.announced == NOV21 for paper in papers), "the end of 'received from ... to'"
    water = papers[1]
    assert water.title == (
        "Integrated Water Resource Management in the Segura Hydrographic Basin: An Artificial"
        " Intelligence Approach"
    )
    assert water.authors[-2:] == ("Markel Flores", "Marco Quartulli"), "unwrapped across lines"
    assert (water.date, water.date_origin, water.arxiv_version) == (
        dt.date(2024, 11, 11),
        DateOrigin.GIVEN,
        1,
    )
    assert (
        water.journal_ref == "Journal of Environmental Management, Volume 370, 2024, ISSN 0301-4797"
    )
    assert water.doi == "10.1016/j.jenvman.2024.122526"
    assert water.arxiv_comment == "15 pages, 14 figures, 8 tables"
    assert water.abstract.startswith("Managing resources effectively in uncertain demand, variable")
    assert "\n" not in water.abstract
    assert papers[0].categories == ("cs.AI", "cs.ET", "eess.SP")
    assert papers[0].primary_class == "cs.AI"
    knights = papers[2]
    assert knights.authors == ("José García", "Ann-Kathrin Müller", "Robert Smith Jr.", "Zoë Chen")
    assert knights.links[0].url == "https://github.com/example-lab/knights-knaves"
    assert knights.links[0].kind is LinkKind.CODE
    assert knights.title == r"Reasoning about Knights \& Knaves with Small Language Models"


def test_a_replacement_has_no_abstract_and_takes_its_date_from_the_id() -> None:
    papers = parse_arxiv_email(EMAIL, source="e.txt", digest_date=None)
    attention = papers[4]
    assert attention.abstract == ""
    assert (attention.date, attention.date_origin) == (dt.date(2017, 6, 1), DateOrigin.ARXIV_ID)
    assert attention.arxiv_version is None, "the listing does not say which version"
    maldacena = papers[5]
    assert maldacena.date == dt.date(1997, 11, 1)
    assert maldacena.arxiv_comment is not None
    assert maldacena.arxiv_comment.endswith("v3: more references and a sign corrected")


def test_email_lines_are_the_files_lines() -> None:
    papers = parse_arxiv_email(EMAIL, source="e.txt", digest_date=None)
    lines = EMAIL.split("\n")
    for paper in papers:
        assert paper.source.line is not None
        assert lines[paper.source.line - 1].startswith(f"arXiv:{paper.arxiv_id}")


def test_the_whole_eml_reads_as_its_body() -> None:
    """Quoted-printable with soft line breaks; one name in UTF-8 instead of TeX accents."""
    eml = (DATA / "arxiv-email-listing.eml").read_text("utf-8")
    from_eml = parse_arxiv_email(eml, source="e.eml", digest_date=None)
    from_body = parse_arxiv_email(EMAIL, source="e.txt", digest_date=None)
    assert without_source(from_eml) == without_source(from_body)


def message(body: str, cte: str, *, html: bool = False) -> str:
    mail = EmailMessage(policy=email.policy.SMTP.clone(linesep="\n"))
    mail["From"] = "no-reply@arxiv.org"
    mail["Subject"] = "cs daily Subj-class mailing 200 1"
    mail["Date"] = "Thu, 21 Nov 2024 20:31:07 -0500"
    mail.set_content(body, cte=cte)
    if html:
        mail.add_alternative("<p>the same listing in HTML</p>", subtype="html")
    return mail.as_string()


@pytest.mark.parametrize(
    ("cte", "html"),
    [
        pytest.param("base64", False, id="base64"),
        pytest.param("8bit", False, id="8bit"),
        pytest.param("quoted-printable", True, id="multipart-alternative"),
    ],
)
def test_eml_in_every_transfer_encoding(cte: str, html: bool) -> None:
    eml = message(EMAIL, cte, html=html)
    papers = parse_digest(eml, source="e.eml", digest_date=None)
    assert [paper.arxiv_id for paper in papers][:2] == ["2411.13560", "2411.13566"]
    assert len(papers) == 6
    if cte == "8bit":  # the body's lines are the file's, after the headers
        lines = eml.split("\n")
        assert all(lines[p.source.line - 1].startswith("arXiv:") for p in papers if p.source.line)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            EMAIL[: EMAIL.index("\\\\ ( https://arxiv.org/abs/2411.13566")],
            "d:32: the e-mail ends inside this block (no closing '\\\\ ( https://...' line);"
            " paste the whole e-mail",
            id="truncated",
        ),
        pytest.param(
            EMAIL.replace("Title: Speech Tokenizers for Spoken Language Models\n", ""),
            "d:70: the block of arXiv:2411.12001 has no 'Title:' line",
            id="no-title",
        ),
        pytest.param(
            EMAIL.replace("arXiv:2411.13617\n", "arXiv:2413.13617\n"),
            "d:54: expected 'arXiv:ID' after the '\\\\' line, found 'arXiv:2413.13617'",
            id="no-such-id",
        ),
        pytest.param(
            EMAIL.replace(
                "( https://arxiv.org/abs/2411.13560 ,", "( https://arxiv.org/abs/2411.99999 ,"
            ),
            "d:29: this block closes with 2411.99999 but opened with 2411.13560",
            id="mismatched-close",
        ),
        pytest.param(
            EMAIL.replace("Categories: cs.AI cs.ET eess.SP\n", "Categories cs.AI\n"),
            "d:22: 'Categories cs.AI' is not a 'Name: value' line of the block",
            id="not-a-field",
        ),
    ],
)
def test_a_broken_email_is_reported_with_its_line(text: str, expected: str) -> None:
    assert expected in problems(parse_arxiv_email, text)


def test_an_eml_without_text_is_refused() -> None:
    mail = EmailMessage()
    mail["From"] = "no-reply@arxiv.org"
    mail["Subject"] = "listing"
    mail.set_content("<p>only HTML</p>", subtype="html")
    assert problems(parse_arxiv_email, mail.as_string()) == [
        "d: this e-mail has no text/plain part; save the listing e-mail as plain text"
    ]


def test_a_damaged_base64_body_is_refused() -> None:
    eml = message(EMAIL, "base64")
    head, _, body = eml.partition("\n\n")
    damaged = head + "\n\n" + body[:-7] + "!!\n"
    (problem,) = problems(parse_arxiv_email, damaged)
    assert problem.startswith("d: the e-mail's text is damaged (InvalidBase64")


def test_hostile_text_in_an_email_is_kept_as_text() -> None:
    hostile = EMAIL.replace(
        "Title: Speech Tokenizers for Spoken Language Models",
        "Title: <script>alert(1)</script> \\input{/etc/passwd} \\write18{touch pwned}",
    )
    paper = parse_arxiv_email(hostile, source="d", digest_date=None)[3]
    assert paper.title == "<script>alert(1)</script> \\input{/etc/passwd} \\write18{touch pwned}"


# --- RSS and Atom feeds ----------------------------------------------------------------------


@pytest.mark.parametrize("parse", [parse_arxiv_rss, parse_arxiv_atom], ids=["rss", "atom"])
def test_feed_items_become_papers(parse: object) -> None:
    text = RSS if parse is parse_arxiv_rss else ATOM
    papers = parse(text, source="f.xml", digest_date=None)  # type: ignore[operator]
    assert [(p.arxiv_id, p.arxiv_version, p.announce_type) for p in papers] == [
        ("2411.13560", 1, AnnounceType.NEW),
        ("2411.13566", 1, AnnounceType.NEW),
        ("2411.12001", 1, AnnounceType.CROSS),
        ("1706.03762", 8, AnnounceType.REPLACE),
        ("hep-th/9711200", 3, AnnounceType.REPLACE_CROSS),
    ]
    new, water, cross, replaced, _ = papers
    assert new.abstract.startswith("High-performance analog"), (
        "no 'arXiv:ID Announce Type' preamble"
    )
    assert (new.date, new.date_origin, new.announced) == (
        dt.date(2024, 11, 22),
        DateOrigin.GIVEN,
        dt.date(2024, 11, 22),
    )
    assert (cross.date, cross.date_origin) == (dt.date(2024, 11, 1), DateOrigin.ARXIV_ID)
    assert replaced.authors[0] == "Ashish Vaswani"
    assert len(replaced.authors) == 8
    assert water.doi == "10.1016/j.jenvman.2024.122526"
    assert (
        water.journal_ref == "Journal of Environmental Management, Volume 370, 2024, ISSN 0301-4797"
    )
    assert cross.categories == ("eess.AS", "cs.AI", "cs.SD")


def test_rss_and_atom_of_one_announcement_are_the_same_papers() -> None:
    rss = parse_arxiv_rss(RSS, source="f", digest_date=None)
    atom = parse_arxiv_atom(ATOM, source="f", digest_date=None)
    assert without_source(rss) == without_source(atom)


def test_email_and_feed_agree_on_what_both_say() -> None:
    by_id = {
        paper.arxiv_id: paper for paper in parse_arxiv_email(EMAIL, source="e", digest_date=None)
    }
    for paper in parse_arxiv_rss(RSS, source="f", digest_date=None):
        other = by_id[paper.arxiv_id]
        assert (paper.title, paper.authors, paper.doi) == (other.title, other.authors, other.doi)


HOSTILE_XML = [
    pytest.param(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaa">\n'
        '<!ENTITY b "&a;&a;&a;&a;">\n]>\n'
        "<rss><channel><item><title>&b;</title></item></channel></rss>",
        "d:2: this XML declares a document type (<!DOCTYPE ...>), which {what} never has;"
        " papershelf reads no DTD and expands no entity",
        id="entity-expansion-bomb",
    ),
    pytest.param(
        '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "file:///etc/passwd">\n<rss/>',
        "d:2: this XML declares a document type (<!DOCTYPE ...>), which {what} never has;"
        " papershelf reads no DTD and expands no entity",
        id="external-dtd",
    ),
    pytest.param(
        "<rss>\n<channel>\n<item><title>&nbsp;x</title></item></channel></rss>",
        "d:3: invalid XML: undefined entity (column 13)",
        id="undefined-entity",
    ),
    pytest.param(
        "<rss>\n<channel>\n<item><title>cut off",
        "d:3: invalid XML: no element found (column 20); is the file complete?",
        id="truncated",
    ),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE_XML)
@pytest.mark.parametrize(
    ("parse", "what"),
    [
        pytest.param(parse_arxiv_rss, "an arXiv RSS feed", id="rss"),
        pytest.param(parse_arxiv_atom, "an arXiv Atom feed", id="atom"),
        pytest.param(parse_arxiv_api, "an arXiv API answer", id="api"),
    ],
)
def test_hostile_xml_is_refused(parse: object, what: str, text: str, expected: str) -> None:
    assert problems(parse, text) == [expected.format(what=what)]


def test_truncated_fixture_names_its_last_line() -> None:
    cut = RSS[: RSS.index("<title>Attention")]
    (problem,) = problems(parse_arxiv_rss, cut)
    assert problem.startswith(f"d:{cut.count(chr(10)) + 1}: invalid XML: no element found")


def test_markup_and_tex_in_feed_titles_are_text() -> None:
    hostile = RSS.replace(
        "<title>Speech Tokenizers for Spoken Language Models</title>",
        "<title>&lt;script&gt;alert(1)&lt;/script&gt; <![CDATA[\\input{/etc/passwd}]]> "
        "<b>bold</b></title>",
    )
    paper = parse_arxiv_rss(hostile, source="f", digest_date=None)[2]
    assert paper.title == "<script>alert(1)</script> \\input{/etc/passwd} bold"


def test_feed_items_without_an_id_or_title_are_reported_with_their_line() -> None:
    text = RSS.replace("<title>Attention Is All You Need</title>", "<title> </title>")
    text = text.replace("oai:arXiv.org:2411.12001v1", "something else")
    text = text.replace("arXiv:2411.12001v1 Announce", "Announce")
    text = text.replace("<link>https://arxiv.org/abs/2411.12001</link>", "<link/>")
    assert problems(parse_arxiv_rss, text) == [
        "d:45: item 2: names no arXiv id (in guid, description or link); is this an arXiv feed?",
        "d:59: item 3: arXiv:1706.03762 has no title",
    ]


def test_a_feed_of_a_day_without_announcements_is_an_error() -> None:
    empty = RSS[: RSS.index("    <item>")] + "  </channel>\n</rss>\n"
    assert problems(parse_arxiv_rss, empty) == [
        "d: the feed holds no <item>: no papers were announced in it"
    ]


# --- API answers -----------------------------------------------------------------------------


def test_api_2026_layout() -> None:
    papers = parse_arxiv_api(API_2026, source="a.xml", digest_date=None)
    assert [paper.arxiv_id for paper in papers] == ["2606.13677", "2606.13591", "2606.13501"]
    mana = papers[0]
    assert mana.authors == ("Zhao-Heng Yin", "Guanya Shi", "Pieter Abbeel", "C. Karen Liu")
    assert (mana.date, mana.date_origin, mana.arxiv_version) == (
        dt.date(2026, 6, 11),
        DateOrigin.GIVEN,
        1,
    )
    assert mana.categories == ("cs.RO", "cs.AI", "cs.CV", "cs.LG")
    assert mana.links_of(LinkKind.PROJECT) == ("https://zhaohengyin.github.io/mana",)
    assert "\n" not in papers[2].abstract
    assert "This paper argues" in papers[2].abstract


def test_api_classic_layout_with_per_element_namespaces_and_wrapped_titles() -> None:
    papers = parse_arxiv_api(API_CLASSIC, source="a.xml", digest_date=None)
    water, attention, maldacena = papers
    assert water.title.endswith("Basin: An Artificial Intelligence Approach")
    assert water.authors[0] == "Urtzi Otamendi", "the affiliation is not part of the name"
    assert (water.arxiv_version, water.primary_class, water.doi) == (
        2,
        "cs.AI",
        "10.1016/j.jenvman.2024.122526",
    )
    assert (
        water.journal_ref == "Journal of Environmental Management, Volume 370, 2024, ISSN 0301-4797"
    )
    assert (attention.date, attention.arxiv_version) == (dt.date(2017, 6, 12), 7)
    assert maldacena.arxiv_id == "hep-th/9711200"
    assert maldacena.doi == "10.4310/ATMP.1998.v2.n2.a1"


def test_api_doi_falls_back_to_the_doi_link() -> None:
    text = API_CLASSIC.replace(
        '<arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.1016/j.jenvman.2024.122526'
        "</arxiv:doi>",
        "",
    )
    assert parse_arxiv_api(text, source="a", digest_date=None)[0].doi == (
        "10.1016/j.jenvman.2024.122526"
    )


def test_an_api_error_answer_is_a_problem() -> None:
    answer = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>ArXiv Query: id_list=2410.1724</title>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_2410.1724</id>
    <title>Error</title>
    <summary>incorrect id format for 2410.1724</summary>
  </entry>
</feed>
"""
    assert problems(parse_arxiv_api, answer) == [
        "d:5: entry 0: the arXiv API answered with an error: incorrect id format for 2410.1724"
    ]


def test_an_empty_api_answer_is_a_problem() -> None:
    empty = API_CLASSIC[: API_CLASSIC.index("  <entry>")].replace(">3<", ">0<") + "</feed>\n"
    assert problems(parse_arxiv_api, empty) == [
        "d: the API answer holds no papers (totalResults 0)"
    ]


# --- 10,000 entries --------------------------------------------------------------------------


def rss_of(count: int) -> str:
    item = RSS[RSS.index("    <item>") : RSS.index("    </item>") + len("    </item>\n")]
    items = "".join(
        item.replace("2411.13560", f"2411.{number:05d}").replace("AMSnet-KG", f"Paper {number}")
        for number in range(count)
    )
    return RSS[: RSS.index("    <item>")] + items + "  </channel>\n</rss>\n"


def email_of(count: int) -> str:
    block = EMAIL[EMAIL.index("\\\\\narXiv:2411.13560") : EMAIL.index("\\\\\narXiv:2411.13566")]
    blocks = "".join(block.replace("2411.13560", f"2411.{number:05d}") for number in range(count))
    return EMAIL[: EMAIL.index("\\\\\narXiv:2411.13560")] + blocks


def api_of(count: int) -> str:
    entry = API_2026[API_2026.index("  <entry>") : API_2026.index("  </entry>") + 11]
    entries = "".join(entry.replace("2606.13677", f"2606.{number:05d}") for number in range(count))
    return API_2026[: API_2026.index("  <entry>")] + entries + "</feed>\n"


@pytest.mark.parametrize(
    ("make", "fmt"),
    [
        pytest.param(rss_of, "arxiv-rss", id="rss"),
        pytest.param(email_of, "arxiv-email", id="email"),
        pytest.param(api_of, "arxiv-api", id="api"),
        pytest.param(
            lambda count: "\n".join(f"arXiv:2411.{n:05d}v2" for n in range(count)),
            "id-list",
            id="id-list",
        ),
    ],
)
def test_ten_thousand_entries(make: object, fmt: str) -> None:
    text = make(10_000)  # type: ignore[operator]
    papers = parse_digest(text, source="big", digest_date=NOV21)
    assert len(papers) == 10_000
    assert len({paper.arxiv_id for paper in papers}) == 10_000
    assert papers[-1].arxiv_id == ("2606.09999" if fmt == "arxiv-api" else "2411.09999")
    assert all(paper.title or fmt == "id-list" for paper in papers)
