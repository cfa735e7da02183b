"""Hostile text to inert Markdown: the one escaper every generated page uses.

Digest text (titles, abstracts, author names, keywords) is untrusted. Everything written into a
page passes through `escape_text` or `escape_paragraphs`, every link target through `safe_url`, and
every literal block through `code_block`. The guarantees, checked by `tests/test_markdown_escape.py`
with Python-Markdown plus `attr_list`, `md_in_html` and `pymdownx.superfences`:

- no raw HTML: `& < > " '` become HTML references;
- no Markdown link, image, emphasis, code span, heading, list, table, attr_list, footnote or
  pymdownx inline syntax: the characters that start them are escaped (backslash escapes where
  Python-Markdown knows them, numeric references everywhere else, so no extension sees them);
- no `{{ }}` / `{% %}` for a template engine: braces become `&#123;` / `&#125;`;
- no autolinks: `:` before a non-space becomes `&#58;` (so `https://` and `javascript:` stay
  text) and the dot of `www.`/`ftp.` becomes `&#46;`;
- link targets are `http(s)://host...` only, with the characters Markdown could misread
  percent-encoded.
"""

from __future__ import annotations

import html
import re
import unicodedata

from papershelf.links import host_of, safe_url

# One table for every character that is always replaced. Backslash escapes are kept for the
# characters Python-Markdown's own escape list covers (they read better in a page file); the others
# become numeric references because a backslash before them would show up as a literal `\`.
_ALWAYS = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "\\": "&#92;",
    "`": "&#96;",
    "{": "&#123;",
    "}": "&#125;",
    "|": "&#124;",
    "~": "&#126;",
    "^": "&#94;",
    "=": "&#61;",
    "$": "&#36;",
    "@": "&#64;",
    "*": "\\*",
    "_": "\\_",
    # Not `\\[`: with pymdownx.arithmatex that starts display math.
    "[": "&#91;",
    "]": "&#93;",
    "#": "\\#",
    "!": "\\!",
}
_ALWAYS_RE = re.compile("[" + re.escape("".join(_ALWAYS)) + "]")
# A colon glued to the next character can start an emoji shortcode (`:smile:`) or a URL scheme
# that an autolinker would pick up (`https://`); a colon before a space is ordinary prose.
_GLUED_COLON_RE = re.compile(r":(?=\S)")
# pymdownx.magiclink also links `www.host` and `ftp.host` without a scheme.
_BARE_HOST_RE = re.compile(r"\b(www|ftp)\.", re.IGNORECASE)
# `++ctrl+alt++` is pymdownx.keys syntax; a lone `+` (`C+`, `a+b`) is prose.
_DOUBLE_PLUS_RE = re.compile(r"\+(?=\+)|(?<=\+)\+")
# What a block parser could read at the start of a line: a list marker, a block quote, a
# definition, an admonition or details marker (`!!!`, `???`), a `///` block, a setext rule.
_LINE_START_RE = re.compile(r"^(?:([-+.:?/])|(\d+)([.)]))")
_WHITESPACE_RE = re.compile(r"\s+")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# Controls other than whitespace have no business in a page (and some break YAML or HTML).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_text(text: str) -> str:
    """Return `text` as one line of inert Markdown that renders as exactly that text.

    Whitespace runs (newlines included) collapse to one space, so the result can stand anywhere
    in a line: in a heading, a list item, a link label or the middle of a paragraph.

    Args:
        text: Plain Unicode text, e.g. `LLaMA: <b>Open</b> & *Efficient*`.

    Returns:
        e.g. `LLaMA: &lt;b&gt;Open&lt;/b&gt; &amp; \\*Efficient\\*`.
    """
    line = _WHITESPACE_RE.sub(" ", _CONTROL_RE.sub("", text)).strip()
    escaped = _ALWAYS_RE.sub(lambda match: _ALWAYS[match.group()], line)
    escaped = _GLUED_COLON_RE.sub("&#58;", escaped)
    escaped = _BARE_HOST_RE.sub(r"\1&#46;", escaped)
    escaped = _DOUBLE_PLUS_RE.sub("&#43;", escaped)
    return _LINE_START_RE.sub(_escape_line_start, escaped, count=1)


def _escape_line_start(match: re.Match[str]) -> str:
    """Return the marker that opens a line as a numeric reference (digits stay, the dot goes)."""
    marker, digits, delimiter = match.groups()
    if marker:
        return f"&#{ord(marker)};"
    return f"{digits}&#{ord(delimiter)};"


def escape_paragraphs(text: str) -> str:
    """Return block text as inert Markdown paragraphs separated by blank lines.

    A blank line in the input separates paragraphs (as in TeX); every other whitespace run
    becomes one space. Each paragraph is escaped with `escape_text`.

    Args:
        text: e.g. `First paragraph.\\n\\n- not a list`.

    Returns:
        e.g. `First paragraph.\\n\\n&#45; not a list`.
    """
    paragraphs = (escape_text(part) for part in _PARAGRAPH_BREAK_RE.split(text.strip()))
    return "\n\n".join(part for part in paragraphs if part)


def url_host(url: str) -> str:
    """Return the host of an http(s) URL without `www.` and port, e.g. `github.com`; else ``."""
    return host_of(url) or ""


def markdown_link(
    label: str, url: str, *, attributes: str = "", label_is_markdown: bool = False
) -> str | None:
    """Return `[label](url)` with an escaped label, or None when the URL is not a safe http(s) URL.

    Args:
        label: Plain text, e.g. `Code (github.com)`; with `label_is_markdown`, Markdown that
            papershelf wrote and escaped itself, which is used as it is.
        url: e.g. `https://github.com/x/y`.
        attributes: An attr_list body written by papershelf itself (never user text), e.g.
            `.md-button`.

    Returns:
        e.g. `[Code (github.com)](https://github.com/x/y){ .md-button }`.
    """
    target = safe_url(url)
    if target is None:
        return None
    suffix = f"{{ {attributes} }}" if attributes else ""
    text = label if label_is_markdown else escape_text(label)
    return f"[{text}]({target}){suffix}"


_PREPROCESSOR_SYNTAX = str.maketrans({"`": "&#96;", "~": "&#126;", "{": "&#123;", "}": "&#125;"})
"""Characters that Markdown preprocessors act on even inside raw HTML, as character references.

pymdownx.superfences finds ``` and ~~~ fences in any line, mkdocs-macros evaluates `{{ }}` and
`{% %}`, pymdownx.snippets includes files named after `--8<--` (its `<` is escaped anyway).
"""


def code_block(body: str, language: str, *, search: bool = True) -> str:
    """Return `body` as a literal HTML code block (`<pre><code>`) that Material gives a copy button.

    Raw, escaped HTML rather than a fenced block: Python-Markdown passes it through untouched and
    no highlighter runs, which at 10,000 pages saves a third of the build (see docs/benchmarks.md).
    With `search=False` neither Material's search nor Pagefind puts the block in its index.
    """
    # Material's search and Pagefind both leave the block out of their index.
    exclude = " data-search-exclude data-pagefind-ignore" if not search else ""
    code = html.escape(body.rstrip("\n"), quote=False).translate(_PREPROCESSOR_SYNTAX)
    return (
        f'<div class="papershelf-code papershelf-{language}"{exclude}>'
        f'<pre><code class="language-{language}">{code}</code></pre></div>\n'
    )


def html_text(text: str) -> str:
    """Return text for a place that is read as HTML but not as Markdown (e.g. `title:` meta).

    Material inserts a page's front-matter `title` into `<title>` and the header unescaped, so it
    must be HTML already.
    """
    line = _WHITESPACE_RE.sub(" ", _CONTROL_RE.sub("", text)).strip()
    return (
        line.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def inert_html_text(text: str) -> str:
    """Return text for raw HTML inside a Markdown page: escaped, and inert for preprocessors.

    Like `html_text`, plus the characters that Markdown preprocessors act on even inside raw
    HTML (fences, `{{ }}`) as character references, as `code_block` writes them.
    """
    return html_text(text).translate(_PREPROCESSOR_SYNTAX)


_SLUG_DROP_RE = re.compile(r"[^\w]+|_+")


def slugify(text: str) -> str:
    """Return a URL- and file-safe slug: lower-case word characters joined by `-`.

    Unicode letters are kept (MkDocs percent-encodes them in URLs); everything else separates.
    Text with no word character at all gets an empty slug; callers supply a fallback.

    Args:
        text: e.g. `Mathematics - Analysis of PDEs` or `cs.CL`.

    Returns:
        e.g. `mathematics-analysis-of-pdes` or `cs-cl`.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SLUG_DROP_RE.sub("-", folded).strip("-")
