"""The only code that talks to the network: polite GET requests to the metadata sources.

One `httpx.Client` per run keeps one connection per source open (arXiv asks for one connection
and at most one request every 3 seconds, across its API, RSS and OAI-PMH), sends a User-Agent
naming papershelf, bounds every request by a timeout, and retries 429, 5xx, timeouts and dropped
connections a bounded number of times with growing pauses (or the pause a `Retry-After` asks
for). A source that still fails is marked down for the rest of the run: its remaining papers
stay as they were, and the next run asks again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from papershelf import __version__

USER_AGENT = f"papershelf/{__version__} (research-paper bibliography tool; metadata lookup)"

_RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_AFTER = 60.0
"""A longer `Retry-After` than this is not waited for: the source counts as down for the run."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A metadata source's base URL and the pace it asks for."""

    name: str
    """Short name used in reports and the cache, e.g. `arxiv`."""
    base_url: str
    """e.g. `https://export.arxiv.org/api/query` or `https://huggingface.co/api`."""
    min_interval: float
    """Seconds between the starts of two requests, e.g. `3.0` for arXiv."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP answer as the source sent it."""

    url: str
    """The requested URL with its query, e.g. `https://export.arxiv.org/api/query?id_list=...`;
    for a form sent by POST, the same request in its GET form."""
    status: int
    """e.g. `200`, or `404` for a paper the source does not know."""
    text: str
    """The body, decoded as the source declared it (UTF-8 by default)."""


class SourceDown(Exception):
    """A source did not give a usable answer after every retry; the message says why."""


class Fetcher:
    """GET requests with timeouts, per-source pacing and bounded retries."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 3.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Open a client; `backoff` is the first pause before a retry, doubled after each."""
        self._client = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            follow_redirects=True,
        )
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self._last_start: dict[str, float] = {}
        self._down: dict[str, str] = {}
        self.requests = 0
        """How many requests this fetcher sent, retries included."""

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def down(self, endpoint: Endpoint) -> str | None:
        """Return why a source was given up for this run, or None while it answers."""
        return self._down.get(endpoint.name)

    def get(
        self, endpoint: Endpoint, path: str, params: Mapping[str, str], *, form: bool = False
    ) -> Answer:
        """Return the answer to `GET base_url/path?params`; 404 is an answer, not a failure.

        With `form`, the parameters go as a form in the body of a POST instead: the arXiv API
        takes either (its manual, 3.1 "Calling the API": "if the parameters list is unusually
        long, a POST request might be preferred"), and a GET with several hundred ids in its
        `id_list` is refused as 414 URI Too Long.

        Raises:
            SourceDown: The source failed every retry now or earlier in this run.
        """
        earlier = self._down.get(endpoint.name)
        if earlier is not None:
            raise SourceDown(earlier)
        reason = f"{endpoint.name}: no answer"
        url = endpoint.base_url.rstrip("/") + ("/" + path.lstrip("/") if path else "")
        asked = str(httpx.URL(url, params=dict(params)))
        pause = self._backoff
        for attempt in range(self._retries + 1):
            if attempt:
                self._sleep(pause)
                pause *= 2
            self._pace(endpoint)
            self.requests += 1
            try:
                if form:
                    response = self._client.post(url, data=dict(params))
                else:
                    response = self._client.get(url, params=dict(params))
            except httpx.TimeoutException:
                reason = f"{endpoint.name}: no answer within {self._client.timeout.read} s"
                continue
            except httpx.HTTPError as error:
                reason = f"{endpoint.name}: {type(error).__name__}: {error}"
                continue
            if response.status_code in _RETRIED_STATUSES:
                reason = f"{endpoint.name}: HTTP {response.status_code} for {asked}"
                wanted = _retry_after(response.headers.get("Retry-After"))
                if wanted is not None:
                    if wanted > _MAX_RETRY_AFTER:
                        break
                    pause = max(pause, wanted)
                continue
            if response.status_code >= 400 and response.status_code != 404:
                reason = f"{endpoint.name}: HTTP {response.status_code} for {asked}"
                break
            try:
                text = response.text
            except (UnicodeDecodeError, LookupError) as error:
                reason = f"{endpoint.name}: an answer that is not text ({error})"
                break
            return Answer(asked if form else str(response.url), response.status_code, text)
        self._down[endpoint.name] = reason
        raise SourceDown(reason)

    def _pace(self, endpoint: Endpoint) -> None:
        """Wait until `min_interval` has passed since the previous request to this source."""
        last = self._last_start.get(endpoint.name)
        now = self._clock()
        if last is not None and now - last < endpoint.min_interval:
            self._sleep(endpoint.min_interval - (now - last))
            now = self._clock()
        self._last_start[endpoint.name] = now


def _retry_after(value: str | None) -> float | None:
    """Return the seconds a `Retry-After: N` header asks for (dates are not honoured)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None
