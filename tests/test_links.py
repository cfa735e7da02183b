"""Links in free text: what counts as a URL, where it ends, and what it points at."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papershelf import Link, LinkKind
from papershelf.links import (
    classify_url,
    find_links,
    http_link_kind,
    is_http_url,
    merge_links,
    safe_url,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Our code is publicly available at https://github.com/cuong-dm/IGNITE",
            ["https://github.com/cuong-dm/IGNITE"],
            id="end-of-text",
        ),
        pytest.param(
            "Project Page: https://phantom-video.github.io/HuMo.",
            ["https://phantom-video.github.io/HuMo"],
            id="full-stop",
        ),
        pytest.param(
            "see https://a.org/x, https://b.org/y; and https://c.org/z: done",
            ["https://a.org/x", "https://b.org/y", "https://c.org/z"],
            id="comma-semicolon-colon",
        ),
        pytest.param("(code: https://x.io/a).", ["https://x.io/a"], id="in-parentheses"),
        pytest.param("[https://x.io/a]", ["https://x.io/a"], id="in-brackets"),
        pytest.param("{https://x.io/a}", ["https://x.io/a"], id="in-braces"),
        pytest.param("'https://x.io/a'", ["https://x.io/a"], id="single-quotes"),
        pytest.param('"https://x.io/a"', ["https://x.io/a"], id="double-quotes"),
        pytest.param("<https://x.io/a>", ["https://x.io/a"], id="angle-brackets"),
        pytest.param(
            "see https://en.wikipedia.org/wiki/Python_(programming_language).",
            ["https://en.wikipedia.org/wiki/Python_(programming_language)"],
            id="wikipedia-balanced",
        ),
        pytest.param(
            "(see https://en.wikipedia.org/wiki/Foo_(bar))",
            ["https://en.wikipedia.org/wiki/Foo_(bar)"],
            id="wikipedia-inside-parentheses",
        ),
        pytest.param(
            r"\url{https://x.io/a}\footnote{", ["https://x.io/a}\\footnote{"], id="tex-residue"
        ),
        pytest.param("https://x.io/a?b=1,2&c=3", ["https://x.io/a?b=1,2&c=3"], id="inner-comma"),
        pytest.param(
            "https://x.io/a and again https://x.io/a.", ["https://x.io/a"], id="deduplicated"
        ),
        pytest.param("HTTPS://GitHub.com/A/B", ["HTTPS://GitHub.com/A/B"], id="case-kept"),
        pytest.param("http://x.io", ["http://x.io"], id="plain-http"),
        pytest.param("javascript:alert(1) https://", [], id="javascript-and-empty"),
        pytest.param("ftp://x.io/a mailto:a@b.org file:///etc/passwd", [], id="other-schemes"),
        pytest.param("https://localhost/a https://./", [], id="no-real-host"),
        pytest.param("https://[::1/a", [], id="broken-ipv6"),
        pytest.param("no links here", [], id="none"),
    ],
)
def test_find_links(text: str, expected: list[str]) -> None:
    assert [link.url for link in find_links(text)] == expected


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        pytest.param("https://github.com/cuong-dm/IGNITE", LinkKind.CODE, id="github"),
        pytest.param("https://www.github.com/a/b", LinkKind.CODE, id="github-www"),
        pytest.param("https://gitlab.com/a/b", LinkKind.CODE, id="gitlab"),
        pytest.param("https://codeberg.org/a/b", LinkKind.CODE, id="codeberg"),
        pytest.param("https://bitbucket.org/a/b", LinkKind.CODE, id="bitbucket"),
        pytest.param("https://gitee.com/a/b", LinkKind.CODE, id="gitee"),
        pytest.param("https://git.sr.ht/~a/b", LinkKind.CODE, id="sourcehut"),
        pytest.param("https://github.com", LinkKind.OTHER, id="github-home"),
        pytest.param("https://phantom-video.github.io/HuMo", LinkKind.PROJECT, id="github-io"),
        pytest.param("https://hunyuancustom.github.io", LinkKind.PROJECT, id="github-io-root"),
        pytest.param("https://a.gitlab.io/p", LinkKind.PROJECT, id="gitlab-io"),
        pytest.param("https://sites.google.com/view/p", LinkKind.PROJECT, id="google-sites"),
        pytest.param("https://p.netlify.app", LinkKind.PROJECT, id="netlify"),
        pytest.param(
            "https://huggingface.co/nvidia/AceReason-Nemotron-1.1-7B", LinkKind.HF_MODEL, id="model"
        ),
        pytest.param("https://huggingface.co/datasets/a/b", LinkKind.HF_DATASET, id="dataset"),
        pytest.param("https://huggingface.co/spaces/a/b", LinkKind.HF_SPACE, id="space"),
        pytest.param("https://hf.co/a/b", LinkKind.HF_MODEL, id="hf-co-short-host"),
        pytest.param("https://huggingface.co/papers/2502.20581", LinkKind.OTHER, id="hf-paper"),
        pytest.param("https://huggingface.co/docs/hub/x", LinkKind.OTHER, id="hf-docs"),
        pytest.param("https://huggingface.co/nvidia", LinkKind.OTHER, id="hf-organisation"),
        pytest.param("https://huggingface.co/datasets/a", LinkKind.OTHER, id="hf-dataset-owner"),
        pytest.param("https://github.com.evil.org/a/b", LinkKind.OTHER, id="lookalike-host"),
        pytest.param("https://arxiv.org/abs/2410.17243", LinkKind.OTHER, id="arxiv"),
    ],
)
def test_classify_url(url: str, kind: LinkKind) -> None:
    assert classify_url(url) is kind


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x.io/a", "data:text/html,<b>", "//x.io/a", "x.io"]
)
def test_non_http_is_never_a_link(url: str) -> None:
    assert not is_http_url(url)
    with pytest.raises(ValueError, match="not an http"):
        classify_url(url)


def test_merge_links_keeps_first_of_equal_urls() -> None:
    code = Link("https://github.com/a/b", LinkKind.CODE)
    page = Link("https://a.github.io/b", LinkKind.PROJECT)
    again = Link("https://github.com/a/b", LinkKind.OTHER)
    assert merge_links((code,), (again, page)) == (code, page)


def test_trailing_brackets_are_trimmed_in_linear_time() -> None:
    text = "https://x.io/a" + ")" * 200_000 + " https://x.io/(b" + ")" * 200_000
    started = time.perf_counter()
    links = find_links(text)
    assert time.perf_counter() - started < 2.0
    assert [link.url for link in links] == ["https://x.io/a", "https://x.io/(b)"]


@given(st.text(alphabet=st.sampled_from("ab.,;:)(]['\"/ \nhtps:x"), max_size=80))
def test_found_links_are_clean_substrings(text: str) -> None:
    for link in find_links(text):
        assert link.url in text
        assert is_http_url(link.url)
        assert link.url[-1] not in ".,;:'\""
        if link.url.endswith(")"):
            assert link.url.count("(") >= link.url.count(")")


# One URL check: links and page link targets accept the same URLs.


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        pytest.param("https://github.com/a/b", True, id="plain"),
        pytest.param("HTTP://Example.org/A", True, id="scheme-case"),
        pytest.param("https://x.org:8080/a", True, id="port"),
        pytest.param("https://b\u00fccher.example/x", True, id="international-host"),
        pytest.param("https://user@evil.example/", False, id="user-name"),
        pytest.param("https://user:pw@evil.example/", False, id="user-and-password"),
        pytest.param("https://localhost/x", False, id="single-label-host"),
        pytest.param("https://x.org:99999/a", False, id="port-too-large"),
        pytest.param("https://x.org:http/a", False, id="port-not-a-number"),
        pytest.param("https://x.org/a\x00b", False, id="control-character"),
        pytest.param("https://x.org/a b", False, id="space"),
        pytest.param("https://x.org\\@evil.example/", False, id="backslash-user-name"),
        pytest.param("https://[::1]/", False, id="ip-literal"),
        pytest.param("javascript:alert(1)", False, id="javascript"),
    ],
)
def test_links_and_link_targets_accept_the_same_urls(url: str, accepted: bool) -> None:
    assert is_http_url(url) is accepted
    assert (safe_url(url) is not None) is accepted
    assert (http_link_kind(url) is not None) is accepted


@given(st.text(alphabet=st.sampled_from("htps:/.@[]x1 \x00\\#?%"), max_size=30))
def test_a_link_target_is_an_accepted_url(text: str) -> None:
    assert (safe_url(text) is not None) == is_http_url(text.strip())
