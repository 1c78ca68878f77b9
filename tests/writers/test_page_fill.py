"""No page is left more than half empty but the last: measured on the laid-out pages of every
bundled brief and the 2019-W50 weekly, in the PDF a reader gets."""

from __future__ import annotations

from pypdf import PdfReader

from conftest import text_lines

MM = 72 / 25.4
MARGIN = 24 * MM  # the page's text area: the PDF writer's margins (top and bottom)
MAX_EMPTY = 0.5


def empty_share(page) -> float:
    """The tallest band of the page's text area with no text in it, as a share of the area:
    between the foot of the area, the lines (each from its descent to its ascent) and the
    top of the area."""
    height = float(page.mediabox.height)
    top, bottom = height - MARGIN, MARGIN
    lines = sorted((y - 0.25 * size, y + 0.8 * size) for y, size, _ in text_lines(page)
                   if bottom - 1 < y < top)
    gaps, reached = [], bottom
    for low, high in lines + [(top, top)]:
        gaps.append(low - reached)
        reached = max(reached, high)
    return max(gaps) / (top - bottom)


def test_no_page_but_the_last_is_more_than_half_empty(bundled_pdfs):
    assert len(bundled_pdfs) == 12
    empty = {f"{path.stem} p.{n}": empty_share(page) for path in bundled_pdfs
             for n, page in enumerate(PdfReader(path).pages[:-1], 1)}
    assert max(empty.values()) > 0.05  # the measure sees the gaps between lines
    assert {page: f"{share:.0%}" for page, share in empty.items() if share > MAX_EMPTY} == {}


def test_the_measure_sees_a_half_empty_page(tmp_path):
    """A brief of one line, its sources and no grading key: most of its page is empty."""
    from dataclasses import replace

    from briefgen import resources
    from briefgen.writers.pdf.writer import render_pdf
    from conftest import sample_brief

    brief = sample_brief(lines=1)
    path = tmp_path / "short.pdf"
    path.write_bytes(render_pdf(replace(brief, blocks=brief.blocks[:3], annex=()),
                                resources.FONTS))
    page = PdfReader(path).pages[-1]
    assert empty_share(page) > 0.5


def test_each_source_of_the_list_stays_whole_on_its_page(bundled_pdfs):
    """An entry (label and heading, details, URL, the notes that quote it) is never parted
    between pages: its first and last lines are on one page."""
    import re

    entries = 0
    for path in bundled_pdfs:
        for n, page in enumerate(PdfReader(path).pages, 1):
            text = page.extract_text()
            heads = re.findall(r"^S\d+ ", text, re.M)
            assert len(heads) == len(re.findall(r"^Quoted in notes? ", text, re.M)), (path, n)
            entries += len(heads)
    assert entries > 12  # every brief lists its sources
