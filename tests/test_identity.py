"""What makes two records one paper: the arXiv-id grammar, titles in comparison form, and the
one identity that merging (index rows) and rendering (`BibEntry.arxiv_id`) both see."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf import read_library
from papershelf.bib.index import index_library
from papershelf.identity import (
    ArxivId,
    arxiv_ids_in_text,
    arxiv_key,
    normalise_title,
    parse_arxiv_id,
)
from papershelf.site.paper_page import render_paper_page

# ---------------------------------------------------------------------------------------------
# The arXiv-id grammar


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # new style: four digits from 0704 to 1412, five from 1501
        pytest.param("2410.17243", ArxivId("2410.17243"), id="new-style"),
        pytest.param("2410.17243v2", ArxivId("2410.17243", 2), id="version"),
        pytest.param("2410.17243v12", ArxivId("2410.17243", 12), id="two-digit-version"),
        pytest.param("0704.0001", ArxivId("0704.0001"), id="first-new-style"),
        pytest.param("1412.7878", ArxivId("1412.7878"), id="last-four-digit-month"),
        pytest.param("1501.00001", ArxivId("1501.00001"), id="first-five-digit-month"),
        pytest.param("9912.12345v2", ArxivId("9912.12345", 2), id="december-2099"),
        pytest.param(" 2410.17243\n", ArxivId("2410.17243"), id="surrounding-space"),
        # old style: archive(.CLASS)/YYMMNNN from 1991-08 to 2007-03
        pytest.param("hep-th/9901001", ArxivId("hep-th/9901001"), id="old-style"),
        pytest.param("hep-th/9901001v1", ArxivId("hep-th/9901001", 1), id="old-style-version"),
        pytest.param("hep-th/9108001", ArxivId("hep-th/9108001"), id="first-old-style-month"),
        pytest.param("cond-mat/0703001", ArxivId("cond-mat/0703001"), id="last-old-style-month"),
        pytest.param("math.GT/0309136", ArxivId("math/0309136"), id="subject-class-dropped"),
        pytest.param("math.CA/0611800v2", ArxivId("math/0611800", 2), id="subject-class-version"),
        pytest.param("HEP-TH/9901001", ArxivId("hep-th/9901001"), id="archive-upper-case"),
        # prefixes
        pytest.param("arXiv:2410.17243", ArxivId("2410.17243"), id="arxiv-prefix"),
        pytest.param("arxiv: 2410.17243v3", ArxivId("2410.17243", 3), id="prefix-space"),
        pytest.param("ARXIV:hep-th/9901001", ArxivId("hep-th/9901001"), id="prefix-upper-case"),
        # URLs
        pytest.param("https://arxiv.org/abs/2410.17243", ArxivId("2410.17243"), id="abs-url"),
        pytest.param("http://arxiv.org/abs/2410.17243v2", ArxivId("2410.17243", 2), id="http"),
        pytest.param("https://arxiv.org/pdf/2410.17243v2", ArxivId("2410.17243", 2), id="pdf"),
        pytest.param("https://arxiv.org/pdf/2410.17243.pdf", ArxivId("2410.17243"), id=".pdf"),
        pytest.param(
            "https://arxiv.org/pdf/2410.17243v1.pdf", ArxivId("2410.17243", 1), id="v1.pdf"
        ),
        pytest.param("https://arxiv.org/html/2410.17243v1", ArxivId("2410.17243", 1), id="html"),
        pytest.param("https://export.arxiv.org/abs/2410.17243", ArxivId("2410.17243"), id="export"),
        pytest.param("https://www.arxiv.org/abs/2410.17243", ArxivId("2410.17243"), id="www"),
        pytest.param("arxiv.org/abs/2410.17243", ArxivId("2410.17243"), id="no-scheme"),
        pytest.param("https://arxiv.org/abs/2410.17243/", ArxivId("2410.17243"), id="slash"),
        pytest.param(
            "https://arxiv.org/abs/2410.17243?context=cs", ArxivId("2410.17243"), id="query"
        ),
        pytest.param(
            "https://arxiv.org/abs/hep-th/9901001", ArxivId("hep-th/9901001"), id="old-style-url"
        ),
        pytest.param(
            "https://huggingface.co/papers/2410.17243", ArxivId("2410.17243"), id="hf-paper"
        ),
        pytest.param("huggingface.co/papers/2410.17243", ArxivId("2410.17243"), id="hf-no-scheme"),
        pytest.param("https://hf.co/papers/2410.17243", ArxivId("2410.17243"), id="hf-short-host"),
        pytest.param(
            "https://huggingface.co/papers/2410.17243#community",
            ArxivId("2410.17243"),
            id="hf-fragment",
        ),
        # the arXiv DOI
        pytest.param("10.48550/arXiv.2410.17243", ArxivId("2410.17243"), id="doi"),
        pytest.param("10.48550/ARXIV.2410.17243", ArxivId("2410.17243"), id="doi-upper-case"),
        pytest.param("doi:10.48550/arXiv.2410.17243", ArxivId("2410.17243"), id="doi-prefix"),
        pytest.param(
            "https://doi.org/10.48550/arXiv.2410.17243", ArxivId("2410.17243"), id="doi-url"
        ),
        pytest.param(
            "https://dx.doi.org/10.48550/arXiv.2410.17243", ArxivId("2410.17243"), id="dx-doi"
        ),
        pytest.param("10.48550/arXiv.math/0703055", ArxivId("math/0703055"), id="doi-old-style"),
        # not an arXiv id
        pytest.param("2410.1724", None, id="four-digits-after-2014"),
        pytest.param("2410.172431", None, id="six-digits"),
        pytest.param("1412.12345", None, id="five-digits-before-2015"),
        pytest.param("0704.00001", None, id="five-digits-in-2007"),
        pytest.param("0703.1234", None, id="before-the-new-style"),
        pytest.param("2413.12345", None, id="month-13"),
        pytest.param("2400.12345", None, id="month-00"),
        pytest.param("2410.17243v0", None, id="version-0"),
        pytest.param("2410.17243v", None, id="version-without-number"),
        pytest.param("2410.17243x", None, id="trailing-letter"),
        pytest.param("x2410.17243", None, id="leading-letter"),
        pytest.param("2410-17243", None, id="hyphen"),
        pytest.param("hep-th/990100", None, id="old-style-six-digits"),
        pytest.param("hep-th/9913001", None, id="old-style-month-13"),
        pytest.param("hep-th/9001001", None, id="before-arxiv"),
        pytest.param("hep-th/9107001", None, id="month-before-arxiv"),
        pytest.param("hep-th/0704001", None, id="old-style-after-march-2007"),
        pytest.param("math.GTX/0309136", None, id="three-letter-subject-class"),
        pytest.param("arXiv:", None, id="prefix-only"),
        pytest.param("", None, id="empty"),
        pytest.param("2410.17243 2410.17244", None, id="two-ids"),
        pytest.param("arXiv:2410.17243 [cs.CL]", None, id="text-after-id"),
        pytest.param("https://arxiv.org/list/cs.CL/recent", None, id="listing-url"),
        pytest.param("https://example.org/abs/2410.17243", None, id="other-host"),
        pytest.param("https://notarxiv.org/abs/2410.17243", None, id="look-alike-host"),
        pytest.param("https://huggingface.co/papers/2410.1724", None, id="hf-bad-id"),
        pytest.param("10.1234/arXiv.2410.17243", None, id="other-doi-prefix"),
        pytest.param("10.48550/arXiv.2410.1724", None, id="doi-bad-id"),
        pytest.param("doi:2410.17243", None, id="doi-prefix-without-doi"),
    ],
)
def test_parse_arxiv_id(text: str, expected: ArxivId | None) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("arXiv preprint arXiv:2509.08519", ("2509.08519",), id="howpublished"),
        pytest.param(
            "see arXiv:2410.17243 and arXiv:2410.18533v2.",
            ("2410.17243", "2410.18533"),
            id="two-in-order",
        ),
        pytest.param(
            "arXiv:2410.17243v1, https://arxiv.org/abs/2410.17243v2",
            ("2410.17243",),
            id="one-id-twice",
        ),
        pytest.param(
            "Code and paper: https://arxiv.org/pdf/2401.00001.pdf.", ("2401.00001",), id="pdf-url"
        ),
        pytest.param("(doi 10.48550/arXiv.2410.17243)", ("2410.17243",), id="doi"),
        pytest.param("https://doi.org/10.48550/arXiv.2410.17243", ("2410.17243",), id="doi-url"),
        pytest.param("https://huggingface.co/papers/2410.17243", ("2410.17243",), id="hf-paper"),
        pytest.param("arXiv:hep-th/9901001v2 [hep-th]", ("hep-th/9901001",), id="old-style"),
        pytest.param("published as 2410.17243", (), id="bare-number"),
        pytest.param("arXiv:2410.172431", (), id="six-digits"),
        pytest.param("arXiv:1412.12345", (), id="five-digits-before-2015"),
        pytest.param("https://notarxiv.org/abs/2410.17243", (), id="look-alike-host"),
        pytest.param("myarxiv:2410.17243", (), id="word-before-prefix"),
        pytest.param("", (), id="empty"),
    ],
)
def test_arxiv_ids_in_text(text: str, expected: tuple[str, ...]) -> None:
    assert tuple(found.id for found in arxiv_ids_in_text(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2410.17243v2", "2410.17243", id="version-dropped"),
        pytest.param("math.GT/0309136", "math/0309136", id="subject-class-dropped"),
        pytest.param(" Not-An-Id ", "not-an-id", id="unknown-case-folded"),
        pytest.param("2410.17243", "2410.17243", id="preferred-form"),
        pytest.param("2410.1724", "2410.1724", id="refused-digits-as-written"),
    ],
)
def test_arxiv_key(text: str, expected: str) -> None:
    assert arxiv_key(text) == expected


# ---------------------------------------------------------------------------------------------
# One identity for the merge and the pages


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param("doi = {10.48550/arXiv.2410.17243}", "2410.17243", id="doi"),
        pytest.param("doi = {doi:10.48550/arXiv.2410.17243}", "2410.17243", id="doi-prefix"),
        pytest.param(
            "doi = {https://doi.org/10.48550/arXiv.2410.17243}", "2410.17243", id="doi-url"
        ),
        pytest.param("doi = {10.48550/ARXIV.2410.17243}", "2410.17243", id="doi-upper-case"),
        pytest.param("doi = {10.48550/arXiv.math/0703055}", "math/0703055", id="doi-old-style"),
        pytest.param("eprint = {2410.17243}", "2410.17243", id="eprint-without-type"),
        pytest.param(
            "eprint = {2410.17243v2}, archiveprefix = {arXiv}", "2410.17243", id="archiveprefix"
        ),
        pytest.param("eprint = {arXiv:2410.17243}", "2410.17243", id="eprint-arxiv-prefix"),
        pytest.param("arxivid = {2410.17243}", "2410.17243", id="mendeley-arxivid"),
        pytest.param("url = {https://arxiv.org/pdf/2410.17243v2.pdf}", "2410.17243", id="pdf-url"),
        pytest.param("url = {https://huggingface.co/papers/2410.17243}", "2410.17243", id="hf-url"),
        pytest.param("journaltitle = {arXiv:2410.17243}", "2410.17243", id="journaltitle"),
        pytest.param("note = {arXiv: hep-th/9901001v3}", "hep-th/9901001", id="note-old-style"),
        pytest.param("eprint = {math.GT/0309136}", "math/0309136", id="subject-class-dropped"),
        pytest.param("eprint = {2410.17243}, eprinttype = {hdl}", None, id="other-eprint-type"),
        pytest.param("note = {see 2410.17243}", None, id="bare-number-in-prose"),
        pytest.param("eprint = {2410.1724}", None, id="too-short"),
        pytest.param("doi = {10.1234/arXiv.2410.17243}", None, id="other-doi-prefix"),
    ],
)
def test_merge_and_pages_see_one_arxiv_id(fields: str, expected: str | None) -> None:
    text = f"@misc{{paper, title = {{A Title}}, {fields}}}\n"
    (row,) = index_library(text, source="l.bib").entries
    (entry,) = read_library(text, source="l.bib")
    assert row.arxiv_ids == ((expected,) if expected else ())
    assert entry.arxiv_id == expected


def test_an_entry_known_by_its_doi_shows_its_arxiv_id_on_its_page() -> None:
    text = "@misc{paper, title = {A Title}, doi = {10.48550/arXiv.2410.17243}}\n"
    (entry,) = read_library(text, source="l.bib")
    page = render_paper_page(entry)
    assert "https://arxiv.org/abs/2410.17243" in page
    assert "https://arxiv.org/pdf/2410.17243" in page


# ---------------------------------------------------------------------------------------------
# Titles in comparison form


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        pytest.param("{LLaMA}: Open and Efficient", "llama open and efficient", id="tex-braces"),
        pytest.param("LLaMA - open  and efficient!", "llama open and efficient", id="punctuation"),
        pytest.param("snake_case_names", "snake case names", id="underscore"),
        pytest.param("Caf\u00e9 \u00fcber", "cafe uber", id="latin-accents"),
        pytest.param("Cafe\u0301", "cafe", id="combining-accent"),
        pytest.param("Caf\\'e \\\"{u}ber", "cafe uber", id="tex-accents"),
        pytest.param("Caf{\\'e} \\c{c}a", "cafe ca", id="tex-accents-braced"),
        pytest.param("\\v{S}koda \\H{o}", "skoda o", id="tex-letter-accents"),
        pytest.param("\\'{\\i}ndice", "indice", id="tex-dotless-i"),
        pytest.param("S{\\o}ren Stra{\\ss}e", "s\u00f8ren strasse", id="tex-letters"),
        pytest.param("S\u00f8ren Stra\u00dfe", "s\u00f8ren strasse", id="letters"),
        pytest.param("Vi\u1ec7t Nam \u0110\u1eb7ng", "viet nam \u0111ang", id="vietnamese"),
        pytest.param("R\\&D at 100\\%", "r d at 100", id="escaped-specials"),
        pytest.param("\\emph{Deep} \\textbf{Nets}", "deep nets", id="tex-commands"),
        pytest.param("{\\LaTeX} Tricks", "latex tricks", id="tex-logo"),
        pytest.param("\u03b1-VAE", "\u03b1 vae", id="greek-alpha"),
        pytest.param("\u03b2-VAE", "\u03b2 vae", id="greek-beta"),
        pytest.param("$\\beta$-VAE", "\u03b2 vae", id="tex-math-greek"),
        pytest.param("\\textbeta{}-VAE", "\u03b2 vae", id="textgreek"),
        pytest.param("$\\Sigma$-Net", "\u03c3 net", id="tex-capital-greek"),
        pytest.param(
            "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac",
            "\u03b5\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03b1",
            id="greek-tonos",
        ),
        pytest.param(
            "\u041d\u0435\u0439\u0440\u043e\u0441\u0435\u0442\u0438",
            "\u043d\u0435\u0438\u0440\u043e\u0441\u0435\u0442\u0438",
            id="cyrillic",
        ),
        pytest.param(
            "\u5927\u578b\u8bed\u8a00\u6a21\u578b", "\u5927\u578b\u8bed\u8a00\u6a21\u578b", id="cjk"
        ),
        pytest.param("\u304c\u304f", "\u304c\u304f", id="kana-voicing-kept"),
        pytest.param(
            "\u0915\u093f\u0924\u093e\u092c",
            "\u0915\u093f\u0924\u093e\u092c",
            id="devanagari-signs-kept",
        ),
        pytest.param(
            "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
            "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
            id="hebrew-arabic",
        ),
        pytest.param("\ufb01ne-tuning \uff34\uff35\uff2e\uff25", "fine tuning tune", id="nfkc"),
        pytest.param("GPT\u2011\u2460", "gpt 1", id="nfkc-digits"),
        pytest.param("Trans\u00adformer\u200b Nets", "transformer nets", id="invisible-characters"),
        pytest.param("STRASSE", "strasse", id="casefold"),
        pytest.param("!!!", "!!!", id="punctuation-only"),
        pytest.param("\U0001f999 \U0001f999", "\U0001f999 \U0001f999", id="emoji-only"),
        pytest.param(" \t", "", id="whitespace-only"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalise_title(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("\u03b1-VAE: X", "\u03b2-VAE: X", id="greek"),
        pytest.param("\u6ce8\u610f\u529b", "\u6269\u6563", id="cjk"),
        pytest.param("\u304c\u304f", "\u304b\u304f", id="kana-voicing"),
        pytest.param("\u0915\u093f\u0924", "\u0915\u0924", id="devanagari-vowel-sign"),
        pytest.param("!!!", "???", id="punctuation"),
        pytest.param("\U0001f999", "\U0001f42a", id="emoji"),
    ],
)
def test_different_titles_have_different_forms(first: str, second: str) -> None:
    assert normalise_title(first) != normalise_title(second)


def test_symbols_beside_letters_do_not_count() -> None:
    """Only letters and digits decide once a title has any: `C++` and `C` are one word."""
    assert normalise_title("C++ Tricks!") == normalise_title("C Tricks") == "c tricks"


@settings(max_examples=500, deadline=None)
@given(
    st.text(max_size=40)
    | st.text(
        alphabet="!:'`^~.a\u00e9\u00df$ A\u0300\u00b4\u3099\u304b\u200b\u00ad\u093f", max_size=12
    )
)
def test_comparison_form_is_its_own_form(title: str) -> None:
    """Folding is consistent: composed and decomposed letters, marks and invisible characters
    give the form a second pass keeps. (TeX markup is folded, not kept, so it is left out.)"""
    title = title.replace("\\", "").replace("{", "").replace("}", "")
    once = normalise_title(title)
    assert normalise_title(once) == once
    assert once == " ".join(once.split())
