"""The TeX forms of non-ASCII characters: what the `ascii` output profile writes for each.

pdflatex (with `inputenc` utf8 and T1, the usual preamble) stops on Greek, Cyrillic, CJK, emoji,
math symbols, combining accents and many more; BibTeX's `alpha.bst` cuts labels by bytes, so a
raw UTF-8 letter in a name can end up cut in half. The `ascii` profile (the default) therefore
writes every non-ASCII character in a form that plain pdflatex with T1 typesets without any
package of ours, each form braced so BibTeX counts it as one "special character":

| input | form | Zotero's `BibTeX.js` importer reads |
|---|---|---|
| accented Latin letter (`é`, `Ő`, `ẹ`) | `{\\'e}`, `{\\H O}`, `{\\d e}` | the letter |
| two accents (`ễ`, Vietnamese) | transliterated (`e`): biber breaks stacked accents | `e` |
| letters TeX names (`ø`, `ß`, `ł`, `ð`) | `{\\o}`, `{\\ss}`, `{\\l}`, `{\\dh}` | the letter |
| `đ`, `Đ` | `{\\dj}`, `{\\DJ}` | `\\dj`, `\\DJ` |
| Greek with a math command (`β`, `Ω`) | `{$\\beta$}`, `{$\\Omega$}` (not in names) | the letter |
| text symbols (en dash, `€`, `™`) | `{\\textendash}`, `{\\texteuro}` | the symbol |
| math symbols (`≤`, `∑`, minus sign) | `{$\\leq$}`, `{$\\sum$}`, `{$-$}` | `\\leq`, `\\sum`, `-` |
| anything else (CJK, Cyrillic, emoji) | its transliteration (`anyascii`) | the transliteration |

The `utf8` profile writes every character as it is (only TeX's special characters escaped), for
biber users whose documents read UTF-8. Transliteration is lossy; the exact text then travels
beside the field (see `papershelf.bib.escape.exact_value`).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from anyascii import anyascii

from papershelf.model import DEFAULT_TEX_PROFILE as DEFAULT_PROFILE
from papershelf.model import TEX_PROFILES as PROFILES
from papershelf.model import TexProfile

__all__ = [
    "ACCENTS",
    "DEFAULT_PROFILE",
    "PROFILES",
    "TABLE_CHARACTERS",
    "TexProfile",
    "ascii_form",
    "transliteration",
]

ACCENTS = {
    "\u0300": "\\`",
    "\u0301": "\\'",
    "\u0302": "\\^",
    "\u0303": "\\~",
    "\u0304": "\\=",
    "\u0306": "\\u ",
    "\u0307": "\\.",
    "\u0308": '\\"',
    "\u030a": "\\r ",
    "\u030b": "\\H ",
    "\u030c": "\\v ",
    "\u0323": "\\d ",
    "\u0327": "\\c ",
    "\u0328": "\\k ",
    "\u0331": "\\b ",
}
"""Combining mark -> the TeX accent command that puts it on a letter (spelt as Zotero spells it)."""

_LETTERS = {
    "\u00f8": "{\\o}",
    "\u00d8": "{\\O}",
    "\u00df": "{\\ss}",
    "\u00e6": "{\\ae}",
    "\u00c6": "{\\AE}",
    "\u0153": "{\\oe}",
    "\u0152": "{\\OE}",
    "\u0142": "{\\l}",
    "\u0141": "{\\L}",
    "\u00f0": "{\\dh}",
    "\u00d0": "{\\DH}",
    "\u00fe": "{\\th}",
    "\u00de": "{\\TH}",
    "\u014b": "{\\ng}",
    "\u014a": "{\\NG}",
    "\u0111": "{\\dj}",
    "\u0110": "{\\DJ}",
    "\u0131": "{\\i}",
}
"""Letters that are no accented ASCII letter but have a T1 glyph and a TeX name."""

# Zotero's importer decodes exactly these spellings (its ε is `$\\varepsilon$`, ϵ `$\\epsilon$`).
_GREEK = {
    "\u0393": "Gamma",
    "\u0394": "Delta",
    "\u0398": "Theta",
    "\u039b": "Lambda",
    "\u039e": "Xi",
    "\u03a0": "Pi",
    "\u03a3": "Sigma",
    "\u03a5": "Upsilon",
    "\u03a6": "Phi",
    "\u03a8": "Psi",
    "\u03a9": "Omega",
    "\u03b1": "alpha",
    "\u03b2": "beta",
    "\u03b3": "gamma",
    "\u03b4": "delta",
    "\u03b5": "varepsilon",
    "\u03b6": "zeta",
    "\u03b7": "eta",
    "\u03b8": "theta",
    "\u03b9": "iota",
    "\u03ba": "kappa",
    "\u03bb": "lambda",
    "\u03bc": "mu",
    "\u03bd": "nu",
    "\u03be": "xi",
    "\u03c0": "pi",
    "\u03c1": "rho",
    "\u03c2": "varsigma",
    "\u03c3": "sigma",
    "\u03c4": "tau",
    "\u03c5": "upsilon",
    "\u03c6": "varphi",
    "\u03c7": "chi",
    "\u03c8": "psi",
    "\u03c9": "omega",
    "\u03d1": "vartheta",
    "\u03d5": "phi",
    "\u03d6": "varpi",
    "\u03f1": "varrho",
    "\u03f5": "epsilon",
}
_MATH = {
    "\u221e": "\\infty",
    "\u2264": "\\leq",
    "\u2265": "\\geq",
    "\u2260": "\\neq",
    "\u2248": "\\approx",
    "\u2211": "\\sum",
    "\u220f": "\\prod",
    "\u2212": "-",
    "\u2208": "\\in",
    "\u2200": "\\forall",
    "\u2203": "\\exists",
    "\u2202": "\\partial",
    "\u2207": "\\nabla",
    "\u22c5": "\\cdot",
    "\u2192": "\\rightarrow",
    "\u2190": "\\leftarrow",
    "\u21d2": "\\Rightarrow",
    "\u2194": "\\leftrightarrow",
}
"""Math symbols written in math mode; Zotero decodes only `$\\infty$` of them."""
_SYMBOLS = {
    "\u00a1": "textexclamdown",
    "\u00a2": "textcent",
    "\u00a3": "textsterling",
    "\u00a5": "textyen",
    "\u00a7": "textsection",
    "\u00a9": "textcopyright",
    "\u00aa": "textordfeminine",
    "\u00ab": "guillemotleft",
    "\u00ac": "textlnot",
    "\u00ae": "textregistered",
    "\u00b0": "textdegree",
    "\u00b1": "textpm",
    "\u00b2": "texttwosuperior",
    "\u00b3": "textthreesuperior",
    "\u00b5": "textmu",
    "\u00b6": "textparagraph",
    "\u00b7": "textperiodcentered",
    "\u00b9": "textonesuperior",
    "\u00ba": "textordmasculine",
    "\u00bb": "guillemotright",
    "\u00bc": "textonequarter",
    "\u00bd": "textonehalf",
    "\u00be": "textthreequarters",
    "\u00bf": "textquestiondown",
    "\u00d7": "texttimes",
    "\u00f7": "textdiv",
    "\u2013": "textendash",
    "\u2014": "textemdash",
    "\u2018": "textquoteleft",
    "\u2019": "textquoteright",
    "\u201a": "quotesinglbase",
    "\u201c": "textquotedblleft",
    "\u201d": "textquotedblright",
    "\u201e": "quotedblbase",
    "\u2020": "textdagger",
    "\u2021": "textdaggerdbl",
    "\u2022": "textbullet",
    "\u2026": "textellipsis",
    "\u2030": "textperthousand",
    "\u2039": "guilsinglleft",
    "\u203a": "guilsinglright",
    "\u20ac": "texteuro",
    "\u2122": "texttrademark",
    "\u2103": "textcelsius",
    "\u2116": "textnumero",
}
"""Text symbols of T1 and TS1 (in the LaTeX kernel since 2020), spelt as Zotero decodes them."""


TABLE_CHARACTERS = frozenset(_LETTERS) | frozenset(_GREEK) | frozenset(_MATH) | frozenset(_SYMBOLS)
"""The characters of the tables above (the accented Latin letters are made, not listed)."""


def _accented(base: str, marks: str) -> str | None:
    """Return `base` with TeX accents for `marks`, innermost first: `{\\~{\\^e}}`; None if any
    mark has no TeX accent."""
    if len(marks) > 1:
        # biber decodes `{\\u {\\d a}}` to combining characters, which pdflatex rejects.
        return None
    tex = base
    for mark in marks:
        accent = ACCENTS.get(mark)
        if accent is None:
            return None
        tex = f"{accent}{tex}" if len(tex) == 1 else f"{accent}{{{tex}}}"
    return f"{{{tex}}}"


@lru_cache(maxsize=4096)
def ascii_form(char: str) -> str | None:
    """Return the braced TeX form of one character (or letter plus combining marks), or None.

    `é` and `e\\u0301` -> `{\\'e}`, `ß` -> `{\\ss}`, `β` -> `{$\\beta$}`, `€` -> `{\\texteuro}`;
    `中` -> None (no form: it is transliterated).
    """
    if len(char) == 1:
        if char in _LETTERS:
            return _LETTERS[char]
        if char in _SYMBOLS:
            return f"{{\\{_SYMBOLS[char]}}}"
        if char in _GREEK:
            return f"{{$\\{_GREEK[char]}$}}"
        if char in _MATH:
            return f"{{${_MATH[char]}$}}"
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if marks and base.isascii() and base.isalpha():
        return _accented(base, marks)
    return None


def transliteration(char: str) -> str:
    """Return a readable ASCII stand-in for a character without a TeX form: `中` -> `Zhong`,
    `Ж` -> `Zh`, `😀` -> `:grinning:`; empty for invisible ones (zero-width space)."""
    return anyascii(char)
