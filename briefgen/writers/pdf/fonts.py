"""Bundled fonts for the PDF writer: loading, glyph coverage, the TrueType subset internals.

Fonts come from the `*.ttf` of one folder (briefgen.resources.fonts_dir picks it), named
`Family-Style.ttf` (Style: Regular, Bold, Italic, BoldItalic). "NotoSans" is the primary family,
"NotoNaskhArabic" the one for Arabic script; any other family found there is a fallback for
characters the first two lack.

Right-to-left text is handled by briefgen rather than by reportlab (whose bidi needs `rlbidi` and
is off for mixed-style paragraphs): `shaping` shapes each right-to-left span of a line with
HarfBuzz into a string of code points in visual order, which reportlab then draws like
any other text. Glyphs without a code point of their own (contextual forms, ligatures, mirrored
brackets) get a fixed private-use code (U+F0000 + glyph id), and the font's ToUnicode map sends
each of them back to the characters it was shaped from, so the text stays searchable/extractable.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import uharfbuzz
from reportlab.pdfbase import pdfmetrics, ttfonts

from briefgen import errors
from briefgen.writers.pdf.coverage import SPACE_LIKE, STYLES, font_files

PRIMARY = "NotoSans"
ARABIC = "NotoNaskhArabic"
_STYLE_FALLBACK = {"Regular": ("Regular",), "Bold": ("Bold", "Regular"),
                   "Italic": ("Italic", "Regular"),
                   "BoldItalic": ("BoldItalic", "Bold", "Italic", "Regular")}
ARABIC_SCALE = 1.12  # Naskh looks smaller than Noto Sans at the same point size
PUA_BASE = 0xF0000  # code of shaped glyph `gid` is PUA_BASE + gid (plane 15, never in a cmap)
_RTL = frozenset(("R", "AL"))
_CACHE: dict[tuple, FontSet] = {}
_NEUTRAL = frozenset(("WS", "ON", "CS", "ES", "ET", "NSM", "BN", "S"))


def _is_arabic(code: int) -> bool:
    return (0x0600 <= code <= 0x08FF or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF
            or 0x10E60 <= code <= 0x10EFF or 0x1EE00 <= code <= 0x1EEFF)


def style_name(bold: bool, italic: bool) -> str:
    return ("Bold" if bold else "") + ("Italic" if italic else "") or "Regular"


@dataclass
class Family:
    name: str
    fonts: dict[str, str]  # style -> registered reportlab font name (missing styles fall back)
    cmap: frozenset[int]  # code points that every style of the family has
    hb_fonts: dict[str, object] = field(default_factory=dict)  # font name -> uharfbuzz.Font


class FontSet:
    """The fonts of one fonts directory, registered with reportlab (cached per process)."""

    def __init__(self, fonts_dir: Path, families: list[Family], ttfonts: dict, paths: dict):
        self.fonts_dir = fonts_dir
        self.families = families
        self.primary = families[0]
        self.arabic = next((f for f in families if f.name == ARABIC), None)
        self._ttfonts = ttfonts  # reportlab font name -> TTFont
        self._paths = paths  # reportlab font name -> file
        # size factor per font, so that scripts look alike at one point size
        self.scale = {n: ARABIC_SCALE for n in self.arabic.fonts.values()} if self.arabic else {}
        # characters drawn as-is in the primary font (no fallback, no right-to-left)
        self.simple = frozenset(chr(c) for c in self.primary.cmap
                                if unicodedata.bidirectional(chr(c)) not in _RTL)

    def font(self, family: Family, bold: bool = False, italic: bool = False) -> str:
        return family.fonts[style_name(bold, italic)]

    def family_for(self, ch: str, rtl: bool = False) -> Family | None:
        """The family that draws `ch`: the Arabic one for Arabic script and, inside right-to-left
        text, for the spaces and punctuation it has; otherwise the first family that has it."""
        code = ord(ch)
        if self.arabic is not None and code in self.arabic.cmap and (
                _is_arabic(code) or (rtl and unicodedata.bidirectional(ch) in _NEUTRAL)):
            return self.arabic
        for fam in self.families:
            if code in fam.cmap:
                return fam
        return None

    def covers(self, ch: str) -> bool:
        return ch in SPACE_LIKE or any(ord(ch) in f.cmap for f in self.families)

    def ttfont(self, name: str):
        return self._ttfonts[name]

    def hb_font(self, name: str):
        fam = next(f for f in self.families if name in f.fonts.values())
        hbf = fam.hb_fonts.get(name)
        if hbf is None:
            face = uharfbuzz.Face(uharfbuzz.Blob(self._paths[name].read_bytes()))
            hbf = fam.hb_fonts[name] = uharfbuzz.Font(face)
        return hbf


def load_fonts(fonts_dir: Path) -> FontSet:
    """Load and register every `*.ttf` of `fonts_dir` (once per process and file version)."""
    fonts_dir = Path(fonts_dir)
    by_family = font_files(fonts_dir)
    files = sorted(p for styles in by_family.values() for p in styles.values())
    key = (str(fonts_dir.resolve()),) + tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                                              for p in files)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    if PRIMARY not in by_family or "Regular" not in by_family[PRIMARY]:
        raise errors.BuildError(
            f"font {PRIMARY}-Regular.ttf is missing from {errors.display_path(fonts_dir)}/ "
            "(hint: restore the bundled fonts)")

    order = [PRIMARY] + ([ARABIC] if ARABIC in by_family else []) + sorted(
        f for f in by_family if f not in (PRIMARY, ARABIC))
    families, ttfonts, paths = [], {}, {}
    for fam in order:
        loaded: dict[str, str] = {}  # style -> font name
        cmap: set[int] | None = None
        for style, path in sorted(by_family[fam].items()):
            data = path.read_bytes()
            name = f"{path.stem}_{hashlib.sha1(data).hexdigest()[:10]}"  # unique per content
            if name in pdfmetrics.getRegisteredFontNames():
                font = pdfmetrics.getFont(name)
            else:
                try:
                    font = _TTFont(name, str(path))
                except Exception as exc:  # reportlab raises TTFError and plain errors alike
                    raise errors.BuildError(f"font {errors.display_path(path)} cannot be read: "
                                            f"{exc} (hint: replace or remove it)") from exc
                pdfmetrics.registerFont(font)
            ttfonts[name] = font
            paths[name] = path
            codes = {c for c in font.face.charToGlyph if c < PUA_BASE}  # not shaped glyphs
            cmap = codes if cmap is None else cmap & codes
            loaded[style] = name
        fonts = {s: next((loaded[f] for f in _STYLE_FALLBACK[s] if f in loaded),
                         next(iter(loaded.values()))) for s in STYLES}
        families.append(Family(fam, fonts, frozenset(cmap or ())))
    fs = _CACHE[key] = FontSet(fonts_dir, families, ttfonts, paths)
    return fs


class _NewCharacter(Exception):
    """A character this document has not drawn in this font yet."""


class _Codes(dict):
    """Character -> subset code, for `str.translate`; a character without one stops it."""

    def __missing__(self, key):
        raise _NewCharacter


class _TTFont(ttfonts.TTFont):
    """TTFont whose ToUnicode map sends shaped glyph codes back to the text they came from.

    `splitString` has a fast path for text whose characters all have their subset code already
    (nearly every call once a page has been drawn): one `str.translate` through a copy of the
    document's code assignments. It returns what reportlab's loop returns, call for call
    (tests/internals/test_reportlab_fonts.py); `addObjects` writes reportlab's ToUnicode map
    but for the codes of shaped glyphs, which map back to the text they were shaped from.
    """

    _bg_doc = None
    _bg_codes: _Codes | None = None

    def splitString(self, text, doc, encoding="utf-8"):
        if doc is self._bg_doc and isinstance(text, str):
            try:
                mapped = text.translate(self._bg_codes)
            except _NewCharacter:
                pass
            else:
                if not mapped:
                    return []
                if max(mapped) < "\u0100":
                    return [(0, mapped.encode("latin-1"))]
                out, cur, subset = [], [], ord(mapped[0]) >> 8
                for n in map(ord, mapped):
                    if n >> 8 != subset:
                        out.append((subset, bytes(cur)))
                        cur, subset = [], n >> 8
                    cur.append(n & 0xFF)
                out.append((subset, bytes(cur)))
                return out
        result = super().splitString(text, doc, encoding)
        codes = _Codes(self.state[doc].assignments)  # new characters got codes: copy again
        if 32 in codes:
            codes[0xA0] = codes[32]  # reportlab draws a no-break space as a space
        self._bg_doc, self._bg_codes = doc, codes
        return result

    def addObjects(self, doc):
        overrides = getattr(doc, "_bg_tounicode", {}).get(self.fontName, {})
        saved = ttfonts.makeToUnicodeCMap
        ttfonts.makeToUnicodeCMap = lambda name, subset: to_unicode_cmap(name, subset, overrides)
        try:
            super().addObjects(doc)
        finally:
            ttfonts.makeToUnicodeCMap = saved


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def to_unicode_cmap(fontname: str, subset: list[int], overrides: dict[int, str]) -> str:
    """A ToUnicode CMap for one font subset (UTF-16, at most 100 entries per block)."""
    entries = []
    for i, code in enumerate(subset):
        text = overrides.get(code)
        if text is None:
            text = chr(code) if code < PUA_BASE else "\ufffd"
        entries.append(f"<{i:02X}> <{_utf16_hex(text)}>")
    out = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
           f"/CIDSystemInfo << /Registry ({fontname}) /Ordering ({fontname}) /Supplement 0 >> def",
           f"/CMapName /{fontname} def", "/CMapType 2 def",
           "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange"]
    for k in range(0, len(entries), 100):
        block = entries[k:k + 100]
        out += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    out += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(out)
