"""The site: the URL scheme (`urls`), Markdown escaping (`markdown`), one page per paper
(`paper_page`), the listings (`listings`: home, tags, code, timeline) and the Scholar meta tags
(`meta`). Pure functions of `BibEntry` records; only the plugin and the CLI write files."""

from __future__ import annotations
