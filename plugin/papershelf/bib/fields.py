"""The fields of papershelf's own that carry links: one field per kind of link.

The writer fills them (`papershelf.bib.merge`) and the reader turns them back into links
(`papershelf.bib.read`); both take the names from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from papershelf.model import LinkKind

__all__ = ["LINK_FIELDS"]

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
