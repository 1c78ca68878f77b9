"""The frame of a PDF page: blocks placed top-down, the notes of their lines at its foot.

Each text block knows the notes its markers point to (`TextBlock.notes_of`). When the frame
places a block, it raises its own bottom by the height of the notes already on the page plus the
block's own, so a line and its note always share a page; a block split between pages takes its
notes with the lines that carry their markers. At the end of the page the notes are drawn at the
foot of the frame, under a short rule, in the order of their numbers.
"""

from __future__ import annotations

from briefgen.writers.pdf.flow import FUZZ
from briefgen.writers.pdf.tags import ARTIFACT, END

RULE_GAP = 8.0  # between the text and the rule over the notes
RULE_SPACE = 4.0  # between the rule and the first note
# The notes of a page take at most this share of its text area: a line whose note would pass
# it goes to the next page (unless the page has nothing yet), so notes never bury the text.
NOTES_SHARE = 0.38


class NotesFrame:
    """The text area of a page (`x`, `y`: its bottom left corner), notes at its foot."""

    def __init__(self, x: float, y: float, width: float, height: float, rule_color=None):
        # the width as reportlab's frames compute it, so that lines break at the same words
        self.x, self.bottom, self.width, self.top = x, y, (x + width) - x, y + height
        self.rule_color = rule_color
        self.reset()

    def reset(self) -> None:
        """An empty page."""
        self.y = self.top
        self.at_top = True
        self.prev_space = 0.0  # the space after the last block placed
        self.notes: list = []
        self.notes_h = 0.0

    def room_for(self, notes: list) -> float:
        """The height these notes would add to the foot of this page: more than the page has
        when they would take more than NOTES_SHARE of it (and the page has text already)."""
        if not notes:
            return 0.0
        height = sum(n.wrap(self.width, 1e6)[1] + n.space_after for n in notes)
        height += 0.0 if self.notes else RULE_GAP + RULE_SPACE
        if not self.at_top and self.notes_h + height > NOTES_SHARE * (self.top - self.bottom):
            return self.top - self.bottom + 1.0
        return height

    def _space_before(self, block) -> float:
        # dropped at the top of the page; overlaps the space after the block above
        return 0.0 if self.at_top else max(block.space_before - self.prev_space, 0.0)

    def _notes(self, block) -> list:
        if not getattr(block, "notes", False):
            return []
        block.wrap(self.width, 1e6)  # the lines, to know which markers are in it
        return block.notes_of(None)

    def add(self, block, canvas) -> bool:
        """Draw `block` at the current position if it fits with its notes; False if not."""
        notes = self._notes(block)
        extra = self.room_for(notes)
        bottom = self.bottom + self.notes_h + extra
        space = self._space_before(block)
        if self.y - bottom - space <= 0:
            return False
        _, h = block.wrap(self.width, self.y - bottom - space)
        y = self.y - (h + space)
        if y < bottom - FUZZ:
            return False
        block.draw_on(canvas, self.x, y)
        y -= block.space_after
        self.prev_space = block.space_after
        if y != self.y:
            self.at_top = False
        self.y = y
        if notes:
            self.notes += notes
            self.notes_h += extra
        return True

    def split(self, block) -> list:
        """`block` split to fill the rest of the page ([] if nothing of it fits)."""
        height = self.y - (self.bottom + self.notes_h) - self._space_before(block)
        if height <= 0:
            return []
        return block.split(self.width, height, self.room_for, self.at_top)

    def left(self) -> float:
        """The share of the text area still free above the notes."""
        return (self.y - self.bottom - self.notes_h) / (self.top - self.bottom)

    def fits_together(self, blocks: list) -> bool:
        """Whether these blocks, one under the other, fit in the rest of the page with their
        notes."""
        notes = [n for b in blocks for n in self._notes(b)]
        room = self.y - (self.bottom + self.notes_h + self.room_for(notes)) \
            - self._space_before(blocks[0])
        if room <= 0:
            return False
        height, after, first = 0.0, 0.0, True
        for i, b in enumerate(blocks):
            _, h = b.wrap(self.width, 0xFFFFFFF)
            if i == len(blocks) - 1 and hasattr(b, "least_height"):
                h = b.least_height(self.width)  # a table: the rest may go to the next page
            if h <= FUZZ:
                continue
            height += h
            if not first:
                height += max(b.space_before - after, 0.0)
            first, after = False, b.space_after
            height += after
        return height - after <= room

    def draw_notes(self, canvas) -> None:
        """Draw this page's notes at the foot of the frame (at the end of the page)."""
        if not self.notes:
            return
        x = self.x
        y = self.bottom + self.notes_h - RULE_GAP
        tagged = getattr(canvas, "tags", None) is not None
        if tagged:
            canvas.addLiteral(ARTIFACT)
        canvas.saveState()
        if self.rule_color is not None:
            canvas.setStrokeColor(self.rule_color)
        canvas.setLineWidth(0.5)
        canvas.line(x, y, x + self.width * 0.3, y)
        canvas.restoreState()
        if tagged:
            canvas.addLiteral(END)
        y -= RULE_SPACE
        for note in self.notes:
            _, h = note.wrap(self.width, 1e6)
            y -= h
            note.draw_on(canvas, x, y)
            y -= note.space_after
        self.notes, self.notes_h = [], 0.0
