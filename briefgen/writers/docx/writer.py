"""The Word writer: a Brief in, the bytes of a .docx out.

Citations are real Word footnotes that link to the source's entry in the "Sources" annex (a
bookmark per source); headings use Word's built-in Heading styles; the header carries the title and
the footer "Page X of Y". With a reference document (like pandoc's --reference-doc) its styles are
kept and only the styles it lacks are added; without one, the house style below applies.

Paragraphs are written as XML text (`ooxml_runs`, style ids resolved once) and parsed in one go, so
a brief of thousands of lines renders in seconds, and the package is written reproducibly: the same
brief gives byte-identical files.
"""

from __future__ import annotations

import re
from datetime import timezone
from pathlib import Path

from briefgen.compose.model import Block, Brief, Cite, SourceEntry
from briefgen.errors import BuildError
from briefgen.writers.docx.styles import ACCENT, GREY, INK, LIGHT, RELIABILITY, STYLES, StyleSpec
from briefgen.writers.docx.oxml.runs import ARABIC_FONT, Para, first_strong_is_rtl, has_rtl, parse

_BOOKMARK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
_BLOCK_KINDS = {"heading", "bullet", "paragraph", "note"}


def render_docx(brief: Brief, reference: Path | None = None) -> bytes:
    """Render `brief` as a .docx; `reference` optionally supplies the organisation's styles."""
    _validate(brief)
    import docx  # lazy: python-docx is only needed when a Word file is written

    from briefgen.writers.docx.oxml import package as ooxml

    if reference is not None:
        reference = Path(reference)
        if not reference.is_file():
            raise BuildError(f"reference document not found: {reference}")
        try:
            document = docx.Document(str(reference))
        except Exception as exc:  # zip, XML or content-type trouble: all mean "not a usable .docx"
            raise BuildError(f"reference document {reference} is not a readable .docx: {exc}") from exc
    else:
        document = docx.Document()
    try:
        return _DocxBuilder(document, brief, ooxml, house=reference is None).build()
    except ValueError as exc:  # lxml refuses characters XML cannot hold (title, subject, ...)
        raise BuildError(f"brief {brief.name}: text cannot be written to Word: {exc}") from exc


def _validate(brief: Brief) -> None:
    """Expected failures, reported before anything is built."""
    anchors: set[str] = set()
    for src in brief.sources:
        if not _BOOKMARK_NAME.match(src.anchor):
            raise BuildError(f"source {src.id}: anchor {src.anchor!r} is not a valid Word bookmark name "
                             "(a letter, then up to 39 letters, digits or underscores)")
        if src.anchor in anchors:
            raise BuildError(f"source {src.id}: anchor {src.anchor!r} is used by two annex entries")
        anchors.add(src.anchor)
    for block in brief.blocks:
        where = block.origin or "brief"
        if block.kind not in _BLOCK_KINDS:
            raise BuildError(f"{where}: unknown block kind {block.kind!r}")
        if block.kind == "heading" and block.level not in (1, 2, 3):
            raise BuildError(f"{where}: heading level {block.level} (Word briefs use levels 1-3)")
        for cite in block.cites:
            if cite.source.anchor not in anchors:
                raise BuildError(f"{where}: citation {cite.number} points to source {cite.source.id}, "
                                 "which has no entry in the Sources annex")


class _DocxBuilder:
    def __init__(self, document, brief: Brief, ooxml, *, house: bool) -> None:
        self.doc = document
        self.brief = brief
        self.x = ooxml
        self.house = house
        self._bookmark_id = 0

    # --- top level ------------------------------------------------------------------------------

    def build(self) -> bytes:
        x, brief = self.x, self.brief
        if self.house:
            self._house_setup()
        self._set_language()
        self.s = self._resolve_styles()
        self._drop_stale_parts()
        self.footnotes = x.Footnotes(self.doc.part)
        x.ensure_footnote_settings(self.doc.settings.element, self.footnotes.separator_ids)

        body = self.doc.element.body
        sect_pr = body.find(x.w("sectPr"))
        for child in list(body):
            body.remove(child)
        if sect_pr is not None:
            body.append(sect_pr)
        # Before the body fills up: python-docx finds the section by searching the whole body.
        self._header_footer()

        paragraphs = [p.xml() for p in self._title_block()]
        for block in brief.blocks:
            try:
                paragraphs.append(self._block(block).xml())
            except ValueError as exc:  # characters XML cannot hold
                raise BuildError(f"{block.origin or 'brief'}: text cannot be written to Word: {exc}") from exc
        if brief.sources:
            paragraphs.extend(p.xml() for p in self._annex())
        body.extend(parse("".join(paragraphs)))  # one parse for the whole body
        self.footnotes.flush()
        if sect_pr is not None:
            body.append(sect_pr)  # moves it back to the end, where Word expects it
        self._core_properties()
        return x.package_bytes(self.doc.part.package, brief.created)

    # --- styles ---------------------------------------------------------------------------------

    def _resolve_styles(self) -> dict[str, str]:
        """Style key -> style id: existing styles are kept (by name, then id); missing ones added."""
        x = self.x
        root = self.doc.styles.element
        by_name: dict[tuple[str, str], str] = {}
        by_id: dict[tuple[str, str], object] = {}
        default_para = default_char = None
        for st in root.iterfind(x.w("style")):
            stype, sid = st.get(x.w("type")), st.get(x.w("styleId"))
            name_el = st.find(x.w("name"))
            if name_el is not None and name_el.get(x.VAL):
                by_name.setdefault((stype, name_el.get(x.VAL).lower()), sid)
            by_id[(stype, sid)] = st
            if st.get(x.w("default")) in ("1", "true", "on"):
                if stype == "paragraph":
                    default_para = sid
                elif stype == "character":
                    default_char = sid
        if default_para is None:
            default_para = by_name.get(("paragraph", "normal"), "Normal")

        ids: dict[str, str] = {"normal": default_para}
        created: set[str] = set()
        for spec in STYLES:
            found = by_name.get((spec.type, spec.name.lower()))
            if found is None and (spec.type, spec.style_id) in by_id:
                found = spec.style_id
            if found is not None and not self.house:
                ids[spec.key] = found
                continue
            # House style (no reference) or missing from the reference: define it.
            sid = found or spec.style_id
            based_on = default_para if spec.type == "paragraph" else default_char
            element = self._style_element(spec, sid, based_on)
            old = by_id.get((spec.type, sid))
            if old is not None:
                old.addprevious(element)
                root.remove(old)
            else:
                root.append(element)
            by_id[(spec.type, sid)] = element
            ids[spec.key] = sid
            created.add(spec.key)
            if spec.key == "bullet":
                self._bullet_numbering(element)
        for spec in STYLES:  # w:next needs the final ids
            if spec.next_key and spec.key in created:
                nxt = by_id[(spec.type, ids[spec.key])].find(x.w("next"))
                if nxt is not None:
                    nxt.set(x.VAL, ids[spec.next_key])
        return ids

    def _style_element(self, spec: StyleSpec, sid: str, based_on: str | None):
        x = self.x
        st = x.etree.Element(x.w("style"), {x.w("type"): spec.type, x.w("styleId"): sid})
        x.sub(st, x.w("name"), {x.VAL: spec.name})
        if based_on:
            x.sub(st, x.w("basedOn"), {x.VAL: based_on})
        if spec.type == "paragraph" and based_on:
            x.sub(st, x.w("next"), {x.VAL: sid if spec.key == "bullet" else based_on})
        if spec.ui_priority is not None:
            x.sub(st, x.w("uiPriority"), {x.VAL: str(spec.ui_priority)})
        if spec.qformat:
            x.sub(st, x.w("qFormat"))
        if spec.type == "paragraph":
            ppr = x.parse_fragment(f"<w:pPr>{spec.ppr}</w:pPr>")
            st.append(ppr)
        if spec.rpr:
            st.append(x.parse_fragment(f"<w:rPr>{spec.rpr}</w:rPr>"))
        return st

    def _bullet_numbering(self, style) -> None:
        """Give a (new) List Bullet style its own bullet list definition."""
        x = self.x
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart

        part = self.doc.part
        try:
            numbering = part.part_related_by(RT.NUMBERING).element
        except KeyError:
            numbering = x.etree.Element(x.w("numbering"), nsmap={"w": x.W_NS})
            part.relate_to(XmlPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, numbering,
                                   part.package), RT.NUMBERING)
        abstract_ids = [int(a.get(x.w("abstractNumId"))) for a in numbering.iterfind(x.w("abstractNum"))]
        num_ids = [int(n.get(x.w("numId"))) for n in numbering.iterfind(x.w("num"))]
        abstract_id, num_id = max([-1, *abstract_ids]) + 1, max([0, *num_ids]) + 1
        abstract = x.parse_fragment(
            '<w:abstractNum><w:nsid w:val="42B1EF01"/><w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
            '<w:lvlText w:val="\u2022"/><w:lvlJc w:val="left"/>'
            '<w:pPr><w:tabs><w:tab w:val="num" w:pos="340"/></w:tabs>'
            '<w:ind w:left="340" w:hanging="340"/></w:pPr>'
            f'<w:rPr><w:rFonts w:ascii="{x.BODY_FONT}" w:hAnsi="{x.BODY_FONT}" w:hint="default"/>'
            f'<w:color w:val="{ACCENT}"/></w:rPr></w:lvl></w:abstractNum>')
        abstract.set(x.w("abstractNumId"), str(abstract_id))
        abstract.find(x.w("lvl")).insert(2, x.etree.Element(x.w("pStyle"), {x.VAL: style.get(x.w("styleId"))}))
        first_num = numbering.find(x.w("num"))
        if first_num is not None:
            first_num.addprevious(abstract)  # every abstractNum precedes every num
        else:
            numbering.append(abstract)
        num = x.etree.Element(x.w("num"), {x.w("numId"): str(num_id)})
        x.sub(num, x.w("abstractNumId"), {x.VAL: str(abstract_id)})
        cleanup = numbering.find(x.w("numIdMacAtCleanup"))
        if cleanup is not None:
            cleanup.addprevious(num)
        else:
            numbering.append(num)
        ppr = style.find(x.w("pPr"))
        num_pr = x.etree.Element(x.w("numPr"))
        x.sub(num_pr, x.w("numId"), {x.VAL: str(num_id)})
        ppr.insert(0, num_pr)

    def _house_setup(self) -> None:
        """House look on python-docx's default template: Noto fonts, A4 page."""
        from docx.shared import Twips

        x = self.x
        root = self.doc.styles.element
        rpr = root.find(f"{x.w('docDefaults')}/{x.w('rPrDefault')}/{x.w('rPr')}")
        if rpr is not None:
            fonts = rpr.find(x.RFONTS)
            if fonts is None:
                fonts = x.etree.Element(x.RFONTS)
                rpr.insert(0, fonts)
            fonts.attrib.clear()
            for attr in ("ascii", "hAnsi", "eastAsia"):
                fonts.set(x.w(attr), x.BODY_FONT)
            fonts.set(x.CS, ARABIC_FONT)
            for tag, size in ((x.SZ, "20"), (x.SZCS, "22")):
                el = rpr.find(tag)
                if el is not None:
                    el.set(x.VAL, size)
            color = rpr.find(x.COLOR)
            if color is None:
                color = x.etree.Element(x.COLOR)
                rpr.find(x.SZ).addprevious(color)
            color.set(x.VAL, INK)
        ppr = root.find(f"{x.w('docDefaults')}/{x.w('pPrDefault')}/{x.w('pPr')}")
        if ppr is not None:
            spacing = ppr.find(x.w("spacing"))
            if spacing is not None:
                spacing.attrib.clear()
                spacing.set(x.w("after"), "120")
                spacing.set(x.w("line"), "264")
                spacing.set(x.w("lineRule"), "auto")
        section = self.doc.sections[0]
        section.page_width, section.page_height = Twips(11906), Twips(16838)  # A4
        section.left_margin = section.right_margin = Twips(1247)  # 2.2 cm
        section.top_margin, section.bottom_margin = Twips(1418), Twips(1304)
        section.header_distance = section.footer_distance = Twips(680)

    def _set_language(self) -> None:
        x = self.x
        rpr = self.doc.styles.element.find(f"{x.w('docDefaults')}/{x.w('rPrDefault')}/{x.w('rPr')}")
        if rpr is None:
            return
        lang = rpr.find(x.w("lang"))
        if lang is None:
            lang = x.sub(rpr, x.w("lang"))
        lang.set(x.VAL, self.brief.language)
        if lang.get(x.w("bidi")) is None:
            lang.set(x.w("bidi"), "ar-SA")

    def _drop_stale_parts(self) -> None:
        """Drop what would describe some other document: the template's preview picture, and
        the Word 2010 copy of the styles (stylesWithEffects.xml), which lacks the styles added
        here; Word rebuilds both on save."""
        rels = self.doc.part.package.rels
        for rel_id, rel in list(rels.items()):
            if rel.reltype.endswith("/metadata/thumbnail"):
                rels.pop(rel_id)
        rels = self.doc.part.rels
        for rel_id, rel in list(rels.items()):
            if rel.reltype.endswith("/stylesWithEffects"):
                rels.pop(rel_id)

    # --- body -----------------------------------------------------------------------------------

    def _title_block(self):
        s = self.s
        for key, text in (("title", self.brief.title), ("subtitle", self.brief.subtitle)):
            if not text:
                continue
            rtl = first_strong_is_rtl(text)
            p = Para(s[key], bidi=rtl).add_text(text)
            if not rtl:
                p.isolate_rtl()
            yield p

    def _block(self, block: Block):
        s = self.s
        if block.kind == "heading":
            style = s[f"h{block.level}"]
        elif block.kind == "bullet":
            style = s["bullet"]
        elif block.kind == "note":
            style = s["note"]
        else:
            style = s["normal"]
        text = block.text
        rtl_paragraph = first_strong_is_rtl(text)
        p = Para(style, bidi=rtl_paragraph)
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
        if not rtl_paragraph:
            p.isolate_rtl()
        return p

    def _footnote(self, cite: Cite) -> int:
        """A footnote for `cite`: which source (linked to its annex entry), the quote, the fact."""
        s = self.s
        src = cite.source
        p = Para(s["fn_text"])
        p.footnote_ref_mark(s["fn_ref"])
        p.add_text(" ")
        p.link_to_bookmark(src.anchor, f"Source {src.number}", style=s["hyperlink"])
        rtl = has_rtl(src.publisher) or has_rtl(src.title) or has_rtl(cite.quote)
        if rtl:  # each field its own text, so Arabic never swallows the punctuation around it
            p.add_text(": ")
            p.add_text(src.publisher)
            p.add_text(", \u201c")
            p.add_text(src.title)
            p.add_text(f"\u201d, {src.published}. \u201c")
        else:
            p.add_text(f": {src.publisher}, \u201c{src.title}\u201d, {src.published}. \u201c")
        p.add_text(cite.quote, italic=True)
        p.add_text(f"\u201d \u2014 {cite.fact_id}, {cite.date}.", color=GREY if self.house else None)
        p.isolate_rtl()
        return self.footnotes.add(p.xml())

    # --- annex ----------------------------------------------------------------------------------

    def _annex(self):
        s = self.s
        yield Para(s["h1"], page_break_before=True).add_text("Sources")
        for src in self.brief.sources:
            try:
                yield from self._source_entry(src)
            except ValueError as exc:
                raise BuildError(f"source {src.id}: text cannot be written to Word: {exc}") from exc

    def _source_entry(self, src: SourceEntry):
        s = self.s
        head = Para(s["src_heading"])
        self._bookmark_id += 1
        head.bookmark_start(self._bookmark_id, src.anchor)
        head.add_text(f"Source {src.number}\t")
        head.add_text(src.title)
        head.bookmark_end(self._bookmark_id)
        head.isolate_rtl()
        # A tab stop at the hanging indent aligns the title with the field values below.
        yield head

        yield self._field("Publisher", src.publisher)
        yield self._field("Author", src.author, missing="not stated")
        yield self._field("Published", src.published)
        if src.url:
            p = self._field("URL", None)
            rel_id = self.doc.part.relate_to(src.url, _RT_HYPERLINK, is_external=True)
            p.link_to_target(rel_id, src.url, style=s["hyperlink"])
            yield p
        else:
            yield self._field("URL", None, missing="none (archived copy only)")
        yield self._field("Archived copy", src.file_name)
        grade = RELIABILITY.get(src.reliability.upper())
        yield self._field("Reliability", f"{src.reliability} \u2014 {grade}" if grade else src.reliability)
        for n, quote in enumerate(src.quotes):
            p = Para(s["src_quote"])
            p.add_text(("Quoted" if n == 0 else "") + "\t", color=GREY)
            p.add_text("\u201c", italic=True)
            p.add_text(quote.text, italic=True)
            p.add_text("\u201d", italic=True)
            p.isolate_rtl()
            yield p
            p = Para(s["src_cited"]).add_text("cited by " + ", ".join(quote.fact_ids))
            yield p

    def _field(self, label: str, value: str | None, *, missing: str = ""):
        p = Para(self.s["src_field"]).add_text(label + "\t", color=GREY)
        if value:
            p.add_text(value)
        elif missing:
            p.add_text(missing, italic=True, color=LIGHT)
        return p

    # --- header, footer, properties ------------------------------------------------------------

    def _header_footer(self) -> None:
        x, s = self.x, self.s
        section = self.doc.sections[0]
        text_width = None
        if section.page_width and section.left_margin is not None and section.right_margin is not None:
            text_width = int(section.page_width.twips - section.left_margin.twips - section.right_margin.twips)

        hdr = section.header.part.element
        if not _has_content(hdr, x):
            _clear(hdr)
        para = Para(s["header"]).add_text(self.brief.title)
        if self.brief.subtitle:
            para.add_text("\t" + self.brief.subtitle)
        para.isolate_rtl()
        p = parse(para.xml())[0]
        if text_width:
            self._right_tab(p, s["header"], text_width)
        hdr.append(p)

        ftr = section.footer.part.element
        if any("PAGE" in (t.text or "") for t in ftr.iter(x.w("instrText"))) or any(
                "PAGE" in (f.get(x.w("instr")) or "") for f in ftr.iter(x.w("fldSimple"))):
            return  # the reference document already numbers its pages
        if not _has_content(ftr, x):
            _clear(ftr)
        p = Para(s["footer"], jc="center").add_text("Page ")
        p.field("PAGE", "1")
        p.add_text(" of ")
        p.field("NUMPAGES", "1")
        ftr.extend(parse(p.xml()))

    def _right_tab(self, p, style_id: str, pos: int) -> None:
        """A right tab stop at `pos`, clearing the tab stops the paragraph's style inherits (the
        usual center/right stops of a Header style sit elsewhere on another page size)."""
        x = self.x
        inherited: set[str] = set()
        styles = {st.get(x.w("styleId")): st for st in self.doc.styles.element.iterfind(x.w("style"))}
        seen: set[str] = set()
        while style_id in styles and style_id not in seen:
            seen.add(style_id)
            st = styles[style_id]
            for tab in st.iterfind(f"{x.PPR}/{x.w('tabs')}/{x.TAB}"):
                inherited.add(tab.get(x.w("pos")))
            based = st.find(x.w("basedOn"))
            style_id = based.get(x.VAL) if based is not None else None
        tabs = x.etree.Element(x.w("tabs"))
        for old in sorted((t for t in inherited if t and t != str(pos)), key=int):
            x.sub(tabs, x.TAB, {x.VAL: "clear", x.w("pos"): old})
        x.sub(tabs, x.TAB, {x.VAL: "right", x.w("pos"): str(pos)})
        p.find(x.PPR).find(x.PSTYLE).addnext(tabs)

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


_RT_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _prop(value: str) -> str:
    """Core properties hold at most 255 characters."""
    return value if len(value) <= 255 else value[:254] + "\u2026"


def _has_content(part_root, x) -> bool:
    return any((t.text or "").strip() for t in part_root.iter(x.T)) or any(
        True for _ in part_root.iter(x.w("drawing"), x.w("pict"), x.w("fldSimple"), x.w("instrText")))


def _clear(part_root) -> None:
    for child in list(part_root):
        part_root.remove(child)
