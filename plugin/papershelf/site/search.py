"""Pagefind as the site's search: the search box in every page and the indexer run after a build.

What Pagefind indexes is marked in the pages themselves (`paper_page`): a paper page's byline and
abstract carry `data-pagefind-body`, a hidden block gives its title, authors, date and tags as
metadata, its tags, year and whether it has code as filters and its date as a sort key. Once any
page of a site has `data-pagefind-body`, Pagefind indexes only such elements, so the navigation,
buttons, BibTeX blocks and listings stay out; `add_search` marks the article of every other page
(the site's own hand-written pages) so that they stay searchable.

The search box is Pagefind's Component UI (`pagefind-component-ui.js`, which its indexer writes
into `pagefind/` beside the index): a button in Material's header opens a dialog with the input,
filter menus and results; on a narrow screen the dialog fills the screen. Everything is served
from the site itself.

The indexer is Pagefind's command line (`python -m pagefind --site DIR`, from the PyPI package
`pagefind[bin]`, which ships the binary); Pagefind's Python API answers about ten records a
second, hours for a large library.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from papershelf.errors import ToolError

BUNDLE_FOLDER = "pagefind"
"""Where Pagefind's indexer writes the index and its UI, relative to the site folder."""
STYLESHEET = "assets/papershelf/search.css"
"""papershelf's stylesheet for the search box (Material's colours, the header button)."""
SCRIPT = "assets/papershelf/search.js"
"""papershelf's script for the search box: one Pagefind search at a time (`SCRIPT_TEXT`)."""
INSTALL_FIX = "pip install 'pagefind[bin]'"
"""The command that installs Pagefind's indexer (the `[bin]` extra brings the binary)."""

EXCLUDED = ".headerlink"
"""CSS selectors that Pagefind leaves out, inside what it indexes: MkDocs' permalink anchors."""
MAX_RESULTS = 50
"""Results listed for a query. Each shown result loads its own fragment of the index, and the
UI builds a placeholder for every result it lists, so a word on every page of a large library
would otherwise build thousands of them; the count above the list is the full one, and the
filters narrow the rest."""
DEBOUNCE_MS = 100
"""Milliseconds the input waits after a keystroke before it searches (Pagefind's default: 300)."""
FILTERS = (("tag", "Tag", "count-desc"), ("year", "Year", "alphabetical"), ("code", "Code", ""))
"""The filter menus: Pagefind filter name, label, order of the values."""

_RESULT_TEMPLATE = """\
<li class="pf-result papershelf-result">
  <div class="pf-result-card">
    <div class="pf-result-content">
      <p class="pf-result-title"><a class="pf-result-link"
        href="{{ meta.url | default(url) | safeUrl }}">{{ meta.title }}</a></p>
      {{#if meta.authors}}<p class="papershelf-result-authors">{{ meta.authors }}</p>{{/if}}
      <p class="papershelf-result-facts">{{#if meta.date}}<span
        class="papershelf-result-date">{{ meta.date }}</span>{{/if}}{{#if meta.tags}}<span
        class="papershelf-result-tags">{{ meta.tags }}</span>{{/if}}</p>
      {{#if excerpt}}<p class="pf-result-excerpt">{{+ excerpt +}}</p>{{/if}}
    </div>
  </div>
</li>"""
"""One result: title, authors, date and tags (the page's metadata, escaped by the template
engine's `{{ }}`), and Pagefind's excerpt around the match, which Pagefind escapes itself."""

_HEADER_END = re.compile(r"<header\b[^>]*\bclass=\"md-header\b.*?(</nav>)", re.DOTALL)
_ARTICLE = re.compile(r"<article\b[^>]*\bclass=\"md-content__inner\b[^>]*")


def search_head(root: str) -> str:
    """Return the `<head>` tags of the search box: Pagefind's UI stylesheet and script, ours.

    Args:
        root: The site root relative to the page, ending in `/`, e.g. `../../`.
    """
    bundle = html.escape(f"{root}{BUNDLE_FOLDER}/", quote=True)
    return (
        f'<link rel="stylesheet" href="{bundle}pagefind-component-ui.css">\n'
        f'<link rel="stylesheet" href="{html.escape(root + STYLESHEET, quote=True)}">\n'
        # Deferred: the page renders first; the script finds the index beside itself. Deferred
        # scripts run in order, so ours finds Pagefind's components in place.
        f'<script src="{bundle}pagefind-component-ui.js" defer></script>\n'
        f'<script src="{html.escape(root + SCRIPT, quote=True)}" defer></script>\n'
    )


SEARCH_BUTTON = '<pagefind-modal-trigger class="papershelf-search" placeholder="Search">' + (
    "</pagefind-modal-trigger>"
)
"""The button in the header that opens the search dialog (also Ctrl+K / Cmd+K)."""


def search_dialog() -> str:
    """Return the search dialog: input and filter menus, then the count and the results."""
    filters = "".join(
        f'<pagefind-filter-dropdown filter="{name}" label="{label}"'
        + (f' sort="{order}"' if order else "")
        # Without the Clear buttons the three menus fit on one line of a phone.
        + " hide-clear></pagefind-filter-dropdown>"
        for name, label, order in FILTERS
    )
    return (
        '<pagefind-modal class="papershelf-search-dialog">'
        "<pagefind-modal-header>"
        f'<pagefind-input debounce="{DEBOUNCE_MS}"></pagefind-input>'
        f'<div class="papershelf-search-filters">{filters}</div>'
        "</pagefind-modal-header>"
        "<pagefind-modal-body>"
        "<pagefind-summary></pagefind-summary>"
        f'<pagefind-results max-results="{MAX_RESULTS}" hide-sub-results>'
        f'<script type="text/pagefind-template">{_RESULT_TEMPLATE}</script>'
        "</pagefind-results>"
        "</pagefind-modal-body>"
        "<pagefind-modal-footer><pagefind-keyboard-hints></pagefind-keyboard-hints>"
        "</pagefind-modal-footer>"
        "</pagefind-modal>\n"
    )


_DIALOG = search_dialog()


def add_search(output: str, root: str, *, index_article: bool) -> str:
    """Return a rendered Material page with the Pagefind search box in it.

    The button goes at the end of Material's header (where Material's own search box stands);
    the dialog just before `</body>`; the stylesheets and script into `<head>`. A page whose
    header is not Material's gets the button at the start of its body.

    Args:
        output: The page's HTML.
        root: The site root relative to the page, ending in `/`, e.g. `../../`.
        index_article: Mark the page's article `data-pagefind-body`, so that a page of the site's
            own (not generated by papershelf) is searchable next to the paper pages; ignored
            when the page already marks what Pagefind indexes.
    """
    if index_article and "data-pagefind-body" not in output:
        output = _ARTICLE.sub(lambda match: match.group(0) + " data-pagefind-body", output, 1)
    header = _HEADER_END.search(output)
    if header is not None:
        at = header.start(1)
        output = output[:at] + SEARCH_BUTTON + output[at:]
    else:
        body = re.search(r"<body\b[^>]*>", output)
        if body is not None:
            output = output[: body.end()] + SEARCH_BUTTON + output[body.end() :]
    end = output.rfind("</body>")
    if end >= 0:
        output = output[:end] + _DIALOG + output[end:]
    head = output.find("</head>")
    if head >= 0:
        output = output[:head] + search_head(root) + output[head:]
    return output


STYLESHEET_TEXT = """\
/* papershelf: Pagefind's search box in Material's colours, light and dark. */
body {
  --pf-text: var(--md-default-fg-color);
  --pf-text-secondary: var(--md-default-fg-color--light);
  --pf-text-muted: var(--md-default-fg-color--light);
  --pf-background: var(--md-default-bg-color);
  --pf-border: var(--md-default-fg-color--lightest);
  --pf-border-focus: var(--md-default-fg-color--lighter);
  --pf-hover: var(--md-accent-fg-color--transparent);
  --pf-mark: var(--md-default-fg-color);
  --pf-outline-focus: var(--md-accent-fg-color);
  --pf-font: var(--md-text-font-family, inherit);
  --pf-modal-max-width: 720px;
}
/* The header button: Material's search box look (translucent on the primary colour). */
.md-header pagefind-modal-trigger.papershelf-search {
  width: 11.7rem;
  margin: 0 0.4rem;
  --pf-background: rgba(0, 0, 0, 0.26);
  --pf-border: transparent;
  --pf-border-focus: var(--md-primary-bg-color--light);
  --pf-text-muted: var(--md-primary-bg-color);
  --pf-text-secondary: var(--md-primary-bg-color);
  --pf-hover: transparent;
}
body > pagefind-modal-trigger.papershelf-search {
  position: fixed;
  top: 0.5rem;
  right: 0.5rem;
  z-index: 10;
}
/* On a narrow screen only the magnifier, as Material's own search button. Pagefind's rules
   carry three ID-level `:is(*, #\\#)` prefixes; four win. */
@media screen and (max-width: 59.984375em) {
  .md-header pagefind-modal-trigger.papershelf-search {
    width: auto;
  }
  :is(*, #\\#):is(*, #\\#):is(*, #\\#):is(*, #\\#) .papershelf-search .pf-trigger-text,
  :is(*, #\\#):is(*, #\\#):is(*, #\\#):is(*, #\\#) .papershelf-search .pf-trigger-shortcut {
    display: none;
  }
}
/* Excerpts in full (Pagefind's are about 30 words). */
:is(*, #\\#):is(*, #\\#):is(*, #\\#):is(*, #\\#) .papershelf-result .pf-result-excerpt {
  white-space: normal;
  display: block;
  overflow: visible;
}
.papershelf-result .papershelf-result-date + .papershelf-result-tags::before {
  content: " · ";
}
.papershelf-result .papershelf-result-facts:empty {
  display: none;
}
.papershelf-search-filters {
  display: flex;
  flex-wrap: wrap;
  gap: 0.4rem;
  margin-top: 0.5rem;
}
.papershelf-result .papershelf-result-authors,
.papershelf-result .papershelf-result-facts {
  margin: 0.15rem 0 0;
  font-size: 12px;
  color: var(--pf-text-secondary);
  overflow: hidden;
  text-overflow: ellipsis;
  white-space: nowrap;
}
"""
"""The contents of `STYLESHEET`."""


SCRIPT_TEXT = """\
// papershelf: one Pagefind search at a time. Pagefind's input starts a search on every pause in
// typing, and its engine runs them one after another: a word on every page of a large library
// takes it a second or more, so typing "model" queued five such searches. Here a search that
// arrives while another runs waits, and a newer one replaces it; the last query always runs.
(() => {
  const components = window.PagefindComponents;
  if (!components || !components.getInstanceManager().hasInstance("default")) return;
  const instance = components.getInstanceManager().getInstance("default");
  const search = instance.__search__;
  if (typeof search !== "function") return;
  let running = null;
  let next = null;
  instance.__search__ = function (term, filters) {
    next = [term, filters];
    if (running === null) {
      running = (async () => {
        try {
          while (next !== null) {
            const [queued, queuedFilters] = next;
            next = null;
            await search.call(instance, queued, queuedFilters);
          }
        } finally {
          running = null;
        }
      })();
    }
    return running;
  };
})();
"""
"""The contents of `SCRIPT`. It wraps the Component UI's (internal) `__search__`; if a later
Pagefind renames it, the script does nothing and every search runs as Pagefind runs it."""


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What Pagefind's indexer reported for one site."""

    pages: int | None
    """Pages indexed, e.g. `10001`; None when its output named no count."""
    output: str
    """Its whole output (stdout then stderr), for the build log."""


def run_indexer(site_dir: Path, *, python: str | None = None) -> IndexReport:
    """Index a built site with Pagefind's command line, writing `site_dir/pagefind/`.

    Args:
        site_dir: The built site.
        python: The interpreter that has Pagefind installed; default: the running one.

    Raises:
        ToolError: Pagefind is not installed (the message says how to install it), or its
            indexer failed (the message carries its output).
    """
    command = [python or sys.executable, "-m", "pagefind", "--site", str(site_dir)]
    # The permalink sign of MkDocs' headings would end every page title in `¶`.
    command += ["--exclude-selectors", EXCLUDED]
    result = _pagefind(command)
    output = "\n".join(part.strip() for part in (result.stdout, result.stderr) if part.strip())
    found = re.search(r"Indexed (\d+) pages?", output)
    return IndexReport(pages=int(found.group(1)) if found else None, output=output)


def check_indexer(*, python: str | None = None) -> str:
    """Return Pagefind's version (`pagefind 1.5.2`), or raise when it cannot run.

    Called before a build, so that a missing Pagefind stops it at once rather than after
    every page has been rendered.

    Raises:
        ToolError: As `run_indexer`.
    """
    result = _pagefind([python or sys.executable, "-m", "pagefind", "--version"])
    return result.stdout.strip()


def _pagefind(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a Pagefind command; raise `ToolError` saying what failed and how to fix it."""
    shown = " ".join(["python", *command[1:]])
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise ToolError(
            f"cannot run `{shown}`: {error}; install Pagefind with `{INSTALL_FIX}`"
        ) from None
    if result.returncode == 0:
        return result
    output = (result.stderr.strip() or result.stdout.strip()).splitlines()
    last = output[-1] if output else f"exit status {result.returncode}"
    if _NOT_INSTALLED.search(result.stderr):
        raise ToolError(
            f"Pagefind's indexer is not installed ({last}); install it with `{INSTALL_FIX}` "
            "(the wheel ships the binary and works offline), or set the plugin option "
            "`search: material`"
        )
    tail = "\n".join(output[-20:])
    raise ToolError(
        f"Pagefind's indexer failed (`{shown}`, exit status {result.returncode}):\n"
        f"{tail}\nIf Pagefind is missing or broken, reinstall it with `{INSTALL_FIX}`."
    )


_NOT_INSTALLED = re.compile(
    r"No module named '?pagefind|Could not find (any of|pagefind binary)|FileNotFoundError"
    r"|No such file or directory"
)
"""What `python -m pagefind` says when the package or its binary is missing."""
