"""The MkDocs plugin `papershelf`: the only part of papershelf that imports mkdocs.

Enable it in `mkdocs.yml` with `plugins: [search, papershelf]`; the options are in `config.py`.
"""

from __future__ import annotations
