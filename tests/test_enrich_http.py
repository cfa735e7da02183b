"""The network edge against a real HTTP server on 127.0.0.1: pacing, retries, failures."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from metadata_server import MetadataServer, Reply, serve
from papershelf import __version__
from papershelf.enrich.http import Endpoint, Fetcher, SourceDown


@pytest.fixture
def server() -> Iterator[MetadataServer]:
    yield from serve()


def endpoint(server: MetadataServer, interval: float = 0.0) -> Endpoint:
    return Endpoint("hf", server.url + "/api", interval)


def test_an_answer_comes_back_with_papershelf_user_agent(server: MetadataServer) -> None:
    server.route("/api/papers/2410.17243", {}, Reply('{"id": "2410.17243"}'))
    with Fetcher(backoff=0.01) as fetcher:
        answer = fetcher.get(endpoint(server), "papers/2410.17243", {})
    assert (answer.status, answer.text) == (200, '{"id": "2410.17243"}')
    assert server.user_agents == [
        f"papershelf/{__version__} " + server.user_agents[0].split(" ", 1)[1]
    ]
    assert server.user_agents[0].startswith(f"papershelf/{__version__} (")


def test_404_is_an_answer_not_a_failure(server: MetadataServer) -> None:
    with Fetcher(backoff=0.01) as fetcher:
        answer = fetcher.get(endpoint(server), "papers/9999.99999", {})
    assert answer.status == 404
    assert fetcher.down(endpoint(server)) is None


@pytest.mark.parametrize(
    "first",
    [
        pytest.param(Reply("slow down", status=429, headers={"Retry-After": "0"}), id="429"),
        pytest.param(Reply("busy", status=503), id="503"),
        pytest.param(Reply(drop=True), id="dropped-connection"),
        pytest.param(Reply("{}", delay=1.0), id="timeout"),
    ],
)
def test_a_failed_request_is_retried(server: MetadataServer, first: Reply) -> None:
    server.route("/api/papers/search", {"q": "x"}, first, Reply("[]"))
    with Fetcher(backoff=0.01, timeout=0.3) as fetcher:
        answer = fetcher.get(endpoint(server), "papers/search", {"q": "x"})
        assert answer.text == "[]"
        assert fetcher.requests == 2


def test_a_source_that_keeps_failing_is_down_for_the_rest_of_the_run(
    server: MetadataServer,
) -> None:
    server.route("/api/papers/search", {"q": "x"}, Reply("busy", status=503))
    with Fetcher(backoff=0.01, retries=2) as fetcher:
        with pytest.raises(SourceDown, match="HTTP 503"):
            fetcher.get(endpoint(server), "papers/search", {"q": "x"})
        sent = len(server.requests)
        assert sent == 3
        with pytest.raises(SourceDown, match="HTTP 503"):
            fetcher.get(endpoint(server), "papers/search", {"q": "y"})
        assert len(server.requests) == sent, "a source that is down is not asked again"


def test_a_long_retry_after_gives_up_at_once(server: MetadataServer) -> None:
    server.route("/api/x", {}, Reply("no", status=429, headers={"Retry-After": "3600"}))
    with Fetcher(backoff=0.01) as fetcher, pytest.raises(SourceDown, match="429"):
        fetcher.get(endpoint(server), "x", {})
    assert len(server.requests) == 1


def test_requests_to_one_source_are_paced(server: MetadataServer) -> None:
    server.route("/api/x", {}, Reply("{}"))
    with Fetcher(backoff=0.01) as fetcher:
        started = time.monotonic()
        for _ in range(3):
            fetcher.get(endpoint(server, interval=0.2), "x", {})
        elapsed = time.monotonic() - started
    assert elapsed >= 0.4, "three requests at 0.2 s intervals take at least 0.4 s"


def test_a_closed_port_is_a_source_down_not_a_traceback() -> None:
    with Fetcher(backoff=0.01, retries=1) as fetcher, pytest.raises(SourceDown, match="hf:"):
        fetcher.get(Endpoint("hf", "http://127.0.0.1:9/api", 0.0), "papers/x", {})
