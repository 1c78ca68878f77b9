"""Embedded fonts, as Word writes them for "Embed fonts in the file" (ECMA-376 Part 1, §17.8).

Every family of the fonts folder that the document names (in its styles, numbering, body,
notes, header or footer) is embedded with the styles the folder has (regular, bold, italic, bold
italic): a `word/fonts/fontN.odttf` part each, obfuscated with its font key, listed in
`fontTable.xml` (`w:embedRegular` ...) and switched on by `w:embedTrueTypeFonts` in settings.

Whole fonts, not subsets: the .docx is the format an editor revises, and a subset lacks the
glyphs of whatever they type next, which Word then shows in some other font (Word's own
default is whole fonts too). A family whose licence forbids embedding (OS/2 `fsType`
restricted) is left out, as Word does. Each font is read, obfuscated and deflated once per
process (the Word worker does it while it waits for its first brief), so a document costs no
more to write with its fonts than without: about 1.3 MB more file for the packaged Noto.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

from briefgen.writers.docx.oxml import package as x

_RT_FONT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
_RT_FONT_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
_CT_FONT_TABLE = "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"
# Word's four slots per family, by (bold, italic), in the schema's order.
_SLOTS = {(False, False): "embedRegular", (True, False): "embedBold",
          (False, True): "embedItalic", (True, True): "embedBoldItalic"}
_EMBED_TAGS = {x.w(tag) for tag in _SLOTS.values()}
# CT_Settings elements that come before w:embedTrueTypeFonts.
_SETTINGS_BEFORE = {x.w(t) for t in (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData")}
_FONT_ATTRS = tuple(x.w(a) for a in ("ascii", "hAnsi", "cs", "eastAsia"))
# Windows character sets of the first code pages of OS/2 ulCodePageRange1 (1252, 1250, 1251,
# 1253, 1254, 1255, 1256, 1257): the first the font covers goes into w:charset.
_CHARSETS = ("00", "EE", "CC", "A1", "A2", "B1", "B2", "BA")
_RESTRICTED = 0x0002  # fsType: no embedding (unless a less strict bit is set as well)
_LEVEL = 1  # deflate level: higher ones barely shrink a font further, for far more time
_CACHE: dict[tuple, FontFile] = {}


@dataclass(frozen=True)
class FontFile:
    """One TrueType file: what fontTable.xml says about it, and its obfuscated bytes."""

    family: str  # name ID 1, the name documents use
    bold: bool
    italic: bool
    embeddable: bool
    panose: str  # 20 hex digits
    signature: tuple[str, ...]  # usb0-3, csb0-1 as 8 hex digits each
    key: str  # "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}", from the font's own bytes
    odttf: bytes
    deflated: tuple[bytes, int]  # the zip entry's data and CRC-32, made once per process


def obfuscate(font: bytes, key: str) -> bytes:
    """§17.8.1: the first 32 bytes XOR the key's 16 bytes (the GUID's digits read backwards),
    twice. Its own inverse: the same call restores the font."""
    digits = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1] * 2
    head = bytes(a ^ b for a, b in zip(font[:32], digits, strict=False))  # a font is longer
    return head + font[32:]


def font_files(folder: Path) -> list[FontFile]:
    """The TrueType fonts of `folder` (read once per process and file version)."""
    out = []
    for path in sorted(Path(folder).glob("*.ttf")) if Path(folder).is_dir() else []:
        stat = path.stat()
        cache_key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        font = _CACHE.get(cache_key)
        if font is None:
            font = _read(path.read_bytes())
            if font is None:
                continue  # not a TrueType file this can read: the PDF writer says why
            _CACHE[cache_key] = font
        out.append(font)
    return out


def embed_fonts(document, folder: Path) -> None:
    """Embed the families of `folder` that the document's XML parts name."""
    named = named_fonts(part.element for part in document.part.package.iter_parts()
                        if hasattr(part, "element"))
    chosen: dict[str, dict[tuple[bool, bool], FontFile]] = {}
    for font in font_files(folder):
        if font.family in named and font.embeddable:
            chosen.setdefault(font.family, {}).setdefault((font.bold, font.italic), font)
    if not chosen:
        return
    table = _font_table(document)
    root = table.element
    for entry in root.iterfind(x.w("font")):
        if entry.get(x.w("name")) in chosen:  # a reference document's entry: ours replaces it
            for embed in entry:
                if embed.tag in _EMBED_TAGS:
                    table.rels.pop(embed.get(f"{{{x.R_NS}}}id"), None)
            root.remove(entry)
    for family, styles in sorted(chosen.items()):
        entry = _entry(family, next(iter(styles.values())))
        for slot, tag in _SLOTS.items():
            font = styles.get(slot)
            if font is not None:
                rel_id = table.relate_to(_font_part(document, font), _RT_FONT)
                x.sub(entry, x.w(tag), {f"{{{x.R_NS}}}id": rel_id, x.w("fontKey"): font.key})
        root.append(entry)
    settings = document.settings.element
    if settings.find(x.w("embedTrueTypeFonts")) is None:
        flag = x.etree.Element(x.w("embedTrueTypeFonts"))
        after = [el for el in settings if el.tag in _SETTINGS_BEFORE]
        if after:
            after[-1].addnext(flag)
        else:
            settings.insert(0, flag)


def named_fonts(roots) -> set[str]:
    """Every font name that `w:rFonts` elements under these XML roots give."""
    return {el.get(a) for root in roots for el in root.iter(x.RFONTS)
            for a in _FONT_ATTRS if el.get(a)}


def _font_table(document):
    """The fontTable part as an XML part (python-docx loads it as bytes), its relationships
    (a reference document's embedded fonts) carried over."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import XmlPart
    from docx.oxml.parser import parse_xml

    part = document.part
    old = None
    for rel_id, rel in list(part.rels.items()):
        if rel.reltype == _RT_FONT_TABLE and not rel.is_external:
            old = rel.target_part
            part.rels.pop(rel_id)
            break
    if isinstance(old, XmlPart):
        new = old
    elif old is not None:
        new = XmlPart(old.partname, old.content_type, parse_xml(old.blob), part.package)
        for rel_id, rel in old.rels.items():
            new.rels.add_relationship(rel.reltype, rel.target_ref if rel.is_external
                                      else rel.target_part, rel_id, rel.is_external)
    else:
        root = x.etree.Element(x.w("fonts"), nsmap={"w": x.W_NS, "r": x.R_NS})
        new = XmlPart(PackURI("/word/fontTable.xml"), _CT_FONT_TABLE, root, part.package)
    part.relate_to(new, _RT_FONT_TABLE)
    return new


def _font_part(document, font: FontFile):
    from docx.opc.part import Part

    package = document.part.package
    part = Part(package.next_partname("/word/fonts/font%d.odttf"), x.OBFUSCATED_FONT, font.odttf,
                package)
    part.deflated = font.deflated  # package_bytes stores it as it is
    return part


def _entry(family: str, font: FontFile):
    entry = x.etree.Element(x.w("font"), {x.w("name"): family})
    x.sub(entry, x.w("panose1"), {x.VAL: font.panose})
    pages = int(font.signature[4], 16)
    charset = next((c for bit, c in enumerate(_CHARSETS) if pages >> bit & 1), "00")
    x.sub(entry, x.w("charset"), {x.VAL: charset})
    x.sub(entry, x.w("family"), {x.VAL: "auto"})
    x.sub(entry, x.w("pitch"), {x.VAL: "variable"})
    names = (x.w(a) for a in ("usb0", "usb1", "usb2", "usb3", "csb0", "csb1"))
    x.sub(entry, x.w("sig"), dict(zip(names, font.signature, strict=True)))
    return entry


def _read(data: bytes) -> FontFile | None:
    """Family, style, licence and signature from the `name` and `OS/2` tables."""
    try:
        tables = {}
        for i in range(struct.unpack_from(">H", data, 4)[0]):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            tables[tag] = data[offset:offset + length]
        os2, name = tables[b"OS/2"], tables[b"name"]
        family = _name(name, 1)
        fs_type = struct.unpack_from(">H", os2, 8)[0]
        panose = os2[32:42].hex().upper()
        ranges = struct.unpack_from(">4I", os2, 42)
        selection = struct.unpack_from(">H", os2, 62)[0]
        pages = struct.unpack_from(">2I", os2, 78) if len(os2) >= 86 else (0, 0)
    except (KeyError, struct.error, UnicodeDecodeError):
        return None
    if not family:
        return None
    # The key only has to be fixed per font (Word draws a random one): the table directory,
    # which holds every table's checksum, names the font's content at a fraction of its size.
    directory = data[:12 + 16 * struct.unpack_from(">H", data, 4)[0]]
    key = "{" + str(uuid.UUID(bytes=hashlib.sha256(directory).digest()[:16])).upper() + "}"
    odttf = obfuscate(data, key)
    return FontFile(family=family, bold=bool(selection & 0x20), italic=bool(selection & 0x01),
                    embeddable=(fs_type & 0x000F) != _RESTRICTED, panose=panose,
                    signature=tuple(f"{v:08X}" for v in (*ranges, *pages)), key=key,
                    odttf=odttf, deflated=(x.deflate(odttf, _LEVEL), zlib.crc32(odttf)))


def _name(table: bytes, name_id: int) -> str:
    """Name `name_id` of a `name` table: the Windows English one, else any Windows Unicode one."""
    count, strings = struct.unpack_from(">2H", table, 2)
    found = {}
    for i in range(count):
        platform, encoding, language, nid, length, offset = struct.unpack_from(
            ">6H", table, 6 + 12 * i)
        if nid == name_id and platform == 3 and encoding in (0, 1):
            raw = table[strings + offset:strings + offset + length]
            found.setdefault(language, raw.decode("utf-16-be"))
    return found.get(0x409) or next(iter(found.values()), "")
