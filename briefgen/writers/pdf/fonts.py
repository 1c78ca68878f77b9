"""Bundled fonts for the PDF writer: loading, glyph coverage, font fallback and Arabic shaping.

Fonts come from `templates/fonts/*.ttf`, named `Family-Style.ttf` (Style: Regular, Bold, Italic,
BoldItalic). "NotoSans" is the primary family, "NotoNaskhArabic" the one for Arabic script; any
other family found there is a fallback for characters the first two lack.

Right-to-left text is handled here rather than by reportlab (whose bidi needs `rlbidi` and is off
for mixed-style paragraphs): each right-to-left span of a left-to-right line (`writers.bidi`,
the same spans the Word writer marks) is shaped with
HarfBuzz and turned into a string of code points in visual order, which reportlab then draws like
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
from briefgen.writers.bidi import rtl_spans

PRIMARY = "NotoSans"
ARABIC = "NotoNaskhArabic"
STYLES = ("Regular", "Bold", "Italic", "BoldItalic")
_STYLE_FALLBACK = {"Regular": ("Regular",), "Bold": ("Bold", "Regular"),
                   "Italic": ("Italic", "Regular"),
                   "BoldItalic": ("BoldItalic", "Bold", "Italic", "Regular")}
ARABIC_SCALE = 1.12  # Naskh looks smaller than Noto Sans at the same point size
PUA_BASE = 0xF0000  # code of shaped glyph `gid` is PUA_BASE + gid (plane 15, never in a cmap)
_RTL = frozenset(("R", "AL"))
_SPACE_LIKE = "\t\n\r"
_CACHE: dict[tuple, "FontSet"] = {}
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
        return ch in _SPACE_LIKE or any(ord(ch) in f.cmap for f in self.families)

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
    files = sorted(fonts_dir.glob("*.ttf")) if fonts_dir.is_dir() else []
    key = (str(fonts_dir.resolve()),) + tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                                              for p in files)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    by_family: dict[str, dict[str, Path]] = {}
    for p in files:
        fam, _, style = p.stem.partition("-")
        by_family.setdefault(fam, {})[style if style in STYLES else "Regular"] = p
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
    document's code assignments. It returns what reportlab's loop would. Re-measured with
    reportlab 5.1 (bench/internals.py, 500-line brief): without it the PDF takes +0.04 s CPU,
    6.6 % of the whole build (3-7 % over runs on a busy VM): kept, just.
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


# --------------------------------------------------------------------------------------------
# Text to (font, visual text) segments


def _number_runs(text: str) -> list[tuple[bool, str]]:
    """Split a right-to-left span into (is_number, text) runs; numbers keep left-to-right order."""
    runs: list[tuple[bool, str]] = []
    i, n = 0, len(text)
    while i < n:
        j = i
        cls = unicodedata.bidirectional(text[i])
        if cls in ("EN", "AN"):
            while j < n:
                c = unicodedata.bidirectional(text[j])
                if c in ("EN", "AN", "ET") or (
                        c in ("CS", "ES") and j + 1 < n
                        and unicodedata.bidirectional(text[j + 1]) in ("EN", "AN")):
                    j += 1
                else:
                    break
            runs.append((True, text[i:j]))
        else:
            while j < n and unicodedata.bidirectional(text[j]) not in ("EN", "AN"):
                j += 1
            runs.append((False, text[i:j]))
        i = j
    return runs


class Shaper:
    """Turns model text into (font name, text in drawing order) segments, for one document.

    `overrides` collects, per font, the ToUnicode text of every private-use glyph code used.
    """

    def __init__(self, fonts: FontSet):
        self.fonts = fonts
        self.overrides: dict[str, dict[int, str]] = {}

    def segments(self, text: str, bold: bool = False, italic: bool = False,
                 max_width: float | None = None, size: float = 10) -> list[tuple[str, str]]:
        fs = self.fonts
        if fs.simple.issuperset(text):
            return [(fs.font(fs.primary, bold, italic), text)]
        text = text.translate(_WS_TABLE)
        if fs.simple.issuperset(text):  # only line breaks or tabs were in the way
            return [(fs.font(fs.primary, bold, italic), text)]
        out: list[tuple[str, str]] = []
        pos = 0
        for start, end in rtl_spans(text):
            self._ltr(text[pos:start], bold, italic, out)
            self._rtl_chunks(text[start:end], bold, italic, max_width, size, out)
            pos = end
        self._ltr(text[pos:], bold, italic, out)
        merged: list[tuple[str, str]] = []
        for font, t in out:
            if merged and merged[-1][0] == font:
                merged[-1] = (font, merged[-1][1] + t)
            elif t:
                merged.append((font, t))
        return merged

    def _font(self, ch: str, bold: bool, italic: bool, rtl: bool = False) -> str:
        fs = self.fonts
        return fs.font(fs.family_for(ch, rtl) or fs.primary, bold, italic)

    def _ltr(self, text: str, bold: bool, italic: bool, out: list) -> None:
        out.extend((self._font(ch, bold, italic), ch) for ch in text)

    def _rtl_chunks(self, span: str, bold, italic, max_width, size, out) -> None:
        """A right-to-left span, cut at spaces into chunks no wider than `max_width`.

        Each chunk is drawn as one unbreakable unit, so the words of a line always read right to
        left; only a span longer than a line is cut, and then its chunks fill successive lines.
        """
        words = span.split(" ")
        if (max_width is None or len(words) == 1
                or self._width(span, bold, italic, size) <= max_width):
            out.extend(self._rtl(span, bold, italic))
            return
        space = self._width(" ", bold, italic, size)
        chunk: list[str] = []
        width = 0.0
        for w in words:
            ww = self._width(w, bold, italic, size)
            if chunk and width + space + ww > max_width:
                out.extend(self._rtl(" ".join(chunk), bold, italic))
                out.append((self._font(" ", bold, italic), " "))
                chunk, width = [], 0.0
            width += (space if chunk else 0) + ww
            chunk.append(w)
        out.extend(self._rtl(" ".join(chunk), bold, italic))

    def _width(self, text: str, bold, italic, size) -> float:
        scale = self.fonts.scale
        return sum(pdfmetrics.stringWidth(t, f, size * scale.get(f, 1))
                   for f, t in self._rtl(text, bold, italic))

    def _rtl(self, span: str, bold: bool, italic: bool) -> list[tuple[str, str]]:
        """The span's segments in visual order; its spaces become no-break spaces."""
        runs: list[list[tuple[str, str]]] = []  # in logical order, each in visual order
        for is_number, run in _number_runs(span):
            pieces: list[tuple[str, str]] = []  # (font, text) in logical order
            for ch in run:
                font = self._font(ch, bold, italic, rtl=True)
                if pieces and pieces[-1][0] == font:
                    pieces[-1] = (font, pieces[-1][1] + ch)
                else:
                    pieces.append((font, ch))
            if is_number:  # digits read left to right inside right-to-left text
                runs.append(pieces)
            else:
                runs.append([(font, self._shape(font, t)) for font, t in reversed(pieces)])
        return [(font, t.replace(" ", "\xa0")) for run in reversed(runs) for font, t in run]

    def _shape(self, font: str, text: str) -> str:
        """HarfBuzz-shape `text` right-to-left; return glyph codes in visual order."""
        codes, tounicode = _shape_rtl(self.fonts, font, text)
        if tounicode:
            ov = self.overrides.setdefault(font, {})
            for code, src in tounicode:
                ov.setdefault(code, src)
        return codes


_WS_TABLE = {ord(c): " " for c in _SPACE_LIKE}
_SHAPE_CACHE: dict[tuple[str, str], tuple[str, tuple[tuple[int, str], ...]]] = {}


def _shape_rtl(fs: FontSet, font: str, text: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    """Shape with HarfBuzz; glyphs that are not some character's own glyph get a PUA code."""
    hit = _SHAPE_CACHE.get((font, text))
    if hit is not None:
        return hit
    face, hbf = fs.ttfont(font).face, fs.hb_font(font)
    buf = uharfbuzz.Buffer()
    buf.add_str(text)
    buf.direction = "rtl"
    buf.guess_segment_properties()
    buf.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
    uharfbuzz.shape(hbf, buf, {})
    infos = buf.glyph_infos
    starts = sorted({i.cluster for i in infos})  # cluster = offset of its first character
    ends = {s: (starts[k + 1] if k + 1 < len(starts) else len(text)) for k, s in enumerate(starts)}
    seen: set[int] = set()
    codes: list[str] = []
    tounicode: list[tuple[int, str]] = []
    scale = 1000 / face.unitsPerEm
    for info in infos:
        gid, cl = info.codepoint, info.cluster
        src = text[cl:ends[cl]] if cl not in seen else ""
        seen.add(cl)
        if len(src) == 1 and face.charToGlyph.get(ord(src)) == gid:
            codes.append(src)  # the character's own glyph: nothing to remap
            continue
        code = PUA_BASE + gid
        if code not in face.charToGlyph:
            face.charToGlyph[code] = gid
            face.glyphToChar.setdefault(gid, []).append(code)
            face.charWidths[code] = hbf.get_glyph_h_advance(gid) * scale
        codes.append(chr(code))
        tounicode.append((code, src or "\u200b"))
    if len(_SHAPE_CACHE) > 20000:
        _SHAPE_CACHE.clear()
    hit = _SHAPE_CACHE[(font, text)] = ("".join(codes), tuple(tounicode))
    return hit
