"""The house style's fonts inside the page: each face subset to the page's characters, as WOFF.

Fonts come from the `*.ttf` of the folder the other writers use (briefgen.resources.fonts_dir),
named `Family-Style.ttf` as the PDF writer reads them (Style: Regular, Bold, Italic,
BoldItalic): "NotoSans" is the text family, "NotoNaskhArabic" the one for Arabic script, any
other family a fallback. The page names them in that order, then the reader's system fonts, so a
character takes the first family that has it, as in the PDF. Each family gets only the
characters that no family before it has; a family with none is left out, and a face whose
licence forbids embedding (OS/2 `fsType` restricted) too, as Word does.

HarfBuzz subsets (uharfbuzz, already used for shaping; a few milliseconds a face, where
fontTools takes a fifth of a second) and keeps the layout features the browser shapes with
(kerning, Arabic joining forms). WOFF 1.0 is the font's tables deflated one by one: a
third of the size, the same bytes for the same font and characters. Subsets are kept per
process, so `watch` pays for a face again only when the page's characters change.
"""

from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

PRIMARY, ARABIC = "NotoSans", "NotoNaskhArabic"
# CSS weight and style of each style the file names may carry
STYLES = {"Regular": (400, "normal"), "Bold": (700, "normal"), "Italic": (400, "italic"),
          "BoldItalic": (700, "italic")}
_RESTRICTED = 0x0002  # OS/2 fsType: no embedding
_FACES: dict[tuple, list[Face]] = {}
_SUBSETS: dict[tuple, bytes] = {}
_SUBSETS_KEPT = 64  # subsets kept per process (a watch session's page changes little)


@dataclass(frozen=True)
class Face:
    """One font file: its family (from the file name), CSS weight and style, and code points."""

    family: str
    weight: int
    style: str
    path: Path
    data: bytes
    codes: frozenset[int]
    embeddable: bool


class FontSet:
    """The faces of one fonts folder, grouped by family in the order the page names them.

    `covers` and `simple` are what briefgen.writers.pdf.writer.check_glyphs asks of a font set.
    """

    def __init__(self, faces: list[Face]):
        order: dict[str, list[Face]] = {}
        for face in sorted(faces, key=lambda f: (_rank(f.family), f.family, f.weight, f.style)):
            order.setdefault(face.family, []).append(face)
        self.families = order
        self.codes = {fam: frozenset().union(*(f.codes for f in group))
                      for fam, group in order.items()}
        primary = next(iter(self.codes.values()), frozenset())
        self.simple = frozenset(map(chr, primary))

    def covers(self, ch: str) -> bool:
        return ch in "\t\n\r" or any(ord(ch) in codes for codes in self.codes.values())

    def font_faces(self, characters: set[str]) -> tuple[list[str], list[str]]:
        """The `@font-face` rules for a page showing `characters`, and the CSS names of the
        families they define, in the order a character is looked up in."""
        wanted = {ord(c) for c in characters}
        rules, names = [], []
        for family, group in self.families.items():
            mine = wanted & self.codes[family]
            wanted -= mine
            faces = [f for f in group if f.embeddable]
            if not mine or not faces:
                continue
            name = f"briefgen {family}"
            names.append(name)
            for face in faces:
                data = base64.b64encode(subset_woff(face, frozenset(mine))).decode("ascii")
                rules.append(f'@font-face{{font-family:"{name}";font-weight:{face.weight};'
                             f"font-style:{face.style};font-display:swap;"
                             f'src:url(data:font/woff;base64,{data}) format("woff")}}')
        return rules, names


def _rank(family: str) -> int:
    return 0 if family == PRIMARY else 1 if family == ARABIC else 2


def load(fonts_dir: Path) -> FontSet:
    """The fonts of `fonts_dir` (read once per process and file version)."""
    import uharfbuzz

    folder = Path(fonts_dir)
    files = sorted(folder.glob("*.ttf")) if folder.is_dir() else []
    key = tuple((str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    faces = _FACES.get(key)
    if faces is None:
        faces = []
        for path in files:
            family, _, style = path.stem.partition("-")
            weight, slant = STYLES.get(style, STYLES["Regular"])
            data = path.read_bytes()
            try:
                codes = frozenset(uharfbuzz.Face(uharfbuzz.Blob(data)).unicodes)
            except Exception:  # not a font HarfBuzz reads: the PDF writer says why
                continue
            faces.append(Face(family, weight, slant, path, data, codes, _embeddable(data)))
        _FACES[key] = faces
    return FontSet(faces)


def _embeddable(data: bytes) -> bool:
    """False when the font's licence forbids embedding it (OS/2 fsType: restricted)."""
    try:
        for i in range(struct.unpack_from(">H", data, 4)[0]):
            tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            if tag == b"OS/2":
                return (struct.unpack_from(">H", data, offset + 8)[0] & 0x000F) != _RESTRICTED
    except struct.error:
        return False
    return True


def subset_woff(face: Face, codes: frozenset[int]) -> bytes:
    """`face` cut down to the glyphs of `codes` (and those its layout needs), as WOFF."""
    key = (face.path, face.data, codes)
    found = _SUBSETS.get(key)
    if found is None:
        import uharfbuzz as hb

        spec = hb.SubsetInput()
        spec.sets(hb.SubsetInputSets.UNICODE).update(codes)
        # hinting makes small text crisper on old screens only, and doubles a subset's size
        spec.flags = hb.SubsetFlags.NO_HINTING
        result = hb.subset(hb.Face(hb.Blob(face.data)), spec)
        if result is None:  # HarfBuzz could not subset it: the whole font, then
            sfnt = face.data
        else:
            sfnt = bytes(result.blob.data)
        if len(_SUBSETS) >= _SUBSETS_KEPT:
            _SUBSETS.clear()
        found = _SUBSETS[key] = woff(sfnt)
    return found


def woff(sfnt: bytes) -> bytes:
    """A TrueType/OpenType font as WOFF 1.0 (W3C): each table deflated when that is smaller."""
    flavor, count = struct.unpack_from(">IH", sfnt, 0)
    tables = []
    for i in range(count):
        tag, checksum, offset, length = struct.unpack_from(">4sIII", sfnt, 12 + 16 * i)
        data = sfnt[offset:offset + length]
        packed = zlib.compress(data, 9)
        tables.append((tag, checksum, length, packed if len(packed) < length else data))
    tables.sort()  # the directory is in ascending tag order
    offset = 44 + 20 * count
    directory, body = [], []
    for tag, checksum, length, data in tables:
        directory.append(struct.pack(">4sIIII", tag, offset, len(data), length, checksum))
        padded = data + b"\0" * (-len(data) % 4)  # each table starts on a 4-byte boundary
        body.append(padded)
        offset += len(padded)
    sfnt_size = 12 + 16 * count + sum((length + 3) & ~3 for _, _, length, _ in tables)
    header = struct.pack(">4sIIHHIHHIIIII", b"wOFF", flavor, offset, count, 0, sfnt_size,
                         1, 0, 0, 0, 0, 0, 0)
    return header + b"".join(directory) + b"".join(body)
