"""BibTeX: the only package that imports bibtexparser.

`escape` turns digest text into inert TeX, `keys` names entries, `fields` names papershelf's link
fields, `index` locates entries, `merge` merges papers into a library text, `read` turns any `.bib`
into views for rendering.
"""

from __future__ import annotations
