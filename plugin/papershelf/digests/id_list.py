"""A plain list of papers: lines naming arXiv ids or arXiv / Hugging Face paper URLs.

    to read this week
    2410.17243
    arXiv:2502.20581v2  (the citation-fidelity one)
    https://arxiv.org/abs/hep-th/9711200
    - https://huggingface.co/papers/2606.00683 from the group chat

Every id on a line is a paper; the text around it is kept by nobody (it is not the title). Such a
paper knows its id, its version when given, and the month of its first version (from the id)
until metadata enrichment or a richer digest fills in the rest; its library entry says so.
"""

from __future__ import annotations

import datetime as dt

from papershelf.digests.arxiv_fields import ArxivFacts, arxiv_paper, clean
from papershelf.digests.registry import DigestReader, Sniff
from papershelf.errors import DigestError, Problem
from papershelf.identity import ArxivId, arxiv_ids_in_text, parse_arxiv_id
from papershelf.model import Paper, Source
from papershelf.naming import CLI_NAMES, OptionNames

_TRIM = "()[]<>{},;:.!?\"'`*_|"
"""Punctuation around an id in running text or Markdown: `(2410.17243)`, `**2410.17243**`."""
_SNIFF_LINES = 1000


def _names_a_paper(token: str) -> bool:
    """Return whether a word is worth the grammar: a digit and a `.` or `/` (cheap to test)."""
    return any(char.isdigit() for char in token) and ("." in token or "/" in token)


def _says_arxiv(token: str) -> bool:
    """Return whether a word means to name an arXiv paper: `arXiv:2...` or an abs/pdf URL."""
    folded = token.casefold()
    if folded.startswith("arxiv:"):
        return folded[6:7].isdigit()
    return any(path in folded for path in ("arxiv.org/abs/", "arxiv.org/pdf/"))


def ids_of_line(line: str) -> tuple[list[ArxivId], list[str]]:
    """Return the arXiv ids a line names, in order, each once, and the words that say `arXiv:`
    or point at arXiv but name no id that can exist (`arXiv:2413.00001`: there is no month 13)."""
    found: dict[str, ArxivId] = {}
    wrong: list[str] = []
    for word in line.split():
        token = word.strip(_TRIM)
        if not _names_a_paper(token):
            continue
        named = parse_arxiv_id(token)
        if named is None:
            inside = arxiv_ids_in_text(token)
            if inside:
                for arxiv_id in inside:
                    found.setdefault(arxiv_id.id, arxiv_id)
            elif _says_arxiv(token):
                wrong.append(token)
            continue
        found.setdefault(named.id, named)
    return list(found.values()), wrong


def parse_id_list(
    text: str, *, source: str, digest_date: dt.date | None, names: OptionNames = CLI_NAMES
) -> list[Paper]:
    """Return a paper for every arXiv id the lines of a text name.

    Args:
        text: The list, e.g. `tests/data/arxiv-id-list.txt`.
        source: The digest's path as the user gave it.
        digest_date: Unused by the papers, whose ids give their month; kept for the contract.
        names: Unused: a list's problems name no option; kept for the contract.

    Raises:
        DigestError: A word that says `arXiv:` names no possible id, or the text names none.
    """
    papers: list[Paper] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, line in enumerate(clean_lines(text), start=1):
        ids, wrong = ids_of_line(line)
        problems.extend(
            Problem(source, number, f"'{token[:60]}' is no arXiv identifier; correct or delete it")
            for token in wrong
        )
        for arxiv_id in ids:
            if arxiv_id.id in seen:
                continue  # a list names a paper once, however often its id appears
            seen.add(arxiv_id.id)
            facts = ArxivFacts(
                arxiv_id=arxiv_id.id, source=Source(source, line=number), version=arxiv_id.version
            )
            papers.append(arxiv_paper(facts, digest_date))
    if not papers and not problems:
        problems.append(Problem(source, None, "no arXiv id or paper URL in this list"))
    if problems:
        raise DigestError(problems)
    return papers


def clean_lines(text: str) -> list[str]:
    """Return the text's lines without control characters, each whitespace-normalised."""
    return [clean(line) for line in text.split("\n")]


def sniff_id_list(text: str) -> Sniff:
    """Return LIKELY when at least half of the first non-blank lines name a paper."""
    lines = [
        line for line in text.split("\n", _SNIFF_LINES * 4)[: _SNIFF_LINES * 4] if line.strip()
    ]
    lines = lines[:_SNIFF_LINES]
    naming = sum(1 for line in lines if ids_of_line(line)[0])
    return Sniff.LIKELY if naming and 2 * naming >= len(lines) else Sniff.NO


READER = DigestReader(
    name="id-list",
    description="a plain list of arXiv ids or arXiv / Hugging Face paper URLs, one or more a line",
    sniff=sniff_id_list,
    parse=parse_id_list,
)
