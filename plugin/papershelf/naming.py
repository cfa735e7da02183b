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
    digest_format: str
    """The option that forces a digest format, e.g. `--format`."""
    choose_format: str
    """How to choose a format, e.g. `pass --format NAME`."""
    drop_format: str
    """How to stop forcing a format, e.g. `leave out --format`."""

    @property
    def undated_fix(self) -> str:
        """The fix for a paper with no date of its own in a digest of no known date."""
        return f"{self.digest_date} or put the date in the digest's file name"

    def forced_format(self, name: str) -> str:
        """Return the forced format as the person wrote it, e.g. `--format hf-json`."""
        separator = " " if self.digest_format.startswith("-") else ": "
        return f"{self.digest_format}{separator}{name}"


CLI_NAMES = OptionNames(
    digest_date="pass --date YYYY-MM-DD",
    digest_format="--format",
    choose_format="pass --format NAME",
    drop_format="leave out --format",
)
"""The options as `papershelf convert` spells them."""

PLUGIN_NAMES = OptionNames(
    digest_date="set the plugin option digest_date (YYYY-MM-DD)",
    digest_format="digest_format",
    choose_format="set the plugin option digest_format",
    drop_format="remove the plugin option digest_format",
)
"""The options as the MkDocs plugin's `mkdocs.yml` spells them."""
