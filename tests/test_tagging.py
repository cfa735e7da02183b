"""The tag vocabulary: matching, YAML errors, user extension, keyword mapping, the sample digest."""

from __future__ import annotations

import datetime as dt
import functools
import re
import textwrap
from collections.abc import Sequence

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import papershelf.tagging.taxonomy as taxonomy_module
from conftest import ROOT, SAMPLE_DIGEST, missing
from papershelf import (
    Paper,
    Source,
    Taxonomy,
    TaxonomyError,
    default_taxonomy,
    tag_papers,
    taxonomy_for,
)
from papershelf.tagging.taxonomy import Tag, load_taxonomy

# --- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Retrieval-augmented generation for QA", {"rag", "llm"}, id="rag-alias"),
        pytest.param("We improve RAG pipelines", {"rag", "llm"}, id="rag-acronym"),
        pytest.param(
            "Mixture-of-Experts layers", {"mixture-of-experts", "architectures"}, id="moe"
        ),
        pytest.param(
            "Sparse MoEs scale well", {"mixture-of-experts", "architectures"}, id="moe-plural"
        ),
        pytest.param("RL for robots", {"reinforcement-learning", "robotics"}, id="rl-acronym"),
        pytest.param("RL-based training", {"reinforcement-learning"}, id="rl-before-hyphen"),
        pytest.param("Diffusion models", {"diffusion", "generative-models"}, id="plural"),
        pytest.param("a diffusion model", {"diffusion", "generative-models"}, id="singular"),
        pytest.param("We finetune it", {"fine-tuning"}, id="hyphen-joined-verb"),
        pytest.param("finetuning", {"fine-tuning"}, id="hyphen-joined"),
        pytest.param("fine tuning", {"fine-tuning"}, id="hyphen-as-space"),
        pytest.param("FINE-TUNING", {"fine-tuning"}, id="upper-case"),
        pytest.param("Chain-of-Thought", {"llm-reasoning", "llm"}, id="hyphenated-phrase"),
        pytest.param("chain of\n thought", {"llm-reasoning", "llm"}, id="line-break"),
        pytest.param("prompting strategies", {"prompting", "llm"}, id="plural-y-ies"),
        pytest.param("3D reconstruction", {"3d-vision", "computer-vision"}, id="parent"),
        pytest.param("text-to-image", {"image-generation", "generative-models"}, id="multi-hyphen"),
        pytest.param("we prove a theorem", {"theory"}, id="theorem"),
        pytest.param("theorem proving", {"llm-reasoning", "llm"}, id="theorem-proving"),
        pytest.param("circuits in transformers", {"interpretability"}, id="circuit"),
        pytest.param(
            "Text-to-image “diffusion models” générés",
            {"diffusion", "image-generation", "generative-models"},
            id="non-ascii",
        ),
        pytest.param(
            "We introduce ImageNet-X, a dataset of 2 million photos",
            {"datasets", "computer-vision"},
            id="dataset-pattern",
        ),
        pytest.param("Evaluating 15 models on two benchmarks", {"evaluation"}, id="evaluation"),
    ],
)
def test_match_finds(text: str, expected: set[str]) -> None:
    assert default_taxonomy().match(text) == frozenset(expected)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("distributed storage engines", id="rag-inside-storage"),
        pytest.param("rag doll", id="rag-lower-case"),
        pytest.param("Moses translation toolkit", id="moe-inside-Moses"),
        pytest.param("moe is not an acronym here", id="moe-lower-case"),
        pytest.param("rl and url and Rl", id="rl-lower-case"),
        pytest.param("RLHFX and xRL", id="acronym-inside-word"),
        pytest.param("we study diffusion. Models of it differ", id="phrase-across-sentence"),
        pytest.param("the diffusion (model) and reinforcement, learning", id="phrase-across-punct"),
        pytest.param("HumanML3D benchmark", id="3d-inside-word"),
        pytest.param("quantum circuits and electronic circuits", id="hardware-circuits"),
        pytest.param("useful in robotics, gaming and animation", id="application-mention"),
        pytest.param("", id="empty"),
    ],
)
def test_match_rejects(text: str) -> None:
    assert default_taxonomy().match(text) == frozenset()


def test_every_shipped_alias_finds_its_tag_in_running_text() -> None:
    taxonomy = default_taxonomy()
    missing = []
    for tag in taxonomy.tags.values():
        for alias in tag.aliases:
            variants = [alias, alias.upper(), alias.replace("-", " ")]
            if re.search(r"[a-z]{3}$", alias) and alias[-1] not in "hsxy":
                variants.append(alias + "s")
            for variant in variants:
                if tag.id not in taxonomy.match(f"Here, {variant}; and more."):
                    missing.append((tag.id, variant))
    assert missing == []


def test_every_shipped_acronym_pattern_finds_its_tag() -> None:
    taxonomy = default_taxonomy()
    missing = []
    for tag in taxonomy.tags.values():
        for pattern in tag.patterns:
            word = re.fullmatch(r"\\b(\w+)(?:s\?)?\\b", pattern)
            if word is not None and tag.id not in taxonomy.match(f"(with {word.group(1)})"):
                missing.append((tag.id, pattern))
            if word is not None and tag.id in taxonomy.match(f"with {word.group(1).lower()}x"):
                missing.append((tag.id, pattern + " inside a word"))
    assert missing == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aeilmnorstvxLMRGEAC3D -.,()é\n")), max_size=80))
def test_match_is_closed_under_parents_and_independent_of_the_word_splitter(text: str) -> None:
    taxonomy = default_taxonomy()
    found = taxonomy.match(text)
    assert found <= taxonomy.tags.keys()
    assert all(set(taxonomy.ancestors(tag_id)) <= found for tag_id in found)
    # A non-ASCII character switches word splitting to the regex path; results must not change.
    assert taxonomy.match(text + " é") == found


USER_PATTERNS = [
    r"\bRLVR\b",
    r"\bMoEs?\b",
    r"\bSWE-bench\b",
    r"(?i)\bqml\b",
    r"(ab)c\1",
    r"(?P<x>zz)y(?P=x)",
    r"\bfoo|bar\b",
    r"\d{3} papers",
    r"\bwe (?:introduce|present)\b[^.]{0,80}?\bdatasets?\b",
    r"\b[Cc]ircuits?\b",
]
PATTERN_TEXTS = [
    "RLVR and MoEs on SWE-bench",
    "xRLVR, MoEss, SWE-benchmark, moe",
    "QML and qml; Qmlx",
    "abcab abcabc zzyzz zzyz",
    "food and crowbar, barn and foo",
    "100 papers and 99 papers",
    "we introduce X, a new dataset. We introduce Y. we present the datasets",
    "we introduce a model. It uses a dataset",
    "Circuits, circuit, circuitry",
    "",
]


@pytest.mark.parametrize("text", PATTERN_TEXTS)
def test_patterns_match_exactly_as_python_regexes_do(text: str) -> None:
    tags = [
        Tag(id=f"p{index}", label=f"P{index}", patterns=(pattern,))
        for index, pattern in enumerate(USER_PATTERNS)
    ]
    expected = {
        f"p{index}"
        for index, pattern in enumerate(USER_PATTERNS)
        if re.search(pattern.replace("(?i)", "(?i:") + (")" if "(?i)" in pattern else ""), text)
    }
    assert Taxonomy(tags).match(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("caa aa aa", {"a"}, id="match-after-a-mid-word-start"),
        pytest.param("caa aa", set(), id="only-mid-word"),
        pytest.param("aa,aa", set(), id="comma-between"),
        pytest.param("AA-AA", {"a"}, id="hyphen-and-case"),
    ],
)
def test_phrase_alias_starts_at_a_word(text: str, expected: set[str]) -> None:
    taxonomy = Taxonomy([Tag(id="a", label="A", aliases=("aa aa",))])
    assert taxonomy.match(text) == expected


def test_label_falls_back_to_the_id() -> None:
    taxonomy = default_taxonomy()
    assert taxonomy.label("video-generation") == "Video generation"
    assert taxonomy.label("my-own-keyword") == "my-own-keyword"


def test_shipped_vocabulary_is_well_formed() -> None:
    taxonomy = default_taxonomy()
    assert 40 <= len(taxonomy.tags) <= 60
    assert taxonomy.ancestors("rlvr") == ("reinforcement-learning",)
    assert taxonomy.ancestors("3d-vision") == ("computer-vision",)
    labels = [tag.label for tag in taxonomy.tags.values()]
    assert len(set(labels)) == len(labels)


def test_guide_lists_every_shipped_tag() -> None:
    guide = (ROOT / "docs" / "guide" / "tags.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| ([^|]+?) \|", guide, flags=re.MULTILINE))
    expected = {tag.id: tag.label for tag in default_taxonomy().tags.values()}
    assert rows == expected


# --- HF keywords ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        pytest.param("diffusion models", "diffusion", id="alias"),
        pytest.param("Diffusion Models", "diffusion", id="label"),
        pytest.param("reinforcement-learning", "reinforcement-learning", id="id"),
        pytest.param(
            "reinforcement learning from human feedback", "alignment", id="longest-alias-wins"
        ),
        pytest.param("video diffusion model", "diffusion", id="tie-goes-to-first-id"),
        pytest.param("RLVR", "rlvr", id="acronym"),
        pytest.param("reinforcement learning with verifiable rewards", "rlvr", id="child-wins"),
        pytest.param("contrastive loss", "self-supervised", id="contrastive"),
        pytest.param("LoRA", "fine-tuning", id="lora"),
        pytest.param("Mixture of Experts", "mixture-of-experts", id="moe"),
        pytest.param("large-scale RL training", "reinforcement-learning", id="inside"),
        pytest.param("storage", None, id="unknown"),
        pytest.param("rl", None, id="case-sensitive-acronym"),
        pytest.param("", None, id="empty"),
    ],
)
def test_map_keyword(keyword: str, expected: str | None) -> None:
    assert default_taxonomy().map_keyword(keyword) == expected


def _paper(title: str, abstract: str = "", **fields: object) -> Paper:
    return Paper(
        title=title,
        abstract=abstract,
        source=Source("digest.txt", line=1),
        date=dt.date(2025, 10, 30),
        **fields,  # type: ignore[arg-type]
    )


def test_tag_papers_uses_title_abstract_and_keywords() -> None:
    papers = [
        _paper("Video generation at scale", "We use classifier-free guidance."),
        _paper("A study", "", keywords=("RLVR", "storage")),
        _paper("Nothing here", "at all", tags=("stale",)),
    ]
    tagged = tag_papers(papers, default_taxonomy())
    assert [paper.tags for paper in tagged] == [
        ("diffusion", "generative-models", "video-generation"),
        ("reinforcement-learning", "rlvr"),
        (),
    ]
    assert tagged[0].title == papers[0].title
    assert tagged[1].keywords == ("RLVR", "storage")
    assert [paper.tags for paper in papers] == [(), (), ("stale",)]


def test_many_papers_are_tagged_alike_on_several_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    subjects = ["video generation", "reinforcement learning", "a plain study", "RLVR rewards"]
    papers = [_paper(f"{subjects[n % 4]} {n}", f"Abstract {n}.") for n in range(1_200)]
    watched: list[int] = []

    def watch(share: Sequence[Paper]) -> Sequence[Paper]:
        watched.append(len(share))
        return share

    monkeypatch.setenv("PAPERSHELF_JOBS", "1")
    serial = tag_papers(papers, default_taxonomy())
    monkeypatch.setenv("PAPERSHELF_JOBS", "3")
    parallel = tag_papers(papers, default_taxonomy(), watch=watch)
    assert parallel == serial
    assert watched == [400]  # only the share this process tags itself
    assert serial[0].tags == ("generative-models", "video-generation")
    assert serial[2].tags == ()


# --- YAML errors ---------------------------------------------------------------------------------

GOOD = """\
version: 1
tags:
  - id: quantum
    label: Quantum ML
    aliases: [quantum machine learning, qubit]
    patterns: ['\\bQML\\b']
  - id: quantum-chemistry
    label: Quantum chemistry
    parent: quantum
    aliases: [quantum chemistry]
"""


def test_load_taxonomy_reads_a_vocabulary() -> None:
    taxonomy = load_taxonomy(GOOD, source="my-tags.yaml")
    assert sorted(taxonomy.tags) == ["quantum", "quantum-chemistry"]
    assert taxonomy.tags["quantum"] == Tag(
        id="quantum",
        label="Quantum ML",
        aliases=("quantum machine learning", "qubit"),
        patterns=(r"\bQML\b",),
        parent=None,
    )
    assert taxonomy.match("Qubits and QML") == {"quantum"}
    assert taxonomy.match("quantum chemistry") == {"quantum", "quantum-chemistry"}


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: A\n    aliases: [x]\n    parent: nope\n",
            ["my-tags.yaml:3: tag 'a' has unknown parent 'nope'"],
            id="unknown-parent",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: A\n    aliases: [x]\n"
            "  - id: a\n    label: B\n    aliases: [y]\n",
            ["my-tags.yaml:6: duplicate tag id 'a' (first at line 3)"],
            id="duplicate-id",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: Video_Gen\n    label: A\n    aliases: [x]\n",
            ["my-tags.yaml:3: tag id 'Video_Gen' is not a slug"],
            id="bad-slug",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: A\n    patterns:\n      - '\\bok\\b'\n"
            "      - '(unclosed'\n",
            ["my-tags.yaml:7: pattern '(unclosed' is not a valid regular expression"],
            id="bad-regex",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: A\n    patterns: ['x*']\n",
            ["my-tags.yaml:5: pattern 'x*' can match empty text"],
            id="empty-regex",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: A\n    aliases: [x]\n    synonyms: [y]\n",
            ["my-tags.yaml:6: unknown key 'synonyms' in a tag; use one of: id, label,"],
            id="unknown-tag-key",
        ),
        pytest.param(
            "version: 1\ntag:\n  - id: a\n",
            [
                "my-tags.yaml:2: unknown key 'tag' at the top; use one of: version, replace, tags",
                "my-tags.yaml:1: missing `tags:`",
            ],
            id="unknown-top-key",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: A\n    parent: b\n"
            "  - id: b\n    label: B\n    parent: a\n",
            ["my-tags.yaml:3: parents form a cycle (a -> b -> a); remove one of these parents"],
            id="cycle",
        ),
        pytest.param(
            "tags: []\n",
            ["my-tags.yaml:1: missing `version: 1`; add it at the top"],
            id="no-version",
        ),
        pytest.param(
            "version: 2\ntags: []\n",
            ["my-tags.yaml:1: version 2 is not supported; write `version: 1`"],
            id="future-version",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: A\n    aliases: ['C++']\n",
            ["my-tags.yaml:5: alias 'C++' may hold only words"],
            id="alias-with-punctuation",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: A\n    aliases: x\n",
            ["my-tags.yaml:5: `aliases` must be a list of non-empty strings"],
            id="aliases-not-a-list",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    aliases: [x]\n",
            ["my-tags.yaml:3: label None must be non-empty text"],
            id="missing-label",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: A\n",
            ["my-tags.yaml:3: tag 'a' has no aliases, no patterns and no child tags"],
            id="tag-that-never-matches",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: A\n    label: B\n    aliases: [x]\n",
            ["my-tags.yaml:5: key 'label' given twice (first at line 4)"],
            id="duplicate-key",
        ),
        pytest.param(
            "version: 1\ntags:\n  - id: a\n    label: [unclosed\n",
            ["my-tags.yaml:5: not valid YAML"],
            id="yaml-syntax",
        ),
        pytest.param("- a\n- b\n", ["my-tags.yaml:1: expected a mapping"], id="not-a-mapping"),
        pytest.param("", ["my-tags.yaml:1: expected a mapping"], id="empty-file"),
        pytest.param(
            "version: 1\nreplace: maybe\ntags: []\n",
            ["my-tags.yaml:2: replace 'maybe' must be true or false"],
            id="replace-not-bool",
        ),
    ],
)
def test_load_taxonomy_reports_problems_with_lines(text: str, problems: list[str]) -> None:
    with pytest.raises(TaxonomyError) as raised:
        load_taxonomy(text, source="my-tags.yaml")
    reported = [str(problem) for problem in raised.value.problems]
    assert len(reported) == len(problems), reported
    for expected, problem in zip(problems, reported, strict=True):
        assert problem.startswith(expected)


SHIPPED_TEXT = (ROOT / "plugin/papershelf/tagging/data/taxonomy.yaml").read_text(encoding="utf-8")


def _outcome(text: str) -> object:
    """Return what loading a vocabulary gives: its tags, or the problems reported."""
    try:
        return dict(load_taxonomy(text, source="my-tags.yaml").tags)
    except TaxonomyError as error:
        return [str(problem) for problem in error.problems]


@pytest.mark.parametrize(
    "text",
    [
        GOOD,
        SHIPPED_TEXT,
        "version: 1\ntags:\n  - id: a\n    label: [unclosed\n",
        "version: 1\ntags:\n  - id: a\n    label: A\n    label: B\n    aliases: [x]\n",
        "version: 1\ntags:\n\t- id: a\n",
        "version: 1\ntags: [\n",
        "- a\n- b\n",
        "",
    ],
)
def test_libyaml_and_pyyaml_loaders_give_the_same_vocabulary_and_problems(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not yaml.__with_libyaml__:
        missing("PyYAML is installed without libyaml; its wheels for Linux have it")
    with_libyaml = _outcome(text)
    monkeypatch.setattr(taxonomy_module, "_SAFE_LOADER", yaml.SafeLoader)
    assert _outcome(text) == with_libyaml


def test_all_problems_of_a_file_are_reported_at_once() -> None:
    text = textwrap.dedent(
        """\
        version: 1
        tags:
          - id: Bad Id
            label: A
            aliases: [x]
          - id: b
            label: B
            patterns: ['(']
          - id: c
            label: C
            aliases: [y]
            colour: red
          - id: d
            label: D
            aliases: [z]
            parent: nowhere
          - id: e
            label: E
            aliases: [w]
            parent: b
        """
    )
    with pytest.raises(TaxonomyError) as raised:
        load_taxonomy(text, source="t.yaml")
    # `e` names `b`, which has a problem of its own: that is not reported a second time.
    assert [(p.file, p.line) for p in raised.value.problems] == [
        ("t.yaml", 3),
        ("t.yaml", 8),
        ("t.yaml", 12),
        ("t.yaml", 13),
    ]
    assert "unknown parent 'nowhere'" in str(raised.value.problems[-1])


def test_taxonomy_built_in_code_is_checked() -> None:
    with pytest.raises(TaxonomyError, match="unknown parent 'nowhere'"):
        Taxonomy([Tag(id="a", label="A", aliases=("x",), parent="nowhere")])
    with pytest.raises(TaxonomyError, match="alias 'C#' may hold only words"):
        Taxonomy([Tag(id="a", label="A", aliases=("C#",))])


# --- extension and replacement -------------------------------------------------------------

EXTENSION = """\
version: 1
tags:
  - id: quantum-chemistry
    label: Quantum chemistry
    parent: ai-for-science
    aliases: [quantum chemistry]
  - id: diffusion
    label: Diffusion (my way)
    aliases: [denoiser]
"""


def test_user_vocabulary_extends_the_default() -> None:
    taxonomy = taxonomy_for(EXTENSION, source="my-tags.yaml")
    assert set(default_taxonomy().tags) | {"quantum-chemistry"} == set(taxonomy.tags)
    assert taxonomy.match("quantum chemistry") == {"quantum-chemistry", "ai-for-science"}
    # The user's `diffusion` replaces the shipped one entirely, aliases and parent included.
    assert taxonomy.label("diffusion") == "Diffusion (my way)"
    assert taxonomy.match("a lightweight denoiser") == {"diffusion"}
    assert taxonomy.match("diffusion models") == frozenset()
    assert taxonomy.match("reinforcement learning") == {"reinforcement-learning"}


@pytest.mark.parametrize(
    ("text", "replace"),
    [
        pytest.param(GOOD, True, id="flag"),
        pytest.param(GOOD.replace("version: 1\n", "version: 1\nreplace: true\n"), False, id="file"),
    ],
)
def test_user_vocabulary_replaces_the_default(text: str, replace: bool) -> None:
    taxonomy = taxonomy_for(text, source="my-tags.yaml", replace=replace)
    assert sorted(taxonomy.tags) == ["quantum", "quantum-chemistry"]
    assert taxonomy.match("reinforcement learning for quantum chemistry") == {
        "quantum",
        "quantum-chemistry",
    }


def test_replacing_vocabulary_cannot_name_a_shipped_parent() -> None:
    with pytest.raises(TaxonomyError) as raised:
        taxonomy_for(EXTENSION, source="my-tags.yaml", replace=True)
    assert str(raised.value).startswith(
        "my-tags.yaml:3: tag 'quantum-chemistry' has unknown parent 'ai-for-science'"
    )


def test_no_user_vocabulary_means_the_default() -> None:
    assert taxonomy_for(None) is default_taxonomy()


def test_extended_overrides_by_id() -> None:
    base = Taxonomy(
        [
            Tag(id="a", label="A", aliases=("alpha",)),
            Tag(id="b", label="B", aliases=("beta",), parent="a"),
        ]
    )
    other = Taxonomy(
        [Tag(id="a", label="A2", aliases=("aleph",)), Tag(id="c", label="C", aliases=("gamma",))]
    )
    merged = base.extended(other)
    assert sorted(merged.tags) == ["a", "b", "c"]
    assert merged.label("a") == "A2"
    assert merged.match("alpha") == frozenset()
    assert merged.match("beta") == {"a", "b"}
    assert merged.match("aleph gamma") == {"a", "c"}
    assert sorted(base.tags) == ["a", "b"]


# --- the sample digest -------------------------------------------------------------------------

_FOOTER = re.compile(r"•.*|·|[A-Z][a-z]{2} \d{1,2}(?:, \d{4})?(?: \d+)?")


@functools.cache
def _sample_papers() -> list[tuple[str, str]]:
    """Return (title, abstract) of each entry of the sample: non-footer lines, in pairs."""
    lines = [line.strip() for line in SAMPLE_DIGEST.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    body = lines[lines.index("Oct 30") + 1 :]
    entries = [line for line in body if not _FOOTER.fullmatch(line)]
    return list(zip(entries[::2], entries[1::2], strict=True))


# Tags chosen by reading each paper; the vocabulary was tuned until it gives them. A comment marks
# a tag that rests on a secondary theme of the abstract.
SAMPLE_TAGS: list[tuple[str, set[str]]] = [
    ("Incorporating Surrogate Gradient Norm", {"optimization", "theory"}),
    (
        "Leaving Reality to Imagination",
        {"robustness", "synthetic-data", "datasets", "computer-vision", "generative-models"},
    ),
    ("in2IN", {"human-motion", "computer-vision", "diffusion", "generative-models"}),
    ("LLM Context Conditioning and PWP", {"prompting", "llm", "multimodal", "ai-for-science"}),
    ("HuMo", {"video-generation", "generative-models", "multimodal", "diffusion"}),
    ("HunyuanCustom", {"video-generation", "generative-models", "multimodal"}),
    ("GenHancer", {"generative-models", "multimodal", "computer-vision", "self-supervised"}),
    # Joint training to avoid catastrophic forgetting when adding the new dataset.
    ("AQCat25", {"ai-for-science", "datasets", "continual-learning"}),
    (
        "ReSim",
        {
            "world-models",
            "autonomous-driving",
            "video-generation",
            "diffusion",
            "generative-models",
        },
    ),
    ("Few-Step Diffusion", {"diffusion", "distillation", "image-generation", "generative-models"}),
    ("In-Context Learning Strategies", {"prompting", "llm"}),
    ("Mitigating Visual Forgetting", {"multimodal", "llm-reasoning", "llm"}),
    ("Scalable and Equitable Math", {"education", "fairness"}),
    ("Discovering and Exploiting Sparse Rewards", {"reinforcement-learning"}),
    ("Metadata Conditioning", {"pretraining", "llm"}),
    ("SMART", {"llm-reasoning", "llm", "reinforcement-learning"}),
    ("B-STaR", {"llm-reasoning", "llm"}),
    # Behaviours are distilled into parameters by supervised fine-tuning.
    ("Metacognitive Reuse", {"llm-reasoning", "llm", "fine-tuning", "distillation"}),
    ("Orca 2", {"llm-reasoning", "llm"}),
    ("Catastrophic Interference", {"continual-learning"}),
    ("Dichotomy of Control", {"reinforcement-learning"}),
    ("Unveiling the Mechanisms of Explicit CoT", {"llm-reasoning", "llm", "interpretability"}),
    ("Speculative Thinking", {"llm-reasoning", "llm", "efficient-inference"}),
    # The adversary's target policy is aligned with human preferences; safety-critical settings.
    ("RAT", {"reinforcement-learning", "robustness", "alignment"}),
    ("A Study of Global and Episodic Bonuses", {"reinforcement-learning"}),
    ("Frontier Models", {"alignment", "agents", "llm", "evaluation"}),
    (
        "PRefLexOR",
        {
            "llm-reasoning",
            "llm",
            "alignment",  # preference optimisation
            "reinforcement-learning",
            "agents",
            "ai-for-science",  # biological materials science
            "rag",  # retrieval-augmentation over a knowledge graph
            "fine-tuning",
        },
    ),
    ("Continual Learning with Dynamic Sparse Training", {"continual-learning"}),
    (
        "Warm Up Before You Train",
        {"llm-reasoning", "llm", "rlvr", "reinforcement-learning", "distillation"},
    ),
    ("Automatic Curriculum Expert Iteration", {"llm-reasoning", "llm", "hallucination"}),
    # RL fine-tuning of an LLM; the abstract contrasts it with supervised fine-tuning.
    ("EPO", {"llm-reasoning", "llm", "reinforcement-learning", "agents", "fine-tuning"}),
    (
        "Rethinking Entropy Interventions in RLVR",
        {"rlvr", "reinforcement-learning", "llm-reasoning", "llm"},
    ),
    ("Let it Calm", {"rlvr", "reinforcement-learning", "llm-reasoning", "llm"}),
    (
        "An Emulator for Fine-Tuning",
        {
            "fine-tuning",
            "llm",
            "alignment",  # learning from human preferences, helpfulness and harmlessness
            "hallucination",  # factuality is one of its two findings
            "instruction-following",
            "reinforcement-learning",  # an RL-based framework
        },
    ),
    # Self-conditioning on errors in a growing context.
    ("The Illusion of Diminishing Returns", {"llm", "evaluation", "llm-reasoning", "long-context"}),
    (
        "AceReason-Nemotron 1.1",
        {"llm-reasoning", "llm", "reinforcement-learning", "fine-tuning", "code-generation"},
    ),
    ("Lipschitzness Is All You Need", {"reinforcement-learning", "theory"}),
    (
        "When Thinking Fails",
        {"llm-reasoning", "llm", "instruction-following", "prompting", "evaluation"},
    ),
    ("Need is All You Need", {"continual-learning"}),
    ("Understanding Transformers through the Lens", {"architectures", "theory"}),
    ("Can Models Learn Skill Composition", {"fine-tuning"}),
    (
        "Light-IF",
        {"llm-reasoning", "llm", "instruction-following", "fine-tuning", "reinforcement-learning"},
    ),
]


def test_sample_table_covers_every_sample_paper_in_order() -> None:
    titles = [title for title, _ in _sample_papers()]
    assert len(titles) == 42
    assert len(SAMPLE_TAGS) == 42
    mismatched = [
        (start, title)
        for (start, _), title in zip(SAMPLE_TAGS, titles, strict=True)
        if not title.startswith(start)
    ]
    assert mismatched == []


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        pytest.param(index, expected, id=start)
        for index, (start, expected) in enumerate(SAMPLE_TAGS)
    ],
)
def test_sample_paper_tags(index: int, expected: set[str]) -> None:
    title, abstract = _sample_papers()[index]
    [paper] = tag_papers([_paper(title, abstract)], default_taxonomy())
    assert set(paper.tags) == expected
    assert list(paper.tags) == sorted(expected)
