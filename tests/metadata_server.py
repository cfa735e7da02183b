"""A real HTTP server on 127.0.0.1 that answers like the arXiv and Hugging Face APIs.

Tests give it routes: `(path, query)` -> a list of replies, served in turn (the last one repeats),
so a route can answer 429 first and 200 next; a request no route names goes to `answer`, a
function of (path, query) that the benchmarks give (404 without one). A POST of a form is
routed by its fields as a GET by its query. Every request is recorded, with its method.
Replies can be slow, garbled, or a dropped connection.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    """One answer of the server."""

    body: str = ""
    status: int = 200
    content_type: str = "application/json; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    """Close the connection without an answer."""


def atom(body: str) -> Reply:
    """Return a 200 reply carrying an Atom document, as the arXiv API sends it."""
    return Reply(body, content_type="application/atom+xml; charset=UTF-8")


class MetadataServer:
    """The server; `url` is its base, `requests` the (path, query) pairs it received."""

    def __init__(self, answer: Callable[[str, dict[str, str]], Reply] | None = None) -> None:
        self.answer = answer
        self.routes: dict[tuple[str, tuple[tuple[str, str], ...]], list[Reply]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.methods: list[str] = []
        self.user_agents: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                self._answer(parsed.path, dict(urllib.parse.parse_qsl(parsed.query)))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = self.rfile.read(length).decode("ascii")
                path = urllib.parse.urlsplit(self.path).path
                self._answer(path, dict(urllib.parse.parse_qsl(form)))

            def _answer(self, path: str, query: dict[str, str]) -> None:
                server.methods.append(self.command)
                server.requests.append((path, query))
                server.user_agents.append(self.headers.get("User-Agent", ""))
                reply = server._reply(path, query)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                data = reply.body.encode("utf-8")
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def route(self, path: str, query: Mapping[str, str], *replies: Reply) -> None:
        """Answer GET `path` with exactly this query (or a POST of it as a form) by `replies`."""
        self.routes[(path, tuple(sorted(query.items())))] = list(replies)

    def _reply(self, path: str, query: Mapping[str, str]) -> Reply:
        replies = self.routes.get((path, tuple(sorted(query.items()))))
        if not replies and self.answer is not None:
            return self.answer(path, dict(query))
        if not replies:
            return Reply('{"error":"Not Found"}', status=404)
        return replies.pop(0) if len(replies) > 1 else replies[0]

    def __enter__(self) -> MetadataServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def serve() -> Iterator[MetadataServer]:
    """Yield a started server; stop it afterwards (for a pytest fixture)."""
    with MetadataServer() as server:
        yield server
