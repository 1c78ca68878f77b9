"""Body text of the PDF: a block that lays out pieces of literal text itself.

reportlab's `Paragraph` parses markup, clones a fragment per word and draws word by word; a
brief needs none of that. `TextBlock` takes pieces of text that are already in their font,
breaks lines greedily from cached word widths, and draws the block as one text object with one
string per run of like text. Text is never parsed, so `<`, `&` and `{{ }}` print literally.
Lines break only at plain spaces: no-break spaces keep right-to-left chunks whole.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from briefgen.writers.pdf.flow import Flowable
from briefgen.writers.pdf.tags import ARTIFACT, END

# (font, size) -> text -> width: one small key per piece, then the bare word per word
_FACES: dict[tuple[str, float], dict[str, float]] = {}
_BREAKS = str.maketrans("\t\n\r", "   ")


class Piece(NamedTuple):
    """Literal text in one font, size and colour; `link` is "#destination" or a URL; a
    citation marker's `note` is the note (a TextBlock) printed at the foot of its page."""

    text: str
    font: str
    size: float
    color: object
    rise: float = 0
    link: str | None = None
    note: object = None


class Bullet(NamedTuple):
    """What hangs in the margin of a block's first line: "•" or a source number."""

    text: str
    font: str
    size: float
    color: object
    indent: float


class Box(NamedTuple):
    """A block set apart: a rule down its left edge, on a shaded ground if `shade` is set."""

    rule: object
    shade: object = None
    width: float = 2.5


def text_width(text: str, font: str, size: float) -> float:
    """`stringWidth`, remembered: most words of a brief recur."""
    widths = _FACES.get((font, size))
    if widths is None:
        widths = _FACES[font, size] = {}
    w = widths.get(text)
    if w is None:
        w = widths[text] = stringWidth(text, font, size)
    return w


def forget_widths() -> None:
    """Empty the width cache: a font may be registered anew under an old name between PDFs."""
    _FACES.clear()


# A word is [width, [(piece, text, width), ...], width of the space after it, the space's piece].
# The space keeps the piece it was typed in, so text extracts as written ("عربي · Latin").


def words_of(pieces: list[Piece]) -> list[list]:
    """Cut the pieces into words at plain spaces; a word may span pieces ("fact[3]")."""
    out: list[list] = []
    parts: list[tuple[Piece, str, float]] = []
    width = 0.0
    faces = _FACES  # text_width, inlined: this loop visits every word of the brief
    for p in pieces:
        text, font, size = p.text, p.font, p.size
        if "\n" in text or "\t" in text or "\r" in text:
            text = text.translate(_BREAKS)
        widths = faces.get((font, size))
        if widths is None:
            widths = faces[font, size] = {}
        chunks = text.split(" ")
        first = chunks[0]  # goes on with the word before it, if any
        if first:
            w = widths.get(first)
            if w is None:
                w = widths[first] = stringWidth(first, font, size)
            parts.append((p, first, w))
            width += w
        if len(chunks) == 1:
            continue
        space = widths.get(" ")
        if space is None:
            space = widths[" "] = stringWidth(" ", font, size)
        for chunk in chunks[1:]:
            if parts:
                out.append([width, parts, space, p])
                parts, width = [], 0.0
            if chunk:
                w = widths.get(chunk)
                if w is None:
                    w = widths[chunk] = stringWidth(chunk, font, size)
                parts.append((p, chunk, w))
                width = w
    if parts:
        out.append([width, parts, 0.0, None])
    return out


def _cut(word: list, first: float, rest: float) -> list[list]:
    """A word wider than a line, cut between characters: the first part fits `first`."""
    out, parts, width, limit = [], [], 0.0, first
    for p, text, _ in word[1]:
        start, run = 0, 0.0
        for i, ch in enumerate(text):
            w = text_width(ch, p.font, p.size)
            if width + w > limit and (parts or i > start):
                if i > start:
                    parts.append((p, text[start:i], run))
                out.append([width, parts, 0.0, None])
                parts, width, start, run, limit = [], 0.0, i, 0.0, rest
            width += w
            run += w
        if start < len(text):
            parts.append((p, text[start:], run))
    out.append([width, parts, word[2], word[3]])
    return out


def break_lines(words: list[list], first: float, rest: float) -> list[tuple[list, float]]:
    """Greedy line breaking: (words, width) per line; `first` is the first line's measure."""
    lines: list[tuple[list, float]] = []
    line: list = []
    width = space = 0.0
    limit = first
    if words and max(w[0] for w in words) <= min(first, rest):  # no word to cut: plain loop
        for word in words:
            w = word[0]
            if line and width + space + w > limit:
                lines.append((line, width))
                line, width, limit = [], 0.0, rest
            width += (space if line else 0) + w
            line.append(word)
            space = word[2]
        lines.append((line, width))
        return lines
    queue = list(reversed(words))
    while queue:
        word = queue.pop()
        w = word[0]
        if w > (rest if line else limit):  # over-long (a URL): fill what is left, then go on
            room = limit - width - (space if line else 0)
            if line and room <= limit / 4:
                lines.append((line, width))
                line, width, limit = [], 0.0, rest
                room = limit
            parts = _cut(word, room, rest)
            queue.extend(reversed(parts[1:]))
            word, w = parts[0], parts[0][0]
        elif line and width + space + w > limit:
            lines.append((line, width))
            line, width, limit = [], 0.0, rest
        width += (space if line else 0) + w
        line.append(word)
        space = word[2]
    if line:
        lines.append((line, width))
    return lines


def line_runs(line: list) -> list[tuple[Piece, str, float]]:
    """A line's words as runs of like text: (piece, text, width), spaces inside the runs."""
    runs: list[tuple[Piece, str, float]] = []
    cur, texts, width = None, [], 0.0  # the run being gathered
    space = None  # the piece of the space before the next word (its width: space_w)
    space_w = 0.0
    for _, parts, after_w, after in line:
        for p, text, w in parts:
            if space is not None:
                if cur is space:
                    texts.append(" ")
                    width += space_w
                elif p is space:
                    text, w = " " + text, w + space_w
                else:
                    runs.append((cur, "".join(texts), width))
                    cur, texts, width = space, [" "], space_w
                space = None
            if p is cur:
                texts.append(text)
                width += w
            else:
                if cur is not None:
                    runs.append((cur, "".join(texts), width))
                cur, texts, width = p, [text], w
        space, space_w = after, after_w
    if cur is not None:
        runs.append((cur, "".join(texts), width))
    return runs


def _show(put, font, text: str, doc, escape, subset: int, tf: str) -> int:
    """Show `text` in a TrueType font, switching subsets as needed; returns the last subset."""
    for sub, data in font.splitString(text, doc):
        if sub != subset:
            put(_select(font, sub, tf, doc))
            subset = sub
        put(f"({escape(data)}) Tj")
    return subset


def _select(font, subset: int, tf: str, doc) -> str:
    """The operator that selects a subset of `font` at a size ("/F1+0 9.5 Tf"), made once per
    document: a long brief selects a font again at nearly every change of style."""
    made = doc.__dict__.setdefault("_bg_selects", {})
    key = (font.fontName, subset, tf)
    op = made.get(key)
    if op is None:  # reportlab registers the font with the document the first time
        op = made[key] = f"{font.getSubsetInternalName(subset, doc)} {tf}"
    return op


class TextBlock(Flowable):
    """A heading, bullet or paragraph of literal pieces, split between pages line by line.

    `widows`/`orphans`: the least number of lines left at the top/bottom of a page when split.
    `tag` is its element in the structure tree of a tagged PDF (`tags.Element`), `label` that of
    its bullet if not the same; a block without `tag` is drawn untagged.
    """

    def __init__(self, pieces: list[Piece], *, leading: float, size: float,
                 left: float = 0.0, bullet: Bullet | None = None, space_before: float = 0.0,
                 space_after: float = 0.0, keep_with_next: bool = False,
                 anchor: str | None = None, outline: tuple | None = None,
                 lines: list | None = None, orphans: int = 2, widows: int = 2,
                 box: Box | None = None, notes: bool = False, who: str = "",
                 tag=None, label=None):
        self.box, self.who = box, who
        self.tag, self.label = tag, label
        self.notes = notes  # some pieces are citation markers with a note (`Piece.note`)
        self.pieces, self.leading, self.size, self.left = pieces, leading, size, left
        self.bullet, self.anchor, self.outline = bullet, anchor, outline
        self.space_before, self.space_after = space_before, space_after
        self.keep_with_next = keep_with_next
        self.orphans, self.widows = orphans, widows
        self._lines, self._measure = lines, None if lines is None else -1.0
        # Where the note markers are: (line number, note) in the lines of the block this one
        # was split from, shared by all its parts, and the number of this part's first line.
        # A page asks for the notes of its lines by a look-up, not a pass over every word of
        # the rest of the block: a block of n lines over n/50 pages costs n, not n²/100.
        self._marks: list | None = None
        self._first = 0

    def wrap(self, width, height):
        measure = width - self.left
        if self._lines is None or (self._measure != measure and self._measure != -1.0):
            self._lines = break_lines(words_of(self.pieces), measure, measure)
            self._measure, self._marks, self._first = measure, None, 0
        self.width, self.height = width, self.leading * max(len(self._lines), 1)
        return self.width, self.height

    def split(self, width, height, room=None, at_top=False):
        self.wrap(width, height)
        lines = self._lines
        fit = int(height / self.leading + 1e-6)
        if not self.notes:
            room = None
        if fit >= len(lines) and (room is None or len(lines) * self.leading
                                  + room(self.notes_of(None)) <= height):
            return [self]
        # On an empty page, where lines with long notes may leave room for no two of them,
        # a line alone at the foot or the top of a page is better than no PDF at all.
        orphans, widows = (1, 1) if at_top else (self.orphans, self.widows)
        fit = min(fit, len(lines) - widows)
        if room is not None:  # the head's notes must fit on this page too
            while fit >= orphans and (
                    fit * self.leading + room(self.notes_of(fit)) > height):
                fit -= 1
        if fit < orphans:
            return []  # the whole block goes to the next page
        head = self._part(lines[:fit], 0, self.bullet, self.space_before, 0.0)
        head.anchor, head.outline, head.label = self.anchor, self.outline, self.label
        tail = self._part(lines[fit:], fit, None, 0.0, self.space_after)
        tail.keep_with_next = self.keep_with_next
        return [head, tail]

    def _part(self, lines, start, bullet, before, after) -> TextBlock:
        """The block of `lines`, this block's from line `start` on."""
        part = TextBlock(self.pieces, leading=self.leading, size=self.size, left=self.left,
                         bullet=bullet, space_before=before, space_after=after, lines=lines,
                         orphans=1, widows=1, box=self.box, notes=self.notes, who=self.who,
                         tag=self.tag)
        if self.notes:
            part._marks, part._first = self._marked(), self._first + start
        return part

    def _marked(self) -> list:
        if self._marks is None:
            self._marks = [(n, p.note) for n, (line, _) in enumerate(self._lines)
                           for word in line for p, _, _ in word[1] if p.note is not None]
        return self._marks

    def notes_of(self, count: int | None) -> list:
        """The notes whose markers are in the first `count` lines of this block (None: in all
        of them), in order."""
        if not self.notes:
            return []
        marks = self._marked()
        first = self._first
        last = first + (len(self._lines) if count is None else count)
        out = []
        for _, note in marks[bisect.bisect_left(marks, first, key=lambda m: m[0]):
                             bisect.bisect_left(marks, last, key=lambda m: m[0])]:
            if note not in out:
                out.append(note)
        return out

    def draw_on(self, canvas, x, y):
        """The bytes of `Flowable.draw_on` (q, a translation, the block, Q), without copying the
        canvas state to restore it: `draw` leaves the canvas's own state as it found it but for
        the matrix, which is put back here (tests/internals/test_reportlab_pages.py)."""
        code, matrix = canvas._code, canvas._currentMatrix
        a, b, c, d, e, f = matrix
        code.append("q")
        code.append(f"1 0 0 1 {fp_str(x, y)} cm")
        canvas._currentMatrix = (a, b, c, d, a * x + c * y + e, b * x + d * y + f)
        try:
            self.draw(canvas)
        finally:
            canvas._currentMatrix = matrix
        code.append("Q")

    def draw(self, canv):
        tags = canv.tags if self.tag is not None else None
        if self.anchor:
            canv.bookmarkHorizontal(self.anchor, 0, self.height)
        if self.outline:
            key, title, level = self.outline
            canv.bookmarkHorizontal(key, 0, self.height)
            canv.addOutlineEntry(title, key, level, closed=False)
        if self.box:
            pad = self.leading / 4
            if tags is not None:
                canv._code.append(ARTIFACT)
            canv.saveState()
            if self.box.shade is not None:
                canv.setFillColor(self.box.shade)
                canv.rect(0, -pad, self.width, self.height + 2 * pad, stroke=0, fill=1)
            canv.setFillColor(self.box.rule)
            canv.rect(0, -pad, self.box.width, self.height + 2 * pad, stroke=0, fill=1)
            canv.restoreState()
            if tags is not None:
                canv._code.append(END)
        self.draw_text(canv, tags)

    def draw_text(self, canv, tags=None):
        """The block's lines as one BT ... ET of raw PDF operators, then its links; `tags`
        (a tagged PDF's `Tags`) puts each run in its structure element.

        Draws what reportlab's text object draws for the same calls (each string at the same
        place, in the same font, size, colour and rise) without its per-call bookkeeping and
        its redundant operators: a leading nothing uses, a font or colour set again
        (tests/internals/test_reportlab_pages.py compares the two); reportlab's text object has
        no marked content for the structure tree.
        """
        doc, escape = canv._doc, canv._escape
        code = ["BT"]
        put = code.append
        y = self.height - self.size
        font = tf = None
        face = color = None
        rise, subset = 0, -1
        marked = None  # the element whose marked content is open (tagged PDF)
        if tags is not None:
            tags.begin()
        if self.bullet:
            b = self.bullet
            if tags is not None:
                marked = self.label or self.tag
                put(tags.mark(marked))
            put(f"1 0 0 1 {fp_str(b.indent, y)} Tm")
            face, color = (b.font, b.size), b.color
            put(f"{fp_str(color.red, color.green, color.blue)} rg")
            font, tf = getFont(b.font), f"{fp_str(b.size)} Tf"
            # a space after it, unseen, keeps it apart from the text when read out of the page
            subset = _show(put, font, b.text + " ", doc, escape, -1, tf)
        links = []
        under = []  # (x from, x to, y, colour) of each linked run's underline
        last = None
        for line, _ in self._lines:
            x = self.left
            put(f"1 0 0 1 {fp_str(x, y)} Tm")
            linked = None  # the link of the run just drawn, if it had one
            runs = line_runs(line)
            # The space a line broke at is drawn at its end (unseen): text read out of the
            # page, by a screen reader or a copy, keeps the words apart.
            gap = line[-1][3]
            tail = runs[-1] if gap is not None and gap.font == runs[-1][0].font else None
            for run in runs:
                p, text, w = run
                if tags is not None:
                    element = tags.run(self.tag, p, text)
                    if element is not marked:
                        if marked is not None:
                            put(END)
                        put(tags.mark(element))
                        marked = element
                if p is not last:  # a run of the piece before needs no change of state
                    last = p
                    if (p.font, p.size) != face:
                        face, font, subset = (p.font, p.size), getFont(p.font), -1
                        tf = f"{fp_str(p.size)} Tf"
                    if p.color is not color and p.color != color:  # identity first: a C test
                        color = p.color
                        put(f"{fp_str(color.red, color.green, color.blue)} rg")
                    if p.rise != rise:
                        rise = p.rise
                        put(f"{fp_str(rise)} Ts")
                subset = _show(put, font, text + " " if run is tail else text, doc, escape,
                               subset, tf)
                if p.link:
                    end = x + w - (text_width(" ", p.font, p.size) if text[-1] == " " else 0)
                    low = y - self.size / 8
                    # one link across a change of font; tagged, each marker is a link of its own
                    link = p.link if tags is None else tags.link
                    if linked == link:
                        links[-1][1][2] = end
                    else:
                        links.append((p.link, [x, low, end, low + self.leading], link))
                    if not p.rise:  # marked by more than colour; a superscript is by its place
                        under.append((x, end, y - p.size / 8, color))
                    linked = link
                else:
                    linked = None
                x += w
            y -= self.leading
        if marked is not None:
            put(END)
        if rise:
            put("0 Ts")  # the rise is graphics state: it would outlive ET
        put("ET")
        if under:  # drawn in a state of their own, left as it was for what follows
            if tags is not None:
                put(ARTIFACT)
            put("q 0.5 w")
            for x0, x1, at, ink in under:
                if ink is not None:
                    put(f"{fp_str(ink.red, ink.green, ink.blue)} RG")
                put(f"n {fp_str(x0, at)} m {fp_str(x1, at)} l S")
            put("Q")
            if tags is not None:
                put(END)
        canv._code.append(" ".join(code))
        for link, rect, element in links:
            if tags is not None:
                canv.link(link, rect, element)
            elif link.startswith("#"):
                canv.linkRect("", link[1:], rect, relative=1)
            else:
                canv.linkURL(link, rect, relative=1, kind="URI")
