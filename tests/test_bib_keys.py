"""Citation keys: Google Scholar style, ASCII, stable suffixes on collision."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from papershelf import Paper, Source
from papershelf.bib.keys import make_key, transliterate

SOURCE = Source("bib/digests/2025-10-30-hf-papers.txt", line=13)


def paper(title: str, authors: tuple[str, ...] = (), year: int = 2025) -> Paper:
    return Paper(title=title, abstract="", source=SOURCE, date=dt.date(year, 3, 6), authors=authors)


@pytest.mark.parametrize(
    ("record", "key"),
    [
        pytest.param(
            paper("Breaking the Memory Barrier", ("Zesen Cheng", "Hang Zhang"), 2024),
            "cheng2024breaking",
            id="author-year-word",
        ),
        pytest.param(
            paper("LLaMA: Open and Efficient Foundation Language Models", ("Hugo Touvron",), 2023),
            "touvron2023llama",
            id="google-scholar-example",
        ),
        pytest.param(
            paper("The Art of Scaling", ("Jörg Müller",)), "muller2025art", id="stopword-umlaut"
        ),
        pytest.param(paper("Straße", ("Hans Weiß",)), "weiss2025strasse", id="sharp-s"),
        pytest.param(paper("A Study", ("Østergaard, Søren",)), "ostergaard2025study", id="comma"),
        pytest.param(
            paper("Offline Optimization via Surrogates"),
            "offline2025optimization",
            id="no-author-two-words",
        ),
        pytest.param(
            paper("in2IN: Leveraging individual Information"),
            "in2in2025leveraging",
            id="no-author-digits",
        ),
        pytest.param(
            paper("GPT-4o and the Rest"), "gpt4o2025rest", id="punctuation-inside-word-dropped"
        ),
        pytest.param(paper("Scaling", ("李雷",)), "scaling2025", id="non-latin-name-falls-back"),
        pytest.param(paper("On the of", ()), "paper2025", id="only-stopwords"),
        pytest.param(
            dataclasses.replace(paper(""), arxiv_id="2410.17243"),
            "arxiv241017243",
            id="an-arxiv-id-alone",
        ),
        pytest.param(
            dataclasses.replace(paper(""), arxiv_id="hep-th/9901001"),
            "arxivhepth9901001",
            id="an-old-style-id-alone",
        ),
    ],
)
def test_make_key(record: Paper, key: str) -> None:
    assert make_key(record, set()) == key
    assert key.isascii()
    assert key.isalnum()
    assert key == key.lower()


def test_make_key_suffixes_on_collision() -> None:
    record = paper("Breaking Barriers", ("Zesen Cheng",), 2024)
    taken: set[str] = set()
    keys = []
    for _ in range(28):
        key = make_key(record, taken)
        taken.add(key)
        keys.append(key)
    assert keys[:3] == ["cheng2024breaking", "cheng2024breakinga", "cheng2024breakingb"]
    assert keys[26] == "cheng2024breakingz"
    assert keys[27] == "cheng2024breakingaa"


@pytest.mark.parametrize(
    ("text", "ascii"),
    [
        pytest.param("Éric", "eric", id="acute"),
        pytest.param("Łódź", "lodz", id="polish"),
        pytest.param("Ærø", "aero", id="ligature"),
        pytest.param("Þór", "thor", id="thorn"),
        pytest.param("a-b c!", "abc", id="punctuation"),
        pytest.param("東京", "", id="cjk-dropped"),
    ],
)
def test_transliterate(text: str, ascii: str) -> None:
    assert transliterate(text) == ascii
