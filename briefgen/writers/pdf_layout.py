"""PDF layout on reportlab platypus: styles, the story of a brief, page furniture, links, outline.

Imported by `pdf.render_pdf` only when a PDF is rendered (reportlab costs ~0.15 s to import).
"""

from __future__ import annotations

import io
import itertools
from functools import partial

from reportlab.lib.abag import ABag
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate, Paragraph
from reportlab.platypus import paragraph as _rl_paragraph
from reportlab.platypus.flowables import HRFlowable
from reportlab.platypus.paraparser import ParaFrag
from reportlab.rl_config import _FUZZ

from ..brief import Block, Brief, Cite, Run, SourceEntry
from ..errors import BuildError
from .pdf_fonts import FontSet, Shaper

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


def _same_frag(f, g) -> bool:
    """reportlab's pure-Python `sameFrag` with identity short cuts, installed in its place.

    It runs for every word while lines are broken; the C version that reportlab uses when the
    optional rl_accel package is installed raises and clears four AttributeErrors per call
    (~17 us), a quarter of the time of a long brief. Same answers, so other users lose nothing.
    """
    fd, gd = f.__dict__, g.__dict__
    if "cbDefn" in fd or "lineBreak" in fd or "cbDefn" in gd or "lineBreak" in gd:
        return False
    key = fd.get("_bg_key")
    if key is not None and key == gd.get("_bg_key"):  # copies of one fragment of ours
        return True
    fg, gg = fd.get, gd.get
    for k in ("fontName", "fontSize", "textColor", "rise", "us_lines", "link", "backColor", "nobr"):
        a, b = fg(k), gg(k)
        if a is not b and a != b:
            return False
    return True


_rl_paragraph.sameFrag = _same_frag

# Text widths and font extents that reportlab's line breaking asks for once per word; most words
# recur, so they are remembered. The caches are emptied at the start of every PDF (fonts could be
# registered anew under an old name between renders) and only hold results for fonts as they are.
_WIDTHS: dict[tuple, float] = {}
_EXTENTS: dict[tuple, tuple] = {}
_rl_string_width = _rl_paragraph.stringWidth
_rl_ascent_descent = _rl_paragraph.getAscentDescent


def _string_width(text, fontName, fontSize, encoding="utf8"):
    key = (text, fontName, fontSize, encoding)
    w = _WIDTHS.get(key)
    if w is None:
        w = _WIDTHS[key] = _rl_string_width(text, fontName, fontSize, encoding)
    return w


def _ascent_descent(fontName, fontSize=None):
    key = (fontName, fontSize)
    ad = _EXTENTS.get(key)
    if ad is None:
        ad = _EXTENTS[key] = _rl_ascent_descent(fontName, fontSize)
    return ad


_rl_paragraph.stringWidth = _string_width
_rl_paragraph.getAscentDescent = _ascent_descent


def display_date(d) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def make_styles(fonts: FontSet) -> dict[str, ParagraphStyle]:
    """Paragraph styles; `_bold`/`_italic` record what each style's own font already is."""
    p = fonts.primary

    def style(name, size, leading, bold=False, italic=False, color=INK, **kw):
        st = ParagraphStyle(name, fontName=fonts.font(p, bold, italic), fontSize=size,
                            leading=leading, textColor=color, allowWidows=0, allowOrphans=0,
                            splitLongWords=1, spaceShrinkage=0, **kw)
        st._bold, st._italic = bold, italic
        return st

    bullet = dict(bulletFontName=fonts.font(p), bulletFontSize=10, bulletColor=NAVY)
    return {
        "title": style("title", 22, 27, bold=True, color=NAVY, spaceAfter=4),
        "subtitle": style("subtitle", 12.5, 16.5, color=SLATE, spaceAfter=3),
        "meta": style("meta", 8.5, 12, color=SLATE),
        "reader": style("reader", 8, 11, italic=True, color=SLATE, spaceAfter=10),
        "h1": style("h1", 15, 19, bold=True, color=NAVY, spaceBefore=16, spaceAfter=6,
                    keepWithNext=1),
        "h2": style("h2", 12.5, 16, bold=True, color=NAVY, spaceBefore=14, spaceAfter=5,
                    keepWithNext=1),
        "h3": style("h3", 10.5, 14, bold=True, color=INK, spaceBefore=10, spaceAfter=3,
                    keepWithNext=1),
        "note": style("note", 9.5, 13.5, italic=True, color=SLATE, spaceAfter=6),
        "bullet": style("bullet", 10, 14.5, leftIndent=14, bulletIndent=2, spaceAfter=4, **bullet),
        "paragraph": style("paragraph", 10, 14.5, spaceAfter=7),
        "src_head": style("src_head", 9.5, 13, spaceBefore=9, leftIndent=24, bulletIndent=0,
                          keepWithNext=1, bulletFontName=fonts.font(p, True), bulletFontSize=9.5,
                          bulletColor=NAVY),
        "src_detail": style("src_detail", 8.5, 12, color=SLATE, leftIndent=24, keepWithNext=1),
        "src_quote": style("src_quote", 8.5, 12, leftIndent=24, spaceBefore=2),
        "footer": style("footer", 7.5, 9, color=SLATE),
    }


class Para(Paragraph):
    """A paragraph that breaks its lines once per width.

    Platypus wraps a flowable again when it is added to a frame after being measured already
    (chains of `keepWithNext` are measured as a group first); the lines are the same, so the
    last result is kept rather than computed anew. Splitting makes new paragraphs, which wrap
    afresh.
    """

    _bg_wrapped = None

    def wrap(self, availWidth, availHeight):
        done = self._bg_wrapped
        if (done is not None and done[0] == availWidth and done[1] is self.frags
                and self.__dict__.get("blPara") is done[3]):
            self.width, self.height = availWidth, done[2]
            return availWidth, done[2]
        w, h = super().wrap(availWidth, availHeight)
        if w == availWidth and availWidth >= _FUZZ:
            self._bg_wrapped = (availWidth, self.frags, h, self.blPara)
        return w, h

    def breakLines(self, width):
        """reportlab's line breaking for the plain case, with its unused branches left out.

        Paragraphs of several plain text fragments (no hyphenation, images, anchors, line breaks,
        over-long words or continued splits) take this way; it gives the same lines as
        `Paragraph.breakLines`, in the same structure, and anything else goes there.
        """
        style, frags = self.style, self.frags
        if (len(frags) < 2 or _rl_paragraph._processed_frags(frags) or style.spaceShrinkage
                or style.endDots or style.shaping or style.uriWasteReduce
                or style.embeddedHyphenation or getattr(style, "hyphenationLang", "")
                or style.wordWrap or getattr(self, "autoLeading",
                                                  getattr(style, "autoLeading", ""))
                not in ("", "off")
                or any("cbDefn" in f.__dict__ or "lineBreak" in f.__dict__ for f in frags)):
            return super().breakLines(width)
        max_widths = list(width) if isinstance(width, (tuple, list)) else [width]
        _rl_paragraph._handleBulletWidth(self.bulletText, style, max_widths)
        _words = _rl_paragraph._getFragWords(frags, max_widths[0])
        limit = min(max_widths)
        for w in _words:
            if w[0] > limit or isinstance(w, _ODD_WORDS):
                return super().breakLines(width)
            for part in w[1:]:
                if part[0].__dict__.get("_fkind", _FK_TEXT) != _FK_TEXT:
                    return super().breakLines(width)
        if isinstance(width, list):
            width[:] = max_widths  # as reportlab leaves them (after the bullet's share)
        return self._plain_lines(_words, max_widths)

    def _plain_lines(self, _words, max_widths):
        self._width_max = 0
        self.height = 0
        self._splitLongWordCount = self._hyphenations = 0
        string_width, extents, same = _string_width, _ascent_descent, _rl_paragraph.sameFrag
        hs_frag, frag_line = _rl_paragraph._HSFrag, _rl_paragraph.FragLine
        lines, FW, words = [], [], []
        lineno, maxlineno = 0, len(max_widths) - 1
        maxWidth = max_widths[0]
        sFW = 0
        n = spaceWidth = currentWidth = maxSize = maxAscent = minDescent = 0
        g = src = None
        for w in _words:
            FW.append(w)
            last = w[-1][0]
            fontName = last.fontName
            fontSize = last.fontSize
            if not words:
                n = spaceWidth = currentWidth = 0
                maxSize = fontSize
                maxAscent, minDescent = extents(fontName, fontSize)
            wordWidth = w[0]
            f = w[1][0]
            newWidth = currentWidth + spaceWidth + wordWidth if wordWidth > 0 else currentWidth
            if not (newWidth > maxWidth and n > 0):
                nText = w[1][1]
                if nText:
                    n += 1
                fontSize = f.fontSize
                if words and (f is src or same(g, f)):
                    if spaceWidth:
                        g.text += nText if g.text.endswith(" ") else " " + nText
                    else:
                        g.text += nText
                else:
                    ascent, descent = extents(f.fontName, fontSize)
                    maxSize = max(maxSize, fontSize)
                    maxAscent = max(maxAscent, ascent)
                    minDescent = min(minDescent, descent)
                    if words and spaceWidth:
                        for wi in reversed(words):
                            if wi._fkind == _FK_TEXT:
                                if not wi.text.endswith(" "):
                                    wi.text += " "
                                break
                    g = f.clone()
                    src = f
                    words.append(g)
                    g.text = nText
                spaceWidth = string_width(" ", fontName, fontSize) if isinstance(w, hs_frag) else 0
                ni = 0
                for part in w[2:]:
                    g = part[0].clone()
                    src = part[0]
                    g.text = part[1]
                    if g.text:
                        ni = 1
                    words.append(g)
                    fontSize = g.fontSize
                    ascent, descent = extents(g.fontName, fontSize)
                    maxSize = max(maxSize, fontSize)
                    maxAscent = max(maxAscent, ascent)
                    minDescent = min(minDescent, descent)
                if not nText and ni:
                    n += 1
                currentWidth = newWidth
            else:
                self._width_max = max(self._width_max, currentWidth)
                lines.append(frag_line(extraSpace=maxWidth - currentWidth, wordCount=n,
                                       lineBreak=False, words=words, fontSize=maxSize,
                                       ascent=maxAscent, descent=minDescent, maxWidth=maxWidth,
                                       sFW=sFW))
                sFW = len(FW) - 1
                lineno += 1
                maxWidth = max_widths[min(maxlineno, lineno)]
                spaceWidth = string_width(" ", fontName, fontSize) if isinstance(w, hs_frag) else 0
                currentWidth = wordWidth
                n = 1
                g = f.clone()
                src = f
                maxSize = g.fontSize
                maxAscent, minDescent = extents(g.fontName, maxSize)
                words = [g]
                g.text = w[1][1]
                for part in w[2:]:
                    g = part[0].clone()
                    src = part[0]
                    g.text = part[1]
                    words.append(g)
                    fontSize = g.fontSize
                    ascent, descent = extents(g.fontName, fontSize)
                    maxSize = max(maxSize, fontSize)
                    maxAscent = max(maxAscent, ascent)
                    minDescent = min(minDescent, descent)
        if words:
            self._width_max = max(self._width_max, currentWidth)
            lines.append(frag_line(extraSpace=maxWidth - currentWidth, wordCount=n,
                                   lineBreak=False, words=words, fontSize=maxSize,
                                   ascent=maxAscent, descent=minDescent, maxWidth=maxWidth,
                                   sFW=sFW))
        self.frags = FW
        return _rl_paragraph.ParaLines(kind=1, lines=lines)


_FK_TEXT = _rl_paragraph._FK_TEXT
_ODD_WORDS = (_rl_paragraph._SplitFrag, _rl_paragraph._SHYWord, _rl_paragraph._InjectedFrag)


class Heading(Para):
    """A heading paragraph that leaves a bookmark and an outline entry where it is drawn."""

    def __init__(self, text, style, *args, outline=None, **kw):
        super().__init__(text, style, *args, **kw)
        self._outline = outline  # (key, title, level)

    def draw(self):
        if self._outline:
            key, title, level = self._outline
            self.canv.bookmarkHorizontal(key, 0, self.height)
            self.canv.addOutlineEntry(title, key, level, closed=False)
        super().draw()


class Story:
    """Builds the flowables of a brief.

    Paragraphs are made from reportlab fragments built here rather than from markup: model text
    is never parsed, so `<`, `&` and `{{ }}` print literally, and no time goes into parsing.
    """

    def __init__(self, brief: Brief, shaper: Shaper, styles: dict[str, ParagraphStyle]):
        self.brief, self.shaper, self.styles = brief, shaper, styles
        self.anchors = {s.anchor for s in brief.sources}

    def text(self, text: str, style: ParagraphStyle, bold=False, italic=False, color=None,
             link: str | None = None, out: list | None = None) -> list:
        """Fragments that print `text` literally, each in the bundled font that has it."""
        out = [] if out is None else out
        bold, italic = bold or style._bold, italic or style._italic
        size, color = style.fontSize, color or style.textColor
        links = [(0, link)] if link else []
        scale = self.shaper.fonts.scale
        width = TEXT_W - style.leftIndent - style.rightIndent
        for font, t in self.shaper.segments(text, bold, italic, width, size):
            fsize = size * scale.get(font, 1)
            prev = out[-1] if out else None
            if (prev is not None and prev.fontName == font and prev.fontSize == fsize
                    and prev.textColor == color and not prev.rise and prev.link == links):
                prev.text += t
            else:
                out.append(_frag(t, font, fsize, color, 0, links))
        return out

    def paragraph(self, frags: list, style: ParagraphStyle, cls=Para, **kw):
        return cls(None, style, frags=frags or [_frag("", style.fontName, style.fontSize,
                                                         style.textColor)], **kw)

    def inlines(self, block: Block, style: ParagraphStyle) -> list:
        out: list = []
        shown: set[str] = set()
        for item in block.inlines:
            if isinstance(item, Run):
                self.text(item.text, style, item.bold, item.italic, out=out)
            elif isinstance(item, Cite) and item.source.anchor not in shown:
                src = item.source
                if src.anchor not in self.anchors:
                    raise BuildError(f"[{item.fact_id}] cites source {src.id}, which is not in "
                                     "the brief's Sources annex (hint: this is a bug in briefgen)")
                shown.add(src.anchor)  # one marker per source and line, superscript, linked
                out.append(_frag(f"[{src.number}]", style.fontName, style.fontSize * 0.68, LINK,
                                 style.fontSize * 0.34, [(len(shown), "#" + src.anchor)]))
        return out

    def flowables(self) -> list:
        st, b, para = self.styles, self.brief, self.paragraph
        lines = sum(1 for blk in b.blocks if blk.kind in ("bullet", "paragraph"))
        meta = (f"{display_date(b.created)} · {lines} cited line{'s' * (lines != 1)} · "
                f"{len(b.sources)} source{'s' * (len(b.sources) != 1)}")
        out = [para(self.text(b.title, st["title"]), st["title"])]
        if b.subtitle:
            out.append(para(self.text(b.subtitle, st["subtitle"]), st["subtitle"]))
        out += [para(self.text(meta, st["meta"]), st["meta"]),
                HRFlowable(width="100%", thickness=1.4, color=NAVY, spaceBefore=7, spaceAfter=6),
                para(self.text(READER_NOTE, st["reader"]), st["reader"])]
        levels = sorted({blk.level for blk in b.blocks if blk.kind == "heading"})
        depth = -1
        for i, blk in enumerate(b.blocks):
            if blk.kind == "heading":
                style = st[f"h{min(max(blk.level, 1), 3)}"]
                depth = min(levels.index(blk.level), depth + 1)
                out.append(para(self.inlines(blk, style), style, Heading,
                                outline=(f"sec_{i}", blk.text.strip(), depth)))
            elif blk.kind == "bullet":
                out.append(para(self.inlines(blk, st["bullet"]), st["bullet"], bulletText="•"))
            else:
                style = st["note" if blk.kind == "note" else "paragraph"]
                out.append(para(self.inlines(blk, style), style))
        if b.sources:
            out += [PageBreak(), para(self.text("Sources", st["h1"]), st["h1"], Heading,
                                      outline=("sources", "Sources", 0))]
            for src in b.sources:
                out += self.annex_entry(src)
        return out

    def annex_entry(self, s: SourceEntry) -> list:
        st, t, para = self.styles, self.text, self.paragraph
        head, detail, quote = st["src_head"], st["src_detail"], st["src_quote"]
        rel = RELIABILITY.get(s.reliability.upper(), "")
        info = (f"Author: {s.author or 'not named'} · Published: {s.published} · "
                f"Reliability: {s.reliability}" + (f" ({rel})" if rel else ""))
        anchor = _frag("", head.fontName, head.fontSize, head.textColor)
        anchor.cbDefn = ABag(kind="anchor", label="anchor", name=s.anchor)
        title = t(s.publisher, head, bold=True, out=[anchor])
        t(" · ", head, out=title)
        t(s.title, head, out=title)
        if s.url:
            url = t("URL: ", detail)
            t(s.url, detail, color=LINK, link=s.url, out=url)
        else:
            url = t("URL: none (archived copy only)", detail)
        out = [para(title, head, bulletText=f"[{s.number}]"), para(t(info, detail), detail),
               para(url, detail), para(t(f"Archived text: {s.file_name}", detail), detail)]
        for q in s.quotes:
            frags = t(f"“{q.text}”", quote, italic=True)
            t(f" — cited by {', '.join(q.fact_ids)}", quote, color=SLATE, out=frags)
            out.append(para(frags, quote))
        return out


def _frag(text, font, size, color, rise=0, link=None) -> ParaFrag:
    """A fragment; `_bg_key` (kept by its clones) lets `_same_frag` match copies of it at once."""
    f = ParaFrag()
    f.__dict__.update(text=text, fontName=font, fontSize=size, textColor=color, rise=rise,
                      greek=0, link=link or [], us_lines=[], bold=0, italic=0,
                      _bg_key=next(_FRAG_KEYS))
    return f


_FRAG_KEYS = itertools.count(1)


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
        return _string_width(text, fontName or self._fontname,
                             self._fontsize if fontSize is None else fontSize)

    def linkRect(self, contents, destinationname, Rect=None, addtopage=1, name=None, relative=1,
                 thickness=0, color=None, dashArray=None, **kw):
        if destinationname not in self._bg_anchors:
            return super().linkRect(contents, destinationname, Rect, addtopage, name, relative,
                                    thickness, color, dashArray, **kw)
        ann = pdfdoc.LinkAnnotation(self._absRect(Rect, relative), contents,
                                    pdfdoc.PDFString(destinationname), Border="[0 0 0]")
        return self._addAnnotation(ann, name, addtopage)


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
        x += pdfmetrics.stringWidth(text, seg_font, seg_size)
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
        if sum(pdfmetrics.stringWidth(t, f, z) for f, t, z in segs) <= TEXT_W - 90 or n == 1:
            return segs
    return []


def build_pdf(brief: Brief, fonts: FontSet) -> bytes:
    _WIDTHS.clear()
    _EXTENTS.clear()
    shaper = Shaper(fonts)
    styles = make_styles(fonts)
    story = Story(brief, shaper, styles).flowables()
    size = styles["footer"].fontSize
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
