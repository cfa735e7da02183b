"""The MkDocs plugin `papershelf`: the only part of papershelf that imports mkdocs.

Enable it in `mkdocs.yml` with `plugins: [search, papershelf]`; the options are in `config.py`.
It runs on MkDocs 1.x and on ProperDocs; importing it under MkDocs 2 raises `EngineError` with
the ways that work (`engine.py`), before `plugin.py` or `config.py` import what MkDocs 2 lacks.
"""

from __future__ import annotations

import mkdocs

from papershelf.mkdocs_plugin.engine import check_engine

check_engine(getattr(mkdocs, "__version__", "unknown"))
