"""reportlab's TrueType fonts: the subset split, the ToUnicode map and the glyph widths that the
PDF writer (writers/pdf/fonts.py, shaping.py) reaches into are reportlab's own."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from briefgen.writers.pdf.writer import render_pdf
from conftest import ARABIC, ROOT, sample_brief

FONTS = ROOT / "briefgen" / "resources" / "fonts"


_MANY = "".join(map(chr, [*range(0x100, 0x17f), *range(0x400, 0x4ff)]))  # > 256: two subsets
_TEXTS = st.text(st.sampled_from(
    "abcdefghij ABC.,;:'’“”—–…\xa0éüßĦħŒœ€ƒ™" + ARABIC + "\u0300\u2212\u4e00\U0001f600" + _MANY),
    max_size=60)


@pytest.fixture(scope="module")
def split_fonts():
    """The bundled body font twice: as briefgen loads it, and as reportlab's own TTFont."""
    from reportlab.pdfbase import ttfonts

    from briefgen.writers.pdf.fonts import _TTFont

    path = str(FONTS / "NotoSans-Regular.ttf")
    return _TTFont("split_ours", path), ttfonts.TTFont("split_theirs", path)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(_TEXTS, min_size=1, max_size=12),
       calls=st.lists(st.tuples(st.sampled_from([0, 1]), st.integers(0, 11)), max_size=30))
@example(texts=[_MANY, "a\xa0b c", ARABIC + " é"], calls=[(0, 0), (1, 1), (0, 1), (0, 2), (0, 0)])
def test_split_string_fast_path_splits_as_reportlab(split_fonts, texts, calls):
    """`_TTFont.splitString` gives, call after call, what reportlab's `TTFont.splitString`
    gives: the same (subset, bytes) chunks, for text drawn before (the fast path) and new
    text, in two documents drawn in turn, over subset boundaries (more than 256 characters),
    for characters the font lacks and for no-break spaces."""
    from reportlab.pdfbase import pdfdoc

    ours, theirs = split_fonts
    docs = [(pdfdoc.PDFDocument(), pdfdoc.PDFDocument()) for _ in range(2)]
    for doc, n in calls:
        text = texts[n % len(texts)]
        mine, reference = docs[doc]
        for _ in range(2):  # the second time, every character has its code: the fast path
            assert ours.splitString(text, mine) == theirs.splitString(text, reference)


def _cmap_entries(cmap: str) -> tuple[str, dict[int, str]]:
    """A ToUnicode CMap's code space and its code -> text entries (UTF-16BE hex decoded)."""
    lines = cmap.splitlines()
    space = lines[lines.index("1 begincodespacerange") + 1]
    entries = {}
    for line in lines[lines.index("endcodespacerange"):]:
        pair = re.fullmatch(r"<([0-9A-F]{2})> <([0-9A-F]+)>", line)
        if pair and len(pair[2]) % 4:  # reportlab writes a code past U+FFFF as it is
            entries[int(pair[1], 16)] = chr(int(pair[2], 16))
        elif pair:
            entries[int(pair[1], 16)] = bytes.fromhex(pair[2]).decode("utf-16-be")
    return space, entries


@pytest.mark.parametrize("size", [1, 99, 100, 101, 256])
def test_tounicode_cmap_maps_every_code_as_reportlabs(size):
    """`to_unicode_cmap` (which `_TTFont.addObjects` puts in place of reportlab's
    `makeToUnicodeCMap` while it writes a font) maps each code of a subset to the same
    character; it writes blocks of at most 100 entries, as the PDF format asks, and sends a
    shaped glyph's private-use code back to the text it was shaped from."""
    from reportlab.pdfbase import ttfonts

    from briefgen.writers.pdf.fonts import PUA_BASE, to_unicode_cmap

    subset = [0, 32, *range(0x41, 0x5b), 0xe9, 0x126, 0x2014, 0x201c, 0x627, 0xfb50,
              *range(0x400, 0x4ff)][:size]
    ours = to_unicode_cmap("AAAAAA+NotoSans", subset, {})
    assert _cmap_entries(ours) == _cmap_entries(ttfonts.makeToUnicodeCMap("AAAAAA+NotoSans",
                                                                          subset))
    assert all(int(line.split()[0]) <= 100 for line in ours.splitlines()
               if line.endswith("beginbfchar"))
    shaped = to_unicode_cmap("AAAAAA+NotoSans", [*subset[:-1], PUA_BASE + 7], {PUA_BASE + 7: "لا"})
    assert _cmap_entries(shaped)[1][len(subset) - 1] == "لا"


def _tounicode_maps(pdf: bytes) -> dict[str, dict[int, str]]:
    reader = PdfReader(io.BytesIO(pdf))
    out = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
            out[font["/BaseFont"]] = _cmap_entries(cmap)[1]
    return out


def test_the_tounicode_override_changes_only_the_codes_of_shaped_glyphs(monkeypatch):
    """A whole document: reportlab's own `addObjects` and the override write the same map for
    every code but the private-use codes of shaped Arabic glyphs, which reportlab would map
    to those meaningless private-use characters; and reportlab's function is put back."""
    from reportlab.pdfbase import ttfonts

    from briefgen.writers.pdf import fonts

    original = ttfonts.makeToUnicodeCMap
    shipped = _tounicode_maps(render_pdf(sample_brief(), FONTS))
    assert ttfonts.makeToUnicodeCMap is original
    monkeypatch.setattr(fonts._TTFont, "addObjects", ttfonts.TTFont.addObjects)
    plain = _tounicode_maps(render_pdf(sample_brief(), FONTS))
    assert shipped.keys() == plain.keys()
    shaped = 0
    for name, entries in shipped.items():
        for code, text in entries.items():
            if ord(plain[name][code][0]) >= fonts.PUA_BASE:
                shaped += 1
                assert ARABIC.find(text) >= 0 or text == "\u200b"
            else:
                assert text == plain[name][code], (name, code)
    assert shaped > 5


def test_shaped_glyphs_have_reportlabs_widths():
    """Shaping gives each glyph without a character of its own a private-use code, and writes
    its width into reportlab's font face: the width reportlab gives that glyph (HarfBuzz's
    advances are the font's horizontal metrics that reportlab reads, glyph for glyph)."""
    from briefgen.writers.pdf.fonts import PUA_BASE, load_fonts
    from briefgen.writers.pdf.shaping import Shaper

    fonts = load_fonts(FONTS)
    Shaper(fonts).segments(f"{ARABIC} (لا إله) «٣»", bold=False)
    Shaper(fonts).segments(ARABIC, bold=True)
    shaped = 0
    for bold in (False, True):
        name = fonts.font(fonts.arabic, bold=bold)
        face, hb = fonts.ttfont(name).face, fonts.hb_font(name)
        assert [hb.get_glyph_h_advance(gid) for gid in range(len(face.hmetrics))] == \
            [advance for advance, _ in face.hmetrics]
        for code, gid in face.charToGlyph.items():
            if code >= PUA_BASE:
                shaped += 1
                assert face.charWidths[code] == face._pdfScale(face.hmetrics[gid][0])
    assert shaped > 10
