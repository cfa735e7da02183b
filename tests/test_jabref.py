"""JabRef reads back every entry papershelf writes, with every field value.

The library is the one `papershelf convert --bib TMP/papers.bib --no-pages` writes for the sample
digest. JabRef (Debian's `jabref` 3.8.2, on OpenJDK 17) opens it and saves it again; bibtexparser
then compares JabRef's file with ours key by key and field by field.

How JabRef runs here, found by trying:

- `jabref -n -i IN.bib,bibtex -o OUT.bib` imports `IN.bib` and saves it as a BibTeX library.
  `-n` (`--nogui`) opens no window and needs no display: no `xvfb-run`.
  `-o OUT.bib,bibtex` fails ("Unknown export format: bibtex": `bibtex` names an import format
  only); an output name ending in `.bib` without a format is saved as a library.
- JabRef exits 0 whatever happens: a missing input or an entry it skips is only a line on its
  standard output ("Error occurred when parsing entry ... Skipped entry."). So the test requires
  that output to be exactly `Importing: ...` and `Saving: ...`, apart from the INFO lines of
  its log (a fresh preferences folder gives "Migrating old custom entry types").
- By default JabRef saves an entry it did not change in the very text it read. That shows that
  our bytes survive a save in JabRef, but not that JabRef understood them. So the library goes
  through JabRef twice: as a user's plain save, and with JabRef's preference
  `reformatFileOnSaveAndExport`, imported with `-p prefs.xml`, which makes JabRef write every
  entry anew from the fields it parsed.
- `-p` stores the imported preferences for good, so JabRef gets a private preferences folder
  (`-Djava.util.prefs.userRoot=...`, passed in `JAVA_TOOL_OPTIONS` because Debian's launcher
  sets its own Java options); `-Djava.awt.headless=true` keeps Java off any display named in
  `DISPLAY`. A run takes 3-4 s.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.model import Entry

from conftest import SAMPLE_DIGEST, require_tool
from papershelf.bib.read import read_library
from papershelf.cli import main

pytestmark = [pytest.mark.jabref, pytest.mark.slow]

REFORMAT_PREFERENCES = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE preferences SYSTEM "http://java.sun.com/dtd/preferences.dtd">
<preferences EXTERNAL_XML_VERSION="1.0">
  <root type="user">
    <map/>
    <node name="net"><map/><node name="sf"><map/><node name="jabref">
      <map><entry key="reformatFileOnSaveAndExport" value="true"/></map>
    </node></node></node>
  </root>
</preferences>
"""

# Every difference JabRef 3.8.2 is allowed to make; the comparison below tolerates no other.
HEADER = "% Encoding: UTF-8"
"""1. A first line naming the file's encoding, which JabRef reads back when it opens the file."""
MARKER = "@Comment{jabref-meta: databaseType:bibtex;}"
"""2. A last block saying the library is in BibTeX mode (not biblatex), JabRef's own setting."""
# 3. Reformatted entries only: the type is capitalised (`@Misc` for our `@misc`; BibTeX reads
#    types in any case), and the layout is JabRef's: its field order (title first, then the
#    standard fields, then the rest alphabetically), its alignment, a comma after the last
#    field. Field names (ours are lower case already) and values, braces included, are the same.


LOG_INFO = re.compile(r"\d\d:\d\d:\d\d\.\d+ \[[^]]*\] INFO ")
"""A line of JabRef's log at level INFO; WARN and ERROR lines stay in the messages."""


def jabref_save(tmp_path: Path, library: Path, *, reformat: bool) -> tuple[Path, list[str]]:
    """Open `library` in JabRef without a window and save it; return the file and the messages."""
    jabref = require_tool("jabref")
    work = tmp_path / ("reformatted" if reformat else "saved")
    work.mkdir()
    saved = work / "jabref.bib"
    options = f"-Djava.awt.headless=true -Djava.util.prefs.userRoot={work / 'preferences'}"
    env = {**os.environ, "JAVA_TOOL_OPTIONS": options}
    argv = [jabref, "-n"]
    if reformat:
        preferences = work / "prefs.xml"
        preferences.write_text(REFORMAT_PREFERENCES, encoding="utf-8")
        argv += ["-p", str(preferences)]
    argv += ["-i", f"{library},bibtex", "-o", str(saved)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return saved, [line for line in done.stdout.splitlines() if not LOG_INFO.match(line)]


def field_differences(ours: str, theirs: str) -> list[str]:
    """Return each way `theirs` reads differently from `ours`: keys, types, fields, values."""
    mine = bibtexparser.parse_string(ours, parse_stack=[])
    read = bibtexparser.parse_string(theirs, parse_stack=[])
    differences = [
        f"JabRef's file has a block bibtexparser cannot read: {block.raw!r}"
        for block in read.failed_blocks
    ]
    if [entry.key for entry in read.entries] != [entry.key for entry in mine.entries]:
        differences.append(
            f"keys: ours {[e.key for e in mine.entries]}, JabRef's {[e.key for e in read.entries]}"
        )
    theirs_by_key = {entry.key: entry for entry in read.entries}
    for entry in mine.entries:
        other = theirs_by_key.get(entry.key)
        if other is None:
            continue
        if entry.entry_type != other.entry_type:
            differences.append(f"{entry.key}: type {entry.entry_type} became {other.entry_type}")
        fields = {field.key: field.value for field in entry.fields}
        kept = {field.key: field.value for field in other.fields}
        for name in sorted(fields.keys() | kept.keys()):
            if fields.get(name) != kept.get(name):
                differences.append(
                    f"{entry.key}.{name}: ours {fields.get(name)!r}, JabRef's {kept.get(name)!r}"
                )
    return differences


def as_read(text: str) -> list[dict[str, object]]:
    """What papershelf reads from a library, apart from each entry's text and line."""
    return [
        {name: value for name, value in dataclasses.asdict(entry).items() if name != "bibtex"}
        | {"source": None}
        for entry in read_library(text, source="papers.bib")
    ]


@pytest.fixture
def sample_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The library papershelf writes for the sample digest."""
    monkeypatch.chdir(tmp_path)
    library = tmp_path / "papers.bib"
    assert main(["convert", str(SAMPLE_DIGEST), "--bib", str(library), "--no-pages"]) == 0
    return library


def test_a_plain_save_in_jabref_keeps_our_bytes(tmp_path: Path, sample_library: Path) -> None:
    ours = sample_library.read_text(encoding="utf-8")
    saved, messages = jabref_save(tmp_path, sample_library, reformat=False)
    assert messages == [f"Importing: {sample_library}", f"Saving: {saved}"]
    assert saved.read_text(encoding="utf-8") == f"{HEADER}\n{ours}\n{MARKER}\n"
    assert field_differences(ours, saved.read_text(encoding="utf-8")) == []


def test_jabref_reads_every_entry_with_every_field(tmp_path: Path, sample_library: Path) -> None:
    ours = sample_library.read_text(encoding="utf-8")
    saved, messages = jabref_save(tmp_path, sample_library, reformat=True)
    assert messages == [f"Importing: {sample_library}", f"Saving: {saved}"]
    theirs = saved.read_text(encoding="utf-8")
    assert field_differences(ours, theirs) == []
    # JabRef wrote each entry itself (the preference took effect), and nothing else but its
    # header and its marker.
    read = bibtexparser.parse_string(theirs, parse_stack=[])
    assert len(read.entries) == 42
    assert all(entry.raw.startswith(f"@Misc{{{entry.key},\n") for entry in read.entries)
    assert theirs != f"{HEADER}\n{ours}\n{MARKER}\n"
    others = [block.raw for block in read.blocks if not isinstance(block, Entry)]
    assert others == [HEADER, MARKER]
    # The site reads JabRef's file as it reads ours.
    assert as_read(theirs) == as_read(ours)


def test_the_comparison_sees_what_jabref_changes(tmp_path: Path) -> None:
    # The control experiment: JabRef collapses runs of spaces and braces a bare number, and
    # the comparison must report both, or the tests above could pass without looking.
    library = tmp_path / "changed.bib"
    ours = "@misc{k,\n  title = {Two  spaces},\n  year = 2025\n}\n"
    library.write_text(ours, encoding="utf-8")
    saved, _ = jabref_save(tmp_path, library, reformat=True)
    assert field_differences(ours, saved.read_text(encoding="utf-8")) == [
        "k.title: ours '{Two  spaces}', JabRef's '{Two spaces}'",
        "k.year: ours '2025', JabRef's '{2025}'",
    ]
