"""The tables of BibTeX fields that papershelf treats apart: its own fields (the link fields among
them) and the private fields of reference managers, which a published site leaves out.

The writer fills papershelf's fields (`papershelf.bib.merge`), the reader turns them back into
links and counts (`papershelf.bib.read`), the site leaves the private ones out of every page and
download (`papershelf.bib.publish`); all take the names from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from papershelf.model import LinkKind

__all__ = ["LINK_FIELDS", "OWN_FIELDS", "PRIVATE_FIELDS"]

LINK_FIELDS: Mapping[str, LinkKind] = MappingProxyType(
    {
        "code": LinkKind.CODE,
        "projectpage": LinkKind.PROJECT,
        "hfmodel": LinkKind.HF_MODEL,
        "hfdataset": LinkKind.HF_DATASET,
        "hfspace": LinkKind.HF_SPACE,
        "otherlinks": LinkKind.OTHER,
    }
)
"""BibTeX field -> the kind of link it holds, in the order entries carry them; each value is
space-separated http(s) URLs, e.g. `code = {https://github.com/a/b https://gitlab.com/c/d}`."""

OWN_FIELDS: tuple[str, ...] = (
    "upvotes",
    "numcomments",
    "countsdate",
    *LINK_FIELDS,
    "githubstars",
    "authorcount",
    "pubdate",
    "dateorigin",
    "filledfrom",
)
"""The fields papershelf invents (no BibTeX style, biber or Zotero reads them), in the order it
writes them. The page shows what they say (counts, links, the date), so the BibTeX block a reader
copies leaves them out; the `.bib` downloads keep them, for JabRef and the next papershelf run."""

PRIVATE_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "file": "JabRef, Zotero (Better BibTeX), Mendeley: paths of attached PDFs on your disk",
        "owner": "JabRef: the user name of whoever added the entry",
        "timestamp": "JabRef: when the entry was added",
        "creationdate": "JabRef 5: when the entry was added",
        "modificationdate": "JabRef 5: when the entry was last changed",
        "groups": "JabRef: the groups of the entry",
        "ranking": "JabRef: your rating (`rank1` .. `rank5`)",
        "readstatus": "JabRef: read, skimmed",
        "priority": "JabRef: your priority (`prio1` .. `prio3`)",
        "qualityassured": "JabRef: your quality mark",
        "printed": "JabRef: whether you printed it",
        "relevance": "JabRef: your relevance mark",
        "date-added": "BibDesk: when the entry was added",
        "date-modified": "BibDesk: when the entry was last changed",
        "mendeley-groups": "Mendeley: the folders of the entry",
        "mendeley-tags": "Mendeley: your private tags",
    }
)
"""Field -> who writes it and what it holds: reference-manager bookkeeping that says something
about you or your disk, never about the paper. Published pages and downloads leave these out by
default (the plugin's `publish_exclude_fields`, `papershelf site --publish-exclude-fields`), and
the whole-library download leaves out JabRef's `@Comment{jabref-meta: ...}` blocks (its groups
tree and settings) too."""
