"""Tables of the PDF: rows of cells laid out in columns, each row kept whole on its page.

A table that does not fit the rest of a page splits between two rows; the part on the next
page starts with the table's header rows again. Those repeated rows are drawn as artifacts: a
screen reader meets the header once, in the structure tree (Table, TR, TH, TD), where the
story put it. Shading and rules are artifacts too.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

from briefgen.writers.pdf.flow import FUZZ, Flowable
from briefgen.writers.pdf.tags import ARTIFACT, END

PAD_X, PAD_Y = 4.0, 3.0  # inside each cell
PARAGRAPH_GAP = 2.0  # between two paragraphs of one cell


class Cell(NamedTuple):
    """A cell's paragraphs (`text.TextBlock`s, each tagged) and its TH/TD element."""

    blocks: list
    tag: object = None


class Row(NamedTuple):
    """A row's cells and its TR element; `header`: a header row (shaded, ruled under)."""

    cells: list[Cell]
    tag: object = None
    header: bool = False


class Colors(NamedTuple):
    """What a table draws besides its text: the header's ground, the rule under the header
    and the rules between rows."""

    shade: object
    head_rule: object
    rule: object


class Table(Flowable):
    """Rows of cells in columns of `weights` (shares of the frame's width).

    `header_rows`: how many of the first rows are its header (repeated when it splits);
    `repeated`: whether those rows here are a repetition, drawn as artifacts; `keep_together`:
    the table splits only if it does not fit on an empty page.
    """

    def __init__(self, rows: list[Row], weights, header_rows: int, colors: Colors, *,
                 space_before: float = 0.0, space_after: float = 0.0, who: str = "",
                 repeated: bool = False, keep_together: bool = False):
        self.rows, self.weights, self.header_rows = rows, tuple(weights), header_rows
        self.keep_together = keep_together
        self.colors, self.who, self.repeated = colors, who, repeated
        self.space_before, self.space_after = space_before, space_after
        self._width = None
        self.heights: list[float] = []

    def wrap(self, width, height):
        if width != self._width:
            total = sum(self.weights) or 1.0
            self.columns = [width * w / total for w in self.weights]
            self.heights = [self._row_height(row) for row in self.rows]
            self._width = width
        self.width, self.height = width, sum(self.heights)
        return self.width, self.height

    def _row_height(self, row: Row) -> float:
        tallest = 0.0
        for cell, column in zip(row.cells, self.columns, strict=True):
            h = sum(b.wrap(column - 2 * PAD_X, 1e6)[1] for b in cell.blocks)
            tallest = max(tallest, h + PARAGRAPH_GAP * max(len(cell.blocks) - 1, 0))
        return tallest + 2 * PAD_Y

    def least_height(self, width: float) -> float:
        """The height of the least part that may end a page: the header and one row (all of
        a table kept together)."""
        self.wrap(width, 0)
        return sum(self.heights if self.keep_together else self.heights[:self.header_rows + 1])

    def split(self, width, height, room=None, at_top=False):
        """The rows that fit in `height` and the rest under the header again; [] if no row
        below the header fits."""
        self.wrap(width, height)
        head = self.header_rows
        used, n = sum(self.heights[:head]), head
        while n < len(self.rows) and used + self.heights[n] <= height + FUZZ:
            used += self.heights[n]
            n += 1
        if n == len(self.rows):
            return [self]
        if n == head or self.keep_together and not at_top:
            return []
        first = Table(self.rows[:n], self.weights, head, self.colors, who=self.who,
                      space_before=self.space_before, repeated=self.repeated)
        again = [Row([Cell([_untagged(b) for b in c.blocks]) for c in r.cells], None, True)
                 for r in self.rows[:head]]
        rest = Table(again + self.rows[n:], self.weights, head, self.colors, who=self.who,
                     space_after=self.space_after, repeated=True)
        return [first, rest]

    def draw(self, canvas):
        tags = getattr(canvas, "tags", None)
        y = self.height
        for i, (row, h) in enumerate(zip(self.rows, self.heights, strict=True)):
            y -= h
            self._ground(canvas, row, y, h, i, tags is not None)
            artifact = tags is not None and row.tag is None
            if artifact:
                canvas.addLiteral(ARTIFACT)
            x = 0.0
            for cell, column in zip(row.cells, self.columns, strict=True):
                top = y + h - PAD_Y
                if not cell.blocks and tags is not None and cell.tag is not None:
                    canvas.addLiteral(tags.mark(cell.tag))  # an empty cell keeps its place
                    canvas.addLiteral(END)
                for block in cell.blocks:
                    top -= block.height
                    block.draw_on(canvas, x + PAD_X, top)
                    top -= PARAGRAPH_GAP
                x += column
            if artifact:
                canvas.addLiteral(END)

    def _ground(self, canvas, row: Row, y: float, h: float, index: int, tagged: bool) -> None:
        """The row's shading (a header row) and the rule under it, as an artifact."""
        colors = self.colors
        if tagged:
            canvas.addLiteral(ARTIFACT)
        canvas.saveState()
        if row.header:
            canvas.setFillColor(colors.shade)
            canvas.rect(0, y, self.width, h, stroke=0, fill=1)
        last_header = row.header and (index + 1 == len(self.rows)
                                      or not self.rows[index + 1].header)
        canvas.setStrokeColor(colors.head_rule if last_header else colors.rule)
        canvas.setLineWidth(0.8 if last_header else 0.4)
        canvas.line(0, y, self.width, y)
        canvas.restoreState()
        if tagged:
            canvas.addLiteral(END)


def _untagged(block):
    """A copy of a cell's paragraph drawn without structure (a repeated header)."""
    again = copy.copy(block)
    again.tag = again.label = None
    return again
