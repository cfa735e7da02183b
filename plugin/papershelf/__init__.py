"""papershelf: research-paper digests to a BibTeX library, Markdown pages and a static site."""

__version__ = "0.1.0"
