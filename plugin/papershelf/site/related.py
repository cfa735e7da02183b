"""Entries -> each paper's nearest papers in the library by content, for its "Related papers".

Content is the title and the abstract, weighed by TF-IDF (scikit-learn's `TfidfVectorizer`:
English stop words dropped, sublinear term frequency, rows L2-normalised), and nearness is the
cosine of two rows, a sparse matrix product.

Two things keep 100,000 papers within seconds (figures in docs/benchmarks.md):

- **Words that many papers share are left out** (`SHARED_BY_AT_MOST`, scikit-learn's `max_df`):
  a word in more than that many papers says little about which papers are near (`model`,
  `results`), yet it would make every pair of papers share a word, and the similarity matrix
  dense: 10^10 scores at 100,000 papers, about 20 minutes of arithmetic. Without them a paper
  shares words with a bounded number of others, whatever the library's size. A library of at
  most that many papers keeps every word.
- **The product is taken a chunk of rows at a time** (`CHUNK_SCORES`): each chunk's sparse block
  of scores is cut to its top k and dropped, so memory stays at one block.

The result is deterministic: scores are rounded (`_DECIMALS`) before they are compared, so two
papers the same distance away are ordered by citation key, not by the last bit of a float, and
any order of the same entries gives the same neighbours. A paper that shares no word with
another gets no neighbour: only a score above zero counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from papershelf.model import BibEntry

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

RELATED_COUNT = 5
"""Neighbours a paper page lists."""
SHARED_BY_AT_MOST = 200
"""A word in more papers than this does not count towards nearness (scikit-learn's `max_df`)."""
CHUNK_SCORES = 5_000_000
"""Scores held at once, at most (one chunk's product): about 150 MB, whatever the library."""
_DECIMALS = 9
"""Scores are compared at this many decimals, far above float64 noise, far below real gaps."""

_NONE: Mapping[str, tuple[str, ...]] = MappingProxyType({})


def related_papers(
    entries: Sequence[BibEntry],
    *,
    count: int = RELATED_COUNT,
    shared_by_at_most: int = SHARED_BY_AT_MOST,
    chunk_scores: int = CHUNK_SCORES,
) -> Mapping[str, tuple[str, ...]]:
    """Return each entry's nearest entries by title and abstract, nearest first.

    Args:
        entries: The library's entries, keys unique.
        count: Neighbours per entry at most, e.g. `5`.
        shared_by_at_most: Words in more papers than this are left out.
        chunk_scores: Scores held in memory at once; the result does not depend on it.

    Returns:
        Key -> the keys of up to `count` other entries with a score above zero, by falling
        score, equal scores by key; an entry without such a neighbour is absent. E.g.
        `{"cheng2024breaking": ("li2025long", "wu2024video")}`.
    """
    if count < 1 or len(entries) < 2:
        return _NONE
    # Imported here: scikit-learn and NumPy take a second to import, which `papershelf --help`
    # and every command that writes no paper page should not pay.
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    ordered = sorted(entries, key=lambda entry: entry.key)
    keys = [entry.key for entry in ordered]
    vectorizer = TfidfVectorizer(
        stop_words="english",
        sublinear_tf=True,
        max_df=max(shared_by_at_most, 1),
        dtype=np.float64,
    )
    try:
        matrix = vectorizer.fit_transform(f"{e.title}\n{e.abstract}" for e in ordered).tocsr()
    except ValueError:
        # No word is left (every text empty, stop words only, or every word too common).
        return _NONE
    transposed = matrix.T.tocsr()
    # How many scores a row's product can hold at most: the papers of each of its words.
    papers_per_word = np.diff(matrix.tocsc().indptr)
    present = matrix.copy()
    present.data[:] = 1.0
    bounds = present @ papers_per_word.astype(np.float64)
    related: dict[str, tuple[str, ...]] = {}
    for start, stop in _chunks(bounds, chunk_scores):
        scores = (matrix[start:stop] @ transposed).tocsr()
        for row, (columns, values) in enumerate(_top_of_rows(scores, start, count)):
            neighbours = tuple(
                keys[column] for column, value in zip(columns, values, strict=True) if value > 0
            )
            if neighbours:
                related[keys[start + row]] = neighbours
    return related


def related_entries(entries: Sequence[BibEntry]) -> Mapping[str, tuple[BibEntry, ...]]:
    """Return each entry's nearest entries (`related_papers`) as entries, by key."""
    by_key = {entry.key: entry for entry in entries}
    return {
        key: tuple(by_key[other] for other in others)
        for key, others in related_papers(entries).items()
    }


def _chunks(bounds: npt.NDArray[np.float64], budget: int) -> list[tuple[int, int]]:
    """Return row ranges whose bounds add up to at most `budget` each (one row at least)."""
    chunks: list[tuple[int, int]] = []
    start = 0
    total = 0.0
    for row, bound in enumerate(bounds.tolist()):
        if row > start and total + bound > budget:
            chunks.append((start, row))
            start, total = row, 0.0
        total += bound
    chunks.append((start, len(bounds)))
    return chunks


def _top_of_rows(scores: Any, first_row: int, count: int) -> list[tuple[list[int], list[float]]]:
    """Return, per row of a CSR block, its `count` best columns and scores, ties by column.

    Row r of the block is paper `first_row + r`, whose own column is left out. Each row is first
    cut to the scores at least as high as the lowest of `count` of its own scores (the maxima
    of `count` stretches of the row): no score below that can be among its `count` best. The
    best are then found by `count` passes (a maximum per row, then the lowest column holding
    it), each linear in what is left, rather than a sort per row.
    """
    import numpy as np

    lengths = np.diff(scores.indptr)
    row_of = np.repeat(np.arange(len(lengths)), lengths)
    work = scores.data.copy()
    work[scores.indices == row_of + first_row] = -1.0
    # Compared before rounding, so a score that rounds to the bound stays too.
    keep = work >= _lower_bounds(work, scores.indptr, count)[row_of] - 10.0**-_DECIMALS
    row_of, columns = row_of[keep], scores.indices[keep].astype(np.int64)
    work = np.round(work[keep], _DECIMALS)
    lengths = np.bincount(row_of, minlength=len(lengths))
    nonempty = np.flatnonzero(lengths > 0)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
    chosen_columns = np.full((len(lengths), count), -1, dtype=np.int64)
    chosen_scores = np.zeros((len(lengths), count))
    missing = np.iinfo(np.int64).max
    for place in range(count if len(nonempty) else 0):
        best = np.full(len(lengths), -1.0)
        best[nonempty] = np.maximum.reduceat(work, starts)
        at_best = (work == best[row_of]) & (work > 0)
        lowest = np.full(len(lengths), missing)
        lowest[nonempty] = np.minimum.reduceat(np.where(at_best, columns, missing), starts)
        found = lowest != missing
        chosen_columns[found, place] = lowest[found]
        chosen_scores[found, place] = best[found]
        work[at_best & (columns == lowest[row_of])] = -1.0
    return [
        (chosen_columns[row].tolist(), chosen_scores[row].tolist()) for row in range(len(lengths))
    ]


def _lower_bounds(work: Any, indptr: Any, count: int) -> Any:
    """Return per row a score its `count`-th best reaches: the least of `count` stretch maxima.

    The maxima of `count` disjoint stretches of a row are `count` distinct scores of it, so its
    `count`-th best is at least their least. A row of fewer scores gets minus infinity.
    """
    import numpy as np

    lengths = np.diff(indptr)
    bounds = np.full(len(lengths), -np.inf)
    long_rows = np.flatnonzero(lengths >= count)
    if not len(long_rows):
        return bounds
    # Stretch j of a row of n scores starts at its j*n//count-th score (never empty, as n >=
    # count); the row's end closes the last one. The maxima from a row's end to the next start
    # belong to no stretch and are dropped; a score past the end lets the last row end there.
    offsets = (lengths[long_rows, None] * np.arange(count)) // count
    starts = indptr[long_rows, None] + offsets
    edges = np.concatenate((starts, indptr[long_rows + 1, None]), axis=1).ravel()
    maxima = np.maximum.reduceat(np.append(work, -np.inf), edges).reshape(len(long_rows), -1)
    bounds[long_rows] = maxima[:, :count].min(axis=1)
    return bounds
