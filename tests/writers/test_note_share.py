"""Notes serve the text instead of burying it: measured on the laid-out pages of every
bundled brief and the 2019-W50 weekly, in the PDF a reader gets."""

from __future__ import annotations

import re

from pypdf import PdfReader

from conftest import text_lines

MM = 72 / 25.4
MARGIN = 24 * MM  # the page's text area: the PDF writer's margins (top and bottom)
NOTE_SIZE, BODY_MIN = 8.0, 9.0  # notes are set in 8 pt; body lines in 9.5 pt and more
MAX_SHARE = 0.40


def note_share(page) -> float:
    """How much of the page's text area the notes at its foot take (0: none)."""
    height = float(page.mediabox.height)
    top, bottom = height - MARGIN, MARGIN
    lines = [line for line in text_lines(page) if bottom - 1 < line[0] < top]
    body = [y for y, size, _ in lines if size >= BODY_MIN]
    notes = [y for y, size, _ in lines if abs(size - NOTE_SIZE) < 0.15
             and y < min(body, default=top)]
    if not notes:
        return 0.0
    return (max(notes) + NOTE_SIZE - min(notes)) / (top - bottom)


def body_pages(path) -> list:
    """The pages before the Sources annex (the annex has no notes)."""
    pages = PdfReader(path).pages
    for n, page in enumerate(pages):
        if re.match(r"\s*Sources\b", page.extract_text()):
            return pages[:n]
    return pages


def test_notes_take_at_most_40_percent_of_any_page(bundled_pdfs):
    bundled = bundled_pdfs
    assert len(bundled) == 12
    shares = {f"{path.stem} p.{n}": note_share(page) for path in bundled
              for n, page in enumerate(body_pages(path), 1)}
    assert max(shares.values()) > 0.05  # the measure sees notes at all
    assert {page: f"{share:.0%}" for page, share in shares.items() if share > MAX_SHARE} == {}


def test_the_measure_sees_a_page_of_notes(tmp_path):
    """A line citing fifteen long quotes, alone on its page: its note fills most of it."""
    from dataclasses import replace

    from briefgen import resources
    from briefgen.compose.model import Block, Citation, Cite, Run
    from briefgen.writers.pdf.writer import render_pdf
    from conftest import sample_brief, worded

    brief = sample_brief()
    nato = brief.sources[0]
    cite = Cite(1, tuple(Citation(nato, f"fact-{n}", f"{n} {nato.quotes[0].text * 3}", "2013")
                         for n in range(15)))
    line = Block("bullet", (Run("A line that cites fifteen long quotes."), cite),
                 fact_ids=("fact-0",))
    path = tmp_path / "notes.pdf"
    path.write_bytes(render_pdf(worded(replace(brief, blocks=(line,))), resources.FONTS))
    assert max(note_share(page) for page in body_pages(path)) > 0.5
