"""PDF layout: styles, the story of a brief, notes, contents, annex.

`flow.lay_out` places the blocks on pages (keep-with-next, splits, page breaks); the blocks are
`text.TextBlock`s. Every word comes from the brief model. Each cited line's note (same number
and words as the Word footnote) is printed at the foot of the page that shows the line
(`notes.NotesFrame`). Markers and a note's source link to the annex entry, an entry
to its URL. The story also makes the structure tree of the tagged PDF (`tags`): each block
gets its element as it is made, in reading order.
Imported by `writer.render_pdf` only when a PDF is rendered.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm

from briefgen.compose.model import Block, Brief, Cite, Run, SourceEntry
from briefgen.errors import BuildError
from briefgen.writers.pdf.canvas import BriefCanvas, Furniture, pieces_width
from briefgen.writers.pdf.flow import LayoutError, PageBreak, Picture, Rule, lay_out
from briefgen.writers.pdf.fonts import FontSet
from briefgen.writers.pdf.notes import NotesFrame
from briefgen.writers.pdf.shaping import Shaper
from briefgen.writers.pdf.table import Cell as TableCell, Colors, Row as TableRow, Table
from briefgen.writers.pdf.tags import Element, Tags
from briefgen.writers.pdf.text import Box, Bullet, Piece, TextBlock, forget_widths, text_width

INK = HexColor("#1F2328")
SLATE = HexColor("#5B6573")
RULE = HexColor("#C3CBD5")
SHADE = HexColor("#F2F4F7")
PAGES = {"A4": A4, "Letter": LETTER}
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 24 * mm, 24 * mm, 24 * mm
# characters briefgen itself draws (checked for coverage like the brief's own text)
FIXED_TEXT = "•,0123456789 "
# structure types of blocks other than headings and bullets (tags.ROLE_MAP: how they read)
ROLES = {"judgment": "Judgment", "note": "Summary"}
LIST = "<< /O /List /ListNumbering /Disc >>"  # the attributes of a bulleted list
SOURCE_LIST = "<< /O /List /ListNumbering /None >>"  # the source list: labels S1, S2 ...
ANNEX_ROOM = 0.4  # the annex starts on the body's last page if more than this share is free


@dataclass(frozen=True)
class TextStyle:
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
    accent: bool = False  # drawn in the desk's accent colour


STYLES = {
    "title": TextStyle(22, 27, bold=True, accent=True, after=4),
    "subtitle": TextStyle(12.5, 16.5, color=SLATE, after=3),
    "cover": TextStyle(8.5, 12, color=SLATE),
    "h1": TextStyle(15, 19, bold=True, accent=True, before=16, after=6, keep=True),
    "h2": TextStyle(12.5, 16, bold=True, accent=True, before=14, after=5, keep=True),
    "h3": TextStyle(10.5, 14, bold=True, before=10, after=3, keep=True),
    "note": TextStyle(9.5, 13.5, italic=True, color=SLATE, left=9, before=2, after=8),
    "judgment": TextStyle(10, 14.5, before=6, after=10, left=10),
    "bullet": TextStyle(10, 14.5, left=14, after=4),
    "paragraph": TextStyle(10, 14.5, after=7),
    "toc1": TextStyle(10, 15, bold=True, left=0),
    "toc2": TextStyle(10, 14, left=14),
    "footnote": TextStyle(8, 10.5, left=16, after=2, bullet_indent=0, bullet_size=8),
    "key": TextStyle(8, 11, color=SLATE, after=3),
    "src_head": TextStyle(9.5, 13, bold=True, accent=True, before=9, left=24, keep=True,
                      bullet_indent=0, bullet_size=9.5, bullet_bold=True),
    "src_line": TextStyle(8.5, 12, left=24, after=1),
    "annex": TextStyle(8.5, 12, after=4),
    "cell": TextStyle(8.5, 11.5),
    "cell_head": TextStyle(8.5, 11.5, bold=True),
    "caption": TextStyle(9, 12, bold=True, after=3, keep=True),
    "running": TextStyle(7.5, 9, color=SLATE),
    "marking": TextStyle(8.5, 10, bold=True),
}


class Story:
    """Builds the flowables of a brief from its model.

    Text goes in as literal pieces (`text.Piece`), never as markup: `<`, `&` and `{{ }}`
    print as they are, and no time goes into parsing.
    """

    def __init__(self, brief: Brief, shaper: Shaper, text_w: float, tags: Tags):
        self.brief, self.shaper, self.text_w, self.tags = brief, shaper, text_w, tags
        self.fonts = shaper.fonts
        self.accent = HexColor(brief.style.accent) if _is_hex(brief.style.accent) else INK
        self.anchors = {s.anchor for s in brief.sources}
        self.labels = brief.labels

    def color(self, style: TextStyle):
        return self.accent if style.accent else style.color

    def text(self, text: str, style: TextStyle, bold=False, italic=False, color=None,
             link: str | None = None, out: list | None = None) -> list[Piece]:
        """Pieces that print `text` literally, each in the bundled font that has it."""
        out = [] if out is None else out
        bold, italic = bold or style.bold, italic or style.italic
        size, color = style.size, color or self.color(style)
        scale = self.fonts.scale
        for font, t in self.shaper.segments(text, bold, italic, self.text_w - style.left, size):
            fsize = size * scale.get(font, 1)
            prev = out[-1] if out else None
            if (prev is not None and prev.font == font and prev.size == fsize
                    and prev.color == color and not prev.rise and prev.link == link):
                out[-1] = Piece(prev.text + t, *prev[1:])  # a plain tuple copy: no _replace
            else:
                out.append(Piece(t, font, fsize, color, 0, link))
        return out

    def runs(self, runs, style: TextStyle, out: list | None = None) -> list[Piece]:
        """Model runs as pieces, each leading where the model says (`Run.link`)."""
        out = [] if out is None else out
        for run in runs:
            if isinstance(run, Run):
                link = run.link or None
                self.text(run.text, style, run.bold, run.italic,
                          color=self.accent if link else None, link=link, out=out)
        return out

    def block(self, pieces: list[Piece], style: TextStyle, bullet: str | None = None,
              **kw) -> TextBlock:
        mark = None
        if bullet is not None:
            fs = self.fonts
            mark = Bullet(bullet, fs.font(fs.primary, style.bullet_bold), style.bullet_size,
                          self.accent, style.bullet_indent)
        kw.setdefault("keep_with_next", style.keep)
        return TextBlock(pieces, leading=style.leading, size=style.size, left=style.left,
                         bullet=mark, space_before=style.before, space_after=style.after, **kw)

    def inlines(self, block: Block, style: TextStyle) -> list[Piece]:
        out: list[Piece] = []
        font = self.fonts.font(self.fonts.primary)
        previous_cite = False
        for item in block.inlines:
            if isinstance(item, Run):
                self.text(item.text, style, item.bold, item.italic, out=out)
                previous_cite = previous_cite and not item.text
            elif isinstance(item, Cite):
                for c in item.citations:
                    if c.source.anchor not in self.anchors:
                        raise BuildError(f"[{c.fact_id}] cites source {c.source.id}, which is "
                                         "not in the brief's Sources annex (hint: this is a bug "
                                         "in briefgen)")
                # a superscript number, linked to its note, which goes to the foot of the page
                # that shows the line
                mark = ("," if previous_cite else "") + str(item.number)
                out.append(Piece(mark, font, style.size * 0.68, self.accent, style.size * 0.34,
                                 "#" + item.anchor, self.note(item)))
                previous_cite = True
        return out

    def flowables(self) -> list:
        st, b = STYLES, self.brief
        tags, doc = self.tags, self.tags.document
        out = self.cover()
        headings = [(i, blk) for i, blk in enumerate(b.blocks) if blk.kind == "heading"]
        if b.toc and headings:
            out += self.contents(headings)
        bullets = None  # the list element of the bullets just placed
        for i, blk in enumerate(b.blocks):
            # where a message about the block points: its template line, else its facts
            who = f"{blk.origin}:" if blk.origin else f"[{', '.join(blk.fact_ids) or blk.kind}]"
            if blk.kind == "heading":
                # the model's outline level: 1, a part of the brief, is set as "h2" (the
                # annex's heading is "h1"), its depth in the PDF's outline 0
                depth = max(blk.level, 1) - 1
                style = st[f"h{min(depth + 2, 3)}"]
                out.append(self.block(self.inlines(blk, style), style, who=who,
                                      outline=(f"sec_{i}", blk.text.strip(), depth),
                                      tag=tags.element(_heading(depth), doc)))
                bullets = None
                continue
            if blk.kind == "table":
                out += self.table(blk)
                bullets = None
                continue
            if blk.kind == "bullet":
                if bullets is None:
                    bullets = tags.element("L", doc, attrs=LIST)
                item = tags.element("LI", bullets)
                kw = dict(label=tags.element("Lbl", item), tag=tags.element("LBody", item))
            else:
                bullets = None
                kw = dict(tag=tags.element(ROLES.get(blk.kind, "P"), doc))
            style = st.get(blk.kind, st["paragraph"])
            box = (Box(self.accent, SHADE) if blk.kind == "judgment" else
                   Box(self.accent, None, 1.5) if blk.kind == "note" else None)
            out.append(self.block(self.inlines(blk, style), style,
                                  "•" if blk.kind == "bullet" else None, box=box,
                                  notes=bool(blk.cites), who=who, **kw))
        if b.sources:
            out += self.annex()
        return out

    def cover(self) -> list:
        st, b, text = STYLES, self.brief, self.text
        tags, doc = self.tags, self.tags.document
        out = []
        if b.style.logo:
            figure = None if b.style.logo_decorative else tags.element(
                "Figure", doc, alt=b.style.logo_alt)
            out.append(_logo(b.style.logo, tag=figure))
        out.append(self.block(text(_no_runt(b.title), st["title"]), st["title"],
                              tag=tags.element("H1", doc)))
        if b.subtitle:
            out.append(self.block(text(b.subtitle, st["subtitle"]), st["subtitle"],
                                  tag=tags.element("P", doc)))
        for blk in b.cover:
            out.append(self.block(self.runs(blk.inlines, st["cover"]), st["cover"],
                                  tag=tags.element("P", doc)))
        out.append(Rule(1.4, self.accent, space_before=7, space_after=10))
        return out

    def contents(self, headings) -> list:
        """A linked contents list: each level-1/2 heading links to its section."""
        st, tags = STYLES, self.tags
        out = [self.block(self.text(self.labels.get("contents", ""), st["h2"]), st["h2"],
                          tag=tags.element(_heading(0), tags.document))]
        toc = tags.element("TOC", tags.document)
        for i, blk in headings:
            depth = max(blk.level, 1) - 1
            if depth > 1:
                continue
            style = st["toc1" if depth == 0 else "toc2"]
            out.append(self.block(self.text(blk.text, style, link=f"#sec_{i}"), style,
                                  tag=tags.element("TOCI", toc)))
        out.append(Rule(0.5, RULE, space_before=8, space_after=4))
        return out

    def note(self, cite: Cite) -> TextBlock:
        """A line's note, at the foot of the page that shows the line (named note_N); its
        sources link to their annex entries."""
        style = STYLES["footnote"]
        pieces = self.runs(cite.note, style)
        # read after its marker (`tags.Tags.run` puts it there), not at the foot of the page
        name = f"note_{cite.number}"
        return self.block(pieces, style, str(cite.number), anchor=name,
                          tag=self.tags.element("Note", None, id=name))

    def annex(self) -> list:
        """The annex: on the page the body ends on if more than half of it is left, else on a
        new one; the source list (a list: each entry's label, then its lines), then the
        annex's parts (headings, paragraphs, tables)."""
        st, b, tags = STYLES, self.brief, self.tags
        label = self.labels.get("sources", "")
        out = [PageBreak(room=ANNEX_ROOM),
               self.block(self.text(label, st["h1"]), st["h1"], outline=("sources", label, 0),
                          tag=tags.element(_heading(0), tags.document))]
        sources = tags.element("L", tags.document, attrs=SOURCE_LIST)
        for src in b.sources:
            out += self.annex_entry(src, tags.element("LI", sources))
        for i, blk in enumerate(b.annex):
            after = b.annex[i + 1] if i + 1 < len(b.annex) else None
            if blk.kind == "heading":
                out.append(self.block(self.runs(blk.inlines, st["h2"]), st["h2"],
                                      tag=tags.element(_heading(1), tags.document)))
            elif blk.kind == "table":
                out += self.table(blk)
            else:  # a paragraph that introduces a table stays with it
                out.append(self.block(self.runs(blk.inlines, st["annex"]), st["annex"],
                                      tag=tags.element(ROLES.get(blk.kind, "P"), tags.document),
                                      keep_with_next=after is not None and after.kind == "table"))
        return out

    def annex_entry(self, s: SourceEntry, item) -> list:
        """An entry of the source list, kept whole on its page: its label hangs before it."""
        head, line = STYLES["src_head"], STYLES["src_line"]
        body = self.tags.element("LBody", item)
        label = self.tags.element("Lbl", item)
        out = [self.block(self.runs(s.heading, head), head, s.label, anchor=s.anchor,
                          who=f"[{s.id}]", label=label, tag=self.tags.element("P", body))]
        for runs in s.lines:
            out.append(self.block(self.runs(runs, line), line, who=f"[{s.id}]",
                                  tag=self.tags.element("P", body)))
        for block in out[:-1]:
            block.keep_with_next = True
        return out

    def table(self, blk: Block) -> list:
        """A table of the model, with its caption above it if it has one: a Table element, a
        TR per row, a TH or TD per cell (a TH heads its column in the header rows, its row
        below them), a P per paragraph of a cell that has several."""
        tags, header_rows, st = self.tags, blk.header_rows, STYLES
        element = tags.element("Table", tags.document)
        who = f"{blk.origin}:" if blk.origin else "[annex]"
        out = []
        if blk.inlines:
            out.append(self.block(self.runs(blk.inlines, st["caption"]), st["caption"],
                                  who=who, tag=tags.element("Caption", element)))
        rows = []
        for i, cells in enumerate(blk.rows):
            tr = tags.element("TR", element)
            row = []
            for cell in cells:
                style = st["cell_head" if i < header_rows else "cell"]
                tag = tags.element("TH" if cell.header else "TD", tr, attrs=(
                    f"<< /O /Table /Scope /{'Column' if i < header_rows else 'Row'} >>"
                    if cell.header else None))
                row.append(TableCell([self.block(self.runs(line, style), style, tag=(
                    tags.element("P", tag) if len(cell.lines) > 1 else tag))
                    for line in cell.lines], tag))
            rows.append(TableRow(row, tr, i < header_rows))
        out.append(Table(rows, blk.widths or (1.0,) * len(blk.rows[0]), header_rows,
                         Colors(SHADE, self.accent, RULE), space_before=4, space_after=10,
                         who=who, keep_together=blk.keep_together))
        return out


def _is_hex(color: str) -> bool:
    return len(color or "") == 7 and color[0] == "#" and all(
        c in "0123456789abcdefABCDEF" for c in color[1:])


def _heading(depth: int) -> str:
    """The structure type of a heading at `depth` (0: a part of the brief): the title is the
    H1, so levels go on from H2, one at a time as the outline's do."""
    return f"H{min(depth + 2, 6)}"


def _describe(brief: Brief) -> dict[str, str]:
    """Where each link inside the brief goes, as its annotation says: the annex entry's
    heading, the section's heading (a URL says itself)."""
    out = {"#" + s.anchor: " ".join(filter(None, (s.label, "".join(r.text for r in s.heading)
                                                   or s.title))) for s in brief.sources}
    out.update((f"#sec_{i}", b.text.strip()) for i, b in enumerate(brief.blocks)
               if b.kind == "heading")
    note = brief.labels.get("note", "{number}")
    out.update(("#" + c.anchor, note.format(number=c.number)) for c in brief.cites)
    return out


def _logo(data: bytes, height: float = 16 * mm, tag: Element | None = None):
    from reportlab.lib.utils import ImageReader

    try:
        image = ImageReader(io.BytesIO(data))
        w, h = image.getSize()
    except Exception as exc:  # reportlab/PIL raise many kinds for a broken image
        raise BuildError(f"the desk's logo cannot be read as PNG or JPEG: {exc}") from None
    return Picture(image, height * w / h, height, space_after=6, tag=tag)


def fit(shaper: Shaper, text: str, size: float, width: float, bold: bool = False
        ) -> list[tuple[str, str, float]]:
    """The text as (font, text, size) pieces, cut short with "…" to fit `width`."""
    scale = shaper.fonts.scale
    words = text.split()
    for n in range(len(words), 0, -1):
        shown = " ".join(words[:n]) + ("" if n == len(words) else " …")
        segs = [(f, t, size * scale.get(f, 1)) for f, t in shaper.segments(shown, bold)]
        if sum(text_width(t, f, z) for f, t, z in segs) <= width or n == 1:
            return segs
    return []


def build_pdf(brief: Brief, fonts: FontSet, keep: list | None = None) -> bytes:
    """The PDF of `brief`; `keep`: a list that takes what the layout made, for a process that
    ends without freeing it (see render._render_packed)."""
    forget_widths()
    shaper = Shaper(fonts)
    page_w, page_h = PAGES.get(brief.style.page_size, A4)
    text_w = page_w - 2 * MARGIN_X
    # Arabic-script text is tagged as Arabic ("ar"): the model gives runs no language
    foreign = {} if brief.language.split("-")[0] == "ar" or fonts.arabic is None else {
        name: "ar" for name in fonts.arabic.fonts.values()}
    tags = Tags(_describe(brief), foreign, shaper.logical)
    story = Story(brief, shaper, text_w, tags)
    flowables = story.flowables()
    run, mark = STYLES["running"], STYLES["marking"]
    anchors = [s.anchor for s in brief.sources] + [f"note_{c.number}" for c in brief.cites] + [
        f"sec_{i}" for i, b in enumerate(brief.blocks) if b.kind == "heading"]
    frame = NotesFrame(MARGIN_X, MARGIN_BOTTOM, text_w, page_h - MARGIN_TOP - MARGIN_BOTTOM,
                       rule_color=RULE)
    # the running head takes what it needs, up to 3/5 of the line; the title the rest
    running = fit(shaper, brief.running_head, run.size, text_w * 3 / 5)
    furniture = Furniture(
        page_w, page_h, MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM,
        head=fit(shaper, brief.title, run.size, text_w - pieces_width(running) - 12),
        running_head=running,
        marking=fit(shaper, brief.marking, mark.size, text_w, bold=True)
        if brief.marking else [],
        page_label=brief.labels.get("page", "{page} / {pages}"),
        font=fonts.font(fonts.primary), size=run.size, ink=INK, rule=RULE,
        edition=fit(shaper, brief.edition, run.size, text_w * 2 / 3) if brief.edition else [])
    buf = io.BytesIO()
    info = dict(title=brief.title, author=brief.author, subject=brief.subject,
                keywords=", ".join(brief.keywords), created=brief.created, lang=brief.language)
    canvas = BriefCanvas(
        buf, pagesize=(page_w, page_h), invariant=1, initialFontName=fonts.font(fonts.primary),
        lang=brief.language, furniture=furniture, anchors=anchors,
        overrides=shaper.overrides, created=brief.created, tags=tags, info=info,
        pdfVersion=(1, 7))
    canvas.setAuthor(brief.author)
    canvas.setTitle(brief.title)
    canvas.setSubject(brief.subject)
    canvas.setCreator("briefgen")
    canvas.setProducer(None)
    canvas.setKeywords(list(brief.keywords))
    canvas.setViewerPreference("DisplayDocTitle", "true")
    try:
        lay_out(flowables, frame, canvas)
    except LayoutError as exc:
        raise BuildError(f"{exc.block.who or '[brief]'} a line and its notes do not fit on one "
                         "page of the PDF (hint: cite fewer or shorter quotes in that line)"
                         ) from None
    canvas.save()
    if keep is not None:
        keep += (story, flowables, frame, canvas, tags, buf)
    return buf.getvalue()


def _no_runt(title: str, least: int = 15) -> str:
    """The title with its last words bound by no-break spaces, up to three words or `least`
    characters, so that a title that wraps never leaves a word or two alone on its last line
    ("11–17 March 2024" stays whole, not "11–17 March / 2024")."""
    words = title.split(" ")
    tail = len(words) - 1
    while tail > 1 and len(words) - tail < 3 and len("\u00a0".join(words[tail:])) < least:
        tail -= 1
    return " ".join(words[:tail] + ["\u00a0".join(words[tail:])]) if tail > 0 else title

