"""Raw WordprocessingML for what python-docx has no API for.

The footnotes part, footnote settings and a reproducible package writer; paragraphs and their
runs (right-to-left ones too) are written by `ooxml_runs`.
python-docx is imported lazily.
"""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime, timezone
from collections.abc import Iterable

from lxml import etree

from briefgen.writers.docx.oxml.runs import R_NS, W_NS

BODY_FONT = "Noto Sans"


def w(tag: str) -> str:
    """Clark name of a `w:` element or attribute."""
    return f"{{{W_NS}}}{tag}"


# Names the writers use, resolved once.
PPR, PSTYLE, T, TAB, VAL = w("pPr"), w("pStyle"), w("t"), w("tab"), w("val")
COLOR, SZ, SZCS, RFONTS, CS = w("color"), w("sz"), w("szCs"), w("rFonts"), w("cs")
FOOTNOTE, ID, TYPE = w("footnote"), w("id"), w("type")



def parse_fragment(xml: str) -> etree._Element:
    """Parse a constant, writer-authored XML fragment (never user text) with w/r declared."""
    wrapped = f'<root xmlns:w="{W_NS}" xmlns:r="{R_NS}">{xml}</root>'
    return etree.fromstring(wrapped)[0]


def sub(parent: etree._Element, tag: str, attrib: dict | None = None) -> etree._Element:
    return etree.SubElement(parent, tag, attrib) if attrib else etree.SubElement(parent, tag)



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
        self._pending: list[str] = []
        ids = [int(fn.get(ID)) for fn in root.findall(FOOTNOTE) if fn.get(ID) is not None]
        self._next_id = max([0, *ids]) + 1
        self.separator_ids = [fn.get(ID) for fn in root.findall(FOOTNOTE)
                              if fn.get(TYPE) in ("separator", "continuationSeparator")]
        part = XmlPart(partname, CT.WML_FOOTNOTES, root, document_part.package)
        document_part.relate_to(part, RT.FOOTNOTES)
        self.part = part

    def add(self, paragraphs_xml: str) -> int:
        """A new footnote holding these paragraphs (XML text from `ooxml_runs.Para`); its id.

        Footnotes are kept as text and join the part, parsed in one go, on `flush()`.
        """
        fid = self._next_id
        self._next_id += 1
        self._pending.append(f'<w:footnote w:id="{fid}">{paragraphs_xml}</w:footnote>')
        return fid

    def flush(self) -> None:
        """Move the footnotes made so far into the part."""
        if self._pending:
            notes = "".join(self._pending)
            wrapped = f'<w:footnotes xmlns:w="{W_NS}" xmlns:r="{R_NS}">{notes}</w:footnotes>'
            self.root.extend(list(etree.fromstring(wrapped)))
        self._pending = []


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
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"


def _content_types(parts) -> bytes:
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.spec import default_content_types

    defaults = {"rels": CT.OPC_RELATIONSHIPS, "xml": CT.XML}
    known = {*default_content_types, ("odttf", OBFUSCATED_FONT)}  # as Word lists fonts
    overrides = {}
    for part in parts:
        ext = part.partname.ext
        if (ext.lower(), part.content_type) in known:
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

    The parts python-docx's own `save` writes, in its order and with its bytes
    (tests/internals/test_python_docx.py), but every entry stamped `when`, the content types
    sorted, fixed permissions and compression: same document, same bytes. A part that carries
    its own deflated form (`deflated`: bytes and CRC-32, an embedded font made once per process)
    is stored as it is rather than compressed again for every document.
    """
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    entries: list[tuple[str, bytes, tuple[bytes, int] | None]] = [
        ("[Content_Types].xml", _content_types(parts), None),
        ("_rels/.rels", package.rels.xml, None),
    ]
    for part in parts:
        entries.append((part.partname.membername, part.blob, getattr(part, "deflated", None)))
        if len(part.rels):
            entries.append((part.partname.rels_uri.membername, part.rels.xml, None))
    return _zip(entries, zip_time(when))


def deflate(data: bytes, level: int = 6) -> bytes:
    """Raw deflate (no zlib header), as a zip entry holds it."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _zip(entries, stamp: tuple[int, ...]) -> bytes:
    """A zip file of deflated entries (APPNOTE 4.3: local headers, central directory, end
    record), as zipfile writes it; zipfile itself cannot take an entry that is deflated already."""
    year, month, day, hour, minute, second = stamp
    dos_time = hour << 11 | minute << 5 | second // 2
    dos_date = (year - 1980) << 9 | month << 5 | day
    out, central = io.BytesIO(), []
    for name, data, ready in entries:
        packed, crc = ready or (deflate(data), zlib.crc32(data))
        raw = name.encode("ascii")
        head = struct.pack("<HHHHHIIIHH", 20, 0, 8, dos_time, dos_date, crc, len(packed),
                           len(data), len(raw), 0)
        central.append(struct.pack("<4sBB", b"PK\x01\x02", 20, 3) + head
                       + struct.pack("<HHHII", 0, 0, 0, 0o644 << 16, out.tell()) + raw)
        out.write(b"PK\x03\x04" + head + raw)
        out.write(packed)
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central),
                          out.tell() - start, start, 0))
    return out.getvalue()
