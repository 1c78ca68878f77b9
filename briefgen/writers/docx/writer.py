"""The Word writer: a Brief in, the bytes of a .docx out (brief model -> paragraphs).

Citations are real Word footnotes holding the note the model words (source reference linked to
its entry in the Sources annex, then the exact quote); headings use Word's Heading styles, so the
navigation pane and the table of contents work; the annex's tables are Word tables whose header
rows repeat on every page. With a reference document (like pandoc's
--reference-doc) its styles are kept and only the styles it lacks are added. Every word comes
from the model; all raw XML (styles, numbering, footnotes, fields, header and footer, the
package) is in `oxml/`. The same brief gives byte-identical files.
"""

from __future__ import annotations

import re
from datetime import timezone
from pathlib import Path

from briefgen.compose.model import Block, Brief, Cite, Run, SourceEntry
from briefgen.errors import BuildError
from briefgen.resources import FONTS
from briefgen.writers.bidi import first_strong_is_rtl

_BOOKMARK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
_BLOCK_KINDS = {"heading", "bullet", "paragraph", "note", "judgment", "table"}
_STYLE_OF = {"bullet": "bullet", "note": "note", "judgment": "judgment", "paragraph": "normal"}


# The document the next render of a reference starts from, opened by the Word worker while
# it waits for its first brief (`open_ahead`): (reference, its size and time) -> Document.
_AHEAD: dict = {}


def render_docx(brief: Brief, reference: Path | None = None, fonts: Path | None = None) -> bytes:
    """Render `brief` as a .docx; `reference` optionally supplies the organisation's styles,
    `fonts` the folder of the fonts to embed (the packaged ones by default)."""
    _validate(brief)
    document = _AHEAD.pop(_version(reference), None) or _open(reference)
    _AHEAD.clear()
    try:
        return _DocxBuilder(document, brief, house=reference is None,
                            fonts=FONTS if fonts is None else Path(fonts)).build()
    except ValueError as exc:  # lxml refuses characters XML cannot hold (title, subject, ...)
        raise BuildError(f"brief {brief.name}: text cannot be written to Word: {exc}") from exc


def open_ahead(reference: Path | None) -> None:
    """Import what a render uses and open the reference document (python-docx's own default
    if None) for the next render: a third of a short brief's render. Its problems are left to
    say to that render."""
    from briefgen.writers.docx.oxml import furniture, house, styles, tables  # noqa: F401

    _AHEAD.clear()
    try:
        _AHEAD[_version(reference)] = _open(reference)
    except BuildError:
        pass


def _version(reference: Path | None) -> tuple:
    """The reference file as it is now: its path, size and modification time."""
    if reference is None:
        return ()
    try:
        stat = Path(reference).stat()
    except OSError:
        return (str(reference),)
    return str(reference), stat.st_size, stat.st_mtime_ns


def _open(reference: Path | None):
    import docx  # lazy: python-docx is only needed when a Word file is written

    if reference is None:
        return docx.Document()
    reference = Path(reference)
    if not reference.is_file():
        raise BuildError(f"reference document not found: {reference}")
    try:
        return docx.Document(str(reference))
    except Exception as exc:  # zip, XML or content-type trouble: all mean "not a usable .docx"
        raise BuildError(f"reference document {reference} is not a readable .docx: "
                         f"{exc}") from exc


def _validate(brief: Brief) -> None:
    """Expected failures, reported before anything is built."""
    anchors: set[str] = set()
    for src in brief.sources:
        if not _BOOKMARK_NAME.match(src.anchor):
            raise BuildError(f"source {src.id}: anchor {src.anchor!r} is not a valid Word bookmark "
                             "name (a letter, then up to 39 letters, digits or underscores)")
        if src.anchor in anchors:
            raise BuildError(f"source {src.id}: anchor {src.anchor!r} is used by two annex entries")
        anchors.add(src.anchor)
    for block in (*brief.blocks, *brief.annex):
        where = block.origin or "brief"
        if block.kind not in _BLOCK_KINDS:
            raise BuildError(f"{where}: unknown block kind {block.kind!r}")
        if block.kind == "heading" and block.level not in (1, 2, 3):
            raise BuildError(f"{where}: heading level {block.level} (Word briefs use levels 1-3)")
        if block.kind == "table" and block.table_problem():
            raise BuildError(f"{where}: {block.table_problem()}")
        for cite in block.cites:
            if cite.source.anchor not in anchors:
                raise BuildError(f"{where}: citation {cite.number} points to source "
                                 f"{cite.source.id}, which has no entry in the Sources annex")


class _DocxBuilder:
    def __init__(self, document, brief: Brief, *, house: bool, fonts: Path) -> None:
        from briefgen.writers.docx.oxml import package, runs

        self.doc, self.brief, self.house, self.fonts = document, brief, house, fonts
        self.x, self.Para = package, runs.Para
        self.labels = brief.labels
        self._bookmark_id = 0
        self.toc_anchors: dict[int, str] = {}  # block index -> bookmark of a heading in the TOC
        # block index -> Word heading level of each heading of the body: the model's outline
        self.outline = {i: b.level for i, b in enumerate(brief.blocks) if b.kind == "heading"}

    def build(self) -> bytes:
        from briefgen.writers.docx.oxml import furniture, styles
        from briefgen.writers.docx.oxml.fonts import embed_fonts
        from briefgen.writers.docx.oxml.runs import parse

        x, brief, doc = self.x, self.brief, self.doc
        if self.house:
            styles.house_setup(doc)
        styles.page_size(doc, brief.style.page_size)
        styles.set_language(doc, brief.language)
        self.s = styles.resolve_styles(doc, house=self.house, accent=brief.style.accent)
        if not self.house:
            styles.recolour(doc, type(brief.style)().accent, brief.style.accent)
        styles.drop_stale_parts(doc)
        self.footnotes = x.Footnotes(doc.part)
        x.ensure_footnote_settings(doc.settings.element, self.footnotes.separator_ids)

        body = doc.element.body
        sect_pr = body.find(x.w("sectPr"))
        for child in list(body):
            body.remove(child)
        if sect_pr is not None:
            body.append(sect_pr)
        # Before the body fills up: python-docx finds the section by searching the whole body.
        furniture.header_footer(doc, self.s, title=brief.title, running_head=brief.running_head,
                                classification=brief.marking,
                                page_label=self.labels.get("page", "{page} / {pages}"),
                                edition=brief.edition)

        if brief.toc:
            self.toc_anchors = {i: f"_Toc{i:06d}" for i, level in self.outline.items()
                                if level <= 2}
        paragraphs = [p.xml() for p in self._cover()]
        paragraphs += self._contents()
        for i, block in enumerate(brief.blocks):
            if block.kind == "judgment" and i and brief.blocks[i - 1].kind == "judgment":
                # Word draws neighbouring paragraphs with the same border and shading as one
                # box; an empty paragraph between keeps each judgment in its own, as in the PDF
                paragraphs.append(self.Para(self.s["normal"]).xml())
            try:
                if block.kind == "table":
                    paragraphs += [t.xml() for t in self._table(block)]
                    continue
                paragraphs.append(self._block(block, self.outline.get(i),
                                              self.toc_anchors.get(i)).xml())
            except ValueError as exc:  # characters XML cannot hold
                raise BuildError(f"{block.origin or 'brief'}: text cannot be written to Word: "
                                 f"{exc}") from exc
        if brief.sources:
            paragraphs.extend(p.xml() for p in self._annex())

        if paragraphs[-1].startswith("<w:tbl>"):  # Word wants a paragraph after a table
            paragraphs.append(self.Para(self.s["normal"]).xml())
        body.extend(parse("".join(paragraphs)))  # one parse for the whole body
        self.footnotes.flush()
        if sect_pr is not None:
            body.append(sect_pr)  # moves it back to the end, where Word expects it
        self._core_properties()
        embed_fonts(doc, self.fonts)
        return x.package_bytes(doc.part.package, brief.created)

    # --- cover and contents -------------------------------------------------------------------

    def _cover(self):
        s, brief = self.s, self.brief
        if brief.style.logo:
            from briefgen.writers.docx.oxml.furniture import logo_run

            p = self.Para(s["cover"])
            p.markup(logo_run(self.doc, brief.style.logo, alt=brief.style.logo_alt,
                              decorative=brief.style.logo_decorative))
            yield p
        for key, text in (("title", brief.title), ("subtitle", brief.subtitle)):
            if text:
                rtl = first_strong_is_rtl(text)
                p = self.Para(s[key], bidi=rtl).add_text(text)
                if not rtl:
                    p.isolate_rtl()
                yield p
        for block in brief.cover:
            yield self._runs(self.Para(s["cover"]), block.inlines)
        yield self.Para(s["cover_end"])  # the rule under the title block

    def _contents(self) -> list[str]:
        """The contents: a TOC field whose result is pre-filled with linked entries."""
        from briefgen.writers.docx.oxml.furniture import TOC_FIELD_END, toc_field_begin

        if not self.toc_anchors:
            return []
        s = self.s
        out = [self.Para(s["toc_heading"]).add_text(self.labels.get("contents", "")).xml()]
        items = list(self.toc_anchors.items())
        for n, (i, anchor) in enumerate(items):
            block = self.brief.blocks[i]
            p = self.Para(s["toc1" if self.outline[i] == 1 else "toc2"])
            if n == 0:
                p.markup(toc_field_begin())
            p.link_to_bookmark(anchor, block.text)
            if n == len(items) - 1:
                p.markup(TOC_FIELD_END)
            out.append(p.xml())
        out.append(self.Para(s["cover_end"]).xml())  # a rule under the contents, as in the PDF
        return out

    # --- body ---------------------------------------------------------------------------------

    def _block(self, block: Block, level: int | None = None, toc_anchor: str | None = None):
        s = self.s
        style = s[f"h{level}"] if block.kind == "heading" else s[_STYLE_OF[block.kind]]
        rtl_paragraph = first_strong_is_rtl(block.text)
        p = self.Para(style, bidi=rtl_paragraph)
        if toc_anchor:
            self._bookmark_id += 1
            p.bookmark_start(self._bookmark_id, toc_anchor)
        previous_cite = False
        for inline in block.inlines:
            if isinstance(inline, Cite):
                if previous_cite:  # keep adjacent markers apart: 1,2 not 12
                    p.add_text(",", style=s["fn_ref"])
                p.footnote_reference(self._footnote(inline), s["fn_ref"])
                previous_cite = True
            else:
                p.add_text(inline.text, bold=inline.bold, italic=inline.italic)
                previous_cite = previous_cite and not inline.text
        if toc_anchor:
            p.bookmark_end(self._bookmark_id)
        if not rtl_paragraph:
            p.isolate_rtl()
        return p

    def _footnote(self, cite: Cite) -> int:
        """A footnote holding the line's note, bookmarked as the note (other notes point to it);
        its links lead to annex entries, other notes and the web."""
        s = self.s
        p = self.Para(s["fn_text"])
        self._bookmark_id += 1
        p.bookmark_start(self._bookmark_id, cite.anchor)
        p.footnote_ref_mark(s["fn_ref"])
        p.bookmark_end(self._bookmark_id)
        p.add_text(" ")
        return self.footnotes.add(self._runs(p, cite.note).xml())

    def _runs(self, p, inlines):
        """Runs into paragraph `p`; a run with a link becomes a hyperlink, underlined whatever a
        reference document's Hyperlink style says (not colour alone)."""
        for run in inlines:
            if not isinstance(run, Run):
                continue
            if run.link.startswith("#"):
                p.link_to_bookmark(run.link[1:], run.text, style=self.s["hyperlink"],
                                   underline=True, bold=run.bold, italic=run.italic)
            elif run.link:
                rel_id = self.doc.part.relate_to(run.link, _RT_HYPERLINK, is_external=True)
                p.link_to_target(rel_id, run.text, style=self.s["hyperlink"], underline=True,
                                 bold=run.bold, italic=run.italic)
            else:
                p.add_text(run.text, bold=run.bold, italic=run.italic)
        p.isolate_rtl()
        return p

    # --- annex --------------------------------------------------------------------------------

    def _annex(self):
        """The annex, where the body ends (its heading kept with the first entry): the source
        list, each entry kept whole on its page, then the annex's parts (headings under the
        annex's, paragraphs, tables)."""
        s = self.s
        yield self.Para(s["h1"]).add_text(self.labels.get("sources", ""))
        for src in self.brief.sources:
            try:
                yield from self._source_entry(src)
            except ValueError as exc:
                raise BuildError(f"source {src.id}: text cannot be written to Word: {exc}") from exc
        annex = self.brief.annex
        for i, block in enumerate(annex):
            after = annex[i + 1] if i + 1 < len(annex) else None
            if block.kind == "heading":
                yield self._runs(self.Para(s["h2"]), block.inlines)
            elif block.kind == "table":
                yield from self._table(block)
            else:  # a paragraph that introduces a table stays with it
                keep = after is not None and after.kind == "table"
                yield self._runs(self.Para(s["key"], keep_next=keep), block.inlines)

    def _source_entry(self, src: SourceEntry):
        s = self.s
        head = self.Para(s["src_heading"])
        self._bookmark_id += 1
        head.bookmark_start(self._bookmark_id, src.anchor)
        head.add_text(f"{src.label}\t")  # the label hangs in the margin, like a footnote's number
        self._runs(head, src.heading)
        head.bookmark_end(self._bookmark_id)
        yield head
        for i, line in enumerate(src.lines):  # the entry's lines kept with its last one
            yield self._runs(self.Para(s["src_line"], keep_next=i < len(src.lines) - 1), line)

    def _table(self, block: Block):
        """A table of the model (its caption first, kept with it): header rows repeated on each
        page and kept whole, as every row is; a table to keep together, all on one page."""
        from briefgen.writers.docx.oxml.house import RULE, SHADE, accent_hex
        from briefgen.writers.docx.oxml.tables import table_xml

        s, header_rows = self.s, block.header_rows
        if block.inlines:
            yield self._runs(self.Para(s["caption"], keep_next=True), block.inlines)
        last = len(block.rows) - 1  # a table kept together: each row kept with the next
        rows = [[[self._runs(self.Para(s["cell_head" if i < header_rows else "cell"],
                                       keep_next=block.keep_together and i < last), line).xml()
                  for line in cell.lines] for cell in cells]
                for i, cells in enumerate(block.rows)]
        section = self.doc.sections[0]
        width = (section.page_width - section.left_margin - section.right_margin) // 635  # twips
        widths = list(block.widths) or [1.0] * len(block.rows[0])
        yield _Markup(table_xml(rows, widths, width, header_rows, shade=SHADE, rule=RULE,
                                accent=accent_hex(self.brief.style.accent)))

    # --- properties ---------------------------------------------------------------------------

    def _core_properties(self) -> None:
        brief = self.brief
        created = brief.created
        if created.tzinfo is not None:
            created = created.astimezone(timezone.utc).replace(tzinfo=None)
        cp = self.doc.core_properties
        cp.title = _prop(brief.title)
        cp.subject = _prop(brief.subject)
        cp.keywords = _prop(", ".join(brief.keywords))
        cp.author = _prop(brief.author)
        cp.last_modified_by = _prop(brief.author)
        cp.comments = ""
        cp.category = ""
        cp.language = _prop(brief.language)
        cp.revision = 1
        cp.created = created
        cp.modified = created


class _Markup(str):
    """Writer-made XML that is not a paragraph (a table), among the paragraphs of the body."""

    def xml(self) -> str:
        return str(self)


_RT_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _prop(value: str) -> str:
    """Core properties hold at most 255 characters."""
    return value if len(value) <= 255 else value[:254] + "\u2026"
