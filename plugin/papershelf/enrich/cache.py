"""The answer cache: every metadata answer kept on disk, per paper and per source, with its date.

A second run asks nothing it has an answer for. Each file holds one answer exactly as the source
sent it (the real wire format: an Atom feed of one entry for arXiv, the JSON for Hugging Face)
with the URL and the day it was fetched, so the demo's recorded answers are the same files a
real run writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from papershelf.files import atomic_write, atomic_write_all

_UNSAFE = re.compile(r"[^a-z0-9.-]+")


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """One kept answer."""

    url: str
    """The request it answers, e.g. `https://export.arxiv.org/api/query?id_list=2410.17243`."""
    fetched: dt.date
    """The day it was fetched, e.g. `2026-12-01`."""
    status: int
    """HTTP status, e.g. `200`; `404` keeps the fact that a source does not know a paper."""
    text: str
    """The body as the source sent it."""


def cache_name(kind: str, value: str) -> str:
    """Return a file-system-safe cache file stem, e.g. `id-2410.17243` or `title-3f2a...`.

    Ids keep a readable name; titles (any script, any length) are hashed.
    """
    if kind == "id":
        return "id-" + _UNSAFE.sub("_", value.casefold())
    return f"{kind}-" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:24]


class AnswerCache:
    """Answers on disk under `folder/<source>/<name>.json`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, source: str, name: str) -> Path:
        """Return the file of one answer."""
        return self.folder / source / f"{name}.json"

    def get(self, source: str, name: str) -> CachedAnswer | None:
        """Return a kept answer, or None when there is none or it cannot be read."""
        try:
            data = json.loads(self.path(source, name).read_text(encoding="utf-8"))
            return CachedAnswer(
                url=str(data["url"]),
                fetched=dt.date.fromisoformat(str(data["fetched"])),
                status=int(data["status"]),
                text=str(data["text"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            # A damaged or foreign file is as good as none: the source is asked again.
            return None

    def put(self, source: str, name: str, answer: CachedAnswer) -> None:
        """Keep an answer (atomically: a killed run never leaves half a file)."""
        path = self.path(source, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, _record(answer))

    def put_many(self, source: str, answers: Mapping[str, CachedAnswer]) -> None:
        """Keep several answers of one source, each atomically, flushed to disk at once (the
        1,000 papers of one arXiv answer are one `os.sync`, not 1,000 `fsync`s)."""
        if answers:
            self.folder.joinpath(source).mkdir(parents=True, exist_ok=True)
            atomic_write_all(
                {self.path(source, name): _record(answer) for name, answer in answers.items()}
            )


def _record(answer: CachedAnswer) -> str:
    """Return the text of one answer's file."""
    record = {
        "url": answer.url,
        "fetched": answer.fetched.isoformat(),
        "status": answer.status,
        "text": answer.text,
    }
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"
