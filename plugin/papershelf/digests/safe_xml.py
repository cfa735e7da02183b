"""XML digests parsed with a hardened parser, and what every XML reader needs from a tree.

Feeds and API answers are untrusted: `defusedxml` parses them with the standard ElementTree API
but refuses a document type declaration outright, so no entity is ever declared or expanded (no
"billion laughs"), and no external entity or DTD is ever fetched or read from disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from papershelf.digests.hf_text import clean_text
from papershelf.errors import DigestError, Problem

if TYPE_CHECKING:
    import xml.etree.ElementTree as ElementTree

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
DC = "http://purl.org/dc/elements/1.1/"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"

_PROLOG = re.compile(r"(?:<\?[^>]{0,500}\?>|<!--.{0,2000}?-->|\s+)*", re.DOTALL)
_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]{0,40}:)?(?P<name>[A-Za-z_][\w.-]{0,40})[\s/>]")


def root_name(text: str) -> str | None:
    """Return the local name of the root element a text starts with (`rss`, `feed`), else None.

    Only the head is read: the XML declaration, comments and whitespace, then the first tag.
    """
    head = text[:8192]
    prolog = _PROLOG.match(head)
    start = prolog.end() if prolog else 0
    if head.startswith("<!DOCTYPE", start):
        # A document type declaration is refused when parsed; its root name follows it.
        declaration = re.match(r"<!DOCTYPE\s+(?:[\w.-]+:)?([\w.-]+)", head[start:])
        return declaration[1] if declaration else None
    root = _ROOT.match(head, start)
    return root["name"] if root else None


def parse_xml(text: str, *, source: str, what: str) -> ElementTree.Element:
    """Return the root element of an XML digest.

    Args:
        text: The whole document.
        source: The digest's path as the user gave it.
        what: What the document should be, for messages, e.g. `an arXiv RSS feed`.

    Raises:
        DigestError: The XML is malformed (with its line), or declares a document type or
            entities, which papershelf never reads.
    """
    # Imported on first use: `papershelf --help` lists the readers without loading a parser.
    import xml.etree.ElementTree as ElementTree
    from xml.parsers import expat

    import defusedxml
    import defusedxml.ElementTree

    try:
        return defusedxml.ElementTree.fromstring(clean_text(text), forbid_dtd=True)
    except defusedxml.DTDForbidden:
        line = _line_of(text, "<!DOCTYPE")
        message = (
            f"this XML declares a document type (<!DOCTYPE ...>), which {what} never has;"
            " papershelf reads no DTD and expands no entity"
        )
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        line = _line_of(text, "<!ENTITY")
        message = f"this XML declares entities, which {what} never has; papershelf expands none"
    except ElementTree.ParseError as error:
        line = error.position[0]
        message = f"invalid XML: {_reason(error)}"
        # expat's errors for a document that ends before its root element does
        if error.code in (
            expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
            expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
        ):
            message += "; is the file complete?"
    raise DigestError([Problem(source, line, message)])


def _reason(error: ElementTree.ParseError) -> str:
    """Return expat's message without its `line N, column M` (the problem gives the line)."""
    return re.sub(r":\s*line \d+, column \d+$", "", str(error)) + f" (column {error.position[1]})"


def _line_of(text: str, marker: str) -> int | None:
    index = text.find(marker)
    return None if index == -1 else text.count("\n", 0, index) + 1


def local(tag: str) -> str:
    """Return an element's name without its namespace: `{http://...}entry` -> `entry`."""
    return tag.rpartition("}")[2]


def text_of(element: ElementTree.Element | None) -> str:
    """Return all the text inside an element (markup in it removed), or `""` for None."""
    return "" if element is None else "".join(element.itertext())


def children(
    element: ElementTree.Element, namespace: str, name: str
) -> Iterator[ElementTree.Element]:
    """Yield the child elements of one qualified name."""
    return iter(element.findall(f"{{{namespace}}}{name}"))


def item_lines(text: str, name: str, count: int) -> list[int | None]:
    """Return the line each of the first `count` `<name>` (or `<x:name>`) start tags is on.

    Found by a scan of the text, for messages only: a comment or CDATA section that holds such a
    tag would shift the lines, never the data.
    """
    pattern = re.compile(rf"<(?:[\w.-]{{1,40}}:)?{re.escape(name)}[\s>/]")
    lines: list[int | None] = []
    position, line = 0, 1
    for match in pattern.finditer(text):
        if len(lines) == count:
            break
        line += text.count("\n", position, match.start())
        position = match.start()
        lines.append(line)
    return lines + [None] * (count - len(lines))
