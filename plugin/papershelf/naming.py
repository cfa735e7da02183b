"""How the person running papershelf sets each option a message may ask them to set.

A message deep in a stage (a digest date without a year) ends with the fix, and the fix names an
option. The command line and the MkDocs plugin spell the same option differently (`--date`,
`digest_date`), so each edge passes its own `OptionNames` down and the message is written once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OptionNames:
    """The fixes that name an option, as one front end spells them."""

    digest_date: str
    """How to give the digests' date, e.g. `pass --date YYYY-MM-DD`."""


CLI_NAMES = OptionNames(digest_date="pass --date YYYY-MM-DD")
"""The options as `papershelf convert` spells them."""

PLUGIN_NAMES = OptionNames(digest_date="set the plugin option digest_date (YYYY-MM-DD)")
"""The options as the MkDocs plugin's `mkdocs.yml` spells them."""
