"""Text to (font, text in drawing order) segments for the PDF: font fallback and Arabic shaping.

Each right-to-left span of a line (`writers.bidi`, the spans the Word writer marks too) is shaped
with HarfBuzz and turned into code points in visual order; glyphs without a code point of their
own get a private-use code (`fonts.PUA_BASE` + glyph id) that the font's ToUnicode map sends back
to the characters they were shaped from, so the text stays searchable and extractable.
"""

from __future__ import annotations

import unicodedata

import uharfbuzz
from reportlab.pdfbase import pdfmetrics

from briefgen.writers.bidi import rtl_spans
from briefgen.writers.pdf.coverage import SPACE_LIKE
from briefgen.writers.pdf.fonts import PUA_BASE, FontSet


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
        # Text that needs fallback or shaping, by (text, bold, italic, max_width, size): it is
        # shaped once per document, though it recurs (an Arabic publisher's name is in every
        # note citing it).
        self._segments: dict[tuple, list[tuple[str, str]]] = {}

    def segments(self, text: str, bold: bool = False, italic: bool = False,
                 max_width: float | None = None, size: float = 10) -> list[tuple[str, str]]:
        fs = self.fonts
        if fs.simple.issuperset(text):
            return [(fs.font(fs.primary, bold, italic), text)]
        text = text.translate(_WS_TABLE)
        if fs.simple.issuperset(text):  # only line breaks or tabs were in the way
            return [(fs.font(fs.primary, bold, italic), text)]
        key = (text, bold, italic, max_width, size)
        done = self._segments.get(key)
        if done is None:
            done = self._segments[key] = self._segments_of(text, bold, italic, max_width, size)
        return list(done)

    def _segments_of(self, text: str, bold: bool, italic: bool, max_width: float | None,
                     size: float) -> list[tuple[str, str]]:
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

    def logical(self, drawn: list[tuple[str, str]]) -> str:
        """The text that right-to-left (font, text) segments, drawn one after the other, were
        shaped from, in reading order: what a screen reader says for them (/ActualText)."""
        units: list[str] = []  # per glyph drawn, the characters it stands for
        for font, text in drawn:
            shaped = self.overrides.get(font, {})
            units += [shaped.get(ord(ch), ch) for ch in text]
        text = "".join(reversed(units)).replace("\xa0", " ").replace("\u200b", "")
        # numbers were drawn left to right: reversed with the rest, they are turned back
        return "".join(run[::-1] if number else run for number, run in _number_runs(text))

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


_WS_TABLE = {ord(c): " " for c in SPACE_LIKE}
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
