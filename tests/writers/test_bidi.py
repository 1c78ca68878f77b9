"""One right-to-left algorithm for both writers: the same spans for the same text."""

from __future__ import annotations

import pytest

from briefgen.writers.bidi import rtl_spans, segments
from briefgen.writers.docx.oxml.runs import Para, parse
from conftest import ARABIC, ROOT

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MIXED = [
    f"{ARABIC}, 28 Aug 2017. “to confront pressures”",
    "the LNA (الجيش الوطني) said on 12 May 2019 that 3 units moved",
    "تصريحات المتحدث (2019) and more",
    "قال في 2017",
    "Latin 42, عربي 7 عربي، and 2019 numbers",
    "2019 عام.",
]


def word_rtl_pieces(text: str) -> list[str]:
    """The texts of the runs the Word writer marks right-to-left."""
    p = parse(Para("Normal").add_text(text).xml())[0]
    return [r.find(f"{W}t").text for r in p.iter(f"{W}r") if r.find(f"{W}rPr/{W}rtl") is not None]


def pdf_rtl_pieces(text: str, monkeypatch) -> list[str]:
    """The spans the PDF writer shapes right to left (recorded as its shaper gets them)."""
    from briefgen.writers.pdf.fonts import load_fonts
    from briefgen.writers.pdf.shaping import Shaper

    seen: list[str] = []
    original = Shaper._rtl_chunks

    def record(self, span, *args):
        seen.append(span)
        return original(self, span, *args)

    monkeypatch.setattr(Shaper, "_rtl_chunks", record)
    Shaper(load_fonts(ROOT / "briefgen" / "resources" / "fonts")).segments(text)
    return seen


@pytest.mark.parametrize("text", MIXED)
def test_both_writers_find_the_same_right_to_left_spans(text, monkeypatch):
    spans = [text[a:b] for a, b in rtl_spans(text)]
    assert spans  # every sample has Arabic
    assert word_rtl_pieces(text) == spans
    assert pdf_rtl_pieces(text, monkeypatch) == spans


def test_spans_keep_numbers_and_punctuation_where_readers_expect_them():
    def rtl(text):
        return [t for t, is_rtl in segments(text) if is_rtl]

    assert segments("plain text") == [("plain text", False)]
    assert rtl("قال في 2017") == ["قال في 2017"]  # nothing Latin follows: the number is its
    assert rtl("in عام 2019 was") == ["عام"]  # Latin follows: the number goes with it
    assert rtl(f"{ARABIC}, 28 Aug 2017.") == [ARABIC]  # a field, then the date
    assert rtl("the LNA (الجيش الوطني) said") == ["الجيش الوطني"]
    assert rtl("عام 2019 في Latin") == ["عام 2019 في"]  # a number between Arabic words
    assert rtl("مركز المستقبل (2019)") == ["مركز المستقبل (2019)"]  # N0: the bracket pair
    assert rtl("2019 عام.") == ["عام"]


_PIECES = ["مركز", "المستقبل", "عام", "Haftar", "NATO", "2019", "28", "12.5", " ", " ", ", ",
           ". ", "(", ")", "“", "”", "—", "-", "، "]


def test_both_writers_agree_on_any_mix_of_arabic_latin_numbers_and_punctuation(monkeypatch):
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12))
    def check(pieces):
        text = "".join(pieces).strip() or "x"
        spans = [text[a:b] for a, b in rtl_spans(text)]
        assert word_rtl_pieces(text) == spans
        with monkeypatch.context() as m:
            assert pdf_rtl_pieces(text, m) == spans

    check()
