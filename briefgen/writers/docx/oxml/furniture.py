"""Page furniture of a Word document as raw WordprocessingML: header, footer, fields, logo.

The header carries the classification marking (centred) over the title and running head; the
footer the page pattern (its {page} and {pages} become PAGE and NUMPAGES fields), after the
edition line of a brief that is sent, over the marking again. The cover page has the marking
and the footer but no title line (the title is right under it), as in the PDF. A reference
document that numbers its own pages keeps its footer.
"""

from __future__ import annotations

import re

from briefgen.writers.docx.oxml import package as x
from briefgen.writers.docx.oxml.runs import Para, parse

_PAGE_FIELDS = re.compile(r"(\{page\}|\{pages\})")


def header_footer(document, styles: dict[str, str], *, title: str, running_head: str,
                  classification: str, page_label: str, edition: str = "") -> None:
    section = document.sections[0]
    text_width = None
    if section.page_width and section.left_margin is not None and section.right_margin is not None:
        text_width = int(section.page_width.twips - section.left_margin.twips
                         - section.right_margin.twips)
    mark = marking(styles, classification).xml() if classification else ""

    hdr = section.header.part.element
    own_header = _has_content(hdr)  # a reference document's own header is kept
    if not own_header:
        _clear(hdr)
    para = Para(styles["header"]).add_text(title)
    if running_head:
        para.add_text("\t" + running_head)
    para.isolate_rtl()
    elements = parse(mark + para.xml())
    if text_width:
        _right_tab(document, elements[-1], styles["header"], text_width)
    hdr.extend(elements)

    ftr = section.footer.part.element
    if any("PAGE" in (t.text or "") for t in ftr.iter(x.w("instrText"))) or any(
            "PAGE" in (f.get(x.w("instr")) or "") for f in ftr.iter(x.w("fldSimple"))):
        return  # the reference document already numbers its pages
    if not _has_content(ftr):
        _clear(ftr)
    # as in the PDF: the page label right, over a rule; the edition line left of it
    p = Para(styles["footer"], jc=None if edition else "right")
    if edition:
        p.add_text(edition + "\t")
    for piece in _PAGE_FIELDS.split(page_label):
        if piece == "{page}":
            p.field("PAGE", "1")
        elif piece == "{pages}":
            p.field("NUMPAGES", "1")
        else:
            p.add_text(piece)
    footer = p.xml() + mark

    def footer_elements() -> list:
        elements = parse(footer)
        if edition and text_width:
            _right_tab(document, elements[0], styles["footer"], text_width)
        return elements

    ftr.extend(footer_elements())
    if not own_header and not section.different_first_page_header_footer:
        # the cover page: the marking, no title line over the title itself; the same footer
        section.different_first_page_header_footer = True
        _clear(section.first_page_header.part.element)
        section.first_page_header.part.element.extend(parse(mark or "<w:p/>"))
        _clear(section.first_page_footer.part.element)
        section.first_page_footer.part.element.extend(footer_elements())


def marking(styles: dict[str, str], classification: str) -> Para:
    """The classification marking, centred (its style says so)."""
    return Para(styles["marking"]).add_text(classification)


def toc_field_begin(levels: str = "1-2") -> str:
    """Runs that open a TOC field (hyperlinked entries); its result is the paragraphs that
    follow, pre-filled so the contents read well before Word updates the field."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> TOC \\o "{levels}" \\h \\z \\u </w:instrText>'
            '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>')


TOC_FIELD_END = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def logo_run(document, image: bytes, *, alt: str = "", decorative: bool = False,
             height_cm: float = 1.6) -> str:
    """A run showing the logo (PNG or JPEG) `height_cm` high, as XML text: its alt text for a
    screen reader, or Word's mark that it is decorative (which readers then skip)."""
    import io

    from docx.shared import Cm
    from lxml import etree

    inline = document.part.new_pic_inline(io.BytesIO(image), None, Cm(height_cm))
    # new_pic_inline names the picture after the stream; a fixed name keeps builds identical
    for el in inline.iter("{*}docPr", "{*}cNvPr"):  # the drawing's and the picture's
        el.set("name", "logo")
        if alt and not decorative:
            el.set("descr", alt)
    if decorative:
        doc_pr = inline.find(f"{{{_WP_NS}}}docPr")
        doc_pr.append(etree.fromstring(_DECORATIVE))
    drawing = etree.tostring(inline, encoding="unicode")
    return f"<w:r><w:drawing>{drawing}</w:drawing></w:r>"


_WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
# Word's "Mark as decorative" (Office 2019 and later; older readers ignore the extension)
_DECORATIVE = (
    '<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:ext uri="{C183D7F6-B498-43B3-948B-1728B52AA6E4}">'
    '<adec:decorative xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/decorative"'
    ' val="1"/></a:ext></a:extLst>')


def _right_tab(document, p, style_id: str, pos: int) -> None:
    """A right tab stop at `pos`, clearing the tab stops the paragraph's style inherits (the
    usual center/right stops of a Header style sit elsewhere on another page size)."""
    inherited: set[str] = set()
    styles = {st.get(x.w("styleId")): st for st in document.styles.element.iterfind(x.w("style"))}
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


def _has_content(part_root) -> bool:
    return any((t.text or "").strip() for t in part_root.iter(x.T)) or any(
        True for _ in part_root.iter(x.w("drawing"), x.w("pict"), x.w("fldSimple"),
                                     x.w("instrText")))


def _clear(part_root) -> None:
    for child in list(part_root):
        part_root.remove(child)
