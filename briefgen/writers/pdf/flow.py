"""The page loop of the PDF writer: blocks placed top-down, kept with the next, split, broken.

reportlab's platypus does this job in general (any frames, templates, tables, paragraphs), but
importing it costs more than all the rest of the PDF writer's imports together (it compiles
its paragraph parser's patterns), on the critical path of a small build: rendering a PDF never
imports it (tests/writers/test_pdf_flow.py; bench/README.md has the cost). A brief needs one
frame per page and three rules, kept here; placing is done as platypus does it, so the same
blocks give the same pages:
- space before a block is dropped at the top of a page, and overlaps the space after the block
  above it (the larger of the two is kept);
- a block that does not fit is split, or goes to the next page whole;
- blocks kept with the next one (headings) go to the next page together with it when the group
  does not fit, unless the page is still empty (then they are placed one by one); a table at
  the end of the group needs room for its header and first row only (the rest may follow on
  the next page).
"""

from __future__ import annotations

from briefgen.writers.pdf.tags import ARTIFACT, END

FUZZ = 1e-6  # rounding slack when comparing heights


class Flowable:
    """Something placed on a page: it wraps to a width, may split, and draws at a point."""

    space_before = 0.0
    space_after = 0.0
    keep_with_next = False
    who = ""  # where messages point: "templates/theme.md.j2:12:", "[fact-id]" or "[source-id]"

    def wrap(self, width: float, height: float) -> tuple[float, float]:
        raise NotImplementedError

    def split(self, width: float, height: float, room=None, at_top: bool = False) -> list:
        """Parts of this block, the first fitting in `height` (with `room(notes)` for its notes
        at the foot of the page, `at_top` on an empty page); [] if nothing useful fits."""
        return []

    def notes_of(self, count: int | None) -> list:
        return []

    def draw(self, canvas) -> None:
        raise NotImplementedError

    def draw_on(self, canvas, x: float, y: float) -> None:
        canvas.saveState()
        canvas.translate(x, y)
        self.draw(canvas)
        canvas.restoreState()


class PageBreak(Flowable):
    """The rest of the page stays empty; with `room`, only if no more than that share of the
    page's text area is left (the annex: on a new page, or on this one if more than half of
    it is still free)."""

    def __init__(self, room: float = 0.0):
        self.room = room


class Rule(Flowable):
    """A horizontal line across the frame: an artifact in a tagged PDF."""

    def __init__(self, thickness: float, color, space_before: float, space_after: float):
        self.thickness, self.color = thickness, color
        self.space_before, self.space_after = space_before, space_after
        self.width = 0.0

    def wrap(self, width, height):
        self.width = width
        return width, self.thickness

    def draw(self, canvas):
        tagged = getattr(canvas, "tags", None) is not None
        if tagged:
            canvas.addLiteral(ARTIFACT)
        canvas.saveState()
        canvas.setLineWidth(self.thickness)
        canvas.setLineCap(1)
        canvas.setStrokeColor(self.color)
        canvas.line(0, 0, self.width, 0)
        canvas.restoreState()
        if tagged:
            canvas.addLiteral(END)


class Picture(Flowable):
    """An image (`reportlab.lib.utils.ImageReader`) at a given size, at the left; in a tagged
    PDF, the content of its Figure element `tag`, or an artifact without one."""

    def __init__(self, image, width: float, height: float, space_after: float = 0.0, tag=None):
        self.image, self.width, self.height = image, width, height
        self.space_after, self.tag = space_after, tag

    def wrap(self, width, height):
        return self.width, self.height

    def draw(self, canvas):
        tags = getattr(canvas, "tags", None)
        if tags is not None:
            canvas.addLiteral(tags.mark(self.tag) if self.tag is not None else ARTIFACT)
        canvas.drawImage(self.image, 0, 0, self.width, self.height, mask="auto")
        if tags is not None:
            canvas.addLiteral(END)


class LayoutError(Exception):
    """A block that does not fit on an empty page; `block` is the block."""

    def __init__(self, block: Flowable):
        super().__init__("a block does not fit on an empty page")
        self.block = block


def lay_out(flowables: list[Flowable], frame, canvas) -> None:
    """Place `flowables` in `frame`, page after page, drawing on `canvas`."""
    todo = flowables[::-1]  # the next block is todo[-1]
    page_open = False
    while todo:
        f = todo.pop()
        if not page_open:
            frame.reset()
            page_open = True
        if isinstance(f, PageBreak):
            if not (f.room and frame.left() > f.room):
                page_open = _end_page(frame, canvas)
            continue
        if f.keep_with_next:
            group = [f]
            while group[-1].keep_with_next and todo and not isinstance(todo[-1], PageBreak):
                group.append(todo.pop())
            for g in group:  # tried together once; then placed (or split) one by one
                g.keep_with_next = False
            if not frame.at_top and not frame.fits_together(group):
                page_open = _end_page(frame, canvas)
            todo += group[::-1]
            continue
        if frame.add(f, canvas):
            continue
        parts = frame.split(f)
        if parts:
            if not frame.add(parts[0], canvas):
                raise LayoutError(parts[0])
            todo += parts[:0:-1]
        elif frame.at_top:
            raise LayoutError(f)
        else:
            page_open = _end_page(frame, canvas)
            todo.append(f)
    if page_open:
        _end_page(frame, canvas)


def _end_page(frame, canvas) -> bool:
    frame.draw_notes(canvas)
    canvas.showPage()
    return False
