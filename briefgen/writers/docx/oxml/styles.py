"""Styles, numbering and page set-up of a Word document, as raw WordprocessingML.

A reference document's styles are kept (matched by name, then id) and only those it lacks are
added; without one the house style (`house`) applies, in the desk's accent colour and page size.
"""

from __future__ import annotations

from briefgen.writers.docx.oxml import package as x
from briefgen.writers.docx.oxml.house import INK, StyleSpec, accent_hex, house_styles
from briefgen.writers.docx.oxml.runs import ARABIC_FONT

# Page sizes and margins in twips (1/1440 inch).
PAGES = {"A4": (11906, 16838), "Letter": (12240, 15840)}


def resolve_styles(document, *, house: bool, accent: str) -> dict[str, str]:
    """Style key -> style id: existing styles are kept (by name, then id); missing ones added."""
    root = document.styles.element
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

    specs = house_styles(accent)
    ids: dict[str, str] = {"normal": default_para}
    created: set[str] = set()
    for spec in specs:
        found = by_name.get((spec.type, spec.name.lower()))
        if found is None and (spec.type, spec.style_id) in by_id:
            found = spec.style_id
        if found is not None and not house:
            ids[spec.key] = found
            continue
        # House style (no reference) or missing from the reference: define it.
        sid = found or spec.style_id
        based_on = default_para if spec.type == "paragraph" else default_char
        element = _style_element(spec, sid, based_on)
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
            _bullet_numbering(document, element, accent)
    for spec in specs:  # w:next needs the final ids
        if spec.next_key and spec.key in created:
            nxt = by_id[(spec.type, ids[spec.key])].find(x.w("next"))
            if nxt is not None:
                nxt.set(x.VAL, ids[spec.next_key])
    return ids


def recolour(document, old: str, new: str) -> None:
    """Styles of a reference document still in the house accent `old` take the desk's `new`:
    a desk that recoloured a style in Word keeps its colour, the sample follows the settings."""
    old, new = accent_hex(old), accent_hex(new)
    if old == new:
        return
    for el in document.styles.element.iter(x.COLOR, *(x.w(s) for s in ("top", "left", "bottom",
                                                                          "right"))):
        for attr in (x.VAL, x.w("color")):
            if (el.get(attr) or "").upper() == old:
                el.set(attr, new)


def make_reference(accent: str, when) -> bytes:
    """A reference document in the house style (what `templates/reference.docx` is made of)."""
    import docx

    document = docx.Document()
    house_setup(document)
    page_size(document, "A4")
    set_language(document, "en")
    resolve_styles(document, house=True, accent=accent)
    drop_stale_parts(document)
    body = document.element.body
    for child in list(body):
        if child.tag != x.w("sectPr"):
            body.remove(child)
    body.insert(0, x.etree.Element(x.w("p")))  # Word wants a paragraph in the body
    return x.package_bytes(document.part.package, when)


def _style_element(spec: StyleSpec, sid: str, based_on: str | None):
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
        st.append(x.parse_fragment(f"<w:pPr>{spec.ppr}</w:pPr>"))
    if spec.rpr:
        st.append(x.parse_fragment(f"<w:rPr>{spec.rpr}</w:rPr>"))
    return st


def _bullet_numbering(document, style, accent: str) -> None:
    """Give a (new) List Bullet style its own bullet list definition."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import XmlPart

    part = document.part
    try:
        numbering = part.part_related_by(RT.NUMBERING).element
    except KeyError:
        numbering = x.etree.Element(x.w("numbering"), nsmap={"w": x.W_NS})
        part.relate_to(XmlPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, numbering,
                               part.package), RT.NUMBERING)
    abstract_ids = [int(a.get(x.w("abstractNumId")))
                    for a in numbering.iterfind(x.w("abstractNum"))]
    num_ids = [int(n.get(x.w("numId"))) for n in numbering.iterfind(x.w("num"))]
    abstract_id, num_id = max([-1, *abstract_ids]) + 1, max([0, *num_ids]) + 1
    color = accent_hex(accent)
    abstract = x.parse_fragment(
        '<w:abstractNum><w:nsid w:val="42B1EF01"/><w:multiLevelType w:val="singleLevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
        '<w:lvlText w:val="\u2022"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:tabs><w:tab w:val="num" w:pos="340"/></w:tabs>'
        '<w:ind w:left="340" w:hanging="340"/></w:pPr>'
        f'<w:rPr><w:rFonts w:ascii="{x.BODY_FONT}" w:hAnsi="{x.BODY_FONT}" w:hint="default"/>'
        f'<w:color w:val="{color}"/></w:rPr></w:lvl></w:abstractNum>')
    abstract.set(x.w("abstractNumId"), str(abstract_id))
    p_style = x.etree.Element(x.w("pStyle"), {x.VAL: style.get(x.w("styleId"))})
    abstract.find(x.w("lvl")).insert(2, p_style)
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


def house_setup(document) -> None:
    """House look on python-docx's default template: Noto fonts, sizes, spacing, margins."""
    from docx.shared import Twips

    root = document.styles.element
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
    section = document.sections[0]
    section.left_margin = section.right_margin = Twips(1247)  # 2.2 cm
    section.top_margin, section.bottom_margin = Twips(1418), Twips(1304)
    section.header_distance = section.footer_distance = Twips(680)


def page_size(document, size: str) -> None:
    """The desk's page size (A4 or Letter), whatever the template had."""
    from docx.shared import Twips

    width, height = PAGES.get(size, PAGES["A4"])
    section = document.sections[0]
    section.page_width, section.page_height = Twips(width), Twips(height)


def set_language(document, language: str) -> None:
    rpr = document.styles.element.find(f"{x.w('docDefaults')}/{x.w('rPrDefault')}/{x.w('rPr')}")
    if rpr is None:
        return
    lang = rpr.find(x.w("lang"))
    if lang is None:
        lang = x.sub(rpr, x.w("lang"))
    lang.set(x.VAL, language)
    if lang.get(x.w("bidi")) is None:
        lang.set(x.w("bidi"), "ar-SA")


def drop_stale_parts(document) -> None:
    """Drop what would describe some other document: the template's preview picture, and
    the Word 2010 copy of the styles (stylesWithEffects.xml), which lacks the styles added
    here; Word rebuilds both on save."""
    rels = document.part.package.rels
    for rel_id, rel in list(rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            rels.pop(rel_id)
    rels = document.part.rels
    for rel_id, rel in list(rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            rels.pop(rel_id)
