"""The PDF canvas: deferred pages for "page x of y", page furniture, named destinations, links.

Every reportlab canvas internal the PDF writer leans on is here (the deferred page state, the
catalog's /Names tree, the ready-made link annotations); those of the structure tree are in
`tags`. Imported only when a PDF is rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from briefgen.writers.pdf.tags import PAGINATION, END, RawObject, Tags
from briefgen.writers.pdf.text import text_width

_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")


def _pdf_date(created) -> str:
    off = created.utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return (f"D:{created:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'")


class BriefCanvas(Canvas):
    """Canvas that defers pages to number them "page x of y" and publishes named destinations.

    Pages are kept until `save`, when the total is known; the document's page counter still
    advances at each page so bookmarks made meanwhile point at the right page. Links inside the
    brief use named destinations (/Dest (src_3)) listed in the catalog's /Names /Dests tree.
    `tags` records the structure tree as pages are drawn; `save` writes it, with `info`.
    """

    def __init__(self, *args, furniture=None, anchors=(), overrides=None, created=None,
                 tags: Tags | None = None, info: dict | None = None, **kw):
        super().__init__(*args, **kw)
        self.tags, self._bg_info = tags, info
        self._bg_pages: list[dict] = []
        self._bg_furniture = furniture
        self._bg_anchors = frozenset(anchors)
        # destinations a ready-made link may point to (checked once here, not once per link)
        self._bg_plain = frozenset(a for a in self._bg_anchors if _PLAIN_NAME.fullmatch(a))
        self._doc._bg_tounicode = overrides if overrides is not None else {}
        if created is not None:
            stamp = _pdf_date(created)
            self.setDateFormatter(lambda *a: stamp)
        self.showOutline()

    def showPage(self):
        self._bg_pages.append(dict(self.__dict__))
        self._doc.pageCounter += 1
        self._startPage()
        if self.tags is not None:
            self.tags.next_page()

    def save(self):
        total = len(self._bg_pages)
        self._doc.pageCounter = 1
        for state in self._bg_pages:
            self.__dict__.update(state)
            if self._bg_furniture:
                self._code.append(PAGINATION)
                self._bg_furniture(self, self._pageNumber, total)
                self._code.append(END)
            Canvas.showPage(self)
        names = sorted(n for n in self._bg_anchors if n in self._destinations)
        if names:
            tree = _DestNames([(n, self._destinations[n]) for n in names])
            self._doc.Catalog.Names = pdfdoc.PDFDictionary(
                {"Dests": pdfdoc.PDFDictionary({"Names": tree})})
        if self.tags is not None:
            self.tags.write(self._doc, self._bg_info or {})
        doc = self._doc
        if _plain(doc):
            doc.format = lambda: _document_bytes(doc)
        Canvas.save(self)

    def stringWidth(self, text, fontName=None, fontSize=None):
        return text_width(text, fontName or self._fontname,
                          self._fontsize if fontSize is None else fontSize)

    def linkRect(self, contents, destinationname, Rect=None, addtopage=1, name=None, relative=1,
                 thickness=0, color=None, dashArray=None, **kw):
        if destinationname not in self._bg_plain:
            return super().linkRect(contents, destinationname, Rect, addtopage, name, relative,
                                    thickness, color, dashArray, **kw)
        return self._addAnnotation(_DestLink(self._absRect(Rect, relative), destinationname),
                                   name, addtopage)

    def link(self, target: str, rect, element) -> None:
        """A link over `rect` (in the current coordinates) to "#destination" or a URL, tied to
        its Link `element` in the structure tree; its /Contents says where it goes."""
        tags = self.tags
        key = tags.next_key()
        contents = tags.contents(target, self._doc)
        if target.startswith("#"):
            name = target[1:]
            if name not in self._bg_plain:
                name = pdfdoc.PDFString(name).format(self._doc).decode("latin-1")[1:-1]
            self._addAnnotation(_DestLink(self._absRect(rect, 1), name, contents, key))
        else:
            self.linkURL(target, rect, relative=1, kind="URI", StructParent=key,
                         Contents=pdfdoc.PDFString(tags.describe.get(target, target)))
        tags.annotated(element, self._annotationrefs[-1].name)


class _DestLink(RawObject):
    """A link to a named destination (a note or annex entry), formatted when it is made.

    A long brief has thousands (a marker per line, a link per note). It is the link reportlab's
    `linkRect` makes, from the same rectangle, except that it names its destination
    (/Dest (src_3), listed in the catalog's /Dests tree) where reportlab writes the page and
    position: both land on the same place (tests/internals/test_reportlab_pages.py).
    `destination` is escaped already (plain names need nothing); `key` is its /StructParent in
    a tagged PDF.
    """

    def __init__(self, rect, destination: str, contents: bytes = b"()", key: int | None = None):
        parent = b"" if key is None else b" /StructParent %d" % key
        self.data = (b"<<\n/Border [0 0 0] /Contents " + contents
                     + f" /Dest ({destination}) /Rect [ {fp_str(*rect)} ]".encode("latin-1")
                     + parent + b" /Subtype /Link /Type /Annot\n>>")



class _DestNames(pdfdoc.PDFObject):
    """The /Names array of the catalog's /Dests tree, formatted in one pass.

    The bytes are those of reportlab's `PDFArray` of `PDFString` names and `Destination`s
    (a name and "[ page /XYZ left top 0 ]" per destination, a line break every 10 items;
    tests/internals/test_reportlab_pages.py), written without the five objects reportlab
    formats each through: a brief has a destination per note, source and section.
    Only for plain names (nothing to escape) and /XYZ destinations; others go to reportlab.
    """

    def __init__(self, entries):
        self.entries = entries  # (name, reportlab Destination), sorted by name

    def format(self, document) -> bytes:
        out = []
        ids = document.idToObjectNumberAndVersion
        for name, dest in self.entries:
            fmt, page = dest.fmt, dest.page
            if (_PLAIN_NAME.fullmatch(name) and type(fmt) is pdfdoc.PDFDestinationXYZ
                    and type(page) is pdfdoc.PDFObjectReference):
                out.append(f"({name})".encode("ascii"))
                num, gen = ids[page.name]
                where = " ".join(_num(v) for v in (fmt.left, fmt.top, fmt.zoom))
                out.append(f"[ {num} {gen} R /XYZ {where} ]".encode("ascii"))
            else:
                out.append(pdfdoc.format(pdfdoc.PDFString(name), document))
                out.append(pdfdoc.format(dest, document))
        return _array(out)


def _plain(doc) -> bool:
    """Whether `_document_bytes` can write `doc`: not encrypted, signed or commented."""
    return (type(doc.encrypt) is pdfdoc.NoEncryption and not getattr(doc, "_digiSigs", None)
            and (rl_config.invariant or not rl_config.pdfComments))


def _document_bytes(doc) -> bytes:
    """The bytes of reportlab's `PDFDocument.format` for a `_plain` document: each object
    numbered in turn (formatting one may register more), the cross-reference table and the
    trailer.

    reportlab wraps each object in an indirect object and encodes its header and every
    cross-reference line through its own PDFDocEncoding codec (pure Python); a long brief has
    tens of thousands of objects, nearly all made as bytes already (`RawObject`: structure
    elements, links). Same bytes: tests/internals/test_reportlab_pages.py.
    """
    for page in doc.Pages.pages:  # its links: a PDFArray of references, each formatted alone
        if page.Annots and type(page.Annots) is list and all(type(a) is pdfdoc.PDFObjectReference
                                             for a in page.Annots):
            page.Annots = _References(page.Annots)
    doc.encrypt.prepare(doc)
    doc.Reference(doc.Catalog)
    doc.Reference(doc.info)
    numbered, objects = doc.numberToId, doc.idToObject
    head = (f"%PDF-{doc._pdfVersion[0]}.{doc._pdfVersion[1]}".encode("latin-1")
            + b"\n%\223\214\213\236 ReportLab Generated PDF document (opensource)\n")
    out, offsets, offset, number = [head], [], len(head), 1
    while number in numbered:
        obj = objects[numbered[number]]
        body = obj.data if isinstance(obj, RawObject) else pdfdoc.format(obj, doc, toplevel=1)
        chunk = b"%d 0 obj\n%s%sendobj\n" % (number, body,
                                               b"" if body.endswith(b"\n") else b"\n")
        out.append(chunk)
        offsets.append(offset)
        offset += len(chunk)
        number += 1
    out.append(b"xref\n0 %d\n0000000000 65535 f \n" % number)
    out.append("".join([f"{o:010d} 00000 n \n" for o in offsets]).encode("ascii"))
    trailer = pdfdoc.PDFTrailer(startxref=offset, Size=number, Root=doc.Reference(doc.Catalog),
                                Info=doc.Reference(doc.info), ID=doc.ID())
    out.append(trailer.format(doc))
    return b"".join(out)


class _References(pdfdoc.PDFObject):
    """A page's /Annots: the bytes of reportlab's PDFArray of its PDFObjectReferences."""

    def __init__(self, refs: list):
        self.refs = refs

    def format(self, document) -> bytes:
        ids = document.idToObjectNumberAndVersion
        return _array([b"%d %d R" % ids[ref.name] for ref in self.refs])


def _array(items: list[bytes]) -> bytes:
    """Formatted items as `PDFArray.format` joins them (a line break every 10 items)."""
    if rl_config.pdfMultiLine:
        return b"[ " + b"\n ".join(items) + b" ]"
    for i in reversed(range(10, len(items), 10)):
        items.insert(i, b"\n ")
    return b"[ " + b" ".join(items) + b" ]"


def _num(value) -> str:
    """A destination's coordinate as `pdfdoc.format` writes it ("null" stays a word)."""
    return fp_str(value) if type(value) in (float, int) else str(value)


@dataclass
class Furniture:
    """What every page carries: the classification marking centred at the top and the bottom,
    the title and running head over a rule (not on the cover page), the page label below, and
    left of it the edition line of a brief that is sent."""

    page_w: float
    page_h: float
    margin_x: float
    margin_top: float
    margin_bottom: float
    head: list  # the title as (font, text, size) pieces, cut to fit
    running_head: list  # (font, text, size) pieces
    marking: list  # (font, text, size) pieces; empty = no classification
    page_label: str  # "… {page} … {pages} …"
    font: str
    size: float
    ink: object
    rule: object
    edition: list = ()  # (font, text, size) pieces; empty = no edition line

    def __call__(self, canvas: Canvas, page: int, total: int) -> None:
        canvas.saveState()
        canvas.setFillColor(self.ink)
        if self.marking:
            for y in (self.page_h - 9 * mm, 6 * mm):
                _centred(canvas, self.marking, self.page_w / 2, y)
        canvas.setStrokeColor(self.rule)
        canvas.setLineWidth(0.5)
        right = self.page_w - self.margin_x
        if page > 1:
            y = self.page_h - self.margin_top + 7 * mm
            canvas.line(self.margin_x, y - 3, right, y - 3)
            _draw(canvas, self.head, self.margin_x, y)
            _draw(canvas, self.running_head, right - pieces_width(self.running_head), y)
        y = self.margin_bottom - 12 * mm
        canvas.line(self.margin_x, y + 10, right, y + 10)
        canvas.setFont(self.font, self.size)
        label = self.page_label.replace("{page}", str(page)).replace("{pages}", str(total))
        canvas.drawRightString(right, y, label)
        _draw(canvas, self.edition, self.margin_x, y)
        canvas.restoreState()


def pieces_width(pieces) -> float:
    return sum(text_width(t, f, z) for f, t, z in pieces)


def _draw(canvas: Canvas, pieces, x: float, y: float) -> None:
    for font, text, size in pieces:
        canvas.setFont(font, size)
        canvas.drawString(x, y, text)
        x += text_width(text, font, size)


def _centred(canvas: Canvas, pieces, x: float, y: float) -> None:
    _draw(canvas, pieces, x - pieces_width(pieces) / 2, y)
