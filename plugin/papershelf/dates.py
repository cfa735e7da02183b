"""Dates as digests write them: `Mar 6`, `Feb 5, 2023`, and the digest date in a file name.

A digest's date lines often lack the year (`Mar 6`). The year then comes from the digest's own
date, never from the wall clock, so converting the same digest twice gives the same library.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from papershelf.model import DateOrigin

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
"""The English month names, January first: the one month table. Their first three letters are
the abbreviations (`Mar`) and, in lower case, BibTeX's month macros (`mar`)."""

MONTH_MACROS = tuple(name[:3].lower() for name in MONTH_NAMES)
"""BibTeX's month macros, January first: `jan`, ..., `dec`."""

MONTHS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{macro: number for number, macro in enumerate(MONTH_MACROS, start=1)},
    "sept": 9,
}
"""Month names and abbreviations in lower case, e.g. `"sept"` -> `9`."""

_MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))

# Bounded repetitions only: date lines are matched against every line of a 50 MB digest.
DATE_LINE = re.compile(
    rf"(?P<month>{_MONTH_PATTERN})[ \t]{{1,8}}(?P<day>\d{{1,2}})"
    r"(?:,[ \t]{0,8}(?P<year>\d{4}))?"
    r"(?:[ \t]{1,8}(?P<count>\d{1,9}))?",
    re.IGNORECASE,
)
"""A date line of the Hugging Face papers page: `Mar 6`, `Feb 5, 2023`, `May 18 2` (2 comments)."""

_ISO_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


@dataclass(frozen=True, slots=True)
class DateText:
    """A date as a digest writes it, not yet checked against the calendar."""

    text: str
    """The date as written, for messages, e.g. `Mar 6` or `Feb 5, 2023`."""
    month: int
    """1-12, e.g. `3`."""
    day: int
    """As written, possibly impossible, e.g. `30` in `Feb 30`."""
    year: int | None
    """The year when written, e.g. `2023`; None for `Mar 6`."""


class DateProblem(ValueError):
    """A date that cannot be resolved; the message says why and the fix."""


class MissingYearError(DateProblem):
    """A date without a year, and no digest date to take the year from."""


def split_date_line(line: str) -> tuple[DateText, int | None] | None:
    """Return the date and the trailing count of a whole date line, or None if it is not one.

    Args:
        line: One line, surrounding whitespace allowed, e.g. `May 18 2` or `Dec 22, 2024 2`.

    Returns:
        The date and the number after it (the page's comment count), e.g.
        `(DateText("May 18", 5, 18, None), 2)`; None when the line is anything else.
    """
    match = DATE_LINE.fullmatch(line.strip())
    if match is None:
        return None
    year = match["year"]
    count = match["count"]
    date_text = DateText(
        text=match.string[match.start() : match.end("year" if year else "day")],
        month=MONTHS[match["month"].lower()],
        day=int(match["day"]),
        year=int(year) if year else None,
    )
    return date_text, int(count) if count else None


def resolve_date(date_text: DateText, digest_date: dt.date | None) -> tuple[dt.date, DateOrigin]:
    """Return the calendar date of a digest date and how its year was obtained.

    A date without a year takes the digest's year; if that would put it after the digest date, it
    is last year's (a page lists papers of the past, never of the future).

    Args:
        date_text: The date as written, e.g. `Mar 6`.
        digest_date: The digest's own date, e.g. `2025-10-30`; None when unknown.

    Returns:
        The date and its origin, e.g. `(2025-03-06, DateOrigin.YEAR_INFERRED)`.

    Raises:
        MissingYearError: The date has no year and `digest_date` is None.
        DateProblem: The date does not exist, e.g. `Feb 30`.
    """
    month, day = date_text.month, date_text.day
    if date_text.year is not None:
        year, origin = date_text.year, DateOrigin.GIVEN
    elif digest_date is None:
        raise MissingYearError(f"date '{date_text.text}' has no year")
    else:
        year, origin = digest_date.year, DateOrigin.YEAR_INFERRED
        if (month, day) > (digest_date.month, digest_date.day):
            year -= 1
    try:
        return dt.date(year, month, day), origin
    except ValueError:
        where = "" if origin is DateOrigin.GIVEN else f" in {year}"
        raise DateProblem(
            f"date '{date_text.text}' is not a calendar date{where}; correct it in the digest"
        ) from None


def date_from_filename(name: str) -> dt.date | None:
    """Return the first valid ISO date (`YYYY-MM-DD`) in a file name, or None.

    Args:
        name: A file name or path; only the last component is searched, e.g.
            `bib/digests/2025-10-30-hf-papers.txt`.

    Returns:
        The date, e.g. `2025-10-30`; None when the name holds no valid date (`2025-02-30` is none).
    """
    base = re.split(r"[\\/]", name)[-1]
    for match in _ISO_IN_NAME.finditer(base):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return None


def false_date_in_filename(name: str) -> str | None:
    """Return the first `YYYY-MM-DD` of a file name that names no day, if the name has no real one.

    Args:
        name: A file name or path, e.g. `bib/digests/2025-02-30-hf-papers.txt`.

    Returns:
        e.g. `2025-02-30`; None when the name holds a valid date, or nothing that looks like one.
    """
    if date_from_filename(name) is not None:
        return None
    match = _ISO_IN_NAME.search(re.split(r"[\\/]", name)[-1])
    return None if match is None else match[0]


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_ISO_STAMP = re.compile(
    _ISO_DATE.pattern
    + r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?",
    re.ASCII,
)
"""An ISO 8601 date, optionally with a time (any fraction of a second) and a UTC offset; ASCII
digits only (`\\d` alone would take `٢٠٢٤`, which `int` reads as 2024)."""


def calendar_date(text: str) -> dt.date:
    """Return the date a `YYYY-MM-DD` text names.

    Raises:
        ValueError: The text is not of that form or names no day (`2025-02-30`).
    """
    match = _ISO_DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a day written as YYYY-MM-DD") from None


def date_from_iso(value: str) -> dt.date:
    """Return the UTC calendar date of an ISO 8601 date or timestamp.

    The same forms are read on every Python version (`datetime.fromisoformat` reads more of
    them from Python 3.11 on): `YYYY-MM-DD`, optionally followed by `T` (or a space) and
    `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff...`, and by `Z` or an offset `+HH:MM`, `+HHMM` or `+HH`.

    Args:
        value: e.g. `2024-10-22T17:59:30.000Z`, `2024-10-22T01:00:00+02:00` or `2024-10-22`.

    Returns:
        The date part in UTC, e.g. `2024-10-21` for `2024-10-22T01:00:00+02:00`; a timestamp
        without an offset is taken as UTC.

    Raises:
        DateProblem: The value is not an ISO date.
    """
    match = _ISO_STAMP.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        year, month, day, hour, minute, second, fraction, _, sign, hours, minutes = match.groups()
        date = dt.date(int(year), int(month), int(day))
        if hour is None:
            return date
        time = dt.time(
            int(hour), int(minute), int(second or 0), int((fraction or "0")[:6].ljust(6, "0"))
        )
        if sign is None:
            return date
        if int(minutes or 0) >= 60:
            raise ValueError(value)
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
        zone = dt.timezone(-offset if sign == "-" else offset)
    except ValueError:
        raise DateProblem(
            f"'{value[:40]}' is not an ISO date such as 2024-10-22T17:59:30.000Z"
        ) from None
    try:
        return dt.datetime.combine(date, time, zone).astimezone(dt.timezone.utc).date()
    except OverflowError:  # `0001-01-01T00:00+01:00` lies before the first UTC date
        raise DateProblem(f"'{value[:40]}' lies outside the years 1 to 9999 in UTC") from None
