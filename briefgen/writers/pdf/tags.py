"""Tagged PDF (PDF/UA-1): a brief's structure tree, recorded as its pages are drawn.

The story makes the structure elements in reading order (`Tags.element`: Document, H1-H6, P,
L/LI/Lbl/LBody, TOC/TOCI, Figure, Note); drawing ties page content to them (`Tags.mark`, a
marked-content sequence with the page's next MCID) or marks it as an artifact (`ARTIFACT`,
`PAGINATION`). While a block is drawn, `Tags.run` puts each run of text in its element: a Link
element per link (tied to its annotation by `Tags.annotated`), a citation marker's Note right
after the marker's Link (the note is drawn at the foot of the page, but is read after the line
that cites it), a Span with /Lang for text in another script. `Tags.write` adds the tree to the
document when it is saved, with the ParentTree, /StructParents and /Tabs /S on every page,
/MarkInfo and the XMP metadata that names PDF/UA-1.

reportlab writes no structure; the reach-ins into its document that this takes, all here:
- `doc.Reference(obj)` registers a raw object (`RawObject`) and gives it its object number
  (`doc.idToObjectNumberAndVersion`, where pages are "Page1", ... and annotations
  `doc.annotationName(name)`); `_register` does the same for the tree's elements in one pass;
- `doc.Catalog` writes the StructTreeRoot, MarkInfo and Metadata set on it;
- `doc.Pages.pages`: each page dictionary gets /StructParents and /Tabs, added to the list of
  keys reportlab writes for it (`__NoDefault__`).
"""

from __future__ import annotations

import re
from reportlab.pdfbase import pdfdoc

ARTIFACT = "/Artifact BMC"  # decoration: rules, boxes, a decorative logo
PAGINATION = "/Artifact <</Type /Pagination>> BDC"  # running heads, page numbers, markings
END = "EMC"
# roles of this writer that are not standard structure types, and the type each is read as
ROLE_MAP = {"Judgment": "P", "Summary": "P"}
# A PDF string that reportlab writes as it is, between parentheses: printable ASCII but for
# the three characters it escapes (note_3, "Note 12", "S4 Reuters, 2019")
_PLAIN = re.compile(r"[ -'*-\[\]-~]*")


class Element:
    """A structure element: its role, parent, kids (elements, (page, MCID) of marked content,
    (page, annotation name) of a link annotation) and the first page with content of its own.
    A Span of right-to-left text keeps the (font, text) it drew, to say it in reading order."""

    __slots__ = ("role", "parent", "kids", "page", "alt", "lang", "id", "attrs", "drawn", "ref")

    def __init__(self, role: str, parent: Element | None = None, alt: str | None = None,
                 lang: str | None = None, id: str | None = None, attrs: str | None = None):
        self.role, self.parent, self.kids, self.page = role, parent, [], None
        self.alt, self.lang, self.id, self.attrs = alt, lang, id, attrs
        self.drawn: list[tuple[str, str]] | None = None
        self.ref = ""  # "12 0 R" once the document gives it an object number
        if parent is not None:
            parent.kids.append(self)


class Tags:
    """The structure tree of one PDF, the marked content of its pages and its link annotations.

    `describe` says where each link goes ("#src_3" or a URL -> its /Contents); `foreign` maps
    the fonts of another script to the language of their text ("ar"); `logical` turns what such
    fonts drew back into the text in reading order (`shaping.Shaper.logical`).
    """

    def __init__(self, describe: dict[str, str], foreign: dict[str, str], logical=None):
        self.document = Element("Document")
        self.describe, self.foreign, self.logical = describe, foreign, logical
        self.page = 0  # index of the page being drawn
        self._mcids: list[list[Element]] = [[]]  # per page: the element of each MCID
        self._links: list[Element] = []  # per annotation's /StructParent: its Link element
        self._names: list[str] = []  # and the annotation's name in reportlab's document
        self._contents: dict[str, bytes] = {}
        self._link: Element | None = None  # the Link element of the last run drawn
        self._piece = None  # that run's piece

    def element(self, role: str, parent: Element | None, **attrs) -> Element:
        return Element(role, parent, **attrs)

    def next_page(self) -> None:
        self.page += 1
        self._mcids.append([])

    def mark(self, element: Element) -> str:
        """The operator that opens the next marked content of the page for `element`."""
        mcids = self._mcids[self.page]
        mcid = len(mcids)
        mcids.append(element)
        element.kids.append((self.page, mcid))
        if element.page is None:
            element.page = self.page
        return f"/{element.role} <</MCID {mcid}>> BDC"

    def begin(self) -> None:
        """A block starts: no link is open."""
        self._link = None

    def run(self, block: Element, piece, text: str) -> Element:
        """The element a run of `block` belongs to: the block, its Link, or a Span in either.

        A citation marker (a piece with a note) is a Link of its own followed by its Note."""
        if piece.link:
            link, last = self._link, self._piece
            if (link is None or piece.note is not None or last.note is not None
                    or piece.link != last.link):
                link = self._link = Element("Link", block)
                if piece.note is not None:
                    note = piece.note.tag
                    note.parent = block
                    block.kids.append(note)
            self._piece = piece
            container = link
        else:
            self._link = None
            container = block
        lang = self.foreign.get(piece.font)
        if lang is None:
            return container
        span = container.kids[-1] if container.kids else None
        if type(span) is not Element or span.role != "Span" or span.lang != lang:
            span = Element("Span", container, lang=lang)
            span.drawn = []
        span.drawn.append((piece.font, text))
        return span

    @property
    def link(self) -> Element | None:
        """The Link element of the run just placed by `run`, if it had a link."""
        return self._link

    def next_key(self) -> int:
        """The /StructParent of the next link annotation."""
        return len(self._links)

    def annotated(self, element: Element, name: str) -> None:
        """A link annotation (reportlab's internal `name`) was made for `element`."""
        self._links.append(element)
        self._names.append(name)
        element.kids.append((self.page, name))

    def contents(self, target: str, doc) -> bytes:
        """The /Contents of a link to `target`, formatted: where it goes."""
        done = self._contents.get(target)
        if done is None:
            text = self.describe.get(target, target)
            done = self._contents[target] = _string(text, doc).encode("latin-1")
        return done

    def write(self, doc, info: dict) -> None:
        """Add the tree, the ParentTree, page keys, /MarkInfo and XMP metadata to `doc`; its
        pages are made (`info`: title, author, subject, keywords, created, lang)."""
        elements: list[Element] = []
        _collect(self.document, elements)
        ids = doc.idToObjectNumberAndVersion
        objects = [RawObject() for _ in elements]
        for e, number in zip(elements, _register(doc, objects), strict=True):
            e.ref = f"{number} 0 R"
        tree = RawObject()
        root = _ref(ids, doc.Reference(tree).name)
        pages = [_ref(ids, f"Page{i + 1}") for i in range(len(doc.Pages.pages))]
        annots = {name: _ref(ids, name) for name in self._names}
        for e, o in zip(elements, objects, strict=True):
            o.data = _element(e, pages, annots, root, doc, self.logical)
        links = len(self._links)
        nums = [f"{key} {link.ref}" for key, link in enumerate(self._links)]
        for i, mcids in enumerate(self._mcids[:len(pages)]):
            nums.append(f"{links + i} [{' '.join([e.ref for e in mcids])}]")
        notes = sorted((e.id, e.ref) for e in elements if e.id)
        roles = " ".join(f"/{k} /{v}" for k, v in ROLE_MAP.items())
        tree.data = (
            f"<< /IDTree << /Names [ {' '.join(f'{_string(n, doc)} {r}' for n, r in notes)} ] >> "
            f"/K {self.document.ref} /ParentTree << /Nums [ {' '.join(nums)} ] >> "
            f"/ParentTreeNextKey {links + len(pages)} /RoleMap << {roles} >> "
            "/Type /StructTreeRoot >>").encode("latin-1")
        cat = doc.Catalog
        cat.StructTreeRoot = tree
        cat.MarkInfo = pdfdoc.PDFDictionary({"Marked": pdfdoc.PDFtrue})
        cat.Metadata = pdfdoc.PDFStream(
            pdfdoc.PDFDictionary({"Type": pdfdoc.PDFName("Metadata"),
                                  "Subtype": pdfdoc.PDFName("XML")}),
            _xmp(**info), filters=[])
        for i, page in enumerate(doc.Pages.pages):
            page.__NoDefault__ = [*pdfdoc.PDFPage.__NoDefault__, "StructParents", "Tabs"]
            page.StructParents = links + i
            page.Tabs = pdfdoc.PDFName("S")


def _register(doc, objects: list) -> range:
    """Register new `objects` as `doc.Reference` does one at a time (the next object numbers,
    named "R<number>"), in one pass: the numbers they got."""
    first = doc.objectcounter + 1
    numbers = range(first, first + len(objects))
    ids, named, table = doc.idToObjectNumberAndVersion, doc.numberToId, doc.idToObject
    for number, obj in zip(numbers, objects, strict=True):
        name = f"R{number}"
        if name in table:  # named so by someone else: reportlab's own way says what is wrong
            raise ValueError(f"redefining named object: {name!r}")
        obj.__InternalName__ = name
        ids[name] = (number, 0)
        named[number] = name
        table[name] = obj
    doc.objectcounter = first + len(objects) - 1
    return numbers


def _ref(ids: dict, name: str) -> str:
    """A reference to the object reportlab's document registered as `name`."""
    return f"{ids[name][0]} 0 R"


class RawObject(pdfdoc.PDFObject):
    """An object whose bytes are made before the document is formatted (`canvas` writes
    them as they are)."""

    def __init__(self, data: bytes = b""):
        self.data = data

    def format(self, document) -> bytes:
        return self.data


def _collect(e: Element, out: list) -> bool:
    """Elements of the tree in order, into `out`, leaving out those with nothing in them
    (an empty cover line, a heading without words): True if `e` is kept."""
    out.append(e)
    kept = []
    for k in e.kids:
        if type(k) is not Element or _collect(k, out):
            kept.append(k)
    e.kids = kept
    if kept or e.parent is None:
        return True
    out.pop()
    return False


def _element(e: Element, pages: list[str], annots: dict[str, str], root: str, doc,
             logical) -> bytes:
    """The bytes of a structure element: kids, parent, attributes, page, type."""
    kids = []
    for k in e.kids:
        if type(k) is Element:
            kids.append(k.ref)
            continue
        page, mcid = k
        if type(mcid) is str:  # a link annotation's reportlab name
            kids.append(f"<< /Obj {annots[mcid]} /Pg {pages[page]} /Type /OBJR >>")
        elif page == e.page:
            kids.append(str(mcid))
        else:
            kids.append(f"<< /MCID {mcid} /Pg {pages[page]} /Type /MCR >>")
    out = [f"<< /K {kids[0] if len(kids) == 1 else '[ ' + ' '.join(kids) + ' ]'} "
           f"/P {e.parent.ref if e.parent is not None else root}"]
    if e.attrs or e.alt is not None or e.id is not None or e.lang is not None:  # a few have
        if e.attrs:
            out.append(f" /A {e.attrs}")
        if e.drawn and logical is not None:
            out.append(f" /ActualText {_string(logical(e.drawn), doc)}")
        for key, value in (("Alt", e.alt), ("ID", e.id), ("Lang", e.lang)):
            if value is not None:
                out.append(f" /{key} {_string(value, doc)}")
    if e.page is not None:
        out.append(f" /Pg {pages[e.page]}")
    out.append(f" /S /{e.role} >>")
    return "".join(out).encode("latin-1")


def _string(text: str, doc) -> str:
    """A PDF text string (PDFDocEncoding, else UTF-16 with its byte order mark), escaped."""
    if _PLAIN.fullmatch(text):  # what reportlab writes for it, without its five steps
        return f"({text})"  # (tests/internals/test_reportlab_pages.py)
    return pdfdoc.PDFString(text).format(doc).decode("latin-1")


def _escape(text: str) -> str:
    """`text` as XML character data (xml.sax.saxutils.escape, whose module pulls in urllib,
    http.client and ssl: a fifth of the PDF writer's import time)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xmp(title: str, author: str, subject: str, keywords: str, created, lang: str) -> bytes:
    """XMP metadata: title, author, subject, keywords, dates and the PDF/UA-1 identifier."""
    stamp = created.isoformat() if created is not None else ""
    dates = (f"<xmp:CreateDate>{stamp}</xmp:CreateDate><xmp:ModifyDate>{stamp}"
             "</xmp:ModifyDate>" if stamp else "")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\n'
        "<dc:format>application/pdf</dc:format>\n"
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_escape(title)}</rdf:li></rdf:Alt>'
        "</dc:title>\n"
        f"<dc:creator><rdf:Seq><rdf:li>{_escape(author)}</rdf:li></rdf:Seq></dc:creator>\n"
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{_escape(subject)}</rdf:li>'
        "</rdf:Alt></dc:description>\n"
        f"<dc:language><rdf:Bag><rdf:li>{_escape(lang)}</rdf:li></rdf:Bag></dc:language>\n"
        f"<pdf:Keywords>{_escape(keywords)}</pdf:Keywords>\n"
        f"<xmp:CreatorTool>briefgen</xmp:CreatorTool>{dates}\n"
        "<pdfuaid:part>1</pdfuaid:part>\n"
        "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()
