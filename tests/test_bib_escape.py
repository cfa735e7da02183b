"""Escaping digest text for BibTeX: one table row per hostile or awkward input."""

from __future__ import annotations

import re
import unicodedata

import pytest

from papershelf.bib import read
from papershelf.bib.escape import (
    ascii_tex,
    escape_name,
    escape_text,
    escape_title,
    strip_grouping,
    unescape_text,
    unescape_title,
    verbatim_url,
)

TEXT_CASES = [
    pytest.param(
        r"see \input{canary.txt} here",
        r"see {\textbackslash}input{canary.txt} here",
        id="input",
    ),
    pytest.param(
        r"\write18{touch pwned}",
        r"{\textbackslash}write18{touch pwned}",
        id="write18",
    ),
    pytest.param(
        r"\immediate\write18{rm}",
        r"{\textbackslash}immediate{\textbackslash}write18{rm}",
        id="immediate-write18",
    ),
    pytest.param(
        r"\csname x\endcsname \def\y{z} \catcode`\%=12",
        r"{\textbackslash}csname x{\textbackslash}endcsname {\textbackslash}def{\textbackslash}y{z}"
        r" {\textbackslash}catcode`{\%}=12",
        id="csname-def-catcode",
    ),
    pytest.param("a { b", r"a {\textbraceleft} b", id="unbalanced-open"),
    pytest.param("a } b", r"a {\textbraceright} b", id="unbalanced-close"),
    pytest.param("}{", r"{\textbraceright}{\textbraceleft}", id="reversed-pair"),
    pytest.param("a 9.6% boost", r"a 9.6\% boost", id="percent"),
    pytest.param("me@host.org", r"me{\symbol{64}}host.org", id="at-sign"),
    pytest.param("C# and #1", r"C\# and \#1", id="hash"),
    pytest.param("$5 and $10", r"\$5 and \$10", id="dollars"),
    pytest.param("x^2", r"x\^{}2", id="caret"),
    pytest.param("^^5cinput", r"\^{}\^{}5cinput", id="caret-caret-notation"),
    pytest.param("x_1", r"x\_1", id="underscore"),
    pytest.param("~2% drop", r"\~{}2\% drop", id="tilde"),
    pytest.param("A & B", r"A \& B", id="ampersand"),
    pytest.param(r"Knights \& Knaves (K\&K)", r"Knights {\&} Knaves (K{\&}K)", id="residue-amp"),
    pytest.param(r"have 100\% accuracy", r"have 100{\%} accuracy", id="residue-percent"),
    pytest.param(r"\$ \# \_", r"{\$} {\#} {\_}", id="residue-others"),
    pytest.param("{LLM}s", "{LLM}s", id="balanced-braces-kept"),
    pytest.param("HumanEval^{+}", r"HumanEval\^{}{+}", id="humaneval-plus"),
    # biber drops the `{}` of `\^{}` before `}` (`{x \^}`, an error): a second `{}` stays.
    pytest.param("{x^} and {y~}", r"{x\^{}{}} and {y\~{}{}}", id="caret-before-closing-brace"),
    pytest.param("^{}", r"\^{}{}{}", id="caret-before-empty-pair"),
    pytest.param(
        r"benchmarks \footnote{Our code is at https://github.com/zz/STEER.",
        r"benchmarks {\textbackslash}footnote{\textbraceleft}Our code is at"
        r" https://github.com/zz/STEER.",
        id="unclosed-footnote",
    ),
    pytest.param("{&}", r"{\textbraceleft}\&{\textbraceright}", id="braced-special-not-residue"),
    pytest.param(r"{\&}", r"{{\&}}", id="braced-residue"),
    pytest.param("Café Zürich 中文 🚀", "Café Zürich 中文 🚀", id="non-ascii-kept"),
    pytest.param("line\nbreak\ttab", "line break tab", id="control-characters"),
    pytest.param('"quoted" -- dash', '"quoted" -- dash', id="harmless-punctuation"),
]


@pytest.mark.parametrize(("text", "tex"), TEXT_CASES)
def test_escape_text(text: str, tex: str) -> None:
    assert escape_text(text) == tex


@pytest.mark.parametrize(("text", "tex"), TEXT_CASES)
def test_unescape_text_inverts_escape(text: str, tex: str) -> None:
    expected = text.replace("\n", " ").replace("\t", " ")
    assert unescape_text(tex) == expected


def _bare_braces_balance(tex: str) -> bool:
    depth = 0
    for char in tex:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize(("text", "tex"), TEXT_CASES)
def test_escaped_text_is_inert(text: str, tex: str) -> None:
    # BibTeX counts every brace, escaped or not; TeX must meet no command but ours.
    assert _bare_braces_balance(escape_text(text))
    commands = set(re.findall(r"\\([A-Za-z]+)", escape_text(text)))
    assert commands <= {"textbackslash", "textbraceleft", "textbraceright", "symbol"}
    assert "@" not in escape_text(text)
    assert re.search(r"(?<!\\)[%#&$_]", escape_text(text)) is None


@pytest.mark.parametrize(
    ("title", "tex"),
    [
        pytest.param(
            "LLaMA: Open and Efficient Foundation Language Models",
            "{LLaMA}: Open and Efficient Foundation Language Models",
            id="llama",
        ),
        pytest.param("GPT-4o vs. o1", "{GPT}-4o vs. o1", id="gpt-4o"),
        pytest.param("Warmup before RLVR", "Warmup before {RLVR}", id="acronym"),
        pytest.param(
            "in2IN: Leveraging individual Information to Generate Human INteractions",
            "{in2IN}: Leveraging individual Information to Generate Human {INteractions}",
            id="in2in",
        ),
        pytest.param("Scaling {LLM}s", "Scaling {LLM}s", id="already-braced"),
        pytest.param("A Study of X", "A Study of X", id="single-capitals-stay"),
        pytest.param(r"The \LaTeX trick", r"The {\textbackslash}{LaTeX} trick", id="command-name"),
        pytest.param("Çağla ÖZEL", "Çağla {ÖZEL}", id="unicode-capitals"),
    ],
)
def test_escape_title_protects_capitals(title: str, tex: str) -> None:
    assert escape_title(title) == tex
    assert unescape_title(tex) == strip_grouping(title)


@pytest.mark.parametrize(
    ("name", "tex", "exact"),
    [
        pytest.param("Jörg Müller", r"J{\"o}rg M{\"u}ller", True, id="umlaut"),
        pytest.param("Søren Østergaard", r"S{\o}ren {\O}stergaard", True, id="o-slash"),
        pytest.param("Émile Ñúñez", r"{\'E}mile {\~N}{\'u}{\~n}ez", True, id="acute-tilde"),
        pytest.param("Łukasz Čapek", r"{\L}ukasz {\v C}apek", True, id="l-stroke-caron"),
        pytest.param("Guðmundsson", r"Gu{\dh}mundsson", True, id="eth"),
        # Two accents: biber decodes `{\u {\d a}}` to combining marks pdflatex rejects.
        pytest.param("Đặng Văn", r"{\DJ}ang V{\u a}n", False, id="vietnamese"),
        pytest.param("O\u2019Brien", r"O{\textquoteright}Brien", True, id="curly-apostrophe"),
        pytest.param("Zo\u0308e", r"Z{\"o}e", True, id="combining-accent"),
        pytest.param("AT&T Labs", r"AT{\&}T Labs", True, id="ampersand-one-letter"),
        pytest.param("Smith] Jr", r"Smith{]} Jr", True, id="bracket-for-natbib"),
        pytest.param("Li Lei 李雷", "Li Lei LiLei", False, id="cjk-transliterated"),
        pytest.param("β Smith", "v Smith", False, id="greek-no-math-in-names"),
        pytest.param("Jane O'Neil-Smith", "Jane O'Neil-Smith", True, id="ascii"),
    ],
)
def test_names_in_the_ascii_profile(name: str, tex: str, exact: bool) -> None:
    # utf8 keeps the letters; ascii gives each a form alpha.bst counts as one letter.
    assert escape_name(name).replace("{]}", "]").replace("{\\&}", "&") == name
    assert ascii_tex(escape_name(name), "name") == (tex, exact)
    if exact:
        assert read.decode_tex(tex) == unicodedata.normalize("NFC", name)


def test_unescape_text_leaves_foreign_tex_alone() -> None:
    assert unescape_text(r"\emph{x} and $\alpha$") == r"\emph{x} and $\alpha$"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "https://arxiv.org/abs/2410.17243", "https://arxiv.org/abs/2410.17243", id="plain"
        ),
        pytest.param(
            "https://github.com/a/b_c~d#readme",
            "https://github.com/a/b_c~d#readme",
            id="underscore-tilde-hash-kept",
        ),
        pytest.param("https://x.org/a%20b", "https://x.org/a%20b", id="percent-escape-kept"),
        pytest.param("https://x.org/100%", "https://x.org/100%25", id="stray-percent"),
        pytest.param("https://x.org/a b", "https://x.org/a%20b", id="space"),
        pytest.param("https://x.org/{x}", "https://x.org/%7Bx%7D", id="braces"),
        pytest.param("https://x.org/a\\b", "https://x.org/a%5Cb", id="backslash"),
        pytest.param("https://medium.com/@me", "https://medium.com/%40me", id="at-sign"),
        pytest.param("https://x.org/é", "https://x.org/%C3%A9", id="non-ascii"),
        pytest.param("2410.17243", "2410.17243", id="arxiv-id"),
    ],
)
def test_verbatim_url(url: str, expected: str) -> None:
    assert verbatim_url(url) == expected
    assert verbatim_url(expected) == expected


@pytest.mark.parametrize("url", [pytest.param("", id="empty"), pytest.param("  ", id="blank")])
def test_verbatim_url_refuses_empty(url: str) -> None:
    with pytest.raises(ValueError, match="empty URL"):
        verbatim_url(url)
