"""The TeX forms of non-ASCII characters: what the `ascii` output profile writes for each.

pdflatex (with `inputenc` utf8 and T1, the usual preamble) stops on Greek, Cyrillic, CJK, emoji,
math symbols, combining accents and many more; BibTeX's `alpha.bst` cuts labels by bytes, so a
raw UTF-8 letter in a name can end up cut in half. The `ascii` profile (the default) therefore
writes every non-ASCII character in a form that plain pdflatex with T1 typesets without any
package of ours, each form braced so BibTeX counts it as one "special character":

| input | form | Zotero's `BibTeX.js` importer reads |
|---|---|---|
| accented Latin letter of T1 (`é`, `Ő`, `č`) | `{\\'e}`, `{\\H O}`, `{\\v c}` | the letter |
| other accented letters (`ẹ`, `ễ`, `ặ`) | transliterated (`e`): biber decodes their forms | `e` |
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


_T1_LETTERS = frozenset(
    "\u00c0\u00c1\u00c2\u00c3\u00c4\u00c5\u00c7\u00c8\u00c9\u00ca\u00cb\u00cc\u00cd\u00ce\u00cf"
    "\u00d1\u00d2\u00d3\u00d4\u00d5\u00d6\u00d9\u00da\u00db\u00dc\u00dd\u00e0\u00e1\u00e2\u00e3"
    "\u00e4\u00e5\u00e7\u00e8\u00e9\u00ea\u00eb\u00ec\u00ed\u00ee\u00ef\u00f1\u00f2\u00f3\u00f4"
    "\u00f5\u00f6\u00f9\u00fa\u00fb\u00fc\u00fd\u00ff\u0100\u0101\u0102\u0103\u0104\u0105\u0106"
    "\u0107\u0108\u0109\u010a\u010b\u010c\u010d\u010e\u010f\u0112\u0113\u0114\u0115\u0116\u0117"
    "\u0118\u0119\u011a\u011b\u011c\u011d\u011e\u011f\u0120\u0121\u0122\u0123\u0124\u0125\u0128"
    "\u0129\u012a\u012b\u012c\u012d\u012e\u012f\u0130\u0134\u0135\u0136\u0137\u0139\u013a\u013b"
    "\u013c\u013d\u013e\u0143\u0144\u0145\u0146\u0147\u0148\u014c\u014d\u014e\u014f\u0150\u0151"
    "\u0154\u0155\u0156\u0157\u0158\u0159\u015a\u015b\u015c\u015d\u015e\u015f\u0160\u0161\u0162"
    "\u0163\u0164\u0165\u0168\u0169\u016a\u016b\u016c\u016d\u016e\u016f\u0170\u0171\u0172\u0173"
    "\u0174\u0175\u0176\u0177\u0178\u0179\u017a\u017b\u017c\u017d\u017e\u01cd\u01ce\u01cf\u01d0"
    "\u01d1\u01d2\u01d3\u01d4\u01e6\u01e7\u01e8\u01e9\u01ea\u01eb\u01f0\u01f4\u01f5\u0232\u0233"
    "\u1e02\u1e03\u1e0d\u1e1e\u1e1f\u1e20\u1e21\u1e25\u1e30\u1e31\u1e37\u1e43\u1e45\u1e47\u1e5b"
    "\u1e63\u1e6d\u1e8e\u1e8f\u1e90\u1e91\u1ef2\u1ef3"
)
"""The accented letters LaTeX's `utf8` input declares for T1 (`t1enc.dfu`, TeX Live 2022). biber
decodes `{\\d e}` to `ẹ`, which pdflatex then rejects: only these get an accent form."""


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
    if unicodedata.normalize("NFC", char) not in _T1_LETTERS:
        return None
    decomposed = unicodedata.normalize("NFD", char)
    return _accented(decomposed[0], decomposed[1:])


def transliteration(char: str) -> str:
    """Return a readable ASCII stand-in for a character without a TeX form: `中` -> `Zhong`,
    `Ж` -> `Zh`, `😀` -> `:grinning:`; empty for invisible ones (zero-width space)."""
    return anyascii(char)
