"""The escaper: hostile text renders as that text, never as HTML, links or extension syntax."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from papershelf.links import safe_url
from papershelf.site.markdown import (
    code_block,
    escape_paragraphs,
    escape_text,
    html_text,
    markdown_link,
    slugify,
)

# The extensions the site needs plus the common Material set that adds inline syntax.
EXTENSIONS = [
    "attr_list",
    "md_in_html",
    "pymdownx.superfences",
    "tables",
    "def_list",
    "footnotes",
    "abbr",
    "admonition",
    "pymdownx.details",
    "pymdownx.tilde",
    "pymdownx.caret",
    "pymdownx.mark",
    "pymdownx.magiclink",
    "pymdownx.emoji",
    "pymdownx.arithmatex",
    "pymdownx.critic",
    "pymdownx.keys",
    "pymdownx.inlinehilite",
]

HOSTILE = [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param("[click](javascript:alert(1))", id="js-link"),
    pytest.param("![x](http://evil/x.png)", id="image"),
    pytest.param("<https://evil.example>", id="autolink"),
    pytest.param("https://evil.example/x www.evil.example", id="bare-url"),
    pytest.param("{{ config }}", id="jinja-expression"),
    pytest.param("{% include 'x' %}", id="jinja-statement"),
    pytest.param("*emph* _emph_ **strong** __strong__", id="emphasis"),
    pytest.param("<!-- hidden -->", id="html-comment"),
    pytest.param("`code` ``more``", id="backticks"),
    pytest.param("| a | b |\n|---|---|\n| c | d |", id="table"),
    pytest.param("\\input{x} \\textbf{y}", id="tex"),
    pytest.param("# heading", id="heading"),
    pytest.param("- item", id="list"),
    pytest.param("1. item", id="ordered-list"),
    pytest.param("> quote", id="quote"),
    pytest.param("text {: .evil onclick=alert(1) }", id="attr-list"),
    pytest.param("{ #id .class onclick=alert(1) }", id="attr-list-start"),
    pytest.param("footnote[^1]", id="footnote"),
    pytest.param(":smile: :fontawesome-brands-github:", id="emoji"),
    pytest.param("~~del~~ ~sub~ ^^ins^^ ^sup^ ==mark==", id="pymdownx-inline"),
    pytest.param("$x^2$ $$y$$ \\(z\\)", id="math"),
    pytest.param("{++add++} {--del--} {>>comment<<}", id="critic"),
    pytest.param("++ctrl+alt+del++", id="keys"),
    pytest.param("`#!js alert(1)`", id="inlinehilite"),
    pytest.param("!!! warning", id="admonition"),
    pytest.param("??? note", id="details"),
    pytest.param("term\n: definition", id="definition"),
    pytest.param("*[HTML]: Hyper", id="abbreviation"),
    pytest.param("a &amp; b &lt; c &#60;script&#62;", id="entities"),
    pytest.param("</div><script>alert(1)</script>", id="close-div"),
    pytest.param('" onmouseover="alert(1)', id="attribute-break"),
    pytest.param("@user #123 user@example.com", id="mentions"),
    pytest.param("===\n---", id="setext"),
    pytest.param("trailing two spaces  \nnext", id="hard-break"),
    pytest.param("a\\\nb", id="backslash-newline"),
]


class _Collector(HTMLParser):
    """Collects tags, attributes and text of rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.tags.append("!--")


def render(source: str) -> _Collector:
    """Return the collected structure of `source` rendered as Markdown."""
    html = markdown.markdown(source, extensions=EXTENSIONS)
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize(
    ("template", "tags"),
    [
        pytest.param("{}", ["p"], id="paragraph"),
        pytest.param("# {}", ["h1"], id="heading"),
        pytest.param("- {}", ["ul", "li"], id="list-item"),
        pytest.param("before {} after", ["p"], id="mid-line"),
    ],
)
def test_hostile_text_renders_as_text(text: str, template: str, tags: list[str]) -> None:
    source = template.replace("{}", escape_text(text))
    collected = render(source)
    assert collected.tags == tags
    assert collected.attributes == [] or all(name == "id" for name, _ in collected.attributes)
    before, after = template.split("{}")
    expected = normalised(before.lstrip("#- ") + text + after)
    assert normalised("".join(collected.text)) == expected


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_as_link_label_keeps_one_safe_link(text: str) -> None:
    link = markdown_link(text, "https://example.org/a_(b)")
    assert link is not None
    collected = render(link)
    assert collected.tags == ["p", "a"]
    assert collected.attributes == [("href", "https://example.org/a_%28b%29")]
    assert normalised("".join(collected.text)) == normalised(text)


def test_paragraphs_keep_breaks_and_neutralise_block_starts() -> None:
    text = "First *one*.\n\n- not a list\n\n1. not a list\n\n> no quote\n\n!!! note\n\n??? x"
    collected = render(escape_paragraphs(text))
    assert collected.tags == ["p"] * 6
    assert [normalised(part) for part in "".join(collected.text).split("\n") if part] == [
        "First *one*.",
        "- not a list",
        "1. not a list",
        "> no quote",
        "!!! note",
        "??? x",
    ]


def test_braces_never_reach_a_template_engine() -> None:
    escaped = escape_paragraphs("{{ config }} {% include 'x' %} {# c #}")
    assert "{" not in escaped
    assert "}" not in escaped


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn")), max_size=60))
@example("[0]")  # `\\[0\\]` would be display math under pymdownx.arithmatex
@example("scores in [0, 1] and (a) \\(b\\)")
def test_any_text_renders_as_itself(text: str) -> None:
    collected = render(escape_text(text))
    assert set(collected.tags) <= {"p"}
    assert normalised("".join(collected.text)) == normalised(text)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://github.com/x/y", "https://github.com/x/y", id="plain"),
        pytest.param("HTTP://Example.org/A", "http://Example.org/A", id="scheme-case"),
        pytest.param("https://x.org/a_(b)", "https://x.org/a_%28b%29", id="parentheses"),
        pytest.param('https://x.org/"onmouseover=1', "https://x.org/%22onmouseover=1", id="quote"),
        pytest.param("https://x.org/<script>", "https://x.org/%3Cscript%3E", id="angle"),
        pytest.param("https://x.org/a?q=1&r=2#f", "https://x.org/a?q=1&r=2#f", id="query"),
        pytest.param("https://x.org:8080/a", "https://x.org:8080/a", id="port"),
        pytest.param("javascript:alert(1)", None, id="javascript"),
        pytest.param("JavaScript:alert(1)", None, id="javascript-case"),
        pytest.param(" javascript:alert(1)", None, id="javascript-space"),
        pytest.param("data:text/html,<script>", None, id="data"),
        pytest.param("//evil.example/x", None, id="protocol-relative"),
        pytest.param("ftp://example.org/f", None, id="ftp"),
        pytest.param("https://", None, id="no-host"),
        pytest.param("https://a b.org/", None, id="space"),
        pytest.param("https://x.org/a\nb", None, id="newline"),
        pytest.param("https://user@evil.example/", None, id="userinfo"),
        pytest.param("https://x.org\\@evil/", None, id="backslash-host"),
        pytest.param("/relative/path", None, id="relative"),
    ],
)
def test_safe_url(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_markdown_link_refuses_unsafe_targets() -> None:
    assert markdown_link("x", "javascript:alert(1)") is None
    assert markdown_link("x", "https://ok.example", attributes=".md-button") == (
        "[x](https://ok.example){ .md-button }"
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("@misc{a,\n  title = {x},\n}", id="plain"),
        pytest.param("```\n</div><script>alert(1)</script>\n```", id="three-backticks"),
        pytest.param("a ````` b\n``````", id="long-runs"),
        pytest.param("~~~\nx\n~~~", id="tildes"),
        pytest.param("@misc{a,\n\n  abstract = {x\n\n  ```\n  y\n  ```}}", id="indented-fence"),
        pytest.param("{{ config }} {% include 'x' %} --8<-- \"/etc/passwd\"", id="templates"),
    ],
)
def test_code_block_cannot_be_closed_by_its_body(body: str) -> None:
    block = code_block(body, "bibtex")
    html = markdown.markdown(
        f'<div class="x" markdown>\n\n{block}\n\n</div>', extensions=EXTENSIONS
    )
    assert "<script" not in html
    collected = _Collector()
    collected.feed(html)
    assert collected.tags.count("pre") == 1
    assert "".join(collected.text).strip("\n") == body


def test_html_text_escapes_markup_only() -> None:
    assert (
        html_text("A <b>&</b> \"q\" 'x'\n y")
        == "A &lt;b&gt;&amp;&lt;/b&gt; &quot;q&quot; &#39;x&#39; y"
    )


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        pytest.param("video-generation", "video-generation", id="ours"),
        pytest.param("cs.CL", "cs-cl", id="arxiv-category"),
        pytest.param("Mathematics - Analysis of PDEs", "mathematics-analysis-of-pdes", id="zotero"),
        pytest.param("<script>tag</script>", "script-tag-script", id="hostile"),
        pytest.param("snake_case", "snake-case", id="underscore"),
        pytest.param("Überblick", "überblick", id="unicode"),
        pytest.param("?!", "", id="nothing-left"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug
