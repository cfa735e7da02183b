"""The options of the `papershelf` MkDocs plugin, validated by MkDocs' own config machinery.

Every error MkDocs reports for these options starts with
`Plugin 'papershelf' option '<name>':`, so the messages below only say what is wrong and the fix.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re

from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, Config, ValidationError

from papershelf.bib.fields import PRIVATE_FIELDS
from papershelf.dates import calendar_date
from papershelf.model import DEFAULT_TEX_PROFILE, TEX_PROFILES, SiteOptions

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SITE = SiteOptions()
"""The defaults of the options that shape the site, shared with `papershelf site`."""


class IsoDate(BaseConfigOption[str | None]):
    """An optional calendar date written `YYYY-MM-DD`, e.g. `2025-10-30`."""

    def run_validation(self, value: object) -> str | None:
        """Return the date text unchanged, or raise when it is not a real `YYYY-MM-DD` date."""
        if value is None:
            return None
        if isinstance(value, dt.date):
            # YAML reads an unquoted 2025-10-30 as a date already.
            return value.isoformat()
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ValidationError(
                f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-10-30"
            )
        try:
            calendar_date(value)
        except ValueError:
            raise ValidationError(
                f"{value!r} is not a calendar date; write a real day as YYYY-MM-DD"
            ) from None
        return value


class DigestFormatName(BaseConfigOption[str | None]):
    """An optional digest format, named as `papershelf convert --format` names it: `hf-text`."""

    def run_validation(self, value: object) -> str | None:
        """Return the format's name, or raise naming the formats there are."""
        if value is None:
            return None
        # Imported only when a format is named: a site that reads a library needs no reader.
        from papershelf.digests import READERS

        if value not in READERS.names:
            raise ValidationError(
                f"{value!r} is not a digest format; use one of {', '.join(READERS.names)}"
            )
        return str(value)


class BoundedInt(BaseConfigOption[int]):
    """An integer with a lower bound, e.g. a page size."""

    def __init__(self, *, default: int, minimum: int) -> None:
        super().__init__()
        self.default = self.fallback = default
        self.minimum = minimum

    def run_validation(self, value: object) -> int:
        """Return the integer, or raise when it is not an integer of at least `minimum`."""
        if value is None:
            return self.fallback
        # bool is an int subclass; `per_page: true` is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(
                f"expected a whole number, got {value!r}; write e.g. {self.default}"
            )
        if value < self.minimum:
            raise ValidationError(f"{value} is too small; use a number of at least {self.minimum}")
        return value


class DigestPatterns(BaseConfigOption[list[str]]):
    """Digest files or glob patterns, relative to `mkdocs.yml`; each must match a file."""

    def __init__(self) -> None:
        super().__init__()
        self.default: list[str] = []
        self.config_dir: str | None = None

    def pre_validation(self, config: Config, key_name: str) -> None:
        """Remember the folder of `mkdocs.yml`, which relative patterns start from."""
        path = config.config_file_path
        self.config_dir = os.path.dirname(path) if path else None

    def run_validation(self, value: object) -> list[str]:
        """Return the matched files as sorted absolute paths, or raise naming the empty pattern."""
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError(
                f"expected a list of file names or glob patterns, got {value!r}; "
                "write e.g. [bib/digests/*.txt]"
            )
        found: list[str] = []
        for pattern in value:
            rooted = pattern
            if self.config_dir and not os.path.isabs(pattern):
                rooted = os.path.join(self.config_dir, pattern)
            matches = sorted(path for path in glob.glob(rooted) if os.path.isfile(path))
            if not matches:
                raise ValidationError(
                    f"{pattern!r} matches no file (patterns are relative to mkdocs.yml); "
                    "fix the path or remove it"
                )
            found.extend(os.path.abspath(path) for path in matches)
        return list(dict.fromkeys(found))


class FieldNames(BaseConfigOption[list[str]]):
    """A list of BibTeX field names, e.g. `[file, owner]`, read in lower case."""

    def __init__(self, *, default: list[str]) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> list[str]:
        """Return the names in lower case, or raise when the value is not a list of names."""
        if value is None:
            return list(self.default)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError(
                f"expected a list of BibTeX field names, got {value!r}; write e.g. [file, owner]"
            )
        bad = [name for name in value if not _FIELD_NAME.fullmatch(name)]
        if bad:
            raise ValidationError(
                f"{bad[0]!r} is not a BibTeX field name; write names like file or date-added"
            )
        return [name.lower() for name in value]


_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


class PapershelfConfig(Config):  # type: ignore[no-untyped-call]
    """Options of `plugins: - papershelf:` in `mkdocs.yml`."""

    enabled = c.Type(bool, default=True)
    """Build the papershelf pages at all; `false` leaves the site as if the plugin were absent."""

    # Inputs: the library and, optionally, the digests it is made from
    bib = c.ListOfItems(c.File(exists=False), default=["bib/papers.bib"])
    """BibTeX libraries to publish, relative to `mkdocs.yml`, e.g. `[bib/papers.bib]`. Several
    files are read in order; a citation key may appear only once across them."""
    digests = DigestPatterns()
    """Digest files or globs converted into the first `bib` file before every build, e.g.
    `[bib/digests/*.txt]`; empty (the default) reads the libraries as they are."""
    digest_date = IsoDate()
    """Date of the digests when their file names carry none, e.g. `2025-10-30`."""
    digest_format = DigestFormatName()
    """Read every digest in this format instead of detecting it, e.g. `hf-text`."""
    tags_file = c.Optional(c.File(exists=True))
    """A tag vocabulary (YAML) whose labels name the tag pages; default: the bundled taxonomy."""
    tex = c.Choice(TEX_PROFILES, default=DEFAULT_TEX_PROFILE)
    """TeX of the entries `digests` writes: `ascii` (every engine compiles it) or `utf8` (raw
    UTF-8, for biber)."""

    # Generated pages
    per_page = BoundedInt(default=_SITE.per_page, minimum=1)
    """Papers per page in tag listings before they are split into `page-2`, `page-3`, ..."""
    latest = BoundedInt(default=_SITE.latest, minimum=0)
    """Papers listed on the generated home page."""
    home = c.Type(bool, default=_SITE.home)
    """Generate the home page (`index.md`) unless `docs/index.md` exists."""
    search = c.Choice(("pagefind", "material"), default="pagefind")
    """The site's search: `pagefind` (a static index built after the build by Pagefind's
    indexer, `pip install 'pagefind[bin]'`; Material's `search` plugin is then switched off) or
    `material` (Material's `search` plugin, as listed under `plugins`)."""
    publish_exclude_fields = FieldNames(default=sorted(PRIVATE_FIELDS))
    """BibTeX fields that no page and no `.bib` download shows, e.g. `[file, owner, timestamp]`;
    default: the private fields of reference managers (`papershelf.bib.fields.PRIVATE_FIELDS`:
    attached files, owner, timestamps, groups, ratings, read status, ...); `[]` publishes every
    field. The BibTeX block of a paper page also leaves out papershelf's own fields."""
    feeds = c.Type(bool, default=_SITE.feeds)
    """Publish Atom feeds of the newest papers: `feed.xml` and `tags/<tag>/feed.xml`, linked
    from the pages' `<head>`. They need `site_url` (Atom ids are absolute URLs): without it
    none is written, with a warning; `false` writes none and says nothing."""
    bib_download = c.Type(bool, default=_SITE.library_download)
    """Publish the whole library as `bib/papers.bib` for download. The one-entry files
    `bib/<key>.bib` are published regardless: every paper page links its own."""
