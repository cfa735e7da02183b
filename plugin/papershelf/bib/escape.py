"""Digest text to TeX that no BibTeX client can execute, and back.

Digest text is untrusted: every character of a text field reaches TeX (see `docs/guide/bibtex.md`).
`escape_text` maps each input character to TeX that typesets that character and nothing else; the
forms are chosen so Zotero's importer (`BibTeX.js`) decodes as many as possible. `unescape_text` is
its exact inverse, so the reader and the merger can compare what was meant.

The map, one rule per input:

| input | TeX | why |
|---|---|---|
| `&` `%` `$` `#` `_` | `\\&` `\\%` `\\$` `\\#` `\\_` | standard; Zotero decodes them |
| `\\&` `\\%` `\\$` `\\#` `\\_` (digest residue) | `{\\&}` ... | not escaped twice: typesets `&` |
| `^` `~` | `\\^{}` `\\~{}` (`\\^{}{}` before `}`) | Zotero decodes them (biber: see below) |
| `\\` (any other) | `{\\textbackslash}` | `\\input` becomes inert text |
| `@` | `{\\symbol{64}}` | BibTeX starts an entry at every `@` |
| `{` `}` in a balanced pair | kept | `{LLM}s` keeps its case protection |
| `{` `}` unbalanced | `{\\textbraceleft}` `{\\textbraceright}` | BibTeX counts every brace |
| control characters, noncharacters | a space | one line of text; biber stops on noncharacters |

Commands are wrapped in braces (`{\\textbackslash}`), which makes them BibTeX "special characters":
`change.case$` then leaves the command name alone, so no style can turn it into `\\TEXTBACKSLASH`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Literal
from urllib.parse import quote

from papershelf.bib.tex import TABLE_CHARACTERS as _TABLE_CHARACTERS
from papershelf.bib.tex import ascii_form, transliteration

__all__ = [
    "EXACT_FIELDS",
    "TexKind",
    "ascii_tex",
    "escape_name",
    "escape_text",
    "escape_title",
    "exact_field",
    "exact_value",
    "name_text",
    "strip_grouping",
    "unescape_text",
    "unescape_title",
    "verbatim_url",
]

_PLAIN = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
    "\\": r"{\textbackslash}",
    "@": r"{\symbol{64}}",
}
_RESIDUE_CHARS = "&%$#_"
_EMPTY_GROUP_BEFORE_BRACE = re.compile(r"\\[\^~]\{\}(?=\}|\{\})")
_RESIDUE = {f"\\{char}": f"{{\\{char}}}" for char in _RESIDUE_CHARS}
_OPEN = r"{\textbraceleft}"
_CLOSE = r"{\textbraceright}"

# Longest first, so a decoder never stops inside a longer token.
_DECODE = {
    **{token: char for char, token in _PLAIN.items()},
    **{token: residue for residue, token in _RESIDUE.items()},
    _OPEN: "{",
    _CLOSE: "}",
    r"\^{}{}": "^",
    r"\~{}{}": "~",
}
# Every form `ascii_tex` writes, decoded: the Latin letters (with one or two accents), the letters
# TeX names, Greek, text and math symbols. Transliterations are not in it: they are lossy.
_LATIN_RANGES = (range(0xC0, 0x250), range(0x1E00, 0x1F00))
_DECODE.update(
    {
        form: char
        for char in (chr(code) for span in _LATIN_RANGES for code in span)
        if unicodedata.normalize("NFC", char) == char and (form := ascii_form(char)) is not None
    }
)
_DECODE.update({form: char for char in _TABLE_CHARACTERS if (form := ascii_form(char))})

_DECODE_RE = re.compile(
    "|".join(re.escape(token) for token in sorted(_DECODE, key=len, reverse=True))
)


# Unicode's noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) are no text either: biber stops
# on them without a word (exit code 25), even in a field it does not read.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17)
)
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_NONCHARACTERS}]")
_BRACE = re.compile(r"[{}]")
_SPECIAL = re.compile(r"\\[&%$#_]|[&%$#_^~\\@{}]")
_NEEDS_WORK = re.compile(f"[&%$#_^~\\\\@{{}}\x00-\x1f\x7f-\x9f\u2028\u2029{_NONCHARACTERS}]")
"""Any character `escape_text` would change; most names and keywords have none."""


def _ascii_table(code_of: dict[str, int]) -> bytes:
    """Return a bytes translation table mapping each ASCII character to `code_of[char]`, else 0."""
    return bytes(code_of.get(chr(code), 0) for code in range(256))


_ASCII_CHARACTERS = [chr(code) for code in range(128)]
_ASCII_NEEDS_WORK = _ascii_table({char: 1 for char in _ASCII_CHARACTERS if _NEEDS_WORK.match(char)})
"""1 for each ASCII character `escape_text` would change, 0 for the others."""
_ASCII_TITLE_CLASSES = _ascii_table(
    {
        char: ord("!" if _NEEDS_WORK.match(char) else "A" if char.isupper() else "a")
        for char in _ASCII_CHARACTERS
        if _NEEDS_WORK.match(char) or char.isalnum()
    }
)
"""`!` for each ASCII character `escape_text` would change, `A` for a capital, `a` for another
letter or digit, 0 for the others."""


def _kept_braces(text: str) -> set[int]:
    """Return the indices of braces that stay bare TeX group braces: those of balanced pairs."""
    kept: set[int] = set()
    stack: list[int] = []
    for match in _BRACE.finditer(text):
        index = match.start()
        if match.group(0) == "{":
            stack.append(index)
        elif stack:
            start = stack.pop()
            # `{&}` would read back as residue `\&`: escape such a pair instead.
            inner = text[start + 1 : index]
            if not (len(inner) == 1 and inner in _RESIDUE_CHARS):
                kept.update((start, index))
    return kept


def _pieces(text: str) -> Iterator[tuple[str, str, int]]:
    """Yield `(source, tex, depth)` per input token; depth counts the bare braces around it."""
    text = _CONTROL.sub(" ", text)
    kept = _kept_braces(text)
    depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _RESIDUE_CHARS:
            source = text[index : index + 2]
            yield source, _RESIDUE[source], depth
            index += 2
            continue
        if char == "{":
            if index in kept:
                yield char, char, depth
                depth += 1
            else:
                yield char, _OPEN, depth
        elif char == "}":
            if index in kept:
                depth -= 1
                yield char, char, depth
            else:
                yield char, _CLOSE, depth
        else:
            yield char, _PLAIN.get(char, char), depth
        index += 1


def escape_text(text: str) -> str:
    """Return `text` as TeX for a text field (abstract, organization, keywords, annote, note).

    Args:
        text: Plain Unicode from a digest, possibly with TeX residue such as `R\\&D` or `{LLM}s`.

    Returns:
        TeX with balanced braces in which no input can form an active command, e.g.
        `escape_text("100% \\\\input{x}")` is `100\\% {\\textbackslash}input{x}`.
    """
    if text.isascii():
        # Most texts need nothing; one `bytes.translate` pass tells so five times faster than
        # the regex search (an abstract of 1,500 characters: 2 µs instead of 10 µs).
        if 1 not in text.encode("ascii").translate(_ASCII_NEEDS_WORK):
            return text
    elif not _NEEDS_WORK.search(text):
        return text
    text = _CONTROL.sub(" ", text)
    kept = _kept_braces(text) if "{" in text else set()

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if len(found) == 2:
            return _RESIDUE[found]
        if found in "{}":
            if match.start() in kept:
                return found
            return _OPEN if found == "{" else _CLOSE
        return _PLAIN[found]

    return _guard_empty_groups(_SPECIAL.sub(replace, text))


def _guard_empty_groups(tex: str) -> str:
    """Return `tex` with `\\^{}` and `\\~{}` doubled to `\\^{}{}` before `}` or `{}`: biber drops
    the empty group before a closing brace (`{x \\^{}}` -> `{x \\^}`, which takes `}` as its
    argument); `{}` after it stays apart from a literal `{}` that follows."""
    if "{}" not in tex:
        return tex
    return _EMPTY_GROUP_BEFORE_BRACE.sub(r"\g<0>{}", tex)


_NAME_BREAKERS = re.compile(r"\\[&%$#_]?|[~^{}%$#_]|(?<!\S)&+")
"""What no name holds: biber breaks on every form of TeX's specials (`{\\textbackslash}`,
`\\~{}`, `\\^{}`, `{\\textbraceleft}`, `\\%` ...) at the start of a name part (its initials, or
`{\\^}` in the `.bbl`), and a name has none; `&` is kept inside a word (`AT&T`)."""


def name_text(name: str) -> str:
    """Return the text a name keeps: TeX's special characters (but `&` in a word) as spaces,
    e.g. `Bob ~ Tilde` -> `Bob   Tilde`, `AT&T` -> `AT&T`, `& Co` -> `  Co`."""
    return _NAME_BREAKERS.sub(" ", name)


_ZERO_WORD = re.compile(r"(?<![^\s{])0(?![^\s}])")
"""A name part `0`, Perl's false: biber 2.18 never ends on `{0}` and drops `0` as an empty name;
`0{}` is read as the digit."""
_BARE_ESCAPE = re.compile(r"(?<!\{)\\[&%$#_]|\\[\^~]\{\}")


def escape_name(name: str) -> str:
    """Return one author name (or a label BibTeX cuts, `key`) as TeX: `escape_text` plus the
    forms names need; non-ASCII letters stay as they are (`ascii_tex` writes their TeX forms).

    Each escaped special becomes a BibTeX special character (`AT&T` -> `AT{\\&}T`), which
    `alpha.bst`'s `text.prefix$` counts as one letter instead of cutting it into `AT\\`; `]`
    is braced (`{]}`), or it would end natbib's optional `\\bibitem[...]` argument.
    """
    tex = escape_text(name_text(name))
    if "\\" in tex:
        tex = _BARE_ESCAPE.sub(lambda match: f"{{{match.group(0)}}}", tex)
    if "]" in tex:
        tex = tex.replace("]", "{]}")
    return _ZERO_WORD.sub("0{}", tex) if "0" in tex else tex


TexKind = Literal["text", "title", "name"]
"""What a TeX value is, for `ascii_tex`: a text field, a title (case is protected) or names."""

_NON_ASCII = re.compile(r"\{([^\x00-\x7f][\u0300-\u036f]*)\}|[A-Za-z]?[^\x00-\x7f][\u0300-\u036f]*")
_TRANSLITERATED_ESCAPE = {"text": escape_text, "title": escape_text, "name": escape_name}


def ascii_tex(tex: str, kind: TexKind = "text") -> tuple[str, bool]:
    """Return a TeX value of the `utf8` profile in the `ascii` profile, and whether it is exact.

    Each non-ASCII character becomes its braced TeX form (`papershelf.bib.tex.ascii_form`:
    `M{\\"u}ller`, `{$\\beta$}-VAE`); one without a form becomes its transliteration, escaped
    like the rest (`中文` -> `ZhongWen`), braced in a title so no style changes its case. The flag
    says whether `unescape_text` of the result gives the text again (up to NFC); when it does not,
    the exact text travels in the field's companion (`exact_field`).
    """
    if kind == "name":
        names, exact = _ascii_names(tex) if "{" in tex else _ascii_pieces(tex, kind)
        return (_ZERO_WORD.sub("0{}", names) if "0" in names else names), exact
    return _ascii_pieces(tex, kind)


def _ascii_pieces(tex: str, kind: TexKind) -> tuple[str, bool]:
    """Return `ascii_tex` of a value, character by character."""
    if tex.isascii():
        return tex, True
    exact = True

    def replace(match: re.Match[str]) -> str:
        nonlocal exact
        chars = match.group(1) or match.group(0)
        form = ascii_form(chars)
        if form is not None and kind == "name" and "$" in form:
            # alpha.bst's `text.prefix$` cuts a label inside `{$...$}` (no special character).
            form = None
        if form is not None:
            exact = exact and _DECODE.get(form) == unicodedata.normalize("NFC", chars)
        elif len(chars) > 1 and chars[0].isascii():
            # An ASCII letter before a character of its own: only the latter needs a form.
            rest, rest_exact = _ascii_pieces(chars[1:], kind)
            form = chars[0] + rest
            exact = exact and rest_exact
        else:
            exact = False
            form = _TRANSLITERATED_ESCAPE[kind](transliteration(chars))
            if kind == "title" and form != form.lower():
                form = f"{{{form}}}"
        return form

    return _NON_ASCII.sub(replace, tex), exact


_CORPORATE_DROPPED = re.compile(r"[\\{}@%$#_~^]")


def _ascii_names(tex: str) -> tuple[str, bool]:
    """Return `ascii_tex` of an `author` value whose organisations are brace groups.

    Inside `{AT{\\&}T Labs}` no command is safe: `alpha.bst`'s `text.prefix$` cuts a group
    of depth two anywhere (`{AT{\\}}`). Such a name is written as plain ASCII instead
    (`{AT and T Labs}`); its exact text goes to the companion.
    """
    names: list[str] = []
    exact = True
    for name in _split_and(tex):
        if len(name) > 1 and name[0] == "{" and name[-1] == "}" and _one_group(name):
            inner, inner_exact = _ascii_pieces(name[1:-1], "name")
            if "\\" in inner:
                text = unescape_text(name[1:-1]).replace("\\&", "&")
                plain = transliteration(text).replace("&", " and ")
                inner = " ".join(_CORPORATE_DROPPED.sub(" ", plain).split())
                inner_exact = False
            names.append(f"{{{inner}}}")
        else:
            person, inner_exact = _ascii_pieces(name, "name")
            names.append(person)
        exact = exact and inner_exact
    return " and ".join(names), exact


def _split_and(tex: str) -> list[str]:
    """Return `tex` split at ` and ` outside braces."""
    parts: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(tex):
        char = tex[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and tex.startswith(" and ", index):
            parts.append(tex[start:index])
            index += 5
            start = index
            continue
        index += 1
    parts.append(tex[start:])
    return parts


def _one_group(tex: str) -> bool:
    """Return whether `tex` is one brace group: its first brace closes at its end."""
    depth = 0
    for index, char in enumerate(tex):
        depth += char == "{"
        depth -= char == "}"
        if depth == 0:
            return index == len(tex) - 1
    return False


EXACT_FIELDS: dict[str, tuple[str, TexKind]] = {
    "author": ("utf8author", "name"),
    "title": ("utf8title", "title"),
    "abstract": ("utf8abstract", "text"),
    "organization": ("utf8org", "text"),
}
"""The fields a person sees on the site whose exact text, when `ascii_tex` transliterated some of
it, is kept in a companion field (`utf8title`), with the kind of TeX each holds."""


def exact_field(name: str) -> str:
    """Return the name of the companion holding the exact text of field `name`: `utf8title`."""
    return EXACT_FIELDS[name][0]


def exact_value(fields: Mapping[str, str], name: str) -> str:
    """Return the TeX of field `name` with every character as meant: its companion's value while
    the field is still what the `ascii` profile makes of that companion, else the field itself.

    A person who edits the title (in JabRef, by hand) changes the field, not the companion: the
    edit then wins, and the stale companion is ignored.
    """
    tex = fields.get(name, "")
    if name in EXACT_FIELDS:
        companion_name, kind = EXACT_FIELDS[name]
        companion = fields.get(companion_name)
        if companion is not None and ascii_tex(companion, kind)[0] == tex:
            return companion
    return tex


def _needs_protection(word: str) -> bool:
    """Return whether a letter after the first is a capital (`LLaMA`, `GPT`; not `Offline`)."""
    rest = word[1:]
    return rest != rest.lower()


_SPECIAL_OR_WORD = re.compile(
    # A special character, or a word (a run of letters and digits) with a letter after its first
    # character that is not an ASCII small letter: the only words that may need braces.
    _SPECIAL.pattern + r"|(?<![^\W_])[^\W_](?=[^\W_]*[^\W\d_a-z])[^\W_]+"
)


def _title_piece(match: re.Match[str]) -> str:
    found = match.group(0)
    if len(found) == 2 and found[0] == "\\" and found[1] in _RESIDUE_CHARS:
        return _RESIDUE[found]
    if found in _PLAIN:
        return _PLAIN[found]
    return f"{{{found}}}" if _needs_protection(found) else found


def escape_title(text: str) -> str:
    """Return `text` as TeX for a title: `escape_text` plus braces around mixed-case words.

    A word (a run of letters and digits outside existing braces) with a capital after its first
    letter is wrapped in braces so that no style lower-cases it: `LLaMA` -> `{LLaMA}`,
    `GPT-4o` -> `{GPT}-4o`, `RLVR` -> `{RLVR}`; `Offline` stays as it is.
    """
    if text.isascii():
        # Most titles need nothing: no character to escape and no capital right after a letter or
        # digit (the mark of a mixed-case word). Telling so from the classes of the characters
        # takes a tenth of the time `_SPECIAL_OR_WORD` takes to find no match.
        classes = text.encode("ascii").translate(_ASCII_TITLE_CLASSES)
        if b"!" not in classes and b"aA" not in classes and b"AA" not in classes:
            return text
    if "{" not in text and "}" not in text:
        return _guard_empty_groups(_SPECIAL_OR_WORD.sub(_title_piece, _CONTROL.sub(" ", text)))
    out: list[str] = []
    word: list[str] = []

    def flush() -> None:
        if word:
            joined = "".join(word)
            out.append(f"{{{joined}}}" if _needs_protection(joined) else joined)
            word.clear()

    for source, tex, depth in _pieces(text):
        if depth == 0 and len(source) == 1 and source.isalnum():
            word.append(source)
            continue
        flush()
        out.append(tex)
    flush()
    return _guard_empty_groups("".join(out))


def unescape_text(tex: str) -> str:
    """Return the text `escape_text` was given: `unescape_text(escape_text(s)) == s`.

    Only papershelf's own forms are decoded; any other TeX (`{\\"u}`, `\\emph{x}`) is returned as it
    is, so comparing a hand-edited field with our text never invents characters. Control
    characters, which `escape_text` turns into spaces, are the one loss.
    """
    if "\\" not in tex:  # every form `escape_text` makes holds a backslash
        return tex
    return _DECODE_RE.sub(lambda match: _DECODE[match.group(0)], tex)


def strip_grouping(text: str) -> str:
    """Return `text` without the brace pairs `escape_text` would keep as TeX groups."""
    kept = _kept_braces(text)
    return "".join(char for index, char in enumerate(text) if index not in kept)


def unescape_title(tex: str) -> str:
    """Return a title for display: `unescape_text` without TeX group braces (`{LLaMA}` -> `LLaMA`).

    Unbalanced braces of the original text survive (they were escaped, not grouping).
    """
    pieces = _DECODE_RE.split(tex)
    tokens = _DECODE_RE.findall(tex)
    out = [pieces[0].replace("{", "").replace("}", "")]
    for token, rest in zip(tokens, pieces[1:], strict=True):
        out.append(_DECODE[token])
        out.append(rest.replace("{", "").replace("}", ""))
    return "".join(out)


# RFC 3986 unreserved and reserved characters plus `%`, minus `@` (BibTeX would start an entry).
_URL_SAFE = "-._~:/?#[]!$&'()*+,;=%"
_PERCENT_RUN = re.compile(r"%(?![0-9A-Fa-f]{2})")


def verbatim_url(url: str) -> str:
    """Return `url` ready for a verbatim field (`url`, `eprint`, our link fields).

    Verbatim fields are never TeX-escaped (biber would turn `\\%` into a broken `%5C` link);
    instead every character that cannot stand there is percent-encoded as UTF-8: whitespace,
    braces, backslash, `@`, `"`, `<`, `>`, `^`, backtick, `|`, non-ASCII, and a `%` that does not
    start a `%XX` escape. Existing `%XX` escapes are kept, so the function is idempotent.

    Raises:
        ValueError: `url` is empty or only whitespace.
    """
    stripped = url.strip()
    if not stripped:
        raise ValueError("empty URL; drop the link or give its address")
    stripped = _PERCENT_RUN.sub("%25", stripped)
    return quote(stripped, safe=_URL_SAFE)
