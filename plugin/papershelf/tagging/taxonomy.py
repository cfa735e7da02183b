"""The tag vocabulary (YAML) and the tagging stage: papers -> papers with sorted tag ids.

A vocabulary is a list of tags. Each tag is found in a paper's title and abstract through its
aliases (literal phrases, case-insensitive, at word boundaries, tolerant of plurals and of
hyphen/space variants) and its patterns (regular expressions, case-sensitive unless they say
otherwise). A tag's ancestors are assigned with it. The shipped vocabulary lives in
`data/taxonomy.yaml`; a user's file extends it or replaces it.
"""

from __future__ import annotations

import functools
import importlib.resources
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

from papershelf.errors import Problem, TaxonomyError
from papershelf.model import Paper
from papershelf.parallel import Stage, map_parts, shares

FORMAT_VERSION = 1
"""The only `version:` a vocabulary file may declare."""

_IN_CODE = "<taxonomy>"
"""The file name in problems of a vocabulary built in code rather than read from YAML."""
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOP_KEYS = ("version", "replace", "tags")
_TAG_KEYS = ("id", "label", "aliases", "patterns", "parent")
_LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
_ZERO_WIDTH_PROBE = "Aa aA a-1 . 1"
"""Text on which a pattern that can match nothing at all shows itself."""
_ALIAS = re.compile(r"\w+(?:-\w+)*(?:\s+\w+(?:-\w+)*)*")
"""Words of letters and digits, joined inside by single hyphens, separated by spaces."""
_WORDS = re.compile(r"\w+")
_ASCII_NON_WORD_BYTES = bytes(
    code for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")
)
_ASCII_NON_WORD = bytes.maketrans(_ASCII_NON_WORD_BYTES, b" " * len(_ASCII_NON_WORD_BYTES))
"""Maps each ASCII byte that is not a word character (`\\w`) to a space."""
_WORD_CHAR = re.compile(r"\w")
_WORD_SEPARATOR = r"[-\s]+"
"""Between the words of an alias: `reinforcement learning` also finds `reinforcement-learning`."""
_HYPHEN = r"[-\s]?"
"""For a hyphen inside an alias: `fine-tuning` also finds `fine tuning` and `finetuning`."""
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P[=<]")
"""Back-references and named groups, which break when patterns are joined into one regex."""
_REPEATS = ("?", "*", "{")
"""Quantifiers that let the character before them be absent."""
_WORD_BOUNDARY = r"\b"
_WORD_PATTERN = re.compile(r"\\b(\w+)(s\?)?\\b")
"""A pattern that finds one word, case-sensitively: `\\bRLVR\\b`, `\\bMoEs?\\b`."""
K = TypeVar("K")

_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML has it: the shipped vocabulary parses in a tenth of the time."""
_compile = functools.lru_cache(maxsize=4096)(re.compile)
"""`re.compile` with its own cache: the shipped vocabulary alone has about 520 distinct patterns,
more than `re` keeps (512), and many are compiled more than once."""
_MAX_HYPHEN_VARIANTS = 4
"""Hyphens in a word up to which every joined/split combination is indexed (2**4 spellings)."""


@dataclass(frozen=True, slots=True)
class Tag:
    """One entry of the vocabulary."""

    id: str
    """Slug used in `keywords` and URLs, e.g. `video-generation`."""
    label: str
    """Human-readable name, e.g. `Video generation`."""
    aliases: tuple[str, ...] = ()
    """Phrases matched case-insensitively at word boundaries, e.g. `("text-to-video",)`."""
    patterns: tuple[str, ...] = ()
    """Regular expressions, case-sensitive unless scoped otherwise, e.g. `(r"\\bT2V\\b",)`."""
    parent: str | None = None
    """Id of a broader tag assigned along with this one, e.g. `generative-models`."""


class Taxonomy:
    """An immutable vocabulary with its matchers compiled once.

    Raises:
        TaxonomyError: if a parent is unknown or the parents form a cycle.
    """

    __slots__ = (
        "_acronyms",
        "_aliases",
        "_ancestors",
        "_keyword_ids",
        "_keywords_seen",
        "_known_words",
        "_patterns",
        "_tags",
    )

    def __init__(self, tags: Iterable[Tag]) -> None:
        by_id: dict[str, Tag] = {}
        for tag in tags:
            by_id[tag.id] = tag
        problems = _structure_problems(by_id, {}, source=_IN_CODE)
        problems.extend(
            Problem(_IN_CODE, None, message)
            for tag in by_id.values()
            for message in _tag_content_problems(tag)
        )
        if problems:
            raise TaxonomyError(problems)
        self._tags: Mapping[str, Tag] = MappingProxyType(dict(sorted(by_id.items())))
        self._ancestors: Mapping[str, tuple[str, ...]] = {
            tag_id: _ancestors(tag_id, by_id) for tag_id in self._tags
        }
        self._aliases = _WordIndex(
            (tag.id, spelling, _alias_regex(alias))
            for tag in self._tags.values()
            for alias in tag.aliases
            for spelling in _spellings(alias)
        )
        patterns = [(tag.id, pattern) for tag in self._tags.values() for pattern in tag.patterns]
        self._acronyms = _Acronyms(p for p in patterns if _WORD_PATTERN.fullmatch(p[1]))
        self._patterns = _pattern_groups(p for p in patterns if not _WORD_PATTERN.fullmatch(p[1]))
        # The words the single-word aliases and the acronyms look for, found in one pass.
        self._known_words = self._aliases.single_words | self._acronyms.words
        # Digest keywords repeat from paper to paper ("large language models"): map each once.
        self._keywords_seen: dict[str, str | None] = {}
        self._keyword_ids: Mapping[str, str] = {
            _normalise_name(name): tag.id
            for tag in self._tags.values()
            for name in (tag.id, tag.label)
        }

    @property
    def tags(self) -> Mapping[str, Tag]:
        """Return the tags by id, sorted by id (read-only)."""
        return self._tags

    def __repr__(self) -> str:
        return f"Taxonomy({len(self._tags)} tags)"

    def label(self, tag_id: str) -> str:
        """Return the tag's label, or the id itself for a tag the vocabulary does not know."""
        tag = self._tags.get(tag_id)
        return tag.label if tag is not None else tag_id

    def ancestors(self, tag_id: str) -> tuple[str, ...]:
        """Return the parent, grandparent, ... of a tag; empty for a root or an unknown id."""
        return self._ancestors.get(tag_id, ())

    def match(self, text: str) -> frozenset[str]:
        """Return the ids of the tags found in `text`, with their ancestors."""
        found: set[str] = set()
        self._add_matches(text, found)
        return frozenset(found)

    def _add_matches(self, text: str, found: set[str]) -> None:
        """Add to `found` the ids of the tags found in `text`, with their ancestors."""
        lowered = text.lower()
        words = _words(lowered)
        # One pass over the words for both matchers; each then looks only at the few found.
        known = self._known_words.intersection(words)
        self._aliases.add_matches(words, known, lowered, found)
        self._acronyms.add_matches(known, text, found)
        for group in self._patterns:
            group.add_matches(text, found)
        found.update(*[self._ancestors[tag_id] for tag_id in found])

    def map_keyword(self, keyword: str) -> str | None:
        """Return the id of the tag a digest keyword (HF `ai_keywords`) stands for, if any.

        A keyword naming a tag (its id or label) maps to it. Otherwise, of the tags found in it,
        a parent gives way to its child (`reinforcement learning with verifiable rewards` is
        `rlvr`), then the longest alias or pattern match wins (`reinforcement learning from
        human feedback` is `alignment`), then the deeper tag, then the first id.
        """
        try:
            return self._keywords_seen[keyword]
        except KeyError:
            mapped = self._keywords_seen[keyword] = self._map_keyword(keyword)
            return mapped

    def _map_keyword(self, keyword: str) -> str | None:
        named = self._keyword_ids.get(_normalise_name(keyword))
        if named is not None:
            return named
        lowered = keyword.lower()
        words = _words(lowered)
        spans = self._aliases.spans(words, lowered)
        found = [self._acronyms.spans(words, keyword)]
        found.extend(group.spans(keyword) for group in self._patterns)
        for more in found:
            for tag_id, length in more.items():
                spans[tag_id] = max(spans.get(tag_id, 0), length)
        # A tag found together with its parent is the more precise reading of the keyword.
        broader = {parent for tag_id in spans for parent in self._ancestors[tag_id]}
        ranked = sorted(
            (-length, -len(self._ancestors[tag_id]), tag_id)
            for tag_id, length in spans.items()
            if length > 0 and tag_id not in broader
        )
        return ranked[0][2] if ranked else None

    def extended(self, other: Taxonomy) -> Taxonomy:
        """Return a vocabulary with `other`'s tags added to ours, replacing ours of the same id.

        Both vocabularies are valid on their own, so the result is: every parent named in either
        is defined in it, and a cycle would have to lie within one of them.
        """
        return Taxonomy([*self._tags.values(), *other.tags.values()])


def tag_papers(
    papers: Sequence[Paper],
    taxonomy: Taxonomy,
    *,
    watch: Callable[[Sequence[Paper]], Iterable[Paper]] | None = None,
) -> list[Paper]:
    """Return the papers with `tags` set to the sorted ids found in title, abstract and keywords.

    Tags a paper already carries are replaced: tagging is a function of the text and the
    vocabulary, so running it twice gives the same result. Many papers (`Stage.TAGGING` in
    `papershelf.parallel`) are tagged on every core; only the tag ids travel between processes,
    because a whole paper pickles more slowly than it is tagged.

    Args:
        watch: Wraps the share of the papers this process tags itself, e.g. in a progress bar;
            the other shares go at the same pace.
    """
    parts = shares(papers, stage=Stage.TAGGING)
    first = watch(parts[0]) if watch is not None else parts[0]
    tags = map_parts(functools.partial(_tags_of, taxonomy=taxonomy), [first, *parts[1:]])
    return [
        paper.tagged(ids)
        for paper, ids in zip(papers, itertools.chain.from_iterable(tags), strict=True)
    ]


def _tags_of(papers: Iterable[Paper], taxonomy: Taxonomy) -> list[tuple[str, ...]]:
    return [paper_tags(paper, taxonomy) for paper in papers]


def paper_tags(paper: Paper, taxonomy: Taxonomy) -> tuple[str, ...]:
    """Return the sorted ids of the tags found in a paper's title, abstract and keywords."""
    ids: set[str] = set()
    taxonomy._add_matches(f"{paper.title}\n{paper.abstract}", ids)
    for keyword in paper.keywords:
        mapped = taxonomy.map_keyword(keyword)
        if mapped is not None:
            ids.add(mapped)
            ids.update(taxonomy.ancestors(mapped))
    return tuple(sorted(ids))


def load_taxonomy(text: str, *, source: str) -> Taxonomy:
    """Return the vocabulary a YAML document describes, on its own.

    Raises:
        TaxonomyError: with every problem of the file as `file:line: problem`.
    """
    document = _parse_document(text, source=source)
    return _build({}, document, source=source)


@functools.cache
def default_taxonomy() -> Taxonomy:
    """Return the vocabulary shipped with papershelf (`papershelf/tagging/data/taxonomy.yaml`)."""
    resource = importlib.resources.files("papershelf.tagging").joinpath("data/taxonomy.yaml")
    return load_taxonomy(
        resource.read_text(encoding="utf-8"), source="papershelf/tagging/data/taxonomy.yaml"
    )


def taxonomy_for(user_text: str | None, *, source: str = "", replace: bool = False) -> Taxonomy:
    """Return the vocabulary to tag with: the default, extended or replaced by a user's YAML.

    The user's tags add to the shipped ones and replace those of the same id; with
    `replace=True`, or when the file itself says `replace: true`, they are the whole vocabulary.
    A user's tag may name a shipped tag as its parent when extending.

    Raises:
        TaxonomyError: with every problem of the user's file as `file:line: problem`.
    """
    if user_text is None:
        return default_taxonomy()
    source = source or "<tags>"
    document = _parse_document(user_text, source=source)
    base = {} if replace or document.replace else dict(default_taxonomy().tags)
    return _build(base, document, source=source)


@dataclass(frozen=True, slots=True)
class _Document:
    """A parsed vocabulary file: its tags with the line each starts on."""

    tags: tuple[tuple[Tag, int], ...]
    replace: bool
    problems: tuple[Problem, ...]
    """Problems found so far; reported together with those of the parent links."""
    rejected: frozenset[str]
    """Ids and parents named by entries that had problems, so as not to report them twice."""


def _parse_document(text: str, *, source: str) -> _Document:
    """Return the tags of a YAML vocabulary, or raise every problem found in it."""
    problems: list[Problem] = []
    try:
        root, data = _load_yaml(text, _SAFE_LOADER)
    except yaml.YAMLError:
        # libyaml words its errors differently: PyYAML's own loader decides, in its words.
        try:
            root, data = _load_yaml(text, yaml.SafeLoader)
        except yaml.YAMLError as error:
            raise _yaml_problem(error, source) from error

    if root is None or not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        raise TaxonomyError(
            [Problem(source, 1, "expected a mapping with `version: 1` and `tags:` (a list)")]
        )
    nodes = _mapping_nodes(root, source, problems)
    for key, key_node in nodes.items():
        if key not in _TOP_KEYS:
            problems.append(
                Problem(source, _line(key_node[0]), _unknown_key(key, _TOP_KEYS, "at the top"))
            )

    version = data.get("version")
    if "version" not in data:
        problems.append(
            Problem(source, 1, f"missing `version: {FORMAT_VERSION}`; add it at the top")
        )
    elif version != FORMAT_VERSION or isinstance(version, bool):
        problems.append(
            Problem(
                source,
                _line(nodes["version"][1]),
                f"version {version!r} is not supported; write `version: {FORMAT_VERSION}`",
            )
        )

    replace = data.get("replace", False)
    if not isinstance(replace, bool):
        problems.append(
            Problem(
                source, _line(nodes["replace"][1]), f"replace {replace!r} must be true or false"
            )
        )
        replace = False

    tags: list[tuple[Tag, int]] = []
    rejected: set[str] = set()
    if "tags" not in data:
        problems.append(Problem(source, 1, "missing `tags:`; add a list of tags"))
    elif not isinstance(nodes["tags"][1], yaml.SequenceNode):
        problems.append(
            Problem(source, _line(nodes["tags"][1]), "`tags:` must be a list of tags (`- id: ...`)")
        )
    else:
        for item_node, item in zip(nodes["tags"][1].value, data["tags"], strict=True):
            tag = _parse_tag(item_node, item, source, problems)
            if tag is not None:
                tags.append((tag, _line(item_node)))
            elif isinstance(item, dict):
                rejected.update(str(item.get(key)) for key in ("id", "parent"))

    seen: dict[str, int] = {}
    for tag, line in tags:
        if tag.id in seen:
            problems.append(
                Problem(
                    source,
                    line,
                    f"duplicate tag id '{tag.id}' (first at line {seen[tag.id]}); "
                    "merge the two entries or rename one",
                )
            )
        else:
            seen[tag.id] = line
    return _Document(
        tags=tuple(tags),
        replace=replace,
        problems=tuple(problems),
        rejected=frozenset(rejected),
    )


def _load_yaml(text: str, loader_class: type[yaml.SafeLoader]) -> tuple[yaml.Node | None, Any]:
    """Return the root node of a one-document YAML text and the data it stands for."""
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


def _yaml_problem(error: yaml.YAMLError, source: str) -> TaxonomyError:
    """Return the error for a file that is not YAML, at the line where PyYAML stopped."""
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(error, "problem", None) or str(error)
    return TaxonomyError([Problem(source, line, f"not valid YAML ({problem}); fix the syntax")])


def _parse_tag(node: yaml.Node, item: Any, source: str, problems: list[Problem]) -> Tag | None:
    """Return the tag one list item describes, or None after recording its problems."""
    line = _line(node)
    if not isinstance(node, yaml.MappingNode) or not isinstance(item, dict):
        problems.append(Problem(source, line, "a tag must be a mapping (`- id: ...`)"))
        return None
    before = len(problems)
    nodes = _mapping_nodes(node, source, problems)
    for key, (key_node, _) in nodes.items():
        if key not in _TAG_KEYS:
            problems.append(
                Problem(source, _line(key_node), _unknown_key(key, _TAG_KEYS, "in a tag"))
            )

    def where(key: str) -> int:
        return _line(nodes[key][1]) if key in nodes else line

    tag_id = item.get("id")
    if not isinstance(tag_id, str) or not _SLUG.fullmatch(tag_id):
        problems.append(
            Problem(
                source,
                where("id"),
                f"tag id {tag_id!r} is not a slug; use lowercase letters, digits and single "
                "hyphens, e.g. `video-generation`",
            )
        )
    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.append(
            Problem(
                source,
                where("label"),
                f"label {label!r} must be non-empty text, e.g. `label: Video generation`",
            )
        )
    aliases = _strings(nodes.get("aliases"), item.get("aliases", []), source, problems)
    for alias, alias_line in aliases:
        if (message := _alias_problem(alias)) is not None:
            problems.append(Problem(source, alias_line, message))
    patterns = _strings(nodes.get("patterns"), item.get("patterns", []), source, problems)
    for pattern, pattern_line in patterns:
        if (message := _pattern_problem(pattern)) is not None:
            problems.append(Problem(source, pattern_line, message))
    parent = item.get("parent")
    if parent is not None and (not isinstance(parent, str) or not _SLUG.fullmatch(parent)):
        problems.append(
            Problem(source, where("parent"), f"parent {parent!r} must be the id of another tag")
        )
    if len(problems) > before:
        return None
    assert isinstance(tag_id, str)
    assert isinstance(label, str)
    return Tag(
        id=tag_id,
        label=label.strip(),
        aliases=tuple(" ".join(alias.split()) for alias, _ in aliases),
        patterns=tuple(pattern for pattern, _ in patterns),
        parent=parent,
    )


def _build(base: Mapping[str, Tag], document: _Document, *, source: str) -> Taxonomy:
    """Return `base` with the document's tags added, or raise the problems of the result."""
    tags = dict(base)
    lines: dict[str, int] = {}
    for tag, line in document.tags:
        tags[tag.id] = tag
        lines[tag.id] = line
    problems = [
        *document.problems,
        *_structure_problems(tags, lines, source=source, rejected=document.rejected),
    ]
    if problems:
        raise TaxonomyError(problems)
    return Taxonomy(tags.values())


def _structure_problems(
    tags: Mapping[str, Tag],
    lines: Mapping[str, int],
    *,
    source: str,
    rejected: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Return the problems of the parent links: unknown parents, cycles, tags that never match.

    Ids in `rejected` belong to entries already reported; they count as known.
    """
    problems: list[Problem] = []
    parents = {tag.parent for tag in tags.values() if tag.parent is not None} | rejected
    for tag in tags.values():
        line = lines.get(tag.id)
        if tag.parent is not None and tag.parent not in tags and tag.parent not in rejected:
            problems.append(
                Problem(
                    source,
                    line,
                    f"tag '{tag.id}' has unknown parent '{tag.parent}'; define a tag "
                    f"'{tag.parent}' or remove the parent",
                )
            )
        if not tag.aliases and not tag.patterns and tag.id not in parents:
            problems.append(
                Problem(
                    source,
                    line,
                    f"tag '{tag.id}' has no aliases, no patterns and no child tags, so no paper "
                    "can get it; add aliases",
                )
            )
    reported: set[str] = set()
    for start in tags:
        chain = [start]
        while (parent := tags[chain[-1]].parent) is not None and parent in tags:
            if parent in chain:
                cycle = chain[chain.index(parent) :]
                if not reported.intersection(cycle):
                    reported.update(cycle)
                    path = " -> ".join([*cycle, parent])
                    problems.append(
                        Problem(
                            source,
                            lines.get(parent),
                            f"parents form a cycle ({path}); remove one of these parents",
                        )
                    )
                break
            chain.append(parent)
    return problems


def _ancestors(tag_id: str, tags: Mapping[str, Tag]) -> tuple[str, ...]:
    """Return the chain of parents above a tag (the structure is known to be acyclic)."""
    chain: list[str] = []
    parent = tags[tag_id].parent
    while parent is not None:
        chain.append(parent)
        parent = tags[parent].parent
    return tuple(chain)


class _WordIndex:
    """Phrases found in a text's words by set operations, which run at C speed.

    A phrase of one word is found when the word is among the text's words. A longer phrase is
    a candidate when its first two words occur next to each other among the text's words; its
    regex then confirms it in the text (that no punctuation stands between its words, and that
    a third or later word follows).
    """

    __slots__ = ("_pair_keys", "_pairs", "_single", "_single_words")

    def __init__(self, entries: Iterable[tuple[str, tuple[str, ...], str]]) -> None:
        single: dict[str, set[str]] = {}
        pairs: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for tag_id, spelling, regex in entries:
            if len(spelling) == 1:
                single.setdefault(spelling[0], set()).add(tag_id)
            else:
                pairs.setdefault((spelling[0], spelling[1]), set()).add((tag_id, regex))
        self._single = {word: frozenset(ids) for word, ids in single.items()}
        self._single_words = frozenset(single)
        self._pairs = _candidates(pairs)
        self._pair_keys = frozenset(self._pairs)

    @property
    def single_words(self) -> frozenset[str]:
        """Return the one-word phrases."""
        return self._single_words

    def add_matches(
        self, words: list[str], known: AbstractSet[str], text: str, found: set[str]
    ) -> None:
        """Add to `found` the tags of the phrases in the text, given its words.

        `known` holds the text's words that are among `single_words` (and possibly others).
        """
        for word in self._single_words & known:
            found.update(self._single[word])
        for pair in self._pair_keys.intersection(itertools.pairwise(words)):
            _add_confirmed(self._pairs[pair], text, found)

    def spans(self, words: list[str], text: str) -> dict[str, int]:
        """Return, per tag, the length of its longest phrase in the text."""
        spans: dict[str, int] = {}
        for word in self._single_words.intersection(words):
            for tag_id in self._single[word]:
                spans[tag_id] = max(spans.get(tag_id, 0), len(word))
        for pair in self._pair_keys.intersection(itertools.pairwise(words)):
            _add_spans(self._pairs[pair], text, spans)
        return spans


def _candidates(
    groups: Mapping[K, Iterable[tuple[str, str]]],
) -> dict[K, tuple[tuple[str, str], ...]]:
    """Return each group's `(tag id, regex)` candidates in a fixed order.

    The regexes are compiled on first use (`_compile` keeps them): the shipped vocabulary has
    about 900 candidates and a run meets a few dozen, so compiling them all up front took most
    of the time to load it.
    """
    return {key: tuple(sorted(candidates)) for key, candidates in groups.items()}


def _add_confirmed(candidates: Iterable[tuple[str, str]], text: str, found: set[str]) -> None:
    """Add to `found` each candidate tag whose regex matches the text at a word start."""
    for tag_id, regex in candidates:
        if tag_id not in found and _search_words(_compile(regex), text):
            found.add(tag_id)


def _add_spans(candidates: Iterable[tuple[str, str]], text: str, spans: dict[str, int]) -> None:
    """Record in `spans` the longest word-start match of each candidate tag's regex."""
    for tag_id, regex in candidates:
        for found in _word_matches(_compile(regex), text):
            spans[tag_id] = max(spans.get(tag_id, 0), found.end() - found.start())


def _words(text: str) -> list[str]:
    """Return the words (runs of `\\w`) of a text, in order."""
    if text.isascii():
        # The same words as the regex in a fraction of the time: translate and split run in C
        # (on bytes, whose translation is a table lookup per character).
        return text.encode("ascii").translate(_ASCII_NON_WORD).decode("ascii").split()
    return _WORDS.findall(text)


def _search_words(regex: re.Pattern[str], text: str) -> bool:
    """Return whether the regex matches in the text starting at the start of a word."""
    return next(_word_matches(regex, text), None) is not None


def _word_matches(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Yield the regex's matches that start at the start of a word, overlapping ones included."""
    position = 0
    while (found := regex.search(text, position)) is not None:
        if _starts_word(text, found.start()):
            yield found
        # A match rejected mid-word may hide one that starts at the next word: `caa aa aa`.
        position = found.start() + 1


def _starts_word(text: str, index: int) -> bool:
    """Return whether no word character precedes `index`."""
    # A leading lookbehind in the alias regex would stop Python's fast scan for its first letter.
    return index == 0 or _WORD_CHAR.match(text, index - 1) is None


def _alias_regex(alias: str) -> str:
    """Return the lowercase regex of an alias: hyphen/space tolerant, plural-tolerant."""
    words = alias.lower().split()
    pieces = [[re.escape(piece) for piece in word.split("-")] for word in words]
    last_word = words[-1].split("-")[-1]
    plurals = _plurals(last_word)
    if len(plurals) > 1:
        pieces[-1][-1] = (
            re.escape(last_word[:-1])
            + "(?:"
            + "|".join(re.escape(plural[len(last_word) - 1 :]) for plural in plurals)
            + ")"
        )
    return _WORD_SEPARATOR.join(_HYPHEN.join(word) for word in pieces) + r"(?!\w)"


def _spellings(alias: str) -> set[tuple[str, ...]]:
    """Return the lowercase word tuples an alias stands for.

    `fine-tuning` is also `fine tuning` and `finetuning`; the last word also stands for its
    plural (`diffusion model` finds `diffusion models`).
    """
    variants: list[list[str]] = [[]]
    for word in alias.lower().split():
        forms = _hyphen_forms(word.split("-"))
        variants = [[*variant, *form] for variant in variants for form in forms]
    spellings = set()
    for variant in variants:
        for last in _plurals(variant[-1]):
            spellings.add((*variant[:-1], last))
    return spellings


def _hyphen_forms(pieces: list[str]) -> list[list[str]]:
    """Return a hyphenated word's spellings as words: each hyphen split or joined."""
    if len(pieces) - 1 > _MAX_HYPHEN_VARIANTS:
        return [pieces, ["".join(pieces)]]
    forms: list[list[str]] = [[pieces[0]]]
    for piece in pieces[1:]:
        forms = [
            option for form in forms for option in ([*form, piece], [*form[:-1], form[-1] + piece])
        ]
    return forms


def _plurals(word: str) -> tuple[str, ...]:
    """Return a lowercase word with its regular English plural."""
    if len(word) < 3 or not word.isascii() or not word.isalpha():
        # Acronyms with digits and short words (`o1`, `ai`) have no dependable plural.
        return (word,)
    if word.endswith("sis"):
        return (word, word[:-2] + "es")  # analysis, analyses
    if word.endswith("y") and word[-2] not in "aeiou":
        return (word, word[:-1] + "ies")
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return (word, word + "es")
    return (word, word + "s")


@dataclass(frozen=True, slots=True)
class _PatternGroup:
    """Patterns tried only where one regex joining them all (the prefilter) matches."""

    prefilter: re.Pattern[str]
    """Matches wherever a member may match: the members joined with `|`, or the only member."""
    members: tuple[tuple[str, re.Pattern[str]], ...]
    """(tag id, pattern) pairs."""
    required: tuple[str, ...] = ()
    """Texts every match contains, checked first by fast substring search, e.g. `("evaluat",)`."""

    def add_matches(self, text: str, found: set[str]) -> None:
        """Add to `found` the tags of the patterns that match in the text."""
        for part in self.required:
            if part not in text:
                return
        pending = [(tag_id, regex) for tag_id, regex in self.members if tag_id not in found]
        position = 0
        while pending and (candidate := self.prefilter.search(text, position)) is not None:
            start = candidate.start()
            hits = {tag_id for tag_id, regex in pending if regex.match(text, start) is not None}
            if hits:
                found.update(hits)
                pending = [(tag_id, regex) for tag_id, regex in pending if tag_id not in hits]
            position = start + 1

    def spans(self, text: str) -> dict[str, int]:
        """Return, per tag, the length of its longest pattern match in the text."""
        spans: dict[str, int] = {}
        for tag_id, regex in self.members:
            for found in regex.finditer(text):
                spans[tag_id] = max(spans.get(tag_id, 0), found.end() - found.start())
        return spans


class _Acronyms:
    """Patterns that find one word case-sensitively (`\\bRLVR\\b`, `\\bMoEs?\\b`).

    Such a word is looked up, lowercased, among the text's lowercase words (a set operation);
    only when it is there does its regex confirm the case in the text.
    """

    __slots__ = ("_by_word", "_words")

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        by_word: dict[str, set[tuple[str, str]]] = {}
        for tag_id, pattern in entries:
            word = _WORD_PATTERN.fullmatch(pattern)
            assert word is not None  # the caller picked these patterns with _WORD_PATTERN
            forms = [word.group(1)] + ([word.group(1) + "s"] if word.group(2) else [])
            for form in forms:
                by_word.setdefault(form.lower(), set()).add((tag_id, _without_boundary(pattern)))
        self._by_word = _candidates(by_word)
        self._words = frozenset(self._by_word)

    @property
    def words(self) -> frozenset[str]:
        """Return the lowercase words looked for."""
        return self._words

    def add_matches(self, known: AbstractSet[str], text: str, found: set[str]) -> None:
        """Add to `found` the tags whose word occurs in the text.

        `known` holds the text's lowercase words that are among `words` (and possibly others).
        """
        for word in self._words & known:
            _add_confirmed(self._by_word[word], text, found)

    def spans(self, words: list[str], text: str) -> dict[str, int]:
        """Return, per tag, the length of its longest word in the text."""
        spans: dict[str, int] = {}
        for word in self._words.intersection(words):
            _add_spans(self._by_word[word], text, spans)
        return spans


def _pattern_groups(patterns: Iterable[tuple[str, str]]) -> tuple[_PatternGroup, ...]:
    """Return the patterns arranged for speed; every pattern keeps its exact meaning.

    Patterns starting with two capitals or digits (acronyms: `\\bSWE-bench\\b`) are joined into
    one regex: Python's engine skips through text to such rare first characters, so one pass
    costs about as much as one pattern. Each other pattern is searched alone, and only in texts that
    contain the literal parts it cannot match without, e.g. `we ` and `dataset` for
    `\\bwe (?:introduce|present)\\b[^.]{0,80}?\\bdatasets?\\b`.
    """
    joined: list[tuple[str, str]] = []
    groups: list[_PatternGroup] = []
    for tag_id, pattern in patterns:
        scoped = _scoped(pattern)
        prefix = _literal_prefix(_without_boundary(scoped))
        if len(prefix) >= 2 and all(char.isupper() or char.isdigit() for char in prefix[:2]):
            joined.append((tag_id, scoped))
        else:
            # Without its leading `\\b`, a pattern starting with a literal is searched by
            # Python's fast substring scan.
            alone = _compile(_without_boundary(scoped))
            required = _required_texts(scoped)
            groups.append(_PatternGroup(alone, ((tag_id, _compile(scoped)),), required))
    if joined:
        prefilter = _compile("|".join(_without_boundary(pattern) for _, pattern in joined))
        members = tuple((tag_id, _compile(pattern)) for tag_id, pattern in joined)
        groups.insert(0, _PatternGroup(prefilter, members))
    return tuple(groups)


def _without_boundary(pattern: str) -> str:
    """Return the pattern without a leading `\\b`, which matches wherever the pattern starts."""
    return pattern[len(_WORD_BOUNDARY) :] if pattern.startswith(_WORD_BOUNDARY) else pattern


def _literal_prefix(pattern: str) -> str:
    """Return the literal text every match of the pattern starts with, possibly empty.

    Patterns with back-references or named groups get none, so that they are never joined with
    others (joining would renumber or duplicate their groups).
    """
    if _GROUP_REFERENCE.search(pattern) or _has_top_level_alternation(pattern):
        return ""
    length = 0
    while length < len(pattern) and (pattern[length].isalnum() or pattern[length] in " _-"):
        length += 1
    if pattern[length : length + 1] in _REPEATS:
        length -= 1  # the quantifier makes the last letter optional: `MoEs?`
    return pattern[: max(length, 0)]


def _required_texts(pattern: str) -> tuple[str, ...]:
    """Return literal runs (3+ characters) outside groups, which every match must contain."""
    if _has_top_level_alternation(pattern):
        return ()
    runs: list[str] = []
    run = ""
    depth = 0
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        is_literal = depth == 0 and not in_class and (char.isalnum() or char in " _-")
        if is_literal and pattern[index + 1 : index + 2] not in _REPEATS:
            run += char
        else:
            runs.append(run)
            run = ""
            if char == "\\":
                index += 1
            elif in_class:
                in_class = char != "]"
            elif char == "[":
                in_class = True
            elif char in "()":
                depth += 1 if char == "(" else -1
            elif char == "{":
                index = max(index, pattern.find("}", index))  # a count, not text: `{100}`
        index += 1
    runs.append(run)
    return tuple(run for run in runs if len(run.strip()) >= 3)


def _has_top_level_alternation(pattern: str) -> bool:
    """Return whether a `|` outside any group or class splits the pattern."""
    depth = 0
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return True
        index += 1
    return False


def _scoped(pattern: str) -> str:
    """Return the pattern with leading global flags, e.g. `(?i)`, turned into a scoped group."""
    flags = _LEADING_FLAGS.match(pattern)
    if flags is None:
        return pattern
    return f"(?{flags.group(1)}:{pattern[flags.end() :]})"


def _pattern_problem(pattern: str) -> str | None:
    """Return what is wrong with a user's regular expression, or None."""
    try:
        compiled = _compile(_scoped(pattern))
    except re.error as error:
        return f"pattern {pattern!r} is not a valid regular expression ({error}); fix or quote it"
    if any(m.end() == m.start() for m in compiled.finditer(_ZERO_WIDTH_PROBE)):
        return f"pattern {pattern!r} can match empty text, so it would tag every paper; anchor it"
    return None


def _mapping_nodes(
    node: yaml.MappingNode, source: str, problems: list[Problem]
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """Return the key and value nodes of a mapping by key, recording duplicate keys."""
    nodes: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key in nodes:
            problems.append(
                Problem(
                    source,
                    _line(key_node),
                    f"key '{key}' given twice (first at line {_line(nodes[key][0])}); keep one",
                )
            )
        nodes[key] = (key_node, value_node)
    return nodes


def _strings(
    nodes: tuple[yaml.Node, yaml.Node] | None,
    value: Any,
    source: str,
    problems: list[Problem],
) -> list[tuple[str, int]]:
    """Return a list of strings with their lines, recording a problem if `value` is not one."""
    if nodes is None:
        return []
    key_node, value_node = nodes
    if (
        not isinstance(value_node, yaml.SequenceNode)
        or not isinstance(value, list)
        or not all(isinstance(entry, str) and entry.strip() for entry in value)
    ):
        problems.append(
            Problem(
                source,
                _line(value_node),
                f"`{key_node.value}` must be a list of non-empty strings, e.g. [a, b]",
            )
        )
        return []
    return [(entry, _line(node)) for entry, node in zip(value, value_node.value, strict=True)]


def _tag_content_problems(tag: Tag) -> list[str]:
    """Return what is wrong with a tag built in code (the YAML loader checks the same)."""
    messages = []
    if not _SLUG.fullmatch(tag.id):
        messages.append(f"tag id {tag.id!r} is not a slug")
    messages.extend(m for alias in tag.aliases if (m := _alias_problem(alias)) is not None)
    messages.extend(m for pattern in tag.patterns if (m := _pattern_problem(pattern)) is not None)
    return messages


def _alias_problem(alias: str) -> str | None:
    """Return what is wrong with an alias, or None."""
    if _ALIAS.fullmatch(alias.strip()):
        return None
    return (
        f"alias {alias!r} may hold only words of letters and digits, joined by spaces or single "
        "hyphens; write a pattern (a regular expression) for anything else"
    )


def _unknown_key(key: str, known: tuple[str, ...], where: str) -> str:
    """Return the message for a key the format does not define."""
    return f"unknown key '{key}' {where}; use one of: {', '.join(known)}"


def _line(node: yaml.Node) -> int:
    """Return the 1-based line a YAML node starts on."""
    return int(node.start_mark.line) + 1


def _normalise_name(name: str) -> str:
    """Return a tag id, label or keyword in a form where `Video-Generation` = `video generation`."""
    return " ".join(re.split(r"[-_\s]+", name.strip().lower()))
