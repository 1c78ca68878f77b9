"""PDF layout on reportlab platypus: styles, the story of a brief, page furniture, links, outline.

Platypus places the blocks on pages (frames, keep-with-next, page breaks); the blocks are
`text.TextBlock`s. Imported by `writer.render_pdf` only when a PDF is rendered.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import partial

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.flowables import HRFlowable, PageBreak
from reportlab.platypus.frames import Frame

from briefgen.compose.model import Block, Brief, Cite, Run, SourceEntry
from briefgen.errors import BuildError
from briefgen.writers.pdf.fonts import FontSet, Shaper
from briefgen.writers.pdf.text import Bullet, Piece, TextBlock, forget_widths, text_width

NAVY = HexColor("#1B365D")
INK = HexColor("#1F2328")
SLATE = HexColor("#5B6573")
RULE = HexColor("#C3CBD5")
LINK = HexColor("#1D5FA6")
PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 24 * mm, 20 * mm, 24 * mm
TEXT_W = PAGE_W - 2 * MARGIN_X
MONTHS = ("January February March April May June July August September October November "
          "December").split()
RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
               "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged"}
READER_NOTE = ("Bracketed numbers link each line to its source under Sources at the end, which "
               "lists the quotes cited from every source and the facts that cite them.")
# characters briefgen itself draws (checked for coverage like the brief's own text)
FIXED_TEXT = ("•[]0123456789 ·—“”…:;,.() Page of URL none Sources Author Published Reliability "
              "Archived text cited by " + READER_NOTE + "".join(RELIABILITY.values()))


def display_date(d) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


@dataclass(frozen=True)
class Style:
    """How a kind of block looks: size and leading in points, colours, spacing, indents."""

    size: float
    leading: float
    bold: bool = False
    italic: bool = False
    color: object = INK
    left: float = 0.0
    before: float = 0.0
    after: float = 0.0
    keep: bool = False  # keep with the next block
    bullet_indent: float = 2.0
    bullet_size: float = 10.0
    bullet_bold: bool = False


STYLES = {
    "title": Style(22, 27, bold=True, color=NAVY, after=4),
    "subtitle": Style(12.5, 16.5, color=SLATE, after=3),
    "meta": Style(8.5, 12, color=SLATE),
    "reader": Style(8, 11, italic=True, color=SLATE, after=10),
    "h1": Style(15, 19, bold=True, color=NAVY, before=16, after=6, keep=True),
    "h2": Style(12.5, 16, bold=True, color=NAVY, before=14, after=5, keep=True),
    "h3": Style(10.5, 14, bold=True, before=10, after=3, keep=True),
    "note": Style(9.5, 13.5, italic=True, color=SLATE, after=6),
    "bullet": Style(10, 14.5, left=14, after=4),
    "paragraph": Style(10, 14.5, after=7),
    "src_head": Style(9.5, 13, before=9, left=24, keep=True, bullet_indent=0, bullet_size=9.5,
                      bullet_bold=True),
    "src_detail": Style(8.5, 12, color=SLATE, left=24, keep=True),
    "src_quote": Style(8.5, 12, left=24, before=2),
    "footer": Style(7.5, 9, color=SLATE),
}


class Story:
    """Builds the flowables of a brief from its model.

    Text goes in as literal pieces (`text.Piece`), never as markup: `<`, `&` and `{{ }}`
    print as they are, and no time goes into parsing.
    """

    def __init__(self, brief: Brief, shaper: Shaper):
        self.brief, self.shaper = brief, shaper
        self.fonts = shaper.fonts
        self.anchors = {s.anchor for s in brief.sources}

    def text(self, text: str, style: Style, bold=False, italic=False, color=None,
             link: str | None = None, out: list | None = None) -> list[Piece]:
        """Pieces that print `text` literally, each in the bundled font that has it."""
        out = [] if out is None else out
        bold, italic = bold or style.bold, italic or style.italic
        size, color = style.size, color or style.color
        scale = self.fonts.scale
        for font, t in self.shaper.segments(text, bold, italic, TEXT_W - style.left, size):
            fsize = size * scale.get(font, 1)
            prev = out[-1] if out else None
            if (prev is not None and prev.font == font and prev.size == fsize
                    and prev.color == color and not prev.rise and prev.link == link):
                out[-1] = prev._replace(text=prev.text + t)
            else:
                out.append(Piece(t, font, fsize, color, 0, link))
        return out

    def block(self, pieces: list[Piece], style: Style, bullet: str | None = None,
              **kw) -> TextBlock:
        mark = None
        if bullet is not None:
            fs = self.fonts
            mark = Bullet(bullet, fs.font(fs.primary, style.bullet_bold), style.bullet_size, NAVY,
                          style.bullet_indent)
        return TextBlock(pieces, leading=style.leading, size=style.size, left=style.left,
                         bullet=mark, space_before=style.before, space_after=style.after,
                         keep_with_next=style.keep, **kw)

    def inlines(self, block: Block, style: Style) -> list[Piece]:
        out: list[Piece] = []
        shown: set[str] = set()
        font = self.fonts.font(self.fonts.primary)
        for item in block.inlines:
            if isinstance(item, Run):
                self.text(item.text, style, item.bold, item.italic, out=out)
            elif isinstance(item, Cite) and item.source.anchor not in shown:
                src = item.source
                if src.anchor not in self.anchors:
                    raise BuildError(f"[{item.fact_id}] cites source {src.id}, which is not in "
                                     "the brief's Sources annex (hint: this is a bug in briefgen)")
                shown.add(src.anchor)  # one marker per source and line, superscript, linked
                out.append(Piece(f"[{src.number}]", font, style.size * 0.68, LINK,
                                 style.size * 0.34, "#" + src.anchor))
        return out

    def flowables(self) -> list:
        st, b, block, text = STYLES, self.brief, self.block, self.text
        lines = sum(1 for blk in b.blocks if blk.kind in ("bullet", "paragraph"))
        meta = (f"{display_date(b.created)} · {lines} cited line{'s' * (lines != 1)} · "
                f"{len(b.sources)} source{'s' * (len(b.sources) != 1)}")
        out = [block(text(b.title, st["title"]), st["title"])]
        if b.subtitle:
            out.append(block(text(b.subtitle, st["subtitle"]), st["subtitle"]))
        out += [block(text(meta, st["meta"]), st["meta"]),
                HRFlowable(width="100%", thickness=1.4, color=NAVY, spaceBefore=7, spaceAfter=6),
                block(text(READER_NOTE, st["reader"]), st["reader"])]
        levels = sorted({blk.level for blk in b.blocks if blk.kind == "heading"})
        depth = -1
        for i, blk in enumerate(b.blocks):
            if blk.kind == "heading":
                style = st[f"h{min(max(blk.level, 1), 3)}"]
                depth = min(levels.index(blk.level), depth + 1)
                out.append(block(self.inlines(blk, style), style,
                                 outline=(f"sec_{i}", blk.text.strip(), depth)))
            elif blk.kind == "bullet":
                out.append(block(self.inlines(blk, st["bullet"]), st["bullet"], "•"))
            else:
                style = st["note" if blk.kind == "note" else "paragraph"]
                out.append(block(self.inlines(blk, style), style))
        if b.sources:
            out += [PageBreak(), block(text("Sources", st["h1"]), st["h1"],
                                       outline=("sources", "Sources", 0))]
            for src in b.sources:
                out += self.annex_entry(src)
        return out

    def annex_entry(self, s: SourceEntry) -> list:
        st, t, block = STYLES, self.text, self.block
        head, detail, quote = st["src_head"], st["src_detail"], st["src_quote"]
        rel = RELIABILITY.get(s.reliability.upper(), "")
        info = (f"Author: {s.author or 'not named'} · Published: {s.published} · "
                f"Reliability: {s.reliability}" + (f" ({rel})" if rel else ""))
        title = t(s.publisher, head, bold=True)
        t(" · ", head, out=title)
        t(s.title, head, out=title)
        if s.url:
            url = t("URL: ", detail)
            t(s.url, detail, color=LINK, link=s.url, out=url)
        else:
            url = t("URL: none (archived copy only)", detail)
        out = [block(title, head, f"[{s.number}]", anchor=s.anchor),
               block(t(info, detail), detail), block(url, detail),
               block(t(f"Archived text: {s.file_name}", detail), detail)]
        for q in s.quotes:
            pieces = t(f"“{q.text}”", quote, italic=True)
            t(f" — cited by {', '.join(q.fact_ids)}", quote, color=SLATE, out=pieces)
            out.append(block(pieces, quote))
        return out


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")


def _pdf_date(created) -> str:
    off = created.utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return (f"D:{created:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'")


class BriefCanvas(Canvas):
    """Canvas that defers pages to number them "Page x of y" and publishes named destinations.

    Pages are kept until `save`, when the total is known; the document's page counter still
    advances at each page so bookmarks made meanwhile point at the right page. Links to the
    annex use named destinations (/Dest (src_3)) listed in the catalog's /Names /Dests tree.
    """

    def __init__(self, *args, furniture=None, anchors=(), overrides=None, created=None, **kw):
        super().__init__(*args, **kw)
        self._bg_pages: list[dict] = []
        self._bg_furniture = furniture
        self._bg_anchors = frozenset(anchors)
        self._doc._bg_tounicode = overrides if overrides is not None else {}
        if created is not None:
            stamp = _pdf_date(created)
            self.setDateFormatter(lambda *a: stamp)
        self.showOutline()

    def showPage(self):
        self._bg_pages.append(dict(self.__dict__))
        self._doc.pageCounter += 1
        self._startPage()

    def save(self):
        total = len(self._bg_pages)
        self._doc.pageCounter = 1
        for state in self._bg_pages:
            self.__dict__.update(state)
            if self._bg_furniture:
                self._bg_furniture(self, self._pageNumber, total)
            Canvas.showPage(self)
        names = sorted(n for n in self._bg_anchors if n in self._destinations)
        if names:
            tree = []
            for n in names:
                tree += [pdfdoc.PDFString(n), self._destinations[n]]
            self._doc.Catalog.Names = pdfdoc.PDFDictionary(
                {"Dests": pdfdoc.PDFDictionary({"Names": pdfdoc.PDFArray(tree)})})
        Canvas.save(self)

    def stringWidth(self, text, fontName=None, fontSize=None):
        return text_width(text, fontName or self._fontname,
                          self._fontsize if fontSize is None else fontSize)

    def linkRect(self, contents, destinationname, Rect=None, addtopage=1, name=None, relative=1,
                 thickness=0, color=None, dashArray=None, **kw):
        if destinationname not in self._bg_anchors or not _PLAIN_NAME.fullmatch(destinationname):
            return super().linkRect(contents, destinationname, Rect, addtopage, name, relative,
                                    thickness, color, dashArray, **kw)
        return self._addAnnotation(_DestLink(self._absRect(Rect, relative), destinationname),
                                   name, addtopage)


class _DestLink(pdfdoc.PDFObject):
    """A link to a named destination (a citation marker), formatted when it is made.

    The bytes are those of reportlab's `LinkAnnotation` for the same link; a long brief has
    thousands, and building and formatting a dictionary object for each was a tenth of its
    PDF time. Only for plain destination names (the annex anchors, `src_3`): nothing to escape.
    """

    def __init__(self, rect, destination: str):
        self.data = (f"<<\n/Border [0 0 0] /Contents () /Dest ({destination}) "
                     f"/Rect [ {fp_str(*rect)} ] /Subtype /Link /Type /Annot\n>>").encode("ascii")

    def format(self, document) -> bytes:
        return self.data


def footer(canvas: Canvas, page: int, total: int, *, label: list, font: str, size: float):
    """Thin rule, the brief's title at the left and "Page x of y" at the right."""
    y = MARGIN_BOTTOM - 11 * mm
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, y + 10, PAGE_W - MARGIN_X, y + 10)
    canvas.setFillColor(SLATE)
    x = MARGIN_X
    for seg_font, text, seg_size in label:
        canvas.setFont(seg_font, seg_size)
        canvas.drawString(x, y, text)
        x += text_width(text, seg_font, seg_size)
    canvas.setFont(font, size)
    canvas.drawRightString(PAGE_W - MARGIN_X, y, f"Page {page} of {total}")
    canvas.restoreState()


def footer_label(shaper: Shaper, title: str, size: float) -> list[tuple[str, str, float]]:
    """The title as (font, text, size) pieces, cut short with "…" to leave room for the page no."""
    scale = shaper.fonts.scale
    words = title.split()
    for n in range(len(words), 0, -1):
        text = " ".join(words[:n]) + ("" if n == len(words) else " …")
        segs = [(f, t, size * scale.get(f, 1)) for f, t in shaper.segments(text)]
        if sum(text_width(t, f, z) for f, t, z in segs) <= TEXT_W - 90 or n == 1:
            return segs
    return []


def build_pdf(brief: Brief, fonts: FontSet) -> bytes:
    forget_widths()
    shaper = Shaper(fonts)
    story = Story(brief, shaper).flowables()
    size = STYLES["footer"].size
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=brief.title, author=brief.author, subject=brief.subject,
        keywords=list(brief.keywords), creator="briefgen", invariant=1, lang=brief.language,
        displayDocTitle=1, initialFontName=fonts.font(fonts.primary))
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, TEXT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    furniture = partial(footer, label=footer_label(shaper, brief.title, size),
                        font=fonts.font(fonts.primary), size=size)
    doc.build(story, canvasmaker=partial(
        BriefCanvas, furniture=furniture, anchors=[s.anchor for s in brief.sources],
        overrides=shaper.overrides, created=brief.created))
    return buf.getvalue()
