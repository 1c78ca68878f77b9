"""The PDF's page loop (pdf/flow.py with the notes frame): where blocks land, page by page."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

from briefgen.compose.model import Block, Run
from briefgen.errors import BuildError
from briefgen.writers.pdf.flow import Flowable, LayoutError, PageBreak, lay_out
from briefgen.writers.pdf.notes import NotesFrame
from briefgen.writers.pdf.writer import render_pdf
from conftest import one_cite, ROOT, sample_brief, worded

FONTS = ROOT / "briefgen" / "resources" / "fonts"


class Pages:
    """Where each block was drawn: {name: (page, y of its bottom)}; counts the pages."""

    def __init__(self):
        self.page, self.placed = 1, {}

    def showPage(self):
        self.page += 1


class Slab(Flowable):
    """A block of fixed height that records where it is drawn."""

    def __init__(self, name, height, before=0.0, after=0.0, keep=False):
        self.name, self.height = name, height
        self.space_before, self.space_after, self.keep_with_next = before, after, keep

    def wrap(self, width, height):
        return width, self.height

    def draw_on(self, canvas, x, y):
        canvas.placed[self.name] = (canvas.page, y)


def place(*blocks, height=100.0):
    pages = Pages()
    lay_out(list(blocks), NotesFrame(0, 0, 50, height), pages)
    return pages


def test_space_before_a_block_is_dropped_at_the_top_and_overlaps_the_space_after_the_one_above():
    pages = place(Slab("a", 10, before=20, after=5), Slab("b", 10, before=8, after=30),
                  Slab("c", 10, before=3))
    assert pages.placed == {"a": (1, 90), "b": (1, 72), "c": (1, 32)}
    assert pages.page == 2  # one page, shown


def test_a_block_that_does_not_fit_starts_the_next_page_without_its_space_before():
    pages = place(Slab("a", 60, after=10), Slab("b", 35, before=10))
    assert pages.placed == {"a": (1, 40), "b": (2, 65)}


def test_a_heading_goes_to_the_next_page_with_the_block_it_is_kept_with():
    pages = place(Slab("a", 60), Slab("heading", 10, keep=True), Slab("b", 35))
    assert pages.placed == {"a": (1, 40), "heading": (2, 90), "b": (2, 55)}
    # with room for both, they stay
    pages = place(Slab("a", 50), Slab("heading", 10, keep=True), Slab("b", 35))
    assert pages.placed == {"a": (1, 50), "heading": (1, 40), "b": (1, 5)}


def test_blocks_kept_together_but_taller_than_a_page_are_placed_one_by_one():
    pages = place(Slab("h1", 40, keep=True), Slab("h2", 40, keep=True), Slab("b", 40))
    assert pages.placed == {"h1": (1, 60), "h2": (1, 20), "b": (2, 60)}


def test_a_page_break_ends_the_page_and_no_empty_page_follows_the_last_block():
    pages = place(Slab("a", 10), PageBreak(), Slab("b", 10))
    assert pages.placed == {"a": (1, 90), "b": (2, 90)}
    assert pages.page == 3  # two pages shown


def test_the_annexs_page_break_keeps_the_page_when_more_than_its_share_is_free():
    pages = place(Slab("a", 55), PageBreak(room=0.4), Slab("b", 10))
    assert pages.placed == {"a": (1, 45), "b": (1, 35)}  # 45 % free: on the same page
    pages = place(Slab("a", 65), PageBreak(room=0.4), Slab("b", 10))
    assert pages.placed == {"a": (1, 35), "b": (2, 90)}  # 35 % free: on a new page
    pages = place(Slab("a", 100), PageBreak(room=0.4), Slab("b", 10))
    assert pages.placed == {"a": (1, 0), "b": (2, 90)} and pages.page == 3  # no empty page


class Sheet(Pages):
    """Pages that take a table's drawing (shading, rules) and record every block drawn,
    repeated ones too: [(name, page)]."""

    tags = None

    def __init__(self):
        super().__init__()
        self.drawn = []

    def __getattr__(self, name):  # saveState, translate, line, rect ...: nothing to record
        return lambda *args, **kwargs: None


class Cell(Slab):
    def draw_on(self, canvas, x, y):
        canvas.drawn.append((self.name, canvas.page))


def table(rows: int, height: float = 8.0, keep_together: bool = False):
    """A table of two columns: a header row, then `rows` rows, each cell `height` high (a row
    is that and its padding: 14)."""
    from briefgen.writers.pdf.table import Cell as TableCell, Colors, Row, Table

    def row(name, header=False):
        return Row([TableCell([Cell(f"{name}.{c}", height)]) for c in "ab"], None, header)
    return Table([row("head", True)] + [row(f"r{n}") for n in range(1, rows + 1)], (1, 1), 1,
                 Colors(None, None, None), keep_together=keep_together)


def test_a_long_table_splits_between_rows_and_repeats_its_header():
    sheet = Sheet()
    lay_out([Slab("a", 40), table(6)], NotesFrame(0, 0, 50, 100), sheet)
    pages = {}
    for name, page in sheet.drawn:
        pages.setdefault(name.split(".")[0], set()).add(page)
    # 60 left under "a": the header and three rows (56); the rest under the header again
    assert pages == {"head": {1, 2}, "r1": {1}, "r2": {1}, "r3": {1}, "r4": {2}, "r5": {2},
                     "r6": {2}}
    assert sum(1 for name, _ in sheet.drawn if name == "r1.a") == 1  # a row is drawn once


def test_a_table_kept_together_goes_to_the_next_page_whole_with_its_heading():
    sheet = Sheet()
    lay_out([Slab("a", 40), Slab("heading", 10, keep=True), table(4, keep_together=True)],
            NotesFrame(0, 0, 50, 100), sheet)
    assert sheet.placed["heading"][0] == 2  # 50 left; the table needs 70: all of it moves
    assert {page for _, page in sheet.drawn} == {2}
    sheet = Sheet()  # taller than a page: it splits all the same
    lay_out([table(9, keep_together=True)], NotesFrame(0, 0, 50, 100), sheet)
    assert {page for name, page in sheet.drawn if name == "head.a"} == {1, 2}


def test_a_heading_stays_with_a_tables_header_and_first_row_not_the_whole_table():
    heading = Slab("heading", 10, keep=True)
    sheet = Sheet()  # 40 left: the heading (10), the header and a row (28) fit
    lay_out([Slab("a", 60), heading, table(5)], NotesFrame(0, 0, 50, 100), sheet)
    assert sheet.placed["heading"][0] == 1 and ("r1.a", 1) in sheet.drawn
    assert ("r2.a", 2) in sheet.drawn
    sheet = Sheet()  # 35 left: not even the first row: the heading goes with the table
    lay_out([Slab("a", 65), Slab("heading", 10, keep=True), table(5)],
            NotesFrame(0, 0, 50, 100), sheet)
    assert sheet.placed["heading"][0] == 2 and ("head.a", 1) not in sheet.drawn


def test_a_block_taller_than_an_empty_page_is_a_layout_error_naming_it():
    tall = Slab("tall", 150)
    with pytest.raises(LayoutError) as caught:
        place(Slab("a", 10), tall)
    assert caught.value.block is tall


def test_on_an_empty_page_lines_with_long_notes_part_rather_than_fail_the_build():
    """Two lines whose notes together fill more than a page: one line per page, each with its
    note, although that leaves a line alone (normally two at least stay together)."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    from briefgen.writers.pdf.fonts import load_fonts
    from briefgen.writers.pdf.text import Piece, TextBlock

    fonts = load_fonts(FONTS)
    font = fonts.font(fonts.primary)

    class Recording(Canvas):
        placed: dict = {}

        @property
        def page(self):
            return self.getPageNumber()

    def word(text, note=None):
        return Piece(text, font, 8, None, 0, "#x" if note else None, note)

    first, second = Slab("note 1", 60), Slab("note 2", 60)
    block = TextBlock([word("aaaaaaaaaa"), word("1", first), word(" bbbbbbbbbb"),
                       word("2", second)], leading=10, size=8, notes=True)
    frame = NotesFrame(0, 0, 60, 100)
    assert block.split(60, 100, frame.room_for) == []  # by the usual rules nothing fits a page
    canvas = Recording(io.BytesIO())
    lay_out([block], frame, canvas)
    assert canvas.placed == {"note 1": (1, 0.0), "note 2": (2, 0.0)}  # at the foot


def test_a_line_whose_notes_fill_more_than_a_page_is_a_located_build_error():
    brief = sample_brief()
    nato = brief.sources[0]
    cites = tuple(one_cite(n, nato, "big-fact", nato.quotes[0].text * 3, "4 June 2013")
                  for n in range(1, 41))
    line = Block("bullet", (Run("A line that cites forty quotes."), *cites),
                 fact_ids=("big-fact",), origin="t.md.j2:6")
    with pytest.raises(BuildError) as caught:
        render_pdf(worded(replace(brief, blocks=(line,))), FONTS)
    assert str(caught.value) == (
        "t.md.j2:6: a line and its notes do not fit on one page of the PDF "
        "(hint: cite fewer or shorter quotes in that line)")


def test_a_template_line_citing_more_than_a_page_of_notes_fails_the_build_writing_nothing(
        cli, tmp_path):
    shutil.copytree(ROOT / "facts", tmp_path / "facts")
    sentences = [f"Sentence {n} of the long report says that the talks went on for many hours "
                 f"and that nothing was agreed by anyone on day {n} of the long meeting."
                 for n in range(90)]
    (tmp_path / "facts" / "sources" / "long.txt").write_text(" ".join(sentences) + "\n")
    quotes = "".join(f"      - {{source: long-report, quote: \"{s[:-1]}\"}}\n" for s in sentences)
    (tmp_path / "facts" / "long.yaml").write_text(
        "sources:\n  - {id: long-report, title: Long, publisher: Wire, published: 2019-12, "
        "file: sources/long.txt}\nfacts:\n  - id: long-fact\n    statement: Talks went on.\n"
        "    themes: [russian-motives]\n    date: 2019-12\n    credibility: 3\n"
        "    citations:\n" + quotes)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "theme.md.j2").write_text(
        "{% for t in themes %}\n## {{ t.title }}\n\n"
        "- All at once {% for f in t.facts %}{{ cite(f) }}{% endfor %}\n"
        "{% endfor %}\n")
    result = cli("build", "--theme", "russian-motives", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "error: templates/theme.md.j2:4: a line and its notes do not fit on one page of the "
        "PDF (hint: cite fewer or shorter quotes in that line)\n")
    assert not (tmp_path / "out").exists()


def test_rendering_a_pdf_does_not_import_platypus():
    """The page loop is briefgen's own: platypus's import alone costs a small build's PDF
    worker more than the rest of its imports together."""
    # a fresh interpreter: only there does sys.modules show what rendering loads
    code = ("import sys; sys.path.insert(0, 'tests'); from conftest import sample_brief; "
            "from briefgen.writers.pdf.writer import render_pdf; "
            "render_pdf(sample_brief(), 'briefgen/resources/fonts'); "
            "print(sorted(m for m in sys.modules if m.startswith('reportlab.platypus')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True, timeout=120)
    assert result.stdout.strip() == "[]"
