"""The written library compiles under BibTeX and biber, without warnings and without executing text.

Every run uses `-no-shell-escape` in a temporary directory. A `canary.txt` sits next to the
document: a title saying `\\input{canary.txt}` must not pull it in, and `\\write18{touch pwned}`
must not run. Warnings are errors except the allow-listed ones, which `docs/guide/bibtex.md` lists.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import SAMPLE_DIGEST, missing, require_tool
from papershelf import Link, LinkKind, Paper, Source, merge_into_library

pytestmark = pytest.mark.latex

SOURCE = Source("tests/test_latex.py", line=1)
CANARY = "CANARY-LEAKED \\typeout{CANARY-EXECUTED}\n"

OWN_FIELDS = (
    "upvotes|numcomments|countsdate|code|projectpage|hfmodel|hfdataset|hfspace|otherlinks"
    "|githubstars|authorcount|pubdate|dateorigin|filledfrom|utf8author|utf8title|utf8abstract"
    "|utf8org"
)
ALLOWED_BIBTEX_WARNINGS: tuple[re.Pattern[str], ...] = ()
"""None: entries without author names carry a `key` field, which BibTeX sorts and labels by."""
ALLOWED_BIBER_WARNINGS = (
    # Our own fields are not in biblatex's data model; biber ignores them.
    re.compile(
        rf"Datamodel: Entry '\w+' \(papers\.bib\): Field '({OWN_FIELDS})' invalid in"
        r" data model - ignoring"
    ),
)

HOSTILE_TEXTS = (
    r"\input{canary.txt}",
    r"\write18{touch pwned} \immediate\write18{touch pwned}",
    r"\csname input\endcsname{canary.txt} \def\x{y} \catcode`\%=12",
    "unbalanced { open",
    "unbalanced } close",
    "100% sure, 9.6% boost",
    "mail me@host.org",
    "C# and F# #1",
    "costs $5 and $10",
    "x^2 and HumanEval^{+} and ^^5cinput",
    "x_1 and ~2% and a~b",
    r"Knights \& Knaves (K\&K) at 100\%",
    "{LLM}s beat GPT-4o",
    r"reasoning benchmarks \footnote{Our code is at https://github.com/zz/STEER.",
    "Café Zürich naïve façade Øresund Straße",
)


def hostile_papers() -> list[Paper]:
    """Return papers whose titles and abstracts try every trick, with varied metadata."""
    papers = []
    for number, text in enumerate(HOSTILE_TEXTS):
        authors: tuple[str, ...] = ()
        if number % 3 == 0:
            authors = ("Jörg Müller", "Søren Østergaard", "Émile Ñúñez", "DeepSeek-AI")
        elif number % 3 == 1:
            authors = ("Ann Lee",)
        papers.append(
            Paper(
                title=f"Case {number}: {text} with {{GPT}}-4o",
                abstract=f"Abstract of case {number}: {text}. Code: https://github.com/a/b_c",
                source=SOURCE,
                date=dt.date(2025, 1 + number % 12, 6),
                authors=authors,
                author_count=None if authors else 3,
                organization="R&D Lab" if number % 2 else None,
                arxiv_id=f"2501.{number:05d}" if number % 4 else None,
                upvotes=number,
                comments=1,
                counts_date=dt.date(2025, 10, 30),
                links=(
                    Link("https://github.com/a/b_c%20~d#readme", LinkKind.CODE),
                    Link("https://medium.com/@me/post", LinkKind.OTHER),
                ),
                tags=("llm", "video-generation"),
            )
        )
    return papers


def sample_papers() -> list[Paper]:
    """Return the bundled sample digest's papers, or skip when its parser is not there yet."""
    try:
        from papershelf.digests import parse_digest
    except ImportError as error:  # pragma: no cover - depends on the parser being written
        pytest.skip(f"papershelf.digests.parse_digest is not importable yet: {error}")
    text = SAMPLE_DIGEST.read_text(encoding="utf-8")
    return parse_digest(text, source=str(SAMPLE_DIGEST), digest_date=dt.date(2025, 10, 30))


BIBTEX_PREAMBLE = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
%(packages)s
\begin{document}
\nocite{*}
\bibliographystyle{%(style)s}
\bibliography{papers}
\end{document}
"""

BIBLATEX_PREAMBLE = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage[backend=biber,style=%(style)s]{biblatex}
\usepackage{hyperref}
\addbibresource{papers.bib}
\begin{document}
\nocite{*}
\printbibliography
\end{document}
"""

BIBTEX_PACKAGES = {
    "plainnat": "\\usepackage[numbers]{natbib}\n\\usepackage{url}\n\\usepackage{hyperref}",
    "plain": "\\usepackage{url}",
    "alpha": "\\usepackage{url}\n\\usepackage{hyperref}",
}


def run(command: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=180,
        check=False,
    )


def pdflatex(cwd: Path) -> None:
    binary = require_tool("pdflatex")
    done = run(
        [binary, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "doc"], cwd
    )
    log = (cwd / "doc.log").read_text(encoding="utf-8", errors="replace")
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert done.returncode == 0, f"pdflatex failed: {errors}"
    assert errors == []


def latex_warnings(cwd: Path) -> list[str]:
    """Return the warnings of the last LaTeX run, continuation lines joined to their warning."""
    warnings: list[str] = []
    for line in (cwd / "doc.log").read_text(encoding="utf-8", errors="replace").splitlines():
        if "Warning" in line:
            warnings.append(line.strip())
        elif warnings and re.match(r"\((biblatex|natbib|hyperref)\)", line):
            warnings[-1] += " " + line.split(")", 1)[1].strip()
    return warnings


def pdf_text(cwd: Path) -> str | None:
    """Return the PDF's text through pdftotext (poppler-utils), or None when it is absent."""
    pdftotext = shutil.which("pdftotext")
    return None if pdftotext is None else run([pdftotext, "doc.pdf", "-"], cwd).stdout


def assert_nothing_executed(cwd: Path) -> None:
    log = (cwd / "doc.log").read_text(encoding="utf-8", errors="replace")
    # TeX logs every file it opens as `(./canary.txt`, wrapped at 79 columns.
    assert "(./canary.txt" not in log.replace("\n", "")
    assert "CANARY" not in log
    assert "runsystem" not in log
    assert not (cwd / "pwned").exists()
    bbl = (cwd / "doc.bbl").read_text(encoding="utf-8")
    assert "CANARY" not in bbl
    text = pdf_text(cwd)
    if text is not None:
        assert "CANARY" not in text


def prepare(tmp_path: Path, papers: list[Paper] | str, tex: str) -> Path:
    bib = papers if isinstance(papers, str) else merge_into_library("", papers, source="x").text
    (tmp_path / "papers.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "canary.txt").write_text(CANARY, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(tex, encoding="utf-8")
    return tmp_path


def compile_bibtex(tmp_path: Path, papers: list[Paper] | str, style: str) -> Path:
    """Compile `papers` with pdflatex + bibtex in `style`; assert no error and no stray warning."""
    tex = BIBTEX_PREAMBLE % {"style": style, "packages": BIBTEX_PACKAGES[style]}
    cwd = prepare(tmp_path, papers, tex)
    pdflatex(cwd)
    done = run([require_tool("bibtex"), "doc"], cwd)
    blg = (cwd / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, blg
    assert "error message" not in blg
    warnings = [line for line in blg.splitlines() if line.startswith("Warning--")]
    unexpected = [w for w in warnings if not any(p.fullmatch(w) for p in ALLOWED_BIBTEX_WARNINGS)]
    assert unexpected == []
    pdflatex(cwd)
    pdflatex(cwd)
    assert latex_warnings(cwd) == []
    assert_nothing_executed(cwd)
    return cwd


def compile_biber(tmp_path: Path, papers: list[Paper] | str, style: str) -> Path:
    """Compile `papers` with biblatex + biber `--validate-datamodel`; assert no stray warning."""
    cwd = prepare(tmp_path, papers, BIBLATEX_PREAMBLE % {"style": style})
    pdflatex(cwd)
    done = run([require_tool("biber"), "--validate-datamodel", "doc"], cwd)
    blg = (cwd / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, blg
    assert " ERROR - " not in blg
    warnings = [line.split(" WARN - ", 1)[1] for line in blg.splitlines() if " WARN - " in line]
    unexpected = [w for w in warnings if not any(p.fullmatch(w) for p in ALLOWED_BIBER_WARNINGS)]
    assert unexpected == []
    pdflatex(cwd)
    pdflatex(cwd)
    reported = [w for w in latex_warnings(cwd) if "Biber reported the following issues" in w]
    other = [w for w in latex_warnings(cwd) if w not in reported]
    assert other == []
    # biblatex repeats biber's warnings, wrapped at 79 columns; the .blg was checked line by line.
    assert all("- Datamodel: Entry" in warning for warning in reported)
    assert_nothing_executed(cwd)
    return cwd


@pytest.mark.parametrize("style", ["plainnat", "plain", "alpha"])
def test_hostile_papers_compile_with_bibtex(tmp_path: Path, style: str) -> None:
    cwd = compile_bibtex(tmp_path, hostile_papers(), style)
    bbl = (cwd / "doc.bbl").read_text(encoding="utf-8")
    assert "\\textbackslash}input\\{canary.txt\\}" not in bbl  # braces stay balanced groups
    assert "{\\textbackslash}input{canary.txt}" in bbl or "{\\textbackslash}input canary.txt" in bbl
    assert "arXiv preprint arXiv:2501.00001" in bbl
    text = pdf_text(cwd)
    if text is not None:  # the hostile text is shown, not run
        assert "\\input" in text
        assert "me@host.org" in text.replace(" ", "")


@pytest.mark.parametrize("style", ["numeric", "authoryear"])
def test_hostile_papers_compile_with_biber(tmp_path: Path, style: str) -> None:
    cwd = compile_biber(tmp_path, hostile_papers(), style)
    bbl = (cwd / "doc.bbl").read_text(encoding="utf-8")
    assert "\\field{eprinttype}{arxiv}" in bbl
    assert "\\verb{eprint}" in bbl


@pytest.mark.parametrize(
    ("kind", "style"), [("bibtex", "plainnat"), ("bibtex", "alpha"), ("biber", "authoryear")]
)
def test_sample_digest_compiles(tmp_path: Path, kind: str, style: str) -> None:
    papers = sample_papers()
    assert len(papers) > 30
    if kind == "bibtex":
        cwd = compile_bibtex(tmp_path, papers, style)
    else:
        cwd = compile_biber(tmp_path, papers, style)
    bbl = " ".join((cwd / "doc.bbl").read_text(encoding="utf-8").casefold().split())
    assert "incorporating surrogate gradient norm" in bbl


def test_a_merged_entry_keeps_its_percent_lines_and_biber_reads_the_person_s_title(
    tmp_path: Path,
) -> None:
    existing = (
        "@misc{humo2025,\n"
        "  % corrected by hand: the digest's title is wrong\n"
        "  title = {{HuMo}: The Right Title},\n"
        "  % doi = {10.1000/none},\n"
        "  eprint = {2509.08519},\n"
        "  eprinttype = {arxiv}\n"
        "}\n"
    )
    paper = Paper(
        title="HuMo: Human-Centric Video Generation",
        abstract="We present HuMo.",
        source=SOURCE,
        date=dt.date(2025, 9, 10),
        authors=("Liyang Chen",),
        arxiv_id="2509.08519",
    )
    merged = merge_into_library(existing, [paper], source="papers.bib").text
    assert "  % doi = {10.1000/none}," in merged.splitlines()
    cwd = compile_biber(tmp_path, merged, "numeric")
    bbl = (cwd / "doc.bbl").read_text(encoding="utf-8")
    assert re.findall(r"\\field\{title\}\{(.*)\}", bbl) == ["{HuMo}: The Right Title"]
    assert "\\verb{doi}" not in bbl


def test_canary_detector_catches_unescaped_input(tmp_path: Path) -> None:
    # The control experiment: without escaping, the same checks must fail.
    raw = "@misc{evil, key = {Evil}, title = {Innocent \\input{canary.txt} title}, year = {2025}}\n"
    with pytest.raises(AssertionError, match=r"\(\./canary\.txt"):
        compile_bibtex(tmp_path, raw, "plain")


ZOTERO_PREPRINT = """@misc{roziere_code_2023,
\ttitle = {Code {Llama}: Open Foundation Models for Code},
\turl = {http://arxiv.org/abs/2308.12950},
\tdoi = {10.48550/arXiv.2308.12950},
\tauthor = {Rozi{\\`e}re, Baptiste and Gehring, Jonas},
\tmonth = aug,
\tyear = {2023},
\tnote = {arXiv:2308.12950 [cs]},
}
"""


def arxiv_papers() -> list[Paper]:
    """An arXiv listing's paper with every arXiv fact, and Zotero's preprint seen again."""
    return [
        Paper(
            title="Integrated Water Resource Management in the Segura Hydrographic Basin",
            abstract="Managing resources effectively is a significant challenge.",
            source=SOURCE,
            date=dt.date(2024, 11, 11),
            authors=("Urtzi Otamendi", "Mikel Maiza"),
            arxiv_id="2411.13566",
            arxiv_version=2,
            categories=("cs.AI", "cs.LG"),
            arxiv_comment="15 pages, 14 figures, 8 tables",
            journal_ref="Journal of Environmental Management, Volume 370, 2024",
            doi="10.1016/j.jenvman.2024.122526",
        ),
        Paper(
            title="Code Llama: Open Foundation Models for Code",
            abstract="We release Code Llama.",
            source=SOURCE,
            date=dt.date(2023, 8, 24),
            authors=("Baptiste Rozière", "Jonas Gehring"),
            arxiv_id="2308.12950",
            categories=("cs.CL",),
        ),
    ]


def printed_ids(text: str, arxiv_id: str) -> int:
    """Return how often the PDF's text names an arXiv id, not counting it inside a URL or DOI."""
    compact = "".join(text.split())  # URLs and long words are wrapped across lines
    inside = sum(
        compact.count(prefix + arxiv_id)
        for prefix in ("arxiv.org/abs/", "doi.org/10.48550/arXiv.", "10.48550/arXiv.")
    )
    return compact.count(arxiv_id) - inside


@pytest.mark.parametrize(
    ("kind", "style"),
    [("bibtex", "plainnat"), ("bibtex", "plain"), ("biber", "numeric"), ("biber", "authoryear")],
)
def test_the_arxiv_id_is_printed_once(tmp_path: Path, kind: str, style: str) -> None:
    """Issue 11: biblatex printed `arXiv preprint arXiv:ID. arXiv: ID`, and merging into Zotero's
    `note = {arXiv:ID [cs]}` added `howpublished` beside it."""
    bib = merge_into_library(ZOTERO_PREPRINT, arxiv_papers(), source="papers.bib").text
    if kind == "bibtex":
        cwd = compile_bibtex(tmp_path, bib, style)
    else:
        cwd = compile_biber(tmp_path, bib, style)
    if shutil.which("pdftotext") is None:
        missing("pdftotext is not installed (poppler-utils); `.ci/run` installs it")
    text = pdf_text(cwd)
    assert text is not None
    assert printed_ids(text, "2411.13566") == 1
    assert printed_ids(text, "2308.12950") == 1
    compact = "".join(text.split())
    assert "[cs.AI]" in compact, "the primary class is printed with the id"
    assert "PublishedinJournalofEnvironmentalManagement" in compact


DEMO_LIBRARY = SAMPLE_DIGEST.parent.parent / "papers.bib"


def printed_entries(bbl: str, kind: str) -> dict[str, str]:
    """Return each entry's text in a .bbl by key: a `\\bibitem` (BibTeX) or `\\entry` (biber)."""
    if kind == "bibtex":
        pattern = r"\\bibitem(?:\[(?:[^\[\]]|\[[^\]]*\])*\])?\{([^}]*)\}"
    else:
        pattern = r"\\entry\{([^}]*)\}"
    parts = re.split(pattern, bbl)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize(("kind", "style"), [("bibtex", "plainnat"), ("biber", "authoryear")])
def test_the_enriched_demo_library_prints_every_entry_with_its_authors_and_year(
    tmp_path: Path, kind: str, style: str
) -> None:
    """bib/papers.bib as committed (enriched from bib/metadata): every name of every author and
    the year are in each entry's formatted reference, compared without TeX markup or accents."""
    from papershelf.bib.read import read_library
    from papershelf.identity import normalise_title

    text = DEMO_LIBRARY.read_text(encoding="utf-8")
    entries = read_library(text, source=str(DEMO_LIBRARY))
    assert len(entries) == 42
    compile = compile_bibtex if kind == "bibtex" else compile_biber
    cwd = compile(tmp_path, text, style)
    printed = printed_entries((cwd / "doc.bbl").read_text(encoding="utf-8"), kind)
    assert set(printed) == {entry.key for entry in entries}
    missing_parts = []
    for entry in entries:
        assert entry.authors, entry.key
        assert entry.year, entry.key
        shown = f" {normalise_title(printed[entry.key].replace('~', ' '))} "
        words = {word for name in entry.authors for word in normalise_title(name).split()}
        missing_parts += [(entry.key, word) for word in sorted(words) if f" {word} " not in shown]
        if not re.search(rf"(?<!\d){entry.year}(?!\d)", printed[entry.key]):
            missing_parts.append((entry.key, str(entry.year)))
    assert missing_parts == []
