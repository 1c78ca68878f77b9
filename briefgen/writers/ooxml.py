"""Raw WordprocessingML for what python-docx has no API for.

Footnotes part, bookmarks, internal and external hyperlinks, fields (PAGE, NUMPAGES), right-to-left
runs, and a reproducible package writer. Every element is built with lxml, so text from fact files
always lands in text nodes (escaped by lxml), never in markup. python-docx is imported lazily.
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
import zipfile
from datetime import datetime, timezone
from typing import Iterable

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

ARABIC_FONT = "Noto Naskh Arabic"
BODY_FONT = "Noto Sans"


def w(tag: str) -> str:
    """Clark name of a `w:` element or attribute."""
    return f"{{{W_NS}}}{tag}"


# Names used on hot paths, resolved once.
P, PPR, PSTYLE, R, RPR, RSTYLE, T = w("p"), w("pPr"), w("pStyle"), w("r"), w("rPr"), w("rStyle"), w("t")
VAL, ID, NAME = w("val"), w("id"), w("name")
B, BCS, I, ICS, COLOR, SZ, SZCS, U = w("b"), w("bCs"), w("i"), w("iCs"), w("color"), w("sz"), w("szCs"), w("u")
VERT_ALIGN, RTL, RFONTS, CS, HINT = w("vertAlign"), w("rtl"), w("rFonts"), w("cs"), w("hint")
BR, TAB, BIDI, JC = w("br"), w("tab"), w("bidi"), w("jc")
HYPERLINK, ANCHOR, HISTORY = w("hyperlink"), w("anchor"), w("history")
BOOKMARK_START, BOOKMARK_END = w("bookmarkStart"), w("bookmarkEnd")
FOOTNOTE, FOOTNOTE_REFERENCE, FOOTNOTE_REF, TYPE = (
    w("footnote"), w("footnoteReference"), w("footnoteRef"), w("type"))
R_ID = f"{{{R_NS}}}id"

# Any right-to-left letter (Hebrew, Arabic, Syriac, Thaana, NKo, ..., presentation forms).
_RTL_CHAR = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]|[\U00010800-\U00010fff]|[\U0001e800-\U0001efff]")
_SPECIAL = re.compile("[\t\n\r]")


def parse_fragment(xml: str) -> etree._Element:
    """Parse a constant, writer-authored XML fragment (never user text) with w/r declared."""
    wrapped = f'<root xmlns:w="{W_NS}" xmlns:r="{R_NS}">{xml}</root>'
    return etree.fromstring(wrapped)[0]


def sub(parent: etree._Element, tag: str, attrib: dict | None = None) -> etree._Element:
    return etree.SubElement(parent, tag, attrib) if attrib else etree.SubElement(parent, tag)


# --- right-to-left text -------------------------------------------------------------------------

def has_rtl(text: str) -> bool:
    return _RTL_CHAR.search(text) is not None


def first_strong_is_rtl(text: str) -> bool:
    """Unicode bidi rule P2: the paragraph direction is that of its first strong character."""
    if not has_rtl(text):
        return False
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def bidi_segments(text: str) -> list[tuple[str, bool]]:
    """Split text into (segment, is_rtl) pieces.

    An RTL segment runs from a right-to-left letter to the last right-to-left letter before the
    next left-to-right letter, so the spaces and digits inside an Arabic phrase stay with it while
    the surrounding Latin text and punctuation stay left-to-right. Digits after the last Arabic
    word stay with it when no Latin text follows ("... في 2017"), else they go with the Latin
    text ("..., 28 August 2017").
    """
    if not has_rtl(text):
        return [(text, False)]
    kinds = [unicodedata.bidirectional(ch) for ch in text]
    out: list[tuple[str, bool]] = []
    n = len(text)
    i = start = 0
    while i < n:
        if kinds[i] in ("R", "AL"):
            j = i
            end = i  # last character (inclusive) of the RTL segment
            while j < n and kinds[j] != "L":
                if kinds[j] in ("R", "AL"):
                    end = j
                j += 1
            if j == n:  # nothing left-to-right follows: trailing numbers belong to the phrase
                for k in range(end + 1, n):
                    if kinds[k] in ("EN", "AN"):
                        end = k
            if i > start:
                out.append((text[start:i], False))
            out.append((text[i:end + 1], True))
            start = i = end + 1
        else:
            i += 1
    if start < n:
        out.append((text[start:], False))
    return out


LRM = "\u200e"
_ANY_RTL_RUN = f".//{RPR}/{RTL}"


def isolate_rtl(paragraph: etree._Element) -> None:
    """In a left-to-right paragraph, start the text after each right-to-left run with a
    LEFT-TO-RIGHT MARK, so punctuation and numbers that follow ("”, 28 August") are not pulled
    into the Arabic phrase by the bidi algorithm."""
    if paragraph.find(_ANY_RTL_RUN) is None:  # the usual case, found out in C
        return
    after_rtl = False
    for r in paragraph.iter(R):
        rpr = r.find(RPR)
        if rpr is not None and rpr.find(RTL) is not None:
            after_rtl = True
            continue
        t = r.find(T)
        if t is None:
            continue
        if after_rtl and t.text:
            t.text = LRM + t.text
        after_rtl = False


# --- runs ----------------------------------------------------------------------------------------

def make_rpr(*, style: str | None = None, bold: bool = False, italic: bool = False,
             color: str | None = None, size: int | None = None, superscript: bool = False,
             rtl: bool = False) -> etree._Element | None:
    """A run-properties element in schema order; None when there is nothing to say."""
    if not (style or bold or italic or color or size or superscript or rtl):
        return None
    rpr = etree.Element(RPR)
    if style:
        sub(rpr, RSTYLE, {VAL: style})
    if rtl:
        sub(rpr, RFONTS, {CS: ARABIC_FONT, HINT: "cs"})
    if bold:
        sub(rpr, B)
        sub(rpr, BCS)
    if italic:
        sub(rpr, I)
        sub(rpr, ICS)
    if color:
        sub(rpr, COLOR, {VAL: color})
    if size:
        sub(rpr, SZ, {VAL: str(size)})
        sub(rpr, SZCS, {VAL: str(size)})
    if superscript:
        sub(rpr, VERT_ALIGN, {VAL: "superscript"})
    if rtl:
        sub(rpr, RTL)
    return rpr


def _fill_run(r: etree._Element, text: str) -> None:
    """Put literal text into a run: tabs and line breaks become w:tab / w:br."""
    if _SPECIAL.search(text) is None:
        t = sub(r, T)
        t.set(XML_SPACE, "preserve")
        t.text = text
        return
    for piece in re.split(r"(\r\n|[\t\n\r])", text):
        if not piece:
            continue
        if piece == "\t":
            sub(r, TAB)
        elif piece in ("\n", "\r", "\r\n"):
            sub(r, BR)
        else:
            t = sub(r, T)
            t.set(XML_SPACE, "preserve")
            t.text = piece


def add_text(parent: etree._Element, text: str, *, style: str | None = None, bold: bool = False,
             italic: bool = False, color: str | None = None, size: int | None = None) -> None:
    """Append literal `text` as one or more runs to `parent` (a paragraph or hyperlink).

    Pieces in a right-to-left script get their own run marked `w:rtl` with the complex-script
    font, so Word and LibreOffice shape and order them correctly.
    """
    if not text:
        return
    for piece, rtl in bidi_segments(text):
        r = sub(parent, R)
        rpr = make_rpr(style=style, bold=bold, italic=italic, color=color, size=size, rtl=rtl)
        if rpr is not None:
            r.append(rpr)
        _fill_run(r, piece)


def new_paragraph(style_id: str | None, *, keep_next: bool = False, page_break_before: bool = False,
                  bidi: bool = False, jc: str | None = None) -> etree._Element:
    """A `w:p` with its paragraph properties in schema order."""
    p = etree.Element(P)
    if style_id or keep_next or page_break_before or bidi or jc:
        ppr = sub(p, PPR)
        if style_id:
            sub(ppr, PSTYLE, {VAL: style_id})
        if keep_next:
            sub(ppr, w("keepNext"))
        if page_break_before:
            sub(ppr, w("pageBreakBefore"))
        if bidi:
            sub(ppr, BIDI)
        if jc:
            sub(ppr, JC, {VAL: jc})
    return p


# --- bookmarks, hyperlinks, fields --------------------------------------------------------------

def bookmark_start(parent: etree._Element, bookmark_id: int, name: str) -> None:
    sub(parent, BOOKMARK_START, {ID: str(bookmark_id), NAME: name})


def bookmark_end(parent: etree._Element, bookmark_id: int) -> None:
    sub(parent, BOOKMARK_END, {ID: str(bookmark_id)})


def internal_hyperlink(parent: etree._Element, anchor: str) -> etree._Element:
    """A `w:hyperlink` to bookmark `anchor` in this document; add runs to the returned element."""
    return sub(parent, HYPERLINK, {ANCHOR: anchor, HISTORY: "1"})


def external_hyperlink(parent: etree._Element, rel_id: str) -> etree._Element:
    """A `w:hyperlink` to the external target of relationship `rel_id`."""
    return sub(parent, HYPERLINK, {R_ID: rel_id, HISTORY: "1"})


def add_field(parent: etree._Element, instruction: str, placeholder: str,
              rpr: etree._Element | None = None) -> None:
    """A complex field (`PAGE`, `NUMPAGES`, ...) with a cached result Word/LibreOffice refresh."""
    def run() -> etree._Element:
        r = sub(parent, R)
        if rpr is not None:
            r.append(_copy(rpr))
        return r

    sub(run(), w("fldChar"), {w("fldCharType"): "begin"})
    instr = sub(run(), w("instrText"))
    instr.set(XML_SPACE, "preserve")
    instr.text = f" {instruction} "
    sub(run(), w("fldChar"), {w("fldCharType"): "separate"})
    sub(run(), T).text = placeholder
    sub(run(), w("fldChar"), {w("fldCharType"): "end"})


def _copy(el: etree._Element) -> etree._Element:
    return copy.deepcopy(el)


# --- footnotes -----------------------------------------------------------------------------------

_SEPARATORS = f"""
<w:footnotes xmlns:w="{W_NS}" xmlns:r="{R_NS}">
  <w:footnote w:type="separator" w:id="-1">
    <w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:r><w:separator/></w:r></w:p>
  </w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0">
    <w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:r><w:continuationSeparator/></w:r></w:p>
  </w:footnote>
</w:footnotes>"""


class Footnotes:
    """The `word/footnotes.xml` part of a document: separators plus the footnotes we add."""

    def __init__(self, document_part) -> None:
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart
        from docx.oxml.parser import parse_xml

        root = None
        for rel_id, rel in list(document_part.rels.items()):
            if rel.reltype == RT.FOOTNOTES and not rel.is_external:
                # A reference document brings its own part: keep its separators, drop the rest.
                old = rel.target_part
                root = parse_xml(old.blob)
                for fn in root.findall(FOOTNOTE):
                    if fn.get(TYPE) in (None, "normal"):
                        root.remove(fn)
                partname = old.partname
                document_part.rels.pop(rel_id)
                break
        if root is None:
            root = parse_xml(_SEPARATORS.strip().encode())
            partname = PackURI("/word/footnotes.xml")
        self.root = root
        self._pending: list[etree._Element] = []
        ids = [int(fn.get(ID)) for fn in root.findall(FOOTNOTE) if fn.get(ID) is not None]
        self._next_id = max([0, *ids]) + 1
        self.separator_ids = [fn.get(ID) for fn in root.findall(FOOTNOTE)
                              if fn.get(TYPE) in ("separator", "continuationSeparator")]
        part = XmlPart(partname, CT.WML_FOOTNOTES, root, document_part.package)
        document_part.relate_to(part, RT.FOOTNOTES)
        self.part = part

    def new(self) -> tuple[int, etree._Element]:
        """A new, empty `w:footnote`; returns its id and the element to fill with paragraphs.

        It is built as a plain lxml element (fast) and joins the part on `flush()`.
        """
        fid = self._next_id
        self._next_id += 1
        footnote = etree.Element(FOOTNOTE, {ID: str(fid)})
        self._pending.append(footnote)
        return fid, footnote

    def flush(self) -> None:
        """Move the footnotes built so far into the part."""
        self.root.extend(self._pending)
        self._pending = []


def footnote_reference(parent: etree._Element, footnote_id: int, style_id: str) -> None:
    """The body run that places footnote `footnote_id` (Word numbers it automatically)."""
    r = sub(parent, R)
    sub(sub(r, RPR), RSTYLE, {VAL: style_id})
    sub(r, FOOTNOTE_REFERENCE, {ID: str(footnote_id)})


def footnote_ref_mark(parent: etree._Element, style_id: str) -> None:
    """The run inside a footnote that shows its own number."""
    r = sub(parent, R)
    sub(sub(r, RPR), RSTYLE, {VAL: style_id})
    sub(r, FOOTNOTE_REF)


# Successors of w:footnotePr in CT_Settings, to insert it at its schema position.
_SETTINGS_AFTER_FOOTNOTEPR = [w(t) for t in (
    "endnotePr", "compat", "docVars", "rsids")] + [
    "{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr"] + [w(t) for t in (
        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
        "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
        "listSeparator")]


def ensure_footnote_settings(settings: etree._Element, separator_ids: Iterable[str]) -> None:
    """Declare the separator footnotes in settings.xml, as Word itself does."""
    if settings.find(w("footnotePr")) is not None:
        return
    pr = etree.Element(w("footnotePr"))
    for sid in separator_ids:
        sub(pr, FOOTNOTE, {ID: sid})
    insert_in_order(settings, pr, _SETTINGS_AFTER_FOOTNOTEPR)


def insert_in_order(parent: etree._Element, child: etree._Element, successors: list[str]) -> None:
    """Insert `child` before the first existing element whose tag is in `successors`."""
    wanted = set(successors)
    for el in parent:
        if el.tag in wanted:
            el.addprevious(child)
            return
    parent.append(child)


# --- reproducible package ------------------------------------------------------------------------

_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


def _content_types(parts) -> bytes:
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.spec import default_content_types

    defaults = {"rels": CT.OPC_RELATIONSHIPS, "xml": CT.XML}
    overrides = {}
    for part in parts:
        ext = part.partname.ext
        if (ext.lower(), part.content_type) in default_content_types:
            defaults[ext.lower()] = part.content_type
        else:
            overrides[str(part.partname)] = part.content_type
    root = etree.Element(f"{{{_CT_NS}}}Types", nsmap={None: _CT_NS})
    for ext in sorted(defaults):
        sub(root, f"{{{_CT_NS}}}Default", {"Extension": ext, "ContentType": defaults[ext]})
    for name in sorted(overrides):
        sub(root, f"{{{_CT_NS}}}Override", {"PartName": name, "ContentType": overrides[name]})
    return etree.tostring(root, encoding="UTF-8", standalone=True)


def zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry timestamp (UTC, clamped to the range zip can store)."""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    stamp = when.timetuple()[:6]
    return max((1980, 1, 1, 0, 0, 0), min(stamp, (2107, 12, 31, 23, 59, 58)))


def package_bytes(package, when: datetime) -> bytes:
    """Serialise a python-docx package reproducibly.

    Same parts in the same order ([Content_Types].xml first, as Word writes it), every entry
    stamped `when`, fixed permissions and compression: same document, same bytes.
    """
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    entries: list[tuple[str, bytes]] = [
        ("[Content_Types].xml", _content_types(parts)),
        ("_rels/.rels", package.rels.xml),
    ]
    for part in parts:
        entries.append((part.partname.membername, part.blob))
        if len(part.rels):
            entries.append((part.partname.rels_uri.membername, part.rels.xml))
    stamp = zip_time(when)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, blob in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, blob, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buf.getvalue()
