"""Line breaking and page splitting of the PDF's text blocks (pdf_text), on reportlab metrics."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from briefgen.writers.pdf.text import (Piece, TextBlock, break_lines, line_runs, text_width,
                                       words_of)

BODY = Piece("", "Helvetica", 10, None)
WORDS = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz.,’é\xa0", min_size=1, max_size=30),
                 min_size=1, max_size=60)


def pieces(text: str, link: str | None = None) -> list[Piece]:
    return [BODY._replace(text=text, link=link)]


def line_text(line) -> str:
    return "".join(text for _, text, _ in line_runs(line))


@given(WORDS, st.sampled_from([40.0, 120.0, 400.0]), st.sampled_from([" ", "  ", "\n"]))
def test_lines_keep_every_word_in_order_and_fit_the_measure(words, measure, sep):
    lines = break_lines(words_of(pieces(sep.join(words))), measure, measure)
    texts = [line_text(ln) for ln, _ in lines]
    flat = [w for w in " ".join(words).split(" ") if w]
    assert "".join(texts).replace(" ", "") == "".join(flat)
    words_on_lines = {w for t in texts for w in t.split(" ")}
    for word in flat:
        if text_width(word, "Helvetica", 10) <= measure:
            assert word in words_on_lines  # only words wider than a line are cut
    for (_line, width), text in zip(lines, texts, strict=True):
        assert abs(width - text_width(text, "Helvetica", 10)) < 1e-6
        # a line may overflow only when it is a single character wider than the measure
        assert width <= measure + 1e-6 or len(text) == 1


def test_a_word_longer_than_a_line_is_cut_and_fills_the_line_it_starts_on():
    url = "https://example.org/" + "a-very-long-path/" * 12
    lines = break_lines(words_of(pieces("URL: " + url)), 200, 200)
    texts = [line_text(ln) for ln, _ in lines]
    assert texts[0].startswith("URL: https://")
    assert "".join(texts) == "URL: " + url
    assert all(w <= 200 for _, w in lines) and len(lines) > 3


def test_no_break_spaces_hold_words_together():
    lines = break_lines(words_of(pieces("aaaa bbbb\xa0cccc")), text_width("aaaa bbbb", "Helvetica",
                                                                          10) + 1, 1000)
    assert [line_text(ln) for ln, _ in lines] == ["aaaa", "bbbb\xa0cccc"]


def test_a_space_stays_in_the_piece_it_was_typed_in():
    bold = Piece("", "Helvetica-Bold", 10, None)
    line, _ = break_lines(words_of([bold._replace(text="Bold"), BODY._replace(text=" · x")]),
                          500, 500)[0]
    assert [(p.font, t) for p, t, _ in line_runs(line)] == [("Helvetica-Bold", "Bold"),
                                                          ("Helvetica", " · x")]


def test_split_leaves_at_least_two_lines_on_each_page():
    block = TextBlock(pieces("word " * 400), leading=10, size=8)
    _, height = block.wrap(100, 10_000)
    n = int(height / 10)
    assert n > 10
    assert block.split(100, 15) == []  # one line would be left alone at the foot of the page
    head, tail = block.split(100, 25)
    assert (len(head._lines), len(tail._lines)) == (2, n - 2)
    head, tail = block.split(100, 10 * (n - 1))  # one line would be left alone on the next page
    assert (len(head._lines), len(tail._lines)) == (n - 2, 2)
    assert tail.space_before == 0 and tail.bullet is None


def test_a_raised_citation_marker_does_not_raise_the_text_after_it():
    """Text rise is graphics state that outlives ET: a block ending in a superscript marker
    must set it back, or the next block would be drawn raised."""
    import io
    import re

    from pypdf import PdfReader

    from briefgen.writers.pdf.writer import render_pdf
    from conftest import ROOT, sample_brief

    reader = PdfReader(io.BytesIO(render_pdf(sample_brief(), ROOT / "briefgen" / "resources" / "fonts")))
    stream = reader.pages[0].get_contents().get_data().decode("latin-1")
    blocks = re.findall(r"BT (.*?) ET", stream, re.S)
    raised = [b for b in blocks if re.search(r"(?<![\d.])[1-9][\d.]* Ts", b)]
    assert raised  # the sample's bullets end with superscript markers
    for block in raised:
        assert re.findall(r"(-?[\d.]+) Ts", block)[-1] == "0"
