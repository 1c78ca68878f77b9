"""Notes at the foot of the page: a platypus frame that keeps room for the notes of its lines.

Each text block knows the notes its markers point to (`TextBlock.notes_of`). When the frame
places a block, it raises its own bottom by the height of the notes already on the page plus the
block's own, so a line and its note always share a page; a block split between pages takes its
notes with the lines that carry their markers. At the end of the page the notes are drawn at the
foot of the frame, under a short rule, in the order of their numbers.
"""

from __future__ import annotations

from reportlab.platypus.frames import Frame

RULE_GAP = 8.0  # between the text and the rule over the notes
RULE_SPACE = 4.0  # between the rule and the first note


class NotesFrame(Frame):
    """A frame whose foot holds the notes of the lines placed on it."""

    def __init__(self, *args, rule_color=None, **kw):
        self.rule_color = rule_color
        super().__init__(*args, **kw)

    def _reset(self):
        super()._reset()
        self.notes: list = []
        self.notes_h = 0.0

    def room_for(self, notes: list) -> float:
        """The height these notes would add to the foot of this page."""
        if not notes:
            return 0.0
        height = sum(n.wrap(self._aW, 1e6)[1] + n.getSpaceAfter() for n in notes)
        return height + (0.0 if self.notes else RULE_GAP + RULE_SPACE)

    def _add(self, flowable, canv, trySplit=0):
        notes = []
        if hasattr(flowable, "notes_of"):
            flowable.wrap(self._aW, 1e6)  # the lines, to know which markers are in it
            notes = flowable.notes_of(None)
        extra = self.room_for(notes)
        saved = self._y1p
        self._y1p = saved + self.notes_h + extra
        try:
            placed = super()._add(flowable, canv, trySplit)
        finally:
            self._y1p = saved
        if placed and notes:
            self.notes += notes
            self.notes_h += extra
        return placed

    add = _add  # reportlab's Frame binds `add` to its own `_add`

    def split(self, flowable, canv):
        # Blocks kept together (a heading and its first line) need room for their notes too,
        # or the heading stays at the foot of the page while its line moves on.
        notes = []
        for part in getattr(flowable, "_content", None) or ():
            if hasattr(part, "notes_of"):
                part.wrap(self._aW, 1e6)
                notes += part.notes_of(None)
        saved = self._y1p
        self._y1p = saved + self.notes_h + self.room_for(notes)
        try:
            return super().split(flowable, canv)
        finally:
            self._y1p = saved

    def draw_notes(self, canv, doc=None) -> None:
        """Draw this page's notes at the foot of the frame (a page-end callback)."""
        if not self.notes:
            return
        x = self._x1 + self._leftPadding
        y = self._y1 + self._bottomPadding + self.notes_h - RULE_GAP
        canv.saveState()
        if self.rule_color is not None:
            canv.setStrokeColor(self.rule_color)
        canv.setLineWidth(0.5)
        canv.line(x, y, x + self._aW * 0.3, y)
        canv.restoreState()
        y -= RULE_SPACE
        for note in self.notes:
            _, h = note.wrap(self._aW, 1e6)
            y -= h
            note.drawOn(canv, x, y)
            y -= note.getSpaceAfter()
        self.notes, self.notes_h = [], 0.0
