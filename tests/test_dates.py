"""Dates as digests write them: entry dates, year inference, digest dates from file names."""

from __future__ import annotations

import datetime as dt

import pytest

from papershelf import DateOrigin
from papershelf.dates import (
    DateProblem,
    DateText,
    MissingYearError,
    calendar_date,
    date_from_filename,
    date_from_iso,
    resolve_date,
    split_date_line,
)

D = dt.date


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("2025-10-30-hf-papers.txt", D(2025, 10, 30), id="prefix"),
        pytest.param("bib/digests/2025-10-30.txt", D(2025, 10, 30), id="path"),
        pytest.param("hf-papers-2024-02-29.json", D(2024, 2, 29), id="leap-day-inside"),
        pytest.param(r"C:\digests\2023-01-05-page.txt", D(2023, 1, 5), id="windows-path"),
        pytest.param("2025-13-01-then-2025-10-30.txt", D(2025, 10, 30), id="first-valid-wins"),
        pytest.param("2025-02-30.txt", None, id="impossible-date"),
        pytest.param("2025-02-29.txt", None, id="not-a-leap-year"),
        pytest.param("hf-papers-page.txt", None, id="no-date"),
        pytest.param("2025-10-30/papers.txt", None, id="date-in-directory-only"),
        pytest.param("12025-10-301.txt", None, id="digits-around"),
        pytest.param("20251030.txt", None, id="compact-form-is-not-iso"),
    ],
)
def test_date_from_filename(name: str, expected: dt.date | None) -> None:
    assert date_from_filename(name) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("Mar 6", (DateText("Mar 6", 3, 6, None), None), id="no-year"),
        pytest.param("Feb 5, 2023", (DateText("Feb 5, 2023", 2, 5, 2023), None), id="year"),
        pytest.param("May 18 2", (DateText("May 18", 5, 18, None), 2), id="comments"),
        pytest.param(
            "Dec 22, 2024 2", (DateText("Dec 22, 2024", 12, 22, 2024), 2), id="year-comments"
        ),
        pytest.param("  Oct 30  ", (DateText("Oct 30", 10, 30, None), None), id="padded"),
        pytest.param("September 3", (DateText("September 3", 9, 3, None), None), id="full-name"),
        pytest.param("sept 3", (DateText("sept 3", 9, 3, None), None), id="lower-case"),
        pytest.param("Feb 30", (DateText("Feb 30", 2, 30, None), None), id="unchecked-day"),
        pytest.param("May 182", None, id="day-runs-into-count"),
        pytest.param("Mayday 3", None, id="not-a-month"),
        pytest.param("Mar 6.", None, id="sentence"),
        pytest.param("Mar 6 is a date", None, id="words-after"),
        pytest.param("On Mar 6", None, id="words-before"),
        pytest.param("Mar", None, id="month-only"),
    ],
)
def test_split_date_line(line: str, expected: tuple[DateText, int | None] | None) -> None:
    assert split_date_line(line) == expected


OCT30 = D(2025, 10, 30)


@pytest.mark.parametrize(
    ("text", "digest", "expected"),
    [
        pytest.param("Mar 6", OCT30, (D(2025, 3, 6), DateOrigin.YEAR_INFERRED), id="this-year"),
        pytest.param("Oct 30", OCT30, (D(2025, 10, 30), DateOrigin.YEAR_INFERRED), id="same-day"),
        pytest.param("Oct 31", OCT30, (D(2024, 10, 31), DateOrigin.YEAR_INFERRED), id="next-day"),
        pytest.param("Nov 2", OCT30, (D(2024, 11, 2), DateOrigin.YEAR_INFERRED), id="last-year"),
        pytest.param("Feb 5, 2023", OCT30, (D(2023, 2, 5), DateOrigin.GIVEN), id="given"),
        pytest.param("Feb 5, 2023", None, (D(2023, 2, 5), DateOrigin.GIVEN), id="given-no-digest"),
        pytest.param(
            "Dec 31, 2026", OCT30, (D(2026, 12, 31), DateOrigin.GIVEN), id="given-future-kept"
        ),
        pytest.param(
            "Feb 29", D(2024, 3, 1), (D(2024, 2, 29), DateOrigin.YEAR_INFERRED), id="leap-day"
        ),
        pytest.param(
            "Feb 29",
            D(2025, 1, 15),
            (D(2024, 2, 29), DateOrigin.YEAR_INFERRED),
            id="leap-last-year",
        ),
    ],
)
def test_resolve_date(
    text: str, digest: dt.date | None, expected: tuple[dt.date, DateOrigin]
) -> None:
    parsed = split_date_line(text)
    assert parsed is not None
    assert resolve_date(parsed[0], digest) == expected


@pytest.mark.parametrize(
    ("text", "digest", "error", "message"),
    [
        pytest.param(
            "Mar 6",
            None,
            MissingYearError,
            "date 'Mar 6' has no year",
            id="no-year-no-digest",
        ),
        pytest.param(
            "Feb 30, 2023",
            None,
            DateProblem,
            "date 'Feb 30, 2023' is not a calendar date; correct it in the digest",
            id="impossible",
        ),
        pytest.param(
            "Feb 29",
            OCT30,
            DateProblem,
            "date 'Feb 29' is not a calendar date in 2025; correct it in the digest",
            id="no-leap-day-in-inferred-year",
        ),
        pytest.param(
            "Apr 31",
            OCT30,
            DateProblem,
            "date 'Apr 31' is not a calendar date in 2025; correct it in the digest",
            id="day-31",
        ),
    ],
)
def test_resolve_date_problems(
    text: str, digest: dt.date | None, error: type[DateProblem], message: str
) -> None:
    parsed = split_date_line(text)
    assert parsed is not None
    with pytest.raises(error) as raised:
        resolve_date(parsed[0], digest)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2024-10-22T17:59:30.000Z", D(2024, 10, 22), id="hf-timestamp"),
        pytest.param("2026-01-14T00:00:00.000Z", D(2026, 1, 14), id="midnight-utc"),
        pytest.param("2024-10-22T01:00:00+02:00", D(2024, 10, 21), id="offset-to-utc"),
        pytest.param("2024-10-22T23:30:00-05:00", D(2024, 10, 23), id="negative-offset"),
        pytest.param("2024-10-22T12:00:00", D(2024, 10, 22), id="naive-is-utc"),
        pytest.param("2024-10-22", D(2024, 10, 22), id="date-only"),
        # Python 3.10's fromisoformat refuses these; papershelf reads them on every version.
        pytest.param("2024-10-22T23:59:30.12Z", D(2024, 10, 22), id="two-digit-fraction"),
        pytest.param("2024-10-22T23:59:30.1234567Z", D(2024, 10, 22), id="seven-digit-fraction"),
        pytest.param("2024-10-22T01:00:00+0200", D(2024, 10, 21), id="offset-without-colon"),
        pytest.param("2024-10-22T01:00+02", D(2024, 10, 21), id="offset-in-hours"),
        pytest.param("2024-10-22 23:00:00-01:00", D(2024, 10, 23), id="space-separator"),
        pytest.param(" 2024-10-22T12:00:00z ", D(2024, 10, 22), id="surrounding-space"),
    ],
)
def test_date_from_iso(value: str, expected: dt.date) -> None:
    assert date_from_iso(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2024-13-01",
        "",
        "Oct 22, 2024",
        # Python 3.11's fromisoformat reads these too; papershelf reads them on no version.
        "20241022",
        "2024-W43-2",
        "2024-10-22T17",
        "2024-10-22Z",
        "2024-10-22T10:00:00+02:75",
        "2024-10-22T10:00:00+24:00",
        "2024-10-22T24:00:00",
        "\u0662\u0660\u0662\u0664-10-22",
    ],
)
def test_date_from_iso_rejects(value: str) -> None:
    with pytest.raises(DateProblem, match="is not an ISO date"):
        date_from_iso(value)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
def test_date_from_iso_rejects_timestamps_outside_the_calendar_in_utc(value: str) -> None:
    with pytest.raises(DateProblem, match=r"lies outside the years 1 to 9999 in UTC"):
        date_from_iso(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-10-30", D(2025, 10, 30)), ("0001-01-01", D(1, 1, 1)), ("2024-02-29", D(2024, 2, 29))],
)
def test_calendar_date(text: str, expected: dt.date) -> None:
    assert calendar_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "20251030",
        "2025-W44-4",
        "2025-10-30T00:00",
        " 2025-10-30",
        "2025-02-29",
        "25-10-30",
        "\u0662\u0660\u0662\u0665-10-30",  # Arabic-Indic digits: `int` reads them, we do not
    ],
)
def test_calendar_date_reads_only_real_days_as_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(ValueError, match="is not a day written as YYYY-MM-DD"):
        calendar_date(text)
