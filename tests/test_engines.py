"""The demo on every engine (docs/guide/engines.md), each a real build.

- ProperDocs, the continuation of MkDocs 1.x, runs the plugin unchanged: the same pages as
  MkDocs 1.6 (`properdocs` is in the `test` extra, beside MkDocs in the same environment).
- Zensical runs no MkDocs plugin: it builds the pages `papershelf site` writes, as plain MkDocs
  does (`make install-test` makes `.venv-zensical`; Zensical needs Python 3.11 or newer).
- MkDocs 2 runs no plugin either, and the plugin refuses it with what works instead
  (`make install-test` makes `.venv-mkdocs2`: papershelf's `site` extra, then MkDocs 2 over it).

`PAPERSHELF_ZENSICAL` and `PAPERSHELF_MKDOCS2_PYTHON` name the Zensical program and the MkDocs 2
environment's interpreter when they lie elsewhere.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, missing
from papershelf.errors import EngineError
from papershelf.mkdocs_plugin.engine import check_engine
from test_site_build import (
    CITATION_META,
    DEMO_CONFIG,
    DEMO_LIBRARY,
    demo_entries,
    mkdocs_build,
    plugin_free_project,
    site_files,
    text_of,
)

GENERATOR = re.compile(r'<meta name="generator" content="([^"]*)">')
"""The theme's generator tag, the one line of a page that names the engine."""
CITATION_TITLE = re.compile(r'<meta name="citation_title" content="([^"]*)">')
ZENSICAL_TAGS = re.compile(r'<nav class="md-tags" >(.*?)</nav>', re.DOTALL)
"""Zensical shows a page's front-matter `tags` as chips at the end of its article."""
TAG_CHIP = re.compile(r'<span class="md-tag">([^<]*)</span>')


def generator_of(page: str) -> str:
    """Return what a page's generator tag says, e.g. `mkdocs-1.6.1, mkdocs-material-9.8.2`."""
    found = GENERATOR.search(page)
    assert found is not None, "a page without a generator tag"
    return found.group(1)


def warnings(result: subprocess.CompletedProcess[str]) -> list[str]:
    """Return the lines of a build's output that report a warning."""
    return [line for line in result.stderr.splitlines() if "WARNING" in line]


def demo_copy(root: Path) -> Path:
    """Copy the demo (mkdocs.yml, docs/, bib/papers.bib) into `root`; return its mkdocs.yml."""
    shutil.copytree(ROOT / "docs", root / "docs")
    (root / "bib").mkdir()
    shutil.copy(DEMO_LIBRARY, root / "bib" / "papers.bib")
    shutil.copy(DEMO_CONFIG, root / "mkdocs.yml")
    return root / "mkdocs.yml"


def article_text(page: str) -> str:
    """Return the whitespace-normalised text of a page's `<article>`, tags and all."""
    article = page[page.index("<article") : page.index("</article>")]
    return " ".join(re.sub(r"<[^>]+>", " ", article).split())


def engine_program(variable: str, default: Path, what: str) -> Path:
    """Return the program `variable` names (default: `default`), or skip/fail naming `what`."""
    program = Path(os.environ.get(variable) or default)
    if not program.is_file():
        missing(
            f"{what} is not installed at {program}; `make install-test` makes it, or point "
            f"{variable} at one (see docs/guide/engines.md)"
        )
    return program


def zensical_program() -> Path:
    """Return the Zensical program of `.venv-zensical` (or `PAPERSHELF_ZENSICAL`)."""
    default = ROOT / ".venv-zensical" / "bin" / "zensical"
    return engine_program("PAPERSHELF_ZENSICAL", default, "Zensical")


def zensical_build(config_file: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run `zensical build --strict` on a copy of `config_file` writing into `site_dir`."""
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    # Zensical has no --site-dir; its config says where.
    config["site_dir"] = str(site_dir)
    own = config_file.with_name(f"zensical-{site_dir.name}.yml")
    own.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return subprocess.run(
        [str(zensical_program()), "build", "--strict", "--clean", "-f", str(own)],
        cwd=config_file.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
        check=False,
    )


# --- ProperDocs: the plugin unchanged ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_on_mkdocs_and_properdocs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Build the demo with MkDocs 1.6 and with ProperDocs; return both site folders."""
    if importlib.util.find_spec("properdocs") is None:
        missing("ProperDocs is not installed; `pip install -e '.[test]'` installs it")
    root = tmp_path_factory.mktemp("engines")
    sites = []
    for engine in ("mkdocs", "properdocs"):
        result = mkdocs_build(DEMO_CONFIG, root / engine, engine=engine)
        assert result.returncode == 0, result.stderr
        assert warnings(result) == [], engine
        sites.append(root / engine)
    return sites[0], sites[1]


def test_properdocs_builds_the_demo_with_the_plugin(
    demo_on_mkdocs_and_properdocs: tuple[Path, Path],
) -> None:
    with_mkdocs, with_properdocs = demo_on_mkdocs_and_properdocs
    entries = demo_entries()
    for entry in entries:
        page = (with_properdocs / "papers" / entry.key / "index.html").read_text(encoding="utf-8")
        title = " ".join(entry.title.split())
        assert text_of(page, "h1") == title, entry.key
        # The plugin ran: only it writes the Scholar tags into <head>.
        assert [html.unescape(found) for found in CITATION_TITLE.findall(page)] == [title]
        assert generator_of(page).startswith("mkdocs-ProperDocs 1."), entry.key
        download = (with_properdocs / "bib" / f"{entry.key}.bib").read_text(encoding="utf-8")
        assert download.strip() == entry.bibtex.strip(), entry.key
    mkdocs_page = (with_mkdocs / "papers" / entries[0].key / "index.html").read_text("utf-8")
    assert generator_of(mkdocs_page).startswith("mkdocs-1.6.")


def test_properdocs_and_mkdocs_build_the_same_site(
    demo_on_mkdocs_and_properdocs: tuple[Path, Path],
) -> None:
    with_mkdocs, with_properdocs = demo_on_mkdocs_and_properdocs
    # Pagefind names its index files by the hash of the pages, which name their engine.
    files = {
        name: {p: data for p, data in site_files(site).items() if not p.startswith("pagefind/")}
        for name, site in (("mkdocs", with_mkdocs), ("properdocs", with_properdocs))
    }
    assert sorted(files["mkdocs"]) == sorted(files["properdocs"])
    paper_pages = {f"papers/{entry.key}/index.html" for entry in demo_entries()}
    assert paper_pages < set(files["mkdocs"])
    for path, data in files["mkdocs"].items():
        if path.endswith(".html"):
            mkdocs_page = GENERATOR.sub("", data.decode())
            properdocs_page = GENERATOR.sub("", files["properdocs"][path].decode())
            assert properdocs_page == mkdocs_page, path
            assert bool(CITATION_META.search(properdocs_page)) == (path in paper_pages), path
        else:
            assert files["properdocs"][path] == data, path
    indexed = [
        json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
        for site in (with_mkdocs, with_properdocs)
    ]
    counts = [index["languages"]["en"]["page_count"] for index in indexed]
    assert counts[0] == counts[1] > len(paper_pages)


# --- Zensical: the pages `papershelf site` writes -----------------------------------------------


@pytest.fixture(scope="module")
def plugin_free_on_mkdocs_and_zensical(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path]:
    """Write the demo's pages with `papershelf site`, build them with MkDocs and with Zensical."""
    zensical_program()
    root = tmp_path_factory.mktemp("plugin-free-engines")
    config_file = plugin_free_project(root)
    built = mkdocs_build(config_file, root / "mkdocs-site")
    assert built.returncode == 0, built.stderr
    assert warnings(built) == []
    result = zensical_build(config_file, root / "zensical-site")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No issues found" in result.stdout + result.stderr
    return root / "mkdocs-site", root / "zensical-site"


def test_zensical_builds_the_pages_papershelf_site_writes(
    plugin_free_on_mkdocs_and_zensical: tuple[Path, Path],
) -> None:
    _, zensical_site = plugin_free_on_mkdocs_and_zensical
    for entry in demo_entries():
        page = (zensical_site / "papers" / entry.key / "index.html").read_text(encoding="utf-8")
        assert text_of(page, "h1") == " ".join(entry.title.split()), entry.key
        assert generator_of(page).startswith("zensical-"), entry.key
        # No plugin, no Scholar tags: a page's Markdown cannot reach <head>.
        assert CITATION_META.search(page) is None, entry.key
        download = (zensical_site / "bib" / f"{entry.key}.bib").read_text(encoding="utf-8")
        assert download.strip() == entry.bibtex.strip(), entry.key
    for tag in {tag for entry in demo_entries() for tag in entry.tags}:
        listing = (zensical_site / "tags" / tag / "index.html").read_text(encoding="utf-8")
        tagged = [entry for entry in demo_entries() if tag in entry.tags]
        for entry in tagged:
            assert f'href="../../papers/{entry.key}/"' in listing, (tag, entry.key)
    library = (zensical_site / "bib" / "papers.bib").read_text(encoding="utf-8")
    assert library == DEMO_LIBRARY.read_text(encoding="utf-8")


def test_zensical_and_mkdocs_show_the_same_pages(
    plugin_free_on_mkdocs_and_zensical: tuple[Path, Path],
) -> None:
    mkdocs_site, zensical_site = plugin_free_on_mkdocs_and_zensical
    mkdocs_html = {p for p in site_files(mkdocs_site) if p.endswith(".html")}
    zensical_html = {p for p in site_files(zensical_site) if p.endswith(".html")}
    assert mkdocs_html == zensical_html
    tags_by_page = {f"papers/{entry.key}/index.html": entry.tags for entry in demo_entries()}
    for path in sorted(mkdocs_html):
        mkdocs_page = (mkdocs_site / path).read_text(encoding="utf-8")
        zensical_page = (zensical_site / path).read_text(encoding="utf-8")
        if "<article" not in mkdocs_page:
            continue  # 404.html
        # Zensical alone shows the front-matter tags as chips; the rest of the article is equal.
        chips = ZENSICAL_TAGS.search(zensical_page)
        shown = TAG_CHIP.findall(chips.group(1)) if chips else []
        assert shown == list(tags_by_page.get(path, ())), path
        assert article_text(ZENSICAL_TAGS.sub("", zensical_page)) == article_text(mkdocs_page), path


def test_zensical_drops_the_plugin_without_a_word(tmp_path: Path) -> None:
    # Why Zensical needs `papershelf site`: given the demo's own mkdocs.yml, it builds the site
    # without a paper page and reports nothing.
    result = zensical_build(demo_copy(tmp_path), tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No issues found" in output
    assert (tmp_path / "site" / "guide" / "site" / "index.html").is_file()
    assert not (tmp_path / "site" / "papers").exists()
    assert "papershelf" not in output


# --- MkDocs 2: refused -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "runs"),
    [
        pytest.param("1.6.1", True, id="mkdocs-1.6.1"),
        pytest.param("1.6.7", True, id="properdocs-1.6.7"),
        pytest.param("2.0.dev6", False, id="mkdocs-2.0.dev6"),
        pytest.param("2.0", False, id="mkdocs-2.0"),
        pytest.param("10.1", False, id="mkdocs-10.1"),
        pytest.param("unknown", False, id="no-version"),
    ],
)
def test_check_engine(version: str, runs: bool) -> None:
    if runs:
        check_engine(version)
        return
    with pytest.raises(EngineError) as raised:
        check_engine(version)
    message = str(raised.value)
    assert f"needs MkDocs 1.x or ProperDocs, but MkDocs {version} is installed" in message
    assert "properdocs build" in message
    assert "papershelf site" in message


def mkdocs2_python() -> str:
    """Return the interpreter of `.venv-mkdocs2` (or `PAPERSHELF_MKDOCS2_PYTHON`), checked."""
    default = ROOT / ".venv-mkdocs2" / "bin" / "python"
    python = str(engine_program("PAPERSHELF_MKDOCS2_PYTHON", default, "An MkDocs 2 environment"))
    version = subprocess.run(
        [python, "-c", "import mkdocs; print(mkdocs.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert version.stdout.startswith("2."), f"{python} has no MkDocs 2: {version}"
    return python


def test_the_plugin_refuses_mkdocs_2() -> None:
    # Loaded as every engine loads a plugin: through its `mkdocs.plugins` entry point.
    load = (
        "from importlib.metadata import entry_points; "
        "entry_points(group='mkdocs.plugins')['papershelf'].load()"
    )
    result = subprocess.run(
        [mkdocs2_python(), "-c", load], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("papershelf.errors.EngineError: papershelf: the MkDocs plugin needs")
    assert "MkDocs 2.0.dev" in last
    assert "No module named" not in result.stderr


def test_mkdocs_2_refuses_the_demo_and_properdocs_still_builds_it(tmp_path: Path) -> None:
    python = mkdocs2_python()
    config_file = demo_copy(tmp_path)
    # MkDocs 2 stops at the sight of mkdocs.yml, before any plugin could speak.
    refused = subprocess.run(
        [str(Path(python).with_name("mkdocs")), "build"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert refused.returncode != 0
    assert "Found mkdocs.yml config, but mkdocs 2.0 pre-release is installed" in refused.stderr
    assert not (tmp_path / "site").exists()
    # In the same environment ProperDocs answers `import mkdocs` itself, and the plugin runs.
    built = mkdocs_build(config_file, tmp_path / "site", engine="properdocs", python=python)
    assert built.returncode == 0, built.stderr
    assert warnings(built) == []
    for entry in demo_entries():
        page = (tmp_path / "site" / "papers" / entry.key / "index.html").read_text("utf-8")
        assert [html.unescape(found) for found in CITATION_TITLE.findall(page)] == [
            " ".join(entry.title.split())
        ], entry.key
